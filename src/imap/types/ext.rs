//! Values of four extensions: ACL (RFC 4314 §3–§4: rights, identifiers),
//! CATENATE (RFC 4469 §5: the parts of a catenated APPEND message), NOTIFY
//! (RFC 5465 §3–§8: event groups, mailbox filters, events) and URLAUTH
//! (RFC 4467 §7: URLAUTH mechanisms). The command, response and response-code
//! variants that carry them are on [`CommandBody`](super::command::CommandBody),
//! [`Data`](super::response::Data) and [`Code`](super::response::Code).

use alloc::borrow::Cow;
use core::fmt;

use super::command::{AppendMessage, FetchAttribute};
use super::core::{Atom, DateTime, Flag, IString, IntoOwned, List, Mailbox};

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

impl IntoOwned for Rights<'_> {
    type Owned = Rights<'static>;
    fn into_owned(self) -> Rights<'static> {
        Rights(Cow::Owned(self.0.into_owned()))
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

impl IntoOwned for ModRights<'_> {
    type Owned = ModRights<'static>;
    fn into_owned(self) -> ModRights<'static> {
        ModRights {
            mode: self.mode,
            rights: self.rights.into_owned(),
        }
    }
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

impl IntoOwned for CatenatePart<'_> {
    type Owned = CatenatePart<'static>;
    fn into_owned(self) -> CatenatePart<'static> {
        match self {
            CatenatePart::Text(t) => CatenatePart::Text(Cow::Owned(t.into_owned())),
            CatenatePart::Url(u) => CatenatePart::Url(u.into_owned()),
        }
    }
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

impl IntoOwned for AppendItem<'_> {
    type Owned = AppendItem<'static>;
    fn into_owned(self) -> AppendItem<'static> {
        match self {
            AppendItem::Message(m) => AppendItem::Message(m.into_owned()),
            AppendItem::Catenate { flags, date, parts } => AppendItem::Catenate {
                flags: flags.into_owned(),
                date,
                parts: parts.into_owned(),
            },
        }
    }
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

impl IntoOwned for Notify<'_> {
    type Owned = Notify<'static>;
    fn into_owned(self) -> Notify<'static> {
        match self {
            Notify::None => Notify::None,
            Notify::Set { status, groups } => Notify::Set {
                status,
                groups: groups.into_owned(),
            },
        }
    }
}

/// `event-group = "(" filter-mailboxes SP events ")"`.
#[derive(Clone, Debug, PartialEq)]
pub struct EventGroup<'a> {
    /// Which mailboxes.
    pub filter: MailboxFilter<'a>,
    /// The events, `None` for `NONE` (no events from these mailboxes).
    pub events: Option<List<'a, NotifyEvent<'a>>>,
}

impl IntoOwned for EventGroup<'_> {
    type Owned = EventGroup<'static>;
    fn into_owned(self) -> EventGroup<'static> {
        EventGroup {
            filter: self.filter.into_owned(),
            events: self.events.into_owned(),
        }
    }
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

impl IntoOwned for MailboxFilter<'_> {
    type Owned = MailboxFilter<'static>;
    fn into_owned(self) -> MailboxFilter<'static> {
        use MailboxFilter as M;
        match self {
            M::Selected => M::Selected,
            M::SelectedDelayed => M::SelectedDelayed,
            M::Inboxes => M::Inboxes,
            M::Personal => M::Personal,
            M::Subscribed => M::Subscribed,
            M::Subtree(l) => M::Subtree(l.into_owned()),
            M::Mailboxes(l) => M::Mailboxes(l.into_owned()),
        }
    }
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

impl IntoOwned for NotifyEvent<'_> {
    type Owned = NotifyEvent<'static>;
    fn into_owned(self) -> NotifyEvent<'static> {
        use NotifyEvent as E;
        match self {
            E::MessageNew(l) => E::MessageNew(l.into_owned()),
            E::MessageExpunge => E::MessageExpunge,
            E::FlagChange => E::FlagChange,
            E::AnnotationChange => E::AnnotationChange,
            E::MailboxName => E::MailboxName,
            E::SubscriptionChange => E::SubscriptionChange,
            E::MailboxMetadataChange => E::MailboxMetadataChange,
            E::ServerMetadataChange => E::ServerMetadataChange,
            E::Other(a) => E::Other(a.into_owned()),
        }
    }
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

impl IntoOwned for UrlMechanism<'_> {
    type Owned = UrlMechanism<'static>;
    fn into_owned(self) -> UrlMechanism<'static> {
        UrlMechanism {
            name: self.name.into_owned(),
            data: self.data.map(|d| Cow::Owned(d.into_owned())),
        }
    }
}

/// Whether `s` is a URLAUTH mechanism name: `1*(ALPHA / DIGIT / "-" / ".")`
/// (RFC 4467 §7; `INTERNAL` is one).
pub fn is_url_mechanism(s: &[u8]) -> bool {
    !s.is_empty()
        && s.iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}
