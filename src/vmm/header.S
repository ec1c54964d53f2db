/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The image header (struct rtvirt_vmm_header).  Sizes come from the linker
 * script; the checksum is filled in by tools/build/vmm-seal after linking.
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
	.quad	__vmm_image_size
	.quad	__vmm_bss_size
	.quad	RTVIRT_VMM_LINK_BASE
	.quad	vmm_entry - RTVIRT_VMM_LINK_BASE
	.long	0				/* checksum */
	.long	0				/* reserved */
	.size	vmm_header, . - vmm_header
