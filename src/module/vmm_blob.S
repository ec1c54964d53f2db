/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMM image, embedded verbatim.  RTVIRT_VMM_BIN is set by Kbuild.
 */
	.section .rodata, "a"
	.balign	64
	.globl	rtvirt_vmm_image_start
rtvirt_vmm_image_start:
	.incbin	RTVIRT_VMM_BIN
	.globl	rtvirt_vmm_image_end
rtvirt_vmm_image_end:
