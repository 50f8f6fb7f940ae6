//! The elements the sandbox serves: the built-in definitions of the `cloud-elements-catalog` crate
//! (the one source the client validates with too), plus any loaded with `--elements PATH`.
//!
//! Each element keeps its typed definition (for the rule of what a user must supply) and its JSON
//! as written (for serving), with ids assigned where the file has none.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock};

use cloud_elements_catalog::{BUILTIN_SOURCES, COMMON_CONFIGURATION_SOURCE, ConfigEntry, ElementDefinition, LoadError};
use serde_json::{Map, Value};

/// The first id given to a loaded element whose file has none.
const FIRST_ASSIGNED_ELEMENT_ID: i64 = 900_001;

/// One element, ready to serve.
#[derive(Debug)]
pub(crate) struct Element {
    /// The typed definition, its id assigned.
    pub(crate) definition: ElementDefinition,
    /// `GET /elements/{keyOrId}`: the definition as written, ids assigned.
    pub(crate) json: Value,
    /// The `element` object of an instance: the definition without `configuration`.
    pub(crate) view: Value,
    /// `GET /elements/{keyOrId}/configuration`: the element's own entries, then the common entries
    /// it does not define itself, each with an id.
    pub(crate) schema: Value,
}

impl Element {
    /// Builds an element from its definition and its JSON as written; `id` is used when the
    /// definition has none.
    fn new(mut definition: ElementDefinition, raw: Value, id: i64) -> Element {
        let id = *definition.id.get_or_insert(id);
        let mut json = Map::new();
        json.insert("id".to_owned(), Value::from(id));
        if let Value::Object(fields) = raw {
            json.extend(fields.into_iter().filter(|(name, _)| name != "id"));
        }
        let own = match json.get("configuration") {
            Some(Value::Array(entries)) => entries.clone(),
            _ => Vec::new(),
        };
        let own_keys: HashSet<String> = definition.configuration.iter().map(|e| e.key.clone()).collect();
        let common = common_sources().into_iter().filter(|e| e["key"].as_str().is_none_or(|k| !own_keys.contains(k)));
        let mut schema: Vec<Value> = own.into_iter().chain(common).collect();
        assign_entry_ids(&mut schema, id);
        if json.contains_key("configuration") {
            json.insert("configuration".to_owned(), Value::Array(schema[..definition.configuration.len()].to_vec()));
        }
        let mut view = json.clone();
        view.remove("configuration");
        Element { definition, json: Value::Object(json), view: Value::Object(view), schema: Value::Array(schema) }
    }

    /// The element's id (assigned when its file has none).
    pub(crate) fn id(&self) -> i64 {
        self.definition.id.unwrap_or_default()
    }

    /// The element's key.
    pub(crate) fn key(&self) -> &str {
        &self.definition.key
    }

    /// The element's hub, empty when the definition names none.
    pub(crate) fn hub(&self) -> &str {
        self.definition.hub.as_deref().unwrap_or_default()
    }

    /// The schema entry for `key`: the element's own, else the common one.
    pub(crate) fn entry(&self, key: &str) -> Option<&ConfigEntry> {
        self.definition
            .entry(key)
            .or_else(|| cloud_elements_catalog::common_configuration().iter().find(|e| e.key == key))
    }

    /// Whether the platform masks the value of `key` on reads: `PASSWORD` entries only (an API
    /// key kept in a text field, like Close.io's `username`, comes back as stored).
    pub(crate) fn is_masked(&self, key: &str) -> bool {
        self.entry(key).is_some_and(|e| e.kind.as_deref() == Some("PASSWORD"))
    }
}

/// The common entries as written, one JSON object each.
fn common_sources() -> Vec<Value> {
    match serde_json::from_str(COMMON_CONFIGURATION_SOURCE) {
        Ok(Value::Array(entries)) => entries,
        // The catalog crate parses the same text at first use and tests it.
        _ => Vec::new(),
    }
}

/// Gives every entry without a numeric `id` one: `element id × 1000 + position`, skipping ids in use.
fn assign_entry_ids(entries: &mut [Value], element_id: i64) {
    let mut used: HashSet<i64> = entries.iter().filter_map(|e| e["id"].as_i64()).collect();
    for (position, entry) in (1..).zip(entries.iter_mut()) {
        let Value::Object(fields) = entry else { continue };
        if fields.get("id").and_then(Value::as_i64).is_some() {
            continue;
        }
        let mut id = element_id.saturating_mul(1000).saturating_add(position);
        while !used.insert(id) {
            id = id.saturating_add(1);
        }
        let rest = std::mem::take(fields);
        fields.insert("id".to_owned(), Value::from(id));
        fields.extend(rest.into_iter().filter(|(name, _)| name != "id"));
    }
}

/// Every element a sandbox serves, in order: the built-ins, then the loaded ones (a loaded element
/// takes the place of a built-in with the same key).
#[derive(Debug)]
pub(crate) struct Catalog {
    elements: Vec<Arc<Element>>,
}

impl Default for Catalog {
    fn default() -> Self {
        let raw: Vec<Value> = BUILTIN_SOURCES
            .iter()
            .flat_map(|(_, text)| match serde_json::from_str(text) {
                Ok(Value::Array(items)) => items,
                Ok(item) => vec![item],
                Err(_) => Vec::new(),
            })
            .collect();
        let elements = cloud_elements_catalog::builtins()
            .iter()
            .map(|definition| {
                let source = raw.iter().find(|r| r["key"] == definition.key.as_str()).cloned();
                Arc::new(Element::new(definition.clone(), source.unwrap_or_default(), 0))
            })
            .collect();
        Catalog { elements }
    }
}

/// The built-ins alone, built once per process.
static BUILTINS: LazyLock<Arc<Catalog>> = LazyLock::new(|| Arc::new(Catalog::default()));

impl Catalog {
    /// The built-in elements alone (shared: built once).
    pub(crate) fn builtins() -> Arc<Catalog> {
        Arc::clone(&BUILTINS)
    }

    /// The built-ins plus the definitions in `paths` (files or folders of `*.json`), in order.
    pub(crate) fn load(paths: &[PathBuf]) -> Result<Catalog, LoadError> {
        let mut catalog = Catalog::default();
        let mut next_id = FIRST_ASSIGNED_ELEMENT_ID;
        for path in paths {
            for (definition, raw) in cloud_elements_catalog::load_path(path)? {
                let id = match definition.id {
                    Some(id) => id,
                    None => {
                        while catalog.by_id(next_id).is_some() {
                            next_id += 1;
                        }
                        next_id += 1;
                        next_id - 1
                    }
                };
                catalog.add(Element::new(definition, raw, id));
            }
        }
        Ok(catalog)
    }

    fn add(&mut self, element: Element) {
        match self.elements.iter_mut().find(|e| e.key() == element.key()) {
            Some(slot) => *slot = Arc::new(element),
            None => self.elements.push(Arc::new(element)),
        }
    }

    /// Every element, in catalog order.
    pub(crate) fn elements(&self) -> impl Iterator<Item = &Arc<Element>> {
        self.elements.iter()
    }

    /// The element with this key.
    pub(crate) fn by_key(&self, key: &str) -> Option<&Arc<Element>> {
        self.elements.iter().find(|e| e.key() == key)
    }

    fn by_id(&self, id: i64) -> Option<&Arc<Element>> {
        self.elements.iter().find(|e| e.id() == id)
    }

    /// The element with this key or numeric id, as `/elements/{keyOrId}` looks it up.
    pub(crate) fn by_key_or_id(&self, key_or_id: &str) -> Option<&Arc<Element>> {
        self.by_key(key_or_id).or_else(|| self.by_id(key_or_id.parse().ok()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closeio_element_is_the_documented_sample() {
        let expected = serde_json::json!({
            "id": 146,
            "name": "Close.io Beta",
            "key": "closeio",
            "description": "Add a Close.io CRM Instance to connect your existing Close.io account to the CRM Hub, allowing you to manage contacts, accounts, opportunities, etc. across multiple CRM Elements. You will need your Close.io CRM account information to add an instance.",
            "image": "https://pbs.twimg.com/profile_images/497905627948015616/vNCOkr1Z.png",
            "active": true,
            "deleted": false,
            "typeOauth": false,
            "trialAccount": false,
            "transformationsEnabled": true,
            "authentication": {"type": "basic"},
            "hub": "crm",
            "parameters": []
        });
        assert_eq!(Catalog::default().by_key("closeio").unwrap().view, expected);
    }

    #[test]
    fn lookup_by_key_or_id() {
        let catalog = Catalog::default();
        assert_eq!(catalog.by_key_or_id("closeio").unwrap().id(), 146);
        assert_eq!(catalog.by_key_or_id("90").unwrap().key(), "pardot");
        assert_eq!(catalog.by_key_or_id("clover").unwrap().hub(), "employee");
        assert!(catalog.by_key_or_id("nope").is_none());
        assert!(catalog.by_key("146").is_none());
    }

    #[test]
    fn schema_ids_and_keys_are_unique_and_common_entries_follow() {
        for element in Catalog::default().elements() {
            let schema = element.schema.as_array().unwrap();
            let keys: HashSet<&str> = schema.iter().map(|e| e["key"].as_str().unwrap()).collect();
            let ids: HashSet<i64> = schema.iter().map(|e| e["id"].as_i64().unwrap()).collect();
            assert_eq!((keys.len(), ids.len()), (schema.len(), schema.len()), "{}", element.key());
            assert!(keys.contains("filter.response.nulls"));
            assert_eq!(element.json["configuration"].as_array().unwrap().len(), element.definition.configuration.len());
        }
        let pardot = Catalog::default().by_key("pardot").cloned().unwrap();
        assert!(pardot.is_masked("apikey.user.key"));
        assert!(pardot.is_masked("event.notification.signature.key"));
        assert!(!pardot.is_masked("apikey.user.name"));
        assert!(!Catalog::default().by_key("closeio").unwrap().is_masked("username"));
    }

    #[test]
    fn entries_without_ids_get_stable_ones() {
        let raw = serde_json::json!({"key": "acme", "configuration": [{"key": "a"}, {"id": 7001, "key": "b"}]});
        let definition: ElementDefinition = serde_json::from_value(raw.clone()).unwrap();
        let element = Element::new(definition, raw, 7);
        assert_eq!(element.json["id"], 7);
        assert_eq!(element.schema[0], serde_json::json!({"id": 7002, "key": "a"}), "7001 is taken");
        assert_eq!(element.schema[2]["id"], 7003);
    }
}
