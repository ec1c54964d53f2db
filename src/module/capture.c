// SPDX-License-Identifier: GPL-2.0
/*
 * Frame capture of a virtualized NIC (RTVIRT_CAPTURE): a ring of the OS's
 * memory that the VMM writes each frame into while it serves the device
 * (struct rtvirt_vmm_capture_ring), read out into the caller's buffer as
 * struct rtvirt_capture_record entries.  The ring belongs to the file
 * that started the capture; the VMM gets it at START and again whenever a
 * new launch attaches the device, and is told to stop before it is freed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/math64.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <asm/tsc.h>

#include "rtvirt.h"

static_assert(sizeof(struct rtvirt_capture) == RTVIRT_CAPTURE_SIZE_VER0);
static_assert(sizeof(struct rtvirt_capture_record) ==
	      RTVIRT_CAPTURE_RECORD_SIZE_VER0);
static_assert(RTVIRT_CAPTURE_TX == RTVIRT_VMM_CAPTURE_TX &&
	      RTVIRT_CAPTURE_RX == RTVIRT_VMM_CAPTURE_RX);
static_assert(RTVIRT_CAPTURE_SNAPLEN_MAX == RTVIRT_VMM_CAPTURE_SNAPLEN);
static_assert(RTVIRT_CAPTURE_RING_KIB_MIN * 1024 == RTVIRT_VMM_CAPTURE_MIN &&
	      RTVIRT_CAPTURE_RING_KIB_MAX * 1024ULL == RTVIRT_VMM_CAPTURE_MAX);

#define VMM_REC		sizeof(struct rtvirt_vmm_capture_rec)
#define USER_REC	sizeof(struct rtvirt_capture_record)

/**
 * struct rtvirt_capture_ctx - a capture, owned by the file that started it
 * @d:		the device (the reference its starter took, held)
 * @ring:	the ring the VMM writes
 * @pages:	its pages, 2^@order of them
 * @order:
 * @bytes:	its size in bytes, header included
 * @data:	bytes of its data area
 * @tail:	bytes read (the ring's tail is written from it)
 * @snaplen:	bytes kept of each frame
 * @tsc0:	TSC at START, and CLOCK_REALTIME then, for the timestamps
 * @ns0:
 */
struct rtvirt_capture_ctx {
	struct rtvirt_dev *d;
	struct rtvirt_vmm_capture_ring *ring;
	struct page *pages;
	unsigned int order;
	size_t bytes;
	u64 data;
	u64 tail;
	u32 snaplen;
	u64 tsc0;
	u64 ns0;
};

/* Serialises captures starting, reading and stopping, and files' captures. */
static DEFINE_MUTEX(capture_mutex);

/* Give the running VMM @c's ring; op_lock and the launch lock held. */
static int give(struct rtvirt_dev *d, struct rtvirt_capture_ctx *c)
{
	if (!rtvirt_launched() || d->vmm_gen != rtvirt_generation())
		return 0;	/* the next attach gives it */
	return rtvirt_hc_errno(rtvirt_hypercall(RTVIRT_HC_DEV_CAPTURE,
						d->vmm_id,
						page_to_phys(c->pages),
						c->bytes));
}

/**
 * rtvirt_capture_attach() - give a new launch's VMM the device's capture
 * @d:		the device, just attached; op_lock and the launch lock held
 */
void rtvirt_capture_attach(struct rtvirt_dev *d)
{
	int ret;

	if (!d->capture)
		return;
	ret = give(d, d->capture);
	if (ret)
		pr_warn("%s: the VMM did not take the capture ring (%d); frames are not captured\n",
			pci_name(d->pdev), ret);
}

static void free_ring(struct rtvirt_capture_ctx *c)
{
	__free_pages(c->pages, c->order);
	kfree(c);
}

/* The largest ring of at most @kib KiB the page allocator has. */
static int alloc_ring(struct rtvirt_capture_ctx *c, u32 kib)
{
	unsigned int order = get_order((size_t)kib * 1024);
	unsigned int min = get_order(RTVIRT_VMM_CAPTURE_MIN);

	for (;; order--) {
		c->pages = alloc_pages(GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN |
				       (order > min ? __GFP_NORETRY : 0), order);
		if (c->pages || order == min)
			break;
	}
	if (!c->pages)
		return -ENOMEM;
	c->order = order;
	c->bytes = PAGE_SIZE << order;
	c->ring = page_address(c->pages);
	c->data = c->bytes - offsetof(struct rtvirt_vmm_capture_ring, data);
	return 0;
}

/**
 * rtvirt_capture_start() - RTVIRT_CAPTURE_START on @file
 * @file:	the file that owns the capture
 * @d:		a device whose model captures; on success the capture keeps
 *		the caller's reference, which rtvirt_capture_stop() returns
 * @req:	snaplen and ring_kib in, ring_kib out
 *
 * Return: 0; -EBUSY when the file or the device already has a capture;
 * -EINVAL, -ENOMEM, or the VMM's refusal of the ring.
 */
int rtvirt_capture_start(struct file *file, struct rtvirt_dev *d,
			 struct rtvirt_capture *req)
{
	struct rtvirt_capture_ctx *c;
	u32 kib = req->ring_kib ? req->ring_kib : RTVIRT_CAPTURE_RING_KIB_DEFAULT;
	u32 snaplen = req->snaplen ? req->snaplen : RTVIRT_CAPTURE_SNAPLEN_MAX;
	int ret;

	if (kib < RTVIRT_CAPTURE_RING_KIB_MIN ||
	    kib > RTVIRT_CAPTURE_RING_KIB_MAX ||
	    snaplen < RTVIRT_CAPTURE_SNAPLEN_MIN ||
	    snaplen > RTVIRT_CAPTURE_SNAPLEN_MAX)
		return -EINVAL;
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	c->d = d;
	ret = alloc_ring(c, kib);
	if (ret) {
		kfree(c);
		return ret;
	}
	c->snaplen = snaplen;
	c->ring->snaplen = snaplen;
	c->tsc0 = rdtsc_ordered();
	c->ns0 = ktime_get_real_ns();

	mutex_lock(&capture_mutex);
	mutex_lock(&d->op_lock);
	rtvirt_launch_lock();
	if (file->private_data || d->capture)
		ret = -EBUSY;
	else
		ret = give(d, c);
	if (!ret)
		d->capture = c;
	rtvirt_launch_unlock();
	mutex_unlock(&d->op_lock);
	if (!ret)
		file->private_data = c;
	mutex_unlock(&capture_mutex);
	if (ret) {
		free_ring(c);
		return ret;
	}
	req->ring_kib = c->bytes / 1024;
	return 0;
}

/* Copy @n bytes at byte @pos of the record stream to @dst. */
static int copy_out(struct rtvirt_capture_ctx *c, void __user *dst, u64 pos,
		    u64 n)
{
	u64 off = pos % c->data, first = min(n, c->data - off);

	if (copy_to_user(dst, c->ring->data + off, first))
		return -EFAULT;
	if (n > first && copy_to_user(dst + first, c->ring->data, n - first))
		return -EFAULT;
	return 0;
}

static void copy_in(struct rtvirt_capture_ctx *c, void *dst, u64 pos, u64 n)
{
	u64 off = pos % c->data, first = min(n, c->data - off);

	memcpy(dst, c->ring->data + off, first);
	if (n > first)
		memcpy(dst + first, c->ring->data, n - first);
}

static u64 to_ns(const struct rtvirt_capture_ctx *c, u64 tsc)
{
	u64 khz = tsc_khz ? tsc_khz : 1000000;

	if (tsc < c->tsc0)
		return c->ns0 - min(c->ns0, mul_u64_u32_div(c->tsc0 - tsc, 1000000, khz));
	return c->ns0 + mul_u64_u32_div(tsc - c->tsc0, 1000000, khz);
}

/* The records from the tail on that fit in @size bytes at @buf. */
static int read_records(struct rtvirt_capture_ctx *c, u8 __user *buf,
			u32 size, u32 *written)
{
	u64 head = smp_load_acquire(&c->ring->head), tail = c->tail;
	static const u8 zeros[8];
	u32 out = 0;
	int ret = 0;

	while (tail < head) {
		struct rtvirt_vmm_capture_rec rec;
		struct rtvirt_capture_record ur = {};
		u64 pad;

		copy_in(c, &rec, tail, VMM_REC);
		pad = ALIGN(rec.caplen, 8) - rec.caplen;
		if (rec.caplen > c->snaplen || rec.caplen > rec.len ||
		    VMM_REC + rec.caplen + pad > head - tail) {
			pr_err_ratelimited("%s: capture ring out of order at byte %llu; frames until %llu skipped\n",
					   pci_name(c->d->pdev), tail, head);
			tail = head;
			ret = -EIO;
			break;
		}
		if (USER_REC + rec.caplen + pad > size - out) {
			if (!out)
				ret = -EMSGSIZE;
			break;
		}
		ur.ts_ns = to_ns(c, rec.tsc);
		ur.len = rec.len;
		ur.caplen = rec.caplen;
		ur.dir = rec.dir;
		if (copy_to_user(buf + out, &ur, USER_REC) ||
		    copy_out(c, buf + out + USER_REC, tail + VMM_REC,
			     rec.caplen) ||
		    copy_to_user(buf + out + USER_REC + rec.caplen, zeros, pad)) {
			ret = -EFAULT;
			break;
		}
		out += USER_REC + rec.caplen + pad;
		tail += VMM_REC + rec.caplen + pad;
	}
	c->tail = tail;
	smp_store_release(&c->ring->tail, tail);
	*written = out;
	return ret;
}

/**
 * rtvirt_capture_read() - RTVIRT_CAPTURE_READ on @file
 * @file:	the file that owns the capture
 * @req:	buf and buf_size in; bytes, frames and dropped out
 *
 * Return: 0, -ENOENT without a capture on @file, -EMSGSIZE when the
 * oldest record does not fit, -EFAULT, or -EIO for a ring that is not in
 * order (what was in it is skipped).
 */
int rtvirt_capture_read(struct file *file, struct rtvirt_capture *req)
{
	struct rtvirt_capture_ctx *c;
	int ret;

	mutex_lock(&capture_mutex);
	c = file->private_data;
	if (!c) {
		mutex_unlock(&capture_mutex);
		return -ENOENT;
	}
	ret = read_records(c, u64_to_user_ptr(req->buf), req->buf_size,
			   &req->bytes);
	req->frames = READ_ONCE(c->ring->frames);
	req->dropped = READ_ONCE(c->ring->dropped);
	req->ring_kib = c->bytes / 1024;
	req->snaplen = c->snaplen;
	mutex_unlock(&capture_mutex);
	return ret;
}

/**
 * rtvirt_capture_stop() - end @file's capture (STOP, or the file closes)
 * @file:	the file
 * @req:	frames and dropped out, or NULL
 *
 * The VMM is told to stop writing the ring before it is freed; should it
 * not answer (it cannot fail), the ring is leaked rather than freed under
 * it.
 *
 * Return: the captured device, whose reference the caller drops; NULL
 * without a capture on @file.
 */
struct rtvirt_dev *rtvirt_capture_stop(struct file *file,
				       struct rtvirt_capture *req)
{
	struct rtvirt_capture_ctx *c;
	struct rtvirt_dev *d;
	int ret = 0;

	mutex_lock(&capture_mutex);
	c = file->private_data;
	if (!c) {
		mutex_unlock(&capture_mutex);
		return NULL;
	}
	d = c->d;
	mutex_lock(&d->op_lock);
	rtvirt_launch_lock();
	if (rtvirt_launched() && d->vmm_gen == rtvirt_generation())
		ret = rtvirt_hc_errno(rtvirt_hypercall(RTVIRT_HC_DEV_CAPTURE,
						       d->vmm_id, 0, 0));
	d->capture = NULL;
	rtvirt_launch_unlock();
	mutex_unlock(&d->op_lock);
	file->private_data = NULL;
	mutex_unlock(&capture_mutex);
	if (req) {
		req->frames = READ_ONCE(c->ring->frames);
		req->dropped = READ_ONCE(c->ring->dropped);
	}
	if (ret) {
		pr_err("%s: the VMM did not stop its capture (%d); its ring of %zu bytes stays allocated\n",
		       pci_name(d->pdev), ret, c->bytes);
		kfree(c);
	} else {
		free_ring(c);
	}
	return d;
}
