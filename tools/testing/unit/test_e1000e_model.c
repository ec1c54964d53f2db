// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the e1000e model (src/vmm/dev/e1000e/e1000e.c) against a
 * fake 82574 behind a fake BAR, with the device framework stubbed: the
 * takeover points the controller at the VMM's shadow rings and traps the
 * register pages; tail writes copy checked descriptors and reach the
 * controller, also through the 82542-style aliases, which never reach the
 * controller's ring bases; the controller's write-backs reach the OS's
 * ring at the poll; a device reset stops the VMM's use of the rings until
 * the driver programs them again; packet split is held and a read returns
 * the held value; the I/O BAR's decoding refuses a takeover; the hand-back
 * gives the controller the OS's rings back with receive and transmit on;
 * the capture records each frame both ways, gathered over its
 * descriptors and over tail writes, with zeros for a refused buffer;
 * fault injection drops frames either way and corrupts received ones,
 * refuses what the model does not do, and ends with a hand-back.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vmm/device.h>
#include <vmm/e1000e_spec.h>
#include <vmm/pci.h>
#include <vmm/vmm.h>

#define PG		4096ULL
#define BAR_SIZE	0x20000ULL
#define N		64	/* descriptors per ring: 1 KiB */
#define MAX_ALLOCS	64

extern const struct vdev_ops e1000e_ops;

/* --- the VMM's environment ------------------------------------------------ */

static struct {
	void *va[MAX_ALLOCS];
	u64 size[MAX_ALLOCS];
	unsigned int nr;
} vmm_mem;

struct vmm vmm;

void *vmm_alloc_pages(unsigned int n, u64 *pa)
{
	void *p = aligned_alloc(PG, n * PG);

	ck_assert_ptr_nonnull(p);
	ck_assert_uint_lt(vmm_mem.nr, MAX_ALLOCS);
	memset(p, 0, n * PG);
	vmm_mem.va[vmm_mem.nr] = p;
	vmm_mem.size[vmm_mem.nr++] = n * PG;
	*pa = (u64)p;
	return p;
}

bool vmm_reaches(u64 pa, u64 len)
{
	return pa && pa + len > pa;
}

bool vmm_owns_range(u64 pa, u64 len)
{
	if (!len || pa + len - 1 < pa)
		return true;
	for (unsigned int i = 0; i < vmm_mem.nr; i++)
		if (pa < (u64)vmm_mem.va[i] + vmm_mem.size[i] &&
		    (u64)vmm_mem.va[i] < pa + len)
			return true;
	return false;
}

bool vmm_owns_pa(u64 pa)
{
	return vmm_owns_range(pa, 1);
}

void spin_lock(int *lock)
{
	while (__atomic_exchange_n(lock, 1, __ATOMIC_ACQUIRE))
		;
}

void spin_unlock(int *lock)
{
	__atomic_store_n(lock, 0, __ATOMIC_RELEASE);
}

void vmm_log(const char *fmt, ...)
{
	(void)fmt;
}

/* --- the device framework, recorded --------------------------------------- */

static struct {
	struct trap t[8];
	unsigned int nr;
	u16 port;		/* the port range trapped, if any */
	unsigned int ports;
} fw;

#define IO_PORT		0xc000	/* the fake's I/O BAR */
#define IO_SIZE		0x40

int vdev_port_trap_add(struct vdev *d, u16 port, unsigned int count)
{
	(void)d;
	ck_assert_uint_eq(fw.ports, 0);
	fw.port = port;
	fw.ports = count;
	return 0;
}

int vdev_trap_add(struct vdev *d, u64 gpa, u64 size, unsigned int kind,
		  void *shadow)
{
	ck_assert_uint_lt(fw.nr, 8);
	fw.t[fw.nr++] = (struct trap){ .gpa = gpa, .size = size, .kind = kind,
				       .dev = d, .shadow = shadow };
	return 0;
}

/* --- the fake 82574 ------------------------------------------------------- */

static u8 *bar;		/* its registers: plain memory */
static u8 *ecam;	/* its configuration page */
static unsigned int tdt_writes, rdt_writes;
static u32 hw_ioaddr;	/* its IOADDR */
static bool ignores_reset;	/* CTRL.RST does nothing (Bochs's 82540EM) */

u16 vdev_config_read16(const struct vdev *d, unsigned int off)
{
	u16 v;

	ck_assert_uint_eq(d->info.ecam_pa, (u64)ecam);
	memcpy(&v, ecam + off, 2);
	return v;
}

/* The VMM only ever reads or writes IOADDR itself. */
u64 vdev_port_read(u16 port, unsigned int size)
{
	ck_assert_uint_eq(port, IO_PORT + E1000_IOADDR);
	ck_assert_uint_eq(size, 4);
	return hw_ioaddr;
}

void vdev_port_write(u16 port, u64 val, unsigned int size)
{
	ck_assert_uint_eq(port, IO_PORT + E1000_IOADDR);
	ck_assert_uint_eq(size, 4);
	hw_ioaddr = (u32)val;
}

static u32 reg(u32 off)
{
	u32 v;

	memcpy(&v, bar + off, 4);
	return v;
}

static void set_reg(u32 off, u32 v)
{
	memcpy(bar + off, &v, 4);
}

void vdev_mmio_write(u64 pa, u64 val, unsigned int size)
{
	u64 off = pa - (u64)bar;

	if (off < BAR_SIZE) {
		ck_assert_uint_eq(size, 4);
		if (off == E1000_TDT)
			tdt_writes++;
		if (off == E1000_RDT)
			rdt_writes++;
		if (off == E1000_CTRL && (val & E1000_CTRL_RST) &&
		    !ignores_reset) {
			/* The reset clears the rings' registers. */
			for (u32 r = E1000_RDBAL; r <= E1000_RDT; r += 4)
				set_reg(r, 0);
			for (u32 r = E1000_TDBAL; r <= E1000_TDT; r += 4)
				set_reg(r, 0);
			return;
		}
	}
	memcpy((void *)pa, &val, size);
}

u64 vdev_mmio_read(u64 pa, unsigned int size)
{
	u64 v = 0;

	memcpy(&v, (void *)pa, size);
	return v;
}

static u64 ring_base(u32 bal)
{
	return reg(bal) | (u64)reg(bal + 4) << 32;
}

/* The controller sends every descriptor up to the tail, writing status. */
static void nic_transmit(void)
{
	struct e1000_tx_desc *ring = (void *)ring_base(E1000_TDBAL);

	for (u32 h = reg(E1000_TDH); h != reg(E1000_TDT); h = (h + 1) % N) {
		if (ring[h].lower & E1000_TXD_CMD_RS)
			ring[h].upper |= E1000_TXD_STAT_DD;
		set_reg(E1000_TDH, (h + 1) % N);
	}
}

/* The controller receives one frame of @len bytes at its head. */
static u64 nic_receive(u32 len)
{
	struct e1000_rx_desc *ring = (void *)ring_base(E1000_RDBAL);
	u32 h = reg(E1000_RDH);
	u64 buf = ring[h].addr;

	ck_assert_uint_ne(h, reg(E1000_RDT));
	memset((void *)buf, 0xab, len);
	ring[h].addr = 0x1234;			/* RSS hash, MRQ */
	ring[h].wb_hi = len;
	ring[h].wb_lo = E1000_RXD_STAT_DD | 2;	/* DD, EOP */
	set_reg(E1000_RDH, (h + 1) % N);
	return buf;
}

/* --- the OS ------------------------------------------------------------- */

static struct e1000_tx_desc *os_tx;
static struct e1000_rx_desc *os_rx;
static u8 *bufs;		/* N receive buffers of 2 KiB */
static struct vdev dev;
static struct access log_buf[VDEV_LOG_MAX];

static void *os_alloc(u64 bytes)
{
	void *p = aligned_alloc(PG, bytes);

	ck_assert_ptr_nonnull(p);
	memset(p, 0, bytes);
	return p;
}

/* A trapped access of the OS to register @off; returns what a load reads. */
static u64 os_access(u32 off, bool write, u64 val)
{
	struct access a = { .gpa = (u64)bar + off, .val = val, .size = 4,
			    .write = write, .kind = TRAP_REGISTER };

	e1000e_ops.access(&dev, &fw.t[0], &a);
	ck_assert(!a.retry);
	return a.val;
}

static void setup(void)
{
	struct rtvirt_vmm_e1000e_state *st;

	memset(&vmm_mem, 0, sizeof(vmm_mem));
	memset(&fw, 0, sizeof(fw));
	memset(&dev, 0, sizeof(dev));
	tdt_writes = rdt_writes = 0;
	hw_ioaddr = 0;
	ignores_reset = false;
	bar = os_alloc(BAR_SIZE);
	ecam = os_alloc(PG);
	os_tx = os_alloc(PG);
	os_rx = os_alloc(PG);
	bufs = os_alloc(N * 2048ULL);
	/* The driver's rings, as it programmed them natively. */
	for (u32 i = 0; i < N; i++)
		os_rx[i].addr = (u64)bufs + i * 2048ULL;
	set_reg(E1000_TDBAL, (u32)(u64)os_tx);
	set_reg(E1000_TDBAH, (u32)((u64)os_tx >> 32));
	set_reg(E1000_TDLEN, N * 16);
	set_reg(E1000_RDBAL, (u32)(u64)os_rx);
	set_reg(E1000_RDBAH, (u32)((u64)os_rx >> 32));
	set_reg(E1000_RDLEN, N * 16);
	set_reg(E1000_RDT, N - 1);
	set_reg(E1000_RCTL, E1000_RCTL_EN);
	set_reg(E1000_TCTL, E1000_TCTL_EN);
	set_reg(E1000_RFCTL, E1000_RFCTL_EXTEN);
	dev.info.model = VDEV_MODEL_E1000E;
	dev.info.bar_pa = (u64)bar;
	dev.info.bar_size = BAR_SIZE;
	dev.info.ecam_pa = (u64)ecam;
	dev.info.tsc_khz = 1000000;
	dev.log = log_buf;
	ck_assert_int_eq(e1000e_ops.attach(&dev), 0);
	st = os_alloc(PG);
	ck_assert_int_eq(e1000e_ops.commence(&dev, (u64)st, sizeof(*st)), 0);
	free(st);
	dev.state = VDEV_VIRTUALIZED;
}

static void teardown(void)
{
	for (unsigned int i = 0; i < vmm_mem.nr; i++)
		free(vmm_mem.va[i]);
	free(bar);
	free(ecam);
	free(os_tx);
	free(os_rx);
	free(bufs);
}

START_TEST(takeover_points_at_shadows)
{
	ck_assert(vmm_owns_range(ring_base(E1000_TDBAL), N * 16));
	ck_assert(vmm_owns_range(ring_base(E1000_RDBAL), N * 16));
	ck_assert_uint_eq(reg(E1000_RDLEN), N * 16);
	ck_assert_uint_eq(reg(E1000_RDT), N - 1);
	ck_assert(reg(E1000_RCTL) & E1000_RCTL_EN);
	ck_assert(reg(E1000_TCTL) & E1000_TCTL_EN);
	/* The posted receive buffers are the OS's, checked into the shadow. */
	ck_assert_uint_eq(((struct e1000_rx_desc *)ring_base(E1000_RDBAL))[5].addr,
			  (u64)bufs + 5 * 2048);
	/* Registers up to 0x3fff and the configuration page trap. */
	ck_assert_uint_eq(fw.nr, 2);
	ck_assert_uint_eq(fw.t[0].gpa, (u64)bar);
	ck_assert_uint_eq(fw.t[0].size, E1000_TRAPPED_REGS);
	ck_assert_uint_eq(fw.t[1].kind, TRAP_CONFIG_MMIO);
	/* The OS reads the bases it wrote. */
	ck_assert_uint_eq(os_access(E1000_TDBAL, false, 0), (u32)(u64)os_tx);
	ck_assert_uint_eq(os_access(E1000_RDBAL_A, false, 0), (u32)(u64)os_rx);
}
END_TEST

START_TEST(transmit_checked_and_completed)
{
	os_tx[0] = (struct e1000_tx_desc){ .addr = (u64)bufs, .lower = 60 |
		E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS };
	/* A buffer in the VMM's memory: the sink instead. */
	os_tx[1] = (struct e1000_tx_desc){ .addr = (u64)vmm_mem.va[0],
		.lower = 60 | E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS };
	os_access(E1000_TDT, true, 2);
	ck_assert_uint_eq(reg(E1000_TDT), 2);
	ck_assert_uint_eq(dev.stats.dma_refused, 1);
	ck_assert_uint_eq(dev.stats.tx_frames, 2);
	ck_assert_uint_eq(dev.stats.tx_bytes, 120);
	ck_assert_uint_ne(((struct e1000_tx_desc *)ring_base(E1000_TDBAL))[1].addr,
			  (u64)vmm_mem.va[0]);
	nic_transmit();
	ck_assert_uint_eq(os_tx[0].upper & E1000_TXD_STAT_DD, 0);
	e1000e_ops.poll(&dev);
	ck_assert(os_tx[0].upper & E1000_TXD_STAT_DD);
	ck_assert(os_tx[1].upper & E1000_TXD_STAT_DD);
	/* The tail through its alias is the same register. */
	os_tx[2] = (struct e1000_tx_desc){ .addr = (u64)bufs, .lower = 60 |
		E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS };
	os_access(E1000_TDT_A, true, 3);
	ck_assert_uint_eq(reg(E1000_TDT), 3);
	ck_assert_uint_eq(dev.stats.tx_frames, 3);
}
END_TEST

START_TEST(receive_returned_to_os)
{
	u64 buf = nic_receive(60);

	ck_assert_uint_eq(buf, (u64)bufs);
	ck_assert_uint_eq(os_rx[0].wb_lo, 0);
	e1000e_ops.poll(&dev);
	ck_assert_uint_eq(os_rx[0].wb_lo & E1000_RXD_STAT_DD, 1);
	ck_assert_uint_eq(os_rx[0].wb_hi, 60);
	ck_assert_uint_eq(dev.stats.rx_frames, 1);
	ck_assert_uint_eq(dev.stats.rx_bytes, 60);
	/* The driver re-posts slot 63 with a buffer in the VMM's memory. */
	os_rx[N - 1].addr = (u64)vmm_mem.va[0];
	os_access(E1000_RDT, true, 0);
	ck_assert_uint_eq(reg(E1000_RDT), 0);
	ck_assert_uint_eq(dev.stats.dma_refused, 1);
	ck_assert_uint_ne(((struct e1000_rx_desc *)
			   ring_base(E1000_RDBAL))[N - 1].addr,
			  (u64)vmm_mem.va[0]);
}
END_TEST

START_TEST(aliases_never_reach_bases)
{
	u64 shadow = ring_base(E1000_TDBAL);

	/* The OS moves its ring through the alias: the shadow follows. */
	os_access(E1000_TDBAL_A, true, (u32)(u64)os_rx);
	ck_assert_uint_eq(ring_base(E1000_TDBAL), shadow);
	ck_assert_uint_eq(os_access(E1000_TDBAL, false, 0), (u32)(u64)os_rx);
	/* A ring in the VMM's memory is never given to the controller. */
	os_access(E1000_RDBAL, true, (u32)(u64)vmm_mem.va[0]);
	os_access(E1000_RDBAH, true, (u32)((u64)vmm_mem.va[0] >> 32));
	ck_assert(vmm_owns_range(ring_base(E1000_RDBAL), 1));
	ck_assert_uint_eq(reg(E1000_RDLEN), 0);
	rdt_writes = 0;
	os_access(E1000_RDT, true, 5);
	ck_assert_uint_eq(rdt_writes, 0);
}
END_TEST

START_TEST(reset_then_reprogram)
{
	os_access(E1000_CTRL, true, E1000_CTRL_RST);
	ck_assert_uint_eq(reg(E1000_TDLEN), 0);
	/* Before the driver programs the ring again, no tail passes. */
	tdt_writes = 0;
	os_access(E1000_TDT, true, 1);
	ck_assert_uint_eq(tdt_writes, 0);
	ck_assert_uint_eq(os_access(E1000_TDBAL, false, 0), 0);
	/* e1000_configure_tx: base, length, head, tail. */
	os_access(E1000_TDBAL, true, (u32)(u64)os_tx);
	os_access(E1000_TDBAH, true, (u32)((u64)os_tx >> 32));
	os_access(E1000_TDLEN, true, N * 16);
	os_access(E1000_TDH, true, 0);
	os_access(E1000_TDT, true, 0);
	ck_assert(vmm_owns_range(ring_base(E1000_TDBAL), N * 16));
	ck_assert_uint_eq(reg(E1000_TDLEN), N * 16);
	os_tx[0] = (struct e1000_tx_desc){ .addr = (u64)bufs, .lower = 60 |
		E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS };
	os_access(E1000_TDT, true, 1);
	ck_assert_uint_eq(reg(E1000_TDT), 1);
	nic_transmit();
	e1000e_ops.poll(&dev);
	ck_assert(os_tx[0].upper & E1000_TXD_STAT_DD);
}
END_TEST

/*
 * A controller that ignores CTRL.RST keeps the VMM's shadows and its
 * heads: the model clears the ring registers as a reset would, and the
 * driver's reprogramming (e1000: length first, tail before head) starts
 * both rings at slot 0.
 */
START_TEST(reset_ignored_by_device)
{
	os_tx[0] = (struct e1000_tx_desc){ .addr = (u64)bufs, .lower = 60 |
		E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS };
	os_access(E1000_TDT, true, 1);
	nic_transmit();
	ck_assert_uint_eq(reg(E1000_TDH), 1);
	ignores_reset = true;
	os_access(E1000_CTRL, true, E1000_CTRL_RST);
	for (u32 r = E1000_RDBAL; r <= E1000_RDT; r += 4)
		ck_assert_uint_eq(reg(r), 0);
	for (u32 r = E1000_TDBAL; r <= E1000_TDT; r += 4)
		ck_assert_uint_eq(reg(r), 0);
	/* e1000_clean_tx_ring: 0 to a ring not programmed, not refused. */
	os_access(E1000_TDH, true, 0);
	os_access(E1000_TDT, true, 0);
	ck_assert_uint_eq(dev.stats.dma_refused, 0);
	/* e1000_configure_tx */
	os_access(E1000_TDLEN, true, N * 16);
	os_access(E1000_TDBAH, true, (u32)((u64)os_tx >> 32));
	os_access(E1000_TDBAL, true, (u32)(u64)os_tx);
	os_access(E1000_TDT, true, 0);
	os_access(E1000_TDH, true, 0);
	ck_assert(vmm_owns_range(ring_base(E1000_TDBAL), N * 16));
	ck_assert_uint_eq(reg(E1000_TDH), 0);
	os_tx[0] = (struct e1000_tx_desc){ .addr = (u64)bufs, .lower = 60 |
		E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS };
	os_access(E1000_TDT, true, 1);
	nic_transmit();
	e1000e_ops.poll(&dev);
	ck_assert(os_tx[0].upper & E1000_TXD_STAT_DD);
}
END_TEST

/* Packet split turned on under posted buffers: held, NIC handed back. */
START_TEST(rx_mode_change_held)
{
	u32 ps = E1000_RCTL_EN | E1000_RCTL_LPE | (1U << 10);

	os_access(E1000_RCTL, true, ps);
	ck_assert(dev.holding && dev.handback_wanted);
	ck_assert_uint_eq(reg(E1000_RCTL) & E1000_RCTL_DTYP_MASK, 0);
	/* The driver reads RCTL back to change it: it sees its own write. */
	ck_assert_uint_eq(os_access(E1000_RCTL, false, 0), ps);
	os_access(E1000_RDT, true, 3);
	ck_assert_uint_eq(dev.log_len, 2);
}
END_TEST

static u64 cap_record(const struct rtvirt_vmm_capture_ring *r, u64 pos,
		      struct rtvirt_vmm_capture_rec *rec, const u8 **data)
{
	memcpy(rec, r->data + pos, sizeof(*rec));
	*data = r->data + pos + sizeof(*rec);
	return pos + sizeof(*rec) + ((rec->caplen + 7ULL) & ~7ULL);
}

/*
 * After a reset the driver turns packet split on (PSRCTL: 256-byte
 * header buffers and three 4 KiB pages; RCTL.DTYP 01b) and programs a
 * ring of 32-byte descriptors: served, each used buffer checked.
 */
START_TEST(packet_split_served)
{
	struct e1000_rx_desc *ps = os_alloc(PG);
	u8 *pages = os_alloc(N * 4 * PG);
	u32 psrctl = 2 | 4U << 8 | 4U << 16 | 4U << 24;
	struct e1000_rx_desc *sh;

	os_access(E1000_CTRL, true, E1000_CTRL_RST);
	os_access(E1000_PSRCTL, true, psrctl);
	os_access(E1000_RCTL, true, E1000_RCTL_EN | E1000_RCTL_LPE |
		  E1000_RCTL_DTYP_PS);
	ck_assert(!dev.holding);
	ck_assert_uint_eq(reg(E1000_PSRCTL), psrctl);
	for (u32 i = 0; i < N; i++) {
		u8 *p = pages + i * 4 * PG;

		ps[2 * i].addr = (u64)p;		/* header */
		ps[2 * i].wb = (u64)p + PG;
		ps[2 * i + 1].addr = (u64)p + 2 * PG;
		ps[2 * i + 1].wb = (u64)p + 3 * PG;
	}
	/* Slot 1's third page is the VMM's. */
	ps[3].addr = (u64)vmm_mem.va[0];
	/* Slot 2's first page has the DD bit where the status goes. */
	ps[4].wb |= E1000_RXD_STAT_DD;
	os_access(E1000_RDBAL, true, (u32)(u64)ps);
	os_access(E1000_RDBAH, true, (u32)((u64)ps >> 32));
	os_access(E1000_RDLEN, true, N * 32);
	/* Head and tail count 16 bytes: three slots are a tail of 6. */
	os_access(E1000_RDH, true, 0);
	os_access(E1000_RDT, true, 6);
	ck_assert(!dev.holding);
	ck_assert_uint_eq(reg(E1000_RDT), 6);
	os_access(E1000_RDT, true, 7);		/* inside a slot: refused */
	ck_assert_uint_eq(reg(E1000_RDT), 6);
	sh = (void *)ring_base(E1000_RDBAL);
	ck_assert(vmm_owns_range((u64)sh, N * 32));
	ck_assert_uint_eq(sh[0].addr, (u64)pages);
	ck_assert_uint_eq(sh[1].wb, (u64)pages + 3 * PG);
	ck_assert(vmm_owns_range(sh[3].addr, 1));	/* the sink */
	ck_assert_uint_eq(sh[2].wb, (u64)pages + 4 * PG + PG);
	ck_assert(vmm_owns_range(sh[4].wb, 1));
	ck_assert_uint_eq(dev.stats.dma_refused, 2);
	ck_assert(!(sh[4].wb_lo & E1000_RXD_STAT_DD));

	/* Slot 0 written back: 100 header bytes and 3000 in the first page. */
	memset(pages, 0x11, 100);
	memset(pages + PG, 0x22, 3000);
	sh[0].addr = 0x1234;
	sh[0].wb_lo = E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP;
	sh[0].wb_hi = 100;
	sh[1].addr = 0x8000 | 100ULL | 3000ULL << 16;
	sh[1].wb = 0;
	/* Slot 1 (refused) too, one page of 60 bytes. */
	sh[2].wb_lo = E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP;
	sh[2].wb_hi = 0;
	sh[3].addr = 60ULL << 16;
	sh[3].wb = 0;
	set_reg(E1000_RDH, 2);
	e1000e_ops.poll(&dev);
	ck_assert_uint_eq(ps[0].wb_lo, E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP);
	ck_assert_uint_eq(ps[0].wb_hi, 100);
	ck_assert_uint_eq(ps[0].addr, 0x1234);
	ck_assert_uint_eq(ps[1].addr, 0x8000 | 100ULL | 3000ULL << 16);
	ck_assert(ps[2].wb_lo & E1000_RXD_EXT_RXE);
	ck_assert_uint_eq(dev.stats.rx_frames, 2);
	ck_assert_uint_eq(dev.stats.rx_bytes, 100 + 3000 + 60);

	/* Under posted buffers, a larger page size is held. */
	os_access(E1000_PSRCTL, true, psrctl + (1U << 8));
	ck_assert(dev.holding && dev.handback_wanted);
	free(ps);
	free(pages);
}
END_TEST

START_TEST(packet_split_capture)
{
	struct rtvirt_vmm_capture_ring *cr = os_alloc(RTVIRT_VMM_CAPTURE_MIN);
	struct e1000_rx_desc *ps = os_alloc(PG);
	u8 *pages = os_alloc(N * 4 * PG);
	struct e1000_rx_desc *sh;
	struct rtvirt_vmm_capture_rec rec;
	const u8 *data;

	os_access(E1000_CTRL, true, E1000_CTRL_RST);
	os_access(E1000_PSRCTL, true, 2 | 4U << 8);
	os_access(E1000_RCTL, true, E1000_RCTL_EN | E1000_RCTL_LPE |
		  E1000_RCTL_DTYP_PS);
	for (u32 i = 0; i < N; i++) {
		ps[2 * i].addr = (u64)pages + i * 2 * PG;
		ps[2 * i].wb = (u64)pages + i * 2 * PG + PG;
		ps[2 * i + 1].addr = ~0ULL;	/* unused, as the driver does */
		ps[2 * i + 1].wb = ~0ULL;
	}
	os_access(E1000_RDBAL, true, (u32)(u64)ps);
	os_access(E1000_RDBAH, true, (u32)((u64)ps >> 32));
	os_access(E1000_RDLEN, true, N * 32);
	os_access(E1000_RDH, true, 0);
	os_access(E1000_RDT, true, 4);
	ck_assert_uint_eq(dev.stats.dma_refused, 0);
	cr->snaplen = 65535;
	ck_assert_int_eq(vdev_capture_set(&dev.capture, cr,
					  RTVIRT_VMM_CAPTURE_MIN), 0);
	sh = (void *)ring_base(E1000_RDBAL);
	ck_assert(vmm_owns_range(sh[1].addr, 1));	/* unused: the sink */
	memset(pages, 0x11, 54);
	memset(pages + PG, 0x22, 1000);
	sh[0].wb_lo = E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP;
	sh[0].wb_hi = 54;
	sh[1].addr = 1000ULL << 16;
	set_reg(E1000_RDH, 1);
	e1000e_ops.poll(&dev);
	ck_assert_uint_eq(cr->frames, 1);
	cap_record(cr, 0, &rec, &data);
	ck_assert_uint_eq(rec.len, 1054);
	ck_assert_uint_eq(data[0], 0x11);
	ck_assert_uint_eq(data[53], 0x11);
	ck_assert_uint_eq(data[54], 0x22);
	free(cr);
	free(ps);
	free(pages);
}
END_TEST

START_TEST(larger_buffers_held)
{
	u32 rctl = reg(E1000_RCTL);
	u32 big = rctl | E1000_RCTL_LPE | E1000_RCTL_BSEX | (1U << 16);

	/* Multicast and the like: the same buffer size, passed on. */
	os_access(E1000_RCTL, true, rctl | (1U << 4));
	ck_assert(!dev.holding);
	ck_assert_uint_eq(reg(E1000_RCTL), rctl | (1U << 4));
	/* A flexible buffer size of 3 KiB with long packets: held too. */
	os_access(E1000_RCTL, true, rctl | E1000_RCTL_LPE | 3U << 27);
	ck_assert(dev.holding && dev.handback_wanted);
	ck_assert_uint_eq(reg(E1000_RCTL), rctl | (1U << 4));
	dev.holding = false;
	dev.handback_wanted = false;
	/* 16 KiB into buffers checked for 2 KiB: held, NIC handed back. */
	os_access(E1000_RCTL, true, big);
	ck_assert(dev.holding && dev.handback_wanted);
	ck_assert_uint_eq(reg(E1000_RCTL), rctl | (1U << 4));
}
END_TEST

START_TEST(larger_buffers_after_reset)
{
	u32 big = reg(E1000_RCTL) | E1000_RCTL_LPE | E1000_RCTL_BSEX |
		  (1U << 16);

	/* After a reset nothing is posted: the driver's new size goes in. */
	os_access(E1000_CTRL, true, E1000_CTRL_RST);
	os_access(E1000_RCTL, true, big);
	ck_assert(!dev.holding);
	ck_assert_uint_eq(reg(E1000_RCTL), big);
}
END_TEST

START_TEST(handback_restores_os_rings)
{
	nic_receive(100);
	os_tx[0] = (struct e1000_tx_desc){ .addr = (u64)bufs, .lower = 60 |
		E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS };
	os_access(E1000_TDT, true, 1);
	nic_transmit();
	ck_assert(e1000e_ops.drained(&dev));
	e1000e_ops.handback(&dev, 0);
	ck_assert_uint_eq(ring_base(E1000_TDBAL), (u64)os_tx);
	ck_assert_uint_eq(ring_base(E1000_RDBAL), (u64)os_rx);
	ck_assert_uint_eq(reg(E1000_TDT), 1);
	ck_assert_uint_eq(reg(E1000_RDT), N - 1);
	ck_assert(reg(E1000_RCTL) & E1000_RCTL_EN);
	ck_assert(reg(E1000_TCTL) & E1000_TCTL_EN);
	/* The last write-backs reached the OS's rings first. */
	ck_assert(os_tx[0].upper & E1000_TXD_STAT_DD);
	ck_assert(os_rx[0].wb_lo & E1000_RXD_STAT_DD);
}
END_TEST

/* An access of the OS to the I/O BAR at port offset @off. */
static u64 os_port(unsigned int off, unsigned int size, bool write, u64 val)
{
	struct access a = { .gpa = IO_PORT + off, .val = val, .size = size,
			    .write = write, .kind = TRAP_PORT };

	e1000e_ops.port(&dev, off, &a);
	ck_assert(!a.retry);
	return a.val;
}

/* Take the device again, now described with an I/O BAR that decodes. */
static void commence_with_io(u32 ioaddr)
{
	struct rtvirt_vmm_e1000e_state *st = os_alloc(PG);
	u16 cmd = PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;

	e1000e_ops.handback(&dev, 0);
	memcpy(ecam + PCI_COMMAND, &cmd, 2);
	dev.info.io_port = IO_PORT;
	dev.info.io_size = IO_SIZE;
	ck_assert_int_eq(e1000e_ops.attach(&dev), 0);
	hw_ioaddr = ioaddr;
	ck_assert_int_eq(e1000e_ops.commence(&dev, (u64)st, sizeof(*st)), 0);
	free(st);
}

/*
 * Every register answers at IODATA too (Linux's e1000 resets an 82540
 * there): the ports trap, and what goes through them meets the same
 * checks as the memory BAR.
 */
START_TEST(io_bar_served)
{
	struct access a = { .gpa = PCI_COMMAND, .size = 2, .write = true,
			    .val = PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER,
			    .kind = TRAP_CONFIG_MMIO };

	commence_with_io(E1000_STATUS);
	ck_assert_uint_eq(fw.port, IO_PORT);
	ck_assert_uint_eq(fw.ports, IO_SIZE);
	/* The address the driver wrote before the takeover still holds. */
	ck_assert_uint_eq(os_port(E1000_IOADDR, 4, false, 0), E1000_STATUS);
	/* A transmit tail: checked, the VMM's memory refused. */
	os_tx[0] = (struct e1000_tx_desc){ .addr = (u64)vmm_mem.va[0],
		.lower = 60 | E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS };
	os_port(E1000_IOADDR, 4, true, E1000_TDT);
	os_port(E1000_IODATA, 4, true, 1);
	ck_assert_uint_eq(reg(E1000_TDT), 1);
	ck_assert_uint_eq(dev.stats.dma_refused, 1);
	ck_assert_uint_ne(((struct e1000_tx_desc *)ring_base(E1000_TDBAL))[0].addr,
			  (u64)vmm_mem.va[0]);
	/* A ring base: the OS reads what it wrote, the shadow stays. */
	os_port(E1000_IOADDR, 4, true, E1000_RDBAL);
	ck_assert_uint_eq(os_port(E1000_IODATA, 4, false, 0), (u32)(u64)os_rx);
	os_port(E1000_IODATA, 4, true, (u32)(u64)vmm_mem.va[0]);
	ck_assert(vmm_owns_range(ring_base(E1000_RDBAL), N * 16));
	/* An untrapped register (statistics) reads through. */
	set_reg(0x4074, 77);
	os_port(E1000_IOADDR, 4, true, 0x4074);
	ck_assert_uint_eq(os_port(E1000_IODATA, 4, false, 0), 77);
	/* Not doublewords, or beyond the registers: ignored. */
	os_port(E1000_IOADDR, 4, true, E1000_TDT);
	os_port(E1000_IODATA, 2, true, 0);
	ck_assert_uint_eq(reg(E1000_TDT), 1);
	ck_assert_uint_eq(os_port(E1000_IOADDR, 2, false, 0), 0);
	os_port(E1000_IOADDR, 4, true, BAR_SIZE);
	ck_assert_uint_eq(os_port(E1000_IODATA, 4, false, 0), 0);
	/* A reset through IODATA is the reset through CTRL. */
	os_port(E1000_IOADDR, 4, true, E1000_CTRL);
	os_port(E1000_IODATA, 4, true, E1000_CTRL_RST);
	ck_assert_uint_eq(reg(E1000_TDLEN), 0);
	tdt_writes = 0;
	os_access(E1000_TDT, true, 2);
	ck_assert_uint_eq(tdt_writes, 0);
	/* I/O decoding turned off: nothing answers; that write passes. */
	ck_assert(!e1000e_ops.config(&dev, PCI_COMMAND, &a));
	ck_assert_uint_eq(os_port(E1000_IOADDR, 4, false, 0), 0xffffffff);
	/* On again, and the hand-back leaves the OS's IOADDR in the NIC. */
	a.val |= PCI_COMMAND_IO;
	ck_assert(!e1000e_ops.config(&dev, PCI_COMMAND, &a));
	ck_assert(!dev.handback_wanted);
	os_port(E1000_IOADDR, 4, true, E1000_ICR);
	e1000e_ops.handback(&dev, 0);
	ck_assert_uint_eq(hw_ioaddr, E1000_ICR);
}
END_TEST

START_TEST(io_decoding_refused)
{
	struct rtvirt_vmm_e1000e_state *st = os_alloc(PG);
	u16 cmd = PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	struct access a = { .gpa = PCI_COMMAND, .size = 2, .write = true,
			    .val = cmd, .kind = TRAP_CONFIG_MMIO };

	/* Turning I/O decoding on while virtualized is held. */
	ck_assert(e1000e_ops.config(&dev, PCI_COMMAND, &a));
	ck_assert(dev.handback_wanted);
	/* A takeover while it is on is refused. */
	e1000e_ops.handback(&dev, 0);
	memcpy(ecam + PCI_COMMAND, &cmd, 2);
	ck_assert_int_eq(e1000e_ops.commence(&dev, (u64)st, sizeof(*st)),
			 ERR_IO);
	ck_assert_ptr_nonnull(strstr(st->refusal, "I/O"));
	ck_assert_uint_eq(ring_base(E1000_TDBAL), (u64)os_tx);
	free(st);
}
END_TEST

/* The capture record at byte @pos of @r's data; its bytes in @data. */
START_TEST(capture_both_ways)
{
	struct rtvirt_vmm_capture_ring *r = os_alloc(RTVIRT_VMM_CAPTURE_MIN);
	struct rtvirt_vmm_capture_rec rec;
	u8 *hdr = bufs + 40 * 2048, *payload = bufs + 41 * 2048;
	const u8 *data;
	u64 pos = 0;

	r->snaplen = 65535;
	ck_assert_int_eq(vdev_capture_set(&dev.capture, r,
					  RTVIRT_VMM_CAPTURE_MIN), 0);
	memset(hdr, 0x11, 14);
	memset(payload, 0x22, 50);
	/* A frame in two descriptors, a context descriptor before it. */
	/* TUCMD.TCP is bit 24, EOP's place in a data descriptor. */
	os_tx[0] = (struct e1000_tx_desc){ .lower = E1000_TXD_CMD_DEXT |
		E1000_TXD_CMD_EOP | 1400 };
	os_tx[1] = (struct e1000_tx_desc){ .addr = (u64)hdr, .lower = 14 };
	os_tx[2] = (struct e1000_tx_desc){ .addr = (u64)payload, .lower = 46 |
		E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS };
	/* One from the VMM's memory: refused, captured as zeros. */
	os_tx[3] = (struct e1000_tx_desc){ .addr = (u64)vmm_mem.va[0],
		.lower = 60 | E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS };
	/* One whose first half comes with this tail, the rest with the next. */
	os_tx[4] = (struct e1000_tx_desc){ .addr = (u64)hdr, .lower = 14 };
	os_tx[5] = (struct e1000_tx_desc){ .addr = (u64)payload, .lower = 50 |
		E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS };
	os_access(E1000_TDT, true, 5);
	ck_assert_uint_eq(r->frames, 2);
	ck_assert_uint_eq(dev.stats.tx_frames, 2);
	ck_assert_uint_eq(dev.stats.tx_bytes, 14 + 46 + 60 + 14);
	os_access(E1000_TDT, true, 6);
	ck_assert_uint_eq(r->frames, 3);
	ck_assert_uint_eq(nic_receive(70), (u64)bufs);
	e1000e_ops.poll(&dev);
	ck_assert_uint_eq(r->frames, 4);
	ck_assert_uint_eq(r->dropped, 0);

	pos = cap_record(r, pos, &rec, &data);
	ck_assert_uint_eq(rec.dir, RTVIRT_VMM_CAPTURE_TX);
	ck_assert_uint_eq(rec.len, 60);
	ck_assert_uint_eq(rec.caplen, 60);
	ck_assert_uint_eq(data[13], 0x11);
	ck_assert_uint_eq(data[14], 0x22);
	ck_assert_uint_eq(data[59], 0x22);
	pos = cap_record(r, pos, &rec, &data);
	ck_assert_uint_eq(rec.len, 60);
	for (int i = 0; i < 60; i++)
		ck_assert_uint_eq(data[i], 0);
	pos = cap_record(r, pos, &rec, &data);
	ck_assert_uint_eq(rec.dir, RTVIRT_VMM_CAPTURE_TX);
	ck_assert_uint_eq(rec.len, 64);
	ck_assert_uint_eq(data[0], 0x11);
	ck_assert_uint_eq(data[63], 0x22);
	pos = cap_record(r, pos, &rec, &data);
	ck_assert_uint_eq(rec.dir, RTVIRT_VMM_CAPTURE_RX);
	ck_assert_uint_eq(rec.len, 70);
	ck_assert_uint_eq(data[0], 0xab);
	ck_assert_uint_eq(data[69], 0xab);
	ck_assert_uint_eq(r->head, pos);
	/* Stopped: nothing more is written. */
	ck_assert_int_eq(vdev_capture_set(&dev.capture, NULL, 0), 0);
	nic_receive(60);
	e1000e_ops.poll(&dev);
	ck_assert_uint_eq(r->frames, 4);
	free(r);
}
END_TEST

static int inject(u32 match, u32 action, u32 count, u32 probability)
{
	struct rtvirt_vmm_inject inj = {
		.match = match, .action = action, .count = count,
		.probability = probability,
	};

	return e1000e_ops.inject(&dev, &inj);
}

START_TEST(frame_faults)
{
	struct rtvirt_vmm_inject bad = { .match = RTVIRT_VMM_INJECT_RX,
		.action = RTVIRT_VMM_INJECT_DROP, .count = 1, .status = 0x281 };
	struct e1000_tx_desc *sh_tx = (void *)ring_base(E1000_TDBAL);
	struct rtvirt_vmm_e1000e_state *st = os_alloc(PG);
	u32 h;

	/* What the model does not do. */
	ck_assert_int_eq(e1000e_ops.inject(&dev, &bad), ERR_OPNOTSUPP);
	ck_assert_int_eq(inject(RTVIRT_VMM_INJECT_READS, 0, 1, 0), ERR_OPNOTSUPP);
	ck_assert_int_eq(inject(RTVIRT_VMM_INJECT_TX, RTVIRT_VMM_INJECT_CORRUPT,
				1, 0), ERR_OPNOTSUPP);
	ck_assert_int_eq(inject(RTVIRT_VMM_INJECT_RX, 0, 1, 0), ERR_INVAL);

	/* Receive: the next frame dropped (RX data error), then none. */
	ck_assert_int_eq(inject(RTVIRT_VMM_INJECT_RX, RTVIRT_VMM_INJECT_DROP,
				1, 0), 0);
	nic_receive(60);
	e1000e_ops.poll(&dev);
	ck_assert(os_rx[0].wb_lo & E1000_RXD_EXT_RXE);
	nic_receive(60);
	e1000e_ops.poll(&dev);
	ck_assert(!(os_rx[1].wb_lo & E1000_RXD_EXT_RXE));
	ck_assert_uint_eq(dev.stats.injected, 1);

	/* Corrupted: the last byte inverted, the checksum error set. */
	ck_assert_int_eq(inject(RTVIRT_VMM_INJECT_RX, RTVIRT_VMM_INJECT_CORRUPT,
				1, 0), 0);
	nic_receive(70);
	e1000e_ops.poll(&dev);
	ck_assert(os_rx[2].wb_lo & E1000_RXD_EXT_TCPE);
	ck_assert(!(os_rx[2].wb_lo & E1000_RXD_EXT_RXE));
	ck_assert_uint_eq(bufs[2 * 2048 + 68], 0xab);
	ck_assert_uint_eq(bufs[2 * 2048 + 69], (u8)~0xab);
	ck_assert_uint_eq(dev.stats.injected, 2);

	/* Transmit: the second of two frames reads the sink instead. */
	ck_assert_int_eq(inject(RTVIRT_VMM_INJECT_TX, RTVIRT_VMM_INJECT_DROP,
				1, 0), 0);
	ck_assert_int_eq(inject(RTVIRT_VMM_INJECT_TX, RTVIRT_VMM_INJECT_DROP,
				0, 0), 0);	/* cancelled */
	os_tx[0] = (struct e1000_tx_desc){ .addr = (u64)bufs, .lower = 60 |
		E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS };
	os_access(E1000_TDT, true, 1);
	ck_assert_uint_eq(sh_tx[0].addr, (u64)bufs);
	ck_assert_int_eq(inject(RTVIRT_VMM_INJECT_TX, RTVIRT_VMM_INJECT_DROP,
				1, RTVIRT_VMM_INJECT_ALWAYS), 0);
	os_tx[1] = (struct e1000_tx_desc){ .addr = (u64)bufs, .lower = 14 };
	os_tx[2] = (struct e1000_tx_desc){ .addr = (u64)bufs, .lower = 46 |
		E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS };
	os_tx[3] = (struct e1000_tx_desc){ .addr = (u64)bufs, .lower = 60 |
		E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS };
	os_access(E1000_TDT, true, 4);
	ck_assert_uint_ne(sh_tx[1].addr, (u64)bufs);
	ck_assert_uint_eq(sh_tx[1].addr, sh_tx[2].addr);
	ck_assert(vmm_owns_range(sh_tx[2].addr, 46));
	ck_assert_uint_eq(sh_tx[3].addr, (u64)bufs);
	ck_assert_uint_eq(dev.stats.injected, 3);

	/* A probability of one in a million takes (almost) none of 1000. */
	ck_assert_int_eq(inject(RTVIRT_VMM_INJECT_RX, RTVIRT_VMM_INJECT_DROP,
				1000, 1), 0);
	for (int i = 0; i < 50; i++) {
		nic_receive(60);
		e1000e_ops.poll(&dev);
		os_access(E1000_RDT, true, (reg(E1000_RDH) + N - 1) % N);
	}
	ck_assert_uint_le(dev.stats.injected, 4);

	/* A hand-back ends it: the next takeover drops nothing. */
	ck_assert_int_eq(inject(RTVIRT_VMM_INJECT_RX, RTVIRT_VMM_INJECT_DROP,
				5, 0), 0);
	e1000e_ops.handback(&dev, 0);
	ck_assert_int_eq(e1000e_ops.commence(&dev, (u64)st, sizeof(*st)), 0);
	h = reg(E1000_RDH);
	nic_receive(60);
	e1000e_ops.poll(&dev);
	ck_assert(os_rx[h].wb_lo & E1000_RXD_STAT_DD);
	ck_assert(!(os_rx[h].wb_lo & E1000_RXD_EXT_RXE));
	free(st);
}
END_TEST

static int inject_delay(u32 match, u32 count, u32 delay_us)
{
	struct rtvirt_vmm_inject inj = {
		.match = match, .action = RTVIRT_VMM_INJECT_DELAY,
		.count = count, .delay_us = delay_us,
	};

	return e1000e_ops.inject(&dev, &inj);
}

/* Wait until @us of the model's TSC (tsc_khz 1000000) went by. */
static void tsc_wait(u64 us)
{
	u64 start = rdtsc();

	while (rdtsc() - start < us * 1000)
		usleep(100);
}

START_TEST(frame_delays)
{
	struct rtvirt_vmm_e1000e_state *st = os_alloc(PG);
	u32 h = reg(E1000_RDH);

	/* Delays only with the delay action, at most half a second. */
	ck_assert_int_eq(inject_delay(RTVIRT_VMM_INJECT_RX, 1, 0), ERR_INVAL);
	ck_assert_int_eq(inject_delay(RTVIRT_VMM_INJECT_RX, 1,
				      RTVIRT_VMM_MAX_FRAME_DELAY_US + 1),
			 ERR_INVAL);
	ck_assert_int_eq(inject(RTVIRT_VMM_INJECT_RX, RTVIRT_VMM_INJECT_DROP,
				1, 0), 0);
	{
		struct rtvirt_vmm_inject inj = { .match = RTVIRT_VMM_INJECT_RX,
			.action = RTVIRT_VMM_INJECT_DROP, .count = 1,
			.delay_us = 10 };

		ck_assert_int_eq(e1000e_ops.inject(&dev, &inj), ERR_INVAL);
	}

	/*
	 * Receive: the first frame is held, the one behind it waits too;
	 * once the delay ran out both reach the OS and the receive
	 * interrupt is raised again.
	 */
	ck_assert_int_eq(inject_delay(RTVIRT_VMM_INJECT_RX, 1, 2000), 0);
	set_reg(E1000_ICS, 0);
	nic_receive(60);
	nic_receive(61);
	e1000e_ops.poll(&dev);
	ck_assert(!(os_rx[h].wb_lo & E1000_RXD_STAT_DD));
	ck_assert(!(os_rx[(h + 1) % N].wb_lo & E1000_RXD_STAT_DD));
	ck_assert_uint_eq(reg(E1000_ICS), 0);
	ck_assert_uint_eq(dev.stats.injected, 1);
	tsc_wait(2000);
	e1000e_ops.poll(&dev);
	ck_assert(os_rx[h].wb_lo & E1000_RXD_STAT_DD);
	ck_assert_uint_eq(os_rx[h].wb_hi, 60);
	ck_assert(os_rx[(h + 1) % N].wb_lo & E1000_RXD_STAT_DD);
	ck_assert_uint_eq(reg(E1000_ICS), E1000_ICR_RXT0 | E1000_ICR_RXQ0);
	ck_assert_uint_eq(dev.stats.injected, 1);

	/*
	 * Transmit: the second of two frames is held (the controller's
	 * tail stops at its first slot), and a frame posted behind it
	 * waits; a poll after the delay gives both.
	 */
	os_tx[0] = (struct e1000_tx_desc){ .addr = (u64)bufs, .lower = 60 |
		E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS };
	os_tx[1] = os_tx[0];
	os_tx[2] = os_tx[0];
	os_access(E1000_TDT, true, 1);
	ck_assert_uint_eq(reg(E1000_TDT), 1);
	ck_assert_int_eq(inject_delay(RTVIRT_VMM_INJECT_TX, 1, 2000), 0);
	os_access(E1000_TDT, true, 2);
	ck_assert_uint_eq(reg(E1000_TDT), 1);	/* slot 1 held */
	os_access(E1000_TDT, true, 3);
	e1000e_ops.poll(&dev);
	ck_assert_uint_eq(reg(E1000_TDT), 1);
	tsc_wait(2000);
	e1000e_ops.poll(&dev);
	ck_assert_uint_eq(reg(E1000_TDT), 3);
	nic_transmit();
	e1000e_ops.poll(&dev);
	ck_assert(os_tx[2].upper & E1000_TXD_STAT_DD);

	/* A hand-back gives the controller a held frame at once. */
	ck_assert_int_eq(inject_delay(RTVIRT_VMM_INJECT_TX, 1,
				      RTVIRT_VMM_MAX_FRAME_DELAY_US), 0);
	os_tx[3] = os_tx[0];
	os_access(E1000_TDT, true, 4);
	ck_assert_uint_eq(reg(E1000_TDT), 3);
	e1000e_ops.handback(&dev, 0);
	ck_assert_uint_eq(reg(E1000_TDT), 4);
	ck_assert_uint_eq(ring_base(E1000_TDBAL), (u64)os_tx);

	/* So does it a received one, and the next takeover holds none. */
	ck_assert_int_eq(e1000e_ops.commence(&dev, (u64)st, sizeof(*st)), 0);
	ck_assert_int_eq(inject_delay(RTVIRT_VMM_INJECT_RX, 2,
				      RTVIRT_VMM_MAX_FRAME_DELAY_US), 0);
	h = reg(E1000_RDH);
	nic_receive(60);
	e1000e_ops.poll(&dev);
	ck_assert(!(os_rx[h].wb_lo & E1000_RXD_STAT_DD));
	e1000e_ops.handback(&dev, 0);
	ck_assert(os_rx[h].wb_lo & E1000_RXD_STAT_DD);
	ck_assert_int_eq(e1000e_ops.commence(&dev, (u64)st, sizeof(*st)), 0);
	h = reg(E1000_RDH);
	nic_receive(60);
	e1000e_ops.poll(&dev);
	ck_assert(os_rx[h].wb_lo & E1000_RXD_STAT_DD);
	free(st);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("e1000e_model");
	TCase *tc = tcase_create("model");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, takeover_points_at_shadows);
	tcase_add_test(tc, transmit_checked_and_completed);
	tcase_add_test(tc, receive_returned_to_os);
	tcase_add_test(tc, aliases_never_reach_bases);
	tcase_add_test(tc, reset_then_reprogram);
	tcase_add_test(tc, reset_ignored_by_device);
	tcase_add_test(tc, rx_mode_change_held);
	tcase_add_test(tc, packet_split_served);
	tcase_add_test(tc, packet_split_capture);
	tcase_add_test(tc, larger_buffers_held);
	tcase_add_test(tc, larger_buffers_after_reset);
	tcase_add_test(tc, handback_restores_os_rings);
	tcase_add_test(tc, io_decoding_refused);
	tcase_add_test(tc, io_bar_served);
	tcase_add_test(tc, capture_both_ways);
	tcase_add_test(tc, frame_faults);
	tcase_add_test(tc, frame_delays);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
