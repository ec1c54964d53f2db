/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reference model of what an NVMe controller reaches for a command,
 * written from the specification without regard to src/vmm/dev/nvme/nvme_dma.c;
 * shared by its unit test and its fuzz target.  The including file
 * provides u64, u32, u8, the SGL type constants and ref_denied(),
 * ref_rd64() and ref_rd() over its fake memory.
 */
#ifndef _TESTING_NVME_DMA_REF_H
#define _TESTING_NVME_DMA_REF_H

struct ref_range {
	u64 pa, len;
};

struct ref {
	bool refuse, malformed;
	bool unsure;		/* REF_CHAIN_OFFSET_OK: refusing is fine too */
	u64 sgl_data;		/* bytes of the SGL's data blocks so far */
	struct ref_range *rec;	/* if set, the touched ranges go here */
	size_t nr, max;
};

static void ref_touch(struct ref *r, u64 pa, u64 len)
{
	if (!len)
		return;
	if (r->rec && r->nr < r->max)
		r->rec[r->nr++] = (struct ref_range){ pa, len };
	if (len - 1 >= ~pa || ref_denied(pa, len))
		r->refuse = true;
}

/* Returns true: the walk ends. */
static bool ref_malformed(struct ref *r)
{
	r->refuse = r->malformed = true;
	return true;
}

static void ref_prp(struct ref *r, u64 prp1, u64 prp2, u64 len)
{
	u64 in_first, npages, last_len, ptr, done;

	if (!len)
		return;
	/* PRP1: from its offset to the end of its page at most. */
	in_first = PG - prp1 % PG;
	if (len <= in_first) {
		ref_touch(r, prp1, len);
		return;
	}
	ref_touch(r, prp1, in_first);
	len -= in_first;
	npages = (len + PG - 1) / PG;
	last_len = len - (npages - 1) * PG;
	if (npages == 1) {
		/* PRP2 is the second and last page, at offset 0. */
		if (prp2 % PG)
			ref_malformed(r);
		else
			ref_touch(r, prp2, last_len);
		return;
	}
	/* PRP2 points to a PRP list, qword aligned, maybe within its page. */
	if (prp2 % 8 && ref_malformed(r))
		return;
	ptr = prp2;
	done = 0;
	while (!r->refuse) {
		u64 slots = (PG - ptr % PG) / 8, here, next;
		/* A page's last slot is data if no more than one page is left. */
		bool chain = npages - done > slots;

		here = chain ? slots - 1 : npages - done;
		ref_touch(r, ptr, (here + chain) * 8);
		for (u64 i = 0; i < here; i++, done++) {
			u64 e = ref_rd64(ptr + 8 * i);

			if (e % PG && ref_malformed(r))
				return;
			ref_touch(r, e, done == npages - 1 ? last_len : PG);
		}
		if (!chain)
			return;
		next = ref_rd64(ptr + 8 * here);
#ifdef REF_CHAIN_OFFSET_OK
		/*
		 * Followed at its offset as nvme_dma.c does; a list page with
		 * nothing but a pointer makes no progress.
		 */
		if ((next % 8 || (next % PG && next % PG == PG - 8)) &&
		    ref_malformed(r))
			return;
		if (next % PG)
			r->unsure = true;
#else
		/* Within a list, a PRP list pointer has no page offset. */
		if (next % PG && ref_malformed(r))
			return;
#endif
		ptr = next;
	}
}

/*
 * An SGL data block: the VMM refuses data blocks adding up to more than
 * NVME_MAX_XFER, a bound of its own (a descriptor may name 4 GiB).
 */
static void ref_data(struct ref *r, u64 pa, u32 len)
{
	r->sgl_data += len;
	if (r->sgl_data > NVME_MAX_XFER)
		r->refuse = true;
	ref_touch(r, pa, len);
}

static void ref_desc(const u8 *d, u64 *addr, u32 *len, unsigned int *type)
{
	memcpy(addr, d, 8);
	memcpy(len, d + 8, 4);
	*type = d[15] >> 4;
}

static void ref_sgl(struct ref *r, const u8 *sgl1)
{
	unsigned int type, segs = 0;
	bool chained = true;
	u8 cur[16];
	u64 addr;
	u32 len;

	ref_desc(sgl1, &addr, &len, &type);
	if (type == DATA_BLOCK)
		ref_data(r, addr, len);
	else if (type != BIT_BUCKET && type != SEGMENT && type != LAST_SEGMENT)
		ref_malformed(r);
	if (type != SEGMENT && type != LAST_SEGMENT)
		return;
	memcpy(cur, sgl1, 16);
	while (chained) {
		bool last_seg;
		u32 n;

		ref_desc(cur, &addr, &len, &type);
		last_seg = type == LAST_SEGMENT;
		if ((++segs > NVME_SGL_MAX_SEGMENTS || !len || len % 16 ||
		     len > NVME_SGL_MAX_SEGMENT ||
		     addr % 16) && ref_malformed(r))
			return;
		ref_touch(r, addr, len);
		n = len / 16;
		chained = false;
		for (u32 i = 0; i < n && !r->refuse; i++) {
			u8 d[16];
			u64 a;
			u32 l;
			unsigned int t;

			ref_rd(addr + 16ULL * i, d, 16);
			ref_desc(d, &a, &l, &t);
			if (t == DATA_BLOCK) {
				ref_data(r, a, l);
			} else if (t == SEGMENT || t == LAST_SEGMENT) {
				/* Only a non-last segment's last descriptor. */
				if ((last_seg || i != n - 1) &&
				    ref_malformed(r))
					return;
				memcpy(cur, d, 16);
				chained = true;
			} else if (t != BIT_BUCKET) {
				ref_malformed(r);
			}
		}
		if (r->refuse)
			return;

#endif /* _TESTING_NVME_DMA_REF_H */
