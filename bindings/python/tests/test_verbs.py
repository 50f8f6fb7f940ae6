"""Every instance verb of `Client` against the embedded sandbox, over loopback HTTP.

Typed, and checked by `mypy --strict` in scripts/test-python.sh, as a user's code would be.
"""

import http.client
import json
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any, Union

import pytest

import cloud_elements as ce

CLOSEIO = {"username": "CLOSE-KEY-s3cr3t", "password": "CLOSE-PW-s3cr3t"}
CALLBACK = "http://localhost:9/callback"


def reveal(value: Union[str, ce.Secret]) -> str:
    return value.get_secret_value() if isinstance(value, ce.Secret) else value


def make(client: ce.Client, name: str = "Sales", tags: Any = ("crm", "team-a")) -> ce.Instance:
    return client.create_instance("closeio", CLOSEIO, name=name, tags=tags)


def oauth_code(sandbox: ce.Sandbox, api_key: str) -> str:
    """A code from the sandbox's stand-in provider, as a browser would bring it back."""
    query = urllib.parse.urlencode({"apiKey": api_key, "apiSecret": "CS", "callbackUrl": CALLBACK})
    auth = f"User {sandbox.user_secret}, Organization {sandbox.organization_secret}"
    request = urllib.request.Request(f"{sandbox.url}/elements/clover/oauth/url?{query}", headers={"Authorization": auth})
    with urllib.request.urlopen(request) as answer:
        url = urllib.parse.urlsplit(json.load(answer)["oauthUrl"])
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port)
    try:
        connection.request("GET", f"{url.path}?{url.query}")
        redirect = connection.getresponse()
        location = redirect.getheader("Location") or ""
    finally:
        connection.close()
    assert redirect.status == 302, location
    return urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["code"][0]


def clover(api_key: str) -> dict[str, str]:
    return {"oauth.api.key": api_key, "oauth.api.secret": "CS", "oauth.callback.url": CALLBACK, "merchantId": "M1"}


def test_tags_are_any_sequence_of_str_but_not_a_str(client: ce.Client) -> None:
    def generated() -> Iterator[str]:
        yield "g1"
        yield "g2"

    assert make(client, tags=("a", "b")).tags == ["a", "b"]
    assert make(client, tags=generated()).tags == ["g1", "g2"]
    assert make(client, tags=None).tags == []
    with pytest.raises(TypeError, match="not a single str"):
        make(client, tags="crm")
    with pytest.raises(TypeError, match="index 1"):
        make(client, tags=["ok", 3])


def test_create_with_an_oauth_code(sandbox: ce.Sandbox, client: ce.Client) -> None:
    code = oauth_code(sandbox, "CK")
    inst = client.create_instance("clover", clover("CK"), name="Till", oauth_code=code)
    assert inst.element_key == "clover"
    assert isinstance(inst.configuration["oauth.api.secret"], ce.Secret)
    assert json.loads(sandbox.requests()[-1]["body"])["providerData"] == {"code": code}
    # A code is good once; the platform refuses it again with 400.
    with pytest.raises(ce.BadRequestError) as caught:
        client.create_instance("clover", clover("CK"), name="Till", oauth_code=code)
    assert caught.value.status == 400 and code not in str(caught.value)


@pytest.mark.parametrize("as_text", [True, False])
def test_create_from_instance_json(sandbox: ce.Sandbox, client: ce.Client, as_text: bool) -> None:
    document = {
        "element": {"key": "pardot"},
        "configuration": {"apikey.user.name": "me", "apikey.user.password": "pw", "apikey.user.key": "k"},
        "tags": ["from-json"],
        "name": "Marketing",
    }
    source: Union[str, dict[str, Any]] = json.dumps(document) if as_text else document
    inst = client.create_instance_from_json(source)
    assert (inst.name, inst.element_key, inst.tags) == ("Marketing", "pardot", ["from-json"])
    assert inst.configuration["apikey.user.name"] == "me"
    with pytest.raises(ce.InvalidInputError) as caught:
        client.create_instance_from_json('{"element": {"key": "pardot"}, "nmae": "x"}')
    assert any("nmae" in problem for problem in caught.value.problems)
    with pytest.raises(ce.InvalidInputError):
        client.create_instance_from_json("not json")
    assert sandbox.request_count == 1


def test_list_get_update_delete(client: ce.Client) -> None:
    a = make(client, "Sales A", tags=["crm", "team-a"])
    b = make(client, "Sales B", tags=["crm", "team-b"])
    assert [i.id for i in client.list_instances()] == [a.id, b.id]
    assert [i.id for i in client.list_instances(tags=["crm"])] == [a.id, b.id]
    assert [i.id for i in client.list_instances(tags=("crm", "team-b"))] == [b.id]
    assert [i.id for i in client.list_instances(search_text="Sales A")] == [a.id]
    # The platform answers 404 for a search that matches nothing: that is [] here.
    assert client.list_instances(tags=["nobody-has-this"]) == []

    read = client.get_instance(a.id)
    assert (read.id, read.name, read.token, read.tags) == (a.id, "Sales A", a.token, ["crm", "team-a"])
    # Read back, the secrets come masked; the rest is plain text.
    assert read.configuration["password"] == ce.Secret("********")
    assert read.configuration["base.url"] == "https://app.close.io/api/v1"

    updated = client.update_instance(a.id, name="Sales EU", tags=["eu"])
    assert (updated.name, updated.tags) == ("Sales EU", ["eu"])
    assert client.get_instance(a.id).tags == ["eu"]
    assert [i.id for i in client.list_instances(tags=["team-a"])] == []
    updated = client.update_instance(a.id, configuration={"pagination.max": 50})
    assert updated.configuration["pagination.max"] == "50"
    with pytest.raises(ce.InvalidInputError, match="changes nothing"):
        client.update_instance(a.id)

    client.delete_instance(a.id)
    with pytest.raises(ce.NotFoundError) as caught:
        client.get_instance(a.id)
    assert caught.value.status == 404 and isinstance(caught.value.status, int)
    with pytest.raises(ce.NotFoundError):
        client.delete_instance(a.id)
    assert [i.id for i in client.list_instances()] == [b.id]


def test_disable_enable_ping(client: ce.Client) -> None:
    inst = make(client)
    answer = client.ping(inst.token, "crm")
    assert isinstance(answer, dict)
    client.disable_instance(inst.token)
    assert client.get_instance(inst.id).disabled is True
    with pytest.raises(ce.PermissionDeniedError) as caught:
        client.ping(inst.token, "crm")
    assert caught.value.status == 403 and inst.token not in str(caught.value)
    assert caught.value.outcome_unknown is False
    client.enable_instance(inst.token)
    assert client.ping(inst.token, "crm") == answer
    with pytest.raises(ce.NotFoundError):
        client.ping(inst.token, "marketing")
    with pytest.raises(ce.InvalidInputError):
        client.ping("a, b", "crm")
    client.delete_instance(inst.id)
    with pytest.raises(ce.AuthenticationError):
        client.ping(inst.token, "crm")


def test_configuration_entries_read_and_changed(client: ce.Client) -> None:
    inst = make(client)
    entries = client.instance_configuration(inst.id)
    by_key = {entry["key"]: entry for entry in entries}
    assert all(isinstance(entry["id"], int) and isinstance(entry["extra"], dict) for entry in entries)
    # Secret entries are `Secret`s (masked by the server), the others plain str.
    assert by_key["password"]["property_value"] == ce.Secret("********")
    assert isinstance(by_key["username"]["property_value"], ce.Secret)
    assert by_key["pagination.max"]["property_value"] == "100"
    assert type(by_key["base.url"]["property_value"]) is str

    entry = client.update_instance_configuration(inst.id, "pagination.max", "25")
    assert (entry["key"], entry["property_value"]) == ("pagination.max", "25")
    entry = client.update_instance_configuration(inst.id, "filter.response.nulls", False)
    assert entry["property_value"] == "false"
    # A secret changed, then read back: masked, and a Secret.
    entry = client.update_instance_configuration(inst.id, "password", "NEW-PW-s3cr3t")
    assert isinstance(entry["property_value"], ce.Secret)
    read = {e["key"]: e["property_value"] for e in client.instance_configuration(inst.id)}
    assert read["password"] == ce.Secret("********") and read["pagination.max"] == "25"
    with pytest.raises(ce.InvalidInputError, match="`no.such.key`") as caught:
        client.update_instance_configuration(inst.id, "no.such.key", "x")
    assert "NEW-PW" not in repr(caught.value.problems)


def test_non_secret_values_are_plain_str(client: ce.Client) -> None:
    inst = client.create_instance(
        "pardot",
        {"apikey.user.name": "me", "apikey.user.password": "pw", "apikey.user.key": "k", "provider.version": 4},
        name="Marketing",
    )
    plain = {key: value for key, value in inst.configuration.items() if not isinstance(value, ce.Secret)}
    assert plain["apikey.user.name"] == "me" and plain["provider.version"] == "4"
    secret = {key for key, value in inst.configuration.items() if isinstance(value, ce.Secret)}
    assert secret == {"apikey.user.password", "apikey.user.key"}
    assert {key: reveal(value) for key, value in inst.configuration.items()} == inst.raw["configuration"]


def test_instance_is_built_without_raw_and_raw_is_the_answer(client: ce.Client) -> None:
    inst = make(client)
    assert inst.raw is inst.raw and inst.element is inst.raw["element"]
    assert inst.raw["id"] == inst.id and inst.raw["token"] == inst.token


def test_errors_carry_the_core_kinds(sandbox: ce.Sandbox, make_client: Callable[..., ce.Client]) -> None:
    with make_client(timeout=0.3, retries=0) as client:
        sandbox.inject("delay", ms=1000)
        with pytest.raises(ce.TimeoutError) as timed_out:
            make(client)
        assert (timed_out.value.kind, timed_out.value.limit) == ("overall", 0.3)
        assert timed_out.value.outcome_unknown is True and timed_out.value.instance_may_exist is True
        sandbox.clear_faults()
        inst = make(client)
        sandbox.inject("reset")
        with pytest.raises(ce.TransportError) as reset:
            client.delete_instance(inst.id)
        assert reset.value.kind == "reset" and reset.value.outcome_unknown is True
    with make_client(base_url="http://127.0.0.1:9/elements/api-v2", retries=0) as client:
        with pytest.raises(ce.TransportError) as refused:
            make(client)
        assert refused.value.kind == "connect" and refused.value.outcome_unknown is False


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, ce.BadRequestError),
        (403, ce.PermissionDeniedError),
        (409, ce.ConflictError),
        (500, ce.ServerError),
        (502, ce.ServerError),
        (418, ce.ApiError),
    ],
)
def test_statuses_raise_their_classes(
    sandbox: ce.Sandbox, make_client: Callable[..., ce.Client], status: int, cls: type[ce.ApiError]
) -> None:
    with make_client(retries=0) as client:
        sandbox.inject("status", status=status, message="no")
        with pytest.raises(ce.ApiError) as caught:
            make(client)
    assert type(caught.value) is cls and caught.value.status == status
    assert caught.value.outcome_unknown is (status in (500, 502))


def test_closed_client_refuses_every_verb(client: ce.Client) -> None:
    client.close()
    calls: list[Callable[[], object]] = [
        lambda: make(client),
        lambda: client.list_instances(),
        lambda: client.get_instance(1),
        lambda: client.delete_instance(1),
        lambda: client.ping("t", "crm"),
        lambda: client.instance_configuration(1),
    ]
    for call in calls:
        with pytest.raises(ce.ClosedError):
            call()
