//! The clients behind the flat calls: one per base URL, secret pair and settings, so that
//! connections are reused from call to call, kept no longer than needed.
//!
//! The table holds no secret: its key has a keyed hash of the secret pair (128 bits, SipHash with
//! keys random per process). The client itself holds the secrets while it lives: until it has
//! been idle for [`IDLE`] (dropped by the next flat call after that), until [`MAX_CLIENTS`] newer
//! ones push it out, or until `ce_flat_reset()`.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::{LazyLock, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::error::Failure;
use super::options::{Settings, update_thread_options};
use super::panic::guard_value;
use cloud_elements::Client;

/// How long an unused client is kept.
pub(crate) const IDLE: Duration = Duration::from_secs(60);
/// How many clients are kept at most.
pub(crate) const MAX_CLIENTS: usize = 8;

#[derive(PartialEq, Eq)]
struct Key {
    base_url: String,
    secrets: (u64, u64),
    settings: Settings,
}

struct Entry {
    key: Key,
    client: Client,
    last_used: Instant,
}

static CLIENTS: Mutex<Vec<Entry>> = Mutex::new(Vec::new());
static HASH_KEYS: LazyLock<(RandomState, RandomState)> = LazyLock::new(|| (RandomState::new(), RandomState::new()));

fn secrets_hash(user_secret: &str, org_secret: &str) -> (u64, u64) {
    let (a, b) = &*HASH_KEYS;
    (a.hash_one((user_secret, org_secret)), b.hash_one((user_secret, org_secret)))
}

/// The client for these arguments: a cached one, or a new one (cached). Drops the clients idle
/// for longer than [`IDLE`] on the way.
pub(crate) fn cached_client(
    base_url: &str,
    user_secret: &str,
    org_secret: &str,
    settings: &Settings,
) -> Result<Client, Failure> {
    let key = Key {
        base_url: base_url.to_owned(),
        secrets: secrets_hash(user_secret, org_secret),
        settings: settings.clone(),
    };
    let now = Instant::now();
    let expired;
    let found = {
        let mut clients = CLIENTS.lock().unwrap_or_else(PoisonError::into_inner);
        let (keep, old): (Vec<Entry>, Vec<Entry>) =
            clients.drain(..).partition(|e| now.saturating_duration_since(e.last_used) < IDLE);
        *clients = keep;
        expired = old;
        clients.iter_mut().find(|e| e.key == key).map(|e| {
            e.last_used = now;
            e.client.clone()
        })
    };
    drop(expired); // Outside the lock: dropping a client closes its connections.
    if let Some(client) = found {
        return Ok(client);
    }
    let mut builder = Client::builder().base_url(base_url).user_secret(user_secret).organization_secret(org_secret);
    if let Some(retries) = settings.retries {
        builder = builder.retries(retries);
    }
    if let Some(timeout) = settings.timeout {
        builder = builder.timeout(timeout);
    }
    if let Some(timeout) = settings.connect_timeout {
        builder = builder.connect_timeout(timeout);
    }
    if let Some(path) = &settings.ca_bundle {
        builder = builder.ca_bundle(path);
    }
    let client = builder.build()?;
    let pushed_out = {
        let mut clients = CLIENTS.lock().unwrap_or_else(PoisonError::into_inner);
        // Another thread may have cached the same client meanwhile: keep one.
        clients.retain(|e| e.key != key);
        let oldest = if clients.len() >= MAX_CLIENTS {
            clients.iter().enumerate().min_by_key(|(_, e)| e.last_used).map(|(i, _)| i)
        } else {
            None
        };
        let pushed_out = oldest.map(|i| clients.remove(i));
        clients.push(Entry { key, client: client.clone(), last_used: now });
        pushed_out
    };
    drop(pushed_out);
    Ok(client)
}

/// How many clients the flat calls keep now (for the tests).
#[cfg(test)]
pub(crate) fn cached_count() -> usize {
    CLIENTS.lock().unwrap_or_else(PoisonError::into_inner).len()
}

/// Drops every client the flat calls keep (closing their connections, forgetting their secrets)
/// and resets the calling thread's flat options (those of its last `ce_provision_ex()`) to the
/// defaults. Call it when a batch ends, or before the process goes on to other work.
///
/// Without it a client lives until 60 seconds after its last use, but is only dropped by the
/// first flat call after that: the library runs no thread of its own, so if no flat call follows,
/// the client (and the secrets it holds) stays in memory until this function is called or the
/// process ends. At most 8 are kept (the least recently used goes first).
/// Thread-safe; a call under way on another thread finishes with its client.
#[unsafe(no_mangle)]
pub extern "C" fn ce_flat_reset() {
    guard_value((), || {
        let dropped: Vec<Entry> = CLIENTS.lock().unwrap_or_else(PoisonError::into_inner).drain(..).collect();
        drop(dropped);
        update_thread_options(|options| *options = Default::default());
    });
}
