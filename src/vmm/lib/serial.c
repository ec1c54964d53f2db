// SPDX-License-Identifier: GPL-2.0
/*
 * 16550 UART output on COM1, the VMM's log console.
 */
#include <vmm/io.h>
#include <vmm/log.h>

#define COM1		0x3f8
#define UART_THR	0	/* transmit holding register (DLAB=0) */
#define UART_LSR	5	/* line status */
#define UART_LSR_THRE	0x20	/* transmit holding register empty */

/* Give up on a wedged or absent UART instead of hanging the VMM. */
#define THRE_SPINS	100000

static bool serial_present;

/**
 * serial_init() - find COM1, without reprogramming it
 *
 * The kernel owns the UART (it is often its console): the VMM only writes
 * characters when the transmitter is idle and never changes the line
 * settings or interrupt enables.  A missing UART reads 0xff everywhere.
 */
void serial_init(void)
{
	serial_present = inb(COM1 + UART_LSR) != 0xff;
}

static void serial_putc(char c)
{
	int spins = THRE_SPINS;

	while (!(inb(COM1 + UART_LSR) & UART_LSR_THRE) && --spins)
		cpu_relax();
	outb(COM1 + UART_THR, (u8)c);
}

/**
 * serial_write() - write bytes to COM1, turning "\n" into "\r\n"
 * @s:		bytes to write
 * @len:	number of bytes
 */
void serial_write(const char *s, size_t len)
{
	if (!serial_present)
		return;
	while (len--) {
		if (*s == '\n')
			serial_putc('\r');
		serial_putc(*s++);
	}
}
