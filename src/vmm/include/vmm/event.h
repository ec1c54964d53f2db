/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The x86 event encoding that AMD's EVENTINJ and EXITINTINFO and Intel's
 * VM-entry, VM-exit and IDT-vectoring interruption information share
 * (AMD APM volume 2, 15.20; Intel SDM volume 3, 25.8.3): vector in bits
 * 7:0, type in bits 10:8, error code valid in bit 11, valid in bit 31
 * (SVM keeps the error code in bits 63:32, VMX in a field of its own).
 * The rule for an exception raised while another event was being
 * delivered is the architecture's, the same on both backends.
 */
#ifndef _VMM_EVENT_H
#define _VMM_EVENT_H

#include <vmm/types.h>

#define X86_EVENT_VALID			(1U << 31)
#define X86_EVENT_ERROR_CODE		(1U << 11)
#define X86_EVENT_TYPE_MASK		(7U << 8)
#define X86_EVENT_TYPE_INTR		(0U << 8)
#define X86_EVENT_TYPE_NMI		(2U << 8)
#define X86_EVENT_TYPE_EXCEPTION	(3U << 8)

#define X86_DF_VECTOR	8
#define X86_PF_VECTOR	14
/* x86_merge_exception(): a fault while #DF was being delivered. */
#define X86_MERGE_SHUTDOWN	(~0ULL)

/* #DE, #TS, #NP, #SS, #GP: the contributory exceptions. */
static inline bool x86_contributory(u64 vector)
{
	return vector == 0 || (vector >= 10 && vector <= 13);
}

/**
 * x86_merge_exception() - the event to inject when an exit handler raises
 * an exception while an event re-queued from the exit waits
 * @pending:	the re-queued event (svm_requeue_event(),
 *		vmx_requeue_event()), 0 for none
 * @exc:	the exception the handler raises (type exception)
 * @held:	set to the re-queued interrupt or NMI that must still be
 *		delivered after the exception, else to 0
 *
 * Combines them as the CPU combines a fault during an event's delivery
 * with that event: a contributory exception during the delivery of a
 * contributory exception, or a contributory exception or #PF during a
 * #PF, becomes #DF(0); any of those during #DF is a shutdown.  Otherwise
 * the new exception is delivered: a fault that was being delivered comes
 * again when its instruction runs again, and an interrupt or NMI, which
 * nothing would deliver again (it was acknowledged), is handed back in
 * @held.
 *
 * Return: the event to inject, or X86_MERGE_SHUTDOWN.
 */
static inline u64 x86_merge_exception(u64 pending, u64 exc, u64 *held)
{
	u64 old = pending & 0xff, new = exc & 0xff;
	bool new_serious = x86_contributory(new) || new == X86_PF_VECTOR;

	*held = 0;
	if (!(pending & X86_EVENT_VALID))
		return exc;
	switch (pending & X86_EVENT_TYPE_MASK) {
	case X86_EVENT_TYPE_INTR:
	case X86_EVENT_TYPE_NMI:
		*held = pending;
		return exc;
	case X86_EVENT_TYPE_EXCEPTION:
		if (old == X86_DF_VECTOR && new_serious)
			return X86_MERGE_SHUTDOWN;
		if ((x86_contributory(old) && x86_contributory(new)) ||
		    (old == X86_PF_VECTOR && new_serious))
			return X86_DF_VECTOR | X86_EVENT_TYPE_EXCEPTION |
			       X86_EVENT_ERROR_CODE | X86_EVENT_VALID;
		return exc;
	default:
		return exc;
	}
}

#endif /* _VMM_EVENT_H */
