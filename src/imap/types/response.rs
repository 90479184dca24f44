//! Server responses (RFC 9051 §7, RFC 3501 §7 and the extensions named on
//! each type): status responses with their codes, untagged data, FETCH data
//! items, continuation requests.
//!
//! ```
//! use mailwire::imap::{emit_response, parse_response, Code, Data, EmitOptions, ParseOptions, Response, StatusKind, StatusResponse, Tag};
//! use mailwire::text::Text;
//!
//! // RFC 3501 §8: S: * OK [UNSEEN 17] Message 17 is the first unseen message
//! let frame = b"* OK [UNSEEN 17] Message 17 is the first unseen message\r\n";
//! let Response::Status(status) = parse_response(frame, &ParseOptions::STRICT).unwrap() else { panic!() };
//! assert_eq!((status.tag, status.kind, status.code), (None, StatusKind::Ok, Some(Code::Unseen(17))));
//! // S: a002 OK [READ-WRITE] SELECT completed, built and written
//! let done = Response::Status(StatusResponse {
//!     tag: Tag::new("a002"),
//!     kind: StatusKind::Ok,
//!     code: Some(Code::ReadWrite),
//!     text: Text::from("SELECT completed"),
//! });
//! let mut out = Vec::new();
//! emit_response(&done, &mut out, &EmitOptions::default()).unwrap();
//! assert_eq!(out, b"a002 OK [READ-WRITE] SELECT completed\r\n");
//! // S: * 18 EXISTS
//! assert_eq!(parse_response(b"* 18 EXISTS\r\n", &ParseOptions::STRICT).unwrap(), Response::Data(Data::Exists(18)));
//! ```

use alloc::borrow::Cow;

use crate::Text;
pub use crate::imap::base::fetch::{FetchItem, Part, Section, SectionText};
pub use crate::imap::base::list::{ListExtendedItem, MailboxAttribute, MailboxList};
pub use crate::imap::base::namespace::Namespace;
pub use crate::imap::base::quota::QuotaResource;
pub use crate::imap::base::sort::Thread;
pub use crate::imap::base::status::StatusItem;
use crate::imap::ext::acl::Rights;
pub use crate::imap::ext::esearch::{ESearch, ESearchMailbox, SearchReturnData};
pub use crate::imap::ext::id::IdParams;
pub use crate::imap::ext::metadata::MetadataEntries;
use crate::imap::ext::notify::NotifyEvent;
use crate::imap::ext::urlauth::UrlMechanism;
use crate::imap::syntax::core::{Atom, Flag, IString, List, Mailbox, NString, SequenceSet, Tag};

/// One response line (with its literals).
///
/// ```
/// use mailwire::imap::{parse_response, Continue, Data, ParseOptions, Response, StatusKind};
///
/// let opts = ParseOptions::STRICT;
/// // RFC 3501 §8 and §6.3.11: each kind of response line
/// let Response::Data(Data::Recent(2)) = parse_response(b"* 2 RECENT\r\n", &opts).unwrap() else { panic!() };
/// let Response::Status(bye) = parse_response(b"* BYE IMAP4rev1 server terminating connection\r\n", &opts).unwrap()
/// else { panic!() };
/// assert_eq!(bye.kind, StatusKind::Bye);
/// let Response::Continue(Continue::Text { text, .. }) = parse_response(b"+ Ready for literal data\r\n", &opts).unwrap()
/// else { panic!() };
/// assert_eq!(text.as_bytes(), b"Ready for literal data");
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Response<'a> {
    /// A tagged or untagged OK/NO/BAD/PREAUTH/BYE.
    Status(StatusResponse<'a>),
    /// Untagged data (`* ...`).
    Data(Data<'a>),
    /// A continuation request (`+ ...`).
    Continue(Continue<'a>),
}

/// The kind of a status response.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatusKind {
    /// `OK`
    Ok,
    /// `NO`
    No,
    /// `BAD`
    Bad,
    /// `PREAUTH` (greeting only)
    PreAuth,
    /// `BYE`
    Bye,
}

impl StatusKind {
    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            StatusKind::Ok => "OK",
            StatusKind::No => "NO",
            StatusKind::Bad => "BAD",
            StatusKind::PreAuth => "PREAUTH",
            StatusKind::Bye => "BYE",
        }
    }
}

/// `response-tagged`, `resp-cond-state`, `resp-cond-bye`, `resp-cond-auth`:
/// `[tag] (OK / NO / BAD / PREAUTH / BYE) SP resp-text`.
///
/// ```
/// use mailwire::imap::{parse_response, Code, ParseOptions, Response, StatusKind};
///
/// // RFC 3501 §6.3.1: S: A142 OK [READ-WRITE] SELECT completed
/// let frame = b"A142 OK [READ-WRITE] SELECT completed\r\n";
/// let Response::Status(status) = parse_response(frame, &ParseOptions::STRICT).unwrap() else { panic!() };
/// assert_eq!(status.tag.unwrap().as_str(), "A142");
/// assert_eq!((status.kind, status.code), (StatusKind::Ok, Some(Code::ReadWrite)));
/// assert_eq!(status.text.as_bytes(), b"SELECT completed");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct StatusResponse<'a> {
    /// The tag, or `None` for `*`.
    pub tag: Option<Tag<'a>>,
    /// OK, NO, ...
    pub kind: StatusKind,
    /// The response code in brackets, if any.
    pub code: Option<Code<'a>>,
    /// Human-readable text, exact bytes (may be empty under
    /// [`Quirks::missing_text`](crate::imap::Quirks)).
    pub text: Text<'a>,
}

/// `resp-text-code`: the bracketed code of a status response (RFC 9051 §7.1,
/// RFC 4315 UIDPLUS, RFC 7162 CONDSTORE/QRESYNC, RFC 5530, RFC 4978, RFC 5464).
///
/// ```
/// use mailwire::imap::{parse_response, Code, Flag, ParseOptions, Response};
///
/// let code = |frame: &'static [u8]| match parse_response(frame, &ParseOptions::STRICT).unwrap() {
///     Response::Status(s) => s.code.unwrap(),
///     other => panic!("{other:?}"),
/// };
/// // RFC 3501 §6.3.1
/// assert_eq!(code(b"* OK [UIDVALIDITY 3857529045] UIDs valid\r\n"), Code::UidValidity(3857529045));
/// let Code::PermanentFlags(flags) = code(b"* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n") else { panic!() };
/// assert_eq!(flags.iter().last(), Some(Flag::Wildcard));
/// // RFC 4315 §3: A003 OK [APPENDUID 38505 3955] APPEND completed
/// let Code::AppendUid { uid_validity, uids } = code(b"A003 OK [APPENDUID 38505 3955] APPEND completed\r\n") else { panic!() };
/// assert_eq!((uid_validity, uids.as_str()), (38505, "3955"));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Code<'a> {
    /// `ALERT`
    Alert,
    /// `BADCHARSET [SP "(" charset *(SP charset) ")"]`
    BadCharset(Option<List<'a, IString<'a>>>),
    /// `CAPABILITY ...`
    Capability(List<'a, Atom<'a>>),
    /// `PARSE`
    Parse,
    /// `PERMANENTFLAGS (...)` (may contain `\*`)
    PermanentFlags(List<'a, Flag<'a>>),
    /// `READ-ONLY`
    ReadOnly,
    /// `READ-WRITE`
    ReadWrite,
    /// `TRYCREATE`
    TryCreate,
    /// `UIDNEXT n`
    UidNext(u32),
    /// `UIDVALIDITY n`
    UidValidity(u32),
    /// `UNSEEN n`
    Unseen(u32),
    /// `APPENDUID uidvalidity uid-set` (RFC 4315)
    AppendUid {
        /// UIDVALIDITY of the destination.
        uid_validity: u32,
        /// UIDs assigned.
        uids: SequenceSet<'a>,
    },
    /// `COPYUID uidvalidity source-set dest-set` (RFC 4315)
    CopyUid {
        /// UIDVALIDITY of the destination.
        uid_validity: u32,
        /// Source UIDs.
        source: SequenceSet<'a>,
        /// Destination UIDs.
        destination: SequenceSet<'a>,
    },
    /// `UIDNOTSTICKY` (RFC 4315)
    UidNotSticky,
    /// `HIGHESTMODSEQ n` (RFC 7162)
    HighestModSeq(u64),
    /// `NOMODSEQ` (RFC 7162)
    NoModSeq,
    /// `MODIFIED set` (RFC 7162)
    Modified(SequenceSet<'a>),
    /// `CLOSED` (RFC 7162)
    Closed,
    /// `COMPRESSIONACTIVE` (RFC 4978)
    CompressionActive,
    /// `UNKNOWN-CTE` (RFC 3516)
    UnknownCte,
    /// `HASCHILDREN` (RFC 9051)
    HasChildren,
    /// `UNAVAILABLE` (RFC 5530)
    Unavailable,
    /// `AUTHENTICATIONFAILED` (RFC 5530)
    AuthenticationFailed,
    /// `AUTHORIZATIONFAILED` (RFC 5530)
    AuthorizationFailed,
    /// `EXPIRED` (RFC 5530)
    Expired,
    /// `PRIVACYREQUIRED` (RFC 5530)
    PrivacyRequired,
    /// `CONTACTADMIN` (RFC 5530)
    ContactAdmin,
    /// `NOPERM` (RFC 5530)
    NoPerm,
    /// `INUSE` (RFC 5530)
    InUse,
    /// `EXPUNGEISSUED` (RFC 5530)
    ExpungeIssued,
    /// `CORRUPTION` (RFC 5530)
    Corruption,
    /// `SERVERBUG` (RFC 5530)
    ServerBug,
    /// `CLIENTBUG` (RFC 5530)
    ClientBug,
    /// `CANNOT` (RFC 5530)
    Cannot,
    /// `LIMIT` (RFC 5530)
    Limit,
    /// `OVERQUOTA` (RFC 5530)
    OverQuota,
    /// `ALREADYEXISTS` (RFC 5530)
    AlreadyExists,
    /// `NONEXISTENT` (RFC 5530)
    NonExistent,
    /// `TOOBIG` (RFC 4469, RFC 7888)
    TooBig,
    /// `BADURL url-resp-text` (RFC 4469): the URL, raw (any text but `]`).
    BadUrl(IString<'a>),
    /// `URLMECH INTERNAL *(SP mechanism ["=" base64])` (RFC 4467): the
    /// mechanisms after the mandatory `INTERNAL`.
    UrlMech(List<'a, UrlMechanism<'a>>),
    /// `NOTIFICATIONOVERFLOW` (RFC 5465)
    NotificationOverflow,
    /// `BADEVENT (event...)` (RFC 5465): the events the server does not support.
    BadEvent(List<'a, NotifyEvent<'a>>),
    /// `NOUPDATE "tag"` (RFC 5267 §4.3): the server will not keep the result
    /// of that search up to date (`resp-text-code =/ "NOUPDATE" SP quoted`).
    NoUpdate(IString<'a>),
    /// `MAILBOXID (objectid)` (RFC 8474 §4.1): the id of a mailbox just
    /// created (`resp-text-code =/ "MAILBOXID" SP "(" objectid ")"`).
    MailboxId(IString<'a>),
    /// `INPROGRESS [("tag" state goal)]` (RFC 9585): progress of a
    /// long-running command, in an untagged OK.
    InProgress(Option<crate::imap::ext::inprogress::Progress<'a>>),
    /// `MESSAGELIMIT n` (RFC 9738): the command touched more messages than
    /// the server's limit `n`.
    MessageLimit(u32),
    /// `UIDREQUIRED` (RFC 9586): the command used message sequence numbers
    /// after UIDONLY was enabled.
    UidRequired,
    /// Any other code, kept raw: the atom and what followed it up to `]`.
    Other {
        /// The code's name.
        name: Atom<'a>,
        /// Its argument, if any (without the separating space).
        value: Option<Cow<'a, [u8]>>,
    },
}

/// A continuation request: `continue-req = "+" SP (resp-text / base64) CRLF`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Continue<'a> {
    /// Text (with an optional code), e.g. `+ Ready for literal data`.
    Text {
        /// The response code, if any.
        code: Option<Code<'a>>,
        /// The text.
        text: Text<'a>,
    },
    /// Base64 data (a SASL challenge): text that is non-empty valid base64, or
    /// nothing at all (`+ ` or, under [`Quirks::empty_continuation`](crate::imap::Quirks::empty_continuation), `+`),
    /// which is an empty challenge. Still encoded; see [`Continue::decode`].
    Base64(Cow<'a, [u8]>),
}

impl Continue<'_> {
    /// The base64 payload decoded, if this is [`Continue::Base64`] (or text
    /// that happens to decode).
    pub fn decode(&self) -> Option<alloc::vec::Vec<u8>> {
        use base64::Engine;
        let b = match self {
            Continue::Base64(b) => b,
            Continue::Text { text, .. } => text.as_bytes(),
        };
        base64::engine::general_purpose::STANDARD.decode(b).ok()
    }
}

/// Untagged data (`response-data` other than status responses).
///
/// The untagged data of RFC 3501 §8's SELECT, one line each:
///
/// ```
/// use mailwire::imap::{parse_response, Data, Flag, ParseOptions, Response};
///
/// let data = |frame: &'static [u8]| match parse_response(frame, &ParseOptions::STRICT).unwrap() {
///     Response::Data(d) => d,
///     other => panic!("{other:?}"),
/// };
/// assert_eq!(data(b"* 18 EXISTS\r\n"), Data::Exists(18));
/// assert_eq!(data(b"* 2 RECENT\r\n"), Data::Recent(2));
/// let Data::Flags(flags) = data(b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n") else { panic!() };
/// assert_eq!(flags.len(), 5);
/// // RFC 3501 §6.3.8: S: * LIST (\Noselect) "/" ~/Mail/foo
/// let Data::List(list) = data(b"* LIST (\\Noselect) \"/\" ~/Mail/foo\r\n") else { panic!() };
/// assert_eq!((list.delimiter, list.mailbox.as_bytes()), (Some('/'), &b"~/Mail/foo"[..]));
/// // RFC 3501 §7.4.1: S: * 44 EXPUNGE
/// assert_eq!(data(b"* 44 EXPUNGE\r\n"), Data::Expunge(44));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Data<'a> {
    /// `CAPABILITY ...`
    Capability(List<'a, Atom<'a>>),
    /// `ENABLED ...` (RFC 5161)
    Enabled(List<'a, Atom<'a>>),
    /// `LIST ...`
    List(MailboxList<'a>),
    /// `LSUB ...` (IMAP4rev1)
    Lsub(MailboxList<'a>),
    /// `XLIST ...` (Gmail's legacy LIST, same shape: `\Inbox`, `\AllMail`...)
    Xlist(MailboxList<'a>),
    /// `NAMESPACE personal other shared` (RFC 2342)
    Namespace {
        /// Personal namespaces (`None` for NIL).
        personal: Option<List<'a, Namespace<'a>>>,
        /// Other users' namespaces.
        other: Option<List<'a, Namespace<'a>>>,
        /// Shared namespaces.
        shared: Option<List<'a, Namespace<'a>>>,
    },
    /// `STATUS mailbox (...)`
    Status {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// Its items.
        items: List<'a, StatusItem<'a>>,
    },
    /// `SEARCH n...` (IMAP4rev1; RFC 7162 MODSEQ)
    Search {
        /// Matching numbers.
        ids: List<'a, u32>,
        /// `(MODSEQ n)`
        modseq: Option<u64>,
    },
    /// `ESEARCH ...` (RFC 4731, RFC 9051)
    ESearch(ESearch<'a>),
    /// `FLAGS (...)`
    Flags(List<'a, Flag<'a>>),
    /// `n EXISTS`
    Exists(u32),
    /// `n RECENT` (IMAP4rev1)
    Recent(u32),
    /// `n EXPUNGE`
    Expunge(u32),
    /// `VANISHED [(EARLIER)] uid-set` (RFC 7162)
    Vanished {
        /// `(EARLIER)`: in answer to a FETCH with VANISHED.
        earlier: bool,
        /// The expunged UIDs.
        uids: SequenceSet<'a>,
    },
    /// `n FETCH (...)`
    Fetch {
        /// Message sequence number.
        seq: u32,
        /// The data items, parsed as iterated.
        items: List<'a, FetchItem<'a>>,
    },
    /// `uid UIDFETCH (...)` (RFC 9586): FETCH data after UIDONLY was
    /// enabled, with the message's UID where FETCH has its sequence number.
    UidFetch {
        /// The message's UID (`uniqueid = nz-number`).
        uid: u32,
        /// The data items, as in FETCH.
        items: List<'a, FetchItem<'a>>,
    },
    /// `ID (...) / NIL` (RFC 2971)
    Id(IdParams<'a>),
    /// `QUOTA root (...)` (RFC 9208)
    Quota {
        /// Quota root.
        root: IString<'a>,
        /// Resources.
        resources: List<'a, QuotaResource<'a>>,
    },
    /// `QUOTAROOT mailbox root...` (RFC 9208)
    QuotaRoot {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// Its quota roots.
        roots: List<'a, IString<'a>>,
    },
    /// `METADATA mailbox ...` (RFC 5464)
    Metadata {
        /// The mailbox (empty for server metadata).
        mailbox: Mailbox<'a>,
        /// Entries.
        entries: MetadataEntries<'a>,
    },
    /// `SORT n...` (RFC 5256)
    Sort {
        /// Numbers in sort order.
        ids: List<'a, u32>,
        /// `(MODSEQ n)` (RFC 7162)
        modseq: Option<u64>,
    },
    /// `THREAD (...)...` (RFC 5256)
    Thread(List<'a, Thread<'a>>),
    /// `ACL mailbox *(SP identifier SP rights)` (RFC 4314)
    Acl {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// Identifiers and their rights.
        entries: List<'a, (IString<'a>, Rights<'a>)>,
    },
    /// `LISTRIGHTS mailbox identifier required *(SP optional)` (RFC 4314)
    ListRights {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// The identifier asked about.
        identifier: IString<'a>,
        /// Rights always granted.
        required: Rights<'a>,
        /// Groups of rights that may be granted (each group together).
        optional: List<'a, Rights<'a>>,
    },
    /// `MYRIGHTS mailbox rights` (RFC 4314)
    MyRights {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// The user's rights.
        rights: Rights<'a>,
    },
    /// `GENURLAUTH 1*(SP url-full)` (RFC 4467)
    GenUrlAuth(List<'a, IString<'a>>),
    /// `URLFETCH 1*(SP url SP nstring)` (RFC 4467): each URL with its data,
    /// NIL when it could not be fetched.
    UrlFetch(List<'a, (IString<'a>, NString<'a>)>),
    /// An untagged response this crate does not know, raw
    /// ([`Quirks::unknown_items`](crate::imap::Quirks)).
    Other {
        /// The first word (or number and word, `3 XFOO`).
        name: Cow<'a, str>,
        /// The rest of the line after the name's SP, raw.
        rest: Cow<'a, [u8]>,
    },
}

crate::owned::owned_copy!(StatusKind);

crate::owned::into_owned! {
    struct StatusResponse { tag, kind, code, text }
    enum Code {
        Alert,
        BadCharset(l),
        Capability(l),
        Parse,
        PermanentFlags(l),
        ReadOnly,
        ReadWrite,
        TryCreate,
        UidNext(n),
        UidValidity(n),
        Unseen(n),
        AppendUid { uid_validity, uids },
        CopyUid { uid_validity, source, destination },
        UidNotSticky,
        HighestModSeq(n),
        NoModSeq,
        Modified(s),
        Closed,
        CompressionActive,
        UnknownCte,
        HasChildren,
        Unavailable,
        AuthenticationFailed,
        AuthorizationFailed,
        Expired,
        PrivacyRequired,
        ContactAdmin,
        NoPerm,
        InUse,
        ExpungeIssued,
        Corruption,
        ServerBug,
        ClientBug,
        Cannot,
        Limit,
        OverQuota,
        AlreadyExists,
        NonExistent,
        TooBig,
        BadUrl(u),
        UrlMech(l),
        NotificationOverflow,
        BadEvent(l),
        NoUpdate(t),
        MailboxId(id),
        InProgress(p),
        MessageLimit(n),
        UidRequired,
        Other { name, value },
    }
    enum Continue { Text { code, text }, Base64(b) }
    enum Data {
        Capability(l),
        Enabled(l),
        List(m),
        Lsub(m),
        Xlist(m),
        Namespace { personal, other, shared },
        Status { mailbox, items },
        Search { ids, modseq },
        ESearch(e),
        Flags(l),
        Exists(n),
        Recent(n),
        Expunge(n),
        Vanished { earlier, uids },
        Fetch { seq, items },
        UidFetch { uid, items },
        Id(l),
        Quota { root, resources },
        QuotaRoot { mailbox, roots },
        Metadata { mailbox, entries },
        Sort { ids, modseq },
        Thread(l),
        Acl { mailbox, entries },
        ListRights { mailbox, identifier, required, optional },
        MyRights { mailbox, rights },
        GenUrlAuth(l),
        UrlFetch(l),
        Other { name, rest },
    }
    inherent enum Response { Status(s), Data(d), Continue(c) }
}
