/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtvirtctl's capture command (capture.c), which main() runs.
 */
#ifndef RTVIRTCTL_CAPTURE_H
#define RTVIRTCTL_CAPTURE_H

#include <stdbool.h>

#include "format.h"

/**
 * struct rvc_capture_args - what "rtvirtctl capture" was given
 * @address:	DEV
 * @file:	FILE, "-" for stdout
 * @count:	stop after this many frames; 0: no limit
 * @seconds:	stop after this many seconds; 0: no limit
 * @snaplen:	bytes kept of each frame; 0: all (65535)
 * @ring_kib:	ring size in KiB; 0: the module's default
 */
struct rvc_capture_args {
	const char *address;
	const char *file;
	unsigned long long count;
	unsigned int seconds;
	__u32 snaplen;
	__u32 ring_kib;
};

int rvc_capture_run(int fd, const struct rvc_capture_args *a, bool json);

#endif /* RTVIRTCTL_CAPTURE_H */
