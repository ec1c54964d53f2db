// SPDX-License-Identifier: GPL-2.0
/*
 * What the kernel's exits do, for every backend: the backend decodes its
 * exit into a struct vcpu_exit and calls vcpu_handle_exit(), which handles
 * it by reason; the handlers reach the guest's state only through struct
 * vmm_arch_ops (registers, the instruction's length, events), and what is
 * still the backend's own (the interrupt window, nested page faults and
 * the steps of contained accesses) goes back to it through the same table.
 */
#include <vmm/device.h>
#include <vmm/log.h>
#include <vmm/policy.h>
#include <vmm/vmm.h>
#include <vmm/x86.h>

static u64 *rax(struct vcpu *v)
{
	return vmm_arch->gpr(v, 0);
}

/**
 * vcpu_cpuid() - CPUID: the CPU's answer, filtered by the policy
 * @v:	the exiting CPU
 */
void vcpu_cpuid(struct vcpu *v)
{
	u32 leaf = (u32)*rax(v), a, b, c, d;

	v->stats.exits[RTVIRT_EXIT_CPUID]++;
	cpuid_count(leaf, (u32)v->regs.rcx, &a, &b, &c, &d);
	policy_filter_cpuid(leaf, &a, &b, &c, &d);
	*rax(v) = a;
	v->regs.rbx = b;
	v->regs.rcx = c;
	v->regs.rdx = d;
	vmm_arch->skip(v, VCPU_INSN_CPUID);
}

/*
 * Whether a WRMSR of an MTRR (policy_mtrr_msr()) leaves every chunk of the
 * VMM's memory WB or UC: the CPU's MTRRs with the new value in place.
 */
static bool mtrr_write_ok(u32 msr, u64 val)
{
	struct policy_mtrr s = { .phys_bits = vmm.boot.phys_bits };
	u64 cap, syscfg, tom2;

	if (!policy_mtrr_msr(msr, MTRR_VAR_MAX))
		return true;
	if (rdmsr_safe(MSR_MTRR_CAP, &cap))
		cap = 0;
	s.nr_var = cap & 0xff;
	if (!policy_mtrr_msr(msr, s.nr_var))
		return true;	/* a range the CPU lacks: its own #GP */
	if (s.nr_var > MTRR_VAR_MAX)
		s.nr_var = MTRR_VAR_MAX;
	if (rdmsr_safe(MSR_MTRR_DEF_TYPE, &s.def_type))
		return false;
	for (u32 i = 0; i < s.nr_var; i++)
		if (rdmsr_safe(MSR_MTRR_PHYSBASE0 + 2 * i, &s.base[i]) ||
		    rdmsr_safe(MSR_MTRR_PHYSBASE0 + 2 * i + 1, &s.mask[i]))
			return false;
	if (!rdmsr_safe(MSR_AMD64_SYSCFG, &syscfg) &&
	    !rdmsr_safe(MSR_AMD64_TOM2, &tom2))
		s.tom2_wb = policy_mtrr_tom2_wb(syscfg, tom2);
	policy_mtrr_set(&s, msr, val);
	for (u32 i = 0; i < vmm.boot.nr_chunks; i++)
		if (!policy_mtrr_range_ok(&s, vmm.boot.chunk_pa[i],
					  RTVIRT_VMM_CHUNK_SIZE))
			return false;
	return true;
}

/*
 * Any MSR the backend does not emulate: tried on the CPU, after the
 * policy's checks, so that it behaves as on bare metal, #GP included.
 * Return: false for #GP.
 */
static bool pass_msr(struct vcpu *v, u32 msr, bool write, u64 *val)
{
	u64 old, addr = 0;
	u32 len = 0;
	int ret;

	if (!write)
		return !rdmsr_safe(msr, val);
	/* Only for the rules that compare with it (a read may fault). */
	if (!policy_msr_write_needs_old(msr) || rdmsr_safe(msr, &old))
		old = 0;
	ret = policy_msr_write(msr, old, *val, &addr, &len);
	if (ret == POLICY_MSR_PASS && !mtrr_write_ok(msr, *val))
		ret = POLICY_MSR_GP;
	switch (ret) {
	case POLICY_MSR_CHECK_RANGE:
		if (!vmm_owns_range(addr, len))
			break;
		fallthrough;
	case POLICY_MSR_GP:
		if (__atomic_fetch_add(&vmm.denied_logged, 1, __ATOMIC_RELAXED) < 16)
			vmm_log("cpu %u: WRMSR %#x value %#llx refused (#GP)\n",
				v->id, msr, (unsigned long long)*val);
		return false;
	}
	return !wrmsr_safe(msr, *val);
}

/**
 * vcpu_msr() - RDMSR or WRMSR of the MSR in ECX
 * @v:		the exiting CPU
 * @write:	WRMSR
 *
 * The MSRs the policy names emulated go to the backend
 * (&vmm_arch_ops.emulate_msr), every other one to the CPU (pass_msr()).
 */
void vcpu_msr(struct vcpu *v, bool write)
{
	u32 msr = (u32)v->regs.rcx;
	u64 val = (*rax(v) & 0xffffffff) | (v->regs.rdx << 32);
	int ret;

	v->stats.exits[write ? RTVIRT_EXIT_MSR_WRITE : RTVIRT_EXIT_MSR_READ]++;
	if (policy_msr_emulated(msr))
		ret = vmm_arch->emulate_msr(v, msr, write, &val);
	else
		ret = pass_msr(v, msr, write, &val) ? VCPU_MSR_DONE : VCPU_MSR_GP;
	if (ret == VCPU_MSR_GP) {
		vmm_arch->inject_gp(v);
		return;
	}
	if (!write) {
		*rax(v) = (u32)val;
		v->regs.rdx = val >> 32;
	}
	vmm_arch->skip(v, write ? VCPU_INSN_WRMSR : VCPU_INSN_RDMSR);
	if (ret == VCPU_MSR_LEAVE)
		vmm_arch->leave(v);
}

/**
 * vcpu_io() - IN or OUT to a trapped port (the PCI configuration ports, a
 * virtualized device's I/O BAR)
 * @v:		the exiting CPU
 * @port:	the port
 * @size:	the access's size in bytes
 * @in:		IN rather than OUT
 * @string:	INS or OUTS
 */
void vcpu_io(struct vcpu *v, u16 port, unsigned int size, bool in,
	     bool string)
{
	u64 mask, val;

	v->stats.exits[RTVIRT_EXIT_IO]++;
	if (string || (size != 1 && size != 2 && size != 4)) {
		vmm_log("cpu %u: string I/O to port %#x not emulated\n",
			v->id, port);
		vmm_arch->inject_gp(v);
		return;
	}
	mask = (1ULL << (size * 8)) - 1;
	val = *rax(v) & mask;
	if (!vdev_handle_io(v, port, size, in, &val))
		return;		/* held back: the OUT runs again */
	val &= mask;
	if (in)
		*rax(v) = size == 4 ? val : (*rax(v) & ~mask) | val;
	vmm_arch->skip(v, VCPU_INSN_IO);
}

/**
 * vcpu_hypercall() - the module's hypercall (RAX: number, RBX...: arguments)
 * @v:	the exiting CPU
 *
 * Ring 0 only: from any other ring it is #UD, as on a CPU without a VMM.
 */
void vcpu_hypercall(struct vcpu *v)
{
	bool leave = false;

	v->stats.exits[RTVIRT_EXIT_HYPERCALL]++;
	if (vmm_arch->cpl(v)) {
		vmm_arch->inject_ud(v);
		return;
	}
	*rax(v) = hypercall_dispatch(v, *rax(v), v->regs.rbx, &leave);
	vmm_arch->skip(v, VCPU_INSN_HYPERCALL);
	if (leave)
		vmm_arch->leave(v);
}

/**
 * vcpu_handle_exit() - handle one exit by its reason
 * @v:	the exiting CPU
 * @e:	the exit, as the backend decoded it
 *
 * Then choose what the next entry injects; the backend has put there
 * what the exit interrupted (an event being delivered) before.
 */
void vcpu_handle_exit(struct vcpu *v, const struct vcpu_exit *e)
{
	switch (e->reason) {
	case VCPU_EXIT_INTERRUPT:
		vcpu_interrupt(v);
		break;
	case VCPU_EXIT_NMI:
		vcpu_nmi(v);
		break;
	case VCPU_EXIT_HYPERCALL:
		vcpu_step_end(v);
		vcpu_hypercall(v);
		break;
	case VCPU_EXIT_IDT_LOAD:
		/*
		 * A running kernel loads its IDT at boot and when a CPU comes
		 * up, both native under rtvirt; while demoted only on its way
		 * out to another kernel: machine_kexec() invalidates the IDT,
		 * also for a crash kernel, where no reboot notifier ran and
		 * the kernel may not have turned virtualization off (Linux
		 * 6.12 does so only through KVM's emergency callback).  Leave
		 * this CPU before the LIDT, which the kernel then runs
		 * natively.
		 */
		v->stats.exits[RTVIRT_EXIT_OTHER]++;
		vmm_log("cpu %u: the kernel loads an IDT (kexec): this CPU leaves the VMM\n",
			v->id);
		vmm_arch->leave(v);
	case VCPU_EXIT_CPUID:
		vcpu_cpuid(v);
		break;
	case VCPU_EXIT_MSR:
		vcpu_msr(v, e->write);
		break;
	case VCPU_EXIT_IO:
		vcpu_io(v, e->port, e->size, !e->write, e->string);
		break;
	case VCPU_EXIT_VIRT_INSN:
		/* As on a CPU with the extension disabled. */
		v->stats.exits[RTVIRT_EXIT_VIRT_INSN]++;
		vmm_arch->inject_ud(v);
		break;
	case VCPU_EXIT_SHUTDOWN:
		v->stats.exits[RTVIRT_EXIT_SHUTDOWN]++;
		vmm_panic("cpu %u: guest shutdown (triple fault) at rip %#llx\n",
			  v->id, (unsigned long long)*vmm_arch->rip(v));
	case VCPU_EXIT_NPF:
		vcpu_npf(v, e);
		break;
	case VCPU_EXIT_DEBUG:
		vcpu_debug(v);
		break;
	default:
		v->stats.exits[RTVIRT_EXIT_OTHER]++;
		vmm_panic("cpu %u: unexpected exit %#llx info %#llx %#llx rip %#llx\n",
			  v->id, (unsigned long long)e->raw[0],
			  (unsigned long long)e->raw[1],
			  (unsigned long long)e->raw[2],
			  (unsigned long long)*vmm_arch->rip(v));
	}
	vcpu_finish_events(v);
}
