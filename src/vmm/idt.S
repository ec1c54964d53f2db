/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMM's exception entry points: one 16-byte stub per vector.  The VMM
 * runs with GIF clear, so interrupts and NMIs never reach it; any vector
 * arriving here is a VMM bug and ends in vmm_exception() (a panic).
 */
	.text
	.altmacro
	.macro	STUB vec
	.balign	16
	.if (\vec == 8) || ((\vec >= 10) && (\vec <= 14)) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
	.else
	pushq	$0
	.endif
	pushq	$\vec
	jmp	exception_common
	.endm

	.balign	16
	.globl	vmm_exception_stubs
vmm_exception_stubs:
	.set	vec, 0
	.rept	256
	STUB	%vec
	.set	vec, vec + 1
	.endr

exception_common:
	/* [rsp] vector, [rsp+8] error code, then the CPU's frame */
	movq	%rsp, %rdi
	andq	$-16, %rsp
	call	vmm_exception
1:	hlt
	jmp	1b
