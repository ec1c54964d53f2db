// SPDX-License-Identifier: GPL-2.0
/*
 * NVMe controller model.
 *
 * Takeover: the module reads the queues from the OS's driver (every other
 * CPU stopped) and hands them over as a struct rtvirt_vmm_nvme_layout; the
 * model copies it and checks every value against the controller (admin
 * queue registers, doorbell stride, queue limits, the completion queues'
 * phase pattern, memory that is RAM and not the VMM's).  A layout that
 * does not check out is refused as a whole.
 *
 * While virtualized, the controller's submission queues belong to the
 * VMM.  In the nested page tables the OS's submission queues (admin and
 * I/O) are mapped to the VMM's pages, which the OS fills without exits,
 * while the real queue pages, where the controller fetches, only the VMM
 * writes; with Doorbell Buffer Config the OS's shadow doorbells and event
 * indexes are the VMM's pages too, the event indexes set so that the OS's
 * driver writes every new position to the doorbell register as well (one
 * exit per update); the doorbell registers are trapped.  The OS's tail
 * updates are checked command by command (data pointers, fault injection)
 * and the checked command is written into the real queue slot for slot,
 * so the physical queue positions always equal the OS's; a PRP list or SGL
 * segments the command has are copied into the VMM's pages and the
 * command points at the copy.  The controller thus reads only what was
 * checked, and no command may make it write the real queues.  A command
 * that must not run becomes a flush the controller fails (or, mediated, a
 * harmless flush whose status the VMM replaces).
 *
 * Completions reach the OS one of two ways, chosen at the takeover:
 * - direct (the default): the OS reads the controller's completion queues
 *   as it does natively, and the device's interrupts go straight to it;
 *   the VMM reaps (copies back, trace) at the OS's next doorbell write of
 *   the queue, always before the controller is given a CQ head, so the
 *   controller never reuses a slot the VMM has not seen.  No exit per
 *   interrupt, no exit per polled read.
 * - mediated (RTVIRT_VMM_NVME_MEDIATE, for injecting a status): the OS's
 *   completion queues are the VMM's pages too, the completions copied into
 *   them, possibly with another status, when the interrupt reaches a CPU,
 *   before the OS's handler runs (every interrupt exits while such a
 *   device is virtualized), or, for a polled queue, when the OS reads its
 *   copy (through traps).
 * Either way the controller's completion queue head is the OS's: it moves
 * only when the OS's does, so a slot is reused only after the OS consumed
 * it.  The admin completion queue cannot move without a controller reset,
 * so it stays shared.
 *
 * Locking: each I/O queue has its own lock, which covers its positions,
 * its records and its views; the admin queue's state has one too.  The
 * interrupt path (vdev_interrupt(), no device lock) takes only the locks of
 * the queues it reaps; doorbells, takeover and hand-back come with the
 * device framework's lock and take the queue's lock inside it.  What the
 * queues share has leaf locks (the pool of copy pages, fault injection) or
 * is atomic (statistics, the count of anomalies logged); @live, cleared
 * before the hand-back takes each queue's lock once, tells a late reaper
 * that the takeover's queues were handed back.
 *
 * Hand-back: the OS's doorbell updates are held (logged); commands whose
 * completion the VMM changes (refused or injected, mediated) or that use
 * the VMM's copies of their lists complete; with every other CPU held, the
 * OS's submission queue pages are copied over the real ones, mediated, the
 * completions the OS has not consumed yet are written back into the real
 * queues - positions and phases are already the controller's - and the
 * held updates are replayed in order.  Commands still in the controller complete into
 * the real queue, where the OS's driver reads them once it is native.
 */
#include <vmm/device.h>
#include <vmm/format.h>
#include <vmm/log.h>
#include <vmm/nvme_dma.h>
#include <vmm/pci.h>
#include <vmm/vmm.h>

#define CID_SLOTS		4096
#define REC_VALID		0x80
/* Pages for copied PRP lists and SGL segments, per controller. */
#define POOL_PAGES		64
#define POOL_BLOCK		16	/* pages allocated together */

/* A command the VMM passed on: what the trace needs at completion. */
struct nvme_rec {
	u64 tsc;
	u64 lba;
	u32 bytes;
	u16 status;	/* injected status, or 0 */
	u16 pool;	/* first page of its copied lists + 1, or 0 */
	u16 cid;	/* its command identifier */
	u8 opcode;
	u8 flags;	/* RTVIRT_TRACE_* | REC_VALID */
};

/**
 * struct nvme_queue - one I/O queue pair (the SQ and its equally deep CQ)
 * @depth:	entries; 0 when the queue does not exist
 * @sq:		submission queue the controller reads (only the VMM writes
 *		it while virtualized)
 * @view:	the OS's submission queue: the VMM's pages mapped at @sq
 * @view_pa:	their physical address
 * @cq:		completion queue the controller writes
 * @os_tail:	SQ tail the OS published and the VMM processed
 * @submitted:	SQ tail the controller was given
 * @cq_pos:	next CQ entry the controller writes
 * @phase:	its phase bit
 * @os_head:	CQ head the OS published (and the controller was given)
 * @altered:	commands in the controller whose completion the VMM changes
 * @borrowed:	commands in the controller that use copied lists
 * @next:	at a hand-back, the driver's own SQ tail, or -1 if not known
 * @held_tail:	while the hand-back holds the OS back, the newest SQ tail
 *		it wrote, or -1 (hold_io_doorbell())
 * @held_head:	the same for its CQ head
 * @hold_until:	TSC until which a delayed command holds the queue
 * @delayed:	slot + 1 of the command whose delay was applied
 * @shadow:	the OS's completion queue: the VMM's pages mapped at @cq, or
 *		for a polled queue, read through traps
 * @shadow_pa:	their physical address
 * @polled:	the queue has no interrupt (the OS polls it)
 * @rec:	commands in flight, by the low 12 bits of the command identifier
 *		(Linux's tag, below the depth) modulo the depth
 * @cap:	entries allocated at @shadow and @rec
 * @lock:	serialises everything above while the queue is in use
 */
struct nvme_queue {
	u16 depth;
	u64 sq, cq;
	struct nvme_sqe *view;
	u64 view_pa;
	u16 os_tail, submitted, cq_pos, os_head;
	u8 phase;
	u32 altered;
	u32 borrowed;
	int next;
	int held_tail, held_head;
	u64 hold_until;
	u32 delayed;
	struct nvme_cqe *shadow;
	u64 shadow_pa;
	bool polled;
	struct nvme_rec *rec;
	u32 cap;
	int lock;
};

#define LAYOUT_HDR	__builtin_offsetof(struct rtvirt_vmm_nvme_layout, q)
#define LAYOUT_MAX	(LAYOUT_HDR + RTVIRT_VMM_NVME_MAX_QUEUES * \
			 sizeof(struct rtvirt_vmm_nvme_queue))

/**
 * struct nvme - the model's state for one controller
 * @bar:	register BAR (identity-mapped)
 * @db_stride:	bytes between doorbells
 * @asq:	admin submission queue (the controller's; see struct nvme_queue)
 * @asq_view:	the OS's admin submission queue, mapped at @asq
 * @asq_view_pa: its physical address
 * @asq_view_cap: entries allocated there
 * @acq:	admin completion queue
 * @aq_depth:	their entries
 * @admin_tail:	admin SQ tail the controller was given
 * @acq_pos:	next admin completion the controller writes (for the trace)
 * @acq_phase:	its phase
 * @admin_rec:	admin commands in flight, by command identifier
 * @admin_borrowed: admin commands in flight that use copied lists
 * @dbs:	the real shadow doorbell buffer, or 0 without one
 * @os_dbs:	the OS's shadow doorbells: the VMM's page mapped at @dbs
 * @os_dbs_pa:	its physical address
 * @os_eis:	the OS's event indexes: the VMM's page mapped at the real
 *		ones, each the position last written to its doorbell register
 *		(see note_doorbell())
 * @os_eis_pa:	its physical address
 * @layout:	the VMM's copy of the layout the module handed over
 * @final:	the VMM's copy of the driver's state at a hand-back
 * @q:		I/O queues by queue id (allocated on first use)
 * @qids:	the queue ids in use, @nr_q of them
 * @nr_q:
 * @inject:	pending fault injection
 * @refusal:	why the last takeover was refused, or ""
 * @pool_va:	pages for copied lists and segments, in blocks of POOL_BLOCK
 * @pool_pa:	their physical addresses
 * @pool_free:	free pages (indices), @pool_nr_free of them
 * @pool_nr_free:
 * @pool_next:	next page of the same command's copies + 1, or 0
 * @anomalies:	driver states at a hand-back that did not fit (logged)
 * @nr_ns:	namespaces described at the takeover
 * @ns_id:	their ids
 * @ns_fmt:	their formats
 * @admin_lock:	serialises the admin queue's state (@asq_view to
 *		@admin_borrowed)
 * @pool_lock:	serialises the free list of the pool
 * @inject_lock: serialises @inject
 * @live:	the takeover's queues are the VMM's (false from the hand-back)
 * @mediate:	the OS reads the VMM's copies of its I/O completions (the
 *		layout's RTVIRT_VMM_NVME_MEDIATE); false: the controller's
 * @starved:	a queue waits for a page of the pool (direct completions:
 *		the next doorbell that frees one polls every queue)
 */
struct nvme {
	u64 bar;
	u32 db_stride;
	u64 asq, acq;
	struct nvme_sqe *asq_view;
	u64 asq_view_pa;
	u32 asq_view_cap;
	u32 aq_depth;
	u32 admin_tail;
	u16 acq_pos;
	u8 acq_phase;
	struct nvme_rec *admin_rec;
	u32 admin_borrowed;
	u64 dbs;
	u32 *os_dbs;
	u64 os_dbs_pa;
	u32 *os_eis;
	u64 os_eis_pa;
	struct rtvirt_vmm_nvme_layout *layout;
	struct rtvirt_vmm_nvme_layout *final;
	struct nvme_queue **q;
	u16 *qids;
	u32 nr_q;
	struct rtvirt_vmm_inject inject;
	char refusal[sizeof(((struct rtvirt_vmm_nvme_layout *)0)->refusal)];
	u8 *pool_va[POOL_PAGES / POOL_BLOCK];
	u64 pool_pa[POOL_PAGES / POOL_BLOCK];
	u16 pool_free[POOL_PAGES];
	u32 pool_nr_free;
	u16 pool_next[POOL_PAGES];
	u32 anomalies;
	u32 nr_ns;
	u32 ns_id[RTVIRT_VMM_NVME_MAX_NS];
	struct nvme_lbaf ns_fmt[RTVIRT_VMM_NVME_MAX_NS];
	int admin_lock;
	int pool_lock;
	int inject_lock;
	bool live;
	bool mediate;
	bool starved;
};

static struct nvme *to_nvme(struct vdev *d)
{
	return d->model;
}

static void *alloc_bytes_pa(u64 bytes, u64 *pa)
{
	return vmm_alloc_pages((bytes + PT_PAGE_SIZE - 1) / PT_PAGE_SIZE, pa);
}

static void *alloc_bytes(u64 bytes)
{
	u64 pa;

	return alloc_bytes_pa(bytes, &pa);
}

static u64 round_page(u64 n)
{
	return (n + PT_PAGE_SIZE - 1) & ~(PT_PAGE_SIZE - 1);
}

/* Whether one more anomaly may be logged (the first 8 are). */
static bool anomaly(struct nvme *n)
{
	return __atomic_fetch_add(&n->anomalies, 1, __ATOMIC_RELAXED) < 8;
}

/*
 * Add @n to a statistics counter that CPUs update without a common lock;
 * returns the new value.
 */
static unsigned long long count(unsigned long long *c, unsigned long long n)
{
	return __atomic_add_fetch(c, n, __ATOMIC_RELAXED);
}

/* Replace the pending fault injection by @inj (NULL: none). */
static void set_injection(struct nvme *n, const struct rtvirt_vmm_inject *inj)
{
	spin_lock(&n->inject_lock);
	if (inj)
		n->inject = *inj;
	else
		memset(&n->inject, 0, sizeof(n->inject));
	spin_unlock(&n->inject_lock);
}

static int nvme_attach(struct vdev *d)
{
	struct nvme *n;

	/* Registers and doorbells: at least two pages (vdev_regs_ok()). */
	if (d->info.bar_size < 2 * PT_PAGE_SIZE)
		return ERR_INVAL;
	n = alloc_bytes(sizeof(*n));
	if (!n)
		return ERR_NOMEM;
	n->os_dbs = alloc_bytes_pa(PT_PAGE_SIZE, &n->os_dbs_pa);
	n->os_eis = alloc_bytes_pa(PT_PAGE_SIZE, &n->os_eis_pa);
	n->admin_rec = alloc_bytes(CID_SLOTS * sizeof(struct nvme_rec));
	n->layout = alloc_bytes(LAYOUT_MAX);
	n->final = alloc_bytes(LAYOUT_MAX);
	n->q = alloc_bytes(RTVIRT_VMM_NVME_MAX_QUEUES * sizeof(*n->q));
	n->qids = alloc_bytes(RTVIRT_VMM_NVME_MAX_QUEUES * sizeof(*n->qids));
	if (!n->os_dbs || !n->os_eis || !n->admin_rec || !n->layout || !n->final || !n->q ||
	    !n->qids)
		return ERR_NOMEM;
	for (u32 b = 0; b < POOL_PAGES / POOL_BLOCK; b++) {
		n->pool_va[b] = alloc_bytes_pa(POOL_BLOCK * PT_PAGE_SIZE,
					       &n->pool_pa[b]);
		if (!n->pool_va[b])
			return ERR_NOMEM;
	}
	for (u32 i = 0; i < POOL_PAGES; i++)
		n->pool_free[i] = i;
	n->pool_nr_free = POOL_PAGES;
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

/* The shadow doorbell the controller reads (real memory; with DBBUF). */
static volatile u32 *real_db(struct nvme *n, unsigned int qid, bool cq)
{
	return (volatile u32 *)n->dbs + db_index(n, qid, cq);
}

/* Tell the controller a new SQ tail or CQ head, as the OS's driver would. */
static void ring(struct nvme *n, unsigned int qid, bool cq, u32 val)
{
	if (n->dbs)
		*real_db(n, qid, cq) = val;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	vdev_mmio_write(db_reg(n, qid, cq), val, 4);
}

/* Say why a takeover is refused: in the VMM log and to the module. */
static void log_refusal(struct vdev *d, const char *why, unsigned int qid)
{
	struct nvme *n = to_nvme(d);

	vmm_snprintf(n->refusal, sizeof(n->refusal), "%s (queue %u)", why,
		     qid);
	vmm_log("nvme %02x:%02x.%x: takeover refused: %s\n",
		d->info.bdf >> 8, (d->info.bdf >> 3) & 0x1f, d->info.bdf & 7,
		n->refusal);
}

/* Whether [pa, pa + len) is RAM the OS may hand the controller. */
static bool os_memory(u64 pa, u64 len)
{
	return pa && len && pa + len > pa && vmm_reaches(pa, len) &&
	       !vmm_owns_range(pa, len);
}

/*
 * Where the controller writes its next entry of a completion queue whose
 * driver reads @head next, expecting @phase there; false when the ring
 * does not show that state (the entry before @head must carry the phase
 * the driver consumed it with).
 */
static bool find_cq_position(const struct nvme_cqe *cq, u32 depth, u32 head,
			     u8 phase, u16 *pos, u8 *pos_phase)
{
	u32 i, before = (head + depth - 1) % depth;

	if ((cq[before].status & 1) != (head ? phase : !phase))
		return false;
	for (i = 0; i < depth - 1; i++) {
		u32 e = (head + i) % depth;

		if ((cq[e].status & 1) != (head + i >= depth ? !phase : phase))
			break;
	}
	*pos = (head + i) % depth;
	*pos_phase = head + i >= depth ? !phase : phase;
	return true;
}

/* Check one I/O queue of the layout against the controller. */
static int check_queue(struct vdev *d, struct nvme *n,
		       const struct rtvirt_vmm_nvme_queue *e, u32 mqes)
{
	u32 depth = e->depth;

	if (!e->qid || e->qid >= RTVIRT_VMM_NVME_MAX_QUEUES) {
		log_refusal(d, "queue id beyond the VMM's limit", e->qid);
		return ERR_OPNOTSUPP;
	}
	if (n->q[e->qid] && n->q[e->qid]->depth) {
		log_refusal(d, "queue listed twice", e->qid);
		return ERR_IO;
	}
	if (depth > CID_SLOTS) {
		log_refusal(d, "queue deeper than 4096 entries", e->qid);
		return ERR_OPNOTSUPP;
	}
	if (depth < 2 || depth > mqes || e->sq_tail >= depth ||
	    e->cq_head >= depth || e->cq_phase > 1) {
		log_refusal(d, "depth or positions out of range", e->qid);
		return ERR_IO;
	}
	if ((e->sq | e->cq) & (PT_PAGE_SIZE - 1) ||
	    !os_memory(e->sq, depth * 64ULL) ||
	    !os_memory(e->cq, depth * 16ULL)) {
		log_refusal(d, "queue memory not page-aligned RAM of the OS", e->qid);
		return ERR_IO;
	}
	if (n->dbs && (*real_db(n, e->qid, false) != e->sq_tail ||
		       *real_db(n, e->qid, true) != e->cq_head)) {
		log_refusal(d, "shadow doorbells differ from the driver's positions", e->qid);
		return ERR_IO;
	}
	return 0;
}

static int setup_queue(struct vdev *d, struct nvme *n,
		       const struct rtvirt_vmm_nvme_queue *e)
{
	struct nvme_queue *q = n->q[e->qid];
	u32 depth = e->depth;
	int ret;

	if (!q) {
		q = alloc_bytes(sizeof(*q));
		if (!q)
			return ERR_NOMEM;
		n->q[e->qid] = q;
	}
	if (q->cap < depth) {
		q->shadow = alloc_bytes_pa(round_page(depth * 16ULL),
					   &q->shadow_pa);
		q->rec = alloc_bytes(depth * sizeof(struct nvme_rec));
		q->view = alloc_bytes_pa(round_page(depth * 64ULL),
					 &q->view_pa);
		if (!q->shadow || !q->rec || !q->view)
			return ERR_NOMEM;
		q->cap = depth;
	}
	if (!find_cq_position((const struct nvme_cqe *)e->cq, depth,
			      e->cq_head, e->cq_phase, &q->cq_pos, &q->phase)) {
		log_refusal(d, "completion queue phases differ from the driver's", e->qid);
		return ERR_IO;
	}
	memset(q->rec, 0, depth * sizeof(struct nvme_rec));
	q->depth = depth;
	q->sq = e->sq;
	q->cq = e->cq;
	q->os_tail = e->sq_tail;
	q->submitted = e->sq_tail;
	q->os_head = e->cq_head;
	q->altered = 0;
	q->borrowed = 0;
	q->hold_until = 0;
	q->delayed = 0;
	q->held_tail = -1;
	q->held_head = -1;
	q->polled = e->flags & RTVIRT_VMM_NVME_Q_POLLED;
	memcpy(q->view, (const void *)q->sq, round_page(depth * 64ULL));
	n->qids[n->nr_q] = e->qid;
	__atomic_store_n(&n->nr_q, n->nr_q + 1, __ATOMIC_RELEASE);
	ret = vdev_view_add(d, q->sq, round_page(depth * 64ULL), TRAP_QUEUE,
			    q->view_pa);
	if (ret || !n->mediate)
		return ret;	/* direct: the OS reads the controller's CQ */
	/*
	 * Mediated, the OS reads completions it polls for through traps
	 * (each read brings in the controller's); those of an interrupt the
	 * VMM posts before the OS's handler runs (vdev_interrupt()), so the
	 * OS reads them from the VMM's pages without exits.
	 */
	memcpy(q->shadow, (const void *)q->cq, depth * 16ULL);
	if (q->polled)
		return vdev_trap_add(d, q->cq, round_page(depth * 16ULL),
				     TRAP_QUEUE, q->shadow);
	return vdev_view_add(d, q->cq, round_page(depth * 16ULL), TRAP_QUEUE,
			     q->shadow_pa);
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

/* Take the admin queue from the layout; checked against the registers. */
static int setup_admin(struct vdev *d, struct nvme *n,
		       const struct rtvirt_vmm_nvme_queue *a)
{
	u32 aqa = vdev_mmio_read(n->bar + NVME_REG_AQA, 4);
	u16 pos;
	u8 phase;

	n->asq = vdev_mmio_read(n->bar + NVME_REG_ASQ, 8);
	n->acq = vdev_mmio_read(n->bar + NVME_REG_ACQ, 8);
	n->aq_depth = (aqa & 0xfff) + 1;
	if (a->qid || a->sq != n->asq || a->cq != n->acq ||
	    a->depth != n->aq_depth || ((aqa >> 16) & 0xfff) + 1 != n->aq_depth ||
	    a->sq_tail >= a->depth || a->cq_head >= a->depth || a->cq_phase > 1) {
		log_refusal(d, "the admin queue differs from the controller's registers", 0);
		return ERR_IO;
	}
	if (!os_memory(n->asq, n->aq_depth * 64ULL) ||
	    !os_memory(n->acq, n->aq_depth * 16ULL)) {
		log_refusal(d, "admin queue memory not RAM of the OS", 0);
		return ERR_IO;
	}
	if (!find_cq_position((const struct nvme_cqe *)n->acq, n->aq_depth,
			      a->cq_head, a->cq_phase, &pos, &phase)) {
		log_refusal(d, "admin completion queue phases differ from the driver's", 0);
		return ERR_IO;
	}
	n->acq_pos = pos;
	n->acq_phase = phase;
	n->admin_tail = a->sq_tail;
	if (n->asq_view_cap < n->aq_depth) {
		n->asq_view = alloc_bytes_pa(round_page(n->aq_depth * 64ULL),
					     &n->asq_view_pa);
		if (!n->asq_view)
			return ERR_NOMEM;
		n->asq_view_cap = n->aq_depth;
	}
	memcpy(n->asq_view, (const void *)n->asq,
	       round_page(n->aq_depth * 64ULL));
	return vdev_view_add(d, n->asq, round_page(n->aq_depth * 64ULL),
			     TRAP_QUEUE, n->asq_view_pa);
}

/*
 * Take the namespaces' formats from the VMM's copy of the layout: 512 B
 * to 64 KiB blocks, protection information inside the metadata, each id
 * once.
 */
static int take_namespaces(struct vdev *d, struct nvme *n,
			   const struct rtvirt_vmm_nvme_layout *l)
{
	n->nr_ns = 0;
	if (l->nr_ns > RTVIRT_VMM_NVME_MAX_NS)
		return ERR_INVAL;
	for (u32 i = 0; i < l->nr_ns; i++) {
		const struct rtvirt_vmm_nvme_ns *ns = &l->ns[i];

		if (!ns->nsid || ns->nsid == 0xffffffff ||
		    ns->lba_shift < 9 || ns->lba_shift > 16 ||
		    ns->pi_size > ns->ms ||
		    (ns->flags & ~RTVIRT_VMM_NVME_NS_EXT)) {
			vmm_log("nvme: namespace %u: %u-byte blocks, %u bytes of metadata with %u of PI, flags %#x\n",
				ns->nsid, 1U << (ns->lba_shift & 31), ns->ms,
				ns->pi_size, ns->flags);
			log_refusal(d, "a namespace format that is not one", 0);
			return ERR_IO;
		}
		for (u32 j = 0; j < i; j++)
			if (l->ns[j].nsid == ns->nsid) {
				log_refusal(d, "a namespace described twice", 0);
				return ERR_IO;
			}
		n->ns_id[i] = ns->nsid;
		n->ns_fmt[i] = (struct nvme_lbaf){
			.lba_shift = ns->lba_shift, .ms = ns->ms,
			.pi_size = ns->pi_size,
			.ext = ns->flags & RTVIRT_VMM_NVME_NS_EXT,
		};
	}
	n->nr_ns = l->nr_ns;
	return 0;
}

static int take_over(struct vdev *d, u64 layout_pa, u64 len)
{
	struct nvme *n = to_nvme(d);
	struct rtvirt_vmm_nvme_layout *l = n->layout;
	u64 cap = vdev_mmio_read(n->bar + NVME_REG_CAP, 8);
	u32 cc = vdev_mmio_read(n->bar + NVME_REG_CC, 4);
	u32 csts = vdev_mmio_read(n->bar + NVME_REG_CSTS, 4);
	u32 mqes = (cap & 0xffff) + 1;
	int ret;

	/* An enable, reset or shutdown in progress is not taken over. */
	if (!(cc & NVME_CC_EN) || (cc & NVME_CC_SHN) ||
	    (csts & (NVME_CSTS_CFS | NVME_CSTS_SHST)) ||
	    !(csts & NVME_CSTS_RDY))
		return ERR_BUSY;
	if (NVME_CC_MPS(cc)) {
		log_refusal(d, "memory page size other than 4 KiB", 0);
		return ERR_OPNOTSUPP;
	}
	if (len < LAYOUT_HDR || len > LAYOUT_MAX || !os_memory(layout_pa, len))
		return ERR_INVAL;
	/* The VMM's copy: the OS cannot change what was checked. */
	memcpy(l, (const void *)layout_pa, len);
	if (!l->nr_queues ||
	    l->nr_queues > (len - LAYOUT_HDR) / sizeof(l->q[0]) ||
	    (l->flags & ~RTVIRT_VMM_NVME_MEDIATE))
		return ERR_INVAL;
	n->mediate = l->flags & RTVIRT_VMM_NVME_MEDIATE;
	n->starved = false;
	ret = take_namespaces(d, n, l);
	if (ret)
		return ret;
	n->db_stride = 4U << ((cap >> 32) & 0xf);
	if (l->db_stride != n->db_stride) {
		log_refusal(d, "doorbell stride differs from the controller's", 0);
		return ERR_IO;
	}
	n->dbs = 0;
	if (l->dbs || l->eis) {
		if ((l->dbs | l->eis) & (PT_PAGE_SIZE - 1) ||
		    !os_memory(l->dbs, PT_PAGE_SIZE) ||
		    !os_memory(l->eis, PT_PAGE_SIZE)) {
			log_refusal(d, "shadow doorbell buffers not RAM of the OS", 0);
			return ERR_IO;
		}
		if (l->dbs == l->eis) {
			log_refusal(d, "shadow doorbells and event indexes share a page", 0);
			return ERR_IO;
		}
		n->dbs = l->dbs;
	}
	ret = setup_admin(d, n, &l->q[0]);
	if (ret)
		return ret;

	/* Forget the last takeover's queues; qids lists every one in use. */
	for (u32 i = 0; i < n->nr_q; i++)
		n->q[n->qids[i]]->depth = 0;
	n->nr_q = 0;
	for (u32 i = 1; i < l->nr_queues; i++) {
		ret = check_queue(d, n, &l->q[i], mqes);
		if (!ret)
			ret = setup_queue(d, n, &l->q[i]);
		if (ret)
			return ret;
	}
	if (n->dbs) {
		/*
		 * The OS's driver rings the register when the event index
		 * lies between its old and new position; an index equal to
		 * the old position (the value it wrote last) always asks.
		 */
		memcpy(n->os_dbs, (const void *)n->dbs, PT_PAGE_SIZE);
		memcpy(n->os_eis, n->os_dbs, PT_PAGE_SIZE);
		ret = vdev_view_add(d, n->dbs, PT_PAGE_SIZE, TRAP_SHADOW_DB,
				    n->os_dbs_pa);
		if (!ret)
			ret = vdev_view_add(d, l->eis, PT_PAGE_SIZE,
					    TRAP_SHADOW_DB, n->os_eis_pa);
		if (ret)
			return ret;
	}
	ret = trap_bar(d, n);
	if (!ret && d->info.ecam_pa)
		ret = vdev_trap_add(d, d->info.ecam_pa, PT_PAGE_SIZE,
				    TRAP_CONFIG_MMIO, NULL);
	if (ret)
		return ret;
	set_injection(n, NULL);
	return 0;
}

static int nvme_commence(struct vdev *d, u64 layout_pa, u64 len)
{
	struct nvme *n = to_nvme(d);
	int ret;

	n->refusal[0] = 0;
	__atomic_store_n(&n->live, false, __ATOMIC_RELEASE);
	ret = take_over(d, layout_pa, len);
	if (!ret)
		__atomic_store_n(&n->live, true, __ATOMIC_RELEASE);
	/* The module's buffer was checked before it was copied. */
	if (ret && n->refusal[0])
		memcpy(((struct rtvirt_vmm_nvme_layout *)layout_pa)->refusal,
		       n->refusal, sizeof(n->refusal));
	return ret;
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

/*
 * Replace a command by one the controller fails by itself, with Invalid
 * Namespace or Format: a flush of namespace 0, which no controller has.
 * For direct completions, where the VMM cannot give the OS another status.
 */
static void substitute_failing(struct nvme_sqe *c)
{
	substitute_flush(c);
	c->nsid = 0;
}

static bool overlaps(u64 pa, u64 len, u64 start, u64 size)
{
	return pa < start + size && start < pa + len;
}

/*
 * Memory no command may make the controller transfer to or from: the
 * VMM's, and the controller's own queues and shadow doorbells, which the
 * OS cannot reach while virtualized and which the VMM trusts.
 */
static bool dma_denied_n(struct nvme *n, u64 pa, u64 len)
{
	if (!vmm_reaches(pa, len) || vmm_owns_range(pa, len))
		return true;
	if (overlaps(pa, len, n->asq, round_page(n->aq_depth * 64ULL)) ||
	    overlaps(pa, len, n->acq, round_page(n->aq_depth * 16ULL)) ||
	    (n->dbs && (overlaps(pa, len, n->dbs, PT_PAGE_SIZE) ||
			overlaps(pa, len, n->layout->eis, PT_PAGE_SIZE))))
		return true;
	for (u32 i = 0; i < n->nr_q; i++) {
		const struct nvme_queue *q = n->q[n->qids[i]];

		if (overlaps(pa, len, q->sq, round_page(q->depth * 64ULL)) ||
		    overlaps(pa, len, q->cq, round_page(q->depth * 16ULL)))
			return true;
	}
	return false;
}

/* Where a command's copied lists go: a chain of pool pages. */
struct copy_ctx {
	struct nvme *n;
	u16 first, last;	/* page index + 1, 0 for none */
};

static bool dma_denied(void *ctx, u64 pa, u64 len)
{
	return dma_denied_n(((struct copy_ctx *)ctx)->n, pa, len);
}

static void dma_read(void *ctx, u64 pa, void *buf, u64 len)
{
	(void)ctx;
	memcpy(buf, (const void *)pa, len);
}

static u64 pool_alloc(void *ctx)
{
	struct copy_ctx *cc = ctx;
	struct nvme *n = cc->n;
	u16 i;

	spin_lock(&n->pool_lock);
	if (!n->pool_nr_free) {
		spin_unlock(&n->pool_lock);
		return 0;
	}
	i = n->pool_free[--n->pool_nr_free];
	spin_unlock(&n->pool_lock);
	n->pool_next[i] = 0;
	if (cc->last)
		n->pool_next[cc->last - 1] = i + 1;
	else
		cc->first = i + 1;
	cc->last = i + 1;
	return n->pool_pa[i / POOL_BLOCK] + i % POOL_BLOCK * PT_PAGE_SIZE;
}

static void pool_write(void *ctx, u64 pa, const void *buf, u64 len)
{
	struct nvme *n = ((struct copy_ctx *)ctx)->n;

	for (u32 b = 0; b < POOL_PAGES / POOL_BLOCK; b++)
		if (pa - n->pool_pa[b] < POOL_BLOCK * PT_PAGE_SIZE) {
			memcpy(n->pool_va[b] + (pa - n->pool_pa[b]), buf, len);
			return;
		}
	vmm_panic("nvme: copy to %#llx outside the pool\n",
		  (unsigned long long)pa);
}

/* Give back the pages of a command's copies (@first: index + 1). */
static void pool_free(struct nvme *n, u16 first)
{
	spin_lock(&n->pool_lock);
	while (first) {
		u16 i = first - 1;

		first = n->pool_next[i];
		n->pool_free[n->pool_nr_free++] = i;
	}
	spin_unlock(&n->pool_lock);
}

static const struct nvme_dma_env dma_env = {
	.denied = dma_denied,
	.read = dma_read,
	.alloc = pool_alloc,
	.write = pool_write,
};

/*
 * Check the data pointers of @c (the VMM's copy) for a transfer of @len
 * bytes and make them point at copies of its PRP list or SGL segments.
 * Returns 0 with the copies' first page + 1 in *@pool (0: none), -1 when
 * the controller must not run it, NVME_DMA_NOMEM when the pool is empty.
 */
static int dma_prepare(struct nvme *n, struct nvme_sqe *c, u64 len,
		       u64 meta, u16 *pool)
{
	struct copy_ctx cc = { .n = n };
	struct nvme_dma_env env = dma_env;
	unsigned int psdt = (c->flags >> 6) & 3;
	int ret;

	env.ctx = &cc;
	*pool = 0;
	/*
	 * Metadata: a contiguous buffer of @meta bytes (at least its first
	 * byte is checked: the controller may ignore a pointer the command
	 * does not need), or (PSDT 2) an SGL descriptor, which is copied like
	 * the data's.
	 */
	if (c->mptr && psdt != 2 && dma_denied_n(n, c->mptr, meta ? meta : 1))
		return -1;
	if (psdt == 1 || psdt == 2)
		ret = nvme_dma_copy_sgl((u8 *)&c->prp1, &env);
	else if (psdt == 0)
		ret = nvme_dma_copy_prp(c->prp1, &c->prp2, len, &env);
	else
		ret = -1;
	if (!ret && c->mptr && psdt == 2) {
		u8 desc[16];
		u64 at;

		if (dma_denied_n(n, c->mptr, 16)) {
			ret = -1;
		} else {
			memcpy(desc, (const void *)c->mptr, 16);
			ret = nvme_dma_copy_sgl(desc, &env);
			at = ret ? 0 : pool_alloc(&cc);
			if (!ret && !at)
				ret = NVME_DMA_NOMEM;
			if (!ret) {
				pool_write(&cc, at, desc, 16);
				c->mptr = at;
			}
		}
	}
	if (ret) {
		pool_free(n, cc.first);
		return ret;
	}
	*pool = cc.first;
	return 0;
}

/* Format of namespace @nsid, or NULL for one the takeover did not see. */
static const struct nvme_lbaf *ns_format(const struct nvme *n, u32 nsid)
{
	for (u32 i = 0; i < n->nr_ns; i++)
		if (n->ns_id[i] == nsid)
			return &n->ns_fmt[i];
	return NULL;
}

enum prep { PREP_AS_IS, PREP_CHANGED, PREP_DELAY };	/* DELAY: try later */

/* Use up one of the injection's commands; false when none is left. */
static bool take_injection(struct nvme *n)
{
	bool left;

	spin_lock(&n->inject_lock);
	left = n->inject.count;
	if (left)
		n->inject.count--;
	spin_unlock(&n->inject_lock);
	return left;
}

/* The command of @r is done with its copies: their pages go back. */
static void rec_put_copies(struct nvme *n, struct nvme_rec *r, u32 *borrowed)
{
	if (!r->pool)
		return;
	pool_free(n, r->pool);
	r->pool = 0;
	(*borrowed)--;
}

/* A command's record is taken for a new one: forget what it waited for. */
static void rec_retire(struct nvme *n, struct nvme_rec *r, u32 *altered,
		       u32 *borrowed)
{
	if ((r->flags & REC_VALID) && r->status)
		(*altered)--;
	rec_put_copies(n, r, borrowed);
	r->flags = 0;
}

static enum prep prepare_io(struct vdev *d, struct nvme *n,
			    struct nvme_queue *q, u32 slot,
			    struct nvme_sqe *c, u64 now)
{
	struct nvme_rec *r = &q->rec[(c->cid & 0xfff) % q->depth];
	struct rtvirt_vmm_inject snap, *inj = &snap;
	const struct nvme_lbaf *f = ns_format(n, c->nsid);
	u64 bytes = nvme_io_bytes(c, f);
	u64 meta = nvme_io_meta_bytes(c, f);
	bool refuse = bytes == NVME_XFER_REFUSE || meta == NVME_XFER_REFUSE;
	int dma = 0;
	u16 pool = 0;
	bool match;

	/* Queues share the injection: decide on a copy, count under the lock. */
	memset(&snap, 0, sizeof(snap));
	if (__atomic_load_n(&n->inject.count, __ATOMIC_RELAXED)) {
		spin_lock(&n->inject_lock);
		snap = n->inject;
		spin_unlock(&n->inject_lock);
	}
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
	/* The slot's command is new: the tag's last one completed. */
	rec_retire(n, r, &q->altered, &q->borrowed);
	if (bytes && !refuse) {
		dma = dma_prepare(n, c, bytes, meta, &pool);
		if (dma == NVME_DMA_NOMEM) {
			/* Wait for completions to free copies: poll retries. */
			__atomic_store_n(&n->starved, true, __ATOMIC_RELEASE);
			return PREP_DELAY;
		}
	}
	q->delayed = 0;
	r->tsc = now;
	r->cid = c->cid;
	r->opcode = c->opcode;
	r->flags = REC_VALID;
	r->status = 0;
	r->pool = pool;
	if (pool)
		q->borrowed++;
	r->bytes = (c->opcode == OP_READ || c->opcode == OP_WRITE) &&
		   !refuse ? bytes : 0;
	r->lba = r->bytes ? c->cdw10 | (u64)c->cdw11 << 32 : 0;
	if (bytes && (refuse || dma)) {
		if (count(&d->stats.dma_refused, 1) <= 8)
			vmm_log("nvme: refused command %#x cid %#x nsid %u: %s\n",
				c->opcode, c->cid, c->nsid,
				!f && meta == NVME_XFER_REFUSE ?
				"a namespace the takeover did not describe" :
				refuse ? "transfer length unknown or too large" :
				"data pointers reach memory the device must not touch");
		r->flags |= RTVIRT_VMM_TRACE_REFUSED;
		if (!n->mediate) {
			/* The OS reads the controller's error itself. */
			substitute_failing(c);
			return PREP_CHANGED;
		}
		r->status = STATUS_DNR | (!f && meta == NVME_XFER_REFUSE ?
					  STATUS_INVALID_NS :
					  STATUS_DATA_XFER_ERROR);
		q->altered++;
		substitute_flush(c);
		return PREP_CHANGED;
	}
	if (!match || !take_injection(n))
		return PREP_AS_IS;
	count(&d->stats.injected, 1);
	r->flags |= RTVIRT_VMM_TRACE_INJECTED;
	/* A status is injected only with mediated completions (nvme_inject()). */
	if (!inj->status || !n->mediate)
		return PREP_AS_IS;
	r->status = inj->status;
	q->altered++;
	substitute_flush(c);
	return PREP_CHANGED;
}

/* Pass the OS's new submissions on @q to the controller, slot for slot. */
static void submit(struct vdev *d, struct nvme *n, unsigned int qid)
{
	struct nvme_queue *q = n->q[qid];
	u64 now = rdtsc();
	bool moved = false;

	if ((u32)(q->os_tail + q->depth - q->submitted) % q->depth >
	    q->depth / 2 && anomaly(n))
		vmm_log("nvme: queue %u: the tail moves from %u to %u\n", qid,
			q->submitted, q->os_tail);
	while (q->submitted != q->os_tail) {
		u32 slot = q->submitted;
		struct nvme_sqe c, *real = (struct nvme_sqe *)(q->sq + slot * 64ULL);

		if (q->hold_until) {
			if (now < q->hold_until && !d->holding)
				break;
			q->hold_until = 0;
		}
		/* Read once from the OS's page; the controller gets the copy. */
		memcpy(&c, &q->view[slot], sizeof(c));
		if (prepare_io(d, n, q, slot, &c, now) == PREP_DELAY)
			break;
		memcpy(real, &c, sizeof(c));
		q->submitted = (slot + 1) % q->depth;
		count(&d->stats.ios, 1);
		moved = true;
	}
	if (moved)
		ring(n, qid, false, q->submitted);
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

/*
 * Step a completion queue's next position on, flipping its phase at the
 * wrap: the position is stored before the phase, in the order cq_posted()
 * reads them without the lock.
 */
static void cq_step(u16 *pos, u8 *phase, u32 depth)
{
	if (*pos + 1U == depth) {
		__atomic_store_n(pos, 0, __ATOMIC_RELEASE);
		__atomic_store_n(phase, *phase ^ 1, __ATOMIC_RELEASE);
	} else {
		__atomic_store_n(pos, *pos + 1, __ATOMIC_RELEASE);
	}
}

/*
 * Whether the controller posted a completion at the position a reader
 * takes next, read without the lock.  Position, then phase, as cq_step()
 * stores them: a position read before a wrap's phase flip looks at a slot
 * the controller already wrote in the phase read (true in vain), never
 * the other way round.
 */
static bool cq_posted(u64 cq, const u16 *pos, const u8 *phase, u32 depth)
{
	u16 p = __atomic_load_n(pos, __ATOMIC_ACQUIRE);
	u8 ph = __atomic_load_n(phase, __ATOMIC_ACQUIRE);

	return cq && p < depth &&
	       (((volatile const struct nvme_cqe *)cq)[p].status & 1) == ph;
}

/*
 * Take what the controller completed on @q: the records' copies go back,
 * the trace gets the completions, and with mediated completions the OS's
 * copy gets them, with the status the VMM gives.  Direct, the OS reads
 * the controller's queue itself: the reap must run before each CQ head
 * the controller is given (the controller reuses the slots behind it).
 */
static void reap(struct vdev *d, struct nvme *n, unsigned int qid, u64 now)
{
	struct nvme_queue *q = n->q[qid];

	for (;;) {
		volatile struct nvme_cqe *e =
			(volatile struct nvme_cqe *)q->cq + q->cq_pos;
		struct nvme_rec *r;
		u16 status = e->status;
		u16 cid = e->cid;

		if ((status & 1) != q->phase)
			break;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		r = &q->rec[(cid & 0xfff) % q->depth];
		if ((r->flags & REC_VALID) && r->cid != cid && anomaly(n))
			vmm_log("nvme: queue %u slot %u: completion of cid %#x where cid %#x is in flight\n",
				qid, q->cq_pos, cid, r->cid);
		status >>= 1;
		if ((r->flags & REC_VALID) && r->status) {
			status = r->status;
			q->altered--;
		}
		if (r->flags & REC_VALID)
			rec_put_copies(n, r, &q->borrowed);
		if (n->mediate) {
			struct nvme_cqe *os = &q->shadow[q->cq_pos];

			os->result = e->result;
			os->rsvd = e->rsvd;
			os->sqhd = e->sqhd;
			os->sqid = e->sqid;
			/* The word with the phase bit goes last, in one store. */
			__atomic_store_n((u32 *)&os->cid,
					 cid | (u32)(status << 1 | q->phase) << 16,
					 __ATOMIC_RELEASE);
		}
		if (r->flags & REC_VALID)
			trace_completion(d, r, qid, cid, status, now);
		cq_step(&q->cq_pos, &q->phase, q->depth);
	}
}

/* Whether @q has a completion reap() has not moved yet (no lock). */
static bool cq_pending(const struct nvme_queue *q)
{
	return cq_posted(q->cq, &q->cq_pos, &q->phase,
			 __atomic_load_n(&q->depth, __ATOMIC_RELAXED));
}

/*
 * Whether an interrupt-driven queue has a completion to move (no lock);
 * never with direct completions, which the OS reads without the VMM.
 */
static bool nvme_pending(struct vdev *d)
{
	struct nvme *n = to_nvme(d);
	u32 nr = __atomic_load_n(&n->nr_q, __ATOMIC_ACQUIRE);

	if (!__atomic_load_n(&n->mediate, __ATOMIC_RELAXED))
		return false;
	for (u32 i = 0; i < nr; i++) {
		const struct nvme_queue *q = n->q[n->qids[i]];

		if (q && !q->polled && cq_pending(q))
			return true;
	}
	return false;
}

/* Only mediated completions need the VMM before the OS's handler. */
static bool nvme_interrupts(struct vdev *d)
{
	return to_nvme(d)->mediate;
}

/* Admin completions go straight to the OS; the VMM only traces them. */
static void trace_admin(struct vdev *d, struct nvme *n, u64 now)
{
	for (u32 i = 0; i < n->aq_depth; i++) {
		volatile struct nvme_cqe *e =
			(volatile struct nvme_cqe *)n->acq + n->acq_pos;
		struct nvme_rec *r;
		u16 status = e->status;

		if ((status & 1) != n->acq_phase)
			break;
		r = &n->admin_rec[e->cid % CID_SLOTS];
		rec_put_copies(n, r, &n->admin_borrowed);
		if (r->flags & REC_VALID)
			trace_completion(d, r, 0, e->cid, status >> 1, now);
		cq_step(&n->acq_pos, &n->acq_phase, n->aq_depth);
	}
}

/*
 * Move every queue's completions and pass on submissions whose delay ran
 * out.  Runs on the interrupt path without the device lock: a queue with
 * nothing to do (read without its lock) costs no lock.
 */
static void nvme_poll(struct vdev *d)
{
	struct nvme *n = to_nvme(d);
	u32 nr = __atomic_load_n(&n->nr_q, __ATOMIC_ACQUIRE);
	u64 now = rdtsc();

	for (u32 i = 0; i < nr; i++) {
		u16 qid = n->qids[i];
		struct nvme_queue *q = n->q[qid];

		if (!q || (!cq_pending(q) &&
			   __atomic_load_n(&q->submitted, __ATOMIC_RELAXED) ==
			   __atomic_load_n(&q->os_tail, __ATOMIC_RELAXED)))
			continue;
		spin_lock(&q->lock);
		if (__atomic_load_n(&n->live, __ATOMIC_ACQUIRE)) {
			reap(d, n, qid, now);
			if (q->submitted != q->os_tail)
				submit(d, n, qid);	/* delays that ran out */
		}
		spin_unlock(&q->lock);
	}
	if (!cq_posted(n->acq, &n->acq_pos, &n->acq_phase, n->aq_depth))
		return;
	spin_lock(&n->admin_lock);
	if (__atomic_load_n(&n->live, __ATOMIC_ACQUIRE))
		trace_admin(d, n, now);
	spin_unlock(&n->admin_lock);
}

/*
 * Admin commands after which the takeover's picture of the controller no
 * longer holds: its queues, its doorbell buffer, or a namespace's format
 * or existence (Format NVM, Namespace Management and Attachment, and
 * Sanitize, which may end in a format).  They reach the controller once
 * the device is native again; the next takeover describes it anew.
 */
static bool admin_changes_mode(u8 opcode)
{
	switch (opcode) {
	case ADM_CREATE_SQ:
	case ADM_CREATE_CQ:
	case ADM_DELETE_SQ:
	case ADM_DELETE_CQ:
	case ADM_DBBUF:
	case ADM_FORMAT_NVM:
	case ADM_NS_MGMT:
	case ADM_NS_ATTACH:
	case ADM_SANITIZE:
		return true;
	default:
		return false;
	}
}

/*
 * Check one admin command of the OS's queue and write what the controller
 * may run into the real queue: the command with its lists copied, or an
 * invalid opcode in its place.
 */
static void check_admin(struct vdev *d, struct nvme *n, u32 slot, u64 now)
{
	struct nvme_sqe c;
	struct nvme_rec *r;
	const char *why = NULL;
	u64 bytes;
	u16 pool = 0;
	int dma;

	memcpy(&c, &n->asq_view[slot], sizeof(c));
	bytes = nvme_admin_bytes(&c);
	r = &n->admin_rec[c.cid % CID_SLOTS];
	rec_put_copies(n, r, &n->admin_borrowed);	/* the tag's last is done */
	if (admin_changes_mode(c.opcode)) {
		/* admin_doorbell() holds those: the OS changed it since. */
		why = "changed while it was checked";
	} else if (bytes == NVME_XFER_REFUSE) {
		why = "transfer length unknown or too large";
	} else if (bytes) {
		dma = dma_prepare(n, &c, bytes, 0, &pool);
		if (dma == NVME_DMA_NOMEM)
			why = "no free page for a copy of its data pointers";
		else if (dma)
			why = "data pointers reach memory the device must not touch";
	}
	if (why) {
		count(&d->stats.dma_refused, 1);
		vmm_log("nvme: refused admin command %#x cid %#x: %s\n",
			c.opcode, c.cid, why);
		c.opcode = ADM_INVALID;
	}
	*r = (struct nvme_rec){
		.tsc = now, .opcode = c.opcode, .pool = pool,
		.flags = REC_VALID | RTVIRT_VMM_TRACE_ADMIN |
			 (why ? RTVIRT_VMM_TRACE_REFUSED : 0),
	};
	if (pool)
		n->admin_borrowed++;
	memcpy((void *)(n->asq + slot * 64ULL), &c, sizeof(c));
}

static void admin_doorbell(struct vdev *d, struct nvme *n, struct access *a)
{
	u32 tail = a->val, slot;
	u64 now = rdtsc();

	if (tail >= n->aq_depth) {
		/* The controller reports the bad write itself. */
		vdev_mmio_write(a->gpa, a->val, a->size);
		return;
	}
	/*
	 * The tail the driver gave the controller is known since takeover.
	 * A batch that changes the queues goes to the controller as it is,
	 * once the device is native again (the hand-back copies the OS's
	 * queue over the controller's).
	 */
	spin_lock(&n->admin_lock);
	for (slot = n->admin_tail; slot != tail;
	     slot = (slot + 1) % n->aq_depth)
		if (admin_changes_mode(n->asq_view[slot].opcode)) {
			spin_unlock(&n->admin_lock);
			vdev_hold(d, a);
			return;
		}
	for (slot = n->admin_tail; slot != tail;
	     slot = (slot + 1) % n->aq_depth)
		check_admin(d, n, slot, now);
	n->admin_tail = tail;
	vdev_mmio_write(a->gpa, a->val, a->size);
	spin_unlock(&n->admin_lock);
}

/*
 * The I/O queue whose doorbell is at @index (in 4-byte units), for a write
 * of @val: NULL for no queue or a position beyond it.  @qid and @cq say
 * which queue and whether it is its CQ head.
 */
static struct nvme_queue *doorbell_queue(struct nvme *n, u32 index, u32 val,
					 u32 *qid, bool *cq)
{
	u32 per = n->db_stride / 4;
	struct nvme_queue *q;

	*qid = index / per / 2;
	*cq = (index / per) & 1;
	if (index % per || *qid >= RTVIRT_VMM_NVME_MAX_QUEUES)
		return NULL;
	q = n->q[*qid];
	return q && q->depth && val < q->depth ? q : NULL;
}

/*
 * Whether @head lies between the CQ head the driver published last and the
 * controller's position as the VMM reaped it: entries the driver can have
 * consumed.
 */
static bool head_in_reach(const struct nvme_queue *q, u32 head)
{
	u32 read = (head + q->depth - q->os_head) % q->depth;
	u32 posted = (q->cq_pos + q->depth - q->os_head) % q->depth;

	return head < q->depth && read <= posted;
}

/*
 * Direct completions: a CQ head the driver published, from the register or
 * (with shadow doorbells, note_doorbell()) from its shadow doorbell, read
 * before the reap that preceded this call.  A head beyond what the
 * controller posted is not taken (the controller would overwrite entries
 * the VMM has not seen).  Sets the real shadow doorbell; the caller rings
 * the register where the driver did.  Called with the queue's lock.
 */
static void take_head(struct nvme *n, unsigned int qid, struct nvme_queue *q,
		      u32 head)
{
	if (head == q->os_head)
		return;
	if (!head_in_reach(q, head)) {
		if (anomaly(n))
			vmm_log("nvme: queue %u: CQ head %u beyond the completions (%u to %u)\n",
				qid, head, q->os_head, q->cq_pos);
		return;
	}
	q->os_head = head;
	if (n->dbs)
		*real_db(n, qid, true) = head;
}

/* The OS wrote a doorbell register of an I/O queue. */
static void io_doorbell(struct vdev *d, struct nvme *n, u32 index, u32 val)
{
	struct nvme_queue *q;
	u32 qid;
	bool cq;

	q = doorbell_queue(n, index, val, &qid, &cq);
	if (!q)
		return;
	spin_lock(&q->lock);
	/* Direct completions: what the OS read is reaped here, not earlier. */
	if (!n->mediate) {
		u32 head = n->dbs ? __atomic_load_n(&n->os_dbs[db_index(n, qid, true)],
						    __ATOMIC_ACQUIRE) : 0;

		reap(d, n, qid, rdtsc());
		if (n->dbs && !cq)
			take_head(n, qid, q, head);
	}
	if (cq) {
		/* The OS consumed those entries: the controller may reuse them. */
		if (n->mediate)
			q->os_head = val;
		else
			take_head(n, qid, q, val);
		ring(n, qid, true, q->os_head);
	} else {
		__atomic_store_n(&q->os_tail, val, __ATOMIC_RELAXED);
	}
	if (q->submitted != q->os_tail)
		submit(d, n, qid);	/* new, or waiting for a copy's page */
	spin_unlock(&q->lock);
	/* A queue waits for a page this reap may have freed: nobody else polls. */
	if (!n->mediate && __atomic_load_n(&n->starved, __ATOMIC_ACQUIRE)) {
		__atomic_store_n(&n->starved, false, __ATOMIC_RELEASE);
		nvme_poll(d);
	}
}

/*
 * An I/O queue's doorbell write while the hand-back holds the OS back.
 * The newest SQ tail and CQ head of each queue are kept in the queue, one
 * value each: only the newest matters to the controller, a log of every
 * write would fill under load, and a tail that moves backwards makes the
 * controller run a whole lap of old commands again (with shadow doorbells
 * the OS writes every position to the register too: note_doorbell()).
 * Once the OS has asked for a hand-back (a
 * held mode change), its doorbell writes go into the hold log, in order
 * behind that access.
 */
static void hold_io_doorbell(struct vdev *d, struct nvme *n, u32 index,
			     struct access *a)
{
	struct nvme_queue *q;
	u32 qid;
	bool cq;

	if (d->handback_wanted) {
		vdev_log(d, a);
		return;
	}
	q = doorbell_queue(n, index, a->val, &qid, &cq);
	if (!q)
		return;		/* as io_doorbell() would ignore it */
	if (cq)
		q->held_head = a->val;
	else
		q->held_tail = a->val;
}

/* An abandoned hand-back: the held doorbells take effect now. */
static void nvme_resume(struct vdev *d)
{
	struct nvme *n = to_nvme(d);

	for (u32 i = 0; i < n->nr_q; i++) {
		u16 qid = n->qids[i];
		struct nvme_queue *q = n->q[qid];

		spin_lock(&q->lock);
		if (q->held_head >= 0) {
			if (n->mediate) {
				q->os_head = q->held_head;
			} else {
				reap(d, n, qid, rdtsc());
				take_head(n, qid, q, q->held_head);
			}
			ring(n, qid, true, q->os_head);
		}
		if (q->held_tail >= 0)
			__atomic_store_n(&q->os_tail, q->held_tail,
					 __ATOMIC_RELAXED);
		spin_unlock(&q->lock);
		count(&d->stats.replayed,
		      (q->held_head >= 0) + (q->held_tail >= 0));
		q->held_head = -1;
		q->held_tail = -1;
	}
	nvme_poll(d);
}

/*
 * The OS wrote @val to the doorbell register at @index (4-byte units): with
 * shadow doorbells, its event index becomes @val, the position its driver
 * takes as the old one at its next update, so that update rings the
 * register too, whatever the VMM does with this one (held or not).  With
 * direct completions a CQ head's event index goes half a queue ahead
 * instead: the driver rings that register once per half lap, and the VMM
 * takes the heads in between from its shadow doorbell (take_head()).
 */
static void note_doorbell(struct nvme *n, u32 index, u32 val)
{
	struct nvme_queue *q;
	u32 qid;
	bool cq;

	if (!n->dbs || index < db_index(n, 1, false) ||
	    index >= PT_PAGE_SIZE / 4)
		return;
	q = n->mediate ? NULL : doorbell_queue(n, index, val, &qid, &cq);
	if (q && cq)
		val = (val + q->depth / 2) % q->depth;
	__atomic_store_n(&n->os_eis[index], val, __ATOMIC_RELEASE);
}

static void access_doorbell(struct vdev *d, struct nvme *n, struct access *a)
{
	u64 off = a->gpa - n->bar - NVME_DOORBELLS;

	if (!a->write) {
		a->val = vdev_mmio_read(a->gpa, a->size);
		return;
	}
	if (a->size == 4 && !(off & 3))
		note_doorbell(n, off / 4, a->val);
	if (d->holding) {
		/* I/O queues: per queue (hold_io_doorbell()); admin: in order. */
		if (a->size == 4 && !(off & 3) &&
		    off / 4 >= db_index(n, 1, false))
			hold_io_doorbell(d, n, off / 4, a);
		else
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

/* The queue whose completions the OS reads through @shadow (polled). */
static struct nvme_queue *queue_of_shadow(struct nvme *n, const void *shadow)
{
	for (u32 i = 0; i < n->nr_q; i++)
		if (n->q[n->qids[i]]->shadow == shadow)
			return n->q[n->qids[i]];
	return NULL;
}

static void nvme_access(struct vdev *d, struct trap *t, struct access *a)
{
	struct nvme *n = to_nvme(d);
	struct nvme_queue *q;
	u64 off;

	switch (t->kind) {
	case TRAP_QUEUE:
		/* The OS reads its completions: bring in the controller's. */
		nvme_poll(d);
		off = a->gpa - t->gpa;
		q = queue_of_shadow(n, t->shadow);
		if (q)
			spin_lock(&q->lock);
		if (a->write)
			memcpy((u8 *)t->shadow + off, &a->val, a->size);
		else
			memcpy(&a->val, (u8 *)t->shadow + off, a->size);
		if (q)
			spin_unlock(&q->lock);
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

static bool nvme_config(struct vdev *d, unsigned int off, struct access *a)
{
	bool hold = pci_config_write_changes_device(off, a->size, a->val);

	if (hold)
		vdev_hold(d, a);
	return hold;
}

/*
 * Hand-back may go ahead once the OS's published tails reached the
 * controller and every command whose completion the VMM changes or that
 * uses the VMM's copies of its lists is complete (the copies' pages are
 * reused); the others complete into the real queues afterwards.
 */
static bool nvme_drained(struct vdev *d)
{
	struct nvme *n = to_nvme(d);

	bool busy;

	for (u32 i = 0; i < n->nr_q; i++) {
		struct nvme_queue *q = n->q[n->qids[i]];

		spin_lock(&q->lock);
		busy = q->submitted != q->os_tail || q->altered || q->borrowed;
		spin_unlock(&q->lock);
		if (busy)
			return false;
	}
	spin_lock(&n->admin_lock);
	busy = n->admin_borrowed;
	spin_unlock(&n->admin_lock);
	return !busy;
}

/*
 * Move what the OS wrote into its view of a submission queue, from the
 * slot the controller was given last (@from) on, into the real queue:
 * up to the driver's own tail @next and that slot too, which the driver
 * may be writing (the rest of it lands in the real queue once the view is
 * gone); the whole queue when @next is not known.
 */
static void view_to_real(u64 real, const struct nvme_sqe *view, u32 depth,
			 u32 from, int next)
{
	if (next < 0) {
		memcpy((void *)real, view, round_page(depth * 64ULL));
		return;
	}
	for (u32 s = from;; s = (s + 1) % depth) {
		memcpy((u8 *)real + s * 64ULL, &view[s], 64);
		if (s == (u32)next)
			break;
	}
}

/*
 * The driver's CQ head at the hand-back must lie between the head it
 * published and the controller's position, with the phase the VMM gave
 * the entries there; say so where it does not (the driver would read
 * stale entries from the real queue once it is native).
 */
static void check_final_head(struct nvme *n, const struct nvme_queue *q,
			     const struct rtvirt_vmm_nvme_queue *e)
{
	u8 phase = e->cq_head <= q->cq_pos ?
		   q->phase : q->phase ^ 1;

	if (head_in_reach(q, e->cq_head) && e->cq_phase == phase)
		return;
	if (anomaly(n))
		vmm_log("nvme: queue %u at hand-back: driver head %u phase %u, published head %u, controller at %u phase %u\n",
			e->qid, e->cq_head, e->cq_phase, q->os_head, q->cq_pos,
			q->phase);
}

/*
 * The driver's own SQ tails from its state at the hand-back (read by the
 * module with every CPU held): into each queue's @next, and the admin
 * queue's returned; -1 for what the state does not give.
 */
static int final_tails(struct nvme *n, u64 pa)
{
	struct rtvirt_vmm_nvme_layout *l = n->final;
	int admin = -1;

	for (u32 i = 0; i < n->nr_q; i++)
		n->q[n->qids[i]]->next = -1;
	if (!pa || !os_memory(pa, LAYOUT_HDR))
		return -1;
	memcpy(l, (const void *)pa, LAYOUT_HDR);
	if (l->nr_queues > RTVIRT_VMM_NVME_MAX_QUEUES ||
	    !os_memory(pa, LAYOUT_HDR + l->nr_queues * sizeof(l->q[0])))
		return -1;
	memcpy(l->q, (const void *)(pa + LAYOUT_HDR),
	       l->nr_queues * sizeof(l->q[0]));
	for (u32 i = 0; i < l->nr_queues; i++) {
		const struct rtvirt_vmm_nvme_queue *e = &l->q[i];
		struct nvme_queue *q;

		if (!e->qid) {
			if (e->next_tail < n->aq_depth)
				admin = e->next_tail;
			continue;
		}
		if (e->qid >= RTVIRT_VMM_NVME_MAX_QUEUES)
			continue;
		q = n->q[e->qid];
		if (q && q->depth && e->next_tail < q->depth)
			q->next = e->next_tail;
		if (q && q->depth)
			check_final_head(n, q, e);
	}
	return admin;
}

/*
 * The positions the OS published last, held ones included, for the
 * controller: in the shadow doorbells it reads, and in the doorbell
 * registers where the hold kept a newer value from them (the OS's real
 * submission queue already holds those commands).  With shadow doorbells
 * the OS's own shadow values count too: the hold's IPI can stop the driver
 * between its shadow doorbell write and the register write that follows,
 * and once native it takes its old position from the real shadow doorbell
 * and the controller its tail, so both must be the value it wrote.
 */
static void handback_doorbells(struct vdev *d, struct nvme *n, u16 qid,
			       struct nvme_queue *q)
{
	u32 head = q->held_head >= 0 ? (u32)q->held_head : q->os_head;
	u32 tail = q->held_tail >= 0 ? (u32)q->held_tail : q->submitted;

	if (n->dbs) {
		u32 os_tail = n->os_dbs[db_index(n, qid, false)];
		u32 os_head = n->os_dbs[db_index(n, qid, true)];

		if (os_tail < q->depth)
			tail = os_tail;
		if (os_head < q->depth)
			head = os_head;
		*real_db(n, qid, true) = head;
		*real_db(n, qid, false) = tail;
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (q->held_head >= 0) {
		vdev_mmio_write(db_reg(n, qid, true), head, 4);
		count(&d->stats.replayed, 1);
	}
	if (q->held_tail >= 0) {
		vdev_mmio_write(db_reg(n, qid, false), tail, 4);
		count(&d->stats.replayed, 1);
	}
	q->held_head = -1;
	q->held_tail = -1;
}

static void nvme_handback(struct vdev *d, u64 pa)
{
	struct nvme *n = to_nvme(d);
	int admin_next;

	/*
	 * No reaper starts any more; one that took a queue's lock before
	 * finishes first (everything after this is the hand-back's alone).
	 */
	__atomic_store_n(&n->live, false, __ATOMIC_RELEASE);
	for (u32 i = 0; i < n->nr_q; i++) {
		spin_lock(&n->q[n->qids[i]]->lock);
		spin_unlock(&n->q[n->qids[i]]->lock);
	}
	spin_lock(&n->admin_lock);
	spin_unlock(&n->admin_lock);
	/* Direct: what the OS consumed is reaped (check_final_head()). */
	for (u32 i = 0; !n->mediate && i < n->nr_q; i++)
		reap(d, n, n->qids[i], rdtsc());
	admin_next = final_tails(n, pa);
	/*
	 * Every other CPU is held: the OS's submission queues, including
	 * entries it wrote but has not published, become the real ones.
	 */
	view_to_real(n->asq, n->asq_view, n->aq_depth, n->admin_tail,
		     admin_next);
	for (u32 i = 0; i < n->nr_q; i++) {
		u16 qid = n->qids[i];
		struct nvme_queue *q = n->q[qid];

		view_to_real(q->sq, q->view, q->depth, q->submitted, q->next);
		/*
		 * Mediated, the completions the OS has not consumed, with
		 * the status it must see; the controller owns the slots after
		 * them.  Direct, the OS reads the real queue already.
		 */
		for (u32 e = q->os_head; n->mediate && e != q->cq_pos;
		     e = (e + 1) % q->depth)
			memcpy((u8 *)q->cq + e * 16ULL, &q->shadow[e], 16);
		handback_doorbells(d, n, qid, q);
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static void nvme_handed_back(struct vdev *d)
{
	struct nvme *n = to_nvme(d);

	/* Make the controller look at the replayed shadow doorbells. */
	for (u32 i = 0; n->dbs && i < n->nr_q; i++) {
		u16 qid = n->qids[i];

		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		vdev_mmio_write(db_reg(n, qid, false), *real_db(n, qid, false),
				4);
	}
	set_injection(n, NULL);
}

static int nvme_inject(struct vdev *d, const struct rtvirt_vmm_inject *inj)
{
	struct nvme *n = to_nvme(d);

	if (inj->status > 0x7fff || inj->delay_us > RTVIRT_VMM_MAX_DELAY_US ||
	    (inj->count && !inj->match) ||
	    (inj->match & ~(RTVIRT_VMM_INJECT_READS | RTVIRT_VMM_INJECT_WRITES)))
		return ERR_INVAL;
	/* The OS reads the controller's status unless completions are mediated. */
	if (inj->count && inj->status && !n->mediate)
		return ERR_OPNOTSUPP;
	set_injection(n, inj);
	return 0;
}

/* Not static: the unit tests drive the model through it. */
extern const struct vdev_ops nvme_ops;
const struct vdev_ops nvme_ops = {
	.name = "nvme",
	.model = VDEV_MODEL_NVME,
	.attach = nvme_attach,
	.commence = nvme_commence,
	.access = nvme_access,
	.config = nvme_config,
	.poll = nvme_poll,
	.pending = nvme_pending,
	.interrupts = nvme_interrupts,
	.drained = nvme_drained,
	.handback = nvme_handback,
	.handed_back = nvme_handed_back,
	.resume = nvme_resume,
	.inject = nvme_inject,
};
VDEV_MODEL(nvme_ops);
