// SPDX-License-Identifier: GPL-2.0
/*
 * The driver of every fuzz target without libFuzzer, for AFL++ or to
 * replay saved inputs: link it with one target (fuzz_*.c) instead of
 * -fsanitize=fuzzer.  Each file named on the command line (or standard
 * input) is one input, up to 1 MiB, run once.
 */
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t buf[1 << 20];

static void run_file(FILE *f)
{
	size_t n = fread(buf, 1, sizeof(buf), f);

	LLVMFuzzerTestOneInput(buf, n);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		run_file(stdin);
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");

		if (!f) {
			perror(argv[i]);
			return 1;
		}
		run_file(f);
		fclose(f);
	}
	return 0;
}
