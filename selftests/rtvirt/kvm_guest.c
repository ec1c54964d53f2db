// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_guest: start a tiny KVM guest through /dev/kvm, as any KVM user does.
 *
 *	kvm_guest run		create a VM with one vCPU and 4 KiB of memory
 *				holding "out 0x10, al; hlt", run it to the HLT;
 *				print what happened, exit 0 if the guest ran,
 *				3 if KVM refused the VM (errno printed), 1 for
 *				anything else
 *	kvm_guest hold SECONDS	create a VM (KVM enables SVM/VMX on every CPU)
 *				and keep it for SECONDS, or until SIGTERM;
 *				prints "held" once the VM exists
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define GUEST_PA	0x1000
#define GUEST_PORT	0x10
#define GUEST_AL	0x2a

static int create_vm(int *kvm_fd)
{
	int kvm, vm;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		printf("open /dev/kvm: %s\n", strerror(errno));
		return -1;
	}
	if (ioctl(kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		printf("KVM_GET_API_VERSION: unexpected version\n");
		close(kvm);
		return -1;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		printf("KVM_CREATE_VM: %s\n", strerror(errno));
		close(kvm);
		return -2;
	}
	*kvm_fd = kvm;
	return vm;
}

static int run(void)
{
	static const unsigned char code[] = {
		0xb0, GUEST_AL,		/* mov al, 0x2a */
		0xe6, GUEST_PORT,	/* out 0x10, al */
		0xf4,			/* hlt */
	};
	struct kvm_userspace_memory_region region;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_run *kr;
	int kvm, vm, vcpu, size, outs = 0;
	void *mem;

	vm = create_vm(&kvm);
	if (vm == -2)
		return 3;
	if (vm < 0)
		return 1;
	mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return 1;
	memcpy(mem, code, sizeof(code));
	memset(&region, 0, sizeof(region));
	region.guest_phys_addr = GUEST_PA;
	region.memory_size = 4096;
	region.userspace_addr = (unsigned long)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region)) {
		printf("KVM_SET_USER_MEMORY_REGION: %s\n", strerror(errno));
		return 1;
	}
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0) {
		printf("KVM_CREATE_VCPU: %s\n", strerror(errno));
		return errno == EBUSY ? 3 : 1;
	}
	size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	kr = size > 0 ? mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
			     vcpu, 0) : MAP_FAILED;
	if (kr == MAP_FAILED) {
		printf("mmap kvm_run: %s\n", strerror(errno));
		return 1;
	}
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs))
		return 1;
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs))
		return 1;
	memset(&regs, 0, sizeof(regs));
	regs.rip = GUEST_PA;
	regs.rflags = 2;
	if (ioctl(vcpu, KVM_SET_REGS, &regs))
		return 1;
	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0)) {
			printf("KVM_RUN: %s\n", strerror(errno));
			return 1;
		}
		switch (kr->exit_reason) {
		case KVM_EXIT_IO:
			if (kr->io.direction == KVM_EXIT_IO_OUT &&
			    kr->io.port == GUEST_PORT && kr->io.size == 1 &&
			    *((unsigned char *)kr + kr->io.data_offset) == GUEST_AL)
				outs++;
			continue;
		case KVM_EXIT_HLT:
			if (outs != 1) {
				printf("guest halted after %d expected OUTs\n", outs);
				return 1;
			}
			printf("guest ran: OUT %#x to port %#x, then HLT\n",
			       GUEST_AL, GUEST_PORT);
			return 0;
		default:
			printf("unexpected exit reason %u\n", kr->exit_reason);
			return 1;
		}
	}
}

static void on_term(int sig)
{
	(void)sig;
	_exit(0);
}

static int hold(unsigned int seconds)
{
	int kvm, vm;

	vm = create_vm(&kvm);
	if (vm == -2)
		return 3;
	if (vm < 0)
		return 1;
	signal(SIGTERM, on_term);
	printf("held\n");
	fflush(stdout);
	sleep(seconds);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "run"))
		return run();
	if (argc == 3 && !strcmp(argv[1], "hold"))
		return hold(strtoul(argv[2], NULL, 0));
	fprintf(stderr, "usage: kvm_guest run | hold SECONDS\n");
	return 2;
}
