// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for src/common/: device matching, the sysfs 0/1 parser,
 * CRC-32, the VMM image check (on synthetic images and on the image the
 * build produced, whose path is given as the first argument) and the VMM's
 * memory size.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include <rtvirt/common.h>
#include <rtvirt/vmm_abi.h>
#include <rtvirt/vmm_image.h>

static const char *built_image_path;

/* --- device matching ---------------------------------------------------- */

START_TEST(match_nvme_by_class)
{
	ck_assert_int_eq(rtvirt_match_device(0x1b36, 0x0010, 0x010802),
			 RTVIRT_MODEL_NVME);
	ck_assert_int_eq(rtvirt_match_device(0x144d, 0xa808, 0x010802),
			 RTVIRT_MODEL_NVME);
	/* Other mass-storage classes are not NVMe. */
	ck_assert_int_eq(rtvirt_match_device(0x8086, 0x2922, 0x010601),
			 RTVIRT_MODEL_NONE);
	ck_assert_int_eq(rtvirt_match_device(0x1b36, 0x0010, 0x010801),
			 RTVIRT_MODEL_NONE);
	/* Bits above the 24-bit class code are ignored. */
	ck_assert_int_eq(rtvirt_match_device(0x1b36, 0x0010, 0xff010802),
			 RTVIRT_MODEL_NVME);
}
END_TEST

START_TEST(match_e1000e_by_id)
{
	ck_assert_int_eq(rtvirt_match_device(0x8086, 0x10d3, 0x020000),
			 RTVIRT_MODEL_E1000E);
	ck_assert_int_eq(rtvirt_match_device(0x8086, 0x10f6, 0x020000),
			 RTVIRT_MODEL_E1000E);
	ck_assert_int_eq(rtvirt_match_device(0x8086, 0x150c, 0x020000),
			 RTVIRT_MODEL_E1000E);
	/* The 82540EM (e1000): its interface is the 82574's subset. */
	ck_assert_int_eq(rtvirt_match_device(0x8086, 0x100e, 0x020000),
			 RTVIRT_MODEL_E1000E);
	/* An 82545EM (not listed), other vendor with the same ID, bridge. */
	ck_assert_int_eq(rtvirt_match_device(0x8086, 0x100f, 0x020000),
			 RTVIRT_MODEL_NONE);
	ck_assert_int_eq(rtvirt_match_device(0x10ec, 0x10d3, 0x020000),
			 RTVIRT_MODEL_NONE);
	ck_assert_int_eq(rtvirt_match_device(0x8086, 0x29c0, 0x060000),
			 RTVIRT_MODEL_NONE);
}
END_TEST

START_TEST(model_names)
{
	ck_assert_str_eq(rtvirt_model_name(RTVIRT_MODEL_NVME), "nvme");
	ck_assert_str_eq(rtvirt_model_name(RTVIRT_MODEL_E1000E), "e1000e");
	ck_assert_str_eq(rtvirt_model_name(RTVIRT_MODEL_NONE), "none");
	ck_assert_str_eq(rtvirt_model_name((enum rtvirt_model)42), "none");
}
END_TEST

/* --- strict boolean parser ---------------------------------------------- */

START_TEST(parse_bool_accepts)
{
	bool v = true;

	ck_assert_int_eq(rtvirt_parse_bool("0", 1, &v), 0);
	ck_assert(!v);
	ck_assert_int_eq(rtvirt_parse_bool("1", 1, &v), 0);
	ck_assert(v);
	v = true;
	ck_assert_int_eq(rtvirt_parse_bool("0\n", 2, &v), 0);
	ck_assert(!v);
	ck_assert_int_eq(rtvirt_parse_bool("1\n", 2, &v), 0);
	ck_assert(v);
	/* Only @len bytes count: what follows is not looked at. */
	ck_assert_int_eq(rtvirt_parse_bool("1garbage", 1, &v), 0);
}
END_TEST

START_TEST(parse_bool_rejects)
{
	static const struct {
		const char *buf;
		size_t len;
	} bad[] = {
		{ "", 0 }, { "\n", 1 }, { "2", 1 }, { "y", 1 }, { "yes", 3 },
		{ "on", 2 }, { " 1", 2 }, { "1 ", 2 }, { "01", 2 },
		{ "10", 2 }, { "1\n\n", 3 }, { "0\r\n", 3 }, { "\0", 1 },
		{ "1\0", 2 }, { "-1", 2 }, { "true", 4 },
	};
	bool v = false;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(rtvirt_parse_bool(bad[i].buf, bad[i].len, &v) ==
			      -EINVAL, "case %zu accepted", i);
		ck_assert(!v);
	}
}
END_TEST

/* --- CRC-32 --------------------------------------------------------------- */

START_TEST(crc32_known_values)
{
	ck_assert_uint_eq(rtvirt_crc32(0, "123456789", 9), 0xCBF43926);
	ck_assert_uint_eq(rtvirt_crc32(0, "", 0), 0);
	ck_assert_uint_eq(rtvirt_crc32(0, "a", 1), 0xE8B7BE43);
	/* Incremental updates give the same result as one call. */
	ck_assert_uint_eq(rtvirt_crc32(rtvirt_crc32(0, "1234", 4), "56789", 5),
			  0xCBF43926);
}
END_TEST

/* --- VMM image check ------------------------------------------------------- */

#define IMG_SIZE 4096

static u8 *make_image(void)
{
	struct rtvirt_vmm_header hdr = {
		.magic = RTVIRT_VMM_MAGIC,
		.header_version = RTVIRT_VMM_HEADER_VERSION,
		.header_size = sizeof(hdr),
		.vmm_version = RTVIRT_VMM_VERSION,
		.image_size = IMG_SIZE,
		.bss_size = 8192,
		.link_base = RTVIRT_VMM_LINK_BASE,
		.entry_offset = 128,
		.reloc_offset = 1024,
		.reloc_size = 48,
	};
	u8 *img = malloc(IMG_SIZE);

	ck_assert_ptr_nonnull(img);
	for (int i = 0; i < IMG_SIZE; i++)
		img[i] = (u8)(i * 7);
	memcpy(img, &hdr, sizeof(hdr));
	return img;
}

static void seal(u8 *img, size_t len)
{
	u32 crc;

	memset(img + RTVIRT_VMM_HDR_OFF_CHECKSUM, 0, 4);
	crc = rtvirt_crc32(0, img, len);
	memcpy(img + RTVIRT_VMM_HDR_OFF_CHECKSUM, &crc, 4);
}

static struct rtvirt_vmm_header *hdr_of(u8 *img)
{
	return (struct rtvirt_vmm_header *)img;
}

static void expect_reject(u8 *img, size_t len, const char *why)
{
	const char *reason = NULL;

	ck_assert_msg(rtvirt_vmm_image_check(img, len, &reason) == -EINVAL,
		      "accepted an image that should fail with: %s", why);
	ck_assert_str_eq(reason, why);
}

START_TEST(image_good)
{
	u8 *img = make_image();
	const char *reason = NULL;

	seal(img, IMG_SIZE);
	ck_assert_int_eq(rtvirt_vmm_image_check(img, IMG_SIZE, &reason), 0);
	ck_assert_str_eq(reason, "ok");
	free(img);
}
END_TEST

START_TEST(image_unaligned)
{
	u8 *buf = malloc(IMG_SIZE + 1), *img = make_image();
	const char *reason;

	seal(img, IMG_SIZE);
	memcpy(buf + 1, img, IMG_SIZE);
	ck_assert_int_eq(rtvirt_vmm_image_check(buf + 1, IMG_SIZE, &reason), 0);
	free(buf);
	free(img);
}
END_TEST

START_TEST(image_rejects)
{
	u8 *img = make_image();

	expect_reject(img, 10, "image smaller than its header");

	hdr_of(img)->magic ^= 1;
	seal(img, IMG_SIZE);
	expect_reject(img, IMG_SIZE, "bad magic");
	hdr_of(img)->magic ^= 1;

	hdr_of(img)->header_version = RTVIRT_VMM_HEADER_VERSION + 1;
	seal(img, IMG_SIZE);
	expect_reject(img, IMG_SIZE, "unsupported header version");
	hdr_of(img)->header_version = RTVIRT_VMM_HEADER_VERSION;

	hdr_of(img)->header_size = 64;
	seal(img, IMG_SIZE);
	expect_reject(img, IMG_SIZE, "bad header size");
	hdr_of(img)->header_size = RTVIRT_VMM_HDR_SIZE;

	hdr_of(img)->vmm_version = (RTVIRT_VMM_VERSION_MAJOR + 1) << 16;
	seal(img, IMG_SIZE);
	expect_reject(img, IMG_SIZE,
		      "VMM major version does not match the module");
	hdr_of(img)->vmm_version = RTVIRT_VMM_VERSION;

	seal(img, IMG_SIZE);
	expect_reject(img, IMG_SIZE - 1, "image size does not match the header");

	hdr_of(img)->bss_size = RTVIRT_VMM_MAX_BSS_SIZE + 1ULL;
	seal(img, IMG_SIZE);
	expect_reject(img, IMG_SIZE, "bss too large");
	hdr_of(img)->bss_size = 0;

	hdr_of(img)->entry_offset = IMG_SIZE;
	seal(img, IMG_SIZE);
	expect_reject(img, IMG_SIZE, "entry point outside the image");
	hdr_of(img)->entry_offset = 8;
	seal(img, IMG_SIZE);
	expect_reject(img, IMG_SIZE, "entry point outside the image");
	hdr_of(img)->entry_offset = IMG_SIZE - 8;
	seal(img, IMG_SIZE);
	expect_reject(img, IMG_SIZE, "entry table outside the image");
	hdr_of(img)->entry_offset = 132;
	seal(img, IMG_SIZE);
	expect_reject(img, IMG_SIZE, "entry table outside the image");
	hdr_of(img)->entry_offset = 128;

	hdr_of(img)->reloc_size = 50;
	seal(img, IMG_SIZE);
	expect_reject(img, IMG_SIZE, "relocations outside the image");
	hdr_of(img)->reloc_size = IMG_SIZE;
	seal(img, IMG_SIZE);
	expect_reject(img, IMG_SIZE, "relocations outside the image");
	hdr_of(img)->reloc_size = 48;
	hdr_of(img)->reloc_offset = 40;
	seal(img, IMG_SIZE);
	expect_reject(img, IMG_SIZE, "relocations outside the image");
	hdr_of(img)->reloc_offset = 1024;

	hdr_of(img)->link_base = 0xffffffff81000000ULL;
	seal(img, IMG_SIZE);
	expect_reject(img, IMG_SIZE, "image linked at the wrong address");
	hdr_of(img)->link_base = RTVIRT_VMM_LINK_BASE;

	hdr_of(img)->flags = 1;
	seal(img, IMG_SIZE);
	expect_reject(img, IMG_SIZE, "reserved header fields set");
	hdr_of(img)->flags = 0;

	/* One flipped bit anywhere after sealing. */
	seal(img, IMG_SIZE);
	img[IMG_SIZE - 1] ^= 0x10;
	expect_reject(img, IMG_SIZE, "checksum mismatch");
	img[IMG_SIZE - 1] ^= 0x10;
	hdr_of(img)->checksum ^= 1;
	expect_reject(img, IMG_SIZE, "checksum mismatch");
	free(img);
}
END_TEST

START_TEST(image_too_large)
{
	size_t len = RTVIRT_VMM_MAX_IMAGE_SIZE + 4096;
	u8 *img = calloc(1, len), *small = make_image();

	memcpy(img, small, sizeof(struct rtvirt_vmm_header));
	hdr_of(img)->image_size = len;
	seal(img, len);
	expect_reject(img, len, "image too large");
	free(img);
	free(small);
}
END_TEST

START_TEST(image_built)
{
	const struct rtvirt_vmm_header *hdr;
	const char *reason;
	FILE *f;
	u8 *img;
	long len;

	ck_assert_msg(built_image_path, "no image path given");
	f = fopen(built_image_path, "rb");
	ck_assert_msg(f, "cannot open %s", built_image_path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	rewind(f);
	img = malloc(len);
	ck_assert_uint_eq(fread(img, 1, len, f), (size_t)len);
	fclose(f);

	ck_assert_int_eq(rtvirt_vmm_image_check(img, len, &reason), 0);
	hdr = (const struct rtvirt_vmm_header *)img;
	ck_assert_uint_eq(hdr->link_base, RTVIRT_VMM_LINK_BASE);
	ck_assert_uint_eq(hdr->vmm_version, RTVIRT_VMM_VERSION);
	ck_assert_uint_eq((hdr->image_size + hdr->bss_size) % 4096, 0);
	ck_assert_uint_eq(hdr->reloc_size % 24, 0);
	ck_assert(hdr->reloc_size > 0);
	/* Every byte is covered by the checksum. */
	img[len / 2] ^= 1;
	ck_assert_int_eq(rtvirt_vmm_image_check(img, len, &reason), -EINVAL);
	free(img);
}
END_TEST

/* --- VMM memory size ---------------------------------------------------- */

#define MiB (1ULL << 20)

START_TEST(vmm_mem_sizes)
{
	u64 image = 300 << 10;
	u64 small = rtvirt_vmm_mem_needed(image, 40, true, 2);
	u64 big = rtvirt_vmm_mem_needed(image, 40, true, 256);
	u64 wide5 = rtvirt_vmm_mem_needed(image, 52, true, 2);
	u64 wide4 = rtvirt_vmm_mem_needed(image, 52, false, 2);

	/* Chunks of 2 MiB. */
	ck_assert_uint_eq(small % RTVIRT_VMM_CHUNK_SIZE, 0);
	ck_assert_uint_eq(wide5 % RTVIRT_VMM_CHUNK_SIZE, 0);
	/* The test VM: within the 8 MiB the module gives it at least. */
	ck_assert_uint_le(small, 8 * MiB);
	ck_assert_uint_ge(small, image + RTVIRT_VMM_DEV_RESERVE);
	/* Every CPU's pages are counted. */
	ck_assert_uint_ge(big - small + RTVIRT_VMM_CHUNK_SIZE,
			  254ULL * RTVIRT_VMM_CPU_PAGES * 4096);
	ck_assert_uint_gt(big, 8 * MiB);
	/* 52 bits with 5-level paging: 8192 PDPT pages per identity map. */
	ck_assert_uint_ge(wide5, small + 2 * 8192 * 4096ULL);
	/* With 4-level paging the tables stop at 48 (nested) and 47 bits. */
	ck_assert_uint_lt(wide4, wide5);
	ck_assert_uint_ge(wide4 + RTVIRT_VMM_CHUNK_SIZE, small + (512 + 256) * 4096ULL);
	/* More CPUs, more memory, never less. */
	for (unsigned int n = 1; n < 4096; n += 97)
		ck_assert_uint_le(rtvirt_vmm_mem_needed(image, 46, false, n),
				  rtvirt_vmm_mem_needed(image, 46, false, n + 1));
	/* A large server stays within the block's limit. */
	ck_assert_uint_le(rtvirt_vmm_mem_needed(image, 52, true, 1024),
			  (u64)RTVIRT_VMM_MAX_CHUNKS * RTVIRT_VMM_CHUNK_SIZE);
	printf("vmm memory: 2 CPUs 40-bit %llu MiB, 256 CPUs %llu MiB, 52-bit 5-level %llu MiB, 4-level %llu MiB\n",
	       (unsigned long long)(small / MiB), (unsigned long long)(big / MiB),
	       (unsigned long long)(wide5 / MiB), (unsigned long long)(wide4 / MiB));
}
END_TEST

static Suite *common_suite(void)
{
	Suite *s = suite_create("common");
	TCase *tc = tcase_create("common");

	tcase_add_test(tc, match_nvme_by_class);
	tcase_add_test(tc, match_e1000e_by_id);
	tcase_add_test(tc, model_names);
	tcase_add_test(tc, parse_bool_accepts);
	tcase_add_test(tc, parse_bool_rejects);
	tcase_add_test(tc, crc32_known_values);
	tcase_add_test(tc, image_good);
	tcase_add_test(tc, image_unaligned);
	tcase_add_test(tc, image_rejects);
	tcase_add_test(tc, image_too_large);
	tcase_add_test(tc, vmm_mem_sizes);
	tcase_add_test(tc, image_built);
	suite_add_tcase(s, tc);
	return s;
}

int main(int argc, char **argv)
{
	SRunner *sr = srunner_create(common_suite());
	int failed;

	built_image_path = argc > 1 ? argv[1] : NULL;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
