//! ENVELOPE and BODYSTRUCTURE (RFC 9051 §7.5.2, §9 `envelope`, `body`;
//! RFC 3501 §7.4.2).
//!
//! Address lists and the parts of a multipart are [`List`]s and the inner body
//! of a message/rfc822 part is a [`Lazy`]: validated once when the response is
//! parsed and parsed again on demand, so a whole FETCH response with ENVELOPE
//! and a nested BODYSTRUCTURE borrows everything and allocates nothing.
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

use crate::imap::syntax::core::{IString, IntoOwned, Lazy, List, NString};

/// `address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"`
///
/// A group is two addresses: `(NIL NIL "group" NIL)` starts it (host NIL) and
/// `(NIL NIL NIL NIL)` ends it (RFC 9051 §7.5.2).
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

/// An address list: `"(" 1*address ")" / nil` (`None` for NIL).
pub type AddressList<'a> = Option<List<'a, Address<'a>>>;

/// `envelope = "(" env-date SP env-subject SP env-from SP env-sender SP
/// env-reply-to SP env-to SP env-cc SP env-bcc SP env-in-reply-to SP
/// env-message-id ")"`
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
    struct Envelope { date, subject, from, sender, reply_to, to, cc, bcc, in_reply_to, message_id }
    struct Disposition { kind, params }
    struct BodyExtension { disposition, language, location, extensions }
    enum Specific { Basic, Text { lines }, Message { envelope, body, lines } }
}

pub(crate) mod emit;
pub(crate) mod parse;
pub(crate) mod sink;
