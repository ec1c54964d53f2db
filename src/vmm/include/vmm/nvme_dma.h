/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checks of the data pointers of NVMe commands (PRP entries and lists,
 * SGL descriptors and segments): which memory the controller would read
 * or write for a command, and whether any of it is off limits.
 */
#ifndef _VMM_NVME_DMA_H
#define _VMM_NVME_DMA_H

#include <vmm/nvme_spec.h>

#define NVME_PAGE_SIZE		4096ULL
#define NVME_SGL_MAX_SEGMENTS	64	/* more is refused */
#define NVME_SGL_MAX_SEGMENT	4096	/* bytes of one segment; more is refused */
/*
 * Most bytes one command may transfer: Linux's nvme driver never sends
 * more (NVME_MAX_KB_SZ), and it bounds the walk of a command's PRP list
 * the VMM does with the device lock held.  More is refused.
 */
#define NVME_MAX_XFER		(8ULL << 20)
#define NVME_XFER_REFUSE	(~0ULL)	/* length unknown or too large */
#define NVME_DMA_NOMEM		(-2)	/* no page for a copy */

/**
 * struct nvme_dma_env - the memory a check runs against
 * @denied:	whether [@pa, @pa + @len) overlaps memory the device must
 *		not reach
 * @read:	copy @len bytes of guest memory at @pa (a PRP list or SGL
 *		segment) to @buf; only called for ranges @denied accepted
 * @alloc:	(copies only) a page for copied lists and segments, which
 *		the OS cannot write; its physical address, or 0 if none
 * @write:	(copies only) store @len bytes at @pa of such a page
 * @ctx:	argument of all
 */
struct nvme_dma_env {
	bool (*denied)(void *ctx, u64 pa, u64 len);
	void (*read)(void *ctx, u64 pa, void *buf, u64 len);
	u64 (*alloc)(void *ctx);
	void (*write)(void *ctx, u64 pa, const void *buf, u64 len);
	void *ctx;
};

/**
 * struct nvme_lbaf - what one logical block of a namespace moves
 * @lba_shift:	log2 of its data bytes
 * @ext:	its metadata is inline, after its data (extended LBA)
 * @ms:		its metadata bytes, 0 for none
 * @pi_size:	bytes of protection information in the metadata, 0 for none
 */
struct nvme_lbaf {
	u8 lba_shift;
	bool ext;
	u16 ms;
	u16 pi_size;
};

int nvme_dma_check_prp(u64 prp1, u64 prp2, u64 len,
		       const struct nvme_dma_env *env);
int nvme_dma_check_sgl(const u8 *sgl1, const struct nvme_dma_env *env);
int nvme_dma_copy_prp(u64 prp1, u64 *prp2, u64 len,
		      const struct nvme_dma_env *env);
int nvme_dma_copy_sgl(u8 *sgl1, const struct nvme_dma_env *env);
u64 nvme_io_bytes(const struct nvme_sqe *c, const struct nvme_lbaf *f);
u64 nvme_io_meta_bytes(const struct nvme_sqe *c, const struct nvme_lbaf *f);
u64 nvme_admin_bytes(const struct nvme_sqe *c);

#endif /* _VMM_NVME_DMA_H */
