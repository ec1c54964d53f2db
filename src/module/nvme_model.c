// SPDX-License-Identifier: GPL-2.0
/*
 * The NVMe model, the module's side (struct rtvirt_model_ops): the namespaces
 * and the queues of an NVMe controller as Linux's nvme driver holds them,
 * handed to the VMM at a takeover and at a hand-back's last step.
 *
 * The driver's per-controller and per-queue state (struct nvme_dev and
 * struct nvme_queue, private to drivers/nvme/host/pci.c) is read with
 * field offsets found in the nvme module's BTF (/sys/kernel/btf/nvme, split
 * on /sys/kernel/btf/vmlinux; in vmlinux's own BTF when nvme is built in),
 * once per module load.  The takeover reads the state with every other CPU
 * stopped and hands it to the VMM, which checks each value against the
 * controller: a layout that does not check out is refused there.  Nothing
 * here depends on what the admin queue still shows or on the uptime.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blkdev.h>
#include <linux/fs.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <rtvirt/btf.h>

#include "rtvirt.h"

/* Bits of struct nvme_queue's flags (drivers/nvme/host/pci.c, since 5.0). */
#define NVMEQ_ENABLED		0
#define NVMEQ_SQ_CMB		1
#define NVMEQ_POLLED		3
#define NVME_SQES_64		6	/* log2 of a 64-byte submission entry */

struct field {
	const char *type;
	const char *name;
	const char *alt;	/* the type it moved to, or NULL */
	u32 off;
	u32 size;
	bool in_alt;		/* found in @alt */
};

/* F_Q_SQ to F_Q_FLAGS: struct nvme_queue, read in one loop in this order. */
enum {
	F_DEV_QUEUES, F_DEV_ONLINE, F_DEV_STRIDE, F_DEV_DBBUF, F_DEV_DBS_DMA,
	F_DEV_EIS_DMA, F_Q_SQ, F_Q_CQ, F_Q_DEPTH, F_Q_VECTOR, F_Q_TAIL,
	F_Q_NEXT, F_Q_HEAD, F_Q_QID, F_Q_PHASE, F_Q_SQES, F_Q_FLAGS, F_NS_HEAD,
	F_NS_ID, F_NS_MS, F_NS_PI_SIZE, F_NS_PI_TYPE, F_NS_FEATURES,
	F_NR
};

/* Bit of the namespace's features (enum nvme_ns_features, since 5.8). */
#define NVME_NS_EXT_LBAS	BIT(0)

static struct field fields[F_NR] = {
	[F_DEV_QUEUES] = { "nvme_dev", "queues" },
	[F_DEV_ONLINE] = { "nvme_dev", "online_queues" },
	[F_DEV_STRIDE] = { "nvme_dev", "db_stride" },
	[F_DEV_DBBUF] = { "nvme_dev", "dbbuf_dbs" },
	[F_DEV_DBS_DMA] = { "nvme_dev", "dbbuf_dbs_dma_addr" },
	[F_DEV_EIS_DMA] = { "nvme_dev", "dbbuf_eis_dma_addr" },
	[F_Q_SQ] = { "nvme_queue", "sq_dma_addr" },
	[F_Q_CQ] = { "nvme_queue", "cq_dma_addr" },
	[F_Q_DEPTH] = { "nvme_queue", "q_depth" },
	[F_Q_VECTOR] = { "nvme_queue", "cq_vector" },
	/* What the controller was told; sq_tail may be ahead of it. */
	[F_Q_TAIL] = { "nvme_queue", "last_sq_tail" },
	[F_Q_NEXT] = { "nvme_queue", "sq_tail" },
	[F_Q_HEAD] = { "nvme_queue", "cq_head" },
	[F_Q_QID] = { "nvme_queue", "qid" },
	[F_Q_PHASE] = { "nvme_queue", "cq_phase" },
	[F_Q_SQES] = { "nvme_queue", "sqes" },
	[F_Q_FLAGS] = { "nvme_queue", "flags" },
	/* A namespace disk's private data, and its namespace id. */
	[F_NS_HEAD] = { "nvme_ns", "head" },
	[F_NS_ID] = { "nvme_ns_head", "ns_id" },
	/* The namespace's format: in struct nvme_ns_head since Linux 6.8. */
	[F_NS_MS] = { "nvme_ns", "ms", "nvme_ns_head" },
	/* The size of the guard format's tuple, even without PI. */
	[F_NS_PI_SIZE] = { "nvme_ns", "pi_size", "nvme_ns_head" },
	[F_NS_PI_TYPE] = { "nvme_ns", "pi_type", "nvme_ns_head" },	/* 0: no PI */
	[F_NS_FEATURES] = { "nvme_ns", "features", "nvme_ns_head" },
};

static atomic_t layout_fault = ATOMIC_INIT(RTVIRT_NVME_FAULT_NONE);
static DEFINE_MUTEX(btf_lock);
static int btf_status = 1;	/* 1: not looked up yet, else 0 or -errno */
static u32 queue_stride;	/* sizeof(struct nvme_queue) */

/*
 * Read a BTF file of sysfs whole into a vmalloc()ed buffer.  Not through
 * kernel_read_file(): its security hook knows no id for this kind of file
 * (Linux 6.12's IPE warns on READING_UNKNOWN).
 */
static ssize_t read_btf(const char *path, void **buf)
{
	struct file *f = filp_open(path, O_RDONLY, 0);
	loff_t size, pos = 0;
	ssize_t n;

	*buf = NULL;
	if (IS_ERR(f))
		return PTR_ERR(f);
	size = i_size_read(file_inode(f));
	if (size <= 0 || size > INT_MAX) {
		filp_close(f, NULL);
		return -EINVAL;
	}
	*buf = vmalloc(size);
	if (!*buf) {
		filp_close(f, NULL);
		return -ENOMEM;
	}
	while (pos < size) {
		n = kernel_read(f, (u8 *)*buf + pos, size - pos, &pos);
		if (n <= 0)
			break;
	}
	filp_close(f, NULL);
	if (pos != size) {
		vfree(*buf);
		*buf = NULL;
		return -EIO;
	}
	return size;
}

/* Find the offsets in the nvme module's BTF; caller holds btf_lock. */
static int lookup_fields(void)
{
	struct rtvirt_btf vmlinux, nvme, *where = &vmlinux;
	void *vbuf, *nbuf = NULL;
	ssize_t vlen, nlen;
	int i, ret;

	vlen = read_btf("/sys/kernel/btf/vmlinux", &vbuf);
	if (vlen < 0) {
		pr_err("NVMe: no kernel BTF (/sys/kernel/btf/vmlinux: %zd): the nvme driver's queues cannot be found\n",
		       vlen);
		return -EOPNOTSUPP;
	}
	ret = rtvirt_btf_init(&vmlinux, vbuf, vlen, NULL);
	nlen = read_btf("/sys/kernel/btf/nvme", &nbuf);
	if (!ret && nlen >= 0) {
		ret = rtvirt_btf_init(&nvme, nbuf, nlen, &vmlinux);
		where = &nvme;
	}
	for (i = 0; i < F_NR && !ret; i++) {
		ret = rtvirt_btf_member(where, fields[i].type, fields[i].name,
					&fields[i].off, &fields[i].size);
		fields[i].in_alt = ret == -ENOENT && fields[i].alt;
		if (fields[i].in_alt)
			ret = rtvirt_btf_member(where, fields[i].alt,
						fields[i].name, &fields[i].off,
						&fields[i].size);
		if (!ret && (fields[i].size == 0 || fields[i].size > 8))
			ret = -EINVAL;
		if (ret)
			pr_err("NVMe: the nvme driver's struct %s has no usable field %s (%d)\n",
			       fields[i].type, fields[i].name, ret);
	}
	if (!ret)
		ret = rtvirt_btf_struct_size(where, "nvme_queue", &queue_stride);
	if (!ret && !queue_stride)
		ret = -EINVAL;
	if (ret == -EINVAL)
		pr_err("NVMe: the nvme driver's BTF is unreadable\n");
	vfree(nbuf);
	vfree(vbuf);
	return ret ? -EOPNOTSUPP : 0;
}

/* Read a field of up to 8 bytes; false if the memory is not readable. */
static bool get(const void *base, int f, u64 *val)
{
	*val = 0;	/* x86 is little-endian: the low bytes come first */
	return !copy_from_kernel_nofault(val, (const u8 *)base + fields[f].off,
					 fields[f].size);
}

/* Look the driver's fields up once per module load; 0 or -EOPNOTSUPP. */
static int fields_found(void)
{
	int ret;

	mutex_lock(&btf_lock);
	if (btf_status == 1)
		btf_status = lookup_fields();
	ret = btf_status;
	mutex_unlock(&btf_lock);
	return ret;
}

/**
 * rtvirt_nvme_disk_nsid() - the namespace id of an nvme namespace disk
 * @disk:	a disk of the nvme driver: per namespace (per path under
 *		native multipath), not a multipath head
 *
 * Its name does not carry the id (under native multipath the last number
 * counts the subsystem's namespace heads), so it is read from the
 * driver's struct nvme_ns and struct nvme_ns_head.
 *
 * Return: the namespace id, or 0 when it cannot be read.
 */
u32 rtvirt_nvme_disk_nsid(struct gendisk *disk)
{
	u64 head, nsid;

	if (fields_found() || !disk->private_data ||
	    !get(disk->private_data, F_NS_HEAD, &head) || !head ||
	    !get((void *)(unsigned long)head, F_NS_ID, &nsid))
		return 0;
	return nsid;
}

/* Read namespace field @f of the driver's struct nvme_ns @ns (head @head). */
static bool get_ns(const void *ns, const void *head, int f, u64 *val)
{
	return get(fields[f].in_alt ? head : ns, f, val);
}

/**
 * disk_format() - the format of an nvme namespace disk
 * @disk:	as for rtvirt_nvme_disk_nsid()
 * @f:		filled in: namespace id, logical block size, metadata size
 *		and protection information size, whether the metadata is
 *		inline (the driver's own view, which its commands follow)
 *
 * Return: 0, or -ENODEV when the driver's state cannot be read.
 */
static int disk_format(struct gendisk *disk, struct rtvirt_vmm_nvme_ns *f)
{
	const void *ns = disk->private_data;
	u64 head, nsid, ms, pi_size, pi_type, features;

	if (fields_found() || !ns || !get(ns, F_NS_HEAD, &head) || !head)
		return -ENODEV;
	if (!get((void *)(unsigned long)head, F_NS_ID, &nsid) ||
	    !get_ns(ns, (void *)(unsigned long)head, F_NS_MS, &ms) ||
	    !get_ns(ns, (void *)(unsigned long)head, F_NS_PI_SIZE, &pi_size) ||
	    !get_ns(ns, (void *)(unsigned long)head, F_NS_PI_TYPE, &pi_type) ||
	    !get_ns(ns, (void *)(unsigned long)head, F_NS_FEATURES, &features))
		return -ENODEV;
	memset(f, 0, sizeof(*f));
	f->nsid = nsid;
	f->lba_shift = ilog2(queue_logical_block_size(disk->queue));
	f->ms = ms;
	f->pi_size = pi_type ? min(pi_size, ms) : 0;
	f->flags = features & NVME_NS_EXT_LBAS ? RTVIRT_VMM_NVME_NS_EXT : 0;
	return 0;
}

/* The nvme driver's struct nvme_dev of @pdev, or NULL. */
static void *nvme_dev_of(struct pci_dev *pdev)
{
	struct device_driver *drv = pdev->dev.driver;

	if (!drv || strcmp(drv->name, "nvme"))
		return NULL;
	return pci_get_drvdata(pdev);
}

/**
 * layout_alloc() - prepare reading an NVMe driver's queues
 * @pdev:	the controller
 * @size:	set to the bytes of the layout buffer returned
 *
 * Finds the driver's field offsets (once per load) and allocates a
 * physically contiguous buffer for every queue the driver has now plus
 * room for a few created before the takeover.
 *
 * Return: the buffer (kfree() it), or an ERR_PTR(): -EOPNOTSUPP when the
 * kernel's BTF does not describe the nvme driver's state, -ENODEV when the
 * nvme driver does not drive @pdev, -ENOMEM.
 */
static struct rtvirt_vmm_nvme_layout *layout_alloc(struct pci_dev *pdev,
						  size_t *size)
{
	struct rtvirt_vmm_nvme_layout *l;
	void *dev = nvme_dev_of(pdev);
	u64 online;
	int ret;

	ret = fields_found();
	if (ret)
		return ERR_PTR(ret);
	if (!dev || !get(dev, F_DEV_ONLINE, &online))
		return ERR_PTR(-ENODEV);
	online = min_t(u64, online + 8, RTVIRT_VMM_NVME_MAX_QUEUES);
	*size = struct_size(l, q, online);
	l = kzalloc(*size, GFP_KERNEL);
	return l ? l : ERR_PTR(-ENOMEM);
}

/**
 * layout_read() - read the nvme driver's queues of a controller
 * @pdev:	the controller
 * @l:		from layout_alloc()
 * @size:	its size in bytes
 *
 * Runs with every other CPU stopped (no submission or completion is half
 * done); reads only, and without faulting.
 *
 * Return: 0; -EBUSY when a queue is being created, deleted or reset (try
 * again), or there are more queues than @size holds; -EOPNOTSUPP for a
 * queue the VMM cannot serve (submission queue in the controller memory
 * buffer, other entry sizes); -ENODEV when the driver state is unreadable.
 */
static int layout_read(struct pci_dev *pdev, struct rtvirt_vmm_nvme_layout *l,
		       size_t size)
{
	void *dev = nvme_dev_of(pdev);
	u64 queues, online, stride, dbbuf = 0;
	unsigned int i;

	if (!dev || !get(dev, F_DEV_QUEUES, &queues) ||
	    !get(dev, F_DEV_ONLINE, &online) ||
	    !get(dev, F_DEV_STRIDE, &stride) || !get(dev, F_DEV_DBBUF, &dbbuf))
		return -ENODEV;
	if (!online)
		return -EBUSY;	/* being reset */
	if (struct_size(l, q, online) > size)
		return -EBUSY;
	/* The namespaces were described before (describe_namespaces()). */
	l->dbs = 0;
	l->eis = 0;
	memset(l->refusal, 0, sizeof(l->refusal));
	memset(l->q, 0, size - offsetof(struct rtvirt_vmm_nvme_layout, q));
	l->db_stride = stride * 4;	/* the driver counts 32-bit words */
	l->nr_queues = online;
	if (dbbuf && (!get(dev, F_DEV_DBS_DMA, &l->dbs) ||
		      !get(dev, F_DEV_EIS_DMA, &l->eis)))
		return -ENODEV;
	for (i = 0; i < online; i++) {
		const void *q = (const u8 *)queues + (size_t)i * queue_stride;
		struct rtvirt_vmm_nvme_queue *e = &l->q[i];
		u64 v[F_Q_FLAGS - F_Q_SQ + 1];	/* the queue's fields, in order */
		int f;

		for (f = F_Q_SQ; f <= F_Q_FLAGS; f++)
			if (!get(q, f, &v[f - F_Q_SQ]))
				return -ENODEV;
		if (!(v[F_Q_FLAGS - F_Q_SQ] & BIT(NVMEQ_ENABLED)))
			return -EBUSY;
		if ((v[F_Q_FLAGS - F_Q_SQ] & BIT(NVMEQ_SQ_CMB)) ||
		    v[F_Q_SQES - F_Q_SQ] != NVME_SQES_64)
			return -EOPNOTSUPP;
		e->sq = v[F_Q_SQ - F_Q_SQ];
		e->cq = v[F_Q_CQ - F_Q_SQ];
		e->depth = v[F_Q_DEPTH - F_Q_SQ];
		e->qid = v[F_Q_QID - F_Q_SQ];
		e->vector = v[F_Q_VECTOR - F_Q_SQ];
		e->sq_tail = v[F_Q_TAIL - F_Q_SQ];
		e->next_tail = v[F_Q_NEXT - F_Q_SQ];
		e->cq_head = v[F_Q_HEAD - F_Q_SQ];
		e->cq_phase = v[F_Q_PHASE - F_Q_SQ];
		e->flags = v[F_Q_FLAGS - F_Q_SQ] & BIT(NVMEQ_POLLED) ?
			   RTVIRT_VMM_NVME_Q_POLLED : 0;
	}
	return 0;
}

/**
 * rtvirt_nvme_fail_next_layout() - corrupt the next layout handed over
 * @fault:	RTVIRT_NVME_FAULT_*: I/O queue 1's SQ moved onto the VMM's
 *		canary page, or its CQ phase inverted
 *
 * For the tests of the VMM's checks (debugfs nvme_layout_fault): the VMM
 * must refuse the takeover and leave the device to its driver.
 */
void rtvirt_nvme_fail_next_layout(int fault)
{
	atomic_set(&layout_fault, fault);
}

/**
 * apply_layout_fault() - apply a fault set by the tests, once
 * @l:		a layout layout_read() filled
 */
static void apply_layout_fault(struct rtvirt_vmm_nvme_layout *l)
{
	int fault = atomic_xchg(&layout_fault, RTVIRT_NVME_FAULT_NONE);
	u64 canary;

	if (l->nr_queues < 2)
		return;
	switch (fault) {
	case RTVIRT_NVME_FAULT_SQ_IN_VMM:
		canary = rtvirt_hypercall(RTVIRT_HC_CANARY, 0, 0, 0);
		if (!IS_ERR_VALUE((unsigned long)canary))
			l->q[1].sq = canary;
		break;
	case RTVIRT_NVME_FAULT_PHASE:
		l->q[1].cq_phase ^= 1;
		break;
	}
}

struct disk_query {
	struct gendisk *disk;
	struct rtvirt_vmm_nvme_layout *layout;	/* or NULL: the first disk */
	int err;
};

static int find_disk(struct device *dev, void *data)
{
	struct disk_query *q = data;
	struct rtvirt_vmm_nvme_layout *l = q->layout;

	if (dev->class && !strcmp(dev->class->name, "block")) {
		q->disk = dev_to_disk(dev);
		if (!l)
			return 1;
		if (l->nr_ns == RTVIRT_VMM_NVME_MAX_NS) {
			q->err = -E2BIG;
			return 1;
		}
		q->err = disk_format(q->disk, &l->ns[l->nr_ns]);
		if (q->err)
			return 1;
		l->nr_ns++;
		return 0;
	}
	if (dev->class && !strcmp(dev->class->name, "nvme"))
		return device_for_each_child(dev, q, find_disk);
	return 0;
}

/**
 * rtvirt_nvme_disk() - a namespace disk of an NVMe controller
 * @pdev:	the controller
 *
 * Return: the first namespace's disk (the per-path one under multipath),
 * or NULL.
 */
struct gendisk *rtvirt_nvme_disk(struct pci_dev *pdev)
{
	struct disk_query q = { NULL };

	device_for_each_child(&pdev->dev, &q, find_disk);
	return q.disk;
}

/*
 * Describe every namespace disk of @pdev in @l, as the driver formats its
 * commands for it now; every takeover does so anew.  Before the
 * takeover's stop_machine(): finding a disk's namespace sleeps.
 */
static int describe_namespaces(struct pci_dev *pdev,
			       struct rtvirt_vmm_nvme_layout *l)
{
	struct disk_query q = { .layout = l };

	l->nr_ns = 0;
	device_for_each_child(&pdev->dev, &q, find_disk);
	if (q.err == -E2BIG) {
		pr_err("%s: cannot take over: more than %d namespaces\n",
		       pci_name(pdev), RTVIRT_VMM_NVME_MAX_NS);
		return -EOPNOTSUPP;
	}
	if (q.err) {
		pr_err("%s: cannot take over: a namespace's format is unreadable in the nvme driver's state\n",
		       pci_name(pdev));
		return -EIO;
	}
	return 0;
}

/* Room for the driver's queues, for a takeover or a hand-back. */
static void *nvme_alloc_state(struct rtvirt_dev *d, size_t *size)
{
	return layout_alloc(d->pdev, size);
}

static int nvme_describe(struct rtvirt_dev *d, void *state)
{
	return describe_namespaces(d->pdev, state);
}

static int nvme_read_state(struct rtvirt_dev *d, void *state, size_t size,
			   bool takeover)
{
	struct rtvirt_vmm_nvme_layout *l = state;
	int ret = layout_read(d->pdev, state, size);

	l->flags = takeover && d->mediate ? RTVIRT_VMM_NVME_MEDIATE : 0;
	if (!ret && takeover)
		apply_layout_fault(state);
	return ret;
}

static const char *nvme_refusal(void *state)
{
	struct rtvirt_vmm_nvme_layout *l = state;

	l->refusal[sizeof(l->refusal) - 1] = 0;
	return l->refusal;
}

const struct rtvirt_model_ops rtvirt_nvme_ops = {
	.model = RTVIRT_MODEL_NVME,
	.alloc_state = nvme_alloc_state,
	.describe = nvme_describe,
	.read_state = nvme_read_state,
	.refusal = nvme_refusal,
	.inject = RTVIRT_INJECT_READS | RTVIRT_INJECT_WRITES,
};
