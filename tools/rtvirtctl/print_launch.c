// SPDX-License-Identifier: GPL-2.0
/*
 * rtvirtctl: the launch's output.  Status is one "key: value" per line
 * and one line per CPU, or one JSON object; per-CPU statistics are a
 * table whose columns are sized to their contents, or a JSON array of
 * objects; the exit reasons and their names come from rtvirt_exit_name(),
 * shared with the module.
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
#include "internal.h"

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
	__u32 unknown = rvc_unknown_features(features);
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
		return rvc_u64_cell(st->cpu, buf, len);
	case COL_STATE:
		return rvc_cpu_state_name(st->state, buf, len);
	case COL_LAUNCH_NS:
		return rvc_u64_cell(st->launch_ns, buf, len);
	case COL_UNLAUNCH_NS:
		return rvc_u64_cell(st->unlaunch_ns, buf, len);
	default:
		break;
	}
	if (!guest)
		return "-";
	switch (col->kind) {
	case COL_GENERATION:
		return rvc_u64_cell(st->generation, buf, len);
	case COL_TOTAL:
		return rvc_u64_cell(st->total_exits, buf, len);
	case COL_DENIED:
		return rvc_u64_cell(st->denied_accesses, buf, len);
	default:
		return rvc_u64_cell(st->exits[col->reason], buf, len);
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

