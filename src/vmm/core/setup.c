// SPDX-License-Identifier: GPL-2.0
/*
 * VMM initialisation, in the kernel's context before any CPU is demoted:
 * the VMM's own page tables, the nested page tables that hide the block
 * from the guest, the IDT, and the per-CPU stacks, GDTs and TSSs (the
 * allocator over the block is mem.c's).
 */
#include <vmm/device.h>
#include <vmm/log.h>
#include <vmm/vmm.h>
#include <vmm/x86.h>

extern const u8 __vmm_image_start[], __vmm_bss_end[];
extern const u8 vmm_exception_stubs[];

static u8 idt[256 * 16] __attribute__((aligned(16)));
static struct dtr idtr;

static void *alloc_table(void *ctx, u64 *pa)
{
	(void)ctx;
	return vmm_alloc_pages(1, pa);
}

static int init_pt(struct pt *pt, const struct pt_format *fmt, bool nested)
{
	pt->fmt = fmt;
	pt->levels = vmm.boot.la57 ? 5 : 4;
	pt->max_leaf_level = 3;
	if (nested && vmm_arch->nested_shape)
		vmm_arch->nested_shape(&pt->levels, &pt->max_leaf_level);
	if (pt->levels < 4)
		return ERR_OPNOTSUPP;
	pt->alloc_table = alloc_table;
	pt->table_va = vmm_table_va;
	pt->ctx = NULL;
	return pt_init(pt);
}

/* The guest sees all physical addresses but the VMM's block. */
static int build_npt(const struct pt_format *fmt)
{
	u64 phys_end = 1ULL << vmm.boot.phys_bits;
	int ret;

	ret = init_pt(&vmm.npt, fmt, true);
	/* 4-level tables translate 48 bits of guest-physical address. */
	if (!ret && phys_end > PT_LEVEL_SIZE(vmm.npt.levels + 1))
		phys_end = PT_LEVEL_SIZE(vmm.npt.levels + 1);
	if (!ret)
		ret = pt_map(&vmm.npt, 0, 0, phys_end, PT_RWX);
	for (unsigned int i = 0; !ret && i < vmm.boot.nr_chunks; i++)
		ret = pt_unmap(&vmm.npt, vmm.boot.chunk_pa[i],
			       RTVIRT_VMM_CHUNK_SIZE);
	return ret;
}

/*
 * The VMM's address space: physical memory identity-mapped in the lower
 * half (to reach guest memory and control blocks), the block at the
 * same kernel-virtual address the module mapped and relocated it at, and
 * the I/O window in the upper half, empty until devices attach.
 */
static int build_host_pt(void)
{
	u64 va_mask = PT_LEVEL_SIZE((vmm.boot.la57 ? 5 : 4) + 1) - 1;
	int ret;

	/* The identity map must stay in the lower (canonical) half. */
	u64 phys_end = 1ULL << vmm.boot.phys_bits;

	if (phys_end > (va_mask + 1) / 2)
		phys_end = (va_mask + 1) / 2;
	vmm.phys_end = phys_end;
	vmm.io_base = vmm_io_window_base();
	ret = init_pt(&vmm.host_pt, &pt_format_host, false);
	if (!ret)
		ret = pt_map(&vmm.host_pt, 0, 0, phys_end, PT_READ | PT_WRITE);
	for (unsigned int i = 0; !ret && i < vmm.boot.nr_chunks; i++)
		ret = pt_map(&vmm.host_pt,
			     (vmm.boot.virt_base + i * RTVIRT_VMM_CHUNK_SIZE) &
			     va_mask, vmm.boot.chunk_pa[i],
			     RTVIRT_VMM_CHUNK_SIZE, PT_RWX);
	return ret;
}

static void build_idt(void)
{
	for (int vec = 0; vec < 256; vec++) {
		u64 handler = (u64)vmm_exception_stubs + vec * 16;
		u8 *g = &idt[vec * 16];
		u64 ist = vec == X86_TRAP_NMI ? VMM_NMI_IST : 0;
		u64 lo = (handler & 0xffff) | ((u64)VMM_CS << 16) |
			 ist << 32 | (0x8eULL << 40) |
			 ((handler >> 16) & 0xffff) << 48;

		memcpy(g, &lo, 8);
		memset(g + 8, 0, 8);
		memcpy(g + 8, (u8 *)&handler + 4, 4);
	}
	idtr.limit = sizeof(idt) - 1;
	idtr.base = (u64)idt;
}

/*
 * Per-CPU page: the GDT (null, 64-bit code, data, and a TSS in two slots),
 * the TSS, and the CPU's struct vcpu; then its stack, and the NMI stack
 * (IST1) with the vcpu above its frame (VMM_NMI_FRAME_VCPU).  An NMI
 * reaches the VMM only in the interrupt window, where it can also come
 * in the middle of the window's interrupt handler: it needs a stack on
 * which vmm_exception() can find its CPU.
 */
#define CPU_PAGE_TSS	64
#define CPU_PAGE_VCPU	256
_Static_assert(CPU_PAGE_TSS + sizeof(struct tss64) <= CPU_PAGE_VCPU, "TSS");
_Static_assert(CPU_PAGE_VCPU + sizeof(struct vcpu) <= PT_PAGE_SIZE, "vcpu");
/* rtvirt_vmm_mem_needed() counts on this much per CPU. */
_Static_assert(2 + VMM_STACK_PAGES + VCPU_VIEW_PAGES + VMM_ARCH_CPU_PAGES <=
	       RTVIRT_VMM_CPU_PAGES,
	       "RTVIRT_VMM_CPU_PAGES");

/**
 * this_vcpu() - the vcpu of the calling CPU, from its GDT, which starts
 * its per-CPU page
 *
 * Return: the vcpu, or NULL on a GDT that is not the VMM's (the kernel's,
 * before the launch).
 */
struct vcpu *this_vcpu(void)
{
	struct dtr gdtr;

	sgdt(&gdtr);
	for (unsigned int i = 0; i < vmm.boot.nr_cpus; i++)
		if (vmm.cpus[i] &&
		    (u64)vmm.cpus[i] == gdtr.base + CPU_PAGE_VCPU)
			return vmm.cpus[i];
	return NULL;
}

#define APIC_BASE_X2APIC	(1ULL << 10)
#define APIC_BASE_ENABLE	(1ULL << 11)
#define APIC_BASE_ADDR		0x000ffffffffff000ULL
#define MSR_X2APIC_ICR		0x830
#define APIC_ICR_LOW		0x300
#define APIC_ICR_HIGH		0x310
/* ICR: an NMI (delivery mode 4), asserted, to every CPU but the sender. */
#define APIC_ICR_NMI_OTHERS	((3U << 18) | (1U << 14) | (4U << 8))

/* ICR: an NMI (delivery mode 4), asserted, to the APIC ID in the destination. */
#define APIC_ICR_NMI		((1U << 14) | (4U << 8))
#define APIC_ID			0x20
#define MSR_X2APIC_ID		0x802

/* Whether another CPU runs the kernel under the VMM. */
static bool others_demoted(const struct vcpu *self)
{
	for (unsigned int i = 0; i < vmm.boot.nr_cpus; i++)
		if (vmm.cpus[i] && vmm.cpus[i] != self &&
		    READ_ONCE(vmm.cpus[i]->demoted))
			return true;
	return false;
}

/**
 * vmm_send_nmi() - send an NMI through this CPU's local APIC
 * @self:	to this CPU (the self shorthand does not take NMIs: its own
 *		APIC ID), else to every other CPU
 */
void vmm_send_nmi(bool self)
{
	u64 apic, id;

	if (rdmsr_safe(MSR_IA32_APICBASE, &apic) || !(apic & APIC_BASE_ENABLE))
		return;
	if (apic & APIC_BASE_X2APIC) {
		if (!self)
			wrmsr_safe(MSR_X2APIC_ICR, APIC_ICR_NMI_OTHERS);
		else if (!rdmsr_safe(MSR_X2APIC_ID, &id))
			wrmsr_safe(MSR_X2APIC_ICR, id << 32 | APIC_ICR_NMI);
		return;
	}
	apic &= APIC_BASE_ADDR;
	if (!vmm_reaches(apic, PT_PAGE_SIZE))
		return;
	id = *(volatile u32 *)(apic + APIC_ID) >> 24;
	*(volatile u32 *)(apic + APIC_ICR_HIGH) = self ? id << 24 : 0;
	*(volatile u32 *)(apic + APIC_ICR_LOW) =
		self ? APIC_ICR_NMI : APIC_ICR_NMI_OTHERS;
}

/*
 * vmm_panic_notify: a halted CPU cannot tell the kernel, the other CPUs
 * can.  The reason goes into the module's note, then every other CPU gets
 * an NMI, which reaches the kernel (directly, or injected by the VMM when
 * it intercepts NMIs) and whose handler in the module panics the kernel:
 * the reason is on the console and kdump runs.  When no other CPU runs
 * under the VMM (one online CPU), this one does it itself: it sends
 * itself the NMI and leaves the VMM, resuming the kernel natively where
 * it exited; the NMI, held while GIF is clear, comes before the kernel's
 * next instruction.
 */
static void panic_notify(const char *reason)
{
	u64 pa = vmm.boot.panic_note_pa;
	struct rtvirt_vmm_panic_note *note = (void *)pa;
	struct vcpu *v = this_vcpu();
	size_t n;

	if (!pa || !vmm_reaches(pa, sizeof(*note)) ||
	    vmm_owns_range(pa, sizeof(*note)))
		return;
	for (n = 0; n + 1 < sizeof(note->msg) && reason[n] &&
	     reason[n] != '\n'; n++)
		note->msg[n] = reason[n];
	note->msg[n] = 0;
	__atomic_store_n(&note->cpu, v ? v->id + 1 : vmm.boot.nr_cpus + 1,
			 __ATOMIC_RELEASE);
	if (!v || others_demoted(v) || !READ_ONCE(v->demoted) ||
	    vmm_arch->state_lost(v)) {
		vmm_send_nmi(false);
		return;
	}
	vmm_log("cpu %u: no other CPU runs under the VMM: this one leaves it for the kernel's panic\n",
		v->id);
	vmm_send_nmi(true);
	vmm_arch->leave(v);
}

static struct vcpu *init_cpu_tables(unsigned int id)
{
	u64 pa, *gdt, tss_base;
	struct tss64 *tss;
	struct vcpu *v;
	u8 *page, *stack, *nmi_stack;
	u64 *nmi_top;

	page = vmm_alloc_pages(1, &pa);
	stack = vmm_alloc_pages(VMM_STACK_PAGES, &pa);
	nmi_stack = vmm_alloc_pages(1, &pa);
	if (!page || !stack || !nmi_stack)
		return NULL;
	v = (struct vcpu *)(page + CPU_PAGE_VCPU);
	v->view_pages = vmm_alloc_pages(VCPU_VIEW_PAGES, &v->view_pages_pa);
	if (!v->view_pages)
		return NULL;
	gdt = (u64 *)page;
	tss = (struct tss64 *)(page + CPU_PAGE_TSS);
	tss->iomap_base = sizeof(*tss);
	/* 16-byte aligned, as the CPU aligns it; the vcpu above the frame. */
	nmi_top = (u64 *)(nmi_stack + PT_PAGE_SIZE - 16);
	tss->ist[VMM_NMI_IST - 1] = (u64)nmi_top;
	*nmi_top = (u64)(page + CPU_PAGE_VCPU);
	tss_base = (u64)tss;
	gdt[1] = 0x00af9a000000ffffULL;		/* VMM_CS */
	gdt[2] = 0x00cf92000000ffffULL;		/* VMM_DS */
	gdt[3] = (sizeof(*tss) - 1) | ((tss_base & 0xffffff) << 16) |
		 (0x89ULL << 40) | ((tss_base >> 24) & 0xff) << 56;
	gdt[4] = tss_base >> 32;
	v->id = id;
	v->gdtr_limit = 5 * 8 - 1;
	v->gdtr_base = (u64)gdt;
	v->host_rsp = (u64)stack + VMM_STACK_PAGES * PT_PAGE_SIZE;
	v->vmm_cr3 = vmm.host_pt.root;
	return v;
}

/**
 * vmm_idtr() - the VMM's IDT descriptor
 *
 * Return: the descriptor, for lidt.
 */
const struct dtr *vmm_idtr(void)
{
	return &idtr;
}

/**
 * vmm_init() - set the VMM up; called once by the module
 * @boot:	what the module knows about the block and the machine
 *
 * Return: 0 or a negative errno.
 */
/* The backends this image has; vmm_init() takes the CPU's. */
static const struct vmm_arch_ops *const backends[] = { &svm_ops, &vmx_ops };

int vmm_init(struct rtvirt_vmm_boot *boot)
{
	const struct vmm_arch_ops *arch = NULL;
	u64 pa;
	int ret;

	for (unsigned int b = 0; b < sizeof(backends) / sizeof(backends[0]) &&
	     !arch; b++)
		if (backends[b]->probe())
			arch = backends[b];
	if (!arch)
		return ERR_OPNOTSUPP;

	if (boot->nr_chunks > RTVIRT_VMM_MAX_CHUNKS || !boot->nr_cpus ||
	    boot->nr_cpus > RTVIRT_VMM_MAX_CHUNKS * RTVIRT_VMM_CHUNK_SIZE /
			    (RTVIRT_VMM_CPU_PAGES * PT_PAGE_SIZE) ||
	    boot->phys_bits < 32 || boot->phys_bits > 52 ||
	    boot->size != (u64)boot->nr_chunks * RTVIRT_VMM_CHUNK_SIZE)
		return ERR_INVAL;
	memset(&vmm, 0, sizeof(vmm));
	memcpy(&vmm.boot, boot, sizeof(*boot));
	vmm_arch = arch;
	vdev_reset_all();
	vmm.pool_next = __vmm_bss_end - __vmm_image_start;
	serial_init();

	ret = build_host_pt();
	if (!ret)
		ret = build_npt(arch->pt_format);
	if (ret) {
		vmm_log("page tables: error %d\n", ret);
		return ret;
	}
	build_idt();
	ret = vmm_ports_init();
	if (!ret)
		ret = arch->init();
	if (!ret)
		vmm.cpus = vmm_alloc_pages((boot->nr_cpus * sizeof(*vmm.cpus) +
					    PT_PAGE_SIZE - 1) / PT_PAGE_SIZE, &pa);
	if (!ret && !vmm.cpus)
		ret = ERR_NOMEM;
	for (unsigned int i = 0; !ret && i < boot->nr_cpus; i++) {
		vmm.cpus[i] = init_cpu_tables(i);
		ret = vmm.cpus[i] ? arch->init_cpu(vmm.cpus[i]) : ERR_NOMEM;
	}
	if (ret) {
		vmm_log("initialisation failed: %d (%llu of %llu KiB used)\n", ret,
			(unsigned long long)(vmm.pool_next >> 10),
			(unsigned long long)(boot->size >> 10));
		return ret;
	}
	vmm_panic_notify = panic_notify;
	vmm.ready = true;
	vmm_log("ready: %s, %u CPUs, %llu KiB, %lu+%lu table pages\n",
		arch->name, boot->nr_cpus,
		(unsigned long long)(boot->size >> 10),
		vmm.host_pt.nr_tables, vmm.npt.nr_tables);
	return 0;
}
