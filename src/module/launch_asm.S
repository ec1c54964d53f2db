/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtvirt_launch_trampoline(launch, cpu, flags): call the VMM's launch_cpu
 * with the stack pointer and resume address at which this CPU continues as
 * a guest.  Returns launch_cpu()'s error if it fails, or what the VMM put
 * in RAX when the CPU comes back through rtvirt_resume_guest: 0 as a
 * guest, a negative errno natively when the first VMRUN failed.
 */
#include <linux/linkage.h>
#include <asm/nospec-branch.h>

	.text
SYM_FUNC_START(rtvirt_launch_trampoline)
	pushq	%rbp
	movq	%rsp, %rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	pushfq
	movq	%rdi, %rax
	movl	%esi, %edi
	movl	%edx, %ecx
	movq	%rsp, %rsi
	leaq	rtvirt_resume_guest(%rip), %rdx
	CALL_NOSPEC rax
	/*
	 * launch_cpu() returned: it failed and the CPU is still native, with
	 * the error in %eax.  Either way the same code follows: the CPU
	 * comes here first as a guest (%eax 0), or natively again after a
	 * failed first VMRUN (%eax < 0), on the stack captured above.
	 */
rtvirt_resume_guest:
	popfq
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	RET
SYM_FUNC_END(rtvirt_launch_trampoline)
