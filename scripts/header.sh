#!/usr/bin/env bash
# The C header: cbindgen generates it into the ffi crate's OUT_DIR when the crate builds
# (ffi/build.rs); this copies it into include/cloud_elements.h (`make header`), or, with --check,
# fails when the committed header differs from the generated one (`make check-header`, run by
# scripts/test-c.sh). A plain `cargo build` never writes into the source tree.
#
# Builds in the release profile (as `make lib` does), or the one named by CE_HEADER_PROFILE.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-write}
profile=${CE_HEADER_PROFILE:-release}
# The build's messages name the ffi build script's OUT_DIR.
out_dir=$(cargo build -q --profile "$profile" -p cloud-elements-ffi --message-format=json |
    grep '"reason":"build-script-executed"' | grep 'cloud-elements-ffi' |
    sed -n 's/.*"out_dir":"\([^"]*\)".*/\1/p' | tail -n 1)
generated="$out_dir/cloud_elements.h"
[ -n "$out_dir" ] && [ -s "$generated" ] ||
    { echo "cbindgen generated no header (see the build's warnings)" >&2; exit 1; }
case "$mode" in
    --check)
        if ! cmp -s "$generated" include/cloud_elements.h; then
            echo "include/cloud_elements.h is stale: run \`make header\` and commit it" >&2
            diff -u include/cloud_elements.h "$generated" | head -n 40 >&2 || true
            exit 1
        fi
        ;;
    write)
        cmp -s "$generated" include/cloud_elements.h || cp "$generated" include/cloud_elements.h
        ;;
    *)
        echo "usage: $0 [--check]" >&2
        exit 2
        ;;
esac
