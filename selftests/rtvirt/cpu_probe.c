// SPDX-License-Identifier: GPL-2.0
/*
 * cpu_probe: what user space sees of the CPU under rtvirt.
 *
 *	cpu_probe vmmcall	exit 0 if VMMCALL in ring 3 raised #UD (SIGILL),
 *				1 if it did anything else
 *	cpu_probe svm		print 1 if CPUID reports SVM, else 0
 */
#include <cpuid.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static sigjmp_buf jump;

static void on_sigill(int sig)
{
	(void)sig;
	siglongjmp(jump, 1);
}

int main(int argc, char **argv)
{
	unsigned int a, b, c, d;

	if (argc == 2 && !strcmp(argv[1], "svm")) {
		if (!__get_cpuid(0x80000001, &a, &b, &c, &d))
			c = 0;
		printf("%u\n", (c >> 2) & 1);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "vmmcall")) {
		signal(SIGILL, on_sigill);
		if (sigsetjmp(jump, 1)) {
			printf("VMMCALL in ring 3: SIGILL\n");
			return 0;
		}
		/* RAX = RTVIRT_HC_PING: must not reach the VMM from ring 3. */
		__asm__ volatile("vmmcall" : "=a"(a) : "a"(1) : "rbx", "rcx", "rdx",
			     "memory");
		printf("VMMCALL in ring 3 returned %#x\n", a);
		return 1;
	}
	fprintf(stderr, "usage: cpu_probe vmmcall|svm\n");
	return 2;
}
