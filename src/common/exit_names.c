// SPDX-License-Identifier: GPL-2.0
/*
 * Names of the VM exit reasons counted per CPU (RTVIRT_EXIT_*), as sysfs
 * file names and in rtvirtctl output.
 */
#include <rtvirt/common.h>
#include <linux/rtvirt_exit.h>

static const char *const exit_names[RTVIRT_EXIT_REASONS] = {
	[RTVIRT_EXIT_HYPERCALL] = "hypercall",
	[RTVIRT_EXIT_CPUID] = "cpuid",
	[RTVIRT_EXIT_MSR_READ] = "msr_read",
	[RTVIRT_EXIT_MSR_WRITE] = "msr_write",
	[RTVIRT_EXIT_NPF] = "npf",
	[RTVIRT_EXIT_VIRT_INSN] = "virt_insn",
	[RTVIRT_EXIT_SHUTDOWN] = "shutdown",
	[RTVIRT_EXIT_DEBUG] = "debug",
	[RTVIRT_EXIT_OTHER] = "other",
	[RTVIRT_EXIT_IO] = "io",
	[RTVIRT_EXIT_INTR] = "interrupt",
	[RTVIRT_EXIT_NMI] = "nmi",
};

/**
 * rtvirt_exit_name() - name of an exit reason
 * @reason:	RTVIRT_EXIT_* index
 *
 * Return: the name, or NULL for an unused index.
 */
const char *rtvirt_exit_name(unsigned int reason)
{
	return reason < RTVIRT_EXIT_REASONS ? exit_names[reason] : NULL;
}
