//! `cloud-elements sandbox`: the sandbox in the foreground, as a development server.

use std::io::Write;
use std::time::Duration;

use cloud_elements::{ENV_BASE_URL, ENV_ORG_SECRET, ENV_USER_SECRET};
use cloud_elements_sandbox::Sandbox;

use crate::args::SandboxArgs;
use crate::exit::Failure;

/// Starts the sandbox, prints where it listens and the variables that point this command (and
/// the SDKs) at it, then serves until the process is interrupted.
pub(crate) fn run(args: &SandboxArgs) -> Result<(), Failure> {
    let builder = Sandbox::builder()
        .bind((args.host.as_str(), args.port))
        .latency(Duration::from_millis(args.latency_ms))
        .rate_limit(args.rate_limit);
    let builder = args.elements.iter().fold(builder, |builder, path| builder.elements(path));
    let sandbox = builder.start().map_err(|e| match e.kind() {
        std::io::ErrorKind::InvalidData => Failure::input(format!("cannot load elements: {e}")),
        _ => Failure::command(format!("cannot start the sandbox on {}:{}: {e}", args.host, args.port)),
    })?;
    let mut settings = Vec::new();
    if args.latency_ms > 0 {
        settings.push(format!("every create takes {} ms", args.latency_ms));
    }
    if args.rate_limit > 0 {
        settings.push(format!("at most {} creates per second", args.rate_limit));
    }
    let settings = if settings.is_empty() { String::new() } else { format!(" ({})", settings.join(", ")) };
    // The sandbox's secrets are test values it was started with: printing them is the point.
    let text = format!(
        "cloud-elements sandbox listening on {url}{settings}\n\
         Point the command line and the SDKs at it with:\n\
         export {ENV_BASE_URL}={url}\n\
         export {ENV_USER_SECRET}={user}\n\
         export {ENV_ORG_SECRET}={org}\n\
         Control endpoints: {root}/_sandbox/settings, /_sandbox/instances, /_sandbox/requests, /_sandbox/faults, \
         /_sandbox/reset. Press Ctrl-C to stop.\n",
        url = sandbox.url(),
        user = sandbox.user_secret(),
        org = sandbox.organization_secret(),
        root = sandbox.url().strip_suffix(cloud_elements_sandbox::API_PREFIX).unwrap_or(sandbox.url()),
    );
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Failure::command(format!("cannot write the output: {e}")))?;
    drop(out);
    // Serve until killed; SIGINT and SIGTERM end the process.
    loop {
        std::thread::park();
    }
}
