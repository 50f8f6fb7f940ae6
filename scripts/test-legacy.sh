#!/usr/bin/env bash
# The flat C API from legacy languages: installs the library (make install PREFIX=a temporary
# directory), builds the programs in bindings/legacy/ against the installed copy (GnuCOBOL,
# gfortran, Free Pascal, and a C program that dlopen()s the library with no header), runs them
# against a sandbox binary, runs the C test of the flat API (bindings/c/tests/test_flat.c) plain,
# under valgrind and under ASan + UBSan, and the crash test: a batch of idempotency-keyed creates
# killed with SIGKILL part-way (with the sandbox's create-then-reset fault on), then run again,
# must leave exactly one instance per key. Installs gnucobol3, gfortran and fp-compiler through
# apt when missing. Ends with "N passed, 0 failed".
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir=${CARGO_TARGET_DIR:-target}
unset HTTPS_PROXY https_proxy HTTP_PROXY http_proxy ALL_PROXY all_proxy || true
# As scripts/test.sh: the release build is shared with scripts/test-c.sh.
export CARGO_PROFILE_RELEASE_LTO=${CARGO_PROFILE_RELEASE_LTO:-false}
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=${CARGO_PROFILE_RELEASE_CODEGEN_UNITS:-16}

missing=()
command -v cobc >/dev/null 2>&1 || missing+=(gnucobol3)
command -v gfortran >/dev/null 2>&1 || missing+=(gfortran)
command -v fpc >/dev/null 2>&1 || missing+=(fp-compiler)
command -v valgrind >/dev/null 2>&1 || missing+=(valgrind)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
    echo "-- installing ${missing[*]}"
    sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

passed=0
failed=0
# check NAME COMMAND...: runs it; counts a pass or a failure (and shows its output on failure).
check() {
    local name=$1 out
    shift
    if out=$("$@" 2>&1); then
        passed=$((passed + 1))
        echo "ok   $name"
    else
        failed=$((failed + 1))
        echo "FAIL $name" >&2
        printf '%s\n' "$out" | tail -n 30 >&2
    fi
}

started=$SECONDS
cargo build -q --release -p cloud-elements-sandbox
tmp=$(mktemp -d)
sandboxes=()
trap 'for pid in "${sandboxes[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$tmp"' EXIT
prefix="$tmp/prefix"
make -s install PREFIX="$prefix" >/dev/null
export LD_LIBRARY_PATH="$prefix/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
echo "-- built and installed ($((SECONDS - started)) s)"

# start_sandbox VAR NAME: starts a sandbox binary and sets VAR to its base URL.
start_sandbox() {
    local var=$1 name=$2 url
    "$target_dir/release/cloud-elements-sandbox" --port 0 >"$tmp/$name.log" 2>&1 &
    sandboxes+=($!)
    for _ in $(seq 100); do [ -s "$tmp/$name.log" ] && break; sleep 0.05; done
    url=$(head -n1 "$tmp/$name.log" | sed -n 's/^cloud-elements sandbox listening on //p')
    [ -n "$url" ] || { echo "the $name sandbox did not start" >&2; cat "$tmp/$name.log" >&2; exit 1; }
    printf -v "$var" '%s' "$url"
}
start_sandbox flat_url flat
start_sandbox legacy_url legacy
start_sandbox crash_url crash
# The sandbox's control endpoints live beside its API: http://HOST:PORT/_sandbox/...
control() { curl -sf "${1%/elements/api-v2}$2"; }
instances_tagged() { control "$1" /_sandbox/instances | grep -o "\"ce-provision-$2\"" | wc -l; }
instance_count() { control "$1" /_sandbox/instances | grep -o '"provisionInteractions"' | wc -l; }

build="$tmp/build"
mkdir -p "$build"
lib=(-L"$prefix/lib" -lcloud_elements -Wl,-rpath,"$prefix/lib")
tests=bindings/c/tests
cflags=(-std=c11 -Wall -Wextra -Werror -pedantic -g -I"$prefix/include" -I"$tests")
asan=(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)

echo "-- the C test of the flat API"
cc "${cflags[@]}" "$tests/test_flat.c" "${lib[@]}" -pthread -o "$build/test_flat"
cc "${cflags[@]}" "${asan[@]}" "$tests/test_flat.c" "${lib[@]}" -pthread -o "$build/test_flat_asan"
reset_flat() { curl -sf -X POST "${flat_url%/elements/api-v2}/_sandbox/reset" >/dev/null; }
check "test_flat (plain)" env CE_SANDBOX_URL="$flat_url" "$build/test_flat"
reset_flat
check "test_flat under valgrind" env CE_SANDBOX_URL="$flat_url" valgrind -q --num-callers=40 --leak-check=full \
    --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible \
    --suppressions="$tests/valgrind.supp" --error-exitcode=99 "$build/test_flat"
reset_flat
check "test_flat under ASan + UBSan" env CE_SANDBOX_URL="$flat_url" ASAN_OPTIONS=detect_leaks=1 \
    UBSAN_OPTIONS=print_stacktrace=1 "$build/test_flat_asan"

echo "-- dlopen, no header"
cc -std=c11 -Wall -Wextra -Werror -g bindings/legacy/dlopen_flat.c -ldl -o "$build/dlopen_flat"
check "dlopen + dlsym of the flat functions" "$build/dlopen_flat" "$prefix/lib/libcloud_elements.so" "$legacy_url"

echo "-- GnuCOBOL"
# -fstatic-call: CALL "ce_..." links to the C function instead of looking for a COBOL module.
cobc -x -free -fstatic-call -o "$build/batch" bindings/legacy/batch.cob -L"$prefix/lib" -lcloud_elements \
    -Q "-Wl,-rpath,$prefix/lib"
cp bindings/legacy/batch-input.dat "$tmp/batch-input.dat"
# cobol_run N: runs the batch in $tmp (its files are relative) and keeps its output as run N's.
cobol_run() {
    (cd "$tmp" && CE_BASE_URL="$legacy_url" "$build/batch" >"$tmp/cobol-$1.log" 2>&1) || { cat "$tmp/cobol-$1.log"; return 1; }
    cat "$tmp/cobol-$1.log"
    cp "$tmp/batch-output.dat" "$tmp/batch-output-$1.dat"
}
check "COBOL batch, first run" cobol_run 1
check "COBOL batch, rerun" cobol_run 2
cobol_ok() {
    # Every complete record provisioned (an OK record with its id and token), the incomplete one
    # reported with its missing entries.
    [ "$(grep -c ' OK  [0-9]\{12\} [A-Za-z0-9+/=]\{20,\}$' "$tmp/batch-output-1.dat")" -eq 3 ] &&
        grep -q '^cobol-rec-3 *ERR' "$tmp/batch-output-1.dat" &&
        grep -q 'MISSING: apikey.user.password,apikey.user.key$' "$tmp/cobol-1.log" &&
        grep -q 'SUMMARY 0003 PROVISIONED 0001 FAILED' "$tmp/cobol-1.log"
}
check "COBOL provisions the records and prints the missing entries" cobol_ok
check "COBOL rerun gets the same ids and tokens back" cmp "$tmp/batch-output-1.dat" "$tmp/batch-output-2.dat"
cobol_keys() {
    for key in cobol-rec-1 cobol-rec-2 cobol-rec-4; do
        [ "$(instances_tagged "$legacy_url" "$key")" -eq 1 ] || { echo "key $key"; return 1; }
    done
    [ "$(instances_tagged "$legacy_url" cobol-rec-3)" -eq 0 ]
}
check "COBOL: one instance per key after two runs" cobol_keys

echo "-- gfortran"
gfortran -std=f2008 -Wall -o "$build/provision_f" bindings/legacy/provision.f90 "${lib[@]}"
before=$(instance_count "$legacy_url")
check "Fortran provisions, then deprovisions" env CE_BASE_URL="$legacy_url" "$build/provision_f"
check "Fortran left no instance behind" test "$(instance_count "$legacy_url")" -eq "$before"

echo "-- Free Pascal"
fpc -v0 -l- -FE"$build" -FU"$build" -Fl"$prefix/lib" -k-rpath="$prefix/lib" bindings/legacy/provision.pas >"$tmp/fpc.log" 2>&1 ||
    { cat "$tmp/fpc.log" >&2; exit 1; }
before=$(instance_count "$legacy_url")
check "Pascal: options, find by key, too small a buffer, deprovision" env CE_BASE_URL="$legacy_url" "$build/provision"
check "Pascal left no instance behind" test "$(instance_count "$legacy_url")" -eq "$before"

echo "-- crash test: SIGKILL during a keyed batch, then a rerun"
cc "${cflags[@]}" bindings/legacy/crash_batch.c "${lib[@]}" -o "$build/crash_batch"
crash_started=$SECONDS
# Every third create is carried out but its answer is lost (the client then looks the key up), and
# every create takes 20 ms, so that the kill lands part-way through the batch.
curl -sf -X POST -d '{"kind":"create_then_reset","times":1000,"every":3,"method":"POST"}' \
    "${crash_url%/elements/api-v2}/_sandbox/faults" >/dev/null
curl -sf -X POST -d '{"latency_ms":20}' "${crash_url%/elements/api-v2}/_sandbox/settings" >/dev/null
CE_BASE_URL="$crash_url" "$build/crash_batch" 50 >"$tmp/crash-1.log" 2>&1 &
victim=$!
sleep "0.$((RANDOM % 3 + 2))"
kill -KILL "$victim" 2>/dev/null || true
wait "$victim" 2>/dev/null || true
done_before=$(grep -c '^ok ' "$tmp/crash-1.log" || true)
check "the first run was killed part-way ($done_before of 50 done)" test "$done_before" -gt 0 -a "$done_before" -lt 50
# A create the killed run had sent may still be under way in the server (20 ms): lookup-before-create
# is no lock, so a rerun waits longer than a create can take (README: "after a crash").
sleep 0.3
check "the rerun completes the batch" env CE_BASE_URL="$crash_url" "$build/crash_batch" 50
one_each() {
    local all
    all=$(control "$crash_url" /_sandbox/instances | grep -o '"ce-provision-k[0-9]*"' | sort | uniq -c)
    [ "$(wc -l <<<"$all")" -eq 50 ] && ! grep -qv '^ *1 ' <<<"$all" && [ "$(instance_count "$crash_url")" -eq 50 ] ||
        { echo "instances per key:" $all "; instances: $(instance_count "$crash_url")"; return 1; }
}
check "exactly one instance per key k0..k49 after the rerun" one_each
echo "   (crash test: $((SECONDS - crash_started)) s)"

echo "-- legacy: $((SECONDS - started)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
