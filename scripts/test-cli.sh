#!/usr/bin/env bash
# The `cloud-elements` command beyond `cargo test -p cloud-elements-cli`: installs it with
# `cargo install --path cli` (debug build, into a temporary root), checks that each completion
# script parses in its shell (those installed), and drives it from a shell the way an operator's
# script would: the sandbox subcommand in the background, its exports eval'ed, exit statuses
# branched on.
set -euo pipefail
cd "$(dirname "$0")/.."
unset HTTPS_PROXY https_proxy HTTP_PROXY http_proxy ALL_PROXY all_proxy || true
unset CLOUD_ELEMENTS_BASE_URL CLOUD_ELEMENTS_USER_SECRET CLOUD_ELEMENTS_ORG_SECRET || true

work=$(mktemp -d)
sandbox_pid=
cleanup() {
    [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

cargo install -q --debug --locked --path cli --root "$work/root" --target-dir "${CARGO_TARGET_DIR:-target}"
ce="$work/root/bin/cloud-elements"
"$ce" --version
"$ce" --help | grep -q '^Exit status:'

for shell in bash zsh fish; do
    "$ce" completions "$shell" >"$work/completion.$shell"
    if command -v "$shell" >/dev/null 2>&1; then
        "$shell" -n "$work/completion.$shell"
        echo "completions $shell: parses"
    fi
done

# The sandbox in the foreground of a background job; its exports point the command at it.
"$ce" sandbox --port 0 --latency-ms 20 >"$work/sandbox.out" &
sandbox_pid=$!
for _ in $(seq 100); do grep -q 'Ctrl-C' "$work/sandbox.out" 2>/dev/null && break; sleep 0.1; done
eval "$(grep '^export ' "$work/sandbox.out")"

id=$("$ce" instances create closeio username=KEY password=PW --name script --tag cli-script -o json |
    sed -n 's/^  "id": \([0-9]*\),$/\1/p')
[ -n "$id" ] || { echo "no id in the create's output" >&2; exit 1; }
[ "$("$ce" instances list --tag cli-script -o jsonl | wc -l)" -eq 1 ]
"$ce" instances delete "$id" -o human
status=0
"$ce" instances get "$id" 2>/dev/null || status=$?
[ "$status" -eq 5 ] || { echo "expected exit status 5 for a deleted instance, got $status" >&2; exit 1; }
echo "test-cli: ok"
