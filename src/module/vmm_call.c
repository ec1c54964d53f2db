// SPDX-License-Identifier: GPL-2.0
/*
 * Calling the VMM, and the state of the launch the rest of the module
 * reads: whether the VMM runs, its generation, each CPU's launch, and the
 * lock that keeps them so.  launch.c changes them; everything else only
 * reads them and calls the VMM here, so that the device code below
 * launch.c needs nothing of it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/smp.h>
#include <rtvirt/vmm_abi.h>

#include "rtvirt.h"

DEFINE_MUTEX(rtvirt_launch_mutex);
struct rtvirt_cpu_launch *rtvirt_cpu_launch;
bool rtvirt_is_launched;
u64 rtvirt_launch_gen;

/**
 * rtvirt_hypercall() - call the VMM on the current CPU
 * @nr:		RTVIRT_HC_*
 * @a0:		RBX
 * @a1:		RCX
 * @a2:		RDX
 *
 * Only valid while launched, with the caller keeping it so.  A CPU going
 * offline is native again (its hot-plug callback unlaunched it) while
 * work items and tasks still run on it: there the call is not made.
 *
 * Return: the VMM's RAX, or RTVIRT_HC_ENODEV on a CPU that is native.
 */
u64 rtvirt_hypercall(u64 nr, u64 a0, u64 a1, u64 a2)
{
	u64 ret;

	preempt_disable();
	if (!rtvirt_cpu_launch[smp_processor_id()].launched) {
		preempt_enable();
		return RTVIRT_HC_ENODEV;
	}
	ret = rtvirt_vmmcall(nr, a0, a1, a2, NULL, NULL, NULL);
	preempt_enable();
	return ret;
}

/**
 * rtvirt_generation() - the current launch's generation
 *
 * Return: a number that changes with every launch (the VMM's device ids
 * are valid in one generation only).
 */
u64 rtvirt_generation(void)
{
	return rtvirt_launch_gen;
}

/**
 * rtvirt_launched() - whether the VMM runs under the kernel
 *
 * Return: true between a successful launch and the next unlaunch.
 */
bool rtvirt_launched(void)
{
	return READ_ONCE(rtvirt_is_launched);
}

/**
 * rtvirt_cpu_ping() - ask the VMM on the calling CPU who it is
 * @cpu:	set to the CPU number the VMM answered for
 * @gen:	set to the launch generation
 *
 * Call with preemption disabled.
 *
 * Return: 0 if the VMM answered, -ENODEV if this CPU is native.
 */
int rtvirt_cpu_ping(u64 *cpu, u64 *gen)
{
	u64 ver;

	if (!rtvirt_cpu_launch ||
	    !rtvirt_cpu_launch[smp_processor_id()].launched)
		return -ENODEV;
	if (rtvirt_vmmcall(RTVIRT_HC_PING, 0, 0, 0, cpu, gen, &ver) !=
	    RTVIRT_HC_PING_MAGIC)
		return -EIO;
	return 0;
}

/**
 * rtvirt_cpu_vmm_stats() - fetch the calling CPU's counters from the VMM
 * @stats:	kmalloc'ed buffer (physically contiguous) to fill
 *
 * Call with preemption disabled, on a CPU rtvirt_cpu_ping() answered on.
 *
 * Return: 0 or -EIO.
 */
int rtvirt_cpu_vmm_stats(struct rtvirt_vmm_cpu_stats *stats)
{
	return rtvirt_vmmcall(RTVIRT_HC_STATS, virt_to_phys(stats), 0, 0, NULL,
			      NULL, NULL) ? -EIO : 0;
}

/**
 * rtvirt_launch_lock() - serialise with launch and unlaunch
 */
void rtvirt_launch_lock(void)
{
	mutex_lock(&rtvirt_launch_mutex);
}

/**
 * rtvirt_launch_unlock() - end of rtvirt_launch_lock()
 */
void rtvirt_launch_unlock(void)
{
	mutex_unlock(&rtvirt_launch_mutex);
}

/**
 * rtvirt_cpu_times() - launch and unlaunch time of a CPU
 * @cpu:	the CPU
 * @launch_ns:	last launch time in ns (guest clock)
 * @unlaunch_ns: last unlaunch time in ns
 */
void rtvirt_cpu_times(unsigned int cpu, u64 *launch_ns, u64 *unlaunch_ns)
{
	const struct rtvirt_cpu_launch *l = rtvirt_cpu_launch;

	*launch_ns = l ? l[cpu].launch_ns : 0;
	*unlaunch_ns = l ? l[cpu].unlaunch_ns : 0;
}
