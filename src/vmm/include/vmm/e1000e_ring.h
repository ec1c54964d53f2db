/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The descriptor rings of the e1000e model: the OS's ring and the VMM's
 * shadow ring the controller uses, slot for slot, with the checks of what
 * the OS puts in them.  No register access and no VMM service here: the
 * model (e1000e.c) does those, the unit and fuzz tests drive this alone.
 */
#ifndef _VMM_E1000E_RING_H
#define _VMM_E1000E_RING_H

#include <vmm/e1000e_spec.h>

/**
 * struct e1000_ring - one descriptor ring, the OS's and the VMM's
 * @os:		the OS's ring (its memory, written by its driver)
 * @os_base:	its physical address
 * @os_len:	its length in bytes (RDLEN or TDLEN as the OS wrote it)
 * @count:	descriptors in it
 * @shadow:	the VMM's ring, which the controller reads and writes
 * @shadow_pa:	its physical address
 * @cap:	16-byte descriptors @shadow has room for
 * @desc_size:	bytes per descriptor: 16, or E1000_PS_DESC_SIZE (packet
 *		split receive)
 * @tail:	tail the controller was given
 * @done:	first slot whose completion the OS has not been given
 * @refused:	per slot (receive): the OS's buffer was refused and the
 *		controller writes into the sink instead
 * @live:	the controller uses @shadow (bases programmed, length valid)
 * @lock:	serialises the above once the ring is live
 */
struct e1000_ring {
	void *os;
	u64 os_base;
	u32 os_len;
	u32 count;
	void *shadow;
	u64 shadow_pa;
	u32 cap;
	u32 desc_size;
	u32 tail;
	u32 done;
	u8 *refused;
	bool live;
	int lock;
};

/**
 * struct e1000_check - what a descriptor may point at
 * @mem_ok:	whether [pa, pa + len) is memory the OS may give the device
 * @sink_pa:	where a refused buffer is replaced (the VMM's own pages)
 * @sink_len:	their size in bytes
 */
struct e1000_check {
	bool (*mem_ok)(u64 pa, u64 len);
	u64 sink_pa;
	u32 sink_len;
};

/**
 * struct e1000_counts - what went through a ring
 * @frames:	frames (end-of-packet descriptors)
 * @bytes:	their data bytes
 * @refused:	descriptors whose buffer was refused
 */
struct e1000_counts {
	u64 frames;
	u64 bytes;
	u64 refused;
};

void e1000_tx_sink(struct e1000_tx_desc *d, const struct e1000_check *c);
bool e1000_tx_check(struct e1000_tx_desc *d, const struct e1000_check *c);
bool e1000_rx_check(struct e1000_rx_desc *d, u32 buf_size,
		    const struct e1000_check *c);
/* e1000_ring_set() results */
#define E1000_RING_BAD		(-1)	/* misaligned, or not the OS's memory */
#define E1000_RING_BIG		(-2)	/* more descriptors than the shadow holds */

int e1000_ring_set(struct e1000_ring *r, void *os, u64 base, u32 len,
		   u32 desc_size, const struct e1000_check *c);
u32 e1000_tx_post(struct e1000_ring *r, u32 tail, const struct e1000_check *c,
		  struct e1000_counts *n);
u32 e1000_tx_complete(struct e1000_ring *r);
u32 e1000_rx_post(struct e1000_ring *r, u32 tail, u32 buf_size,
		  const struct e1000_check *c, struct e1000_counts *n);
u32 e1000_rx_post_ps(struct e1000_ring *r, u32 tail, const u32 *sizes,
		     const struct e1000_check *c, struct e1000_counts *n);
u32 e1000_rx_complete(struct e1000_ring *r, bool extended, u32 stop,
		      struct e1000_counts *n);
bool e1000_tx_ready(const struct e1000_ring *r);
bool e1000_rx_ready(const struct e1000_ring *r, bool extended);

#endif /* _VMM_E1000E_RING_H */
