"""Building what `make bench` runs: the tools it needs, the release profile, the contenders."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from common import BENCH, BUILD, ROOT, TARGET, log

def run(cmd, **kwargs):
    """Runs a build or setup step, failing loudly."""
    log("$ " + " ".join(str(c) for c in cmd))
    subprocess.run([str(c) for c in cmd], check=True, cwd=kwargs.pop("cwd", ROOT), **kwargs)


# ---------------------------------------------------------------------------------------- tools


def apt_install(packages):
    if os.geteuid() != 0:
        sys.exit(f"bench: missing {', '.join(packages)}; install them (apt-get install {' '.join(packages)})")
    run(["apt-get", "update", "-q"])
    run(["apt-get", "install", "-y", "-q", *packages], env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


def ensure_tools(callgrind):
    """cc, curl and strip through apt when missing (root needed); the venv with maturin and requests."""
    wanted = {"cc": "gcc", "curl": "curl", "strip": "binutils"}
    if callgrind:
        wanted["valgrind"] = "valgrind"
    missing = sorted({package for tool, package in wanted.items() if shutil.which(tool) is None})
    if missing:
        apt_install(missing)
    if os.environ.get("BENCH_PYTHON"):
        # An interpreter whose environment already has the module (the test suite's .venv).
        python = Path(os.environ["BENCH_PYTHON"]).absolute()
        run([python, "-m", "pip", "install", "-q", "requests"])
        return python
    venv = BUILD / "venv"
    python = venv / "bin" / "python"
    if not python.exists() or subprocess.run([python, "-c", "import pip"], capture_output=True).returncode != 0:
        shutil.rmtree(venv, ignore_errors=True)
        if subprocess.run([sys.executable, "-m", "venv", venv]).returncode != 0:
            # Debian's python3 has venv without ensurepip until python3-venv is installed.
            shutil.rmtree(venv, ignore_errors=True)
            apt_install(["python3-venv"])
            run([sys.executable, "-m", "venv", venv])
    run([python, "-m", "pip", "install", "-q", "maturin>=1.9,<2", "requests"])
    return python


def release_profile():
    """The root Cargo.toml's [profile.release] entries, as `--config` arguments for bench/rust.

    An entry overridden in the environment (CARGO_PROFILE_RELEASE_LTO=false, as the test suite sets
    for its quick builds) is left to that override, as cargo does for the root workspace."""
    args, inside = [], False
    for line in (ROOT / "Cargo.toml").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("["):
            inside = line == "[profile.release]"
        elif inside and "=" in line:
            key, value = (part.strip() for part in line.split("=", 1))
            if "CARGO_PROFILE_RELEASE_" + key.upper().replace("-", "_") not in os.environ:
                args += ["--config", f"profile.release.{key}={value}"]
    return args


def build(python):
    """Builds every contender; returns the paths the measurements run."""
    BUILD.mkdir(parents=True, exist_ok=True)
    prefix = BUILD / "prefix"
    # The C library (with its SONAME) exactly as users install it, and the sandbox binary.
    run(["make", "-s", "install", f"PREFIX={prefix}"])
    run(["cargo", "build", "-q", "--release", "-p", "cloud-elements-sandbox", "--bin", "cloud-elements-sandbox"])
    # The command, for the bulk section (bench/bulk.py).
    run(["cargo", "build", "-q", "--release", "-p", "cloud-elements-cli", "--bin", "cloud-elements"])
    # bench/rust resolves to the library's own dependency versions and compiles them as it does.
    shutil.copyfile(ROOT / "Cargo.lock", BENCH / "rust" / "Cargo.lock")
    # BENCH_RUST_TARGET_DIR: the test suite shares its target directory, to reuse compiled crates.
    rust_target = Path(os.environ.get("BENCH_RUST_TARGET_DIR") or BUILD / "target-rust").absolute()
    run(
        ["cargo", "build", "-q", "--release", "--manifest-path", BENCH / "rust" / "Cargo.toml"]
        + ["--target-dir", rust_target]
        + release_profile()
    )
    cflags = ["-std=c11", "-O2", "-Wall", "-Wextra", "-Werror"]
    run(
        ["cc", *cflags, BENCH / "c" / "bench_c.c", f"-I{prefix}/include", f"-L{prefix}/lib", "-lcloud_elements"]
        + ["-pthread", f"-Wl,-rpath,{prefix}/lib", "-o", BUILD / "bench_c"]
    )
    run(["cc", *cflags, BENCH / "c" / "floor.c", "-o", BUILD / "floor"])
    # The module, built as scripts/test-python.sh does, in a target directory of its own: a build
    # with feature `python` must not replace target/release/libcloud_elements.so.
    if not os.environ.get("BENCH_PYTHON"):
        wheels = BUILD / "wheel"
        shutil.rmtree(wheels, ignore_errors=True)
        run(
            [python.parent / "maturin", "build", "-q", "--release", "--interpreter", python, "--out", wheels],
            env={**os.environ, "CARGO_TARGET_DIR": str(BUILD / "target-python")},
        )
        run([python, "-m", "pip", "install", "-q", "--force-reinstall", "--no-deps", *sorted(wheels.glob("*.whl"))])
    return {
        "sandbox": TARGET / "release" / "cloud-elements-sandbox",
        "cli": TARGET / "release" / "cloud-elements",
        "rust": rust_target / "release" / "cloud-elements-bench",
        "c": BUILD / "bench_c",
        "floor": BUILD / "floor",
        "python": python,
        "so": TARGET / "release" / "libcloud_elements.so",
    }
