// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO instruction decoder for 64-bit mode.  Handles what Linux's
 * readb/w/l/q and writeb/w/l/q and plain volatile accesses compile to: MOV
 * between a register or an immediate and memory (88, 89, 8A, 8B, C6 /0,
 * C7 /0), MOVZX and MOVSX from memory (0F B6, 0F B7, 0F BE, 0F BF), with
 * the operand-size, address-size, segment and REX prefixes and every
 * ModRM/SIB/displacement form.  Everything else (string instructions, REP
 * and LOCK prefixes, read-modify-write instructions, register-only forms)
 * is refused: the caller then fails the access rather than guess.
 *
 * The decoder reads at most @avail bytes and never more than 15.
 */
#include <vmm/decode.h>

#define ERR_INVAL	(-22)	/* not an instruction the VMM emulates */
#define ERR_TRUNC	(-61)	/* more bytes needed (ENODATA) */

struct cursor {
	const u8 *code;
	size_t avail;
	size_t pos;
};

static int next(struct cursor *c, u8 *b)
{
	if (c->pos >= c->avail)
		return ERR_TRUNC;
	if (c->pos >= INSN_MAX_LEN)
		return ERR_INVAL;
	*b = c->code[c->pos++];
	return 0;
}

static int skip(struct cursor *c, size_t n)
{
	if (c->pos + n > INSN_MAX_LEN)
		return ERR_INVAL;
	if (c->pos + n > c->avail)
		return ERR_TRUNC;
	c->pos += n;
	return 0;
}

/* Little-endian immediate of @n bytes, sign-extended to 64 bits. */
static int read_imm(struct cursor *c, size_t n, u64 *val)
{
	u64 v = 0;
	int ret = skip(c, n);

	if (ret)
		return ret;
	for (size_t i = 0; i < n; i++)
		v |= (u64)c->code[c->pos - n + i] << (8 * i);
	if (n < 8 && (v >> (8 * n - 1)) & 1)
		v |= ~0ULL << (8 * n);
	*val = v;
	return 0;
}

/* Skip SIB and displacement; refuse register-direct (mod 3) operands. */
static int memory_operand(struct cursor *c, u8 modrm, bool addr32)
{
	u8 mod = modrm >> 6, rm = modrm & 7, sib;
	int ret;

	(void)addr32;	/* 67 changes the address width, not the encoding */
	if (mod == 3)
		return ERR_INVAL;
	if (rm == 4) {
		ret = next(c, &sib);
		if (ret)
			return ret;
		if (mod == 0 && (sib & 7) == 5)
			return skip(c, 4);	/* no base: disp32 */
	}
	if (mod == 0 && rm == 5)
		return skip(c, 4);		/* RIP-relative disp32 */
	if (mod == 1)
		return skip(c, 1);
	if (mod == 2)
		return skip(c, 4);
	return 0;
}

/**
 * decode_mmio() - decode the instruction that made an MMIO access
 * @code:	instruction bytes at the guest's RIP
 * @avail:	bytes readable at @code (the caller may fetch up to 15)
 * @insn:	result
 *
 * Return: 0; -22 (EINVAL) for an instruction the VMM does not emulate;
 * -61 (ENODATA) when @avail bytes end before the instruction does.
 */
int decode_mmio(const u8 *code, size_t avail, struct mmio_insn *insn)
{
	struct cursor c = { .code = code, .avail = avail };
	bool opsize = false, addr32 = false;
	u8 rex = 0, op, modrm;
	int ret;

	*insn = (struct mmio_insn){ 0 };
	/* Legacy prefixes, then at most one REX directly before the opcode. */
	for (;;) {
		ret = next(&c, &op);
		if (ret)
			return ret;
		if (op == 0x66)
			opsize = true;
		else if (op == 0x67)
			addr32 = true;
		else if (op == 0x2e || op == 0x36 || op == 0x3e ||
			 op == 0x26 || op == 0x64 || op == 0x65)
			continue;	/* segment overrides: address, not shape */
		else if (op == 0xf0 || op == 0xf2 || op == 0xf3)
			return ERR_INVAL;	/* LOCK, REP: not plain MMIO */
		else
			break;
	}
	if ((op & 0xf0) == 0x40) {
		rex = op;
		ret = next(&c, &op);
		if (ret)
			return ret;
	}

	insn->size = rex & 8 ? 8 : opsize ? 2 : 4;
	switch (op) {
	case 0x88:	/* MOV r/m8, r8 */
	case 0x8a:	/* MOV r8, r/m8 */
		insn->size = 1;
		fallthrough;
	case 0x89:	/* MOV r/m, r */
	case 0x8b:	/* MOV r, r/m */
		insn->kind = op & 2 ? MMIO_LOAD : MMIO_STORE_REG;
		break;
	case 0xc6:	/* MOV r/m8, imm8 */
		insn->size = 1;
		fallthrough;
	case 0xc7:	/* MOV r/m, imm16/32 */
		insn->kind = MMIO_STORE_IMM;
		break;
	case 0x0f:
		ret = next(&c, &op);
		if (ret)
			return ret;
		if (op != 0xb6 && op != 0xb7 && op != 0xbe && op != 0xbf)
			return ERR_INVAL;
		insn->kind = MMIO_LOAD;
		insn->dest_size = insn->size;
		insn->size = op & 1 ? 2 : 1;
		insn->sign_extend = op & 8;
		break;
	default:
		return ERR_INVAL;
	}

	ret = next(&c, &modrm);
	if (ret)
		return ret;
	if (insn->kind == MMIO_STORE_IMM && ((modrm >> 3) & 7))
		return ERR_INVAL;	/* C6/C7 with reg != 0 */
	ret = memory_operand(&c, modrm, addr32);
	if (ret)
		return ret;

	insn->reg = ((modrm >> 3) & 7) | (rex & 4 ? 8 : 0);
	insn->high8 = insn->size == 1 && !rex && insn->reg >= 4 &&
		      insn->kind != MMIO_STORE_IMM && !insn->dest_size;
	if (!insn->dest_size)
		insn->dest_size = insn->size;
	if (insn->kind == MMIO_STORE_IMM) {
		insn->reg = 0;
		/* imm8, imm16, or imm32 (sign-extended for 8-byte stores) */
		ret = read_imm(&c, insn->size == 8 ? 4 : insn->size, &insn->imm);
		if (ret)
			return ret;
		if (insn->size < 8)
			insn->imm &= (1ULL << (8 * insn->size)) - 1;
	}
	insn->len = c.pos;
	return 0;
}

/**
 * decode_insn_len() - length of an intercepted instruction with prefixes
 * @code:	the bytes at the guest's RIP
 * @avail:	how many of them could be fetched
 * @opcode:	the instruction's opcode bytes (0F A2 for CPUID, for example)
 * @oplen:	their number
 *
 * What RIP must advance by when the CPU does not report the next RIP: an
 * intercepted CPUID, RDMSR, WRMSR or VMMCALL may carry legacy prefixes and
 * a REX prefix, which do not change what it does but add to its length.
 *
 * Return: the length, or a negative value when the bytes are not the
 * expected instruction (the caller then keeps the fixed length).
 */
int decode_insn_len(const u8 *code, size_t avail, const u8 *opcode,
		    size_t oplen)
{
	struct cursor c = { .code = code, .avail = avail };
	size_t start;
	u8 b;
	int ret;

	for (;;) {
		ret = next(&c, &b);
		if (ret)
			return ret;
		if (b != 0x66 && b != 0x67 && b != 0x2e && b != 0x36 &&
		    b != 0x3e && b != 0x26 && b != 0x64 && b != 0x65 &&
		    b != 0xf0 && b != 0xf2 && b != 0xf3 && (b & 0xf0) != 0x40)
			break;
	}
	start = c.pos - 1;
	if (b != opcode[0])
		return ERR_INVAL;
	for (size_t i = 1; i < oplen; i++) {
		ret = next(&c, &b);
		if (ret)
			return ret;
		if (b != opcode[i])
			return ERR_INVAL;
	}
	return (int)(start + oplen);
}
