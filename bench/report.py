"""The Markdown report of `make bench` (bench/run.py): the machine, the medians and ratios, the
verdicts against the targets, and writing it between the markers of RESULTS.md."""

import datetime
import os
import platform
import re
import statistics
from pathlib import Path

from common import BEGIN, CONTENDERS, END, LABELS, MAX_SO_BYTES, ROOT, THREADS, output, write_between

def machine():
    lscpu = output(["lscpu"])
    model = re.search(r"Model name:\s*(.+)", lscpu)
    hypervisor = re.search(r"Hypervisor vendor:\s*(.+)", lscpu)
    memory = re.search(r"MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text())
    return ", ".join(
        part
        for part in [
            model.group(1).strip() if model else platform.processor(),
            f"{os.cpu_count()} CPUs (nproc {output(['nproc'])})",
            f"{int(memory.group(1)) // 1024 // 1024} GiB" if memory else "",
            f"{hypervisor.group(1).strip()} guest" if hypervisor else "",
            f"Linux {platform.release()}",
        ]
        if part
    )


def versions(paths):
    requests_version = output([paths["python"], "-c", "import requests; print(requests.__version__)"])
    return {
        "rustc": output(["rustc", "--version"]),
        "cc": output(["cc", "--version"]).splitlines()[0] if output(["cc", "--version"]) else "",
        "python": output([paths["python"], "--version"]),
        "requests": requests_version,
        "curl": output(["curl", "--version"]).splitlines()[0],
    }


def git_commit():
    commit = output(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
    dirty = output(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"])
    return commit + (" + uncommitted changes" if dirty else "")


def med(values):
    return statistics.median(values)


def fmt_ratio(value):
    return f"{value:.2f}×" if value < 10 else f"{value:.1f}×"


def verdict(ok):
    return "**met**" if ok else "**missed**"


# Below this, page-sized RSS steps swamp a per-create growth of a few bytes.
MIN_MEMORY_N = 20_000


def report(settings, results, threads, memory, so_sizes, instructions, paths, loads):
    n = settings["n"]
    cpu = {name: med([r["cpu_s"] for r in results[name]]) / n * 1e6 for name in CONTENDERS}
    user = {name: med([r["user_s"] for r in results[name]]) / n * 1e6 for name in CONTENDERS}
    sys_ = {name: med([r["sys_s"] for r in results[name]]) / n * 1e6 for name in CONTENDERS}
    # A wall time can only come out at or below zero for curl on a tiny N (a difference of two runs).
    rate = {name: med([n / r["wall_s"] if r["wall_s"] > 0 else 0.0 for r in results[name]]) for name in CONTENDERS}
    server = {name: med([r["server_cpu_s"] for r in results[name]]) * 1e6 for name in CONTENDERS}
    spread = {
        name: (min(r["cpu_s"] for r in results[name]) / n * 1e6, max(r["cpu_s"] for r in results[name]) / n * 1e6)
        for name in CONTENDERS
    }
    v = versions(paths)
    lines = [
        BEGIN,
        "",
        f"- **Date**: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- **Machine**: {machine()}; load average {loads[0]} at the start, {loads[1]} at the end "
        "(other builds share this machine)",
        f"- **Commit**: {git_commit()}; {v['rustc']}; {v['cc']}; {v['python']}, requests {v['requests']}; "
        f"{v['curl'].split(' (')[0]}",
        f"- **N** = {n} creates per contender and repeat, over one kept-alive connection (checked with the "
        f"sandbox's connection count); **{settings['repeats']} repeats**, contenders interleaved; medians below. "
        f"Warm-up of {settings['warmup']} creates before each timed loop.",
        (
            f"- The one-connection contenders and the sandbox run pinned to CPU {settings['pinned_cpu']} (PIN=1): "
            "they take turns, and on one CPU a request wakes the other side without an inter-processor interrupt, "
            "which in this VM would add several µs of hypervisor time per request to whichever side sends. The "
            "threads run unpinned."
            if settings["pinned_cpu"] is not None
            else "- Nothing is pinned (PIN=0): client and sandbox may run on different CPUs."
        ),
        "- CPU = user + sys of the client process around the timed loop (getrusage); the sandbox is a separate "
        "process and its CPU is not counted. curl: rusage of a process sending N + warm-up requests minus one "
        "sending the warm-up only. The last column is the sandbox's own CPU per request during that contender's "
        "runs (from /proc, clock ticks), for information.",
        "",
        "### Cost per create",
        "",
        "| contender | CPU µs/create (median) | user | sys | min–max | creates/s | × floor | × curl | × requests "
        "| sandbox CPU µs/request |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in CONTENDERS:
        lines.append(
            f"| {LABELS[name]} | {cpu[name]:.1f} | {user[name]:.1f} | {sys_[name]:.1f} | "
            f"{spread[name][0]:.1f}–{spread[name][1]:.1f} | {rate[name]:,.0f} | "
            + " | ".join(fmt_ratio(cpu[name] / cpu[other]) for other in ("floor", "curl", "requests"))
            + f" | {server[name]:.0f} |"
        )

    one, eight = med([n / r["wall_s"] for r in threads[1]]), med([n / r["wall_s"] for r in threads[8]])
    lines += [
        "",
        "### Threads sharing one Rust client",
        "",
        f"N = {n} creates in all, split between the threads; one `&Client` shared by all of them; each thread warms "
        "up its own pooled connection first.",
        "",
        "| threads | creates/s (median) | × 1 thread | client CPU µs/create |",
        "| ---: | ---: | ---: | ---: |",
    ]
    for t in THREADS:
        r = med([n / x["wall_s"] for x in threads[t]])
        c = med([x["cpu_s"] for x in threads[t]]) / n * 1e6
        lines.append(f"| {t} | {r:,.0f} | {fmt_ratio(r / one)} | {c:.1f} |")

    lines += [
        "",
        f"### Resident memory over {settings['memory_n']:,} creates",
        "",
        f"RSS (VmRSS) of the client process after a warm-up of {settings['memory_warmup']:,} creates and after "
        f"{settings['memory_n']:,} more. Flat means less than 8 bytes per create (a leak of one small allocation "
        "per create would show as 16 or more).",
        "",
        "| contender | RSS before (KiB) | RSS after (KiB) | growth (KiB) | bytes per create |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, m in memory.items():
        growth = m["rss_after_kib"] - m["rss_before_kib"]
        lines.append(
            f"| {LABELS[name]} | {m['rss_before_kib']:,} | {m['rss_after_kib']:,} | {growth:,} | "
            f"{growth * 1024 / settings['memory_n']:.2f} |"
        )
    lines += [
        "",
        "### Shared library",
        "",
        f"`libcloud_elements.so` (release profile): {so_sizes[0]:,} bytes as built, **{so_sizes[1]:,} bytes "
        f"stripped** ({so_sizes[1] / 1e6:.2f} MB).",
    ]
    if instructions:
        n1, n2 = settings["callgrind_n"]
        lines += [
            "",
            "### Instructions per create (callgrind)",
            "",
            f"User-space instructions per create, (Ir({n2}) − Ir({n1})) / {n2 - n1}, where Ir(k) counts a whole run "
            "of k creates: independent of the machine's load, but "
            "blind to the kernel (the floor's cost is almost all system calls).",
            "",
            "| contender | instructions/create | × floor | × curl | × requests |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for name, ir in instructions.items():
            cells = [
                fmt_ratio(ir / instructions[other]) if other in instructions else "–"
                for other in ("floor", "curl", "requests")
            ]
            lines.append(f"| {LABELS[name]} | {ir:,.0f} | {' | '.join(cells)} |")

    targets = [
        ("Rust: CPU/create ≤ 1.5× the floor", cpu["rust"] / cpu["floor"], 1.5),
        ("Rust: CPU/create ≤ 0.3× curl", cpu["rust"] / cpu["curl"], 0.3),
        ("C: CPU/create ≤ 1.5× the floor", cpu["c"] / cpu["floor"], 1.5),
        ("C: CPU/create ≤ 0.3× curl", cpu["c"] / cpu["curl"], 0.3),
        ("Python module: CPU/create ≤ 0.1× requests.Session", cpu["python"] / cpu["requests"], 0.1),
    ]
    lines += [
        "",
        "### Targets",
        "",
        "| target | measured | verdict |",
        "| --- | ---: | --- |",
    ]
    for label, value, limit in targets:
        lines.append(f"| {label} | {value:.2f}× | {verdict(value <= limit)} |")
    lines.append(f"| 8 threads ≥ 1.8× the creates/s of 1 thread | {eight / one:.2f}× | {verdict(eight / one >= 1.8)} |")
    for name, m in memory.items():
        growth = (m["rss_after_kib"] - m["rss_before_kib"]) * 1024 / settings["memory_n"]
        judged = verdict(growth < 8)
        if settings["memory_n"] < MIN_MEMORY_N:
            judged = f"not judged (MEMORY_N < {MIN_MEMORY_N:,})"
        lines.append(
            f"| memory flat over {settings['memory_n']:,} creates ({name}; < 8 bytes per create) | "
            f"{growth:.2f} B/create | {judged} |"
        )
    lines.append(
        f"| stripped shared library ≤ 3 MB | {so_sizes[1] / 1e6:.2f} MB | {verdict(so_sizes[1] <= MAX_SO_BYTES)} |"
    )
    lines += ["", END]
    return "\n".join(lines) + "\n"


def write_report(path, section):
    write_between(
        path,
        section,
        BEGIN,
        END,
        lambda old, section: (
            "# Benchmark results\n\nWritten by `make bench` (bench/run.py); the section between the markers is "
            "regenerated on every run.\n\n" + section + old
        ),
    )
