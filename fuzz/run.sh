#!/usr/bin/env bash
# Runs every fuzz target (or the ones named) for SECONDS each, then minimizes its corpus, and prints
# one line per target: executions, seconds, corpus size before, grown and minimized, and the
# findings (crash, leak, oom, timeout or slow-unit files) of this run.
#
#   fuzz/run.sh SECONDS [TARGET...]
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). The corpora in
# fuzz/corpus/ start from the test vectors (`python3 fuzz/seed.py` rewrites the seeds) and are kept
# minimized; crashes land in fuzz/artifacts/<target>/, logs in fuzz/artifacts/<target>.log.
# Options passed to libFuzzer: inputs up to 8 KiB; any single allocation above 16 MiB is a crash
# (the decoders never allocate more than a small multiple of their input).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:?usage: fuzz/run.sh SECONDS [TARGET...]}
shift
if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo +nightly fuzz list)
fi
cargo +nightly fuzz build -O >/dev/null
mkdir -p fuzz/artifacts
summary=()
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t"
  before=$(find "fuzz/corpus/$t" -type f | wc -l)
  log="fuzz/artifacts/$t.log"
  mkdir -p "fuzz/artifacts/$t"
  marker="fuzz/artifacts/$t/.start"
  touch "$marker"
  start=$(date +%s)
  status=0
  cargo +nightly fuzz run -O "$t" "fuzz/corpus/$t" -- \
    -max_total_time="$seconds" -max_len=8192 -malloc_limit_mb=16 -print_final_stats=1 \
    >"$log" 2>&1 || status=$?
  elapsed=$(( $(date +%s) - start ))
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  crashes=$(find "fuzz/artifacts/$t" -maxdepth 1 -type f -newer "$marker" \( -name 'crash-*' -o -name 'leak-*' -o -name 'oom-*' -o -name 'timeout-*' -o -name 'slow-unit-*' \) 2>/dev/null | wc -l)
  grown=$(find "fuzz/corpus/$t" -type f | wc -l)
  cargo +nightly fuzz cmin -O "$t" "fuzz/corpus/$t" -- -max_len=8192 >"fuzz/artifacts/$t.cmin.log" 2>&1 || true
  after=$(find "fuzz/corpus/$t" -type f | wc -l)
  line=$(printf '%-18s execs=%-10s time=%ss corpus=%s->%s->%s(min) findings=%s exit=%s' \
    "$t" "$execs" "$elapsed" "$before" "$grown" "$after" "$crashes" "$status")
  echo "$line"
  summary+=("$line")
done
echo "---"
printf '%s\n' "${summary[@]}"
