/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the demoted kernel may see of the CPU: the CPUID filter and the
 * MSRs the VMM intercepts, independent of the backend's encoding.
 */
#ifndef _VMM_POLICY_H
#define _VMM_POLICY_H

#include <vmm/types.h>

void policy_filter_cpuid(u32 leaf, u32 *a, u32 *b, u32 *c, u32 *d);
int policy_msr_intercepts(int (*set)(void *ctx, u32 msr, bool read,
				     bool write),
			  void *ctx);
bool policy_msr_emulated(u32 msr);
bool policy_pat_valid(u64 val);

#define POLICY_MSR_PASS		0
#define POLICY_MSR_CHECK_RANGE	1
#define POLICY_MSR_GP		2

bool policy_msr_write_needs_old(u32 msr);
int policy_msr_write(u32 msr, u64 old, u64 val, u64 *addr, u32 *len);
/* Variable-range MTRRs the VMM checks: up to the fixed ones at 0x250. */
#define MTRR_VAR_MAX		40

#define MTRR_TYPE_UC		0
#define MTRR_TYPE_WC		1
#define MTRR_TYPE_WT		4
#define MTRR_TYPE_WP		5
#define MTRR_TYPE_WB		6
#define MTRR_TYPE_MIXED		0xff	/* overlapping ranges: undefined */

/**
 * struct policy_mtrr - the MTRR state that decides memory types above 1 MiB
 * @def_type:	IA32_MTRR_DEF_TYPE
 * @nr_var:	variable ranges the CPU has (MTRRcap VCNT, at most
 *		MTRR_VAR_MAX)
 * @base:	IA32_MTRR_PHYSBASEn
 * @mask:	IA32_MTRR_PHYSMASKn
 * @phys_bits:	physical address width
 * @tom2_wb:	0, or TOM2 where SYSCFG makes [4 GiB, TOM2) default to WB
 *		(MtrrTom2En and Tom2ForceMemTypeWB, AMD)
 */
struct policy_mtrr {
	u64 def_type;
	u32 nr_var;
	u64 base[MTRR_VAR_MAX];
	u64 mask[MTRR_VAR_MAX];
	u32 phys_bits;
	u64 tom2_wb;
};

bool policy_mtrr_msr(u32 msr, u32 nr_var);
void policy_mtrr_set(struct policy_mtrr *s, u32 msr, u64 val);
u8 policy_mtrr_type(const struct policy_mtrr *s, u64 pa);
bool policy_mtrr_range_ok(const struct policy_mtrr *s, u64 start, u64 len);
u64 policy_mtrr_tom2_wb(u64 syscfg, u64 tom2);
u64 policy_efer_writable(u32 ext_c, u32 ext_d, u32 ext8_b, u32 ext21_a);
bool policy_efer_write(u64 cur, u64 val, u64 writable, bool paging,
		       u64 *out);

#endif /* _VMM_POLICY_H */
