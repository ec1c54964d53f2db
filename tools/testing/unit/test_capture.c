// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the VMM's frame capture (src/vmm/dev/capture.c): records
 * laid out as struct rtvirt_vmm_capture_rec with their bytes, a record
 * that wraps at the end of the ring, a full ring or a tail the module
 * never wrote counting the frame as dropped, the snap length, zeros for
 * bytes the VMM does not read, a ring given again going on where it
 * stood, and a stopped capture writing nothing.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <vmm/capture.h>

#define RING_BYTES	RTVIRT_VMM_CAPTURE_MIN
#define DATA_BYTES	(RING_BYTES - sizeof(struct rtvirt_vmm_capture_ring))
#define REC		sizeof(struct rtvirt_vmm_capture_rec)

void spin_lock(int *lock)
{
	ck_assert_int_eq(*lock, 0);
	*lock = 1;
}

void spin_unlock(int *lock)
{
	ck_assert_int_eq(*lock, 1);
	*lock = 0;
}

static union {
	struct rtvirt_vmm_capture_ring ring;
	unsigned char bytes[RING_BYTES];
} mem;

static struct vdev_capture cap;

static void setup(void)
{
	memset(&mem, 0, sizeof(mem));
	memset(&cap, 0, sizeof(cap));
	mem.ring.snaplen = 65535;
}

/* The record at byte @pos of the stream, unwrapped into @rec and @data. */
static void record_at(u64 pos, struct rtvirt_vmm_capture_rec *rec,
		      unsigned char *data, size_t n)
{
	unsigned char tmp[REC + 2048];

	for (size_t i = 0; i < REC + n; i++)
		tmp[i] = mem.ring.data[(pos + i) % DATA_BYTES];
	memcpy(rec, tmp, REC);
	memcpy(data, tmp + REC, n);
}

static void frame(unsigned char *buf, u32 len, unsigned char seed)
{
	for (u32 i = 0; i < len; i++)
		buf[i] = (unsigned char)(seed + i);
}

/* Capture one frame of @len bytes given in two pieces. */
static bool put_frame(u32 len, unsigned char seed, unsigned int dir, u64 tsc)
{
	unsigned char f[2048];

	frame(f, len, seed);
	if (!vdev_capture_begin(&cap, dir, len, tsc))
		return false;
	vdev_capture_add(&cap, f, len / 2);
	vdev_capture_add(&cap, f + len / 2, len - len / 2);
	vdev_capture_end(&cap);
	return true;
}

START_TEST(set_checks_size)
{
	ck_assert_int_eq(vdev_capture_set(&cap, &mem.ring, RING_BYTES - 8), -22);
	ck_assert_int_eq(vdev_capture_set(&cap, &mem.ring, RING_BYTES + 4), -22);
	ck_assert_int_eq(vdev_capture_set(&cap, &mem.ring,
					  RTVIRT_VMM_CAPTURE_MAX + 8), -22);
	ck_assert(!vdev_capture_on(&cap));
	ck_assert_int_eq(vdev_capture_set(&cap, &mem.ring, RING_BYTES), 0);
	ck_assert(vdev_capture_on(&cap));
	ck_assert_uint_eq(cap.size, DATA_BYTES);
	ck_assert_int_eq(cap.lock, 0);
}
END_TEST

START_TEST(records_in_order)
{
	struct rtvirt_vmm_capture_rec rec;
	unsigned char want[100], got[100];

	ck_assert_int_eq(vdev_capture_set(&cap, &mem.ring, RING_BYTES), 0);
	ck_assert(put_frame(60, 1, RTVIRT_VMM_CAPTURE_TX, 1000));
	ck_assert(put_frame(99, 7, RTVIRT_VMM_CAPTURE_RX, 2000));
	ck_assert_uint_eq(mem.ring.head, REC + 64 + REC + 104);
	ck_assert_uint_eq(mem.ring.frames, 2);
	ck_assert_uint_eq(mem.ring.dropped, 0);
	record_at(0, &rec, got, 60);
	frame(want, 60, 1);
	ck_assert_uint_eq(rec.tsc, 1000);
	ck_assert_uint_eq(rec.len, 60);
	ck_assert_uint_eq(rec.caplen, 60);
	ck_assert_uint_eq(rec.dir, RTVIRT_VMM_CAPTURE_TX);
	ck_assert_mem_eq(got, want, 60);
	/* padding to 8 is zeros */
	ck_assert_uint_eq(mem.ring.data[REC + 60], 0);
	ck_assert_uint_eq(mem.ring.data[REC + 63], 0);
	record_at(REC + 64, &rec, got, 99);
	frame(want, 99, 7);
	ck_assert_uint_eq(rec.tsc, 2000);
	ck_assert_uint_eq(rec.caplen, 99);
	ck_assert_uint_eq(rec.dir, RTVIRT_VMM_CAPTURE_RX);
	ck_assert_mem_eq(got, want, 99);
	ck_assert_int_eq(cap.lock, 0);
}
END_TEST

START_TEST(record_wraps)
{
	struct rtvirt_vmm_capture_rec rec;
	unsigned char want[1500], got[1500];
	u64 start = DATA_BYTES - 40;	/* the header fits, the bytes wrap */

	mem.ring.head = start;
	mem.ring.tail = start;
	ck_assert_int_eq(vdev_capture_set(&cap, &mem.ring, RING_BYTES), 0);
	ck_assert(put_frame(1500, 3, RTVIRT_VMM_CAPTURE_RX, 5));
	ck_assert_uint_eq(mem.ring.head, start + REC + 1504);
	record_at(start, &rec, got, 1500);
	frame(want, 1500, 3);
	ck_assert_uint_eq(rec.len, 1500);
	ck_assert_mem_eq(got, want, 1500);
	/* the wrapped part starts the data area */
	ck_assert_uint_eq(mem.ring.data[0], want[40 - REC]);
}
END_TEST

START_TEST(full_ring_drops)
{
	u32 n = 0;

	ck_assert_int_eq(vdev_capture_set(&cap, &mem.ring, RING_BYTES), 0);
	while (put_frame(1000, 0, RTVIRT_VMM_CAPTURE_TX, n))
		n++;
	ck_assert_uint_eq(n, DATA_BYTES / (REC + 1000));
	ck_assert_uint_eq(mem.ring.frames, n);
	ck_assert_uint_eq(mem.ring.dropped, 1);
	ck_assert(!put_frame(1000, 0, RTVIRT_VMM_CAPTURE_TX, 0));
	ck_assert_uint_eq(mem.ring.dropped, 2);
	/* the module reads one: room for one more, no more */
	mem.ring.tail = REC + 1000;
	ck_assert(put_frame(1000, 0, RTVIRT_VMM_CAPTURE_TX, 0));
	ck_assert(!put_frame(1000, 0, RTVIRT_VMM_CAPTURE_TX, 0));
	ck_assert_uint_eq(mem.ring.frames, n + 1);
	ck_assert_int_eq(cap.lock, 0);
}
END_TEST

START_TEST(bad_tail_drops)
{
	ck_assert_int_eq(vdev_capture_set(&cap, &mem.ring, RING_BYTES), 0);
	ck_assert(put_frame(64, 0, RTVIRT_VMM_CAPTURE_TX, 0));
	mem.ring.tail = 1ULL << 40;	/* beyond the head */
	ck_assert(!put_frame(64, 0, RTVIRT_VMM_CAPTURE_TX, 0));
	ck_assert_uint_eq(mem.ring.dropped, 1);
	ck_assert_uint_eq(mem.ring.head, REC + 64);
	mem.ring.tail = REC + 64;
	ck_assert(put_frame(64, 0, RTVIRT_VMM_CAPTURE_TX, 0));
}
END_TEST

START_TEST(snaplen_kept)
{
	struct rtvirt_vmm_capture_rec rec;
	unsigned char want[128], got[128];

	mem.ring.snaplen = 100;
	ck_assert_int_eq(vdev_capture_set(&cap, &mem.ring, RING_BYTES), 0);
	ck_assert(put_frame(1514, 9, RTVIRT_VMM_CAPTURE_TX, 0));
	record_at(0, &rec, got, 100);
	frame(want, 100, 9);
	ck_assert_uint_eq(rec.len, 1514);
	ck_assert_uint_eq(rec.caplen, 100);
	ck_assert_mem_eq(got, want, 100);
	ck_assert_uint_eq(mem.ring.head, REC + 104);
	/* a snap length below the minimum is raised to it */
	setup();
	mem.ring.snaplen = 1;
	ck_assert_int_eq(vdev_capture_set(&cap, &mem.ring, RING_BYTES), 0);
	ck_assert_uint_eq(cap.snaplen, 64);
}
END_TEST

START_TEST(zeros_for_unread)
{
	struct rtvirt_vmm_capture_rec rec;
	unsigned char a[16], got[48];

	memset(a, 0xaa, sizeof(a));
	memset(mem.ring.data, 0xee, DATA_BYTES);
	ck_assert_int_eq(vdev_capture_set(&cap, &mem.ring, RING_BYTES), 0);
	ck_assert(vdev_capture_begin(&cap, RTVIRT_VMM_CAPTURE_RX, 48, 0));
	vdev_capture_add(&cap, a, 16);
	vdev_capture_add(&cap, NULL, 16);	/* the sink's bytes */
	vdev_capture_add(&cap, a, 8);		/* 8 short of 48 */
	vdev_capture_end(&cap);
	record_at(0, &rec, got, 48);
	ck_assert_uint_eq(rec.caplen, 48);
	ck_assert_uint_eq(got[15], 0xaa);
	ck_assert_uint_eq(got[16], 0);
	ck_assert_uint_eq(got[31], 0);
	ck_assert_uint_eq(got[32], 0xaa);
	ck_assert_uint_eq(got[40], 0);
	ck_assert_uint_eq(got[47], 0);
}
END_TEST

START_TEST(given_again_goes_on)
{
	ck_assert_int_eq(vdev_capture_set(&cap, &mem.ring, RING_BYTES), 0);
	ck_assert(put_frame(64, 0, RTVIRT_VMM_CAPTURE_TX, 0));
	ck_assert(put_frame(64, 0, RTVIRT_VMM_CAPTURE_TX, 0));
	/* a new launch: a fresh capture state, the same ring */
	memset(&cap, 0, sizeof(cap));
	ck_assert_int_eq(vdev_capture_set(&cap, &mem.ring, RING_BYTES), 0);
	ck_assert_uint_eq(cap.head, 2 * (REC + 64));
	ck_assert(put_frame(64, 0, RTVIRT_VMM_CAPTURE_TX, 0));
	ck_assert_uint_eq(mem.ring.head, 3 * (REC + 64));
	ck_assert_uint_eq(mem.ring.frames, 3);
	/* a head the tail does not allow starts at the tail */
	memset(&cap, 0, sizeof(cap));
	mem.ring.tail = REC + 64;
	mem.ring.head = 5;
	ck_assert_int_eq(vdev_capture_set(&cap, &mem.ring, RING_BYTES), 0);
	ck_assert_uint_eq(cap.head, REC + 64);
	ck_assert_uint_eq(mem.ring.head, REC + 64);
}
END_TEST

START_TEST(stopped_writes_nothing)
{
	ck_assert_int_eq(vdev_capture_set(&cap, &mem.ring, RING_BYTES), 0);
	ck_assert_int_eq(vdev_capture_set(&cap, NULL, 0), 0);
	ck_assert(!vdev_capture_on(&cap));
	ck_assert(!put_frame(64, 0, RTVIRT_VMM_CAPTURE_TX, 0));
	ck_assert_uint_eq(mem.ring.head, 0);
	ck_assert_uint_eq(mem.ring.dropped, 0);
	ck_assert_int_eq(cap.lock, 0);
}
END_TEST

static Suite *capture_suite(void)
{
	Suite *s = suite_create("capture");
	TCase *tc = tcase_create("ring");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, set_checks_size);
	tcase_add_test(tc, records_in_order);
	tcase_add_test(tc, record_wraps);
	tcase_add_test(tc, full_ring_drops);
	tcase_add_test(tc, bad_tail_drops);
	tcase_add_test(tc, snaplen_kept);
	tcase_add_test(tc, zeros_for_unread);
	tcase_add_test(tc, given_again_goes_on);
	tcase_add_test(tc, stopped_writes_nothing);
	suite_add_tcase(s, tc);
	return s;
}

/**
 * main() - run the capture unit tests
 *
 * Return: 0 when every test passed, 1 otherwise.
 */
int main(void)
{
	SRunner *sr = srunner_create(capture_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
