// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the VMM's NVMe controller model (src/vmm/dev/nvme/nvme.c) against
 * a fake controller: the takeover of a queue layout, the data path (the
 * OS fills its view of the submission queue, rings, and the controller
 * fetches from the real queue what the VMM wrote there), completions in
 * both modes - mediated: copied to the OS at the controller's interrupt
 * (queue 1) or at the OS's trapped read (queue 2, polled); direct: read by
 * the OS from the controller's queue and reaped by the VMM at the OS's
 * next doorbell - and the hand-back.  Most tests run in both modes.  The fake controller fetches
 * commands and PRP lists late, after the OS has rewritten its own copies,
 * as a real one may: it must only ever see what the VMM checked.
 *
 * Guest-physical, host-physical and the test's virtual addresses are one
 * (the VMM identity-maps the OS's memory); the device framework's
 * functions the model calls are stubs here that record what it asked.
 */
#include <check.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include <vmm/device.h>
#include <vmm/nvme_spec.h>
#include <vmm/pci.h>
#include <vmm/vmm.h>

#define PG		4096ULL
#define DEPTH		64	/* I/O queue entries: a page */
#define AQ_DEPTH	32
#define NR_IO		2	/* I/O queues 1 and 2 (polled) */
#define POLLED_Q	2
#define BAR_SIZE	(4 * PG)

/* --- the VMM's environment ------------------------------------------------ */

#define MAX_ALLOCS	256

/* The model's ops (src/vmm/dev/nvme/nvme.c), which the VMM finds through VDEV_MODEL(). */
extern const struct vdev_ops nvme_ops;

static struct {
	void *va[MAX_ALLOCS];
	u64 size[MAX_ALLOCS];
	unsigned int nr;
} vmm_mem;

struct vmm vmm;

void *vmm_alloc_pages(unsigned int n, u64 *pa)
{
	void *p = aligned_alloc(PG, n * PG);

	ck_assert_ptr_nonnull(p);
	ck_assert_uint_lt(vmm_mem.nr, MAX_ALLOCS);
	memset(p, 0, n * PG);
	vmm_mem.va[vmm_mem.nr] = p;
	vmm_mem.size[vmm_mem.nr++] = n * PG;
	*pa = (u64)p;
	return p;
}

/* End of what the VMM can address (a 4-level host: 2^47). */
static u64 reach_end = ~0ULL;

bool vmm_reaches(u64 pa, u64 len)
{
	return pa && pa + len > pa && pa + len <= reach_end;
}

/* End of the registers the kernel reaches (a 4-level host: 2^48). */
static u64 io_reach_end = ~0ULL;

bool vmm_io_reaches(u64 pa, u64 len)
{
	return len && pa + len - 1 >= pa && pa + len <= io_reach_end;
}

/* A page of OS memory the tests declare the VMM's (0: none). */
static u64 vmm_page;

bool vmm_owns_range(u64 pa, u64 len)
{
	if (!len || pa + len - 1 < pa)
		return true;
	if (vmm_page && pa < vmm_page + PG && vmm_page < pa + len)
		return true;
	for (unsigned int i = 0; i < vmm_mem.nr; i++)
		if (pa < (u64)vmm_mem.va[i] + vmm_mem.size[i] &&
		    (u64)vmm_mem.va[i] < pa + len)
			return true;
	return false;
}

bool vmm_owns_pa(u64 pa)
{
	return vmm_owns_range(pa, 1);
}

void spin_lock(int *lock)
{
	while (__atomic_exchange_n(lock, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(lock, __ATOMIC_RELAXED))
			;
}

void spin_unlock(int *lock)
{
	__atomic_store_n(lock, 0, __ATOMIC_RELEASE);
}

void vmm_log(const char *fmt, ...)
{
	(void)fmt;
}

void vmm_panic(const char *fmt, ...)
{
	ck_abort_msg("vmm_panic: %s", fmt);
	abort();
}

/* --- the device framework, recorded --------------------------------------- */

#define MAX_TRAPS	64

static struct {
	struct trap t[MAX_TRAPS];
	unsigned int nr;
	u64 trace;
} fw;

int vdev_trap_add(struct vdev *d, u64 gpa, u64 size, unsigned int kind,
		  void *shadow)
{
	ck_assert_uint_lt(fw.nr, MAX_TRAPS);
	fw.t[fw.nr++] = (struct trap){ .gpa = gpa, .size = size, .kind = kind,
				       .dev = d, .shadow = shadow };
	return 0;
}

int vdev_view_add(struct vdev *d, u64 gpa, u64 size, unsigned int kind,
		  u64 view)
{
	ck_assert(vmm_owns_range(view, size));
	ck_assert(!vmm_owns_range(gpa, size));
	ck_assert_uint_lt(fw.nr, MAX_TRAPS);
	fw.t[fw.nr++] = (struct trap){ .gpa = gpa, .size = size, .kind = kind,
				       .dev = d, .view = view };
	return 0;
}

void vdev_trace(struct vdev *d, const struct rtvirt_vmm_trace_entry *e)
{
	(void)d;
	(void)e;
	__atomic_fetch_add(&fw.trace, 1, __ATOMIC_RELAXED);
}

u64 vdev_ns(const struct vdev *d, u64 tsc)
{
	(void)d;
	return tsc;
}

static struct trap *trap_at(u64 gpa)
{
	for (unsigned int i = 0; i < fw.nr; i++)
		if (gpa - fw.t[i].gpa < fw.t[i].size)
			return &fw.t[i];
	return NULL;
}

/* --- the fake controller ----------------------------------------------- */

static struct {
	u8 *bar;
	u32 sq_tail[NR_IO + 1];	/* last tail written to each SQ doorbell */
	u32 cq_head[NR_IO + 1];
	u32 fetched[NR_IO + 1];	/* SQ entries fetched so far */
	u32 cq_tail[NR_IO + 1];
	u8 phase[NR_IO + 1];
	unsigned int rings;
} ctrl;

static bool in_bar(u64 pa)
{
	return pa - (u64)ctrl.bar < BAR_SIZE;
}

void vdev_mmio_write(u64 pa, u64 val, unsigned int size)
{
	if (in_bar(pa) && pa - (u64)ctrl.bar >= NVME_DOORBELLS) {
		u32 db = (pa - (u64)ctrl.bar - NVME_DOORBELLS) / 4;

		ck_assert_uint_eq(size, 4);
		ck_assert_uint_lt(db / 2, NR_IO + 1);
		if (db & 1)
			ctrl.cq_head[db / 2] = val;
		else
			ctrl.sq_tail[db / 2] = val;
		ctrl.rings++;
		return;
	}
	memcpy((void *)pa, &val, size);
}

u64 vdev_mmio_read(u64 pa, unsigned int size)
{
	u64 v = 0;

	memcpy(&v, (void *)pa, size);
	return v;
}

/* --- the OS's queues ----------------------------------------------------- */

static struct {
	struct nvme_sqe *asq, *sq[NR_IO + 1];
	struct nvme_cqe *acq, *cq[NR_IO + 1];
	u64 *list;
	u8 *data;		/* 4 pages */
	u32 *dbs, *eis;		/* shadow doorbells and event indexes */
	struct rtvirt_vmm_nvme_layout *layout;
	size_t layout_len;
	u16 tail[NR_IO + 1];
	u16 head[NR_IO + 1];
	u8 phase[NR_IO + 1];
} os;

static struct vdev dev;
static struct access log_buf[VDEV_LOG_MAX];
static u64 canary;	/* a VMM page the OS points commands at */
static bool mediated;	/* the takeover asks for mediated completions */

static void *os_page(unsigned int n)
{
	void *p = aligned_alloc(PG, n * PG);

	ck_assert_ptr_nonnull(p);
	memset(p, 0, n * PG);
	return p;
}

static void set_reg(unsigned int off, u64 val, unsigned int size)
{
	memcpy(ctrl.bar + off, &val, size);
}

static void setup(void)
{
	struct rtvirt_vmm_nvme_layout *l;
	u64 pa;

	memset(&vmm_mem, 0, sizeof(vmm_mem));
	memset(&fw, 0, sizeof(fw));
	memset(&ctrl, 0, sizeof(ctrl));
	memset(&os, 0, sizeof(os));
	memset(&dev, 0, sizeof(dev));
	vmm_page = 0;
	/* A BAR is aligned to its size (vdev_regs_ok()). */
	ctrl.bar = aligned_alloc(BAR_SIZE, BAR_SIZE);
	ck_assert_ptr_nonnull(ctrl.bar);
	memset(ctrl.bar, 0, BAR_SIZE);
	set_reg(NVME_REG_CAP, 1023, 8);		/* MQES 1023, DSTRD 0 */
	set_reg(NVME_REG_CC, NVME_CC_EN, 4);
	set_reg(NVME_REG_CSTS, NVME_CSTS_RDY, 4);
	set_reg(NVME_REG_AQA, (AQ_DEPTH - 1) << 16 | (AQ_DEPTH - 1), 4);
	os.asq = os_page(1);
	os.acq = os_page(1);
	set_reg(NVME_REG_ASQ, (u64)os.asq, 8);
	set_reg(NVME_REG_ACQ, (u64)os.acq, 8);
	os.layout_len = sizeof(*l) + (NR_IO + 1) * sizeof(l->q[0]);
	l = os.layout = os_page(1);
	l->db_stride = 4;
	l->nr_queues = NR_IO + 1;
	l->flags = mediated ? RTVIRT_VMM_NVME_MEDIATE : 0;
	/* Namespace 1: 512-byte blocks; 2: 4 KiB with 8 bytes of PI apart. */
	l->nr_ns = 2;
	l->ns[0] = (struct rtvirt_vmm_nvme_ns){ .nsid = 1, .lba_shift = 9 };
	l->ns[1] = (struct rtvirt_vmm_nvme_ns){ .nsid = 2, .lba_shift = 12,
						.ms = 8, .pi_size = 8 };
	os.dbs = os_page(1);
	os.eis = os_page(1);
	l->dbs = (u64)os.dbs;
	l->eis = (u64)os.eis;
	l->q[0] = (struct rtvirt_vmm_nvme_queue){
		.sq = (u64)os.asq, .cq = (u64)os.acq, .depth = AQ_DEPTH,
		.cq_phase = 1 };
	for (unsigned int q = 1; q <= NR_IO; q++) {
		os.sq[q] = os_page(1);
		os.cq[q] = os_page(1);
		os.phase[q] = 1;
		ctrl.phase[q] = 1;
		l->q[q] = (struct rtvirt_vmm_nvme_queue){
			.sq = (u64)os.sq[q], .cq = (u64)os.cq[q],
			.depth = DEPTH, .qid = q, .cq_phase = 1,
			.flags = q == POLLED_Q ? RTVIRT_VMM_NVME_Q_POLLED : 0 };
	}
	os.list = os_page(1);
	os.data = os_page(4);
	dev.info.model = VDEV_MODEL_NVME;
	dev.info.bar_pa = (u64)ctrl.bar;
	dev.info.bar_size = BAR_SIZE;
	dev.info.tsc_khz = 1000000;
	dev.ops = &nvme_ops;
	dev.log = log_buf;
	canary = (u64)vmm_alloc_pages(1, &pa);
	ck_assert_int_eq(nvme_ops.attach(&dev), 0);
	ck_assert_int_eq(nvme_ops.commence(&dev, (u64)os.layout,
					   os.layout_len), 0);
	dev.state = VDEV_VIRTUALIZED;
}

static void setup_mediated(void)
{
	mediated = true;
	setup();
}

static void setup_direct(void)
{
	mediated = false;
	setup();
}

static void teardown(void)
{
	for (unsigned int i = 0; i < vmm_mem.nr; i++)
		free(vmm_mem.va[i]);
	free(ctrl.bar);
	free(os.asq);
	free(os.acq);
	for (unsigned int q = 1; q <= NR_IO; q++) {
		free(os.sq[q]);
		free(os.cq[q]);
	}
	free(os.list);
	free(os.data);
	free(os.dbs);
	free(os.eis);
	free(os.layout);
}

/* Where the OS's accesses to its submission queue go: the VMM's view. */
static struct nvme_sqe *os_view(unsigned int q)
{
	struct trap *t = trap_at((u64)os.sq[q]);

	ck_assert_ptr_nonnull(t);
	ck_assert_uint_ne(t->view, 0);
	return (struct nvme_sqe *)t->view;
}

/* A trapped access by the OS, as vdev_handle_npf() passes it on. */
static u64 os_access(u64 gpa, u64 val, unsigned int size, bool write)
{
	struct trap *t = trap_at(gpa);
	struct access a = { .gpa = gpa, .val = val, .size = size,
			    .write = write };

	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(t->view, 0);
	a.kind = t->kind;
	nvme_ops.access(&dev, t, &a);
	ck_assert(!a.retry);
	return a.val;
}

static void os_ring_sq(unsigned int q)
{
	os_access((u64)ctrl.bar + NVME_DOORBELLS + 8 * q, os.tail[q], 4, true);
}

/* A 16 KiB read at @slot: PRP1 and a list of three, or as given. */
static void os_submit_read(unsigned int q, u16 cid, u64 prp2)
{
	struct nvme_sqe *c = &os_view(q)[os.tail[q]];

	memset(c, 0, sizeof(*c));
	c->opcode = OP_READ;
	c->cid = cid;
	c->nsid = 1;
	c->cdw12 = 4 * PG / 512 - 1;
	c->prp1 = (u64)os.data;
	c->prp2 = prp2;
	os.tail[q] = (os.tail[q] + 1) % DEPTH;
}

static void fill_os_list(void)
{
	for (unsigned int i = 0; i < 3; i++)
		os.list[i] = (u64)os.data + (i + 1) * PG;
}

/* The controller fetches the next command from the real queue. */
static struct nvme_sqe ctrl_fetch(unsigned int q)
{
	struct nvme_sqe c;

	ck_assert_uint_ne(ctrl.fetched[q], ctrl.sq_tail[q]);
	memcpy(&c, &os.sq[q][ctrl.fetched[q]], sizeof(c));
	ctrl.fetched[q] = (ctrl.fetched[q] + 1) % DEPTH;
	return c;
}

/* The controller posts a completion into the real completion queue. */
static void ctrl_post(unsigned int q, u16 cid, u16 status)
{
	struct nvme_cqe *e = &os.cq[q][ctrl.cq_tail[q]];

	e->cid = cid;
	e->sqid = q;
	e->sqhd = ctrl.fetched[q];
	e->status = status << 1 | ctrl.phase[q];
	if (++ctrl.cq_tail[q] == DEPTH) {
		ctrl.cq_tail[q] = 0;
		ctrl.phase[q] ^= 1;
	}
}

/* The interrupt reaches a CPU: the VMM's exit (vdev_interrupt()). */
static void ctrl_interrupt(void)
{
	if (nvme_ops.pending(&dev))
		nvme_ops.poll(&dev);
}

/*
 * A completion and, for a queue with one, its interrupt, which exits to
 * the VMM only with mediated completions.
 */
static void ctrl_complete(unsigned int q, u16 cid, u16 status)
{
	ctrl_post(q, cid, status);
	ck_assert(nvme_ops.interrupts(&dev) == mediated);
	if (q == POLLED_Q)
		return;
	ck_assert(nvme_ops.pending(&dev) == mediated);
	if (mediated)
		ctrl_interrupt();
}

/*
 * The fake controller runs the next command: a flush of namespace 0 (no
 * such namespace) fails with Invalid Namespace or Format, as on a real
 * one; anything else succeeds.  Returns the command.
 */
static struct nvme_sqe ctrl_run(unsigned int q)
{
	struct nvme_sqe c = ctrl_fetch(q);

	ctrl_complete(q, c.cid, c.opcode == OP_FLUSH && !c.nsid ?
		      STATUS_DNR | STATUS_INVALID_NS : 0);
	return c;
}

/* The OS's completion queue: the VMM's pages mapped at its address. */
static const struct nvme_cqe *os_cq_view(unsigned int q)
{
	struct trap *t = trap_at((u64)os.cq[q]);

	ck_assert_ptr_nonnull(t);
	ck_assert_uint_ne(t->view, 0);
	return (const struct nvme_cqe *)t->view;
}

/*
 * The OS reads its next completion: from its view of an interrupt-driven
 * queue, through the trap of a polled one; false if none.
 */
static bool os_reap(unsigned int q, u16 *cid, u16 *status)
{
	u64 e = (u64)os.cq[q] + os.head[q] * 16ULL;
	u32 dw3;

	if (!mediated) {
		/* Direct: the controller's queue, no trap on it. */
		ck_assert_ptr_null(trap_at(e));
		memcpy(&dw3, (const u8 *)e + 12, 4);
	} else if (q == POLLED_Q) {
		dw3 = os_access(e + 12, 0, 4, false);
	} else {
		memcpy(&dw3, (const u8 *)&os_cq_view(q)[os.head[q]] + 12, 4);
	}

	if ((dw3 >> 16 & 1) != os.phase[q])
		return false;
	*cid = dw3 & 0xffff;
	*status = dw3 >> 17;
	if (++os.head[q] == DEPTH) {
		os.head[q] = 0;
		os.phase[q] ^= 1;
	}
	os_access((u64)ctrl.bar + NVME_DOORBELLS + 8 * q + 4, os.head[q], 4,
		  true);
	return true;
}

/* --- tests -------------------------------------------------------------- */

START_TEST(views_and_traps)
{
	/*
	 * The OS's SQs are views, and so are its shadow doorbells and event
	 * indexes; the doorbell registers are trapped.  Mediated, the CQ of
	 * an interrupt is a view and a polled CQ is trapped; direct, the OS
	 * reads both CQs as they are, and interrupts need no exit.
	 */
	for (unsigned int q = 1; q <= NR_IO; q++)
		ck_assert_ptr_ne(os_view(q), os.sq[q]);
	ck_assert(nvme_ops.interrupts(&dev) == mediated);
	if (mediated) {
		ck_assert_ptr_ne(os_cq_view(1), os.cq[1]);
		ck_assert_ptr_nonnull(trap_at((u64)os.cq[POLLED_Q]));
		ck_assert_ptr_nonnull(trap_at((u64)os.cq[POLLED_Q])->shadow);
	} else {
		ck_assert_ptr_null(trap_at((u64)os.cq[1]));
		ck_assert_ptr_null(trap_at((u64)os.cq[POLLED_Q]));
	}
	ck_assert_uint_ne(trap_at((u64)os.asq)->view, 0);
	ck_assert_uint_ne(trap_at((u64)os.dbs)->view, 0);
	ck_assert_uint_ne(trap_at((u64)os.eis)->view, 0);
	ck_assert_uint_eq(trap_at((u64)ctrl.bar + NVME_DOORBELLS)->kind,
			  TRAP_DOORBELL);
}
END_TEST

START_TEST(interrupt_posts_completions)
{
	u16 cid, status;

	/* Nothing new: an interrupt (another device's) takes no lock. */
	ck_assert(!nvme_ops.pending(&dev));
	/* Posted, its interrupt not there yet: the OS sees nothing. */
	os_submit_read(1, 0, 0);
	os_view(1)[0].cdw12 = PG / 512 - 1;
	os_ring_sq(1);
	ctrl_fetch(1);
	ctrl_post(1, 0, 0);
	ck_assert(!os_reap(1, &cid, &status));
	ck_assert(nvme_ops.pending(&dev));
	ctrl_interrupt();
	ck_assert(!nvme_ops.pending(&dev));
	ck_assert(os_reap(1, &cid, &status));
	ck_assert_uint_eq(cid, 0);
	/* Three laps: the hint holds across each wrap of the phase. */
	for (unsigned int i = 1; i < 3 * DEPTH; i++) {
		struct nvme_sqe *c = &os_view(1)[os.tail[1]];

		os_submit_read(1, i % DEPTH, 0);
		c->cdw12 = PG / 512 - 1;
		os_ring_sq(1);
		ctrl_fetch(1);
		ctrl_complete(1, i % DEPTH, 0);
		ck_assert(!nvme_ops.pending(&dev));
		ck_assert(os_reap(1, &cid, &status));
		ck_assert_uint_eq(cid, i % DEPTH);
		ck_assert(!os_reap(1, &cid, &status));
	}
	ck_assert(nvme_ops.drained(&dev));
}
END_TEST

START_TEST(direct_completions_reaped_at_doorbell)
{
	u16 cid, status;
	u32 dw3;

	/*
	 * The OS reads the controller's completion before the VMM saw it:
	 * the copied list's page is still taken, nothing traced, and the
	 * controller's CQ head waits for the OS's doorbell, where the VMM
	 * reaps first.
	 */
	fill_os_list();
	os_submit_read(1, 0x21, (u64)os.list);
	os_ring_sq(1);
	ctrl_run(1);
	memcpy(&dw3, (const u8 *)&os.cq[1][0] + 12, 4);
	ck_assert_uint_eq(dw3 & 0xffff, 0x21);
	ck_assert_uint_eq(dw3 >> 16 & 1, os.phase[1]);
	ck_assert(!nvme_ops.drained(&dev));
	ck_assert_uint_eq(fw.trace, 0);
	ck_assert_uint_eq(ctrl.cq_head[1], 0);
	os.head[1] = 1;
	os_access((u64)ctrl.bar + NVME_DOORBELLS + 12, 1, 4, true);
	ck_assert(nvme_ops.drained(&dev));
	ck_assert_uint_eq(fw.trace, 1);
	ck_assert_uint_eq(ctrl.cq_head[1], 1);
	/* Three laps, with the phase flipping at each wrap. */
	for (unsigned int i = 1; i < 3 * DEPTH; i++) {
		os_submit_read(1, i % DEPTH, (u64)os.list);
		os_ring_sq(1);
		ctrl_run(1);
		ck_assert(os_reap(1, &cid, &status));
		ck_assert_uint_eq(cid, i % DEPTH);
		ck_assert_uint_eq(status, 0);
		ck_assert(!os_reap(1, &cid, &status));
		ck_assert(nvme_ops.drained(&dev));
		ck_assert_uint_eq(ctrl.cq_head[1], os.head[1]);
	}
	ck_assert_uint_eq(fw.trace, 3 * DEPTH);
}
END_TEST

START_TEST(status_injection_needs_mediation)
{
	struct rtvirt_vmm_inject status = {
		.match = RTVIRT_VMM_INJECT_READS, .count = 1, .status = 0x281 };
	struct rtvirt_vmm_inject delay = {
		.match = RTVIRT_VMM_INJECT_READS, .count = 1, .delay_us = 10 };
	struct rtvirt_vmm_inject clear = { 0 };

	/* Direct, the OS reads the controller's status: none to change. */
	ck_assert_int_eq(nvme_ops.inject(&dev, &status),
			 mediated ? 0 : ERR_OPNOTSUPP);
	ck_assert_int_eq(nvme_ops.inject(&dev, &delay), 0);
	ck_assert_int_eq(nvme_ops.inject(&dev, &clear), 0);
}
END_TEST

START_TEST(list_rewritten_after_doorbell)
{
	struct nvme_sqe c;
	const u64 *list;
	u16 cid, status;

	fill_os_list();
	os_submit_read(1, 0x1005, (u64)os.list);
	os_ring_sq(1);
	ck_assert_uint_eq(ctrl.sq_tail[1], 1);
	/* The OS rewrites its list and its command before the fetch. */
	for (unsigned int i = 0; i < 3; i++)
		os.list[i] = canary;
	os_view(1)[0].prp1 = canary;
	os_view(1)[0].prp2 = canary;
	/* The controller reads the checked command and a copy of the list. */
	c = ctrl_fetch(1);
	ck_assert_uint_eq(c.opcode, OP_READ);
	ck_assert_uint_eq(c.cid, 0x1005);
	ck_assert_uint_eq(c.prp1, (u64)os.data);
	ck_assert_uint_ne(c.prp2, (u64)os.list);
	ck_assert(vmm_owns_range(c.prp2, 24));
	list = (const u64 *)c.prp2;
	for (unsigned int i = 0; i < 3; i++)
		ck_assert_uint_eq(list[i], (u64)os.data + (i + 1) * PG);
	/* Its completion reaches the OS; the copy's page is free again. */
	ctrl_complete(1, 0x1005, 0);
	ck_assert(os_reap(1, &cid, &status));
	ck_assert_uint_eq(cid, 0x1005);
	ck_assert_uint_eq(status, 0);
	ck_assert_uint_eq(ctrl.cq_head[1], 1);
	ck_assert(nvme_ops.drained(&dev));
}
END_TEST

START_TEST(list_into_vmm_refused)
{
	struct nvme_sqe c;
	u16 cid, status;

	os.list[0] = (u64)os.data + PG;
	os.list[1] = canary;
	os.list[2] = (u64)os.data + 3 * PG;
	os_submit_read(2, 7, (u64)os.list);
	os_ring_sq(2);
	/*
	 * The slot carries a flush instead, same identifier: mediated, one
	 * the controller runs, the VMM giving the error; direct, one of
	 * namespace 0, which the controller fails itself.
	 */
	ck_assert_uint_eq(ctrl.sq_tail[2], 1);
	ck_assert_uint_eq(os.sq[2][0].opcode, OP_FLUSH);
	ck_assert_uint_eq(os.sq[2][0].nsid, mediated ? 1 : 0);
	ck_assert_uint_eq(dev.stats.dma_refused, 1);
	/* Mediated, not drained until the OS sees the error the VMM gives. */
	ck_assert(nvme_ops.drained(&dev) == !mediated);
	c = ctrl_run(2);
	ck_assert_uint_eq(c.opcode, OP_FLUSH);
	ck_assert_uint_eq(c.cid, 7);
	ck_assert_uint_eq(c.prp1 | c.prp2, 0);
	ck_assert(os_reap(2, &cid, &status));
	ck_assert_uint_eq(cid, 7);
	ck_assert_uint_ne(status, 0);
	ck_assert(nvme_ops.drained(&dev));
}
END_TEST

START_TEST(real_queues_out_of_dma_reach)
{
	struct nvme_sqe c;
	u16 cid, status;

	/* A read into the real submission queue of queue 2. */
	os_submit_read(1, 3, 0);
	os_view(1)[0].prp1 = (u64)os.sq[2];
	os_view(1)[0].cdw12 = PG / 512 - 1;
	os_ring_sq(1);
	c = ctrl_run(1);
	ck_assert_uint_eq(c.opcode, OP_FLUSH);
	ck_assert(os_reap(1, &cid, &status));
	ck_assert_uint_ne(status, 0);
}
END_TEST

/*
 * Registers the module describes are checked before anything is used
 * (vdev_regs_ok(), at attach): malformed (not PCI's power-of-two size
 * aligned to itself) or in the VMM's memory they are refused (EINVAL),
 * beyond what the kernel reaches through the nested tables (a BAR at or
 * above 2^48 on a 4-level host) not served (EOPNOTSUPP); the NVMe model
 * wants two pages at least.
 */
START_TEST(attach_checks_registers)
{
	struct rtvirt_vmm_dev_info i = dev.info;
	struct vdev d2 = dev;

	ck_assert_int_eq(vdev_regs_ok(&i), 0);
	vmm_page = i.bar_pa + PG;
	ck_assert_int_eq(vdev_regs_ok(&i), ERR_INVAL);
	vmm_page = 0;
	i.bar_pa = 0;
	ck_assert_int_eq(vdev_regs_ok(&i), ERR_INVAL);
	i = dev.info;
	i.ecam_pa = canary;
	ck_assert_int_eq(vdev_regs_ok(&i), ERR_INVAL);
	i = dev.info;
	i.bar_size = ~0ULL - PG + 1;
	ck_assert_int_eq(vdev_regs_ok(&i), ERR_INVAL);
	i.bar_size = 3 * PG;
	ck_assert_int_eq(vdev_regs_ok(&i), ERR_INVAL);
	i.bar_size = PG / 2;
	ck_assert_int_eq(vdev_regs_ok(&i), ERR_INVAL);
	i = dev.info;
	i.bar_pa += PG;
	ck_assert_int_eq(vdev_regs_ok(&i), ERR_INVAL);
	i = dev.info;
	i.bar_pa += 8;
	ck_assert_int_eq(vdev_regs_ok(&i), ERR_INVAL);
	i = dev.info;
	i.ecam_pa = 0x1000 + 8;
	ck_assert_int_eq(vdev_regs_ok(&i), ERR_INVAL);
	i = dev.info;
	/* Beyond the identity map (reach_end) is no reason to refuse. */
	reach_end = i.bar_pa;
	ck_assert_int_eq(vdev_regs_ok(&i), 0);
	reach_end = ~0ULL;
	io_reach_end = i.bar_pa + PG;
	ck_assert_int_eq(vdev_regs_ok(&i), ERR_OPNOTSUPP);
	io_reach_end = i.bar_pa + BAR_SIZE;
	ck_assert_int_eq(vdev_regs_ok(&i), 0);
	i.ecam_pa = io_reach_end;
	ck_assert_int_eq(vdev_regs_ok(&i), ERR_OPNOTSUPP);
	io_reach_end = ~0ULL;
	d2.info.bar_size = PG;
	ck_assert_int_eq(nvme_ops.attach(&d2), ERR_INVAL);
}
END_TEST

START_TEST(pool_exhausted_waits)
{
	u16 cid, status;

	/*
	 * Commands with lists that do not complete: each holds a page of
	 * the pool (64) for its list's copy.  The 65th waits for one.
	 */
	fill_os_list();
	for (unsigned int i = 0; i < DEPTH - 1; i++)
		os_submit_read(1, i, (u64)os.list);
	os_ring_sq(1);
	ck_assert_uint_eq(ctrl.sq_tail[1], DEPTH - 1);
	os_submit_read(2, 100, (u64)os.list);
	os_submit_read(2, 101, (u64)os.list);
	os_ring_sq(2);
	ck_assert_uint_eq(ctrl.sq_tail[2], 1);
	ck_assert(!nvme_ops.drained(&dev));
	/* A completion on queue 1 frees a page: queue 2's goes out. */
	ctrl_fetch(1);
	ctrl_complete(1, 0, 0);
	ck_assert(os_reap(1, &cid, &status));
	ck_assert_uint_eq(ctrl.sq_tail[2], 2);
	ck_assert_uint_eq(os_view(2)[1].cid, 101);
	ck_assert_uint_ne(ctrl_fetch(2).prp2, (u64)os.list);
	ck_assert_uint_ne(ctrl_fetch(2).prp2, (u64)os.list);
	/* Everything completes: drained, every page back. */
	for (unsigned int i = 1; i < DEPTH - 1; i++) {
		ctrl_fetch(1);
		ctrl_complete(1, i, 0);
		ck_assert(os_reap(1, &cid, &status));
		ck_assert_uint_eq(cid, i);
	}
	ctrl_complete(2, 100, 0);
	ctrl_complete(2, 101, 0);
	ck_assert(os_reap(2, &cid, &status));
	ck_assert(os_reap(2, &cid, &status));
	ck_assert(nvme_ops.drained(&dev));
	for (unsigned int i = 0; i < DEPTH - 1; i++)
		os_submit_read(1, i, (u64)os.list);
	os_ring_sq(1);
	ck_assert_uint_eq(ctrl.sq_tail[1], (2 * (DEPTH - 1)) % DEPTH);
}
END_TEST

/* The OS's view of a page given as a view (shadow doorbells, indexes). */
static u32 *os_view_u32(void *page)
{
	struct trap *t = trap_at((u64)page);

	ck_assert_ptr_nonnull(t);
	ck_assert_uint_ne(t->view, 0);
	return (u32 *)t->view;
}

/*
 * The OS publishes an SQ tail as Linux's nvme_dbbuf_update_and_check_event()
 * does: the shadow doorbell, then the register if the event index asks.
 * Returns whether it rang the register.
 */
static bool os_publish_sq(unsigned int q)
{
	u32 *db = &os_view_u32(os.dbs)[2 * q];
	u16 old = *db, val = os.tail[q];
	u16 ei = os_view_u32(os.eis)[2 * q];

	*db = val;
	if ((u16)(val - ei - 1) >= (u16)(val - old))
		return false;
	os_ring_sq(q);
	return true;
}

/* The same for a CQ head (os.head), as nvme_ring_cq_doorbell() does. */
static bool os_publish_cq(unsigned int q)
{
	u32 *db = &os_view_u32(os.dbs)[2 * q + 1];
	u16 old = *db, val = os.head[q];
	u16 ei = os_view_u32(os.eis)[2 * q + 1];

	*db = val;
	if ((u16)(val - ei - 1) >= (u16)(val - old))
		return false;
	os_access((u64)ctrl.bar + NVME_DOORBELLS + 8 * q + 4, val, 4, true);
	return true;
}

static void submit_flushes(unsigned int q, unsigned int n, u16 cid)
{
	for (unsigned int i = 0; i < n; i++) {
		struct nvme_sqe *c = &os_view(q)[os.tail[q]];

		memset(c, 0, sizeof(*c));
		c->opcode = OP_FLUSH;
		c->cid = cid + i;
		c->nsid = 1;
		os.tail[q] = (os.tail[q] + 1) % DEPTH;
	}
}

START_TEST(shadow_cq_heads_ring_twice_a_lap)
{
	unsigned int laps = 4, rings = 0;
	u32 before;

	/*
	 * Direct completions with shadow doorbells: the driver rings its CQ
	 * head register once per half lap; the controller gets the heads in
	 * between from the real shadow doorbell at the queue's SQ tail exits,
	 * each only once the VMM has reaped up to it.
	 */
	for (unsigned int i = 0; i < laps * DEPTH; i++) {
		u32 dw3;

		submit_flushes(1, 1, i % DEPTH);
		ck_assert(os_publish_sq(1));
		/* The head the driver published last reached the controller. */
		ck_assert_uint_eq(os.dbs[3], os.head[1]);
		ctrl_run(1);
		memcpy(&dw3, (const u8 *)&os.cq[1][os.head[1]] + 12, 4);
		ck_assert_uint_eq(dw3 >> 16 & 1, os.phase[1]);
		ck_assert_uint_eq(dw3 & 0xffff, i % DEPTH);
		if (++os.head[1] == DEPTH) {
			os.head[1] = 0;
			os.phase[1] ^= 1;
		}
		rings += os_publish_cq(1);
	}
	ck_assert_uint_ge(rings, 2 * laps - 1);
	ck_assert_uint_le(rings, 2 * laps + 1);
	/*
	 * A shadow head beyond the completions is not passed on: the
	 * controller keeps the one it had (the driver's last, which it
	 * overwrote, never reached it).
	 */
	before = os.dbs[3];
	os_view_u32(os.dbs)[3] = (os.head[1] + 5) % DEPTH;
	submit_flushes(1, 1, 0);
	ck_assert(os_publish_sq(1));
	ck_assert_uint_eq(os.dbs[3], before);
	ck_assert_uint_eq(dev.stats.ios, laps * DEPTH + 1);
	/* That exit reaped the last completion too: each traced once. */
	ck_assert_uint_eq(fw.trace, laps * DEPTH);
}
END_TEST

/* An abandoned hand-back, as device.c runs it (RTVIRT_HB_ABORT). */
static void abort_handback(void)
{
	unsigned int n = dev.log_len;

	dev.holding = false;
	nvme_ops.resume(&dev);
	dev.log_len = 0;
	for (unsigned int i = 0; i < n; i++) {
		struct access a = dev.log[i];

		nvme_ops.access(&dev, trap_at(a.gpa), &a);
	}
	nvme_ops.poll(&dev);
}

START_TEST(held_doorbells_never_move_back)
{
	/*
	 * The event indexes make the OS ring the register at every update,
	 * held or not: the newest held tail is the driver's newest.  During
	 * a hand-back the OS publishes tails 2, 3 and 4.
	 */
	dev.holding = true;
	submit_flushes(1, 2, 10);
	ck_assert(os_publish_sq(1));
	submit_flushes(1, 1, 12);
	ck_assert(os_publish_sq(1));
	submit_flushes(1, 1, 13);
	ck_assert(os_publish_sq(1));
	ck_assert_uint_eq(ctrl.sq_tail[1], 0);		/* held */
	ck_assert_uint_eq(ctrl.rings, 0);
	/* The hand-back is abandoned: tail 4, never 2 after it. */
	abort_handback();
	ck_assert_uint_eq(ctrl.sq_tail[1], 4);
	ck_assert_uint_eq(ctrl.rings, 1);	/* one register write: the tail */
	ck_assert_uint_eq(os.dbs[2], 4);
	for (unsigned int i = 0; i < 4; i++)
		ck_assert_uint_eq(ctrl_fetch(1).cid, 10 + i);
	/* Not held: each update rings and reaches the controller. */
	submit_flushes(1, 1, 14);
	ck_assert(os_publish_sq(1));
	ck_assert_uint_eq(ctrl.sq_tail[1], 5);
	ck_assert_uint_eq(ctrl_fetch(1).cid, 14);
	/* Held again, then handed back: the controller gets tail 7. */
	dev.holding = true;
	submit_flushes(1, 1, 15);
	ck_assert(os_publish_sq(1));
	submit_flushes(1, 1, 16);
	ck_assert(os_publish_sq(1));
	ck_assert_uint_eq(ctrl.sq_tail[1], 5);
	nvme_ops.handback(&dev, 0);
	ck_assert_uint_eq(ctrl.sq_tail[1], 7);
	ck_assert_uint_eq(os.dbs[2], 7);
	ck_assert_uint_eq(ctrl_fetch(1).cid, 15);
	ck_assert_uint_eq(ctrl_fetch(1).cid, 16);
}
END_TEST

START_TEST(handback_takes_shadow_before_register)
{
	/*
	 * The hold's IPI stops the driver between its shadow doorbell write
	 * and the register write: the hand-back must give the real shadow
	 * doorbell, and so the controller, the tail the driver wrote (it takes
	 * its old position from there once native).
	 */
	dev.holding = true;
	submit_flushes(1, 2, 30);
	os_view_u32(os.dbs)[2] = os.tail[1];	/* no register write */
	ck_assert_uint_eq(ctrl.sq_tail[1], 0);
	nvme_ops.handback(&dev, 0);
	nvme_ops.handed_back(&dev);
	ck_assert_uint_eq(os.dbs[2], 2);
	ck_assert_uint_eq(ctrl.sq_tail[1], 2);
	ck_assert_uint_eq(ctrl_fetch(1).cid, 30);
	ck_assert_uint_eq(ctrl_fetch(1).cid, 31);
}
END_TEST

START_TEST(held_doorbells_after_mode_change_keep_order)
{
	struct access a = { .gpa = (u64)ctrl.bar + NVME_REG_CC, .size = 4,
			    .write = true, .val = 0, .kind = TRAP_REGISTER };

	/* The OS disables the controller: what follows is logged in order. */
	dev.holding = true;
	vdev_hold(&dev, &a);
	submit_flushes(1, 1, 20);
	ck_assert(os_publish_sq(1));
	ck_assert_uint_eq(dev.log_len, 2);
	ck_assert_uint_eq(dev.log[1].gpa, (u64)ctrl.bar + NVME_DOORBELLS + 8);
	ck_assert_uint_eq(ctrl.sq_tail[1], 0);
}
END_TEST

/* A read of @blocks blocks of namespace 2 with its metadata at @mptr. */
static void os_submit_ns2_read(unsigned int q, u16 cid, u32 blocks,
			       u64 mptr, u32 prinfo)
{
	struct nvme_sqe *c = &os_view(q)[os.tail[q]];

	memset(c, 0, sizeof(*c));
	c->opcode = OP_READ;
	c->cid = cid;
	c->nsid = 2;
	c->cdw12 = prinfo << 26 | (blocks - 1);
	c->prp1 = (u64)os.data;
	c->prp2 = (u64)os.data + PG;	/* the second block's */
	c->mptr = mptr;
	os.tail[q] = (os.tail[q] + 1) % DEPTH;
}

START_TEST(metadata_buffer_checked_whole)
{
	u64 vmm = (u64)os.data + 3 * PG, mptr = vmm - 12;

	/* The last data page is the VMM's; the metadata ends 12 bytes
	 * before it: 1 block (8 bytes) fits, 2 blocks (16 bytes) do not. */
	vmm_page = vmm;
	os_submit_ns2_read(1, 21, 1, mptr, 0);
	os_submit_ns2_read(1, 22, 2, mptr, 0);
	os_ring_sq(1);
	ck_assert_uint_eq(ctrl_fetch(1).opcode, OP_READ);	/* 8 bytes */
	ck_assert_uint_eq(ctrl_fetch(1).opcode, OP_FLUSH);	/* 16 */
	ck_assert_uint_eq(dev.stats.dma_refused, 1);
	/* PRACT with metadata that is all PI: the controller moves none. */
	os_submit_ns2_read(1, 23, 2, mptr, 0x8);
	os_ring_sq(1);
	ck_assert_uint_eq(ctrl_fetch(1).opcode, OP_READ);
	ck_assert_uint_eq(dev.stats.dma_refused, 1);
	vmm_page = 0;
}
END_TEST

START_TEST(unknown_namespace_refused)
{
	struct nvme_sqe c;
	u16 cid, status;

	os_submit_read(1, 31, 0);
	os_view(1)[0].nsid = 3;
	os_view(1)[0].cdw12 = 0;
	os_ring_sq(1);
	c = ctrl_run(1);
	ck_assert_uint_eq(c.opcode, OP_FLUSH);
	ck_assert(os_reap(1, &cid, &status));
	ck_assert_uint_eq(cid, 31);
	ck_assert_uint_eq(status, STATUS_DNR | STATUS_INVALID_NS);
}
END_TEST

START_TEST(format_asks_for_handback)
{
	struct nvme_sqe *c = &((struct nvme_sqe *)trap_at((u64)os.asq)->view)[0];

	/* Format NVM changes a namespace's format: held, hand-back asked. */
	memset(c, 0, sizeof(*c));
	c->opcode = ADM_FORMAT_NVM;
	c->cid = 5;
	c->nsid = 1;
	os_access((u64)ctrl.bar + NVME_DOORBELLS, 1, 4, true);
	ck_assert(dev.handback_wanted);
	ck_assert_uint_eq(dev.log_len, 1);
	ck_assert_uint_eq(*(u32 *)(ctrl.bar + NVME_DOORBELLS), 0);
}
END_TEST

START_TEST(handback_copies_views)
{
	fill_os_list();
	os_submit_read(1, 1, (u64)os.list);
	os_ring_sq(1);
	/* Written but not published: must reach the real queue at hand-back. */
	os_submit_read(1, 2, 0);
	os_view(1)[1].cdw12 = PG / 512 - 1;
	ck_assert(!nvme_ops.drained(&dev));	/* the copy is in use */
	ctrl_fetch(1);
	ctrl_complete(1, 1, 0);
	nvme_ops.poll(&dev);
	ck_assert(nvme_ops.drained(&dev));
	nvme_ops.handback(&dev, 0);
	ck_assert_int_eq(memcmp(os.sq[1], os_view(1), DEPTH * 64), 0);
	/* The completion the OS has not read is in the real queue. */
	ck_assert_uint_eq(os.cq[1][0].cid, 1);
	ck_assert_uint_eq(os.cq[1][0].status & 1, 1);
}
END_TEST

START_TEST(handback_copies_to_driver_tail)
{
	struct rtvirt_vmm_nvme_layout *l = os_page(1);
	struct nvme_sqe junk;

	/* Queue 2: two entries written, not published; the driver's tail
	 * says 2, and the slot there may be half written. */
	os_submit_read(2, 11, 0);
	os_submit_read(2, 12, 0);
	memset(&junk, 0xa5, sizeof(junk));
	os_view(2)[2] = junk;
	os_view(2)[3] = junk;		/* beyond: not the driver's */
	memcpy(l, os.layout, os.layout_len);
	l->q[0].next_tail = 0;
	l->q[1].next_tail = 0;
	l->q[2].next_tail = 2;
	ck_assert(nvme_ops.drained(&dev));
	nvme_ops.handback(&dev, (u64)l);
	ck_assert_uint_eq(os.sq[2][0].cid, 11);
	ck_assert_uint_eq(os.sq[2][1].cid, 12);
	ck_assert_int_eq(memcmp(&os.sq[2][2], &junk, 64), 0);
	ck_assert_uint_eq(os.sq[2][3].cid, 0);	/* left as it was */
	/* A state the VMM cannot use (a tail beyond the queue): all of it. */
	l->q[2].next_tail = DEPTH;
	nvme_ops.handback(&dev, (u64)l);
	ck_assert_int_eq(memcmp(&os.sq[2][3], &junk, 64), 0);
	free(l);
}
END_TEST

/* Which configuration writes a model holds during a hand-back. */
START_TEST(pci_config_writes_held)
{
	/* COMMAND with memory and master on (other bits free): passes. */
	ck_assert(!pci_config_write_changes_device(PCI_COMMAND, 2, 0x0406));
	ck_assert(!pci_config_write_changes_device(PCI_COMMAND, 2, 0x0006));
	/* Decoding or mastering off, also with STATUS in a dword write. */
	ck_assert(pci_config_write_changes_device(PCI_COMMAND, 2, 0x0004));
	ck_assert(pci_config_write_changes_device(PCI_COMMAND, 1, 0x02));
	ck_assert(pci_config_write_changes_device(PCI_COMMAND, 4, 0xffff0002ULL));
	ck_assert(!pci_config_write_changes_device(PCI_COMMAND, 4, 0xffff0006ULL));
	/* Vendor and device ID: no command bits. */
	ck_assert(!pci_config_write_changes_device(0, 4, 0));
	/* Any byte of a BAR; not the bytes around them. */
	ck_assert(pci_config_write_changes_device(PCI_BAR0, 4, ~0ULL));
	ck_assert(pci_config_write_changes_device(PCI_BAR_END - 1, 1, 0));
	ck_assert(pci_config_write_changes_device(0x0c, 8, 0));
	ck_assert(!pci_config_write_changes_device(0x0c, 4, 0));
	ck_assert(!pci_config_write_changes_device(PCI_BAR_END, 4, 0));
	ck_assert(!pci_config_write_changes_device(0x06, 2, 0xffff));
}
END_TEST

/*
 * The interrupt path without the device lock: two CPUs take the device's
 * interrupts and reap (vdev_interrupt(), no lock) while a third submits
 * reads with PRP lists and consumes completions through the trapped
 * doorbells (with the device lock, a mutex here); the fake controller
 * completes every command at once.  Every command must complete exactly
 * once and in order, each copied list page must come back, and the
 * trace must count each command once.
 */
#define RACE_IOS	20000
#define RACE_DEPTH	16

static pthread_mutex_t dev_lock = PTHREAD_MUTEX_INITIALIZER;
static int race_done;

static void *race_interrupts(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&race_done, __ATOMIC_ACQUIRE)) {
		ctrl_interrupt();
		sched_yield();	/* for machines with fewer CPUs than threads */
	}
	return NULL;
}

static u64 os_access_locked(u64 gpa, u64 val, unsigned int size, bool write)
{
	u64 ret;

	pthread_mutex_lock(&dev_lock);
	ret = os_access(gpa, val, size, write);
	pthread_mutex_unlock(&dev_lock);
	return ret;
}

START_TEST(interrupts_reap_without_device_lock)
{
	unsigned int sent = 0, done = 0, bad = 0;
	unsigned long long spins = 0;
	pthread_t cpu[2];

	fill_os_list();
	for (unsigned int i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&cpu[i], NULL, race_interrupts,
						NULL), 0);
	while (done < RACE_IOS && spins < 2000000000ULL) {
		u32 dw3;

		/* The OS submits up to RACE_DEPTH reads, each with a list. */
		if (sent < RACE_IOS && sent - done < RACE_DEPTH) {
			os_submit_read(1, sent % 4096, (u64)os.list);
			os_access_locked((u64)ctrl.bar + NVME_DOORBELLS + 8,
					 os.tail[1], 4, true);
			sent++;
		}
		/* The controller runs what it was given. */
		while (ctrl.fetched[1] != ctrl.sq_tail[1]) {
			struct nvme_sqe c = ctrl_fetch(1);

			bad += c.prp2 == (u64)os.list;	/* must be a copy */
			ctrl_post(1, c.cid, 0);
		}
		/* The OS consumes what the interrupts posted to its view. */
		memcpy(&dw3, (const u8 *)&os_cq_view(1)[os.head[1]] + 12, 4);
		if ((dw3 >> 16 & 1) != os.phase[1]) {
			spins++;
			continue;
		}
		bad += (dw3 & 0xffff) != done % 4096 || dw3 >> 17;
		done++;
		if (++os.head[1] == DEPTH) {
			os.head[1] = 0;
			os.phase[1] ^= 1;
		}
		os_access_locked((u64)ctrl.bar + NVME_DOORBELLS + 12,
				 os.head[1], 4, true);
	}
	__atomic_store_n(&race_done, 1, __ATOMIC_RELEASE);
	for (unsigned int i = 0; i < 2; i++)
		pthread_join(cpu[i], NULL);
	ck_assert_uint_eq(done, RACE_IOS);
	ck_assert_uint_eq(bad, 0);
	ck_assert_uint_eq(dev.stats.ios, RACE_IOS);
	ck_assert_uint_eq(fw.trace, RACE_IOS);
	/* Every copy page is free again: a full queue of lists fits. */
	ck_assert(nvme_ops.drained(&dev));
}
END_TEST

/* The tests of both modes, in a test case of each. */
static void add_common(TCase *tc)
{
	tcase_add_test(tc, views_and_traps);
	tcase_add_test(tc, list_rewritten_after_doorbell);
	tcase_add_test(tc, list_into_vmm_refused);
	tcase_add_test(tc, real_queues_out_of_dma_reach);
	tcase_add_test(tc, attach_checks_registers);
	tcase_add_test(tc, pool_exhausted_waits);
	tcase_add_test(tc, held_doorbells_never_move_back);
	tcase_add_test(tc, held_doorbells_after_mode_change_keep_order);
	tcase_add_test(tc, handback_takes_shadow_before_register);
	tcase_add_test(tc, metadata_buffer_checked_whole);
	tcase_add_test(tc, unknown_namespace_refused);
	tcase_add_test(tc, format_asks_for_handback);
	tcase_add_test(tc, handback_copies_views);
	tcase_add_test(tc, handback_copies_to_driver_tail);
	tcase_add_test(tc, status_injection_needs_mediation);
}

static Suite *nvme_model_suite(void)
{
	Suite *s = suite_create("nvme_model");
	TCase *tc = tcase_create("mediated");
	TCase *td = tcase_create("direct");

	tcase_add_checked_fixture(tc, setup_mediated, teardown);
	add_common(tc);
	tcase_add_test(tc, pci_config_writes_held);
	tcase_add_test(tc, interrupt_posts_completions);
	tcase_add_test(tc, interrupts_reap_without_device_lock);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(td, setup_direct, teardown);
	add_common(td);
	tcase_add_test(td, direct_completions_reaped_at_doorbell);
	tcase_add_test(td, shadow_cq_heads_ring_twice_a_lap);
	tcase_set_timeout(td, 60);
	suite_add_tcase(s, td);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(nvme_model_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
