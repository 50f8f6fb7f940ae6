#!/usr/bin/env bash
# Fuzzes the response decoder and the request parsing (Rust and the C layer) with cargo-fuzz
# (libFuzzer, AddressSanitizer), seeded with the documentation's samples in fuzz/corpus/.
#
#   bash scripts/fuzz.sh                         every target, FUZZ_SECONDS (default 60) each
#   FUZZ_SECONDS=3600 bash scripts/fuzz.sh       the longer run (see the README's "Fuzzing")
#   bash scripts/fuzz.sh request_json            one target
#
# Prints each target's executions and fails on any crash: a panic or failed assertion, a memory
# error, a leak, an input slower than FUZZ_INPUT_TIMEOUT seconds (default 10). The input that did
# it is left in fuzz/artifacts/<target>/; replay it with
#   RUSTC_BOOTSTRAP=1 cargo fuzz run <target> fuzz/artifacts/<target>/<file>
# What a run adds to the corpus goes to fuzz/work/<target>/ (not committed), with its log.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
input_timeout=${FUZZ_INPUT_TIMEOUT:-10}
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "FUZZ_SECONDS must be a positive number of seconds" >&2; exit 2; }

# cargo-fuzz passes -Z flags (sanitizers, coverage); the stable toolchain takes them with this.
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz"
    cargo install cargo-fuzz --locked --version 0.13.2
fi

if [ $# -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo fuzz list)
fi

# Build first, so that the time limit is all fuzzing.
for target in "${targets[@]}"; do
    cargo fuzz build "$target"
done

failed=()
for target in "${targets[@]}"; do
    work="fuzz/work/$target"
    log="fuzz/work/$target.log"
    mkdir -p "$work" "fuzz/corpus/$target"
    echo "==> fuzzing $target for ${seconds}s"
    status=0
    # The first corpus directory receives new inputs; the committed seeds are only read.
    cargo fuzz run "$target" "$work" "fuzz/corpus/$target" -- \
        -dict=fuzz/instance.dict \
        -max_total_time="$seconds" \
        -timeout="$input_timeout" \
        -rss_limit_mb=2048 \
        -print_final_stats=1 >"$log" 2>&1 || status=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    corpus=$(find "$work" -type f | wc -l)
    if [ "$status" -eq 0 ]; then
        echo "$target: ${execs:-?} executions in ${seconds}s (${rate:-?}/s), corpus $corpus, 0 crashes"
    else
        echo "$target: FAILED after ${execs:-?} executions (exit status $status); from $log:" >&2
        # What went wrong (a panic's message, a sanitizer's report), then the input and how to replay it.
        grep -A 4 -E "panicked at|^==[0-9]+==ERROR|^SUMMARY|ERROR: libFuzzer" "$log" | head -n 40 >&2 || true
        sed -n '/^Failing input:/,/^Minimize/p' "$log" >&2
        failed+=("$target")
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzzing found a crash in: ${failed[*]}" >&2
    exit 1
fi
echo "fuzzing: no crash in ${targets[*]}"
