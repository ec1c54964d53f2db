// SPDX-License-Identifier: GPL-2.0
/*
 * rtvirt module entry and exit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "rtvirt.h"

struct rtvirt_caps rtvirt_caps;

static bool launch = true;
module_param(launch, bool, 0444);
MODULE_PARM_DESC(launch, "Demote the running kernel under the VMM at load (default 1)");

static int __init rtvirt_init(void)
{
	int ret;

	/* Checks first, so that a refusal leaves nothing behind. */
	ret = rtvirt_probe_cpu(&rtvirt_caps);
	if (ret)
		return ret;
	ret = rtvirt_vmm_image_verify();
	if (ret)
		return ret;

	ret = rtvirt_sysfs_init();
	if (ret)
		return ret;
	ret = rtvirt_devices_init(rtvirt_sysfs_root());
	if (ret)
		goto err_sysfs;
	rtvirt_devices_poll_init();
	ret = rtvirt_launch_init();
	if (ret)
		goto err_devices;
	ret = rtvirt_cpus_sysfs_init(rtvirt_sysfs_root());
	if (ret)
		goto err_launch_init;
	ret = rtvirt_chardev_init();
	if (ret)
		goto err_cpus;
	rtvirt_debugfs_init();
	if (launch) {
		ret = rtvirt_launch();
		if (ret)
			goto err_chardev;
	}

	pr_info("version %s loaded, backend %s, %u device(s)\n",
		RTVIRT_VERSION,
		rtvirt_caps.backend == RTVIRT_BACKEND_SVM ? "svm" : "vmx",
		rtvirt_devices_count());
	return 0;

err_chardev:
	rtvirt_debugfs_exit();
	rtvirt_chardev_exit();
err_cpus:
	rtvirt_cpus_sysfs_exit();
err_launch_init:
	rtvirt_launch_exit();
err_devices:
	rtvirt_devices_poll_exit();
	rtvirt_devices_exit();
err_sysfs:
	rtvirt_sysfs_exit();
	return ret;
}

static void __exit rtvirt_exit(void)
{
	rtvirt_debugfs_exit();
	rtvirt_chardev_exit();
	rtvirt_launch_exit();
	rtvirt_devices_poll_exit();
	rtvirt_cpus_sysfs_exit();
	rtvirt_devices_exit();
	rtvirt_sysfs_exit();
	pr_info("unloaded\n");
}

module_init(rtvirt_init);
module_exit(rtvirt_exit);

MODULE_DESCRIPTION("Late-launch VMM with runtime device virtualization");
MODULE_AUTHOR("rtvirt developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(RTVIRT_VERSION);
