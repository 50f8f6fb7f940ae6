//! The one gate every worker passes before each create: a shared "not before" instant (set when
//! the server says 429, or 503 with `Retry-After`, so that every worker pauses, not only the one
//! that was told) and, with `--rate R`, a pacer handing out one start time every `1/R` seconds.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Shared by the workers.
#[derive(Debug)]
pub(crate) struct Gate {
    interval: Option<Duration>,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// No create starts before this (a pause the server asked for).
    not_before: Instant,
    /// The next free start time of the pacer.
    next_slot: Instant,
}

impl Gate {
    /// A gate pacing creates at `rate` per second (`None`: no pacing).
    pub(crate) fn new(rate: Option<f64>) -> Gate {
        let now = Instant::now();
        Gate {
            interval: rate.filter(|r| *r > 0.0).map(|r| Duration::from_secs_f64(1.0 / r)),
            state: Mutex::new(State { not_before: now, next_slot: now }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Waits until this worker may start a create: after any pause, at its pacer slot. A pause
    /// set while waiting is waited for too (and the slot taken again after it, so that the
    /// workers come back paced, not all at once).
    pub(crate) fn wait_turn(&self) {
        loop {
            let start = {
                let mut state = self.state();
                let start = Instant::now().max(state.not_before).max(state.next_slot);
                if let Some(interval) = self.interval {
                    state.next_slot = start + interval;
                }
                start
            };
            let now = Instant::now();
            if start > now {
                std::thread::sleep(start - now);
            }
            if self.state().not_before <= Instant::now() {
                return;
            }
        }
    }

    /// Pauses every worker for `pause` from now (a longer pause already set stays).
    pub(crate) fn pause(&self, pause: Duration) {
        let until = Instant::now() + pause;
        let mut state = self.state();
        state.not_before = state.not_before.max(until);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn paces_and_pauses_everyone() {
        let gate = Arc::new(Gate::new(Some(100.0)));
        let start = Instant::now();
        let workers: Vec<_> = (0..4)
            .map(|_| {
                let gate = Arc::clone(&gate);
                std::thread::spawn(move || (0..5).for_each(|_| gate.wait_turn()))
            })
            .collect();
        workers.into_iter().for_each(|w| w.join().unwrap());
        // 20 starts at 100 per second: the last one at least 190 ms after the first.
        assert!(start.elapsed() >= Duration::from_millis(190), "{:?}", start.elapsed());
        let gate = Gate::new(None);
        gate.pause(Duration::from_millis(150));
        let start = Instant::now();
        gate.wait_turn();
        assert!(start.elapsed() >= Duration::from_millis(140));
    }
}
