# SPDX-License-Identifier: GPL-2.0
#
# ovskvm_autoport: kernel module (kmod/), agent and CLI (agent/), selftests.
# `make help` lists the targets.

ifeq ($(KERNELRELEASE),)
KERNELRELEASE := $(shell r=$$(uname -r); \
	if [ -d /lib/modules/$$r/build ]; then echo $$r; \
	else ls -d /lib/modules/*/build 2>/dev/null | cut -d/ -f4 | sort -V | tail -n 1; fi)
KERNELRELEASE_FROM := (default: $(if $(filter $(shell uname -r),$(KERNELRELEASE)),the running kernel,the newest installed build tree))
else
KERNELRELEASE_FROM := (KERNELRELEASE given)
endif
KDIR ?= /lib/modules/$(KERNELRELEASE)/build

MODULE := kmod/ovskvm_autoport.ko
KSOURCES = $(filter-out %.mod.c,$(wildcard kmod/*.c kmod/*.h)) include/uapi/linux/ovskvm_autoport.h
SHELL := /bin/bash
VM := selftests/vm/run
VM_FLAGS ?=
CHECKPATCH ?= $(firstword $(wildcard $(KDIR)/scripts/checkpatch.pl \
	/usr/src/linux-headers-*-common/scripts/checkpatch.pl))

# Debian packages the build, the tests and the demo need.
DEPS := build-essential pkg-config linux-image-amd64 linux-headers-amd64 \
	qemu-system-x86 busybox-static cpio kmod dkms sparse iproute2 ethtool \
	procps psmisc openvswitch-switch libmnl-dev libkmod-dev libjansson-dev \
	libcmocka-dev valgrind clang libclang-rt-14-dev linux-source-6.1 xz-utils

.PHONY: all module agent check unit selftests lint deps vmshell clean help

all: module agent

help:
	@echo "Targets:"
	@echo "  deps       install the Debian packages needed (idempotent)"
	@echo "  all        build the module and the agent"
	@echo "  module     build kmod/ovskvm_autoport.ko for KERNELRELEASE"
	@echo "  agent      build agent/ovskvm"
	@echo "  check      lint, unit tests, then the selftests in a VM"
	@echo "  unit       the agent's unit tests only (host)"
	@echo "  selftests  the selftests only, in a VM"
	@echo "  lint       checkpatch and a W=1 C=1 (sparse) module build"
	@echo "  vmshell    an interactive shell in the test VM, module installed"
	@echo "  clean      remove build products"
	@echo "Variables: KERNELRELEASE=$(KERNELRELEASE) KDIR=$(KDIR) VM_FLAGS=$(VM_FLAGS)"

module:
	@test -d "$(KDIR)" || { echo "No kernel build tree at $(KDIR): run 'make deps' or set KDIR" >&2; exit 1; }
	@echo "Building for $(KERNELRELEASE) $(KERNELRELEASE_FROM)"
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

agent:
	$(MAKE) -C agent

unit:
	$(MAKE) -C agent check

lint:
	@test -n "$(CHECKPATCH)" || { echo "checkpatch.pl not found: run 'make deps'" >&2; exit 1; }
	perl $(CHECKPATCH) --no-tree --terse -q -f $(KSOURCES) | grep -v "^total: 0 errors, 0 warnings"; test $${PIPESTATUS[0]} = 0
	@echo "Building with W=1 C=1 (warnings are errors)"
	@$(MAKE) -C $(KDIR) M=$(CURDIR) clean > /dev/null
	@$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 C=1 modules 2>&1 | tee .lint.log | \
		grep -E 'warning:|error:' && { echo "lint: compiler or sparse warnings above" >&2; exit 1; } || true
	@test -f $(MODULE)

selftests: module agent
	$(VM) $(VM_FLAGS) -k $(KERNELRELEASE) -M $(MODULE) -- $(MAKE) -s -C selftests run_tests

check: lint agent
	@selftests/check.sh "$(KERNELRELEASE)" "$(MODULE)" $(VM_FLAGS)

vmshell: module agent
	$(VM) $(VM_FLAGS) -k $(KERNELRELEASE) -M $(MODULE) --shell

deps:
	@missing=$$(for p in $(DEPS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed$$' || echo $$p; \
	done); \
	if [ -z "$$missing" ]; then echo "deps: all packages present"; else \
	echo "deps: installing $$missing"; \
	export DEBIAN_FRONTEND=noninteractive; \
	if [ -z "$$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages' -mmin -1440 2>/dev/null | head -n 1)" ]; then \
		apt-get update -q || exit 1; \
	fi; \
	apt-get install -y -q --no-install-recommends $$missing || \
		{ apt-get update -q && apt-get install -y -q --no-install-recommends $$missing; } || exit 1; fi
	@# checkpatch.pl ships only in the kernel source: put it where a kernel
	@# tree keeps it, beside the installed headers.
	@for d in /usr/src/linux-headers-*-common; do \
		[ -f $$d/scripts/checkpatch.pl ] && continue; \
		src=$$(ls /usr/src/linux-source-*.tar.xz | sort -V | tail -n 1); \
		echo "deps: extracting checkpatch.pl from $$src into $$d/scripts"; \
		tar -xJf $$src --strip-components=1 -C $$d --wildcards '*/scripts/checkpatch.pl' \
			'*/scripts/spelling.txt' '*/scripts/const_structs.checkpatch' || exit 1; \
	done

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	-$(MAKE) -C agent clean
	-$(MAKE) -C selftests clean
	rm -f .lint.log
