// SPDX-License-Identifier: GPL-2.0
/*
 * Device virtualization, the Linux side: describing a device to the VMM,
 * the takeover (with every CPU held while the VMM installs its traps), the
 * bounded hand-back, the poll that runs delayed work and answers the
 * VMM's requests for a hand-back, and the queries behind sysfs and ioctls.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/acpi.h>
#include <linux/bottom_half.h>
#include <linux/delay.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/stop_machine.h>
#include <asm/tsc.h>
#include <rtvirt/vmm_abi.h>

#include "rtvirt.h"

static unsigned int handback_stall_us = 10000;
module_param(handback_stall_us, uint, 0644);
MODULE_PARM_DESC(handback_stall_us,
		 "longest a hand-back may hold the OS's submissions, in us (default 10000)");

static bool mediate_completions;
module_param(mediate_completions, bool, 0644);
MODULE_PARM_DESC(mediate_completions,
		 "NVMe takeovers give the OS the VMM's copies of its completions (every interrupt exits; default: the device's own)");

/* Attempts of a hand-back the user asked for, each bounded as above. */
#define HANDBACK_TRIES		20
/* How long a takeover waits for the device to be in a state to take. */
#define COMMENCE_TRIES		200

static_assert(sizeof(struct rtvirt_vmm_trace_entry) ==
	      sizeof(struct rtvirt_trace_entry));
static_assert(RTVIRT_VMM_TRAP_KINDS == RTVIRT_TRAP_KINDS);
static_assert(RTVIRT_VMM_TRACE_RING == RTVIRT_TRACE_RING);
static_assert(RTVIRT_VMM_INJECT_READS == RTVIRT_INJECT_READS &&
	      RTVIRT_VMM_INJECT_WRITES == RTVIRT_INJECT_WRITES);
static_assert(RTVIRT_VMM_MAX_DELAY_US == RTVIRT_INJECT_MAX_DELAY_US &&
	      RTVIRT_VMM_MAX_FRAME_DELAY_US ==
	      RTVIRT_INJECT_MAX_FRAME_DELAY_US);
static_assert(RTVIRT_VMM_INJECT_TX == RTVIRT_INJECT_TX &&
	      RTVIRT_VMM_INJECT_RX == RTVIRT_INJECT_RX &&
	      RTVIRT_VMM_INJECT_DROP == RTVIRT_INJECT_DROP &&
	      RTVIRT_VMM_INJECT_CORRUPT == RTVIRT_INJECT_CORRUPT &&
	      RTVIRT_VMM_INJECT_DELAY == RTVIRT_INJECT_DELAY &&
	      RTVIRT_VMM_INJECT_ALWAYS == RTVIRT_INJECT_PROBABILITY_ONE);

/**
 * rtvirt_dev_alloc() - per-device state of the virtualization code
 * @d:		a device being added
 *
 * Return: 0 or -ENOMEM.
 */
int rtvirt_dev_alloc(struct rtvirt_dev *d)
{
	mutex_init(&d->op_lock);
	d->base = kzalloc(sizeof(*d->base), GFP_KERNEL);
	if (!d->base) {
		rtvirt_dev_free(d);
		return -ENOMEM;
	}
	return 0;
}

/**
 * rtvirt_dev_free() - undo rtvirt_dev_alloc()
 * @d:		the device
 */
void rtvirt_dev_free(struct rtvirt_dev *d)
{
	kfree(d->base);
	d->base = NULL;
}

/* ECAM page of @pdev from the ACPI MCFG table, or 0. */
static u64 ecam_address(struct pci_dev *pdev)
{
	struct acpi_table_header *hdr;
	struct acpi_mcfg_allocation *m;
	u64 ecam = 0;
	int n;

	if (pci_domain_nr(pdev->bus) != 0 ||
	    ACPI_FAILURE(acpi_get_table(ACPI_SIG_MCFG, 0, &hdr)))
		return 0;
	n = (hdr->length - sizeof(struct acpi_table_mcfg)) / sizeof(*m);
	m = (struct acpi_mcfg_allocation *)((u8 *)hdr +
					    sizeof(struct acpi_table_mcfg));
	for (; n > 0; n--, m++) {
		if (m->pci_segment || pdev->bus->number < m->start_bus_number ||
		    pdev->bus->number > m->end_bus_number)
			continue;
		ecam = m->address +
		       ((u64)(pdev->bus->number - m->start_bus_number) << 20) +
		       ((u64)pdev->devfn << 12);
		break;
	}
	acpi_put_table(hdr);
	return ecam;
}

static void describe(struct rtvirt_dev *d, struct rtvirt_vmm_dev_info *info)
{
	struct pci_dev *pdev = d->pdev;
	u32 table, pba;
	u16 ctrl;
	int i;

	memset(info, 0, sizeof(*info));
	info->model = d->model;
	info->bdf = pdev->bus->number << 8 | pdev->devfn;
	info->bar_pa = pci_resource_start(pdev, 0);
	info->bar_size = pci_resource_len(pdev, 0);
	info->ecam_pa = ecam_address(pdev);
	info->tsc_khz = tsc_khz;
	for (i = 0; i < PCI_STD_NUM_BARS; i++) {
		if (!(pci_resource_flags(pdev, i) & IORESOURCE_IO) ||
		    !pci_resource_len(pdev, i))
			continue;
		info->io_port = pci_resource_start(pdev, i);
		info->io_size = pci_resource_len(pdev, i);
		break;
	}
	if (pdev->msix_cap) {
		pci_read_config_word(pdev, pdev->msix_cap + PCI_MSIX_FLAGS, &ctrl);
		pci_read_config_dword(pdev, pdev->msix_cap + PCI_MSIX_TABLE, &table);
		pci_read_config_dword(pdev, pdev->msix_cap + PCI_MSIX_PBA, &pba);
		if (!(table & PCI_MSIX_TABLE_BIR)) {
			info->msix_table = table & PCI_MSIX_TABLE_OFFSET;
			info->msix_table_size =
				((ctrl & PCI_MSIX_FLAGS_QSIZE) + 1) * PCI_MSIX_ENTRY_SIZE;
		}
		if (!(pba & PCI_MSIX_PBA_BIR)) {
			info->msix_pba = pba & PCI_MSIX_PBA_OFFSET;
			info->msix_pba_size =
				DIV_ROUND_UP((ctrl & PCI_MSIX_FLAGS_QSIZE) + 1, 64) * 8;
		}
	}
}

/* The models the module takes over: one entry per model file. */
static const struct rtvirt_model_ops *const models[] = {
	&rtvirt_nvme_ops,
	&rtvirt_e1000e_ops,
};

static const struct rtvirt_model_ops *model_of(struct rtvirt_dev *d)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(models); i++)
		if (models[i]->model == d->model)
			return models[i];
	return NULL;
}

/**
 * rtvirt_dev_captures() - whether the device's model captures frames
 * @d:		the device
 *
 * Return: true if so.
 */
bool rtvirt_dev_captures(struct rtvirt_dev *d)
{
	return model_of(d) && model_of(d)->capture;
}

/* Make the running VMM know @d; caller holds op_lock and launch_lock. */
static int attach(struct rtvirt_dev *d)
{
	struct rtvirt_vmm_dev_info *info;
	u64 ret;

	if (!model_of(d))
		return -EOPNOTSUPP;
	if (!rtvirt_launched())
		return -EBUSY;
	if (d->vmm_gen == rtvirt_generation())
		return 0;
	if (!(pci_resource_flags(d->pdev, 0) & IORESOURCE_MEM))
		return -EOPNOTSUPP;
	info = kmalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;
	describe(d, info);
	ret = rtvirt_hypercall(RTVIRT_HC_DEV_ATTACH, virt_to_phys(info), 0, 0);
	if (ret == RTVIRT_HC_EOPNOTSUPP || ret == RTVIRT_HC_EINVAL)
		pr_err("%s: cannot take over: its registers (BAR 0 at %#llx, %llu bytes; configuration page at %#llx) %s\n",
		       pci_name(d->pdev), info->bar_pa, info->bar_size,
		       info->ecam_pa, ret == RTVIRT_HC_EINVAL ?
		       "are malformed or overlap the VMM's memory" :
		       "lie beyond what nested paging maps (2^48 under 4-level paging)");
	else if (ret == RTVIRT_HC_ENOMEM)
		pr_err("%s: cannot take over: the VMM serves at most %d devices per launch, or its memory is full (load rtvirt with a larger vmm_mem_mb)\n",
		       pci_name(d->pdev), RTVIRT_VMM_MAX_DEVICES);
	kfree(info);
	if (ret == RTVIRT_HC_EINVAL)
		return -EIO;	/* what the kernel described did not check out */
	if (rtvirt_hc_errno(ret))
		return rtvirt_hc_errno(ret);
	d->vmm_id = ret;
	d->vmm_gen = rtvirt_generation();
	rtvirt_capture_attach(d);
	return 0;
}

struct commence_ctx {
	struct rtvirt_dev *d;
	const struct rtvirt_model_ops *m;
	u64 id;
	void *state;
	size_t size;
	u64 ret;
	atomic_t done;
};

static int commence_fn(void *arg)
{
	struct commence_ctx *c = arg;
	int err;

	if (smp_processor_id() == cpumask_first(cpu_online_mask)) {
		/* The driver's state, read where nothing can change it. */
		err = c->m->read_state(c->d, c->state, c->size, true);
		c->ret = err ? (u64)(s64)err :
			 rtvirt_hypercall(RTVIRT_HC_DEV_COMMENCE, c->id,
					  virt_to_phys(c->state), c->size);
		atomic_set_release(&c->done, 1);
	} else {
		while (!atomic_read_acquire(&c->done))
			cpu_relax();
	}
	/* Every CPU drops translations from before the traps existed. */
	rtvirt_hypercall(RTVIRT_HC_FLUSH, 0, 0, 0);
	return 0;
}

static void flush_one(void *unused)
{
	rtvirt_hypercall(RTVIRT_HC_FLUSH, 0, 0, 0);
}

/*
 * One dmesg line for a takeover the VMM or the driver's state refused,
 * with the VMM's reason when it gave one.
 */
static int refused(struct rtvirt_dev *d, int ret, const char *vmm_why)
{
	const char *why;

	switch (ret) {
	case -EBUSY:
		why = "the controller kept being reset or its queues changed";
		break;
	case -EOPNOTSUPP:
		why = "a queue or controller setting the VMM does not serve";
		break;
	case -ENOMEM:
		why = "the VMM's memory is too small for its queues (load rtvirt with a larger vmm_mem_mb)";
		break;
	case -ENODEV:
		why = "the driver's state of the device is unreadable";
		ret = -EIO;
		break;
	default:
		why = "the driver's queues do not match the controller";
		ret = -EIO;
		break;
	}
	pr_err("%s: cannot take over: %s%s%s\n", pci_name(d->pdev), why,
	       vmm_why && *vmm_why ? ": " : "", vmm_why ? vmm_why : "");
	return ret;
}

static int virtualize(struct rtvirt_dev *d)
{
	struct commence_ctx c = { .d = d, .m = model_of(d) };
	int tries, ret;

	ret = attach(d);
	if (ret)
		return ret;
	c.state = c.m->alloc_state(d, &c.size);
	if (IS_ERR(c.state))
		return refused(d, PTR_ERR(c.state), NULL);
	ret = c.m->describe ? c.m->describe(d, c.state) : 0;
	if (ret) {
		kfree(c.state);
		return ret;
	}
	WRITE_ONCE(d->state, RTVIRT_DEV_VIRTUALIZING);
	for (tries = 0; tries < COMMENCE_TRIES; tries++) {
		c.id = d->vmm_id;
		c.ret = RTVIRT_HC_EIO;
		atomic_set(&c.done, 0);
		ret = stop_machine(commence_fn, &c, cpu_online_mask);
		if (!ret)
			ret = rtvirt_hc_errno(c.ret);
		if (ret != -EBUSY)
			break;
		/* Enabling, resetting or shutting down: wait for it. */
		usleep_range(1000, 2000);
	}
	if (ret) {
		WRITE_ONCE(d->state, RTVIRT_DEV_NATIVE);
		ret = refused(d, ret, c.m->refusal ? c.m->refusal(c.state) : NULL);
		kfree(c.state);
		return ret;
	}
	kfree(c.state);
	WRITE_ONCE(d->state, RTVIRT_DEV_VIRTUALIZED);
	return 0;
}

/*
 * The hand-back's last step moves the OS's submission queues from the
 * VMM's pages back to the real ones: no CPU may write them while the VMM
 * copies them, and each CPU drops the old translations before it runs
 * the OS again.  The other CPUs wait for it in an interrupt handler (an
 * IPI), which is much cheaper than stop_machine()'s thread per CPU (in the
 * test VM, milliseconds of hold).  A CPU that does not take the IPI before
 * the hold's deadline (interrupts off, perhaps spinning on a lock that an
 * interrupted CPU holds) makes the attempt fail like a slow drain: the
 * waiting CPUs are released, and one that comes late only flushes.
 * Hand-backs run one at a time (launch lock).
 */
static atomic_long_t rv_state;	/* attempt << 16 | CPUs waiting */
static atomic_long_t rv_done;	/* last attempt released */
static long rv_gen;

static void rendezvous(void *arg)
{
	long gen = (long)arg, s;

	do {
		s = atomic_long_read(&rv_state);
		if ((s >> 16) != gen)
			goto flush;	/* late: that attempt was given up */
	} while (atomic_long_cmpxchg(&rv_state, s, s + 1) != s);
	while (atomic_long_read_acquire(&rv_done) - gen < 0)
		cpu_relax();
flush:
	rtvirt_hypercall(RTVIRT_HC_FLUSH, 0, 0, 0);
}

/*
 * FINISH with every other CPU held; -ETIMEDOUT if they did not all come.
 * The driver's state, read meanwhile into @state (@size bytes; NULL if
 * none), tells the VMM how far the driver got (NVMe: how far it wrote
 * each submission queue).
 */
static int finish_held(struct rtvirt_dev *d, u64 deadline, void *state,
		       size_t size)
{
	long others = num_online_cpus() - 1, gen = ++rv_gen;
	u64 ret, pa = 0;

	atomic_long_set(&rv_state, gen << 16);
	if (others > 0)
		smp_call_function(rendezvous, (void *)gen, 0);
	while ((atomic_long_read(&rv_state) & 0xffff) < others) {
		if (ktime_get_ns() > deadline) {
			/* Nobody else may count in; release the ones in. */
			atomic_long_set(&rv_state, (gen + 1) << 16);
			atomic_long_set_release(&rv_done, gen);
			return -ETIMEDOUT;
		}
		cpu_relax();
	}
	if (state && !model_of(d)->read_state(d, state, size, false))
		pa = virt_to_phys(state);
	ret = rtvirt_hypercall(RTVIRT_HC_DEV_HANDBACK, d->vmm_id,
			       RTVIRT_HB_FINISH, pa);
	rtvirt_hypercall(RTVIRT_HC_FLUSH, 0, 0, 0);
	atomic_long_set_release(&rv_done, gen);
	return rtvirt_hc_errno(ret) ? -ETIMEDOUT : 0;
}

/*
 * One bounded hand-back; -ETIMEDOUT leaves the device virtualized.  The
 * OS's submissions are held from BEGIN to FINISH or ABORT, so this runs
 * without sleeping or being preempted: the hold lasts the drain and the
 * gathering of the other CPUs, together bounded by handback_stall_us,
 * plus the restore and replay.  Softirqs stay off on this CPU too: the
 * other CPUs wait in the rendezvous IPI, perhaps holding a lock they were
 * interrupted in (a NIC's transmit queue lock, in its driver's xmit), and
 * a softirq run here on an interrupt's exit (the network stack sending)
 * would spin on that lock while they wait for this CPU.
 */
static int handback_once(struct rtvirt_dev *d, void *state, size_t size)
{
	u64 deadline, ret;
	int err = 0;

	cpus_read_lock();	/* the online CPUs are the ones to gather */
	local_bh_disable();
	ret = rtvirt_hypercall(RTVIRT_HC_DEV_HANDBACK, d->vmm_id,
			       RTVIRT_HB_BEGIN, 0);
	if (rtvirt_hc_errno(ret)) {
		local_bh_enable();
		cpus_read_unlock();
		return rtvirt_hc_errno(ret);
	}
	deadline = ktime_get_ns() + (u64)READ_ONCE(handback_stall_us) * 1000;
	for (;;) {
		ret = rtvirt_hypercall(RTVIRT_HC_DEV_HANDBACK, d->vmm_id,
				       RTVIRT_HB_DRAIN, 0);
		if (ret == 1)
			break;
		if (rtvirt_hc_errno(ret) || ktime_get_ns() > deadline) {
			err = -ETIMEDOUT;
			break;
		}
		udelay(10);
	}
	if (!err)
		err = finish_held(d, deadline, state, size);
	if (err)
		rtvirt_hypercall(RTVIRT_HC_DEV_HANDBACK, d->vmm_id,
				 RTVIRT_HB_ABORT, 0);
	local_bh_enable();
	cpus_read_unlock();
	return err;
}

static int devirtualize(struct rtvirt_dev *d, unsigned int tries)
{
	int ret = -ETIMEDOUT;
	size_t size = 0;
	void *state;

	/* NVMe: without it the VMM copies whole queues (slower, same result). */
	state = model_of(d)->alloc_state(d, &size);
	if (IS_ERR(state))
		state = NULL;
	WRITE_ONCE(d->state, RTVIRT_DEV_DEVIRTUALIZING);
	while (tries--) {
		ret = handback_once(d, state, size);
		if (ret != -ETIMEDOUT)
			break;
		/* Let the held submissions run before trying again. */
		rtvirt_launch_unlock();
		usleep_range(1000, 2000);
		rtvirt_launch_lock();
	}
	kfree(state);
	if (ret) {
		WRITE_ONCE(d->state, RTVIRT_DEV_VIRTUALIZED);
		return ret;
	}
	WRITE_ONCE(d->state, RTVIRT_DEV_NATIVE);
	WRITE_ONCE(d->mediate, false);	/* chosen again at the next takeover */
	/* Port traps off where nothing is virtualized any more. */
	on_each_cpu(flush_one, NULL, 1);
	return 0;
}

/**
 * rtvirt_dev_set() - take a device into emulation or hand it back
 * @d:		the device
 * @on:		true to virtualize
 *
 * Return: 0; -EBUSY when the VMM is not launched or the device cannot be
 * taken now; -ETIMEDOUT when no hand-back attempt completed within the
 * stall bound (the device stays virtualized); -EOPNOTSUPP for a model
 * without emulation; -EIO when the VMM refused the device.
 */
int rtvirt_dev_set(struct rtvirt_dev *d, bool on)
{
	int ret = 0;

	mutex_lock(&d->op_lock);
	rtvirt_launch_lock();
	if (on && d->state == RTVIRT_DEV_NATIVE) {
		WRITE_ONCE(d->mediate, READ_ONCE(mediate_completions));
		ret = virtualize(d);
	} else if (!on && d->state == RTVIRT_DEV_VIRTUALIZED) {
		ret = devirtualize(d, HANDBACK_TRIES);
	}
	rtvirt_launch_unlock();
	mutex_unlock(&d->op_lock);
	return ret;
}

/**
 * rtvirt_dev_release() - hand a device back before the VMM goes away
 * @d:		the device
 *
 * Tries until the hand-back succeeds: nothing may be left in the VMM.
 *
 * Return: 0, or the error of a failed attempt after many tries.
 */
int rtvirt_dev_release(struct rtvirt_dev *d)
{
	int ret = 0, round;

	for (round = 0; round < 100; round++) {
		mutex_lock(&d->op_lock);
		rtvirt_launch_lock();
		ret = 0;
		if (d->state == RTVIRT_DEV_VIRTUALIZED)
			ret = devirtualize(d, HANDBACK_TRIES);
		rtvirt_launch_unlock();
		mutex_unlock(&d->op_lock);
		if (ret != -ETIMEDOUT)
			break;
	}
	if (ret)
		pr_err("%s: hand-back keeps failing (%d)\n", pci_name(d->pdev),
		       ret);
	return ret;
}

/* Add counters; the stall figures are the latest and the maximum. */
static void add_stats(struct rtvirt_vmm_dev_stats *to,
		      const struct rtvirt_vmm_dev_stats *from)
{
	unsigned int i;

	for (i = 0; i < RTVIRT_VMM_TRAP_KINDS; i++)
		to->traps[i] += from->traps[i];
	to->ios += from->ios;
	to->virtualizations += from->virtualizations;
	to->devirtualizations += from->devirtualizations;
	to->replayed += from->replayed;
	if (from->devirtualizations)
		to->last_stall_ns = from->last_stall_ns;
	to->max_stall_ns = max(to->max_stall_ns, from->max_stall_ns);
	to->dma_refused += from->dma_refused;
	to->injected += from->injected;
	to->handback_retries += from->handback_retries;
	to->tx_frames += from->tx_frames;
	to->rx_frames += from->rx_frames;
	to->tx_bytes += from->tx_bytes;
	to->rx_bytes += from->rx_bytes;
}

/* The running VMM's counters of @d; caller holds op_lock and launch_lock. */
static int vmm_stats(struct rtvirt_dev *d, struct rtvirt_vmm_dev_stats *now)
{
	memset(now, 0, sizeof(*now));
	if (!rtvirt_launched() || d->vmm_gen != rtvirt_generation())
		return 0;
	return rtvirt_hc_errno(rtvirt_hypercall(RTVIRT_HC_DEV_STATS, d->vmm_id,
					 virt_to_phys(now), 0));
}

/**
 * rtvirt_dev_stats() - the device's counters, over all launches
 * @d:		the device
 * @out:	filled
 *
 * Return: 0 or -ENOMEM.
 */
int rtvirt_dev_stats(struct rtvirt_dev *d, struct rtvirt_vmm_dev_stats *out)
{
	struct rtvirt_vmm_dev_stats *now;

	now = kzalloc(sizeof(*now), GFP_KERNEL);
	if (!now)
		return -ENOMEM;
	mutex_lock(&d->op_lock);
	rtvirt_launch_lock();
	*out = *d->base;
	if (!vmm_stats(d, now))
		add_stats(out, now);
	out->state = d->state;
	rtvirt_launch_unlock();
	mutex_unlock(&d->op_lock);
	kfree(now);
	return 0;
}

/**
 * rtvirt_dev_fold_stats() - keep the counters of the launch that ends
 * @d:		the device; the caller holds the launch lock
 */
void rtvirt_dev_fold_stats(struct rtvirt_dev *d)
{
	struct rtvirt_vmm_dev_stats *now;

	now = kzalloc(sizeof(*now), GFP_KERNEL);
	if (now && !vmm_stats(d, now))
		add_stats(d->base, now);
	d->vmm_gen = 0;
	kfree(now);
}

/**
 * rtvirt_dev_trace() - copy the device's recent commands
 * @d:		the device
 * @buf:	physically contiguous buffer
 * @size:	its size in bytes
 *
 * Return: entries copied, or a negative errno.
 */
int rtvirt_dev_trace(struct rtvirt_dev *d, struct rtvirt_vmm_trace *buf,
		     size_t size)
{
	u64 ret = 0;
	int err = 0;

	mutex_lock(&d->op_lock);
	rtvirt_launch_lock();
	memset(buf, 0, sizeof(*buf));
	if (rtvirt_launched() && d->vmm_gen == rtvirt_generation()) {
		ret = rtvirt_hypercall(RTVIRT_HC_DEV_TRACE, d->vmm_id,
				       virt_to_phys(buf), size);
		err = rtvirt_hc_errno(ret);
	}
	rtvirt_launch_unlock();
	mutex_unlock(&d->op_lock);
	return err ? err : (int)ret;
}

/*
 * A status injection needs the OS to read the VMM's copies of its
 * completions: hand the device back and take it over anew with mediated
 * completions (transparent to the driver, like any flip), unless it has
 * them already.  They last until the next hand-back.
 */
static int mediate(struct rtvirt_dev *d)
{
	int ret;

	if (d->mediate)
		return 0;
	ret = devirtualize(d, HANDBACK_TRIES);
	if (ret)
		return ret;
	WRITE_ONCE(d->mediate, true);
	ret = virtualize(d);
	if (ret) {
		WRITE_ONCE(d->mediate, false);
		pr_err("%s: not taken over again for the status injection; native now\n",
		       pci_name(d->pdev));
		return ret;
	}
	pr_info("%s: taken over again with mediated completions, for a status injection\n",
		pci_name(d->pdev));
	return 0;
}

/**
 * rtvirt_dev_inject() - set fault injection on a virtualized device
 * @d:		the device
 * @inj:	what to inject
 *
 * An injection with a status first takes the device over anew with
 * mediated completions if it has direct ones (mediate()).
 *
 * Return: 0, -EBUSY when the device is not virtualized, -EOPNOTSUPP for
 * a model without fault injection or without this kind (commands or
 * frames) or action of it, -EINVAL, or the error of that new takeover
 * (the device may be native then).
 */
int rtvirt_dev_inject(struct rtvirt_dev *d,
		      const struct rtvirt_vmm_inject *inj)
{
	struct rtvirt_vmm_inject *copy;
	int ret = -EBUSY;

	copy = kmemdup(inj, sizeof(*inj), GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	mutex_lock(&d->op_lock);
	rtvirt_launch_lock();
	if (d->state != RTVIRT_DEV_VIRTUALIZED)
		goto out;
	ret = -EOPNOTSUPP;
	if (!model_of(d)->inject || (inj->count &&
				     (inj->match & ~model_of(d)->inject)))
		goto out;
	if (inj->count && inj->status) {
		ret = mediate(d);
		if (ret)
			goto out;
	}
	ret = rtvirt_hc_errno(rtvirt_hypercall(RTVIRT_HC_DEV_INJECT, d->vmm_id,
					       virt_to_phys(copy), 0));
out:
	rtvirt_launch_unlock();
	mutex_unlock(&d->op_lock);
	kfree(copy);
	return ret;
}

/**
 * rtvirt_dev_poll() - run what the device's model waits for
 * @d:		the device
 *
 * Delayed commands whose time came, and a hand-back the OS's own mode
 * change asked for (its held access is replayed once the device is
 * native).
 */
void rtvirt_dev_poll(struct rtvirt_dev *d)
{
	u64 ret;

	if (!mutex_trylock(&d->op_lock))
		return;
	rtvirt_launch_lock();
	if (d->state == RTVIRT_DEV_VIRTUALIZED) {
		ret = rtvirt_hypercall(RTVIRT_HC_DEV_POLL, d->vmm_id, 0, 0);
		if (!rtvirt_hc_errno(ret) && (ret & RTVIRT_POLL_HANDBACK)) {
			pr_info("%s: the driver changed the device's mode; handing it back\n",
				pci_name(d->pdev));
			devirtualize(d, HANDBACK_TRIES);
		}
	}
	rtvirt_launch_unlock();
	mutex_unlock(&d->op_lock);
}
