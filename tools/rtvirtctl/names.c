// SPDX-License-Identifier: GPL-2.0
/*
 * rtvirtctl: names of states, backends, features, trap kinds and NVMe
 * opcodes, for text and JSON output alike.  Values the tool does not know
 * are named "unknown(N)" or "0xNN", never dropped.
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

const char *rvc_unknown_name(__u32 val, char *buf, size_t len)
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

	return name ? name : rvc_unknown_name(state, buf, len);
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

	return name ? name : rvc_unknown_name(state, buf, len);
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
	return rvc_unknown_name(backend, buf, len);
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
__u32 rvc_unknown_features(__u32 features)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(feature_names); i++)
		features &= ~feature_names[i].mask;
	return features;
}

void rvc_buf_append(char *buf, size_t len, size_t *off, const char *fmt,
		    ...)
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
	__u32 unknown = rvc_unknown_features(features);
	size_t off = 0;
	unsigned int bit;
	const char *name;

	if (!buf || !len)
		return "";
	buf[0] = '\0';
	if (!features) {
		rvc_buf_append(buf, len, &off, "none");
		return buf;
	}
	for (bit = 0; bit < 32; bit++) {
		name = rvc_feature_name(bit);
		if (name && (features & (1U << bit)))
			rvc_buf_append(buf, len, &off, "%s%s", off ? " " : "",
				   name);
	}
	if (unknown)
		rvc_buf_append(buf, len, &off, "%sunknown(0x%x)", off ? " " : "",
			   unknown);
	return buf;
}


static const char *const trap_names[RTVIRT_TRAP_KINDS] = {
	[RTVIRT_TRAP_REGISTER]		= "register",
	[RTVIRT_TRAP_DOORBELL]		= "doorbell",
	[RTVIRT_TRAP_SHADOW_DB]		= "shadow_db",
	[RTVIRT_TRAP_QUEUE]		= "queue",
	[RTVIRT_TRAP_MSIX]		= "msix",
	[RTVIRT_TRAP_CONFIG_IO]		= "config_io",
	[RTVIRT_TRAP_CONFIG_MMIO]	= "config_mmio",
	[RTVIRT_TRAP_PORT]		= "port",
};

/**
 * rvc_trap_name() - name of a kind of trapped device access
 * @kind:	RTVIRT_TRAP_* value, the index of rtvirt_device_stats.traps
 *
 * Return: "register", "doorbell", "shadow_db", "queue", "msix",
 * "config_io", "config_mmio" or "port" (the sysfs files are
 * traps_<name>), or NULL for an unused kind.
 */
const char *rvc_trap_name(unsigned int kind)
{
	return kind < ARRAY_SIZE(trap_names) ? trap_names[kind] : NULL;
}

/* The counters after the traps, in structure order. */

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
