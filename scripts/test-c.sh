#!/usr/bin/env bash
# C and C++ tests: builds and installs the library into build/prefix, checks the committed header
# is current, then runs the C tests (plain, under valgrind, under ASan+UBSan), the C++ tests, the
# C load test (plain, under ASan+UBSan, smaller under valgrind), and the examples (pkg-config,
# CMake, static link) against the sandbox binary over loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir=${CARGO_TARGET_DIR:-target}
unset HTTPS_PROXY https_proxy HTTP_PROXY http_proxy ALL_PROXY all_proxy || true

for tool in cc c++ pkg-config valgrind cmake readelf; do
    command -v "$tool" >/dev/null 2>&1 || { echo "$tool is missing (scripts/test.sh installs it)" >&2; exit 1; }
done

cargo build -q --release --lib
cargo build -q --release -p cloud-elements-sandbox

# build.rs regenerates the header; the committed one must be what it generates.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    if ! git ls-files --error-unmatch include/cloud_elements.h >/dev/null 2>&1 ||
       ! git diff --quiet -- include/cloud_elements.h; then
        echo "include/cloud_elements.h is stale: commit the header the build generated" >&2
        git --no-pager diff --stat -- include/cloud_elements.h >&2 || true
        exit 1
    fi
fi

prefix="$PWD/build/prefix"
rm -rf "$prefix" build/c build/cmake
mkdir -p build/c
make -s install PREFIX="$prefix" >/dev/null
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
readelf -d "$prefix/lib/libcloud_elements.so" | grep -q 'SONAME.*libcloud_elements\.so\.' ||
    { echo "the shared library has no SONAME" >&2; exit 1; }

cflags=(-std=c11 -Wall -Wextra -Werror -pedantic -g)
libs=($(pkg-config --cflags --libs cloud_elements) -pthread -Wl,-rpath,"$prefix/lib")
cc "${cflags[@]}" bindings/c/tests/test_cloud_elements.c "${libs[@]}" -o build/c/test_c
cc "${cflags[@]}" -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all \
    bindings/c/tests/test_cloud_elements.c "${libs[@]}" -o build/c/test_c_asan
cc "${cflags[@]}" bindings/c/tests/test_load.c "${libs[@]}" -o build/c/test_load
cc "${cflags[@]}" -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all \
    bindings/c/tests/test_load.c "${libs[@]}" -o build/c/test_load_asan
cc "${cflags[@]}" bindings/c/example.c "${libs[@]}" -o build/c/example
# The static library, linked with what pkg-config --static says it needs.
cc "${cflags[@]}" bindings/c/example.c $(pkg-config --cflags cloud_elements) "$prefix/lib/libcloud_elements.a" \
    $(pkg-config --libs-only-l --static cloud_elements | sed 's/-lcloud_elements//') -o build/c/example_static
for program in example test_cloud_elements; do
    c++ -std=c++17 -Wall -Wextra -Werror -g -I bindings/cpp "bindings/cpp/$program.cpp" "${libs[@]}" \
        -o "build/c/cpp_$program"
done
PKG_CONFIG_PATH="$PKG_CONFIG_PATH" cmake -S bindings/c -B build/cmake -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/cmake >/dev/null

# The load test gets a sandbox of its own: it checks that the sandbox holds exactly the instances
# it created, and the tests before it leave a create in flight (a 2 s delay whose client stopped
# waiting after 300 ms), which lands whenever the delay ends.
log=$(mktemp)
load_log=$(mktemp)
"$target_dir/release/cloud-elements-sandbox" --port 0 >"$log" &
sandbox=$!
"$target_dir/release/cloud-elements-sandbox" --port 0 >"$load_log" &
load_sandbox=$!
trap 'kill $sandbox $load_sandbox 2>/dev/null || true; rm -f "$log" "$load_log"' EXIT
for _ in $(seq 100); do [ -s "$log" ] && [ -s "$load_log" ] && break; sleep 0.05; done
export CE_SANDBOX_URL=$(head -n1 "$log" | sed -n 's/^cloud-elements sandbox listening on //p')
[ -n "$CE_SANDBOX_URL" ] || { echo "the sandbox did not start" >&2; cat "$log" >&2; exit 1; }
load_url=$(head -n1 "$load_log" | sed -n 's/^cloud-elements sandbox listening on //p')
[ -n "$load_url" ] || { echo "the load test's sandbox did not start" >&2; cat "$load_log" >&2; exit 1; }

echo "-- C tests"
build/c/test_c
echo "-- C tests under valgrind"
valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
    --errors-for-leak-kinds=definite,indirect,possible --suppressions=bindings/c/tests/valgrind.supp \
    --error-exitcode=99 build/c/test_c
echo "-- C tests under ASan + UBSan"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 build/c/test_c_asan
echo "-- C++ tests"
build/c/cpp_test_cloud_elements
# 8 threads x 1000 creates on one client: plain (which checks the resident memory) and under
# ASan + UBSan (which cannot: its quarantine keeps freed memory); under valgrind, which is too
# slow for 8000 (16 s), 8 x 100.
echo "-- C load test"
CE_SANDBOX_URL=$load_url build/c/test_load
echo "-- C load test under ASan + UBSan"
CE_SANDBOX_URL=$load_url ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 build/c/test_load_asan
echo "-- C load test under valgrind (8 x 100 creates)"
CE_SANDBOX_URL=$load_url CE_LOAD_CREATES=100 CE_LOAD_SKIP_RSS=1 \
    valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
    --errors-for-leak-kinds=definite,indirect,possible --suppressions=bindings/c/tests/valgrind.supp \
    --error-exitcode=99 build/c/test_load

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
