#!/usr/bin/env bash
# Two Skylark nodes on 127.0.0.1 (spec 09 and 10): each receives different messages, they
# reconcile both ways over HTTP, and both print the same state digest; then a direct message goes
# from one account to another through a node's mailbox (10 §5) and opens. Stops by itself: every
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
# A second account, for per-account sync (09 §9): node A holds app C's posts 1, 2 and 4 (a gap at 3),
# node B posts 1..3.
sk keygen --out root2.key >/dev/null
sk keygen --out c.key >/dev/null
acct2="$(sk account new --root root2.key --log ops2.txt --time "$(t 3)")"
sk key delegate --key root2.key --log ops2.txt --app c.key --label "app C" --time "$(t 4)" >/dev/null
for i in 1 2 3 4; do
  sk post --key c.key --account "$acct2" --text "from C, $i" --log c.txt --time "$(t $((30 + i)))" >/dev/null
done
sed -n '1p;2p;4p' c.txt >c-gap.txt
sed -n '1,3p' c.txt >c-head.txt
sk store add --db a.db ops.txt a.txt ops2.txt c-gap.txt
sk store add --db b.db b.txt ops2.txt c-head.txt

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

echo "b syncs account 2 with a (asks for C after seq 3, then reconciles the account for the gap):"
out="$(sk sync "$URL_a" --db b.db --account "$acct2" --json)"
echo "$out"
case "$out" in *'"fetched": 1,'*'"pushed": 1,'*'"reconciled": true'*) ;; *) echo "per-account sync did not fetch 1, push 1 and reconcile"; exit 1;; esac
again="$(sk sync "$URL_b" --db a.db --account "$acct2")"
echo "$again"
case "$again" in *"0 key requests, 0 rounds"*"fetched 0 messages, pushed 0"*) ;; *) echo "account 2 still differs"; exit 1;; esac
d_a="$(echo "$again" | sed -n 's/^account digest //p')"
[ -n "$d_a" ] || { echo "no account digest"; exit 1; }
echo "account 2: both nodes hold account digest $d_a"

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

# A direct message (spec 08, 10 §5): two accounts with DM keys (scope `dm,prekey` by name); B's
# device publishes its bundle on node b, node a learns it by syncing, A seals to it through node a,
# and B fetches its mailbox by tag prefix from node a, opens the copy and prints the plaintext. The
# relay checks bundles against its own clock, so these times are real ones.
N0=$(($(date +%s) * 1000 - 3600000))
n() { echo $((N0 + $1 * 1000)); }
for k in dm-root-a dm-a dm-root-b dm-b; do sk keygen --out "$k.key" >/dev/null; done
dm_a="$(sk account new --root dm-root-a.key --log dm-a.txt --time "$(n 0)")"
dm_b="$(sk account new --root dm-root-b.key --log dm-b.txt --time "$(n 0)")"
sk key delegate --key dm-root-a.key --log dm-a.txt --app dm-a.key --scope dm,prekey --time "$(n 1)" >/dev/null 2>&1
sk key delegate --key dm-root-b.key --log dm-b.txt --app dm-b.key --scope dm,prekey --time "$(n 1)" >/dev/null 2>&1
sk store add --db a.db dm-a.txt >/dev/null
sk store add --db b.db dm-b.txt >/dev/null
sk dm device --db b.db --key dm-b.key --account "$dm_b" --time "$(n 2)"
sk sync "$URL_b" --db a.db >/dev/null
sk dm send "$URL_a" --db a.db --key dm-a.key --account "$dm_a" --to "$dm_b" --text "hello B, sealed by A" --time "$(n 3)"
out="$(sk dm fetch "$URL_a" --db b.db)"
echo "$out"
case "$out" in *"from $dm_a at "*": hello B, sealed by A"*"1 opened"*) ;; *) echo "B did not open A's message"; exit 1;; esac
echo "direct message: B opened A's message from node a"
