/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtvirtctl: helpers its output and argument files share; not part of
 * format.h, the interface main() and the unit tests use.
 */
#ifndef RTVIRTCTL_INTERNAL_H
#define RTVIRTCTL_INTERNAL_H

#include <stddef.h>

#include <linux/types.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
/* Big enough for a u64 in decimal and for any state name. */
#define CELL_BUF	24

#ifndef __printf
#define __printf(a, b)	__attribute__((format(printf, a, b)))
#endif

const char *rvc_unknown_name(__u32 val, char *buf, size_t len);
__u32 rvc_unknown_features(__u32 features);
const char *rvc_u64_cell(__u64 val, char *buf, size_t len);
__printf(4, 5) void rvc_buf_append(char *buf, size_t len, size_t *off,
				   const char *fmt, ...);

#endif /* RTVIRTCTL_INTERNAL_H */
