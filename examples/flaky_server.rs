//! Retrying real HTTP requests against a server that is briefly unavailable.
//!
//! Run it with:
//!
//! ```text
//! cargo run --example flaky_server
//! ```
//!
//! A tiny HTTP/1.1 server (a std `TcpListener` on a thread, on a free port of
//! 127.0.0.1) answers `503 Service Unavailable` to the first two requests for
//! `/hello`, then `200 OK` with a body, and `404 Not Found` to any other path.
//! It serves a fixed number of connections, then its thread ends by itself.
//!
//! The client does a real GET over a `TcpStream` and turns the status line
//! into a result: 5xx (and I/O errors) are worth retrying, 4xx are not (asking
//! again for a page that does not exist will not make it exist). Three calls:
//!
//! 1. a sync `fn` fetching `/hello`: two 503s, pauses of 50 ms and 100 ms, then
//!    the body;
//! 2. the same `fn` fetching `/missing`: 404 fails fast, after one attempt;
//! 3. an `async fn` (tokio) doing the same as 1 against a fresh server.
//!
//! `on_retry` prints each failed attempt with the pause about to start, from
//! the `RetryInfo` the runtime hands it. The whole run takes about 0.3 s.

use std::fmt;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::thread::{self, JoinHandle};

use reattempt::{retry, RetryInfo};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

// ---------------------------------------------------------------- the client

/// Why a GET failed.
#[derive(Debug)]
enum FetchError {
    /// Connection refused, reset, …: the server may be back in a moment.
    Io(io::Error),
    /// 5xx: the server is in trouble, probably for a short while.
    Server(u16),
    /// 4xx: our request is wrong; sending it again cannot help.
    Client(u16),
    /// Not an HTTP response we understand.
    BadResponse(String),
}

impl FetchError {
    /// The classifier given to `retry_if`: only transient errors are retried.
    fn is_transient(&self) -> bool {
        matches!(self, FetchError::Io(_) | FetchError::Server(_))
    }
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::Io(e) => write!(f, "I/O error: {e}"),
            FetchError::Server(status) => write!(f, "server error {status}"),
            FetchError::Client(status) => write!(f, "client error {status}"),
            FetchError::BadResponse(why) => write!(f, "bad response: {why}"),
        }
    }
}

impl From<io::Error> for FetchError {
    fn from(e: io::Error) -> Self {
        FetchError::Io(e)
    }
}

/// The `on_retry` hook: called before each pause.
fn log_retry(err: &FetchError, info: &RetryInfo) {
    println!(
        "    attempt {} failed ({err}), {:.1?} since the first; retrying in {:?}",
        info.attempt, info.elapsed, info.delay
    );
}

/// GET `path` (sync). Four retries at most, 50 ms, 100 ms, 200 ms, 400 ms apart.
#[retry(
    exponential(n = 4, initial = "50ms"),
    retry_if = FetchError::is_transient,
    attempt = attempt,
    on_retry = log_retry,
)]
fn fetch(addr: SocketAddr, path: &str) -> Result<String, FetchError> {
    println!("  attempt {attempt}: GET {path}");
    let mut stream = TcpStream::connect(addr)?;
    stream.write_all(request(addr, path).as_bytes())?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?; // the server closes the connection
    parse_response(&response)
}

/// The same GET with tokio: `#[retry]` on an `async fn` pauses with
/// `tokio::time::sleep`, so no thread is blocked while waiting.
#[retry(
    exponential(n = 4, initial = "50ms"),
    retry_if = FetchError::is_transient,
    attempt = attempt,
    on_retry = log_retry,
)]
async fn fetch_async(addr: SocketAddr, path: &str) -> Result<String, FetchError> {
    println!("  attempt {attempt}: GET {path} (async)");
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    stream.write_all(request(addr, path).as_bytes()).await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    parse_response(&response)
}

fn request(addr: SocketAddr, path: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")
}

/// Reads the status line (`HTTP/1.1 503 Service Unavailable`) and maps the
/// status to a body or an error.
fn parse_response(response: &str) -> Result<String, FetchError> {
    let (head, body) = response
        .split_once("\r\n\r\n")
        .ok_or_else(|| FetchError::BadResponse("no end of headers".into()))?;
    let status_line = head.lines().next().unwrap_or_default();
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| FetchError::BadResponse(format!("status line {status_line:?}")))?;
    match status {
        200..=299 => Ok(body.to_owned()),
        400..=499 => Err(FetchError::Client(status)),
        500..=599 => Err(FetchError::Server(status)),
        _ => Err(FetchError::BadResponse(format!(
            "unexpected status {status}"
        ))),
    }
}

// ---------------------------------------------------------------- the server

/// Starts the flaky server on a free port. It serves exactly `connections`
/// connections, then its thread returns.
fn start_server(connections: usize) -> (SocketAddr, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local address");
    let server = thread::spawn(move || {
        let mut hellos = 0;
        for stream in listener.incoming().take(connections) {
            // A broken connection is the client's problem, not the server's.
            let _ = stream.and_then(|stream| answer(stream, &mut hellos));
        }
    });
    (addr, server)
}

/// Answers one request: `/hello` is unavailable twice, then fine.
fn answer(mut stream: TcpStream, hellos: &mut u32) -> io::Result<()> {
    let path = read_request_path(&stream)?;
    let (status, body) = if path == "/hello" {
        *hellos += 1;
        if *hellos <= 2 {
            ("503 Service Unavailable", "warming up\n".to_owned())
        } else {
            ("200 OK", format!("Hello! (request #{hellos} for /hello)\n"))
        }
    } else {
        ("404 Not Found", format!("no page at {path}\n"))
    };
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// Reads the request line and headers; returns the path.
fn read_request_path(stream: &TcpStream) -> io::Result<String> {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Read the headers up to the empty line, so that closing the socket after
    // answering never resets a connection with unread data.
    let mut header = String::new();
    while reader.read_line(&mut header)? > 2 {
        header.clear();
    }
    Ok(request_line.split(' ').nth(1).unwrap_or("/").to_owned())
}

// ---------------------------------------------------------------- the demo

fn main() {
    // Sync: 3 connections for /hello (503, 503, 200) and 1 for /missing.
    let (addr, server) = start_server(4);
    println!("server on {addr}: /hello answers 503, 503, then 200; other paths 404");

    println!("sync fetch /hello:");
    match fetch(addr, "/hello") {
        Ok(body) => print!("  => 200 OK: {body}"),
        Err(e) => println!("  => gave up: {e}"),
    }

    println!("sync fetch /missing:");
    match fetch(addr, "/missing") {
        Ok(body) => print!("  => 200 OK: {body}"),
        Err(e) => println!("  => gave up at once: {e} is not retried"),
    }
    server.join().expect("server thread");

    // Async, against a fresh server: 3 connections (503, 503, 200).
    let (addr, server) = start_server(3);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    println!("async fetch /hello (fresh server on {addr}):");
    match runtime.block_on(fetch_async(addr, "/hello")) {
        Ok(body) => print!("  => 200 OK: {body}"),
        Err(e) => println!("  => gave up: {e}"),
    }
    server.join().expect("server thread");
}
