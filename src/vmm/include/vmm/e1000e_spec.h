/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Intel 82574 (e1000e) structures and constants the VMM's NIC model uses,
 * from the 82574 GbE Controller Family datasheet: the registers of the
 * descriptor rings and the few others the model reads, and the transmit and
 * receive descriptors in the formats Linux's e1000e driver uses (legacy and
 * extended, and packet split).
 */
#ifndef _VMM_E1000E_SPEC_H
#define _VMM_E1000E_SPEC_H

#include <vmm/types.h>

/* Registers (offsets in BAR 0) */
#define E1000_CTRL		0x00000
#define E1000_STATUS		0x00008
#define E1000_ICR		0x000c0	/* interrupt cause read */
#define E1000_ICS		0x000c8	/* interrupt cause set */
#define E1000_RCTL		0x00100
#define E1000_TCTL		0x00400
#define E1000_RFCTL		0x05008
#define E1000_PSRCTL		0x02170

/* Receive queue 0; queue 1 is at + 0x100 */
#define E1000_RDBAL		0x02800
#define E1000_RDBAH		0x02804
#define E1000_RDLEN		0x02808
#define E1000_RDH		0x02810
#define E1000_RDT		0x02818
#define E1000_RDTR		0x02820	/* receive delay timer */
/* Transmit queue 0; queue 1 is at + 0x100 */
#define E1000_TDBAL		0x03800
#define E1000_TDBAH		0x03804
#define E1000_TDLEN		0x03808
#define E1000_TDH		0x03810
#define E1000_TDT		0x03818
#define E1000_TIDV		0x03820	/* transmit interrupt delay */
#define E1000_QUEUE1		0x00100	/* queue 1's registers, from queue 0's */

/*
 * 82542-compatible aliases of queue 0's ring registers and delay timers,
 * in the first page, which QEMU's 82574 decodes too.
 */
#define E1000_RDTR_A		0x00108
#define E1000_RDBAL_A		0x00110
#define E1000_RDBAH_A		0x00114
#define E1000_RDLEN_A		0x00118
#define E1000_RDH_A		0x00120
#define E1000_RDT_A		0x00128
#define E1000_TDBAL_A		0x00420
#define E1000_TDBAH_A		0x00424
#define E1000_TDLEN_A		0x00428
#define E1000_TDH_A		0x00430
#define E1000_TDT_A		0x00438
#define E1000_TIDV_A		0x00440

/*
 * The pages the model traps: from the general registers (with the aliases)
 * to the transmit registers of both queues (0x3000-0x3fff).
 */
#define E1000_TRAPPED_REGS	0x04000

#define E1000_CTRL_RST		(1U << 26)	/* device reset */

/*
 * The I/O BAR: a register's offset written to IOADDR, its value read or
 * written at IODATA, both as doublewords.
 */
#define E1000_IOADDR		0x0
#define E1000_IODATA		0x4
#define E1000_IOADDR_MASK	0x7ffff		/* bits 18:0, the rest 0 */
#define E1000_IO_BAR_MIN	8

/*
 * Receive interrupt causes: RXT0 in legacy and MSI mode, RXQ0 (routed
 * through IVAR) in MSI-X mode; setting both in ICS raises the receive
 * interrupt in any mode, as Linux's e1000e does with ICS itself.
 */
#define E1000_ICR_RXT0		(1U << 7)
#define E1000_ICR_RXQ0		(1U << 20)

#define E1000_RCTL_EN		(1U << 1)
#define E1000_RCTL_LPE		(1U << 5)	/* long packets */
#define E1000_RCTL_DTYP_MASK	(3U << 10)	/* 0: legacy or extended */
#define E1000_RCTL_DTYP_PS	(1U << 10)	/* packet split */
#define E1000_RCTL_BSIZE(r)	(((r) >> 16) & 3)
#define E1000_RCTL_BSEX		(1U << 25)
#define E1000_RCTL_FLXBUF(r)	(((r) >> 27) & 0xf)	/* KiB; 0: BSIZE */
#define E1000_TCTL_EN		(1U << 1)
#define E1000_RFCTL_EXTEN	(1U << 15)	/* extended receive descriptors */
#define E1000_FPD		(1U << 31)	/* RDTR, TIDV: flush partial blocks */

#define E1000_RING_ALIGN	128	/* RDLEN, TDLEN: multiples of this */

/*
 * Packet split (RCTL.DTYP 01b, extended descriptors): 32-byte receive
 * descriptors with four buffers, a header buffer (PSRCTL.BSIZE0, in 128
 * bytes) and three data buffers (BSIZE1-3, in KiB; 0: not used).
 */
#define E1000_PS_BUFFERS	4
#define E1000_PS_DESC_SIZE	32
#define E1000_PSRCTL_BSIZE0(p)	(((p) & 0x7f) * 128)
#define E1000_PSRCTL_BSIZEN(p, n) ((((p) >> (8 * (n))) & 0x3f) * 1024)

/**
 * struct e1000_tx_desc - a transmit descriptor (16 bytes), any format
 * @addr:	data descriptors: buffer address; context descriptors:
 *		offload fields
 * @lower:	legacy: length (15:0), CSO, CMD (31:24); extended: length
 *		(19:0), DTYP (23:20), DCMD (31:24)
 * @upper:	STA (3:0, DD is bit 0) and the rest; the controller writes
 *		the status back here
 */
struct e1000_tx_desc {
	u64 addr;
	u32 lower;
	u32 upper;
};

#define E1000_TXD_CMD_EOP	(1U << 24)
#define E1000_TXD_CMD_RS	(1U << 27)	/* report status: write back DD */
#define E1000_TXD_CMD_DEXT	(1U << 29)	/* extended format */
#define E1000_TXD_DTYP(l)	(((l) >> 20) & 0xf)
#define E1000_TXD_DTYP_CTX	0
#define E1000_TXD_DTYP_DATA	1
#define E1000_TXD_LEGACY_LEN(l)	((l) & 0xffff)
#define E1000_TXD_EXT_LEN(l)	((l) & 0xfffff)
#define E1000_TXD_STAT_DD	(1U << 0)

/*
 * Bit 24 is EOP only in a data descriptor: in an extended context
 * descriptor it is TUCMD's TCP bit (and the length field is PAYLEN).
 */
static inline bool e1000_txd_is_data(u32 lower)
{
	return !(lower & E1000_TXD_CMD_DEXT) ||
	       E1000_TXD_DTYP(lower) == E1000_TXD_DTYP_DATA;
}

/* Bytes of data a transmit descriptor gives: 0 for a context descriptor. */
static inline u32 e1000_txd_data_len(u32 lower)
{
	if (!e1000_txd_is_data(lower))
		return 0;
	return lower & E1000_TXD_CMD_DEXT ? E1000_TXD_EXT_LEN(lower) :
	       E1000_TXD_LEGACY_LEN(lower);
}

/* Whether a transmit descriptor ends a frame. */
static inline bool e1000_txd_eop(u32 lower)
{
	return e1000_txd_is_data(lower) && (lower & E1000_TXD_CMD_EOP);
}

/**
 * struct e1000_rx_desc - a receive descriptor (16 bytes)
 * @addr:	read format: buffer address; extended write-back: MRQ and
 *		RSS hash or IP id and checksum
 * @wb_lo:	legacy: length (15:0), checksum (31:16); extended:
 *		status (19:0) and errors (31:20), DD is bit 0
 * @wb_hi:	legacy: status (7:0, DD is bit 0), errors (15:8), special;
 *		extended: length (15:0), VLAN tag (31:16)
 * @wb:		@wb_lo and @wb_hi as one
 *
 * The controller reads @addr and writes the whole descriptor back.
 */
struct e1000_rx_desc {
	u64 addr;
	union {
		struct {
			u32 wb_lo;
			u32 wb_hi;
		};
		u64 wb;		/* both, written at once */
	};
};

#define E1000_RXD_STAT_DD	(1U << 0)
#define E1000_RXD_STAT_EOP	(1U << 1)	/* both formats */
#define E1000_RXD_LEGACY_RXE	(1U << 15)	/* @wb_hi: RX data error */
#define E1000_RXD_EXT_RXE	(1U << 31)	/* @wb_lo: RX data error */
#define E1000_RXD_LEGACY_TCPE	(1U << 13)	/* @wb_hi: TCP/UDP checksum error */
#define E1000_RXD_EXT_TCPE	(1U << 29)	/* @wb_lo: TCP/UDP checksum error */

/*
 * A packet-split descriptor is two struct e1000_rx_desc: in read format
 * the four buffer addresses (first .addr, first .wb, second .addr, second
 * .wb); written back, the first is laid out as an extended write-back
 * (status in .wb_lo, the header buffer's length in .wb_hi) and the
 * second's .addr holds the header status (15:0) and the data buffers'
 * lengths (31:16, 47:32, 63:48).
 */
static inline u32 e1000_ps_data_len(u64 upper, unsigned int n)
{
	return (u32)(upper >> (16 * (n + 1))) & 0xffff;
}

_Static_assert(sizeof(struct e1000_tx_desc) == 16, "transmit descriptor");
_Static_assert(sizeof(struct e1000_rx_desc) == 16, "receive descriptor");

#define E1000_MAX_FRAME		1522	/* without LPE: longer ones are dropped */

/*
 * The most the controller writes into one receive buffer, from RCTL: the
 * flexible buffer size (FLXBUF, in KiB) where it is set, else the buffer
 * size (BSIZE and BSEX; 0 for the reserved one), and without long
 * packets (LPE) no more than a frame of 1522 bytes, which is also what
 * Linux's e1000e maps of each buffer then.
 */
static inline u32 e1000_rx_buffer_size(u32 rctl)
{
	static const u32 base[4] = { 2048, 1024, 512, 256 };
	static const u32 ext[4] = { 0, 16384, 8192, 4096 };
	u32 size = (rctl & E1000_RCTL_BSEX) ? ext[E1000_RCTL_BSIZE(rctl)] :
					      base[E1000_RCTL_BSIZE(rctl)];

	if (E1000_RCTL_FLXBUF(rctl))
		size = E1000_RCTL_FLXBUF(rctl) * 1024;

	if (!(rctl & E1000_RCTL_LPE) && size > E1000_MAX_FRAME)
		size = E1000_MAX_FRAME;
	return size;
}

#endif /* _VMM_E1000E_SPEC_H */
