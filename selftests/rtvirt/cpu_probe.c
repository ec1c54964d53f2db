// SPDX-License-Identifier: GPL-2.0
/*
 * cpu_probe: what user space sees of the CPU under rtvirt.
 *
 *	cpu_probe vmmcall	exit 0 if VMMCALL in ring 3 raised #UD (SIGILL),
 *				1 if it did anything else
 *	cpu_probe vmcall	the same for VMCALL (Intel's)
 *	cpu_probe svm		print 1 if CPUID reports SVM, else 0
 *	cpu_probe vmx		print 1 if CPUID reports VMX, else 0
 *	cpu_probe cpuid N [P]	run CPUID (leaf 0) N times, each followed by
 *				a read of P distinct pages (default 0, at most
 *				4096), and print the mean nanoseconds of one
 *				round, real time.  Demoted, each CPUID is a VM
 *				exit, so the difference to the native figure
 *				is what one exit costs on this machine with a
 *				working set of P pages.
 */
#include <cpuid.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static sigjmp_buf jump;

static void on_sigill(int sig)
{
	(void)sig;
	siglongjmp(jump, 1);
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

#define PROBE_PAGE	4096
#define PROBE_MAX_PAGES	4096

/* @arg as a count from 1 (0 if @zero) to @max, or -1 with a message. */
static long long count_arg(const char *what, const char *arg, int zero,
			   unsigned long long max)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || end == arg || *end || *arg == '-' || (!v && !zero) ||
	    v > max) {
		fprintf(stderr, "cpu_probe: cpuid: %s: a number from %d to %llu, not \"%s\"\n",
			what, !zero, max, arg);
		return -1;
	}
	return (long long)v;
}

/*
 * The mean nanoseconds of one CPUID of leaf 0 followed by a read of
 * @pages_arg pages (NULL: none), over the count @n_arg.
 */
static int cpuid_cost(const char *n_arg, const char *pages_arg)
{
	long long n, pages = 0, i, p;
	unsigned long long t0, t1;
	unsigned int a, b, c, d;
	volatile unsigned char *buf;
	unsigned long long sum = 0;

	n = count_arg("count", n_arg, 0, 100000000ULL);
	if (pages_arg)
		pages = count_arg("pages", pages_arg, 1, PROBE_MAX_PAGES);
	if (n < 0 || pages < 0)
		return 2;
	buf = calloc(pages ? pages : 1, PROBE_PAGE);
	if (!buf) {
		perror("cpu_probe: cpuid");
		return 1;
	}
	for (p = 0; p < pages; p++)	/* fault them in, once */
		buf[p * PROBE_PAGE] = 1;
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		__cpuid(0, a, b, c, d);
		for (p = 0; p < pages; p++)
			sum += buf[p * PROBE_PAGE];
	}
	t1 = now_ns();
	(void)a; (void)b; (void)c; (void)d;
	if (sum != (unsigned long long)n * pages)
		fprintf(stderr, "cpu_probe: cpuid: read %llu, not %llu\n", sum,
			(unsigned long long)n * pages);
	printf("%.1f\n", (double)(t1 - t0) / n);
	free((void *)buf);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int a, b, c, d;

	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "cpuid"))
		return cpuid_cost(argv[2], argc == 4 ? argv[3] : NULL);

	if (argc == 2 && !strcmp(argv[1], "svm")) {
		if (!__get_cpuid(0x80000001, &a, &b, &c, &d))
			c = 0;
		printf("%u\n", (c >> 2) & 1);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "vmx")) {
		if (!__get_cpuid(1, &a, &b, &c, &d))
			c = 0;
		printf("%u\n", (c >> 5) & 1);
		return 0;
	}
	if (argc == 2 && (!strcmp(argv[1], "vmmcall") ||
			  !strcmp(argv[1], "vmcall"))) {
		bool amd = !strcmp(argv[1], "vmmcall");

		signal(SIGILL, on_sigill);
		if (sigsetjmp(jump, 1)) {
			printf("%s in ring 3: SIGILL\n", amd ? "VMMCALL" : "VMCALL");
			return 0;
		}
		/* RAX = RTVIRT_HC_PING: must not reach the VMM from ring 3. */
		if (amd)
			__asm__ volatile("vmmcall" : "=a"(a) : "a"(1)
					 : "rbx", "rcx", "rdx", "memory");
		else
			__asm__ volatile("vmcall" : "=a"(a) : "a"(1)
					 : "rbx", "rcx", "rdx", "memory");
		printf("%s in ring 3 returned %#x\n", amd ? "VMMCALL" : "VMCALL",
		       a);
		return 1;
	}
	fprintf(stderr, "usage: cpu_probe vmmcall|vmcall|svm|vmx|cpuid N [PAGES]\n");
	return 2;
}
