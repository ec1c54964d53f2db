/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 port I/O and CPU helpers for the VMM.
 */
#ifndef _VMM_IO_H
#define _VMM_IO_H

#include <vmm/types.h>

static inline void outb(u16 port, u8 val)
{
	asm volatile("outb %0, %1" : : "a"(val), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 val;

	asm volatile("inb %1, %0" : "=a"(val) : "Nd"(port));
	return val;
}

static inline void cpu_relax(void)
{
	asm volatile("pause" ::: "memory");
}

#endif /* _VMM_IO_H */
