// SPDX-License-Identifier: GPL-2.0
/*
 * Verification of the embedded VMM image before anything uses it.
 */
#include <rtvirt/common.h>
#include <rtvirt/vmm_image.h>

_Static_assert(sizeof(struct rtvirt_vmm_header) == RTVIRT_VMM_HDR_SIZE,
	       "VMM header layout");
_Static_assert(__builtin_offsetof(struct rtvirt_vmm_header, checksum) ==
	       RTVIRT_VMM_HDR_OFF_CHECKSUM, "VMM header checksum offset");

static u32 image_checksum(const u8 *image, size_t len)
{
	static const u8 zero[4];
	u32 crc;

	crc = rtvirt_crc32(0, image, RTVIRT_VMM_HDR_OFF_CHECKSUM);
	crc = rtvirt_crc32(crc, zero, sizeof(zero));
	return rtvirt_crc32(crc, image + RTVIRT_VMM_HDR_OFF_CHECKSUM + 4,
			    len - RTVIRT_VMM_HDR_OFF_CHECKSUM - 4);
}

/**
 * rtvirt_vmm_image_check() - verify a VMM image's header and contents
 * @image:	start of the image
 * @len:	number of bytes available at @image
 * @reason:	set to a short description of the first problem found
 *
 * Checks the magic, the header layout version and size, that the image
 * size recorded in the header matches @len, that the VMM's major version
 * is the one this module was built for, that the entry point lies inside
 * the image, that it is linked at RTVIRT_VMM_LINK_BASE, that the sizes are
 * within sane bounds, that the reserved fields are zero and that the CRC-32
 * matches.  The header may be unaligned.
 *
 * Return: 0 if the image is usable, -EINVAL otherwise (with @reason set).
 */
int rtvirt_vmm_image_check(const void *image, size_t len, const char **reason)
{
	struct rtvirt_vmm_header hdr;

	*reason = "ok";
	if (len < sizeof(hdr)) {
		*reason = "image smaller than its header";
		return -EINVAL;
	}
	memcpy(&hdr, image, sizeof(hdr));
	if (hdr.magic != RTVIRT_VMM_MAGIC)
		*reason = "bad magic";
	else if (hdr.header_version != RTVIRT_VMM_HEADER_VERSION)
		*reason = "unsupported header version";
	else if (hdr.header_size != sizeof(hdr))
		*reason = "bad header size";
	else if (hdr.vmm_version >> 16 != RTVIRT_VMM_VERSION_MAJOR)
		*reason = "VMM major version does not match the module";
	else if (hdr.image_size != len)
		*reason = "image size does not match the header";
	else if (len > RTVIRT_VMM_MAX_IMAGE_SIZE)
		*reason = "image too large";
	else if (hdr.bss_size > RTVIRT_VMM_MAX_BSS_SIZE)
		*reason = "bss too large";
	else if (hdr.entry_offset < sizeof(hdr) || hdr.entry_offset >= len)
		*reason = "entry point outside the image";
	else if (hdr.entry_offset > len - 16 || (hdr.entry_offset & 7))
		*reason = "entry table outside the image";
	else if (hdr.reloc_offset < sizeof(hdr) || hdr.reloc_offset > len ||
		 hdr.reloc_size > len - hdr.reloc_offset ||
		 hdr.reloc_size % 24 || (hdr.reloc_offset & 7))
		*reason = "relocations outside the image";
	else if (hdr.link_base != RTVIRT_VMM_LINK_BASE)
		*reason = "image linked at the wrong address";
	else if (hdr.flags || hdr.reserved)
		*reason = "reserved header fields set";
	else if (hdr.checksum != image_checksum(image, len))
		*reason = "checksum mismatch";
	else
		return 0;
	return -EINVAL;
}
