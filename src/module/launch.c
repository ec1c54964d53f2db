// SPDX-License-Identifier: GPL-2.0
/*
 * Late launch orchestration: memory for the VMM, loading and relocating
 * the image, demoting every online CPU together, and the way back.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cc_platform.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/reboot.h>
#include <linux/suspend.h>
#include <linux/timekeeping.h>
#include <linux/slab.h>
#include <linux/stop_machine.h>
#include <linux/vmalloc.h>
#include <asm/pgtable.h>
#include <asm/tlbflush.h>
#include <rtvirt/vmm_abi.h>
#include <rtvirt/vmm_image.h>

#include "rtvirt.h"

static unsigned int vmm_mem_mb;
module_param(vmm_mem_mb, uint, 0444);
MODULE_PARM_DESC(vmm_mem_mb, "MiB of memory for the VMM, a multiple of 2 (default 0: what this machine needs, at least 8)");

#define VMM_MEM_MIN_AUTO	(8UL << 20)

int rtvirt_launch_trampoline(void *launch, unsigned int cpu,
			     unsigned int flags);

/* Test hook (debugfs fail_launch): CPU launches still to be failed. */
static atomic_t fail_launches = ATOMIC_INIT(0);

/**
 * rtvirt_fail_next_launches() - make the next CPU launches fail
 * @n:	how many; each fails at its first VMRUN, as a CPU whose state the
 *	hardware refuses would
 */
void rtvirt_fail_next_launches(unsigned int n)
{
	atomic_set(&fail_launches, n);
}

struct launch_cpu_state {
	bool launched;
	int result;
	u64 launch_ns;
	u64 unlaunch_ns;
};

static DEFINE_MUTEX(launch_lock);
static struct launch_cpu_state *cpu_state;
static struct page **chunk_pages;
static unsigned int nr_chunks;
static void *vmm_va;
static const struct rtvirt_vmm_entry *vmm_entry;
static u64 generation;
static bool launched;
static int hp_state = -1;

static inline u64 vmmcall(u64 nr, u64 a0, u64 *rbx, u64 *rcx, u64 *rdx)
{
	u64 ret, b = a0, c = 0, d = 0;

	asm volatile("vmmcall" : "=a"(ret), "+b"(b), "+c"(c), "+d"(d)
		     : "a"(nr) : "memory");
	if (rbx)
		*rbx = b;
	if (rcx)
		*rcx = c;
	if (rdx)
		*rdx = d;
	return ret;
}

/**
 * rtvirt_hypercall() - call the VMM on the current CPU
 * @nr:		RTVIRT_HC_*
 * @a0:		RBX
 * @a1:		RCX
 * @a2:		RDX
 *
 * Only valid while launched, with the caller keeping it so.  A CPU going
 * offline is native again (its hot-plug callback unlaunched it) while
 * work items and tasks still run on it: there the call is not made.
 *
 * Return: the VMM's RAX, or RTVIRT_HC_ENODEV on a CPU that is native.
 */
u64 rtvirt_hypercall(u64 nr, u64 a0, u64 a1, u64 a2)
{
	u64 ret, b = a0, c = a1, d = a2;

	preempt_disable();
	if (!cpu_state[smp_processor_id()].launched) {
		preempt_enable();
		return RTVIRT_HC_ENODEV;
	}
	asm volatile("vmmcall" : "=a"(ret), "+b"(b), "+c"(c), "+d"(d)
		     : "a"(nr) : "memory");
	preempt_enable();
	return ret;
}

/**
 * rtvirt_generation() - the current launch's generation
 *
 * Return: a number that changes with every launch (the VMM's device ids
 * are valid in one generation only).
 */
u64 rtvirt_generation(void)
{
	return generation;
}

/*
 * The block goes back to the page allocator scrubbed: it held the VMM's
 * state, the kernel's saved registers and the devices' logs and traces.
 */
static void free_vmm_memory(void)
{
	unsigned int i;

	if (vmm_va) {
		memset(vmm_va, 0, (size_t)nr_chunks * RTVIRT_VMM_CHUNK_SIZE);
		vunmap(vmm_va);
	}
	vmm_va = NULL;
	for (i = 0; chunk_pages && i < nr_chunks; i++)
		if (chunk_pages[i])
			__free_pages(chunk_pages[i], get_order(RTVIRT_VMM_CHUNK_SIZE));
	kfree(chunk_pages);
	chunk_pages = NULL;
	nr_chunks = 0;
}

/*
 * vmap() maps non-executable, and set_memory_x() is not exported on every
 * supported kernel: clear NX on the image's own PTEs (4 KiB leaves of this
 * private mapping), then flush this CPU's TLB; other CPUs flush in
 * launch_fn() before they call into the image.
 */
static int make_image_executable(u64 image_size)
{
	unsigned long addr = (unsigned long)vmm_va;
	unsigned long end = addr + PAGE_ALIGN(image_size);
	unsigned int level;
	pte_t *pte;

	for (; addr < end; addr += PAGE_SIZE) {
		pte = lookup_address(addr, &level);
		if (!pte || level != PG_LEVEL_4K)
			return -EFAULT;
		set_pte(pte, pte_mkexec(*pte));
	}
	__flush_tlb_all();
	return 0;
}

static int apply_relocations(const struct rtvirt_vmm_header *hdr)
{
	const u8 *rela = (const u8 *)vmm_va + hdr->reloc_offset;
	u64 i;

	for (i = 0; i < hdr->reloc_size; i += 24) {
		u64 off, info;
		s64 addend;

		memcpy(&off, rela + i, 8);
		memcpy(&info, rela + i + 8, 8);
		memcpy(&addend, rela + i + 16, 8);
		if ((info & 0xffffffff) != RTVIRT_VMM_R_X86_64_RELATIVE ||
		    off > hdr->image_size - 8)
			return -ENOEXEC;
		*(u64 *)((u8 *)vmm_va + off) = (u64)vmm_va + addend;
	}
	return 0;
}

/* Allocate, map, load and initialise the VMM.  launch_lock held. */
static int load_vmm(void)
{
	const struct rtvirt_vmm_header *hdr = rtvirt_vmm_image_header();
	unsigned int pages_per_chunk = RTVIRT_VMM_CHUNK_SIZE >> PAGE_SHIFT;
	struct rtvirt_vmm_boot *boot;
	struct page **pages;
	unsigned int i, j;
	int ret = -ENOMEM;
	u64 needed;

	needed = rtvirt_vmm_mem_needed(hdr->image_size + hdr->bss_size,
				       boot_cpu_data.x86_phys_bits,
				       pgtable_l5_enabled(), nr_cpu_ids);
	if (!vmm_mem_mb)
		nr_chunks = max(needed, VMM_MEM_MIN_AUTO) / RTVIRT_VMM_CHUNK_SIZE;
	else
		nr_chunks = vmm_mem_mb / 2;
	if (nr_chunks > RTVIRT_VMM_MAX_CHUNKS ||
	    (vmm_mem_mb && (vmm_mem_mb % 2 || nr_chunks < 2))) {
		if (vmm_mem_mb)
			pr_err("vmm_mem_mb=%u: must be an even number from 4 to %u\n",
			       vmm_mem_mb, RTVIRT_VMM_MAX_CHUNKS * 2);
		else
			pr_err("the VMM needs %llu MiB on this machine (%u possible CPUs, %u-bit physical addresses), more than the %u MiB it supports\n",
			       needed >> 20, nr_cpu_ids,
			       boot_cpu_data.x86_phys_bits,
			       RTVIRT_VMM_MAX_CHUNKS * 2);
		nr_chunks = 0;
		return -EINVAL;
	}
	if ((u64)nr_chunks * RTVIRT_VMM_CHUNK_SIZE < needed) {
		pr_err("vmm_mem_mb=%u is too small for this machine: the VMM needs %llu MiB (%u possible CPUs, %u-bit physical addresses); leave vmm_mem_mb at 0 to size it automatically\n",
		       vmm_mem_mb, needed >> 20, nr_cpu_ids,
		       boot_cpu_data.x86_phys_bits);
		nr_chunks = 0;
		return -EINVAL;
	}

	chunk_pages = kcalloc(nr_chunks, sizeof(*chunk_pages), GFP_KERNEL);
	pages = kvcalloc(nr_chunks * pages_per_chunk, sizeof(*pages), GFP_KERNEL);
	boot = kzalloc(sizeof(*boot), GFP_KERNEL);
	if (!chunk_pages || !pages || !boot)
		goto out;
	for (i = 0; i < nr_chunks; i++) {
		/* Not zeroed here: the VMM zeroes every page it hands out. */
		chunk_pages[i] = alloc_pages(GFP_KERNEL | __GFP_NOWARN,
					     get_order(RTVIRT_VMM_CHUNK_SIZE));
		if (!chunk_pages[i]) {
			pr_err("cannot allocate %u MiB for the VMM\n", nr_chunks * 2);
			goto out;
		}
		for (j = 0; j < pages_per_chunk; j++)
			pages[i * pages_per_chunk + j] = chunk_pages[i] + j;
		boot->chunk_pa[i] = page_to_phys(chunk_pages[i]);
	}
	vmm_va = vmap(pages, nr_chunks * pages_per_chunk, VM_MAP,
		      PAGE_KERNEL_EXEC);
	if (!vmm_va)
		goto out;

	memcpy(vmm_va, hdr, hdr->image_size);
	memset((u8 *)vmm_va + hdr->image_size, 0, hdr->bss_size);
	ret = apply_relocations(hdr);
	if (ret) {
		pr_err("VMM image has an unsupported relocation\n");
		goto out;
	}
	ret = make_image_executable(hdr->image_size);
	if (ret) {
		pr_err("cannot map the VMM image executable\n");
		goto out;
	}
	vmm_entry = (const struct rtvirt_vmm_entry *)((u8 *)vmm_va +
						       hdr->entry_offset);
	boot->virt_base = (u64)vmm_va;
	boot->size = (u64)nr_chunks * RTVIRT_VMM_CHUNK_SIZE;
	boot->nr_chunks = nr_chunks;
	boot->phys_bits = boot_cpu_data.x86_phys_bits;
	boot->la57 = pgtable_l5_enabled();
	boot->nr_cpus = nr_cpu_ids;
	boot->generation = ++generation;
	ret = vmm_entry->init(boot);
	if (ret)
		pr_err("VMM initialisation failed: %d\n", ret);
out:
	kvfree(pages);
	kfree(boot);
	if (ret)
		free_vmm_memory();
	return ret;
}

static int launch_this_cpu(void)
{
	struct launch_cpu_state *st = &cpu_state[smp_processor_id()];
	u64 t0 = ktime_get_ns();

	/* Came online during rtvirt_launch() and launched itself already. */
	if (st->launched)
		return 0;

	st->result = rtvirt_launch_trampoline(vmm_entry->launch_cpu,
					      smp_processor_id(),
					      atomic_add_unless(&fail_launches, -1, 0) ?
					      RTVIRT_LAUNCH_FAIL_VMRUN : 0);
	st->launched = !st->result;
	st->launch_ns = ktime_get_ns() - t0;
	return st->result;
}

static void unlaunch_this_cpu(void)
{
	struct launch_cpu_state *st = &cpu_state[smp_processor_id()];
	u64 t0;

	if (!st->launched)
		return;
	t0 = ktime_get_ns();
	vmmcall(RTVIRT_HC_UNLAUNCH, 0, NULL, NULL, NULL);
	st->launched = false;
	st->unlaunch_ns = ktime_get_ns() - t0;
}

static int launch_fn(void *unused)
{
	__flush_tlb_all();
	launch_this_cpu();
	return 0;
}

static int unlaunch_fn(void *unused)
{
	unlaunch_this_cpu();
	return 0;
}

/*
 * CPU hotplug: a CPU coming online is demoted, one going away first freed.
 * A CPU that cannot be demoted is refused online: natively it could read
 * and write the VMM's memory.
 */
static int cpu_online_cb(unsigned int cpu)
{
	unsigned long flags;
	int ret;

	if (!READ_ONCE(launched))
		return 0;
	local_irq_save(flags);
	ret = launch_this_cpu();
	local_irq_restore(flags);
	if (ret)
		pr_err("cpu %u: launch failed (%d); refused online while the VMM runs\n",
		       cpu, ret);
	return ret;
}

static int cpu_offline_cb(unsigned int cpu)
{
	unsigned long flags;

	local_irq_save(flags);
	unlaunch_this_cpu();
	local_irq_restore(flags);
	return 0;
}

static const char *const launch_errors[] = {
	[EBUSY] = "SVM is in use by another hypervisor (EFER.SVME is set): "
		  "stop its virtual machines; kvm_amd holds SVM while it has "
		  "VMs (on Linux 6.12 and later from its load: rmmod kvm_amd, "
		  "or load kvm with enable_virt_at_load=0)",
	[ENODEV] = "SVM is disabled (VM_CR.SVMDIS)",
};

/**
 * rtvirt_launch() - demote every online CPU under the VMM
 *
 * Return: 0 (also when already launched) or a negative errno, with
 * nothing left behind.
 */
int rtvirt_launch(void)
{
	unsigned int cpu, ok = 0, failed = 0;
	int ret, err = 0;

	if (rtvirt_caps.backend != RTVIRT_BACKEND_SVM)
		return -EOPNOTSUPP;
	if (!(rtvirt_caps.features & RTVIRT_FEAT_NPT)) {
		pr_err("launch needs nested paging (NPT), which this CPU lacks\n");
		return -EOPNOTSUPP;
	}
	/*
	 * With SME (mem_encrypt=on) or as an SEV guest, the kernel's memory
	 * is encrypted and its page tables carry the encryption bit; the
	 * VMM's tables and nested tables do not, and would see ciphertext.
	 */
	if (cc_platform_has(CC_ATTR_MEM_ENCRYPT)) {
		pr_err("launch refused: memory encryption (SME or SEV) is active, which the VMM does not support; boot with mem_encrypt=off to use rtvirt\n");
		return -EOPNOTSUPP;
	}
	mutex_lock(&launch_lock);
	if (launched) {
		mutex_unlock(&launch_lock);
		return 0;
	}
	ret = load_vmm();
	if (ret)
		goto out;
	for_each_possible_cpu(cpu)
		cpu_state[cpu].result = 1;	/* not tried */
	/* Set first: a CPU coming online meanwhile launches itself. */
	WRITE_ONCE(launched, true);
	ret = stop_machine(launch_fn, NULL, cpu_online_mask);
	for_each_possible_cpu(cpu) {
		if (cpu_state[cpu].launched) {
			ok++;
		} else if (cpu_state[cpu].result <= 0) {
			failed++;
			err = cpu_state[cpu].result;
		}
	}
	if (failed || ret || !ok) {
		WRITE_ONCE(launched, false);
		stop_machine(unlaunch_fn, NULL, cpu_online_mask);
		free_vmm_memory();
		if (err < 0 && -err < ARRAY_SIZE(launch_errors) && launch_errors[-err])
			pr_err("launch failed: %s\n", launch_errors[-err]);
		else
			pr_err("launch failed on %u of %u CPUs (%d)\n", failed,
			       ok + failed, err);
		ret = err ? err : ret ? ret : -EIO;
		goto out;
	}
	pr_info("launched: %u CPUs demoted, generation %llu\n", ok, generation);
out:
	mutex_unlock(&launch_lock);
	return ret;
}

/**
 * rtvirt_unlaunch() - return every CPU to native execution, free the VMM
 *
 * Return: 0.
 */
int rtvirt_unlaunch(void)
{
	/* Devices first: the VMM holds their state. */
	for (;;) {
		rtvirt_devices_release_all();
		mutex_lock(&launch_lock);
		if (!rtvirt_devices_any_virtualized())
			break;
		mutex_unlock(&launch_lock);
	}
	rtvirt_devices_fold_stats();
	if (launched) {
		WRITE_ONCE(launched, false);
		stop_machine(unlaunch_fn, NULL, cpu_online_mask);
		free_vmm_memory();
		pr_info("unlaunched: all CPUs native\n");
	}
	mutex_unlock(&launch_lock);
	return 0;
}

/**
 * rtvirt_launched() - whether the VMM runs under the kernel
 *
 * Return: true between a successful launch and the next unlaunch.
 */
bool rtvirt_launched(void)
{
	return READ_ONCE(launched);
}

/**
 * rtvirt_cpu_ping() - ask the VMM on the calling CPU who it is
 * @cpu:	set to the CPU number the VMM answered for
 * @gen:	set to the launch generation
 *
 * Call with preemption disabled.
 *
 * Return: 0 if the VMM answered, -ENODEV if this CPU is native.
 */
int rtvirt_cpu_ping(u64 *cpu, u64 *gen)
{
	u64 ver;

	if (!cpu_state || !cpu_state[smp_processor_id()].launched)
		return -ENODEV;
	if (vmmcall(RTVIRT_HC_PING, 0, cpu, gen, &ver) != RTVIRT_HC_PING_MAGIC)
		return -EIO;
	return 0;
}

/**
 * rtvirt_cpu_vmm_stats() - fetch the calling CPU's counters from the VMM
 * @stats:	kmalloc'ed buffer (physically contiguous) to fill
 *
 * Call with preemption disabled, on a CPU rtvirt_cpu_ping() answered on.
 *
 * Return: 0 or -EIO.
 */
int rtvirt_cpu_vmm_stats(struct rtvirt_vmm_cpu_stats *stats)
{
	return vmmcall(RTVIRT_HC_STATS, virt_to_phys(stats), NULL, NULL,
		       NULL) ? -EIO : 0;
}

/**
 * rtvirt_vmm_ranges() - the physical ranges of the VMM's memory
 * @i:		index of the range to return
 * @start:	set to the range's first address (may be NULL)
 *
 * Each range is RTVIRT_VMM_RANGE_SIZE bytes.  Call under
 * rtvirt_launch_lock().
 *
 * Return: the number of ranges (0 while not launched).
 */
unsigned int rtvirt_vmm_ranges(unsigned int i, u64 *start)
{
	if (start && i < nr_chunks && chunk_pages)
		*start = page_to_phys(chunk_pages[i]);
	return launched ? nr_chunks : 0;
}

/**
 * rtvirt_launch_lock() - serialise with launch and unlaunch
 */
void rtvirt_launch_lock(void)
{
	mutex_lock(&launch_lock);
}

/**
 * rtvirt_launch_unlock() - end of rtvirt_launch_lock()
 */
void rtvirt_launch_unlock(void)
{
	mutex_unlock(&launch_lock);
}

/**
 * rtvirt_cpu_times() - launch and unlaunch time of a CPU
 * @cpu:	the CPU
 * @launch_ns:	last launch time in ns (guest clock)
 * @unlaunch_ns: last unlaunch time in ns
 */
void rtvirt_cpu_times(unsigned int cpu, u64 *launch_ns, u64 *unlaunch_ns)
{
	*launch_ns = cpu_state ? cpu_state[cpu].launch_ns : 0;
	*unlaunch_ns = cpu_state ? cpu_state[cpu].unlaunch_ns : 0;
}

/*
 * Reboot and kexec (which runs the reboot notifiers too): every CPU goes
 * back to native before the machine is reset or the next kernel starts.
 */
static int reboot_cb(struct notifier_block *nb, unsigned long action,
		     void *data)
{
	rtvirt_unlaunch();
	return NOTIFY_DONE;
}

static struct notifier_block reboot_nb = {
	.notifier_call = reboot_cb,
};

/* Suspend and hibernation: unlaunch before, launch again after. */
static bool relaunch_after_sleep;

static int pm_cb(struct notifier_block *nb, unsigned long action, void *data)
{
	switch (action) {
	case PM_SUSPEND_PREPARE:
	case PM_HIBERNATION_PREPARE:
		relaunch_after_sleep = rtvirt_launched();
		if (relaunch_after_sleep) {
			pr_info("unlaunching for suspend\n");
			rtvirt_unlaunch();
		}
		break;
	case PM_POST_SUSPEND:
	case PM_POST_HIBERNATION:
	case PM_POST_RESTORE:
		if (relaunch_after_sleep && rtvirt_launch())
			pr_err("relaunch after resume failed; running native\n");
		relaunch_after_sleep = false;
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block pm_nb = {
	.notifier_call = pm_cb,
};

/**
 * rtvirt_launch_init() - per-CPU state and hotplug callbacks
 *
 * Return: 0 or a negative errno.
 */
int rtvirt_launch_init(void)
{
	cpu_state = kcalloc(nr_cpu_ids, sizeof(*cpu_state), GFP_KERNEL);
	if (!cpu_state)
		return -ENOMEM;
	hp_state = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "rtvirt:online",
					     cpu_online_cb, cpu_offline_cb);
	if (hp_state < 0) {
		kfree(cpu_state);
		cpu_state = NULL;
		return hp_state;
	}
	register_reboot_notifier(&reboot_nb);
	register_pm_notifier(&pm_nb);
	return 0;
}

/**
 * rtvirt_launch_exit() - unlaunch if needed and drop the hotplug callbacks
 */
void rtvirt_launch_exit(void)
{
	unregister_pm_notifier(&pm_nb);
	unregister_reboot_notifier(&reboot_nb);
	rtvirt_unlaunch();
	if (hp_state >= 0)
		cpuhp_remove_state_nocalls(hp_state);
	kfree(cpu_state);
	cpu_state = NULL;
}
