//! The IMAP client's literals against a strict peer written here from the RFC
//! text, not against this crate's own server machine (issue 15, defect 1).
//!
//! The grammar the peer follows, quoted:
//!
//! ```text
//! literal = "{" number64 ["+"] "}" CRLF *CHAR8      ; RFC 9051 §9
//! literal = "{" number ["+"] "}" CRLF *CHAR8        ; RFC 7888 §3
//! ```
//!
//! - RFC 9051 §4.3: a synchronizing literal `{n}` is followed by the server's
//!   `+` before the client sends its data; a non-synchronizing literal `{n+}`
//!   is sent at once, and "Unless otherwise specified in an IMAP extension,
//!   non-synchronizing literals MUST NOT be larger than 4096 octets. Any
//!   literal larger than 4096 bytes MUST be sent as a synchronizing literal."
//! - RFC 7888 §3 (LITERAL+): `{n+}` of any size.
//! - RFC 7888 §4 (LITERAL-): the same `{n+}`, at most 4096 bytes; a larger
//!   one gets a tagged `BAD [TOOBIG]`.
//!
//! There is no `{n-}`: for a strict server a line ending in `{5-}` is a
//! complete command with a syntax error (`BAD`), and the bytes the client
//! meant as literal data are read as the next command lines. That is how an
//! APPEND of a message containing `Z1 CREATE Smuggled` created a mailbox on a
//! real server. The peer below records every command line it reads, so a
//! smuggled command shows up as a command of its own.

use mailwire::imap::{
    AppendMessage, Client, ClientConfig, ClientEvent, CommandBody, CommandKind, List, Mailbox,
    StatusKind,
};

/// What the strict peer advertises about literals.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Caps {
    /// `LITERAL+` (RFC 7888 §3).
    Plus,
    /// `LITERAL-` (RFC 7888 §4).
    Minus,
    /// `IMAP4rev2` alone (RFC 9051 §4.3).
    Rev2,
    /// Neither: synchronizing literals only (RFC 3501 §4.3).
    None,
}

impl Caps {
    fn greeting(self) -> &'static [u8] {
        match self {
            Caps::Plus => b"* OK [CAPABILITY IMAP4rev1 LITERAL+] strict peer ready\r\n",
            Caps::Minus => b"* OK [CAPABILITY IMAP4rev1 LITERAL-] strict peer ready\r\n",
            Caps::Rev2 => b"* OK [CAPABILITY IMAP4rev2] strict peer ready\r\n",
            Caps::None => b"* OK [CAPABILITY IMAP4rev1] strict peer ready\r\n",
        }
    }

    /// Whether the peer reads `{n+}` as a literal at all.
    fn knows_plus(self) -> bool {
        self != Caps::None
    }

    /// The largest `{n+}` the peer accepts.
    fn plus_max(self) -> u64 {
        match self {
            Caps::Plus => u64::MAX,
            Caps::Minus | Caps::Rev2 => 4096,
            Caps::None => 0,
        }
    }
}

/// A literal announcement as the peer saw it.
#[derive(Clone, Debug, PartialEq)]
struct Announcement {
    /// The bytes from `{` to `}`.
    text: String,
    size: u64,
    plus: bool,
}

/// Where the peer is in reading a command.
#[derive(Debug)]
enum Reading {
    /// At the start of a command line.
    CommandStart,
    /// Inside a command, after a literal: the rest of its line.
    Continuation,
    /// Reading `n` literal bytes of the current command.
    Literal(usize),
}

/// A server that knows only the RFC text: it splits its input into command
/// lines and literals exactly as RFC 9051 §4.3 and RFC 7888 say, answers
/// `BAD` to a line it cannot read (including one ending in `{n-}`) and then
/// reads what follows as new commands, and sends `+` for synchronizing
/// literals only.
struct StrictPeer {
    caps: Caps,
    input: Vec<u8>,
    out: Vec<u8>,
    reading: Reading,
    /// The command being read: its first line, and the tag.
    current: Vec<u8>,
    /// The first line of every command read (without CRLF).
    commands: Vec<Vec<u8>>,
    /// Every literal announcement read.
    announcements: Vec<Announcement>,
    /// The data of every literal read.
    literals: Vec<Vec<u8>>,
    /// Lines that ended in something literal-like that is not in the ABNF.
    malformed: Vec<Vec<u8>>,
    /// Breaches of RFC 9051 §4.3 / RFC 7888 by the client.
    violations: Vec<String>,
    /// A `BAD [TOOBIG]` was sent: the literal's bytes are discarded.
    discarding: bool,
}

impl StrictPeer {
    fn new(caps: Caps) -> Self {
        StrictPeer {
            caps,
            input: Vec::new(),
            out: caps.greeting().to_vec(),
            reading: Reading::CommandStart,
            current: Vec::new(),
            commands: Vec::new(),
            announcements: Vec::new(),
            literals: Vec::new(),
            malformed: Vec::new(),
            violations: Vec::new(),
            discarding: false,
        }
    }

    fn take_output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.out)
    }

    /// `{n}` or `{n+}` at the end of `line` (without CRLF), as the ABNF has
    /// them; `Err` for a brace group that is not in the ABNF (`{n-}`).
    fn announcement(&self, line: &[u8]) -> Result<Option<Announcement>, ()> {
        let Some(inner) = line.strip_suffix(b"}") else {
            return Ok(None);
        };
        let Some(open) = inner.iter().rposition(|&b| b == b'{') else {
            return Ok(None);
        };
        let body = &inner[open + 1..];
        let (digits, plus) = match body.strip_suffix(b"+") {
            Some(d) if self.caps.knows_plus() => (d, true),
            _ => (body, false),
        };
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return Err(());
        }
        let size: u64 = std::str::from_utf8(digits).unwrap().parse().unwrap();
        Ok(Some(Announcement {
            text: String::from_utf8_lossy(&line[open..]).into_owned(),
            size,
            plus,
        }))
    }

    fn tag(&self) -> String {
        let end = self
            .current
            .iter()
            .position(|&b| b == b' ')
            .unwrap_or(self.current.len());
        String::from_utf8_lossy(&self.current[..end]).into_owned()
    }

    fn command_name(&self) -> String {
        self.current
            .split(|&b| b == b' ')
            .nth(1)
            .map(|w| String::from_utf8_lossy(w).to_ascii_uppercase())
            .unwrap_or_default()
    }

    fn reply(&mut self, line: &str) {
        self.out.extend_from_slice(line.as_bytes());
        self.out.extend_from_slice(b"\r\n");
    }

    /// Bytes from the client; processes every complete line and literal.
    fn receive(&mut self, bytes: &[u8]) {
        self.input.extend_from_slice(bytes);
        loop {
            match self.reading {
                Reading::Literal(n) => {
                    if self.input.len() < n {
                        return;
                    }
                    let data: Vec<u8> = self.input.drain(..n).collect();
                    if !self.discarding {
                        self.literals.push(data);
                    }
                    self.reading = Reading::Continuation;
                }
                Reading::CommandStart | Reading::Continuation => {
                    let Some(lf) = self.input.iter().position(|&b| b == b'\n') else {
                        return;
                    };
                    let mut line: Vec<u8> = self.input.drain(..=lf).collect();
                    line.pop();
                    if line.pop() != Some(b'\r') {
                        self.violations.push("a line not ended by CRLF".into());
                    }
                    let start = matches!(self.reading, Reading::CommandStart);
                    if start {
                        self.commands.push(line.clone());
                        self.current = line.clone();
                    }
                    self.line(line);
                }
            }
        }
    }

    fn line(&mut self, line: Vec<u8>) {
        match self.announcement(&line) {
            Err(()) => {
                // Not a literal: the command line ends here and does not
                // parse. What follows is read as new commands.
                self.malformed.push(line);
                let tag = self.tag();
                self.reply(&format!("{tag} BAD Invalid literal announcement"));
                self.reading = Reading::CommandStart;
                self.discarding = false;
            }
            Ok(Some(a)) => {
                let size = usize::try_from(a.size).unwrap();
                if a.plus {
                    if a.size > self.caps.plus_max() {
                        self.violations.push(format!(
                            "{{{}+}} larger than the {} bytes {:?} allows",
                            a.size,
                            self.caps.plus_max(),
                            self.caps
                        ));
                        let tag = self.tag();
                        self.reply(&format!("{tag} BAD [TOOBIG] literal too big"));
                        self.discarding = true;
                    }
                } else {
                    // RFC 9051 §4.3: the client waits for this `+`; data
                    // already here was sent without waiting.
                    if !self.input.is_empty() {
                        self.violations.push(format!(
                            "data of synchronizing {} sent before the server's +",
                            a.text
                        ));
                    }
                    self.reply("+ Ready for literal data");
                }
                self.announcements.push(a);
                self.reading = Reading::Literal(size);
            }
            Ok(None) => {
                // The command is complete.
                let tag = self.tag();
                let name = self.command_name();
                if self.discarding {
                    self.discarding = false;
                } else if matches!(name.as_str(), "LOGIN" | "APPEND" | "NOOP" | "LOGOUT") {
                    self.reply(&format!("{tag} OK {name} completed"));
                } else {
                    self.reply(&format!("{tag} BAD Unknown command"));
                }
                self.reading = Reading::CommandStart;
            }
        }
    }
}

/// A message of exactly `size` bytes (at least 60) whose body has the line
/// `Z1 CREATE Smuggled`: read as command lines, it creates a mailbox.
fn message(size: usize) -> Vec<u8> {
    let mut m = b"Subject: hello\r\n\r\nZ1 CREATE Smuggled\r\n".to_vec();
    while m.len() + 2 < size {
        let line = (size - m.len() - 2).min(70);
        m.extend(std::iter::repeat_n(b'x', line));
        m.extend_from_slice(b"\r\n");
    }
    while m.len() < size {
        m.push(b'.');
    }
    assert_eq!(m.len(), size);
    m
}

/// Drives the client against the peer until neither has anything to say;
/// pushes the message of a streamed APPEND when the client is ready for it.
fn converse(
    client: &mut Client,
    peer: &mut StrictPeer,
    streamed: Option<&[u8]>,
) -> Vec<ClientEvent<'static>> {
    let mut events = Vec::new();
    for _ in 0..1000 {
        let mut progressed = false;
        while let Some(b) = client.poll_transmit() {
            peer.receive(&b);
            progressed = true;
        }
        let out = peer.take_output();
        if !out.is_empty() {
            client.handle_input(&out);
            progressed = true;
        }
        let mut ready = false;
        while let Some(e) = client.poll_event().expect("no fatal error") {
            ready |= matches!(e, ClientEvent::AppendReady { .. });
            events.push(e.into_owned());
            progressed = true;
        }
        if ready {
            let data = streamed.expect("AppendReady only for a streamed APPEND");
            client.send_body(data).unwrap();
            client.finish_body().unwrap();
        }
        if !progressed {
            return events;
        }
    }
    panic!("the conversation did not settle");
}

fn completed(events: &[ClientEvent<'_>], command: CommandKind) -> Vec<StatusKind> {
    events
        .iter()
        .filter_map(|e| match e {
            ClientEvent::Completed {
                command: c, status, ..
            } if *c == command => Some(*status),
            _ => None,
        })
        .collect()
}

/// What RFC 9051 §4.3 and RFC 7888 require of the announcement of a literal
/// of `size` bytes sent to a server with `caps`: `{n+}` (true) or `{n}`.
fn must_be_plus(caps: Caps, size: u64) -> bool {
    match caps {
        Caps::Plus => true,
        Caps::Minus | Caps::Rev2 => size <= 4096,
        Caps::None => false,
    }
}

/// Every check of one conversation: nothing smuggled, every announcement in
/// the ABNF and of the required form, the data intact.
fn check(peer: &StrictPeer, events: &[ClientEvent<'_>], expected_literals: &[&[u8]], what: &str) {
    assert!(peer.violations.is_empty(), "{what}: {:?}", peer.violations);
    // Every command line the peer read starts with a tag the client made
    // (`A` and digits) and names a command the client sent: no line of
    // literal data was ever read as a command.
    for line in &peer.commands {
        let text = String::from_utf8_lossy(line);
        let tag = text.split(' ').next().unwrap_or("");
        assert!(
            tag.starts_with('A') && tag.len() > 1 && tag[1..].bytes().all(|b| b.is_ascii_digit()),
            "{what}: the peer read {text:?} as a command"
        );
        assert!(!text.contains("Smuggled"), "{what}: smuggled: {text:?}");
    }
    assert!(
        peer.malformed.is_empty(),
        "{what}: announcements outside the ABNF: {:?}",
        peer.malformed
            .iter()
            .map(|l| String::from_utf8_lossy(l).into_owned())
            .collect::<Vec<_>>()
    );
    for a in &peer.announcements {
        // "{" number64 ["+"] "}"
        let inner = a.text.strip_prefix('{').and_then(|t| t.strip_suffix('}'));
        let inner = inner.expect("braces");
        let digits = inner.strip_suffix('+').unwrap_or(inner);
        assert!(
            !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()),
            "{what}: {:?} is not in the ABNF",
            a.text
        );
        assert_eq!(
            a.plus,
            must_be_plus(peer.caps, a.size),
            "{what}: {:?} to a {:?} peer",
            a.text,
            peer.caps
        );
    }
    assert_eq!(
        peer.literals.iter().map(Vec::as_slice).collect::<Vec<_>>(),
        expected_literals,
        "{what}: literal data"
    );
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, ClientEvent::MalformedResponse { .. })),
        "{what}: {events:?}"
    );
}

const ALL_CAPS: [Caps; 4] = [Caps::Plus, Caps::Minus, Caps::Rev2, Caps::None];
const SIZES: [usize; 4] = [60, 4095, 4096, 4097];

fn greeted(peer: &mut StrictPeer) -> Client {
    let mut c = Client::new(ClientConfig::default());
    let events = converse(&mut c, peer, None);
    assert!(matches!(events.as_slice(), [ClientEvent::Greeting(_)]));
    c
}

/// LOGIN with a non-ASCII password: 8-bit bytes may not be quoted without
/// UTF8=ACCEPT (RFC 9051 §4.3: "8-bit ... characters in literals"; RFC 6855
/// §3), so the password is a literal, announced as the peer requires.
#[test]
fn login_with_non_ascii_password() {
    for caps in ALL_CAPS {
        let mut peer = StrictPeer::new(caps);
        let mut c = greeted(&mut peer);
        c.login("fred", "pässwörd").unwrap();
        let events = converse(&mut c, &mut peer, None);
        let what = format!("LOGIN to {caps:?}");
        check(&peer, &events, &["pässwörd".as_bytes()], &what);
        assert_eq!(
            completed(&events, CommandKind::Login),
            [StatusKind::Ok],
            "{what}"
        );
        assert_eq!(peer.commands.len(), 1, "{what}");
        assert_eq!(peer.announcements.len(), 1, "{what}");
    }
}

/// LOGIN whose user name and password both need a literal, then a NOOP: the
/// command line continues after the first literal with a second one.
#[test]
fn login_with_two_literals() {
    for caps in ALL_CAPS {
        let mut peer = StrictPeer::new(caps);
        let mut c = greeted(&mut peer);
        c.login("frédéric", "pässwörd").unwrap();
        c.noop().unwrap();
        let events = converse(&mut c, &mut peer, None);
        let what = format!("LOGIN to {caps:?}");
        check(
            &peer,
            &events,
            &["frédéric".as_bytes(), "pässwörd".as_bytes()],
            &what,
        );
        assert_eq!(
            completed(&events, CommandKind::Login),
            [StatusKind::Ok],
            "{what}"
        );
        assert_eq!(
            completed(&events, CommandKind::Noop),
            [StatusKind::Ok],
            "{what}"
        );
        assert_eq!(peer.commands.len(), 2, "{what}");
    }
}

/// APPEND of a message with a `Z1 CREATE Smuggled` line, whole
/// ([`Client::send`]), around the 4096-byte bound of LITERAL- and IMAP4rev2.
#[test]
fn append_cannot_smuggle_a_command() {
    for caps in ALL_CAPS {
        for size in SIZES {
            let mut peer = StrictPeer::new(caps);
            let mut c = greeted(&mut peer);
            c.login("fred", "secret").unwrap();
            let msg = message(size);
            c.send(CommandBody::Append {
                mailbox: Mailbox::Inbox,
                messages: List::from_items(vec![AppendMessage {
                    flags: None,
                    date: None,
                    data: msg.clone().into(),
                    binary: false,
                }]),
            })
            .unwrap();
            c.noop().unwrap();
            let events = converse(&mut c, &mut peer, None);
            let what = format!("APPEND of {size} bytes to {caps:?}");
            check(&peer, &events, &[&msg], &what);
            assert_eq!(
                completed(&events, CommandKind::Append),
                [StatusKind::Ok],
                "{what}"
            );
            assert_eq!(
                completed(&events, CommandKind::Noop),
                [StatusKind::Ok],
                "{what}"
            );
            assert_eq!(peer.commands.len(), 3, "{what}");
        }
    }
}

/// The same through the streamed APPEND ([`Client::append_begin`]), whose
/// announcement the machine writes itself.
#[test]
fn streamed_append_cannot_smuggle_a_command() {
    for caps in ALL_CAPS {
        for size in SIZES {
            let mut peer = StrictPeer::new(caps);
            let mut c = greeted(&mut peer);
            c.login("fred", "secret").unwrap();
            let msg = message(size);
            c.append_begin(Mailbox::Inbox, None, None, size as u64, false)
                .unwrap();
            c.noop().unwrap();
            let events = converse(&mut c, &mut peer, Some(&msg));
            let what = format!("streamed APPEND of {size} bytes to {caps:?}");
            check(&peer, &events, &[&msg], &what);
            assert_eq!(
                completed(&events, CommandKind::Append),
                [StatusKind::Ok],
                "{what}"
            );
            assert_eq!(
                completed(&events, CommandKind::Noop),
                [StatusKind::Ok],
                "{what}"
            );
            assert!(
                events
                    .iter()
                    .any(|e| matches!(e, ClientEvent::AppendReady { .. })),
                "{what}"
            );
        }
    }
}

/// The peer itself: a `{n-}` line is a `BAD` command and the data after it
/// is read as commands (what made the old client's APPEND create a mailbox),
/// and a `{n}` gets `+` while a `{n+}` does not. Without this, the checks
/// above could pass against a peer that reads anything.
#[test]
fn the_strict_peer_reads_n_minus_as_a_command_line() {
    let mut peer = StrictPeer::new(Caps::Minus);
    peer.take_output();
    peer.receive(b"A0001 APPEND INBOX {20-}\r\nZ1 CREATE Smuggled\r\n");
    assert_eq!(peer.commands.len(), 2);
    assert_eq!(peer.commands[1], b"Z1 CREATE Smuggled");
    assert_eq!(peer.malformed.len(), 1);
    assert_eq!(
        peer.take_output(),
        b"A0001 BAD Invalid literal announcement\r\nZ1 BAD Unknown command\r\n"
    );
    let mut peer = StrictPeer::new(Caps::Minus);
    peer.take_output();
    peer.receive(b"A0001 LOGIN fred {3+}\r\nabc\r\nA0002 LOGIN fred {3}\r\n");
    assert_eq!(
        peer.take_output(),
        b"A0001 OK LOGIN completed\r\n+ Ready for literal data\r\n"
    );
    peer.receive(b"xyz\r\n");
    assert_eq!(peer.take_output(), b"A0002 OK LOGIN completed\r\n");
    assert!(peer.violations.is_empty());
    // data sent before the `+` of a synchronizing literal is a violation
    peer.receive(b"A0003 LOGIN fred {3}\r\nxyz\r\n");
    assert_eq!(peer.violations.len(), 1);
    // without LITERAL+, `{3+}` is no literal either
    let mut peer = StrictPeer::new(Caps::None);
    peer.receive(b"A0001 LOGIN fred {3+}\r\nabc\r\n");
    assert_eq!(peer.malformed.len(), 1);
    assert_eq!(peer.commands[1], b"abc");
}
