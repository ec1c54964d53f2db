// SPDX-License-Identifier: GPL-2.0
/*
 * Frame capture into the module's ring.  The ring is the OS's memory: the
 * VMM reads only its tail (once per frame, checked) and the snap length
 * (once, when the ring is given); everything else it keeps itself and
 * only writes out, so a kernel that scribbles on the ring loses its own
 * capture and nothing else.
 */
#include <vmm/capture.h>
#include <vmm/vmm.h>

#define REC_BYTES	sizeof(struct rtvirt_vmm_capture_rec)
#define SNAPLEN_MIN	64U

/* Copy @n bytes to the data area at byte @pos of the record stream. */
static void put(struct vdev_capture *c, u64 pos, const void *src, u64 n)
{
	u64 off = pos % c->size, first = n < c->size - off ? n : c->size - off;

	memcpy(c->ring->data + off, src, first);
	if (n > first)
		memcpy(c->ring->data, (const u8 *)src + first, n - first);
}

static void zero(struct vdev_capture *c, u64 pos, u64 n)
{
	static const u8 zeros[8];

	while (n) {
		u64 k = n < sizeof(zeros) ? n : sizeof(zeros);

		put(c, pos, zeros, k);
		pos += k;
		n -= k;
	}
}

/**
 * vdev_capture_set() - start or stop a device's capture
 * @c:		the capture
 * @ring:	the module's ring (the caller checked that it is the OS's
 *		memory), or NULL to stop
 * @bytes:	its size, header included
 *
 * A ring given again (after a relaunch) goes on where its @head stands,
 * unless that is not a position the tail allows; then it starts at the
 * tail.  Once this returns with @ring NULL, the VMM writes no more into
 * the old ring.
 *
 * Return: 0, or ERR_INVAL for a size out of range or not a multiple of 8.
 */
int vdev_capture_set(struct vdev_capture *c, void *ring, u64 bytes)
{
	struct rtvirt_vmm_capture_ring *r = ring;
	u64 head, tail, size;
	u32 snaplen;

	if (r && (bytes < RTVIRT_VMM_CAPTURE_MIN ||
		  bytes > RTVIRT_VMM_CAPTURE_MAX || bytes % 8))
		return ERR_INVAL;
	spin_lock(&c->lock);
	c->ring = NULL;
	if (r) {
		size = bytes - __builtin_offsetof(typeof(*r), data);
		head = __atomic_load_n(&r->head, __ATOMIC_RELAXED);
		tail = __atomic_load_n(&r->tail, __ATOMIC_RELAXED);
		snaplen = __atomic_load_n(&r->snaplen, __ATOMIC_RELAXED);
		if (head < tail || head - tail > size || head % 8)
			head = tail & ~7ULL;
		if (snaplen < SNAPLEN_MIN)
			snaplen = SNAPLEN_MIN;
		if (snaplen > RTVIRT_VMM_CAPTURE_SNAPLEN)
			snaplen = RTVIRT_VMM_CAPTURE_SNAPLEN;
		c->size = size;
		c->head = head;
		c->snaplen = snaplen;
		c->frames = __atomic_load_n(&r->frames, __ATOMIC_RELAXED);
		c->dropped = __atomic_load_n(&r->dropped, __ATOMIC_RELAXED);
		__atomic_store_n(&r->head, head, __ATOMIC_RELEASE);
		c->ring = r;
	}
	spin_unlock(&c->lock);
	return 0;
}

/**
 * vdev_capture_on() - whether frames are being captured
 * @c:		the capture
 *
 * A hint for the model, which then gathers a frame's pieces; read without
 * the lock.
 *
 * Return: true if so.
 */
bool vdev_capture_on(const struct vdev_capture *c)
{
	return __atomic_load_n(&c->ring, __ATOMIC_RELAXED) != NULL;
}

/**
 * vdev_capture_begin() - start the record of one frame
 * @c:		the capture
 * @dir:	RTVIRT_VMM_CAPTURE_TX or _RX
 * @len:	the frame's length in bytes
 * @tsc:	when the VMM saw it
 *
 * On success the capture stays locked until vdev_capture_end(); the
 * caller adds the frame's bytes in order with vdev_capture_add() (the
 * first snap length of them are kept).  Without room for the whole record
 * the frame counts as dropped.
 *
 * Return: true when a record was begun.
 */
bool vdev_capture_begin(struct vdev_capture *c, unsigned int dir, u32 len,
			u64 tsc)
{
	struct rtvirt_vmm_capture_rec rec = {
		.tsc = tsc, .len = len, .dir = (u8)dir,
	};
	u64 tail, need;

	spin_lock(&c->lock);
	if (!c->ring)
		goto out;
	rec.caplen = (u16)(len < c->snaplen ? len : c->snaplen);
	need = REC_BYTES + ((rec.caplen + 7ULL) & ~7ULL);
	tail = __atomic_load_n(&c->ring->tail, __ATOMIC_ACQUIRE);
	/* A tail the module never wrote leaves no room. */
	if (tail > c->head || c->head - tail > c->size ||
	    c->size - (c->head - tail) < need) {
		c->dropped++;
		__atomic_store_n(&c->ring->dropped, c->dropped,
				 __ATOMIC_RELAXED);
		goto out;
	}
	put(c, c->head, &rec, REC_BYTES);
	c->pos = c->head + REC_BYTES;
	c->left = rec.caplen;
	c->end = c->head + need;
	return true;
out:
	spin_unlock(&c->lock);
	return false;
}

/**
 * vdev_capture_add() - the next bytes of the frame begun
 * @c:		the capture (locked by vdev_capture_begin())
 * @src:	the bytes, where the VMM reaches them; NULL for zeros (bytes
 *		the VMM does not read, such as its own sink's)
 * @len:	how many; those beyond the snap length are not kept
 */
void vdev_capture_add(struct vdev_capture *c, const void *src, u32 len)
{
	u32 n = len < c->left ? len : c->left;

	if (!n)
		return;
	if (src)
		put(c, c->pos, src, n);
	else
		zero(c, c->pos, n);
	c->pos += n;
	c->left -= n;
}

/**
 * vdev_capture_end() - publish the record begun and unlock
 * @c:		the capture (locked by vdev_capture_begin())
 *
 * Bytes the caller did not add (a frame shorter than it said) are zeros.
 */
void vdev_capture_end(struct vdev_capture *c)
{
	zero(c, c->pos, c->end - c->pos);
	c->head = c->end;
	c->frames++;
	__atomic_store_n(&c->ring->frames, c->frames, __ATOMIC_RELAXED);
	__atomic_store_n(&c->ring->head, c->head, __ATOMIC_RELEASE);
	spin_unlock(&c->lock);
}
