//! [`ServerEvent`]: what the machine asks the application, and
//! [`FetchLiteral`] for streamed FETCH values.

use super::*;

/// What the server machine asks the application.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ServerEvent<'a> {
    /// A command for the application, valid in the current state: answer with
    /// untagged data and [`Server::complete`].
    Command(Command<'a>),
    /// LOGIN: check the password, then [`Server::complete`] (`OK` logs in;
    /// `NO [AUTHENTICATIONFAILED]` refuses).
    Login {
        /// The command's tag.
        tag: Tag<'a>,
        /// The user name.
        username: Text<'a>,
        /// The password.
        password: Secret<'a>,
    },
    /// A completed AUTHENTICATE exchange: check the credentials, then
    /// [`Server::complete`] as for LOGIN.
    Authenticate {
        /// The command's tag.
        tag: Tag<'a>,
        /// What the client sent (CRAM-MD5 and SCRAM, whose proof the
        /// machine checked: [`Authentication::Verified`]).
        authentication: Authentication<'static>,
    },
    /// The AUTHENTICATE exchange needs the application's randomness or the
    /// user's secret (CRAM-MD5, SCRAM; see [`SaslLookup`]): answer with
    /// [`Server::auth_lookup`] ([`SaslAnswer::NoSuchUser`] fails it).
    ///
    /// [`SaslAnswer::NoSuchUser`]: crate::wire::sasl::SaslAnswer::NoSuchUser
    AuthLookup(SaslLookup),
    /// A command announced a synchronizing literal (not APPEND data): call
    /// [`Server::accept_literal`] to send `+`, or [`Server::reject_literal`].
    LiteralRequested {
        /// The command's tag.
        tag: Tag<'a>,
        /// The literal's size.
        size: u64,
        /// The command's name as sent (`LOGIN`, `SEARCH`, ...).
        command: Cow<'a, str>,
    },
    /// A message of an APPEND (one per message with MULTIAPPEND) is announced:
    /// [`Server::accept_literal`] (the data follows as
    /// [`AppendChunk`](Self::AppendChunk)s) or [`Server::reject_literal`]
    /// (`NO [TOOBIG]`, `NO [TRYCREATE]`, ...), which ends the command.
    AppendStart {
        /// The command's tag.
        tag: Tag<'a>,
        /// The destination.
        mailbox: Mailbox<'a>,
        /// Flags to set.
        flags: Option<List<'a, Flag<'a>>>,
        /// Internal date to set.
        date: Option<DateTime>,
        /// The message's size.
        size: u64,
        /// literal8 (`~{n}`, RFC 3516): the data may contain NUL.
        binary: bool,
        /// Sent without waiting for `+` (`{n+}`, LITERAL+/LITERAL-): the
        /// bytes come whatever the answer. Until you answer they are
        /// buffered, up to [`Limits::input_buffer`] (then the session ends
        /// with `* BYE`), so answer at once; rejected, they are skipped as
        /// they arrive.
        non_sync: bool,
    },
    /// The next bytes of the message being appended (borrowed from the
    /// machine's buffer).
    AppendChunk(Cow<'a, [u8]>),
    /// The message is complete. With `more`, another [`AppendStart`](Self::AppendStart)
    /// follows (MULTIAPPEND); otherwise the command is complete and awaits
    /// [`Server::complete`] (`OK [APPENDUID ...]`).
    AppendEnd {
        /// Another message follows.
        more: bool,
    },
    /// The APPEND failed after data was delivered (malformed rest of the
    /// command): the machine answered `BAD`; drop what was received.
    AppendAborted,
    /// IDLE started (`+ idling` is sent): push untagged updates with
    /// [`Server::send_untagged_data`] until [`IdleDone`](Self::IdleDone).
    Idle {
        /// The command's tag.
        tag: Tag<'a>,
    },
    /// The client ended IDLE (the machine sent the tagged completion).
    IdleDone,
    /// STARTTLS was accepted: flush [`Server::poll_transmit`], run the TLS
    /// handshake, then call [`Server::tls_established`]. Bytes that came after
    /// the STARTTLS line were discarded.
    StartTls,
    /// The client sent `UNAUTHENTICATE` (RFC 8437, offered with
    /// [`ServerConfig::unauthenticate`](crate::imap::ServerConfig::unauthenticate))
    /// and the machine answered OK: the session is back in
    /// [`ServerState::NotAuthenticated`](crate::imap::ServerState::NotAuthenticated).
    /// Forget the user the session was logged in as, and close the mailbox
    /// that was selected without expunging it; the next LOGIN or
    /// AUTHENTICATE may be for another user.
    Unauthenticated,
    /// The PROXY protocol header arrived (only with
    /// [`ServerConfig::proxy_protocol`]); the greeting is queued now.
    /// Nothing to answer.
    Proxied(crate::wire::proxy::ProxyInfo),
}

crate::owned::into_owned! {
    inherent enum ServerEvent {
        Command(c),
        Login { tag, username, password },
        Authenticate { tag, authentication },
        AuthLookup(l),
        LiteralRequested { tag, size, command },
        AppendStart { tag, mailbox, flags, date, size, binary, non_sync },
        AppendChunk(c),
        AppendEnd { more },
        AppendAborted,
        Idle { tag },
        IdleDone,
        StartTls,
        Unauthenticated,
        Proxied(p),
    }
}

/// A FETCH data item whose value is sent as a streamed literal
/// ([`Server::start_fetch_literal`]).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum FetchLiteral<'a> {
    /// `BODY[section]<origin>`
    BodySection {
        /// The section.
        section: Section<'a>,
        /// `<origin>` of a partial fetch.
        origin: Option<u32>,
    },
    /// `BINARY[part]<origin>`, sent as literal8 (RFC 3516).
    Binary {
        /// The part.
        part: Part<'a>,
        /// `<origin>` of a partial fetch.
        origin: Option<u32>,
    },
    /// `RFC822` (IMAP4rev1)
    Rfc822,
    /// `RFC822.HEADER` (IMAP4rev1)
    Rfc822Header,
    /// `RFC822.TEXT` (IMAP4rev1)
    Rfc822Text,
}
