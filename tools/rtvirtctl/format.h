/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtvirtctl output formatting: pure functions that turn the rtvirt UAPI
 * structures into text or JSON, and the parsers and messages of the device
 * commands.  Nothing here does I/O other than writing to the FILE * it is
 * given, so it can be unit tested with fmemopen() and open_memstream().
 *
 * The fixed-size character arrays of the UAPI structures are never assumed
 * to be NUL-terminated: every reader is bounded by the array size.
 */
#ifndef RTVIRTCTL_FORMAT_H
#define RTVIRTCTL_FORMAT_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>

#include <linux/rtvirt.h>

/* Big enough for any name below, including "unknown(4294967295)". */
#define RVC_NAME_BUF		24

/* Big enough for "svm vmx npt ept unknown(0xfffffff0)". */
#define RVC_FEATURES_BUF	48

const char *rvc_state_name(__u32 state, char *buf, size_t len);
const char *rvc_cpu_state_name(__u32 state, char *buf, size_t len);
const char *rvc_backend_name(__u32 backend, char *buf, size_t len);
const char *rvc_feature_name(unsigned int bit);
const char *rvc_features_str(__u32 features, char *buf, size_t len);

void rvc_json_string(FILE *f, const char *s, size_t maxlen);
void rvc_text_field(char *dst, size_t dstlen, const char *src,
		    size_t srclen);

void rvc_print_info_text(FILE *f, const struct rtvirt_info *info);
void rvc_print_info_json(FILE *f, const struct rtvirt_info *info);
void rvc_print_cpu_line(FILE *f, const struct rtvirt_cpu_stats *st);
void rvc_print_status_text(FILE *f, const struct rtvirt_info *info,
			   const struct rtvirt_cpu_stats *st, size_t n);
void rvc_print_status_json(FILE *f, const struct rtvirt_info *info,
			   const struct rtvirt_cpu_stats *st, size_t n);
void rvc_print_stats_text(FILE *f, const struct rtvirt_cpu_stats *st,
			  size_t n);
void rvc_print_stats_json(FILE *f, const struct rtvirt_cpu_stats *st,
			  size_t n);
void rvc_print_devices_text(FILE *f, const struct rtvirt_device *devs,
			    size_t n);
void rvc_print_devices_json(FILE *f, const struct rtvirt_device *devs,
			    size_t n);

/* --- device statistics, trace and fault injection ------------------------ */

/* Big enough for any message of rvc_device_error() and rvc_inject_build(). */
#define RVC_MSG_BUF		192

const char *rvc_trap_name(unsigned int kind);
const char *rvc_nvme_opcode_name(__u8 opcode, bool admin);

void rvc_print_device_stats_text(FILE *f,
				 const struct rtvirt_device_stats *st);
void rvc_print_device_stats_json(FILE *f,
				 const struct rtvirt_device_stats *st);
void rvc_print_trace_text(FILE *f, const struct rtvirt_trace *tr,
			  const struct rtvirt_trace_entry *e, size_t n);
void rvc_print_trace_json(FILE *f, const struct rtvirt_trace *tr,
			  const struct rtvirt_trace_entry *e, size_t n);

int rvc_parse_number(const char *arg, unsigned long long max,
		     unsigned long long *val);
int rvc_parse_address(const char *arg, char *dst, size_t len);

/**
 * struct rvc_inject_args - the options of "rtvirtctl inject" as given
 * @reads:	--reads (or --all) was given
 * @writes:	--writes (or --all) was given
 * @dnr:	--dnr was given
 * @clear:	--clear was given
 * @count:	argument of --count, or NULL
 * @status:	argument of --status, or NULL
 * @delay_us:	argument of --delay-us, or NULL
 * @tx:		--tx (frames the NIC sends) was given
 * @rx:		--rx (frames it receives) was given
 * @drop:	--drop was given
 * @corrupt:	--corrupt was given
 * @percent:	argument of --percent, or NULL
 */
struct rvc_inject_args {
	bool reads;
	bool writes;
	bool dnr;
	bool clear;
	const char *count;
	const char *status;
	const char *delay_us;
	bool tx;
	bool rx;
	bool drop;
	bool corrupt;
	const char *percent;
};

int rvc_parse_percent(const char *arg, __u32 *millionths);

int rvc_inject_build(const struct rvc_inject_args *args, const char *address,
		     struct rtvirt_inject *inj, char *msg, size_t len);

/* The device requests whose errors rvc_device_error() explains. */
enum rvc_dev_op {
	RVC_OP_VIRTUALIZE,
	RVC_OP_DEVIRTUALIZE,
	RVC_OP_STATS,
	RVC_OP_TRACE,
	RVC_OP_INJECT,
	RVC_OP_CAPTURE,
};

const char *rvc_device_error(enum rvc_dev_op op, int err, const char *address,
			     char *buf, size_t len);

/* --- frame capture (pcap) ------------------------------------------------ */

#define RVC_PCAP_HEADER		24	/* bytes of the file header */
#define RVC_PCAP_RECORD		16	/* bytes of a record header */

/**
 * struct rvc_capture_counts - frames written to the pcap file
 * @frames:	all of them
 * @tx:		transmitted ones
 * @rx:		received ones
 * @bytes:	their lengths on the wire, added
 */
struct rvc_capture_counts {
	unsigned long long frames;
	unsigned long long tx;
	unsigned long long rx;
	unsigned long long bytes;
};

int rvc_pcap_header(FILE *f, __u32 snaplen);
long rvc_pcap_records(FILE *f, const void *buf, size_t len,
		      unsigned long long max, struct rvc_capture_counts *n);

#endif /* RTVIRTCTL_FORMAT_H */
