/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * rtvirt VM exit reasons, as counted per CPU by the VMM and reported in
 * struct rtvirt_cpu_stats.  Kept free of includes: the freestanding VMM
 * image uses it too.
 */
#ifndef _UAPI_LINUX_RTVIRT_EXIT_H
#define _UAPI_LINUX_RTVIRT_EXIT_H

/* Index of rtvirt_cpu_stats.exits[]: VM exits by reason. */
#define RTVIRT_EXIT_HYPERCALL	0	/* VMMCALL/VMCALL */
#define RTVIRT_EXIT_CPUID	1
#define RTVIRT_EXIT_MSR_READ	2
#define RTVIRT_EXIT_MSR_WRITE	3
#define RTVIRT_EXIT_NPF		4	/* nested page fault (VMM memory, device traps) */
#define RTVIRT_EXIT_VIRT_INSN	5	/* guest SVM/VMX instruction: #UD */
#define RTVIRT_EXIT_SHUTDOWN	6
#define RTVIRT_EXIT_DEBUG	7	/* #DB after a contained access */
#define RTVIRT_EXIT_OTHER	8
#define RTVIRT_EXIT_IO		9	/* trapped port access (PCI config) */
#define RTVIRT_EXIT_INTR	10	/* interrupt while a device is virtualized */
#define RTVIRT_EXIT_NMI		11	/* NMI for the kernel (VMX: NMI exiting) */
#define RTVIRT_EXIT_REASONS	16	/* size of the array; unused slots 0 */

#endif /* _UAPI_LINUX_RTVIRT_EXIT_H */
