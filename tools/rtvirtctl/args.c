// SPDX-License-Identifier: GPL-2.0
/*
 * rtvirtctl: the device commands' arguments (numbers, PCI addresses, the
 * inject options and the request they build) and the messages for their
 * errors, apart from main() so that they are unit tested.
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

/* --count, required, 1 to 4294967295: 0, or -EINVAL with @msg written. */
static int inject_count(const struct rvc_inject_args *args,
			unsigned long long *count, char *msg, size_t len)
{
	int err;

	if (!args->count)
		return inject_error(msg, len, "missing --count");
	err = inject_number("count", args->count, UINT32_MAX, "4294967295",
			    count, msg, len);
	if (err)
		return err;
	if (!*count)
		return inject_error(msg, len,
				    "invalid count '%s': at least 1 (--clear cancels)",
				    args->count);
	return 0;
}

/**
 * rvc_parse_percent() - parse a percentage into millionths
 * @arg:	"P" or "P.F": decimal, at most 4 digits after the point, more
 *		than 0 and at most 100
 * @millionths:	the value times 10000
 *
 * Return: 0, or -EINVAL.
 */
int rvc_parse_percent(const char *arg, __u32 *millionths)
{
	unsigned long long v = 0;
	int frac = -1;

	if (!arg || !*arg)
		return -EINVAL;
	for (const char *p = arg; *p; p++) {
		if (*p == '.' && frac < 0 && p != arg && p[1]) {
			frac = 0;
			continue;
		}
		if (*p < '0' || *p > '9' || frac >= 4 || v > 1000000)
			return -EINVAL;
		v = v * 10 + (unsigned long long)(*p - '0');
		if (frac >= 0)
			frac++;
	}
	for (frac = frac < 0 ? 0 : frac; frac < 4; frac++)
		v *= 10;
	if (!v || v > 1000000)
		return -EINVAL;
	*millionths = (__u32)v;
	return 0;
}

/* The frame options of "rtvirtctl inject" (a NIC). */
static int frame_inject_build(const struct rvc_inject_args *args,
			      struct rtvirt_inject *inj, char *msg, size_t len)
{
	unsigned long long count, delay = 0;
	int actions = args->drop + args->corrupt + !!args->delay_us;
	__u32 ppm = 0;
	int err;

	if (args->reads || args->writes || args->status || args->dnr)
		return inject_error(msg, len,
				    "--tx and --rx are for a NIC's frames: no --reads, --writes, --status or --dnr");
	if (!args->tx && !args->rx)
		return inject_error(msg, len, "missing --tx or --rx");
	if (actions != 1)
		return inject_error(msg, len, actions ?
				    "--drop, --corrupt and --delay-us exclude each other" :
				    "missing --drop, --corrupt or --delay-us");
	if (args->delay_us) {
		err = inject_number("delay", args->delay_us,
				    RTVIRT_INJECT_MAX_FRAME_DELAY_US,
				    "500000 us for frames", &delay, msg, len);
		if (err)
			return err;
		if (!delay)
			return inject_error(msg, len,
					    "invalid delay '%s': at least 1 us",
					    args->delay_us);
	}
	if (args->corrupt && args->tx)
		return inject_error(msg, len,
				    "--corrupt is for received frames only (--rx): the NIC checksums what it sends");
	err = inject_count(args, &count, msg, len);
	if (err)
		return err;
	if (args->percent && rvc_parse_percent(args->percent, &ppm))
		return inject_error(msg, len,
				    "invalid percent '%s': more than 0, at most 100, at most 4 decimals",
				    args->percent);
	inj->match = (args->tx ? RTVIRT_INJECT_TX : 0) |
		     (args->rx ? RTVIRT_INJECT_RX : 0);
	inj->count = (__u32)count;
	inj->action = args->drop ? RTVIRT_INJECT_DROP :
		      args->corrupt ? RTVIRT_INJECT_CORRUPT :
		      RTVIRT_INJECT_DELAY;
	inj->delay_us = (__u32)delay;
	inj->probability = ppm;
	return 0;
}

/**
 * rvc_inject_build() - turn the options of "rtvirtctl inject" into a request
 * @args:	the options as given
 * @address:	the device address
 * @inj:	the request to fill in (size, match, address, count, status,
 *		delay_us, action, probability; everything else zero)
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
 * refused.  For a NIC's frames: --tx and/or --rx, one of --drop,
 * --corrupt (received frames only) or --delay-us (1 to
 * RTVIRT_INJECT_MAX_FRAME_DELAY_US), --count, and --percent
 * (rvc_parse_percent(), as probability; every frame without it), with no
 * other command option.
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
		    args->status || args->delay_us || args->tx || args->rx ||
		    args->drop || args->corrupt || args->percent)
			return inject_error(msg, len,
					    "--clear takes no other inject option");
		inj->match = RTVIRT_INJECT_READS | RTVIRT_INJECT_WRITES;
		return 0;
	}
	if (args->tx || args->rx || args->drop || args->corrupt ||
	    args->percent)
		return frame_inject_build(args, inj, msg, len);
	if (!args->reads && !args->writes)
		return inject_error(msg, len,
				    "missing --reads, --writes or --all");
	err = inject_count(args, &count, msg, len);
	if (err)
		return err;
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
	[RVC_OP_CAPTURE]	= "capture",
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
 * EOPNOTSUPP is "ADDR: the VMM does not serve the device as it is set up
 * (see the kernel log)" and EIO "ADDR: the VMM refused the takeover (see
 * the kernel log)"; for devirtualize, ETIMEDOUT is "ADDR: hand-back did
 * not complete within the stall bound, still virtualized"; for inject,
 * EBUSY is "ADDR is not virtualized" and EOPNOTSUPP "ADDR: this device
 * model has no such fault injection (disks take --reads/--writes, NICs
 * --tx/--rx)"; for capture, EBUSY is "ADDR is already
 * being captured" and EOPNOTSUPP "ADDR: this device model has no frame
 * capture".  Anything else is "OP: ADDR: " and the strerror() text, OP
 * being "virtualize", "devirtualize", "RTVIRT_GET_DEVICE_STATS",
 * "RTVIRT_READ_TRACE", "inject" or "capture".
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
		snprintf(buf, len, "%s: the VMM does not serve the device as it is set up (see the kernel log)",
			 address);
	} else if (err == EOPNOTSUPP && op == RVC_OP_INJECT) {
		snprintf(buf, len, "%s: this device model has no such fault injection (disks take --reads/--writes, NICs --tx/--rx)",
			 address);
	} else if (err == EOPNOTSUPP && op == RVC_OP_CAPTURE) {
		snprintf(buf, len, "%s: this device model has no frame capture",
			 address);
	} else if (err == EBUSY && op == RVC_OP_CAPTURE) {
		snprintf(buf, len, "%s is already being captured", address);
	} else if (err == EIO && op == RVC_OP_VIRTUALIZE) {
		snprintf(buf, len, "%s: the VMM refused the takeover (see the kernel log)",
			 address);
	} else {
		snprintf(buf, len, "%s: %s: %s", what, address, strerror(err));
	}
	return buf;
}
