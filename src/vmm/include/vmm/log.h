/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMM logging (serial console) and the panic path.
 */
#ifndef _VMM_LOG_H
#define _VMM_LOG_H

#include <vmm/types.h>

void serial_init(void);
void serial_write(const char *s, size_t len);

void vmm_log(const char *fmt, ...) __printf(1, 2);
void __noreturn vmm_panic(const char *fmt, ...) __printf(1, 2);

/*
 * Set by the core: tells the kernel of a panic (vmm_panic()), and may give
 * the CPU back to the kernel without returning; or NULL.
 */
extern void (*vmm_panic_notify)(const char *reason);

#endif /* _VMM_LOG_H */
