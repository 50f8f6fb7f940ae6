//! The end of a run: what was created, found, failed (by reason), on standard error, and with
//! `--output json|jsonl` as one JSON document on standard output.

use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::Instant;

use serde_json::{Map, Value, json};

use super::worker::Tally;
use crate::args::Format;
use crate::exit::Failure;
use crate::output;

/// What a run did.
pub(crate) struct Report<'a> {
    /// Rows in the file.
    pub(crate) rows: u64,
    /// Rows an earlier run had done (--resume).
    pub(crate) resumed: u64,
    /// Rows not sent because the run stopped early.
    pub(crate) not_started: u64,
    pub(crate) tally: &'a Tally,
    pub(crate) started: Instant,
    pub(crate) out: &'a Path,
    /// The pacer's rate at the end (`--rate`, or what it learned from refusals).
    pub(crate) pace: Option<f64>,
}

impl Report<'_> {
    /// Prints the summary: text on standard error, JSON on standard output when asked for.
    pub(crate) fn print(&self, format: Option<Format>) -> Result<(), Failure> {
        let json = self.json();
        eprint!("{}", self.text());
        match format {
            Some(Format::Json | Format::Jsonl) => output::one(format.unwrap_or(Format::Json), String::new, &json),
            _ => Ok(()),
        }
    }

    fn reasons(&self) -> Vec<(String, u64)> {
        let reasons = self.tally.reasons.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        reasons.iter().map(|(reason, count)| (reason.clone(), *count)).collect()
    }

    fn text(&self) -> String {
        let count = |counter: &std::sync::atomic::AtomicU64| counter.load(Ordering::Relaxed);
        let mut text = format!(
            "Bulk create: {} rows in {:.1} s: {} created, {} already existed, {} failed",
            self.rows,
            self.started.elapsed().as_secs_f64(),
            count(&self.tally.created),
            count(&self.tally.existed),
            count(&self.tally.failed),
        );
        let reasons = self.reasons();
        if !reasons.is_empty() {
            let list: Vec<String> = reasons.iter().map(|(reason, n)| format!("{n} {reason}")).collect();
            text.push_str(&format!(" ({})", list.join(", ")));
        }
        if self.resumed > 0 {
            text.push_str(&format!(", {} done by an earlier run", self.resumed));
        }
        if self.not_started > 0 {
            text.push_str(&format!(", {} not sent (the run stopped)", self.not_started));
        }
        let limited = count(&self.tally.rate_limited);
        if limited > 0 {
            text.push_str(&format!("; {limited} answers were 429/503, waited for by every worker"));
            if let Some(pace) = self.pace {
                text.push_str(&format!(", then paced at {pace:.1} creates/s"));
            }
        }
        text.push_str(&format!(".\nResults: {}\n", self.out.display()));
        text
    }

    fn json(&self) -> Value {
        let count = |counter: &std::sync::atomic::AtomicU64| counter.load(Ordering::Relaxed);
        let reasons: Map<String, Value> =
            self.reasons().into_iter().map(|(reason, n)| (reason, Value::from(n))).collect();
        json!({
            "rows": self.rows,
            "created": count(&self.tally.created),
            "existed": count(&self.tally.existed),
            "failed": count(&self.tally.failed),
            "failed_by_reason": reasons,
            "done_before": self.resumed,
            "not_started": self.not_started,
            "rate_limited_answers": count(&self.tally.rate_limited),
            "paced_per_second": self.pace,
            "seconds": (self.started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
            "results": self.out.display().to_string(),
        })
    }
}
