//! Interop: the Python standard library's SMTP, IMAP and POP3 clients against the real peers
//! (Postfix and Dovecot from `tests/peers/start.sh`), through `tests/interop/python_roundtrip.py`.
//!
//! This checks the peers themselves, so that a later failure of a mailwire interop test points at
//! mailwire and not at the test bed. Skips loudly when the peers are absent, fails under `CI=true`.

mod common;

use common::harness::{Finished, finish_within};
use common::peers::{peers_or_skip, skip_or_fail};
use std::process::Command;
use std::time::Duration;

/// The Python script is killed after this long.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(60);

const TEST: &str = "interop_python::python_stdlib_clients_round_trip";

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
        .envs(&peers.vars);
    let Finished {
        status,
        stdout,
        stderr,
    } = match finish_within(&mut command, None, SCRIPT_TIMEOUT) {
        Ok(finished) => finished,
        Err(e) => {
            skip_or_fail(TEST, &format!("cannot run python3: {e}"));
            return;
        }
    };
    let stdout = String::from_utf8_lossy(&stdout);
    let stderr = String::from_utf8_lossy(&stderr);
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
