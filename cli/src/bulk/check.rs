//! Every row checked before anything is sent: the row itself (its cells, its key), then the
//! request by the client's validation, which fetches the definition of an element that is not
//! built in once per element key (the client caches it). An element the server does not know
//! fails its other rows without asking again.

use std::collections::HashMap;

use cloud_elements::{Client, ErrorKind};

use super::input::Row;
use crate::exit::Failure;

/// Checks rows one after the other.
pub(crate) struct Checker<'a> {
    client: &'a Client,
    /// Elements the server does not know, and what it said.
    unknown: HashMap<String, String>,
}

impl<'a> Checker<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Checker { client, unknown: HashMap::new() }
    }

    /// What is wrong with `row`, if anything; an `Err` when it cannot be checked at all (the
    /// server cannot be reached, refuses the credentials): the run ends there, nothing sent.
    pub(crate) fn check(&mut self, row: &Row) -> Result<Option<String>, Failure> {
        let request = match &row.request {
            Ok(request) => request,
            Err(problem) => return Ok(Some(problem.clone())),
        };
        if let Some(problem) = self.unknown.get(&row.element) {
            return Ok(Some(problem.clone()));
        }
        match self.client.validate_request(request) {
            Ok(()) => Ok(None),
            Err(error) if error.kind() == ErrorKind::UnknownElement => {
                self.unknown.insert(row.element.clone(), error.to_string());
                Ok(Some(error.to_string()))
            }
            Err(error) if matches!(error.kind(), ErrorKind::InvalidInput | ErrorKind::MissingConfiguration) => {
                Ok(Some(error.to_string()))
            }
            Err(error) => {
                let mut failure = Failure::from(error);
                failure.message = format!("cannot check line {} (nothing was sent): {}", row.line, failure.message);
                Err(failure)
            }
        }
    }
}
