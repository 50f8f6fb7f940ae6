//! `Client::create_instance` against the sandbox, over real loopback HTTP.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cloud_elements::{Client, Error, ErrorKind, Instance, InstanceRequest, TimeoutKind, TransportKind};
use cloud_elements_sandbox::{Fault, FaultKind, Sandbox};

fn client(sb: &Sandbox) -> Client {
    client_with_timeout(sb, Duration::from_secs(10))
}

fn client_with_timeout(sb: &Sandbox, timeout: Duration) -> Client {
    Client::builder()
        .base_url(sb.url())
        .user_secret(sb.user_secret())
        .organization_secret(sb.organization_secret())
        .timeout(timeout)
        .build()
        .unwrap()
}

fn closeio(name: &str) -> InstanceRequest {
    InstanceRequest::new("closeio", name).config("username", "MY_KEY").config("password", "MY_PW").tag("demo")
}

/// The documentation's JSON with the white space outside strings removed: its bytes, in its order.
fn compact(json: &str) -> String {
    let (mut out, mut in_string, mut escaped) = (String::new(), false, false);
    for c in json.chars() {
        if in_string {
            escaped = !escaped && c == '\\';
            in_string = escaped || c != '"';
        } else if c == '"' {
            in_string = true;
        } else if c.is_whitespace() {
            continue;
        }
        out.push(c);
    }
    out
}

#[test]
fn documented_requests_are_sent_byte_for_byte() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb);
    for (sample, key) in [
        (include_str!("fixtures/closeio-instance.json"), "closeio"),
        (include_str!("fixtures/pardot-instance.json"), "pardot"),
    ] {
        sb.reset();
        let instance = c.create_instance(&InstanceRequest::from_json(sample).unwrap()).unwrap();
        assert_eq!(instance.element.key.as_deref(), Some(key));
        let requests = sb.requests();
        assert_eq!(requests.len(), 1);
        let r = &requests[0];
        assert_eq!(r.method, "POST");
        assert_eq!(r.target, "/elements/api-v2/instances");
        assert_eq!(
            r.header("authorization"),
            Some(format!("User {}, Organization {}", sb.user_secret(), sb.organization_secret()).as_str())
        );
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(r.header("accept"), Some("application/json"));
        assert_eq!(r.header("user-agent"), Some(concat!("cloud-elements-rust/", env!("CARGO_PKG_VERSION"))));
        assert_eq!(r.header("content-length"), Some(r.body.len().to_string().as_str()));
        assert_eq!(String::from_utf8(r.body.clone()).unwrap(), compact(sample));
    }
}

#[test]
fn creates_closeio_and_pardot_instances() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb);
    let a = c.create_instance(&closeio("Sales")).unwrap();
    assert_eq!(a.name.as_deref(), Some("Sales"));
    assert_eq!(a.element.key.as_deref(), Some("closeio"));
    assert_eq!(a.element.id, Some(146));
    assert_eq!(a.element.hub.as_deref(), Some("crm"));
    let config = a.configuration.as_ref().unwrap();
    assert_eq!(config["base.url"].expose(), "https://app.close.io/api/v1");
    assert_eq!(config["pagination.max"].expose(), "100");
    assert_eq!(config["password"].expose(), "MY_PW");
    assert_eq!(a.extra["tags"], serde_json::json!(["demo"]));

    let b = c
        .create_instance(
            &InstanceRequest::new("pardot", "Marketing")
                .config("apikey.user.name", "me@example.com")
                .config("apikey.user.password", "pw")
                .config("apikey.user.key", "key"),
        )
        .unwrap();
    assert_eq!(b.element.key.as_deref(), Some("pardot"));
    assert_eq!(b.element.id, Some(90));
    assert_eq!(b.element.hub.as_deref(), Some("marketing"));
    assert_eq!(b.element.authentication.as_ref().unwrap().kind.as_deref(), Some("apiKey"));
    // provider.version is sent only when given: the platform's default applies.
    let body = String::from_utf8(sb.requests()[1].body.clone()).unwrap();
    assert!(!body.contains("provider.version"), "{body}");
    assert_ne!(a.id, b.id);
    assert_ne!(a.token, b.token);
    assert_eq!(sb.instances().len(), 2);
}

#[test]
fn documented_sample_responses_parse_over_http() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb);
    for (sample, id) in
        [(include_str!("fixtures/closeio-response.json"), 12), (include_str!("fixtures/pardot-response.json"), 1234)]
    {
        sb.inject(Fault::new(FaultKind::Body {
            status: 200,
            content_type: "application/json".into(),
            body: sample.into(),
            body_hex: None,
        }));
        let i = c.create_instance(&closeio("Test")).unwrap();
        assert_eq!(i.id, id);
        assert_eq!(i.raw_json(), sample);
        assert_eq!(i.raw_json(), Instance::from_json(sample).unwrap().raw_json());
    }
}

#[test]
fn missing_configuration_names_every_entry_and_sends_nothing() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb);
    for (request, element, missing) in [
        (InstanceRequest::new("closeio", "x"), "closeio", vec!["username", "password"]),
        (InstanceRequest::new("closeio", "x").config("username", "k"), "closeio", vec!["password"]),
        // A blank Close.io password is allowed (Close.io's API takes the key as the user name).
        (InstanceRequest::new("closeio", "x").config("password", ""), "closeio", vec!["username"]),
        (InstanceRequest::new("closeio", "x").config("username", " "), "closeio", vec!["username", "password"]),
        (
            InstanceRequest::new("pardot", "x").config("apikey.user.name", "x"),
            "pardot",
            vec!["apikey.user.password", "apikey.user.key"],
        ),
        (
            InstanceRequest::new("pardot", "x").config("provider.version", "4"),
            "pardot",
            vec!["apikey.user.name", "apikey.user.password", "apikey.user.key"],
        ),
    ] {
        let err = c.create_instance(&request).unwrap_err();
        match &err {
            Error::MissingConfiguration { element: e, missing: m } => {
                assert_eq!(e, element);
                assert_eq!(m, &missing);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(err.kind(), ErrorKind::MissingConfiguration);
        assert!(err.to_string().contains(&missing.join(", ")), "{err}");
    }
    assert_eq!(sb.request_count(), 0, "invalid requests reached the server");
}

#[test]
fn invalid_input_sends_nothing() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb);
    for request in [
        InstanceRequest::new("", "x"),
        InstanceRequest::new("closeio", " "),
        closeio("x").config("password", "\u{2018}pw\u{2019}"),
        closeio("x").config("provider.version", "4").config("event.vendor.type", "push"),
    ] {
        let err = c.create_instance(&request).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err:?}");
    }
    assert_eq!(sb.request_count(), 0);
}

#[test]
fn unauthorized_carries_the_servers_message_and_request_id() {
    let sb = Sandbox::start().unwrap();
    let bad = Client::builder()
        .base_url(sb.url())
        .user_secret("wrong-user-secret")
        .organization_secret(sb.organization_secret())
        .build()
        .unwrap();
    let err = bad.create_instance(&closeio("x")).unwrap_err();
    let Error::Api(api) = &err else { panic!("{err:?}") };
    assert_eq!(api.status, 401);
    assert_eq!(err.kind(), ErrorKind::Unauthorized);
    let body: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(api.message.as_deref(), body["message"].as_str());
    assert_eq!(api.request_id.as_deref(), body["requestId"].as_str());
    assert!(api.request_id.as_deref().is_some_and(|id| !id.is_empty()));
    assert!(err.to_string().contains(api.message.as_deref().unwrap()), "{err}");
    assert!(!err.to_string().contains("wrong-user-secret"));

    // Exactly what the server said, field by field.
    let c = client(&sb);
    sb.inject(Fault::new(FaultKind::Body {
        status: 401,
        content_type: "application/json".into(),
        body: r#"{"requestId":"5a1b2c","message":"Invalid Organization or User secret, or invalid Element token provided."}"#
            .into(), body_hex: None
    }));
    let err = c.create_instance(&closeio("x")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "HTTP 401: Invalid Organization or User secret, or invalid Element token provided. [request id 5a1b2c]"
    );
    assert_eq!(err.request_id(), Some("5a1b2c"));
}

#[test]
fn unknown_element_is_found_before_sending_or_left_to_the_server() {
    let sb = Sandbox::start().unwrap();
    let request = InstanceRequest::new("nosuchelement", "x").config("a", "b");
    // By default the element's definition is asked for: a 404 there is an unknown element, and
    // nothing is posted.
    let err = client(&sb).create_instance(&request).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownElement, "{err:?}");
    assert_eq!(err.to_string(), "no element with key `nosuchelement`");
    assert!(sb.requests().iter().all(|r| r.method == "GET"));
    // Without validation the server decides.
    sb.reset();
    let off = Client::builder()
        .base_url(sb.url())
        .user_secret(sb.user_secret())
        .organization_secret(sb.organization_secret())
        .validation(cloud_elements::Validation::Off)
        .build()
        .unwrap();
    let err = off.create_instance(&request).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err:?}");
    assert!(err.to_string().contains("nosuchelement"), "{err}");
    assert_eq!(sb.request_count(), 1);
}

#[test]
fn server_errors_keep_status_message_and_provider_message() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb);
    sb.inject(Fault::new(FaultKind::Status {
        status: 502,
        message: Some("Provider error".into()),
        provider_message: Some("Pardot said: invalid API key".into()),
        retry_after: None,
    }));
    let err = c.create_instance(&closeio("x")).unwrap_err();
    let Error::Api(api) = &err else { panic!("{err:?}") };
    assert_eq!(api.status, 502);
    assert_eq!(api.message.as_deref(), Some("Provider error"));
    assert_eq!(api.provider_message.as_deref(), Some("Pardot said: invalid API key"));
    assert!(api.request_id.is_some());
    assert_eq!(sb.instances().len(), 0);
}

#[test]
fn malformed_replies_are_decode_or_transport_errors() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb);
    let body = |status: u16, content_type: &str, body: &str| {
        Fault::new(FaultKind::Body { status, content_type: content_type.into(), body: body.into(), body_hex: None })
    };
    for (fault, kind, words) in [
        (body(200, "text/html", "<html><body>Proxy login</body></html>"), ErrorKind::Decode, "HTML"),
        (body(200, "application/json", "{\"id\": 1, \"token\""), ErrorKind::Decode, "not JSON"),
        (body(200, "application/json", r#"{"id": 7, "name": "x"}"#), ErrorKind::Decode, "no instance token"),
        (body(200, "application/json", r#"{"id": 7, "token": ""}"#), ErrorKind::Decode, "token is empty"),
        (body(200, "application/json", ""), ErrorKind::Decode, "not JSON"),
        (body(502, "text/html", "<html>Bad Gateway</html>"), ErrorKind::Api, "HTTP 502"),
        (body(302, "text/html", ""), ErrorKind::Decode, "unexpected HTTP status"),
    ] {
        sb.inject(fault);
        let err = c.create_instance(&closeio("x")).unwrap_err();
        assert_eq!(err.kind(), kind, "{err:?}");
        assert!(err.to_string().contains(words), "{words:?} not in {err}");
    }

    sb.inject(Fault::new(FaultKind::Truncate));
    let err = c.create_instance(&closeio("x")).unwrap_err();
    assert!(matches!(err, Error::Transport { kind: TransportKind::Reset | TransportKind::Protocol, .. }), "{err:?}");
    assert!(err.to_string().contains("may have been created"), "{err}");

    sb.inject(Fault::new(FaultKind::Reset));
    let err = c.create_instance(&closeio("x")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err:?}");

    // After all that, the same client still works.
    c.create_instance(&closeio("x")).unwrap();
}

#[test]
fn a_delay_past_the_timeout_is_a_timeout_error() {
    let sb = Sandbox::start().unwrap();
    let c = client_with_timeout(&sb, Duration::from_millis(300));
    sb.inject(Fault::new(FaultKind::Delay { ms: 3000 }));
    let started = Instant::now();
    let err = c.create_instance(&closeio("x")).unwrap_err();
    let elapsed = started.elapsed();
    assert!(matches!(err, Error::Timeout { kind: TimeoutKind::Overall, .. }), "{err:?}");
    assert!(elapsed < Duration::from_millis(1300), "took {elapsed:?}");
    assert!(err.to_string().contains("300 ms"), "{err}");
}

#[test]
fn a_refused_connection_is_a_transport_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let c = Client::builder()
        .base_url(format!("http://127.0.0.1:{port}/elements/api-v2"))
        .user_secret("u")
        .organization_secret("o")
        .build()
        .unwrap();
    let err = c.create_instance(&closeio("x")).unwrap_err();
    assert!(matches!(err, Error::Transport { kind: TransportKind::Connect, .. }), "{err:?}");
    assert!(std::error::Error::source(&err).is_some());
}

#[test]
fn an_https_client_reports_a_refused_connection() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let c = Client::builder()
        .base_url(format!("https://127.0.0.1:{port}/elements/api-v2"))
        .user_secret("u-secret")
        .organization_secret("o-secret")
        .build()
        .unwrap();
    let err = c.create_instance(&closeio("x")).unwrap_err();
    assert!(matches!(err, Error::Transport { kind: TransportKind::Connect, .. }), "{err:?}");
}

#[test]
fn secrets_never_appear_in_debug_or_display() {
    let sb = Sandbox::builder().user_secret("USERSECRET-7f3a").organization_secret("ORGSECRET-9b1c").start().unwrap();
    let c = client(&sb);
    let secrets = ["USERSECRET-7f3a", "ORGSECRET-9b1c", "PASSWORD-42e8", "APIKEY-c0d5"];
    let request =
        InstanceRequest::new("closeio", "x").config("username", "APIKEY-c0d5").config("password", "PASSWORD-42e8");
    let mut printed = vec![format!("{c:?}"), format!("{request:?}"), format!("{:?}", c.authorization_for("TOKEN"))];

    let ok = c.create_instance(&request).unwrap();
    printed.push(format!("{ok:?} {ok:#?}"));
    let token = ok.token.expose().to_owned();

    // Errors whose server text echoes the secrets.
    let echo = r#"{"requestId":"r","message":"bad password PASSWORD-42e8 for USERSECRET-7f3a","providerMessage":"APIKEY-c0d5 rejected"}"#.to_owned();
    for fault in [
        FaultKind::Body { status: 400, content_type: "application/json".into(), body: echo.clone(), body_hex: None },
        FaultKind::Body { status: 200, content_type: "text/plain".into(), body: echo.clone(), body_hex: None },
        FaultKind::Body {
            status: 200,
            content_type: "application/json".into(),
            body: echo.replace("requestId", "id"),
            body_hex: None,
        },
        FaultKind::Status {
            status: 500,
            message: Some("ORGSECRET-9b1c leaked".into()),
            provider_message: None,
            retry_after: None,
        },
        FaultKind::Reset,
        FaultKind::Truncate,
    ] {
        sb.inject(Fault::new(fault));
        let err = c.create_instance(&request).unwrap_err();
        printed.push(format!("{err:?} {err:#?} {err}"));
    }
    // A password with characters JSON escapes, echoed escaped, and secrets in wrongly typed fields.
    let tricky =
        InstanceRequest::new("closeio", "x").config("username", "APIKEY-c0d5").config("password", "PASS\"WÖRD/9f");
    for body in [
        r#"{"requestId":"r","message":"bad password PASS\"WÖRD\/9f","providerMessage":"PASS\"W\u00d6RD/9f"}"#,
        r#"{"requestId":"r","message":"bad password PASS\"W\u00D6RD\/9f"}"#,
    ] {
        sb.inject(Fault::new(FaultKind::Body {
            status: 400,
            content_type: "application/json".into(),
            body: body.into(),
            body_hex: None,
        }));
        let err = c.create_instance(&tricky).unwrap_err();
        printed.push(format!("{err:?} {err}"));
    }
    // The server's token, unknown to the client, in answers it cannot decode.
    for (status, body) in [
        (200, r#"{"id": 7, "token": "TOKEN-d1e2f3=", "name": "x",}"#),
        (302, r#"{"id": 7, "token": "TOKEN-d1e2f3="}"#),
        (200, r#"{"id": 7, "token": "TOKEN-d1e2f3=", "valid": "nope"}"#),
    ] {
        sb.inject(Fault::new(FaultKind::Body {
            status,
            content_type: "application/json".into(),
            body: body.into(),
            body_hex: None,
        }));
        let err = c.create_instance(&request).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "{err:?}");
        printed.push(format!("{err:?} {err}"));
    }
    for body in [
        r#"{"id": 5, "token": "tok", "valid": "PASSWORD-42e8"}"#,
        r#"{"id": "APIKEY-c0d5", "token": "tok"}"#,
        r#"{"id": 5, "token": "tok", "element": {"hub": ["USERSECRET-7f3a"]}}"#,
    ] {
        sb.inject(Fault::new(FaultKind::Body {
            status: 200,
            content_type: "application/json".into(),
            body: body.into(),
            body_hex: None,
        }));
        let err = c.create_instance(&request).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "{err:?}");
        printed.push(format!("{err:?} {err}"));
    }
    printed.push(format!(
        "{:?}",
        c.create_instance(&InstanceRequest::new("closeio", "x").config("password", "PASSWORD-42e8"))
    ));
    let wrong = Client::builder()
        .base_url(sb.url())
        .user_secret("USERSECRET-7f3a")
        .organization_secret("ORGSECRET-x")
        .build()
        .unwrap();
    let err = wrong.create_instance(&request).unwrap_err();
    printed.push(format!("{err:?} {err}"));

    for text in &printed {
        for secret in secrets.iter().copied().chain([
            token.as_str(),
            "TOKEN-d1e2f3",
            "PASS\"WÖRD/9f",
            "WÖRD",
            "W\\u00d6RD",
            "W\\u00D6RD",
        ]) {
            assert!(!text.contains(secret), "{secret} printed in: {text}");
        }
    }
}

#[test]
fn one_client_shared_by_eight_threads() {
    let sb = Sandbox::start().unwrap();
    let c = Arc::new(client(&sb));
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let c = Arc::clone(&c);
            std::thread::spawn(move || {
                (0..25)
                    .map(|i| c.create_instance(&closeio(&format!("t{t}-{i}"))).unwrap().token.into_inner())
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let tokens: HashSet<String> = threads.into_iter().flat_map(|t| t.join().unwrap()).collect();
    assert_eq!(tokens.len(), 200);
    assert_eq!(sb.instances().len(), 200);
    // About one connection per thread, each reused (ureq's default pool of 3 idle per host made ~30).
    assert!(sb.connection_count() <= 12, "{} connections for 200 creates", sb.connection_count());
}

#[test]
fn authorization_for_an_instance() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb);
    let i = c.create_instance(&closeio("x")).unwrap();
    assert_eq!(
        c.authorization_for(i.token.expose()).expose(),
        format!("User {}, Organization {}, Element {}", sb.user_secret(), sb.organization_secret(), i.token.expose())
    );
}

#[test]
fn connections_are_kept_alive_and_reused() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb);
    for i in 0..20 {
        c.create_instance(&closeio(&format!("n{i}"))).unwrap();
    }
    // Error answers are read to the end too, so their connection goes back to the pool (here the
    // 404 of the unknown element's definition, then the element list).
    let err = c.create_instance(&InstanceRequest::new("nosuchelement", "x")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownElement);
    let clone = c.clone();
    clone.create_instance(&closeio("from a clone")).unwrap();
    assert_eq!(sb.request_count(), 23);
    assert_eq!(sb.connection_count(), 1, "every request should reuse the first connection");
}

#[test]
fn an_ambiguous_failure_is_never_resent_without_idempotent_provisioning() {
    let sb = Sandbox::start().unwrap();
    let c = client_with_timeout(&sb, Duration::from_millis(300));
    for fault in [
        FaultKind::Reset,
        FaultKind::Truncate,
        FaultKind::ResetMidBody,
        FaultKind::CreateThenReset,
        FaultKind::Delay { ms: 1000 },
        FaultKind::Status { status: 500, message: None, provider_message: None, retry_after: None },
        FaultKind::Status { status: 502, message: None, provider_message: None, retry_after: None },
    ] {
        sb.reset();
        sb.inject(Fault::new(fault.clone()));
        assert!(c.create_instance(&closeio("once")).is_err(), "{fault:?}");
        assert_eq!(sb.request_count(), 1, "{fault:?} was followed by another request");
    }
}
