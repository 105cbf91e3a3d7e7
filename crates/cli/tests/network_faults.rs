//! Broken networks: a loopback TCP proxy between migration-doctor and the
//! server cuts every connection after the N-th chunk the client sends, for
//! each N through a whole recovery, on PostgreSQL and MariaDB. After each
//! cut the next run (without the proxy) completes: the version rows are
//! the right ones, nothing is half-written, no user row is lost, and the
//! real alembic agrees.

// Tests may panic: a panic here is a failing test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::let_underscore_must_use
)]

mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use common::harness::test;
use common::*;
use serde_json::{Value, json};

const CONFIG: &str = "infer/constructs/alembic.ini";
const STATE: &str = "r07r07r07r07";

/// Forwards connections to `server`, counting the chunks clients send
/// across all connections; once `cut_after` chunks went through, every
/// connection is cut (both directions, as a failing network would).
struct Proxy {
    port: u16,
    chunks: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl Proxy {
    fn start(server: &str, cut_after: usize) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        let chunks = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let server = server.to_owned();
        let (counted, stopped) = (chunks.clone(), stop.clone());
        listener.set_nonblocking(true).expect("nonblocking");
        std::thread::spawn(move || {
            while !stopped.load(Ordering::SeqCst) {
                let Ok((client, _)) = listener.accept() else {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                    continue;
                };
                let _ = client.set_nonblocking(false);
                let Ok(upstream) = TcpStream::connect(&server) else {
                    continue;
                };
                let counted = counted.clone();
                let (client_read, upstream_write) = (
                    client.try_clone().expect("clone"),
                    upstream.try_clone().expect("clone"),
                );
                std::thread::spawn(move || {
                    pump(client_read, upstream_write, Some((counted, cut_after)))
                });
                std::thread::spawn(move || pump(upstream, client, None));
            }
        });
        Proxy { port, chunks, stop }
    }

    fn chunks(&self) -> usize {
        self.chunks.load(Ordering::SeqCst)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Copies `from` to `to`; with a counter, cuts both sockets once the
/// shared count of chunks reaches the limit.
fn pump(mut from: TcpStream, mut to: TcpStream, cut: Option<(Arc<AtomicUsize>, usize)>) {
    let mut buffer = [0u8; 16 * 1024];
    loop {
        let read = match from.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(read) => read,
        };
        if let Some((counted, limit)) = &cut
            && counted.fetch_add(1, Ordering::SeqCst) >= *limit
        {
            break;
        }
        if to.write_all(&buffer[..read]).is_err() {
            break;
        }
    }
    let _ = from.shutdown(Shutdown::Both);
    let _ = to.shutdown(Shutdown::Both);
}

fn host_port(url: &str) -> String {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = after_scheme.split('/').next().unwrap_or(after_scheme);
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host)
        .to_owned()
}

fn through(url: &str, port: u16) -> String {
    url.replacen(&host_port(url), &format!("127.0.0.1:{port}"), 1)
}

fn recover(url: &str) -> (i32, Value, String) {
    let out = run(doctor()
        .arg("-c")
        .arg(fixture(CONFIG))
        .args(["recover", "--yes", "--json", "--lock-timeout", "5"])
        .args(["--database-url", url]));
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    (
        out.code,
        serde_json::from_str(&out.stdout).unwrap_or(Value::Null),
        out.stderr,
    )
}

fn version_rows(database: &TestDatabase) -> Option<Value> {
    let out = run(std::process::Command::new(reference_python())
        .arg(live_db_script())
        .args([
            "query",
            &database.url,
            "SELECT version_num FROM alembic_version",
        ]));
    (out.code == 0).then(|| serde_json::from_str(&out.stdout).unwrap_or(Value::Null))
}

fn cut_at_every_step(dialect: &'static str) {
    let python = reference_python();
    let database = TestDatabase::create(&python, dialect);
    let upgraded = database.alembic(&fixture(CONFIG), &["upgrade", STATE]);
    assert_eq!(upgraded.code, 0, "{}", upgraded.stderr);
    database.sql(&["INSERT INTO users (id, email, login, karma) VALUES (1, 'a@b.c', 'ada', 3)"]);
    let server = host_port(&database.url);

    // How many chunks a whole recovery sends.
    database.sql(&["DROP TABLE alembic_version"]);
    let whole = {
        let proxy = Proxy::start(&server, usize::MAX);
        let (code, report, stderr) = recover(&through(&database.url, proxy.port));
        assert_eq!(code, 0, "{stderr}\n{report:#}");
        proxy.chunks()
    };
    assert!(whole > 3, "only {whole} chunks");

    let mut cuts = 0;
    for cut_after in 0..whole {
        database.sql(&["DROP TABLE IF EXISTS alembic_version"]);
        let proxy = Proxy::start(&server, cut_after);
        let (code, report, stderr) = recover(&through(&database.url, proxy.port));
        drop(proxy);
        if code != 0 {
            cuts += 1;
            // A broken connection is a database error, in one paragraph.
            assert_eq!(code, 3, "cut after {cut_after}: {stderr}\n{report:#}");
        }
        // Whatever the cut left, it is no wrong row: none, or the right one.
        if let Some(rows) = version_rows(&database) {
            assert!(
                rows == json!([]) || rows == json!([[STATE]]),
                "cut after {cut_after}: rows {rows}"
            );
        }
        // The next run completes.
        let (code, report, stderr) = recover(&database.url);
        assert_eq!(code, 0, "after a cut at {cut_after}: {stderr}\n{report:#}");
        assert_eq!(
            version_rows(&database),
            Some(json!([[STATE]])),
            "cut after {cut_after}"
        );
        let users = database.query("SELECT count(*) AS n FROM users");
        assert_eq!(users, json!([["1"]]), "cut after {cut_after}");
    }
    assert!(cuts > 0, "no cut broke a run: the proxy tested nothing");
    let current = database.alembic(&fixture(CONFIG), &["current"]);
    assert!(current.stdout.contains(STATE), "{}", current.stdout);
    let upgraded = database.alembic(&fixture(CONFIG), &["upgrade", "heads"]);
    assert_eq!(upgraded.code, 0, "{}", upgraded.stderr);
}

fn postgresql_connection_cut_at_every_step_of_a_recovery() {
    cut_at_every_step("postgresql");
}

fn mariadb_connection_cut_at_every_step_of_a_recovery() {
    cut_at_every_step("mysql");
}

fn main() {
    common::harness::main(&[
        test!(
            postgresql_connection_cut_at_every_step_of_a_recovery,
            Alembic,
            Postgresql
        ),
        test!(
            mariadb_connection_cut_at_every_step_of_a_recovery,
            Alembic,
            Mysql
        ),
    ]);
}
