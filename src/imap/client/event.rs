//! The IMAP client's events: what [`poll_event`](super::Client::poll_event) hands out.

use super::*;

/// Which command a completion answers.
///
/// ```
/// use mailwire::imap::{Client, ClientConfig, ClientEvent, CommandBody, CommandKind};
///
/// assert_eq!(CommandKind::of(&CommandBody::Noop), CommandKind::Noop);
/// let mut client = Client::new(ClientConfig::default());
/// client.handle_input(b"* OK ready\r\n");
/// client.poll_event().unwrap();
/// client.noop().unwrap();
/// // RFC 9051 §6.1.2: C: a002 NOOP  S: a002 OK NOOP completed
/// client.handle_input(b"A0001 OK NOOP completed\r\n");
/// let Some(ClientEvent::Completed { command, .. }) = client.poll_event().unwrap() else { panic!() };
/// assert_eq!(command, CommandKind::Noop);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CommandKind {
    /// `CAPABILITY`
    Capability,
    /// `NOOP`
    Noop,
    /// `LOGOUT`
    Logout,
    /// `STARTTLS`
    StartTls,
    /// `AUTHENTICATE`
    Authenticate,
    /// `LOGIN`
    Login,
    /// `ENABLE` (RFC 5161)
    Enable,
    /// `SELECT`
    Select,
    /// `EXAMINE`
    Examine,
    /// `CREATE`
    Create,
    /// `DELETE`
    Delete,
    /// `RENAME`
    Rename,
    /// `SUBSCRIBE`
    Subscribe,
    /// `UNSUBSCRIBE`
    Unsubscribe,
    /// `LIST`
    List,
    /// `LSUB`
    Lsub,
    /// `XLIST` (Gmail)
    Xlist,
    /// `NAMESPACE`
    Namespace,
    /// `STATUS`
    Status,
    /// `APPEND`
    Append,
    /// `IDLE` (RFC 2177)
    Idle,
    /// `CHECK`
    Check,
    /// `CLOSE`
    Close,
    /// `UNSELECT` (RFC 3691)
    Unselect,
    /// `UNAUTHENTICATE` (RFC 8437)
    Unauthenticate,
    /// `CANCELUPDATE` (RFC 5267)
    CancelUpdate,
    /// `ESEARCH` (RFC 7377, MULTISEARCH)
    ESearch,
    /// `EXPUNGE`
    Expunge,
    /// `UID EXPUNGE` (RFC 4315)
    UidExpunge,
    /// `SEARCH` or `UID SEARCH`
    Search,
    /// `FETCH` or `UID FETCH`
    Fetch,
    /// `STORE` or `UID STORE`
    Store,
    /// `COPY` or `UID COPY`
    Copy,
    /// `MOVE` or `UID MOVE` (RFC 6851)
    Move,
    /// `ID` (RFC 2971)
    Id,
    /// `SORT` (RFC 5256)
    Sort,
    /// `THREAD` (RFC 5256)
    Thread,
    /// `GETQUOTA` (RFC 9208)
    GetQuota,
    /// `GETQUOTAROOT` (RFC 9208)
    GetQuotaRoot,
    /// `SETQUOTA` (RFC 9208)
    SetQuota,
    /// `GETMETADATA` (RFC 5464)
    GetMetadata,
    /// `SETMETADATA` (RFC 5464)
    SetMetadata,
    /// `COMPRESS` (RFC 4978)
    Compress,
    /// `SETACL` (RFC 4314)
    SetAcl,
    /// `DELETEACL` (RFC 4314)
    DeleteAcl,
    /// `GETACL` (RFC 4314)
    GetAcl,
    /// `LISTRIGHTS` (RFC 4314)
    ListRights,
    /// `MYRIGHTS` (RFC 4314)
    MyRights,
    /// `NOTIFY` (RFC 5465)
    Notify,
    /// `RESETKEY` (RFC 4467)
    ResetKey,
    /// `GENURLAUTH` (RFC 4467)
    GenUrlAuth,
    /// `URLFETCH` (RFC 4467)
    UrlFetch,
    /// `REPLACE` or `UID REPLACE` (RFC 8508)
    Replace,
    /// A command this crate does not know ([`CommandBody::Unknown`]).
    Other,
}

impl CommandKind {
    /// The kind of `body`.
    pub fn of(body: &CommandBody<'_>) -> CommandKind {
        use CommandBody as C;
        use CommandKind as K;
        match body {
            C::Capability => K::Capability,
            C::Noop => K::Noop,
            C::Logout => K::Logout,
            C::StartTls => K::StartTls,
            C::Authenticate { .. } => K::Authenticate,
            C::Login { .. } => K::Login,
            C::Enable(_) => K::Enable,
            C::Select { .. } => K::Select,
            C::Examine { .. } => K::Examine,
            C::Create { .. } => K::Create,
            C::Delete(_) => K::Delete,
            C::Rename { .. } => K::Rename,
            C::Subscribe(_) => K::Subscribe,
            C::Unsubscribe(_) => K::Unsubscribe,
            C::List { .. } => K::List,
            C::Lsub { .. } => K::Lsub,
            C::Xlist { .. } => K::Xlist,
            C::Namespace => K::Namespace,
            C::Status { .. } => K::Status,
            C::Append { .. } => K::Append,
            C::Idle => K::Idle,
            C::Check => K::Check,
            C::Close => K::Close,
            C::Unselect => K::Unselect,
            C::Unauthenticate => K::Unauthenticate,
            C::CancelUpdate(_) => K::CancelUpdate,
            C::ESearch { .. } => K::ESearch,
            C::Expunge => K::Expunge,
            C::UidExpunge(_) => K::UidExpunge,
            C::Search { .. } => K::Search,
            C::Fetch { .. } => K::Fetch,
            C::Store { .. } => K::Store,
            C::StoreGmailLabels { .. } => K::Store,
            C::Copy { .. } => K::Copy,
            C::Move { .. } => K::Move,
            C::Id(_) => K::Id,
            C::Sort { .. } => K::Sort,
            C::Thread { .. } => K::Thread,
            C::GetQuota(_) => K::GetQuota,
            C::GetQuotaRoot(_) => K::GetQuotaRoot,
            C::SetQuota { .. } => K::SetQuota,
            C::GetMetadata { .. } => K::GetMetadata,
            C::SetMetadata { .. } => K::SetMetadata,
            C::Compress(_) => K::Compress,
            C::AppendCatenate { .. } => K::Append,
            C::SetAcl { .. } => K::SetAcl,
            C::DeleteAcl { .. } => K::DeleteAcl,
            C::GetAcl(_) => K::GetAcl,
            C::ListRights { .. } => K::ListRights,
            C::MyRights(_) => K::MyRights,
            C::Notify(_) => K::Notify,
            C::ResetKey { .. } => K::ResetKey,
            C::GenUrlAuth(_) => K::GenUrlAuth,
            C::UrlFetch(_) => K::UrlFetch,
            C::Replace { .. } => K::Replace,
            _ => K::Other,
        }
    }

    /// Commands after which nothing is sent until they complete.
    pub(super) fn is_barrier(self) -> bool {
        matches!(
            self,
            CommandKind::Authenticate
                | CommandKind::Idle
                | CommandKind::StartTls
                | CommandKind::Compress
                | CommandKind::Logout
                | CommandKind::Unauthenticate
        )
    }
}

/// What the client machine reports.
///
/// An event borrows the machine's input buffer: read what you need (or
/// [`into_owned`](Self::into_owned) it) before the next call on the client.
///
/// The IDLE example of RFC 2177 §3, the server's lines as the RFC prints them
/// (`* OK [UIDVALIDITY 1]` has no text after its code, which
/// [`Quirks::LENIENT`] accepts):
///
/// ```
/// use mailwire::imap::{Client, ClientConfig, ClientEvent, Data};
///
/// let mut client = Client::new(ClientConfig::default());
/// client.handle_input(b"* OK [CAPABILITY IMAP4rev1 IDLE] ready\r\n");
/// let mut log = Vec::new();
/// let mut events = |client: &mut Client, input: &[u8]| {
///     client.handle_input(input);
///     while let Some(event) = client.poll_event().unwrap() {
///         log.push(match event {
///             ClientEvent::Greeting(status) => format!("greeting {:?}", status.kind),
///             ClientEvent::Completed { tag, command, status, .. } => {
///                 format!("{} {command:?} {status:?}", tag.as_str())
///             }
///             ClientEvent::Data { data: Data::Exists(n), in_flight } => {
///                 format!("{n} EXISTS during {}", in_flight.unwrap().as_str())
///             }
///             ClientEvent::Data { .. } | ClientEvent::Status { .. } => continue,
///             ClientEvent::IdleAccepted { tag } => format!("idling {}", tag.as_str()),
///             other => format!("{other:?}"),
///         });
///     }
/// };
/// events(&mut client, b"");
/// client.login("alice", "secret").unwrap();
/// // C: A001 SELECT INBOX
/// client.select("INBOX").unwrap();
/// events(
///     &mut client,
///     b"A0001 OK LOGIN completed\r\n\
///       * FLAGS (Deleted Seen)\r\n\
///       * 3 EXISTS\r\n\
///       * 0 RECENT\r\n\
///       * OK [UIDVALIDITY 1]\r\n\
///       A0002 OK SELECT completed\r\n",
/// );
/// // C: A002 IDLE
/// client.idle().unwrap();
/// // S: + idling ... time passes; new mail arrives ... S: * 4 EXISTS
/// events(&mut client, b"+ idling\r\n* 4 EXISTS\r\n");
/// // C: DONE
/// client.done().unwrap();
/// // S: A002 OK IDLE terminated
/// events(&mut client, b"A0003 OK IDLE terminated\r\n");
/// let mut wire = Vec::new();
/// while let Some(b) = client.poll_transmit() { wire.extend_from_slice(&b); }
/// assert_eq!(wire, b"A0001 LOGIN alice secret\r\nA0002 SELECT INBOX\r\nA0003 IDLE\r\nDONE\r\n");
/// assert_eq!(
///     log,
///     [
///         "greeting Ok",
///         "A0001 Login Ok",
///         "3 EXISTS during A0002",
///         "A0002 Select Ok",
///         "idling A0003",
///         "4 EXISTS during A0003",
///         "A0003 Idle Ok",
///     ]
/// );
/// ```
///
/// A literal larger than [`Limits::inline_literal`] is streamed: the
/// `BODY[HEADER]` of RFC 3501 §8 (`a004 fetch 12 body[header]`, 342 bytes)
/// through a client that keeps at most 100 bytes of a literal inline:
///
/// ```
/// use mailwire::imap::{Client, ClientConfig, ClientEvent, Data, FetchItem, FetchQuery};
/// use mailwire::Limits;
///
/// let config = ClientConfig::default().limits(Limits::default().inline_literal(100));
/// let mut client = Client::new(config);
/// client.handle_input(b"* PREAUTH ready\r\n");
/// client.poll_event().unwrap();
/// client.select("INBOX").unwrap();
/// client.handle_input(b"A0001 OK [READ-WRITE] SELECT completed\r\n");
/// while client.poll_event().unwrap().is_some() {}
/// client.fetch(12, &FetchQuery::new().header()).unwrap();
///
/// let header = "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n\
///     From: Terry Gray <gray@cac.washington.edu>\r\n\
///     Subject: IMAP4rev1 WG mtg summary and minutes\r\n\
///     To: imap@cac.washington.edu\r\n\
///     cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n\
///     Message-Id: <B27397-0100000@cac.washington.edu>\r\n\
///     MIME-Version: 1.0\r\n\
///     Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
///     \r\n";
/// assert_eq!(header.len(), 342);
/// client.handle_input(format!("* 12 FETCH (BODY[HEADER] {{342}}\r\n{header})\r\n").as_bytes());
/// client.handle_input(b"A0002 OK FETCH completed\r\n");
///
/// let mut body = Vec::new();
/// let mut sizes = Vec::new();
/// while let Some(event) = client.poll_event().unwrap() {
///     match event {
///         ClientEvent::FetchBodyStart { seq, item: FetchItem::BodySection { data: None, .. }, size } => {
///             sizes.push((seq, size))
///         }
///         ClientEvent::FetchBodyChunk(chunk) => body.extend_from_slice(&chunk),
///         ClientEvent::FetchBodyEnd { seq } => assert_eq!(seq, 12),
///         // then the whole FETCH, the streamed item with `data: None`
///         ClientEvent::Data { data: Data::Fetch { seq, items }, .. } => {
///             assert_eq!(seq, 12);
///             assert!(items.iter().all(|i| matches!(i, FetchItem::BodySection { data: None, .. })));
///         }
///         ClientEvent::Completed { .. } => {}
///         other => panic!("{other:?}"),
///     }
/// }
/// assert_eq!(sizes, [(12, 342)]);
/// assert_eq!(body, header.as_bytes());
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
#[allow(clippy::large_enum_variant)] // returned once by value; boxing would allocate
pub enum ClientEvent<'a> {
    /// The server's greeting (`OK`, `PREAUTH` or `BYE`).
    Greeting(StatusResponse<'a>),
    /// A command completed: its tagged `OK`, `NO` or `BAD`.
    Completed {
        /// The command's tag (as returned when it was sent).
        tag: Tag<'a>,
        /// Which command.
        command: CommandKind,
        /// `OK`, `NO` or `BAD`.
        status: StatusKind,
        /// The response code, if any.
        code: Option<Code<'a>>,
        /// The human-readable text, exact bytes.
        text: Text<'a>,
    },
    /// Untagged data (`* ...`).
    Data {
        /// The data.
        data: Data<'a>,
        /// The tag of the command in flight when exactly one was (or the
        /// command an ESEARCH names in its `(TAG ...)` correlator).
        in_flight: Option<Tag<'a>>,
    },
    /// An untagged status response (`* OK [UIDVALIDITY 3]`, `* NO`, `* BAD`,
    /// `* BYE`).
    Status {
        /// The response.
        status: StatusResponse<'a>,
        /// The tag of the command in flight when exactly one was.
        in_flight: Option<Tag<'a>>,
    },
    /// A large FETCH literal starts; chunks follow.
    FetchBodyStart {
        /// The message sequence number.
        seq: u32,
        /// The item (`BodySection`, `Binary`, `Rfc822`, ...) with `data: None`.
        item: FetchItem<'a>,
        /// The literal's announced size.
        size: u64,
    },
    /// The next bytes of the streamed literal.
    FetchBodyChunk(Cow<'a, [u8]>),
    /// The streamed literal is complete; the rest of the FETCH response follows
    /// as [`ClientEvent::Data`].
    FetchBodyEnd {
        /// The message sequence number.
        seq: u32,
    },
    /// A large literal of a UIDFETCH response (RFC 9586 §3.3, once UIDONLY
    /// is enabled) starts; [`FetchBodyChunk`](Self::FetchBodyChunk)s follow,
    /// then [`UidFetchBodyEnd`](Self::UidFetchBodyEnd), then the whole
    /// response as [`ClientEvent::Data`] with `Data::UidFetch` (the streamed
    /// item with `data: None`), as for FETCH.
    UidFetchBodyStart {
        /// The message's UID.
        uid: u32,
        /// The item (`BodySection`, `Binary`, `Rfc822`, ...) with `data: None`.
        item: FetchItem<'a>,
        /// The literal's announced size.
        size: u64,
    },
    /// The streamed literal of a UIDFETCH response is complete.
    UidFetchBodyEnd {
        /// The message's UID.
        uid: u32,
    },
    /// The server accepted IDLE (`+`); untagged updates follow until
    /// [`Client::done`].
    IdleAccepted {
        /// The IDLE's tag.
        tag: Tag<'a>,
    },
    /// A SASL challenge (base64-decoded) during an AUTHENTICATE sent with
    /// [`Client::send`]; answer with [`Client::auth_response`] or
    /// [`Client::auth_cancel`]. (After [`Client::authenticate`] the machine
    /// answers by itself.)
    AuthChallenge(Cow<'a, [u8]>),
    /// STARTTLS was accepted: flush [`Client::poll_transmit`], run the TLS
    /// handshake, then call [`Client::tls_established`].
    StartTls,
    /// A streamed APPEND ([`Client::append_begin`]) may now send its message:
    /// push it with [`Client::send_body`], end with [`Client::finish_body`].
    AppendReady {
        /// The APPEND's tag.
        tag: Tag<'a>,
    },
    /// COMPRESS was accepted: flush [`Client::poll_transmit`], start DEFLATE
    /// both ways, then call [`Client::compression_established`].
    Compress,
    /// The server stayed silent past [`ClientConfig::greeting_timeout`],
    /// [`ClientConfig::command_timeout`] or [`ClientConfig::body_timeout`]
    /// (reported through [`Client::handle_timeout`]); the session is over.
    TimedOut,
    /// A response longer than [`Limits::response_line`] (its bytes other
    /// than literals). It costs that response only: its bytes are skipped as
    /// they arrive, never kept, and the next response is read as usual. Like
    /// [`MalformedResponse`](Self::MalformedResponse), a tagged one whose
    /// status can be read is followed by its command's
    /// [`Completed`](Self::Completed) (with the kept bytes as text).
    OversizedResponse {
        /// Its first bytes (up to 256).
        head: Cow<'a, [u8]>,
        /// The limit crossed: [`LimitKind::ResponseLine`].
        error: Error,
        /// As for [`MalformedResponse`](Self::MalformedResponse): the
        /// command its tag completed as a failure, when no status followed.
        completed: Option<(Tag<'a>, CommandKind)>,
    },
    /// A frame that does not parse (or a tag nobody sent, or a `+` nobody
    /// asked for). It costs that frame only.
    MalformedResponse {
        /// The frame's bytes (a streamed literal replaced by `NIL`).
        raw: Cow<'a, [u8]>,
        /// Where and why it failed.
        error: ParseError,
        /// When the frame's tag belonged to a pending command and no status
        /// followed it: that command, now complete (as a failure). When the
        /// tag and the status can be read, this is `None` and the command's
        /// [`ClientEvent::Completed`] follows, with the unparsed rest as text.
        completed: Option<(Tag<'a>, CommandKind)>,
    },
}

crate::owned::owned_copy!(CommandKind);

crate::owned::into_owned! {
    inherent enum ClientEvent {
        Greeting(s),
        Completed { tag, command, status, code, text },
        Data { data, in_flight },
        Status { status, in_flight },
        FetchBodyStart { seq, item, size },
        FetchBodyChunk(c),
        FetchBodyEnd { seq },
        UidFetchBodyStart { uid, item, size },
        UidFetchBodyEnd { uid },
        IdleAccepted { tag },
        AuthChallenge(c),
        StartTls,
        Compress,
        TimedOut,
        AppendReady { tag },
        MalformedResponse { raw, error, completed },
        OversizedResponse { head, error, completed },
    }
}
