//! An IMAP server over a Maildir: [`mailwire::imap::Server`] driven by tokio.
//!
//! ```text
//! cargo run --example imap_server -- --listen 127.0.0.1:1143 --maildir DIR --user NAME:PASS \
//!     [--tls-cert FILE --tls-key FILE] [--listen-tls ADDR] [--idle-timeout SECS] ...
//! ```
//!
//! One user, one Maildir (INBOX is `DIR` itself, folders are Maildir++ `.Sub.Folder` directories with `.`
//! as the hierarchy separator). What it does (RFC 3501 / IMAP4rev1, with UIDPLUS, MOVE, IDLE, UNSELECT,
//! NAMESPACE, LITERAL+ and SASL-IR):
//!
//! - LOGIN and AUTHENTICATE PLAIN (allowed without TLS: a lab server), STARTTLS when a certificate is given;
//! - LIST / LSUB (`*` and `%` patterns), CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, STATUS, NAMESPACE;
//! - SELECT / EXAMINE with FLAGS, EXISTS, RECENT, UNSEEN, UIDVALIDITY, UIDNEXT and PERMANENTFLAGS; UIDs are
//!   kept in a `mailwire-uidlist` file per mailbox;
//! - FETCH and UID FETCH: FLAGS, UID, INTERNALDATE (the file's modification time), RFC822.SIZE, ENVELOPE,
//!   BODY and BODYSTRUCTURE (from a small header and MIME parser in this file: unfolded header fields,
//!   Content-Type parameters, nested multiparts and message/rfc822 parts; what it cannot parse is served as
//!   a single text/plain part), BODY[section]<partial> with HEADER, HEADER.FIELDS (.NOT), TEXT, MIME and
//!   part numbers, RFC822, RFC822.HEADER, RFC822.TEXT. A whole message (BODY[], RFC822) is streamed from
//!   its file in chunks;
//! - SEARCH and UID SEARCH with the usual keys (flags, sequence and UID sets, FROM/TO/CC/BCC/SUBJECT/HEADER,
//!   BODY/TEXT, LARGER/SMALLER, dates, NOT/OR and parenthesised lists);
//! - STORE (FLAGS, +FLAGS, -FLAGS, .SILENT) mapped to the Maildir flag letters of the file name, COPY, MOVE,
//!   EXPUNGE, UID EXPUNGE, CLOSE, UNSELECT, APPEND streamed into a Maildir delivery (flags and date kept,
//!   APPENDUID returned);
//! - IDLE: a connection that changes a mailbox (APPEND, STORE, EXPUNGE, COPY, MOVE) tells the others through
//!   a broadcast channel; one idling on that mailbox sends EXISTS / EXPUNGE / FETCH FLAGS at once, the others
//!   at their next NOOP.
//!
//! Maildir files often end their lines in LF alone: the server sends every message with CRLF line ends
//! (and counts RFC822.SIZE and the literal sizes that way), and a NUL byte, which an IMAP literal cannot
//! carry, as a space. Only the system flags are stored (`\*` is not in PERMANENTFLAGS). File-system calls
//! are blocking, which is fine for an example. One line per command goes to stderr.
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

use common::maildir::{imap_flags_to_maildir, maildir_flags_to_imap};
use common::{Args, Delivery, Maildir, MessageEntry, Session, Stream, Wake};
use mailwire::imap::{
    Address, BodyExtension, BodyStructure, Code, Command, CommandBody, Data, Date, DateTime,
    Disposition, Envelope, FetchAttribute, FetchAttributes, FetchItem, FetchLiteral, Flag, IString,
    Lazy, List, Mailbox, MailboxAttribute, MailboxList, MultiPart, NString, Namespace, SearchKey,
    Section, SectionText, SequenceSet, Server, ServerConfig, ServerEvent, SinglePart, Specific,
    StatusItem, StatusKind, StoreKind,
};
use mailwire::wire::sasl::{Authentication, Mechanism};
use tokio::sync::broadcast;
use tokio_rustls::TlsAcceptor;

const USAGE: &str = "--listen ADDR --maildir DIR --user NAME:PASS [options]
  --maildir DIR              INBOX; folders are Maildir++ .Sub.Folder directories (created if missing)
  --user NAME:PASS           the one user and its password
  --idle-timeout SECS        the autologout timer (default 1800, RFC 9051 section 5.4)
";

/// What every client hears when the server shuts down (RFC 9051 §7.1.5).
const GOODBYE: &[u8] = b"* BYE server shutting down\r\n";

/// How much of a message file is read and pushed to the machine at a time.
const CHUNK: usize = 64 * 1024;

/// How deep MIME parts may nest before the rest is treated as an opaque part.
const MIME_DEPTH: usize = 20;

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
        cache: None,
    };
    let mut changes = shared.changes.subscribe();
    conn.log("connected");
    session.flush().await?;

    loop {
        let mut start_tls = false;
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
        if session.conn.is_closed() || session.is_eof() {
            break;
        }
        if let Wake::Other(change) = session.read_or(changes.recv()).await? {
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
    /// The last message parsed (by UID), for FETCH of several items of one message.
    cache: Option<(u32, Arc<Parsed>)>,
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
            session.conn.send_data(&data)?;
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
                session.conn.send_data(&Data::Namespace {
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
                let mut out = Vec::new();
                for item in items.iter() {
                    let count = |f: &dyn Fn(&MessageEntry) -> bool| {
                        let n = list.messages.iter().filter(|(_, e)| f(e)).count();
                        u32::try_from(n).unwrap_or(u32::MAX)
                    };
                    let value = match item.as_str().to_ascii_uppercase().as_str() {
                        "MESSAGES" => StatusItem::Messages(count(&|_| true)),
                        "RECENT" => StatusItem::Recent(count(&|e| e.is_new)),
                        "UIDNEXT" => StatusItem::UidNext(list.next_uid),
                        "UIDVALIDITY" => StatusItem::UidValidity(list.uid_validity),
                        "UNSEEN" => StatusItem::Unseen(count(&|e| !e.flags.contains('S'))),
                        "DELETED" => StatusItem::Deleted(count(&|e| e.flags.contains('T'))),
                        "SIZE" => StatusItem::Size(list.messages.iter().map(|(_, e)| e.size).sum()),
                        other => return Ok(Done::Bad(format!("unknown STATUS item {other}"))),
                    };
                    out.push(value);
                }
                session.conn.send_data(&Data::Status {
                    mailbox,
                    items: List::from_items(out),
                })?;
                Ok(Done::ok("STATUS completed"))
            }
            CommandBody::Close => {
                if let Some(mut sel) = self.selected.take() {
                    if !sel.read_only {
                        let removed = sel.expunge(None)?;
                        if !removed.is_empty() {
                            self.notify(sel.maildir.path());
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
                let removed = sel.expunge(set.as_ref())?;
                let dir = sel.maildir.path().to_path_buf();
                for seq in &removed {
                    session.conn.send_data(&Data::Expunge(*seq))?;
                }
                if !removed.is_empty() {
                    self.notify(&dir);
                }
                Ok(Done::ok("EXPUNGE completed"))
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
                session.conn.send_data(&Data::Search {
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
        self.cache = None;
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
        session
            .conn
            .send_data(&Data::Flags(List::from_items(system())))?;
        session
            .conn
            .send_data(&Data::Exists(len32(sel.messages.len())))?;
        session
            .conn
            .send_data(&Data::Recent(len32(sel.recent.len())))?;
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
        let permanent = if read_only { Vec::new() } else { system() };
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
            session.conn.send_data(&wrap(MailboxList {
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
            session.conn.send_data(&wrap(MailboxList {
                attributes: List::from_items(attributes),
                delimiter: Some(DELIMITER),
                mailbox,
                extended: List::empty(),
            }))?;
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
        // Without flags the message is new (\Recent, in new/); with flags it goes to cur/.
        let letters =
            (!flags.is_empty()).then(|| imap_flags_to_maildir(flags.iter().map(String::as_str)));
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
        let letters = imap_flags_to_maildir(names.iter().map(String::as_str));
        let mut changed = false;
        for i in sel.resolve(set, uid) {
            let old = sel.messages[i].flags.clone();
            let new: String = match kind {
                StoreKind::Replace => {
                    // Letters that are not IMAP flags (P: passed) stay.
                    let kept: String = old.chars().filter(|c| !"DFRST".contains(*c)).collect();
                    format!("{letters}{kept}")
                }
                StoreKind::Add => format!("{old}{letters}"),
                StoreKind::Remove => old.chars().filter(|c| !letters.contains(*c)).collect(),
            };
            let new = sorted_letters(&new);
            if new != old {
                sel.set_flags(i, &new)?;
                changed = true;
            }
            if !silent {
                let m = &sel.messages[i];
                let mut items = vec![FetchItem::Flags(flag_list(
                    &m.flags,
                    sel.recent.contains(&m.uid),
                ))];
                if uid {
                    items.push(FetchItem::Uid(m.uid));
                }
                session.conn.send_data(&Data::Fetch {
                    seq: len32(i + 1),
                    items: List::from_items(items),
                })?;
            }
        }
        if changed {
            let dir = sel.maildir.path().to_path_buf();
            self.notify(&dir);
        }
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
        let mut pairs: Vec<(u32, String)> = Vec::new();
        for &i in &targets {
            let path = sel.current_path(i)?;
            let new_path = if moving {
                sel.maildir.move_to(&path, &dest)?
            } else {
                sel.maildir.copy_to(&path, &dest)?
            };
            pairs.push((sel.messages[i].uid, maildir_id(&new_path)));
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
            let mut gone: Vec<usize> = targets;
            gone.sort_unstable();
            for &i in gone.iter().rev() {
                let m = sel.messages.remove(i);
                sel.recent.remove(&m.uid);
                session.conn.send_data(&Data::Expunge(len32(i + 1)))?;
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
        if let Some((cached, parsed)) = &self.cache {
            if *cached == uid {
                return Ok(Arc::clone(parsed));
            }
        }
        let parsed = Arc::new(Parsed::new(sel.read_message(index)?));
        self.cache = Some((uid, Arc::clone(&parsed)));
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
            let flags = sel.messages[index].flags.clone();
            if !flags.contains('S') {
                sel.set_flags(index, &sorted_letters(&format!("{flags}S")))?;
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
                    let bytes = section_bytes(p, section);
                    let bytes = match partial {
                        Some((origin, count)) => {
                            let start = (*origin as usize).min(bytes.len());
                            let end = start.saturating_add(*count as usize).min(bytes.len());
                            &bytes[start..end]
                        }
                        None => &bytes[..],
                    };
                    let item = FetchLiteral::BodySection {
                        section: section.clone(),
                        origin: partial.map(|p| p.0),
                    };
                    send_literal(session, &item, bytes).await?;
                }
                A::Rfc822Header | A::Rfc822Text => {
                    let p = parsed.as_ref().ok_or_else(|| no("not parsed"))?;
                    let (item, bytes) = if *attr == A::Rfc822Header {
                        (FetchLiteral::Rfc822Header, p.header(&p.root))
                    } else {
                        (FetchLiteral::Rfc822Text, p.text(&p.root))
                    };
                    send_literal(session, &item, bytes).await?;
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
        session.conn.send_literal_chunk(chunk)?;
        session.flush().await?;
    }
    Ok(())
}

/// Streams a message file as the open FETCH literal of `size` bytes (its CRLF size), converting line
/// ends on the way.
async fn stream_file(session: &mut Session<Server>, path: &Path, size: u64) -> io::Result<()> {
    let mut file = std::fs::File::open(path)?;
    let mut buf = vec![0u8; CHUNK];
    let mut out = Vec::with_capacity(CHUNK * 2);
    let mut crlf = Crlf::default();
    let mut sent = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        out.clear();
        if n == 0 {
            crlf.finish(&mut out);
        } else {
            crlf.feed(&buf[..n], &mut out);
        }
        // Never more than announced (the file cannot grow, but be safe).
        let room = usize::try_from(size - sent).unwrap_or(usize::MAX);
        let take = out.len().min(room);
        if take > 0 {
            session.conn.send_literal_chunk(&out[..take])?;
            sent += take as u64;
            session.flush().await?;
        }
        if n == 0 {
            break;
        }
    }
    if sent < size {
        // The file shrank meanwhile: pad, so the protocol stays in sync.
        let pad = vec![b' '; usize::try_from(size - sent).unwrap_or(0)];
        session.conn.send_literal_chunk(&pad)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------
// The selected mailbox

impl Selected {
    fn open(name: String, maildir: Maildir, read_only: bool) -> io::Result<Selected> {
        let list = maildir.sync_uids()?;
        let mut sel = Selected {
            name,
            maildir,
            read_only,
            uid_validity: list.uid_validity,
            next_uid: list.next_uid,
            messages: Vec::new(),
            recent: BTreeSet::new(),
        };
        for (uid, entry) in list.messages {
            sel.add(uid, entry);
        }
        Ok(sel)
    }

    /// Adds a message to the view; one in `new/` is `\Recent` for this session and, unless read-only,
    /// moves to `cur/` (so no other session sees it as recent).
    fn add(&mut self, uid: u32, entry: MessageEntry) {
        let mut path = entry.path;
        if entry.is_new {
            self.recent.insert(uid);
            if !self.read_only {
                if let Ok(moved) = self.maildir.set_flags(&path, &entry.flags) {
                    path = moved;
                }
            }
        }
        self.messages.push(Msg {
            uid,
            id: entry.id,
            path,
            flags: entry.flags,
            size: None,
        });
    }

    /// Looks at the Maildir again: returns the untagged responses telling the client what changed.
    fn resync(&mut self, expunge: bool) -> io::Result<Vec<Data<'static>>> {
        let list = self.maildir.sync_uids()?;
        self.next_uid = list.next_uid;
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
                            FetchItem::Flags(flag_list(&m.flags, self.recent.contains(&m.uid))),
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
        if m.path.exists() {
            return Ok(m.path.clone());
        }
        match self.maildir.find(&m.id)? {
            Some(entry) => {
                self.messages[index].path = entry.path.clone();
                Ok(entry.path)
            }
            None => Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("message {} is gone", m.uid),
            )),
        }
    }

    fn set_flags(&mut self, index: usize, letters: &str) -> io::Result<()> {
        let path = self.current_path(index)?;
        let new = self.maildir.set_flags(&path, letters)?;
        let m = &mut self.messages[index];
        m.path = new;
        m.flags = letters.to_owned();
        Ok(())
    }

    /// The message as sent: CRLF line ends, NUL as space.
    fn read_message(&self, index: usize) -> io::Result<Vec<u8>> {
        let m = &self.messages[index];
        let raw = match std::fs::read(&m.path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => match self.maildir.find(&m.id)? {
                Some(entry) => std::fs::read(entry.path)?,
                None => return Err(e),
            },
            other => other?,
        };
        let mut out = Vec::with_capacity(raw.len() + raw.len() / 32);
        let mut crlf = Crlf::default();
        crlf.feed(&raw, &mut out);
        crlf.finish(&mut out);
        Ok(out)
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

    /// Removes the messages flagged `\Deleted` (within `uids` for UID EXPUNGE); returns the sequence numbers
    /// to report, highest first (so each stays valid as the earlier ones are announced).
    fn expunge(&mut self, uids: Option<&SequenceSet<'_>>) -> io::Result<Vec<u32>> {
        let largest = self.messages.last().map_or(0, |m| m.uid);
        let mut removed = Vec::new();
        for i in (0..self.messages.len()).rev() {
            let m = &self.messages[i];
            if !m.flags.contains('T') || uids.is_some_and(|set| !set.contains(m.uid, largest)) {
                continue;
            }
            match self.current_path(i) {
                Ok(path) => self.maildir.delete(&path)?,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
            let m = self.messages.remove(i);
            self.recent.remove(&m.uid);
            removed.push(len32(i + 1));
        }
        Ok(removed)
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

fn sorted_letters(letters: &str) -> String {
    let mut v: Vec<char> = letters.chars().filter(char::is_ascii_alphabetic).collect();
    v.sort_unstable();
    v.dedup();
    v.into_iter().collect()
}

/// The FLAGS of a message: its Maildir letters as IMAP flags, plus `\Recent`.
fn flag_list(letters: &str, recent: bool) -> List<'static, Flag<'static>> {
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

    fn content(&mut self) -> Option<&Parsed> {
        if self.parsed.is_none() {
            self.parsed = Some(self.sel.read_message(self.index).ok().map(Parsed::new));
        }
        self.parsed.as_ref().and_then(Option::as_ref)
    }

    fn size(&mut self) -> u64 {
        if let Some(size) = self.size {
            return size;
        }
        let size = self.content().map_or(0, |p| p.data.len() as u64);
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
            K::Keyword(_) => false,
            K::Unkeyword(_) => true,
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
            K::Body(s) => self
                .content()
                .is_some_and(|p| contains_ci(p.text(&p.root), s.as_bytes())),
            K::Text(s) => self
                .content()
                .is_some_and(|p| contains_ci(&p.data, s.as_bytes())),
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

/// A message with CRLF line ends and its MIME tree.
struct Parsed {
    data: Vec<u8>,
    root: Node,
}

/// An entity: a header and a body, as ranges of [`Parsed::data`].
#[derive(Debug)]
struct Node {
    start: usize,
    /// Where the body starts (after the blank line).
    body: usize,
    end: usize,
    /// Media type and subtype, lowercase.
    media: (String, String),
    params: Vec<(String, String)>,
    /// The parts of a multipart.
    children: Vec<Node>,
    /// The message inside a message/rfc822 part.
    message: Option<Box<Node>>,
}

impl Parsed {
    fn new(data: Vec<u8>) -> Parsed {
        let root = parse_entity(&data, 0, data.len(), 0, ("text", "plain"));
        Parsed { data, root }
    }

    fn header(&self, n: &Node) -> &[u8] {
        &self.data[n.start..n.body]
    }

    fn text(&self, n: &Node) -> &[u8] {
        &self.data[n.body..n.end]
    }
}

/// Where the header of the entity at `start..end` ends (after its blank line).
fn header_end(data: &[u8], start: usize, end: usize) -> usize {
    let region = &data[start..end];
    if region.starts_with(b"\r\n") {
        return start + 2;
    }
    match memchr::memmem::find(region, b"\r\n\r\n") {
        Some(i) => start + i + 4,
        None => end,
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

fn parse_entity(
    data: &[u8],
    start: usize,
    end: usize,
    depth: usize,
    default: (&str, &str),
) -> Node {
    let body = header_end(data, start, end);
    let header = Header::parse(&data[start..body]);
    let (mut t, mut s, mut params) = header
        .get(b"content-type")
        .and_then(|v| parse_content_type(&v))
        .unwrap_or_else(|| (default.0.to_owned(), default.1.to_owned(), Vec::new()));
    if t == "text" && !params.iter().any(|(k, _)| k == "charset") {
        params.push(("charset".to_owned(), "us-ascii".to_owned()));
    }
    let mut children = Vec::new();
    let mut message = None;
    let composite = t == "multipart" || (t == "message" && s == "rfc822");
    if composite && depth >= MIME_DEPTH {
        (t, s) = ("application".to_owned(), "octet-stream".to_owned());
    } else if t == "multipart" {
        let boundary = params
            .iter()
            .find(|(k, _)| k == "boundary")
            .map(|(_, v)| v.clone());
        let child_default = if s == "digest" {
            ("message", "rfc822")
        } else {
            ("text", "plain")
        };
        if let Some(boundary) = boundary.filter(|b| !b.is_empty()) {
            for (ps, pe) in split_multipart(data, body, end, boundary.as_bytes()) {
                children.push(parse_entity(data, ps, pe, depth + 1, child_default));
            }
        }
        if children.is_empty() {
            // Not a usable multipart: serve it as plain text.
            (t, s) = ("text".to_owned(), "plain".to_owned());
            params = vec![("charset".to_owned(), "us-ascii".to_owned())];
        }
    } else if t == "message" && s == "rfc822" {
        message = Some(Box::new(parse_entity(
            data,
            body,
            end,
            depth + 1,
            ("text", "plain"),
        )));
    }
    Node {
        start,
        body,
        end,
        media: (t, s),
        params,
        children,
        message,
    }
}

/// The parts of a multipart body at `start..end`, as ranges (RFC 2046 §5.1.1: the CRLF before a boundary
/// line belongs to the boundary).
fn split_multipart(data: &[u8], start: usize, end: usize, boundary: &[u8]) -> Vec<(usize, usize)> {
    let mut parts = Vec::new();
    let mut current: Option<usize> = None;
    let mut i = start;
    while i < end {
        let line_end = memchr::memmem::find(&data[i..end], b"\r\n").map_or(end, |e| i + e);
        let next = (line_end + 2).min(end);
        let line = &data[i..line_end];
        if let Some(rest) = line
            .strip_prefix(b"--")
            .and_then(|l| l.strip_prefix(boundary))
        {
            let close = rest.starts_with(b"--");
            let rest = if close { &rest[2..] } else { rest };
            if rest.iter().all(|b| *b == b' ' || *b == b'\t') {
                if let Some(s) = current.take() {
                    let e = if i >= start + 2 { i - 2 } else { i };
                    parts.push((s, e.max(s)));
                }
                if close {
                    return parts;
                }
                current = Some(next);
            }
        }
        i = next;
    }
    if let Some(s) = current {
        parts.push((s, end));
    }
    parts
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

fn count_lines(b: &[u8]) -> u32 {
    let n = memchr::memmem::find_iter(b, b"\r\n").count();
    let n = if !b.is_empty() && !b.ends_with(b"\r\n") {
        n + 1
    } else {
        n
    };
    len32(n)
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
    let text = p.text(n);
    let lines = count_lines(text);
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
        size: len32(text.len()),
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
    let list = |l: Option<Vec<Address<'static>>>| l.map(List::from_items);
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

/// The bytes of `BODY[section]` (empty when the part does not exist).
fn section_bytes<'p>(p: &'p Parsed, section: &Section<'_>) -> std::borrow::Cow<'p, [u8]> {
    use std::borrow::Cow;
    let nums: Vec<u32> = section.part.iter().collect();
    let Some(node) = find_part(&p.root, &nums) else {
        return Cow::Borrowed(&[]);
    };
    // HEADER / TEXT of a part address the message inside a message/rfc822 part.
    let message = if nums.is_empty() {
        Some(node)
    } else {
        node.message.as_deref()
    };
    match &section.text {
        None if nums.is_empty() => Cow::Borrowed(&p.data[..]),
        None => Cow::Borrowed(p.text(node)),
        Some(SectionText::Mime) => Cow::Borrowed(p.header(node)),
        Some(SectionText::Header) => {
            message.map_or(Cow::Borrowed(&[][..]), |m| Cow::Borrowed(p.header(m)))
        }
        Some(SectionText::Text) => {
            message.map_or(Cow::Borrowed(&[][..]), |m| Cow::Borrowed(p.text(m)))
        }
        Some(SectionText::HeaderFields(names)) | Some(SectionText::HeaderFieldsNot(names)) => {
            let Some(m) = message else {
                return Cow::Borrowed(&[]);
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
            Cow::Owned(out)
        }
        Some(_) => Cow::Borrowed(&[]),
    }
}
