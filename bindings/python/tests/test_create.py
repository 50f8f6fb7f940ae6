"""Creating instances of both documented elements, and what the results look like."""

import json

import pytest

import cloud_elements as ce


def reveal(value):
    """The text of a configuration value, a `Secret` or a plain str."""
    return value.get_secret_value() if isinstance(value, ce.Secret) else value


def test_closeio_as_documented(sandbox, client):
    inst = client.create_instance(
        "closeio", {"username": "CLOSE_IO_API_KEY", "password": "CLOSE_IO_PASSWORD"}, name="Test", tags=["demo"]
    )

    assert isinstance(inst, ce.Instance)
    assert isinstance(inst.id, int) and inst.id > 0
    assert inst.name == "Test"
    assert isinstance(inst.token, str) and inst.token
    assert inst.element_key == "closeio"
    assert inst.element["key"] == "closeio"
    assert inst.element["name"] == "Close.io Beta"
    assert inst.element["authentication"] == {"type": "basic"}
    # The server's echo, platform defaults included.
    assert {key: reveal(value) for key, value in inst.configuration.items()} == {
        "base.url": "https://app.close.io/api/v1",
        "pagination.max": "100",
        "pagination.offset": "true",
        "password": "CLOSE_IO_PASSWORD",
        "username": "CLOSE_IO_API_KEY",
    }
    # Secrets (the password, and the API key Close.io calls `username`) are `Secret`s; the rest str.
    secret = {key for key, value in inst.configuration.items() if isinstance(value, ce.Secret)}
    assert secret == {"password", "username"}
    assert type(inst.configuration["base.url"]) is str and inst.configuration["pagination.max"] == "100"
    assert "CLOSE_IO_PASSWORD" not in repr(inst.configuration)
    assert inst.valid is True
    assert inst.disabled is False
    assert inst.raw["id"] == inst.id
    assert inst.raw["token"] == inst.token
    assert inst.raw["tags"] == ["demo"]
    assert inst.raw["element"] is inst.element
    assert inst.raw["provisionInteractions"] == []
    assert inst.raw["maxCacheSize"] == 0

    [stored] = sandbox.instances()
    assert stored["token"] == inst.token
    assert stored["name"] == "Test"
    assert sandbox.request_count == 1


def test_pardot_as_documented(sandbox, client):
    configuration = {
        "apikey.user.name": "PARDOT_USERNAME",
        "apikey.user.password": "PARDOT_PASSWORD",
        "apikey.user.key": "PARDOT_API_USER_KEY",
        "provider.version": "4",
    }
    inst = client.create_instance("pardot", configuration, name="Marketing", tags=["a", "b"])

    assert inst.name == "Marketing"
    assert inst.token
    assert inst.element_key == "pardot"
    assert inst.element["key"] == "pardot"
    assert inst.element["hub"] == "marketing"
    for key, value in configuration.items():
        assert reveal(inst.configuration[key]) == value
    assert inst.raw["tags"] == ["a", "b"]
    assert inst.raw["configuration"] == {k: reveal(v) for k, v in inst.configuration.items()}
    assert sandbox.instances()[0]["element"]["key"] == "pardot"


def test_request_body_is_the_documented_instance_json(sandbox, client):
    client.create_instance("closeio", {"username": "K", "password": "P"}, name="Test", tags=["demo"])
    [request] = sandbox.requests()
    assert request["method"] == "POST"
    assert request["target"] == "/elements/api-v2/instances"
    assert json.loads(request["body"]) == {
        "element": {"key": "closeio"},
        "configuration": {"username": "K", "password": "P"},
        "tags": ["demo"],
        "name": "Test",
    }
    headers = dict((name.lower(), value) for name, value in request["headers"])
    assert headers["authorization"] == f"User {sandbox.user_secret}, Organization {sandbox.organization_secret}"


def test_bool_and_int_values_are_sent_as_strings(sandbox, client):
    inst = client.create_instance(
        "pardot",
        {
            "apikey.user.name": "me",
            "apikey.user.password": "pw",
            "apikey.user.key": "k",
            "provider.version": 4,
            "filter.response.nulls": False,
            "event.notification.enabled": True,
            "event.vendor.type": "polling",
            "event.poller.refresh_interval": 15,
        },
        name="Typed",
    )
    sent = json.loads(sandbox.requests()[-1]["body"])["configuration"]
    expected = {
        "provider.version": "4",
        "filter.response.nulls": "false",
        "event.notification.enabled": "true",
        "event.poller.refresh_interval": "15",
    }
    for key, value in expected.items():
        assert sent[key] == value
        assert reveal(inst.configuration[key]) == value
        assert sandbox.instances()[0]["configuration"][key] == value


def test_configuration_may_be_any_mapping(client):
    from types import MappingProxyType

    inst = client.create_instance("closeio", MappingProxyType({"username": "K", "password": "P"}), name="M")
    assert reveal(inst.configuration["username"]) == "K"


def test_each_create_is_a_new_instance(client):
    a = client.create_instance("closeio", {"username": "K", "password": "P"}, name="A")
    b = client.create_instance("closeio", {"username": "K", "password": "P"}, name="B")
    assert a.id != b.id
    assert a.token != b.token


def test_instance_repr(client):
    inst = client.create_instance("closeio", {"username": "K", "password": "P"}, name="Test")
    assert repr(inst) == f"Instance(id={inst.id}, name='Test', element_key='closeio', token='[redacted]')"
    assert str(inst) == repr(inst)


def test_instance_is_read_only(client):
    inst = client.create_instance("closeio", {"username": "K", "password": "P"}, name="Test")
    with pytest.raises(AttributeError):
        inst.token = "x"


def test_authorization_header(sandbox, client):
    assert client.authorization_header("tok/en+=") == (
        f"User {sandbox.user_secret}, Organization {sandbox.organization_secret}, Element tok/en+="
    )


def test_client_from_environment(sandbox, monkeypatch):
    monkeypatch.setenv("CLOUD_ELEMENTS_BASE_URL", sandbox.url)
    monkeypatch.setenv("CLOUD_ELEMENTS_USER_SECRET", sandbox.user_secret)
    monkeypatch.setenv("CLOUD_ELEMENTS_ORG_SECRET", sandbox.organization_secret)
    with ce.Client() as client:
        assert client.base_url == sandbox.url
        assert client.create_instance("closeio", {"username": "K", "password": "P"}, name="Env").token


def test_keyword_arguments_override_the_environment(sandbox, monkeypatch):
    monkeypatch.setenv("CLOUD_ELEMENTS_BASE_URL", "http://127.0.0.1:9/elements/api-v2")
    monkeypatch.setenv("CLOUD_ELEMENTS_USER_SECRET", "wrong-user")
    monkeypatch.setenv("CLOUD_ELEMENTS_ORG_SECRET", sandbox.organization_secret)
    client = ce.Client(base_url=sandbox.url, user_secret=sandbox.user_secret, timeout=5, connect_timeout=2.5)
    assert (client.base_url, client.timeout, client.connect_timeout) == (sandbox.url, 5.0, 2.5)
    assert client.create_instance("closeio", {"username": "K", "password": "P"}, name="Mixed").token


def test_client_defaults():
    client = ce.Client(user_secret="u", organization_secret="o")
    assert client.base_url == "https://api.cloud-elements.com/elements/api-v2"
    assert (client.timeout, client.connect_timeout) == (60.0, 10.0)


def test_client_context_manager_closes(make_client):
    with make_client() as client:
        assert not client.closed
        assert client.create_instance("closeio", {"username": "K", "password": "P"}, name="In").token
    assert client.closed
    assert "closed=True" in repr(client)
    with pytest.raises(ce.ClosedError, match="the client is closed") as caught:
        client.create_instance("closeio", {"username": "K", "password": "P"}, name="After")
    assert isinstance(caught.value, RuntimeError) and isinstance(caught.value, ce.CloudElementsError)
    with pytest.raises(ce.ClosedError):
        client.authorization_header("token")
    client.close()  # twice is fine


def test_exit_returns_none_and_lets_exceptions_through(sandbox, make_client):
    client = make_client()
    assert client.__exit__(None, None, None) is None
    with pytest.raises(KeyError), make_client():
        raise KeyError("from the with block")
    with ce.Sandbox() as sb:
        assert sb.__exit__(None, None, None) is None
    with pytest.raises(KeyError), ce.Sandbox():
        raise KeyError("from the with block")


def test_sandbox_context_manager_closes():
    with ce.Sandbox() as sb:
        url = sb.url
        assert url.startswith("http://127.0.0.1:") and url.endswith("/elements/api-v2")
        assert sb.request_count == 0
        client = ce.Client(base_url=url, user_secret=sb.user_secret, organization_secret=sb.organization_secret)
        client.create_instance("closeio", {"username": "K", "password": "P"}, name="X")
    assert sb.url == url
    with pytest.raises(ce.ClosedError, match="the sandbox is closed") as caught:
        sb.request_count
    assert isinstance(caught.value, RuntimeError)
    for method in (sb.reset, sb.clear_faults, sb.instances, sb.requests, lambda: sb.inject("reset")):
        with pytest.raises(ce.ClosedError):
            method()
    sb.close()  # twice is fine


def test_sandbox_defaults_reset_and_faults():
    with ce.Sandbox() as sb:
        assert sb.user_secret == "sandbox-user-secret"
        assert sb.organization_secret == "sandbox-organization-secret"
        client = ce.Client(base_url=sb.url, user_secret=sb.user_secret, organization_secret=sb.organization_secret)
        first = client.create_instance("closeio", {"username": "K", "password": "P"}, name="X")
        sb.reset()
        assert sb.instances() == [] and sb.request_count == 0
        assert client.create_instance("closeio", {"username": "K", "password": "P"}, name="X").id == first.id

        sb.inject("status", status=503, retry_after="2", times=2)
        sb.clear_faults()
        assert client.create_instance("closeio", {"username": "K", "password": "P"}, name="X").token
        with pytest.raises(ce.InvalidInputError, match="not a sandbox fault"):
            sb.inject("explode")
        with pytest.raises(ce.InvalidInputError):
            sb.inject("delay")  # no ms
        with pytest.raises(ce.InvalidInputError, match="fault field `body` is not valid Unicode text"):
            sb.inject("body", status=200, body="x\ud800")


def test_version():
    assert isinstance(ce.__version__, str) and ce.__version__.count(".") == 2
