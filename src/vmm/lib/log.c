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

void (*vmm_panic_notify)(const char *reason);

/**
 * vmm_panic() - report a fatal VMM error and stop this CPU
 * @fmt:	format of the reason
 *
 * Logs the reason, tells the kernel through vmm_panic_notify (the first
 * panic only: one inside the notification does not notify again), which
 * may give the CPU back to the kernel and not return; then keeps
 * interrupts off and halts for good; NMIs that wake it halt it again.
 */
void vmm_panic(const char *fmt, ...)
{
	static int panicking;
	char reason[LOG_LINE_MAX];
	va_list ap;
	int n;

	asm volatile("cli");
	va_start(ap, fmt);
	n = vmm_vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (n < 0)
		reason[0] = 0;
	vmm_log("PANIC: %s", reason);
	serial_write("\n", 1);
	if (vmm_panic_notify && !__atomic_exchange_n(&panicking, 1,
						     __ATOMIC_ACQ_REL))
		vmm_panic_notify(reason);
	for (;;)
		asm volatile("hlt");
}
