//! `options_json` of `ce_provision_ex`, and the options the calling thread's flat calls use.

use std::cell::RefCell;
use std::time::Duration;

use serde_json::{Map, Value};

use super::buffer::Pad;
use super::error::Failure;

/// The option keys `options_json` may hold.
const KNOWN: [&str; 6] = ["retries", "timeout_ms", "connect_timeout_ms", "idempotency_key", "ca_bundle", "pad"];
/// The largest timeout: one day, as `ce_client_set_timeout_ms()`.
const MAX_MS: u64 = 86_400_000;
/// The most retries, as the core allows.
const MAX_RETRIES: u64 = 10;

/// The settings a flat call's client is built with; part of the client cache's key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Settings {
    pub(crate) retries: Option<u32>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) ca_bundle: Option<String>,
}

/// What the calling thread's flat calls use besides their own arguments: the options of its last
/// `ce_provision_ex` (without the idempotency key), and what its last flat call needed.
#[derive(Clone, Debug, Default)]
pub(crate) struct ThreadOptions {
    pub(crate) settings: Settings,
    pub(crate) pad: Pad,
    /// The bytes the token of the last flat call needed, when it did not fit; else 0.
    pub(crate) needed: usize,
}

thread_local! {
    static THREAD: RefCell<ThreadOptions> = RefCell::new(ThreadOptions::default());
}

/// The calling thread's flat options.
pub(crate) fn thread_options() -> ThreadOptions {
    THREAD.try_with(|t| t.borrow().clone()).unwrap_or_default()
}

/// Changes the calling thread's flat options.
pub(crate) fn update_thread_options(change: impl FnOnce(&mut ThreadOptions)) {
    let _ = THREAD.try_with(|t| change(&mut t.borrow_mut()));
}

/// Parsed `options_json`.
#[derive(Debug, Default)]
pub(crate) struct Options {
    pub(crate) settings: Settings,
    pub(crate) idempotency_key: Option<String>,
    pub(crate) pad: Pad,
}

/// The padding `options_json` asks for, read even when the rest of it is wrong, so that the error
/// message of a call with bad options is laid out as the caller expects.
pub(crate) fn pad_of(json: Option<&str>) -> Pad {
    let object = json.and_then(|text| serde_json::from_str::<Map<String, Value>>(text).ok());
    match object.as_ref().and_then(|o| o.get("pad")).and_then(Value::as_str) {
        Some("spaces") => Pad::Spaces,
        _ => Pad::Nul,
    }
}

/// Parses `options_json`: NULL, empty or blank is no options. Every problem is named at once.
pub(crate) fn parse(json: Option<&str>) -> Result<Options, Failure> {
    let mut options = Options::default();
    let Some(text) = json.filter(|text| !text.trim().is_empty()) else {
        return Ok(options);
    };
    let object: Map<String, Value> = serde_json::from_str(text).map_err(|e| {
        Failure::invalid(format!(
            "`options_json` is not a JSON object ({e}); give NULL or e.g. {{\"pad\": \"spaces\"}}"
        ))
    })?;
    let unknown: Vec<&str> = object.keys().map(String::as_str).filter(|k| !KNOWN.contains(k)).collect();
    let mut problems = Vec::new();
    if !unknown.is_empty() {
        problems.push(format!("unknown option keys: {} (known: {})", unknown.join(", "), KNOWN.join(", ")));
    }
    for (key, value) in &object {
        let result = match key.as_str() {
            "retries" => millis_or_count(value, MAX_RETRIES).map(|n| options.settings.retries = Some(n as u32)),
            "timeout_ms" => millis(value).map(|d| options.settings.timeout = Some(d)),
            "connect_timeout_ms" => millis(value).map(|d| options.settings.connect_timeout = Some(d)),
            "ca_bundle" => text_value(value).map(|path| options.settings.ca_bundle = Some(path)),
            "idempotency_key" => text_value(value).map(|k| options.idempotency_key = Some(k)),
            "pad" => pad_value(value).map(|pad| options.pad = pad),
            _ => Ok(()),
        };
        if let Err(problem) = result {
            problems.push(format!("option `{key}` {problem}"));
        }
    }
    if problems.is_empty() { Ok(options) } else { Err(Failure::invalid(problems.join("; "))) }
}

fn millis_or_count(value: &Value, max: u64) -> Result<u64, String> {
    match value.as_u64() {
        Some(n) if n <= max => Ok(n),
        _ => Err(format!("must be a whole number from 0 to {max}")),
    }
}

fn millis(value: &Value) -> Result<Duration, String> {
    match value.as_u64() {
        Some(n) if (1..=MAX_MS).contains(&n) => Ok(Duration::from_millis(n)),
        _ => Err(format!("must be a whole number of milliseconds from 1 to {MAX_MS}")),
    }
}

fn text_value(value: &Value) -> Result<String, String> {
    match value.as_str() {
        Some(text) if !text.trim().is_empty() => Ok(text.to_owned()),
        _ => Err("must be a non-empty string".to_owned()),
    }
}

fn pad_value(value: &Value) -> Result<Pad, String> {
    match value.as_str() {
        Some("spaces") => Ok(Pad::Spaces),
        Some("nul") => Ok(Pad::Nul),
        _ => Err("must be \"spaces\" or \"nul\"".to_owned()),
    }
}
