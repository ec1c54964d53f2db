/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Local APIC operations of the VMM.
 */
#ifndef _VMM_LAPIC_H
#define _VMM_LAPIC_H

#include <vmm/types.h>

void lapic_redeliver(int vector, bool nmi);

#endif /* _VMM_LAPIC_H */
