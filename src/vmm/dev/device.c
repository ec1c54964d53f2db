// SPDX-License-Identifier: GPL-2.0
/*
 * Device framework: the registry of devices the module handed over, the
 * traps their models set in the nested page tables and the I/O port map
 * (the PCI configuration ports, and the I/O BARs models take),
 * dispatch of trapped accesses to the models, the log of accesses held
 * during a hand-back and their replay, the command trace, and the device
 * hypercalls.  Everything here is serialised by one lock: devices are few
 * and their traps short.  The exception is the interrupt path
 * (vdev_interrupt()), which every CPU takes at every interrupt while a
 * device is virtualized: it takes no lock of its own and leaves the
 * locking to the model (per queue for NVMe); the trace ring has its own
 * lock for that reason.
 */
#include <vmm/decode.h>
#include <vmm/device.h>
#include <vmm/io.h>
#include <vmm/log.h>
#include <vmm/pci.h>
#include <vmm/vmm.h>

#define CANARY_PATTERN		0x5254564943414e41ULL	/* "RTVICANA" */

static struct vdev devs[RTVIRT_VMM_MAX_DEVICES];
static unsigned int nr_devs;
static struct trap traps[VDEV_TRAPS_MAX];
static unsigned int nr_traps;
static int vdev_lock;
static u32 config_address;	/* last value written to 0xCF8 */

/**
 * struct port_trap - I/O ports a model took from the OS
 * @port:	first port
 * @count:	ports
 * @dev:	owner
 */
struct port_trap {
	u16 port;
	u16 count;
	struct vdev *dev;
};

static struct port_trap port_traps[VDEV_PORT_TRAPS_MAX];
static unsigned int nr_port_traps;
static u64 *canary;
static u64 canary_pa;

/**
 * vdev_reset_all() - forget every device; called by vmm_init() at launch
 */
void vdev_reset_all(void)
{
	memset(devs, 0, sizeof(devs));
	memset(traps, 0, sizeof(traps));
	nr_devs = 0;
	nr_traps = 0;
	memset(port_traps, 0, sizeof(port_traps));
	nr_port_traps = 0;
	vdev_lock = 0;
	config_address = 0;
	canary = NULL;
}

/**
 * vdev_mmio_write() - store to device registers or RAM at a physical address
 * @pa:		address: registers in the I/O window (vmm_io_map()), or RAM
 *		the VMM reaches (vmm_reaches())
 * @val:	value
 * @size:	1, 2, 4 or 8 bytes
 */
void vdev_mmio_write(u64 pa, u64 val, unsigned int size)
{
	volatile void *p = vmm_io_va(pa, size);

	switch (size) {
	case 1:
		*(volatile u8 *)p = (u8)val;
		break;
	case 2:
		*(volatile u16 *)p = (u16)val;
		break;
	case 4:
		*(volatile u32 *)p = (u32)val;
		break;
	default:
		*(volatile u64 *)p = val;
		break;
	}
}

/**
 * vdev_mmio_read() - load from device registers or RAM at a physical address
 * @pa:		address, as for vdev_mmio_write()
 * @size:	1, 2, 4 or 8 bytes
 *
 * Return: the value.
 */
u64 vdev_mmio_read(u64 pa, unsigned int size)
{
	volatile void *p = vmm_io_va(pa, size);

	switch (size) {
	case 1:
		return *(volatile u8 *)p;
	case 2:
		return *(volatile u16 *)p;
	case 4:
		return *(volatile u32 *)p;
	default:
		return *(volatile u64 *)p;
	}
}

/* Map [gpa, gpa + size) to @hpa (itself: native), or not at all (~0). */
static int npt_set(u64 gpa, u64 size, u64 hpa)
{
	int ret;

	spin_lock(&vmm.npt_lock);
	if (hpa == ~0ULL)
		ret = pt_unmap(&vmm.npt, gpa, size);
	else
		ret = pt_map(&vmm.npt, gpa, hpa, size, PT_RWX);
	spin_unlock(&vmm.npt_lock);
	return ret;
}

static int trap_insert(struct vdev *d, u64 gpa, u64 size, unsigned int kind,
		       void *shadow, u64 view)
{
	struct trap *t;

	if ((gpa | size) & (PT_PAGE_SIZE - 1) || !size || gpa + size < gpa ||
	    vmm_owns_range(gpa, size))
		return ERR_INVAL;
	for (unsigned int i = 0; i < nr_traps; i++)
		if (gpa < traps[i].gpa + traps[i].size &&
		    traps[i].gpa < gpa + size)
			return ERR_INVAL;
	if (nr_traps == VDEV_TRAPS_MAX)
		return ERR_NOMEM;
	if (npt_set(gpa, size, view ? view : ~0ULL))
		return ERR_NOMEM;
	t = &traps[nr_traps++];
	t->gpa = gpa;
	t->size = size;
	t->kind = kind;
	t->dev = d;
	t->shadow = shadow;
	t->view = view;
	return 0;
}

/**
 * vdev_trap_add() - make a guest-physical range exit to the VMM
 * @d:		the owner
 * @gpa:	page-aligned start
 * @size:	whole pages
 * @kind:	TRAP_*
 * @shadow:	the model's copy the OS sees instead, or NULL
 *
 * The caller makes every CPU flush its translations before relying on it.
 *
 * Return: 0, ERR_INVAL for a range the VMM cannot trap, ERR_NOMEM.
 */
int vdev_trap_add(struct vdev *d, u64 gpa, u64 size, unsigned int kind,
		  void *shadow)
{
	return trap_insert(d, gpa, size, kind, shadow, 0);
}

/**
 * vdev_view_add() - give the OS the VMM's pages in place of a range
 * @d:		the owner
 * @gpa:	page-aligned start
 * @size:	whole pages
 * @kind:	TRAP_*, for the model's bookkeeping (no access exits)
 * @view:	physical address of @size bytes of the VMM's own pages
 *
 * The OS reads and writes @view at @gpa without exits; the real range is
 * then out of the OS's reach, so what the VMM puts there stays as the VMM
 * checked it.  Unlike a trap, removing a view narrows nothing but moves
 * the OS's accesses: the caller removes it with every other CPU held and
 * makes every CPU flush before any resumes.
 *
 * Return: 0, ERR_INVAL for a range the VMM cannot take, ERR_NOMEM.
 */
int vdev_view_add(struct vdev *d, u64 gpa, u64 size, unsigned int kind,
		  u64 view)
{
	if (!view || (view & (PT_PAGE_SIZE - 1)) ||
	    !vmm_owns_range(view, size))
		return ERR_INVAL;
	return trap_insert(d, gpa, size, kind, NULL, view);
}

/**
 * vdev_port_trap_add() - make I/O ports exit to the VMM, to @d's model
 * @d:		the owner; its model has &vdev_ops.port
 * @port:	first port
 * @count:	ports
 *
 * The caller makes every CPU refresh its intercepts (RTVIRT_HC_FLUSH)
 * before relying on it, as for vdev_trap_add().
 *
 * Return: 0; ERR_INVAL for an empty range, one beyond port 0xffff, one
 * overlapping the PCI configuration ports or another trap, or a model
 * without a port handler; ERR_NOMEM when the table is full.
 */
int vdev_port_trap_add(struct vdev *d, u16 port, unsigned int count)
{
	u32 end = (u32)port + count;

	if (!count || end > 0x10000 || !d->ops->port ||
	    (port < PCI_CONFIG_DATA + 4 && PCI_CONFIG_ADDRESS < end))
		return ERR_INVAL;
	for (unsigned int i = 0; i < nr_port_traps; i++)
		if (port < port_traps[i].port + port_traps[i].count &&
		    port_traps[i].port < end)
			return ERR_INVAL;
	if (nr_port_traps == VDEV_PORT_TRAPS_MAX)
		return ERR_NOMEM;
	port_traps[nr_port_traps].port = port;
	port_traps[nr_port_traps].count = (u16)count;
	port_traps[nr_port_traps].dev = d;
	nr_port_traps++;
	vmm_port_intercept(port, count, true);
	return 0;
}

static struct port_trap *port_trap_find(u16 port)
{
	for (unsigned int i = 0; i < nr_port_traps; i++)
		if (port >= port_traps[i].port &&
		    port - port_traps[i].port < port_traps[i].count)
			return &port_traps[i];
	return NULL;
}

/**
 * vdev_traps_remove() - give the guest direct access to @d's ranges again
 * @d:		the device
 *
 * For traps this only widens access, so CPUs with stale translations
 * merely exit once more (vdev_handle_npf() then retries the instruction);
 * views move the OS's accesses back to the real range (see
 * vdev_view_add() for what the caller must do).
 */
void vdev_traps_remove(struct vdev *d)
{
	unsigned int i = 0;

	while (i < nr_traps) {
		if (traps[i].dev != d) {
			i++;
			continue;
		}
		if (npt_set(traps[i].gpa, traps[i].size, traps[i].gpa))
			vmm_log("device: cannot restore %#llx\n",
				(unsigned long long)traps[i].gpa);
		traps[i] = traps[--nr_traps];
	}
	i = 0;
	while (i < nr_port_traps) {
		if (port_traps[i].dev != d) {
			i++;
			continue;
		}
		vmm_port_intercept(port_traps[i].port, port_traps[i].count,
				   false);
		port_traps[i] = port_traps[--nr_port_traps];
	}
}

/**
 * vdev_any_virtualized() - whether any device is in emulation
 *
 * Return: true while a device's accesses are trapped.
 */
bool vdev_any_virtualized(void)
{
	for (unsigned int i = 0; i < nr_devs; i++)
		if (devs[i].state != VDEV_NATIVE)
			return true;
	return false;
}

/**
 * vdev_wants_interrupts() - whether physical interrupts must exit
 *
 * Return: true while a device is virtualized (or being handed back) whose
 * model must see its interrupts before the kernel's handler
 * (&vdev_ops.interrupts).
 */
bool vdev_wants_interrupts(void)
{
	for (unsigned int i = 0; i < nr_devs; i++) {
		struct vdev *d = &devs[i];

		if (d->state != VDEV_NATIVE &&
		    (!d->ops->interrupts || d->ops->interrupts(d)))
			return true;
	}
	return false;
}

/**
 * vdev_interrupt() - before the kernel's interrupt handler runs, let each
 * virtualized device's model process what its device completed
 *
 * Called at every interrupt exit while a device is virtualized, without
 * the device lock: the model's poll does its own locking (&vdev_ops.poll).
 * A device whose model sees nothing new (&vdev_ops.pending) costs nothing.
 */
void vdev_interrupt(void)
{
	unsigned int nr = __atomic_load_n(&nr_devs, __ATOMIC_ACQUIRE);

	for (unsigned int i = 0; i < nr; i++) {
		struct vdev *d = &devs[i];
		unsigned int state = __atomic_load_n(&d->state,
						     __ATOMIC_ACQUIRE);

		if ((state != VDEV_VIRTUALIZED &&
		     state != VDEV_DEVIRTUALIZING) ||
		    (d->ops->pending && !d->ops->pending(d)))
			continue;
		d->ops->poll(d);
	}
}

/**
 * vdev_ns() - convert TSC ticks to nanoseconds
 * @d:		the device (its info carries the TSC frequency)
 * @tsc:	ticks
 *
 * Return: nanoseconds.
 */
u64 vdev_ns(const struct vdev *d, u64 tsc)
{
	u64 khz = d->info.tsc_khz ? d->info.tsc_khz : 1000000;

	return tsc / khz * 1000000 + tsc % khz * 1000000 / khz;
}

/**
 * vdev_trace() - record a completed command in the device's ring
 * @d:		the device
 * @e:		the entry; its sequence number is assigned here
 */
void vdev_trace(struct vdev *d, const struct rtvirt_vmm_trace_entry *e)
{
	struct rtvirt_vmm_trace_entry *slot;

	spin_lock(&d->trace_lock);
	slot = &d->trace[d->trace_seq % RTVIRT_VMM_TRACE_RING];
	*slot = *e;
	slot->seq = d->trace_seq++;
	spin_unlock(&d->trace_lock);
}

static struct trap *trap_find(u64 gpa)
{
	for (unsigned int i = 0; i < nr_traps; i++)
		if (gpa >= traps[i].gpa && gpa - traps[i].gpa < traps[i].size)
			return &traps[i];
	return NULL;
}

static void config_mmio_access(struct vdev *d, struct trap *t,
			       struct access *a)
{
	unsigned int off = a->gpa - t->gpa;

	if (a->write) {
		if (d->ops->config(d, off, a))
			return;
		vdev_mmio_write(a->gpa, a->val, a->size);
	} else {
		a->val = vdev_mmio_read(a->gpa, a->size);
	}
}

static void inject_gp(struct vcpu *v, u64 gpa)
{
	vmm_log("cpu %u: cannot emulate the access to %#llx at rip %#llx\n",
		v->id, (unsigned long long)gpa,
		(unsigned long long)*vmm_arch->rip(v));
	vmm_arch->inject_gp(v);
}

/**
 * vdev_handle_npf() - a nested page fault that may hit a device trap
 * @v:		the exiting CPU
 * @gpa:	faulting guest-physical address
 * @write:	the access was a write
 *
 * Emulates the instruction against the owning model.  A fault on a range
 * that is no longer trapped (a translation this CPU kept from before the
 * trap was removed) is retried after a flush.
 *
 * Return: false when @gpa is neither trapped nor accessible (the caller
 * handles VMM memory).
 */
bool vdev_handle_npf(struct vcpu *v, u64 gpa, bool write)
{
	struct mmio_insn insn;
	struct access a;
	struct trap *t;
	unsigned int prot;
	u64 hpa;
	int level;

	spin_lock(&vdev_lock);
	t = trap_find(gpa);
	if (!t || t->view) {
		spin_unlock(&vdev_lock);
		spin_lock(&vmm.npt_lock);
		prot = pt_lookup(&vmm.npt, gpa, &hpa, &level);
		spin_unlock(&vmm.npt_lock);
		if (!(prot & (write ? PT_WRITE : PT_READ)))
			return false;
		vmm_arch->flush_tlb(v);
		return true;
	}
	if (guest_decode(v, &insn) < 0 ||
	    (insn.kind == MMIO_LOAD) == write ||
	    (gpa & (insn.size - 1))) {
		spin_unlock(&vdev_lock);
		inject_gp(v, gpa);
		return true;
	}
	a.gpa = gpa;
	a.size = insn.size;
	a.write = write;
	a.kind = t->kind;
	a.retry = false;
	a.val = write ? guest_store_value(v, &insn) : 0;
	t->dev->stats.traps[t->kind]++;
	if (t->kind == TRAP_CONFIG_MMIO)
		config_mmio_access(t->dev, t, &a);
	else
		t->dev->ops->access(t->dev, t, &a);
	spin_unlock(&vdev_lock);
	if (a.retry)
		return true;	/* held back until the hand-back ends */
	if (!write)
		guest_complete_load(v, &insn, a.val);
	*vmm_arch->rip(v) += insn.len;
	return true;
}

static u64 port_in(u16 port, unsigned int size)
{
	u32 v;

	switch (size) {
	case 1:
		return inb(port);
	case 2:
		asm volatile("inw %1, %w0" : "=a"(v) : "Nd"(port));
		return v & 0xffff;
	default:
		asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
		return v;
	}
}

static void port_out(u16 port, u64 val, unsigned int size)
{
	switch (size) {
	case 1:
		outb(port, (u8)val);
		break;
	case 2:
		asm volatile("outw %w0, %1" : : "a"((u16)val), "Nd"(port));
		break;
	default:
		asm volatile("outl %0, %1" : : "a"((u32)val), "Nd"(port));
		break;
	}
}

/**
 * vdev_port_read() - IN from a port, for a model
 * @port:	the port
 * @size:	1, 2 or 4 bytes
 *
 * Return: the value.
 */
u64 vdev_port_read(u16 port, unsigned int size)
{
	return port_in(port, size);
}

/**
 * vdev_port_write() - OUT to a port, for a model
 * @port:	the port
 * @val:	the value
 * @size:	1, 2 or 4 bytes
 */
void vdev_port_write(u16 port, u64 val, unsigned int size)
{
	port_out(port, val, size);
}

/**
 * vdev_config_read16() - read 16 bits of a device's configuration space
 * @d:		the device
 * @off:	even byte offset, below 256
 *
 * Through its ECAM page, or else a configuration cycle on the ports after
 * which the OS's address latch is written back.  Called with the device
 * lock held (the OS's cycles on the ports take it too while a device is
 * virtualized; before, all other CPUs are held).
 *
 * Return: the value.
 */
u16 vdev_config_read16(const struct vdev *d, unsigned int off)
{
	u16 val;

	if (d->info.ecam_pa)
		return (u16)vdev_mmio_read(d->info.ecam_pa + off, 2);
	port_out(PCI_CONFIG_ADDRESS, 1U << 31 | d->info.bdf << 8 | (off & 0xfc),
		 4);
	val = (u16)port_in(PCI_CONFIG_DATA + (off & 2), 2);
	port_out(PCI_CONFIG_ADDRESS, config_address, 4);
	return val;
}

static struct vdev *config_target(u32 addr)
{
	unsigned int bdf = (addr >> 8) & 0xffff;

	if (!(addr & (1U << 31)))
		return NULL;
	for (unsigned int i = 0; i < nr_devs; i++)
		if (devs[i].state != VDEV_NATIVE && devs[i].info.bdf == bdf)
			return &devs[i];
	return NULL;
}

/* An access to a model's ports: it completes, or is held (@a->retry). */
static void port_access(struct port_trap *pt, struct access *a)
{
	pt->dev->stats.traps[TRAP_PORT]++;
	pt->dev->ops->port(pt->dev, (u16)a->gpa - pt->port, a);
}

/**
 * vdev_handle_io() - a trapped port access (the PCI configuration ports,
 * a device's I/O BAR)
 * @v:		the exiting CPU
 * @port:	first port
 * @size:	1, 2 or 4 bytes
 * @in:		a read (else a write)
 * @val:	value written, or set to the value read
 *
 * Configuration cycles to a virtualized device go through its model, and
 * so do accesses to the ports a model took (vdev_port_trap_add());
 * everything else goes straight to the hardware.
 *
 * Return: true when the access completed; false when it could not be held
 * (the hold log is full): the CPU must run the instruction again.
 */
bool vdev_handle_io(struct vcpu *v, u16 port, unsigned int size, bool in,
		    u64 *val)
{
	struct vdev *d = NULL;
	struct port_trap *pt;
	struct access a;

	(void)v;
	spin_lock(&vdev_lock);
	pt = port_trap_find(port);
	if (pt) {
		a.gpa = port;
		a.size = size;
		a.write = !in;
		a.val = in ? 0 : *val;
		a.kind = TRAP_PORT;
		a.retry = false;
		port_access(pt, &a);
		spin_unlock(&vdev_lock);
		if (in && !a.retry)
			*val = a.val;
		return !a.retry;
	}
	if (port == PCI_CONFIG_ADDRESS && size == 4 && !in)
		config_address = (u32)*val;
	if (port >= PCI_CONFIG_DATA && port + size <= PCI_CONFIG_DATA + 4)
		d = config_target(config_address);
	if (d) {
		a.gpa = (config_address & ~3U) | (port & 3);
		a.size = size;
		a.write = !in;
		a.val = in ? 0 : *val;
		a.kind = TRAP_CONFIG_IO;
		a.retry = false;
		d->stats.traps[TRAP_CONFIG_IO]++;
		if (!in && d->ops->config(d, (a.gpa & 0xff), &a)) {
			spin_unlock(&vdev_lock);
			return !a.retry;
		}
	}
	if (in)
		*val = port_in(port, size);
	else
		port_out(port, *val, size);
	spin_unlock(&vdev_lock);
	return true;
}

static void replay(const struct access *a)
{
	if (a->kind == TRAP_CONFIG_IO) {
		port_out(PCI_CONFIG_ADDRESS, a->gpa & ~3ULL, 4);
		port_out(PCI_CONFIG_DATA + (a->gpa & 3), a->val, a->size);
		return;
	}
	if (a->kind == TRAP_PORT) {
		port_out((u16)a->gpa, a->val, a->size);
		return;
	}
	/* To the real memory or register, not the OS's shadow. */
	vdev_mmio_write(a->gpa, a->val, a->size);
}

static struct vdev *dev_get(u64 id)
{
	return id < nr_devs ? &devs[id] : NULL;
}

static bool buffer_ok(u64 pa, u64 size)
{
	return pa && !(pa & 7) && vmm_reaches(pa, size) &&
	       !vmm_owns_range(pa, size);
}

extern const struct vdev_ops *const __vdev_models_start[],
	*const __vdev_models_end[];

/* The registered model (VDEV_MODEL()) that serves @model, or NULL. */
static const struct vdev_ops *find_model(unsigned int model)
{
	const struct vdev_ops *const *m;

	for (m = __vdev_models_start; m < __vdev_models_end; m++)
		if ((*m)->model == model)
			return *m;
	return NULL;
}

static u64 dev_attach(u64 info_pa)
{
	struct vdev *d;
	u64 pa;
	int ret;

	if (!buffer_ok(info_pa, sizeof(d->info)))
		return RTVIRT_HC_EINVAL;
	if (nr_devs == RTVIRT_VMM_MAX_DEVICES)
		return RTVIRT_HC_ENOMEM;
	d = &devs[nr_devs];
	memset(d, 0, sizeof(*d));
	memcpy(&d->info, (const void *)info_pa, sizeof(d->info));
	d->ops = find_model(d->info.model);
	if (!d->ops)
		return RTVIRT_HC_EOPNOTSUPP;
	ret = vdev_regs_ok(&d->info);
	if (!ret)
		ret = vmm_io_map(d->info.bar_pa, d->info.bar_size);
	if (!ret && d->info.ecam_pa)
		ret = vmm_io_map(d->info.ecam_pa, PT_PAGE_SIZE);
	if (ret)
		return (u64)(s64)ret;
	d->log = vmm_alloc_pages((VDEV_LOG_MAX * sizeof(struct access) +
				  PT_PAGE_SIZE - 1) / PT_PAGE_SIZE, &pa);
	d->trace = vmm_alloc_pages((RTVIRT_VMM_TRACE_RING *
				    sizeof(*d->trace) + PT_PAGE_SIZE - 1) /
				   PT_PAGE_SIZE, &pa);
	if (!d->log || !d->trace)
		return RTVIRT_HC_ENOMEM;
	ret = d->ops->attach(d);
	if (ret)
		return (u64)(s64)ret;
	/* vdev_interrupt() reads the devices without the lock. */
	__atomic_store_n(&nr_devs, nr_devs + 1, __ATOMIC_RELEASE);
	return nr_devs - 1;
}

static u64 dev_commence(struct vdev *d, u64 pa, u64 len)
{
	int ret;

	if (d->state != VDEV_NATIVE)
		return RTVIRT_HC_EBUSY;
	d->state = VDEV_VIRTUALIZING;
	ret = d->ops->commence(d, pa, len);
	if (ret) {
		vdev_traps_remove(d);
		d->state = VDEV_NATIVE;
		return (u64)(s64)ret;
	}
	d->state = VDEV_VIRTUALIZED;
	d->handback_wanted = false;
	d->stats.virtualizations++;
	return 0;
}

static u64 dev_handback(struct vdev *d, u64 step, u64 state_pa)
{
	unsigned int n;
	u64 stall;

	switch (step) {
	case RTVIRT_HB_BEGIN:
		if (d->state != VDEV_VIRTUALIZED)
			return RTVIRT_HC_EBUSY;
		d->state = VDEV_DEVIRTUALIZING;
		if (!d->holding) {	/* else held since the OS asked */
			d->holding = true;
			d->log_len = 0;
			d->hold_start = rdtsc();
		}
		return 0;
	case RTVIRT_HB_DRAIN:
		if (d->state != VDEV_DEVIRTUALIZING)
			return RTVIRT_HC_EBUSY;
		d->ops->poll(d);
		if (d->log_len == VDEV_LOG_MAX)
			return RTVIRT_HC_EBUSY;
		return d->ops->drained(d);
	case RTVIRT_HB_FINISH:
		if (d->state != VDEV_DEVIRTUALIZING || !d->ops->drained(d))
			return RTVIRT_HC_EBUSY;
		d->ops->handback(d, state_pa);
		/*
		 * Replay while the traps still hold the OS back: once they are
		 * gone its next write goes straight to the device and must not
		 * be overtaken by an older held one.
		 */
		for (n = 0; n < d->log_len; n++)
			replay(&d->log[n]);
		d->ops->handed_back(d);
		vdev_traps_remove(d);
		d->stats.replayed += d->log_len;
		d->log_len = 0;
		d->holding = false;
		d->handback_wanted = false;
		d->state = VDEV_NATIVE;
		stall = vdev_ns(d, rdtsc() - d->hold_start);
		d->stats.last_stall_ns = stall;
		if (stall > d->stats.max_stall_ns)
			d->stats.max_stall_ns = stall;
		d->stats.devirtualizations++;
		return 0;
	case RTVIRT_HB_ABORT:
		if (d->state != VDEV_DEVIRTUALIZING)
			return RTVIRT_HC_EBUSY;
		d->state = VDEV_VIRTUALIZED;
		d->holding = false;
		d->stats.handback_retries++;
		/*
		 * What the model held itself comes first; then the held
		 * accesses run through the model in order, and an access that
		 * asks for a hand-back is held (and logged) again.
		 */
		d->ops->resume(d);
		n = d->log_len;
		d->log_len = 0;
		for (unsigned int i = 0; i < n; i++) {
			struct access a = d->log[i];
			struct trap *t = a.kind == TRAP_CONFIG_IO ||
					 a.kind == TRAP_PORT ? NULL :
					 trap_find(a.gpa);
			struct port_trap *pt = a.kind == TRAP_PORT ?
					       port_trap_find((u16)a.gpa) :
					       NULL;

			if (pt)
				port_access(pt, &a);
			else if (t && t->kind == TRAP_CONFIG_MMIO)
				config_mmio_access(d, t, &a);
			else if (t)
				d->ops->access(d, t, &a);
			else
				replay(&a);
		}
		d->ops->poll(d);
		return 0;
	default:
		return RTVIRT_HC_EINVAL;
	}
}

static u64 dev_trace(struct vdev *d, u64 pa, u64 size)
{
	struct rtvirt_vmm_trace *out = (struct rtvirt_vmm_trace *)pa;
	u64 head = __builtin_offsetof(struct rtvirt_vmm_trace, entries);
	u64 cap, have, first;

	if (size < head || !buffer_ok(pa, size))
		return RTVIRT_HC_EINVAL;
	cap = (size - head) / sizeof(struct rtvirt_vmm_trace_entry);
	spin_lock(&d->trace_lock);
	have = d->trace_seq < RTVIRT_VMM_TRACE_RING ? d->trace_seq :
	       RTVIRT_VMM_TRACE_RING;
	if (have > cap)
		have = cap;
	first = d->trace_seq - have;
	for (u64 i = 0; i < have; i++)
		out->entries[i] = d->trace[(first + i) % RTVIRT_VMM_TRACE_RING];
	spin_unlock(&d->trace_lock);
	out->count = have;
	out->dropped = first;
	return have;
}

static u64 canary_op(u64 op)
{
	u64 pa;

	if (!canary) {
		canary = vmm_alloc_pages(1, &pa);
		if (!canary)
			return RTVIRT_HC_ENOMEM;
		canary_pa = pa;
		for (unsigned int i = 0; i < PT_PAGE_SIZE / 8; i++)
			canary[i] = CANARY_PATTERN ^ i;
	}
	if (op == 0)
		return canary_pa;
	for (unsigned int i = 0; i < PT_PAGE_SIZE / 8; i++)
		if (canary[i] != (CANARY_PATTERN ^ i))
			return 0;
	return 1;
}

/**
 * vdev_hypercall() - the device hypercalls (RTVIRT_HC_FLUSH to _CANARY, and
 * RTVIRT_HC_DEV_CAPTURE)
 * @v:		the calling CPU
 * @nr:		hypercall number
 * @a0:		RBX
 * @a1:		RCX
 * @a2:		RDX
 *
 * Return: the value for the guest's RAX.
 */
u64 vdev_hypercall(struct vcpu *v, u64 nr, u64 a0, u64 a1, u64 a2)
{
	struct rtvirt_vmm_inject inj;
	struct vdev *d = NULL;
	u64 ret;

	if (nr == RTVIRT_HC_FLUSH) {
		spin_lock(&vdev_lock);
		vmm_arch->refresh(v);
		spin_unlock(&vdev_lock);
		vmm_arch->flush_tlb(v);
		return 0;
	}
	spin_lock(&vdev_lock);
	if (nr != RTVIRT_HC_DEV_ATTACH && nr != RTVIRT_HC_CANARY) {
		d = dev_get(a0);
		if (!d) {
			spin_unlock(&vdev_lock);
			return RTVIRT_HC_ENODEV;
		}
	}
	switch (nr) {
	case RTVIRT_HC_DEV_ATTACH:
		ret = dev_attach(a0);
		break;
	case RTVIRT_HC_DEV_COMMENCE:
		ret = dev_commence(d, a1, a2);
		break;
	case RTVIRT_HC_DEV_HANDBACK:
		ret = dev_handback(d, a1, a2);
		break;
	case RTVIRT_HC_DEV_POLL:
		ret = 0;
		if (d->state == VDEV_VIRTUALIZED) {
			d->ops->poll(d);
			ret |= RTVIRT_POLL_VIRTUALIZED;
		}
		if (d->handback_wanted)
			ret |= RTVIRT_POLL_HANDBACK;
		break;
	case RTVIRT_HC_DEV_STATS:
		if (!buffer_ok(a1, sizeof(d->stats))) {
			ret = RTVIRT_HC_EINVAL;
			break;
		}
		d->stats.state = d->state;
		memcpy((void *)a1, &d->stats, sizeof(d->stats));
		ret = 0;
		break;
	case RTVIRT_HC_DEV_TRACE:
		ret = dev_trace(d, a1, a2);
		break;
	case RTVIRT_HC_DEV_INJECT:
		if (!buffer_ok(a1, sizeof(inj))) {
			ret = RTVIRT_HC_EINVAL;
			break;
		}
		memcpy(&inj, (const void *)a1, sizeof(inj));
		ret = d->state == VDEV_VIRTUALIZED ?
		      (u64)(s64)d->ops->inject(d, &inj) : RTVIRT_HC_EBUSY;
		break;
	case RTVIRT_HC_DEV_CAPTURE:
		if (a1 && !buffer_ok(a1, a2)) {
			ret = RTVIRT_HC_EINVAL;
			break;
		}
		ret = (u64)(s64)vdev_capture_set(&d->capture, (void *)a1, a2);
		break;
	case RTVIRT_HC_CANARY:
		ret = canary_op(a0);
		break;
	default:
		ret = RTVIRT_HC_ENOSYS;
		break;
	}
	spin_unlock(&vdev_lock);
	(void)v;
	return ret;
}
