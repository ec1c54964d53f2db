// SPDX-License-Identifier: GPL-2.0
/*
 * memset and memcpy: the compiler may emit calls to them even in
 * freestanding code (structure copies and clears).
 */
#include <vmm/vmm.h>

void *memset(void *s, int c, size_t n)
{
	u8 *p = s;

	while (n--)
		*p++ = (u8)c;
	return s;
}

void *memcpy(void *d, const void *s, size_t n)
{
	u8 *dp = d;
	const u8 *sp = s;

	while (n--)
		*dp++ = *sp++;
	return d;
}

/**
 * spin_lock() - take a simple test-and-set lock
 * @lock:	0 when free
 */
void spin_lock(int *lock)
{
	while (__atomic_exchange_n(lock, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(lock, __ATOMIC_RELAXED))
			asm volatile("pause");
}

/**
 * spin_unlock() - release a lock taken by spin_lock()
 * @lock:	the lock
 */
void spin_unlock(int *lock)
{
	__atomic_store_n(lock, 0, __ATOMIC_RELEASE);
}
