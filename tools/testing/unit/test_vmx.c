// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the VMX backend's pure parts: the control field
 * adjustment from the capability MSRs (src/vmm/arch/x86/vmx/controls.c),
 * with the values a Haswell reports (the TRUE_* MSRs and the older ones),
 * the CR0/CR4 fixed bits, EPT depth, pages, pointer and invalidations
 * from IA32_VMX_EPT_VPID_CAP (ept.c), segment access rights and pending
 * debug exceptions (guest_state.c), and the decoding of exits into the
 * arch-neutral struct vcpu_exit, the descriptor-table instructions that
 * run natively and the end of their step, and the re-injection of an
 * event an exit interrupted (src/vmm/arch/x86/vmx/exit.c), and when the
 * events that wait for the kernel go in (events.c).
 */
#include <check.h>
#include <stdlib.h>

#include <vmm/vmm.h>
#include <vmm/vmx.h>
#include <vmm/x86.h>

/* A Haswell's capability MSRs (the TRUE_* ones and the older ones). */
#define HSW_TRUE_PINBASED	0x0000007f00000016ULL
#define HSW_PROCBASED		0xfff9fffe0401e172ULL
#define HSW_TRUE_PROCBASED	0xfff9fffe04006172ULL
#define HSW_PROCBASED2		0x000000ff00000000ULL
#define HSW_TRUE_EXIT		0x007fffff00036dfbULL
#define HSW_TRUE_ENTRY		0x0000ffff000011fbULL

/* The reserved bits those MSRs force on (vmx.h): they mean no exit. */
#define PIN_RESERVED1		VMX_PIN_RESERVED1
#define CPU_RESERVED1		VMX_CPU_RESERVED1
#define EXIT_RESERVED1		VMX_EXIT_RESERVED1
#define ENTRY_RESERVED1		VMX_ENTRY_RESERVED1

START_TEST(ctls_true_msrs)
{
	struct vmx_ctls_req pin = {
		.need = PIN_EXT_INTR_EXITING | PIN_NMI_EXITING |
			PIN_VIRTUAL_NMIS,
		.allow = PIN_RESERVED1,
	};
	struct vmx_ctls_req cpu = {
		.need = CPU_USE_IO_BITMAPS | CPU_USE_MSR_BITMAPS |
			CPU_SECONDARY_CTLS,
		.want = CPU_MONITOR_TRAP_FLAG,
		.allow = CPU_RESERVED1 | CPU_INTR_WINDOW_EXITING |
			 CPU_NMI_WINDOW_EXITING,
	};
	struct vmx_ctls_req ex = {
		.need = EXIT_HOST_ADDR_SPACE_64 | EXIT_LOAD_EFER |
			EXIT_SAVE_EFER,
		.allow = EXIT_RESERVED1,
	};
	struct vmx_ctls_req en = {
		.need = ENTRY_IA32E_MODE | ENTRY_LOAD_EFER,
		.allow = ENTRY_RESERVED1,
	};
	u32 val;

	ck_assert_uint_eq(vmx_adjust_ctls(HSW_TRUE_PINBASED, &pin, &val), 0);
	ck_assert_uint_eq(val, 0x16 | 0x01 | 0x08 | 0x20);
	ck_assert_uint_eq(vmx_adjust_ctls(HSW_TRUE_PROCBASED, &cpu, &val), 0);
	/* MTF is there: wanted, so set; nothing else but the forced bits. */
	ck_assert_uint_eq(val, CPU_RESERVED1 | CPU_USE_IO_BITMAPS |
			  CPU_USE_MSR_BITMAPS | CPU_SECONDARY_CTLS |
			  CPU_MONITOR_TRAP_FLAG);
	ck_assert_uint_eq(vmx_adjust_ctls(HSW_TRUE_EXIT, &ex, &val), 0);
	ck_assert_uint_eq(val, EXIT_RESERVED1 | EXIT_HOST_ADDR_SPACE_64 |
			  EXIT_LOAD_EFER | EXIT_SAVE_EFER);
	ck_assert_uint_eq(vmx_adjust_ctls(HSW_TRUE_ENTRY, &en, &val), 0);
	ck_assert_uint_eq(val, ENTRY_RESERVED1 | ENTRY_IA32E_MODE |
			  ENTRY_LOAD_EFER);
}
END_TEST

/* Without the TRUE_* MSRs CR3 load and store exiting are forced on. */
START_TEST(ctls_forced_exits_refused)
{
	struct vmx_ctls_req cpu = {
		.need = CPU_USE_IO_BITMAPS | CPU_USE_MSR_BITMAPS,
		.allow = CPU_RESERVED1,
	};
	u32 val;

	ck_assert_uint_eq(vmx_adjust_ctls(HSW_PROCBASED, &cpu, &val),
			  CPU_CR3_LOAD_EXITING | CPU_CR3_STORE_EXITING);
	/* Where the VMM copes with them, the value carries them. */
	cpu.allow |= CPU_CR3_LOAD_EXITING | CPU_CR3_STORE_EXITING;
	ck_assert_uint_eq(vmx_adjust_ctls(HSW_PROCBASED, &cpu, &val), 0);
	ck_assert_uint_eq(val & (CPU_CR3_LOAD_EXITING | CPU_CR3_STORE_EXITING),
			  CPU_CR3_LOAD_EXITING | CPU_CR3_STORE_EXITING);
}
END_TEST

START_TEST(ctls_missing)
{
	/* A CPU without EPT and without MTF (Bochs has no MTF). */
	u64 cap2 = (u64)(CPU2_ENABLE_VPID | CPU2_UNRESTRICTED_GUEST) << 32;
	u64 cap = HSW_TRUE_PROCBASED & ~((u64)CPU_MONITOR_TRAP_FLAG << 32);
	struct vmx_ctls_req sec = {
		.need = CPU2_ENABLE_EPT | CPU2_ENABLE_VPID,
		.want = CPU2_ENABLE_RDTSCP,
	};
	struct vmx_ctls_req cpu = {
		.need = CPU_SECONDARY_CTLS,
		.want = CPU_MONITOR_TRAP_FLAG,
		.allow = CPU_RESERVED1,
	};
	u32 val;

	ck_assert_uint_eq(vmx_adjust_ctls(cap2, &sec, &val), CPU2_ENABLE_EPT);
	/* A wanted control the CPU lacks is left out, not an error. */
	ck_assert_uint_eq(vmx_adjust_ctls(cap, &cpu, &val), 0);
	ck_assert_uint_eq(val & CPU_MONITOR_TRAP_FLAG, 0);
	ck_assert_uint_eq(vmx_adjust_ctls(HSW_PROCBASED2, &sec, &val), 0);
	ck_assert_uint_eq(val, CPU2_ENABLE_EPT | CPU2_ENABLE_VPID |
			  CPU2_ENABLE_RDTSCP);
	/* Nothing allowed at all: everything needed is missing. */
	ck_assert_uint_eq(vmx_adjust_ctls(0, &sec, &val),
			  CPU2_ENABLE_EPT | CPU2_ENABLE_VPID);
}
END_TEST

START_TEST(fixed_cr_bits)
{
	/* Haswell: CR0 PE, NE, PG fixed to 1; CR4 VMXE fixed to 1. */
	const u64 cr0_f0 = 0x80000021, cr0_f1 = 0xffffffff;
	const u64 cr4_f0 = 0x2000, cr4_f1 = 0x3767ff;
	u64 cr0 = 0x80050033, cr4 = 0x3706f0;

	ck_assert_uint_eq(vmx_fix_cr(cr0, cr0_f0, cr0_f1), cr0);
	/* The kernel's CR4 gains VMXE, which its read shadow hides. */
	ck_assert_uint_eq(vmx_fix_cr(cr4, cr4_f0, cr4_f1) ^ cr4, 0x2000);
	/* A bit the CPU does not allow in VMX operation (LA57) goes. */
	ck_assert_uint_eq(vmx_fix_cr(cr4 | 0x1000, cr4_f0, cr4_f1),
			  cr4 | 0x2000);
	/* CR0 without NE gets it. */
	ck_assert_uint_eq(vmx_fix_cr(cr0 & ~0x20ULL, cr0_f0, cr0_f1), cr0);
}
END_TEST

/* A Haswell's IA32_VMX_EPT_VPID_CAP: 4-level walk, WB, 2M/1G, INVEPT/VPID. */
#define HSW_EPT_VPID_CAP	0x00000f0106734141ULL

START_TEST(ept_from_caps)
{
	const u64 walk5 = HSW_EPT_VPID_CAP | VMX_EPT_CAP_WALK5;

	/* As deep as the host where the CPU walks that deep; else 4. */
	ck_assert_uint_eq(vmx_ept_levels(HSW_EPT_VPID_CAP, 4), 4);
	ck_assert_uint_eq(vmx_ept_levels(HSW_EPT_VPID_CAP, 5), 4);
	ck_assert_uint_eq(vmx_ept_levels(walk5, 5), 5);
	ck_assert_uint_eq(vmx_ept_levels(walk5, 4), 4);
	ck_assert_uint_eq(vmx_ept_levels(VMX_EPT_CAP_WALK5, 4), 0);
	ck_assert_uint_eq(vmx_ept_levels(0, 5), 0);

	ck_assert_uint_eq(vmx_ept_max_leaf(HSW_EPT_VPID_CAP), 3);
	ck_assert_uint_eq(vmx_ept_max_leaf(HSW_EPT_VPID_CAP & ~VMX_EPT_CAP_1G),
			  2);
	ck_assert_uint_eq(vmx_ept_max_leaf(VMX_EPT_CAP_1G), 3);
	ck_assert_uint_eq(vmx_ept_max_leaf(VMX_EPT_CAP_WALK4), 1);

	ck_assert_uint_eq(vmx_ept_missing(HSW_EPT_VPID_CAP, 4), 0);
	ck_assert_uint_eq(vmx_ept_missing(HSW_EPT_VPID_CAP, 5),
			  VMX_EPT_CAP_WALK5);
	ck_assert_uint_eq(vmx_ept_missing(walk5, 5), 0);
	ck_assert_uint_eq(vmx_ept_missing(HSW_EPT_VPID_CAP &
					  ~(VMX_EPT_CAP_WB |
					    VMX_EPT_CAP_INVEPT_ALL), 4),
			  VMX_EPT_CAP_WB | VMX_EPT_CAP_INVEPT_ALL);
	ck_assert_uint_eq(vmx_ept_missing(0, 4),
			  VMX_EPT_CAP_WALK4 | VMX_EPT_CAP_WB |
			  VMX_EPT_CAP_INVEPT | VMX_EPT_CAP_INVEPT_ALL);

	ck_assert(vmx_vpid_usable(HSW_EPT_VPID_CAP));
	ck_assert(!vmx_vpid_usable(HSW_EPT_VPID_CAP &
				   ~VMX_VPID_CAP_INVVPID_ALL));
	ck_assert(!vmx_vpid_usable(VMX_VPID_CAP_INVVPID_ALL));

	/* WB (6), walk length - 1 in bits 5:3, no A/D, the root. */
	ck_assert_uint_eq(vmx_eptp(0x12345000, 4), 0x1234501e);
	ck_assert_uint_eq(vmx_eptp(0xfffff000000ULL, 5), 0xfffff000026ULL);
}
END_TEST

START_TEST(segment_access_rights)
{
	/* Linux's GDT: kernel CS (L), kernel DS, user CS, TSS (busy). */
	ck_assert_uint_eq(vmx_seg_ar(0x00af9b000000ffffULL, 0x10), 0xa09b);
	ck_assert_uint_eq(vmx_seg_ar(0x00cf93000000ffffULL, 0x18), 0xc093);
	ck_assert_uint_eq(vmx_seg_ar(0x00affb000000ffffULL, 0x33), 0xa0fb);
	ck_assert_uint_eq(vmx_seg_ar(0xfe008bfb50004087ULL, 0x40), 0x008b);
	/* Null selectors (any RPL) and absent descriptors are unusable. */
	ck_assert_uint_eq(vmx_seg_ar(0x00cf93000000ffffULL, 0), VMX_AR_UNUSABLE);
	ck_assert_uint_eq(vmx_seg_ar(0, 3), VMX_AR_UNUSABLE);
	ck_assert_uint_eq(vmx_seg_ar(0x00cf13000000ffffULL, 0x18),
			  VMX_AR_UNUSABLE);
}
END_TEST

START_TEST(pending_debug_follows_tf)
{
	const u64 tf = X86_RFLAGS_TF | 0x2, bs = VMX_PENDING_DBG_BS;

	/* After STI or MOV SS, BS must equal TF (without BTF). */
	ck_assert_uint_eq(vmx_fix_pending_dbg(0, tf, 0, VMX_INTR_STATE_STI, 0),
			  bs);
	ck_assert_uint_eq(vmx_fix_pending_dbg(0, tf, 0, VMX_INTR_STATE_MOV_SS,
					      0), bs);
	ck_assert_uint_eq(vmx_fix_pending_dbg(bs | 0x1, 0x2, 0,
					      VMX_INTR_STATE_STI, 0), 0x1);
	ck_assert_uint_eq(vmx_fix_pending_dbg(bs, tf, VMX_DEBUGCTL_BTF,
					      VMX_INTR_STATE_STI, 0), 0);
	/* Halted: the same rule. */
	ck_assert_uint_eq(vmx_fix_pending_dbg(0, tf, 0, 0, VMX_ACTIVITY_HLT),
			  bs);
	/* Otherwise nothing changes. */
	ck_assert_uint_eq(vmx_fix_pending_dbg(0, tf, 0, 0, 0), 0);
	ck_assert_uint_eq(vmx_fix_pending_dbg(bs | 0x4, 0x2, 0, 0, 0),
			  bs | 0x4);
}
END_TEST

static struct vcpu_exit decode(u32 reason, u64 qual, u32 intr, u32 insn,
			       u64 gpa)
{
	struct vmx_exit_info x = {
		.reason = reason, .qual = qual, .intr_info = intr,
		.insn_info = insn, .gpa = gpa,
	};
	struct vcpu_exit e;

	vmx_decode_exit(&x, &e);
	return e;
}

START_TEST(decode_by_reason)
{
	static const struct {
		u32 reason;
		enum vcpu_exit_reason want;
	} map[] = {
		{ VMX_EXIT_EXTERNAL_INTR, VCPU_EXIT_INTERRUPT },
		{ VMX_EXIT_TRIPLE_FAULT, VCPU_EXIT_SHUTDOWN },
		{ VMX_EXIT_CPUID, VCPU_EXIT_CPUID },
		{ VMX_EXIT_VMCALL, VCPU_EXIT_HYPERCALL },
		{ VMX_EXIT_GETSEC, VCPU_EXIT_VIRT_INSN },
		{ VMX_EXIT_VMCLEAR, VCPU_EXIT_VIRT_INSN },
		{ VMX_EXIT_VMLAUNCH, VCPU_EXIT_VIRT_INSN },
		{ VMX_EXIT_VMPTRLD, VCPU_EXIT_VIRT_INSN },
		{ VMX_EXIT_VMPTRST, VCPU_EXIT_VIRT_INSN },
		{ VMX_EXIT_VMREAD, VCPU_EXIT_VIRT_INSN },
		{ VMX_EXIT_VMRESUME, VCPU_EXIT_VIRT_INSN },
		{ VMX_EXIT_VMWRITE, VCPU_EXIT_VIRT_INSN },
		{ VMX_EXIT_VMXOFF, VCPU_EXIT_VIRT_INSN },
		{ VMX_EXIT_VMXON, VCPU_EXIT_VIRT_INSN },
		{ VMX_EXIT_INVEPT, VCPU_EXIT_VIRT_INSN },
		{ VMX_EXIT_INVVPID, VCPU_EXIT_VIRT_INSN },
		{ VMX_EXIT_VMFUNC, VCPU_EXIT_VIRT_INSN },
		{ VMX_EXIT_RDMSR, VCPU_EXIT_MSR },
		{ VMX_EXIT_WRMSR, VCPU_EXIT_MSR },
		/* The backend's own, or nothing the core handles. */
		{ VMX_EXIT_INIT, VCPU_EXIT_UNKNOWN },
		{ VMX_EXIT_SIPI, VCPU_EXIT_UNKNOWN },
		{ VMX_EXIT_INTR_WINDOW, VCPU_EXIT_UNKNOWN },
		{ VMX_EXIT_NMI_WINDOW, VCPU_EXIT_UNKNOWN },
		{ VMX_EXIT_HLT, VCPU_EXIT_UNKNOWN },
		{ VMX_EXIT_CR_ACCESS, VCPU_EXIT_UNKNOWN },
		{ VMX_EXIT_MTF, VCPU_EXIT_UNKNOWN },
		{ VMX_EXIT_EPT_MISCONFIG, VCPU_EXIT_UNKNOWN },
		{ VMX_EXIT_PREEMPTION_TIMER, VCPU_EXIT_UNKNOWN },
		{ 0xffff, VCPU_EXIT_UNKNOWN },
	};
	struct vcpu_exit e;

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		e = decode(map[i].reason, 0x1234, 0, 0, 0);
		if (e.reason != map[i].want)
			ck_abort_msg("exit reason %u: decoded %d, want %d",
				     map[i].reason, e.reason, map[i].want);
		ck_assert_uint_eq(e.raw[0], map[i].reason);
		ck_assert_uint_eq(e.raw[1], 0x1234);
	}
	ck_assert(!decode(VMX_EXIT_RDMSR, 0, 0, 0, 0).write);
	ck_assert(decode(VMX_EXIT_WRMSR, 0, 0, 0, 0).write);
	/* Upper bits of the reason (bit 27 and the like) are not the reason. */
	ck_assert_int_eq(decode(VMX_EXIT_CPUID | (1U << 27), 0, 0, 0, 0).reason,
			 VCPU_EXIT_CPUID);
	/* A failed entry is never taken for its basic reason. */
	e = decode(VMX_EXIT_ENTRY_FAILED | VMX_EXIT_INVALID_STATE, 0, 0, 0, 0);
	ck_assert_int_eq(e.reason, VCPU_EXIT_UNKNOWN);
	ck_assert_uint_eq(e.raw[0], VMX_EXIT_ENTRY_FAILED | VMX_EXIT_INVALID_STATE);
	e = decode(VMX_EXIT_ENTRY_FAILED | VMX_EXIT_CPUID, 0, 0, 0, 0);
	ck_assert_int_eq(e.reason, VCPU_EXIT_UNKNOWN);
}
END_TEST

START_TEST(decode_io)
{
	/* OUT DX, AL to 0xcf8 ... 0xcfc: size 1, 2, 4; IN; INS/OUTS. */
	struct vcpu_exit e = decode(VMX_EXIT_IO, 0xcf8ULL << 16, 0, 0, 0);

	ck_assert_int_eq(e.reason, VCPU_EXIT_IO);
	ck_assert_uint_eq(e.port, 0xcf8);
	ck_assert_uint_eq(e.size, 1);
	ck_assert(e.write && !e.string);
	e = decode(VMX_EXIT_IO, 0xcfcULL << 16 | 3 | VMX_IO_IN, 0, 0, 0);
	ck_assert_uint_eq(e.port, 0xcfc);
	ck_assert_uint_eq(e.size, 4);
	ck_assert(!e.write && !e.string);
	e = decode(VMX_EXIT_IO, 0xfffeULL << 16 | 1 | VMX_IO_STRING |
		   (1U << 5), 0, 0, 0);
	ck_assert_uint_eq(e.port, 0xfffe);
	ck_assert_uint_eq(e.size, 2);
	ck_assert(e.write && e.string);
}
END_TEST

START_TEST(decode_ept_violation)
{
	/* Qualifications Bochs gives for a non-present page: 0x181, 0x182. */
	struct vcpu_exit e = decode(VMX_EXIT_EPT_VIOLATION, 0x181, 0, 0,
				    0xfebf1008);

	ck_assert_int_eq(e.reason, VCPU_EXIT_NPF);
	ck_assert_uint_eq(e.gpa, 0xfebf1008);
	ck_assert(!e.write && !e.fetch);
	e = decode(VMX_EXIT_EPT_VIOLATION, 0x182, 0, 0, 0x1000);
	ck_assert(e.write && !e.fetch);
	e = decode(VMX_EXIT_EPT_VIOLATION, 0x184, 0, 0, 0x1000);
	ck_assert(!e.write && e.fetch);
	ck_assert_uint_eq(e.raw[2], 0x1000);
}
END_TEST

START_TEST(decode_exceptions)
{
	const u32 valid = VMX_INTR_VALID;

	ck_assert_int_eq(decode(VMX_EXIT_EXCEPTION_NMI, 0, valid |
				VMX_INTR_TYPE_NMI | 2, 0, 0).reason,
			 VCPU_EXIT_NMI);
	ck_assert_int_eq(decode(VMX_EXIT_EXCEPTION_NMI, 0x4000, valid |
				VMX_INTR_TYPE_HW_EXC | 1, 0, 0).reason,
			 VCPU_EXIT_DEBUG);
	/* INT1 (ICEBP) is a privileged software exception, not a step. */
	ck_assert_int_eq(decode(VMX_EXIT_EXCEPTION_NMI, 0, valid |
				VMX_INTR_TYPE_PRIV_SW_EXC | 1, 0, 0).reason,
			 VCPU_EXIT_UNKNOWN);
	/* Other exceptions are not intercepted: unknown; so is no info. */
	ck_assert_int_eq(decode(VMX_EXIT_EXCEPTION_NMI, 0, valid |
				VMX_INTR_TYPE_HW_EXC | 14 |
				VMX_INTR_ERROR_CODE, 0, 0).reason,
			 VCPU_EXIT_UNKNOWN);
	ck_assert_int_eq(decode(VMX_EXIT_EXCEPTION_NMI, 0,
				VMX_INTR_TYPE_NMI | 2, 0, 0).reason,
			 VCPU_EXIT_UNKNOWN);
}
END_TEST

START_TEST(decode_descriptor_tables)
{
	/* Instruction information bits 29:28: SGDT 0, SIDT 1, LGDT 2, LIDT 3. */
	ck_assert_int_eq(decode(VMX_EXIT_GDTR_IDTR, 0, 0, 3U << 28, 0).reason,
			 VCPU_EXIT_IDT_LOAD);
	for (u32 op = 0; op < 3; op++)
		ck_assert_int_eq(decode(VMX_EXIT_GDTR_IDTR, 0, 0, op << 28,
					0).reason, VCPU_EXIT_UNKNOWN);
	/* SLDT 0, STR 1, LLDT 2, LTR 3: nothing for the core either. */
	for (u32 op = 0; op < 4; op++)
		ck_assert_int_eq(decode(VMX_EXIT_LDTR_TR, 0, 0, op << 28,
					0).reason, VCPU_EXIT_UNKNOWN);
}
END_TEST

/* All of them but LIDT run natively; nothing else does. */
START_TEST(dt_native_all_but_lidt)
{
	struct vmx_exit_info x = { .reason = VMX_EXIT_GDTR_IDTR };

	for (u32 op = 0; op < 4; op++) {
		x.insn_info = op << 28 | 0x0fffffffU;	/* operand fields */
		ck_assert(vmx_dt_runs_native(&x) == (op != 3));
	}
	x.reason = VMX_EXIT_LDTR_TR;
	for (u32 op = 0; op < 4; op++) {
		x.insn_info = op << 28;
		ck_assert(vmx_dt_runs_native(&x));
	}
	/* A failed entry's reason is not an exit. */
	x.reason = VMX_EXIT_LDTR_TR | VMX_EXIT_ENTRY_FAILED;
	ck_assert(!vmx_dt_runs_native(&x));
	x.reason = VMX_EXIT_CPUID;
	x.insn_info = 0;
	ck_assert(!vmx_dt_runs_native(&x));
	x.reason = VMX_EXIT_EPT_VIOLATION;
	ck_assert(!vmx_dt_runs_native(&x));
}
END_TEST

/* The exit after the step: its #DB, the instruction again, or elsewhere. */
START_TEST(dt_step_ends)
{
	const u32 db = VMX_INTR_VALID | VMX_INTR_TYPE_HW_EXC | X86_TRAP_DB;
	struct vmx_exit_info x = {
		.reason = VMX_EXIT_EXCEPTION_NMI, .intr_info = db,
	};

	/* The #DB comes after the instruction, wherever RIP is then. */
	ck_assert_int_eq(vmx_dt_step_end(&x, 0x1003, 0x1000),
			 VMX_DT_STEP_DONE);
	ck_assert_int_eq(vmx_dt_step_end(&x, 0x1000, 0x1000),
			 VMX_DT_STEP_DONE);
	/* Not the step's: an NMI, a #PF intercepted, an EPT violation. */
	x.intr_info = VMX_INTR_VALID | VMX_INTR_TYPE_NMI | 2;
	ck_assert_int_eq(vmx_dt_step_end(&x, 0x1000, 0x1000),
			 VMX_DT_STEP_AGAIN);
	x.intr_info = VMX_INTR_VALID | VMX_INTR_TYPE_HW_EXC | 14;
	ck_assert_int_eq(vmx_dt_step_end(&x, 0x1000, 0x1000),
			 VMX_DT_STEP_AGAIN);
	x.reason = VMX_EXIT_EPT_VIOLATION;
	x.intr_info = 0;
	ck_assert_int_eq(vmx_dt_step_end(&x, 0x1000, 0x1000),
			 VMX_DT_STEP_AGAIN);
	/* The instruction faulted: an interrupt in the kernel's handler. */
	x.reason = VMX_EXIT_EXTERNAL_INTR;
	ck_assert_int_eq(vmx_dt_step_end(&x, 0xffffffff81000000ULL, 0x1000),
			 VMX_DT_STEP_AWAY);
	/* An invalid #DB information field is no #DB. */
	x.reason = VMX_EXIT_EXCEPTION_NMI;
	x.intr_info = db & ~VMX_INTR_VALID;
	ck_assert_int_eq(vmx_dt_step_end(&x, 0x2000, 0x1000),
			 VMX_DT_STEP_AWAY);
}
END_TEST

START_TEST(requeue_event)
{
	const u32 v = VMX_INTR_VALID;

	ck_assert_uint_eq(vmx_requeue_event(0x30), 0);	/* not valid */
	/* An interrupt and an NMI go in again as they were. */
	ck_assert_uint_eq(vmx_requeue_event(v | VMX_INTR_TYPE_EXT | 0x30),
			  v | 0x30);
	ck_assert_uint_eq(vmx_requeue_event(v | VMX_INTR_TYPE_NMI | 2),
			  v | VMX_INTR_TYPE_NMI | 2);
	/* #PF with its error code; bit 12 (NMI unblocking) is not kept. */
	ck_assert_uint_eq(vmx_requeue_event(v | VMX_INTR_TYPE_HW_EXC |
					    VMX_INTR_ERROR_CODE | (1U << 12) |
					    14),
			  v | VMX_INTR_TYPE_HW_EXC | VMX_INTR_ERROR_CODE | 14);
	/* INTn, INT1, INT3/INTO run again; reserved types are dropped. */
	ck_assert_uint_eq(vmx_requeue_event(v | VMX_INTR_TYPE_SW_INT | 0x80),
			  0);
	ck_assert_uint_eq(vmx_requeue_event(v | VMX_INTR_TYPE_PRIV_SW_EXC | 1),
			  0);
	ck_assert_uint_eq(vmx_requeue_event(v | VMX_INTR_TYPE_SW_EXC | 3), 0);
	ck_assert_uint_eq(vmx_requeue_event(v | (1U << 8) | 0x30), 0);
	ck_assert_uint_eq(vmx_requeue_event(v | (7U << 8) | 0x30), 0);
}
END_TEST

#define NMI_INFO	(X86_TRAP_NMI | VMX_INTR_TYPE_NMI | VMX_INTR_VALID)
#define EXT_INFO(v)	((v) | VMX_INTR_TYPE_EXT | VMX_INTR_VALID)

/* An NMI waits for NMI, STI and MOV SS blocking to end, in its window. */
START_TEST(events_nmi_waits_for_blocking)
{
	static const u32 blocked[] = { VMX_INTR_STATE_NMI, VMX_INTR_STATE_STI,
				       VMX_INTR_STATE_MOV_SS };
	struct vmx_vcpu x = { .nmi_waiting = true };
	u32 windows;

	for (unsigned int i = 0; i < 3; i++) {
		ck_assert_uint_eq(vmx_pick_event(&x, blocked[i], &windows), 0);
		ck_assert_uint_eq(windows, CPU_NMI_WINDOW_EXITING);
		ck_assert(x.nmi_waiting);
	}
	/* Blocking by SMI does not hold an NMI off. */
	ck_assert_uint_eq(vmx_pick_event(&x, VMX_INTR_STATE_SMI, &windows),
			  NMI_INFO);
	ck_assert_uint_eq(windows, 0);
	ck_assert(!x.nmi_waiting);
}
END_TEST

/* An interrupt waits for RFLAGS.IF and the end of an interrupt shadow. */
START_TEST(events_irq_waits_for_if_and_shadow)
{
	struct vmx_vcpu x = { .rflags = 0x2 };
	u32 windows;

	ck_assert(vmx_queue_irq(&x, 0x31));
	ck_assert_uint_eq(vmx_pick_event(&x, 0, &windows), 0);
	ck_assert_uint_eq(windows, CPU_INTR_WINDOW_EXITING);
	x.rflags |= X86_RFLAGS_IF;
	ck_assert_uint_eq(vmx_pick_event(&x, VMX_INTR_STATE_STI, &windows), 0);
	ck_assert_uint_eq(vmx_pick_event(&x, VMX_INTR_STATE_MOV_SS, &windows), 0);
	ck_assert_uint_eq(windows, CPU_INTR_WINDOW_EXITING);
	/* NMI blocking does not hold an interrupt off. */
	ck_assert_uint_eq(vmx_pick_event(&x, VMX_INTR_STATE_NMI, &windows),
			  EXT_INFO(0x31));
	ck_assert_uint_eq(windows, 0);
	ck_assert_uint_eq(x.irq[0], 0);
}
END_TEST

/*
 * What the exit chose goes first (a re-queued event or a raised
 * exception, with its error code bit), then an NMI, then the newest
 * interrupt; whatever still waits keeps its window open.
 */
START_TEST(events_order)
{
	struct vmx_vcpu x = { .rflags = 0x202, .nmi_waiting = true };
	u32 gp = X86_TRAP_GP | VMX_INTR_TYPE_HW_EXC | VMX_INTR_ERROR_CODE |
		 VMX_INTR_VALID;
	u32 windows;

	ck_assert(vmx_queue_irq(&x, 0x41));
	ck_assert(vmx_queue_irq(&x, 0x61));
	x.entry_info = gp;
	ck_assert_uint_eq(vmx_pick_event(&x, 0, &windows), gp);
	ck_assert_uint_eq(windows,
			  CPU_NMI_WINDOW_EXITING | CPU_INTR_WINDOW_EXITING);
	ck_assert_uint_eq(x.entry_info, 0);
	ck_assert_uint_eq(vmx_pick_event(&x, 0, &windows), NMI_INFO);
	ck_assert_uint_eq(windows, CPU_INTR_WINDOW_EXITING);
	ck_assert_uint_eq(vmx_pick_event(&x, 0, &windows), EXT_INFO(0x61));
	ck_assert_uint_eq(vmx_pick_event(&x, 0, &windows), EXT_INFO(0x41));
	ck_assert_uint_eq(windows, 0);
	ck_assert_uint_eq(vmx_pick_event(&x, 0, &windows), 0);
	/* An entry_info without the valid bit is nothing. */
	x.entry_info = X86_TRAP_GP | VMX_INTR_TYPE_HW_EXC;
	ck_assert_uint_eq(vmx_pick_event(&x, 0, &windows), 0);
}
END_TEST

/* One slot per priority class: the 17th interrupt is refused. */
START_TEST(events_irq_queue_full)
{
	struct vmx_vcpu x = { .rflags = 0x202 };
	u32 windows;

	for (unsigned int i = 0; i < 16; i++) {
		ck_assert(!vmx_irq_queue_full(&x));
		ck_assert(vmx_queue_irq(&x, 0x20 + 0x10 * (i % 14) + i / 14));
	}
	ck_assert(vmx_irq_queue_full(&x));
	ck_assert(!vmx_queue_irq(&x, 0xff));
	/* Newest first, and the oldest last. */
	ck_assert_uint_eq(vmx_pick_event(&x, 0, &windows),
			  EXT_INFO(0x20 + 0x10 * (15 % 14) + 15 / 14));
	ck_assert(!vmx_irq_queue_full(&x));
	for (unsigned int i = 0; i < 14; i++)
		vmx_pick_event(&x, 0, &windows);
	ck_assert_uint_eq(vmx_pick_event(&x, 0, &windows), EXT_INFO(0x20));
	ck_assert_uint_eq(windows, 0);
}
END_TEST

static Suite *vmx_suite(void)
{
	Suite *s = suite_create("vmx");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, ctls_true_msrs);
	tcase_add_test(tc, ctls_forced_exits_refused);
	tcase_add_test(tc, ctls_missing);
	tcase_add_test(tc, fixed_cr_bits);
	tcase_add_test(tc, ept_from_caps);
	tcase_add_test(tc, segment_access_rights);
	tcase_add_test(tc, pending_debug_follows_tf);
	tcase_add_test(tc, decode_by_reason);
	tcase_add_test(tc, decode_io);
	tcase_add_test(tc, decode_ept_violation);
	tcase_add_test(tc, decode_exceptions);
	tcase_add_test(tc, decode_descriptor_tables);
	tcase_add_test(tc, dt_native_all_but_lidt);
	tcase_add_test(tc, dt_step_ends);
	tcase_add_test(tc, requeue_event);
	tcase_add_test(tc, events_nmi_waits_for_blocking);
	tcase_add_test(tc, events_irq_waits_for_if_and_shadow);
	tcase_add_test(tc, events_order);
	tcase_add_test(tc, events_irq_queue_full);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(vmx_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
