#!/usr/bin/env bash
# Install what a fresh Debian 12 machine lacks to build the test kernel, the
# module, to run the selftests in a virtme-ng VM and to test the Prometheus
# rules (promtool).  Idempotent: a second run only checks.  Uses Debian's
# archive, crates.io and PyPI, nothing else.
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
	prometheus
)
# Installed for their tools only (promtool): the service their package starts
# is stopped and disabled, when this script installs them.
DEB_TOOLS_ONLY=(prometheus)

log() { echo "setup: $*" >&2; }

# no_service NAME: stops and disables the service NAME (systemd, or the
# sysvinit script where systemd does not run).
no_service() {
	if [ -d /run/systemd/system ]; then
		systemctl disable --now "$1.service" >/dev/null 2>&1 || :
	else
		# Denied (policy-rc.d) where the package could not start it either.
		if [ -x "/etc/init.d/$1" ]; then invoke-rc.d "$1" stop >/dev/null 2>&1 || :; fi
		update-rc.d "$1" disable >/dev/null 2>&1 || :
		deb-systemd-helper disable "$1.service" >/dev/null 2>&1 || :
	fi
	log "$1: service stopped and disabled (only its tools are used)"
}

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
	for p in "${DEB_TOOLS_ONLY[@]}"; do
		if [[ " ${missing[*]} " == *" $p "* ]]; then no_service "$p"; fi
	done
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
