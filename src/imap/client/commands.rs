//! Typed shorthands for the commands a client sends every day, and helpers to
//! read what comes back.
//!
//! Each shorthand builds the [`CommandBody`] and hands it to
//! [`Client::send`], so the same rules apply: the server must have advertised
//! the command's extension (unless
//! [`ClientConfig::trust_unadvertised`](super::ClientConfig::trust_unadvertised)),
//! literals wait for the server's `+` when they must, and each call returns the
//! [`Tag`] whose [`ClientEvent::Completed`](super::ClientEvent::Completed)
//! ends the command.
//!
//! Mailbox names are given as Unicode `&str`: they go on the wire in modified
//! UTF-7 (RFC 3501 §5.1.3), or as UTF-8 once `UTF8=ACCEPT` (RFC 6855) or
//! `IMAP4rev2` (RFC 9051 §5.1) is enabled. Message sets are anything that
//! implements [`IntoSequenceSet`]: `7`, `1..=10`, `100..` (`100:*`), a slice
//! of numbers or a `"1:4,7"` string.
//!
//! ```
//! use mailwire::imap::{Client, ClientConfig, Date, FetchQuery, SearchQuery};
//!
//! let mut client = Client::new(ClientConfig::default());
//! client.handle_input(b"* OK [CAPABILITY IMAP4rev1 MOVE] ready\r\n");
//! let mut wire = String::new();
//! // sends what the client queued and answers the command OK
//! let mut ok = |client: &mut Client, tag: mailwire::imap::Tag<'static>| {
//!     wire.extend(std::iter::from_fn(|| client.poll_transmit()).map(|b| String::from_utf8(b.to_vec()).unwrap()));
//!     client.handle_input(format!("{} OK done\r\n", tag.as_str()).as_bytes());
//!     while client.poll_event().unwrap().is_some() {}
//! };
//! let tag = client.login("alice", "secret").unwrap();
//! ok(&mut client, tag);
//! let tag = client.list("", "*").unwrap();
//! ok(&mut client, tag);
//! let tag = client.select("INBOX").unwrap();
//! ok(&mut client, tag);
//! let since = Date::new(2026, 12, 1).unwrap();
//! let tag = client.search(&SearchQuery::new().unseen().since(since)).unwrap();
//! ok(&mut client, tag);
//! let tag = client.fetch(1..=10, &FetchQuery::new().uid().flags().envelope()).unwrap();
//! ok(&mut client, tag);
//! let tag = client.uid_move_messages(4242, "Archive/2026").unwrap();
//! ok(&mut client, tag);
//! let lines: Vec<&str> = wire.lines().map(|l| l.split_once(' ').unwrap().1).collect();
//! assert_eq!(
//!     lines,
//!     [
//!         "LOGIN alice secret",
//!         "LIST \"\" *",
//!         "SELECT INBOX",
//!         "SEARCH UNSEEN SINCE 1-Dec-2026",
//!         "FETCH 1:10 (UID FLAGS ENVELOPE)",
//!         "UID MOVE 4242 Archive/2026",
//!     ]
//! );
//! ```

use alloc::borrow::Cow;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::ops::{RangeFrom, RangeInclusive};

use super::{Client, ClientEvent, CommandKind};
use crate::error::Error;
use crate::header::decode_encoded_words;
use crate::imap::base::gmail::{GmailKey, GmailLabel};
use crate::imap::base::partial::PartialRange;
use crate::imap::types::body::{Address, Envelope};
use crate::imap::types::command::{
    AppendMessage, CommandBody, FetchAttribute, FetchAttributes, SearchKey, StoreKind,
};
use crate::imap::types::core::{
    Atom, Date, DateTime, Flag, IString, Lazy, List, Mailbox, NString, SequenceSet, Tag,
};
use crate::imap::types::response::{
    ESearch, FetchItem, Part, SearchReturnData, Section, SectionText, StatusKind,
};
use crate::imap::utf7;

/// Something that names messages: a sequence set (RFC 9051 §9 `sequence-set`).
///
/// Implemented for a number (`7`), a range (`1..=10` is `1:10`, `100..` is
/// `100:*`), a slice of numbers (`&[3, 5, 9]` is `3,5,9`), a string in the
/// wire syntax (`"1:4,7,10:*"`) and [`SequenceSet`] itself.
///
/// ```
/// use mailwire::imap::{IntoSequenceSet, SequenceSet};
///
/// let wire = |set: SequenceSet<'_>| set.as_str().to_owned();
/// assert_eq!(wire(7.into_sequence_set().unwrap()), "7");
/// assert_eq!(wire((1..=10).into_sequence_set().unwrap()), "1:10");
/// assert_eq!(wire((100..).into_sequence_set().unwrap()), "100:*");
/// assert_eq!(wire((&[3, 5, 9]).into_sequence_set().unwrap()), "3,5,9");
/// assert_eq!(wire("1:4,7,10:*".into_sequence_set().unwrap()), "1:4,7,10:*");
/// // RFC 9051 §9: seq-number = nz-number / "*"; 0 is no message
/// assert!(0.into_sequence_set().is_none());
/// assert!("1,,2".into_sequence_set().is_none());
/// ```
pub trait IntoSequenceSet {
    /// The set, or `None` when it is not a valid `sequence-set` (a zero, an
    /// empty slice, a malformed string).
    fn into_sequence_set(self) -> Option<SequenceSet<'static>>;
}

impl IntoSequenceSet for u32 {
    fn into_sequence_set(self) -> Option<SequenceSet<'static>> {
        SequenceSet::single(self)
    }
}

impl IntoSequenceSet for RangeInclusive<u32> {
    fn into_sequence_set(self) -> Option<SequenceSet<'static>> {
        if *self.start() == 0 || *self.end() == 0 {
            return None;
        }
        SequenceSet::new(format!("{}:{}", self.start(), self.end()))
    }
}

impl IntoSequenceSet for RangeFrom<u32> {
    fn into_sequence_set(self) -> Option<SequenceSet<'static>> {
        if self.start == 0 {
            return None;
        }
        SequenceSet::new(format!("{}:*", self.start))
    }
}

impl IntoSequenceSet for &[u32] {
    fn into_sequence_set(self) -> Option<SequenceSet<'static>> {
        if self.is_empty() || self.contains(&0) {
            return None;
        }
        let mut text = String::with_capacity(self.len() * 6);
        for (i, n) in self.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            let _ = core::fmt::Write::write_fmt(&mut text, format_args!("{n}"));
        }
        SequenceSet::new(text)
    }
}

impl<const N: usize> IntoSequenceSet for &[u32; N] {
    fn into_sequence_set(self) -> Option<SequenceSet<'static>> {
        self.as_slice().into_sequence_set()
    }
}

impl IntoSequenceSet for &str {
    fn into_sequence_set(self) -> Option<SequenceSet<'static>> {
        SequenceSet::new(String::from(self))
    }
}

impl IntoSequenceSet for SequenceSet<'_> {
    fn into_sequence_set(self) -> Option<SequenceSet<'static>> {
        use crate::imap::IntoOwned;
        Some(self.into_owned())
    }
}

fn set(messages: impl IntoSequenceSet) -> Result<SequenceSet<'static>, Error> {
    messages
        .into_sequence_set()
        .ok_or(Error::Emit(crate::error::Unemittable::Grammar {
            rule: "sequence-set",
        }))
}

/// A mailbox as the shorthands take it: a Unicode name (`"INBOX"`,
/// `"Entwürfe"`), encoded for the wire as the session requires, or a
/// [`Mailbox`] already in wire form, sent as it is.
///
/// ```
/// use mailwire::imap::{Client, ClientConfig, IString, Mailbox};
///
/// let mut client = Client::new(ClientConfig::default());
/// client.handle_input(b"* PREAUTH ready\r\n");
/// client.poll_event().unwrap(); // the greeting
/// // RFC 3501 §5.1.3: "~peter/mail/台北/日本語" in modified UTF-7
/// client.create("~peter/mail/台北/日本語").unwrap();
/// // a name already in wire form goes as it is
/// client.create(Mailbox::from_wire(IString::from("Archive/&AOQ-"))).unwrap();
/// let mut wire = Vec::new();
/// while let Some(b) = client.poll_transmit() { wire.extend_from_slice(&b); }
/// assert_eq!(
///     String::from_utf8(wire).unwrap(),
///     "A0001 CREATE ~peter/mail/&U,BTFw-/&ZeVnLIqe-\r\nA0002 CREATE Archive/&AOQ-\r\n"
/// );
/// ```
pub trait MailboxName<'a> {
    /// The wire form: modified UTF-7 (RFC 3501 §5.1.3), or UTF-8 when `utf8`
    /// (after `ENABLE UTF8=ACCEPT` or `IMAP4rev2`).
    fn into_mailbox(self, utf8: bool) -> Mailbox<'a>;
}

impl<'a> MailboxName<'a> for &'a str {
    fn into_mailbox(self, utf8: bool) -> Mailbox<'a> {
        if utf8 {
            Mailbox::utf8_raw(self)
        } else {
            Mailbox::from_utf8(self)
        }
    }
}

impl<'a> MailboxName<'a> for &'a String {
    fn into_mailbox(self, utf8: bool) -> Mailbox<'a> {
        self.as_str().into_mailbox(utf8)
    }
}

impl<'a> MailboxName<'a> for Mailbox<'a> {
    fn into_mailbox(self, _utf8: bool) -> Mailbox<'a> {
        self
    }
}

/// What a FETCH asks for (RFC 9051 §6.4.5 `fetch-att`), built item by item.
///
/// ```
/// use mailwire::imap::{Client, ClientConfig, FetchQuery};
///
/// let mut client = Client::new(ClientConfig::default());
/// client.handle_input(b"* PREAUTH ready\r\n");
/// client.poll_event().unwrap(); // the greeting
/// client.select("INBOX").unwrap();
/// // BODY.PEEK: reading does not set \Seen
/// let query = FetchQuery::new().uid().flags().header_fields(&["Date", "From", "Subject"]);
/// client.uid_fetch(4000.., &query).unwrap();
/// let mut wire = Vec::new();
/// while let Some(b) = client.poll_transmit() { wire.extend_from_slice(&b); }
/// assert_eq!(
///     String::from_utf8(wire).unwrap(),
///     "A0001 SELECT INBOX\r\n\
///      A0002 UID FETCH 4000:* (UID FLAGS BODY.PEEK[HEADER.FIELDS (Date From Subject)])\r\n"
/// );
/// // RFC 9051 §6.4.5: an empty query is the FAST macro
/// client.uid_fetch(7, &FetchQuery::new()).unwrap();
/// assert_eq!(&client.poll_transmit().unwrap()[..], b"A0003 UID FETCH 7 FAST\r\n");
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FetchQuery<'a> {
    items: Vec<FetchAttribute<'a>>,
}

impl<'a> FetchQuery<'a> {
    /// An empty query (add items to it).
    pub fn new() -> Self {
        FetchQuery::default()
    }
    fn with(mut self, item: FetchAttribute<'a>) -> Self {
        self.items.push(item);
        self
    }
    /// `UID`
    pub fn uid(self) -> Self {
        self.with(FetchAttribute::Uid)
    }
    /// `FLAGS`
    pub fn flags(self) -> Self {
        self.with(FetchAttribute::Flags)
    }
    /// `ENVELOPE`: date, subject, addresses, message id.
    pub fn envelope(self) -> Self {
        self.with(FetchAttribute::Envelope)
    }
    /// `INTERNALDATE`
    pub fn internal_date(self) -> Self {
        self.with(FetchAttribute::InternalDate)
    }
    /// `RFC822.SIZE`: the message's size in octets.
    pub fn size(self) -> Self {
        self.with(FetchAttribute::Rfc822Size)
    }
    /// `BODYSTRUCTURE`
    pub fn body_structure(self) -> Self {
        self.with(FetchAttribute::BodyStructure)
    }
    /// `BODY.PEEK[]`: the whole message, without setting `\Seen`.
    pub fn message(self) -> Self {
        self.section(Section::default(), true)
    }
    /// `BODY[]`: the whole message; the server sets `\Seen`.
    pub fn message_and_mark_seen(self) -> Self {
        self.section(Section::default(), false)
    }
    /// `BODY.PEEK[HEADER]`: the header, without setting `\Seen`.
    pub fn header(self) -> Self {
        self.section(
            Section {
                part: Part::whole(),
                text: Some(SectionText::Header),
            },
            true,
        )
    }
    /// `BODY.PEEK[HEADER.FIELDS (names)]`: these header fields only.
    pub fn header_fields(self, names: &[&'a str]) -> Self {
        let names = names.iter().map(|n| IString::from(*n)).collect::<Vec<_>>();
        self.section(
            Section {
                part: Part::whole(),
                text: Some(SectionText::HeaderFields(List::from_items(names))),
            },
            true,
        )
    }
    /// `BODY.PEEK[TEXT]`: the body without the header.
    pub fn text(self) -> Self {
        self.section(
            Section {
                part: Part::whole(),
                text: Some(SectionText::Text),
            },
            true,
        )
    }
    /// `BODY.PEEK[1.2]`: one MIME part (numbers from the body structure);
    /// an empty path or a zero is ignored.
    pub fn part(self, path: &[u32]) -> Self {
        match Part::new(path) {
            Some(part) if !path.is_empty() => self.section(Section { part, text: None }, true),
            _ => self,
        }
    }
    /// `MODSEQ` (RFC 7162 CONDSTORE).
    pub fn mod_seq(self) -> Self {
        self.with(FetchAttribute::ModSeq)
    }
    /// `EMAILID` (RFC 8474 OBJECTID).
    pub fn email_id(self) -> Self {
        self.with(FetchAttribute::EmailId)
    }
    /// `THREADID` (RFC 8474 OBJECTID).
    pub fn thread_id(self) -> Self {
        self.with(FetchAttribute::ThreadId)
    }
    /// `PREVIEW` (RFC 8970): a short text of the message, which the server
    /// generates now if it has none stored. Needs the `PREVIEW` capability.
    pub fn preview(self) -> Self {
        self.with(FetchAttribute::Preview { lazy: false })
    }
    /// `PREVIEW (LAZY)` (RFC 8970 §4): the preview if the server has it
    /// ready, else `PREVIEW NIL` (fetch it again later without LAZY).
    pub fn preview_lazy(self) -> Self {
        self.with(FetchAttribute::Preview { lazy: true })
    }
    /// `X-GM-LABELS` (Gmail's X-GM-EXT-1).
    pub fn gmail_labels(self) -> Self {
        self.with(FetchAttribute::GmailLabels)
    }
    /// `X-GM-MSGID` (Gmail's X-GM-EXT-1).
    pub fn gmail_msgid(self) -> Self {
        self.with(FetchAttribute::GmailMsgId)
    }
    /// `X-GM-THRID` (Gmail's X-GM-EXT-1).
    pub fn gmail_thrid(self) -> Self {
        self.with(FetchAttribute::GmailThrId)
    }
    /// Any other attribute, as a typed value.
    pub fn attribute(self, attribute: FetchAttribute<'a>) -> Self {
        self.with(attribute)
    }
    fn section(self, section: Section<'a>, peek: bool) -> Self {
        self.with(FetchAttribute::BodySection {
            peek,
            section,
            partial: None,
        })
    }
    fn attributes(&self) -> FetchAttributes<'a> {
        if self.items.is_empty() {
            // RFC 9051 §6.4.5: FAST is FLAGS INTERNALDATE RFC822.SIZE
            FetchAttributes::Fast
        } else {
            FetchAttributes::List(List::from_items(self.items.clone()))
        }
    }
}

/// What a SEARCH looks for (RFC 9051 §6.4.4 `search-key`): every key added
/// must match (AND); [`or`](Self::or) and [`not`](Self::not) combine queries.
///
/// A string that is not ASCII makes the command carry `CHARSET UTF-8`
/// (RFC 3501 §6.4.4; every IMAP4rev2 server accepts it, RFC 9051 §6.4.4).
///
/// ```
/// use mailwire::imap::{Client, ClientConfig, Date, SearchQuery};
///
/// let mut client = Client::new(ClientConfig::default());
/// client.handle_input(b"* PREAUTH ready\r\n");
/// client.poll_event().unwrap(); // the greeting
/// client.select("INBOX").unwrap();
/// // RFC 9051 §6.4.4: C: A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"
/// let query = SearchQuery::new()
///     .flagged()
///     .since(Date::new(1994, 2, 1).unwrap())
///     .not(SearchQuery::new().from("Smith"));
/// client.uid_search(&query).unwrap();
/// // a non-ASCII string adds CHARSET UTF-8
/// let query = SearchQuery::new()
///     .unseen()
///     .or(SearchQuery::new().from("alice"), SearchQuery::new().subject("Grüße"));
/// client.uid_search(&query).unwrap();
/// let mut wire = Vec::new();
/// while let Some(b) = client.poll_transmit() { wire.extend_from_slice(&b); }
/// let wire = String::from_utf8(wire).unwrap();
/// let lines: Vec<&str> = wire.lines().collect();
/// assert_eq!(lines[1], "A0002 UID SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM Smith");
/// assert_eq!(lines[2], "A0003 UID SEARCH CHARSET UTF-8 UNSEEN OR FROM alice SUBJECT {7}");
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchQuery<'a> {
    keys: Vec<SearchKey<'a>>,
    utf8: bool,
}

macro_rules! flag_keys {
    ($($(#[$doc:meta])* $name:ident => $key:ident;)*) => {$(
        $(#[$doc])*
        pub fn $name(self) -> Self {
            self.key(SearchKey::$key)
        }
    )*};
}

macro_rules! string_keys {
    ($($(#[$doc:meta])* $name:ident => $key:ident;)*) => {$(
        $(#[$doc])*
        pub fn $name(self, text: &'a str) -> Self {
            self.string(text, SearchKey::$key)
        }
    )*};
}

macro_rules! date_keys {
    ($($(#[$doc:meta])* $name:ident => $key:ident;)*) => {$(
        $(#[$doc])*
        pub fn $name(self, date: Date) -> Self {
            self.key(SearchKey::$key(date))
        }
    )*};
}

impl<'a> SearchQuery<'a> {
    /// An empty query: it matches every message (`ALL`) until keys are added.
    pub fn new() -> Self {
        SearchQuery::default()
    }
    /// Adds a typed key.
    pub fn key(mut self, key: SearchKey<'a>) -> Self {
        self.keys.push(key);
        self
    }
    fn string(mut self, text: &'a str, key: fn(IString<'a>) -> SearchKey<'a>) -> Self {
        self.utf8 |= !text.is_ascii();
        self.key(key(IString::from(text)))
    }
    flag_keys! {
        /// `ALL`
        all => All;
        /// `SEEN`
        seen => Seen;
        /// `UNSEEN`
        unseen => Unseen;
        /// `FLAGGED`
        flagged => Flagged;
        /// `UNFLAGGED`
        unflagged => Unflagged;
        /// `ANSWERED`
        answered => Answered;
        /// `UNANSWERED`
        unanswered => Unanswered;
        /// `DELETED`
        deleted => Deleted;
        /// `UNDELETED`
        undeleted => Undeleted;
        /// `DRAFT`
        draft => Draft;
        /// `UNDRAFT`
        undraft => Undraft;
    }
    string_keys! {
        /// `FROM text`: the From header contains `text`.
        from => From;
        /// `TO text`
        to => To;
        /// `CC text`
        cc => Cc;
        /// `BCC text`
        bcc => Bcc;
        /// `SUBJECT text`
        subject => Subject;
        /// `BODY text`: the body contains `text`.
        body => Body;
        /// `TEXT text`: the header or the body contains `text`.
        text => Text;
    }
    date_keys! {
        /// `SINCE date`: internal date on or after `date`.
        since => Since;
        /// `BEFORE date`: internal date before `date`.
        before => Before;
        /// `ON date`: internal date on `date`.
        on => On;
        /// `SENTSINCE date`: Date header on or after `date`.
        sent_since => SentSince;
        /// `SENTBEFORE date`
        sent_before => SentBefore;
        /// `SENTON date`
        sent_on => SentOn;
    }
    /// `HEADER field text`
    pub fn header(mut self, field: &'a str, text: &'a str) -> Self {
        self.utf8 |= !text.is_ascii() || !field.is_ascii();
        self.key(SearchKey::Header(IString::from(field), IString::from(text)))
    }
    /// `KEYWORD flag`; a keyword that is not an atom is ignored.
    pub fn keyword(self, keyword: &'a str) -> Self {
        match Atom::new(keyword) {
            Some(a) => self.key(SearchKey::Keyword(a)),
            None => self,
        }
    }
    /// `EMAILID objectid` (RFC 8474 §6): the message with this id (what
    /// [`FetchItems::email_id`] read). Needs the `OBJECTID` capability; an id
    /// off `objectid = 1*255(ALPHA / DIGIT / "_" / "-")` makes the command
    /// fail to emit ([`Unemittable::Grammar`](crate::error::Unemittable::Grammar)).
    pub fn email_id(self, id: &'a str) -> Self {
        self.key(SearchKey::EmailId(IString::from(id)))
    }
    /// `THREADID objectid` (RFC 8474 §6): the messages of this thread.
    pub fn thread_id(self, id: &'a str) -> Self {
        self.key(SearchKey::ThreadId(IString::from(id)))
    }
    /// `LARGER n`: more than `n` octets.
    pub fn larger(self, octets: u64) -> Self {
        self.key(SearchKey::Larger(octets))
    }
    /// `SMALLER n`: fewer than `n` octets.
    pub fn smaller(self, octets: u64) -> Self {
        self.key(SearchKey::Smaller(octets))
    }
    /// `UID set`; an invalid set is ignored.
    pub fn uid(self, uids: impl IntoSequenceSet) -> Self {
        match uids.into_sequence_set() {
            Some(s) => self.key(SearchKey::Uid(s)),
            None => self,
        }
    }
    /// `X-GM-RAW "query"`: a query in Gmail's web search syntax
    /// (X-GM-EXT-1).
    ///
    /// ```
    /// use mailwire::imap::{Client, ClientConfig, SearchQuery};
    ///
    /// let mut client = Client::new(ClientConfig::default());
    /// client.handle_input(b"* PREAUTH [CAPABILITY IMAP4rev1 X-GM-EXT-1] ready\r\n");
    /// while client.poll_event().unwrap().is_some() {}
    /// client.select("INBOX").unwrap();
    /// client.handle_input(b"A0001 OK [READ-WRITE] done\r\n");
    /// while client.poll_event().unwrap().is_some() {}
    /// client.search(&SearchQuery::new().gmail_raw("has:attachment")).unwrap();
    /// let mut wire = Vec::new();
    /// while let Some(b) = client.poll_transmit() { wire.extend_from_slice(&b); }
    /// assert!(wire.ends_with(b"A0002 SEARCH X-GM-RAW \"has:attachment\"\r\n"));
    /// ```
    pub fn gmail_raw(self, query: &'a str) -> Self {
        self.key(SearchKey::Gmail(GmailKey::Raw(IString::from(query))))
    }
    /// `X-GM-MSGID n` (X-GM-EXT-1).
    pub fn gmail_msgid(self, id: u64) -> Self {
        self.key(SearchKey::Gmail(GmailKey::MsgId(id)))
    }
    /// `X-GM-THRID n` (X-GM-EXT-1).
    pub fn gmail_thrid(self, id: u64) -> Self {
        self.key(SearchKey::Gmail(GmailKey::ThrId(id)))
    }
    /// `X-GM-LABELS label` (X-GM-EXT-1): `"\\Inbox"` for a system label.
    pub fn gmail_label(self, label: &'a str) -> Self {
        self.key(SearchKey::Gmail(GmailKey::Labels(GmailLabel::new(
            label.as_bytes(),
        ))))
    }
    /// `YOUNGER n`: arrived within the last `n` seconds (RFC 5032 WITHIN).
    pub fn younger(self, seconds: u32) -> Self {
        self.key(SearchKey::Younger(seconds))
    }
    /// `UIDAFTER uid`: UIDs above `uid` (RFC 9738; needs `MESSAGELIMIT=n`).
    /// With [`uid_before`](Self::uid_before) it pages through a mailbox in
    /// steps below the server's message limit.
    pub fn uid_after(self, uid: u32) -> Self {
        self.key(SearchKey::UidAfter(uid))
    }
    /// `UIDBEFORE uid`: UIDs below `uid` (RFC 9738; needs `MESSAGELIMIT=n`).
    pub fn uid_before(self, uid: u32) -> Self {
        self.key(SearchKey::UidBefore(uid))
    }
    /// `NOT (query)`
    pub fn not(mut self, query: SearchQuery<'a>) -> Self {
        self.utf8 |= query.utf8;
        self.key(SearchKey::Not(Lazy::new(query.into_key())))
    }
    /// `OR (a) (b)`
    pub fn or(mut self, a: SearchQuery<'a>, b: SearchQuery<'a>) -> Self {
        self.utf8 |= a.utf8 || b.utf8;
        self.key(SearchKey::Or(
            Lazy::new(a.into_key()),
            Lazy::new(b.into_key()),
        ))
    }
    fn into_key(mut self) -> SearchKey<'a> {
        match self.keys.len() {
            0 => SearchKey::All,
            1 => self.keys.remove(0),
            _ => SearchKey::And(List::from_items(self.keys)),
        }
    }
    fn criteria(&self) -> List<'a, SearchKey<'a>> {
        if self.keys.is_empty() {
            List::from_items(alloc::vec![SearchKey::All])
        } else {
            List::from_items(self.keys.clone())
        }
    }
}

/// A `STATUS` item (RFC 9051 §6.3.11, RFC 7162, RFC 7889, RFC 8474).
///
/// The STATUS example of RFC 9051 §6.3.11:
///
/// ```
/// use mailwire::imap::{Client, ClientConfig, ClientEvent, Data, StatusAttribute, StatusItem};
///
/// let mut client = Client::new(ClientConfig::default());
/// client.handle_input(b"* PREAUTH ready\r\n");
/// client.poll_event().unwrap();
/// // C: A042 STATUS blurdybloop (UIDNEXT MESSAGES)
/// client.status("blurdybloop", &[StatusAttribute::UidNext, StatusAttribute::Messages]).unwrap();
/// assert_eq!(&client.poll_transmit().unwrap()[..], b"A0001 STATUS blurdybloop (UIDNEXT MESSAGES)\r\n");
/// // S: * STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)
/// client.handle_input(b"* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)\r\nA0001 OK STATUS completed\r\n");
/// let Some(ClientEvent::Data { data: Data::Status { mailbox, items }, .. }) = client.poll_event().unwrap()
/// else { panic!() };
/// assert_eq!(mailbox.as_bytes(), b"blurdybloop");
/// assert_eq!(items.iter().collect::<Vec<_>>(), [StatusItem::Messages(231), StatusItem::UidNext(44292)]);
/// assert_eq!(StatusAttribute::UidNext.name(), "UIDNEXT");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StatusAttribute {
    /// `MESSAGES`
    Messages,
    /// `UIDNEXT`
    UidNext,
    /// `UIDVALIDITY`
    UidValidity,
    /// `UNSEEN`
    Unseen,
    /// `DELETED` (IMAP4rev2)
    Deleted,
    /// `SIZE` (IMAP4rev2, STATUS=SIZE)
    Size,
    /// `RECENT` (IMAP4rev1 only)
    Recent,
    /// `HIGHESTMODSEQ` (RFC 7162)
    HighestModSeq,
    /// `APPENDLIMIT` (RFC 7889)
    AppendLimit,
    /// `MAILBOXID` (RFC 8474)
    MailboxId,
}

impl StatusAttribute {
    /// The item's name on the wire.
    pub fn name(self) -> &'static str {
        match self {
            StatusAttribute::Messages => "MESSAGES",
            StatusAttribute::UidNext => "UIDNEXT",
            StatusAttribute::UidValidity => "UIDVALIDITY",
            StatusAttribute::Unseen => "UNSEEN",
            StatusAttribute::Deleted => "DELETED",
            StatusAttribute::Size => "SIZE",
            StatusAttribute::Recent => "RECENT",
            StatusAttribute::HighestModSeq => "HIGHESTMODSEQ",
            StatusAttribute::AppendLimit => "APPENDLIMIT",
            StatusAttribute::MailboxId => "MAILBOXID",
        }
    }
}

impl Client {
    /// Whether mailbox names go on the wire as UTF-8 (after `ENABLE
    /// UTF8=ACCEPT`, RFC 6855 §3, or `ENABLE IMAP4rev2`, RFC 9051 §5.1)
    /// rather than modified UTF-7.
    fn utf8_names(&self) -> bool {
        self.enabled().listed("UTF8=ACCEPT") || self.enabled().listed("IMAP4rev2")
    }

    pub(super) fn mailbox<'m>(&self, name: impl MailboxName<'m>) -> Mailbox<'m> {
        name.into_mailbox(self.utf8_names())
    }

    fn pattern<'m>(&self, pattern: &'m str) -> IString<'m> {
        if self.utf8_names() {
            IString::from(pattern)
        } else {
            match utf7::encode(pattern) {
                Cow::Borrowed(s) => IString::from(s),
                Cow::Owned(s) => IString(Cow::Owned(s.into_bytes())),
            }
        }
    }

    /// `LIST reference pattern`: the mailboxes matching `pattern` (`*` any
    /// characters, `%` any but the hierarchy delimiter); each arrives as
    /// [`Data::List`](crate::imap::Data::List).
    ///
    /// RFC 3501 §6.3.8: `C: A101 LIST "" ""` asks for the hierarchy delimiter:
    ///
    /// ```
    /// use mailwire::imap::{Client, ClientConfig, ClientEvent, Data};
    ///
    /// let mut client = Client::new(ClientConfig::default());
    /// client.handle_input(b"* PREAUTH hi\r\n");
    /// client.poll_event().unwrap();
    /// client.list("", "").unwrap();
    /// assert_eq!(&client.poll_transmit().unwrap()[..], b"A0001 LIST \"\" \"\"\r\n");
    /// // S: * LIST (\Noselect) "/" ""
    /// client.handle_input(b"* LIST (\\Noselect) \"/\" \"\"\r\nA0001 OK LIST Completed\r\n");
    /// let Some(ClientEvent::Data { data: Data::List(list), .. }) = client.poll_event().unwrap() else { panic!() };
    /// assert_eq!(list.delimiter, Some('/'));
    /// assert!(list.attributes.iter().all(|a| a.is("\\Noselect")));
    /// assert_eq!(list.attributes.len(), 1);
    /// ```
    pub fn list(&mut self, reference: &str, pattern: &str) -> Result<Tag<'static>, Error> {
        let body = CommandBody::List {
            selection: List::empty(),
            reference: self.mailbox(reference),
            patterns: List::from_items(alloc::vec![self.pattern(pattern)]),
            return_options: None,
        };
        self.send(body)
    }

    /// `LSUB reference pattern` (IMAP4rev1): the subscribed mailboxes.
    pub fn lsub(&mut self, reference: &str, pattern: &str) -> Result<Tag<'static>, Error> {
        let body = CommandBody::Lsub {
            reference: self.mailbox(reference),
            pattern: self.pattern(pattern),
        };
        self.send(body)
    }

    /// `XLIST reference pattern` (Gmail's legacy LIST, gated on `XLIST`):
    /// the mailboxes with their special-use attributes (`\Inbox`,
    /// `\AllMail`, `\Spam`...), as
    /// [`Data::Xlist`](crate::imap::Data::Xlist) with the same value as LIST.
    pub fn xlist(&mut self, reference: &str, pattern: &str) -> Result<Tag<'static>, Error> {
        let body = CommandBody::Xlist {
            reference: self.mailbox(reference),
            pattern: self.pattern(pattern),
        };
        self.send(body)
    }

    /// `STATUS mailbox (items)`; the answer is [`Data::Status`](crate::imap::Data::Status).
    pub fn status<'m>(
        &mut self,
        mailbox: impl MailboxName<'m>,
        items: &[StatusAttribute],
    ) -> Result<Tag<'static>, Error> {
        let items = items
            .iter()
            .filter_map(|i| Atom::new(i.name()))
            .collect::<Vec<_>>();
        let body = CommandBody::Status {
            mailbox: self.mailbox(mailbox),
            items: List::from_items(items),
        };
        self.send(body)
    }

    fn fetch_any(
        &mut self,
        uid: bool,
        messages: impl IntoSequenceSet,
        query: &FetchQuery<'_>,
        partial: Option<PartialRange>,
    ) -> Result<Tag<'static>, Error> {
        self.send(CommandBody::Fetch {
            uid,
            set: set(messages)?,
            attributes: query.attributes(),
            changed_since: None,
            vanished: false,
            partial,
        })
    }

    /// `FETCH set (items)` by sequence numbers; each message's items arrive
    /// as [`Data::Fetch`](crate::imap::Data::Fetch) (see [`FetchItems`]).
    pub fn fetch(
        &mut self,
        messages: impl IntoSequenceSet,
        query: &FetchQuery<'_>,
    ) -> Result<Tag<'static>, Error> {
        self.fetch_any(false, messages, query, None)
    }

    /// `UID FETCH set (items)` by UIDs.
    pub fn uid_fetch(
        &mut self,
        uids: impl IntoSequenceSet,
        query: &FetchQuery<'_>,
    ) -> Result<Tag<'static>, Error> {
        self.fetch_any(true, uids, query, None)
    }

    /// `UID FETCH set (items) (PARTIAL page)` (RFC 9394 §3.3): the items of
    /// only one page of the messages `uids` names, counted from the lowest
    /// UID ([`PartialRange::first`]) or from the highest
    /// ([`PartialRange::last`]). Needs the PARTIAL capability.
    ///
    /// RFC 9394 §3.3's example, the three newest messages of a UID range:
    ///
    /// ```
    /// use mailwire::imap::{Client, ClientConfig, FetchQuery, PartialRange};
    ///
    /// let mut client = Client::new(ClientConfig::default());
    /// client.handle_input(b"* PREAUTH [CAPABILITY IMAP4rev2 PARTIAL] hi\r\n");
    /// while client.poll_event().unwrap().is_some() {}
    /// client.select("INBOX").unwrap();
    /// client.handle_input(b"* 100 EXISTS\r\nA0001 OK [READ-WRITE] done\r\n");
    /// while client.poll_event().unwrap().is_some() {}
    /// while client.poll_transmit().is_some() {}
    /// // C: 10 UID FETCH 25900:26600 (UID FLAGS) (PARTIAL -1:-3)
    /// let tag = client
    ///     .uid_fetch_page(25900..=26600, PartialRange::last(1, 3), &FetchQuery::new().uid().flags())
    ///     .unwrap();
    /// let wire = client.poll_transmit().unwrap();
    /// assert_eq!(&wire[..], format!("{} UID FETCH 25900:26600 (UID FLAGS) (PARTIAL -1:-3)\r\n", tag.as_str()).as_bytes());
    /// ```
    pub fn uid_fetch_page(
        &mut self,
        uids: impl IntoSequenceSet,
        page: PartialRange,
        query: &FetchQuery<'_>,
    ) -> Result<Tag<'static>, Error> {
        self.fetch_any(true, uids, query, Some(page))
    }

    fn search_any(
        &mut self,
        uid: bool,
        query: &SearchQuery<'_>,
        page: Option<PartialRange>,
    ) -> Result<Tag<'static>, Error> {
        let return_options = match page {
            Some(p) => Some(p.return_options(&[]).ok_or(Error::Emit(
                crate::error::Unemittable::Zero {
                    field: "partial-range",
                },
            ))?),
            None => None,
        };
        self.send(CommandBody::Search {
            uid,
            return_options,
            charset: query.utf8.then(|| IString::from("UTF-8")),
            criteria: query.criteria(),
        })
    }

    /// `SEARCH keys`: the matching sequence numbers arrive as
    /// [`Data::Search`](crate::imap::Data::Search).
    pub fn search(&mut self, query: &SearchQuery<'_>) -> Result<Tag<'static>, Error> {
        self.search_any(false, query, None)
    }

    /// `UID SEARCH keys`: the matching UIDs.
    pub fn uid_search(&mut self, query: &SearchQuery<'_>) -> Result<Tag<'static>, Error> {
        self.search_any(true, query, None)
    }

    /// `SEARCH RETURN (PARTIAL page) keys` (RFC 9394 §3.1): one page of the
    /// matching sequence numbers, in an
    /// [`ESearch`] whose
    /// [`partial`](crate::imap::ESearch::partial) holds them. Needs PARTIAL
    /// (or CONTEXT=SEARCH, RFC 5267, for a page counted from the start).
    pub fn search_page(
        &mut self,
        page: PartialRange,
        query: &SearchQuery<'_>,
    ) -> Result<Tag<'static>, Error> {
        self.search_any(false, query, Some(page))
    }

    /// `UID SEARCH RETURN (PARTIAL page) keys` (RFC 9394 §3.1): one page of
    /// the matching UIDs; [`PartialRange::last`]`(1, 50)` asks for the fifty
    /// highest.
    ///
    /// ```
    /// use mailwire::imap::{Client, ClientConfig, ClientEvent, Data, PartialRange, SearchQuery};
    ///
    /// let mut client = Client::new(ClientConfig::default());
    /// client.handle_input(b"* PREAUTH [CAPABILITY IMAP4rev2 PARTIAL] hi\r\n");
    /// while client.poll_event().unwrap().is_some() {}
    /// client.select("INBOX").unwrap();
    /// client.handle_input(b"* 30 EXISTS\r\nA0001 OK [READ-WRITE] done\r\n");
    /// while client.poll_event().unwrap().is_some() {}
    /// while client.poll_transmit().is_some() {}
    ///
    /// // the fifty newest unseen messages
    /// let tag = client.uid_search_page(PartialRange::last(1, 50), &SearchQuery::new().unseen()).unwrap();
    /// let wire = client.poll_transmit().unwrap();
    /// assert_eq!(&wire[..], b"A0002 UID SEARCH RETURN (PARTIAL -1:-50) UNSEEN\r\n");
    /// // the server has fewer: it answers with what there is in the window
    /// client.handle_input(b"* ESEARCH (TAG \"A0002\") UID PARTIAL (-1:-50 44,50:52)\r\nA0002 OK done\r\n");
    /// let Some(ClientEvent::Data { data: Data::ESearch(e), .. }) = client.poll_event().unwrap() else { panic!() };
    /// let (page, uids) = e.partial().unwrap();
    /// assert_eq!(page, PartialRange::last(1, 50));
    /// assert_eq!(uids.unwrap().as_str(), "44,50:52");
    /// # let _ = tag;
    /// ```
    pub fn uid_search_page(
        &mut self,
        page: PartialRange,
        query: &SearchQuery<'_>,
    ) -> Result<Tag<'static>, Error> {
        self.search_any(true, query, Some(page))
    }

    fn store_any(
        &mut self,
        uid: bool,
        messages: impl IntoSequenceSet,
        kind: StoreKind,
        flags: &[Flag<'_>],
    ) -> Result<Tag<'static>, Error> {
        self.send(CommandBody::Store {
            uid,
            set: set(messages)?,
            unchanged_since: None,
            kind,
            silent: false,
            flags: List::from_items(flags.to_vec()),
        })
    }

    /// `STORE set [+|-]FLAGS (flags)`: replace, add or remove flags; the new
    /// flags of each message arrive as [`Data::Fetch`](crate::imap::Data::Fetch).
    pub fn store(
        &mut self,
        messages: impl IntoSequenceSet,
        kind: StoreKind,
        flags: &[Flag<'_>],
    ) -> Result<Tag<'static>, Error> {
        self.store_any(false, messages, kind, flags)
    }

    /// `UID STORE set [+|-]FLAGS (flags)`.
    pub fn uid_store(
        &mut self,
        uids: impl IntoSequenceSet,
        kind: StoreKind,
        flags: &[Flag<'_>],
    ) -> Result<Tag<'static>, Error> {
        self.store_any(true, uids, kind, flags)
    }

    fn store_gmail_any(
        &mut self,
        uid: bool,
        messages: impl IntoSequenceSet,
        kind: StoreKind,
        labels: &[&str],
    ) -> Result<Tag<'static>, Error> {
        let labels = labels.iter().map(|l| GmailLabel::new(l.as_bytes()));
        self.send(CommandBody::StoreGmailLabels {
            uid,
            set: set(messages)?,
            unchanged_since: None,
            kind,
            silent: false,
            labels: List::from_items(labels.collect()),
        })
    }

    /// `STORE set [+|-]X-GM-LABELS (labels)` (Gmail's X-GM-EXT-1): replace,
    /// add or remove labels (`"\\Important"` for a system label); the new
    /// labels of each message arrive as [`Data::Fetch`](crate::imap::Data::Fetch).
    pub fn store_gmail_labels(
        &mut self,
        messages: impl IntoSequenceSet,
        kind: StoreKind,
        labels: &[&str],
    ) -> Result<Tag<'static>, Error> {
        self.store_gmail_any(false, messages, kind, labels)
    }

    /// `UID STORE set [+|-]X-GM-LABELS (labels)` (Gmail's X-GM-EXT-1).
    pub fn uid_store_gmail_labels(
        &mut self,
        uids: impl IntoSequenceSet,
        kind: StoreKind,
        labels: &[&str],
    ) -> Result<Tag<'static>, Error> {
        self.store_gmail_any(true, uids, kind, labels)
    }

    /// `COPY set mailbox`.
    pub fn copy<'m>(
        &mut self,
        messages: impl IntoSequenceSet,
        to: impl MailboxName<'m>,
    ) -> Result<Tag<'static>, Error> {
        let body = CommandBody::Copy {
            uid: false,
            set: set(messages)?,
            mailbox: self.mailbox(to),
        };
        self.send(body)
    }

    /// `UID COPY set mailbox`.
    pub fn uid_copy<'m>(
        &mut self,
        uids: impl IntoSequenceSet,
        to: impl MailboxName<'m>,
    ) -> Result<Tag<'static>, Error> {
        let body = CommandBody::Copy {
            uid: true,
            set: set(uids)?,
            mailbox: self.mailbox(to),
        };
        self.send(body)
    }

    /// `MOVE set mailbox` (RFC 6851; part of IMAP4rev2).
    pub fn move_messages<'m>(
        &mut self,
        messages: impl IntoSequenceSet,
        to: impl MailboxName<'m>,
    ) -> Result<Tag<'static>, Error> {
        let body = CommandBody::Move {
            uid: false,
            set: set(messages)?,
            mailbox: self.mailbox(to),
        };
        self.send(body)
    }

    /// `UID MOVE set mailbox`.
    pub fn uid_move_messages<'m>(
        &mut self,
        uids: impl IntoSequenceSet,
        to: impl MailboxName<'m>,
    ) -> Result<Tag<'static>, Error> {
        let body = CommandBody::Move {
            uid: true,
            set: set(uids)?,
            mailbox: self.mailbox(to),
        };
        self.send(body)
    }

    /// `EXPUNGE`: removes the messages flagged `\Deleted`.
    pub fn expunge(&mut self) -> Result<Tag<'static>, Error> {
        self.send(CommandBody::Expunge)
    }

    /// `UID EXPUNGE set` (RFC 4315 UIDPLUS): removes only these `\Deleted` messages.
    pub fn uid_expunge(&mut self, uids: impl IntoSequenceSet) -> Result<Tag<'static>, Error> {
        self.send(CommandBody::UidExpunge(set(uids)?))
    }

    /// `CREATE mailbox`.
    pub fn create<'m>(&mut self, mailbox: impl MailboxName<'m>) -> Result<Tag<'static>, Error> {
        let body = CommandBody::Create {
            mailbox: self.mailbox(mailbox),
            params: List::empty(),
        };
        self.send(body)
    }

    /// `DELETE mailbox`.
    pub fn delete<'m>(&mut self, mailbox: impl MailboxName<'m>) -> Result<Tag<'static>, Error> {
        let body = CommandBody::Delete(self.mailbox(mailbox));
        self.send(body)
    }

    /// `RENAME from to`.
    pub fn rename<'m>(
        &mut self,
        from: impl MailboxName<'m>,
        to: impl MailboxName<'m>,
    ) -> Result<Tag<'static>, Error> {
        let body = CommandBody::Rename {
            from: self.mailbox(from),
            to: self.mailbox(to),
        };
        self.send(body)
    }

    /// `SUBSCRIBE mailbox`.
    pub fn subscribe<'m>(&mut self, mailbox: impl MailboxName<'m>) -> Result<Tag<'static>, Error> {
        let body = CommandBody::Subscribe(self.mailbox(mailbox));
        self.send(body)
    }

    /// `UNSUBSCRIBE mailbox`.
    pub fn unsubscribe<'m>(
        &mut self,
        mailbox: impl MailboxName<'m>,
    ) -> Result<Tag<'static>, Error> {
        let body = CommandBody::Unsubscribe(self.mailbox(mailbox));
        self.send(body)
    }

    /// `NAMESPACE` (RFC 2342; part of IMAP4rev2).
    pub fn namespace(&mut self) -> Result<Tag<'static>, Error> {
        self.send(CommandBody::Namespace)
    }

    /// `ID (field value ...)` (RFC 2971), or `ID NIL` for no fields.
    pub fn id(&mut self, fields: &[(&str, &str)]) -> Result<Tag<'static>, Error> {
        let params = (!fields.is_empty()).then(|| {
            List::from_items(
                fields
                    .iter()
                    .map(|(k, v)| (IString::from(*k), Some(IString::from(*v))))
                    .collect(),
            )
        });
        self.send(CommandBody::Id(params))
    }

    /// `APPEND mailbox (flags) {n}` with the whole message: the message
    /// leaves after the server's `+` (or at once under LITERAL+). For a
    /// message too large to hold, stream it with
    /// [`append_begin`](Self::append_begin).
    pub fn append<'m>(
        &mut self,
        mailbox: impl MailboxName<'m>,
        flags: &[Flag<'_>],
        message: &[u8],
    ) -> Result<Tag<'static>, Error> {
        let body = CommandBody::Append {
            mailbox: self.mailbox(mailbox),
            messages: List::from_items(alloc::vec![AppendMessage {
                flags: (!flags.is_empty()).then(|| List::from_items(flags.to_vec())),
                date: None,
                data: Cow::Borrowed(message),
                binary: false,
            }]),
        };
        self.send(body)
    }
}

impl Client {
    /// `REPLACE seq mailbox (flags) {n}` (RFC 8508) with the whole message:
    /// message `seq` of the selected mailbox is replaced by `message`, which
    /// goes to `mailbox` (often the selected one). Needs `REPLACE`
    /// advertised and a selected mailbox; the message leaves after the
    /// server's `+` (or at once under LITERAL+). For a message too large to
    /// hold, stream it with [`replace_begin`](Self::replace_begin).
    ///
    /// The example of RFC 8508 §3.2 (a short message here):
    ///
    /// ```
    /// use mailwire::imap::{Client, ClientConfig, ClientEvent, CommandKind, Flag};
    ///
    /// let mut client = Client::new(ClientConfig::default());
    /// client.handle_input(b"* PREAUTH [CAPABILITY IMAP4rev1 REPLACE] ready\r\n");
    /// while client.poll_event().unwrap().is_some() {}
    /// // only in the selected state (RFC 8508 §3.5)
    /// assert!(client.replace(4, "Drafts", &[], b"x").is_err());
    /// let select = client.select("Drafts").unwrap();
    /// client.handle_input(format!("{} OK [READ-WRITE] done\r\n", select.as_str()).as_bytes());
    /// while client.poll_event().unwrap().is_some() {}
    /// while client.poll_transmit().is_some() {}
    ///
    /// // C: A003 REPLACE 4 Drafts (\Seen \Draft) {312}
    /// let tag = client.replace(4, "Drafts", &[Flag::Seen, Flag::Draft], b"Subject: v2\r\n\r\n").unwrap();
    /// assert_eq!(&client.poll_transmit().unwrap()[..], b"A0002 REPLACE 4 Drafts (\\Seen \\Draft) {15}\r\n");
    /// // S: + Ready for literal data   (answered by the machine: the message goes)
    /// client.handle_input(b"+ Ready for literal data\r\n");
    /// assert!(client.poll_event().unwrap().is_none());
    /// assert_eq!(&client.poll_transmit().unwrap()[..], b"Subject: v2\r\n\r\n\r\n");
    /// client.handle_input(b"* 5 EXISTS\r\n* 4 EXPUNGE\r\nA0002 OK Replace completed\r\n");
    /// let mut completed = None;
    /// while let Some(event) = client.poll_event().unwrap() {
    ///     if let ClientEvent::Completed { tag, command, .. } = event {
    ///         completed = Some((tag.as_str().to_owned(), command));
    ///     }
    /// }
    /// assert_eq!(completed, Some((tag.as_str().to_owned(), CommandKind::Replace)));
    /// ```
    pub fn replace<'m>(
        &mut self,
        seq: u32,
        mailbox: impl MailboxName<'m>,
        flags: &[Flag<'_>],
        message: &[u8],
    ) -> Result<Tag<'static>, Error> {
        self.replace_message(false, seq, mailbox, flags, message)
    }

    /// `UID REPLACE uid mailbox (flags) {n}` (RFC 8508 §3.3): as
    /// [`replace`](Self::replace), the message named by its UID.
    pub fn uid_replace<'m>(
        &mut self,
        uid: u32,
        mailbox: impl MailboxName<'m>,
        flags: &[Flag<'_>],
        message: &[u8],
    ) -> Result<Tag<'static>, Error> {
        self.replace_message(true, uid, mailbox, flags, message)
    }

    fn replace_message<'m>(
        &mut self,
        uid: bool,
        id: u32,
        mailbox: impl MailboxName<'m>,
        flags: &[Flag<'_>],
        message: &[u8],
    ) -> Result<Tag<'static>, Error> {
        let body = CommandBody::Replace {
            uid,
            id: crate::imap::SeqNum::Value(id),
            mailbox: self.mailbox(mailbox),
            message: crate::imap::AppendItem::Message(AppendMessage {
                flags: (!flags.is_empty()).then(|| List::from_items(flags.to_vec())),
                date: None,
                data: Cow::Borrowed(message),
                binary: false,
            }),
        };
        self.send(body)
    }
}

/// Reading the items of one message's FETCH response
/// ([`Data::Fetch`](crate::imap::Data::Fetch)`{ items, .. }`).
///
/// ```
/// use mailwire::imap::{parse_response, Data, FetchItems, ParseOptions, Response};
///
/// let frame = b"* 12 FETCH (UID 4827 FLAGS (\\Seen) ENVELOPE (\"Mon, 7 Feb 1994 21:52:25 -0800\" \
///     \"=?ISO-8859-1?Q?Caf=E9?=\" ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
///     NIL NIL NIL NIL NIL NIL \"<B27397-0100000@cac.washington.edu>\"))\r\n";
/// let Response::Data(Data::Fetch { items, .. }) = parse_response(frame, &ParseOptions::default()).unwrap() else {
///     panic!()
/// };
/// assert_eq!(items.uid(), Some(4827));
/// assert!(items.is_seen());
/// let envelope = items.envelope().unwrap();
/// assert_eq!(envelope.subject_text().as_deref(), Some("Café"));
/// let from = envelope.from.first().unwrap();
/// assert_eq!(from.email().as_deref(), Some("gray@cac.washington.edu"));
/// assert_eq!(from.display_name().as_deref(), Some("Terry Gray"));
/// ```
pub trait FetchItems<'a> {
    /// `UID n`
    fn uid(&self) -> Option<u32>;
    /// `FLAGS (...)`
    fn flags(&self) -> Option<List<'a, Flag<'a>>>;
    /// Whether `FLAGS` holds `\Seen`.
    fn is_seen(&self) -> bool {
        self.flags()
            .is_some_and(|f| f.iter().any(|f| f == Flag::Seen))
    }
    /// `ENVELOPE (...)`
    fn envelope(&self) -> Option<Envelope<'a>>;
    /// `INTERNALDATE "..."`
    fn internal_date(&self) -> Option<DateTime>;
    /// `RFC822.SIZE n`
    fn size(&self) -> Option<u32>;
    /// The data of the first `BODY[...]` section (the message, its header
    /// or a part, whichever was fetched); `None` when absent or NIL.
    fn section_data(&self) -> Option<Cow<'a, [u8]>>;
    /// `X-GM-LABELS (...)` (Gmail's X-GM-EXT-1)
    fn gmail_labels(&self) -> Option<List<'a, GmailLabel<'a>>>;
    /// `X-GM-MSGID n` (Gmail's X-GM-EXT-1)
    fn gmail_msgid(&self) -> Option<u64>;
    /// `X-GM-THRID n` (Gmail's X-GM-EXT-1)
    fn gmail_thrid(&self) -> Option<u64>;
    /// `EMAILID (objectid)` (RFC 8474 §5.1): the message's id, the same in
    /// every mailbox it was copied or moved to.
    fn email_id(&self) -> Option<IString<'a>>;
    /// `THREADID (objectid)` or `THREADID NIL` (RFC 8474 §5.2): `Some(None)`
    /// when the server does not thread this message.
    fn thread_id(&self) -> Option<NString<'a>>;
    /// `PREVIEW nstring` (RFC 8970 §3.2): `Some(None)` for `PREVIEW NIL`,
    /// which a server may answer to `PREVIEW (LAZY)` when it has no preview
    /// ready; `Some(Some(""))` when the message has no text to preview.
    fn preview(&self) -> Option<NString<'a>>;
}

impl<'a> FetchItems<'a> for List<'a, FetchItem<'a>> {
    fn uid(&self) -> Option<u32> {
        self.iter().find_map(|i| match i {
            FetchItem::Uid(n) => Some(n),
            _ => None,
        })
    }
    fn flags(&self) -> Option<List<'a, Flag<'a>>> {
        self.iter().find_map(|i| match i {
            FetchItem::Flags(f) => Some(f),
            _ => None,
        })
    }
    fn envelope(&self) -> Option<Envelope<'a>> {
        self.iter().find_map(|i| match i {
            FetchItem::Envelope(e) => Some(e),
            _ => None,
        })
    }
    fn internal_date(&self) -> Option<DateTime> {
        self.iter().find_map(|i| match i {
            FetchItem::InternalDate(d) => Some(d),
            _ => None,
        })
    }
    fn size(&self) -> Option<u32> {
        self.iter().find_map(|i| match i {
            FetchItem::Rfc822Size(n) => Some(n),
            _ => None,
        })
    }
    fn section_data(&self) -> Option<Cow<'a, [u8]>> {
        self.iter().find_map(|i| match i {
            FetchItem::BodySection { data, .. } | FetchItem::Binary { data, .. } => {
                data.map(|s| s.0)
            }
            FetchItem::Rfc822(data) => data.map(|s| s.0),
            _ => None,
        })
    }
    fn gmail_labels(&self) -> Option<List<'a, GmailLabel<'a>>> {
        self.iter().find_map(|i| match i {
            FetchItem::GmailLabels(l) => Some(l),
            _ => None,
        })
    }
    fn gmail_msgid(&self) -> Option<u64> {
        self.iter().find_map(|i| match i {
            FetchItem::GmailMsgId(n) => Some(n),
            _ => None,
        })
    }
    fn gmail_thrid(&self) -> Option<u64> {
        self.iter().find_map(|i| match i {
            FetchItem::GmailThrId(n) => Some(n),
            _ => None,
        })
    }
    fn email_id(&self) -> Option<IString<'a>> {
        self.iter().find_map(|i| match i {
            FetchItem::EmailId(id) => Some(id),
            _ => None,
        })
    }
    fn thread_id(&self) -> Option<NString<'a>> {
        self.iter().find_map(|i| match i {
            FetchItem::ThreadId(id) => Some(id),
            _ => None,
        })
    }
    fn preview(&self) -> Option<NString<'a>> {
        self.iter().find_map(|i| match i {
            FetchItem::Preview(p) => Some(p),
            _ => None,
        })
    }
}

fn nstring_text(s: &NString<'_>) -> Option<String> {
    s.as_ref().map(|s| decode_encoded_words(s.as_bytes()))
}

impl Address<'_> {
    /// `mailbox@host` (RFC 9051 §7.5.2), or `None` for the two markers of a
    /// group (whose host is NIL) and an address without a mailbox.
    pub fn email(&self) -> Option<String> {
        let mailbox = self.mailbox.as_ref()?;
        let host = self.host.as_ref()?;
        Some(format!(
            "{}@{}",
            String::from_utf8_lossy(mailbox.as_bytes()),
            String::from_utf8_lossy(host.as_bytes())
        ))
    }

    /// The display name with its RFC 2047 encoded words decoded.
    pub fn display_name(&self) -> Option<String> {
        nstring_text(&self.name)
    }
}

impl Envelope<'_> {
    /// The subject with its RFC 2047 encoded words decoded (`None` for NIL).
    pub fn subject_text(&self) -> Option<String> {
        nstring_text(&self.subject)
    }

    /// The `Date:` header as text, unparsed (`None` for NIL).
    pub fn date_text(&self) -> Option<String> {
        self.date.as_ref().map(|d| d.to_str_lossy().into_owned())
    }
}

/// A command that did not complete with `OK`: what
/// [`ClientEvent::outcome_of`] reports.
///
/// ```
/// use mailwire::imap::{Client, ClientConfig, CommandKind, StatusKind};
///
/// let mut client = Client::new(ClientConfig::default());
/// client.handle_input(b"* PREAUTH ready\r\n");
/// client.poll_event().unwrap();
/// let tag = client.select("blurdybloop").unwrap();
/// // RFC 9051 §7.1: the TRYCREATE code
/// client.handle_input(b"A0001 NO [TRYCREATE] Mailbox doesn't exist\r\n");
/// let event = client.poll_event().unwrap().unwrap();
/// let failed = event.outcome_of(&tag).unwrap().unwrap_err();
/// assert_eq!(failed.command, CommandKind::Select);
/// assert_eq!(failed.status, Some(StatusKind::No));
/// assert_eq!(failed.text, "Mailbox doesn't exist");
/// assert_eq!(failed.to_string(), "Select failed: No Mailbox doesn't exist");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{command:?} failed: {}", match status { Some(s) => alloc::format!("{s:?} {text}"), None => String::from("no answer in time") })]
pub struct CommandFailed {
    /// Which command.
    pub command: CommandKind,
    /// `NO` or `BAD`; `None` when the server stopped answering
    /// ([`ClientEvent::TimedOut`]).
    pub status: Option<StatusKind>,
    /// The server's human-readable text.
    pub text: String,
}

impl ClientEvent<'_> {
    /// What this event says about the command `tag`: `Some(Ok(()))` when it
    /// completes it with `OK`, `Some(Err(_))` when it completes it with `NO`
    /// or `BAD` or when the server stopped answering, `None` otherwise (data,
    /// other commands' completions, ...).
    ///
    /// ```
    /// use mailwire::imap::{Client, ClientConfig};
    /// let mut client = Client::new(ClientConfig::default());
    /// client.handle_input(b"* OK hi\r\n");
    /// let tag = client.login("alice", "wrong").unwrap();
    /// client.handle_input(format!("* OK hi\r\n{} NO [AUTHENTICATIONFAILED] no\r\n", tag.as_str()).as_bytes());
    /// let mut outcome = None;
    /// while let Some(event) = client.poll_event().unwrap() {
    ///     outcome = outcome.or(event.outcome_of(&tag));
    /// }
    /// assert_eq!(outcome.unwrap().unwrap_err().text, "no");
    /// ```
    pub fn outcome_of(&self, tag: &Tag<'_>) -> Option<Result<(), CommandFailed>> {
        match self {
            ClientEvent::Completed {
                tag: t,
                command,
                status,
                text,
                ..
            } if t == tag => Some(match status {
                StatusKind::Ok => Ok(()),
                other => Err(CommandFailed {
                    command: *command,
                    status: Some(*other),
                    text: String::from_utf8_lossy(&text.0).into_owned(),
                }),
            }),
            ClientEvent::TimedOut => Some(Err(CommandFailed {
                command: CommandKind::Other,
                status: None,
                text: String::new(),
            })),
            _ => None,
        }
    }
}

impl<'a> ESearch<'a> {
    /// The `ALL` set of an ESEARCH answer (RFC 4731 §3.1): the matching
    /// messages (UIDs when [`uid`](Self::uid)), ready to hand to
    /// [`Client::uid_fetch`] or [`Client::fetch`]; `None` when nothing matched.
    pub fn all(&self) -> Option<SequenceSet<'a>> {
        self.data.iter().find_map(|d| match d {
            SearchReturnData::All(set) => Some(set),
            _ => None,
        })
    }
}
