// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input to /dev/rtvirt and the writable sysfs files gets the documented
 * error (Documentation/uapi.rst, Documentation/ABI/testing/sysfs-kernel-
 * rtvirt) and changes nothing.  Loads rtvirt.ko itself if needed; run as
 * root.  TAP output; exit 0 pass, 1 fail, 4 skip.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/rtvirt.h>

#define SYSFS "/sys/kernel/rtvirt"
#define KSFT_SKIP 4

static int n_tests, n_failed;
static long page_size;
static bool can_launch;		/* a backend (SVM or VMX): LAUNCH works */

static void result(bool pass, const char *fmt, ...)
{
	va_list ap;

	n_tests++;
	if (!pass)
		n_failed++;
	printf("%sok %d ", pass ? "" : "not ", n_tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* Run an ioctl and compare its result with an expected errno (0: success). */
static void expect_ioctl(int fd, unsigned long cmd, void *arg, int want,
			 const char *what)
{
	int ret = ioctl(fd, cmd, arg);
	int err = ret < 0 ? errno : 0;

	result(err == want, "%s: %s (want %s)", what,
	       err ? strerror(err) : "success", want ? strerror(want) : "success");
}

static int write_attr(const char *path, const char *buf, size_t len)
{
	int fd = open(path, O_WRONLY);
	ssize_t ret;
	int err;

	if (fd < 0)
		return errno;
	ret = write(fd, buf, len);
	err = ret < 0 ? errno : (size_t)ret == len ? 0 : EIO;
	close(fd);
	return err;
}

static bool attr_is(const char *path, const char *want)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n >= 0 && !strcmp(buf, want);
}

static void expect_write(const char *path, const char *buf, size_t len,
			 int want)
{
	char shown[32];
	size_t i, j = 0;
	int err;

	for (i = 0; i < len && j < sizeof(shown) - 3; i++) {
		if (buf[i] == '\n') {
			shown[j++] = '\\';
			shown[j++] = 'n';
		} else if (buf[i] >= ' ' && buf[i] < 127) {
			shown[j++] = buf[i];
		} else {
			shown[j++] = '?';
		}
	}
	shown[j] = '\0';
	err = write_attr(path, buf, len);
	result(err == want, "write \"%s\" to %s: %s (want %s)", shown, path,
	       err ? strerror(err) : "success",
	       want ? strerror(want) : "success");
}

/* First managed device whose model is @model ("" for any). */
static int first_device(char *addr, size_t len, const char *model)
{
	DIR *d = opendir(SYSFS "/devices");
	struct dirent *e;
	int found = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[300], m[32] = "";
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), SYSFS "/devices/%s/model",
			 e->d_name);
		f = fopen(path, "r");
		if (f) {
			if (!fgets(m, sizeof(m), f))
				m[0] = '\0';
			fclose(f);
		}
		m[strcspn(m, "\n")] = '\0';
		if (*model && strcmp(m, model))
			continue;
		snprintf(addr, len, "%.*s", (int)len - 1, e->d_name);
		found = 1;
		break;
	}
	closedir(d);
	return found;
}

static int count_devices(void)
{
	DIR *d = opendir(SYSFS "/devices");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_unknown_requests(int fd)
{
	expect_ioctl(fd, _IO(RTVIRT_IOC_MAGIC, 0x7f), NULL, ENOTTY,
		     "unknown request number");
	expect_ioctl(fd, _IO(RTVIRT_IOC_MAGIC, 0x05), NULL, ENOTTY,
		     "reserved request number 0x05");
	expect_ioctl(fd, _IOWR('T', 0x00, struct rtvirt_info), NULL, ENOTTY,
		     "foreign ioctl type");
}

static void test_get_info(int fd, void *noaccess, void *readonly)
{
	unsigned char big[256];
	struct rtvirt_info info;
	bool tail_zero = true;

	memset(&info, 0, sizeof(info));
	expect_ioctl(fd, RTVIRT_GET_INFO, &info, EINVAL, "GET_INFO size 0");
	info.size = RTVIRT_INFO_SIZE_VER0 - 1;
	expect_ioctl(fd, RTVIRT_GET_INFO, &info, EINVAL,
		     "GET_INFO size below VER0");
	info.size = page_size + 1;
	expect_ioctl(fd, RTVIRT_GET_INFO, &info, EINVAL,
		     "GET_INFO size above a page");
	expect_ioctl(fd, RTVIRT_GET_INFO, NULL, EFAULT, "GET_INFO NULL pointer");
	expect_ioctl(fd, RTVIRT_GET_INFO, noaccess, EFAULT,
		     "GET_INFO inaccessible page");
	expect_ioctl(fd, RTVIRT_GET_INFO, readonly, EFAULT,
		     "GET_INFO read-only page");

	/* A newer caller's larger struct: known part filled, tail zeroed. */
	memset(big, 0xa5, sizeof(big));
	*(__u32 *)big = sizeof(big);
	expect_ioctl(fd, RTVIRT_GET_INFO, big, 0, "GET_INFO with a larger struct");
	for (size_t i = sizeof(info); i < sizeof(big); i++)
		tail_zero &= big[i] == 0;
	memcpy(&info, big, sizeof(info));
	result(tail_zero && info.size == sizeof(info) &&
	       info.abi_version == RTVIRT_ABI_VERSION,
	       "GET_INFO larger struct: size %u, abi %u, tail zeroed",
	       info.size, info.abi_version);
}

static void test_list_devices(int fd, void *noaccess)
{
	struct rtvirt_device_list list;
	unsigned char entries[4][200];
	unsigned char big[64];
	bool tail_zero = true;
	int n = count_devices();

	memset(&list, 0, sizeof(list));
	list.size = sizeof(list);
	list.entry_size = 0;
	expect_ioctl(fd, RTVIRT_LIST_DEVICES, &list, EINVAL,
		     "LIST_DEVICES entry_size 0");
	list.entry_size = RTVIRT_DEVICE_SIZE_VER0 - 1;
	expect_ioctl(fd, RTVIRT_LIST_DEVICES, &list, EINVAL,
		     "LIST_DEVICES entry_size below VER0");
	list.entry_size = page_size + 1;
	expect_ioctl(fd, RTVIRT_LIST_DEVICES, &list, EINVAL,
		     "LIST_DEVICES entry_size above a page");

	list.entry_size = sizeof(struct rtvirt_device);
	list.capacity = 0;
	list.entries = 0;
	expect_ioctl(fd, RTVIRT_LIST_DEVICES, &list, 0,
		     "LIST_DEVICES capacity 0");
	result((int)list.count == n, "LIST_DEVICES count %u matches sysfs (%d)",
	       list.count, n);

	if (n > 0) {
		list.capacity = 4;
		list.entries = 0;
		expect_ioctl(fd, RTVIRT_LIST_DEVICES, &list, EFAULT,
			     "LIST_DEVICES NULL entries");
		list.entries = (unsigned long)noaccess;
		expect_ioctl(fd, RTVIRT_LIST_DEVICES, &list, EFAULT,
			     "LIST_DEVICES inaccessible entries");
	}

	/* Larger input struct: the extra bytes must be zero. */
	memset(big, 0, sizeof(big));
	memcpy(big, &list, sizeof(list));
	*(__u32 *)big = sizeof(big);
	big[sizeof(big) - 1] = 1;
	expect_ioctl(fd, RTVIRT_LIST_DEVICES, big, EINVAL,
		     "LIST_DEVICES larger struct with non-zero tail");

	/* Larger entries: known part filled, rest zeroed. */
	memset(entries, 0xa5, sizeof(entries));
	list.size = sizeof(list);
	list.entry_size = sizeof(entries[0]);
	list.capacity = 4;
	list.entries = (unsigned long)entries;
	expect_ioctl(fd, RTVIRT_LIST_DEVICES, &list, 0,
		     "LIST_DEVICES with larger entries");
	for (int i = 0; i < n && i < 4; i++) {
		struct rtvirt_device *e = (void *)entries[i];
		char path[128];
		struct stat st;

		for (size_t j = sizeof(*e); j < sizeof(entries[i]); j++)
			tail_zero &= entries[i][j] == 0;
		snprintf(path, sizeof(path), SYSFS "/devices/%.*s",
			 (int)sizeof(e->address), e->address);
		tail_zero &= !stat(path, &st);
	}
	result(tail_zero, "larger entries: addresses valid, tails zeroed");
}

static void test_requests(int fd, const char *addr)
{
	struct rtvirt_device_request req;

	expect_ioctl(fd, RTVIRT_UNLAUNCH, NULL, 0, "UNLAUNCH");
	expect_ioctl(fd, RTVIRT_UNLAUNCH, NULL, 0, "UNLAUNCH while native");
	expect_ioctl(fd, RTVIRT_LAUNCH, NULL, can_launch ? 0 : EOPNOTSUPP,
		     can_launch ? "LAUNCH" : "LAUNCH on a backend without launch");
	expect_ioctl(fd, RTVIRT_LAUNCH, NULL, can_launch ? 0 : EOPNOTSUPP,
		     "LAUNCH while launched");

	memset(&req, 0, sizeof(req));
	req.size = sizeof(req);
	snprintf(req.address, sizeof(req.address), "0000:ff:1f.7");
	expect_ioctl(fd, RTVIRT_SET_DEVICE, &req, ENODEV,
		     "SET_DEVICE unknown address");
	memset(req.address, 'a', sizeof(req.address));
	expect_ioctl(fd, RTVIRT_SET_DEVICE, &req, EINVAL,
		     "SET_DEVICE unterminated address");
	req.size = 8;
	expect_ioctl(fd, RTVIRT_SET_DEVICE, &req, EINVAL,
		     "SET_DEVICE size below VER0");
	req.size = sizeof(req);
	if (!addr) {
		result(true, "SET_DEVICE on a device # SKIP no device");
		return;
	}
	snprintf(req.address, sizeof(req.address), "%.31s", addr);
	req.virtualize = 2;
	expect_ioctl(fd, RTVIRT_SET_DEVICE, &req, EINVAL,
		     "SET_DEVICE virtualize=2");
	req.virtualize = 0;
	expect_ioctl(fd, RTVIRT_SET_DEVICE, &req, 0,
		     "SET_DEVICE virtualize=0 while native");
	req.virtualize = 1;
	expect_ioctl(fd, RTVIRT_SET_DEVICE, &req, can_launch ? 0 : EBUSY,
		     can_launch ? "SET_DEVICE virtualize=1" :
		     "SET_DEVICE virtualize=1 without a launched VMM");
	req.virtualize = 0;
	expect_ioctl(fd, RTVIRT_SET_DEVICE, &req, 0,
		     "SET_DEVICE virtualize=0 hands it back");
}

/* The device ioctls: statistics, trace and fault injection. */
static void test_device_ioctls(int fd, const char *nvme)
{
	struct rtvirt_device_stats st;
	struct rtvirt_trace tr;
	struct rtvirt_inject inj;
	struct rtvirt_trace_entry e[4];

	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	snprintf(st.address, sizeof(st.address), "0000:ff:1f.7");
	expect_ioctl(fd, RTVIRT_GET_DEVICE_STATS, &st, ENODEV,
		     "GET_DEVICE_STATS unknown address");
	memset(st.address, 'a', sizeof(st.address));
	expect_ioctl(fd, RTVIRT_GET_DEVICE_STATS, &st, EINVAL,
		     "GET_DEVICE_STATS unterminated address");
	st.size = 8;
	expect_ioctl(fd, RTVIRT_GET_DEVICE_STATS, &st, EINVAL,
		     "GET_DEVICE_STATS size below VER0");
	if (!nvme) {
		result(true, "device ioctls on an NVMe device # SKIP no device");
		return;
	}
	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	snprintf(st.address, sizeof(st.address), "%.31s", nvme);
	expect_ioctl(fd, RTVIRT_GET_DEVICE_STATS, &st, 0, "GET_DEVICE_STATS");
	result(st.state == RTVIRT_DEV_NATIVE, "GET_DEVICE_STATS: native");

	memset(&tr, 0, sizeof(tr));
	tr.size = sizeof(tr);
	tr.entry_size = 8;
	tr.capacity = 4;
	tr.entries = (unsigned long)e;
	snprintf(tr.address, sizeof(tr.address), "%.31s", nvme);
	expect_ioctl(fd, RTVIRT_READ_TRACE, &tr, EINVAL,
		     "READ_TRACE entry_size below VER0");
	tr.entry_size = sizeof(e[0]);
	expect_ioctl(fd, RTVIRT_READ_TRACE, &tr, 0, "READ_TRACE");
	tr.entries = 8;
	tr.capacity = 4;

	memset(&inj, 0, sizeof(inj));
	inj.size = sizeof(inj);
	snprintf(inj.address, sizeof(inj.address), "%.31s", nvme);
	inj.match = RTVIRT_INJECT_READS;
	inj.count = 1;
	inj.status = 0x281;
	expect_ioctl(fd, RTVIRT_INJECT, &inj, EBUSY,
		     "INJECT on a native device");
	inj.status = 0x8000;
	expect_ioctl(fd, RTVIRT_INJECT, &inj, EINVAL, "INJECT status > 15 bits");
	inj.status = 0;
	inj.delay_us = RTVIRT_INJECT_MAX_DELAY_US + 1;
	expect_ioctl(fd, RTVIRT_INJECT, &inj, EINVAL, "INJECT delay too long");
	inj.delay_us = 0;
	expect_ioctl(fd, RTVIRT_INJECT, &inj, EINVAL,
		     "INJECT count without status or delay");
	inj.status = 0x281;
	inj.match = 1U << 4;
	expect_ioctl(fd, RTVIRT_INJECT, &inj, EINVAL, "INJECT unknown match bit");
	inj.match = RTVIRT_INJECT_READS;
	inj.action = RTVIRT_INJECT_DROP;
	expect_ioctl(fd, RTVIRT_INJECT, &inj, EINVAL,
		     "INJECT commands with a frame action");
	/* Frames: a drop or a corruption of received ones, nothing else. */
	inj.status = 0;
	inj.match = RTVIRT_INJECT_READS | RTVIRT_INJECT_RX;
	expect_ioctl(fd, RTVIRT_INJECT, &inj, EINVAL,
		     "INJECT commands and frames at once");
	inj.match = RTVIRT_INJECT_RX;
	inj.action = 0;
	expect_ioctl(fd, RTVIRT_INJECT, &inj, EINVAL, "INJECT frames without action");
	inj.match = RTVIRT_INJECT_TX;
	inj.action = RTVIRT_INJECT_CORRUPT;
	expect_ioctl(fd, RTVIRT_INJECT, &inj, EINVAL,
		     "INJECT corrupting transmitted frames");
	inj.action = RTVIRT_INJECT_DROP;
	inj.probability = RTVIRT_INJECT_PROBABILITY_ONE + 1;
	expect_ioctl(fd, RTVIRT_INJECT, &inj, EINVAL,
		     "INJECT probability above one");
	inj.probability = 0;
	inj.status = 0x281;
	expect_ioctl(fd, RTVIRT_INJECT, &inj, EINVAL, "INJECT frames with a status");
	inj.status = 0;
	inj.delay_us = 1000;
	expect_ioctl(fd, RTVIRT_INJECT, &inj, EINVAL,
		     "INJECT dropped frames with a delay");
	inj.action = RTVIRT_INJECT_DELAY;
	inj.delay_us = 0;
	expect_ioctl(fd, RTVIRT_INJECT, &inj, EINVAL,
		     "INJECT delayed frames without a delay");
	inj.delay_us = RTVIRT_INJECT_MAX_FRAME_DELAY_US + 1;
	expect_ioctl(fd, RTVIRT_INJECT, &inj, EINVAL,
		     "INJECT frame delay above half a second");
	inj.delay_us = RTVIRT_INJECT_MAX_FRAME_DELAY_US;
	expect_ioctl(fd, RTVIRT_INJECT, &inj, EBUSY,
		     "INJECT delayed frames on a native device");
	inj.action = RTVIRT_INJECT_DROP;
	inj.delay_us = 0;
	expect_ioctl(fd, RTVIRT_INJECT, &inj, EBUSY,
		     "INJECT frames on a native device");
}

/* Without CAP_SYS_ADMIN: queries work, state changes get EPERM. */
static void test_unprivileged(int fd, const char *addr)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		struct rtvirt_device_request req = { .size = sizeof(req) };
		struct rtvirt_info info = { .size = sizeof(info) };
		int bad = 0;

		snprintf(req.address, sizeof(req.address), "%.31s",
			 addr ? addr : "0000:00:00.0");
		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(2);
		bad |= ioctl(fd, RTVIRT_GET_INFO, &info) != 0;
		bad |= ioctl(fd, RTVIRT_LAUNCH) != -1 || errno != EPERM;
		bad |= ioctl(fd, RTVIRT_UNLAUNCH) != -1 || errno != EPERM;
		bad |= ioctl(fd, RTVIRT_SET_DEVICE, &req) != -1 ||
		       errno != EPERM;
		_exit(bad);
	}
	result(pid > 0 && waitpid(pid, &status, 0) == pid &&
	       WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "unprivileged: GET_INFO works, LAUNCH/UNLAUNCH/SET_DEVICE get EPERM");
}

static void test_sysfs(const char *path, int want_for_1)
{
	static const char *const garbage[] = {
		"2", "yes", "on", "true", " 1", "1 ", "01", "11", "-1",
		"1\n\n", "0\r\n", "\n",
	};

	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++)
		expect_write(path, garbage[i], strlen(garbage[i]), EINVAL);
	expect_write(path, "1\0", 2, EINVAL);
	expect_write(path, "1", 1, want_for_1);
	expect_write(path, "1\n", 2, want_for_1);
	expect_write(path, "0", 1, 0);
	expect_write(path, "0\n", 2, 0);
	result(attr_is(path, "0\n"), "%s still reads 0", path);
}

int main(void)
{
	char addr[64], path[160];
	void *noaccess, *readonly;
	char nvme[64];
	bool have_dev, have_nvme;
	int fd;

	page_size = sysconf(_SC_PAGESIZE);
	if (access(SYSFS, F_OK) &&
	    system("insmod ${RTVIRT_KO:-/rtvirt/rtvirt.ko}") != 0) {
		printf("TAP version 13\n1..0 # SKIP cannot load rtvirt.ko\n");
		return KSFT_SKIP;
	}
	fd = open(RTVIRT_DEVICE_PATH, O_RDWR);
	if (fd < 0) {
		printf("TAP version 13\n1..0 # SKIP %s: %s\n",
		       RTVIRT_DEVICE_PATH, strerror(errno));
		return KSFT_SKIP;
	}
	noaccess = mmap(NULL, page_size, PROT_NONE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	readonly = mmap(NULL, page_size, PROT_READ,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (noaccess == MAP_FAILED || readonly == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	/* The read-only page reads as a struct with a valid size of 0... */
	mprotect(readonly, page_size, PROT_READ | PROT_WRITE);
	*(__u32 *)readonly = sizeof(struct rtvirt_info);
	mprotect(readonly, page_size, PROT_READ);

	{
		struct rtvirt_info info = { .size = sizeof(info) };

		can_launch = !ioctl(fd, RTVIRT_GET_INFO, &info) &&
			     (info.backend == RTVIRT_BACKEND_SVM ||
			      info.backend == RTVIRT_BACKEND_VMX);
	}
	/* A NIC for the requests and the device's virtualized file. */
	have_dev = first_device(addr, sizeof(addr), "e1000e");
	have_nvme = first_device(nvme, sizeof(nvme), "nvme");
	printf("TAP version 13\n");
	test_unknown_requests(fd);
	test_get_info(fd, noaccess, readonly);
	test_list_devices(fd, noaccess);
	test_requests(fd, have_dev ? addr : NULL);
	test_unprivileged(fd, have_dev ? addr : NULL);
	test_device_ioctls(fd, have_nvme ? nvme : NULL);

	test_sysfs(SYSFS "/virtualized", can_launch ? 0 : EOPNOTSUPP);
	if (have_dev) {
		/* A takeover needs the VMM launched (EBUSY otherwise). */
		snprintf(path, sizeof(path), SYSFS "/devices/%s/virtualized",
			 addr);
		if (can_launch)
			expect_write(SYSFS "/virtualized", "1", 1, 0);
		test_sysfs(path, can_launch ? 0 : EBUSY);
		if (can_launch)
			expect_write(SYSFS "/virtualized", "0", 1, 0);
		snprintf(path, sizeof(path), SYSFS "/devices/%s/name", addr);
		expect_write(path, "x", 1, EACCES);
	}
	expect_write(SYSFS "/version", "1", 1, EACCES);
	close(fd);
	printf("1..%d\n", n_tests);
	return n_failed ? 1 : 0;
}
