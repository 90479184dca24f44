//! The SMTP server's events: what [`poll_event`](super::Server::poll_event) hands out.

use super::*;

/// What a server machine reports to the application.
///
/// ```
/// use mailwire::smtp::{Rejection, Server, ServerConfig, ServerEvent};
///
/// let mut server = Server::new(ServerConfig::new("mx.example.org"));
/// server.handle_input(b"HELO client.example\r\nMAIL FROM:<>\r\n\
///     RCPT TO:<bob@EXAMPLE.org>\r\nRCPT TO:<eve@elsewhere.example>\r\n");
/// let mut seen = Vec::new();
/// loop {
///     let answer = match server.poll_event()? {
///         None => break,
///         Some(ServerEvent::Hello { verb, domain }) => (seen.push(format!("{verb} {domain}")), None).1,
///         Some(ServerEvent::Mail { reverse_path, .. }) => (seen.push(format!("from {reverse_path}")), Some(Ok(()))).1,
///         Some(ServerEvent::Rcpt { forward_path, .. }) => {
///             seen.push(format!("to {forward_path}"));
///             // domains compare case-insensitively (RFC 5321 §2.4)
///             Some(if forward_path.is_in_domain("example.org") { Ok(()) } else { Err(Rejection::RELAY_DENIED) })
///         }
///         Some(_) => None,
///     };
///     match answer {
///         Some(Ok(())) => server.accept()?,
///         Some(Err(rejection)) => server.reject_with(rejection)?,
///         None => {}
///     }
/// }
/// assert_eq!(seen, ["HELO client.example", "from <>", "to <bob@EXAMPLE.org>", "to <eve@elsewhere.example>"]);
/// let replies: Vec<u8> = std::iter::from_fn(|| server.poll_transmit()).flatten().collect();
/// assert!(String::from_utf8(replies).unwrap().ends_with("550 5.7.1 Relaying denied\r\n"));
/// # Ok::<(), mailwire::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerEvent<'a> {
    /// The client introduced itself (EHLO, HELO or LHLO). Already answered;
    /// any transaction was dropped.
    Hello {
        /// Which command: `EHLO`, `HELO` or `LHLO`.
        verb: &'static str,
        /// The name the client gave.
        domain: Host<'a>,
    },
    /// `MAIL FROM`. Answer with [`Server::accept`] or [`Server::reject`].
    Mail {
        /// The sender.
        reverse_path: ReversePath<'a>,
        /// Its parameters (already checked: SIZE within limits, SMTPUTF8 when needed).
        parameters: Parameters<'a>,
    },
    /// `RCPT TO`. Answer with [`Server::accept`] or [`Server::reject`].
    Rcpt {
        /// The recipient.
        forward_path: ForwardPath<'a>,
        /// Its parameters.
        parameters: Parameters<'a>,
    },
    /// A message body starts (after DATA, or with the first BDAT chunk).
    DataStart,
    /// A piece of the body, unstuffed, borrowed from the input buffer.
    DataChunk(Cow<'a, [u8]>),
    /// The body is complete. Answer with [`Server::accept`] / [`Server::reject`]
    /// (LMTP: per recipient, see the [module docs](super)).
    DataEnd,
    /// The body was refused by the machine (too large, or a bare CR/LF under the
    /// strict policy, or the connection ended): drop what was received. The
    /// machine answers the client itself.
    DataAborted {
        /// Why.
        reason: Error,
    },
    /// The client completed a SASL exchange (RFC 4954). Check the credentials
    /// and answer with [`Server::accept`] (`235 2.7.0`) or [`Server::reject`]
    /// (usually `535 5.7.8`). LOGIN arrives as [`Authentication::Plain`];
    /// CRAM-MD5 and SCRAM, whose proof the machine checked, as
    /// [`Authentication::Verified`].
    Auth(Authentication<'static>),
    /// The SASL exchange needs the application's randomness or the user's
    /// secret (CRAM-MD5, SCRAM; see [`SaslLookup`]): answer with
    /// [`Server::auth_lookup`], or [`Server::reject`] to fail the exchange.
    AuthLookup(SaslLookup),
    /// STARTTLS was accepted: flush `poll_transmit`, run the TLS handshake, then
    /// call [`Server::tls_established`].
    StartTls,
    /// The transaction was dropped (RSET, or a new EHLO).
    Reset,
    /// The PROXY protocol header arrived (only with
    /// [`ServerConfig::proxy_protocol`]); the greeting is queued now.
    /// Nothing to answer.
    Proxied(crate::wire::proxy::ProxyInfo),
    /// `VRFY string`, with [`ServerConfig::vrfy_events`] (else the machine
    /// answers `252 2.5.0` itself). Answer with [`Server::reply`] (any 2xx,
    /// 4xx or 5xx reply, e.g. `250 <user@example.org>` or `550 5.1.1`),
    /// [`Server::reject`], or [`Server::accept`] for the machine's
    /// `252 2.5.0 Cannot VRFY user, but will accept message`.
    Vrfy {
        /// The argument as sent.
        argument: Cow<'a, str>,
    },
    /// `EXPN string`, with [`ServerConfig::expn_events`] (else `502 5.5.1`).
    /// Answer with [`Server::reply`] (a multi-line `250` listing the members),
    /// [`Server::reject`], or [`Server::accept`] (`250 2.0.0 OK`).
    Expn {
        /// The argument as sent.
        argument: Cow<'a, str>,
    },
    /// `HELP [topic]`, with [`ServerConfig::help_events`] (else `214 2.0.0`).
    /// Answer with [`Server::reply`] (214 or 211), [`Server::reject`], or
    /// [`Server::accept`] for the machine's `214 2.0.0`.
    Help {
        /// The topic, if any.
        topic: Option<Cow<'a, str>>,
    },
    /// `ETRN node` (RFC 1985), with [`ServerConfig::etrn_events`] (else
    /// `502 5.5.1`); ETRN is then advertised. Answer with [`Server::reply`]
    /// (RFC 1985 §5: 250, 251, 252, 253, 458, 459), [`Server::reject`], or
    /// [`Server::accept`] (`250 2.0.0 Queuing started`).
    Etrn {
        /// The node as sent: a domain, `@domain` or `#queue`.
        node: Cow<'a, str>,
    },
    /// A verb the crate does not know, with
    /// [`ServerConfig::unknown_command_events`] (else `500 5.5.2`). Answer
    /// with [`Server::reply`], [`Server::reject`] (counted as a bad command,
    /// so a flood of them ends the session like unanswered ones), or
    /// [`Server::accept`] (`250 2.0.0 OK`).
    UnknownCommand {
        /// The verb as sent.
        verb: Cow<'a, str>,
        /// Everything after the verb and its space, raw (no CR, LF or NUL).
        arguments: Cow<'a, [u8]>,
    },
    /// `XCLIENT attribute...` (Postfix XCLIENT), with
    /// [`ServerConfig::xclient`]. Check that the client may use it, then
    /// [`Server::accept`]: the session starts over from the greeting (a new
    /// `220`, EHLO needed again, no transaction, not authenticated), as the
    /// Postfix XCLIENT README describes. [`Server::reject`] refuses it
    /// (`550 5.7.0` for an unauthorized client, `421` to close).
    Xclient(XAttributes<'a>),
    /// `XFORWARD attribute...` (Postfix XFORWARD), with
    /// [`ServerConfig::xforward`]: attributes for the log of the next
    /// transaction (the README: reset at its end, RSET or DOT).
    /// [`Server::accept`] answers `250 2.0.0 Ok`.
    Xforward(XAttributes<'a>),
    /// `BURL absolute-URI [LAST]` (RFC 4468), with [`ServerConfig::burl`]:
    /// fetch the URL's content and append it to the message, then
    /// [`Server::accept`] (`250 2.5.0`; after `LAST` the message is complete
    /// and accepted, as after [`ServerEvent::DataEnd`]) or [`Server::reject`]
    /// (RFC 4468 §6 codes, e.g. `554 5.6.6` when the URL cannot be fetched),
    /// which fails the whole transaction (§3.2). BDAT chunks and BURLs may
    /// alternate in one message (RFC 4468 §3.2); the first of them starts the
    /// body (a [`ServerEvent::DataStart`] comes only before a first BDAT).
    Burl {
        /// The URL as sent.
        url: Cow<'a, str>,
        /// `LAST`: this piece ends the message.
        last: bool,
    },
}

crate::owned::into_owned! {
    inherent enum ServerEvent {
        Hello { verb, domain },
        Mail { reverse_path, parameters },
        Rcpt { forward_path, parameters },
        DataStart,
        DataChunk(c),
        DataEnd,
        DataAborted { reason },
        Auth(a),
        AuthLookup(l),
        StartTls,
        Reset,
        Proxied(p),
        Vrfy { argument },
        Expn { argument },
        Help { topic },
        Etrn { node },
        UnknownCommand { verb, arguments },
        Xclient(a),
        Xforward(a),
        Burl { url, last },
    }
}
