// SPDX-License-Identifier: GPL-2.0
/*
 * The log of accesses a device holds during a hand-back: filled by the
 * device models, replayed in order by the framework once the device's
 * state is restored.  A leaf: no other VMM service is used.
 */
#include <vmm/device.h>

/**
 * vdev_log() - hold an access until the hand-back replays it
 * @d:		the device
 * @a:		the access
 *
 * Nothing is dropped: when the log is full, @a->retry is set and the CPU
 * runs the instruction again later (the drain step then fails, so a
 * hand-back the module started is abandoned and the log replayed through
 * the model).
 */
void vdev_log(struct vdev *d, struct access *a)
{
	if (d->log_len == VDEV_LOG_MAX) {
		a->retry = true;
		return;
	}
	d->log[d->log_len++] = *a;
}

/**
 * vdev_hold() - the OS changed the device's mode: hold @a and what follows
 * @d:		the device
 * @a:		the access that asks for the hand-back
 *
 * The module's poll sees the request and hands the device back; @a and
 * every later change are replayed onto the device afterwards.
 */
void vdev_hold(struct vdev *d, struct access *a)
{
	if (!d->holding) {
		d->holding = true;
		d->log_len = 0;
		d->hold_start = rdtsc();
	}
	d->handback_wanted = true;
	vdev_log(d, a);
}

/**
 * vdev_log_lookup() - the newest held write to a register
 * @d:		the device
 * @gpa:	the register's address
 * @size:	the access size
 * @val:	set to the value held last, if any
 *
 * While its writes are held, the OS must read back what it wrote: a
 * driver that reads a register to modify it and writes it back after the
 * hand-back would otherwise undo its own held write.
 *
 * Return: true when a held write of @size bytes to @gpa was found.
 */
bool vdev_log_lookup(const struct vdev *d, u64 gpa, unsigned int size,
		     u64 *val)
{
	for (unsigned int i = d->log_len; i-- > 0;) {
		const struct access *a = &d->log[i];

		if (a->write && a->gpa == gpa && a->size == size &&
		    a->kind != TRAP_CONFIG_IO) {
			*val = a->val;
			return true;
		}
	}
	return false;
}
