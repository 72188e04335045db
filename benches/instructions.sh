#!/usr/bin/env bash
# Instructions per operation of the merge benchmark's three paths (a bare verify, applying 1000
# messages, the digest of 1000), counted by valgrind's cachegrind at each given commit: a count does
# not move with the machine's load, so two commits compare even on a busy machine.
#   bash benches/instructions.sh 8be5fe3 main
# Each commit is checked out in a temporary worktree; benches/probe/merge.rs is copied into it as an
# example (it uses only the API the merge bench uses) and built in release mode.
set -euo pipefail
root=$(git rev-parse --show-toplevel)
probe="$root/benches/probe/merge.rs"
command -v valgrind >/dev/null || { echo "needs valgrind" >&2; exit 1; }
count() { valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$@" 2>&1 |
  awk '/I *refs/ {gsub(",", "", $4); print $4}'; }
printf '%-12s %12s %12s %12s %10s %10s\n' commit verify apply_1000 digest_1000 apply/ver digest/ver
for rev in "$@"; do
  dir=$(mktemp -d)
  git -C "$root" worktree add --detach "$dir/tree" "$rev" >/dev/null 2>&1
  # The probe's doc lines, the checkout's fixture (benches/merge.rs from its imports to the
  # memory helper, without criterion), then the probe's `main`.
  { sed -n '/^\/\/!/p' "$probe"
    sed -n '/^use std::error::Error;/,/^\/\/\/ Resident memory/p' "$dir/tree/benches/merge.rs" |
      grep -v '^use criterion' | grep -v '^/// Resident memory'
    sed -n '/^fn main()/,$p' "$probe"; } > "$dir/tree/examples/zz_probe_merge.rs"
  (cd "$dir/tree" && CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}" \
    cargo build --quiet --release --example zz_probe_merge)
  bin="${CARGO_TARGET_DIR:-$root/target}/release/examples/zz_probe_merge"
  base=$(count "$bin" none 0)
  v=$(( ($(count "$bin" verify 20) - base) / 20 ))
  a=$(( ($(count "$bin" apply 5) - base) / 5 ))
  d=$(( ($(count "$bin" digest 10) - base) / 10 ))
  printf '%-12s %12d %12d %12d %10s %10s\n' "$rev" "$v" "$a" "$d" \
    "$(python3 -c "print(f'{$a/$v:.3f}')")" "$(python3 -c "print(f'{$d/$v:.3f}')")"
  git -C "$root" worktree remove --force "$dir/tree"; rm -rf "$dir"
done
