/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Basic types for the freestanding VMM image (no libc, no Linux headers).
 */
#ifndef _VMM_TYPES_H
#define _VMM_TYPES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;

#define __noreturn	__attribute__((__noreturn__))
#define __printf(a, b)	__attribute__((__format__(printf, a, b)))
#define __section(s)	__attribute__((__section__(s)))
#define __used		__attribute__((__used__))

#endif /* _VMM_TYPES_H */
