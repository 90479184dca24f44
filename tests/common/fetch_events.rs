//! The events of `imap::parse_response_with`, recorded as owned values, and
//! the same events derived independently from the lazy value that
//! `parse_response` returns (the documented order, written down once). Shared
//! by tests/imap_visit.rs and the imap_response fuzz target.
#![allow(dead_code)]

use mailwire::imap::{
    Address, AddressField, BodyExtension, BodyStructure, Data, Envelope, FetchItem, FetchVisitor,
    IString, IntoOwned, MultiPart, NString, Params, ParamsOf, Response, SinglePart, Specific,
};

/// One visitor call.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Ev {
    Item(FetchItem<'static>),
    Address(AddressField, Address<'static>),
    Envelope(Envelope<'static>),
    MultiStart,
    MultiEnd(MultiPart<'static>),
    MessageStart,
    Param(ParamsOf, IString<'static>, NString<'static>),
    Part(SinglePart<'static>),
}

/// Records every call.
#[derive(Default)]
pub(crate) struct Recorder(pub(crate) Vec<Ev>);

impl<'a> FetchVisitor<'a> for Recorder {
    fn item(&mut self, item: FetchItem<'a>) {
        self.0.push(Ev::Item(item.into_owned()));
    }
    fn address(&mut self, field: AddressField, address: Address<'a>) {
        self.0.push(Ev::Address(field, address.into_owned()));
    }
    fn envelope(&mut self, envelope: &Envelope<'a>) {
        self.0.push(Ev::Envelope(envelope.clone().into_owned()));
    }
    fn multipart_start(&mut self) {
        self.0.push(Ev::MultiStart);
    }
    fn multipart_end(&mut self, multipart: &MultiPart<'a>) {
        self.0.push(Ev::MultiEnd(multipart.clone().into_owned()));
    }
    fn message_start(&mut self) {
        self.0.push(Ev::MessageStart);
    }
    fn param(&mut self, of: ParamsOf, name: IString<'a>, value: NString<'a>) {
        self.0
            .push(Ev::Param(of, name.into_owned(), value.into_owned()));
    }
    fn part(&mut self, part: &SinglePart<'a>) {
        self.0.push(Ev::Part(part.clone().into_owned()));
    }
}

/// The events a visitor must see for `r`, derived from its lazy lists.
pub(crate) fn expected(r: &Response<'_>) -> Vec<Ev> {
    let mut out = Vec::new();
    // a UIDFETCH (RFC 9586) carries the same msg-att as FETCH
    if let Response::Data(Data::Fetch { items, .. } | Data::UidFetch { items, .. }) = r {
        for it in items.iter() {
            match &it {
                FetchItem::Envelope(e) => envelope(e, &mut out),
                FetchItem::Body(b) | FetchItem::BodyStructure(b) => body(b, &mut out),
                _ => {}
            }
            out.push(Ev::Item(it.into_owned()));
        }
    }
    out
}

fn envelope(e: &Envelope<'_>, out: &mut Vec<Ev>) {
    let lists = [
        (AddressField::From, &e.from),
        (AddressField::Sender, &e.sender),
        (AddressField::ReplyTo, &e.reply_to),
        (AddressField::To, &e.to),
        (AddressField::Cc, &e.cc),
        (AddressField::Bcc, &e.bcc),
    ];
    for (field, list) in lists {
        for a in list.iter() {
            out.push(Ev::Address(field, a.into_owned()));
        }
    }
    out.push(Ev::Envelope(e.clone().into_owned()));
}

fn params(of: ParamsOf, p: &Params<'_>, out: &mut Vec<Ev>) {
    for (k, v) in p.iter().flat_map(|l| l.iter()) {
        out.push(Ev::Param(of, k.into_owned(), v.into_owned()));
    }
}

fn ext(e: &BodyExtension<'_>, out: &mut Vec<Ev>) {
    if let Some(Some(d)) = &e.disposition {
        params(ParamsOf::Disposition, &d.params, out);
    }
}

fn body(b: &BodyStructure<'_>, out: &mut Vec<Ev>) {
    match b {
        BodyStructure::Multi(m) => {
            out.push(Ev::MultiStart);
            for part in m.parts.iter() {
                body(&part, out);
            }
            if let Some(p) = &m.params {
                params(ParamsOf::Multipart, p, out);
            }
            ext(&m.ext, out);
            out.push(Ev::MultiEnd(m.clone().into_owned()));
        }
        BodyStructure::Single(s) => {
            let (t, st) = (s.media_type.as_bytes(), s.subtype.as_bytes());
            if t.eq_ignore_ascii_case(b"MESSAGE")
                && (st.eq_ignore_ascii_case(b"RFC822") || st.eq_ignore_ascii_case(b"GLOBAL"))
            {
                out.push(Ev::MessageStart);
            }
            params(ParamsOf::Part, &s.params, out);
            if let Specific::Message {
                envelope: e,
                body: inner,
                ..
            } = &s.specific
            {
                envelope(&e.get(), out);
                body(&inner.get(), out);
            }
            ext(&s.ext, out);
            out.push(Ev::Part(s.clone().into_owned()));
        }
    }
}
