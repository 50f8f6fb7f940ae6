//! Printing results: a key/value block or a table for people, one JSON document (`json`) or one
//! per line (`jsonl`) for scripts. Everything printed has already been masked (`mask.rs`).

use std::io::{IsTerminal, Write};

use serde_json::Value;

use crate::args::Format;
use crate::exit::Failure;

/// The format asked for, or by default `human` on a terminal and `json` otherwise.
pub(crate) fn format(asked: Option<Format>) -> Format {
    asked.unwrap_or_else(|| if std::io::stdout().is_terminal() { Format::Human } else { Format::Json })
}

/// Prints one result: `human` as text, or `json` as one document.
pub(crate) fn one(format: Format, human: impl FnOnce() -> String, json: &Value) -> Result<(), Failure> {
    match format {
        Format::Human => write(&human()),
        Format::Json => write(&pretty(json)),
        Format::Jsonl => write(&format!("{json}\n")),
    }
}

/// Prints a list: `human` as text, `json` as one array, `jsonl` one item per line.
pub(crate) fn list(format: Format, human: impl FnOnce() -> String, items: Vec<Value>) -> Result<(), Failure> {
    match format {
        Format::Human => write(&human()),
        Format::Json => write(&pretty(&Value::Array(items))),
        Format::Jsonl => write(&items.iter().map(|item| format!("{item}\n")).collect::<String>()),
    }
}

pub(crate) fn pretty(json: &Value) -> String {
    let mut text = serde_json::to_string_pretty(json).unwrap_or_else(|_| json.to_string());
    text.push('\n');
    text
}

/// Writes to standard output. A reader that went away (`| head`) is not an error.
fn write(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure::command(format!("cannot write the output: {e}")))
        }
        _ => Ok(()),
    }
}

/// Aligned `key  value` lines.
pub(crate) fn block(pairs: &[(String, String)]) -> String {
    let width = pairs.iter().map(|(key, _)| key.chars().count()).max().unwrap_or(0);
    pairs.iter().map(|(key, value)| format!("{}\n", format!("{key:<width$}  {value}").trim_end())).collect()
}

/// A table with a header row, columns padded to their widest cell (the last one not padded).
pub(crate) fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let last = cells.len().saturating_sub(1);
        let mut text: String = cells
            .iter()
            .enumerate()
            .map(|(i, cell)| if i == last { (*cell).to_owned() } else { format!("{cell:<w$}  ", w = widths[i]) })
            .collect();
        text.truncate(text.trim_end().len());
        text.push('\n');
        text
    };
    let mut text = line(headers.to_vec());
    for row in rows {
        text.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    text
}

/// A JSON value as a table cell: strings as they are (control characters escaped, so that a
/// name cannot move the cursor or break a row), arrays joined with `, `, null as `-`.
pub(crate) fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "-".to_owned(),
        Some(Value::String(text)) => printable(text),
        Some(Value::Array(items)) if items.is_empty() => "-".to_owned(),
        Some(Value::Array(items)) => items.iter().map(|item| cell(Some(item))).collect::<Vec<_>>().join(", "),
        Some(other) => other.to_string(),
    }
}

/// `text` with its control characters escaped (`\n`, `\u{1b}`).
fn printable(text: &str) -> String {
    text.chars().fold(String::with_capacity(text.len()), |mut out, c| {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
        out
    })
}

/// An instance (already masked) as a key/value block, its configuration entries indented.
pub(crate) fn instance_block(instance: &Value) -> String {
    let mut pairs = vec![
        ("id".to_owned(), cell(instance.get("id"))),
        ("name".to_owned(), cell(instance.get("name"))),
        ("element".to_owned(), cell(instance.pointer("/element/key"))),
        ("tags".to_owned(), cell(instance.get("tags"))),
        ("disabled".to_owned(), cell(instance.get("disabled"))),
        ("token".to_owned(), cell(instance.get("token"))),
    ];
    if let Some(Value::Object(configuration)) = instance.get("configuration") {
        pairs.push(("configuration".to_owned(), String::new()));
        pairs.extend(configuration.iter().map(|(key, value)| (format!("  {}", printable(key)), cell(Some(value)))));
    }
    block(&pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_and_blocks_align() {
        let rows = vec![vec!["1".into(), "Sales".into(), "a, b".into()], vec!["12".into(), "X".into(), "-".into()]];
        assert_eq!(table(&["ID", "NAME", "TAGS"], &rows), "ID  NAME   TAGS\n1   Sales  a, b\n12  X      -\n");
        let pairs = [("id".to_owned(), "1".to_owned()), ("name".to_owned(), "S".to_owned())];
        assert_eq!(block(&pairs), "id    1\nname  S\n");
        assert_eq!(cell(Some(&Value::from("a\nb\u{1b}[2J"))), "a\\nb\\u{1b}[2J");
    }
}
