// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID and MSR policy of the VMM: pure functions, unit-tested in user
 * space (tools/testing/unit/test_policy.c).
 */
#include <vmm/policy.h>
#include <vmm/x86.h>

#define CPUID_VMX	(1U << 5)	/* 1 ECX */
#define CPUID_EXT_SVM	(1U << 2)	/* 0x80000001 ECX */

/**
 * policy_filter_cpuid() - what CPUID returns to the demoted kernel
 * @leaf:	EAX the guest asked for
 * @a:		EAX of the real CPUID, changed in place
 * @b:		EBX, likewise
 * @c:		ECX, likewise
 * @d:		EDX, likewise
 *
 * SVM and VMX are hidden: the kernel cannot run a hypervisor under the
 * VMM (no nested virtualization).  (kvm_amd checks the feature flags
 * cached at boot; what makes it refuse to load is VM_CR reading SVMDIS,
 * see svm.c.  On VMX, VMXON exits and the kernel gets #UD.)  Everything
 * else passes through.
 */
void policy_filter_cpuid(u32 leaf, u32 *a, u32 *b, u32 *c, u32 *d)
{
	if (leaf == 1)
		*c &= ~CPUID_VMX;
	else if (leaf == 0x80000001)
		*c &= ~CPUID_EXT_SVM;
	else if (leaf == 0x8000000a)
		*a = *b = *c = *d = 0;
}

/*
 * The MSRs the VMM intercepts.  EFER (SVME), VM_CR (SVMDIS, lock) and
 * VM_HSAVE_PA are emulated, reads and writes, so that the kernel can
 * neither see, disable nor move the VMM.  Writes only are checked, then
 * applied, for the MSRs that move the physical address map or point the
 * CPU or an underlying hypervisor at a page of memory: APIC_BASE (the xAPIC
 * page), SYSCFG, TOM and TOM2 (the DRAM/MMIO boundaries), and the
 * paravirtual MSRs of KVM that lie in the map's ranges, and the MTRRs
 * that set memory types above 1 MiB (policy_mtrr_msr()).  MSRs outside the
 * ranges (Zen's scalable MCA banks, the paravirtual MSRs of KVM and
 * Hyper-V at 0x4b564d00 and 0x40000000) exit anyway; they are checked by
 * the same rules and otherwise tried on the CPU (policy_msr_write()).
 */
static const struct {
	u32 msr;
	bool read;
} intercepted_msrs[] = {
	{ MSR_EFER, true },
	{ MSR_VM_CR, true },
	{ MSR_VM_HSAVE_PA, true },
	{ MSR_PAT, true },
	{ MSR_IA32_APICBASE, false },
	{ MSR_AMD64_SYSCFG, false },
	{ MSR_AMD64_TOM, false },
	{ MSR_AMD64_TOM2, false },
	{ MSR_KVM_WALL_CLOCK, false },
	{ MSR_KVM_SYSTEM_TIME, false },
};

/**
 * policy_msr_emulated() - whether the VMM emulates an MSR entirely
 * @msr:	MSR number
 *
 * Return: true for EFER, VM_CR and VM_HSAVE_PA, which never reach the CPU
 * on the kernel's behalf.
 */
bool policy_msr_emulated(u32 msr)
{
	return msr == MSR_EFER || msr == MSR_VM_CR || msr == MSR_VM_HSAVE_PA ||
	       msr == MSR_PAT;
}

/**
 * policy_pat_valid() - whether a value may be written to IA32_PAT
 * @val:	the value
 *
 * Each of the eight entries is a memory type: UC (0), WC (1), WT (4),
 * WP (5), WB (6) or UC- (7); types 2 and 3 and the upper five bits of
 * each byte are reserved (#GP).
 *
 * Return: true if the CPU accepts @val.
 */
bool policy_pat_valid(u64 val)
{
	for (int i = 0; i < 8; i++) {
		u8 type = val >> (i * 8);

		if (type > 7 || type == 2 || type == 3)
			return false;
	}
	return true;
}

/* SYSCFG bits the kernel may change: the fixed-range MTRR RdMem/WrMem
 * enable and modification enable, which Linux's MTRR code toggles.
 */
#define SYSCFG_MTRR_FIX_DRAM_EN		(1ULL << 18)
#define SYSCFG_MTRR_FIX_DRAM_MOD_EN	(1ULL << 19)

/*
 * MSRs whose value holds a guest-physical address that the CPU or an
 * underlying hypervisor writes to: @mask selects the address, @len bytes
 * are written there, @enable (0: always) says whether the value is in use.
 */
static const struct {
	u32 msr;
	u64 mask;
	u64 enable;
	u32 len;
} address_msrs[] = {
	{ MSR_IA32_APICBASE, 0x000ffffffffff000ULL, 1ULL << 11, 4096 },
	{ MSR_KVM_WALL_CLOCK, ~0ULL, 0, 12 },
	{ MSR_KVM_SYSTEM_TIME, ~1ULL, 1, 32 },
	{ MSR_KVM_WALL_CLOCK_NEW, ~0ULL, 0, 12 },
	{ MSR_KVM_SYSTEM_TIME_NEW, ~1ULL, 1, 32 },
	{ MSR_KVM_ASYNC_PF_EN, ~63ULL, 1, 64 },
	{ MSR_KVM_STEAL_TIME, ~63ULL, 1, 64 },
	{ MSR_KVM_PV_EOI_EN, ~1ULL, 1, 4 },
	{ HV_X64_MSR_HYPERCALL, ~0xfffULL, 1, 4096 },
	{ HV_X64_MSR_REFERENCE_TSC, ~0xfffULL, 1, 4096 },
	{ HV_X64_MSR_VP_ASSIST_PAGE, ~0xfffULL, 1, 4096 },
	{ HV_X64_MSR_SIEFP, ~0xfffULL, 1, 4096 },
	{ HV_X64_MSR_SIMP, ~0xfffULL, 1, 4096 },
};

/**
 * policy_msr_write_needs_old() - whether policy_msr_write() compares a
 * write with the MSR's current value
 * @msr:	MSR number
 *
 * Return: true for SYSCFG, TOM and TOM2 (for every other MSR the caller
 * need not read it first).
 */
bool policy_msr_write_needs_old(u32 msr)
{
	return msr == MSR_AMD64_SYSCFG || msr == MSR_AMD64_TOM ||
	       msr == MSR_AMD64_TOM2;
}

/**
 * policy_msr_write() - what to do with a WRMSR of the kernel the VMM did
 * not emulate
 * @msr:	MSR number
 * @old:	the MSR's current value where policy_msr_write_needs_old()
 * @val:	the value the kernel writes
 * @addr:	set to the first byte of guest memory the value points the
 *		CPU or a hypervisor at, for POLICY_MSR_CHECK_RANGE
 * @len:	set to the number of bytes there, likewise
 *
 * Return: POLICY_MSR_PASS to write @val to the CPU (a #GP it raises goes to
 * the kernel), POLICY_MSR_CHECK_RANGE to do so only if [@addr, @addr +
 * @len) holds no VMM memory, POLICY_MSR_GP to refuse with #GP: a change
 * of TOM or TOM2, or of a SYSCFG bit other than the fixed-range MTRR
 * enables.
 */
int policy_msr_write(u32 msr, u64 old, u64 val, u64 *addr, u32 *len)
{
	switch (msr) {
	case MSR_AMD64_SYSCFG:
		if ((old ^ val) & ~(SYSCFG_MTRR_FIX_DRAM_EN |
				    SYSCFG_MTRR_FIX_DRAM_MOD_EN))
			return POLICY_MSR_GP;
		return POLICY_MSR_PASS;
	case MSR_AMD64_TOM:
	case MSR_AMD64_TOM2:
		return val == old ? POLICY_MSR_PASS : POLICY_MSR_GP;
	}
	for (size_t i = 0; i < sizeof(address_msrs) / sizeof(address_msrs[0]);
	     i++) {
		if (address_msrs[i].msr != msr)
			continue;
		if (address_msrs[i].enable && !(val & address_msrs[i].enable))
			return POLICY_MSR_PASS;
		*addr = val & address_msrs[i].mask;
		*len = address_msrs[i].len;
		return POLICY_MSR_CHECK_RANGE;
	}
	return POLICY_MSR_PASS;
}

#define MTRR_DEF_ENABLE		(1ULL << 11)
#define MTRR_MASK_VALID		(1ULL << 11)
#define SYSCFG_TOM2_EN		(1ULL << 21)
#define SYSCFG_TOM2_FORCE_WB	(1ULL << 22)

/**
 * policy_mtrr_msr() - whether a WRMSR is one of the MTRRs the VMM checks
 * @msr:	MSR number
 * @nr_var:	variable ranges of the CPU (MTRRcap VCNT)
 *
 * Return: true for IA32_MTRR_DEF_TYPE and the variable ranges' base and
 * mask MSRs.  The fixed ranges cover the first MiB only, where the VMM's
 * memory never is (its chunks are 2 MiB-aligned and Linux keeps the first
 * MiB), so they are not checked.
 */
bool policy_mtrr_msr(u32 msr, u32 nr_var)
{
	if (nr_var > MTRR_VAR_MAX)
		nr_var = MTRR_VAR_MAX;
	return msr == MSR_MTRR_DEF_TYPE ||
	       (msr >= MSR_MTRR_PHYSBASE0 &&
		msr < MSR_MTRR_PHYSBASE0 + 2 * nr_var);
}

/**
 * policy_mtrr_set() - put a WRMSR into an MTRR state
 * @s:		the state
 * @msr:	an MSR for which policy_mtrr_msr() is true
 * @val:	the value written
 */
void policy_mtrr_set(struct policy_mtrr *s, u32 msr, u64 val)
{
	u32 i = (msr - MSR_MTRR_PHYSBASE0) / 2;

	if (msr == MSR_MTRR_DEF_TYPE)
		s->def_type = val;
	else if (i < MTRR_VAR_MAX && (msr & 1))
		s->mask[i] = val;
	else if (i < MTRR_VAR_MAX)
		s->base[i] = val;
}

static u64 mtrr_addr_mask(const struct policy_mtrr *s)
{
	u32 bits = s->phys_bits < 32 || s->phys_bits > 52 ? 52 : s->phys_bits;

	return ((1ULL << bits) - 1) & ~0xfffULL;
}

/*
 * Two types of matching variable ranges combined, as the SDM and the APM
 * say: UC wins, WT and WB give WT, equal ones stay, anything else is
 * undefined.
 */
static u8 mtrr_combine(u8 a, u8 b)
{
	if (a == MTRR_TYPE_UC || b == MTRR_TYPE_UC)
		return MTRR_TYPE_UC;
	if (a == b)
		return a;
	if ((a == MTRR_TYPE_WT && b == MTRR_TYPE_WB) ||
	    (a == MTRR_TYPE_WB && b == MTRR_TYPE_WT))
		return MTRR_TYPE_WT;
	return MTRR_TYPE_MIXED;
}

/**
 * policy_mtrr_type() - the memory type the MTRRs give a physical address
 * @s:		the state
 * @pa:		an address at or above 1 MiB
 *
 * Return: MTRR_TYPE_* (UC with the MTRRs disabled), MTRR_TYPE_MIXED where
 * overlapping ranges make it undefined.
 */
u8 policy_mtrr_type(const struct policy_mtrr *s, u64 pa)
{
	u64 am = mtrr_addr_mask(s);
	u8 type = MTRR_TYPE_MIXED;
	bool matched = false;

	if (!(s->def_type & MTRR_DEF_ENABLE))
		return MTRR_TYPE_UC;
	for (u32 i = 0; i < s->nr_var && i < MTRR_VAR_MAX; i++) {
		u64 m = s->mask[i] & am;

		if (!(s->mask[i] & MTRR_MASK_VALID) ||
		    (pa & m) != (s->base[i] & m))
			continue;
		type = matched ? mtrr_combine(type, (u8)s->base[i]) :
				 (u8)s->base[i];
		matched = true;
	}
	if (matched)
		return type;
	if (s->tom2_wb && pa >= (1ULL << 32) && pa < s->tom2_wb)
		return MTRR_TYPE_WB;
	return (u8)s->def_type;
}

/**
 * policy_mtrr_range_ok() - whether the MTRRs leave a range of the VMM's
 * memory usable by the VMM
 * @s:		the state
 * @start:	page-aligned start, at or above 1 MiB
 * @len:	bytes
 *
 * Every page must be WB, or UC (what Linux sets while it changes the
 * MTRRs: disabled, every type UC, with caches flushed).  WC would let the
 * VMM's stores and locked operations on its own data reorder and combine;
 * WT, WP and undefined overlaps are refused too.  The type can change
 * only at a multiple of the smallest range granule in use (the lowest set
 * bit of a valid mask) and at 4 GiB and TOM2, so the check looks once per
 * such block: once per 2 MiB chunk or less for ranges of 2 MiB and up.
 *
 * Return: true if every page of [@start, @start + @len) is WB or UC.
 */
bool policy_mtrr_range_ok(const struct policy_mtrr *s, u64 start, u64 len)
{
	u64 am = mtrr_addr_mask(s), step = 1ULL << 52, end = start + len;

	for (u32 i = 0; i < s->nr_var && i < MTRR_VAR_MAX; i++) {
		u64 m = s->mask[i] & am;

		if ((s->mask[i] & MTRR_MASK_VALID) && m && (m & -m) < step)
			step = m & -m;
	}
	for (u64 pa = start; pa < end;) {
		u8 t = policy_mtrr_type(s, pa);
		u64 next = (pa & ~(step - 1)) + step;

		if (t != MTRR_TYPE_WB && t != MTRR_TYPE_UC)
			return false;
		if (pa < (1ULL << 32) && next > (1ULL << 32))
			next = 1ULL << 32;
		if (s->tom2_wb && pa < s->tom2_wb && next > s->tom2_wb)
			next = s->tom2_wb;
		pa = next;
	}
	return true;
}

/**
 * policy_mtrr_tom2_wb() - the TOM2 bound of AMD's forced-WB default type
 * @syscfg:	SYSCFG
 * @tom2:	TOM2
 *
 * Return: @tom2 when SYSCFG has MtrrTom2En and Tom2ForceMemTypeWB, else 0.
 */
u64 policy_mtrr_tom2_wb(u64 syscfg, u64 tom2)
{
	return (syscfg & SYSCFG_TOM2_EN) && (syscfg & SYSCFG_TOM2_FORCE_WB) ?
	       tom2 & 0x000fffffff800000ULL : 0;
}

/* EFER bits and the CPUID features that make them writable. */
#define EFER_SCE	(1ULL << 0)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)
#define EFER_NXE	(1ULL << 11)
#define EFER_LMSLE	(1ULL << 13)
#define EFER_FFXSR	(1ULL << 14)
#define EFER_TCE	(1ULL << 15)
#define EFER_MCOMMIT	(1ULL << 17)
#define EFER_INTWB	(1ULL << 18)
#define EFER_AUTOIBRS	(1ULL << 21)

/**
 * policy_efer_writable() - the EFER bits a WRMSR may set on this CPU
 * @ext_c:	CPUID 0x80000001 ECX (before policy_filter_cpuid())
 * @ext_d:	CPUID 0x80000001 EDX
 * @ext8_b:	CPUID 0x80000008 EBX
 * @ext21_a:	CPUID 0x80000021 EAX (0 where the leaf does not exist)
 *
 * Return: the mask of EFER bits that are not reserved; setting any other
 * bit raises #GP on the CPU.
 */
u64 policy_efer_writable(u32 ext_c, u32 ext_d, u32 ext8_b, u32 ext21_a)
{
	/* Each bit with the CPUID register and bit that announce it. */
	const struct {
		u32 reg, mask;
		u64 efer;
	} bits[] = {
		{ ext_d, 1U << 11, EFER_SCE },		/* SYSCALL */
		{ ext_d, 1U << 29, EFER_LME },		/* LM */
		{ ext_d, 1U << 20, EFER_NXE },		/* NX */
		{ ext_d, 1U << 25, EFER_FFXSR },	/* FFXSR */
		{ ext_c, CPUID_EXT_SVM, EFER_SVME },	/* SVM */
		{ ext_c, 1U << 17, EFER_TCE },		/* TCE */
		{ ext8_b, 1U << 8, EFER_MCOMMIT },	/* MCOMMIT */
		{ ext8_b, 1U << 9, EFER_INTWB },	/* WBNOINVD's INTWB */
		{ ext21_a, 1U << 8, EFER_AUTOIBRS },	/* AutomaticIBRS */
	};
	u64 m = EFER_LMA;

	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (bits[i].reg & bits[i].mask)
			m |= bits[i].efer;
	/* LMSLE: long mode, unless EferLmsleUnsupported. */
	if ((ext_d & (1U << 29)) && !(ext8_b & (1U << 20)))
		m |= EFER_LMSLE;
	return m;
}

/**
 * policy_efer_write() - the guest EFER after a WRMSR of the kernel
 * @cur:	the guest's EFER now (SVME set: the VMM runs it)
 * @val:	the value written
 * @writable:	policy_efer_writable() of the CPU
 * @paging:	the guest has CR0.PG set
 * @out:	set to the new guest EFER
 *
 * As the CPU does: a reserved bit, or a change of LME while paging is
 * enabled, raises #GP; LMA is read-only.  SVME stays set underneath, since
 * the VMM runs the kernel with it; the kernel's own value of it is
 * ignored (it reads as set while the VMM runs, see svm.c).
 *
 * Return: true, or false for #GP (@out unchanged).
 */
bool policy_efer_write(u64 cur, u64 val, u64 writable, bool paging, u64 *out)
{
	if (val & ~writable)
		return false;
	if (paging && ((cur ^ val) & EFER_LME))
		return false;
	*out = (val & ~(EFER_LMA | EFER_SVME)) | (cur & EFER_LMA) | EFER_SVME;
	return true;
}

/**
 * policy_msr_intercepts() - the MSR accesses the VMM intercepts
 * @set:	called once per MSR: intercept reads (@read) and/or writes
 *		(@write) of @msr; returns 0 or a negative error
 * @ctx:	passed to @set
 *
 * Reads and writes of the emulated MSRs, writes of the checked ones,
 * nothing else.  A backend encodes them in its own format (the SVM MSR
 * permission map, svm_msrpm_build()).
 *
 * Return: 0, or the OR of @set's errors.
 */
int policy_msr_intercepts(int (*set)(void *ctx, u32 msr, bool read,
				     bool write),
			  void *ctx)
{
	int ret = 0;

	for (size_t i = 0;
	     i < sizeof(intercepted_msrs) / sizeof(intercepted_msrs[0]); i++)
		ret |= set(ctx, intercepted_msrs[i].msr,
			   intercepted_msrs[i].read, true);
	/* MTRR writes (policy_mtrr_msr()): every variable range there can be. */
	for (u32 msr = MSR_MTRR_PHYSBASE0;
	     msr < MSR_MTRR_PHYSBASE0 + 2 * MTRR_VAR_MAX; msr++)
		ret |= set(ctx, msr, false, true);
	ret |= set(ctx, MSR_MTRR_DEF_TYPE, false, true);
	return ret;
}
