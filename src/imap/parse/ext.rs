//! Rules of four extensions: ACL (RFC 4314 §4), CATENATE (RFC 4469 §5),
//! NOTIFY (RFC 5465 §8) and URLAUTH (RFC 4467 §7): their commands, untagged
//! responses and response codes. The dispatchers here are called from
//! [`command`](super::command), [`response`](super::response) with the name
//! already read; they answer `None` for a name that is not theirs.

use alloc::borrow::Cow;
use alloc::string::String;

use super::command::{append_message, fetch_att};
use super::legacy::{astring, atom, date_time, flag_list, literal, mailbox, nstring, paren_list};
use super::{PResult, Parser};
use crate::imap::types::command::CommandBody;
use crate::imap::types::core::{Atom, IString, List, Mailbox, Sep};
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
pub(crate) fn rights<'a>(p: &mut Parser<'a>) -> PResult<Rights<'a>> {
    let start = p.pos;
    let s = astring(p)?;
    match rights_from(s.0) {
        Some(r) => Ok(r),
        None => {
            p.pos = start;
            p.err("rights (lowercase letters and digits)")
        }
    }
}

/// ```text
/// mod-rights = astring
///              ;; +rights to add, -rights to remove
///              ;; rights to replace
/// ```
fn mod_rights<'a>(p: &mut Parser<'a>) -> PResult<ModRights<'a>> {
    let start = p.pos;
    let s = astring(p)?.0;
    let (mode, skip) = match s.first() {
        Some(b'+') => (RightsMode::Add, 1),
        Some(b'-') => (RightsMode::Remove, 1),
        _ => (RightsMode::Replace, 0),
    };
    let rest = match s {
        Cow::Borrowed(b) => Cow::Borrowed(b.get(skip..).unwrap_or_default()),
        Cow::Owned(b) => Cow::Owned(b.get(skip..).unwrap_or_default().to_vec()),
    };
    match rights_from(rest) {
        Some(rights) => Ok(ModRights { mode, rights }),
        None => {
            p.pos = start;
            p.err("mod-rights ([+/-] lowercase letters and digits)")
        }
    }
}

/// `identifier SP rights` (an element of `acl-data`).
fn acl_entry<'a>(p: &mut Parser<'a>) -> PResult<(IString<'a>, Rights<'a>)> {
    let id = astring(p)?;
    p.sp()?;
    Ok((id, rights(p)?))
}

// ---- URLAUTH (RFC 4467) ----

/// `mechanism = "INTERNAL" / 1*(ALPHA / DIGIT / "-" / ".")`
fn mechanism<'a>(p: &mut Parser<'a>) -> PResult<Atom<'a>> {
    let m = p.take_while(|b| is_url_mechanism(&[b]));
    match core::str::from_utf8(m).ok().and_then(Atom::new) {
        Some(a) => Ok(a),
        None => p.err("URLAUTH mechanism"),
    }
}

/// `url-rump SP mechanism` (an element of `genurlauth`); `url-rump = astring`.
fn rump_mechanism<'a>(p: &mut Parser<'a>) -> PResult<(IString<'a>, Atom<'a>)> {
    let url = astring(p)?;
    p.sp()?;
    Ok((url, mechanism(p)?))
}

/// `url SP nstring` (an element of `urlfetch-data`).
fn url_data<'a>(p: &mut Parser<'a>) -> PResult<(IString<'a>, Option<IString<'a>>)> {
    let url = astring(p)?;
    p.sp()?;
    Ok((url, nstring(p)?))
}

/// `mechanism ["=" base64]` (an element of the URLMECH code).
fn url_mechanism<'a>(p: &mut Parser<'a>) -> PResult<UrlMechanism<'a>> {
    let name = mechanism(p)?;
    let data = if p.eat(b'=') {
        let d = p.take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
        if d.is_empty() {
            return p.err("base64");
        }
        Some(Cow::Borrowed(d))
    } else {
        None
    };
    Ok(UrlMechanism { name, data })
}

/// `1*(SP elem)`: at least one; the list of what followed the first SP.
fn one_or_more<'a, T>(
    p: &mut Parser<'a>,
    elem: fn(&mut Parser<'a>) -> PResult<T>,
    what: &'static str,
) -> PResult<List<'a, T>> {
    let s = p.pos + 1;
    while p.eat(b' ') {
        elem(p)?;
    }
    if p.pos < s {
        return p.err(what);
    }
    Ok(List::wire(&p.input[s..p.pos], elem, Sep::Space, p.ctx()))
}

/// `*(SP elem)` up to the end of the line (a trailing space tolerated under
/// [`Quirks::trailing_space`](super::Quirks)).
fn zero_or_more<'a, T>(
    p: &mut Parser<'a>,
    elem: fn(&mut Parser<'a>) -> PResult<T>,
) -> PResult<List<'a, T>> {
    let s = p.pos + 1;
    let mut e = p.pos;
    while p.peek() == Some(b' ') {
        if p.q.trailing_space && matches!(p.peek_at(1), Some(b'\r' | b'\n')) {
            p.pos += 1;
            break;
        }
        p.pos += 1;
        elem(p)?;
        e = p.pos;
    }
    Ok(List::wire(
        p.input.get(s..e).unwrap_or_default(),
        elem,
        Sep::Space,
        p.ctx(),
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
pub(crate) fn notify_event<'a>(p: &mut Parser<'a>) -> PResult<NotifyEvent<'a>> {
    use NotifyEvent as E;
    let a = atom(p)?;
    let is = |s: &str| a.eq_ignore_case(s);
    Ok(if is("MessageNew") {
        if p.peek() == Some(b' ') && p.peek_at(1) == Some(b'(') {
            p.pos += 1;
            E::MessageNew(Some(
                p.nom(|i| super::core::paren_list(i, fetch_att, true))?,
            ))
        } else {
            E::MessageNew(None)
        }
    } else if is("MessageExpunge") {
        E::MessageExpunge
    } else if is("FlagChange") {
        E::FlagChange
    } else if is("AnnotationChange") {
        E::AnnotationChange
    } else if is("MailboxName") {
        E::MailboxName
    } else if is("SubscriptionChange") {
        E::SubscriptionChange
    } else if is("MailboxMetadataChange") {
        E::MailboxMetadataChange
    } else if is("ServerMetadataChange") {
        E::ServerMetadataChange
    } else {
        E::Other(a)
    })
}

/// ```text
/// one-or-more-mailbox = mailbox / many-mailboxes
/// many-mailboxes      = "(" mailbox *(SP mailbox) ")"
/// ```
fn one_or_more_mailbox<'a>(p: &mut Parser<'a>) -> PResult<List<'a, Mailbox<'a>>> {
    if p.peek() == Some(b'(') {
        paren_list(p, mailbox, false)
    } else {
        let (raw, _) = p.recognize(mailbox)?;
        Ok(List::wire(raw, mailbox, Sep::Space, p.ctx()))
    }
}

/// ```text
/// filter-mailboxes          = filter-mailboxes-selected / filter-mailboxes-other
/// filter-mailboxes-selected = "selected" / "selected-delayed"
/// filter-mailboxes-other    = "inboxes" / "personal" / "subscribed" /
///                             ( "subtree" SP one-or-more-mailbox ) /
///                             ( "mailboxes" SP one-or-more-mailbox )
/// ```
fn mailbox_filter<'a>(p: &mut Parser<'a>) -> PResult<MailboxFilter<'a>> {
    Ok(if p.word(b"SELECTED-DELAYED") {
        MailboxFilter::SelectedDelayed
    } else if p.word(b"SELECTED") {
        MailboxFilter::Selected
    } else if p.word(b"INBOXES") {
        MailboxFilter::Inboxes
    } else if p.word(b"PERSONAL") {
        MailboxFilter::Personal
    } else if p.word(b"SUBSCRIBED") {
        MailboxFilter::Subscribed
    } else if p.word(b"SUBTREE") {
        p.sp()?;
        MailboxFilter::Subtree(one_or_more_mailbox(p)?)
    } else if p.word(b"MAILBOXES") {
        p.sp()?;
        MailboxFilter::Mailboxes(one_or_more_mailbox(p)?)
    } else {
        return p.err("filter-mailboxes");
    })
}

/// ```text
/// event-group = "(" filter-mailboxes SP events ")"
/// events      = ( "(" event *(SP event) ")" ) / "NONE"
/// ```
fn event_group<'a>(p: &mut Parser<'a>) -> PResult<EventGroup<'a>> {
    p.expect(b'(', "'(' of event-group")?;
    let filter = mailbox_filter(p)?;
    p.sp()?;
    let events = if p.word(b"NONE") {
        None
    } else {
        Some(paren_list(p, notify_event, false)?)
    };
    p.expect(b')', "')'")?;
    Ok(EventGroup { filter, events })
}

/// ```text
/// notify           = "NOTIFY" SP (notify-set / notify-none)
/// notify-set       = "SET" [status-indicator] SP event-groups
/// notify-none      = "NONE"
/// status-indicator = SP "STATUS"
/// event-groups     = event-group *(SP event-group)
/// ```
fn notify<'a>(p: &mut Parser<'a>) -> PResult<Notify<'a>> {
    p.sp()?;
    if p.word(b"NONE") {
        return Ok(Notify::None);
    }
    if !p.word(b"SET") {
        return p.err("SET or NONE");
    }
    let save = p.pos;
    let status = p.eat(b' ') && p.word(b"STATUS");
    if !status {
        p.pos = save;
    }
    let groups = one_or_more(p, event_group, "SP event-group")?;
    Ok(Notify::Set { status, groups })
}

// ---- CATENATE (RFC 4469) ----

/// ```text
/// cat-part     = text-literal / url
/// text-literal = "TEXT" SP literal
/// url          = "URL" SP astring
/// ```
fn cat_part<'a>(p: &mut Parser<'a>) -> PResult<CatenatePart<'a>> {
    if p.word(b"TEXT") {
        p.sp()?;
        if p.peek() != Some(b'{') {
            return p.err("literal");
        }
        let (data, _) = literal(p)?;
        Ok(CatenatePart::Text(Cow::Borrowed(data)))
    } else if p.word(b"URL") {
        p.sp()?;
        Ok(CatenatePart::Url(astring(p)?))
    } else {
        p.err("TEXT or URL")
    }
}

/// `append-opts = [flag-list SP] [date-time SP]` (the cursor is left after
/// the options); shared with plain APPEND.
#[allow(clippy::type_complexity)]
pub(crate) fn append_opts<'a>(
    p: &mut Parser<'a>,
) -> PResult<(
    Option<List<'a, crate::imap::types::core::Flag<'a>>>,
    Option<crate::imap::types::core::DateTime>,
)> {
    let mut flags = None;
    if p.peek() == Some(b'(') {
        flags = Some(flag_list(p)?);
        p.sp()?;
    }
    let mut date = None;
    if p.peek() == Some(b'"') {
        date = Some(date_time(p)?);
        p.sp()?;
    }
    Ok((flags, date))
}

/// ```text
/// append-message = append-opts SP append-data
/// append-data    = literal / literal8 / append-data-ext
/// append-data    =/ "CATENATE" SP "(" cat-part *(SP cat-part) ")"
/// ```
pub(crate) fn append_item<'a>(p: &mut Parser<'a>) -> PResult<AppendItem<'a>> {
    let start = p.pos;
    let (flags, date) = append_opts(p)?;
    if p.word(b"CATENATE") {
        p.sp()?;
        let parts = paren_list(p, cat_part, false)?;
        return Ok(AppendItem::Catenate { flags, date, parts });
    }
    p.pos = start;
    p.nom(append_message).map(AppendItem::Message)
}

/// Whether the append-message at the cursor uses CATENATE (looked at on a
/// copy of the cursor).
fn is_catenate(p: &Parser<'_>) -> bool {
    let mut q = p.clone();
    q.discard = true;
    append_opts(&mut q).is_ok() && q.word(b"CATENATE")
}

/// `append = "APPEND" SP mailbox 1*append-message` when one of the messages
/// uses CATENATE; `None` (cursor unmoved) otherwise, for the plain APPEND rule.
fn append_catenate<'a>(p: &mut Parser<'a>) -> PResult<Option<CommandBody<'a>>> {
    let save = p.pos;
    let mut seen = false;
    let r = (|| {
        p.sp()?;
        let mailbox = mailbox(p)?;
        let s = p.pos + 1;
        while p.eat(b' ') {
            seen |= is_catenate(p);
            append_item(p)?;
        }
        if p.pos < s {
            return p.err("SP append-message");
        }
        Ok(CommandBody::AppendCatenate {
            mailbox,
            messages: List::wire(&p.input[s..p.pos], append_item, Sep::Space, p.ctx()),
        })
    })();
    match r {
        Ok(c) if seen => Ok(Some(c)),
        Err(e) if seen => Err(e),
        _ => {
            p.pos = save;
            Ok(None)
        }
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
/// `None` (cursor unmoved) for any other name.
pub(crate) fn command<'a>(p: &mut Parser<'a>, name: &[u8]) -> PResult<Option<CommandBody<'a>>> {
    let is = |s: &[u8]| name.eq_ignore_ascii_case(s);
    let c = if is(b"APPEND") {
        return append_catenate(p);
    } else if is(b"SETACL") {
        // setacl = "SETACL" SP mailbox SP identifier SP mod-rights
        p.sp()?;
        let mailbox = mailbox(p)?;
        p.sp()?;
        let identifier = astring(p)?;
        p.sp()?;
        CommandBody::SetAcl {
            mailbox,
            identifier,
            rights: mod_rights(p)?,
        }
    } else if is(b"DELETEACL") || is(b"LISTRIGHTS") {
        // deleteacl = "DELETEACL" SP mailbox SP identifier
        // listrights = "LISTRIGHTS" SP mailbox SP identifier
        p.sp()?;
        let mailbox = mailbox(p)?;
        p.sp()?;
        let identifier = astring(p)?;
        if is(b"DELETEACL") {
            CommandBody::DeleteAcl {
                mailbox,
                identifier,
            }
        } else {
            CommandBody::ListRights {
                mailbox,
                identifier,
            }
        }
    } else if is(b"GETACL") {
        // getacl = "GETACL" SP mailbox
        p.sp()?;
        CommandBody::GetAcl(mailbox(p)?)
    } else if is(b"MYRIGHTS") {
        // myrights = "MYRIGHTS" SP mailbox
        p.sp()?;
        CommandBody::MyRights(mailbox(p)?)
    } else if is(b"NOTIFY") {
        CommandBody::Notify(notify(p)?)
    } else if is(b"RESETKEY") {
        // resetkey = "RESETKEY" [SP mailbox *(SP mechanism)]
        let mut mb = None;
        let mut mechanisms = List::wire(&p.input[0..0], mechanism, Sep::Space, p.ctx());
        if p.eat(b' ') {
            mb = Some(mailbox(p)?);
            let s = p.pos + 1;
            while p.eat(b' ') {
                mechanism(p)?;
            }
            mechanisms = List::wire(
                p.input.get(s..p.pos).unwrap_or_default(),
                mechanism,
                Sep::Space,
                p.ctx(),
            );
        }
        CommandBody::ResetKey {
            mailbox: mb,
            mechanisms,
        }
    } else if is(b"GENURLAUTH") {
        // genurlauth = "GENURLAUTH" 1*(SP url-rump SP mechanism)
        CommandBody::GenUrlAuth(one_or_more(p, rump_mechanism, "SP url-rump")?)
    } else if is(b"URLFETCH") {
        // urlfetch = "URLFETCH" 1*(SP url)
        CommandBody::UrlFetch(one_or_more(p, astring, "SP url")?)
    } else {
        return Ok(None);
    };
    Ok(Some(c))
}

/// The untagged responses of ACL and URLAUTH, at their name; `None` (cursor
/// unmoved) for any other.
pub(crate) fn data<'a>(p: &mut Parser<'a>) -> PResult<Option<Data<'a>>> {
    let d = if p.word(b"ACL") {
        // acl-data = "ACL" SP mailbox *(SP identifier SP rights)
        p.sp()?;
        let mailbox = mailbox(p)?;
        Data::Acl {
            mailbox,
            entries: zero_or_more(p, acl_entry)?,
        }
    } else if p.word(b"LISTRIGHTS") {
        // listrights-data = "LISTRIGHTS" SP mailbox SP identifier SP rights *(SP rights)
        p.sp()?;
        let mailbox = mailbox(p)?;
        p.sp()?;
        let identifier = astring(p)?;
        p.sp()?;
        let required = rights(p)?;
        Data::ListRights {
            mailbox,
            identifier,
            required,
            optional: zero_or_more(p, rights)?,
        }
    } else if p.word(b"MYRIGHTS") {
        // myrights-data = "MYRIGHTS" SP mailbox SP rights
        p.sp()?;
        let mailbox = mailbox(p)?;
        p.sp()?;
        Data::MyRights {
            mailbox,
            rights: rights(p)?,
        }
    } else if p.word(b"GENURLAUTH") {
        // genurlauth-data = "*" SP "GENURLAUTH" 1*(SP url-full) ; url-full = astring
        Data::GenUrlAuth(one_or_more(p, astring, "SP url-full")?)
    } else if p.word(b"URLFETCH") {
        // urlfetch-data = "*" SP "URLFETCH" 1*(SP url SP nstring)
        Data::UrlFetch(one_or_more(p, url_data, "SP url SP nstring")?)
    } else {
        return Ok(None);
    };
    Ok(Some(d))
}

/// ```text
/// resp-text-code =/ "TOOBIG" / "BADURL" SP url-resp-text        ; RFC 4469
/// url-resp-text   = 1*(%x01-09 / %x0B-0C / %x0E-5C / %x5E-FE)
/// resp-text-code =/ "URLMECH" SP "INTERNAL" *(SP mechanism ["=" base64])   ; RFC 4467
/// resp-text-code =/ "NOTIFICATIONOVERFLOW" / unsupported-events-code      ; RFC 5465
/// unsupported-events-code = "BADEVENT" SP "(" event *(SP event) ")"
/// ```
/// `None` (cursor unmoved) for another code name or arguments that do not
/// parse, which the caller keeps as [`Code::Other`].
pub(crate) fn code<'a>(p: &mut Parser<'a>, name: &str) -> Option<Code<'a>> {
    let is = |s: &str| name.eq_ignore_ascii_case(s);
    let mut q = p.clone();
    let r: PResult<Code<'a>> = (|| {
        Ok(if is("TOOBIG") {
            Code::TooBig
        } else if is("NOTIFICATIONOVERFLOW") {
            Code::NotificationOverflow
        } else if is("BADURL") {
            q.sp()?;
            let u = q.take_while(|b| !matches!(b, b']' | b'\r' | b'\n' | 0));
            if u.is_empty() {
                return q.err("url-resp-text");
            }
            Code::BadUrl(IString(Cow::Borrowed(u)))
        } else if is("URLMECH") {
            q.sp()?;
            if !q.word(b"INTERNAL") {
                return q.err("INTERNAL");
            }
            let s = q.pos + 1;
            while q.eat(b' ') {
                url_mechanism(&mut q)?;
            }
            Code::UrlMech(List::wire(
                q.input.get(s..q.pos).unwrap_or_default(),
                url_mechanism,
                Sep::Space,
                q.ctx(),
            ))
        } else if is("BADEVENT") {
            q.sp()?;
            Code::BadEvent(paren_list(&mut q, notify_event, false)?)
        } else {
            return q.err("code");
        })
    })();
    let c = r.ok()?;
    *p = q;
    Some(c)
}
