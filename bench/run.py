#!/usr/bin/env python3
"""`make bench`: the client's own cost per created instance, against the peers and the floor.

Builds everything it runs (the C library and the sandbox with cargo, the Rust contender in
bench/rust, the C contender and the floor with cc, the Python module with maturin into a venv
under build/bench that also gets `requests`), starts the release sandbox in its own process, and
measures, for N Close.io creates over one kept-alive connection per contender, the contender's own
CPU time (user + sys of the client process, around the timed loop only) and its creates per
second. Every measurement is repeated REPEATS times (the contenders interleaved) and the medians
and ratios come from that one run. It also measures creates per second from 1, 2, 4 and 8 threads
sharing one Rust client, resident memory before and after MEMORY_N creates, the stripped shared
library's size, and (CALLGRIND=1) user-space instructions per create under callgrind, which do not
depend on the machine's load.

Settings come from the environment (or the flags). BENCH_PYTHON names an interpreter that already
has the module installed (no venv, no wheel built; the test suite passes its .venv), and
BENCH_RUST_TARGET_DIR the Rust contender's target directory (default build/bench/target-rust).
Also: N (20000), REPEATS (5), MEMORY_N (5 N, so
100000), CALLGRIND (1 when N >= 1000), PIN (1: one-connection contenders share a CPU with the
sandbox), OUT (bench/RESULTS.md for a full run, N >= 20000 and REPEATS >= 5; build/bench/RESULTS.md
otherwise). `--smoke` is N=50 REPEATS=1 (so MEMORY_N=250, no callgrind) with the results in a
temporary file. Only the part of OUT between the `bench:begin` and `bench:end` markers is
rewritten; the rest (the findings) is kept.

Then the bulk section (bench/bulk.py, between its own `bench-bulk:` markers in the same OUT):
`cloud-elements bulk create` of BULK_ROWS rows (10000; 50 with `--smoke`) against the sandbox
with 50 ms latency at concurrency 8, 32 and 64, and against a rate limit of 200 creates/s.
BULK=0 skips it.
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

from build import build, ensure_tools
from common import BEGIN, BENCH, BODY, BUILD, CONTENDERS, END, ORG_SECRET, THREADS, USER_SECRET, log
from report import report, write_report

# The CPU that one-connection contenders and the sandbox share (see `pinned`), or None.
PIN_CPU = None


def pinned():
    """For subprocess' preexec_fn: runs the child on PIN_CPU, if pinning is on.

    One client on one connection and the sandbox take turns, never run at once. On the same CPU
    a request wakes the sandbox without an inter-processor interrupt; on two CPUs every request and
    every answer sends one, which in a VM (an idle vCPU halts) costs the sender several µs of system
    time that depends on the host, not on the client. Pinning both to one CPU measures the client.
    """
    if PIN_CPU is not None:
        os.sched_setaffinity(0, {PIN_CPU})


# -------------------------------------------------------------------------------------- sandbox


class Sandbox:
    """The release sandbox binary in its own process (its CPU is never counted)."""

    def __init__(self, binary):
        self.process = subprocess.Popen(
            [binary, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, preexec_fn=pinned
        )
        first = self.process.stdout.readline()
        match = re.match(r"cloud-elements sandbox listening on (http://([^/:]+):(\d+)\S*)", first)
        if not match:
            self.stop()
            sys.exit(f"bench: the sandbox did not start: {first!r}")
        self.url, self.host, self.port = match.group(1), match.group(2), int(match.group(3))

    def control(self, method, path):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            conn.request(method, "/_sandbox" + path)
            response = conn.getresponse()
            body = response.read()
            if response.status != 200:
                sys.exit(f"bench: {method} /_sandbox{path}: HTTP {response.status}")
            return json.loads(body)
        finally:
            conn.close()

    def reset(self):
        self.control("POST", "/reset")

    def cpu_seconds(self):
        """The sandbox process's CPU time so far (user + sys, clock-tick resolution)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def check(self, what, requests, max_connections=1):
        """The contender sent `requests` API requests over at most `max_connections` connections."""
        seen = self.control("GET", "/requests")
        # This query's own connection is counted too.
        connections = seen["connections"] - 1
        if seen["count"] != requests or not 1 <= connections <= max_connections:
            sys.exit(
                f"bench: {what}: the sandbox saw {seen['count']} requests over {connections} connections, "
                f"expected {requests} over at most {max_connections}"
            )

    def set_cpus(self, cpus):
        """Moves every sandbox thread (and so the connection threads they start) to `cpus`."""
        for task in Path(f"/proc/{self.process.pid}/task").iterdir():
            try:
                os.sched_setaffinity(int(task.name), cpus)
            except ProcessLookupError:
                pass

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


# ---------------------------------------------------------------------------------- contenders


def contender_command(name, paths, mode, n, warmup):
    if name == "rust":
        return [paths["rust"], mode, n, warmup]
    if name == "c":
        return [paths["c"], mode, n, warmup]
    if name == "floor":
        return [paths["floor"], n, warmup]
    if name in ("python", "requests"):
        kind = "module" if name == "python" else "requests"
        return [paths["python"], BENCH / "python" / "contender.py", kind, mode, n, warmup]
    raise ValueError(name)


def measure_json(cmd, env, pin=True):
    """Runs a contender that prints one JSON line with its own measurements."""
    preexec = pinned if pin else None
    result = subprocess.run([str(c) for c in cmd], env=env, capture_output=True, text=True, preexec_fn=preexec)
    if result.returncode != 0:
        sys.exit(f"bench: {' '.join(str(c) for c in cmd[:3])} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def curl_config(sandbox, count, directory):
    """A curl config with `count` transfers; it holds the secrets, so it is private and temporary."""
    path = Path(directory) / f"curl-{count}.cfg"
    if path.exists():
        return path
    quoted = BODY.replace("\\", "\\\\").replace('"', '\\"')
    entry = (
        f'url = "{sandbox.url}/instances"\n'
        f'header = "Authorization: User {USER_SECRET}, Organization {ORG_SECRET}"\n'
        'header = "Content-Type: application/json"\n'
        'header = "Accept: application/json"\n'
        f'data-binary = "{quoted}"\n'
        'output = "/dev/null"\n'
        "fail\n"
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("next\n".join([entry] * count))
    return path


def run_curl(sandbox, count, directory, env):
    """One curl process sending `count` requests; its rusage and wall time, start-up included."""
    config = curl_config(sandbox, count, directory)
    start = time.perf_counter()
    process = subprocess.Popen(
        ["curl", "--keepalive", "--silent", "--show-error", "--fail-early", "--config", config],
        env=env,
        preexec_fn=pinned,
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit(f"bench: curl failed with status {process.returncode}")
    return usage.ru_utime + usage.ru_stime, usage.ru_utime, usage.ru_stime, wall


def measure(name, paths, sandbox, n, warmup, env, directory):
    """One measurement of N creates: {"cpu_s", "user_s", "sys_s", "wall_s", "server_cpu_s"}.

    `server_cpu_s` is the sandbox's CPU per request over the whole run (warm-up included), for
    information: it is not the contender's cost.
    """
    sandbox.reset()
    server_before = sandbox.cpu_seconds()
    if name != "curl":
        result = measure_json(contender_command(name, paths, "create", n, warmup), env)
        result["server_cpu_s"] = (sandbox.cpu_seconds() - server_before) / (n + warmup)
        sandbox.check(name, n + warmup)
        return result
    # curl cannot be timed from inside: the difference between a process sending WARMUP requests
    # and one sending N + WARMUP is what N requests cost, without start-up or the first requests.
    base = run_curl(sandbox, warmup, directory, env)
    sandbox.check("curl", warmup)
    sandbox.reset()
    full = run_curl(sandbox, n + warmup, directory, env)
    server = (sandbox.cpu_seconds() - server_before) / (n + 2 * warmup)
    sandbox.check("curl", n + warmup)
    cpu, user, sys_, wall = (f - b for f, b in zip(full, base))
    return {"n": n, "cpu_s": cpu, "user_s": user, "sys_s": sys_, "wall_s": wall, "server_cpu_s": server}


def callgrind_instructions(cmd, env):
    """User-space instructions the command executes (callgrind's `Collected`)."""
    result = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *[str(c) for c in cmd]],
        env=env,
        capture_output=True,
        text=True,
    )
    match = re.search(r"Collected\s*:\s*(\d+)", result.stderr)
    if result.returncode != 0 or not match:
        sys.exit(f"bench: callgrind of {' '.join(str(c) for c in cmd[:3])} failed:\n{result.stderr[-2000:]}")
    return int(match.group(1))


def callgrind_per_create(name, paths, sandbox, n1, n2, env, directory):
    """(Ir(n2) - Ir(n1)) / (n2 - n1): start-up and warm-up cancel out."""
    counts = []
    for n in (n1, n2):
        sandbox.reset()
        if name == "curl":
            cmd = ["curl", "--silent", "--show-error", "--fail-early", "--config", curl_config(sandbox, n, directory)]
        else:
            cmd = contender_command(name, paths, "create", n, 0)
        counts.append(callgrind_instructions(cmd, env))
        sandbox.check(name, n)
    return (counts[1] - counts[0]) / (n2 - n1)


# ------------------------------------------------------------------------------------- report


# --------------------------------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    env_int = lambda name, default: int(os.environ.get(name) or default)  # noqa: E731
    parser.add_argument("--smoke", action="store_true", help="N=50 REPEATS=1, results to a temporary file")
    parser.add_argument("--n", type=int)
    parser.add_argument("--repeats", type=int)
    parser.add_argument("--memory-n", type=int)
    parser.add_argument("--callgrind", type=int, choices=[0, 1])
    parser.add_argument("--out")
    args = parser.parse_args()
    smoke = args.smoke
    n = args.n or env_int("N", 50 if smoke else 20000)
    repeats = args.repeats or env_int("REPEATS", 1 if smoke else 5)
    memory_n = args.memory_n or env_int("MEMORY_N", 5 * n)
    callgrind = args.callgrind if args.callgrind is not None else env_int("CALLGRIND", int(n >= 1000))
    # Only a full run (N >= 20000, REPEATS >= 5) replaces the committed bench/RESULTS.md.
    out = args.out or os.environ.get("OUT")
    if out is None and smoke:
        out = tempfile.NamedTemporaryFile(prefix="bench-results-", suffix=".md", delete=False).name
    elif out is None:
        out = str(BENCH / "RESULTS.md" if n >= 20000 and repeats >= 5 else BUILD / "RESULTS.md")
    if n < 1 or repeats < 1 or memory_n < 1:
        sys.exit("bench: N, REPEATS and MEMORY_N must be positive")
    warmup = max(1, min(500, n // 10))
    # Under callgrind (about 50 times slower): Ir(n1) and Ir(n2) creates, start-up cancels out.
    callgrind_n = (max(2, n // 100), max(2, n // 100) + max(10, n // 20))
    settings = {
        "n": n,
        "repeats": repeats,
        "memory_n": memory_n,
        "memory_warmup": max(1, min(5000, memory_n // 10)),
        "warmup": warmup,
        "callgrind_n": callgrind_n,
    }

    global PIN_CPU
    cpus = os.sched_getaffinity(0)
    PIN_CPU = max(cpus) if env_int("PIN", 1) and len(cpus) > 1 else None
    settings["pinned_cpu"] = PIN_CPU

    python = ensure_tools(callgrind)
    paths = build(python)

    env = {
        key: value
        for key, value in os.environ.items()
        if key.lower() not in ("http_proxy", "https_proxy", "all_proxy") and not key.startswith("CLOUD_ELEMENTS_")
    }
    sandbox = Sandbox(paths["sandbox"])
    env.update(
        CLOUD_ELEMENTS_BASE_URL=sandbox.url,
        CLOUD_ELEMENTS_USER_SECRET=USER_SECRET,
        CLOUD_ELEMENTS_ORG_SECRET=ORG_SECRET,
        NO_PROXY="127.0.0.1,localhost",
    )
    loads = [" / ".join(f"{x:.2f}" for x in os.getloadavg())]
    results = {name: [] for name in CONTENDERS}
    threads = {t: [] for t in THREADS}
    memory, instructions = {}, {}
    try:
        with tempfile.TemporaryDirectory(prefix="cloud-elements-bench-") as directory:
            for repeat in range(1, repeats + 1):
                for name in CONTENDERS:
                    result = measure(name, paths, sandbox, n, warmup, env, directory)
                    results[name].append(result)
                    rate = f"{n / result['wall_s']:9,.0f}" if result["wall_s"] > 0 else "n/a"
                    cpu = result["cpu_s"] / n * 1e6
                    log(f"repeat {repeat}/{repeats} {name:>8}: {cpu:8.1f} µs CPU/create, {rate} creates/s")
                # Threads need both CPUs, and so does the sandbox serving them.
                sandbox.set_cpus(os.sched_getaffinity(0))
                for t in THREADS:
                    sandbox.reset()
                    result = measure_json([paths["rust"], "threads", t, n, warmup], env, pin=False)
                    sandbox.check(f"{t} threads", n + max(1, warmup // t) * t, max_connections=t)
                    threads[t].append(result)
                    log(f"repeat {repeat}/{repeats} {t} threads: {n / result['wall_s']:9,.0f} creates/s")
                if PIN_CPU is not None:
                    sandbox.set_cpus({PIN_CPU})
            for name in ("rust", "c", "python"):
                sandbox.reset()
                memory_warmup = settings["memory_warmup"]
                memory[name] = measure_json(contender_command(name, paths, "memory", memory_n, memory_warmup), env)
                sandbox.check(f"{name} memory", memory_n + memory_warmup)
                log(f"memory {name}: {memory[name]}")
            if callgrind:
                n1, n2 = settings["callgrind_n"]
                for name in CONTENDERS:
                    instructions[name] = callgrind_per_create(name, paths, sandbox, n1, n2, env, directory)
                    log(f"callgrind {name}: {instructions[name]:,.0f} instructions/create")
    finally:
        sandbox.stop()
    loads.append(" / ".join(f"{x:.2f}" for x in os.getloadavg()))

    stripped = BUILD / "libcloud_elements.stripped.so"
    subprocess.run(["strip", "-o", str(stripped), str(paths["so"])], check=True)
    so_sizes = (paths["so"].stat().st_size, stripped.stat().st_size)

    section = report(settings, results, threads, memory, so_sizes, instructions, paths, loads)
    (BUILD / "results.json").write_text(
        json.dumps(
            {
                "settings": settings,
                "results": results,
                "threads": threads,
                "memory": memory,
                "so_bytes": so_sizes,
                "instructions": instructions,
            },
            indent=1,
        )
    )
    write_report(out, section)
    print(section.replace(BEGIN + "\n", "").replace(END + "\n", ""))
    if env_int("BULK", 1):
        sys.path.insert(0, str(BENCH))
        import bulk

        bulk_rows = env_int("BULK_ROWS", 50 if smoke else 10_000)
        bulk_section = bulk.bench(bulk_rows, out, cli=paths["cli"], sandbox_binary=paths["sandbox"], unpaced=not smoke)
        print(bulk_section.replace(bulk.BEGIN + "\n", "").replace(bulk.END + "\n", ""))
    log(f"results written to {out} (raw numbers in {BUILD / 'results.json'})")


if __name__ == "__main__":
    main()
