"""What bench/run.py and bench/report.py share: where things are, the contenders, small helpers."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
BUILD = ROOT / "build" / "bench"
TARGET = Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target").resolve()
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"

# The sandbox's default secrets (nothing else accepts them); never printed.
USER_SECRET = "sandbox-user-secret"
ORG_SECRET = "sandbox-organization-secret"
# The body every contender sends: bench/rust, bench/c/bench_c.c and bench/c/floor.c build the same.
BODY = (
    '{"element":{"key":"closeio"},"configuration":{"username":"bench-key","password":"bench-password"},'
    '"tags":["bench"],"name":"bench"}'
)

CONTENDERS = ["floor", "rust", "c", "python", "requests", "curl"]
LABELS = {
    "floor": "floor (C, raw socket, parses nothing)",
    "rust": "cloud-elements, Rust",
    "c": "cloud-elements, C (libcloud_elements.so)",
    "python": "cloud-elements, Python module",
    "requests": "Python requests.Session (json=)",
    "curl": "curl -K (one process, one connection)",
}
THREADS = [1, 2, 4, 8]
MAX_SO_BYTES = 3_000_000


def log(message):
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def output(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return ""


def write_between(path, section, begin, end, absent):
    """Writes `section` (from its `begin` marker to its `end` marker) into the file at `path`, in
    place of what stands between those markers there, keeping the rest of the file; a file without
    the markers (or no file) becomes `absent(old_text, section)`."""
    path = Path(path)
    old = path.read_text() if path.exists() else ""
    if begin in old and end in old:
        head, rest = old.split(begin, 1)
        text = head + section.rstrip("\n") + rest.split(end, 1)[1]
    else:
        text = absent(old, section)
    path.write_text(text)
