//! Secrets and the `Authorization` header.
//!
//! The platform authenticates every call with a user secret and an organization secret, and calls
//! on one instance add that instance's token. All three are [`Secret`]s: their `Debug` output is
//! redacted and they have no `Display`, so they cannot end up in a log line by accident.

use std::fmt;

use serde::{Deserialize, Deserializer};

use crate::error::Error;

/// A string that must never be printed: a user or organization secret, an instance token, a
/// password in a configuration.
///
/// `Debug` shows `Secret("[redacted]")`; there is no `Display`. Read the value with
/// [`Secret::expose`], which makes every place that uses it easy to find.
///
/// ```
/// use cloud_elements::Secret;
///
/// let token = Secret::new("cuED0/DezalhhzK2OtO6kMP7NvPnMyNcRDZc=");
/// assert_eq!(format!("{token:?}"), r#"Secret("[redacted]")"#);
/// assert_eq!(token.expose(), "cuED0/DezalhhzK2OtO6kMP7NvPnMyNcRDZc=");
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value itself. Everything that calls this is a place a secret leaves the wrapper.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The value, unwrapped.
    pub fn into_inner(self) -> String {
        self.0
    }

    /// Whether the value is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(\"[redacted]\")")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret)
    }
}

/// The user and organization secrets that authenticate platform calls.
#[derive(Clone, Debug)]
pub struct Credentials {
    user: Secret,
    organization: Secret,
}

impl Credentials {
    /// Checks both secrets and keeps them.
    ///
    /// A secret must be non-empty and free of control characters and commas, which would
    /// corrupt the `User …, Organization …` header. The error names the secret, never its value.
    pub fn new(user_secret: impl Into<Secret>, organization_secret: impl Into<Secret>) -> Result<Self, Error> {
        let user = user_secret.into();
        let organization = organization_secret.into();
        let mut problems = Vec::new();
        check_header_secret("user secret", &user, &mut problems);
        check_header_secret("organization secret", &organization, &mut problems);
        if problems.is_empty() { Ok(Credentials { user, organization }) } else { Err(Error::InvalidInput { problems }) }
    }

    /// The user secret.
    pub fn user_secret(&self) -> &Secret {
        &self.user
    }

    /// The organization secret.
    pub fn organization_secret(&self) -> &Secret {
        &self.organization
    }

    /// `User <user secret>, Organization <organization secret>`: the header of platform calls
    /// such as `POST /instances`.
    pub fn authorization(&self) -> Secret {
        Secret(format!("User {}, Organization {}", self.user.expose(), self.organization.expose()))
    }

    /// `User <u>, Organization <o>, Element <token>`: the header of calls on one instance.
    pub fn authorization_for(&self, instance_token: &str) -> Secret {
        Secret(format!(
            "User {}, Organization {}, Element {}",
            self.user.expose(),
            self.organization.expose(),
            instance_token
        ))
    }
}

fn check_header_secret(what: &str, secret: &Secret, problems: &mut Vec<String>) {
    let value = secret.expose();
    if value.trim().is_empty() {
        problems.push(format!("the {what} is empty"));
    } else if value.chars().any(|c| c.is_control() || c == ',') {
        problems.push(format!("the {what} contains a control character or a comma"));
    } else if value != value.trim() {
        problems.push(format!("the {what} has leading or trailing white space"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values_follow_the_documented_format() {
        let c = Credentials::new("u-1", "o-2").unwrap();
        assert_eq!(c.authorization().expose(), "User u-1, Organization o-2");
        assert_eq!(c.authorization_for("t/+=").expose(), "User u-1, Organization o-2, Element t/+=");
    }

    #[test]
    fn bad_secrets_are_named_without_their_values() {
        let err = Credentials::new("", "abc,\r\nX-Evil: 1").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("user secret is empty"), "{text}");
        assert!(text.contains("organization secret contains"), "{text}");
        assert!(!text.contains("X-Evil"), "{text}");
    }

    #[test]
    fn debug_is_redacted() {
        let c = Credentials::new("very-secret-user", "very-secret-org").unwrap();
        let dbg = format!("{c:?} {:?}", c.authorization());
        assert!(!dbg.contains("very-secret"), "{dbg}");
    }
}
