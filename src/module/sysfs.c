// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/rtvirt: module version and the late-launch switch.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kobject.h>
#include <linux/sysfs.h>

#include "rtvirt.h"

static struct kobject *rtvirt_kobj;

static ssize_t version_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", RTVIRT_VERSION);
}

static ssize_t virtualized_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", rtvirt_launched());
}

static ssize_t virtualized_store(struct kobject *kobj,
				 struct kobj_attribute *attr, const char *buf,
				 size_t count)
{
	bool launch;
	int ret;

	ret = rtvirt_parse_bool(buf, count, &launch);
	if (ret)
		return ret;
	ret = launch ? rtvirt_launch() : rtvirt_unlaunch();
	return ret ? ret : count;
}

static struct kobj_attribute version_attr = __ATTR_RO(version);
static struct kobj_attribute virtualized_attr = __ATTR_RW(virtualized);

static struct attribute *rtvirt_attrs[] = {
	&version_attr.attr,
	&virtualized_attr.attr,
	NULL,
};

static const struct attribute_group rtvirt_group = {
	.attrs = rtvirt_attrs,
};

/**
 * rtvirt_sysfs_init() - create /sys/kernel/rtvirt and its files
 *
 * Return: 0 or a negative errno.
 */
int rtvirt_sysfs_init(void)
{
	int ret;

	rtvirt_kobj = kobject_create_and_add("rtvirt", kernel_kobj);
	if (!rtvirt_kobj)
		return -ENOMEM;
	ret = sysfs_create_group(rtvirt_kobj, &rtvirt_group);
	if (ret) {
		kobject_put(rtvirt_kobj);
		rtvirt_kobj = NULL;
	}
	return ret;
}

/**
 * rtvirt_sysfs_exit() - remove /sys/kernel/rtvirt
 */
void rtvirt_sysfs_exit(void)
{
	sysfs_remove_group(rtvirt_kobj, &rtvirt_group);
	kobject_put(rtvirt_kobj);
	rtvirt_kobj = NULL;
}

/**
 * rtvirt_sysfs_root() - the /sys/kernel/rtvirt kobject
 *
 * Return: the kobject, valid between rtvirt_sysfs_init() and
 * rtvirt_sysfs_exit().
 */
struct kobject *rtvirt_sysfs_root(void)
{
	return rtvirt_kobj;
}
