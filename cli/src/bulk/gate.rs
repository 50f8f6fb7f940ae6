//! The one gate every worker passes before each create: a shared "not before" instant (set when
//! the server says 429, or 503 with `Retry-After`, so that every worker pauses, not only the one
//! that was told) and a pacer handing out one start time every `1/R` seconds.
//!
//! The pacer's rate is `--rate R` when given, and learns the server's: at the first refusal of a
//! pause (the workers still in flight are refused too, and count once) it drops to the creates
//! that succeeded in the second before (what the server let through), or to 90% of its rate if
//! that is lower (nothing is learned from a refusal with no success in the second before). A run
//! without `--rate` thus meets the limit once, and then stays under it; the pace never rises
//! again, so a refusal that was not the limit's (another client's burst) slows the run for good.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The window over which successes are counted.
const WINDOW: Duration = Duration::from_secs(1);

/// Shared by the workers.
#[derive(Debug)]
pub(crate) struct Gate {
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// One start every `interval` (no pacing when `None`).
    interval: Option<Duration>,
    /// No create starts before this (a pause the server asked for).
    not_before: Instant,
    /// The next free start time of the pacer.
    next_slot: Instant,
    /// When the creates of the last [`WINDOW`] succeeded.
    successes: VecDeque<Instant>,
}

impl Gate {
    /// A gate pacing creates at `rate` per second (`None`: no pacing).
    pub(crate) fn new(rate: Option<f64>) -> Gate {
        let now = Instant::now();
        let interval = rate.filter(|r| *r > 0.0).map(|r| Duration::from_secs_f64(1.0 / r));
        Gate { state: Mutex::new(State { interval, not_before: now, next_slot: now, successes: VecDeque::new() }) }
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
                if let Some(interval) = state.interval {
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

    /// Notes a create that succeeded (the pacer learns the server's rate from them).
    pub(crate) fn succeeded(&self) {
        let now = Instant::now();
        let mut state = self.state();
        state.successes.push_back(now);
        while state.successes.front().is_some_and(|t| now.duration_since(*t) > WINDOW) {
            state.successes.pop_front();
        }
    }

    /// Pauses every worker for `pause` from now (a longer pause already set stays), after a
    /// refusal; the first refusal of a pause also slows the pacer down (see the module's doc).
    pub(crate) fn pause(&self, pause: Duration) {
        let now = Instant::now();
        let mut state = self.state();
        let recent = state.successes.iter().filter(|t| now.duration_since(**t) <= WINDOW).count();
        // With no success in the last second there is nothing to learn from (a refusal at the start).
        if state.not_before <= now && recent > 0 {
            let learned = Duration::from_secs_f64(1.0 / recent.max(1) as f64);
            let slower = state.interval.map(|interval| interval.mul_f64(1.0 / 0.9));
            state.interval = Some(slower.map_or(learned, |slower| slower.max(learned)));
        }
        state.not_before = state.not_before.max(now + pause);
    }

    /// The pacer's rate, in creates per second (`None`: not pacing).
    pub(crate) fn rate(&self) -> Option<f64> {
        self.state().interval.map(|interval| 1.0 / interval.as_secs_f64())
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

    #[test]
    fn a_refusal_sets_the_pace_to_what_the_server_let_through() {
        let gate = Gate::new(None);
        gate.pause(Duration::from_millis(10));
        assert_eq!(gate.rate(), None, "nothing learned without a success");
        std::thread::sleep(Duration::from_millis(20));
        (0..20).for_each(|_| gate.succeeded());
        gate.pause(Duration::from_millis(10));
        gate.pause(Duration::from_millis(10)); // the same pause: counted once
        assert!((gate.rate().unwrap() - 20.0).abs() < 0.01, "{:?}", gate.rate());
        std::thread::sleep(Duration::from_millis(20));
        gate.pause(Duration::ZERO); // a refusal while pacing: 10% slower
        assert!((gate.rate().unwrap() - 18.0).abs() < 0.01, "{:?}", gate.rate());
    }
}
