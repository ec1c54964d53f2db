// SPDX-License-Identifier: GPL-2.0
/*
 * Which PCI functions rtvirt can take into emulation, and with which model.
 */
#include <rtvirt/common.h>

#define PCI_VENDOR_INTEL	0x8086
#define PCI_CLASS_NVME		0x010802	/* mass storage, NVM, NVMe */

/*
 * The e1000e model serves the 82574 register interface, which QEMU's
 * e1000e device implements, and the 82540EM's, its subset (legacy
 * descriptors, no MSI-X: Bochs's and QEMU's e1000, Linux's e1000 driver).
 * Only parts sharing that interface are listed; the later ICH/PCH-
 * integrated e1000e parts differ (PHY access, NVM, ULP) and need a model
 * of their own.
 */
static const u16 e1000e_device_ids[] = {
	0x10d3,		/* 82574L */
	0x10f6,		/* 82574LA */
	0x150c,		/* 82583V */
	0x100e,		/* 82540EM */
};

/**
 * rtvirt_match_device() - find the device model for a PCI function
 * @vendor:	PCI vendor ID
 * @device:	PCI device ID
 * @class:	24-bit PCI class code (base, sub-class, programming interface)
 *
 * Return: the model that handles the function, or %RTVIRT_MODEL_NONE.
 */
enum rtvirt_model rtvirt_match_device(u16 vendor, u16 device, u32 class)
{
	size_t i;

	if ((class & 0xffffff) == PCI_CLASS_NVME)
		return RTVIRT_MODEL_NVME;
	if (vendor != PCI_VENDOR_INTEL)
		return RTVIRT_MODEL_NONE;
	for (i = 0; i < sizeof(e1000e_device_ids) / sizeof(e1000e_device_ids[0]); i++)
		if (device == e1000e_device_ids[i])
			return RTVIRT_MODEL_E1000E;
	return RTVIRT_MODEL_NONE;
}

/**
 * rtvirt_model_name() - name of a device model as shown to users
 * @model:	the model
 *
 * Return: "nvme", "e1000e", or "none" for anything else.
 */
const char *rtvirt_model_name(enum rtvirt_model model)
{
	switch (model) {
	case RTVIRT_MODEL_NVME:
		return "nvme";
	case RTVIRT_MODEL_E1000E:
		return "e1000e";
	default:
		return "none";
	}
}
