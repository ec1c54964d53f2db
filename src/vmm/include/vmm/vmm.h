/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMM-wide state: the memory block, per-CPU state and the arch ops table
 * that separates the arch-neutral core from the svm/vmx backends.
 */
#ifndef _VMM_VMM_H
#define _VMM_VMM_H

#include <rtvirt/vmm_abi.h>
#include <vmm/event.h>
#include <vmm/paging.h>
#include <vmm/svm.h>
#include <vmm/types.h>
#include <vmm/vmx.h>

#define VMM_STACK_PAGES		4	/* per CPU */
/* Virtual space for device registers: what one table of 1 GiB leaves spans. */
#define VMM_IO_WINDOW		PT_LEVEL_SIZE(4)
#define VCPU_STEP_PAGES		4	/* VMM pages one instruction may touch */
#define VCPU_VIEW_PAGES		8	/* table pages of a CPU's step view */
#define VMM_ARCH_CPU_PAGES	4	/* per CPU, most a backend allocates */

#define ERR_IO		(-5)
#define ERR_INVAL	(-22)
#define ERR_NOMEM	(-12)
#define ERR_BUSY	(-16)
#define ERR_NODEV	(-19)
#define ERR_OPNOTSUPP	(-95)

/*
 * What a backend's interrupt window accepted through the VMM's IDT
 * (vmm_exception() records it in the window's RAX): at most one
 * interrupt.  An NMI in the window sets the vcpu's nmi_pending instead:
 * it can also arrive inside the handler of that interrupt.
 */
#define VMM_IRQ_VECTOR		0xffU	/* the interrupt's vector */
#define VMM_IRQ_TAKEN		(1U << 8)

/*
 * NMIs run on a stack of their own (IST1, one page per CPU), with the
 * CPU's struct vcpu in the slot just above the CPU's exception frame:
 * slot VMM_NMI_FRAME_VCPU of vmm_exception()'s frame.
 */
#define VMM_NMI_IST		1
#define VMM_NMI_FRAME_VCPU	7

/* Guest general-purpose registers saved at each exit; offsets used in asm. */
struct guest_regs {
	u64 rax, rbx, rcx, rdx, rsi, rdi, rbp;
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
};

/*
 * One handled exit, for the report of a lost guest state: what exited and
 * what the next entry was given.
 */
struct exit_record {
	u64 code, info1, info2;
	u64 exit_int_info;
	u64 rip;		/* where the kernel resumed */
	u64 event_inj, int_ctl;
	u32 intercepts;		/* intercept_misc1 */
	u8 tlb_control;
};

/*
 * The backend's parts of struct vcpu and struct vmm: the generic structures
 * own them, and only the backend reads them.
 */
union vcpu_arch {
	struct svm_vcpu svm;
	struct vmx_vcpu vmx;
};

union vmm_vendor {
	struct svm_vmm svm;
	struct vmx_vmm vmx;
};

#define VCPU_EXIT_RECORDS	4
#define VCPU_HELD_IRQ		0x100	/* struct vcpu.held_irq is valid */

/**
 * struct vcpu - the VMM's state for one physical CPU
 * (the assembly code reaches members through generated offsets,
 * asm-offsets.c)
 */
struct vcpu {
	struct guest_regs regs;
	u64 host_rsp;
	u64 vmm_cr3;
	u64 exit_efer;		/* EFER to restore when leaving */
	u16 pad[3];
	u16 gdtr_limit;		/* limit and base as lgdt reads them */
	u64 gdtr_base;
	union vcpu_arch arch;	/* the backend's, never read here */
	unsigned int id;
	struct rtvirt_vmm_cpu_stats stats;
	void *scratch;		/* stands in for VMM pages the guest touches */
	u64 scratch_pa;
	struct pt view;		/* this CPU's nested tables while stepping */
	u8 *view_pages;		/* VCPU_VIEW_PAGES pages for its tables */
	u64 view_pages_pa;
	unsigned int view_used;	/* of them */
	unsigned int stepping;	/* VMM pages in the step view, 0: none */
	u64 stepping_rip;	/* the instruction being stepped */
	bool guest_tf;		/* the guest had TF set itself */
	bool entered;		/* the first VMRUN of this launch succeeded */
	bool demoted;		/* from its launch's VMRUN to its leave */
	bool nmi_pending;	/* an NMI the VMM took, for the kernel */
	bool mce_pending;	/* a machine check the VMM took, for the kernel */
	bool irq_window;	/* in the interrupt window, where NMIs come */
	u16 held_irq;		/* VCPU_HELD_IRQ | vector: displaced by an exception */
	struct exit_record last[VCPU_EXIT_RECORDS]; /* the latest exits */
	unsigned int nr_exits;	/* exits recorded, modulo the ring */
	void *launch_save;	/* the guest state built at the launch */
};


/**
 * struct vmm_io_map - device registers mapped in the VMM's I/O window
 * @pa:		first byte
 * @len:	bytes
 * @va:		the VMM's address of @pa
 */
struct vmm_io_map {
	u64 pa;
	u64 len;
	u64 va;
};

/**
 * struct vmm - everything the VMM knows about itself
 */
struct vmm {
	struct rtvirt_vmm_boot boot;
	u64 pool_next;		/* next free byte of the block (offset) */
	int pool_lock;		/* serialises vmm_alloc_pages() */
	struct pt host_pt;	/* the VMM's own address space */
	struct pt npt;		/* nested paging for the guest */
	u64 phys_end;		/* end of the VMM's identity map */
	u64 io_base;		/* the I/O window, VMM_IO_WINDOW bytes */
	u64 io_next;		/* its first unused byte (offset) */
	int io_lock;		/* serialises vmm_io_map() */
	unsigned int nr_io_maps; /* of io_maps[], published with release */
	struct vmm_io_map io_maps[RTVIRT_VMM_IO_MAPS];
	union vmm_vendor arch;	/* the backend's */
	u8 *ports;		/* intercepted I/O ports (vmm_port_intercept()) */
	u64 ports_pa;		/* their bitmap, physical (VMM_PORT_MAP_PAGES) */
	u64 efer_writable;	/* EFER bits that are not reserved */
	bool ready;
	int npt_lock;		/* serialises changes to the nested tables */
	unsigned int denied_logged;
	struct vcpu **cpus;	/* one per possible CPU (boot.nr_cpus) */
};

extern struct vmm vmm;

void *vmm_alloc_pages(unsigned int n, u64 *pa);
int vcpu_view_map(struct vcpu *v, u64 gpa, u64 hpa, bool fresh);
void spin_lock(int *lock);
void spin_unlock(int *lock);
u64 vmm_va_to_pa(const void *va);
u64 *vmm_table_va(void *ctx, u64 pa);
bool vmm_owns_pa(u64 pa);
bool vmm_reaches(u64 pa, u64 len);
bool vmm_owns_range(u64 pa, u64 len);
u64 vmm_io_window_base(void);
bool vmm_io_reaches(u64 pa, u64 len);
int vmm_io_map(u64 pa, u64 len);
int vmm_ports_init(void);
void vmm_port_intercept(u16 port, unsigned int count, bool on);
volatile void *vmm_io_va(u64 pa, unsigned int size);
struct vcpu *this_vcpu(void);
u64 vmm_machine_check_test(bool restartable);

u64 hypercall_dispatch(struct vcpu *v, u64 nr, u64 a0, bool *leave);

struct mmio_insn;
int guest_decode(struct vcpu *v, struct mmio_insn *insn);
unsigned int guest_insn_len(struct vcpu *v, const u8 *opcode, size_t oplen);
int guest_read_phys(u64 gva, u64 *gpa, struct vcpu *v);
u64 guest_store_value(struct vcpu *v, const struct mmio_insn *insn);
void guest_complete_load(struct vcpu *v, const struct mmio_insn *insn, u64 val);

/* The intercepted instructions the generic handlers (vcpu.c) complete. */
enum vcpu_insn {
	VCPU_INSN_CPUID,
	VCPU_INSN_RDMSR,
	VCPU_INSN_WRMSR,
	VCPU_INSN_IO,
	VCPU_INSN_HYPERCALL,
};

/**
 * enum vcpu_exit_reason - why the kernel exited, decoded by the backend
 * @VCPU_EXIT_INTERRUPT: a physical interrupt (intercepted while a device
 *		is virtualized)
 * @VCPU_EXIT_NMI:	an NMI for the kernel that exited (where the backend
 *		intercepts NMIs: VMX)
 * @VCPU_EXIT_HYPERCALL: the module's hypercall instruction
 * @VCPU_EXIT_IDT_LOAD: LIDT: the kernel leaves for another (kexec)
 * @VCPU_EXIT_CPUID:	CPUID
 * @VCPU_EXIT_MSR:	RDMSR or WRMSR (@write)
 * @VCPU_EXIT_IO:	IN or OUT to an intercepted port
 * @VCPU_EXIT_VIRT_INSN: an instruction of the virtualization extension,
 *		which the kernel gets as #UD
 * @VCPU_EXIT_SHUTDOWN:	a triple fault
 * @VCPU_EXIT_NPF:	a nested page fault (VMM memory, a device trap)
 * @VCPU_EXIT_DEBUG:	#DB while a contained access is stepped
 * @VCPU_EXIT_UNKNOWN:	anything the VMM did not ask for
 */
enum vcpu_exit_reason {
	VCPU_EXIT_INTERRUPT,
	VCPU_EXIT_NMI,
	VCPU_EXIT_HYPERCALL,
	VCPU_EXIT_IDT_LOAD,
	VCPU_EXIT_CPUID,
	VCPU_EXIT_MSR,
	VCPU_EXIT_IO,
	VCPU_EXIT_VIRT_INSN,
	VCPU_EXIT_SHUTDOWN,
	VCPU_EXIT_NPF,
	VCPU_EXIT_DEBUG,
	VCPU_EXIT_UNKNOWN,
};

/**
 * struct vcpu_exit - one exit, in terms common to every backend
 * @reason:	VCPU_EXIT_*
 * @write:	MSR: WRMSR; I/O: OUT; NPF: a write
 * @fetch:	NPF: an instruction fetch
 * @string:	I/O: INS or OUTS
 * @port:	I/O: the port
 * @size:	I/O: bytes
 * @gpa:	NPF: the guest-physical address
 * @raw:	the backend's exit code and information, for messages
 */
struct vcpu_exit {
	enum vcpu_exit_reason reason;
	bool write, fetch, string;
	u16 port;
	u8 size;
	u64 gpa;
	u64 raw[3];
};

/*
 * What an entry injects (&vmm_arch_ops.event, .inject): an external
 * interrupt, an NMI, a machine check (.inject only), anything else
 * (an exception or a software interrupt; .event only).
 */
enum vcpu_event {
	VCPU_EVENT_NONE,
	VCPU_EVENT_INTR,
	VCPU_EVENT_NMI,
	VCPU_EVENT_MC,
	VCPU_EVENT_OTHER,
};

/**
 * vcpu_event_of() - what an event in the x86 encoding (vmm/event.h: SVM's
 * EVENTINJ, VMX's VM-entry interruption information) injects
 * @info:	the event
 * @vector:	set to its vector
 *
 * Return: VCPU_EVENT_NONE without the valid bit, _INTR, _NMI, else _OTHER.
 */
static inline enum vcpu_event vcpu_event_of(u64 info, u8 *vector)
{
	*vector = info & 0xff;
	if (!(info & X86_EVENT_VALID))
		return VCPU_EVENT_NONE;
	switch (info & X86_EVENT_TYPE_MASK) {
	case X86_EVENT_TYPE_INTR:
		return VCPU_EVENT_INTR;
	case X86_EVENT_TYPE_NMI:
		return VCPU_EVENT_NMI;
	default:
		return VCPU_EVENT_OTHER;
	}
}

/* What &vmm_arch_ops.emulate_msr decided. */
#define VCPU_MSR_DONE	0
#define VCPU_MSR_GP	1	/* #GP, as the hardware would */
#define VCPU_MSR_LEAVE	2	/* done; then this CPU leaves the VMM */

/**
 * struct vmm_arch_ops - what a hardware backend (svm, vmx) provides
 * @name:	"svm" or "vmx"
 * @probe:	whether the CPU has the extension (CPUID), before anything
 *		else of the backend runs
 * @pt_format:	encoding of its nested page tables
 * @nested_shape: lower the nested tables' depth (@levels, the host's
 *		paging depth before) and largest page level (@max_leaf) to
 *		what the CPU walks, before they are built; NULL: as given
 * @init:	global setup after the nested page tables exist
 * @init_cpu:	per-CPU setup (control blocks, save areas)
 * @launch_cpu:	demote the calling CPU; returns only on failure (a failing
 *		first VMRUN resumes the CPU natively with an error instead)
 * @irq_window:	the instruction at which the backend's interrupt window
 *		accepts a physical interrupt through the VMM's IDT (which
 *		records it for the window, vmm_exception()), or NULL
 * @exit_rip:	the VMM's first instruction after an exit, where no
 *		interrupt can come (vmm_exception() names an emulator bug)
 * @gpr:	the guest's general-purpose register @reg (0 RAX .. 15 R15,
 *		in the instruction set's numbering) at the current exit
 * @rip:	the guest's instruction pointer at the current exit
 * @paging:	the guest's CR3 and whether it uses 5-level paging
 * @flush_tlb:	flush the CPU's guest translations before it re-enters
 * @inject_gp:	make the guest take #GP(0) at its current instruction
 * @inject_ud:	make the guest take #UD at its current instruction
 * @refresh:	apply global intercept settings (device I/O ports) to the
 *		calling CPU
 * @skip:	resume the guest after the intercepted instruction @insn
 * @cpl:	the guest's privilege level at the current exit
 * @emulate_msr: an MSR policy_msr_emulated() names: read it into or
 *		write it from @val; VCPU_MSR_*
 * @leave:	give the CPU back to the kernel natively, at the guest's RIP
 * @state_lost:	whether the control block no longer holds the kernel's
 *		state (the VMM's own is there), so that it cannot @leave
 * @irq_room:	VCPU_EXIT_INTERRUPT: whether the backend can hold one
 *		more interrupt for the kernel (else the one that exited stays
 *		pending and exits again)
 * @take_interrupt: open the interrupt window of one instruction boundary
 *		(at @irq_window) with the CPU's interrupts otherwise held, and
 *		return what vmm_exception() recorded there: VMM_IRQ_TAKEN |
 *		the vector, or 0 if the interrupt went away
 * @rflags:	the guest's RFLAGS at the current exit
 * @set_nested_root: run the CPU's guest on the nested tables at @root
 *		from the next entry on, its translations flushed
 * @step:	@on: make the next entry run one instruction with interrupts
 *		held off and exit at the #DB after it (the core sets
 *		RFLAGS.TF); off: #DB goes to the kernel again
 * @step_taken:	the #DB of a step was the VMM's: remove what it left in
 *		the guest's debug state
 * @inject_db:	make the guest take #DB (a step of its own)
 * @event:	what the next entry injects so far (VCPU_EVENT_NONE, _INTR,
 *		_NMI or _OTHER), and its @vector
 * @host_nmi:	an NMI came through the VMM's IDT outside the interrupt
 *		window (it is the kernel's: hold it for the kernel); NULL
 *		where that cannot happen (SVM: GIF is clear in the VMM)
 * @inject:	make the next entry inject @type (_NONE: nothing) with
 *		@vector instead of what it injects so far; an interrupt
 *		(_INTR) is added next to that instead, where the backend
 *		can make it wait until the guest takes interrupts (SVM:
 *		V_IRQ), and the backend accepts one only when it can
 *
 * vcpu_handle_exit() is the other side of the contract: the backend's run
 * loop decodes each exit into a struct vcpu_exit and passes it there.
 */
struct vmm_arch_ops {
	const char *name;
	bool (*probe)(void);
	const struct pt_format *pt_format;
	void (*nested_shape)(int *levels, int *max_leaf);
	int (*init)(void);
	int (*init_cpu)(struct vcpu *v);
	int (*launch_cpu)(struct vcpu *v, u64 guest_rsp, u64 guest_rip,
			  unsigned int flags);
	const u8 *irq_window;
	const u8 *exit_rip;
	u64 *(*gpr)(struct vcpu *v, unsigned int reg);
	u64 *(*rip)(struct vcpu *v);
	void (*paging)(struct vcpu *v, u64 *cr3, bool *la57);
	void (*flush_tlb)(struct vcpu *v);
	void (*inject_gp)(struct vcpu *v);
	void (*inject_ud)(struct vcpu *v);
	void (*refresh)(struct vcpu *v);
	void (*skip)(struct vcpu *v, enum vcpu_insn insn);
	unsigned int (*cpl)(struct vcpu *v);
	int (*emulate_msr)(struct vcpu *v, u32 msr, bool write, u64 *val);
	void (*leave)(struct vcpu *v) __attribute__((__noreturn__));
	bool (*state_lost)(struct vcpu *v);
	bool (*irq_room)(struct vcpu *v);
	u32 (*take_interrupt)(void);
	u64 *(*rflags)(struct vcpu *v);
	void (*set_nested_root)(struct vcpu *v, u64 root);
	void (*step)(struct vcpu *v, bool on);
	void (*step_taken)(struct vcpu *v);
	void (*inject_db)(struct vcpu *v);
	enum vcpu_event (*event)(struct vcpu *v, u8 *vector);
	void (*inject)(struct vcpu *v, enum vcpu_event type, u8 vector);
	void (*host_nmi)(struct vcpu *v);
};

void vcpu_cpuid(struct vcpu *v);
void vcpu_msr(struct vcpu *v, bool write);
void vcpu_io(struct vcpu *v, u16 port, unsigned int size, bool in,
	     bool string);
void vcpu_hypercall(struct vcpu *v);
void vcpu_handle_exit(struct vcpu *v, const struct vcpu_exit *e);
void vcpu_interrupt(struct vcpu *v);
void vcpu_nmi(struct vcpu *v);
void vcpu_finish_events(struct vcpu *v);
void vcpu_npf(struct vcpu *v, const struct vcpu_exit *e);
void vcpu_debug(struct vcpu *v);
void vcpu_step_end(struct vcpu *v);

extern const struct vmm_arch_ops svm_ops;
extern const struct vmm_arch_ops vmx_ops;
extern const struct vmm_arch_ops *vmm_arch;
extern const struct rtvirt_vmm_entry vmm_entry_table;

struct dtr;
int vmm_init(struct rtvirt_vmm_boot *boot);
const struct dtr *vmm_idtr(void);
void vmm_exception(u64 *frame);
void vmm_send_nmi(bool self);

void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

#endif /* _VMM_VMM_H */
