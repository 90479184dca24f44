//! The writer of the grammar's ground floor: [`W`], which writes the core
//! values (atom, astring, string, literal, number, sequence set, date-time,
//! flags, mailbox) the way the peer reads them back, and the emit options.
//!
//! RFC 9051 §4, §9; RFC 7888 literals.
//!
//! Strings are written as an atom, a quoted string or a literal depending on
//! their content, so no line is ever read differently by the peer: CR, LF and
//! 8-bit bytes force a literal (8-bit may be quoted once UTF8=ACCEPT is on,
//! [`EmitOptions::utf8`]), NUL forces literal8 where it is allowed and is an
//! [`Error::Emit`](crate::Error::Emit) elsewhere, as are CR/LF in human text. Nothing is written
//! to the output when emitting fails.
//!
//! A client must wait for `+` after each synchronizing literal: [`Emitted`]
//! lists where they end so a state machine can send the command in pieces.

use crate::imap::syntax::rules::{is_ext_value, is_tagged_ext_label};
use alloc::vec::Vec;
use bytes::{BufMut, BytesMut};

use crate::Error;
use crate::imap::syntax::core::{
    Atom, DateTime, Flag, IString, List, MONTHS, Mailbox, SequenceSet, class,
};

/// How a client announces the literals of a command (RFC 9051 §4.3, RFC 7888).
///
/// There are two announcements and only two: the synchronizing `{n}`, after
/// which the client waits for the server's `+`, and the non-synchronizing
/// `{n+}`, sent without waiting:
///
/// ```text
/// literal = "{" number64 ["+"] "}" CRLF *CHAR8     ; RFC 9051 §9
/// literal = "{" number ["+"] "}" CRLF *CHAR8       ; RFC 7888 §3 (LITERAL+ and LITERAL-)
/// ```
///
/// LITERAL- does not add a syntax: it only bounds the non-synchronizing
/// literals to 4096 bytes (RFC 7888 §4). Nothing in this crate ever writes
/// `{n-}`; a strict server reads the line of such a literal as a `BAD`
/// command and every line of its data as a command of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum LiteralStyle {
    /// `{n}`: wait for `+` after each (always allowed). The default.
    #[default]
    Sync,
    /// `{n+}` for every literal: the server advertised LITERAL+.
    NonSyncPlus,
    /// `{n+}` for literals of at most 4096 bytes and `{n}` for larger ones:
    /// the server advertised LITERAL- or IMAP4rev2 (RFC 9051 §4.3: "Unless
    /// otherwise specified in an IMAP extension, non-synchronizing literals
    /// MUST NOT be larger than 4096 octets").
    NonSyncMinus,
}

/// The largest non-synchronizing literal under LITERAL- and IMAP4rev2
/// (RFC 7888 §4, RFC 9051 §4.3).
pub const LITERAL_MINUS_MAX: u64 = 4096;

impl LiteralStyle {
    /// Whether a literal of `size` bytes is announced non-synchronizing
    /// (`{n+}`) in this style; otherwise it is `{n}` and the client waits for
    /// the server's `+`.
    pub fn non_synchronizing(self, size: u64) -> bool {
        match self {
            LiteralStyle::Sync => false,
            LiteralStyle::NonSyncPlus => true,
            LiteralStyle::NonSyncMinus => size <= LITERAL_MINUS_MAX,
        }
    }
}

/// Options for emitting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct EmitOptions {
    /// How to announce literals in commands (responses always use `{n}`).
    pub literals: LiteralStyle,
    /// UTF8=ACCEPT is enabled (RFC 6855): UTF-8 may be sent in quoted strings.
    pub utf8: bool,
}

impl EmitOptions {
    /// Synchronizing literals, no UTF-8 in quoted strings.
    pub fn new() -> Self {
        Self::default()
    }
    /// With this literal style.
    pub fn with_literals(mut self, literals: LiteralStyle) -> Self {
        self.literals = literals;
        self
    }
    /// With UTF8=ACCEPT on or off.
    pub fn with_utf8(mut self, utf8: bool) -> Self {
        self.utf8 = utf8;
        self
    }
}

/// What an emit call wrote.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Emitted {
    /// Bytes written.
    pub len: usize,
    /// Offsets (from the start of what was written) just after each
    /// synchronizing literal's `{n}` CRLF: a client sends up to there, then
    /// waits for the server's `+`. Empty for most commands (no allocation).
    pub sync_points: Vec<usize>,
}

/// Longest string written quoted; longer ones become literals.
const MAX_QUOTED: usize = 1024;

/// A growable byte buffer the emitters write into directly: a scratch `Vec`
/// (the public functions, so nothing reaches a caller's `BufMut` when a value
/// turns out to be un-emittable) or a state machine's output `BytesMut`
/// (which truncates back when emitting fails, see [`emit_into`]).
pub(crate) trait Sink {
    /// Appends bytes.
    fn extend_from_slice(&mut self, b: &[u8]);
    /// Appends one byte.
    fn push(&mut self, b: u8);
    /// Bytes held.
    fn len(&self) -> usize;
}

impl Sink for Vec<u8> {
    #[inline]
    fn extend_from_slice(&mut self, b: &[u8]) {
        Vec::extend_from_slice(self, b);
    }
    #[inline]
    fn push(&mut self, b: u8) {
        Vec::push(self, b);
    }
    #[inline]
    fn len(&self) -> usize {
        Vec::len(self)
    }
}

impl Sink for BytesMut {
    #[inline]
    fn extend_from_slice(&mut self, b: &[u8]) {
        BytesMut::extend_from_slice(self, b);
    }
    #[inline]
    fn push(&mut self, b: u8) {
        BytesMut::extend_from_slice(self, &[b]);
    }
    #[inline]
    fn len(&self) -> usize {
        BytesMut::len(self)
    }
}

/// The writer used by the emitters; see [`Sink`].
pub(crate) struct W<'o> {
    pub(crate) buf: &'o mut dyn Sink,
    pub(crate) opts: EmitOptions,
    pub(crate) server: bool,
    pub(crate) sync: Vec<usize>,
    start: usize,
}

impl<'o> W<'o> {
    pub(crate) fn new(buf: &'o mut dyn Sink, opts: EmitOptions, server: bool) -> Self {
        let start = buf.len();
        W {
            buf,
            opts,
            server,
            sync: Vec::new(),
            start,
        }
    }
    pub(crate) fn raw(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }
    pub(crate) fn sp(&mut self) {
        self.buf.push(b' ');
    }
    pub(crate) fn num(&mut self, n: u64) {
        self.buf
            .extend_from_slice(crate::wire::decimal::Decimal::new(n).as_bytes());
    }
    pub(crate) fn crlf(&mut self) {
        self.buf.extend_from_slice(b"\r\n");
    }

    /// A literal (or literal8 when `binary`).
    pub(crate) fn literal(&mut self, data: &[u8], binary: bool) -> Result<(), Error> {
        if !binary && data.contains(&0) {
            return Err(Error::Emit(crate::error::Unemittable::NulNeedsBinary));
        }
        if binary {
            self.buf.push(b'~');
        }
        // A server's literals never wait for anything: `{n+}` is a client's
        // announcement (RFC 9051 §4.3; RFC 4466 allows it on literal8 too).
        let plus = !self.server && self.opts.literals.non_synchronizing(data.len() as u64);
        announce(self.buf, data.len() as u64, plus);
        if !self.server && !plus {
            self.sync.push(self.buf.len() - self.start);
        }
        self.raw(data);
        Ok(())
    }

    fn quotable(&self, s: &[u8]) -> bool {
        s.len() <= MAX_QUOTED
            && s.iter()
                .all(|&b| b != b'\r' && b != b'\n' && b != 0 && (b < 0x80 || self.opts.utf8))
            && (!self.opts.utf8 || s.is_ascii() || core::str::from_utf8(s).is_ok())
    }

    pub(crate) fn quoted(&mut self, s: &[u8]) {
        self.buf.push(b'"');
        let mut rest = s;
        // runs without quoted-specials are copied whole
        while let Some(i) = memchr::memchr2(b'"', b'\\', rest) {
            self.buf.extend_from_slice(&rest[..i]);
            self.buf.push(b'\\');
            self.buf.push(rest[i]);
            rest = &rest[i + 1..];
        }
        self.buf.extend_from_slice(rest);
        self.buf.push(b'"');
    }

    /// `string = quoted / literal`
    pub(crate) fn string(&mut self, s: &[u8]) -> Result<(), Error> {
        if self.quotable(s) {
            self.quoted(s);
            Ok(())
        } else {
            self.literal(s, false)
        }
    }

    /// `astring = 1*ASTRING-CHAR / string`
    pub(crate) fn astring(&mut self, s: &[u8]) -> Result<(), Error> {
        if !s.is_empty()
            && s.iter().all(|&b| class::is(b, class::ASTRING))
            && !s.eq_ignore_ascii_case(b"NIL")
        {
            self.raw(s);
            Ok(())
        } else {
            self.string(s)
        }
    }

    /// `nstring = string / nil`
    pub(crate) fn nstring(&mut self, s: &Option<IString<'_>>) -> Result<(), Error> {
        match s {
            None => {
                self.raw(b"NIL");
                Ok(())
            }
            Some(s) => self.string(s.as_bytes()),
        }
    }

    /// `list-mailbox = 1*list-char / string`
    pub(crate) fn list_mailbox(&mut self, s: &[u8]) -> Result<(), Error> {
        if !s.is_empty() && s.iter().all(|&b| class::is(b, class::LIST)) {
            self.raw(s);
            Ok(())
        } else {
            self.string(s)
        }
    }

    pub(crate) fn mailbox(&mut self, m: &Mailbox<'_>) -> Result<(), Error> {
        match m {
            Mailbox::Inbox => {
                self.raw(b"INBOX");
                Ok(())
            }
            Mailbox::Other(s) | Mailbox::Utf8(s) => self.astring(s.as_bytes()),
        }
    }

    pub(crate) fn atom(&mut self, a: &Atom<'_>) -> Result<(), Error> {
        if !crate::imap::syntax::core::is_atom(a.as_str().as_bytes()) {
            return Err(Error::Emit(crate::error::Unemittable::Grammar {
                rule: "atom",
            }));
        }
        self.raw(a.as_str().as_bytes());
        Ok(())
    }

    /// Human-readable text: no CR, LF or NUL.
    pub(crate) fn text(&mut self, t: &[u8]) -> Result<(), Error> {
        if !crate::wire::line::is_line_safe(t) {
            return Err(Error::Emit(crate::error::Unemittable::LineBreak {
                field: "response text",
            }));
        }
        self.raw(t);
        Ok(())
    }

    pub(crate) fn flag(&mut self, f: &Flag<'_>) -> Result<(), Error> {
        match f {
            Flag::Keyword(a) => self.atom(a),
            Flag::Extension(a) => {
                self.raw(b"\\");
                self.atom(a)
            }
            other => {
                self.raw(other.wire_name().as_bytes());
                Ok(())
            }
        }
    }

    pub(crate) fn flag_list(&mut self, l: &List<'_, Flag<'_>>) -> Result<(), Error> {
        self.raw(b"(");
        for (i, f) in l.iter().enumerate() {
            if i > 0 {
                self.sp();
            }
            self.flag(&f)?;
        }
        self.raw(b")");
        Ok(())
    }

    pub(crate) fn seq(&mut self, s: &SequenceSet<'_>) {
        self.raw(s.as_str().as_bytes());
    }

    pub(crate) fn date(&mut self, d: &crate::imap::syntax::core::Date) -> Result<(), Error> {
        if crate::imap::syntax::core::Date::new(d.year, d.month, d.day).is_none() {
            return Err(Error::Emit(crate::error::Unemittable::OutOfRange {
                field: "date",
            }));
        }
        self.num(u64::from(d.day));
        self.raw(b"-");
        self.raw(MONTHS[usize::from(d.month.clamp(1, 12) - 1)].as_bytes());
        self.raw(b"-");
        self.four(d.year);
        Ok(())
    }

    fn two(&mut self, n: u8) {
        self.buf.push(b'0' + (n / 10) % 10);
        self.buf.push(b'0' + n % 10);
    }
    fn four(&mut self, n: u16) {
        self.two((n / 100) as u8);
        self.two((n % 100) as u8);
    }

    pub(crate) fn date_time(&mut self, d: &DateTime) -> Result<(), Error> {
        if crate::imap::syntax::core::Date::new(d.date.year, d.date.month, d.date.day)
            .and_then(|x| DateTime::new(x, d.hour, d.minute, d.second, d.zone))
            .is_none()
        {
            return Err(Error::Emit(crate::error::Unemittable::OutOfRange {
                field: "date-time",
            }));
        }
        self.raw(b"\"");
        self.two(d.date.day);
        self.raw(b"-");
        self.raw(MONTHS[usize::from(d.date.month.clamp(1, 12) - 1)].as_bytes());
        self.raw(b"-");
        self.four(d.date.year);
        self.sp();
        self.two(d.hour);
        self.raw(b":");
        self.two(d.minute);
        self.raw(b":");
        self.two(d.second);
        self.sp();
        self.raw(if d.zone < 0 { b"-" } else { b"+" });
        let z = d.zone.unsigned_abs();
        self.two((z / 60) as u8);
        self.two((z % 60) as u8);
        self.raw(b"\"");
        Ok(())
    }
}

/// Runs `f` into a scratch buffer, then copies to `out` only on success.
pub(crate) fn emit_with(
    out: &mut impl BufMut,
    opts: EmitOptions,
    server: bool,
    f: impl FnOnce(&mut W<'_>) -> Result<(), Error>,
) -> Result<Emitted, Error> {
    let mut scratch = Vec::new();
    let mut w = W::new(&mut scratch, opts, server);
    f(&mut w)?;
    let sync_points = core::mem::take(&mut w.sync);
    if out.remaining_mut() < scratch.len() {
        return Err(Error::Emit(crate::error::Unemittable::BufferTooSmall));
    }
    out.put_slice(&scratch);
    Ok(Emitted {
        len: scratch.len(),
        sync_points,
    })
}

/// Runs `f` straight into a state machine's output buffer; when it fails,
/// `out` is truncated back to its length before, so no half-written line
/// remains. Allocates nothing once `out` has room.
pub(crate) fn emit_into(
    out: &mut BytesMut,
    opts: EmitOptions,
    server: bool,
    f: impl FnOnce(&mut W<'_>) -> Result<(), Error>,
) -> Result<(), Error> {
    let before = out.len();
    let mut w = W::new(out, opts, server);
    let r = f(&mut w);
    if r.is_err() {
        out.truncate(before);
    }
    r
}

/// Writes a literal announcement after its optional `~`: `{n+}` CRLF when
/// `plus` (a client's non-synchronizing literal), `{n}` CRLF otherwise. These
/// are the only two forms (RFC 9051 §9 `literal`); the client's streamed
/// APPEND writes its announcement here too.
pub(crate) fn announce(buf: &mut dyn Sink, size: u64, plus: bool) {
    buf.push(b'{');
    buf.extend_from_slice(crate::wire::decimal::Decimal::new(size).as_bytes());
    if plus {
        buf.push(b'+');
    }
    buf.extend_from_slice(b"}\r\n");
}

/// The recursive emitters (body structures, search keys, threads) refuse a
/// value nested deeper than
/// [`ParseOptions::MAX_NESTING_DEPTH`](crate::imap::syntax::options::ParseOptions::MAX_NESTING_DEPTH)
/// (no parser accepts it; only an application can build one), so the stack
/// they use stays within what that depth is proven to need. `depth` is the
/// level of the value about to be written, 1 at the top.
#[inline]
pub(crate) fn check_depth(depth: usize) -> Result<(), Error> {
    if depth > crate::imap::syntax::options::ParseOptions::MAX_NESTING_DEPTH {
        return Err(Error::Emit(crate::error::Unemittable::TooDeep));
    }
    Ok(())
}

/// `objectid = 1*255(ALPHA / DIGIT / "_" / "-")` (RFC 8474 §4), without its parentheses.
pub(crate) fn objectid(w: &mut W<'_>, id: &IString<'_>) -> Result<(), Error> {
    let b = id.as_bytes();
    if b.is_empty()
        || b.len() > 255
        || !b
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
    {
        return Err(Error::Emit(crate::error::Unemittable::Grammar {
            rule: "objectid",
        }));
    }
    w.raw(b);
    Ok(())
}

/// A name, SP and a number (`UIDNEXT 5`, `UID 7`).
pub(crate) fn num_code(w: &mut W<'_>, name: &[u8], n: u64) -> Result<(), Error> {
    w.raw(name);
    w.sp();
    w.num(n);
    Ok(())
}

pub(crate) fn atoms_sp(w: &mut W<'_>, l: &List<'_, Atom<'_>>) -> Result<(), Error> {
    for (i, a) in l.iter().enumerate() {
        if i > 0 {
            w.sp();
        }
        w.atom(&a)?;
    }
    Ok(())
}

/// `SP "(" param *(SP param) ")"`, nothing for no parameters.
pub(crate) fn ext_params<T: Clone>(
    w: &mut W<'_>,
    params: &List<'_, T>,
    each: fn(&mut W<'_>, &T) -> Result<(), Error>,
) -> Result<(), Error> {
    if params.is_empty() {
        return Ok(());
    }
    w.raw(b" (");
    for (i, p) in params.iter().enumerate() {
        if i > 0 {
            w.sp();
        }
        each(w, &p)?;
    }
    w.raw(b")");
    Ok(())
}

/// `tagged-ext-label [SP tagged-ext-val]` of an extension parameter whose
/// name is none of `known` (those have their own variant, and would parse
/// back as it).
pub(crate) fn ext_param(
    w: &mut W<'_>,
    name: &Atom<'_>,
    value: &Option<alloc::borrow::Cow<'_, [u8]>>,
    known: &[&str],
) -> Result<(), Error> {
    let n = name.as_str();
    if !is_tagged_ext_label(n.as_bytes()) {
        return Err(Error::Emit(crate::error::Unemittable::Grammar {
            rule: "tagged-ext-label",
        }));
    }
    if known.iter().any(|k| k.eq_ignore_ascii_case(n)) {
        return Err(Error::Emit(crate::error::Unemittable::NonCanonical));
    }
    w.raw(n.as_bytes());
    if let Some(v) = value {
        if !is_ext_value(v, false) {
            return Err(Error::Emit(crate::error::Unemittable::Grammar {
                rule: "tagged-ext-val",
            }));
        }
        w.sp();
        w.raw(v);
    }
    Ok(())
}
