// SPDX-License-Identifier: GPL-2.0
/*
 * NMI storms for the selftests (debugfs nmi_storm): NMIs sent one at a
 * time to every online CPU, each waited for before the next, so that none
 * can merge with another and every one must arrive.  Under load and with
 * a device virtualized, they reach CPUs at every point of the VMM's exit
 * handling, its interrupt window included.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/cpu.h>
#include <linux/ktime.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <asm/apic.h>
#include <asm/nmi.h>

#include "rtvirt.h"

#define STORM_WAIT_NS	(1000 * NSEC_PER_MSEC)	/* per NMI */

static DEFINE_PER_CPU(atomic_t, storm_expected);
static DEFINE_PER_CPU(atomic_t, storm_received);

/*
 * Claims an NMI only while this CPU expects one of the storm's.  An NMI
 * of someone else's that arrives then is claimed too, but every handler
 * of the list runs for it anyway; the count stays exact because the
 * storm's next NMI is sent only after the previous one was counted.
 */
static int storm_nmi(unsigned int type, struct pt_regs *regs)
{
	if (atomic_dec_if_positive(this_cpu_ptr(&storm_expected)) < 0)
		return NMI_DONE;
	atomic_inc(this_cpu_ptr(&storm_received));
	return NMI_HANDLED;
}

/**
 * rtvirt_nmi_storm() - send NMIs to every online CPU and count them back
 * @rounds:	NMIs per CPU
 * @res:	what was sent and what arrived
 *
 * Each round sends one NMI to each online CPU in turn (the sender's own
 * included) and waits up to a second for it before sending the next.
 *
 * Return: 0 when every NMI arrived, -ETIMEDOUT when one did not (@res
 * says which CPU), -EINTR on a signal, or an error from registering the
 * NMI handler.
 */
int rtvirt_nmi_storm(unsigned int rounds, struct rtvirt_nmi_storm_result *res)
{
	unsigned int i, cpu;
	int ret;

	memset(res, 0, sizeof(*res));
	res->lost_cpu = -1;
	ret = register_nmi_handler(NMI_LOCAL, storm_nmi, 0, "rtvirt_storm");
	if (ret)
		return ret;
	cpus_read_lock();
	for (i = 0; i < rounds && !ret; i++) {
		for_each_online_cpu(cpu) {
			atomic_t *got = per_cpu_ptr(&storm_received, cpu);
			int before = atomic_read(got);
			ktime_t end = ktime_add_ns(ktime_get(), STORM_WAIT_NS);

			atomic_inc(per_cpu_ptr(&storm_expected, cpu));
			apic->send_IPI(cpu, NMI_VECTOR);
			res->sent++;
			while (atomic_read(got) == before) {
				if (ktime_after(ktime_get(), end)) {
					ret = -ETIMEDOUT;
					break;
				}
				cpu_relax();
			}
			if (ret) {
				res->lost_cpu = cpu;
				/* A late arrival must not be claimed later. */
				atomic_set(per_cpu_ptr(&storm_expected, cpu), 0);
				break;
			}
			res->received++;
		}
		if (!ret && fatal_signal_pending(current))
			ret = -EINTR;
		cond_resched();
	}
	cpus_read_unlock();
	unregister_nmi_handler(NMI_LOCAL, "rtvirt_storm");
	return ret;
}
