// SPDX-License-Identifier: GPL-2.0
/*
 * The I/O intercept map both backends point their hardware at: a leaf
 * service of the core (setup allocates it, the device framework sets the
 * ports of the I/O BARs models trap).
 */
#include <vmm/pci.h>
#include <vmm/vmm.h>

/*
 * The intercepted I/O ports: one bit per port, bit (port % 8) of byte
 * (port / 8), in both backends' formats: SVM's I/O permission map is 12
 * KiB (the bytes past port 0xffff catch accesses that wrap), VMX's two
 * 4 KiB bitmaps A and B are the first two pages.  The backends intercept
 * port I/O only while a device is virtualized (&vmm_arch_ops.refresh).
 */
#define VMM_PORT_MAP_PAGES	3

/**
 * vmm_ports_init() - allocate the map, with the PCI configuration ports
 * in it; called by vmm_init() before the backend's init
 *
 * Return: 0, or ERR_NOMEM.
 */
int vmm_ports_init(void)
{
	vmm.ports = vmm_alloc_pages(VMM_PORT_MAP_PAGES, &vmm.ports_pa);
	if (!vmm.ports)
		return ERR_NOMEM;
	vmm_port_intercept(PCI_CONFIG_ADDRESS, PCI_CONFIG_DATA + 4 -
			   PCI_CONFIG_ADDRESS, true);
	return 0;
}

/**
 * vmm_port_intercept() - make I/O ports exit, or run natively again
 * @port:	first port
 * @count:	ports (the range ends at 0xffff)
 * @on:		intercept them
 *
 * Every CPU reads the one map: a port that exits takes effect at its next
 * access on CPUs that intercept port I/O at all; callers that narrow make
 * every CPU refresh (RTVIRT_HC_FLUSH) before relying on it.
 */
void vmm_port_intercept(u16 port, unsigned int count, bool on)
{
	for (u32 p = port; p < (u32)port + count && p <= 0xffff; p++) {
		if (on)
			__atomic_or_fetch(&vmm.ports[p / 8], 1U << (p % 8),
					  __ATOMIC_RELAXED);
		else
			__atomic_and_fetch(&vmm.ports[p / 8],
					   ~(1U << (p % 8)) & 0xff,
					   __ATOMIC_RELAXED);
	}
}
