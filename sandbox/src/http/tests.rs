//! Reading requests off an in-memory stream: both framings, pipelining, the limits, and no panic
//! on mutated input.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::sync::atomic::AtomicBool;

use super::{
    Conn, MAX_BODY, MAX_CHUNK_LINE, MAX_CHUNKED_WIRE, MAX_HEAD, MAX_TRAILERS, READ_CHUNK, ReadError, Request,
    percent_decode, query_pairs,
};

/// An in-memory stream: reads from `input` (one read never crosses two segments, as with
/// separate TCP sends), collects writes.
struct Mock {
    input: VecDeque<Vec<u8>>,
    /// How much of the front segment was read.
    offset: usize,
    /// Most bytes one read returns.
    trickle: usize,
    output: Vec<u8>,
}

impl Read for Mock {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Some(segment) = self.input.front() else { return Ok(0) };
        let n = buf.len().min(self.trickle).min(segment.len() - self.offset);
        buf[..n].copy_from_slice(&segment[self.offset..self.offset + n]);
        self.offset += n;
        if self.offset == segment.len() {
            self.input.pop_front();
            self.offset = 0;
        }
        Ok(n)
    }
}

impl Write for Mock {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.output.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn read_all(input: &[u8]) -> (Vec<Result<Request, ReadError>>, Vec<u8>) {
    read_segments(&[input])
}

fn read_segments(input: &[&[u8]]) -> (Vec<Result<Request, ReadError>>, Vec<u8>) {
    // Trickle a few bytes at a time to exercise the incremental paths.
    read_with(input, 7)
}

fn read_with(input: &[&[u8]], trickle: usize) -> (Vec<Result<Request, ReadError>>, Vec<u8>) {
    let stop = AtomicBool::new(false);
    let input = input.iter().map(|s| s.to_vec()).collect();
    let mut conn = Conn::new(Mock { input, offset: 0, trickle, output: Vec::new() }, &stop);
    let mut out = Vec::new();
    loop {
        let r = conn.read_request();
        let done = r.is_err();
        out.push(r);
        if done {
            break;
        }
    }
    (out, conn.into_stream().output)
}

fn status_of(r: &Result<Request, ReadError>) -> u16 {
    match r {
        Err(ReadError::Bad { status, .. }) => *status,
        other => panic!("expected a bad request, got {other:?}"),
    }
}

#[test]
fn reads_pipelined_requests_with_both_framings() {
    let input = b"\r\nPOST /a?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello\
GET /b HTTP/1.0\nX-Case: Value \n\n\
POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\n";
    let (results, _) = read_all(input);
    assert_eq!(results.len(), 4);
    let a = results[0].as_ref().unwrap();
    assert_eq!((a.method.as_str(), a.path(), a.query(), a.body.as_slice()), ("POST", "/a", "x=1", &b"hello"[..]));
    assert!(a.keep_alive());
    let b = results[1].as_ref().unwrap();
    assert!(b.http10 && !b.keep_alive());
    assert_eq!(b.headers, vec![("X-Case".to_string(), "Value".to_string())]);
    let c = results[2].as_ref().unwrap();
    assert_eq!(c.body, b"hello world");
    assert!(matches!(results[3], Err(ReadError::Closed)));
}

#[test]
fn rejects_malformed_and_oversized_requests() {
    assert_eq!(status_of(&read_all(b"GARBAGE\r\n\r\n").0[0]), 400);
    assert_eq!(status_of(&read_all(b"GET / HTTP/2.0\r\n\r\n").0[0]), 505);
    assert_eq!(status_of(&read_all(b"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n").0[0]), 400);
    assert_eq!(status_of(&read_all(b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n").0[0]), 400);
    assert_eq!(status_of(&read_all(b"POST / HTTP/1.1\r\nContent-Length: 99999999999999999\r\n\r\n").0[0]), 413);
    assert_eq!(status_of(&read_all(b"POST / HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n").0[0]), 413);
    assert_eq!(status_of(&read_all(b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n").0[0]), 501);
    assert_eq!(status_of(&read_all(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").0[0]), 400);
    assert_eq!(status_of(&read_all(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n200000\r\n").0[0]), 413);
    let mut huge = b"GET / HTTP/1.1\r\nX: ".to_vec();
    huge.extend(std::iter::repeat_n(b'a', MAX_HEAD + 10));
    assert_eq!(status_of(&read_all(&huge).0[0]), 431);
}

/// A chunked POST with this encoded body.
fn chunked(body: &[u8]) -> Vec<u8> {
    [b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n".as_slice(), body].concat()
}

/// The body read from a chunked POST, or the status it was refused with.
fn chunked_result(body: &[u8]) -> Result<Vec<u8>, u16> {
    chunked_result_with(body, 7)
}

fn chunked_result_with(body: &[u8], trickle: usize) -> Result<Vec<u8>, u16> {
    match read_with(&[&chunked(body)], trickle).0.remove(0) {
        Ok(request) => Ok(request.body),
        Err(ReadError::Bad { status, .. }) => Err(status),
        Err(other) => panic!("expected a request or a bad request, got {other:?}"),
    }
}

#[test]
fn chunk_sizes_are_hex_digits_only() {
    assert_eq!(chunked_result(b"5\r\nhello\r\n0\r\n\r\n"), Ok(b"hello".to_vec()));
    assert_eq!(chunked_result(b"00005;a=b;c\r\nhello\r\nA\r\n0123456789\r\n000\r\n\r\n").unwrap().len(), 15);
    assert_eq!(chunked_result(b"5;\tq=\"x y\"\r\nhello\r\n0\r\n\r\n"), Ok(b"hello".to_vec()));
    for size in [
        &b"+5"[..],
        b" 5",
        b"5 ",
        b"5\t",
        b"5 ;ext",
        b"0x5",
        b"-0",
        b"+0",
        b"",
        b";ext",
        b"5_0",
        b"\xef\xbc\x95", // a fullwidth 5
    ] {
        let body = [size, b"\r\nhello\r\n0\r\n\r\n"].concat();
        assert_eq!(chunked_result(&body), Err(400), "{:?}", String::from_utf8_lossy(size));
    }
    // A control character (here a lone CR) in an extension.
    assert_eq!(chunked_result(b"5;a\rb\r\nhello\r\n0\r\n\r\n"), Err(400));
    // Huge sizes saturate instead of overflowing, and are too large.
    assert_eq!(chunked_result(b"ffffffffffffffffffffffffffffffff\r\n"), Err(413));
    assert_eq!(chunked_result(b"100001\r\n"), Err(413));
}

#[test]
fn chunked_lines_must_end_with_crlf() {
    for body in [
        &b"5\nhello\r\n0\r\n\r\n"[..], // after the size line
        b"5;ext\nhello\r\n0\r\n\r\n",  // after the size line, with an extension
        b"5\r\nhello\n0\r\n\r\n",      // after the data
        b"5\r\nhelloXY0\r\n\r\n",      // no line end after the data
        b"5\r\nhello\r\r\n0\r\n\r\n",  // CR CR LF after the data
        b"5\r\nhello\r\n0\n\r\n",      // after the last chunk
        b"0\r\n\n",                    // the final empty line
        b"0\r\nT: x\n\r\n",            // after a trailer
        b"0\r\nT: x\r\n\n",            // the final empty line after a trailer
        b"0\r\n\r\r\n",                // CR CR LF
    ] {
        assert_eq!(chunked_result(body), Err(400), "{:?}", String::from_utf8_lossy(body));
    }
}

#[test]
fn trailers_are_checked_and_capped() {
    assert_eq!(chunked_result(b"0\r\nA: 1\r\nB:\r\n\r\n"), Ok(Vec::new()));
    for trailer in [&b"no colon"[..], b"Bad Name: x", b" folded: x", b"X: a\x00b", b": x"] {
        let body = [b"0\r\n", trailer, b"\r\n\r\n"].concat();
        assert_eq!(chunked_result(&body), Err(400), "{:?}", String::from_utf8_lossy(trailer));
    }
    let trailers = |n: usize| {
        let mut body = b"1\r\nx\r\n0\r\n".to_vec();
        for i in 0..n {
            body.extend_from_slice(format!("T-{i}: {}\r\n", "v".repeat(100)).as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body
    };
    assert_eq!(chunked_result(&trailers(MAX_TRAILERS)), Ok(b"x".to_vec()));
    assert_eq!(chunked_result(&trailers(MAX_TRAILERS + 1)), Err(431));
    // One line is capped too.
    let long = [b"0\r\nT: ".as_slice(), &vec![b'v'; MAX_CHUNK_LINE], b"\r\n\r\n"].concat();
    assert_eq!(chunked_result_with(&long, READ_CHUNK), Err(400));
    let long = [b"1;".as_slice(), &vec![b'e'; MAX_CHUNK_LINE], b"\r\nx\r\n0\r\n\r\n"].concat();
    assert_eq!(chunked_result_with(&long, READ_CHUNK), Err(400));
    let longest = [b"1;".as_slice(), &vec![b'e'; MAX_CHUNK_LINE - 2], b"\r\nx\r\n0\r\n\r\n"].concat();
    assert_eq!(chunked_result_with(&longest, READ_CHUNK), Ok(b"x".to_vec()));
}

#[test]
fn chunked_wire_size_is_capped() {
    // A full-size body in 8 KiB chunks is fine: little framing overhead.
    let mut body = Vec::new();
    for _ in 0..MAX_BODY / 8192 {
        body.extend_from_slice(b"2000;chunk=extension\r\n");
        body.extend(std::iter::repeat_n(b'a', 8192));
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"0\r\nT: x\r\n\r\n");
    assert_eq!(chunked_result_with(&body, READ_CHUNK).map(|b| b.len()), Ok(MAX_BODY));
    // One byte more is too large.
    let mut over = body[..body.len() - b"0\r\nT: x\r\n\r\n".len()].to_vec();
    over.extend_from_slice(b"1\r\na\r\n0\r\n\r\n");
    assert_eq!(chunked_result_with(&over, READ_CHUNK), Err(413));
    // A small body in one-byte chunks each padded with a 4 KiB extension: too large on the wire.
    let padded = [b"1;".as_slice(), &vec![b'e'; MAX_CHUNK_LINE - 2], b"\r\nx\r\n"].concat();
    let mut body: Vec<u8> = padded.repeat(MAX_CHUNKED_WIRE / padded.len() + 1);
    body.extend_from_slice(b"0\r\n\r\n");
    assert_eq!(chunked_result_with(&body, READ_CHUNK), Err(413));
    // Many tiny chunks: the body is small, the wire is not.
    let mut body = b"1\r\nx\r\n".repeat(MAX_CHUNKED_WIRE / 6 + 1);
    body.extend_from_slice(b"0\r\n\r\n");
    assert_eq!(chunked_result_with(&body, READ_CHUNK), Err(413));
    // Just under the cap is fine.
    let mut body = b"1\r\nx\r\n".repeat((MAX_CHUNKED_WIRE - 5) / 6);
    body.extend_from_slice(b"0\r\n\r\n");
    assert!(body.len() <= MAX_CHUNKED_WIRE);
    assert_eq!(chunked_result_with(&body, READ_CHUNK).map(|b| b.len()), Ok((MAX_CHUNKED_WIRE - 5) / 6));
}

#[test]
fn transfer_encoding_lines_form_one_list() {
    let status = |headers: &str| {
        let request = format!("POST / HTTP/1.1\r\n{headers}\r\n5\r\nhello\r\n0\r\n\r\n");
        match read_all(request.as_bytes()).0.remove(0) {
            Ok(request) => {
                assert_eq!(request.body, b"hello");
                200
            }
            Err(e) => status_of(&Err(e)),
        }
    };
    for (one, two) in [
        ("gzip, chunked", "gzip\r\nTransfer-Encoding: chunked"),
        ("chunked, gzip", "chunked\r\nTransfer-Encoding: gzip"),
        ("chunked, chunked", "chunked\r\nTransfer-Encoding: chunked"),
        ("identity, chunked", "identity\r\nTransfer-Encoding: chunked"),
    ] {
        assert_eq!(status(&format!("Transfer-Encoding: {one}\r\n")), 501, "{one}");
        assert_eq!(status(&format!("Transfer-Encoding: {two}\r\n")), 501, "{two}");
    }
    assert_eq!(status("Transfer-Encoding: chunked\r\n"), 200);
    assert_eq!(status("transfer-encoding: CHUNKED \r\n"), 200);
    // Empty list elements are ignored.
    assert_eq!(status("Transfer-Encoding: ,chunked,\r\n"), 200);
    assert_eq!(status("Transfer-Encoding:\r\nTransfer-Encoding: chunked\r\n"), 200);
    assert_eq!(status("Transfer-Encoding:\r\n"), 501);
    assert_eq!(status("Transfer-Encoding: gzip\r\n"), 501);
    assert_eq!(status("Transfer-Encoding: chunked\u{a0}\r\n"), 501, "only SP and HTAB are whitespace");
    assert_eq!(status("Transfer-Encoding: gzip\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n"), 400);
    assert_eq!(status("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n"), 400);
}

#[test]
fn head_syntax_is_strict() {
    for (head, status) in [
        (&b"GET / HTTP/1.2\r\n\r\n"[..], 505),
        (b"GET / HTTP/1.10\r\n\r\n", 400),
        (b"GET / HTTP/2\r\n\r\n", 400),
        (b"GET / HTTP/1.1 x\r\n\r\n", 400),
        (b"GET  / HTTP/1.1\r\n\r\n", 400),
        (b"GET * HTTP/1.1\r\n\r\n", 400),
        (b"G(T / HTTP/1.1\r\n\r\n", 400),
        (b"GET /\xff HTTP/1.1\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\n folded: x\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nX: a\r\n folded\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nName : x\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\n: x\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nX: a\x01b\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nX: a\rb\r\n\r\n", 400),
    ] {
        assert_eq!(status_of(&read_all(head).0[0]), status, "{:?}", String::from_utf8_lossy(head));
    }
    // No cap on the number of headers, only on the head's size; values keep non-UTF-8 lossily.
    let mut many = b"GET http://h/p?q HTTP/1.1\r\n".to_vec();
    for i in 0..2000 {
        many.extend_from_slice(format!("X-{i}:\t{i} \r\n").as_bytes());
    }
    many.extend_from_slice(b"Y: \xff\r\n\r\n");
    let (results, _) = read_all(&many);
    let request = results[0].as_ref().unwrap();
    assert_eq!((request.path(), request.query(), request.headers.len()), ("/p", "q", 2001));
    assert_eq!((request.header("x-1999"), request.header("y")), (Some("1999"), Some("\u{fffd}")));
}

#[test]
fn chunk_sizes_may_have_leading_zeros() {
    assert_eq!(chunked_result(b"000000000000000000000005\r\nhello\r\n0\r\n\r\n"), Ok(b"hello".to_vec()));
    assert_eq!(chunked_result(b"00000000000000000000000\r\n\r\n"), Ok(Vec::new()));
    // Sizes far over the limit, up to more than 64 bits: too large, not malformed.
    assert_eq!(chunked_result(b"0fffffffffffffff\r\n"), Err(413));
    assert_eq!(chunked_result(b"10000000000000000\r\n"), Err(413));
}

#[test]
fn truncated_request_is_an_io_error() {
    let (results, _) = read_all(b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc");
    assert!(matches!(results[0], Err(ReadError::Broken)));
}

#[test]
fn answers_expect_100_continue() {
    let (results, output) = read_all(b"POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n");
    assert!(results[0].is_ok());
    assert!(output.is_empty(), "no 100 for an empty body");
    let (results, output) =
        read_segments(&[b"POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n", b"hi"]);
    assert_eq!(results[0].as_ref().unwrap().body, b"hi");
    assert_eq!(output, b"HTTP/1.1 100 Continue\r\n\r\n");
    // A client that did not wait gets no 100.
    let (_, output) = read_all(b"POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nh");
    assert!(output.is_empty());
}

#[test]
fn never_panics_on_mutated_requests() {
    let seeds: [&[u8]; 4] = [
        b"POST /a?x=%41 HTTP/1.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello",
        b"POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;e\r\nhello\r\n0\r\nT: x\r\n\r\n",
        b"GET http://h/p HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        "GET /\u{e9}\u{e9}\u{e9}\u{e9}?q=\u{e9} HTTP/1.1\r\nX: \u{e9}\r\n\r\n".as_bytes(),
    ];
    // xorshift: deterministic, no dependency.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let interesting = b"\r\n:; %0aF-\t\x00\xff";
    for round in 0..20_000 {
        let mut input = seeds[round % seeds.len()].to_vec();
        for _ in 0..(next() % 6) {
            let at = (next() as usize) % (input.len() + 1);
            let byte = interesting[(next() as usize) % interesting.len()];
            match next() % 3 {
                0 if at < input.len() => input[at] = byte,
                1 if at < input.len() => {
                    input.remove(at);
                }
                _ => input.insert(at, byte),
            }
        }
        for request in read_all(&input).0.into_iter().flatten() {
            let _ = (request.path(), request.query(), request.keep_alive());
            let _ = query_pairs(request.query());
            let _ = percent_decode(request.path(), false);
        }
    }
}
