//! `bulk create FILE.csv` against the sandbox: the CSV forms, the checks before sending, the
//! shared pause on 429, the private results file, and runs killed with SIGKILL and resumed.

mod common;

use std::collections::{HashMap, HashSet};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cloud_elements_sandbox::{Fault, FaultKind, Sandbox};
use common::{BIN, MARK, ORG_SECRET, Run, USER_SECRET, run, scan};
use serde_json::Value;

/// A fresh directory for one test's files.
fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ce-bulk-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn sandbox_with(latency_ms: u64, rate_limit: u32) -> Sandbox {
    Sandbox::builder()
        .user_secret(USER_SECRET)
        .organization_secret(ORG_SECRET)
        .latency(Duration::from_millis(latency_ms))
        .rate_limit(rate_limit)
        .start()
        .unwrap()
}

/// `rows` Close.io rows tagged `tag`, their passwords marked as secrets.
fn csv(rows: usize, tag: &str) -> String {
    let mut text = String::from("element,name,tags,config.username,password\n");
    for i in 0..rows {
        text.push_str(&format!("closeio,Customer {i},{tag};n{i},user-{i},pw-{MARK}-{i}\n"));
    }
    text
}

/// Runs `bulk create ARGS`; checks that nothing it printed holds a secret or a token (they go to
/// the results file only).
fn bulk(sandbox: &Sandbox, args: &[&str]) -> Run {
    let mut all = vec!["bulk", "create"];
    all.extend_from_slice(args);
    let run = run(sandbox, &all);
    let printed = format!("{}{}", run.stdout, run.stderr);
    for instance in sandbox.instances() {
        assert!(!printed.contains(instance["token"].as_str().unwrap()), "a token was printed: {run:?}");
    }
    run
}

fn posts(sandbox: &Sandbox) -> usize {
    sandbox.requests().iter().filter(|r| r.method == "POST" && r.target.ends_with("/instances")).count()
}

/// The results file's data lines, as maps from column to value.
fn results(path: &Path) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    assert_eq!(headers.iter().collect::<Vec<_>>(), ["line", "element", "name", "status", "id", "token", "error"]);
    reader
        .records()
        .map(|r| headers.iter().map(str::to_owned).zip(r.unwrap().iter().map(str::to_owned)).collect())
        .collect()
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn bom_crlf_quotes_and_bare_or_prefixed_columns_are_read_as_written() {
    let sandbox = common::sandbox();
    let dir = folder("forms");
    let input = dir.join("in.csv");
    let text = format!(
        "\u{feff}element,name,tags,idempotency_key,config.username,password\r\n\
         closeio,\"Sales, \"\"EU\"\"\",a; b ;,,user-1,pw-{MARK}\r\n\
         \r\n\
         closeio,,,k.2,\"user\r\n2\",\"pw-{MARK},2\"\r\n"
    );
    std::fs::write(&input, text).unwrap();
    let out = dir.join("results.csv");
    let summary = bulk(&sandbox, &[input.to_str().unwrap(), "--out", out.to_str().unwrap(), "-o", "json"]).ok().json();
    assert_eq!((summary["created"].as_u64(), summary["failed"].as_u64()), (Some(2), Some(0)), "{summary}");
    let instances = sandbox.instances();
    let first = instances.iter().find(|i| i["name"] == "Sales, \"EU\"").unwrap();
    assert_eq!(first["configuration"]["username"], "user-1");
    assert_eq!(first["configuration"]["password"], format!("pw-{MARK}"));
    let tags: Vec<&str> = first["tags"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    assert!(tags.starts_with(&["a", "b"]) && tags[2].starts_with("ce-bulk-"), "{tags:?}");
    assert!(tags[3].starts_with("ce-provision-csv-") && tags.len() == 4, "{tags:?}");
    let second = instances.iter().find(|i| i["name"] == "closeio").unwrap();
    assert_eq!(second["configuration"]["username"], "user\r\n2", "a quoted CRLF stays");
    assert_eq!(second["configuration"]["password"], format!("pw-{MARK},2"));
    assert_eq!(second["tags"], serde_json::json!([tags[2], "ce-provision-k.2"]));
    let lines: Vec<String> = results(&out).iter().map(|r| r["line"].clone()).collect();
    assert_eq!(HashSet::<&str>::from_iter(lines.iter().map(String::as_str)), HashSet::from(["2", "4"]));
}

#[test]
fn invalid_rows_are_reported_together_with_their_lines_and_nothing_is_sent() {
    let sandbox = common::sandbox();
    let dir = folder("invalid");
    let input = dir.join("in.csv");
    let mut text = csv(6, "t");
    text.push_str("closeio,No user,t,,pw\nnosuch,X,t,u,p\n,Empty,t,u,p\nclosecio,Y,t,u,p\n");
    std::fs::write(&input, text).unwrap();
    let out = dir.join("results.csv");
    let failed = bulk(&sandbox, &[input.to_str().unwrap(), "--out", out.to_str().unwrap()]).failed(3);
    for line in ["\n  line 8: ", "\n  line 9: ", "\n  line 10: ", "\n  line 11: "] {
        assert!(failed.stderr.contains(line), "{line}: {failed:?}");
    }
    assert!(failed.stderr.contains("missing required configuration") && failed.stderr.contains("username"));
    assert!(failed.stderr.contains("4 of 10 rows are invalid, nothing was sent"), "{failed:?}");
    assert_eq!(posts(&sandbox), 0, "nothing sent");
    assert!(sandbox.instances().is_empty());
    assert!(!out.exists(), "no results file when nothing was sent");
    // The unknown elements' definitions were asked for once each.
    let definition_reads = sandbox.requests().iter().filter(|r| r.target.contains("/elements/nosuch")).count();
    assert_eq!(definition_reads, 1, "{:?}", sandbox.requests().iter().map(|r| &r.target).collect::<Vec<_>>());
}

#[test]
fn skip_invalid_records_bad_rows_as_failed_in_a_private_results_file_and_sends_the_rest() {
    let sandbox = common::sandbox();
    let dir = folder("skip");
    let input = dir.join("in.csv");
    let mut text = csv(20, "skip");
    text.push_str("closeio,No user,skip,,pw\n");
    std::fs::write(&input, text).unwrap();
    let out = dir.join("results.csv");
    let args = [input.to_str().unwrap(), "--out", out.to_str().unwrap(), "--skip-invalid", "-o", "json"];
    let run = bulk(&sandbox, &args);
    assert_eq!(run.status, 9, "{run:?}");
    let summary = run.json();
    assert_eq!(summary["created"], 20);
    assert_eq!(summary["failed_by_reason"], serde_json::json!({"invalid row": 1}));
    assert!(run.stderr.contains("line 22: skipped: missing required configuration"), "{run:?}");
    assert_eq!(mode(&out), 0o600, "the results file holds tokens");
    let rows = results(&out);
    assert_eq!(rows.len(), 21, "one line per row");
    let tokens: HashSet<String> = sandbox.instances().iter().map(|i| i["token"].as_str().unwrap().to_owned()).collect();
    for row in &rows {
        if row["line"] == "22" {
            assert_eq!((row["status"].as_str(), row["token"].as_str()), ("failed", ""));
            assert!(row["error"].contains("username"), "{row:?}");
        } else {
            assert_eq!(row["status"], "created");
            assert!(tokens.contains(&row["token"]), "{row:?}");
        }
    }
    // A first run of a file sends each row once, without looking its key up.
    assert_eq!(posts(&sandbox), 20);
    assert_eq!(lookups(&sandbox), 0);
    // Never overwritten; resumed, the done rows are not sent again.
    bulk(&sandbox, &[input.to_str().unwrap(), "--out", out.to_str().unwrap()]).failed(3);
    // A results file is resumed only with the input that wrote it.
    let changed = dir.join("changed.csv");
    std::fs::write(&changed, csv(20, "skip").replace("Customer 3,", "Someone else,")).unwrap();
    let refused = bulk(&sandbox, &[changed.to_str().unwrap(), "--out", out.to_str().unwrap(), "--resume"]).failed(3);
    assert!(refused.stderr.contains("does not belong to"), "{refused:?}");
    // Resuming rewrites the file, private again even if someone widened it.
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o644)).unwrap();
    let before = posts(&sandbox);
    let again = bulk(&sandbox, &[&args[..], &["--resume"]].concat());
    assert_eq!(again.status, 9, "{again:?}");
    assert_eq!(posts(&sandbox), before);
    assert_eq!(results(&out).len(), 21);
    assert_eq!(mode(&out), 0o600);
    // The same file run again into another results file finds its instances: nothing twice.
    let other = dir.join("other.csv");
    let args = [input.to_str().unwrap(), "--out", other.to_str().unwrap(), "--skip-invalid", "-o", "json"];
    let run = bulk(&sandbox, &args);
    assert_eq!((run.status, run.json()["existed"].as_u64()), (9, Some(20)), "{run:?}");
    assert_eq!(posts(&sandbox), before);
    assert_eq!(lookups(&sandbox), 20);
    assert_eq!(sandbox.instances().len(), 20);
}

fn lookups(sandbox: &Sandbox) -> usize {
    sandbox.requests().iter().filter(|r| r.method == "GET" && r.target.contains("ce-provision-")).count()
}

#[test]
fn a_429_pauses_every_worker_not_only_the_one_that_got_it() {
    let sandbox = common::sandbox();
    let retry_after =
        FaultKind::Status { status: 429, message: None, provider_message: None, retry_after: Some("2".into()) };
    sandbox.inject(Fault::new(retry_after).method("POST"));
    let dir = folder("pause");
    let input = dir.join("in.csv");
    std::fs::write(&input, csv(40, "pause")).unwrap();
    let out = dir.join("results.csv");
    let mut child = spawn(&sandbox, &[input.to_str().unwrap(), "--out", out.to_str().unwrap(), "--concurrency", "4"]);
    std::thread::sleep(Duration::from_millis(1200));
    // The workers already past the gate finish their row; then every worker waits.
    let during = results(&out).len();
    assert!(during <= 8, "{during} rows were done during the pause");
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert_eq!(results(&out).len(), 40);
    assert_eq!(sandbox.instances().len(), 40);
}

#[test]
fn under_the_servers_rate_limit_every_row_ends_created() {
    let sandbox = sandbox_with(0, 10);
    let dir = folder("rate");
    let input = dir.join("in.csv");
    std::fs::write(&input, csv(30, "rate")).unwrap();
    let out = dir.join("results.csv");
    let started = Instant::now();
    let args = [input.to_str().unwrap(), "--out", out.to_str().unwrap(), "--concurrency", "8", "-o", "json"];
    let run = bulk(&sandbox, &args).ok();
    // Not a terminal: plain progress lines.
    assert!(run.stderr.contains("bulk: ") && run.stderr.contains(" rows/s, ETA "), "{run:?}");
    let summary = run.json();
    assert_eq!(summary["created"], 30);
    let limited = summary["rate_limited_answers"].as_u64().unwrap();
    // A burst of 10 passes, then 10 a second: at least two pauses, each met by at most the 8
    // workers in flight.
    assert!((1..=8 * 3).contains(&limited), "{summary}");
    assert!(started.elapsed() >= Duration::from_millis(1500), "{:?}", started.elapsed());
    assert_eq!(sandbox.instances().len(), 30);
    // Paced at the limit with --rate, nothing is refused.
    let paced = dir.join("paced.csv");
    std::fs::write(&input, csv(15, "paced")).unwrap();
    let args = [input.to_str().unwrap(), "--out", paced.to_str().unwrap(), "--rate", "10", "-o", "json"];
    std::thread::sleep(Duration::from_secs(1)); // the server's bucket fills again
    let summary = bulk(&sandbox, &args).ok().json();
    assert_eq!((summary["created"].as_u64(), summary["rate_limited_answers"].as_u64()), (Some(15), Some(0)));
}

fn spawn(sandbox: &Sandbox, args: &[&str]) -> std::process::Child {
    let mut command = Command::new(BIN);
    for (name, _) in std::env::vars() {
        if name.starts_with("CLOUD_ELEMENTS_") {
            command.env_remove(name);
        }
    }
    command
        .env("CLOUD_ELEMENTS_BASE_URL", sandbox.url())
        .env("CLOUD_ELEMENTS_USER_SECRET", sandbox.user_secret())
        .env("CLOUD_ELEMENTS_ORG_SECRET", sandbox.organization_secret())
        .args(["bulk", "create"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// A number in `0..n` that differs from run to run.
fn random_below(n: u64) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos());
    hasher.finish() % n
}

#[test]
fn killed_at_random_points_and_resumed_until_done_makes_exactly_one_instance_per_row() {
    let sandbox = sandbox_with(10, 0);
    let dir = folder("crash");
    let input = dir.join("in.csv");
    let mut text = csv(1000, "crash");
    for i in 0..5 {
        text.push_str(&format!("closeio,Invalid {i},crash,,pw\n"));
    }
    std::fs::write(&input, text).unwrap();
    let out = dir.join("results.csv");
    let args = [input.to_str().unwrap(), "--out", out.to_str().unwrap(), "--skip-invalid", "--concurrency", "8"];
    let resume = [&args[..], &["--resume"]].concat();
    let mut kills = Vec::new();
    for attempt in 0..3 {
        let mut child = spawn(&sandbox, if attempt == 0 { &args } else { &resume });
        let delay = 150 + random_below(450);
        std::thread::sleep(Duration::from_millis(delay));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        kills.push((delay, sandbox.instances().len()));
    }
    assert!(kills.iter().any(|(_, made)| *made < 1000), "no kill landed mid-run: {kills:?}");
    let last = bulk(&sandbox, &resume);
    assert_eq!(last.status, 9, "the invalid rows fail: {last:?}");
    scan(&last);
    let instances: Vec<Value> = sandbox
        .instances()
        .into_iter()
        .filter(|i| i["tags"].as_array().unwrap().iter().any(|t| t == "crash"))
        .collect();
    assert_eq!(instances.len(), 1000, "exactly one instance per valid row (kills at {kills:?})");
    let keys: HashSet<String> = instances
        .iter()
        .flat_map(|i| i["tags"].as_array().unwrap().iter().filter_map(|t| t.as_str()))
        .filter(|t| t.starts_with("ce-provision-"))
        .map(str::to_owned)
        .collect();
    assert_eq!(keys.len(), 1000);
    let rows = results(&out);
    let lines: HashSet<&str> = rows.iter().map(|r| r["line"].as_str()).collect();
    assert_eq!((rows.len(), lines.len()), (1005, 1005), "one line per row");
    let done = rows.iter().filter(|r| r["status"] == "created" || r["status"] == "existed").count();
    assert_eq!(done, 1000);
    let ids: HashSet<&str> = rows.iter().map(|r| r["id"].as_str()).filter(|id| !id.is_empty()).collect();
    assert_eq!(ids.len(), 1000);
    assert_eq!(mode(&out), 0o600);
}

/// The instances of `sandbox` carrying `tag`.
fn tagged(sandbox: &Sandbox, tag: &str) -> Vec<Value> {
    sandbox.instances().into_iter().filter(|i| i["tags"].as_array().unwrap().iter().any(|t| t == tag)).collect()
}

#[test]
fn a_create_that_timed_out_is_not_sent_again_and_resume_finds_it() {
    // The server takes 3 s before it inserts; the client gives up after 1 s: each create's
    // outcome is unknown, and it goes on on the server.
    let sandbox = sandbox_with(3000, 0);
    let dir = folder("unknown");
    let input = dir.join("in.csv");
    std::fs::write(&input, csv(3, "slow")).unwrap();
    let out = dir.join("results.csv");
    let (input, out_arg) = (input.to_str().unwrap(), out.to_str().unwrap());
    let first =
        run(&sandbox, &["--timeout", "1", "bulk", "create", input, "--out", out_arg, "--validation", "offline"]);
    // Once the server is done, there is one instance per row: none was sent twice.
    std::thread::sleep(Duration::from_millis(3500));
    assert_eq!(tagged(&sandbox, "slow").len(), 3, "a row was sent twice: {first:?}");
    assert_eq!(posts(&sandbox), 3);
    // The rows are failed, their outcome unknown.
    assert_eq!(first.status, 9, "{first:?}");
    let rows = results(&out);
    assert_eq!(rows.len(), 3);
    for row in &rows {
        assert_eq!(row["status"], "failed", "{row:?}");
        assert!(row["error"].contains("outcome unknown"), "{row:?}");
    }
    assert!(first.stderr.contains("outcome unknown"), "{first:?}");
    // --resume, after the timeout, finds them by their keys.
    let resume = ["--timeout", "30", "bulk", "create", input, "--out", out_arg, "--validation", "offline", "--resume"];
    let summary = run(&sandbox, &[&resume[..], &["-o", "json"]].concat()).ok().json();
    assert_eq!(summary["existed"], 3, "{summary}");
    assert_eq!(tagged(&sandbox, "slow").len(), 3);
    assert_eq!(posts(&sandbox), 3);
    let rows = results(&out);
    assert!(rows.iter().all(|r| r["status"] == "existed" && !r["id"].is_empty()), "{rows:?}");
}
