//! ENVELOPE and BODYSTRUCTURE (RFC 9051 §7.5.2, §9 `envelope`, `body`;
//! RFC 3501 §7.4.2).
//!
//! Address lists ([`AddressList`]) and the parts of a multipart are [`List`]s
//! and the inner body of a message/rfc822 part is a [`Lazy`]: validated once
//! when the response is parsed and parsed again on demand, so a whole FETCH
//! response with ENVELOPE and a nested BODYSTRUCTURE borrows everything and
//! allocates nothing.
//!
//! This room holds the values ([`BodyStructure`], [`Envelope`], [`Address`],
//! ...), their grammar (`parse`: `body`, `envelope`, `address`,
//! `body-fld-param`, ...) and their emitters (`emit`). The old paths
//! (`types::body`, `parse::body`) re-export them.
//!
//! ```
//! use mailwire::imap::{parse_response, ParseOptions, Response, Data, FetchItem};
//! use mailwire::imap::base::body::BodyStructure;
//!
//! let frame = b"* 1 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"UTF-8\") NIL NIL \"7BIT\" 12 1))\r\n";
//! let Response::Data(Data::Fetch { items, .. }) =
//!     parse_response(frame, &ParseOptions::default()).unwrap() else { panic!() };
//! let Some(FetchItem::BodyStructure(BodyStructure::Single(part))) = items.iter().next() else { panic!() };
//! assert_eq!(part.media_type.as_bytes(), b"TEXT");
//! assert_eq!(part.size, 12);
//! ```

use alloc::borrow::Cow;

use alloc::vec::Vec;

use crate::imap::syntax::core::{IString, IntoOwned, Lazy, List, ListIntoIter, ListIter, NString};

/// `address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"`
///
/// A group is two addresses: `(NIL NIL "group" NIL)` starts it (host NIL) and
/// `(NIL NIL NIL NIL)` ends it (RFC 9051 §7.5.2).
///
/// ```
/// use mailwire::imap::{parse_response, Data, FetchItems, ParseOptions, Response};
///
/// // To: undisclosed-recipients:;   as a group start and end (RFC 9051 §7.5.2)
/// let frame = b"* 1 FETCH (ENVELOPE (NIL NIL ((\"=?utf-8?q?J=C3=BCrgen?=\" NIL \"jm\" \"example.de\")) \
///     NIL NIL ((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL)) NIL NIL NIL NIL))\r\n";
/// let Response::Data(Data::Fetch { items, .. }) = parse_response(frame, &ParseOptions::default()).unwrap()
/// else { panic!() };
/// let envelope = items.envelope().unwrap();
/// let from = envelope.from.first().unwrap();
/// assert_eq!(from.email().as_deref(), Some("jm@example.de"));
/// assert_eq!(from.display_name().as_deref(), Some("Jürgen")); // RFC 2047 decoded
/// let to: Vec<_> = envelope.to.iter().collect();
/// assert_eq!(to.len(), 2);
/// assert_eq!(to[0].mailbox.as_ref().unwrap().as_bytes(), b"undisclosed-recipients");
/// assert!(to[0].host.is_none() && to[0].email().is_none()); // a group start
/// assert!(to[1].mailbox.is_none() && to[1].host.is_none()); // the group end
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Address<'a> {
    /// Display name (`addr-name`), often RFC 2047 encoded.
    pub name: NString<'a>,
    /// Source route (`addr-adl`), obsolete.
    pub adl: NString<'a>,
    /// Local part, or the group name at a group start.
    pub mailbox: NString<'a>,
    /// Domain; NIL in group syntax.
    pub host: NString<'a>,
}

/// An address list of an [`Envelope`] (RFC 3501 §7.4.2, RFC 9051 §9):
///
/// ```text
/// env-from = "(" 1*address ")" / nil
/// ```
///
/// NIL (the header is absent) or one or more addresses.
/// [`iter`](Self::iter) walks the addresses, none for NIL; a parsed list
/// borrows from the response and is read again as it is iterated, without
/// allocating. An empty list has no wire form of its own and is written NIL.
///
/// The ENVELOPE of RFC 3501 §8's sample session (`a003 fetch 12 full`), whose
/// Cc lists two addresses:
///
/// ```
/// use mailwire::imap::{parse_response, Data, FetchItems, ParseOptions, Response};
///
/// let frame = b"* 12 FETCH (ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \
///     \"IMAP4rev1 WG mtg summary and minutes\" \
///     ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
///     ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
///     ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
///     ((NIL NIL \"imap\" \"cac.washington.edu\")) \
///     ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")\
///     (\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \
///     \"<B27397-0100000@cac.washington.edu>\"))\r\n";
/// let Response::Data(Data::Fetch { items, .. }) = parse_response(frame, &ParseOptions::default()).unwrap()
/// else { panic!() };
/// let envelope = items.envelope().unwrap();
/// let cc: Vec<String> = envelope.cc.iter().filter_map(|a| a.email()).collect();
/// assert_eq!(cc, ["minutes@CNRI.Reston.VA.US", "KLENSIN@MIT.EDU"]);
/// assert_eq!(envelope.cc.len(), 2);
/// for address in &envelope.from {
///     assert_eq!(address.display_name().as_deref(), Some("Terry Gray"));
/// }
/// // env-bcc is NIL: no addresses
/// assert!(envelope.bcc.is_nil() && envelope.bcc.is_empty());
/// assert_eq!(envelope.bcc.iter().count(), 0);
/// ```
#[derive(Clone, Debug, PartialEq, Default)]
pub struct AddressList<'a>(Option<List<'a, Address<'a>>>);

impl<'a> AddressList<'a> {
    /// NIL: no such header.
    pub const fn nil() -> Self {
        AddressList(None)
    }
    /// A list of the given addresses; NIL when there are none (`1*address`).
    pub fn new(addresses: Vec<Address<'a>>) -> Self {
        AddressList::from(List::from_items(addresses))
    }
    /// The addresses, in order; none for NIL.
    pub fn iter(&self) -> AddressIter<'_, 'a> {
        AddressIter(self.0.as_ref().map(List::iter))
    }
    /// Whether this is NIL.
    pub fn is_nil(&self) -> bool {
        self.0.is_none()
    }
    /// Whether there are no addresses (NIL, or a list built empty).
    pub fn is_empty(&self) -> bool {
        self.0.as_ref().is_none_or(List::is_empty)
    }
    /// How many addresses (0 for NIL). A parsed list is walked to count them.
    pub fn len(&self) -> usize {
        self.0.as_ref().map_or(0, List::len)
    }
    /// The first address (the author in most `From` lists).
    pub fn first(&self) -> Option<Address<'a>> {
        self.iter().next()
    }
    /// A parsed list (never empty: the rule reads at least one address).
    pub(crate) fn parsed(list: List<'a, Address<'a>>) -> Self {
        AddressList(Some(list))
    }
    /// The list, or `None` for NIL.
    pub fn as_list(&self) -> Option<&List<'a, Address<'a>>> {
        self.0.as_ref()
    }
    /// The list, or `None` for NIL.
    pub fn into_list(self) -> Option<List<'a, Address<'a>>> {
        self.0
    }
}

impl<'a> From<List<'a, Address<'a>>> for AddressList<'a> {
    /// The list as it is; an empty one is NIL.
    fn from(list: List<'a, Address<'a>>) -> Self {
        AddressList((!list.is_empty()).then_some(list))
    }
}

impl<'a> From<Option<List<'a, Address<'a>>>> for AddressList<'a> {
    /// `None` is NIL; an empty list is NIL too.
    fn from(list: Option<List<'a, Address<'a>>>) -> Self {
        list.map_or(AddressList::nil(), AddressList::from)
    }
}

impl<'a> From<Vec<Address<'a>>> for AddressList<'a> {
    fn from(addresses: Vec<Address<'a>>) -> Self {
        AddressList::new(addresses)
    }
}

impl<'l, 'a> IntoIterator for &'l AddressList<'a> {
    type Item = Address<'a>;
    type IntoIter = AddressIter<'l, 'a>;
    fn into_iter(self) -> AddressIter<'l, 'a> {
        self.iter()
    }
}

impl<'a> IntoIterator for AddressList<'a> {
    type Item = Address<'a>;
    type IntoIter = AddressIntoIter<'a>;
    /// The addresses, moved out of a built list; none for NIL.
    fn into_iter(self) -> AddressIntoIter<'a> {
        AddressIntoIter(self.0.map(List::into_iter))
    }
}

/// The addresses of an [`AddressList`] taken by value (`for a in list`).
pub struct AddressIntoIter<'a>(Option<ListIntoIter<'a, Address<'a>>>);

impl<'a> Iterator for AddressIntoIter<'a> {
    type Item = Address<'a>;
    fn next(&mut self) -> Option<Address<'a>> {
        self.0.as_mut()?.next()
    }
}

/// The addresses of an [`AddressList`] ([`AddressList::iter`]).
pub struct AddressIter<'l, 'a>(Option<ListIter<'l, 'a, Address<'a>>>);

impl<'a> Iterator for AddressIter<'_, 'a> {
    type Item = Address<'a>;
    fn next(&mut self) -> Option<Address<'a>> {
        self.0.as_mut()?.next()
    }
}

/// `envelope = "(" env-date SP env-subject SP env-from SP env-sender SP
/// env-reply-to SP env-to SP env-cc SP env-bcc SP env-in-reply-to SP
/// env-message-id ")"`
///
/// The ENVELOPE of RFC 3501 §8 (`a003 fetch 12 full`), read and written
/// again byte for byte:
///
/// ```
/// use mailwire::imap::{emit_response, parse_response, Data, EmitOptions, FetchItem, ParseOptions, Response};
///
/// let frame = b"* 12 FETCH (ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \
///     \"IMAP4rev1 WG mtg summary and minutes\" \
///     ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
///     ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
///     ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
///     ((NIL NIL \"imap\" \"cac.washington.edu\")) \
///     ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")\
///     (\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \
///     \"<B27397-0100000@cac.washington.edu>\"))\r\n";
/// let response = parse_response(frame, &ParseOptions::STRICT).unwrap();
/// let Response::Data(Data::Fetch { items, .. }) = &response else { panic!() };
/// let Some(FetchItem::Envelope(envelope)) = items.iter().next() else { panic!() };
/// assert_eq!(envelope.date_text().as_deref(), Some("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)"));
/// assert_eq!(envelope.subject_text().as_deref(), Some("IMAP4rev1 WG mtg summary and minutes"));
/// assert_eq!(envelope.sender, envelope.from);
/// assert_eq!(envelope.to.first().unwrap().email().as_deref(), Some("imap@cac.washington.edu"));
/// assert!(envelope.in_reply_to.is_none());
/// assert_eq!(envelope.message_id.as_ref().unwrap().as_bytes(), b"<B27397-0100000@cac.washington.edu>");
///
/// let mut out = Vec::new();
/// emit_response(&response, &mut out, &EmitOptions::default()).unwrap();
/// assert_eq!(out, frame);
/// ```
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Envelope<'a> {
    /// `Date:` header, unparsed.
    pub date: NString<'a>,
    /// `Subject:` (8-bit kept as sent).
    pub subject: NString<'a>,
    /// `From:`
    pub from: AddressList<'a>,
    /// `Sender:`
    pub sender: AddressList<'a>,
    /// `Reply-To:`
    pub reply_to: AddressList<'a>,
    /// `To:`
    pub to: AddressList<'a>,
    /// `Cc:`
    pub cc: AddressList<'a>,
    /// `Bcc:`
    pub bcc: AddressList<'a>,
    /// `In-Reply-To:`
    pub in_reply_to: NString<'a>,
    /// `Message-ID:`
    pub message_id: NString<'a>,
}

/// `body-fld-param = "(" string SP string *(SP string SP string) ")" / nil`.
///
/// `None` is NIL. Values are `NString` because Mail.ru sends `("boundary" NIL)`
/// ([`Quirks::nil_param_value`](crate::imap::Quirks)); RFC values are always `Some`.
pub type Params<'a> = Option<List<'a, (IString<'a>, NString<'a>)>>;

/// `body-fld-dsp = "(" string SP body-fld-param ")" / nil`
#[derive(Clone, Debug, PartialEq)]
pub struct Disposition<'a> {
    /// `inline`, `attachment`, ...
    pub kind: IString<'a>,
    /// `filename`, ...
    pub params: Params<'a>,
}

/// The extension fields shared by single parts and multiparts, after the
/// first one (`body-fld-md5` resp. `body-fld-param`). Each is `None` when the
/// server stopped sending fields before it (they are sent in order).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct BodyExtension<'a> {
    /// `body-fld-dsp`: `Some(None)` is NIL.
    pub disposition: Option<Option<Disposition<'a>>>,
    /// `body-fld-lang`: `Some(None)` is NIL; one string is a list of one.
    pub language: Option<Option<List<'a, IString<'a>>>>,
    /// `body-fld-loc`
    pub location: Option<NString<'a>>,
    /// Further `body-extension` values, raw (each preceded by SP on the wire).
    pub extensions: Option<Cow<'a, [u8]>>,
}

/// The type-specific fields of a single part.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Specific<'a> {
    /// Any type but text and message/rfc822.
    Basic,
    /// `text/*`: `body-fld-lines`.
    Text {
        /// Lines of the body.
        lines: u32,
    },
    /// `message/rfc822` or `message/global`: the message's envelope and body.
    Message {
        /// The encapsulated message's envelope.
        envelope: Lazy<'a, Envelope<'a>>,
        /// The encapsulated message's structure.
        body: Lazy<'a, BodyStructure<'a>>,
        /// Lines of the encapsulated message.
        lines: u32,
    },
}

/// `body-type-1part`: a leaf of the MIME tree.
#[derive(Clone, Debug, PartialEq)]
pub struct SinglePart<'a> {
    /// `media-type` (`TEXT`, `IMAGE`, ...).
    pub media_type: IString<'a>,
    /// `media-subtype`.
    pub subtype: IString<'a>,
    /// `body-fld-param`.
    pub params: Params<'a>,
    /// `body-fld-id` (Content-ID).
    pub id: NString<'a>,
    /// `body-fld-desc` (Content-Description).
    pub description: NString<'a>,
    /// `body-fld-enc` (`7BIT`, `BASE64`, ...); empty when a server sent NIL
    /// ([`Quirks::nil_body_encoding`](crate::imap::Quirks)).
    pub encoding: IString<'a>,
    /// `body-fld-octets`.
    pub size: u32,
    /// Fields depending on the type.
    pub specific: Specific<'a>,
    /// `body-fld-md5`, if extension data was sent (BODYSTRUCTURE).
    pub md5: Option<NString<'a>>,
    /// The other extension fields.
    pub ext: BodyExtension<'a>,
}

/// `body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]`
#[derive(Clone, Debug, PartialEq)]
pub struct MultiPart<'a> {
    /// The parts (at least one).
    pub parts: List<'a, BodyStructure<'a>>,
    /// `mixed`, `alternative`, ...
    pub subtype: IString<'a>,
    /// `body-fld-param`, if extension data was sent.
    pub params: Option<Params<'a>>,
    /// The other extension fields.
    pub ext: BodyExtension<'a>,
}

/// `body = "(" (body-type-1part / body-type-mpart) ")"`
///
/// The multipart example of RFC 3501 §7.4.2 (a text part and a base64
/// attachment):
///
/// ```
/// use mailwire::imap::{parse_response, BodyStructure, Data, FetchItem, ParseOptions, Response, Specific};
///
/// let frame = b"* 1 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1152 23)\
///     (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\" \"NAME\" \"cc.diff\") \
///     \"<960723163407.20117h@cac.washington.edu>\" \"Compiler diff\" \"BASE64\" 4554 73) \"MIXED\"))\r\n";
/// let Response::Data(Data::Fetch { items, .. }) = parse_response(frame, &ParseOptions::STRICT).unwrap()
/// else { panic!() };
/// let Some(FetchItem::BodyStructure(BodyStructure::Multi(mixed))) = items.iter().next() else { panic!() };
/// assert_eq!(mixed.subtype.as_bytes(), b"MIXED");
/// let parts: Vec<_> = mixed.parts.iter().collect();
/// assert_eq!(parts.len(), 2);
/// let BodyStructure::Single(diff) = &parts[1] else { panic!() };
/// assert_eq!((diff.encoding.as_bytes(), diff.size), (&b"BASE64"[..], 4554));
/// assert_eq!(diff.specific, Specific::Text { lines: 73 });
/// let name = diff.params.as_ref().unwrap().iter().find(|(k, _)| k.as_bytes() == b"NAME");
/// assert_eq!(name.unwrap().1.unwrap().as_bytes(), b"cc.diff");
/// assert_eq!(diff.description.as_ref().unwrap().as_bytes(), b"Compiler diff");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum BodyStructure<'a> {
    /// A single part.
    Single(SinglePart<'a>),
    /// A multipart.
    Multi(MultiPart<'a>),
}

impl IntoOwned for SinglePart<'_> {
    type Owned = SinglePart<'static>;
    fn into_owned(self) -> SinglePart<'static> {
        let (mut s, inner) = single_shell_owned(self);
        if let (Some(b), Specific::Message { body, .. }) = (inner, &mut s.specific) {
            *body = Lazy::new(b.into_owned());
        }
        s
    }
}

impl IntoOwned for MultiPart<'_> {
    type Owned = MultiPart<'static>;
    fn into_owned(self) -> MultiPart<'static> {
        let (mut m, parts) = multi_shell_owned(self);
        m.parts = List::from_items(parts.into_iter().map(IntoOwned::into_owned).collect());
        m
    }
}

/// A loop over a stack on the heap, not a recursion: the stack it uses does
/// not grow with the depth of the structure.
impl IntoOwned for BodyStructure<'_> {
    type Owned = BodyStructure<'static>;
    fn into_owned(self) -> BodyStructure<'static> {
        /// What is left to do: convert a body, or give a converted
        /// multipart its parts or a message part its body.
        enum Step<'a> {
            Body(BodyStructure<'a>),
            Parts(MultiPart<'static>, usize),
            Message(SinglePart<'static>),
        }
        let mut todo = alloc::vec![Step::Body(self)];
        let mut done: Vec<BodyStructure<'static>> = Vec::new();
        while let Some(step) = todo.pop() {
            match step {
                Step::Body(BodyStructure::Multi(m)) => {
                    let (shell, parts) = multi_shell_owned(m);
                    todo.push(Step::Parts(shell, parts.len()));
                    todo.extend(parts.into_iter().rev().map(Step::Body));
                }
                Step::Body(BodyStructure::Single(s)) => match single_shell_owned(s) {
                    (shell, Some(b)) => todo.extend([Step::Message(shell), Step::Body(b)]),
                    (shell, None) => done.push(BodyStructure::Single(shell)),
                },
                Step::Parts(mut m, n) => {
                    m.parts = List::from_items(done.split_off(done.len().saturating_sub(n)));
                    done.push(BodyStructure::Multi(m));
                }
                Step::Message(mut s) => {
                    if let (Some(b), Specific::Message { body, .. }) = (done.pop(), &mut s.specific)
                    {
                        *body = Lazy::new(b);
                    }
                    done.push(BodyStructure::Single(s));
                }
            }
        }
        done.pop().unwrap_or_else(|| {
            BodyStructure::Multi(MultiPart {
                parts: List::empty(),
                subtype: IString::default(),
                params: None,
                ext: BodyExtension::default(),
            })
        })
    }
}

/// A part converted, and the body of a message part, not converted (the
/// caller converts it and puts it in place of the empty one left there).
fn single_shell_owned(s: SinglePart<'_>) -> (SinglePart<'static>, Option<BodyStructure<'_>>) {
    let (specific, inner) = match s.specific {
        Specific::Basic => (Specific::Basic, None),
        Specific::Text { lines } => (Specific::Text { lines }, None),
        Specific::Message {
            envelope,
            body,
            lines,
        } => (
            Specific::Message {
                envelope: envelope.into_owned(),
                body: Lazy::taken(),
                lines,
            },
            Some(body.into_value()),
        ),
    };
    let shell = SinglePart {
        media_type: s.media_type.into_owned(),
        subtype: s.subtype.into_owned(),
        params: s.params.into_owned(),
        id: s.id.into_owned(),
        description: s.description.into_owned(),
        encoding: s.encoding.into_owned(),
        size: s.size,
        specific,
        md5: s.md5.into_owned(),
        ext: s.ext.into_owned(),
    };
    (shell, inner)
}

/// A multipart converted without its parts, and its parts, not converted
/// (the caller converts them).
fn multi_shell_owned(m: MultiPart<'_>) -> (MultiPart<'static>, Vec<BodyStructure<'_>>) {
    let shell = MultiPart {
        parts: List::empty(),
        subtype: m.subtype.into_owned(),
        params: m.params.into_owned(),
        ext: m.ext.into_owned(),
    };
    (shell, m.parts.into_vec())
}

crate::owned::into_owned! {
    struct Address { name, adl, mailbox, host }
    struct AddressList(list)
    struct Envelope { date, subject, from, sender, reply_to, to, cc, bcc, in_reply_to, message_id }
    struct Disposition { kind, params }
    struct BodyExtension { disposition, language, location, extensions }
    enum Specific { Basic, Text { lines }, Message { envelope, body, lines } }
}

pub(crate) mod emit;
pub(crate) mod fast;
#[cfg(fuzzing)]
#[doc(hidden)]
pub use fast::set_fast_readings;
pub(crate) mod parse;
pub(crate) mod sink;

#[cfg(test)]
mod address_list_tests {
    use alloc::vec;
    use alloc::vec::Vec;

    use super::{Address, AddressList, Envelope};
    use crate::imap::syntax::core::{IString, IntoOwned, List};
    use crate::imap::{
        Data, EmitOptions, FetchItem, ParseOptions, Response, emit_response, parse_response,
    };

    /// RFC 3501 §8, the ENVELOPE of `a003 fetch 12 full`.
    const FRAME: &[u8] = b"* 12 FETCH (ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg summary and minutes\" ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \"<B27397-0100000@cac.washington.edu>\"))\r\n";

    fn envelope(frame: &[u8]) -> Envelope<'_> {
        let Ok(Response::Data(Data::Fetch { items, .. })) =
            parse_response(frame, &ParseOptions::STRICT)
        else {
            panic!("parses")
        };
        match items.iter().next() {
            Some(FetchItem::Envelope(e)) => e,
            other => panic!("{other:?}"),
        }
    }

    fn mailbox(a: &Address<'_>) -> Vec<u8> {
        a.mailbox
            .as_ref()
            .map(|m| m.as_bytes().to_vec())
            .unwrap_or_default()
    }

    /// `env-cc = "(" 1*address ")" / nil` (RFC 3501 §7.4.2): `iter` walks
    /// the addresses, not the NIL-or-list option (which yielded one item,
    /// the list, before AddressList was a type of its own).
    #[test]
    fn iter_yields_the_addresses() {
        let e = envelope(FRAME);
        assert_eq!(e.cc.iter().count(), 2);
        let cc: Vec<Vec<u8>> = e.cc.iter().map(|a| mailbox(&a)).collect();
        assert_eq!(cc, [b"minutes".to_vec(), b"KLENSIN".to_vec()]);
        assert_eq!(e.cc.len(), 2);
        let mut hosts = Vec::new();
        for a in &e.to {
            hosts.push(a.host.unwrap().as_bytes().to_vec());
        }
        assert_eq!(hosts, [b"cac.washington.edu".to_vec()]);
        assert_eq!(
            e.from.first().and_then(|a| a.email()).as_deref(),
            Some("gray@cac.washington.edu")
        );
        // env-bcc is NIL: no addresses, and NIL is not a list
        assert!(e.bcc.is_nil() && e.bcc.is_empty());
        assert_eq!(e.bcc.iter().count(), 0);
        assert_eq!(e.bcc.len(), 0);
        assert!(e.bcc.first().is_none() && e.bcc.as_list().is_none());
        assert!(!e.cc.is_nil() && !e.cc.is_empty());
    }

    /// `1*address`: there is no empty list on the wire, so an empty one is
    /// NIL, whichever way it was built, and is written NIL.
    #[test]
    fn empty_is_nil() {
        assert!(AddressList::new(Vec::new()).is_nil());
        assert!(AddressList::from(List::from_items(Vec::new())).is_nil());
        assert!(AddressList::from(Some(List::from_items(Vec::new()))).is_nil());
        assert!(AddressList::from(None).is_nil());
        assert_eq!(AddressList::default(), AddressList::nil());
        let env = Envelope {
            to: AddressList::new(Vec::new()),
            ..Envelope::default()
        };
        let items = List::from_items(vec![FetchItem::Envelope(env)]);
        let mut out = Vec::new();
        emit_response(
            &Response::Data(Data::Fetch { seq: 1, items }),
            &mut out,
            &EmitOptions::default(),
        )
        .unwrap();
        assert_eq!(
            out,
            b"* 1 FETCH (ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL))\r\n"
        );
    }

    /// A built list is written as `(address...)` and read back equal; an
    /// owned copy outlives the response it was parsed from.
    #[test]
    fn built_round_trip_and_owned() {
        let alice = Address {
            name: Some(IString::from("Alice")),
            mailbox: Some(IString::from("alice")),
            host: Some(IString::from("example.org")),
            ..Address::default()
        };
        let env = Envelope {
            from: AddressList::from(vec![alice.clone()]),
            ..Envelope::default()
        };
        let items = List::from_items(vec![FetchItem::Envelope(env.clone())]);
        let mut out = Vec::new();
        emit_response(
            &Response::Data(Data::Fetch { seq: 1, items }),
            &mut out,
            &EmitOptions::default(),
        )
        .unwrap();
        assert_eq!(
            out,
            b"* 1 FETCH (ENVELOPE (NIL NIL ((\"Alice\" NIL \"alice\" \"example.org\")) NIL NIL NIL NIL NIL NIL NIL))\r\n"
        );
        assert_eq!(envelope(&out), env);

        let owned: AddressList<'static> = {
            let frame = FRAME.to_vec();
            envelope(&frame).cc.into_owned()
        };
        assert_eq!(owned.len(), 2);
        assert_eq!(
            owned.into_list().unwrap().to_vec()[1].mailbox,
            Some(IString::from("KLENSIN"))
        );
    }
}
