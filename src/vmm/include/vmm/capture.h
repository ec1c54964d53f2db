/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Frame capture of a virtualized NIC: the model hands each frame it sees
 * (given to the NIC, or received) to the device's capture, which writes
 * it into the ring the module gave (struct rtvirt_vmm_capture_ring, in
 * the OS's memory).  A frame is written whole or not at all: a full ring
 * counts it as dropped, and the OS never waits for the capture.
 */
#ifndef _VMM_CAPTURE_H
#define _VMM_CAPTURE_H

#include <rtvirt/vmm_abi.h>
#include <vmm/types.h>

/**
 * struct vdev_capture - one device's capture
 * @ring:	the module's ring, or NULL when not capturing
 * @size:	bytes of its data area
 * @head:	the VMM's own count of bytes written (the ring's @head is
 *		only ever written from it, never read back)
 * @snaplen:	bytes kept of each frame
 * @frames:	frames written (the ring's @frames is written from it)
 * @dropped:	frames not written for want of room (likewise)
 * @lock:	serialises the above and the record being written
 * @pos:	the record being written: where its bytes go next
 * @left:	bytes of it still to come
 * @end:	@head once it is whole
 */
struct vdev_capture {
	struct rtvirt_vmm_capture_ring *ring;
	u64 size;
	u64 head;
	u32 snaplen;
	u64 frames;
	u64 dropped;
	int lock;
	u64 pos;
	u32 left;
	u64 end;
};

int vdev_capture_set(struct vdev_capture *c, void *ring, u64 bytes);
bool vdev_capture_on(const struct vdev_capture *c);
bool vdev_capture_begin(struct vdev_capture *c, unsigned int dir, u32 len,
			u64 tsc);
void vdev_capture_add(struct vdev_capture *c, const void *src, u32 len);
void vdev_capture_end(struct vdev_capture *c);

#endif /* _VMM_CAPTURE_H */
