//! The instance handlers: create, list, read, update, delete, configuration entries, and the calls
//! made with an instance's Element token (enable/disable, ping).

use std::sync::Arc;

use serde_json::json;

use super::checks::INVALID_CREDENTIALS;
use crate::catalog::{Catalog, Element};
use crate::faults;
use crate::http::{Request, Response, query_pairs};
use crate::instance::Instance;
use crate::oauth::OAuthStore;
use crate::server::Shared;
use crate::server::throttle::Admission;
use crate::state::State;
use crate::validate::{self, ApiError};

/// `POST /instances` (or `/elements/{keyOrId}/instances`, `scope` being that element): first the
/// server's rate limit (429 with `Retry-After`) and latency (a wait, without holding the state),
/// then the create itself.
pub(super) fn create(
    shared: &Shared,
    req: &Request,
    catalog: &Catalog,
    scope: Option<Arc<Element>>,
) -> Result<Response, ApiError> {
    match shared.throttle.admit() {
        Admission::Refuse { retry_after_secs } => {
            let message = format!(
                "Rate limit exceeded: at most {} instance creates per second",
                shared.throttle.settings().rate_limit
            );
            return Ok(shared.error(429, &message).with_header("Retry-After", retry_after_secs.to_string()));
        }
        Admission::Wait(latency) if !latency.is_zero() => faults::sleep_unless_stopped(latency, &shared.stop),
        Admission::Wait(_) => {}
    }
    let new = validate::new_instance(catalog, &req.body, scope)?;
    let mut state = shared.state();
    if new.element.definition.is_oauth() {
        let api_key = OAuthStore::api_key_of(|key| new.configuration.get(key).map(String::as_str));
        state.oauth.redeem(new.oauth_code.as_deref(), &new.element, api_key)?;
    }
    let token = loop {
        let token = shared.ids.token();
        if !state.tokens.contains_key(&token) {
            break token;
        }
    };
    let instance = state.insert(new, token);
    Ok(Response::json(200, &instance.view(false)).with_header("elements-element-instance-id", instance.id.to_string()))
}

/// `GET /instances?tags[]=..&searchText=..`: a search without results is a 404, as on the
/// platform; a listing without filters is `[]` when there is nothing.
pub(super) fn list(shared: &Shared, req: &Request, scope: Option<Arc<Element>>) -> Result<Response, ApiError> {
    let mut tags = Vec::new();
    let mut search = None;
    for (key, value) in query_pairs(req.query()) {
        match key.as_str() {
            "tags[]" | "tags" => tags.push(value),
            "searchText" if !value.is_empty() => search = Some(value.to_lowercase()),
            // hydrate, paging and anything else: accepted, no effect here.
            _ => {}
        }
    }
    let state = shared.state();
    let matches: Vec<_> = state
        .instances
        .values()
        .filter(|i| in_scope(i, scope.as_deref()))
        .filter(|i| tags.iter().all(|tag| i.tags.contains(tag)))
        .filter(|i| search.as_ref().is_none_or(|text| i.name.to_lowercase().contains(text)))
        .map(|i| i.view(true))
        .collect();
    if matches.is_empty() && (!tags.is_empty() || search.is_some()) {
        return Err(ApiError::new(404, "No instances found matching the given criteria"));
    }
    Ok(Response::json(200, &matches))
}

/// `GET`, `PUT`, `PATCH` and `DELETE /instances/{id}`.
pub(super) fn one(
    shared: &Shared,
    req: &Request,
    method: &str,
    scope: Option<Arc<Element>>,
    id: &str,
) -> Result<Response, ApiError> {
    let mut state = shared.state();
    let instance = find(&mut state, scope.as_deref(), id)?;
    let (id, element) = (instance.id, Arc::clone(&instance.element));
    match method {
        "GET" => Ok(Response::json(200, &instance.view(true))),
        "DELETE" => {
            state.remove(id);
            Ok(Response::json(200, &json!({})))
        }
        _ => {
            let update = validate::instance_update(&req.body, &element)?;
            if let (Some(code), true) = (&update.oauth_code, element.definition.is_oauth()) {
                // A new code re-authenticates the instance: checked (and used up) like a create's.
                let given = OAuthStore::api_key_of(|key| update.configuration.get(key).map(String::as_str));
                let stored =
                    state.instances.get(&id).and_then(|i| OAuthStore::api_key_of(|key| i.configuration_value(key)));
                let api_key = given.or(stored).map(str::to_owned);
                state.oauth.redeem(Some(code), &element, api_key.as_deref())?;
            }
            for (key, value) in update.configuration {
                state.set_configuration(id, &key, value);
            }
            let instance = find(&mut state, None, &id.to_string())?;
            if let Some(name) = update.name {
                instance.name = name;
            }
            if let Some(tags) = update.tags {
                instance.tags = tags;
            }
            Ok(Response::json(200, &instance.view(true)))
        }
    }
}

/// `GET /instances/{id}/configuration`.
pub(super) fn configuration(shared: &Shared, scope: Option<Arc<Element>>, id: &str) -> Result<Response, ApiError> {
    let mut state = shared.state();
    Ok(Response::json(200, &find(&mut state, scope.as_deref(), id)?.configuration_entries()))
}

/// `GET` and `PATCH /instances/{id}/configuration/{configId}`.
pub(super) fn configuration_entry(
    shared: &Shared,
    req: &Request,
    method: &str,
    scope: Option<Arc<Element>>,
    id: &str,
    config_id: &str,
) -> Result<Response, ApiError> {
    let mut state = shared.state();
    let instance = find(&mut state, scope.as_deref(), id)?;
    let instance_id = instance.id;
    let not_found =
        || ApiError::new(404, format!("No configuration entry with id '{config_id}' in instance {instance_id}"));
    let config_id: u64 = config_id.parse().map_err(|_| not_found())?;
    let index = instance.configuration.iter().position(|c| c.id == config_id).ok_or_else(not_found)?;
    if method == "PATCH" {
        let key = &instance.configuration[index].key;
        let value = validate::config_value_update(&req.body, &instance.element, key)?;
        instance.configuration[index].set(value);
    }
    Ok(Response::json(200, &instance.entry_view(&instance.configuration[index])))
}

/// `DELETE` (disable) and `PUT` (enable) `/instances/enabled`, with the instance's Element token.
pub(super) fn set_enabled(shared: &Shared, token: &str, enabled: bool) -> Result<Response, ApiError> {
    let mut state = shared.state();
    let instance = state.by_token(token).ok_or_else(|| ApiError::new(401, INVALID_CREDENTIALS))?;
    instance.disabled = !enabled;
    Ok(Response::json(200, &instance.view(true)))
}

/// `GET /hubs/{hub}/ping` with an Element token: 401 for an unknown (or deleted) instance's token,
/// 404 for another hub, 403 for a disabled instance.
pub(super) fn ping(shared: &Shared, token: &str, hub: &str) -> Result<Response, ApiError> {
    let mut state = shared.state();
    let instance = state.by_token(token).ok_or_else(|| ApiError::new(401, INVALID_CREDENTIALS))?;
    if instance.element.hub() != hub {
        return Err(ApiError::new(
            404,
            format!("Element '{}' is in hub '{}', not '{hub}'", instance.element.key(), instance.element.hub()),
        ));
    }
    if instance.disabled {
        return Err(ApiError::new(403, "This element instance is disabled; enable it with PUT /instances/enabled"));
    }
    Ok(Response::json(200, &json!({ "endpoint": instance.element.key() })))
}

fn in_scope(instance: &Instance, scope: Option<&Element>) -> bool {
    scope.is_none_or(|element| element.key() == instance.element.key())
}

/// The instance `id` (under the element `scope`, when the path names one).
fn find<'s>(state: &'s mut State, scope: Option<&Element>, id: &str) -> Result<&'s mut Instance, ApiError> {
    let Ok(number) = id.parse::<u64>() else {
        return Err(ApiError::new(400, format!("Invalid instance id '{id}': expected a number")));
    };
    state
        .instances
        .get_mut(&number)
        .filter(|instance| in_scope(instance, scope))
        .ok_or_else(|| ApiError::new(404, format!("No instance found with id {number}")))
}
