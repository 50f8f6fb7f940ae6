//! Opening a URL in the user's browser, and the random `state` of a login.

use std::hash::{BuildHasher, RandomState};
use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// A fresh, unguessable `state`: 128 bits from `/dev/urandom` as hex, or, where that cannot be
/// read, from std's randomly keyed hashers.
pub(crate) fn random_state() -> String {
    let mut bytes = [0u8; 16];
    let from_os = std::fs::File::open("/dev/urandom").and_then(|mut file| file.read_exact(&mut bytes));
    if from_os.is_err() {
        let now = std::time::SystemTime::now();
        for (i, chunk) in bytes.chunks_mut(8).enumerate() {
            let value = RandomState::new().hash_one((now, std::process::id(), i));
            chunk.copy_from_slice(&value.to_le_bytes());
        }
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Opens `url` in a browser: `$BROWSER` when set (its first `:`-separated command; `%s` stands for
/// the URL, else the URL is its last argument), else `xdg-open` when a display is there to show
/// it. Returns the program started, `None` when there is no browser to start, or what failed.
pub(crate) fn open(url: &str) -> Result<Option<String>, String> {
    let (program, args) = match browser_command(url) {
        Some(command) => command,
        None => return Ok(None),
    };
    let mut child = Command::new(&program)
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start the browser `{program}`: {e}"))?;
    // Reaped in the background; a browser may outlive the command.
    std::thread::spawn(move || child.wait());
    Ok(Some(program))
}

/// The program and arguments that open `url`, by the environment.
fn browser_command(url: &str) -> Option<(String, Vec<String>)> {
    let display = ["DISPLAY", "WAYLAND_DISPLAY"].iter().any(|v| std::env::var_os(v).is_some_and(|d| !d.is_empty()));
    command_for(url, std::env::var("BROWSER").ok().as_deref(), display && on_path("xdg-open"))
}

/// The program and arguments that open `url`: by `browser` (a `$BROWSER` value) when it names
/// one, else `xdg-open` when `xdg_open` says it can show it.
fn command_for(url: &str, browser: Option<&str>, xdg_open: bool) -> Option<(String, Vec<String>)> {
    if let Some(browser) = browser.filter(|b| !b.trim().is_empty()) {
        let first = browser.split(':').find(|c| !c.trim().is_empty())?;
        let mut words = first.split_whitespace().map(str::to_owned);
        let program = words.next()?;
        let mut args: Vec<String> = words.collect();
        if args.iter().any(|a| a.contains("%s")) {
            args.iter_mut().for_each(|a| *a = a.replace("%s", url));
        } else {
            args.push(url.to_owned());
        }
        return Some((program, args));
    }
    xdg_open.then(|| ("xdg-open".to_owned(), vec![url.to_owned()]))
}

/// Whether `program` is an executable file in a directory of `PATH`.
fn on_path(program: &str) -> bool {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).map(|dir: PathBuf| dir.join(program)).any(|file| executable(&file))
}

#[cfg(unix)]
fn executable(file: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    file.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn executable(file: &std::path::Path) -> bool {
    file.is_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_are_fresh_hex() {
        let (a, b) = (random_state(), random_state());
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn browser_is_the_first_command_of_browser_with_the_url() {
        let url = "http://h/a?b=c";
        let command =
            |program: &str, args: &[&str]| Some((program.to_owned(), args.iter().map(|a| a.to_string()).collect()));
        assert_eq!(command_for(url, Some("firefox"), true), command("firefox", &[url]));
        assert_eq!(command_for(url, Some("w3m -N %s:lynx"), false), command("w3m", &["-N", url]));
        assert_eq!(command_for(url, Some(":links"), false), command("links", &[url]));
        assert_eq!(command_for(url, Some(""), true), command("xdg-open", &[url]));
        assert_eq!(command_for(url, None, false), None);
    }
}
