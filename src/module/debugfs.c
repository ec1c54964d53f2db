// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/rtvirt: the VMM's physical memory ranges, and a probe
 * that makes the kernel read or write them, to test that the VMM contains
 * such accesses; the hypercall round trip, for the bench.  Root only; the
 * probe refuses any address outside the VMM's ranges.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/io.h>
#include <linux/seq_file.h>
#include <linux/stop_machine.h>
#include <linux/uaccess.h>

#include "rtvirt.h"

static struct dentry *dir;
static u64 last_addr, last_value;
static DEFINE_MUTEX(probe_lock);

static int vmm_memory_show(struct seq_file *m, void *unused)
{
	unsigned int i, n;
	u64 start;

	rtvirt_launch_lock();
	n = rtvirt_vmm_ranges(0, NULL);
	for (i = 0; i < n; i++) {
		rtvirt_vmm_ranges(i, &start);
		seq_printf(m, "0x%llx-0x%llx\n", start,
			   start + RTVIRT_VMM_RANGE_SIZE - 1);
	}
	rtvirt_launch_unlock();
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vmm_memory);

#define PING_ROUNDS	1000

/*
 * The round trip of a hypercall on the reading CPU: the mean of
 * PING_ROUNDS pings, in nanoseconds (the VM exit, the VMM's dispatch and
 * the entry back).  ENODEV where the CPU is native.
 */
static int hypercall_ns_show(struct seq_file *m, void *unused)
{
	u64 cpu, gen, start, ns = 0;
	int i, ret = 0;

	rtvirt_launch_lock();
	preempt_disable();
	start = ktime_get_ns();
	for (i = 0; i < PING_ROUNDS && !ret; i++)
		ret = rtvirt_cpu_ping(&cpu, &gen);
	ns = ktime_get_ns() - start;
	preempt_enable();
	rtvirt_launch_unlock();
	if (ret)
		return ret;
	seq_printf(m, "%llu\n", div_u64(ns, PING_ROUNDS));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hypercall_ns);

static bool in_vmm(u64 addr)
{
	unsigned int i, n = rtvirt_vmm_ranges(0, NULL);
	u64 start;

	for (i = 0; i < n; i++) {
		rtvirt_vmm_ranges(i, &start);
		if (addr - start < RTVIRT_VMM_RANGE_SIZE)
			return true;
	}
	return false;
}

#define PROBE_RACE_MAX	100000

struct probe_race {
	u64 *p;
	unsigned long rounds;
	atomic_t nonzero;
};

/* Every online CPU at once, interrupts off: write, read, @rounds times. */
static int probe_race_fn(void *data)
{
	struct probe_race *r = data;
	unsigned long i;

	for (i = 0; i < r->rounds; i++) {
		WRITE_ONCE(*r->p, 0xdeadbeefcafef00dULL);
		if (READ_ONCE(*r->p))
			atomic_inc(&r->nonzero);
	}
	return 0;
}

/*
 * "read ADDR" or "write ADDR VALUE": one aligned 8-byte access by the
 * kernel, through its direct map, to an address of the VMM's memory.
 * "movs SRC DST": one MOVSQ from SRC (any alignment, so it may cross a
 * page) to DST (aligned), both in the VMM's memory, then a read of DST:
 * one instruction that touches up to three pages of the VMM.
 * "race ADDR N" (hexadecimal N): every online CPU at once writes and
 * reads ADDR, N times each; the value recorded is the number of reads
 * that did not return 0.
 */
static ssize_t probe_write(struct file *file, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	char buf[80], op[8];
	u64 addr, value = 0;
	u64 *p;
	int n;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	n = sscanf(buf, "%7s %llx %llx", op, &addr, &value);
	if (n < 2 || (strcmp(op, "read") && strcmp(op, "write") &&
		      strcmp(op, "movs") && strcmp(op, "race")) ||
	    (strcmp(op, "read") && n != 3) ||
	    (op[0] == 'm' ? (value & 7) : (addr & 7)) ||
	    (op[1] == 'a' && (!value || value > PROBE_RACE_MAX)))
		return -EINVAL;

	mutex_lock(&probe_lock);
	rtvirt_launch_lock();
	if (!rtvirt_launched() || !in_vmm(addr) || !in_vmm(addr + 7) ||
	    (op[0] == 'm' && !in_vmm(value))) {
		rtvirt_launch_unlock();
		mutex_unlock(&probe_lock);
		return rtvirt_launched() ? -EINVAL : -ENODEV;
	}
	p = phys_to_virt(addr);
	if (op[1] == 'a') {
		struct probe_race r = { .p = p, .rounds = value };

		atomic_set(&r.nonzero, 0);
		stop_machine(probe_race_fn, &r, cpu_online_mask);
		value = atomic_read(&r.nonzero);
	} else if (op[0] == 'm') {
		void *src = p, *dst = phys_to_virt(value);

		asm volatile("movsq" : "+S"(src), "+D"(dst) : : "memory");
		addr = value;
		value = READ_ONCE(*(u64 *)phys_to_virt(addr));
	} else if (op[0] == 'r') {
		value = READ_ONCE(*p);
	} else {
		WRITE_ONCE(*p, value);
		value = READ_ONCE(*p);
	}
	last_addr = addr;
	last_value = value;
	rtvirt_launch_unlock();
	mutex_unlock(&probe_lock);
	return count;
}

static ssize_t probe_read(struct file *file, char __user *ubuf, size_t count,
			  loff_t *ppos)
{
	char buf[48];
	int len;

	mutex_lock(&probe_lock);
	len = scnprintf(buf, sizeof(buf), "0x%llx 0x%llx\n", last_addr,
			last_value);
	mutex_unlock(&probe_lock);
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static const struct file_operations probe_fops = {
	.owner = THIS_MODULE,
	.write = probe_write,
	.read = probe_read,
	.llseek = default_llseek,
};

typedef int (*dma_probe_fn)(struct rtvirt_dev *d,
			    struct rtvirt_probe_result *res);

/* The last result of each DMA probe file (its i_private selects it). */
static struct rtvirt_probe_result dma_result[3];
static bool dma_done[3];

static int dma_probe_index(struct file *file)
{
	void *fn = file_inode(file)->i_private;

	return fn == rtvirt_dev_rewrite_probe ? 1 :
	       fn == rtvirt_dev_nic_probe ? 2 : 0;
}

/*
 * dma_probe: "echo ADDR > dma_probe" reads one page from the first
 * namespace of the virtualized NVMe controller ADDR into VMM memory,
 * through the OS's nvme driver; the VMM must refuse it (the write then
 * fails with EIO).
 * rewrite_probe: "echo ADDR > rewrite_probe" reads four pages through a
 * PRP list whose entries the module points at VMM memory right after the
 * driver rang the doorbell; the read must succeed into the pages the
 * list named when the VMM checked it.
 * nic_probe: "echo ADDR > nic_probe" sends a frame from the VMM's canary
 * page and posts a receive descriptor into it on the virtualized e1000e
 * NIC ADDR (nic_probe.c); reading it tells how many were posted and
 * whether the canary is intact now (the receive slot is filled later).
 */
static ssize_t dma_probe_write(struct file *file, const char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	dma_probe_fn fn = file_inode(file)->i_private;
	int i = dma_probe_index(file);
	struct rtvirt_probe_result res;
	char addr[RTVIRT_ADDR_LEN];
	struct rtvirt_dev *d;
	int ret;

	if (count == 0 || count >= sizeof(addr))
		return -EINVAL;
	if (copy_from_user(addr, ubuf, count))
		return -EFAULT;
	addr[count] = '\0';
	strim(addr);
	d = rtvirt_device_get(addr);
	if (!d)
		return -ENODEV;
	ret = fn(d, &res);
	rtvirt_device_put(d);
	if (ret)
		return ret;
	mutex_lock(&probe_lock);
	dma_result[i] = res;
	dma_done[i] = true;
	mutex_unlock(&probe_lock);
	return res.status ? -EIO : count;
}

static bool canary_intact_now(void)
{
	bool intact = false;

	rtvirt_launch_lock();
	if (rtvirt_launched())
		intact = rtvirt_hypercall(RTVIRT_HC_CANARY, 1, 0, 0) == 1;
	rtvirt_launch_unlock();
	return intact;
}

static ssize_t dma_probe_read(struct file *file, char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	int i = dma_probe_index(file);
	const struct rtvirt_probe_result *r = &dma_result[i];
	char buf[128];
	int len;

	mutex_lock(&probe_lock);
	if (!dma_done[i])
		len = scnprintf(buf, sizeof(buf), "none\n");
	else if (i == 0)
		len = scnprintf(buf, sizeof(buf), "status=0x%04x vmm_memory=%s\n",
				r->status, r->intact ? "intact" : "damaged");
	else if (i == 2)
		len = scnprintf(buf, sizeof(buf), "posted=%u vmm_memory=%s\n",
				r->tries, canary_intact_now() ? "intact" :
				"damaged");
	else
		len = scnprintf(buf, sizeof(buf),
				"status=0x%04x rewritten=%d data=%s vmm_memory=%s tries=%u\n",
				r->status, r->rewritten,
				r->data_ok ? "as-checked" : "elsewhere",
				r->intact ? "intact" : "damaged", r->tries);
	mutex_unlock(&probe_lock);
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static const struct file_operations dma_probe_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = dma_probe_write,
	.read = dma_probe_read,
	.llseek = default_llseek,
};

/*
 * fail_launch: "echo N > fail_launch" makes the next N CPU launches fail
 * at their first VMRUN (tests the way back and the hotplug refusal).
 */
static int fail_launch_set(void *data, u64 val)
{
	if (val > INT_MAX)
		return -EINVAL;
	rtvirt_fail_next_launches(val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(fail_launch_fops, NULL, fail_launch_set, "%llu\n");

/*
 * vmm_panic: "echo 1 > vmm_panic" makes the VMM panic on the CPU that
 * writes it (RTVIRT_HC_PANIC_TEST): that CPU stops for good and the VMM
 * makes the kernel panic from another (src/module/vmm_panic.c), or from
 * that one after it left the VMM when it is the only one, as a VMM bug
 * would.  For the kdump test; the write never returns.
 */
static int vmm_panic_set(void *data, u64 val)
{
	int ret = -ENODEV;

	if (val != 1)
		return -EINVAL;
	rtvirt_launch_lock();
	if (rtvirt_launched()) {
		pr_emerg("the VMM panics on CPU %d on request (debugfs vmm_panic)\n",
			 raw_smp_processor_id());
		ret = (int)(s64)rtvirt_hypercall(RTVIRT_HC_PANIC_TEST, 0, 0, 0);
	}
	rtvirt_launch_unlock();
	return ret;
}
DEFINE_DEBUGFS_ATTRIBUTE(vmm_panic_fops, NULL, vmm_panic_set, "%llu\n");

/*
 * vmm_mce: "echo 1 > vmm_mce" makes the VMM take a restartable machine
 * check while it handles a hypercall of the writing CPU
 * (RTVIRT_HC_MCE_TEST): the kernel's #MC handler runs on that CPU before
 * the write returns.  "echo 2" makes it one that is not restartable: a VMM
 * panic, told to the kernel as any (the write never returns).  For the
 * machine-check tests.
 */
static int vmm_mce_set(void *data, u64 val)
{
	int ret = -ENODEV;

	if (val != 1 && val != 2)
		return -EINVAL;
	rtvirt_launch_lock();
	if (rtvirt_launched()) {
		preempt_disable();
		pr_info("a%s machine check in the VMM on CPU %d on request (debugfs vmm_mce)\n",
			val == 1 ? " restartable" : "n unrestartable",
			smp_processor_id());
		ret = rtvirt_hc_errno(rtvirt_hypercall(RTVIRT_HC_MCE_TEST,
						       val == 1, 0, 0));
		preempt_enable();
	}
	rtvirt_launch_unlock();
	return ret;
}
DEFINE_DEBUGFS_ATTRIBUTE(vmm_mce_fops, NULL, vmm_mce_set, "%llu\n");

/*
 * nvme_layout_fault: "echo N > nvme_layout_fault" corrupts the NVMe queue
 * layout of the next takeover (1: a submission queue in VMM memory, 2: a
 * completion queue phase that differs from the ring), which the VMM must
 * refuse.
 */
static int layout_fault_set(void *data, u64 val)
{
	if (val != RTVIRT_NVME_FAULT_SQ_IN_VMM && val != RTVIRT_NVME_FAULT_PHASE)
		return -EINVAL;
	rtvirt_nvme_fail_next_layout(val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(layout_fault_fops, NULL, layout_fault_set, "%llu\n");

/*
 * nmi_storm: "echo N > nmi_storm" sends N NMIs to every online CPU, one
 * at a time (rtvirt_nmi_storm()); the write fails with ETIMEDOUT when one
 * does not arrive.  Reading gives "sent S received R lost_cpu C" of the
 * last storm (C is -1 when none was lost).
 */
#define NMI_STORM_MAX	1000000
static DEFINE_MUTEX(storm_lock);
static struct rtvirt_nmi_storm_result storm_last = { .lost_cpu = -1 };

static ssize_t nmi_storm_write(struct file *file, const char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	unsigned int n;
	int ret;

	ret = kstrtouint_from_user(ubuf, count, 0, &n);
	if (ret)
		return ret;
	if (!n || n > NMI_STORM_MAX)
		return -EINVAL;
	mutex_lock(&storm_lock);
	ret = rtvirt_nmi_storm(n, &storm_last);
	mutex_unlock(&storm_lock);
	if (ret)
		pr_err("nmi_storm: %s after %llu of %llu NMIs (cpu %d)\n",
		       ret == -ETIMEDOUT ? "an NMI did not arrive" :
		       "stopped", storm_last.received, storm_last.sent,
		       storm_last.lost_cpu);
	return ret ? ret : count;
}

static ssize_t nmi_storm_read(struct file *file, char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	char buf[80];
	int len;

	mutex_lock(&storm_lock);
	len = scnprintf(buf, sizeof(buf), "sent %llu received %llu lost_cpu %d\n",
			storm_last.sent, storm_last.received,
			storm_last.lost_cpu);
	mutex_unlock(&storm_lock);
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static const struct file_operations nmi_storm_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = nmi_storm_write,
	.read = nmi_storm_read,
	.llseek = default_llseek,
};

/**
 * rtvirt_debugfs_init() - create /sys/kernel/debug/rtvirt
 */
void rtvirt_debugfs_init(void)
{
	dir = debugfs_create_dir("rtvirt", NULL);
	debugfs_create_file_unsafe("fail_launch", 0200, dir, NULL,
				   &fail_launch_fops);
	debugfs_create_file("vmm_memory", 0400, dir, NULL, &vmm_memory_fops);
	debugfs_create_file("hypercall_ns", 0400, dir, NULL,
			    &hypercall_ns_fops);
	debugfs_create_file("probe", 0600, dir, NULL, &probe_fops);
	debugfs_create_file("dma_probe", 0600, dir, rtvirt_dev_dma_probe,
			    &dma_probe_fops);
	debugfs_create_file("rewrite_probe", 0600, dir,
			    rtvirt_dev_rewrite_probe, &dma_probe_fops);
	debugfs_create_file("nic_probe", 0600, dir, rtvirt_dev_nic_probe,
			    &dma_probe_fops);
	debugfs_create_file_unsafe("nvme_layout_fault", 0200, dir, NULL,
				   &layout_fault_fops);
	debugfs_create_file("nmi_storm", 0600, dir, NULL, &nmi_storm_fops);
	debugfs_create_file_unsafe("vmm_panic", 0200, dir, NULL,
				   &vmm_panic_fops);
	debugfs_create_file_unsafe("vmm_mce", 0200, dir, NULL, &vmm_mce_fops);
}

/**
 * rtvirt_debugfs_exit() - remove /sys/kernel/debug/rtvirt
 */
void rtvirt_debugfs_exit(void)
{
	debugfs_remove_recursive(dir);
}
