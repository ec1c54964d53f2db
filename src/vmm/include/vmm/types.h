/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Basic types for the freestanding VMM image (no libc, no Linux headers).
 */
#ifndef _VMM_TYPES_H
#define _VMM_TYPES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* From the compiler's predefined types, so no hosted header is needed. */
typedef __UINT8_TYPE__ u8;
typedef __UINT16_TYPE__ u16;
typedef __UINT32_TYPE__ u32;
typedef __UINT64_TYPE__ u64;
typedef __INT32_TYPE__ s32;
typedef __INT64_TYPE__ s64;

#define __noreturn	__attribute__((__noreturn__))
#define __printf(a, b)	__attribute__((__format__(printf, a, b)))
#define __section(s)	__attribute__((__section__(s)))
#define __used		__attribute__((__used__))
#ifdef __CHECKER__	/* sparse does not know the attribute */
#define fallthrough	do {} while (0)
#else
#define fallthrough	__attribute__((__fallthrough__))
#endif

/* One access the compiler neither tears, merges nor moves (NMI context). */
#define READ_ONCE(x)		(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, val)	(*(volatile __typeof__(x) *)&(x) = (val))

#endif /* _VMM_TYPES_H */
