/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PCI configuration space, as the device models see it: the header fields
 * they look at (PCI Local Bus 3.0, type 0 header) and the rule for writes
 * that change how the device decodes or masters, which every model holds
 * during a hand-back.
 */
#ifndef _VMM_PCI_H
#define _VMM_PCI_H

#include <vmm/types.h>

/* Configuration mechanism #1: the address port, the data ports after it. */
#define PCI_CONFIG_ADDRESS	0xcf8
#define PCI_CONFIG_DATA		0xcfc

#define PCI_COMMAND		0x04	/* 16 bits */
#define PCI_COMMAND_IO		0x1	/* I/O space decoding */
#define PCI_COMMAND_MEMORY	0x2	/* memory space decoding */
#define PCI_COMMAND_MASTER	0x4	/* bus mastering (DMA) */
#define PCI_BAR0		0x10	/* six 32-bit base address registers */
#define PCI_BAR_END		0x28

/**
 * pci_config_write_changes_device() - whether a configuration write turns
 * off memory decoding or bus mastering, or moves a BAR
 * @off:	byte offset of the write in the function's configuration space
 * @size:	1, 2 or 4 bytes
 * @val:	the value written, in its low @size bytes
 *
 * Such a write must not reach a device the VMM drives: the model holds it
 * (vdev_hold()) and hands the device back.
 *
 * Return: true for such a write.
 */
static inline bool pci_config_write_changes_device(unsigned int off,
						   unsigned int size, u64 val)
{
	if (off <= PCI_COMMAND && PCI_COMMAND < off + size) {
		u8 cmd = val >> ((PCI_COMMAND - off) * 8);

		if ((cmd & (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER)) !=
		    (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER))
			return true;
	}
	return off < PCI_BAR_END && off + size > PCI_BAR0;
}

/**
 * pci_config_write_sets_io() - whether a configuration write turns on I/O
 * space decoding
 * @off:	byte offset of the write
 * @size:	1, 2 or 4 bytes
 * @val:	the value written, in its low @size bytes
 *
 * For a device whose registers also answer through an I/O BAR the model
 * does not trap (the module described none).
 *
 * Return: true for such a write.
 */
static inline bool pci_config_write_sets_io(unsigned int off,
					    unsigned int size, u64 val)
{
	return off <= PCI_COMMAND && PCI_COMMAND < off + size &&
	       ((val >> ((PCI_COMMAND - off) * 8)) & PCI_COMMAND_IO);
}

#endif /* _VMM_PCI_H */
