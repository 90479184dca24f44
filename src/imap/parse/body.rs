//! ENVELOPE and BODYSTRUCTURE rules (RFC 9051 §9, RFC 3501 §9).
//!
//! Recursive rules (`body` inside multiparts and message/rfc822) spend one
//! level of the depth budget per nesting level.

use alloc::borrow::Cow;

use super::legacy::{nil, nstring, number, skip_value, string};
use super::visit::{AddressField, ParamsOf, Quiet, Sink};
use super::{PResult, Parser};
use crate::imap::types::body::{
    Address, AddressList, BodyExtension, BodyStructure, Disposition, Envelope, MultiPart, Params,
    SinglePart, Specific,
};
use crate::imap::types::core::{IString, Lazy, List, Sep};

/// `address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"`
pub(crate) fn address<'a>(p: &mut Parser<'a>) -> PResult<Address<'a>> {
    p.expect(b'(', "'(' of address")?;
    let name = nstring(p)?;
    p.sp()?;
    let adl = nstring(p)?;
    p.sp()?;
    let mailbox = nstring(p)?;
    p.sp()?;
    let host = nstring(p)?;
    p.expect(b')', "')' of address")?;
    Ok(Address {
        name,
        adl,
        mailbox,
        host,
    })
}

/// `env-from = "(" 1*address ")" / nil` (and the other address lists);
/// spaces between addresses under [`Quirks::address_spaces`](super::Quirks).
fn address_list<'a, S: Sink<'a>>(
    p: &mut Parser<'a>,
    s: &mut S,
    field: AddressField,
) -> PResult<AddressList<'a>> {
    if nil(p) {
        return Ok(None);
    }
    if p.trusted {
        let raw = p.skip_parens()?;
        return Ok(Some(List::wire(raw, address, Sep::None, p.ctx())));
    }
    p.expect(b'(', "'(' of address list or NIL")?;
    let start = p.pos;
    loop {
        if S::ACTIVE {
            let a = address(p)?;
            s.address(field, a);
        } else {
            p.validate(address)?;
        }
        if p.q.address_spaces {
            p.skip_spaces();
        }
        if p.peek() == Some(b')') {
            break;
        }
    }
    let raw = &p.input[start..p.pos];
    p.pos += 1;
    Ok(Some(List::wire(raw, address, Sep::None, p.ctx())))
}

/// ```text
/// envelope = "(" env-date SP env-subject SP env-from SP env-sender SP env-reply-to SP
///            env-to SP env-cc SP env-bcc SP env-in-reply-to SP env-message-id ")"
/// ```
pub(crate) fn envelope<'a>(p: &mut Parser<'a>) -> PResult<Envelope<'a>> {
    envelope_v(p, &mut Quiet)
}

/// [`envelope`], reporting to a visitor.
pub(crate) fn envelope_v<'a, S: Sink<'a>>(p: &mut Parser<'a>, s: &mut S) -> PResult<Envelope<'a>> {
    p.expect(b'(', "'(' of envelope")?;
    let date = nstring(p)?;
    p.sp()?;
    let subject = nstring(p)?;
    p.sp()?;
    let from = address_list(p, s, AddressField::From)?;
    p.sp()?;
    let sender = address_list(p, s, AddressField::Sender)?;
    p.sp()?;
    let reply_to = address_list(p, s, AddressField::ReplyTo)?;
    p.sp()?;
    let to = address_list(p, s, AddressField::To)?;
    p.sp()?;
    let cc = address_list(p, s, AddressField::Cc)?;
    p.sp()?;
    let bcc = address_list(p, s, AddressField::Bcc)?;
    p.sp()?;
    let in_reply_to = nstring(p)?;
    p.sp()?;
    let message_id = nstring(p)?;
    p.expect(b')', "')' of envelope")?;
    // built in place (no move after reporting it: this is the hot path)
    let r = Ok(Envelope {
        date,
        subject,
        from,
        sender,
        reply_to,
        to,
        cc,
        bcc,
        in_reply_to,
        message_id,
    });
    if let (true, Ok(e)) = (S::ACTIVE, &r) {
        s.envelope(e);
    }
    r
}

fn param_pair<'a>(p: &mut Parser<'a>) -> PResult<(IString<'a>, Option<IString<'a>>)> {
    let k = string(p)?;
    p.sp()?;
    let v = if p.q.nil_param_value {
        nstring(p)?
    } else {
        Some(string(p)?)
    };
    Ok((k, v))
}

/// `body-fld-param = "(" string SP string *(SP string SP string) ")" / nil`
fn body_fld_param<'a, S: Sink<'a>>(
    p: &mut Parser<'a>,
    s: &mut S,
    of: ParamsOf,
) -> PResult<Params<'a>> {
    if nil(p) {
        return Ok(None);
    }
    if p.trusted && p.peek() == Some(b'(') {
        let raw = p.skip_parens()?;
        return Ok(Some(List::wire(raw, param_pair, Sep::Space, p.ctx())));
    }
    p.expect(b'(', "'(' of body-fld-param or NIL")?;
    let start = p.pos;
    if p.q.nil_param_value && p.peek() == Some(b')') {
        p.pos += 1;
        return Ok(Some(List::wire(
            &p.input[start..start],
            param_pair,
            Sep::Space,
            p.ctx(),
        )));
    }
    loop {
        if S::ACTIVE {
            let (k, v) = param_pair(p)?;
            s.param(of, k, v);
        } else {
            p.validate(param_pair)?;
        }
        if p.peek() == Some(b')') {
            break;
        }
        p.sp()?;
    }
    let raw = &p.input[start..p.pos];
    p.pos += 1;
    Ok(Some(List::wire(raw, param_pair, Sep::Space, p.ctx())))
}

/// `body-fld-dsp = "(" string SP body-fld-param ")" / nil`
fn body_fld_dsp<'a, S: Sink<'a>>(
    p: &mut Parser<'a>,
    s: &mut S,
) -> PResult<Option<Disposition<'a>>> {
    if nil(p) {
        return Ok(None);
    }
    p.expect(b'(', "'(' of body-fld-dsp or NIL")?;
    let kind = string(p)?;
    p.sp()?;
    let params = body_fld_param(p, s, ParamsOf::Disposition)?;
    p.expect(b')', "')' of body-fld-dsp")?;
    Ok(Some(Disposition { kind, params }))
}

/// `body-fld-lang = nstring / "(" string *(SP string) ")"`
fn body_fld_lang<'a>(p: &mut Parser<'a>) -> PResult<Option<List<'a, IString<'a>>>> {
    if p.peek() == Some(b'(') {
        p.pos += 1;
        let start = p.pos;
        loop {
            string(p)?;
            if p.peek() == Some(b')') {
                break;
            }
            p.sp()?;
        }
        let raw = &p.input[start..p.pos];
        p.pos += 1;
        return Ok(Some(List::wire(raw, string, Sep::Space, p.ctx())));
    }
    let start = p.pos;
    Ok(match nstring(p)? {
        None => None,
        Some(_) => Some(List::wire(
            &p.input[start..p.pos],
            string,
            Sep::Space,
            p.ctx(),
        )),
    })
}

/// `[SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]`
fn body_ext_tail<'a, S: Sink<'a>>(p: &mut Parser<'a>, s: &mut S) -> PResult<BodyExtension<'a>> {
    let mut ext = BodyExtension::default();
    if !p.eat(b' ') {
        return Ok(ext);
    }
    ext.disposition = Some(body_fld_dsp(p, s)?);
    if !p.eat(b' ') {
        return Ok(ext);
    }
    ext.language = Some(body_fld_lang(p)?);
    if !p.eat(b' ') {
        return Ok(ext);
    }
    ext.location = Some(nstring(p)?);
    if p.peek() == Some(b' ') {
        let start = p.pos;
        // body-extension = nstring / number / number64 / "(" body-extension *(SP body-extension) ")"
        while p.eat(b' ') {
            skip_value(p)?;
        }
        ext.extensions = Some(Cow::Borrowed(&p.input[start..p.pos]));
    }
    Ok(ext)
}

/// `body-fld-enc`; NIL read as empty under [`Quirks::nil_body_encoding`](super::Quirks).
fn body_fld_enc<'a>(p: &mut Parser<'a>) -> PResult<IString<'a>> {
    if p.q.nil_body_encoding && nil(p) {
        return Ok(IString(Cow::Borrowed(b"")));
    }
    string(p)
}

/// `body-fld-octets = number`; `body-fld-lines = number64` (u32 kept)
fn octets(p: &mut Parser<'_>) -> PResult<u32> {
    number(p)
}

fn body_in_list<'a>(p: &mut Parser<'a>) -> PResult<BodyStructure<'a>> {
    body(p)
}

/// ```text
/// body            = "(" (body-type-1part / body-type-mpart) ")"
/// body-type-1part = (body-type-basic / body-type-msg / body-type-text) [SP body-ext-1part]
/// body-type-basic = media-basic SP body-fields
/// body-type-msg   = media-message SP body-fields SP envelope SP body SP body-fld-lines
/// body-type-text  = media-text SP body-fields SP body-fld-lines
/// body-fields     = body-fld-param SP body-fld-id SP body-fld-desc SP body-fld-enc SP body-fld-octets
/// body-ext-1part  = body-fld-md5 [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]
/// body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]
/// body-ext-mpart  = body-fld-param [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]
/// ```
pub(crate) fn body<'a>(p: &mut Parser<'a>) -> PResult<BodyStructure<'a>> {
    body_v(p, &mut Quiet)
}

/// [`body`], reporting to a visitor.
pub(crate) fn body_v<'a, S: Sink<'a>>(p: &mut Parser<'a>, s: &mut S) -> PResult<BodyStructure<'a>> {
    p.enter()?;
    p.expect(b'(', "'(' of body")?;
    let b = if p.peek() == Some(b'(') {
        s.multipart_start();
        let start = p.pos;
        let ctx = p.ctx();
        loop {
            if p.trusted {
                p.skip_parens()?;
            } else if S::ACTIVE {
                body_v(p, s)?;
            } else {
                p.validate(body)?;
            }
            if p.q.address_spaces {
                // some servers separate parts with spaces too
                while p.peek() == Some(b' ') && p.peek_at(1) == Some(b'(') {
                    p.pos += 1;
                }
            }
            if p.peek() != Some(b'(') {
                break;
            }
        }
        let parts = List::wire(&p.input[start..p.pos], body_in_list, Sep::None, ctx);
        p.sp()?;
        let subtype = string(p)?;
        let mut params = None;
        let mut ext = BodyExtension::default();
        if p.eat(b' ') {
            params = Some(body_fld_param(p, s, ParamsOf::Multipart)?);
            ext = body_ext_tail(p, s)?;
        }
        let b = BodyStructure::Multi(MultiPart {
            parts,
            subtype,
            params,
            ext,
        });
        if let (true, BodyStructure::Multi(m)) = (S::ACTIVE, &b) {
            s.multipart_end(m);
        }
        b
    } else {
        let media_type = string(p)?;
        p.sp()?;
        let subtype = string(p)?;
        p.sp()?;
        let mt = media_type.as_bytes();
        let st = subtype.as_bytes();
        let is_message = mt.eq_ignore_ascii_case(b"MESSAGE")
            && (st.eq_ignore_ascii_case(b"RFC822") || st.eq_ignore_ascii_case(b"GLOBAL"));
        if is_message {
            s.message_start();
        }
        let params = body_fld_param(p, s, ParamsOf::Part)?;
        p.sp()?;
        let id = nstring(p)?;
        p.sp()?;
        let description = nstring(p)?;
        p.sp()?;
        let encoding = body_fld_enc(p)?;
        p.sp()?;
        let size = octets(p)?;
        let specific = if is_message && p.peek() == Some(b' ') && p.peek_at(1) == Some(b'(') {
            p.sp()?;
            let ctx = p.ctx();
            let (env_raw, body_raw) = if p.trusted {
                let s = p.pos;
                p.skip_parens()?;
                let env_raw = &p.input[s..p.pos];
                p.sp()?;
                let s = p.pos;
                p.skip_parens()?;
                (env_raw, &p.input[s..p.pos])
            } else if S::ACTIVE {
                let (env_raw, _) = p.recognize(|p| envelope_v(p, s))?;
                p.sp()?;
                let (body_raw, _) = p.recognize(|p| body_v(p, s))?;
                (env_raw, body_raw)
            } else {
                let (env_raw, _) = p.recognize(|p| p.validate(envelope))?;
                p.sp()?;
                let (body_raw, _) = p.recognize(|p| p.validate(body))?;
                (env_raw, body_raw)
            };
            p.sp()?;
            let lines = number(p)?;
            Specific::Message {
                envelope: Lazy::wire(env_raw, envelope, ctx),
                body: Lazy::wire(body_raw, body, ctx),
                lines,
            }
        } else if mt.eq_ignore_ascii_case(b"TEXT") {
            p.sp()?;
            Specific::Text { lines: number(p)? }
        } else {
            Specific::Basic
        };
        let mut md5 = None;
        let mut ext = BodyExtension::default();
        if p.eat(b' ') {
            md5 = Some(nstring(p)?);
            ext = body_ext_tail(p, s)?;
        }
        let b = BodyStructure::Single(SinglePart {
            media_type,
            subtype,
            params,
            id,
            description,
            encoding,
            size,
            specific,
            md5,
            ext,
        });
        if let (true, BodyStructure::Single(single)) = (S::ACTIVE, &b) {
            s.part(single);
        }
        b
    };
    p.expect(b')', "')' of body")?;
    p.leave();
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::super::{PError, Quirks};
    use super::*;
    use alloc::vec::Vec;

    fn parse(s: &[u8], q: Quirks) -> PResult<BodyStructure<'_>> {
        let mut p = Parser::new(s, q, 64);
        let b = body(&mut p)?;
        assert!(p.is_empty(), "left over: {:?}", p.rest());
        Ok(b)
    }

    #[test]
    fn rfc_single_part() {
        // RFC 3501 §7.4.2 example
        let b = parse(
            b"(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92)",
            Quirks::STRICT,
        )
        .unwrap();
        let BodyStructure::Single(s) = b else {
            panic!()
        };
        assert_eq!(s.media_type.as_bytes(), b"TEXT");
        assert_eq!(s.size, 3028);
        assert_eq!(s.specific, Specific::Text { lines: 92 });
        let params: Vec<_> = s.params.unwrap().to_vec();
        assert_eq!(params.len(), 1);
        assert_eq!(params[0].0.as_bytes(), b"CHARSET");
        assert_eq!(s.md5, None);
    }

    const NESTED: &[u8] = b"(((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"QUOTED-PRINTABLE\" 120 4 NIL NIL NIL NIL)(\"TEXT\" \"HTML\" (\"CHARSET\" \"utf-8\") NIL NIL \"BASE64\" 2000 26 NIL NIL NIL) \"ALTERNATIVE\" (\"BOUNDARY\" \"b1\") NIL NIL)(\"APPLICATION\" \"PDF\" (\"NAME\" \"r\xe9sum\xe9.pdf\") NIL NIL \"BASE64\" 40000 NIL (\"attachment\" (\"FILENAME\" \"r\xe9sum\xe9.pdf\")) NIL NIL)(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 500 (\"Mon, 1 Jan 2024 00:00:00 +0000\" \"inner\" ((\"A\" NIL \"a\" \"example.com\")) NIL NIL NIL NIL NIL NIL \"<id@x>\") (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 10 1) 20) \"MIXED\" (\"BOUNDARY\" \"b0\") (\"inline\" NIL) (\"en\" \"de\") \"loc\" 1 (2 \"x\"))";

    #[test]
    fn nested_multipart_with_extensions() {
        let b = parse(NESTED, Quirks::STRICT).unwrap();
        let BodyStructure::Multi(m) = b else { panic!() };
        assert_eq!(m.subtype.as_bytes(), b"MIXED");
        let parts = m.parts.to_vec();
        assert_eq!(parts.len(), 3);
        let BodyStructure::Multi(alt) = &parts[0] else {
            panic!()
        };
        assert_eq!(alt.parts.len(), 2);
        let BodyStructure::Single(pdf) = &parts[1] else {
            panic!()
        };
        let d = pdf.ext.disposition.clone().unwrap().unwrap();
        assert_eq!(d.kind.as_bytes(), b"attachment");
        assert_eq!(
            d.params.unwrap().to_vec()[0].1.as_ref().unwrap().as_bytes(),
            b"r\xe9sum\xe9.pdf"
        );
        let BodyStructure::Single(msg) = &parts[2] else {
            panic!()
        };
        let Specific::Message {
            envelope: e,
            body: inner,
            lines,
        } = &msg.specific
        else {
            panic!()
        };
        assert_eq!(*lines, 20);
        assert_eq!(e.get().subject.unwrap().as_bytes(), b"inner");
        assert!(matches!(inner.get(), BodyStructure::Single(_)));
        assert_eq!(m.ext.language.clone().unwrap().unwrap().len(), 2);
        assert_eq!(m.ext.location, Some(Some(IString::from("loc"))));
        assert_eq!(m.ext.extensions.as_deref(), Some(&b" 1 (2 \"x\")"[..]));
    }

    #[test]
    fn quirks() {
        // NIL encoding
        let nil_enc = b"(\"TEXT\" \"PLAIN\" NIL NIL NIL NIL 3 1)";
        assert!(parse(nil_enc, Quirks::STRICT).is_err());
        assert!(parse(nil_enc, Quirks::LENIENT).is_ok());
        // Mail.ru: NIL parameter value
        let mailru = b"((\"TEXT\" \"PLAIN\" (\"charset\" \"utf-8\") NIL NIL \"8bit\" 3 1 NIL NIL NIL NIL) \"mixed\" (\"boundary\" NIL) NIL NIL NIL)";
        assert!(parse(mailru, Quirks::STRICT).is_err());
        let BodyStructure::Multi(m) = parse(mailru, Quirks::LENIENT).unwrap() else {
            panic!()
        };
        assert_eq!(m.params.unwrap().unwrap().to_vec()[0].1, None);
        // empty parameter list
        let empty = b"(\"TEXT\" \"PLAIN\" () NIL NIL \"7BIT\" 3 1)";
        assert!(parse(empty, Quirks::STRICT).is_err());
        assert!(parse(empty, Quirks::LENIENT).is_ok());
        // spaces between parts
        let spaced = b"((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1) (\"TEXT\" \"HTML\" NIL NIL NIL \"7BIT\" 1 1) \"ALTERNATIVE\")";
        assert!(parse(spaced, Quirks::STRICT).is_err());
        let BodyStructure::Multi(m) = parse(spaced, Quirks::LENIENT).unwrap() else {
            panic!()
        };
        assert_eq!(m.parts.len(), 2);
    }

    /// Issue 7: a Latin-1 file name in the parameters and the disposition of a
    /// part (what real servers send for old mail) parses in strict mode too, and
    /// keeps its exact bytes.
    #[test]
    fn eight_bit_parameters() {
        let b = b"(\"APPLICATION\" \"PDF\" (\"name\" \"r\xe9sum\xe9.pdf\") NIL NIL \"BASE64\" 42 NIL (\"attachment\" (\"filename\" \"r\xe9sum\xe9.pdf\")) NIL NIL)";
        for quirks in [Quirks::STRICT, Quirks::LENIENT] {
            let BodyStructure::Single(p) = parse(b, quirks).unwrap() else {
                panic!()
            };
            let params = p.params.unwrap().to_vec();
            assert_eq!(
                params[0].1.as_ref().unwrap().as_bytes(),
                b"r\xe9sum\xe9.pdf"
            );
            let debug = alloc::format!("{:?}", p.ext);
            assert!(debug.contains("attachment"), "{debug}");
        }
    }

    #[test]
    fn depth_limit() {
        let mut deep = alloc::vec![b'('; 10_000];
        deep.extend_from_slice(b"\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)");
        assert_eq!(parse(&deep, Quirks::LENIENT), Err(PError::Depth(64)));
        // message/rfc822 nesting counts too
        let mut s = Vec::new();
        for _ in 0..100 {
            s.extend_from_slice(b"(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 1 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) ");
        }
        s.extend_from_slice(b"(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)");
        for _ in 0..100 {
            s.extend_from_slice(b" 1)");
        }
        assert_eq!(parse(&s, Quirks::LENIENT), Err(PError::Depth(64)));
    }

    #[test]
    fn envelopes() {
        // RFC 3501 §8 sample ENVELOPE
        let e = b"(\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg summary and minutes\" ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \"<B27397-0100000@cac.washington.edu>\")";
        let mut p = Parser::new(e, Quirks::STRICT, 8);
        let env = envelope(&mut p).unwrap();
        assert!(p.is_empty());
        let cc = env.cc.unwrap().to_vec();
        assert_eq!(cc.len(), 2);
        assert_eq!(cc[1].name.as_ref().unwrap().as_bytes(), b"John Klensin");
        assert_eq!(env.bcc, None);
        // 8-bit subject, empty quoted name (Mail.ru), spaces between addresses
        let e = b"(NIL \"Gr\xfc\xdfe\" ((\"\" NIL \"a\" \"b\") (\"x\" NIL \"c\" \"d\")) NIL NIL NIL NIL NIL NIL NIL)";
        assert!(envelope(&mut Parser::new(e, Quirks::STRICT, 8)).is_err());
        let env = envelope(&mut Parser::new(e, Quirks::LENIENT, 8)).unwrap();
        assert_eq!(env.subject.unwrap().as_bytes(), b"Gr\xfc\xdfe");
        assert_eq!(env.from.unwrap().len(), 2);
    }
}
