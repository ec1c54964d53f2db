// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the VMM's MMIO instruction decoder (src/vmm/arch/x86/decode.c).
 * The accepted encodings and their lengths come from GNU as/objdump; the
 * random test feeds 2 million byte strings and checks that the decoder
 * stays within its input, is consistent with itself and reports
 * truncation exactly.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <vmm/decode.h>
#include <vmm/svm.h>

enum { L = MMIO_LOAD, SR = MMIO_STORE_REG, SI = MMIO_STORE_IMM };

static const struct vec {
	const char *hex;
	int kind, size, reg, high8, dest_size, sext;
	unsigned long long imm;
} vecs[] = {
	{ "8b07",                   L, 4, 0, 0, 4, 0, 0 },	/* mov (%rdi),%eax */
	{ "8b4f10",                 L, 4, 1, 0, 4, 0, 0 },
	{ "8b9778563412",           L, 4, 2, 0, 4, 0, 0 },
	{ "8906",                   SR, 4, 0, 0, 4, 0, 0 },
	{ "45898c2480000000",       SR, 4, 9, 0, 4, 0, 0 },	/* %r9d,0x80(%r12) */
	{ "4c8b3cd8",               L, 8, 15, 0, 8, 0, 0 },
	{ "4c89842400100000",       SR, 8, 8, 0, 8, 0, 0 },
	{ "668b07",                 L, 2, 0, 0, 2, 0, 0 },
	{ "66894a02",               SR, 2, 1, 0, 2, 0, 0 },
	{ "8a07",                   L, 1, 0, 0, 1, 0, 0 },	/* %al */
	{ "8a27",                   L, 1, 4, 1, 1, 0, 0 },	/* %ah */
	{ "883f",                   SR, 1, 7, 1, 1, 0, 0 },	/* %bh */
	{ "408837",                 SR, 1, 6, 0, 1, 0, 0 },	/* %sil */
	{ "458a5500",               L, 1, 10, 0, 1, 0, 0 },	/* %r10b */
	{ "c70778563412",           SI, 4, 0, 0, 4, 0, 0x12345678 },
	{ "c74708f0ffffff",         SI, 4, 0, 0, 4, 0, 0xfffffff0 },
	{ "48c707ffffffff",         SI, 8, 0, 0, 8, 0, 0xffffffffffffffffULL },
	{ "48c7448f40ffffff7f",     SI, 8, 0, 0, 8, 0, 0x7fffffff },
	{ "66c707efbe",             SI, 2, 0, 0, 2, 0, 0xbeef },
	{ "c647ff5a",               SI, 1, 0, 0, 1, 0, 0x5a },
	{ "0fb607",                 L, 1, 0, 0, 4, 0, 0 },	/* movzbl */
	{ "440fb75f04",             L, 2, 11, 0, 4, 0, 0 },	/* movzwl ...,%r11d */
	{ "480fb607",               L, 1, 0, 0, 8, 0, 0 },	/* movzbq */
	{ "660fb607",               L, 1, 0, 0, 2, 0, 0 },	/* movzbw */
	{ "0fbe0f",                 L, 1, 1, 0, 4, 1, 0 },	/* movsbl */
	{ "480fbf5702",             L, 2, 2, 0, 8, 1, 0 },	/* movswq */
	{ "8b0500010000",           L, 4, 0, 0, 4, 0, 0 },	/* RIP-relative */
	{ "8b042578563412",         L, 4, 0, 0, 4, 0, 0 },	/* absolute disp32 */
	{ "658b07",                 L, 4, 0, 0, 4, 0, 0 },	/* %gs: */
	{ "678b07",                 L, 4, 0, 0, 4, 0, 0 },	/* (%edi) */
	{ "8b4500",                 L, 4, 0, 0, 4, 0, 0 },	/* 0(%rbp) */
	{ "418b4500",               L, 4, 0, 0, 4, 0, 0 },	/* 0(%r13) */
	{ "8b0424",                 L, 4, 0, 0, 4, 0, 0 },	/* (%rsp) */
	{ "418b0424",               L, 4, 0, 0, 4, 0, 0 },	/* (%r12) */
	{ "488b04cd00000000",       L, 8, 0, 0, 8, 0, 0 },	/* (,%rcx,8) */
	{ "468b447510",             L, 4, 8, 0, 4, 0, 0 },	/* ...,%r8d */
};

static size_t unhex(const char *hex, unsigned char *out)
{
	size_t n = 0;

	for (; hex[0] && hex[1]; hex += 2)
		out[n++] = (unsigned char)strtoul((char[]){ hex[0], hex[1], 0 },
						  NULL, 16);
	return n;
}

START_TEST(assembler_vectors)
{
	for (size_t i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		const struct vec *v = &vecs[i];
		unsigned char code[16];
		struct mmio_insn in;
		size_t n = unhex(v->hex, code);

		ck_assert_msg(decode_mmio(code, n, &in) == 0, "%s refused", v->hex);
		ck_assert_msg(in.len == n && (int)in.kind == v->kind &&
			      in.size == v->size && in.reg == v->reg &&
			      in.high8 == v->high8 &&
			      in.dest_size == v->dest_size &&
			      in.sign_extend == v->sext && in.imm == v->imm,
			      "%s: len %u kind %d size %u reg %u high8 %d dest %u sext %d imm %#llx",
			      v->hex, in.len, in.kind, in.size, in.reg, in.high8,
			      in.dest_size, in.sign_extend,
			      (unsigned long long)in.imm);
		/* More bytes after the instruction change nothing. */
		memset(code + n, 0x90, sizeof(code) - n);
		ck_assert_int_eq(decode_mmio(code, sizeof(code), &in), 0);
		ck_assert_uint_eq(in.len, n);
		/* Every shorter input is reported as truncated. */
		for (size_t k = 0; k < n; k++)
			ck_assert_msg(decode_mmio(code, k, &in) == -61,
				      "%s cut to %zu", v->hex, k);
	}
}
END_TEST

START_TEST(refused)
{
	static const char *const bad[] = {
		"f3a5",		/* rep movsl */
		"a5",		/* movsl */
		"f00107",	/* lock add %eax,(%rdi) */
		"0107",		/* add %eax,(%rdi): read-modify-write */
		"8bc0",		/* mov %eax,%eax: no memory operand */
		"89c0",
		"c6c05a",	/* mov $0x5a,%al */
		"c74f0800000000", /* C7 /1: undefined */
		"0f2007",	/* mov %cr0: not MMIO */
		"f38b07",	/* rep-prefixed mov */
		"ff07",		/* incl (%rdi) */
		"0fb6c0",	/* movzbl %al,%eax */
	};
	unsigned char code[32];
	struct mmio_insn in;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n = unhex(bad[i], code);

		ck_assert_msg(decode_mmio(code, n, &in) == -22, "%s accepted",
			      bad[i]);
	}
	/* 15 bytes at most: fourteen prefixes and an opcode is too long. */
	memset(code, 0x66, 14);
	memcpy(code + 14, "\x8b\x07", 2);
	ck_assert_int_eq(decode_mmio(code, 16, &in), -22);
	memset(code, 0x66, 12);
	memcpy(code + 12, "\x8b\x07", 2);
	ck_assert_int_eq(decode_mmio(code, 14, &in), 0);
	ck_assert_uint_eq(in.len, 14);
}
END_TEST

static unsigned long long rng = 0x853c49e6748fea9bULL;

static unsigned int rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned int)(rng >> 11);
}

START_TEST(random_bytes)
{
	static const unsigned char firsts[] = {
		0x66, 0x67, 0x40, 0x44, 0x48, 0x4c, 0x41, 0x65, 0x88, 0x89,
		0x8a, 0x8b, 0xc6, 0xc7, 0x0f, 0xf3,
	};
	unsigned long accepted = 0;

	for (int iter = 0; iter < 2000000; iter++) {
		size_t avail = rnd() % 18;
		unsigned char *code = malloc(avail ? avail : 1);
		struct mmio_insn a, b;
		int ret;

		/* Exactly @avail bytes: ASan catches any read beyond. */
		for (size_t i = 0; i < avail; i++)
			code[i] = rnd() % 3 ? firsts[rnd() % sizeof(firsts)] :
				  (unsigned char)rnd();
		ret = decode_mmio(code, avail, &a);
		if (ret != 0 && ret != -22 && ret != -61)
			ck_abort_msg("unexpected result %d", ret);
		if (!ret) {
			accepted++;
			if (a.len > avail || a.len > INSN_MAX_LEN ||
			    (a.size != 1 && a.size != 2 && a.size != 4 &&
			     a.size != 8) || a.reg > 15 ||
			    decode_mmio(code, a.len, &b) || b.len != a.len ||
			    b.reg != a.reg || b.size != a.size ||
			    decode_mmio(code, a.len - 1, &b) != -61)
				ck_abort_msg("inconsistent decode, len %u", a.len);
		}
		free(code);
	}
	ck_assert(accepted > 1000);
}
END_TEST

START_TEST(intercepted_insn_len)
{
	static const u8 cpuid[] = { 0x0f, 0xa2 }, wrmsr[] = { 0x0f, 0x30 };
	static const u8 vmmcall[] = { 0x0f, 0x01, 0xd9 };
	static const u8 plain[] = { 0x0f, 0xa2, 0x90 };
	static const u8 prefixed[] = { 0x66, 0x2e, 0x48, 0x0f, 0xa2 };
	static const u8 rex_wrmsr[] = { 0x48, 0x0f, 0x30 };
	static const u8 vmmcall_p[] = { 0x3e, 0x0f, 0x01, 0xd9, 0xcc };
	static const u8 wrong[] = { 0x0f, 0x32 };
	static const u8 short_vmm[] = { 0x0f, 0x01 };
	u8 many[16];

	ck_assert_int_eq(decode_insn_len(plain, sizeof(plain), cpuid, 2), 2);
	ck_assert_int_eq(decode_insn_len(prefixed, sizeof(prefixed), cpuid, 2), 5);
	ck_assert_int_eq(decode_insn_len(rex_wrmsr, sizeof(rex_wrmsr), wrmsr, 2), 3);
	ck_assert_int_eq(decode_insn_len(vmmcall_p, sizeof(vmmcall_p), vmmcall, 3), 4);
	/* Not the instruction, too few bytes, too long: refused. */
	ck_assert_int_lt(decode_insn_len(wrong, sizeof(wrong), wrmsr, 2), 0);
	ck_assert_int_lt(decode_insn_len(short_vmm, sizeof(short_vmm), vmmcall, 3), 0);
	ck_assert_int_lt(decode_insn_len(prefixed, 0, cpuid, 2), 0);
	memset(many, 0x66, sizeof(many));
	many[14] = 0x0f;
	many[15] = 0xa2;
	ck_assert_int_lt(decode_insn_len(many, sizeof(many), cpuid, 2), 0);
	many[13] = 0x0f;
	many[14] = 0xa2;
	ck_assert_int_eq(decode_insn_len(many, sizeof(many), cpuid, 2), 15);
}
END_TEST

START_TEST(requeue_event)
{
	const u64 valid = SVM_EVTINJ_VALID;

	ck_assert_uint_eq(svm_requeue_event(0x30), 0);	/* not valid */
	/* External interrupt, as such and as QEMU's "exception" form. */
	ck_assert_uint_eq(svm_requeue_event(valid | 0x30), valid | 0x30);
	ck_assert_uint_eq(svm_requeue_event(valid | SVM_EVTINJ_TYPE_EXEPT | 0xec),
			  valid | 0xec);
	/* NMI, as such and reported as exception vector 2. */
	ck_assert_uint_eq(svm_requeue_event(valid | SVM_EVTINJ_TYPE_NMI | 2),
			  valid | SVM_EVTINJ_TYPE_NMI | 2);
	ck_assert_uint_eq(svm_requeue_event(valid | SVM_EVTINJ_TYPE_EXEPT | 2),
			  valid | SVM_EVTINJ_TYPE_NMI | 2);
	/* #PF with its error code goes in unchanged. */
	ck_assert_uint_eq(svm_requeue_event(0x200000000ULL | valid |
					    SVM_EVTINJ_VALID_ERR |
					    SVM_EVTINJ_TYPE_EXEPT | 14),
			  0x200000000ULL | valid | SVM_EVTINJ_VALID_ERR |
			  SVM_EVTINJ_TYPE_EXEPT | 14);
	/* INTn, INT3, INTO run again instead. */
	ck_assert_uint_eq(svm_requeue_event(valid | SVM_EVTINJ_TYPE_SOFT | 0x80), 0);
	ck_assert_uint_eq(svm_requeue_event(valid | SVM_EVTINJ_TYPE_EXEPT | 3), 0);
	ck_assert_uint_eq(svm_requeue_event(valid | SVM_EVTINJ_TYPE_EXEPT | 4), 0);
	/* Reserved types. */
	ck_assert_uint_eq(svm_requeue_event(valid | 1U << 8 | 0x30), 0);
	ck_assert_uint_eq(svm_requeue_event(valid | 7U << 8 | 0x30), 0);
}
END_TEST

START_TEST(merge_exception)
{
	const u64 valid = SVM_EVTINJ_VALID, exept = SVM_EVTINJ_TYPE_EXEPT;
	const u64 gp = valid | exept | SVM_EVTINJ_VALID_ERR | 13;
	const u64 ud = valid | exept | 6, db = valid | exept | 1;
	const u64 df = valid | exept | SVM_EVTINJ_VALID_ERR | 8;
	const u64 pf = 0x2ULL << 32 | valid | exept | SVM_EVTINJ_VALID_ERR | 14;
	u64 held = 1;

	/* Nothing re-queued: the exception as raised. */
	ck_assert_uint_eq(x86_merge_exception(0, gp, &held), gp);
	ck_assert_uint_eq(held, 0);
	/* An interrupt or NMI being delivered: the exception first, then it. */
	ck_assert_uint_eq(x86_merge_exception(valid | 0xec, gp, &held), gp);
	ck_assert_uint_eq(held, valid | 0xec);
	ck_assert_uint_eq(x86_merge_exception(valid | SVM_EVTINJ_TYPE_NMI | 2,
					      ud, &held), ud);
	ck_assert_uint_eq(held, valid | SVM_EVTINJ_TYPE_NMI | 2);
	/* Contributory on contributory, and #GP or #PF on #PF: #DF. */
	ck_assert_uint_eq(x86_merge_exception(gp, gp, &held), df);
	ck_assert_uint_eq(held, 0);
	ck_assert_uint_eq(x86_merge_exception(valid | exept | 0, gp, &held), df);
	ck_assert_uint_eq(x86_merge_exception(pf, gp, &held), df);
	ck_assert_uint_eq(x86_merge_exception(pf, pf, &held), df);
	/* #PF on a contributory one, benign ones anywhere: serially. */
	ck_assert_uint_eq(x86_merge_exception(gp, pf, &held), pf);
	ck_assert_uint_eq(x86_merge_exception(gp, ud, &held), ud);
	ck_assert_uint_eq(x86_merge_exception(pf, db, &held), db);
	ck_assert_uint_eq(x86_merge_exception(ud, gp, &held), gp);
	ck_assert_uint_eq(held, 0);
	/* A contributory exception or #PF while delivering #DF: shutdown. */
	ck_assert_uint_eq(x86_merge_exception(df, gp, &held), X86_MERGE_SHUTDOWN);
	ck_assert_uint_eq(x86_merge_exception(df, pf, &held), X86_MERGE_SHUTDOWN);
	ck_assert_uint_eq(x86_merge_exception(df, ud, &held), ud);
}
END_TEST

static Suite *decode_suite(void)
{
	Suite *s = suite_create("decode");
	TCase *tc = tcase_create("decode");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, assembler_vectors);
	tcase_add_test(tc, refused);
	tcase_add_test(tc, random_bytes);
	tcase_add_test(tc, intercepted_insn_len);
	tcase_add_test(tc, requeue_event);
	tcase_add_test(tc, merge_exception);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(decode_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
