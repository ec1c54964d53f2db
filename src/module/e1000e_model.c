// SPDX-License-Identifier: GPL-2.0
/*
 * The e1000e model, the module's side (struct rtvirt_model_ops).  The VMM
 * takes an 82574's descriptor rings from the controller's own registers,
 * read with every other CPU held, so there is nothing of the e1000e
 * driver's private state to read here: the takeover state is only the room
 * for the VMM's reason when it refuses.  Every register also answers
 * through the controller's I/O BAR, which the VMM traps (describe() in
 * device_virt.c gives it its ports); Linux's e1000 resets an 82540 there.
 */
#include <linux/slab.h>

#include "rtvirt.h"

static void *e1000e_alloc_state(struct rtvirt_dev *d, size_t *size)
{
	struct rtvirt_vmm_e1000e_state *s = kzalloc(sizeof(*s), GFP_KERNEL);

	if (!s)
		return ERR_PTR(-ENOMEM);
	*size = sizeof(*s);
	return s;
}


static int e1000e_read_state(struct rtvirt_dev *d, void *state, size_t size,
			     bool takeover)
{
	return 0;
}

static const char *e1000e_refusal(void *state)
{
	struct rtvirt_vmm_e1000e_state *s = state;

	s->refusal[sizeof(s->refusal) - 1] = 0;
	return s->refusal;
}

const struct rtvirt_model_ops rtvirt_e1000e_ops = {
	.model = RTVIRT_MODEL_E1000E,
	.alloc_state = e1000e_alloc_state,
	.read_state = e1000e_read_state,
	.refusal = e1000e_refusal,
	.inject = RTVIRT_INJECT_TX | RTVIRT_INJECT_RX,
	.capture = true,
};
