#!/usr/bin/env bash
# Two Skylark nodes on 127.0.0.1 (spec 09 and 10): each receives different messages, they
# reconcile both ways over HTTP, and both print the same state digest. Stops by itself: every
# command runs under `timeout`, both servers stop after --max-seconds, and an EXIT trap kills them.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --locked --quiet -p skylark-cli
bin="${CARGO_TARGET_DIR:-$PWD/target}/debug/skylark"
work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
sk() { timeout 60 "$bin" "$@"; }
cd "$work"

T0=1764115200000
NOW=$((T0 + 86400000))
t() { echo $((T0 + $1 * 60000)); }

# One account with two app keys; app A's posts go to node A, app B's to node B, the key
# operations to node A only (so node B cannot even decide its own messages before syncing).
sk keygen --out root.key >/dev/null
sk keygen --out a.key >/dev/null
sk keygen --out b.key >/dev/null
acct="$(sk account new --root root.key --log ops.txt --time "$(t 0)")"
sk key delegate --key root.key --log ops.txt --app a.key --label "app A" --time "$(t 1)" >/dev/null
sk key delegate --key root.key --log ops.txt --app b.key --label "app B" --time "$(t 2)" >/dev/null
for i in 1 2 3 4 5; do
  sk post --key a.key --account "$acct" --text "from A, $i" --log a.txt --time "$(t $((10 + i)))" >/dev/null
  sk post --key b.key --account "$acct" --text "from B, $i" --log b.txt --time "$(t $((20 + i)))" >/dev/null
done
sk store add --db a.db ops.txt a.txt
sk store add --db b.db b.txt

start() { # start NAME: runs a node on a free port; sets URL_NAME
  # `timeout` itself is the background job, so the trap's kill reaches the node through it.
  timeout 60 "$bin" serve --db "$1.db" --listen 127.0.0.1:0 --max-seconds 50 >"$1.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    if grep -q '^listening on ' "$1.out"; then break; fi
    sleep 0.1
  done
  url="$(sed -n 's/^listening on \(http:[^ ]*\).*/\1/p' "$1.out")"
  if [ -z "$url" ]; then echo "node $1 did not start:"; cat "$1.out"; exit 1; fi
  printf -v "URL_$1" '%s' "$url"
  echo "node $1: $url"
}
start a
start b

digest() { sk store state --db "$1.db" --now "$NOW" | sed -n 's/^state digest //p'; }
before_a="$(digest a)"
before_b="$(digest b)"
[ "$before_a" != "$before_b" ] || { echo "the nodes agree before syncing"; exit 1; }

echo "b syncs with a:"
sk sync "$URL_a" --db b.db
echo "a syncs with b (nothing left to move):"
out="$(sk sync "$URL_b" --db a.db)"
echo "$out"
case "$out" in *"fetched 0 messages, pushed 0"*) ;; *) echo "a second sync moved messages"; exit 1;; esac

sk store state --db a.db --now "$NOW"
sk store state --db b.db --now "$NOW"
after_a="$(digest a)"
after_b="$(digest b)"
[ -n "$after_a" ] && [ "$after_a" = "$after_b" ] || { echo "the nodes disagree: $after_a vs $after_b"; exit 1; }
[ "$after_a" != "$before_a" ] || { echo "node a learned nothing"; exit 1; }
echo "two nodes: same state digest $after_a"
