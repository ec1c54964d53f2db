// SPDX-License-Identifier: GPL-2.0
/*
 * PCI discovery: the devices rtvirt can take into emulation, one directory
 * each under /sys/kernel/rtvirt/devices/, kept current across PCI hot-add
 * and removal by a PCI bus notifier.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>

#include "rtvirt.h"

static LIST_HEAD(dev_list);
static DEFINE_MUTEX(dev_lock);
static u32 nr_devs;
static struct kset *devices_kset;

static struct rtvirt_dev *to_rtvirt_dev(struct kobject *kobj)
{
	return container_of(kobj, struct rtvirt_dev, kobj);
}

struct name_query {
	char *buf;
	size_t len;
};

static int copy_function_name(struct device *child, void *data)
{
	struct name_query *q = data;
	char ifname[IFNAMSIZ];

	if (!child->class)
		return 0;
	if (!strcmp(child->class->name, "net")) {
		/*
		 * An interface can be renamed at any time, and only rtnl
		 * (which must not be taken here: see remove_device()) keeps
		 * it still.  Its name lives inside the net_device, which the
		 * child iteration keeps alive, so a bounded copy is safe; a
		 * rename racing with it can only give an old or mixed name.
		 */
		memcpy(ifname, to_net_dev(child)->name, sizeof(ifname));
		ifname[sizeof(ifname) - 1] = '\0';
		strscpy(q->buf, ifname, q->len);
		return 1;
	}
	if (!strcmp(child->class->name, "nvme")) {
		strscpy(q->buf, dev_name(child), q->len);	/* never renamed */
		return 1;
	}
	return 0;
}

/*
 * The kernel name of the function the driver registered: the network
 * interface or the NVMe controller character device, both children of the
 * PCI device; "" while no driver has registered one.
 */
static void function_name(struct pci_dev *pdev, char *buf, size_t len)
{
	struct name_query q = { .buf = buf, .len = len };

	buf[0] = '\0';
	device_for_each_child(&pdev->dev, &q, copy_function_name);
}

static ssize_t name_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	char name[RTVIRT_NAME_LEN];

	function_name(to_rtvirt_dev(kobj)->pdev, name, sizeof(name));
	return sysfs_emit(buf, "%s\n", name);
}

static ssize_t model_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  rtvirt_model_name(to_rtvirt_dev(kobj)->model));
}

static ssize_t state_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  rtvirt_device_state_name(READ_ONCE(to_rtvirt_dev(kobj)->state)));
}

static ssize_t virtualized_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(to_rtvirt_dev(kobj)->state) ==
			  RTVIRT_DEV_VIRTUALIZED);
}

/*
 * How the OS gets the device's completions while virtualized: "direct"
 * (from the device) or "mediated" (the VMM's copies, after a status
 * injection); "-" while native.
 */
static ssize_t completions_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	struct rtvirt_dev *d = to_rtvirt_dev(kobj);

	if (READ_ONCE(d->state) == RTVIRT_DEV_NATIVE)
		return sysfs_emit(buf, "-\n");
	return sysfs_emit(buf, "%s\n",
			  READ_ONCE(d->mediate) ? "mediated" : "direct");
}

static void poll_kick(void);

/* Virtualize or hand back; a device just virtualized starts the poll. */
static int dev_set(struct rtvirt_dev *d, bool on)
{
	int ret = rtvirt_dev_set(d, on);

	if (!ret && on)
		poll_kick();
	return ret;
}

static ssize_t virtualized_store(struct kobject *kobj,
				 struct kobj_attribute *attr, const char *buf,
				 size_t count)
{
	bool on;
	int ret;

	ret = rtvirt_parse_bool(buf, count, &on);
	if (ret)
		return ret;
	ret = dev_set(to_rtvirt_dev(kobj), on);
	return ret ? ret : count;
}

/* stats/: one file per counter of struct rtvirt_vmm_dev_stats. */
struct stat_attr {
	struct kobj_attribute attr;
	size_t offset;
};

static ssize_t stat_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	struct stat_attr *sa = container_of(attr, struct stat_attr, attr);
	struct rtvirt_vmm_dev_stats st;
	int ret;

	ret = rtvirt_dev_stats(to_rtvirt_dev(kobj), &st);
	if (ret)
		return ret;
	return sysfs_emit(buf, "%llu\n", *(u64 *)((u8 *)&st + sa->offset));
}

#define STAT(file, field)						\
	static struct stat_attr stat_##file = {				\
		.attr = __ATTR(file, 0444, stat_show, NULL),		\
		.offset = offsetof(struct rtvirt_vmm_dev_stats, field),	\
	}

STAT(traps_register, traps[RTVIRT_TRAP_REGISTER]);
STAT(traps_doorbell, traps[RTVIRT_TRAP_DOORBELL]);
STAT(traps_shadow_db, traps[RTVIRT_TRAP_SHADOW_DB]);
STAT(traps_queue, traps[RTVIRT_TRAP_QUEUE]);
STAT(traps_msix, traps[RTVIRT_TRAP_MSIX]);
STAT(traps_config_io, traps[RTVIRT_TRAP_CONFIG_IO]);
STAT(traps_config_mmio, traps[RTVIRT_TRAP_CONFIG_MMIO]);
STAT(traps_port, traps[RTVIRT_TRAP_PORT]);
STAT(ios, ios);
STAT(virtualizations, virtualizations);
STAT(devirtualizations, devirtualizations);
STAT(replayed, replayed);
STAT(last_stall_ns, last_stall_ns);
STAT(max_stall_ns, max_stall_ns);
STAT(dma_refused, dma_refused);
STAT(injected, injected);
STAT(handback_retries, handback_retries);
STAT(tx_frames, tx_frames);
STAT(rx_frames, rx_frames);
STAT(tx_bytes, tx_bytes);
STAT(rx_bytes, rx_bytes);

static struct attribute *stats_attrs[] = {
	&stat_traps_register.attr.attr,
	&stat_traps_doorbell.attr.attr,
	&stat_traps_shadow_db.attr.attr,
	&stat_traps_queue.attr.attr,
	&stat_traps_msix.attr.attr,
	&stat_traps_config_io.attr.attr,
	&stat_traps_config_mmio.attr.attr,
	&stat_traps_port.attr.attr,
	&stat_ios.attr.attr,
	&stat_virtualizations.attr.attr,
	&stat_devirtualizations.attr.attr,
	&stat_replayed.attr.attr,
	&stat_last_stall_ns.attr.attr,
	&stat_max_stall_ns.attr.attr,
	&stat_dma_refused.attr.attr,
	&stat_injected.attr.attr,
	&stat_handback_retries.attr.attr,
	&stat_tx_frames.attr.attr,
	&stat_rx_frames.attr.attr,
	&stat_tx_bytes.attr.attr,
	&stat_rx_bytes.attr.attr,
	NULL,
};

static const struct attribute_group stats_group = {
	.name = "stats",
	.attrs = stats_attrs,
};

static struct kobj_attribute name_attr = __ATTR_RO(name);
static struct kobj_attribute model_attr = __ATTR_RO(model);
static struct kobj_attribute state_attr = __ATTR_RO(state);
static struct kobj_attribute virtualized_attr = __ATTR_RW(virtualized);
static struct kobj_attribute completions_attr = __ATTR_RO(completions);

static struct attribute *dev_attrs[] = {
	&name_attr.attr,
	&model_attr.attr,
	&state_attr.attr,
	&virtualized_attr.attr,
	&completions_attr.attr,
	NULL,
};

static const struct attribute_group dev_group = {
	.attrs = dev_attrs,
};

static const struct attribute_group *dev_groups[] = {
	&dev_group,
	&stats_group,
	NULL,
};

static void dev_release(struct kobject *kobj)
{
	struct rtvirt_dev *d = to_rtvirt_dev(kobj);

	pci_dev_put(d->pdev);
	rtvirt_dev_free(d);
	kfree(d);
}

static const struct kobj_type dev_ktype = {
	.release = dev_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = dev_groups,
};

static struct rtvirt_dev *find_by_pdev(struct pci_dev *pdev)
{
	struct rtvirt_dev *d;

	lockdep_assert_held(&dev_lock);
	list_for_each_entry(d, &dev_list, node)
		if (d->pdev == pdev)
			return d;
	return NULL;
}

static void add_device(struct pci_dev *pdev)
{
	enum rtvirt_model model;
	struct rtvirt_dev *d;

	model = rtvirt_match_device(pdev->vendor, pdev->device, pdev->class);
	if (model == RTVIRT_MODEL_NONE)
		return;

	mutex_lock(&dev_lock);
	if (find_by_pdev(pdev))
		goto out;
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d) {
		pr_warn("%s: out of memory, not managed\n", pci_name(pdev));
		goto out;
	}
	if (rtvirt_dev_alloc(d)) {
		kfree(d);
		pr_warn("%s: out of memory, not managed\n", pci_name(pdev));
		goto out;
	}
	d->pdev = pci_dev_get(pdev);
	d->model = model;
	d->state = RTVIRT_DEV_NATIVE;
	d->kobj.kset = devices_kset;
	if (kobject_init_and_add(&d->kobj, &dev_ktype, NULL, "%s",
				 pci_name(pdev))) {
		pr_warn("%s: cannot create sysfs directory, not managed\n",
			pci_name(pdev));
		kobject_put(&d->kobj);
		goto out;
	}
	list_add_tail(&d->node, &dev_list);
	nr_devs++;
	kobject_uevent(&d->kobj, KOBJ_ADD);
	pr_info("%s: managed by the %s model\n", pci_name(pdev),
		rtvirt_model_name(model));
out:
	mutex_unlock(&dev_lock);
}

static void remove_device(struct pci_dev *pdev)
{
	struct rtvirt_dev *d;

	mutex_lock(&dev_lock);
	d = find_by_pdev(pdev);
	if (d) {
		list_del(&d->node);
		nr_devs--;
	}
	mutex_unlock(&dev_lock);
	/*
	 * Outside dev_lock: removal waits for running show/store calls.  The
	 * PCI core may call us with any lock held (rtnl, for example, when a
	 * driver removes its virtual functions), so no show/store may take
	 * a lock beyond dev_lock.
	 */
	if (d) {
		rtvirt_dev_release(d);
		pr_info("%s: removed\n", pci_name(pdev));
		kobject_put(&d->kobj);
	}
}

static int pci_bus_event(struct notifier_block *nb, unsigned long action,
			 void *data)
{
	struct pci_dev *pdev = to_pci_dev(data);

	if (action == BUS_NOTIFY_ADD_DEVICE)
		add_device(pdev);
	else if (action == BUS_NOTIFY_DEL_DEVICE)
		remove_device(pdev);
	return NOTIFY_DONE;
}

static struct notifier_block pci_bus_nb = {
	.notifier_call = pci_bus_event,
};

/**
 * rtvirt_devices_init() - create devices/ and start tracking PCI devices
 * @parent:	the /sys/kernel/rtvirt kobject
 *
 * The notifier is registered before the scan of the existing devices, so a
 * device hot-added meanwhile is seen by one or the other (or both, which
 * add_device() tolerates).
 *
 * Return: 0 or a negative errno.
 */
int rtvirt_devices_init(struct kobject *parent)
{
	struct pci_dev *pdev = NULL;
	int ret;

	devices_kset = kset_create_and_add("devices", NULL, parent);
	if (!devices_kset)
		return -ENOMEM;
	ret = bus_register_notifier(&pci_bus_type, &pci_bus_nb);
	if (ret) {
		kset_unregister(devices_kset);
		return ret;
	}
	for_each_pci_dev(pdev)
		add_device(pdev);
	return 0;
}

/**
 * rtvirt_devices_exit() - stop tracking and remove every device directory
 */
void rtvirt_devices_exit(void)
{
	struct rtvirt_dev *d, *tmp;
	LIST_HEAD(gone);

	bus_unregister_notifier(&pci_bus_type, &pci_bus_nb);
	mutex_lock(&dev_lock);
	list_splice_init(&dev_list, &gone);
	nr_devs = 0;
	mutex_unlock(&dev_lock);
	list_for_each_entry_safe(d, tmp, &gone, node) {
		list_del(&d->node);
		kobject_put(&d->kobj);
	}
	kset_unregister(devices_kset);
}

/**
 * rtvirt_devices_count() - number of managed devices
 *
 * Return: the count at the time of the call.
 */
u32 rtvirt_devices_count(void)
{
	u32 n;

	mutex_lock(&dev_lock);
	n = nr_devs;
	mutex_unlock(&dev_lock);
	return n;
}

/**
 * rtvirt_devices_snapshot() - describe the managed devices
 * @out:	array of @capacity entries to fill
 * @capacity:	entries available at @out
 *
 * Return: the number of managed devices, which may exceed @capacity; only
 * the first @capacity of them are written.
 */
u32 rtvirt_devices_snapshot(struct rtvirt_device *out, u32 capacity)
{
	struct rtvirt_dev *d;
	u32 i = 0;

	mutex_lock(&dev_lock);
	list_for_each_entry(d, &dev_list, node) {
		if (i < capacity) {
			struct rtvirt_device *e = &out[i];

			memset(e, 0, sizeof(*e));
			strscpy(e->address, pci_name(d->pdev),
				sizeof(e->address));
			function_name(d->pdev, e->name, sizeof(e->name));
			strscpy(e->model, rtvirt_model_name(d->model),
				sizeof(e->model));
			e->vendor = d->pdev->vendor;
			e->device = d->pdev->device;
			e->class = d->pdev->class;
			e->state = d->state;
			e->virtualized = d->state == RTVIRT_DEV_VIRTUALIZED;
		}
		i++;
	}
	mutex_unlock(&dev_lock);
	return i;
}

/**
 * rtvirt_device_get() - find a managed device by PCI address
 * @address:	PCI address, NUL-terminated
 *
 * Return: the device with a reference the caller drops with
 * rtvirt_device_put(), or NULL.
 */
struct rtvirt_dev *rtvirt_device_get(const char *address)
{
	struct rtvirt_dev *d, *found = NULL;

	mutex_lock(&dev_lock);
	list_for_each_entry(d, &dev_list, node) {
		if (!strcmp(pci_name(d->pdev), address)) {
			kobject_get(&d->kobj);
			found = d;
			break;
		}
	}
	mutex_unlock(&dev_lock);
	return found;
}

/**
 * rtvirt_device_put() - drop a reference from rtvirt_device_get()
 * @d:		the device
 */
void rtvirt_device_put(struct rtvirt_dev *d)
{
	kobject_put(&d->kobj);
}

/**
 * rtvirt_device_request() - ask for a device to be virtualized or not
 * @address:	PCI address, NUL-terminated
 * @virtualize:	true to take it into emulation, false to hand it back
 *
 * Return: 0, -ENODEV if rtvirt does not manage @address, or an error of
 * rtvirt_dev_set().
 */
int rtvirt_device_request(const char *address, bool virtualize)
{
	struct rtvirt_dev *d = rtvirt_device_get(address);
	int ret;

	if (!d)
		return -ENODEV;
	ret = dev_set(d, virtualize);
	rtvirt_device_put(d);
	return ret;
}

/**
 * rtvirt_device_inject() - set fault injection on a device
 * @d:		the device (a reference held)
 * @inj:	what to inject
 *
 * A status injection may take the device over anew (rtvirt_dev_inject()),
 * meanwhile native for a moment, in which the poll may stop: it starts
 * again as after any takeover.
 *
 * Return: as rtvirt_dev_inject().
 */
int rtvirt_device_inject(struct rtvirt_dev *d,
			 const struct rtvirt_vmm_inject *inj)
{
	int ret = rtvirt_dev_inject(d, inj);

	if (!ret)
		poll_kick();
	return ret;
}

/* References to every managed device, for work outside dev_lock. */
static unsigned int grab_all(struct rtvirt_dev ***out)
{
	struct rtvirt_dev *d, **v;
	unsigned int n = 0;

	mutex_lock(&dev_lock);
	v = kcalloc(nr_devs ? nr_devs : 1, sizeof(*v), GFP_KERNEL);
	if (v) {
		list_for_each_entry(d, &dev_list, node) {
			kobject_get(&d->kobj);
			v[n++] = d;
		}
	}
	mutex_unlock(&dev_lock);
	*out = v;
	return n;
}

static void put_all(struct rtvirt_dev **v, unsigned int n)
{
	while (n--)
		kobject_put(&v[n]->kobj);
	kfree(v);
}

/**
 * rtvirt_devices_release_all() - hand every virtualized device back
 *
 * Return: 0, or the last error (some device is still virtualized).
 */
int rtvirt_devices_release_all(void)
{
	struct rtvirt_dev **v;
	unsigned int n, i;
	int ret = 0, err;

	n = grab_all(&v);
	for (i = 0; i < n; i++) {
		err = rtvirt_dev_release(v[i]);
		if (err)
			ret = err;
	}
	put_all(v, n);
	return ret;
}

/**
 * rtvirt_devices_poll() - poll every virtualized device
 */
void rtvirt_devices_poll(void)
{
	struct rtvirt_dev **v;
	unsigned int n, i;

	n = grab_all(&v);
	for (i = 0; i < n; i++)
		if (READ_ONCE(v[i]->state) != RTVIRT_DEV_NATIVE)
			rtvirt_dev_poll(v[i]);
	put_all(v, n);
}

/**
 * rtvirt_devices_any_virtualized() - whether the VMM holds any device
 *
 * Return: true if some device is not native.
 */
bool rtvirt_devices_any_virtualized(void)
{
	struct rtvirt_dev *d;
	bool any = false;

	mutex_lock(&dev_lock);
	list_for_each_entry(d, &dev_list, node)
		if (READ_ONCE(d->state) != RTVIRT_DEV_NATIVE)
			any = true;
	mutex_unlock(&dev_lock);
	return any;
}

/**
 * rtvirt_devices_fold_stats() - keep every device's counters of the
 * launch that ends; the caller holds the launch lock
 */
void rtvirt_devices_fold_stats(void)
{
	struct rtvirt_dev *d;

	mutex_lock(&dev_lock);
	list_for_each_entry(d, &dev_list, node)
		rtvirt_dev_fold_stats(d);
	mutex_unlock(&dev_lock);
}

/*
 * While any device is virtualized, every jiffy: rtvirt_devices_poll() runs
 * each device's delayed commands and answers the VMM's requests for a
 * hand-back.
 */
static void poll_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(poll_work, poll_work_fn);
static bool poll_stopped;

static void poll_work_fn(struct work_struct *work)
{
	rtvirt_devices_poll();
	if (!READ_ONCE(poll_stopped) && rtvirt_devices_any_virtualized())
		schedule_delayed_work(&poll_work, 1);
}

/* Start the poll: a device became virtualized. */
static void poll_kick(void)
{
	if (!READ_ONCE(poll_stopped))
		schedule_delayed_work(&poll_work, 1);
}

/**
 * rtvirt_devices_poll_init() - allow the poll
 *
 * Return: 0.
 */
int rtvirt_devices_poll_init(void)
{
	WRITE_ONCE(poll_stopped, false);
	return 0;
}

/**
 * rtvirt_devices_poll_exit() - stop the poll for good
 */
void rtvirt_devices_poll_exit(void)
{
	WRITE_ONCE(poll_stopped, true);
	cancel_delayed_work_sync(&poll_work);
}
