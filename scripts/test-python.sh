#!/usr/bin/env bash
# The Python package: build the abi3 wheel with maturin, run pytest against it in .venv, check the
# hand-kept stubs against the module (mypy's stubtest, and mypy --strict on a typed use), then
# install the same wheel into a brand-new venv and create an instance against its embedded sandbox;
# any other CPython 3.9..3.13 found on PATH imports the wheel and does the same.
# Needs only CPython >= 3.9 with venv and pip, and the Rust toolchain; PYTHON picks the interpreter.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

python=${PYTHON:-python3}
"$python" -c 'import sys; assert sys.version_info >= (3, 9), sys.version' \
    || { echo "Python >= 3.9 is needed (set PYTHON)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

step "Python: the test venv (.venv), with maturin, pytest and mypy"
if ! .venv/bin/python -c 'import pip' >/dev/null 2>&1; then
    rm -rf .venv
    "$python" -m venv .venv
fi
.venv/bin/python -m pip install -q "maturin>=1.9,<2" pytest mypy

step "Python: build the wheel (maturin, cargo feature \`python\`, release)"
.venv/bin/maturin build --release --interpreter .venv/bin/python --out "$tmp/wheel"
wheel=$(ls "$tmp"/wheel/cloud_elements-*.whl)
echo "built $(basename "$wheel")"
.venv/bin/python -m pip install -q --force-reinstall --no-deps "$wheel"

# Tests talk to sandboxes on loopback: never through a proxy, never to a configured server.
clean_env=(env -u CLOUD_ELEMENTS_BASE_URL -u CLOUD_ELEMENTS_USER_SECRET -u CLOUD_ELEMENTS_ORG_SECRET
    -u HTTPS_PROXY -u https_proxy -u HTTP_PROXY -u http_proxy -u ALL_PROXY -u all_proxy)

step "Python: pytest bindings/python/tests"
status=0
"${clean_env[@]}" .venv/bin/python -m pytest -q -p no:cacheprovider bindings/python/tests || status=$?
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests" >&2
    exit 1
elif [ "$status" -ne 0 ]; then
    exit "$status"
fi

# No allowlist: every difference between _native.pyi and the module is an error. mypy runs in the
# temporary directory, where it leaves its cache (stubtest ignores MYPY_CACHE_DIR).
venv_python=$PWD/.venv/bin/python
step "Python: stubtest (the stubs against the installed module)"
(cd "$tmp" && "$venv_python" -m mypy.stubtest cloud_elements)

step "Python: mypy --strict on a typed use of the package"
cat >"$tmp/typed_use.py" <<'EOF'
from typing import Optional

import cloud_elements as ce


# `__exit__` returns None: mypy knows a `with` block lets exceptions through, so these return.
def create(client: ce.Client) -> ce.Instance:
    with client:
        return client.create_instance("closeio", {"username": "K", "password": True}, name="T", tags=["a"])


def url() -> str:
    with ce.Sandbox() as sb:
        return sb.url


def status(e: ce.CloudElementsError) -> Optional[int]:
    if isinstance(e, (ce.ApiError, ce.DecodeError)):
        return e.status
    return None


def problems(e: ce.InvalidInputError) -> list[str]:
    return list(e.problems)


def entries(client: ce.Client, instance: ce.Instance) -> dict[str, str]:
    # Configuration values are `str`, or `Secret` for secret entries.
    values = {e["key"]: e["property_value"] for e in client.instance_configuration(instance.id)}
    return {k: v if isinstance(v, str) else v.get_secret_value() for k, v in values.items()}


async def tagged(client: ce.AsyncClient, tags: tuple[str, ...]) -> list[int]:
    async with client:
        return [i.id for i in await client.list_instances(tags=tags)]


def api_status(e: ce.ApiError) -> int:
    return e.status + 0
EOF
(cd "$tmp" && "$venv_python" -m mypy --strict typed_use.py)

# The tests of the newer API are typed: mypy checks them as a user's code, against the stubs.
step "Python: mypy --strict on the typed tests"
tests_dir=$PWD/bindings/python/tests
(cd "$tmp" && "$venv_python" -m mypy --strict "$tests_dir/test_verbs.py" "$tests_dir/test_async.py" \
    "$tests_dir/test_sandbox_elements.py" "$tests_dir/test_elements_oauth.py" "$tests_dir/test_idempotency.py")

# One list (bindings/parity.json) names every verb and setting of the Rust Client with its C, C++
# and Python names; the installed package, the C header and the C++ headers must have them all.
step "Parity: every Rust verb and setting in C, C++ and Python (scripts/parity.py)"
.venv/bin/python scripts/parity.py

smoke=$(cat <<'EOF'
import pathlib

import cloud_elements as ce

package = pathlib.Path(ce.__file__).parent
assert (package / "py.typed").is_file() and (package / "_native.pyi").is_file(), "type information missing"
with ce.Sandbox() as sb:
    with ce.Client(base_url=sb.url, user_secret=sb.user_secret, organization_secret=sb.organization_secret) as client:
        inst = client.create_instance("closeio", {"username": "KEY", "password": "PW"}, name="Test", tags=["demo"])
    assert inst.id == 1 and inst.token and inst.element_key == "closeio", inst
    assert sb.request_count == 1
print(f"cloud_elements {ce.__version__} from {package}: created {inst!r}")
EOF
)

step "Python: the wheel in a fresh venv creates an instance against ce.Sandbox()"
"$python" -m venv "$tmp/fresh"
"$tmp/fresh/bin/python" -m pip install -q --no-deps --no-index "$wheel"
(cd "$tmp" && "${clean_env[@]}" "$tmp/fresh/bin/python" -c "$smoke")

# The wheel is abi3, one file for every CPython >= 3.9: other minor versions on PATH import it
# (unpacked; a wheel is a zip) and create an instance too. None found is no failure.
tested=$(.venv/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
for version in 3.9 3.10 3.11 3.12 3.13; do
    [ "$version" != "$tested" ] || continue
    other=$(command -v "python$version") || continue
    # A name on PATH may not run (a pyenv shim for a version not selected): skip it.
    "$other" -c "import sys; assert sys.implementation.name == 'cpython' and sys.version.startswith('$version.')" \
        >/dev/null 2>&1 || continue
    step "Python $version: import the wheel and create an instance"
    "$other" -m zipfile -e "$wheel" "$tmp/python$version"
    (cd "$tmp" && "${clean_env[@]}" PYTHONPATH="$tmp/python$version" "$other" -c "$smoke")
done

echo
echo "python tests passed"
