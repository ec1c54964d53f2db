/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of the rtvirt module (the Linux side).
 */
#ifndef _RTVIRT_MODULE_H
#define _RTVIRT_MODULE_H

#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <asm/alternative.h>
#include <asm/cpufeatures.h>
#include <linux/rtvirt.h>
#include <rtvirt/common.h>
#include <rtvirt/vmm_abi.h>

#define RTVIRT_VERSION	"0.1.0"

/**
 * struct rtvirt_caps - what the CPU offers for a late launch
 * @features:	RTVIRT_FEAT_* bits
 * @backend:	RTVIRT_BACKEND_* that a launch would use
 */
struct rtvirt_caps {
	u32 features;
	u32 backend;
};

extern struct rtvirt_caps rtvirt_caps;

int rtvirt_probe_cpu(struct rtvirt_caps *caps);

struct rtvirt_vmm_header;
const struct rtvirt_vmm_header *rtvirt_vmm_image_header(void);
int rtvirt_vmm_image_verify(void);
size_t rtvirt_vmm_image_size(void);
u32 rtvirt_vmm_image_version(void);

int rtvirt_sysfs_init(void);
void rtvirt_sysfs_exit(void);
struct kobject *rtvirt_sysfs_root(void);

struct rtvirt_dev;

/**
 * struct rtvirt_model_ops - what the module does for one device model
 * @model:	the RTVIRT_MODEL_* it serves
 * @alloc_state: allocate the model's state of the device, which the VMM
 *		reads at RTVIRT_HC_DEV_COMMENCE and at the hand-back's last
 *		step; sets *@size; an ERR_PTR() on error (kfree() the state)
 * @describe:	fill in, for a takeover, what only a sleeping caller can
 *		find (optional); 0, or -errno after one dmesg line saying why
 * @read_state:	read the driver's state of the device into @state with
 *		every other CPU held (no sleeping, no faults); @takeover says
 *		whether for a takeover or a hand-back; 0 or -errno (-EBUSY:
 *		try again)
 * @refusal:	the VMM's reason for refusing a takeover, as it wrote it in
 *		the state, or NULL
 *
 * @inject:	the RTVIRT_INJECT_* match bits the model takes fault
 *		injection for (commands or frames); a request for others
 *		answers -EOPNOTSUPP
 * @capture:	the model's VMM side captures frames (RTVIRT_CAPTURE);
 *		without it the request answers -EOPNOTSUPP
 *
 * Each model is one entry of the table in device_virt.c.
 */
struct rtvirt_model_ops {
	unsigned int model;
	void *(*alloc_state)(struct rtvirt_dev *d, size_t *size);
	int (*describe)(struct rtvirt_dev *d, void *state);
	int (*read_state)(struct rtvirt_dev *d, void *state, size_t size,
			  bool takeover);
	const char *(*refusal)(void *state);
	u32 inject;
	bool capture;
};

extern const struct rtvirt_model_ops rtvirt_nvme_ops;
extern const struct rtvirt_model_ops rtvirt_e1000e_ops;

/**
 * struct rtvirt_dev - a PCI function rtvirt manages
 * @node:	entry in the device list, under its lock
 * @kobj:	its directory in /sys/kernel/rtvirt/devices/
 * @pdev:	the PCI function (reference held)
 * @model:	device model that emulates it
 * @state:	RTVIRT_DEV_*
 * @op_lock:	serialises virtualization changes and VMM queries
 * @vmm_id:	the VMM's id for it, valid in launch generation @vmm_gen
 * @vmm_gen:	0 when not attached to the running VMM
 * @base:	counters of earlier launches, added to the VMM's
 * @mediate:	the VMM decides what the OS sees of each completion (set
 *		for a status injection, until the next hand-back); else the
 *		OS reads the device's own completions (fewer VM exits)
 * @capture:	the frame capture the VMM writes (capture.c), or NULL;
 *		changed under @op_lock and the launch lock
 */
struct rtvirt_dev {
	struct list_head node;
	struct kobject kobj;
	struct pci_dev *pdev;
	enum rtvirt_model model;
	u32 state;
	struct mutex op_lock;
	u64 vmm_id;
	u64 vmm_gen;
	struct rtvirt_vmm_dev_stats *base;
	bool mediate;
	struct rtvirt_capture_ctx *capture;
};

struct rtvirt_vmm_inject;

int rtvirt_devices_init(struct kobject *parent);
void rtvirt_devices_exit(void);
u32 rtvirt_devices_count(void);
u32 rtvirt_devices_snapshot(struct rtvirt_device *out, u32 capacity);
int rtvirt_device_request(const char *address, bool virtualize);
int rtvirt_device_inject(struct rtvirt_dev *d,
			 const struct rtvirt_vmm_inject *inj);
struct rtvirt_dev *rtvirt_device_get(const char *address);
void rtvirt_device_put(struct rtvirt_dev *d);
int rtvirt_devices_release_all(void);
bool rtvirt_devices_any_virtualized(void);
void rtvirt_devices_poll(void);
int rtvirt_devices_poll_init(void);
void rtvirt_devices_poll_exit(void);

struct rtvirt_vmm_dev_stats;
struct rtvirt_vmm_trace;
int rtvirt_dev_alloc(struct rtvirt_dev *d);
void rtvirt_dev_free(struct rtvirt_dev *d);
int rtvirt_dev_set(struct rtvirt_dev *d, bool virtualize);
int rtvirt_dev_stats(struct rtvirt_dev *d, struct rtvirt_vmm_dev_stats *out);
int rtvirt_dev_trace(struct rtvirt_dev *d, struct rtvirt_vmm_trace *buf,
		     size_t size);
int rtvirt_dev_inject(struct rtvirt_dev *d,
		      const struct rtvirt_vmm_inject *inj);
bool rtvirt_dev_captures(struct rtvirt_dev *d);

struct file;
void rtvirt_capture_attach(struct rtvirt_dev *d);
int rtvirt_capture_start(struct file *file, struct rtvirt_dev *d,
			 struct rtvirt_capture *req);
int rtvirt_capture_read(struct file *file, struct rtvirt_capture *req);
struct rtvirt_dev *rtvirt_capture_stop(struct file *file,
				       struct rtvirt_capture *req);

/**
 * struct rtvirt_probe_result - what a DMA probe saw
 * @status:	the command's NVMe status (0: success)
 * @intact:	the VMM's canary page was unchanged afterwards
 * @rewritten:	(rewrite probe) the list was rewritten after the doorbell
 * @data_ok:	(rewrite probe) the data went where the list first said
 * @tries:	(rewrite probe) submissions made
 */
struct rtvirt_probe_result {
	u16 status;
	bool intact;
	bool rewritten;
	bool data_ok;
	unsigned int tries;
};

int rtvirt_dev_dma_probe(struct rtvirt_dev *d,
			 struct rtvirt_probe_result *res);
int rtvirt_dev_rewrite_probe(struct rtvirt_dev *d,
			     struct rtvirt_probe_result *res);
int rtvirt_dev_nic_probe(struct rtvirt_dev *d,
			 struct rtvirt_probe_result *res);
struct gendisk *rtvirt_nvme_disk(struct pci_dev *pdev);

/* A hypercall's result as an errno: 0 for any non-error value. */
static inline int rtvirt_hc_errno(u64 ret)
{
	s64 r = (s64)ret;

	return r < 0 && r >= -4095 ? (int)r : 0;
}
void rtvirt_dev_poll(struct rtvirt_dev *d);
void rtvirt_dev_fold_stats(struct rtvirt_dev *d);
void rtvirt_devices_fold_stats(void);
int rtvirt_dev_release(struct rtvirt_dev *d);

#define RTVIRT_NVME_FAULT_NONE		0
#define RTVIRT_NVME_FAULT_SQ_IN_VMM	1
#define RTVIRT_NVME_FAULT_PHASE		2
void rtvirt_nvme_fail_next_layout(int fault);
struct gendisk;
u32 rtvirt_nvme_disk_nsid(struct gendisk *disk);

/**
 * struct rtvirt_cpu_launch - one CPU's launch (vmm_call.c holds the array)
 * @launched:	the CPU runs demoted under the VMM
 * @result:	its last launch's result
 * @launch_ns:	when it was last launched
 * @unlaunch_ns: when it was last returned to native
 */
struct rtvirt_cpu_launch {
	bool launched;
	int result;
	u64 launch_ns;
	u64 unlaunch_ns;
};

/* The launch state (vmm_call.c): launch.c changes it, under the mutex. */
extern struct mutex rtvirt_launch_mutex;
extern struct rtvirt_cpu_launch *rtvirt_cpu_launch;	/* per possible CPU */
extern bool rtvirt_is_launched;
extern u64 rtvirt_launch_gen;

/*
 * The hypercall instruction, chosen when the module is loaded: VMMCALL,
 * or VMCALL on a CPU with VMX (the kernel's alternatives patch it in).
 */
#define RTVIRT_HYPERCALL_INSN	ALTERNATIVE("vmmcall", "vmcall", X86_FEATURE_VMX)

/*
 * A hypercall with RAX = @nr, RBX = @a0, RCX = @a1, RDX = @a2; RBX, RCX
 * and RDX come back in @rbx, @rcx, @rdx where not NULL.
 */
static inline u64 rtvirt_vmmcall(u64 nr, u64 a0, u64 a1, u64 a2, u64 *rbx,
				 u64 *rcx, u64 *rdx)
{
	u64 ret, b = a0, c = a1, d = a2;

	asm volatile(RTVIRT_HYPERCALL_INSN
		     : "=a"(ret), "+b"(b), "+c"(c), "+d"(d)
		     : "a"(nr) : "memory");
	if (rbx)
		*rbx = b;
	if (rcx)
		*rcx = c;
	if (rdx)
		*rdx = d;
	return ret;
}

int rtvirt_launch_init(void);
void rtvirt_launch_exit(void);
int rtvirt_vmm_panic_init(void);
void rtvirt_vmm_panic_exit(void);
u64 rtvirt_vmm_panic_note_pa(void);
int rtvirt_launch(void);
int rtvirt_unlaunch(void);
bool rtvirt_launched(void);
int rtvirt_cpu_ping(u64 *cpu, u64 *gen);
void rtvirt_cpu_times(unsigned int cpu, u64 *launch_ns, u64 *unlaunch_ns);
struct rtvirt_vmm_cpu_stats;
int rtvirt_cpu_vmm_stats(struct rtvirt_vmm_cpu_stats *stats);
#define RTVIRT_VMM_RANGE_SIZE	(2ULL << 20)
unsigned int rtvirt_vmm_ranges(unsigned int i, u64 *start);
void rtvirt_debugfs_init(void);
void rtvirt_debugfs_exit(void);
u64 rtvirt_hypercall(u64 nr, u64 a0, u64 a1, u64 a2);
u64 rtvirt_generation(void);
void rtvirt_launch_lock(void);
void rtvirt_launch_unlock(void);
void rtvirt_fail_next_launches(unsigned int n);

/* What rtvirt_nmi_storm() (nmi_storm.c) sent and saw arrive. */
struct rtvirt_nmi_storm_result {
	u64 sent, received;
	int lost_cpu;		/* the CPU whose NMI did not arrive, or -1 */
};
int rtvirt_nmi_storm(unsigned int rounds, struct rtvirt_nmi_storm_result *res);

int rtvirt_cpu_stats(unsigned int cpu, struct rtvirt_cpu_stats *out);
int rtvirt_cpus_sysfs_init(struct kobject *parent);
void rtvirt_cpus_sysfs_exit(void);

int rtvirt_chardev_init(void);
void rtvirt_chardev_exit(void);

#endif /* _RTVIRT_MODULE_H */
