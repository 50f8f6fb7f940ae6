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
    assert inst.configuration["password"].get_secret_value() == PASSWORD
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
    assert type(e) is ce.BadRequestError and e.status == 400 and e.request_id == "r-1"
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
        # 401 with the wrong secret, and an unknown element (refused before the create).
        raise_from(make_client(organization_secret=WRONG_SECRET)),
        raise_from(client, "nosuchelement", CONFIGURATION),
    ]
    # Retry-After past what the client waits for: raised at once.
    sandbox.inject("status", status=503, retry_after="120")
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
        "UnknownElementError",
        "RateLimitedError",
        "TransportError",
        "TransportError",
        "TimeoutError",
        "InvalidInputError",
    ]
    for e in cases:
        assert_no_secret(e)


@pytest.mark.parametrize("status", [200, 302])
def test_an_undecodable_answer_never_quotes_the_instance_token(sandbox, client, status):
    # Malformed JSON (a trailing comma) that carries a token the client cannot know in advance.
    sandbox.inject("body", status=status, body='{"id": 7, "token": "tok-VERYSECRET-abc=", "name": "x",}')
    e = raise_from(client)
    assert type(e) is ce.DecodeError and e.status == status
    assert "[redacted]" in str(e)
    assert_no_secret(e, "VERYSECRET")


def test_credentials_in_the_base_url_are_refused_without_quoting_them():
    with pytest.raises(ce.InvalidInputError) as caught:
        ce.Client(base_url="http://bob:hunter22@127.0.0.1:1/x", user_secret="u", organization_secret="o")
    assert "user information" in str(caught.value)
    assert_no_secret(caught.value, "hunter22", "bob:")


# A lone surrogate cannot be encoded as UTF-8; the UnicodeEncodeError Python would raise holds the
# whole string in its repr and `.object`. The package names the argument instead.
BAD = "TOPSECRET\ud800"


def assert_not_unicode(call, problem):
    with pytest.raises(ce.InvalidInputError) as caught:
        call()
    e = caught.value
    assert problem in e.problems, e.problems
    assert e.__cause__ is None and e.__context__ is None
    assert_no_secret(e, "TOPSECRET", "\ud800")
    return e


@pytest.mark.parametrize(
    ("settings", "argument"),
    [
        (dict(user_secret=f"usr-{BAD}", organization_secret="o"), "user secret"),
        (dict(user_secret="u", organization_secret=f"org-{BAD}"), "organization secret"),
        (dict(user_secret="u", organization_secret="o", base_url=f"http://127.0.0.1:1/{BAD}"), "base URL"),
    ],
)
def test_client_settings_that_are_not_unicode(settings, argument):
    e = assert_not_unicode(lambda: ce.Client(**settings), f"the {argument} is not valid Unicode text")
    assert e.problems == [f"the {argument} is not valid Unicode text"]


def test_every_setting_that_is_not_unicode_is_reported_at_once():
    e = assert_not_unicode(
        lambda: ce.Client(user_secret=BAD, organization_secret=BAD, base_url=BAD, timeout=-1),
        "the base URL is not valid Unicode text",
    )
    assert len(e.problems) >= 4, e.problems


def test_sandbox_secrets_that_are_not_unicode():
    assert_not_unicode(lambda: ce.Sandbox(user_secret=BAD), "the user secret is not valid Unicode text")
    assert_not_unicode(lambda: ce.Sandbox(organization_secret=BAD), "the organization secret is not valid Unicode text")


def test_a_token_that_is_not_unicode(client):
    assert_not_unicode(lambda: client.authorization_header(f"tok-{BAD}\udc80"), "the instance token is not valid Unicode text")


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        (dict(element_key=f"closeio{BAD}"), "the element key is not valid Unicode text"),
        (dict(name=BAD), "the name is not valid Unicode text"),
        (dict(tags=["ok", BAD]), "the tag at index 1 is not valid Unicode text"),
        (dict(configuration={**CONFIGURATION, BAD: "x"}), "a configuration key is not valid Unicode text"),
        (
            dict(configuration={"username": API_KEY, "password": BAD}),
            "the value of configuration entry `password` is not valid Unicode text",
        ),
    ],
)
def test_request_text_that_is_not_unicode_sends_nothing(sandbox, client, arguments, problem):
    call = dict(element_key="closeio", configuration=CONFIGURATION, name="Test", tags=["demo"])
    call.update(arguments)
    e = assert_not_unicode(
        lambda: client.create_instance(call["element_key"], call["configuration"], name=call["name"], tags=call["tags"]),
        problem,
    )
    assert "must be str, not str" not in str(e)
    assert sandbox.request_count == 0
