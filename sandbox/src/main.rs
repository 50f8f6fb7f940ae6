//! `cloud-elements-sandbox`: runs the sandbox server until killed.
//!
//! The first line printed is `cloud-elements sandbox listening on <API base URL>`; test harnesses
//! in other languages read it to find the server.

use std::io::Write;
use std::process::ExitCode;

use cloud_elements_sandbox::{DEFAULT_ORGANIZATION_SECRET, DEFAULT_USER_SECRET, Sandbox};

const DEFAULT_PORT: u16 = 12120;

const USAGE: &str = "\
Usage: cloud-elements-sandbox [--host HOST] [--port PORT] [--user-secret SECRET] [--org-secret SECRET]
                              [--tls --ca-file FILE] [--elements PATH]... [--latency-ms N] [--rate-limit R]

A local emulator of the Cloud Elements instance API, with fault injection.

Options:
  --host HOST            address to listen on (default 127.0.0.1)
  --port PORT            port to listen on; 0 picks a free one (default 12120)
  --user-secret SECRET   user secret to accept (default sandbox-user-secret)
  --org-secret SECRET    organization secret to accept (default sandbox-organization-secret)
  --tls                  serve HTTPS with a certificate from a test CA made at start
  --ca-file FILE         with --tls: write that CA's certificate (PEM) to FILE, for the client's
                         CA bundle (CLOUD_ELEMENTS_CA_BUNDLE)
  --elements PATH        also serve the element definitions in PATH (platform format): a JSON file
                         with one element or an array, or a folder of *.json; repeatable. Built in:
                         closeio, pardot and clover (OAuth 2). A malformed file stops the start.
  --latency-ms N         every create (POST /instances) takes N ms before answering, as the
                         platform does while it checks credentials (default 0; at most 60000)
  --rate-limit R         creates past R per second get 429 with Retry-After (default 0: no limit)
  -h, --help             print this help

The first line printed is 'cloud-elements sandbox listening on http://HOST:PORT/elements/api-v2'
(https:// with --tls).
Control endpoints (no authorization): POST/GET/DELETE /_sandbox/faults, GET /_sandbox/requests,
GET /_sandbox/instances, POST /_sandbox/reset, GET/POST /_sandbox/settings
({\"latency_ms\": N, \"rate_limit\": R}; kept by a reset).
OAuth elements: GET /elements/{key}/oauth/url points at the stand-in provider /oauth/authorize,
which redirects to the callback URL with a code for the create's providerData.code.";

#[derive(Debug, PartialEq)]
struct Options {
    host: String,
    port: u16,
    user_secret: String,
    organization_secret: String,
    tls: bool,
    ca_file: Option<String>,
    elements: Vec<String>,
    latency_ms: u64,
    rate_limit: u32,
}

#[derive(Debug, PartialEq)]
enum Command {
    Run(Options),
    Help,
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut options = Options {
        host: "127.0.0.1".to_string(),
        port: DEFAULT_PORT,
        user_secret: DEFAULT_USER_SECRET.to_string(),
        organization_secret: DEFAULT_ORGANIZATION_SECRET.to_string(),
        tls: false,
        ca_file: None,
        elements: Vec::new(),
        latency_ms: 0,
        rate_limit: 0,
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag.to_string(), Some(value.to_string())),
            _ => (arg, None),
        };
        if flag == "-h" || flag == "--help" {
            return Ok(Command::Help);
        }
        if flag == "--tls" && inline.is_none() {
            options.tls = true;
            continue;
        }
        let mut value = || inline.clone().or_else(|| args.next()).ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--host" => options.host = value()?,
            "--port" => {
                let text = value()?;
                options.port = text.parse().map_err(|_| format!("--port: '{text}' is not a port number"))?;
            }
            "--user-secret" => options.user_secret = value()?,
            "--org-secret" | "--organization-secret" => options.organization_secret = value()?,
            "--ca-file" => options.ca_file = Some(value()?),
            "--elements" => options.elements.push(value()?),
            "--latency-ms" => {
                let text = value()?;
                options.latency_ms =
                    text.parse().map_err(|_| format!("--latency-ms: '{text}' is not a number of milliseconds"))?;
                if options.latency_ms > 60_000 {
                    return Err("--latency-ms: at most 60000 (one minute)".to_string());
                }
            }
            "--rate-limit" => {
                let text = value()?;
                options.rate_limit = text
                    .parse()
                    .map_err(|_| format!("--rate-limit: '{text}' is not a number of creates per second"))?;
            }
            _ => return Err(format!("unknown argument '{flag}'")),
        }
    }
    if options.ca_file.is_some() && !options.tls {
        return Err("--ca-file needs --tls".to_string());
    }
    Ok(Command::Run(options))
}

fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(Command::Run(options)) => options,
        Ok(Command::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("cloud-elements-sandbox: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let builder = Sandbox::builder()
        .bind((options.host.as_str(), options.port))
        .user_secret(options.user_secret)
        .organization_secret(options.organization_secret)
        .tls(options.tls)
        .latency(std::time::Duration::from_millis(options.latency_ms))
        .rate_limit(options.rate_limit);
    let sandbox = match options.elements.iter().fold(builder, |builder, path| builder.elements(path)).start() {
        Ok(sandbox) => sandbox,
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
            eprintln!("cloud-elements-sandbox: cannot load elements: {e}");
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("cloud-elements-sandbox: cannot listen on {}:{}: {e}", options.host, options.port);
            return ExitCode::FAILURE;
        }
    };
    if let (Some(path), Some(pem)) = (&options.ca_file, sandbox.ca_certificate_pem()) {
        if let Err(e) = std::fs::write(path, pem) {
            eprintln!("cloud-elements-sandbox: cannot write the CA certificate to {path}: {e}");
            return ExitCode::FAILURE;
        }
    }
    let base = sandbox.url().strip_suffix(cloud_elements_sandbox::API_PREFIX).unwrap_or(sandbox.url());
    let mut out = std::io::stdout().lock();
    let _ = write!(
        out,
        "cloud-elements sandbox listening on {url}\n\
         user secret: {user}\n\
         organization secret: {organization}\n\
         example:\n\
         curl -X POST\n\
         -H 'Authorization: User <INSERT_USER_SECRET>, Organization <INSERT_ORGANIZATION_SECRET>'\n\
         -H 'Content-Type: application/json'\n\
         -d @instance.json\n\
         '{base}/elements/api-v2/instances'\n",
        url = sandbox.url(),
        user = sandbox.user_secret(),
        organization = sandbox.organization_secret(),
    );
    let _ = out.flush();
    drop(out);
    // Serve until killed; SIGINT/SIGTERM end the process.
    loop {
        std::thread::park();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Command, String> {
        parse_args(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn parses_arguments() {
        let Ok(Command::Run(options)) = parse(&["--port", "0", "--host=0.0.0.0", "--org-secret", "o"]) else {
            panic!("expected options");
        };
        assert_eq!(
            options,
            Options {
                host: "0.0.0.0".into(),
                port: 0,
                user_secret: DEFAULT_USER_SECRET.into(),
                organization_secret: "o".into(),
                tls: false,
                ca_file: None,
                elements: Vec::new(),
                latency_ms: 0,
                rate_limit: 0,
            }
        );
        let Ok(Command::Run(options)) = parse(&["--latency-ms", "50", "--rate-limit=200"]) else { panic!() };
        assert_eq!((options.latency_ms, options.rate_limit), (50, 200));
        assert!(parse(&["--latency-ms", "-1"]).is_err());
        assert!(parse(&["--latency-ms", "60001"]).is_err());
        assert!(parse(&["--rate-limit", "fast"]).is_err());
        let Ok(Command::Run(options)) = parse(&["--elements", "a.json", "--elements=dir"]) else { panic!() };
        assert_eq!(options.elements, ["a.json", "dir"]);
        let Ok(Command::Run(options)) = parse(&["--tls", "--ca-file", "ca.pem"]) else { panic!("expected options") };
        assert!(options.tls);
        assert_eq!(options.ca_file.as_deref(), Some("ca.pem"));
        assert!(parse(&["--ca-file", "ca.pem"]).is_err());
        assert_eq!(parse(&["--help"]), Ok(Command::Help));
        assert!(parse(&["--port", "x"]).is_err());
        assert!(parse(&["--port"]).is_err());
        assert!(parse(&["--bogus"]).is_err());
    }
}
