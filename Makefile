# SPDX-License-Identifier: GPL-2.0
#
# Out-of-tree module, kernel conventions:
#   make KDIR=/path/to/rust-enabled/kernel/build [LLVM=1 ...]
# Project targets (test kernel, VM, tests) are listed by `make help`.

KDIR ?= /lib/modules/$(shell uname -r)/build
# normal or debug (`make check VARIANT="normal debug"` runs both).
VARIANT ?=
V1 := $(or $(VARIANT),normal)

.PHONY: all modules modules_install install clean help setup test-kernel module \
	check demo unit-test fmt fmt-check clippy

all: modules

modules:
	@./scripts/check-kdir.sh "$(KDIR)"
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

modules_install install: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install

clean:
	@if [ -d "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	rm -rf rust/host/target out

help:
	@echo 'make [KDIR=...]          build mptcp_rst_ext.ko against KDIR (a Rust-enabled kernel build tree)'
	@echo 'make install             modules_install: into /lib/modules/<KDIR release>/updates, or under INSTALL_MOD_PATH'
	@echo 'make setup               install the toolchain a fresh Debian 12 machine lacks'
	@echo 'make demo                set-up, test kernel, boot a VM, provoke resets, show nstat'
	@echo 'make check [VARIANT=debug]  set-up, test kernel, every test; ends with "N passed, N failed"'
	@echo 'make check-upstream [SUBSET=full] [VARIANT=debug]  the kernel'"'"'s MPTCP selftests with the module loaded (default SUBSET=ci)'
	@echo 'make test-kernel [VARIANT=debug]  build (or reuse) the test kernel, print its KDIR'
	@echo 'make module [VARIANT=debug]  build the module against the test kernel'
	@echo 'make unit-test           host unit tests of the attribution (cargo test)'
	@echo 'make docs                the documentation as HTML in out/docs/html (Sphinx; a warning fails it)'
	@echo 'make fmt | fmt-check | clippy'

setup:
	./scripts/setup.sh

test-kernel: setup
	./scripts/kernel.sh $(V1)

module: setup
	./scripts/module.sh $(V1)

check:
	./scripts/check.sh $(or $(VARIANT),normal)

demo:
	./scripts/demo.sh $(V1)

unit-test:
	RUSTC=/usr/bin/rustc /usr/bin/cargo test --quiet --manifest-path rust/host/Cargo.toml

# The crate (rustfmt follows its modules) and the host-only files.
RUST_SOURCES := rust/rst_ext.rs rust/host/counters.rs rust/host/tests/attribution.rs

fmt:
	/usr/bin/rustfmt --edition 2021 $(RUST_SOURCES)

fmt-check:
	/usr/bin/rustfmt --check --edition 2021 $(RUST_SOURCES)

clippy:
	./scripts/module.sh $(V1) CLIPPY=1

.PHONY: docs
docs:
	./scripts/docs.sh

# The kernel's own MPTCP selftests in one VM, with the module loaded
# (SUBSET=reset|ci|full|SCRIPT,...; NO_MODULE=1 for the baseline).
SUBSET ?= ci
.PHONY: check-upstream
check-upstream: setup
	./scripts/upstream.sh --subset $(SUBSET) $(if $(NO_MODULE),--no-module) $(V1)

# The reliability selftests in one VM, on the debug kernel unless VARIANT is
# given (STRESS_CI=1: the CI sizes; STRESS_CYCLES=... and the like: see
# selftests/mptcp_rst_ext_stress.sh; STRESS_TESTS="netns fuzz": only those
# tests).  Results in out/<variant>/stress/ (stress-<tests>/ with STRESS_TESTS).
.PHONY: stress
stress: setup
	./scripts/stress.sh $(if $(filter 1,$(STRESS_CI)),--ci) $(or $(VARIANT),debug)

# The benchmarks (throughput A/B, reset storm, memory) in one VM, on the
# normal kernel: Documentation/benchmarks.rst.  Raw output in out/<variant>/bench/.
.PHONY: bench
bench: setup
	./scripts/bench.sh $(V1)
