//! Progress on standard error while the workers run: an `indicatif` bar on a terminal (done,
//! failed, rate, ETA), plain lines every 2 seconds or 5% of the rows otherwise (logs, CI).

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::worker::Tally;

/// How often the display looks at the counts.
const TICK: Duration = Duration::from_millis(100);
/// Plain lines: at most this far apart...
const LINE_EVERY: Duration = Duration::from_secs(2);
/// ...and at every this fraction of the rows.
const LINE_FRACTION: f64 = 0.05;

/// Shows the progress of `total` rows until `finished` is set; `tally` counts them.
pub(crate) fn show(total: u64, tally: &Tally, finished: &AtomicBool) {
    if total == 0 {
        return;
    }
    if std::io::stderr().is_terminal() {
        bar(total, tally, finished);
    } else {
        lines(total, tally, finished);
    }
}

fn bar(total: u64, tally: &Tally, finished: &AtomicBool) {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template("{bar:30.cyan/blue} {pos}/{len} rows, {msg}, ETA {eta}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    let start = Instant::now();
    loop {
        let done = finished.load(Ordering::Acquire);
        let rows = tally.done();
        let rate = rows as f64 / start.elapsed().as_secs_f64().max(1e-3);
        bar.set_message(format!("{} failed, {rate:.1} rows/s", tally.failed.load(Ordering::Relaxed)));
        bar.set_position(rows);
        if done {
            break;
        }
        std::thread::sleep(TICK);
    }
    bar.finish_and_clear();
}

fn lines(total: u64, tally: &Tally, finished: &AtomicBool) {
    let start = Instant::now();
    let mut last = (Instant::now(), 0u64);
    let step = ((total as f64 * LINE_FRACTION).ceil() as u64).max(1);
    while !finished.load(Ordering::Acquire) {
        std::thread::sleep(TICK);
        let done = tally.done();
        if done < total && (last.0.elapsed() >= LINE_EVERY || done >= last.1 + step) {
            eprintln!("{}", line(total, done, tally, start.elapsed()));
            last = (Instant::now(), done);
        }
    }
}

/// `bulk: 500/10000 rows (5%), 10 failed, 160.0 rows/s, ETA 59 s`.
fn line(total: u64, done: u64, tally: &Tally, elapsed: Duration) -> String {
    let rate = done as f64 / elapsed.as_secs_f64().max(1e-3);
    let eta = if rate > 0.0 { format!("{:.0} s", (total - done) as f64 / rate) } else { "-".to_owned() };
    format!(
        "bulk: {done}/{total} rows ({:.0}%), {} failed, {rate:.1} rows/s, ETA {eta}",
        done as f64 * 100.0 / total as f64,
        tally.failed.load(Ordering::Relaxed),
    )
}
