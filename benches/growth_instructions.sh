#!/usr/bin/env bash
# Work per hostile shape (issue 21) at n, 2n, 4n and 8n, counted in instructions by valgrind's
# cachegrind, with the growth per doubling: unlike the timed medians of benches/hostile.rs, a count
# does not move with the machine's load or the cache, so it shows the growth of the work itself.
#   bash benches/growth_instructions.sh               # every shape
#   bash benches/growth_instructions.sh 'view_per_op|session'   # the shapes whose name matches
# Sizes are those of benches/hostile.rs (the probe, benches/probe/growth.rs, lists them).
set -euo pipefail
root=$(git rev-parse --show-toplevel)
command -v valgrind >/dev/null || { echo "needs valgrind" >&2; exit 1; }
filter=${1:-.}
(cd "$root" && cargo build --quiet --release --example probe_growth)
bin="${CARGO_TARGET_DIR:-$root/target}/release/examples/probe_growth"
count() { valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$@" 2>&1 |
  awk '/I *refs/ {gsub(",", "", $4); print $4}'; }
printf '%-36s %7s %15s %15s %15s %15s  %s\n' shape n at_n at_2n at_4n at_8n growth
"$bin" list | grep -E -- "$filter" | while read -r shape n; do
  costs=()
  for k in 1 2 4 8; do
    size=$((n * k))
    costs+=($(( $(count "$bin" "$shape" "$size" run) - $(count "$bin" "$shape" "$size" build) )))
  done
  growth=$(python3 -c "c=[${costs[0]},${costs[1]},${costs[2]},${costs[3]}]; print(', '.join(f'{b/a:.2f}' for a,b in zip(c,c[1:])) + f'  (n->8n {c[3]/c[0]:.1f}x)')")
  printf '%-36s %7d %15d %15d %15d %15d  %s\n' "$shape" "$n" "${costs[@]}" "$growth"
done
