/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMM entry point.  Called with the System V calling convention, one
 * argument in %rdi, on the caller's stack; switches to the VMM's boot stack
 * for vmm_main() and back, and returns vmm_main()'s result in %eax.
 */

#define BOOT_STACK_SIZE	16384

	.text
	.globl	vmm_entry
	.type	vmm_entry, @function
vmm_entry:
	pushq	%rbp
	movq	%rsp, %rbp
	leaq	boot_stack_top(%rip), %rsp
	call	vmm_main
	movq	%rbp, %rsp
	popq	%rbp
	ret
	.size	vmm_entry, . - vmm_entry

	.bss
	.balign	16
boot_stack:
	.skip	BOOT_STACK_SIZE
boot_stack_top:
