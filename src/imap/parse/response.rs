//! Response rules (RFC 9051 §9 `response`, `greeting`, `continue-req`,
//! `resp-text-code`, `mailbox-data`, `message-data`, `msg-att`; RFC 3501 §9;
//! RFC 2342 NAMESPACE, RFC 2971 ID, RFC 4315 UIDPLUS, RFC 4731 ESEARCH,
//! RFC 5161 ENABLE, RFC 5256 SORT/THREAD, RFC 5258 LIST-EXTENDED, RFC 5464
//! METADATA, RFC 5530 codes, RFC 7162 CONDSTORE/QRESYNC, RFC 8474 OBJECTID,
//! RFC 9208 QUOTA). Each is a nom parser over `In`.
//!
//! ```
//! use mailwire::imap::{parse_greeting, parse_response, Code, ParseOptions, Response, StatusKind};
//!
//! // RFC 3501 §8: S: * OK IMAP4rev1 Service Ready
//! let greeting = parse_greeting(b"* OK IMAP4rev1 Service Ready\r\n", &ParseOptions::STRICT).unwrap();
//! assert_eq!((greeting.kind, greeting.text.as_bytes()), (StatusKind::Ok, &b"IMAP4rev1 Service Ready"[..]));
//! // S: a002 OK [READ-WRITE] SELECT completed
//! let Response::Status(done) = parse_response(b"a002 OK [READ-WRITE] SELECT completed\r\n", &ParseOptions::STRICT).unwrap()
//! else { panic!() };
//! assert_eq!((done.tag.unwrap().as_str(), done.code), ("a002", Some(Code::ReadWrite)));
//! // a tagged line is no greeting
//! assert!(parse_greeting(b"a002 OK done\r\n", &ParseOptions::STRICT).is_err());
//! ```

use crate::imap::base::capability::parse::capability_list;
use crate::imap::base::list::parse::*;
use crate::imap::base::namespace::parse::*;
use crate::imap::base::quota::parse::*;
use crate::imap::base::sort::parse::*;
use alloc::borrow::Cow;

use nom::Parser as _;
use nom::branch::alt;
use nom::combinator::{map, value};
use nom::sequence::{preceded, terminated};

use crate::Error;
use crate::Text;
use crate::imap::base::body::sink::Quiet;
use crate::imap::base::fetch::parse::msg_att;
use crate::imap::base::fetch::visit::Sink;
use crate::imap::base::status::parse::{KNOWN_STATUS_ITEMS, status_item};
use crate::imap::syntax::core::{Atom, IString, List, Sep};
use crate::imap::syntax::input::after_sp;
use crate::imap::syntax::input::{
    In, R, after_prefix, after_word, byte, crlf_end, eat, expect, kw, run, sp, space_before_close,
    take_while, trailing_space, word,
};
use crate::imap::syntax::options::ParseOptions;
use crate::imap::syntax::rules::paren_objectid;
use crate::imap::syntax::rules::{
    astring, atom, atom_str, flag, flag_list, flag_list_with, mailbox, number, number64, nz_number,
    paren_list, paren_list_tail, quoted, sequence_set, tag, text,
};
use crate::imap::types::response::{
    Code, Continue, Data, MetadataEntries, Response, StatusKind, StatusResponse,
};

/// Parses one complete response frame (a line with its literals, CRLF
/// included), as found by [`Framer`](crate::imap::frame::Framer).
///
/// ```
/// use mailwire::imap::{parse_response, ParseOptions, Response, Data};
/// let r = parse_response(b"* 23 EXISTS\r\n", &ParseOptions::default()).unwrap();
/// assert_eq!(r, Response::Data(Data::Exists(23)));
/// ```
pub fn parse_response<'a>(frame: &'a [u8], opts: &ParseOptions) -> Result<Response<'a>, Error> {
    run(frame, In::with(frame, opts), response)
}

/// Parses again a frame that [`parse_response`] accepted with the same
/// options (the client machine validates each frame once, then builds its
/// event from the same bytes): lists, envelopes and body structures are
/// skipped structurally and quoted strings are not checked again. On bytes
/// that were not validated the result is unspecified (an error or a wrong
/// value, never a panic).
pub(crate) fn parse_response_trusted<'a>(
    frame: &'a [u8],
    opts: &ParseOptions,
) -> Result<Response<'a>, Error> {
    let mut i = In::with(frame, opts);
    i.st.trusted = true;
    run(frame, i, response)
}

/// Parses the server greeting: `greeting = "*" SP (resp-cond-auth / resp-cond-bye) CRLF`.
///
/// ```
/// use mailwire::imap::{parse_greeting, Code, ParseOptions, StatusKind};
///
/// // RFC 9051 §7.1.4: S: * PREAUTH IMAP4rev2 server logged in as Smith
/// let greeting = parse_greeting(b"* PREAUTH IMAP4rev2 server logged in as Smith\r\n", &ParseOptions::STRICT).unwrap();
/// assert_eq!(greeting.kind, StatusKind::PreAuth);
/// let greeting = parse_greeting(b"* OK [CAPABILITY IMAP4rev2 IDLE] ready\r\n", &ParseOptions::STRICT).unwrap();
/// let Some(Code::Capability(caps)) = greeting.code else { panic!() };
/// assert_eq!(caps.len(), 2);
/// // "* NO" and data are no greeting
/// assert!(parse_greeting(b"* NO go away\r\n", &ParseOptions::STRICT).is_err());
/// assert!(parse_greeting(b"* 3 EXISTS\r\n", &ParseOptions::STRICT).is_err());
/// ```
pub fn parse_greeting<'a>(
    frame: &'a [u8],
    opts: &ParseOptions,
) -> Result<StatusResponse<'a>, Error> {
    run(frame, In::with(frame, opts), |i| match response(i)? {
        (rest, Response::Status(s))
            if s.tag.is_none()
                && matches!(
                    s.kind,
                    StatusKind::Ok | StatusKind::PreAuth | StatusKind::Bye
                ) =>
        {
            Ok((rest, s))
        }
        _ => i.err("greeting (* OK, * PREAUTH or * BYE)"),
    })
}

/// The tag of a frame that starts like a tagged response (`tag SP ...`),
/// even if the rest does not parse: a client machine still completes the
/// command that tag belongs to (as failed) when its completion is malformed.
///
/// ```
/// assert_eq!(mailwire::imap::response_tag(b"A7 OK [garbage\r\n").unwrap().as_str(), "A7");
/// assert_eq!(mailwire::imap::response_tag(b"* OK hi\r\n"), None);
/// ```
pub fn response_tag(frame: &[u8]) -> Option<crate::imap::syntax::core::Tag<'_>> {
    let i = In::with(frame, &ParseOptions::DEFAULT);
    if matches!(i.peek(), Some(b'*' | b'+')) {
        return None;
    }
    let (i, t) = tag(i).ok()?;
    (i.peek() == Some(b' ')).then_some(t)
}

/// `response = *(continue-req / response-data) response-done`, one at a time.
pub(crate) fn response(i: In<'_>) -> R<'_, Response<'_>> {
    response_v(i, &mut Quiet)
}

/// [`response`], reporting the contents of a FETCH response to a visitor.
pub(crate) fn response_v<'a, S: Sink<'a>>(i: In<'a>, s: &mut S) -> R<'a, Response<'a>> {
    let (i, r) = match i.peek() {
        Some(b'+') => map(continue_req, Response::Continue).parse(i)?,
        Some(b'*') => {
            let (i, ()) = sp(i.skip(1))?;
            untagged(i, s)?
        }
        _ => {
            // response-tagged = tag SP resp-cond-state CRLF
            let (i, t) = tag(i)?;
            let (i, ()) = sp(i)?;
            let (i, kind) = status_kind(i)?;
            if !matches!(kind, StatusKind::Ok | StatusKind::No | StatusKind::Bad) {
                return i.err("OK, NO or BAD in a tagged response");
            }
            let (i, (code, text)) = resp_text_after_kind(i)?;
            (
                i,
                Response::Status(StatusResponse {
                    tag: Some(t),
                    kind,
                    code,
                    text,
                }),
            )
        }
    };
    let (i, ()) = crlf_end(i)?;
    Ok((i, r))
}

/// `"OK" / "NO" / "BAD" / "PREAUTH" / "BYE"`
fn status_kind(i: In<'_>) -> R<'_, StatusKind> {
    expect(
        "OK, NO, BAD, PREAUTH or BYE",
        alt((
            value(StatusKind::Ok, word(b"OK")),
            value(StatusKind::No, word(b"NO")),
            value(StatusKind::Bad, word(b"BAD")),
            value(StatusKind::PreAuth, word(b"PREAUTH")),
            value(StatusKind::Bye, word(b"BYE")),
        )),
    )
    .parse(i)
}

#[inline]
fn at_line_end(i: &In<'_>) -> bool {
    matches!(i.peek(), Some(b'\r' | b'\n') | None)
}

/// `SP resp-text` after a status keyword; the SP and text may be missing
/// under [`Quirks::missing_text`](super::Quirks).
fn resp_text_after_kind<'a>(i: In<'a>) -> R<'a, (Option<Code<'a>>, Text<'a>)> {
    if at_line_end(&i) && i.q().missing_text {
        return Ok((i, (None, Text::borrowed(b""))));
    }
    preceded(sp, resp_text).parse(i)
}

/// `resp-text = ["[" resp-text-code "]" SP] [text]`
pub(crate) fn resp_text<'a>(i: In<'a>) -> R<'a, (Option<Code<'a>>, Text<'a>)> {
    let mut i = i;
    let mut code = None;
    if i.peek() == Some(b'[') {
        let (r, c) = bracketed_code(i.skip(1))?;
        code = Some(c);
        if r.peek() == Some(b' ') {
            i = r.skip(1);
        } else if at_line_end(&r) && r.q().missing_text {
            return Ok((r, (code, Text::borrowed(b""))));
        } else {
            return r.err("SP after response code");
        }
    }
    let (i, t) = text(i)?;
    if t.is_empty() && code.is_none() && !i.q().missing_text {
        return i.err("text");
    }
    Ok((i, (code, Text::borrowed(t))))
}

/// `resp-text-code "]"`; under [`Quirks::raw_response_code`](super::Quirks)
/// a code that does not parse is kept raw up to its `]`.
fn bracketed_code<'a>(i: In<'a>) -> R<'a, Code<'a>> {
    match terminated(resp_text_code, byte(b']', "']'")).parse(i) {
        Err(nom::Err::Error(e)) if i.q().raw_response_code => {
            raw_code(i).map_err(|_| nom::Err::Error(e))
        }
        r => r,
    }
}

/// A response code's name (an atom) and every byte after it up to `]`, kept
/// raw as [`Code::Other`]: `Error="..." Proxy=...` (Outlook365), `UIDNEXT x`.
/// The value keeps what followed the name, without the one separating SP;
/// the line must go on after the `]`.
fn raw_code<'a>(i: In<'a>) -> R<'a, Code<'a>> {
    let (i, name) = atom_str(i)?;
    let (i, _) = eat(b' ')(i)?;
    let (i, value) = take_while(i, |b| !matches!(b, b']' | b'\r' | b'\n' | 0));
    let (i, ()) = byte(b']', "']'")(i)?;
    Ok((
        i,
        Code::Other {
            name: Atom::borrowed_unchecked(name),
            value: (!value.is_empty()).then_some(Cow::Borrowed(value)),
        },
    ))
}

/// `charset = atom / quoted`
fn charset_elem(i: In<'_>) -> R<'_, IString<'_>> {
    if i.peek() == Some(b'"') {
        quoted(i)
    } else {
        astring(i)
    }
}

/// A code whose argument follows one SP.
#[inline]
fn arg<'a, T>(i: In<'a>, f: impl FnOnce(In<'a>) -> R<'a, T>) -> R<'a, T> {
    let (i, ()) = sp(i)?;
    f(i)
}

/// ```text
/// resp-text-code = "ALERT" / "BADCHARSET" [SP "(" charset *(SP charset) ")" ] /
///                  capability-data / "PARSE" / "PERMANENTFLAGS" SP "(" [flag-perm *(SP flag-perm)] ")" /
///                  "READ-ONLY" / "READ-WRITE" / "TRYCREATE" / "UIDNEXT" SP nz-number /
///                  "UIDVALIDITY" SP nz-number / "UNSEEN" SP nz-number / resp-code-apnd /
///                  resp-code-copy / "UIDNOTSTICKY" / "HIGHESTMODSEQ" SP mod-sequence-value /
///                  "NOMODSEQ" / "MODIFIED" SP sequence-set / "CLOSED" / ... /
///                  atom [SP 1*<any TEXT-CHAR except "]">]
/// ```
pub(crate) fn resp_text_code<'a>(i: In<'a>) -> R<'a, Code<'a>> {
    let start = i;
    let (i, name) = atom_str(i)?;
    let is = |s: &str| name.eq_ignore_ascii_case(s);
    let (i, code) = if is("ALERT") {
        (i, Code::Alert)
    } else if is("BADCHARSET") {
        if i.peek() == Some(b' ') && i.peek_at(1) == Some(b'(') {
            let (i, l) = paren_list_tail(i.skip(2), charset_elem, false)?;
            (i, Code::BadCharset(Some(l)))
        } else {
            (i, Code::BadCharset(None))
        }
    } else if is("CAPABILITY") {
        map(capability_list, Code::Capability).parse(i)?
    } else if is("PARSE") {
        (i, Code::Parse)
    } else if is("PERMANENTFLAGS") {
        let (i, l) = arg(i, |i| flag_list_with(i, flag))?;
        (i, Code::PermanentFlags(l))
    } else if is("READ-ONLY") {
        (i, Code::ReadOnly)
    } else if is("READ-WRITE") {
        (i, Code::ReadWrite)
    } else if is("TRYCREATE") {
        (i, Code::TryCreate)
    } else if is("UIDNEXT") {
        map(preceded(sp, number), Code::UidNext).parse(i)?
    } else if is("UIDVALIDITY") {
        map(preceded(sp, number), Code::UidValidity).parse(i)?
    } else if is("UNSEEN") {
        map(preceded(sp, number), Code::Unseen).parse(i)?
    } else if is("APPENDUID") {
        // resp-code-apnd = "APPENDUID" SP nz-number SP append-uid
        map(
            (sp, nz_number, sp, sequence_set),
            |(_, uid_validity, _, uids)| Code::AppendUid { uid_validity, uids },
        )
        .parse(i)?
    } else if is("COPYUID") {
        // resp-code-copy = "COPYUID" SP nz-number SP uid-set SP uid-set
        map(
            (sp, nz_number, sp, sequence_set, sp, sequence_set),
            |(_, uid_validity, _, source, _, destination)| Code::CopyUid {
                uid_validity,
                source,
                destination,
            },
        )
        .parse(i)?
    } else if is("UIDNOTSTICKY") {
        (i, Code::UidNotSticky)
    } else if is("HIGHESTMODSEQ") {
        map(preceded(sp, number64), Code::HighestModSeq).parse(i)?
    } else if is("NOMODSEQ") {
        (i, Code::NoModSeq)
    } else if is("MODIFIED") {
        map(preceded(sp, sequence_set), Code::Modified).parse(i)?
    } else if is("CLOSED") {
        (i, Code::Closed)
    } else if is("COMPRESSIONACTIVE") {
        (i, Code::CompressionActive)
    } else if is("UNKNOWN-CTE") {
        (i, Code::UnknownCte)
    } else if is("HASCHILDREN") {
        (i, Code::HasChildren)
    } else if is("UNAVAILABLE") {
        (i, Code::Unavailable)
    } else if is("AUTHENTICATIONFAILED") {
        (i, Code::AuthenticationFailed)
    } else if is("AUTHORIZATIONFAILED") {
        (i, Code::AuthorizationFailed)
    } else if is("EXPIRED") {
        (i, Code::Expired)
    } else if is("PRIVACYREQUIRED") {
        (i, Code::PrivacyRequired)
    } else if is("CONTACTADMIN") {
        (i, Code::ContactAdmin)
    } else if is("NOPERM") {
        (i, Code::NoPerm)
    } else if is("INUSE") {
        (i, Code::InUse)
    } else if is("EXPUNGEISSUED") {
        (i, Code::ExpungeIssued)
    } else if is("CORRUPTION") {
        (i, Code::Corruption)
    } else if is("SERVERBUG") {
        (i, Code::ServerBug)
    } else if is("CLIENTBUG") {
        (i, Code::ClientBug)
    } else if is("CANNOT") {
        (i, Code::Cannot)
    } else if is("LIMIT") {
        (i, Code::Limit)
    } else if is("OVERQUOTA") {
        (i, Code::OverQuota)
    } else if is("ALREADYEXISTS") {
        (i, Code::AlreadyExists)
    } else if is("NONEXISTENT") {
        (i, Code::NonExistent)
    } else if is("MAILBOXID") {
        // resp-text-code =/ "MAILBOXID" SP "(" objectid ")"   (RFC 8474 §7)
        map(preceded(sp, paren_objectid), Code::MailboxId).parse(i)?
    } else {
        match crate::imap::registry::parse_code(i, name) {
            Ok((i, Some(c))) => (i, c),
            _ => return other_code(start, name),
        }
    };
    if i.peek() != Some(b']') {
        // a known name with unexpected arguments: keep it raw
        return other_code(start, name);
    }
    Ok((i, code))
}

/// `atom [SP 1*<any TEXT-CHAR except "]">]`: a code kept raw, from its name
/// at `start`.
fn other_code<'a>(start: In<'a>, name: &'a str) -> R<'a, Code<'a>> {
    let i = start.skip(name.len());
    let (i, value) = if i.peek() == Some(b' ') {
        let (i, v) = take_while(i.skip(1), |b| !matches!(b, b']' | b'\r' | b'\n' | 0));
        (i, Some(Cow::Borrowed(v)))
    } else {
        (i, None)
    };
    Ok((
        i,
        Code::Other {
            name: Atom::borrowed_unchecked(name),
            value,
        },
    ))
}

fn is_base64(t: &[u8]) -> bool {
    !t.is_empty()
        && t.len() % 4 == 0
        && t.iter().enumerate().all(|(i, &b)| {
            b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || (b == b'=' && i + 2 >= t.len())
        })
}

/// `continue-req = "+" SP (resp-text / base64) CRLF`
fn continue_req<'a>(i: In<'a>) -> R<'a, Continue<'a>> {
    let (i, ()) = byte(b'+', "'+'")(i)?;
    if i.peek() != Some(b' ') {
        if at_line_end(&i) && i.q().empty_continuation {
            return Ok((i, Continue::Base64(Cow::Borrowed(b""))));
        }
        return i.err("SP after '+'");
    }
    let i = i.skip(1);
    if i.peek() == Some(b'[') {
        return map(resp_text, |(code, text)| Continue::Text { code, text }).parse(i);
    }
    let (i, t) = text(i)?;
    if t.is_empty() || is_base64(t) {
        Ok((i, Continue::Base64(Cow::Borrowed(t))))
    } else {
        Ok((
            i,
            Continue::Text {
                code: None,
                text: Text::borrowed(t),
            },
        ))
    }
}

/// A SEARCH or SORT result: `nz-number` (0 tolerated).
fn nz_or_zero(i: In<'_>) -> R<'_, u32> {
    number(i)
}

/// `*(SP nz-number) [SP "(" "MODSEQ" SP mod-sequence-value ")"]` (SEARCH, SORT)
fn numbers_modseq<'a>(i: In<'a>) -> R<'a, (List<'a, u32>, Option<u64>)> {
    let start = i;
    let mut i = i;
    let mut end = i;
    let mut modseq = None;
    while i.peek() == Some(b' ') {
        match i.peek_at(1) {
            Some(b'0'..=b'9') => {
                (i, _) = nz_or_zero(i.skip(1))?;
                end = i;
            }
            Some(b'(') => {
                let (r, (_, _, n, _)) =
                    (kw(b"MODSEQ"), sp, number64, byte(b')', "')'")).parse(i.skip(2))?;
                modseq = Some(n);
                i = r;
                break;
            }
            _ if i.q().trailing_space => {
                i = trailing_space(i);
                break;
            }
            _ => return i.skip(1).err("nz-number"),
        }
    }
    let raw = after_sp(&start, &end);
    Ok((
        i,
        (List::wire(raw, nz_or_zero, Sep::Space, i.ctx()), modseq),
    ))
}

/// ```text
/// response-data = "*" SP (resp-cond-state / resp-cond-bye / mailbox-data / message-data /
///                 capability-data / enable-data) CRLF
/// message-data  = nz-number SP ("EXPUNGE" / ("FETCH" SP msg-att))
/// mailbox-data  = "FLAGS" SP flag-list / "LIST" SP mailbox-list / "ESEARCH" ... /
///                 "STATUS" SP mailbox SP "(" [status-att-list] ")" / number SP "EXISTS" / ...
/// ```
fn untagged<'a, S: Sink<'a>>(i: In<'a>, s: &mut S) -> R<'a, Response<'a>> {
    let start = i;
    if matches!(i.peek(), Some(b'0'..=b'9')) {
        let (after_n, n) = number(i)?;
        let (i, ()) = sp(after_n)?;
        let (i, d) = if let Some(i) = after_word(&i, b"EXISTS") {
            (i, Data::Exists(n))
        } else if let Some(i) = after_word(&i, b"RECENT") {
            (i, Data::Recent(n))
        } else if let Some(i) = after_word(&i, b"EXPUNGE") {
            (i, Data::Expunge(n))
        } else if let Some(i) = after_word(&i, b"FETCH") {
            let (i, ()) = sp(i)?;
            let (i, items) = msg_att(i, s)?;
            (i, Data::Fetch { seq: n, items })
        } else if let Some(i) = after_word(&i, b"UIDFETCH") {
            // uidfetch-resp = uniqueid SP "UIDFETCH" SP msg-att (RFC 9586);
            // a UID names one message: one out of range is refused even
            // under the numbers_out_of_range quirk, never read as another
            if crate::imap::syntax::core::parse_nz_u32(start.upto(&after_n)).is_none() {
                return i.err("uniqueid (nz-number)");
            }
            let (i, ()) = sp(i)?;
            let (i, items) = msg_att(i, s)?;
            (i, Data::UidFetch { uid: n, items })
        } else {
            return other(start);
        };
        return Ok((i, Response::Data(d)));
    }
    if let Ok((i, kind)) = status_kind(i) {
        let (i, (code, text)) = resp_text_after_kind(i)?;
        return Ok((
            i,
            Response::Status(StatusResponse {
                tag: None,
                kind,
                code,
                text,
            }),
        ));
    }
    let (i, d) = if let Some(i) = after_word(&i, b"CAPABILITY") {
        let (i, l) = capability_list(i)?;
        (trailing_space(i), Data::Capability(l))
    } else if let Some(i) = after_word(&i, b"ENABLED") {
        let (i, l) = capability_list(i)?;
        (trailing_space(i), Data::Enabled(l))
    } else if let Some(i) = after_word(&i, b"LIST") {
        map(preceded(sp, mailbox_list), Data::List).parse(i)?
    } else if let Some(i) = after_word(&i, b"LSUB") {
        map(preceded(sp, mailbox_list), Data::Lsub).parse(i)?
    } else if let Some(i) = after_word(&i, b"XLIST") {
        map(preceded(sp, mailbox_list), Data::Xlist).parse(i)?
    } else if let Some(i) = after_word(&i, b"NAMESPACE") {
        // namespace-response = "NAMESPACE" SP namespace SP namespace SP namespace
        let (i, (_, personal, _, other, _, shared)) =
            (sp, namespace, sp, namespace, sp, namespace).parse(i)?;
        (
            i,
            Data::Namespace {
                personal,
                other,
                shared,
            },
        )
    } else if let Some(i) = after_word(&i, b"STATUS") {
        let (i, (_, mailbox, _)) = (sp, mailbox, sp).parse(i)?;
        let (mut i, ()) = byte(b'(', "'(' of status-att-list")(i)?;
        let s = i;
        let mut e = i;
        if i.peek() == Some(b')') {
            if !i.q().empty_status {
                return i.err("status-att-val");
            }
        } else {
            loop {
                match status_item(i) {
                    Ok((r, _)) if matches!(r.peek(), Some(b' ' | b')')) => i = r,
                    read => {
                        let err = match read {
                            Ok((r, _)) => r.err("SP"),
                            Err(err) => Err(err),
                        };
                        // An item this crate does not know whose value is not a
                        // number (Dovecot's `X-GUID 5033c535...`) has no typed
                        // form: under `unknown_items` the response is kept raw.
                        let known = atom(i).is_ok_and(|(_, n)| {
                            KNOWN_STATUS_ITEMS.iter().any(|k| n.eq_ignore_case(k))
                        });
                        if i.q().unknown_items && !known {
                            return other(start);
                        }
                        return err;
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
        let (i, ()) = byte(b')', "')'")(i)?;
        let i = trailing_space(i);
        (
            i,
            Data::Status {
                mailbox,
                items: List::wire(s.upto(&e), status_item, Sep::Space, i.ctx()),
            },
        )
    } else if let Some(i) = after_word(&i, b"SEARCH") {
        let (i, (ids, modseq)) = numbers_modseq(i)?;
        (i, Data::Search { ids, modseq })
    } else if let Some(i) = after_word(&i, b"ESEARCH") {
        map(crate::imap::ext::esearch::parse::esearch, Data::ESearch).parse(i)?
    } else if let Some(i) = after_word(&i, b"FLAGS") {
        let (i, f) = preceded(sp, flag_list).parse(i)?;
        (trailing_space(i), Data::Flags(f))
    } else if let Some(i) = after_word(&i, b"VANISHED") {
        // expunged-resp = "VANISHED" [SP "(EARLIER)"] SP known-uids
        let (i, ()) = sp(i)?;
        let (i, earlier) = match after_prefix(&i, b"(EARLIER)") {
            Some(r) => (sp(r)?.0, true),
            None => (i, false),
        };
        // RFC 7162 §7: known-uids = sequence-set, "*" is not allowed
        let (i, uids) = crate::imap::base::select::parse::known_set(i)?;
        (i, Data::Vanished { earlier, uids })
    } else if let Some(i) = after_word(&i, b"ID") {
        let (i, l) =
            preceded(sp, |i| crate::imap::ext::id::parse::id_params_list(i, true)).parse(i)?;
        (trailing_space(i), Data::Id(l))
    } else if let Some(i) = after_word(&i, b"QUOTAROOT") {
        // quotaroot-response = "QUOTAROOT" SP mailbox *(SP quota-root-name)
        let (i, mailbox) = preceded(sp, mailbox).parse(i)?;
        let start = i;
        let mut i = i;
        let mut end = i;
        while i.peek() == Some(b' ') {
            if i.q().trailing_space && matches!(i.peek_at(1), Some(b'\r' | b'\n')) {
                i = i.skip(1);
                break;
            }
            (i, _) = astring(i.skip(1))?;
            end = i;
        }
        (
            i,
            Data::QuotaRoot {
                mailbox,
                roots: List::wire(after_sp(&start, &end), astring, Sep::Space, i.ctx()),
            },
        )
    } else if let Some(i) = after_word(&i, b"QUOTA") {
        // quota-response = "QUOTA" SP quota-root-name SP quota-list
        let (i, (_, root, _)) = (sp, astring, sp).parse(i)?;
        let (i, resources) = paren_list(i, quota_resource, true)?;
        (i, Data::Quota { root, resources })
    } else if let Some(i) = after_word(&i, b"METADATA") {
        let (i, (_, mailbox, _)) = (sp, mailbox, sp).parse(i)?;
        let (i, entries) = if i.peek() == Some(b'(') {
            map(
                |i| paren_list_tail(i, crate::imap::ext::metadata::parse::entry_value, false),
                MetadataEntries::Values,
            )
            .parse(i.skip(1))?
        } else {
            let s = i;
            let (mut i, _) = astring(i)?;
            while i.peek() == Some(b' ') {
                (i, _) = astring(i.skip(1))?;
            }
            (
                i,
                MetadataEntries::Names(List::wire(s.upto(&i), astring, Sep::Space, i.ctx())),
            )
        };
        (i, Data::Metadata { mailbox, entries })
    } else if let Some(i) = after_word(&i, b"SORT") {
        let (i, (ids, modseq)) = numbers_modseq(i)?;
        (i, Data::Sort { ids, modseq })
    } else if let Some(i) = after_word(&i, b"THREAD") {
        // thread-data = "THREAD" [SP 1*thread-list]
        let ctx = i.ctx();
        let mut i = i;
        let mut s = i;
        if i.peek() == Some(b' ') {
            i = i.skip(1);
            s = i;
            while i.peek() == Some(b'(') {
                (i, _) = thread(i)?;
            }
        }
        let i = trailing_space(i);
        let raw = s.upto(&i);
        let raw = raw.strip_suffix(b" ").unwrap_or(raw);
        (i, Data::Thread(List::wire(raw, thread, Sep::None, ctx)))
    } else {
        match crate::imap::registry::parse_data(i)? {
            (i, Some(d)) => (i, d),
            (_, None) => return other(start),
        }
    };
    Ok((i, Response::Data(d)))
}

/// An untagged response this crate does not know, kept raw when allowed.
fn other<'a>(start: In<'a>) -> R<'a, Response<'a>> {
    if !start.q().unknown_items {
        return start.err("known untagged response");
    }
    let mut i = start;
    if matches!(i.peek(), Some(b'0'..=b'9')) {
        (i, _) = number(i)?;
        (i, ()) = sp(i)?;
    }
    let (i, _) = atom_str(i)?;
    let name = core::str::from_utf8(start.upto(&i)).unwrap_or("");
    let (i, _) = eat(b' ')(i)?;
    // the rest of the message up to the final CRLF (literals included)
    let body = i.rest;
    let body = body
        .strip_suffix(b"\r\n")
        .or_else(|| {
            if i.q().bare_lf {
                body.strip_suffix(b"\n")
            } else {
                None
            }
        })
        .unwrap_or(body);
    Ok((
        i.skip(body.len()),
        Response::Data(Data::Other {
            name: Cow::Borrowed(name),
            rest: Cow::Borrowed(body),
        }),
    ))
}
