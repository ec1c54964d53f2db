/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Environment for code in src/common/, which is built into the kernel
 * module and, unchanged, into the user-space unit tests and host tools.
 */
#ifndef _RTVIRT_COMMON_H
#define _RTVIRT_COMMON_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/string.h>
#else
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
#endif

/**
 * enum rtvirt_model - device models the VMM provides
 * @RTVIRT_MODEL_NONE:		not a device rtvirt manages
 * @RTVIRT_MODEL_NVME:		NVMe controller (PCI class 01:08:02)
 * @RTVIRT_MODEL_E1000E:	Intel 82574-family gigabit NIC (e1000e driver)
 */
enum rtvirt_model {
	RTVIRT_MODEL_NONE,
	RTVIRT_MODEL_NVME,
	RTVIRT_MODEL_E1000E,
};

enum rtvirt_model rtvirt_match_device(u16 vendor, u16 device, u32 class);
const char *rtvirt_model_name(enum rtvirt_model model);

int rtvirt_parse_bool(const char *buf, size_t len, bool *val);

const char *rtvirt_exit_name(unsigned int reason);
const char *rtvirt_device_state_name(u32 state);
const char *rtvirt_cpu_state_name(u32 state);

u32 rtvirt_crc32(u32 crc, const void *buf, size_t len);

u64 rtvirt_vmm_mem_needed(u64 image_bytes, unsigned int phys_bits, bool la57,
			  unsigned int nr_cpus);

struct rtvirt_vmm_header;
int rtvirt_vmm_image_check(const void *image, size_t len,
			   const char **reason);

#endif /* _RTVIRT_COMMON_H */
