// SPDX-License-Identifier: GPL-2.0
/*
 * VMM log messages and the panic path.
 */
#include <vmm/format.h>
#include <vmm/log.h>

#define LOG_LINE_MAX	256

static void log_va(const char *prefix, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	size_t n = 0;
	int ret;

	while (prefix[n])
		n++;
	serial_write(prefix, n);
	ret = vmm_vsnprintf(line, sizeof(line), fmt, ap);
	if (ret < 0)
		return;
	n = (size_t)ret < sizeof(line) ? (size_t)ret : sizeof(line) - 1;
	serial_write(line, n);
}

/**
 * vmm_log() - print a message on the VMM's serial log
 * @fmt:	format, see vmm_vsnprintf(); lines longer than 255 bytes are cut
 */
void vmm_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_va("rtvirt-vmm: ", fmt, ap);
	va_end(ap);
}

/**
 * vmm_panic() - report a fatal VMM error and stop this CPU
 * @fmt:	format of the reason
 *
 * Interrupts stay off and the CPU halts for good; NMIs that wake it halt
 * it again.
 */
void vmm_panic(const char *fmt, ...)
{
	va_list ap;

	asm volatile("cli");
	va_start(ap, fmt);
	log_va("rtvirt-vmm: PANIC: ", fmt, ap);
	va_end(ap);
	serial_write("\n", 1);
	for (;;)
		asm volatile("hlt");
}
