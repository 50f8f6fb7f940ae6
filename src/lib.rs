//! Provision [Cloud Elements](https://api.cloud-elements.com) connector instances.
//!
//! An application provisions an *instance* of an *element* (a third-party service such as
//! Close.io or Pardot) with `POST /instances`, and keeps the instance token the platform answers
//! with for every later call on that instance. This crate validates the request (naming every
//! missing configuration entry at once), sends it over a shared, kept-alive connection, and
//! decodes the answer into an [`Instance`] while keeping the raw JSON.
//!
//! ```
//! # let sandbox = cloud_elements_sandbox::Sandbox::start().unwrap();
//! # unsafe { std::env::set_var("CLOUD_ELEMENTS_BASE_URL", sandbox.url());
//! #   std::env::set_var("CLOUD_ELEMENTS_USER_SECRET", sandbox.user_secret());
//! #   std::env::set_var("CLOUD_ELEMENTS_ORG_SECRET", sandbox.organization_secret()); }
//! use cloud_elements::{Client, Error, InstanceRequest};
//!
//! let client = Client::from_env()?;
//!
//! // Everything missing is reported at once, before anything is sent.
//! let incomplete = InstanceRequest::new("pardot", "Marketing").config("apikey.user.name", "me");
//! match client.create_instance(&incomplete) {
//!     Err(Error::MissingConfiguration { missing, .. }) => {
//!         assert_eq!(missing, ["apikey.user.password", "apikey.user.key"]);
//!     }
//!     other => panic!("{other:?}"),
//! }
//!
//! let request = InstanceRequest::new("closeio", "Sales")
//!     .config("username", "CLOSE_IO_API_KEY")
//!     .config("password", "CLOSE_IO_PASSWORD")
//!     .tag("demo");
//! let instance = client.create_instance(&request)?;
//! let header = client.authorization_for(instance.token.expose());
//! assert!(header.expose().ends_with(instance.token.expose()));
//! # Ok::<(), Error>(())
//! ```
//!
//! Secrets (the user and organization secrets, instance tokens, configuration values) are
//! [`Secret`]s or are kept out of `Debug` output, and never appear in error messages.

#![warn(missing_docs)]

// Where things are: `client.rs` holds the shared client and `builder.rs` its settings (with
// `tls.rs`, `proxy.rs`, `url.rs`); `endpoints/` the calls, one file per resource; `call/` the one
// path every call takes (send, read, map the error, retry by the rule in `retry.rs`); `models/`
// what is sent and answered; `validate.rs` the checks before sending and `schemas.rs` the element
// definition they use (built in, or fetched and cached); `oauth/` the loopback listener for the
// provider's redirect; `redact.rs` what keeps secrets out of error text; `transport.rs` and
// `resolver.rs` the connection layer.

pub mod auth;
mod builder;
mod call;
pub mod catalog;
mod client;
mod endpoints;
pub mod error;
mod models;
pub mod oauth;
mod proxy;
#[cfg(feature = "python")]
mod python;
mod redact;
mod resolver;
pub mod retry;
mod schemas;
mod tls;
mod transport;
mod url;
mod validate;

pub use auth::{Credentials, Secret};
pub use builder::{
    ClientBuilder, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT,
    ENV_BASE_URL, ENV_CA_BUNDLE, ENV_ORG_SECRET, ENV_USER_SECRET, MAX_TIMEOUT, PROVISIONING_TAG_PREFIX,
};
pub use client::Client;
pub use error::{ApiError, Effect, Error, ErrorKind, TimeoutKind, TransportKind};
pub use models::configuration::ConfigurationEntry;
pub use models::filter::InstanceFilter;
pub use models::instance::{Authentication, Configuration, Element, Instance};
pub use models::oauth::OAuthUrlRequest;
pub use models::outcome::CreateOutcome;
pub use models::request::{EventVendorType, InstanceRequest};
pub use models::update::InstanceUpdate;
pub use schemas::Validation;
pub use validate::check_idempotency_key;

/// The crate version, as in `Cargo.toml`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
