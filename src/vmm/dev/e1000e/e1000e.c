// SPDX-License-Identifier: GPL-2.0
/*
 * Intel 82574 (e1000e) NIC model.
 *
 * While virtualized, the controller's descriptor rings are the VMM's: the
 * ring base registers point at the VMM's shadow rings, one per direction,
 * as long as the OS's and slot for slot the same (e1000e_ring.c).  The
 * register pages up to the transmit registers (0x0000-0x3fff: general
 * registers with the 82542-compatible aliases of the ring registers,
 * receive and transmit registers of both queues) are trapped; the OS
 * reads the ring base and length it wrote, and the controller's own heads,
 * which mean the same in both rings.  A tail
 * write copies the OS's new descriptors into the shadow, checked, before
 * the controller is given the tail: one exit per batch of descriptors.
 * Every interrupt exits while the NIC is virtualized, and the VMM copies
 * the controller's write-backs (transmit status, received descriptors)
 * into the OS's ring before the OS's handler runs: one exit per
 * interrupt (and one more where the driver unmasks it in those pages,
 * IMS).  Received frames land in the OS's buffers directly (their
 * addresses checked at the tail write); transmitted ones are read from
 * the OS's buffers.  Every other register is the controller's own: the
 * trapped ones are passed on, the rest (filters, statistics, MSI-X) are
 * not trapped; none of them moves DMA.  Every register answers through
 * the I/O BAR too (IOADDR, IODATA; Linux's e1000 resets an 82540 there):
 * its ports are trapped and served from the memory BAR, through the same
 * checks, as long as the OS has I/O decoding on, as the device would.
 *
 * The OS's driver may program its rings anew while virtualized (after a
 * reset, an MTU change, link down and up): a device reset (CTRL.RST)
 * stops the VMM's use of the rings, the trapped base and length writes
 * move the shadow to the new ring, a head write restarts the positions.
 * Packet-split receive descriptors (32 bytes, four buffers: an MTU above
 * 1500) are served like the others, each buffer checked for its size.  A
 * mode the model does not serve (a reserved descriptor type, the second
 * queue, a ring the shadow cannot hold), a receive mode change under
 * posted buffers, or a configuration write that turns off decoding or
 * bus mastering is held, and the module hands the NIC back (vdev_hold()).
 *
 * Takeover and hand-back run with every other CPU held: receive and
 * transmit are turned off (RCTL.EN, TCTL.EN), pending write-backs
 * flushed (FPD) and the heads left to settle (quiesce()), the rings
 * switched (the shadow filled from the OS's ring;
 * or the last write-backs copied out), and both turned on again.  Frames
 * that arrive in that window are dropped by the controller and counted in
 * its missed-packet statistics.  No drain is needed: descriptors the
 * controller holds at a hand-back are in the OS's ring too, in the same
 * slots.
 *
 * Locking: each ring has its own lock; trapped accesses come with the
 * device framework's lock, the interrupt path (e1000e_poll()) without it.
 */
#include <vmm/capture.h>
#include <vmm/device.h>
#include <vmm/e1000e_ring.h>
#include <vmm/format.h>
#include <vmm/log.h>
#include <vmm/pci.h>
#include <vmm/vmm.h>

#define RING_MAX	4096	/* descriptors: e1000e's largest ring */
#define SINK_BYTES	16384	/* the largest receive buffer (BSEX) */

/**
 * struct cap_pos - where a ring's capture stands
 * @start:	first slot of the frame not yet captured
 * @next:	the slot the next batch should start at for @start to hold;
 *		a batch elsewhere (the ring was reset or moved) starts anew
 */
struct cap_pos {
	u32 start;
	u32 next;
};

/**
 * struct frame_faults - fault injection on frames (RTVIRT_HC_DEV_INJECT)
 * @match:	RTVIRT_VMM_INJECT_TX and/or _RX; 0 when none is set
 * @action:	RTVIRT_VMM_INJECT_DROP, _CORRUPT (receive only) or _DELAY
 * @probability: of each matching frame, in millionths
 * @delay:	_DELAY: how long a frame is held, in TSC cycles
 * @left:	frames still to affect
 * @rng:	xorshift64 state for @probability
 * @lock:	serialises the above (both rings' paths pick)
 */
struct frame_faults {
	u32 match;
	u32 action;
	u32 probability;
	u64 delay;
	u64 left;
	u64 rng;
	int lock;
};

/**
 * struct frame_hold - a frame fault injection delays, in one ring
 * @on:		a frame is held
 * @slot:	its first slot, where the ring stops: the controller's
 *		transmit tail, or the receive completions the OS gets
 * @next:	the slot after its last one, where picking goes on once it
 *		is released
 * @until:	TSC from which it is released
 *
 * The rings complete in order, so the frames behind a held one wait for
 * it; one frame is held at a time per ring.
 */
struct frame_hold {
	bool on;
	u32 slot;
	u32 next;
	u64 until;
};

/**
 * struct e1000e - the model's state of one NIC
 * @bar:	register BAR
 * @rx:		receive ring 0
 * @tx:		transmit ring 0
 * @rx_check:	what receive buffers may be, and their sink
 * @tx_check:	what transmit buffers may be, and their (zeroed) sink
 * @os_rdba:	receive ring base and length as the OS wrote them
 * @os_rdlen:
 * @os_tdba:	the same for transmit
 * @os_tdlen:
 * @os_rdt:	the receive tail the OS wrote last
 * @os_tdt:	the transmit tail the OS wrote last
 * @extended:	extended receive descriptors (RFCTL.EXTEN), as last seen
 * @rx_checked:	per buffer of a descriptor, the smallest size the receive
 *		buffers the controller holds were checked for (under
 *		@rx.lock)
 * @live:	virtualized: the interrupt path may copy write-backs
 * @rx_n:	receive counts (under @rx.lock)
 * @tx_n:	transmit counts (under @tx.lock)
 * @anomalies:	anomalies logged (the first 8 are)
 * @refusal:	why the last takeover was refused, or ""
 * @rx_buf:	per receive slot, the buffer the controller was given (the
 *		write-back overwrites it in the shadow), for the capture
 * @ps_buf:	the same for a packet-split ring, four per slot (allocated
 *		the first time the OS uses one)
 * @tx_cap:	the capture's place in the transmit ring (under @tx.lock)
 * @rx_cap:	the same in the receive ring (under @rx.lock)
 * @faults:	fault injection on frames
 * @tx_hold:	a transmitted frame held back (under @tx.lock)
 * @rx_hold:	a received frame held back (under @rx.lock)
 * @io_port:	the I/O BAR's first port and ports (0: none)
 * @io_size:
 * @io_on:	the OS has I/O decoding on (PCI command register)
 * @ioaddr:	IOADDR as the OS wrote it
 */
struct e1000e {
	u64 bar;
	struct e1000_ring rx;
	struct e1000_ring tx;
	struct e1000_check rx_check;
	struct e1000_check tx_check;
	u64 os_rdba;
	u32 os_rdlen;
	u64 os_tdba;
	u32 os_tdlen;
	u32 os_rdt;
	u32 os_tdt;
	bool extended;
	u32 rx_checked[E1000_PS_BUFFERS];
	bool live;
	struct e1000_counts rx_n;
	struct e1000_counts tx_n;
	unsigned int anomalies;
	char refusal[sizeof(((struct rtvirt_vmm_e1000e_state *)0)->refusal)];
	u64 rx_buf[RING_MAX];
	u64 (*ps_buf)[E1000_PS_BUFFERS];
	struct cap_pos tx_cap;
	struct cap_pos rx_cap;
	struct frame_faults faults;
	struct frame_hold tx_hold;
	struct frame_hold rx_hold;
	u16 io_port;
	u16 io_size;
	bool io_on;
	u32 ioaddr;
};

static struct e1000e *to_e1000e(struct vdev *d)
{
	return d->model;
}

static u32 rd(const struct e1000e *e, u32 off)
{
	return (u32)vdev_mmio_read(e->bar + off, 4);
}

static void wr(const struct e1000e *e, u32 off, u32 val)
{
	vdev_mmio_write(e->bar + off, val, 4);
}

/* Whether [pa, pa + len) is RAM the OS may give the controller. */
static bool os_memory(u64 pa, u64 len)
{
	return pa && len && pa + len > pa && vmm_reaches(pa, len) &&
	       !vmm_owns_range(pa, len);
}

/* Whether one more anomaly may be logged (the first 8 are). */
static bool anomaly(struct e1000e *e)
{
	return __atomic_fetch_add(&e->anomalies, 1, __ATOMIC_RELAXED) < 8;
}

static void count(unsigned long long *c, unsigned long long n)
{
	__atomic_add_fetch(c, n, __ATOMIC_RELAXED);
}

static void log_refusal(struct vdev *d, const char *why)
{
	struct e1000e *e = to_e1000e(d);

	vmm_snprintf(e->refusal, sizeof(e->refusal), "%s", why);
	vmm_log("e1000e %02x:%02x.%x: takeover refused: %s\n",
		d->info.bdf >> 8, (d->info.bdf >> 3) & 0x1f, d->info.bdf & 7,
		why);
}

static void *alloc_pa(u64 bytes, u64 *pa)
{
	return vmm_alloc_pages((bytes + PT_PAGE_SIZE - 1) / PT_PAGE_SIZE, pa);
}

static int ring_alloc(struct e1000_ring *r)
{
	u64 pa;

	r->shadow = alloc_pa(RING_MAX * 16ULL, &r->shadow_pa);
	r->refused = alloc_pa(RING_MAX, &pa);
	r->cap = RING_MAX;
	return r->shadow && r->refused ? 0 : ERR_NOMEM;
}

static int e1000e_attach(struct vdev *d)
{
	struct e1000e *e;
	u64 pa;

	/* The ring registers end at 0x4000 (vdev_regs_ok() checked the rest). */
	if (d->info.bar_size < E1000_TRAPPED_REGS ||
	    (d->info.io_size && d->info.io_size < E1000_IO_BAR_MIN))
		return ERR_INVAL;
	e = alloc_pa(sizeof(*e), &pa);
	if (!e || ring_alloc(&e->rx) || ring_alloc(&e->tx))
		return ERR_NOMEM;
	e->rx_check.mem_ok = os_memory;
	e->tx_check.mem_ok = os_memory;
	e->rx_check.sink_len = SINK_BYTES;
	e->tx_check.sink_len = SINK_BYTES;
	if (!alloc_pa(SINK_BYTES, &e->rx_check.sink_pa) ||
	    !alloc_pa(SINK_BYTES, &e->tx_check.sink_pa))
		return ERR_NOMEM;
	e->bar = d->info.bar_pa;
	e->io_port = (u16)d->info.io_port;
	e->io_size = (u16)d->info.io_size;
	d->model = e;
	return 0;
}

/*
 * Ring @r starts anew (taken, reset or moved): the capture's place in it
 * and a frame it held back are forgotten.
 */
static void ring_forget(struct e1000e *e, const struct e1000_ring *r)
{
	struct cap_pos *p = r == &e->rx ? &e->rx_cap : &e->tx_cap;

	p->next = ~0U;
	(r == &e->rx ? &e->rx_hold : &e->tx_hold)->on = false;
}

/* Add @len bytes at @pa; zeros where it is not the OS's (the sink). */
static void capture_bytes(struct vdev *d, u64 pa, u32 len)
{
	vdev_capture_add(&d->capture, os_memory(pa, len) ? (void *)pa : NULL,
			 len);
}

/* Capture the frame of transmit slots [@first, @last]. */
static void capture_tx_frame(struct vdev *d, const struct e1000_ring *r,
			     u32 first, u32 last, u64 tsc)
{
	const struct e1000_tx_desc *s = r->shadow;
	u32 len = 0, end = (last + 1) % r->count;

	for (u32 i = first; i != end; i = (i + 1) % r->count)
		len += e1000_txd_data_len(s[i].lower);
	if (!vdev_capture_begin(&d->capture, RTVIRT_VMM_CAPTURE_TX, len, tsc))
		return;
	for (u32 i = first; i != end; i = (i + 1) % r->count) {
		u32 n = e1000_txd_data_len(s[i].lower);

		if (n)
			capture_bytes(d, s[i].addr, n);
	}
	vdev_capture_end(&d->capture);
}

/*
 * Capture the frames whose last descriptor is in the batch [@from, @to)
 * just given to the controller; a frame begun in an earlier batch starts
 * where that batch left it.
 */
static void capture_tx(struct vdev *d, const struct e1000_ring *r,
		       u32 from, u32 to, u64 tsc)
{
	struct e1000e *e = to_e1000e(d);
	const struct e1000_tx_desc *s = r->shadow;
	u32 start = e->tx_cap.next == from ? e->tx_cap.start : from;

	for (u32 i = from; i != to; i = (i + 1) % r->count) {
		if (!e1000_txd_eop(s[i].lower))
			continue;
		capture_tx_frame(d, r, start, i, tsc);
		start = (i + 1) % r->count;
	}
	e->tx_cap.start = start;
	e->tx_cap.next = to;
}

static bool rx_ps(const struct e1000e *e)
{
	return e->rx.desc_size == E1000_PS_DESC_SIZE;
}

/*
 * The slot a head or tail register value of ring @r means: the registers
 * count 16 bytes, so a packet-split slot is two (Linux's driver writes
 * its tail shifted left by one).  ~0U for a value inside a slot.
 */
static u32 reg_slot(const struct e1000_ring *r, u32 val)
{
	u32 units = r->desc_size / 16;

	return val % units ? ~0U : val / units;
}

/* Receive slot @i of the shadow (two descriptors for packet split). */
static struct e1000_rx_desc *rx_shadow(const struct e1000e *e, u32 i)
{
	return (struct e1000_rx_desc *)((u8 *)e->rx.shadow +
					(u64)i * e->rx.desc_size);
}

/*
 * Remember the buffers of receive slots [@from, @to) as the shadow has
 * them: none for a refused slot; a packet-split slot's unused buffers
 * point at the sink and are never written.
 */
static void note_rx_bufs(struct e1000e *e, u32 from, u32 to)
{
	for (u32 i = from; i != to; i = (i + 1) % e->rx.count) {
		const struct e1000_rx_desc *s = rx_shadow(e, i);
		bool ok = !e->rx.refused[i];

		if (!rx_ps(e)) {
			e->rx_buf[i] = ok ? s->addr : 0;
			continue;
		}
		e->ps_buf[i][0] = ok ? s[0].addr : 0;
		e->ps_buf[i][1] = ok ? s[0].wb : 0;
		e->ps_buf[i][2] = ok ? s[1].addr : 0;
		e->ps_buf[i][3] = ok ? s[1].wb : 0;
	}
}

/*
 * Status and length of a receive write-back, in any format; @lens gets
 * the bytes in each buffer (one, or four for packet split).
 */
static void rx_wb(const struct e1000e *e, u32 i, u32 *status, u32 *len,
		  u32 *lens)
{
	const struct e1000_rx_desc *s = rx_shadow(e, i);
	bool ext = e->extended || rx_ps(e);

	*status = ext ? s->wb_lo : s->wb_hi;
	lens[0] = (ext ? s->wb_hi : s->wb_lo) & 0xffff;
	*len = lens[0];
	lens[1] = lens[2] = lens[3] = 0;
	if (!rx_ps(e))
		return;
	for (unsigned int j = 1; j < E1000_PS_BUFFERS; j++) {
		lens[j] = e1000_ps_data_len(s[1].addr, j - 1);
		*len += lens[j];
	}
}

/* Buffer @j of receive slot @i as the controller got it, or 0. */
static u64 rx_buffer(const struct e1000e *e, u32 i, unsigned int j)
{
	if (rx_ps(e))
		return e->ps_buf[i][j];
	return j ? 0 : e->rx_buf[i];
}

/* Capture the frames completed in receive slots [@from, @to). */
static void capture_rx(struct vdev *d, u32 from, u32 to, u64 tsc)
{
	struct e1000e *e = to_e1000e(d);
	u32 start = e->rx_cap.next == from ? e->rx_cap.start : from;
	u32 n = e->rx.count, status, len, total, lens[E1000_PS_BUFFERS];

	for (u32 i = from; i != to; i = (i + 1) % n) {
		rx_wb(e, i, &status, &len, lens);
		if (!(status & E1000_RXD_STAT_EOP))
			continue;
		total = 0;
		for (u32 j = start; j != (i + 1) % n; j = (j + 1) % n) {
			rx_wb(e, j, &status, &len, lens);
			total += len;
		}
		if (vdev_capture_begin(&d->capture, RTVIRT_VMM_CAPTURE_RX,
				       total, tsc)) {
			for (u32 j = start; j != (i + 1) % n; j = (j + 1) % n) {
				rx_wb(e, j, &status, &len, lens);
				for (unsigned int b = 0; b < E1000_PS_BUFFERS &&
				     len; len -= lens[b], b++) {
					u64 buf = rx_buffer(e, j, b);

					if (buf)
						capture_bytes(d, buf, lens[b]);
					else
						vdev_capture_add(&d->capture,
								 NULL, lens[b]);
				}
			}
			vdev_capture_end(&d->capture);
		}
		start = (i + 1) % n;
	}
	e->rx_cap.start = start;
	e->rx_cap.next = to;
}

/* Whether this frame of direction @dir is one fault injection takes. */
static bool fault_pick(struct vdev *d, u32 dir)
{
	struct frame_faults *f = &to_e1000e(d)->faults;
	bool hit = false;

	if (!(__atomic_load_n(&f->match, __ATOMIC_RELAXED) & dir))
		return false;
	spin_lock(&f->lock);
	if ((f->match & dir) && f->left) {
		f->rng ^= f->rng << 13;
		f->rng ^= f->rng >> 7;
		f->rng ^= f->rng << 17;
		hit = f->probability >= RTVIRT_VMM_INJECT_ALWAYS ||
		      f->rng % RTVIRT_VMM_INJECT_ALWAYS < f->probability;
		if (hit && !--f->left)
			__atomic_store_n(&f->match, 0, __ATOMIC_RELAXED);
	}
	spin_unlock(&f->lock);
	if (hit)
		count(&d->stats.injected, 1);
	return hit;
}

/* Hold the frame of slots [@slot, @next) of a ring back (its lock held). */
static void hold(struct vdev *d, struct frame_hold *h, u32 slot, u32 next)
{
	h->on = true;
	h->slot = slot;
	h->next = next;
	h->until = rdtsc() + to_e1000e(d)->faults.delay;
}

/* Whether @h holds a frame whose delay has not run out. */
static bool holding(const struct frame_hold *h)
{
	return h->on && (s64)(rdtsc() - h->until) < 0;
}

/*
 * No more faults; frames held back are released at the next poll (the
 * transmit one at once by a hand-back, which gives the controller the
 * OS's tail).
 */
static void faults_clear(struct e1000e *e)
{
	spin_lock(&e->faults.lock);
	__atomic_store_n(&e->faults.match, 0, __ATOMIC_RELAXED);
	e->faults.left = 0;
	spin_unlock(&e->faults.lock);
	spin_lock(&e->tx.lock);
	e->tx_hold.until = 0;
	spin_unlock(&e->tx.lock);
	spin_lock(&e->rx.lock);
	e->rx_hold.until = 0;
	spin_unlock(&e->rx.lock);
}

/*
 * Fault injection on the frames that begin in transmit slots [@from,
 * @to), before the controller gets them.  A dropped frame's data
 * descriptors read the VMM's zeroed sink instead, so what goes on the
 * wire has the destination 00:00:00:00:00:00, which no station accepts.
 * A delayed frame is held back: the controller's tail stops at its first
 * slot until the delay runs out (tx_release()).  A frame begun in an
 * earlier batch (the slot before @from a data descriptor without end of
 * packet) went to the controller in part already and is left alone.
 *
 * Return: the slot the controller's tail may go to: @to, or the first
 * slot of the frame held back.
 */
static u32 fault_tx(struct vdev *d, struct e1000_ring *r, u32 from, u32 to)
{
	struct e1000e *e = to_e1000e(d);
	struct e1000_tx_desc *s = r->shadow;
	u32 prev = from ? from - 1 : r->count - 1, start = from;
	bool open = e1000_txd_is_data(s[prev].lower) &&
		    !e1000_txd_eop(s[prev].lower);

	for (u32 i = from; i != to; i = (i + 1) % r->count) {
		if (!e1000_txd_eop(s[i].lower))
			continue;
		if (!open && fault_pick(d, RTVIRT_VMM_INJECT_TX)) {
			if (e->faults.action == RTVIRT_VMM_INJECT_DELAY) {
				hold(d, &e->tx_hold, start, (i + 1) % r->count);
				return start;
			}
			for (u32 j = start; j != (i + 1) % r->count;
			     j = (j + 1) % r->count)
				if (e1000_txd_data_len(s[j].lower))
					e1000_tx_sink(&s[j], &e->tx_check);
		}
		open = false;
		start = (i + 1) % r->count;
	}
	return to;
}

/* Give the controller transmit slots [@from, @to), and capture them. */
static void tx_give(struct vdev *d, struct e1000_ring *r, u32 from, u32 to)
{
	u64 tsc = rdtsc();

	if (from == to)
		return;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	wr(to_e1000e(d), E1000_TDT, to);
	if (vdev_capture_on(&d->capture))
		capture_tx(d, r, from, to, tsc);
}

/*
 * The transmit ring's lock held: if the frame held back is due, give it
 * and what waited behind it to the controller, up to the next frame
 * fault injection holds back.
 */
static void tx_release(struct vdev *d)
{
	struct e1000e *e = to_e1000e(d);
	struct frame_hold *h = &e->tx_hold;
	struct e1000_ring *r = &e->tx;
	u32 to = r->tail;

	if (!h->on || holding(h))
		return;
	h->on = false;
	if (__atomic_load_n(&e->faults.match, __ATOMIC_RELAXED) &
	    RTVIRT_VMM_INJECT_TX)
		to = fault_tx(d, r, h->next, r->tail);
	tx_give(d, r, h->slot, to);
}

/*
 * Before the receive write-backs go to the OS: the complete frames fault
 * injection picks among them are dropped (the RX data error, as for a
 * refused buffer: the driver drops the frame), corrupted (their last
 * byte inverted in the OS's buffer and the TCP/UDP checksum error set:
 * the driver counts a checksum offload error and leaves the checksum to
 * the stack, which finds it wrong and drops the frame) or delayed (held
 * back: the OS gets no completion from its first slot on until the delay
 * runs out).  A frame held back whose delay ran out is released here;
 * picking goes on behind it.
 *
 * Return: true if a frame held back was released.
 */
static bool fault_rx(struct vdev *d)
{
	struct e1000e *e = to_e1000e(d);
	struct frame_hold *h = &e->rx_hold;
	u32 n = e->rx.count, start = e->rx.done, status, len;
	u32 lens[E1000_PS_BUFFERS];
	bool released = false;
	unsigned int b;

	if (h->on) {
		if (holding(h))
			return false;
		h->on = false;
		released = true;
		start = h->next;
		if (!(__atomic_load_n(&e->faults.match, __ATOMIC_RELAXED) &
		      RTVIRT_VMM_INJECT_RX))
			return true;
	}
	for (u32 i = start; i != e->rx.tail; i = (i + 1) % n) {
		rx_wb(e, i, &status, &len, lens);
		if (!(status & E1000_RXD_STAT_DD))
			break;
		if (!(status & E1000_RXD_STAT_EOP))
			continue;
		if (fault_pick(d, RTVIRT_VMM_INJECT_RX)) {
			if (e->faults.action == RTVIRT_VMM_INJECT_DELAY) {
				hold(d, h, start, (i + 1) % n);
				break;
			}
			b = E1000_PS_BUFFERS;
			while (b && !lens[b - 1])
				b--;	/* the last buffer written */
			if (e->faults.action == RTVIRT_VMM_INJECT_CORRUPT &&
			    b && rx_buffer(e, i, b - 1)) {
				u8 *last = (u8 *)rx_buffer(e, i, b - 1) +
					   lens[b - 1] - 1;
				struct e1000_rx_desc *s = rx_shadow(e, i);

				*last = (u8)~*last;
				if (e->extended || rx_ps(e))
					s->wb_lo |= E1000_RXD_EXT_TCPE;
				else
					s->wb_hi |= E1000_RXD_LEGACY_TCPE;
			} else {
				for (u32 j = start; j != (i + 1) % n;
				     j = (j + 1) % n)
					e->rx.refused[j] = 1;
			}
		}
		start = (i + 1) % n;
	}
	return released;
}

/*
 * Copy the receive write-backs to the OS, up to a frame held back, and
 * capture them.  Where a held frame was released, the OS's driver saw
 * the interrupt of its arrival long ago and found nothing: the receive
 * interrupt is raised again (ICS) for it to look.
 */
static void rx_complete(struct vdev *d)
{
	struct e1000e *e = to_e1000e(d);
	u32 from = e->rx.done;
	bool released = false;

	if (e->rx_hold.on ||
	    (__atomic_load_n(&e->faults.match, __ATOMIC_RELAXED) &
	     RTVIRT_VMM_INJECT_RX))
		released = fault_rx(d);
	e1000_rx_complete(&e->rx, e->extended,
			  e->rx_hold.on ? e->rx_hold.slot : e->rx.tail,
			  &e->rx_n);
	if (vdev_capture_on(&d->capture) && from != e->rx.done)
		capture_rx(d, from, e->rx.done, rdtsc());
	if (released)
		wr(e, E1000_ICS, E1000_ICR_RXT0 | E1000_ICR_RXQ0);
}

/* The register offsets of ring @r's base, length, head and tail. */
static u32 reg_base(const struct e1000e *e, const struct e1000_ring *r)
{
	return r == &e->rx ? E1000_RDBAL : E1000_TDBAL;
}

#define REG_BAL	0x0
#define REG_BAH	0x4
#define REG_LEN	0x8
#define REG_H	0x10
#define REG_T	0x18

/* Point the controller's ring registers at @base, @len. */
static void program(const struct e1000e *e, const struct e1000_ring *r,
		    u64 base, u32 len)
{
	u32 reg = reg_base(e, r);

	wr(e, reg + REG_BAL, (u32)base);
	wr(e, reg + REG_BAH, (u32)(base >> 32));
	wr(e, reg + REG_LEN, len);
}

/*
 * Whether the controller still uses ring @r's shadow: a reset the OS made
 * through CTRL (not trapped) clears the ring registers, length included,
 * and until the OS programs the ring again no tail may reach the
 * controller and nothing is copied into the OS's ring, which its driver
 * may free after such a reset.
 */
static bool still_shadow(const struct e1000e *e, const struct e1000_ring *r)
{
	return rd(e, reg_base(e, r) + REG_LEN) == r->os_len;
}

#define SETTLE_US	2	/* heads unchanged this long: DMA stopped */
#define SETTLE_MAX_US	100	/* the longest a quiesce waits for that */

/*
 * Stop receive and transmit and flush their write-backs; returns the
 * RCTL and TCTL to restore.  A controller finishes the frame it is
 * moving after its enable bit clears: wait (at most SETTLE_MAX_US) until
 * both heads stay still for SETTLE_US, so that no write-back of the old
 * rings comes after the switch.
 */
static void quiesce(const struct vdev *d, u32 *rctl, u32 *tctl)
{
	const struct e1000e *e = d->model;
	u64 khz = d->info.tsc_khz ? d->info.tsc_khz : 1000000;
	u64 start = rdtsc(), since = start;
	u32 heads, last;

	*rctl = rd(e, E1000_RCTL);
	*tctl = rd(e, E1000_TCTL);
	wr(e, E1000_RCTL, *rctl & ~E1000_RCTL_EN);
	wr(e, E1000_TCTL, *tctl & ~E1000_TCTL_EN);
	wr(e, E1000_TIDV, rd(e, E1000_TIDV) | E1000_FPD);
	wr(e, E1000_RDTR, rd(e, E1000_RDTR) | E1000_FPD);
	last = rd(e, E1000_RDH) << 16 | rd(e, E1000_TDH);
	while (rdtsc() - start < SETTLE_MAX_US * khz / 1000) {
		heads = rd(e, E1000_RDH) << 16 | rd(e, E1000_TDH);
		if (heads != last) {
			last = heads;
			since = rdtsc();
		} else if (rdtsc() - since >= SETTLE_US * khz / 1000) {
			break;
		}
	}
}

/**
 * struct rx_mode - how the controller receives, from RCTL and PSRCTL
 * @desc_size:	16 (legacy or extended descriptors) or E1000_PS_DESC_SIZE
 * @sizes:	the most it writes into each buffer of a descriptor (one,
 *		or four for packet split; 0 for an unused one)
 */
struct rx_mode {
	u32 desc_size;
	u32 sizes[E1000_PS_BUFFERS];
};

/*
 * The receive mode @rctl and @psrctl give, with RFCTL as the controller
 * has it.  False for a mode the model does not serve: a reserved
 * descriptor type, packet split without extended descriptors, a reserved
 * buffer size or one larger than the sink.
 */
static bool rx_mode(const struct e1000e *e, u32 rctl, u32 psrctl,
		    struct rx_mode *m)
{
	u32 dtyp = rctl & E1000_RCTL_DTYP_MASK;

	memset(m, 0, sizeof(*m));
	m->desc_size = 16;
	if (!dtyp) {
		m->sizes[0] = e1000_rx_buffer_size(rctl);
		return m->sizes[0] && m->sizes[0] <= SINK_BYTES;
	}
	if (dtyp != E1000_RCTL_DTYP_PS ||
	    !(rd(e, E1000_RFCTL) & E1000_RFCTL_EXTEN))
		return false;
	m->desc_size = E1000_PS_DESC_SIZE;
	m->sizes[0] = E1000_PSRCTL_BSIZE0(psrctl);
	for (unsigned int j = 1; j < E1000_PS_BUFFERS; j++) {
		m->sizes[j] = E1000_PSRCTL_BSIZEN(psrctl, j);
		if (m->sizes[j] > SINK_BYTES)
			return false;
	}
	return m->sizes[0] && m->sizes[0] <= SINK_BYTES;
}

/*
 * The receive mode the controller's registers give now; PSRCTL is read
 * only for packet split (this runs at every receive tail write).
 */
static bool rx_mode_now(const struct e1000e *e, struct rx_mode *m)
{
	u32 rctl = rd(e, E1000_RCTL);

	return rx_mode(e, rctl, rctl & E1000_RCTL_DTYP_MASK ?
			      rd(e, E1000_PSRCTL) : 0, m);
}

/*
 * A packet-split ring needs four buffer addresses per slot for the
 * capture; they are allocated the first time.  False without memory.
 */
static bool ps_ready(struct e1000e *e, u32 desc_size)
{
	u64 pa;

	if (desc_size != E1000_PS_DESC_SIZE || e->ps_buf)
		return true;
	e->ps_buf = alloc_pa(RING_MAX * sizeof(*e->ps_buf), &pa);
	return e->ps_buf;
}

/* Post receive slots up to @tail in mode @m, and note their buffers. */
static u32 rx_post(struct e1000e *e, u32 tail, const struct rx_mode *m,
		   struct e1000_counts *n)
{
	struct e1000_ring *r = &e->rx;
	u32 from = r->tail, t;

	if (r->done == r->tail)
		memcpy(e->rx_checked, m->sizes, sizeof(e->rx_checked));
	for (unsigned int j = 0; j < E1000_PS_BUFFERS; j++)
		if (m->sizes[j] < e->rx_checked[j])
			e->rx_checked[j] = m->sizes[j];
	if (m->desc_size == E1000_PS_DESC_SIZE)
		t = e1000_rx_post_ps(r, tail, m->sizes, &e->rx_check, n);
	else
		t = e1000_rx_post(r, tail, m->sizes[0], &e->rx_check, n);
	note_rx_bufs(e, from, t);
	return t;
}

/* Say which descriptor of [@head, @tail) made the takeover fail. */
static void refuse_descriptor(struct vdev *d, const struct e1000_ring *r,
			      const struct e1000_check *c, u32 head, u32 tail)
{
	struct e1000e *e = to_e1000e(d);
	char why[sizeof(e->refusal)];

	for (u32 i = head; i != tail; i = (i + 1) % r->count) {
		struct e1000_tx_desc t = ((const struct e1000_tx_desc *)r->os)[i];
		u64 addr = t.addr;

		if (r == &e->rx ? !r->refused[i] : e1000_tx_check(&t, c))
			continue;
		if (r == &e->rx)
			addr = ((const struct e1000_rx_desc *)((u8 *)r->os +
				(u64)i * r->desc_size))->addr;
		vmm_snprintf(why, sizeof(why),
			     "%s descriptor %u (buffer %#llx) outside the OS's memory",
			     r == &e->rx ? "receive" : "transmit", i,
			     (unsigned long long)addr);
		log_refusal(d, why);
		return;
	}
	log_refusal(d, "a descriptor the controller holds points outside the OS's memory");
}

/*
 * Take ring @r from the controller's registers: the OS's ring, where the
 * controller is in it, the descriptors it was given (checked into the
 * shadow).  Receive and transmit are off.
 */
static int take_ring(struct vdev *d, struct e1000_ring *r,
		     const struct e1000_check *c, const struct rx_mode *m)
{
	struct e1000e *e = to_e1000e(d);
	u32 reg = reg_base(e, r), len = rd(e, reg + REG_LEN);
	u64 base = rd(e, reg + REG_BAL) | (u64)rd(e, reg + REG_BAH) << 32;
	u32 head = rd(e, reg + REG_H), tail = rd(e, reg + REG_T);
	struct e1000_counts n = { 0 };
	bool rx = r == &e->rx;
	int ret;

	if (rx) {
		e->os_rdba = base;
		e->os_rdlen = len;
		e->os_rdt = tail;
	} else {
		e->os_tdba = base;
		e->os_tdlen = len;
		e->os_tdt = tail;
	}
	ret = e1000_ring_set(r, (void *)base, base, len,
			     rx ? m->desc_size : 16, c);
	if (ret == E1000_RING_BIG) {
		log_refusal(d, "a ring of more than 4096 descriptors (2048 with packet split)");
		return ERR_OPNOTSUPP;
	}
	if (ret) {
		log_refusal(d, "a ring not in the OS's memory, or misaligned");
		return ERR_IO;
	}
	if (!r->count)
		return 0;	/* not in use (interface down) */
	if (reg_slot(r, head) >= r->count ||
	    reg_slot(r, tail) >= r->count) {
		log_refusal(d, "ring positions beyond the ring");
		return ERR_IO;
	}
	r->tail = reg_slot(r, head);
	r->done = r->tail;
	ring_forget(e, r);
	if (rx)
		rx_post(e, reg_slot(r, tail), m, &n);
	else
		e1000_tx_post(r, tail, c, &n);
	if (n.refused) {
		refuse_descriptor(d, r, c, reg_slot(r, head),
				  reg_slot(r, tail));
		return ERR_IO;
	}
	program(e, r, r->shadow_pa, len);
	wr(e, reg + REG_H, head);
	wr(e, reg + REG_T, tail);
	r->live = true;
	return 0;
}

static int take_over(struct vdev *d)
{
	struct e1000e *e = to_e1000e(d);
	u32 rctl, tctl;
	struct rx_mode m;
	int ret;

	e->io_on = vdev_config_read16(d, PCI_COMMAND) & PCI_COMMAND_IO;
	if (e->io_on && !e->io_size) {
		log_refusal(d, "its I/O space decodes, but no I/O BAR was described (every register answers there)");
		return ERR_IO;
	}
	e->ioaddr = e->io_on ? (u32)vdev_port_read(e->io_port + E1000_IOADDR, 4) &
			       E1000_IOADDR_MASK : 0;
	if (rd(e, E1000_RDLEN + E1000_QUEUE1) ||
	    rd(e, E1000_TDLEN + E1000_QUEUE1)) {
		log_refusal(d, "the second queue is in use");
		return ERR_OPNOTSUPP;
	}
	if (!rx_mode_now(e, &m)) {
		log_refusal(d, "a receive descriptor type or buffer size the model does not serve");
		return ERR_OPNOTSUPP;
	}
	if (!ps_ready(e, m.desc_size)) {
		log_refusal(d, "no VMM memory for packet split");
		return ERR_NOMEM;
	}
	quiesce(d, &rctl, &tctl);
	e->extended = rd(e, E1000_RFCTL) & E1000_RFCTL_EXTEN;
	ret = take_ring(d, &e->tx, &e->tx_check, NULL);
	if (!ret)
		ret = take_ring(d, &e->rx, &e->rx_check, &m);
	if (ret) {
		/* Nothing of the VMM's stays in the controller. */
		if (e->tx.live)
			program(e, &e->tx, e->os_tdba, e->os_tdlen);
		e->tx.live = false;
		e->rx.live = false;
	} else {
		ret = vdev_trap_add(d, e->bar, E1000_TRAPPED_REGS,
				    TRAP_REGISTER, NULL);
		if (!ret && d->info.ecam_pa)
			ret = vdev_trap_add(d, d->info.ecam_pa, PT_PAGE_SIZE,
					    TRAP_CONFIG_MMIO, NULL);
		if (!ret && e->io_size)
			ret = vdev_port_trap_add(d, e->io_port, e->io_size);
		if (ret) {
			program(e, &e->tx, e->os_tdba, e->os_tdlen);
			program(e, &e->rx, e->os_rdba, e->os_rdlen);
			e->tx.live = false;
			e->rx.live = false;
		}
	}
	wr(e, E1000_RCTL, rctl);
	wr(e, E1000_TCTL, tctl);
	return ret;
}

static int e1000e_commence(struct vdev *d, u64 pa, u64 len)
{
	struct e1000e *e = to_e1000e(d);
	struct rtvirt_vmm_e1000e_state *s = (void *)pa;
	int ret;

	if (len < sizeof(*s) || !os_memory(pa, sizeof(*s)))
		return ERR_INVAL;
	e->refusal[0] = 0;
	faults_clear(e);
	memset(&e->rx_n, 0, sizeof(e->rx_n));
	memset(&e->tx_n, 0, sizeof(e->tx_n));
	ret = take_over(d);
	if (ret && e->refusal[0])
		memcpy(s->refusal, e->refusal, sizeof(e->refusal));
	__atomic_store_n(&e->live, !ret, __ATOMIC_RELEASE);
	return ret;
}

/* Add what went through a ring between @was and @now to the statistics. */
static void account(struct vdev *d, bool rx, const struct e1000_counts *was,
		    const struct e1000_counts *now)
{
	u64 frames = now->frames - was->frames, bytes = now->bytes - was->bytes;
	u64 refused = now->refused - was->refused;

	if (frames) {
		count(&d->stats.ios, frames);
		count(rx ? &d->stats.rx_frames : &d->stats.tx_frames, frames);
	}
	if (bytes)
		count(rx ? &d->stats.rx_bytes : &d->stats.tx_bytes, bytes);
	if (refused)
		count(&d->stats.dma_refused, refused);
}

/* Copy the controller's write-backs to the OS; the interrupt path too. */
static void e1000e_poll(struct vdev *d)
{
	struct e1000e *e = to_e1000e(d);
	struct e1000_counts was, now = { 0 };

	if (!__atomic_load_n(&e->live, __ATOMIC_ACQUIRE))
		return;
	spin_lock(&e->tx.lock);
	if (e->tx.live && (e->tx_hold.on || e1000_tx_ready(&e->tx)) &&
	    still_shadow(e, &e->tx)) {
		tx_release(d);
		e1000_tx_complete(&e->tx);
	}
	spin_unlock(&e->tx.lock);
	spin_lock(&e->rx.lock);
	was = e->rx_n;
	if (e->rx.live && e1000_rx_ready(&e->rx, e->extended) &&
	    still_shadow(e, &e->rx))
		rx_complete(d);
	now = e->rx_n;
	spin_unlock(&e->rx.lock);
	account(d, true, &was, &now);
}

static bool e1000e_interrupts(struct vdev *d)
{
	(void)d;
	return true;
}

/*
 * The OS programmed ring @r's base or length: the shadow follows its new
 * ring.  Positions restart where the OS sets the head.
 */
static int adopt(struct vdev *d, struct e1000_ring *r)
{
	struct e1000e *e = to_e1000e(d);
	bool rx = r == &e->rx;
	u64 base = rx ? e->os_rdba : e->os_tdba;
	u32 len = rx ? e->os_rdlen : e->os_tdlen;
	u32 desc = 16;
	int ret;

	if (rx && (rd(e, E1000_RCTL) & E1000_RCTL_DTYP_MASK) ==
		  E1000_RCTL_DTYP_PS)
		desc = E1000_PS_DESC_SIZE;
	if (!ps_ready(e, desc))
		return E1000_RING_BIG;	/* not served: hand back */
	spin_lock(&r->lock);
	ret = e1000_ring_set(r, (void *)base, base, len, desc,
			     rx ? &e->rx_check : &e->tx_check);
	r->live = !ret && r->count;
	ring_forget(e, r);
	program(e, r, r->shadow_pa, r->live ? len : 0);
	spin_unlock(&r->lock);
	/* Base or length still 0: the driver is half-way (e1000 writes
	 * the length first); not an anomaly. */
	if (ret == E1000_RING_BAD && base && len && anomaly(e))
		vmm_log("e1000e: %s ring at %#llx, %u bytes, not usable (misaligned or not the OS's memory)\n",
			rx ? "receive" : "transmit", (unsigned long long)base, len);
	return ret;
}

/* The OS wrote ring @r's head: the ring restarts there. */
static void set_head(struct e1000e *e, struct e1000_ring *r, u32 val)
{
	spin_lock(&r->lock);
	if (r->live && reg_slot(r, val) < r->count) {
		wr(e, reg_base(e, r) + REG_H, val);
		r->tail = reg_slot(r, val);
		r->done = r->tail;
		ring_forget(e, r);
	} else if ((r->live || val) && anomaly(e)) {
		/* 0 into a ring not programmed: e1000 after a reset */
		vmm_log("e1000e: %s head %u refused: ring not usable\n",
			r == &e->rx ? "receive" : "transmit", val);
	}
	spin_unlock(&r->lock);
}

/* The OS moved ring @r's tail; false when @a must be held instead. */
static bool set_tail(struct vdev *d, struct e1000_ring *r, struct access *a)
{
	struct e1000e *e = to_e1000e(d);
	struct e1000_counts *n = r == &e->rx ? &e->rx_n : &e->tx_n;
	struct e1000_counts was, now;
	u32 val = (u32)a->val, t, from, slot;
	struct rx_mode m;
	bool ok;

	/*
	 * A receive mode not served, or a descriptor format the ring was
	 * not programmed with: the NIC goes back to its driver.
	 */
	if (r == &e->rx &&
	    (!rx_mode_now(e, &m) || !ps_ready(e, m.desc_size) ||
	     (r->count && m.desc_size != r->desc_size)))
		return false;
	spin_lock(&r->lock);
	if (r == &e->rx)
		e->os_rdt = val;
	else
		e->os_tdt = val;
	was = *n;
	if (!r->live || !still_shadow(e, r)) {
		spin_unlock(&r->lock);
		if (!val)
			return true;	/* nothing posted (e1000 after a reset) */
		count(&d->stats.dma_refused, 1);
		if (anomaly(e))
			vmm_log("e1000e: %s tail %u refused: ring not programmed\n",
				r == &e->rx ? "receive" : "transmit", val);
		return true;
	}
	from = r->tail;
	slot = reg_slot(r, val);	/* beyond or inside a slot: refused */
	if (r == &e->rx) {
		e->extended = rd(e, E1000_RFCTL) & E1000_RFCTL_EXTEN;
		ok = slot < r->count && rx_post(e, slot, &m, n) == slot;
	} else {
		ok = e1000_tx_post(r, val, &e->tx_check, n) == val;
	}
	if (ok && r == &e->rx) {
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		wr(e, E1000_RDT, val);
	} else if (ok && e->tx_hold.on) {
		tx_release(d);	/* else what was posted waits behind it */
	} else if (ok) {
		t = val;
		if (__atomic_load_n(&e->faults.match, __ATOMIC_RELAXED) &
		    RTVIRT_VMM_INJECT_TX)
			t = fault_tx(d, r, from, t);
		tx_give(d, r, from, t);
	} else if (anomaly(e)) {
		vmm_log("e1000e: %s tail %u beyond the ring of %u refused\n",
			r == &e->rx ? "receive" : "transmit", val, r->count);
	}
	now = *n;
	spin_unlock(&r->lock);
	account(d, r == &e->rx, &was, &now);
	return true;
}

static void write_ring_reg(struct vdev *d, u32 off, struct access *a)
{
	struct e1000e *e = to_e1000e(d);
	u32 val = (u32)a->val;

	switch (off) {
	case E1000_RDBAL:
		e->os_rdba = (e->os_rdba & ~0xffffffffULL) | val;
		if (adopt(d, &e->rx) == E1000_RING_BIG)
			vdev_hold(d, a);	/* not served: hand back */
		break;
	case E1000_RDBAH:
		e->os_rdba = (e->os_rdba & 0xffffffffULL) | (u64)val << 32;
		if (adopt(d, &e->rx) == E1000_RING_BIG)
			vdev_hold(d, a);	/* not served: hand back */
		break;
	case E1000_RDLEN:
		e->os_rdlen = val;
		if (adopt(d, &e->rx) == E1000_RING_BIG)
			vdev_hold(d, a);	/* not served: hand back */
		break;
	case E1000_TDBAL:
		e->os_tdba = (e->os_tdba & ~0xffffffffULL) | val;
		if (adopt(d, &e->tx) == E1000_RING_BIG)
			vdev_hold(d, a);	/* not served: hand back */
		break;
	case E1000_TDBAH:
		e->os_tdba = (e->os_tdba & 0xffffffffULL) | (u64)val << 32;
		if (adopt(d, &e->tx) == E1000_RING_BIG)
			vdev_hold(d, a);	/* not served: hand back */
		break;
	case E1000_TDLEN:
		e->os_tdlen = val;
		if (adopt(d, &e->tx) == E1000_RING_BIG)
			vdev_hold(d, a);	/* not served: hand back */
		break;
	case E1000_RDH:
		set_head(e, &e->rx, val);
		break;
	case E1000_TDH:
		set_head(e, &e->tx, val);
		break;
	case E1000_RDT:
		if (!set_tail(d, &e->rx, a))
			vdev_hold(d, a);
		break;
	case E1000_TDT:
		set_tail(d, &e->tx, a);
		break;
	}
}

static bool is_ring_reg(u32 off)
{
	switch (off) {
	case E1000_RDBAL: case E1000_RDBAH: case E1000_RDLEN:
	case E1000_RDH: case E1000_RDT:
	case E1000_TDBAL: case E1000_TDBAH: case E1000_TDLEN:
	case E1000_TDH: case E1000_TDT:
		return true;
	default:
		return false;
	}
}

/* Queue 1's ring registers: the model does not serve the second queue. */
static bool unserved(u32 off, u32 val)
{
	if (off >= E1000_RDBAL + E1000_QUEUE1 &&
	    off <= E1000_RDT + E1000_QUEUE1)
		return val != 0;
	return off >= E1000_TDBAL + E1000_QUEUE1 &&
	       off <= E1000_TDT + E1000_QUEUE1 && val != 0;
}

/*
 * Whether an RCTL or PSRCTL write (giving @rctl and @psrctl) would change
 * the receive mode under the buffers the controller holds: let it write
 * more into them than they were checked for (a larger buffer size,
 * long packets turned on), change the descriptor format, or turn to a
 * mode the model does not serve.  Checking the buffers again would not
 * do: the controller may have fetched their descriptors already.  The
 * driver changes these after a reset, with the ring empty; a write while
 * buffers are posted is held, and the NIC handed back.
 */
static bool rx_mode_grows(struct e1000e *e, u32 rctl, u32 psrctl)
{
	struct rx_mode m;
	bool ok = rx_mode(e, rctl, psrctl, &m), grows = false;

	spin_lock(&e->rx.lock);
	if (e->rx.live && e->rx.done != e->rx.tail) {
		grows = !ok || m.desc_size != e->rx.desc_size;
		for (unsigned int j = 0; j < E1000_PS_BUFFERS; j++)
			grows = grows || m.sizes[j] > e->rx_checked[j];
	}
	spin_unlock(&e->rx.lock);
	return grows;
}

/* The register an offset reaches: aliases are their queue-0 registers. */
static u32 canonical(u32 off)
{
	switch (off) {
	case E1000_RDTR_A:	return E1000_RDTR;
	case E1000_RDBAL_A:	return E1000_RDBAL;
	case E1000_RDBAH_A:	return E1000_RDBAH;
	case E1000_RDLEN_A:	return E1000_RDLEN;
	case E1000_RDH_A:	return E1000_RDH;
	case E1000_RDT_A:	return E1000_RDT;
	case E1000_TDBAL_A:	return E1000_TDBAL;
	case E1000_TDBAH_A:	return E1000_TDBAH;
	case E1000_TDLEN_A:	return E1000_TDLEN;
	case E1000_TDH_A:	return E1000_TDH;
	case E1000_TDT_A:	return E1000_TDT;
	case E1000_TIDV_A:	return E1000_TIDV;
	default:		return off;
	}
}

/*
 * The OS reset the controller: its ring registers are zero now, and the
 * VMM uses neither ring until the OS programs them again.  Not every
 * device clears them (Bochs's 82540EM ignores CTRL.RST; Linux's e1000
 * then writes the heads and tails itself), so the model writes the reset
 * values: the controller holds nothing of the VMM's, as after a reset.
 */
static void device_reset(struct e1000e *e)
{
	struct e1000_ring *rings[] = { &e->rx, &e->tx };

	for (unsigned int i = 0; i < 2; i++) {
		spin_lock(&rings[i]->lock);
		rings[i]->live = false;
		program(e, rings[i], 0, 0);
		wr(e, reg_base(e, rings[i]) + REG_H, 0);
		wr(e, reg_base(e, rings[i]) + REG_T, 0);
		spin_unlock(&rings[i]->lock);
	}
	e->os_rdba = 0;
	e->os_rdlen = 0;
	e->os_tdba = 0;
	e->os_tdlen = 0;
	e->os_rdt = 0;
	e->os_tdt = 0;
}

static void e1000e_access(struct vdev *d, struct trap *t, struct access *a)
{
	struct e1000e *e = to_e1000e(d);
	u32 off = canonical((u32)(a->gpa - e->bar));

	(void)t;
	if (!a->write && d->holding &&
	    vdev_log_lookup(d, a->gpa, a->size, &a->val))
		return;		/* what the OS wrote, not yet replayed */
	if (!a->write) {
		switch (a->size == 4 ? off : ~0U) {
		case E1000_RDBAL:
			a->val = (u32)e->os_rdba;
			break;
		case E1000_RDBAH:
			a->val = (u32)(e->os_rdba >> 32);
			break;
		case E1000_RDLEN:
			a->val = e->os_rdlen;
			break;
		case E1000_TDBAL:
			a->val = (u32)e->os_tdba;
			break;
		case E1000_TDBAH:
			a->val = (u32)(e->os_tdba >> 32);
			break;
		case E1000_TDLEN:
			a->val = e->os_tdlen;
			break;
		default:
			a->val = vdev_mmio_read(a->gpa, a->size);
			break;
		}
		return;
	}
	if (d->holding) {
		vdev_log(d, a);
		return;
	}
	if (a->size != 4 || (off & 3)) {
		/* Partial writes of ring registers would bypass the checks. */
		if (anomaly(e))
			vmm_log("e1000e: %u-byte write at %#x ignored\n",
				a->size, off);
		return;
	}
	if (is_ring_reg(off)) {
		write_ring_reg(d, off, a);
	} else if (unserved(off, (u32)a->val) ||
		   (off == E1000_RCTL &&
		    rx_mode_grows(e, (u32)a->val, rd(e, E1000_PSRCTL))) ||
		   (off == E1000_PSRCTL &&
		    rx_mode_grows(e, rd(e, E1000_RCTL), (u32)a->val))) {
		vdev_hold(d, a);
	} else {
		vdev_mmio_write(a->gpa, a->val, a->size);
		if (off == E1000_CTRL && (a->val & E1000_CTRL_RST))
			device_reset(e);
	}
}

/*
 * A register access through the I/O BAR: IOADDR is the model's own,
 * IODATA reaches the register IOADDR names as a memory access would,
 * trapped registers through e1000e_access().  Without I/O decoding
 * nothing answers (all ones), as on the bus; accesses that are not
 * doublewords at IOADDR or IODATA, or IODATA with an IOADDR that names no
 * register, are ignored (read 0), the hardware's "undefined".
 */
static void e1000e_port(struct vdev *d, unsigned int off, struct access *a)
{
	struct e1000e *e = to_e1000e(d);
	struct access m;

	if (!e->io_on) {
		a->val = (1ULL << (a->size * 8)) - 1;
		return;
	}
	if (a->size == 4 && off == E1000_IOADDR) {
		if (a->write)
			e->ioaddr = (u32)a->val & E1000_IOADDR_MASK;
		else
			a->val = e->ioaddr;
		return;
	}
	if (a->size != 4 || off != E1000_IODATA || (e->ioaddr & 3) ||
	    e->ioaddr >= d->info.bar_size) {
		if (anomaly(e))
			vmm_log("e1000e: %u-byte I/O BAR access at %u (IOADDR %#x) ignored\n",
				a->size, off, e->ioaddr);
		a->val = 0;
		return;
	}
	m = *a;
	m.gpa = e->bar + e->ioaddr;
	m.kind = TRAP_REGISTER;
	if (e->ioaddr < E1000_TRAPPED_REGS)
		e1000e_access(d, NULL, &m);
	else if (m.write)
		vdev_mmio_write(m.gpa, m.val, 4);
	else
		m.val = vdev_mmio_read(m.gpa, 4);
	a->val = m.val;
	a->retry = m.retry;
}

/*
 * Configuration writes: one that turns off memory decoding or bus
 * mastering or moves a BAR is held; without an I/O BAR the model traps,
 * so is one that turns I/O decoding on.  With one, the model follows the
 * OS's I/O decoding.
 */
static bool e1000e_config(struct vdev *d, unsigned int off, struct access *a)
{
	struct e1000e *e = to_e1000e(d);
	bool hold = pci_config_write_changes_device(off, a->size, a->val) ||
		    (!e->io_size &&
		     pci_config_write_sets_io(off, a->size, a->val));

	if (hold)
		vdev_hold(d, a);
	else if (e->io_size && off <= PCI_COMMAND && PCI_COMMAND < off + a->size)
		e->io_on = (a->val >> ((PCI_COMMAND - off) * 8)) &
			   PCI_COMMAND_IO;
	return hold;
}

/* Nothing to wait for: what the controller holds is in the OS's ring too. */
static bool e1000e_drained(struct vdev *d)
{
	(void)d;
	return true;
}

/* Give ring @r back: last write-backs out, the OS's base and tail in. */
static void give_back(struct vdev *d, struct e1000_ring *r)
{
	struct e1000e *e = to_e1000e(d);
	bool rx = r == &e->rx;
	u32 tail = rx ? e->os_rdt : e->os_tdt;
	struct e1000_counts was = e->rx_n, now;

	spin_lock(&r->lock);
	if (r->live && still_shadow(e, r)) {
		if (rx)
			rx_complete(d);
		else
			e1000_tx_complete(r);
	}
	if (!rx)
		e->tx_hold.on = false;	/* the OS's tail goes in below */
	now = e->rx_n;
	if (rx)
		program(e, r, e->os_rdba, e->os_rdlen);
	else
		program(e, r, e->os_tdba, e->os_tdlen);
	/* A tail the VMM refused is what the OS asked for, natively. */
	if (tail != rd(e, reg_base(e, r) + REG_T))
		wr(e, reg_base(e, r) + REG_T, tail);
	r->live = false;
	spin_unlock(&r->lock);
	if (rx)
		account(d, true, &was, &now);
}

static void e1000e_handback(struct vdev *d, u64 pa)
{
	struct e1000e *e = to_e1000e(d);
	u32 rctl, tctl;

	(void)pa;
	/* No poller starts any more; one that took a ring's lock finishes. */
	__atomic_store_n(&e->live, false, __ATOMIC_RELEASE);
	faults_clear(e);
	quiesce(d, &rctl, &tctl);
	give_back(d, &e->tx);
	give_back(d, &e->rx);
	wr(e, E1000_RCTL, rctl);
	wr(e, E1000_TCTL, tctl);
	/* A driver between its IOADDR and IODATA writes finds its address. */
	if (e->io_size && e->io_on)
		vdev_port_write(e->io_port + E1000_IOADDR, e->ioaddr, 4);
}

static void e1000e_handed_back(struct vdev *d)
{
	(void)d;
}

/* The held accesses run through e1000e_access() again: nothing else held. */
static void e1000e_resume(struct vdev *d)
{
	(void)d;
}

/*
 * Frames, not commands: drop or delay frames either way or corrupt
 * received ones, the next @count matching ones (each with @probability).
 * A count of 0 cancels, whatever the match; statuses are NVMe's.  A new
 * setting releases frames held back under the old one.
 */
static int e1000e_inject(struct vdev *d, const struct rtvirt_vmm_inject *inj)
{
	struct e1000e *e = to_e1000e(d);
	struct frame_faults *f = &e->faults;
	u32 dirs = RTVIRT_VMM_INJECT_TX | RTVIRT_VMM_INJECT_RX;

	if (!inj->count) {
		faults_clear(e);
		return 0;
	}
	if (!inj->match || (inj->match & ~dirs) || inj->status)
		return ERR_OPNOTSUPP;
	if (inj->action != RTVIRT_VMM_INJECT_DROP &&
	    inj->action != RTVIRT_VMM_INJECT_CORRUPT &&
	    inj->action != RTVIRT_VMM_INJECT_DELAY)
		return ERR_INVAL;
	if ((inj->action == RTVIRT_VMM_INJECT_DELAY) !=
	    (inj->delay_us > 0) ||
	    inj->delay_us > RTVIRT_VMM_MAX_FRAME_DELAY_US)
		return ERR_INVAL;
	if (inj->action == RTVIRT_VMM_INJECT_CORRUPT &&
	    (inj->match & RTVIRT_VMM_INJECT_TX))
		return ERR_OPNOTSUPP;	/* the NIC would checksum it anew */
	if (inj->probability > RTVIRT_VMM_INJECT_ALWAYS)
		return ERR_INVAL;
	faults_clear(e);
	spin_lock(&f->lock);
	f->action = inj->action;
	f->probability = inj->probability ? inj->probability :
			 RTVIRT_VMM_INJECT_ALWAYS;
	f->delay = (u64)inj->delay_us *
		   (d->info.tsc_khz ? d->info.tsc_khz : 1000000) / 1000;
	f->left = inj->count;
	f->rng = rdtsc() | 1;
	__atomic_store_n(&f->match, inj->match, __ATOMIC_RELAXED);
	spin_unlock(&f->lock);
	return 0;
}

/* Not static: the unit tests drive the model through it. */
extern const struct vdev_ops e1000e_ops;
const struct vdev_ops e1000e_ops = {
	.name = "e1000e",
	.model = VDEV_MODEL_E1000E,
	.attach = e1000e_attach,
	.commence = e1000e_commence,
	.access = e1000e_access,
	.port = e1000e_port,
	.config = e1000e_config,
	.poll = e1000e_poll,
	.interrupts = e1000e_interrupts,
	.drained = e1000e_drained,
	.handback = e1000e_handback,
	.handed_back = e1000e_handed_back,
	.resume = e1000e_resume,
	.inject = e1000e_inject,
};
VDEV_MODEL(e1000e_ops);
