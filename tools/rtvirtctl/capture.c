// SPDX-License-Identifier: GPL-2.0
/*
 * rtvirtctl capture DEV FILE: start a capture of DEV on the control
 * device, read its frames every 10 ms into FILE as pcap until the count or
 * the time is reached or SIGINT/SIGTERM arrives, then stop and say what
 * was captured and what the VMM had to drop.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"

#define READ_BUF	(1U << 20)	/* holds any record (65 535 bytes) */
#define POLL_NS		10000000L	/* between reads that found nothing */

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int capture_ioctl(int fd, struct rtvirt_capture *c, __u32 op)
{
	int ret;

	c->op = op;
	do {
		ret = ioctl(fd, RTVIRT_CAPTURE, c);
	} while (ret < 0 && errno == EINTR && op != RTVIRT_CAPTURE_START);
	return ret < 0 ? errno : 0;
}

static void summary(const struct rvc_capture_args *a,
		    const struct rvc_capture_counts *n,
		    const struct rtvirt_capture *c, bool json)
{
	if (json) {
		printf("{\"device\": ");
		rvc_json_string(stdout, a->address, RTVIRT_ADDR_LEN);
		printf(", \"file\": ");
		rvc_json_string(stdout, a->file, 4096);
		printf(", \"frames\": %llu, \"tx\": %llu, \"rx\": %llu, \"bytes\": %llu, \"dropped\": %llu, \"snaplen\": %u, \"ring_kib\": %u}\n",
		       n->frames, n->tx, n->rx, n->bytes,
		       (unsigned long long)c->dropped, c->snaplen, c->ring_kib);
		return;
	}
	fprintf(stderr,
		"rtvirtctl: %s: %llu frames (%llu transmitted, %llu received, %llu bytes) written to %s; %llu dropped for want of room in the ring (%u KiB)\n",
		a->address, n->frames, n->tx, n->rx, n->bytes, a->file,
		(unsigned long long)c->dropped, c->ring_kib);
}

/**
 * rvc_capture_run() - the capture command
 * @fd:		the control device
 * @a:		its arguments
 * @json:	print the summary as JSON on stdout (text goes to stderr)
 *
 * Return: 0, or 1 when the capture could not start, a read failed or the
 * file could not be written.
 */
int rvc_capture_run(int fd, const struct rvc_capture_args *a, bool json)
{
	struct rvc_capture_counts n = { 0 };
	struct rtvirt_capture c;
	struct sigaction sa;
	char msg[RVC_MSG_BUF];
	double end = a->seconds ? now_s() + a->seconds : 0;
	FILE *out;
	void *buf;
	unsigned int extra = 0;
	long w;
	int err, ret = 1;

	buf = malloc(READ_BUF);
	if (!buf) {
		fprintf(stderr, "rtvirtctl: capture: %s\n", strerror(ENOMEM));
		return 1;
	}
	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	rvc_parse_address(a->address, c.address, sizeof(c.address));
	c.snaplen = a->snaplen;
	c.ring_kib = a->ring_kib;
	err = capture_ioctl(fd, &c, RTVIRT_CAPTURE_START);
	if (err) {
		fprintf(stderr, "rtvirtctl: %s\n",
			rvc_device_error(RVC_OP_CAPTURE, err, a->address, msg,
					 sizeof(msg)));
		free(buf);
		return 1;
	}
	out = strcmp(a->file, "-") ? fopen(a->file, "wb") : stdout;
	if (!out) {
		fprintf(stderr, "rtvirtctl: %s: %s\n", a->file, strerror(errno));
		goto stop;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (rvc_pcap_header(out, a->snaplen ? a->snaplen :
			    RTVIRT_CAPTURE_SNAPLEN_MAX))
		goto write_failed;
	for (;;) {
		bool last = stop_requested || (end && now_s() >= end);

		c.buf = (__u64)(uintptr_t)buf;
		c.buf_size = READ_BUF;
		err = capture_ioctl(fd, &c, RTVIRT_CAPTURE_READ);
		if (err) {
			fprintf(stderr, "rtvirtctl: capture: %s: reading frames: %s\n",
				a->address, strerror(err));
			goto close;
		}
		w = rvc_pcap_records(out, buf, c.bytes,
				     a->count ? a->count - n.frames : 0, &n);
		if (w < 0)
			goto write_failed;
		/* At the end, what the VMM wrote until then (a few reads). */
		if ((a->count && n.frames >= a->count) ||
		    (last && (!c.bytes || ++extra >= 8)))
			break;
		if (!c.bytes) {
			struct timespec ts = { 0, POLL_NS };

			nanosleep(&ts, NULL);
		}
	}
	if (fflush(out))
		goto write_failed;
	ret = 0;
	goto close;
write_failed:
	fprintf(stderr, "rtvirtctl: %s: %s\n", a->file,
		errno ? strerror(errno) : "a malformed record");
close:
	if (out != stdout && fclose(out) && !ret) {
		fprintf(stderr, "rtvirtctl: %s: %s\n", a->file, strerror(errno));
		ret = 1;
	}
stop:
	err = capture_ioctl(fd, &c, RTVIRT_CAPTURE_STOP);
	if (err && !ret) {
		fprintf(stderr, "rtvirtctl: capture: %s: stopping: %s\n",
			a->address, strerror(err));
		ret = 1;
	}
	if (!ret)
		summary(a, &n, &c, json);
	free(buf);
	return ret;
}
