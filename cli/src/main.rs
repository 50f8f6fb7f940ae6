//! `cloud-elements`: the command line of the Cloud Elements SDK.
//!
//! ```text
//! cloud-elements instances create closeio username=MY_KEY password=MY_PW --name Sales --tag demo
//! cloud-elements instances list --tag demo --output jsonl
//! cloud-elements elements show clover
//! cloud-elements oauth login clover --api-key APP_ID --api-secret-file app.secret merchantId=M-1
//! cloud-elements sandbox --port 12120 --latency-ms 50 --rate-limit 200
//! ```
//!
//! Where things are: `args.rs` the command line (clap), `exit.rs` the exit statuses and the one
//! mapping from the core's errors, `connect.rs` the client (credentials, embedded sandbox),
//! `request.rs` a create's arguments as a request, `instances.rs` the instance subcommands,
//! `mask.rs` what may be printed, `output.rs` how it is printed, `sandbox.rs` the sandbox
//! subcommand, `bulk/` bulk provisioning (`bulk create FILE.csv`).

mod args;
mod bulk;
mod connect;
mod elements;
mod exit;
mod instances;
mod mask;
mod oauth;
mod output;
mod request;
mod sandbox;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use args::{Cli, Command};
use exit::Failure;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Instances(command) => instances::run(command, &cli.global),
        Command::Bulk(command) => bulk::run(command, &cli.global),
        Command::Sandbox(args) => sandbox::run(args),
        Command::Elements(command) => elements::run(command, &cli.global),
        Command::Oauth(command) => oauth::run(command, &cli.global),
        Command::Completions { shell } => {
            clap_complete::generate(*shell, &mut Cli::command(), "cloud-elements", &mut std::io::stdout());
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::from(exit::SUCCESS),
        // Usage errors found after parsing (`instances create`'s KEY=VALUE) look like clap's own.
        Err(Failure { status: exit::USAGE, message }) => usage_error(&message),
        Err(Failure { status, message }) => {
            eprintln!("cloud-elements: error: {message}");
            ExitCode::from(status)
        }
    }
}

/// Prints a usage error of `instances create` the way clap prints its own, and exits with 2.
fn usage_error(message: &str) -> ExitCode {
    let mut command = Cli::command();
    command.build();
    let error = clap::Error::raw(clap::error::ErrorKind::ValueValidation, message);
    match command.find_subcommand_mut("instances").and_then(|c| c.find_subcommand_mut("create")) {
        Some(create) => error.format(create).exit(),
        None => error.format(&mut command).exit(),
    }
}
