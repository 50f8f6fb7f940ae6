#!/usr/bin/env bash
# Starts the sandbox binary on a free port and sends it the documentation's curl command with only
# the host changed: what a user developing offline does first.
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir=${CARGO_TARGET_DIR:-target}
cargo build -q -p cloud-elements-sandbox
log=$(mktemp)
"$target_dir/debug/cloud-elements-sandbox" --port 0 >"$log" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 100); do [ -s "$log" ] && break; sleep 0.05; done
url=$(head -n1 "$log" | sed -n 's/^cloud-elements sandbox listening on //p')
[ -n "$url" ] || { echo "sandbox printed no URL:" >&2; cat "$log" >&2; exit 1; }
cat > "${log}.json" <<'JSON'
{
  "element": {
    "key": "closeio"
  },
  "configuration": {
    "username": "<INSERT_CLOSE_IO_API_KEY>",
    "password": "<INSERT_CLOSE_IO_PASSWORD>"
  },
  "tags": [
    "<INSERT_TAGS>"
  ],
  "name": "<INSERT_INSTANCE_NAME>"
}
JSON
answer=$(curl -sS -X POST \
  -H 'Authorization: User sandbox-user-secret, Organization sandbox-organization-secret' \
  -H 'Content-Type: application/json' \
  -d @"${log}.json" \
  "$url/instances")
rm -f "${log}.json"
echo "$answer"
python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["token"] and d["element"]["key"]=="closeio", d' <<<"$answer"
