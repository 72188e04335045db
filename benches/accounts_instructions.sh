#!/usr/bin/env bash
# Instructions per operation of the accounts benchmark's rows (a bare verify, authorizing an app
# message, the revoked key at its cutoff and 31 links back, the state copy, and the copy plus
# applying the next delegation), counted by valgrind's cachegrind at each given commit: a count does
# not move with the machine's load, so two commits compare even on a busy machine.
#   bash benches/accounts_instructions.sh 7b79e29 main
# Each commit is checked out in a temporary worktree; benches/probe/accounts.rs is copied into it as
# an example (it uses only the API the accounts bench uses) and built in release mode.
set -euo pipefail
root=$(git rev-parse --show-toplevel)
probe="$root/benches/probe/accounts.rs"
command -v valgrind >/dev/null || { echo "needs valgrind" >&2; exit 1; }
count() { valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$@" 2>&1 |
  awk '/I *refs/ {gsub(",", "", $4); print $4}'; }
modes="verify authorize cutoff walk clone apply"
printf '%-12s' commit; for m in $modes; do printf ' %10s' "$m"; done; printf ' %10s\n' apply-clone
for rev in "$@"; do
  dir=$(mktemp -d)
  git -C "$root" worktree add --detach "$dir/tree" "$rev" >/dev/null 2>&1
  # The probe's doc lines, the checkout's fixture (benches/accounts.rs from its imports to the
  # benchmarks, without criterion), then the probe's `main`.
  { sed -n '/^\/\/!/p' "$probe"
    sed -n '/^use std::collections::BTreeMap;/,/^\/\/\/ The benchmarks, in one group/p' \
      "$dir/tree/benches/accounts.rs" | grep -v '^use criterion' | grep -v '^/// The benchmarks'
    sed -n '/^fn main()/,$p' "$probe"; } > "$dir/tree/examples/zz_probe_accounts.rs"
  (cd "$dir/tree" && CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}" \
    cargo build --quiet --release --example zz_probe_accounts)
  bin="${CARGO_TARGET_DIR:-$root/target}/release/examples/zz_probe_accounts"
  base=$(count "$bin" none 0)
  printf '%-12s' "$rev"
  declare -A per=()
  for m in $modes; do
    n=20
    per[$m]=$(( ($(count "$bin" "$m" $n) - base) / n ))
    printf ' %10d' "${per[$m]}"
  done
  printf ' %10d\n' $(( per[apply] - per[clone] ))
  git -C "$root" worktree remove --force "$dir/tree"; rm -rf "$dir"
done
