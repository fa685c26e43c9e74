//! A retry storm: a short outage leaves a server with finite capacity
//! overloaded long after it is back, because of the retries it caused. Then
//! the same outage with full jitter and a shared retry budget.
//!
//! Run it with:
//!
//! ```text
//! cargo run --release --example retry_storm [CHART.svg]
//! ```
//!
//! It takes about 4 s, prints a Markdown table of both runs and draws the
//! requests per 100 ms over time as an SVG chart (default
//! `target/retry_storm.svg`).
//!
//! # The scenario
//!
//! **The server** (tokio, 127.0.0.1, a tiny HTTP/1.1) is DOWN for its first
//! second: it answers `503` at once. After that it is UP with a finite
//! capacity: it serves at most `CAPACITY` = 30 requests in each 100 ms
//! window (counted from its start); a request beyond that gets `503`
//! "overloaded", at once. It notes the time and the answer of every request.
//!
//! **The clients** are 50, each starting a new call every 250 ms, from the
//! start, for 3 s (start offsets staggered 5 ms apart, so the load is smooth:
//! 20 new calls per 100 ms, two thirds of the capacity). They are open-loop,
//! like users who keep clicking: a new call starts on time even if an earlier
//! one is still retrying. Each call is an `async fn` that does one GET, and
//! is retried on 5xx and I/O errors:
//!
//! - **Run A, plain back-off**: `#[retry(exponential(n = 5, initial =
//!   "100ms"))]`, pauses of 100, 200, 400, 800, 1600 ms, so up to 6 requests
//!   per call, the last one 3.1 s after the first.
//! - **Run B**: the same schedule with `jitter = full` (each pause uniform in
//!   `[0, scheduled]`) and `budget = &BUDGET`, one `BUDGET` shared by all
//!   calls: once failures have emptied half of it, a failing call returns its
//!   error at once instead of retrying.
//!
//! (Both also say `retry_if = CallError::is_transient`, so that a 4xx would
//! not be retried; this server never sends one.)
//!
//! Each run has its own fresh server and the very same client traffic. The two
//! runs go side by side, at the same time, to keep the example short; they
//! share nothing but the machine (at most about a thousand loopback requests
//! per second in all, far from what it takes to disturb either).
//!
//! # What it shows
//!
//! A typical run, the one drawn in `docs/retry_storm.svg`. From one run to the
//! next, the counts of run A move by about 1 % and its time to recover between
//! 1.4 and 1.5 s; run B's peak moves between 25 and 28, its p99 latency
//! between 0.2 and 1.1 ms (scheduling noise), and its requests are always 609:
//! 600 calls and the 9 retries the budget allows.
//!
//! | | A: plain back-off | B: full jitter + budget |
//! |---|---:|---:|
//! | requests seen by the server | 1497 | 609 |
//! | peak requests per 100 ms | 81 | 25 |
//! | requests per client call | 2.50 | 1.01 |
//! | requests while the server was down | 580 | 209 |
//! | requests rejected as overloaded | 317 | 0 |
//! | time to recover after the outage | 1.4 s | 0.0 s |
//! | calls that succeeded | 100 % (600/600) | 67 % (400/600) |
//! | … of those started after the outage | 100 % (400/400) | 100 % (400/400) |
//! | p99 latency of calls started after the outage | 1.51 s | 1.1 ms |
//!
//! "Time to recover" runs from the end of the outage to the end of the last
//! 100 ms window in which the server turned a request away as overloaded; it
//! would read "never" if that still happened when the clients stopped.
//!
//! During the outage every request fails, so in run A each call comes back
//! again and again: the load climbs to 4 times the real demand, about 80
//! requests per 100 ms, all of them wasted. When the server comes back it
//! faces the new calls *plus* the retry backlog, far over its capacity. The
//! requests it turns away are retried too, so the overload feeds itself and
//! outlasts the outage: 1.4 to 1.5 s of overload after a 1 s outage, on a
//! server with 50 % headroom. New calls, which would have been served at once,
//! queue behind the backlog: the slowest 1% of them take 1.5 s instead of
//! a millisecond or less. With the budget, the first 10 failures of the outage
//! bring the bucket down to half (the first 9 are retried), every failure
//! after that is returned at once, and the load hardly goes above the real
//! demand: the server is healthy the moment it is back.
//!
//! Where run B is *not* better: the share of all calls that succeeded. Calls
//! started during the outage succeed in run A, because 3.1 s of retries is
//! enough to wait out a 1 s outage; in run B they fail fast. That is the trade
//! a budget makes on purpose: callers learn at once that the service is down
//! (and can degrade gracefully) instead of waiting, and the server is not
//! buried. Had the outage outlasted the schedule, run A would have failed
//! those calls too, after six times the load. Among calls started after the
//! outage both runs succeed: five retries get through the overload in the
//! end, so run A's cost there is latency and server load, not errors.
//!
//! Honest limits of the model:
//!
//! - A rejection costs this server nothing, so it always drains the backlog
//!   in the end, however long that takes. A real server spends work on the
//!   requests it rejects or that time out, which is how an overload can
//!   become permanent (a metastable failure); this one only shows the
//!   backlog outliving its cause.
//! - The load is two thirds of the capacity on purpose: with one third (10
//!   calls per 100 ms) the same outage leaves only 0.2 s of overload.
//! - The budget does the work here, not the jitter. The clients are staggered,
//!   so their retries are not synchronized to begin with, and full jitter
//!   alone would make things slightly *worse* (tried once as a third run, not
//!   kept: 103 requests per 100 ms at the peak, 1.4 s to recover, and 6 % of
//!   the calls failed): it halves the average pause, so each call packs more
//!   attempts into the outage, and its last attempt may come before the
//!   outage is over. Jitter pays off when clients
//!   fail at the same moment and would otherwise come back in waves.

use std::error::Error;
use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use plotters::prelude::*;
use reattempt::{retry, Budget};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Number of clients.
const CLIENTS: u32 = 50;
/// Each client starts a new call this often.
const PERIOD: Duration = Duration::from_millis(250);
/// Clients start calls during `[0, TRAFFIC_FOR)`.
const TRAFFIC_FOR: Duration = Duration::from_secs(3);
/// How long the server answers 503 after it starts.
const DOWN_FOR: Duration = Duration::from_secs(1);
/// The server's capacity is counted per window of this length.
const WINDOW: Duration = Duration::from_millis(100);
/// Requests the server can serve per `WINDOW` once it is up.
const CAPACITY: usize = 30;

/// One retry budget shared by every call of [`call_politely`].
///
/// A gRPC-style token bucket: 20 tokens, each retryable failure takes one, and
/// a retry is allowed only while more than 10 are left. So a burst of failures
/// buys at most 9 retries for the whole fleet, however many clients it has.
/// Each success gives back 0.1 token (gRPC's usual ratio): the bucket refills
/// faster than it drains while fewer than about one attempt in eleven fails,
/// so the isolated failures of normal traffic are always retried. After the outage, 20 successes per
/// 100 ms refill it above the threshold in about half a second.
static BUDGET: Budget = Budget::new(20, 0.1);

// ---------------------------------------------------------------- the clients

/// Why a call failed.
#[derive(Debug)]
enum CallError {
    /// 503 or another 5xx: the server is down or overloaded for now.
    Unavailable(u16),
    /// Could not talk to the server at all.
    Io(io::Error),
    /// Any other answer: retrying will not change it.
    Rejected(String),
}

impl CallError {
    fn is_transient(&self) -> bool {
        matches!(self, CallError::Unavailable(_) | CallError::Io(_))
    }
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::Unavailable(status) => write!(f, "server unavailable ({status})"),
            CallError::Io(e) => write!(f, "I/O error: {e}"),
            CallError::Rejected(why) => write!(f, "rejected: {why}"),
        }
    }
}

impl From<io::Error> for CallError {
    fn from(e: io::Error) -> Self {
        CallError::Io(e)
    }
}

/// Run A: plain exponential back-off.
#[retry(exponential(n = 5, initial = "100ms"), retry_if = CallError::is_transient)]
async fn call_naively(addr: SocketAddr) -> Result<(), CallError> {
    get(addr).await
}

/// Run B: the same schedule, random pauses and a shared budget.
#[retry(
    exponential(n = 5, initial = "100ms"),
    retry_if = CallError::is_transient,
    jitter = full,
    budget = &BUDGET,
)]
async fn call_politely(addr: SocketAddr) -> Result<(), CallError> {
    get(addr).await
}

/// One HTTP/1.1 GET of `/`; `Ok` on 2xx.
async fn get(addr: SocketAddr) -> Result<(), CallError> {
    let mut stream = TcpStream::connect(addr).await?;
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    let status_line = response.lines().next().unwrap_or_default();
    match status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
    {
        Some(200..=299) => Ok(()),
        Some(status @ 500..=599) => Err(CallError::Unavailable(status)),
        _ => Err(CallError::Rejected(status_line.to_owned())),
    }
}

/// When the calls start, from the start of the run: client `i` starts its
/// first call at `i * PERIOD / CLIENTS`, then one every `PERIOD`.
fn call_times() -> impl Iterator<Item = Duration> {
    (0..CLIENTS).flat_map(|client| {
        let first = PERIOD * client / CLIENTS;
        (0..)
            .map(move |k| first + PERIOD * k)
            .take_while(|&at| at < TRAFFIC_FOR)
    })
}

// ---------------------------------------------------------------- the server

/// What the server answered to one request.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Answer {
    /// 503 during the outage.
    Down,
    /// 200: within the capacity of its window.
    Served,
    /// 503 after the outage: its window's capacity was used up.
    Overloaded,
}

/// Everything the server saw.
#[derive(Default)]
struct ServerLog {
    /// Each request: its arrival time, from the start of the run, and answer.
    requests: Vec<(Duration, Answer)>,
    /// Requests served in each window.
    served: Vec<usize>,
}

impl ServerLog {
    /// Decides the answer to a request arriving at `at`, and notes it.
    fn admit(&mut self, at: Duration) -> Answer {
        let answer = if at < DOWN_FOR {
            Answer::Down
        } else {
            let window = window_of(at);
            if self.served.len() <= window {
                self.served.resize(window + 1, 0);
            }
            if self.served[window] < CAPACITY {
                self.served[window] += 1;
                Answer::Served
            } else {
                Answer::Overloaded
            }
        };
        self.requests.push((at, answer));
        answer
    }
}

/// Starts a server; abort the returned task to stop it.
async fn start_server(
    start: Instant,
    log: Arc<Mutex<ServerLog>>,
) -> io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(answer(stream, start, Arc::clone(&log)));
        }
    });
    Ok((addr, server))
}

/// Reads one request, notes it, answers 503 (down or overloaded) or 200.
async fn answer(
    mut stream: TcpStream,
    start: Instant,
    log: Arc<Mutex<ServerLog>>,
) -> io::Result<()> {
    let mut request = Vec::new();
    let mut buf = [0; 1024];
    while !request.ends_with(b"\r\n\r\n") {
        let read = stream.read(&mut buf).await?;
        if read == 0 {
            return Ok(());
        }
        request.extend_from_slice(&buf[..read]);
    }
    let answer = log.lock().expect("server log").admit(start.elapsed());
    let response: &[u8] = match answer {
        Answer::Down => {
            b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 5\r\nConnection: close\r\n\r\ndown\n"
        }
        Answer::Overloaded => {
            b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 11\r\nConnection: close\r\n\r\noverloaded\n"
        }
        Answer::Served => b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n",
    };
    stream.write_all(response).await
}

// ---------------------------------------------------------------- one run

/// One call, as its client saw it.
struct Call {
    /// When it started, from the start of the run.
    began: Duration,
    /// How long it took to return, retries included.
    took: Duration,
    succeeded: bool,
}

/// What a run looked like from the server and from the clients.
struct Run {
    name: &'static str,
    /// Every request the server saw, sorted by arrival.
    requests: Vec<(Duration, Answer)>,
    /// Requests per `WINDOW`, from the start of the run.
    per_window: Vec<usize>,
    calls: Vec<Call>,
}

/// Starts a fresh server and the client traffic, each call made with `call`,
/// and waits until every call has returned.
async fn run<F, Fut>(name: &'static str, call: F) -> io::Result<Run>
where
    F: Fn(SocketAddr) -> Fut,
    Fut: Future<Output = Result<(), CallError>> + Send + 'static,
{
    let log = Arc::new(Mutex::new(ServerLog::default()));
    let start = Instant::now();
    let (addr, server) = start_server(start, Arc::clone(&log)).await?;
    let tasks: Vec<_> = call_times()
        .map(|at| {
            let call = call(addr); // a future: it does nothing until awaited
            tokio::spawn(async move {
                tokio::time::sleep_until((start + at).into()).await;
                let (began, clock) = (start.elapsed(), Instant::now());
                let succeeded = call.await.is_ok();
                Call {
                    began,
                    took: clock.elapsed(),
                    succeeded,
                }
            })
        })
        .collect();
    let mut calls = Vec::with_capacity(tasks.len());
    for task in tasks {
        calls.push(task.await.expect("client task"));
    }
    server.abort();

    let mut requests = std::mem::take(&mut log.lock().expect("server log").requests);
    requests.sort_by_key(|&(at, _)| at);
    let windows = requests.last().map_or(0, |&(at, _)| window_of(at) + 1);
    let mut per_window = vec![0; windows];
    for &(at, _) in &requests {
        per_window[window_of(at)] += 1;
    }
    Ok(Run {
        name,
        requests,
        per_window,
        calls,
    })
}

#[allow(clippy::cast_possible_truncation)] // a run lasts seconds, not 2^64 windows
fn window_of(at: Duration) -> usize {
    (at.as_nanos() / WINDOW.as_nanos()) as usize
}

// ---------------------------------------------------------------- the numbers

impl Run {
    fn count(&self, answer: Answer) -> usize {
        self.requests.iter().filter(|&&(_, a)| a == answer).count()
    }

    /// From the end of the outage to the end of the last window with an
    /// overload rejection; `None` if there were rejections still when the
    /// clients stopped starting calls (it never recovered while they ran).
    fn time_to_recover(&self) -> Option<Duration> {
        let last = self
            .requests
            .iter()
            .rev()
            .find(|&&(_, a)| a == Answer::Overloaded);
        match last {
            None => Some(Duration::ZERO),
            Some(&(at, _)) if at >= TRAFFIC_FOR => None,
            Some(&(at, _)) => {
                let window_end = WINDOW * u32::try_from(window_of(at) + 1).expect("few windows");
                Some(window_end.saturating_sub(DOWN_FOR))
            }
        }
    }

    /// The calls started at or after `from`.
    fn calls_from(&self, from: Duration) -> impl Iterator<Item = &Call> {
        self.calls.iter().filter(move |c| c.began >= from)
    }
}

/// `part` of `whole`, as a percentage with its counts.
#[allow(clippy::cast_precision_loss)] // counts of a few hundred
fn share(part: usize, whole: usize) -> String {
    format!(
        "{:.0} % ({part}/{whole})",
        100.0 * part as f64 / whole as f64
    )
}

/// The 99th percentile of `durations` (the nearest-rank one).
fn p99(mut durations: Vec<Duration>) -> String {
    durations.sort();
    let Some(rank) = (durations.len() * 99).div_ceil(100).checked_sub(1) else {
        return "-".to_owned();
    };
    let p99 = durations[rank].as_secs_f64();
    if p99 >= 1.0 {
        format!("{p99:.2} s")
    } else {
        format!("{:.1} ms", p99 * 1000.0)
    }
}

/// One row of the table: its label, and how to compute a run's cell.
type Row = (&'static str, fn(&Run) -> String);

/// Prints both runs as a Markdown table, with a one-line caption.
#[allow(clippy::cast_precision_loss)] // counts of a few thousand
fn print_table(runs: &[Run]) {
    let rows: [Row; 9] = [
        ("requests seen by the server", |r| {
            r.requests.len().to_string()
        }),
        ("peak requests per 100 ms", |r| {
            r.per_window.iter().max().unwrap_or(&0).to_string()
        }),
        ("requests per client call", |r| {
            format!("{:.2}", r.requests.len() as f64 / r.calls.len() as f64)
        }),
        ("requests while the server was down", |r| {
            r.count(Answer::Down).to_string()
        }),
        ("requests rejected as overloaded", |r| {
            r.count(Answer::Overloaded).to_string()
        }),
        ("time to recover after the outage", |r| {
            r.time_to_recover().map_or_else(
                || "never (within the run)".to_owned(),
                |d| format!("{:.1} s", d.as_secs_f64()),
            )
        }),
        ("calls that succeeded", |r| {
            let ok = r.calls.iter().filter(|c| c.succeeded).count();
            share(ok, r.calls.len())
        }),
        ("… of those started after the outage", |r| {
            let after: Vec<_> = r.calls_from(DOWN_FOR).collect();
            share(after.iter().filter(|c| c.succeeded).count(), after.len())
        }),
        ("p99 latency of calls started after the outage", |r| {
            p99(r.calls_from(DOWN_FOR).map(|c| c.took).collect())
        }),
    ];

    println!(
        "*{CLIENTS} clients start {:.0} calls per 100 ms for {}; the server is down for the first {}, \
         then serves at most {CAPACITY} requests per 100 ms.*",
        f64::from(CLIENTS) * WINDOW.as_secs_f64() / PERIOD.as_secs_f64(),
        secs(TRAFFIC_FOR),
        secs(DOWN_FOR),
    );
    println!();
    print!("| |");
    for run in runs {
        print!(" {} |", run.name);
    }
    print!("\n|---|");
    for _ in runs {
        print!("---:|");
    }
    println!();
    for (label, cell) in rows {
        print!("| {label} |");
        for run in runs {
            print!(" {} |", cell(run));
        }
        println!();
    }
}

/// `d` as "1 s" or "1.5 s".
fn secs(d: Duration) -> String {
    format!("{} s", d.as_secs_f64())
}

// ---------------------------------------------------------------- the chart

/// Draws requests per 100 ms over time, one step line per run, as SVG, with
/// the outage shaded and the capacity as a dashed line.
#[allow(clippy::cast_precision_loss)] // window numbers and counts are small
fn draw_chart(path: &Path, runs: &[Run]) -> Result<(), Box<dyn Error>> {
    let window = WINDOW.as_secs_f64();
    let windows = runs.iter().map(|r| r.per_window.len()).max().unwrap_or(1);
    let x_max = windows as f64 * window;
    let peak = runs
        .iter()
        .flat_map(|r| r.per_window.iter().copied())
        .max()
        .unwrap_or(1)
        .max(CAPACITY);
    // Head room above the highest step for the legend.
    let y_max = peak + peak / 2;

    let root = SVGBackend::new(path, (800, 440)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!(
                "Requests per 100 ms: server down for {}, then capped at {CAPACITY}",
                secs(DOWN_FOR)
            ),
            ("sans-serif", 20),
        )
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(0.0..x_max, 0..y_max)?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .x_desc("seconds since the clients started")
        .y_desc("requests per 100 ms")
        .draw()?;

    let down = RED.mix(0.12);
    chart
        .draw_series([Rectangle::new(
            [(0.0, 0), (DOWN_FOR.as_secs_f64(), y_max)],
            down.filled(),
        )])?
        .label("server down (503)")
        .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 20, y + 5)], down.filled()));

    let capacity = BLACK.mix(0.6);
    chart
        .draw_series(DashedLineSeries::new(
            [(DOWN_FOR.as_secs_f64(), CAPACITY), (x_max, CAPACITY)],
            6,
            4,
            capacity.stroke_width(1),
        ))?
        .label(format!("capacity ({CAPACITY} per 100 ms)"))
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], capacity.stroke_width(1)));

    for (run, color) in runs.iter().zip([RED, BLUE]) {
        // A step line: each window's count from its start to its end, and
        // zero after the run is over.
        let counts = run
            .per_window
            .iter()
            .copied()
            .chain(std::iter::repeat(0))
            .take(windows);
        let steps = counts.enumerate().flat_map(|(i, count)| {
            let from = i as f64 * window;
            [(from, count), (from + window, count)]
        });
        chart
            .draw_series(LineSeries::new(steps, color.stroke_width(2)))?
            .label(run.name)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE)
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let chart = std::env::args_os()
        .nth(1)
        .map_or_else(|| PathBuf::from("target/retry_storm.svg"), PathBuf::from);

    println!("Two runs side by side, each against its own server; about 4 s...\n");
    let (plain, polite) = tokio::join!(
        run("A: plain back-off", call_naively),
        run("B: full jitter + budget", call_politely),
    );
    let runs = [plain?, polite?];
    print_table(&runs);

    if let Some(dir) = chart.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    draw_chart(&chart, &runs)?;
    println!("\nChart of requests per 100 ms: {}", chart.display());
    Ok(())
}
