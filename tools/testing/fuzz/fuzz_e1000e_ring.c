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
 * Input: 1 byte of ring size (8 to 256 descriptors; its low bit makes the
 * receive ring packet split, 32-byte descriptors), then the OS's ring (16
 * bytes per descriptor), then commands of 2 bytes: a tail to post or a
 * slot for the fake controller to write back.  Beyond the sanitizers it
 * checks the model's promise: no descriptor in the shadow ring gives the
 * controller a buffer in the VMM's memory (of a packet-split one, none of
 * its four buffers until it is written back), and positions stay in the
 * ring.
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
	static u8 ref_tx[MAX], ref_rx[MAX], written[MAX];
	struct e1000_ring tx = { .shadow = sh_tx, .cap = MAX, .refused = ref_tx };
	struct e1000_ring rx = { .shadow = sh_rx, .cap = MAX, .refused = ref_rx };
	struct e1000_counts n = { 0 };
	u32 count, bytes, rx_count, old;
	bool ps;

	if (size < 1)
		return 0;
	ps = data[0] & 1;
	count = 8 + data[0] % (MAX - 7);
	count &= ~7U;		/* lengths are multiples of 128 bytes */
	data++;
	size--;
	bytes = count * 16;
	memset(os_tx, 0, sizeof(os_tx));
	memset(os_rx, 0, sizeof(os_rx));
	memset(sh_tx, 0, sizeof(sh_tx));
	memset(sh_rx, 0, sizeof(sh_rx));
	memset(written, 0, sizeof(written));
	memcpy(os_tx, data, size < bytes ? size : bytes);
	memcpy(os_rx, data, size < bytes ? size : bytes);
	data += size < bytes ? size : bytes;
	size -= size < bytes ? size : bytes;
	if (e1000_ring_set(&tx, os_tx, 0x100000, bytes, 16, &check_) ||
	    e1000_ring_set(&rx, os_rx, 0x200000, bytes,
			   ps ? E1000_PS_DESC_SIZE : 16, &check_))
		abort();
	rx_count = ps ? count / 2 : count;
	if (rx.count != rx_count)
		abort();
	tx.live = rx.live = true;
	for (; size >= 2; data += 2, size -= 2) {
		u32 v = data[1] % (MAX + 8);

		switch (data[0] & 3) {
		case 0:
			e1000_tx_post(&tx, v, &check_, &n);
			break;
		case 1:
			old = rx.tail;
			if (ps) {
				/* header 128 to 1024 bytes, 1 to 3 pages */
				u32 sizes[E1000_PS_BUFFERS] = {
					128U << (data[0] >> 2 & 3), 4096,
					data[0] & 16 ? 4096 : 0,
					data[0] & 32 ? 16384 : 0,
				};

				e1000_rx_post_ps(&rx, v, sizes, &check_, &n);
			} else {
				e1000_rx_post(&rx, v, 1U << (8 + data[0] % 7),
					      &check_, &n);
			}
			for (u32 i = old; i != rx.tail; i = (i + 1) % rx_count)
				written[i] = 0;
			break;
		case 2:		/* the controller completes a slot */
			if (v < count)
				sh_tx[v].upper |= E1000_TXD_STAT_DD;
			if (v < rx_count && ps) {
				sh_rx[2 * v].wb = data[0];
				sh_rx[2 * v + 1].addr = data[0] * 0x10001ULL;
				written[v] = 1;
			} else if (v < rx_count) {
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
		    rx.tail >= rx_count || rx.done >= rx_count)
			abort();
		for (u32 i = 0; i < count; i++)
			if (tx_bad(&sh_tx[i]) ||
			    (!ps && sh_rx[i].addr != SINK &&
			     in_vmm(sh_rx[i].addr, 256)))
				abort();
		for (u32 i = 0; ps && i < rx_count; i++) {
			const u64 a[E1000_PS_BUFFERS] = {
				sh_rx[2 * i].addr, sh_rx[2 * i].wb,
				sh_rx[2 * i + 1].addr, sh_rx[2 * i + 1].wb,
			};

			for (u32 j = 0; j < E1000_PS_BUFFERS; j++)
				if (!written[i] && a[j] != SINK &&
				    in_vmm(a[j], 1))
					abort();
			/* a status that is done before the controller wrote */
			if (!written[i] && (a[1] & E1000_RXD_STAT_DD))
				abort();
		}
	}
	return 0;
}
