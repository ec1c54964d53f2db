// SPDX-License-Identifier: GPL-2.0
/*
 * msr_scan: read and write MSRs through the msr driver (/dev/cpu/N/msr),
 * to compare what the kernel sees natively and while demoted.
 *
 *	msr_scan read CPU FIRST LAST	one line per MSR from FIRST to LAST:
 *					"0xMSR 0xVALUE", or "0xMSR gp" where
 *					the read faulted (EIO)
 *	msr_scan write CPU MSR VALUE	write VALUE; exit 0 if the write
 *					succeeded, 3 if it faulted (EIO),
 *					1 for anything else
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int open_msr(const char *cpu, int flags)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/dev/cpu/%s/msr", cpu);
	fd = open(path, flags);
	if (fd < 0)
		fprintf(stderr, "msr_scan: %s: %s\n", path, strerror(errno));
	return fd;
}

static int parse(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || !*s || *end ? -1 : 0;
}

int main(int argc, char **argv)
{
	uint64_t first, last, msr, val;
	int fd;

	if (argc == 5 && !strcmp(argv[1], "read") && !parse(argv[3], &first) &&
	    !parse(argv[4], &last) && first <= last && last <= 0xffffffffULL) {
		fd = open_msr(argv[2], O_RDONLY);
		if (fd < 0)
			return 1;
		for (msr = first; msr <= last; msr++) {
			if (pread(fd, &val, 8, (off_t)msr) == 8)
				printf("%#llx %#llx\n", (unsigned long long)msr,
				       (unsigned long long)val);
			else if (errno == EIO)
				printf("%#llx gp\n", (unsigned long long)msr);
			else
				printf("%#llx error %s\n", (unsigned long long)msr,
				       strerror(errno));
		}
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "write") && !parse(argv[3], &msr) &&
	    !parse(argv[4], &val) && msr <= 0xffffffffULL) {
		fd = open_msr(argv[2], O_WRONLY);
		if (fd < 0)
			return 1;
		if (pwrite(fd, &val, 8, (off_t)msr) == 8)
			return 0;
		printf("WRMSR %#llx: %s\n", (unsigned long long)msr,
		       strerror(errno));
		return errno == EIO ? 3 : 1;
	}
	fprintf(stderr, "usage: msr_scan read CPU FIRST LAST | write CPU MSR VALUE\n");
	return 2;
}
