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
#include <linux/pci.h>
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

static struct page **chunk_pages;
static unsigned int nr_chunks;
static void *vmm_va;
static const struct rtvirt_vmm_entry *vmm_entry;
static int hp_state = -1;

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

/* Allocate, map, load and initialise the VMM.  rtvirt_launch_mutex held. */
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
	boot->generation = ++rtvirt_launch_gen;
	boot->panic_note_pa = rtvirt_vmm_panic_note_pa();
	ret = vmm_entry->init(boot);
	if (ret == -EOPNOTSUPP)
		pr_err("launch refused: the CPU lacks a virtualization control or nested paging feature the VMM needs (the VMM's line on the serial console, rtvirt-vmm:, names it)\n");
	else if (ret)
		pr_err("VMM initialisation failed: %d\n", ret);
out:
	kvfree(pages);
	kfree(boot);
	if (ret)
		free_vmm_memory();
	return ret;
}

/*
 * VMX needs CR4.VMXE for VMXON: set through the kernel's CR4 shadow, so
 * that the kernel's own CR4 writes keep it and a hypervisor of the
 * kernel's (kvm_intel) sees VMX taken, as it would under any other one.
 * Set already, another hypervisor has VMX: -EBUSY.
 */
static int vmx_cr4_take(void)
{
	if (rtvirt_caps.backend != RTVIRT_BACKEND_VMX)
		return 0;
	if (cr4_read_shadow() & X86_CR4_VMXE)
		return -EBUSY;
	cr4_set_bits(X86_CR4_VMXE);
	return 0;
}

static void vmx_cr4_release(void)
{
	if (rtvirt_caps.backend == RTVIRT_BACKEND_VMX)
		cr4_clear_bits(X86_CR4_VMXE);
}

static int launch_this_cpu(void)
{
	struct rtvirt_cpu_launch *st = &rtvirt_cpu_launch[smp_processor_id()];
	u64 t0 = ktime_get_ns();

	/* Came online during rtvirt_launch() and launched itself already. */
	if (st->launched)
		return 0;

	st->result = vmx_cr4_take();
	if (!st->result)
		st->result = rtvirt_launch_trampoline(vmm_entry->launch_cpu,
						      smp_processor_id(),
						      atomic_add_unless(&fail_launches, -1, 0) ?
						      RTVIRT_LAUNCH_FAIL_VMRUN : 0);
	if (st->result && st->result != -EBUSY)
		vmx_cr4_release();
	st->launched = !st->result;
	st->launch_ns = ktime_get_ns() - t0;
	return st->result;
}

static void unlaunch_this_cpu(void)
{
	struct rtvirt_cpu_launch *st = &rtvirt_cpu_launch[smp_processor_id()];
	u64 t0;

	if (!st->launched)
		return;
	t0 = ktime_get_ns();
	rtvirt_vmmcall(RTVIRT_HC_UNLAUNCH, 0, 0, 0, NULL, NULL, NULL);
	vmx_cr4_release();
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

	if (!READ_ONCE(rtvirt_is_launched))
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

static const char *const svm_launch_errors[] = {
	[EBUSY] = "SVM is in use by another hypervisor (EFER.SVME is set): "
		  "stop its virtual machines; kvm_amd holds SVM while it has "
		  "VMs (on Linux 6.12 and later from its load: rmmod kvm_amd, "
		  "or load kvm with enable_virt_at_load=0)",
	[ENODEV] = "SVM is disabled (VM_CR.SVMDIS)",
};

static const char *const vmx_launch_errors[] = {
	[EBUSY] = "VMX is in use by another hypervisor (CR4.VMXE is set, or "
		  "VMXON failed): stop its virtual machines; kvm_intel holds "
		  "VMX while it has VMs (on Linux 6.12 and later from its "
		  "load: rmmod kvm_intel, or load kvm with "
		  "enable_virt_at_load=0)",
	[ENODEV] = "VMX is disabled (IA32_FEATURE_CONTROL not locked with "
		   "VMX outside SMX enabled)",
};

/*
 * The nested tables follow the host's paging depth: with 4-level paging
 * they translate 48 bits of guest-physical address, and the demoted
 * kernel could not reach a device's registers at or above 2^48.  Look at
 * every assigned PCI memory resource (BARs, expansion ROMs, SR-IOV BARs).
 * Return: whether the launch may go ahead; if not, says why.
 */
static bool pci_within_npt(void)
{
	struct pci_dev *pdev = NULL;
	int i;

	if (pgtable_l5_enabled())
		return true;
	for_each_pci_dev(pdev) {
		for (i = 0; i < PCI_NUM_RESOURCES; i++) {
			const struct resource *r = &pdev->resource[i];

			if (!(r->flags & IORESOURCE_MEM) ||
			    (r->flags & IORESOURCE_UNSET) ||
			    !resource_size(r) || r->end < BIT_ULL(48))
				continue;
			pr_err("launch refused: %s resource %d %pR ends at or above 2^48, which nested paging cannot map under 4-level paging; boot a kernel with 5-level paging (CONFIG_X86_5LEVEL, without no5lvl) to use rtvirt\n",
			       pci_name(pdev), i, r);
			pci_dev_put(pdev);
			return false;
		}
	}
	return true;
}

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

	if (rtvirt_caps.backend == RTVIRT_BACKEND_SVM &&
	    !(rtvirt_caps.features & RTVIRT_FEAT_NPT)) {
		pr_err("launch needs nested paging (NPT), which this CPU lacks\n");
		return -EOPNOTSUPP;
	}
	if (rtvirt_caps.backend == RTVIRT_BACKEND_VMX &&
	    !(rtvirt_caps.features & RTVIRT_FEAT_EPT)) {
		pr_err("launch needs nested paging (EPT), which this CPU lacks\n");
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
	if (!pci_within_npt())
		return -EOPNOTSUPP;
	mutex_lock(&rtvirt_launch_mutex);
	if (rtvirt_is_launched) {
		mutex_unlock(&rtvirt_launch_mutex);
		return 0;
	}
	ret = load_vmm();
	if (ret)
		goto out;
	for_each_possible_cpu(cpu)
		rtvirt_cpu_launch[cpu].result = 1;	/* not tried */
	/* Set first: a CPU coming online meanwhile launches itself. */
	WRITE_ONCE(rtvirt_is_launched, true);
	ret = stop_machine(launch_fn, NULL, cpu_online_mask);
	for_each_possible_cpu(cpu) {
		if (rtvirt_cpu_launch[cpu].launched) {
			ok++;
		} else if (rtvirt_cpu_launch[cpu].result <= 0) {
			failed++;
			err = rtvirt_cpu_launch[cpu].result;
		}
	}
	if (failed || ret || !ok) {
		WRITE_ONCE(rtvirt_is_launched, false);
		stop_machine(unlaunch_fn, NULL, cpu_online_mask);
		free_vmm_memory();
		if (err < 0 && -err < ARRAY_SIZE(svm_launch_errors) &&
		    rtvirt_caps.backend == RTVIRT_BACKEND_SVM &&
		    svm_launch_errors[-err])
			pr_err("launch failed: %s\n", svm_launch_errors[-err]);
		else if (err < 0 && -err < ARRAY_SIZE(vmx_launch_errors) &&
			 rtvirt_caps.backend == RTVIRT_BACKEND_VMX &&
			 vmx_launch_errors[-err])
			pr_err("launch failed: %s\n", vmx_launch_errors[-err]);
		else
			pr_err("launch failed on %u of %u CPUs (%d)\n", failed,
			       ok + failed, err);
		ret = err ? err : ret ? ret : -EIO;
		goto out;
	}
	pr_info("launched: %u CPUs demoted, generation %llu\n", ok, rtvirt_launch_gen);
out:
	mutex_unlock(&rtvirt_launch_mutex);
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
		mutex_lock(&rtvirt_launch_mutex);
		if (!rtvirt_devices_any_virtualized())
			break;
		mutex_unlock(&rtvirt_launch_mutex);
	}
	rtvirt_devices_fold_stats();
	if (rtvirt_is_launched) {
		WRITE_ONCE(rtvirt_is_launched, false);
		stop_machine(unlaunch_fn, NULL, cpu_online_mask);
		free_vmm_memory();
		pr_info("unlaunched: all CPUs native\n");
	}
	mutex_unlock(&rtvirt_launch_mutex);
	return 0;
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
	return rtvirt_is_launched ? nr_chunks : 0;
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
 * rtvirt_launch_init() - per-CPU state, hotplug callbacks and the VMM's
 * panic note
 *
 * Return: 0 or a negative errno.
 */
int rtvirt_launch_init(void)
{
	int ret;

	rtvirt_cpu_launch = kcalloc(nr_cpu_ids, sizeof(*rtvirt_cpu_launch),
				    GFP_KERNEL);
	if (!rtvirt_cpu_launch)
		return -ENOMEM;
	ret = rtvirt_vmm_panic_init();
	if (ret) {
		kfree(rtvirt_cpu_launch);
		rtvirt_cpu_launch = NULL;
		return ret;
	}
	hp_state = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "rtvirt:online",
					     cpu_online_cb, cpu_offline_cb);
	if (hp_state < 0) {
		rtvirt_vmm_panic_exit();
		kfree(rtvirt_cpu_launch);
		rtvirt_cpu_launch = NULL;
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
	rtvirt_vmm_panic_exit();
	kfree(rtvirt_cpu_launch);
	rtvirt_cpu_launch = NULL;
}
