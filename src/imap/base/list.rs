//! LIST and LSUB (RFC 9051 §6.3.9, §7.3.1; RFC 5258 LIST-EXTENDED; RFC 6154
//! SPECIAL-USE; RFC 5819 LIST-STATUS): the `mailbox-list` a server reports
//! ([`MailboxList`], with its [`MailboxAttribute`]s and
//! [`ListExtendedItem`]s), the hierarchy delimiter, and the `return-option`s
//! a client asks for ([`ListReturnOption`]), with their rules and emitters.
//! The LIST and LSUB commands and responses themselves are variants of the
//! central enums ([`CommandBody::List`], [`Data::List`]), whose frames read
//! and write their values through this room; the selection options and
//! patterns are atoms and `list-mailbox`es of the ground floor.
//!
//! ```text
//! mailbox-list = "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil) SP mailbox
//!                [SP mbox-list-extended]
//! return-option = "SUBSCRIBED" / "CHILDREN" / "SPECIAL-USE" / status-option / option-extension
//! ```
//! The old paths (`types::response::MailboxList`, ...) re-export the types.
//!
//! ```
//! use mailwire::imap::{parse_response, ParseOptions, Response, Data};
//!
//! let frame = b"* LIST (\\HasNoChildren \\Drafts) \"/\" Drafts\r\n";
//! let Response::Data(Data::List(list)) = parse_response(frame, &ParseOptions::default()).unwrap()
//! else { panic!() };
//! assert_eq!(list.delimiter, Some('/'));
//! assert_eq!(list.attributes.iter().map(|a| a.as_str().to_string()).collect::<Vec<_>>(),
//!            ["\\HasNoChildren", "\\Drafts"]);
//! ```
//!
//! [`CommandBody::List`]: crate::imap::CommandBody::List
//! [`Data::List`]: crate::imap::Data::List

use crate::imap::syntax::core::*;
use alloc::borrow::Cow;

/// One `return-option` of LIST (RFC 5258 §6, RFC 5819 §2, RFC 6154 §6).
///
/// ```text
/// list-return-opts = "RETURN" SP "(" [return-option *(SP return-option)] ")"
/// return-option    = "SUBSCRIBED" / "CHILDREN" / status-option / option-extension
/// status-option    = "STATUS" SP "(" status-att *(SP status-att) ")"   ; RFC 5819
/// return-option    =/ "SPECIAL-USE"                                   ; RFC 6154
/// option-extension = (option-standard-tag / option-vendor-tag) [SP option-value]
/// option-value     = "(" option-val-comp ")"
/// option-val-comp  = astring / option-val-comp *(SP option-val-comp) / "(" option-val-comp ")"
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ListReturnOption<'a> {
    /// `SUBSCRIBED`
    Subscribed,
    /// `CHILDREN`
    Children,
    /// `SPECIAL-USE` (RFC 6154)
    SpecialUse,
    /// `STATUS (items)` (RFC 5819), at least one item.
    Status(List<'a, Atom<'a>>),
    /// Another option: `option-extension`.
    Other {
        /// The option name, not one of the names above.
        name: Atom<'a>,
        /// `option-value` as on the wire, parentheses included.
        value: Option<Cow<'a, [u8]>>,
    },
}

/// A LIST/LSUB mailbox attribute (`mbx-list-flags`, RFC 9051 §7.3.1, RFC
/// 6154 special-use), with its backslash: `\Noselect`, `\HasChildren`, `\Sent`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MailboxAttribute<'a>(pub Cow<'a, str>);

impl MailboxAttribute<'_> {
    /// The attribute as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// Case-insensitive comparison (`attr.is("\\Noselect")`).
    pub fn is(&self, name: &str) -> bool {
        self.0.eq_ignore_ascii_case(name)
    }
}

/// One `mbox-list-extended-item` (RFC 5258): `CHILDINFO ("SUBSCRIBED")`,
/// `OLDNAME ("x")`.
#[derive(Clone, Debug, PartialEq)]
pub struct ListExtendedItem<'a> {
    /// The item's tag (`CHILDINFO`).
    pub tag: IString<'a>,
    /// Its value, raw (`("SUBSCRIBED")`).
    pub value: Cow<'a, [u8]>,
}

/// `mailbox-list = "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil) SP mailbox [SP mbox-list-extended]`
#[derive(Clone, Debug, PartialEq)]
pub struct MailboxList<'a> {
    /// Attributes.
    pub attributes: List<'a, MailboxAttribute<'a>>,
    /// Hierarchy delimiter, `None` for NIL (flat).
    pub delimiter: Option<char>,
    /// The mailbox.
    pub mailbox: Mailbox<'a>,
    /// LIST-EXTENDED data (RFC 5258): CHILDINFO, OLDNAME, ...
    pub extended: List<'a, ListExtendedItem<'a>>,
}

crate::owned::into_owned! {
    inherent enum ListReturnOption {
        Subscribed,
        Children,
        SpecialUse,
        Status(l),
        Other { name, value },
    }
    struct MailboxAttribute(inner)
    struct ListExtendedItem { tag, value }
    struct MailboxList { attributes, delimiter, mailbox, extended }
}

/// The grammar of LIST and LSUB.
pub(crate) mod parse {
    use super::*;
    use crate::imap::syntax::input::*;
    use crate::imap::syntax::rules::*;
    use alloc::borrow::Cow;
    use nom::Parser as _;
    use nom::combinator::{cond, map};
    use nom::sequence::preceded;

    /// ```text
    /// return-option    = "SUBSCRIBED" / "CHILDREN" / status-option / option-extension  ; RFC 5258
    /// return-option    =/ "SPECIAL-USE"                                               ; RFC 6154
    /// status-option    = "STATUS" SP "(" status-att *(SP status-att) ")"              ; RFC 5819
    /// option-extension = (option-standard-tag / option-vendor-tag) [SP option-value]
    /// option-value     = "(" option-val-comp ")"
    /// ```
    pub(crate) fn return_option(i: In<'_>) -> R<'_, ListReturnOption<'_>> {
        let (i, name) = atom(i)?;
        if name.eq_ignore_case("SUBSCRIBED") {
            Ok((i, ListReturnOption::Subscribed))
        } else if name.eq_ignore_case("CHILDREN") {
            Ok((i, ListReturnOption::Children))
        } else if name.eq_ignore_case("SPECIAL-USE") {
            Ok((i, ListReturnOption::SpecialUse))
        } else if name.eq_ignore_case("STATUS") {
            let (i, ()) = sp(i)?;
            let (i, atts) = paren_atoms(i, false)?;
            Ok((i, ListReturnOption::Status(atts)))
        } else {
            let has_value = i.peek() == Some(b' ') && i.peek_at(1) == Some(b'(');
            let (i, value) = cond(
                has_value,
                map(preceded(sp, consumed(tagged_ext_paren)), |(raw, ())| {
                    Cow::Borrowed(raw)
                }),
            )
            .parse(i)?;
            Ok((i, ListReturnOption::Other { name, value }))
        }
    }

    /// `mbx-list-flags` element: `"\" atom` (or an atom from sloppy servers;
    /// a lone `\` under [`Quirks::lone_backslash_attribute`](super::Quirks)).
    pub(crate) fn mailbox_attribute<'a>(i: In<'a>) -> R<'a, MailboxAttribute<'a>> {
        if i.peek() == Some(b'\\')
            && matches!(i.peek_at(1), Some(b' ' | b')') | None)
            && i.q().lone_backslash_attribute
        {
            return Ok((i.skip(1), MailboxAttribute(Cow::Borrowed("\\"))));
        }
        let (i, (raw, _)) = consumed(preceded(eat(b'\\'), atom)).parse(i)?;
        match core::str::from_utf8(raw) {
            Ok(s) => Ok((i, MailboxAttribute(Cow::Borrowed(s)))),
            Err(_) => i.err("mailbox attribute"),
        }
    }

    /// `DQUOTE QUOTED-CHAR DQUOTE / nil` (hierarchy delimiter)
    pub(crate) fn delimiter(i: In<'_>) -> R<'_, Option<char>> {
        if let (rest, true) = is_nil(i) {
            return Ok((rest, None));
        }
        let (rest, q) = quoted(i)?;
        let s = q.as_str().unwrap_or("");
        let mut chars = s.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Ok((rest, Some(c))),
            _ => i.err("one-character delimiter"),
        }
    }

    /// `mbox-list-extended-item = mbox-list-extended-item-tag SP tagged-ext-val`
    pub(crate) fn list_ext_item<'a>(i: In<'a>) -> R<'a, ListExtendedItem<'a>> {
        map((astring, sp, skip_value), |(tag, _, value)| {
            ListExtendedItem {
                tag,
                value: Cow::Borrowed(value),
            }
        })
        .parse(i)
    }

    /// `mailbox-list = "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil) SP mailbox [SP mbox-list-extended]`
    pub(crate) fn mailbox_list<'a>(i: In<'a>) -> R<'a, MailboxList<'a>> {
        let (mut i, ()) = byte(b'(', "'(' of mbx-list-flags")(i)?;
        let s = i;
        let mut e = i;
        if i.peek() != Some(b')') {
            loop {
                (i, _) = mailbox_attribute(i)?;
                e = i;
                i = space_before_close(i, i.q().flag_list_space);
                if i.peek() == Some(b')') {
                    break;
                }
                (i, ()) = sp(i)?;
            }
        }
        let (i, ()) = byte(b')', "')'")(i)?;
        let attributes = List::wire(s.upto(&e), mailbox_attribute, Sep::Space, i.ctx());
        let (i, (_, delimiter, _, mailbox)) = (sp, delimiter, sp, mailbox).parse(i)?;
        let (i, extended) = if i.peek() == Some(b' ') && i.peek_at(1) == Some(b'(') {
            // mbox-list-extended = "(" [mbox-list-extended-item *(SP mbox-list-extended-item)] ")"
            paren_list_tail(i.skip(2), list_ext_item, true)?
        } else {
            (
                i,
                List::wire(&i.rest[..0], list_ext_item, Sep::Space, i.ctx()),
            )
        };
        Ok((
            i,
            MailboxList {
                attributes,
                delimiter,
                mailbox,
                extended,
            },
        ))
    }
}

/// Emitting LIST and LSUB.
pub(crate) mod emit {
    use super::*;
    use crate::Error;
    use crate::imap::syntax::rules::*;
    use crate::imap::syntax::write::*;

    /// `return-option` of LIST (RFC 5258, RFC 5819, RFC 6154).
    pub(crate) fn return_option(w: &mut W<'_>, o: &ListReturnOption<'_>) -> Result<(), Error> {
        match o {
            ListReturnOption::Subscribed => w.raw(b"SUBSCRIBED"),
            ListReturnOption::Children => w.raw(b"CHILDREN"),
            ListReturnOption::SpecialUse => w.raw(b"SPECIAL-USE"),
            ListReturnOption::Status(items) => {
                if items.is_empty() {
                    return Err(Error::Emit(crate::error::Unemittable::Missing {
                        what: "STATUS return option item",
                    }));
                }
                w.raw(b"STATUS (");
                atoms_sp(w, items)?;
                w.raw(b")");
            }
            ListReturnOption::Other { name, value } => {
                if ["SUBSCRIBED", "CHILDREN", "SPECIAL-USE", "STATUS"]
                    .iter()
                    .any(|k| name.eq_ignore_case(k))
                {
                    return Err(Error::Emit(crate::error::Unemittable::NonCanonical));
                }
                w.atom(name)?;
                if let Some(v) = value {
                    if !is_ext_value(v, true) {
                        return Err(Error::Emit(crate::error::Unemittable::Grammar {
                            rule: "tagged-ext-val",
                        }));
                    }
                    w.sp();
                    w.raw(v);
                }
            }
        }
        Ok(())
    }

    pub(crate) fn delimiter(w: &mut W<'_>, d: Option<char>) -> Result<(), Error> {
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

    /// `"(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil) SP mailbox
    /// [SP mbox-list-extended]`, after the `(` the LIST/LSUB response wrote.
    pub(crate) fn mailbox_list(w: &mut W<'_>, m: &MailboxList<'_>) -> Result<(), Error> {
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
        Ok(())
    }
}
