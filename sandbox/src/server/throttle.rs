//! Server-wide latency and rate limit of creates (`POST /instances`), as the platform behaves:
//! every create takes a while (the platform checks the credentials with the third party), and
//! creates past a rate get 429 with `Retry-After`.
//!
//! The rate limit is a token bucket holding at most one second's worth of creates (`R`), refilled
//! continuously at `R` per second: a burst of `R` creates passes, and then one every `1/R` s. A
//! create refused by it takes no token, gets no latency, and is counted.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// The largest latency accepted (also through `POST /_sandbox/settings`): one minute.
pub(crate) const MAX_LATENCY: Duration = Duration::from_secs(60);

/// The throttle's settings, as `GET /_sandbox/settings` shows them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Settings {
    /// How long every create waits before it is handled, in milliseconds.
    pub(crate) latency_ms: u64,
    /// Creates per second; 0 means no limit.
    pub(crate) rate_limit: u32,
}

/// A change of settings (`POST /_sandbox/settings`): fields left out stay as they are.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SettingsChange {
    pub(crate) latency_ms: Option<u64>,
    pub(crate) rate_limit: Option<u32>,
}

/// What a create must do before it is handled.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Admission {
    /// Wait this long (possibly zero), then go on.
    Wait(Duration),
    /// Refuse with 429 and `Retry-After` this many whole seconds (at least 1).
    Refuse { retry_after_secs: u64 },
}

#[derive(Debug)]
struct Bucket {
    settings: Settings,
    tokens: f64,
    refilled: Instant,
    refused: u64,
}

/// The settings and the bucket, shared by every connection thread.
#[derive(Debug)]
pub(crate) struct Throttle(Mutex<Bucket>);

impl Throttle {
    pub(crate) fn new(settings: Settings) -> Throttle {
        Throttle(Mutex::new(Bucket {
            settings,
            tokens: f64::from(settings.rate_limit),
            refilled: Instant::now(),
            refused: 0,
        }))
    }

    fn bucket(&self) -> std::sync::MutexGuard<'_, Bucket> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn settings(&self) -> Settings {
        self.bucket().settings
    }

    /// How many creates the rate limit refused since start or the last reset.
    pub(crate) fn refused(&self) -> u64 {
        self.bucket().refused
    }

    /// Applies a change; a new rate starts with a full bucket. Refuses a latency over
    /// [`MAX_LATENCY`], naming the field.
    pub(crate) fn change(&self, change: &SettingsChange) -> Result<Settings, String> {
        if change.latency_ms.is_some_and(|ms| Duration::from_millis(ms) > MAX_LATENCY) {
            return Err(format!("latency_ms must be at most {}", MAX_LATENCY.as_millis()));
        }
        let mut bucket = self.bucket();
        if let Some(ms) = change.latency_ms {
            bucket.settings.latency_ms = ms;
        }
        if let Some(rate) = change.rate_limit {
            bucket.settings.rate_limit = rate;
            bucket.tokens = f64::from(rate);
            bucket.refilled = Instant::now();
        }
        Ok(bucket.settings)
    }

    /// Forgets the refusal count and fills the bucket; the settings stay (they are the server's,
    /// like its elements).
    pub(crate) fn reset(&self) {
        let mut bucket = self.bucket();
        bucket.refused = 0;
        bucket.tokens = f64::from(bucket.settings.rate_limit);
        bucket.refilled = Instant::now();
    }

    /// Admits or refuses one create, now.
    pub(crate) fn admit(&self) -> Admission {
        self.admit_at(Instant::now())
    }

    fn admit_at(&self, now: Instant) -> Admission {
        let mut bucket = self.bucket();
        let latency = Duration::from_millis(bucket.settings.latency_ms);
        let rate = f64::from(bucket.settings.rate_limit);
        if rate == 0.0 {
            return Admission::Wait(latency);
        }
        let elapsed = now.saturating_duration_since(bucket.refilled).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(rate);
        bucket.refilled = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Admission::Wait(latency);
        }
        bucket.refused += 1;
        // Whole seconds until a token is there again, at least one.
        let wait = (1.0 - bucket.tokens) / rate;
        Admission::Refuse { retry_after_secs: (wait.ceil() as u64).max(1) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_of_r_passes_then_one_every_1_over_r() {
        let throttle = Throttle::new(Settings { latency_ms: 5, rate_limit: 4 });
        let start = Instant::now();
        for _ in 0..4 {
            assert_eq!(throttle.admit_at(start), Admission::Wait(Duration::from_millis(5)));
        }
        assert_eq!(throttle.admit_at(start), Admission::Refuse { retry_after_secs: 1 });
        assert_eq!(throttle.admit_at(start + Duration::from_millis(260)), Admission::Wait(Duration::from_millis(5)));
        assert_eq!(throttle.admit_at(start + Duration::from_millis(270)), Admission::Refuse { retry_after_secs: 1 });
        assert_eq!(throttle.refused(), 2);
        throttle.reset();
        assert_eq!(throttle.refused(), 0);
    }

    #[test]
    fn no_limit_and_changes() {
        let throttle = Throttle::new(Settings::default());
        assert_eq!(throttle.admit(), Admission::Wait(Duration::ZERO));
        let change = SettingsChange { latency_ms: Some(70), rate_limit: None };
        assert_eq!(throttle.change(&change), Ok(Settings { latency_ms: 70, rate_limit: 0 }));
        let too_long = SettingsChange { latency_ms: Some(60_001), rate_limit: Some(3) };
        assert!(throttle.change(&too_long).unwrap_err().contains("latency_ms"));
        assert_eq!(throttle.settings(), Settings { latency_ms: 70, rate_limit: 0 }, "nothing changed");
    }
}
