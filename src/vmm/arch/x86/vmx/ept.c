// SPDX-License-Identifier: GPL-2.0
/*
 * EPT as the CPU offers it: the depth and largest pages of the VMM's EPT
 * tables, the EPT pointer, and the invalidations the VMM relies on, from
 * IA32_VMX_EPT_VPID_CAP (Intel SDM volume 3, appendix A.10, and 25.6.11).
 * Pure functions, unit-tested in user space (tools/testing/unit/test_vmx.c).
 */
#include <vmm/vmx.h>

/**
 * vmx_ept_levels() - how deep the VMM's EPT tables are
 * @cap:	IA32_VMX_EPT_VPID_CAP
 * @host_levels: the host's paging depth, 4 or 5
 *
 * As deep as the host's paging where the CPU walks such EPT tables;
 * 4-level on a 5-level host whose CPU has no 5-level EPT walk (the kernel
 * then reaches guest-physical addresses below 2^48 only, as with 4-level
 * paging).
 *
 * Return: 4 or 5, or 0 when the CPU walks neither.
 */
unsigned int vmx_ept_levels(u64 cap, unsigned int host_levels)
{
	if (host_levels == 5 && (cap & VMX_EPT_CAP_WALK5))
		return 5;
	return cap & VMX_EPT_CAP_WALK4 ? 4 : 0;
}

/**
 * vmx_ept_max_leaf() - the largest EPT leaf the CPU takes
 * @cap:	IA32_VMX_EPT_VPID_CAP
 *
 * Return: 3 (1 GiB), 2 (2 MiB) or 1 (4 KiB only), as struct pt's
 * max_leaf_level.
 */
unsigned int vmx_ept_max_leaf(u64 cap)
{
	if (cap & VMX_EPT_CAP_1G)
		return 3;
	return cap & VMX_EPT_CAP_2M ? 2 : 1;
}

/**
 * vmx_ept_missing() - what the VMM needs of EPT and the CPU lacks
 * @cap:	IA32_VMX_EPT_VPID_CAP
 * @levels:	the depth vmx_ept_levels() chose
 *
 * The walk of that depth, write-back paging structures (the tables live
 * in ordinary memory) and INVEPT with the all-context type, which every
 * narrowing change of the tables needs on every CPU.
 *
 * Return: the missing VMX_EPT_CAP_* bits, 0 if EPT can be used.
 */
u64 vmx_ept_missing(u64 cap, unsigned int levels)
{
	u64 need = VMX_EPT_CAP_WB | VMX_EPT_CAP_INVEPT |
		   VMX_EPT_CAP_INVEPT_ALL;

	need |= levels == 5 ? VMX_EPT_CAP_WALK5 : VMX_EPT_CAP_WALK4;
	return need & ~cap;
}

/**
 * vmx_vpid_usable() - whether VPIDs can be used
 * @cap:	IA32_VMX_EPT_VPID_CAP
 *
 * Only with INVVPID of the all-context type, which must follow every
 * narrowing change as INVEPT does.
 *
 * Return: true if the CPU has it.
 */
bool vmx_vpid_usable(u64 cap)
{
	return (cap & VMX_VPID_CAP_INVVPID) && (cap & VMX_VPID_CAP_INVVPID_ALL);
}

/**
 * vmx_eptp() - the EPT pointer of tables at @root
 * @root:	physical address of the top-level table (4 KiB aligned)
 * @levels:	4 or 5
 *
 * Write-back paging structures, no accessed and dirty flags.
 *
 * Return: the VMCS's EPT_POINTER.
 */
u64 vmx_eptp(u64 root, unsigned int levels)
{
	return (root & VMX_EPTP_ADDR) | VMX_EPTP_WB |
	       (u64)(levels - 1) << VMX_EPTP_WALK_SHIFT;
}
