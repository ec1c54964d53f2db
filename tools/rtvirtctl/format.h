/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtvirtctl output formatting: pure functions that turn the rtvirt UAPI
 * structures into text or JSON.  Nothing here does I/O other than writing
 * to the FILE * it is given, so it can be unit tested with fmemopen() and
 * open_memstream().
 *
 * The fixed-size character arrays of the UAPI structures are never assumed
 * to be NUL-terminated: every reader is bounded by the array size.
 */
#ifndef RTVIRTCTL_FORMAT_H
#define RTVIRTCTL_FORMAT_H

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

#endif /* RTVIRTCTL_FORMAT_H */
