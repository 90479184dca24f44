//! Command rules (RFC 9051 §9 `command`, RFC 3501 §9; RFC 2177 IDLE, RFC 2971
//! ID, RFC 3502 MULTIAPPEND, RFC 3516 BINARY, RFC 3691 UNSELECT, RFC 4315
//! UIDPLUS, RFC 4466 §2 select/create parameters, RFC 4731 ESEARCH, RFC 4959
//! SASL-IR, RFC 4978 COMPRESS, RFC 5032 WITHIN, RFC 5161 ENABLE, RFC 5256
//! SORT/THREAD, RFC 5258 §6 LIST-EXTENDED, RFC 5464 §4.2 METADATA, RFC 5819
//! LIST-STATUS, RFC 5957 SORT=DISPLAY, RFC 6154 §3, §6 SPECIAL-USE, RFC 6851
//! MOVE, RFC 7162 §3.1.5, §3.2.5 CONDSTORE/QRESYNC, RFC 8474, RFC 9208
//! QUOTA).

use alloc::borrow::Cow;

use super::legacy::{
    astring, atom, atom_str, date, date_time, flag, flag_list, list_mailbox, literal, mailbox, nil,
    nstring, number, number64, paren_list, paren_list_tail, quoted, sequence_set, string, tag,
};
use super::response::{section, section_binary};
use super::{PResult, ParseOptions, Parser, Quirks, finish};
use crate::imap::types::command::{
    AppendMessage, Command, CommandBody, CreateParam, EntryTypeReq, FetchAttribute,
    FetchAttributes, GetMetadataOption, ListReturnOption, MetadataDepth, ModSeqEntry, QResync,
    SearchKey, SelectParam, SeqMatchData, SortCriterion, SortKey, StoreKind,
};
use crate::imap::types::core::{Atom, Flag, IString, Lazy, List, Sep, SequenceSet};
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
    let mut p = Parser::with(frame, opts);
    let r = command(&mut p);
    finish(frame, r)
}

/// [`parse_command`] over a frame that parsed before with the same options
/// (a server machine hands out the command it classified): nested lists are
/// skipped structurally instead of validated again.
pub(crate) fn parse_command_trusted<'a>(
    frame: &'a [u8],
    opts: &ParseOptions,
) -> Result<Command<'a>, Error> {
    let mut p = Parser::with(frame, opts);
    p.trusted = true;
    let r = command(&mut p);
    finish(frame, r)
}

/// The line a client sends to end IDLE: `idle-done = "DONE" CRLF` (RFC 2177).
pub fn parse_idle_done(line: &[u8], opts: &ParseOptions) -> Result<(), Error> {
    let mut p = Parser::with(line, opts);
    let r = (|| {
        if !p.keyword(b"DONE") {
            return p.err("DONE");
        }
        p.crlf_end()
    })();
    finish(line, r)
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
    let mut p = Parser::with(line, opts);
    let r = (|| {
        if p.eat(b'*') {
            p.crlf_end()?;
            return Ok(AuthenticateData::Cancel);
        }
        let b = p.take_while(is_base64_char);
        p.crlf_end()?;
        Ok(AuthenticateData::Continue(Secret(Cow::Borrowed(b))))
    })();
    finish(line, r)
}

fn is_base64_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')
}

/// `command = tag SP (command-any / command-auth / command-nonauth / command-select) CRLF`
pub(crate) fn command<'a>(p: &mut Parser<'a>) -> PResult<Command<'a>> {
    let tag = tag(p)?;
    p.sp()?;
    let body = command_body(p)?;
    p.crlf_end()?;
    Ok(Command { tag, body })
}

/// `SP "(" param *(SP param) ")"` (`select-params`, `create-params`,
/// RFC 4466 §2.1, §2.2): validated, returned as a lazy [`List`]; empty when
/// absent.
fn ext_params<'a, T: Clone>(
    p: &mut Parser<'a>,
    elem: fn(&mut Parser<'a>) -> PResult<T>,
) -> PResult<List<'a, T>> {
    if p.peek() != Some(b' ') || p.peek_at(1) != Some(b'(') {
        return Ok(List::empty());
    }
    p.pos += 2;
    paren_list_tail(p, elem, false)
}

/// `number` with no out-of-range quirk: a client's number must fit 32 bits.
fn number32(p: &mut Parser<'_>) -> PResult<u32> {
    let start = p.pos;
    let d = p.take_while(|b| b.is_ascii_digit());
    let v = d.iter().try_fold(0u32, |a, &c| {
        a.checked_mul(10)?.checked_add(u32::from(c - b'0'))
    });
    match v {
        Some(v) if !d.is_empty() => Ok(v),
        _ => {
            p.pos = start;
            p.err("number below 2^32")
        }
    }
}

/// `nz-number`, no out-of-range quirk.
fn nz_number32(p: &mut Parser<'_>) -> PResult<u32> {
    let start = p.pos;
    match number32(p)? {
        0 => {
            p.pos = start;
            p.err("non-zero number")
        }
        v => Ok(v),
    }
}

/// ```text
/// tagged-ext-label   = tagged-label-fchar *tagged-label-char
/// tagged-label-fchar = ALPHA / "-" / "_" / "."
/// tagged-label-char  = tagged-label-fchar / DIGIT / ":"
/// ```
fn tagged_ext_label<'a>(p: &mut Parser<'a>) -> PResult<Atom<'a>> {
    if !matches!(p.peek(), Some(b) if is_label_fchar(b)) {
        return p.err("tagged-ext-label");
    }
    let l = p.take_while(|b| is_label_fchar(b) || b.is_ascii_digit() || b == b':');
    match core::str::from_utf8(l) {
        Ok(s) => Ok(Atom::borrowed_unchecked(s)),
        Err(_) => p.err("tagged-ext-label"),
    }
}

fn is_label_fchar(b: u8) -> bool {
    b.is_ascii_alphabetic() || matches!(b, b'-' | b'_' | b'.')
}

/// Whether `s` is a `tagged-ext-label` (for the emitter).
pub(crate) fn is_tagged_ext_label(s: &[u8]) -> bool {
    let mut p = Parser::new(s, Quirks::STRICT, 1);
    tagged_ext_label(&mut p).is_ok() && p.is_empty()
}

/// ```text
/// tagged-ext-val    = tagged-ext-simple / "(" [tagged-ext-comp] ")"
/// tagged-ext-simple = sequence-set / number / number64
/// ```
/// Returned raw, parentheses included.
fn tagged_ext_val<'a>(p: &mut Parser<'a>) -> PResult<&'a [u8]> {
    let start = p.pos;
    if p.peek() == Some(b'(') {
        tagged_ext_paren(p)?;
    } else {
        let t = p.take_while(|b| b.is_ascii_digit() || matches!(b, b':' | b',' | b'*' | b'$'));
        let number64 = !t.is_empty()
            && t.iter().all(u8::is_ascii_digit)
            && t.iter()
                .try_fold(0u64, |a, &c| {
                    a.checked_mul(10)?.checked_add(u64::from(c - b'0'))
                })
                .is_some_and(|v| v <= i64::MAX as u64);
        if !(number64 || crate::imap::types::core::valid_sequence_set(t)) {
            p.pos = start;
            return p.err("tagged-ext-val");
        }
    }
    Ok(&p.input[start..p.pos])
}

/// ```text
/// "(" [tagged-ext-comp] ")"
/// tagged-ext-comp = astring / tagged-ext-comp *(SP tagged-ext-comp) / "(" tagged-ext-comp ")"
/// ```
/// (also `option-value = "(" option-val-comp ")"` of RFC 5258, the same
/// shape), nested at most the depth budget.
fn tagged_ext_paren(p: &mut Parser<'_>) -> PResult<()> {
    p.enter()?;
    p.expect(b'(', "'('")?;
    if !p.eat(b')') {
        loop {
            if p.peek() == Some(b'(') {
                tagged_ext_paren(p)?;
            } else {
                p.validate(astring)?;
            }
            if p.eat(b')') {
                break;
            }
            p.sp()?;
        }
    }
    p.leave();
    Ok(())
}

/// Whether `v` is a whole `tagged-ext-val` (or, with `paren_only`, an
/// `option-value`) that can be written on one line (for the emitter).
pub(crate) fn is_ext_value(v: &[u8], paren_only: bool) -> bool {
    if !crate::wire::line::is_line_safe(v) || (paren_only && v.first() != Some(&b'(')) {
        return false;
    }
    let mut p = Parser::new(v, Quirks::STRICT, ParseOptions::DEFAULT.nesting_depth);
    tagged_ext_val(&mut p).is_ok() && p.is_empty()
}

/// `[SP tagged-ext-val]` after a parameter name: present when the next
/// token can only be a value (a name never starts with a digit, `*`, `$`
/// or `(`).
fn opt_ext_value<'a>(p: &mut Parser<'a>) -> PResult<Option<Cow<'a, [u8]>>> {
    if p.peek() == Some(b' ') && matches!(p.peek_at(1), Some(b'0'..=b'9' | b'*' | b'$' | b'(')) {
        p.pos += 1;
        Ok(Some(Cow::Borrowed(tagged_ext_val(p)?)))
    } else {
        Ok(None)
    }
}

/// ```text
/// select-param = select-param-name [SP select-param-value]     ; RFC 4466
/// select-param =/ "CONDSTORE"                                   ; RFC 7162
/// select-param =/ "QRESYNC" SP "(" uidvalidity SP mod-sequence-value
///                 [SP known-uids] [SP seq-match-data] ")"
/// ```
pub(crate) fn select_param<'a>(p: &mut Parser<'a>) -> PResult<SelectParam<'a>> {
    let name = tagged_ext_label(p)?;
    if name.eq_ignore_case("CONDSTORE") {
        Ok(SelectParam::CondStore)
    } else if name.eq_ignore_case("QRESYNC") {
        p.sp()?;
        qresync(p).map(SelectParam::QResync)
    } else {
        Ok(SelectParam::Other {
            name,
            value: opt_ext_value(p)?,
        })
    }
}

/// ```text
/// "(" uidvalidity SP mod-sequence-value [SP known-uids] [SP seq-match-data] ")"
/// uidvalidity        = nz-number
/// mod-sequence-value = 1*DIGIT   ; 1 <= n <= 9,223,372,036,854,775,807
/// known-uids         = sequence-set
/// seq-match-data     = "(" known-sequence-set SP known-uid-set ")"
/// ```
fn qresync<'a>(p: &mut Parser<'a>) -> PResult<QResync<'a>> {
    p.expect(b'(', "'('")?;
    let uid_validity = nz_number32(p)?;
    p.sp()?;
    let start = p.pos;
    let mod_seq = number64(p)?;
    if mod_seq == 0 {
        p.pos = start;
        return p.err("non-zero mod-sequence-value");
    }
    let mut known_uids = None;
    if p.peek() == Some(b' ') && matches!(p.peek_at(1), Some(b'0'..=b'9')) {
        p.pos += 1;
        known_uids = Some(known_set(p)?);
    }
    let mut seq_match_data = None;
    if p.peek() == Some(b' ') && p.peek_at(1) == Some(b'(') {
        p.pos += 2;
        let known_sequence_set = known_set(p)?;
        p.sp()?;
        let known_uid_set = known_set(p)?;
        p.expect(b')', "')'")?;
        seq_match_data = Some(SeqMatchData {
            known_sequence_set,
            known_uid_set,
        });
    }
    p.expect(b')', "')'")?;
    Ok(QResync {
        uid_validity,
        mod_seq,
        known_uids,
        seq_match_data,
    })
}

/// `known-uids`, `known-sequence-set`, `known-uid-set`: a `sequence-set`
/// where `*` is not allowed (nor `$`, RFC 5182).
fn known_set<'a>(p: &mut Parser<'a>) -> PResult<SequenceSet<'a>> {
    let start = p.pos;
    let s = sequence_set(p)?;
    if !is_known_set(&s) {
        p.pos = start;
        return p.err("sequence-set without '*'");
    }
    Ok(s)
}

/// Whether a set may be sent as `known-uids` (no `*`, no `$`).
pub(crate) fn is_known_set(s: &SequenceSet<'_>) -> bool {
    !s.as_str().contains(['*', '$'])
}

/// ```text
/// create-param = create-param-name [SP create-param-value]      ; RFC 4466
/// create-param =/ "USE" SP "(" [use-attr *(SP use-attr)] ")"     ; RFC 6154
/// ```
pub(crate) fn create_param<'a>(p: &mut Parser<'a>) -> PResult<CreateParam<'a>> {
    let name = tagged_ext_label(p)?;
    if name.eq_ignore_case("USE") {
        p.sp()?;
        p.expect(b'(', "'('")?;
        Ok(CreateParam::Use(paren_list_tail(p, use_attr, true)?))
    } else {
        Ok(CreateParam::Other {
            name,
            value: opt_ext_value(p)?,
        })
    }
}

/// ```text
/// use-attr     = "\All" / "\Archive" / "\Drafts" / "\Flagged" / "\Junk" / "\Sent" /
///                "\Trash" / use-attr-ext
/// use-attr-ext = "\" atom
/// ```
fn use_attr<'a>(p: &mut Parser<'a>) -> PResult<MailboxAttribute<'a>> {
    let (raw, _) = p.recognize(|p| {
        p.expect(b'\\', "use-attr")?;
        atom(p)
    })?;
    match core::str::from_utf8(raw) {
        Ok(s) => Ok(MailboxAttribute(Cow::Borrowed(s))),
        Err(_) => p.err("use-attr"),
    }
}

/// ```text
/// return-option    = "SUBSCRIBED" / "CHILDREN" / status-option / option-extension  ; RFC 5258
/// return-option    =/ "SPECIAL-USE"                                               ; RFC 6154
/// status-option    = "STATUS" SP "(" status-att *(SP status-att) ")"              ; RFC 5819
/// option-extension = (option-standard-tag / option-vendor-tag) [SP option-value]
/// option-value     = "(" option-val-comp ")"
/// ```
pub(crate) fn return_option<'a>(p: &mut Parser<'a>) -> PResult<ListReturnOption<'a>> {
    let name = atom(p)?;
    let o = if name.eq_ignore_case("SUBSCRIBED") {
        ListReturnOption::Subscribed
    } else if name.eq_ignore_case("CHILDREN") {
        ListReturnOption::Children
    } else if name.eq_ignore_case("SPECIAL-USE") {
        ListReturnOption::SpecialUse
    } else if name.eq_ignore_case("STATUS") {
        p.sp()?;
        ListReturnOption::Status(paren_atoms(p, false)?)
    } else {
        let mut value = None;
        if p.peek() == Some(b' ') && p.peek_at(1) == Some(b'(') {
            p.pos += 1;
            let (raw, _) = p.recognize(tagged_ext_paren)?;
            value = Some(Cow::Borrowed(raw));
        }
        ListReturnOption::Other { name, value }
    };
    Ok(o)
}

/// ```text
/// sort-criteria  = "(" sort-criterion *(SP sort-criterion) ")"
/// ```
fn sort_criteria<'a>(p: &mut Parser<'a>) -> PResult<List<'a, SortCriterion<'a>>> {
    p.expect(b'(', "sort-criteria")?;
    paren_list_tail(p, sort_criterion, false)
}

/// `sort-criterion = ["REVERSE" SP] sort-key`
pub(crate) fn sort_criterion<'a>(p: &mut Parser<'a>) -> PResult<SortCriterion<'a>> {
    let reverse = p.word(b"REVERSE");
    if reverse {
        p.sp()?;
    }
    Ok(SortCriterion {
        reverse,
        key: sort_key(p)?,
    })
}

/// ```text
/// sort-key = "ARRIVAL" / "CC" / "DATE" / "FROM" / "SIZE" / "SUBJECT" / "TO"   ; RFC 5256
/// sort-key =/ "DISPLAYFROM" / "DISPLAYTO"                                     ; RFC 5957
/// ```
fn sort_key<'a>(p: &mut Parser<'a>) -> PResult<SortKey<'a>> {
    let start = p.pos;
    let a = atom(p)?;
    Ok(match sort_key_named(a.as_str()) {
        Some(k) => k,
        None if a.eq_ignore_case("REVERSE") => {
            p.pos = start;
            return p.err("sort-key");
        }
        None => SortKey::Other(a),
    })
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
pub(crate) fn getmetadata_option<'a>(p: &mut Parser<'a>) -> PResult<GetMetadataOption<'a>> {
    let name = tagged_ext_label(p)?;
    if name.eq_ignore_case("MAXSIZE") {
        p.sp()?;
        Ok(GetMetadataOption::MaxSize(number32(p)?))
    } else if name.eq_ignore_case("DEPTH") {
        p.sp()?;
        let d = if p.word(b"0") {
            MetadataDepth::Zero
        } else if p.word(b"1") {
            MetadataDepth::One
        } else if p.word(b"infinity") {
            MetadataDepth::Infinity
        } else {
            return p.err("\"0\", \"1\" or \"infinity\"");
        };
        Ok(GetMetadataOption::Depth(d))
    } else {
        Ok(GetMetadataOption::Other {
            name,
            value: opt_ext_value(p)?,
        })
    }
}

/// ```text
/// search-modseq-ext = SP entry-name SP entry-type-req   ; after "MODSEQ"
/// entry-flag-name   = DQUOTE "/flags/" attr-flag DQUOTE
/// attr-flag         = "\\Answered" / "\\Flagged" / "\\Deleted" / "\\Seen" / "\\Draft" /
///                     attr-flag-keyword / attr-flag-extension
/// attr-flag-extension = "\\" atom
/// entry-type-req    = "priv" / "shared" / "all"
/// ```
/// The flag is read from the quoted string in place (its only escape is the
/// doubled backslash), so it borrows; a single backslash is accepted under
/// [`Quirks::lone_backslash`].
fn modseq_entry<'a>(p: &mut Parser<'a>) -> PResult<ModSeqEntry<'a>> {
    p.expect(b'"', "entry-name")?;
    if !p.keyword(b"/flags/") {
        return p.err("\"/flags/\"");
    }
    let start = p.pos;
    if p.peek() == Some(b'\\') {
        if p.peek_at(1) == Some(b'\\') {
            p.pos += 1;
        } else if !p.q.lone_backslash {
            return p.err("'\\\\'");
        }
    }
    let flag = flag(p)?;
    if flag == Flag::Wildcard {
        p.pos = start;
        return p.err("attr-flag");
    }
    p.expect(b'"', "'\"'")?;
    p.sp()?;
    let entry_type = if p.word(b"priv") {
        EntryTypeReq::Private
    } else if p.word(b"shared") {
        EntryTypeReq::Shared
    } else if p.word(b"all") {
        EntryTypeReq::All
    } else {
        return p.err("entry-type-req");
    };
    Ok(ModSeqEntry { flag, entry_type })
}

fn command_body<'a>(p: &mut Parser<'a>) -> PResult<CommandBody<'a>> {
    let start = p.pos;
    let name = p.take_while(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    let is = |s: &[u8]| name.eq_ignore_ascii_case(s);
    let at_end = |p: &Parser<'_>| matches!(p.peek(), Some(b'\r' | b'\n'));
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
        if !at_end(p) {
            return p.err("CRLF");
        }
        return Ok(c);
    }
    let c = if let Some(c) = super::ext::command(p, name)? {
        c
    } else if is(b"LOGIN") {
        // login = "LOGIN" SP userid SP password
        p.sp()?;
        let username = astring(p)?;
        p.sp()?;
        let password = astring(p)?;
        CommandBody::Login {
            username,
            password: Secret(password.0),
        }
    } else if is(b"AUTHENTICATE") {
        // authenticate = "AUTHENTICATE" SP auth-type [SP (base64 / "=")]
        p.sp()?;
        let mechanism = atom(p)?;
        let initial_response = if p.eat(b' ') {
            let b = p.take_while(is_base64_char);
            if b.is_empty() {
                return p.err("base64 or '='");
            }
            Some(Secret(Cow::Borrowed(b)))
        } else {
            None
        };
        CommandBody::Authenticate {
            mechanism,
            initial_response,
        }
    } else if is(b"ENABLE") {
        // enable = "ENABLE" 1*(SP capability)
        let s = p.pos + 1;
        while p.eat(b' ') {
            atom(p)?;
        }
        if p.pos < s {
            return p.err("SP capability");
        }
        CommandBody::Enable(List::wire(&p.input[s..p.pos], atom, Sep::Space, p.ctx()))
    } else if is(b"SELECT") || is(b"EXAMINE") || is(b"CREATE") {
        p.sp()?;
        let mailbox = mailbox(p)?;
        if is(b"SELECT") {
            CommandBody::Select {
                mailbox,
                params: ext_params(p, select_param)?,
            }
        } else if is(b"EXAMINE") {
            CommandBody::Examine {
                mailbox,
                params: ext_params(p, select_param)?,
            }
        } else {
            CommandBody::Create {
                mailbox,
                params: ext_params(p, create_param)?,
            }
        }
    } else if is(b"DELETE") {
        p.sp()?;
        CommandBody::Delete(mailbox(p)?)
    } else if is(b"SUBSCRIBE") {
        p.sp()?;
        CommandBody::Subscribe(mailbox(p)?)
    } else if is(b"UNSUBSCRIBE") {
        p.sp()?;
        CommandBody::Unsubscribe(mailbox(p)?)
    } else if is(b"RENAME") {
        p.sp()?;
        let from = mailbox(p)?;
        p.sp()?;
        CommandBody::Rename {
            from,
            to: mailbox(p)?,
        }
    } else if is(b"LIST") {
        list(p)?
    } else if is(b"LSUB") {
        p.sp()?;
        let reference = mailbox(p)?;
        p.sp()?;
        CommandBody::Lsub {
            reference,
            pattern: list_mailbox(p)?,
        }
    } else if is(b"STATUS") {
        // status = "STATUS" SP mailbox SP "(" status-att *(SP status-att) ")"
        p.sp()?;
        let mailbox = mailbox(p)?;
        p.sp()?;
        CommandBody::Status {
            mailbox,
            items: paren_atoms(p, false)?,
        }
    } else if is(b"APPEND") {
        // append = "APPEND" SP mailbox 1*append-message   (RFC 3502)
        p.sp()?;
        let mailbox = mailbox(p)?;
        let s = p.pos + 1;
        while p.eat(b' ') {
            append_message(p)?;
        }
        if p.pos < s {
            return p.err("SP append-message");
        }
        CommandBody::Append {
            mailbox,
            messages: List::wire(&p.input[s..p.pos], append_message, Sep::Space, p.ctx()),
        }
    } else if is(b"UID") {
        // uid = "UID" SP (copy / move / fetch / search / store / uid-expunge)
        p.sp()?;
        let s2 = p.pos;
        let sub = p.take_while(|b| b.is_ascii_alphabetic());
        if sub.eq_ignore_ascii_case(b"EXPUNGE") {
            p.sp()?;
            CommandBody::UidExpunge(sequence_set(p)?)
        } else {
            p.pos = s2;
            match uid_able(p, true)? {
                Some(c) => c,
                None => {
                    p.pos = s2;
                    return p.err("COPY, MOVE, FETCH, SEARCH, STORE, EXPUNGE, SORT or THREAD");
                }
            }
        }
    } else if is(b"ID") {
        p.sp()?;
        CommandBody::Id(id_params(p)?)
    } else if is(b"GETQUOTA") {
        p.sp()?;
        CommandBody::GetQuota(astring(p)?)
    } else if is(b"GETQUOTAROOT") {
        p.sp()?;
        CommandBody::GetQuotaRoot(mailbox(p)?)
    } else if is(b"SETQUOTA") {
        // setquota = "SETQUOTA" SP quota-root-name SP setquota-list
        p.sp()?;
        let root = astring(p)?;
        p.sp()?;
        CommandBody::SetQuota {
            root,
            limits: paren_list(p, quota_limit, true)?,
        }
    } else if is(b"GETMETADATA") {
        // getmetadata = "GETMETADATA" [SP getmetadata-options] SP mailbox SP getmetadata-entries
        // getmetadata-options = "(" getmetadata-option *(SP getmetadata-option) ")"
        p.sp()?;
        let mut options = List::empty();
        if p.eat(b'(') {
            options = paren_list_tail(p, getmetadata_option, false)?;
            p.sp()?;
        }
        let mailbox = mailbox(p)?;
        p.sp()?;
        let entries = if p.eat(b'(') {
            paren_list_tail(p, astring, false)?
        } else {
            let (raw, _) = p.recognize(astring)?;
            List::wire(raw, astring, Sep::Space, p.ctx())
        };
        CommandBody::GetMetadata {
            options,
            mailbox,
            entries,
        }
    } else if is(b"SETMETADATA") {
        // setmetadata = "SETMETADATA" SP mailbox SP "(" entry-value *(SP entry-value) ")"
        p.sp()?;
        let mailbox = mailbox(p)?;
        p.sp()?;
        CommandBody::SetMetadata {
            mailbox,
            entries: paren_list(p, entry_value, false)?,
        }
    } else if is(b"COMPRESS") {
        p.sp()?;
        CommandBody::Compress(atom(p)?)
    } else {
        p.pos = start;
        match uid_able(p, false)? {
            Some(c) => c,
            None => return unknown(p, start),
        }
    };
    Ok(c)
}

/// A command this crate does not know: the name and the raw rest of the frame.
fn unknown<'a>(p: &mut Parser<'a>, start: usize) -> PResult<CommandBody<'a>> {
    p.pos = start;
    let name = atom_str(p)?;
    p.eat(b' ');
    let rest_start = p.pos;
    let body = &p.input[rest_start..];
    let body = body
        .strip_suffix(b"\r\n")
        .or_else(|| {
            if p.q.bare_lf {
                body.strip_suffix(b"\n")
            } else {
                None
            }
        })
        .unwrap_or(body);
    p.pos = rest_start + body.len();
    Ok(CommandBody::Unknown {
        name: Cow::Borrowed(name),
        rest: Cow::Borrowed(body),
    })
}

/// The commands that take a UID prefix; `None` if the name is not one.
fn uid_able<'a>(p: &mut Parser<'a>, uid: bool) -> PResult<Option<CommandBody<'a>>> {
    let name = p.take_while(|b| b.is_ascii_alphabetic());
    let is = |s: &[u8]| name.eq_ignore_ascii_case(s);
    let c = if is(b"FETCH") {
        fetch(p, uid)?
    } else if is(b"STORE") {
        store(p, uid)?
    } else if is(b"COPY") || is(b"MOVE") {
        // copy = "COPY" SP sequence-set SP mailbox ; move = "MOVE" SP sequence-set SP mailbox
        p.sp()?;
        let set = sequence_set(p)?;
        p.sp()?;
        let mailbox = mailbox(p)?;
        if is(b"COPY") {
            CommandBody::Copy { uid, set, mailbox }
        } else {
            CommandBody::Move { uid, set, mailbox }
        }
    } else if is(b"SEARCH") {
        search(p, uid)?
    } else if is(b"SORT") {
        // sort = ["UID" SP] "SORT" SP sort-criteria SP search-criteria
        p.sp()?;
        let criteria = sort_criteria(p)?;
        p.sp()?;
        let charset = charset(p)?;
        let search = search_keys(p)?;
        CommandBody::Sort {
            uid,
            criteria,
            charset,
            search,
        }
    } else if is(b"THREAD") {
        // thread = ["UID" SP] "THREAD" SP thread-alg SP search-criteria
        p.sp()?;
        let algorithm = atom(p)?;
        p.sp()?;
        let charset = charset(p)?;
        let search = search_keys(p)?;
        CommandBody::Thread {
            uid,
            algorithm,
            charset,
            search,
        }
    } else {
        return Ok(None);
    };
    Ok(Some(c))
}

/// `charset = atom / quoted`
fn charset<'a>(p: &mut Parser<'a>) -> PResult<IString<'a>> {
    if p.peek() == Some(b'"') {
        quoted(p)
    } else {
        let (raw, _) = p.recognize(atom)?;
        Ok(IString(Cow::Borrowed(raw)))
    }
}

/// `1*(SP search-key)`
fn search_keys<'a>(p: &mut Parser<'a>) -> PResult<List<'a, SearchKey<'a>>> {
    let s = p.pos + 1;
    while p.eat(b' ') {
        search_key(p)?;
    }
    if p.pos < s {
        return p.err("SP search-key");
    }
    Ok(List::wire(
        &p.input[s..p.pos],
        search_key,
        Sep::Space,
        p.ctx(),
    ))
}

/// `"(" atom *(SP atom) ")"` (also empty when `empty_ok`)
fn paren_atoms<'a>(p: &mut Parser<'a>, empty_ok: bool) -> PResult<List<'a, Atom<'a>>> {
    paren_list(p, atom, empty_ok)
}

/// ```text
/// search            = "SEARCH" [search-return-opts] SP search-program
/// search-return-opts = SP "RETURN" SP "(" [search-return-opt *(SP search-return-opt)] ")"
/// search-program    = ["CHARSET" SP charset SP] search-key *(SP search-key)
/// ```
fn search<'a>(p: &mut Parser<'a>, uid: bool) -> PResult<CommandBody<'a>> {
    let mut return_options = None;
    let save = p.pos;
    if p.eat(b' ') && p.word(b"RETURN") {
        p.sp()?;
        return_options = Some(paren_atoms(p, true)?);
    } else {
        p.pos = save;
    }
    let mut charset_v = None;
    let save = p.pos;
    if p.eat(b' ') && p.word(b"CHARSET") {
        p.sp()?;
        charset_v = Some(charset(p)?);
    } else {
        p.pos = save;
    }
    let criteria = search_keys(p)?;
    Ok(CommandBody::Search {
        uid,
        return_options,
        charset: charset_v,
        criteria,
    })
}

fn lazy_key<'a>(p: &mut Parser<'a>) -> PResult<Lazy<'a, SearchKey<'a>>> {
    let ctx = p.ctx();
    let (raw, _) = p.recognize(search_key)?;
    Ok(Lazy::wire(raw, search_key, ctx))
}

/// ```text
/// search-key = "ALL" / "ANSWERED" / "BCC" SP astring / "BEFORE" SP date / "BODY" SP astring /
///              "CC" SP astring / "DELETED" / "FLAGGED" / "FROM" SP astring / "KEYWORD" SP flag-keyword /
///              "NEW" / "OLD" / "ON" SP date / "RECENT" / "SEEN" / "SINCE" SP date / "SUBJECT" SP astring /
///              "TEXT" SP astring / "TO" SP astring / "UNANSWERED" / "UNDELETED" / "UNFLAGGED" /
///              "UNKEYWORD" SP flag-keyword / "UNSEEN" / "DRAFT" / "HEADER" SP header-fld-name SP astring /
///              "LARGER" SP number64 / "NOT" SP search-key / "OR" SP search-key SP search-key /
///              "SENTBEFORE" SP date / "SENTON" SP date / "SENTSINCE" SP date / "SMALLER" SP number64 /
///              "UID" SP sequence-set / "UNDRAFT" / sequence-set / "(" search-key *(SP search-key) ")"
/// search-modsequence = "MODSEQ" [search-modseq-ext] SP mod-sequence-valzer   ; RFC 7162
/// ```
pub(crate) fn search_key<'a>(p: &mut Parser<'a>) -> PResult<SearchKey<'a>> {
    p.enter()?;
    let k = search_key_inner(p);
    p.leave();
    k
}

fn search_key_inner<'a>(p: &mut Parser<'a>) -> PResult<SearchKey<'a>> {
    use SearchKey as K;
    match p.peek() {
        Some(b'(') => {
            p.pos += 1;
            return Ok(K::And(paren_list_tail(p, search_key, false)?));
        }
        Some(b'0'..=b'9' | b'*' | b'$') => return sequence_set(p).map(K::SequenceSet),
        _ => {}
    }
    let start = p.pos;
    let name = p.take_while(|b| b.is_ascii_alphabetic());
    let is = |s: &[u8]| name.eq_ignore_ascii_case(s);
    macro_rules! arg {
        ($f:expr) => {{
            p.sp()?;
            $f(p)?
        }};
    }
    let k = if is(b"ALL") {
        K::All
    } else if is(b"ANSWERED") {
        K::Answered
    } else if is(b"BCC") {
        K::Bcc(arg!(astring))
    } else if is(b"BEFORE") {
        K::Before(arg!(date))
    } else if is(b"BODY") {
        K::Body(arg!(astring))
    } else if is(b"CC") {
        K::Cc(arg!(astring))
    } else if is(b"DELETED") {
        K::Deleted
    } else if is(b"DRAFT") {
        K::Draft
    } else if is(b"FLAGGED") {
        K::Flagged
    } else if is(b"FROM") {
        K::From(arg!(astring))
    } else if is(b"HEADER") {
        let f = arg!(astring);
        K::Header(f, arg!(astring))
    } else if is(b"KEYWORD") {
        K::Keyword(arg!(atom))
    } else if is(b"LARGER") {
        K::Larger(arg!(number64))
    } else if is(b"NEW") {
        K::New
    } else if is(b"NOT") {
        K::Not(arg!(lazy_key))
    } else if is(b"OLD") {
        K::Old
    } else if is(b"ON") {
        K::On(arg!(date))
    } else if is(b"OR") {
        let a = arg!(lazy_key);
        K::Or(a, arg!(lazy_key))
    } else if is(b"RECENT") {
        K::Recent
    } else if is(b"SEEN") {
        K::Seen
    } else if is(b"SENTBEFORE") {
        K::SentBefore(arg!(date))
    } else if is(b"SENTON") {
        K::SentOn(arg!(date))
    } else if is(b"SENTSINCE") {
        K::SentSince(arg!(date))
    } else if is(b"SINCE") {
        K::Since(arg!(date))
    } else if is(b"SMALLER") {
        K::Smaller(arg!(number64))
    } else if is(b"SUBJECT") {
        K::Subject(arg!(astring))
    } else if is(b"TEXT") {
        K::Text(arg!(astring))
    } else if is(b"TO") {
        K::To(arg!(astring))
    } else if is(b"UID") {
        K::Uid(arg!(sequence_set))
    } else if is(b"UNANSWERED") {
        K::Unanswered
    } else if is(b"UNDELETED") {
        K::Undeleted
    } else if is(b"UNDRAFT") {
        K::Undraft
    } else if is(b"UNFLAGGED") {
        K::Unflagged
    } else if is(b"UNKEYWORD") {
        K::Unkeyword(arg!(atom))
    } else if is(b"UNSEEN") {
        K::Unseen
    } else if is(b"MODSEQ") {
        // search-modsequence = "MODSEQ" [search-modseq-ext] SP mod-sequence-valzer
        // search-modseq-ext  = SP entry-name SP entry-type-req
        p.sp()?;
        let mut entry = None;
        if p.peek() == Some(b'"') {
            entry = Some(modseq_entry(p)?);
            p.sp()?;
        }
        K::ModSeq {
            entry,
            modseq: number64(p)?,
        }
    } else if is(b"OLDER") {
        K::Older(arg!(number))
    } else if is(b"YOUNGER") {
        K::Younger(arg!(number))
    } else if is(b"EMAILID") {
        K::EmailId(arg!(astring))
    } else if is(b"THREADID") {
        K::ThreadId(arg!(astring))
    } else {
        p.pos = start;
        return p.err("search-key");
    };
    Ok(k)
}

/// `"<" number "." nz-number ">"`
fn partial(p: &mut Parser<'_>) -> PResult<Option<(u32, u32)>> {
    if !p.eat(b'<') {
        return Ok(None);
    }
    let a = number(p)?;
    p.expect(b'.', "'.'")?;
    let b = super::legacy::nz_number(p)?;
    p.expect(b'>', "'>'")?;
    Ok(Some((a, b)))
}

/// ```text
/// fetch-att = "ENVELOPE" / "FLAGS" / "INTERNALDATE" / "RFC822" [".HEADER" / ".SIZE" / ".TEXT"] /
///             "BODY" ["STRUCTURE"] / "UID" / "BODY" section [partial] / "BODY.PEEK" section [partial] /
///             "BINARY" [".PEEK"] section-binary [partial] / "BINARY.SIZE" section-binary
/// ```
pub(crate) fn fetch_att<'a>(p: &mut Parser<'a>) -> PResult<FetchAttribute<'a>> {
    use FetchAttribute as F;
    let start = p.pos;
    let name = p.take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
    let is = |s: &[u8]| name.eq_ignore_ascii_case(s);
    let a = if is(b"ENVELOPE") {
        F::Envelope
    } else if is(b"FLAGS") {
        F::Flags
    } else if is(b"INTERNALDATE") {
        F::InternalDate
    } else if is(b"RFC822") {
        F::Rfc822
    } else if is(b"RFC822.HEADER") {
        F::Rfc822Header
    } else if is(b"RFC822.SIZE") {
        F::Rfc822Size
    } else if is(b"RFC822.TEXT") {
        F::Rfc822Text
    } else if is(b"BODYSTRUCTURE") {
        F::BodyStructure
    } else if is(b"UID") {
        F::Uid
    } else if is(b"BODY") || is(b"BODY.PEEK") {
        if p.peek() == Some(b'[') {
            let section = p.nom(section)?;
            F::BodySection {
                peek: is(b"BODY.PEEK"),
                section,
                partial: partial(p)?,
            }
        } else if is(b"BODY") {
            F::Body
        } else {
            return p.err("section");
        }
    } else if is(b"BINARY") || is(b"BINARY.PEEK") {
        let part = p.nom(section_binary)?;
        F::Binary {
            peek: is(b"BINARY.PEEK"),
            part,
            partial: partial(p)?,
        }
    } else if is(b"BINARY.SIZE") {
        F::BinarySize(p.nom(section_binary)?)
    } else if is(b"MODSEQ") {
        F::ModSeq
    } else if is(b"EMAILID") {
        F::EmailId
    } else if is(b"THREADID") {
        F::ThreadId
    } else if is(b"SAVEDATE") {
        F::SaveDate
    } else if is(b"PREVIEW") {
        let lazy = p.keyword(b" (LAZY)");
        F::Preview { lazy }
    } else {
        p.pos = start;
        F::Other(atom(p)?)
    };
    Ok(a)
}

/// ```text
/// fetch = "FETCH" SP sequence-set SP ("ALL" / "FULL" / "FAST" / fetch-att /
///         "(" fetch-att *(SP fetch-att) ")") [fetch-modifiers]
/// fetch-modifiers = SP "(" fetch-modifier *(SP fetch-modifier) ")"
/// fetch-modifier  = "CHANGEDSINCE" SP mod-sequence-value / "VANISHED"
/// ```
fn fetch<'a>(p: &mut Parser<'a>, uid: bool) -> PResult<CommandBody<'a>> {
    p.sp()?;
    let set = sequence_set(p)?;
    p.sp()?;
    let attributes = if p.word(b"ALL") {
        FetchAttributes::All
    } else if p.word(b"FAST") {
        FetchAttributes::Fast
    } else if p.word(b"FULL") {
        FetchAttributes::Full
    } else if p.eat(b'(') {
        FetchAttributes::List(paren_list_tail(p, fetch_att, false)?)
    } else {
        let (raw, _) = p.recognize(fetch_att)?;
        FetchAttributes::List(List::wire(raw, fetch_att, Sep::Space, p.ctx()))
    };
    let mut changed_since = None;
    let mut vanished = false;
    if p.peek() == Some(b' ') && p.peek_at(1) == Some(b'(') {
        p.pos += 2;
        loop {
            if p.word(b"CHANGEDSINCE") {
                p.sp()?;
                changed_since = Some(number64(p)?);
            } else if p.word(b"VANISHED") {
                vanished = true;
            } else {
                return p.err("CHANGEDSINCE or VANISHED");
            }
            if p.eat(b')') {
                break;
            }
            p.sp()?;
        }
    }
    Ok(CommandBody::Fetch {
        uid,
        set,
        attributes,
        changed_since,
        vanished,
    })
}

/// ```text
/// store = "STORE" SP sequence-set [store-modifiers] SP store-att-flags
/// store-modifiers = SP "(" "UNCHANGEDSINCE" SP mod-sequence-valzer ")"
/// store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag)))
/// ```
fn store<'a>(p: &mut Parser<'a>, uid: bool) -> PResult<CommandBody<'a>> {
    p.sp()?;
    let set = sequence_set(p)?;
    p.sp()?;
    let mut unchanged_since = None;
    if p.eat(b'(') {
        if !p.keyword(b"UNCHANGEDSINCE") {
            return p.err("UNCHANGEDSINCE");
        }
        p.sp()?;
        unchanged_since = Some(number64(p)?);
        p.expect(b')', "')'")?;
        p.sp()?;
    }
    let kind = if p.eat(b'+') {
        StoreKind::Add
    } else if p.eat(b'-') {
        StoreKind::Remove
    } else {
        StoreKind::Replace
    };
    if !p.keyword(b"FLAGS") {
        return p.err("FLAGS");
    }
    let silent = p.keyword(b".SILENT");
    p.sp()?;
    let flags = if p.peek() == Some(b'(') {
        flag_list(p)?
    } else {
        let s = p.pos;
        flag(p)?;
        while p.eat(b' ') {
            flag(p)?;
        }
        List::wire(&p.input[s..p.pos], flag, Sep::Space, p.ctx())
    };
    Ok(CommandBody::Store {
        uid,
        set,
        unchanged_since,
        kind,
        silent,
        flags,
    })
}

/// ```text
/// list = "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]
/// list-select-opts = "(" [list-select-opt *(SP list-select-opt)] ")"
/// mbox-or-pat = list-mailbox / patterns
/// patterns = "(" list-mailbox *(SP list-mailbox) ")"
/// list-return-opts = "RETURN" SP "(" [return-option *(SP return-option)] ")"
/// ```
fn list<'a>(p: &mut Parser<'a>) -> PResult<CommandBody<'a>> {
    p.sp()?;
    let selection = if p.peek() == Some(b'(') {
        let l = paren_atoms(p, true)?;
        p.sp()?;
        l
    } else {
        List::wire(&p.input[0..0], atom, Sep::Space, p.ctx())
    };
    let reference = mailbox(p)?;
    p.sp()?;
    let patterns = if p.eat(b'(') {
        paren_list_tail(p, list_mailbox, false)?
    } else {
        let (raw, _) = p.recognize(list_mailbox)?;
        List::wire(raw, list_mailbox, Sep::Space, p.ctx())
    };
    let mut return_options = None;
    let save = p.pos;
    if p.eat(b' ') && p.word(b"RETURN") {
        p.sp()?;
        p.expect(b'(', "'('")?;
        return_options = Some(paren_list_tail(p, return_option, true)?);
    } else {
        p.pos = save;
    }
    Ok(CommandBody::List {
        selection,
        reference,
        patterns,
        return_options,
    })
}

/// ```text
/// append-message = append-opts SP append-data
/// append-opts    = [flag-list SP] [date-time SP]
/// append-data    = literal / literal8
/// ```
/// `append-opts` followed by a literal announcement that ends the input
/// (the head of a streamed message).
#[allow(clippy::type_complexity)]
pub(crate) fn append_opts_head<'a>(
    p: &mut Parser<'a>,
) -> PResult<(
    Option<List<'a, Flag<'a>>>,
    Option<crate::imap::types::core::DateTime>,
)> {
    let (flags, date) = super::ext::append_opts(p)?;
    p.eat(b'~');
    p.expect(b'{', "literal")?;
    p.take_while(|b| b.is_ascii_digit() || b == b'+' || b == b'-');
    p.expect(b'}', "'}'")?;
    if !(p.keyword(b"\r\n") || (p.q.bare_lf && p.eat(b'\n'))) {
        return p.err("CRLF");
    }
    Ok((flags, date))
}

pub(crate) fn append_message<'a>(p: &mut Parser<'a>) -> PResult<AppendMessage<'a>> {
    let mut flags = None;
    if p.peek() == Some(b'(') {
        flags = Some(flag_list(p)?);
        p.sp()?;
    }
    let mut date = None;
    if p.peek() == Some(b'"') {
        date = Some(date_time(p)?);
        p.sp()?;
    }
    if !matches!(p.peek(), Some(b'{' | b'~')) {
        return p.err("literal");
    }
    let (data, binary) = literal(p)?;
    Ok(AppendMessage {
        flags,
        date,
        data: Cow::Borrowed(data),
        binary,
    })
}

fn id_pair<'a>(p: &mut Parser<'a>) -> PResult<(IString<'a>, Option<IString<'a>>)> {
    let k = string(p)?;
    p.sp()?;
    Ok((k, nstring(p)?))
}

/// `id-params-list = "(" *(string SP nstring) ")" / nil`
fn id_params<'a>(p: &mut Parser<'a>) -> PResult<crate::imap::types::response::IdParams<'a>> {
    if nil(p) {
        return Ok(None);
    }
    Ok(Some(paren_list(p, id_pair, true)?))
}

/// `setquota-resource = resource-name SP resource-limit`
fn quota_limit<'a>(p: &mut Parser<'a>) -> PResult<(Atom<'a>, u64)> {
    let n = atom(p)?;
    p.sp()?;
    Ok((n, number64(p)?))
}

/// `entry-value = entry SP value ; value = nstring / literal8`
fn entry_value<'a>(p: &mut Parser<'a>) -> PResult<(IString<'a>, Option<IString<'a>>)> {
    let k = astring(p)?;
    p.sp()?;
    Ok((k, nstring(p)?))
}
