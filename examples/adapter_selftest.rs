//! Self-test of the code the examples share (`examples/common`): TLS over loopback with a STARTTLS-style
//! upgrade and with implicit TLS, certificate verification, the generic driver (flush, read, timers) with a
//! toy line machine, the Maildir store, the `Received:` header and the argument parser.
//!
//! `cargo run --example adapter_selftest` prints one line per check and exits 1 if any failed.

mod common;

use std::io;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use common::received::civil_from_days;
use common::{Args, Maildir, ReceivedHeader, Session, Stream, Wake, rfc5322_date};
use mailwire::Connection;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// Counts failed checks.
struct Checks {
    failed: usize,
    passed: usize,
}

impl Checks {
    fn check(&mut self, ok: bool, what: &str) {
        if ok {
            self.passed += 1;
            println!("ok    {what}");
        } else {
            self.failed += 1;
            println!("FAIL  {what}");
        }
    }

    fn equal<T: PartialEq + std::fmt::Debug>(&mut self, got: T, want: T, what: &str) {
        let ok = got == want;
        self.check(ok, what);
        if !ok {
            println!("        got:  {got:?}\n        want: {want:?}");
        }
    }
}

/// Events of the toy machine.
#[derive(Debug, PartialEq, Eq)]
enum ToyEvent {
    /// A line other than a command, echoed back.
    Line(String),
    /// `STARTTLS` was accepted: upgrade now.
    StartTls,
}

/// A toy server machine for the driver: greets with `+READY`, echoes lines as `+ECHO line`, answers
/// `STARTTLS` with `+GO` (discarding what follows it, as a real machine must) and `QUIT` with `+BYE`;
/// closes with `-TIMEOUT` after `idle` without input.
struct ToyServer {
    input: Vec<u8>,
    output: Vec<u8>,
    idle: Duration,
    last_activity: Duration,
    active: bool,
    closed: bool,
    tls: bool,
}

impl ToyServer {
    fn new(idle: Duration) -> Self {
        ToyServer {
            input: Vec::new(),
            output: b"+READY\r\n".to_vec(),
            idle,
            last_activity: Duration::ZERO,
            active: false,
            closed: false,
            tls: false,
        }
    }

    fn poll_event(&mut self) -> Option<ToyEvent> {
        let end = self.input.windows(2).position(|w| w == b"\r\n")?;
        let line = String::from_utf8_lossy(&self.input[..end]).into_owned();
        self.input.drain(..end + 2);
        match line.as_str() {
            "STARTTLS" => {
                self.output.extend_from_slice(b"+GO\r\n");
                self.input.clear(); // no plaintext may cross into the TLS session
                Some(ToyEvent::StartTls)
            }
            "QUIT" => {
                self.output.extend_from_slice(b"+BYE\r\n");
                self.closed = true;
                None
            }
            _ => {
                let reply = format!("+ECHO{} {line}\r\n", if self.tls { "S" } else { "" });
                self.output.extend_from_slice(reply.as_bytes());
                Some(ToyEvent::Line(line))
            }
        }
    }

    fn tls_established(&mut self) {
        self.tls = true;
    }
}

impl Connection for ToyServer {
    fn handle_input(&mut self, data: &[u8]) {
        self.input.extend_from_slice(data);
        self.active = true;
    }

    fn handle_eof(&mut self) {
        self.closed = true;
    }

    fn poll_transmit(&mut self) -> Option<Bytes> {
        if self.output.is_empty() {
            None
        } else {
            Some(Bytes::from(std::mem::take(&mut self.output)))
        }
    }

    fn poll_timeout(&self) -> Option<Duration> {
        if self.closed {
            None
        } else {
            Some(self.last_activity + self.idle)
        }
    }

    fn handle_timeout(&mut self, now: Duration) {
        if self.active {
            self.active = false;
            self.last_activity = now;
        } else if !self.closed && now >= self.last_activity + self.idle {
            self.output.extend_from_slice(b"-TIMEOUT\r\n");
            self.closed = true;
        }
    }

    fn memory_usage(&self) -> usize {
        size_of::<Self>() + self.input.capacity() + self.output.capacity()
    }
    fn is_closed(&self) -> bool {
        self.closed
    }
}

/// A toy client machine: collects reply lines, sends what it is told.
#[derive(Default)]
struct ToyClient {
    input: Vec<u8>,
    output: Vec<u8>,
    eof: bool,
}

impl ToyClient {
    fn send(&mut self, line: &str) {
        self.output.extend_from_slice(line.as_bytes());
        self.output.extend_from_slice(b"\r\n");
    }

    fn next_line(&mut self) -> Option<String> {
        let end = self.input.windows(2).position(|w| w == b"\r\n")?;
        let line = String::from_utf8_lossy(&self.input[..end]).into_owned();
        self.input.drain(..end + 2);
        Some(line)
    }
}

impl Connection for ToyClient {
    fn handle_input(&mut self, data: &[u8]) {
        self.input.extend_from_slice(data);
    }

    fn handle_eof(&mut self) {
        self.eof = true;
    }

    fn poll_transmit(&mut self) -> Option<Bytes> {
        if self.output.is_empty() {
            None
        } else {
            Some(Bytes::from(std::mem::take(&mut self.output)))
        }
    }

    fn memory_usage(&self) -> usize {
        size_of::<Self>() + self.input.capacity() + self.output.capacity()
    }
    fn is_closed(&self) -> bool {
        self.eof
    }
}

/// The server side: the documented loop, with STARTTLS. Returns the lines it saw and how it ended.
async fn serve_toy(
    stream: Stream,
    acceptor: &TlsAcceptor,
    idle: Duration,
) -> io::Result<(Vec<String>, bool)> {
    let mut session = Session::new(ToyServer::new(idle), stream).traced("      C:", "      S:");
    let mut lines = Vec::new();
    let mut timed_out = false;
    session.flush().await?;
    loop {
        let mut start_tls = false;
        while let Some(event) = session.conn.poll_event() {
            match event {
                ToyEvent::Line(line) => lines.push(line),
                ToyEvent::StartTls => start_tls = true,
            }
        }
        session.flush().await?;
        if start_tls {
            session.start_tls_server(acceptor).await?;
            session.conn.tls_established();
        }
        if session.conn.is_closed() || session.is_eof() {
            break;
        }
        match session.read().await? {
            Wake::Timer => timed_out = timed_out || session.conn.is_closed(),
            Wake::Eof | Wake::Input(_) => {}
        }
    }
    session.shutdown().await;
    Ok((lines, timed_out))
}

/// Reads through the toy client until one whole line is there.
async fn client_line(
    client: &mut ToyClient,
    stream: &mut Stream,
    buf: &mut [u8],
) -> io::Result<String> {
    loop {
        if let Some(line) = client.next_line() {
            return Ok(line);
        }
        if !common::read_some(client, stream, buf).await? {
            return Ok("<eof>".to_owned());
        }
    }
}

async fn tls_checks(checks: &mut Checks) -> io::Result<()> {
    let selfsigned = common::self_signed_acceptor(&["localhost", "127.0.0.1"])?;
    checks.check(
        selfsigned
            .cert_pem
            .starts_with("-----BEGIN CERTIFICATE-----"),
        "rcgen makes a PEM certificate",
    );

    // 1. STARTTLS-style: plain, then upgraded on both sides; echo; idle timeout from the machine's timer.
    // The server runs under `common::serve` (a task per connection), which proves the session is `Send`.
    let listener = common::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?.to_string();
    let server_cert = selfsigned.acceptor.clone();
    let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel();
    let server = tokio::spawn(common::serve(listener, move |stream, _peer| {
        let (acceptor, done_tx) = (server_cert.clone(), done_tx.clone());
        async move {
            let result = serve_toy(stream, &acceptor, Duration::from_millis(500)).await;
            let _ = done_tx.send(result);
            Ok(())
        }
    }));
    let mut stream = Stream::connect(&addr).await?;
    let mut client = ToyClient::default();
    let mut buf = vec![0; 4096];
    checks.equal(
        client_line(&mut client, &mut stream, &mut buf).await?,
        "+READY".to_owned(),
        "greeting over plain TCP",
    );
    client.send("plain line");
    client.send("STARTTLS");
    client.send("INJECTED"); // sent in plaintext after STARTTLS: must be discarded, never echoed
    common::flush(&mut client, &mut stream, None).await?;
    checks.equal(
        client_line(&mut client, &mut stream, &mut buf).await?,
        "+ECHO plain line".to_owned(),
        "echo before TLS",
    );
    checks.equal(
        client_line(&mut client, &mut stream, &mut buf).await?,
        "+GO".to_owned(),
        "STARTTLS go-ahead",
    );
    checks.check(!stream.is_tls(), "stream is plain before the upgrade");
    stream = stream.upgrade_to_tls_client("localhost", true).await?;
    checks.check(stream.is_tls(), "client upgraded to TLS with --insecure");
    println!(
        "      negotiated {}",
        stream.tls_description().unwrap_or_default()
    );
    client.send("hello over tls");
    common::flush(&mut client, &mut stream, None).await?;
    checks.equal(
        client_line(&mut client, &mut stream, &mut buf).await?,
        "+ECHOS hello over tls".to_owned(),
        "echo inside TLS",
    );
    // Now stay silent: the machine's 500 ms idle timer must fire through the driver.
    let clock = tokio::time::Instant::now();
    checks.equal(
        client_line(&mut client, &mut stream, &mut buf).await?,
        "-TIMEOUT".to_owned(),
        "idle timer fires",
    );
    checks.check(
        clock.elapsed() >= Duration::from_millis(400),
        "timer waited for the deadline",
    );
    checks.equal(
        client_line(&mut client, &mut stream, &mut buf).await?,
        "<eof>".to_owned(),
        "server closes after the timeout",
    );
    let served = done_rx
        .recv()
        .await
        .ok_or_else(|| io::Error::other("server task vanished"))?;
    server.abort();
    let (lines, timed_out) = served?;
    checks.equal(
        lines,
        vec!["plain line".to_owned(), "hello over tls".to_owned()],
        "server saw exactly the lines, nothing injected",
    );
    checks.check(timed_out, "server loop saw Wake::Timer close the machine");

    // 2. Implicit TLS, verified against the self-signed certificate itself; then wrong name and system roots.
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?.to_string();
    let acceptor = selfsigned.acceptor.clone();
    let server = tokio::spawn(async move {
        let mut results = Vec::new();
        for _ in 0..3 {
            let (tcp, _) = listener.accept().await?;
            match Stream::accept_tls(tcp, &acceptor).await {
                Ok(mut stream) => {
                    let mut machine = ToyServer::new(Duration::from_secs(5));
                    common::flush(&mut machine, &mut stream, None).await?;
                    let mut buf = [0u8; 256];
                    while common::read_some(&mut machine, &mut stream, &mut buf).await? {
                        while machine.poll_event().is_some() {}
                        common::flush(&mut machine, &mut stream, None).await?;
                        if machine.is_closed() {
                            break;
                        }
                    }
                    results.push(true);
                }
                Err(_) => results.push(false),
            }
        }
        io::Result::Ok(results)
    });
    let trusting = common::client_config_trusting(&selfsigned.cert)?;
    let stream = Stream::connect(&addr).await?;
    let mut stream = stream
        .upgrade_to_tls_client_with(trusting.clone(), "localhost")
        .await?;
    let mut client = ToyClient::default();
    checks.equal(
        client_line(&mut client, &mut stream, &mut buf).await?,
        "+READY".to_owned(),
        "implicit TLS verified against the trusted certificate",
    );
    client.send("QUIT");
    common::flush(&mut client, &mut stream, None).await?;
    checks.equal(
        client_line(&mut client, &mut stream, &mut buf).await?,
        "+BYE".to_owned(),
        "QUIT over implicit TLS",
    );
    drop(stream);
    let wrong_name = Stream::connect(&addr)
        .await?
        .upgrade_to_tls_client_with(trusting, "wrong.example")
        .await;
    checks.check(
        wrong_name.is_err(),
        "a certificate for another name is refused",
    );
    let system = Stream::connect_tls(&addr, false).await;
    checks.check(
        system.is_err(),
        "a self-signed certificate is refused without --insecure",
    );
    if let Err(e) = &system {
        println!("      ({e})");
    }
    let results = server.await.map_err(io::Error::other)??;
    checks.equal(
        results,
        vec![true, false, false],
        "server side saw one good handshake, two refused",
    );

    // PEM files, as --tls-cert/--tls-key load them.
    let dir = std::env::temp_dir().join(format!("mailwire-selftest-pem-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let (cert_path, key_path) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert_path, &selfsigned.cert_pem)?;
    std::fs::write(&key_path, &selfsigned.key_pem)?;
    let loaded = common::server_acceptor_from_pem(&cert_path, &key_path);
    let swapped = common::server_acceptor_from_pem(&key_path, &cert_path);
    let _ = std::fs::remove_dir_all(&dir);
    checks.check(loaded.is_ok(), "server acceptor from PEM files");
    checks.check(swapped.is_err(), "cert and key files swapped are refused");

    // 3. Upgrading twice is refused.
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?.to_string();
    let acceptor = selfsigned.acceptor.clone();
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await?;
        let stream = Stream::accept_tls(tcp, &acceptor).await?;
        io::Result::Ok(stream.upgrade_to_tls_server(&acceptor).await.is_err())
    });
    let stream = Stream::connect_tls(&addr, true).await?;
    checks.check(
        stream
            .upgrade_to_tls_client("localhost", true)
            .await
            .is_err(),
        "client refuses STARTTLS on a TLS stream",
    );
    checks.check(
        server.await.map_err(io::Error::other)??,
        "server refuses STARTTLS on a TLS stream",
    );
    checks.equal(
        common::host_of("mail.example:587"),
        "mail.example",
        "host_of HOST:PORT",
    );
    checks.equal(common::host_of("[::1]:993"), "::1", "host_of [V6]:PORT");
    checks.equal(common::host_of("::1"), "::1", "host_of bare V6");
    Ok(())
}

fn maildir_checks(checks: &mut Checks) -> io::Result<()> {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .subsec_nanos();
    let root: PathBuf =
        std::env::temp_dir().join(format!("mailwire-selftest-{}-{nanos}", std::process::id()));
    let result = maildir_checks_in(checks, &root);
    let _ = std::fs::remove_dir_all(&root);
    result
}

fn maildir_checks_in(checks: &mut Checks, root: &std::path::Path) -> io::Result<()> {
    let inbox = Maildir::open_or_create(root)?;
    checks.check(
        ["tmp", "new", "cur"].iter().all(|d| root.join(d).is_dir()),
        "open_or_create makes tmp/ new/ cur/",
    );
    let second_bytes = b"Subject: two\r\n\r\nsecond message\r\n";
    let first = inbox.deliver(b"Subject: one\r\n\r\nfirst\r\n")?;
    let second = inbox.deliver(second_bytes)?;
    checks.check(
        first.parent() == Some(&root.join("new")),
        "deliver puts the message in new/",
    );
    checks.check(
        std::fs::read_dir(root.join("tmp"))?.next().is_none(),
        "tmp/ is empty after delivery",
    );
    let list = inbox.list()?;
    checks.equal(list.len(), 2, "list finds both messages");
    checks.check(
        list[0].path == first && list[1].path == second,
        "list is in delivery order",
    );
    checks.equal(
        list[1].size,
        second_bytes.len() as u64,
        "list gives the size",
    );
    checks.check(
        list[0].id != list[1].id && list.iter().all(|m| m.is_new && m.flags.is_empty()),
        "unique ids, new, no flags",
    );
    checks.check(
        list.iter()
            .all(|m| m.id.bytes().all(|b| (0x21..0x7f).contains(&b))),
        "ids are printable (usable as UIDL)",
    );
    checks.equal(
        inbox.read(&first)?,
        b"Subject: one\r\n\r\nfirst\r\n".to_vec(),
        "read gives the bytes back",
    );

    let flagged = inbox.set_flags(&first, "SRS")?;
    checks.equal(
        Maildir::flags(&flagged),
        "RS".to_owned(),
        "set_flags sorts and de-duplicates",
    );
    checks.check(
        flagged.parent() == Some(&root.join("cur")) && !first.exists(),
        "set_flags moves into cur/",
    );
    let list = inbox.list()?;
    checks.check(
        list[0].path == flagged && !list[0].is_new && list[0].flags == "RS",
        "list sees flags and cur/",
    );
    checks.equal(
        inbox.find(&list[0].id)?.map(|m| m.path),
        Some(flagged.clone()),
        "find by id after the move",
    );
    checks.equal(
        common::maildir::maildir_flags_to_imap("FRS"),
        vec!["\\Flagged", "\\Answered", "\\Seen"],
        "maildir flags to IMAP",
    );
    checks.equal(
        common::maildir::imap_flags_to_maildir(["\\Seen", "\\deleted", "\\Recent", "$Junk"]),
        "ST".to_owned(),
        "IMAP flags to maildir",
    );

    {
        let mut delivery = inbox.start_delivery()?;
        delivery.write(b"half a message")?;
        // dropped without commit
    }
    checks.equal(
        inbox.list()?.len(),
        2,
        "an uncommitted delivery is not listed",
    );
    checks.check(
        std::fs::read_dir(root.join("tmp"))?.next().is_none(),
        "an uncommitted delivery leaves nothing in tmp/",
    );

    // IMAP UIDs.
    let uids = inbox.sync_uids()?;
    checks.equal(
        uids.messages.iter().map(|(u, _)| *u).collect::<Vec<_>>(),
        vec![1, 2],
        "first UIDs are 1 and 2",
    );
    inbox.delete(&second)?;
    let third = inbox.deliver(b"Subject: three\r\n\r\n3\r\n")?;
    let again = inbox.sync_uids()?;
    checks.equal(again.uid_validity, uids.uid_validity, "UIDVALIDITY is kept");
    checks.equal(
        again
            .messages
            .iter()
            .map(|(u, m)| (*u, m.path.clone()))
            .collect::<Vec<_>>(),
        vec![(1, flagged.clone()), (3, third.clone())],
        "UIDs kept, deleted dropped, new gets 3",
    );
    checks.equal(again.next_uid, 4, "UIDNEXT");

    // Folders.
    checks.equal(
        inbox.folders()?,
        Vec::<String>::new(),
        "no folders at first",
    );
    let sub = inbox.create_folder("Sub")?;
    let deep = inbox.create_folder("Sub.Folder")?;
    checks.check(
        root.join(".Sub.Folder/cur").is_dir() && root.join(".Sub/maildirfolder").is_file(),
        "Maildir++ layout .Sub.Folder",
    );
    checks.equal(
        inbox.folders()?,
        vec!["Sub".to_owned(), "Sub.Folder".to_owned()],
        "folders lists them",
    );
    checks.check(
        inbox.folder("inbox")? == inbox && inbox.folder("Sub.Folder")? == deep,
        "folder(INBOX) is the root",
    );
    checks.equal(
        inbox.folder("Nope").map_err(|e| e.kind()),
        Err(io::ErrorKind::NotFound),
        "a missing folder is NotFound",
    );
    checks.check(
        inbox.folder("../etc").is_err()
            && inbox.create_folder("a/b").is_err()
            && inbox.create_folder(".x").is_err(),
        "hostile folder names refused",
    );
    checks.check(
        inbox.create_folder("Sub").is_err(),
        "creating an existing folder fails",
    );
    let copied = inbox.copy_to(&flagged, &sub)?;
    checks.check(
        Maildir::flags(&copied) == "RS" && flagged.exists(),
        "copy_to keeps flags and the original",
    );
    let moved = inbox.move_to(&third, &deep)?;
    checks.check(
        !third.exists() && deep.list()?.iter().any(|m| m.path == moved),
        "move_to moves",
    );
    inbox.rename_folder("Sub.Folder", "Other")?;
    checks.equal(
        inbox.folders()?,
        vec!["Other".to_owned(), "Sub".to_owned()],
        "rename_folder",
    );
    inbox.delete_folder("Other")?;
    checks.equal(inbox.folders()?, vec!["Sub".to_owned()], "delete_folder");
    inbox.set_subscribed("Sub", true)?;
    inbox.set_subscribed("Other", true)?;
    inbox.set_subscribed("Other", false)?;
    checks.equal(
        inbox.subscriptions()?,
        vec!["Sub".to_owned()],
        "subscriptions",
    );

    inbox.delete(&flagged)?;
    checks.equal(inbox.list()?.len(), 0, "delete removes the message");
    Ok(())
}

fn received_checks(checks: &mut Checks) {
    checks.equal(civil_from_days(0), (1970, 1, 1), "civil_from_days epoch");
    checks.equal(
        civil_from_days(11_016),
        (2000, 2, 29),
        "civil_from_days leap day 2000",
    );
    checks.equal(
        civil_from_days(11_017),
        (2000, 3, 1),
        "civil_from_days after leap day",
    );
    checks.equal(
        civil_from_days(47_540),
        (2100, 2, 28),
        "civil_from_days 2100 not leap",
    );
    checks.equal(
        civil_from_days(47_541),
        (2100, 3, 1),
        "civil_from_days 2100-03-01",
    );
    checks.equal(
        civil_from_days(19_722),
        (2023, 12, 31),
        "civil_from_days year end",
    );
    let at = |secs: u64| UNIX_EPOCH + Duration::from_secs(secs);
    checks.equal(
        rfc5322_date(at(0)),
        "Thu, 1 Jan 1970 00:00:00 +0000".to_owned(),
        "date of the epoch",
    );
    checks.equal(
        rfc5322_date(at(1_700_000_000)),
        "Tue, 14 Nov 2023 22:13:20 +0000".to_owned(),
        "date 1.7e9",
    );
    checks.equal(
        rfc5322_date(at(951_825_600)),
        "Tue, 29 Feb 2000 12:00:00 +0000".to_owned(),
        "date on a leap day",
    );
    checks.equal(
        rfc5322_date(at(4_102_444_799)),
        "Thu, 31 Dec 2099 23:59:59 +0000".to_owned(),
        "date 2099",
    );

    let peer = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7));
    let header = ReceivedHeader::new("client.example", peer, "mx.example")
        .tls(true)
        .authenticated(true)
        .id("1700000000.M0P1Q0")
        .for_recipient("<bob@example.org>")
        .at(at(1_700_000_000))
        .to_string();
    println!("      {}", header.trim_end().replace("\r\n", "\n      "));
    checks.equal(
        header.clone(),
        "Received: from client.example ([192.0.2.7])\r\n\tby mx.example with ESMTPSA id 1700000000.M0P1Q0\r\n\tfor <bob@example.org>;\r\n\tTue, 14 Nov 2023 22:13:20 +0000\r\n".to_owned(),
        "Received header",
    );
    let v6 = ReceivedHeader::new("evil\r\nX-Injected: yes (x)", "::1".parse().unwrap(), "mx")
        .lmtp(true)
        .to_string();
    let hostile_ok = v6.starts_with("Received: from evil__X-Injected:_yes__x_ ([IPv6:::1])")
        && v6.matches("\r\n").count() == 3;
    checks.check(hostile_ok, "hostile HELO cannot inject");
    if !hostile_ok {
        println!("        got: {v6:?}");
    }
    checks.check(v6.contains("with LMTP;"), "LMTP protocol");
    let helo = ReceivedHeader::new("old", peer, "mx")
        .esmtp(false)
        .tls(true);
    checks.equal(helo.protocol(), "SMTP".to_owned(), "HELO gives SMTP");
    let mapped = ReceivedHeader::new("c", "::ffff:192.0.2.7".parse().unwrap(), "mx").to_string();
    checks.check(
        mapped.contains("([192.0.2.7])"),
        "IPv4-mapped address written as IPv4",
    );
}

fn message_checks(checks: &mut Checks) {
    use common::to_crlf;
    checks.check(
        matches!(to_crlf(b"a\r\nb\r\n"), std::borrow::Cow::Borrowed(_)),
        "CRLF input is borrowed",
    );
    checks.equal(
        to_crlf(b"a\nb\r\nc\rd\n").into_owned(),
        b"a\r\nb\r\nc\r\nd\r\n".to_vec(),
        "bare LF and CR become CRLF",
    );
    checks.equal(to_crlf(b"\n").into_owned(), b"\r\n".to_vec(), "a lone LF");
}

fn args_checks(checks: &mut Checks) {
    let words = |s: &str| s.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
    let mut args = Args::from_words(
        "smtp_client",
        "--server HOST:PORT --to ADDR...",
        words(
            "--server 127.0.0.1:25 --to a@x --starttls --to=b@y --from c@z --user alice:pw extra",
        ),
    );
    checks.equal(
        args.required("--server"),
        "127.0.0.1:25".to_owned(),
        "required value",
    );
    checks.equal(
        args.values("--to"),
        vec!["a@x".to_owned(), "b@y".to_owned()],
        "repeated values, both spellings",
    );
    checks.check(args.flag("--starttls") && !args.flag("--tls"), "flags");
    checks.equal(args.value("--from"), Some("c@z".to_owned()), "value");
    checks.equal(args.value("--password"), None, "absent value");
    checks.equal(
        args.user_pass("--user"),
        Some(("alice".to_owned(), "pw".to_owned())),
        "NAME:PASS",
    );
    checks.equal(
        args.try_finish(),
        Ok(vec!["extra".to_owned()]),
        "positionals",
    );
    let mut args = Args::from_words("x", "", words("--list --bogus"));
    checks.check(args.flag("--list"), "flag before an unknown option");
    checks.equal(
        args.try_finish(),
        Err("unknown option --bogus".to_owned()),
        "unknown options are reported",
    );
    let mut args = Args::from_words("x", "", words("--retr 3 -- --not-an-option"));
    checks.equal(args.parsed::<u32>("--retr"), Some(3), "parsed value");
    checks.equal(
        args.try_finish(),
        Ok(vec!["--not-an-option".to_owned()]),
        "-- ends the options",
    );
}

#[tokio::main]
async fn main() {
    Args::parse(
        "(no options)\nchecks the shared example code (arguments, Received:, messages, Maildir, the \
         adapter over loopback, TLS) and prints one line per check; exit status 1 if one fails",
    )
    .finish();
    let mut checks = Checks {
        failed: 0,
        passed: 0,
    };
    args_checks(&mut checks);
    received_checks(&mut checks);
    message_checks(&mut checks);
    if let Err(e) = maildir_checks(&mut checks) {
        checks.check(false, &format!("maildir checks stopped: {e}"));
    }
    match tokio::time::timeout(Duration::from_secs(30), tls_checks(&mut checks)).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => checks.check(false, &format!("TLS checks stopped: {e}")),
        Err(_) => checks.check(false, "TLS checks timed out"),
    }
    println!("{} passed, {} failed", checks.passed, checks.failed);
    if checks.failed > 0 {
        std::process::exit(1);
    }
}
