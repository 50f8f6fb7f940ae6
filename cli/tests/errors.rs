//! Exit statuses: one per kind of failure, the message on standard error, no secret printed.

mod common;

use cloud_elements_sandbox::{Fault, FaultKind};
use common::{API_KEY, ORG_SECRET, USER_SECRET, create, run, run_with, sandbox, scan};

fn status_fault(status: u16, retry_after: Option<&str>) -> Fault {
    Fault::new(FaultKind::Status {
        status,
        message: None,
        provider_message: None,
        retry_after: retry_after.map(Into::into),
    })
}

#[test]
fn missing_configuration_is_3_and_names_what_is_missing() {
    let none = run_with(&[], &["instances", "list"]).failed(3);
    for name in ["CLOUD_ELEMENTS_USER_SECRET", "CLOUD_ELEMENTS_ORG_SECRET", "--user-secret-file", "--org-secret-file"] {
        assert!(none.stderr.contains(name), "{name}: {none:?}");
    }
    assert!(none.stdout.is_empty());

    let half = run_with(&[("CLOUD_ELEMENTS_USER_SECRET", USER_SECRET)], &["instances", "get", "1"]).failed(3);
    assert!(half.stderr.contains("CLOUD_ELEMENTS_ORG_SECRET") && !half.stderr.contains("USER_SECRET"), "{half:?}");
    scan(&half);

    let file =
        run_with(&[], &["instances", "list", "--user-secret-file", "/nonexistent/user", "--org-secret-file", "/"])
            .failed(3);
    assert!(file.stderr.contains("/nonexistent/user") && file.stderr.contains("organization secret"), "{file:?}");
}

#[test]
fn secrets_come_from_files() {
    let sandbox = sandbox();
    let dir = std::env::temp_dir().join(format!("cli-secret-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (user, org, empty) = (dir.join("user"), dir.join("org"), dir.join("empty"));
    std::fs::write(&user, format!("{USER_SECRET}\n")).unwrap();
    std::fs::write(&org, ORG_SECRET).unwrap();
    std::fs::write(&empty, "\n").unwrap();
    let (user, org, empty) = (user.to_str().unwrap(), org.to_str().unwrap(), empty.to_str().unwrap());
    let listed = run_with(
        &[],
        &["instances", "list", "--base-url", sandbox.url(), "--user-secret-file", user, "--org-secret-file", org],
    );
    scan(&listed);
    assert_eq!(listed.ok().stdout, "[]\n");
    let refused =
        run_with(&[("CLOUD_ELEMENTS_ORG_SECRET", ORG_SECRET)], &["instances", "list", "--user-secret-file", empty]);
    assert!(refused.failed(3).stderr.contains("is empty"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn invalid_input_is_3_and_nothing_is_sent() {
    let sandbox = sandbox();
    let missing = run(&sandbox, &["instances", "create", "pardot", "apikey.user.name=me"]).failed(3);
    assert!(missing.stderr.contains("apikey.user.password, apikey.user.key"), "{missing:?}");
    let dry = run(&sandbox, &["instances", "create", "pardot", "apikey.user.name=me", "--dry-run"]).failed(3);
    assert!(dry.stderr.contains("apikey.user.password, apikey.user.key"), "{dry:?}");
    let quote = run(&sandbox, &["instances", "create", "closeio", "username=\u{201C}x-sekret\u{201D}", "password=p"]);
    assert!(quote.failed(3).stderr.contains("typographic quote"));
    assert_eq!(sandbox.request_count(), 0);
}

#[test]
fn usage_errors_are_2() {
    let sandbox = sandbox();
    run(&sandbox, &["instances", "create", "closeio", "not-an-entry"]).failed(2);
    run(&sandbox, &["instances", "create"]).failed(2);
    run(&sandbox, &["instances", "get", "abc"]).failed(2);
    run(&sandbox, &["instances", "frobnicate"]).failed(2);
    run(&sandbox, &["instances", "list", "--output", "yaml"]).failed(2);
    run(&sandbox, &["instances", "list", "--user-secret", USER_SECRET]).failed(2);
    assert_eq!(sandbox.request_count(), 0);
}

#[test]
fn refused_credentials_are_4() {
    let sandbox = sandbox();
    let env = [
        ("CLOUD_ELEMENTS_BASE_URL", sandbox.url()),
        ("CLOUD_ELEMENTS_USER_SECRET", "wrong-sekret"),
        ("CLOUD_ELEMENTS_ORG_SECRET", ORG_SECRET),
    ];
    for args in [&["instances", "list"][..], &["instances", "create", "closeio", "username=u", "password=p"]] {
        let refused = run_with(&env, args).failed(4);
        assert!(refused.stderr.contains("HTTP 401"), "{refused:?}");
        scan(&refused);
    }
}

#[test]
fn not_found_is_5() {
    let sandbox = sandbox();
    for args in [
        &["instances", "get", "42"][..],
        &["instances", "delete", "42"],
        &["instances", "update", "42", "--name", "x"],
        &["instances", "disable", "42"],
        &["instances", "ping", "42"],
        &["instances", "config", "set", "42", "k", "v"],
    ] {
        let missing = run(&sandbox, args).failed(5);
        assert!(missing.stderr.contains("HTTP 404"), "{missing:?}");
    }
}

#[test]
fn an_unreachable_server_is_7() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}/elements/api-v2");
    let env = [
        ("CLOUD_ELEMENTS_BASE_URL", url.as_str()),
        ("CLOUD_ELEMENTS_USER_SECRET", USER_SECRET),
        ("CLOUD_ELEMENTS_ORG_SECRET", ORG_SECRET),
    ];
    let started = std::time::Instant::now();
    for args in
        [&["instances", "list", "--timeout", "5"][..], &["instances", "create", "closeio", "username=u", "password=p"]]
    {
        let unreachable = run_with(&env, args).failed(7);
        scan(&unreachable);
    }
    assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
}

#[test]
fn other_api_errors_are_6_and_an_unknown_outcome_is_8() {
    let sandbox = sandbox();
    let username = format!("username={API_KEY}");
    let create_args = ["instances", "create", "closeio", &username, "password=p-sekret", "--timeout", "5"];

    // A 429 asking for a wait longer than the timeout: the client gives up at once.
    sandbox.inject(status_fault(429, Some("120")).method("POST"));
    let limited = run(&sandbox, &create_args).failed(6);
    assert!(limited.stderr.contains("HTTP 429") && limited.stderr.contains("retry after 120 s"), "{limited:?}");

    // A 500 to a create: the instance may exist.
    sandbox.inject(status_fault(500, None).method("POST"));
    let unknown = run(&sandbox, &create_args).failed(8);
    assert!(unknown.stderr.contains("may have taken effect"), "{unknown:?}");

    // The same answer to a read changes nothing: an API error.
    create(&sandbox, "x", &[]);
    sandbox.inject(status_fault(500, None).method("GET").times(10));
    let read = run(&sandbox, &["instances", "get", "1", "--timeout", "5"]).failed(6);
    assert!(read.stderr.contains("HTTP 500") && !read.stderr.contains("may have taken effect"), "{read:?}");
}

#[test]
fn a_create_whose_answer_is_lost_is_8() {
    let sandbox = sandbox();
    let create_args = ["instances", "create", "closeio", "username=u", "password=p-sekret"];

    // Created, then the connection reset before the answer.
    sandbox.inject(Fault::new(FaultKind::CreateThenReset).method("POST"));
    let reset = run(&sandbox, &create_args).failed(8);
    assert!(reset.stderr.contains("may have taken effect"), "{reset:?}");
    assert_eq!(sandbox.instances().len(), 1, "the instance exists");

    // A create slower than the timeout (the sandbox's latency): the answer never came.
    let slow = cloud_elements_sandbox::Sandbox::builder()
        .user_secret(USER_SECRET)
        .organization_secret(ORG_SECRET)
        .latency(std::time::Duration::from_millis(2500))
        .start()
        .unwrap();
    let timed_out = run(&slow, &[&create_args[..], &["--timeout", "1"]].concat()).failed(8);
    assert!(timed_out.stderr.contains("timed out"), "{timed_out:?}");
    // A read that times out changed nothing: a transport failure.
    slow.inject(Fault::new(FaultKind::Delay { ms: 2500 }).method("GET"));
    run(&slow, &["instances", "list", "--timeout", "1"]).failed(7);
}
