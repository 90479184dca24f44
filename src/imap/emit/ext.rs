//! Emitting the commands, responses and response codes of ACL (RFC 4314
//! §3–§4), CATENATE (RFC 4469 §5), NOTIFY (RFC 5465 §8) and URLAUTH
//! (RFC 4467 §7). Rights are checked again (lowercase letters and digits
//! only), lists that the grammar wants non-empty are refused when empty, and
//! URLs go out as astrings, so no value can change the line structure.

use super::W;
use super::command::fetch_att;
use crate::Error;
use crate::imap::types::command::{AppendMessage, CommandBody};
use crate::imap::types::core::{DateTime, Flag, List, Mailbox};
use crate::imap::types::ext::{
    AppendItem, CatenatePart, EventGroup, MailboxFilter, ModRights, Notify, NotifyEvent, Rights,
    RightsMode, UrlMechanism, is_right, is_url_mechanism,
};
use crate::imap::types::response::{Code, Data};

/// `rights = astring`, only lowercase ASCII letters and digits.
fn rights(w: &mut W<'_>, r: &Rights<'_>) -> Result<(), Error> {
    if !r.as_str().bytes().all(is_right) {
        return Err(Error::Emit(crate::error::Unemittable::Grammar {
            rule: "rights",
        }));
    }
    w.astring(r.as_str().as_bytes())
}

/// `mod-rights = astring ; +rights to add, -rights to remove, rights to replace`
fn mod_rights(w: &mut W<'_>, m: &ModRights<'_>) -> Result<(), Error> {
    let r = m.rights.as_str();
    if !r.bytes().all(is_right) {
        return Err(Error::Emit(crate::error::Unemittable::Grammar {
            rule: "rights",
        }));
    }
    match m.mode {
        RightsMode::Replace => return w.astring(r.as_bytes()),
        RightsMode::Add => w.raw(b"+"),
        RightsMode::Remove => w.raw(b"-"),
    }
    w.raw(r.as_bytes());
    Ok(())
}

/// `mechanism = "INTERNAL" / 1*(ALPHA / DIGIT / "-" / ".")`
fn mechanism(w: &mut W<'_>, name: &str) -> Result<(), Error> {
    if !is_url_mechanism(name.as_bytes()) {
        return Err(Error::Emit(crate::error::Unemittable::Grammar {
            rule: "mechanism",
        }));
    }
    w.raw(name.as_bytes());
    Ok(())
}

fn append_opts(
    w: &mut W<'_>,
    flags: &Option<List<'_, Flag<'_>>>,
    date: &Option<DateTime>,
) -> Result<(), Error> {
    if let Some(f) = flags {
        w.flag_list(f)?;
        w.sp();
    }
    if let Some(d) = date {
        w.date_time(d)?;
        w.sp();
    }
    Ok(())
}

/// ```text
/// append-message = append-opts SP append-data
/// append-data    = literal / literal8 / "CATENATE" SP "(" cat-part *(SP cat-part) ")"
/// cat-part       = text-literal / url
/// text-literal   = "TEXT" SP literal
/// url            = "URL" SP astring
/// ```
fn append_item(w: &mut W<'_>, item: &AppendItem<'_>) -> Result<(), Error> {
    match item {
        AppendItem::Message(AppendMessage {
            flags,
            date,
            data,
            binary,
        }) => {
            append_opts(w, flags, date)?;
            w.literal(data, *binary)
        }
        AppendItem::Catenate { flags, date, parts } => {
            append_opts(w, flags, date)?;
            w.raw(b"CATENATE (");
            let mut any = false;
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    w.sp();
                }
                any = true;
                match part {
                    CatenatePart::Text(t) => {
                        w.raw(b"TEXT ");
                        w.literal(&t, false)?;
                    }
                    CatenatePart::Url(u) => {
                        w.raw(b"URL ");
                        w.astring(u.as_bytes())?;
                    }
                }
            }
            if !any {
                return Err(Error::Emit(crate::error::Unemittable::Missing {
                    what: "CATENATE part",
                }));
            }
            w.raw(b")");
            Ok(())
        }
    }
}

/// `one-or-more-mailbox = mailbox / many-mailboxes`
fn mailboxes(w: &mut W<'_>, l: &List<'_, Mailbox<'_>>) -> Result<(), Error> {
    let v = l.to_vec();
    match v.as_slice() {
        [] => Err(Error::Emit(crate::error::Unemittable::Missing {
            what: "NOTIFY filter mailbox",
        })),
        [one] => w.mailbox(one),
        many => {
            w.raw(b"(");
            for (i, m) in many.iter().enumerate() {
                if i > 0 {
                    w.sp();
                }
                w.mailbox(m)?;
            }
            w.raw(b")");
            Ok(())
        }
    }
}

/// `event = message-event / mailbox-event / user-event / event-ext`
fn event(w: &mut W<'_>, e: &NotifyEvent<'_>) -> Result<(), Error> {
    match e {
        NotifyEvent::Other(a) => {
            const KNOWN: [&str; 8] = [
                "MessageNew",
                "MessageExpunge",
                "FlagChange",
                "AnnotationChange",
                "MailboxName",
                "SubscriptionChange",
                "MailboxMetadataChange",
                "ServerMetadataChange",
            ];
            if KNOWN.iter().any(|k| a.eq_ignore_case(k)) {
                return Err(Error::Emit(crate::error::Unemittable::NonCanonical));
            }
            w.atom(a)?;
        }
        other => w.raw(other.name().as_bytes()),
    }
    if let NotifyEvent::MessageNew(Some(atts)) = e {
        w.raw(b" (");
        for (i, a) in atts.iter().enumerate() {
            if i > 0 {
                w.sp();
            }
            fetch_att(w, &a)?;
        }
        w.raw(b")");
    }
    Ok(())
}

/// `"(" event *(SP event) ")"`
fn events(w: &mut W<'_>, l: &List<'_, NotifyEvent<'_>>) -> Result<(), Error> {
    w.raw(b"(");
    let mut any = false;
    for (i, e) in l.iter().enumerate() {
        if i > 0 {
            w.sp();
        }
        any = true;
        event(w, &e)?;
    }
    if !any {
        return Err(Error::Emit(crate::error::Unemittable::Missing {
            what: "NOTIFY event",
        }));
    }
    w.raw(b")");
    Ok(())
}

/// `event-group = "(" filter-mailboxes SP events ")"`
fn event_group(w: &mut W<'_>, g: &EventGroup<'_>) -> Result<(), Error> {
    w.raw(b"(");
    match &g.filter {
        MailboxFilter::Selected => w.raw(b"SELECTED"),
        MailboxFilter::SelectedDelayed => w.raw(b"SELECTED-DELAYED"),
        MailboxFilter::Inboxes => w.raw(b"INBOXES"),
        MailboxFilter::Personal => w.raw(b"PERSONAL"),
        MailboxFilter::Subscribed => w.raw(b"SUBSCRIBED"),
        MailboxFilter::Subtree(l) => {
            w.raw(b"SUBTREE ");
            mailboxes(w, l)?;
        }
        MailboxFilter::Mailboxes(l) => {
            w.raw(b"MAILBOXES ");
            mailboxes(w, l)?;
        }
    }
    w.sp();
    match &g.events {
        None => w.raw(b"NONE"),
        Some(l) => events(w, l)?,
    }
    w.raw(b")");
    Ok(())
}

/// `notify = "NOTIFY" SP (notify-set / notify-none)`
fn notify(w: &mut W<'_>, n: &Notify<'_>) -> Result<(), Error> {
    w.raw(b"NOTIFY ");
    match n {
        Notify::None => w.raw(b"NONE"),
        Notify::Set { status, groups } => {
            w.raw(b"SET");
            if *status {
                w.raw(b" STATUS");
            }
            let mut any = false;
            for g in groups.iter() {
                any = true;
                w.sp();
                event_group(w, &g)?;
            }
            if !any {
                return Err(Error::Emit(crate::error::Unemittable::Missing {
                    what: "NOTIFY SET event group",
                }));
            }
        }
    }
    Ok(())
}

/// The commands of ACL, CATENATE, NOTIFY and URLAUTH.
pub(crate) fn command(w: &mut W<'_>, c: &CommandBody<'_>) -> Result<(), Error> {
    use CommandBody as C;
    match c {
        C::AppendCatenate { mailbox, messages } => {
            w.raw(b"APPEND ");
            w.mailbox(mailbox)?;
            let mut any = false;
            let mut catenate = false;
            for m in messages.iter() {
                any = true;
                catenate |= matches!(m, AppendItem::Catenate { .. });
                w.sp();
                append_item(w, &m)?;
            }
            if !any {
                return Err(Error::Emit(crate::error::Unemittable::Missing {
                    what: "APPEND message",
                }));
            }
            if !catenate {
                return Err(Error::Emit(crate::error::Unemittable::NonCanonical));
            }
        }
        C::SetAcl {
            mailbox,
            identifier,
            rights: r,
        } => {
            w.raw(b"SETACL ");
            w.mailbox(mailbox)?;
            w.sp();
            w.astring(identifier.as_bytes())?;
            w.sp();
            mod_rights(w, r)?;
        }
        C::DeleteAcl {
            mailbox,
            identifier,
        }
        | C::ListRights {
            mailbox,
            identifier,
        } => {
            w.raw(c.name().as_bytes());
            w.sp();
            w.mailbox(mailbox)?;
            w.sp();
            w.astring(identifier.as_bytes())?;
        }
        C::GetAcl(m) | C::MyRights(m) => {
            w.raw(c.name().as_bytes());
            w.sp();
            w.mailbox(m)?;
        }
        C::Notify(n) => notify(w, n)?,
        C::ResetKey {
            mailbox,
            mechanisms,
        } => {
            w.raw(b"RESETKEY");
            match mailbox {
                Some(m) => {
                    w.sp();
                    w.mailbox(m)?;
                    for a in mechanisms.iter() {
                        w.sp();
                        mechanism(w, a.as_str())?;
                    }
                }
                None if !mechanisms.is_empty() => {
                    return Err(Error::Emit(crate::error::Unemittable::Missing {
                        what: "RESETKEY mailbox",
                    }));
                }
                None => {}
            }
        }
        C::GenUrlAuth(l) => {
            w.raw(b"GENURLAUTH");
            let mut any = false;
            for (url, mech) in l.iter() {
                any = true;
                w.sp();
                w.astring(url.as_bytes())?;
                w.sp();
                mechanism(w, mech.as_str())?;
            }
            if !any {
                return Err(Error::Emit(crate::error::Unemittable::Missing {
                    what: "GENURLAUTH URL",
                }));
            }
        }
        C::UrlFetch(l) => {
            w.raw(b"URLFETCH");
            let mut any = false;
            for url in l.iter() {
                any = true;
                w.sp();
                w.astring(url.as_bytes())?;
            }
            if !any {
                return Err(Error::Emit(crate::error::Unemittable::Missing {
                    what: "URLFETCH URL",
                }));
            }
        }
        _ => {
            return Err(Error::Emit(crate::error::Unemittable::NotThisExtension));
        }
    }
    Ok(())
}

/// The untagged responses of ACL and URLAUTH.
pub(crate) fn data(w: &mut W<'_>, d: &Data<'_>) -> Result<(), Error> {
    match d {
        Data::Acl { mailbox, entries } => {
            // acl-data = "ACL" SP mailbox *(SP identifier SP rights)
            w.raw(b"ACL ");
            w.mailbox(mailbox)?;
            for (id, r) in entries.iter() {
                w.sp();
                w.astring(id.as_bytes())?;
                w.sp();
                rights(w, &r)?;
            }
        }
        Data::ListRights {
            mailbox,
            identifier,
            required,
            optional,
        } => {
            // listrights-data = "LISTRIGHTS" SP mailbox SP identifier SP rights *(SP rights)
            w.raw(b"LISTRIGHTS ");
            w.mailbox(mailbox)?;
            w.sp();
            w.astring(identifier.as_bytes())?;
            w.sp();
            rights(w, required)?;
            for r in optional.iter() {
                w.sp();
                rights(w, &r)?;
            }
        }
        Data::MyRights { mailbox, rights: r } => {
            // myrights-data = "MYRIGHTS" SP mailbox SP rights
            w.raw(b"MYRIGHTS ");
            w.mailbox(mailbox)?;
            w.sp();
            rights(w, r)?;
        }
        Data::GenUrlAuth(l) => {
            // genurlauth-data = "*" SP "GENURLAUTH" 1*(SP url-full)
            w.raw(b"GENURLAUTH");
            let mut any = false;
            for u in l.iter() {
                any = true;
                w.sp();
                w.astring(u.as_bytes())?;
            }
            if !any {
                return Err(Error::Emit(crate::error::Unemittable::Missing {
                    what: "GENURLAUTH URL",
                }));
            }
        }
        Data::UrlFetch(l) => {
            // urlfetch-data = "*" SP "URLFETCH" 1*(SP url SP nstring)
            w.raw(b"URLFETCH");
            let mut any = false;
            for (u, data) in l.iter() {
                any = true;
                w.sp();
                w.astring(u.as_bytes())?;
                w.sp();
                w.nstring(&data)?;
            }
            if !any {
                return Err(Error::Emit(crate::error::Unemittable::Missing {
                    what: "URLFETCH URL",
                }));
            }
        }
        _ => return Err(Error::Emit(crate::error::Unemittable::NotThisExtension)),
    }
    Ok(())
}

fn url_mechanism(w: &mut W<'_>, m: &UrlMechanism<'_>) -> Result<(), Error> {
    mechanism(w, m.name.as_str())?;
    if let Some(d) = &m.data {
        if d.is_empty()
            || !d
                .iter()
                .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'='))
        {
            return Err(Error::Emit(crate::error::Unemittable::NotBase64 {
                field: "URLMECH data",
            }));
        }
        w.raw(b"=");
        w.raw(d);
    }
    Ok(())
}

/// The response codes of CATENATE, NOTIFY and URLAUTH.
pub(crate) fn code(w: &mut W<'_>, c: &Code<'_>) -> Result<(), Error> {
    match c {
        Code::TooBig => w.raw(b"TOOBIG"),
        Code::NotificationOverflow => w.raw(b"NOTIFICATIONOVERFLOW"),
        Code::BadUrl(u) => {
            // "BADURL" SP url-resp-text ; any TEXT-CHAR except "]"
            let b = u.as_bytes();
            if b.is_empty() || b.contains(&b']') || !crate::wire::line::is_line_safe(b) {
                return Err(Error::Emit(crate::error::Unemittable::Grammar {
                    rule: "resp-text-code",
                }));
            }
            w.raw(b"BADURL ");
            w.raw(b);
        }
        Code::UrlMech(l) => {
            // "URLMECH" SP "INTERNAL" *(SP mechanism ["=" base64])
            w.raw(b"URLMECH INTERNAL");
            for m in l.iter() {
                w.sp();
                url_mechanism(w, &m)?;
            }
        }
        Code::BadEvent(l) => {
            // "BADEVENT" SP "(" event *(SP event) ")"
            w.raw(b"BADEVENT ");
            events(w, l)?;
        }
        _ => return Err(Error::Emit(crate::error::Unemittable::NotThisExtension)),
    }
    Ok(())
}
