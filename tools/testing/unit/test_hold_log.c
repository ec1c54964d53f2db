// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the hand-back hold log (src/vmm/hold_log.c): accesses
 * kept in order, doorbell writes merged only since the last other access,
 * and a full log that makes the access come back (retry) instead of
 * losing it.  Replaying the log onto a model of the device's registers
 * must give what replaying every access in order gives.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <vmm/device.h>

#define REG_CC		0xf0000014ULL
#define DB(n)		(0xf0001000ULL + 4 * (n))

static struct access log_buf[VDEV_LOG_MAX];

static void init(struct vdev *d)
{
	memset(d, 0, sizeof(*d));
	d->log = log_buf;
	d->holding = true;
}

static struct access wr(u64 gpa, u64 val, u8 kind)
{
	return (struct access){ .gpa = gpa, .val = val, .size = 4,
				.write = true, .kind = kind };
}

START_TEST(doorbells_merge)
{
	struct vdev d;
	struct access a;

	init(&d);
	for (u32 i = 0; i < 5000; i++) {
		a = wr(DB(2 + 2 * (i % 3)), i % 64, TRAP_DOORBELL);
		vdev_log_doorbell(&d, &a);
		ck_assert(!a.retry);
	}
	/* Three doorbells in use, three entries, each with its last value. */
	ck_assert_uint_eq(d.log_len, 3);
	ck_assert_uint_eq(d.log[0].val, 4998 % 64);
	ck_assert_uint_eq(d.log[1].val, 4999 % 64);
	ck_assert_uint_eq(d.log[2].val, 4997 % 64);
}
END_TEST

START_TEST(barrier_keeps_order)
{
	struct vdev d;
	struct access a;

	init(&d);
	a = wr(DB(2), 3, TRAP_DOORBELL);
	vdev_log_doorbell(&d, &a);
	a = wr(REG_CC, 0, TRAP_REGISTER);	/* the controller is disabled */
	vdev_log(&d, &a);
	a = wr(DB(2), 4, TRAP_DOORBELL);
	vdev_log_doorbell(&d, &a);
	/* The write after the register write stays after it. */
	ck_assert_uint_eq(d.log_len, 3);
	ck_assert_uint_eq(d.log[0].val, 3);
	ck_assert_uint_eq(d.log[1].gpa, REG_CC);
	ck_assert_uint_eq(d.log[2].val, 4);
	/* A shadow doorbell at the same address is another register. */
	a = wr(DB(2), 5, TRAP_SHADOW_DB);
	vdev_log_doorbell(&d, &a);
	ck_assert_uint_eq(d.log_len, 4);
	/* A narrower write is not merged either. */
	a = wr(DB(2), 6, TRAP_DOORBELL);
	a.size = 2;
	vdev_log_doorbell(&d, &a);
	ck_assert_uint_eq(d.log_len, 5);
}
END_TEST

START_TEST(full_log_retries)
{
	struct vdev d;
	struct access a;
	u32 i;

	init(&d);
	for (i = 0; i < VDEV_LOG_MAX; i++) {
		a = wr(REG_CC, i, TRAP_REGISTER);
		vdev_log(&d, &a);
		ck_assert(!a.retry);
	}
	a = wr(REG_CC, i, TRAP_REGISTER);
	vdev_log(&d, &a);
	ck_assert(a.retry);
	ck_assert_uint_eq(d.log_len, VDEV_LOG_MAX);
	ck_assert_uint_eq(d.log[VDEV_LOG_MAX - 1].val, VDEV_LOG_MAX - 1);
	/* A new doorbell does not fit; one already held still merges. */
	a = wr(DB(2), 1, TRAP_DOORBELL);
	vdev_log_doorbell(&d, &a);
	ck_assert(a.retry);
	d.log_len--;		/* room for one entry */
	d.log_barrier = d.log_len;
	a = wr(DB(2), 1, TRAP_DOORBELL);
	vdev_log_doorbell(&d, &a);
	ck_assert(!a.retry);
	a = wr(DB(2), 2, TRAP_DOORBELL);
	vdev_log_doorbell(&d, &a);
	ck_assert(!a.retry);
	ck_assert_uint_eq(d.log[VDEV_LOG_MAX - 1].val, 2);
}
END_TEST

START_TEST(hold_starts_log)
{
	struct vdev d;
	struct access a = wr(REG_CC, 0x460001, TRAP_REGISTER);

	init(&d);
	d.holding = false;
	d.log_len = 7;		/* left from an earlier hold */
	vdev_hold(&d, &a);
	ck_assert(d.holding && d.handback_wanted);
	ck_assert_uint_eq(d.log_len, 1);
	ck_assert_uint_eq(d.log[0].val, 0x460001);
}
END_TEST

/* Registers as the device ends up after the replay of a log. */
static void replay(const struct access *log, u32 n, u64 *regs)
{
	for (u32 i = 0; i < n; i++)
		regs[(log[i].gpa - DB(0)) / 4 % 64] = log[i].val;
}

START_TEST(random_sequences_end_equal)
{
	static struct access all[20000];
	struct vdev d;
	u64 want[64], got[64];

	srand(12345);
	for (int round = 0; round < 200; round++) {
		u32 n = 0;

		init(&d);
		memset(want, 0, sizeof(want));
		memset(got, 0, sizeof(got));
		while (n < 20000 && d.log_len < VDEV_LOG_MAX - 1) {
			struct access a;

			if (rand() % 50 == 0) {
				a = wr(DB(60), rand(), TRAP_REGISTER);
				vdev_log(&d, &a);
			} else {
				a = wr(DB(rand() % 40), rand() % 4096,
				       TRAP_DOORBELL);
				vdev_log_doorbell(&d, &a);
			}
			ck_assert(!a.retry);
			all[n++] = a;
		}
		replay(all, n, want);
		replay(d.log, d.log_len, got);
		ck_assert_mem_eq(want, got, sizeof(want));
		ck_assert_uint_le(d.log_len, n);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hold_log");
	TCase *tc = tcase_create("log");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, doorbells_merge);
	tcase_add_test(tc, barrier_keeps_order);
	tcase_add_test(tc, full_log_retries);
	tcase_add_test(tc, hold_starts_log);
	tcase_add_test(tc, random_sequences_end_equal);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
