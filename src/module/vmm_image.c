// SPDX-License-Identifier: GPL-2.0
/*
 * The VMM image embedded in the module (see vmm_blob.S).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/printk.h>
#include <rtvirt/vmm_image.h>

#include "rtvirt.h"

extern const u8 rtvirt_vmm_image_start[];
extern const u8 rtvirt_vmm_image_end[];

static const struct rtvirt_vmm_header *image_header(void)
{
	return (const struct rtvirt_vmm_header *)rtvirt_vmm_image_start;
}

/**
 * rtvirt_vmm_image_header() - the embedded image, starting with its header
 *
 * Return: the header; the image follows it (image_size bytes in all).
 */
const struct rtvirt_vmm_header *rtvirt_vmm_image_header(void)
{
	return image_header();
}

/**
 * rtvirt_vmm_image_size() - bytes of the embedded VMM image
 *
 * Return: the size of the flat image, header included.
 */
size_t rtvirt_vmm_image_size(void)
{
	return rtvirt_vmm_image_end - rtvirt_vmm_image_start;
}

/**
 * rtvirt_vmm_image_version() - version of the embedded VMM image
 *
 * Only meaningful after rtvirt_vmm_image_verify() succeeded.
 *
 * Return: major << 16 | minor.
 */
u32 rtvirt_vmm_image_version(void)
{
	return image_header()->vmm_version;
}

/**
 * rtvirt_vmm_image_verify() - check the embedded VMM image before use
 *
 * Return: 0 if the image is intact and of a version this module drives,
 * -ENOEXEC (with the reason logged) otherwise.
 */
int rtvirt_vmm_image_verify(void)
{
	const char *reason;

	if (rtvirt_vmm_image_check(rtvirt_vmm_image_start,
				   rtvirt_vmm_image_size(), &reason)) {
		pr_err("embedded VMM image rejected: %s\n", reason);
		return -ENOEXEC;
	}
	pr_debug("VMM image %u.%u verified: %zu bytes, %llu bytes bss\n",
		 image_header()->vmm_version >> 16,
		 image_header()->vmm_version & 0xffff,
		 rtvirt_vmm_image_size(), image_header()->bss_size);
	return 0;
}
