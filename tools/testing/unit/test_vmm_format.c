// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the VMM's vsnprintf (src/vmm/lib/format.c): fixed cases, and a
 * differential test that formats many random conversions with both the
 * VMM's implementation and the C library's and requires identical output
 * and return values, including truncation to small buffers.
 */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vmm/format.h>

#define CHECK_SAME(bufsize, ...)					\
	do {								\
		char want[512], got[512];				\
		int wr, gr;						\
		memset(want, 'X', sizeof(want));			\
		memset(got, 'X', sizeof(got));				\
		wr = snprintf(want, (bufsize), __VA_ARGS__);		\
		gr = vmm_snprintf(got, (bufsize), __VA_ARGS__);		\
		ck_assert_msg(wr == gr && !memcmp(want, got, sizeof(want)), \
			      "format \"%s\" size %zu: libc %d \"%.*s\", vmm %d \"%.*s\"", \
			      fmt, (size_t)(bufsize), wr,		\
			      (int)((size_t)(bufsize) ? (size_t)(bufsize) : 1), want, \
			      gr, (int)((size_t)(bufsize) ? (size_t)(bufsize) : 1), got); \
	} while (0)

/* Formats the compiler must not check: deliberately malformed ones. */
static const char *unchecked(const char *fmt)
{
	return fmt;
}

static const char *null_str(void)
{
	return getenv("RTVIRT_UNIT_NO_SUCH_VARIABLE");
}

START_TEST(fixed_cases)
{
	char buf[64];

	ck_assert_int_eq(vmm_snprintf(buf, sizeof(buf), "cpu %u: %s=%#llx",
				      3U, "efer", 0xd01ULL), 17);
	ck_assert_str_eq(buf, "cpu 3: efer=0xd01");
	ck_assert_int_eq(vmm_snprintf(buf, sizeof(buf), "%d %i %5d|%-5d|%05d",
				      -1, INT_MIN, 42, 42, -42), 32);
	ck_assert_str_eq(buf, "-1 -2147483648    42|42   |-0042");
	vmm_snprintf(buf, sizeof(buf), "%zu %lu %llu", (size_t)7,
		     ULONG_MAX, ULLONG_MAX);
	ck_assert_str_eq(buf, "7 18446744073709551615 18446744073709551615");
	vmm_snprintf(buf, sizeof(buf), "%p %p", (void *)0x1000, (void *)0);
	ck_assert_str_eq(buf, "0x1000 0");
	vmm_snprintf(buf, sizeof(buf), "%s|%.2s|%c%%", null_str(), "abc", 'z');
	ck_assert_str_eq(buf, "(null)|ab|z%");
}
END_TEST

START_TEST(truncation)
{
	char buf[8];

	memset(buf, 'X', sizeof(buf));
	ck_assert_int_eq(vmm_snprintf(buf, 4, "%s", "abcdef"), 6);
	ck_assert_str_eq(buf, "abc");
	ck_assert_int_eq(buf[4], 'X');
	/* Size 0: nothing written, length still returned. */
	memset(buf, 'X', sizeof(buf));
	ck_assert_int_eq(vmm_snprintf(buf, 0, "%d", 12345), 5);
	ck_assert_int_eq(buf[0], 'X');
	ck_assert_int_eq(vmm_snprintf(NULL, 0, "%08x", 1), 8);
	ck_assert_int_eq(vmm_snprintf(buf, 1, "abc"), 3);
	ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(unknown_conversions)
{
	char buf[32];

	/* Copied through literally rather than consuming arguments. */
	ck_assert_int_eq(vmm_snprintf(buf, sizeof(buf), unchecked("a%qb%5yc")), 8);
	ck_assert_str_eq(buf, "a%qb%5yc");
	ck_assert_int_eq(vmm_snprintf(buf, sizeof(buf), unchecked("end%")), 4);
	ck_assert_str_eq(buf, "end%");
	ck_assert_int_eq(vmm_snprintf(buf, sizeof(buf), unchecked("end%-08l")), 8);
	ck_assert_str_eq(buf, "end%-08l");
}
END_TEST

/* Random specs: flags, width, precision and length for one conversion. */
static unsigned long long rng_state = 0x9e3779b97f4a7c15ULL;

static unsigned long long rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void random_spec(char *fmt, size_t size, char conv, bool star_w,
			bool star_p, const char *len)
{
	static const char flag_chars[] = "-0#+ ";
	char flags[8] = "", width[8] = "", prec[8] = "";
	int n = 0;

	for (int i = 0; i < 5; i++)
		if (rnd() % 4 == 0 && !((conv == 's' || conv == 'c') &&
					(flag_chars[i] == '0' ||
					 flag_chars[i] == '#' ||
					 flag_chars[i] == '+' ||
					 flag_chars[i] == ' ')))
			flags[n++] = flag_chars[i];
	flags[n] = '\0';
	if (star_w)
		strcpy(width, "*");
	else if (rnd() % 2)
		snprintf(width, sizeof(width), "%d", (int)(rnd() % 25));
	if (star_p)
		strcpy(prec, ".*");
	else if (conv != 'c' && rnd() % 3 == 0)
		snprintf(prec, sizeof(prec), ".%d", (int)(rnd() % 22));
	snprintf(fmt, size, "<%%%s%s%s%s%c>", flags, width, prec, len, conv);
}

START_TEST(differential_random)
{
	static const char int_convs[] = "diuxXo";
	static const char *const lens[] = { "hh", "h", "", "l", "ll", "z" };
	static const char *const strs[] = { "", "a", "hello", "VMM log line",
					    "0123456789abcdefghijklmnopqrstuvwxyz" };
	char fmt[64];

	for (int iter = 0; iter < 200000; iter++) {
		unsigned long long v = rnd();
		int kind = rnd() % 8;
		bool sw = rnd() % 5 == 0, sp = rnd() % 5 == 0;
		int w = (int)(rnd() % 41) - 20, p = (int)(rnd() % 31) - 10;
		size_t bufsize = rnd() % 3 ? 512 : rnd() % 12;
		const char *len;
		char conv;

		/* Make small magnitudes common: they hit the padding paths. */
		if (rnd() % 2)
			v = (long long)v >> (rnd() % 64);
		if (kind < 6) {
			conv = int_convs[rnd() % 6];
			len = lens[rnd() % 6];
		} else {
			conv = kind == 6 ? 's' : 'c';
			len = "";
			sp = sp && conv == 's';
		}
		random_spec(fmt, sizeof(fmt), conv, sw, sp, len);

#define WITH_ARG(arg)							\
		do {							\
			if (sw && sp)					\
				CHECK_SAME(bufsize, fmt, w, p, arg);	\
			else if (sw)					\
				CHECK_SAME(bufsize, fmt, w, arg);	\
			else if (sp)					\
				CHECK_SAME(bufsize, fmt, p, arg);	\
			else						\
				CHECK_SAME(bufsize, fmt, arg);		\
		} while (0)

		if (conv == 's') {
			WITH_ARG(strs[v % 5]);
		} else if (conv == 'c') {
			WITH_ARG((int)(' ' + v % 95));
		} else if (!strcmp(len, "ll")) {
			WITH_ARG(v);
		} else if (!strcmp(len, "l")) {
			WITH_ARG((unsigned long)v);
		} else if (!strcmp(len, "z")) {
			WITH_ARG((size_t)v);
		} else {
			WITH_ARG((int)v);
		}
#undef WITH_ARG
	}
}
END_TEST

static Suite *format_suite(void)
{
	Suite *s = suite_create("vmm_format");
	TCase *tc = tcase_create("vmm_format");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, fixed_cases);
	tcase_add_test(tc, truncation);
	tcase_add_test(tc, unknown_conversions);
	tcase_add_test(tc, differential_random);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(format_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
