// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target for the BTF reader (src/common/btf.c), which the module runs
 * on /sys/kernel/btf/vmlinux and /sys/kernel/btf/nvme: bytes it treats as
 * untrusted.
 *
 * libFuzzer:	clang -g -O1 -fsanitize=fuzzer,address,undefined \
 *			-Iinclude tools/testing/fuzz/fuzz_btf.c src/common/btf.c
 * AFL++ or a replay of saved inputs: build with any compiler, with
 * tools/testing/fuzz/standalone.c in place of -fsanitize=fuzzer; it runs
 * each file named on its command line (or standard input) once.
 *
 * Each input is read as a base blob and as a split blob on top of a fixed
 * valid base; and, XORed onto a valid base and a valid split blob built
 * here, as those (so that the fuzzer starts next to valid BTF).  Beyond
 * the sanitizers it checks the reader's contract: only the documented
 * errors, ids that follow the base's, and members within their struct.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rtvirt/btf.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { K_INT = 1, K_PTR, K_ARRAY, K_STRUCT, K_TYPEDEF = 8, K_CONST = 10 };

/* A blob under construction: header, then types, then strings. */
struct mk {
	u32 w[64];
	u32 nw;
	char s[160];
	u32 ns;
	u32 str_base;
	u8 blob[512];
	size_t len;
};

static u32 S(struct mk *m, const char *s)
{
	size_t n = strlen(s) + 1;
	u32 off = m->ns;

	memcpy(m->s + off, s, n);
	m->ns += n;
	return m->str_base + off;
}

static void W(struct mk *m, u32 a, u32 b, u32 c)
{
	m->w[m->nw++] = a;
	m->w[m->nw++] = b;
	m->w[m->nw++] = c;
}

static void mk_finish(struct mk *m)
{
	u32 tl = m->nw * 4, hdr[6] = { 0x0001eb9f, 24, 0, tl, tl, m->ns };

	memcpy(m->blob, hdr, 24);
	memcpy(m->blob + 24, m->w, tl);
	memcpy(m->blob + 24 + tl, m->s, m->ns);
	m->len = 24 + tl + m->ns;
}

static struct mk base_mk, split_mk;
static struct rtvirt_btf fixed_base;

/*
 * Base: 1 int, 2 struct list_head { next, prev }, 3 list_head *, 4 u32.
 * Split: 5 struct nvme_queue { q_depth, sq_tail, node, name, dev },
 * 6 const u32, 7 char, 8 char[8], 9 struct nvme_dev { queues }, 10 ptr.
 */
static void build(void)
{
	struct mk *b = &base_mk, *s = &split_mk;

	b->ns = 1;
	W(b, S(b, "int"), K_INT << 24, 4);
	b->w[b->nw++] = 32;
	W(b, S(b, "list_head"), K_STRUCT << 24 | 2, 16);
	W(b, S(b, "next"), 3, 0);
	W(b, S(b, "prev"), 3, 64);
	W(b, 0, K_PTR << 24, 2);
	W(b, S(b, "u32"), K_TYPEDEF << 24, 1);
	mk_finish(b);

	s->ns = 1;
	s->str_base = b->ns;
	W(s, S(s, "nvme_queue"), 1u << 31 | K_STRUCT << 24 | 5, 40);
	W(s, S(s, "q_depth"), 1, 0);
	W(s, S(s, "sq_tail"), 6, 32);
	W(s, S(s, "node"), 2, 64);
	W(s, S(s, "name"), 8, 192);
	W(s, S(s, "dev"), 10, 256);
	W(s, 0, K_CONST << 24, 4);
	W(s, S(s, "char"), K_INT << 24, 1);
	s->w[s->nw++] = 8;
	W(s, 0, K_ARRAY << 24, 0);
	W(s, 7, 1, 8);
	W(s, S(s, "nvme_dev"), K_STRUCT << 24 | 1, 8);
	W(s, S(s, "queues"), 10, 0);
	W(s, 0, K_PTR << 24, 5);
	mk_finish(s);

	if (rtvirt_btf_init(&fixed_base, base_mk.blob, base_mk.len, NULL))
		abort();
}

static void query(const struct rtvirt_btf *b)
{
	static const char *const q[][2] = {
		{ "nvme_queue", "q_depth" }, { "nvme_queue", "sq_tail" },
		{ "nvme_queue", "node" }, { "nvme_queue", "name" },
		{ "nvme_queue", "dev" }, { "nvme_dev", "queues" },
		{ "list_head", "next" }, { "list_head", "prev" }, { "", "" },
	};

	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		u32 off = 0, size = 0, ssize = 0;
		int ret = rtvirt_btf_member(b, q[i][0], q[i][1], &off, &size);
		int sret = rtvirt_btf_struct_size(b, q[i][0], &ssize);

		if (ret && ret != -ENOENT && ret != -EOPNOTSUPP && ret != -EINVAL)
			abort();
		if (sret && sret != -ENOENT)
			abort();
		if (!ret && (sret || (u64)off + size > ssize))
			abort();
	}
}

/* Init @len bytes at @p (an exact-size copy) on @base; query if valid. */
static int check(const u8 *p, size_t len, const struct rtvirt_btf *base,
		 struct rtvirt_btf *b)
{
	u8 *copy = malloc(len ? len : 1);
	int ret;

	if (!copy)
		abort();
	memcpy(copy, p, len);
	ret = rtvirt_btf_init(b, copy, len, base);
	if (ret && ret != -EINVAL)
		abort();
	if (!ret) {
		if (b->first_id != (base ? base->first_id + base->nr_types : 1) ||
		    (u64)b->nr_types * 12 > b->types_len || !b->strs_len ||
		    b->strs[b->strs_len - 1] || b->base != base)
			abort();
		query(b);
	}
	free(copy);
	return ret;
}

/* @m's blob with @data XORed onto it. */
static void xor_onto(const struct mk *m, const u8 *data, size_t size, u8 *out)
{
	memcpy(out, m->blob, m->len);
	for (size_t i = 0; i < size && i < m->len; i++)
		out[i] ^= data[i];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool built;
	struct rtvirt_btf b, xb;
	u8 xbase[sizeof(base_mk.blob)], xsplit[sizeof(split_mk.blob)];
	u8 *keep;

	if (!built) {
		build();
		built = true;
	}
	check(data, size, NULL, &b);
	check(data, size, &fixed_base, &b);

	xor_onto(&split_mk, data, size, xsplit);
	check(xsplit, split_mk.len, &fixed_base, &b);
	/* A changed base, and the split blob on it: the base must stay. */
	xor_onto(&base_mk, data + (size > 8 ? 8 : size),
		 size > 8 ? size - 8 : 0, xbase);
	keep = malloc(base_mk.len);
	if (!keep)
		abort();
	memcpy(keep, xbase, base_mk.len);
	if (!rtvirt_btf_init(&xb, keep, base_mk.len, NULL)) {
		query(&xb);
		check(split_mk.blob, split_mk.len, &xb, &b);
		check(xsplit, split_mk.len, &xb, &b);
	}
	free(keep);
	return 0;
}
