//! Reading element definitions from text, a file, or a folder of `*.json` files.

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::ElementDefinition;

/// A definitions file or folder that could not be used: which file, and why.
#[derive(Debug)]
pub struct LoadError {
    /// The file (or folder) at fault.
    pub path: PathBuf,
    /// What is wrong with it.
    pub reason: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.reason)
    }
}

impl std::error::Error for LoadError {}

/// Parses JSON text holding one element definition or an array of them.
///
/// ```
/// let parsed = cloud_elements_catalog::parse_definitions(r#"{"key": "acme", "configuration": []}"#).unwrap();
/// assert_eq!(parsed[0].key, "acme");
/// assert!(cloud_elements_catalog::parse_definitions(r#"{"name": "no key"}"#).is_err());
/// ```
pub fn parse_definitions(text: &str) -> Result<Vec<ElementDefinition>, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON ({e})"))?;
    let items = match value {
        Value::Array(items) => items,
        object @ Value::Object(_) => vec![object],
        _ => return Err("expected an element definition (a JSON object) or an array of them".to_owned()),
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let definition: ElementDefinition =
                serde_json::from_value(item).map_err(|e| format!("element #{}: {e}", i + 1))?;
            if definition.key.trim().is_empty() {
                return Err(format!("element #{}: the key is empty", i + 1));
            }
            Ok(definition)
        })
        .collect()
}

/// Loads the definitions in `path`: a JSON file (one definition or an array), or a folder whose
/// `*.json` files are read in name order. Each definition comes with its JSON as written.
pub fn load_path(path: &Path) -> Result<Vec<(ElementDefinition, Value)>, LoadError> {
    let fail = |path: &Path, reason: String| LoadError { path: path.to_owned(), reason };
    let files = if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| fail(path, e.to_string()))?
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|p| p.extension().is_some_and(|ext| ext == "json") && p.is_file())
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(fail(path, "the folder holds no *.json file".to_owned()));
        }
        files
    } else {
        vec![path.to_owned()]
    };
    let mut loaded = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|e| fail(&file, e.to_string()))?;
        let definitions = parse_definitions(&text).map_err(|reason| fail(&file, reason))?;
        let raw = match serde_json::from_str::<Value>(&text) {
            Ok(Value::Array(items)) => items,
            Ok(object) => vec![object],
            Err(e) => return Err(fail(&file, e.to_string())),
        };
        loaded.extend(definitions.into_iter().zip(raw));
    }
    Ok(loaded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_file_is_named_with_the_reason() {
        let dir = std::env::temp_dir().join(format!("ce-catalog-load-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.json"), r#"[{"key": "a"}, {"key": "b", "configuration": [{"key": "x"}]}]"#).unwrap();
        let loaded = load_path(&dir).unwrap();
        assert_eq!(loaded.len(), 2);
        assert_eq!(loaded[1].1["configuration"][0]["key"], "x");
        std::fs::write(dir.join("b.json"), r#"{"key": "c", "configuration": {}}"#).unwrap();
        let err = load_path(&dir).unwrap_err();
        assert!(err.to_string().contains("b.json") && err.reason.contains("element #1"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn not_an_object_or_array() {
        assert!(parse_definitions("3").unwrap_err().contains("expected an element definition"));
        assert!(parse_definitions("{").unwrap_err().contains("not valid JSON"));
    }
}
