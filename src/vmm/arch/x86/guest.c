// SPDX-License-Identifier: GPL-2.0
/*
 * Access to the guest's view of a trapped instruction: translation of its
 * virtual addresses through its own page tables (guest-physical equals
 * host-physical under rtvirt's nested tables), fetching and decoding the
 * instruction, and moving the value between it and the guest's registers.
 */
#include <vmm/decode.h>
#include <vmm/vmm.h>

#define PTE_PRESENT	(1ULL << 0)
#define PTE_LARGE	(1ULL << 7)
#define PTE_ADDR	0x000ffffffffff000ULL

/**
 * guest_read_phys() - translate a guest-virtual address
 * @gva:	the address
 * @gpa:	set to the guest-physical address
 * @v:		the CPU whose current paging is used
 *
 * Return: 0, or -1 when the address is not mapped.
 */
int guest_read_phys(u64 gva, u64 *gpa, struct vcpu *v)
{
	u64 cr3, table;
	bool la57;
	int level;

	vmm_arch->paging(v, &cr3, &la57);
	table = cr3 & PTE_ADDR;
	for (level = la57 ? 5 : 4; level >= 1; level--) {
		unsigned int shift = 12 + 9 * (level - 1);
		u64 e;

		if (!vmm_reaches(table, PT_PAGE_SIZE) || vmm_owns_pa(table))
			return -1;
		e = ((const u64 *)table)[(gva >> shift) & 511];
		if (!(e & PTE_PRESENT))
			return -1;
		if (level == 1 || (level <= 3 && (e & PTE_LARGE))) {
			u64 mask = (1ULL << shift) - 1;

			*gpa = ((e & PTE_ADDR) & ~mask) | (gva & mask);
			return 0;
		}
		table = e & PTE_ADDR;
	}
	return -1;
}

/* Up to INSN_MAX_LEN bytes at the guest's RIP; returns how many. */
static size_t guest_fetch(struct vcpu *v, u8 *code)
{
	u64 rip = *vmm_arch->rip(v);
	size_t got = 0;

	while (got < INSN_MAX_LEN) {
		u64 va = rip + got, pa;
		size_t n = PT_PAGE_SIZE - (va & (PT_PAGE_SIZE - 1));

		if (n > INSN_MAX_LEN - got)
			n = INSN_MAX_LEN - got;
		if (guest_read_phys(va, &pa, v) || !vmm_reaches(pa, n) ||
		    vmm_owns_pa(pa))
			break;
		memcpy(code + got, (const void *)pa, n);
		got += n;
	}
	return got;
}

/**
 * guest_decode() - fetch and decode the instruction at the guest's RIP
 * @v:		the exiting CPU
 * @insn:	the decoded access
 *
 * Return: 0, or a negative value when the bytes cannot be fetched or are
 * not an access the decoder handles.
 */
int guest_decode(struct vcpu *v, struct mmio_insn *insn)
{
	u8 code[INSN_MAX_LEN];
	size_t got = guest_fetch(v, code);

	if (!got)
		return -1;
	return decode_mmio(code, got, insn);
}

/**
 * guest_insn_len() - length of the intercepted instruction at the guest's RIP
 * @v:		the exiting CPU
 * @opcode:	its opcode bytes
 * @oplen:	their number, also the length without prefixes
 *
 * For a CPU that does not report the next RIP (no NRIP save).
 *
 * Return: the length with its prefixes, or @oplen when the bytes cannot be
 * fetched or are not that instruction.
 */
unsigned int guest_insn_len(struct vcpu *v, const u8 *opcode, size_t oplen)
{
	u8 code[INSN_MAX_LEN];
	size_t got = guest_fetch(v, code);
	int len = got ? decode_insn_len(code, got, opcode, oplen) : -1;

	return len > 0 ? (unsigned int)len : oplen;
}

/**
 * guest_store_value() - the value a decoded store writes
 * @v:		the exiting CPU
 * @insn:	a MMIO_STORE_REG or MMIO_STORE_IMM access
 *
 * Return: the value, @insn->size bytes wide.
 */
u64 guest_store_value(struct vcpu *v, const struct mmio_insn *insn)
{
	u64 val;

	if (insn->kind == MMIO_STORE_IMM)
		return insn->imm;
	if (insn->high8)
		return (*vmm_arch->gpr(v, insn->reg - 4) >> 8) & 0xff;
	val = *vmm_arch->gpr(v, insn->reg);
	if (insn->size < 8)
		val &= (1ULL << (insn->size * 8)) - 1;
	return val;
}

/**
 * guest_complete_load() - put a loaded value in the destination register
 * @v:		the exiting CPU
 * @insn:	a MMIO_LOAD access
 * @val:	the @insn->size bytes read
 *
 * Follows the architecture: a 4-byte destination clears bits 63:32, a
 * 1- or 2-byte one keeps the rest of the register.
 */
void guest_complete_load(struct vcpu *v, const struct mmio_insn *insn, u64 val)
{
	unsigned int bits = insn->size * 8;
	u64 *reg;

	if (bits < 64) {
		val &= (1ULL << bits) - 1;
		if (insn->sign_extend && (val >> (bits - 1)) & 1)
			val |= ~0ULL << bits;
	}
	if (insn->high8) {
		reg = vmm_arch->gpr(v, insn->reg - 4);
		*reg = (*reg & ~0xff00ULL) | (val & 0xff) << 8;
		return;
	}
	reg = vmm_arch->gpr(v, insn->reg);
	switch (insn->dest_size) {
	case 1:
		*reg = (*reg & ~0xffULL) | (val & 0xff);
		break;
	case 2:
		*reg = (*reg & ~0xffffULL) | (val & 0xffff);
		break;
	case 4:
		*reg = val & 0xffffffffULL;
		break;
	default:
		*reg = val;
		break;
	}
}
