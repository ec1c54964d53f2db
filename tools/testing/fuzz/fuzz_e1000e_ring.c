// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target for the e1000e model's descriptor rings: the descriptors
 * the OS writes into its transmit and receive rings, the tails it gives,
 * and what the controller writes back are all outside the VMM's control.
 *
 * libFuzzer:	clang -g -O1 -fsanitize=fuzzer,address,undefined \
 *			-Isrc/vmm/include -Iinclude \
 *			tools/testing/fuzz/fuzz_e1000e_ring.c \
 *			src/vmm/dev/e1000e/e1000e_ring.c
 * AFL++ or a replay of saved inputs: with tools/testing/fuzz/standalone.c
 * in place of -fsanitize=fuzzer.
 *
 * Input: 1 byte of ring size (8 to 256 descriptors), then the OS's ring
 * (16 bytes per descriptor), then commands of 2 bytes: a tail to post or
 * a slot for the fake controller to write back.  Beyond the sanitizers it
 * checks the model's promise: no descriptor in the shadow ring gives the
 * controller a buffer in the VMM's memory, and positions stay in the ring.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <vmm/e1000e_ring.h>

#define VMM_START	0x40000000ULL
#define VMM_END		0x40200000ULL
#define SINK		(VMM_START + 0x1000)
#define MAX		256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool mem_ok(u64 pa, u64 len)
{
	return pa && pa + len > pa && (pa + len <= VMM_START || pa >= VMM_END);
}

static const struct e1000_check check_ = {
	.mem_ok = mem_ok, .sink_pa = SINK, .sink_len = 16384,
};

static bool in_vmm(u64 pa, u64 len)
{
	return pa < VMM_END && pa + len > VMM_START;
}

/* Whether the controller could reach the VMM through shadow slot @i. */
static bool tx_bad(const struct e1000_tx_desc *d)
{
	u32 len;

	if (d->lower & E1000_TXD_CMD_DEXT) {
		if (E1000_TXD_DTYP(d->lower) == E1000_TXD_DTYP_CTX)
			return false;
		len = E1000_TXD_EXT_LEN(d->lower);
	} else {
		len = E1000_TXD_LEGACY_LEN(d->lower);
	}
	return len && d->addr != SINK && in_vmm(d->addr, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct e1000_tx_desc os_tx[MAX], sh_tx[MAX];
	static struct e1000_rx_desc os_rx[MAX], sh_rx[MAX];
	static u8 ref_tx[MAX], ref_rx[MAX];
	struct e1000_ring tx = { .shadow = sh_tx, .cap = MAX, .refused = ref_tx };
	struct e1000_ring rx = { .shadow = sh_rx, .cap = MAX, .refused = ref_rx };
	struct e1000_counts n = { 0 };
	u32 count, bytes;

	if (size < 1)
		return 0;
	count = 8 + data[0] % (MAX - 7);
	count &= ~7U;		/* lengths are multiples of 128 bytes */
	data++;
	size--;
	bytes = count * 16;
	memset(os_tx, 0, sizeof(os_tx));
	memset(os_rx, 0, sizeof(os_rx));
	memset(sh_tx, 0, sizeof(sh_tx));
	memset(sh_rx, 0, sizeof(sh_rx));
	memcpy(os_tx, data, size < bytes ? size : bytes);
	memcpy(os_rx, data, size < bytes ? size : bytes);
	data += size < bytes ? size : bytes;
	size -= size < bytes ? size : bytes;
	if (e1000_ring_set(&tx, os_tx, 0x100000, bytes, &check_) ||
	    e1000_ring_set(&rx, os_rx, 0x200000, bytes, &check_))
		abort();
	tx.live = rx.live = true;
	for (; size >= 2; data += 2, size -= 2) {
		u32 v = data[1] % (MAX + 8);

		switch (data[0] & 3) {
		case 0:
			e1000_tx_post(&tx, v, &check_, &n);
			break;
		case 1:
			e1000_rx_post(&rx, v, 1U << (8 + data[0] % 7), &check_,
				      &n);
			break;
		case 2:		/* the controller completes a slot */
			if (v < count) {
				sh_tx[v].upper |= E1000_TXD_STAT_DD;
				sh_rx[v].wb = data[0];
			}
			e1000_tx_complete(&tx);
			break;
		default:
			/* any stop, as a held frame's slot would be */
			e1000_rx_complete(&rx, data[0] & 4,
					  data[0] & 8 ? v : rx.tail, &n);
			break;
		}
		if (tx.tail >= count || tx.done >= count ||
		    rx.tail >= count || rx.done >= count)
			abort();
		for (u32 i = 0; i < count; i++)
			if (tx_bad(&sh_tx[i]) ||
			    (sh_rx[i].addr != SINK &&
			     in_vmm(sh_rx[i].addr, 256)))
				abort();
	}
	return 0;
}
