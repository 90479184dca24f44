//! Emitting responses (RFC 9051 §7 and the extensions of
//! [`Data`](crate::imap::Data)), ENVELOPE and BODYSTRUCTURE included.

use crate::imap::base::namespace::emit::*;
use crate::imap::base::sort::emit::*;
use bytes::BufMut;

use crate::Error;
use crate::imap::base::fetch::emit::fetch_item;
use crate::imap::base::status::emit::status_item;
use crate::imap::syntax::core::{List, Tag};
use crate::imap::syntax::write::{EmitOptions, Emitted, W, emit_into, emit_with};
use crate::imap::syntax::write::{num_code, objectid};
use crate::imap::types::response::{
    Code, Continue, Data, FetchItem, MetadataEntries, Response, StatusKind, StatusResponse,
};

/// Writes `response` (CRLF included) to `out`.
///
/// ```
/// use mailwire::imap::{emit::{emit_response, EmitOptions}, Response, Data};
/// let mut out = Vec::new();
/// emit_response(&Response::Data(Data::Exists(3)), &mut out, &EmitOptions::default()).unwrap();
/// assert_eq!(out, b"* 3 EXISTS\r\n");
/// ```
pub fn emit_response(
    response: &Response<'_>,
    out: &mut impl BufMut,
    opts: &EmitOptions,
) -> Result<Emitted, Error> {
    emit_with(out, *opts, true, |w| response_body(w, response))
}

/// [`emit_response`] straight into a server's output buffer (nothing is left
/// there when it fails).
pub(crate) fn emit_response_into(
    r: &Response<'_>,
    out: &mut bytes::BytesMut,
    opts: &EmitOptions,
) -> Result<(), Error> {
    emit_into(out, *opts, true, |w| response_body(w, r))
}

/// Untagged data (`* ...` CRLF) straight into a server's output buffer.
pub(crate) fn emit_data_into(
    d: &Data<'_>,
    out: &mut bytes::BytesMut,
    opts: &EmitOptions,
) -> Result<(), Error> {
    emit_into(out, *opts, true, |w| {
        w.raw(b"* ");
        data(w, d)?;
        w.crlf();
        Ok(())
    })
}

/// Part of a streamed FETCH response straight into a server's output
/// buffer: `* n FETCH (` (or `* uid UIDFETCH (`) when `head` is given, then `items` separated by
/// SP (with a leading SP when `lead_sp`).
pub(crate) fn emit_fetch_items_into(
    out: &mut bytes::BytesMut,
    opts: &EmitOptions,
    head: Option<(u32, &[u8])>,
    lead_sp: bool,
    items: &[FetchItem<'_>],
) -> Result<(), Error> {
    emit_into(out, *opts, true, |w| {
        // `* n FETCH (` or `* uid UIDFETCH (`
        if let Some((n, word)) = head {
            w.raw(b"* ");
            w.num(u64::from(n));
            w.raw(word);
        }
        for (i, it) in items.iter().enumerate() {
            if i > 0 || lead_sp {
                w.sp();
            }
            fetch_item(w, it)?;
        }
        Ok(())
    })
}

/// `response`, CRLF included.
fn response_body(w: &mut W<'_>, response: &Response<'_>) -> Result<(), Error> {
    match response {
        Response::Status(s) => status(w, s)?,
        Response::Data(d) => {
            w.raw(b"* ");
            data(w, d)?;
        }
        Response::Continue(Continue::Base64(b)) => {
            if !b
                .iter()
                .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'='))
            {
                return Err(Error::Emit(crate::error::Unemittable::NotBase64 {
                    field: "continuation data",
                }));
            }
            w.raw(b"+ ");
            w.raw(b);
        }
        Response::Continue(Continue::Text { code: c, text }) => {
            w.raw(b"+ ");
            resp_text(w, c.as_ref(), text.as_bytes())?;
        }
    }
    w.crlf();
    Ok(())
}

/// Writes a greeting (`* OK`, `* PREAUTH` or `* BYE`).
///
/// ```
/// use mailwire::imap::{emit_greeting, EmitOptions, StatusKind, StatusResponse, Tag};
/// use mailwire::text::Text;
///
/// // RFC 3501 §8: S: * OK IMAP4rev1 Service Ready
/// let mut greeting = StatusResponse { tag: None, kind: StatusKind::Ok, code: None, text: Text::from("IMAP4rev1 Service Ready") };
/// let mut out = Vec::new();
/// emit_greeting(&greeting, &mut out, &EmitOptions::default()).unwrap();
/// assert_eq!(out, b"* OK IMAP4rev1 Service Ready\r\n");
/// // a tagged line or a NO is no greeting (RFC 9051 §9 greeting)
/// greeting.kind = StatusKind::No;
/// assert!(emit_greeting(&greeting, &mut Vec::new(), &EmitOptions::default()).is_err());
/// greeting.kind = StatusKind::Ok;
/// greeting.tag = Tag::new("a1");
/// assert!(emit_greeting(&greeting, &mut Vec::new(), &EmitOptions::default()).is_err());
/// ```
pub fn emit_greeting(
    greeting: &StatusResponse<'_>,
    out: &mut impl BufMut,
    opts: &EmitOptions,
) -> Result<Emitted, Error> {
    if greeting.tag.is_some()
        || !matches!(
            greeting.kind,
            StatusKind::Ok | StatusKind::PreAuth | StatusKind::Bye
        )
    {
        return Err(Error::Emit(crate::error::Unemittable::StatusNotAllowed));
    }
    emit_response(&Response::Status(greeting.clone()), out, opts)
}

fn status(w: &mut W<'_>, s: &StatusResponse<'_>) -> Result<(), Error> {
    status_parts(
        w,
        s.tag.as_ref().map(Tag::as_str),
        s.kind,
        s.code.as_ref(),
        s.text.as_bytes(),
    )
}

/// A status response from its parts (the tag already validated).
fn status_parts(
    w: &mut W<'_>,
    tag: Option<&str>,
    kind: StatusKind,
    code: Option<&Code<'_>>,
    text: &[u8],
) -> Result<(), Error> {
    match tag {
        Some(t) => {
            if !matches!(kind, StatusKind::Ok | StatusKind::No | StatusKind::Bad) {
                return Err(Error::Emit(crate::error::Unemittable::StatusNotAllowed));
            }
            w.raw(t.as_bytes());
        }
        None => w.raw(b"*"),
    }
    w.sp();
    w.raw(kind.as_str().as_bytes());
    w.sp();
    resp_text(w, code, text)
}

/// A status response line (CRLF included) straight into a server's output
/// buffer, from its parts: `tag` is a valid [`Tag`] (checked by the caller),
/// and `code` and `text` need not share a lifetime.
pub(crate) fn emit_status_into(
    out: &mut bytes::BytesMut,
    opts: &EmitOptions,
    tag: Option<&Tag<'_>>,
    kind: StatusKind,
    code: Option<&Code<'_>>,
    text: &[u8],
) -> Result<(), Error> {
    emit_into(out, *opts, true, |w| {
        status_parts(w, tag.map(Tag::as_str), kind, code, text)?;
        w.crlf();
        Ok(())
    })
}

fn resp_text(w: &mut W<'_>, c: Option<&Code<'_>>, text: &[u8]) -> Result<(), Error> {
    if let Some(c) = c {
        w.raw(b"[");
        code(w, c)?;
        w.raw(b"] ");
    } else if text.first() == Some(&b'[') {
        return Err(Error::Emit(crate::error::Unemittable::TextReadsAsCode));
    }
    w.text(text)
}

fn code(w: &mut W<'_>, c: &Code<'_>) -> Result<(), Error> {
    let name: &[u8] = match c {
        Code::Alert => b"ALERT",
        Code::BadCharset(l) => {
            w.raw(b"BADCHARSET");
            if let Some(l) = l {
                w.raw(b" (");
                for (i, cs) in l.iter().enumerate() {
                    if i > 0 {
                        w.sp();
                    }
                    w.astring(cs.as_bytes())?;
                }
                w.raw(b")");
            }
            return Ok(());
        }
        Code::Capability(l) => {
            w.raw(b"CAPABILITY");
            for a in l.iter() {
                w.sp();
                w.atom(&a)?;
            }
            return Ok(());
        }
        Code::Parse => b"PARSE",
        Code::PermanentFlags(l) => {
            w.raw(b"PERMANENTFLAGS ");
            return w.flag_list(l);
        }
        Code::ReadOnly => b"READ-ONLY",
        Code::ReadWrite => b"READ-WRITE",
        Code::TryCreate => b"TRYCREATE",
        Code::UidNext(n) => return num_code(w, b"UIDNEXT", u64::from(*n)),
        Code::UidValidity(n) => return num_code(w, b"UIDVALIDITY", u64::from(*n)),
        Code::Unseen(n) => return num_code(w, b"UNSEEN", u64::from(*n)),
        Code::AppendUid { uid_validity, uids } => {
            num_code(w, b"APPENDUID", u64::from(*uid_validity))?;
            w.sp();
            w.seq(uids);
            return Ok(());
        }
        Code::CopyUid {
            uid_validity,
            source,
            destination,
        } => {
            num_code(w, b"COPYUID", u64::from(*uid_validity))?;
            w.sp();
            w.seq(source);
            w.sp();
            w.seq(destination);
            return Ok(());
        }
        Code::UidNotSticky => b"UIDNOTSTICKY",
        Code::HighestModSeq(n) => return num_code(w, b"HIGHESTMODSEQ", *n),
        Code::NoModSeq => b"NOMODSEQ",
        Code::Modified(s) => {
            w.raw(b"MODIFIED ");
            w.seq(s);
            return Ok(());
        }
        Code::Closed => b"CLOSED",
        Code::CompressionActive => b"COMPRESSIONACTIVE",
        Code::UnknownCte => b"UNKNOWN-CTE",
        Code::HasChildren => b"HASCHILDREN",
        Code::Unavailable => b"UNAVAILABLE",
        Code::AuthenticationFailed => b"AUTHENTICATIONFAILED",
        Code::AuthorizationFailed => b"AUTHORIZATIONFAILED",
        Code::Expired => b"EXPIRED",
        Code::PrivacyRequired => b"PRIVACYREQUIRED",
        Code::ContactAdmin => b"CONTACTADMIN",
        Code::NoPerm => b"NOPERM",
        Code::InUse => b"INUSE",
        Code::ExpungeIssued => b"EXPUNGEISSUED",
        Code::Corruption => b"CORRUPTION",
        Code::ServerBug => b"SERVERBUG",
        Code::ClientBug => b"CLIENTBUG",
        Code::Cannot => b"CANNOT",
        Code::Limit => b"LIMIT",
        Code::OverQuota => b"OVERQUOTA",
        Code::AlreadyExists => b"ALREADYEXISTS",
        Code::NonExistent => b"NONEXISTENT",
        Code::MailboxId(id) => {
            w.raw(b"MAILBOXID (");
            objectid(w, id)?;
            w.raw(b")");
            return Ok(());
        }
        Code::TooBig
        | Code::BadUrl(_)
        | Code::UrlMech(_)
        | Code::NotificationOverflow
        | Code::BadEvent(_)
        | Code::NoUpdate(_) => return crate::imap::registry::emit_code(w, c),
        Code::InProgress(_) => return crate::imap::registry::emit_code(w, c),
        Code::MessageLimit(_) => return crate::imap::registry::emit_code(w, c),
        Code::UidRequired => crate::imap::ext::uidonly::UIDREQUIRED,
        Code::Other { name, value } => {
            w.atom(name)?;
            if let Some(v) = value {
                if v.contains(&b']') || !crate::wire::line::is_line_safe(v) {
                    return Err(Error::Emit(crate::error::Unemittable::Grammar {
                        rule: "resp-text-code",
                    }));
                }
                w.sp();
                w.raw(v);
            }
            return Ok(());
        }
    };
    w.raw(name);
    Ok(())
}

fn numbers(w: &mut W<'_>, l: &List<'_, u32>) {
    for n in l.iter() {
        w.sp();
        w.num(u64::from(n));
    }
}

fn data(w: &mut W<'_>, d: &Data<'_>) -> Result<(), Error> {
    match d {
        Data::Capability(l) | Data::Enabled(l) => {
            w.raw(if matches!(d, Data::Capability(_)) {
                b"CAPABILITY"
            } else {
                b"ENABLED"
            });
            crate::imap::base::capability::emit::capability_list(w, l)?;
        }
        Data::List(m) | Data::Lsub(m) => {
            w.raw(if matches!(d, Data::List(_)) {
                b"LIST ("
            } else {
                b"LSUB ("
            });
            crate::imap::base::list::emit::mailbox_list(w, m)?;
        }
        Data::Xlist(m) => {
            w.raw(b"XLIST (");
            crate::imap::base::list::emit::mailbox_list(w, m)?;
        }
        Data::Namespace {
            personal,
            other,
            shared,
        } => {
            w.raw(b"NAMESPACE");
            for ns in [personal, other, shared] {
                w.sp();
                namespace(w, ns)?;
            }
        }
        Data::Status { mailbox, items } => {
            w.raw(b"STATUS ");
            w.mailbox(mailbox)?;
            w.raw(b" (");
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    w.sp();
                }
                status_item(w, &it)?;
            }
            w.raw(b")");
        }
        Data::Search { ids, modseq } | Data::Sort { ids, modseq } => {
            w.raw(if matches!(d, Data::Search { .. }) {
                b"SEARCH"
            } else {
                b"SORT"
            });
            numbers(w, ids);
            if let Some(m) = modseq {
                w.raw(b" (MODSEQ ");
                w.num(*m);
                w.raw(b")");
            }
        }
        Data::ESearch(e) => crate::imap::ext::esearch::emit::esearch(w, e)?,
        Data::Flags(l) => {
            w.raw(b"FLAGS ");
            w.flag_list(l)?;
        }
        Data::Exists(n) => {
            w.num(u64::from(*n));
            w.raw(b" EXISTS");
        }
        Data::Recent(n) => {
            w.num(u64::from(*n));
            w.raw(b" RECENT");
        }
        Data::Expunge(n) => {
            w.num(u64::from(*n));
            w.raw(b" EXPUNGE");
        }
        Data::Vanished { earlier, uids } => {
            w.raw(if *earlier {
                b"VANISHED (EARLIER) "
            } else {
                b"VANISHED "
            });
            // RFC 7162 §7: known-uids, no "*"
            crate::imap::base::select::emit::known_set(w, uids)?;
        }
        Data::Fetch { seq, items } => {
            w.num(u64::from(*seq));
            w.raw(b" FETCH (");
            // by reference: a built list's items (FLAGS lists...) are not cloned
            items.try_each(|i, it| {
                if i > 0 {
                    w.sp();
                }
                fetch_item(w, it)
            })?;
            w.raw(b")");
        }
        Data::UidFetch { uid, items } => {
            if *uid == 0 {
                return Err(Error::Emit(crate::error::Unemittable::Zero {
                    field: "uniqueid",
                }));
            }
            w.num(u64::from(*uid));
            w.raw(b" UIDFETCH (");
            items.try_each(|i, it| {
                if i > 0 {
                    w.sp();
                }
                fetch_item(w, it)
            })?;
            w.raw(b")");
        }
        Data::Id(params) => {
            w.raw(b"ID ");
            crate::imap::ext::id::emit::id_params_list(w, params)?;
        }
        Data::Quota { root, resources } => {
            w.raw(b"QUOTA ");
            w.astring(root.as_bytes())?;
            w.raw(b" (");
            for (i, r) in resources.iter().enumerate() {
                if i > 0 {
                    w.sp();
                }
                w.atom(&r.name)?;
                w.sp();
                w.num(r.usage);
                w.sp();
                w.num(r.limit);
            }
            w.raw(b")");
        }
        Data::QuotaRoot { mailbox, roots } => {
            w.raw(b"QUOTAROOT ");
            w.mailbox(mailbox)?;
            for r in roots.iter() {
                w.sp();
                w.astring(r.as_bytes())?;
            }
        }
        Data::Metadata { mailbox, entries } => {
            w.raw(b"METADATA ");
            w.mailbox(mailbox)?;
            w.sp();
            match entries {
                MetadataEntries::Values(l) => crate::imap::ext::metadata::emit::entry_values(w, l)?,
                MetadataEntries::Names(l) => {
                    for (i, k) in l.iter().enumerate() {
                        if i > 0 {
                            w.sp();
                        }
                        w.astring(k.as_bytes())?;
                    }
                }
            }
        }
        Data::Thread(l) => {
            w.raw(b"THREAD");
            if !l.is_empty() {
                w.sp();
                // by reference: a built thread is not cloned
                l.try_each(|_, t| thread(w, t))?;
            }
        }
        Data::Acl { .. }
        | Data::ListRights { .. }
        | Data::MyRights { .. }
        | Data::GenUrlAuth(_)
        | Data::UrlFetch(_) => crate::imap::registry::emit_data(w, d)?,
        Data::Other { name, rest } => {
            if !crate::wire::line::is_line_safe(name.as_bytes())
                || !crate::wire::line::is_line_safe(rest)
            {
                return Err(Error::Emit(crate::error::Unemittable::LineBreak {
                    field: "raw response",
                }));
            }
            w.raw(name.as_bytes());
            w.sp();
            w.raw(rest);
        }
    }
    Ok(())
}
