/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The image header (struct rtvirt_vmm_header).  Sizes and offsets are link
 * results that would need run-time relocations here: tools/build/vmm-seal
 * fills them in from the linked ELF's symbols, then the checksum.
 */
#include <rtvirt/vmm_image.h>

	.section .vmm_header, "a"
	.globl	vmm_header
vmm_header:
	.quad	RTVIRT_VMM_MAGIC
	.long	RTVIRT_VMM_HEADER_VERSION
	.long	RTVIRT_VMM_HDR_SIZE
	.long	RTVIRT_VMM_VERSION
	.long	0				/* flags */
	.quad	0				/* image_size, and */
	.quad	0				/* bss_size, */
	.quad	RTVIRT_VMM_LINK_BASE
	.quad	0				/* entry_offset, */
	.quad	0				/* reloc_offset, */
	.quad	0				/* reloc_size: vmm-seal */
	.long	0				/* checksum */
	.long	0				/* reserved */
	.size	vmm_header, . - vmm_header
