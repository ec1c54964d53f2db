// SPDX-License-Identifier: GPL-2.0
/*
 * Hypercall dispatch (arch-neutral): the backend has checked that the
 * caller runs in ring 0 and hands over the number and first argument.
 */
#include <rtvirt/vmm_image.h>
#include <vmm/device.h>
#include <vmm/log.h>
#include <vmm/vmm.h>

/**
 * hypercall_dispatch() - run one hypercall
 * @v:		the calling CPU
 * @nr:		RTVIRT_HC_* number
 * @a0:		first argument
 * @leave:	set when the CPU must return to native execution
 *
 * Return: the value for the guest's RAX.
 */
u64 hypercall_dispatch(struct vcpu *v, u64 nr, u64 a0, bool *leave)
{
	switch (nr) {
	case RTVIRT_HC_PING:
		v->regs.rbx = v->id;
		v->regs.rcx = vmm.boot.generation;
		v->regs.rdx = RTVIRT_VMM_VERSION;
		return RTVIRT_HC_PING_MAGIC;
	case RTVIRT_HC_STATS:
		/* a0: physical address of the caller's buffer. */
		if ((a0 & 7) || !vmm_reaches(a0, sizeof(v->stats)) ||
		    vmm_owns_range(a0, sizeof(v->stats)))
			return RTVIRT_HC_EINVAL;
		memcpy((void *)a0, &v->stats, sizeof(v->stats));
		return 0;
	case RTVIRT_HC_UNLAUNCH:
		*leave = true;
		return 0;
	case RTVIRT_HC_PANIC_TEST:
		vmm_panic("cpu %u: panic requested by the module (test)\n",
			  v->id);
	case RTVIRT_HC_MCE_TEST:
		if (a0 > 1)
			return RTVIRT_HC_EINVAL;
		return vmm_machine_check_test(a0);
	case RTVIRT_HC_FLUSH ... RTVIRT_HC_CANARY:
	case RTVIRT_HC_DEV_CAPTURE:
		return vdev_hypercall(v, nr, a0, v->regs.rcx, v->regs.rdx);
	default:
		return RTVIRT_HC_ENOSYS;
	}
}
