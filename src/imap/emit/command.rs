//! Emitting commands (RFC 9051 §6 and the extensions of
//! [`CommandBody`](crate::imap::CommandBody)).

use bytes::BufMut;

use super::{EmitOptions, Emitted, W, emit_with};
use crate::Error;
use crate::imap::types::command::{
    Command, CommandBody, FetchAttribute, FetchAttributes, SearchKey, StoreKind,
};
use crate::imap::types::core::{Atom, IString, List};
use crate::imap::types::response::{Part, Section, SectionText};

/// Writes `command` (tag, body, CRLF) to `out`.
///
/// ```
/// use mailwire::imap::{emit::{emit_command, EmitOptions}, Command, CommandBody, Tag, Mailbox};
/// let cmd = Command { tag: Tag::new("a1").unwrap(), body: CommandBody::Select {
///     mailbox: Mailbox::from_utf8("Entwürfe"), params: None } };
/// let mut out = Vec::new();
/// emit_command(&cmd, &mut out, &EmitOptions::default()).unwrap();
/// assert_eq!(out, b"a1 SELECT Entw&APw-rfe\r\n");
/// ```
pub fn emit_command(
    command: &Command<'_>,
    out: &mut impl BufMut,
    opts: &EmitOptions,
) -> Result<Emitted, Error> {
    emit_with(out, *opts, false, |w| {
        w.raw(command.tag.as_str().as_bytes());
        w.sp();
        body(w, &command.body)?;
        w.crlf();
        Ok(())
    })
}

fn atoms_sp(w: &mut W<'_>, l: &List<'_, Atom<'_>>) -> Result<(), Error> {
    for (i, a) in l.iter().enumerate() {
        if i > 0 {
            w.sp();
        }
        w.atom(&a)?;
    }
    Ok(())
}

fn raw_args(w: &mut W<'_>, raw: &[u8]) -> Result<(), Error> {
    if !crate::wire::line::is_line_safe(raw) {
        // raw extension data may hold literals only if it came from the wire
        if raw.contains(&0) {
            return Err(Error::Emit("NUL in raw arguments"));
        }
    }
    w.raw(raw);
    Ok(())
}

fn uid(w: &mut W<'_>, uid: bool) {
    if uid {
        w.raw(b"UID ");
    }
}

fn body(w: &mut W<'_>, c: &CommandBody<'_>) -> Result<(), Error> {
    use CommandBody as C;
    match c {
        C::Capability
        | C::Noop
        | C::Logout
        | C::StartTls
        | C::Namespace
        | C::Idle
        | C::Check
        | C::Close
        | C::Unselect
        | C::Expunge => w.raw(c.name().as_bytes()),
        C::Authenticate {
            mechanism,
            initial_response,
        } => {
            w.raw(b"AUTHENTICATE ");
            w.atom(mechanism)?;
            if let Some(ir) = initial_response {
                let b = ir.expose();
                if b.is_empty()
                    || !b
                        .iter()
                        .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'='))
                {
                    return Err(Error::Emit("initial response must be base64 or '='"));
                }
                w.sp();
                w.raw(b);
            }
        }
        C::Login { username, password } => {
            w.raw(b"LOGIN ");
            w.astring(username.as_bytes())?;
            w.sp();
            w.astring(password.expose())?;
        }
        C::Enable(l) => {
            w.raw(b"ENABLE");
            if l.is_empty() {
                return Err(Error::Emit("ENABLE needs at least one capability"));
            }
            for a in l.iter() {
                w.sp();
                w.atom(&a)?;
            }
        }
        C::Select { mailbox, params }
        | C::Examine { mailbox, params }
        | C::Create { mailbox, params } => {
            w.raw(c.name().as_bytes());
            w.sp();
            w.mailbox(mailbox)?;
            if let Some(p) = params {
                w.raw(b" (");
                raw_args(w, p)?;
                w.raw(b")");
            }
        }
        C::Delete(m) | C::Subscribe(m) | C::Unsubscribe(m) | C::GetQuotaRoot(m) => {
            w.raw(c.name().as_bytes());
            w.sp();
            w.mailbox(m)?;
        }
        C::Rename { from, to } => {
            w.raw(b"RENAME ");
            w.mailbox(from)?;
            w.sp();
            w.mailbox(to)?;
        }
        C::List {
            selection,
            reference,
            patterns,
            return_options,
        } => {
            w.raw(b"LIST ");
            if !selection.is_empty() {
                w.raw(b"(");
                atoms_sp(w, selection)?;
                w.raw(b") ");
            }
            w.mailbox(reference)?;
            w.sp();
            let pats = patterns.to_vec();
            match pats.as_slice() {
                [] => return Err(Error::Emit("LIST needs a pattern")),
                [one] => w.list_mailbox(one.as_bytes())?,
                many => {
                    w.raw(b"(");
                    for (i, p) in many.iter().enumerate() {
                        if i > 0 {
                            w.sp();
                        }
                        w.list_mailbox(p.as_bytes())?;
                    }
                    w.raw(b")");
                }
            }
            if let Some(r) = return_options {
                w.raw(b" RETURN (");
                raw_args(w, r)?;
                w.raw(b")");
            }
        }
        C::Lsub { reference, pattern } => {
            w.raw(b"LSUB ");
            w.mailbox(reference)?;
            w.sp();
            w.list_mailbox(pattern.as_bytes())?;
        }
        C::Status { mailbox, items } => {
            w.raw(b"STATUS ");
            w.mailbox(mailbox)?;
            w.raw(b" (");
            if items.is_empty() {
                return Err(Error::Emit("STATUS needs at least one item"));
            }
            atoms_sp(w, items)?;
            w.raw(b")");
        }
        C::Append { mailbox, messages } => {
            w.raw(b"APPEND ");
            w.mailbox(mailbox)?;
            if messages.is_empty() {
                return Err(Error::Emit("APPEND needs a message"));
            }
            for m in messages.iter() {
                w.sp();
                if let Some(f) = &m.flags {
                    w.flag_list(f)?;
                    w.sp();
                }
                if let Some(d) = &m.date {
                    w.date_time(d)?;
                    w.sp();
                }
                w.literal(&m.data, m.binary)?;
            }
        }
        C::UidExpunge(s) => {
            w.raw(b"UID EXPUNGE ");
            w.seq(s);
        }
        C::Search {
            uid: u,
            return_options,
            charset,
            criteria,
        } => {
            uid(w, *u);
            w.raw(b"SEARCH");
            if let Some(r) = return_options {
                w.raw(b" RETURN (");
                atoms_sp(w, r)?;
                w.raw(b")");
            }
            if let Some(cs) = charset {
                w.raw(b" CHARSET ");
                charset_out(w, cs)?;
            }
            keys(w, criteria)?;
        }
        C::Fetch {
            uid: u,
            set,
            attributes,
            changed_since,
            vanished,
        } => {
            uid(w, *u);
            w.raw(b"FETCH ");
            w.seq(set);
            w.sp();
            match attributes {
                FetchAttributes::All => w.raw(b"ALL"),
                FetchAttributes::Fast => w.raw(b"FAST"),
                FetchAttributes::Full => w.raw(b"FULL"),
                FetchAttributes::List(l) => {
                    let n = l.len();
                    if n == 0 {
                        return Err(Error::Emit("FETCH needs an attribute"));
                    }
                    if n > 1 {
                        w.raw(b"(");
                    }
                    for (i, a) in l.iter().enumerate() {
                        if i > 0 {
                            w.sp();
                        }
                        fetch_att(w, &a)?;
                    }
                    if n > 1 {
                        w.raw(b")");
                    }
                }
            }
            match (changed_since, vanished) {
                (Some(n), true) => {
                    w.raw(b" (CHANGEDSINCE ");
                    w.num(*n);
                    w.raw(b" VANISHED)");
                }
                (Some(n), false) => {
                    w.raw(b" (CHANGEDSINCE ");
                    w.num(*n);
                    w.raw(b")");
                }
                (None, true) => w.raw(b" (VANISHED)"),
                (None, false) => {}
            }
        }
        C::Store {
            uid: u,
            set,
            unchanged_since,
            kind,
            silent,
            flags,
        } => {
            uid(w, *u);
            w.raw(b"STORE ");
            w.seq(set);
            if let Some(n) = unchanged_since {
                w.raw(b" (UNCHANGEDSINCE ");
                w.num(*n);
                w.raw(b")");
            }
            w.raw(match kind {
                StoreKind::Replace => b" FLAGS",
                StoreKind::Add => b" +FLAGS",
                StoreKind::Remove => b" -FLAGS",
            });
            if *silent {
                w.raw(b".SILENT");
            }
            w.sp();
            w.flag_list(flags)?;
        }
        C::Copy {
            uid: u,
            set,
            mailbox,
        }
        | C::Move {
            uid: u,
            set,
            mailbox,
        } => {
            uid(w, *u);
            w.raw(c.name().as_bytes());
            w.sp();
            w.seq(set);
            w.sp();
            w.mailbox(mailbox)?;
        }
        C::Id(params) => {
            w.raw(b"ID ");
            match params {
                None => w.raw(b"NIL"),
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
        }
        C::Sort {
            uid: u,
            criteria,
            charset,
            search,
        } => {
            uid(w, *u);
            w.raw(b"SORT (");
            raw_args(w, criteria)?;
            w.raw(b") ");
            charset_out(w, charset)?;
            keys(w, search)?;
        }
        C::Thread {
            uid: u,
            algorithm,
            charset,
            search,
        } => {
            uid(w, *u);
            w.raw(b"THREAD ");
            w.atom(algorithm)?;
            w.sp();
            charset_out(w, charset)?;
            keys(w, search)?;
        }
        C::GetQuota(root) => {
            w.raw(b"GETQUOTA ");
            w.astring(root.as_bytes())?;
        }
        C::SetQuota { root, limits } => {
            w.raw(b"SETQUOTA ");
            w.astring(root.as_bytes())?;
            w.raw(b" (");
            for (i, (n, v)) in limits.iter().enumerate() {
                if i > 0 {
                    w.sp();
                }
                w.atom(&n)?;
                w.sp();
                w.num(v);
            }
            w.raw(b")");
        }
        C::GetMetadata {
            options,
            mailbox,
            entries,
        } => {
            w.raw(b"GETMETADATA ");
            if let Some(o) = options {
                w.raw(b"(");
                raw_args(w, o)?;
                w.raw(b") ");
            }
            w.mailbox(mailbox)?;
            w.raw(b" (");
            for (i, e) in entries.iter().enumerate() {
                if i > 0 {
                    w.sp();
                }
                w.astring(e.as_bytes())?;
            }
            w.raw(b")");
        }
        C::SetMetadata { mailbox, entries } => {
            w.raw(b"SETMETADATA ");
            w.mailbox(mailbox)?;
            w.raw(b" (");
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    w.sp();
                }
                w.astring(k.as_bytes())?;
                w.sp();
                w.nstring(&v)?;
            }
            w.raw(b")");
        }
        C::Compress(a) => {
            w.raw(b"COMPRESS ");
            w.atom(a)?;
        }
        C::AppendCatenate { .. }
        | C::SetAcl { .. }
        | C::DeleteAcl { .. }
        | C::GetAcl(_)
        | C::ListRights { .. }
        | C::MyRights(_)
        | C::Notify(_)
        | C::ResetKey { .. }
        | C::GenUrlAuth(_)
        | C::UrlFetch(_) => super::ext::command(w, c)?,
        C::Unknown { name, rest } => {
            if !crate::imap::types::core::is_atom(name.as_bytes()) {
                return Err(Error::Emit("invalid command name"));
            }
            w.raw(name.as_bytes());
            if !rest.is_empty() {
                if !crate::wire::line::is_line_safe(rest) {
                    return Err(Error::Emit("CR, LF or NUL in raw command arguments"));
                }
                w.sp();
                w.raw(rest);
            }
        }
    }
    Ok(())
}

fn charset_out(w: &mut W<'_>, cs: &IString<'_>) -> Result<(), Error> {
    let b = cs.as_bytes();
    if crate::imap::types::core::is_atom(b) {
        w.raw(b);
        Ok(())
    } else if w.quotable_ascii(b) {
        w.quoted(b);
        Ok(())
    } else {
        Err(Error::Emit("charset must be an atom or a quoted string"))
    }
}

impl W<'_> {
    fn quotable_ascii(&self, b: &[u8]) -> bool {
        b.iter().all(|&c| (0x20..0x7f).contains(&c))
    }
}

fn keys(w: &mut W<'_>, l: &List<'_, SearchKey<'_>>) -> Result<(), Error> {
    if l.is_empty() {
        return Err(Error::Emit("search needs a key"));
    }
    for k in l.iter() {
        w.sp();
        key(w, &k)?;
    }
    Ok(())
}

fn key(w: &mut W<'_>, k: &SearchKey<'_>) -> Result<(), Error> {
    use SearchKey as K;
    let word_str = |w: &mut W<'_>, name: &[u8], s: &IString<'_>| -> Result<(), Error> {
        w.raw(name);
        w.sp();
        w.astring(s.as_bytes())
    };
    match k {
        K::All => w.raw(b"ALL"),
        K::Answered => w.raw(b"ANSWERED"),
        K::Bcc(s) => word_str(w, b"BCC", s)?,
        K::Before(d) => {
            w.raw(b"BEFORE ");
            w.date(d)?;
        }
        K::Body(s) => word_str(w, b"BODY", s)?,
        K::Cc(s) => word_str(w, b"CC", s)?,
        K::Deleted => w.raw(b"DELETED"),
        K::Draft => w.raw(b"DRAFT"),
        K::Flagged => w.raw(b"FLAGGED"),
        K::From(s) => word_str(w, b"FROM", s)?,
        K::Header(f, v) => {
            w.raw(b"HEADER ");
            w.astring(f.as_bytes())?;
            w.sp();
            w.astring(v.as_bytes())?;
        }
        K::Keyword(a) => {
            w.raw(b"KEYWORD ");
            w.atom(a)?;
        }
        K::Larger(n) => {
            w.raw(b"LARGER ");
            w.num(*n);
        }
        K::New => w.raw(b"NEW"),
        K::Not(inner) => {
            w.raw(b"NOT ");
            key(
                w,
                &inner.try_get().ok_or(Error::Emit("invalid search key"))?,
            )?;
        }
        K::Old => w.raw(b"OLD"),
        K::On(d) => {
            w.raw(b"ON ");
            w.date(d)?;
        }
        K::Or(a, b) => {
            w.raw(b"OR ");
            key(w, &a.try_get().ok_or(Error::Emit("invalid search key"))?)?;
            w.sp();
            key(w, &b.try_get().ok_or(Error::Emit("invalid search key"))?)?;
        }
        K::Recent => w.raw(b"RECENT"),
        K::Seen => w.raw(b"SEEN"),
        K::SentBefore(d) => {
            w.raw(b"SENTBEFORE ");
            w.date(d)?;
        }
        K::SentOn(d) => {
            w.raw(b"SENTON ");
            w.date(d)?;
        }
        K::SentSince(d) => {
            w.raw(b"SENTSINCE ");
            w.date(d)?;
        }
        K::Since(d) => {
            w.raw(b"SINCE ");
            w.date(d)?;
        }
        K::Smaller(n) => {
            w.raw(b"SMALLER ");
            w.num(*n);
        }
        K::Subject(s) => word_str(w, b"SUBJECT", s)?,
        K::Text(s) => word_str(w, b"TEXT", s)?,
        K::To(s) => word_str(w, b"TO", s)?,
        K::Uid(s) => {
            w.raw(b"UID ");
            w.seq(s);
        }
        K::Unanswered => w.raw(b"UNANSWERED"),
        K::Undeleted => w.raw(b"UNDELETED"),
        K::Undraft => w.raw(b"UNDRAFT"),
        K::Unflagged => w.raw(b"UNFLAGGED"),
        K::Unkeyword(a) => {
            w.raw(b"UNKEYWORD ");
            w.atom(a)?;
        }
        K::Unseen => w.raw(b"UNSEEN"),
        K::SequenceSet(s) => w.seq(s),
        K::And(l) => {
            if l.is_empty() {
                return Err(Error::Emit("empty search key list"));
            }
            w.raw(b"(");
            for (i, k) in l.iter().enumerate() {
                if i > 0 {
                    w.sp();
                }
                key(w, &k)?;
            }
            w.raw(b")");
        }
        K::ModSeq { entry, modseq } => {
            w.raw(b"MODSEQ ");
            if let Some(e) = entry {
                raw_args(w, e)?;
                w.sp();
            }
            w.num(*modseq);
        }
        K::Older(n) => {
            w.raw(b"OLDER ");
            w.num(u64::from(*n));
        }
        K::Younger(n) => {
            w.raw(b"YOUNGER ");
            w.num(u64::from(*n));
        }
        K::EmailId(s) => word_str(w, b"EMAILID", s)?,
        K::ThreadId(s) => word_str(w, b"THREADID", s)?,
    }
    Ok(())
}

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
                return Err(Error::Emit("empty header list"));
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
                    return Err(Error::Emit("MIME needs a part number"));
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
        F::Other(a) => w.atom(a)?,
    }
    Ok(())
}
