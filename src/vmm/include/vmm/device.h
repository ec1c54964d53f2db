/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Device framework of the VMM: the traps a device model sets (guest-
 * physical ranges and I/O ports), the log of accesses held during a
 * hand-back, the command trace, and the ops table every model provides.
 */
#ifndef _VMM_DEVICE_H
#define _VMM_DEVICE_H

#include <rtvirt/vmm_abi.h>
#include <vmm/capture.h>
#include <vmm/types.h>
#include <vmm/vmm.h>

struct vcpu;
struct vdev;

#define VDEV_MODEL_NVME		1	/* enum rtvirt_model */
#define VDEV_MODEL_E1000E	2

/* Device states, as the UAPI's RTVIRT_DEV_*. */
#define VDEV_NATIVE		0
#define VDEV_VIRTUALIZING	1
#define VDEV_VIRTUALIZED	2
#define VDEV_DEVIRTUALIZING	3

/* Trap kinds, as the UAPI's RTVIRT_TRAP_*. */
#define TRAP_REGISTER		0
#define TRAP_DOORBELL		1
#define TRAP_SHADOW_DB		2
#define TRAP_QUEUE		3
#define TRAP_MSIX		4
#define TRAP_CONFIG_IO		5
#define TRAP_CONFIG_MMIO	6
#define TRAP_PORT		7

/**
 * struct trap - a guest-physical range the VMM took from the OS
 * @gpa:	first byte (page aligned)
 * @size:	bytes (whole pages)
 * @kind:	TRAP_*, for the statistics and the model's dispatch
 * @dev:	owner
 * @shadow:	the model's copy the OS sees instead of the memory, or NULL
 *		when accesses go to the real range
 * @view:	when not 0, the range is not trapped but mapped to the VMM's
 *		pages at @view: the OS's accesses reach them without an exit,
 *		the real range only the VMM reaches (vdev_view_add())
 */
struct trap {
	u64 gpa;
	u64 size;
	unsigned int kind;
	struct vdev *dev;
	void *shadow;
	u64 view;
};

/**
 * struct access - one guest access, trapped and possibly held
 * @gpa:	guest-physical address; the config address for
 *		TRAP_CONFIG_IO (0xCF8 latch value | byte offset); the port
 *		for TRAP_PORT
 * @val:	value written, or read
 * @size:	1, 2, 4 or 8 bytes
 * @write:	store (else load)
 * @kind:	TRAP_*
 * @retry:	set when the access could not be held (the hold log is full):
 *		the CPU runs the instruction again instead of completing it
 */
struct access {
	u64 gpa;
	u64 val;
	u8 size;
	bool write;
	u8 kind;
	bool retry;
};

#define VDEV_LOG_MAX	1024	/* accesses held during one hand-back */
/* Each device's registers, doorbells and config page, two per queue. */
#define VDEV_TRAPS_MAX	(2 * RTVIRT_VMM_NVME_MAX_QUEUES + 32)
/* I/O port ranges (I/O BARs) trapped, over all devices. */
#define VDEV_PORT_TRAPS_MAX	RTVIRT_VMM_MAX_DEVICES

/**
 * struct vdev_ops - what a device model provides
 * @name:	model name
 * @model:	the VDEV_MODEL_* it serves (struct rtvirt_vmm_dev_info.model)
 * @attach:	check the device the module describes and allocate the
 *		model's state; called once per launch
 * @commence:	take the device over in the mode the module describes at
 *		@pa (@len bytes of the model's takeover state, in OS memory:
 *		copied before it is checked); all other CPUs are held in the
 *		module while this runs.  Returns 0; ERR_BUSY while an I/O
 *		sequence is in progress that cannot be taken over (the
 *		caller retries); ERR_OPNOTSUPP for what the model does not
 *		serve, ERR_IO for a state that does not match the device,
 *		ERR_NOMEM, ERR_INVAL
 * @access:	a trapped access to one of the model's traps; fills @a->val
 *		for a load.  Called with the device lock held
 * @port:	a trapped access to one of the model's port ranges
 *		(vdev_port_trap_add()), @off ports from its first; fills
 *		@a->val for an IN.  Called with the device lock held.
 *		Optional: only models that trap ports
 * @config:	a trapped config-space access at byte offset @off; returns
 *		true when the write must be held for the hand-back instead
 *		of reaching the device
 * @poll:	process what the device completed; called with the device
 *		lock held (hypercalls, traps) and without it (the interrupt
 *		path, on any CPU at once), so the model locks its own state
 * @pending:	whether the device completed something @poll has not
 *		processed; called without the device lock, so a hint that
 *		may say true in vain but never false while such a completion
 *		was written before the call (optional)
 * @interrupts:	whether the model must see the device's interrupts before
 *		the OS's handler does (@pending and @poll on the interrupt
 *		path); while a virtualized device's model says so, every
 *		physical interrupt exits to the VMM.  Optional: without it,
 *		always
 * @drained:	hand-back: true once nothing of the OS's is outstanding in
 *		the device and every completion was posted to the OS
 * @handback:	restore the device's queues and positions for the OS's
 *		driver, before the held accesses are replayed; every other
 *		CPU is held in the module meanwhile (views move back).  @pa
 *		is the model's state of the OS at this moment (the same
 *		layout as @commence's, in OS memory, not yet checked), or 0
 * @handed_back: after the held accesses were replayed
 * @resume:	an abandoned hand-back: process what the model held of the
 *		OS's itself (before the held accesses of the log run through
 *		the model)
 * @inject:	set fault injection
 */
struct vdev_ops {
	const char *name;
	unsigned int model;
	int (*attach)(struct vdev *d);
	int (*commence)(struct vdev *d, u64 pa, u64 len);
	void (*access)(struct vdev *d, struct trap *t, struct access *a);
	void (*port)(struct vdev *d, unsigned int off, struct access *a);
	bool (*config)(struct vdev *d, unsigned int off, struct access *a);
	void (*poll)(struct vdev *d);
	bool (*pending)(struct vdev *d);
	bool (*interrupts)(struct vdev *d);
	bool (*drained)(struct vdev *d);
	void (*handback)(struct vdev *d, u64 pa);
	void (*handed_back)(struct vdev *d);
	void (*resume)(struct vdev *d);
	int (*inject)(struct vdev *d, const struct rtvirt_vmm_inject *inj);
};

/**
 * struct vdev - one device known to the VMM
 * @info:	what the module told about it
 * @ops:	its model
 * @model:	model state
 * @state:	VDEV_*
 * @trace_lock:	serialises @trace and @trace_seq (the interrupt path
 *		traces without the device lock)
 * @holding:	hand-back in progress: accesses that change the device are
 *		logged instead of performed
 * @handback_wanted: the OS changed the device's mode; the module hands the
 *		device back at its next poll
 * @log:	accesses held during the hand-back, in order
 * @log_len:	entries used in @log
 * @hold_start:	TSC when the hold began
 * @stats:	counters for the module
 * @trace:	ring of completed commands
 * @trace_seq:	commands traced so far
 * @capture:	frame capture (NICs), RTVIRT_HC_DEV_CAPTURE
 */
struct vdev {
	struct rtvirt_vmm_dev_info info;
	const struct vdev_ops *ops;
	void *model;
	unsigned int state;
	int trace_lock;
	bool holding;
	bool handback_wanted;
	struct access *log;
	unsigned int log_len;
	u64 hold_start;
	struct rtvirt_vmm_dev_stats stats;
	struct rtvirt_vmm_trace_entry *trace;
	u64 trace_seq;
	struct vdev_capture capture;
};

/*
 * VDEV_MODEL(ops) registers a model: each model file names its ops once,
 * and the framework finds them by struct rtvirt_vmm_dev_info.model among
 * the pointers the linker gathers in .vdev_models (vmm.lds).
 */
#define VDEV_MODEL(ops)							\
	static const struct vdev_ops *const __vdev_model_##ops		\
	__used __section(".vdev_models") = &(ops)

int vdev_trap_add(struct vdev *d, u64 gpa, u64 size, unsigned int kind,
		  void *shadow);
int vdev_view_add(struct vdev *d, u64 gpa, u64 size, unsigned int kind,
		  u64 view);
int vdev_port_trap_add(struct vdev *d, u16 port, unsigned int count);
void vdev_traps_remove(struct vdev *d);
bool vdev_any_virtualized(void);
bool vdev_wants_interrupts(void);
void vdev_interrupt(void);
void vdev_log(struct vdev *d, struct access *a);
bool vdev_log_lookup(const struct vdev *d, u64 gpa, unsigned int size,
		     u64 *val);
void vdev_trace(struct vdev *d, const struct rtvirt_vmm_trace_entry *e);
u64 vdev_ns(const struct vdev *d, u64 tsc);
void vdev_hold(struct vdev *d, struct access *a);
void vdev_mmio_write(u64 pa, u64 val, unsigned int size);
u64 vdev_mmio_read(u64 pa, unsigned int size);
u64 vdev_port_read(u16 port, unsigned int size);
void vdev_port_write(u16 port, u64 val, unsigned int size);
u16 vdev_config_read16(const struct vdev *d, unsigned int off);

bool vdev_handle_npf(struct vcpu *v, u64 gpa, bool write);
bool vdev_handle_io(struct vcpu *v, u16 port, unsigned int size, bool in,
		    u64 *val);
u64 vdev_hypercall(struct vcpu *v, u64 nr, u64 a0, u64 a1, u64 a2);
void vdev_reset_all(void);

/**
 * vdev_regs_ok() - check a device's registers as the kernel described them
 * @i:	the description (RTVIRT_HC_DEV_ATTACH)
 *
 * The register BAR and the configuration page are where the VMM reads,
 * writes and traps, and the kernel could forge them: a BAR is a power of
 * two in size and aligned to it (PCI's rule, which keeps its I/O window
 * tables small), never the VMM's own memory, and within what the kernel
 * reaches through the nested tables (vmm_io_reaches()).  An I/O BAR is
 * a power of two of at most 256 ports, aligned to its size, below port
 * 0x10000 (the model traps it, vdev_port_trap_add()).
 *
 * Return: 0; ERR_INVAL for a BAR that is missing, not a power of two or
 * not aligned to its size, an unaligned configuration page, either in
 * the VMM's memory, or an I/O BAR that breaks the rule; ERR_OPNOTSUPP for one beyond that reach (2^48 with
 * 4-level paging).
 */
static inline int vdev_regs_ok(const struct rtvirt_vmm_dev_info *i)
{
	if (!i->bar_pa || i->bar_size < PT_PAGE_SIZE ||
	    (i->bar_size & (i->bar_size - 1)) ||
	    (i->bar_pa & (i->bar_size - 1)) ||
	    (i->ecam_pa & (PT_PAGE_SIZE - 1)) ||
	    vmm_owns_range(i->bar_pa, i->bar_size) ||
	    (i->ecam_pa && vmm_owns_range(i->ecam_pa, PT_PAGE_SIZE)))
		return ERR_INVAL;
	if (i->io_size && (i->io_size > 256 ||
			   (i->io_size & (i->io_size - 1)) ||
			   (i->io_port & (i->io_size - 1)) ||
			   i->io_port + i->io_size > 0x10000))
		return ERR_INVAL;
	if (!vmm_io_reaches(i->bar_pa, i->bar_size) ||
	    (i->ecam_pa && !vmm_io_reaches(i->ecam_pa, PT_PAGE_SIZE)))
		return ERR_OPNOTSUPP;
	return 0;
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return lo | (u64)hi << 32;
}

#endif /* _VMM_DEVICE_H */
