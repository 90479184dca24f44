//! The options of the grammar: which deviations of real peers are accepted
//! ([`Quirks`]) and the limits and modes a parse runs under ([`ParseOptions`]).
//!
//! ```
//! use mailwire::imap::{parse_response, ParseOptions};
//!
//! // a trailing space after the list: accepted by default, refused strictly
//! let frame = b"* CAPABILITY IMAP4rev1 IDLE \r\n";
//! assert!(parse_response(frame, &ParseOptions::default()).is_ok());
//! assert!(parse_response(frame, &ParseOptions::STRICT).is_err());
//! ```

use crate::Limits;

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
    /// A response code that follows neither its own grammar nor
    /// `atom [SP 1*<any TEXT-CHAR except "]">]` (RFC 9051 §9 `resp-text-code`)
    /// is kept raw, as [`Code::Other`](crate::imap::Code::Other) with its
    /// name and every byte up to the closing `]`: Outlook365 answers LOGIN
    /// with `A1 OK [Error="Microsoft.Exchange.Data.Storage.WrongServerException:Cross
    /// Server access" AuthResultFromPopImapEnd=0 Proxy=...:1993:SSL ...] LOGIN
    /// completed.`, whose name `Error=` is followed by a `"`.
    pub raw_response_code: bool,
    /// A lone `\` as a LIST/LSUB mailbox attribute (`* LIST (\HasNoChildren \)
    /// "/" "Argos"`, home.pl), kept as the attribute `\`; RFC 9051 §9
    /// `flag-extension = "\" atom` needs an atom after it.
    pub lone_backslash_attribute: bool,
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
        raw_response_code: true,
        lone_backslash_attribute: true,
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
        raw_response_code: false,
        lone_backslash_attribute: false,
    };
}

impl Quirks {
    /// The quirks in bit order. With [`UTF8_BIT`](input::UTF8_BIT) at 15,
    /// fifteen quirks fit the packed `u16`: this list is full.
    fn fields(&self) -> [bool; 15] {
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
            self.raw_response_code,
            self.lone_backslash_attribute,
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
            raw_response_code: b(13),
            lone_backslash_attribute: b(14),
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
    /// ([`Limits::nesting_depth`]), at most
    /// [`MAX_NESTING_DEPTH`](Self::MAX_NESTING_DEPTH): a larger value (up to
    /// `usize::MAX`) is used as that maximum.
    pub nesting_depth: usize,
    /// `UTF8=ACCEPT` is enabled (RFC 6855 §3): mailbox names are UTF-8, never
    /// modified UTF-7, and come back as [`Mailbox::Utf8`](crate::imap::Mailbox::Utf8).
    /// The machines set it when the server confirms `ENABLE UTF8=ACCEPT`.
    pub utf8: bool,
}

impl ParseOptions {
    /// The deepest nesting any setting of
    /// [`nesting_depth`](Self::nesting_depth) allows: 64 levels, also the
    /// default ([`Limits::nesting_depth`]). Real messages nest a handful of
    /// levels.
    ///
    /// Why a maximum: the recursive rules (BODY and BODYSTRUCTURE through
    /// multiparts and message/rfc822 parts, search keys through `NOT`, `OR`
    /// and parentheses, THREAD lists) and what runs over their values (lazy
    /// re-reading, the [visitor](crate::imap::FetchVisitor), the emitters, `Clone`,
    /// `PartialEq`, `Debug` and `Drop`) use the stack at each level, so a
    /// peer that may nest without bound can overflow any stack. At 64
    /// levels every one of them fits on a thread with a 256 KiB stack in
    /// debug and release builds (tests/nesting_stack.rs runs each there), an
    /// eighth of the 2 MiB that Rust's and tokio's threads get by default.
    /// Measured per level: parsing 1.1 to 1.7 KiB in a debug build and 0.2
    /// to 0.5 KiB in release; the visitor over message parts 2.2 KiB and
    /// 0.5 KiB; `{:#?}` of a parsed structure up to 2.1 KiB and 2.3 KiB; the
    /// rest less. A larger setting, up to `usize::MAX`, is used as this
    /// maximum.
    ///
    /// Unknown parenthesised values, body extensions and extension
    /// arguments are skipped without recursion, and
    /// [`IntoOwned`](crate::imap::IntoOwned) converts a value of any depth
    /// with a stack on the heap. The emitters refuse a value nested deeper
    /// than this ([`Error::Emit`](crate::Error::Emit)); only an application
    /// can build one, and dropping, cloning, comparing or printing it
    /// recurses once per level (150 to 270 bytes per level to drop it in a
    /// debug build): a `Drop` that walked it on the heap would keep every
    /// borrowed value alive until dropped, which the machines' borrowed
    /// events cannot afford.
    ///
    /// ```
    /// use mailwire::imap::{parse_command, ParseOptions};
    /// use mailwire::{error::LimitKind, Error};
    ///
    /// let mut opts = ParseOptions::default();
    /// opts.nesting_depth = usize::MAX; // used as MAX_NESTING_DEPTH
    /// let at_most = format!("A1 SEARCH {}SEEN\r\n", "NOT ".repeat(63));
    /// assert!(parse_command(at_most.as_bytes(), &opts).is_ok());
    /// let deeper = format!("A1 SEARCH {}SEEN\r\n", "NOT ".repeat(10_000));
    /// assert_eq!(
    ///     parse_command(deeper.as_bytes(), &opts),
    ///     Err(Error::limit(LimitKind::NestingDepth, ParseOptions::MAX_NESTING_DEPTH)),
    /// );
    /// ```
    pub const MAX_NESTING_DEPTH: usize = 64;
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
