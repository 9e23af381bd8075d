# SPDX-License-Identifier: GPL-2.0
#
# ovskvm_autoport: kernel module (kmod/), agent and CLI (agent/), selftests.
# `make help` lists the targets.

# The kernel to build for and boot: the running one when its build tree is
# here, else Debian's default (the one linux-headers-amd64 pulls in), else the
# newest build tree installed.
ifeq ($(KERNELRELEASE),)
KERNELRELEASE := $(shell r=$$(uname -r); \
	d=$$(dpkg-query -W -f='$${Depends}' linux-headers-amd64 2>/dev/null | \
		sed -n 's/^linux-headers-\([^ ,]*\).*/\1/p'); \
	if [ -d /lib/modules/$$r/build ]; then echo $$r; \
	elif [ -n "$$d" ] && [ -d /lib/modules/$$d/build ]; then echo $$d; \
	else ls -d /lib/modules/*/build 2>/dev/null | cut -d/ -f4 | sort -V | tail -n 1; fi)
KERNELRELEASE_FROM := (default: $(if $(filter $(shell uname -r),$(KERNELRELEASE)),the running kernel,Debian's default kernel))
else
KERNELRELEASE_FROM := (KERNELRELEASE given)
endif
KDIR ?= /lib/modules/$(KERNELRELEASE)/build

MODULE := kmod/ovskvm_autoport.ko
KSOURCES = $(filter-out %.mod.c,$(wildcard kmod/*.c kmod/*.h kmod/tests/*.c kmod/tests/*.h kmod/tests/include/linux/*.h)) \
	include/uapi/linux/ovskvm_autoport.h
SHELL := /bin/bash
VM := selftests/vm/run
VM_FLAGS ?=
CHECKPATCH ?= $(firstword $(wildcard $(KDIR)/scripts/checkpatch.pl \
	/usr/src/linux-headers-*-common/scripts/checkpatch.pl))

# Debian packages the build, the tests and the demo need.
DEPS := build-essential pkg-config linux-image-amd64 linux-headers-amd64 \
	qemu-system-x86 busybox-static cpio kmod dkms sparse iproute2 ethtool \
	procps psmisc openvswitch-switch libmnl-dev libkmod-dev libjansson-dev \
	libcmocka-dev valgrind clang libclang-rt-14-dev linux-source-6.1 xz-utils \
	python3-yaml python3-jsonschema linux-source-6.12 libsystemd-dev
# `make deb`: the Debian packages' build and check.
DEPS += debhelper dh-dkms lintian
# selftests/libvirt.sh: real libvirt domains (dnsmasq-base for the default NAT network).
DEPS += libvirt-daemon-system libvirt-clients dnsmasq-base
# selftests/ovn.sh: OVN's databases, ovn-northd and ovn-controller
DEPS += ovn-central ovn-host
# `make bench`: its plots.
DEPS += gnuplot-nox

.PHONY: all module agent kernelrelease check check-kernel unit selftests lint deps vmshell clean help \
	install uninstall dkms-source dkms-install dkms-uninstall demo demo-vm \
	deps-backports deps-rt deps-debug deps-kernel-build compile-next

# Installation (`make install`, DESTDIR= PREFIX=) and the DKMS package.
PREFIX ?= /usr
SYSCONFDIR ?= /etc
VERSION := $(shell sed -n 's/^\#define OVSKVM_VERSION "\(.*\)"/\1/p' kmod/version.h)
DKMS_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
DKMS_SRC := /usr/src/ovskvm_autoport-$(VERSION)
# Kernels `make dkms-install` builds for: every installed one with headers.
DKMS_KERNELS ?= $(shell ls -d /lib/modules/*/build 2>/dev/null | cut -d/ -f4)

all: module agent

help:
	@echo "Targets:"
	@echo "  deps       install the Debian packages needed (idempotent);"
	@echo "             KERNELS=backports adds the bookworm-backports kernel,"
	@echo "             KERNELS=rt the release's PREEMPT_RT kernel,"
	@echo "             KERNELS=debug builds the debug kernel (KASAN, lockdep,"
	@echo "             kmemleak, ...; selftests/vm/build-debug-kernel --help)"
	@echo "  all        build the module and the agent"
	@echo "  compile-next  compile the module against the next series from"
	@echo "             experimental (NEXT_SERIES=$(NEXT_SERIES)), prepared, not built"
	@echo "  module     build kmod/ovskvm_autoport.ko for KERNELRELEASE"
	@echo "  agent      build agent/ovskvm"
	@echo "  check      lint, unit tests, then the selftests in a VM"
	@echo "  check-kernel  lint and the VM selftests only, for KERNELRELEASE"
	@echo "  unit       the agent's unit tests only (host)"
	@echo "  selftests  the selftests only, in a VM"
	@echo "  lint       checkpatch and a W=1 C=1 (sparse) module build"
	@echo "  vmshell    an interactive shell in the test VM, module installed"
	@echo "  demo       OVS, the agent and three QEMU guests in the test VM"
	@echo "  bench      attach latency, bursts, detach, overhead against ovs-ifup"
	@echo "             and the ovs-vswitchd floor, in the test VM; table, JSON and"
	@echo "             plots in selftests/bench/out/"
	@echo "  install    the agent, man pages, systemd unit, config and module"
	@echo "             snippets (DESTDIR=, PREFIX=/usr); uninstall removes them"
	@echo "  deb        the Debian packages ovskvm and ovskvm-autoport-dkms in"
	@echo "             $(DEB_DIR)/ (dpkg-buildpackage on a clean copy, then lintian)"
	@echo "  dkms-install    the module source to $(DKMS_SRC), then dkms"
	@echo "                  add/build/install for DKMS_KERNELS; dkms-uninstall"
	@echo "  clean      remove build products"
	@echo "Variables: KERNELRELEASE=$(KERNELRELEASE) KDIR=$(KDIR) VM_FLAGS=$(VM_FLAGS)"
	@echo "           DKMS_KERNELS=$(DKMS_KERNELS)"

module:
	@test -d "$(KDIR)" || { echo "No kernel build tree at $(KDIR): run 'make deps' or set KDIR" >&2; exit 1; }
	@echo "Building for $(KERNELRELEASE) $(KERNELRELEASE_FROM)"
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

agent:
	$(MAKE) -C agent

unit:
	$(MAKE) -C kmod/tests check
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
	$(VM) $(VM_FLAGS) -k $(KERNELRELEASE) -M $(MODULE) -t 3000 -- $(MAKE) -s -C selftests run_tests

kernelrelease:
	@echo $(KERNELRELEASE)

check: lint agent
	@selftests/check.sh "$(KERNELRELEASE)" "$(MODULE)" $(VM_FLAGS)

# Another kernel (e.g. KERNELRELEASE=6.12.95+deb12-amd64 after
# `make deps KERNELS=backports`, 6.1.0-56-rt-amd64 after KERNELS=rt): lint and the VM selftests only; the host
# stages do not depend on the kernel.
check-kernel: lint agent
	@CHECK_STAGES=vm selftests/check.sh "$(KERNELRELEASE)" "$(MODULE)" $(VM_FLAGS)

# Deps first, then a new make: KERNELRELEASE is only known once a kernel is.
demo:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory demo-vm

demo-vm: module agent
	$(VM) $(VM_FLAGS) -k $(KERNELRELEASE) -M $(MODULE) -t 600 -- selftests/demo/demo.sh

# Figures, not a test: selftests/bench/bench.sh, run in the test VM.
.PHONY: bench
bench: module agent
	$(MAKE) -C selftests all
	$(MAKE) -C selftests/bench
	selftests/bench/run -k $(KERNELRELEASE) -M $(MODULE) $(VM_FLAGS)

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
	@$(if $(filter backports,$(KERNELS)),$(MAKE) --no-print-directory deps-backports)
	@$(if $(filter rt,$(KERNELS)),$(MAKE) --no-print-directory deps-rt)
	@$(if $(filter debug,$(KERNELS)),$(MAKE) --no-print-directory deps-debug)
	@# checkpatch.pl ships only in the kernel source: put it where a kernel
	@# tree keeps it, beside the installed headers.
	@for d in /usr/src/linux-headers-*-common; do \
		[ -f $$d/scripts/checkpatch.pl ] && continue; \
		src=$$(ls /usr/src/linux-source-*.tar.xz | sort -V | tail -n 1); \
		echo "deps: extracting checkpatch.pl from $$src into $$d/scripts"; \
		tar -xJf $$src --strip-components=1 -C $$d --wildcards '*/scripts/checkpatch.pl' \
			'*/scripts/spelling.txt' '*/scripts/const_structs.checkpatch' || exit 1; \
	done

# KERNELS=backports: also the newest kernel of bookworm-backports (and its
# headers), installed next to the release's by its versioned package name so
# that linux-image-amd64 keeps tracking the release kernel.
BACKPORTS_SOURCES := /etc/apt/sources.list.d/bookworm-backports.sources

deps-backports:
	@if ! grep -rqs '^[^#]*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then \
		echo "deps: adding bookworm-backports in $(BACKPORTS_SOURCES)"; \
		printf '%s\n' 'Types: deb' 'URIs: http://deb.debian.org/debian' 'Suites: bookworm-backports' \
			'Components: main' 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' \
			> $(BACKPORTS_SOURCES); \
		apt-get update -q || exit 1; fi; \
	abi=$$(apt-cache depends -t bookworm-backports linux-image-amd64 | \
		sed -n 's/^ *Depends: linux-image-\(.*\)$$/\1/p' | head -n 1); \
	[ -n "$$abi" ] || { echo "deps: no kernel in bookworm-backports (apt-get update?)" >&2; exit 1; }; \
	if dpkg-query -W -f='$${Status}\n' linux-headers-$$abi 2>/dev/null | grep -q 'ok installed'; then \
		echo "deps: backports kernel $$abi present"; else \
		echo "deps: installing the backports kernel $$abi"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
			linux-image-$$abi linux-headers-$$abi || exit 1; fi

# KERNELS=rt: the release's PREEMPT_RT kernel (linux-image-rt-amd64, what
# NFV hosts that run Open vSwitch boot) and its headers, installed by their
# versioned names beside the release kernel.
deps-rt:
	@abi=$$(apt-cache depends linux-image-rt-amd64 | \
		sed -n 's/^ *Depends: linux-image-\(.*\)$$/\1/p' | head -n 1); \
	[ -n "$$abi" ] || { echo "deps: no PREEMPT_RT kernel in the archive (apt-get update?)" >&2; exit 1; }; \
	if dpkg-query -W -f='$${Status}\n' linux-headers-$$abi 2>/dev/null | grep -q 'ok installed'; then \
		echo "deps: PREEMPT_RT kernel $$abi present"; else \
		echo "deps: installing the PREEMPT_RT kernel $$abi"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y -q --no-install-recommends linux-image-$$abi linux-headers-$$abi || \
		{ apt-get update -q && apt-get install -y -q --no-install-recommends \
			linux-image-$$abi linux-headers-$$abi; } || exit 1; fi

# KERNELS=debug: the current stable kernel from Debian unstable's source
# package, built here with selftests/vm/debug.config (KASAN, lockdep,
# kmemleak, UBSAN, KFENCE, debug objects) and installed as
# /boot/vmlinuz-*-ovskvm-debug; the build is cached in /var/cache/ovskvm-kernel.
DEBUG_KERNEL_DEPS := bc bison flex libelf-dev libssl-dev xz-utils cpio

# What configuring and building a kernel tree needs (the debug kernel's and
# compile-next's).
deps-kernel-build:
	@missing=$$(for p in $(DEBUG_KERNEL_DEPS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed$$' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then echo "deps: installing $$missing"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y -q --no-install-recommends $$missing || \
		{ apt-get update -q && apt-get install -y -q --no-install-recommends $$missing; } || exit 1; fi

deps-debug: deps-kernel-build
	selftests/vm/build-debug-kernel

# The next kernel series (experimental's linux-source, configured with the
# debug fragment and prepared, not built): does the module still compile,
# W=1 clean, and is every symbol it needs exported there?  An early warning,
# not a gate.  A prepared tree has no Module.symvers, so modpost's
# unresolved-symbol warnings are dropped and selftests/vm/check-exports looks
# for each symbol's EXPORT_SYMBOL in the tree's sources instead.  Built in a
# copy, so kmod/ keeps the objects of KERNELRELEASE.
NEXT_SERIES ?= 7.3
compile-next: deps-kernel-build
	@tree=$$(OVSKVM_DEBUG_SERIES=$(NEXT_SERIES) OVSKVM_DEBUG_SUITE=experimental \
		selftests/vm/build-debug-kernel --prepare-only --update | tail -n 1) && \
		[ -d "$$tree" ] || exit 1; \
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	cp -r Kbuild kmod include "$$tmp/" && \
	find "$$tmp" \( -name '*.o' -o -name '*.ko' -o -name '*.mod*' -o -name '.*.cmd' \) -delete && \
	echo "compile-next: the module against $$(make -s -C $$tree kernelrelease) ($$tree), W=1"; \
	$(MAKE) -s -C "$$tree" M="$$tmp" W=1 KBUILD_MODPOST_WARN=1 modules 2>&1 | \
		grep -v -e "symbol '.*' undefined!" -e '".*" \[.*\] undefined!' -e 'Module.symvers is missing' \
			-e 'Modules may not have dependencies' -e 'proceed at your own risk' \
			-e 'You may get many unresolved' -e 'KBUILD_MODPOST_WARN=1 to turn' \
			-e 'suppressed [0-9]* unresolved symbol' | \
		tee "$$tmp/log"; \
	[ -f "$$tmp/kmod/ovskvm_autoport.ko" ] || { echo "compile-next: the build failed" >&2; exit 1; }; \
	! grep -qiE 'warning|error' "$$tmp/log" || { echo "compile-next: warnings above" >&2; exit 1; }; \
	echo "compile-next: built, no warnings"; \
	selftests/vm/check-exports "$$tmp/kmod/ovskvm_autoport.ko" "$$tree"

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	-$(MAKE) -C agent clean
	-$(MAKE) -C kmod/tests clean
	-$(MAKE) -C selftests clean
	rm -f .lint.log

# The agent installs itself; the module comes from DKMS (`make dkms-install`).
# Here: load the module at boot (before any guest starts, so no tap is missed)
# and a place for its default-policy options.  Existing files are kept.
MODULES_LOAD := $(DESTDIR)$(PREFIX)/lib/modules-load.d/ovskvm_autoport.conf
MODPROBE_CONF := $(DESTDIR)$(SYSCONFDIR)/modprobe.d/ovskvm_autoport.conf

install:
	$(MAKE) -C agent install PREFIX=$(PREFIX) SYSCONFDIR=$(SYSCONFDIR)
	install -d $(dir $(MODULES_LOAD)) $(dir $(MODPROBE_CONF))
	printf '# Load ovskvm_autoport at boot, see ovskvm(8).\novskvm_autoport\n' > $(MODULES_LOAD)
	@if [ -e $(MODPROBE_CONF) ]; then echo "$(MODPROBE_CONF) exists: left as it is"; else \
	printf '%s\n' '# ovskvm_autoport: the default policy, in force until a policy is pushed' \
		'# (ovskvm apply, or the agent at start).  See modinfo ovskvm_autoport.' \
		'#options ovskvm_autoport bridge=br0 match=tap*,vnet* creator=qemu-system-* bring_up=Y' > $(MODPROBE_CONF); \
	echo "installed $(MODPROBE_CONF)"; fi
	@echo "Next: make dkms-install; systemctl daemon-reload; systemctl enable --now ovskvm"

# /etc/ovskvm.conf and /etc/modprobe.d/ovskvm_autoport.conf are the operator's
# configuration: they stay, as a package removal leaves them.
uninstall:
	@if grep -q '^uninstall:' agent/Makefile; then \
		$(MAKE) -C agent uninstall PREFIX=$(PREFIX) SYSCONFDIR=$(SYSCONFDIR); else \
		rm -fv $(DESTDIR)$(PREFIX)/sbin/ovskvm $(DESTDIR)$(PREFIX)/share/man/man8/ovskvm.8 \
			$(DESTDIR)$(PREFIX)/share/man/man5/ovskvm.conf.5 \
			$(DESTDIR)/lib/systemd/system/ovskvm.service \
			$(DESTDIR)$(PREFIX)/share/doc/ovskvm/ovskvm.conf.example; \
		rmdir $(DESTDIR)$(PREFIX)/share/doc/ovskvm 2>/dev/null || true; fi
	rm -fv $(MODULES_LOAD)
	@echo "kept: $(DESTDIR)$(SYSCONFDIR)/ovskvm.conf $(MODPROBE_CONF) (remove them by hand)"

# The module's source as DKMS wants it.  DESTDIR= stages it for a package.
dkms-source:
	@test "$(VERSION)" = "$(DKMS_VERSION)" || { echo "dkms.conf PACKAGE_VERSION \
	$(DKMS_VERSION) differs from kmod/version.h $(VERSION): fix dkms.conf" >&2; exit 1; }
	rm -rf $(DESTDIR)$(DKMS_SRC)
	install -d $(DESTDIR)$(DKMS_SRC)/kmod $(DESTDIR)$(DKMS_SRC)/include/uapi/linux
	install -m 0644 Kbuild Makefile dkms.conf LICENSE $(DESTDIR)$(DKMS_SRC)/
	install -m 0644 kmod/Kbuild $(filter-out %.mod.c,$(wildcard kmod/*.c kmod/*.h)) \
		$(DESTDIR)$(DKMS_SRC)/kmod/
	install -m 0644 include/uapi/linux/ovskvm_autoport.h $(DESTDIR)$(DKMS_SRC)/include/uapi/linux/

# A kernel outside BUILD_EXCLUSIVE_KERNEL (dkms exit 77) is skipped.
dkms-install:
	@command -v dkms > /dev/null || { echo "dkms is not installed: run 'make deps'" >&2; exit 1; }
	@test -n "$(DKMS_KERNELS)" || { echo "no kernel headers installed: run 'make deps'" >&2; exit 1; }
	@if [ -n "$$(dkms status ovskvm_autoport/$(VERSION))" ]; then \
		echo "dkms: replacing ovskvm_autoport/$(VERSION)"; \
		dkms remove ovskvm_autoport/$(VERSION) --all > /dev/null || exit 1; fi
	@$(MAKE) -s dkms-source DESTDIR=
	dkms add ovskvm_autoport/$(VERSION)
	@for k in $(DKMS_KERNELS); do \
		dkms install ovskvm_autoport/$(VERSION) -k $$k; rc=$$?; \
		if [ $$rc = 77 ]; then echo "dkms: $$k is not supported (6.1 or later): skipped"; \
		elif [ $$rc != 0 ]; then echo "dkms: build for $$k failed, see /var/lib/dkms/ovskvm_autoport/$(VERSION)/build/make.log" >&2; exit 1; fi; \
	done
	@dkms status ovskvm_autoport

dkms-uninstall:
	-dkms remove ovskvm_autoport/$(VERSION) --all
	rm -rf $(DKMS_SRC)

# The Debian packages (debian/), built from a clean copy of the tree: the
# files git knows of (tracked, or new and not ignored) when this is a git
# checkout, else the tree without its build products.  Lintian errors fail.
.PHONY: deb
DEB_DIR := build/deb
DEB_SRC := $(DEB_DIR)/ovskvm-$(VERSION)

deb:
	@for c in dpkg-buildpackage dh dh_dkms lintian; do command -v $$c > /dev/null || \
		{ echo "deb: $$c is missing: run 'make deps'" >&2; exit 1; }; done
	@v=$$(dpkg-parsechangelog -S Version | sed 's/-[^-]*$$//'); test "$$v" = "$(VERSION)" || \
		{ echo "deb: debian/changelog is at $$v, kmod/version.h at $(VERSION): add a changelog entry" >&2; exit 1; }
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_SRC)
	@if git rev-parse --is-inside-work-tree > /dev/null 2>&1; then \
		git ls-files -z -co --exclude-standard | grep -zv '^build/' | \
			while IFS= read -r -d '' f; do [ -e "$$f" ] && printf '%s\0' "$$f"; done | \
			cpio -0 -pdm --quiet $(DEB_SRC) || exit 1; \
	else \
		tar -c --exclude=./build --exclude=./.vm --exclude='*.o' --exclude='*.ko' \
			--exclude='*.cmd' --exclude='*.mod' --exclude='*.mod.c' --exclude='*.a' . | \
			tar -x -C $(DEB_SRC) || exit 1; \
	fi
	cd $(DEB_SRC) && nice -n 10 dpkg-buildpackage -b -us -uc
	lintian --fail-on error $(DEB_DIR)/ovskvm_*.changes
	@ls -l $(DEB_DIR)/*.deb
