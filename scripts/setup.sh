#!/usr/bin/env bash
# Install what a fresh Debian 12 machine lacks to build the test kernel, the
# module and to run the selftests in a virtme-ng VM.  Idempotent: a second run
# only checks.  Uses Debian's archive, crates.io and PyPI, nothing else.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/env.sh
. "$here/env.sh"

DEB_PKGS=(
	linux-source-6.12 rustc-web rust-web-src rust-web-clippy cargo-web rustfmt-web
	clang-19 lld-19 llvm-19 libclang-19-dev
	make gcc flex bison bc cpio kmod libelf-dev libssl-dev
	qemu-system-x86 python3-venv python3-pip
	iproute2 iputils-ping nftables iptables ethtool socat busybox-static
	python3-sphinx
	bpftrace prometheus-node-exporter curl dkms linux-perf trace-cmd
	rsync debootstrap
	sparse shellcheck
)

log() { echo "setup: $*" >&2; }

missing=()
for p in "${DEB_PKGS[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "setup: missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
		exit 1
	fi
	log "installing Debian packages: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
	log "Debian packages present"
fi

if [ -x "$BINDGEN" ] && "$BINDGEN" --version 2>/dev/null | grep -qF "$BINDGEN_VERSION"; then
	log "bindgen $BINDGEN_VERSION present"
else
	log "installing bindgen-cli $BINDGEN_VERSION from crates.io into $TOOLS_DIR/bindgen"
	LIBCLANG_PATH=$LIBCLANG_PATH "$CARGO" install --quiet --locked --root "$TOOLS_DIR/bindgen" \
		"bindgen-cli@$BINDGEN_VERSION"
fi

if [ -x "$VNG" ] && "$VNG" --version 2>/dev/null | grep -qF "$VNG_VERSION"; then
	log "virtme-ng $VNG_VERSION present"
else
	log "installing virtme-ng $VNG_VERSION from PyPI into $TOOLS_DIR/venv"
	python3 -m venv "$TOOLS_DIR/venv"
	"$TOOLS_DIR/venv/bin/pip" install --quiet --disable-pip-version-check "virtme-ng==$VNG_VERSION"
fi
log "done"
