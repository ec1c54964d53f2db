// SPDX-License-Identifier: GPL-2.0
/*
 * Intel VMX backend: VMXON from the live CPU state, a VMCS built from the
 * running kernel's state, the exits decoded into the core's terms
 * (exit.c), events held and injected when the kernel can take them, and
 * the leave path that gives the CPU back natively after VMXOFF.  The pure
 * parts (controls, EPT, guest state rules, MSR bitmap, exit decoding) are
 * in the other files of this folder and unit-tested.
 */
#include <vmm/device.h>
#include <vmm/log.h>
#include <vmm/policy.h>
#include <vmm/vmm.h>
#include <vmm/vmx.h>
#include <vmm/x86.h>

void __noreturn vmx_enter(struct vcpu *v);
void __noreturn vmx_leave(struct vcpu *v, const struct vmx_native *n);
void vmx_handle_exit(struct vcpu *v);
void __noreturn vmx_entry_failed(struct vcpu *v, u64 rflags);
u32 vmx_take_interrupt(void);
void vmx_unblock_nmi(void);
extern const u8 vmx_exit_entry[], vmx_irq_window[];

#define MSR_IA32_SYSENTER_CS	0x174
#define MSR_IA32_SYSENTER_ESP	0x175
#define MSR_IA32_SYSENTER_EIP	0x176
#define MSR_IA32_DEBUGCTL	0x1d9
#define MSR_FS_BASE		0xc0000100
#define MSR_GS_BASE		0xc0000101
#define X86_RFLAGS_FIXED	(1ULL << 1)
#define X86_CR0_PE		(1ULL << 0)
#define X86_TRAP_UD		6
#define VMX_VPID		1
/* PAUSEs leave_to_native() waits for its own NMI (microseconds apart). */
#define VMX_LEAVE_NMI_WAIT	10000000UL
#define INVEPT_SINGLE		1
#define INVEPT_ALL		2
#define INVVPID_SINGLE		1
#define INVVPID_ALL		2

/* The CPU's EPT capabilities, for the nested tables' shape and flushes. */
static u64 ept_cap;

/* VMX instructions: false where they fail (VMfailInvalid/VMfailValid). */
static inline bool vmxon(u64 pa)
{
	bool fail;

	asm volatile("vmxon %1; setna %0" : "=q"(fail) : "m"(pa) : "cc", "memory");
	return !fail;
}

static inline void vmxoff(void)
{
	asm volatile("vmxoff" : : : "cc", "memory");
}

static inline bool vmclear(u64 pa)
{
	bool fail;

	asm volatile("vmclear %1; setna %0" : "=q"(fail) : "m"(pa) : "cc", "memory");
	return !fail;
}

static inline bool vmptrld(u64 pa)
{
	bool fail;

	asm volatile("vmptrld %1; setna %0" : "=q"(fail) : "m"(pa) : "cc", "memory");
	return !fail;
}

static inline u64 vmread(enum vmcs_field f)
{
	u64 val = 0;

	asm volatile("vmread %1, %0" : "+rm"(val) : "r"((u64)f) : "cc");
	return val;
}

/* Failed writes are counted: a VMCS built with one is not entered. */
static unsigned int vmwrite_failures;

static inline void vmwrite(enum vmcs_field f, u64 val)
{
	bool fail;

	asm volatile("vmwrite %1, %2; setna %0"
		     : "=q"(fail) : "rm"(val), "r"((u64)f) : "cc", "memory");
	if (fail)
		__atomic_fetch_add(&vmwrite_failures, 1, __ATOMIC_RELAXED);
}

struct inv_desc {
	u64 a, b;
};

static inline void invept(unsigned long type, u64 eptp)
{
	struct inv_desc d = { eptp, 0 };

	asm volatile("invept %0, %1" : : "m"(d), "r"(type) : "cc", "memory");
}

static inline void invvpid(unsigned long type, u16 vpid)
{
	struct inv_desc d = { vpid, 0 };

	asm volatile("invvpid %0, %1" : : "m"(d), "r"(type) : "cc", "memory");
}

static inline u32 lsl(u16 sel)
{
	u32 limit = 0;

	asm volatile("lsll %k1, %0" : "+r"(limit) : "r"((u32)sel) : "cc");
	return limit;
}

static inline u16 read_tr(void)
{
	u16 v;

	asm volatile("str %0" : "=r"(v));
	return v;
}

static inline u16 read_ldtr(void)
{
	u16 v;

	asm volatile("sldt %0" : "=r"(v));
	return v;
}

/* CPUID.1:ECX.VMX (bit 5). */
static bool vmx_probe(void)
{
	u32 a, b, c, d;

	cpuid_count(1, 0, &a, &b, &c, &d);
	return c & (1U << 5);
}

/* The shape of the EPT: the CPU's walk length and largest page. */
static void vmx_nested_shape(int *levels, int *max_leaf)
{
	int leaf;

	if (rdmsr_safe(MSR_IA32_VMX_EPT_VPID_CAP, &ept_cap))
		ept_cap = 0;
	*levels = (int)vmx_ept_levels(ept_cap, (unsigned int)*levels);
	leaf = (int)vmx_ept_max_leaf(ept_cap);
	if (leaf < *max_leaf)
		*max_leaf = leaf;
}

/* A control field from its capability MSR, TRUE_* where the CPU has it. */
static int adjust(const char *name, u32 msr, u32 true_msr, bool use_true,
		  const struct vmx_ctls_req *req, u32 *val)
{
	u64 cap;
	u32 bad;

	if (rdmsr_safe(use_true ? true_msr : msr, &cap))
		return ERR_NODEV;
	bad = vmx_adjust_ctls(cap, req, val);
	if (!bad)
		return 0;
	vmm_log("VMX %s controls: this CPU lacks or forces %#x (capability %#llx)\n",
		name, bad, (unsigned long long)cap);
	return ERR_OPNOTSUPP;
}

static int vmx_init(void)
{
	static const struct vmx_ctls_req pin = {
		.need = PIN_NMI_EXITING | PIN_VIRTUAL_NMIS | PIN_EXT_INTR_EXITING,
		.allow = VMX_PIN_RESERVED1,
	};
	static const struct vmx_ctls_req cpu = {
		.need = CPU_USE_IO_BITMAPS | CPU_USE_MSR_BITMAPS |
			CPU_SECONDARY_CTLS | CPU_INTR_WINDOW_EXITING |
			CPU_NMI_WINDOW_EXITING | CPU_HLT_EXITING,
		.allow = VMX_CPU_RESERVED1,
	};
	static const struct vmx_ctls_req ex = {
		.need = EXIT_HOST_ADDR_SPACE_64 | EXIT_SAVE_EFER |
			EXIT_LOAD_EFER | EXIT_SAVE_PAT | EXIT_LOAD_PAT |
			EXIT_SAVE_DEBUG_CTLS,
		.allow = VMX_EXIT_RESERVED1,
	};
	static const struct vmx_ctls_req en = {
		.need = ENTRY_IA32E_MODE | ENTRY_LOAD_EFER | ENTRY_LOAD_PAT |
			ENTRY_LOAD_DEBUG_CTLS,
		.allow = VMX_ENTRY_RESERVED1,
	};
	struct vmx_ctls_req cpu2 = {
		.need = CPU2_ENABLE_EPT,
		/*
		 * Instructions the kernel uses where CPUID has them, which
		 * are #UD in VMX non-root operation unless enabled.
		 */
		.want = CPU2_ENABLE_RDTSCP | CPU2_ENABLE_INVPCID |
			CPU2_ENABLE_XSAVES | CPU2_ENABLE_USER_WAIT |
			/* LIDT: machine_kexec() (dt_run_native()) */
			CPU2_DESC_TABLE_EXITING,
	};
	struct vmx_vmm *x = &vmm.arch.vmx;
	u32 a, b, c, d, ext_c, ext_d, ext8_b = 0, ext21_a = 0;
	u64 basic, cap;
	bool use_true;
	int ret;

	basic = rdmsr(MSR_IA32_VMX_BASIC);
	x->revision = basic & 0x7fffffff;
	use_true = basic & VMX_BASIC_TRUE_CTLS;
	if (vmx_vpid_usable(ept_cap))
		cpu2.want |= CPU2_ENABLE_VPID;
	ret = adjust("pin-based", MSR_IA32_VMX_PINBASED_CTLS,
		     MSR_IA32_VMX_TRUE_PINBASED_CTLS, use_true, &pin, &x->pin);
	if (!ret)
		ret = adjust("processor-based", MSR_IA32_VMX_PROCBASED_CTLS,
			     MSR_IA32_VMX_TRUE_PROCBASED_CTLS, use_true, &cpu,
			     &x->cpu);
	if (!ret)
		ret = adjust("secondary", MSR_IA32_VMX_PROCBASED_CTLS2,
			     MSR_IA32_VMX_PROCBASED_CTLS2, false, &cpu2, &x->cpu2);
	if (!ret)
		ret = adjust("VM-exit", MSR_IA32_VMX_EXIT_CTLS,
			     MSR_IA32_VMX_TRUE_EXIT_CTLS, use_true, &ex, &x->exit);
	if (!ret)
		ret = adjust("VM-entry", MSR_IA32_VMX_ENTRY_CTLS,
			     MSR_IA32_VMX_TRUE_ENTRY_CTLS, use_true, &en,
			     &x->entry);
	if (ret)
		return ret;
	/* Window exits and interrupt exits are switched on when needed. */
	x->pin &= ~PIN_EXT_INTR_EXITING;
	x->cpu &= ~(CPU_INTR_WINDOW_EXITING | CPU_NMI_WINDOW_EXITING |
		    CPU_HLT_EXITING | CPU_USE_IO_BITMAPS);
	cap = vmx_ept_missing(ept_cap, (unsigned int)vmm.npt.levels);
	if (cap) {
		vmm_log("VMX: EPT lacks %#llx (IA32_VMX_EPT_VPID_CAP %#llx)\n",
			(unsigned long long)cap, (unsigned long long)ept_cap);
		return ERR_OPNOTSUPP;
	}
	x->vpid = x->cpu2 & CPU2_ENABLE_VPID;
	x->cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	x->cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	x->cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	x->cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);

	cpuid_count(0x80000001, 0, &a, &b, &ext_c, &ext_d);
	cpuid_count(0x80000000, 0, &a, &b, &c, &d);
	if (a >= 0x80000008)
		cpuid_count(0x80000008, 0, &c, &ext8_b, &c, &d);
	if (a >= 0x80000021)
		cpuid_count(0x80000021, 0, &ext21_a, &b, &c, &d);
	vmm.efer_writable = policy_efer_writable(ext_c, ext_d, ext8_b, ext21_a);

	x->msr_bitmap = vmm_alloc_pages(1, &x->msr_bitmap_pa);
	if (!x->msr_bitmap)
		return ERR_NOMEM;
	return vmx_msr_bitmap_build(x->msr_bitmap) ? ERR_INVAL : 0;
}

/* VMXON region, VMCS, scratch page: within VMM_ARCH_CPU_PAGES. */
static int vmx_init_cpu(struct vcpu *v)
{
	struct vmx_vcpu *x = &v->arch.vmx;

	x->vmxon = vmm_alloc_pages(1, &x->vmxon_pa);
	x->vmcs = vmm_alloc_pages(1, &x->vmcs_pa);
	v->scratch = vmm_alloc_pages(1, &v->scratch_pa);
	if (!x->vmxon || !x->vmcs || !v->scratch)
		return ERR_NOMEM;
	*(u32 *)x->vmxon = vmm.arch.vmx.revision;
	*(u32 *)x->vmcs = vmm.arch.vmx.revision;
	return 0;
}

/* A descriptor of the kernel's GDT (8 bytes; @sys: 16, high half in @hi). */
static u64 gdt_desc(const struct dtr *gdtr, u16 sel, u64 *hi)
{
	u64 d = 0;

	*hi = 0;
	if (!(sel & ~3U) || (sel & 4) || (sel | 7U) > gdtr->limit)
		return 0;
	memcpy(&d, (const u8 *)gdtr->base + (sel & ~7U), 8);
	if ((sel | 15U) <= gdtr->limit)
		memcpy(hi, (const u8 *)gdtr->base + (sel & ~7U) + 8, 8);
	return d;
}

static u64 desc_base(u64 d, u64 hi, bool sys)
{
	u64 base = ((d >> 16) & 0xffffff) | ((d >> 56) << 24);

	return sys ? base | hi << 32 : base;
}

/* Segment @i (ES, CS, SS, DS, FS, GS, LDTR, TR: the VMCS's order). */
static void guest_seg(unsigned int i, const struct dtr *gdtr, u16 sel,
		      u64 base)
{
	u64 hi, d = gdt_desc(gdtr, sel, &hi);
	u32 ar = vmx_seg_ar(d, sel);
	bool sys = i >= 6;

	vmwrite(GUEST_ES_SELECTOR + 2 * i, sel);
	vmwrite(GUEST_ES_AR + 2 * i, ar);
	vmwrite(GUEST_ES_LIMIT + 2 * i, ar & VMX_AR_UNUSABLE ? 0 : lsl(sel));
	vmwrite(GUEST_ES_BASE + 2 * i, sys ? desc_base(d, hi, true) : base);
}

static u64 fixed_mask(u64 fixed0, u64 fixed1)
{
	return fixed0 | ~fixed1;
}

/* The VMCS from the CPU's current (kernel) state. */
static void setup_vmcs(struct vcpu *v, u64 guest_rsp, u64 guest_rip)
{
	const struct vmx_vmm *x = &vmm.arch.vmx;
	struct vmx_vcpu *xv = &v->arch.vmx;
	u64 cr0 = read_cr0(), cr4 = read_cr4();
	const u64 *gdt = (const u64 *)v->gdtr_base;
	struct dtr gdtr, idtr;

	sgdt(&gdtr);
	sidt(&idtr);
	guest_seg(0, &gdtr, read_es(), 0);
	guest_seg(1, &gdtr, read_cs(), 0);
	guest_seg(2, &gdtr, read_ss(), 0);
	guest_seg(3, &gdtr, read_ds(), 0);
	guest_seg(4, &gdtr, read_fs(), rdmsr(MSR_FS_BASE));
	guest_seg(5, &gdtr, read_gs(), rdmsr(MSR_GS_BASE));
	guest_seg(6, &gdtr, read_ldtr(), 0);
	guest_seg(7, &gdtr, read_tr(), 0);
	vmwrite(GUEST_GDTR_BASE, gdtr.base);
	vmwrite(GUEST_GDTR_LIMIT, gdtr.limit);
	vmwrite(GUEST_IDTR_BASE, idtr.base);
	vmwrite(GUEST_IDTR_LIMIT, idtr.limit);
	vmwrite(GUEST_CR0, vmx_fix_cr(cr0, x->cr0_fixed0, x->cr0_fixed1));
	vmwrite(GUEST_CR3, read_cr3());
	vmwrite(GUEST_CR4, vmx_fix_cr(cr4, x->cr4_fixed0, x->cr4_fixed1));
	/* The fixed bits are the VMM's: the kernel reads what it wrote. */
	vmwrite(CR0_GUEST_HOST_MASK, fixed_mask(x->cr0_fixed0, x->cr0_fixed1));
	vmwrite(CR4_GUEST_HOST_MASK, fixed_mask(x->cr4_fixed0, x->cr4_fixed1));
	vmwrite(CR0_READ_SHADOW, cr0);
	vmwrite(CR4_READ_SHADOW, cr4);
	vmwrite(GUEST_DR7, read_dr7());
	vmwrite(GUEST_RSP, guest_rsp);
	vmwrite(GUEST_RIP, guest_rip);
	vmwrite(GUEST_RFLAGS, read_rflags());
	vmwrite(GUEST_IA32_DEBUGCTL, rdmsr(MSR_IA32_DEBUGCTL));
	vmwrite(GUEST_IA32_PAT, rdmsr(MSR_PAT));
	vmwrite(GUEST_IA32_EFER, rdmsr(MSR_EFER));
	vmwrite(GUEST_SYSENTER_CS, rdmsr(MSR_IA32_SYSENTER_CS));
	vmwrite(GUEST_SYSENTER_ESP, rdmsr(MSR_IA32_SYSENTER_ESP));
	vmwrite(GUEST_SYSENTER_EIP, rdmsr(MSR_IA32_SYSENTER_EIP));
	vmwrite(GUEST_INTERRUPTIBILITY, 0);
	vmwrite(GUEST_ACTIVITY_STATE, 0);
	vmwrite(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmwrite(VMCS_LINK_POINTER, ~0ULL);

	/* The VMM's side: its page tables, GDT, IDT, TSS and stack. */
	vmwrite(HOST_CR0, cr0);
	vmwrite(HOST_CR3, v->vmm_cr3);
	vmwrite(HOST_CR4, cr4);
	vmwrite(HOST_CS_SELECTOR, VMM_CS);
	vmwrite(HOST_SS_SELECTOR, VMM_DS);
	vmwrite(HOST_DS_SELECTOR, VMM_DS);
	vmwrite(HOST_ES_SELECTOR, VMM_DS);
	vmwrite(HOST_FS_SELECTOR, 0);
	vmwrite(HOST_GS_SELECTOR, 0);
	vmwrite(HOST_TR_SELECTOR, VMM_TSS);
	vmwrite(HOST_FS_BASE, 0);
	vmwrite(HOST_GS_BASE, 0);
	vmwrite(HOST_TR_BASE, desc_base(gdt[VMM_TSS / 8], gdt[VMM_TSS / 8 + 1],
					true));
	vmwrite(HOST_GDTR_BASE, v->gdtr_base);
	vmwrite(HOST_IDTR_BASE, vmm_idtr()->base);
	vmwrite(HOST_IA32_SYSENTER_CS, 0);
	vmwrite(HOST_IA32_SYSENTER_ESP, 0);
	vmwrite(HOST_IA32_SYSENTER_EIP, 0);
	vmwrite(HOST_IA32_EFER, rdmsr(MSR_EFER));
	vmwrite(HOST_IA32_PAT, rdmsr(MSR_PAT));
	/* vmx_enter() pushes the vcpu there; the exit finds it above. */
	vmwrite(HOST_RSP, v->host_rsp - 16);
	vmwrite(HOST_RIP, (u64)vmx_exit_entry);

	/* Controls. */
	xv->pin_ctls = x->pin;
	xv->cpu_ctls = x->cpu;
	vmwrite(PIN_BASED_CTLS, xv->pin_ctls);
	vmwrite(CPU_BASED_CTLS, xv->cpu_ctls);
	vmwrite(SECONDARY_CTLS, x->cpu2);
	vmwrite(VM_EXIT_CTLS, x->exit);
	vmwrite(VM_ENTRY_CTLS, x->entry);
	vmwrite(EXCEPTION_BITMAP, 0);
	vmwrite(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmwrite(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmwrite(CR3_TARGET_COUNT, 0);
	vmwrite(VM_EXIT_MSR_STORE_COUNT, 0);
	vmwrite(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmwrite(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmwrite(VM_ENTRY_INTR_INFO, 0);
	vmwrite(TSC_OFFSET, 0);
	vmwrite(IO_BITMAP_A, vmm.ports_pa);
	vmwrite(IO_BITMAP_B, vmm.ports_pa + PT_PAGE_SIZE);
	vmwrite(MSR_BITMAP, x->msr_bitmap_pa);
	if (x->cpu2 & CPU2_ENABLE_XSAVES)
		vmwrite(XSS_EXIT_BITMAP, 0);
	if (x->vpid)
		vmwrite(VMCS_VPID, VMX_VPID);
	xv->eptp = vmx_eptp(vmm.npt.root, (unsigned int)vmm.npt.levels);
	vmwrite(EPT_POINTER, xv->eptp);
}

/* Drop what the CPU cached of the EPT and of the kernel's VPID. */
static void flush_all(void)
{
	invept(INVEPT_ALL, 0);
	if (vmm.arch.vmx.vpid)
		invvpid(INVVPID_ALL, 0);
}

static void vmx_refresh(struct vcpu *v);

static int vmx_launch_cpu(struct vcpu *v, u64 guest_rsp, u64 guest_rip,
			  unsigned int flags)
{
	struct vmx_vcpu *x = &v->arch.vmx;
	unsigned int failed;
	u64 feat;

	/* The module sets CR4.VMXE through the kernel's CR4 shadow first. */
	if (!(read_cr4() & X86_CR4_VMXE))
		return ERR_INVAL;
	if (rdmsr_safe(MSR_IA32_FEAT_CTL, &feat) || !(feat & FEAT_CTL_LOCKED) ||
	    !(feat & FEAT_CTL_VMX_OUTSIDE_SMX))
		return ERR_NODEV;
	if (!vmxon(x->vmxon_pa))
		return ERR_BUSY;	/* in VMX operation already */
	if (!vmclear(x->vmcs_pa) || !vmptrld(x->vmcs_pa)) {
		vmxoff();
		return ERR_IO;
	}
	/*
	 * The count is shared: one that grows meanwhile means some CPU's
	 * VMCS lost a field, and every CPU launches the same way.
	 */
	failed = __atomic_load_n(&vmwrite_failures, __ATOMIC_RELAXED);
	memset(x->irq, 0, sizeof(x->irq));
	x->nmi_waiting = false;
	x->entry_info = 0;
	x->flush = false;
	x->leaving = false;
	setup_vmcs(v, guest_rsp, guest_rip);
	vmx_refresh(v);
	failed = __atomic_load_n(&vmwrite_failures, __ATOMIC_RELAXED) - failed;
	if (failed) {
		vmm_log("cpu %u: %u VMCS fields could not be written\n", v->id,
			failed);
		vmclear(x->vmcs_pa);
		vmxoff();
		return ERR_IO;
	}
	flush_all();
	/* Test hook: RFLAGS bit 1 clear fails the entry's guest-state checks. */
	if (flags & RTVIRT_LAUNCH_FAIL_VMRUN)
		vmwrite(GUEST_RFLAGS, read_rflags() & ~X86_RFLAGS_FIXED);
	v->exit_efer = rdmsr(MSR_EFER);
	WRITE_ONCE(v->demoted, true);
	vmx_enter(v);
}

static u64 *vmx_gpr(struct vcpu *v, unsigned int reg)
{
	static const unsigned char slot[16] = {
		[1] = 2, [2] = 3, [3] = 1, [5] = 6, [6] = 4, [7] = 5,
		[8] = 7, [9] = 8, [10] = 9, [11] = 10, [12] = 11, [13] = 12,
		[14] = 13, [15] = 14,
	};

	if ((reg & 15) == 4)
		return &v->arch.vmx.rsp;
	/* struct guest_regs: rax rbx rcx rdx rsi rdi rbp r8..r15 */
	return &(&v->regs.rax)[slot[reg & 15]];
}

static u64 *vmx_rip(struct vcpu *v)
{
	return &v->arch.vmx.rip;
}

static u64 *vmx_rflags(struct vcpu *v)
{
	return &v->arch.vmx.rflags;
}

static void vmx_paging(struct vcpu *v, u64 *cr3, bool *la57)
{
	(void)v;
	*cr3 = vmread(GUEST_CR3);
	*la57 = vmread(GUEST_CR4) & X86_CR4_LA57;
}

static void vmx_flush_tlb(struct vcpu *v)
{
	v->arch.vmx.flush = true;
}

/*
 * Raise an exception for the kernel at this exit.  An event the exit
 * interrupted (re-queued in entry_info) is combined with it as the CPU
 * would (#DF, or the new exception first; the interruption-information
 * layout is EVENTINJ's); an interrupt or NMI that was being delivered is
 * held and goes in at a later entry.
 */
static void raise_exception(struct vcpu *v, u32 vector, bool error)
{
	struct vmx_vcpu *x = &v->arch.vmx;
	u64 held, exc = vector | VMX_INTR_TYPE_HW_EXC | VMX_INTR_VALID |
			(error ? VMX_INTR_ERROR_CODE : 0);
	u64 ev = x86_merge_exception(x->entry_info, exc, &held);

	if (ev == X86_MERGE_SHUTDOWN) {
		v->stats.exits[RTVIRT_EXIT_SHUTDOWN]++;
		vmm_panic("cpu %u: guest shutdown (exception %u while delivering #DF) at rip %#llx\n",
			  v->id, vector, (unsigned long long)x->rip);
	}
	x->entry_info = (u32)ev;
	x->entry_error = 0;
	if ((held & VMX_INTR_TYPE_MASK) == VMX_INTR_TYPE_NMI)
		v->nmi_pending = true;
	else if (held)
		v->held_irq = VCPU_HELD_IRQ | (held & 0xff);
}

static void vmx_inject_gp(struct vcpu *v)
{
	raise_exception(v, X86_TRAP_GP, true);
}

static void vmx_inject_ud(struct vcpu *v)
{
	raise_exception(v, X86_TRAP_UD, false);
}

static void vmx_inject_db(struct vcpu *v)
{
	/* The #DB exit left DR6 alone: say it was a single step. */
	u64 dr6 = read_dr6() | X86_DR6_BS;

	asm volatile("mov %0, %%dr6" : : "r"(dr6));
	raise_exception(v, X86_TRAP_DB, false);
}

/*
 * While a device is virtualized its configuration ports are trapped, and
 * while a model wants them, physical interrupts exit (vcpu_interrupt()).
 */
static void vmx_refresh(struct vcpu *v)
{
	struct vmx_vcpu *x = &v->arch.vmx;

	if (vdev_any_virtualized())
		x->cpu_ctls |= CPU_USE_IO_BITMAPS;
	else
		x->cpu_ctls &= ~CPU_USE_IO_BITMAPS;
	if (vdev_wants_interrupts())
		x->pin_ctls |= PIN_EXT_INTR_EXITING;
	else
		x->pin_ctls &= ~PIN_EXT_INTR_EXITING;
	vmwrite(PIN_BASED_CTLS, x->pin_ctls);
	vmwrite(CPU_BASED_CTLS, x->cpu_ctls);
}

/* Past the intercepted instruction; its interrupt shadow ends with it. */
static void vmx_skip(struct vcpu *v, enum vcpu_insn insn)
{
	u32 state = (u32)vmread(GUEST_INTERRUPTIBILITY);

	(void)insn;
	v->arch.vmx.rip += vmread(VM_EXIT_INSTRUCTION_LEN);
	if (state & (VMX_INTR_STATE_STI | VMX_INTR_STATE_MOV_SS))
		vmwrite(GUEST_INTERRUPTIBILITY,
			state & ~(VMX_INTR_STATE_STI | VMX_INTR_STATE_MOV_SS));
}

/* CPL is SS.DPL. */
static unsigned int vmx_cpl(struct vcpu *v)
{
	(void)v;
	return (vmread(GUEST_SS_AR) >> 5) & 3;
}

/*
 * The emulated MSRs (policy_msr_emulated()): EFER and PAT live in the
 * VMCS; VM_CR and VM_HSAVE_PA are AMD's, #GP on Intel.
 */
static int vmx_emulate_msr(struct vcpu *v, u32 msr, bool write, u64 *val)
{
	u64 efer;

	switch (msr) {
	case MSR_EFER:
		if (!write) {
			*val = vmread(GUEST_IA32_EFER);
			return VCPU_MSR_DONE;
		}
		if (!policy_efer_write(vmread(GUEST_IA32_EFER), *val,
				       vmm.efer_writable,
				       vmread(GUEST_CR0) & X86_CR0_PG, &efer))
			return VCPU_MSR_GP;
		vmwrite(GUEST_IA32_EFER, efer);
		return VCPU_MSR_DONE;
	case MSR_PAT:
		if (!write) {
			*val = vmread(GUEST_IA32_PAT);
			return VCPU_MSR_DONE;
		}
		if (!policy_pat_valid(*val))
			return VCPU_MSR_GP;
		vmwrite(GUEST_IA32_PAT, *val);
		return VCPU_MSR_DONE;
	default:
		(void)v;
		return VCPU_MSR_GP;
	}
}

/* The guest state lives in the VMCS, out of the VMM's way. */
static bool vmx_state_lost(struct vcpu *v)
{
	(void)v;
	return false;
}

/*
 * Room for one more interrupt for the kernel in the queue of those that
 * wait (events.c).  The window (vmx_take_interrupt()) is an STI shadow.
 */
static bool vmx_irq_room(struct vcpu *v)
{
	return !vmx_irq_queue_full(&v->arch.vmx);
}

static void vmx_set_nested_root(struct vcpu *v, u64 root)
{
	v->arch.vmx.eptp = vmx_eptp(root, (unsigned int)vmm.npt.levels);
	vmwrite(EPT_POINTER, v->arch.vmx.eptp);
	v->arch.vmx.flush = true;
}

/*
 * The step of a contained access: #DB exits, and the stepped instruction
 * runs in a MOV SS shadow, which holds off interrupts and NMIs for it and
 * keeps the single-step trap pending until it is done (the pending
 * debug exceptions' BS bit follows RFLAGS.TF before each entry).  Bochs
 * has no monitor trap flag, hence TF.
 */
static void vmx_step(struct vcpu *v, bool on)
{
	u32 bitmap = (u32)vmread(EXCEPTION_BITMAP);

	(void)v;
	if (on) {
		vmwrite(GUEST_INTERRUPTIBILITY,
			vmread(GUEST_INTERRUPTIBILITY) | VMX_INTR_STATE_MOV_SS);
		bitmap |= 1U << X86_TRAP_DB;
	} else {
		bitmap &= ~(1U << X86_TRAP_DB);
	}
	vmwrite(EXCEPTION_BITMAP, bitmap);
}

/* A #DB that exits leaves DR6 alone: nothing of the step to remove. */
static void vmx_step_taken(struct vcpu *v)
{
	(void)v;
}

static enum vcpu_event vmx_event(struct vcpu *v, u8 *vector)
{
	return vcpu_event_of(v->arch.vmx.entry_info, vector);
}

/*
 * Interrupts and NMIs wait in the backend until the kernel can take them
 * (vmx_pick_event() in events.c, at prepare_entry()).
 */
static void vmx_inject(struct vcpu *v, enum vcpu_event type, u8 vector)
{
	struct vmx_vcpu *x = &v->arch.vmx;

	switch (type) {
	case VCPU_EVENT_INTR:
		/* vcpu_interrupt() took none without a free slot. */
		if (!vmx_queue_irq(x, vector))
			vmm_log("cpu %u: interrupt %u dropped: every slot is taken\n",
				v->id, vector);
		break;
	case VCPU_EVENT_NMI:
		x->nmi_waiting = true;
		break;
	case VCPU_EVENT_MC:
		x->entry_info = X86_TRAP_MC | VMX_INTR_TYPE_HW_EXC |
				VMX_INTR_VALID;
		break;
	default:
		x->entry_info = 0;
		break;
	}
}

/* Write the primary controls; an NMI that came meanwhile keeps its window. */
static void write_cpu_ctls(struct vcpu *v, u32 ctls)
{
	v->arch.vmx.cpu_ctls = ctls;
	vmwrite(CPU_BASED_CTLS, ctls);
	if (READ_ONCE(v->nmi_pending) && !(ctls & CPU_NMI_WINDOW_EXITING)) {
		v->arch.vmx.cpu_ctls = ctls | CPU_NMI_WINDOW_EXITING;
		vmwrite(CPU_BASED_CTLS, ctls | CPU_NMI_WINDOW_EXITING);
	}
}

/*
 * An NMI came through the VMM's IDT while the VMM ran (the kernel's, as
 * every NMI is): hold it and open the NMI window, so that the entry
 * about to happen exits again at once where nothing else delivers it.
 * While the CPU leaves, the NMI it sent itself carries the rest of the
 * way back (leave_to_native()).
 */
static void vmx_host_nmi(struct vcpu *v)
{
	struct vmx_vcpu *x = &v->arch.vmx;

	if (READ_ONCE(x->leaving)) {
		WRITE_ONCE(x->leaving, false);
		/* Held off until the kernel's first IRET: its IDT by then. */
		if (x->nmi_owed || READ_ONCE(v->nmi_pending))
			vmm_send_nmi(true);
		vmx_leave(v, &x->native);
	}
	if (!READ_ONCE(v->demoted)) {
		WRITE_ONCE(v->nmi_pending, true);	/* owed when it leaves */
		return;
	}
	WRITE_ONCE(v->nmi_pending, true);
	v->arch.vmx.cpu_ctls |= CPU_NMI_WINDOW_EXITING;
	vmwrite(CPU_BASED_CTLS, v->arch.vmx.cpu_ctls);
}

/* Write back the register cache where the exit's handling changed it. */
static void write_cache(struct vcpu *v)
{
	struct vmx_vcpu *x = &v->arch.vmx;

	if (x->rsp != x->read[0])
		vmwrite(GUEST_RSP, x->rsp);
	if (x->rip != x->read[1])
		vmwrite(GUEST_RIP, x->rip);
	if (x->rflags != x->read[2])
		vmwrite(GUEST_RFLAGS, x->rflags);
}

/* Everything the next entry needs, after the exit was handled. */
static void prepare_entry(struct vcpu *v)
{
	struct vmx_vcpu *x = &v->arch.vmx;
	u32 state = (u32)vmread(GUEST_INTERRUPTIBILITY);
	u32 ctls = x->cpu_ctls & ~(CPU_INTR_WINDOW_EXITING |
				   CPU_NMI_WINDOW_EXITING | CPU_HLT_EXITING);
	u32 info, windows, error = x->entry_error;

	/* Bochs saves blocking by SMI after an exit in wait-for-SIPI. */
	if (state & VMX_INTR_STATE_SMI) {
		state &= ~VMX_INTR_STATE_SMI;
		vmwrite(GUEST_INTERRUPTIBILITY, state);
	}
	if (__atomic_exchange_n(&v->nmi_pending, false, __ATOMIC_ACQ_REL))
		x->nmi_waiting = true;
	info = vmx_pick_event(x, state, &windows);
	ctls |= windows;
	/* An interrupt waiting for its window: HLT exits (handle_hlt()). */
	if (windows & CPU_INTR_WINDOW_EXITING)
		ctls |= CPU_HLT_EXITING;
	vmwrite(VM_ENTRY_INTR_INFO, info);
	if (info & VMX_INTR_ERROR_CODE)
		vmwrite(VM_ENTRY_EXCEPTION_ERROR_CODE, error);
	if (x->rflags & X86_RFLAGS_TF)
		vmwrite(GUEST_PENDING_DBG_EXCEPTIONS,
			vmx_fix_pending_dbg(vmread(GUEST_PENDING_DBG_EXCEPTIONS),
					    x->rflags,
					    vmread(GUEST_IA32_DEBUGCTL), state,
					    (u32)vmread(GUEST_ACTIVITY_STATE)));
	write_cache(v);
	if (x->flush) {
		invept(INVEPT_SINGLE, x->eptp);
		x->flush = false;
	}
	write_cpu_ctls(v, ctls);
}

/*
 * HLT while an interrupt the VMM holds waits for its window (HLT exits
 * only then): typically `sti; hlt`, the interrupt having come in the STI
 * shadow.  The window opens once the HLT ran, and the SDM has the
 * window's exit wake a halted CPU, but Bochs 2.7 does not: the CPU slept
 * with the interrupt held (a timer interrupt lost for good, an RCU
 * stall).  The HLT completes here instead; with RFLAGS.IF set the
 * interrupt goes in at this entry and wakes it, as the local APIC's
 * would have; without, the CPU halts as the kernel asked.
 */
static void handle_hlt(struct vcpu *v)
{
	vmx_skip(v, VCPU_INSN_CPUID);	/* the length is the exit's, as for VMXOFF */
	if (!(v->arch.vmx.rflags & X86_RFLAGS_IF))
		vmwrite(GUEST_ACTIVITY_STATE, VMX_ACTIVITY_HLT);
}

/*
 * MOV to CR0 or CR4 that changes a bit the VMM owns (the fixed bits): the
 * kernel reads back what it wrote, the CPU keeps the bit VMX needs.
 */
static void handle_cr(struct vcpu *v, u64 qual)
{
	const struct vmx_vmm *x = &vmm.arch.vmx;
	unsigned int cr = qual & VMX_CR_NUM_MASK;
	u64 val = *vmx_gpr(v, (qual & VMX_CR_GPR_MASK) >> VMX_CR_GPR_SHIFT);

	v->stats.exits[RTVIRT_EXIT_OTHER]++;
	if ((qual & VMX_CR_TYPE_MASK) != VMX_CR_TYPE_MOV_TO ||
	    (cr != 0 && cr != 4))
		vmm_panic("cpu %u: control register access %#llx not intercepted\n",
			  v->id, (unsigned long long)qual);
	if (cr == 0) {
		vmwrite(GUEST_CR0, vmx_fix_cr(val, x->cr0_fixed0, x->cr0_fixed1));
		vmwrite(CR0_READ_SHADOW, val);
	} else {
		vmwrite(GUEST_CR4, vmx_fix_cr(val, x->cr4_fixed0, x->cr4_fixed1));
		vmwrite(CR4_READ_SHADOW, val);
	}
	/* As the CPU flushes on such writes (PGE, PCIDE, PG, ...). */
	if (x->vpid)
		invvpid(INVVPID_SINGLE, VMX_VPID);
	vmx_skip(v, VCPU_INSN_CPUID);
}

/*
 * Descriptor-table exiting is on for the kernel's LIDT: machine_kexec()
 * loads an empty IDT on its way to another kernel, a crash kernel too,
 * where Linux 6.12 runs no VMXOFF unless KVM is loaded, and the VMM leaves
 * the CPU there (vcpu_handle_exit()).  LGDT, SGDT, SIDT, LLDT, LTR, SLDT
 * and STR exit with it and mean nothing to the VMM: each runs natively,
 * with the control off for that one instruction, single-stepped as a
 * contained access is (vmx_step(): RFLAGS.TF, #DB intercepted, a MOV SS
 * shadow for interrupts and NMIs); the next exit turns the control on
 * again (dt_step_end()).  So the CPU checks the operands, faults and sets
 * the busy and accessed bits as it does natively, in ring 3 too where it
 * has no UMIP.  Where a process uses an LDT (modify_ldt()), its context
 * switches cost these exits.
 */
static void dt_run_native(struct vcpu *v)
{
	struct vmx_vcpu *x = &v->arch.vmx;

	v->stats.exits[RTVIRT_EXIT_OTHER]++;
	/* Stepped here before: the fault it took is over, its TF is ours. */
	if (!x->dt_step || x->dt_rip != x->rip) {
		x->dt_tf = x->rflags & X86_RFLAGS_TF;
		x->dt_rip = x->rip;
	}
	x->dt_step = true;
	vmwrite(SECONDARY_CTLS, vmm.arch.vmx.cpu2 & ~CPU2_DESC_TABLE_EXITING);
	x->rflags |= X86_RFLAGS_TF;
	vmx_step(v, true);
}

/*
 * The first exit after dt_run_native(): descriptor-table exiting goes on
 * again.  The step is over at its #DB, or at an exit at the instruction
 * itself (it runs, and exits, again).  Elsewhere the instruction faulted
 * into the kernel's handler, whose frame holds the step's TF: the step
 * stays armed (#DB intercepted) for the return, as a contained access's
 * does, and a #DB then ends it.  A contained access stepped at the same
 * instruction (an operand in VMM memory) ends at the same #DB, in the
 * core, which puts RFLAGS.TF back.
 *
 * Return: true if the exit was the step's #DB and is done with.
 */
static bool dt_step_end(struct vcpu *v)
{
	struct vmx_vcpu *x = &v->arch.vmx;
	enum vmx_dt_step end = vmx_dt_step_end(&x->exit, x->rip, x->dt_rip);

	vmwrite(SECONDARY_CTLS, vmm.arch.vmx.cpu2);
	if (end == VMX_DT_STEP_AWAY)
		return false;
	x->dt_step = false;
	if (v->stepping)
		return false;
	vmx_step(v, false);
	if (!x->dt_tf)
		x->rflags &= ~X86_RFLAGS_TF;
	if (end == VMX_DT_STEP_AGAIN)
		return false;
	v->stats.exits[RTVIRT_EXIT_DEBUG]++;
	/* The kernel was single-stepping itself: the #DB is its own. */
	if (x->dt_tf)
		vmx_inject_db(v);
	return true;
}

/* The kernel's view of a control register: the shadow for the VMM's bits. */
static u64 kernel_cr(enum vmcs_field cr, enum vmcs_field mask,
		     enum vmcs_field shadow)
{
	u64 m = vmread(mask);

	return (vmread(cr) & ~m) | (vmread(shadow) & m);
}

/*
 * Give the CPU back to the kernel natively, at the guest's RIP: the state
 * the exits load from the VMM's side (segments, descriptor tables and
 * their limits, TR, the SYSENTER, FS/GS base, debug and PAT MSRs) goes
 * back to the kernel's, then VMXOFF; vmx_leave() loads the rest.
 */
static void __noreturn leave_to_native(struct vcpu *v)
{
	struct vmx_vcpu *x = &v->arch.vmx;
	struct vmx_native *n = &x->native;

	x->nmi_owed = x->nmi_waiting || READ_ONCE(v->nmi_pending) ||
		      (x->entry_info & (VMX_INTR_VALID | VMX_INTR_TYPE_MASK)) ==
		      (VMX_INTR_VALID | VMX_INTR_TYPE_NMI);
	if (x->irq[0] || v->held_irq || v->mce_pending ||
	    ((x->entry_info & VMX_INTR_VALID) &&
	     (x->entry_info & VMX_INTR_TYPE_MASK) != VMX_INTR_TYPE_NMI))
		vmm_log("cpu %u: leaves with an interrupt or machine check for the kernel undelivered\n",
			v->id);
	n->cr0 = kernel_cr(GUEST_CR0, CR0_GUEST_HOST_MASK, CR0_READ_SHADOW) |
		 X86_CR0_PE | X86_CR0_PG;
	n->cr4 = kernel_cr(GUEST_CR4, CR4_GUEST_HOST_MASK, CR4_READ_SHADOW);
	n->cr3 = vmread(GUEST_CR3);
	n->gdtr_limit = (u16)vmread(GUEST_GDTR_LIMIT);
	n->gdtr_base = vmread(GUEST_GDTR_BASE);
	n->idtr_limit = (u16)vmread(GUEST_IDTR_LIMIT);
	n->idtr_base = vmread(GUEST_IDTR_BASE);
	n->es = vmread(GUEST_ES_SELECTOR);
	n->cs = vmread(GUEST_CS_SELECTOR);
	n->ss = vmread(GUEST_SS_SELECTOR);
	n->ds = vmread(GUEST_DS_SELECTOR);
	n->fs = vmread(GUEST_FS_SELECTOR);
	n->gs = vmread(GUEST_GS_SELECTOR);
	n->ldtr = vmread(GUEST_LDTR_SELECTOR);
	n->tr = vmread(GUEST_TR_SELECTOR);
	n->fs_base = vmread(GUEST_FS_BASE);
	n->gs_base = vmread(GUEST_GS_BASE);
	n->dr7 = vmread(GUEST_DR7);
	n->rsp = x->rsp;
	n->rip = x->rip;
	n->rflags = x->rflags | X86_RFLAGS_FIXED;
	/*
	 * The kernel maps its GDT read-only (fixmap) and LTR marks the TSS
	 * busy in it: vmx_leave() loads TR through the GDT's page in the
	 * VMM's identity map, with the descriptor marked available here.
	 */
	if (guest_read_phys(n->gdtr_base, &n->gdt_pa, v) ||
	    (n->gdt_pa & (PT_PAGE_SIZE - 1)) + n->gdtr_limit >= PT_PAGE_SIZE ||
	    (n->tr | 15U) > n->gdtr_limit ||
	    !vmm_reaches(n->gdt_pa, (u64)n->gdtr_limit + 1) ||
	    vmm_owns_range(n->gdt_pa, (u64)n->gdtr_limit + 1))
		vmm_panic("cpu %u: the kernel's GDT (%#llx, limit %#x, TR %#llx) is out of reach\n",
			  v->id, (unsigned long long)n->gdtr_base,
			  n->gdtr_limit, (unsigned long long)n->tr);
	((volatile u64 *)n->gdt_pa)[n->tr >> 3] &= ~(1ULL << 41);
	wrmsr(MSR_IA32_SYSENTER_CS, vmread(GUEST_SYSENTER_CS));
	wrmsr(MSR_IA32_SYSENTER_ESP, vmread(GUEST_SYSENTER_ESP));
	wrmsr(MSR_IA32_SYSENTER_EIP, vmread(GUEST_SYSENTER_EIP));
	wrmsr(MSR_PAT, vmread(GUEST_IA32_PAT));
	v->exit_efer = vmread(GUEST_IA32_EFER);
	if (rdmsr(MSR_EFER) != v->exit_efer)
		wrmsr(MSR_EFER, v->exit_efer);
	wrmsr(MSR_IA32_DEBUGCTL, vmread(GUEST_IA32_DEBUGCTL));
	WRITE_ONCE(v->demoted, false);
	vmclear(x->vmcs_pa);
	vmxoff();
	/*
	 * NMIs are not held off in VMX root operation, and vmx_leave()
	 * switches GDT, IDT, TR and CS one after the other: an NMI in
	 * between would go through a gate that means something else in the
	 * other table.  So the CPU sends itself an NMI and leaves from its
	 * handler (vmx_host_nmi()), where NMIs are blocked until the IRET
	 * into the kernel: one that comes meanwhile waits and goes to the
	 * kernel's handler, as does one the kernel was owed.
	 */
	WRITE_ONCE(x->leaving, true);
	vmm_send_nmi(true);
	for (unsigned long i = 0; i < VMX_LEAVE_NMI_WAIT; i++)
		asm volatile("pause" : : : "memory");
	WRITE_ONCE(x->leaving, false);
	vmm_log("cpu %u: the NMI that carries the leave did not come; leaving without it\n",
		v->id);
	if (x->nmi_owed || READ_ONCE(v->nmi_pending))
		vmm_send_nmi(true);
	vmx_leave(v, n);
}

/*
 * The first entry of a launch failed: VMLAUNCH itself (VMfail, @rflags
 * from right after it) or the guest-state checks (an exit with the
 * entry-failed bit).  Nothing ran as a guest yet: give the CPU back in
 * the state captured at the launch, with the error in RAX, which the
 * module's trampoline returns as launch_cpu()'s result.
 */
void __noreturn vmx_entry_failed(struct vcpu *v, u64 rflags)
{
	struct vmx_vcpu *x = &v->arch.vmx;

	if (rflags & 1)	/* CF: VMfailInvalid */
		vmm_log("cpu %u: VMLAUNCH failed without a current VMCS\n", v->id);
	else if (rflags & (1 << 6))	/* ZF: VMfailValid */
		vmm_log("cpu %u: VMLAUNCH refused the VMCS (VM-instruction error %llu); the CPU stays native\n",
			v->id, (unsigned long long)vmread(VM_INSTRUCTION_ERROR));
	else
		vmm_log("cpu %u: VM entry refused the state of the kernel (exit reason %#llx, qualification %#llx); the CPU stays native\n",
			v->id, (unsigned long long)vmread(VM_EXIT_REASON),
			(unsigned long long)vmread(EXIT_QUALIFICATION));
	if (v->entered)
		vmm_panic("cpu %u: VM entry failed after the launch\n", v->id);
	x->rsp = vmread(GUEST_RSP);
	x->rip = vmread(GUEST_RIP);
	x->rflags = vmread(GUEST_RFLAGS);
	v->regs.rax = (u64)(s64)ERR_IO;
	leave_to_native(v);
}

/* IRET unblocked NMIs before the exit: block them again (virtual NMIs). */
static void nmi_unblocked_by_iret(u32 flag)
{
	if (flag)
		vmwrite(GUEST_INTERRUPTIBILITY,
			vmread(GUEST_INTERRUPTIBILITY) | VMX_INTR_STATE_NMI);
}

/* Keep what this exit was and what the next entry gets. */
static void record_exit(struct vcpu *v)
{
	const struct vmx_vcpu *x = &v->arch.vmx;
	struct exit_record *r = &v->last[v->nr_exits++ % VCPU_EXIT_RECORDS];

	r->code = x->exit.reason;
	r->info1 = x->exit.qual;
	r->info2 = x->exit.intr_info;
	r->exit_int_info = vmread(IDT_VECTORING_INFO);
	r->rip = x->rip;
	r->event_inj = vmread(VM_ENTRY_INTR_INFO);
	r->int_ctl = x->irq[0];
	r->intercepts = x->cpu_ctls;
	r->tlb_control = 0;
}

/**
 * vmx_handle_exit() - handle one VM exit; called by the run loop
 * @v:	the exiting CPU
 */
void vmx_handle_exit(struct vcpu *v)
{
	struct vmx_vcpu *x = &v->arch.vmx;
	struct vmx_exit_info *ex = &x->exit;
	struct vcpu_exit e;
	u32 idt, basic;

	v->stats.total_exits++;
	ex->reason = (u32)vmread(VM_EXIT_REASON);
	if (ex->reason & VMX_EXIT_ENTRY_FAILED)
		vmx_entry_failed(v, 0);
	v->entered = true;
	basic = ex->reason & VMX_EXIT_REASON_BASIC;
	ex->qual = vmread(EXIT_QUALIFICATION);
	ex->intr_info = (u32)vmread(VM_EXIT_INTR_INFO);
	ex->insn_info = (u32)vmread(VMX_INSTRUCTION_INFO);
	ex->gpa = basic == VMX_EXIT_EPT_VIOLATION ?
		  vmread(GUEST_PHYSICAL_ADDRESS) : 0;
	x->read[0] = x->rsp = vmread(GUEST_RSP);
	x->read[1] = x->rip = vmread(GUEST_RIP);
	x->read[2] = x->rflags = vmread(GUEST_RFLAGS);

	/* NMIs stay blocked after an NMI's exit until an IRET. */
	if (basic == VMX_EXIT_EXCEPTION_NMI &&
	    (ex->intr_info & VMX_INTR_TYPE_MASK) == VMX_INTR_TYPE_NMI)
		vmx_unblock_nmi();
	/* The event the exit interrupted is delivered again. */
	idt = (u32)vmread(IDT_VECTORING_INFO);
	x->entry_info = vmx_requeue_event(idt);
	x->entry_error = (u32)vmread(IDT_VECTORING_ERROR_CODE);
	if (!(idt & VMX_INTR_VALID)) {
		if (basic == VMX_EXIT_EXCEPTION_NMI &&
		    (ex->intr_info & VMX_INTR_VECTOR) != X86_DF_VECTOR)
			nmi_unblocked_by_iret(ex->intr_info &
					      VMX_INTR_NMI_UNBLOCKED_IRET);
		else if (basic == VMX_EXIT_EPT_VIOLATION)
			nmi_unblocked_by_iret(ex->qual & (1U << 12));
	}

	if (x->dt_step && dt_step_end(v))
		goto enter;
	if (vmx_dt_runs_native(ex)) {
		dt_run_native(v);
		goto enter;
	}
	switch (basic) {
	case VMX_EXIT_INTR_WINDOW:
	case VMX_EXIT_NMI_WINDOW:
		break;		/* prepare_entry() injects what waits */
	case VMX_EXIT_HLT:
		handle_hlt(v);
		break;
	case VMX_EXIT_CR_ACCESS:
		handle_cr(v, ex->qual);
		break;
	case VMX_EXIT_VMXOFF:
		/*
		 * The kernel turns VMX off itself only on its emergency
		 * paths (crash and kdump, emergency restart): it means to
		 * run natively from there on, as it does after VMXOFF.
		 */
		if (!vmx_cpl(v)) {
			v->stats.exits[RTVIRT_EXIT_VIRT_INSN]++;
			vmx_skip(v, VCPU_INSN_CPUID);
			vmm_log("cpu %u: the kernel turned VMX off (VMXOFF): this CPU leaves the VMM\n",
				v->id);
			leave_to_native(v);
		}
		fallthrough;
	default:
		vmx_decode_exit(ex, &e);
		vcpu_handle_exit(v, &e);
		break;
	}
enter:
	prepare_entry(v);
	record_exit(v);
}

const struct vmm_arch_ops vmx_ops = {
	.name = "vmx",
	.probe = vmx_probe,
	.pt_format = &pt_format_ept,
	.nested_shape = vmx_nested_shape,
	.init = vmx_init,
	.init_cpu = vmx_init_cpu,
	.launch_cpu = vmx_launch_cpu,
	.irq_window = vmx_irq_window,
	.exit_rip = vmx_exit_entry,
	.gpr = vmx_gpr,
	.rip = vmx_rip,
	.paging = vmx_paging,
	.flush_tlb = vmx_flush_tlb,
	.inject_gp = vmx_inject_gp,
	.inject_ud = vmx_inject_ud,
	.refresh = vmx_refresh,
	.skip = vmx_skip,
	.cpl = vmx_cpl,
	.emulate_msr = vmx_emulate_msr,
	.leave = leave_to_native,
	.state_lost = vmx_state_lost,
	.irq_room = vmx_irq_room,
	.take_interrupt = vmx_take_interrupt,
	.rflags = vmx_rflags,
	.set_nested_root = vmx_set_nested_root,
	.step = vmx_step,
	.step_taken = vmx_step_taken,
	.inject_db = vmx_inject_db,
	.event = vmx_event,
	.inject = vmx_inject,
	.host_nmi = vmx_host_nmi,
};
