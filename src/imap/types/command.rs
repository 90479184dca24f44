//! Client commands (RFC 9051 §6, RFC 3501 §6 and the extensions named on each
//! variant).

use alloc::borrow::Cow;

use super::response::MailboxAttribute;
use crate::Secret;
pub use crate::imap::base::fetch::{FetchAttribute, FetchAttributes};
pub use crate::imap::base::search::{EntryTypeReq, ModSeqEntry, SearchKey};
use crate::imap::ext::acl::ModRights;
use crate::imap::ext::catenate::AppendItem;
use crate::imap::ext::notify::Notify;
use crate::imap::syntax::core::{
    Atom, DateTime, Flag, IString, List, Mailbox, NString, SequenceSet, Tag,
};

/// A tagged command.
#[derive(Clone, Debug, PartialEq)]
pub struct Command<'a> {
    /// The client's tag.
    pub tag: Tag<'a>,
    /// The command.
    pub body: CommandBody<'a>,
}

/// `store-att-flags`: how STORE changes the flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreKind {
    /// `FLAGS`: replace.
    Replace,
    /// `+FLAGS`: add.
    Add,
    /// `-FLAGS`: remove.
    Remove,
}

/// One `select-param` of SELECT/EXAMINE (RFC 4466 §2.1, RFC 7162 §3.1.8 and
/// §3.2.5).
///
/// ```text
/// select-params      = SP "(" select-param *(SP select-param) ")"
/// select-param       = select-param-name [SP select-param-value]
/// select-param-name  = tagged-ext-label
/// select-param-value = tagged-ext-val
/// select-param       =/ condstore-param          ; RFC 7162
/// condstore-param    = "CONDSTORE"
/// select-param       =/ "QRESYNC" SP "(" uidvalidity SP mod-sequence-value
///                       [SP known-uids] [SP seq-match-data] ")"
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum SelectParam<'a> {
    /// `CONDSTORE` (RFC 7162 §3.1.8)
    CondStore,
    /// `QRESYNC (uidvalidity modseq [known-uids] [seq-match-data])` (RFC 7162 §3.2.5)
    QResync(QResync<'a>),
    /// Another parameter: `tagged-ext-label [SP tagged-ext-val]`.
    Other {
        /// The parameter name (`tagged-ext-label`), not one of the names above.
        name: Atom<'a>,
        /// The value as on the wire (`tagged-ext-val`: a sequence set, a
        /// number, or a parenthesised list with its parentheses).
        value: Option<Cow<'a, [u8]>>,
    },
}

/// The arguments of the QRESYNC select parameter (RFC 7162 §3.2.5).
///
/// ```text
/// "QRESYNC" SP "(" uidvalidity SP mod-sequence-value [SP known-uids] [SP seq-match-data] ")"
/// uidvalidity    = nz-number
/// known-uids     = sequence-set   ; "*" is not allowed
/// seq-match-data = "(" known-sequence-set SP known-uid-set ")"
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct QResync<'a> {
    /// The last known UIDVALIDITY (non-zero).
    pub uid_validity: u32,
    /// The last known mod-sequence.
    pub mod_seq: u64,
    /// The UIDs the client knows (`known-uids`), without `*`.
    pub known_uids: Option<SequenceSet<'a>>,
    /// Message numbers paired with their UIDs (`seq-match-data`).
    pub seq_match_data: Option<SeqMatchData<'a>>,
}

/// `seq-match-data = "(" known-sequence-set SP known-uid-set ")"` (RFC 7162
/// §3.2.5): message numbers and the UIDs they had, both without `*`.
#[derive(Clone, Debug, PartialEq)]
pub struct SeqMatchData<'a> {
    /// `known-sequence-set`: message sequence numbers, ascending.
    pub known_sequence_set: SequenceSet<'a>,
    /// `known-uid-set`: the UIDs of those messages.
    pub known_uid_set: SequenceSet<'a>,
}

/// One `create-param` of CREATE (RFC 4466 §2.2, RFC 6154 §3).
///
/// ```text
/// create-params     = SP "(" create-param *( SP create-param) ")"
/// create-param      = create-param-name [SP create-param-value]
/// create-param-name = tagged-ext-label
/// create-param-value = tagged-ext-val
/// create-param      =/ "USE" SP "(" [use-attr *(SP use-attr)] ")"   ; RFC 6154
/// use-attr          = "\All" / "\Archive" / "\Drafts" / "\Flagged" / "\Junk" /
///                     "\Sent" / "\Trash" / use-attr-ext
/// use-attr-ext      = "\" atom
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum CreateParam<'a> {
    /// `USE (\Sent \Drafts ...)`: the special uses of the new mailbox, each
    /// with its backslash.
    Use(List<'a, MailboxAttribute<'a>>),
    /// Another parameter: `tagged-ext-label [SP tagged-ext-val]`.
    Other {
        /// The parameter name (`tagged-ext-label`), not `USE`.
        name: Atom<'a>,
        /// The value as on the wire (`tagged-ext-val`, parentheses included).
        value: Option<Cow<'a, [u8]>>,
    },
}

/// One `return-option` of LIST (RFC 5258 §6, RFC 5819 §2, RFC 6154 §6).
///
/// ```text
/// list-return-opts = "RETURN" SP "(" [return-option *(SP return-option)] ")"
/// return-option    = "SUBSCRIBED" / "CHILDREN" / status-option / option-extension
/// status-option    = "STATUS" SP "(" status-att *(SP status-att) ")"   ; RFC 5819
/// return-option    =/ "SPECIAL-USE"                                   ; RFC 6154
/// option-extension = (option-standard-tag / option-vendor-tag) [SP option-value]
/// option-value     = "(" option-val-comp ")"
/// option-val-comp  = astring / option-val-comp *(SP option-val-comp) / "(" option-val-comp ")"
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ListReturnOption<'a> {
    /// `SUBSCRIBED`
    Subscribed,
    /// `CHILDREN`
    Children,
    /// `SPECIAL-USE` (RFC 6154)
    SpecialUse,
    /// `STATUS (items)` (RFC 5819), at least one item.
    Status(List<'a, Atom<'a>>),
    /// Another option: `option-extension`.
    Other {
        /// The option name, not one of the names above.
        name: Atom<'a>,
        /// `option-value` as on the wire, parentheses included.
        value: Option<Cow<'a, [u8]>>,
    },
}

/// `sort-criterion = ["REVERSE" SP] sort-key` (RFC 5256 §4).
#[derive(Clone, Debug, PartialEq)]
pub struct SortCriterion<'a> {
    /// `REVERSE`: descending order.
    pub reverse: bool,
    /// What to sort by.
    pub key: SortKey<'a>,
}

/// `sort-key` (RFC 5256 §4, RFC 5957 §4).
///
/// ```text
/// sort-key = "ARRIVAL" / "CC" / "DATE" / "FROM" / "SIZE" / "SUBJECT" / "TO"
/// sort-key =/ "DISPLAYFROM" / "DISPLAYTO"    ; RFC 5957
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum SortKey<'a> {
    /// `ARRIVAL`: internal date and time.
    Arrival,
    /// `CC`: first Cc address mailbox.
    Cc,
    /// `DATE`: the Date header.
    Date,
    /// `FROM`: first From address mailbox.
    From,
    /// `SIZE`: RFC822.SIZE.
    Size,
    /// `SUBJECT`: base subject.
    Subject,
    /// `TO`: first To address mailbox.
    To,
    /// `DISPLAYFROM` (RFC 5957): display name of the first From address.
    DisplayFrom,
    /// `DISPLAYTO` (RFC 5957): display name of the first To address.
    DisplayTo,
    /// Another key from an extension (an atom that is none of the above and
    /// not `REVERSE`).
    Other(Atom<'a>),
}

/// One `getmetadata-option` (RFC 5464 §4.2).
///
/// ```text
/// getmetadata-options = "(" getmetadata-option *(SP getmetadata-option) ")"
/// getmetadata-option  = tagged-ext-label [SP tagged-ext-val]
/// maxsize-opt         = "MAXSIZE" SP number
/// scope-opt           = "DEPTH" SP ("0" / "1" / "infinity")
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum GetMetadataOption<'a> {
    /// `MAXSIZE n` (§4.2.1): only values of at most `n` octets.
    MaxSize(u32),
    /// `DEPTH 0 / 1 / infinity` (§4.2.2).
    Depth(MetadataDepth),
    /// Another option: `tagged-ext-label [SP tagged-ext-val]`.
    Other {
        /// The option name, neither `MAXSIZE` nor `DEPTH`.
        name: Atom<'a>,
        /// The value as on the wire (`tagged-ext-val`, parentheses included).
        value: Option<Cow<'a, [u8]>>,
    },
}

/// The `DEPTH` of a GETMETADATA (RFC 5464 §4.2.2): `"0" / "1" / "infinity"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MetadataDepth {
    /// `0`: the entries named only.
    Zero,
    /// `1`: and their immediate children.
    One,
    /// `infinity`: and all their descendants.
    Infinity,
}

impl MetadataDepth {
    /// The wire form (`0`, `1`, `infinity`).
    pub fn as_str(&self) -> &'static str {
        match self {
            MetadataDepth::Zero => "0",
            MetadataDepth::One => "1",
            MetadataDepth::Infinity => "infinity",
        }
    }
}

impl SortKey<'_> {
    /// The key as on the wire (`DATE`, `DISPLAYFROM`, or the extension's atom).
    pub fn as_str(&self) -> &str {
        match self {
            SortKey::Arrival => "ARRIVAL",
            SortKey::Cc => "CC",
            SortKey::Date => "DATE",
            SortKey::From => "FROM",
            SortKey::Size => "SIZE",
            SortKey::Subject => "SUBJECT",
            SortKey::To => "TO",
            SortKey::DisplayFrom => "DISPLAYFROM",
            SortKey::DisplayTo => "DISPLAYTO",
            SortKey::Other(a) => a.as_str(),
        }
    }
}

/// One message of an APPEND (several with MULTIAPPEND, RFC 3502).
#[derive(Clone, Debug, PartialEq)]
pub struct AppendMessage<'a> {
    /// Flags to set.
    pub flags: Option<List<'a, Flag<'a>>>,
    /// Internal date to set.
    pub date: Option<DateTime>,
    /// The message (a literal).
    pub data: Cow<'a, [u8]>,
    /// Sent as literal8 `~{n}` (RFC 3516), may contain NUL.
    pub binary: bool,
}

/// A command.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum CommandBody<'a> {
    /// `CAPABILITY`
    Capability,
    /// `NOOP`
    Noop,
    /// `LOGOUT`
    Logout,
    /// `STARTTLS`
    StartTls,
    /// `AUTHENTICATE mechanism [initial-response]` (SASL-IR, RFC 4959)
    Authenticate {
        /// SASL mechanism (`PLAIN`).
        mechanism: Atom<'a>,
        /// Initial response, still base64 (`=` is the empty response).
        initial_response: Option<Secret<'a>>,
    },
    /// `LOGIN user password`
    Login {
        /// User name.
        username: IString<'a>,
        /// Password.
        password: Secret<'a>,
    },
    /// `ENABLE cap...` (RFC 5161)
    Enable(List<'a, Atom<'a>>),
    /// `SELECT mailbox [params]`
    Select {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// `select-params` (`(CONDSTORE)`, `(QRESYNC (...))`); empty when absent.
        params: List<'a, SelectParam<'a>>,
    },
    /// `EXAMINE mailbox [params]`
    Examine {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// `select-params`, as for SELECT; empty when absent.
        params: List<'a, SelectParam<'a>>,
    },
    /// `CREATE mailbox [params]`
    Create {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// `create-params` (`(USE (\Sent))`, RFC 6154); empty when absent.
        params: List<'a, CreateParam<'a>>,
    },
    /// `DELETE mailbox`
    Delete(Mailbox<'a>),
    /// `RENAME from to`
    Rename {
        /// Existing name.
        from: Mailbox<'a>,
        /// New name.
        to: Mailbox<'a>,
    },
    /// `SUBSCRIBE mailbox`
    Subscribe(Mailbox<'a>),
    /// `UNSUBSCRIBE mailbox`
    Unsubscribe(Mailbox<'a>),
    /// `LIST [(selection)] reference patterns [RETURN (...)]` (RFC 5258, 5819, 6154)
    List {
        /// Selection options (`SUBSCRIBED`, `SPECIAL-USE`, ...).
        selection: List<'a, Atom<'a>>,
        /// Reference name.
        reference: Mailbox<'a>,
        /// Patterns (one, or several in parentheses).
        patterns: List<'a, IString<'a>>,
        /// `RETURN (...)` options (`CHILDREN STATUS (MESSAGES)`); `None`
        /// without RETURN, an empty list for `RETURN ()`.
        return_options: Option<List<'a, ListReturnOption<'a>>>,
    },
    /// `LSUB reference pattern` (IMAP4rev1)
    Lsub {
        /// Reference name.
        reference: Mailbox<'a>,
        /// Pattern.
        pattern: IString<'a>,
    },
    /// `NAMESPACE`
    Namespace,
    /// `STATUS mailbox (items)`
    Status {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// Items (`MESSAGES`, `UIDNEXT`, `SIZE`, `HIGHESTMODSEQ`, `APPENDLIMIT`, ...).
        items: List<'a, Atom<'a>>,
    },
    /// `APPEND mailbox message...`
    Append {
        /// Destination.
        mailbox: Mailbox<'a>,
        /// One or more messages.
        messages: List<'a, AppendMessage<'a>>,
    },
    /// `IDLE` (RFC 2177); ended by `DONE` ([`parse_idle_done`](crate::imap::parse::command::parse_idle_done)).
    Idle,
    /// `CHECK` (IMAP4rev1)
    Check,
    /// `CLOSE`
    Close,
    /// `UNSELECT` (RFC 3691)
    Unselect,
    /// `EXPUNGE`
    Expunge,
    /// `UID EXPUNGE set` (RFC 4315)
    UidExpunge(SequenceSet<'a>),
    /// `[UID] SEARCH [RETURN (...)] [CHARSET x] keys`
    Search {
        /// UID SEARCH.
        uid: bool,
        /// ESEARCH return options (`MIN MAX COUNT ALL SAVE`), `None` without RETURN.
        return_options: Option<List<'a, Atom<'a>>>,
        /// Charset.
        charset: Option<IString<'a>>,
        /// The keys (ANDed).
        criteria: List<'a, SearchKey<'a>>,
    },
    /// `[UID] FETCH set attributes [(CHANGEDSINCE n [VANISHED])]`
    Fetch {
        /// UID FETCH.
        uid: bool,
        /// Messages.
        set: SequenceSet<'a>,
        /// What to fetch.
        attributes: FetchAttributes<'a>,
        /// `CHANGEDSINCE n` (RFC 7162).
        changed_since: Option<u64>,
        /// `VANISHED` (RFC 7162, UID FETCH only).
        vanished: bool,
    },
    /// `[UID] STORE set [(UNCHANGEDSINCE n)] [+-]FLAGS[.SILENT] flags`
    Store {
        /// UID STORE.
        uid: bool,
        /// Messages.
        set: SequenceSet<'a>,
        /// `UNCHANGEDSINCE n` (RFC 7162).
        unchanged_since: Option<u64>,
        /// Replace, add or remove.
        kind: StoreKind,
        /// `.SILENT`
        silent: bool,
        /// The flags.
        flags: List<'a, Flag<'a>>,
    },
    /// `[UID] COPY set mailbox`
    Copy {
        /// UID COPY.
        uid: bool,
        /// Messages.
        set: SequenceSet<'a>,
        /// Destination.
        mailbox: Mailbox<'a>,
    },
    /// `[UID] MOVE set mailbox` (RFC 6851)
    Move {
        /// UID MOVE.
        uid: bool,
        /// Messages.
        set: SequenceSet<'a>,
        /// Destination.
        mailbox: Mailbox<'a>,
    },
    /// `ID (...) / NIL` (RFC 2971)
    Id(super::response::IdParams<'a>),
    /// `[UID] SORT (criteria) charset keys` (RFC 5256)
    Sort {
        /// UID SORT.
        uid: bool,
        /// Sort criteria (`REVERSE DATE SUBJECT`), at least one.
        criteria: List<'a, SortCriterion<'a>>,
        /// Charset.
        charset: IString<'a>,
        /// Search keys.
        search: List<'a, SearchKey<'a>>,
    },
    /// `[UID] THREAD algorithm charset keys` (RFC 5256)
    Thread {
        /// UID THREAD.
        uid: bool,
        /// `ORDEREDSUBJECT`, `REFERENCES`.
        algorithm: Atom<'a>,
        /// Charset.
        charset: IString<'a>,
        /// Search keys.
        search: List<'a, SearchKey<'a>>,
    },
    /// `GETQUOTA root` (RFC 9208)
    GetQuota(IString<'a>),
    /// `GETQUOTAROOT mailbox` (RFC 9208)
    GetQuotaRoot(Mailbox<'a>),
    /// `SETQUOTA root (resource limit ...)` (RFC 9208)
    SetQuota {
        /// Quota root.
        root: IString<'a>,
        /// Limits to set.
        limits: List<'a, (Atom<'a>, u64)>,
    },
    /// `GETMETADATA [(options)] mailbox entries` (RFC 5464)
    GetMetadata {
        /// `MAXSIZE n`, `DEPTH x`; empty when absent.
        options: List<'a, GetMetadataOption<'a>>,
        /// The mailbox (`""` for the server).
        mailbox: Mailbox<'a>,
        /// Entry names.
        entries: List<'a, IString<'a>>,
    },
    /// `SETMETADATA mailbox (entry value ...)` (RFC 5464)
    SetMetadata {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// Entries and values (NIL removes).
        entries: List<'a, (IString<'a>, NString<'a>)>,
    },
    /// `COMPRESS algorithm` (RFC 4978)
    Compress(Atom<'a>),
    /// `APPEND mailbox message...` where at least one message is built with
    /// `CATENATE` (RFC 4469); an APPEND of literals only is [`Append`](Self::Append).
    AppendCatenate {
        /// Destination.
        mailbox: Mailbox<'a>,
        /// One or more messages, at least one of them catenated.
        messages: List<'a, AppendItem<'a>>,
    },
    /// `SETACL mailbox identifier mod-rights` (RFC 4314)
    SetAcl {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// Whose rights (`anyone`, `-fred` for negative rights).
        identifier: IString<'a>,
        /// The change.
        rights: ModRights<'a>,
    },
    /// `DELETEACL mailbox identifier` (RFC 4314)
    DeleteAcl {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// Whose entry to remove.
        identifier: IString<'a>,
    },
    /// `GETACL mailbox` (RFC 4314)
    GetAcl(Mailbox<'a>),
    /// `LISTRIGHTS mailbox identifier` (RFC 4314)
    ListRights {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// Whose rights may be granted.
        identifier: IString<'a>,
    },
    /// `MYRIGHTS mailbox` (RFC 4314)
    MyRights(Mailbox<'a>),
    /// `NOTIFY NONE` / `NOTIFY SET ...` (RFC 5465)
    Notify(Notify<'a>),
    /// `RESETKEY [mailbox *(SP mechanism)]` (RFC 4467)
    ResetKey {
        /// The mailbox whose keys are reset; `None` for all mailboxes.
        mailbox: Option<Mailbox<'a>>,
        /// Mechanisms to reset (only with a mailbox; none means all).
        mechanisms: List<'a, Atom<'a>>,
    },
    /// `GENURLAUTH 1*(SP url-rump SP mechanism)` (RFC 4467)
    GenUrlAuth(List<'a, (IString<'a>, Atom<'a>)>),
    /// `URLFETCH 1*(SP url)` (RFC 4467)
    UrlFetch(List<'a, IString<'a>>),
    /// A command this crate does not know: a server answers BAD and goes on.
    Unknown {
        /// The command name as sent.
        name: Cow<'a, str>,
        /// The rest of the line after the name, raw.
        rest: Cow<'a, [u8]>,
    },
}

impl CommandBody<'_> {
    /// The command's name, as on the wire.
    pub fn name(&self) -> &str {
        match self {
            CommandBody::Capability => "CAPABILITY",
            CommandBody::Noop => "NOOP",
            CommandBody::Logout => "LOGOUT",
            CommandBody::StartTls => "STARTTLS",
            CommandBody::Authenticate { .. } => "AUTHENTICATE",
            CommandBody::Login { .. } => "LOGIN",
            CommandBody::Enable(_) => "ENABLE",
            CommandBody::Select { .. } => "SELECT",
            CommandBody::Examine { .. } => "EXAMINE",
            CommandBody::Create { .. } => "CREATE",
            CommandBody::Delete(_) => "DELETE",
            CommandBody::Rename { .. } => "RENAME",
            CommandBody::Subscribe(_) => "SUBSCRIBE",
            CommandBody::Unsubscribe(_) => "UNSUBSCRIBE",
            CommandBody::List { .. } => "LIST",
            CommandBody::Lsub { .. } => "LSUB",
            CommandBody::Namespace => "NAMESPACE",
            CommandBody::Status { .. } => "STATUS",
            CommandBody::Append { .. } => "APPEND",
            CommandBody::Idle => "IDLE",
            CommandBody::Check => "CHECK",
            CommandBody::Close => "CLOSE",
            CommandBody::Unselect => "UNSELECT",
            CommandBody::Expunge => "EXPUNGE",
            CommandBody::UidExpunge(_) => "UID EXPUNGE",
            CommandBody::Search { .. } => "SEARCH",
            CommandBody::Fetch { .. } => "FETCH",
            CommandBody::Store { .. } => "STORE",
            CommandBody::Copy { .. } => "COPY",
            CommandBody::Move { .. } => "MOVE",
            CommandBody::Id(_) => "ID",
            CommandBody::Sort { .. } => "SORT",
            CommandBody::Thread { .. } => "THREAD",
            CommandBody::GetQuota(_) => "GETQUOTA",
            CommandBody::GetQuotaRoot(_) => "GETQUOTAROOT",
            CommandBody::SetQuota { .. } => "SETQUOTA",
            CommandBody::GetMetadata { .. } => "GETMETADATA",
            CommandBody::SetMetadata { .. } => "SETMETADATA",
            CommandBody::Compress(_) => "COMPRESS",
            CommandBody::AppendCatenate { .. } => "APPEND",
            CommandBody::SetAcl { .. } => "SETACL",
            CommandBody::DeleteAcl { .. } => "DELETEACL",
            CommandBody::GetAcl(_) => "GETACL",
            CommandBody::ListRights { .. } => "LISTRIGHTS",
            CommandBody::MyRights(_) => "MYRIGHTS",
            CommandBody::Notify(_) => "NOTIFY",
            CommandBody::ResetKey { .. } => "RESETKEY",
            CommandBody::GenUrlAuth(_) => "GENURLAUTH",
            CommandBody::UrlFetch(_) => "URLFETCH",
            CommandBody::Unknown { name, .. } => name,
        }
    }
}

// ---- into_owned ----

crate::owned::owned_copy!(StoreKind, MetadataDepth);

crate::owned::into_owned! {
    inherent enum SelectParam { CondStore, QResync(q), Other { name, value } }
    inherent struct QResync { uid_validity, mod_seq, known_uids, seq_match_data }
    inherent struct SeqMatchData { known_sequence_set, known_uid_set }
    inherent enum CreateParam { Use(l), Other { name, value } }
    inherent enum ListReturnOption {
        Subscribed,
        Children,
        SpecialUse,
        Status(l),
        Other { name, value },
    }
    inherent enum SortKey {
        Arrival,
        Cc,
        Date,
        From,
        Size,
        Subject,
        To,
        DisplayFrom,
        DisplayTo,
        Other(a),
    }
    inherent struct SortCriterion { reverse, key }
    inherent enum GetMetadataOption { MaxSize(n), Depth(d), Other { name, value } }
    struct AppendMessage { flags, date, data, binary }
    enum CommandBody {
        Capability,
        Noop,
        Logout,
        StartTls,
        Authenticate { mechanism, initial_response },
        Login { username, password },
        Enable(l),
        Select { mailbox, params },
        Examine { mailbox, params },
        Create { mailbox, params },
        Delete(m),
        Rename { from, to },
        Subscribe(m),
        Unsubscribe(m),
        List { selection, reference, patterns, return_options },
        Lsub { reference, pattern },
        Namespace,
        Status { mailbox, items },
        Append { mailbox, messages },
        Idle,
        Check,
        Close,
        Unselect,
        Expunge,
        UidExpunge(s),
        Search { uid, return_options, charset, criteria },
        Fetch { uid, set, attributes, changed_since, vanished },
        Store { uid, set, unchanged_since, kind, silent, flags },
        Copy { uid, set, mailbox },
        Move { uid, set, mailbox },
        Id(l),
        Sort { uid, criteria, charset, search },
        Thread { uid, algorithm, charset, search },
        GetQuota(s),
        GetQuotaRoot(m),
        SetQuota { root, limits },
        GetMetadata { options, mailbox, entries },
        SetMetadata { mailbox, entries },
        Compress(a),
        AppendCatenate { mailbox, messages },
        SetAcl { mailbox, identifier, rights },
        DeleteAcl { mailbox, identifier },
        GetAcl(m),
        ListRights { mailbox, identifier },
        MyRights(m),
        Notify(n),
        ResetKey { mailbox, mechanisms },
        GenUrlAuth(l),
        UrlFetch(l),
        Unknown { name, rest },
    }
    inherent struct Command { tag, body }
}
