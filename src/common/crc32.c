// SPDX-License-Identifier: GPL-2.0
/*
 * CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), bitwise.  Used to
 * seal the VMM image at build time and to verify it at load time; the image
 * is small and checked once, so no table is worth its space.
 */
#include <rtvirt/common.h>

/**
 * rtvirt_crc32() - update a CRC-32 with more bytes
 * @crc:	CRC of the bytes so far (0 to start)
 * @buf:	bytes to add
 * @len:	number of bytes
 *
 * Return: the CRC of everything so far; rtvirt_crc32(0, "123456789", 9)
 * is 0xCBF43926.
 */
u32 rtvirt_crc32(u32 crc, const void *buf, size_t len)
{
	const u8 *p = buf;
	int bit;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ (0xEDB88320U & -(crc & 1));
	}
	return ~crc;
}
