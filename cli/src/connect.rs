//! The client a command talks through: the server and secrets from the environment or from
//! files, or, for a create when nothing names a server, an embedded sandbox.

use std::path::Path;
use std::time::Duration;

use cloud_elements::{Client, ClientBuilder, ENV_BASE_URL, ENV_ORG_SECRET, ENV_USER_SECRET, Secret};
use cloud_elements_sandbox::Sandbox;

use crate::args::Global;
use crate::exit::Failure;

/// A client, and the embedded sandbox it talks to when there is one (kept alive with it).
pub(crate) struct Connection {
    pub(crate) client: Client,
    _sandbox: Option<Sandbox>,
}

/// Whether the environment variable is set to something other than white space.
fn env_set(name: &str) -> bool {
    std::env::var(name).is_ok_and(|value| !value.trim().is_empty())
}

/// Whether the command line or the environment names a server or a secret.
pub(crate) fn configured(global: &Global) -> bool {
    global.base_url.is_some()
        || global.user_secret_file.is_some()
        || global.org_secret_file.is_some()
        || [ENV_BASE_URL, ENV_USER_SECRET, ENV_ORG_SECRET].iter().any(|name| env_set(name))
}

/// A client for the configured server. Every missing or unreadable secret is reported at once,
/// naming the variable, the option or the file, never a value.
pub(crate) fn connect(global: &Global) -> Result<Connection, Failure> {
    connect_tuned(global, |builder| builder)
}

/// [`connect`], with `tune` changing the client's settings last (`bulk` turns the client's own
/// retries off).
pub(crate) fn connect_tuned(
    global: &Global,
    tune: impl FnOnce(ClientBuilder) -> ClientBuilder,
) -> Result<Connection, Failure> {
    let mut problems = Vec::new();
    let mut secret = |file: &Option<std::path::PathBuf>, var: &str, option: &str, what: &str| match file {
        Some(path) => read_secret(path, what).map_err(|problem| problems.push(problem)).ok(),
        None if env_set(var) => None,
        None => {
            problems.push(format!("no {what}: set {var} or pass {option} FILE"));
            None
        }
    };
    let user = secret(&global.user_secret_file, ENV_USER_SECRET, "--user-secret-file", "user secret");
    let org = secret(&global.org_secret_file, ENV_ORG_SECRET, "--org-secret-file", "organization secret");
    if !problems.is_empty() {
        return Err(Failure::input(format!("missing configuration: {}", problems.join("; "))));
    }
    let mut builder = Client::builder().from_env();
    if let Some(url) = &global.base_url {
        builder = builder.base_url(url);
    }
    if let Some(user) = user {
        builder = builder.user_secret(user);
    }
    if let Some(org) = org {
        builder = builder.organization_secret(org);
    }
    if let Some(seconds) = global.timeout {
        builder = builder.timeout(Duration::from_secs(seconds));
    }
    builder = builder.validation(global.validation());
    Ok(Connection { client: tune(builder).build()?, _sandbox: None })
}

/// [`connect`], or, when neither the command line nor the environment names a server or a
/// secret, a client for a sandbox started in this process (said on standard error).
pub(crate) fn connect_or_embedded(global: &Global) -> Result<Connection, Failure> {
    if configured(global) {
        return connect(global);
    }
    let sandbox = Sandbox::start().map_err(|e| Failure::command(format!("cannot start the embedded sandbox: {e}")))?;
    eprintln!(
        "Using an embedded sandbox at {} (none of {ENV_BASE_URL}, {ENV_USER_SECRET}, {ENV_ORG_SECRET} is set); \
         what is created there ends with this command.",
        sandbox.url()
    );
    let mut builder = Client::builder()
        .base_url(sandbox.url())
        .user_secret(sandbox.user_secret())
        .organization_secret(sandbox.organization_secret());
    if let Some(seconds) = global.timeout {
        builder = builder.timeout(Duration::from_secs(seconds));
    }
    builder = builder.validation(global.validation());
    Ok(Connection { client: builder.build()?, _sandbox: Some(sandbox) })
}

/// The secret in `path`, without surrounding white space (a final newline, say).
pub(crate) fn read_secret(path: &Path, what: &str) -> Result<Secret, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the {what} from {}: {}", path.display(), e.kind()))?;
    let text = text.trim();
    if text.is_empty() {
        return Err(format!("the {what} file {} is empty", path.display()));
    }
    Ok(Secret::new(text))
}
