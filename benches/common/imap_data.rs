//! Shared by the IMAP benches: a realistic ENVELOPE and nested multipart
//! BODYSTRUCTURE, and the walk that touches what a client would use from a
//! FETCH response (so every bench does the same work per response).
#![allow(dead_code)]

use std::hint::black_box;

use mailwire::imap::{
    Address, AddressField, BodyStructure, FetchItem, FetchVisitor, IString, List, MultiPart,
    NString, ParamsOf, SinglePart, Specific,
};

pub(crate) fn envelope(i: usize) -> String {
    format!(
        "(\"Mon, {d} Jan 2024 10:{m:02}:00 +0100\" \"Re: [project] quarterly report {i} \\\"draft\\\"\" \
         ((\"Alice Example\" NIL \"alice\" \"example.com\")) ((\"Alice Example\" NIL \"alice\" \"example.com\")) \
         ((\"Alice Example\" NIL \"alice\" \"example.com\")) ((\"Bob\" NIL \"bob\" \"example.org\")(NIL NIL \"team\" \"lists.example.org\")) \
         ((\"Carol C.\" NIL \"carol\" \"example.net\")) NIL \"<prev-{i}@example.com>\" \"<msg-{i}@example.com>\")",
        d = i % 28 + 1,
        m = i % 60
    )
}

/// multipart/mixed (multipart/alternative (text/plain, text/html), a PDF, an
/// inline PNG).
pub(crate) const MIXED: &str = "(((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"QUOTED-PRINTABLE\" 1520 40 NIL NIL NIL NIL)(\"TEXT\" \"HTML\" (\"CHARSET\" \"utf-8\") NIL NIL \"QUOTED-PRINTABLE\" 8840 180 NIL NIL NIL NIL) \"ALTERNATIVE\" (\"BOUNDARY\" \"=_alt_0001\") NIL NIL NIL)(\"APPLICATION\" \"PDF\" (\"NAME\" \"report.pdf\") NIL NIL \"BASE64\" 182340 NIL (\"ATTACHMENT\" (\"FILENAME\" \"report.pdf\")) NIL NIL)(\"IMAGE\" \"PNG\" (\"NAME\" \"chart.png\") \"<chart@x>\" NIL \"BASE64\" 40210 NIL (\"INLINE\" (\"FILENAME\" \"chart.png\")) NIL NIL) \"MIXED\" (\"BOUNDARY\" \"=_mixed_0001\") NIL NIL NIL)";

/// Touches everything a client would use from a body structure.
pub(crate) fn walk_body(b: &BodyStructure<'_>) -> usize {
    match b {
        BodyStructure::Single(s) => {
            let mut n = s.size as usize + s.params.as_ref().map_or(0, |p| p.iter().count());
            if let Some(Some(d)) = &s.ext.disposition {
                n += d.kind.as_bytes().len();
            }
            if let Specific::Message { body, .. } = &s.specific {
                n += walk_body(&body.get());
            }
            n
        }
        BodyStructure::Multi(m) => {
            m.parts.iter().map(|p| walk_body(&p)).sum::<usize>() + m.subtype.as_bytes().len()
        }
    }
}

/// Touches every item of a FETCH response.
pub(crate) fn walk_fetch(items: &List<'_, FetchItem<'_>>) -> usize {
    let mut acc = 0;
    for it in items.iter() {
        acc += match it {
            FetchItem::Uid(u) => u as usize,
            FetchItem::Flags(f) => f.iter().count(),
            FetchItem::Rfc822Size(n) => n as usize,
            FetchItem::InternalDate(d) => {
                black_box(&d);
                1
            }
            FetchItem::Envelope(e) => {
                e.subject.map_or(0, |s| s.as_bytes().len())
                    + [&e.from, &e.sender, &e.reply_to, &e.to, &e.cc, &e.bcc]
                        .iter()
                        .map(|l| {
                            l.iter()
                                .map(|a| a.host.map_or(0, |h| h.as_bytes().len()))
                                .sum::<usize>()
                        })
                        .sum::<usize>()
            }
            FetchItem::BodyStructure(b) => walk_body(&b),
            FetchItem::BodySection { data, .. } => data.map_or(0, |d| d.as_bytes().len()),
            _ => 1,
        };
    }
    acc
}

/// The walk of [`walk_fetch`] as a visitor of `parse_response_with`: the same
/// fields touched, delivered by the validating pass instead of read again.
#[derive(Default)]
pub(crate) struct WalkVisitor {
    pub(crate) acc: usize,
    /// Inside a message/rfc822 part (its envelope is not counted).
    depth: usize,
}

impl<'a> FetchVisitor<'a> for WalkVisitor {
    fn item(&mut self, item: FetchItem<'a>) {
        self.acc += match item {
            FetchItem::Uid(u) => u as usize,
            FetchItem::Flags(f) => f.iter().count(),
            FetchItem::Rfc822Size(n) => n as usize,
            FetchItem::InternalDate(d) => {
                black_box(&d);
                1
            }
            FetchItem::Envelope(e) => e.subject.map_or(0, |s| s.as_bytes().len()),
            FetchItem::BodyStructure(_) => 0,
            FetchItem::BodySection { data, .. } => data.map_or(0, |d| d.as_bytes().len()),
            _ => 1,
        };
    }
    fn address(&mut self, _: AddressField, a: Address<'a>) {
        if self.depth == 0 {
            self.acc += a.host.map_or(0, |h| h.as_bytes().len());
        }
    }
    fn message_start(&mut self) {
        self.depth += 1;
    }
    fn param(&mut self, of: ParamsOf, _: IString<'a>, _: NString<'a>) {
        self.acc += usize::from(of == ParamsOf::Part);
    }
    fn part(&mut self, s: &SinglePart<'a>) {
        self.acc += s.size as usize;
        if let Some(Some(d)) = &s.ext.disposition {
            self.acc += d.kind.as_bytes().len();
        }
        if is_message(s) {
            self.depth -= 1;
        }
    }
    fn multipart_end(&mut self, m: &MultiPart<'a>) {
        self.acc += m.subtype.as_bytes().len();
    }
}

fn is_message(s: &SinglePart<'_>) -> bool {
    let (t, st) = (s.media_type.as_bytes(), s.subtype.as_bytes());
    t.eq_ignore_ascii_case(b"MESSAGE")
        && (st.eq_ignore_ascii_case(b"RFC822") || st.eq_ignore_ascii_case(b"GLOBAL"))
}
