/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Intel VMX: the capability MSRs, the control bits, the basic exit reasons
 * and the exit information formats the VMX backend uses (Intel SDM volume
 * 3, chapters 25 to 28 and appendices A to C), and the pure functions that
 * work on them (arch/x86/vmx/: controls.c, ept.c, exit.c, guest_state.c,
 * msr_bitmap.c), which are unit-tested in user space
 * (tools/testing/unit/test_vmx.c and, for the MSR bitmap, test_policy.c).
 */
#ifndef _VMM_VMX_H
#define _VMM_VMX_H

#include <vmm/event.h>
#include <vmm/types.h>

struct vcpu_exit;

/* Capability MSRs (appendix A). */
#define MSR_IA32_VMX_BASIC		0x480
#define MSR_IA32_VMX_PINBASED_CTLS	0x481
#define MSR_IA32_VMX_PROCBASED_CTLS	0x482
#define MSR_IA32_VMX_EXIT_CTLS		0x483
#define MSR_IA32_VMX_ENTRY_CTLS		0x484
#define MSR_IA32_VMX_MISC		0x485
#define MSR_IA32_VMX_CR0_FIXED0		0x486
#define MSR_IA32_VMX_CR0_FIXED1		0x487
#define MSR_IA32_VMX_CR4_FIXED0		0x488
#define MSR_IA32_VMX_CR4_FIXED1		0x489
#define MSR_IA32_VMX_PROCBASED_CTLS2	0x48b
#define MSR_IA32_VMX_EPT_VPID_CAP	0x48c
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS	0x48d
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48e
#define MSR_IA32_VMX_TRUE_EXIT_CTLS	0x48f
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS	0x490

/* IA32_VMX_BASIC: the TRUE_* MSRs exist (bit 55). */
#define VMX_BASIC_TRUE_CTLS		(1ULL << 55)

/* Pin-based VM-execution controls. */
#define PIN_EXT_INTR_EXITING		(1U << 0)
#define PIN_NMI_EXITING			(1U << 3)
#define PIN_VIRTUAL_NMIS		(1U << 5)

/* Primary processor-based VM-execution controls. */
#define CPU_INTR_WINDOW_EXITING		(1U << 2)
#define CPU_HLT_EXITING			(1U << 7)
#define CPU_CR3_LOAD_EXITING		(1U << 15)
#define CPU_CR3_STORE_EXITING		(1U << 16)
#define CPU_NMI_WINDOW_EXITING		(1U << 22)
#define CPU_USE_IO_BITMAPS		(1U << 25)
#define CPU_MONITOR_TRAP_FLAG		(1U << 27)
#define CPU_USE_MSR_BITMAPS		(1U << 28)
#define CPU_SECONDARY_CTLS		(1U << 31)

/* Secondary processor-based VM-execution controls. */
#define CPU2_ENABLE_EPT			(1U << 1)
#define CPU2_DESC_TABLE_EXITING		(1U << 2)
#define CPU2_ENABLE_RDTSCP		(1U << 3)
#define CPU2_ENABLE_VPID		(1U << 5)
#define CPU2_UNRESTRICTED_GUEST		(1U << 7)
#define CPU2_ENABLE_INVPCID		(1U << 12)
#define CPU2_ENABLE_XSAVES		(1U << 20)
#define CPU2_ENABLE_USER_WAIT		(1U << 26)

/* VM-exit controls. */
#define EXIT_SAVE_DEBUG_CTLS		(1U << 2)
#define EXIT_HOST_ADDR_SPACE_64		(1U << 9)
#define EXIT_ACK_INTR_ON_EXIT		(1U << 15)
#define EXIT_SAVE_PAT			(1U << 18)
#define EXIT_LOAD_PAT			(1U << 19)
#define EXIT_SAVE_EFER			(1U << 20)
#define EXIT_LOAD_EFER			(1U << 21)

/* VM-entry controls. */
#define ENTRY_LOAD_DEBUG_CTLS		(1U << 2)
#define ENTRY_IA32E_MODE		(1U << 9)
#define ENTRY_LOAD_PAT			(1U << 14)
#define ENTRY_LOAD_EFER			(1U << 15)

/* Basic exit reasons (appendix C); bit 31 of the exit reason: entry failed. */
#define VMX_EXIT_EXCEPTION_NMI		0
#define VMX_EXIT_EXTERNAL_INTR		1
#define VMX_EXIT_TRIPLE_FAULT		2
#define VMX_EXIT_INIT			3
#define VMX_EXIT_SIPI			4
#define VMX_EXIT_INTR_WINDOW		7
#define VMX_EXIT_NMI_WINDOW		8
#define VMX_EXIT_CPUID			10
#define VMX_EXIT_GETSEC			11
#define VMX_EXIT_HLT			12
#define VMX_EXIT_VMCALL			18
#define VMX_EXIT_VMCLEAR		19
#define VMX_EXIT_VMLAUNCH		20
#define VMX_EXIT_VMPTRLD		21
#define VMX_EXIT_VMPTRST		22
#define VMX_EXIT_VMREAD			23
#define VMX_EXIT_VMRESUME		24
#define VMX_EXIT_VMWRITE		25
#define VMX_EXIT_VMXOFF			26
#define VMX_EXIT_VMXON			27
#define VMX_EXIT_CR_ACCESS		28
#define VMX_EXIT_IO			30
#define VMX_EXIT_RDMSR			31
#define VMX_EXIT_WRMSR			32
#define VMX_EXIT_INVALID_STATE		33
#define VMX_EXIT_MSR_LOAD_FAIL		34
#define VMX_EXIT_MTF			37
#define VMX_EXIT_MCE_DURING_ENTRY	41
#define VMX_EXIT_GDTR_IDTR		46
#define VMX_EXIT_LDTR_TR		47
#define VMX_EXIT_EPT_VIOLATION		48
#define VMX_EXIT_EPT_MISCONFIG		49
#define VMX_EXIT_INVEPT			50
#define VMX_EXIT_PREEMPTION_TIMER	52
#define VMX_EXIT_INVVPID		53
#define VMX_EXIT_VMFUNC			59
#define VMX_EXIT_REASON_BASIC		0xffffU
#define VMX_EXIT_ENTRY_FAILED		(1U << 31)

/*
 * VM-exit and IDT-vectoring interruption information, and the VM-entry
 * interruption information (the same layout).
 */
#define VMX_INTR_VECTOR			0xffU
#define VMX_INTR_TYPE_SHIFT		8
#define VMX_INTR_TYPE_MASK		(7U << VMX_INTR_TYPE_SHIFT)
#define VMX_INTR_TYPE_EXT		(0U << VMX_INTR_TYPE_SHIFT)
#define VMX_INTR_TYPE_NMI		(2U << VMX_INTR_TYPE_SHIFT)
#define VMX_INTR_TYPE_HW_EXC		(3U << VMX_INTR_TYPE_SHIFT)
#define VMX_INTR_TYPE_SW_INT		(4U << VMX_INTR_TYPE_SHIFT)
#define VMX_INTR_TYPE_PRIV_SW_EXC	(5U << VMX_INTR_TYPE_SHIFT)
#define VMX_INTR_TYPE_SW_EXC		(6U << VMX_INTR_TYPE_SHIFT)
#define VMX_INTR_ERROR_CODE		(1U << 11)
#define VMX_INTR_NMI_UNBLOCKED_IRET	(1U << 12)
#define VMX_INTR_VALID			(1U << 31)
_Static_assert(VMX_INTR_VALID == X86_EVENT_VALID &&
	       VMX_INTR_TYPE_MASK == X86_EVENT_TYPE_MASK &&
	       VMX_INTR_TYPE_EXT == X86_EVENT_TYPE_INTR &&
	       VMX_INTR_TYPE_NMI == X86_EVENT_TYPE_NMI &&
	       VMX_INTR_TYPE_HW_EXC == X86_EVENT_TYPE_EXCEPTION &&
	       VMX_INTR_ERROR_CODE == X86_EVENT_ERROR_CODE,
	       "interruption information");

/* Exit qualification of I/O instructions (table 28-5). */
#define VMX_IO_SIZE_MASK		7U	/* bytes - 1 */
#define VMX_IO_IN			(1U << 3)
#define VMX_IO_STRING			(1U << 4)
#define VMX_IO_PORT_SHIFT		16

/* Exit qualification of EPT violations (table 28-7). */
#define VMX_EPT_READ			(1U << 0)
#define VMX_EPT_WRITE			(1U << 1)
#define VMX_EPT_FETCH			(1U << 2)

/* VM-exit instruction information of LGDT/LIDT/SGDT/SIDT (table 28-10). */
#define VMX_DT_INSN_SHIFT		28
#define VMX_DT_INSN_MASK		(3U << VMX_DT_INSN_SHIFT)
#define VMX_DT_INSN_LIDT		(3U << VMX_DT_INSN_SHIFT)

/**
 * struct vmx_exit_info - what a VM exit left in the VMCS's exit fields
 * @reason:	VM_EXIT_REASON: the basic reason, VMX_EXIT_ENTRY_FAILED
 * @qual:	EXIT_QUALIFICATION
 * @intr_info:	VM_EXIT_INTR_INFO (exceptions, NMIs, external interrupts)
 * @insn_info:	VMX_INSTRUCTION_INFO
 * @gpa:	GUEST_PHYSICAL_ADDRESS (EPT violations)
 */
struct vmx_exit_info {
	u32 reason;
	u64 qual;
	u32 intr_info;
	u32 insn_info;
	u64 gpa;
};

void vmx_decode_exit(const struct vmx_exit_info *x, struct vcpu_exit *e);
u32 vmx_requeue_event(u32 idt_info);
bool vmx_dt_runs_native(const struct vmx_exit_info *x);

/**
 * enum vmx_dt_step - what the first exit after a descriptor-table
 * instruction's step (vmx_dt_step_end()) means for the step
 * @VMX_DT_STEP_DONE:	the step's #DB: the instruction completed
 * @VMX_DT_STEP_AGAIN:	an exit at the instruction itself (an EPT violation
 *			of its operand, an NMI): it has not run; it exits
 *			again when it does
 * @VMX_DT_STEP_AWAY:	elsewhere: the instruction faulted into the
 *			kernel's handler, whose frame holds the step's TF;
 *			the step stays armed for the return
 */
enum vmx_dt_step {
	VMX_DT_STEP_DONE,
	VMX_DT_STEP_AGAIN,
	VMX_DT_STEP_AWAY,
};

enum vmx_dt_step vmx_dt_step_end(const struct vmx_exit_info *x, u64 rip,
				 u64 step_rip);

/**
 * struct vmx_ctls_req - what the VMM asks of one control field
 * @need:	controls it cannot run without
 * @want:	controls it uses where the CPU has them
 * @allow:	controls it copes with where the CPU forces them on
 */
struct vmx_ctls_req {
	u32 need;
	u32 want;
	u32 allow;
};

u32 vmx_adjust_ctls(u64 cap, const struct vmx_ctls_req *req, u32 *val);
u64 vmx_fix_cr(u64 val, u64 fixed0, u64 fixed1);

/* Segment access rights (table 25-2): descriptor bits 40-47, 52-55. */
#define VMX_AR_DESC_MASK		0xf0ffU
#define VMX_AR_UNUSABLE			(1U << 16)

/* Interruptibility and activity state (25.4.2). */
#define VMX_INTR_STATE_STI		(1U << 0)
#define VMX_INTR_STATE_MOV_SS		(1U << 1)
#define VMX_ACTIVITY_HLT		1U

/* Pending debug exceptions: single step (BS); IA32_DEBUGCTL.BTF. */
#define VMX_PENDING_DBG_BS		(1ULL << 14)
#define VMX_DEBUGCTL_BTF		(1ULL << 1)

u32 vmx_seg_ar(u64 desc, u16 sel);
u64 vmx_fix_pending_dbg(u64 pending, u64 rflags, u64 debugctl,
			u32 intr_state, u32 activity);

/* IA32_VMX_EPT_VPID_CAP (appendix A.10). */
#define VMX_EPT_CAP_WALK4		(1ULL << 6)
#define VMX_EPT_CAP_WALK5		(1ULL << 7)
#define VMX_EPT_CAP_WB			(1ULL << 14)
#define VMX_EPT_CAP_2M			(1ULL << 16)
#define VMX_EPT_CAP_1G			(1ULL << 17)
#define VMX_EPT_CAP_INVEPT		(1ULL << 20)
#define VMX_EPT_CAP_INVEPT_ALL		(1ULL << 26)
#define VMX_VPID_CAP_INVVPID		(1ULL << 32)
#define VMX_VPID_CAP_INVVPID_ALL	(1ULL << 42)

/* The EPT pointer (25.6.11). */
#define VMX_EPTP_WB			6ULL
#define VMX_EPTP_WALK_SHIFT		3
#define VMX_EPTP_ADDR			0x000ffffffffff000ULL

unsigned int vmx_ept_levels(u64 cap, unsigned int host_levels);
unsigned int vmx_ept_max_leaf(u64 cap);
u64 vmx_ept_missing(u64 cap, unsigned int levels);
bool vmx_vpid_usable(u64 cap);
u64 vmx_eptp(u64 root, unsigned int levels);

/* The MSR bitmap (msr_bitmap.c): one page, a read and a write half. */
#define VMX_MSR_BITMAP_SIZE		4096

int vmx_msr_bitmap_set(u8 *bitmap, u32 msr, bool read, bool write);
bool vmx_msr_bitmap_test(const u8 *bitmap, u32 msr, bool write);
int vmx_msr_bitmap_build(u8 *bitmap);

/*
 * The reserved control bits a CPU may report as forced on ("default1",
 * appendix A.2): they mean no exit; without the TRUE_* MSRs the CR3-load
 * and CR3-store exiting controls are among them and mean exits.
 */
#define VMX_PIN_RESERVED1		0x00000016U
#define VMX_CPU_RESERVED1		0x04006172U
#define VMX_EXIT_RESERVED1		0x00036dfbU
#define VMX_ENTRY_RESERVED1		0x000011fbU

/* IA32_FEATURE_CONTROL (MSR 0x3a). */
#define MSR_IA32_FEAT_CTL		0x0000003a
#define FEAT_CTL_LOCKED			(1ULL << 0)
#define FEAT_CTL_VMX_OUTSIDE_SMX	(1ULL << 2)
#define X86_CR4_VMXE			(1ULL << 13)

/* VMCS field encodings (appendix B). */
enum vmcs_field {
	VMCS_VPID			= 0x0000,
	GUEST_ES_SELECTOR		= 0x0800,
	GUEST_CS_SELECTOR		= 0x0802,
	GUEST_SS_SELECTOR		= 0x0804,
	GUEST_DS_SELECTOR		= 0x0806,
	GUEST_FS_SELECTOR		= 0x0808,
	GUEST_GS_SELECTOR		= 0x080a,
	GUEST_LDTR_SELECTOR		= 0x080c,
	GUEST_TR_SELECTOR		= 0x080e,
	HOST_ES_SELECTOR		= 0x0c00,
	HOST_CS_SELECTOR		= 0x0c02,
	HOST_SS_SELECTOR		= 0x0c04,
	HOST_DS_SELECTOR		= 0x0c06,
	HOST_FS_SELECTOR		= 0x0c08,
	HOST_GS_SELECTOR		= 0x0c0a,
	HOST_TR_SELECTOR		= 0x0c0c,
	IO_BITMAP_A			= 0x2000,
	IO_BITMAP_B			= 0x2002,
	MSR_BITMAP			= 0x2004,
	TSC_OFFSET			= 0x2010,
	EPT_POINTER			= 0x201a,
	XSS_EXIT_BITMAP			= 0x202c,
	GUEST_PHYSICAL_ADDRESS		= 0x2400,
	VMCS_LINK_POINTER		= 0x2800,
	GUEST_IA32_DEBUGCTL		= 0x2802,
	GUEST_IA32_PAT			= 0x2804,
	GUEST_IA32_EFER			= 0x2806,
	HOST_IA32_PAT			= 0x2c00,
	HOST_IA32_EFER			= 0x2c02,
	PIN_BASED_CTLS			= 0x4000,
	CPU_BASED_CTLS			= 0x4002,
	EXCEPTION_BITMAP		= 0x4004,
	PAGE_FAULT_ERROR_CODE_MASK	= 0x4006,
	PAGE_FAULT_ERROR_CODE_MATCH	= 0x4008,
	CR3_TARGET_COUNT		= 0x400a,
	VM_EXIT_CTLS			= 0x400c,
	VM_EXIT_MSR_STORE_COUNT		= 0x400e,
	VM_EXIT_MSR_LOAD_COUNT		= 0x4010,
	VM_ENTRY_CTLS			= 0x4012,
	VM_ENTRY_MSR_LOAD_COUNT		= 0x4014,
	VM_ENTRY_INTR_INFO		= 0x4016,
	VM_ENTRY_EXCEPTION_ERROR_CODE	= 0x4018,
	VM_ENTRY_INSTRUCTION_LEN	= 0x401a,
	SECONDARY_CTLS			= 0x401e,
	VM_INSTRUCTION_ERROR		= 0x4400,
	VM_EXIT_REASON			= 0x4402,
	VM_EXIT_INTR_INFO		= 0x4404,
	VM_EXIT_INTR_ERROR_CODE		= 0x4406,
	IDT_VECTORING_INFO		= 0x4408,
	IDT_VECTORING_ERROR_CODE	= 0x440a,
	VM_EXIT_INSTRUCTION_LEN		= 0x440c,
	VMX_INSTRUCTION_INFO		= 0x440e,
	GUEST_ES_LIMIT			= 0x4800,
	GUEST_CS_LIMIT			= 0x4802,
	GUEST_SS_LIMIT			= 0x4804,
	GUEST_DS_LIMIT			= 0x4806,
	GUEST_FS_LIMIT			= 0x4808,
	GUEST_GS_LIMIT			= 0x480a,
	GUEST_LDTR_LIMIT		= 0x480c,
	GUEST_TR_LIMIT			= 0x480e,
	GUEST_GDTR_LIMIT		= 0x4810,
	GUEST_IDTR_LIMIT		= 0x4812,
	GUEST_ES_AR			= 0x4814,
	GUEST_CS_AR			= 0x4816,
	GUEST_SS_AR			= 0x4818,
	GUEST_DS_AR			= 0x481a,
	GUEST_FS_AR			= 0x481c,
	GUEST_GS_AR			= 0x481e,
	GUEST_LDTR_AR			= 0x4820,
	GUEST_TR_AR			= 0x4822,
	GUEST_INTERRUPTIBILITY		= 0x4824,
	GUEST_ACTIVITY_STATE		= 0x4826,
	GUEST_SYSENTER_CS		= 0x482a,
	HOST_IA32_SYSENTER_CS		= 0x4c00,
	CR0_GUEST_HOST_MASK		= 0x6000,
	CR4_GUEST_HOST_MASK		= 0x6002,
	CR0_READ_SHADOW			= 0x6004,
	CR4_READ_SHADOW			= 0x6006,
	EXIT_QUALIFICATION		= 0x6400,
	GUEST_CR0			= 0x6800,
	GUEST_CR3			= 0x6802,
	GUEST_CR4			= 0x6804,
	GUEST_ES_BASE			= 0x6806,
	GUEST_CS_BASE			= 0x6808,
	GUEST_SS_BASE			= 0x680a,
	GUEST_DS_BASE			= 0x680c,
	GUEST_FS_BASE			= 0x680e,
	GUEST_GS_BASE			= 0x6810,
	GUEST_LDTR_BASE			= 0x6812,
	GUEST_TR_BASE			= 0x6814,
	GUEST_GDTR_BASE			= 0x6816,
	GUEST_IDTR_BASE			= 0x6818,
	GUEST_DR7			= 0x681a,
	GUEST_RSP			= 0x681c,
	GUEST_RIP			= 0x681e,
	GUEST_RFLAGS			= 0x6820,
	GUEST_PENDING_DBG_EXCEPTIONS	= 0x6822,
	GUEST_SYSENTER_ESP		= 0x6824,
	GUEST_SYSENTER_EIP		= 0x6826,
	HOST_CR0			= 0x6c00,
	HOST_CR3			= 0x6c02,
	HOST_CR4			= 0x6c04,
	HOST_FS_BASE			= 0x6c06,
	HOST_GS_BASE			= 0x6c08,
	HOST_TR_BASE			= 0x6c0a,
	HOST_GDTR_BASE			= 0x6c0c,
	HOST_IDTR_BASE			= 0x6c0e,
	HOST_IA32_SYSENTER_ESP		= 0x6c10,
	HOST_IA32_SYSENTER_EIP		= 0x6c12,
	HOST_RSP			= 0x6c14,
	HOST_RIP			= 0x6c16,
};

/* Exit qualification of control-register accesses (table 28-3). */
#define VMX_CR_NUM_MASK			0xfU
#define VMX_CR_TYPE_SHIFT		4
#define VMX_CR_TYPE_MASK		(3U << VMX_CR_TYPE_SHIFT)
#define VMX_CR_TYPE_MOV_TO		(0U << VMX_CR_TYPE_SHIFT)
#define VMX_CR_GPR_SHIFT		8
#define VMX_CR_GPR_MASK			(0xfU << VMX_CR_GPR_SHIFT)

/* Interruptibility: blocking by SMI and by NMI (25.4.2). */
#define VMX_INTR_STATE_SMI		(1U << 2)
#define VMX_INTR_STATE_NMI		(1U << 3)

/**
 * struct vmx_native - the kernel's state that vmx_leave() loads natively
 * (its offsets are generated, asm-offsets.c)
 */
struct vmx_native {
	u64 cr0, cr3, cr4;
	u16 pad[3];
	u16 gdtr_limit;
	u64 gdtr_base;
	u16 pad2[3];
	u16 idtr_limit;
	u64 idtr_base;
	u64 cs, ss, ds, es, fs, gs, tr, ldtr;
	u64 fs_base, gs_base;
	u64 rsp, rip, rflags, dr7;
	u64 gdt_pa;	/* the GDT's page in the VMM's identity map */
};

/**
 * struct vmx_vcpu - a CPU's VMX state, struct vcpu_arch's part (vmx.c's)
 * @vmxon:	the VMXON region, and its physical address
 * @vmxon_pa:
 * @vmcs:	the VMCS, and its physical address
 * @vmcs_pa:
 * @rsp:	the guest's RSP, RIP and RFLAGS (the register cache): read
 * @rip:	from the VMCS at each exit, written back before the next
 * @rflags:	entry where they differ from what was read (@read)
 * @read:	RSP, RIP, RFLAGS as read at the exit
 * @cpu_ctls:	the primary processor-based controls as last written
 * @pin_ctls:	the pin-based controls as last written
 * @entry_info:	VM_ENTRY_INTR_INFO for the next entry (its error code in
 *		@entry_error)
 * @entry_error:
 * @irq:	interrupts accepted for the kernel that wait until it takes
 *		interrupts (VCPU_HELD_IRQ | vector), the newest first: one
 *		per priority class at most, as the local APIC delivers only
 *		a higher class than the ones in service
 * @nmi_waiting: an NMI for the kernel that waits until it can take one
 * @flush:	invalidate the EPT's cached translations before the next entry
 * @leaving:	leave_to_native() waits for its own NMI to carry it out
 * @nmi_owed:	an NMI for the kernel is still to come when it leaves
 * @dt_step:	a descriptor-table instruction runs natively, stepped,
 *		with descriptor-table exiting off (vmx.c, dt_run_native())
 * @dt_tf:	the kernel's own RFLAGS.TF at that instruction
 * @dt_rip:	that instruction
 * @eptp:	the EPT pointer in use
 * @exit:	the current exit's fields
 * @native:	the kernel's state for vmx_leave()
 */
struct vmx_vcpu {
	void *vmxon;
	u64 vmxon_pa;
	void *vmcs;
	u64 vmcs_pa;
	u64 rsp, rip, rflags;
	u64 read[3];
	u32 cpu_ctls, pin_ctls;
	u32 entry_info, entry_error;
	u16 irq[16];
	bool nmi_waiting;
	bool flush;
	bool leaving;
	bool nmi_owed;
	bool dt_step;
	bool dt_tf;
	u64 dt_rip;
	u64 eptp;
	struct vmx_exit_info exit;
	struct vmx_native native;
};

/**
 * struct vmx_vmm - the VMM's VMX state, struct vmm_vendor's part
 * @msr_bitmap:	the MSR bitmap, and its physical address
 * @msr_bitmap_pa:
 * @revision:	the VMCS revision identifier
 * @pin, @cpu, @cpu2, @exit, @entry: the controls every VMCS starts with
 * @cr0_fixed0, @cr0_fixed1, @cr4_fixed0, @cr4_fixed1: the fixed bits
 * @vpid:	VPIDs are in use (all-context INVVPID available)
 * @invept_all:	all-context INVEPT is available
 */
struct vmx_vmm {
	u8 *msr_bitmap;
	u64 msr_bitmap_pa;
	u32 revision;
	u32 pin, cpu, cpu2, exit, entry;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	bool vpid;
	bool invept_all;
};


bool vmx_queue_irq(struct vmx_vcpu *x, u8 vector);
bool vmx_irq_queue_full(const struct vmx_vcpu *x);
u32 vmx_pick_event(struct vmx_vcpu *x, u32 state, u32 *windows);

#endif /* _VMM_VMX_H */
