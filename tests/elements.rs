//! The runtime element catalog over loopback: `element` and `element_configuration` typed with
//! unknown fields kept, and every element validated before sending by the client's `Validation`
//! mode, against the sandbox loaded with `../shared/elements` and with definitions written here.

use std::path::{Path, PathBuf};

use cloud_elements::{Client, Error, ErrorKind, InstanceRequest, Validation};
use cloud_elements_sandbox::Sandbox;

fn client(sb: &Sandbox, validation: Validation) -> Client {
    Client::builder()
        .base_url(sb.url())
        .user_secret(sb.user_secret())
        .organization_secret(sb.organization_secret())
        .validation(validation)
        .build()
        .unwrap()
}

/// How many requests reached `method` on a target starting with `prefix` (under the API root).
fn count(sb: &Sandbox, method: &str, prefix: &str) -> usize {
    let prefix = format!("/elements/api-v2{prefix}");
    sb.requests().iter().filter(|r| r.method == method && r.target.starts_with(&prefix)).count()
}

/// A folder of definitions written for one test.
fn written(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ce-elements-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap();
    }
    dir
}

const ACME: &str = r#"{
  "key": "acme", "name": "Acme CRM", "hub": "crm", "typeOauth": false,
  "authentication": {"type": "basic", "vendorFlag": 7},
  "vendorNote": {"tier": "gold"},
  "configuration": [
    {"key": "acme.region", "name": "Region", "type": "TEXTFIELD_32", "required": true, "displayOrder": 3, "helpUrl": "https://acme.example/help"},
    {"key": "acme.user", "name": "User", "type": "TEXTFIELD_64", "required": true, "displayOrder": 1},
    {"key": "acme.hidden", "required": true, "hideFromConsole": true, "displayOrder": 0},
    {"key": "acme.internal", "required": true, "internal": true},
    {"key": "acme.base.url", "required": true, "defaultValue": "https://api.acme.example", "displayOrder": 0},
    {"key": "acme.empty.default", "required": true, "defaultValue": "", "displayOrder": 4},
    {"key": "acme.optional", "required": false, "displayOrder": 2},
    {"key": "acme.password", "name": "Password", "type": "PASSWORD", "required": true, "displayOrder": 2}
  ]
}"#;

/// An element whose export has no `configuration`: the schema comes from its own endpoint.
const BARE: &str = r#"{"key": "bare", "name": "Bare", "hub": "general"}"#;

fn acme_sandbox(name: &str) -> Sandbox {
    Sandbox::builder().elements(written(name, &[("acme.json", ACME), ("bare.json", BARE)])).start().unwrap()
}

fn complete_acme(name: &str) -> InstanceRequest {
    InstanceRequest::new("acme", name)
        .config("acme.user", "me")
        .config("acme.password", "pw-123456")
        .config("acme.region", "eu")
        .config("acme.empty.default", "x")
}

#[test]
fn element_and_its_configuration_are_typed_with_unknown_fields_kept() {
    let sb = acme_sandbox("typed");
    let c = client(&sb, Validation::Full);
    let acme = c.element("acme").unwrap();
    assert_eq!((acme.key.as_str(), acme.name.as_str(), acme.hub.as_deref()), ("acme", "Acme CRM", Some("crm")));
    assert!(acme.id.is_some(), "the sandbox assigns an id");
    assert!(!acme.is_oauth());
    assert_eq!(acme.authentication_type(), Some("basic"));
    assert_eq!(acme.extra["vendorNote"]["tier"], "gold");
    assert_eq!(acme.authentication.as_ref().unwrap().extra["vendorFlag"], 7);
    let region = acme.entry("acme.region").unwrap();
    assert_eq!(region.extra["helpUrl"], "https://acme.example/help");

    let entries = c.element_configuration("acme").unwrap();
    let keys: Vec<&str> = entries.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(&keys[..3], ["acme.region", "acme.user", "acme.hidden"]);
    assert!(keys.contains(&"filter.response.nulls"), "the common entries follow: {keys:?}");
    assert!(entries[0].required && entries[0].kind.as_deref() == Some("TEXTFIELD_32"));

    // The bare element's answer has no configuration; its schema is the common entries.
    assert!(c.element("bare").unwrap().configuration.is_empty());
    assert!(!c.element_configuration("bare").unwrap().is_empty());
    // Keys are escaped as one path segment.
    let err = c.element("a/b c").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownElement, "{err}");
    assert!(sb.requests().iter().any(|r| r.target == "/elements/api-v2/elements/a%2Fb%20c"));
}

#[test]
fn every_missing_entry_is_named_in_display_order_and_nothing_is_posted() {
    let sb = acme_sandbox("missing");
    let c = client(&sb, Validation::Full);
    let err = c.create_instance(&InstanceRequest::new("acme", "Partial").config("acme.password", " ")).unwrap_err();
    // Hidden, internal and defaulted entries are never demanded; an empty default is no default.
    assert_eq!(err.missing(), ["acme.user", "acme.password", "acme.region", "acme.empty.default"], "{err}");
    assert_eq!(err.kind(), ErrorKind::MissingConfiguration);
    assert!(!err.to_string().contains("pw-"), "{err}");
    assert_eq!(count(&sb, "POST", "/instances"), 0);
    // The same from validate_request, without a second fetch.
    assert_eq!(c.validate_request(&InstanceRequest::new("acme", "P")).unwrap_err().missing().len(), 4);
    assert_eq!(count(&sb, "GET", "/elements/acme"), 1);
    assert_eq!(sb.request_count(), 1);

    // Complete, it is created, and the element's defaults are filled in and echoed.
    let instance = c.create_instance(&complete_acme("Complete")).unwrap();
    let configuration = instance.configuration.unwrap();
    assert_eq!(configuration["acme.base.url"].expose(), "https://api.acme.example");
    assert_eq!(count(&sb, "POST", "/instances"), 1);
}

#[test]
fn a_schema_is_fetched_once_per_client_however_many_creates_follow() {
    let sb = acme_sandbox("once");
    let c = client(&sb, Validation::Full);
    for i in 0..5 {
        c.create_instance(&complete_acme(&format!("n{i}"))).unwrap();
        // A clone shares the cache.
        c.clone().validate_request(&complete_acme("again")).unwrap();
    }
    assert_eq!(count(&sb, "GET", "/elements/acme"), 1, "one schema request");
    assert_eq!(count(&sb, "POST", "/instances"), 5);
    // Built-ins are never fetched.
    let closeio = InstanceRequest::new("closeio", "c").config("username", "k").config("password", "p");
    c.create_instance(&closeio).unwrap();
    assert_eq!(count(&sb, "GET", "/elements"), 1);
    // Another client has a cache of its own.
    client(&sb, Validation::Full).validate_request(&complete_acme("other")).unwrap();
    assert_eq!(count(&sb, "GET", "/elements/acme"), 2);

    // An answer without configuration: the configuration endpoint is asked, once too.
    for _ in 0..3 {
        c.validate_request(&InstanceRequest::new("bare", "b")).unwrap();
    }
    assert_eq!(count(&sb, "GET", "/elements/bare/configuration"), 1);
    assert_eq!(count(&sb, "GET", "/elements/bare"), 2);
}

#[test]
fn offline_validation_sends_no_schema_request() {
    let sb = acme_sandbox("offline");
    let c = client(&sb, Validation::Offline);
    assert_eq!(c.validation(), Validation::Offline);
    c.validate_request(&InstanceRequest::new("acme", "unchecked")).unwrap();
    // Built-ins are still checked.
    let err = c.create_instance(&InstanceRequest::new("pardot", "p")).unwrap_err();
    assert_eq!(err.missing(), ["apikey.user.name", "apikey.user.password", "apikey.user.key"]);
    assert_eq!(sb.request_count(), 0);
    // The incomplete acme request goes out, and the server refuses it.
    let err = c.create_instance(&InstanceRequest::new("acme", "unchecked")).unwrap_err();
    assert_eq!(err.status(), Some(400), "{err}");
    assert_eq!(count(&sb, "GET", "/elements"), 0);
    assert_eq!(count(&sb, "POST", "/instances"), 1);
}

#[test]
fn what_can_be_known_offline_is_refused_before_any_schema_request() {
    let sb = acme_sandbox("shape-first");
    let c = client(&sb, Validation::Full);
    let err = c.create_instance(&InstanceRequest::new("acme", " ").config("", "x")).unwrap_err();
    let Error::InvalidInput { problems } = &err else { panic!("{err:?}") };
    assert_eq!(problems, &["the instance name is empty", "a configuration key is empty"]);
    let webhook_without_url =
        complete_acme("hooks").config("event.notification.enabled", "true").config("event.vendor.type", "webhook");
    assert_eq!(c.validate_request(&webhook_without_url).unwrap_err().missing(), ["event.notification.callback.url"]);
    assert_eq!(sb.request_count(), 0);
}

#[test]
fn validation_off_sends_the_create() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb, Validation::Off);
    let err = c.create_instance(&InstanceRequest::new("closeio", "no entries")).unwrap_err();
    assert_eq!(err.status(), Some(400), "{err}");
    assert_eq!(count(&sb, "POST", "/instances"), 1);
    assert_eq!(sb.request_count(), 1);
    // The request's own shape is still checked.
    let err = c.create_instance(&InstanceRequest::new("closeio", " ")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(sb.request_count(), 1);
}

#[test]
fn an_unknown_key_is_its_own_error_with_a_suggestion_and_nothing_is_posted() {
    let sb = acme_sandbox("unknown");
    let c = client(&sb, Validation::Full);
    let err = c.create_instance(&InstanceRequest::new("closio", "typo").config("username", "k")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownElement);
    assert_eq!(err.to_string(), "no element with key `closio` (did you mean `closeio`?)");
    let Error::UnknownElement { key, suggestions } = &err else { panic!("{err:?}") };
    assert_eq!((key.as_str(), suggestions.as_slice()), ("closio", ["closeio".to_owned()].as_slice()));
    // Loaded elements are suggested too (from GET /elements).
    let err = c.validate_request(&InstanceRequest::new("acmee", "typo")).unwrap_err();
    assert_eq!(err.to_string(), "no element with key `acmee` (did you mean `acme`?)");
    let err = c.validate_request(&InstanceRequest::new("salesforce", "far")).unwrap_err();
    assert_eq!(err.to_string(), "no element with key `salesforce`");
    assert!(!err.outcome_unknown());
    assert_eq!(count(&sb, "POST", "/instances"), 0);
    assert_eq!(count(&sb, "GET", "/elements"), 6, "each key and the list, three times");
}

#[test]
fn a_wrong_base_url_is_not_an_unknown_element() {
    let sb = Sandbox::start().unwrap();
    let c = Client::builder()
        .base_url(format!("{}/nowhere", sb.url()))
        .user_secret(sb.user_secret())
        .organization_secret(sb.organization_secret())
        .build()
        .unwrap();
    let err = c.validate_request(&InstanceRequest::new("acme", "x")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
}

fn shared_elements() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/elements");
    if dir.join("postgresql-db.json").is_file() {
        Some(dir)
    } else {
        println!("note: {} is absent; the shared-elements test is skipped", dir.display());
        None
    }
}

#[test]
fn elements_from_the_shared_folder_are_validated_before_sending() {
    let Some(dir) = shared_elements() else { return };
    let sb = Sandbox::builder().elements(dir).start().unwrap();
    let c = client(&sb, Validation::Full);

    // The custom database element: fetched, every empty-defaulted entry demanded in display order,
    // the hidden and internal ones never.
    let err = c.create_instance(&InstanceRequest::new("mypostgresql", "Warehouse")).unwrap_err();
    assert_eq!(err.missing(), ["db.host", "username", "password", "db.name"], "{err}");
    assert_eq!(count(&sb, "POST", "/instances"), 0);
    let request = InstanceRequest::new("mypostgresql", "Warehouse")
        .config("db.host", "db.internal:5432")
        .config("username", "etl")
        .config("password", "pg-secret-1")
        .config("db.name", "sales");
    let instance = c.create_instance(&request).unwrap();
    assert_eq!(instance.element.key.as_deref(), Some("mypostgresql"));
    let configuration = instance.configuration.unwrap();
    assert_eq!(configuration["jdbc.driver.classname"].expose(), "org.postgresql.Driver");
    assert_eq!(count(&sb, "GET", "/elements/mypostgresql"), 1);

    // Clover (the platform's export, OAuth by its authentication type): the user's three entries
    // and the code, nothing else of its 31.
    let fetched = c.element("clover").unwrap();
    assert!(fetched.is_oauth() && !fetched.type_oauth);
    let err = c.create_instance(&InstanceRequest::new("clover", "Payroll")).unwrap_err();
    assert_eq!(err.missing(), ["oauth.api.key", "oauth.api.secret", "merchantId", "providerData.code"]);
    assert_eq!(count(&sb, "POST", "/instances"), 1);
}
