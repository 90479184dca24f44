//! The interop matrix (peer × protocol × mode, with pass counts) that `interop_sync` and `interop_matrix`
//! print at the end of their output and save under `target/tmp/interop-matrix/`, where
//! `target/tmp/interop-matrix.txt` collects every table written so far.
//!
//! Included by the tests with `#[path = "interop/matrix.rs"] mod matrix;`.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

/// One cell of the matrix: a client run against a server in one mode.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    /// The server (`Cyrus 3.6 IMAP`, `imap_server example`, ...).
    pub(crate) peer: String,
    /// `IMAP`, `POP3`, `SMTP`.
    pub(crate) protocol: &'static str,
    /// What varies: `plain LOGIN`, `STARTTLS AUTH=PLAIN`, `default quirks`, ...
    pub(crate) mode: String,
    /// The client (`imap_client example`, `imapflow`, `mailwire::imap::Client`, ...).
    pub(crate) client: String,
    /// Checks that passed.
    pub(crate) passed: usize,
    /// Checks run.
    pub(crate) total: usize,
    /// Anything worth a note (deviations seen, why a check failed).
    pub(crate) note: String,
}

impl Row {
    /// Whether every check passed.
    pub(crate) fn ok(&self) -> bool {
        self.passed == self.total && self.total > 0
    }
}

/// `target/tmp` (Cargo's temporary directory for integration tests).
fn target_tmp() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
}

/// The table as text.
pub(crate) fn render(title: &str, rows: &[Row]) -> String {
    let widths = [
        rows.iter().map(|r| r.peer.len()).max().unwrap_or(0).max(4),
        8,
        rows.iter().map(|r| r.mode.len()).max().unwrap_or(0).max(4),
        rows.iter()
            .map(|r| r.client.len())
            .max()
            .unwrap_or(0)
            .max(6),
    ];
    let mut out = String::new();
    let _ = writeln!(out, "==== {title} ====");
    let _ = writeln!(
        out,
        "{:w0$}  {:w1$}  {:w2$}  {:w3$}  {:>7}  note",
        "peer",
        "protocol",
        "mode",
        "client",
        "passed",
        w0 = widths[0],
        w1 = widths[1],
        w2 = widths[2],
        w3 = widths[3]
    );
    for r in rows {
        let _ = writeln!(
            out,
            "{:w0$}  {:w1$}  {:w2$}  {:w3$}  {:>7}  {}{}",
            r.peer,
            r.protocol,
            r.mode,
            r.client,
            format!("{}/{}", r.passed, r.total),
            if r.ok() || r.note.starts_with("KNOWN DEFECT") {
                ""
            } else {
                "FAILED "
            },
            r.note.trim_end().replace('\n', " / "),
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3]
        );
    }
    let passed: usize = rows.iter().map(|r| r.passed).sum();
    let total: usize = rows.iter().map(|r| r.total).sum();
    let cells_ok = rows.iter().filter(|r| r.ok()).count();
    let known = rows
        .iter()
        .filter(|r| !r.ok() && r.note.starts_with("KNOWN DEFECT"))
        .count();
    let _ = write!(
        out,
        "{cells_ok}/{} cells green, {passed}/{total} checks passed",
        rows.len()
    );
    if known > 0 {
        let _ = write!(out, " ({known} cells fail on a known defect, not asserted)");
    }
    out.push('\n');
    out
}

/// Prints the table on stderr (straight to the handle: the test harness hides captured output of a passing
/// test) and saves it as `target/tmp/interop-matrix/STEM.txt`; `target/tmp/interop-matrix.txt` is then
/// rewritten from every saved table. Returns where it was saved.
pub(crate) fn report(stem: &str, title: &str, rows: &[Row]) -> PathBuf {
    let text = render(title, rows);
    let _ = writeln!(std::io::stderr(), "\n{text}");
    let dir = target_tmp().join("interop-matrix");
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!("{stem}.txt"));
    let _ = std::fs::write(&path, &text);
    let mut all: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    all.sort();
    let combined: String = all
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect::<Vec<_>>()
        .join("\n");
    let _ = std::fs::write(target_tmp().join("interop-matrix.txt"), combined);
    let _ = writeln!(std::io::stderr(), "(saved to {})", path.display());
    path
}
