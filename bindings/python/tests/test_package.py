"""The package's public surface: what it exports, and that the hand-kept stubs describe it."""

import ast
import doctest
import inspect
import pathlib

import cloud_elements as ce
from cloud_elements import _native

PACKAGE = pathlib.Path(ce.__file__).parent


def stub_names():
    tree = ast.parse((PACKAGE / "_native.pyi").read_text(encoding="utf-8"))
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    # Names the stub re-exports (`from ... import X as X`), e.g. the typed dicts of `_types.py`.
    imported = {
        alias.asname
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if alias.asname == alias.name
    }
    variables = {
        target.id
        for node in tree.body
        if isinstance(node, (ast.Assign, ast.AnnAssign))
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name)
    }
    # Module functions (`receive_oauth_code`) count as variables: names the stub defines.
    variables |= {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    return classes, variables, imported


def test_everything_public_is_re_exported():
    public = {name for name in dir(_native) if not name.startswith("_")} | {"__version__"}
    # TimeoutError is an attribute, not in __all__: a star import must not shadow the built-in.
    # AsyncClient is pure Python (`_async.py`), over the native Client.
    assert set(ce.__all__) == (public - {"TimeoutError"}) | {"AsyncClient"}
    for name in public:
        assert getattr(ce, name) is getattr(_native, name)


def test_star_import_keeps_the_builtin_timeout_error():
    namespace = {}
    exec("from cloud_elements import *", namespace)
    assert "TimeoutError" not in namespace
    assert namespace["ClosedError"] is ce.ClosedError


def test_stubs_describe_the_native_module():
    classes, variables, imported = stub_names()
    public = {name for name in dir(_native) if not name.startswith("_")}
    assert public <= set(classes) | imported | variables, public - set(classes) - imported - variables
    assert "__version__" in variables
    for name, node in classes.items():
        if name not in public:
            continue
        runtime = getattr(_native, name)
        stubbed = {item.name for item in node.body if isinstance(item, ast.FunctionDef)}
        if issubclass(runtime, BaseException):
            # The stub's bases are the runtime's (by name).
            bases = [ast.unparse(base).split(".")[-1] for base in node.bases]
            assert bases == [base.__name__ for base in runtime.__bases__], name
            continue
        actual = {
            member
            for member, value in vars(runtime).items()
            if not member.startswith("_") and (callable(value) or inspect.isdatadescriptor(value))
        }
        # Dunder methods (`__new__`, `__eq__`, ...) are checked by stubtest; here, the public API.
        assert actual == {member for member in stubbed if not member.startswith("_")}, name


def test_exceptions_are_defined_once_in_python():
    from cloud_elements import _errors

    for name in _errors.__all__:
        assert getattr(_native, name) is getattr(_errors, name), name
    assert _native.ConfigurationEntry is ce.ConfigurationEntry


def test_type_information_ships_with_the_package():
    assert (PACKAGE / "py.typed").is_file()
    assert (PACKAGE / "_native.pyi").is_file()


def test_classes_name_the_public_package():
    for cls in (ce.Client, ce.Instance, ce.Sandbox, ce.ApiError, ce.TimeoutError, ce.ClosedError):
        assert cls.__module__ == "cloud_elements"


def test_the_package_docstring_example_runs():
    result = doctest.testmod(ce)
    assert result.attempted > 0 and result.failed == 0
