"""Every failure raises the documented exception, with its attributes."""

import builtins
import json
import pickle

import pytest

import cloud_elements as ce

CLOSEIO = {"username": "K", "password": "P"}


@pytest.mark.parametrize(
    ("element", "configuration", "missing"),
    [
        ("closeio", {}, ["username", "password"]),
        ("closeio", {"password": "P"}, ["username"]),
        # Close.io allows a blank password (its own API does), not a blank API key.
        ("closeio", {"username": "  ", "password": ""}, ["username"]),
        ("pardot", {}, ["apikey.user.name", "apikey.user.password", "apikey.user.key"]),
        ("pardot", {"apikey.user.name": "me"}, ["apikey.user.password", "apikey.user.key"]),
        ("pardot", {"apikey.user.key": "k", "provider.version": "4"}, ["apikey.user.name", "apikey.user.password"]),
    ],
)
def test_missing_configuration_names_every_entry_and_sends_nothing(sandbox, client, element, configuration, missing):
    with pytest.raises(ce.MissingConfigurationError) as caught:
        client.create_instance(element, configuration, name="Test")
    e = caught.value
    assert e.element == element
    assert e.missing == missing
    assert str(e) == f"missing required configuration for element `{element}`: {', '.join(missing)}"
    assert isinstance(e, ce.CloudElementsError) and isinstance(e, ValueError)
    assert not isinstance(e, ce.InvalidInputError)
    assert sandbox.request_count == 0


@pytest.mark.parametrize(
    ("configuration", "fragment"),
    [
        ({"username": "K", "password": 1.5}, "`password` must be a str, bool or int, not float"),
        ({"username": "K", "password": None}, "`password` must be a str, bool or int, not NoneType"),
        ({"username": "K", "password": {"nested": "x"}}, "`password` must be a str, bool or int, not dict"),
        ({"username": "K", "password": ["x"]}, "`password` must be a str, bool or int, not list"),
        ({"username": "K", "password": "\u201chunter2\u201d"}, "typographic quote"),
        ({"username": "K", "password": "P", 7: "x"}, "configuration keys must be str, not int"),
    ],
)
def test_invalid_input_is_a_value_error_and_sends_nothing(sandbox, client, configuration, fragment):
    with pytest.raises(ValueError) as caught:
        client.create_instance("closeio", configuration, name="Test")
    e = caught.value
    assert isinstance(e, ce.InvalidInputError) and isinstance(e, ce.CloudElementsError)
    assert fragment in str(e)
    assert any(fragment in problem for problem in e.problems)
    assert "hunter2" not in str(e)
    assert sandbox.request_count == 0


def test_invalid_input_reports_every_problem_at_once(sandbox, client):
    with pytest.raises(ce.InvalidInputError) as caught:
        client.create_instance("closeio", {"username": 1.0, "password": None}, name="Test")
    assert len(caught.value.problems) == 2, caught.value.problems
    with pytest.raises(ce.InvalidInputError) as caught:
        client.create_instance("pardot", {"apikey.user.name": "me", "filter.response.nulls": "yes"}, name="")
    problems = caught.value.problems
    assert len(problems) == 3, problems
    assert "apikey.user.password, apikey.user.key" in problems[-1]
    assert sandbox.request_count == 0


def test_configuration_must_be_a_mapping(client):
    with pytest.raises(TypeError):
        client.create_instance("closeio", [("username", "K")], name="Test")
    with pytest.raises(TypeError):
        client.create_instance("closeio", CLOSEIO, name="Test", tags="demo")


def test_client_settings_are_checked():
    with pytest.raises(ce.InvalidInputError) as caught:
        ce.Client()
    assert "no user secret was given" in str(caught.value)
    assert "CLOUD_ELEMENTS_ORG_SECRET" in str(caught.value)
    with pytest.raises(ValueError) as caught:
        ce.Client(user_secret="u", organization_secret="o", base_url="ftp://x", timeout=-1)
    assert len(caught.value.problems) == 2, caught.value.problems
    with pytest.raises(ce.InvalidInputError, match="longer than zero"):
        ce.Client(user_secret="u", organization_secret="o", timeout=0)


@pytest.mark.parametrize("setting", ["timeout", "connect_timeout"])
@pytest.mark.parametrize("seconds", [86400.5, 1e19, 1e300])
def test_timeouts_over_one_day_are_invalid_input(setting, seconds):
    # Not a PanicException (a BaseException, which pytest.raises here would not catch).
    with pytest.raises(ce.InvalidInputError) as caught:
        ce.Client(user_secret="u", organization_secret="o", **{setting: seconds})
    assert isinstance(caught.value, ValueError)
    assert caught.value.problems == ["timeouts must be at most one day"]


def test_a_timeout_of_one_day_is_accepted():
    client = ce.Client(user_secret="u", organization_secret="o", timeout=86400, connect_timeout=86400)
    assert (client.timeout, client.connect_timeout) == (86400.0, 86400.0)


def test_wrong_secret_is_an_authentication_error(sandbox, make_client):
    client = make_client(organization_secret="not-the-org-secret")
    with pytest.raises(ce.AuthenticationError) as caught:
        client.create_instance("closeio", CLOSEIO, name="Test")
    e = caught.value
    assert isinstance(e, ce.ApiError) and isinstance(e, ce.CloudElementsError)
    assert e.status == 401
    assert e.message == "Invalid Organization or User secret, or invalid Element token provided."
    assert e.request_id and e.request_id in str(e)
    assert e.provider_message is None
    assert str(e).startswith("HTTP 401: Invalid Organization")
    assert json.loads(e.body)["requestId"] == e.request_id
    assert sandbox.instances() == []


def test_unknown_element_is_refused_before_sending(sandbox, client):
    with pytest.raises(ce.UnknownElementError) as caught:
        client.create_instance("closio", {"a": "b"}, name="Test")
    assert isinstance(caught.value, ce.InvalidInputError)
    assert caught.value.key == "closio"
    assert caught.value.suggestions == ["closeio"]
    assert "no element with key `closio`" in str(caught.value)
    assert "did you mean `closeio`?" in str(caught.value)
    # The element was looked up (and the list, for the suggestion); nothing was created.
    assert sandbox.instances() == []


def test_other_statuses_are_api_errors(sandbox, client):
    sandbox.inject("status", status=502, message="Provider failed", provider_message="pardot is down")
    with pytest.raises(ce.ApiError) as caught:
        client.create_instance("closeio", CLOSEIO, name="Test")
    e = caught.value
    assert type(e) is ce.ServerError and isinstance(e, ce.ApiError)
    assert (e.status, e.message, e.provider_message) == (502, "Provider failed", "pardot is down")
    assert str(e) == (
        f"HTTP 502: Provider failed (provider: pardot is down) [request id {e.request_id}]; "
        "the instance may have been created"
    )
    assert e.instance_may_exist is True and e.retry_after is None


def test_timeout_is_also_the_builtin_timeout_error(sandbox, make_client):
    sandbox.inject("delay", ms=3000)
    client = make_client(timeout=0.3)
    with pytest.raises(builtins.TimeoutError) as caught:
        client.create_instance("closeio", CLOSEIO, name="Slow")
    e = caught.value
    assert isinstance(e, ce.TimeoutError) and isinstance(e, ce.CloudElementsError)
    assert isinstance(e, OSError)
    assert "took longer than 300 ms" in str(e)
    assert "may have been created" in str(e)
    assert e.instance_may_exist is True
    assert sandbox.request_count == 1  # sent once, not retried


def test_connection_reset_is_a_transport_error(sandbox, client):
    sandbox.inject("reset")
    with pytest.raises(ce.TransportError) as caught:
        client.create_instance("closeio", CLOSEIO, name="Test")
    assert isinstance(caught.value, ce.CloudElementsError)


def test_nothing_listening_is_a_transport_error(sandbox):
    url = sandbox.url
    sandbox.close()
    client = ce.Client(base_url=url, user_secret="u", organization_secret="o")
    with pytest.raises(ce.TransportError, match="could not connect"):
        client.create_instance("closeio", CLOSEIO, name="Test")


def test_undecodable_answer_is_a_decode_error(sandbox, client):
    sandbox.inject("body", status=200, content_type="text/html", body="<html><body>Bad gateway</body></html>")
    with pytest.raises(ce.DecodeError) as caught:
        client.create_instance("closeio", CLOSEIO, name="Test")
    assert caught.value.status == 200
    assert "HTML" in str(caught.value)


def test_exceptions_pickle_with_their_attributes(sandbox, make_client):
    with pytest.raises(ce.AuthenticationError) as caught:
        make_client(user_secret="nope").create_instance("closeio", CLOSEIO, name="Test")
    again = pickle.loads(pickle.dumps(caught.value))
    assert type(again) is ce.AuthenticationError
    assert (again.status, again.request_id, str(again)) == (401, caught.value.request_id, str(caught.value))


def test_rate_limited_errors_pickle_with_their_attributes(sandbox, client):
    sandbox.inject("status", status=429, retry_after="120")
    with pytest.raises(ce.RateLimitedError) as caught:
        client.create_instance("closeio", CLOSEIO, name="Test")
    again = pickle.loads(pickle.dumps(caught.value))
    assert type(again) is ce.RateLimitedError
    assert (again.status, again.retry_after, again.instance_may_exist) == (429, 120.0, False)
    assert str(again) == str(caught.value)


def raised_by(call):
    with pytest.raises(ce.CloudElementsError) as caught:
        call()
    return caught.value


def test_dual_base_exceptions_pickle_with_their_attributes(sandbox, make_client):
    client = make_client()
    invalid = raised_by(lambda: client.create_instance("closeio", {"username": 1.5, "password": "P"}, name="T"))
    missing = raised_by(lambda: client.create_instance("pardot", {"apikey.user.name": "me"}, name="T"))
    settings = raised_by(lambda: ce.Client(user_secret="u", organization_secret="o", base_url="ftp://x"))
    sandbox.inject("delay", ms=2000)
    timeout = raised_by(lambda: make_client(timeout=0.2).create_instance("closeio", CLOSEIO, name="Slow"))
    client.close()
    closed = raised_by(lambda: client.create_instance("closeio", CLOSEIO, name="T"))

    cases = [invalid, missing, settings, timeout, closed]
    assert [type(e) for e in cases] == [
        ce.InvalidInputError,
        ce.MissingConfigurationError,
        ce.InvalidInputError,
        ce.TimeoutError,
        ce.ClosedError,
    ]
    assert invalid.problems and settings.problems
    assert (missing.element, missing.missing) == ("pardot", ["apikey.user.password", "apikey.user.key"])
    for e in cases:
        again = pickle.loads(pickle.dumps(e))
        assert type(again) is type(e)
        assert (str(again), again.args, vars(again)) == (str(e), e.args, vars(e))
    again = pickle.loads(pickle.dumps(missing))
    assert (again.element, again.missing) == (missing.element, missing.missing)
    assert pickle.loads(pickle.dumps(invalid)).problems == invalid.problems


def test_attributes_have_class_level_defaults():
    # Exceptions made by hand (in a user's tests, say) answer every documented attribute.
    # `status` is an int on every ApiError: made by hand, the class's own status (0 for ApiError).
    statuses = {
        ce.ApiError: 0,
        ce.BadRequestError: 400,
        ce.AuthenticationError: 401,
        ce.PermissionDeniedError: 403,
        ce.NotFoundError: 404,
        ce.ConflictError: 409,
        ce.RateLimitedError: 429,
        ce.ServerError: 500,
    }
    for cls, status in statuses.items():
        e = cls("boom")
        assert (e.status, e.message, e.request_id, e.provider_message, e.body) == (status, None, None, None, None)
        assert e.retry_after is None
    for name in ce.__all__:
        cls = getattr(ce, name)
        if isinstance(cls, type) and issubclass(cls, BaseException):
            assert cls("boom").instance_may_exist is False, name
            assert cls("boom").outcome_unknown is False, name
    assert ce.TimeoutError("boom").instance_may_exist is False
    assert (ce.TimeoutError("boom").kind, ce.TimeoutError("boom").limit, ce.TransportError("boom").kind) == (None,) * 3
    assert ce.DecodeError("boom").status is None
    assert ce.InvalidInputError("boom").problems == ()
    e = ce.MissingConfigurationError("boom")
    assert (e.element, e.missing) == (None, ())


def test_hierarchy():
    for name in [
        "InvalidInputError",
        "MissingConfigurationError",
        "ApiError",
        "TransportError",
        "TimeoutError",
        "DecodeError",
        "ClosedError",
    ]:
        cls = getattr(ce, name)
        assert issubclass(cls, ce.CloudElementsError), name
        assert cls.__module__ == "cloud_elements", name
    assert issubclass(ce.AuthenticationError, ce.ApiError)
    assert issubclass(ce.NotFoundError, ce.ApiError)
    assert issubclass(ce.RateLimitedError, ce.ApiError)
    for cls in (ce.BadRequestError, ce.PermissionDeniedError, ce.ConflictError, ce.ServerError):
        assert issubclass(cls, ce.ApiError) and cls.__module__ == "cloud_elements", cls
    assert ce.RateLimitedError.__module__ == "cloud_elements"
    assert issubclass(ce.TimeoutError, builtins.TimeoutError)
    assert issubclass(ce.InvalidInputError, ValueError)
    assert issubclass(ce.MissingConfigurationError, ValueError)
    assert issubclass(ce.ClosedError, RuntimeError)
    assert issubclass(ce.CloudElementsError, Exception)
