"""`Sandbox(elements=...)`: element definitions from files, served besides the built-in ones."""

import json
import pathlib

from typing import Literal

import pytest

import cloud_elements as ce

ACME = {
    "key": "acme",
    "name": "Acme",
    "hub": "crm",
    "configuration": [
        {"key": "acme.url", "name": "Base URL", "type": "TEXTFIELD_128", "required": True},
        {"key": "acme.pin", "name": "PIN", "type": "PASSWORD", "required": True},
    ],
}


def client_for(sb: ce.Sandbox, validation: Literal["full", "offline", "off"] = "full") -> ce.Client:
    return ce.Client(
        base_url=sb.url, user_secret=sb.user_secret, organization_secret=sb.organization_secret, validation=validation
    )


@pytest.mark.parametrize("as_path", [True, False])
def test_a_definition_file_is_served(tmp_path: pathlib.Path, as_path: bool) -> None:
    path = tmp_path / "acme.json"
    path.write_text(json.dumps(ACME), encoding="utf-8")
    with ce.Sandbox(elements=path if as_path else str(path)) as sb, client_for(sb) as client:
        inst = client.create_instance("acme", {"acme.url": "https://acme.test", "acme.pin": "1234"}, name="A")
        assert inst.element_key == "acme" and inst.element["name"] == "Acme"
        # The built-in elements are still there.
        client.create_instance("closeio", {"username": "K", "password": "P"}, name="C")
        # The client checks the element's schema, fetched from the sandbox, before sending...
        with pytest.raises(ce.MissingConfigurationError):
            client.create_instance("acme", {"acme.url": "https://acme.test"}, name="A")
    with ce.Sandbox(elements=path) as sb, client_for(sb, validation="off") as client:
        # ...and so does the sandbox: a missing entry is the platform's 400.
        with pytest.raises(ce.BadRequestError):
            client.create_instance("acme", {"acme.url": "https://acme.test"}, name="A")


def test_a_list_of_paths_and_a_folder(tmp_path: pathlib.Path) -> None:
    folder = tmp_path / "defs"
    folder.mkdir()
    (folder / "acme.json").write_text(json.dumps(ACME), encoding="utf-8")
    other = tmp_path / "zeta.json"
    other.write_text(json.dumps(dict(ACME, key="zeta", name="Zeta")), encoding="utf-8")
    with ce.Sandbox(elements=[folder, str(other)]) as sb, client_for(sb) as client:
        for key in ("acme", "zeta"):
            inst = client.create_instance(key, {"acme.url": "https://x.test", "acme.pin": "1"}, name=key)
            assert inst.element_key == key


def test_a_malformed_file_raises_naming_it(tmp_path: pathlib.Path) -> None:
    bad = tmp_path / "broken-acme.json"
    bad.write_text('{"key": "acme", "configuration": {}}', encoding="utf-8")
    with pytest.raises(ce.InvalidInputError) as caught:
        ce.Sandbox(elements=bad)
    assert isinstance(caught.value, ValueError)
    assert "broken-acme.json" in str(caught.value) and "broken-acme.json" in caught.value.problems[0]
    bad.write_text("not json", encoding="utf-8")
    with pytest.raises(ValueError, match="broken-acme.json"):
        ce.Sandbox(elements=[str(bad)])
    with pytest.raises(ValueError, match="missing.json"):
        ce.Sandbox(elements=tmp_path / "missing.json")
    with pytest.raises(TypeError):
        ce.Sandbox(elements=42)  # type: ignore[arg-type]
