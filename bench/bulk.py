#!/usr/bin/env python3
"""The bulk section of `make bench`: `cloud-elements bulk create` against the sandbox binary.

For ROWS Close.io rows (10,000; `--smoke`: 50) against a sandbox whose every create takes 50 ms
(`--latency-ms 50`), at concurrency 8, 32 and 64:
- wall time against the bound ROWS x latency / concurrency (target: within 1.10x);
- the command's CPU per row (user + sys, from wait4) and its peak resident memory, which must be
  flat in the number of rows: the same run with ROWS / 5 rows is compared;
- the sandbox's CPU over the run (it must not be the bottleneck at concurrency 64).
Then against `--rate-limit 200`: `--rate 200` at concurrency 32, wall time against ROWS / 200
(target: within 1.10x) with no more than 1% of the creates answered 429 (the sandbox's
`rate_limited` count); and, for comparison, the same run without `--rate` (the shared pause on
429, and the pace learned from it).

Run by bench/run.py (after its own sections), or alone: `python3 bench/bulk.py [--smoke]
[--rows N] [--out FILE]` (builds the release command and sandbox first unless BULK_NO_BUILD=1).
Only the part of OUT between the `bench-bulk:begin` and `bench-bulk:end` markers is rewritten.
"""

import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, TARGET, write_between

BEGIN, END = "<!-- bench-bulk:begin -->", "<!-- bench-bulk:end -->"
USER_SECRET = "sandbox-user-secret"
ORG_SECRET = "sandbox-organization-secret"
LATENCY_MS = 50
CONCURRENCY = [8, 32, 64]
RATE = 200
TARGET_RATIO = 1.10


def log(message):
    print(f"[bench bulk] {message}", file=sys.stderr, flush=True)


def build():
    """The release command and sandbox (thin LTO off: the bulk numbers do not depend on it)."""
    env = {**os.environ, "CARGO_PROFILE_RELEASE_LTO": os.environ.get("CARGO_PROFILE_RELEASE_LTO", "false")}
    cmd = ["cargo", "build", "-q", "--release", "-p", "cloud-elements-cli", "-p", "cloud-elements-sandbox"]
    log("$ " + " ".join(cmd))
    subprocess.run(cmd, check=True, cwd=ROOT, env=env)


class Sandbox:
    """The sandbox binary in its own process, on every CPU."""

    def __init__(self, binary):
        self.process = subprocess.Popen(
            [str(binary), "--port", "0", "--latency-ms", str(LATENCY_MS)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        first = self.process.stdout.readline()
        match = re.match(r"cloud-elements sandbox listening on (http://([^/:]+):(\d+)\S*)", first)
        if not match:
            self.stop()
            sys.exit(f"bench bulk: the sandbox did not start: {first!r}")
        self.url, self.host, self.port = match.group(1), match.group(2), int(match.group(3))

    def control(self, method, path, body=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            headers = {"Content-Type": "application/json"} if body is not None else {}
            conn.request(method, "/_sandbox" + path, body=json.dumps(body) if body is not None else None, headers=headers)
            response = conn.getresponse()
            data = response.read()
            if response.status != 200:
                sys.exit(f"bench bulk: {method} /_sandbox{path}: HTTP {response.status}: {data[:200]!r}")
            return json.loads(data)
        finally:
            conn.close()

    def prepare(self, rate_limit):
        """Forgets instances and counts; sets the latency and the rate limit (a full bucket)."""
        self.control("POST", "/reset")
        self.control("POST", "/settings", {"latency_ms": LATENCY_MS, "rate_limit": rate_limit})

    def cpu_seconds(self):
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def write_csv(path, rows):
    with open(path, "w") as f:
        f.write("element,name,tags,config.username,password\n")
        for i in range(rows):
            f.write(f"closeio,Bench customer {i},bulk-bench,user-{i},password-{i}\n")


def run_bulk(cli, sandbox, directory, rows, concurrency, rate_limit=0, rate=None):
    """One `bulk create` of `rows` rows; its wall time, CPU (wait4) and peak memory."""
    sandbox.prepare(rate_limit)
    csv = Path(directory) / f"in-{rows}.csv"
    if not csv.exists():
        write_csv(csv, rows)
    out = Path(directory) / "results.csv"
    if out.exists():
        out.unlink()
    cmd = [str(cli), "bulk", "create", str(csv), "--out", str(out), "--concurrency", str(concurrency), "-o", "json"]
    if rate:
        cmd += ["--rate", str(rate)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUD_ELEMENTS_") and "proxy" not in k.lower()}
    env.update(CLOUD_ELEMENTS_BASE_URL=sandbox.url, CLOUD_ELEMENTS_USER_SECRET=USER_SECRET,
               CLOUD_ELEMENTS_ORG_SECRET=ORG_SECRET)
    server_before = sandbox.cpu_seconds()
    start = time.perf_counter()
    process = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    stdout = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit(f"bench bulk: {' '.join(cmd)} exited with {process.returncode}: {stdout[:500]}")
    summary = json.loads(stdout)
    if summary["created"] != rows or summary["failed"] != 0:
        sys.exit(f"bench bulk: expected {rows} created, got {summary}")
    settings = sandbox.control("GET", "/settings")
    result = {
        "rows": rows,
        "concurrency": concurrency,
        "rate": rate,
        "rate_limit": rate_limit,
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "max_rss_kb": usage.ru_maxrss,
        "server_cpu_s": sandbox.cpu_seconds() - server_before,
        "rate_limited": settings["rate_limited"],
        "retried_after_429": summary["rate_limited_answers"],
    }
    log(
        f"{rows} rows, concurrency {concurrency}, rate {rate}, limit {rate_limit}: {wall:.2f} s, "
        f"{result['cpu_s'] / rows * 1e6:.0f} µs CPU/row, {usage.ru_maxrss / 1024:.1f} MB peak, "
        f"server {result['server_cpu_s']:.2f} s CPU, {result['rate_limited']} answered 429"
    )
    return result


def verdict(ok):
    return "**met**" if ok else "**not met**"


def report(rows, runs, small, limited, unpaced):
    cpus = os.cpu_count()
    lines = [
        BEGIN,
        "",
        "## Bulk provisioning (`cloud-elements bulk create`)",
        "",
        f"{rows:,} Close.io rows against the release sandbox binary (its own process) with `--latency-ms {LATENCY_MS}`; "
        f"the release command, one run each; {cpus} CPUs shared by the command and the sandbox. CPU and peak "
        "memory are the command's own (wait4's rusage); the server's CPU is the sandbox process's over the run. "
        "Every run is a file's first (a fresh sandbox): one `GET /instances?tags[]=ce-bulk-<digest>` finds "
        "nothing, and each row is then one create (a resumed or repeated run also looks each key up).",
        "",
        "| concurrency | wall | bound rows × latency / concurrency | ratio (target ≤ 1.10) | CPU per row | "
        "peak memory | sandbox CPU / wall |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        bound = rows * LATENCY_MS / 1000 / r["concurrency"]
        ratio = r["wall_s"] / bound
        lines.append(
            f"| {r['concurrency']} | {r['wall_s']:.2f} s | {bound:.2f} s | {ratio:.3f} {verdict(ratio <= TARGET_RATIO)} | "
            f"{r['cpu_s'] / rows * 1e6:.0f} µs | {r['max_rss_kb'] / 1024:.1f} MB | "
            f"{r['server_cpu_s'] / r['wall_s'] * 100:.0f}% of one CPU |"
        )
    big = next(r for r in runs if r["concurrency"] == small["concurrency"])
    growth = (big["max_rss_kb"] - small["max_rss_kb"]) * 1024 / (rows - small["rows"])
    lines += [
        "",
        f"Memory flat in the number of rows: at concurrency {small['concurrency']}, {small['rows']:,} rows peak at "
        f"{small['max_rss_kb'] / 1024:.1f} MB and {rows:,} rows at {big['max_rss_kb'] / 1024:.1f} MB: "
        f"{growth:.1f} bytes per extra row {verdict(growth < 64)} (target: < 64 B/row; the input is read as it is "
        "sent, never held whole).",
        "",
        f"Against `--rate-limit {RATE}` (a bucket of {RATE} refilled at {RATE}/s), concurrency {limited['concurrency']}:",
        "",
        "| run | wall | bound rows / rate | ratio (target ≤ 1.10) | answered 429 (target ≤ 1%) |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, r, judged in ((f"`--rate {RATE}`", limited, True), ("no `--rate` (pace learned at the first 429)", unpaced, False)):
        if r is None:
            continue
        bound = rows / RATE
        ratio = r["wall_s"] / bound
        posts = rows + r["rate_limited"]
        share = r["rate_limited"] / posts * 100
        ratio_text = f"{ratio:.3f} {verdict(ratio <= TARGET_RATIO)}" if judged else f"{ratio:.3f}"
        share_text = f"{r['rate_limited']} of {posts:,} ({share:.2f}%)" + (f" {verdict(share <= 1)}" if judged else "")
        lines.append(f"| {label} | {r['wall_s']:.2f} s | {bound:.2f} s | {ratio_text} | {share_text} |")
    lines += ["", END]
    return "\n".join(lines) + "\n"


def write_report(path, section):
    # Appended after the rest of the file when it has no bulk section yet.
    write_between(
        path,
        section,
        BEGIN,
        END,
        lambda old, section: old + ("\n" if old and not old.endswith("\n") else "") + ("\n" if old else "") + section,
    )


def bench(rows, out, cli=None, sandbox_binary=None, unpaced=True):
    """Runs the bulk section with `rows` rows and writes it into `out`; returns the section."""
    cli = cli or TARGET / "release" / "cloud-elements"
    sandbox = Sandbox(sandbox_binary or TARGET / "release" / "cloud-elements-sandbox")
    try:
        with tempfile.TemporaryDirectory(prefix="cloud-elements-bulk-") as directory:
            runs = [run_bulk(cli, sandbox, directory, rows, c) for c in CONCURRENCY]
            small = run_bulk(cli, sandbox, directory, max(1, rows // 5), 32)
            limited = run_bulk(cli, sandbox, directory, rows, 32, rate_limit=RATE, rate=RATE)
            free = run_bulk(cli, sandbox, directory, rows, 32, rate_limit=RATE) if unpaced else None
    finally:
        sandbox.stop()
    section = report(rows, runs, small, limited, free)
    write_report(out, section)
    return section


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="50 rows, results to a temporary file")
    parser.add_argument("--rows", type=int)
    parser.add_argument("--out")
    args = parser.parse_args()
    rows = args.rows or (50 if args.smoke else 10_000)
    out = args.out or (
        tempfile.NamedTemporaryFile(prefix="bench-bulk-", suffix=".md", delete=False).name
        if args.smoke
        else str(ROOT / "build" / "bench" / "RESULTS-bulk.md")
    )
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    if os.environ.get("BULK_NO_BUILD") != "1":
        build()
    section = bench(rows, out)
    print(section.replace(BEGIN + "\n", "").replace(END + "\n", ""))
    log(f"results written to {out}")


if __name__ == "__main__":
    main()
