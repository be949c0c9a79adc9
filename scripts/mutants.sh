#!/usr/bin/env bash
# make mutants: mutation testing of the module's policy (rust/rst_ext.rs:
# the attribution and the self-check) against its host tests (rust/host),
# with cargo-mutants from crates.io (installed into the cache once).
# cargo-mutants mutates only the files inside the crate's directory, and the
# host crate's library is ../rst_ext.rs: the crate is laid out again, from
# the same files, in out/mutants/crate (lib.rs = rust/rst_ext.rs).  What is
# built only into the module (cfg(MODULE): module!, init) or only for the
# docs (the counters binary) has no host test, and is left out.
# Results in out/mutants/mutants.out/ (caught.txt, missed.txt, unviable.txt);
# the exit status is cargo-mutants' (0: every mutant caught or unviable).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
# shellcheck source=scripts/env.sh
. "$here/env.sh"

MUTANTS_VERSION=27.1.0
mutants=$TOOLS_DIR/mutants/bin/cargo-mutants
if ! "$mutants" --version 2>/dev/null | grep -qF "$MUTANTS_VERSION"; then
	echo "mutants: installing cargo-mutants $MUTANTS_VERSION from crates.io into $TOOLS_DIR/mutants" >&2
	"$CARGO" install --quiet --locked --root "$TOOLS_DIR/mutants" "cargo-mutants@$MUTANTS_VERSION"
fi

out=$repo/out/mutants
crate=$out/crate
rm -rf "$crate"
mkdir -p "$crate/tests"
cp "$repo/rust/rst_ext.rs" "$crate/lib.rs"
cp "$repo/rust/host/counters.rs" "$repo/rust/host/Cargo.lock" "$crate/"
cp "$repo"/rust/host/tests/*.rs "$crate/tests/"
sed 's|^path = "../rst_ext.rs"|path = "lib.rs"|' "$repo/rust/host/Cargo.toml" >"$crate/Cargo.toml"
grep -qx 'path = "lib.rs"' "$crate/Cargo.toml" || { echo "mutants: rust/host/Cargo.toml has no lib path to rewrite" >&2; exit 2; }

# The mutants cargo-mutants lists are on stdout; its summary is the last line.
PATH=$(dirname "$CARGO"):$PATH "$mutants" mutants --dir "$crate" --output "$out" \
	--exclude counters.rs --exclude-re 'MptcpRstExt' --no-shuffle --colors never "$@"
