//! The POP3 client's events: what [`poll_event`](super::Client::poll_event) hands out.

use super::*;

/// What the client machine reports.
///
/// ```
/// use mailwire::pop3::{Client, ClientConfig, ClientEvent, CommandKind};
///
/// let mut client = Client::new(ClientConfig::default());
/// client.login("mrose", "secret")?;
/// client.handle_input(b"+OK POP3 ready\r\n+OK\r\n+OK maildrop ready\r\n");
/// let Some(ClientEvent::Greeting(greeting)) = client.poll_event()? else { panic!() };
/// assert!(greeting.is_ok());
/// while client.poll_event()?.is_some() {} // the answers to USER and PASS
/// client.uidl(None)?;
/// // RFC 1939 §7, UIDL's example
/// client.handle_input(b"+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n");
/// let mut uids = Vec::new();
/// while let Some(event) = client.poll_event()? {
///     match event {
///         ClientEvent::UniqueId(u) => uids.push(u.uid.to_string()),
///         ClientEvent::ListingEnd { command } => assert_eq!(command, CommandKind::Uidl),
///         _ => {}
///     }
/// }
/// assert_eq!(uids, ["whqtswO00WBw418f9t5JxYwZ", "QhdPYR:00WBw1Ph7x7"]);
/// # Ok::<(), mailwire::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientEvent<'a> {
    /// The server's greeting. [`Response::apop_timestamp`] gives its APOP
    /// timestamp. A `-ERR` greeting closes the session.
    Greeting(Response<'a>),
    /// The first line of the answer to `command` (`+OK` or `-ERR`). For a
    /// multi-line `+OK` answer, line or chunk events follow.
    Response {
        /// What the response answers.
        command: CommandKind,
        /// The response line.
        response: Response<'a>,
    },
    /// One line of a LIST answer.
    ScanListing(ScanListing),
    /// One line of a UIDL answer.
    UniqueId(UniqueIdListing<'a>),
    /// One line of a CAPA answer (also remembered: see [`Client::capabilities`]).
    Capability(Capability<'a>),
    /// One line of another multi-line answer, dot-unstuffed.
    Line(Text<'a>),
    /// One line of a LANG answer (RFC 6856 §3): a language tag and its
    /// description.
    Language(LanguageListing<'a>),
    /// The multi-line answer to `command` is complete.
    ListingEnd {
        /// The command answered.
        command: CommandKind,
    },
    /// The next part of a RETR or TOP body, dot-unstuffed, borrowed from the
    /// input buffer.
    BodyChunk(Cow<'a, [u8]>),
    /// The RETR or TOP body is complete.
    BodyEnd,
    /// The server accepted STLS: flush [`poll_transmit`](Client::poll_transmit),
    /// run the TLS handshake, then call [`Client::tls_established`].
    StartTls,
    /// A SASL challenge (base64-decoded) during an AUTH sent with
    /// [`Client::send_command`]; answer with [`Client::auth_response`] or
    /// [`Client::auth_cancel`]. (After [`Client::authenticate`] the machine
    /// answers by itself and this event does not appear.)
    AuthChallenge(Cow<'a, [u8]>),
    /// The server stayed silent past [`ClientConfig::greeting_timeout`],
    /// [`ClientConfig::command_timeout`] or [`ClientConfig::body_timeout`]
    /// (reported through [`Client::handle_timeout`]); the session is over.
    TimedOut,
    /// A response or listing line that does not parse. It costs that line only.
    MalformedResponse {
        /// The command it answered (`None` for a greeting or a listing line).
        command: Option<CommandKind>,
        /// The line, without CRLF.
        raw: Cow<'a, [u8]>,
        /// Where and why it failed.
        error: ParseError,
    },
}

crate::owned::owned_copy!(CommandKind, ScanListing);

crate::owned::into_owned! {
    inherent enum ClientEvent {
        Greeting(r),
        Response { command, response },
        ScanListing(s),
        UniqueId(u),
        Capability(c),
        Line(t),
        Language(l),
        ListingEnd { command },
        BodyChunk(c),
        BodyEnd,
        StartTls,
        AuthChallenge(c),
        TimedOut,
        MalformedResponse { command, raw, error },
    }
}
