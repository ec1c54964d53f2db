// SPDX-License-Identifier: GPL-2.0
/*
 * rtvirtctl: the devices' output.  The device list is aligned columns;
 * a device's counters (RTVIRT_GET_DEVICE_STATS) are "key: value" lines
 * named like the sysfs files, or one JSON object; its trace
 * (RTVIRT_READ_TRACE) is a table sized to its contents with the NVMe
 * opcodes named, or a JSON object.
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
	{ "tx_frames", offsetof(struct rtvirt_device_stats, tx_frames) },
	{ "rx_frames", offsetof(struct rtvirt_device_stats, rx_frames) },
	{ "tx_bytes", offsetof(struct rtvirt_device_stats, tx_bytes) },
	{ "rx_bytes", offsetof(struct rtvirt_device_stats, rx_bytes) },
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
 * max_stall_ns, dma_refused, injected, handback_retries, tx_frames,
 * rx_frames, tx_bytes and rx_bytes: the names of
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
		rvc_buf_append(buf, len, &off, "injected");
	if (flags & RTVIRT_TRACE_REFUSED)
		rvc_buf_append(buf, len, &off, "%srefused", off ? "," : "");
	if (unknown)
		rvc_buf_append(buf, len, &off, "%s0x%02x", off ? "," : "",
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
		return rvc_u64_cell(e->seq, buf, len);
	case TC_QUEUE:
		return rvc_u64_cell(e->queue, buf, len);
	case TC_OPCODE:
		return trace_opcode(e, buf, len);
	case TC_CID:
		return rvc_u64_cell(e->cid, buf, len);
	case TC_LBA:
		return rvc_u64_cell(e->lba, buf, len);
	case TC_BYTES:
		return rvc_u64_cell(e->bytes, buf, len);
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

