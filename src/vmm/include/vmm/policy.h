/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the demoted kernel may see of the CPU: the CPUID filter and the
 * MSRs the VMM intercepts, independent of the backend's encoding.
 */
#ifndef _VMM_POLICY_H
#define _VMM_POLICY_H

#include <vmm/types.h>

#define SVM_MSRPM_SIZE	8192

void policy_filter_cpuid(u32 leaf, u32 *a, u32 *b, u32 *c, u32 *d);
int svm_msrpm_set(u8 *msrpm, u32 msr, bool read, bool write);
bool svm_msrpm_test(const u8 *msrpm, u32 msr, bool write);
int svm_msrpm_build(u8 *msrpm);
bool policy_msr_emulated(u32 msr);
bool policy_pat_valid(u64 val);

#define POLICY_MSR_PASS		0
#define POLICY_MSR_CHECK_RANGE	1
#define POLICY_MSR_GP		2

bool policy_msr_write_needs_old(u32 msr);
int policy_msr_write(u32 msr, u64 old, u64 val, u64 *addr, u32 *len);
u64 policy_efer_writable(u32 ext_c, u32 ext_d, u32 ext8_b, u32 ext21_a);
bool policy_efer_write(u64 cur, u64 val, u64 writable, bool paging,
		       u64 *out);

#endif /* _VMM_POLICY_H */
