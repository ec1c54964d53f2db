// SPDX-License-Identifier: GPL-2.0
/*
 * rtvirtctl: inspect and control the rtvirt module through /dev/rtvirt.
 *
 *	rtvirtctl [--json] [--device PATH] status
 *	rtvirtctl [--json] [--device PATH] devices
 *	rtvirtctl [--json] [--device PATH] stats [CPU]
 *	rtvirtctl [--device PATH] launch
 *	rtvirtctl [--device PATH] unlaunch
 *	rtvirtctl --version
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
};

struct options {
	bool json;
	const char *device;
	enum command command;
	bool have_cpu;		/* stats CPU given */
	__u32 cpu;
	const char *cpu_arg;	/* as given, for messages */
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
	"  rtvirtctl [--device PATH] launch              "
	"launch the VMM under the kernel\n"
	"  rtvirtctl [--device PATH] unlaunch            "
	"return every CPU to native\n"
	"  rtvirtctl --version\n"
	"  rtvirtctl --help\n"
	"\n"
	"Query and control the rtvirt module and its VMM through the control\n"
	"device.  status also lists every possible CPU's state.\n"
	"\n"
	"Options (before or after the command):\n"
	"  --json           print JSON instead of text\n"
	"  --device PATH    control device to use (default " RTVIRT_DEVICE_PATH
	")\n"
	"  --version        print the version and exit\n"
	"  -h, --help       print this help and exit\n"
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

/* A word that is not an option: the command, or the CPU of stats. */
static void parse_word(const char *arg, struct options *opts)
{
	if (opts->command == CMD_NONE) {
		opts->command = find_command(arg);
		if (opts->command == CMD_NONE)
			usage_error("unknown command '%s'", arg);
	} else if (opts->command == CMD_STATS && !opts->have_cpu) {
		if (!parse_cpu(arg, &opts->cpu))
			usage_error("invalid CPU '%s': not a CPU number", arg);
		opts->have_cpu = true;
		opts->cpu_arg = arg;
	} else {
		usage_error("unexpected argument '%s'", arg);
	}
}

static void parse_args(int argc, char **argv, struct options *opts)
{
	bool only_args = false;
	const char *arg;
	int i;

	memset(opts, 0, sizeof(*opts));
	opts->device = RTVIRT_DEVICE_PATH;
	opts->command = CMD_NONE;

	for (i = 1; i < argc; i++) {
		arg = argv[i];
		if (only_args || arg[0] != '-' || !arg[1]) {
			parse_word(arg, opts);
		} else if (opts->command == CMD_STATS && !opts->have_cpu &&
			   isdigit((unsigned char)arg[1])) {
			/* "-1": a bad CPU number rather than an option */
			parse_word(arg, opts);
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
	if (!opts->device[0])
		usage_error("option '--device' requires a non-empty path");
	if (opts->command == CMD_NONE)
		usage_error("missing command");
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
		       " (no late launch on this CPU's backend)" : "");
		return EXIT_FAIL;
	}
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
		ret = cmd_stats(fd, &opts);
		break;
	default:
		ret = cmd_launch(fd, opts.command == CMD_LAUNCH);
		break;
	}
	close(fd);
	return finish(ret);
}
