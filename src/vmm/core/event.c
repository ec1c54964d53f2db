// SPDX-License-Identifier: GPL-2.0
/*
 * The events the VMM holds for the kernel, the same on every backend: the
 * backend says what an entry injects and encodes what the core chooses
 * (&vmm_arch_ops.event, .inject).
 */
#include <vmm/device.h>
#include <vmm/vmm.h>
#include <vmm/x86.h>

/*
 * Accept the physical interrupt that exited through the VMM's IDT, in the
 * backend's window of one instruction boundary (&vmm_arch_ops.
 * take_interrupt), one at a time and only while the backend has room to
 * hold it for the kernel (&vmm_arch_ops.irq_room; else it stays pending
 * and exits again).  An NMI can come in the window, or in the accepted
 * interrupt's handler: vmm_exception() sees v->irq_window and sets
 * v->nmi_pending.
 */
static u32 accept_interrupt(struct vcpu *v)
{
	u32 taken;

	if (!vmm_arch->irq_room(v))
		return 0;
	WRITE_ONCE(v->irq_window, true);
	taken = vmm_arch->take_interrupt();
	WRITE_ONCE(v->irq_window, false);
	return taken;
}

/**
 * vcpu_interrupt() - a physical interrupt exited (a device is virtualized)
 * @v:	the exiting CPU
 *
 * The VMM accepts it (accept_interrupt()), the device models post what
 * their devices completed, then the kernel gets it.  One exit per
 * interrupt: the kernel's handler then reads its completions without any.
 */
void vcpu_interrupt(struct vcpu *v)
{
	u32 taken;

	v->stats.exits[RTVIRT_EXIT_INTR]++;
	taken = accept_interrupt(v);
	vdev_interrupt();
	if (taken & VMM_IRQ_TAKEN)
		vmm_arch->inject(v, VCPU_EVENT_INTR, taken & VMM_IRQ_VECTOR);
}

/**
 * vcpu_nmi() - an NMI for the kernel exited (the backend intercepts NMIs)
 * @v:	the exiting CPU
 *
 * It is held like one the interrupt window caught: vcpu_finish_events()
 * puts it in at the first entry that injects nothing else, and the
 * backend makes that entry wait while the kernel still handles an NMI.
 */
void vcpu_nmi(struct vcpu *v)
{
	v->stats.exits[RTVIRT_EXIT_NMI]++;
	v->nmi_pending = true;
}

/**
 * vcpu_finish_events() - choose what the next entry injects
 * @v:	the exiting CPU, its exit handled
 *
 * What the VMM holds for the kernel goes in when this entry injects
 * nothing else: a machine check the VMM took (machine_check() in
 * core/main.c), an NMI the interrupt window caught or an exception
 * displaced, then an interrupt an exception displaced.  The machine check
 * displaces an NMI or interrupt this entry would deliver (it waits in the
 * VMM as a displaced one); an exception or software interrupt it does not.
 */
void vcpu_finish_events(struct vcpu *v)
{
	u8 vector;
	enum vcpu_event ev = vmm_arch->event(v, &vector);

	if (READ_ONCE(v->mce_pending)) {
		if (ev == VCPU_EVENT_NMI && !v->nmi_pending) {
			v->nmi_pending = true;
			ev = VCPU_EVENT_NONE;
		} else if (ev == VCPU_EVENT_INTR && !v->held_irq) {
			v->held_irq = VCPU_HELD_IRQ | vector;
			ev = VCPU_EVENT_NONE;
		}
	}
	if (ev != VCPU_EVENT_NONE)
		return;
	if (READ_ONCE(v->mce_pending)) {
		vmm_arch->inject(v, VCPU_EVENT_MC, X86_TRAP_MC);
		WRITE_ONCE(v->mce_pending, false);
	} else if (v->nmi_pending) {
		vmm_arch->inject(v, VCPU_EVENT_NMI, X86_TRAP_NMI);
		v->nmi_pending = false;
	} else if (v->held_irq) {
		vmm_arch->inject(v, VCPU_EVENT_INTR, v->held_irq & 0xff);
		v->held_irq = 0;
	}
}
