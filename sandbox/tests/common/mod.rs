//! A tiny HTTP/1.1 client over `std::net::TcpStream` for the sandbox's tests. Deliberately
//! hand-written: the tests see exactly the bytes on the wire.

#![allow(dead_code)] // Each test crate uses a different part of it.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use cloud_elements_sandbox::Sandbox;
use serde_json::Value;

pub const PREFIX: &str = "/elements/api-v2";

/// One parsed response.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// The `message` of an error body, after checking the error body's shape.
    pub fn error_message(&self) -> String {
        let body = self.json();
        let request_id = body["requestId"].as_str().expect("requestId");
        assert_eq!(request_id.len(), 24, "{body}");
        assert_eq!(self.header("content-type"), Some("application/json"));
        body["message"].as_str().expect("message").to_string()
    }
}

/// One client connection, kept alive across requests.
pub struct Client {
    reader: BufReader<TcpStream>,
    pub auth: Option<String>,
}

impl Client {
    /// A connection with the sandbox's platform credentials.
    pub fn new(sandbox: &Sandbox) -> Client {
        let mut client = Client::connect(sandbox.addr());
        client.auth = Some(format!("User {}, Organization {}", sandbox.user_secret(), sandbox.organization_secret()));
        client
    }

    /// A connection without credentials.
    pub fn connect(addr: SocketAddr) -> Client {
        let stream = TcpStream::connect(addr).expect("connect");
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        stream.set_nodelay(true).unwrap();
        Client { reader: BufReader::new(stream), auth: None }
    }

    pub fn stream(&mut self) -> &mut TcpStream {
        self.reader.get_mut()
    }

    pub fn get(&mut self, path: &str) -> Reply {
        self.send("GET", path, &[], None).expect("GET")
    }

    pub fn delete(&mut self, path: &str) -> Reply {
        self.send("DELETE", path, &[], None).expect("DELETE")
    }

    pub fn post_json(&mut self, path: &str, body: &Value) -> Reply {
        self.send_json("POST", path, body)
    }

    pub fn send_json(&mut self, method: &str, path: &str, body: &Value) -> Reply {
        let body = serde_json::to_vec(body).unwrap();
        self.send(method, path, &[("Content-Type", "application/json")], Some(&body)).expect(method)
    }

    /// Sends a request (with `Authorization` when set) and reads the response.
    pub fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> io::Result<Reply> {
        let mut request = format!("{method} {path} HTTP/1.1\r\nHost: sandbox\r\n");
        if let Some(auth) = &self.auth {
            request.push_str(&format!("Authorization: {auth}\r\n"));
        }
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        if let Some(body) = body {
            request.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        request.push_str("\r\n");
        let mut bytes = request.into_bytes();
        bytes.extend_from_slice(body.unwrap_or_default());
        self.send_raw(&bytes)
    }

    /// Sends raw bytes and reads one response.
    pub fn send_raw(&mut self, bytes: &[u8]) -> io::Result<Reply> {
        self.stream().write_all(bytes)?;
        self.read_reply()
    }

    /// Reads one response (body by Content-Length).
    pub fn read_reply(&mut self) -> io::Result<Reply> {
        let mut line = String::new();
        if self.reader.read_line(&mut line)? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        let status = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, format!("bad status line {line:?}")))?;
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line)?;
            let line = line.trim_end_matches(['\r', '\n']);
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(':').expect("header line");
            headers.push((name.to_string(), value.trim().to_string()));
        }
        let length: usize = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .map_or(0, |(_, v)| v.parse().expect("content-length"));
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body)?;
        Ok(Reply { status, headers, body })
    }

    /// Whether the server closed the connection (reads EOF, or a reset).
    pub fn is_closed(&mut self) -> bool {
        let mut byte = [0u8; 1];
        matches!(self.reader.read(&mut byte), Ok(0) | Err(_))
    }
}

/// A sandbox on a free port and a client connection to it with its platform credentials.
pub fn sandbox() -> (Sandbox, Client) {
    let sandbox = Sandbox::start().unwrap();
    let client = Client::new(&sandbox);
    (sandbox, client)
}

/// Creates an instance, which must succeed, and returns the answer.
pub fn create(client: &mut Client, body: &Value) -> Value {
    let reply = client.post_json(&api("/instances"), body);
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    reply.json()
}

/// A Close.io create body.
pub fn closeio(name: &str, tags: &[&str]) -> Value {
    serde_json::json!({
        "element": {"key": "closeio"},
        "configuration": {"username": "close-api-key", "password": "close-password"},
        "tags": tags,
        "name": name,
    })
}

/// A Pardot create body.
pub fn pardot(name: &str, tags: &[&str]) -> Value {
    serde_json::json!({
        "element": {"key": "pardot"},
        "configuration": {
            "apikey.user.name": "user@example.com",
            "apikey.user.password": "pardot-password",
            "apikey.user.key": "pardot-user-key",
            "provider.version": "4",
        },
        "tags": tags,
        "name": name,
    })
}

pub fn api(path: &str) -> String {
    format!("{PREFIX}{path}")
}
