// SPDX-License-Identifier: GPL-2.0
/*
 * 16550 UART output on COM1, the VMM's log console.
 */
#include <vmm/io.h>
#include <vmm/log.h>

#define COM1		0x3f8
#define UART_THR	0	/* transmit holding register (DLAB=0) */
#define UART_IER	1	/* interrupt enable (DLAB=0) */
#define UART_DLL	0	/* divisor latch low (DLAB=1) */
#define UART_DLM	1	/* divisor latch high (DLAB=1) */
#define UART_FCR	2	/* FIFO control */
#define UART_LCR	3	/* line control */
#define UART_MCR	4	/* modem control */
#define UART_LSR	5	/* line status */
#define UART_LSR_THRE	0x20	/* transmit holding register empty */
#define UART_LCR_DLAB	0x80
#define UART_LCR_8N1	0x03

/* Give up on a wedged or absent UART instead of hanging the VMM. */
#define THRE_SPINS	100000

/**
 * serial_init() - program COM1 for 115200 baud, 8N1, FIFOs on, no IRQs
 */
void serial_init(void)
{
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, UART_LCR_DLAB);
	outb(COM1 + UART_DLL, 1);	/* 115200 = 1.8432 MHz / 16 / 1 */
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, UART_LCR_8N1);
	outb(COM1 + UART_FCR, 0x07);	/* enable and clear FIFOs */
	outb(COM1 + UART_MCR, 0x03);	/* DTR, RTS */
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
	while (len--) {
		if (*s == '\n')
			serial_putc('\r');
		serial_putc(*s++);
	}
}
