//! Which instances `GET /instances` lists.

use crate::url::encode_component;

/// What [`Client::list_instances`](crate::Client::list_instances) asks for: instances carrying
/// every tag given (`tags[]`, repeatable), whose name contains a text (`searchText`), hydrated or
/// not (`hydrate`). An empty filter lists every instance.
///
/// ```
/// use cloud_elements::InstanceFilter;
///
/// let filter = InstanceFilter::new().tag("team a").tag("crm").search_text("Sales").hydrate(false);
/// assert_eq!(filter.tags(), ["team a", "crm"]);
/// assert_eq!(filter.to_query(), "tags%5B%5D=team%20a&tags%5B%5D=crm&searchText=Sales&hydrate=false");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[must_use]
pub struct InstanceFilter {
    tags: Vec<String>,
    search_text: Option<String>,
    hydrate: Option<bool>,
}

impl InstanceFilter {
    /// A filter that matches every instance.
    pub fn new() -> Self {
        InstanceFilter::default()
    }

    /// Only instances carrying `tag` (besides any other tag asked for).
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tags.push(tag.into());
        self
    }

    /// Only instances whose name contains `text` (`searchText`).
    pub fn search_text(mut self, text: impl Into<String>) -> Self {
        self.search_text = Some(text.into());
        self
    }

    /// Whether the platform fills in each instance's details (`hydrate`; its default is true).
    pub fn hydrate(mut self, hydrate: bool) -> Self {
        self.hydrate = Some(hydrate);
        self
    }

    /// The tags asked for.
    pub fn tags(&self) -> &[String] {
        &self.tags
    }

    /// The search text, if any.
    pub fn search_text_value(&self) -> Option<&str> {
        self.search_text.as_deref()
    }

    /// Whether the filter narrows the list (a tag or a search text): only then does the platform
    /// answer "nothing matches" with a 404.
    pub fn narrows(&self) -> bool {
        !self.tags.is_empty() || self.search_text.is_some()
    }

    /// The query string, percent-encoded, without `?`.
    pub fn to_query(&self) -> String {
        let mut pairs: Vec<String> =
            self.tags.iter().map(|tag| format!("tags%5B%5D={}", encode_component(tag))).collect();
        if let Some(text) = &self.search_text {
            pairs.push(format!("searchText={}", encode_component(text)));
        }
        if let Some(hydrate) = self.hydrate {
            pairs.push(format!("hydrate={hydrate}"));
        }
        pairs.join("&")
    }
}
