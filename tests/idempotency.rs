//! Idempotency keys over loopback: a keyed create run twice gives one instance, the second time
//! reported as already existing; bad keys are refused before sending; with the sandbox's
//! create-then-reset fault a keyed create (and a rerun after a failed one) ends with exactly one
//! instance.

use std::time::Duration;

use cloud_elements::{Client, CreateOutcome, ErrorKind, InstanceRequest, PROVISIONING_TAG_PREFIX};
use cloud_elements_sandbox::{Fault, FaultKind, Sandbox};

fn client(sb: &Sandbox) -> Client {
    Client::builder()
        .base_url(sb.url())
        .user_secret(sb.user_secret())
        .organization_secret(sb.organization_secret())
        .backoff(Duration::from_millis(20), Duration::from_millis(100))
        .build()
        .unwrap()
}

fn keyed(name: &str, key: &str) -> InstanceRequest {
    InstanceRequest::new("closeio", name).config("username", "MY_KEY").config("password", "MY_PW").idempotency_key(key)
}

fn methods(sb: &Sandbox) -> Vec<String> {
    sb.requests().into_iter().map(|r| r.method).collect()
}

#[test]
fn the_same_key_twice_gives_one_instance_the_second_time_as_already_existing() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb);
    let (first, outcome) = c.create_instance_outcome(&keyed("Sales", "customer-42")).unwrap();
    assert_eq!(outcome, CreateOutcome::Created);
    assert!(outcome.is_created());
    // Looked up first (the platform's 404: none), then created with the key's tag.
    assert_eq!(methods(&sb), ["GET", "POST"]);
    let tags = first.raw()["tags"].as_array().unwrap().clone();
    assert_eq!(tags, [serde_json::json!(format!("{PROVISIONING_TAG_PREFIX}customer-42"))]);

    let (second, outcome) = c.create_instance_outcome(&keyed("Sales", "customer-42")).unwrap();
    assert_eq!(outcome, CreateOutcome::AlreadyExisted);
    assert!(!outcome.is_created());
    assert_eq!(second.id, first.id);
    assert_eq!(second.token.expose(), first.token.expose());
    // And through the plain create, from another client (another process, say).
    assert_eq!(client(&sb).create_instance(&keyed("Sales", "customer-42")).unwrap().id, first.id);
    assert_eq!(sb.instances().len(), 1);
    assert_eq!(methods(&sb), ["GET", "POST", "GET", "GET"]);

    // Another key is another instance; the lookup finds each by its own key.
    let (other, outcome) = c.create_instance_outcome(&keyed("Sales", "customer-43")).unwrap();
    assert_eq!(outcome, CreateOutcome::Created);
    assert_ne!(other.id, first.id);
    assert_eq!(c.find_instance_by_idempotency_key("customer-42").unwrap().map(|i| i.id), Some(first.id));
    assert_eq!(c.find_instance_by_idempotency_key("customer-43").unwrap().map(|i| i.id), Some(other.id));
    assert!(c.find_instance_by_idempotency_key("customer-44").unwrap().is_none());

    // Without a key nothing is looked up, and every create creates.
    let plain = InstanceRequest::new("closeio", "Plain").config("username", "k").config("password", "p");
    let (_, outcome) = c.create_instance_outcome(&plain).unwrap();
    let (_, again) = c.create_instance_outcome(&plain).unwrap();
    assert_eq!((outcome, again), (CreateOutcome::Created, CreateOutcome::Created));
    assert_eq!(sb.instances().len(), 4);
}

#[test]
fn invalid_keys_are_refused_before_anything_is_sent() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb);
    let long = "k".repeat(65);
    for bad in ["", "has space", "slash/key", "ключ", long.as_str()] {
        let err = c.create_instance(&keyed("Sales", bad)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad}: {err}");
        assert!(err.to_string().contains("idempotency key"), "{err}");
        let err = c.find_instance_by_idempotency_key(bad).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad}: {err}");
    }
    // Every problem at once: the key's and the missing entries.
    let err = c.create_instance(&InstanceRequest::new("closeio", "x").idempotency_key("a b")).unwrap_err();
    assert!(err.to_string().contains("idempotency key") && err.to_string().contains("username, password"), "{err}");
    assert_eq!(sb.request_count(), 0);
    c.create_instance(&keyed("Sales", &"k".repeat(64))).unwrap();

    // A key already used for an instance of another element is refused, nothing created.
    let pardot = InstanceRequest::new("pardot", "Marketing")
        .config("apikey.user.name", "n")
        .config("apikey.user.password", "p")
        .config("apikey.user.key", "k")
        .idempotency_key("k".repeat(64));
    let err = c.create_instance(&pardot).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("already used by instance") && err.to_string().contains("`closeio`"), "{err}");
    assert_eq!(sb.instances().len(), 1);
}

#[test]
fn a_keyed_create_whose_answer_is_lost_ends_with_one_instance() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb);
    // The create is carried out and its answer lost: the lookup finds it.
    sb.inject(Fault::new(FaultKind::CreateThenReset).method("POST"));
    let (instance, outcome) = c.create_instance_outcome(&keyed("Lost", "batch-1.rec-1")).unwrap();
    assert_eq!(outcome, CreateOutcome::Created);
    assert_eq!(methods(&sb), ["GET", "POST", "GET"]);
    assert_eq!(sb.instances().len(), 1);
    assert_eq!(sb.instances()[0]["id"], instance.id);

    // A run that dies after such a failure (the lookup fails too), run again, gets the instance back.
    sb.inject(Fault::new(FaultKind::CreateThenReset).method("POST"));
    sb.inject(Fault::new(FaultKind::Reset).method("GET").times(10));
    let err = c.create_instance(&keyed("Lost", "batch-1.rec-2")).unwrap_err();
    // The first lookup (before the create) is retried and gives up: nothing was created.
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    assert_eq!(sb.instances().len(), 1);
    sb.clear_faults();
    sb.inject(Fault::new(FaultKind::CreateThenReset).method("POST"));
    sb.inject(Fault::new(FaultKind::Reset).method("GET").every(2).times(2));
    let err = c.create_instance(&keyed("Lost", "batch-1.rec-2")).unwrap_err();
    assert!(err.instance_may_exist(), "{err:?}");
    assert_eq!(sb.instances().len(), 2);
    sb.clear_faults();
    let (again, outcome) = c.create_instance_outcome(&keyed("Lost", "batch-1.rec-2")).unwrap();
    assert_eq!(outcome, CreateOutcome::AlreadyExisted);
    assert_eq!(sb.instances().len(), 2, "exactly one instance per key");
    let tagged = sb
        .instances()
        .iter()
        .filter(|i| i["tags"].as_array().unwrap().iter().any(|t| t == "ce-provision-batch-1.rec-2"))
        .count();
    assert_eq!(tagged, 1);
    assert_eq!(again.name.as_deref(), Some("Lost"));
}

#[test]
fn keyed_creates_under_repeated_lost_answers_never_duplicate() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb);
    sb.inject(Fault::new(FaultKind::CreateThenReset).every(2).times(1000).method("POST"));
    for round in 0..2 {
        for i in 0..20 {
            let (_, outcome) = c.create_instance_outcome(&keyed(&format!("n{i}"), &format!("rec-{i}"))).unwrap();
            assert_eq!(outcome.is_created(), round == 0, "round {round}, record {i}");
        }
    }
    assert_eq!(sb.instances().len(), 20);
}

#[test]
fn the_key_round_trips_through_the_documented_json() {
    let request = keyed("Sales", "k-1").tag("team-a");
    let json = request.to_json();
    assert!(json.contains(r#""tags":["team-a","ce-provision-k-1"]"#), "{json}");
    let parsed = InstanceRequest::from_json(&json).unwrap();
    assert_eq!(parsed.get_idempotency_key(), Some("k-1"));
    assert_eq!(parsed.tags(), ["team-a"]);
    assert!(parsed == request);
}
