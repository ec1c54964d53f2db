// SPDX-License-Identifier: GPL-2.0
/*
 * A VMM panic, told to the kernel.  The CPU whose VMM panicked halts with
 * interrupts and NMIs held; before it does, the VMM writes its reason into
 * the note below and sends every other CPU an NMI, whose handler here
 * panics the kernel with that reason, so that it is on the console and
 * kdump runs, instead of one CPU going silent.  When no other CPU runs
 * under the VMM, that CPU sends the NMI to itself and gives itself back
 * to the kernel natively instead of halting.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/nmi.h>
#include <linux/panic.h>
#include <asm/nmi.h>

#include "rtvirt.h"

static struct rtvirt_vmm_panic_note *note;
static char panic_msg[sizeof(note->msg) + 64];

static int vmm_panic_nmi(unsigned int type, struct pt_regs *regs)
{
	unsigned int cpu;

	if (!note)
		return NMI_DONE;
	cpu = smp_load_acquire(&note->cpu);
	if (!cpu)
		return NMI_DONE;
	if (cpu <= nr_cpu_ids)
		snprintf(panic_msg, sizeof(panic_msg),
			 "rtvirt: the VMM stopped on CPU %u: %.*s", cpu - 1,
			 (int)sizeof(note->msg), note->msg);
	else
		snprintf(panic_msg, sizeof(panic_msg),
			 "rtvirt: the VMM stopped: %.*s",
			 (int)sizeof(note->msg), note->msg);
	nmi_panic(regs, panic_msg);
	return NMI_HANDLED;
}

/**
 * rtvirt_vmm_panic_note_pa() - a cleared note for the next launch
 *
 * Return: its physical address, for struct rtvirt_vmm_boot.
 */
u64 rtvirt_vmm_panic_note_pa(void)
{
	memset(note, 0, sizeof(*note));
	return virt_to_phys(note);
}

/**
 * rtvirt_vmm_panic_init() - the note and the NMI handler that reads it
 *
 * Return: 0 or a negative errno.
 */
int rtvirt_vmm_panic_init(void)
{
	int ret;

	note = (void *)get_zeroed_page(GFP_KERNEL);
	if (!note)
		return -ENOMEM;
	ret = register_nmi_handler(NMI_LOCAL, vmm_panic_nmi, 0,
				   "rtvirt_vmm_panic");
	if (ret) {
		free_page((unsigned long)note);
		note = NULL;
	}
	return ret;
}

/**
 * rtvirt_vmm_panic_exit() - drop the handler and the note (after the
 * unlaunch: no VMM writes it any more)
 */
void rtvirt_vmm_panic_exit(void)
{
	unregister_nmi_handler(NMI_LOCAL, "rtvirt_vmm_panic");
	free_page((unsigned long)note);
	note = NULL;
}
