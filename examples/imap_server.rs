//! An IMAP server over a Maildir: [`mailwire::imap::Server`] driven by tokio.
//!
//! ```text
//! cargo run --example imap_server -- --listen 127.0.0.1:1143 --maildir DIR --user NAME:PASS \
//!     [--tls-cert FILE --tls-key FILE] [--listen-tls ADDR] [--idle-timeout SECS] ...
//! ```
//!
//! One user, one Maildir (INBOX is `DIR` itself, folders are Maildir++ `.Sub.Folder` directories with `.`
//! as the hierarchy separator). What it does (RFC 3501 / IMAP4rev1, with UIDPLUS, MOVE, IDLE, UNSELECT,
//! NAMESPACE, LITERAL+, SASL-IR and COMPRESS=DEFLATE):
//!
//! - LOGIN and AUTHENTICATE PLAIN (allowed without TLS: a lab server), STARTTLS when a certificate is given;
//! - LIST / LSUB (`*` and `%` patterns), CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, STATUS, NAMESPACE;
//! - SELECT / EXAMINE with FLAGS, EXISTS, RECENT, UNSEEN, UIDVALIDITY, UIDNEXT and PERMANENTFLAGS; UIDs are
//!   kept in a `mailwire-uidlist` file per mailbox, keyed by the Maildir unique name, so that they never
//!   change while flags do (see `common/maildir.rs` for the files and the lock); a message is `\Recent` for
//!   the first session that sees it, whoever delivered it;
//! - FETCH and UID FETCH: FLAGS, UID, INTERNALDATE (the file's modification time), RFC822.SIZE, ENVELOPE,
//!   BODY and BODYSTRUCTURE (from a small header and MIME parser in this file: unfolded header fields,
//!   Content-Type parameters, nested multiparts and message/rfc822 parts; what it cannot parse is served as
//!   a single text/plain part), `BODY[section]<partial>` with HEADER, HEADER.FIELDS (.NOT), TEXT, MIME and
//!   part numbers, RFC822, RFC822.HEADER, RFC822.TEXT. The MIME tree is built by reading the file once in
//!   chunks, line by line (positions only, and the first 64 KiB of each header), and every section is
//!   streamed from the file: memory does not grow with the message size;
//! - SEARCH and UID SEARCH with the usual keys (flags, sequence and UID sets, FROM/TO/CC/BCC/SUBJECT/HEADER,
//!   BODY/TEXT, LARGER/SMALLER, dates, NOT/OR and parenthesised lists);
//! - STORE (FLAGS, +FLAGS, -FLAGS, .SILENT) mapped to the Maildir flag letters of the file name (keywords to
//!   the letters a..z through `mailwire-keywords`), applied to the flags on disk at that moment so that the
//!   changes of concurrent sessions merge; a message another session expunged is skipped (RFC 2180 §4.2:
//!   `NO [EXPUNGEISSUED]`, or OK with .SILENT); COPY (flags, keywords and INTERNALDATE kept), MOVE, EXPUNGE
//!   (every removal announced, even when another one failed), UID EXPUNGE, CLOSE, UNSELECT, APPEND streamed
//!   into a Maildir delivery (flags and date kept, APPENDUID returned);
//! - COMPRESS=DEFLATE (RFC 4978), offered unless `--no-compress` (the command is valid once logged in,
//!   RFC 4978 §5): the machine answers `OK` and reports [`ServerEvent::Compress`], then
//!   [`Session::start_compress`] puts raw DEFLATE under both directions (`common/deflate.rs`: inflated
//!   in bounded chunks, so a decompression bomb meets the machine's line and literal limits, and a stream
//!   that is not DEFLATE ends the session);
//! - IDLE: a connection that changes a mailbox (APPEND, STORE, EXPUNGE, COPY, MOVE) tells the others through
//!   a broadcast channel, and an idling connection also looks at the modification times of `new/` and `cur/`
//!   every 250 ms (and at the whole mailbox every 2 s), so that what other processes do (smtp_server, an
//!   LMTP delivery, a local mail client) is announced within a second; the others learn at their next NOOP.
//!
//! Maildir files often end their lines in LF alone: the server sends every message with CRLF line ends
//! (and counts RFC822.SIZE and the literal sizes that way), and a NUL byte, which an IMAP literal cannot
//! carry, as a space. Up to 26 keywords per mailbox are stored (`\*` is in PERMANENTFLAGS while there is
//! room). File-system calls are blocking, which is fine for an example. One line per command goes to stderr.
//!
//! Server habits (`examples/common/listener.rs`, `--help` lists the options): `--listen-tls ADDR` adds an
//! implicit TLS listener; `--idle-timeout`, `--handshake-timeout` and `--write-timeout` bound what a client
//! may hold; running out of file descriptors pauses accepting instead of exiting; SIGINT or SIGTERM sends
//! every client a goodbye (`* BYE`), removes partial deliveries from `tmp/` and exits 0; `tmp/` files older
//! than 36 hours are removed at start-up and hourly.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::maildir::{FlagOp, MailboxLock, imap_flags_to_maildir, maildir_flags_to_imap};
use common::{Args, Delivery, Maildir, MessageEntry, Session, Stream, Wake};
use mailwire::imap::{
    Address, AddressList, Atom, BodyExtension, BodyStructure, Code, Command, CommandBody, Data,
    Date, DateTime, Disposition, Envelope, FetchAttribute, FetchAttributes, FetchItem,
    FetchLiteral, Flag, IString, Lazy, List, Mailbox, MailboxAttribute, MailboxList, MultiPart,
    NString, Namespace, SearchKey, Section, SectionText, SequenceSet, Server, ServerConfig,
    ServerEvent, SinglePart, Specific, StatusItem, StatusKind, StoreKind,
};
use mailwire::wire::sasl::{Authentication, Mechanism};
use tokio::sync::broadcast;
use tokio_rustls::TlsAcceptor;

const USAGE: &str = "--listen ADDR --maildir DIR --user NAME:PASS [options]
  --maildir DIR              INBOX; folders are Maildir++ .Sub.Folder directories (created if missing)
  --user NAME:PASS           the one user and its password
  --idle-timeout SECS        the autologout timer (default 1800, RFC 9051 section 5.4)
  --no-compress              do not offer COMPRESS=DEFLATE (RFC 4978)
";

/// What every client hears when the server shuts down (RFC 9051 §7.1.5).
const GOODBYE: &[u8] = b"* BYE server shutting down\r\n";

/// How much of a message file is read and pushed to the machine at a time.
const CHUNK: usize = 64 * 1024;

/// How many MIME trees a connection keeps (FETCH of several items, or of the same message again).
const PARSED_CACHE: usize = 2;

/// How deep MIME parts may nest before the rest is treated as an opaque part.
const MIME_DEPTH: usize = 20;

/// How often an IDLE session looks at the modification times of its mailbox's `new/` and `cur/`.
const POLL: Duration = Duration::from_millis(250);

/// The hierarchy separator of Maildir++ folder names.
const DELIMITER: char = '.';

/// What every connection shares.
struct Shared {
    root: Maildir,
    options: common::ServerOptions,
    stop: tokio::sync::watch::Receiver<bool>,
    user: String,
    pass: String,
    acceptor: Option<TlsAcceptor>,
    /// COMPRESS=DEFLATE is offered (not `--no-compress`).
    compress: bool,
    /// "Mailbox X changed": a connection idling on X looks at it again.
    changes: broadcast::Sender<Change>,
    /// Numbers the connections, for the log and to skip one's own notifications.
    connections: AtomicU64,
}

/// A mailbox changed (messages added, removed or flags changed).
#[derive(Clone, Debug)]
struct Change {
    /// The mailbox directory.
    dir: PathBuf,
    /// The connection that changed it.
    origin: u64,
}

#[tokio::main]
async fn main() {
    let mut args = Args::parse(common::listener::server_usage(USAGE));
    let options = common::ServerOptions::from_args(&mut args);
    let maildir = args.required("--maildir");
    let Some((user, pass)) = args.user_pass("--user") else {
        args.usage_error("missing --user");
    };
    let acceptor = common::server_acceptor_from_args(&mut args);
    let compress = !args.flag("--no-compress");
    let positionals = args.finish();
    if !positionals.is_empty() {
        common::die(format!("unexpected arguments: {positionals:?}"));
    }
    let root = Maildir::open_or_create(&maildir).unwrap_or_else(|e| common::die(e));
    let listeners = options.bind(acceptor.as_ref()).await;
    common::listener::clean_tmp_now_and_hourly("imap_server", root.path().to_owned());
    let stop = common::stop_on_signals();
    let handshake = options.timeouts.handshake;
    let (changes, _) = broadcast::channel(256);
    let shared = Arc::new(Shared {
        root,
        options,
        stop: stop.clone(),
        user,
        pass,
        acceptor,
        compress,
        changes,
        connections: AtomicU64::new(0),
    });
    common::announce_mailbox_server(
        "imap_server",
        &listeners[0].tcp,
        &shared.options.listen,
        &shared.user,
        shared.root.path(),
        "STARTTLS",
        shared.acceptor.is_some(),
    );
    common::announce_tls_listeners("imap_server", &listeners);
    common::serve_until(listeners, stop, handshake, move |stream, peer| {
        serve_connection(stream, peer, Arc::clone(&shared))
    })
    .await;
    eprintln!("imap_server: stopped");
}

/// Compares secrets without stopping at the first difference.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn serve_connection(stream: Stream, peer: SocketAddr, shared: Arc<Shared>) -> io::Result<()> {
    let number = shared.connections.fetch_add(1, Ordering::Relaxed) + 1;
    let mut config = ServerConfig::default();
    config.greeting_text = "mailwire imap_server example ready".to_owned();
    config.tls_available = shared.acceptor.is_some();
    // A lab server: LOGIN and AUTHENTICATE PLAIN are allowed before STARTTLS too (curl, mbsync and the
    // tests log in over plain connections). A real server keeps the default.
    config.plaintext_requires_tls = false;
    config.auth_mechanisms = vec![Mechanism::Plain];
    // IMAP4rev1 only: IMAP4rev2 changes responses (no RECENT, ESEARCH, ...) that this example does not do.
    config.imap4rev2 = false;
    config.enableable = Vec::new();
    config.capabilities = ["UIDPLUS", "MOVE", "NAMESPACE", "CHILDREN"]
        .into_iter()
        .map(String::from)
        .collect();
    config.tls_active = stream.is_tls();
    config.compress = shared.compress;
    if let Some(idle) = shared.options.idle {
        config.autologout = Some(idle);
    }
    let mut session =
        Session::new(Server::new(config), stream).stop_on(shared.stop.clone(), GOODBYE);
    session.timeouts = shared.options.timeouts;
    let mut conn = Conn {
        number,
        peer,
        shared: Arc::clone(&shared),
        selected: None,
        append: None,
        idling: false,
        ticks: 0,
        cache: Vec::new(),
    };
    let mut changes = shared.changes.subscribe();
    conn.log("connected");
    session.flush().await?;

    loop {
        let (mut start_tls, mut compress) = (false, false);
        loop {
            let event = match session.conn.poll_event() {
                Ok(Some(event)) => event.into_owned(),
                Ok(None) => break,
                Err(e) => {
                    // Fatal (a limit, a line too long): the machine queued its last words.
                    conn.log(&format!("session error: {e}"));
                    session.shutdown().await;
                    return Ok(());
                }
            };
            match event {
                ServerEvent::Command(cmd) => conn.command(&mut session, cmd).await?,
                ServerEvent::Login {
                    tag,
                    username,
                    password,
                } => {
                    let ok = username.as_bytes() == shared.user.as_bytes()
                        && same_secret(password.expose(), shared.pass.as_bytes());
                    let what = format!("LOGIN {}", username.to_str_lossy());
                    conn.login(&mut session, tag.as_str(), ok, &what)?;
                }
                ServerEvent::Authenticate {
                    tag,
                    authentication,
                } => {
                    let (ok, what) = match &authentication {
                        Authentication::Plain {
                            authzid,
                            authcid,
                            password,
                        } => (
                            *authcid == shared.user
                                && authzid.as_ref().is_none_or(|z| *z == *authcid)
                                && same_secret(password.expose(), shared.pass.as_bytes()),
                            format!("AUTHENTICATE PLAIN {authcid}"),
                        ),
                        _ => (false, "AUTHENTICATE with another mechanism".to_owned()),
                    };
                    conn.login(&mut session, tag.as_str(), ok, &what)?;
                }
                ServerEvent::LiteralRequested { .. } => {
                    // Within Limits::literal_size (the machine refuses bigger ones itself).
                    session.conn.accept_literal()?;
                }
                ServerEvent::AppendStart {
                    tag,
                    mailbox,
                    flags,
                    date,
                    size,
                    ..
                } => {
                    let flags: Vec<String> = flags
                        .map(|l| l.iter().map(|f| f.wire_name().into_owned()).collect())
                        .unwrap_or_default();
                    conn.append_start(&mut session, tag.as_str(), &mailbox, flags, date, size)?;
                }
                ServerEvent::AppendChunk(chunk) => conn.append_chunk(&chunk),
                ServerEvent::AppendEnd { more } => conn.append_end(&mut session, more)?,
                ServerEvent::AppendAborted => {
                    conn.log("APPEND aborted");
                    conn.append = None;
                }
                ServerEvent::Idle { .. } => {
                    conn.idling = true;
                    conn.log("IDLE");
                    conn.send_updates(&mut session, true)?;
                }
                ServerEvent::IdleDone => {
                    conn.idling = false;
                    conn.log("DONE");
                }
                ServerEvent::StartTls => {
                    conn.log("STARTTLS: starting the TLS handshake");
                    start_tls = true;
                }
                ServerEvent::Compress => {
                    conn.log("COMPRESS DEFLATE");
                    compress = true;
                }
                other => conn.log(&format!("ignored event {other:?}")),
            }
        }
        session.flush().await?;
        if start_tls {
            let Some(acceptor) = shared.acceptor.as_ref() else {
                conn.log("STARTTLS without a certificate");
                break;
            };
            if let Err(e) = session.start_tls_server(acceptor).await {
                conn.log(&format!("TLS handshake failed: {e}"));
                return Ok(());
            }
            session.conn.tls_established()?;
            let what = session.stream.tls_description().unwrap_or_default();
            conn.log(&format!("TLS established ({what})"));
            continue;
        }
        if compress {
            // The OK went out plain; both directions are DEFLATE from here (RFC 4978 §3).
            match session
                .start_compress(Server::compression_established)
                .await?
            {
                0 => conn.log("DEFLATE active"),
                n => conn.log(&format!("DEFLATE active ({n} compressed bytes came early)")),
            }
            continue;
        }
        if session.conn.is_closed() || session.is_eof() {
            break;
        }
        // While idling, the Maildir is also looked at every POLL: deliveries by smtp_server, LMTP, another
        // process or anything else that writes it show up within a second.
        let polling = conn.idling && conn.selected.is_some();
        let wait = async {
            if polling {
                tokio::select! {
                    change = changes.recv() => Some(change),
                    () = tokio::time::sleep(POLL) => None,
                }
            } else {
                Some(changes.recv().await)
            }
        };
        if let Wake::Other(woke) = session.read_or(wait).await? {
            let Some(change) = woke else {
                // The times can miss a change within their granularity: a full look every 2 s too.
                conn.ticks = conn.ticks.wrapping_add(1);
                let changed = conn.ticks % 8 == 0
                    || conn
                        .selected
                        .as_ref()
                        .is_some_and(Selected::changed_on_disk);
                if conn.idling && changed {
                    conn.send_updates(&mut session, true)?;
                }
                continue;
            };
            let relevant = match change {
                Ok(change) => {
                    change.origin != conn.number
                        && conn
                            .selected
                            .as_ref()
                            .is_some_and(|s| s.maildir.path() == change.dir)
                }
                // Missed some: look anyway.
                Err(broadcast::error::RecvError::Lagged(_)) => conn.selected.is_some(),
                Err(broadcast::error::RecvError::Closed) => false,
            };
            if relevant && conn.idling {
                conn.send_updates(&mut session, true)?;
            }
        }
    }
    session.shutdown().await;
    conn.log(if session.is_eof() {
        "closed by the client"
    } else {
        "closed"
    });
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------
// One connection

/// One message of the selected mailbox; its sequence number is its index + 1.
#[derive(Debug, Clone)]
struct Msg {
    uid: u32,
    /// The Maildir unique id (the file name before `:2,`).
    id: String,
    /// Where the file was last seen (it moves when flags change: look it up again by `id`).
    path: PathBuf,
    /// The Maildir flag letters.
    flags: String,
    /// The size with CRLF line ends, once computed.
    size: Option<u64>,
}

/// The selected mailbox as this connection sees it.
struct Selected {
    name: String,
    maildir: Maildir,
    read_only: bool,
    uid_validity: u32,
    next_uid: u32,
    messages: Vec<Msg>,
    /// UIDs that are `\Recent` for this session.
    recent: BTreeSet<u32>,
    /// The mailbox's keywords (index `i` is the flag letter `a + i`).
    keywords: Vec<String>,
    /// The modification times of `new/` and `cur/` at the last look (an IDLE polls them).
    seen_mtimes: Option<(SystemTime, SystemTime)>,
}

/// An APPEND in progress.
struct Append {
    tag: String,
    maildir: Maildir,
    delivery: Option<Delivery>,
    date: Option<DateTime>,
    /// Ids of the messages delivered so far (MULTIAPPEND may deliver several).
    ids: Vec<String>,
    error: Option<String>,
}

/// What one connection keeps besides the machine.
struct Conn {
    number: u64,
    peer: SocketAddr,
    shared: Arc<Shared>,
    selected: Option<Selected>,
    append: Option<Append>,
    idling: bool,
    /// IDLE polls so far.
    ticks: u64,
    /// The MIME trees of the last messages parsed (by UID), most recent last.
    cache: Vec<(u32, Arc<Parsed>)>,
}

/// An io error for a command that cannot be done; becomes `NO`.
fn no(text: impl Into<String>) -> io::Error {
    io::Error::other(text.into())
}

impl Conn {
    fn log(&self, what: &str) {
        eprintln!("[{} {}] {what}", self.number, self.peer);
    }

    fn notify(&self, dir: &Path) {
        let _ = self.shared.changes.send(Change {
            dir: dir.to_path_buf(),
            origin: self.number,
        });
    }

    fn login(
        &mut self,
        session: &mut Session<Server>,
        tag: &str,
        ok: bool,
        what: &str,
    ) -> io::Result<()> {
        if ok {
            self.log(&format!("{what}: logged in"));
            session
                .conn
                .complete(tag, StatusKind::Ok, None, "logged in")?;
        } else {
            self.log(&format!("{what}: wrong credentials"));
            session.conn.complete(
                tag,
                StatusKind::No,
                Some(Code::AuthenticationFailed),
                "authentication failed",
            )?;
        }
        Ok(())
    }

    /// The folder a mailbox name stands for: `INBOX` is the root, `A.B` the Maildir++ folder `.A.B`.
    fn folder_name(mailbox: &Mailbox<'_>) -> io::Result<String> {
        match mailbox {
            Mailbox::Inbox => Ok("INBOX".to_owned()),
            other => {
                // the server does not offer UTF8=ACCEPT: names are modified UTF-7
                let name = std::str::from_utf8(other.as_bytes())
                    .ok()
                    .ok_or_else(|| no("mailbox names are 7-bit (modified UTF-7)"))?;
                let name = name.trim_end_matches(DELIMITER);
                if Maildir::is_inbox(name) {
                    Ok("INBOX".to_owned())
                } else {
                    Ok(name.to_owned())
                }
            }
        }
    }

    fn folder(&self, mailbox: &Mailbox<'_>) -> io::Result<(String, Maildir)> {
        let name = Self::folder_name(mailbox)?;
        let maildir = self.shared.root.folder(&name)?;
        Ok((name, maildir))
    }

    /// Sends what changed in the selected mailbox since this connection last looked (EXPUNGE only when
    /// `expunge`: not during FETCH, STORE or SEARCH, RFC 9051 §7.5.1).
    fn send_updates(&mut self, session: &mut Session<Server>, expunge: bool) -> io::Result<()> {
        let Some(sel) = self.selected.as_mut() else {
            return Ok(());
        };
        for data in sel.resync(expunge)? {
            session.conn.send_untagged_data(&data)?;
        }
        Ok(())
    }

    /// Runs one command that reached the application, then completes it.
    async fn command(
        &mut self,
        session: &mut Session<Server>,
        cmd: Command<'static>,
    ) -> io::Result<()> {
        let tag = cmd.tag.as_str().to_owned();
        let name = cmd.body.name().to_owned();
        self.log(&format!("{tag} {name}"));
        let result = self.run(session, &tag, cmd.body).await;
        match result {
            Ok(Done::Ok(code, text)) => {
                session.conn.complete(&tag, StatusKind::Ok, code, text)?;
            }
            Ok(Done::No(code, text)) => {
                self.log(&format!("{tag} {name}: NO {text}"));
                session.conn.complete(&tag, StatusKind::No, code, text)?;
            }
            Ok(Done::Bad(text)) => {
                self.log(&format!("{tag} {name}: BAD {text}"));
                session.conn.complete(&tag, StatusKind::Bad, None, &text)?;
            }
            Err(e) => {
                // A failure of the command (no such folder, file-system error): NO, the session goes on.
                self.log(&format!("{tag} {name}: NO {e}"));
                let text = e.to_string();
                let (code, text) = match e.kind() {
                    io::ErrorKind::NotFound => (Some(Code::NonExistent), "no such mailbox"),
                    io::ErrorKind::AlreadyExists => {
                        (Some(Code::AlreadyExists), "it exists already")
                    }
                    _ => (None, text.as_str()),
                };
                session.conn.complete(&tag, StatusKind::No, code, text)?;
            }
        }
        Ok(())
    }

    async fn run(
        &mut self,
        session: &mut Session<Server>,
        tag: &str,
        body: CommandBody<'static>,
    ) -> io::Result<Done> {
        match body {
            CommandBody::Noop | CommandBody::Check => {
                self.send_updates(session, true)?;
                Ok(Done::ok("NOOP completed"))
            }
            CommandBody::Namespace => {
                let personal = Namespace {
                    prefix: IString::from(""),
                    delimiter: Some(DELIMITER),
                    extensions: None,
                };
                session.conn.send_untagged_data(&Data::Namespace {
                    personal: Some(List::from_items(vec![personal])),
                    other: None,
                    shared: None,
                })?;
                Ok(Done::ok("NAMESPACE completed"))
            }
            CommandBody::Select { mailbox, .. } => self.select(session, &mailbox, false),
            CommandBody::Examine { mailbox, .. } => self.select(session, &mailbox, true),
            CommandBody::Create { mailbox, .. } => {
                let name = Self::folder_name(&mailbox)?;
                if Maildir::is_inbox(&name) {
                    return Ok(Done::No(Some(Code::AlreadyExists), "INBOX exists"));
                }
                self.shared.root.create_folder(&name)?;
                Ok(Done::ok("CREATE completed"))
            }
            CommandBody::Delete(mailbox) => {
                let name = Self::folder_name(&mailbox)?;
                if Maildir::is_inbox(&name) {
                    return Ok(Done::No(Some(Code::Cannot), "INBOX cannot be deleted"));
                }
                let (_, maildir) = self.folder(&mailbox)?;
                if self
                    .selected
                    .as_ref()
                    .is_some_and(|s| s.maildir.path() == maildir.path())
                {
                    return Ok(Done::No(Some(Code::InUse), "the mailbox is selected"));
                }
                self.shared.root.delete_folder(&name)?;
                let _ = self.shared.root.set_subscribed(&name, false);
                self.notify(maildir.path());
                Ok(Done::ok("DELETE completed"))
            }
            CommandBody::Rename { from, to } => {
                let (from, to) = (Self::folder_name(&from)?, Self::folder_name(&to)?);
                if Maildir::is_inbox(&from) || Maildir::is_inbox(&to) {
                    return Ok(Done::No(Some(Code::Cannot), "INBOX cannot be renamed"));
                }
                self.shared.root.rename_folder(&from, &to)?;
                Ok(Done::ok("RENAME completed"))
            }
            CommandBody::Subscribe(mailbox) => {
                let name = Self::folder_name(&mailbox)?;
                self.shared.root.set_subscribed(&name, true)?;
                Ok(Done::ok("SUBSCRIBE completed"))
            }
            CommandBody::Unsubscribe(mailbox) => {
                let name = Self::folder_name(&mailbox)?;
                self.shared.root.set_subscribed(&name, false)?;
                Ok(Done::ok("UNSUBSCRIBE completed"))
            }
            CommandBody::List {
                reference,
                patterns,
                ..
            } => {
                for pattern in patterns.iter() {
                    self.list(session, &reference, pattern.as_bytes(), false)?;
                }
                Ok(Done::ok("LIST completed"))
            }
            CommandBody::Lsub { reference, pattern } => {
                self.list(session, &reference, pattern.as_bytes(), true)?;
                Ok(Done::ok("LSUB completed"))
            }
            CommandBody::Status { mailbox, items } => {
                let (_, maildir) = self.folder(&mailbox)?;
                let list = maildir.sync_uids()?;
                let recent = len32(list.recent.len());
                let mut out = Vec::new();
                for item in items.iter() {
                    let count = |f: &dyn Fn(&MessageEntry) -> bool| {
                        let n = list.messages.iter().filter(|(_, e)| f(e)).count();
                        u32::try_from(n).unwrap_or(u32::MAX)
                    };
                    let value = match item.as_str().to_ascii_uppercase().as_str() {
                        "MESSAGES" => StatusItem::Messages(count(&|_| true)),
                        "RECENT" => StatusItem::Recent(recent),
                        "UIDNEXT" => StatusItem::UidNext(list.next_uid),
                        "UIDVALIDITY" => StatusItem::UidValidity(list.uid_validity),
                        "UNSEEN" => StatusItem::Unseen(count(&|e| !e.flags.contains('S'))),
                        "DELETED" => StatusItem::Deleted(count(&|e| e.flags.contains('T'))),
                        "SIZE" => StatusItem::Size(list.messages.iter().map(|(_, e)| e.size).sum()),
                        other => return Ok(Done::Bad(format!("unknown STATUS item {other}"))),
                    };
                    out.push(value);
                }
                session.conn.send_untagged_data(&Data::Status {
                    mailbox,
                    items: List::from_items(out),
                })?;
                Ok(Done::ok("STATUS completed"))
            }
            CommandBody::Close => {
                if let Some(mut sel) = self.selected.take() {
                    if !sel.read_only {
                        let (removed, error) = sel.expunge(None);
                        if !removed.is_empty() {
                            self.notify(sel.maildir.path());
                        }
                        if let Some(e) = error {
                            // RFC 3501 §6.4.2: CLOSE deselects all the same.
                            self.log(&format!("CLOSE: {e}"));
                        }
                    }
                }
                Ok(Done::ok("CLOSE completed"))
            }
            CommandBody::Unselect => {
                self.selected = None;
                Ok(Done::ok("UNSELECT completed"))
            }
            CommandBody::Expunge | CommandBody::UidExpunge(_) => {
                let set = match body {
                    CommandBody::UidExpunge(set) => Some(set),
                    _ => None,
                };
                let Some(sel) = self.selected.as_mut() else {
                    return Ok(Done::Bad("no mailbox selected".into()));
                };
                if sel.read_only {
                    return Ok(Done::No(Some(Code::ReadOnly), "the mailbox is read-only"));
                }
                let (removed, error) = sel.expunge(set.as_ref());
                let dir = sel.maildir.path().to_path_buf();
                // Every removal that happened is announced, even when another one failed.
                for seq in &removed {
                    session.conn.send_untagged_data(&Data::Expunge(*seq))?;
                }
                if !removed.is_empty() {
                    self.notify(&dir);
                }
                match error {
                    Some(e) => Err(e),
                    None => Ok(Done::ok("EXPUNGE completed")),
                }
            }
            CommandBody::Search {
                uid,
                charset,
                criteria,
                ..
            } => {
                if let Some(charset) = charset {
                    let known = ["UTF-8", "US-ASCII"]
                        .iter()
                        .any(|c| c.as_bytes().eq_ignore_ascii_case(charset.as_bytes()));
                    if !known {
                        return Ok(Done::No(
                            Some(Code::BadCharset(None)),
                            "only UTF-8 and US-ASCII",
                        ));
                    }
                }
                let keys: Vec<SearchKey<'static>> = criteria.iter().collect();
                let found = self.search(&keys, uid)?;
                session.conn.send_untagged_data(&Data::Search {
                    ids: List::from_items(found),
                    modseq: None,
                })?;
                Ok(Done::ok("SEARCH completed"))
            }
            CommandBody::Fetch {
                uid,
                set,
                attributes,
                ..
            } => self.fetch(session, uid, &set, attributes).await,
            CommandBody::Store {
                uid,
                set,
                kind,
                silent,
                flags,
                ..
            } => {
                let names: Vec<String> = flags.iter().map(|f| f.wire_name().into_owned()).collect();
                self.store(session, uid, &set, kind, silent, &names)
            }
            CommandBody::Copy { uid, set, mailbox } => {
                self.copy(session, uid, &set, &mailbox, false)
            }
            CommandBody::Move { uid, set, mailbox } => {
                self.copy(session, uid, &set, &mailbox, true)
            }
            other => {
                let _ = tag;
                Ok(Done::Bad(format!("{} is not supported here", other.name())))
            }
        }
    }

    fn select(
        &mut self,
        session: &mut Session<Server>,
        mailbox: &Mailbox<'_>,
        read_only: bool,
    ) -> io::Result<Done> {
        self.selected = None;
        self.cache.clear();
        let (name, maildir) = match self.folder(mailbox) {
            Ok(found) => found,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Ok(Done::No(Some(Code::NonExistent), "no such mailbox"));
            }
            Err(e) => return Err(e),
        };
        let sel = Selected::open(name, maildir, read_only)?;
        let system = || {
            vec![
                Flag::Answered,
                Flag::Flagged,
                Flag::Deleted,
                Flag::Seen,
                Flag::Draft,
            ]
        };
        let mut defined = system();
        defined.extend(
            sel.keywords
                .iter()
                .filter_map(|k| Atom::new(k.clone()).map(Flag::Keyword)),
        );
        session
            .conn
            .send_untagged_data(&Data::Flags(List::from_items(defined)))?;
        session
            .conn
            .send_untagged_data(&Data::Exists(len32(sel.messages.len())))?;
        session
            .conn
            .send_untagged_data(&Data::Recent(len32(sel.recent.len())))?;
        if let Some(i) = sel.messages.iter().position(|m| !m.flags.contains('S')) {
            session.conn.send_untagged(
                StatusKind::Ok,
                Some(Code::Unseen(len32(i + 1))),
                "first unseen",
            )?;
        }
        session.conn.send_untagged(
            StatusKind::Ok,
            Some(Code::UidValidity(sel.uid_validity)),
            "UIDs valid",
        )?;
        session.conn.send_untagged(
            StatusKind::Ok,
            Some(Code::UidNext(sel.next_uid)),
            "predicted next UID",
        )?;
        let keywords: Vec<Flag<'static>> = sel
            .keywords
            .iter()
            .filter_map(|k| Atom::new(k.clone()).map(Flag::Keyword))
            .collect();
        let permanent = if read_only {
            Vec::new()
        } else {
            let mut permanent = system();
            permanent.extend(keywords.iter().cloned());
            if sel.keywords.len() < 26 {
                // New keywords may be created (stored as the letters a..z).
                permanent.push(Flag::Wildcard);
            }
            permanent
        };
        session.conn.send_untagged(
            StatusKind::Ok,
            Some(Code::PermanentFlags(List::from_items(permanent))),
            "flags stored in the Maildir",
        )?;
        self.log(&format!(
            "{} {}: {} messages, {} recent",
            if read_only { "EXAMINE" } else { "SELECT" },
            sel.name,
            sel.messages.len(),
            sel.recent.len()
        ));
        self.selected = Some(sel);
        Ok(if read_only {
            Done::Ok(Some(Code::ReadOnly), "EXAMINE completed")
        } else {
            Done::Ok(Some(Code::ReadWrite), "SELECT completed")
        })
    }

    fn list(
        &mut self,
        session: &mut Session<Server>,
        reference: &Mailbox<'_>,
        pattern: &[u8],
        lsub: bool,
    ) -> io::Result<()> {
        let wrap = |data: MailboxList<'static>| {
            if lsub {
                Data::Lsub(data)
            } else {
                Data::List(data)
            }
        };
        let attr = |a: &'static str| MailboxAttribute(a.into());
        if pattern.is_empty() {
            // The hierarchy delimiter and root (RFC 9051 §6.3.9).
            session.conn.send_untagged_data(&wrap(MailboxList {
                attributes: List::from_items(vec![attr("\\Noselect")]),
                delimiter: Some(DELIMITER),
                mailbox: Mailbox::Other(IString::from("")),
                extended: List::empty(),
            }))?;
            return Ok(());
        }
        let mut full = match reference {
            Mailbox::Inbox => b"INBOX".to_vec(),
            other => other.as_bytes().to_vec(),
        };
        full.extend_from_slice(pattern);
        let folders = self.shared.root.folders()?;
        let mut names = vec!["INBOX".to_owned()];
        names.extend(folders.iter().cloned());
        let subscribed = if lsub {
            Some(self.shared.root.subscriptions()?)
        } else {
            None
        };
        for name in &names {
            let is_inbox = name == "INBOX";
            let matched = if is_inbox {
                // INBOX is case-insensitive.
                wildcard_match(&full.to_ascii_uppercase(), name.as_bytes())
            } else {
                wildcard_match(&full, name.as_bytes())
            };
            if !matched {
                continue;
            }
            if let Some(subs) = &subscribed {
                if !subs.iter().any(|s| s == name) {
                    continue;
                }
            }
            let prefix = format!("{name}{DELIMITER}");
            let children = !is_inbox && folders.iter().any(|f| f.starts_with(&prefix));
            let attributes = vec![attr(if children {
                "\\HasChildren"
            } else {
                "\\HasNoChildren"
            })];
            let mailbox = if is_inbox {
                Mailbox::Inbox
            } else {
                Mailbox::Other(IString::new(name.clone().into_bytes()))
            };
            session.conn.send_untagged_data(&wrap(MailboxList {
                attributes: List::from_items(attributes),
                delimiter: Some(DELIMITER),
                mailbox,
                extended: List::empty(),
            }))?;
        }
        if let Some(subs) = &subscribed {
            // RFC 3501 §6.3.9: "foo.bar" subscribed but "foo" not: LSUB "%" returns "foo" flagged \Noselect.
            let mut parents = BTreeSet::new();
            for sub in subs {
                if wildcard_match(&full, sub.as_bytes()) {
                    continue;
                }
                let mut at = 0;
                while let Some(dot) = sub[at..].find(DELIMITER) {
                    let parent = &sub[..at + dot];
                    at += dot + 1;
                    if !subs.iter().any(|s| s == parent) && wildcard_match(&full, parent.as_bytes())
                    {
                        parents.insert(parent.to_owned());
                    }
                }
            }
            for parent in parents {
                session.conn.send_untagged_data(&wrap(MailboxList {
                    attributes: List::from_items(vec![attr("\\Noselect")]),
                    delimiter: Some(DELIMITER),
                    mailbox: Mailbox::Other(IString::new(parent.into_bytes())),
                    extended: List::empty(),
                }))?;
            }
        }
        Ok(())
    }

    // ---- APPEND ----

    fn append_start(
        &mut self,
        session: &mut Session<Server>,
        tag: &str,
        mailbox: &Mailbox<'_>,
        flags: Vec<String>,
        date: Option<DateTime>,
        size: u64,
    ) -> io::Result<()> {
        let maildir = match self.folder(mailbox) {
            Ok((_, maildir)) => maildir,
            Err(e) => {
                self.log(&format!("{tag} APPEND: {e}"));
                self.append = None;
                session
                    .conn
                    .reject_literal(Some(Code::TryCreate), "no such mailbox")?;
                return Ok(());
            }
        };
        // Without flags the message goes to new/; with flags to cur/ (\Recent either way: it is new to
        // the mailbox, once the UID list exists). Keywords are stored as the letters a..z of the destination.
        if let Err(e) = maildir.sync_uids() {
            self.log(&format!("{tag} APPEND: {e}"));
        }
        let letters = if flags.is_empty() {
            None
        } else {
            let mut letters = imap_flags_to_maildir(flags.iter().map(String::as_str));
            let keywords = maildir
                .lock()
                .and_then(|lock| lock.keyword_letters(flags.iter().map(String::as_str), true));
            if let Ok((kw, _)) = keywords {
                letters.push_str(&kw);
            }
            Some(letters)
        };
        let delivery = match maildir.start_delivery_with_flags(letters.as_deref()) {
            Ok(delivery) => delivery,
            Err(e) => {
                self.log(&format!("{tag} APPEND: {e}"));
                session
                    .conn
                    .reject_literal(None, "cannot write to the mailbox")?;
                return Ok(());
            }
        };
        self.log(&format!(
            "{tag} APPEND {} octets to {}",
            size,
            maildir.path().display()
        ));
        let ids = match self.append.take() {
            // MULTIAPPEND: the next message of the same command.
            Some(previous) if previous.tag == tag => previous.ids,
            _ => Vec::new(),
        };
        self.append = Some(Append {
            tag: tag.to_owned(),
            maildir,
            delivery: Some(delivery),
            date,
            ids,
            error: None,
        });
        session.conn.accept_literal()?;
        Ok(())
    }

    fn append_chunk(&mut self, chunk: &[u8]) {
        let Some(append) = self.append.as_mut() else {
            return;
        };
        if append.error.is_some() {
            return;
        }
        if let Some(delivery) = append.delivery.as_mut() {
            if let Err(e) = delivery.write(chunk) {
                append.error = Some(e.to_string());
                append.delivery = None;
            }
        }
    }

    fn append_end(&mut self, session: &mut Session<Server>, more: bool) -> io::Result<()> {
        let Some(append) = self.append.as_mut() else {
            return Ok(());
        };
        if append.error.is_none() {
            if let Some(delivery) = append.delivery.take() {
                match delivery.commit() {
                    Ok(path) => {
                        if let Some(date) = append.date {
                            let _ = set_mtime(&path, system_time_of(&date));
                        }
                        append.ids.push(maildir_id(&path));
                    }
                    Err(e) => append.error = Some(e.to_string()),
                }
            }
        }
        if more {
            return Ok(());
        }
        let Some(append) = self.append.take() else {
            return Ok(());
        };
        if let Some(e) = append.error {
            self.log(&format!("{} APPEND failed: {e}", append.tag));
            session.conn.complete(
                &append.tag,
                StatusKind::No,
                None,
                "cannot store the message",
            )?;
            return Ok(());
        }
        self.notify(append.maildir.path());
        if self
            .selected
            .as_ref()
            .is_some_and(|s| s.maildir.path() == append.maildir.path())
        {
            // RFC 3501 §6.3.11: the selected mailbox learns of the new message at once.
            self.send_updates(session, false)?;
        }
        let list = append.maildir.sync_uids()?;
        let uids: Vec<u32> = append
            .ids
            .iter()
            .filter_map(|id| list.messages.iter().find(|(_, e)| &e.id == id))
            .map(|(uid, _)| *uid)
            .collect();
        let code = uid_set(&uids).map(|uids| Code::AppendUid {
            uid_validity: list.uid_validity,
            uids,
        });
        session
            .conn
            .complete(&append.tag, StatusKind::Ok, code, "APPEND completed")?;
        Ok(())
    }

    // ---- STORE, COPY, MOVE ----

    fn store(
        &mut self,
        session: &mut Session<Server>,
        uid: bool,
        set: &SequenceSet<'_>,
        kind: StoreKind,
        silent: bool,
        names: &[String],
    ) -> io::Result<Done> {
        let Some(sel) = self.selected.as_mut() else {
            return Ok(Done::Bad("no mailbox selected".into()));
        };
        if sel.read_only {
            return Ok(Done::No(Some(Code::ReadOnly), "the mailbox is read-only"));
        }
        let maildir = sel.maildir.clone();
        let lock = maildir.lock()?;
        let mut letters = imap_flags_to_maildir(names.iter().map(String::as_str));
        // Keywords get letters a..z (new ones only when adding or replacing).
        let (keyword_letters, _) =
            lock.keyword_letters(names.iter().map(String::as_str), kind != StoreKind::Remove)?;
        letters.push_str(&keyword_letters);
        let keywords = sel.maildir.keywords();
        if keywords != sel.keywords {
            // A new keyword: the client learns the mailbox's flags again (RFC 3501 §7.2.6).
            sel.keywords = keywords;
            let mut defined = vec![
                Flag::Answered,
                Flag::Flagged,
                Flag::Deleted,
                Flag::Seen,
                Flag::Draft,
            ];
            defined.extend(
                sel.keywords
                    .iter()
                    .filter_map(|k| Atom::new(k.clone()).map(Flag::Keyword)),
            );
            session
                .conn
                .send_untagged_data(&Data::Flags(List::from_items(defined)))?;
        }
        let op = match kind {
            StoreKind::Replace => FlagOp::Replace,
            StoreKind::Add => FlagOp::Add,
            StoreKind::Remove => FlagOp::Remove,
        };
        let (mut changed, mut gone) = (false, 0usize);
        for i in sel.resolve(set, uid) {
            let old = sel.messages[i].flags.clone();
            // On the flags on disk now, not this session's copy: concurrent changes merge.
            if !sel.update_flags(&lock, i, op, &letters)? {
                // RFC 2180 §4.2: expunged by another session; the rest of the set goes on.
                gone += 1;
                continue;
            }
            changed |= sel.messages[i].flags != old;
            if !silent {
                let m = &sel.messages[i];
                let mut items = vec![FetchItem::Flags(flag_list(
                    &m.flags,
                    sel.recent.contains(&m.uid),
                    &sel.keywords,
                ))];
                if uid {
                    items.push(FetchItem::Uid(m.uid));
                }
                session.conn.send_untagged_data(&Data::Fetch {
                    seq: len32(i + 1),
                    items: List::from_items(items),
                })?;
            }
        }
        drop(lock);
        if changed {
            let dir = sel.maildir.path().to_path_buf();
            self.notify(&dir);
        }
        if gone > 0 && !silent {
            // RFC 2180 §4.2.2 / §4.2.3: the flags of the others are set, a tagged NO tells of the rest.
            return Ok(Done::No(
                Some(Code::ExpungeIssued),
                "some messages were expunged meanwhile; the others are stored",
            ));
        }
        // RFC 2180 §4.2.1: with .SILENT, OK when the messages that exist were stored.
        Ok(Done::ok("STORE completed"))
    }

    fn copy(
        &mut self,
        session: &mut Session<Server>,
        uid: bool,
        set: &SequenceSet<'_>,
        mailbox: &Mailbox<'_>,
        moving: bool,
    ) -> io::Result<Done> {
        let dest = match self.folder(mailbox) {
            Ok((_, dest)) => dest,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Ok(Done::No(Some(Code::TryCreate), "no such mailbox"));
            }
            Err(e) => return Err(e),
        };
        let Some(sel) = self.selected.as_mut() else {
            return Ok(Done::Bad("no mailbox selected".into()));
        };
        if moving && sel.read_only {
            return Ok(Done::No(Some(Code::ReadOnly), "the mailbox is read-only"));
        }
        if moving && dest.path() == sel.maildir.path() {
            return Ok(Done::No(Some(Code::Cannot), "the mailbox is selected"));
        }
        let targets = sel.resolve(set, uid);
        // Where each message is now, and its flags on disk.
        let mut found: Vec<(usize, PathBuf, String)> = Vec::new();
        for &i in &targets {
            match sel.current_path(i) {
                Ok(path) => {
                    let flags = Maildir::flags(&path);
                    found.push((i, path, flags));
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        if found.len() < targets.len() && !moving {
            // RFC 2180 §4.4.1: NO, and nothing copied (RFC 3501 §6.4.7: a failed COPY changes nothing).
            return Ok(Done::No(
                Some(Code::ExpungeIssued),
                "some messages were expunged meanwhile; nothing copied",
            ));
        }
        // The flag letters in the destination: keywords have letters of their own there.
        let source_keywords = sel.keywords.clone();
        let mut letters_there = Vec::with_capacity(found.len());
        {
            let dest_lock = dest.lock()?;
            // A UID list that exists before the copies arrive makes them \Recent (new to the mailbox).
            dest_lock.sync_uids(false)?;
            for (_, _, flags) in &found {
                let system: String = flags.chars().filter(|c| !c.is_ascii_lowercase()).collect();
                let names = keyword_names(flags, &source_keywords);
                let (kw, _) = dest_lock.keyword_letters(names.iter().map(String::as_str), true)?;
                letters_there.push(format!("{system}{kw}"));
            }
        }
        let mut pairs: Vec<(u32, String)> = Vec::new();
        let mut moved: Vec<usize> = Vec::new();
        if moving {
            let lock = sel.maildir.lock()?;
            for ((i, path, _), letters) in found.iter().zip(&letters_there) {
                let id = sel.messages[*i].id.clone();
                if let Some(new_path) = lock.move_to(&id, path, &dest, letters)? {
                    pairs.push((sel.messages[*i].uid, maildir_id(&new_path)));
                    moved.push(*i);
                }
            }
        } else {
            for ((i, path, _), letters) in found.iter().zip(&letters_there) {
                let new_path = match sel.maildir.copy_with_flags(path, &dest, letters) {
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {
                        // Renamed meanwhile (a flag change): once more from where it is now.
                        let again = sel.current_path(*i)?;
                        sel.maildir.copy_with_flags(&again, &dest, letters)?
                    }
                    other => other?,
                };
                pairs.push((sel.messages[*i].uid, maildir_id(&new_path)));
            }
        }
        let list = dest.sync_uids()?;
        let (mut source, mut destination) = (Vec::new(), Vec::new());
        for (old_uid, id) in &pairs {
            if let Some((new_uid, _)) = list.messages.iter().find(|(_, e)| &e.id == id) {
                source.push(*old_uid);
                destination.push(*new_uid);
            }
        }
        let code = match (uid_set(&source), uid_set(&destination)) {
            (Some(source), Some(destination)) => Some(Code::CopyUid {
                uid_validity: list.uid_validity,
                source,
                destination,
            }),
            _ => None,
        };
        let _ = self.shared.changes.send(Change {
            dir: dest.path().to_path_buf(),
            origin: self.number,
        });
        if moving {
            // RFC 6851 §4.3: COPYUID comes untagged, then the EXPUNGEs.
            if let Some(code) = code {
                session
                    .conn
                    .send_untagged(StatusKind::Ok, Some(code), "moved")?;
            }
            let mut gone: Vec<usize> = moved;
            gone.sort_unstable();
            for &i in gone.iter().rev() {
                let m = sel.messages.remove(i);
                sel.recent.remove(&m.uid);
                session
                    .conn
                    .send_untagged_data(&Data::Expunge(len32(i + 1)))?;
            }
            if !gone.is_empty() {
                let _ = self.shared.changes.send(Change {
                    dir: sel.maildir.path().to_path_buf(),
                    origin: self.number,
                });
            }
            return Ok(Done::ok("MOVE completed"));
        }
        if sel.maildir.path() == dest.path() {
            self.send_updates(session, false)?;
        }
        Ok(Done::Ok(code, "COPY completed"))
    }

    // ---- SEARCH ----

    fn search(&mut self, keys: &[SearchKey<'static>], uid: bool) -> io::Result<Vec<u32>> {
        let Some(sel) = self.selected.as_ref() else {
            return Ok(Vec::new());
        };
        let mut found = Vec::new();
        let largest_uid = sel.messages.last().map_or(0, |m| m.uid);
        for i in 0..sel.messages.len() {
            let mut probe = Probe {
                sel,
                index: i,
                largest_uid,
                parsed: None,
                size: None,
            };
            if keys.iter().all(|k| probe.matches(k)) {
                let m = &sel.messages[i];
                found.push(if uid { m.uid } else { len32(i + 1) });
            }
        }
        Ok(found)
    }

    // ---- FETCH ----

    /// The parsed message at `index` of the selected mailbox (cached for the next item).
    fn parsed(&mut self, index: usize) -> io::Result<Arc<Parsed>> {
        let sel = self
            .selected
            .as_ref()
            .ok_or_else(|| no("no mailbox selected"))?;
        let uid = sel.messages[index].uid;
        if let Some((_, parsed)) = self.cache.iter().find(|(u, _)| *u == uid) {
            return Ok(Arc::clone(parsed));
        }
        let sel = self
            .selected
            .as_mut()
            .ok_or_else(|| no("no mailbox selected"))?;
        let path = sel.current_path(index)?;
        let parsed = Arc::new(Parsed::read(&path)?);
        sel.messages[index].size = Some(parsed.size);
        if self.cache.len() >= PARSED_CACHE {
            self.cache.remove(0);
        }
        self.cache.push((uid, Arc::clone(&parsed)));
        Ok(parsed)
    }

    async fn fetch(
        &mut self,
        session: &mut Session<Server>,
        uid: bool,
        set: &SequenceSet<'_>,
        attributes: FetchAttributes<'static>,
    ) -> io::Result<Done> {
        use FetchAttribute as A;
        let Some(sel) = self.selected.as_ref() else {
            return Ok(Done::Bad("no mailbox selected".into()));
        };
        let mut attrs: Vec<A<'static>> = match attributes {
            FetchAttributes::All => vec![A::Flags, A::InternalDate, A::Rfc822Size, A::Envelope],
            FetchAttributes::Fast => vec![A::Flags, A::InternalDate, A::Rfc822Size],
            FetchAttributes::Full => vec![
                A::Flags,
                A::InternalDate,
                A::Rfc822Size,
                A::Envelope,
                A::Body,
            ],
            FetchAttributes::List(list) => list.iter().collect(),
            _ => Vec::new(),
        };
        if uid && !attrs.contains(&A::Uid) {
            attrs.insert(0, A::Uid);
        }
        let read_only = sel.read_only;
        let sets_seen = !read_only
            && attrs.iter().any(|a| {
                matches!(
                    a,
                    A::Rfc822 | A::Rfc822Text | A::BodySection { peek: false, .. }
                )
            });
        let targets = sel.resolve(set, uid);
        let mut missing = 0usize;
        for i in targets {
            match self.fetch_one(session, i, &attrs, sets_seen).await {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => missing += 1,
                Err(e) => return Err(e),
            }
        }
        if missing > 0 {
            return Ok(Done::No(
                Some(Code::ExpungeIssued),
                "some messages were removed meanwhile",
            ));
        }
        Ok(Done::ok("FETCH completed"))
    }

    async fn fetch_one(
        &mut self,
        session: &mut Session<Server>,
        index: usize,
        attrs: &[FetchAttribute<'static>],
        sets_seen: bool,
    ) -> io::Result<()> {
        use FetchAttribute as A;
        let seq = len32(index + 1);
        let mut flags_changed = false;
        if sets_seen {
            let sel = self.selected.as_mut().ok_or_else(|| no("no selection"))?;
            if !sel.messages[index].flags.contains('S') {
                let maildir = sel.maildir.clone();
                let lock = maildir.lock()?;
                if !sel.update_flags(&lock, index, FlagOp::Add, "S")? {
                    return Err(io::Error::new(io::ErrorKind::NotFound, "expunged"));
                }
                drop(lock);
                flags_changed = true;
                let dir = sel.maildir.path().to_path_buf();
                self.notify(&dir);
            }
        }
        // Where the file is now (setting \Seen renamed it), and that it is still there, before anything is sent.
        let path = self
            .selected
            .as_mut()
            .ok_or_else(|| no("no mailbox selected"))?
            .current_path(index)?;
        let needs_parse = attrs.iter().any(|a| match a {
            A::Envelope | A::Body | A::BodyStructure | A::Rfc822Header | A::Rfc822Text => true,
            A::BodySection {
                section, partial, ..
            } => !(section.part.is_empty() && section.text.is_none() && partial.is_none()),
            _ => false,
        });
        let parsed = if needs_parse {
            Some(self.parsed(index)?)
        } else {
            None
        };
        let sel = self.selected.as_mut().ok_or_else(|| no("no selection"))?;
        let mut inline: Vec<FetchItem<'static>> = Vec::new();
        let mut literals: Vec<&A<'static>> = Vec::new();
        for attr in attrs {
            let m = &sel.messages[index];
            match attr {
                A::Flags => inline.push(FetchItem::Flags(flag_list(
                    &m.flags,
                    sel.recent.contains(&m.uid),
                    &sel.keywords,
                ))),
                A::Uid => inline.push(FetchItem::Uid(m.uid)),
                A::InternalDate => {
                    let mtime = std::fs::metadata(&path)?.modified()?;
                    inline.push(FetchItem::InternalDate(datetime_of(mtime)));
                }
                A::Rfc822Size => {
                    let size = sel.wire_size(index)?;
                    inline.push(FetchItem::Rfc822Size(
                        u32::try_from(size).unwrap_or(u32::MAX),
                    ));
                }
                A::Envelope => {
                    if let Some(p) = &parsed {
                        inline.push(FetchItem::Envelope(envelope(p, &p.root)));
                    }
                }
                A::Body => {
                    if let Some(p) = &parsed {
                        inline.push(FetchItem::Body(body_structure(p, &p.root, false)));
                    }
                }
                A::BodyStructure => {
                    if let Some(p) = &parsed {
                        inline.push(FetchItem::BodyStructure(body_structure(p, &p.root, true)));
                    }
                }
                A::Rfc822 | A::Rfc822Header | A::Rfc822Text | A::BodySection { .. } => {
                    literals.push(attr);
                }
                // BINARY, MODSEQ, ...: not advertised, nothing to send.
                _ => {}
            }
        }
        if flags_changed && !attrs.contains(&A::Flags) {
            let m = &sel.messages[index];
            inline.push(FetchItem::Flags(flag_list(
                &m.flags,
                sel.recent.contains(&m.uid),
                &sel.keywords,
            )));
        }
        session.conn.start_fetch(seq, &inline)?;
        for attr in literals {
            match attr {
                A::Rfc822 => {
                    let size = sel.wire_size(index)?;
                    session
                        .conn
                        .start_fetch_literal(&FetchLiteral::Rfc822, size)?;
                    stream_file(session, &path, size).await?;
                }
                A::BodySection {
                    section, partial, ..
                } if parsed.is_none() => {
                    // The whole message, streamed from the file.
                    let size = sel.wire_size(index)?;
                    let item = FetchLiteral::BodySection {
                        section: section.clone(),
                        origin: partial.map(|p| p.0),
                    };
                    session.conn.start_fetch_literal(&item, size)?;
                    stream_file(session, &path, size).await?;
                }
                A::BodySection {
                    section, partial, ..
                } => {
                    let p = parsed.as_ref().ok_or_else(|| no("not parsed"))?;
                    let item = FetchLiteral::BodySection {
                        section: section.clone(),
                        origin: partial.map(|p| p.0),
                    };
                    match section_data(p, section) {
                        // Streamed from the file: memory does not grow with the part.
                        SectionData::Span(span) => {
                            stream_span(session, &path, &item, span.partial(*partial)).await?;
                        }
                        SectionData::Bytes(bytes) => {
                            let bytes = match partial {
                                Some((origin, count)) => {
                                    let start = (*origin as usize).min(bytes.len());
                                    let end =
                                        start.saturating_add(*count as usize).min(bytes.len());
                                    &bytes[start..end]
                                }
                                None => &bytes[..],
                            };
                            send_literal(session, &item, bytes).await?;
                        }
                    }
                }
                A::Rfc822Header | A::Rfc822Text => {
                    let p = parsed.as_ref().ok_or_else(|| no("not parsed"))?;
                    let (item, span) = if *attr == A::Rfc822Header {
                        (FetchLiteral::Rfc822Header, Parsed::header_span(&p.root))
                    } else {
                        (FetchLiteral::Rfc822Text, Parsed::text_span(&p.root))
                    };
                    stream_span(session, &path, &item, span).await?;
                }
                _ => {}
            }
        }
        session.conn.finish_fetch()?;
        Ok(())
    }
}

/// How a command ends, when it does not fail with an io error.
/// (The texts that go with a code are `'static`: [`Server::complete`] takes the code and the text with
/// one lifetime, and `Code` is invariant in it.)
enum Done {
    Ok(Option<Code<'static>>, &'static str),
    No(Option<Code<'static>>, &'static str),
    Bad(String),
}

impl Done {
    fn ok(text: &'static str) -> Done {
        Done::Ok(None, text)
    }
}

/// Sends a literal of the open FETCH response from memory, in chunks.
async fn send_literal(
    session: &mut Session<Server>,
    item: &FetchLiteral<'_>,
    bytes: &[u8],
) -> io::Result<()> {
    session.conn.start_fetch_literal(item, bytes.len() as u64)?;
    for chunk in bytes.chunks(CHUNK) {
        session.conn.send_body(chunk)?;
        session.flush().await?;
    }
    Ok(())
}

/// Streams a message file as the open FETCH literal of `size` bytes (its CRLF size), converting line
/// ends on the way.
async fn stream_file(session: &mut Session<Server>, path: &Path, size: u64) -> io::Result<()> {
    let span = Span {
        anchor_file: 0,
        anchor_wire: 0,
        from: 0,
        to: size,
    };
    stream_span_body(session, path, span).await
}

/// Sends `span` of a message file as a literal of the open FETCH response.
async fn stream_span(
    session: &mut Session<Server>,
    path: &Path,
    item: &FetchLiteral<'_>,
    span: Span,
) -> io::Result<()> {
    session.conn.start_fetch_literal(item, span.len())?;
    stream_span_body(session, path, span).await
}

/// The bytes of `span` as sent (CRLF line ends, NUL as space), read from the file in chunks.
async fn stream_span_body(
    session: &mut Session<Server>,
    path: &Path,
    span: Span,
) -> io::Result<()> {
    let mut reader = SpanReader::open(path, span)?;
    let mut out = Vec::with_capacity(CHUNK * 2);
    let mut sent = 0u64;
    while reader.next_chunk(&mut out)? {
        if !out.is_empty() {
            session.conn.send_body(&out)?;
            sent += out.len() as u64;
            session.flush().await?;
        }
    }
    if sent < span.len() {
        // The file shrank meanwhile: pad, so the protocol stays in sync.
        let pad = vec![b' '; usize::try_from(span.len() - sent).unwrap_or(0)];
        session.conn.send_body(&pad)?;
    }
    Ok(())
}

/// Reads a [`Span`] of a message file as sent, a chunk at a time.
struct SpanReader {
    file: std::fs::File,
    buf: Vec<u8>,
    crlf: Crlf,
    /// Wire offset of the next converted byte.
    at: u64,
    span: Span,
    done: bool,
}

impl SpanReader {
    fn open(path: &Path, span: Span) -> io::Result<SpanReader> {
        use std::io::{Seek, SeekFrom};
        let mut file = std::fs::File::open(path)?;
        file.seek(SeekFrom::Start(span.anchor_file))?;
        Ok(SpanReader {
            file,
            buf: vec![0u8; CHUNK],
            crlf: Crlf::default(),
            at: span.anchor_wire,
            span,
            done: span.len() == 0,
        })
    }

    /// The next piece of the span into `out` (cleared first); `false` at its end.
    fn next_chunk(&mut self, out: &mut Vec<u8>) -> io::Result<bool> {
        out.clear();
        if self.done {
            return Ok(false);
        }
        let n = self.file.read(&mut self.buf)?;
        if n == 0 {
            self.crlf.finish(out);
            self.done = true;
        } else {
            self.crlf.feed(&self.buf[..n], out);
        }
        let start = self.at;
        let end = start + out.len() as u64;
        self.at = end;
        // Keep what falls within the span.
        let keep_from = self.span.from.clamp(start, end) - start;
        let keep_to = self.span.to.clamp(start, end) - start;
        out.truncate(keep_to as usize);
        out.drain(..keep_from as usize);
        if end >= self.span.to {
            self.done = true;
        }
        Ok(true)
    }
}

// ---------------------------------------------------------------------------------------------------------
// The selected mailbox

impl Selected {
    fn open(name: String, maildir: Maildir, read_only: bool) -> io::Result<Selected> {
        // A read-write session takes the \Recent messages; EXAMINE shows them without taking them.
        let list = maildir.lock()?.sync_uids(!read_only)?;
        let keywords = maildir.keywords();
        let mut sel = Selected {
            name,
            maildir,
            read_only,
            uid_validity: list.uid_validity,
            next_uid: list.next_uid,
            messages: Vec::new(),
            recent: list.recent,
            keywords,
            seen_mtimes: None,
        };
        sel.seen_mtimes = sel.mtimes();
        for (uid, entry) in list.messages {
            sel.add(uid, entry);
        }
        Ok(sel)
    }

    /// Adds a message to the view.
    fn add(&mut self, uid: u32, entry: MessageEntry) {
        self.messages.push(Msg {
            uid,
            id: entry.id,
            path: entry.path,
            flags: entry.flags,
            size: None,
        });
    }

    /// The modification times of `new/` and `cur/` (a delivery, a removal or a rename changes them).
    fn mtimes(&self) -> Option<(SystemTime, SystemTime)> {
        let time = |sub: &str| {
            std::fs::metadata(self.maildir.path().join(sub))
                .and_then(|m| m.modified())
                .ok()
        };
        Some((time("new")?, time("cur")?))
    }

    /// Whether `new/` or `cur/` changed since the last [`resync`](Self::resync).
    fn changed_on_disk(&self) -> bool {
        self.mtimes() != self.seen_mtimes
    }

    /// Looks at the Maildir again: returns the untagged responses telling the client what changed
    /// (EXPUNGE only when `expunge`: not during FETCH, STORE or SEARCH, RFC 9051 §7.5.1).
    fn resync(&mut self, expunge: bool) -> io::Result<Vec<Data<'static>>> {
        self.seen_mtimes = self.mtimes();
        let list = self.maildir.lock()?.sync_uids(!self.read_only)?;
        self.keywords = self.maildir.keywords();
        self.next_uid = list.next_uid;
        self.recent.extend(list.recent.iter().copied());
        let mut present: BTreeMap<u32, MessageEntry> = list.messages.into_iter().collect();
        let mut out = Vec::new();
        if expunge {
            for i in (0..self.messages.len()).rev() {
                if !present.contains_key(&self.messages[i].uid) {
                    let m = self.messages.remove(i);
                    self.recent.remove(&m.uid);
                    out.push(Data::Expunge(len32(i + 1)));
                }
            }
        }
        for (i, m) in self.messages.iter_mut().enumerate() {
            if let Some(entry) = present.get(&m.uid) {
                m.path = entry.path.clone();
                if entry.flags != m.flags {
                    m.flags = entry.flags.clone();
                    out.push(Data::Fetch {
                        seq: len32(i + 1),
                        items: List::from_items(vec![
                            FetchItem::Uid(m.uid),
                            FetchItem::Flags(flag_list(
                                &m.flags,
                                self.recent.contains(&m.uid),
                                &self.keywords,
                            )),
                        ]),
                    });
                }
            }
        }
        let last = self.messages.last().map_or(0, |m| m.uid);
        let new: Vec<u32> = present
            .range(last.saturating_add(1)..)
            .map(|(u, _)| *u)
            .collect();
        for uid in &new {
            if let Some(entry) = present.remove(uid) {
                self.add(*uid, entry);
            }
        }
        if !new.is_empty() {
            out.push(Data::Exists(len32(self.messages.len())));
            out.push(Data::Recent(len32(self.recent.len())));
        }
        Ok(out)
    }

    /// The indices a sequence set (or UID set) names, ascending.
    fn resolve(&self, set: &SequenceSet<'_>, uid: bool) -> Vec<usize> {
        if uid {
            let largest = self.messages.last().map_or(0, |m| m.uid);
            (0..self.messages.len())
                .filter(|&i| set.contains(self.messages[i].uid, largest))
                .collect()
        } else {
            let largest = len32(self.messages.len());
            (0..self.messages.len())
                .filter(|&i| set.contains(len32(i + 1), largest))
                .collect()
        }
    }

    /// Where message `index` is now (another connection may have renamed it); `NotFound` when it is gone.
    fn current_path(&mut self, index: usize) -> io::Result<PathBuf> {
        let m = &self.messages[index];
        if m.path.is_file() {
            return Ok(m.path.clone());
        }
        let found = self.maildir.lock()?.locate(&m.id, &m.path)?;
        match found {
            Some(path) => {
                self.messages[index].path = path.clone();
                Ok(path)
            }
            None => Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("message {} is gone", m.uid),
            )),
        }
    }

    /// Changes message `index`'s flags by `op` on what is on disk now (merging with other sessions'
    /// changes); `Ok(false)` when the message is gone.
    fn update_flags(
        &mut self,
        lock: &MailboxLock<'_>,
        index: usize,
        op: FlagOp,
        letters: &str,
    ) -> io::Result<bool> {
        let m = &mut self.messages[index];
        match lock.update_flags(&m.id, &m.path, op, letters)? {
            Some((path, flags)) => {
                m.path = path;
                m.flags = flags;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// RFC822.SIZE: the size with CRLF line ends (computed once per message).
    fn wire_size(&mut self, index: usize) -> io::Result<u64> {
        if let Some(size) = self.messages[index].size {
            return Ok(size);
        }
        let path = self.current_path(index)?;
        let mut file = std::fs::File::open(path)?;
        let mut buf = vec![0u8; CHUNK];
        let mut out = Vec::with_capacity(CHUNK * 2);
        let mut crlf = Crlf::default();
        let mut size = 0u64;
        loop {
            let n = file.read(&mut buf)?;
            out.clear();
            if n == 0 {
                crlf.finish(&mut out);
                size += out.len() as u64;
                break;
            }
            crlf.feed(&buf[..n], &mut out);
            size += out.len() as u64;
        }
        self.messages[index].size = Some(size);
        Ok(size)
    }

    /// Removes the messages flagged `\Deleted` on disk (within `uids` for UID EXPUNGE); returns the
    /// sequence numbers to report, highest first (so each stays valid as the earlier ones are announced),
    /// and the first error: every message removed before and after an error is reported too, so that the
    /// client's message numbers stay right.
    fn expunge(&mut self, uids: Option<&SequenceSet<'_>>) -> (Vec<u32>, Option<io::Error>) {
        let largest = self.messages.last().map_or(0, |m| m.uid);
        let mut removed = Vec::new();
        let lock = match self.maildir.lock() {
            Ok(lock) => lock,
            Err(e) => return (removed, Some(e)),
        };
        let mut error = None;
        for i in (0..self.messages.len()).rev() {
            let m = &self.messages[i];
            if uids.is_some_and(|set| !set.contains(m.uid, largest)) {
                continue;
            }
            // The flags on disk count: another session may have set or cleared \Deleted.
            let gone = match lock.locate(&m.id, &m.path) {
                Ok(Some(path)) => {
                    if !Maildir::flags(&path).contains('T') {
                        continue;
                    }
                    match lock.remove(&m.id, &path) {
                        Ok(_) => true,
                        Err(e) => {
                            error.get_or_insert(e);
                            false
                        }
                    }
                }
                // Already removed by someone else: gone all the same.
                Ok(None) => true,
                Err(e) => {
                    error.get_or_insert(e);
                    false
                }
            };
            if gone {
                let m = self.messages.remove(i);
                self.recent.remove(&m.uid);
                removed.push(len32(i + 1));
            }
        }
        (removed, error)
    }
}

/// Bare LF and bare CR become CRLF, NUL becomes a space; state carries across chunks.
#[derive(Default)]
struct Crlf {
    pending_cr: bool,
}

impl Crlf {
    fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) {
        for &b in input {
            if self.pending_cr {
                self.pending_cr = false;
                out.extend_from_slice(b"\r\n");
                if b == b'\n' {
                    continue;
                }
            }
            match b {
                b'\r' => self.pending_cr = true,
                b'\n' => out.extend_from_slice(b"\r\n"),
                0 => out.push(b' '),
                b => out.push(b),
            }
        }
    }

    fn finish(&mut self, out: &mut Vec<u8>) {
        if self.pending_cr {
            self.pending_cr = false;
            out.extend_from_slice(b"\r\n");
        }
    }
}

/// The Maildir id of a message file: its name before `:2,`.
fn maildir_id(path: &Path) -> String {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    match name.split_once(":2,") {
        Some((id, _)) => id.to_owned(),
        None => name.split(':').next().unwrap_or(name).to_owned(),
    }
}

/// The keyword names of the lowercase letters among `letters` (`keywords[i]` is letter `a + i`).
fn keyword_names(letters: &str, keywords: &[String]) -> Vec<String> {
    letters
        .bytes()
        .filter(u8::is_ascii_lowercase)
        .filter_map(|b| keywords.get(usize::from(b - b'a')))
        .filter(|k| !k.is_empty())
        .cloned()
        .collect()
}

/// The FLAGS of a message: its Maildir letters as IMAP flags and keywords, plus `\Recent`.
fn flag_list(letters: &str, recent: bool, keywords: &[String]) -> List<'static, Flag<'static>> {
    let mut flags: Vec<Flag<'static>> = maildir_flags_to_imap(letters)
        .into_iter()
        .filter_map(|name| match name {
            "\\Answered" => Some(Flag::Answered),
            "\\Flagged" => Some(Flag::Flagged),
            "\\Deleted" => Some(Flag::Deleted),
            "\\Seen" => Some(Flag::Seen),
            "\\Draft" => Some(Flag::Draft),
            _ => None,
        })
        .collect();
    flags.extend(
        keyword_names(letters, keywords)
            .into_iter()
            .filter_map(|k| Atom::new(k).map(Flag::Keyword)),
    );
    if recent {
        flags.push(Flag::Recent);
    }
    List::from_items(flags)
}

fn len32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A UID set for APPENDUID / COPYUID, in the given order (consecutive ascending runs become ranges).
fn uid_set(uids: &[u32]) -> Option<SequenceSet<'static>> {
    let mut text = String::new();
    let mut i = 0;
    while i < uids.len() {
        let start = uids[i];
        let mut end = start;
        while i + 1 < uids.len() && uids[i + 1] == end.wrapping_add(1) {
            end = uids[i + 1];
            i += 1;
        }
        if !text.is_empty() {
            text.push(',');
        }
        if start == end {
            text.push_str(&start.to_string());
        } else {
            text.push_str(&format!("{start}:{end}"));
        }
        i += 1;
    }
    SequenceSet::new(text)
}

/// LIST pattern matching: `*` matches anything, `%` anything but the hierarchy delimiter (no recursion:
/// a table over pattern and name positions).
fn wildcard_match(pattern: &[u8], name: &[u8]) -> bool {
    let n = name.len();
    // ok[j]: pattern[..i] matches name[..j]
    let mut ok = vec![false; n + 1];
    ok[0] = true;
    for &pc in pattern {
        let mut next = vec![false; n + 1];
        match pc {
            b'*' | b'%' => {
                let any = pc == b'*';
                for j in 0..=n {
                    next[j] = ok[j] || (j > 0 && next[j - 1] && (any || name[j - 1] != b'.'));
                }
            }
            c => {
                for j in 1..=n {
                    next[j] = ok[j - 1] && name[j - 1] == c;
                }
            }
        }
        ok = next;
    }
    ok[n]
}

fn set_mtime(path: &Path, time: SystemTime) -> io::Result<()> {
    std::fs::File::options()
        .write(true)
        .open(path)?
        .set_modified(time)
}

// ---------------------------------------------------------------------------------------------------------
// SEARCH

/// Evaluates search keys against one message, loading it only when a key needs its content.
struct Probe<'s> {
    sel: &'s Selected,
    index: usize,
    largest_uid: u32,
    parsed: Option<Option<Parsed>>,
    size: Option<u64>,
}

impl Probe<'_> {
    fn msg(&self) -> &Msg {
        &self.sel.messages[self.index]
    }

    fn has(&self, letter: char) -> bool {
        self.msg().flags.contains(letter)
    }

    fn has_keyword(&self, name: &str) -> bool {
        keyword_names(&self.msg().flags, &self.sel.keywords)
            .iter()
            .any(|k| k.eq_ignore_ascii_case(name))
    }

    /// Where the message file is now.
    fn path(&self) -> Option<PathBuf> {
        let m = self.msg();
        if m.path.is_file() {
            return Some(m.path.clone());
        }
        self.sel.maildir.find(&m.id).ok().flatten().map(|e| e.path)
    }

    fn content(&mut self) -> Option<&Parsed> {
        if self.parsed.is_none() {
            let parsed = self.path().and_then(|p| Parsed::read(&p).ok());
            self.parsed = Some(parsed);
        }
        self.parsed.as_ref().and_then(Option::as_ref)
    }

    /// Whether a span of the message contains `needle` (ASCII case-insensitive), streaming the file.
    fn span_contains(&mut self, span: impl Fn(&Parsed) -> Span, needle: &[u8]) -> bool {
        let Some(span) = self.content().map(span) else {
            return false;
        };
        let Some(path) = self.path() else {
            return false;
        };
        span_contains(&path, span, needle).unwrap_or(false)
    }

    fn size(&mut self) -> u64 {
        if let Some(size) = self.size {
            return size;
        }
        let size = self.content().map_or(0, |p| p.size);
        self.size = Some(size);
        size
    }

    fn header_contains(&mut self, field: &[u8], needle: &[u8]) -> bool {
        let Some(p) = self.content() else {
            return false;
        };
        let header = Header::parse(p.header(&p.root));
        header.all(field).any(|value| contains_ci(&value, needle))
    }

    fn internal_date(&self) -> Option<Date> {
        let mtime = std::fs::metadata(&self.msg().path).ok()?.modified().ok()?;
        Some(datetime_of(mtime).date)
    }

    fn sent_date(&mut self) -> Option<Date> {
        let p = self.content()?;
        let value = Header::parse(p.header(&p.root)).get(b"date")?;
        parse_rfc5322_date(&value)
    }

    fn matches(&mut self, key: &SearchKey<'_>) -> bool {
        use SearchKey as K;
        let seq = len32(self.index + 1);
        let recent = self.sel.recent.contains(&self.msg().uid);
        match key {
            K::All => true,
            K::Answered => self.has('R'),
            K::Unanswered => !self.has('R'),
            K::Deleted => self.has('T'),
            K::Undeleted => !self.has('T'),
            K::Draft => self.has('D'),
            K::Undraft => !self.has('D'),
            K::Flagged => self.has('F'),
            K::Unflagged => !self.has('F'),
            K::Seen => self.has('S'),
            K::Unseen => !self.has('S'),
            K::Recent => recent,
            K::New => recent && !self.has('S'),
            K::Old => !recent,
            K::Keyword(k) => self.has_keyword(k.as_str()),
            K::Unkeyword(k) => !self.has_keyword(k.as_str()),
            K::Larger(n) => self.size() > *n,
            K::Smaller(n) => self.size() < *n,
            K::Uid(set) => set.contains(self.msg().uid, self.largest_uid),
            K::SequenceSet(set) => set.contains(seq, len32(self.sel.messages.len())),
            K::From(s) => self.header_contains(b"from", s.as_bytes()),
            K::To(s) => self.header_contains(b"to", s.as_bytes()),
            K::Cc(s) => self.header_contains(b"cc", s.as_bytes()),
            K::Bcc(s) => self.header_contains(b"bcc", s.as_bytes()),
            K::Subject(s) => self.header_contains(b"subject", s.as_bytes()),
            K::Header(name, value) => {
                self.header_contains(&name.as_bytes().to_ascii_lowercase(), value.as_bytes())
            }
            K::Body(s) => self.span_contains(|p| Parsed::text_span(&p.root), s.as_bytes()),
            K::Text(s) => self.span_contains(Parsed::all, s.as_bytes()),
            K::Before(d) => self.internal_date().is_some_and(|x| x < *d),
            K::On(d) => self.internal_date().is_some_and(|x| x == *d),
            K::Since(d) => self.internal_date().is_some_and(|x| x >= *d),
            K::SentBefore(d) => self.sent_date().is_some_and(|x| x < *d),
            K::SentOn(d) => self.sent_date().is_some_and(|x| x == *d),
            K::SentSince(d) => self.sent_date().is_some_and(|x| x >= *d),
            K::Not(inner) => inner.try_get().is_some_and(|k| !self.matches(&k)),
            K::Or(a, b) => {
                let a = a.try_get().is_some_and(|k| self.matches(&k));
                a || b.try_get().is_some_and(|k| self.matches(&k))
            }
            K::And(keys) => keys.iter().all(|k| self.matches(&k)),
            // MODSEQ, OLDER, EMAILID, ...: extensions this server does not advertise.
            _ => false,
        }
    }
}

/// Whether `span` of a message file contains `needle` (ASCII case-insensitive), read in chunks with an
/// overlap of the needle's length.
fn span_contains(path: &Path, span: Span, needle: &[u8]) -> io::Result<bool> {
    if needle.is_empty() {
        return Ok(true);
    }
    let mut reader = SpanReader::open(path, span)?;
    let mut out = Vec::with_capacity(CHUNK * 2);
    let mut window: Vec<u8> = Vec::with_capacity(CHUNK * 2 + needle.len());
    while reader.next_chunk(&mut out)? {
        window.extend_from_slice(&out);
        if contains_ci(&window, needle) {
            return Ok(true);
        }
        let keep = needle.len().saturating_sub(1).min(window.len());
        window.drain(..window.len() - keep);
    }
    Ok(false)
}

/// Case-insensitive (ASCII) substring test; an empty needle matches.
fn contains_ci(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty()
        || (needle.len() <= hay.len()
            && hay
                .windows(needle.len())
                .any(|w| w.eq_ignore_ascii_case(needle)))
}

// ---------------------------------------------------------------------------------------------------------
// Dates

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// A file time as an IMAP date-time in UTC.
fn datetime_of(t: SystemTime) -> DateTime {
    let secs = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(0),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(0),
    };
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    let year = u16::try_from(y.clamp(0, 9999)).unwrap_or(1970);
    let date = Date::new(year, m as u8, d as u8).unwrap_or(Date {
        year: 1970,
        month: 1,
        day: 1,
    });
    DateTime::new(
        date,
        (rem / 3600) as u8,
        (rem / 60 % 60) as u8,
        (rem % 60) as u8,
        0,
    )
    .unwrap_or(DateTime {
        date,
        hour: 0,
        minute: 0,
        second: 0,
        zone: 0,
    })
}

/// The instant an IMAP date-time (APPEND's internal date) stands for.
fn system_time_of(dt: &DateTime) -> SystemTime {
    let days = days_from_civil(
        i64::from(dt.date.year),
        u32::from(dt.date.month),
        u32::from(dt.date.day),
    );
    let secs = days * 86_400
        + i64::from(dt.hour) * 3600
        + i64::from(dt.minute) * 60
        + i64::from(dt.second)
        - i64::from(dt.zone) * 60;
    match u64::try_from(secs) {
        Ok(s) => UNIX_EPOCH + Duration::from_secs(s),
        Err(_) => UNIX_EPOCH,
    }
}

/// The date of an RFC 5322 `Date:` value (`Tue, 1 Jul 2003 10:52:37 +0200`), zone ignored.
fn parse_rfc5322_date(value: &[u8]) -> Option<Date> {
    let text = String::from_utf8_lossy(value);
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let at = words
        .iter()
        .position(|w| MONTHS.contains(&w.to_ascii_lowercase().as_str()))?;
    let month = MONTHS
        .iter()
        .position(|m| *m == words[at].to_ascii_lowercase())?;
    let day: u8 = words.get(at.checked_sub(1)?)?.parse().ok()?;
    let mut year: u16 = words.get(at + 1)?.parse().ok()?;
    if year < 50 {
        year += 2000;
    } else if year < 1000 {
        year += 1900;
    }
    Date::new(year, month as u8 + 1, day)
}

// ---------------------------------------------------------------------------------------------------------
// A small RFC 5322 / MIME parser (RFC 2045, 2046) for ENVELOPE, BODYSTRUCTURE and BODY[section]

/// Header bytes kept per entity for ENVELOPE, BODYSTRUCTURE, HEADER.FIELDS and SEARCH (the HEADER and TEXT
/// sections are served whole from the file, whatever their size).
const HEADER_CAP: usize = 64 * 1024;
/// Header bytes kept per message in all.
const HEADER_BUDGET: usize = 1024 * 1024;
/// MIME entities recognised per message; later boundaries are part of the last entity's body.
const MAX_ENTITIES: usize = 5_000;
/// The longest line head the parser looks at (boundary lines are at most 70 + 6 characters).
const LINE_HEAD: usize = 1024;

/// A message's MIME tree, computed by reading its file once in chunks ([`Parsed::read`]): positions are
/// in the message as sent (CRLF line ends), with the file offset of each entity's start and body so that
/// a section is streamed from the file. Memory is bounded by [`HEADER_BUDGET`] and [`MAX_ENTITIES`], not
/// by the message size.
struct Parsed {
    root: Node,
    /// The size as sent (RFC822.SIZE).
    size: u64,
}

/// An entity: a header and a body, as ranges of the message as sent.
#[derive(Debug, Default)]
struct Node {
    start: u64,
    /// Where the body starts (after the blank line).
    body: u64,
    end: u64,
    /// The file offsets of `start` and `body` (line starts: the CRLF conversion starts afresh there).
    file_start: u64,
    file_body: u64,
    /// Media type and subtype, lowercase.
    media: (String, String),
    params: Vec<(String, String)>,
    /// The header as sent, at most [`HEADER_CAP`] bytes (whole lines).
    header: Vec<u8>,
    /// Lines of the body (RFC 3501 body-fld-lines).
    lines: u32,
    /// The parts of a multipart.
    children: Vec<Node>,
    /// The message inside a message/rfc822 part.
    message: Option<Box<Node>>,
}

/// A range of the message as sent, with a line start to begin the conversion at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    /// File offset and wire offset of a line start at or before `from`.
    anchor_file: u64,
    anchor_wire: u64,
    from: u64,
    to: u64,
}

impl Span {
    fn len(&self) -> u64 {
        self.to.saturating_sub(self.from)
    }

    /// `<origin.count>` of the span.
    fn partial(self, partial: Option<(u32, u32)>) -> Span {
        match partial {
            None => self,
            Some((origin, count)) => {
                let from = self.from.saturating_add(u64::from(origin)).min(self.to);
                let to = from.saturating_add(u64::from(count)).min(self.to);
                Span { from, to, ..self }
            }
        }
    }
}

impl Parsed {
    /// The header of `n` (as kept: at most [`HEADER_CAP`] bytes).
    fn header<'n>(&self, n: &'n Node) -> &'n [u8] {
        &n.header
    }

    /// The whole message.
    fn all(&self) -> Span {
        Span {
            anchor_file: 0,
            anchor_wire: 0,
            from: 0,
            to: self.size,
        }
    }

    /// The header of `n`, from its file.
    fn header_span(n: &Node) -> Span {
        Span {
            anchor_file: n.file_start,
            anchor_wire: n.start,
            from: n.start,
            to: n.body,
        }
    }

    /// The body of `n`, from its file.
    fn text_span(n: &Node) -> Span {
        Span {
            anchor_file: n.file_body,
            anchor_wire: n.body,
            from: n.body,
            to: n.end,
        }
    }

    /// Reads the message file in chunks and builds its tree.
    fn read(path: &Path) -> io::Result<Parsed> {
        let mut lines = WireLines::new(std::fs::File::open(path)?);
        let mut builder = TreeBuilder::default();
        let mut head = Vec::with_capacity(LINE_HEAD);
        while let Some(line) = lines.next_line(&mut head, builder.line_head())? {
            builder.line(&line, &head);
        }
        let size = lines.wire;
        Ok(Parsed {
            root: builder.finish(size),
            size,
        })
    }
}

/// One line of the message as sent.
struct LineInfo {
    wire_start: u64,
    /// Its length as sent, with its CRLF.
    wire_len: u64,
    /// The file offset after its line end.
    file_next: u64,
    /// Whether it ends in a line end (the last line may not).
    terminated: bool,
    /// The length of its content (without the line end).
    content_len: u64,
}

/// Splits a file into the lines of the message as sent (LF, CRLF and a bare CR each end a line), keeping
/// the first bytes of each (as many as the parser asks for; NUL sent as a space).
struct WireLines {
    src: std::fs::File,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    eof: bool,
    /// Offsets after the last line: in the file and as sent.
    file: u64,
    wire: u64,
}

impl WireLines {
    fn new(src: std::fs::File) -> WireLines {
        WireLines {
            src,
            buf: vec![0; CHUNK],
            pos: 0,
            len: 0,
            eof: false,
            file: 0,
            wire: 0,
        }
    }

    /// Makes `buf[pos..len]` non-empty unless at the end of the file.
    fn fill(&mut self) -> io::Result<bool> {
        if self.pos < self.len {
            return Ok(true);
        }
        if self.eof {
            return Ok(false);
        }
        self.pos = 0;
        self.len = self.src.read(&mut self.buf)?;
        if self.len == 0 {
            self.eof = true;
        }
        Ok(self.len > 0)
    }

    fn next_line(&mut self, head: &mut Vec<u8>, cap: usize) -> io::Result<Option<LineInfo>> {
        head.clear();
        let wire_start = self.wire;
        let mut content_len = 0u64;
        let mut terminated = false;
        let mut consumed = 0u64;
        loop {
            if !self.fill()? {
                break;
            }
            let chunk = &self.buf[self.pos..self.len];
            match memchr::memchr2(b'\r', b'\n', chunk) {
                Some(i) => {
                    let room = cap.saturating_sub(head.len()).min(i);
                    head.extend(chunk[..room].iter().map(|&b| if b == 0 { b' ' } else { b }));
                    content_len += i as u64;
                    let cr = chunk[i] == b'\r';
                    self.pos += i + 1;
                    consumed += i as u64 + 1;
                    terminated = true;
                    if cr && self.fill()? && self.buf[self.pos] == b'\n' {
                        self.pos += 1;
                        consumed += 1;
                    }
                    break;
                }
                None => {
                    let room = cap.saturating_sub(head.len()).min(chunk.len());
                    head.extend(chunk[..room].iter().map(|&b| if b == 0 { b' ' } else { b }));
                    content_len += chunk.len() as u64;
                    consumed += chunk.len() as u64;
                    self.pos = self.len;
                }
            }
        }
        if consumed == 0 {
            return Ok(None);
        }
        let wire_len = content_len + if terminated { 2 } else { 0 };
        self.file += consumed;
        self.wire += wire_len;
        Ok(Some(LineInfo {
            wire_start,
            wire_len,
            file_next: self.file,
            terminated,
            content_len,
        }))
    }
}

/// What an open entity is reading.
enum Reading {
    Header,
    /// A leaf body (or a message/rfc822 part, whose inner message is the next entity up the stack).
    Body,
    /// A multipart body: its boundary; `closed` after the close delimiter (the epilogue).
    Multipart {
        boundary: Vec<u8>,
        closed: bool,
    },
}

/// An entity being read.
struct Open {
    node: Node,
    reading: Reading,
    depth: usize,
    /// The default media type of its parts (`message/rfc822` in a multipart/digest).
    child_default: (&'static str, &'static str),
    /// Line ends seen in the body so far, and where the last two ended (for body-fld-lines).
    line_ends: u64,
    last_end: u64,
    before_last_end: u64,
    /// Whether the header field being read is left out (it did not fit).
    skipping_field: bool,
}

impl Open {
    fn new(start: u64, file_start: u64, depth: usize, default: (&str, &str)) -> Open {
        Open {
            node: Node {
                start,
                body: start,
                end: start,
                file_start,
                file_body: file_start,
                media: (default.0.to_owned(), default.1.to_owned()),
                ..Node::default()
            },
            reading: Reading::Header,
            depth,
            child_default: ("text", "plain"),
            line_ends: 0,
            last_end: u64::MAX,
            before_last_end: u64::MAX,
            skipping_field: false,
        }
    }

    /// Ends the entity at `end`: the body's line count (RFC 3501: lines of the body as sent).
    fn close(mut self, end: u64) -> Node {
        let n = &mut self.node;
        n.end = end.max(n.start);
        if matches!(self.reading, Reading::Header) {
            // No blank line: all header, an empty body.
            n.body = n.end;
            n.file_body = n.file_start;
        }
        n.body = n.body.min(n.end);
        let e = n.end;
        let crlfs_inside = self.line_ends
            - u64::from(self.last_end != u64::MAX && self.last_end > e)
            - u64::from(self.before_last_end != u64::MAX && self.before_last_end > e);
        let ends_with_crlf = self.last_end == e || self.before_last_end == e;
        let partial = e > n.body && !ends_with_crlf;
        n.lines = len32(usize::try_from(crlfs_inside + u64::from(partial)).unwrap_or(usize::MAX));
        self.node
    }
}

/// Builds the MIME tree line by line (RFC 2045, RFC 2046 §5.1.1: the CRLF before a boundary line belongs to
/// the boundary; a boundary of an enclosing multipart ends the inner entities).
#[derive(Default)]
struct TreeBuilder {
    stack: Vec<Open>,
    entities: usize,
    header_bytes: usize,
    root: Option<Node>,
}

impl TreeBuilder {
    fn line(&mut self, line: &LineInfo, head: &[u8]) {
        if self.stack.is_empty() && self.root.is_none() {
            self.stack.push(Open::new(0, 0, 0, ("text", "plain")));
            self.entities = 1;
        }
        // A boundary of an open multipart (the innermost that matches)?
        if line.content_len as usize == head.len() {
            if let Some((level, close)) = self.boundary_at(head) {
                let end = line.wire_start.saturating_sub(2);
                while self.stack.len() > level + 1 {
                    self.pop(end);
                }
                let next_start = line.wire_start + line.wire_len;
                self.count_line(line);
                let open = &mut self.stack[level];
                if close {
                    if let Reading::Multipart { closed, .. } = &mut open.reading {
                        *closed = true;
                    }
                } else if self.entities < MAX_ENTITIES {
                    let (depth, default) = (open.depth + 1, open.child_default);
                    self.entities += 1;
                    self.stack
                        .push(Open::new(next_start, line.file_next, depth, default));
                }
                return;
            }
        }
        self.count_line(line);
        let Some(open) = self.stack.last_mut() else {
            return;
        };
        if !matches!(open.reading, Reading::Header) {
            return;
        }
        if line.content_len == 0 && line.terminated {
            // The blank line: the header ends, the body starts after it.
            open.node.body = line.wire_start + line.wire_len;
            open.node.file_body = line.file_next;
            self.end_header();
            return;
        }
        // A field that does not fit (longer than HEADER_CAP, or past the budget) is left out with its
        // folded lines; the fields after it are still kept.
        let continuation = matches!(head.first(), Some(b' ' | b'\t'));
        if !continuation {
            open.skipping_field = false;
        }
        if open.skipping_field {
            return;
        }
        let room = HEADER_CAP.min(HEADER_BUDGET.saturating_sub(self.header_bytes));
        let whole = line.content_len as usize == head.len();
        if whole && open.node.header.len() + head.len() + 2 <= room {
            open.node.header.extend_from_slice(head);
            open.node.header.extend_from_slice(b"\r\n");
            self.header_bytes += head.len() + 2;
        } else {
            open.skipping_field = true;
        }
    }

    /// How much of the next line the parser needs: a header line whole (up to [`HEADER_CAP`]), another
    /// line only far enough to tell a boundary.
    fn line_head(&self) -> usize {
        match self.stack.last() {
            Some(open) if !matches!(open.reading, Reading::Header) => LINE_HEAD,
            _ => HEADER_CAP,
        }
    }

    /// The stack level of the multipart whose boundary `head` is, and whether it is the close delimiter.
    fn boundary_at(&self, head: &[u8]) -> Option<(usize, bool)> {
        let rest = head.strip_prefix(b"--")?;
        for (level, open) in self.stack.iter().enumerate().rev() {
            let Reading::Multipart { boundary, closed } = &open.reading else {
                continue;
            };
            if *closed {
                continue;
            }
            let Some(after) = rest.strip_prefix(&boundary[..]) else {
                continue;
            };
            let close = after.starts_with(b"--");
            let after = if close { &after[2..] } else { after };
            if after.iter().all(|b| *b == b' ' || *b == b'\t') {
                return Some((level, close));
            }
        }
        None
    }

    /// Counts a line in the body of every open entity whose body it is in.
    fn count_line(&mut self, line: &LineInfo) {
        if !line.terminated {
            return;
        }
        let end = line.wire_start + line.wire_len;
        for open in &mut self.stack {
            if !matches!(open.reading, Reading::Header) && line.wire_start >= open.node.body {
                open.line_ends += 1;
                open.before_last_end = open.last_end;
                open.last_end = end;
            }
        }
    }

    /// The header of the innermost entity ended: its type decides what its body is.
    fn end_header(&mut self) {
        let Some(open) = self.stack.last_mut() else {
            return;
        };
        let header = Header::parse(&open.node.header);
        let default = (open.node.media.0.clone(), open.node.media.1.clone());
        let (mut t, mut s, mut params) = header
            .get(b"content-type")
            .and_then(|v| parse_content_type(&v))
            .unwrap_or((default.0, default.1, Vec::new()));
        if t == "text" && !params.iter().any(|(k, _)| k == "charset") {
            params.push(("charset".to_owned(), "us-ascii".to_owned()));
        }
        let composite = t == "multipart" || (t == "message" && s == "rfc822");
        let mut reading = Reading::Body;
        let mut inner = None;
        if composite && (open.depth >= MIME_DEPTH || self.entities >= MAX_ENTITIES) {
            (t, s) = ("application".to_owned(), "octet-stream".to_owned());
        } else if t == "multipart" {
            let boundary = params
                .iter()
                .find(|(k, _)| k == "boundary")
                .map(|(_, v)| v.clone())
                .filter(|b| !b.is_empty() && b.len() <= 200);
            match boundary {
                Some(boundary) => {
                    open.child_default = if s == "digest" {
                        ("message", "rfc822")
                    } else {
                        ("text", "plain")
                    };
                    reading = Reading::Multipart {
                        boundary: boundary.into_bytes(),
                        closed: false,
                    };
                }
                None => {
                    // Not a usable multipart: served as plain text.
                    (t, s) = ("text".to_owned(), "plain".to_owned());
                    params = vec![("charset".to_owned(), "us-ascii".to_owned())];
                }
            }
        } else if t == "message" && s == "rfc822" {
            inner = Some(Open::new(
                open.node.body,
                open.node.file_body,
                open.depth + 1,
                ("text", "plain"),
            ));
        }
        open.node.media = (t, s);
        open.node.params = params;
        open.reading = reading;
        if let Some(inner) = inner {
            self.entities += 1;
            self.stack.push(inner);
        }
    }

    /// Closes the innermost entity at `end` and hangs it on its parent.
    fn pop(&mut self, end: u64) {
        if let Some(top) = self.stack.last_mut() {
            if matches!(top.reading, Reading::Header) {
                // The header never ended: all of it is header, the body is empty; its type still counts.
                top.node.body = end.max(top.node.start);
                let depth = self.stack.len();
                self.end_header();
                while self.stack.len() > depth {
                    self.pop(end);
                }
            }
        }
        let Some(open) = self.stack.pop() else {
            return;
        };
        let node = open.close(end);
        match self.stack.last_mut() {
            Some(parent) => match parent.reading {
                Reading::Multipart { .. } => parent.node.children.push(node),
                _ => parent.node.message = Some(Box::new(node)),
            },
            None => self.root = Some(node),
        }
    }

    /// Closes everything at the end of the message.
    fn finish(mut self, size: u64) -> Node {
        if self.stack.is_empty() && self.root.is_none() {
            self.stack.push(Open::new(0, 0, 0, ("text", "plain")));
        }
        while !self.stack.is_empty() {
            self.pop(size);
        }
        let mut root = self.root.unwrap_or_default();
        fix_empty_multiparts(&mut root);
        root
    }
}

/// A multipart without parts (no boundary line found) is served as plain text.
fn fix_empty_multiparts(n: &mut Node) {
    if n.media.0 == "multipart" && n.children.is_empty() {
        n.media = ("text".to_owned(), "plain".to_owned());
        n.params = vec![("charset".to_owned(), "us-ascii".to_owned())];
    }
    for c in &mut n.children {
        fix_empty_multiparts(c);
    }
    if let Some(m) = &mut n.message {
        fix_empty_multiparts(m);
    }
}

/// Header fields, each as its name and its raw lines (with folding and CRLF).
struct Header<'a> {
    fields: Vec<(&'a [u8], &'a [u8])>,
}

impl<'a> Header<'a> {
    fn parse(header: &'a [u8]) -> Header<'a> {
        let mut spans: Vec<(usize, usize, usize)> = Vec::new(); // (start, colon, end)
        let mut i = 0;
        while i < header.len() {
            let end =
                memchr::memmem::find(&header[i..], b"\r\n").map_or(header.len(), |e| i + e + 2);
            let line = &header[i..end];
            if line == b"\r\n" {
                break;
            }
            if matches!(line.first(), Some(b' ' | b'\t')) {
                if let Some(last) = spans.last_mut() {
                    last.2 = end;
                }
            } else if let Some(colon) = memchr::memchr(b':', line) {
                spans.push((i, i + colon, end));
            }
            i = end;
        }
        Header {
            fields: spans
                .into_iter()
                .map(|(s, c, e)| (trim(&header[s..c]), &header[s..e]))
                .collect(),
        }
    }

    /// Every value of field `name` (lowercase), unfolded and trimmed.
    fn all<'s>(&'s self, name: &'s [u8]) -> impl Iterator<Item = Vec<u8>> + 's {
        self.fields
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, raw)| unfold(raw))
    }

    /// The first value of field `name`.
    fn get(&self, name: &[u8]) -> Option<Vec<u8>> {
        self.all(name).next()
    }

    fn nstring(&self, name: &[u8]) -> NString<'static> {
        self.get(name).map(IString::new)
    }
}

fn trim(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &b[start..end.max(start)]
}

/// A field's value: after the colon, CR and LF removed, trimmed.
fn unfold(raw: &[u8]) -> Vec<u8> {
    let colon = memchr::memchr(b':', raw).map_or(raw.len(), |c| c + 1);
    let value: Vec<u8> = raw[colon..]
        .iter()
        .copied()
        .filter(|&b| b != b'\r' && b != b'\n')
        .collect();
    trim(&value).to_vec()
}

/// Removes RFC 5322 comments (parenthesised, outside quoted strings).
fn strip_comments(s: &str) -> String {
    let (mut out, mut depth, mut quoted, mut escaped) = (String::new(), 0usize, false, false);
    for c in s.chars() {
        if escaped {
            escaped = false;
            if depth == 0 {
                out.push(c);
            }
            continue;
        }
        match c {
            '\\' if quoted || depth > 0 => {
                escaped = true;
                if depth == 0 {
                    out.push(c);
                }
            }
            '"' if depth == 0 => {
                quoted = !quoted;
                out.push(c);
            }
            '(' if !quoted => depth += 1,
            ')' if !quoted && depth > 0 => depth -= 1,
            _ if depth > 0 => {}
            _ => out.push(c),
        }
    }
    out
}

/// Splits at `;` outside quoted strings.
fn split_semicolons(s: &str) -> Vec<String> {
    let (mut parts, mut cur, mut quoted, mut escaped) = (Vec::new(), String::new(), false, false);
    for c in s.chars() {
        if escaped {
            escaped = false;
            cur.push(c);
            continue;
        }
        match c {
            '\\' if quoted => {
                escaped = true;
                cur.push(c);
            }
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            ';' if !quoted => parts.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    parts.push(cur);
    parts
}

/// A quoted string's content (escapes removed), or the trimmed text.
fn unquote(s: &str) -> String {
    let s = s.trim();
    match s.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        Some(inner) => {
            let mut out = String::new();
            let mut escaped = false;
            for c in inner.chars() {
                if escaped || c != '\\' {
                    out.push(c);
                    escaped = false;
                } else {
                    escaped = true;
                }
            }
            out
        }
        None => s.to_owned(),
    }
}

/// `value; name=value; name="quoted"` as the first value and the parameters.
fn parse_parameterised(value: &[u8]) -> (String, Vec<(String, String)>) {
    let text = strip_comments(&String::from_utf8_lossy(value));
    let mut parts = split_semicolons(&text).into_iter();
    let first = parts.next().unwrap_or_default().trim().to_owned();
    let params = parts
        .filter_map(|p| {
            let (name, value) = p.split_once('=')?;
            let name = name.trim();
            (!name.is_empty()).then(|| (name.to_ascii_lowercase(), unquote(value)))
        })
        .collect();
    (first, params)
}

/// Content-Type as lowercase type and subtype with parameters; `None` when it does not parse.
/// A media type, subtype and parameters.
type MediaType = (String, String, Vec<(String, String)>);

fn parse_content_type(value: &[u8]) -> Option<MediaType> {
    let (first, params) = parse_parameterised(value);
    let (t, s) = first.split_once('/')?;
    let token = |x: &str| {
        !x.is_empty()
            && x.bytes()
                .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?=".contains(&b))
    };
    let (t, s) = (t.trim(), s.trim());
    (token(t) && token(s)).then(|| (t.to_ascii_lowercase(), s.to_ascii_lowercase(), params))
}

fn istring(s: &str) -> IString<'static> {
    IString::new(s.as_bytes().to_vec())
}

fn params_list(
    params: &[(String, String)],
) -> Option<List<'static, (IString<'static>, NString<'static>)>> {
    (!params.is_empty()).then(|| {
        List::from_items(
            params
                .iter()
                .map(|(k, v)| (istring(&k.to_ascii_uppercase()), Some(istring(v))))
                .collect(),
        )
    })
}

fn extension(header: &Header<'_>) -> BodyExtension<'static> {
    let disposition = header.get(b"content-disposition").and_then(|v| {
        let (kind, params) = parse_parameterised(&v);
        (!kind.is_empty()).then(|| Disposition {
            kind: istring(&kind),
            params: params_list(&params),
        })
    });
    let language = header.get(b"content-language").map(|v| {
        let text = String::from_utf8_lossy(&v).into_owned();
        List::from_items(
            text.split(',')
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(istring)
                .collect(),
        )
    });
    BodyExtension {
        disposition: Some(disposition),
        language: Some(language),
        location: Some(header.nstring(b"content-location")),
        ..BodyExtension::default()
    }
}

/// BODY (`ext` false) or BODYSTRUCTURE of an entity.
fn body_structure(p: &Parsed, n: &Node, ext: bool) -> BodyStructure<'static> {
    let header = Header::parse(p.header(n));
    if !n.children.is_empty() {
        return BodyStructure::Multi(MultiPart {
            parts: List::from_items(
                n.children
                    .iter()
                    .map(|c| body_structure(p, c, ext))
                    .collect(),
            ),
            subtype: istring(&n.media.1.to_ascii_uppercase()),
            params: ext.then(|| params_list(&n.params)),
            ext: if ext {
                extension(&header)
            } else {
                BodyExtension::default()
            },
        });
    }
    let lines = n.lines;
    let specific = match &n.message {
        Some(inner) => Specific::Message {
            envelope: Lazy::new(envelope(p, inner)),
            body: Lazy::new(body_structure(p, inner, ext)),
            lines,
        },
        None if n.media.0 == "text" => Specific::Text { lines },
        None => Specific::Basic,
    };
    let encoding = header
        .get(b"content-transfer-encoding")
        .map(|v| String::from_utf8_lossy(&v).trim().to_ascii_uppercase())
        .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_graphic()))
        .unwrap_or_else(|| "7BIT".to_owned());
    BodyStructure::Single(SinglePart {
        media_type: istring(&n.media.0.to_ascii_uppercase()),
        subtype: istring(&n.media.1.to_ascii_uppercase()),
        params: params_list(&n.params),
        id: header.nstring(b"content-id"),
        description: header.nstring(b"content-description"),
        encoding: istring(&encoding),
        size: u32::try_from(n.end - n.body).unwrap_or(u32::MAX),
        specific,
        md5: ext.then_some(None),
        ext: if ext {
            extension(&header)
        } else {
            BodyExtension::default()
        },
    })
}

/// The ENVELOPE of a message entity (RFC 3501 §7.4.2: Sender and Reply-To default to From).
fn envelope(p: &Parsed, n: &Node) -> Envelope<'static> {
    let header = Header::parse(p.header(n));
    let addresses = |name: &[u8]| {
        header
            .get(name)
            .map(|v| parse_address_list(&v))
            .filter(|l| !l.is_empty())
    };
    let from = addresses(b"from");
    let list = |l: Option<Vec<Address<'static>>>| AddressList::from(l.map(List::from_items));
    Envelope {
        date: header.nstring(b"date"),
        subject: header.nstring(b"subject"),
        sender: list(addresses(b"sender").or_else(|| from.clone())),
        reply_to: list(addresses(b"reply-to").or_else(|| from.clone())),
        from: list(from),
        to: list(addresses(b"to")),
        cc: list(addresses(b"cc")),
        bcc: list(addresses(b"bcc")),
        in_reply_to: header.nstring(b"in-reply-to"),
        message_id: header.nstring(b"message-id"),
    }
}

/// An address list (RFC 5322 §3.4), with groups as IMAP writes them (a start `(NIL NIL name NIL)`, the
/// members, an end `(NIL NIL NIL NIL)`).
fn parse_address_list(value: &[u8]) -> Vec<Address<'static>> {
    let mut out = Vec::new();
    let mut cur: Vec<u8> = Vec::new();
    let (mut quoted, mut escaped, mut angle, mut paren, mut group) =
        (false, false, 0u32, 0u32, false);
    for &b in value {
        if escaped {
            escaped = false;
            cur.push(b);
            continue;
        }
        match b {
            b'\\' if quoted || paren > 0 => {
                escaped = true;
                cur.push(b);
            }
            b'"' if paren == 0 => {
                quoted = !quoted;
                cur.push(b);
            }
            _ if quoted => cur.push(b),
            b'(' => {
                paren += 1;
                cur.push(b);
            }
            b')' if paren > 0 => {
                paren -= 1;
                cur.push(b);
            }
            _ if paren > 0 => cur.push(b),
            b'<' => {
                angle += 1;
                cur.push(b);
            }
            b'>' if angle > 0 => {
                angle -= 1;
                cur.push(b);
            }
            b':' if angle == 0 && !group => {
                let name = unquote(&strip_comments(&String::from_utf8_lossy(&cur)));
                cur.clear();
                out.push(Address {
                    mailbox: Some(istring(&name)),
                    ..Address::default()
                });
                group = true;
            }
            b',' if angle == 0 => {
                out.extend(parse_mailbox(&std::mem::take(&mut cur)));
            }
            b';' if angle == 0 && group => {
                out.extend(parse_mailbox(&std::mem::take(&mut cur)));
                out.push(Address::default());
                group = false;
            }
            _ => cur.push(b),
        }
    }
    out.extend(parse_mailbox(&cur));
    if group {
        out.push(Address::default());
    }
    out
}

/// One `name <local@domain>` or `local@domain`.
fn parse_mailbox(item: &[u8]) -> Option<Address<'static>> {
    let raw = String::from_utf8_lossy(item).into_owned();
    let text = strip_comments(&raw);
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let (name, addr) = match (text.rfind('<'), text.rfind('>')) {
        (Some(lt), gt) => {
            let gt = gt.filter(|g| *g > lt).unwrap_or(text.len());
            (
                Some(unquote(&text[..lt])),
                text[lt + 1..gt].trim().to_owned(),
            )
        }
        _ => (None, text.to_owned()),
    };
    let name = name
        .map(|n| n.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|n| !n.is_empty());
    let (adl, addr) = match addr.strip_prefix('@').and_then(|_| addr.split_once(':')) {
        Some((route, rest)) => (Some(route.to_owned()), rest.to_owned()),
        None => (None, addr),
    };
    let (mailbox, host) = match addr.rsplit_once('@') {
        Some((local, host)) => (unquote(local), host.to_owned()),
        None => (unquote(&addr), "MISSING_DOMAIN".to_owned()),
    };
    let mailbox = if mailbox.is_empty() {
        "MISSING_MAILBOX".to_owned()
    } else {
        mailbox
    };
    Some(Address {
        name: name.map(|n| istring(&n)),
        adl: adl.map(|a| istring(&a)),
        mailbox: Some(istring(&mailbox)),
        host: Some(istring(&host)),
    })
}

/// The entity a part number names (RFC 3501 §6.4.5): in a multipart, part n is its nth child; a
/// non-multipart has only part 1, itself; a further number goes inside a message/rfc822 part.
fn find_part<'n>(root: &'n Node, part: &[u32]) -> Option<&'n Node> {
    let mut cur = root;
    for (i, &n) in part.iter().enumerate() {
        if i > 0 {
            if let Some(inner) = &cur.message {
                cur = inner;
            }
        }
        if !cur.children.is_empty() {
            cur = cur.children.get(usize::try_from(n).ok()?.checked_sub(1)?)?;
        } else if n != 1 {
            return None;
        }
    }
    Some(cur)
}

/// What `BODY[section]` is: a range streamed from the file, or bytes made here (HEADER.FIELDS).
enum SectionData {
    Span(Span),
    Bytes(Vec<u8>),
}

/// `BODY[section]` (empty when the part does not exist).
fn section_data(p: &Parsed, section: &Section<'_>) -> SectionData {
    let empty = SectionData::Bytes(Vec::new());
    let nums: Vec<u32> = section.part.iter().collect();
    let Some(node) = find_part(&p.root, &nums) else {
        return empty;
    };
    // HEADER / TEXT of a part address the message inside a message/rfc822 part.
    let message = if nums.is_empty() {
        Some(node)
    } else {
        node.message.as_deref()
    };
    match &section.text {
        None if nums.is_empty() => SectionData::Span(p.all()),
        None => SectionData::Span(Parsed::text_span(node)),
        Some(SectionText::Mime) => SectionData::Span(Parsed::header_span(node)),
        Some(SectionText::Header) => {
            message.map_or(empty, |m| SectionData::Span(Parsed::header_span(m)))
        }
        Some(SectionText::Text) => {
            message.map_or(empty, |m| SectionData::Span(Parsed::text_span(m)))
        }
        Some(SectionText::HeaderFields(names)) | Some(SectionText::HeaderFieldsNot(names)) => {
            let Some(m) = message else {
                return empty;
            };
            let not = matches!(section.text, Some(SectionText::HeaderFieldsNot(_)));
            let names: Vec<Vec<u8>> = names.iter().map(|n| n.as_bytes().to_vec()).collect();
            let header = Header::parse(p.header(m));
            let mut out = Vec::new();
            for (name, raw) in &header.fields {
                let listed = names.iter().any(|n| n.eq_ignore_ascii_case(name));
                if listed != not {
                    out.extend_from_slice(raw);
                    if !raw.ends_with(b"\r\n") {
                        out.extend_from_slice(b"\r\n");
                    }
                }
            }
            out.extend_from_slice(b"\r\n");
            SectionData::Bytes(out)
        }
        Some(_) => empty,
    }
}
