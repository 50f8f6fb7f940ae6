//! Exit statuses, one per kind of failure, and the one mapping from the core's errors to them.

use std::fmt;

use cloud_elements::{Error, ErrorKind};

/// Success.
pub(crate) const SUCCESS: u8 = 0;
/// The command itself failed: the sandbox could not start, the output could not be written.
pub(crate) const FAILURE: u8 = 1;
/// Bad arguments (clap's own status for usage errors).
pub(crate) const USAGE: u8 = 2;
/// Missing configuration or invalid input: no credentials, an unreadable file, a request that
/// does not validate. Nothing was sent.
pub(crate) const INPUT: u8 = 3;
/// The server refused the credentials (401).
pub(crate) const AUTHENTICATION: u8 = 4;
/// No such instance (404).
pub(crate) const NOT_FOUND: u8 = 5;
/// Any other error answer of the server: 403, 429, 5xx, an unreadable answer.
pub(crate) const API: u8 = 6;
/// No answer: the server could not be reached, the connection broke, a timeout ran out.
pub(crate) const TRANSPORT: u8 = 7;
/// The request may have taken effect although it failed: look before trying again.
pub(crate) const OUTCOME_UNKNOWN: u8 = 8;
/// `bulk create`: some rows failed (the results file says which and why); the others were done.
pub(crate) const ROWS_FAILED: u8 = 9;

/// The `--help` text about exit statuses.
pub(crate) const HELP: &str = "\
Exit status:
  0  success
  1  the command itself failed (the sandbox could not start, output could not be written)
  2  usage: bad arguments
  3  missing configuration or invalid input (no credentials, a missing required entry, an unknown
     element key); nothing created
  4  authentication: the server refused the credentials (HTTP 401)
  5  not found (HTTP 404)
  6  other API error: any other error status (403 forbidden, e.g. a disabled instance; 429; 5xx)
     or an answer that could not be read
  7  transport or timeout: no answer (unreachable server, broken connection, timeout)
  8  outcome unknown: the request was sent and may have taken effect (check before retrying)
  9  bulk create: some rows failed (the results file says which and why; --resume retries them)";

/// A failed command: its exit status and what to print on standard error.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) status: u8,
    pub(crate) message: String,
}

impl Failure {
    /// Missing configuration or invalid input, found by the command line itself.
    pub(crate) fn input(message: impl Into<String>) -> Failure {
        Failure { status: INPUT, message: message.into() }
    }

    /// The command itself failed.
    pub(crate) fn command(message: impl Into<String>) -> Failure {
        Failure { status: FAILURE, message: message.into() }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Failure {
        let mut message = error.to_string();
        let status = status_of(&error);
        if status == OUTCOME_UNKNOWN {
            message.push_str(
                "\nThe request may have taken effect: look (instances list --tag .., instances get ID) before \
                 trying again.",
            );
        }
        Failure { status, message }
    }
}

/// The exit status for an error of the core. An error after which the request may have taken
/// effect is [`OUTCOME_UNKNOWN`] whatever its kind; otherwise the kind decides.
pub(crate) fn status_of(error: &Error) -> u8 {
    if error.outcome_unknown() {
        return OUTCOME_UNKNOWN;
    }
    match error.kind() {
        ErrorKind::InvalidInput | ErrorKind::MissingConfiguration | ErrorKind::UnknownElement => INPUT,
        ErrorKind::Unauthorized => AUTHENTICATION,
        ErrorKind::NotFound => NOT_FOUND,
        ErrorKind::Transport | ErrorKind::Timeout => TRANSPORT,
        // RateLimited, Api (403 included), Decode, and kinds added later.
        _ => API,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_errors_are_3() {
        let request = cloud_elements::InstanceRequest::new("closeio", "x");
        let missing = request.validate().unwrap_err();
        assert_eq!(status_of(&missing), INPUT);
        let invalid = cloud_elements::InstanceRequest::new("", "x").validate().unwrap_err();
        assert_eq!(status_of(&invalid), INPUT);
    }

    #[test]
    fn the_help_names_every_status() {
        for status in
            [SUCCESS, FAILURE, USAGE, INPUT, AUTHENTICATION, NOT_FOUND, API, TRANSPORT, OUTCOME_UNKNOWN, ROWS_FAILED]
        {
            assert!(HELP.contains(&format!("\n  {status}  ")), "{status}");
        }
    }
}
