//! URLAUTH (RFC 4467): IMAP URLs with an access identifier and a token
//! (RESETKEY, GENURLAUTH, URLFETCH, §6–§7) and the URLMECH response code
//! (§7).
//!
//! ```
//! use mailwire::imap::{parse_response, Data, ParseOptions, Response};
//!
//! // RFC 4467 §7: S: * GENURLAUTH "imap://joe@example.com/INBOX/;uid=20/;section=1.2;urlauth=submit+fred:internal:91354a473744909de610943775f92038"
//! let frame = b"* GENURLAUTH \"imap://joe@example.com/INBOX/;uid=20/;section=1.2;urlauth=submit+fred:internal:91354a473744909de610943775f92038\"\r\n";
//! let Response::Data(Data::GenUrlAuth(urls)) = parse_response(frame, &ParseOptions::STRICT).unwrap() else { panic!() };
//! let url = urls.iter().next().unwrap();
//! assert!(url.as_bytes().ends_with(b";urlauth=submit+fred:internal:91354a473744909de610943775f92038"));
//! ```
//!
//! Extends:
//! - [`CommandBody`](crate::imap::CommandBody)`::{ResetKey, GenUrlAuth, UrlFetch}`;
//! - [`Data`](crate::imap::Data)`::{GenUrlAuth, UrlFetch}`;
//! - [`Code`](crate::imap::Code)`::UrlMech`.
//!
//! Registered in the crate-private `registry` (beside the central grammar):
//! its module `urlauth` reads these variants with this room's rules and
//! writes them back with its emitters, and its dispatch tables list it.

use alloc::borrow::Cow;

use crate::imap::syntax::core::Atom;

/// A URLAUTH mechanism of the URLMECH response code (RFC 4467 §7:
/// `mechanism ["=" base64]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlMechanism<'a> {
    /// `INTERNAL` or `1*(ALPHA / DIGIT / "-" / ".")`.
    pub name: Atom<'a>,
    /// Mechanism-specific data, still base64.
    pub data: Option<Cow<'a, [u8]>>,
}

/// Whether `s` is a URLAUTH mechanism name: `1*(ALPHA / DIGIT / "-" / ".")`
/// (RFC 4467 §7; `INTERNAL` is one).
pub fn is_url_mechanism(s: &[u8]) -> bool {
    !s.is_empty()
        && s.iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

crate::owned::into_owned! {
    struct UrlMechanism { name, data }
}

/// The grammar of URLAUTH: one function per ABNF rule, and the dispatch
/// that the registration uses.
pub(crate) mod parse {
    use alloc::borrow::Cow;

    use nom::Parser as _;
    use nom::combinator::map;
    use nom::sequence::separated_pair;

    use super::*;

    use nom::sequence::preceded;

    use crate::imap::syntax::core::{Atom, IString, List, Mailbox, Sep};
    use crate::imap::syntax::input::{In, R, sp, take_while, word};
    use crate::imap::syntax::rules::{astring, mailbox, nstring, spaced_list, spaced_list1};

    /// `resetkey = "RESETKEY" [SP mailbox *(SP mechanism)]`, after
    /// `RESETKEY`.
    #[allow(clippy::type_complexity)]
    pub(crate) fn resetkey(i: In<'_>) -> R<'_, (Option<Mailbox<'_>>, List<'_, Atom<'_>>)> {
        if i.peek() != Some(b' ') {
            let mechanisms = List::wire(&i.rest[..0], mechanism, Sep::Space, i.ctx());
            return Ok((i, (None, mechanisms)));
        }
        let (i, mailbox) = mailbox(i.skip(1))?;
        let (i, mechanisms) = spaced_list(i, mechanism)?;
        Ok((i, (Some(mailbox), mechanisms)))
    }

    /// `genurlauth = "GENURLAUTH" 1*(SP url-rump SP mechanism)`, after
    /// `GENURLAUTH`.
    pub(crate) fn genurlauth(i: In<'_>) -> R<'_, List<'_, (IString<'_>, Atom<'_>)>> {
        spaced_list1(i, rump_mechanism, "SP url-rump")
    }

    /// `urlfetch = "URLFETCH" 1*(SP url)`, after `URLFETCH`.
    pub(crate) fn urlfetch(i: In<'_>) -> R<'_, List<'_, IString<'_>>> {
        spaced_list1(i, astring, "SP url")
    }

    /// `genurlauth-data = "*" SP "GENURLAUTH" 1*(SP url-full)` (`url-full =
    /// astring`), after `GENURLAUTH`.
    pub(crate) fn genurlauth_data(i: In<'_>) -> R<'_, List<'_, IString<'_>>> {
        spaced_list1(i, astring, "SP url-full")
    }

    /// `urlfetch-data = "*" SP "URLFETCH" 1*(SP url SP nstring)`, after
    /// `URLFETCH`.
    #[allow(clippy::type_complexity)]
    pub(crate) fn urlfetch_data(i: In<'_>) -> R<'_, List<'_, (IString<'_>, Option<IString<'_>>)>> {
        spaced_list1(i, url_data, "SP url SP nstring")
    }

    /// `"URLMECH" SP "INTERNAL" *(SP mechanism ["=" base64])`, after
    /// `URLMECH`.
    pub(crate) fn urlmech_code(i: In<'_>) -> R<'_, List<'_, UrlMechanism<'_>>> {
        preceded((sp, word(b"INTERNAL")), |i| spaced_list(i, url_mechanism)).parse(i)
    }

    /// `mechanism = "INTERNAL" / 1*(ALPHA / DIGIT / "-" / ".")`
    pub(crate) fn mechanism(i: In<'_>) -> R<'_, Atom<'_>> {
        let (rest, m) = take_while(i, |b| is_url_mechanism(&[b]));
        match core::str::from_utf8(m).ok().and_then(Atom::new) {
            Some(a) => Ok((rest, a)),
            None => rest.err("URLAUTH mechanism"),
        }
    }

    /// `url-rump SP mechanism` (an element of `genurlauth`); `url-rump = astring`.
    pub(crate) fn rump_mechanism(i: In<'_>) -> R<'_, (IString<'_>, Atom<'_>)> {
        separated_pair(astring, sp, mechanism).parse(i)
    }

    /// `url SP nstring` (an element of `urlfetch-data`).
    pub(crate) fn url_data(i: In<'_>) -> R<'_, (IString<'_>, Option<IString<'_>>)> {
        separated_pair(astring, sp, nstring).parse(i)
    }

    /// `base64` as the URLMECH code carries it: `1*(ALPHA / DIGIT / "+" / "/" / "=")`.
    pub(crate) fn base64(i: In<'_>) -> R<'_, &[u8]> {
        match take_while(i, |b| {
            b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')
        }) {
            (_, []) => i.err("base64"),
            ok => Ok(ok),
        }
    }

    /// `mechanism ["=" base64]` (an element of the URLMECH code).
    pub(crate) fn url_mechanism(i: In<'_>) -> R<'_, UrlMechanism<'_>> {
        let (i, name) = mechanism(i)?;
        let (i, data) = match i.peek() {
            Some(b'=') => map(base64, |d| Some(Cow::Borrowed(d))).parse(i.skip(1))?,
            _ => (i, None),
        };
        Ok((i, UrlMechanism { name, data }))
    }
}

/// Emitting URLAUTH.
pub(crate) mod emit {
    use super::*;

    use crate::Error;
    use crate::imap::syntax::core::{Atom, IString, List, Mailbox};
    use crate::imap::syntax::write::W;

    /// `resetkey = "RESETKEY" [SP mailbox *(SP mechanism)]`: mechanisms only
    /// after a mailbox.
    pub(crate) fn resetkey(
        w: &mut W<'_>,
        mailbox: &Option<Mailbox<'_>>,
        mechanisms: &List<'_, Atom<'_>>,
    ) -> Result<(), Error> {
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
        Ok(())
    }

    /// `genurlauth = "GENURLAUTH" 1*(SP url-rump SP mechanism)`
    pub(crate) fn genurlauth(
        w: &mut W<'_>,
        l: &List<'_, (IString<'_>, Atom<'_>)>,
    ) -> Result<(), Error> {
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
        Ok(())
    }

    /// `1*(SP astring)`; `what` names the missing URL when there is none.
    fn sp_urls(w: &mut W<'_>, l: &List<'_, IString<'_>>, what: &'static str) -> Result<(), Error> {
        let mut any = false;
        for url in l.iter() {
            any = true;
            w.sp();
            w.astring(url.as_bytes())?;
        }
        if !any {
            return Err(Error::Emit(crate::error::Unemittable::Missing { what }));
        }
        Ok(())
    }

    /// `urlfetch = "URLFETCH" 1*(SP url)`
    pub(crate) fn urlfetch(w: &mut W<'_>, l: &List<'_, IString<'_>>) -> Result<(), Error> {
        w.raw(b"URLFETCH");
        sp_urls(w, l, "URLFETCH URL")
    }

    /// `genurlauth-data = "*" SP "GENURLAUTH" 1*(SP url-full)`
    pub(crate) fn genurlauth_data(w: &mut W<'_>, l: &List<'_, IString<'_>>) -> Result<(), Error> {
        w.raw(b"GENURLAUTH");
        sp_urls(w, l, "GENURLAUTH URL")
    }

    /// `urlfetch-data = "*" SP "URLFETCH" 1*(SP url SP nstring)`
    #[allow(clippy::type_complexity)]
    pub(crate) fn urlfetch_data(
        w: &mut W<'_>,
        l: &List<'_, (IString<'_>, Option<IString<'_>>)>,
    ) -> Result<(), Error> {
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
        Ok(())
    }

    /// `"URLMECH" SP "INTERNAL" *(SP mechanism ["=" base64])`
    pub(crate) fn urlmech_code(w: &mut W<'_>, l: &List<'_, UrlMechanism<'_>>) -> Result<(), Error> {
        w.raw(b"URLMECH INTERNAL");
        for m in l.iter() {
            w.sp();
            url_mechanism(w, &m)?;
        }
        Ok(())
    }

    /// `mechanism = "INTERNAL" / 1*(ALPHA / DIGIT / "-" / ".")`
    pub(crate) fn mechanism(w: &mut W<'_>, name: &str) -> Result<(), Error> {
        if !is_url_mechanism(name.as_bytes()) {
            return Err(Error::Emit(crate::error::Unemittable::Grammar {
                rule: "mechanism",
            }));
        }
        w.raw(name.as_bytes());
        Ok(())
    }

    pub(crate) fn url_mechanism(w: &mut W<'_>, m: &UrlMechanism<'_>) -> Result<(), Error> {
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
}
