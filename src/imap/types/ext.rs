//! Values of four extensions: ACL (RFC 4314 §3–§4: rights, identifiers),
//! CATENATE (RFC 4469 §5: the parts of a catenated APPEND message), NOTIFY
//! (RFC 5465 §3–§8: event groups, mailbox filters, events) and URLAUTH
//! (RFC 4467 §7: URLAUTH mechanisms). The command, response and response-code
//! variants that carry them are on [`CommandBody`](super::command::CommandBody),
//! [`Data`](super::response::Data) and [`Code`](super::response::Code).

use alloc::borrow::Cow;
use core::fmt;

use super::command::{AppendMessage, FetchAttribute};
use super::core::{Atom, DateTime, Flag, IString, List, Mailbox};

// ---- ACL (RFC 4314) ----

/// ACL rights (RFC 4314 §2.1, §4: `rights = astring`, "only lowercase ASCII
/// letters and digits are allowed"): `lrswipkxtea`, the obsolete `c` and `d`,
/// and the digits reserved for implementations. May be empty (`""`, e.g. the
/// required rights of a LISTRIGHTS response).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Rights<'a>(Cow<'a, str>);

/// Whether `b` is a rights character (lowercase ASCII letter or digit).
pub(crate) fn is_right(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

impl<'a> Rights<'a> {
    /// Rights, if every character of `s` is a lowercase ASCII letter or a digit.
    pub fn new(s: impl Into<Cow<'a, str>>) -> Option<Self> {
        let s = s.into();
        s.bytes().all(is_right).then_some(Rights(s))
    }
    /// The rights as sent (`lrswipkxtea`).
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// Whether the right `c` is among them.
    pub fn contains(&self, c: char) -> bool {
        self.0.contains(c)
    }
    /// Whether there is no right at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Rights<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Rights({})", self.0)
    }
}

/// How SETACL changes the rights (RFC 4314 §3.1: `mod-rights`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RightsMode {
    /// No prefix: the rights replace the identifier's rights.
    Replace,
    /// `+`: the rights are added.
    Add,
    /// `-`: the rights are removed.
    Remove,
}

/// `mod-rights = astring ; +rights to add, -rights to remove, rights to replace`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ModRights<'a> {
    /// Replace, add or remove.
    pub mode: RightsMode,
    /// The rights (may be empty: `-` alone removes nothing, `""` removes all).
    pub rights: Rights<'a>,
}

// ---- CATENATE (RFC 4469) ----

/// `cat-part = text-literal / url` (RFC 4469 §5).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CatenatePart<'a> {
    /// `TEXT literal`: bytes to insert as they are.
    Text(Cow<'a, [u8]>),
    /// `URL astring`: an IMAP URL (RFC 5092) whose data the server inserts.
    Url(IString<'a>),
}

/// One message of an APPEND that uses CATENATE (RFC 4469 §5; several with
/// MULTIAPPEND, RFC 3502): a plain literal message or a catenated one.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum AppendItem<'a> {
    /// `append-opts SP (literal / literal8)`.
    Message(AppendMessage<'a>),
    /// `append-opts SP "CATENATE" SP "(" cat-part *(SP cat-part) ")"`.
    Catenate {
        /// Flags to set.
        flags: Option<List<'a, Flag<'a>>>,
        /// Internal date to set.
        date: Option<DateTime>,
        /// The parts, in order (at least one).
        parts: List<'a, CatenatePart<'a>>,
    },
}

// ---- NOTIFY (RFC 5465) ----

/// `notify = "NOTIFY" SP (notify-set / notify-none)` (RFC 5465 §8).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Notify<'a> {
    /// `NONE`: no more notifications.
    None,
    /// `SET [STATUS] event-group...`: replaces the registered events.
    Set {
        /// `STATUS`: the server sends a STATUS for each selected mailbox now.
        status: bool,
        /// The event groups (at least one).
        groups: List<'a, EventGroup<'a>>,
    },
}

/// `event-group = "(" filter-mailboxes SP events ")"`.
#[derive(Clone, Debug, PartialEq)]
pub struct EventGroup<'a> {
    /// Which mailboxes.
    pub filter: MailboxFilter<'a>,
    /// The events, `None` for `NONE` (no events from these mailboxes).
    pub events: Option<List<'a, NotifyEvent<'a>>>,
}

/// `filter-mailboxes` (RFC 5465 §6).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum MailboxFilter<'a> {
    /// `SELECTED`
    Selected,
    /// `SELECTED-DELAYED`
    SelectedDelayed,
    /// `INBOXES`
    Inboxes,
    /// `PERSONAL`
    Personal,
    /// `SUBSCRIBED`
    Subscribed,
    /// `SUBTREE one-or-more-mailbox`
    Subtree(List<'a, Mailbox<'a>>),
    /// `MAILBOXES one-or-more-mailbox`
    Mailboxes(List<'a, Mailbox<'a>>),
}

/// `event` (RFC 5465 §5, §8).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum NotifyEvent<'a> {
    /// `MessageNew [SP "(" fetch-att *(SP fetch-att) ")"]`: with the
    /// attributes to send in the unsolicited FETCH.
    MessageNew(Option<List<'a, FetchAttribute<'a>>>),
    /// `MessageExpunge`
    MessageExpunge,
    /// `FlagChange`
    FlagChange,
    /// `AnnotationChange`
    AnnotationChange,
    /// `MailboxName`
    MailboxName,
    /// `SubscriptionChange`
    SubscriptionChange,
    /// `MailboxMetadataChange` (RFC 5464)
    MailboxMetadataChange,
    /// `ServerMetadataChange` (RFC 5464)
    ServerMetadataChange,
    /// `event-ext = atom`: another event.
    Other(Atom<'a>),
}

impl NotifyEvent<'_> {
    /// The event's name as on the wire (`MessageNew`).
    pub fn name(&self) -> &str {
        use NotifyEvent as E;
        match self {
            E::MessageNew(_) => "MessageNew",
            E::MessageExpunge => "MessageExpunge",
            E::FlagChange => "FlagChange",
            E::AnnotationChange => "AnnotationChange",
            E::MailboxName => "MailboxName",
            E::SubscriptionChange => "SubscriptionChange",
            E::MailboxMetadataChange => "MailboxMetadataChange",
            E::ServerMetadataChange => "ServerMetadataChange",
            E::Other(a) => a.as_str(),
        }
    }
}

// ---- URLAUTH (RFC 4467) ----

/// A URLAUTH mechanism of the URLMECH response code (RFC 4467 §7:
/// `mechanism ["=" base64]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlMechanism<'a> {
    /// `INTERNAL` or `1*(ALPHA / DIGIT / "-" / ".")`.
    pub name: Atom<'a>,
    /// Mechanism-specific data, still base64.
    pub data: Option<Cow<'a, [u8]>>,
}

/// Whether `s` is a URLAUTH mechanism name: `1*(ALPHA / DIGIT / "-" / ".")`
/// (RFC 4467 §7; `INTERNAL` is one).
pub fn is_url_mechanism(s: &[u8]) -> bool {
    !s.is_empty()
        && s.iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

crate::owned::owned_copy!(RightsMode);

crate::owned::into_owned! {
    struct Rights(inner)
    struct ModRights { mode, rights }
    enum CatenatePart { Text(t), Url(u) }
    enum AppendItem { Message(m), Catenate { flags, date, parts } }
    enum Notify { None, Set { status, groups } }
    struct EventGroup { filter, events }
    enum MailboxFilter {
        Selected,
        SelectedDelayed,
        Inboxes,
        Personal,
        Subscribed,
        Subtree(l),
        Mailboxes(l),
    }
    enum NotifyEvent {
        MessageNew(l),
        MessageExpunge,
        FlagChange,
        AnnotationChange,
        MailboxName,
        SubscriptionChange,
        MailboxMetadataChange,
        ServerMetadataChange,
        Other(a),
    }
    struct UrlMechanism { name, data }
}
