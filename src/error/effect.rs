//! What a failed request may nevertheless have done.

/// What a failed request may nevertheless have done on the server: its answer was lost (a
/// timeout, a reset), does not say (a 500, a 502), or could not be read.
///
/// ```
/// use cloud_elements::{Effect, Error, TimeoutKind};
/// use std::time::Duration;
///
/// let effect = Effect::MayHaveTakenEffect;
/// let lost = Error::Timeout { kind: TimeoutKind::Overall, limit: Duration::from_secs(1), effect };
/// assert!(lost.outcome_unknown());
/// assert!(lost.to_string().ends_with("if the request was sent, the request may have taken effect"));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Effect {
    /// Nothing to worry about: the request was not sent, the server refused it, or it only reads.
    #[default]
    Nothing,
    /// The request may have taken effect: a delete, an update, an enable or a disable. Sending it
    /// again is safe (these requests are idempotent), but the first one may have done its work.
    MayHaveTakenEffect,
    /// A create may have made the instance: creating again blindly could make a second one.
    InstanceMayExist,
}

impl Effect {
    /// The clause that ends a message about a failure with this effect (`None` for
    /// [`Effect::Nothing`]).
    pub(crate) fn clause(self) -> Option<&'static str> {
        match self {
            Effect::Nothing => None,
            Effect::MayHaveTakenEffect => Some("the request may have taken effect"),
            Effect::InstanceMayExist => Some("the instance may have been created"),
        }
    }
}
