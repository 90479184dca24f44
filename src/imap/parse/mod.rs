//! The IMAP grammar (RFC 9051 §9, RFC 3501 §9 and extensions), one function
//! per ABNF rule with the rule quoted, grouped by area: [`core`] values,
//! [`response`]s, [`body`] structures and envelopes, [`command`]s.
//!
//! Every parser runs on one complete message found by
//! [`Framer`](crate::imap::frame::Framer), so running out of input here is a
//! syntax error, never "incomplete". Recursion (BODYSTRUCTURE, search keys,
//! unknown parenthesised values) is bounded by a depth budget.
//!
//! The grammar is written as a byte cursor (`Parser`) rather than with nom
//! combinators, unlike SMTP's and unlike what the design names. The cursor
//! carries the parse state (quirks, depth budget, validate-only and trusted
//! modes) that lazy lists replay, and every rule knows where it failed for
//! [`ParseError`](crate::error::ParseError). Speed is *not* a reason: `benches/imap_grammar_style.rs`
//! measures a nom 8 transcription of the ENVELOPE rules within 2 % of the
//! cursor. Moving to nom means a nom `Input` type carrying that state, rule by
//! rule; it has not been done.

pub mod body;
pub mod command;
pub mod core;
pub(crate) mod ext;
pub(crate) mod input;
pub(crate) mod legacy;
pub mod response;
pub mod stream;
pub mod visit;

pub(crate) use input::{In, PError, R, St, UTF8_BIT};

use crate::{Error, Limits};

/// Known deviations of real servers (and clients) from the grammar, accepted
/// by default ([`Quirks::LENIENT`]); [`Quirks::STRICT`] turns every one into a
/// parse error for users who validate peers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Quirks {
    /// A status response with no text after it or after its response code
    /// (`* OK [UIDNEXT 5]`, `A1 OK`): many servers, e.g. older Exchange and
    /// Cyrus versions; RFC 9051 allows an empty text only after a code.
    pub missing_text: bool,
    /// A trailing space after a list: `* CAPABILITY IMAP4rev1 ` (Gmail, Yahoo),
    /// `* ID ("name" "x") ` and `* STATUS INBOX (MESSAGES 1) ` (Outlook.com).
    pub trailing_space: bool,
    /// `NIL` as body encoding (`body-fld-enc`) in BODYSTRUCTURE (seen from
    /// Yahoo, and imap-codec's `quirk_body_fld_enc_nil_to_empty`); read as empty.
    pub nil_body_encoding: bool,
    /// Spaces between the addresses of an ENVELOPE address list
    /// (`((..) (..))`, seen from several Exchange versions and imap-proto's fix
    /// for it).
    pub address_spaces: bool,
    /// A number too large for its 32-bit field (RFC822.SIZE or a count beyond
    /// 4 GiB from some servers): saturated at `u32::MAX` instead of rejected.
    pub numbers_out_of_range: bool,
    /// `+` with nothing after it (no SP, no text): Microsoft Exchange and
    /// several others send a bare `+` CRLF as continuation request.
    pub empty_continuation: bool,
    /// A line ended by a bare LF instead of CRLF (hand-written test servers,
    /// some proxies). The [`Framer`](crate::imap::frame::Framer) must accept it
    /// too (`LinePolicy::ACCEPT_BARE_LF`).
    pub bare_lf: bool,
    /// `NIL` as a parameter value in `body-fld-param` (`("boundary" NIL)`) and
    /// `()` as an empty parameter list: Mail.ru.
    pub nil_param_value: bool,
    /// A space before the closing parenthesis of a flag list
    /// (`FLAGS (\Seen )`): SurgeMail.
    pub flag_list_space: bool,
    /// `\*` in a FLAGS response or FETCH FLAGS, where only PERMANENTFLAGS may
    /// carry it: Zoho.
    pub wildcard_in_flags: bool,
    /// `* STATUS INBOX ()`: an empty STATUS list (163.com). RFC 9051 allows it;
    /// RFC 3501 does not, so strict mode rejects it.
    pub empty_status: bool,
    /// FETCH data items this crate does not know are kept as name and raw value
    /// ([`FetchItem::Unknown`](crate::imap::FetchItem::Unknown)) instead of
    /// failing the whole response; likewise unknown untagged responses
    /// ([`Data::Other`](crate::imap::Data::Other)).
    pub unknown_items: bool,
    /// A backslash in a quoted string before a character other than `"` or `\`
    /// is kept as a literal backslash.
    pub lone_backslash: bool,
}

impl Quirks {
    /// Every known deviation accepted: the default.
    pub const LENIENT: Quirks = Quirks {
        missing_text: true,
        trailing_space: true,
        nil_body_encoding: true,
        address_spaces: true,
        numbers_out_of_range: true,
        empty_continuation: true,
        bare_lf: true,
        nil_param_value: true,
        flag_list_space: true,
        wildcard_in_flags: true,
        empty_status: true,
        unknown_items: true,
        lone_backslash: true,
    };
    /// The grammar exactly as written in the RFCs.
    pub const STRICT: Quirks = Quirks {
        missing_text: false,
        trailing_space: false,
        nil_body_encoding: false,
        address_spaces: false,
        numbers_out_of_range: false,
        empty_continuation: false,
        bare_lf: false,
        nil_param_value: false,
        flag_list_space: false,
        wildcard_in_flags: false,
        empty_status: false,
        unknown_items: false,
        lone_backslash: false,
    };
}

impl Quirks {
    fn fields(&self) -> [bool; 13] {
        [
            self.missing_text,
            self.trailing_space,
            self.nil_body_encoding,
            self.address_spaces,
            self.numbers_out_of_range,
            self.empty_continuation,
            self.bare_lf,
            self.nil_param_value,
            self.flag_list_space,
            self.wildcard_in_flags,
            self.empty_status,
            self.unknown_items,
            self.lone_backslash,
        ]
    }

    pub(crate) fn pack(&self) -> u16 {
        self.fields()
            .iter()
            .enumerate()
            .fold(0, |acc, (i, &b)| acc | (u16::from(b) << i))
    }

    /// Reads back [`pack`](Self::pack) (bit [`UTF8_BIT`] is not a quirk).
    pub(crate) fn unpack(bits: u16) -> Quirks {
        let b = |i: u16| bits & (1 << i) != 0;
        Quirks {
            missing_text: b(0),
            trailing_space: b(1),
            nil_body_encoding: b(2),
            address_spaces: b(3),
            numbers_out_of_range: b(4),
            empty_continuation: b(5),
            bare_lf: b(6),
            nil_param_value: b(7),
            flag_list_space: b(8),
            wildcard_in_flags: b(9),
            empty_status: b(10),
            unknown_items: b(11),
            lone_backslash: b(12),
        }
    }
}

impl Default for Quirks {
    fn default() -> Self {
        Self::LENIENT
    }
}

/// How to parse: which deviations to accept and how deep structures may nest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParseOptions {
    /// Accepted deviations.
    pub quirks: Quirks,
    /// Deepest nesting of BODYSTRUCTURE, search keys and parenthesised lists
    /// ([`Limits::nesting_depth`]; at most 65 535 is used).
    pub nesting_depth: usize,
    /// `UTF8=ACCEPT` is enabled (RFC 6855 §3): mailbox names are UTF-8, never
    /// modified UTF-7, and come back as [`Mailbox::Utf8`](crate::imap::Mailbox::Utf8).
    /// The machines set it when the server confirms `ENABLE UTF8=ACCEPT`.
    pub utf8: bool,
}

impl ParseOptions {
    /// Lenient, with the default nesting depth.
    pub const DEFAULT: ParseOptions = ParseOptions {
        quirks: Quirks::LENIENT,
        nesting_depth: Limits::DEFAULT.nesting_depth,
        utf8: false,
    };
    /// Strict, with the default nesting depth.
    pub const STRICT: ParseOptions = ParseOptions {
        quirks: Quirks::STRICT,
        nesting_depth: Limits::DEFAULT.nesting_depth,
        utf8: false,
    };
    /// Lenient, with the nesting depth of `limits`.
    pub fn from_limits(limits: &Limits) -> Self {
        ParseOptions {
            quirks: Quirks::LENIENT,
            nesting_depth: limits.nesting_depth,
            utf8: false,
        }
    }
}

impl Default for ParseOptions {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Result of one rule of the not yet ported cursor grammar.
pub(crate) type PResult<T> = Result<T, PError>;

/// A cursor over one complete message.
#[derive(Clone, Debug)]
pub(crate) struct Parser<'a> {
    pub(crate) input: &'a [u8],
    pub(crate) pos: usize,
    pub(crate) depth: usize,
    pub(crate) max_depth: usize,
    pub(crate) q: Quirks,
    /// Validating only: values are dropped, so quoted strings with escapes
    /// need not be unescaped (no allocation).
    pub(crate) discard: bool,
    /// Parsing bytes validated before (a [`List`] being iterated): nested
    /// lists are skipped structurally instead of validated again.
    pub(crate) trusted: bool,
    /// UTF8=ACCEPT is enabled ([`ParseOptions::utf8`]).
    pub(crate) utf8: bool,
}

impl<'a> Parser<'a> {
    pub(crate) fn new(input: &'a [u8], q: Quirks, depth: usize) -> Self {
        Parser {
            input,
            pos: 0,
            depth,
            max_depth: depth,
            q,
            discard: false,
            trusted: false,
            utf8: false,
        }
    }

    /// A parser over bytes this crate validated before.
    pub(crate) fn trusted(input: &'a [u8], q: Quirks, depth: usize) -> Self {
        let mut p = Self::new(input, q, depth);
        p.trusted = true;
        p
    }

    /// Runs a rule whose value is dropped (validation of a lazy list).
    #[inline]
    pub(crate) fn validate<T>(&mut self, f: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<()> {
        let d = self.discard;
        self.discard = true;
        let r = f(self);
        self.discard = d;
        r.map(|_| ())
    }

    /// In trusted mode: skips a parenthesised value starting at `(`,
    /// respecting quoted strings and literals, and returns what was between
    /// the parentheses.
    pub(crate) fn skip_parens(&mut self) -> PResult<&'a [u8]> {
        let input = self.input;
        if input.get(self.pos) != Some(&b'(') {
            return self.err("'('");
        }
        let start = self.pos + 1;
        let mut depth = 0usize;
        let mut i = self.pos;
        while let Some(k) = input
            .get(i..)
            .and_then(|r| r.iter().position(|&b| PAREN_STOP[usize::from(b)]))
        {
            // jumped to the next byte that matters
            i += k;
            let b = input[i];
            match b {
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        self.pos = i + 1;
                        return Ok(&input[start..i]);
                    }
                }
                b'"' => {
                    i += 1;
                    loop {
                        match find_any(input.get(i..).unwrap_or_default(), [b'"', b'\\']) {
                            Some(j) if input[i + j] == b'\\' => i += j + 2,
                            Some(j) => {
                                i += j;
                                break;
                            }
                            None => return self.err("'\"'"),
                        }
                    }
                }
                b'{' => {
                    let mut n: usize = 0;
                    let mut j = i + 1;
                    while let Some(d @ b'0'..=b'9') = input.get(j) {
                        n = n.saturating_mul(10).saturating_add(usize::from(d - b'0'));
                        j += 1;
                    }
                    if matches!(input.get(j), Some(b'+' | b'-')) {
                        j += 1;
                    }
                    if input.get(j) == Some(&b'}') {
                        j += 1;
                        j += if input.get(j) == Some(&b'\r') { 2 } else { 1 };
                        i = j.saturating_add(n).saturating_sub(1);
                    }
                }
                _ => {}
            }
            i += 1;
        }
        self.pos = input.len();
        self.err("')'")
    }

    /// The nom input at the cursor.
    pub(crate) fn to_in(&self) -> In<'a> {
        In {
            rest: self.rest(),
            st: St {
                q: self.q.pack() | (u16::from(self.utf8) << UTF8_BIT),
                depth: u16::try_from(self.depth).unwrap_or(u16::MAX),
                max_depth: u16::try_from(self.max_depth).unwrap_or(u16::MAX),
                discard: self.discard,
                trusted: self.trusted,
            },
        }
    }

    /// Runs a nom rule at the cursor (while the grammar is ported).
    pub(crate) fn nom<T>(&mut self, f: impl FnOnce(In<'a>) -> R<'a, T>) -> PResult<T> {
        match f(self.to_in()) {
            Ok((rest, v)) => {
                self.pos = self.input.len() - rest.rest.len();
                Ok(v)
            }
            Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(e),
            Err(nom::Err::Incomplete(_)) => Err(PError::Syntax(0, "more input")),
        }
    }

    pub(crate) fn with(input: &'a [u8], opts: &ParseOptions) -> Self {
        let mut p = Self::new(
            input,
            opts.quirks,
            opts.nesting_depth.min(usize::from(u16::MAX)),
        );
        p.utf8 = opts.utf8;
        p
    }

    pub(crate) fn ctx(&self) -> crate::imap::types::core::Ctx {
        crate::imap::types::core::Ctx {
            quirks: self.q.pack() | (u16::from(self.utf8) << UTF8_BIT),
            depth: u16::try_from(self.depth).unwrap_or(u16::MAX),
        }
    }

    #[inline]
    pub(crate) fn rest(&self) -> &'a [u8] {
        self.input.get(self.pos..).unwrap_or_default()
    }

    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.pos >= self.input.len()
    }

    pub(crate) fn skip_to_end(&mut self) {
        self.pos = self.input.len();
    }

    #[inline]
    pub(crate) fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    pub(crate) fn peek_at(&self, n: usize) -> Option<u8> {
        self.input.get(self.pos + n).copied()
    }

    /// A syntax error at the current position.
    #[cold]
    pub(crate) fn err<T>(&self, expected: &'static str) -> PResult<T> {
        Err(PError::Syntax(self.input.len() - self.pos, expected))
    }

    #[inline]
    pub(crate) fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    #[inline]
    pub(crate) fn expect(&mut self, b: u8, what: &'static str) -> PResult<()> {
        if self.eat(b) { Ok(()) } else { self.err(what) }
    }

    /// `SP`
    #[inline]
    pub(crate) fn sp(&mut self) -> PResult<()> {
        self.expect(b' ', "SP")
    }

    pub(crate) fn skip_spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.pos += 1;
        }
    }

    /// Case-insensitive keyword; advances only on a match.
    #[inline]
    pub(crate) fn keyword(&mut self, kw: &[u8]) -> bool {
        match self.input.get(self.pos..self.pos + kw.len()) {
            Some(s) if s.eq_ignore_ascii_case(kw) => {
                self.pos += kw.len();
                true
            }
            _ => false,
        }
    }

    /// A keyword that must be followed by a non-atom character (or the end).
    pub(crate) fn word(&mut self, kw: &[u8]) -> bool {
        let save = self.pos;
        if self.keyword(kw) {
            match self.peek() {
                Some(b)
                    if crate::imap::types::core::class::is(
                        b,
                        crate::imap::types::core::class::ATOM,
                    ) =>
                {
                    self.pos = save;
                    false
                }
                _ => true,
            }
        } else {
            false
        }
    }

    pub(crate) fn take_while(&mut self, f: impl Fn(u8) -> bool) -> &'a [u8] {
        let start = self.pos;
        let rest = self.rest();
        let n = rest.iter().position(|&b| !f(b)).unwrap_or(rest.len());
        self.pos += n;
        &self.input[start..start + n]
    }

    /// `CRLF`, or a bare LF under [`Quirks::bare_lf`]; then the end of input.
    pub(crate) fn crlf_end(&mut self) -> PResult<()> {
        if !(self.keyword(b"\r\n") || (self.q.bare_lf && self.eat(b'\n'))) {
            return self.err("CRLF");
        }
        if !self.is_empty() {
            return self.err("end of message");
        }
        Ok(())
    }

    /// Enters one level of nesting.
    pub(crate) fn enter(&mut self) -> PResult<()> {
        if self.depth == 0 {
            return Err(PError::Depth(self.max_depth));
        }
        self.depth -= 1;
        Ok(())
    }

    pub(crate) fn leave(&mut self) {
        self.depth += 1;
    }

    /// Runs `f` and returns the bytes it consumed along with its value.
    pub(crate) fn recognize<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> PResult<T>,
    ) -> PResult<(&'a [u8], T)> {
        let start = self.pos;
        let v = f(self)?;
        Ok((&self.input[start..self.pos], v))
    }

    /// In front of `)`: a stray space under `quirk` is skipped.
    pub(crate) fn space_before_close(&mut self, quirk: bool) {
        if quirk && self.peek() == Some(b' ') && self.peek_at(1) == Some(b')') {
            self.pos += 1;
        }
    }
}

/// Runs a cursor rule as a nom rule (while the grammar is ported).
#[allow(dead_code)]
pub(crate) fn cursor<'a, T>(i: In<'a>, f: impl FnOnce(&mut Parser<'a>) -> PResult<T>) -> R<'a, T> {
    let mut p = Parser {
        input: i.rest,
        pos: 0,
        depth: usize::from(i.st.depth),
        max_depth: usize::from(i.st.max_depth),
        q: Quirks::unpack(i.st.q),
        discard: i.st.discard,
        trusted: i.st.trusted,
        utf8: i.utf8(),
    };
    match f(&mut p) {
        Ok(v) => Ok((i.skip(p.pos), v)),
        Err(e @ PError::Depth(_)) => Err(nom::Err::Failure(e)),
        Err(e) => Err(nom::Err::Error(e)),
    }
}

/// Bytes [`Parser::skip_parens`] must look at.
/// The index of the first byte of `s` equal to one of `needles`, eight bytes
/// at a time (SWAR: a byte equal to the needle becomes zero after the XOR, and
/// `(y - 0x01..) & !y & 0x80..` flags zero bytes; a borrow can only add flags
/// above a true zero, so the lowest flag is exact).
#[inline(always)]
pub(crate) fn find_any<const N: usize>(s: &[u8], needles: [u8; N]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let mut i = 0;
    while let Some(chunk) = s.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        let mut m = 0;
        for n in needles {
            let y = x ^ (LO * u64::from(n));
            m |= y.wrapping_sub(LO) & !y & HI;
        }
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    s.get(i..)?
        .iter()
        .position(|b| needles.contains(b))
        .map(|j| i + j)
}

static PAREN_STOP: [bool; 256] = {
    let mut t = [false; 256];
    t[b'(' as usize] = true;
    t[b')' as usize] = true;
    t[b'"' as usize] = true;
    t[b'{' as usize] = true;
    t
};

/// Turns a rule's result into the crate error, for the public entry points.
pub(crate) fn finish<T>(input: &[u8], r: PResult<T>) -> Result<T, Error> {
    r.map_err(|e| e.into_error(input))
}

#[cfg(test)]
pub(crate) mod command_tests;
#[cfg(test)]
pub(crate) mod ext_tests;
#[cfg(test)]
pub(crate) mod response_tests;

#[cfg(test)]
mod scan_tests {
    use super::find_any;
    use alloc::vec::Vec;

    fn naive(s: &[u8], needles: &[u8]) -> Option<usize> {
        s.iter().position(|b| needles.contains(b))
    }

    /// Every position, every filler byte class (0x00-adjacent, 0x7F, 0x80,
    /// 0xFF: the borrow cases of the SWAR trick), lengths across the 8-byte
    /// word boundary.
    #[test]
    fn find_any_matches_a_byte_loop() {
        let fillers = [b'a', 0x01, 0x21, 0x22 ^ 0x80, 0x7f, 0x80, 0xfe, 0xff, b'#'];
        for len in 0..40 {
            for &fill in &fillers {
                let mut s: Vec<u8> = alloc::vec![fill; len];
                assert_eq!(
                    find_any(&s, [b'"', b'\\', b'\r', b'\n', 0]),
                    naive(&s, &[b'"', b'\\', b'\r', b'\n', 0])
                );
                for at in 0..len {
                    for needle in [b'"', b'\\', b'\r', b'\n', 0] {
                        let keep = s[at];
                        s[at] = needle;
                        // a second needle later must not win
                        if at + 3 < len {
                            s[at + 3] = b'"';
                        }
                        assert_eq!(
                            find_any(&s, [b'"', b'\\', b'\r', b'\n', 0]),
                            naive(&s, &[b'"', b'\\', b'\r', b'\n', 0]),
                            "len {len} fill {fill:#x} at {at} needle {needle:#x}"
                        );
                        assert_eq!(find_any(&s, [b'"', b'\\']), naive(&s, b"\"\\"));
                        s[at] = keep;
                        if at + 3 < len {
                            s[at + 3] = fill;
                        }
                    }
                }
            }
        }
    }
}
