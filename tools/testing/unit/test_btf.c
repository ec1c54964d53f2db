// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for src/common/btf.c, the BTF reader: on a base blob and a
 * split blob built here (laid out like vmlinux and the nvme module's BTF),
 * on malformed variants of them, and on /sys/kernel/btf/vmlinux (and
 * /sys/kernel/btf/nvme) when the running kernel has them.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include <rtvirt/btf.h>

enum {
	K_INT = 1, K_PTR, K_ARRAY, K_STRUCT, K_UNION, K_ENUM, K_FWD,
	K_TYPEDEF, K_VOLATILE, K_CONST,
};

#define HDR_LEN		24
#define HDR_TYPE_OFF	8
#define HDR_TYPE_LEN	12
#define HDR_STR_OFF	16
#define HDR_STR_LEN	20
#define MAX_WORDS	1024
#define MAX_IDS		128

/* --- a tiny BTF builder ----------------------------------------------------- */

struct bld {
	u32 t[MAX_WORDS];	/* type section */
	u32 nt;			/* words in it */
	u32 at[MAX_IDS];	/* word index of each id's record */
	char s[1024];		/* string section */
	u32 ns;
	u32 str_base;		/* the base's string bytes (split BTF) */
	u32 first_id, next_id;
	u32 blob[MAX_WORDS + 300];	/* header, types, strings */
	size_t len;
};

static void bld_start(struct bld *b, const struct bld *base)
{
	memset(b, 0, sizeof(*b));
	b->ns = 1;				/* "" at offset 0 */
	b->first_id = b->next_id = base ? base->next_id : 1;
	b->str_base = base ? base->ns : 0;
}

/* A new string; its offset as the BTF's records give it. */
static u32 S(struct bld *b, const char *s)
{
	size_t n = strlen(s) + 1;
	u32 off = b->ns;

	ck_assert_uint_le(off + n, sizeof(b->s));
	memcpy(b->s + off, s, n);
	b->ns += n;
	return b->str_base + off;
}

static void W(struct bld *b, u32 v)
{
	ck_assert_uint_lt(b->nt, MAX_WORDS);
	b->t[b->nt++] = v;
}

static u32 T(struct bld *b, u32 name, u32 kind, u32 vlen, u32 kflag,
	     u32 size_type)
{
	ck_assert_uint_lt(b->next_id - b->first_id, MAX_IDS);
	b->at[b->next_id - b->first_id] = b->nt;
	W(b, name);
	W(b, kflag << 31 | kind << 24 | vlen);
	W(b, size_type);
	return b->next_id++;
}

static u32 T_int(struct bld *b, const char *name, u32 size, u32 bits)
{
	u32 id = T(b, S(b, name), K_INT, 0, 0, size);

	W(b, bits);
	return id;
}

static u32 T_array(struct bld *b, u32 elem, u32 nelems)
{
	u32 id = T(b, 0, K_ARRAY, 0, 0, 0);

	W(b, elem);
	W(b, 1);	/* index type: whatever, not looked at */
	W(b, nelems);
	return id;
}

static void M(struct bld *b, u32 name, u32 type, u32 bit_off)
{
	W(b, name);
	W(b, type);
	W(b, bit_off);
}

/* Byte offset in the blob of word @w of the type section. */
static size_t at_word(u32 w)
{
	return HDR_LEN + 4 * w;
}

static size_t bld_finish(struct bld *b)
{
	u32 tl = b->nt * 4;
	u32 hdr[6] = { 0x0001eb9f, HDR_LEN, 0, tl, tl, b->ns };
	u8 *p = (u8 *)b->blob;

	ck_assert_uint_le(HDR_LEN + tl + b->ns, sizeof(b->blob));
	memcpy(p, hdr, HDR_LEN);
	memcpy(p + HDR_LEN, b->t, tl);
	memcpy(p + HDR_LEN + tl, b->s, b->ns);
	b->len = HDR_LEN + tl + b->ns;
	return b->len;
}

static u8 *bytes(struct bld *b)
{
	return (u8 *)b->blob;
}

static void put32(struct bld *b, size_t off, u32 v)
{
	memcpy(bytes(b) + off, &v, 4);
}

static u32 get32(struct bld *b, size_t off)
{
	u32 v;

	memcpy(&v, bytes(b) + off, 4);
	return v;
}

/* --- the test blobs ---------------------------------------------------------- */

/*
 * Base ("vmlinux"):
 *   1 int  2 char  3 struct list_head { next, prev }  4 list_head *
 *   5 typedef u32 -> 6  6 unsigned int  7 const u32  8 a 3-bit int
 * Split ("nvme"): struct nvme_ctrl, nvme_dev, nvme_queue and friends.
 */
static struct bld base, split;
static struct rtvirt_btf bbase, bsplit;
static u32 str_next;		/* base string "next" */
static u32 id_list_head, id_nvme_queue;

static void build_base(void)
{
	u32 lh_ptr = 4;

	bld_start(&base, NULL);
	T_int(&base, "int", 4, 32);
	T_int(&base, "char", 1, 8);
	id_list_head = T(&base, S(&base, "list_head"), K_STRUCT, 2, 0, 16);
	str_next = S(&base, "next");
	M(&base, str_next, lh_ptr, 0);
	M(&base, S(&base, "prev"), lh_ptr, 64);
	T(&base, 0, K_PTR, 0, 0, id_list_head);
	T(&base, S(&base, "u32"), K_TYPEDEF, 0, 0, 6);
	T_int(&base, "unsigned int", 4, 32);
	T(&base, 0, K_CONST, 0, 0, 5);
	T_int(&base, "", 4, 3);		/* an old-style 3-bit bitfield */
	ck_assert_uint_eq(base.next_id, 9);
	bld_finish(&base);
}

static void build_split(void)
{
	struct bld *b = &split;
	u32 le32, vle32, chars, grid, ctrl, dev, queue, qptr, dptr, loop, chain;

	bld_start(b, &base);
	le32 = T(b, S(b, "__le32"), K_TYPEDEF, 0, 0, 7);	/* const u32 */
	vle32 = T(b, 0, K_VOLATILE, 0, 0, le32);
	chars = T_array(b, 2, 16);
	grid = T_array(b, chars, 2);
	qptr = b->next_id + 3;
	dptr = b->next_id + 4;
	loop = b->next_id + 6;
	chain = b->next_id + 10;

	ctrl = T(b, S(b, "nvme_ctrl"), K_STRUCT, 2, 0, 8);
	M(b, S(b, "state"), 1, 0);
	M(b, S(b, "instance"), 1, 32);

	dev = T(b, S(b, "nvme_dev"), K_STRUCT, 5, 0, 32);
	M(b, S(b, "queues"), qptr, 0);
	M(b, S(b, "q_count"), 5, 64);
	M(b, S(b, "ctrl"), ctrl, 128);
	M(b, str_next, 4, 192);			/* name and type in the base */
	M(b, S(b, "online"), 8, 224);		/* old-style bitfield */

	queue = T(b, S(b, "nvme_queue"), K_STRUCT, 14, 1, 96);
	M(b, S(b, "q_depth"), 1, 0);
	M(b, S(b, "sq_tail"), vle32, 32);
	M(b, S(b, "dev"), dptr, 64);
	M(b, S(b, "node"), id_list_head, 128);
	M(b, S(b, "irqname"), chars, 256);
	M(b, S(b, "grid"), grid, 384);
	M(b, S(b, "cq_phase"), 6, 1u << 24 | 640);	/* 1-bit bitfield */
	M(b, S(b, "odd"), 2, 652);
	M(b, S(b, "bad_id"), 999, 704);
	M(b, S(b, "looped"), loop, 704);
	M(b, S(b, "void"), 0, 704);
	M(b, S(b, "beyond"), 1, 768);
	M(b, S(b, "deep"), chain + 8, 736);		/* 32 consts: too deep */
	M(b, S(b, "shallow"), chain + 9, 736);		/* 31 consts */

	ck_assert_uint_eq(T(b, 0, K_PTR, 0, 0, queue), qptr);
	ck_assert_uint_eq(T(b, 0, K_PTR, 0, 0, dev), dptr);
	T(b, S(b, "nvme_fwd"), K_FWD, 0, 0, 0);
	ck_assert_uint_eq(T(b, S(b, "loop_a"), K_TYPEDEF, 0, 0, loop + 1), loop);
	T(b, S(b, "loop_b"), K_TYPEDEF, 0, 0, loop);
	T(b, S(b, "nvme_union"), K_UNION, 1, 0, 4);
	M(b, S(b, "u"), 1, 0);
	T(b, S(b, "state_e"), K_ENUM, 1, 0, 4);
	W(b, S(b, "LIVE"));
	W(b, 1);
	/* 40 consts to an int: 32 from "deep", 31 from "shallow". */
	ck_assert_uint_eq(b->next_id, chain);
	for (int i = 0; i < 40; i++)
		T(b, 0, K_CONST, 0, 0, i == 39 ? 1 : b->next_id + 1);
	id_nvme_queue = queue;
	bld_finish(b);
}

static void setup(void)
{
	build_base();
	build_split();
	ck_assert_int_eq(rtvirt_btf_init(&bbase, base.blob, base.len, NULL), 0);
	ck_assert_int_eq(rtvirt_btf_init(&bsplit, split.blob, split.len, &bbase), 0);
}

static void expect_member(const struct rtvirt_btf *b, const char *type,
			  const char *member, u32 offset, u32 size)
{
	u32 o = ~0u, s = ~0u;

	ck_assert_msg(rtvirt_btf_member(b, type, member, &o, &s) == 0,
		      "%s.%s not found", type, member);
	ck_assert_msg(o == offset && s == size, "%s.%s: offset %u size %u",
		      type, member, o, s);
}

static int member_err(const struct rtvirt_btf *b, const char *type,
		      const char *member)
{
	u32 o = 12345, s = 12345;
	int ret = rtvirt_btf_member(b, type, member, &o, &s);

	ck_assert(!ret || (o == 12345 && s == 12345));	/* untouched */
	return ret;
}

/* --- lookups ----------------------------------------------------------------- */

START_TEST(btf_ids)
{
	ck_assert_uint_eq(bbase.first_id, 1);
	ck_assert_uint_eq(bbase.nr_types, 8);
	ck_assert_uint_eq(bsplit.first_id, 9);
	ck_assert_uint_eq(bsplit.nr_types, split.next_id - 9);
	ck_assert_ptr_eq(bsplit.base, &bbase);
}
END_TEST

START_TEST(btf_members)
{
	expect_member(&bbase, "list_head", "next", 0, 8);
	expect_member(&bbase, "list_head", "prev", 8, 8);
	/* int, pointer, typedef chain (volatile __le32 -> const u32 -> ...) */
	expect_member(&bsplit, "nvme_queue", "q_depth", 0, 4);
	expect_member(&bsplit, "nvme_queue", "sq_tail", 4, 4);
	expect_member(&bsplit, "nvme_queue", "dev", 8, 8);
	/* a struct of the base; arrays, of arrays */
	expect_member(&bsplit, "nvme_queue", "node", 16, 16);
	expect_member(&bsplit, "nvme_queue", "irqname", 32, 16);
	expect_member(&bsplit, "nvme_queue", "grid", 48, 32);
	expect_member(&bsplit, "nvme_queue", "shallow", 92, 4);
	/* typedef of the base, nested struct, name and type in the base */
	expect_member(&bsplit, "nvme_dev", "queues", 0, 8);
	expect_member(&bsplit, "nvme_dev", "q_count", 8, 4);
	expect_member(&bsplit, "nvme_dev", "ctrl", 16, 8);
	expect_member(&bsplit, "nvme_dev", "next", 24, 8);
	expect_member(&bsplit, "nvme_ctrl", "instance", 4, 4);
}
END_TEST

START_TEST(btf_struct_sizes)
{
	u32 size = 0;

	ck_assert_int_eq(rtvirt_btf_struct_size(&bsplit, "nvme_queue", &size), 0);
	ck_assert_uint_eq(size, 96);
	ck_assert_int_eq(rtvirt_btf_struct_size(&bsplit, "nvme_dev", &size), 0);
	ck_assert_uint_eq(size, 32);
	ck_assert_int_eq(rtvirt_btf_struct_size(&bbase, "list_head", &size), 0);
	ck_assert_uint_eq(size, 16);
	size = 7;
	/* Only structs of the blob itself: not its base's, not FWD, not UNION. */
	ck_assert_int_eq(rtvirt_btf_struct_size(&bsplit, "list_head", &size), -ENOENT);
	ck_assert_int_eq(rtvirt_btf_struct_size(&bsplit, "nvme_fwd", &size), -ENOENT);
	ck_assert_int_eq(rtvirt_btf_struct_size(&bsplit, "nvme_union", &size), -ENOENT);
	ck_assert_int_eq(rtvirt_btf_struct_size(&bsplit, "__le32", &size), -ENOENT);
	ck_assert_int_eq(rtvirt_btf_struct_size(&bsplit, "nvme_queu", &size), -ENOENT);
	ck_assert_int_eq(rtvirt_btf_struct_size(&bbase, "nvme_queue", &size), -ENOENT);
	ck_assert_uint_eq(size, 7);
}
END_TEST

START_TEST(btf_member_errors)
{
	ck_assert_int_eq(member_err(&bsplit, "nvme_queue", "nope"), -ENOENT);
	ck_assert_int_eq(member_err(&bsplit, "nvme_queue", "q_dept"), -ENOENT);
	ck_assert_int_eq(member_err(&bsplit, "nvme_queue", ""), -ENOENT);
	ck_assert_int_eq(member_err(&bsplit, "nvme_fwd", "x"), -ENOENT);
	ck_assert_int_eq(member_err(&bsplit, "nvme_union", "u"), -ENOENT);
	ck_assert_int_eq(member_err(&bsplit, "list_head", "next"), -ENOENT);
	ck_assert_int_eq(member_err(&bsplit, "nvme_ctrl", "queues"), -ENOENT);
	/* bitfields: kind_flag with a size, old-style int, unaligned */
	ck_assert_int_eq(member_err(&bsplit, "nvme_queue", "cq_phase"), -EOPNOTSUPP);
	ck_assert_int_eq(member_err(&bsplit, "nvme_dev", "online"), -EOPNOTSUPP);
	ck_assert_int_eq(member_err(&bsplit, "nvme_queue", "odd"), -EOPNOTSUPP);
	/* malformed: id out of range, typedef loop, void, past the end, deep */
	ck_assert_int_eq(member_err(&bsplit, "nvme_queue", "bad_id"), -EINVAL);
	ck_assert_int_eq(member_err(&bsplit, "nvme_queue", "looped"), -EINVAL);
	ck_assert_int_eq(member_err(&bsplit, "nvme_queue", "void"), -EINVAL);
	ck_assert_int_eq(member_err(&bsplit, "nvme_queue", "beyond"), -EINVAL);
	ck_assert_int_eq(member_err(&bsplit, "nvme_queue", "deep"), -EINVAL);
}
END_TEST

START_TEST(btf_split_needs_base)
{
	struct rtvirt_btf alone;

	/* Read as a base, its strings and ids no longer line up. */
	ck_assert_int_eq(rtvirt_btf_init(&alone, split.blob, split.len, NULL),
			 -EINVAL);
	/* A split blob cannot be the base of another. */
	ck_assert_int_eq(rtvirt_btf_init(&alone, split.blob, split.len, &bsplit),
			 -EINVAL);
}
END_TEST

START_TEST(btf_unaligned)
{
	u8 *buf = malloc(split.len + 1);
	struct rtvirt_btf b;

	ck_assert_ptr_nonnull(buf);
	memcpy(buf + 1, split.blob, split.len);
	ck_assert_int_eq(rtvirt_btf_init(&b, buf + 1, split.len, &bbase), 0);
	expect_member(&b, "nvme_queue", "grid", 48, 32);
	expect_member(&b, "nvme_dev", "next", 24, 8);
	free(buf);
}
END_TEST

/* --- malformed blobs ------------------------------------------------------------ */

static int init_base(void)
{
	struct rtvirt_btf b;

	return rtvirt_btf_init(&b, base.blob, base.len, NULL);
}

static int init_split(void)
{
	struct rtvirt_btf b;

	return rtvirt_btf_init(&b, split.blob, split.len, &bbase);
}

START_TEST(btf_bad_header)
{
	u8 *p = bytes(&base);
	struct rtvirt_btf b;

	p[0] ^= 1;
	ck_assert_int_eq(init_base(), -EINVAL);		/* magic */
	p[0] ^= 1;
	p[1] = 0x9f;
	p[0] = 0xeb;
	ck_assert_int_eq(init_base(), -EINVAL);		/* other endianness */
	build_base();
	p[2] = 2;
	ck_assert_int_eq(init_base(), -EINVAL);		/* version */
	p[2] = 0;
	ck_assert_int_eq(init_base(), -EINVAL);
	p[2] = 1;
	ck_assert_int_eq(init_base(), 0);
	put32(&base, 4, 20);
	ck_assert_int_eq(init_base(), -EINVAL);		/* header too short */
	put32(&base, 4, base.len + 1);
	ck_assert_int_eq(init_base(), -EINVAL);		/* header too long */
	for (size_t len = 0; len < HDR_LEN; len++)
		ck_assert_int_eq(rtvirt_btf_init(&b, p, len, NULL), -EINVAL);
}
END_TEST

START_TEST(btf_bad_sections)
{
	u32 tl = get32(&base, HDR_TYPE_LEN), sl = get32(&base, HDR_STR_LEN);

	put32(&base, HDR_STR_LEN, sl + 1);
	ck_assert_int_eq(init_base(), -EINVAL);
	put32(&base, HDR_STR_LEN, sl);
	put32(&base, HDR_STR_OFF, tl + 1);
	ck_assert_int_eq(init_base(), -EINVAL);
	put32(&base, HDR_STR_OFF, 0xffffffff);		/* off + len wraps */
	ck_assert_int_eq(init_base(), -EINVAL);
	put32(&base, HDR_STR_OFF, tl);
	put32(&base, HDR_STR_LEN, 0);			/* no "" */
	ck_assert_int_eq(init_base(), -EINVAL);
	put32(&base, HDR_STR_LEN, sl);
	put32(&base, HDR_TYPE_OFF, 0xfffffffc);
	ck_assert_int_eq(init_base(), -EINVAL);
	put32(&base, HDR_TYPE_OFF, 0);
	put32(&base, HDR_TYPE_LEN, base.len);
	ck_assert_int_eq(init_base(), -EINVAL);
	put32(&base, HDR_TYPE_LEN, tl);
	ck_assert_int_eq(init_base(), 0);
	/* Every truncation of the blob. */
	for (size_t len = 0; len < split.len; len++) {
		struct rtvirt_btf b;

		ck_assert_int_eq(rtvirt_btf_init(&b, split.blob, len, &bbase),
				 -EINVAL);
	}
}
END_TEST

START_TEST(btf_bad_records)
{
	u32 tl = get32(&base, HDR_TYPE_LEN);
	size_t lh_info = at_word(base.at[id_list_head - 1] + 1);
	u32 info = get32(&base, lh_info);

	/* The last record (an int) runs past the type section. */
	put32(&base, HDR_TYPE_LEN, tl - 4);
	ck_assert_int_eq(init_base(), -EINVAL);
	put32(&base, HDR_TYPE_LEN, tl - 12);
	ck_assert_int_eq(init_base(), -EINVAL);
	put32(&base, HDR_TYPE_LEN, tl - 16);		/* a whole one less */
	ck_assert_int_eq(init_base(), 0);
	put32(&base, HDR_TYPE_LEN, tl);
	/* More members than the section holds. */
	put32(&base, lh_info, info + 100);
	ck_assert_int_eq(init_base(), -EINVAL);
	put32(&base, lh_info, info | 0xffff);
	ck_assert_int_eq(init_base(), -EINVAL);
	/* Unknown kinds. */
	put32(&base, lh_info, (info & ~(0x1fu << 24)));
	ck_assert_int_eq(init_base(), -EINVAL);
	put32(&base, lh_info, (info & ~(0x1fu << 24)) | 20u << 24);
	ck_assert_int_eq(init_base(), -EINVAL);
	put32(&base, lh_info, (info & ~(0x1fu << 24)) | 31u << 24);
	ck_assert_int_eq(init_base(), -EINVAL);
	put32(&base, lh_info, info);
	ck_assert_int_eq(init_base(), 0);
}
END_TEST

START_TEST(btf_bad_strings)
{
	u32 sl = get32(&base, HDR_STR_LEN);
	size_t lh_name = at_word(base.at[id_list_head - 1]);
	size_t next_name = at_word(base.at[id_list_head - 1] + 3);
	u8 *p = bytes(&base);

	/* Unterminated: the section does not end in a NUL. */
	p[base.len - 1] = 'x';
	ck_assert_int_eq(init_base(), -EINVAL);
	p[base.len - 1] = 0;
	/* A base's strings start with "". */
	p[base.len - sl] = 'x';
	ck_assert_int_eq(init_base(), -EINVAL);
	p[base.len - sl] = 0;
	/* Names of types and of members within the section. */
	put32(&base, lh_name, sl);
	ck_assert_int_eq(init_base(), -EINVAL);
	put32(&base, lh_name, sl - 1);			/* the last "" */
	ck_assert_int_eq(init_base(), 0);
	put32(&base, next_name, 0xffffffff);
	ck_assert_int_eq(init_base(), -EINVAL);
	build_base();

	/* In the split blob, past the base's and its own strings. */
	p = bytes(&split);
	p[split.len - 1] = 'x';
	ck_assert_int_eq(init_split(), -EINVAL);
	p[split.len - 1] = 0;
	ck_assert_int_eq(init_split(), 0);
	put32(&split, at_word(0), base.ns + split.ns);
	ck_assert_int_eq(init_split(), -EINVAL);
	put32(&split, at_word(0), base.ns + split.ns - 1);
	ck_assert_int_eq(init_split(), 0);
}
END_TEST

/* Any one flipped bit: init and lookups stay within the blob (ASan). */
START_TEST(btf_bit_flips)
{
	static const char *const q[][2] = {
		{ "nvme_queue", "dev" }, { "nvme_queue", "grid" },
		{ "nvme_queue", "node" }, { "nvme_dev", "next" },
		{ "nvme_dev", "ctrl" }, { "list_head", "prev" },
	};
	struct bld *targets[] = { &base, &split };

	for (int t = 0; t < 2; t++) {
		struct bld *bl = targets[t];
		u8 *p = bytes(bl);

		for (size_t i = 0; i < bl->len; i++) {
			for (int bit = 0; bit < 8; bit++) {
				struct rtvirt_btf b;
				u32 o, s;
				int ret;

				p[i] ^= 1u << bit;
				ret = rtvirt_btf_init(&b, p, bl->len,
						      t ? &bbase : NULL);
				for (size_t k = 0; !ret && k < 6; k++) {
					int r = rtvirt_btf_member(&b, q[k][0],
								  q[k][1], &o, &s);

					ck_assert(r == 0 || r == -ENOENT ||
						  r == -EINVAL || r == -EOPNOTSUPP);
					r = rtvirt_btf_struct_size(&b, q[k][0], &s);
					ck_assert(r == 0 || r == -ENOENT);
				}
				p[i] ^= 1u << bit;
			}
		}
	}
}
END_TEST

/* --- the running kernel's BTF ------------------------------------------------------- */

static void *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 20, n = 0;
	u8 *buf;

	if (!f)
		return NULL;
	buf = malloc(cap);
	ck_assert_ptr_nonnull(buf);
	for (;;) {
		size_t got = fread(buf + n, 1, cap - n, f);

		n += got;
		if (n < cap)
			break;
		cap *= 2;
		buf = realloc(buf, cap);
		ck_assert_ptr_nonnull(buf);
	}
	fclose(f);
	*len = n;
	return buf;
}

START_TEST(btf_running_kernel)
{
	struct rtvirt_btf vmlinux, nvme;
	size_t len, nlen;
	void *data = read_file("/sys/kernel/btf/vmlinux", &len), *ndata;
	u32 size = 0;

	if (!data)
		return;
	ck_assert_int_eq(rtvirt_btf_init(&vmlinux, data, len, NULL), 0);
	ck_assert_int_eq(rtvirt_btf_struct_size(&vmlinux, "list_head", &size), 0);
	ck_assert_uint_eq(size, 16);
	expect_member(&vmlinux, "list_head", "next", 0, 8);
	expect_member(&vmlinux, "list_head", "prev", 8, 8);
	expect_member(&vmlinux, "callback_head", "func", 8, 8);
	expect_member(&vmlinux, "rb_node", "rb_left", 16, 8);
	expect_member(&vmlinux, "rb_node", "__rb_parent_color", 0, 8);
	expect_member(&vmlinux, "kref", "refcount", 0, 4);
	printf("btf: vmlinux %zu bytes, %u types\n", len, vmlinux.nr_types);

	ndata = read_file("/sys/kernel/btf/nvme", &nlen);
	if (ndata) {
		ck_assert_int_eq(rtvirt_btf_init(&nvme, ndata, nlen, &vmlinux), 0);
		ck_assert_int_eq(rtvirt_btf_struct_size(&nvme, "nvme_dev", &size), 0);
		ck_assert_int_eq(rtvirt_btf_struct_size(&nvme, "nvme_queue", &size), 0);
		printf("btf: nvme %zu bytes, %u types, struct nvme_queue %u bytes\n",
		       nlen, nvme.nr_types, size);
		free(ndata);
	}
	free(data);
}
END_TEST

static Suite *btf_suite(void)
{
	Suite *s = suite_create("btf");
	TCase *tc = tcase_create("btf");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, btf_ids);
	tcase_add_test(tc, btf_members);
	tcase_add_test(tc, btf_struct_sizes);
	tcase_add_test(tc, btf_member_errors);
	tcase_add_test(tc, btf_split_needs_base);
	tcase_add_test(tc, btf_unaligned);
	tcase_add_test(tc, btf_bad_header);
	tcase_add_test(tc, btf_bad_sections);
	tcase_add_test(tc, btf_bad_records);
	tcase_add_test(tc, btf_bad_strings);
	tcase_add_test(tc, btf_bit_flips);
	tcase_add_test(tc, btf_running_kernel);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(btf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
