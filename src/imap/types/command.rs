//! Client commands (RFC 9051 §6, RFC 3501 §6 and the extensions named on each
//! variant).
//!
//! ```
//! use mailwire::imap::{emit_command, Command, CommandBody, EmitOptions, Flag, List, SequenceSet, StoreKind, Tag};
//!
//! // RFC 3501 §8: C: a005 store 12 +flags \deleted
//! let command = Command {
//!     tag: Tag::new("a005").unwrap(),
//!     body: CommandBody::Store {
//!         uid: false,
//!         set: SequenceSet::single(12).unwrap(),
//!         unchanged_since: None,
//!         kind: StoreKind::Add,
//!         silent: false,
//!         flags: List::from_items(vec![Flag::Deleted]),
//!     },
//! };
//! let mut out = Vec::new();
//! emit_command(&command, &mut out, &EmitOptions::default()).unwrap();
//! assert_eq!(out, b"a005 STORE 12 +FLAGS (\\Deleted)\r\n");
//! ```

use alloc::borrow::Cow;

use super::response::MailboxAttribute;
use crate::Secret;
pub use crate::imap::base::append::AppendMessage;
pub use crate::imap::base::fetch::{FetchAttribute, FetchAttributes};
pub use crate::imap::base::list::ListReturnOption;
pub use crate::imap::base::search::{EntryTypeReq, ModSeqEntry, SearchKey};
pub use crate::imap::base::select::{QResync, SelectParam, SeqMatchData};
pub use crate::imap::base::sort::{SortCriterion, SortKey};
pub use crate::imap::base::store::StoreKind;
use crate::imap::ext::acl::ModRights;
use crate::imap::ext::catenate::AppendItem;
pub use crate::imap::ext::metadata::{GetMetadataOption, MetadataDepth};
use crate::imap::ext::notify::Notify;
use crate::imap::syntax::core::{
    Atom, Flag, IString, List, Mailbox, NString, SeqNum, SequenceSet, Tag,
};

/// A tagged command.
///
/// ```
/// use mailwire::imap::{parse_command, CommandBody, Mailbox, ParseOptions};
///
/// // RFC 3501 §8: C: a002 select inbox
/// let command = parse_command(b"a002 select inbox\r\n", &ParseOptions::STRICT).unwrap();
/// assert_eq!(command.tag.as_str(), "a002");
/// let CommandBody::Select { mailbox, params } = command.body else { panic!() };
/// assert_eq!(mailbox, Mailbox::Inbox);
/// assert!(params.is_empty());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Command<'a> {
    /// The client's tag.
    pub tag: Tag<'a>,
    /// The command.
    pub body: CommandBody<'a>,
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

/// A command.
///
/// What a client sends, and what a server's [`ServerEvent::Command`](crate::imap::ServerEvent::Command)
/// carries. The commands of RFC 3501 §8's sample session, read and written
/// again (written upper-case, as the grammar's names are case-insensitive):
///
/// ```
/// use mailwire::imap::{emit_command, parse_command, CommandBody, EmitOptions, ParseOptions};
///
/// for (line, written) in [
///     ("a001 login mrc secret", "a001 LOGIN mrc secret"),
///     ("a002 select inbox", "a002 SELECT INBOX"),
///     ("a003 fetch 12 full", "a003 FETCH 12 FULL"),
///     ("a004 fetch 12 body[header]", "a004 FETCH 12 BODY[HEADER]"),
///     ("a005 store 12 +flags \\deleted", "a005 STORE 12 +FLAGS (\\Deleted)"),
///     ("a006 logout", "a006 LOGOUT"),
/// ] {
///     let frame = format!("{line}\r\n");
///     let command = parse_command(frame.as_bytes(), &ParseOptions::STRICT).unwrap();
///     let mut out = Vec::new();
///     emit_command(&command, &mut out, &EmitOptions::default()).unwrap();
///     assert_eq!(out, format!("{written}\r\n").as_bytes());
/// }
/// let logout = parse_command(b"a006 logout\r\n", &ParseOptions::STRICT).unwrap();
/// assert_eq!(logout.body, CommandBody::Logout);
/// ```
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
    /// `XLIST reference pattern` (Gmail's legacy LIST with special-use
    /// attributes, before RFC 6154; same arguments as LIST)
    Xlist {
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
    /// `UNAUTHENTICATE` (RFC 8437): back to the not-authenticated state
    /// ([`ext::unauthenticate`](crate::imap::ext::unauthenticate)).
    Unauthenticate,
    /// `CANCELUPDATE "tag" ...` (RFC 5267 §4.3.5): stop the updates of
    /// these searches ([`ext::context`](crate::imap::ext::context)).
    CancelUpdate(List<'a, IString<'a>>),
    /// `EXPUNGE`
    Expunge,
    /// `UID EXPUNGE set` (RFC 4315)
    UidExpunge(SequenceSet<'a>),
    /// `[UID] SEARCH [RETURN (...)] [CHARSET x] keys`
    Search {
        /// UID SEARCH.
        uid: bool,
        /// ESEARCH return options (`MIN MAX COUNT ALL SAVE`, `PARTIAL
        /// range` as two atoms, RFC 9394: read it with
        /// [`CommandBody::partial`]), `None` without RETURN.
        return_options: Option<List<'a, Atom<'a>>>,
        /// Charset.
        charset: Option<IString<'a>>,
        /// The keys (ANDed).
        criteria: List<'a, SearchKey<'a>>,
    },
    /// `ESEARCH [IN (filters)] [RETURN (...)] [CHARSET x] keys` (RFC 7377,
    /// MULTISEARCH; [`ext::multisearch`](crate::imap::ext::multisearch)).
    ESearch {
        /// `IN (source-mbox)`: the mailboxes to search; `None`: the selected one.
        source: Option<List<'a, crate::imap::ext::notify::MailboxFilter<'a>>>,
        /// Return options (`MIN MAX COUNT ALL`), `None` without RETURN.
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
        /// `PARTIAL range` (RFC 9394 §3.3): only this window of the
        /// messages `set` names (`-1:-50`: the last fifty).
        partial: Option<crate::imap::base::partial::PartialRange>,
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
    /// `[UID] STORE set [(UNCHANGEDSINCE n)] [+-]X-GM-LABELS[.SILENT] labels`
    /// (Gmail's X-GM-EXT-1, [`crate::imap::base::gmail`])
    StoreGmailLabels {
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
        /// The labels.
        labels: List<'a, crate::imap::base::gmail::GmailLabel<'a>>,
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
    /// `[UID] SORT [RETURN (...)] (criteria) charset keys` (RFC 5256; RETURN
    /// from ESORT, RFC 5267)
    Sort {
        /// UID SORT.
        uid: bool,
        /// ESORT return options (`MIN MAX COUNT ALL`, and with CONTEXT=SORT
        /// `UPDATE CONTEXT PARTIAL low:high`; the range is its own atom,
        /// read it with [`CommandBody::partial`]),
        /// `None` without RETURN (RFC 5267 §3).
        return_options: Option<List<'a, Atom<'a>>>,
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
    /// `[UID] REPLACE seq-number mailbox append-message` (RFC 8508): the
    /// message `id` of the selected mailbox is replaced by `message`, which
    /// goes to `mailbox` ([`ext::replace`](crate::imap::ext::replace)).
    Replace {
        /// `UID REPLACE`: `id` is a UID, not a message sequence number.
        uid: bool,
        /// The message replaced (`*`: the last one).
        id: SeqNum,
        /// Where the new message goes (need not be the selected mailbox).
        mailbox: Mailbox<'a>,
        /// The new message: a literal (or literal8), or CATENATE's parts
        /// (RFC 8508 §4.2).
        message: AppendItem<'a>,
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
    /// The PARTIAL window of the command (RFC 9394): the `PARTIAL` return
    /// option of a SEARCH, SORT or ESEARCH, or the `PARTIAL` modifier of a
    /// FETCH; `None` for another command or without one.
    ///
    /// ```
    /// use mailwire::imap::{parse_command, ParseOptions, PartialRange};
    ///
    /// // RFC 9394 §3.1: C: A01 UID SEARCH RETURN (PARTIAL 1:500) UNDELETED
    /// let c = parse_command(b"A01 UID SEARCH RETURN (PARTIAL 1:500) UNDELETED\r\n", &ParseOptions::STRICT).unwrap();
    /// assert_eq!(c.body.partial(), Some(PartialRange::first(1, 500)));
    /// ```
    pub fn partial(&self) -> Option<crate::imap::base::partial::PartialRange> {
        use crate::imap::base::partial::PartialRange;
        match self {
            CommandBody::Fetch { partial, .. } => *partial,
            CommandBody::Search { return_options, .. }
            | CommandBody::Sort { return_options, .. }
            | CommandBody::ESearch { return_options, .. } => return_options
                .as_ref()
                .and_then(PartialRange::of_return_options),
            _ => None,
        }
    }

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
            CommandBody::Xlist { .. } => "XLIST",
            CommandBody::Namespace => "NAMESPACE",
            CommandBody::Status { .. } => "STATUS",
            CommandBody::Append { .. } => "APPEND",
            CommandBody::Idle => "IDLE",
            CommandBody::Check => "CHECK",
            CommandBody::Close => "CLOSE",
            CommandBody::Unselect => "UNSELECT",
            CommandBody::Unauthenticate => "UNAUTHENTICATE",
            CommandBody::CancelUpdate(_) => "CANCELUPDATE",
            CommandBody::Expunge => "EXPUNGE",
            CommandBody::UidExpunge(_) => "UID EXPUNGE",
            CommandBody::Search { .. } => "SEARCH",
            CommandBody::ESearch { .. } => "ESEARCH",
            CommandBody::Fetch { .. } => "FETCH",
            CommandBody::Store { .. } => "STORE",
            CommandBody::StoreGmailLabels { .. } => "STORE",
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
            CommandBody::Replace { .. } => "REPLACE",
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

impl CommandBody<'_> {
    /// Whether the command uses message sequence numbers in its arguments,
    /// which RFC 9586 §3 forbids once UIDONLY is enabled ("the client MUST
    /// NOT use message sequence numbers (including the special marker "*")
    /// in any arguments to IMAP commands"): FETCH, STORE, SEARCH, COPY,
    /// MOVE, SORT and THREAD without UID; a UID SEARCH, UID SORT, UID THREAD
    /// or ESEARCH whose program has a `sequence-set` key (`UID SEARCH 1:5`);
    /// SELECT or EXAMINE with QRESYNC's `seq-match-data`, whose first half
    /// is message numbers (RFC 7162 §3.2.5).
    pub(crate) fn uses_sequence_numbers(&self) -> bool {
        use crate::imap::ext::uidonly::names_sequence_numbers;
        use CommandBody as C;
        match self {
            C::Fetch { uid, .. }
            | C::Store { uid, .. }
            | C::StoreGmailLabels { uid, .. }
            | C::Copy { uid, .. }
            | C::Move { uid, .. } => !uid,
            C::Search { uid, criteria, .. } => !uid || names_sequence_numbers(criteria.iter()),
            C::Sort { uid, search, .. } | C::Thread { uid, search, .. } => {
                !uid || names_sequence_numbers(search.iter())
            }
            C::ESearch { criteria, .. } => names_sequence_numbers(criteria.iter()),
            C::Select { params, .. } | C::Examine { params, .. } => params.iter().any(|p| {
                matches!(
                    p,
                    crate::imap::base::select::SelectParam::QResync(q) if q.seq_match_data.is_some()
                )
            }),
            _ => false,
        }
    }
}

// ---- into_owned ----

crate::owned::into_owned! {
    inherent enum CreateParam { Use(l), Other { name, value } }
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
        Xlist { reference, pattern },
        Namespace,
        Status { mailbox, items },
        Append { mailbox, messages },
        Idle,
        Check,
        Close,
        Unselect,
        Unauthenticate,
        CancelUpdate(l),
        Expunge,
        UidExpunge(s),
        Search { uid, return_options, charset, criteria },
        ESearch { source, return_options, charset, criteria },
        Fetch { uid, set, attributes, changed_since, vanished, partial },
        Store { uid, set, unchanged_since, kind, silent, flags },
        StoreGmailLabels { uid, set, unchanged_since, kind, silent, labels },
        Copy { uid, set, mailbox },
        Move { uid, set, mailbox },
        Id(l),
        Sort { uid, return_options, criteria, charset, search },
        Thread { uid, algorithm, charset, search },
        GetQuota(s),
        GetQuotaRoot(m),
        SetQuota { root, limits },
        GetMetadata { options, mailbox, entries },
        SetMetadata { mailbox, entries },
        Compress(a),
        AppendCatenate { mailbox, messages },
        Replace { uid, id, mailbox, message },
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
