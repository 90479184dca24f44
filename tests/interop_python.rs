//! Interop: the Python standard library's SMTP, IMAP and POP3 clients against the real peers
//! (Postfix and Dovecot from `tests/peers/start.sh`), through `tests/interop/python_roundtrip.py`.
//!
//! This checks the peers themselves, so that a later failure of a mailwire interop test points at
//! mailwire and not at the test bed. Skips loudly when the peers are absent, fails under `CI=true`.

mod common;

use common::peers::{peers_or_skip, skip_or_fail};
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The Python script is killed after this long.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(60);

const TEST: &str = "interop_python::python_stdlib_clients_round_trip";

/// Reads a child's pipe to the end on a thread, so the child never blocks on a full pipe.
fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

#[test]
fn python_stdlib_clients_round_trip() {
    let Some(peers) = peers_or_skip(TEST) else {
        return;
    };
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/interop/python_roundtrip.py"
    );
    let mut command = Command::new("python3");
    command
        .arg(script)
        .env_remove("MAILWIRE_PEERS_ENV")
        .envs(&peers.vars)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => {
            skip_or_fail(TEST, &format!("cannot run python3: {e}"));
            return;
        }
    };
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());

    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for python3") {
            break Some(status);
        }
        if started.elapsed() > SCRIPT_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    println!("{stdout}");
    eprintln!("{stderr}");

    let status = status.unwrap_or_else(|| {
        panic!("{script} did not finish within {SCRIPT_TIMEOUT:?} and was killed; output so far:\n{stdout}\n{stderr}")
    });
    assert!(
        status.success(),
        "{script} failed ({status}) against the peers from {}:\n{stdout}\n{stderr}",
        peers.source
    );
    let summary = stdout.lines().last().unwrap_or_default();
    assert!(
        summary.ends_with(" passed, 0 failed"),
        "unexpected summary line {summary:?}"
    );
}
