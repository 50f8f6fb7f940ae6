//! The input file: one instance per row, the columns named by the header, and each row's
//! idempotency key (its own column, or derived from the file's content and the row's line).
//!
//! Columns: `element`, `name`, `tags` (separated by `;`), `idempotency_key`, and any other column
//! is a configuration entry: `config.<key>` or the bare key. An empty cell is "not given". The
//! file is UTF-8, with or without a byte-order mark, lines ending in LF or CRLF, fields quoted as
//! in RFC 4180.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use cloud_elements::InstanceRequest;

/// How a derived key starts: `csv-<16 hex digits of the file's digest>-<line>`.
const DERIVED_PREFIX: &str = "csv-";

/// One data row, ready to send, or what is wrong with it.
#[derive(Debug)]
pub(crate) struct Row {
    /// The line of the file the row starts on (the header is line 1).
    pub(crate) line: u64,
    pub(crate) element: String,
    pub(crate) name: String,
    /// The request, with its idempotency key set; `Err` when the row cannot make one.
    pub(crate) request: Result<InstanceRequest, String>,
    /// Whether the key was derived from the file (no `idempotency_key` cell).
    pub(crate) derived: bool,
    /// The `idempotency_key` cell, until the reader has checked it is not used twice.
    explicit_key: Option<String>,
}

#[cfg(test)]
impl Row {
    /// The row's idempotency key (set on every request built here).
    pub(crate) fn key(&self) -> Option<&str> {
        self.request.as_ref().ok().and_then(InstanceRequest::get_idempotency_key)
    }
}

/// What each column holds.
#[derive(Clone, Debug, PartialEq)]
enum Column {
    Element,
    Name,
    Tags,
    Key,
    Config(String),
}

const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// 64-bit FNV-1a, going on from `hash`: stable across platforms and Rust versions, unlike
/// `std`'s hasher.
fn fnv(hash: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(hash, |hash, byte| (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3))
}

#[cfg(test)]
/// The digest of a whole input file (64-bit FNV-1a of its bytes, byte-order mark included).
pub(crate) fn digest(bytes: &[u8]) -> u64 {
    fnv(FNV_OFFSET, bytes)
}

/// The key of a row without an `idempotency_key` cell: `csv-<digest of the whole file, 16 hex
/// digits>-<line>`, at most 45 characters of the key alphabet. The same file run again (or
/// resumed) gives every row the same key, so nothing is created twice; a changed file gives
/// new keys.
pub(crate) fn derived_key(file_digest: u64, line: u64) -> String {
    format!("{DERIVED_PREFIX}{file_digest:016x}-{line}")
}

/// The rows of an input, read one at a time (the file is never held whole in memory).
pub(crate) struct Rows<R: Read> {
    reader: csv::Reader<R>,
    columns: Vec<Column>,
    file_digest: u64,
    /// The `idempotency_key` cells seen, with their lines (derived keys are unique by line).
    keys: HashMap<String, u64>,
    record: csv::StringRecord,
    /// Set after an I/O error, which the reader would only repeat.
    ended: bool,
}

/// The rows of a file.
pub(crate) type FileRows = Rows<SkipBom<BufReader<File>>>;

/// Opens the input at `path`: its digest is read through first, then its header.
pub(crate) fn open(path: &Path) -> Result<FileRows, String> {
    let failed = |e: std::io::Error| format!("cannot read {}: {e}", path.display());
    let mut file = BufReader::new(File::open(path).map_err(failed)?);
    let mut hash = FNV_OFFSET;
    loop {
        let chunk = file.fill_buf().map_err(failed)?;
        if chunk.is_empty() {
            break;
        }
        hash = fnv(hash, chunk);
        let used = chunk.len();
        file.consume(used);
    }
    let file = BufReader::new(File::open(path).map_err(failed)?);
    Rows::new(file, hash).map_err(|e| format!("{}: {e}", path.display()))
}

impl<R: Read> Rows<R> {
    /// The rows of `input`, whose whole content has the digest `file_digest`. A file that cannot
    /// be read as a table at all (no `element` column, a column named twice, an unreadable
    /// header) is an `Err`.
    fn new(input: R, file_digest: u64) -> Result<Rows<SkipBom<R>>, String> {
        // Records end at `\n` only, so that csv's line numbers count CRLF lines right (with its
        // default terminator they are one short after each CRLF); the `\r` left at the end of a
        // record's last field is dropped by `row`, and a quoted `\r\n` inside a field stays.
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .terminator(csv::Terminator::Any(b'\n'))
            .from_reader(SkipBom { inner: input, start: true });
        let headers = reader.headers().map_err(|e| format!("cannot read the header line: {e}"))?.clone();
        let columns = columns(&headers)?;
        Ok(Rows { reader, columns, file_digest, keys: HashMap::new(), record: csv::StringRecord::new(), ended: false })
    }
}

impl<R: Read> Rows<R> {
    /// The digest of the whole file.
    pub(crate) fn digest(&self) -> u64 {
        self.file_digest
    }
}

impl<R: Read> Iterator for Rows<R> {
    type Item = Row;

    /// The next row (a bad one is a row whose `request` is an `Err`); blank lines are skipped.
    fn next(&mut self) -> Option<Row> {
        loop {
            if self.ended {
                return None;
            }
            let line = self.reader.position().line();
            return match self.reader.read_record(&mut self.record) {
                Ok(false) => None,
                Ok(true) if self.record.iter().all(|cell| cell.trim().is_empty()) => continue,
                Ok(true) => {
                    let line = self.record.position().map_or(line, |p| p.line());
                    let mut row = row(&self.columns, &self.record, line, self.file_digest);
                    if let Some(key) = row.explicit_key.take() {
                        if let Some(first) = self.keys.get(&key) {
                            row.request = Err(format!("the idempotency key `{key}` is also the key of line {first}"));
                        } else {
                            self.keys.insert(key, line);
                        }
                    }
                    Some(row)
                }
                Err(e) => {
                    let line = e.position().map_or(line, |p| p.line());
                    let problem = match e.kind() {
                        csv::ErrorKind::Utf8 { .. } => "the row is not valid UTF-8".to_owned(),
                        _ => format!("the row cannot be read: {e}"),
                    };
                    // An I/O error ends the input: the reader would repeat it.
                    self.ended = matches!(e.kind(), csv::ErrorKind::Io(_));
                    Some(Row {
                        line,
                        element: String::new(),
                        name: String::new(),
                        request: Err(problem),
                        derived: false,
                        explicit_key: None,
                    })
                }
            };
        }
    }
}

/// A reader that drops a UTF-8 byte-order mark at the start.
pub(crate) struct SkipBom<R> {
    inner: R,
    start: bool,
}

impl<R: Read> Read for SkipBom<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if !self.start {
            return self.inner.read(buf);
        }
        self.start = false;
        let mut head = [0u8; 3];
        let mut filled = 0;
        while filled < 3 {
            match self.inner.read(&mut head[filled..])? {
                0 => break,
                n => filled += n,
            }
        }
        let head = if head[..filled] == BOM[..] { &head[..0] } else { &head[..filled] };
        if head.is_empty() {
            return self.inner.read(buf);
        }
        let n = head.len().min(buf.len());
        buf[..n].copy_from_slice(&head[..n]);
        // `buf` is at least 3 bytes long in practice (csv reads in large chunks); a shorter one
        // would lose bytes, so refuse it.
        if n < head.len() {
            return Err(std::io::Error::other("read buffer shorter than 3 bytes"));
        }
        Ok(n)
    }
}

/// The tag every instance made from a file carries: `ce-bulk-<digest, 16 hex digits>`. A run
/// that finds no instance with it knows that no row of the file was ever sent.
pub(crate) fn file_tag(file_digest: u64) -> String {
    format!("ce-bulk-{file_digest:016x}")
}

/// Reads the rows of `bytes` (the whole file), for tests.
#[cfg(test)]
pub(crate) fn parse(bytes: &[u8]) -> Result<Vec<Row>, String> {
    Ok(Rows::new(bytes, digest(bytes))?.collect())
}

/// The meaning of each header cell; `element` is required, no column may be named twice.
fn columns(headers: &csv::StringRecord) -> Result<Vec<Column>, String> {
    let mut columns = Vec::with_capacity(headers.len());
    for header in headers {
        let header = header.trim();
        let column = match header {
            "element" => Column::Element,
            "name" => Column::Name,
            "tags" => Column::Tags,
            "idempotency_key" => Column::Key,
            "" => return Err(format!("column {} of the header line has no name", columns.len() + 1)),
            other => Column::Config(other.strip_prefix("config.").unwrap_or(other).to_owned()),
        };
        if columns.contains(&column) {
            return Err(format!("the header names `{header}` twice (`config.KEY` and `KEY` are the same entry)"));
        }
        columns.push(column);
    }
    if !columns.contains(&Column::Element) {
        return Err("the header line has no `element` column".to_owned());
    }
    Ok(columns)
}

/// One row as a request (or what is wrong with it).
fn row(columns: &[Column], record: &csv::StringRecord, line: u64, file_digest: u64) -> Row {
    let mut element = String::new();
    let mut name = String::new();
    let mut tags = Vec::new();
    let mut key = None;
    let mut config = Vec::new();
    let mut cells: Vec<&str> = record.iter().collect();
    if let Some(last) = cells.last_mut() {
        *last = last.strip_suffix('\r').unwrap_or(last);
    }
    for (column, cell) in columns.iter().zip(cells) {
        if cell.is_empty() {
            continue;
        }
        match column {
            Column::Element => element = cell.trim().to_owned(),
            Column::Name => name = cell.to_owned(),
            Column::Tags => tags.extend(cell.split(';').map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned)),
            Column::Key => key = Some(cell.trim().to_owned()),
            Column::Config(entry) => config.push((entry.clone(), cell.to_owned())),
        }
    }
    let problem = if record.len() != columns.len() {
        Some(format!("the row has {} fields; the header has {}", record.len(), columns.len()))
    } else if element.is_empty() {
        Some("the `element` cell is empty".to_owned())
    } else {
        None
    };
    if name.is_empty() {
        name = element.clone();
    }
    let request = match problem {
        Some(problem) => Err(problem),
        None => {
            let mut request = InstanceRequest::new(element.clone(), name.clone());
            for tag in tags {
                request.add_tag(tag);
            }
            request.add_tag(file_tag(file_digest));
            for (entry, value) in config {
                request.set_config(entry, value);
            }
            request.set_idempotency_key(key.clone().unwrap_or_else(|| derived_key(file_digest, line)));
            Ok(request)
        }
    };
    let derived = key.is_none();
    let explicit_key = if request.is_ok() { key } else { None };
    Row { line, element, name, request, derived, explicit_key }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_keys_are_stable_and_in_the_alphabet() {
        assert_eq!(digest(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(digest(b"a"), 0xaf63_dc4c_8601_ec8c);
        let key = derived_key(u64::MAX, u64::MAX);
        assert!(key.len() <= 64 && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'), "{key}");
    }

    #[test]
    fn bom_crlf_quotes_and_both_column_forms() {
        let text = "\u{feff}element,name,tags,config.username,password\r\n\
                    closeio,\"Sales, EU\",a; b;,u1,\"p\"\"w\"\r\n\
                    \r\n\
                    closeio,,,u2,\"multi\r\nline\"\r\n";
        let rows = parse(text.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        let lines = |text: &str| parse(text.as_bytes()).unwrap().iter().map(|r| r.line).collect::<Vec<_>>();
        assert_eq!(lines("element,name\na,b\nc,d\n"), [2, 3]);
        assert_eq!(lines("element,name\r\na,b\r\n\r\nc,\"d\"\r\n"), [2, 4]);
        assert_eq!(lines("element,name\r\n\"a\r\nx\",b\r\nc,d"), [2, 4]);
        let first = rows[0].request.as_ref().unwrap();
        assert_eq!((rows[0].line, first.name()), (2, "Sales, EU"));
        let file = file_tag(digest(text.as_bytes()));
        assert_eq!(first.tags(), ["a".to_owned(), "b".to_owned(), file]);
        assert_eq!(first.config_value("username"), Some("u1"));
        assert_eq!(first.config_value("password"), Some("p\"w"));
        let second = rows[1].request.as_ref().unwrap();
        assert_eq!((rows[1].line, second.name()), (4, "closeio"));
        assert_eq!(second.config_value("password"), Some("multi\r\nline"));
        assert_eq!(rows[1].key(), Some(derived_key(digest(text.as_bytes()), 4).as_str()));
    }

    #[test]
    fn bad_headers_and_rows() {
        assert!(parse(b"name,x\nfoo,1\n").unwrap_err().contains("element"));
        assert!(parse(b"element,config.x,x\n").unwrap_err().contains("twice"));
        let rows = parse(b"element,name,idempotency_key\ncloseio,a,k1\n,b,\ncloseio,c,k1\ncloseio\n").unwrap();
        assert!(rows[0].request.is_ok());
        assert!(rows[1].request.as_ref().unwrap_err().contains("empty"));
        assert!(rows[2].request.as_ref().unwrap_err().contains("line 2"));
        assert!(rows[3].request.as_ref().unwrap_err().contains("fields"));
    }
}
