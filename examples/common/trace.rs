//! The clients' transcripts: a [`Session`] observer printing each line with a label (`S:` / `C:`),
//! credentials redacted.
//!
//! Redaction works on the lines the client sends: `AUTH`/`AUTHENTICATE MECH <initial response>` keeps the
//! mechanism and hides the rest, `PASS`, `APOP` and IMAP `LOGIN` keep the verb (and the user name for
//! `APOP`) and hide the rest, and every line the client sends while a SASL exchange or a `LOGIN` is in
//! progress (until the server answers with something other than a continuation, `334` or `+`) is hidden.
//! A hidden part prints as `<redacted N bytes>`: neither the secret nor its base64 appears.

use std::io::Write;

use mailwire::Connection;

use super::adapter::Session;

/// How many lines of one chunk a trace prints before summarising the rest.
const TRACE_LINES: usize = 12;
/// How many bytes of one line a trace prints.
const TRACE_WIDTH: usize = 160;

/// Where a transcript goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sink {
    /// Standard output (the SMTP client: its output is the transcript).
    Stdout,
    /// Standard error (clients whose standard output carries message bodies).
    Stderr,
}

/// Both directions of one conversation.
#[derive(Debug)]
struct Transcript {
    labels: [&'static str; 2],
    partial: [Vec<u8>; 2],
    /// A login or SASL exchange is in progress: the client's lines are hidden.
    secret: bool,
    sink: Sink,
}

impl Transcript {
    fn print(&self, line: &str) {
        match self.sink {
            Sink::Stdout => println!("{line}"),
            Sink::Stderr => {
                let _ = writeln!(std::io::stderr(), "{line}");
            }
        }
    }

    fn feed(&mut self, incoming: bool, data: &[u8]) {
        let side = usize::from(!incoming);
        let (mut shown, mut hidden_lines, mut hidden_bytes) = (0usize, 0usize, 0usize);
        let mut rest = data;
        while let Some(end) = rest.iter().position(|&b| b == b'\n') {
            let (line, tail) = rest.split_at(end + 1);
            rest = tail;
            let mut whole = std::mem::take(&mut self.partial[side]);
            whole.extend_from_slice(line);
            let text = if incoming {
                self.note_reply(&whole);
                printable(&whole)
            } else {
                self.redact(&whole)
            };
            if shown < TRACE_LINES {
                self.print(&format!("{} {text}", self.labels[side]));
                shown += 1;
            } else {
                hidden_lines += 1;
                hidden_bytes += whole.len();
            }
        }
        if hidden_lines > 0 {
            let label = self.labels[side];
            self.print(&format!(
                "{label} ... {hidden_lines} more lines ({hidden_bytes} bytes)"
            ));
        }
        let partial = &mut self.partial[side];
        let room = (TRACE_WIDTH * 8).saturating_sub(partial.len());
        partial.extend_from_slice(&rest[..rest.len().min(room)]);
    }

    /// A server line: anything but a continuation (`334 ` SMTP, `+` POP3/IMAP) ends a secret exchange.
    fn note_reply(&mut self, line: &[u8]) {
        if !(line.starts_with(b"334") || line.starts_with(b"+")) {
            self.secret = false;
        }
    }

    /// A client line as printed: what may carry a secret is replaced by its length.
    fn redact(&mut self, line: &[u8]) -> String {
        let body = line.strip_suffix(b"\n").unwrap_or(line);
        let body = body.strip_suffix(b"\r").unwrap_or(body);
        if self.secret {
            return hidden(body.len());
        }
        let words: Vec<&[u8]> = body.splitn(4, |&b| b == b' ').collect();
        let upper = |w: &[u8]| w.to_ascii_uppercase();
        // How many words to keep, and whether a continuation may follow.
        let keep = match words.as_slice() {
            [verb, _mech, ..] if upper(verb) == b"AUTH" => Some((2, true)),
            [verb, ..] if upper(verb) == b"PASS" => Some((1, false)),
            [verb, _user, ..] if upper(verb) == b"APOP" => Some((2, false)),
            [_tag, verb, _mech, ..] if upper(verb) == b"AUTHENTICATE" => Some((3, true)),
            [_tag, verb, ..] if upper(verb) == b"LOGIN" => Some((2, true)),
            _ => None,
        };
        let Some((keep, more)) = keep else {
            return printable(line);
        };
        self.secret = more;
        let kept: Vec<&[u8]> = body.splitn(keep + 1, |&b| b == b' ').take(keep).collect();
        let kept_len = kept.iter().map(|w| w.len() + 1).sum::<usize>();
        let shown = printable(&kept.join(&b' '));
        match body.len().saturating_sub(kept_len) {
            0 => shown,
            n => format!("{shown} {}", hidden(n)),
        }
    }
}

fn hidden(n: usize) -> String {
    format!("<redacted {n} bytes>")
}

/// A line for the terminal: CRLF dropped, control and non-ASCII bytes escaped, long lines cut.
pub(crate) fn printable(line: &[u8]) -> String {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut out: String = line
        .iter()
        .take(TRACE_WIDTH)
        .flat_map(|&b| std::ascii::escape_default(b))
        .map(char::from)
        .collect();
    if line.len() > TRACE_WIDTH {
        out.push_str(&format!("... ({} bytes)", line.len()));
    }
    out
}

impl<C: Connection> Session<C> {
    /// Prints the conversation on stdout: what arrives labelled `incoming`, what is sent labelled
    /// `outgoing` (e.g. `.traced("S:", "C:")` in a client), credentials redacted.
    pub(crate) fn traced(self, incoming: &'static str, outgoing: &'static str) -> Self {
        self.traced_to(incoming, outgoing, Sink::Stdout)
    }

    /// [`traced`](Self::traced) to the given sink.
    pub(crate) fn traced_to(
        mut self,
        incoming: &'static str,
        outgoing: &'static str,
        sink: Sink,
    ) -> Self {
        let mut transcript = Transcript {
            labels: [incoming, outgoing],
            partial: [Vec::new(), Vec::new()],
            secret: false,
            sink,
        };
        self.observer = Some(Box::new(move |incoming, bytes| {
            transcript.feed(incoming, bytes);
        }));
        self
    }
}
