#!/usr/bin/env bash
# Clean release builds, each in a fresh target directory: (a) the skylark library on its own, with
# its default features, and (b) a crate whose only dependency is `nostr` (default features), each
# built RUNS times (default 3). Prints hyperfine's medians and their ratio.
#
#   bash benches/peers/build-times.sh            # from the repository root
#
# Needs hyperfine (Debian: apt-get install -y hyperfine). Both builds use the versions locked in the
# repository's Cargo.lock and benches/peers/Cargo.lock, offline after one `cargo fetch`.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
runs="${RUNS:-3}"
command -v hyperfine >/dev/null || { echo "hyperfine is missing: apt-get install -y hyperfine" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/nostr-only/src"
cat > "$work/nostr-only/Cargo.toml" <<'TOML'
[package]
name = "nostr-only"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

[dependencies]
nostr = "0.43"
TOML
echo 'pub use nostr;' > "$work/nostr-only/src/lib.rs"
# The peer crate's lock file pins nostr and its dependencies; cargo drops the entries not used.
cp "$root/benches/peers/Cargo.lock" "$work/nostr-only/Cargo.lock"
(cd "$root" && cargo fetch --locked >/dev/null)
(cd "$work/nostr-only" && cargo fetch >/dev/null)

hyperfine --runs "$runs" --style basic --export-json "$work/times.json" \
  --prepare "rm -rf '$work/t-skylark' '$work/t-nostr'" \
  -n skylark "cargo build --offline --locked --release --lib -p skylark --manifest-path '$root/Cargo.toml' --target-dir '$work/t-skylark' --quiet" \
  -n nostr "cargo build --offline --release --lib --manifest-path '$work/nostr-only/Cargo.toml' --target-dir '$work/t-nostr' --quiet"

python3 - "$work/times.json" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
sky, nostr = results["skylark"]["median"], results["nostr"]["median"]
print(f"median clean release build: skylark {sky:.1f} s, nostr {nostr:.1f} s, ratio {sky / nostr:.2f}")
for name, r in results.items():
    print(f"  {name}: runs " + ", ".join(f"{t:.1f}" for t in r["times"]) + " s")
PY
echo "cores: $(nproc), load average at the end: $(cut -d' ' -f1-3 /proc/loadavg), $(rustc --version)"
