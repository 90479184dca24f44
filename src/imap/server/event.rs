//! [`ServerEvent`]: what the machine asks the application, and
//! [`FetchLiteral`] for streamed FETCH values.

use super::*;

/// What the server machine asks the application.
///
/// An event borrows the machine's input buffer: take what you need before
/// the next call on the server.
///
/// The APPEND example of RFC 3501 §6.3.11 (the client's bytes as the RFC
/// prints them), then the IDLE example of RFC 2177 §3:
///
/// ```
/// use mailwire::imap::{Server, ServerConfig, ServerEvent, Flag, StatusKind, Data};
///
/// let mut server = Server::new(ServerConfig::default().greeting(mailwire::imap::server::Greeting::PreAuth));
/// let out = |server: &mut Server| {
///     let mut out = Vec::new();
///     while let Some(b) = server.poll_transmit() { out.extend_from_slice(&b); }
///     String::from_utf8(out).unwrap()
/// };
/// assert!(out(&mut server).starts_with("* PREAUTH "));
///
/// server.handle_input(b"A003 APPEND saved-messages (\\Seen) {310}\r\n");
/// let Some(ServerEvent::AppendStart { tag, mailbox, flags, size, .. }) = server.poll_event().unwrap()
/// else { panic!() };
/// assert_eq!((tag.as_str(), mailbox.as_bytes(), size), ("A003", &b"saved-messages"[..], 310));
/// assert_eq!(flags.unwrap().iter().collect::<Vec<_>>(), [Flag::Seen]);
/// server.accept_literal().unwrap();
/// assert_eq!(out(&mut server), "+ Ready for literal data\r\n");
///
/// server.handle_input(
///     b"Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n\
///       From: Fred Foobar <foobar@Blurdybloop.COM>\r\n\
///       Subject: afternoon meeting\r\n\
///       To: mooch@owatagu.siam.edu\r\n\
///       Message-Id: <B27397-0100000@Blurdybloop.COM>\r\n\
///       MIME-Version: 1.0\r\n\
///       Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
///       \r\n\
///       Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n\
///       \r\n",
/// );
/// let mut message = Vec::new();
/// loop {
///     match server.poll_event().unwrap() {
///         Some(ServerEvent::AppendChunk(chunk)) => message.extend_from_slice(&chunk),
///         Some(ServerEvent::AppendEnd { more: false }) => break,
///         other => panic!("{other:?}"),
///     }
/// }
/// assert_eq!(message.len(), 310);
/// assert!(message.ends_with(b"meet at 3:30 tomorrow?\r\n"));
/// server.complete("A003", StatusKind::Ok, None, "APPEND completed").unwrap();
/// assert_eq!(out(&mut server), "A003 OK APPEND completed\r\n");
///
/// // RFC 2177 §3: C: A002 IDLE   S: + idling   S: * 4 EXISTS   C: DONE
/// server.handle_input(b"A002 IDLE\r\n");
/// let Some(ServerEvent::Idle { tag }) = server.poll_event().unwrap() else { panic!() };
/// assert_eq!(tag.as_str(), "A002");
/// server.send_untagged_data(&Data::Exists(4)).unwrap();
/// server.handle_input(b"DONE\r\n");
/// assert_eq!(server.poll_event().unwrap(), Some(ServerEvent::IdleDone));
/// // S: A002 OK IDLE terminated   (sent by the machine)
/// assert_eq!(out(&mut server), "+ idling\r\n* 4 EXISTS\r\nA002 OK IDLE terminated\r\n");
/// ```
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
    /// The message literal of a `REPLACE` or `UID REPLACE` (RFC 8508,
    /// offered with [`ServerConfig::replace`](crate::imap::ServerConfig::replace))
    /// is announced, in the selected state: [`Server::accept_literal`] (the
    /// data follows as [`AppendChunk`](Self::AppendChunk)s, then
    /// [`AppendEnd`](Self::AppendEnd) with `more: false`) or
    /// [`Server::reject_literal`] (`NO [TRYCREATE]`, `NO [OVERQUOTA]`, a
    /// message `id` that does not exist, ...), which ends the command.
    ///
    /// After the data, replace the message as one action (RFC 8508 §3.4),
    /// then answer as APPEND and EXPUNGE do: with UIDPLUS an untagged `OK
    /// [APPENDUID ...]` first ([`Server::send_untagged`], §4.3), `EXISTS`
    /// when the new message lands in the selected mailbox, the `EXPUNGE` of
    /// the old one (`VANISHED` once QRESYNC is enabled, §4.5) with
    /// [`Server::send_untagged_data`], and [`Server::complete`]. No
    /// `EXPUNGE` may go out when the command fails (§3.4).
    ReplaceStart {
        /// The command's tag.
        tag: Tag<'a>,
        /// `UID REPLACE`: `id` is a UID.
        uid: bool,
        /// The message of the selected mailbox to replace (`*`: the last).
        id: SeqNum,
        /// Where the new message goes (may differ from the selected one).
        mailbox: Mailbox<'a>,
        /// Flags of the new message (none are inherited, RFC 8508 §1).
        flags: Option<List<'a, Flag<'a>>>,
        /// Internal date of the new message.
        date: Option<DateTime>,
        /// The new message's size.
        size: u64,
        /// literal8 (`~{n}`, RFC 3516).
        binary: bool,
        /// Sent without waiting for `+` (`{n+}`); see
        /// [`AppendStart`](Self::AppendStart).
        non_sync: bool,
    },
    /// The next bytes of the message being appended (or replacing one;
    /// borrowed from the machine's buffer).
    AppendChunk(Cow<'a, [u8]>),
    /// The message is complete. With `more`, another [`AppendStart`](Self::AppendStart)
    /// follows (MULTIAPPEND); otherwise the command (APPEND or REPLACE) is
    /// complete and awaits [`Server::complete`] (`OK [APPENDUID ...]`).
    AppendEnd {
        /// Another message follows.
        more: bool,
    },
    /// The APPEND (or REPLACE) failed after data was delivered (malformed rest of the
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
    /// `COMPRESS DEFLATE` was accepted (RFC 4978, offered with
    /// [`ServerConfig::compress`](crate::imap::ServerConfig::compress)): flush
    /// [`Server::poll_transmit`] (the tagged OK is the last byte sent
    /// uncompressed), put raw DEFLATE (RFC 1951, a sync flush after each
    /// write) under both directions, then call
    /// [`Server::compression_established`], which hands back the bytes that
    /// came after the COMPRESS line: they are compressed.
    Compress,
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
        ReplaceStart { tag, uid, id, mailbox, flags, date, size, binary, non_sync },
        AppendChunk(c),
        AppendEnd { more },
        AppendAborted,
        Idle { tag },
        IdleDone,
        StartTls,
        Compress,
        Unauthenticated,
        Proxied(p),
    }
}

/// A FETCH data item whose value is sent as a streamed literal
/// ([`Server::start_fetch_literal`]).
///
/// The answer to `a004 fetch 12 body[header]` of RFC 3501 §8, its 342 bytes
/// pushed in two pieces as they come from the store:
///
/// ```
/// use mailwire::imap::{FetchItem, FetchLiteral, Section, SectionText, Server, ServerConfig, ServerEvent, StatusKind};
///
/// let mut server = Server::new(ServerConfig::default().greeting(mailwire::imap::server::Greeting::PreAuth));
/// server.handle_input(b"a002 select inbox\r\n");
/// server.poll_event().unwrap();
/// server.complete("a002", StatusKind::Ok, None, "SELECT completed").unwrap();
/// server.handle_input(b"a004 fetch 12 body[header]\r\n");
/// let Some(ServerEvent::Command(_)) = server.poll_event().unwrap() else { panic!() };
/// while server.poll_transmit().is_some() {}
///
/// let header = "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n\
///     From: Terry Gray <gray@cac.washington.edu>\r\n\
///     Subject: IMAP4rev1 WG mtg summary and minutes\r\n\
///     To: imap@cac.washington.edu\r\n\
///     cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n\
///     Message-Id: <B27397-0100000@cac.washington.edu>\r\n\
///     MIME-Version: 1.0\r\n\
///     Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
///     \r\n";
/// server.start_fetch(12, &[]).unwrap();
/// let section = Section { text: Some(SectionText::Header), ..Section::default() };
/// server.start_fetch_literal(&FetchLiteral::BodySection { section, origin: None }, 342).unwrap();
/// server.send_body(&header.as_bytes()[..100]).unwrap();
/// server.send_body(&header.as_bytes()[100..]).unwrap();
/// server.finish_body().unwrap();
/// server.finish_fetch().unwrap();
/// server.complete("a004", StatusKind::Ok, None, "FETCH completed").unwrap();
/// let mut out = Vec::new();
/// while let Some(b) = server.poll_transmit() { out.extend_from_slice(&b); }
/// assert_eq!(out, format!("* 12 FETCH (BODY[HEADER] {{342}}\r\n{header})\r\na004 OK FETCH completed\r\n").as_bytes());
/// ```
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
