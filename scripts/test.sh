#!/usr/bin/env bash
# Every test the project has. The README's second command (`make test`) and `.ci/run` both run
# this; it must pass on a fresh clone, so it installs what it needs itself.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf "\n==> %s  [%ss]\n" "$*" "$SECONDS"; }

# Tests talk to sandboxes on loopback: never through a proxy, never to a configured server.
unset CLOUD_ELEMENTS_BASE_URL CLOUD_ELEMENTS_USER_SECRET CLOUD_ELEMENTS_ORG_SECRET \
      HTTPS_PROXY https_proxy HTTP_PROXY http_proxy ALL_PROXY all_proxy || true
# A C header that cbindgen cannot generate fails the build (see ffi/build.rs).
export CE_HEADER_STRICT=1
# The release builds here (the C library, the wheel, the sandbox, the bench's contenders) test
# behaviour, not size or speed: without whole-program LTO they build in a fraction of the time.
# `make install`, maturin and `make bench` outside the tests use the shipped profile.
export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16

step "tools"
if command -v rustup >/dev/null 2>&1; then
    for component in rustfmt clippy; do
        rustup component list --installed 2>/dev/null | grep -q "^$component" || rustup component add "$component"
    done
fi
missing=()
for tool in curl:curl cc:gcc c++:g++ pkg-config:pkg-config valgrind:valgrind cmake:cmake; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool##*:}")
done
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (all targets, all features, warnings are errors)"
cargo clippy --workspace --all-targets --all-features -- -D warnings

step "cargo doc (every public item documented, no broken links)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps -q

step "cargo test (unit, integration, doc tests; library and sandbox)"
# Not --all-features: the `python` feature's module links against the interpreter that imports
# it, so it is tested through maturin and pytest below.
cargo test --workspace

step "fuzzing: the response decoder and the request parsing (cargo-fuzz, ${FUZZ_SECONDS:-30} s per target)"
FUZZ_SECONDS="${FUZZ_SECONDS:-30}" bash scripts/fuzz.sh

step "the README's main command, against the embedded sandbox"
ce() { cargo run -q -p cloud-elements-cli -- "$@"; }
out=$(ce instances create closeio username=MY_KEY password=MY_PW --name Test --tag demo --output human 2>&1)
echo "$out"
grep -q "Using an embedded sandbox" <<<"$out"
grep -Eq '^token +[A-Za-z0-9+/]{30,}=*$' <<<"$out"
grep -Eq '^element +closeio$' <<<"$out"

step "a corporate proxy in the environment does not capture the local sandbox"
out=$(HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 ALL_PROXY=http://127.0.0.1:9 \
      ce instances create closeio username=MY_KEY password=MY_PW --name Proxied --output json 2>/dev/null)
grep -Eq '"name": "Proxied"' <<<"$out"

step "missing entries: exit status 3, every entry named"
set +e
err=$(ce instances create pardot apikey.user.name=x 2>&1 >/dev/null)
status=$?
set -e
echo "$err"
[ "$status" -eq 3 ] || { echo "expected exit status 3, got $status" >&2; exit 1; }
grep -q "apikey.user.password, apikey.user.key" <<<"$err"

step "the command line from a shell: completions, an operator's script, oauth login in headless chromium"
bash scripts/test-cli.sh

step "the sandbox binary answers the documentation's curl command"
bash scripts/sandbox-curl-smoke.sh

step "C and C++: the installed library and header, under valgrind and ASan"
bash scripts/test-c.sh

step "legacy languages: COBOL, Fortran, Pascal and dlopen on the flat API; the crash test"
bash scripts/test-legacy.sh

step "Python: the wheel, pytest, a fresh venv"
bash scripts/test-python.sh

step "the benchmark command still runs (make bench-smoke: N=50, results to a temporary file)"
# With the module the Python step installed in .venv, and the crates already compiled in target/.
BENCH_PYTHON=.venv/bin/python BENCH_RUST_TARGET_DIR="${CARGO_TARGET_DIR:-target}" make -s bench-smoke

echo
echo "all tests passed in ${SECONDS}s"
