/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decoder for the instructions a kernel uses to access MMIO registers:
 * what the VMM needs to emulate a trapped access when the CPU gives no
 * decode assist (no instruction bytes, no next RIP).
 */
#ifndef _VMM_DECODE_H
#define _VMM_DECODE_H

#include <vmm/types.h>

#define INSN_MAX_LEN	15

/**
 * enum mmio_kind - what the instruction does with the memory operand
 * @MMIO_LOAD:		register <- memory (MOV, MOVZX, MOVSX)
 * @MMIO_STORE_REG:	memory <- register (MOV)
 * @MMIO_STORE_IMM:	memory <- immediate (MOV)
 */
enum mmio_kind {
	MMIO_LOAD,
	MMIO_STORE_REG,
	MMIO_STORE_IMM,
};

/**
 * struct mmio_insn - a decoded MMIO access
 * @len:	instruction length in bytes (what RIP advances by)
 * @kind:	load, store of a register, store of an immediate
 * @size:	bytes accessed in memory: 1, 2, 4 or 8
 * @reg:	register number 0-15 (RAX..R15) loaded or stored
 * @high8:	@reg 4-7 means AH, CH, DH, BH (byte access without REX)
 * @dest_size:	bytes written to @reg by a load: @size, or 2/4/8 for
 *		MOVZX/MOVSX (a 4-byte write clears bits 63:32)
 * @sign_extend: MOVSX
 * @imm:	the immediate of MMIO_STORE_IMM, already @size bytes wide
 */
struct mmio_insn {
	u8 len;
	enum mmio_kind kind;
	u8 size;
	u8 reg;
	bool high8;
	u8 dest_size;
	bool sign_extend;
	u64 imm;
};

int decode_mmio(const u8 *code, size_t avail, struct mmio_insn *insn);
int decode_insn_len(const u8 *code, size_t avail, const u8 *opcode,
		    size_t oplen);

#endif /* _VMM_DECODE_H */
