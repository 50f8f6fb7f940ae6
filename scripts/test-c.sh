#!/usr/bin/env bash
# C and C++ tests: builds and installs the library into build/prefix, checks the committed header
# is current and that the shared library exports only ce_* symbols, then runs the C tests, the C
# tests of the instance verbs, the C tests of elements, validation and OAuth, and the C fault
# matrix (each plain, under valgrind, under ASan+UBSan), the C load test (plain, under ASan+UBSan,
# smaller under valgrind), the C++ tests, and the examples (pkg-config, CMake, static link) against
# sandbox binaries over loopback: one for the C and C++ tests, one with distinctive secrets for the
# fault matrix (which resets it at will), one serving HTTPS with a test CA, one for the load test,
# and one loaded with bindings/c/tests/elements for the element tests.
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir=${CARGO_TARGET_DIR:-target}
unset HTTPS_PROXY https_proxy HTTP_PROXY http_proxy ALL_PROXY all_proxy || true

for tool in cc c++ pkg-config valgrind cmake readelf nm; do
    command -v "$tool" >/dev/null 2>&1 || { echo "$tool is missing (scripts/test.sh installs it)" >&2; exit 1; }
done

cargo build -q --release -p cloud-elements-ffi
cargo build -q --release -p cloud-elements-sandbox

# ffi/build.rs generates the header into its OUT_DIR; the committed one must be the same.
bash scripts/header.sh --check

prefix="$PWD/build/prefix"
rm -rf "$prefix" build/c build/cmake
mkdir -p build/c
make -s install PREFIX="$prefix" >/dev/null
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
readelf -d "$prefix/lib/libcloud_elements.so" | grep -q 'SONAME.*libcloud_elements\.so\.0\.1\]' ||
    { echo "the shared library's SONAME is not libcloud_elements.so.0.1" >&2; exit 1; }
# The shared library exports the C API and nothing else (ffi/cloud_elements.map): no Rust
# runtime, no symbol of the crates inside it. And every function the header declares is there.
exported=$(nm -D --defined-only "$prefix/lib/libcloud_elements.so" | awk '{print $NF}' | sort)
others=$(grep -v '^ce_' <<<"$exported" || true)
[ -z "$others" ] || { echo "the shared library exports symbols besides ce_*:" >&2; echo "$others" | head >&2; exit 1; }
declared=$(grep -o '\bce_[a-z0-9_]*(' include/cloud_elements.h | tr -d '(' | sort -u)
unexported=$(comm -23 <(echo "$declared") <(echo "$exported"))
[ -z "$unexported" ] || { echo "declared in the header but not exported: $unexported" >&2; exit 1; }

cflags=(-std=c11 -Wall -Wextra -Werror -pedantic -g)
libs=($(pkg-config --cflags --libs cloud_elements) -pthread -Wl,-rpath,"$prefix/lib")
cc "${cflags[@]}" bindings/c/tests/test_cloud_elements.c "${libs[@]}" -o build/c/test_c
cc "${cflags[@]}" -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all \
    bindings/c/tests/test_cloud_elements.c "${libs[@]}" -o build/c/test_c_asan
cc "${cflags[@]}" bindings/c/tests/test_verbs.c "${libs[@]}" -o build/c/test_verbs
cc "${cflags[@]}" -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all \
    bindings/c/tests/test_verbs.c "${libs[@]}" -o build/c/test_verbs_asan
cc "${cflags[@]}" bindings/c/tests/test_elements.c "${libs[@]}" -o build/c/test_elements
cc "${cflags[@]}" -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all \
    bindings/c/tests/test_elements.c "${libs[@]}" -o build/c/test_elements_asan
cc "${cflags[@]}" bindings/c/tests/test_load.c "${libs[@]}" -o build/c/test_load
cc "${cflags[@]}" -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all \
    bindings/c/tests/test_load.c "${libs[@]}" -o build/c/test_load_asan
cc "${cflags[@]}" bindings/c/tests/test_faults.c "${libs[@]}" -o build/c/test_faults
cc "${cflags[@]}" -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all \
    bindings/c/tests/test_faults.c "${libs[@]}" -o build/c/test_faults_asan
cc "${cflags[@]}" bindings/c/example.c "${libs[@]}" -o build/c/example
# The static library, linked with what pkg-config --static says it needs.
cc "${cflags[@]}" bindings/c/example.c $(pkg-config --cflags cloud_elements) "$prefix/lib/libcloud_elements.a" \
    $(pkg-config --libs-only-l --static cloud_elements | sed 's/-lcloud_elements//') -o build/c/example_static
for program in test_cloud_elements test_verbs test_elements; do
    c++ -std=c++17 -Wall -Wextra -Werror -g -I bindings/cpp -I bindings/c/tests "bindings/cpp/$program.cpp" "${libs[@]}" \
        -o "build/c/cpp_$program"
done
# The example with the installed C++ headers only (make install puts them beside the C header).
c++ -std=c++17 -Wall -Wextra -Werror -g bindings/cpp/example.cpp "${libs[@]}" -o build/c/cpp_example
PKG_CONFIG_PATH="$PKG_CONFIG_PATH" cmake -S bindings/c -B build/cmake -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/cmake >/dev/null

tmp=$(mktemp -d)
sandboxes=()
trap 'for pid in "${sandboxes[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$tmp"' EXIT

# start_sandbox VAR NAME [ARGS...]: starts a sandbox binary with ARGS and sets VAR to its base URL.
start_sandbox() {
    local var=$1 name=$2 url
    shift 2
    "$target_dir/release/cloud-elements-sandbox" --port 0 "$@" >"$tmp/$name.log" 2>&1 &
    sandboxes+=($!)
    for _ in $(seq 100); do [ -s "$tmp/$name.log" ] && break; sleep 0.05; done
    url=$(head -n1 "$tmp/$name.log" | sed -n 's/^cloud-elements sandbox listening on //p')
    [ -n "$url" ] || { echo "the $name sandbox did not start" >&2; cat "$tmp/$name.log" >&2; exit 1; }
    printf -v "$var" '%s' "$url"
}

# memcheck PROGRAM [ARGS...]: runs it under valgrind; any error or leak fails. 40 frames, so that
# the suppressions in valgrind.supp see the frame that names what they suppress.
memcheck() {
    valgrind -q --num-callers=40 --leak-check=full --show-leak-kinds=definite,indirect,possible \
        --errors-for-leak-kinds=definite,indirect,possible --suppressions=bindings/c/tests/valgrind.supp \
        --error-exitcode=99 "$@"
}

start_sandbox CE_SANDBOX_URL main
# The secrets are test_faults.c's USER_SECRET and ORG_SECRET: distinctive, so that the test can
# look for them in every error it sees.
fault_secrets=(--user-secret usr-SECRET-Qx7Zk9 --org-secret org-SECRET-Wd5Hn2)
start_sandbox CE_FAULT_SANDBOX_URL faults "${fault_secrets[@]}"
start_sandbox CE_TLS_SANDBOX_URL tls "${fault_secrets[@]}" --tls --ca-file "$tmp/tls-ca.pem"
export CE_SANDBOX_URL CE_FAULT_SANDBOX_URL CE_TLS_SANDBOX_URL CE_TLS_CA_FILE="$tmp/tls-ca.pem"
[ -s "$CE_TLS_CA_FILE" ] || { echo "the TLS sandbox wrote no CA certificate" >&2; exit 1; }
# The load test gets a sandbox of its own: it checks that the sandbox holds exactly the instances
# it created, and the tests before it leave a create in flight (a 2 s delay whose client stopped
# waiting after 300 ms), which lands whenever the delay ends.
start_sandbox load_url load
# The element tests get one loaded with bindings/c/tests/elements (they reset it at will).
start_sandbox elements_url elements --elements bindings/c/tests/elements

echo "-- C tests"
build/c/test_c
echo "-- C tests under valgrind"
memcheck build/c/test_c
echo "-- C tests under ASan + UBSan"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 build/c/test_c_asan
echo "-- C tests of the instance verbs"
build/c/test_verbs
echo "-- C tests of the instance verbs under valgrind"
memcheck build/c/test_verbs
echo "-- C tests of the instance verbs under ASan + UBSan"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 build/c/test_verbs_asan
echo "-- C tests of elements, validation, idempotency keys and OAuth"
CE_SANDBOX_URL=$elements_url build/c/test_elements
echo "-- C tests of elements, validation, idempotency keys and OAuth under valgrind"
CE_SANDBOX_URL=$elements_url memcheck build/c/test_elements
echo "-- C tests of elements, validation, idempotency keys and OAuth under ASan + UBSan"
CE_SANDBOX_URL=$elements_url ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 build/c/test_elements_asan
echo "-- C fault matrix"
started=$SECONDS
build/c/test_faults
echo "   ($((SECONDS - started)) s)"
echo "-- C fault matrix under valgrind"
started=$SECONDS
memcheck build/c/test_faults
echo "   ($((SECONDS - started)) s)"
echo "-- C fault matrix under ASan + UBSan"
started=$SECONDS
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 build/c/test_faults_asan
echo "   ($((SECONDS - started)) s)"
echo "-- C++ tests"
build/c/cpp_test_cloud_elements
build/c/cpp_test_verbs
CE_SANDBOX_URL=$elements_url build/c/cpp_test_elements
# 8 threads x 1000 creates on one client: plain (which checks the resident memory) and under
# ASan + UBSan (which cannot: its quarantine keeps freed memory); under valgrind, which is too
# slow for 8000 (16 s), 8 x 100.
echo "-- C load test"
CE_SANDBOX_URL=$load_url build/c/test_load
echo "-- C load test under ASan + UBSan"
CE_SANDBOX_URL=$load_url ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 build/c/test_load_asan
echo "-- C load test under valgrind (8 x 100 creates)"
CE_SANDBOX_URL=$load_url CE_LOAD_CREATES=100 CE_LOAD_SKIP_RSS=1 \
    memcheck build/c/test_load

echo "-- examples (shared via pkg-config, CMake, static)"
export CLOUD_ELEMENTS_BASE_URL="$CE_SANDBOX_URL" CLOUD_ELEMENTS_USER_SECRET=sandbox-user-secret \
       CLOUD_ELEMENTS_ORG_SECRET=sandbox-organization-secret
for example in build/c/example build/cmake/example build/c/example_static; do
    "$example" MY_KEY MY_PW | grep -Eq '^token: +[A-Za-z0-9+/]{20,}=*$' || { echo "$example failed" >&2; exit 1; }
done
build/c/cpp_example user password key | grep -q '^element key: pardot$'
set +e
out=$(build/c/example "" MY_PW 2>&1)
status=$?
set -e
[ $status -ne 0 ] && grep -q "missing entries: username" <<<"$out" || { echo "example: $out" >&2; exit 1; }
echo "C and C++: all passed"
