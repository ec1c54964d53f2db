// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the e1000e model's descriptor rings
 * (src/vmm/dev/e1000e/e1000e_ring.c) against a fake controller that
 * writes back into the shadow ring: descriptors copied slot for slot with
 * their checks, buffers in "VMM memory" replaced by the sink and counted,
 * write-backs returned to the OS in order (transmit: only where a status
 * was asked for; receive: refused buffers flagged as errors), tails
 * beyond the ring refused, and rings the model cannot take.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <vmm/e1000e_ring.h>

#define VMM_START	0x40000000ULL	/* the fake VMM's memory */
#define VMM_END		0x40200000ULL
#define SINK		(VMM_START + 0x1000)
#define N		8

static bool mem_ok(u64 pa, u64 len)
{
	return pa && pa + len > pa && (pa + len <= VMM_START || pa >= VMM_END);
}

static const struct e1000_check check_ = {
	.mem_ok = mem_ok, .sink_pa = SINK, .sink_len = 16384,
};

static struct e1000_tx_desc os_tx[N], sh_tx[N];
static struct e1000_rx_desc os_rx[N], sh_rx[N];
static u8 refused[N];
static struct e1000_ring r;

static void ring_init(void *os, void *shadow)
{
	memset(&r, 0, sizeof(r));
	memset(os_tx, 0, sizeof(os_tx));
	memset(sh_tx, 0, sizeof(sh_tx));
	memset(os_rx, 0, sizeof(os_rx));
	memset(sh_rx, 0, sizeof(sh_rx));
	r.shadow = shadow;
	r.cap = N;
	r.refused = refused;
	ck_assert_int_eq(e1000_ring_set(&r, os, 0x100000, N * 16, 16,
					&check_), 0);
	r.live = true;
}

static void tx_data(u32 i, u64 addr, u32 len, u32 cmd)
{
	os_tx[i].addr = addr;
	os_tx[i].lower = len | cmd;
	os_tx[i].upper = 0;
}

START_TEST(tx_copied_and_checked)
{
	struct e1000_counts n = { 0 };

	ring_init(os_tx, sh_tx);
	tx_data(0, 0x200000, 1514, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS);
	/* Extended data descriptor into the VMM's memory: the sink instead. */
	tx_data(1, VMM_START + 0x8000, 60000,
		E1000_TXD_CMD_DEXT | (E1000_TXD_DTYP_DATA << 20));
	/*
	 * Context descriptor: no address to check, and bit 24 is its
	 * TUCMD.TCP, not an end of packet; its length field is PAYLEN.
	 */
	tx_data(2, VMM_START, 9000, E1000_TXD_CMD_DEXT | E1000_TXD_CMD_EOP);
	tx_data(3, 0x300000, 100, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS);
	ck_assert_uint_eq(e1000_tx_post(&r, 4, &check_, &n), 4);
	ck_assert_uint_eq(sh_tx[0].addr, 0x200000);
	ck_assert_uint_eq(sh_tx[1].addr, SINK);
	ck_assert_uint_eq(E1000_TXD_EXT_LEN(sh_tx[1].lower), 16384);
	ck_assert(sh_tx[1].lower & E1000_TXD_CMD_DEXT);
	ck_assert_uint_eq(sh_tx[2].addr, VMM_START);
	ck_assert_uint_eq(n.refused, 1);
	ck_assert_uint_eq(n.frames, 2);
	ck_assert_uint_eq(n.bytes, 1514 + 16384 + 100);
	/* The OS changing its ring afterwards changes nothing the NIC reads. */
	os_tx[0].addr = VMM_START;
	ck_assert_uint_eq(sh_tx[0].addr, 0x200000);
	ck_assert_uint_eq(r.tail, 4);
}
END_TEST

START_TEST(tx_status_in_order)
{
	struct e1000_counts n = { 0 };

	ring_init(os_tx, sh_tx);
	for (u32 i = 0; i < 6; i++)
		tx_data(i, 0x200000 + i * 0x1000, 64,
			i % 2 ? E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS : 0);
	e1000_tx_post(&r, 6, &check_, &n);
	ck_assert(!e1000_tx_ready(&r));
	/* The NIC finished the second frame before the first: wait. */
	sh_tx[3].upper |= E1000_TXD_STAT_DD;
	ck_assert(!e1000_tx_ready(&r));
	ck_assert_uint_eq(e1000_tx_complete(&r), 0);
	ck_assert_uint_eq(os_tx[3].upper, 0);
	sh_tx[1].upper |= E1000_TXD_STAT_DD;
	ck_assert(e1000_tx_ready(&r));
	ck_assert_uint_eq(e1000_tx_complete(&r), 4);
	ck_assert(os_tx[1].upper & E1000_TXD_STAT_DD);
	ck_assert(os_tx[3].upper & E1000_TXD_STAT_DD);
	ck_assert_uint_eq(r.done, 4);
	/* Wrap: slots 6, 7, 0 with the status on 0. */
	for (u32 i = 0; i < 4; i++)
		memset(&os_tx[i], 0, sizeof(os_tx[i]));
	tx_data(6, 0x200000, 64, 0);
	tx_data(7, 0x200000, 64, 0);
	tx_data(0, 0x200000, 64, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS);
	sh_tx[5].upper |= E1000_TXD_STAT_DD;
	ck_assert_uint_eq(e1000_tx_post(&r, 1, &check_, &n), 1);
	ck_assert_uint_eq(sh_tx[0].upper & E1000_TXD_STAT_DD, 0);
	sh_tx[0].upper |= E1000_TXD_STAT_DD;
	ck_assert_uint_eq(e1000_tx_complete(&r), 5);
	ck_assert_uint_eq(r.done, 1);
}
END_TEST

START_TEST(tail_beyond_ring)
{
	struct e1000_counts n = { 0 };

	ring_init(os_tx, sh_tx);
	ck_assert_uint_eq(e1000_tx_post(&r, N, &check_, &n), 0);
	ck_assert_uint_eq(r.tail, 0);
	ring_init(os_rx, sh_rx);
	ck_assert_uint_eq(e1000_rx_post(&r, N + 3, 2048, &check_, &n), 0);
}
END_TEST

START_TEST(rx_refused_buffer_flagged)
{
	struct e1000_counts n = { 0 };

	ring_init(os_rx, sh_rx);
	os_rx[0].addr = 0x500000;
	os_rx[0].wb_lo = E1000_RXD_STAT_DD;	/* stale status: cleared */
	os_rx[1].addr = VMM_START - 1024;	/* reaches into the VMM */
	os_rx[2].addr = 0x502000;
	ck_assert_uint_eq(e1000_rx_post(&r, 3, 2048, &check_, &n), 3);
	ck_assert_uint_eq(n.refused, 1);
	ck_assert_uint_eq(sh_rx[0].addr, 0x500000);
	ck_assert_uint_eq(sh_rx[0].wb, 0);
	ck_assert_uint_eq(sh_rx[1].addr, SINK);
	ck_assert(!e1000_rx_ready(&r, true));
	/* The NIC fills slots 0 and 1 (extended write-back). */
	sh_rx[0].addr = 0x1234;
	sh_rx[0].wb_lo = E1000_RXD_STAT_DD | 2;
	sh_rx[0].wb_hi = 60;
	sh_rx[1].wb_lo = E1000_RXD_STAT_DD | 2;
	sh_rx[1].wb_hi = 1514;
	ck_assert(e1000_rx_ready(&r, true));
	ck_assert(!e1000_rx_ready(&r, false));
	ck_assert_uint_eq(e1000_rx_complete(&r, true, r.tail, &n), 2);
	ck_assert_uint_eq(os_rx[0].addr, 0x1234);
	ck_assert_uint_eq(os_rx[0].wb_hi, 60);
	ck_assert_uint_eq(os_rx[0].wb_lo & E1000_RXD_EXT_RXE, 0);
	ck_assert(os_rx[1].wb_lo & E1000_RXD_EXT_RXE);
	ck_assert_uint_eq(n.frames, 2);
	ck_assert_uint_eq(n.bytes, 60 + 1514);
	ck_assert_uint_eq(r.done, 2);
	ck_assert_uint_eq(e1000_rx_complete(&r, true, r.tail, &n), 0);
}
END_TEST

START_TEST(rx_complete_stops_at_held_slot)
{
	struct e1000_counts n = { 0 };

	ring_init(os_rx, sh_rx);
	for (u32 i = 0; i < 4; i++)
		os_rx[i].addr = 0x500000 + i * 0x1000;
	ck_assert_uint_eq(e1000_rx_post(&r, 4, 2048, &check_, &n), 4);
	for (u32 i = 0; i < 3; i++) {
		sh_rx[i].wb_lo = E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP;
		sh_rx[i].wb_hi = 60;
	}
	/* Slot 1 is held: only slot 0 reaches the OS. */
	ck_assert_uint_eq(e1000_rx_complete(&r, true, 1, &n), 1);
	ck_assert_uint_eq(r.done, 1);
	ck_assert_uint_eq(os_rx[1].wb, 0);
	ck_assert(e1000_rx_ready(&r, true));
	ck_assert_uint_eq(e1000_rx_complete(&r, true, 1, &n), 0);
	/* Released: the rest that is done. */
	ck_assert_uint_eq(e1000_rx_complete(&r, true, r.tail, &n), 2);
	ck_assert_uint_eq(r.done, 3);
	ck_assert_uint_eq(n.frames, 3);
}
END_TEST

START_TEST(rx_legacy_format)
{
	struct e1000_counts n = { 0 };

	ring_init(os_rx, sh_rx);
	os_rx[0].addr = VMM_START + 0x10000;
	e1000_rx_post(&r, 1, 2048, &check_, &n);
	sh_rx[0].wb_lo = 64;				/* length */
	sh_rx[0].wb_hi = E1000_RXD_STAT_DD | 2;		/* status */
	ck_assert(e1000_rx_ready(&r, false));
	ck_assert_uint_eq(e1000_rx_complete(&r, false, r.tail, &n), 1);
	ck_assert(os_rx[0].wb_hi & E1000_RXD_LEGACY_RXE);
	ck_assert_uint_eq(n.bytes, 64);
}
END_TEST

START_TEST(rings_refused)
{
	memset(&r, 0, sizeof(r));
	r.cap = N;
	r.refused = refused;
	ck_assert_int_eq(e1000_ring_set(&r, os_tx, 0x100008, N * 16, 16,
					&check_),
			 E1000_RING_BAD);
	ck_assert_int_eq(e1000_ring_set(&r, os_tx, 0x100000, 100, 16, &check_),
			 E1000_RING_BAD);
	ck_assert_int_eq(e1000_ring_set(&r, os_tx, VMM_START, 128, 16, &check_),
			 E1000_RING_BAD);
	ck_assert_int_eq(e1000_ring_set(&r, os_tx, 0x100000, 2 * N * 16, 16,
					&check_), E1000_RING_BIG);
	ck_assert_int_eq(e1000_ring_set(&r, os_tx, 0, 0, 16, &check_), 0);
	ck_assert_uint_eq(r.count, 0);
	ck_assert(!r.live);
}
END_TEST

START_TEST(buffer_sizes)
{
	/* Without long packets, at most a 1522-byte frame. */
	ck_assert_uint_eq(e1000_rx_buffer_size(0), 1522);
	ck_assert_uint_eq(e1000_rx_buffer_size(E1000_RCTL_LPE), 2048);
	ck_assert_uint_eq(e1000_rx_buffer_size(3U << 16), 256);
	ck_assert_uint_eq(e1000_rx_buffer_size(E1000_RCTL_BSEX), 0);
	ck_assert_uint_eq(e1000_rx_buffer_size(E1000_RCTL_BSEX | 1U << 16),
			  1522);
	ck_assert_uint_eq(e1000_rx_buffer_size(E1000_RCTL_LPE |
					       E1000_RCTL_BSEX | 1U << 16),
			  16384);
	ck_assert_uint_eq(e1000_rx_buffer_size(E1000_RCTL_LPE |
					       E1000_RCTL_BSEX | 3U << 16),
			  4096);
	/* A flexible buffer size (KiB) overrides BSIZE. */
	ck_assert_uint_eq(e1000_rx_buffer_size(E1000_RCTL_LPE | 15U << 27),
			  15360);
	ck_assert_uint_eq(e1000_rx_buffer_size(E1000_RCTL_LPE | 3U << 16 |
					       1U << 27),
			  1024);
	ck_assert_uint_eq(e1000_rx_buffer_size(15U << 27), 1522);
}
END_TEST

START_TEST(tx_reserved_type)
{
	struct e1000_tx_desc d = {
		.addr = VMM_START, .lower = E1000_TXD_CMD_DEXT | 5U << 20 |
		E1000_TXD_CMD_RS | 1000,
	};

	ck_assert(!e1000_tx_check(&d, &check_));
	ck_assert_uint_eq(d.addr, 0);
	ck_assert_uint_eq(d.lower, E1000_TXD_CMD_RS);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("e1000e_ring");
	TCase *tc = tcase_create("ring");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, tx_copied_and_checked);
	tcase_add_test(tc, tx_status_in_order);
	tcase_add_test(tc, tail_beyond_ring);
	tcase_add_test(tc, rx_refused_buffer_flagged);
	tcase_add_test(tc, rx_complete_stops_at_held_slot);
	tcase_add_test(tc, rx_legacy_format);
	tcase_add_test(tc, rings_refused);
	tcase_add_test(tc, buffer_sizes);
	tcase_add_test(tc, tx_reserved_type);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
