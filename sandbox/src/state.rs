//! The sandbox's in-memory state: instances, their tokens, OAuth codes, queued faults and the
//! request log; and, kept across resets, the element catalog and the sandbox's root URL.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;

use crate::RecordedRequest;
use crate::catalog::Catalog;
use crate::faults::{FaultKind, FaultQueue};
use crate::instance::{ConfigValue, Instance};
use crate::oauth::OAuthStore;
use crate::validate::NewInstance;

/// How many API requests the log keeps; older ones are dropped (but still counted).
pub(crate) const LOG_CAPACITY: usize = 1000;

#[derive(Debug)]
pub(crate) struct State {
    /// The elements served; set when the sandbox starts, kept by [`State::reset`].
    pub(crate) catalog: Arc<Catalog>,
    /// `http(s)://host:port`, where the stand-in OAuth provider lives; set when the sandbox
    /// starts, kept by [`State::reset`].
    pub(crate) root: String,
    /// OAuth URLs handed out and codes not yet used.
    pub(crate) oauth: OAuthStore,
    pub(crate) instances: BTreeMap<u64, Instance>,
    /// Token → instance id, for `Element <token>` authorization and token uniqueness.
    pub(crate) tokens: HashMap<String, u64>,
    pub(crate) faults: FaultQueue,
    next_instance_id: u64,
    next_config_id: u64,
    log: VecDeque<RecordedRequest>,
    request_count: u64,
}

impl State {
    pub(crate) fn new() -> State {
        State {
            catalog: Catalog::builtins(),
            root: String::new(),
            oauth: OAuthStore::default(),
            instances: BTreeMap::new(),
            tokens: HashMap::new(),
            faults: FaultQueue::default(),
            next_instance_id: 1,
            next_config_id: 1,
            log: VecDeque::new(),
            request_count: 0,
        }
    }

    /// Forgets instances, OAuth codes, faults, the request log and count; ids start at 1 again.
    /// The catalog and the root URL stay.
    pub(crate) fn reset(&mut self) {
        let fresh = State { catalog: Arc::clone(&self.catalog), root: std::mem::take(&mut self.root), ..State::new() };
        *self = fresh;
    }

    /// Logs and counts an API request, and draws the fault (if any) it gets.
    pub(crate) fn receive(&mut self, request: RecordedRequest) -> Option<FaultKind> {
        self.request_count += 1;
        if self.log.len() == LOG_CAPACITY {
            self.log.pop_front();
        }
        let fault = self.faults.next(&request.method);
        self.log.push_back(request);
        fault
    }

    pub(crate) fn request_count(&self) -> u64 {
        self.request_count
    }

    pub(crate) fn requests(&self) -> impl Iterator<Item = &RecordedRequest> {
        self.log.iter()
    }

    /// Stores a new instance under the next id. `token` must not be in use (see `tokens`).
    pub(crate) fn insert(&mut self, new: NewInstance, token: String) -> &Instance {
        let id = self.next_instance_id;
        self.next_instance_id += 1;
        // The entries given or defaulted, then the common entries the instance has by default.
        let common: Vec<(String, String)> = cloud_elements_catalog::common_configuration()
            .iter()
            .filter(|entry| !new.configuration.contains_key(&entry.key))
            .map(|entry| (entry.key.clone(), entry.applied_default().unwrap_or_default().to_owned()))
            .collect();
        let given = new.configuration.into_iter().map(|entry| (entry, false));
        let mut configuration: Vec<ConfigValue> = given
            .chain(common.into_iter().map(|entry| (entry, true)))
            .map(|((key, value), listed_only)| {
                let id = self.next_config_id;
                self.next_config_id += 1;
                ConfigValue { id, key, value, listed_only }
            })
            .collect();
        configuration.sort_by(|a, b| a.key.cmp(&b.key));
        self.tokens.insert(token.clone(), id);
        let instance = Instance {
            id,
            element: new.element,
            name: new.name,
            token,
            configuration,
            tags: new.tags,
            disabled: false,
        };
        self.instances.entry(id).or_insert(instance)
    }

    /// Sets the configuration entry `key` of instance `id`, adding it (with a new entry id) when
    /// the instance has none.
    pub(crate) fn set_configuration(&mut self, id: u64, key: &str, value: String) {
        let Some(instance) = self.instances.get_mut(&id) else { return };
        match instance.configuration.binary_search_by(|c| c.key.as_str().cmp(key)) {
            Ok(index) => instance.configuration[index].set(value),
            Err(index) => {
                let entry = ConfigValue { id: self.next_config_id, key: key.to_owned(), value, listed_only: false };
                self.next_config_id += 1;
                instance.configuration.insert(index, entry);
            }
        }
    }

    pub(crate) fn remove(&mut self, id: u64) -> Option<Instance> {
        let instance = self.instances.remove(&id)?;
        self.tokens.remove(&instance.token);
        Some(instance)
    }

    pub(crate) fn by_token(&mut self, token: &str) -> Option<&mut Instance> {
        let id = self.tokens.get(token)?;
        self.instances.get_mut(id)
    }
}
