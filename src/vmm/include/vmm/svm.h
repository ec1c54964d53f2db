/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AMD SVM: the VMCB layout (AMD64 APM volume 2, appendix B) and the exit
 * codes and intercept bits the VMM uses.
 */
#ifndef _VMM_SVM_H
#define _VMM_SVM_H

#include <vmm/event.h>
#include <vmm/types.h>

/* Intercept word 3 (offset 0x0c) and word 4 (offset 0x10). */
#define SVM_INTERCEPT_INTR	(1U << 0)
#define SVM_INTERCEPT_VINTR	(1U << 4)
#define SVM_INTERCEPT_IDTR_WRITE (1U << 10)
#define SVM_INTERCEPT_CPUID	(1U << 18)
#define SVM_INTERCEPT_IOIO_PROT	(1U << 27)
#define SVM_INTERCEPT_MSR_PROT	(1U << 28)
#define SVM_INTERCEPT_SHUTDOWN	(1U << 31)

/* CPUID 0x8000000A EDX */
#define SVM_FEATURE_NRIPS	(1U << 3)
#define SVM_INTERCEPT_VMRUN	(1U << 0)
#define SVM_INTERCEPT_VMMCALL	(1U << 1)
#define SVM_INTERCEPT_VMLOAD	(1U << 2)
#define SVM_INTERCEPT_VMSAVE	(1U << 3)
#define SVM_INTERCEPT_STGI	(1U << 4)
#define SVM_INTERCEPT_CLGI	(1U << 5)
#define SVM_INTERCEPT_SKINIT	(1U << 6)

#define SVM_EXIT_EXCP_DB	0x041
#define SVM_EXIT_INTR		0x060
#define SVM_EXIT_VINTR		0x064
#define SVM_EXIT_IDTR_WRITE	0x06a
#define SVM_EXIT_CPUID		0x072
#define SVM_EXIT_SHUTDOWN	0x07f
#define SVM_EXIT_IOIO		0x07b
#define SVM_EXIT_MSR		0x07c
#define SVM_EXIT_VMRUN		0x080
#define SVM_EXIT_VMMCALL	0x081
#define SVM_EXIT_VMLOAD		0x082
#define SVM_EXIT_VMSAVE		0x083
#define SVM_EXIT_STGI		0x084
#define SVM_EXIT_CLGI		0x085
#define SVM_EXIT_SKINIT		0x086
#define SVM_EXIT_NPF		0x400
#define SVM_EXIT_INVALID	((u64)-1)

#define SVM_EVTINJ_VALID	(1U << 31)
#define SVM_EVTINJ_TYPE_INTR	(0U << 8)
#define SVM_EVTINJ_TYPE_NMI	(2U << 8)
#define SVM_EVTINJ_TYPE_EXEPT	(3U << 8)
#define SVM_EVTINJ_TYPE_SOFT	(4U << 8)
#define SVM_EVTINJ_TYPE_MASK	(7U << 8)
#define SVM_EVTINJ_VALID_ERR	(1U << 11)

#define SVM_TLB_FLUSH_ALL	1
#define SVM_V_IRQ		(1ULL << 8)
#define SVM_V_INTR_PRIO		(0xfULL << 16)	/* the highest */
#define SVM_V_IGN_TPR		(1ULL << 20)
#define SVM_V_INTR_VECTOR_SHIFT	32
#define SVM_V_INTR_VECTOR	(0xffULL << SVM_V_INTR_VECTOR_SHIFT)

struct __attribute__((packed)) vmcb_seg {
	u16 selector;
	u16 attrib;
	u32 limit;
	u64 base;
};

struct __attribute__((packed)) vmcb_control {
	u32 intercept_cr;
	u32 intercept_dr;
	u32 intercept_exceptions;
	u32 intercept_misc1;
	u32 intercept_misc2;
	u32 intercept_misc3;
	u8 reserved1[0x3c - 0x18];
	u16 pause_filter_thresh;
	u16 pause_filter_count;
	u64 iopm_base_pa;
	u64 msrpm_base_pa;
	u64 tsc_offset;
	u32 asid;
	u8 tlb_control;
	u8 reserved2[3];
	u64 int_ctl;
	u64 int_state;
	u64 exit_code;
	u64 exit_info1;
	u64 exit_info2;
	u64 exit_int_info;
	u64 nested_ctl;
	u64 avic_vapic_bar;
	u64 ghcb_pa;
	u64 event_inj;
	u64 nested_cr3;
	u64 virt_ext;
	u32 clean;
	u32 reserved3;
	u64 next_rip;
	u8 insn_len;
	u8 insn_bytes[15];
	u8 reserved4[0x400 - 0xe0];
};

struct __attribute__((packed)) vmcb_save {
	struct vmcb_seg es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr;
	u8 reserved1[0xcb - 0xa0];
	u8 cpl;
	u32 reserved2;
	u64 efer;
	u8 reserved3[0x148 - 0xd8];
	u64 cr4;
	u64 cr3;
	u64 cr0;
	u64 dr7;
	u64 dr6;
	u64 rflags;
	u64 rip;
	u8 reserved4[0x1d8 - 0x180];
	u64 rsp;
	u8 reserved5[0x1f8 - 0x1e0];
	u64 rax;
	u64 star;
	u64 lstar;
	u64 cstar;
	u64 sfmask;
	u64 kernel_gs_base;
	u64 sysenter_cs;
	u64 sysenter_esp;
	u64 sysenter_eip;
	u64 cr2;
	u8 reserved6[0x268 - 0x248];
	u64 g_pat;
	u64 dbgctl;
};

struct vmcb {
	struct vmcb_control control;
	struct vmcb_save save;
};

_Static_assert(__builtin_offsetof(struct vmcb_control, iopm_base_pa) == 0x40, "vmcb");
_Static_assert(__builtin_offsetof(struct vmcb_control, asid) == 0x58, "vmcb");
_Static_assert(__builtin_offsetof(struct vmcb_control, exit_code) == 0x70, "vmcb");
_Static_assert(__builtin_offsetof(struct vmcb_control, nested_ctl) == 0x90, "vmcb");
_Static_assert(__builtin_offsetof(struct vmcb_control, event_inj) == 0xa8, "vmcb");
_Static_assert(__builtin_offsetof(struct vmcb_control, nested_cr3) == 0xb0, "vmcb");
_Static_assert(__builtin_offsetof(struct vmcb_control, next_rip) == 0xc8, "vmcb");
_Static_assert(sizeof(struct vmcb_control) == 0x400, "vmcb");
_Static_assert(__builtin_offsetof(struct vmcb, save.cpl) == 0x4cb, "vmcb");
_Static_assert(__builtin_offsetof(struct vmcb, save.efer) == 0x4d0, "vmcb");
_Static_assert(__builtin_offsetof(struct vmcb, save.cr4) == 0x548, "vmcb");
_Static_assert(__builtin_offsetof(struct vmcb, save.rip) == 0x578, "vmcb");
_Static_assert(__builtin_offsetof(struct vmcb, save.rsp) == 0x5d8, "vmcb");
_Static_assert(__builtin_offsetof(struct vmcb, save.rax) == 0x5f8, "vmcb");
_Static_assert(__builtin_offsetof(struct vmcb, save.cr2) == 0x640, "vmcb");
_Static_assert(__builtin_offsetof(struct vmcb, save.g_pat) == 0x668, "vmcb");

#define X86_NMI_VECTOR	2
#define X86_BP_VECTOR	3
#define X86_OF_VECTOR	4

/**
 * svm_requeue_event() - what to inject again after an exit that hit while
 * an event was being delivered
 * @info:	EXITINTINFO of the exit (error code in bits 63:32)
 *
 * External interrupts and NMIs go in again as what they are, even where
 * the CPU (QEMU's TCG) reports them as exceptions of their vector, which
 * VMRUN would refuse.  Software interrupts (INTn) and the software
 * exceptions INT3 and INTO are not injected again: RIP still points at the
 * instruction, which runs again (injected without the next RIP, the
 * handler would return to it and it would run twice).  Reserved event
 * types are dropped.
 *
 * Return: the EVENTINJ value, or 0 for nothing to inject.
 */
static inline u64 svm_requeue_event(u64 info)
{
	u64 type = info & SVM_EVTINJ_TYPE_MASK;
	u64 vector = info & 0xff;
	u64 bare = vector | SVM_EVTINJ_VALID;

	if (!(info & SVM_EVTINJ_VALID))
		return 0;
	switch (type) {
	case SVM_EVTINJ_TYPE_INTR:
		return bare;
	case SVM_EVTINJ_TYPE_NMI:
		return bare | SVM_EVTINJ_TYPE_NMI;
	case SVM_EVTINJ_TYPE_EXEPT:
		if (vector == X86_NMI_VECTOR)
			return bare | SVM_EVTINJ_TYPE_NMI;
		if (vector >= 32)
			return bare;
		if (vector == X86_BP_VECTOR || vector == X86_OF_VECTOR)
			return 0;
		return info;
	default:	/* SOFT re-executes; 1, 5-7 are reserved */
		return 0;
	}
}

/**
 * struct svm_vcpu - a CPU's SVM state, struct vcpu_arch's part (svm.c's)
 * @vmcb:		the kernel's VMCB, and its physical address
 * @guest_vmcb_pa:	(VMRUN, VMLOAD, VMSAVE take it)
 * @host_vmcb:		the VMM's own state for VMLOAD and VMSAVE
 * @host_vmcb_pa:	its physical address
 * @hsave_pa:		the VMM's host save area
 * @guest_hsave_pa:	VM_HSAVE_PA as the kernel sees it
 * @orig_hsave_pa:	VM_HSAVE_PA before the launch
 */
struct svm_vcpu {
	struct vmcb *vmcb;
	u64 guest_vmcb_pa;
	struct vmcb *host_vmcb;
	u64 host_vmcb_pa;
	u64 hsave_pa;
	u64 guest_hsave_pa;
	u64 orig_hsave_pa;
};

/**
 * struct svm_vmm - the VMM's SVM state, struct vmm_vendor's part
 * @msrpm_pa:	the MSR permission map, physical
 * @msrpm:	the MSR permission map
 * @nrips:	the CPU saves the next RIP at intercepts
 */
struct svm_vmm {
	u64 msrpm_pa;
	u8 *msrpm;
	bool nrips;
};

/* SVM's event layout is the architectural one of <vmm/event.h>. */
_Static_assert(SVM_EVTINJ_VALID == X86_EVENT_VALID &&
	       SVM_EVTINJ_TYPE_MASK == X86_EVENT_TYPE_MASK &&
	       SVM_EVTINJ_TYPE_INTR == X86_EVENT_TYPE_INTR &&
	       SVM_EVTINJ_TYPE_NMI == X86_EVENT_TYPE_NMI &&
	       SVM_EVTINJ_TYPE_EXEPT == X86_EVENT_TYPE_EXCEPTION &&
	       SVM_EVTINJ_VALID_ERR == X86_EVENT_ERROR_CODE, "EVENTINJ");

/* The MSR permission map (msrpm.c). */
#define SVM_MSRPM_SIZE	8192

int svm_msrpm_set(u8 *msrpm, u32 msr, bool read, bool write);
bool svm_msrpm_test(const u8 *msrpm, u32 msr, bool write);
int svm_msrpm_build(u8 *msrpm);

#endif /* _VMM_SVM_H */
