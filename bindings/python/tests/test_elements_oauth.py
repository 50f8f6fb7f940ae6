"""Elements, validation modes and OAuth from Python, over loopback against `ce.Sandbox()`:
`Client.element`, `Client.element_configuration`, `validation=`, `Client.validate_request`,
`Client.oauth_url` and `receive_oauth_code`, and their `AsyncClient` twins."""

import asyncio
import json
import pathlib
import socket
import threading
import time
import urllib.error
import urllib.request
from typing import Any, Optional

import pytest

import cloud_elements as ce

API_KEY = "clover-app-key"
API_SECRET = "clover-app-SECRET-42"
ACME = {
    "key": "acme",
    "name": "Acme",
    "hub": "crm",
    "typeOauth": False,
    "authentication": {"type": "custom"},
    "configuration": [
        {"key": "acme.url", "name": "Base URL", "type": "TEXTFIELD_128", "required": True, "displayOrder": 1},
        {"key": "acme.pin", "name": "PIN", "type": "PASSWORD", "required": True, "displayOrder": 2},
        {"key": "acme.page", "name": "Page size", "type": "TEXTFIELD_32", "defaultValue": "50"},
    ],
}


def client_for(sb: ce.Sandbox, **settings: Any) -> ce.Client:
    return ce.Client(
        base_url=sb.url, user_secret=sb.user_secret, organization_secret=sb.organization_secret, **settings
    )


def acme_sandbox(tmp_path: pathlib.Path) -> ce.Sandbox:
    path = tmp_path / "acme.json"
    path.write_text(json.dumps(ACME), encoding="utf-8")
    return ce.Sandbox(elements=path)


def element_targets(sb: ce.Sandbox) -> list[str]:
    """The requests for element definitions (`/elements/{key}...`, under the base path)."""
    return [str(r["target"]) for r in sb.requests() if "/api-v2/elements/" in str(r["target"])]


def test_a_builtin_element_and_its_schema_are_typed_dicts(sandbox: ce.Sandbox) -> None:
    with client_for(sandbox) as client:
        closeio: ce.Element = client.element("closeio")
        assert closeio["key"] == "closeio" and closeio["name"] and closeio.get("hub") == "crm"
        assert closeio["typeOauth"] is False
        schema: list[ce.SchemaEntry] = client.element_configuration("closeio")
        keys = [entry["key"] for entry in schema]
        assert {"username", "password"} <= set(keys)
        username = next(entry for entry in schema if entry["key"] == "username")
        assert username["required"] is True and username.get("type")
        assert all(isinstance(entry["hideFromConsole"], bool) for entry in schema)
        clover = client.element("clover")
        assert clover["typeOauth"] is True or clover.get("authentication", {}).get("type") == "oauth2"


def test_a_definition_loaded_into_the_sandbox(tmp_path: pathlib.Path) -> None:
    with acme_sandbox(tmp_path) as sb, client_for(sb) as client:
        acme = client.element("acme")
        assert (acme["key"], acme["name"], acme.get("hub")) == ("acme", "Acme", "crm")
        assert acme.get("authentication") == {"type": "custom"}
        schema = client.element_configuration("acme")
        # The element's own entries, then the common ones the platform adds to every element.
        keys = [e["key"] for e in schema]
        assert keys[:3] == ["acme.url", "acme.pin", "acme.page"] and "event.notification.enabled" in keys
        pin = schema[1]
        assert (pin.get("type"), pin["required"], pin.get("displayOrder")) == ("PASSWORD", True, 2)
        assert schema[2].get("defaultValue") == "50" and schema[2]["required"] is False


def test_an_unknown_element_raises_with_suggestions(sandbox: ce.Sandbox) -> None:
    with client_for(sandbox) as client:
        with pytest.raises(ce.UnknownElementError) as caught:
            client.element("closeioo")
        assert caught.value.key == "closeioo" and list(caught.value.suggestions)[:1] == ["closeio"]
        assert isinstance(caught.value, ce.InvalidInputError)
        with pytest.raises(ce.UnknownElementError) as caught:
            client.element_configuration("pardott")
        assert "pardot" in caught.value.suggestions
        # A create is refused before anything is posted.
        with pytest.raises(ce.UnknownElementError) as caught:
            client.create_instance("pardott", {"a": "b"}, name="X")
        assert "pardot" in caught.value.suggestions
        assert not [r for r in sandbox.requests() if r["method"] == "POST"]
        with pytest.raises(ce.InvalidInputError):
            client.element("")


def test_full_validation_fetches_the_schema_once(tmp_path: pathlib.Path) -> None:
    with acme_sandbox(tmp_path) as sb, client_for(sb) as client:
        assert client.validation == "full"
        with pytest.raises(ce.MissingConfigurationError) as caught:
            client.create_instance("acme", {"acme.url": "https://acme.test"}, name="A")
        assert list(caught.value.missing) == ["acme.pin"]
        assert element_targets(sb) and not [r for r in sb.requests() if r["method"] == "POST"]
        fetched = len(element_targets(sb))
        client.validate_request("acme", {"acme.url": "https://acme.test", "acme.pin": "1"}, name="A")
        client.create_instance("acme", {"acme.url": "https://acme.test", "acme.pin": "1"}, name="A")
        assert len(element_targets(sb)) == fetched, "the definition is cached"


def test_offline_validation_sends_no_schema_request(tmp_path: pathlib.Path) -> None:
    with acme_sandbox(tmp_path) as sb, client_for(sb, validation="offline") as client:
        assert client.validation == "offline"
        # Built-in elements are still checked, without a request.
        with pytest.raises(ce.MissingConfigurationError):
            client.validate_request("closeio", {"username": "K"}, name="C")
        client.validate_request("acme", {}, name="A")
        # The server decides for the others: its 400, and no schema request.
        with pytest.raises(ce.BadRequestError):
            client.create_instance("acme", {"acme.url": "https://acme.test"}, name="A")
        inst = client.create_instance("acme", {"acme.url": "https://acme.test", "acme.pin": "1"}, name="A")
        assert inst.element_key == "acme"
        assert element_targets(sb) == []


def test_off_lets_the_server_decide(sandbox: ce.Sandbox) -> None:
    with client_for(sandbox, validation="off") as client:
        assert client.validation == "off"
        client.validate_request("closeio", {}, name="C")  # nothing checked
        with pytest.raises(ce.BadRequestError):
            client.create_instance("closeio", {"username": "K"}, name="C")
        assert [r["method"] for r in sandbox.requests()] == ["POST"]
    with pytest.raises(ce.InvalidInputError) as caught:
        client_for(sandbox, validation="strict")
    assert "validation" in caught.value.problems[0]


def free_callback_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/callback"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def play_browser(oauth_url: str, pages: list[str]) -> threading.Thread:
    """A thread that opens the authorization URL without following its redirect, then goes to the
    `Location` (the callback) once the listener is up, and keeps the page it gets."""

    def browse() -> None:
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            opener.open(oauth_url, timeout=10)
            raise AssertionError("the stand-in provider redirects")
        except urllib.error.HTTPError as redirect:
            assert redirect.code == 302
            location = redirect.headers["Location"]
        deadline = time.monotonic() + 10
        while True:
            try:
                with urllib.request.urlopen(location, timeout=10) as page:
                    pages.append(page.read().decode())
                return
            except urllib.error.HTTPError as refused:
                pages.append(refused.read().decode())
                return
            except urllib.error.URLError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.01)  # not listening yet

    thread = threading.Thread(target=browse, daemon=True)
    thread.start()
    return thread


def authorize(client: ce.Client, url_state: str, expected: Optional[str]) -> tuple[str, list[str]]:
    callback = free_callback_url()
    url = client.oauth_url(
        "clover", api_key=API_KEY, api_secret=API_SECRET, callback_url=callback, scope="read", state=url_state
    )
    assert "state=" + url_state in url
    pages: list[str] = []
    browser = play_browser(url, pages)
    try:
        return ce.receive_oauth_code(callback, state=expected, timeout=10), pages
    finally:
        browser.join(10)


CLOVER = {"oauth.api.key": API_KEY, "oauth.api.secret": API_SECRET, "merchantId": "M-1"}


def test_the_whole_oauth_round_trip(sandbox: ce.Sandbox) -> None:
    with client_for(sandbox) as client:
        code, pages = authorize(client, "st-1", "st-1")
        assert code and "Authorization received" in pages[0]
        with pytest.raises(ce.MissingConfigurationError) as missing:
            client.create_instance("clover", CLOVER, name="Payroll")
        assert list(missing.value.missing) == ["providerData.code"]
        inst = client.create_instance("clover", CLOVER, name="Payroll", oauth_code=code)
        assert inst.element_key == "clover"
        # A code works once.
        with pytest.raises(ce.BadRequestError) as reused:
            client.create_instance("clover", CLOVER, name="Payroll", oauth_code=code)
        assert code not in str(reused.value) and API_SECRET not in str(reused.value)
        assert len(sandbox.instances()) == 1


def test_a_wrong_state_is_refused(sandbox: ce.Sandbox) -> None:
    with client_for(sandbox) as client:
        with pytest.raises(ce.InvalidInputError) as caught:
            authorize(client, "forged-state", "st-2")
        assert "state" in str(caught.value)


def test_oauth_url_errors_hide_the_secret(sandbox: ce.Sandbox) -> None:
    with client_for(sandbox) as client:
        with pytest.raises(ce.BadRequestError) as caught:
            client.oauth_url("closeio", api_key=API_KEY, api_secret=API_SECRET, callback_url=free_callback_url())
        assert API_SECRET not in str(caught.value) and API_SECRET not in (caught.value.body or "")
        with pytest.raises(ce.InvalidInputError) as invalid:
            client.oauth_url("clover", api_key="", api_secret=API_SECRET, callback_url="ftp://x")
        assert len(invalid.value.problems) == 2
        with pytest.raises(ce.UnknownElementError):
            client.oauth_url("clovr", api_key=API_KEY, api_secret=API_SECRET, callback_url=free_callback_url())


def test_receive_oauth_code_times_out_and_checks_its_url() -> None:
    started = time.monotonic()
    with pytest.raises(ce.TimeoutError) as caught:
        ce.receive_oauth_code(free_callback_url(), state=None, timeout=0.2)
    assert caught.value.kind == "redirect" and time.monotonic() - started < 5
    with pytest.raises(ce.InvalidInputError):
        ce.receive_oauth_code("https://example.com/callback", state="s", timeout=1)


def test_receive_oauth_code_releases_the_gil() -> None:
    ticks = 0
    stop = threading.Event()

    def count() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            time.sleep(0.001)

    counter = threading.Thread(target=count)
    counter.start()
    with pytest.raises(ce.TimeoutError):
        ce.receive_oauth_code(free_callback_url(), state="s", timeout=0.3)
    stop.set()
    counter.join()
    assert ticks > 20


def test_the_async_twins(tmp_path: pathlib.Path) -> None:
    async def main(sb: ce.Sandbox) -> None:
        async with ce.AsyncClient(
            base_url=sb.url, user_secret=sb.user_secret, organization_secret=sb.organization_secret,
            validation="offline",
        ) as client:
            assert client.validation == "offline"
            acme = await client.element("acme")
            assert acme["name"] == "Acme"
            schema = await client.element_configuration("acme")
            assert [e["key"] for e in schema][:2] == ["acme.url", "acme.pin"]
            with pytest.raises(ce.UnknownElementError):
                await client.element("acmee")
            await client.validate_request("acme", {}, name="A")
            url = await client.oauth_url(
                "clover", api_key=API_KEY, api_secret=API_SECRET, callback_url=free_callback_url()
            )
            assert url.startswith("http")

    with acme_sandbox(tmp_path) as sb:
        asyncio.run(main(sb))


VAULT = {
    "key": "vault",
    "name": "Vault",
    "hub": "general",
    "configuration": [
        {"key": "pin", "name": "PIN", "type": "PASSWORD", "required": True},
        {"key": "vault.region", "name": "Region", "type": "TEXTFIELD_32", "required": True},
    ],
}


def test_a_password_entry_of_a_fetched_definition_is_a_secret(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "vault.json"
    path.write_text(json.dumps(VAULT), encoding="utf-8")
    with ce.Sandbox(elements=path) as sb, client_for(sb) as client:
        inst = client.create_instance("vault", {"pin": "4711", "vault.region": "eu"}, name="V")
        assert isinstance(inst.configuration["pin"], ce.Secret)
        assert inst.configuration["pin"].get_secret_value() == "4711"
        assert inst.configuration["vault.region"] == "eu"
        assert "4711" not in repr(inst.configuration)
        # Read back by another client, which fetches the definition to tell.
        with client_for(sb) as other:
            again = other.get_instance(inst.id)
            assert isinstance(again.configuration["pin"], ce.Secret)
