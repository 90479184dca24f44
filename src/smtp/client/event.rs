//! The SMTP client's events: what [`poll_event`](super::Client::poll_event) hands out.

use super::*;

/// Which command a reply answers.
///
/// ```
/// use mailwire::smtp::{Client, ClientConfig, ClientEvent, CommandKind};
///
/// let mut client = Client::new(ClientConfig::new("c.example"));
/// client.handle_input(b"220 mx\r\n250 mx\r\n");
/// while client.poll_event()?.is_some() {}
/// client.noop()?;
/// client.handle_input(b"250 2.0.0 OK\r\n");
/// let Some(ClientEvent::Reply { command, reply }) = client.poll_event()? else { panic!() };
/// assert_eq!(command, CommandKind::Noop);
/// assert_eq!(reply.code().get(), 250);
/// # Ok::<(), mailwire::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CommandKind {
    /// The greeting (no command).
    Greeting,
    /// EHLO.
    Ehlo,
    /// HELO.
    Helo,
    /// LHLO.
    Lhlo,
    /// STARTTLS.
    StartTls,
    /// AUTH (the final reply).
    Auth,
    /// MAIL.
    Mail,
    /// RCPT for the recipient with this index (0-based, in the order of
    /// [`Client::rcpt`] calls within the transaction).
    Rcpt(usize),
    /// DATA (a 354 is reported as [`ClientEvent::ReadyForData`], not here).
    Data,
    /// A BDAT chunk that is not the last.
    Bdat,
    /// The end of the body (after `CRLF.CRLF` or `BDAT ... LAST`). In LMTP mode
    /// `recipient` is the index of the accepted recipient this reply is for.
    DataEnd {
        /// LMTP: the recipient's index.
        recipient: Option<usize>,
    },
    /// RSET.
    Rset,
    /// NOOP.
    Noop,
    /// QUIT.
    Quit,
    /// A command sent with [`Client::send_command`] (VRFY, EXPN, HELP, ETRN, ...).
    Other,
    /// XCLIENT ([`Client::xclient`]). A `220` is the server's new greeting:
    /// the machine sends EHLO again and [`ClientEvent::Ready`] follows.
    Xclient,
    /// XFORWARD ([`Client::xforward`]).
    Xforward,
    /// A BURL that is not the last piece ([`Client::burl`]); `BURL ... LAST`
    /// is answered as [`CommandKind::DataEnd`].
    Burl,
}

/// What a client machine reports to the application.
///
/// `Ready` comes once per EHLO: after the greeting, and again after STARTTLS
/// (RFC 3207 §4.2: the client sends EHLO again under TLS).
/// [`Client::tls_active`] says which one it is:
///
/// ```
/// use mailwire::smtp::{Client, ClientConfig, ClientEvent};
///
/// let mut client = Client::new(ClientConfig::new("client.example"));
/// let mut readies = Vec::new(); // whether TLS was on at each Ready
/// for server in [
///     &b"220 mx.example ESMTP\r\n250-mx.example\r\n250 STARTTLS\r\n"[..],
///     b"220 2.0.0 Ready to start TLS\r\n",
///     b"250-mx.example\r\n250 AUTH PLAIN\r\n",
/// ] {
///     client.handle_input(server);
///     let (mut ready, mut start_tls) = (false, false);
///     while let Some(event) = client.poll_event()? {
///         match event {
///             ClientEvent::Ready(_) => ready = true,
///             ClientEvent::StartTls => start_tls = true,
///             _ => {}
///         }
///     }
///     if ready {
///         readies.push(client.tls_active());
///         if !client.tls_active() {
///             client.starttls()?;
///         }
///     }
///     if start_tls {
///         // flush poll_transmit, run the TLS handshake here, then:
///         client.tls_established()?;
///     }
/// }
/// assert_eq!(readies, [false, true]);
/// assert_eq!(client.capabilities().auth, ["PLAIN"]);
/// # Ok::<(), mailwire::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientEvent<'a> {
    /// The server's greeting. The machine sends EHLO/LHLO itself after a 220.
    Greeting(Reply<'a>),
    /// EHLO/HELO/LHLO succeeded (again after STARTTLS); the capabilities are in
    /// [`Client::capabilities`]. Transactions may start.
    Ready(Reply<'a>),
    /// The server accepted STARTTLS: flush `poll_transmit`, run the handshake,
    /// then call [`Client::tls_established`].
    StartTls,
    /// DATA was answered 354, or BDAT is in use: push the body now.
    ReadyForData,
    /// A reply to a command, positive or negative.
    Reply {
        /// Which command it answers.
        command: CommandKind,
        /// The reply.
        reply: Reply<'a>,
    },
    /// The mail transaction failed before its message was complete: MAIL was
    /// refused, every RCPT was refused (after [`Client::data`]), or a BDAT
    /// chunk was refused. `command` is the command whose reply decided it; that
    /// reply came just before as a [`ClientEvent::Reply`]. The machine dropped
    /// the transaction's commands it had not sent yet (RCPT, DATA, BDAT
    /// chunks), refuses further body pushes with [`Error::TransactionFailed`]
    /// and, when the server may still hold the transaction, sends RSET (its
    /// reply comes as [`CommandKind::Rset`]; RFC 3030 §2: "A RSET command MUST
    /// be issued to clear the transaction before additional commands may be
    /// sent"). A new transaction may start.
    TransactionFailed {
        /// The command whose reply failed the transaction.
        command: CommandKind,
    },
    /// A reply frame that does not parse; it completed `command`. The one
    /// exception is a 334 whose text is not base64 during an AUTH sent with
    /// [`Client::send_command`]: the machine cancels the exchange (`*`, RFC 4954
    /// §4) and the server's final reply to AUTH follows.
    MalformedReply {
        /// The command it answered, if one was waiting.
        command: Option<CommandKind>,
        /// The raw frame.
        raw: Cow<'a, [u8]>,
        /// Why it does not parse.
        error: ParseError,
    },
    /// The server closed the service (an unsolicited 421); the session is over.
    ServiceClosing(Reply<'a>),
    /// A SASL challenge (the 334's text, base64-decoded) during an AUTH sent
    /// with [`Client::send_command`]; answer with [`Client::auth_response`] or
    /// [`Client::auth_cancel`]. (After [`Client::authenticate`] the machine
    /// answers by itself and this event does not appear.) The final 235 or
    /// 535 comes as a [`ClientEvent::Reply`] for [`CommandKind::Auth`].
    AuthChallenge(Cow<'a, [u8]>),
    /// No reply came in time (RFC 5321 §4.5.3.2); the session is over.
    TimedOut,
}

crate::owned::owned_copy!(CommandKind);

crate::owned::into_owned! {
    inherent enum ClientEvent {
        Greeting(r),
        Ready(r),
        StartTls,
        ReadyForData,
        Reply { command, reply },
        TransactionFailed { command },
        MalformedReply { command, raw, error },
        ServiceClosing(r),
        AuthChallenge(c),
        TimedOut,
    }
}
