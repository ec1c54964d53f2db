// SPDX-License-Identifier: GPL-2.0
/*
 * NVMe controller model.
 *
 * While virtualized, the controller's I/O queues belong to the VMM: the
 * OS's driver keeps its submission queues (the VMM reads its entries from
 * them), but its shadow doorbells and completion queues are replaced, in
 * the nested page tables, by copies in the VMM that the OS reaches only
 * through traps.  The OS's tail updates are checked command by command
 * (data pointers, fault injection) and passed to the physical queue slot
 * for slot, so the physical queue positions always equal the OS's.  The
 * completions the controller writes into the real completion queue are
 * copied, possibly with another status, into the OS's copy when the OS
 * reads it, and the controller's interrupt makes the OS read it.  The
 * admin queue cannot move without a controller reset, so it stays shared:
 * the VMM checks each admin command before the OS's doorbell write
 * reaches the controller.
 *
 * Hand-back: the OS's doorbell updates are held (logged), what the VMM
 * submitted drains, the OS's copies are written back to the real queues
 * and shadow doorbells - positions and phases are already the
 * controller's - and the held updates are replayed in order.
 */
#include <vmm/device.h>
#include <vmm/log.h>
#include <vmm/nvme_dma.h>
#include <vmm/vmm.h>

#define NVME_REG_CAP		0x00
#define NVME_REG_INTMS		0x0c
#define NVME_REG_INTMC		0x10
#define NVME_REG_CC		0x14
#define NVME_REG_CSTS		0x1c
#define NVME_REG_AQA		0x24
#define NVME_REG_ASQ		0x28
#define NVME_REG_ACQ		0x30
#define NVME_DOORBELLS		0x1000

#define NVME_CC_EN		(1U << 0)
#define NVME_CC_MPS(cc)		(((cc) >> 7) & 0xf)
#define NVME_CC_SHN		(3U << 14)
#define NVME_CSTS_RDY		(1U << 0)
#define NVME_CSTS_CFS		(1U << 1)
#define NVME_CSTS_SHST		(3U << 2)

#define OP_FLUSH		0x00
#define OP_WRITE		0x01
#define OP_READ			0x02
#define OP_COMPARE		0x05
#define OP_DSM			0x09
#define ADM_DELETE_SQ		0x00
#define ADM_CREATE_SQ		0x01
#define ADM_GET_LOG		0x02
#define ADM_DELETE_CQ		0x04
#define ADM_CREATE_CQ		0x05
#define ADM_IDENTIFY		0x06
#define ADM_FW_DOWNLOAD		0x11
#define ADM_DBBUF		0x7c
#define ADM_INVALID		0xff	/* no such opcode: the device refuses */

#define STATUS_DNR		(1U << 14)
#define STATUS_DATA_XFER_ERROR	0x0004
#define CID_SLOTS		4096
#define REC_VALID		0x80

struct nvme_sqe {
	u8 opcode;
	u8 flags;
	u16 cid;
	u32 nsid;
	u64 rsvd;
	u64 mptr;
	u64 prp1;
	u64 prp2;
	u32 cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
};

struct nvme_cqe {
	u32 result;
	u32 rsvd;
	u16 sqhd;
	u16 sqid;
	u16 cid;
	u16 status;	/* bit 0: phase */
};

/* A command the VMM passed on: what the trace needs at completion. */
struct nvme_rec {
	u64 tsc;
	u64 lba;
	u32 bytes;
	u16 status;	/* injected status, or 0 */
	u8 opcode;
	u8 flags;	/* RTVIRT_TRACE_* | REC_VALID */
};

/**
 * struct nvme_queue - one I/O queue pair (the SQ and its equally deep CQ)
 * @depth:	entries; 0 when the queue does not exist
 * @sq:		submission queue (the OS's memory, read by the VMM)
 * @cq:		completion queue the controller writes
 * @os_tail:	SQ tail the OS published and the VMM processed
 * @submitted:	SQ tail the controller was given
 * @cq_pos:	next CQ entry the controller writes
 * @phase:	its phase bit
 * @os_head:	CQ head the OS published
 * @hold_until:	TSC until which a delayed command holds the queue
 * @delayed:	slot + 1 of the command whose delay was applied
 * @shadow:	the OS's completion queue
 * @shadow_cap:	entries allocated at @shadow
 * @rec:	commands in flight, by command identifier
 */
struct nvme_queue {
	u16 depth;
	u64 sq, cq;
	u16 os_tail, submitted, cq_pos, os_head;
	u8 phase;
	u64 hold_until;
	u32 delayed;
	struct nvme_cqe *shadow;
	u32 shadow_cap;
	struct nvme_rec *rec;
};

/**
 * struct nvme - the model's state for one controller
 * @bar:	register BAR (identity-mapped)
 * @db_stride:	bytes between doorbells
 * @asq:	admin submission queue
 * @acq:	admin completion queue
 * @aq_depth:	their entries (SQ, CQ)
 * @acq_depth:
 * @admin_tail:	admin SQ tail, once known
 * @admin_tail_known: whether @admin_tail is
 * @acq_pos:	next admin completion the controller writes (for the trace)
 * @acq_phase:	its phase
 * @admin_rec:	admin commands in flight, by command identifier
 * @layout:	the queues (also kept by the module)
 * @dbs:	the OS's shadow doorbells, as the OS sees them
 * @q:		I/O queues by queue id
 * @inject:	pending fault injection
 */
struct nvme {
	u64 bar;
	u32 db_stride;
	u64 asq, acq;
	u32 aq_depth, acq_depth;
	u32 admin_tail;
	bool admin_tail_known;
	u32 acq_pos;
	u8 acq_phase;
	struct nvme_rec *admin_rec;
	struct rtvirt_vmm_nvme_layout layout;
	u32 *dbs;
	struct nvme_queue q[RTVIRT_VMM_NVME_MAX_QUEUES];
	struct rtvirt_vmm_inject inject;
};

static struct nvme *to_nvme(struct vdev *d)
{
	return d->model;
}

static void *alloc_bytes(u64 bytes)
{
	u64 pa;

	return vmm_alloc_pages((bytes + PT_PAGE_SIZE - 1) / PT_PAGE_SIZE, &pa);
}

static u64 round_page(u64 n)
{
	return (n + PT_PAGE_SIZE - 1) & ~(PT_PAGE_SIZE - 1);
}

static int nvme_attach(struct vdev *d)
{
	struct nvme *n;

	if (!d->info.bar_pa || d->info.bar_size < 2 * PT_PAGE_SIZE ||
	    (d->info.bar_pa & (PT_PAGE_SIZE - 1)) ||
	    d->info.lba_shift < 9 || d->info.lba_shift > 16)
		return ERR_INVAL;
	n = alloc_bytes(sizeof(*n));
	if (!n)
		return ERR_NOMEM;
	n->dbs = alloc_bytes(PT_PAGE_SIZE);
	n->admin_rec = alloc_bytes(CID_SLOTS * sizeof(struct nvme_rec));
	if (!n->dbs || !n->admin_rec)
		return ERR_NOMEM;
	n->bar = d->info.bar_pa;
	d->model = n;
	return 0;
}

static u32 db_index(struct nvme *n, unsigned int qid, bool cq)
{
	return (2 * qid + cq) * (n->db_stride / 4);
}

static u64 db_reg(struct nvme *n, unsigned int qid, bool cq)
{
	return n->bar + NVME_DOORBELLS + db_index(n, qid, cq) * 4;
}

/* The shadow doorbell the controller reads (real memory). */
static volatile u32 *real_db(struct nvme *n, unsigned int qid, bool cq)
{
	return (volatile u32 *)n->layout.dbs + db_index(n, qid, cq);
}

/*
 * Find the queues in the admin submission queue: the most recent create
 * or delete of each queue id wins, newest first from the head the last
 * admin completion reported.
 */
static bool scan_admin_ring(struct nvme *n, u32 head,
			    struct rtvirt_vmm_nvme_layout *l)
{
	bool seen_sq[RTVIRT_VMM_NVME_MAX_QUEUES] = { false };
	bool seen_cq[RTVIRT_VMM_NVME_MAX_QUEUES] = { false };
	u16 sq_depth[RTVIRT_VMM_NVME_MAX_QUEUES] = { 0 };
	bool seen_db = false, found = false;

	memset(l, 0, sizeof(*l));
	l->asq = n->asq;
	for (u32 i = 1; i <= n->aq_depth; i++) {
		u32 slot = (head + n->aq_depth - i) % n->aq_depth;
		const struct nvme_sqe *c =
			(const struct nvme_sqe *)(n->asq + slot * 64ULL);
		u32 qid = c->cdw10 & 0xffff;
		u16 depth = (c->cdw10 >> 16) + 1;

		if (c->opcode == ADM_DBBUF && !seen_db) {
			seen_db = true;
			l->dbs = c->prp1;
			l->eis = c->prp2;
			continue;
		}
		if (!qid || qid >= RTVIRT_VMM_NVME_MAX_QUEUES)
			continue;
		switch (c->opcode) {
		case ADM_CREATE_CQ:
			if (seen_cq[qid])
				break;
			seen_cq[qid] = true;
			l->cq[qid] = c->prp1;
			l->depth[qid] = depth;
			l->iv[qid] = c->cdw11 >> 16;
			break;
		case ADM_DELETE_CQ:
			seen_cq[qid] = true;
			break;
		case ADM_CREATE_SQ:
			if (seen_sq[qid])
				break;
			seen_sq[qid] = true;
			/* Only SQs on their own, equally deep CQ are handled. */
			if ((c->cdw11 >> 16) == qid) {
				l->sq[qid] = c->prp1;
				sq_depth[qid] = depth;
			}
			break;
		case ADM_DELETE_SQ:
			seen_sq[qid] = true;
			break;
		}
	}
	for (u32 q = 1; q < RTVIRT_VMM_NVME_MAX_QUEUES; q++) {
		if (!l->sq[q] || !l->cq[q] || sq_depth[q] != l->depth[q]) {
			l->depth[q] = 0;
			continue;
		}
		found = true;
	}
	return found && l->dbs;
}

/* Where the controller writes its next entry of a completion queue. */
static void find_cq_position(const struct nvme_cqe *cq, u32 depth, u32 head,
			     u16 *pos, u8 *phase)
{
	u8 p;
	u32 i;

	/* Entries before the OS's head carry the current phase. */
	if (head)
		p = cq[head - 1].status & 1;
	else
		p = !(cq[depth - 1].status & 1);
	for (i = 0; i < depth; i++) {
		u32 e = (head + i) % depth;

		if ((cq[e].status & 1) != (e < head ? !p : p))
			break;
	}
	*pos = (head + i) % depth;
	*phase = (head + i) >= depth ? !p : p;
}

static int setup_queue(struct vdev *d, struct nvme *n, unsigned int qid)
{
	struct nvme_queue *q = &n->q[qid];
	u32 depth = n->layout.depth[qid];
	u32 tail = *real_db(n, qid, false), head = *real_db(n, qid, true);

	if (depth < 2 || depth > CID_SLOTS || tail >= depth || head >= depth ||
	    (n->layout.cq[qid] & (PT_PAGE_SIZE - 1)))
		return ERR_INVAL;
	if (q->shadow_cap < depth) {
		q->shadow = alloc_bytes(round_page(depth * 16ULL));
		if (!q->shadow)
			return ERR_NOMEM;
		q->shadow_cap = depth;
	}
	if (!q->rec) {
		q->rec = alloc_bytes(CID_SLOTS * sizeof(struct nvme_rec));
		if (!q->rec)
			return ERR_NOMEM;
	}
	memset(q->rec, 0, CID_SLOTS * sizeof(struct nvme_rec));
	q->depth = depth;
	q->sq = n->layout.sq[qid];
	q->cq = n->layout.cq[qid];
	q->os_tail = tail;
	q->submitted = tail;
	q->os_head = head;
	q->hold_until = 0;
	q->delayed = 0;
	find_cq_position((const struct nvme_cqe *)q->cq, depth, head,
			 &q->cq_pos, &q->phase);

	memcpy(q->shadow, (const void *)q->cq, depth * 16ULL);
	return vdev_trap_add(d, q->cq, round_page(depth * 16ULL), TRAP_QUEUE,
			     q->shadow);
}

static int trap_bar(struct vdev *d, struct nvme *n)
{
	const struct rtvirt_vmm_dev_info *i = &d->info;
	u64 pages = i->bar_size / PT_PAGE_SIZE;
	int ret = 0;

	if (pages > 16)
		pages = 16;	/* the registers and doorbells come first */
	for (u64 p = 0; p < pages && !ret; p++) {
		u64 off = p * PT_PAGE_SIZE, end = off + PT_PAGE_SIZE;
		unsigned int kind = off ? TRAP_DOORBELL : TRAP_REGISTER;

		if ((i->msix_table_size && off < i->msix_table +
		     i->msix_table_size && i->msix_table < end) ||
		    (i->msix_pba_size && off < i->msix_pba +
		     i->msix_pba_size && i->msix_pba < end))
			kind = TRAP_MSIX;
		ret = vdev_trap_add(d, n->bar + off, PT_PAGE_SIZE, kind, NULL);
	}
	return ret;
}

static int nvme_commence(struct vdev *d)
{
	struct nvme *n = to_nvme(d);
	struct rtvirt_vmm_nvme_layout *saved = NULL;
	u64 cap = vdev_mmio_read(n->bar + NVME_REG_CAP, 8);
	u32 cc = vdev_mmio_read(n->bar + NVME_REG_CC, 4);
	u32 csts = vdev_mmio_read(n->bar + NVME_REG_CSTS, 4);
	u32 aqa = vdev_mmio_read(n->bar + NVME_REG_AQA, 4);
	const struct nvme_cqe *acq;
	u16 pos;
	u8 phase;
	int ret;

	/* An enable, reset or shutdown in progress is not taken over. */
	if (!(cc & NVME_CC_EN) || (cc & NVME_CC_SHN) ||
	    (csts & (NVME_CSTS_CFS | NVME_CSTS_SHST)) ||
	    !(csts & NVME_CSTS_RDY))
		return ERR_BUSY;
	if (NVME_CC_MPS(cc))
		return ERR_INVAL;	/* only 4 KiB memory pages */
	n->db_stride = 4U << ((cap >> 32) & 0xf);
	n->asq = vdev_mmio_read(n->bar + NVME_REG_ASQ, 8);
	n->acq = vdev_mmio_read(n->bar + NVME_REG_ACQ, 8);
	n->aq_depth = (aqa & 0xfff) + 1;
	n->acq_depth = ((aqa >> 16) & 0xfff) + 1;
	if (vmm_owns_pa(n->asq) || vmm_owns_pa(n->acq))
		return ERR_INVAL;

	acq = (const struct nvme_cqe *)n->acq;
	find_cq_position(acq, n->acq_depth, 0, &pos, &phase);
	n->acq_pos = pos;
	n->acq_phase = phase;
	n->admin_tail_known = false;
	if (d->info.layout_pa && !vmm_owns_pa(d->info.layout_pa))
		saved = (struct rtvirt_vmm_nvme_layout *)d->info.layout_pa;
	if (!scan_admin_ring(n, acq[(pos + n->acq_depth - 1) %
				   n->acq_depth].sqhd % n->aq_depth,
			     &n->layout)) {
		if (!saved || saved->asq != n->asq || !saved->dbs) {
			vmm_log("nvme %02x:%02x.%x: queues not found\n",
				d->info.bdf >> 8, (d->info.bdf >> 3) & 0x1f,
				d->info.bdf & 7);
			return ERR_NODEV;
		}
		memcpy(&n->layout, saved, sizeof(n->layout));
	}
	if ((n->layout.dbs & (PT_PAGE_SIZE - 1)) ||
	    vmm_owns_pa(n->layout.dbs))
		return ERR_INVAL;

	for (u32 qid = 1; qid < RTVIRT_VMM_NVME_MAX_QUEUES; qid++) {
		n->q[qid].depth = 0;
		if (!n->layout.depth[qid])
			continue;
		ret = setup_queue(d, n, qid);
		if (ret)
			return ret;
	}
	memcpy(n->dbs, (const void *)n->layout.dbs, PT_PAGE_SIZE);
	ret = vdev_trap_add(d, n->layout.dbs, PT_PAGE_SIZE, TRAP_SHADOW_DB,
			    n->dbs);
	if (!ret)
		ret = trap_bar(d, n);
	if (!ret && d->info.ecam_pa)
		ret = vdev_trap_add(d, d->info.ecam_pa, PT_PAGE_SIZE,
				    TRAP_CONFIG_MMIO, NULL);
	if (ret)
		return ret;
	if (saved)
		memcpy(saved, &n->layout, sizeof(*saved));
	memset(&n->inject, 0, sizeof(n->inject));
	return 0;
}

/* Replace a command by a flush: same slot and identifier, no data. */
static void substitute_flush(struct nvme_sqe *c)
{
	u16 cid = c->cid;
	u32 nsid = c->nsid;

	memset(c, 0, sizeof(*c));
	c->opcode = OP_FLUSH;
	c->cid = cid;
	c->nsid = nsid;
}

static bool dma_denied(void *ctx, u64 pa, u64 len)
{
	(void)ctx;
	return !vmm_reaches(pa, len) || vmm_owns_range(pa, len);
}

static void dma_read(void *ctx, u64 pa, void *buf, u64 len)
{
	(void)ctx;
	memcpy(buf, (const void *)pa, len);
}

static const struct nvme_dma_env dma_env = {
	.denied = dma_denied,
	.read = dma_read,
};

/* Whether the controller may transfer @len bytes for @c. */
static bool dma_ok(const struct nvme_sqe *c, u64 len)
{
	unsigned int psdt = (c->flags >> 6) & 3;

	/* Metadata (a buffer, or an SGL): its first byte at least. */
	if (c->mptr && dma_denied(NULL, c->mptr, 1))
		return false;
	if (psdt)
		return !nvme_dma_check_sgl((const u8 *)&c->prp1, &dma_env);
	return !nvme_dma_check_prp(c->prp1, c->prp2, len, &dma_env);
}

/* Bytes an I/O command transfers; a guess of two pages for the unknown. */
static u64 io_bytes(struct vdev *d, const struct nvme_sqe *c)
{
	switch (c->opcode) {
	case OP_READ:
	case OP_WRITE:
	case OP_COMPARE:
		return (u64)((c->cdw12 & 0xffff) + 1) << d->info.lba_shift;
	case OP_DSM:
		return ((c->cdw10 & 0xff) + 1) * 16ULL;
	default:
		if (!(c->opcode & 3))
			return 0;
		return 2 * NVME_PAGE_SIZE - (c->prp1 & (NVME_PAGE_SIZE - 1));
	}
}

enum prep { PREP_AS_IS, PREP_CHANGED, PREP_DELAY };

static enum prep prepare_io(struct vdev *d, struct nvme *n,
			    struct nvme_queue *q, u32 slot,
			    struct nvme_sqe *c, u64 now)
{
	struct nvme_rec *r = &q->rec[c->cid % CID_SLOTS];
	struct rtvirt_vmm_inject *inj = &n->inject;
	u64 bytes = io_bytes(d, c);
	bool match;

	r->tsc = now;
	r->opcode = c->opcode;
	r->flags = REC_VALID;
	r->status = 0;
	r->bytes = c->opcode == OP_READ || c->opcode == OP_WRITE ? bytes : 0;
	r->lba = r->bytes ? c->cdw10 | (u64)c->cdw11 << 32 : 0;

	match = inj->count &&
		((c->opcode == OP_READ && (inj->match & RTVIRT_VMM_INJECT_READS)) ||
		 (c->opcode == OP_WRITE && (inj->match & RTVIRT_VMM_INJECT_WRITES)));
	if (match && inj->delay_us && !d->holding && q->delayed != slot + 1) {
		q->delayed = slot + 1;
		q->hold_until = now + (u64)inj->delay_us *
				(d->info.tsc_khz ? d->info.tsc_khz : 1000000) /
				1000;
		return PREP_DELAY;
	}
	q->delayed = 0;
	if (bytes && !dma_ok(c, bytes)) {
		d->stats.dma_refused++;
		if (d->stats.dma_refused <= 8)
			vmm_log("nvme: refused command %#x cid %#x: data pointers reach VMM memory\n",
				c->opcode, c->cid);
		r->status = STATUS_DNR | STATUS_DATA_XFER_ERROR;
		r->flags |= RTVIRT_VMM_TRACE_REFUSED;
		substitute_flush(c);
		return PREP_CHANGED;
	}
	if (!match)
		return PREP_AS_IS;
	inj->count--;
	d->stats.injected++;
	r->flags |= RTVIRT_VMM_TRACE_INJECTED;
	if (!inj->status)
		return PREP_AS_IS;
	r->status = inj->status;
	substitute_flush(c);
	return PREP_CHANGED;
}

/* Pass the OS's new submissions on @q to the controller, slot for slot. */
static void submit(struct vdev *d, struct nvme *n, unsigned int qid)
{
	struct nvme_queue *q = &n->q[qid];
	u64 now = rdtsc();
	bool moved = false;

	while (q->submitted != q->os_tail) {
		u32 slot = q->submitted;
		struct nvme_sqe c, *real = (struct nvme_sqe *)(q->sq + slot * 64ULL);
		enum prep p;

		if (q->hold_until) {
			if (now < q->hold_until && !d->holding)
				break;
			q->hold_until = 0;
		}
		memcpy(&c, real, sizeof(c));
		p = prepare_io(d, n, q, slot, &c, now);
		if (p == PREP_DELAY)
			break;
		if (p == PREP_CHANGED)
			memcpy(real, &c, sizeof(c));
		q->submitted = (slot + 1) % q->depth;
		d->stats.ios++;
		moved = true;
	}
	if (!moved)
		return;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	*real_db(n, qid, false) = q->submitted;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	vdev_mmio_write(db_reg(n, qid, false), q->submitted, 4);
}

static void trace_completion(struct vdev *d, struct nvme_rec *r, u16 qid,
			     u16 cid, u16 status, u64 now)
{
	struct rtvirt_vmm_trace_entry e = {
		.submit_ns = vdev_ns(d, r->tsc),
		.latency_ns = vdev_ns(d, now - r->tsc),
		.lba = r->lba,
		.bytes = r->bytes,
		.queue = qid,
		.cid = cid,
		.status = status,
		.opcode = r->opcode,
		.flags = r->flags & ~REC_VALID,
	};

	vdev_trace(d, &e);
	r->flags = 0;
}

/* Move what the controller completed on @q into the OS's copy. */
static void reap(struct vdev *d, struct nvme *n, unsigned int qid, u64 now)
{
	struct nvme_queue *q = &n->q[qid];
	bool moved = false;

	for (;;) {
		volatile struct nvme_cqe *e =
			(volatile struct nvme_cqe *)q->cq + q->cq_pos;
		struct nvme_cqe *os = &q->shadow[q->cq_pos];
		struct nvme_rec *r;
		u16 status = e->status;
		u16 cid = e->cid;

		if ((status & 1) != q->phase)
			break;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		r = &q->rec[cid % CID_SLOTS];
		status >>= 1;
		if ((r->flags & REC_VALID) && r->status)
			status = r->status;
		os->result = e->result;
		os->rsvd = e->rsvd;
		os->sqhd = e->sqhd;
		os->sqid = e->sqid;
		/* The word with the phase bit goes last, in one store. */
		__atomic_store_n((u32 *)&os->cid,
				 cid | (u32)(status << 1 | q->phase) << 16,
				 __ATOMIC_RELEASE);
		if (r->flags & REC_VALID)
			trace_completion(d, r, qid, cid, status, now);
		if (++q->cq_pos == q->depth) {
			q->cq_pos = 0;
			q->phase ^= 1;
		}
		moved = true;
	}
	if (!moved)
		return;
	*real_db(n, qid, true) = q->cq_pos;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	vdev_mmio_write(db_reg(n, qid, true), q->cq_pos, 4);
}

/* Admin completions go straight to the OS; the VMM only traces them. */
static void trace_admin(struct vdev *d, struct nvme *n, u64 now)
{
	for (u32 i = 0; i < n->acq_depth; i++) {
		volatile struct nvme_cqe *e =
			(volatile struct nvme_cqe *)n->acq + n->acq_pos;
		struct nvme_rec *r;
		u16 status = e->status;

		if ((status & 1) != n->acq_phase)
			break;
		r = &n->admin_rec[e->cid % CID_SLOTS];
		if (r->flags & REC_VALID)
			trace_completion(d, r, 0, e->cid, status >> 1, now);
		if (++n->acq_pos == n->acq_depth) {
			n->acq_pos = 0;
			n->acq_phase ^= 1;
		}
	}
}

static void nvme_poll(struct vdev *d)
{
	struct nvme *n = to_nvme(d);
	u64 now = rdtsc();

	for (u32 qid = 1; qid < RTVIRT_VMM_NVME_MAX_QUEUES; qid++) {
		if (!n->q[qid].depth)
			continue;
		reap(d, n, qid, now);
		if (n->q[qid].submitted != n->q[qid].os_tail)
			submit(d, n, qid);	/* delays that ran out */
	}
	trace_admin(d, n, now);
}

/* Bytes an admin command transfers (a page for those not listed). */
static u64 admin_bytes(const struct nvme_sqe *c)
{
	switch (c->opcode) {
	case ADM_CREATE_SQ:
		return ((c->cdw10 >> 16) + 1) * 64ULL;
	case ADM_CREATE_CQ:
		return ((c->cdw10 >> 16) + 1) * 16ULL;
	case ADM_GET_LOG:
		return (((u64)(c->cdw11 & 0xffff) << 16 | c->cdw10 >> 16) + 1) * 4;
	case ADM_FW_DOWNLOAD:
		return ((u64)c->cdw10 + 1) * 4;
	case ADM_DBBUF:
		return 0;	/* checked below: two separate pages */
	default:
		return c->prp1 ? NVME_PAGE_SIZE : 0;
	}
}

static bool admin_changes_mode(u8 opcode)
{
	return opcode == ADM_CREATE_SQ || opcode == ADM_CREATE_CQ ||
	       opcode == ADM_DELETE_SQ || opcode == ADM_DELETE_CQ ||
	       opcode == ADM_DBBUF;
}

/* Check one admin command; returns whether it changes the queue layout. */
static bool check_admin(struct vdev *d, struct nvme *n, u32 slot, bool is_new,
			u64 now)
{
	struct nvme_sqe *c = (struct nvme_sqe *)(n->asq + slot * 64ULL);
	u64 bytes = admin_bytes(c);
	bool ok;

	if (c->opcode == ADM_DBBUF)
		ok = !dma_denied(NULL, c->prp1, NVME_PAGE_SIZE) &&
		     !dma_denied(NULL, c->prp2, NVME_PAGE_SIZE);
	else if (c->opcode == ADM_CREATE_SQ || c->opcode == ADM_CREATE_CQ)
		ok = !dma_denied(NULL, c->prp1, bytes);
	else
		ok = !bytes || dma_ok(c, bytes);
	if (!ok) {
		d->stats.dma_refused++;
		vmm_log("nvme: refused admin command %#x cid %#x: data pointers reach VMM memory\n",
			c->opcode, c->cid);
		c->opcode = ADM_INVALID;
	}
	if (!is_new)
		return false;
	n->admin_rec[c->cid % CID_SLOTS] = (struct nvme_rec){
		.tsc = now, .opcode = c->opcode,
		.flags = REC_VALID | RTVIRT_VMM_TRACE_ADMIN |
			 (ok ? 0 : RTVIRT_VMM_TRACE_REFUSED),
	};
	return admin_changes_mode(c->opcode);
}

static void admin_doorbell(struct vdev *d, struct nvme *n, struct access *a)
{
	u32 tail = a->val, first, slot;
	bool mode = false;
	u64 now = rdtsc();

	if (tail >= n->aq_depth) {
		/* The controller reports the bad write itself. */
		vdev_mmio_write(a->gpa, a->val, a->size);
		return;
	}
	/*
	 * Until the VMM saw a tail, it cannot tell new entries from old:
	 * check the data pointers of all, and take the last one as new
	 * (Linux submits one admin command per doorbell write).
	 */
	first = n->admin_tail_known ? n->admin_tail :
		(tail + 1) % n->aq_depth;
	for (slot = first; slot != tail; slot = (slot + 1) % n->aq_depth)
		mode |= check_admin(d, n, slot, n->admin_tail_known ||
				    (slot + 1) % n->aq_depth == tail, now);
	if (mode) {
		vdev_hold(d, a);
		return;
	}
	n->admin_tail = tail;
	n->admin_tail_known = true;
	vdev_mmio_write(a->gpa, a->val, a->size);
}

/* The OS published a doorbell value (shadow or MMIO) for an I/O queue. */
static void io_doorbell(struct vdev *d, struct nvme *n, u32 index, u32 val)
{
	u32 per = n->db_stride / 4, qid;
	struct nvme_queue *q;

	if (index % per)
		return;
	qid = index / per / 2;
	if (qid >= RTVIRT_VMM_NVME_MAX_QUEUES || !n->q[qid].depth)
		return;
	q = &n->q[qid];
	if (val >= q->depth)
		return;
	if ((index / per) & 1) {
		q->os_head = val;
		return;
	}
	q->os_tail = val;
	submit(d, n, qid);
}

static void access_shadow_db(struct vdev *d, struct nvme *n, struct trap *t,
			     struct access *a)
{
	u64 off = a->gpa - t->gpa;
	u8 *p = (u8 *)n->dbs + off;

	if (!a->write) {
		memcpy(&a->val, p, a->size);
		return;
	}
	memcpy(p, &a->val, a->size);
	if (d->holding) {
		vdev_log(d, a);
		return;
	}
	if (a->size == 4 && !(off & 3) && off / 4 >= db_index(n, 1, false))
		io_doorbell(d, n, off / 4, a->val);
}

static void access_doorbell(struct vdev *d, struct nvme *n, struct access *a)
{
	u64 off = a->gpa - n->bar - NVME_DOORBELLS;

	if (!a->write) {
		a->val = vdev_mmio_read(a->gpa, a->size);
		return;
	}
	if (d->holding) {
		vdev_log(d, a);
		return;
	}
	if (a->size != 4 || (off & 3))
		return;
	if (off / 4 == db_index(n, 0, false))
		admin_doorbell(d, n, a);
	else if (off / 4 == db_index(n, 0, true))
		vdev_mmio_write(a->gpa, a->val, a->size);
	else
		io_doorbell(d, n, off / 4, a->val);
}

static void nvme_access(struct vdev *d, struct trap *t, struct access *a)
{
	struct nvme *n = to_nvme(d);
	u64 off;

	switch (t->kind) {
	case TRAP_QUEUE:
		/* The OS reads its completions: bring in the controller's. */
		nvme_poll(d);
		off = a->gpa - t->gpa;
		if (a->write)
			memcpy((u8 *)t->shadow + off, &a->val, a->size);
		else
			memcpy(&a->val, (u8 *)t->shadow + off, a->size);
		break;
	case TRAP_SHADOW_DB:
		access_shadow_db(d, n, t, a);
		break;
	case TRAP_DOORBELL:
		access_doorbell(d, n, a);
		break;
	case TRAP_REGISTER:
		off = a->gpa - n->bar;
		if (!a->write) {
			a->val = vdev_mmio_read(a->gpa, a->size);
		} else if (off == NVME_REG_INTMS || off == NVME_REG_INTMC) {
			vdev_mmio_write(a->gpa, a->val, a->size);
		} else {
			/* Enable, reset, shutdown, queue base: the OS's mode. */
			vdev_hold(d, a);
		}
		break;
	default:	/* MSI-X table and pending bits: the OS's own */
		if (a->write)
			vdev_mmio_write(a->gpa, a->val, a->size);
		else
			a->val = vdev_mmio_read(a->gpa, a->size);
		break;
	}
}

#define PCI_COMMAND		0x04
#define PCI_COMMAND_MEMORY	0x2
#define PCI_COMMAND_MASTER	0x4
#define PCI_BAR0		0x10
#define PCI_BAR_END		0x28

static bool nvme_config(struct vdev *d, unsigned int off, struct access *a)
{
	bool hold = false;

	/* Turning off memory decoding or bus mastering, moving a BAR. */
	if (off <= PCI_COMMAND && PCI_COMMAND < off + a->size) {
		u8 cmd = a->val >> ((PCI_COMMAND - off) * 8);

		hold = (cmd & (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER)) !=
		       (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	}
	if (off < PCI_BAR_END && off + a->size > PCI_BAR0)
		hold = true;
	if (hold)
		vdev_hold(d, a);
	return hold;
}

static bool nvme_drained(struct vdev *d)
{
	struct nvme *n = to_nvme(d);

	for (u32 qid = 1; qid < RTVIRT_VMM_NVME_MAX_QUEUES; qid++) {
		struct nvme_queue *q = &n->q[qid];

		if (q->depth && (q->submitted != q->os_tail ||
				 q->cq_pos != q->submitted))
			return false;
	}
	return true;
}

static void nvme_handback(struct vdev *d)
{
	struct nvme *n = to_nvme(d);

	for (u32 qid = 1; qid < RTVIRT_VMM_NVME_MAX_QUEUES; qid++) {
		struct nvme_queue *q = &n->q[qid];

		if (!q->depth)
			continue;
		/* Same positions and phases: only the contents differ. */
		memcpy((void *)q->cq, q->shadow, q->depth * 16ULL);

		*real_db(n, qid, true) = q->os_head;
		*real_db(n, qid, false) = q->submitted;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		vdev_mmio_write(db_reg(n, qid, true), q->os_head, 4);
	}
}

static void nvme_handed_back(struct vdev *d)
{
	struct nvme *n = to_nvme(d);

	/* Make the controller look at the replayed tails. */
	for (u32 qid = 1; qid < RTVIRT_VMM_NVME_MAX_QUEUES; qid++) {
		if (!n->q[qid].depth)
			continue;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		vdev_mmio_write(db_reg(n, qid, false), *real_db(n, qid, false),
				4);
	}
	memset(&n->inject, 0, sizeof(n->inject));
}

static int nvme_inject(struct vdev *d, const struct rtvirt_vmm_inject *inj)
{
	struct nvme *n = to_nvme(d);

	if (inj->status > 0x7fff || inj->delay_us > RTVIRT_VMM_MAX_DELAY_US ||
	    (inj->count && !inj->match) ||
	    (inj->match & ~(RTVIRT_VMM_INJECT_READS | RTVIRT_VMM_INJECT_WRITES)))
		return ERR_INVAL;
	n->inject = *inj;
	return 0;
}

const struct vdev_ops nvme_ops = {
	.name = "nvme",
	.attach = nvme_attach,
	.commence = nvme_commence,
	.access = nvme_access,
	.config = nvme_config,
	.poll = nvme_poll,
	.drained = nvme_drained,
	.handback = nvme_handback,
	.handed_back = nvme_handed_back,
	.resume = nvme_poll,	/* submit what the replayed accesses published */
	.inject = nvme_inject,
};
