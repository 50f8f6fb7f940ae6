//! The command line, as clap derives it: global options, subcommands and their arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::exit;

/// Provision and manage Cloud Elements connector instances, or run the local sandbox.
///
/// The server and its credentials come from CLOUD_ELEMENTS_BASE_URL, CLOUD_ELEMENTS_USER_SECRET
/// and CLOUD_ELEMENTS_ORG_SECRET, or from --base-url, --user-secret-file and --org-secret-file;
/// secrets are never taken as plain arguments (other users can read those in the process list).
/// When none is set, `instances create` talks to an embedded sandbox, and says so.
#[derive(Debug, Parser)]
#[command(name = "cloud-elements", version, after_help = exit::HELP, propagate_version = true)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: Global,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Options every subcommand takes.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub(crate) struct Global {
    /// The API base URL [default: CLOUD_ELEMENTS_BASE_URL, else the platform's]
    #[arg(long, global = true, value_name = "URL")]
    pub(crate) base_url: Option<String>,
    /// Read the user secret from this file [default: CLOUD_ELEMENTS_USER_SECRET]
    #[arg(long, global = true, value_name = "FILE")]
    pub(crate) user_secret_file: Option<PathBuf>,
    /// Read the organization secret from this file [default: CLOUD_ELEMENTS_ORG_SECRET]
    #[arg(long, global = true, value_name = "FILE")]
    pub(crate) org_secret_file: Option<PathBuf>,
    /// Output format [default: human on a terminal, json otherwise]
    #[arg(long, short, global = true, value_enum)]
    pub(crate) output: Option<Format>,
    /// Print instance tokens, which are otherwise masked (create always prints its token)
    #[arg(long, global = true)]
    pub(crate) show_token: bool,
    /// Overall timeout of one call, in seconds, retries included
    #[arg(long, global = true, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub(crate) timeout: Option<u64>,
    /// How requests are checked before sending: `full` fetches the definition of an element that
    /// is not built in; `offline` checks built-in elements only; `off` leaves it to the server
    #[arg(long, global = true, value_enum, default_value_t = ValidationMode::Full)]
    pub(crate) validation: ValidationMode,
}

impl Global {
    /// The client's validation mode.
    pub(crate) fn validation(&self) -> cloud_elements::Validation {
        match self.validation {
            ValidationMode::Full => cloud_elements::Validation::Full,
            ValidationMode::Offline => cloud_elements::Validation::Offline,
            ValidationMode::Off => cloud_elements::Validation::Off,
        }
    }
}

/// `--validation`: [`cloud_elements::Validation`] on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ValidationMode {
    /// Built-in elements offline; others by their definition, fetched from the server.
    Full,
    /// Built-in elements only; nothing is fetched.
    Offline,
    /// No element checks: the server decides.
    Off,
}

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// A key/value block or a table.
    Human,
    /// One JSON document.
    Json,
    /// One JSON document per line (one per instance for lists).
    Jsonl,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Create, list, read, change and delete instances.
    #[command(subcommand)]
    Instances(Instances),
    /// Provision many instances from a CSV file (`bulk create FILE.csv --out results.csv`).
    #[command(subcommand)]
    Bulk(crate::bulk::BulkCommand),
    /// Run the sandbox (a local emulator of the API) in the foreground until interrupted.
    Sandbox(SandboxArgs),
    /// Show an element and its configuration schema.
    #[command(subcommand)]
    Elements(crate::elements::Elements),
    /// OAuth elements: print the authorization URL, or log in and create the instance.
    #[command(subcommand)]
    Oauth(crate::oauth::Oauth),
    /// Print a shell completion script.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum Instances {
    /// Provision an instance: `instances create closeio username=KEY password=PW --name Sales`.
    Create(CreateArgs),
    /// List instances, optionally by tag or name.
    List(ListArgs),
    /// Show one instance.
    Get(IdArg),
    /// Change an instance's name, tags or configuration.
    Update(UpdateArgs),
    /// Delete an instance.
    Delete(IdArg),
    /// Enable an instance again.
    Enable(IdArg),
    /// Disable an instance: calls on it are refused until it is enabled.
    Disable(IdArg),
    /// Check that an instance answers (the platform's health check on its hub).
    Ping(PingArgs),
    /// Show an instance's configuration entries, or change one with `config set`.
    Config(ConfigArgs),
}

#[derive(Debug, Args)]
pub(crate) struct IdArg {
    /// The instance id.
    pub(crate) id: i64,
}

#[derive(Debug, Args)]
pub(crate) struct CreateArgs {
    /// The element key (may be left out with --from-json), then configuration entries as
    /// KEY=VALUE.
    #[arg(value_name = "ELEMENT] [KEY=VALUE")]
    pub(crate) args: Vec<String>,
    /// The instance name [default: the element key]
    #[arg(long)]
    pub(crate) name: Option<String>,
    /// A tag; repeatable.
    #[arg(long = "tag", value_name = "TAG")]
    pub(crate) tags: Vec<String>,
    /// Start from this instance.json (the documented body of POST /instances); the other
    /// arguments add to it or override it.
    #[arg(long, value_name = "FILE")]
    pub(crate) from_json: Option<PathBuf>,
    /// Validate and print the request (secrets masked); send nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// Only instances with this tag; repeatable (all must match).
    #[arg(long = "tag", value_name = "TAG")]
    pub(crate) tags: Vec<String>,
    /// Only instances whose name contains this text.
    #[arg(long, value_name = "TEXT")]
    pub(crate) search: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct UpdateArgs {
    /// The instance id.
    pub(crate) id: i64,
    /// Configuration entries to change, as KEY=VALUE.
    #[arg(value_name = "KEY=VALUE", value_parser = parse_entry)]
    pub(crate) entries: Vec<(String, String)>,
    /// A new name.
    #[arg(long)]
    pub(crate) name: Option<String>,
    /// The instance's new tags, replacing all of its tags; repeatable.
    #[arg(long = "tag", value_name = "TAG", conflicts_with = "clear_tags")]
    pub(crate) tags: Vec<String>,
    /// Remove all tags.
    #[arg(long)]
    pub(crate) clear_tags: bool,
    /// Re-authenticate an OAuth instance with the code of a new provider redirect, read from
    /// this file (a code is a secret: never a plain argument) [default: CLOUD_ELEMENTS_OAUTH_CODE,
    /// when set]
    #[arg(long, value_name = "FILE")]
    pub(crate) oauth_code_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct PingArgs {
    /// The instance id.
    pub(crate) id: i64,
    /// The hub to ping [default: the element's hub]
    #[arg(long)]
    pub(crate) hub: Option<String>,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub(crate) struct ConfigArgs {
    #[command(subcommand)]
    pub(crate) set: Option<ConfigCommand>,
    /// The instance id.
    #[arg(required = true)]
    pub(crate) id: Option<i64>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ConfigCommand {
    /// Change one configuration entry: `config set ID KEY VALUE`.
    Set {
        /// The instance id.
        id: i64,
        /// The entry's key.
        key: String,
        /// Its new value.
        value: String,
    },
}

#[derive(Debug, Args)]
pub(crate) struct SandboxArgs {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub(crate) host: String,
    /// The port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 12120)]
    pub(crate) port: u16,
    /// Also serve the element definitions in PATH (a JSON file or a folder of them); repeatable.
    #[arg(long, value_name = "PATH")]
    pub(crate) elements: Vec<PathBuf>,
    /// Every create takes this long before answering, as the platform does.
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=60_000))]
    pub(crate) latency_ms: u64,
    /// Creates past R per second get 429 with Retry-After (0: no limit).
    #[arg(long, value_name = "R", default_value_t = 0)]
    pub(crate) rate_limit: u32,
}

/// `KEY=VALUE`, split at the first `=`; the key must not be empty.
pub(crate) fn parse_entry(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => Ok((key.to_owned(), value.to_owned())),
        Some(_) => Err("the key before `=` is empty".to_owned()),
        None => Err("expected KEY=VALUE".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn entries_split_at_the_first_equals_sign() {
        assert_eq!(parse_entry("a=b=c"), Ok(("a".into(), "b=c".into())));
        assert_eq!(parse_entry("a="), Ok(("a".into(), String::new())));
        assert!(parse_entry("=b").is_err());
        assert!(parse_entry("ab").is_err());
    }

    #[test]
    fn config_takes_an_id_or_the_set_subcommand() {
        let cli = Cli::try_parse_from(["cloud-elements", "instances", "config", "7"]).unwrap();
        assert!(matches!(cli.command, Command::Instances(Instances::Config(ConfigArgs { set: None, id: Some(7) }))));
        let cli = Cli::try_parse_from(["cloud-elements", "instances", "config", "set", "7", "k", "v"]).unwrap();
        assert!(matches!(
            cli.command,
            Command::Instances(Instances::Config(ConfigArgs { set: Some(ConfigCommand::Set { id: 7, .. }), .. }))
        ));
        assert!(Cli::try_parse_from(["cloud-elements", "instances", "config"]).is_err());
    }
}
