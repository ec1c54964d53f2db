// SPDX-License-Identifier: GPL-2.0
/*
 * Nested page faults, and the containment of the kernel's accesses to the
 * VMM's memory, the same on every backend: the backend decodes the exit
 * and provides the primitives (&vmm_arch_ops.set_nested_root, .rflags,
 * .step, .step_taken, .inject_db, .inject_gp).
 */
#include <vmm/device.h>
#include <vmm/log.h>
#include <vmm/vmm.h>
#include <vmm/x86.h>

/* Back from the step view to the shared nested tables. */
static void unmap_stepped(struct vcpu *v)
{
	v->stepping = 0;
	memset(v->scratch, 0, PT_PAGE_SIZE);
	vmm_arch->set_nested_root(v, vmm.npt.root);
}

/* The step is over: unmap, stop intercepting #DB, the guest's TF back. */
static void stop_stepping(struct vcpu *v)
{
	unmap_stepped(v);
	vmm_arch->step(v, false);
	if (!v->guest_tf)
		*vmm_arch->rflags(v) &= ~X86_RFLAGS_TF;
}

/**
 * vcpu_step_end() - leave a step that is still armed
 * @v:	the exiting CPU
 *
 * A step left armed (its instruction faulted and the kernel went on)
 * keeps this CPU on its step view, a copy of the shared tables from when
 * the step began: back to the shared ones before a hypercall, which may
 * rely on them (RTVIRT_HC_FLUSH after a trap was added).  The stepped
 * instruction, if it runs again, faults and steps again.
 */
void vcpu_step_end(struct vcpu *v)
{
	if (v->stepping)
		stop_stepping(v);
}

/*
 * The kernel touched the VMM's memory.  Count and log it, then let that one
 * instruction complete against a zeroed scratch page instead: map the
 * scratch page at the faulting guest-physical page in this CPU's step view
 * (vcpu_view_map(): no other CPU sees it), single-step the guest on the
 * view with interrupts held off for that instruction (the backend's
 * &vmm_arch_ops.step), and go back to the shared tables at the #DB that
 * follows.  Reads see zeros, writes are discarded, and the VMM's own
 * pages are never mapped into the guest.
 */
static void contain(struct vcpu *v, const struct vcpu_exit *e)
{
	u64 rip = *vmm_arch->rip(v);
	u64 gpa = e->gpa;
	int ret;

	v->stats.denied_accesses++;
	if (__atomic_fetch_add(&vmm.denied_logged, 1, __ATOMIC_RELAXED) < 16)
		vmm_log("cpu %u: %s of VMM memory at %#llx from rip %#llx denied\n",
			v->id, e->write ? "write" : e->fetch ? "fetch" : "read",
			(unsigned long long)gpa, (unsigned long long)rip);
	/*
	 * A step still armed at another instruction never completed (the
	 * stepped instruction faulted and its context did not come back):
	 * forget its pages and start this step afresh.
	 */
	if (v->stepping && v->stepping_rip != rip)
		unmap_stepped(v);
	/*
	 * One instruction may touch several pages (MOVS: a source across a
	 * page end, a destination across another).  More than that is no
	 * instruction the kernel runs: stop stepping and refuse it.
	 */
	if (v->stepping == VCPU_STEP_PAGES) {
		vmm_log("cpu %u: one instruction touched more than %u VMM pages at rip %#llx: #GP\n",
			v->id, VCPU_STEP_PAGES, (unsigned long long)rip);
		stop_stepping(v);
		vmm_arch->inject_gp(v);
		return;
	}
	memset(v->scratch, 0, PT_PAGE_SIZE);
	ret = vcpu_view_map(v, gpa, v->scratch_pa, !v->stepping);
	if (ret) {
		vmm_log("cpu %u: no room to step the access at rip %#llx (%d): #GP\n",
			v->id, (unsigned long long)rip, ret);
		if (v->stepping)	/* else the shared tables are still on */
			stop_stepping(v);
		vmm_arch->inject_gp(v);
		return;
	}
	vmm_arch->set_nested_root(v, v->view.root);
	if (!v->stepping) {
		v->guest_tf = *vmm_arch->rflags(v) & X86_RFLAGS_TF;
		v->stepping_rip = rip;
	}
	v->stepping++;
	*vmm_arch->rflags(v) |= X86_RFLAGS_TF;
	vmm_arch->step(v, true);
}

/**
 * vcpu_npf() - a nested page fault: a device's trap or the VMM's memory
 * @v:	the exiting CPU
 * @e:	the exit (@e->gpa, @e->write, @e->fetch)
 *
 * Anything else is a VMM bug (the nested tables map all the rest), and
 * panics.
 */
void vcpu_npf(struct vcpu *v, const struct vcpu_exit *e)
{
	v->stats.exits[RTVIRT_EXIT_NPF]++;
	/*
	 * The view copied the shared tables when the step began: for any
	 * page but the VMM's, go back to them (a trap may have changed since)
	 * and handle the fault there; the stepped instruction starts over.
	 */
	if (v->stepping && !vmm_owns_pa(e->gpa))
		stop_stepping(v);
	if (vdev_handle_npf(v, e->gpa, e->write))
		return;
	if (!vmm_owns_pa(e->gpa))
		vmm_panic("cpu %u: nested page fault outside VMM memory at %#llx (exit %#llx info %#llx) rip %#llx\n",
			  v->id, (unsigned long long)e->gpa,
			  (unsigned long long)e->raw[0],
			  (unsigned long long)e->raw[1],
			  (unsigned long long)*vmm_arch->rip(v));
	contain(v, e);
}

/**
 * vcpu_debug() - a #DB the VMM intercepted: the end of a contained step
 * @v:	the exiting CPU
 *
 * The #DB is the kernel's where no step is armed, or where the kernel was
 * single-stepping itself when the step began.
 */
void vcpu_debug(struct vcpu *v)
{
	v->stats.exits[RTVIRT_EXIT_DEBUG]++;
	if (!v->stepping) {
		vmm_arch->inject_db(v);
		return;
	}
	stop_stepping(v);
	if (v->guest_tf)
		vmm_arch->inject_db(v);
	else
		vmm_arch->step_taken(v);
}
