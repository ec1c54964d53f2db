// SPDX-License-Identifier: GPL-2.0
/*
 * memset and memcpy: the compiler may emit calls to them even in
 * freestanding code (structure copies and clears).
 */
#include <vmm/vmm.h>

void *memset(void *s, int c, size_t n)
{
	u8 *p = s;

	while (n--)
		*p++ = (u8)c;
	return s;
}

void *memcpy(void *d, const void *s, size_t n)
{
	u8 *dp = d;
	const u8 *sp = s;

	while (n--)
		*dp++ = *sp++;
	return d;
}
