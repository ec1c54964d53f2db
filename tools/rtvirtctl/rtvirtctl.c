// SPDX-License-Identifier: GPL-2.0
/*
 * rtvirtctl: inspect and control the rtvirt module through /dev/rtvirt.
 *
 *	rtvirtctl [--json] [--device PATH] status
 *	rtvirtctl [--json] [--device PATH] devices
 *	rtvirtctl [--json] [--device PATH] stats [CPU]
 *	rtvirtctl [--json] [--device PATH] stats DEV
 *	rtvirtctl [--json] [--device PATH] trace DEV [-n N]
 *	rtvirtctl [--device PATH] launch
 *	rtvirtctl [--device PATH] unlaunch
 *	rtvirtctl [--device PATH] virtualize DEV
 *	rtvirtctl [--device PATH] devirtualize DEV
 *	rtvirtctl [--device PATH] inject DEV (--reads|--writes|--all)
 *		--count N [--status S] [--dnr] [--delay-us U]
 *	rtvirtctl [--device PATH] inject DEV (--tx|--rx)
 *		(--drop|--corrupt|--delay-us U) --count N [--percent P]
 *	rtvirtctl [--device PATH] inject DEV --clear
 *	rtvirtctl [--json] [--device PATH] capture DEV FILE [-c N]
 *		[--seconds S] [-s SNAPLEN] [--ring-kib K]
 *	rtvirtctl --version
 *
 * DEV is a PCI address as "devices" prints it; "stats" takes an argument
 * with a ':' as a DEV and any other as a CPU.
 *
 * Exit status: 0 on success, 1 when the device or a request fails, 2 on a
 * usage error.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/rtvirt.h>

#include "capture.h"
#include "format.h"

#ifndef __printf
#define __printf(a, b)	__attribute__((format(printf, a, b)))
#endif
#ifndef __noreturn
#define __noreturn	__attribute__((noreturn))
#endif

#define RTVIRTCTL_VERSION	"0.1.0"

/* How often to grow the buffer when the device list grows under us. */
#define LIST_RETRIES		8

/*
 * More CPUs than any kernel has: a device that answers GET_CPU_STATS for
 * every number is not the rtvirt device.
 */
#define MAX_CPUS		65536

enum {
	EXIT_OK		= 0,
	EXIT_FAIL	= 1,
	EXIT_USAGE	= 2,
};

enum command {
	CMD_NONE,
	CMD_STATUS,
	CMD_DEVICES,
	CMD_STATS,
	CMD_LAUNCH,
	CMD_UNLAUNCH,
	CMD_VIRTUALIZE,
	CMD_DEVIRTUALIZE,
	CMD_TRACE,
	CMD_INJECT,
	CMD_CAPTURE,
};

static const struct {
	const char *name;
	enum command command;
} commands[] = {
	{ "status", CMD_STATUS },
	{ "devices", CMD_DEVICES },
	{ "stats", CMD_STATS },
	{ "launch", CMD_LAUNCH },
	{ "unlaunch", CMD_UNLAUNCH },
	{ "virtualize", CMD_VIRTUALIZE },
	{ "devirtualize", CMD_DEVIRTUALIZE },
	{ "trace", CMD_TRACE },
	{ "inject", CMD_INJECT },
	{ "capture", CMD_CAPTURE },
};

struct options {
	bool json;
	const char *device;
	enum command command;
	bool have_cpu;		/* stats CPU given */
	__u32 cpu;
	const char *cpu_arg;	/* as given, for messages */
	const char *address;	/* DEV, checked by rvc_parse_address() */
	__u32 trace_n;		/* trace: entries to ask for */
	const char *trace_opt;	/* "-n" when given */
	struct rvc_inject_args inject_args;
	const char *inject_opt;	/* the first inject option given */
	struct rtvirt_inject inject;	/* built from inject_args */
	struct rvc_capture_args capture;
	const char *capture_opt;	/* the first capture option given */
};

static const char help_text[] =
	"Usage:\n"
	"  rtvirtctl [--json] [--device PATH] status     "
	"module/VMM summary (RTVIRT_GET_INFO)\n"
	"  rtvirtctl [--json] [--device PATH] devices    "
	"managed devices (RTVIRT_LIST_DEVICES)\n"
	"  rtvirtctl [--json] [--device PATH] stats [CPU]\n"
	"                                                 "
	"per-CPU state and VM exits\n"
	"                                                 "
	"(RTVIRT_GET_CPU_STATS)\n"
	"  rtvirtctl [--json] [--device PATH] stats DEV\n"
	"                                                 "
	"a device's state and counters\n"
	"                                                 "
	"(RTVIRT_GET_DEVICE_STATS)\n"
	"  rtvirtctl [--json] [--device PATH] trace DEV [-n N]\n"
	"                                                 "
	"a device's recent commands\n"
	"                                                 "
	"(RTVIRT_READ_TRACE)\n"
	"  rtvirtctl [--device PATH] launch              "
	"launch the VMM under the kernel\n"
	"  rtvirtctl [--device PATH] unlaunch            "
	"return every CPU to native\n"
	"  rtvirtctl [--device PATH] virtualize DEV      "
	"take DEV into emulation\n"
	"  rtvirtctl [--device PATH] devirtualize DEV    "
	"hand DEV back to its driver\n"
	"  rtvirtctl [--device PATH] inject DEV (--reads|--writes|--all)\n"
	"            --count N [--status S] [--dnr] [--delay-us U]\n"
	"                                                 "
	"fail or delay DEV's next N\n"
	"                                                 "
	"matching commands\n"
	"                                                 "
	"(RTVIRT_INJECT)\n"
	"  rtvirtctl [--device PATH] inject DEV (--tx|--rx)\n"
	"            (--drop|--corrupt|--delay-us U) --count N [--percent P]\n"
	"                                                 "
	"drop, corrupt or delay NIC DEV's\n"
	"                                                 "
	"next N matching frames\n"
	"                                                 "
	"(RTVIRT_INJECT)\n"
	"  rtvirtctl [--device PATH] inject DEV --clear  "
	"cancel DEV's fault injection\n"
	"  rtvirtctl [--json] [--device PATH] capture DEV FILE [-c N] [--seconds S]\n"
	"            [-s SNAPLEN] [--ring-kib K]\n"
	"                                                 "
	"write every frame of NIC DEV to\n"
	"                                                 "
	"pcap FILE ('-': stdout) until N\n"
	"                                                 "
	"frames, S seconds or Ctrl-C\n"
	"                                                 "
	"(RTVIRT_CAPTURE)\n"
	"  rtvirtctl --version\n"
	"  rtvirtctl --help\n"
	"\n"
	"Query and control the rtvirt module and its VMM through the control\n"
	"device.  status also lists every possible CPU's state.  DEV is a PCI\n"
	"address as 'rtvirtctl devices' prints it, such as 0000:00:04.0;\n"
	"stats takes an argument with a ':' as a DEV, any other as a CPU.\n"
	"\n"
	"Options (before or after the command):\n"
	"  --json           print JSON instead of text\n"
	"  --device PATH    control device to use (default " RTVIRT_DEVICE_PATH
	")\n"
	"  --version        print the version and exit\n"
	"  -h, --help       print this help and exit\n"
	"\n"
	"Options of trace:\n"
	"  -n N             the newest N commands only (1 to 1024, default "
	"1024)\n"
	"\n"
	"Options of inject (numbers decimal, or hexadecimal after 0x):\n"
	"  --reads, --writes, --all\n"
	"                   affect reads, writes, or both\n"
	"  --count N        affect the next N matching commands (at least 1)\n"
	"  --status S       complete them with NVMe status S (SC | SCT << 8,\n"
	"                   at most 0x7fff) instead of their own\n"
	"  --dnr            add Do Not Retry (bit 14) to S\n"
	"  --delay-us U     hold each one U microseconds (at most 10000000;\n"
	"                   frames: at most 500000, and the frames behind\n"
	"                   it wait for it)\n"
	"  --clear          cancel the injection (no other inject option)\n"
	"  --tx, --rx       a NIC: affect frames it sends, receives, or both\n"
	"  --drop           drop them\n"
	"  --corrupt        invert their last byte, with a checksum error\n"
	"                   (received frames only)\n"
	"  --percent P      affect each matching frame with probability P%\n"
	"                   (more than 0 to 100, at most 4 decimals; default\n"
	"                   100)\n"
	"\n"
	"Options of capture (after the command):\n"
	"  -c, --count N    stop after N frames\n"
	"  --seconds S      stop after S seconds\n"
	"  -s, --snaplen L  keep the first L bytes of each frame (64 to 65535,\n"
	"                   default 65535)\n"
	"  --ring-kib K     the VMM's ring for frames not yet read, in KiB (64\n"
	"                   to 4096, default 4096)\n"
	"\n"
	"Exit status: 0 on success, 1 on failure, 2 on a usage error.\n";

/* Print "rtvirtctl: " and a message to stderr. */
static __printf(1, 2) void errmsg(const char *fmt, ...)
{
	va_list ap;

	fputs("rtvirtctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/* Print a one-line usage error and a pointer to --help, exit with 2. */
static __printf(1, 2) __noreturn void usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("rtvirtctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'rtvirtctl --help'.\n", stderr);
	exit(EXIT_USAGE);
}

/* Flush stdout and turn a failed write (say, to a full disk) into 1. */
static int finish(int ret)
{
	errno = 0;
	if (fflush(stdout) || ferror(stdout)) {
		errmsg("write error: %s\n", strerror(errno ? errno : EIO));
		return EXIT_FAIL;
	}
	return ret;
}

/* A CPU number: decimal digits only, at most UINT32_MAX. */
static bool parse_cpu(const char *arg, __u32 *cpu)
{
	unsigned long long val;
	char *end;

	if (!isdigit((unsigned char)arg[0]))
		return false;
	errno = 0;
	val = strtoull(arg, &end, 10);
	if (errno || *end || val > UINT32_MAX)
		return false;
	*cpu = (__u32)val;
	return true;
}

static enum command find_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(name, commands[i].name))
			return commands[i].command;
	return CMD_NONE;
}

/* Commands that take a DEV argument, and must have one. */
static bool needs_address(enum command command)
{
	return command == CMD_VIRTUALIZE || command == CMD_DEVIRTUALIZE ||
	       command == CMD_TRACE || command == CMD_INJECT ||
	       command == CMD_CAPTURE;
}

static void set_address(const char *arg, struct options *opts)
{
	char addr[RTVIRT_ADDR_LEN];
	int err;

	err = rvc_parse_address(arg, addr, sizeof(addr));
	if (err == -ENAMETOOLONG)
		usage_error("invalid device address '%s': longer than %d characters",
			    arg, RTVIRT_ADDR_LEN - 1);
	if (err)
		usage_error("invalid device address '%s': empty", arg);
	opts->address = arg;
}

/* A word that is not an option: the command, its DEV or stats' CPU. */
static void parse_word(const char *arg, struct options *opts)
{
	if (opts->command == CMD_NONE) {
		opts->command = find_command(arg);
		if (opts->command == CMD_NONE)
			usage_error("unknown command '%s'", arg);
	} else if (needs_address(opts->command) && !opts->address) {
		set_address(arg, opts);
	} else if (opts->command == CMD_CAPTURE && !opts->capture.file) {
		if (!arg[0])
			usage_error("invalid capture file '': empty");
		opts->capture.file = arg;
	} else if (opts->command == CMD_STATS && !opts->have_cpu &&
		   !opts->address && strchr(arg, ':')) {
		set_address(arg, opts);
	} else if (opts->command == CMD_STATS && !opts->have_cpu &&
		   !opts->address) {
		if (!parse_cpu(arg, &opts->cpu))
			usage_error("invalid CPU '%s': not a CPU number", arg);
		opts->have_cpu = true;
		opts->cpu_arg = arg;
	} else {
		usage_error("unexpected argument '%s'", arg);
	}
}

/*
 * An option with a value: NULL when @arg is not the option @name, else its
 * value: what follows "=" in "--name=VALUE", the rest of a short option
 * ("-nVALUE"), or the next argument, whatever it is.
 */
static const char *option_value(const char *name, int argc, char **argv,
				int *i)
{
	const char *arg = argv[*i];
	size_t len = strlen(name);

	if (strncmp(arg, name, len))
		return NULL;
	if (!arg[len]) {
		if (*i + 1 >= argc)
			usage_error("option '%s' requires an argument", name);
		return argv[++*i];
	}
	if (name[1] != '-')
		return arg + len;
	return arg[len] == '=' ? arg + len + 1 : NULL;
}

static void parse_trace_n(const char *val, struct options *opts)
{
	unsigned long long n;
	int err;

	err = rvc_parse_number(val, RTVIRT_TRACE_RING, &n);
	if (err == -EINVAL)
		usage_error("invalid number of entries '%s': not a number",
			    val);
	if (err || !n)
		usage_error("invalid number of entries '%s': 1 to %d", val,
			    RTVIRT_TRACE_RING);
	opts->trace_n = (__u32)n;
	opts->trace_opt = "-n";
}

/*
 * The options of inject, only collected here (rvc_inject_build() checks
 * them): true when @argv[*i] was one.
 */
static bool parse_inject_option(int argc, char **argv, int *i,
				struct options *opts)
{
	struct rvc_inject_args *a = &opts->inject_args;
	const char *arg = argv[*i];
	const char *val;

	if (!strcmp(arg, "--reads")) {
		a->reads = true;
	} else if (!strcmp(arg, "--writes")) {
		a->writes = true;
	} else if (!strcmp(arg, "--all")) {
		a->reads = true;
		a->writes = true;
	} else if (!strcmp(arg, "--dnr")) {
		a->dnr = true;
	} else if (!strcmp(arg, "--clear")) {
		a->clear = true;
	} else if (!strcmp(arg, "--tx")) {
		a->tx = true;
	} else if (!strcmp(arg, "--rx")) {
		a->rx = true;
	} else if (!strcmp(arg, "--drop")) {
		a->drop = true;
	} else if (!strcmp(arg, "--corrupt")) {
		a->corrupt = true;
	} else if ((val = option_value("--percent", argc, argv, i))) {
		a->percent = val;
		arg = "--percent";
	} else if ((val = option_value("--count", argc, argv, i))) {
		a->count = val;
		arg = "--count";
	} else if ((val = option_value("--status", argc, argv, i))) {
		a->status = val;
		arg = "--status";
	} else if ((val = option_value("--delay-us", argc, argv, i))) {
		a->delay_us = val;
		arg = "--delay-us";
	} else {
		return false;
	}
	if (!opts->inject_opt)
		opts->inject_opt = arg;
	return true;
}

/* A number option of capture, from @min to @max. */
static unsigned long long capture_number(const char *opt, const char *val,
					 unsigned long long min,
					 unsigned long long max)
{
	unsigned long long v;

	if (rvc_parse_number(val, max, &v) || v < min)
		usage_error("invalid %s '%s': %llu to %llu", opt, val, min, max);
	return v;
}

/* The options of capture; false when @argv[*i] is none of them. */
static bool parse_capture_option(int argc, char **argv, int *i,
				 struct options *opts)
{
	struct rvc_capture_args *c = &opts->capture;
	const char *val, *opt;

	if ((val = option_value("--count", argc, argv, i)) ||
	    (val = option_value("-c", argc, argv, i))) {
		opt = "count";
		c->count = capture_number(opt, val, 1, 1ULL << 48);
	} else if ((val = option_value("--seconds", argc, argv, i))) {
		opt = "seconds";
		c->seconds = (unsigned int)capture_number(opt, val, 1, 86400 * 365);
	} else if ((val = option_value("--snaplen", argc, argv, i)) ||
		   (val = option_value("-s", argc, argv, i))) {
		opt = "snaplen";
		c->snaplen = (__u32)capture_number(opt, val,
						   RTVIRT_CAPTURE_SNAPLEN_MIN,
						   RTVIRT_CAPTURE_SNAPLEN_MAX);
	} else if ((val = option_value("--ring-kib", argc, argv, i))) {
		opt = "ring-kib";
		c->ring_kib = (__u32)capture_number(opt, val,
						    RTVIRT_CAPTURE_RING_KIB_MIN,
						    RTVIRT_CAPTURE_RING_KIB_MAX);
	} else {
		return false;
	}
	if (!opts->capture_opt)
		opts->capture_opt = opt;
	return true;
}

/* Checks that need the whole command line; builds the inject request. */
static void check_args(struct options *opts)
{
	char msg[RVC_MSG_BUF];

	if (!opts->device[0])
		usage_error("option '--device' requires a non-empty path");
	if (opts->command == CMD_NONE)
		usage_error("missing command");
	if (needs_address(opts->command) && !opts->address)
		usage_error("missing device address after '%s'",
			    opts->command == CMD_VIRTUALIZE ? "virtualize" :
			    opts->command == CMD_DEVIRTUALIZE ? "devirtualize" :
			    opts->command == CMD_TRACE ? "trace" :
			    opts->command == CMD_INJECT ? "inject" : "capture");
	if (opts->command == CMD_CAPTURE && !opts->capture.file)
		usage_error("missing file after 'capture %s' (a pcap file, or - for stdout)",
			    opts->address);
	if (opts->command == CMD_CAPTURE && opts->json &&
	    !strcmp(opts->capture.file, "-"))
		usage_error("--json prints on stdout: capture to a file, not -");
	if (opts->trace_opt && opts->command != CMD_TRACE)
		usage_error("option '%s' is only for trace", opts->trace_opt);
	if (opts->inject_opt && opts->command != CMD_INJECT)
		usage_error("option '%s' is only for inject",
			    opts->inject_opt);
	if (opts->command == CMD_INJECT &&
	    rvc_inject_build(&opts->inject_args, opts->address, &opts->inject,
			     msg, sizeof(msg)))
		usage_error("%s", msg);
}

static void parse_args(int argc, char **argv, struct options *opts)
{
	bool only_args = false;
	const char *arg, *val;
	int i;

	memset(opts, 0, sizeof(*opts));
	opts->device = RTVIRT_DEVICE_PATH;
	opts->command = CMD_NONE;
	opts->trace_n = RTVIRT_TRACE_RING;

	for (i = 1; i < argc; i++) {
		arg = argv[i];
		if (only_args || arg[0] != '-' || !arg[1]) {
			parse_word(arg, opts);
		} else if (opts->command == CMD_STATS && !opts->have_cpu &&
			   !opts->address && isdigit((unsigned char)arg[1])) {
			/* "-1": a bad CPU number rather than an option */
			parse_word(arg, opts);
		} else if (opts->command == CMD_CAPTURE &&
			   parse_capture_option(argc, argv, &i, opts)) {
			continue;
		} else if ((val = option_value("-n", argc, argv, &i))) {
			parse_trace_n(val, opts);
		} else if (parse_inject_option(argc, argv, &i, opts)) {
			continue;
		} else if (!strcmp(arg, "--")) {
			only_args = true;
		} else if (!strcmp(arg, "--json")) {
			opts->json = true;
		} else if (!strcmp(arg, "--device")) {
			if (i + 1 >= argc)
				usage_error("option '%s' requires an argument",
					    arg);
			opts->device = argv[++i];
		} else if (!strncmp(arg, "--device=", 9)) {
			opts->device = arg + 9;
		} else if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			fputs(help_text, stdout);
			exit(finish(EXIT_OK));
		} else if (!strcmp(arg, "--version")) {
			printf("rtvirtctl %s (rtvirt ABI %d)\n",
			       RTVIRTCTL_VERSION, RTVIRT_ABI_VERSION);
			exit(finish(EXIT_OK));
		} else {
			usage_error("unrecognized option '%s'", arg);
		}
	}
	check_args(opts);
}

static int open_device(const char *path)
{
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		errmsg("%s: %s%s\n", path, strerror(err),
		       err == ENOENT ? " (is the rtvirt module loaded?)" : "");
	}
	return fd;
}

/* Issue a request, repeating it when a signal interrupted it: 0 or errno. */
static int try_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? errno : 0;
}

static int do_ioctl(int fd, unsigned long request, void *arg,
		    const char *what)
{
	int err = try_ioctl(fd, request, arg);

	if (err) {
		errmsg("%s: %s\n", what, strerror(err));
		return -1;
	}
	return 0;
}

/* RTVIRT_GET_CPU_STATS for one CPU: 0 or errno, no message. */
static int get_cpu_stats(int fd, __u32 cpu, struct rtvirt_cpu_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->cpu = cpu;
	return try_ioctl(fd, RTVIRT_GET_CPU_STATS, st);
}

/*
 * Every possible CPU's statistics: CPU 0, 1, 2, ... until the kernel
 * answers EINVAL (no such CPU).  On success *@st holds *@n entries, at
 * least one; the caller frees it.
 */
static int all_cpu_stats(int fd, struct rtvirt_cpu_stats **st, size_t *n)
{
	struct rtvirt_cpu_stats *buf = NULL, *nbuf;
	size_t cap = 0, cpu;
	int err;

	for (cpu = 0; ; cpu++) {
		if (cpu == MAX_CPUS) {
			errmsg("RTVIRT_GET_CPU_STATS: more than %d CPUs\n",
			       MAX_CPUS);
			goto fail;
		}
		if (cpu == cap) {
			cap = cap ? 2 * cap : 16;
			nbuf = realloc(buf, cap * sizeof(*buf));
			if (!nbuf) {
				errmsg("RTVIRT_GET_CPU_STATS: %s\n",
				       strerror(ENOMEM));
				goto fail;
			}
			buf = nbuf;
		}
		err = get_cpu_stats(fd, cpu, &buf[cpu]);
		if (err == EINVAL && cpu)
			break;
		if (err) {
			errmsg("RTVIRT_GET_CPU_STATS: cpu %zu: %s\n", cpu,
			       strerror(err));
			goto fail;
		}
	}
	*st = buf;
	*n = cpu;
	return 0;
fail:
	free(buf);
	return -1;
}

static int cmd_status(int fd, bool json)
{
	struct rtvirt_cpu_stats *st;
	struct rtvirt_info info;
	size_t n;

	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	if (do_ioctl(fd, RTVIRT_GET_INFO, &info, "RTVIRT_GET_INFO") < 0)
		return EXIT_FAIL;
	if (info.abi_version != RTVIRT_ABI_VERSION)
		errmsg("warning: module ABI version %u, expected %d\n",
		       info.abi_version, RTVIRT_ABI_VERSION);
	if (all_cpu_stats(fd, &st, &n))
		return EXIT_FAIL;
	if (json)
		rvc_print_status_json(stdout, &info, st, n);
	else
		rvc_print_status_text(stdout, &info, st, n);
	free(st);
	return EXIT_OK;
}

static int cmd_stats(int fd, const struct options *opts)
{
	struct rtvirt_cpu_stats one, *st = &one;
	size_t n = 1;
	int err;

	if (opts->have_cpu) {
		err = get_cpu_stats(fd, opts->cpu, &one);
		if (err == EINVAL)
			usage_error("invalid CPU '%s': no such CPU",
				    opts->cpu_arg);
		if (err) {
			errmsg("RTVIRT_GET_CPU_STATS: cpu %u: %s\n",
			       opts->cpu, strerror(err));
			return EXIT_FAIL;
		}
	} else if (all_cpu_stats(fd, &st, &n)) {
		return EXIT_FAIL;
	}
	if (opts->json)
		rvc_print_stats_json(stdout, st, n);
	else
		rvc_print_stats_text(stdout, st, n);
	if (st != &one)
		free(st);
	return EXIT_OK;
}

static int cmd_launch(int fd, bool launch)
{
	int err;

	err = try_ioctl(fd, launch ? RTVIRT_LAUNCH : RTVIRT_UNLAUNCH, NULL);
	if (err) {
		errmsg("%s: %s%s\n", launch ? "launch" : "unlaunch",
		       strerror(err), err == EOPNOTSUPP ?
		       " (this machine lacks what the launch needs; the kernel log says what)" : "");
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* Print the message for a failed device request; returns EXIT_FAIL. */
static int device_error(enum rvc_dev_op op, int err, const char *address)
{
	char msg[RVC_MSG_BUF];

	errmsg("%s\n", rvc_device_error(op, err, address, msg, sizeof(msg)));
	return EXIT_FAIL;
}

static int cmd_set_device(int fd, const char *address, bool virtualize)
{
	struct rtvirt_device_request rq;
	int err;

	memset(&rq, 0, sizeof(rq));
	rq.size = sizeof(rq);
	rq.virtualize = virtualize;
	rvc_parse_address(address, rq.address, sizeof(rq.address));
	err = try_ioctl(fd, RTVIRT_SET_DEVICE, &rq);
	if (err)
		return device_error(virtualize ? RVC_OP_VIRTUALIZE :
				    RVC_OP_DEVIRTUALIZE, err, address);
	return EXIT_OK;
}

static int cmd_device_stats(int fd, const struct options *opts)
{
	struct rtvirt_device_stats st;
	int err;

	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	rvc_parse_address(opts->address, st.address, sizeof(st.address));
	err = try_ioctl(fd, RTVIRT_GET_DEVICE_STATS, &st);
	if (err)
		return device_error(RVC_OP_STATS, err, opts->address);
	/* The address is input only: show the one asked for. */
	rvc_parse_address(opts->address, st.address, sizeof(st.address));
	if (opts->json)
		rvc_print_device_stats_json(stdout, &st);
	else
		rvc_print_device_stats_text(stdout, &st);
	return EXIT_OK;
}

static int cmd_trace(int fd, const struct options *opts)
{
	struct rtvirt_trace_entry *buf;
	struct rtvirt_trace tr;
	size_t n;
	int err;

	buf = calloc(opts->trace_n, sizeof(*buf));
	if (!buf) {
		errmsg("RTVIRT_READ_TRACE: %s\n", strerror(ENOMEM));
		return EXIT_FAIL;
	}
	memset(&tr, 0, sizeof(tr));
	tr.size = sizeof(tr);
	tr.entry_size = sizeof(*buf);
	rvc_parse_address(opts->address, tr.address, sizeof(tr.address));
	tr.capacity = opts->trace_n;
	tr.entries = (__u64)(uintptr_t)buf;
	err = try_ioctl(fd, RTVIRT_READ_TRACE, &tr);
	if (err) {
		free(buf);
		return device_error(RVC_OP_TRACE, err, opts->address);
	}
	rvc_parse_address(opts->address, tr.address, sizeof(tr.address));
	n = tr.count < opts->trace_n ? tr.count : opts->trace_n;
	if (opts->json)
		rvc_print_trace_json(stdout, &tr, buf, n);
	else
		rvc_print_trace_text(stdout, &tr, buf, n);
	free(buf);
	return EXIT_OK;
}

static int cmd_inject(int fd, const struct options *opts)
{
	struct rtvirt_inject inj = opts->inject;
	int err;

	err = try_ioctl(fd, RTVIRT_INJECT, &inj);
	if (err)
		return device_error(RVC_OP_INJECT, err, opts->address);
	return EXIT_OK;
}

/*
 * Snapshot the device list: ask for the count with an empty buffer, then
 * fetch into a buffer of that size, growing it when devices appeared in
 * between.  On success *@devs (NULL when empty) holds *@n entries, never
 * more than the capacity the kernel was given.
 */
static int list_devices(int fd, struct rtvirt_device **devs, size_t *n)
{
	struct rtvirt_device *buf = NULL, *nbuf;
	struct rtvirt_device_list req;
	__u32 cap = 0;
	int attempt;

	for (attempt = 0; ; attempt++) {
		memset(&req, 0, sizeof(req));
		req.size = sizeof(req);
		req.entry_size = sizeof(struct rtvirt_device);
		req.capacity = cap;
		req.entries = (__u64)(uintptr_t)buf;
		if (do_ioctl(fd, RTVIRT_LIST_DEVICES, &req,
			     "RTVIRT_LIST_DEVICES") < 0) {
			free(buf);
			return -1;
		}
		if (req.count <= cap || attempt == LIST_RETRIES)
			break;
		nbuf = calloc(req.count, sizeof(*nbuf));
		if (!nbuf) {
			errmsg("RTVIRT_LIST_DEVICES: %s\n", strerror(ENOMEM));
			free(buf);
			return -1;
		}
		free(buf);
		buf = nbuf;
		cap = req.count;
	}
	if (req.count > cap)
		errmsg("warning: device list kept changing, showing %u of %u\n",
		       cap, req.count);
	*devs = buf;
	*n = req.count < cap ? req.count : cap;
	return 0;
}

static int cmd_devices(int fd, bool json)
{
	struct rtvirt_device *devs;
	size_t n;

	if (list_devices(fd, &devs, &n))
		return EXIT_FAIL;
	if (json)
		rvc_print_devices_json(stdout, devs, n);
	else
		rvc_print_devices_text(stdout, devs, n);
	free(devs);
	return EXIT_OK;
}

/**
 * main() - rtvirtctl entry point
 * @argc:	argument count
 * @argv:	arguments, see help_text
 *
 * Return: 0 on success, 1 on a failed open, request or write, 2 on a usage
 * error.
 */
int main(int argc, char **argv)
{
	struct options opts;
	int fd, ret;

	parse_args(argc, argv, &opts);

	fd = open_device(opts.device);
	if (fd < 0)
		return EXIT_FAIL;
	switch (opts.command) {
	case CMD_STATUS:
		ret = cmd_status(fd, opts.json);
		break;
	case CMD_DEVICES:
		ret = cmd_devices(fd, opts.json);
		break;
	case CMD_STATS:
		if (opts.address)
			ret = cmd_device_stats(fd, &opts);
		else
			ret = cmd_stats(fd, &opts);
		break;
	case CMD_VIRTUALIZE:
	case CMD_DEVIRTUALIZE:
		ret = cmd_set_device(fd, opts.address,
				     opts.command == CMD_VIRTUALIZE);
		break;
	case CMD_TRACE:
		ret = cmd_trace(fd, &opts);
		break;
	case CMD_INJECT:
		ret = cmd_inject(fd, &opts);
		break;
	case CMD_CAPTURE:
		opts.capture.address = opts.address;
		ret = rvc_capture_run(fd, &opts.capture, opts.json);
		break;
	default:
		ret = cmd_launch(fd, opts.command == CMD_LAUNCH);
		break;
	}
	close(fd);
	return finish(ret);
}
