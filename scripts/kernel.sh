#!/usr/bin/env bash
# Build (or find in the cache) the Rust-enabled test kernel.
#   scripts/kernel.sh [--cached] [KERNEL] [normal|debug|gcc]
#       prints the build directory (= KDIR) on stdout; KERNEL is one of
#       RST_EXT_KERNELS (scripts/env.sh; default $KERNEL, else the first).
#       --cached: the same if it is cached, else exit 1 (no build).
#       A distribution kernel (RST_EXT_DISTRO_KERNELS) is scripts/distro.sh's.
# The build directory is keyed by the kernel source version, the config
# fragments and the toolchain, so a warm run never rebuilds.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/env.sh
. "$here/env.sh"
cached_only=
if [ "${1:-}" = --cached ]; then
	cached_only=1
	shift
fi
rst_ext_parse_target normal "$@"
[ ${#rest[@]} = 0 ] || { echo "kernel: unknown argument(s): ${rest[*]}" >&2; exit 2; }

log() { echo "kernel: $*" >&2; }
die() { echo "kernel: error: $*" >&2; exit 1; }

# A distribution's own kernel is not built: scripts/distro.sh prepares its
# KDIR from the distribution's packages.
if rst_ext_distro_field "$kernel" >/dev/null; then
	[ "$variant" = normal ] || die "$kernel is the distribution's kernel: no $variant variant"
	exec "$here/distro.sh" kdir "$kernel"
fi

# Ours (base, then what differs per kernel), then for debug the debug options
# (the gcc variant is the normal config built with gcc).
fragments=("$here/kconfig/base.config" "$here/kconfig/$kernel.config")
[ "$variant" = debug ] && fragments+=("$here/kconfig/debug.config")

# tool:package it comes from
tools=(clang-19:clang-19 ld.lld-19:lld-19 llvm-ar-19:llvm-19 /usr/bin/rustc:rustc-web
	/usr/lib/rustlib/src/rust/library:rust-web-src flex:flex bison:bison bc:bc
	"$BINDGEN:bindgen-cli@$BINDGEN_VERSION (cargo install)")
[ "$variant" = gcc ] && tools+=(gcc:gcc)
for tp in "${tools[@]}"; do
	t=${tp%%:*}
	[ -e "$t" ] || command -v "$t" >/dev/null ||
		die "$t not found: install ${tp#*:} (scripts/setup.sh does it)"
done
[ -f "$LIBCLANG_PATH/libclang.so" ] || [ -n "$(ls "$LIBCLANG_PATH"/libclang-*.so* 2>/dev/null)" ] ||
	die "libclang not found in $LIBCLANG_PATH: install libclang-19-dev (scripts/setup.sh does it)"
read -r srcver src < <("$here/kernel-src.sh" "$kernel") || die "no source for $kernel"
[ -n "$src" ] || die "no source for $kernel"

# One fragment: ours, then the upstream selftests' own (modules turned built-in,
# so the guest needs no module tree).
selftests_cfg=$src/tools/testing/selftests/net/mptcp/config
# Bump when the way the kernel is configured or built changes.
recipe="tinyconfig+fragments+selftests-config olddefconfig bzImage modules v1"
# The tree's key: source, recipe, the config and the toolchain; toolkey is
# the same without the config.
recipe_line="$srcver $recipe ${KMAKE_FLAGS[*]}"
toolchain=$(/usr/bin/rustc -V && clang-19 --version | head -1 && "$BINDGEN" --version)
[ "$variant" != gcc ] || toolchain+=$'\n'$(gcc --version | head -1)
toolkey=$(printf '%s\n' "$recipe_line" "$toolchain" | sha256sum | cut -c1-12)
key=$({
	echo "$recipe_line"
	cat "${fragments[@]}" "$selftests_cfg"
	echo "$toolchain"
} | sha256sum | cut -c1-12)
build=$CACHE_DIR/build/$target-$key

cached() {
	[ -f "$build/.done" ] || return 1
	log "cached: $build"
	echo "$build"
	exit 0
}
cached || :
[ -z "$cached_only" ] || exit 1

mkdir -p "$CACHE_DIR/build"
exec 9>"$CACHE_DIR/build.lock"
flock 9
# Another run may have built it while this one waited for the lock.
cached || :
rm -rf "$build"
# Only the config changed since a cached build of this target (same source,
# recipe and toolchain): build in that tree, and kbuild rebuilds only what
# the changed options touch (fixdep tracks each object's CONFIG_ uses).
for old in "$CACHE_DIR/build/$target-"*; do
	[ -f "$old/.done" ] && [ "$(cat "$old/.toolkey" 2>/dev/null)" = "$toolkey" ] || continue
	log "the config changed: rebuilding in the tree of $(basename "$old")"
	rm -f "$old/.done"
	mv "$old" "$build"
	break
done
mkdir -p "$build"
echo "$toolkey" >"$build/.toolkey"
frag=$build/fragment.config
{
	cat "${fragments[@]}"
	echo "# from $selftests_cfg"
	sed 's/=m$/=y/' "$selftests_cfg"
} >"$frag"

kmake() { make -C "$src" O="$build" "${KMAKE_FLAGS[@]}" "$@"; }

log "configuring the $target kernel in $build"
kmake -s tinyconfig >/dev/null
"$src/scripts/kconfig/merge_config.sh" -m -O "$build" "$build/.config" "$frag" >"$build/merge.log"
kmake -s olddefconfig >"$build/olddefconfig.log" 2>&1

# Every option we asked for must be in the final .config.
dropped=()
while IFS= read -r line; do
	case $line in
	'# CONFIG_'*' is not set')
		opt=${line#\# }
		opt=${opt%% *}
		grep -qE "^$opt=[ym]" "$build/.config" && dropped+=("$line (got $(grep "^$opt=" "$build/.config"))")
		;;
	CONFIG_*=n)
		opt=${line%%=*}
		grep -qE "^$opt=[ym]" "$build/.config" && dropped+=("$line (got $(grep "^$opt=" "$build/.config"))")
		;;
	CONFIG_*=*)
		grep -qxF "$line" "$build/.config" || dropped+=("$line (got: $(grep -E "^(# )?${line%%=*}[= ]" "$build/.config" || echo absent))")
		;;
	esac
done <"$frag"
if [ ${#dropped[@]} -gt 0 ]; then
	printf 'kernel: olddefconfig dropped: %s\n' "${dropped[@]}" >&2
	die "the $target config does not hold what the fragments ask for (see above); fix scripts/kconfig/"
fi
for opt in CONFIG_RUST=y CONFIG_MPTCP=y; do
	grep -qxF "$opt" "$build/.config" || die "$opt missing from the final .config"
done

log "building the $target kernel ($srcver) with $(nproc) jobs (this takes a while the first time)"
log "full log: $build/build.log"
start=$SECONDS
# A line a minute, so a first run that builds for a quarter of an hour is
# seen to be alive: how many objects are built so far (about 1,700 in all
# for 6.12.117, 1,800 for 7.3.4).  Counted in the tree, not in the log:
# under `make -s` kbuild prints no CC lines.
kmake -j"$(nproc)" bzImage modules >"$build/build.log" 2>&1 &
make_pid=$!
next=$((start + 60))
while kill -0 "$make_pid" 2>/dev/null; do
	sleep 2
	[ "$SECONDS" -ge "$next" ] || continue
	next=$((next + 60))
	log "$target: $(find "$build" -name '*.o' | wc -l) objects built, $(((SECONDS - start) / 60)) min"
done
if ! wait "$make_pid"; then
	tail -30 "$build/build.log" >&2
	die "kernel build failed, full log: $build/build.log"
fi
log "built in $((SECONDS - start)) s"
touch "$build/.done"
# Older builds of this kernel and variant are of no further use.
for old in "$CACHE_DIR/build/$target-"*; do
	[ "$old" = "$build" ] || rm -rf "$old"
done
echo "$build"
