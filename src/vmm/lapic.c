// SPDX-License-Identifier: GPL-2.0
/*
 * The few local APIC operations the VMM needs: giving an interrupt it took
 * for the kernel back to the hardware when the CPU returns to native
 * execution before the kernel could take it.
 */
#include <vmm/lapic.h>
#include <vmm/x86.h>

#define MSR_APIC_BASE		0x1b
#define APIC_BASE_X2APIC	(1ULL << 10)
#define APIC_BASE_ADDR		0x000ffffffffff000ULL
#define APIC_ID			0x20
#define APIC_EOI		0xb0
#define APIC_ICR_LOW		0x300
#define APIC_ICR_HIGH		0x310
#define APIC_ICR_BUSY		(1U << 12)
#define APIC_DM_NMI		(4U << 8)
#define APIC_DEST_SELF		(1U << 18)
#define X2APIC_MSR(reg)		(0x800 + ((reg) >> 4))

static bool x2apic(void)
{
	return rdmsr(MSR_APIC_BASE) & APIC_BASE_X2APIC;
}

static volatile u32 *xapic_reg(unsigned int reg)
{
	return (volatile u32 *)((rdmsr(MSR_APIC_BASE) & APIC_BASE_ADDR) + reg);
}

static void xapic_wait_icr(void)
{
	while (*xapic_reg(APIC_ICR_LOW) & APIC_ICR_BUSY)
		asm volatile("pause");
}

/**
 * lapic_redeliver() - hand an interrupt and an NMI the VMM took back to
 * the local APIC, so that the kernel gets them natively
 * @vector:	interrupt vector in service for the kernel, or -1
 * @nmi:	an NMI is due to the kernel
 *
 * The vector's in-service bit is cleared with an EOI and the vector sent
 * again to this CPU; the NMI is sent to this CPU by its APIC ID (NMIs
 * cannot use the self shorthand).  Both arrive once the kernel runs
 * natively with interrupts (for the vector) enabled.
 */
void lapic_redeliver(int vector, bool nmi)
{
	if (x2apic()) {
		u32 id = rdmsr(X2APIC_MSR(APIC_ID));

		if (vector >= 0) {
			wrmsr(X2APIC_MSR(APIC_EOI), 0);
			wrmsr(X2APIC_MSR(APIC_ICR_LOW),
			      (u64)id << 32 | (u32)vector);
		}
		if (nmi)
			wrmsr(X2APIC_MSR(APIC_ICR_LOW),
			      (u64)id << 32 | APIC_DM_NMI);
		return;
	}
	if (vector >= 0) {
		*xapic_reg(APIC_EOI) = 0;
		xapic_wait_icr();
		*xapic_reg(APIC_ICR_LOW) = APIC_DEST_SELF | (u32)vector;
	}
	if (nmi) {
		u32 high = *xapic_reg(APIC_ICR_HIGH);

		xapic_wait_icr();
		*xapic_reg(APIC_ICR_HIGH) = *xapic_reg(APIC_ID) & 0xff000000U;
		*xapic_reg(APIC_ICR_LOW) = APIC_DM_NMI;
		xapic_wait_icr();
		*xapic_reg(APIC_ICR_HIGH) = high;
	}
}
