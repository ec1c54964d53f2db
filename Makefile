# SPDX-License-Identifier: GPL-2.0
#
# rtvirt top-level Makefile.
#
#   make             VMM image, rtvirt.ko (with the image embedded), tools
#   make check       unit tests, static checks, selftests in the test VM
#   make demo        boot the test VM and show rtvirt loaded
#   make bench       benchmark in the test VM (reports, never fails)
#   make soak        long NVMe flip test in the test VM (SOAK_FLIPS=3000)
#   make clean
#
# KDIR selects the kernel build tree (default: the running kernel's when its
# headers are installed, else the newest installed Debian kernel headers).

# The running kernel's build tree; else that of Debian's default kernel
# (the one linux-headers-amd64 depends on: 6.1 on Debian 12, even with a
# 6.12 tree installed beside it); else the newest installed.
ifeq ($(origin KDIR), undefined)
KDEFAULT := $(shell dpkg-query -W -f='$${Depends}' linux-headers-amd64 2>/dev/null | \
	      sed -n 's/^linux-headers-\([^ ,]*\).*/\1/p')
KDIR := $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	  $(if $(KDEFAULT),$(wildcard /lib/modules/$(KDEFAULT)/build)) \
	  $(lastword $(sort $(wildcard /lib/modules/*/build))))
endif

ifeq ($(V),1)
Q :=
quiet = @true
else
Q := @
quiet = @printf '  %-8s %s\n'
endif

.DEFAULT_GOAL := all

CC	?= gcc
LD	?= ld
OBJCOPY	?= objcopy
O_VMM	:= build/vmm

VMM_BIN	:= $(O_VMM)/rtvirt-vmm.bin

# --- the freestanding VMM image --------------------------------------------

# By layer: the generic core (image header, entry, setup, memory, exits by
# reason, hypercalls, policy), the x86 architecture and its vendor
# backends, the device framework with one folder per model, and the
# library (format, log, serial, string), which calls nothing above it.
VMM_SRCS := src/vmm/core/header.S src/vmm/core/main.c src/vmm/core/setup.c \
	    src/vmm/core/mem.c src/vmm/core/view.c src/vmm/core/contain.c \
	    src/vmm/core/event.c src/vmm/core/vcpu.c src/vmm/core/hypercall.c \
	    src/vmm/core/policy.c src/vmm/core/ports.c \
	    src/vmm/arch/x86/idt.S src/vmm/arch/x86/paging.c \
	    src/vmm/arch/x86/decode.c src/vmm/arch/x86/guest.c \
	    src/vmm/arch/x86/svm/svm.c src/vmm/arch/x86/svm/svm_asm.S \
	    src/vmm/arch/x86/svm/msrpm.c \
	    src/vmm/arch/x86/vmx/controls.c src/vmm/arch/x86/vmx/ept.c \
	    src/vmm/arch/x86/vmx/exit.c src/vmm/arch/x86/vmx/guest_state.c \
	    src/vmm/arch/x86/vmx/msr_bitmap.c src/vmm/arch/x86/vmx/events.c \
	    src/vmm/arch/x86/vmx/vmx.c \
	    src/vmm/arch/x86/vmx/vmx_asm.S \
	    src/vmm/dev/device.c src/vmm/dev/hold_log.c src/vmm/dev/capture.c \
	    src/vmm/dev/nvme/nvme.c src/vmm/dev/nvme/nvme_dma.c \
	    src/vmm/dev/e1000e/e1000e.c src/vmm/dev/e1000e/e1000e_ring.c \
	    src/vmm/lib/serial.c src/vmm/lib/log.c src/vmm/lib/format.c \
	    src/vmm/lib/string.c
VMM_OBJS := $(patsubst src/vmm/%,$(O_VMM)/%.o,$(basename $(VMM_SRCS)))

# No libc, no Linux headers: only the compiler's own freestanding headers.
VMM_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-builtin -nostdinc \
	-isystem $(shell $(CC) -print-file-name=include) \
	-Isrc/vmm/include -Iinclude -Iinclude/uapi \
	-fpie -fvisibility=hidden -mno-red-zone -mgeneral-regs-only \
	-mno-mmx -mno-sse -mno-sse2 -mno-avx -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-common -fcf-protection=branch \
	-Wall -Wextra -Werror -Wmissing-prototypes -Wmissing-declarations \
	-Wstrict-prototypes -Wold-style-definition -Wshadow -Wundef \
	-Wpointer-arith -Wcast-align -Wvla -Wformat=2 -MMD -MP
VMM_LDFLAGS := -nostdlib -pie -z max-page-size=4096 -z noexecstack \
	--no-dynamic-linker --build-id=none -z norelro --hash-style=gnu

$(O_VMM)/%.o: src/vmm/%.c
	@mkdir -p $(@D)
	$(quiet) VMMCC $@
	$(Q)$(CC) $(VMM_CFLAGS) -c -o $@ $<

$(O_VMM)/%.o: src/vmm/%.S
	@mkdir -p $(@D)
	$(quiet) VMMAS $@
	$(Q)$(CC) $(VMM_CFLAGS) -I$(O_VMM)/include -D__ASSEMBLY__ -c -o $@ $<

# The structure offsets of the assembly code, from the C structures: each
# DEFINE() of asm-offsets.c leaves "->NAME value" in the compiler's
# assembly output.
ASM_OFFSETS := $(O_VMM)/include/generated/asm-offsets.h
$(ASM_OFFSETS): src/vmm/arch/x86/asm-offsets.c src/vmm/include/vmm/*.h Makefile
	@mkdir -p $(@D)
	$(quiet) GEN $@
	$(Q)$(CC) $(VMM_CFLAGS) -S -o $(@:.h=.s) $<
	$(Q){ echo '/* Generated from src/vmm/arch/x86/asm-offsets.c: do not edit. */'; \
	  sed -n 's/^[[:space:]]*\.ascii[[:space:]]*"->\([A-Z0-9_]*\) \$$\{0,1\}\([0-9-]*\)"/#define \1 \2/p' \
		$(@:.h=.s); } > $@.tmp
	$(Q)test "$$(grep -c '^#define' $@.tmp)" -eq "$$(grep -c '^	\(OFFSET\|DEFINE\)(' $<)" || \
		{ echo "$@: not every offset was generated" >&2; exit 1; }
	$(Q)mv $@.tmp $@
$(O_VMM)/arch/x86/svm/svm_asm.o $(O_VMM)/arch/x86/vmx/vmx_asm.o: $(ASM_OFFSETS)

# Objects follow the flags above: rebuild them when the Makefile changes.
$(VMM_OBJS): Makefile

$(O_VMM)/rtvirt-vmm.elf: $(VMM_OBJS) src/vmm/vmm.lds
	$(quiet) VMMLD $@
	$(Q)$(LD) $(VMM_LDFLAGS) -T src/vmm/vmm.lds -o $@ $(VMM_OBJS)

$(VMM_BIN): $(O_VMM)/rtvirt-vmm.elf build/tools/vmm-seal
	$(quiet) SEAL $@
	$(Q)$(OBJCOPY) -O binary --only-section=.header --only-section=.text \
		--only-section=.rodata --only-section=.data --only-section=.got \
		--only-section=.rela.dyn --only-section=.dynamic $< $@.tmp
	$(Q)build/tools/vmm-seal $@.tmp $(shell nm $< | awk '$$3 ~ /^(__vmm_image_end|__vmm_bss_end|vmm_entry_table|__vmm_rela_start|__vmm_rela_end)$$/ { v[$$3] = $$1 } END { print v["__vmm_image_end"], v["__vmm_bss_end"], v["vmm_entry_table"], v["__vmm_rela_start"], v["__vmm_rela_end"] }')
	$(Q)mv $@.tmp $@

# --- host build tools and user-space tools ---------------------------------

HOST_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror \
	-Wmissing-prototypes -Wstrict-prototypes -Wshadow -Wformat=2 \
	-Iinclude/uapi -Iinclude
COMMON_SRCS := src/common/crc32.c src/common/vmm_image_check.c \
	       src/common/device_match.c src/common/parse.c

build/tools/vmm-seal: tools/build/vmm-seal.c $(COMMON_SRCS) include/rtvirt/*.h
	@mkdir -p $(@D)
	$(quiet) HOSTCC $@
	$(Q)$(CC) $(HOST_CFLAGS) -o $@ tools/build/vmm-seal.c $(COMMON_SRCS)

RTVIRTCTL := tools/rtvirtctl/rtvirtctl
RTVIRTCTL_SRCS := $(addprefix tools/rtvirtctl/,names.c escape.c \
		    print_launch.c print_device.c args.c pcap.c capture.c)
$(RTVIRTCTL): tools/rtvirtctl/rtvirtctl.c $(RTVIRTCTL_SRCS) \
	      tools/rtvirtctl/format.h tools/rtvirtctl/internal.h \
	      tools/rtvirtctl/capture.h \
	      include/uapi/linux/rtvirt.h \
	      src/common/exit_names.c src/common/state_names.c
	$(quiet) CC $@
	$(Q)$(CC) $(HOST_CFLAGS) -o $@ tools/rtvirtctl/rtvirtctl.c \
		$(RTVIRTCTL_SRCS) src/common/exit_names.c \
		src/common/state_names.c

SELFTEST_BINS := $(patsubst %.c,%,$(wildcard selftests/rtvirt/*.c))
selftests/rtvirt/%: selftests/rtvirt/%.c include/uapi/linux/rtvirt.h
	$(quiet) CC $@
	$(Q)$(CC) $(HOST_CFLAGS) -o $@ $<

# --- the kernel module -------------------------------------------------------

.PHONY: all vmm module tools unit static-check check check-vmx demo bench bench-vmx fuzz clean FORCE

all: module tools

vmm: $(VMM_BIN)

tools: $(RTVIRTCTL) $(SELFTEST_BINS)

module: $(VMM_BIN)
	@test -n "$(KDIR)" -a -d "$(KDIR)" || { echo "no kernel build tree (KDIR=$(KDIR)); run tools/install-deps" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# --- tests --------------------------------------------------------------------

unit:
	@tools/testing/run-unit

# A KDIR given on the command line reaches the scripts' own make calls
# through MAKEFLAGS; otherwise each make computes it after install-deps.
static-check:
	@tools/testing/run-static

check:
	@tools/testing/check

# The VMX selftests under Bochs with their full counts (make check runs
# them with smaller ones).
check-vmx:
	@tools/testing/check-vmx

demo:
	@tools/demo

# libFuzzer on the VMM's instruction decoder and NVMe data pointer checks,
# and on the module's BTF reader (clang; not part of make check).
FUZZ_SECONDS ?= 60
fuzz:
	@mkdir -p build/fuzz
	clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc/vmm/include \
		-Iinclude -o build/fuzz/fuzz_decode \
		tools/testing/fuzz/fuzz_decode.c src/vmm/arch/x86/decode.c
	build/fuzz/fuzz_decode -max_total_time=$(FUZZ_SECONDS) -max_len=20
	clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc/vmm/include \
		-Iinclude -o build/fuzz/fuzz_nvme_dma \
		tools/testing/fuzz/fuzz_nvme_dma.c src/vmm/dev/nvme/nvme_dma.c
	build/fuzz/fuzz_nvme_dma -max_total_time=$(FUZZ_SECONDS) -max_len=8238
	clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc/vmm/include \
		-Iinclude -o build/fuzz/fuzz_e1000e_ring \
		tools/testing/fuzz/fuzz_e1000e_ring.c \
		src/vmm/dev/e1000e/e1000e_ring.c
	build/fuzz/fuzz_e1000e_ring -max_total_time=$(FUZZ_SECONDS) -max_len=5000
	clang -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -Iinclude -o build/fuzz/fuzz_btf \
		tools/testing/fuzz/fuzz_btf.c src/common/btf.c
	build/fuzz/fuzz_btf -max_total_time=$(FUZZ_SECONDS) -max_len=4096

# Reports ratios and counts measured in one test VM run; not a test.
bench:
	@tools/vm/run --add tools/bench -- /extra/bench.sh

# The same under Bochs (Haswell, 2 CPUs): the VMX backend's figures.
bench-vmx:
	@tools/vm/run --backend bochs --smp 2 --add tools/bench -- \
		env RTVIRT_BENCH_SECONDS=5 /extra/bench.sh

# nvme_flip.sh with SOAK_FLIPS flips of the disk under fio verify load
# (not part of make check).  A flip takes about 0.1-0.3 s in the TCG test
# VM; the timeouts leave several times that.
SOAK_FLIPS ?= 3000
.PHONY: soak
soak:
	@tools/vm/run --mem 4096 --timeout $$(( $(SOAK_FLIPS) + 900 )) -- \
		env RTVIRT_FLIPS=$(SOAK_FLIPS) \
		RTVIRT_TEST_TIMEOUT=$$(( $(SOAK_FLIPS) + 600 )) \
		/rtvirt/selftests/run_tests nvme_flip.sh

# DKMS: the module rebuilt by dkms for every installed kernel.
# DKMS_KVER selects the kernel to build for now (default: KDIR's).
RTVIRT_VERSION := $(shell sed -n 's/^\#define RTVIRT_VERSION[[:space:]]*"\(.*\)"/\1/p' src/module/rtvirt.h)
DKMS_SRC := /usr/src/rtvirt-$(RTVIRT_VERSION)
DKMS_KVER ?= $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)
DKMS_FILES := Kbuild Makefile include src tools/build
# dkms runs make itself (and reads its output): not as part of this make.
DKMS := env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL dkms
.PHONY: dkms-install dkms-remove
dkms-install:
	@test -n "$(RTVIRT_VERSION)" || { echo "cannot read RTVIRT_VERSION" >&2; exit 1; }
	@test -n "$(DKMS_KVER)" || { echo "no kernel release in $(KDIR); set DKMS_KVER" >&2; exit 1; }
	@command -v dkms >/dev/null || { echo "dkms is not installed (apt-get install dkms)" >&2; exit 1; }
	-$(DKMS) remove -m rtvirt -v $(RTVIRT_VERSION) --all >/dev/null 2>&1
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	cp -a --parents $(DKMS_FILES) $(DKMS_SRC)/
	sed 's/@VERSION@/$(RTVIRT_VERSION)/' dkms.conf > $(DKMS_SRC)/dkms.conf
	$(DKMS) add -m rtvirt -v $(RTVIRT_VERSION)
	$(DKMS) build -m rtvirt -v $(RTVIRT_VERSION) -k $(DKMS_KVER)
	$(DKMS) install -m rtvirt -v $(RTVIRT_VERSION) -k $(DKMS_KVER)

dkms-remove:
	-$(DKMS) remove -m rtvirt -v $(RTVIRT_VERSION) --all
	rm -rf $(DKMS_SRC)

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	rm -rf build $(RTVIRTCTL) $(SELFTEST_BINS)

-include $(VMM_OBJS:.o=.d)
