// SPDX-License-Identifier: GPL-2.0
/*
 * First C code of the VMM.
 */
#include <rtvirt/vmm_image.h>
#include <vmm/entry.h>
#include <vmm/log.h>

/**
 * vmm_main() - VMM entry after the switch to its own stack
 * @arg:	argument from the launching module (reserved, logged)
 *
 * Brings up the serial log and announces the VMM.
 *
 * Return: 0.
 */
int vmm_main(u64 arg)
{
	serial_init();
	vmm_log("rtvirt VMM %u.%u entered (arg %#llx)\n",
		RTVIRT_VMM_VERSION_MAJOR, RTVIRT_VMM_VERSION_MINOR,
		(unsigned long long)arg);
	return 0;
}
