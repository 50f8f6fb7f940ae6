"""No secret appears in any repr, str or exception text, on any path."""

import json

import pytest

import cloud_elements as ce

# The sandbox fixture's secrets (conftest.py).
USER_SECRET = "usr-S3CRET-q7Zk1"
ORG_SECRET = "org-S3CRET-w4Xm9"
API_KEY = "closeio-KEY-S3CRET-a8Jd2"
PASSWORD = "closeio-PW-S3CRET-Lp04s"
WRONG_SECRET = "wrong-ORG-S3CRET-zz31"
SECRETS = [USER_SECRET, ORG_SECRET, API_KEY, PASSWORD, WRONG_SECRET]
CONFIGURATION = {"username": API_KEY, "password": PASSWORD}


def texts_of(obj):
    """Everything a log line or a traceback could show of `obj`."""
    texts = [repr(obj), str(obj), f"{obj}", f"{obj!r}"]
    if isinstance(obj, BaseException):
        texts += [repr(arg) for arg in obj.args]
        texts += [f"{name}={value!r}" for name, value in vars(obj).items()]
    return texts


def assert_no_secret(obj, *extra_secrets):
    for text in texts_of(obj):
        for secret in [*SECRETS, *extra_secrets]:
            assert secret not in text, f"{secret!r} leaked in {text!r}"


def test_client_and_instance_reprs(sandbox, client):
    assert_no_secret(client)
    inst = client.create_instance("closeio", CONFIGURATION, name="Test")
    assert_no_secret(inst, inst.token)
    # The secrets are there, behind explicit accessors.
    assert inst.configuration["password"] == PASSWORD
    assert inst.token in client.authorization_header(inst.token)


def test_sandbox_repr(sandbox):
    assert (sandbox.user_secret, sandbox.organization_secret) == (USER_SECRET, ORG_SECRET)
    assert_no_secret(sandbox)


def raise_from(client, element="closeio", configuration=CONFIGURATION):
    with pytest.raises(ce.CloudElementsError) as caught:
        client.create_instance(element, configuration, name="Test")
    return caught.value


def test_server_echoing_secrets_in_an_error_body(sandbox, client):
    echo = f"user {USER_SECRET} org {ORG_SECRET} key {API_KEY} password {PASSWORD}"
    body = json.dumps({"requestId": "r-1", "message": echo, "providerMessage": echo})
    sandbox.inject("body", status=400, body=body)
    e = raise_from(client)
    assert type(e) is ce.ApiError and e.status == 400 and e.request_id == "r-1"
    assert "[redacted]" in e.message and "[redacted]" in e.provider_message and "[redacted]" in e.body
    assert_no_secret(e)


def test_server_echoing_secrets_in_an_undecodable_body(sandbox, client):
    sandbox.inject("body", status=200, content_type="text/plain", body=f"oops {PASSWORD} {USER_SECRET} {ORG_SECRET}")
    e = raise_from(client)
    assert isinstance(e, ce.DecodeError)
    assert "[redacted]" in str(e)
    assert_no_secret(e)


def test_server_echoing_secrets_in_a_bodyless_error(sandbox, client):
    sandbox.inject("body", status=500, content_type="", body=f"{API_KEY}{PASSWORD}")
    e = raise_from(client)
    assert isinstance(e, ce.ApiError)
    assert_no_secret(e)


def test_every_error_path(sandbox, make_client):
    client = make_client()
    cases = [
        # Missing configuration, with a secret given for the other entry.
        raise_from(client, configuration={"password": PASSWORD}),
        raise_from(client, "pardot", {"apikey.user.name": "me", "apikey.user.password": PASSWORD}),
        # Invalid input: a typographic quote and a wrong type in secret values.
        raise_from(client, configuration={"username": f"\u201c{API_KEY}\u201d", "password": PASSWORD}),
        raise_from(client, configuration={"username": API_KEY, "password": 3.14, "other": [PASSWORD]}),
        # 401 with the wrong secret, and 404.
        raise_from(make_client(organization_secret=WRONG_SECRET)),
        raise_from(client, "nosuchelement", CONFIGURATION),
    ]
    sandbox.inject("status", status=503, retry_after="1")
    cases.append(raise_from(client))
    sandbox.inject("reset")
    cases.append(raise_from(client))
    sandbox.inject("truncate")
    cases.append(raise_from(client))
    sandbox.inject("delay", ms=2000)
    cases.append(raise_from(make_client(timeout=0.2)))
    with pytest.raises(ce.InvalidInputError) as caught:
        ce.Client(user_secret=f"{USER_SECRET},x", organization_secret=f" {ORG_SECRET}")
    cases.append(caught.value)

    kinds = [type(e).__name__ for e in cases]
    assert kinds == [
        "MissingConfigurationError",
        "MissingConfigurationError",
        "InvalidInputError",
        "InvalidInputError",
        "AuthenticationError",
        "NotFoundError",
        "ApiError",
        "TransportError",
        "TransportError",
        "TimeoutError",
        "InvalidInputError",
    ]
    for e in cases:
        assert_no_secret(e)
