// SPDX-License-Identifier: GPL-2.0
/*
 * DMA probes for the selftests (debugfs): commands that try to make a
 * virtualized NVMe controller reach the VMM's memory, submitted through
 * the OS's own nvme driver the way any OS command is.  The buffer probe
 * reads into the VMM's canary page, which the VMM must refuse.  The
 * rewrite probe reads into pages of its own through a PRP list of its
 * own and, as soon as the driver has rung the doorbell, points the list
 * at the canary page, as a kernel racing the controller's fetch would:
 * the controller must transfer where the list said when the VMM checked
 * it, never into the canary.  Both need a machine without an IOMMU in
 * the controller's way (the test VM); the second a kernel with kretprobes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blkdev.h>
#include <linux/gfp.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/nvme.h>
#include <linux/slab.h>
#include <rtvirt/vmm_abi.h>

#include "rtvirt.h"

typedef int (*submit_sync_fn)(struct request_queue *q, struct nvme_command *c,
			      void *buf, unsigned int len);

/* The rewrite probe's transfer: PRP1 and a list of three entries. */
#define REWRITE_PAGES		4
#define REWRITE_BYTES		(REWRITE_PAGES * PAGE_SIZE)
#define REWRITE_TRIES		5
#define REWRITE_FILL		0x5a

struct probe {
	struct gendisk *disk;
	submit_sync_fn submit;
	u64 canary_pa;
};

/* Take @d for a probe: virtualized, with a disk and the nvme driver. */
static int probe_begin(struct rtvirt_dev *d, struct probe *p)
{
	u64 pa;

	memset(p, 0, sizeof(*p));
	mutex_lock(&d->op_lock);
	rtvirt_launch_lock();
	if (d->state != RTVIRT_DEV_VIRTUALIZED)
		return -EBUSY;
	p->disk = rtvirt_nvme_disk(d->pdev);
	p->submit = (submit_sync_fn)__symbol_get("nvme_submit_sync_cmd");
	if (!p->disk || !p->submit)
		return -ENODEV;
	pa = rtvirt_hypercall(RTVIRT_HC_CANARY, 0, 0, 0);
	if (rtvirt_hc_errno(pa))
		return rtvirt_hc_errno(pa);
	p->canary_pa = pa;
	return 0;
}

static void probe_end(struct rtvirt_dev *d, struct probe *p)
{
	if (p->submit)
		__symbol_put("nvme_submit_sync_cmd");
	rtvirt_launch_unlock();
	mutex_unlock(&d->op_lock);
}

static bool canary_intact(void)
{
	return rtvirt_hypercall(RTVIRT_HC_CANARY, 1, 0, 0) == 1;
}

/* A read of @bytes from the start of the disk's namespace. */
static void read_cmd(struct nvme_command *c, struct gendisk *disk, u32 bytes)
{
	unsigned int lba = queue_logical_block_size(disk->queue);
	u32 nsid = rtvirt_nvme_disk_nsid(disk);

	memset(c, 0, sizeof(*c));
	c->rw.opcode = nvme_cmd_read;
	c->rw.nsid = cpu_to_le32(nsid ? nsid : 1);
	c->rw.length = cpu_to_le16(bytes / lba - 1);
}

/**
 * rtvirt_dev_dma_probe() - submit a read whose buffer is VMM memory
 * @d:		a virtualized NVMe device
 * @res:	gets the command's status and whether the canary is intact
 *
 * The VMM must refuse the command.
 *
 * Return: 0, -EBUSY when the device is not virtualized, -ENODEV without
 * a namespace or the nvme driver.
 */
int rtvirt_dev_dma_probe(struct rtvirt_dev *d, struct rtvirt_probe_result *res)
{
	struct nvme_command c;
	struct probe p;
	int ret;

	memset(res, 0, sizeof(*res));
	ret = probe_begin(d, &p);
	if (!ret) {
		read_cmd(&c, p.disk, PAGE_SIZE);
		ret = p.submit(p.disk->queue, &c, phys_to_virt(p.canary_pa),
			       PAGE_SIZE);
		res->status = ret > 0 ? ret : 0;
		res->intact = canary_intact();
		res->tries = 1;
		ret = ret < 0 ? ret : 0;
	}
	probe_end(d, &p);
	return ret;
}

/* The rewrite: armed for one task's next return from nvme_queue_rq(). */
static struct {
	struct task_struct *task;
	u64 *list;
	u64 canary_pa;
	bool rewritten;
} rw;

static int queue_rq_returned(struct kretprobe_instance *ri,
			     struct pt_regs *regs)
{
	if (READ_ONCE(rw.task) != current)
		return 0;
	/* The driver rang the doorbell: now point the list elsewhere. */
	for (unsigned int i = 0; i < REWRITE_PAGES - 1; i++)
		WRITE_ONCE(rw.list[i], rw.canary_pa);
	WRITE_ONCE(rw.task, NULL);
	rw.rewritten = true;
	return 0;
}

static struct kretprobe queue_rq_probe = {
	.handler = queue_rq_returned,
	.kp.symbol_name = "nvme_queue_rq",
	.maxactive = 64,
};

/* One submission; the data pages end up holding what the controller sent. */
static int rewrite_once(struct probe *p, struct page *data, u64 *list)
{
	struct nvme_command c;
	int ret;

	memset(page_address(data), REWRITE_FILL, REWRITE_BYTES);
	for (unsigned int i = 0; i < REWRITE_PAGES - 1; i++)
		list[i] = page_to_phys(data) + (i + 1) * PAGE_SIZE;
	read_cmd(&c, p->disk, REWRITE_BYTES);
	c.rw.dptr.prp1 = cpu_to_le64(page_to_phys(data));
	c.rw.dptr.prp2 = cpu_to_le64(virt_to_phys(list));
	rw.list = list;
	rw.canary_pa = p->canary_pa;
	rw.rewritten = false;
	smp_store_release(&rw.task, current);
	/* No buffer: the driver leaves the command's own data pointers. */
	ret = p->submit(p->disk->queue, &c, NULL, 0);
	WRITE_ONCE(rw.task, NULL);
	return ret;
}

/**
 * rtvirt_dev_rewrite_probe() - rewrite a read's PRP list after its doorbell
 * @d:		a virtualized NVMe device
 * @res:	gets the read's status, whether the list was rewritten after
 *		the doorbell, whether the data arrived where the list said at
 *		the doorbell (compared with a plain read of the same blocks)
 *		and whether the canary is intact
 *
 * Submissions that the driver dispatched from another task, so that the
 * rewrite missed them, are tried again, at most REWRITE_TRIES in all.
 *
 * Return: 0, -EBUSY when the device is not virtualized, -ENODEV without
 * a namespace, the nvme driver or its nvme_queue_rq() to probe, -ENOMEM.
 */
int rtvirt_dev_rewrite_probe(struct rtvirt_dev *d,
			     struct rtvirt_probe_result *res)
{
	struct page *data = NULL;
	u64 *list = NULL;
	void *ref = NULL;
	struct nvme_command c;
	struct probe p;
	int ret;

	memset(res, 0, sizeof(*res));
	ret = probe_begin(d, &p);
	if (ret)
		goto out;
	ret = -ENOMEM;
	data = alloc_pages(GFP_KERNEL, get_order(REWRITE_BYTES));
	list = (u64 *)get_zeroed_page(GFP_KERNEL);
	ref = kmalloc(REWRITE_BYTES, GFP_KERNEL);
	if (!data || !list || !ref)
		goto out;
	/* What the blocks hold, read the ordinary way. */
	read_cmd(&c, p.disk, REWRITE_BYTES);
	ret = p.submit(p.disk->queue, &c, ref, REWRITE_BYTES);
	if (ret) {
		ret = ret < 0 ? ret : -EIO;
		goto out;
	}
	ret = register_kretprobe(&queue_rq_probe);
	if (ret) {
		pr_err("rewrite probe: cannot probe nvme_queue_rq (%d)\n", ret);
		ret = -ENODEV;
		goto out;
	}
	do {
		ret = rewrite_once(&p, data, list);
		res->tries++;
	} while (ret >= 0 && !rw.rewritten && res->tries < REWRITE_TRIES);
	unregister_kretprobe(&queue_rq_probe);
	if (ret < 0)
		goto out;
	res->status = ret;
	res->rewritten = rw.rewritten;
	res->data_ok = !memcmp(page_address(data), ref, REWRITE_BYTES);
	res->intact = canary_intact();
	ret = 0;
out:
	probe_end(d, &p);
	kfree(ref);
	free_page((unsigned long)list);
	if (data)
		__free_pages(data, get_order(REWRITE_BYTES));
	return ret;
}
