// SPDX-License-Identifier: GPL-2.0
/*
 * NVMe data pointer checks.  Guest-physical equals host-physical, so
 * before a command goes out every page its PRP entries or SGL descriptors
 * reach, and every list or segment the controller would read to find
 * them, is checked against the memory the device must not touch.  A
 * pointer layout the controller would reject anyway (misaligned list,
 * malformed SGL) is refused too.  The copy variants also move the lists
 * and segments into memory the OS cannot write, so that the controller
 * reads exactly what was checked.
 */
#include <vmm/nvme_dma.h>

#define SGL_DATA_BLOCK		0x0
#define SGL_BIT_BUCKET		0x1
#define SGL_SEGMENT		0x2
#define SGL_LAST_SEGMENT	0x3
#define SGL_DESC_SIZE		16

static bool range_ok(const struct nvme_dma_env *env, u64 pa, u64 len)
{
	return len == 0 || (pa + len > pa && !env->denied(env->ctx, pa, len));
}

/*
 * Where a copy goes: pages env->alloc() hands out, filled front to back;
 * @env is NULL when only checking.
 */
struct out {
	const struct nvme_dma_env *env;
	u64 page;	/* the page being filled, 0 before the first */
	u64 used;	/* bytes of it in use */
};

/* Room for @len contiguous bytes (at most a page); its address in @pa. */
static int out_reserve(struct out *o, u64 len, u64 *pa)
{
	if (!o->page || o->used + len > NVME_PAGE_SIZE) {
		o->page = o->env->alloc(o->env->ctx);
		if (!o->page)
			return NVME_DMA_NOMEM;
		o->used = 0;
	}
	*pa = o->page + o->used;
	o->used += len;
	return 0;
}

/* Append PRP entry @e to the copied list; @more: entries follow it. */
static int out_prp(struct out *o, u64 e, bool more)
{
	u64 at, next;

	if (o->used == NVME_PAGE_SIZE - 8 && more) {
		/* The page's last entry points to the next list page. */
		next = o->env->alloc(o->env->ctx);
		if (!next)
			return NVME_DMA_NOMEM;
		o->env->write(o->env->ctx, o->page + o->used, &next, 8);
		o->page = next;
		o->used = 0;
	}
	at = o->page + o->used;
	o->used += 8;
	o->env->write(o->env->ctx, at, &e, 8);
	return 0;
}

/*
 * Walk a command's PRP entries; with @o->env, copy the list (data entries
 * only, chained anew) and point *@prp2 at the copy.  Every list entry is
 * read once, and the copy holds exactly the values checked.
 */
static int walk_prp(u64 prp1, u64 *prp2, u64 len,
		    const struct nvme_dma_env *env, struct out *o)
{
	u64 first, rem, list, n, max_entries;
	int ret;

	if (!len)
		return 0;
	first = NVME_PAGE_SIZE - (prp1 & (NVME_PAGE_SIZE - 1));
	if (first > len)
		first = len;
	if (!range_ok(env, prp1, first))
		return -1;
	rem = len - first;
	if (!rem)
		return 0;
	if (rem <= NVME_PAGE_SIZE)
		return (*prp2 & (NVME_PAGE_SIZE - 1)) ||
		       !range_ok(env, *prp2, rem) ? -1 : 0;
	/* A list: entries up to the end of its page, the last one chaining. */
	list = *prp2;
	if (list & 7)
		return -1;
	if (o->env) {
		ret = out_reserve(o, 0, prp2);
		if (ret)
			return ret;
	}
	max_entries = rem / NVME_PAGE_SIZE + 2 * (rem / (NVME_PAGE_SIZE *
				(NVME_PAGE_SIZE / 8 - 1)) + 1);
	for (n = 0; rem && n < max_entries; n++) {
		u64 left = (NVME_PAGE_SIZE - (list & (NVME_PAGE_SIZE - 1))) / 8;
		u64 e, chunk;

		if (!range_ok(env, list, 8))
			return -1;
		env->read(env->ctx, list, &e, 8);
		if (left == 1 && rem > NVME_PAGE_SIZE) {
			/* The page's last entry points to the next list,
			 * which, like every entry but PRP1 and PRP2, starts
			 * on a page.
			 */
			if (e & (NVME_PAGE_SIZE - 1))
				return -1;
			list = e;
			continue;
		}
		if (e & (NVME_PAGE_SIZE - 1))
			return -1;
		chunk = rem < NVME_PAGE_SIZE ? rem : NVME_PAGE_SIZE;
		if (!range_ok(env, e, chunk))
			return -1;
		rem -= chunk;
		list += 8;
		if (o->env) {
			ret = out_prp(o, e, rem);
			if (ret)
				return ret;
		}
	}
	return rem ? -1 : 0;
}

/**
 * nvme_dma_check_prp() - check a command's PRP entries
 * @prp1:	PRP entry 1 (may have a page offset)
 * @prp2:	PRP entry 2: the second page, or a PRP list pointer
 * @len:	bytes the command transfers
 * @env:	the memory
 *
 * Return: 0 if the transfer stays in permitted memory, -1 if not.
 */
int nvme_dma_check_prp(u64 prp1, u64 prp2, u64 len,
		       const struct nvme_dma_env *env)
{
	struct out o = { .env = NULL };

	return walk_prp(prp1, &prp2, len, env, &o);
}

/**
 * nvme_dma_copy_prp() - check a command's PRP entries and copy its list
 * @prp1:	PRP entry 1 (may have a page offset)
 * @prp2:	PRP entry 2: the second page, or a PRP list pointer, which
 *		is replaced by the address of the copy
 * @len:	bytes the command transfers
 * @env:	the memory, with @env->alloc and @env->write
 *
 * A command with a PRP list gets a list of its own in pages from
 * @env->alloc(), holding the data entries that were checked, so that
 * what the controller reads can no longer change after the check.
 *
 * Return: 0, -1 if the transfer leaves permitted memory, NVME_DMA_NOMEM
 * when @env->alloc() failed (the pages it gave are the caller's to free).
 */
int nvme_dma_copy_prp(u64 prp1, u64 *prp2, u64 len,
		      const struct nvme_dma_env *env)
{
	struct out o = { .env = env };

	return walk_prp(prp1, prp2, len, env, &o);
}

/*
 * A data or bit bucket descriptor; @total adds up the data blocks, which
 * may not exceed NVME_MAX_XFER (each descriptor may name up to 4 GiB).
 */
static int check_desc(const u8 *d, const struct nvme_dma_env *env,
		      u64 *total)
{
	u64 addr;
	u32 len;

	__builtin_memcpy(&addr, d, 8);
	__builtin_memcpy(&len, d + 8, 4);
	switch (d[15] >> 4) {
	case SGL_DATA_BLOCK:
		*total += len;
		if (*total > NVME_MAX_XFER)
			return -1;
		return range_ok(env, addr, len) ? 0 : -1;
	case SGL_BIT_BUCKET:
		return 0;
	default:
		return -1;
	}
}

/*
 * Walk an SGL from the descriptor @sgl1; with @o->env, copy every segment
 * (each descriptor read once) and point @sgl1, and each chaining
 * descriptor of the copy, at the copied segments.
 */
static int walk_sgl(u8 *sgl1, const struct nvme_dma_env *env, struct out *o)
{
	u8 desc[SGL_DESC_SIZE];
	unsigned int type = sgl1[15] >> 4, seg;
	u64 addr, to = 0, to_chain = 0, total = 0;
	u32 len;
	int ret;

	if (type != SGL_SEGMENT && type != SGL_LAST_SEGMENT)
		return check_desc(sgl1, env, &total);
	__builtin_memcpy(desc, sgl1, SGL_DESC_SIZE);
	for (seg = 0; seg < NVME_SGL_MAX_SEGMENTS; seg++) {
		bool last = (desc[15] >> 4) == SGL_LAST_SEGMENT;
		u32 i, nr;

		__builtin_memcpy(&addr, desc, 8);
		__builtin_memcpy(&len, desc + 8, 4);
		if (!len || len % SGL_DESC_SIZE || len > NVME_SGL_MAX_SEGMENT ||
		    (addr & 0xf) || !range_ok(env, addr, len))
			return -1;
		if (o->env) {
			/* The descriptor that leads here points at the copy. */
			ret = out_reserve(o, len, &to);
			if (ret)
				return ret;
			if (!seg)
				__builtin_memcpy(sgl1, &to, 8);
			else
				o->env->write(o->env->ctx,
					      to_chain, &to, 8);
		}
		nr = len / SGL_DESC_SIZE;
		for (i = 0; i < nr; i++) {
			unsigned int t;
			u64 at = to + (u64)i * SGL_DESC_SIZE;

			env->read(env->ctx, addr + (u64)i * SGL_DESC_SIZE,
				  desc, SGL_DESC_SIZE);
			if (o->env)
				o->env->write(o->env->ctx, at, desc,
					      SGL_DESC_SIZE);
			t = desc[15] >> 4;
			if (t == SGL_SEGMENT || t == SGL_LAST_SEGMENT) {
				/* Only a segment's last descriptor chains. */
				if (last || i != nr - 1)
					return -1;
				to_chain = at;
				break;
			}
			if (check_desc(desc, env, &total))
				return -1;
		}
		if (i == nr)
			return 0;	/* no chaining descriptor: the end */
	}
	return -1;
}

/**
 * nvme_dma_check_sgl() - check a command's SGL
 * @sgl1:	the 16-byte SGL descriptor of the command (DPTR)
 * @env:	the memory
 *
 * Walks at most NVME_SGL_MAX_SEGMENTS segments.
 *
 * Return: 0 if every data block and segment is in permitted memory, the
 * data blocks add up to at most NVME_MAX_XFER bytes and the list is well
 * formed, -1 if not.
 */
int nvme_dma_check_sgl(const u8 *sgl1, const struct nvme_dma_env *env)
{
	struct out o = { .env = NULL };
	u8 d[SGL_DESC_SIZE];

	__builtin_memcpy(d, sgl1, SGL_DESC_SIZE);
	return walk_sgl(d, env, &o);
}

/**
 * nvme_dma_copy_sgl() - check a command's SGL and copy its segments
 * @sgl1:	the 16-byte SGL descriptor of the command (DPTR); a segment
 *		address in it is replaced by the copy's
 * @env:	the memory, with @env->alloc and @env->write
 *
 * Segments are copied into pages from @env->alloc() (a segment never
 * spans two of them) and chained anew, so that what the controller reads
 * can no longer change after the check.
 *
 * Return: 0, -1 if the SGL is malformed or leaves permitted memory,
 * NVME_DMA_NOMEM when @env->alloc() failed.
 */
int nvme_dma_copy_sgl(u8 *sgl1, const struct nvme_dma_env *env)
{
	struct out o = { .env = env };

	return walk_sgl(sgl1, env, &o);
}

static u64 bounded(u64 bytes)
{
	return bytes > NVME_MAX_XFER ? NVME_XFER_REFUSE : bytes;
}

/* Whether the controller inserts and strips all of @c's metadata itself. */
static bool pract_strips(const struct nvme_sqe *c, const struct nvme_lbaf *f)
{
	/*
	 * PRACT (CDW12 bit 29) with metadata that is all protection
	 * information: the controller inserts and strips it, the host
	 * transfers none.
	 */
	return (c->cdw12 & (1U << 29)) && f->pi_size && f->ms == f->pi_size;
}

static bool lba_transfer(u8 opcode)
{
	return opcode == OP_READ || opcode == OP_WRITE ||
	       opcode == OP_COMPARE || opcode == OP_ZONE_APPEND;
}

/**
 * nvme_io_bytes() - bytes of data an I/O command makes the controller move
 * @c:		the command
 * @f:		its namespace's format, or NULL when the VMM does not know
 *		the namespace
 *
 * From the command's own fields for every command of the NVM and Zoned
 * Namespace command sets that Linux sends; commands without a data
 * transfer give 0.  Logical blocks count their data and, with inline
 * metadata (extended LBAs), their metadata unless PRACT strips it.
 *
 * Return: the length; NVME_XFER_REFUSE for an opcode whose transfer the
 * VMM cannot tell (vendor specific, reserved, a zone descriptor
 * extension, an unknown copy format, logical blocks of an unknown
 * namespace) and for more than NVME_MAX_XFER.
 */
u64 nvme_io_bytes(const struct nvme_sqe *c, const struct nvme_lbaf *f)
{
	u64 nlb = (u64)(c->cdw12 & 0xffff) + 1;

	if (lba_transfer(c->opcode)) {
		if (!f)
			return NVME_XFER_REFUSE;
		return bounded(nlb * ((1ULL << f->lba_shift) +
				      (f->ext && !pract_strips(c, f) ? f->ms : 0)));
	}
	switch (c->opcode) {
	case OP_DSM:
		return ((c->cdw10 & 0xff) + 1) * 16ULL;
	case OP_RESV_REGISTER:
	case OP_RESV_ACQUIRE:
		return 16;
	case OP_RESV_RELEASE:
		return 8;
	case OP_RESV_REPORT:
	case OP_ZONE_MGMT_RECV:
		return bounded(((u64)(c->opcode == OP_RESV_REPORT ? c->cdw10 :
				      c->cdw12) + 1) * 4);
	case OP_COPY:
		/* Source Range Entries: format 0 32 bytes, format 1 40 bytes. */
		switch ((c->cdw12 >> 8) & 0xf) {
		case 0:
			return ((c->cdw12 & 0xff) + 1) * 32ULL;
		case 1:
			return ((c->cdw12 & 0xff) + 1) * 40ULL;
		default:
			return NVME_XFER_REFUSE;
		}
	case OP_ZONE_MGMT_SEND:
		/* Set Zone Descriptor Extension sends data of a size the
		 * namespace defines; the other actions send none.
		 */
		return (c->cdw13 & 0xff) == 0x10 ? NVME_XFER_REFUSE : 0;
	case OP_FLUSH:
	case OP_WRITE_UNCOR:
	case OP_WRITE_ZEROES:
	case OP_VERIFY:
		return 0;
	default:
		/* Bits 1:0 of an opcode give its data direction. */
		return c->opcode & 3 ? NVME_XFER_REFUSE : 0;
	}
}

/**
 * nvme_io_meta_bytes() - bytes an I/O command makes the controller move
 * through a contiguous metadata buffer (its metadata pointer, PSDT 0 or 1)
 * @c:		the command
 * @f:		its namespace's format, or NULL when unknown
 *
 * Return: the length: logical blocks times the metadata size for a
 * namespace with separate metadata, 0 for inline metadata, none, or PRACT
 * stripping it; NVME_XFER_REFUSE for an unknown namespace's logical
 * blocks and for more than NVME_MAX_XFER.
 */
u64 nvme_io_meta_bytes(const struct nvme_sqe *c, const struct nvme_lbaf *f)
{
	u64 nlb = (u64)(c->cdw12 & 0xffff) + 1;

	if (!lba_transfer(c->opcode))
		return 0;
	if (!f)
		return NVME_XFER_REFUSE;
	if (f->ext || !f->ms || pract_strips(c, f))
		return 0;
	return bounded(nlb * f->ms);
}

/**
 * nvme_admin_bytes() - bytes of data an admin command makes the controller
 * move through its data pointer
 * @c:		the command
 *
 * Create I/O SQ and CQ give their queue's size and Doorbell Buffer Config
 * 0 (the caller checks those pointers as queue and buffer pages); a Set
 * Features of the Host Memory Buffer, whose memory is given by address
 * outside the data pointer, is NVME_XFER_REFUSE.
 *
 * Return: the length, 0 for none, or NVME_XFER_REFUSE for a command whose
 * transfer the VMM cannot tell (vendor specific, reserved opcodes) or
 * longer than NVME_MAX_XFER.
 */
u64 nvme_admin_bytes(const struct nvme_sqe *c)
{
	switch (c->opcode) {
	case ADM_CREATE_SQ:
		return ((c->cdw10 >> 16) + 1) * 64ULL;
	case ADM_CREATE_CQ:
		return ((c->cdw10 >> 16) + 1) * 16ULL;
	case ADM_GET_LOG:
		return bounded((((u64)(c->cdw11 & 0xffff) << 16 |
				 c->cdw10 >> 16) + 1) * 4);
	case ADM_FW_DOWNLOAD:
	case ADM_DIRECTIVE_SEND:
	case ADM_DIRECTIVE_RECV:
		return bounded(((u64)c->cdw10 + 1) * 4);
	case ADM_GET_LBA_STATUS:
		return bounded(((u64)c->cdw12 + 1) * 4);
	case ADM_SECURITY_SEND:
	case ADM_SECURITY_RECV:
		return bounded(c->cdw11);
	case ADM_IDENTIFY:
	case ADM_NS_MGMT:
	case ADM_NS_ATTACH:
	case ADM_GET_FEATURES:
		return NVME_PAGE_SIZE;	/* at most a page, by specification */
	case ADM_SET_FEATURES:
		return (c->cdw10 & 0xff) == FEAT_HOST_MEM_BUF ?
		       NVME_XFER_REFUSE : NVME_PAGE_SIZE;
	case ADM_DELETE_SQ:
	case ADM_DELETE_CQ:
	case ADM_ABORT:
	case ADM_ASYNC_EVENT:
	case ADM_FW_COMMIT:
	case ADM_SELF_TEST:
	case ADM_KEEP_ALIVE:
	case ADM_DBBUF:
	case ADM_FORMAT_NVM:
	case ADM_SANITIZE:
		return 0;
	default:
		return NVME_XFER_REFUSE;
	}
}
