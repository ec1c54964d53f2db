/* SPDX-License-Identifier: GPL-2.0 */
/*
 * printf-style formatting for the VMM log; no libc behind it.
 */
#ifndef _VMM_FORMAT_H
#define _VMM_FORMAT_H

#include <vmm/types.h>

int vmm_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int vmm_snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif /* _VMM_FORMAT_H */
