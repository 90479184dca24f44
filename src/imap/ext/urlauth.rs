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
//! Registered in [`ext`](super): `parse::command`, `parse::data`,
//! `parse::code`, `emit::command`, `emit::data`, `emit::code`.

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
/// that [`ext`](super) registers.
pub(crate) mod parse {
    use alloc::borrow::Cow;

    use nom::Parser as _;
    use nom::combinator::map;
    use nom::sequence::{preceded, separated_pair};

    use super::*;

    use crate::imap::syntax::core::{Atom, IString, List, Sep};
    use crate::imap::syntax::input::{In, R, sp, take_while, word};
    use crate::imap::syntax::rules::{astring, mailbox, nstring, spaced_list, spaced_list1};
    use crate::imap::types::command::CommandBody;
    use crate::imap::types::response::{Code, Data};

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

    /// The URLAUTH commands, after their name; `None` (input unmoved) for any
    /// other name.
    pub(crate) fn command<'a>(i: In<'a>, name: &[u8]) -> R<'a, Option<CommandBody<'a>>> {
        let is = |s: &[u8]| name.eq_ignore_ascii_case(s);
        let (i, c) = if is(b"RESETKEY") {
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

    /// The untagged responses of URLAUTH, at their name; `None` (input unmoved)
    /// for any other.
    pub(crate) fn data(i: In<'_>) -> R<'_, Option<Data<'_>>> {
        let r = if let Ok((j, ())) = word(b"GENURLAUTH")(i) {
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
    /// resp-text-code =/ "URLMECH" SP "INTERNAL" *(SP mechanism ["=" base64])   ; RFC 4467
    /// ```
    /// `None` (input unmoved) for another code name or arguments that do not
    /// parse, which the caller keeps as [`Code::Other`]; never an error.
    pub(crate) fn code<'a>(i: In<'a>, name: &str) -> R<'a, Option<Code<'a>>> {
        let r = if name.eq_ignore_ascii_case("URLMECH") {
            map(
                preceded((sp, word(b"INTERNAL")), |i| spaced_list(i, url_mechanism)),
                Code::UrlMech,
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
}

/// Emitting URLAUTH.
pub(crate) mod emit {
    use super::*;

    use crate::Error;
    use crate::imap::syntax::write::W;
    use crate::imap::types::command::CommandBody;
    use crate::imap::types::response::{Code, Data};

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

    /// The commands of URLAUTH.
    pub(crate) fn command(w: &mut W<'_>, c: &CommandBody<'_>) -> Result<(), Error> {
        use CommandBody as C;
        match c {
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

    /// The untagged responses of URLAUTH.
    pub(crate) fn data(w: &mut W<'_>, d: &Data<'_>) -> Result<(), Error> {
        match d {
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

    /// The response codes of URLAUTH.
    pub(crate) fn code(w: &mut W<'_>, c: &Code<'_>) -> Result<(), Error> {
        match c {
            Code::UrlMech(l) => {
                // "URLMECH" SP "INTERNAL" *(SP mechanism ["=" base64])
                w.raw(b"URLMECH INTERNAL");
                for m in l.iter() {
                    w.sp();
                    url_mechanism(w, &m)?;
                }
            }
            _ => return Err(Error::Emit(crate::error::Unemittable::NotThisExtension)),
        }
        Ok(())
    }
}
