//! NAMESPACE (RFC 2342, RFC 9051 §6.3.10, §7.3.7): the personal, other
//! users' and shared namespaces a server reports ([`Namespace`]), with their
//! rule and emitter. The command and the response are variants of the central
//! enums ([`CommandBody::Namespace`], [`Data::Namespace`]).
//!
//! ```text
//! namespace       = nil / "(" 1*namespace-descr ")"
//! namespace-descr = "(" string SP (DQUOTE QUOTED-CHAR DQUOTE / nil)
//!                   [namespace-response-extensions] ")"
//! ```
//! The old path (`types::response::Namespace`) re-exports the type.
//!
//! ```
//! use mailwire::imap::{parse_response, ParseOptions, Response, Data};
//!
//! let frame = b"* NAMESPACE ((\"\" \"/\")) NIL ((\"#shared/\" \"/\"))\r\n";
//! let Response::Data(Data::Namespace { personal, other, shared }) =
//!     parse_response(frame, &ParseOptions::default()).unwrap() else { panic!() };
//! assert_eq!(personal.unwrap().iter().next().unwrap().delimiter, Some('/'));
//! assert!(other.is_none());
//! assert_eq!(shared.unwrap().iter().next().unwrap().prefix.as_bytes(), b"#shared/");
//! ```
//!
//! [`CommandBody::Namespace`]: crate::imap::CommandBody::Namespace
//! [`Data::Namespace`]: crate::imap::Data::Namespace

use crate::imap::syntax::core::*;
use alloc::borrow::Cow;

/// `namespace-descr = "(" string SP (DQUOTE QUOTED-CHAR DQUOTE / nil) [namespace-response-extensions] ")"`
#[derive(Clone, Debug, PartialEq)]
pub struct Namespace<'a> {
    /// Prefix (`""`, `"Other Users/"`).
    pub prefix: IString<'a>,
    /// Hierarchy delimiter.
    pub delimiter: Option<char>,
    /// Extensions, raw (each starts with SP).
    pub extensions: Option<Cow<'a, [u8]>>,
}

crate::owned::into_owned! {
    struct Namespace { prefix, delimiter, extensions }
}

/// The grammar of NAMESPACE.
pub(crate) mod parse {
    use super::*;
    use crate::imap::base::list::parse::delimiter;
    use crate::imap::syntax::input::*;
    use crate::imap::syntax::rules::*;
    use alloc::borrow::Cow;
    use nom::Parser as _;

    /// ```text
    /// namespace-descr = "(" string SP (DQUOTE QUOTED-CHAR DQUOTE / nil) [namespace-response-extensions] ")"
    /// ```
    pub(crate) fn namespace_descr<'a>(i: In<'a>) -> R<'a, Namespace<'a>> {
        let (i, (_, prefix, _, delimiter)) =
            (byte(b'(', "'(' of namespace-descr"), string, sp, delimiter).parse(i)?;
        let mut i = i;
        let mut extensions = None;
        if i.peek() == Some(b' ') {
            // namespace-response-extensions = *(SP string SP "(" string *(SP string) ")")
            let s = i;
            while i.peek() == Some(b' ') {
                (i, _) = (string, sp, skip_value).parse(i.skip(1))?;
            }
            extensions = Some(Cow::Borrowed(s.upto(&i)));
        }
        let (i, ()) = byte(b')', "')' of namespace-descr")(i)?;
        Ok((
            i,
            Namespace {
                prefix,
                delimiter,
                extensions,
            },
        ))
    }

    /// `namespace = nil / "(" 1*namespace-descr ")"`
    pub(crate) fn namespace<'a>(i: In<'a>) -> R<'a, Option<List<'a, Namespace<'a>>>> {
        if let (rest, true) = is_nil(i) {
            return Ok((rest, None));
        }
        let (mut i, ()) = byte(b'(', "'(' of namespace or NIL")(i)?;
        let s = i;
        loop {
            (i, _) = namespace_descr(i)?;
            (i, ()) = spaces(i)?;
            if i.peek() != Some(b'(') {
                break;
            }
        }
        let raw = s.upto(&i);
        let (i, ()) = byte(b')', "')' of namespace")(i)?;
        Ok((
            i,
            Some(List::wire(raw, namespace_descr, Sep::None, i.ctx())),
        ))
    }
}

/// Emitting NAMESPACE.
pub(crate) mod emit {
    use super::*;
    use crate::Error;
    use crate::imap::base::list::emit::delimiter;
    use crate::imap::syntax::write::*;

    pub(crate) fn namespace(
        w: &mut W<'_>,
        ns: &Option<List<'_, Namespace<'_>>>,
    ) -> Result<(), Error> {
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
}
