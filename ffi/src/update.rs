//! The `update_json` argument of `ce_update_instance()`, read by the core's
//! `InstanceUpdate::from_json`.

use cloud_elements::{Error, InstanceUpdate};

use super::error::Failure;

/// Reads `{"name":…,"tags":[…],"configuration":{…},"providerData":{"code":…}}` with the core's
/// rules (every key optional, any other key refused; messages name keys, never values); the
/// message says it is about `update_json`.
pub(super) fn parse_update(json: &str) -> Result<InstanceUpdate, Failure> {
    InstanceUpdate::from_json(json).map_err(|error| match error {
        Error::InvalidInput { problems } => Failure::invalid(format!("`update_json`: {}", problems.join("; "))),
        other => Failure::from(other),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_name_the_argument_and_never_a_value() {
        let failure = parse_update(r#"{"nmae":"SECRET"}"#).unwrap_err();
        assert!(failure.message.starts_with("`update_json`: unknown key `nmae`"), "{}", failure.message);
        assert!(!failure.message.contains("SECRET"));
        assert_eq!(parse_update(r#"{"name":"N"}"#).unwrap().to_json(), r#"{"name":"N"}"#);
    }
}
