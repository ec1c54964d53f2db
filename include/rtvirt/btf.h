/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small, bounds-checked reader of BTF (BPF Type Format), enough to find
 * the offsets of struct members in the kernel's and modules' BTF
 * (/sys/kernel/btf/vmlinux, and split BTF such as /sys/kernel/btf/nvme on
 * top of it).  The bytes are untrusted: every read is checked against the
 * blob, every loop is bounded, nothing is allocated.
 *
 * Built into the module and, unchanged, into the unit tests.
 */
#ifndef _RTVIRT_BTF_H
#define _RTVIRT_BTF_H

#include <rtvirt/common.h>

/**
 * struct rtvirt_btf - a checked BTF blob
 * @types:	type section
 * @types_len:	bytes of @types
 * @strs:	string section (its last byte is a NUL)
 * @strs_len:	bytes of @strs
 * @nr_types:	type records in @types
 * @first_id:	id of the first record: 1, or base->first_id + base->nr_types
 * @base:	for split BTF, the base (vmlinux) it extends; else NULL
 *
 * Points into the data given to rtvirt_btf_init(), which must outlive it.
 */
struct rtvirt_btf {
	const u8 *types;
	u32 types_len;
	const char *strs;
	u32 strs_len;
	u32 nr_types;
	u32 first_id;
	const struct rtvirt_btf *base;
};

int rtvirt_btf_init(struct rtvirt_btf *b, const void *data, size_t len,
		    const struct rtvirt_btf *base);
int rtvirt_btf_member(const struct rtvirt_btf *b, const char *type,
		      const char *member, u32 *offset, u32 *size);
int rtvirt_btf_struct_size(const struct rtvirt_btf *b, const char *type,
			   u32 *size);

#endif /* _RTVIRT_BTF_H */
