// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/rtvirt: the ioctl interface of include/uapi/linux/rtvirt.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cpumask.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "rtvirt.h"

static_assert(sizeof(struct rtvirt_info) == RTVIRT_INFO_SIZE_VER0);
static_assert(sizeof(struct rtvirt_device) == RTVIRT_DEVICE_SIZE_VER0);
static_assert(sizeof(struct rtvirt_device_list) ==
	      RTVIRT_DEVICE_LIST_SIZE_VER0);
static_assert(sizeof(struct rtvirt_device_request) ==
	      RTVIRT_DEVICE_REQUEST_SIZE_VER0);
static_assert(sizeof(struct rtvirt_cpu_stats) == RTVIRT_CPU_STATS_SIZE_VER0);
static_assert(sizeof(struct rtvirt_device_stats) ==
	      RTVIRT_DEVICE_STATS_SIZE_VER1);
static_assert(sizeof(struct rtvirt_trace_entry) ==
	      RTVIRT_TRACE_ENTRY_SIZE_VER0);
static_assert(sizeof(struct rtvirt_trace) == RTVIRT_TRACE_SIZE_VER0);
static_assert(sizeof(struct rtvirt_inject) == RTVIRT_INJECT_SIZE_VER1);

/* Callers' structures may grow, but not without bound. */
#define USER_STRUCT_MAX		PAGE_SIZE

/*
 * The structure size encoded in an ioctl number is that of the caller's
 * headers; the structure's own size field is what counts, so requests are
 * matched without it.
 */
#define IOC_NO_SIZE(cmd)	((cmd) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT))

static int read_user_size(const void __user *arg, size_t ver0, u32 *usize)
{
	if (get_user(*usize, (const u32 __user *)arg))
		return -EFAULT;
	if (*usize < ver0 || *usize > USER_STRUCT_MAX)
		return -EINVAL;
	return 0;
}

/* Copy a structure out to a caller that knows @usize bytes of it. */
static int copy_struct_out(void __user *dst, size_t usize, const void *src,
			   size_t ksize)
{
	if (copy_to_user(dst, src, min(usize, ksize)))
		return -EFAULT;
	if (usize > ksize && clear_user(dst + ksize, usize - ksize))
		return -EFAULT;
	return 0;
}

/* Copy in a versioned structure whose first VER0 bytes it must have. */
static int struct_arg(void __user *arg, size_t ver0, void *req, size_t ksize,
		      u32 *usize)
{
	int ret;

	ret = read_user_size(arg, ver0, usize);
	if (ret)
		return ret;
	ret = copy_struct_from_user(req, ksize, arg, *usize);
	return ret == -E2BIG ? -EINVAL : ret;
}

static long ioctl_get_info(void __user *arg)
{
	struct rtvirt_info info = {};
	u32 usize;
	int ret;

	ret = read_user_size(arg, RTVIRT_INFO_SIZE_VER0, &usize);
	if (ret)
		return ret;
	info.size = sizeof(info);
	info.abi_version = RTVIRT_ABI_VERSION;
	info.vmm_version = rtvirt_vmm_image_version();
	info.features = rtvirt_caps.features;
	info.backend = rtvirt_caps.backend;
	info.virtualized = rtvirt_launched();
	info.nr_cpus = num_online_cpus();
	info.nr_devices = rtvirt_devices_count();
	info.vmm_image_size = rtvirt_vmm_image_size();
	strscpy(info.version, RTVIRT_VERSION, sizeof(info.version));
	return copy_struct_out(arg, usize, &info, sizeof(info));
}

static long ioctl_list_devices(void __user *arg)
{
	struct rtvirt_device_list req;
	struct rtvirt_device *snap;
	u8 __user *entries;
	u32 usize, count, n, i;
	int ret;

	ret = struct_arg(arg, RTVIRT_DEVICE_LIST_SIZE_VER0, &req, sizeof(req),
			 &usize);
	if (ret)
		return ret;
	if (req.entry_size < RTVIRT_DEVICE_SIZE_VER0 ||
	    req.entry_size > USER_STRUCT_MAX)
		return -EINVAL;
	entries = u64_to_user_ptr(req.entries);

	/* Snapshot into kernel memory; copy out without holding locks. */
	count = rtvirt_devices_count();
	n = min(req.capacity, count);
	snap = n ? kcalloc(n, sizeof(*snap), GFP_KERNEL) : NULL;
	if (n && !snap)
		return -ENOMEM;
	count = rtvirt_devices_snapshot(snap, n);
	n = min(n, count);

	for (i = 0; i < n && !ret; i++)
		ret = copy_struct_out(entries + (size_t)i * req.entry_size,
				      req.entry_size, &snap[i], sizeof(*snap));
	kfree(snap);
	if (ret)
		return ret;
	req.size = sizeof(req);
	req.count = count;
	return copy_struct_out(arg, usize, &req, sizeof(req));
}

static long ioctl_set_device(void __user *arg)
{
	struct rtvirt_device_request req;
	u32 usize;
	int ret;

	ret = struct_arg(arg, RTVIRT_DEVICE_REQUEST_SIZE_VER0, &req, sizeof(req),
			 &usize);
	if (ret)
		return ret;
	if (req.virtualize > 1 ||
	    !memchr(req.address, '\0', sizeof(req.address)))
		return -EINVAL;
	return rtvirt_device_request(req.address, req.virtualize);
}

/* Copy in a versioned structure that names a device; find the device. */
static int device_arg(void __user *arg, size_t ver0, void *req, size_t ksize,
		      const char *address, u32 *usize, struct rtvirt_dev **d)
{
	int ret;

	ret = struct_arg(arg, ver0, req, ksize, usize);
	if (ret)
		return ret;
	if (!memchr(address, '\0', RTVIRT_ADDR_LEN))
		return -EINVAL;
	*d = rtvirt_device_get(address);
	return *d ? 0 : -ENODEV;
}

static long ioctl_get_device_stats(void __user *arg)
{
	struct rtvirt_device_stats req;
	struct rtvirt_vmm_dev_stats st;
	struct rtvirt_dev *d;
	u32 usize;
	int ret;

	ret = device_arg(arg, RTVIRT_DEVICE_STATS_SIZE_VER0, &req, sizeof(req),
			 req.address, &usize, &d);
	if (ret)
		return ret;
	ret = rtvirt_dev_stats(d, &st);
	rtvirt_device_put(d);
	if (ret)
		return ret;
	req.size = sizeof(req);
	req.state = st.state;
	memcpy(req.traps, st.traps, sizeof(req.traps));
	req.ios = st.ios;
	req.virtualizations = st.virtualizations;
	req.devirtualizations = st.devirtualizations;
	req.replayed = st.replayed;
	req.last_stall_ns = st.last_stall_ns;
	req.max_stall_ns = st.max_stall_ns;
	req.dma_refused = st.dma_refused;
	req.injected = st.injected;
	req.handback_retries = st.handback_retries;
	req.tx_frames = st.tx_frames;
	req.rx_frames = st.rx_frames;
	req.tx_bytes = st.tx_bytes;
	req.rx_bytes = st.rx_bytes;
	return copy_struct_out(arg, usize, &req, sizeof(req));
}

static long ioctl_read_trace(void __user *arg)
{
	struct rtvirt_vmm_trace *buf;
	struct rtvirt_trace req;
	struct rtvirt_dev *d;
	u8 __user *entries;
	size_t size;
	u32 usize, n, i;
	int ret;

	ret = device_arg(arg, RTVIRT_TRACE_SIZE_VER0, &req, sizeof(req),
			 req.address, &usize, &d);
	if (ret)
		return ret;
	if (req.entry_size < RTVIRT_TRACE_ENTRY_SIZE_VER0 ||
	    req.entry_size > USER_STRUCT_MAX) {
		rtvirt_device_put(d);
		return -EINVAL;
	}
	n = min_t(u32, req.capacity, RTVIRT_TRACE_RING);
	size = sizeof(*buf) + (size_t)n * sizeof(buf->entries[0]);
	buf = kmalloc(size, GFP_KERNEL);	/* physically contiguous */
	if (!buf) {
		rtvirt_device_put(d);
		return -ENOMEM;
	}
	ret = rtvirt_dev_trace(d, buf, size);
	rtvirt_device_put(d);
	entries = u64_to_user_ptr(req.entries);
	n = ret < 0 ? 0 : min_t(u32, buf->count, n);
	for (i = 0; i < n && ret >= 0; i++)
		ret = copy_struct_out(entries + (size_t)i * req.entry_size,
				      req.entry_size, &buf->entries[i],
				      sizeof(buf->entries[i]));
	req.size = sizeof(req);
	req.count = n;
	req.dropped = buf->dropped;
	kfree(buf);
	if (ret < 0)
		return ret;
	return copy_struct_out(arg, usize, &req, sizeof(req));
}

/*
 * Commands (READS, WRITES) get a status and/or a delay; frames (TX, RX) a
 * drop, a delay (of at most half a second), or a corruption of received
 * ones, with a probability.  A count of 0 cancels either.
 */
static bool inject_ok(const struct rtvirt_inject *r)
{
	u32 cmds = RTVIRT_INJECT_READS | RTVIRT_INJECT_WRITES;
	u32 frames = RTVIRT_INJECT_TX | RTVIRT_INJECT_RX;

	if ((r->match & ~(cmds | frames)) || (r->count && !r->match) ||
	    ((r->match & cmds) && (r->match & frames)))
		return false;
	if (r->match & frames)
		return !r->status &&
		       r->probability <= RTVIRT_INJECT_PROBABILITY_ONE &&
		       (r->action == RTVIRT_INJECT_DELAY) == !!r->delay_us &&
		       r->delay_us <= RTVIRT_INJECT_MAX_FRAME_DELAY_US &&
		       (!r->count || r->action == RTVIRT_INJECT_DROP ||
			r->action == RTVIRT_INJECT_DELAY ||
			(r->action == RTVIRT_INJECT_CORRUPT &&
			 !(r->match & RTVIRT_INJECT_TX)));
	return !r->action && !r->probability && r->status <= 0x7fff &&
	       r->delay_us <= RTVIRT_INJECT_MAX_DELAY_US &&
	       (!r->count || r->status || r->delay_us);
}

static long ioctl_inject(void __user *arg)
{
	struct rtvirt_vmm_inject inj = {};
	struct rtvirt_inject req;
	struct rtvirt_dev *d;
	u32 usize;
	int ret;

	ret = device_arg(arg, RTVIRT_INJECT_SIZE_VER0, &req, sizeof(req),
			 req.address, &usize, &d);
	if (ret)
		return ret;
	if (!inject_ok(&req)) {
		rtvirt_device_put(d);
		return -EINVAL;
	}
	inj.match = req.match;
	inj.count = req.count;
	inj.status = req.status;
	inj.delay_us = req.delay_us;
	inj.action = req.action;
	inj.probability = req.probability;
	ret = rtvirt_device_inject(d, &inj);
	rtvirt_device_put(d);
	return ret;
}

static long ioctl_capture(struct file *file, void __user *arg)
{
	struct rtvirt_capture req;
	struct rtvirt_dev *d;
	u32 usize;
	int ret;

	ret = struct_arg(arg, RTVIRT_CAPTURE_SIZE_VER0, &req, sizeof(req),
			 &usize);
	if (ret)
		return ret;
	switch (req.op) {
	case RTVIRT_CAPTURE_START:
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		if (!memchr(req.address, '\0', RTVIRT_ADDR_LEN))
			return -EINVAL;
		d = rtvirt_device_get(req.address);
		if (!d)
			return -ENODEV;
		ret = rtvirt_dev_captures(d) ?
		      rtvirt_capture_start(file, d, &req) : -EOPNOTSUPP;
		if (ret)
			rtvirt_device_put(d);
		break;
	case RTVIRT_CAPTURE_READ:
		ret = rtvirt_capture_read(file, &req);
		break;
	case RTVIRT_CAPTURE_STOP:
		d = rtvirt_capture_stop(file, &req);
		if (!d)
			return -ENOENT;
		rtvirt_device_put(d);
		break;
	default:
		return -EINVAL;
	}
	if (ret)
		return ret;
	req.size = sizeof(req);
	return copy_struct_out(arg, usize, &req, sizeof(req));
}

static long ioctl_get_cpu_stats(void __user *arg)
{
	struct rtvirt_cpu_stats st;
	u32 usize, cpu;
	int ret;

	ret = read_user_size(arg, RTVIRT_CPU_STATS_SIZE_VER0, &usize);
	if (ret)
		return ret;
	if (get_user(cpu, (const u32 __user *)arg + 1))
		return -EFAULT;
	ret = rtvirt_cpu_stats(cpu, &st);
	if (ret)
		return ret;
	return copy_struct_out(arg, usize, &st, sizeof(st));
}

static long rtvirt_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (IOC_NO_SIZE(cmd)) {
	case IOC_NO_SIZE(RTVIRT_GET_INFO):
		return ioctl_get_info(uarg);
	case IOC_NO_SIZE(RTVIRT_LIST_DEVICES):
		return ioctl_list_devices(uarg);
	case IOC_NO_SIZE(RTVIRT_LAUNCH):
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		return rtvirt_launch();
	case IOC_NO_SIZE(RTVIRT_UNLAUNCH):
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		return rtvirt_unlaunch();
	case IOC_NO_SIZE(RTVIRT_GET_CPU_STATS):
		return ioctl_get_cpu_stats(uarg);
	case IOC_NO_SIZE(RTVIRT_SET_DEVICE):
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		return ioctl_set_device(uarg);
	case IOC_NO_SIZE(RTVIRT_GET_DEVICE_STATS):
		return ioctl_get_device_stats(uarg);
	case IOC_NO_SIZE(RTVIRT_READ_TRACE):
		return ioctl_read_trace(uarg);
	case IOC_NO_SIZE(RTVIRT_INJECT):
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		return ioctl_inject(uarg);
	case IOC_NO_SIZE(RTVIRT_CAPTURE):
		return ioctl_capture(file, uarg);
	default:
		return -ENOTTY;
	}
}

/* A file's private data is its capture (capture.c), none at first. */
static int rtvirt_open(struct inode *inode, struct file *file)
{
	file->private_data = NULL;
	return 0;
}

static int rtvirt_release(struct inode *inode, struct file *file)
{
	struct rtvirt_dev *d = rtvirt_capture_stop(file, NULL);

	if (d)
		rtvirt_device_put(d);
	return 0;
}

static const struct file_operations rtvirt_fops = {
	.owner = THIS_MODULE,
	.open = rtvirt_open,
	.release = rtvirt_release,
	.unlocked_ioctl = rtvirt_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice rtvirt_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "rtvirt",
	.fops = &rtvirt_fops,
	.mode = 0600,
};

/**
 * rtvirt_chardev_init() - register /dev/rtvirt
 *
 * Return: 0 or a negative errno.
 */
int rtvirt_chardev_init(void)
{
	return misc_register(&rtvirt_misc);
}

/**
 * rtvirt_chardev_exit() - unregister /dev/rtvirt
 */
void rtvirt_chardev_exit(void)
{
	misc_deregister(&rtvirt_misc);
}
