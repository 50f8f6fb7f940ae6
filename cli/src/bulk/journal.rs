//! The results file: one CSV line per row (`line,element,name,status,id,token,error`), written
//! as each row ends and flushed at once, so that a run killed at any moment leaves every finished
//! row on record. It holds instance tokens: it is created with mode 0600.
//!
//! A run without `--resume` never truncates an existing file (it must not exist). `--resume` reads
//! it back ([`read_done`], [`Journal::rewrite`]): rows `created` or `existed` are done; everything else (failed rows,
//! a line cut short by the kill) is dropped by rewriting the file with only the done rows (a new
//! 0600 file renamed over the old one), and those rows run again.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// The header line.
pub(crate) const HEADER: [&str; 7] = ["line", "element", "name", "status", "id", "token", "error"];
/// A row whose instance this run created.
pub(crate) const CREATED: &str = "created";
/// A row whose instance already existed (found by its idempotency key).
pub(crate) const EXISTED: &str = "existed";
/// A row that failed; the `error` column says why.
pub(crate) const FAILED: &str = "failed";

/// A row already done, as the results file has it.
#[derive(Debug)]
pub(crate) struct Done {
    pub(crate) element: String,
    pub(crate) name: String,
}

/// The open results file.
pub(crate) struct Journal {
    writer: csv::Writer<File>,
}

/// One result line.
pub(crate) struct Entry<'a> {
    pub(crate) line: u64,
    pub(crate) element: &'a str,
    pub(crate) name: &'a str,
    pub(crate) status: &'a str,
    pub(crate) id: Option<i64>,
    pub(crate) token: Option<&'a str>,
    pub(crate) error: Option<&'a str>,
}

fn create_private(path: &Path) -> std::io::Result<File> {
    OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)
}

impl Journal {
    /// Creates `path` (it must not exist) with mode 0600 and writes the header.
    pub(crate) fn create(path: &Path) -> Result<Journal, String> {
        let file = create_private(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => format!(
                "{} already exists: pass --resume to go on with the run that wrote it, or remove it",
                path.display()
            ),
            _ => format!("cannot create {}: {e}", path.display()),
        })?;
        let mut journal = Journal { writer: csv::Writer::from_writer(file) };
        journal
            .writer
            .write_record(HEADER)
            .and_then(|()| journal.writer.flush().map_err(Into::into))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(journal)
    }

    /// Rewrites `path` with only the lines in `done` (a new 0600 file renamed over it, so that
    /// a kill while rewriting loses nothing), then opens it for appending.
    pub(crate) fn rewrite(path: &Path, done: &HashMap<u64, Kept>) -> Result<Journal, String> {
        let temporary = PathBuf::from(format!("{}.resume-tmp", path.display()));
        let _ = std::fs::remove_file(&temporary);
        let mut journal = Journal::create(&temporary)?;
        let mut lines: Vec<_> = done.iter().collect();
        lines.sort_by_key(|(line, _)| **line);
        let failed = |e: std::io::Error| format!("cannot write {}: {e}", temporary.display());
        for (_, kept) in lines {
            journal.writer.write_record(&kept.record).map_err(|e| failed(e.into()))?;
        }
        journal.writer.flush().map_err(failed)?;
        journal.writer.get_ref().sync_all().map_err(failed)?;
        std::fs::rename(&temporary, path).map_err(|e| format!("cannot replace {}: {e}", path.display()))?;
        Ok(journal)
    }

    /// Appends one result line and flushes it to the file.
    pub(crate) fn write(&mut self, entry: &Entry<'_>) -> std::io::Result<()> {
        let id = entry.id.map(|id| id.to_string()).unwrap_or_default();
        let line = entry.line.to_string();
        self.writer.write_record([
            line.as_str(),
            entry.element,
            entry.name,
            entry.status,
            id.as_str(),
            entry.token.unwrap_or(""),
            entry.error.unwrap_or(""),
        ])?;
        self.writer.flush()
    }
}

/// A done line of a results file being resumed.
pub(crate) struct Kept {
    record: csv::StringRecord,
    pub(crate) done: Done,
}

/// The `created` and `existed` lines of the results file at `path`, by line number (none when
/// there is no file); a line cut short at the end (a run killed while writing it) is ignored.
pub(crate) fn read_done(path: &Path) -> Result<HashMap<u64, Kept>, String> {
    if !path.exists() {
        return Ok(HashMap::new());
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse_done(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

fn parse_done(bytes: &[u8]) -> Result<HashMap<u64, Kept>, String> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(bytes);
    let headers = reader.headers().map_err(|e| format!("not a results file: {e}"))?;
    if headers.iter().collect::<Vec<_>>() != HEADER {
        return Err(format!("not a results file: its header is not `{}`", HEADER.join(",")));
    }
    let mut done = HashMap::new();
    for record in reader.records() {
        let Ok(record) = record else { continue };
        if record.len() != HEADER.len() || !matches!(&record[3], CREATED | EXISTED) {
            continue;
        }
        let Ok(line) = record[0].parse::<u64>() else { continue };
        let row = Done { element: record[1].to_owned(), name: record[2].to_owned() };
        done.insert(line, Kept { record, done: row });
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn created_private_and_resumed_without_failed_or_torn_lines() {
        let dir = std::env::temp_dir().join(format!("ce-journal-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("results.csv");
        let mut journal = Journal::create(&path).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        let entry = |line, status| Entry {
            line,
            element: "closeio",
            name: "n",
            status,
            id: Some(7),
            token: Some("t"),
            error: None,
        };
        journal.write(&entry(2, CREATED)).unwrap();
        journal.write(&entry(3, FAILED)).unwrap();
        journal.write(&entry(4, EXISTED)).unwrap();
        drop(journal);
        assert!(Journal::create(&path).err().unwrap().contains("--resume"));
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(b"5,closeio,n,crea").unwrap();
        let done = read_done(&path).unwrap();
        let _journal = Journal::rewrite(&path, &done).unwrap();
        let mut lines: Vec<_> = done.keys().copied().collect();
        lines.sort();
        assert_eq!(lines, [2, 4]);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 3, "{text}");
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
