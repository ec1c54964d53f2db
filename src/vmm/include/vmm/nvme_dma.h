/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checks of the data pointers of NVMe commands (PRP entries and lists,
 * SGL descriptors and segments): which memory the controller would read
 * or write for a command, and whether any of it is off limits.
 */
#ifndef _VMM_NVME_DMA_H
#define _VMM_NVME_DMA_H

#include <vmm/types.h>

#define NVME_PAGE_SIZE		4096ULL
#define NVME_SGL_MAX_SEGMENTS	64	/* more is refused */
#define NVME_SGL_MAX_SEGMENT	4096	/* bytes of one segment; more is refused */

/**
 * struct nvme_dma_env - the memory a check runs against
 * @denied:	whether [@pa, @pa + @len) overlaps memory the device must
 *		not reach
 * @read:	copy @len bytes of guest memory at @pa (a PRP list or SGL
 *		segment) to @buf; only called for ranges @denied accepted
 * @ctx:	argument of both
 */
struct nvme_dma_env {
	bool (*denied)(void *ctx, u64 pa, u64 len);
	void (*read)(void *ctx, u64 pa, void *buf, u64 len);
	void *ctx;
};

int nvme_dma_check_prp(u64 prp1, u64 prp2, u64 len,
		       const struct nvme_dma_env *env);
int nvme_dma_check_sgl(const u8 *sgl1, const struct nvme_dma_env *env);

#endif /* _VMM_NVME_DMA_H */
