/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry into the VMM image.
 */
#ifndef _VMM_ENTRY_H
#define _VMM_ENTRY_H

#include <vmm/types.h>

int vmm_main(u64 arg);

#endif /* _VMM_ENTRY_H */
