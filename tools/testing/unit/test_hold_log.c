// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the hand-back hold log (src/vmm/dev/hold_log.c): accesses
 * kept in order, a full log that makes the access come back (retry)
 * instead of losing it, and a hold that starts a new log.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <vmm/device.h>

#define REG_CC		0xf0000014ULL

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

START_TEST(lookup_newest_write)
{
	struct vdev d;
	struct access a;
	u64 val = 0;

	init(&d);
	a = wr(REG_CC, 1, TRAP_REGISTER);
	vdev_log(&d, &a);
	a = wr(REG_CC + 4, 7, TRAP_REGISTER);
	vdev_log(&d, &a);
	a = wr(REG_CC, 2, TRAP_REGISTER);
	vdev_log(&d, &a);
	ck_assert(vdev_log_lookup(&d, REG_CC, 4, &val));
	ck_assert_uint_eq(val, 2);
	ck_assert(!vdev_log_lookup(&d, REG_CC, 2, &val));
	ck_assert(!vdev_log_lookup(&d, REG_CC + 8, 4, &val));
	a = wr(0x80001000 | 4, 6, TRAP_CONFIG_IO);
	vdev_log(&d, &a);
	ck_assert(!vdev_log_lookup(&d, 0x80001000 | 4, 4, &val));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hold_log");
	TCase *tc = tcase_create("log");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, full_log_retries);
	tcase_add_test(tc, hold_starts_log);
	tcase_add_test(tc, lookup_newest_write);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
