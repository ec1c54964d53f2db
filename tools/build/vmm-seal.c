// SPDX-License-Identifier: GPL-2.0
/*
 * vmm-seal: fill in the checksum of a linked VMM image and verify it.
 *
 *	vmm-seal IMAGE IMAGE_END BSS_END ENTRY RELA_START RELA_END
 *
 * The numbers are the linked ELF's symbols __vmm_image_end, __vmm_bss_end,
 * vmm_entry_table, __vmm_rela_start and __vmm_rela_end (the image is
 * linked at 0, so they are offsets), written into the header first.
 *
 * Pads IMAGE with zeros to the size its header records (objcopy leaves out
 * trailing sections that hold no bytes, such as an empty .data), stores the
 * CRC-32 in the header, then runs
 * the same check the module runs at load time, so a malformed image fails
 * the build rather than insmod.
 */
#include <stdio.h>
#include <stdlib.h>

#include <rtvirt/common.h>
#include <rtvirt/vmm_image.h>

int main(int argc, char **argv)
{
	struct rtvirt_vmm_header hdr;
	const char *reason;
	unsigned char *image;
	FILE *f;
	long len;
	u32 crc;

	unsigned long long sym[5];

	if (argc != 7) {
		fprintf(stderr, "usage: vmm-seal IMAGE IMAGE_END BSS_END ENTRY RELA_START RELA_END\n");
		return 2;
	}
	for (int i = 0; i < 5; i++) {
		char *end;

		sym[i] = strtoull(argv[i + 2], &end, 16);
		if (*end || end == argv[i + 2]) {
			fprintf(stderr, "vmm-seal: bad number '%s'\n", argv[i + 2]);
			return 2;
		}
	}
	f = fopen(argv[1], "r+b");
	if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		perror(argv[1]);
		return 1;
	}
	if (len < RTVIRT_VMM_HDR_SIZE) {
		fprintf(stderr, "%s: too small for a VMM image\n", argv[1]);
		return 1;
	}
	image = malloc(len);
	if (!image || fread(image, 1, len, f) != (size_t)len) {
		perror(argv[1]);
		return 1;
	}
	memcpy(&hdr, image, sizeof(hdr));
	hdr.image_size = sym[0];
	hdr.bss_size = sym[1] - sym[0];
	hdr.entry_offset = sym[2];
	hdr.reloc_offset = sym[3];
	hdr.reloc_size = sym[4] - sym[3];
	memcpy(image, &hdr, sizeof(hdr));
	if (hdr.image_size < (u64)len ||
	    hdr.image_size > RTVIRT_VMM_MAX_IMAGE_SIZE) {
		fprintf(stderr, "%s: header says %llu bytes, file has %ld\n",
			argv[1], hdr.image_size, len);
		return 1;
	}
	image = realloc(image, hdr.image_size);
	if (!image) {
		perror(argv[1]);
		return 1;
	}
	memcpy(image, &hdr, sizeof(hdr));
	memset(image + len, 0, hdr.image_size - len);
	len = hdr.image_size;
	memset(image + RTVIRT_VMM_HDR_OFF_CHECKSUM, 0, 4);
	crc = rtvirt_crc32(0, image, len);
	memcpy(image + RTVIRT_VMM_HDR_OFF_CHECKSUM, &crc, 4);
	if (rtvirt_vmm_image_check(image, len, &reason)) {
		fprintf(stderr, "%s: invalid VMM image: %s\n", argv[1], reason);
		return 1;
	}
	if (fseek(f, 0, SEEK_SET) || fwrite(image, 1, len, f) != (size_t)len ||
	    fclose(f)) {
		perror(argv[1]);
		return 1;
	}
	free(image);
	return 0;
}
