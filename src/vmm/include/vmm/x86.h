/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86-64 registers, instructions and descriptor formats used by the VMM.
 */
#ifndef _VMM_X86_H
#define _VMM_X86_H

#include <vmm/types.h>

#define MSR_EFER		0xc0000080
#define MSR_STAR		0xc0000081
#define MSR_PAT			0x00000277
#define MSR_MTRR_CAP		0x000000fe
#define MSR_MTRR_PHYSBASE0	0x00000200	/* PHYSMASKn at 0x201 + 2n */
#define MSR_MTRR_DEF_TYPE	0x000002ff
#define MSR_VM_CR		0xc0010114
#define MSR_IA32_APICBASE	0x0000001b
#define MSR_AMD64_SYSCFG	0xc0010010
#define MSR_AMD64_TOM		0xc001001a
#define MSR_AMD64_TOM2		0xc001001d
/* Paravirtual MSRs of KVM and Hyper-V that hold a guest-physical address. */
#define MSR_KVM_WALL_CLOCK	0x00000011
#define MSR_KVM_SYSTEM_TIME	0x00000012
#define MSR_KVM_WALL_CLOCK_NEW	0x4b564d00
#define MSR_KVM_SYSTEM_TIME_NEW	0x4b564d01
#define MSR_KVM_ASYNC_PF_EN	0x4b564d02
#define MSR_KVM_STEAL_TIME	0x4b564d03
#define MSR_KVM_PV_EOI_EN	0x4b564d04
#define HV_X64_MSR_HYPERCALL	0x40000001
#define HV_X64_MSR_REFERENCE_TSC 0x40000021
#define HV_X64_MSR_VP_ASSIST_PAGE 0x40000073
#define HV_X64_MSR_SIEFP	0x40000082
#define HV_X64_MSR_SIMP		0x40000083
#define MSR_VM_HSAVE_PA		0xc0010117
#define EFER_SVME		(1ULL << 12)
#define VM_CR_LOCK		(1ULL << 3)
#define VM_CR_SVMDIS		(1ULL << 4)
#define X86_CR0_PG		(1ULL << 31)
#define X86_CR4_PGE		(1ULL << 7)
#define X86_CR4_LA57		(1ULL << 12)
#define X86_RFLAGS_TF		(1ULL << 8)
#define X86_RFLAGS_IF		(1ULL << 9)
#define X86_DR6_BS		(1ULL << 14)	/* single step */

#define VMM_CS			0x08
#define VMM_DS			0x10
#define VMM_TSS			0x18

struct __attribute__((packed)) dtr {
	u16 limit;
	u64 base;
};

/* 64-bit task state segment. */
struct __attribute__((packed)) tss64 {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
};

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 val)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((u32)val), "d"((u32)(val >> 32))
		     : "memory");
}

/**
 * struct vmm_extable_entry - an instruction that may fault, and where the
 * VMM continues when it does (offsets relative to each field, so that the
 * table needs no relocation); placed in the .vmm_extable section
 */
struct vmm_extable_entry {
	s32 insn;
	s32 fixup;
};

#define X86_TRAP_DB		1
#define X86_TRAP_NMI		2
#define X86_TRAP_GP		13
#define X86_TRAP_MC		18

#define MSR_IA32_MCG_STATUS	0x17a
#define MCG_STATUS_RIPV		(1ULL << 0)	/* restart IP valid */
#define MCG_STATUS_MCIP		(1ULL << 2)	/* machine check in progress */

#define VMM_EXTABLE(insn, fixup)				\
	".pushsection .vmm_extable, \"a\"\n"			\
	".balign 4\n"						\
	".long " #insn " - ., " #fixup " - .\n"		\
	".popsection\n"

/**
 * rdmsr_safe() - RDMSR that reports a #GP instead of taking it
 * @msr:	MSR number
 * @val:	set to the MSR's value (0 when the read faulted)
 *
 * Return: 0, or -5 (EIO) if the CPU raised #GP.
 */
static inline int rdmsr_safe(u32 msr, u64 *val)
{
	u32 lo, hi;
	int err;

	asm volatile("1:	rdmsr\n"
		     "	xorl %[err], %[err]\n"
		     "	jmp 3f\n"
		     "2:	movl $-5, %[err]\n"
		     "	xorl %%eax, %%eax\n"
		     "	xorl %%edx, %%edx\n"
		     "3:\n"
		     VMM_EXTABLE(1b, 2b)
		     : "=a"(lo), "=d"(hi), [err] "=r"(err) : "c"(msr));
	*val = ((u64)hi << 32) | lo;
	return err;
}

/**
 * wrmsr_safe() - WRMSR that reports a #GP instead of taking it
 * @msr:	MSR number
 * @val:	value to write
 *
 * Return: 0, or -5 (EIO) if the CPU raised #GP (nothing was written).
 */
static inline int wrmsr_safe(u32 msr, u64 val)
{
	int err;

	asm volatile("1:	wrmsr\n"
		     "	xorl %[err], %[err]\n"
		     "	jmp 3f\n"
		     "2:	movl $-5, %[err]\n"
		     "3:\n"
		     VMM_EXTABLE(1b, 2b)
		     : [err] "=r"(err)
		     : "c"(msr), "a"((u32)val), "d"((u32)(val >> 32))
		     : "memory");
	return err;
}

static inline void cpuid_count(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c,
			       u32 *d)
{
	asm volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
		     : "a"(leaf), "c"(sub));
}

#define DEFINE_READ_CR(n)					\
static inline u64 read_cr##n(void)				\
{								\
	u64 v;							\
	asm volatile("mov %%cr" #n ", %0" : "=r"(v));		\
	return v;						\
}
DEFINE_READ_CR(0)
DEFINE_READ_CR(2)
DEFINE_READ_CR(3)
DEFINE_READ_CR(4)

static inline u64 read_dr6(void)
{
	u64 v;

	asm volatile("mov %%dr6, %0" : "=r"(v));
	return v;
}

static inline u64 read_dr7(void)
{
	u64 v;

	asm volatile("mov %%dr7, %0" : "=r"(v));
	return v;
}

static inline void sgdt(struct dtr *d)
{
	asm volatile("sgdt %0" : "=m"(*d));
}

static inline void sidt(struct dtr *d)
{
	asm volatile("sidt %0" : "=m"(*d));
}

#define DEFINE_READ_SEG(s)					\
static inline u16 read_##s(void)				\
{								\
	u16 v;							\
	asm volatile("mov %%" #s ", %0" : "=r"(v));		\
	return v;						\
}
DEFINE_READ_SEG(cs)
DEFINE_READ_SEG(ss)
DEFINE_READ_SEG(ds)
DEFINE_READ_SEG(es)
DEFINE_READ_SEG(fs)
DEFINE_READ_SEG(gs)

static inline u64 read_rflags(void)
{
	u64 v;

	asm volatile("pushfq; popq %0" : "=r"(v));
	return v;
}

#endif /* _VMM_X86_H */
