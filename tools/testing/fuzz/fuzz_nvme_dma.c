// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target for the VMM's NVMe data pointer checks: a command's PRP1,
 * PRP2 and length, and its SGL descriptor, come from the OS, and so do
 * the PRP lists and SGL segments they point to.
 *
 * libFuzzer:	clang -g -O1 -fsanitize=fuzzer,address,undefined \
 *			-Isrc/vmm/include -Iinclude \
 *			tools/testing/fuzz/fuzz_nvme_dma.c src/vmm/dev/nvme/nvme_dma.c
 * AFL++ or a replay of saved inputs: build with any compiler, with
 * tools/testing/fuzz/standalone.c in place of -fsanitize=fuzzer; it runs
 * each file named on its command line (or standard input) once.
 *
 * Input: PRP1 (8 bytes), PRP2 (8), length (4, below 4 MiB), the SGL
 * descriptor (16), a mask of denied pages (4), a denied byte range in the
 * low window (offset 2, length 2), the pages the PRP copy and the SGL copy
 * may take (1 each), then the contents of memory.  Memory
 * is two 64 KiB windows, at 0 and just below 2^64, both holding the
 * input's memory bytes over and over (so that a short input fills whole
 * PRP list pages); all else is denied, as memory beyond the machine's
 * physical address width is.  Bit i of the mask
 * denies page i of the low window (i < 16) or page i - 16 of the high one.
 *
 * Beyond the sanitizers it checks that each copy (nvme_dma_copy_*) gives
 * its check's verdict or runs out of pages, writing only into pages it
 * was given, and that each check refuses exactly when the
 * reference model below (the one of tools/testing/unit/test_nvme_dma.c)
 * says the controller would reach denied memory, past 2^64 or through a
 * layout the NVMe specification does not allow, and that lists and
 * segments are only read where the checker was told it may.  Build with
 * -DREF_CHAIN_OFFSET_OK to let the model follow a chained PRP list
 * pointer with a qword-aligned page offset as nvme_dma.c does (see
 * prp_chain_pointer_offset in the unit test) instead of refusing it; the
 * checker may then still refuse such a layout, but not accept one that
 * reaches denied memory.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vmm/nvme_dma.h>

#define PG		NVME_PAGE_SIZE
#define WIN		0x10000ULL		/* each window's size */
#define HIGH		(0ULL - WIN)		/* the high window's start */
#define HDR		46

/* SGL descriptor types (byte 15, bits 7:4) */
enum { DATA_BLOCK, BIT_BUCKET, SEGMENT, LAST_SEGMENT };

static const uint8_t *mem;
static size_t mem_len;
static uint32_t denied_pages;
static u64 denied_lo, denied_len;

/* By page, and by byte for the denied byte range. */
static bool ref_denied(u64 pa, u64 len)
{
	u64 last = pa + len - 1, first_pg, last_pg;

	if (!len)
		return false;
	if (last < pa)		/* wraps: the part up to 2^64, and from 0 */
		return ref_denied(pa, 0 - pa) || ref_denied(0, last + 1);
	/* Anything reaching outside the windows. */
	if (pa < HIGH && last >= WIN)
		return true;
	if (denied_len && pa <= denied_lo + denied_len - 1 &&
	    denied_lo <= last)
		return true;
	first_pg = pa < WIN ? pa / PG : 16 + (pa - HIGH) / PG;
	last_pg = pa < WIN ? last / PG : 16 + (last - HIGH) / PG;
	for (u64 p = first_pg; p <= last_pg; p++)
		if ((denied_pages >> p) & 1)
			return true;
	return false;
}

static uint8_t mem_byte(u64 pa)
{
	return mem_len ? mem[(pa & (WIN - 1)) % mem_len] : 0;
}

static void ref_rd(u64 pa, void *buf, u64 len)
{
	for (u64 i = 0; i < len; i++)
		((uint8_t *)buf)[i] = mem_byte(pa + i);
}

static u64 ref_rd64(u64 pa)
{
	u64 v;

	ref_rd(pa, &v, 8);
	return v;
}

static bool fake_denied(void *ctx, u64 pa, u64 len)
{
	(void)ctx;
	return ref_denied(pa, len);
}

static void fake_read(void *ctx, u64 pa, void *buf, u64 len)
{
	(void)ctx;
	if (!len || pa + len < pa || ref_denied(pa, len)) {
		fprintf(stderr, "read of %#llx+%llu: denied memory\n",
			(unsigned long long)pa, (unsigned long long)len);
		abort();
	}
	ref_rd(pa, buf, len);
}

/* Pages for the copies: the writes must stay in the ones handed out. */
#define POOL_PAGES	70
static uint8_t pool[POOL_PAGES][4096];
static unsigned int pool_given, pool_limit;
#define POOL_PA		0x7000000000ULL

static u64 fake_alloc(void *ctx)
{
	(void)ctx;
	if (pool_given == pool_limit)
		return 0;
	return POOL_PA + (u64)pool_given++ * 4096;
}

static void fake_write(void *ctx, u64 pa, const void *buf, u64 len)
{
	(void)ctx;
	if (pa < POOL_PA || pa - POOL_PA + len > (u64)pool_given * 4096 ||
	    (pa - POOL_PA) % 4096 + len > 4096) {
		fprintf(stderr, "copy write to %#llx+%llu: not in a given page\n",
			(unsigned long long)pa, (unsigned long long)len);
		abort();
	}
	memcpy(&pool[(pa - POOL_PA) / 4096][(pa - POOL_PA) % 4096], buf, len);
}

static const struct nvme_dma_env env = {
	.denied = fake_denied,
	.read = fake_read,
	.alloc = fake_alloc,
	.write = fake_write,
};

/* --- reference model, shared with tools/testing/unit/test_nvme_dma.c ------ */

#include "../nvme_dma_ref.h"
	}
}

/* --- the target ---------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t hdr[HDR] = { 0 };
	struct ref r = { 0 };
	u64 prp1, prp2;
	uint32_t len;
	uint16_t lo, dlen;
	int ret;

	memcpy(hdr, data, size < HDR ? size : HDR);
	/* The same bytes as a command: its transfer length is bounded. */
	{
		struct nvme_sqe c = { 0 };
		struct nvme_lbaf f = {
			.lba_shift = 9 + hdr[0] % 8, .ext = hdr[1] & 1,
			.ms = hdr[2] | hdr[3] << 8, .pi_size = hdr[4] % 17,
		};
		u64 io, meta, adm;

		memcpy(&c, data, size < sizeof(c) ? size : sizeof(c));
		io = nvme_io_bytes(&c, hdr[1] & 2 ? NULL : &f);
		meta = nvme_io_meta_bytes(&c, hdr[1] & 2 ? NULL : &f);
		adm = nvme_admin_bytes(&c);
		if ((io != NVME_XFER_REFUSE && io > NVME_MAX_XFER) ||
		    (meta != NVME_XFER_REFUSE && meta > NVME_MAX_XFER) ||
		    (adm != NVME_XFER_REFUSE && adm > NVME_MAX_XFER))
			abort();
	}
	memcpy(&prp1, hdr, 8);
	memcpy(&prp2, hdr + 8, 8);
	memcpy(&len, hdr + 16, 4);
	len &= 0x3fffff;
	memcpy(&denied_pages, hdr + 36, 4);
	memcpy(&lo, hdr + 40, 2);
	memcpy(&dlen, hdr + 42, 2);
	denied_lo = lo;
	denied_len = dlen && lo + dlen <= WIN ? dlen : 0;
	mem = data + (size < HDR ? size : HDR);
	mem_len = size < HDR ? 0 : size - HDR;

	ref_prp(&r, prp1, prp2, len);
	ret = nvme_dma_check_prp(prp1, prp2, len, &env);
	if ((ret != 0 && ret != -1) ||
	    ((ret == -1) != r.refuse && !(r.unsure && ret == -1))) {
		fprintf(stderr, "nvme_dma_check_prp(%#llx, %#llx, %#x) = %d, model %s\n",
			(unsigned long long)prp1, (unsigned long long)prp2,
			len, ret, r.refuse ? "refuses" : "accepts");
		abort();
	}
	/* The copy: the check's verdict, or no page left for it. */
	{
		u64 copy2 = prp2;
		int c;

		pool_given = 0;
		pool_limit = hdr[44] % (POOL_PAGES + 1);
		c = nvme_dma_copy_prp(prp1, &copy2, len, &env);
		/* Out of pages may come before a refusal further on. */
		if (c != ret && c != NVME_DMA_NOMEM) {
			fprintf(stderr, "nvme_dma_copy_prp() = %d, check %d\n",
				c, ret);
			abort();
		}
	}
	r = (struct ref){ 0 };
	ref_sgl(&r, hdr + 20);
	ret = nvme_dma_check_sgl(hdr + 20, &env);
	if ((ret != 0 && ret != -1) || (ret == -1) != r.refuse) {
		fprintf(stderr, "nvme_dma_check_sgl() = %d, model %s\n",
			ret, r.refuse ? "refuses" : "accepts");
		abort();
	}
	{
		uint8_t d[16];
		int c;

		memcpy(d, hdr + 20, 16);
		pool_given = 0;
		pool_limit = hdr[45] % (POOL_PAGES + 1);
		c = nvme_dma_copy_sgl(d, &env);
		if (c != ret && c != NVME_DMA_NOMEM) {
			fprintf(stderr, "nvme_dma_copy_sgl() = %d, check %d\n",
				c, ret);
			abort();
		}
	}
	return 0;
}
