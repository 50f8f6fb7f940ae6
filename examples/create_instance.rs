//! Provision one instance and print its id, name, element key and token.
//!
//! ```text
//! cargo run --example create_instance -- closeio username=MY_KEY password=MY_PW --name Test --tag demo
//! ```
//!
//! With none of `CLOUD_ELEMENTS_BASE_URL`, `CLOUD_ELEMENTS_USER_SECRET` and
//! `CLOUD_ELEMENTS_ORG_SECRET` set, it starts the embedded sandbox and talks to that; otherwise it
//! talks to the server those variables name (the real service when only the secrets are set).
//!
//! Exit status: 0 on success, 2 for bad arguments or input (nothing sent), 1 for any other failure.

use std::process::ExitCode;

use cloud_elements::{Client, ENV_BASE_URL, ENV_ORG_SECRET, ENV_USER_SECRET, Error, InstanceRequest};
use cloud_elements_sandbox::Sandbox;

const USAGE: &str = "usage: create_instance ELEMENT_KEY [KEY=VALUE ...] [--name NAME] [--tag TAG ...]
  e.g. create_instance closeio username=MY_KEY password=MY_PW --name Test --tag demo";

fn main() -> ExitCode {
    let request = match parse_args(std::env::args().skip(1)) {
        Ok(request) => request,
        Err(message) => {
            eprintln!("{message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };

    // Keep the sandbox alive until the end of main.
    let mut _sandbox = None;
    let configured = [ENV_BASE_URL, ENV_USER_SECRET, ENV_ORG_SECRET]
        .iter()
        .any(|name| std::env::var(name).is_ok_and(|v| !v.trim().is_empty()));
    let client = if configured {
        Client::from_env()
    } else {
        let sandbox = match Sandbox::start() {
            Ok(sandbox) => sandbox,
            Err(e) => {
                eprintln!("could not start the embedded sandbox: {e}");
                return ExitCode::FAILURE;
            }
        };
        println!(
            "Using the embedded sandbox at {} (none of {ENV_BASE_URL}, {ENV_USER_SECRET}, {ENV_ORG_SECRET} is set)",
            sandbox.url()
        );
        let client = Client::builder()
            .base_url(sandbox.url())
            .user_secret(sandbox.user_secret())
            .organization_secret(sandbox.organization_secret())
            .build();
        _sandbox = Some(sandbox);
        client
    };
    let client = match client {
        Ok(client) => client,
        Err(e) => return fail(&e),
    };
    if configured {
        println!("Using {}", client.base_url());
    }

    match client.create_instance(&request) {
        Ok(instance) => {
            println!("id:          {}", instance.id);
            println!("name:        {}", instance.name.as_deref().unwrap_or("(none)"));
            println!("element key: {}", instance.element.key.as_deref().unwrap_or("(none)"));
            println!("token:       {}", instance.token.expose());
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

fn fail(error: &Error) -> ExitCode {
    eprintln!("error: {error}");
    match error {
        Error::InvalidInput { .. } | Error::MissingConfiguration { .. } => ExitCode::from(2),
        _ => ExitCode::FAILURE,
    }
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<InstanceRequest, String> {
    let mut key = None;
    let mut name = None;
    let mut entries = Vec::new();
    let mut tags = Vec::new();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => return Err("Provision a Cloud Elements instance.".into()),
            "--name" => name = Some(args.next().ok_or("--name needs a value")?),
            "--tag" => tags.push(args.next().ok_or("--tag needs a value")?),
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            entry if key.is_some() => {
                let (k, v) = entry.split_once('=').ok_or_else(|| format!("expected KEY=VALUE, got `{entry}`"))?;
                entries.push((k.to_owned(), v.to_owned()));
            }
            element => key = Some(element.to_owned()),
        }
    }
    let key = key.ok_or("no element key given")?;
    // The platform wants a name; default to the element key rather than refuse.
    let mut request = InstanceRequest::new(key.clone(), name.unwrap_or(key));
    for (k, v) in entries {
        request.set_config(k, v);
    }
    for tag in tags {
        request.add_tag(tag);
    }
    Ok(request)
}
