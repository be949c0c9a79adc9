# SPDX-License-Identifier: GPL-2.0
#
# Out-of-tree module, kernel conventions:
#   make KDIR=/path/to/rust-enabled/kernel/build [LLVM=1 ...]
# Project targets (test kernel, VM, tests) are listed by `make help`.

KDIR ?= /lib/modules/$(shell uname -r)/build
# The test kernel: KERNEL (6.12 or 7.3: scripts/env.sh, RST_EXT_KERNELS;
# default 6.12) and VARIANT (normal, debug, or gcc: the normal config built
# with gcc).  `make check KERNEL="6.12 7.3"
# VARIANT="normal debug"` runs every pair.
KERNEL ?=
VARIANT ?=
V1 := $(or $(VARIANT),normal)
T1 := $(firstword $(KERNEL)) $(V1)

.PHONY: all modules modules_install install clean help setup test-kernel module \
	check demo unit-test fmt fmt-check clippy

all: modules

# The toolchain KDIR's kernel was built with, as found on this machine:
# scripts/check-kdir.sh reads the kernel's .config and prints, e.g.,
# "LLVM=-19 RUSTC=/usr/bin/rustc"; what the command line gives wins, and so
# does LLVM from the environment (kbuild sets RUSTC and BINDGEN itself,
# overriding the environment, not LLVM).
RST_EXT_GIVEN := $(if $(filter command line environment,$(origin LLVM)),LLVM) \
	$(foreach v,RUSTC BINDGEN,$(if $(filter command line,$(origin $(v))),$(v)))
# DKMS appends CC=clang LD=ld.lld to the make line of a clang-built kernel,
# and Debian installs clang as clang-19: a CC or LD given on the command line
# that is not installed is dropped, and LLVM= (above) names the right ones.
define rst_ext_drop_missing
ifeq ($$(origin $(1)),command line)
ifeq ($$(shell command -v $$($(1)) 2>/dev/null),)
$$(info mptcp_rst_ext: $(1)=$$($(1)) is not installed: ignored, LLVM= chooses)
MAKEOVERRIDES := $$(filter-out $(1)=%,$$(MAKEOVERRIDES))
endif
endif
endef
$(foreach v,CC LD,$(eval $(call rst_ext_drop_missing,$(v))))
# A distribution's headers (e.g. Debian's /usr/src/linux-headers-RELEASE)
# have no rust/ to build against: scripts/distro-kdir.sh prepares the tree
# that has it, once, from the kernel's source package of the same version.
rst_ext_kmake = kdir=$$(./scripts/distro-kdir.sh --resolve "$(KDIR)") && \
	tc=$$(./scripts/check-kdir.sh "$$kdir" $(RST_EXT_GIVEN)) && \
	echo "make -C $$kdir M=$(CURDIR) $$tc $(1)" && $(MAKE) -C $$kdir M=$(CURDIR) $$tc $(1)

modules:
	+@$(call rst_ext_kmake,modules)

# kbuild skips depmod without the kernel's System.map, which a distribution's
# headers do not ship: then it is run here.
modules_install install: modules
	+@$(call rst_ext_kmake,modules_install)
	@kdir=$$(./scripts/distro-kdir.sh --resolve "$(KDIR)") && [ -f "$$kdir/System.map" ] || { \
		rel=$$($(MAKE) -s -C "$$kdir" kernelrelease) && \
		echo "depmod $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH) )$$rel" && \
		depmod $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) "$$rel"; }

clean:
	@if [ -d "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	rm -rf rust/host/target out

help:
	@echo 'make [KDIR=...]          build mptcp_rst_ext.ko against KDIR (a Rust-enabled kernel build tree)'
	@echo 'make install             modules_install: into /lib/modules/<KDIR release>/updates, or under INSTALL_MOD_PATH'
	@echo 'make setup               install the toolchain a fresh Debian 12 machine lacks'
	@echo 'The project targets take KERNEL=6.12|7.3 (default 6.12) and VARIANT=normal|debug|gcc (default normal):'
	@echo 'make demo                set-up, test kernel, boot a VM, provoke resets, show nstat'
	@echo 'make check               set-up, test kernel(s), every test; ends with "N passed, N failed"'
	@echo '                         (KERNEL="6.12 7.3" VARIANT="normal debug": every pair)'
	@echo '                         (UPSTREAM_SUBSET=none: our selftests only; CHECK_TESTS=...: some files)'
	@echo '                         (CHECK_ONLY=REGEX: the causes cases whose name matches)'
	@echo 'make check-upstream [SUBSET=full]  the kernel'"'"'s MPTCP selftests with the module loaded (default SUBSET=ci)'
	@echo 'make stress [STRESS_TESTS=...]  the reliability suite at full size (default VARIANT=debug)'
	@echo 'make bench [BENCH_PARTS=...]  the benchmarks (Documentation/benchmarks.rst)'
	@echo 'make test-kernel         build (or reuse) the test kernel, print its KDIR'
	@echo 'make module              build the module against the test kernel'
	@echo 'make unit-test           host unit tests of the attribution (cargo test)'
	@echo 'make mutants             mutation testing of the attribution and the self-check (cargo-mutants)'
	@echo 'make coverage-host       coverage of rust/rst_ext.rs by the host tests, in out/coverage/rust (llvm-cov)'
	@echo 'make docs                the documentation as HTML in out/docs/html (Sphinx; a warning fails it)'
	@echo 'make monitoring-test     the Prometheus rules of monitoring/: promtool check and unit tests, counter names'
	@echo 'make fmt | fmt-check | clippy'
	@echo 'make lint [LINT_CHECKS=...]  checkpatch --strict, sparse, shellcheck, clippy, rustfmt: no finding'

setup:
	./scripts/setup.sh

test-kernel: setup
	./scripts/kernel.sh $(T1)

module: setup
	./scripts/module.sh $(T1)

check:
	./scripts/check.sh $(KERNEL) $(or $(VARIANT),normal)

demo:
	./scripts/demo.sh $(T1)

# Debian's Rust toolchain (rustc-web, the one the test kernels are built with),
# whatever else is first in PATH.
CARGO ?= /usr/bin/cargo
RUSTFMT ?= /usr/bin/rustfmt
HOST_RUSTC ?= /usr/bin/rustc

unit-test:
	RUSTC=$(HOST_RUSTC) $(CARGO) test --quiet --manifest-path rust/host/Cargo.toml

.PHONY: mutants
mutants:
	./scripts/mutants.sh

# The coverage of rust/rst_ext.rs by the host tests (-C instrument-coverage,
# llvm-cov-19): a summary line, and the report in out/coverage/rust/.
.PHONY: coverage-host
coverage-host:
	./scripts/coverage-host.sh

# The crate (rustfmt follows its modules) and the host-only files.
RUST_SOURCES := rust/rst_ext.rs rust/host/counters.rs rust/host/tests/attribution.rs

fmt:
	$(RUSTFMT) --edition 2021 $(RUST_SOURCES)

fmt-check:
	$(RUSTFMT) --check --edition 2021 $(RUST_SOURCES)

clippy:
	./scripts/module.sh $(T1) CLIPPY=1

# The static checks of the upstream MPTCP CI (scripts/lint.sh), against the
# test kernel; LINT_CHECKS="checkpatch sparse ...": only those.
LINT_CHECKS ?=
.PHONY: lint
lint: setup
	./scripts/lint.sh $(T1) $(LINT_CHECKS)

.PHONY: docs
docs:
	./scripts/docs.sh

# The Prometheus rules (monitoring/) on the host: promtool check rules,
# promtool test rules, and every counter they name is in the table.
.PHONY: monitoring-test
monitoring-test:
	./scripts/monitoring.sh

# The kernel's own MPTCP selftests in one VM, with the module loaded
# (SUBSET=reset|ci|full|SCRIPT,...; NO_MODULE=1 for the baseline).
SUBSET ?= ci
.PHONY: check-upstream
check-upstream: setup
	./scripts/upstream.sh --subset $(SUBSET) $(if $(NO_MODULE),--no-module) $(T1)

# The reliability selftests in one VM, on the debug kernel unless VARIANT is
# given (STRESS_CI=1: the CI sizes; STRESS_CYCLES=... and the like: see
# selftests/mptcp_rst_ext_stress.sh; STRESS_TESTS="netns fuzz": only those
# tests).  Results in out/<kernel>-<variant>/stress/ (stress-<tests>/ with STRESS_TESTS).
.PHONY: stress
stress: setup
	./scripts/stress.sh $(if $(filter 1,$(STRESS_CI)),--ci) $(firstword $(KERNEL)) $(or $(VARIANT),debug)

# The benchmarks (throughput A/B, reset storm, probe time, netstat read,
# memory), one VM boot per part, on the normal kernel; guest instructions
# as the clock under TCG: Documentation/benchmarks.rst.  Raw output in
# out/<kernel>-<variant>/bench/<part>/.
.PHONY: bench
bench: setup
	./scripts/bench.sh $(T1)
