// SPDX-License-Identifier: GPL-2.0
/*
 * rtvirtctl output formatting.
 *
 * Text output is one "key: value" per line (status) or aligned columns
 * (devices); strings coming from the kernel are cleaned of anything but
 * printable ASCII so they cannot break the layout or the terminal.  JSON
 * output is always valid JSON: strings are escaped, and bytes that are not
 * valid UTF-8 become U+FFFD.  No reader here goes past the end of a UAPI
 * character array, whether or not the kernel NUL-terminated it.
 *
 * Per-CPU statistics (RTVIRT_GET_CPU_STATS) are rendered as one line per
 * CPU after the status summary, as a table whose columns are sized to their
 * contents (stats), or as a JSON array of objects; the exit reasons and
 * their names come from rtvirt_exit_name(), shared with the module.
 *
 * A device's counters (RTVIRT_GET_DEVICE_STATS) are "key: value" lines
 * named like the sysfs files, or one JSON object; its trace
 * (RTVIRT_READ_TRACE) is a table sized to its contents with the NVMe
 * opcodes named, or a JSON object.  The parsers of the device commands'
 * arguments (numbers, addresses, the inject options) and the messages for
 * their errors are here too, so that they are unit tested as well.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rtvirt/common.h>

#include "format.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#ifndef __printf
#define __printf(a, b)	__attribute__((format(printf, a, b)))
#endif

static const char *const backend_names[] = {
	[RTVIRT_BACKEND_NONE]	= "none",
	[RTVIRT_BACKEND_SVM]	= "svm",
	[RTVIRT_BACKEND_VMX]	= "vmx",
};

static const struct {
	__u32 mask;
	const char *name;
} feature_names[] = {
	{ RTVIRT_FEAT_SVM, "svm" },
	{ RTVIRT_FEAT_VMX, "vmx" },
	{ RTVIRT_FEAT_NPT, "npt" },
	{ RTVIRT_FEAT_EPT, "ept" },
};

static const char *unknown_name(__u32 val, char *buf, size_t len)
{
	if (!buf || !len)
		return "unknown";
	snprintf(buf, len, "unknown(%u)", val);
	return buf;
}

/**
 * rvc_state_name() - name of a device state
 * @state:	RTVIRT_DEV_* value as returned by the kernel
 * @buf:	scratch buffer for unknown values (RVC_NAME_BUF bytes suffice)
 * @len:	size of @buf
 *
 * Return: "native", "virtualizing", "virtualized" or "devirtualizing", or
 * @buf filled with "unknown(N)" for any other value (truncated to @len, or
 * the constant "unknown" when @buf is NULL or @len is 0).
 */
const char *rvc_state_name(__u32 state, char *buf, size_t len)
{
	const char *name = rtvirt_device_state_name(state);

	return name ? name : unknown_name(state, buf, len);
}

/**
 * rvc_cpu_state_name() - name of a CPU's late-launch state
 * @state:	RTVIRT_CPU_* value as returned by the kernel
 * @buf:	scratch buffer for unknown values (RVC_NAME_BUF bytes suffice)
 * @len:	size of @buf
 *
 * Return: "native", "guest", "offline" or "no-answer", or "unknown(N)" as
 * for rvc_state_name().
 */
const char *rvc_cpu_state_name(__u32 state, char *buf, size_t len)
{
	const char *name = rtvirt_cpu_state_name(state);

	return name ? name : unknown_name(state, buf, len);
}

/**
 * rvc_backend_name() - name of a VMM backend
 * @backend:	RTVIRT_BACKEND_* value as returned by the kernel
 * @buf:	scratch buffer for unknown values (RVC_NAME_BUF bytes suffice)
 * @len:	size of @buf
 *
 * Return: "none", "svm" or "vmx", or "unknown(N)" as for rvc_state_name().
 */
const char *rvc_backend_name(__u32 backend, char *buf, size_t len)
{
	if (backend < ARRAY_SIZE(backend_names) && backend_names[backend])
		return backend_names[backend];
	return unknown_name(backend, buf, len);
}

/**
 * rvc_feature_name() - name of one feature bit
 * @bit:	bit number in rtvirt_info.features (0 for RTVIRT_FEAT_SVM)
 *
 * Return: "svm", "vmx", "npt" or "ept", or NULL for a bit with no name.
 */
const char *rvc_feature_name(unsigned int bit)
{
	size_t i;

	if (bit >= 32)
		return NULL;
	for (i = 0; i < ARRAY_SIZE(feature_names); i++)
		if (feature_names[i].mask == 1U << bit)
			return feature_names[i].name;
	return NULL;
}

/* Feature bits that rvc_feature_name() has no name for. */
static __u32 unknown_features(__u32 features)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(feature_names); i++)
		features &= ~feature_names[i].mask;
	return features;
}

static __printf(4, 5) void buf_append(char *buf, size_t len, size_t *off,
				      const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	*off = (size_t)n < len - *off ? *off + n : len;
}

/**
 * rvc_features_str() - space-separated names of a feature mask
 * @features:	rtvirt_info.features
 * @buf:	output buffer (RVC_FEATURES_BUF bytes suffice)
 * @len:	size of @buf
 *
 * Known bits are named in bit order ("svm npt"); any remaining bits are
 * appended as one "unknown(0xMASK)" word; an empty mask gives "none".  The
 * result is truncated to fit @len and always NUL-terminated.
 *
 * Return: @buf, or "" when @buf is NULL or @len is 0.
 */
const char *rvc_features_str(__u32 features, char *buf, size_t len)
{
	__u32 unknown = unknown_features(features);
	size_t off = 0;
	unsigned int bit;
	const char *name;

	if (!buf || !len)
		return "";
	buf[0] = '\0';
	if (!features) {
		buf_append(buf, len, &off, "none");
		return buf;
	}
	for (bit = 0; bit < 32; bit++) {
		name = rvc_feature_name(bit);
		if (name && (features & (1U << bit)))
			buf_append(buf, len, &off, "%s%s", off ? " " : "",
				   name);
	}
	if (unknown)
		buf_append(buf, len, &off, "%sunknown(0x%x)", off ? " " : "",
			   unknown);
	return buf;
}

/*
 * Length of the valid UTF-8 sequence at @s, of at most @avail bytes, or 0
 * when it is not one (stray continuation byte, overlong form, surrogate,
 * beyond U+10FFFF, or cut short).
 */
static size_t utf8_seq_len(const unsigned char *s, size_t avail)
{
	unsigned int cp, min;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
		min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n > avail)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/**
 * rvc_json_string() - write a string as a quoted JSON string
 * @f:		output stream
 * @s:		string; may be NULL (written as "")
 * @maxlen:	bytes of @s that may be read; the string ends at the first
 *		NUL or after @maxlen bytes, whichever comes first
 *
 * Quotes and backslashes are backslash-escaped, \b \f \n \r \t use their
 * short forms, other control characters and DEL become \u00XX, valid UTF-8
 * is copied and every byte that is not part of valid UTF-8 becomes \ufffd.
 */
void rvc_json_string(FILE *f, const char *s, size_t maxlen)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = s ? strnlen(s, maxlen) : 0;
	size_t i = 0, n;

	fputc('"', f);
	while (i < len) {
		n = 1;
		switch (p[i]) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (p[i] < 0x20 || p[i] == 0x7f) {
				fprintf(f, "\\u%04x", p[i]);
			} else if (p[i] < 0x80) {
				fputc(p[i], f);
			} else {
				n = utf8_seq_len(p + i, len - i);
				if (n) {
					fwrite(p + i, 1, n, f);
				} else {
					fputs("\\ufffd", f);
					n = 1;
				}
			}
			break;
		}
		i += n;
	}
	fputc('"', f);
}

/**
 * rvc_text_field() - copy a kernel string for text output
 * @dst:	output buffer
 * @dstlen:	size of @dst; nothing is written when it is 0
 * @src:	string; may be NULL
 * @srclen:	bytes of @src that may be read (it ends at the first NUL or
 *		after @srclen bytes)
 *
 * Every byte outside printable ASCII (0x20-0x7e) becomes '?', an empty
 * string becomes "-" so that columns stay parseable, and the result is
 * truncated to fit @dstlen and always NUL-terminated.
 */
void rvc_text_field(char *dst, size_t dstlen, const char *src,
		    size_t srclen)
{
	size_t len = src ? strnlen(src, srclen) : 0;
	size_t i;

	if (!dstlen)
		return;
	if (!len) {
		snprintf(dst, dstlen, "-");
		return;
	}
	if (len > dstlen - 1)
		len = dstlen - 1;
	for (i = 0; i < len; i++) {
		unsigned char c = src[i];

		dst[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	dst[len] = '\0';
}

/**
 * rvc_print_info_text() - render RTVIRT_GET_INFO output as text
 * @f:		output stream
 * @info:	structure filled in by the kernel
 *
 * Writes one "key: value" line each for version, abi_version, vmm_version
 * (major.minor), backend, features (names or "none"), virtualized, cpus,
 * devices and vmm_image_size (bytes).
 */
void rvc_print_info_text(FILE *f, const struct rtvirt_info *info)
{
	char version[RTVIRT_NAME_LEN + 1];
	char features[RVC_FEATURES_BUF];
	char backend[RVC_NAME_BUF];

	rvc_text_field(version, sizeof(version), info->version,
		       sizeof(info->version));
	fprintf(f, "version: %s\n", version);
	fprintf(f, "abi_version: %u\n", info->abi_version);
	fprintf(f, "vmm_version: %u.%u\n", info->vmm_version >> 16,
		info->vmm_version & 0xffff);
	fprintf(f, "backend: %s\n",
		rvc_backend_name(info->backend, backend, sizeof(backend)));
	fprintf(f, "features: %s\n",
		rvc_features_str(info->features, features, sizeof(features)));
	fprintf(f, "virtualized: %u\n", info->virtualized);
	fprintf(f, "cpus: %u\n", info->nr_cpus);
	fprintf(f, "devices: %u\n", info->nr_devices);
	fprintf(f, "vmm_image_size: %llu\n",
		(unsigned long long)info->vmm_image_size);
}

static void json_features(FILE *f, __u32 features)
{
	__u32 unknown = unknown_features(features);
	const char *sep = "";
	unsigned int bit;
	const char *name;

	fputc('[', f);
	for (bit = 0; bit < 32; bit++) {
		name = rvc_feature_name(bit);
		if (name && (features & (1U << bit))) {
			fprintf(f, "%s\"%s\"", sep, name);
			sep = ", ";
		}
	}
	if (unknown)
		fprintf(f, "%s\"unknown(0x%x)\"", sep, unknown);
	fputc(']', f);
}

/* The members of the info object, from "{" to the last value. */
static void json_info_members(FILE *f, const struct rtvirt_info *info)
{
	char backend[RVC_NAME_BUF];

	fputs("{\n  \"version\": ", f);
	rvc_json_string(f, info->version, sizeof(info->version));
	fprintf(f, ",\n  \"abi_version\": %u", info->abi_version);
	fprintf(f, ",\n  \"vmm_version\": \"%u.%u\"",
		info->vmm_version >> 16, info->vmm_version & 0xffff);
	fputs(",\n  \"backend\": ", f);
	rvc_json_string(f, rvc_backend_name(info->backend, backend,
					    sizeof(backend)),
			sizeof(backend));
	fputs(",\n  \"features\": ", f);
	json_features(f, info->features);
	fprintf(f, ",\n  \"virtualized\": %u", info->virtualized);
	fprintf(f, ",\n  \"cpus\": %u", info->nr_cpus);
	fprintf(f, ",\n  \"devices\": %u", info->nr_devices);
	fprintf(f, ",\n  \"vmm_image_size\": %llu",
		(unsigned long long)info->vmm_image_size);
}

/**
 * rvc_print_info_json() - render RTVIRT_GET_INFO output as JSON
 * @f:		output stream
 * @info:	structure filled in by the kernel
 *
 * Writes one JSON object with the keys of rvc_print_info_text(); version,
 * vmm_version and backend are strings, features an array of strings, the
 * rest numbers.  The output ends with a newline.
 */
void rvc_print_info_json(FILE *f, const struct rtvirt_info *info)
{
	json_info_members(f, info);
	fputs("\n}\n", f);
}

/* --- per-CPU statistics ------------------------------------------------- */

/**
 * rvc_print_cpu_line() - one CPU's state as a line of the status text
 * @f:		output stream
 * @st:		structure filled in by the kernel
 *
 * Writes "cpuN: guest (vmm cpu V, generation G, launch U us, exits E)" for
 * a CPU in the guest state, the launch time in whole microseconds (rounded
 * down), and "cpuN: STATE" with the state's name for any other state.
 */
void rvc_print_cpu_line(FILE *f, const struct rtvirt_cpu_stats *st)
{
	char state[RVC_NAME_BUF];

	fprintf(f, "cpu%u: %s", st->cpu,
		rvc_cpu_state_name(st->state, state, sizeof(state)));
	if (st->state == RTVIRT_CPU_GUEST) {
		fprintf(f, " (vmm cpu %u, generation %llu, launch %llu us, ",
			st->vmm_cpu, (unsigned long long)st->generation,
			(unsigned long long)st->launch_ns / 1000);
		fprintf(f, "exits %llu)", (unsigned long long)st->total_exits);
	}
	fputc('\n', f);
}

/**
 * rvc_print_status_text() - render the status command's text output
 * @f:		output stream
 * @info:	RTVIRT_GET_INFO structure filled in by the kernel
 * @st:		RTVIRT_GET_CPU_STATS structures; may be NULL when @n is 0
 * @n:		number of CPUs in @st
 *
 * Writes rvc_print_info_text(), then rvc_print_cpu_line() for every CPU.
 */
void rvc_print_status_text(FILE *f, const struct rtvirt_info *info,
			   const struct rtvirt_cpu_stats *st, size_t n)
{
	size_t i;

	rvc_print_info_text(f, info);
	for (i = 0; st && i < n; i++)
		rvc_print_cpu_line(f, &st[i]);
}

/* One CPU as a one-line JSON object. */
static void json_cpu(FILE *f, const struct rtvirt_cpu_stats *st)
{
	char state[RVC_NAME_BUF];
	const char *sep = "";
	const char *name;
	unsigned int r;

	fprintf(f, "{\"cpu\": %u, \"state\": ", st->cpu);
	rvc_json_string(f, rvc_cpu_state_name(st->state, state, sizeof(state)),
			sizeof(state));
	fprintf(f, ", \"vmm_cpu\": %u, \"generation\": %llu, ", st->vmm_cpu,
		(unsigned long long)st->generation);
	fprintf(f, "\"launch_ns\": %llu, \"unlaunch_ns\": %llu, ",
		(unsigned long long)st->launch_ns,
		(unsigned long long)st->unlaunch_ns);
	fprintf(f, "\"total_exits\": %llu, \"denied_accesses\": %llu, ",
		(unsigned long long)st->total_exits,
		(unsigned long long)st->denied_accesses);
	fputs("\"exits\": {", f);
	for (r = 0; r < RTVIRT_EXIT_REASONS; r++) {
		name = rtvirt_exit_name(r);
		if (!name)
			continue;
		fputs(sep, f);
		rvc_json_string(f, name, RVC_NAME_BUF);
		fprintf(f, ": %llu", (unsigned long long)st->exits[r]);
		sep = ", ";
	}
	fputs("}}", f);
}

/*
 * A JSON array of CPU objects, one per line, each indented by @indent
 * plus two spaces; the closing bracket is indented by @indent and not
 * followed by a newline.  No CPUs give "[]".
 */
static void json_cpus(FILE *f, const struct rtvirt_cpu_stats *st, size_t n,
		      const char *indent)
{
	size_t i;

	if (!st || !n) {
		fputs("[]", f);
		return;
	}
	fputs("[\n", f);
	for (i = 0; i < n; i++) {
		fprintf(f, "%s  ", indent);
		json_cpu(f, &st[i]);
		fputs(i + 1 < n ? ",\n" : "\n", f);
	}
	fprintf(f, "%s]", indent);
}

/**
 * rvc_print_status_json() - render the status command's JSON output
 * @f:		output stream
 * @info:	RTVIRT_GET_INFO structure filled in by the kernel
 * @st:		RTVIRT_GET_CPU_STATS structures; may be NULL when @n is 0
 * @n:		number of CPUs in @st
 *
 * Writes the object of rvc_print_info_json() with one more key,
 * "cpu_stats", whose value is the array of rvc_print_stats_json() (its
 * objects indented by four spaces).  The output ends with a newline.
 */
void rvc_print_status_json(FILE *f, const struct rtvirt_info *info,
			   const struct rtvirt_cpu_stats *st, size_t n)
{
	json_info_members(f, info);
	fputs(",\n  \"cpu_stats\": ", f);
	json_cpus(f, st, n, "  ");
	fputs("\n}\n", f);
}

/**
 * rvc_print_stats_json() - render RTVIRT_GET_CPU_STATS output as JSON
 * @f:		output stream
 * @st:		structures from the kernel; may be NULL when @n is 0
 * @n:		number of CPUs in @st
 *
 * Writes a JSON array with one object per CPU, one object per line: cpu,
 * vmm_cpu, generation, launch_ns, unlaunch_ns, total_exits and
 * denied_accesses as numbers (as the kernel reports them, so 0 where a
 * CPU is not in the guest state, launch_ns and unlaunch_ns excepted),
 * state as its name, and exits as an object mapping every exit reason that
 * has a name, in reason order, to its count.  No CPUs give "[]".  The
 * output ends with a newline.
 */
void rvc_print_stats_json(FILE *f, const struct rtvirt_cpu_stats *st,
			  size_t n)
{
	json_cpus(f, st, n, "");
	fputc('\n', f);
}

/* Columns of the stats table, then one per named exit reason. */
enum stats_col {
	COL_CPU,
	COL_STATE,
	COL_GENERATION,
	COL_LAUNCH_NS,
	COL_UNLAUNCH_NS,
	COL_TOTAL,
	COL_DENIED,
	COL_EXIT,
};

#define STATS_MAX_COLS	(COL_EXIT + RTVIRT_EXIT_REASONS)

/* Big enough for a u64 in decimal and for any state name. */
#define CELL_BUF	24

struct stats_column {
	enum stats_col kind;
	unsigned int reason;		/* RTVIRT_EXIT_* for COL_EXIT */
	char header[CELL_BUF];
	size_t width;
};

static const char *const stats_headers[COL_EXIT] = {
	[COL_CPU]		= "CPU",
	[COL_STATE]		= "STATE",
	[COL_GENERATION]	= "GENERATION",
	[COL_LAUNCH_NS]		= "LAUNCH_NS",
	[COL_UNLAUNCH_NS]	= "UNLAUNCH_NS",
	[COL_TOTAL]		= "TOTAL",
	[COL_DENIED]		= "DENIED",
};

/* The columns of the table; returns their number. */
static size_t stats_columns(struct stats_column *cols)
{
	const char *name;
	unsigned int r;
	size_t n, i;

	for (n = 0; n < COL_EXIT; n++) {
		cols[n].kind = (enum stats_col)n;
		cols[n].reason = 0;
		snprintf(cols[n].header, sizeof(cols[n].header), "%s",
			 stats_headers[n]);
	}
	for (r = 0; r < RTVIRT_EXIT_REASONS; r++) {
		name = rtvirt_exit_name(r);
		if (!name)
			continue;
		cols[n].kind = COL_EXIT;
		cols[n].reason = r;
		snprintf(cols[n].header, sizeof(cols[n].header), "%s", name);
		for (i = 0; cols[n].header[i]; i++)
			cols[n].header[i] = toupper((unsigned char)
						    cols[n].header[i]);
		n++;
	}
	return n;
}

static const char *u64_cell(__u64 val, char *buf, size_t len)
{
	snprintf(buf, len, "%llu", (unsigned long long)val);
	return buf;
}

/*
 * One cell of the table.  What only the VMM knows (generation, exit
 * counts) is "-" unless the CPU is in the guest state.
 */
static const char *stats_cell(const struct rtvirt_cpu_stats *st,
			      const struct stats_column *col, char *buf,
			      size_t len)
{
	bool guest = st->state == RTVIRT_CPU_GUEST;

	switch (col->kind) {
	case COL_CPU:
		return u64_cell(st->cpu, buf, len);
	case COL_STATE:
		return rvc_cpu_state_name(st->state, buf, len);
	case COL_LAUNCH_NS:
		return u64_cell(st->launch_ns, buf, len);
	case COL_UNLAUNCH_NS:
		return u64_cell(st->unlaunch_ns, buf, len);
	default:
		break;
	}
	if (!guest)
		return "-";
	switch (col->kind) {
	case COL_GENERATION:
		return u64_cell(st->generation, buf, len);
	case COL_TOTAL:
		return u64_cell(st->total_exits, buf, len);
	case COL_DENIED:
		return u64_cell(st->denied_accesses, buf, len);
	default:
		return u64_cell(st->exits[col->reason], buf, len);
	}
}

static void stats_row(FILE *f, const struct stats_column *cols,
		      size_t ncols, const char *const *cells)
{
	size_t i;

	for (i = 0; i < ncols; i++) {
		if (i)
			fputc(' ', f);
		if (cols[i].kind == COL_STATE)
			fprintf(f, "%-*s", (int)cols[i].width, cells[i]);
		else
			fprintf(f, "%*s", (int)cols[i].width, cells[i]);
	}
	fputc('\n', f);
}

/**
 * rvc_print_stats_text() - render RTVIRT_GET_CPU_STATS output as a table
 * @f:		output stream
 * @st:		structures from the kernel; may be NULL when @n is 0
 * @n:		number of CPUs in @st
 *
 * Writes a header line, CPU STATE GENERATION LAUNCH_NS UNLAUNCH_NS TOTAL
 * DENIED and then the upper-cased name of every exit reason that has one,
 * in reason order, and one row per CPU.  Each column is as wide as its
 * header or its widest value, columns are separated by one space, STATE is
 * left-aligned and every other column right-aligned, so no line ends in a
 * space.  GENERATION, TOTAL, DENIED and the exit counts are "-" for a CPU
 * that is not in the guest state.
 */
void rvc_print_stats_text(FILE *f, const struct rtvirt_cpu_stats *st,
			  size_t n)
{
	struct stats_column cols[STATS_MAX_COLS];
	char bufs[STATS_MAX_COLS][CELL_BUF];
	const char *cells[STATS_MAX_COLS] = { NULL };
	size_t ncols, c, i, len;

	ncols = stats_columns(cols);
	for (c = 0; c < ncols; c++)
		cols[c].width = strlen(cols[c].header);
	for (i = 0; st && i < n; i++) {
		for (c = 0; c < ncols; c++) {
			len = strlen(stats_cell(&st[i], &cols[c], bufs[c],
						sizeof(bufs[c])));
			if (len > cols[c].width)
				cols[c].width = len;
		}
	}
	for (c = 0; c < ncols; c++)
		cells[c] = cols[c].header;
	stats_row(f, cols, ncols, cells);
	for (i = 0; st && i < n; i++) {
		for (c = 0; c < ncols; c++)
			cells[c] = stats_cell(&st[i], &cols[c], bufs[c],
					      sizeof(bufs[c]));
		stats_row(f, cols, ncols, cells);
	}
}

/*
 * Column layout of the text device list: fixed widths (15, 11, 9, 15 and
 * 12 characters) wide enough for a PCI address, an interface or controller
 * name, a model and a state; every column but the last is followed by at
 * least one space.
 */
#define DEV_ROW_FMT	"%-15s %-11s %-9s %-15s %-12s %s\n"

/**
 * rvc_print_devices_text() - render RTVIRT_LIST_DEVICES output as text
 * @f:		output stream
 * @devs:	entries filled in by the kernel; may be NULL when @n is 0
 * @n:		number of entries to print
 *
 * Writes the header line, then one aligned row per device with its
 * address, name ("-" when empty), model, state, virtualized flag and
 * vendor:device ID in hex.
 */
void rvc_print_devices_text(FILE *f, const struct rtvirt_device *devs,
			    size_t n)
{
	char address[RTVIRT_ADDR_LEN + 1];
	char name[RTVIRT_NAME_LEN + 1];
	char model[RTVIRT_NAME_LEN + 1];
	char state[RVC_NAME_BUF];
	char virtualized[16];
	char id[16];
	size_t i;

	fprintf(f, DEV_ROW_FMT, "ADDRESS", "NAME", "MODEL", "STATE",
		"VIRTUALIZED", "ID");
	for (i = 0; devs && i < n; i++) {
		const struct rtvirt_device *d = &devs[i];

		rvc_text_field(address, sizeof(address), d->address,
			       sizeof(d->address));
		rvc_text_field(name, sizeof(name), d->name, sizeof(d->name));
		rvc_text_field(model, sizeof(model), d->model,
			       sizeof(d->model));
		snprintf(virtualized, sizeof(virtualized), "%u",
			 d->virtualized);
		snprintf(id, sizeof(id), "%04x:%04x", d->vendor, d->device);
		fprintf(f, DEV_ROW_FMT, address, name, model,
			rvc_state_name(d->state, state, sizeof(state)),
			virtualized, id);
	}
}

/**
 * rvc_print_devices_json() - render RTVIRT_LIST_DEVICES output as JSON
 * @f:		output stream
 * @devs:	entries filled in by the kernel; may be NULL when @n is 0
 * @n:		number of entries to print
 *
 * Writes a JSON array with one object per device, one object per line:
 * address, name and model as strings, vendor and device as "0xXXXX", class
 * as "0xXXXXXX", state as its name and virtualized as a number.  An empty
 * list is "[]".  The output ends with a newline.
 */
void rvc_print_devices_json(FILE *f, const struct rtvirt_device *devs,
			    size_t n)
{
	char state[RVC_NAME_BUF];
	size_t i;

	if (!devs || !n) {
		fputs("[]\n", f);
		return;
	}
	fputs("[\n", f);
	for (i = 0; i < n; i++) {
		const struct rtvirt_device *d = &devs[i];

		fputs("  {\"address\": ", f);
		rvc_json_string(f, d->address, sizeof(d->address));
		fputs(", \"name\": ", f);
		rvc_json_string(f, d->name, sizeof(d->name));
		fputs(", \"model\": ", f);
		rvc_json_string(f, d->model, sizeof(d->model));
		fprintf(f, ", \"vendor\": \"0x%04x\", \"device\": \"0x%04x\"",
			d->vendor, d->device);
		fprintf(f, ", \"class\": \"0x%06x\", \"state\": ", d->class);
		rvc_json_string(f, rvc_state_name(d->state, state,
						  sizeof(state)),
				sizeof(state));
		fprintf(f, ", \"virtualized\": %u}%s\n", d->virtualized,
			i + 1 < n ? "," : "");
	}
	fputs("]\n", f);
}

/* --- device statistics -------------------------------------------------- */

static const char *const trap_names[RTVIRT_TRAP_KINDS] = {
	[RTVIRT_TRAP_REGISTER]		= "register",
	[RTVIRT_TRAP_DOORBELL]		= "doorbell",
	[RTVIRT_TRAP_SHADOW_DB]		= "shadow_db",
	[RTVIRT_TRAP_QUEUE]		= "queue",
	[RTVIRT_TRAP_MSIX]		= "msix",
	[RTVIRT_TRAP_CONFIG_IO]		= "config_io",
	[RTVIRT_TRAP_CONFIG_MMIO]	= "config_mmio",
};

/**
 * rvc_trap_name() - name of a kind of trapped device access
 * @kind:	RTVIRT_TRAP_* value, the index of rtvirt_device_stats.traps
 *
 * Return: "register", "doorbell", "shadow_db", "queue", "msix",
 * "config_io" or "config_mmio" (the sysfs files are traps_<name>), or NULL
 * for an unused kind.
 */
const char *rvc_trap_name(unsigned int kind)
{
	return kind < ARRAY_SIZE(trap_names) ? trap_names[kind] : NULL;
}

/* The counters after the traps, in structure order. */
static const struct {
	const char *name;
	size_t offset;
} dev_counters[] = {
	{ "ios", offsetof(struct rtvirt_device_stats, ios) },
	{ "virtualizations",
	  offsetof(struct rtvirt_device_stats, virtualizations) },
	{ "devirtualizations",
	  offsetof(struct rtvirt_device_stats, devirtualizations) },
	{ "replayed", offsetof(struct rtvirt_device_stats, replayed) },
	{ "last_stall_ns",
	  offsetof(struct rtvirt_device_stats, last_stall_ns) },
	{ "max_stall_ns", offsetof(struct rtvirt_device_stats, max_stall_ns) },
	{ "dma_refused", offsetof(struct rtvirt_device_stats, dma_refused) },
	{ "injected", offsetof(struct rtvirt_device_stats, injected) },
	{ "handback_retries",
	  offsetof(struct rtvirt_device_stats, handback_retries) },
};

static unsigned long long dev_counter(const struct rtvirt_device_stats *st,
				      size_t i)
{
	__u64 val;

	memcpy(&val, (const char *)st + dev_counters[i].offset, sizeof(val));
	return (unsigned long long)val;
}

/**
 * rvc_print_device_stats_text() - render RTVIRT_GET_DEVICE_STATS as text
 * @f:		output stream
 * @st:		structure filled in by the kernel
 *
 * Writes one "key: value" line each for address, state (its name),
 * traps_<kind> for every kind rvc_trap_name() names, in kind order, ios,
 * virtualizations, devirtualizations, replayed, last_stall_ns,
 * max_stall_ns, dma_refused, injected and handback_retries: the names of
 * the files under /sys/kernel/rtvirt/devices/<address>/stats/.
 */
void rvc_print_device_stats_text(FILE *f,
				 const struct rtvirt_device_stats *st)
{
	char address[RTVIRT_ADDR_LEN + 1];
	char state[RVC_NAME_BUF];
	const char *name;
	unsigned int k;
	size_t i;

	rvc_text_field(address, sizeof(address), st->address,
		       sizeof(st->address));
	fprintf(f, "address: %s\n", address);
	fprintf(f, "state: %s\n",
		rvc_state_name(st->state, state, sizeof(state)));
	for (k = 0; k < RTVIRT_TRAP_KINDS; k++) {
		name = rvc_trap_name(k);
		if (name)
			fprintf(f, "traps_%s: %llu\n", name,
				(unsigned long long)st->traps[k]);
	}
	for (i = 0; i < ARRAY_SIZE(dev_counters); i++)
		fprintf(f, "%s: %llu\n", dev_counters[i].name,
			dev_counter(st, i));
}

/**
 * rvc_print_device_stats_json() - render RTVIRT_GET_DEVICE_STATS as JSON
 * @f:		output stream
 * @st:		structure filled in by the kernel
 *
 * Writes one JSON object, one key per line: address and state as strings,
 * traps as an object mapping every named kind, in kind order, to its count,
 * and the other counters of rvc_print_device_stats_text() as numbers.  The
 * output ends with a newline.
 */
void rvc_print_device_stats_json(FILE *f,
				 const struct rtvirt_device_stats *st)
{
	char state[RVC_NAME_BUF];
	const char *sep = "";
	const char *name;
	unsigned int k;
	size_t i;

	fputs("{\n  \"address\": ", f);
	rvc_json_string(f, st->address, sizeof(st->address));
	fputs(",\n  \"state\": ", f);
	rvc_json_string(f, rvc_state_name(st->state, state, sizeof(state)),
			sizeof(state));
	fputs(",\n  \"traps\": {", f);
	for (k = 0; k < RTVIRT_TRAP_KINDS; k++) {
		name = rvc_trap_name(k);
		if (!name)
			continue;
		fprintf(f, "%s\"%s\": %llu", sep, name,
			(unsigned long long)st->traps[k]);
		sep = ", ";
	}
	fputc('}', f);
	for (i = 0; i < ARRAY_SIZE(dev_counters); i++)
		fprintf(f, ",\n  \"%s\": %llu", dev_counters[i].name,
			dev_counter(st, i));
	fputs("\n}\n", f);
}

/* --- device trace ------------------------------------------------------- */

struct opcode_name {
	__u8 opcode;
	const char *name;
};

static const struct opcode_name io_opcodes[] = {
	{ 0x00, "flush" },
	{ 0x01, "write" },
	{ 0x02, "read" },
	{ 0x08, "write-zeroes" },
	{ 0x09, "dsm" },
};

static const struct opcode_name admin_opcodes[] = {
	{ 0x00, "delete-sq" },
	{ 0x01, "create-sq" },
	{ 0x02, "get-log-page" },
	{ 0x04, "delete-cq" },
	{ 0x05, "create-cq" },
	{ 0x06, "identify" },
	{ 0x08, "abort" },
	{ 0x09, "set-features" },
	{ 0x0a, "get-features" },
	{ 0x0c, "async-event" },
	{ 0x7c, "dbbuf-config" },
};

/**
 * rvc_nvme_opcode_name() - name of an NVMe command opcode
 * @opcode:	the command's opcode
 * @admin:	true for an admin command (queue 0), false for an I/O command
 *
 * Return: "flush", "write", "read", "write-zeroes" or "dsm" for the I/O
 * commands, "delete-sq", "create-sq", "get-log-page", "delete-cq",
 * "create-cq", "identify", "abort", "set-features", "get-features",
 * "async-event" or "dbbuf-config" for the admin commands, or NULL for any
 * other opcode.
 */
const char *rvc_nvme_opcode_name(__u8 opcode, bool admin)
{
	const struct opcode_name *t = admin ? admin_opcodes : io_opcodes;
	size_t n = admin ? ARRAY_SIZE(admin_opcodes) : ARRAY_SIZE(io_opcodes);
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].opcode == opcode)
			return t[i].name;
	return NULL;
}

static bool trace_admin(const struct rtvirt_trace_entry *e)
{
	return (e->flags & RTVIRT_TRACE_ADMIN) || !e->queue;
}

/* The opcode's name, or "0xNN". */
static const char *trace_opcode(const struct rtvirt_trace_entry *e,
				char *buf, size_t len)
{
	const char *name = rvc_nvme_opcode_name(e->opcode, trace_admin(e));

	if (name)
		return name;
	snprintf(buf, len, "0x%02x", e->opcode);
	return buf;
}

/*
 * The flags of the text output: "injected", "refused", both joined by a
 * comma, then any bits without a name (the admin bit aside, which the
 * queue shows) as one "0xNN"; "-" when none is set.
 */
static const char *trace_flags(__u8 flags, char *buf, size_t len)
{
	unsigned int unknown = flags & ~(RTVIRT_TRACE_INJECTED |
					 RTVIRT_TRACE_REFUSED |
					 RTVIRT_TRACE_ADMIN);
	size_t off = 0;

	buf[0] = '\0';
	if (flags & RTVIRT_TRACE_INJECTED)
		buf_append(buf, len, &off, "injected");
	if (flags & RTVIRT_TRACE_REFUSED)
		buf_append(buf, len, &off, "%srefused", off ? "," : "");
	if (unknown)
		buf_append(buf, len, &off, "%s0x%02x", off ? "," : "",
			   unknown);
	return off ? buf : "-";
}

enum trace_col {
	TC_SEQ,
	TC_QUEUE,
	TC_OPCODE,
	TC_CID,
	TC_LBA,
	TC_BYTES,
	TC_STATUS,
	TC_LATENCY,
	TC_FLAGS,
	TRACE_COLS,
};

static const char *const trace_headers[TRACE_COLS] = {
	[TC_SEQ]	= "SEQ",
	[TC_QUEUE]	= "QUEUE",
	[TC_OPCODE]	= "OPCODE",
	[TC_CID]	= "CID",
	[TC_LBA]	= "LBA",
	[TC_BYTES]	= "BYTES",
	[TC_STATUS]	= "STATUS",
	[TC_LATENCY]	= "LATENCY_US",
	[TC_FLAGS]	= "FLAGS",
};

static const char *trace_cell(const struct rtvirt_trace_entry *e,
			      enum trace_col col, char *buf, size_t len)
{
	unsigned long long tenths;

	switch (col) {
	case TC_SEQ:
		return u64_cell(e->seq, buf, len);
	case TC_QUEUE:
		return u64_cell(e->queue, buf, len);
	case TC_OPCODE:
		return trace_opcode(e, buf, len);
	case TC_CID:
		return u64_cell(e->cid, buf, len);
	case TC_LBA:
		return u64_cell(e->lba, buf, len);
	case TC_BYTES:
		return u64_cell(e->bytes, buf, len);
	case TC_STATUS:
		snprintf(buf, len, e->status ? "0x%04x" : "0x%04x(ok)",
			 e->status);
		return buf;
	case TC_LATENCY:
		tenths = (unsigned long long)e->latency_ns / 100;
		snprintf(buf, len, "%llu.%llu", tenths / 10, tenths % 10);
		return buf;
	default:
		return trace_flags(e->flags, buf, len);
	}
}

/* STATUS and the name-like columns are left-aligned, numbers right. */
static void trace_row(FILE *f, const size_t *width,
		      const char *const *cells)
{
	int c;

	for (c = 0; c < TRACE_COLS; c++) {
		if (c)
			fputc(' ', f);
		if (c == TC_FLAGS)
			fputs(cells[c], f);
		else if (c == TC_OPCODE || c == TC_STATUS)
			fprintf(f, "%-*s", (int)width[c], cells[c]);
		else
			fprintf(f, "%*s", (int)width[c], cells[c]);
	}
	fputc('\n', f);
}

/**
 * rvc_print_trace_text() - render RTVIRT_READ_TRACE output as a table
 * @f:		output stream
 * @tr:		the request as the kernel filled it in (dropped is used)
 * @e:		the entries, oldest first; may be NULL when @n is 0
 * @n:		number of entries in @e
 *
 * Writes the header line SEQ QUEUE OPCODE CID LBA BYTES STATUS LATENCY_US
 * FLAGS, one row per entry, and the line "entries: N, dropped: D".  OPCODE
 * is the command's name (admin names for queue 0 or the admin flag, I/O
 * names otherwise) or "0xNN"; STATUS is "0xNNNN", followed by "(ok)" when
 * 0; LATENCY_US is latency_ns in microseconds with one decimal, rounded
 * down; FLAGS is "injected", "refused", both joined by a comma, or "-".
 * Columns are as wide as their header or widest value and separated by one
 * space; OPCODE and STATUS are left-aligned, FLAGS is not padded and the
 * other columns are right-aligned, so no line ends in a space.
 */
void rvc_print_trace_text(FILE *f, const struct rtvirt_trace *tr,
			  const struct rtvirt_trace_entry *e, size_t n)
{
	char bufs[TRACE_COLS][CELL_BUF];
	const char *cells[TRACE_COLS];
	size_t width[TRACE_COLS];
	size_t i, len;
	int c;

	for (c = 0; c < TRACE_COLS; c++)
		width[c] = strlen(trace_headers[c]);
	for (i = 0; e && i < n; i++) {
		for (c = 0; c < TRACE_COLS; c++) {
			len = strlen(trace_cell(&e[i], (enum trace_col)c,
						bufs[c], sizeof(bufs[c])));
			if (len > width[c])
				width[c] = len;
		}
	}
	trace_row(f, width, trace_headers);
	for (i = 0; e && i < n; i++) {
		for (c = 0; c < TRACE_COLS; c++)
			cells[c] = trace_cell(&e[i], (enum trace_col)c,
					      bufs[c], sizeof(bufs[c]));
		trace_row(f, width, cells);
	}
	fprintf(f, "entries: %zu, dropped: %llu\n", e ? n : 0,
		(unsigned long long)tr->dropped);
}

/* One trace entry as a one-line JSON object. */
static void json_trace_entry(FILE *f, const struct rtvirt_trace_entry *e)
{
	static const struct {
		__u8 mask;
		const char *name;
	} flag_names[] = {
		{ RTVIRT_TRACE_INJECTED, "injected" },
		{ RTVIRT_TRACE_REFUSED, "refused" },
		{ RTVIRT_TRACE_ADMIN, "admin" },
	};
	unsigned int unknown = e->flags;
	char buf[CELL_BUF];
	const char *sep = "";
	size_t i;

	fprintf(f, "{\"seq\": %llu, \"submit_ns\": %llu, ",
		(unsigned long long)e->seq, (unsigned long long)e->submit_ns);
	fprintf(f, "\"latency_ns\": %llu, \"queue\": %u, \"cid\": %u, ",
		(unsigned long long)e->latency_ns, e->queue, e->cid);
	fprintf(f, "\"opcode\": \"0x%02x\", \"command\": ", e->opcode);
	rvc_json_string(f, trace_opcode(e, buf, sizeof(buf)), sizeof(buf));
	fprintf(f, ", \"lba\": %llu, \"bytes\": %u, ",
		(unsigned long long)e->lba, e->bytes);
	fprintf(f, "\"status\": \"0x%04x\", \"flags\": [", e->status);
	for (i = 0; i < ARRAY_SIZE(flag_names); i++) {
		if (!(e->flags & flag_names[i].mask))
			continue;
		fprintf(f, "%s\"%s\"", sep, flag_names[i].name);
		sep = ", ";
		unknown &= ~flag_names[i].mask;
	}
	if (unknown)
		fprintf(f, "%s\"unknown(0x%02x)\"", sep, unknown);
	fputs("]}", f);
}

/**
 * rvc_print_trace_json() - render RTVIRT_READ_TRACE output as JSON
 * @f:		output stream
 * @tr:		the request as the kernel filled it in (address, dropped)
 * @e:		the entries, oldest first; may be NULL when @n is 0
 * @n:		number of entries in @e
 *
 * Writes one JSON object with the keys address (string), dropped (number)
 * and entries, an array with one object per entry, one object per line:
 * seq, submit_ns, latency_ns, queue, cid, lba and bytes as numbers, opcode
 * as "0xNN", command as the OPCODE of the text output, status as "0xNNNN"
 * and flags as an array of "injected", "refused", "admin" and
 * "unknown(0xNN)" for other bits.  No entries give "entries": [].  The
 * output ends with a newline.
 */
void rvc_print_trace_json(FILE *f, const struct rtvirt_trace *tr,
			  const struct rtvirt_trace_entry *e, size_t n)
{
	size_t i;

	fputs("{\n  \"address\": ", f);
	rvc_json_string(f, tr->address, sizeof(tr->address));
	fprintf(f, ",\n  \"dropped\": %llu,\n  \"entries\": ",
		(unsigned long long)tr->dropped);
	if (!e || !n) {
		fputs("[]\n}\n", f);
		return;
	}
	fputs("[\n", f);
	for (i = 0; i < n; i++) {
		fputs("    ", f);
		json_trace_entry(f, &e[i]);
		fputs(i + 1 < n ? ",\n" : "\n", f);
	}
	fputs("  ]\n}\n", f);
}

/* --- arguments of the device commands ----------------------------------- */

/**
 * rvc_parse_number() - parse a non-negative number strictly
 * @arg:	the argument; decimal, or hexadecimal after "0x" or "0X"
 * @max:	largest value accepted
 * @val:	result on success
 *
 * The whole string must be the number: no sign, no spaces, no suffix, and
 * leading zeros do not make it octal.
 *
 * Return: 0 on success, -EINVAL when @arg (or NULL) is not a number,
 * -ERANGE when it is larger than @max.  *@val is set only on success.
 */
int rvc_parse_number(const char *arg, unsigned long long max,
		     unsigned long long *val)
{
	unsigned long long v;
	int base = 10;
	char *end;

	if (!arg)
		return -EINVAL;
	if (arg[0] == '0' && (arg[1] == 'x' || arg[1] == 'X')) {
		base = 16;
		arg += 2;
		if (!isxdigit((unsigned char)arg[0]))
			return -EINVAL;
	} else if (!isdigit((unsigned char)arg[0])) {
		return -EINVAL;
	}
	errno = 0;
	v = strtoull(arg, &end, base);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v > max)
		return -ERANGE;
	*val = v;
	return 0;
}

/**
 * rvc_parse_address() - copy a device address for a request
 * @arg:	the address as given, e.g. "0000:00:04.0"
 * @dst:	the request's address array, zero-filled and NUL-terminated
 * @len:	size of @dst (RTVIRT_ADDR_LEN)
 *
 * The address itself is checked by the kernel (ENODEV when it manages no
 * such device); here it only has to be non-empty and fit with its NUL.
 *
 * Return: 0 on success, -EINVAL for an empty or NULL @arg, -ENAMETOOLONG
 * when it does not fit.  @dst is changed only on success.
 */
int rvc_parse_address(const char *arg, char *dst, size_t len)
{
	size_t n = arg ? strlen(arg) : 0;

	if (!n)
		return -EINVAL;
	if (n >= len)
		return -ENAMETOOLONG;
	memset(dst, 0, len);
	memcpy(dst, arg, n);
	return 0;
}

static __printf(3, 4) int inject_error(char *msg, size_t len,
				       const char *fmt, ...)
{
	va_list ap;

	if (msg && len) {
		va_start(ap, fmt);
		vsnprintf(msg, len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* One number of the inject options: 0, or -EINVAL with @msg written. */
static int inject_number(const char *what, const char *arg,
			 unsigned long long max, const char *max_text,
			 unsigned long long *val, char *msg, size_t len)
{
	int err = rvc_parse_number(arg, max, val);

	if (err == -ERANGE)
		return inject_error(msg, len, "invalid %s '%s': at most %s",
				    what, arg, max_text);
	if (err)
		return inject_error(msg, len, "invalid %s '%s': not a number",
				    what, arg);
	return 0;
}

#define INJECT_STATUS_MAX	0x7fff
#define INJECT_DNR		(1U << 14)

/**
 * rvc_inject_build() - turn the options of "rtvirtctl inject" into a request
 * @args:	the options as given
 * @address:	the device address
 * @inj:	the request to fill in (size, match, address, count, status,
 *		delay_us; everything else zero)
 * @msg:	buffer for the reason of a rejection (RVC_MSG_BUF bytes
 *		suffice); may be NULL
 * @len:	size of @msg
 *
 * --clear alone gives count 0 with match RTVIRT_INJECT_READS |
 * RTVIRT_INJECT_WRITES, status 0 and delay 0: it cancels the device's
 * injection.  Otherwise --reads and/or --writes (--all sets both) and
 * --count are required; --count is 1 to 4294967295; --status a number of
 * at most 0x7fff, to which --dnr (which needs --status) adds bit 14; and
 * --delay-us at most RTVIRT_INJECT_MAX_DELAY_US.  The numbers are parsed
 * by rvc_parse_number().  A status of 0 with no delay does nothing and is
 * refused.
 *
 * Return: 0 on success, -EINVAL with a one-line reason (no newline) in
 * @msg otherwise.
 */
int rvc_inject_build(const struct rvc_inject_args *args, const char *address,
		     struct rtvirt_inject *inj, char *msg, size_t len)
{
	unsigned long long count, status = 0, delay = 0;
	int err;

	memset(inj, 0, sizeof(*inj));
	inj->size = sizeof(*inj);
	err = rvc_parse_address(address, inj->address, sizeof(inj->address));
	if (err)
		return inject_error(msg, len, "invalid device address '%s': %s",
				    address ? address : "",
				    err == -ENAMETOOLONG ? "too long" :
				    "empty");
	if (args->clear) {
		if (args->reads || args->writes || args->dnr || args->count ||
		    args->status || args->delay_us)
			return inject_error(msg, len,
					    "--clear takes no other inject option");
		inj->match = RTVIRT_INJECT_READS | RTVIRT_INJECT_WRITES;
		return 0;
	}
	if (!args->reads && !args->writes)
		return inject_error(msg, len,
				    "missing --reads, --writes or --all");
	if (!args->count)
		return inject_error(msg, len, "missing --count");
	err = inject_number("count", args->count, UINT32_MAX, "4294967295",
			    &count, msg, len);
	if (err)
		return err;
	if (!count)
		return inject_error(msg, len,
				    "invalid count '%s': at least 1 (--clear cancels)",
				    args->count);
	if (args->status) {
		err = inject_number("status", args->status, INJECT_STATUS_MAX,
				    "0x7fff (15 bits)", &status, msg, len);
		if (err)
			return err;
	}
	if (args->dnr) {
		if (!args->status)
			return inject_error(msg, len, "--dnr needs --status");
		status |= INJECT_DNR;
	}
	if (args->delay_us) {
		err = inject_number("delay", args->delay_us,
				    RTVIRT_INJECT_MAX_DELAY_US,
				    "10000000 us", &delay, msg, len);
		if (err)
			return err;
	}
	if (!status && !delay)
		return inject_error(msg, len,
				    "nothing to inject: give a non-zero --status or --delay-us");
	inj->match = (args->reads ? RTVIRT_INJECT_READS : 0) |
		     (args->writes ? RTVIRT_INJECT_WRITES : 0);
	inj->count = (__u32)count;
	inj->status = (__u16)status;
	inj->delay_us = (__u32)delay;
	return 0;
}

static const char *const dev_op_names[] = {
	[RVC_OP_VIRTUALIZE]	= "virtualize",
	[RVC_OP_DEVIRTUALIZE]	= "devirtualize",
	[RVC_OP_STATS]		= "RTVIRT_GET_DEVICE_STATS",
	[RVC_OP_TRACE]		= "RTVIRT_READ_TRACE",
	[RVC_OP_INJECT]		= "inject",
};

/**
 * rvc_device_error() - the message for a failed device request
 * @op:		which request failed
 * @err:	its errno value
 * @address:	the device address as given
 * @buf:	output buffer (RVC_MSG_BUF bytes suffice for a 31-character
 *		address)
 * @len:	size of @buf
 *
 * ENODEV is "no managed device ADDR" for every request.  For virtualize
 * and devirtualize, EBUSY is "ADDR is busy (...)"; for virtualize,
 * EOPNOTSUPP is "ADDR: this device model cannot be virtualized" and EIO
 * "ADDR: the VMM refused the takeover (see the kernel log)"; for
 * devirtualize, ETIMEDOUT is "ADDR: hand-back did not complete within the
 * stall bound, still virtualized"; for inject, EBUSY is "ADDR is not
 * virtualized".  Anything else is "OP: ADDR: " and the strerror() text,
 * OP being "virtualize", "devirtualize", "RTVIRT_GET_DEVICE_STATS",
 * "RTVIRT_READ_TRACE" or "inject".
 *
 * Return: @buf, holding the message without "rtvirtctl: " and newline,
 * truncated to @len; "" when @buf is NULL or @len is 0.
 */
const char *rvc_device_error(enum rvc_dev_op op, int err, const char *address,
			     char *buf, size_t len)
{
	const char *what = (unsigned int)op < ARRAY_SIZE(dev_op_names) ?
			   dev_op_names[op] : "request";

	if (!buf || !len)
		return "";
	if (!address)
		address = "";
	if (err == ENODEV) {
		snprintf(buf, len, "no managed device %s", address);
	} else if (err == EBUSY && (op == RVC_OP_VIRTUALIZE ||
				    op == RVC_OP_DEVIRTUALIZE)) {
		snprintf(buf, len, "%s is busy (the VMM is not launched, or the device is changing state)",
			 address);
	} else if (err == EBUSY && op == RVC_OP_INJECT) {
		snprintf(buf, len, "%s is not virtualized", address);
	} else if (err == ETIMEDOUT && op == RVC_OP_DEVIRTUALIZE) {
		snprintf(buf, len, "%s: hand-back did not complete within the stall bound, still virtualized",
			 address);
	} else if (err == EOPNOTSUPP && op == RVC_OP_VIRTUALIZE) {
		snprintf(buf, len, "%s: this device model cannot be virtualized",
			 address);
	} else if (err == EIO && op == RVC_OP_VIRTUALIZE) {
		snprintf(buf, len, "%s: the VMM refused the takeover (see the kernel log)",
			 address);
	} else {
		snprintf(buf, len, "%s: %s: %s", what, address, strerror(err));
	}
	return buf;
}
