#!/usr/bin/env python3
"""The parity test: every verb and setting of the Rust ``Client`` on every surface.

Reads the one list, ``bindings/parity.json``, and checks:

1. Rust: the list names every ``pub fn`` of every ``impl Client`` and ``impl ClientBuilder`` block
   in ``src/`` (``src/python`` excluded), and every ``pub fn`` of ``src/oauth/``, each as a verb,
   a setting or a function, or as a ``not_*`` entry with its reason; and each name it gives exists.
   A verb added in Rust and forgotten in the list fails here.
2. C: each C function is declared in ``include/cloud_elements.h``.
3. C++: each member is in the class (``Client`` unless named) in ``bindings/cpp/``; ``::name``
   is a free function of the namespace.
4. Python: each method exists on ``cloud_elements.Client`` and as a coroutine function on
   ``cloud_elements.AsyncClient``; each setting is a keyword argument of both; ``method(kw=)``
   is a keyword argument of that method on both; a function is a module function. Run it with the
   interpreter that has the package installed (``.venv/bin/python``), or pass ``--no-python``.

A verb missing on a surface fails, whatever the entry says of it: only ``none`` (a counterpart that
cannot exist on that surface, with the reason) excuses it. Exits 1 on any failure, printing every
one; 0 otherwise.

Usage: python scripts/parity.py [--no-python]
"""

import inspect
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIST = ROOT / "bindings" / "parity.json"
HEADER = ROOT / "include" / "cloud_elements.h"
CPP_DIR = ROOT / "bindings" / "cpp"

failures: list[str] = []


def fail(message: str) -> None:
    failures.append(message)


def rust_pub_fns(impl: str) -> set[str]:
    """The `pub fn` names of every `impl <impl> {` block in src/ (rustfmt layout: the block ends
    at the first `}` in column 0; its methods are indented 4 spaces)."""
    names: set[str] = set()
    for path in sorted((ROOT / "src").rglob("*.rs")):
        if "python" in path.relative_to(ROOT / "src").parts:
            continue
        inside = False
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith(f"impl {impl} {{"):
                inside = True
            elif inside and line.startswith("}"):
                inside = False
            elif inside:
                match = re.match(r"    pub fn (\w+)", line)
                if match:
                    names.add(match.group(1))
    return names


def rust_free_fns(folder: str) -> set[str]:
    """The top-level `pub fn` names in src/<folder>/, as `<folder>::name`."""
    names = set()
    for path in sorted((ROOT / "src" / folder).rglob("*.rs")):
        for match in re.finditer(r"^pub fn (\w+)", path.read_text(encoding="utf-8"), re.M):
            names.add(f"{folder}::{match.group(1)}")
    return names


def check_rust(entries: dict) -> None:
    for impl, listed, excluded in [
        ("Client", entries["verbs"], entries["not_verbs"]),
        ("ClientBuilder", entries["settings"], entries["not_settings"]),
    ]:
        actual = rust_pub_fns(impl)
        if not actual:
            fail(f"Rust: found no `impl {impl}` with a `pub fn` in src/ (has the layout changed?)")
            continue
        named = {entry["rust"] for entry in listed} | set(excluded)
        for name in sorted(actual - named):
            fail(f"Rust: `{impl}::{name}` is public but not in bindings/parity.json: add it with its C, C++ and "
                 "Python names (or to not_verbs/not_settings with the reason)")
        for name in sorted(named - actual):
            fail(f"Rust: bindings/parity.json names `{impl}::{name}`, which is not a `pub fn` of `impl {impl}`")
    functions = rust_free_fns("oauth")
    listed = {entry["rust"] for entry in entries["functions"]}
    for name in sorted(functions - listed):
        fail(f"Rust: `{name}` is public but not in bindings/parity.json's functions")
    for name in sorted(listed - functions):
        fail(f"Rust: bindings/parity.json names `{name}`, which is not a `pub fn` in src/")


def check_c(entries: list) -> None:
    header = HEADER.read_text(encoding="utf-8")
    for entry in entries:
        for function in entry.get("c") or []:
            if not re.search(rf"\b{re.escape(function)}\s*\(", header):
                fail(f"C: `{function}` (for Rust `{entry['rust']}`) is not declared in include/cloud_elements.h")


def cpp_bodies() -> tuple[dict[str, str], str]:
    """The body of every class and struct in bindings/cpp (to its `};` in column 0), and all text."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(CPP_DIR.rglob("*.hpp")))
    bodies: dict[str, str] = {}
    for match in re.finditer(r"^(?:class|struct) (\w+)[^;{]*\{\n(.*?)^\};", text, re.M | re.S):
        bodies[match.group(1)] = bodies.get(match.group(1), "") + match.group(2)
    return bodies, text


def check_cpp(entries: list) -> None:
    bodies, text = cpp_bodies()
    for entry in entries:
        name = entry.get("cpp")
        if name is None:
            continue
        if name.startswith("::"):
            if not re.search(rf"^inline [^\n(]*\b{re.escape(name[2:])}\(", text, re.M):
                fail(f"C++: no free function `cloud_elements::{name[2:]}` (for Rust `{entry['rust']}`)")
            continue
        cls, _, member = name.rpartition("::")
        cls = cls or "Client"
        if cls not in bodies:
            fail(f"C++: no class `{cls}` in bindings/cpp (for Rust `{entry['rust']}`)")
        elif not re.search(rf"\b{re.escape(member)}\b", bodies[cls]):
            fail(f"C++: `{cls}` has no member `{member}` (for Rust `{entry['rust']}`)")


def parameters(function) -> set[str]:
    """The parameter names of `function`, or an empty set when its signature cannot be read."""
    try:
        names = set(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        return set()
    # `(*args, **kwargs)`: the generic signature of a native constructor, which says nothing.
    return set() if names <= {"args", "kwargs", "self", "cls"} else names


def stub_parameters(module, cls_name: str, function: str) -> set[str]:
    """The parameter names of `cls_name.function` in the package's stubs (`_native.pyi`, which
    stubtest keeps equal to the module), for native functions whose signature cannot be read."""
    stub = Path(module.__file__).parent / "_native.pyi"
    if not stub.is_file():
        return set()
    import ast

    for node in ast.parse(stub.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ClassDef) and node.name == cls_name:
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == function:
                    args = item.args
                    return {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
    return set()


def check_python(entries: dict) -> None:
    try:
        import cloud_elements as ce
    except ImportError as e:
        fail(f"Python: cannot import cloud_elements ({e}); run with the venv's python, or pass --no-python")
        return
    sync, asynchronous = ce.Client, ce.AsyncClient

    def method(cls_name: str, cls, name: str, coroutine: bool):
        found = getattr(cls, name, None)
        if found is None or not callable(found):
            fail(f"Python: `cloud_elements.{cls_name}` has no method `{name}`")
            return None
        if coroutine and not inspect.iscoroutinefunction(found):
            fail(f"Python: `cloud_elements.{cls_name}.{name}` is not a coroutine function")
        return found

    for entry in entries["verbs"] + entries["request_options"]:
        name = entry.get("python")
        if name is None:
            continue
        base, _, keyword = name.partition("(")
        keyword = keyword.rstrip("=)")
        # A verb without I/O (`"io": false`) is a plain method on AsyncClient too.
        io = entry.get("io", True)
        for cls_name, cls, coroutine in [("Client", sync, False), ("AsyncClient", asynchronous, io)]:
            found = method(cls_name, cls, base, coroutine)
            known = parameters(found) or stub_parameters(ce._native, cls_name, base) if found is not None else set()
            if found is not None and keyword and keyword not in known:
                fail(f"Python: `cloud_elements.{cls_name}.{base}` has no keyword argument `{keyword}`")
    sync_options = parameters(sync) or stub_parameters(ce._native, "Client", "__new__")
    async_options = parameters(asynchronous.__init__)
    for entry in entries["settings"]:
        name = entry.get("python")
        if name is None:
            continue
        for cls_name, options in [("Client", sync_options), ("AsyncClient", async_options)]:
            if not options:
                fail(f"Python: the signature of `cloud_elements.{cls_name}` cannot be read")
            elif name not in options:
                fail(f"Python: `cloud_elements.{cls_name}(...)` has no keyword argument `{name}=`")
    for entry in entries["functions"]:
        name = entry.get("python")
        if name is not None and not callable(getattr(ce, name, None)):
            fail(f"Python: no module function `cloud_elements.{name}`")


def check_list(entries: dict) -> None:
    for group in ["verbs", "settings", "request_options", "functions"]:
        for entry in entries[group]:
            for surface in ["c", "cpp", "python"]:
                if entry.get(surface) is None or entry.get(surface) == []:
                    gap = (entry.get("gap") or {}).get(surface)
                    why = (entry.get("none") or {}).get(surface)
                    if gap:
                        fail(f"`{entry['rust']}` is missing on {surface}: {gap}")
                    elif not why:
                        fail(f"bindings/parity.json: `{entry['rust']}` has no {surface} name, and no `none` reason")


def main() -> int:
    with_python = "--no-python" not in sys.argv[1:]
    entries = json.loads(LIST.read_text(encoding="utf-8"))
    check_list(entries)
    check_rust(entries)
    every = entries["verbs"] + entries["settings"] + entries["request_options"] + entries["functions"]
    check_c(every)
    check_cpp(every)
    if with_python:
        check_python(entries)
    if failures:
        for failure in failures:
            print(f"FAIL {failure}", file=sys.stderr)
        print(f"parity: {len(failures)} failure(s)", file=sys.stderr)
        return 1
    checked = "Rust, C, C++" + (" and Python" if with_python else " (Python not checked: --no-python)")
    print(f"parity: {len(every)} entries on {checked}: all present")
    return 0


if __name__ == "__main__":
    sys.exit(main())
