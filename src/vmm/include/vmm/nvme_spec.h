/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NVMe structures and constants the VMM's controller model uses, from the
 * NVM Express Base Specification and the NVM, Zoned Namespace Command Set
 * Specifications: controller registers, queue entries, opcodes, statuses.
 */
#ifndef _VMM_NVME_SPEC_H
#define _VMM_NVME_SPEC_H

#include <vmm/types.h>

/* Controller registers (offsets in BAR 0) */
#define NVME_REG_CAP		0x00
#define NVME_REG_INTMS		0x0c
#define NVME_REG_INTMC		0x10
#define NVME_REG_CC		0x14
#define NVME_REG_CSTS		0x1c
#define NVME_REG_AQA		0x24
#define NVME_REG_ASQ		0x28
#define NVME_REG_ACQ		0x30
#define NVME_DOORBELLS		0x1000

#define NVME_CC_EN		(1U << 0)
#define NVME_CC_MPS(cc)		(((cc) >> 7) & 0xf)
#define NVME_CC_SHN		(3U << 14)
#define NVME_CSTS_RDY		(1U << 0)
#define NVME_CSTS_CFS		(1U << 1)
#define NVME_CSTS_SHST		(3U << 2)

/* NVM and Zoned Namespace command set opcodes */
#define OP_FLUSH		0x00
#define OP_WRITE		0x01
#define OP_READ			0x02
#define OP_WRITE_UNCOR		0x04
#define OP_COMPARE		0x05
#define OP_WRITE_ZEROES		0x08
#define OP_DSM			0x09
#define OP_VERIFY		0x0c
#define OP_RESV_REGISTER	0x0d
#define OP_RESV_REPORT		0x0e
#define OP_RESV_ACQUIRE		0x11
#define OP_RESV_RELEASE		0x15
#define OP_COPY			0x19
#define OP_ZONE_MGMT_SEND	0x79
#define OP_ZONE_MGMT_RECV	0x7a
#define OP_ZONE_APPEND		0x7d

/* Admin opcodes */
#define ADM_DELETE_SQ		0x00
#define ADM_CREATE_SQ		0x01
#define ADM_GET_LOG		0x02
#define ADM_DELETE_CQ		0x04
#define ADM_CREATE_CQ		0x05
#define ADM_IDENTIFY		0x06
#define ADM_ABORT		0x08
#define ADM_SET_FEATURES	0x09
#define ADM_GET_FEATURES	0x0a
#define ADM_ASYNC_EVENT		0x0c
#define ADM_NS_MGMT		0x0d
#define ADM_FW_COMMIT		0x10
#define ADM_FW_DOWNLOAD		0x11
#define ADM_SELF_TEST		0x14
#define ADM_NS_ATTACH		0x15
#define ADM_KEEP_ALIVE		0x18
#define ADM_DIRECTIVE_SEND	0x19
#define ADM_DIRECTIVE_RECV	0x1a
#define ADM_DBBUF		0x7c
#define ADM_FORMAT_NVM		0x80
#define ADM_SECURITY_SEND	0x81
#define ADM_SECURITY_RECV	0x82
#define ADM_SANITIZE		0x84
#define ADM_GET_LBA_STATUS	0x86
#define ADM_INVALID		0xff	/* no such opcode: the device refuses */

/* Feature identifiers */
#define FEAT_HOST_MEM_BUF	0x0d	/* Host Memory Buffer: DMA by address */

/* Status field (completion entry bits 15:1, shifted down) */
#define STATUS_DNR		(1U << 14)
#define STATUS_DATA_XFER_ERROR	0x0004
#define STATUS_INVALID_NS	0x000b	/* Invalid Namespace or Format */

/**
 * struct nvme_sqe - submission queue entry (64 bytes)
 * @opcode:	command opcode
 * @flags:	FUSE (bits 1:0), PSDT (bits 7:6: 0 PRP, else SGL)
 * @cid:	command identifier
 * @nsid:	namespace identifier
 * @rsvd:	command dwords 2-3
 * @mptr:	metadata pointer
 * @prp1:	data pointer: PRP entry 1, or the first 8 bytes of SGL1
 * @prp2:	PRP entry 2, or the last 8 bytes of SGL1
 * @cdw10:	command dwords 10-15
 * @cdw11:
 * @cdw12:
 * @cdw13:
 * @cdw14:
 * @cdw15:
 */
struct nvme_sqe {
	u8 opcode;
	u8 flags;
	u16 cid;
	u32 nsid;
	u64 rsvd;
	u64 mptr;
	u64 prp1;
	u64 prp2;
	u32 cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
};

/**
 * struct nvme_cqe - completion queue entry (16 bytes)
 * @result:	command specific dword 0
 * @rsvd:	dword 1
 * @sqhd:	submission queue head
 * @sqid:	submission queue identifier
 * @cid:	command identifier
 * @status:	phase tag (bit 0) and status field (bits 15:1)
 */
struct nvme_cqe {
	u32 result;
	u32 rsvd;
	u16 sqhd;
	u16 sqid;
	u16 cid;
	u16 status;
};

_Static_assert(sizeof(struct nvme_sqe) == 64, "NVMe SQ entry");
_Static_assert(sizeof(struct nvme_cqe) == 16, "NVMe CQ entry");

#endif /* _VMM_NVME_SPEC_H */
