#!/usr/bin/env bash
# make docs: Documentation/ as HTML in out/docs/html, with Sphinx (Debian's
# python3-sphinx); any warning fails the build (-W --keep-going).
#   scripts/docs.sh
# The counter lists are generated from the counter table (counters! in
# rust/rst_ext.rs, printed by `cargo run --bin counters` into
# out/docs/counters.tsv).  Before Sphinx runs, the counters reference
# (Documentation/counters.rst) must have exactly one section per counter of
# the table: a title underlined with '-' that is the counter's name, and its
# `.. rst-ext-counter:: Name` line; no such section may name a counter that is
# not in the table.
# Prints one line: where the HTML is, or why it failed (details in
# out/docs/build.log).  Exit status 0 only with no warning at all.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
# shellcheck source=scripts/env.sh
. "$here/env.sh"

out=$repo/out/docs
log=$out/build.log
rel_log=out/docs/build.log
mkdir -p "$out"
: >"$log"

fail() {
	echo "docs: FAILED: $*" >&2
	exit 1
}

command -v sphinx-build >/dev/null ||
	fail "sphinx-build not found: apt-get install python3-sphinx (or: make setup)"

# The counter table, the one source of every generated list.
tsv=$out/counters.tsv
"$CARGO" run -q --manifest-path "$repo/rust/host/Cargo.toml" --bin counters >"$tsv" 2>>"$log" ||
	fail "cargo run --bin counters (the counter table) failed: $(tail -n 1 "$log"), see $rel_log"

# One reference section per counter, none for a counter not in the table.
ref=$repo/Documentation/counters.rst
table=$(cut -f1 "$tsv" | sort)
sections=$(awk 'prev != "" && prev !~ /^[[:space:]]/ && /^---+$/ { print prev } { prev = $0 }' "$ref" | sort)
described=$(sed -n 's/^\.\. rst-ext-counter:: *\([^[:space:]]*\)[[:space:]]*$/\1/p' "$ref" | sort)
problems=()
words() { tr '\n' ' ' | sed 's/ $//'; }
missing=$(comm -23 <(echo "$table") <(echo "$sections") | words)
[ -z "$missing" ] || problems+=("no section for: $missing")
extra=$(comm -13 <(echo "$table") <(echo "$sections") | words)
[ -z "$extra" ] || problems+=("sections ('-' titles) not in the table: $extra")
dup=$(echo "$sections" | uniq -d | words)
[ -z "$dup" ] || problems+=("more than one section for: $dup")
[ "$described" = "$sections" ] ||
	problems+=("'.. rst-ext-counter::' lines differ from the section titles: $(comm -3 <(echo "$sections") <(echo "$described") | tr -d '\t' | words)")
if [ ${#problems[@]} -gt 0 ]; then
	printf '%s\n' "${problems[@]}" >>"$log"
	fail "Documentation/counters.rst does not match the counter table (rust/rst_ext.rs): $(
		printf '%s; ' "${problems[@]}" | sed 's/; $//'
	)"
fi

# A full build every time (-E -a): warnings of unchanged pages come back too.
# No __pycache__ left in Documentation/ by conf.py's extension.
export PYTHONDONTWRITEBYTECODE=1
if RST_EXT_COUNTERS=$tsv sphinx-build -W --keep-going -E -a -q -b html \
	-d "$out/doctrees" "$repo/Documentation" "$out/html" >>"$log" 2>&1; then
	echo "docs: out/docs/html/index.html (no warning)"
	exit 0
fi
n=$(grep -cE '(WARNING|ERROR|SEVERE|CRITICAL):' "$log")
first=$(grep -m1 -E '(WARNING|ERROR|SEVERE|CRITICAL):' "$log" | sed "s|$repo/||g")
fail "sphinx-build: $n warning(s)${first:+, first: $first}; see $rel_log"
