//! Rules of four extensions: ACL (RFC 4314 §4), CATENATE (RFC 4469 §5),
//! NOTIFY (RFC 5465 §8) and URLAUTH (RFC 4467 §7): their commands, untagged
//! responses and response codes. The dispatchers here are called from
//! [`command`](super::command), [`response`](super::response) with the name
//! already read; they answer `None` for a name that is not theirs.

use alloc::borrow::Cow;
use alloc::string::String;

use nom::Parser as _;
use nom::branch::alt;
use nom::combinator::{map, opt, value};
use nom::sequence::{delimited, preceded, separated_pair, terminated};

use super::command;
use super::core::{
    Elem, astring, atom, date_time, flag_list, literal, mailbox, nstring, paren_list, spaced_list,
    spaced_list1,
};
use super::input::{In, R, at_word, byte, consumed, expect, sp, take_while, validate, word};
use crate::imap::types::command::CommandBody;
use crate::imap::types::core::{Atom, DateTime, Flag, IString, List, Mailbox, Sep};
use crate::imap::types::ext::{
    AppendItem, CatenatePart, EventGroup, MailboxFilter, ModRights, Notify, NotifyEvent, Rights,
    RightsMode, UrlMechanism, is_right, is_url_mechanism,
};
use crate::imap::types::response::{Code, Data};

// ---- ACL (RFC 4314) ----

/// Rights from the content of an astring, if every byte is a rights character.
fn rights_from(v: Cow<'_, [u8]>) -> Option<Rights<'_>> {
    if !v.iter().all(|&b| is_right(b)) {
        return None;
    }
    match v {
        Cow::Borrowed(b) => core::str::from_utf8(b).ok().and_then(Rights::new),
        Cow::Owned(b) => String::from_utf8(b).ok().and_then(Rights::new),
    }
}

/// ```text
/// rights = astring
///          ;; only lowercase ASCII letters and digits are allowed.
/// ```
pub(crate) fn rights(i: In<'_>) -> R<'_, Rights<'_>> {
    let (rest, s) = astring(i)?;
    match rights_from(s.0) {
        Some(r) => Ok((rest, r)),
        None => i.err("rights (lowercase letters and digits)"),
    }
}

/// ```text
/// mod-rights = astring
///              ;; +rights to add, -rights to remove
///              ;; rights to replace
/// ```
fn mod_rights(i: In<'_>) -> R<'_, ModRights<'_>> {
    let (rest, s) = astring(i)?;
    let s = s.0;
    let (mode, skip) = match s.first() {
        Some(b'+') => (RightsMode::Add, 1),
        Some(b'-') => (RightsMode::Remove, 1),
        _ => (RightsMode::Replace, 0),
    };
    let tail = match s {
        Cow::Borrowed(b) => Cow::Borrowed(b.get(skip..).unwrap_or_default()),
        Cow::Owned(b) => Cow::Owned(b.get(skip..).unwrap_or_default().to_vec()),
    };
    match rights_from(tail) {
        Some(rights) => Ok((rest, ModRights { mode, rights })),
        None => i.err("mod-rights ([+/-] lowercase letters and digits)"),
    }
}

/// `identifier SP rights` (an element of `acl-data`).
fn acl_entry(i: In<'_>) -> R<'_, (IString<'_>, Rights<'_>)> {
    separated_pair(astring, sp, rights).parse(i)
}

/// `acl-data = "ACL" SP mailbox *(SP identifier SP rights)`, after `ACL`.
fn acl_data(i: In<'_>) -> R<'_, Data<'_>> {
    map(
        (preceded(sp, mailbox), |i| zero_or_more(i, acl_entry)),
        |(mailbox, entries)| Data::Acl { mailbox, entries },
    )
    .parse(i)
}

/// `listrights-data = "LISTRIGHTS" SP mailbox SP identifier SP rights *(SP rights)`,
/// after `LISTRIGHTS`.
fn listrights_data(i: In<'_>) -> R<'_, Data<'_>> {
    map(
        (
            preceded(sp, mailbox),
            preceded(sp, astring),
            preceded(sp, rights),
            |i| zero_or_more(i, rights),
        ),
        |(mailbox, identifier, required, optional)| Data::ListRights {
            mailbox,
            identifier,
            required,
            optional,
        },
    )
    .parse(i)
}

/// `myrights-data = "MYRIGHTS" SP mailbox SP rights`, after `MYRIGHTS`.
fn myrights_data(i: In<'_>) -> R<'_, Data<'_>> {
    map(
        (preceded(sp, mailbox), preceded(sp, rights)),
        |(mailbox, rights)| Data::MyRights { mailbox, rights },
    )
    .parse(i)
}

// ---- URLAUTH (RFC 4467) ----

/// `mechanism = "INTERNAL" / 1*(ALPHA / DIGIT / "-" / ".")`
fn mechanism(i: In<'_>) -> R<'_, Atom<'_>> {
    let (rest, m) = take_while(i, |b| is_url_mechanism(&[b]));
    match core::str::from_utf8(m).ok().and_then(Atom::new) {
        Some(a) => Ok((rest, a)),
        None => rest.err("URLAUTH mechanism"),
    }
}

/// `url-rump SP mechanism` (an element of `genurlauth`); `url-rump = astring`.
fn rump_mechanism(i: In<'_>) -> R<'_, (IString<'_>, Atom<'_>)> {
    separated_pair(astring, sp, mechanism).parse(i)
}

/// `url SP nstring` (an element of `urlfetch-data`).
fn url_data(i: In<'_>) -> R<'_, (IString<'_>, Option<IString<'_>>)> {
    separated_pair(astring, sp, nstring).parse(i)
}

/// `base64` as the URLMECH code carries it: `1*(ALPHA / DIGIT / "+" / "/" / "=")`.
fn base64(i: In<'_>) -> R<'_, &[u8]> {
    match take_while(i, |b| {
        b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')
    }) {
        (_, []) => i.err("base64"),
        ok => Ok(ok),
    }
}

/// `mechanism ["=" base64]` (an element of the URLMECH code).
fn url_mechanism(i: In<'_>) -> R<'_, UrlMechanism<'_>> {
    let (i, name) = mechanism(i)?;
    let (i, data) = match i.peek() {
        Some(b'=') => map(base64, |d| Some(Cow::Borrowed(d))).parse(i.skip(1))?,
        _ => (i, None),
    };
    Ok((i, UrlMechanism { name, data }))
}

/// `url-resp-text = 1*(%x01-09 / %x0B-0C / %x0E-5C / %x5E-FE)` (the argument
/// of the BADURL code).
fn url_resp_text(i: In<'_>) -> R<'_, IString<'_>> {
    match take_while(i, |b| !matches!(b, b']' | b'\r' | b'\n' | 0)) {
        (_, []) => i.err("url-resp-text"),
        (rest, u) => Ok((rest, IString(Cow::Borrowed(u)))),
    }
}

/// `*(SP elem)` up to the end of the line (a trailing space tolerated under
/// [`Quirks::trailing_space`](super::Quirks)).
fn zero_or_more<'a, T>(i: In<'a>, elem: Elem<'a, T>) -> R<'a, List<'a, T>> {
    let trailing_space = i.q().trailing_space;
    let start = i;
    let mut i = i;
    let mut end = i;
    while i.peek() == Some(b' ') {
        if trailing_space && matches!(i.peek_at(1), Some(b'\r' | b'\n')) {
            i = i.skip(1);
            break;
        }
        (i, ()) = validate(elem)(i.skip(1))?;
        end = i;
    }
    let raw = start.upto(&end).get(1..).unwrap_or_default();
    Ok((i, List::wire(raw, elem, Sep::Space, i.ctx())))
}

/// `resetkey = "RESETKEY" [SP mailbox *(SP mechanism)]`, after `RESETKEY`.
fn resetkey(i: In<'_>) -> R<'_, CommandBody<'_>> {
    if i.peek() != Some(b' ') {
        let mechanisms = List::wire(&i.rest[..0], mechanism, Sep::Space, i.ctx());
        return Ok((
            i,
            CommandBody::ResetKey {
                mailbox: None,
                mechanisms,
            },
        ));
    }
    let (i, mailbox) = mailbox(i.skip(1))?;
    let (i, mechanisms) = spaced_list(i, mechanism)?;
    Ok((
        i,
        CommandBody::ResetKey {
            mailbox: Some(mailbox),
            mechanisms,
        },
    ))
}

// ---- NOTIFY (RFC 5465) ----

/// ```text
/// event         = message-event / mailbox-event / user-event / event-ext
/// message-event = ( "MessageNew" [SP "(" fetch-att *(SP fetch-att) ")" ] ) /
///                 "MessageExpunge" / "FlagChange" / "AnnotationChange"
/// mailbox-event = "MailboxName" / "SubscriptionChange" / "MailboxMetadataChange" /
///                 "ServerMetadataChange"
/// event-ext     = atom
/// ```
/// An empty fetch-att list is accepted (§5.2 allows it).
pub(crate) fn notify_event(i: In<'_>) -> R<'_, NotifyEvent<'_>> {
    use NotifyEvent as E;
    let (i, a) = atom(i)?;
    let is = |s: &str| a.eq_ignore_case(s);
    Ok(if is("MessageNew") {
        if i.peek() == Some(b' ') && i.peek_at(1) == Some(b'(') {
            let (i, atts) = paren_list(i.skip(1), command::fetch_att, true)?;
            (i, E::MessageNew(Some(atts)))
        } else {
            (i, E::MessageNew(None))
        }
    } else if is("MessageExpunge") {
        (i, E::MessageExpunge)
    } else if is("FlagChange") {
        (i, E::FlagChange)
    } else if is("AnnotationChange") {
        (i, E::AnnotationChange)
    } else if is("MailboxName") {
        (i, E::MailboxName)
    } else if is("SubscriptionChange") {
        (i, E::SubscriptionChange)
    } else if is("MailboxMetadataChange") {
        (i, E::MailboxMetadataChange)
    } else if is("ServerMetadataChange") {
        (i, E::ServerMetadataChange)
    } else {
        (i, E::Other(a))
    })
}

/// ```text
/// one-or-more-mailbox = mailbox / many-mailboxes
/// many-mailboxes      = "(" mailbox *(SP mailbox) ")"
/// ```
fn one_or_more_mailbox(i: In<'_>) -> R<'_, List<'_, Mailbox<'_>>> {
    if i.peek() == Some(b'(') {
        paren_list(i, mailbox, false)
    } else {
        let (i, (raw, _)) = consumed(mailbox).parse(i)?;
        Ok((i, List::wire(raw, mailbox, Sep::Space, i.ctx())))
    }
}

/// ```text
/// filter-mailboxes          = filter-mailboxes-selected / filter-mailboxes-other
/// filter-mailboxes-selected = "selected" / "selected-delayed"
/// filter-mailboxes-other    = "inboxes" / "personal" / "subscribed" /
///                             ( "subtree" SP one-or-more-mailbox ) /
///                             ( "mailboxes" SP one-or-more-mailbox )
/// ```
fn mailbox_filter(i: In<'_>) -> R<'_, MailboxFilter<'_>> {
    use MailboxFilter as F;
    expect(
        "filter-mailboxes",
        alt((
            value(F::SelectedDelayed, word(b"SELECTED-DELAYED")),
            value(F::Selected, word(b"SELECTED")),
            value(F::Inboxes, word(b"INBOXES")),
            value(F::Personal, word(b"PERSONAL")),
            value(F::Subscribed, word(b"SUBSCRIBED")),
            map(
                preceded((word(b"SUBTREE"), sp), one_or_more_mailbox),
                F::Subtree,
            ),
            map(
                preceded((word(b"MAILBOXES"), sp), one_or_more_mailbox),
                F::Mailboxes,
            ),
        )),
    )
    .parse(i)
}

/// ```text
/// event-group = "(" filter-mailboxes SP events ")"
/// events      = ( "(" event *(SP event) ")" ) / "NONE"
/// ```
fn event_group(i: In<'_>) -> R<'_, EventGroup<'_>> {
    let events = alt((
        value(None, word(b"NONE")),
        map(|i| paren_list(i, notify_event, false), Some),
    ));
    map(
        delimited(
            byte(b'(', "'(' of event-group"),
            separated_pair(mailbox_filter, sp, events),
            byte(b')', "')'"),
        ),
        |(filter, events)| EventGroup { filter, events },
    )
    .parse(i)
}

/// ```text
/// notify-set       = "SET" [status-indicator] SP event-groups
/// status-indicator = SP "STATUS"
/// event-groups     = event-group *(SP event-group)
/// ```
/// After `SET`.
fn notify_set(i: In<'_>) -> R<'_, Notify<'_>> {
    map(
        (opt(preceded(sp, word(b"STATUS"))), |i| {
            spaced_list1(i, event_group, "SP event-group")
        }),
        |(status, groups)| Notify::Set {
            status: status.is_some(),
            groups,
        },
    )
    .parse(i)
}

/// ```text
/// notify      = "NOTIFY" SP (notify-set / notify-none)
/// notify-none = "NONE"
/// ```
/// After `NOTIFY`.
fn notify(i: In<'_>) -> R<'_, Notify<'_>> {
    preceded(
        sp,
        expect(
            "SET or NONE",
            alt((
                value(Notify::None, word(b"NONE")),
                preceded(word(b"SET"), notify_set),
            )),
        ),
    )
    .parse(i)
}

// ---- CATENATE (RFC 4469) ----

/// The `literal` of `text-literal`: a literal8 is not allowed.
fn text_literal_data(i: In<'_>) -> R<'_, &[u8]> {
    if i.peek() != Some(b'{') {
        return i.err("literal");
    }
    map(literal, |(data, _)| data).parse(i)
}

/// ```text
/// cat-part     = text-literal / url
/// text-literal = "TEXT" SP literal
/// url          = "URL" SP astring
/// ```
fn cat_part(i: In<'_>) -> R<'_, CatenatePart<'_>> {
    expect(
        "TEXT or URL",
        alt((
            map(preceded((word(b"TEXT"), sp), text_literal_data), |d| {
                CatenatePart::Text(Cow::Borrowed(d))
            }),
            map(preceded((word(b"URL"), sp), astring), CatenatePart::Url),
        )),
    )
    .parse(i)
}

/// `append-opts = [flag-list SP] [date-time SP]` (the input is left after
/// the options); shared with plain APPEND.
#[allow(clippy::type_complexity)]
pub(crate) fn append_opts(i: In<'_>) -> R<'_, (Option<List<'_, Flag<'_>>>, Option<DateTime>)> {
    let (i, flags) = match i.peek() {
        Some(b'(') => map(terminated(flag_list, sp), Some).parse(i)?,
        _ => (i, None),
    };
    let (i, date) = match i.peek() {
        Some(b'"') => map(terminated(date_time, sp), Some).parse(i)?,
        _ => (i, None),
    };
    Ok((i, (flags, date)))
}

/// ```text
/// append-message = append-opts SP append-data
/// append-data    = literal / literal8 / append-data-ext
/// append-data    =/ "CATENATE" SP "(" cat-part *(SP cat-part) ")"
/// ```
pub(crate) fn append_item(i: In<'_>) -> R<'_, AppendItem<'_>> {
    let (rest, (flags, date)) = append_opts(i)?;
    if let Ok((rest, ())) = word(b"CATENATE")(rest) {
        let (rest, parts) = preceded(sp, |i| paren_list(i, cat_part, false)).parse(rest)?;
        return Ok((rest, AppendItem::Catenate { flags, date, parts }));
    }
    map(command::append_message, AppendItem::Message).parse(i)
}

/// Whether the append-message at `i` uses CATENATE (looked at without
/// building values).
fn is_catenate(i: In<'_>) -> bool {
    matches!(validate(append_opts)(i), Ok((rest, ())) if at_word(&rest, b"CATENATE"))
}

/// `append = "APPEND" SP mailbox 1*append-message` when one of the messages
/// uses CATENATE; `None` (input unmoved) otherwise, for the plain APPEND rule.
fn append_catenate(i: In<'_>) -> R<'_, Option<CommandBody<'_>>> {
    let mut seen = false;
    match append_messages(i, &mut seen) {
        Ok((rest, c)) if seen => Ok((rest, Some(c))),
        Err(e) if seen => Err(e),
        _ => Ok((i, None)),
    }
}

/// `SP mailbox 1*(SP append-message)`; `seen` tells whether a message (the
/// one that failed included) uses CATENATE.
fn append_messages<'a>(i: In<'a>, seen: &mut bool) -> R<'a, CommandBody<'a>> {
    let (i, mailbox) = preceded(sp, mailbox).parse(i)?;
    let start = i;
    let mut i = i;
    while i.peek() == Some(b' ') {
        i = i.skip(1);
        *seen |= is_catenate(i);
        (i, ()) = validate(append_item)(i)?;
    }
    match start.upto(&i).get(1..) {
        Some(raw) => Ok((
            i,
            CommandBody::AppendCatenate {
                mailbox,
                messages: List::wire(raw, append_item, Sep::Space, i.ctx()),
            },
        )),
        None => start.err("SP append-message"),
    }
}

/// Whether the start of an APPEND command (up to a literal announcement,
/// earlier literals included) has entered a CATENATE list: its literals are
/// `TEXT` parts, not streamed message data. Quoted strings and literal data
/// are skipped, so a mailbox named `CATENATE (` is not mistaken for one.
pub(crate) fn uses_catenate(head: &[u8]) -> bool {
    const KW: &[u8] = b" CATENATE (";
    let mut i = 0;
    while let Some(&b) = head.get(i) {
        match b {
            b'"' => {
                i += 1;
                while let Some(&c) = head.get(i) {
                    i += if c == b'\\' { 2 } else { 1 };
                    if c == b'"' {
                        break;
                    }
                }
            }
            b'{' => {
                // `{n}` / `{n+}` / `{n-}` CRLF, then n bytes of data
                let digits = head
                    .get(i + 1..)
                    .unwrap_or_default()
                    .iter()
                    .take_while(|d| d.is_ascii_digit())
                    .count();
                let mut j = i + 1 + digits;
                if matches!(head.get(j), Some(b'+' | b'-')) {
                    j += 1;
                }
                let n = head
                    .get(i + 1..i + 1 + digits)
                    .and_then(|d| core::str::from_utf8(d).ok())
                    .and_then(|d| d.parse::<usize>().ok());
                match (n, head.get(j..j + 3)) {
                    (Some(n), Some(b"}\r\n")) => i = (j + 3).saturating_add(n),
                    _ => i += 1,
                }
            }
            _ => {
                if head
                    .get(i..i + KW.len())
                    .is_some_and(|w| w.eq_ignore_ascii_case(KW))
                {
                    return true;
                }
                i += 1;
            }
        }
    }
    false
}

// ---- dispatch ----

/// The commands of ACL, CATENATE, NOTIFY and URLAUTH, after their name;
/// `None` (input unmoved) for any other name.
pub(crate) fn command<'a>(i: In<'a>, name: &[u8]) -> R<'a, Option<CommandBody<'a>>> {
    let is = |s: &[u8]| name.eq_ignore_ascii_case(s);
    let (i, c) = if is(b"APPEND") {
        return append_catenate(i);
    } else if is(b"SETACL") {
        // setacl = "SETACL" SP mailbox SP identifier SP mod-rights
        map(
            (
                preceded(sp, mailbox),
                preceded(sp, astring),
                preceded(sp, mod_rights),
            ),
            |(mailbox, identifier, rights)| CommandBody::SetAcl {
                mailbox,
                identifier,
                rights,
            },
        )
        .parse(i)?
    } else if is(b"DELETEACL") || is(b"LISTRIGHTS") {
        // deleteacl = "DELETEACL" SP mailbox SP identifier
        // listrights = "LISTRIGHTS" SP mailbox SP identifier
        let (i, (mailbox, identifier)) = (preceded(sp, mailbox), preceded(sp, astring)).parse(i)?;
        let c = if is(b"DELETEACL") {
            CommandBody::DeleteAcl {
                mailbox,
                identifier,
            }
        } else {
            CommandBody::ListRights {
                mailbox,
                identifier,
            }
        };
        (i, c)
    } else if is(b"GETACL") {
        // getacl = "GETACL" SP mailbox
        map(preceded(sp, mailbox), CommandBody::GetAcl).parse(i)?
    } else if is(b"MYRIGHTS") {
        // myrights = "MYRIGHTS" SP mailbox
        map(preceded(sp, mailbox), CommandBody::MyRights).parse(i)?
    } else if is(b"NOTIFY") {
        map(notify, CommandBody::Notify).parse(i)?
    } else if is(b"RESETKEY") {
        resetkey(i)?
    } else if is(b"GENURLAUTH") {
        // genurlauth = "GENURLAUTH" 1*(SP url-rump SP mechanism)
        map(
            |i| spaced_list1(i, rump_mechanism, "SP url-rump"),
            CommandBody::GenUrlAuth,
        )
        .parse(i)?
    } else if is(b"URLFETCH") {
        // urlfetch = "URLFETCH" 1*(SP url)
        map(
            |i| spaced_list1(i, astring, "SP url"),
            CommandBody::UrlFetch,
        )
        .parse(i)?
    } else {
        return Ok((i, None));
    };
    Ok((i, Some(c)))
}

/// The untagged responses of ACL and URLAUTH, at their name; `None` (input
/// unmoved) for any other.
pub(crate) fn data(i: In<'_>) -> R<'_, Option<Data<'_>>> {
    let r = if let Ok((j, ())) = word(b"ACL")(i) {
        acl_data(j)
    } else if let Ok((j, ())) = word(b"LISTRIGHTS")(i) {
        listrights_data(j)
    } else if let Ok((j, ())) = word(b"MYRIGHTS")(i) {
        myrights_data(j)
    } else if let Ok((j, ())) = word(b"GENURLAUTH")(i) {
        // genurlauth-data = "*" SP "GENURLAUTH" 1*(SP url-full) ; url-full = astring
        map(
            |i| spaced_list1(i, astring, "SP url-full"),
            Data::GenUrlAuth,
        )
        .parse(j)
    } else if let Ok((j, ())) = word(b"URLFETCH")(i) {
        // urlfetch-data = "*" SP "URLFETCH" 1*(SP url SP nstring)
        map(
            |i| spaced_list1(i, url_data, "SP url SP nstring"),
            Data::UrlFetch,
        )
        .parse(j)
    } else {
        return Ok((i, None));
    };
    r.map(|(rest, d)| (rest, Some(d)))
}

/// ```text
/// resp-text-code =/ "TOOBIG" / "BADURL" SP url-resp-text        ; RFC 4469
/// url-resp-text   = 1*(%x01-09 / %x0B-0C / %x0E-5C / %x5E-FE)
/// resp-text-code =/ "URLMECH" SP "INTERNAL" *(SP mechanism ["=" base64])   ; RFC 4467
/// resp-text-code =/ "NOTIFICATIONOVERFLOW" / unsupported-events-code      ; RFC 5465
/// unsupported-events-code = "BADEVENT" SP "(" event *(SP event) ")"
/// ```
/// `None` (input unmoved) for another code name or arguments that do not
/// parse, which the caller keeps as [`Code::Other`]; never an error.
pub(crate) fn code<'a>(i: In<'a>, name: &str) -> R<'a, Option<Code<'a>>> {
    let is = |s: &str| name.eq_ignore_ascii_case(s);
    let r = if is("TOOBIG") {
        Ok((i, Code::TooBig))
    } else if is("NOTIFICATIONOVERFLOW") {
        Ok((i, Code::NotificationOverflow))
    } else if is("BADURL") {
        map(preceded(sp, url_resp_text), Code::BadUrl).parse(i)
    } else if is("URLMECH") {
        map(
            preceded((sp, word(b"INTERNAL")), |i| spaced_list(i, url_mechanism)),
            Code::UrlMech,
        )
        .parse(i)
    } else if is("BADEVENT") {
        map(
            preceded(sp, |i| paren_list(i, notify_event, false)),
            Code::BadEvent,
        )
        .parse(i)
    } else {
        return Ok((i, None));
    };
    Ok(match r {
        Ok((rest, c)) => (rest, Some(c)),
        Err(_) => (i, None),
    })
}
