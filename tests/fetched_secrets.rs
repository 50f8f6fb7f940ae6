//! Secrets of elements that are not built in: a `PASSWORD`-typed entry of a definition fetched
//! from the platform is a secret whatever its key (`Client::is_secret_entry`), and its value is
//! redacted from error text.

use cloud_elements::{Client, InstanceRequest, Validation};
use cloud_elements_sandbox::{Fault, FaultKind, Sandbox};

const VAULT: &str = r#"{
  "key": "vault", "name": "Vault", "hub": "general",
  "configuration": [
    {"key": "pin", "name": "PIN", "type": "PASSWORD", "required": true},
    {"key": "vault.region", "name": "Region", "type": "TEXTFIELD_32", "required": true}
  ]
}"#;

fn vault_sandbox() -> Sandbox {
    let dir = std::env::temp_dir().join(format!("ce-fetched-secrets-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("vault.json"), VAULT).unwrap();
    Sandbox::builder().elements(dir).start().unwrap()
}

fn client(sb: &Sandbox, validation: Validation) -> Client {
    Client::builder()
        .base_url(sb.url())
        .user_secret(sb.user_secret())
        .organization_secret(sb.organization_secret())
        .validation(validation)
        .build()
        .unwrap()
}

#[test]
fn a_password_entry_of_a_fetched_definition_is_a_secret() {
    let sb = vault_sandbox();
    let full = client(&sb, Validation::Full);
    assert!(full.is_secret_entry("vault", "pin"));
    assert!(!full.is_secret_entry("vault", "vault.region"));
    // Fetched once, then kept.
    let before = sb.request_count();
    assert!(full.is_secret_entry("vault", "pin"));
    assert_eq!(sb.request_count(), before);
    // Built in: no request; unknown element: the name rule, and the failed fetch is not repeated.
    assert!(full.is_secret_entry("closeio", "username"));
    assert!(full.is_secret_entry("no-such-element", "api.secret"));
    assert!(!full.is_secret_entry("no-such-element", "region"));
    let before = sb.request_count();
    assert!(!full.is_secret_entry("no-such-element", "pin"));
    assert_eq!(sb.request_count(), before);
    // Offline: never fetched, so only the name rule.
    let offline = client(&sb, Validation::Offline);
    let before = sb.request_count();
    assert!(!offline.is_secret_entry("vault", "pin"));
    assert_eq!(sb.request_count(), before);
}

#[test]
fn the_value_of_a_fetched_password_entry_is_redacted_from_errors() {
    let sb = vault_sandbox();
    let c = client(&sb, Validation::Full);
    let request = InstanceRequest::new("vault", "V").config("pin", "4711").config("vault.region", "eu");
    sb.inject(
        Fault::new(FaultKind::Status {
            status: 400,
            message: Some("pin 4711 refused".to_owned()),
            provider_message: Some("the pin 4711 is wrong".to_owned()),
            retry_after: None,
        })
        .method("POST"),
    );
    let err = c.create_instance(&request).unwrap_err();
    assert_eq!(err.status(), Some(400), "{err:?}");
    let shown = format!("{err} {err:?}");
    assert!(shown.contains("refused") && !shown.contains("4711"), "{shown}");
}
