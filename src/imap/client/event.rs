//! The IMAP client's events: what [`poll_event`](super::Client::poll_event) hands out.

use super::*;

/// Which command a completion answers.
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
            C::Namespace => K::Namespace,
            C::Status { .. } => K::Status,
            C::Append { .. } => K::Append,
            C::Idle => K::Idle,
            C::Check => K::Check,
            C::Close => K::Close,
            C::Unselect => K::Unselect,
            C::Unauthenticate => K::Unauthenticate,
            C::Expunge => K::Expunge,
            C::UidExpunge(_) => K::UidExpunge,
            C::Search { .. } => K::Search,
            C::Fetch { .. } => K::Fetch,
            C::Store { .. } => K::Store,
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
