//! Response rules (RFC 9051 §9 `response`, `greeting`, `continue-req`,
//! `resp-text-code`, `mailbox-data`, `message-data`, `msg-att`; RFC 3501 §9;
//! RFC 2342 NAMESPACE, RFC 2971 ID, RFC 4315 UIDPLUS, RFC 4731 ESEARCH,
//! RFC 5161 ENABLE, RFC 5256 SORT/THREAD, RFC 5258 LIST-EXTENDED, RFC 5464
//! METADATA, RFC 5530 codes, RFC 7162 CONDSTORE/QRESYNC, RFC 8474 OBJECTID,
//! RFC 9208 QUOTA).

use alloc::borrow::Cow;

use super::body::{body_v, envelope_v};
use super::legacy::{
    astring, atom, atom_str, date_time, flag, flag_list, flag_list_with, mailbox, nil, nstring,
    number, number64, nz_number, paren_list, paren_list_tail, quoted, sequence_set, skip_value,
    string, tag, text,
};
use super::visit::{Quiet, Sink};
use super::{PResult, ParseOptions, Parser, finish};
use crate::Error;
use crate::Text;
use crate::imap::types::core::{Atom, IString, List, Sep, class};
use crate::imap::types::response::{
    Code, Continue, Data, ESearch, FetchItem, ListExtendedItem, MailboxAttribute, MailboxList,
    MetadataEntries, Namespace, Part, QuotaResource, Response, SearchReturnData, Section,
    SectionText, StatusItem, StatusKind, StatusResponse, Thread,
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
    let mut p = Parser::with(frame, opts);
    let r = response(&mut p);
    finish(frame, r)
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
    let mut p = Parser::with(frame, opts);
    p.trusted = true;
    let r = response(&mut p);
    finish(frame, r)
}

/// Parses the server greeting: `greeting = "*" SP (resp-cond-auth / resp-cond-bye) CRLF`.
pub fn parse_greeting<'a>(
    frame: &'a [u8],
    opts: &ParseOptions,
) -> Result<StatusResponse<'a>, Error> {
    let mut p = Parser::with(frame, opts);
    let r = (|| {
        let r = response(&mut p)?;
        match r {
            Response::Status(s)
                if s.tag.is_none()
                    && matches!(
                        s.kind,
                        StatusKind::Ok | StatusKind::PreAuth | StatusKind::Bye
                    ) =>
            {
                Ok(s)
            }
            _ => {
                p.pos = 0;
                p.err("greeting (* OK, * PREAUTH or * BYE)")
            }
        }
    })();
    finish(frame, r)
}

/// The tag of a frame that starts like a tagged response (`tag SP ...`),
/// even if the rest does not parse: a client machine still completes the
/// command that tag belongs to (as failed) when its completion is malformed.
///
/// ```
/// assert_eq!(mailwire::imap::response_tag(b"A7 OK [garbage\r\n").unwrap().as_str(), "A7");
/// assert_eq!(mailwire::imap::response_tag(b"* OK hi\r\n"), None);
/// ```
pub fn response_tag(frame: &[u8]) -> Option<crate::imap::types::core::Tag<'_>> {
    let mut p = Parser::with(frame, &ParseOptions::DEFAULT);
    if matches!(p.peek(), Some(b'*' | b'+')) {
        return None;
    }
    let t = tag(&mut p).ok()?;
    p.eat(b' ').then_some(t)
}

/// `response = *(continue-req / response-data) response-done`, one at a time.
pub(crate) fn response<'a>(p: &mut Parser<'a>) -> PResult<Response<'a>> {
    response_v(p, &mut Quiet)
}

/// [`response`], reporting the contents of a FETCH response to a visitor.
pub(crate) fn response_v<'a, S: Sink<'a>>(p: &mut Parser<'a>, s: &mut S) -> PResult<Response<'a>> {
    let r = match p.peek() {
        Some(b'+') => Response::Continue(continue_req(p)?),
        Some(b'*') => {
            p.pos += 1;
            p.sp()?;
            untagged(p, s)?
        }
        _ => {
            let t = tag(p)?;
            p.sp()?;
            let kind = status_kind(p)?;
            if !matches!(kind, StatusKind::Ok | StatusKind::No | StatusKind::Bad) {
                return p.err("OK, NO or BAD in a tagged response");
            }
            let (code, text) = resp_text_after_kind(p)?;
            Response::Status(StatusResponse {
                tag: Some(t),
                kind,
                code,
                text,
            })
        }
    };
    p.crlf_end()?;
    Ok(r)
}

fn status_kind(p: &mut Parser<'_>) -> PResult<StatusKind> {
    if p.word(b"OK") {
        Ok(StatusKind::Ok)
    } else if p.word(b"NO") {
        Ok(StatusKind::No)
    } else if p.word(b"BAD") {
        Ok(StatusKind::Bad)
    } else if p.word(b"PREAUTH") {
        Ok(StatusKind::PreAuth)
    } else if p.word(b"BYE") {
        Ok(StatusKind::Bye)
    } else {
        p.err("OK, NO, BAD, PREAUTH or BYE")
    }
}

fn at_line_end(p: &Parser<'_>) -> bool {
    matches!(p.peek(), Some(b'\r' | b'\n') | None)
}

/// `SP resp-text` after a status keyword; the SP and text may be missing
/// under [`Quirks::missing_text`](super::Quirks).
fn resp_text_after_kind<'a>(p: &mut Parser<'a>) -> PResult<(Option<Code<'a>>, Text<'a>)> {
    if at_line_end(p) && p.q.missing_text {
        return Ok((None, Text::borrowed(b"")));
    }
    p.sp()?;
    resp_text(p)
}

/// `resp-text = ["[" resp-text-code "]" SP] [text]`
pub(crate) fn resp_text<'a>(p: &mut Parser<'a>) -> PResult<(Option<Code<'a>>, Text<'a>)> {
    let mut code = None;
    if p.peek() == Some(b'[') {
        p.pos += 1;
        code = Some(resp_text_code(p)?);
        p.expect(b']', "']'")?;
        if !p.eat(b' ') {
            if at_line_end(p) && p.q.missing_text {
                return Ok((code, Text::borrowed(b"")));
            }
            return p.err("SP after response code");
        }
    }
    let t = text(p)?;
    if t.is_empty() && code.is_none() && !p.q.missing_text {
        return p.err("text");
    }
    Ok((code, Text::borrowed(t)))
}

fn charset_elem<'a>(p: &mut Parser<'a>) -> PResult<IString<'a>> {
    if p.peek() == Some(b'"') {
        quoted(p)
    } else {
        astring(p)
    }
}

/// `*(SP capability)` up to `]` or CRLF, trailing space tolerated.
/// `capability = ("AUTH=" auth-type) / atom`
fn capability_list<'a>(p: &mut Parser<'a>) -> PResult<List<'a, Atom<'a>>> {
    let start = p.pos + 1;
    let mut end = p.pos;
    while p.peek() == Some(b' ') {
        if p.q.trailing_space && matches!(p.peek_at(1), Some(b'\r' | b'\n' | b']')) {
            p.pos += 1;
            break;
        }
        p.pos += 1;
        atom(p)?;
        end = p.pos;
    }
    let raw = p.input.get(start..end).unwrap_or_default();
    Ok(List::wire(raw, atom, Sep::Space, p.ctx()))
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
pub(crate) fn resp_text_code<'a>(p: &mut Parser<'a>) -> PResult<Code<'a>> {
    let start = p.pos;
    let name = atom_str(p)?;
    let is = |s: &str| name.eq_ignore_ascii_case(s);
    let code = if is("ALERT") {
        Code::Alert
    } else if is("BADCHARSET") {
        if p.peek() == Some(b' ') && p.peek_at(1) == Some(b'(') {
            p.pos += 2;
            Code::BadCharset(Some(paren_list_tail(p, charset_elem, false)?))
        } else {
            Code::BadCharset(None)
        }
    } else if is("CAPABILITY") {
        Code::Capability(capability_list(p)?)
    } else if is("PARSE") {
        Code::Parse
    } else if is("PERMANENTFLAGS") {
        p.sp()?;
        Code::PermanentFlags(flag_list_with(p, flag)?)
    } else if is("READ-ONLY") {
        Code::ReadOnly
    } else if is("READ-WRITE") {
        Code::ReadWrite
    } else if is("TRYCREATE") {
        Code::TryCreate
    } else if is("UIDNEXT") {
        p.sp()?;
        Code::UidNext(number(p)?)
    } else if is("UIDVALIDITY") {
        p.sp()?;
        Code::UidValidity(number(p)?)
    } else if is("UNSEEN") {
        p.sp()?;
        Code::Unseen(number(p)?)
    } else if is("APPENDUID") {
        // resp-code-apnd = "APPENDUID" SP nz-number SP append-uid
        p.sp()?;
        let uid_validity = nz_number(p)?;
        p.sp()?;
        Code::AppendUid {
            uid_validity,
            uids: sequence_set(p)?,
        }
    } else if is("COPYUID") {
        // resp-code-copy = "COPYUID" SP nz-number SP uid-set SP uid-set
        p.sp()?;
        let uid_validity = nz_number(p)?;
        p.sp()?;
        let source = sequence_set(p)?;
        p.sp()?;
        Code::CopyUid {
            uid_validity,
            source,
            destination: sequence_set(p)?,
        }
    } else if is("UIDNOTSTICKY") {
        Code::UidNotSticky
    } else if is("HIGHESTMODSEQ") {
        p.sp()?;
        Code::HighestModSeq(number64(p)?)
    } else if is("NOMODSEQ") {
        Code::NoModSeq
    } else if is("MODIFIED") {
        p.sp()?;
        Code::Modified(sequence_set(p)?)
    } else if is("CLOSED") {
        Code::Closed
    } else if is("COMPRESSIONACTIVE") {
        Code::CompressionActive
    } else if is("UNKNOWN-CTE") {
        Code::UnknownCte
    } else if is("HASCHILDREN") {
        Code::HasChildren
    } else if is("UNAVAILABLE") {
        Code::Unavailable
    } else if is("AUTHENTICATIONFAILED") {
        Code::AuthenticationFailed
    } else if is("AUTHORIZATIONFAILED") {
        Code::AuthorizationFailed
    } else if is("EXPIRED") {
        Code::Expired
    } else if is("PRIVACYREQUIRED") {
        Code::PrivacyRequired
    } else if is("CONTACTADMIN") {
        Code::ContactAdmin
    } else if is("NOPERM") {
        Code::NoPerm
    } else if is("INUSE") {
        Code::InUse
    } else if is("EXPUNGEISSUED") {
        Code::ExpungeIssued
    } else if is("CORRUPTION") {
        Code::Corruption
    } else if is("SERVERBUG") {
        Code::ServerBug
    } else if is("CLIENTBUG") {
        Code::ClientBug
    } else if is("CANNOT") {
        Code::Cannot
    } else if is("LIMIT") {
        Code::Limit
    } else if is("OVERQUOTA") {
        Code::OverQuota
    } else if is("ALREADYEXISTS") {
        Code::AlreadyExists
    } else if is("NONEXISTENT") {
        Code::NonExistent
    } else if let Some(c) = super::ext::code(p, name) {
        c
    } else {
        return other_code(p, start, name);
    };
    if p.peek() != Some(b']') {
        // a known name with unexpected arguments: keep it raw
        return other_code(p, start, name);
    }
    Ok(code)
}

fn other_code<'a>(p: &mut Parser<'a>, start: usize, name: &'a str) -> PResult<Code<'a>> {
    p.pos = start + name.len();
    let value = if p.eat(b' ') {
        let v = p.take_while(|b| !matches!(b, b']' | b'\r' | b'\n' | 0));
        Some(Cow::Borrowed(v))
    } else {
        None
    };
    Ok(Code::Other {
        name: Atom::borrowed_unchecked(name),
        value,
    })
}

fn is_base64(t: &[u8]) -> bool {
    !t.is_empty()
        && t.len() % 4 == 0
        && t.iter().enumerate().all(|(i, &b)| {
            b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || (b == b'=' && i + 2 >= t.len())
        })
}

/// `continue-req = "+" SP (resp-text / base64) CRLF`
fn continue_req<'a>(p: &mut Parser<'a>) -> PResult<Continue<'a>> {
    p.expect(b'+', "'+'")?;
    if !p.eat(b' ') {
        if at_line_end(p) && p.q.empty_continuation {
            return Ok(Continue::Base64(Cow::Borrowed(b"")));
        }
        return p.err("SP after '+'");
    }
    if p.peek() == Some(b'[') {
        let (code, text) = resp_text(p)?;
        return Ok(Continue::Text { code, text });
    }
    let t = text(p)?;
    if t.is_empty() || is_base64(t) {
        Ok(Continue::Base64(Cow::Borrowed(t)))
    } else {
        Ok(Continue::Text {
            code: None,
            text: Text::borrowed(t),
        })
    }
}

/// `mbx-list-flags` element: `"\" atom` (or an atom from sloppy servers).
fn mailbox_attribute<'a>(p: &mut Parser<'a>) -> PResult<MailboxAttribute<'a>> {
    let (raw, _) = p.recognize(|p| {
        p.eat(b'\\');
        atom(p)
    })?;
    match core::str::from_utf8(raw) {
        Ok(s) => Ok(MailboxAttribute(Cow::Borrowed(s))),
        Err(_) => p.err("mailbox attribute"),
    }
}

/// `DQUOTE QUOTED-CHAR DQUOTE / nil` (hierarchy delimiter)
fn delimiter(p: &mut Parser<'_>) -> PResult<Option<char>> {
    if nil(p) {
        return Ok(None);
    }
    let start = p.pos;
    let q = quoted(p)?;
    let s = q.as_str().unwrap_or("");
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Ok(Some(c)),
        _ => {
            p.pos = start;
            p.err("one-character delimiter")
        }
    }
}

fn list_ext_item<'a>(p: &mut Parser<'a>) -> PResult<ListExtendedItem<'a>> {
    // mbox-list-extended-item = mbox-list-extended-item-tag SP tagged-ext-val
    let tag = astring(p)?;
    p.sp()?;
    let value = skip_value(p)?;
    Ok(ListExtendedItem {
        tag,
        value: Cow::Borrowed(value),
    })
}

/// `mailbox-list = "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil) SP mailbox [SP mbox-list-extended]`
fn mailbox_list<'a>(p: &mut Parser<'a>) -> PResult<MailboxList<'a>> {
    p.expect(b'(', "'(' of mbx-list-flags")?;
    let s = p.pos;
    let mut e = p.pos;
    if p.peek() != Some(b')') {
        loop {
            mailbox_attribute(p)?;
            e = p.pos;
            p.space_before_close(p.q.flag_list_space);
            if p.peek() == Some(b')') {
                break;
            }
            p.sp()?;
        }
    }
    p.expect(b')', "')'")?;
    let attributes = List::wire(&p.input[s..e], mailbox_attribute, Sep::Space, p.ctx());
    p.sp()?;
    let delimiter = delimiter(p)?;
    p.sp()?;
    let mailbox = mailbox(p)?;
    let mut extended = List::wire(&p.input[0..0], list_ext_item, Sep::Space, p.ctx());
    if p.peek() == Some(b' ') && p.peek_at(1) == Some(b'(') {
        // mbox-list-extended = "(" [mbox-list-extended-item *(SP mbox-list-extended-item)] ")"
        p.pos += 2;
        let s = p.pos;
        if p.peek() != Some(b')') {
            loop {
                list_ext_item(p)?;
                if p.peek() == Some(b')') {
                    break;
                }
                p.sp()?;
            }
        }
        extended = List::wire(&p.input[s..p.pos], list_ext_item, Sep::Space, p.ctx());
        p.pos += 1;
    }
    Ok(MailboxList {
        attributes,
        delimiter,
        mailbox,
        extended,
    })
}

fn namespace_descr<'a>(p: &mut Parser<'a>) -> PResult<Namespace<'a>> {
    p.expect(b'(', "'(' of namespace-descr")?;
    let prefix = string(p)?;
    p.sp()?;
    let delimiter = delimiter(p)?;
    let mut extensions = None;
    if p.peek() == Some(b' ') {
        // namespace-response-extensions = *(SP string SP "(" string *(SP string) ")")
        let s = p.pos;
        while p.eat(b' ') {
            string(p)?;
            p.sp()?;
            skip_value(p)?;
        }
        extensions = Some(Cow::Borrowed(&p.input[s..p.pos]));
    }
    p.expect(b')', "')' of namespace-descr")?;
    Ok(Namespace {
        prefix,
        delimiter,
        extensions,
    })
}

/// `namespace = nil / "(" 1*namespace-descr ")"`
fn namespace<'a>(p: &mut Parser<'a>) -> PResult<Option<List<'a, Namespace<'a>>>> {
    if nil(p) {
        return Ok(None);
    }
    p.expect(b'(', "'(' of namespace or NIL")?;
    let s = p.pos;
    loop {
        namespace_descr(p)?;
        p.skip_spaces();
        if p.peek() != Some(b'(') {
            break;
        }
    }
    let raw = &p.input[s..p.pos];
    p.expect(b')', "')' of namespace")?;
    Ok(Some(List::wire(raw, namespace_descr, Sep::None, p.ctx())))
}

/// The `status-att` names [`status_item`] reads as typed values.
const KNOWN_STATUS_ITEMS: [&str; 10] = [
    "MESSAGES",
    "RECENT",
    "UIDNEXT",
    "UIDVALIDITY",
    "UNSEEN",
    "DELETED",
    "SIZE",
    "HIGHESTMODSEQ",
    "APPENDLIMIT",
    "DELETED-STORAGE",
];

/// `status-att-val`
fn status_item<'a>(p: &mut Parser<'a>) -> PResult<StatusItem<'a>> {
    let name = atom(p)?;
    p.sp()?;
    let n = name.as_str();
    let is = |s: &str| n.eq_ignore_ascii_case(s);
    Ok(if is("MESSAGES") {
        StatusItem::Messages(number(p)?)
    } else if is("RECENT") {
        StatusItem::Recent(number(p)?)
    } else if is("UIDNEXT") {
        StatusItem::UidNext(number(p)?)
    } else if is("UIDVALIDITY") {
        StatusItem::UidValidity(number(p)?)
    } else if is("UNSEEN") {
        StatusItem::Unseen(number(p)?)
    } else if is("DELETED") {
        StatusItem::Deleted(number(p)?)
    } else if is("SIZE") {
        StatusItem::Size(number64(p)?)
    } else if is("HIGHESTMODSEQ") {
        StatusItem::HighestModSeq(number64(p)?)
    } else if is("APPENDLIMIT") {
        StatusItem::AppendLimit(if nil(p) { None } else { Some(number64(p)?) })
    } else if is("DELETED-STORAGE") {
        StatusItem::DeletedStorage(number64(p)?)
    } else {
        StatusItem::Other(name, number64(p)?)
    })
}

fn nz_or_zero(p: &mut Parser<'_>) -> PResult<u32> {
    number(p)
}

/// `*(SP nz-number) [SP "(" "MODSEQ" SP mod-sequence-value ")"]` (SEARCH, SORT)
fn numbers_modseq<'a>(p: &mut Parser<'a>) -> PResult<(List<'a, u32>, Option<u64>)> {
    let s = p.pos + 1;
    let mut e = p.pos;
    let mut modseq = None;
    while p.peek() == Some(b' ') {
        match p.peek_at(1) {
            Some(b'0'..=b'9') => {
                p.pos += 1;
                nz_or_zero(p)?;
                e = p.pos;
            }
            Some(b'(') => {
                p.pos += 2;
                if !p.keyword(b"MODSEQ") {
                    return p.err("MODSEQ");
                }
                p.sp()?;
                modseq = Some(number64(p)?);
                p.expect(b')', "')'")?;
                break;
            }
            _ if p.q.trailing_space => {
                p.trailing_space();
                break;
            }
            _ => {
                p.pos += 1;
                return p.err("nz-number");
            }
        }
    }
    let raw = p.input.get(s..e).unwrap_or_default();
    Ok((List::wire(raw, nz_or_zero, Sep::Space, p.ctx()), modseq))
}

/// `search-return-data`
fn search_return_data<'a>(p: &mut Parser<'a>) -> PResult<SearchReturnData<'a>> {
    let name = atom(p)?;
    p.sp()?;
    let n = name.as_str();
    let is = |s: &str| n.eq_ignore_ascii_case(s);
    Ok(if is("MIN") {
        SearchReturnData::Min(number(p)?)
    } else if is("MAX") {
        SearchReturnData::Max(number(p)?)
    } else if is("ALL") {
        SearchReturnData::All(sequence_set(p)?)
    } else if is("COUNT") {
        SearchReturnData::Count(number(p)?)
    } else if is("MODSEQ") {
        SearchReturnData::ModSeq(number64(p)?)
    } else {
        SearchReturnData::Other {
            name,
            value: Cow::Borrowed(skip_value(p)?),
        }
    })
}

/// `esearch-response = "ESEARCH" [search-correlator] [SP "UID"] *(SP search-return-data)`
fn esearch<'a>(p: &mut Parser<'a>) -> PResult<ESearch<'a>> {
    let mut tag = None;
    if p.peek() == Some(b' ') && p.peek_at(1) == Some(b'(') {
        // search-correlator = SP "(" "TAG" SP tag-string [SP "MAILBOX" ...] ")"
        p.pos += 2;
        if !p.keyword(b"TAG") {
            return p.err("TAG");
        }
        p.sp()?;
        tag = Some(astring(p)?);
        while p.peek() == Some(b' ') {
            p.pos += 1;
            skip_value(p)?;
        }
        p.expect(b')', "')' of search-correlator")?;
    }
    let mut uid = false;
    if p.peek() == Some(b' ') {
        let save = p.pos;
        p.pos += 1;
        if p.word(b"UID") {
            uid = true;
        } else {
            p.pos = save;
        }
    }
    let s = p.pos + 1;
    let mut e = p.pos;
    while p.peek() == Some(b' ') {
        if p.q.trailing_space && matches!(p.peek_at(1), Some(b'\r' | b'\n')) {
            p.pos += 1;
            break;
        }
        p.pos += 1;
        search_return_data(p)?;
        e = p.pos;
    }
    let raw = p.input.get(s..e).unwrap_or_default();
    Ok(ESearch {
        tag,
        uid,
        data: List::wire(raw, search_return_data, Sep::Space, p.ctx()),
    })
}

fn id_pair<'a>(p: &mut Parser<'a>) -> PResult<(IString<'a>, Option<IString<'a>>)> {
    let k = string(p)?;
    p.sp()?;
    Ok((k, nstring(p)?))
}

/// `id-params-list = "(" *(string SP nstring) ")" / nil` (RFC 2971)
fn id_params<'a>(p: &mut Parser<'a>) -> PResult<crate::imap::types::response::IdParams<'a>> {
    if nil(p) {
        return Ok(None);
    }
    p.expect(b'(', "'(' or NIL")?;
    let s = p.pos;
    let mut e = p.pos;
    if p.peek() != Some(b')') {
        loop {
            id_pair(p)?;
            e = p.pos;
            p.space_before_close(p.q.trailing_space);
            if p.peek() == Some(b')') {
                break;
            }
            p.sp()?;
        }
    }
    p.expect(b')', "')'")?;
    Ok(Some(List::wire(
        &p.input[s..e],
        id_pair,
        Sep::Space,
        p.ctx(),
    )))
}

fn quota_resource<'a>(p: &mut Parser<'a>) -> PResult<QuotaResource<'a>> {
    // quota-resource = resource-name SP resource-usage SP resource-limit
    let name = atom(p)?;
    p.sp()?;
    let usage = number64(p)?;
    p.sp()?;
    let limit = number64(p)?;
    Ok(QuotaResource { name, usage, limit })
}

fn metadata_value<'a>(p: &mut Parser<'a>) -> PResult<(IString<'a>, Option<IString<'a>>)> {
    // entry-value = entry SP value ; value = nstring / literal8
    let k = astring(p)?;
    p.sp()?;
    Ok((k, nstring(p)?))
}

/// `thread-list = "(" (thread-members / thread-nested) ")"`
fn thread<'a>(p: &mut Parser<'a>) -> PResult<Thread<'a>> {
    p.enter()?;
    p.expect(b'(', "'(' of thread-list")?;
    let ctx = p.ctx();
    // thread-members = nz-number *(SP nz-number) [SP thread-nested]
    let ms = p.pos;
    let mut me = p.pos;
    if p.peek() != Some(b'(') {
        nz_number(p)?;
        me = p.pos;
        while p.peek() == Some(b' ') && p.peek_at(1) != Some(b'(') {
            p.pos += 1;
            nz_number(p)?;
            me = p.pos;
        }
        if p.peek() == Some(b' ') {
            p.pos += 1;
        }
    }
    // thread-nested = 2*thread-list
    let cs = p.pos;
    while p.peek() == Some(b'(') {
        thread(p)?;
    }
    let children = List::wire(&p.input[cs..p.pos], thread, Sep::None, ctx);
    p.expect(b')', "')' of thread-list")?;
    p.leave();
    Ok(Thread {
        members: List::wire(&p.input[ms..me], nz_number, Sep::Space, ctx),
        children,
    })
}

/// `section-part = nz-number *("." nz-number)`
fn section_part<'a>(p: &mut Parser<'a>) -> PResult<Part<'a>> {
    let s = p.pos;
    if matches!(p.peek(), Some(b'1'..=b'9')) {
        loop {
            nz_number(p)?;
            if p.peek() == Some(b'.') && matches!(p.peek_at(1), Some(b'1'..=b'9')) {
                p.pos += 1;
            } else {
                break;
            }
        }
    }
    let raw = core::str::from_utf8(&p.input[s..p.pos]).unwrap_or("");
    Ok(Part(Cow::Borrowed(raw)))
}

/// `header-list = "(" header-fld-name *(SP header-fld-name) ")"`
fn header_list<'a>(p: &mut Parser<'a>) -> PResult<List<'a, IString<'a>>> {
    paren_list(p, astring, false)
}

/// ```text
/// section         = "[" [section-spec] "]"
/// section-spec    = section-msgtext / (section-part ["." section-text])
/// section-msgtext = "HEADER" / "HEADER.FIELDS" [".NOT"] SP header-list / "TEXT"
/// section-text    = section-msgtext / "MIME"
/// ```
pub(crate) fn section<'a>(p: &mut Parser<'a>) -> PResult<Section<'a>> {
    p.expect(b'[', "'['")?;
    let part = section_part(p)?;
    let text = if p.peek() == Some(b']') {
        None
    } else {
        if !part.is_empty() {
            p.expect(b'.', "'.'")?;
        }
        Some(if p.keyword(b"HEADER.FIELDS.NOT") {
            p.sp()?;
            SectionText::HeaderFieldsNot(header_list(p)?)
        } else if p.keyword(b"HEADER.FIELDS") {
            p.sp()?;
            SectionText::HeaderFields(header_list(p)?)
        } else if p.keyword(b"HEADER") {
            SectionText::Header
        } else if p.keyword(b"TEXT") {
            SectionText::Text
        } else if !part.is_empty() && p.keyword(b"MIME") {
            SectionText::Mime
        } else {
            return p.err("section-text");
        })
    };
    p.expect(b']', "']'")?;
    Ok(Section { part, text })
}

/// `section-binary = "[" [section-part] "]"`
pub(crate) fn section_binary<'a>(p: &mut Parser<'a>) -> PResult<Part<'a>> {
    p.expect(b'[', "'['")?;
    let part = section_part(p)?;
    p.expect(b']', "']'")?;
    Ok(part)
}

fn origin(p: &mut Parser<'_>) -> PResult<Option<u32>> {
    if p.eat(b'<') {
        let n = number(p)?;
        p.expect(b'>', "'>'")?;
        Ok(Some(n))
    } else {
        Ok(None)
    }
}

/// `objectid = 1*255(ALPHA / DIGIT / "_" / "-")` in parentheses (RFC 8474)
fn paren_objectid<'a>(p: &mut Parser<'a>) -> PResult<IString<'a>> {
    p.expect(b'(', "'('")?;
    let id = p.take_while(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if id.is_empty() || id.len() > 255 {
        return p.err("objectid");
    }
    p.expect(b')', "')'")?;
    Ok(IString(Cow::Borrowed(id)))
}

/// The name (with section and origin) and SP of an item whose value is a
/// literal announcement that ends the input, for streamed literals.
pub(crate) fn streamed_item_head<'a>(
    p: &mut Parser<'a>,
) -> PResult<Option<crate::imap::parse::stream::StreamedItem<'a>>> {
    use crate::imap::parse::stream::StreamedItem as S;
    let start = p.pos;
    let name = p.take_while(|b| class::is(b, class::ATOM) && b != b'[' && b != b'<');
    let is = |s: &[u8]| name.eq_ignore_ascii_case(s);
    let item = if is(b"BODY") && p.peek() == Some(b'[') {
        let section = section(p)?;
        S::BodySection {
            section,
            origin: origin(p)?,
        }
    } else if is(b"BINARY") {
        let part = section_binary(p)?;
        S::Binary {
            part,
            origin: origin(p)?,
        }
    } else if is(b"RFC822") {
        S::Rfc822
    } else if is(b"RFC822.HEADER") {
        S::Rfc822Header
    } else if is(b"RFC822.TEXT") {
        S::Rfc822Text
    } else if !name.is_empty() {
        S::Other(core::str::from_utf8(&p.input[start..p.pos]).unwrap_or(""))
    } else {
        return Ok(None);
    };
    if !p.eat(b' ') {
        return Ok(None);
    }
    // the literal announcement must end the input
    p.eat(b'~');
    if !p.eat(b'{') {
        return Ok(None);
    }
    p.take_while(|b| b.is_ascii_digit() || b == b'+' || b == b'-');
    if !p.eat(b'}') || !(p.keyword(b"\r\n") || (p.q.bare_lf && p.eat(b'\n'))) {
        return Ok(None);
    }
    Ok(Some(item))
}

/// `msg-att-dynamic / msg-att-static`: one FETCH data item.
pub(crate) fn fetch_item<'a>(p: &mut Parser<'a>) -> PResult<FetchItem<'a>> {
    fetch_item_v(p, &mut Quiet)
}

fn fetch_item_v<'a, S: Sink<'a>>(p: &mut Parser<'a>, s: &mut S) -> PResult<FetchItem<'a>> {
    let start = p.pos;
    let name = p.take_while(|b| class::is(b, class::ATOM) && b != b'[' && b != b'<');
    let is = |s: &[u8]| name.eq_ignore_ascii_case(s);
    let item = if is(b"FLAGS") {
        p.sp()?;
        FetchItem::Flags(flag_list(p)?)
    } else if is(b"UID") {
        p.sp()?;
        FetchItem::Uid(nz_number(p)?)
    } else if is(b"INTERNALDATE") {
        p.sp()?;
        FetchItem::InternalDate(date_time(p)?)
    } else if is(b"RFC822.SIZE") {
        p.sp()?;
        FetchItem::Rfc822Size(number(p)?)
    } else if is(b"RFC822") {
        p.sp()?;
        FetchItem::Rfc822(nstring(p)?)
    } else if is(b"RFC822.HEADER") {
        p.sp()?;
        FetchItem::Rfc822Header(nstring(p)?)
    } else if is(b"RFC822.TEXT") {
        p.sp()?;
        FetchItem::Rfc822Text(nstring(p)?)
    } else if is(b"ENVELOPE") {
        p.sp()?;
        FetchItem::Envelope(p.nom(|i| envelope_v(i, s))?)
    } else if is(b"BODYSTRUCTURE") {
        p.sp()?;
        FetchItem::BodyStructure(p.nom(|i| body_v(i, s))?)
    } else if is(b"BODY") {
        if p.peek() == Some(b'[') {
            let section = section(p)?;
            let origin = origin(p)?;
            p.sp()?;
            FetchItem::BodySection {
                section,
                origin,
                data: nstring(p)?,
            }
        } else {
            p.sp()?;
            FetchItem::Body(p.nom(|i| body_v(i, s))?)
        }
    } else if is(b"BINARY") {
        let part = section_binary(p)?;
        let origin = origin(p)?;
        p.sp()?;
        FetchItem::Binary {
            part,
            origin,
            data: nstring(p)?,
        }
    } else if is(b"BINARY.SIZE") {
        let part = section_binary(p)?;
        p.sp()?;
        FetchItem::BinarySize {
            part,
            size: number(p)?,
        }
    } else if is(b"MODSEQ") {
        // fetch-mod-resp = "MODSEQ" SP "(" permsg-modsequence ")"
        p.sp()?;
        p.expect(b'(', "'('")?;
        let n = number64(p)?;
        p.expect(b')', "')'")?;
        FetchItem::ModSeq(n)
    } else if is(b"EMAILID") {
        p.sp()?;
        FetchItem::EmailId(paren_objectid(p)?)
    } else if is(b"THREADID") {
        p.sp()?;
        FetchItem::ThreadId(if nil(p) {
            None
        } else {
            Some(paren_objectid(p)?)
        })
    } else if is(b"SAVEDATE") {
        p.sp()?;
        FetchItem::SaveDate(if nil(p) { None } else { Some(date_time(p)?) })
    } else if is(b"PREVIEW") {
        p.sp()?;
        FetchItem::Preview(nstring(p)?)
    } else if !name.is_empty() && p.q.unknown_items {
        // an unknown item: name (with an optional [section] and <origin>), SP, any value
        if p.peek() == Some(b'[') {
            skip_value(p)?;
        }
        if p.peek() == Some(b'<') {
            p.take_while(|b| b != b'>');
            p.expect(b'>', "'>'")?;
        }
        let name_end = p.pos;
        p.sp()?;
        let value = skip_value(p)?;
        let name = core::str::from_utf8(&p.input[start..name_end]).unwrap_or("");
        FetchItem::Unknown {
            name: Cow::Borrowed(name),
            value: Cow::Borrowed(value),
        }
    } else {
        p.pos = start;
        return p.err("FETCH data item");
    };
    Ok(item)
}

/// `msg-att = "(" (msg-att-dynamic / msg-att-static) *(SP (msg-att-dynamic / msg-att-static)) ")"`
fn msg_att<'a, S: Sink<'a>>(p: &mut Parser<'a>, sink: &mut S) -> PResult<List<'a, FetchItem<'a>>> {
    p.expect(b'(', "'(' of msg-att")?;
    let s = p.pos;
    let mut e = p.pos;
    if !(p.q.missing_text && p.peek() == Some(b')')) {
        loop {
            if S::ACTIVE {
                let item = fetch_item_v(p, sink)?;
                sink.item(item);
            } else {
                p.validate(fetch_item)?;
            }
            e = p.pos;
            p.space_before_close(p.q.trailing_space);
            if p.peek() == Some(b')') {
                break;
            }
            p.sp()?;
        }
    }
    p.expect(b')', "')' of msg-att")?;
    Ok(List::wire(&p.input[s..e], fetch_item, Sep::Space, p.ctx()))
}

/// ```text
/// response-data = "*" SP (resp-cond-state / resp-cond-bye / mailbox-data / message-data /
///                 capability-data / enable-data) CRLF
/// message-data  = nz-number SP ("EXPUNGE" / ("FETCH" SP msg-att))
/// mailbox-data  = "FLAGS" SP flag-list / "LIST" SP mailbox-list / "ESEARCH" ... /
///                 "STATUS" SP mailbox SP "(" [status-att-list] ")" / number SP "EXISTS" / ...
/// ```
fn untagged<'a, S: Sink<'a>>(p: &mut Parser<'a>, s: &mut S) -> PResult<Response<'a>> {
    let start = p.pos;
    if matches!(p.peek(), Some(b'0'..=b'9')) {
        let n = number(p)?;
        p.sp()?;
        let d = if p.word(b"EXISTS") {
            Data::Exists(n)
        } else if p.word(b"RECENT") {
            Data::Recent(n)
        } else if p.word(b"EXPUNGE") {
            Data::Expunge(n)
        } else if p.word(b"FETCH") {
            p.sp()?;
            let items = msg_att(p, s)?;
            Data::Fetch { seq: n, items }
        } else {
            return other(p, start);
        };
        return Ok(Response::Data(d));
    }
    let kstart = p.pos;
    if let Ok(kind) = status_kind(p) {
        let (code, text) = resp_text_after_kind(p)?;
        return Ok(Response::Status(StatusResponse {
            tag: None,
            kind,
            code,
            text,
        }));
    }
    p.pos = kstart;
    let d = if p.word(b"CAPABILITY") {
        let l = capability_list(p)?;
        p.trailing_space();
        Data::Capability(l)
    } else if p.word(b"ENABLED") {
        let l = capability_list(p)?;
        p.trailing_space();
        Data::Enabled(l)
    } else if p.word(b"LIST") {
        p.sp()?;
        Data::List(mailbox_list(p)?)
    } else if p.word(b"LSUB") {
        p.sp()?;
        Data::Lsub(mailbox_list(p)?)
    } else if p.word(b"NAMESPACE") {
        p.sp()?;
        let personal = namespace(p)?;
        p.sp()?;
        let other = namespace(p)?;
        p.sp()?;
        let shared = namespace(p)?;
        Data::Namespace {
            personal,
            other,
            shared,
        }
    } else if p.word(b"STATUS") {
        p.sp()?;
        let mailbox = mailbox(p)?;
        p.sp()?;
        p.expect(b'(', "'(' of status-att-list")?;
        let s = p.pos;
        let mut e = p.pos;
        if p.peek() == Some(b')') {
            if !p.q.empty_status {
                return p.err("status-att-val");
            }
        } else {
            loop {
                let item = p.pos;
                let read = status_item(p).and_then(|_| match p.peek() {
                    Some(b' ' | b')') => Ok(()),
                    _ => p.err("SP"),
                });
                if let Err(err) = read {
                    // An item this crate does not know whose value is not a
                    // number (Dovecot's `X-GUID 5033c535...`) has no typed
                    // form: under `unknown_items` the response is kept raw.
                    p.pos = item;
                    let known = atom(p)
                        .is_ok_and(|n| KNOWN_STATUS_ITEMS.iter().any(|k| n.eq_ignore_case(k)));
                    if p.q.unknown_items && !known {
                        return other(p, start);
                    }
                    return Err(err);
                }
                e = p.pos;
                p.space_before_close(p.q.trailing_space);
                if p.peek() == Some(b')') {
                    break;
                }
                p.sp()?;
            }
        }
        p.expect(b')', "')'")?;
        p.trailing_space();
        Data::Status {
            mailbox,
            items: List::wire(&p.input[s..e], status_item, Sep::Space, p.ctx()),
        }
    } else if p.word(b"SEARCH") {
        let (ids, modseq) = numbers_modseq(p)?;
        Data::Search { ids, modseq }
    } else if p.word(b"ESEARCH") {
        Data::ESearch(esearch(p)?)
    } else if p.word(b"FLAGS") {
        p.sp()?;
        let f = flag_list(p)?;
        p.trailing_space();
        Data::Flags(f)
    } else if p.word(b"VANISHED") {
        // expunged-resp = "VANISHED" [SP "(EARLIER)"] SP known-uids
        p.sp()?;
        let earlier = p.keyword(b"(EARLIER)");
        if earlier {
            p.sp()?;
        }
        Data::Vanished {
            earlier,
            uids: sequence_set(p)?,
        }
    } else if p.word(b"ID") {
        p.sp()?;
        let l = id_params(p)?;
        p.trailing_space();
        Data::Id(l)
    } else if p.word(b"QUOTAROOT") {
        // quotaroot-response = "QUOTAROOT" SP mailbox *(SP quota-root-name)
        p.sp()?;
        let mailbox = mailbox(p)?;
        let s = p.pos + 1;
        let mut e = p.pos;
        while p.peek() == Some(b' ') {
            if p.q.trailing_space && matches!(p.peek_at(1), Some(b'\r' | b'\n')) {
                p.pos += 1;
                break;
            }
            p.pos += 1;
            astring(p)?;
            e = p.pos;
        }
        Data::QuotaRoot {
            mailbox,
            roots: List::wire(
                p.input.get(s..e).unwrap_or_default(),
                astring,
                Sep::Space,
                p.ctx(),
            ),
        }
    } else if p.word(b"QUOTA") {
        // quota-response = "QUOTA" SP quota-root-name SP quota-list
        p.sp()?;
        let root = astring(p)?;
        p.sp()?;
        Data::Quota {
            root,
            resources: paren_list(p, quota_resource, true)?,
        }
    } else if p.word(b"METADATA") {
        p.sp()?;
        let mailbox = mailbox(p)?;
        p.sp()?;
        let entries = if p.eat(b'(') {
            MetadataEntries::Values(paren_list_tail(p, metadata_value, false)?)
        } else {
            let s = p.pos;
            astring(p)?;
            while p.peek() == Some(b' ') {
                p.pos += 1;
                astring(p)?;
            }
            MetadataEntries::Names(List::wire(&p.input[s..p.pos], astring, Sep::Space, p.ctx()))
        };
        Data::Metadata { mailbox, entries }
    } else if p.word(b"SORT") {
        let (ids, modseq) = numbers_modseq(p)?;
        Data::Sort { ids, modseq }
    } else if p.word(b"THREAD") {
        let ctx = p.ctx();
        let mut s = p.pos;
        if p.eat(b' ') {
            s = p.pos;
            while p.peek() == Some(b'(') {
                thread(p)?;
            }
        }
        p.trailing_space();
        let raw = &p.input[s..p.pos];
        let raw = raw.strip_suffix(b" ").unwrap_or(raw);
        Data::Thread(List::wire(raw, thread, Sep::None, ctx))
    } else if let Some(d) = super::ext::data(p)? {
        d
    } else {
        return other(p, start);
    };
    Ok(Response::Data(d))
}

/// An untagged response this crate does not know, kept raw when allowed.
fn other<'a>(p: &mut Parser<'a>, start: usize) -> PResult<Response<'a>> {
    p.pos = start;
    if !p.q.unknown_items {
        return p.err("known untagged response");
    }
    let mut name_end = p.pos;
    if matches!(p.peek(), Some(b'0'..=b'9')) {
        number(p)?;
        p.sp()?;
    }
    let n = atom_str(p)?;
    name_end = name_end.max(p.pos);
    let _ = n;
    let name = core::str::from_utf8(&p.input[start..name_end]).unwrap_or("");
    p.eat(b' ');
    let rest_start = p.pos;
    // the rest of the message up to the final CRLF (literals included)
    let body = &p.input[rest_start..];
    let body = body
        .strip_suffix(b"\r\n")
        .or_else(|| {
            if p.q.bare_lf {
                body.strip_suffix(b"\n")
            } else {
                None
            }
        })
        .unwrap_or(body);
    p.pos = rest_start + body.len();
    Ok(Response::Data(Data::Other {
        name: Cow::Borrowed(name),
        rest: Cow::Borrowed(body),
    }))
}
