// SPDX-License-Identifier: GPL-2.0
/*
 * dt_probe: the descriptor-table instructions as a process sees them.
 * On VMX rtvirt turns descriptor-table exiting on (for the kernel's LIDT
 * on its way to kexec), which makes SGDT, SIDT, SLDT and STR in ring 3
 * (on CPUs without UMIP) and the kernel's LLDT exit too; the VMM lets
 * them run natively, one step each.  This is what must not change.
 *
 *	dt_probe show CPU	on CPU: print SGDT's and SIDT's base and
 *				limit, SLDT's and STR's selector
 *	dt_probe ldt CPU N	on CPU, one process with an LDT entry and
 *				one without take turns N times (each switch
 *				loads or clears the LDT: LLDT); the first
 *				loads the entry into ES each time and checks
 *				SLDT.  Print the number of rounds done
 *	dt_probe fault		SGDT to a page that is not mapped yet: the
 *				SIGSEGV handler maps it and returns, the
 *				SGDT runs again and stores the table; then
 *				SGDT to a page that stays unmapped, left with
 *				siglongjmp.  Print the number of SIGSEGVs
 *				and of SIGTRAPs (none may come) and whether
 *				the stored limit equals a plain SGDT's
 *
 * Where the CPU has UMIP, the kernel runs these four for ring 3 itself
 * (with made-up values): the SLDT checks are left out there.
 *
 * Exit status 0 on success, 1 on a failed check, 2 on bad usage.
 */
#include <asm/ldt.h>
#include <cpuid.h>
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct __attribute__((packed)) dtr {
	uint16_t limit;
	uint64_t base;
};

static void pin(const char *arg)
{
	char *end;
	long cpu = strtol(arg, &end, 10);
	cpu_set_t set;

	if (*arg == '\0' || *end != '\0' || cpu < 0 || cpu >= CPU_SETSIZE) {
		fprintf(stderr, "dt_probe: CPU %s: not a CPU number\n", arg);
		exit(2);
	}
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		fprintf(stderr, "dt_probe: CPU %ld: %s\n", cpu, strerror(errno));
		exit(2);
	}
}

static int umip;

static void find_umip(void)
{
	unsigned int a, b, c, d;

	umip = __get_cpuid_count(7, 0, &a, &b, &c, &d) && (c & (1U << 2));
}

static uint16_t sldt(void)
{
	uint16_t sel;

	__asm__ __volatile__("sldt %0" : "=r"(sel));
	return sel;
}

static uint16_t str(void)
{
	uint16_t sel;

	__asm__ __volatile__("str %0" : "=r"(sel));
	return sel;
}

static int show(void)
{
	struct dtr gdt, idt;

	__asm__ __volatile__("sgdt %0" : "=m"(gdt));
	__asm__ __volatile__("sidt %0" : "=m"(idt));
	printf("gdt %#llx %#x idt %#llx %#x ldt %#x tr %#x\n",
	       (unsigned long long)gdt.base, gdt.limit,
	       (unsigned long long)idt.base, idt.limit, sldt(), str());
	return 0;
}

#define LDT_ENTRY	0
#define LDT_SELECTOR	((LDT_ENTRY << 3) | 4 | 3)	/* TI = LDT, RPL 3 */

/* A flat ring-3 data segment in the LDT of this process. */
static int install_ldt(void)
{
	struct user_desc d = {
		.entry_number = LDT_ENTRY,
		.base_addr = 0,
		.limit = 0xfffff,
		.seg_32bit = 1,
		.contents = 0,		/* data */
		.read_exec_only = 0,
		.limit_in_pages = 1,
		.seg_not_present = 0,
		.useable = 1,
	};

	if (syscall(SYS_modify_ldt, 1, &d, sizeof(d))) {
		perror("dt_probe: modify_ldt");
		return -1;
	}
	return 0;
}

/* Load the LDT entry into ES (a #GP if the CPU's LDT is not this one). */
static int use_ldt(void)
{
	uint16_t sel = LDT_SELECTOR, back, old;

	__asm__ __volatile__("mov %%es, %0" : "=r"(old));
	__asm__ __volatile__("mov %1, %%es\n\tmov %%es, %0" : "=r"(back) : "r"(sel));
	__asm__ __volatile__("mov %0, %%es" : : "r"(old));
	return back == sel && (umip || sldt() != 0) ? 0 : -1;
}

static int ldt_turns(long rounds)
{
	int ping[2], pong[2], status;
	long done = 0;
	pid_t child;
	char c = 0;

	if (pipe(ping) || pipe(pong)) {
		perror("dt_probe: pipe");
		return 1;
	}
	child = fork();
	if (child < 0) {
		perror("dt_probe: fork");
		return 1;
	}
	if (child == 0) {
		/* No LDT here: the kernel clears the CPU's at each switch. */
		for (long i = 0; i < rounds; i++) {
			if (read(ping[0], &c, 1) != 1 || (!umip && sldt()))
				_exit(1);
			if (write(pong[1], &c, 1) != 1)
				_exit(1);
		}
		_exit(0);
	}
	if (install_ldt() || use_ldt()) {
		fprintf(stderr, "dt_probe: the LDT entry does not load\n");
		kill(child, SIGKILL);
		waitpid(child, &status, 0);
		return 1;
	}
	for (; done < rounds; done++) {
		if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1)
			break;
		if (use_ldt()) {
			fprintf(stderr, "dt_probe: round %ld: the LDT is gone\n",
				done);
			break;
		}
	}
	if (done < rounds)
		kill(child, SIGKILL);
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		fprintf(stderr, "dt_probe: the process without an LDT saw one\n");
		done = -1;
	}
	printf("%ld\n", done);
	return done == rounds ? 0 : 1;
}

static sigjmp_buf jump;
static void *fault_page;
static volatile sig_atomic_t segvs, traps, leave_unmapped;

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	segvs++;
	if (leave_unmapped || (char *)si->si_addr < (char *)fault_page ||
	    (char *)si->si_addr >= (char *)fault_page + 2 * 4096)
		siglongjmp(jump, 1);
	/* Map the page and return: the SGDT runs again. */
	if (mmap(fault_page, 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
		siglongjmp(jump, 2);
}

static void on_trap(int sig)
{
	(void)sig;
	traps++;
}

static int fault(void)
{
	struct sigaction sa = { .sa_sigaction = on_segv,
				.sa_flags = SA_SIGINFO };
	struct dtr plain, *stored;
	volatile int bad = 0;
	int jumped;
	char *area;

	sigaction(SIGSEGV, &sa, NULL);
	signal(SIGTRAP, on_trap);
	__asm__ __volatile__("sgdt %0" : "=m"(plain));
	/* Two pages, unmapped: the first is mapped by the handler. */
	area = mmap(NULL, 2 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	if (area == MAP_FAILED || munmap(area, 2 * 4096)) {
		perror("dt_probe: mmap");
		return 1;
	}
	fault_page = area;
	stored = (struct dtr *)(area + 64);
	jumped = sigsetjmp(jump, 1);
	if (!jumped)
		__asm__ __volatile__("sgdt %0" : "=m"(*stored));
	if (jumped || stored->limit != plain.limit ||
	    stored->base != plain.base) {
		fprintf(stderr, "dt_probe: SGDT after the fault: %s\n",
			jumped ? "did not run again" : "stored something else");
		bad = 1;
	}
	/* The second page stays unmapped: leave the SGDT behind. */
	leave_unmapped = 1;
	stored = (struct dtr *)(area + 4096 + 64);
	jumped = sigsetjmp(jump, 1);
	if (!jumped) {
		__asm__ __volatile__("sgdt %0" : "=m"(*stored));
		fprintf(stderr, "dt_probe: SGDT to an unmapped page stored\n");
		bad = 1;
	}
	/* A TF the step left behind would trap in any of these. */
	for (int i = 0; i < 1000; i++)
		syscall(SYS_getpid);
	sched_yield();
	printf("segv %d trap %d limit %s\n", (int)segvs, (int)traps,
	       bad ? "wrong" : "same");
	return bad || segvs != 2 || traps ? 1 : 0;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: dt_probe show CPU | dt_probe ldt CPU ROUNDS | dt_probe fault\n");
	return 2;
}

int main(int argc, char **argv)
{
	char *end;
	long n;

	find_umip();
	if (argc == 3 && !strcmp(argv[1], "show")) {
		pin(argv[2]);
		return show();
	}
	if (argc == 4 && !strcmp(argv[1], "ldt")) {
		n = strtol(argv[3], &end, 10);
		if (*argv[3] == '\0' || *end != '\0' || n < 1 || n > 10000000)
			return usage();
		pin(argv[2]);
		return ldt_turns(n);
	}
	if (argc == 2 && !strcmp(argv[1], "fault"))
		return fault();
	return usage();
}
