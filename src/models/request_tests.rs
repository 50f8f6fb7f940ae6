//! Unit tests of `InstanceRequest` (the body of `POST /instances`).

use super::*;

#[test]
fn setting_a_key_again_replaces_it_in_place() {
    let r = InstanceRequest::new("closeio", "n").config("a", "1").config("b", "2").config("a", "3");
    assert_eq!(r.configuration().collect::<Vec<_>>(), [("a", "3"), ("b", "2")]);
}

#[test]
fn from_json_reports_every_problem_without_values() {
    let err = InstanceRequest::from_json(
        r#"{"element": "closeio", "configuration": {"password": null}, "tags": [1], "name": 5, "extra": 1}"#,
    )
    .unwrap_err();
    let Error::InvalidInput { problems } = &err else { panic!("{err:?}") };
    assert_eq!(problems.len(), 5, "{problems:?}");
    assert!(InstanceRequest::from_json("{").unwrap_err().to_string().contains("not valid JSON"));
    assert!(InstanceRequest::from_json("[]").is_err());
}

#[test]
fn oauth_body_has_provider_data() {
    let r = InstanceRequest::new("sfdc", "n").oauth_code("xyz").config("oauth.api.key", "k");
    assert_eq!(
        r.to_json(),
        r#"{"element":{"key":"sfdc"},"providerData":{"code":"xyz"},"configuration":{"oauth.api.key":"k"},"tags":[],"name":"n"}"#
    );
    assert!(!format!("{r:?}").contains("xyz"));
}

/// serde_json's default float parser may be one unit in the last place off (the first
/// decode_instance run tripped over it), so a number in `providerData` was not sent as
/// written and did not survive `from_json(to_json())`; Cargo.toml enables `float_roundtrip`.
#[test]
fn numbers_are_sent_as_written_and_round_trip() {
    let json = r#"{"element":{"key":"x"},"providerData":{"a":130.65331632653061,"b":1.2922373530862477e20},"configuration":{},"tags":[],"name":"n"}"#;
    let r = InstanceRequest::from_json(json).unwrap();
    let body = r.to_json();
    assert!(body.contains(r#""a":130.65331632653061,"b":1.2922373530862477e+20"#), "{body}");
    let again = InstanceRequest::from_json(&body).unwrap();
    assert!(again == r, "{body} -> {}", again.to_json());
}

#[test]
fn typed_common_entries_are_strings() {
    let r = InstanceRequest::new("acme", "n")
        .event_notifications(true)
        .event_vendor_type(EventVendorType::Polling)
        .event_poller_refresh_interval(15)
        .event_poller_configuration(&serde_json::json!({"contacts": {}}))
        .filter_response_nulls(false);
    assert_eq!(
        r.configuration().collect::<Vec<_>>(),
        [
            ("event.notification.enabled", "true"),
            ("event.vendor.type", "polling"),
            ("event.poller.refresh_interval", "15"),
            ("event.poller.configuration", r#"{"contacts":{}}"#),
            ("filter.response.nulls", "false"),
        ]
    );
    r.validate().unwrap();
}
