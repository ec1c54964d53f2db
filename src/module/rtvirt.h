/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of the rtvirt module (the Linux side).
 */
#ifndef _RTVIRT_MODULE_H
#define _RTVIRT_MODULE_H

#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/pci.h>
#include <linux/rtvirt.h>
#include <rtvirt/common.h>

#define RTVIRT_VERSION	"0.1.0"

/**
 * struct rtvirt_caps - what the CPU offers for a late launch
 * @features:	RTVIRT_FEAT_* bits
 * @backend:	RTVIRT_BACKEND_* that a launch would use
 */
struct rtvirt_caps {
	u32 features;
	u32 backend;
};

extern struct rtvirt_caps rtvirt_caps;

int rtvirt_probe_cpu(struct rtvirt_caps *caps);

struct rtvirt_vmm_header;
const struct rtvirt_vmm_header *rtvirt_vmm_image_header(void);
int rtvirt_vmm_image_verify(void);
size_t rtvirt_vmm_image_size(void);
u32 rtvirt_vmm_image_version(void);

int rtvirt_sysfs_init(void);
void rtvirt_sysfs_exit(void);
struct kobject *rtvirt_sysfs_root(void);

int rtvirt_devices_init(struct kobject *parent);
void rtvirt_devices_exit(void);
u32 rtvirt_devices_count(void);
u32 rtvirt_devices_snapshot(struct rtvirt_device *out, u32 capacity);
int rtvirt_device_request(const char *address, bool virtualize);

int rtvirt_launch_init(void);
void rtvirt_launch_exit(void);
int rtvirt_launch(void);
int rtvirt_unlaunch(void);
bool rtvirt_launched(void);
int rtvirt_cpu_ping(u64 *cpu, u64 *gen);
void rtvirt_cpu_times(unsigned int cpu, u64 *launch_ns, u64 *unlaunch_ns);
struct rtvirt_vmm_cpu_stats;
int rtvirt_cpu_vmm_stats(struct rtvirt_vmm_cpu_stats *stats);
#define RTVIRT_VMM_RANGE_SIZE	(2ULL << 20)
unsigned int rtvirt_vmm_ranges(unsigned int i, u64 *start);
void rtvirt_debugfs_init(void);
void rtvirt_debugfs_exit(void);
void rtvirt_launch_lock(void);
void rtvirt_launch_unlock(void);

int rtvirt_cpu_stats(unsigned int cpu, struct rtvirt_cpu_stats *out);
int rtvirt_cpus_sysfs_init(struct kobject *parent);
void rtvirt_cpus_sysfs_exit(void);

int rtvirt_chardev_init(void);
void rtvirt_chardev_exit(void);

#endif /* _RTVIRT_MODULE_H */
