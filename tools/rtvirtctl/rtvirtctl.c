// SPDX-License-Identifier: GPL-2.0
/*
 * rtvirtctl: inspect the rtvirt module through /dev/rtvirt.
 *
 *	rtvirtctl [--json] [--device PATH] status
 *	rtvirtctl [--json] [--device PATH] devices
 *	rtvirtctl --version
 *
 * Exit status: 0 on success, 1 when the device or a request fails, 2 on a
 * usage error.
 */
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

enum {
	EXIT_OK		= 0,
	EXIT_FAIL	= 1,
	EXIT_USAGE	= 2,
};

enum command {
	CMD_NONE,
	CMD_STATUS,
	CMD_DEVICES,
};

struct options {
	bool json;
	const char *device;
	enum command command;
};

static const char help_text[] =
	"Usage:\n"
	"  rtvirtctl [--json] [--device PATH] status     "
	"module/VMM summary (RTVIRT_GET_INFO)\n"
	"  rtvirtctl [--json] [--device PATH] devices    "
	"managed devices (RTVIRT_LIST_DEVICES)\n"
	"  rtvirtctl --version\n"
	"  rtvirtctl --help\n"
	"\n"
	"Query the rtvirt module and its VMM through the control device.\n"
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

static void parse_args(int argc, char **argv, struct options *opts)
{
	bool only_args = false;
	const char *arg;
	int i;

	opts->json = false;
	opts->device = RTVIRT_DEVICE_PATH;
	opts->command = CMD_NONE;

	for (i = 1; i < argc; i++) {
		arg = argv[i];
		if (only_args || arg[0] != '-' || !arg[1]) {
			if (opts->command != CMD_NONE)
				usage_error("unexpected argument '%s'", arg);
			if (!strcmp(arg, "status"))
				opts->command = CMD_STATUS;
			else if (!strcmp(arg, "devices"))
				opts->command = CMD_DEVICES;
			else
				usage_error("unknown command '%s'", arg);
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

static int do_ioctl(int fd, unsigned long request, void *arg,
		    const char *what)
{
	int ret, err;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0) {
		err = errno;
		errmsg("%s: %s\n", what, strerror(err));
	}
	return ret;
}

static int cmd_status(int fd, bool json)
{
	struct rtvirt_info info;

	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	if (do_ioctl(fd, RTVIRT_GET_INFO, &info, "RTVIRT_GET_INFO") < 0)
		return EXIT_FAIL;
	if (info.abi_version != RTVIRT_ABI_VERSION)
		errmsg("warning: module ABI version %u, expected %d\n",
		       info.abi_version, RTVIRT_ABI_VERSION);
	if (json)
		rvc_print_info_json(stdout, &info);
	else
		rvc_print_info_text(stdout, &info);
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
	if (opts.command == CMD_STATUS)
		ret = cmd_status(fd, opts.json);
	else
		ret = cmd_devices(fd, opts.json);
	close(fd);
	return finish(ret);
}
