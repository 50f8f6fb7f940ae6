//! The API's resources: which path is which route, and the methods each route allows.

use crate::http::percent_decode;

/// One resource of the API, its path segments borrowed.
#[derive(Clone, Copy, Debug)]
pub(super) enum Route<'a> {
    Instances { scope: Option<&'a str> },
    InstancesEnabled,
    Instance { scope: Option<&'a str>, id: &'a str },
    InstanceConfig { scope: Option<&'a str>, id: &'a str },
    InstanceConfigEntry { scope: Option<&'a str>, id: &'a str, config_id: &'a str },
    Elements,
    Element { key: &'a str },
    ElementConfig { key: &'a str },
    ElementOAuthUrl { key: &'a str },
    HubPing { hub: &'a str },
}

impl Route<'_> {
    pub(super) fn methods(self) -> &'static [&'static str] {
        match self {
            Route::Instances { .. } => &["GET", "HEAD", "POST"],
            Route::InstancesEnabled => &["PUT", "DELETE"],
            Route::Instance { .. } => &["GET", "HEAD", "PUT", "PATCH", "DELETE"],
            Route::InstanceConfigEntry { .. } => &["GET", "HEAD", "PATCH"],
            Route::InstanceConfig { .. }
            | Route::Elements
            | Route::Element { .. }
            | Route::ElementConfig { .. }
            | Route::ElementOAuthUrl { .. }
            | Route::HubPing { .. } => &["GET", "HEAD"],
        }
    }

    /// Calls on one instance authenticate with its Element token as well.
    pub(super) fn needs_element_token(self) -> bool {
        matches!(self, Route::InstancesEnabled | Route::HubPing { .. })
    }

    /// Whether a request with this method carries a JSON body.
    pub(super) fn takes_body(self, method: &str) -> bool {
        matches!(
            (self, method),
            (Route::Instances { .. }, "POST")
                | (Route::Instance { .. }, "PUT" | "PATCH")
                | (Route::InstanceConfigEntry { .. }, "PATCH")
        )
    }
}

/// The decoded segments of a path (one trailing `/` ignored).
pub(super) fn segments(path: &str) -> Vec<String> {
    let path = path.strip_prefix('/').unwrap_or(path);
    let path = path.strip_suffix('/').unwrap_or(path);
    if path.is_empty() { Vec::new() } else { path.split('/').map(|s| percent_decode(s, false)).collect() }
}

/// The route of a path's segments, if any.
pub(super) fn route(segments: &[String]) -> Option<Route<'_>> {
    let s: Vec<&str> = segments.iter().map(String::as_str).collect();
    Some(match s.as_slice() {
        [] => return None,
        _ if s.iter().any(|segment| segment.is_empty()) => return None,
        ["instances"] => Route::Instances { scope: None },
        ["instances", "enabled"] => Route::InstancesEnabled,
        ["instances", id] => Route::Instance { scope: None, id },
        ["instances", id, "configuration"] => Route::InstanceConfig { scope: None, id },
        ["instances", id, "configuration", config_id] => Route::InstanceConfigEntry { scope: None, id, config_id },
        ["elements"] => Route::Elements,
        ["elements", key] => Route::Element { key },
        ["elements", key, "configuration"] => Route::ElementConfig { key },
        ["elements", key, "oauth", "url"] => Route::ElementOAuthUrl { key },
        ["elements", key, "instances"] => Route::Instances { scope: Some(key) },
        ["elements", key, "instances", id] => Route::Instance { scope: Some(key), id },
        ["elements", key, "instances", id, "configuration"] => Route::InstanceConfig { scope: Some(key), id },
        ["elements", key, "instances", id, "configuration", config_id] => {
            Route::InstanceConfigEntry { scope: Some(key), id, config_id }
        }
        ["hubs", hub, "ping"] => Route::HubPing { hub },
        _ => return None,
    })
}

/// The methods the resource at `path` allows (none when there is no such resource).
pub(super) fn allowed_for(path: &str) -> Vec<&'static str> {
    route(&segments(path)).map(|r| r.methods().to_vec()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        let r = |p: &str| route(&segments(p)).map(|r| format!("{r:?}"));
        assert_eq!(r("/instances/"), Some("Instances { scope: None }".into()));
        assert_eq!(r("/elements/closeio/instances/3"), Some("Instance { scope: Some(\"closeio\"), id: \"3\" }".into()));
        assert_eq!(r("/elements/clover/oauth/url"), Some("ElementOAuthUrl { key: \"clover\" }".into()));
        assert_eq!(r("/instances//configuration"), None);
        assert_eq!(r(""), None);
        assert_eq!(r("/hubs/crm/contacts"), None);
    }
}
