#!/usr/bin/env bash
# The `cloud-elements` command beyond `cargo test -p cloud-elements-cli`: installs it with
# `cargo install --path cli` (debug build, into a temporary root), checks that each completion
# script parses in its shell (those installed), and drives it from a shell the way an operator's
# script would: the sandbox subcommand in the background, its exports eval'ed, exit statuses
# branched on. Last, `oauth login` with a real browser: Debian's chromium (installed when
# missing), headless, opening the printed URL as a person would.
set -euo pipefail
cd "$(dirname "$0")/.."
unset HTTPS_PROXY https_proxy HTTP_PROXY http_proxy ALL_PROXY all_proxy || true
unset CLOUD_ELEMENTS_BASE_URL CLOUD_ELEMENTS_USER_SECRET CLOUD_ELEMENTS_ORG_SECRET CLOUD_ELEMENTS_OAUTH_API_SECRET || true

work=$(mktemp -d)
sandbox_pid=
cleanup() {
    [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null || true
    # The headless browser, if still running (its wrapper wrote the pid of its `timeout`).
    [ -f "$work/browser.pid" ] && kill "$(cat "$work/browser.pid")" 2>/dev/null || true
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

# `oauth login` with a real browser. The wrapper is what $BROWSER names: chromium, headless, loads
# the URL, follows the stand-in provider's 302 to the command's loopback listener (with whatever
# else a browser sends: /favicon.ico, pre-connections) and writes the page it ends on.
if ! command -v chromium >/dev/null 2>&1; then
    echo "chromium is missing: installing Debian's"
    sudo=
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get install -y --no-install-recommends chromium ||
        { $sudo apt-get update && $sudo apt-get install -y --no-install-recommends chromium; }
fi
cat >"$work/browser.sh" <<EOF
#!/bin/sh
echo \$\$ >"$work/browser.pid"
profile=\$(mktemp -d "$work/profile.XXXXXX")
exec timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \\
    --disable-background-networking --disable-component-update --disable-sync --no-proxy-server \\
    --user-data-dir="\$profile" --dump-dom "\$1" >"$work/page.html" 2>"$work/chromium.log"
EOF
chmod +x "$work/browser.sh"
oauth_secret="cli-app-secret-$RANDOM$RANDOM"
printf '%s\n' "$oauth_secret" >"$work/oauth-secret"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
    echo $((20000 + RANDOM % 20000)))
status=0
BROWSER="$work/browser.sh" timeout 90 "$ce" oauth login clover --api-key cli-app --api-secret-file "$work/oauth-secret" \
    --callback-url "http://127.0.0.1:$port/callback" merchantId=M-1 --tag cli-oauth --wait 60 -o json \
    >"$work/login.json" 2>"$work/login.err" || status=$?
if [ "$status" -ne 0 ]; then
    echo "oauth login with chromium: exit status $status" >&2
    cat "$work/login.err" "$work/chromium.log" >&2 || true
    exit 1
fi
grep -q '"token": "' "$work/login.json" || { echo "oauth login printed no token" >&2; exit 1; }
[ "$("$ce" instances list --tag cli-oauth -o jsonl | wc -l)" -eq 1 ]
if grep -qF "$oauth_secret" "$work/login.json" "$work/login.err"; then
    echo "oauth login printed the API secret" >&2
    exit 1
fi
# The browser ends on the listener's page (written as chromium exits, just after the command).
for _ in $(seq 100); do grep -q 'Authorization received' "$work/page.html" 2>/dev/null && break; sleep 0.1; done
grep -q 'Authorization received' "$work/page.html" || { echo "chromium did not end on the listener's page" >&2; exit 1; }
echo "oauth login with headless chromium: instance created, the listener's page shown"
echo "test-cli: ok"
