//! `cloud-elements elements show KEY`: an element and its configuration schema, in display order,
//! with what the user must supply marked. From the configured server (its runtime catalog), or,
//! when none is configured, from the built-in definitions (said on standard error).

use clap::Subcommand;
use cloud_elements::catalog::{self, ConfigEntry, ElementDefinition};
use serde_json::{Value, json};

use crate::args::{Format, Global};
use crate::connect::{configured, connect};
use crate::exit::Failure;
use crate::mask::MASK;
use crate::output;

/// `elements ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum Elements {
    /// Show an element and its configuration schema; `*` marks what a create must supply.
    Show {
        /// The element key (`closeio`, `clover`, ...).
        key: String,
    },
}

/// Runs one `elements` subcommand.
pub(crate) fn run(command: &Elements, global: &Global) -> Result<(), Failure> {
    let format = output::format(global.output);
    match command {
        Elements::Show { key } => show(key, global, format),
    }
}

fn show(key: &str, global: &Global, format: Format) -> Result<(), Failure> {
    let definition = if configured(global) {
        let client = connect(global)?.client;
        let mut definition = client.element(key)?;
        if definition.configuration.is_empty() {
            definition.configuration = client.element_configuration(key)?;
        }
        definition
    } else {
        let builtin = catalog::builtin(key).ok_or_else(|| unknown_builtin(key))?;
        eprintln!("No server is configured: showing the built-in definition of `{key}`.");
        builtin.clone()
    };
    let json = describe(&definition);
    output::one(format, || human(&json), &json)
}

/// The error for a key that is not built in, when no server is configured to ask.
fn unknown_builtin(key: &str) -> Failure {
    let keys = catalog::builtins().iter().map(|e| e.key.as_str());
    let suggestions = catalog::closest_keys(key, keys);
    let hint = match suggestions.first() {
        Some(closest) => format!(" (did you mean `{closest}`?)"),
        None => String::new(),
    };
    Failure::input(format!(
        "no built-in element with key `{key}`{hint}; configure a server (CLOUD_ELEMENTS_BASE_URL and the secrets) \
         to read its catalog"
    ))
}

/// The element as printed: its identity, and its entries in display order, each with what it
/// asks of the user. Default values of secret entries are masked.
pub(crate) fn describe(definition: &ElementDefinition) -> Value {
    let entries: Vec<Value> = definition.entries_in_display_order().into_iter().map(entry).collect();
    json!({
        "key": definition.key,
        "name": definition.name,
        "id": definition.id,
        "hub": definition.hub,
        "authentication": definition.authentication_type(),
        "oauth": definition.is_oauth(),
        "mustSupply": definition.must_supply().map(|e| e.key.as_str()).collect::<Vec<_>>(),
        "configuration": entries,
    })
}

fn entry(entry: &ConfigEntry) -> Value {
    let default = entry.applied_default().map(|value| if entry.is_secret() { MASK } else { value });
    json!({
        "key": entry.key,
        "name": entry.name,
        "type": entry.kind,
        "mustSupply": entry.must_supply(),
        "required": entry.required,
        "secret": entry.is_secret(),
        "default": default,
        "hidden": entry.hide_from_console,
        "internal": entry.internal,
        "displayOrder": entry.display_order,
    })
}

/// A key/value block about the element, then a table of its entries.
fn human(json: &Value) -> String {
    let mut text = output::block(&[
        ("key".to_owned(), output::cell(json.get("key"))),
        ("name".to_owned(), output::cell(json.get("name"))),
        ("id".to_owned(), output::cell(json.get("id"))),
        ("hub".to_owned(), output::cell(json.get("hub"))),
        ("authentication".to_owned(), output::cell(json.get("authentication"))),
        ("oauth".to_owned(), if json["oauth"] == true { "yes".to_owned() } else { "no".to_owned() }),
    ]);
    let empty = Vec::new();
    let entries = json["configuration"].as_array().unwrap_or(&empty);
    if entries.is_empty() {
        text.push_str("\nNo configuration entries.\n");
        return text;
    }
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            let mark = if e["mustSupply"] == true { "*" } else { "" };
            vec![
                mark.to_owned(),
                output::cell(e.get("key")),
                output::cell(e.get("name")),
                output::cell(e.get("type")),
                shorten(output::cell(e.get("default"))),
                notes(e),
            ]
        })
        .collect();
    text.push('\n');
    text.push_str(&output::table(&["", "KEY", "NAME", "TYPE", "DEFAULT", "NOTES"], &rows));
    let oauth = if json["oauth"] == true { ", and an OAuth login (`oauth login`) gives the code" } else { "" };
    if json["mustSupply"].as_array().is_some_and(|keys| !keys.is_empty()) {
        text.push_str(&format!("\n* must be supplied when creating an instance{oauth}\n"));
    } else {
        text.push_str(&format!("\nNothing must be supplied when creating an instance{oauth}.\n"));
    }
    text
}

/// A long default (a JSON document, say) cut to fit the table; `--output json` has it whole.
fn shorten(text: String) -> String {
    const MAX: usize = 40;
    if text.chars().count() <= MAX {
        return text;
    }
    let mut cut: String = text.chars().take(MAX - 3).collect();
    cut.push_str("...");
    cut
}

/// What the table's NOTES column says about an entry.
fn notes(entry: &Value) -> String {
    let mut notes = Vec::new();
    let flag = |name: &str| entry[name] == true;
    if flag("secret") {
        notes.push("secret");
    }
    if flag("required") && !flag("mustSupply") {
        notes.push("required, set by the platform");
    } else if !flag("required") {
        notes.push("optional");
    }
    if flag("hidden") {
        notes.push("hidden");
    }
    if flag("internal") {
        notes.push("internal");
    }
    notes.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closeio_marks_its_two_entries() {
        let json = describe(catalog::builtin("closeio").unwrap());
        assert_eq!(json["mustSupply"], json!(["username", "password"]));
        let text = human(&json);
        assert!(text.contains("oauth           no\n"), "{text}");
        let marked: Vec<&str> = text.lines().filter(|l| l.starts_with('*')).collect();
        assert_eq!(marked.len(), 2 + 1, "two entries and the footnote: {text}");
    }
}
