// SPDX-License-Identifier: GPL-2.0
/*
 * AMD SVM backend: builds the VMCB from the live CPU state, demotes the
 * CPU with VMRUN, handles the few intercepts the VMM needs, and gives the
 * CPU back to native execution on the unlaunch hypercall.
 */
#include <vmm/device.h>
#include <vmm/log.h>
#include <vmm/policy.h>
#include <vmm/svm.h>
#include <vmm/vmm.h>
#include <vmm/x86.h>

void __noreturn svm_enter(struct vcpu *v);
void __noreturn svm_leave(struct vcpu *v);
void svm_handle_exit(struct vcpu *v);
u32 svm_take_interrupt(void);
extern const u8 svm_vmrun_return[], svm_irq_window[];
static void svm_refresh(struct vcpu *v);

static inline void vmsave(u64 pa)
{
	asm volatile("vmsave %%rax" : : "a"(pa) : "memory");
}

/* VMCB attribute bits from a GDT descriptor: bits 40-47 and 52-55. */
static u16 seg_attrib(const struct dtr *gdtr, u16 sel)
{
	u64 d;

	if (!(sel & ~3U) || (sel & 4))
		return 0;
	memcpy(&d, (const u8 *)gdtr->base + (sel & ~7U), 8);
	return ((d >> 40) & 0xff) | ((d >> 44) & 0xf00);
}

static void capture_seg(struct vmcb_seg *s, const struct dtr *gdtr, u16 sel)
{
	s->selector = sel;
	s->attrib = seg_attrib(gdtr, sel);
	s->limit = 0xffffffff;
	s->base = 0;
}

/* CPUID Fn8000_0001 ECX: SVM. */
static bool svm_probe(void)
{
	u32 a, b, c, d;

	cpuid_count(0x80000000, 0, &a, &b, &c, &d);
	if (a < 0x80000001)
		return false;
	cpuid_count(0x80000001, 0, &a, &b, &c, &d);
	return c & (1U << 2);
}

static int svm_init(void)
{
	u32 a, b, c, d, ext_c, ext_d, ext8_b, ext21_a = 0;

	cpuid_count(0x80000001, 0, &a, &b, &ext_c, &ext_d);
	cpuid_count(0x80000008, 0, &a, &ext8_b, &c, &d);
	cpuid_count(0x80000000, 0, &a, &b, &c, &d);
	if (a >= 0x80000021)
		cpuid_count(0x80000021, 0, &ext21_a, &b, &c, &d);
	vmm.efer_writable = policy_efer_writable(ext_c, ext_d, ext8_b, ext21_a);
	if (a >= 0x8000000a) {
		cpuid_count(0x8000000a, 0, &a, &b, &c, &d);
		vmm.arch.svm.nrips = d & SVM_FEATURE_NRIPS;
	}

	vmm.arch.svm.msrpm = vmm_alloc_pages(2, &vmm.arch.svm.msrpm_pa);
	if (!vmm.arch.svm.msrpm)
		return ERR_NOMEM;
	return svm_msrpm_build(vmm.arch.svm.msrpm) ? ERR_INVAL : 0;
}

/*
 * VMCB, host VMCB, host save area, scratch page: VMM_ARCH_CPU_PAGES.  The
 * copy of the launch's guest state lives in the host VMCB's page, after
 * the part VMSAVE and VMLOAD use (the save area).
 */
#define LAUNCH_SAVE_OFFSET	2048
_Static_assert(__builtin_offsetof(struct vmcb, save) +
	       sizeof(struct vmcb_save) <= LAUNCH_SAVE_OFFSET, "host VMCB");
_Static_assert(LAUNCH_SAVE_OFFSET + sizeof(struct vmcb_save) <= PT_PAGE_SIZE,
	       "launch save");

static int svm_init_cpu(struct vcpu *v)
{
	u64 pa;

	v->arch.svm.vmcb = vmm_alloc_pages(1, &v->arch.svm.guest_vmcb_pa);
	v->arch.svm.host_vmcb = vmm_alloc_pages(1, &v->arch.svm.host_vmcb_pa);
	if (!v->arch.svm.vmcb || !v->arch.svm.host_vmcb || !vmm_alloc_pages(1, &pa))
		return ERR_NOMEM;
	v->launch_save = (u8 *)v->arch.svm.host_vmcb + LAUNCH_SAVE_OFFSET;
	v->arch.svm.hsave_pa = pa;
	v->scratch = vmm_alloc_pages(1, &v->scratch_pa);
	return v->scratch ? 0 : ERR_NOMEM;
}

/* Fill the guest VMCB from the CPU's current (kernel) state. */
static void setup_vmcb(struct vcpu *v, u64 guest_rsp, u64 guest_rip)
{
	struct vmcb *vmcb = v->arch.svm.vmcb;
	struct vmcb_control *c = &vmcb->control;
	struct vmcb_save *s = &vmcb->save;
	struct dtr gdtr, idtr;

	memset(vmcb, 0, sizeof(*vmcb));
	c->intercept_misc1 = SVM_INTERCEPT_CPUID | SVM_INTERCEPT_MSR_PROT |
			     SVM_INTERCEPT_IDTR_WRITE | SVM_INTERCEPT_SHUTDOWN;
	c->intercept_misc2 = SVM_INTERCEPT_VMRUN | SVM_INTERCEPT_VMMCALL |
			     SVM_INTERCEPT_VMLOAD | SVM_INTERCEPT_VMSAVE |
			     SVM_INTERCEPT_STGI | SVM_INTERCEPT_CLGI |
			     SVM_INTERCEPT_SKINIT;
	c->iopm_base_pa = vmm.ports_pa;
	c->msrpm_base_pa = vmm.arch.svm.msrpm_pa;
	c->asid = 1;
	c->tlb_control = SVM_TLB_FLUSH_ALL;
	/* V_INTR_MASKING off: physical interrupts go straight to the guest. */
	c->int_ctl = 0;
	c->nested_ctl = 1;
	c->nested_cr3 = vmm.npt.root;

	sgdt(&gdtr);
	sidt(&idtr);
	capture_seg(&s->cs, &gdtr, read_cs());
	capture_seg(&s->ss, &gdtr, read_ss());
	capture_seg(&s->ds, &gdtr, read_ds());
	capture_seg(&s->es, &gdtr, read_es());
	s->gdtr.limit = gdtr.limit;
	s->gdtr.base = gdtr.base;
	s->idtr.limit = idtr.limit;
	s->idtr.base = idtr.base;
	s->cpl = 0;
	s->efer = rdmsr(MSR_EFER);
	s->cr0 = read_cr0();
	s->cr2 = read_cr2();
	s->cr3 = read_cr3();
	s->cr4 = read_cr4();
	s->dr6 = read_dr6();
	s->dr7 = read_dr7();
	s->rflags = read_rflags();
	s->rsp = guest_rsp;
	s->rip = guest_rip;
	s->rax = 0;
	s->g_pat = rdmsr(MSR_PAT);
	/* FS, GS, TR, LDTR, KernelGsBase, STAR family, SYSENTER family. */
	vmsave(v->arch.svm.guest_vmcb_pa);
}

static int svm_launch_cpu(struct vcpu *v, u64 guest_rsp, u64 guest_rip,
			  unsigned int flags)
{
	u64 efer = rdmsr(MSR_EFER);

	if (efer & EFER_SVME)
		return ERR_BUSY;	/* another hypervisor uses SVM */
	if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS)
		return ERR_NODEV;
	v->arch.svm.orig_hsave_pa = rdmsr(MSR_VM_HSAVE_PA);
	v->arch.svm.guest_hsave_pa = 0;
	wrmsr(MSR_EFER, efer | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, v->arch.svm.hsave_pa);
	setup_vmcb(v, guest_rsp, guest_rip);
	memcpy(v->launch_save, &v->arch.svm.vmcb->save,
	       sizeof(v->arch.svm.vmcb->save));
	/* Test hook: a guest EFER without SVME fails VMRUN's checks. */
	if (flags & RTVIRT_LAUNCH_FAIL_VMRUN)
		v->arch.svm.vmcb->save.efer &= ~EFER_SVME;
	svm_refresh(v);
	v->exit_efer = efer;
	WRITE_ONCE(v->demoted, true);
	svm_enter(v);
}

static const u8 insn_cpuid[] = { 0x0f, 0xa2 };
static const u8 insn_rdmsr[] = { 0x0f, 0x32 };
static const u8 insn_wrmsr[] = { 0x0f, 0x30 };
static const u8 insn_vmmcall[] = { 0x0f, 0x01, 0xd9 };

/*
 * Resume the guest after the intercepted instruction: at the next RIP the
 * CPU saved (the IOIO exit always gives it, other exits where the CPU has
 * NRIP save), else past the instruction and its prefixes as fetched from
 * the guest.
 */
static void svm_skip(struct vcpu *v, enum vcpu_insn insn)
{
	static const struct {
		const u8 *opcode;
		size_t len;
	} insns[] = {
		[VCPU_INSN_CPUID] = { insn_cpuid, sizeof(insn_cpuid) },
		[VCPU_INSN_RDMSR] = { insn_rdmsr, sizeof(insn_rdmsr) },
		[VCPU_INSN_WRMSR] = { insn_wrmsr, sizeof(insn_wrmsr) },
		[VCPU_INSN_HYPERCALL] = { insn_vmmcall, sizeof(insn_vmmcall) },
	};
	struct vmcb *vmcb = v->arch.svm.vmcb;

	if (insn == VCPU_INSN_IO)
		vmcb->save.rip = vmcb->control.exit_info2;
	else if (vmm.arch.svm.nrips && vmcb->control.next_rip)
		vmcb->save.rip = vmcb->control.next_rip;
	else
		vmcb->save.rip += guest_insn_len(v, insns[insn].opcode,
						 insns[insn].len);
}

/*
 * Raise an exception for the kernel at this exit.  An event re-queued from
 * EXITINTINFO (requeue_event()) is combined with it as the CPU would
 * (x86_merge_exception(): #DF, or the new exception first); an interrupt
 * or NMI that was being delivered is held and goes in at a later entry
 * that injects nothing else (vcpu_finish_events(), core/event.c).
 */
static void raise_exception(struct vcpu *v, u64 exc)
{
	struct vmcb_control *c = &v->arch.svm.vmcb->control;
	u64 held, ev = x86_merge_exception(c->event_inj, exc, &held);

	if (ev == X86_MERGE_SHUTDOWN) {
		v->stats.exits[RTVIRT_EXIT_SHUTDOWN]++;
		vmm_panic("cpu %u: guest shutdown (exception %llu while delivering #DF) at rip %#llx\n",
			  v->id, (unsigned long long)(exc & 0xff),
			  (unsigned long long)v->arch.svm.vmcb->save.rip);
	}
	c->event_inj = ev;
	if ((held & SVM_EVTINJ_TYPE_MASK) == SVM_EVTINJ_TYPE_NMI)
		v->nmi_pending = true;
	else if (held)
		v->held_irq = VCPU_HELD_IRQ | (held & 0xff);
}

static void inject_ud(struct vcpu *v)
{
	raise_exception(v, 6 | SVM_EVTINJ_TYPE_EXEPT | SVM_EVTINJ_VALID);
}

static void inject_gp0(struct vcpu *v)
{
	raise_exception(v, 13 | SVM_EVTINJ_TYPE_EXEPT | SVM_EVTINJ_VALID_ERR |
			   SVM_EVTINJ_VALID);
}

static u64 *svm_gpr(struct vcpu *v, unsigned int reg)
{
	static const unsigned char slot[16] = {
		[1] = 2, [2] = 3, [3] = 1, [5] = 6, [6] = 4, [7] = 5,
		[8] = 7, [9] = 8, [10] = 9, [11] = 10, [12] = 11, [13] = 12,
		[14] = 13, [15] = 14,
	};

	/* The save area is packed, but these fields are 8-byte aligned. */
	if (reg == 0)
		return (u64 *)((u8 *)v->arch.svm.vmcb +
			       __builtin_offsetof(struct vmcb, save.rax));
	if (reg == 4)
		return (u64 *)((u8 *)v->arch.svm.vmcb +
			       __builtin_offsetof(struct vmcb, save.rsp));
	/* struct guest_regs: rax rbx rcx rdx rsi rdi rbp r8..r15 */
	return &(&v->regs.rax)[slot[reg & 15]];
}

static u64 *svm_rip(struct vcpu *v)
{
	return (u64 *)((u8 *)v->arch.svm.vmcb +
		       __builtin_offsetof(struct vmcb, save.rip));
}

#define X86_CR4_LA57	(1ULL << 12)

static void svm_paging(struct vcpu *v, u64 *cr3, bool *la57)
{
	*cr3 = v->arch.svm.vmcb->save.cr3;
	*la57 = v->arch.svm.vmcb->save.cr4 & X86_CR4_LA57;
}

static void svm_flush_tlb(struct vcpu *v)
{
	v->arch.svm.vmcb->control.tlb_control = SVM_TLB_FLUSH_ALL;
}

static void svm_inject_gp(struct vcpu *v)
{
	inject_gp0(v);
}

/*
 * While a device is virtualized its configuration ports are trapped, and
 * while a model wants them, physical interrupts exit: the device models
 * post what their devices completed before the kernel's handler looks
 * (vcpu_interrupt()).
 */
static void svm_refresh(struct vcpu *v)
{
	struct vmcb_control *c = &v->arch.svm.vmcb->control;

	if (vdev_any_virtualized())
		c->intercept_misc1 |= SVM_INTERCEPT_IOIO_PROT;
	else
		c->intercept_misc1 &= ~SVM_INTERCEPT_IOIO_PROT;
	if (vdev_wants_interrupts())
		c->intercept_misc1 |= SVM_INTERCEPT_INTR;
	else
		c->intercept_misc1 &= ~SVM_INTERCEPT_INTR;
}

/*
 * Give the kernel an interrupt the VMM accepted, as its interrupt
 * controller would have: as a virtual interrupt (V_IRQ), taken as soon as
 * RFLAGS.IF allows, or, while one waits there, through event injection
 * now.  The one waiting has the lower priority: the local APIC delivered
 * this one to the VMM with the other's vector in service.  Event injection
 * is kept to that case: QEMU's TCG leaves an injected interrupt's vector
 * as its pending exception (helper_vmrun()), which a later exit request
 * delivers a second time.
 */
static void inject_interrupt(struct vmcb_control *c, u8 vector)
{
	if (!(c->int_ctl & SVM_V_IRQ)) {
		c->int_ctl = (c->int_ctl & ~SVM_V_INTR_VECTOR) | SVM_V_IRQ |
			     SVM_V_IGN_TPR | SVM_V_INTR_PRIO |
			     (u64)vector << SVM_V_INTR_VECTOR_SHIFT;
		return;
	}
	c->event_inj = vector | SVM_EVTINJ_TYPE_INTR | SVM_EVTINJ_VALID;
}

/*
 * An event that was being delivered when the exit hit is delivered again;
 * an interrupt goes back as a virtual interrupt where one can (see
 * inject_interrupt()).  QEMU's TCG keeps V_IRQ set while it delivers the
 * virtual interrupt, and reports that delivery in EXITINTINFO too: that
 * one V_IRQ delivers once.
 */
static void requeue_event(struct vmcb_control *c)
{
	u64 ev = svm_requeue_event(c->exit_int_info);

	c->event_inj = 0;
	if ((ev & SVM_EVTINJ_TYPE_MASK) != SVM_EVTINJ_TYPE_INTR || !ev) {
		c->event_inj = ev;
		return;
	}
	if ((c->int_ctl & SVM_V_IRQ) &&
	    ((c->int_ctl & SVM_V_INTR_VECTOR) >> SVM_V_INTR_VECTOR_SHIFT) ==
	    (ev & 0xff))
		return;
	inject_interrupt(c, ev & 0xff);
}

/* What the next entry injects: EVENTINJ (V_IRQ is the interrupt's wait). */
static enum vcpu_event svm_event(struct vcpu *v, u8 *vector)
{
	return vcpu_event_of(v->arch.svm.vmcb->control.event_inj, vector);
}

static void svm_inject(struct vcpu *v, enum vcpu_event type, u8 vector)
{
	struct vmcb_control *c = &v->arch.svm.vmcb->control;

	switch (type) {
	case VCPU_EVENT_INTR:	/* next to what EVENTINJ holds, see above */
		inject_interrupt(c, vector);
		break;
	case VCPU_EVENT_NMI:
		c->event_inj = X86_TRAP_NMI | SVM_EVTINJ_TYPE_NMI |
			       SVM_EVTINJ_VALID;
		break;
	case VCPU_EVENT_MC:
		c->event_inj = X86_TRAP_MC | SVM_EVTINJ_TYPE_EXEPT |
			       SVM_EVTINJ_VALID;
		break;
	default:
		c->event_inj = 0;
		break;
	}
}

/*
 * Room for one more interrupt for the kernel: V_IRQ, or event injection
 * while one waits there (inject_interrupt()).  The window
 * (svm_take_interrupt()) sets GIF for one instruction boundary.
 */
static bool svm_irq_room(struct vcpu *v)
{
	const struct vmcb_control *c = &v->arch.svm.vmcb->control;

	return !(c->int_ctl & SVM_V_IRQ) || !(c->event_inj & SVM_EVTINJ_VALID);
}

/* EXITINFO1 of an IOIO exit (a port the I/O permission map traps). */
#define IOIO_IN		(1U << 0)
#define IOIO_STR	(1U << 2)
#define IOIO_SZ_SHIFT	4

/*
 * Give the CPU back to the kernel natively, after the instruction that
 * exited: VM_HSAVE_PA as before the launch, the guest's EFER with SVME
 * clear (as it was at the launch).
 */
static void __noreturn leave_to_native(struct vcpu *v)
{
	/*
	 * An interrupt the VMM accepted is taken before the kernel runs
	 * another instruction, an NMI at the entry after the exit that
	 * caught it (vcpu_interrupt()): none can be waiting at a hypercall.
	 */
	if ((v->arch.svm.vmcb->control.int_ctl & SVM_V_IRQ) || v->nmi_pending ||
	    v->held_irq || v->mce_pending)
		vmm_log("cpu %u: leaves with an interrupt or machine check for the kernel undelivered\n",
			v->id);
	wrmsr(MSR_VM_HSAVE_PA, v->arch.svm.orig_hsave_pa);
	v->exit_efer = v->arch.svm.vmcb->save.efer & ~EFER_SVME;
	WRITE_ONCE(v->demoted, false);
	svm_leave(v);
}

/*
 * The emulated MSRs (policy_msr_emulated()).  The kernel turns SVM off
 * itself (EFER.SVME cleared) only on its emergency paths (crash and kdump,
 * emergency restart: cpu_emergency_disable_virtualization() on every CPU,
 * KVM's reboot code): it means to run natively from there on, so the VMM
 * leaves this CPU after the WRMSR, and a crash kernel starts natively.
 */
static int svm_emulate_msr(struct vcpu *v, u32 msr, bool write, u64 *val)
{
	struct vmcb *vmcb = v->arch.svm.vmcb;
	u64 efer;

	switch (msr) {
	case MSR_EFER:
		/*
		 * SVME reads as set: the VMM uses SVM on this CPU, and a
		 * hypervisor of the kernel's (kvm_amd) must see that SVM is
		 * taken and refuse, as it does on any CPU where another
		 * hypervisor runs.
		 */
		if (!write) {
			*val = vmcb->save.efer;
			return VCPU_MSR_DONE;
		}
		if (!policy_efer_write(vmcb->save.efer, *val, vmm.efer_writable,
				       vmcb->save.cr0 & X86_CR0_PG, &efer))
			return VCPU_MSR_GP;
		vmcb->save.efer = efer;
		if (efer & EFER_SVME)
			return VCPU_MSR_DONE;
		vmm_log("cpu %u: the kernel turned SVM off (EFER.SVME cleared): this CPU leaves the VMM\n",
			v->id);
		return VCPU_MSR_LEAVE;
	case MSR_VM_HSAVE_PA:
		if (write)
			v->arch.svm.guest_hsave_pa = *val;
		else
			*val = v->arch.svm.guest_hsave_pa;
		return VCPU_MSR_DONE;
	case MSR_PAT:
		/*
		 * The kernel's PAT is the guest PAT (G_PAT) under nested
		 * paging; svm_leave() puts it in IA32_PAT at the unlaunch.
		 * Kept here rather than left to the CPU: QEMU's TCG does not
		 * save a guest's PAT write into G_PAT.
		 */
		if (!write) {
			*val = vmcb->save.g_pat;
			return VCPU_MSR_DONE;
		}
		if (!policy_pat_valid(*val))
			return VCPU_MSR_GP;
		vmcb->save.g_pat = *val;
		return VCPU_MSR_DONE;
	default:	/* VM_CR: SVM disabled and locked as far as the guest knows */
		if (!write)
			*val = rdmsr(MSR_VM_CR) | VM_CR_SVMDIS | VM_CR_LOCK;
		return VCPU_MSR_DONE;
	}
}

/* CPL is SS.DPL (QEMU ignores VMCB.CPL). */
static unsigned int svm_cpl(struct vcpu *v)
{
	return (v->arch.svm.vmcb->save.ss.attrib >> 5) & 3;
}

static u64 *svm_rflags(struct vcpu *v)
{
	return (u64 *)((u8 *)v->arch.svm.vmcb +
		       __builtin_offsetof(struct vmcb, save.rflags));
}

static void svm_set_nested_root(struct vcpu *v, u64 root)
{
	v->arch.svm.vmcb->control.nested_cr3 = root;
	v->arch.svm.vmcb->control.tlb_control = SVM_TLB_FLUSH_ALL;
}

/*
 * The step of a contained access: #DB exits, and the stepped instruction
 * runs in an interrupt shadow, so that no interrupt handler runs on the
 * step view first.
 */
static void svm_step(struct vcpu *v, bool on)
{
	struct vmcb_control *c = &v->arch.svm.vmcb->control;

	if (on) {
		c->int_state |= 1;
		c->intercept_exceptions |= 1U << X86_TRAP_DB;
	} else {
		c->intercept_exceptions &= ~(1U << X86_TRAP_DB);
	}
}

/* The CPU recorded the VMM's single step in DR6: not the kernel's. */
static void svm_step_taken(struct vcpu *v)
{
	v->arch.svm.vmcb->save.dr6 &= ~X86_DR6_BS;
}

static void svm_inject_db(struct vcpu *v)
{
	raise_exception(v, X86_TRAP_DB | SVM_EVTINJ_TYPE_EXEPT | SVM_EVTINJ_VALID);
}

/*
 * The first VMRUN of a launch failed (VMEXIT_INVALID: the CPU refused the
 * state built from the kernel's).  Nothing has run as a guest yet: give
 * the CPU back natively in the state captured at the launch (the CPU may
 * have written over the VMCB's), with the error in RAX, which the module's
 * trampoline returns as launch_cpu()'s result.
 */
static void __noreturn svm_launch_failed(struct vcpu *v)
{
	struct vmcb *vmcb = v->arch.svm.vmcb;

	vmm_log("cpu %u: VMRUN refused the state of the kernel (exit %#llx); the CPU stays native\n",
		v->id, (unsigned long long)vmcb->control.exit_code);
	memcpy(&vmcb->save, v->launch_save, sizeof(vmcb->save));
	vmcb->save.rax = (u64)(s64)ERR_IO;
	leave_to_native(v);
}

/*
 * Name what the VMCB's save area holds when the kernel's state is gone:
 * whose VMCB or host save area its RAX names (VMRUN leaves the VMCB's
 * address in RAX, and the CPU saves it with the host state), and the
 * stack and instruction, so that the emulator bug of
 * Documentation/testing.rst can be told from state shared between CPUs.
 */
static void __noreturn guest_state_lost(struct vcpu *v)
{
	const struct vmcb_save *s = &v->arch.svm.vmcb->save;
	unsigned int owner = ~0U;
	const char *what = "no CPU's VMCB or save area";

	for (unsigned int i = 0; i < vmm.boot.nr_cpus; i++) {
		const struct vcpu *o = vmm.cpus[i];

		if (!o)
			continue;
		if (s->rax == o->arch.svm.guest_vmcb_pa) {
			owner = i;
			what = "the VMCB of cpu";
		} else if (s->rax == o->arch.svm.hsave_pa) {
			owner = i;
			what = "the host save area of cpu";
		}
	}
	vmm_log("cpu %u: exit %#llx info %#llx %#llx; save area: rip %#llx rsp %#llx rax %#llx (%s %d); own VMCB %#llx, host save %#llx (VM_HSAVE_PA %#llx)\n",
		v->id, (unsigned long long)v->arch.svm.vmcb->control.exit_code,
		(unsigned long long)v->arch.svm.vmcb->control.exit_info1,
		(unsigned long long)v->arch.svm.vmcb->control.exit_info2,
		(unsigned long long)s->rip, (unsigned long long)s->rsp,
		(unsigned long long)s->rax, what, (int)owner,
		(unsigned long long)v->arch.svm.guest_vmcb_pa,
		(unsigned long long)v->arch.svm.hsave_pa,
		(unsigned long long)rdmsr(MSR_VM_HSAVE_PA));
	for (unsigned int i = VCPU_EXIT_RECORDS; i; i--) {
		const struct exit_record *r =
			&v->last[(v->nr_exits - i) % VCPU_EXIT_RECORDS];

		if (v->nr_exits < i)
			continue;
		vmm_log("cpu %u: exit -%u: %#llx info %#llx %#llx intinfo %#llx; resumed at %#llx, inject %#llx, int_ctl %#llx, intercepts %#x, tlb %u\n",
			v->id, i, (unsigned long long)r->code,
			(unsigned long long)r->info1,
			(unsigned long long)r->info2,
			(unsigned long long)r->exit_int_info,
			(unsigned long long)r->rip,
			(unsigned long long)r->event_inj,
			(unsigned long long)r->int_ctl, r->intercepts,
			r->tlb_control);
	}
	vmm_panic("cpu %u: guest state lost: the VMCB holds the VMM's own state (emulator bug)\n",
		  v->id);
}

/*
 * Whether the VMCB's save area holds the VMM's own state instead of the
 * kernel's (guest_state_lost(), record_exit()): then nothing can resume
 * the kernel, natively or as a guest.
 */
static bool svm_state_lost(struct vcpu *v)
{
	return v->arch.svm.vmcb->save.cr3 == v->vmm_cr3;
}

/* Keep what this exit was and what the next entry gets. */
static void record_exit(struct vcpu *v)
{
	const struct vmcb *vmcb = v->arch.svm.vmcb;
	struct exit_record *r = &v->last[v->nr_exits++ % VCPU_EXIT_RECORDS];

	r->code = vmcb->control.exit_code;
	r->info1 = vmcb->control.exit_info1;
	r->info2 = vmcb->control.exit_info2;
	r->exit_int_info = vmcb->control.exit_int_info;
	r->rip = vmcb->save.rip;
	r->event_inj = vmcb->control.event_inj;
	r->int_ctl = vmcb->control.int_ctl;
	r->intercepts = vmcb->control.intercept_misc1;
	r->tlb_control = vmcb->control.tlb_control;
	/*
	 * The state the next VMRUN loads must be the kernel's: if the VMM
	 * itself left its own there, that is a VMM bug, not the emulator's.
	 */
	if (svm_state_lost(v))
		vmm_panic("cpu %u: the VMCB holds the VMM's own state before VMRUN (VMM bug)\n",
			  v->id);
}

/* The exit in the terms of vcpu_handle_exit(). */
static void svm_decode_exit(const struct vmcb *vmcb, struct vcpu_exit *e)
{
	u64 code = vmcb->control.exit_code;
	u64 info1 = vmcb->control.exit_info1;

	*e = (struct vcpu_exit){
		.reason = VCPU_EXIT_UNKNOWN,
		.raw = { code, info1, vmcb->control.exit_info2 },
	};
	switch (code) {
	case SVM_EXIT_INTR:
		e->reason = VCPU_EXIT_INTERRUPT;
		break;
	case SVM_EXIT_VMMCALL:
		e->reason = VCPU_EXIT_HYPERCALL;
		break;
	case SVM_EXIT_IDTR_WRITE:
		e->reason = VCPU_EXIT_IDT_LOAD;
		break;
	case SVM_EXIT_CPUID:
		e->reason = VCPU_EXIT_CPUID;
		break;
	case SVM_EXIT_MSR:
		e->reason = VCPU_EXIT_MSR;
		e->write = info1 & 1;
		break;
	case SVM_EXIT_IOIO:
		e->reason = VCPU_EXIT_IO;
		e->port = info1 >> 16;
		e->size = (info1 >> IOIO_SZ_SHIFT) & 7;
		e->write = !(info1 & IOIO_IN);
		e->string = info1 & IOIO_STR;
		break;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
		e->reason = VCPU_EXIT_VIRT_INSN;
		break;
	case SVM_EXIT_SHUTDOWN:
		e->reason = VCPU_EXIT_SHUTDOWN;
		break;
	case SVM_EXIT_NPF:
		e->reason = VCPU_EXIT_NPF;
		e->gpa = vmcb->control.exit_info2;
		e->write = info1 & 2;
		e->fetch = info1 & 16;
		break;
	case SVM_EXIT_EXCP_DB:
		e->reason = VCPU_EXIT_DEBUG;
		break;
	}
}

/**
 * svm_handle_exit() - handle one #VMEXIT; called by the run loop
 * @v:	the exiting CPU
 */
void svm_handle_exit(struct vcpu *v)
{
	struct vmcb *vmcb = v->arch.svm.vmcb;
	u64 code = vmcb->control.exit_code;
	struct vcpu_exit e;

	v->stats.total_exits++;
	if (!v->entered) {
		/* QEMU stores VMEXIT_INVALID (-1) in 32 bits only. */
		if ((u32)code == (u32)SVM_EXIT_INVALID)
			svm_launch_failed(v);
		v->entered = true;
	}
	/*
	 * Unpatched QEMU 10.0.2 TCG (and 7.2) lets another vCPU's thread
	 * write CPU 0's old nested-paging flag back right after a #VMEXIT;
	 * the VMM's first instruction fetch then faults in the nested table
	 * and QEMU takes a second #VMEXIT in host mode, saving the VMM's own
	 * state (RIP after VMRUN, the VMM's stack and CR3) over the guest
	 * state the first one saved (Documentation/testing.rst, Dependencies).
	 * The kernel's state is gone; say so rather than resume the kernel on
	 * the VMM's stack.
	 */
	if (svm_state_lost(v))
		guest_state_lost(v);
	vmcb->control.tlb_control = 0;
	requeue_event(&vmcb->control);
	svm_decode_exit(vmcb, &e);
	vcpu_handle_exit(v, &e);
	record_exit(v);
}

const struct vmm_arch_ops svm_ops = {
	.name = "svm",
	.probe = svm_probe,
	.pt_format = &pt_format_npt,
	.init = svm_init,
	.init_cpu = svm_init_cpu,
	.launch_cpu = svm_launch_cpu,
	.irq_window = svm_irq_window,
	.exit_rip = svm_vmrun_return,
	.gpr = svm_gpr,
	.rip = svm_rip,
	.paging = svm_paging,
	.flush_tlb = svm_flush_tlb,
	.inject_gp = svm_inject_gp,
	.inject_ud = inject_ud,
	.refresh = svm_refresh,
	.skip = svm_skip,
	.cpl = svm_cpl,
	.emulate_msr = svm_emulate_msr,
	.leave = leave_to_native,
	.state_lost = svm_state_lost,
	.irq_room = svm_irq_room,
	.take_interrupt = svm_take_interrupt,
	.rflags = svm_rflags,
	.set_nested_root = svm_set_nested_root,
	.step = svm_step,
	.step_taken = svm_step_taken,
	.inject_db = svm_inject_db,
	.event = svm_event,
	.inject = svm_inject,
};
