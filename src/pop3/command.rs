//! POP3 commands: RFC 1939 §4–§7 (USER, PASS, APOP, STAT, LIST, RETR, DELE,
//! NOOP, RSET, QUIT, TOP, UIDL), RFC 2449 §5 (CAPA), RFC 2595 §4 (STLS),
//! RFC 5034 §4 (AUTH) and RFC 6856 §2–§3 (UTF8, LANG).
//!
//! ```
//! use mailwire::pop3::{emit_command, parse_command, Command};
//!
//! let top = parse_command(b"TOP 10 0")?;
//! assert_eq!(top, Command::Top { msg: 10, lines: 0 });
//! let mut out = Vec::new();
//! emit_command(&top, &mut out)?;
//! assert_eq!(out, b"TOP 10 0\r\n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Parsing is in [`parse`](super::parse), emitting in [`emit`](super::emit).

use alloc::borrow::Cow;

use crate::text::{Secret, Text};

/// A POP3 command. Values borrow from the parsed line; see [`Command::into_owned`].
///
/// ```
/// use mailwire::pop3::{parse_command, Command, CommandKind};
///
/// // keywords are case-insensitive (RFC 1939 §3)
/// assert_eq!(parse_command(b"dele 1")?, Command::Dele { msg: 1 });
/// assert_eq!(parse_command(b"LIST")?, Command::List { msg: None });
/// let Command::Pass { password } = parse_command(b"PASS secret with spaces")? else { panic!() };
/// assert_eq!(password.expose(), b"secret with spaces");
/// assert!(!format!("{password:?}").contains("secret")); // Debug hides it
/// assert_eq!(parse_command(b"XTND XMIT")?.kind(), CommandKind::Unknown); // not an error
/// assert!(parse_command(b"RETR one").is_err());
/// # Ok::<(), mailwire::error::ParseError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Command<'a> {
    /// `USER name` (RFC 1939 §7). The name is the rest of the line.
    User {
        /// The mailbox name.
        name: Text<'a>,
    },
    /// `PASS string` (RFC 1939 §7). The password is the rest of the line, spaces included.
    Pass {
        /// The password.
        password: Secret<'a>,
    },
    /// `APOP name digest` (RFC 1939 §7).
    Apop {
        /// The mailbox name (everything before the last space).
        name: Text<'a>,
        /// The MD5 digest as hex digits (32 of them for a correct client).
        digest: Cow<'a, str>,
    },
    /// `STAT` (RFC 1939 §5).
    Stat,
    /// `LIST [msg]` (RFC 1939 §5).
    List {
        /// The message, or `None` for a scan listing of all of them.
        msg: Option<u32>,
    },
    /// `RETR msg` (RFC 1939 §5).
    Retr {
        /// The message number.
        msg: u32,
    },
    /// `DELE msg` (RFC 1939 §5).
    Dele {
        /// The message number.
        msg: u32,
    },
    /// `NOOP` (RFC 1939 §5).
    Noop,
    /// `RSET` (RFC 1939 §5).
    Rset,
    /// `QUIT` (RFC 1939 §4, §6).
    Quit,
    /// `TOP msg n` (RFC 1939 §7).
    Top {
        /// The message number.
        msg: u32,
        /// How many lines of the body to send after the header.
        lines: u32,
    },
    /// `UIDL [msg]` (RFC 1939 §7).
    Uidl {
        /// The message, or `None` for a listing of all of them.
        msg: Option<u32>,
    },
    /// `CAPA` (RFC 2449 §5).
    Capa,
    /// `STLS` (RFC 2595 §4).
    Stls,
    /// `AUTH mechanism [initial-response]` (RFC 5034 §4).
    Auth {
        /// The SASL mechanism name, as sent.
        mechanism: Cow<'a, str>,
        /// The base64 initial response, or `=` for an empty one.
        initial_response: Option<Cow<'a, str>>,
    },
    /// `UTF8` (RFC 6856 §2).
    Utf8,
    /// `LANG [language-range]` (RFC 6856 §3).
    Lang {
        /// A language tag or `*`; `None` asks for the list of languages.
        tag: Option<Cow<'a, str>>,
    },
    /// A command this crate does not know, kept as sent.
    Unknown {
        /// The keyword, as sent (printable ASCII, no space).
        keyword: Cow<'a, str>,
        /// Everything after the first space (empty when there was none).
        args: Text<'a>,
    },
}

/// The kind of a [`Command`], without its arguments: what the state machines
/// use to remember what a response answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum CommandKind {
    User,
    Pass,
    Apop,
    Stat,
    List,
    Retr,
    Dele,
    Noop,
    Rset,
    Quit,
    Top,
    Uidl,
    Capa,
    Stls,
    Auth,
    Utf8,
    Lang,
    Unknown,
}

impl<'a> Command<'a> {
    /// The command's kind.
    pub fn kind(&self) -> CommandKind {
        match self {
            Command::User { .. } => CommandKind::User,
            Command::Pass { .. } => CommandKind::Pass,
            Command::Apop { .. } => CommandKind::Apop,
            Command::Stat => CommandKind::Stat,
            Command::List { .. } => CommandKind::List,
            Command::Retr { .. } => CommandKind::Retr,
            Command::Dele { .. } => CommandKind::Dele,
            Command::Noop => CommandKind::Noop,
            Command::Rset => CommandKind::Rset,
            Command::Quit => CommandKind::Quit,
            Command::Top { .. } => CommandKind::Top,
            Command::Uidl { .. } => CommandKind::Uidl,
            Command::Capa => CommandKind::Capa,
            Command::Stls => CommandKind::Stls,
            Command::Auth { .. } => CommandKind::Auth,
            Command::Utf8 => CommandKind::Utf8,
            Command::Lang { .. } => CommandKind::Lang,
            Command::Unknown { .. } => CommandKind::Unknown,
        }
    }

    /// Whether a positive (`+OK`) answer to this command is multi-line (RFC 1939
    /// §3): LIST and UIDL without argument, RETR, TOP, CAPA, and LANG without
    /// argument.
    pub fn is_multiline(&self) -> bool {
        matches!(
            self,
            Command::List { msg: None }
                | Command::Uidl { msg: None }
                | Command::Retr { .. }
                | Command::Top { .. }
                | Command::Capa
                | Command::Lang { tag: None }
        )
    }
}

impl CommandKind {
    /// The keyword as sent on the wire (`"?"` for [`CommandKind::Unknown`]).
    pub fn keyword(self) -> &'static str {
        match self {
            CommandKind::User => "USER",
            CommandKind::Pass => "PASS",
            CommandKind::Apop => "APOP",
            CommandKind::Stat => "STAT",
            CommandKind::List => "LIST",
            CommandKind::Retr => "RETR",
            CommandKind::Dele => "DELE",
            CommandKind::Noop => "NOOP",
            CommandKind::Rset => "RSET",
            CommandKind::Quit => "QUIT",
            CommandKind::Top => "TOP",
            CommandKind::Uidl => "UIDL",
            CommandKind::Capa => "CAPA",
            CommandKind::Stls => "STLS",
            CommandKind::Auth => "AUTH",
            CommandKind::Utf8 => "UTF8",
            CommandKind::Lang => "LANG",
            CommandKind::Unknown => "?",
        }
    }

    /// The kind for a keyword (case-insensitive), if known.
    pub fn from_keyword(keyword: &[u8]) -> Option<CommandKind> {
        const ALL: [CommandKind; 17] = [
            CommandKind::User,
            CommandKind::Pass,
            CommandKind::Apop,
            CommandKind::Stat,
            CommandKind::List,
            CommandKind::Retr,
            CommandKind::Dele,
            CommandKind::Noop,
            CommandKind::Rset,
            CommandKind::Quit,
            CommandKind::Top,
            CommandKind::Uidl,
            CommandKind::Capa,
            CommandKind::Stls,
            CommandKind::Auth,
            CommandKind::Utf8,
            CommandKind::Lang,
        ];
        ALL.into_iter()
            .find(|k| k.keyword().as_bytes().eq_ignore_ascii_case(keyword))
    }
}

crate::owned::into_owned! {
    inherent enum Command {
        User { name },
        Pass { password },
        Apop { name, digest },
        Stat,
        List { msg },
        Retr { msg },
        Dele { msg },
        Noop,
        Rset,
        Quit,
        Top { msg, lines },
        Uidl { msg },
        Capa,
        Stls,
        Auth { mechanism, initial_response },
        Utf8,
        Lang { tag },
        Unknown { keyword, args },
    }
}
