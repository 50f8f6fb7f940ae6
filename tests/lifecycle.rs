//! The instance lifecycle over real loopback HTTP against the sandbox: list, get, update, delete,
//! disable/enable, ping, configuration read and changed; errors typed and free of secrets.
//! Retries of the idempotent calls are in tests/lifecycle_retries.rs.

use std::time::Duration;

use cloud_elements::{Client, Effect, Error, ErrorKind, Instance, InstanceFilter, InstanceRequest, InstanceUpdate};
use cloud_elements_sandbox::{Fault, FaultKind, Sandbox};

fn client_at(sb: &Sandbox, base_url: &str) -> Client {
    Client::builder()
        .base_url(base_url)
        .user_secret(sb.user_secret())
        .organization_secret(sb.organization_secret())
        .timeout(Duration::from_secs(10))
        .backoff(Duration::from_millis(10), Duration::from_millis(50))
        .build()
        .unwrap()
}

fn client(sb: &Sandbox) -> Client {
    client_at(sb, sb.url())
}

const PASSWORD: &str = "Pw-LIFECYCLE-secret-1";
const API_KEY: &str = "Key-LIFECYCLE-secret-2";

fn create(c: &Client, name: &str, tags: &[&str]) -> Instance {
    let mut request = InstanceRequest::new("closeio", name).config("username", API_KEY).config("password", PASSWORD);
    for tag in tags {
        request.add_tag(*tag);
    }
    c.create_instance(&request).unwrap()
}

fn ids(instances: &[Instance]) -> Vec<i64> {
    let mut ids: Vec<i64> = instances.iter().map(|i| i.id).collect();
    ids.sort_unstable();
    ids
}

fn tags_of(instance: &Instance) -> Vec<String> {
    serde_json::from_value(instance.extra["tags"].clone()).unwrap()
}

#[test]
fn list_filters_by_every_tag_and_by_search_text() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb);
    let a = create(&c, "Sales EU", &["team a", "crm"]);
    let b = create(&c, "Sales US", &["team a"]);
    let other = create(&c, "Support", &["team/b+=é"]);

    assert_eq!(ids(&c.list_instances(&InstanceFilter::new()).unwrap()), [a.id, b.id, other.id]);
    assert_eq!(ids(&c.list_instances(&InstanceFilter::new().tag("team a")).unwrap()), [a.id, b.id]);
    assert_eq!(ids(&c.list_instances(&InstanceFilter::new().tag("team a").tag("crm")).unwrap()), [a.id]);
    // Tags with reserved characters are escaped, and found.
    assert_eq!(ids(&c.list_instances(&InstanceFilter::new().tag("team/b+=é")).unwrap()), [other.id]);
    let sales = InstanceFilter::new().search_text("sales").hydrate(false);
    assert_eq!(ids(&c.list_instances(&sales).unwrap()), [a.id, b.id]);
    let last = sb.requests().pop().unwrap();
    assert_eq!(last.method, "GET");
    assert_eq!(last.target, "/elements/api-v2/instances?searchText=sales&hydrate=false");
    // Listed instances are masked like a get.
    let listed = c.list_instances(&InstanceFilter::new().tag("crm")).unwrap();
    assert_eq!(listed[0].configuration.as_ref().unwrap()["password"].expose(), "********");
}

#[test]
fn a_search_without_matches_is_an_empty_list_not_an_error() {
    let sb = Sandbox::start().unwrap();
    // A fresh client that has made no call yet: the 404 is checked against the list path once.
    let c = client(&sb);
    assert!(c.list_instances(&InstanceFilter::new().tag("nobody")).unwrap().is_empty());
    let targets: Vec<String> = sb.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(targets, ["/elements/api-v2/instances?tags%5B%5D=nobody", "/elements/api-v2/instances?hydrate=false"]);
    // Known from then on: one request per search.
    assert!(c.list_instances(&InstanceFilter::new().search_text("nothing")).unwrap().is_empty());
    assert_eq!(sb.request_count(), 3);
    // An empty platform lists `[]` without a filter.
    assert!(c.list_instances(&InstanceFilter::new()).unwrap().is_empty());
}

#[test]
fn a_wrong_path_404_is_still_an_error() {
    let sb = Sandbox::start().unwrap();
    create(&client(&sb), "exists", &["t"]);
    let wrong = client_at(&sb, &format!("{}/v3", sb.url()));
    for filter in [InstanceFilter::new().tag("t"), InstanceFilter::new().tag("none"), InstanceFilter::new()] {
        let err = wrong.list_instances(&filter).unwrap_err();
        assert_eq!((err.kind(), err.status()), (ErrorKind::NotFound, Some(404)), "{filter:?}: {err}");
        assert!(err.to_string().contains("No resource found"), "{err}");
    }
    let err = wrong.get_instance(1).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[test]
fn get_returns_the_instance_masked_and_a_deleted_one_is_a_typed_404() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb);
    let created = create(&c, "Sales", &["x"]);
    let read = c.get_instance(created.id).unwrap();
    assert_eq!((read.id, read.name.as_deref()), (created.id, Some("Sales")));
    assert_eq!(read.token.expose(), created.token.expose());
    let configuration = read.configuration.unwrap();
    assert_eq!(configuration["password"].expose(), "********");
    assert_eq!(configuration["base.url"].expose(), "https://app.close.io/api/v1");
    assert_eq!(read.element.key.as_deref(), Some("closeio"));

    c.delete_instance(created.id).unwrap();
    let err = c.get_instance(created.id).unwrap_err();
    assert_eq!((err.kind(), err.status()), (ErrorKind::NotFound, Some(404)));
    let Error::Api(api) = &err else { panic!("{err:?}") };
    assert!(api.message.as_deref().is_some_and(|m| m.contains(&created.id.to_string())), "{api:?}");
    assert!(!err.outcome_unknown() && api.effect == Effect::Nothing);
    let err = c.delete_instance(created.id).unwrap_err();
    assert_eq!((err.kind(), err.status()), (ErrorKind::NotFound, Some(404)));
}

#[test]
fn update_replaces_tags_and_renames() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb);
    let created = create(&c, "Sales", &["a", "b"]);
    let updated = c.update_instance(created.id, &InstanceUpdate::new().tags(["c"])).unwrap();
    assert_eq!(tags_of(&updated), ["c"], "replaced, not merged");
    assert_eq!(updated.name.as_deref(), Some("Sales"));
    let renamed = c.update_instance(created.id, &InstanceUpdate::new().name("Sales EU")).unwrap();
    assert_eq!((renamed.name.as_deref(), tags_of(&renamed)), (Some("Sales EU"), vec!["c".to_owned()]));
    let read = c.get_instance(created.id).unwrap();
    assert_eq!((read.name.as_deref(), tags_of(&read)), (Some("Sales EU"), vec!["c".to_owned()]));
    assert!(c.list_instances(&InstanceFilter::new().tag("a")).unwrap().is_empty());

    let patch = sb.requests().into_iter().find(|r| r.method == "PATCH").unwrap();
    assert_eq!(patch.target, format!("/elements/api-v2/instances/{}", created.id));
    assert_eq!(patch.body, br#"{"tags":["c"]}"#);
    assert_eq!(patch.header("content-type"), Some("application/json"));

    // Nothing to change, or a blank name: refused before sending.
    let before = sb.request_count();
    for update in [InstanceUpdate::new(), InstanceUpdate::new().name(" ")] {
        assert_eq!(c.update_instance(created.id, &update).unwrap_err().kind(), ErrorKind::InvalidInput);
    }
    assert_eq!(sb.request_count(), before);
    let err = c.update_instance(created.id + 1000, &InstanceUpdate::new().name("x")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[test]
fn disable_then_ping_is_403_and_enable_then_ping_is_200() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb);
    let instance = create(&c, "Sales", &[]);
    let token = instance.token.expose();
    assert_eq!(c.ping(token, "crm").unwrap(), serde_json::json!({"endpoint": "closeio"}));

    c.disable_instance(token).unwrap();
    let err = c.ping(token, "crm").unwrap_err();
    assert_eq!((err.kind(), err.status()), (ErrorKind::Api, Some(403)));
    assert!(c.get_instance(instance.id).unwrap().disabled == Some(true));

    c.enable_instance(token).unwrap();
    c.ping(token, "crm").unwrap();
    assert!(c.get_instance(instance.id).unwrap().disabled == Some(false));

    let calls: Vec<(String, String, Option<String>)> = sb
        .requests()
        .into_iter()
        .filter(|r| r.target.ends_with("/instances/enabled") || r.target.contains("/hubs/"))
        .map(|r| (r.method.clone(), r.target.clone(), r.header("authorization").map(str::to_owned)))
        .collect();
    let element_auth = format!("User {}, Organization {}, Element {token}", sb.user_secret(), sb.organization_secret());
    for (method, target, authorization) in &calls {
        assert_eq!(authorization.as_deref(), Some(element_auth.as_str()), "{method} {target}");
    }
    let methods: Vec<&str> = calls.iter().map(|(m, _, _)| m.as_str()).collect();
    assert_eq!(methods, ["GET", "DELETE", "GET", "PUT", "GET"]);

    // The wrong hub is a 404; a deleted instance's token a 401.
    assert_eq!(c.ping(token, "marketing").unwrap_err().status(), Some(404));
    assert_eq!(c.ping(token, " ").unwrap_err().kind(), ErrorKind::InvalidInput);
    let before = sb.request_count();
    for bad in ["", "tok\r\nX-Evil: 1", "a, User b"] {
        let err = c.disable_instance(bad).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(!err.to_string().contains("Evil"), "{err}");
    }
    assert_eq!(sb.request_count(), before, "bad tokens are not sent");
    c.delete_instance(instance.id).unwrap();
    assert_eq!(c.ping(token, "crm").unwrap_err().kind(), ErrorKind::Unauthorized);
    assert_eq!(c.enable_instance(token).unwrap_err().kind(), ErrorKind::Unauthorized);
}

#[test]
fn a_configuration_entry_is_changed_and_read_back_masked() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb);
    // The sandbox lists only the entries an instance was created with (the platform adds every
    // common entry with its default), so this one is given.
    let request = InstanceRequest::new("closeio", "Sales")
        .config("username", API_KEY)
        .config("password", PASSWORD)
        .filter_response_nulls(true);
    let instance = c.create_instance(&request).unwrap();
    let entries = c.instance_configuration(instance.id).unwrap();
    let keys: Vec<&str> = entries.iter().map(|e| e.key.as_str()).collect();
    for key in ["username", "password", "filter.response.nulls"] {
        assert!(keys.contains(&key), "{key} in {keys:?}");
    }
    let value = |entries: &[cloud_elements::ConfigurationEntry], key: &str| {
        entries.iter().find(|e| e.key == key).unwrap().property_value.expose().to_owned()
    };
    assert_eq!(value(&entries, "password"), "********");
    assert_eq!(value(&entries, "filter.response.nulls"), "true");

    let changed = c.update_instance_configuration(instance.id, "password", "New-PW-secret-3").unwrap();
    assert_eq!((changed.key.as_str(), changed.property_value.expose()), ("password", "********"));
    let password_id = entries.iter().find(|e| e.key == "password").unwrap().id;
    let patch = sb.requests().into_iter().find(|r| r.method == "PATCH").unwrap();
    assert_eq!(patch.target, format!("/elements/api-v2/instances/{}/configuration/{password_id}", instance.id));
    let body: serde_json::Value = serde_json::from_slice(&patch.body).unwrap();
    assert_eq!(body["propertyValue"], "New-PW-secret-3");
    assert_eq!(body["key"], "password");
    // Read back: still masked, and the change is real (the stored value is what was sent).
    assert_eq!(value(&c.instance_configuration(instance.id).unwrap(), "password"), "********");
    let stored = sb.instances().into_iter().find(|i| i["id"] == instance.id).unwrap();
    assert_eq!(stored["configuration"]["password"], "New-PW-secret-3");

    let nulls = c.update_instance_configuration(instance.id, "filter.response.nulls", "false").unwrap();
    assert_eq!(nulls.property_value.expose(), "false");
    assert_eq!(value(&c.instance_configuration(instance.id).unwrap(), "filter.response.nulls"), "false");

    let before = sb.request_count();
    let err = c.update_instance_configuration(instance.id, "no.such.key", "New-PW-secret-3").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("`no.such.key`") && !err.to_string().contains("New-PW"), "{err}");
    assert_eq!(sb.request_count(), before + 1, "only the lookup was sent");
    assert_eq!(c.instance_configuration(instance.id + 99).unwrap_err().kind(), ErrorKind::NotFound);
}

#[test]
fn no_secret_reaches_an_error_of_any_verb() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb);
    let instance = create(&c, "Sales", &["s"]);
    let token = instance.token.expose().to_owned();
    let new_value = "New-VALUE-secret-4";
    let platform = [sb.user_secret(), sb.organization_secret()];
    let update = InstanceUpdate::new().config("password", PASSWORD).oauth_code(API_KEY).config("x", new_value);
    // Each call, and the secrets it sends besides the user and organization secrets.
    type Verb<'a> = Box<dyn Fn() -> Result<(), Error> + 'a>;
    let calls: Vec<(&str, Vec<&str>, Verb<'_>)> = vec![
        ("ping", vec![&token], Box::new(|| c.ping(&token, "crm").map(drop))),
        ("disable", vec![&token], Box::new(|| c.disable_instance(&token))),
        ("enable", vec![&token], Box::new(|| c.enable_instance(&token))),
        ("get", vec![], Box::new(|| c.get_instance(instance.id).map(drop))),
        ("list", vec![], Box::new(|| c.list_instances(&InstanceFilter::new().tag("s")).map(drop))),
        ("update", vec![PASSWORD, API_KEY, new_value], Box::new(|| c.update_instance(instance.id, &update).map(drop))),
        ("configuration", vec![], Box::new(|| c.instance_configuration(instance.id).map(drop))),
        ("delete", vec![], Box::new(|| c.delete_instance(instance.id))),
        (
            "configuration change",
            vec![new_value],
            Box::new(|| c.update_instance_configuration(instance.id, "password", new_value).map(drop)),
        ),
    ];
    for (verb, sent, call) in &calls {
        let secrets: Vec<&str> = platform.iter().copied().chain(sent.iter().copied()).collect();
        // A server that echoes what it was sent in an error body, plain and JSON-escaped.
        let plain = secrets.join(" ");
        let escaped = secrets.join(",").replace('-', r"\u002d").replace('/', r"\/");
        let echo =
            format!(r#"{{"message":"bad request from {plain}","requestId":"r-1","providerMessage":"{escaped}"}}"#);
        let fault =
            FaultKind::Body { status: 400, content_type: "application/json".into(), body: echo, body_hex: None };
        // The configuration change reads the entries first: its PATCH gets the echo.
        let method = if *verb == "configuration change" { "PATCH" } else { "" };
        sb.inject(if method.is_empty() { Fault::new(fault) } else { Fault::new(fault).method(method) });
        let err = call().unwrap_err();
        assert_eq!((err.status(), err.request_id()), (Some(400), Some("r-1")), "{verb}: {err}");
        for shown in [err.to_string(), format!("{err:?}"), format!("{err:#?}")] {
            assert!(shown.contains("[redacted]"), "{verb}: {shown}");
            for secret in &secrets {
                assert!(!shown.contains(secret), "{verb}: a secret in {shown}");
            }
        }
    }
    let secrets = [sb.user_secret(), sb.organization_secret(), token.as_str(), PASSWORD, API_KEY, new_value];
    let debug = format!("{update:?} {c:?}");
    assert!(secrets.iter().all(|s| !debug.contains(s)), "{debug}");
}
