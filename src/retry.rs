//! When a failed call is tried again, and after how long.
//!
//! Each call says which rule it follows (`Resend`):
//! - reads, deletes, updates (the same body again) and enable/disable are idempotent: sending
//!   them twice does what sending them once does. They are sent again after a failed connection,
//!   a reset or an I/O failure after sending, and a 429, 500, 502, 503 or 504 answer.
//! - `POST /instances` is not idempotent and the platform has no idempotency keys, so a create is
//!   sent again only when it certainly created nothing: the connection failed before the request
//!   went out, or the server answered 429 or 503. Everything else that leaves the outcome open (a
//!   timeout or reset after sending, a 500 or 502) is either looked up first (idempotent
//!   provisioning, see [`ClientBuilder::idempotent`](crate::ClientBuilder::idempotent)) or
//!   returned.
//!
//! Either way a `Retry-After` of up to [`MAX_RETRY_AFTER`] is honoured, and no call outlasts the
//! client's overall timeout.

use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::{Error, TimeoutKind, TransportKind};

/// Retries after the first attempt unless set otherwise.
pub const DEFAULT_RETRIES: u32 = 2;
/// The first backoff unless set otherwise; it doubles with each retry.
pub const DEFAULT_BACKOFF: Duration = Duration::from_millis(500);
/// The longest backoff unless set otherwise.
pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(8);
/// The longest `Retry-After` the client waits for; a longer one ends the call with a
/// [`ErrorKind::RateLimited`](crate::ErrorKind::RateLimited) error.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);
/// The most retries that can be set: more would only stretch an outage into a hang.
pub const MAX_RETRIES: u32 = 10;

/// Which failures a call may be sent again after.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Resend {
    /// An idempotent request (GET, DELETE, PUT/PATCH of the same body): sending it again is safe.
    Always,
    /// A create: sent again only when nothing can have been created.
    OnlyIfNothingSent,
}

/// What a failed attempt allows.
#[derive(Debug, PartialEq)]
pub(crate) enum Verdict {
    /// Nothing was created: send again, after the server's `Retry-After` if it gave one.
    Resend(Option<Duration>),
    /// The instance may exist: look it up before sending again.
    Ambiguous,
    /// Final: return the error.
    Stop,
}

/// How a failed call following `rule` may go on.
pub(crate) fn verdict(rule: Resend, error: &Error) -> Verdict {
    match error {
        Error::Api(api) if api.status == 429 || api.status == 503 => Verdict::Resend(api.retry_after),
        Error::Transport { kind: TransportKind::Connect | TransportKind::Dns, .. } => Verdict::Resend(None),
        Error::Timeout { kind: TimeoutKind::Connect, .. } => Verdict::Resend(None),
        // The overall timeout is the whole call's: nothing is left for another attempt.
        Error::Timeout { kind: TimeoutKind::Overall, .. } if rule == Resend::Always => Verdict::Stop,
        Error::Api(api) if rule == Resend::Always && matches!(api.status, 500 | 502 | 504) => {
            Verdict::Resend(api.retry_after)
        }
        Error::Transport { kind: TransportKind::Reset | TransportKind::Io | TransportKind::Protocol, .. }
            if rule == Resend::Always =>
        {
            Verdict::Resend(None)
        }
        other if other.outcome_unknown() => Verdict::Ambiguous,
        _ => Verdict::Stop,
    }
}

/// The pause before retry number `retry` (0 for the first): `initial` doubled each time, capped
/// at `max`, with "equal jitter" (half fixed, half random) so that many clients failing together
/// do not come back together.
pub(crate) fn backoff(retry: u32, initial: Duration, max: Duration) -> Duration {
    let full = initial.saturating_mul(2u32.saturating_pow(retry.min(31))).min(max);
    let half = full / 2;
    half + half.mul_f64(random_fraction())
}

/// A number in `[0, 1)`, different on every call; not for cryptography.
fn random_fraction() -> f64 {
    (random_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// 64 random-looking bits from the standard library's per-process random hash keys, a counter
/// and the clock.
pub(crate) fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.write_u128(SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos()));
    hasher.finish()
}

/// Parses a `Retry-After` value: seconds (`120`) or an HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`),
/// as a wait from `now`. A date in the past is no wait; anything unreadable is `None`.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let at = UNIX_EPOCH + Duration::from_secs(parse_http_date(value)?);
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Seconds since the Unix epoch of an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form
/// RFC 9110 requires senders to use.
fn parse_http_date(value: &str) -> Option<u64> {
    let (_weekday, rest) = value.split_once(", ")?;
    let mut parts = rest.split(' ');
    let (day, month, year, time, zone) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || zone != "GMT" || day.len() != 2 || year.len() != 4 {
        return None;
    }
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let month = MONTHS.iter().position(|m| *m == month)? as u64 + 1;
    let day: u64 = day.parse().ok()?;
    let year: u64 = year.parse().ok()?;
    let mut clock = time.split(':').map(|n| if n.len() == 2 { n.parse::<u64>().ok() } else { None });
    let (h, m, s) = (clock.next()??, clock.next()??, clock.next()??);
    if clock.next().is_some() || !(1..=31).contains(&day) || year < 1970 || h > 23 || m > 59 || s > 60 {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + h * 3600 + m * 60 + s)
}

/// Days from 1970-01-01 to a date on or after it (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: u64, month: u64, day: u64) -> u64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe).saturating_sub(719_468)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_seconds_and_as_a_date() {
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(parse_retry_after("120", now), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now), Some(Duration::from_secs(30)));
        assert_eq!(parse_retry_after("Sat, 05 Nov 1994 08:49:37 GMT", now), Some(Duration::ZERO), "past");
        assert_eq!(parse_retry_after("Thu, 01 Jan 1970 00:00:00 GMT", UNIX_EPOCH), Some(Duration::ZERO));
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        for bad in ["", "-1", "1.5", "soon", "Sun, 06 Nov 1994 08:49:37 PST", "Sun, 6 Nov 1994 08:49:37 GMT"] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad:?}");
        }
        assert_eq!(parse_retry_after("99999999999999999999999", now), Some(Duration::from_secs(u64::MAX)));
    }

    #[test]
    fn idempotent_calls_resend_what_a_create_only_looks_up() {
        use crate::error::{ApiError, Effect};
        let api = |status, effect| Error::Api(ApiError::with_status(status, None, effect));
        let reset = || Error::Transport {
            kind: TransportKind::Reset,
            message: String::new(),
            source: None,
            effect: Effect::InstanceMayExist,
        };
        let overall = Error::Timeout { kind: TimeoutKind::Overall, limit: Duration::ZERO, effect: Effect::Nothing };
        for status in [429, 500, 502, 503, 504] {
            assert_eq!(verdict(Resend::Always, &api(status, Effect::Nothing)), Verdict::Resend(None), "{status}");
        }
        assert_eq!(verdict(Resend::Always, &api(404, Effect::Nothing)), Verdict::Stop);
        assert_eq!(verdict(Resend::Always, &reset()), Verdict::Resend(None));
        assert_eq!(verdict(Resend::Always, &overall), Verdict::Stop);
        assert_eq!(verdict(Resend::OnlyIfNothingSent, &reset()), Verdict::Ambiguous);
        assert_eq!(verdict(Resend::OnlyIfNothingSent, &api(500, Effect::InstanceMayExist)), Verdict::Ambiguous);
        assert_eq!(verdict(Resend::OnlyIfNothingSent, &api(503, Effect::Nothing)), Verdict::Resend(None));
        assert_eq!(verdict(Resend::OnlyIfNothingSent, &api(404, Effect::Nothing)), Verdict::Stop);
    }

    #[test]
    fn backoff_doubles_is_capped_and_jittered() {
        let (initial, max) = (Duration::from_millis(500), Duration::from_secs(8));
        for retry in 0..40 {
            let full = Duration::from_millis(500 * 2u64.pow(retry.min(5))).min(max);
            let pause = backoff(retry, initial, max);
            assert!(pause >= full / 2 && pause <= full, "retry {retry}: {pause:?}");
        }
        let pauses: std::collections::HashSet<Duration> = (0..20).map(|_| backoff(3, initial, max)).collect();
        assert!(pauses.len() > 10, "jitter: {pauses:?}");
    }
}
