//! Emitting responses (RFC 9051 §7 and the extensions of
//! [`Data`](crate::imap::Data)), ENVELOPE and BODYSTRUCTURE included.

use bytes::BufMut;

use crate::Error;
use crate::imap::base::fetch::emit::fetch_item;
use crate::imap::base::status::emit::status_item;
use crate::imap::syntax::core::{Lazy, List, Tag};
use crate::imap::syntax::write::{EmitOptions, Emitted, W, emit_into, emit_with};
use crate::imap::syntax::write::{num_code, objectid};
use crate::imap::types::body::{
    Address, AddressList, BodyExtension, BodyStructure, Envelope, MultiPart, Params, SinglePart,
    Specific,
};
use crate::imap::types::response::{
    Code, Continue, Data, FetchItem, MetadataEntries, Namespace, Response, StatusKind,
    StatusResponse, Thread,
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
/// buffer: `* seq FETCH (` when `seq` is given, then `items` separated by
/// SP (with a leading SP when `lead_sp`).
pub(crate) fn emit_fetch_items_into(
    out: &mut bytes::BytesMut,
    opts: &EmitOptions,
    seq: Option<u32>,
    lead_sp: bool,
    items: &[FetchItem<'_>],
) -> Result<(), Error> {
    emit_into(out, *opts, true, |w| {
        if let Some(seq) = seq {
            w.raw(b"* ");
            w.num(u64::from(seq));
            w.raw(b" FETCH (");
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
        | Code::BadEvent(_) => return crate::imap::ext::emit_code(w, c),
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

fn delimiter(w: &mut W<'_>, d: Option<char>) -> Result<(), Error> {
    match d {
        None => w.raw(b"NIL"),
        Some(c) => {
            let mut b = [0u8; 4];
            let s = c.encode_utf8(&mut b);
            if c.is_control() {
                return Err(Error::Emit(crate::error::Unemittable::Grammar {
                    rule: "QUOTED-CHAR",
                }));
            }
            w.quoted(s.as_bytes());
        }
    }
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
            for a in l.iter() {
                w.sp();
                w.atom(&a)?;
            }
        }
        Data::List(m) | Data::Lsub(m) => {
            w.raw(if matches!(d, Data::List(_)) {
                b"LIST ("
            } else {
                b"LSUB ("
            });
            for (i, a) in m.attributes.iter().enumerate() {
                if i > 0 {
                    w.sp();
                }
                let s = a.as_str().as_bytes();
                let body = s.strip_prefix(b"\\").unwrap_or(s);
                if !crate::imap::syntax::core::is_atom(body) {
                    return Err(Error::Emit(crate::error::Unemittable::Grammar {
                        rule: "mbx-list-flag",
                    }));
                }
                w.raw(s);
            }
            w.raw(b") ");
            delimiter(w, m.delimiter)?;
            w.sp();
            w.mailbox(&m.mailbox)?;
            if !m.extended.is_empty() {
                w.raw(b" (");
                for (i, e) in m.extended.iter().enumerate() {
                    if i > 0 {
                        w.sp();
                    }
                    w.astring(e.tag.as_bytes())?;
                    w.sp();
                    if e.value.contains(&0) {
                        return Err(Error::Emit(crate::error::Unemittable::Nul {
                            field: "extended data",
                        }));
                    }
                    w.raw(&e.value);
                }
                w.raw(b")");
            }
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
            w.seq(uids);
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
        | Data::UrlFetch(_) => crate::imap::ext::emit_data(w, d)?,
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

fn thread(w: &mut W<'_>, t: &Thread<'_>) -> Result<(), Error> {
    thread_at(w, t, 1)
}

/// A thread-list at nesting level `depth` (its sub-threads by reference when
/// the application built them, else parsed again one at a time).
#[allow(clippy::question_mark)] // `?` would add its temporaries to this recursive frame in debug builds
fn thread_at(w: &mut W<'_>, t: &Thread<'_>, depth: usize) -> Result<(), Error> {
    let r = crate::imap::syntax::write::check_depth(depth);
    if r.is_err() {
        return r;
    }
    let first = thread_members(w, t);
    if t.children.is_empty() {
        if first {
            return Err(Error::Emit(crate::error::Unemittable::Missing {
                what: "thread member",
            }));
        }
    } else {
        if !first {
            w.sp();
        }
        match t.children.items() {
            Some(kids) => {
                for k in kids {
                    let r = thread_at(w, k, depth + 1);
                    if r.is_err() {
                        return r;
                    }
                }
            }
            None => {
                let r = thread_children_wire(w, t, depth + 1);
                if r.is_err() {
                    return r;
                }
            }
        }
    }
    w.raw(b")");
    Ok(())
}

/// `"(" thread-members`: whether there were none.
#[inline(never)]
fn thread_members(w: &mut W<'_>, t: &Thread<'_>) -> bool {
    w.raw(b"(");
    let mut first = true;
    for m in t.members.iter() {
        if !first {
            w.sp();
        }
        first = false;
        w.num(u64::from(m));
    }
    first
}

/// The sub-threads of a parsed thread: one at a time in this frame.
#[allow(clippy::question_mark)] // `?` would add its temporaries to this recursive frame in debug builds
#[inline(never)]
fn thread_children_wire(w: &mut W<'_>, t: &Thread<'_>, depth: usize) -> Result<(), Error> {
    let mut it = t.children.iter();
    loop {
        let k = it.next();
        let Some(k) = &k else {
            return Ok(());
        };
        let r = thread_at(w, k, depth);
        if r.is_err() {
            return r;
        }
    }
}

fn namespace(w: &mut W<'_>, ns: &Option<List<'_, Namespace<'_>>>) -> Result<(), Error> {
    match ns {
        None => w.raw(b"NIL"),
        Some(l) => {
            w.raw(b"(");
            for n in l.iter() {
                w.raw(b"(");
                w.string(n.prefix.as_bytes())?;
                w.sp();
                delimiter(w, n.delimiter)?;
                if let Some(e) = &n.extensions {
                    w.raw(e);
                }
                w.raw(b")");
            }
            w.raw(b")");
        }
    }
    Ok(())
}

fn address_list(w: &mut W<'_>, l: &AddressList<'_>) -> Result<(), Error> {
    match l {
        None => w.raw(b"NIL"),
        Some(l) => {
            if l.is_empty() {
                // "(" 1*address ")": an empty list is NIL
                w.raw(b"NIL");
                return Ok(());
            }
            w.raw(b"(");
            for a in l.iter() {
                address(w, &a)?;
            }
            w.raw(b")");
        }
    }
    Ok(())
}

fn address(w: &mut W<'_>, a: &Address<'_>) -> Result<(), Error> {
    w.raw(b"(");
    w.nstring(&a.name)?;
    w.sp();
    w.nstring(&a.adl)?;
    w.sp();
    w.nstring(&a.mailbox)?;
    w.sp();
    w.nstring(&a.host)?;
    w.raw(b")");
    Ok(())
}

/// Writes an ENVELOPE value.
pub(crate) fn envelope(w: &mut W<'_>, e: &Envelope<'_>) -> Result<(), Error> {
    w.raw(b"(");
    w.nstring(&e.date)?;
    w.sp();
    w.nstring(&e.subject)?;
    for l in [&e.from, &e.sender, &e.reply_to, &e.to, &e.cc, &e.bcc] {
        w.sp();
        address_list(w, l)?;
    }
    w.sp();
    w.nstring(&e.in_reply_to)?;
    w.sp();
    w.nstring(&e.message_id)?;
    w.raw(b")");
    Ok(())
}

fn params(w: &mut W<'_>, p: &Params<'_>) -> Result<(), Error> {
    match p {
        None => w.raw(b"NIL"),
        Some(l) if l.is_empty() => w.raw(b"NIL"),
        Some(l) => {
            w.raw(b"(");
            for (i, (k, v)) in l.iter().enumerate() {
                if i > 0 {
                    w.sp();
                }
                w.string(k.as_bytes())?;
                w.sp();
                w.nstring(&v)?;
            }
            w.raw(b")");
        }
    }
    Ok(())
}

fn ext_tail(w: &mut W<'_>, e: &BodyExtension<'_>) -> Result<(), Error> {
    let Some(d) = &e.disposition else {
        return Ok(());
    };
    w.sp();
    match d {
        None => w.raw(b"NIL"),
        Some(d) => {
            w.raw(b"(");
            w.string(d.kind.as_bytes())?;
            w.sp();
            params(w, &d.params)?;
            w.raw(b")");
        }
    }
    let Some(lang) = &e.language else {
        return Ok(());
    };
    w.sp();
    match lang {
        None => w.raw(b"NIL"),
        Some(l) => {
            let v = l.to_vec();
            if v.len() == 1 {
                w.string(v[0].as_bytes())?;
            } else if v.is_empty() {
                w.raw(b"NIL");
            } else {
                w.raw(b"(");
                for (i, s) in v.iter().enumerate() {
                    if i > 0 {
                        w.sp();
                    }
                    w.string(s.as_bytes())?;
                }
                w.raw(b")");
            }
        }
    }
    let Some(loc) = &e.location else {
        return Ok(());
    };
    w.sp();
    w.nstring(loc)?;
    if let Some(x) = &e.extensions {
        if x.contains(&0) {
            return Err(Error::Emit(crate::error::Unemittable::Nul {
                field: "body extension",
            }));
        }
        w.raw(x);
    }
    Ok(())
}

/// Writes a BODY (`ext == false`: no extension data) or BODYSTRUCTURE value.
pub(crate) fn body(w: &mut W<'_>, b: &BodyStructure<'_>, ext: bool) -> Result<(), Error> {
    body_at(w, b, ext, 1)
}

/// A body at nesting level `depth`. This frame (with [`body_parts`]' or
/// [`message_body`]'s) is what stays on the stack per level: the fields of a
/// level are written by callees that return before the next level starts,
/// and the results go through one variable, not `?` (debug builds give each
/// temporary of `?` its own slot).
#[allow(clippy::question_mark)] // `?` would add its temporaries to this recursive frame in debug builds
fn body_at(w: &mut W<'_>, b: &BodyStructure<'_>, ext: bool, depth: usize) -> Result<(), Error> {
    let mut r = crate::imap::syntax::write::check_depth(depth);
    if r.is_err() {
        return r;
    }
    w.raw(b"(");
    match b {
        BodyStructure::Multi(m) => {
            r = body_parts(w, &m.parts, ext, depth + 1);
            if r.is_err() {
                return r;
            }
            r = multi_fields(w, m, ext);
        }
        BodyStructure::Single(s) => {
            r = single_fields(w, s);
            if r.is_err() {
                return r;
            }
            if let Specific::Message {
                envelope: e,
                body: inner,
                lines,
            } = &s.specific
            {
                r = message_envelope(w, e);
                if r.is_err() {
                    return r;
                }
                r = message_body(w, inner, ext, depth + 1);
                if r.is_err() {
                    return r;
                }
                w.sp();
                w.num(u64::from(*lines));
            }
            r = single_ext(w, s, ext);
        }
    }
    if r.is_ok() {
        w.raw(b")");
    }
    r
}

/// The parts of a multipart, at level `depth`: by reference when the
/// application built them, else parsed again one at a time.
#[allow(clippy::question_mark)] // `?` would add its temporaries to this recursive frame in debug builds
fn body_parts(
    w: &mut W<'_>,
    parts: &List<'_, BodyStructure<'_>>,
    ext: bool,
    depth: usize,
) -> Result<(), Error> {
    let Some(items) = parts.items() else {
        return body_parts_wire(w, parts, ext, depth);
    };
    if items.is_empty() {
        return Err(Error::Emit(crate::error::Unemittable::Missing {
            what: "multipart body part",
        }));
    }
    for p in items {
        let r = body_at(w, p, ext, depth);
        if r.is_err() {
            return r;
        }
    }
    Ok(())
}

/// [`body_parts`] of a parsed multipart: one part at a time in this frame.
#[allow(clippy::question_mark)] // `?` would add its temporaries to this recursive frame in debug builds
#[inline(never)]
fn body_parts_wire(
    w: &mut W<'_>,
    parts: &List<'_, BodyStructure<'_>>,
    ext: bool,
    depth: usize,
) -> Result<(), Error> {
    let mut it = parts.iter();
    let mut any = false;
    loop {
        let p = it.next();
        let Some(p) = &p else {
            break;
        };
        let r = body_at(w, p, ext, depth);
        if r.is_err() {
            return r;
        }
        any = true;
    }
    if !any {
        return Err(Error::Emit(crate::error::Unemittable::Missing {
            what: "multipart body part",
        }));
    }
    Ok(())
}

/// `SP media-subtype [SP body-ext-mpart]` of a multipart.
#[inline(never)]
fn multi_fields(w: &mut W<'_>, m: &MultiPart<'_>, ext: bool) -> Result<(), Error> {
    w.sp();
    w.string(m.subtype.as_bytes())?;
    if ext {
        if let Some(p) = &m.params {
            w.sp();
            params(w, p)?;
            ext_tail(w, &m.ext)?;
        }
    }
    Ok(())
}

/// `media-type SP media-subtype SP body-fields`, and `SP body-fld-lines` of
/// a text part.
#[inline(never)]
fn single_fields(w: &mut W<'_>, s: &SinglePart<'_>) -> Result<(), Error> {
    w.string(s.media_type.as_bytes())?;
    w.sp();
    w.string(s.subtype.as_bytes())?;
    w.sp();
    params(w, &s.params)?;
    w.sp();
    w.nstring(&s.id)?;
    w.sp();
    w.nstring(&s.description)?;
    w.sp();
    w.string(s.encoding.as_bytes())?;
    w.sp();
    w.num(u64::from(s.size));
    if let Specific::Text { lines } = &s.specific {
        w.sp();
        w.num(u64::from(*lines));
    }
    Ok(())
}

/// `SP envelope SP` of a message part.
#[inline(never)]
fn message_envelope(w: &mut W<'_>, e: &Lazy<'_, Envelope<'_>>) -> Result<(), Error> {
    w.sp();
    match e.value() {
        Some(e) => envelope(w, e)?,
        None => envelope(
            w,
            &e.try_get()
                .ok_or(Error::Emit(crate::error::Unemittable::Grammar {
                    rule: "envelope",
                }))?,
        )?,
    }
    w.sp();
    Ok(())
}

/// The body of a message part, at level `depth`: by reference when the
/// application built it, else parsed again.
fn message_body(
    w: &mut W<'_>,
    b: &Lazy<'_, BodyStructure<'_>>,
    ext: bool,
    depth: usize,
) -> Result<(), Error> {
    match b.value() {
        Some(b) => body_at(w, b, ext, depth),
        None => message_body_wire(w, b, ext, depth),
    }
}

/// [`message_body`] of a parsed message part: the body in this frame.
#[inline(never)]
fn message_body_wire(
    w: &mut W<'_>,
    b: &Lazy<'_, BodyStructure<'_>>,
    ext: bool,
    depth: usize,
) -> Result<(), Error> {
    let b = b.try_get();
    match &b {
        Some(b) => body_at(w, b, ext, depth),
        None => Err(Error::Emit(crate::error::Unemittable::Grammar {
            rule: "body",
        })),
    }
}

/// `[SP body-ext-1part]` of a single part.
#[inline(never)]
fn single_ext(w: &mut W<'_>, s: &SinglePart<'_>, ext: bool) -> Result<(), Error> {
    if ext {
        if let Some(md5) = &s.md5 {
            w.sp();
            w.nstring(md5)?;
            ext_tail(w, &s.ext)?;
        }
    }
    Ok(())
}
