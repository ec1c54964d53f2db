// SPDX-License-Identifier: GPL-2.0
/*
 * A bounds-checked BTF reader (see include/rtvirt/btf.h): built into the
 * module, which looks up the nvme driver's private struct layouts in
 * /sys/kernel/btf/nvme, and into the unit tests and the fuzz target.
 *
 * Format: Linux include/uapi/linux/btf.h, Documentation/bpf/btf.rst.
 * rtvirt_btf_init() checks that the header's sections and every type
 * record lie within the blob; the lookups check again as they read, so
 * that no read depends on an earlier check having been done.
 */
#include <rtvirt/btf.h>

#define BTF_MAGIC_LE	0xeb9f
#define BTF_VERSION_1	1
#define BTF_HDR_LEN	24	/* the header fields this reader knows */
#define BTF_REC_LEN	12	/* struct btf_type */
#define BTF_MAX_DEPTH	32	/* typedefs, modifiers, arrays on a member */
#define BTF_SIZE_MAX	0xffffffffULL

enum {
	BTFK_INT = 1, BTFK_PTR, BTFK_ARRAY, BTFK_STRUCT, BTFK_UNION,
	BTFK_ENUM, BTFK_FWD, BTFK_TYPEDEF, BTFK_VOLATILE, BTFK_CONST,
	BTFK_RESTRICT, BTFK_FUNC, BTFK_FUNC_PROTO, BTFK_VAR, BTFK_DATASEC,
	BTFK_FLOAT, BTFK_DECL_TAG, BTFK_TYPE_TAG, BTFK_ENUM64,
	BTFK_MAX = BTFK_ENUM64,
};

/* Bytes after struct btf_type: a fixed part, and a part per vlen item. */
static const u8 kind_fixed[BTFK_MAX + 1] = {
	[BTFK_INT] = 4, [BTFK_ARRAY] = 12, [BTFK_VAR] = 4, [BTFK_DECL_TAG] = 4,
};

static const u8 kind_item[BTFK_MAX + 1] = {
	[BTFK_STRUCT] = 12, [BTFK_UNION] = 12, [BTFK_ENUM] = 8,
	[BTFK_FUNC_PROTO] = 8, [BTFK_DATASEC] = 12, [BTFK_ENUM64] = 12,
};

/* A decoded struct btf_type; @data is its kind-specific data. */
struct btf_rec {
	u32 name_off;
	u32 kind;
	u32 vlen;
	bool kflag;
	u32 size_type;
	const u8 *data;
	u32 len;	/* of the whole record */
};

static u32 rd32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));	/* the blob need not be aligned */
	return v;
}

/* Decode the record at @off of @b's type section; false unless it is whole. */
static bool btf_rec(const struct rtvirt_btf *b, u32 off, struct btf_rec *r)
{
	const u8 *p;
	u32 info;

	if (off > b->types_len || b->types_len - off < BTF_REC_LEN)
		return false;
	p = b->types + off;
	info = rd32(p + 4);
	r->name_off = rd32(p);
	r->kind = (info >> 24) & 0x1f;
	r->vlen = info & 0xffff;
	r->kflag = info >> 31;
	r->size_type = rd32(p + 8);
	r->data = p + BTF_REC_LEN;
	if (r->kind == 0 || r->kind > BTFK_MAX)
		return false;
	r->len = BTF_REC_LEN + kind_fixed[r->kind] + r->vlen * kind_item[r->kind];
	return b->types_len - off >= r->len;
}

/* The NUL-terminated string at @off, or NULL if @off is out of range. */
static const char *btf_str(const struct rtvirt_btf *b, u32 off)
{
	if (b->base) {
		if (off < b->base->strs_len)
			return b->base->strs + off;
		off -= b->base->strs_len;
	}
	return off < b->strs_len ? b->strs + off : NULL;
}

static bool name_is(const struct rtvirt_btf *b, u32 off, const char *name)
{
	const char *s = btf_str(b, off);

	return s && !strcmp(s, name);
}

/* The record of type @id, in @b or its base; false for void or a bad id. */
static bool btf_type(const struct rtvirt_btf *b, u32 id, struct btf_rec *r)
{
	u32 off = 0, i;

	if (id < b->first_id)
		return b->base && btf_type(b->base, id, r);
	if (id - b->first_id >= b->nr_types)
		return false;
	for (i = 0; i <= id - b->first_id; i++, off += r->len)
		if (!btf_rec(b, off, r))
			return false;
	return true;
}

/**
 * rtvirt_btf_init() - check a BTF blob and describe it
 * @b:		result (undefined on error)
 * @data:	the blob, e.g. the contents of /sys/kernel/btf/vmlinux
 * @len:	bytes of @data
 * @base:	for split BTF (a module's), the checked base it extends;
 *		NULL for a base blob.  A split blob cannot be a base.
 *
 * Checks the header (magic, version, sections within @data), that the
 * string section ends in a NUL (and, for a base, starts with the empty
 * string), and that every type record is of a known kind, lies within
 * the type section and has names within the string sections.  @b keeps
 * pointers into @data (and to @base); nothing is allocated.
 *
 * Return: 0, or -EINVAL if @data is not such a blob.
 */
int rtvirt_btf_init(struct rtvirt_btf *b, const void *data, size_t len,
		    const struct rtvirt_btf *base)
{
	const u8 *d = data;
	struct btf_rec r;
	u32 hdr_len, type_off, type_len, str_off, str_len, off, i;

	if (len < BTF_HDR_LEN || (base && base->base))
		return -EINVAL;
	hdr_len = rd32(d + 4);
	type_off = rd32(d + 8);
	type_len = rd32(d + 12);
	str_off = rd32(d + 16);
	str_len = rd32(d + 20);
	if ((d[0] | d[1] << 8) != BTF_MAGIC_LE || d[2] != BTF_VERSION_1 ||
	    hdr_len < BTF_HDR_LEN || hdr_len > len)
		return -EINVAL;
	d += hdr_len;
	len -= hdr_len;
	if ((u64)type_off + type_len > len || (u64)str_off + str_len > len)
		return -EINVAL;
	if (!str_len || d[str_off + str_len - 1] || (!base && d[str_off]))
		return -EINVAL;

	b->types = d + type_off;
	b->types_len = type_len;
	b->strs = (const char *)d + str_off;
	b->strs_len = str_len;
	b->base = base;
	b->first_id = base ? base->first_id + base->nr_types : 1;
	b->nr_types = 0;
	for (off = 0; off < type_len; off += r.len, b->nr_types++) {
		if (!btf_rec(b, off, &r) || !btf_str(b, r.name_off))
			return -EINVAL;
		if (r.kind != BTFK_STRUCT && r.kind != BTFK_UNION)
			continue;
		for (i = 0; i < r.vlen; i++)
			if (!btf_str(b, rd32(r.data + i * 12)))
				return -EINVAL;
	}
	return 0;
}

/*
 * Size of type @id as a member: through typedefs and modifiers to a sized
 * type, a pointer (x86-64) or an array of one.
 */
static int type_size(const struct rtvirt_btf *b, u32 id, u32 *size)
{
	struct btf_rec r;
	u64 mult = 1;
	u32 enc;
	int depth;

	for (depth = 0; depth < BTF_MAX_DEPTH; depth++) {
		if (!btf_type(b, id, &r))
			return -EINVAL;
		switch (r.kind) {
		case BTFK_TYPEDEF:
		case BTFK_VOLATILE:
		case BTFK_CONST:
		case BTFK_RESTRICT:
		case BTFK_TYPE_TAG:
			id = r.size_type;
			continue;
		case BTFK_ARRAY:
			id = rd32(r.data);
			mult *= rd32(r.data + 8);
			if (mult > BTF_SIZE_MAX)
				return -EINVAL;
			continue;
		case BTFK_INT:
			/* Bits 0-7: width; 16-23: bit offset (old bitfields). */
			enc = rd32(r.data);
			if ((enc & 0xff) != (u64)r.size_type * 8 || enc & 0xff0000)
				return -EOPNOTSUPP;
			break;
		case BTFK_PTR:
			r.size_type = sizeof(u64);
			break;
		case BTFK_ENUM:
		case BTFK_ENUM64:
		case BTFK_STRUCT:
		case BTFK_UNION:
		case BTFK_FLOAT:
			break;
		default:
			return -EINVAL;
		}
		mult *= r.size_type;
		if (mult > BTF_SIZE_MAX)
			return -EINVAL;
		*size = (u32)mult;
		return 0;
	}
	return -EINVAL;
}

/* The first STRUCT named @name defined in @b itself (not in its base). */
static int find_struct(const struct rtvirt_btf *b, const char *name,
		       struct btf_rec *r)
{
	u32 off;

	for (off = 0; off < b->types_len; off += r->len) {
		if (!btf_rec(b, off, r))
			return -EINVAL;
		if (r->kind == BTFK_STRUCT && name_is(b, r->name_off, name))
			return 0;
	}
	return -ENOENT;
}

/**
 * rtvirt_btf_member() - where a struct member is
 * @b:		BTF checked by rtvirt_btf_init()
 * @type:	name of the struct (defined in @b, not in its base)
 * @member:	name of a direct member (not one of an anonymous member)
 * @offset:	result: byte offset of @member in the struct
 * @size:	result: bytes of @member
 *
 * The member's type is followed through typedefs and modifiers; a pointer
 * has 8 bytes (x86-64), an array the size of its elements times their
 * number.  On error, @offset and @size are left as they were.
 *
 * Return: 0; -ENOENT if there is no such struct (a forward declaration is
 * not one) or member; -EOPNOTSUPP if the member is a bitfield or not byte
 * aligned; -EINVAL if the BTF is malformed (a type id out of range, a
 * type chain too deep or looping, a member beyond the struct's size).
 */
int rtvirt_btf_member(const struct rtvirt_btf *b, const char *type,
		      const char *member, u32 *offset, u32 *size)
{
	struct btf_rec r;
	u32 i, off, sz;
	int ret;

	ret = find_struct(b, type, &r);
	if (ret)
		return ret;
	for (i = 0; i < r.vlen; i++) {
		const u8 *m = r.data + i * 12;

		if (!name_is(b, rd32(m), member))
			continue;
		off = rd32(m + 8);
		if (r.kflag && off >> 24)
			return -EOPNOTSUPP;
		if (r.kflag)
			off &= 0xffffff;
		if (off % 8)
			return -EOPNOTSUPP;
		ret = type_size(b, rd32(m + 4), &sz);
		if (ret)
			return ret;
		if (off / 8 + (u64)sz > r.size_type)
			return -EINVAL;
		*offset = off / 8;
		*size = sz;
		return 0;
	}
	return -ENOENT;
}

/**
 * rtvirt_btf_struct_size() - sizeof a struct
 * @b:		BTF checked by rtvirt_btf_init()
 * @type:	name of the struct (defined in @b, not in its base)
 * @size:	result: its size in bytes, as the BTF says
 *
 * Return: 0; -ENOENT if there is no such struct; -EINVAL if malformed.
 */
int rtvirt_btf_struct_size(const struct rtvirt_btf *b, const char *type,
			   u32 *size)
{
	struct btf_rec r;
	int ret = find_struct(b, type, &r);

	if (!ret)
		*size = r.size_type;
	return ret;
}
