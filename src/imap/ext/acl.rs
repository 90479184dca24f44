//! ACL (RFC 4314): access control lists. Rights and identifiers (§2, §4),
//! the commands SETACL, DELETEACL, GETACL, LISTRIGHTS and MYRIGHTS (§3) and
//! their untagged responses (§3.6–§3.8).
//!
//! ```
//! use mailwire::imap::{parse_command, parse_response, CommandBody, Data, Mailbox, ParseOptions, Response};
//!
//! // RFC 4314 §3.3:  C: A002 GETACL INBOX   S: * ACL INBOX Fred rwipsldexta
//! let command = parse_command(b"A002 GETACL INBOX\r\n", &ParseOptions::STRICT).unwrap();
//! assert_eq!(command.body, CommandBody::GetAcl(Mailbox::Inbox));
//! let frame = b"* ACL INBOX Fred rwipsldexta\r\n";
//! let Response::Data(Data::Acl { mailbox, entries }) = parse_response(frame, &ParseOptions::STRICT).unwrap()
//! else { panic!() };
//! assert_eq!(mailbox, Mailbox::Inbox);
//! let (identifier, rights) = entries.iter().next().unwrap();
//! assert_eq!((identifier.as_bytes(), rights.as_str()), (&b"Fred"[..], "rwipsldexta"));
//! assert!(rights.contains('w') && !rights.contains('c'));
//! ```
//!
//! Extends:
//! - [`CommandBody`](crate::imap::CommandBody)`::{SetAcl, DeleteAcl, GetAcl, ListRights, MyRights}`;
//! - [`Data`](crate::imap::Data)`::{Acl, ListRights, MyRights}`.
//!
//! Registered in the crate-private `registry` (beside the central grammar):
//! its module `acl` reads these variants with this room's rules and
//! writes them back with its emitters, and its dispatch tables list it.

use alloc::borrow::Cow;
use core::fmt;

/// ACL rights (RFC 4314 §2.1, §4: `rights = astring`, "only lowercase ASCII
/// letters and digits are allowed"): `lrswipkxtea`, the obsolete `c` and `d`,
/// and the digits reserved for implementations. May be empty (`""`, e.g. the
/// required rights of a LISTRIGHTS response).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Rights<'a>(Cow<'a, str>);

/// Whether `b` is a rights character (lowercase ASCII letter or digit).
pub(crate) fn is_right(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

impl<'a> Rights<'a> {
    /// Rights, if every character of `s` is a lowercase ASCII letter or a digit.
    pub fn new(s: impl Into<Cow<'a, str>>) -> Option<Self> {
        let s = s.into();
        s.bytes().all(is_right).then_some(Rights(s))
    }
    /// The rights as sent (`lrswipkxtea`).
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// Whether the right `c` is among them.
    pub fn contains(&self, c: char) -> bool {
        self.0.contains(c)
    }
    /// Whether there is no right at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Rights<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Rights({})", self.0)
    }
}

/// How SETACL changes the rights (RFC 4314 §3.1: `mod-rights`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RightsMode {
    /// No prefix: the rights replace the identifier's rights.
    Replace,
    /// `+`: the rights are added.
    Add,
    /// `-`: the rights are removed.
    Remove,
}

/// `mod-rights = astring ; +rights to add, -rights to remove, rights to replace`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ModRights<'a> {
    /// Replace, add or remove.
    pub mode: RightsMode,
    /// The rights (may be empty: `-` alone removes nothing, `""` removes all).
    pub rights: Rights<'a>,
}

crate::owned::owned_copy!(RightsMode);

crate::owned::into_owned! {
    struct Rights(inner)
    struct ModRights { mode, rights }
}

/// The grammar of ACL: one function per ABNF rule, and the dispatch
/// that the registration uses.
pub(crate) mod parse {
    use alloc::borrow::Cow;
    use alloc::string::String;

    use nom::Parser as _;
    use nom::sequence::{preceded, separated_pair};

    use super::*;

    use crate::imap::syntax::core::{IString, List, Mailbox};
    use crate::imap::syntax::input::{In, R, sp};
    use crate::imap::syntax::rules::{astring, mailbox, zero_or_more};

    /// Rights from the content of an astring, if every byte is a rights character.
    pub(crate) fn rights_from(v: Cow<'_, [u8]>) -> Option<Rights<'_>> {
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
    pub(crate) fn mod_rights(i: In<'_>) -> R<'_, ModRights<'_>> {
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
    pub(crate) fn acl_entry(i: In<'_>) -> R<'_, (IString<'_>, Rights<'_>)> {
        separated_pair(astring, sp, rights).parse(i)
    }

    /// `setacl = "SETACL" SP mailbox SP identifier SP mod-rights`, after `SETACL`.
    #[allow(clippy::type_complexity)]
    pub(crate) fn setacl(i: In<'_>) -> R<'_, (Mailbox<'_>, IString<'_>, ModRights<'_>)> {
        (
            preceded(sp, mailbox),
            preceded(sp, astring),
            preceded(sp, mod_rights),
        )
            .parse(i)
    }

    /// `deleteacl = "DELETEACL" SP mailbox SP identifier` and
    /// `listrights = "LISTRIGHTS" SP mailbox SP identifier`, after the name.
    pub(crate) fn mailbox_identifier(i: In<'_>) -> R<'_, (Mailbox<'_>, IString<'_>)> {
        (preceded(sp, mailbox), preceded(sp, astring)).parse(i)
    }

    /// `getacl = "GETACL" SP mailbox` and `myrights = "MYRIGHTS" SP mailbox`,
    /// after the name.
    pub(crate) fn sp_mailbox(i: In<'_>) -> R<'_, Mailbox<'_>> {
        preceded(sp, mailbox).parse(i)
    }

    /// `acl-data = "ACL" SP mailbox *(SP identifier SP rights)`, after `ACL`.
    #[allow(clippy::type_complexity)]
    pub(crate) fn acl_data(i: In<'_>) -> R<'_, (Mailbox<'_>, List<'_, (IString<'_>, Rights<'_>)>)> {
        (preceded(sp, mailbox), |i| zero_or_more(i, acl_entry)).parse(i)
    }

    /// `listrights-data = "LISTRIGHTS" SP mailbox SP identifier SP rights
    /// *(SP rights)`, after `LISTRIGHTS`.
    #[allow(clippy::type_complexity)]
    pub(crate) fn listrights_data(
        i: In<'_>,
    ) -> R<'_, (Mailbox<'_>, IString<'_>, Rights<'_>, List<'_, Rights<'_>>)> {
        (
            preceded(sp, mailbox),
            preceded(sp, astring),
            preceded(sp, rights),
            |i| zero_or_more(i, rights),
        )
            .parse(i)
    }

    /// `myrights-data = "MYRIGHTS" SP mailbox SP rights`, after `MYRIGHTS`.
    pub(crate) fn myrights_data(i: In<'_>) -> R<'_, (Mailbox<'_>, Rights<'_>)> {
        (preceded(sp, mailbox), preceded(sp, rights)).parse(i)
    }
}

/// Emitting ACL.
pub(crate) mod emit {
    use super::*;

    use crate::Error;
    use crate::imap::syntax::core::{IString, List, Mailbox};
    use crate::imap::syntax::write::W;

    /// `rights = astring`, only lowercase ASCII letters and digits.
    pub(crate) fn rights(w: &mut W<'_>, r: &Rights<'_>) -> Result<(), Error> {
        if !r.as_str().bytes().all(is_right) {
            return Err(Error::Emit(crate::error::Unemittable::Grammar {
                rule: "rights",
            }));
        }
        w.astring(r.as_str().as_bytes())
    }

    /// `mod-rights = astring ; +rights to add, -rights to remove, rights to replace`
    pub(crate) fn mod_rights(w: &mut W<'_>, m: &ModRights<'_>) -> Result<(), Error> {
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

    /// `setacl = "SETACL" SP mailbox SP identifier SP mod-rights`
    pub(crate) fn setacl(
        w: &mut W<'_>,
        mailbox: &Mailbox<'_>,
        identifier: &IString<'_>,
        r: &ModRights<'_>,
    ) -> Result<(), Error> {
        w.raw(b"SETACL ");
        w.mailbox(mailbox)?;
        w.sp();
        w.astring(identifier.as_bytes())?;
        w.sp();
        mod_rights(w, r)
    }

    /// `deleteacl` and `listrights`: `name SP mailbox SP identifier`
    pub(crate) fn mailbox_identifier(
        w: &mut W<'_>,
        name: &str,
        mailbox: &Mailbox<'_>,
        identifier: &IString<'_>,
    ) -> Result<(), Error> {
        w.raw(name.as_bytes());
        w.sp();
        w.mailbox(mailbox)?;
        w.sp();
        w.astring(identifier.as_bytes())
    }

    /// `acl-data = "ACL" SP mailbox *(SP identifier SP rights)`
    pub(crate) fn acl_data(
        w: &mut W<'_>,
        mailbox: &Mailbox<'_>,
        entries: &List<'_, (IString<'_>, Rights<'_>)>,
    ) -> Result<(), Error> {
        w.raw(b"ACL ");
        w.mailbox(mailbox)?;
        for (id, r) in entries.iter() {
            w.sp();
            w.astring(id.as_bytes())?;
            w.sp();
            rights(w, &r)?;
        }
        Ok(())
    }

    /// `listrights-data = "LISTRIGHTS" SP mailbox SP identifier SP rights *(SP rights)`
    pub(crate) fn listrights_data(
        w: &mut W<'_>,
        mailbox: &Mailbox<'_>,
        identifier: &IString<'_>,
        required: &Rights<'_>,
        optional: &List<'_, Rights<'_>>,
    ) -> Result<(), Error> {
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
        Ok(())
    }

    /// `myrights-data = "MYRIGHTS" SP mailbox SP rights`
    pub(crate) fn myrights_data(
        w: &mut W<'_>,
        mailbox: &Mailbox<'_>,
        r: &Rights<'_>,
    ) -> Result<(), Error> {
        w.raw(b"MYRIGHTS ");
        w.mailbox(mailbox)?;
        w.sp();
        rights(w, r)
    }
}
