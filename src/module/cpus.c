// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU late-launch state: the GET_CPU_STATS ioctl's data and
 * /sys/kernel/rtvirt/cpus/cpuN/.  A CPU the module launched is reported as
 * a guest only if the VMM answers a ping hypercall on it; one it did not
 * launch is native (no hypercall is tried there: it would raise #UD).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/sysfs.h>
#include <rtvirt/vmm_abi.h>

#include "rtvirt.h"

struct cpu_query {
	struct rtvirt_vmm_cpu_stats *stats;
	int ping;
	int stats_ret;
	u64 vmm_cpu;
	u64 generation;
};

static void query_this_cpu(void *arg)
{
	struct cpu_query *q = arg;

	q->ping = rtvirt_cpu_ping(&q->vmm_cpu, &q->generation);
	if (!q->ping)
		q->stats_ret = rtvirt_cpu_vmm_stats(q->stats);
}

/**
 * rtvirt_cpu_stats() - state and exit counts of one CPU
 * @cpu:	the CPU
 * @out:	filled (all of it)
 *
 * Return: 0, -EINVAL for a CPU that cannot exist, -ENOMEM.
 */
int rtvirt_cpu_stats(unsigned int cpu, struct rtvirt_cpu_stats *out)
{
	struct cpu_query q = {};
	int i;

	if (cpu >= nr_cpu_ids || !cpu_possible(cpu))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	out->cpu = cpu;
	rtvirt_cpu_times(cpu, &out->launch_ns, &out->unlaunch_ns);
	q.stats = kzalloc(sizeof(*q.stats), GFP_KERNEL);
	if (!q.stats)
		return -ENOMEM;

	rtvirt_launch_lock();
	cpus_read_lock();
	if (!cpu_online(cpu)) {
		out->state = RTVIRT_CPU_OFFLINE;
	} else {
		smp_call_function_single(cpu, query_this_cpu, &q, 1);
		if (q.ping == -ENODEV)
			out->state = RTVIRT_CPU_NATIVE;
		else if (q.ping || q.stats_ret)
			out->state = RTVIRT_CPU_NO_ANSWER;
		else
			out->state = RTVIRT_CPU_GUEST;
	}
	cpus_read_unlock();
	rtvirt_launch_unlock();

	if (out->state == RTVIRT_CPU_GUEST) {
		out->vmm_cpu = q.vmm_cpu;
		out->generation = q.generation;
		out->total_exits = q.stats->total_exits;
		out->denied_accesses = q.stats->denied_accesses;
		for (i = 0; i < RTVIRT_EXIT_REASONS; i++)
			out->exits[i] = q.stats->exits[i];
	}
	kfree(q.stats);
	return 0;
}

/* --- /sys/kernel/rtvirt/cpus/cpuN/ ------------------------------------- */

struct cpu_dir {
	struct kobject kobj;
	unsigned int cpu;
};

struct cpu_attr {
	struct attribute attr;
	int reason;		/* RTVIRT_EXIT_* for exits/ files, else -1 */
	ssize_t (*show)(const struct rtvirt_cpu_stats *st, int reason,
			char *buf);
};

static ssize_t show_state(const struct rtvirt_cpu_stats *st, int r, char *buf)
{
	return sysfs_emit(buf, "%s\n", rtvirt_cpu_state_name(st->state));
}

static ssize_t show_launch_ns(const struct rtvirt_cpu_stats *st, int r,
			      char *buf)
{
	return sysfs_emit(buf, "%llu\n", st->launch_ns);
}

static ssize_t show_unlaunch_ns(const struct rtvirt_cpu_stats *st, int r,
				char *buf)
{
	return sysfs_emit(buf, "%llu\n", st->unlaunch_ns);
}

static ssize_t show_total(const struct rtvirt_cpu_stats *st, int r, char *buf)
{
	return sysfs_emit(buf, "%llu\n", st->total_exits);
}

static ssize_t show_denied(const struct rtvirt_cpu_stats *st, int r,
			   char *buf)
{
	return sysfs_emit(buf, "%llu\n", st->denied_accesses);
}

static ssize_t show_exit(const struct rtvirt_cpu_stats *st, int r, char *buf)
{
	return sysfs_emit(buf, "%llu\n", st->exits[r]);
}

static ssize_t cpu_attr_show(struct kobject *kobj, struct attribute *attr,
			     char *buf)
{
	struct cpu_attr *ca = container_of(attr, struct cpu_attr, attr);
	struct cpu_dir *d = container_of(kobj, struct cpu_dir, kobj);
	struct rtvirt_cpu_stats *st;
	ssize_t ret;

	st = kmalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	ret = rtvirt_cpu_stats(d->cpu, st);
	if (!ret)
		ret = ca->show(st, ca->reason, buf);
	kfree(st);
	return ret;
}

static const struct sysfs_ops cpu_sysfs_ops = {
	.show = cpu_attr_show,
};

#define CPU_ATTR(_name, _show) \
	{ .attr = { .name = _name, .mode = 0444 }, .reason = -1, .show = _show }
#define EXIT_ATTR(_r) \
	{ .attr = { .mode = 0444 }, .reason = _r, .show = show_exit }

static struct cpu_attr cpu_attrs[] = {
	CPU_ATTR("state", show_state),
	CPU_ATTR("launch_ns", show_launch_ns),
	CPU_ATTR("unlaunch_ns", show_unlaunch_ns),
	CPU_ATTR("denied_accesses", show_denied),
};

static struct cpu_attr exit_total_attr = CPU_ATTR("total", show_total);
static struct cpu_attr exit_attrs[RTVIRT_EXIT_REASONS];

static struct attribute *cpu_plain_attrs[ARRAY_SIZE(cpu_attrs) + 1];
static struct attribute *cpu_exit_attrs[RTVIRT_EXIT_REASONS + 2];

static const struct attribute_group cpu_plain_group = {
	.attrs = cpu_plain_attrs,
};

static const struct attribute_group cpu_exit_group = {
	.name = "exits",
	.attrs = cpu_exit_attrs,
};

static const struct attribute_group *cpu_groups[] = {
	&cpu_plain_group,
	&cpu_exit_group,
	NULL,
};

static void cpu_dir_release(struct kobject *kobj)
{
	kfree(container_of(kobj, struct cpu_dir, kobj));
}

static const struct kobj_type cpu_ktype = {
	.release = cpu_dir_release,
	.sysfs_ops = &cpu_sysfs_ops,
	.default_groups = cpu_groups,
};

static struct kset *cpus_kset;
static struct cpu_dir **cpu_dirs;

static void build_attr_lists(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < ARRAY_SIZE(cpu_attrs); i++)
		cpu_plain_attrs[i] = &cpu_attrs[i].attr;
	for (i = 0; i < RTVIRT_EXIT_REASONS; i++) {
		const char *name = rtvirt_exit_name(i);

		if (!name)
			continue;
		exit_attrs[i] = (struct cpu_attr)EXIT_ATTR(i);
		exit_attrs[i].attr.name = name;
		cpu_exit_attrs[n++] = &exit_attrs[i].attr;
	}
	cpu_exit_attrs[n++] = &exit_total_attr.attr;
	cpu_exit_attrs[n] = NULL;
}

/**
 * rtvirt_cpus_sysfs_init() - create cpus/cpuN for every possible CPU
 * @parent:	the /sys/kernel/rtvirt kobject
 *
 * Return: 0 or a negative errno.
 */
int rtvirt_cpus_sysfs_init(struct kobject *parent)
{
	unsigned int cpu;

	build_attr_lists();
	cpus_kset = kset_create_and_add("cpus", NULL, parent);
	if (!cpus_kset)
		return -ENOMEM;
	cpu_dirs = kcalloc(nr_cpu_ids, sizeof(*cpu_dirs), GFP_KERNEL);
	if (!cpu_dirs)
		goto fail;
	for_each_possible_cpu(cpu) {
		struct cpu_dir *d = kzalloc(sizeof(*d), GFP_KERNEL);

		if (!d)
			goto fail;
		d->cpu = cpu;
		d->kobj.kset = cpus_kset;
		if (kobject_init_and_add(&d->kobj, &cpu_ktype, NULL, "cpu%u",
					 cpu)) {
			kobject_put(&d->kobj);
			goto fail;
		}
		cpu_dirs[cpu] = d;
	}
	return 0;
fail:
	rtvirt_cpus_sysfs_exit();
	return -ENOMEM;
}

/**
 * rtvirt_cpus_sysfs_exit() - remove cpus/
 */
void rtvirt_cpus_sysfs_exit(void)
{
	unsigned int cpu;

	for (cpu = 0; cpu_dirs && cpu < nr_cpu_ids; cpu++)
		if (cpu_dirs[cpu])
			kobject_put(&cpu_dirs[cpu]->kobj);
	kfree(cpu_dirs);
	cpu_dirs = NULL;
	kset_unregister(cpus_kset);
	cpus_kset = NULL;
}
