//! Command rules (RFC 9051 §9 `command`, RFC 3501 §9; RFC 2177 IDLE, RFC 2971
//! ID, RFC 3502 MULTIAPPEND, RFC 3516 BINARY, RFC 3691 UNSELECT, RFC 4315
//! UIDPLUS, RFC 4466 §2 select/create parameters, RFC 4731 ESEARCH, RFC 4959
//! SASL-IR, RFC 4978 COMPRESS, RFC 5032 WITHIN, RFC 5161 ENABLE, RFC 5256
//! SORT/THREAD, RFC 5258 §6 LIST-EXTENDED, RFC 5464 §4.2 METADATA, RFC 5819
//! LIST-STATUS, RFC 5957 SORT=DISPLAY, RFC 6154 §3, §6 SPECIAL-USE, RFC 6851
//! MOVE, RFC 7162 §3.1.5, §3.2.5 CONDSTORE/QRESYNC, RFC 8474, RFC 9208
//! QUOTA).
//!
//! Every rule is a nom parser over `In`; a command is dispatched on its
//! name once (the name is read, then compared), not by trying each command
//! in turn.

use alloc::borrow::Cow;

use nom::Parser as _;
use nom::branch::alt;
use nom::combinator::{cond, map, opt, value};
use nom::sequence::{preceded, separated_pair, terminated};

use super::{ParseOptions, Quirks};
use crate::imap::base::fetch::parse::fetch_att;
use crate::imap::base::search::parse::{charset, search_keys};
use crate::imap::syntax::core::{Atom, Flag, List, Sep, SequenceSet};
use crate::imap::syntax::input::{
    In, R, after_word, at_word, byte, consumed, crlf_end, descend, eat, expect, kw, run, sp,
    take_while, validate, word,
};
use crate::imap::syntax::rules::{
    Elem, astring, atom, atom_str, date_time, flag, flag_list, list_mailbox, literal, mailbox,
    number64, paren_list, paren_list_tail, sequence_set, spaced_list1, tag,
};
use crate::imap::types::command::{
    AppendMessage, Command, CommandBody, CreateParam, FetchAttributes, GetMetadataOption,
    ListReturnOption, MetadataDepth, QResync, SelectParam, SeqMatchData, SortCriterion, SortKey,
    StoreKind,
};
use crate::imap::types::response::MailboxAttribute;
use crate::{Error, Secret};

/// Parses one complete command frame (a line with its literals, CRLF
/// included), as found by [`Framer`](crate::imap::frame::Framer).
///
/// A well-formed line whose command name is unknown is
/// [`CommandBody::Unknown`], so a server can answer `BAD` and go on.
///
/// ```
/// use mailwire::imap::{parse_command, ParseOptions, CommandBody};
/// let c = parse_command(b"a1 UID FETCH 1:* (FLAGS)\r\n", &ParseOptions::default()).unwrap();
/// assert_eq!(c.tag.as_str(), "a1");
/// assert!(matches!(c.body, CommandBody::Fetch { uid: true, .. }));
/// ```
pub fn parse_command<'a>(frame: &'a [u8], opts: &ParseOptions) -> Result<Command<'a>, Error> {
    run(frame, In::with(frame, opts), command)
}

/// [`parse_command`] over a frame that parsed before with the same options
/// (a server machine hands out the command it classified): nested lists are
/// skipped structurally instead of validated again.
pub(crate) fn parse_command_trusted<'a>(
    frame: &'a [u8],
    opts: &ParseOptions,
) -> Result<Command<'a>, Error> {
    let mut i = In::with(frame, opts);
    i.st.trusted = true;
    run(frame, i, command)
}

/// The line a client sends to end IDLE: `idle-done = "DONE" CRLF` (RFC 2177).
pub fn parse_idle_done(line: &[u8], opts: &ParseOptions) -> Result<(), Error> {
    run(line, In::with(line, opts), |i| {
        preceded(kw(b"DONE"), crlf_end).parse(i)
    })
}

/// A client's line during AUTHENTICATE: `base64 CRLF`, or `"*" CRLF` to cancel.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthenticateData<'a> {
    /// A response, still base64 encoded.
    Continue(Secret<'a>),
    /// `*`: the client cancels the exchange.
    Cancel,
}

/// Parses a client's AUTHENTICATE continuation line (RFC 9051 §6.2.2).
pub fn parse_authenticate_data<'a>(
    line: &'a [u8],
    opts: &ParseOptions,
) -> Result<AuthenticateData<'a>, Error> {
    run(line, In::with(line, opts), authenticate_data)
}

/// `base64 CRLF / "*" CRLF`
fn authenticate_data(i: In<'_>) -> R<'_, AuthenticateData<'_>> {
    if i.peek() == Some(b'*') {
        return map(crlf_end, |()| AuthenticateData::Cancel).parse(i.skip(1));
    }
    let (i, b) = take_while(i, is_base64_char);
    let (i, ()) = crlf_end(i)?;
    Ok((i, AuthenticateData::Continue(Secret(Cow::Borrowed(b)))))
}

fn is_base64_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')
}

/// `command = tag SP (command-any / command-auth / command-nonauth / command-select) CRLF`
pub(crate) fn command(i: In<'_>) -> R<'_, Command<'_>> {
    map((tag, sp, command_body, crlf_end), |(tag, (), body, ())| {
        Command { tag, body }
    })
    .parse(i)
}

/// `SP "(" param *(SP param) ")"` (`select-params`, `create-params`,
/// RFC 4466 §2.1, §2.2): validated, returned as a lazy [`List`]; empty when
/// absent.
fn ext_params<'a, T: Clone>(i: In<'a>, elem: Elem<'a, T>) -> R<'a, List<'a, T>> {
    if i.peek() != Some(b' ') || i.peek_at(1) != Some(b'(') {
        return Ok((i, List::empty()));
    }
    paren_list_tail(i.skip(2), elem, false)
}

/// `"(" elem *(SP elem) ")" / elem` as a lazy [`List`] (LIST patterns,
/// GETMETADATA entries, FETCH attributes).
fn paren_list_or_one<'a, T>(i: In<'a>, elem: Elem<'a, T>) -> R<'a, List<'a, T>> {
    if i.peek() == Some(b'(') {
        return paren_list_tail(i.skip(1), elem, false);
    }
    let (i, (raw, _)) = consumed(elem).parse(i)?;
    Ok((i, List::wire(raw, elem, Sep::Space, i.ctx())))
}

/// `SP` and the keyword `w` (not followed by an atom character), if they
/// come next: the input after them.
fn sp_word<'a>(i: In<'a>, w: &[u8]) -> Option<In<'a>> {
    if i.peek() != Some(b' ') {
        return None;
    }
    after_word(&i.skip(1), w)
}

/// `number` with no out-of-range quirk: a client's number must fit 32 bits.
fn number32(i: In<'_>) -> R<'_, u32> {
    let (rest, d) = take_while(i, |b| b.is_ascii_digit());
    let v = d.iter().try_fold(0u32, |a, &c| {
        a.checked_mul(10)?.checked_add(u32::from(c - b'0'))
    });
    match v {
        Some(v) if !d.is_empty() => Ok((rest, v)),
        _ => i.err("number below 2^32"),
    }
}

/// `nz-number`, no out-of-range quirk.
fn nz_number32(i: In<'_>) -> R<'_, u32> {
    match number32(i)? {
        (_, 0) => i.err("non-zero number"),
        ok => Ok(ok),
    }
}

/// ```text
/// tagged-ext-label   = tagged-label-fchar *tagged-label-char
/// tagged-label-fchar = ALPHA / "-" / "_" / "."
/// tagged-label-char  = tagged-label-fchar / DIGIT / ":"
/// ```
fn tagged_ext_label(i: In<'_>) -> R<'_, Atom<'_>> {
    if !matches!(i.peek(), Some(b) if is_label_fchar(b)) {
        return i.err("tagged-ext-label");
    }
    let (i, l) = take_while(i, |b| is_label_fchar(b) || b.is_ascii_digit() || b == b':');
    match core::str::from_utf8(l) {
        Ok(s) => Ok((i, Atom::borrowed_unchecked(s))),
        Err(_) => i.err("tagged-ext-label"),
    }
}

fn is_label_fchar(b: u8) -> bool {
    b.is_ascii_alphabetic() || matches!(b, b'-' | b'_' | b'.')
}

/// Whether `s` is a `tagged-ext-label` (for the emitter).
pub(crate) fn is_tagged_ext_label(s: &[u8]) -> bool {
    matches!(
        tagged_ext_label(In::new(s, Quirks::STRICT, 1, false)),
        Ok((rest, _)) if rest.is_empty()
    )
}

/// ```text
/// tagged-ext-val    = tagged-ext-simple / "(" [tagged-ext-comp] ")"
/// tagged-ext-simple = sequence-set / number / number64
/// ```
/// Returned raw, parentheses included.
fn tagged_ext_val(i: In<'_>) -> R<'_, &[u8]> {
    if i.peek() == Some(b'(') {
        return map(consumed(tagged_ext_paren), |(raw, ())| raw).parse(i);
    }
    let (rest, t) = take_while(i, |b| {
        b.is_ascii_digit() || matches!(b, b':' | b',' | b'*' | b'$')
    });
    let number64 = !t.is_empty()
        && t.iter().all(u8::is_ascii_digit)
        && t.iter()
            .try_fold(0u64, |a, &c| {
                a.checked_mul(10)?.checked_add(u64::from(c - b'0'))
            })
            .is_some_and(|v| v <= i64::MAX as u64);
    if !(number64 || crate::imap::syntax::core::valid_sequence_set(t)) {
        return i.err("tagged-ext-val");
    }
    Ok((rest, t))
}

/// ```text
/// "(" [tagged-ext-comp] ")"
/// tagged-ext-comp = astring / tagged-ext-comp *(SP tagged-ext-comp) / "(" tagged-ext-comp ")"
/// ```
/// (also `option-value = "(" option-val-comp ")"` of RFC 5258, the same
/// shape), nested at most the depth budget.
///
/// A loop, not a recursion: each `(` spends one level of the budget on the
/// input (as a recursive rule would) and each `)` gives it back, so any
/// nesting within the budget costs no stack.
fn tagged_ext_paren(mut i: In<'_>) -> R<'_, ()> {
    let mut open = 0usize;
    loop {
        // at the `(` of a list
        i = descend(i)?;
        (i, ()) = byte(b'(', "'('")(i)?;
        open += 1;
        if i.peek() != Some(b')') {
            if i.peek() == Some(b'(') {
                continue;
            }
            (i, ()) = validate(astring)(i)?;
        }
        // after an element: `)` closes a list, SP starts the next element
        loop {
            if i.peek() == Some(b')') {
                i = i.skip(1);
                i.st.depth += 1;
                open -= 1;
                if open == 0 {
                    return Ok((i, ()));
                }
                continue;
            }
            (i, ()) = sp(i)?;
            if i.peek() == Some(b'(') {
                break;
            }
            (i, ()) = validate(astring)(i)?;
        }
    }
}

/// Whether `v` is a whole `tagged-ext-val` (or, with `paren_only`, an
/// `option-value`) that can be written on one line (for the emitter).
pub(crate) fn is_ext_value(v: &[u8], paren_only: bool) -> bool {
    if !crate::wire::line::is_line_safe(v) || (paren_only && v.first() != Some(&b'(')) {
        return false;
    }
    let i = In::new(
        v,
        Quirks::STRICT,
        ParseOptions::DEFAULT.nesting_depth,
        false,
    );
    matches!(tagged_ext_val(i), Ok((rest, _)) if rest.is_empty())
}

/// `[SP tagged-ext-val]` after a parameter name: present when the next
/// token can only be a value (a name never starts with a digit, `*`, `$`
/// or `(`).
fn opt_ext_value(i: In<'_>) -> R<'_, Option<Cow<'_, [u8]>>> {
    if i.peek() == Some(b' ') && matches!(i.peek_at(1), Some(b'0'..=b'9' | b'*' | b'$' | b'(')) {
        map(tagged_ext_val, |v| Some(Cow::Borrowed(v))).parse(i.skip(1))
    } else {
        Ok((i, None))
    }
}

/// ```text
/// select-param = select-param-name [SP select-param-value]     ; RFC 4466
/// select-param =/ "CONDSTORE"                                   ; RFC 7162
/// select-param =/ "QRESYNC" SP "(" uidvalidity SP mod-sequence-value
///                 [SP known-uids] [SP seq-match-data] ")"
/// ```
pub(crate) fn select_param(i: In<'_>) -> R<'_, SelectParam<'_>> {
    let (i, name) = tagged_ext_label(i)?;
    if name.eq_ignore_case("CONDSTORE") {
        Ok((i, SelectParam::CondStore))
    } else if name.eq_ignore_case("QRESYNC") {
        map(preceded(sp, qresync), SelectParam::QResync).parse(i)
    } else {
        let (i, value) = opt_ext_value(i)?;
        Ok((i, SelectParam::Other { name, value }))
    }
}

/// ```text
/// "(" uidvalidity SP mod-sequence-value [SP known-uids] [SP seq-match-data] ")"
/// uidvalidity        = nz-number
/// mod-sequence-value = 1*DIGIT   ; 1 <= n <= 9,223,372,036,854,775,807
/// known-uids         = sequence-set
/// seq-match-data     = "(" known-sequence-set SP known-uid-set ")"
/// ```
fn qresync(i: In<'_>) -> R<'_, QResync<'_>> {
    let (start, (_, uid_validity, _)) = (byte(b'(', "'('"), nz_number32, sp).parse(i)?;
    let (i, mod_seq) = number64(start)?;
    if mod_seq == 0 {
        return start.err("non-zero mod-sequence-value");
    }
    let known = i.peek() == Some(b' ') && matches!(i.peek_at(1), Some(b'0'..=b'9'));
    let (i, known_uids) = cond(known, preceded(sp, known_set)).parse(i)?;
    let seq_match = i.peek() == Some(b' ') && i.peek_at(1) == Some(b'(');
    let (i, seq_match_data) = cond(
        seq_match,
        map(
            (
                sp,
                byte(b'(', "'('"),
                known_set,
                sp,
                known_set,
                byte(b')', "')'"),
            ),
            |(_, _, known_sequence_set, _, known_uid_set, _)| SeqMatchData {
                known_sequence_set,
                known_uid_set,
            },
        ),
    )
    .parse(i)?;
    let (i, ()) = byte(b')', "')'")(i)?;
    Ok((
        i,
        QResync {
            uid_validity,
            mod_seq,
            known_uids,
            seq_match_data,
        },
    ))
}

/// `known-uids`, `known-sequence-set`, `known-uid-set`: a `sequence-set`
/// where `*` is not allowed (nor `$`, RFC 5182).
fn known_set(i: In<'_>) -> R<'_, SequenceSet<'_>> {
    match sequence_set(i)? {
        (_, s) if !is_known_set(&s) => i.err("sequence-set without '*'"),
        ok => Ok(ok),
    }
}

/// Whether a set may be sent as `known-uids` (no `*`, no `$`).
pub(crate) fn is_known_set(s: &SequenceSet<'_>) -> bool {
    !s.as_str().contains(['*', '$'])
}

/// ```text
/// create-param = create-param-name [SP create-param-value]      ; RFC 4466
/// create-param =/ "USE" SP "(" [use-attr *(SP use-attr)] ")"     ; RFC 6154
/// ```
pub(crate) fn create_param(i: In<'_>) -> R<'_, CreateParam<'_>> {
    let (i, name) = tagged_ext_label(i)?;
    if name.eq_ignore_case("USE") {
        let (i, _) = (sp, byte(b'(', "'('")).parse(i)?;
        let (i, attrs) = paren_list_tail(i, use_attr, true)?;
        Ok((i, CreateParam::Use(attrs)))
    } else {
        let (i, value) = opt_ext_value(i)?;
        Ok((i, CreateParam::Other { name, value }))
    }
}

/// ```text
/// use-attr     = "\All" / "\Archive" / "\Drafts" / "\Flagged" / "\Junk" / "\Sent" /
///                "\Trash" / use-attr-ext
/// use-attr-ext = "\" atom
/// ```
fn use_attr(i: In<'_>) -> R<'_, MailboxAttribute<'_>> {
    let (i, (raw, _)) = consumed(preceded(byte(b'\\', "use-attr"), atom)).parse(i)?;
    match core::str::from_utf8(raw) {
        Ok(s) => Ok((i, MailboxAttribute(Cow::Borrowed(s)))),
        Err(_) => i.err("use-attr"),
    }
}

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

/// ```text
/// sort-criteria  = "(" sort-criterion *(SP sort-criterion) ")"
/// ```
fn sort_criteria(i: In<'_>) -> R<'_, List<'_, SortCriterion<'_>>> {
    let (i, ()) = byte(b'(', "sort-criteria")(i)?;
    paren_list_tail(i, sort_criterion, false)
}

/// `sort-criterion = ["REVERSE" SP] sort-key`
pub(crate) fn sort_criterion(i: In<'_>) -> R<'_, SortCriterion<'_>> {
    let reverse = at_word(&i, b"REVERSE");
    let i = if reverse { sp(i.skip(7))?.0 } else { i };
    let (i, key) = sort_key(i)?;
    Ok((i, SortCriterion { reverse, key }))
}

/// ```text
/// sort-key = "ARRIVAL" / "CC" / "DATE" / "FROM" / "SIZE" / "SUBJECT" / "TO"   ; RFC 5256
/// sort-key =/ "DISPLAYFROM" / "DISPLAYTO"                                     ; RFC 5957
/// ```
fn sort_key(i: In<'_>) -> R<'_, SortKey<'_>> {
    let (rest, a) = atom(i)?;
    match sort_key_named(a.as_str()) {
        Some(k) => Ok((rest, k)),
        None if a.eq_ignore_case("REVERSE") => i.err("sort-key"),
        None => Ok((rest, SortKey::Other(a))),
    }
}

/// The sort key called `name` (case-insensitive), if this crate knows it.
pub(crate) fn sort_key_named(name: &str) -> Option<SortKey<'static>> {
    const KEYS: [(&str, SortKey<'static>); 9] = [
        ("ARRIVAL", SortKey::Arrival),
        ("CC", SortKey::Cc),
        ("DATE", SortKey::Date),
        ("FROM", SortKey::From),
        ("SIZE", SortKey::Size),
        ("SUBJECT", SortKey::Subject),
        ("TO", SortKey::To),
        ("DISPLAYFROM", SortKey::DisplayFrom),
        ("DISPLAYTO", SortKey::DisplayTo),
    ];
    KEYS.iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, k)| k.clone())
}

/// ```text
/// getmetadata-option = tagged-ext-label [SP tagged-ext-val]
/// maxsize-opt        = "MAXSIZE" SP number
/// scope-opt          = "DEPTH" SP ("0" / "1" / "infinity")
/// ```
pub(crate) fn getmetadata_option(i: In<'_>) -> R<'_, GetMetadataOption<'_>> {
    let (i, name) = tagged_ext_label(i)?;
    if name.eq_ignore_case("MAXSIZE") {
        map(preceded(sp, number32), GetMetadataOption::MaxSize).parse(i)
    } else if name.eq_ignore_case("DEPTH") {
        let depth = expect(
            "\"0\", \"1\" or \"infinity\"",
            alt((
                value(MetadataDepth::Zero, word(b"0")),
                value(MetadataDepth::One, word(b"1")),
                value(MetadataDepth::Infinity, word(b"infinity")),
            )),
        );
        map(preceded(sp, depth), GetMetadataOption::Depth).parse(i)
    } else {
        let (i, value) = opt_ext_value(i)?;
        Ok((i, GetMetadataOption::Other { name, value }))
    }
}

fn command_body(i: In<'_>) -> R<'_, CommandBody<'_>> {
    let start = i;
    let (i, name) = take_while(i, |b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    let is = |s: &[u8]| name.eq_ignore_ascii_case(s);
    // commands without arguments
    let simple = if is(b"CAPABILITY") {
        Some(CommandBody::Capability)
    } else if is(b"NOOP") {
        Some(CommandBody::Noop)
    } else if is(b"LOGOUT") {
        Some(CommandBody::Logout)
    } else if is(b"STARTTLS") {
        Some(CommandBody::StartTls)
    } else if is(b"NAMESPACE") {
        Some(CommandBody::Namespace)
    } else if is(b"IDLE") {
        Some(CommandBody::Idle)
    } else if is(b"CHECK") {
        Some(CommandBody::Check)
    } else if is(b"CLOSE") {
        Some(CommandBody::Close)
    } else if is(b"UNSELECT") {
        Some(CommandBody::Unselect)
    } else if is(b"EXPUNGE") {
        Some(CommandBody::Expunge)
    } else {
        None
    };
    if let Some(c) = simple {
        if !matches!(i.peek(), Some(b'\r' | b'\n')) {
            return i.err("CRLF");
        }
        return Ok((i, c));
    }
    if let (rest, Some(c)) = crate::imap::ext::parse_command(i, name)? {
        return Ok((rest, c));
    }
    if is(b"LOGIN") {
        // login = "LOGIN" SP userid SP password
        let (i, (_, username, _, password)) = (sp, astring, sp, astring).parse(i)?;
        Ok((
            i,
            CommandBody::Login {
                username,
                password: Secret(password.0),
            },
        ))
    } else if is(b"AUTHENTICATE") {
        // authenticate = "AUTHENTICATE" SP auth-type [SP (base64 / "=")]
        let (i, mechanism) = preceded(sp, atom).parse(i)?;
        let (i, initial_response) = if i.peek() == Some(b' ') {
            let (i, b) = take_while(i.skip(1), is_base64_char);
            if b.is_empty() {
                return i.err("base64 or '='");
            }
            (i, Some(Secret(Cow::Borrowed(b))))
        } else {
            (i, None)
        };
        Ok((
            i,
            CommandBody::Authenticate {
                mechanism,
                initial_response,
            },
        ))
    } else if is(b"ENABLE") {
        // enable = "ENABLE" 1*(SP capability)
        map(
            |i| spaced_list1(i, atom, "SP capability"),
            CommandBody::Enable,
        )
        .parse(i)
    } else if is(b"SELECT") || is(b"EXAMINE") || is(b"CREATE") {
        let (i, mailbox) = preceded(sp, mailbox).parse(i)?;
        if is(b"SELECT") {
            let (i, params) = ext_params(i, select_param)?;
            Ok((i, CommandBody::Select { mailbox, params }))
        } else if is(b"EXAMINE") {
            let (i, params) = ext_params(i, select_param)?;
            Ok((i, CommandBody::Examine { mailbox, params }))
        } else {
            let (i, params) = ext_params(i, create_param)?;
            Ok((i, CommandBody::Create { mailbox, params }))
        }
    } else if is(b"DELETE") {
        map(preceded(sp, mailbox), CommandBody::Delete).parse(i)
    } else if is(b"SUBSCRIBE") {
        map(preceded(sp, mailbox), CommandBody::Subscribe).parse(i)
    } else if is(b"UNSUBSCRIBE") {
        map(preceded(sp, mailbox), CommandBody::Unsubscribe).parse(i)
    } else if is(b"RENAME") {
        map((sp, mailbox, sp, mailbox), |(_, from, _, to)| {
            CommandBody::Rename { from, to }
        })
        .parse(i)
    } else if is(b"LIST") {
        list(i)
    } else if is(b"LSUB") {
        map(
            (sp, mailbox, sp, list_mailbox),
            |(_, reference, _, pattern)| CommandBody::Lsub { reference, pattern },
        )
        .parse(i)
    } else if is(b"STATUS") {
        // status = "STATUS" SP mailbox SP "(" status-att *(SP status-att) ")"
        let (i, (_, mailbox, _)) = (sp, mailbox, sp).parse(i)?;
        let (i, items) = paren_atoms(i, false)?;
        Ok((i, CommandBody::Status { mailbox, items }))
    } else if is(b"APPEND") {
        // append = "APPEND" SP mailbox 1*append-message   (RFC 3502)
        let (i, mailbox) = preceded(sp, mailbox).parse(i)?;
        let (i, messages) = spaced_list1(i, append_message, "SP append-message")?;
        Ok((i, CommandBody::Append { mailbox, messages }))
    } else if is(b"UID") {
        // uid = "UID" SP (copy / move / fetch / search / store / uid-expunge)
        let (i, ()) = sp(i)?;
        let (after, sub) = take_while(i, |b| b.is_ascii_alphabetic());
        if sub.eq_ignore_ascii_case(b"EXPUNGE") {
            map(preceded(sp, sequence_set), CommandBody::UidExpunge).parse(after)
        } else {
            match uid_able(i, true)? {
                (rest, Some(c)) => Ok((rest, c)),
                (_, None) => i.err("COPY, MOVE, FETCH, SEARCH, STORE, EXPUNGE, SORT or THREAD"),
            }
        }
    } else if is(b"ID") {
        map(
            preceded(sp, |i| {
                crate::imap::ext::id::parse::id_params_list(i, false)
            }),
            CommandBody::Id,
        )
        .parse(i)
    } else if is(b"GETQUOTA") {
        map(preceded(sp, astring), CommandBody::GetQuota).parse(i)
    } else if is(b"GETQUOTAROOT") {
        map(preceded(sp, mailbox), CommandBody::GetQuotaRoot).parse(i)
    } else if is(b"SETQUOTA") {
        // setquota = "SETQUOTA" SP quota-root-name SP setquota-list
        let (i, (_, root, _)) = (sp, astring, sp).parse(i)?;
        let (i, limits) = paren_list(i, quota_limit, true)?;
        Ok((i, CommandBody::SetQuota { root, limits }))
    } else if is(b"GETMETADATA") {
        // getmetadata = "GETMETADATA" [SP getmetadata-options] SP mailbox SP getmetadata-entries
        // getmetadata-options = "(" getmetadata-option *(SP getmetadata-option) ")"
        // getmetadata-entries = "(" entry *(SP entry) ")" / entry
        let (i, ()) = sp(i)?;
        let (i, options) = if i.peek() == Some(b'(') {
            terminated(|i| paren_list_tail(i, getmetadata_option, false), sp).parse(i.skip(1))?
        } else {
            (i, List::empty())
        };
        let (i, (mailbox, _)) = (mailbox, sp).parse(i)?;
        let (i, entries) = paren_list_or_one(i, astring)?;
        Ok((
            i,
            CommandBody::GetMetadata {
                options,
                mailbox,
                entries,
            },
        ))
    } else if is(b"SETMETADATA") {
        // setmetadata = "SETMETADATA" SP mailbox SP "(" entry-value *(SP entry-value) ")"
        let (i, (_, mailbox, _)) = (sp, mailbox, sp).parse(i)?;
        let (i, entries) = paren_list(i, crate::imap::ext::metadata::parse::entry_value, false)?;
        Ok((i, CommandBody::SetMetadata { mailbox, entries }))
    } else if is(b"COMPRESS") {
        map(preceded(sp, atom), CommandBody::Compress).parse(i)
    } else {
        match uid_able(start, false)? {
            (rest, Some(c)) => Ok((rest, c)),
            (_, None) => unknown(start),
        }
    }
}

/// A command this crate does not know: the name and the raw rest of the frame.
fn unknown(i: In<'_>) -> R<'_, CommandBody<'_>> {
    let (i, name) = atom_str(i)?;
    let (i, _) = eat(b' ')(i)?;
    let body = i.rest;
    let body = body
        .strip_suffix(b"\r\n")
        .or_else(|| {
            if i.q().bare_lf {
                body.strip_suffix(b"\n")
            } else {
                None
            }
        })
        .unwrap_or(body);
    let (i, body) = i.split(body.len());
    Ok((
        i,
        CommandBody::Unknown {
            name: Cow::Borrowed(name),
            rest: Cow::Borrowed(body),
        },
    ))
}

/// The commands that take a UID prefix; `None` if the name is not one.
fn uid_able(i: In<'_>, uid: bool) -> R<'_, Option<CommandBody<'_>>> {
    let start = i;
    let (i, name) = take_while(i, |b| b.is_ascii_alphabetic());
    let is = |s: &[u8]| name.eq_ignore_ascii_case(s);
    let (i, c) = if is(b"FETCH") {
        fetch(i, uid)?
    } else if is(b"STORE") {
        store(i, uid)?
    } else if is(b"COPY") || is(b"MOVE") {
        // copy = "COPY" SP sequence-set SP mailbox ; move = "MOVE" SP sequence-set SP mailbox
        let (i, (_, set, _, mailbox)) = (sp, sequence_set, sp, mailbox).parse(i)?;
        if is(b"COPY") {
            (i, CommandBody::Copy { uid, set, mailbox })
        } else {
            (i, CommandBody::Move { uid, set, mailbox })
        }
    } else if is(b"SEARCH") {
        search(i, uid)?
    } else if is(b"SORT") {
        // sort = ["UID" SP] "SORT" SP sort-criteria SP search-criteria
        let (i, (_, criteria, _, charset, search)) =
            (sp, sort_criteria, sp, charset, search_keys).parse(i)?;
        (
            i,
            CommandBody::Sort {
                uid,
                criteria,
                charset,
                search,
            },
        )
    } else if is(b"THREAD") {
        // thread = ["UID" SP] "THREAD" SP thread-alg SP search-criteria
        let (i, (_, algorithm, _, charset, search)) =
            (sp, atom, sp, charset, search_keys).parse(i)?;
        (
            i,
            CommandBody::Thread {
                uid,
                algorithm,
                charset,
                search,
            },
        )
    } else {
        return Ok((start, None));
    };
    Ok((i, Some(c)))
}

/// `"(" atom *(SP atom) ")"` (also empty when `empty_ok`)
fn paren_atoms(i: In<'_>, empty_ok: bool) -> R<'_, List<'_, Atom<'_>>> {
    paren_list(i, atom, empty_ok)
}

/// ```text
/// search            = "SEARCH" [search-return-opts] SP search-program
/// search-return-opts = SP "RETURN" SP "(" [search-return-opt *(SP search-return-opt)] ")"
/// search-program    = ["CHARSET" SP charset SP] search-key *(SP search-key)
/// ```
fn search(i: In<'_>, uid: bool) -> R<'_, CommandBody<'_>> {
    let (i, return_options) = match sp_word(i, b"RETURN") {
        Some(r) => map(preceded(sp, |i| paren_atoms(i, true)), Some).parse(r)?,
        None => (i, None),
    };
    let (i, charset) = match sp_word(i, b"CHARSET") {
        Some(r) => map(preceded(sp, charset), Some).parse(r)?,
        None => (i, None),
    };
    let (i, criteria) = search_keys(i)?;
    Ok((
        i,
        CommandBody::Search {
            uid,
            return_options,
            charset,
            criteria,
        },
    ))
}

/// ```text
/// fetch = "FETCH" SP sequence-set SP ("ALL" / "FULL" / "FAST" / fetch-att /
///         "(" fetch-att *(SP fetch-att) ")") [fetch-modifiers]
/// fetch-modifiers = SP "(" fetch-modifier *(SP fetch-modifier) ")"
/// fetch-modifier  = "CHANGEDSINCE" SP mod-sequence-value / "VANISHED"
/// ```
fn fetch(i: In<'_>, uid: bool) -> R<'_, CommandBody<'_>> {
    let (i, (_, set, _)) = (sp, sequence_set, sp).parse(i)?;
    let (mut i, attributes) = if at_word(&i, b"ALL") {
        (i.skip(3), FetchAttributes::All)
    } else if at_word(&i, b"FAST") {
        (i.skip(4), FetchAttributes::Fast)
    } else if at_word(&i, b"FULL") {
        (i.skip(4), FetchAttributes::Full)
    } else {
        map(|i| paren_list_or_one(i, fetch_att), FetchAttributes::List).parse(i)?
    };
    let mut changed_since = None;
    let mut vanished = false;
    if i.peek() == Some(b' ') && i.peek_at(1) == Some(b'(') {
        i = i.skip(2);
        loop {
            if at_word(&i, b"CHANGEDSINCE") {
                let (r, v) = preceded(sp, number64).parse(i.skip(12))?;
                (i, changed_since) = (r, Some(v));
            } else if at_word(&i, b"VANISHED") {
                (i, vanished) = (i.skip(8), true);
            } else {
                return i.err("CHANGEDSINCE or VANISHED");
            }
            if i.peek() == Some(b')') {
                i = i.skip(1);
                break;
            }
            (i, ()) = sp(i)?;
        }
    }
    Ok((
        i,
        CommandBody::Fetch {
            uid,
            set,
            attributes,
            changed_since,
            vanished,
        },
    ))
}

/// ```text
/// store = "STORE" SP sequence-set [store-modifiers] SP store-att-flags
/// store-modifiers = SP "(" "UNCHANGEDSINCE" SP mod-sequence-valzer ")"
/// store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag)))
/// ```
fn store(i: In<'_>, uid: bool) -> R<'_, CommandBody<'_>> {
    let (i, (_, set, _)) = (sp, sequence_set, sp).parse(i)?;
    let (i, unchanged_since) = cond(
        i.peek() == Some(b'('),
        map(
            (
                byte(b'(', "'('"),
                kw(b"UNCHANGEDSINCE"),
                sp,
                number64,
                byte(b')', "')'"),
                sp,
            ),
            |(_, _, _, v, _, _)| v,
        ),
    )
    .parse(i)?;
    let (i, kind) = match i.peek() {
        Some(b'+') => (i.skip(1), StoreKind::Add),
        Some(b'-') => (i.skip(1), StoreKind::Remove),
        _ => (i, StoreKind::Replace),
    };
    let (i, (_, silent, _)) = (kw(b"FLAGS"), opt(kw(b".SILENT")), sp).parse(i)?;
    let (i, flags) = if i.peek() == Some(b'(') {
        flag_list(i)?
    } else {
        // flag *(SP flag)
        let start = i;
        let (mut i, _) = flag(i)?;
        while i.peek() == Some(b' ') {
            (i, _) = flag(i.skip(1))?;
        }
        (i, List::wire(start.upto(&i), flag, Sep::Space, i.ctx()))
    };
    Ok((
        i,
        CommandBody::Store {
            uid,
            set,
            unchanged_since,
            kind,
            silent: silent.is_some(),
            flags,
        },
    ))
}

/// ```text
/// list = "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]
/// list-select-opts = "(" [list-select-opt *(SP list-select-opt)] ")"
/// mbox-or-pat = list-mailbox / patterns
/// patterns = "(" list-mailbox *(SP list-mailbox) ")"
/// list-return-opts = "RETURN" SP "(" [return-option *(SP return-option)] ")"
/// ```
fn list(i: In<'_>) -> R<'_, CommandBody<'_>> {
    let (i, ()) = sp(i)?;
    let (i, selection) = if i.peek() == Some(b'(') {
        terminated(|i| paren_atoms(i, true), sp).parse(i)?
    } else {
        (i, List::wire(&i.rest[..0], atom, Sep::Space, i.ctx()))
    };
    let (i, (reference, _)) = (mailbox, sp).parse(i)?;
    let (i, patterns) = paren_list_or_one(i, list_mailbox)?;
    let (i, return_options) = match sp_word(i, b"RETURN") {
        Some(r) => {
            let (r, _) = (sp, byte(b'(', "'('")).parse(r)?;
            map(|i| paren_list_tail(i, return_option, true), Some).parse(r)?
        }
        None => (i, None),
    };
    Ok((
        i,
        CommandBody::List {
            selection,
            reference,
            patterns,
            return_options,
        },
    ))
}

/// ```text
/// append-message = append-opts SP append-data
/// append-opts    = [flag-list SP] [date-time SP]
/// append-data    = literal / literal8
/// ```
/// `append-opts` followed by a literal announcement that ends the input
/// (the head of a streamed message).
#[allow(clippy::type_complexity)]
pub(crate) fn append_opts_head(
    i: In<'_>,
) -> R<
    '_,
    (
        Option<List<'_, Flag<'_>>>,
        Option<crate::imap::syntax::core::DateTime>,
    ),
> {
    let (i, opts) = append_opts(i)?;
    let (i, _) = eat(b'~')(i)?;
    let (i, ()) = byte(b'{', "literal")(i)?;
    let (i, _) = take_while(i, |b| b.is_ascii_digit() || b == b'+' || b == b'-');
    let (i, ()) = byte(b'}', "'}'")(i)?;
    let i = match i.rest {
        [b'\r', b'\n', ..] => i.skip(2),
        [b'\n', ..] if i.q().bare_lf => i.skip(1),
        _ => return i.err("CRLF"),
    };
    Ok((i, opts))
}

/// `append-message = append-opts SP append-data` with
/// `append-data = literal / literal8`.
pub(crate) fn append_message(i: In<'_>) -> R<'_, AppendMessage<'_>> {
    let (i, flags) = cond(i.peek() == Some(b'('), terminated(flag_list, sp)).parse(i)?;
    let (i, date) = cond(i.peek() == Some(b'"'), terminated(date_time, sp)).parse(i)?;
    if !matches!(i.peek(), Some(b'{' | b'~')) {
        return i.err("literal");
    }
    let (i, (data, binary)) = literal(i)?;
    Ok((
        i,
        AppendMessage {
            flags,
            date,
            data: Cow::Borrowed(data),
            binary,
        },
    ))
}

/// `setquota-resource = resource-name SP resource-limit`
fn quota_limit(i: In<'_>) -> R<'_, (Atom<'_>, u64)> {
    separated_pair(atom, sp, number64).parse(i)
}

/// `append-opts = [flag-list SP] [date-time SP]` (the input is left after
/// the options); shared with plain APPEND.
#[allow(clippy::type_complexity)]
pub(crate) fn append_opts(
    i: In<'_>,
) -> R<
    '_,
    (
        Option<List<'_, Flag<'_>>>,
        Option<crate::imap::syntax::core::DateTime>,
    ),
> {
    let (i, flags) = match i.peek() {
        Some(b'(') => map(terminated(flag_list, sp), Some).parse(i)?,
        _ => (i, None),
    };
    let (i, date) = match i.peek() {
        Some(b'"') => map(terminated(date_time, sp), Some).parse(i)?,
        _ => (i, None),
    };
    Ok((i, (flags, date)))
}
