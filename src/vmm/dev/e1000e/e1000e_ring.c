// SPDX-License-Identifier: GPL-2.0
/*
 * Descriptor rings of the e1000e model.  The controller uses the VMM's
 * shadow ring, slot for slot the OS's: the OS's descriptors are copied in
 * when its driver moves the tail (each read once, checked, and the checked
 * copy is what the controller reads), and the controller's write-backs are
 * copied out into the OS's ring when the VMM sees them.  Slot numbers are
 * the same in both rings, so the controller's head and tail registers mean
 * the same to the OS's driver as they do natively.
 *
 * A buffer outside the memory the OS may give the device (the VMM's own,
 * or beyond RAM) is refused: the controller gets the VMM's sink pages
 * instead, a receive completion for it carries the RX data error (the
 * driver drops the frame), and the refusal is counted.
 */
#include <vmm/e1000e_ring.h>

static u32 ring_next(const struct e1000_ring *r, u32 i)
{
	return i + 1 == r->count ? 0 : i + 1;
}

/**
 * e1000_tx_sink() - make a data descriptor read the sink instead
 * @d:		a copy of the descriptor (legacy, or extended data)
 * @c:		where the sink is
 *
 * The length stays, at most the sink's size.
 */
void e1000_tx_sink(struct e1000_tx_desc *d, const struct e1000_check *c)
{
	u32 len_mask = d->lower & E1000_TXD_CMD_DEXT ? 0xfffffU : 0xffffU;

	d->addr = c->sink_pa;
	if ((d->lower & len_mask) > c->sink_len)
		d->lower = (d->lower & ~len_mask) | c->sink_len;
}

/**
 * e1000_tx_check() - check one transmit descriptor the OS wrote
 * @d:		a copy of the descriptor, fixed up when refused
 * @c:		what it may point at
 *
 * Context descriptors carry no address.  A data descriptor (legacy, or
 * extended with DTYP 1) reads its buffer; a refused one reads the sink
 * instead (at most its size).  A descriptor of a reserved type becomes an
 * empty legacy one with its command bits, so the ring still advances and
 * reports its status.
 *
 * Return: true when @d is unchanged.
 */
bool e1000_tx_check(struct e1000_tx_desc *d, const struct e1000_check *c)
{
	u32 len;

	if (d->lower & E1000_TXD_CMD_DEXT) {
		switch (E1000_TXD_DTYP(d->lower)) {
		case E1000_TXD_DTYP_CTX:
			return true;
		case E1000_TXD_DTYP_DATA:
			len = E1000_TXD_EXT_LEN(d->lower);
			break;
		default:
			d->addr = 0;
			d->lower &= E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS;
			return false;
		}
	} else {
		len = E1000_TXD_LEGACY_LEN(d->lower);
	}
	if (!len || c->mem_ok(d->addr, len))
		return true;
	e1000_tx_sink(d, c);
	return false;
}

/**
 * e1000_rx_check() - check one receive descriptor the OS posted
 * @d:		a copy of the descriptor in read format, fixed up
 * @buf_size:	receive buffer bytes (RCTL)
 * @c:		what it may point at
 *
 * The controller reads only the buffer address; the rest is made zero,
 * so no stale status can look like a completion.
 *
 * Return: true when the buffer was taken, false when the sink replaces it.
 */
bool e1000_rx_check(struct e1000_rx_desc *d, u32 buf_size,
		    const struct e1000_check *c)
{
	d->wb_lo = 0;
	d->wb_hi = 0;
	if (buf_size && buf_size <= c->sink_len && c->mem_ok(d->addr, buf_size))
		return true;
	d->addr = c->sink_pa;
	return false;
}

/**
 * e1000_ring_set() - take the OS's ring as it programmed it
 * @r:		the ring; its shadow and capacity are set
 * @os:		where the VMM reaches the OS's ring
 * @base:	its physical address (the base registers)
 * @len:	its length register
 * @desc_size:	bytes per descriptor: 16, or E1000_PS_DESC_SIZE for a
 *		packet-split receive ring
 * @c:		what may be a ring
 *
 * A length of 0 is a ring not in use.  Positions start at 0, as after the
 * controller's reset; the caller sets them otherwise.
 *
 * Return: 0; E1000_RING_BAD for a base not 16-byte aligned, a length not a
 * multiple of 128, or a ring not in the OS's memory; E1000_RING_BIG for
 * more than the shadow holds (r->cap 16-byte descriptors).
 */
int e1000_ring_set(struct e1000_ring *r, void *os, u64 base, u32 len,
		   u32 desc_size, const struct e1000_check *c)
{
	r->live = false;
	r->tail = 0;
	r->done = 0;
	r->count = 0;
	r->desc_size = desc_size == E1000_PS_DESC_SIZE ? desc_size : 16;
	if (!len)
		return 0;
	if ((base & 15) || (len % E1000_RING_ALIGN) || !c->mem_ok(base, len))
		return E1000_RING_BAD;
	if (len / 16 > r->cap)
		return E1000_RING_BIG;
	r->os = os;
	r->os_base = base;
	r->os_len = len;
	r->count = len / r->desc_size;
	for (u32 i = 0; i < r->count; i++)
		r->refused[i] = 0;
	return 0;
}

/**
 * e1000_tx_post() - the OS moved the transmit tail: copy and check
 * @r:		the ring (live)
 * @tail:	the OS's new tail
 * @c:		what buffers may be
 * @n:		counts the frames, bytes and refusals posted
 *
 * Every descriptor from the ring's tail up to @tail is read once from the
 * OS's ring, checked, and written to the same slot of the shadow.
 *
 * Return: the tail to give the controller (@tail), or r->tail unchanged
 * when @tail is beyond the ring.
 */
u32 e1000_tx_post(struct e1000_ring *r, u32 tail, const struct e1000_check *c,
		  struct e1000_counts *n)
{
	const volatile struct e1000_tx_desc *os = r->os;
	struct e1000_tx_desc *shadow = r->shadow;

	if (tail >= r->count)
		return r->tail;
	for (u32 i = r->tail; i != tail; i = ring_next(r, i)) {
		struct e1000_tx_desc d;

		d.addr = os[i].addr;
		d.lower = os[i].lower;
		d.upper = os[i].upper & ~E1000_TXD_STAT_DD;
		if (!e1000_tx_check(&d, c))
			n->refused++;
		if (e1000_txd_eop(d.lower))
			n->frames++;
		n->bytes += e1000_txd_data_len(d.lower);
		shadow[i] = d;
	}
	r->tail = tail;
	return tail;
}

/* The next slot from @i before the tail that asks for a status, or tail. */
static u32 next_rs(const struct e1000_ring *r, u32 i)
{
	const volatile struct e1000_tx_desc *shadow = r->shadow;

	for (; i != r->tail; i = ring_next(r, i))
		if (shadow[i].lower & E1000_TXD_CMD_RS)
			break;
	return i;
}

/**
 * e1000_tx_ready() - whether the controller completed a transmit
 * descriptor the OS has not seen
 * @r:		the ring
 *
 * Return: true if so.
 */
bool e1000_tx_ready(const struct e1000_ring *r)
{
	const volatile struct e1000_tx_desc *shadow = r->shadow;
	u32 i;

	if (!r->live || r->done == r->tail)
		return false;
	i = next_rs(r, r->done);
	return i != r->tail && (shadow[i].upper & E1000_TXD_STAT_DD);
}

/**
 * e1000_tx_complete() - give the OS the controller's transmit status
 * @r:		the ring (live)
 *
 * The controller writes a status only where the descriptor asked for one
 * (RS); the OS's ring gets that status word, slot for slot, in order up to
 * the first such descriptor not yet done.
 *
 * Return: descriptors returned to the OS.
 */
u32 e1000_tx_complete(struct e1000_ring *r)
{
	volatile struct e1000_tx_desc *os = r->os;
	const volatile struct e1000_tx_desc *shadow = r->shadow;
	u32 n = 0;

	while (r->done != r->tail) {
		u32 j = next_rs(r, r->done), upper;

		if (j == r->tail)
			break;
		upper = shadow[j].upper;
		if (!(upper & E1000_TXD_STAT_DD))
			break;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		os[j].upper = upper;
		n += (j >= r->done ? j - r->done : j + r->count - r->done) + 1;
		r->done = ring_next(r, j);
	}
	return n;
}

/* Slot @i of receive ring @r's OS ring or shadow at @base. */
static struct e1000_rx_desc *rx_slot(const struct e1000_ring *r, void *base,
				     u32 i)
{
	return (struct e1000_rx_desc *)((u8 *)base + (u64)i * r->desc_size);
}

/*
 * Check a packet-split descriptor's four buffers (@d[0] and @d[1] in read
 * format) for @sizes: a used one (size not 0) outside what may be is
 * replaced by the sink, an unused one always (the controller writes none
 * of it).  The second buffer's address lies where the write-back's status
 * goes: one with the DD bit set would read as done before the controller
 * wrote anything, and is refused too.  Returns true when no used buffer
 * was refused.
 */
static bool rx_ps_check(struct e1000_rx_desc *d, const u32 *sizes,
			const struct e1000_check *c)
{
	u64 *addr[E1000_PS_BUFFERS] = { &d[0].addr, &d[0].wb, &d[1].addr,
					&d[1].wb };
	bool ok = true;

	for (unsigned int j = 0; j < E1000_PS_BUFFERS; j++) {
		if (sizes[j] && sizes[j] <= c->sink_len &&
		    c->mem_ok(*addr[j], sizes[j]) &&
		    (j != 1 || !(*addr[j] & E1000_RXD_STAT_DD)))
			continue;
		ok = ok && !sizes[j];
		*addr[j] = c->sink_pa;
	}
	return ok;
}

static u32 rx_post(struct e1000_ring *r, u32 tail, const u32 *sizes,
		   const struct e1000_check *c, struct e1000_counts *n)
{
	if (tail >= r->count)
		return r->tail;
	for (u32 i = r->tail; i != tail; i = ring_next(r, i)) {
		const volatile struct e1000_rx_desc *os = rx_slot(r, r->os, i);
		struct e1000_rx_desc *shadow = rx_slot(r, r->shadow, i);
		struct e1000_rx_desc d[2] = { { .addr = os[0].addr } };

		if (r->desc_size == E1000_PS_DESC_SIZE) {
			d[0].wb = os[0].wb;
			d[1].addr = os[1].addr;
			d[1].wb = os[1].wb;
			r->refused[i] = !rx_ps_check(d, sizes, c);
			/* the write-back's status half starts clear */
			shadow[1] = d[1];
			shadow[0].addr = d[0].addr;
			shadow[0].wb = d[0].wb;
		} else {
			r->refused[i] = !e1000_rx_check(&d[0], sizes[0], c);
			shadow[0] = d[0];
		}
		n->refused += r->refused[i];
	}
	r->tail = tail;
	return tail;
}

/**
 * e1000_rx_post() - the OS moved the receive tail: copy and check
 * @r:		the ring (live, 16-byte descriptors)
 * @tail:	the OS's new tail
 * @buf_size:	receive buffer bytes (RCTL)
 * @c:		what buffers may be
 * @n:		counts refusals
 *
 * Return: the tail to give the controller, as e1000_tx_post().
 */
u32 e1000_rx_post(struct e1000_ring *r, u32 tail, u32 buf_size,
		  const struct e1000_check *c, struct e1000_counts *n)
{
	u32 sizes[E1000_PS_BUFFERS] = { buf_size };

	return rx_post(r, tail, sizes, c, n);
}

/**
 * e1000_rx_post_ps() - e1000_rx_post() for a packet-split ring
 * @r:		the ring (live, E1000_PS_DESC_SIZE descriptors)
 * @tail:	the OS's new tail
 * @sizes:	the four buffers' sizes (PSRCTL), 0 for one not used
 * @c:		what buffers may be
 * @n:		counts refusals (a descriptor with any used buffer refused)
 *
 * Each used buffer is checked for its size; a refused one, and every
 * unused one, points at the sink.
 *
 * Return: as e1000_rx_post().
 */
u32 e1000_rx_post_ps(struct e1000_ring *r, u32 tail, const u32 *sizes,
		     const struct e1000_check *c, struct e1000_counts *n)
{
	return rx_post(r, tail, sizes, c, n);
}

/* Whether receive slot @d is written back; packet split is extended. */
static bool rx_dd(const struct e1000_ring *r,
		  const volatile struct e1000_rx_desc *d, bool extended)
{
	extended = extended || r->desc_size == E1000_PS_DESC_SIZE;
	return (extended ? d->wb_lo : d->wb_hi) & E1000_RXD_STAT_DD;
}

/**
 * e1000_rx_ready() - whether the controller filled a receive descriptor
 * the OS has not seen
 * @r:		the ring
 * @extended:	extended descriptors (RFCTL.EXTEN), else legacy
 *
 * Return: true if so.
 */
bool e1000_rx_ready(const struct e1000_ring *r, bool extended)
{
	return r->live && r->done != r->tail &&
	       rx_dd(r, rx_slot(r, r->shadow, r->done), extended);
}

/**
 * e1000_rx_complete() - give the OS the controller's receive write-backs
 * @r:		the ring (live)
 * @extended:	extended descriptors (RFCTL.EXTEN), else legacy
 * @stop:	the slot to stop before (a frame held back), or r->tail
 * @n:		counts frames and bytes
 *
 * Each written-back descriptor from r->done up to @stop is copied whole
 * into the OS's slot, the half with the status last; one whose buffer
 * was refused carries the RX data error, so the driver drops what the
 * sink received.  A packet-split ring's descriptors are extended ones.
 *
 * Return: descriptors returned to the OS.
 */
u32 e1000_rx_complete(struct e1000_ring *r, bool extended, u32 stop,
		      struct e1000_counts *n)
{
	bool ps = r->desc_size == E1000_PS_DESC_SIZE;
	u32 done = 0;

	extended = extended || ps;
	while (r->done != r->tail && r->done != stop &&
	       rx_dd(r, rx_slot(r, r->shadow, r->done), extended)) {
		u32 i = r->done, lo, hi;
		volatile struct e1000_rx_desc *os = rx_slot(r, r->os, i);
		const volatile struct e1000_rx_desc *shadow =
			rx_slot(r, r->shadow, i);
		u64 addr;

		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		addr = shadow[0].addr;
		lo = shadow[0].wb_lo;
		hi = shadow[0].wb_hi;
		if (r->refused[i]) {
			if (extended)
				lo |= E1000_RXD_EXT_RXE;
			else
				hi |= E1000_RXD_LEGACY_RXE;
		}
		if ((extended ? lo : hi) & E1000_RXD_STAT_EOP)
			n->frames++;
		n->bytes += extended ? hi & 0xffff : lo & 0xffff;
		if (ps) {
			u64 upper = shadow[1].addr;

			for (unsigned int j = 0; j < E1000_PS_BUFFERS - 1; j++)
				n->bytes += e1000_ps_data_len(upper, j);
			os[1].addr = upper;
			os[1].wb = shadow[1].wb;
		}
		os[0].addr = addr;
		__atomic_thread_fence(__ATOMIC_RELEASE);
		os[0].wb = lo | (u64)hi << 32;
		r->done = ring_next(r, i);
		done++;
	}
	return done;
}
