/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Layout of the VMM image that rtvirt.ko embeds.
 *
 * The image is a flat binary linked at RTVIRT_VMM_LINK_BASE.  It starts with
 * struct rtvirt_vmm_header; the module refuses to load an image whose header
 * does not check out (see rtvirt_vmm_image_check()).
 *
 * Shared by the module, the VMM (assembly and C), the host tool that seals
 * the image and the unit tests.
 */
#ifndef _RTVIRT_VMM_IMAGE_H
#define _RTVIRT_VMM_IMAGE_H

/* "RTVIRTVM" read as a little-endian 64-bit number. */
#define RTVIRT_VMM_MAGIC		0x4D56545249565452ULL
#define RTVIRT_VMM_HEADER_VERSION	2

#define RTVIRT_VMM_VERSION_MAJOR	0
#define RTVIRT_VMM_VERSION_MINOR	1
#define RTVIRT_VMM_VERSION \
	((RTVIRT_VMM_VERSION_MAJOR << 16) | RTVIRT_VMM_VERSION_MINOR)

/*
 * The image is position independent and linked at 0; the module relocates
 * it to the kernel-virtual address it maps it at, and the VMM maps itself at
 * that same address in its own page tables.
 */
#define RTVIRT_VMM_LINK_BASE		0

/* Upper bounds the module accepts, to reject absurd headers early. */
#define RTVIRT_VMM_MAX_IMAGE_SIZE	(16U << 20)
#define RTVIRT_VMM_MAX_BSS_SIZE		(64U << 20)

#define RTVIRT_VMM_HDR_OFF_CHECKSUM	72
#define RTVIRT_VMM_HDR_SIZE		80

/* x86-64 ELF relocation type of every relocation in the image. */
#define RTVIRT_VMM_R_X86_64_RELATIVE	8

#ifndef __ASSEMBLY__

/**
 * struct rtvirt_vmm_header - first bytes of the VMM image
 * @magic:		RTVIRT_VMM_MAGIC
 * @header_version:	RTVIRT_VMM_HEADER_VERSION (layout of this struct)
 * @header_size:	sizeof(struct rtvirt_vmm_header)
 * @vmm_version:	RTVIRT_VMM_VERSION the image was built as
 * @flags:		reserved, zero
 * @image_size:		bytes of the flat image, header included
 * @bss_size:		bytes of zeroed memory the VMM needs after the image
 * @link_base:		virtual address the image is linked at
 * @entry_offset:	offset of struct rtvirt_vmm_entry (the image's function
 *			table) from the image start
 * @reloc_offset:	offset of the Elf64_Rela relocations (all
 *			R_X86_64_RELATIVE) to apply for the load address
 * @reloc_size:		bytes of relocations
 * @checksum:		CRC-32 (IEEE) of the image with this field zero
 * @reserved:		zero
 */
struct rtvirt_vmm_header {
	unsigned long long magic;
	unsigned int header_version;
	unsigned int header_size;
	unsigned int vmm_version;
	unsigned int flags;
	unsigned long long image_size;
	unsigned long long bss_size;
	unsigned long long link_base;
	unsigned long long entry_offset;
	unsigned long long reloc_offset;
	unsigned long long reloc_size;
	unsigned int checksum;
	unsigned int reserved;
};

#endif /* __ASSEMBLY__ */
#endif /* _RTVIRT_VMM_IMAGE_H */
