//! FETCH (RFC 9051 §6.4.5, §7.5.2): what a client asks for (the `fetch-att`
//! [`FetchAttribute`]s, the ALL/FAST/FULL macros in [`FetchAttributes`]) and
//! what the server sends back (the `msg-att` [`FetchItem`]s), with the
//! `section` ([`Section`], [`SectionText`]) and `section-part` ([`Part`])
//! both sides share, so each rule is written once.
//!
//! ```
//! use mailwire::imap::{parse_command, parse_response, CommandBody, Data, FetchAttribute, FetchAttributes};
//! use mailwire::imap::{FetchItem, ParseOptions, Response, Section, SectionText};
//!
//! // RFC 9051 §6.4.5: C: A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])
//! let command = parse_command(b"A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])\r\n", &ParseOptions::STRICT).unwrap();
//! let CommandBody::Fetch { set, attributes: FetchAttributes::List(attributes), .. } = command.body else { panic!() };
//! assert_eq!(set.as_str(), "2:4");
//! let Some(FetchAttribute::BodySection { peek: false, section, partial: None }) = attributes.iter().nth(1) else { panic!() };
//! let Some(SectionText::HeaderFields(names)) = section.text else { panic!() };
//! assert_eq!(names.len(), 2);
//!
//! // RFC 9051 §7.5.2: S: * 23 FETCH (FLAGS (\Seen) RFC822.SIZE 44827)
//! let response = parse_response(b"* 23 FETCH (FLAGS (\\Seen) RFC822.SIZE 44827)\r\n", &ParseOptions::STRICT).unwrap();
//! let Response::Data(Data::Fetch { seq: 23, items }) = response else { panic!() };
//! assert_eq!(items.iter().nth(1), Some(FetchItem::Rfc822Size(44827)));
//! ```
//!
//! ```text
//! fetch-att       = "ENVELOPE" / "FLAGS" / "INTERNALDATE" / "RFC822" [".HEADER" / ".SIZE" / ".TEXT"] /
//!                   "BODY" ["STRUCTURE"] / "UID" / "BODY" section [partial] /
//!                   "BODY.PEEK" section [partial] / "BINARY" [".PEEK"] section-binary [partial] /
//!                   "BINARY.SIZE" section-binary
//! msg-att         = "(" (msg-att-dynamic / msg-att-static) *(SP (msg-att-dynamic / msg-att-static)) ")"
//! section         = "[" [section-spec] "]"
//! section-binary  = "[" [section-part] "]"
//! ```
//! (RFC 9051 §9, RFC 3516 BINARY; the items of RFC 7162 MODSEQ, RFC 8474
//! EMAILID/THREADID and RFC 8970 PREVIEW are here too; SAVEDATE has its
//! room, [`crate::imap::base::savedate`].)
//!
//! The FETCH command itself (`parse::command`, `emit::command`) and the
//! `FETCH` untagged response (`parse::response`, `emit::response`) call the
//! rules of this room; the streamed FETCH head (`parse::stream`) too. The
//! old paths (`types::command::FetchAttribute`, `types::response::FetchItem`,
//! ...) re-export these types.

use alloc::borrow::Cow;

use crate::imap::base::body::{BodyStructure, Envelope};
use crate::imap::syntax::core::{Atom, DateTime, Flag, IString, List, NString};

/// `fetch-att` (RFC 9051, RFC 3516 BINARY, RFC 7162 MODSEQ, RFC 8474, RFC 8514, RFC 8970).
///
/// ```
/// use mailwire::imap::{emit_command, Command, CommandBody, EmitOptions, FetchAttribute, FetchAttributes};
/// use mailwire::imap::{List, Section, SectionText, SequenceSet, Tag};
///
/// // RFC 3501 §8: C: a004 fetch 12 body[header]
/// let header = FetchAttribute::BodySection {
///     peek: false,
///     section: Section { text: Some(SectionText::Header), ..Section::default() },
///     partial: None,
/// };
/// let body = CommandBody::Fetch {
///     uid: false,
///     set: SequenceSet::single(12).unwrap(),
///     attributes: FetchAttributes::List(List::from_items(vec![header])),
///     changed_since: None,
///     vanished: false,
///     partial: None,
/// };
/// let mut out = Vec::new();
/// emit_command(&Command { tag: Tag::new("a004").unwrap(), body }, &mut out, &EmitOptions::default()).unwrap();
/// assert_eq!(out, b"a004 FETCH 12 BODY[HEADER]\r\n");
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum FetchAttribute<'a> {
    /// `ENVELOPE`
    Envelope,
    /// `FLAGS`
    Flags,
    /// `INTERNALDATE`
    InternalDate,
    /// `RFC822` (IMAP4rev1)
    Rfc822,
    /// `RFC822.HEADER` (IMAP4rev1)
    Rfc822Header,
    /// `RFC822.SIZE`
    Rfc822Size,
    /// `RFC822.TEXT` (IMAP4rev1)
    Rfc822Text,
    /// `BODY`
    Body,
    /// `BODYSTRUCTURE`
    BodyStructure,
    /// `UID`
    Uid,
    /// `BODY[section]<partial>` / `BODY.PEEK[...]`
    BodySection {
        /// `.PEEK`: do not set `\Seen`.
        peek: bool,
        /// The section.
        section: Section<'a>,
        /// `<offset.length>`
        partial: Option<(u32, u32)>,
    },
    /// `BINARY[part]<partial>` / `BINARY.PEEK[...]`
    Binary {
        /// `.PEEK`
        peek: bool,
        /// The part.
        part: Part<'a>,
        /// `<offset.length>`
        partial: Option<(u32, u32)>,
    },
    /// `BINARY.SIZE[part]`
    BinarySize(Part<'a>),
    /// `MODSEQ`
    ModSeq,
    /// `EMAILID`
    EmailId,
    /// `THREADID`
    ThreadId,
    /// `SAVEDATE`
    SaveDate,
    /// `PREVIEW` / `PREVIEW (LAZY)` (RFC 8970 §3.1, §4; the final RFC has
    /// no algorithm names, the drafts' `PREVIEW (FUZZY)`).
    Preview {
        /// `(LAZY)`: the server may answer `PREVIEW NIL` rather than
        /// generate a preview it does not have yet (RFC 8970 §4).
        lazy: bool,
    },
    /// `X-GM-LABELS` (Gmail, [`crate::imap::base::gmail`])
    GmailLabels,
    /// `X-GM-MSGID` (Gmail)
    GmailMsgId,
    /// `X-GM-THRID` (Gmail)
    GmailThrId,
    /// Another attribute (an atom such as `X-CUSTOM`).
    Other(Atom<'a>),
}

/// The attributes of a FETCH: a macro or a list.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum FetchAttributes<'a> {
    /// `ALL` = FLAGS INTERNALDATE RFC822.SIZE ENVELOPE
    All,
    /// `FAST` = FLAGS INTERNALDATE RFC822.SIZE
    Fast,
    /// `FULL` = FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY
    Full,
    /// One attribute or a parenthesised list.
    List(List<'a, FetchAttribute<'a>>),
}

/// A `section-part` (`1.2.3`), empty for the whole message.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Part<'a>(pub(crate) Cow<'a, str>);

impl<'a> Part<'a> {
    /// The whole message (no part numbers).
    pub fn whole() -> Self {
        Part(Cow::Borrowed(""))
    }
    /// A part path from numbers (each non-zero); `None` if one is zero.
    pub fn new(nums: &[u32]) -> Option<Part<'static>> {
        use core::fmt::Write;
        let mut s = alloc::string::String::new();
        for (i, n) in nums.iter().enumerate() {
            if *n == 0 {
                return None;
            }
            if i > 0 {
                s.push('.');
            }
            let _ = write!(s, "{n}");
        }
        Some(Part(Cow::Owned(s)))
    }
    /// The part numbers.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.0.split('.').filter_map(|s| s.parse().ok())
    }
    /// The wire form (`1.2`).
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// Whether this is the whole message.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// `section-msgtext / "MIME"`
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum SectionText<'a> {
    /// `HEADER`
    Header,
    /// `HEADER.FIELDS (...)`
    HeaderFields(List<'a, IString<'a>>),
    /// `HEADER.FIELDS.NOT (...)`
    HeaderFieldsNot(List<'a, IString<'a>>),
    /// `TEXT`
    Text,
    /// `MIME` (only after a part number)
    Mime,
}

/// `section = "[" [section-spec] "]"`
///
/// ```
/// use mailwire::imap::{parse_command, CommandBody, FetchAttribute, FetchAttributes, ParseOptions, SectionText};
///
/// // RFC 9051 §6.4.5: BODY[4.2.HEADER] is the header of the message in part 4.2
/// let frame = b"a1 FETCH 1 BODY.PEEK[4.2.HEADER]<0.1024>\r\n";
/// let CommandBody::Fetch { attributes: FetchAttributes::List(list), .. } = parse_command(frame, &ParseOptions::STRICT).unwrap().body
/// else { panic!() };
/// let Some(FetchAttribute::BodySection { peek: true, section, partial }) = list.iter().next() else { panic!() };
/// assert_eq!(section.part.as_str(), "4.2");
/// assert_eq!(section.text, Some(SectionText::Header));
/// assert_eq!(partial, Some((0, 1024)));
/// ```
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Section<'a> {
    /// The part (empty for the whole message).
    pub part: Part<'a>,
    /// What of it.
    pub text: Option<SectionText<'a>>,
}

/// `msg-att-dynamic / msg-att-static`: one FETCH data item.
///
/// ```
/// use mailwire::imap::{parse_response, Data, FetchItem, Flag, ParseOptions, Response};
///
/// // RFC 3501 §8: S: * 12 FETCH (FLAGS (\Seen) INTERNALDATE "17-Jul-1996 02:44:25 -0700" RFC822.SIZE 4286 ...
/// let frame = b"* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286)\r\n";
/// let Response::Data(Data::Fetch { seq: 12, items }) = parse_response(frame, &ParseOptions::STRICT).unwrap()
/// else { panic!() };
/// for item in items.iter() {
///     match item {
///         FetchItem::Flags(flags) => assert_eq!(flags.iter().collect::<Vec<_>>(), [Flag::Seen]),
///         FetchItem::InternalDate(date) => assert_eq!(date.zone, -7 * 60),
///         FetchItem::Rfc822Size(size) => assert_eq!(size, 4286),
///         other => panic!("{other:?}"),
///     }
/// }
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum FetchItem<'a> {
    /// `FLAGS (...)`
    Flags(List<'a, Flag<'a>>),
    /// `UID n`
    Uid(u32),
    /// `INTERNALDATE "..."`
    InternalDate(DateTime),
    /// `RFC822.SIZE n`
    Rfc822Size(u32),
    /// `RFC822 nstring` (IMAP4rev1)
    Rfc822(NString<'a>),
    /// `RFC822.HEADER nstring` (IMAP4rev1)
    Rfc822Header(NString<'a>),
    /// `RFC822.TEXT nstring` (IMAP4rev1)
    Rfc822Text(NString<'a>),
    /// `ENVELOPE (...)`
    Envelope(Envelope<'a>),
    /// `BODY (...)` (no extension data)
    Body(BodyStructure<'a>),
    /// `BODYSTRUCTURE (...)`
    BodyStructure(BodyStructure<'a>),
    /// `BODY[section]<origin> nstring`
    BodySection {
        /// The section.
        section: Section<'a>,
        /// `<origin>` of a partial fetch.
        origin: Option<u32>,
        /// The data (borrowed literal bytes).
        data: NString<'a>,
    },
    /// `BINARY[part]<origin> (nstring / literal8)` (RFC 3516)
    Binary {
        /// The part.
        part: Part<'a>,
        /// `<origin>` of a partial fetch.
        origin: Option<u32>,
        /// The decoded data.
        data: NString<'a>,
    },
    /// `BINARY.SIZE[part] n` (RFC 3516)
    BinarySize {
        /// The part.
        part: Part<'a>,
        /// Decoded size.
        size: u32,
    },
    /// `MODSEQ (n)` (RFC 7162)
    ModSeq(u64),
    /// `EMAILID (id)` (RFC 8474)
    EmailId(IString<'a>),
    /// `THREADID (id) / NIL` (RFC 8474)
    ThreadId(NString<'a>),
    /// `SAVEDATE "..." / NIL` (RFC 8514)
    SaveDate(Option<DateTime>),
    /// `PREVIEW nstring` (RFC 8970 §3.2, `msg-att-dynamic =/ "PREVIEW" SP
    /// nstring`): NIL only to a `PREVIEW (LAZY)` whose preview is not ready
    /// ("A server MUST NOT return NIL to a FETCH PREVIEW request made
    /// without the LAZY modifier"); the empty string when no meaningful
    /// preview can be generated. A server builds it with
    /// [`FetchItem::preview`], which keeps the text within the RFC's length
    /// limit.
    Preview(NString<'a>),
    /// `X-GM-LABELS (...)` (Gmail, [`crate::imap::base::gmail`])
    GmailLabels(List<'a, crate::imap::base::gmail::GmailLabel<'a>>),
    /// `X-GM-MSGID n` (Gmail): the message's 64-bit id.
    GmailMsgId(u64),
    /// `X-GM-THRID n` (Gmail): the message's thread's 64-bit id.
    GmailThrId(u64),
    /// An item this crate does not know, kept raw
    /// ([`Quirks::unknown_items`](crate::imap::Quirks)).
    Unknown {
        /// The item name as sent (`X-GM-LABELS`).
        name: Cow<'a, str>,
        /// Its value, raw.
        value: Cow<'a, [u8]>,
    },
}

impl<'a> FetchItem<'a> {
    /// Most characters a preview may have: RFC 8970 §3.3 sets 256 preview
    /// characters as the limit a server MUST NOT exceed (and 200 as the one
    /// it SHOULD keep to).
    pub const PREVIEW_MAX_CHARS: usize = 256;

    /// `PREVIEW "text"` for a server's answer, the text cut at
    /// [`PREVIEW_MAX_CHARS`](Self::PREVIEW_MAX_CHARS) characters (Unicode
    /// scalar values, never inside one). An empty text says the message has
    /// nothing to preview.
    ///
    /// ```
    /// use mailwire::imap::FetchItem;
    ///
    /// let long = "é".repeat(300);
    /// let FetchItem::Preview(Some(p)) = FetchItem::preview(&long) else { panic!() };
    /// assert_eq!(p.to_str_lossy().chars().count(), 256);
    /// ```
    pub fn preview(text: &'a str) -> Self {
        let end = text
            .char_indices()
            .nth(Self::PREVIEW_MAX_CHARS)
            .map_or(text.len(), |(i, _)| i);
        FetchItem::Preview(Some(IString::from(&text[..end])))
    }
}

crate::owned::into_owned! {
    enum FetchAttribute {
        Envelope,
        Flags,
        InternalDate,
        Rfc822,
        Rfc822Header,
        Rfc822Size,
        Rfc822Text,
        Body,
        BodyStructure,
        Uid,
        BodySection { peek, section, partial },
        Binary { peek, part, partial },
        BinarySize(p),
        ModSeq,
        EmailId,
        ThreadId,
        SaveDate,
        Preview { lazy },
        GmailLabels,
        GmailMsgId,
        GmailThrId,
        Other(a),
    }
    enum FetchAttributes { All, Fast, Full, List(l) }
    struct Part(inner)
    enum SectionText { Header, HeaderFields(l), HeaderFieldsNot(l), Text, Mime }
    struct Section { part, text }
    enum FetchItem {
        Flags(l),
        Uid(n),
        InternalDate(d),
        Rfc822Size(n),
        Rfc822(s),
        Rfc822Header(s),
        Rfc822Text(s),
        Envelope(e),
        Body(b),
        BodyStructure(b),
        BodySection { section, origin, data },
        Binary { part, origin, data },
        BinarySize { part, size },
        ModSeq(n),
        EmailId(s),
        ThreadId(s),
        SaveDate(d),
        Preview(s),
        GmailLabels(l),
        GmailMsgId(n),
        GmailThrId(n),
        Unknown { name, value },
    }
}

/// The grammar of FETCH.
pub(crate) mod parse {
    use alloc::borrow::Cow;
    use alloc::vec::Vec;

    use nom::Parser as _;
    use nom::combinator::{cond, map};
    use nom::sequence::{delimited, preceded, terminated};

    use super::visit::Sink;
    use super::{FetchAttribute, FetchAttributes, FetchItem, Part, Section, SectionText};
    use crate::imap::base::body::parse::{body_v, envelope_v};
    use crate::imap::base::body::sink::Quiet;
    use crate::imap::syntax::core::SequenceSet;
    use crate::imap::syntax::core::{IString, List, Sep, class};
    use crate::imap::syntax::input::at_word;
    use crate::imap::syntax::input::{
        In, R, after_prefix, byte, kw, sp, space_before_close, take_while, upcase_prefix, validate,
        word,
    };
    use crate::imap::syntax::rules::{
        astring, atom, date_time, flag_list, is_nil, nstring, number, number64, nz_number,
        paren_objectid, skip_parens, skip_value,
    };
    use crate::imap::syntax::rules::{
        astring_check, paren_list_or_one, paren_list_tail_checked, sequence_set,
    };

    /// `section-part = nz-number *("." nz-number)`
    fn section_part<'a>(i: In<'a>) -> R<'a, Part<'a>> {
        let s = i;
        let mut i = i;
        if matches!(i.peek(), Some(b'1'..=b'9')) {
            loop {
                (i, _) = nz_number(i)?;
                if i.peek() == Some(b'.') && matches!(i.peek_at(1), Some(b'1'..=b'9')) {
                    i = i.skip(1);
                } else {
                    break;
                }
            }
        }
        let raw = core::str::from_utf8(s.upto(&i)).unwrap_or("");
        Ok((i, Part(Cow::Borrowed(raw))))
    }

    /// After `PREVIEW` (RFC 8970 §6, Formal Syntax):
    ///
    /// ```text
    /// fetch-att   =/ "PREVIEW" [SP "(" preview-mod *(SP preview-mod) ")"]
    /// preview-mod =/ "LAZY"
    /// ```
    ///
    /// LAZY is the only modifier the RFC defines; another one (the drafts'
    /// algorithm names such as `FUZZY`) does not parse.
    fn preview_mods(i: In<'_>) -> R<'_, FetchAttribute<'_>> {
        let lazy = FetchAttribute::Preview { lazy: true };
        if !(i.peek() == Some(b' ') && i.peek_at(1) == Some(b'(')) {
            return Ok((i, FetchAttribute::Preview { lazy: false }));
        }
        let (mut i, ()) = kw(b" (")(i)?;
        loop {
            (i, ()) = word(b"LAZY")(i)?;
            match i.peek() {
                Some(b' ') => i = i.skip(1),
                _ => break,
            }
        }
        let (i, ()) = byte(b')', "')'")(i)?;
        Ok((i, lazy))
    }

    /// `header-list = "(" header-fld-name *(SP header-fld-name) ")"`
    fn header_list<'a>(i: In<'a>) -> R<'a, List<'a, IString<'a>>> {
        let (i, ()) = byte(b'(', "'('")(i)?;
        paren_list_tail_checked(i, astring, astring_check, false)
    }

    /// ```text
    /// section         = "[" [section-spec] "]"
    /// section-spec    = section-msgtext / (section-part ["." section-text])
    /// section-msgtext = "HEADER" / "HEADER.FIELDS" [".NOT"] SP header-list / "TEXT"
    /// section-text    = section-msgtext / "MIME"
    /// ```
    pub(crate) fn section<'a>(i: In<'a>) -> R<'a, Section<'a>> {
        let (i, ()) = byte(b'[', "'['")(i)?;
        let (mut i, part) = section_part(i)?;
        let text = if i.peek() == Some(b']') {
            None
        } else {
            if !part.is_empty() {
                (i, ()) = byte(b'.', "'.'")(i)?;
            }
            let (r, t) = if let Some(r) = after_prefix(&i, b"HEADER.FIELDS.NOT") {
                map(preceded(sp, header_list), SectionText::HeaderFieldsNot).parse(r)?
            } else if let Some(r) = after_prefix(&i, b"HEADER.FIELDS") {
                map(preceded(sp, header_list), SectionText::HeaderFields).parse(r)?
            } else if let Some(r) = after_prefix(&i, b"HEADER") {
                (r, SectionText::Header)
            } else if let Some(r) = after_prefix(&i, b"TEXT") {
                (r, SectionText::Text)
            } else if let Some(r) = after_prefix(&i, b"MIME").filter(|_| !part.is_empty()) {
                (r, SectionText::Mime)
            } else {
                return i.err("section-text");
            };
            i = r;
            Some(t)
        };
        let (i, ()) = byte(b']', "']'")(i)?;
        Ok((i, Section { part, text }))
    }

    /// `section-binary = "[" [section-part] "]"`
    pub(crate) fn section_binary<'a>(i: In<'a>) -> R<'a, Part<'a>> {
        delimited(byte(b'[', "'['"), section_part, byte(b']', "']'")).parse(i)
    }

    /// `["<" number ">"]`
    pub(crate) fn origin(i: In<'_>) -> R<'_, Option<u32>> {
        if i.peek() == Some(b'<') {
            map(terminated(number, byte(b'>', "'>'")), Some).parse(i.skip(1))
        } else {
            Ok((i, None))
        }
    }

    /// `partial = "<" number "." nz-number ">"`, if it comes next.
    fn partial(i: In<'_>) -> R<'_, Option<(u32, u32)>> {
        cond(
            i.peek() == Some(b'<'),
            map(
                (
                    byte(b'<', "'<'"),
                    number,
                    byte(b'.', "'.'"),
                    nz_number,
                    byte(b'>', "'>'"),
                ),
                |(_, a, _, b, _)| (a, b),
            ),
        )
        .parse(i)
    }

    /// ```text
    /// fetch-att = "ENVELOPE" / "FLAGS" / "INTERNALDATE" / "RFC822" [".HEADER" / ".SIZE" / ".TEXT"] /
    ///             "BODY" ["STRUCTURE"] / "UID" / "BODY" section [partial] / "BODY.PEEK" section [partial] /
    ///             "BINARY" [".PEEK"] section-binary [partial] / "BINARY.SIZE" section-binary
    /// ```
    pub(crate) fn fetch_att(i: In<'_>) -> R<'_, FetchAttribute<'_>> {
        use FetchAttribute as F;
        let start = i;
        let (i, name) = take_while(i, |b| {
            b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_')
        });
        let mut buf = [0u8; 16];
        let upper = upcase_prefix(start.rest, name.len(), &mut buf);
        let a = match upper {
            b"ENVELOPE" => F::Envelope,
            b"FLAGS" => F::Flags,
            b"INTERNALDATE" => F::InternalDate,
            b"RFC822" => F::Rfc822,
            b"RFC822.HEADER" => F::Rfc822Header,
            b"RFC822.SIZE" => F::Rfc822Size,
            b"RFC822.TEXT" => F::Rfc822Text,
            b"BODYSTRUCTURE" => F::BodyStructure,
            b"UID" => F::Uid,
            b"BODY" | b"BODY.PEEK" => {
                if i.peek() == Some(b'[') {
                    let (i, s) = section(i)?;
                    let (i, p) = partial(i)?;
                    let a = F::BodySection {
                        peek: upper == b"BODY.PEEK",
                        section: s,
                        partial: p,
                    };
                    return Ok((i, a));
                } else if upper == b"BODY" {
                    F::Body
                } else {
                    return i.err("section");
                }
            }
            b"BINARY" | b"BINARY.PEEK" => {
                let (i, part) = section_binary(i)?;
                let (i, p) = partial(i)?;
                let a = F::Binary {
                    peek: upper == b"BINARY.PEEK",
                    part,
                    partial: p,
                };
                return Ok((i, a));
            }
            b"BINARY.SIZE" => return map(section_binary, F::BinarySize).parse(i),
            b"MODSEQ" => F::ModSeq,
            b"EMAILID" => F::EmailId,
            b"THREADID" => F::ThreadId,
            b"SAVEDATE" => F::SaveDate,
            b"PREVIEW" => return preview_mods(i),
            b"X-GM-LABELS" => F::GmailLabels,
            b"X-GM-MSGID" => F::GmailMsgId,
            b"X-GM-THRID" => F::GmailThrId,
            _ => return map(atom, F::Other).parse(start),
        };
        Ok((i, a))
    }

    /// [`fetch_att`] validated, not built: an attribute that is its name
    /// alone (no section, no partial, no modifiers; what the rule reads as
    /// that name and nothing after it) is told by one match on the name;
    /// anything else goes to the rule.
    #[inline(always)]
    pub(crate) fn fetch_att_check(i: In<'_>) -> R<'_, ()> {
        let (rest, name) = take_while(i, |b| {
            b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_')
        });
        let mut buf = [0u8; 16];
        if matches!(
            upcase_prefix(i.rest, name.len(), &mut buf),
            b"ENVELOPE"
                | b"FLAGS"
                | b"INTERNALDATE"
                | b"RFC822"
                | b"RFC822.HEADER"
                | b"RFC822.SIZE"
                | b"RFC822.TEXT"
                | b"BODYSTRUCTURE"
                | b"UID"
                | b"MODSEQ"
                | b"EMAILID"
                | b"THREADID"
                | b"SAVEDATE"
                | b"X-GM-LABELS"
                | b"X-GM-MSGID"
                | b"X-GM-THRID"
        ) {
            return Ok((rest, ()));
        }
        validate(fetch_att)(i)
    }

    /// A FETCH item name: atom characters up to a `[` section or `<` origin.
    #[inline(always)]
    pub(crate) fn item_name(i: In<'_>) -> (In<'_>, &[u8]) {
        take_while(i, |b| class::is(b, class::ATOM) && b != b'[' && b != b'<')
    }

    /// `msg-att-dynamic / msg-att-static`: one FETCH data item.
    pub(crate) fn fetch_item(i: In<'_>) -> R<'_, FetchItem<'_>> {
        fetch_item_v(i, &mut Quiet)
    }

    /// [`fetch_item`], reporting the contents of ENVELOPE and BODY[STRUCTURE] to
    /// a visitor.
    fn fetch_item_v<'a, S: Sink<'a>>(i: In<'a>, s: &mut S) -> R<'a, FetchItem<'a>> {
        let start = i;
        let (i, name) = item_name(i);
        let is = |s: &[u8]| name.eq_ignore_ascii_case(s);
        if is(b"FLAGS") {
            map(preceded(sp, flag_list), FetchItem::Flags).parse(i)
        } else if is(b"UID") {
            map(preceded(sp, nz_number), FetchItem::Uid).parse(i)
        } else if is(b"INTERNALDATE") {
            map(preceded(sp, date_time), FetchItem::InternalDate).parse(i)
        } else if is(b"RFC822.SIZE") {
            map(preceded(sp, number), FetchItem::Rfc822Size).parse(i)
        } else if is(b"RFC822") {
            map(preceded(sp, nstring), FetchItem::Rfc822).parse(i)
        } else if is(b"RFC822.HEADER") {
            map(preceded(sp, nstring), FetchItem::Rfc822Header).parse(i)
        } else if is(b"RFC822.TEXT") {
            map(preceded(sp, nstring), FetchItem::Rfc822Text).parse(i)
        } else if is(b"ENVELOPE") {
            let (i, ()) = sp(i)?;
            let (i, e) = envelope_v(i, s)?;
            Ok((i, FetchItem::Envelope(e)))
        } else if is(b"BODYSTRUCTURE") {
            let (i, ()) = sp(i)?;
            let (i, b) = body_v(i, s)?;
            Ok((i, FetchItem::BodyStructure(b)))
        } else if is(b"BODY") {
            if i.peek() == Some(b'[') {
                let (i, (section, origin, _, data)) = (section, origin, sp, nstring).parse(i)?;
                Ok((
                    i,
                    FetchItem::BodySection {
                        section,
                        origin,
                        data,
                    },
                ))
            } else {
                let (i, ()) = sp(i)?;
                let (i, b) = body_v(i, s)?;
                Ok((i, FetchItem::Body(b)))
            }
        } else if is(b"BINARY") {
            let (i, (part, origin, _, data)) = (section_binary, origin, sp, nstring).parse(i)?;
            Ok((i, FetchItem::Binary { part, origin, data }))
        } else if is(b"BINARY.SIZE") {
            let (i, (part, _, size)) = (section_binary, sp, number).parse(i)?;
            Ok((i, FetchItem::BinarySize { part, size }))
        } else if is(b"MODSEQ") {
            // fetch-mod-resp = "MODSEQ" SP "(" permsg-modsequence ")"
            map(
                preceded(
                    sp,
                    delimited(byte(b'(', "'('"), number64, byte(b')', "')'")),
                ),
                FetchItem::ModSeq,
            )
            .parse(i)
        } else if is(b"EMAILID") {
            map(preceded(sp, paren_objectid), FetchItem::EmailId).parse(i)
        } else if is(b"THREADID") {
            let (i, ()) = sp(i)?;
            match is_nil(i) {
                (i, true) => Ok((i, FetchItem::ThreadId(None))),
                _ => map(paren_objectid, |id| FetchItem::ThreadId(Some(id))).parse(i),
            }
        } else if is(b"SAVEDATE") {
            map(
                crate::imap::base::savedate::parse::fetch_item,
                FetchItem::SaveDate,
            )
            .parse(i)
        } else if is(b"PREVIEW") {
            map(preceded(sp, nstring), FetchItem::Preview).parse(i)
        } else if is(b"X-GM-LABELS") {
            use crate::imap::base::gmail::parse::label_list;
            map(preceded(sp, label_list), FetchItem::GmailLabels).parse(i)
        } else if is(b"X-GM-MSGID") {
            use crate::imap::base::gmail::parse::gm_id;
            map(preceded(sp, gm_id), FetchItem::GmailMsgId).parse(i)
        } else if is(b"X-GM-THRID") {
            use crate::imap::base::gmail::parse::gm_id;
            map(preceded(sp, gm_id), FetchItem::GmailThrId).parse(i)
        } else if !name.is_empty() && i.q().unknown_items {
            // an unknown item: name (with an optional [section] and <origin>), SP, any value
            let mut i = i;
            if i.peek() == Some(b'[') {
                (i, _) = skip_value(i)?;
            }
            if i.peek() == Some(b'<') {
                (i, _) = take_while(i, |b| b != b'>');
                (i, ()) = byte(b'>', "'>'")(i)?;
            }
            let name = core::str::from_utf8(start.upto(&i)).unwrap_or("");
            let (i, value) = preceded(sp, skip_value).parse(i)?;
            Ok((
                i,
                FetchItem::Unknown {
                    name: Cow::Borrowed(name),
                    value: Cow::Borrowed(value),
                },
            ))
        } else {
            start.err("FETCH data item")
        }
    }

    /// Room for the items of a typical FETCH response (UID, FLAGS, sizes,
    /// dates, ENVELOPE, BODYSTRUCTURE, a section), so one allocation holds them.
    const MSG_ATT_ITEMS: usize = 8;

    /// `msg-att = "(" (msg-att-dynamic / msg-att-static) *(SP (msg-att-dynamic / msg-att-static)) ")"`
    pub(crate) fn msg_att<'a, S: Sink<'a>>(
        i: In<'a>,
        sink: &mut S,
    ) -> R<'a, List<'a, FetchItem<'a>>> {
        let keep = !S::ACTIVE && !i.st.discard && !i.st.lazy;
        if !keep && !S::ACTIVE && i.st.trusted {
            // validated before and kept lazy: only its end is needed
            let (i, raw) = skip_parens(i)?;
            let raw = raw.strip_suffix(b" ").unwrap_or(raw);
            return Ok((i, List::wire(raw, fetch_item, Sep::Space, i.ctx())));
        }
        let (mut i, ()) = byte(b'(', "'(' of msg-att")(i)?;
        let s = i;
        let mut e = i;
        // Without a visitor the items are kept as they are parsed (one
        // allocation per response): iterating them is then a copy of each
        // item, not a second parse of its ENVELOPE and BODYSTRUCTURE
        // (issue #19). Their nested lists stay lazy.
        let mut items = Vec::new();
        if !(i.q().missing_text && i.peek() == Some(b')')) {
            loop {
                let item;
                if S::ACTIVE {
                    (i, item) = fetch_item_v(i, sink)?;
                    sink.item(item);
                } else {
                    if keep {
                        if items.is_empty() {
                            items.reserve_exact(MSG_ATT_ITEMS);
                        }
                        // pushed from the result in place: an item is as big
                        // as its largest kind (a body structure), and each
                        // move of it is a copy of that size
                        match fetch_item(i) {
                            Ok((rest, item)) => {
                                i = rest;
                                items.push(item);
                            }
                            Err(e) => return Err(e),
                        }
                    } else {
                        (i, ()) = validate(fetch_item)(i)?;
                    }
                }
                e = i;
                i = space_before_close(i, i.q().trailing_space);
                if i.peek() == Some(b')') {
                    break;
                }
                (i, ()) = sp(i)?;
            }
        }
        let (i, ()) = byte(b')', "')' of msg-att")(i)?;
        if !keep {
            return Ok((i, List::wire(s.upto(&e), fetch_item, Sep::Space, i.ctx())));
        }
        Ok((i, List::from_items(items)))
    }

    /// What follows FETCH: the set, the attributes and the modifiers.
    pub(crate) struct FetchArgs<'a> {
        pub(crate) set: SequenceSet<'a>,
        pub(crate) attributes: FetchAttributes<'a>,
        pub(crate) changed_since: Option<u64>,
        pub(crate) vanished: bool,
        pub(crate) partial: Option<crate::imap::base::partial::PartialRange>,
    }

    /// The arguments of FETCH (or UID FETCH): the set, the attributes and the
    /// CONDSTORE/QRESYNC and PARTIAL modifiers (RFC 9051 §9, RFC 7162
    /// §3.1.4, §3.2.6, RFC 9394 §3.3):
    ///
    /// ```text
    /// fetch = "FETCH" SP sequence-set SP ("ALL" / "FULL" / "FAST" /
    ///         fetch-att / "(" fetch-att *(SP fetch-att) ")") [fetch-modifiers]
    /// fetch-modifier =/ "PARTIAL" SP partial-range     ; RFC 9394 §4
    /// ```
    pub(crate) fn fetch_args(i: In<'_>) -> R<'_, FetchArgs<'_>> {
        let (i, (_, set, _)) = (sp, sequence_set, sp).parse(i)?;
        let (mut i, attributes) = if i.peek() == Some(b'(') {
            // the usual list (no macro starts with `(`), as `paren_list_or_one`
            // reads it, the attributes checked in place
            let (i, l) = paren_list_tail_checked(i.skip(1), fetch_att, fetch_att_check, false)?;
            (i, FetchAttributes::List(l))
        } else if at_word(&i, b"ALL") {
            (i.skip(3), FetchAttributes::All)
        } else if at_word(&i, b"FAST") {
            (i.skip(4), FetchAttributes::Fast)
        } else if at_word(&i, b"FULL") {
            (i.skip(4), FetchAttributes::Full)
        } else {
            map(|i| paren_list_or_one(i, fetch_att), FetchAttributes::List).parse(i)?
        };
        let mut changed_since = None;
        let mut vanished = false;
        let mut partial = None;
        if i.peek() == Some(b' ') && i.peek_at(1) == Some(b'(') {
            i = i.skip(2);
            loop {
                if at_word(&i, b"CHANGEDSINCE") {
                    let (r, v) = preceded(sp, number64).parse(i.skip(12))?;
                    (i, changed_since) = (r, Some(v));
                } else if at_word(&i, b"VANISHED") {
                    (i, vanished) = (i.skip(8), true);
                } else if at_word(&i, b"PARTIAL") {
                    // fetch-modifier =/ modifier-partial (RFC 9394 §4), once
                    if partial.is_some() {
                        return i.err("one PARTIAL modifier");
                    }
                    let (r, p) = preceded(sp, crate::imap::base::partial::parse::partial_range)
                        .parse(i.skip(7))?;
                    (i, partial) = (r, Some(p));
                } else {
                    return i.err("CHANGEDSINCE, VANISHED or PARTIAL");
                }
                if i.peek() == Some(b')') {
                    i = i.skip(1);
                    break;
                }
                (i, ()) = sp(i)?;
            }
        }
        Ok((
            i,
            FetchArgs {
                set,
                attributes,
                changed_since,
                vanished,
                partial,
            },
        ))
    }
}

/// The in-place check of FETCH attributes against the rule, over mutated
/// attribute lists (see `rules::fast_path_tests`).
#[cfg(test)]
mod fast_path_tests {
    use super::parse::{fetch_att, fetch_att_check};
    use crate::imap::syntax::input::validate;
    use crate::imap::syntax::rules::fast_path_tests::{modes, mutations, same};

    #[test]
    fn fetch_att_check_agrees_with_the_rule() {
        let inputs = mutations(&[
            b"UID FLAGS",
            b"rfc822.size)",
            b"BODY.PEEK[HEADER.FIELDS (FROM TO)]",
            b"BODY[1.2]<0.100>",
            b"BODYSTRUCTURE ENVELOPE",
            b"BINARY.SIZE[1]",
            b"X-GM-LABELS X-GM-MSGID",
            b"MODSEQ EMAILID THREADID SAVEDATE",
            b"PREVIEW (LAZY)",
            b"INTERNALDATE RFC822.HEADER RFC822.TEXT RFC822",
            b"OTHER-ATOM",
        ]);
        for s in &inputs {
            for i in modes(s) {
                same(s, fetch_att_check(i), validate(fetch_att)(i));
            }
        }
    }
}

/// The emitter of FETCH.
pub(crate) mod emit {
    use super::{FetchAttribute, FetchItem, Part, Section, SectionText};
    use crate::Error;
    use crate::imap::base::body::emit::{body, envelope};
    use crate::imap::syntax::core::{IString, List};
    use crate::imap::syntax::write::{W, num_code, objectid};

    pub(crate) fn section(w: &mut W<'_>, s: &Section<'_>) -> Result<(), Error> {
        w.raw(b"[");
        w.raw(s.part.as_str().as_bytes());
        if let Some(t) = &s.text {
            if !s.part.is_empty() {
                w.raw(b".");
            }
            let headers = |w: &mut W<'_>, l: &List<'_, IString<'_>>| -> Result<(), Error> {
                w.raw(b" (");
                if l.is_empty() {
                    return Err(Error::Emit(crate::error::Unemittable::Missing {
                        what: "header-list entry",
                    }));
                }
                for (i, h) in l.iter().enumerate() {
                    if i > 0 {
                        w.sp();
                    }
                    w.astring(h.as_bytes())?;
                }
                w.raw(b")");
                Ok(())
            };
            match t {
                SectionText::Header => w.raw(b"HEADER"),
                SectionText::HeaderFields(l) => {
                    w.raw(b"HEADER.FIELDS");
                    headers(w, l)?;
                }
                SectionText::HeaderFieldsNot(l) => {
                    w.raw(b"HEADER.FIELDS.NOT");
                    headers(w, l)?;
                }
                SectionText::Text => w.raw(b"TEXT"),
                SectionText::Mime => {
                    if s.part.is_empty() {
                        return Err(Error::Emit(crate::error::Unemittable::Missing {
                            what: "MIME part number",
                        }));
                    }
                    w.raw(b"MIME");
                }
            }
        }
        w.raw(b"]");
        Ok(())
    }

    pub(crate) fn part(w: &mut W<'_>, p: &Part<'_>) {
        w.raw(b"[");
        w.raw(p.as_str().as_bytes());
        w.raw(b"]");
    }

    fn partial(w: &mut W<'_>, p: &Option<(u32, u32)>) {
        if let Some((a, b)) = p {
            w.raw(b"<");
            w.num(u64::from(*a));
            w.raw(b".");
            w.num(u64::from(*b));
            w.raw(b">");
        }
    }

    pub(crate) fn fetch_att(w: &mut W<'_>, a: &FetchAttribute<'_>) -> Result<(), Error> {
        use FetchAttribute as F;
        match a {
            F::Envelope => w.raw(b"ENVELOPE"),
            F::Flags => w.raw(b"FLAGS"),
            F::InternalDate => w.raw(b"INTERNALDATE"),
            F::Rfc822 => w.raw(b"RFC822"),
            F::Rfc822Header => w.raw(b"RFC822.HEADER"),
            F::Rfc822Size => w.raw(b"RFC822.SIZE"),
            F::Rfc822Text => w.raw(b"RFC822.TEXT"),
            F::Body => w.raw(b"BODY"),
            F::BodyStructure => w.raw(b"BODYSTRUCTURE"),
            F::Uid => w.raw(b"UID"),
            F::BodySection {
                peek,
                section: s,
                partial: p,
            } => {
                w.raw(if *peek { b"BODY.PEEK" } else { b"BODY" });
                section(w, s)?;
                partial(w, p);
            }
            F::Binary {
                peek,
                part: pt,
                partial: p,
            } => {
                w.raw(if *peek { b"BINARY.PEEK" } else { b"BINARY" });
                part(w, pt);
                partial(w, p);
            }
            F::BinarySize(pt) => {
                w.raw(b"BINARY.SIZE");
                part(w, pt);
            }
            F::ModSeq => w.raw(b"MODSEQ"),
            F::EmailId => w.raw(b"EMAILID"),
            F::ThreadId => w.raw(b"THREADID"),
            F::SaveDate => w.raw(b"SAVEDATE"),
            F::Preview { lazy } => w.raw(if *lazy { b"PREVIEW (LAZY)" } else { b"PREVIEW" }),
            F::GmailLabels => w.raw(b"X-GM-LABELS"),
            F::GmailMsgId => w.raw(b"X-GM-MSGID"),
            F::GmailThrId => w.raw(b"X-GM-THRID"),
            F::Other(a) => w.atom(a)?,
        }
        Ok(())
    }

    pub(crate) fn fetch_item(w: &mut W<'_>, it: &FetchItem<'_>) -> Result<(), Error> {
        match it {
            FetchItem::Flags(l) => {
                w.raw(b"FLAGS ");
                w.flag_list(l)?;
            }
            FetchItem::Uid(n) => num_code(w, b"UID", u64::from(*n))?,
            FetchItem::InternalDate(d) => {
                w.raw(b"INTERNALDATE ");
                w.date_time(d)?;
            }
            FetchItem::Rfc822Size(n) => num_code(w, b"RFC822.SIZE", u64::from(*n))?,
            FetchItem::Rfc822(s) => nstring_item(w, b"RFC822", s)?,
            FetchItem::Rfc822Header(s) => nstring_item(w, b"RFC822.HEADER", s)?,
            FetchItem::Rfc822Text(s) => nstring_item(w, b"RFC822.TEXT", s)?,
            FetchItem::Envelope(e) => {
                w.raw(b"ENVELOPE ");
                envelope(w, e)?;
            }
            FetchItem::Body(b) => {
                w.raw(b"BODY ");
                body(w, b, false)?;
            }
            FetchItem::BodyStructure(b) => {
                w.raw(b"BODYSTRUCTURE ");
                body(w, b, true)?;
            }
            FetchItem::BodySection {
                section: s,
                origin,
                data,
            } => {
                w.raw(b"BODY");
                section(w, s)?;
                if let Some(o) = origin {
                    w.raw(b"<");
                    w.num(u64::from(*o));
                    w.raw(b">");
                }
                w.sp();
                w.nstring(data)?;
            }
            FetchItem::Binary {
                part: p,
                origin,
                data,
            } => {
                w.raw(b"BINARY");
                part(w, p);
                if let Some(o) = origin {
                    w.raw(b"<");
                    w.num(u64::from(*o));
                    w.raw(b">");
                }
                w.sp();
                match data {
                    None => w.raw(b"NIL"),
                    Some(d) if d.as_bytes().contains(&0) => w.literal(d.as_bytes(), true)?,
                    Some(d) => w.string(d.as_bytes())?,
                }
            }
            FetchItem::BinarySize { part: p, size } => {
                w.raw(b"BINARY.SIZE");
                part(w, p);
                w.sp();
                w.num(u64::from(*size));
            }
            FetchItem::ModSeq(n) => {
                w.raw(b"MODSEQ (");
                w.num(*n);
                w.raw(b")");
            }
            FetchItem::EmailId(id) => {
                w.raw(b"EMAILID (");
                objectid(w, id)?;
                w.raw(b")");
            }
            FetchItem::ThreadId(id) => match id {
                None => w.raw(b"THREADID NIL"),
                Some(id) => {
                    w.raw(b"THREADID (");
                    objectid(w, id)?;
                    w.raw(b")");
                }
            },
            FetchItem::SaveDate(d) => crate::imap::base::savedate::emit::fetch_item(w, d)?,
            FetchItem::Preview(s) => nstring_item(w, b"PREVIEW", s)?,
            FetchItem::GmailLabels(l) => {
                w.raw(b"X-GM-LABELS ");
                crate::imap::base::gmail::emit::label_list(w, l)?;
            }
            FetchItem::GmailMsgId(n) => {
                w.raw(b"X-GM-MSGID ");
                w.num(*n);
            }
            FetchItem::GmailThrId(n) => {
                w.raw(b"X-GM-THRID ");
                w.num(*n);
            }
            FetchItem::Unknown { name, value } => {
                if name.is_empty()
                    || !crate::wire::line::is_line_safe(name.as_bytes())
                    || value.contains(&0)
                {
                    return Err(Error::Emit(crate::error::Unemittable::Grammar {
                        rule: "msg-att",
                    }));
                }
                w.raw(name.as_bytes());
                w.sp();
                w.raw(value);
            }
        }
        Ok(())
    }

    fn nstring_item(w: &mut W<'_>, name: &[u8], s: &Option<IString<'_>>) -> Result<(), Error> {
        w.raw(name);
        w.sp();
        w.nstring(s)
    }
}

/// The FETCH visit: the public visitor ([`FetchVisitor`]) and the sinks the
/// grammar reports to while it validates a response.
pub(crate) mod visit {
    use crate::imap::base::body::sink::{AddressField, BodySink, ParamsOf, Quiet};
    use crate::imap::base::body::{Address, Envelope, MultiPart, SinglePart};
    use crate::imap::base::fetch::FetchItem;
    use crate::imap::syntax::core::{IString, NString};

    /// Receives what [`parse_response_with`](crate::imap::parse_response_with) reads from a FETCH response, in wire
    /// order, as it validates it. Every method has an empty default: implement
    /// the ones you need.
    ///
    /// The order, for one response:
    /// - inside ENVELOPE: one [`address`](Self::address) per address, then
    ///   [`envelope`](Self::envelope);
    /// - inside BODY or BODYSTRUCTURE, depth first: a multipart is
    ///   [`multipart_start`](Self::multipart_start), its parts, its
    ///   [`param`](Self::param)s, then [`multipart_end`](Self::multipart_end); a
    ///   single part is its `param`s, then [`part`](Self::part); a message/rfc822
    ///   part is [`message_start`](Self::message_start), its `param`s, the inner
    ///   envelope and body, then `part`;
    /// - [`item`](Self::item) after each data item, ENVELOPE and BODYSTRUCTURE
    ///   included, with the value [`parse_response`](crate::imap::parse_response)
    ///   would have listed (its nested lists still readable lazily).
    ///
    /// On an error the events of the bytes before it have been delivered; see the
    /// [module docs](crate::imap::parse::visit).
    pub trait FetchVisitor<'a> {
        /// One FETCH data item, after the events of its contents.
        fn item(&mut self, item: FetchItem<'a>) {
            let _ = item;
        }
        /// One address of an envelope's address list (group syntax included:
        /// a group start has no host, its end is all NIL).
        fn address(&mut self, field: AddressField, address: Address<'a>) {
            let _ = (field, address);
        }
        /// An envelope, after its addresses: the one of the message, or the one
        /// of a message/rfc822 part.
        fn envelope(&mut self, envelope: &Envelope<'a>) {
            let _ = envelope;
        }
        /// A multipart starts; its parts follow.
        fn multipart_start(&mut self) {}
        /// A multipart ends (its subtype and extension fields are here).
        fn multipart_end(&mut self, multipart: &MultiPart<'a>) {
            let _ = multipart;
        }
        /// A message/rfc822 (or message/global) part starts: its parameters, the
        /// inner envelope and body follow, then [`part`](Self::part) closes it.
        fn message_start(&mut self) {}
        /// One `name value` pair of a parameter list (the value is `None` only
        /// for Mail.ru's `NIL`, see [`Quirks::nil_param_value`](crate::imap::Quirks::nil_param_value)).
        fn param(&mut self, of: ParamsOf, name: IString<'a>, value: NString<'a>) {
            let _ = (of, name, value);
        }
        /// A single part, after its parameters (and, for a message part, after
        /// its envelope and body).
        fn part(&mut self, part: &SinglePart<'a>) {
            let _ = part;
        }
    }

    /// A visitor that ignores everything.
    impl<'a> FetchVisitor<'a> for () {}

    /// How the grammar reports a whole FETCH response: the body events
    /// ([`BodySink`]) and each data item.
    pub(crate) trait Sink<'a>: BodySink<'a> {
        fn item(&mut self, item: FetchItem<'a>);
    }

    impl<'a> Sink<'a> for Quiet {
        #[inline(always)]
        fn item(&mut self, _: FetchItem<'a>) {}
    }

    /// A user's visitor.
    pub(crate) struct Loud<'v, V>(pub(crate) &'v mut V);

    impl<'a, V: FetchVisitor<'a>> Sink<'a> for Loud<'_, V> {
        #[inline]
        fn item(&mut self, item: FetchItem<'a>) {
            self.0.item(item);
        }
    }

    impl<'a, V: FetchVisitor<'a>> BodySink<'a> for Loud<'_, V> {
        const ACTIVE: bool = true;
        #[inline]
        fn address(&mut self, field: AddressField, address: Address<'a>) {
            self.0.address(field, address);
        }
        #[inline]
        fn envelope(&mut self, envelope: &Envelope<'a>) {
            self.0.envelope(envelope);
        }
        #[inline]
        fn multipart_start(&mut self) {
            self.0.multipart_start();
        }
        #[inline]
        fn multipart_end(&mut self, multipart: &MultiPart<'a>) {
            self.0.multipart_end(multipart);
        }
        #[inline]
        fn message_start(&mut self) {
            self.0.message_start();
        }
        #[inline]
        fn param(&mut self, of: ParamsOf, name: IString<'a>, value: NString<'a>) {
            self.0.param(of, name, value);
        }
        #[inline]
        fn part(&mut self, part: &SinglePart<'a>) {
            self.0.part(part);
        }
    }
}
