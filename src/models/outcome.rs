//! What a create did: made the instance, or found it already made.

/// How [`Client::create_instance_outcome`](crate::Client::create_instance_outcome) came by its
/// instance.
///
/// Only a request with an [idempotency key](crate::InstanceRequest::idempotency_key) can find its
/// instance already made; without one every success is [`CreateOutcome::Created`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CreateOutcome {
    /// This call created the instance (also when its answer was lost and the by-tag lookup found
    /// it).
    Created,
    /// An instance carrying the request's idempotency key existed before this call, from an
    /// earlier run: it is returned as it is, and nothing was created.
    AlreadyExisted,
}

impl CreateOutcome {
    /// Whether this call created the instance.
    pub fn is_created(self) -> bool {
        self == CreateOutcome::Created
    }
}
