// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target for the VMM's instruction decoder (MMIO accesses, and the
 * length of an intercepted CPUID, RDMSR, WRMSR or VMMCALL with prefixes):
 * the bytes at a trapped guest RIP are guest-controlled input.
 *
 * libFuzzer:	clang -g -O1 -fsanitize=fuzzer,address,undefined \
 *			-Isrc/vmm/include -Iinclude \
 *			tools/testing/fuzz/fuzz_decode.c src/vmm/arch/x86/decode.c
 * AFL++ or a replay of saved inputs: build with any compiler, with
 * tools/testing/fuzz/standalone.c in place of -fsanitize=fuzzer; it runs
 * each file named on its command line (or standard input) once.
 *
 * Beyond the sanitizers it checks the decoder's contract: it stays within
 * its input, its result is self-consistent, and truncation is exact.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vmm/decode.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mmio_insn a, b;
	uint8_t *copy;
	int ret;

	/* An exact-size copy, so that any read past the end is caught. */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	ret = decode_mmio(copy, size, &a);
	if (ret && ret != -22 && ret != -61)
		abort();
	if (!ret && (a.len > size || a.len > INSN_MAX_LEN || a.reg > 15 ||
		     (a.size != 1 && a.size != 2 && a.size != 4 && a.size != 8) ||
		     decode_mmio(copy, a.len, &b) || b.len != a.len ||
		     decode_mmio(copy, a.len - 1, &b) != -61))
		abort();
	{
		static const uint8_t vmmcall[] = { 0x0f, 0x01, 0xd9 };
		int len = decode_insn_len(copy, size, vmmcall, sizeof(vmmcall));

		if (len > 0 && (len > (int)size || len > INSN_MAX_LEN ||
				len < (int)sizeof(vmmcall) ||
				memcmp(copy + len - 3, vmmcall, 3) ||
				decode_insn_len(copy, len - 1, vmmcall,
						sizeof(vmmcall)) != -61))
			abort();
	}
	free(copy);
	return 0;
}
