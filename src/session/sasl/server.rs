//! The server side of one SASL exchange, shared by the SMTP, POP3 and IMAP
//! servers.
//!
//! The machine hands the pump the mechanism and the initial response of the
//! command (still base64), then each client line, then the application's
//! answers to lookups; the pump says what to do next ([`ServerOutcome`]):
//! send a challenge, ask the application (the servers' `AuthLookup` event,
//! see [`SaslLookup`]), hand the finished exchange to the application (the
//! servers' authentication event), or fail with a [`Failure`] the machine
//! words in its protocol. Every challenge counts against
//! [`Limits::auth_exchanges`](crate::Limits::auth_exchanges).
//!
//! | mechanism | what the application does |
//! |---|---|
//! | `PLAIN`, `LOGIN`, `XOAUTH2`, `OAUTHBEARER`, `EXTERNAL`, `ANONYMOUS` | checks the [`Authentication`] of the final event |
//! | `CRAM-MD5` | answers [`SaslLookup::CramMd5Challenge`] then [`SaslLookup::Secret`] with the password; gets [`Authentication::Verified`] |
//! | `SCRAM-*` | answers [`SaslLookup::Secret`] with the stored key and a nonce; gets [`Authentication::Verified`] |

use alloc::vec::Vec;

#[cfg(feature = "sasl-hash")]
use alloc::borrow::Cow;
#[cfg(feature = "sasl-hash")]
use alloc::string::String;

use crate::error::Error;
use crate::wire::sasl::{
    Authentication, ClientLine, Mechanism, SaslAnswer, SaslLookup, SaslServer, ServerStep,
    decode_client_line,
};
#[cfg(feature = "sasl-hash")]
use crate::wire::sasl::{
    ChannelBinding, ChannelBindingType, CramMd5Response, ScramServer, ScramServerStep,
};

/// Why an exchange failed; each machine words it in its protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The client sent `*`.
    Cancelled,
    /// A line (or, with `initial`, the command's initial response) that is
    /// not base64.
    BadBase64 {
        /// The initial response of the command was bad.
        initial: bool,
    },
    /// A client message the mechanism cannot parse (a peer error).
    Malformed,
    /// More challenges than `Limits::auth_exchanges`.
    TooMany,
    /// The client's proof is wrong, or the user is unknown.
    Rejected,
}

/// What the machine does next.
#[derive(Debug)]
pub(crate) enum ServerOutcome {
    /// Send this raw challenge (base64 after the protocol's marker) and
    /// read the next line as a response.
    Challenge(Vec<u8>),
    /// Ask the application (the `AuthLookup` event) and wait for
    /// [`ServerSasl::answer`]. (Only the `sasl-hash` mechanisms ask.)
    #[cfg_attr(not(feature = "sasl-hash"), allow(dead_code))]
    Lookup(SaslLookup),
    /// The exchange is complete: the authentication event, answered as usual.
    Done(Authentication<'static>),
    /// The exchange failed: answer the failure and go back to commands.
    Failed(Failure),
}

#[derive(Clone, Debug)]
enum State {
    /// The mechanisms the crate's [`SaslServer`] runs alone.
    Basic(SaslServer),
    /// CRAM-MD5: waiting for the application's challenge.
    #[cfg(feature = "sasl-hash")]
    CramChallenge,
    /// CRAM-MD5: the challenge is out.
    #[cfg(feature = "sasl-hash")]
    Cram(SaslServer),
    /// CRAM-MD5: waiting for the user's secret.
    #[cfg(feature = "sasl-hash")]
    CramSecret(CramMd5Response<'static>),
    /// SCRAM: sent an empty challenge, waiting for the client-first-message.
    #[cfg(feature = "sasl-hash")]
    ScramFirst,
    /// SCRAM: waiting for the stored key; the client-first-message.
    #[cfg(feature = "sasl-hash")]
    ScramSecret(Vec<u8>),
    /// SCRAM: server-first-message sent, waiting for the client-final.
    #[cfg(feature = "sasl-hash")]
    Scram(ScramServer),
    /// SCRAM: server-final-message sent, waiting for the empty response.
    #[cfg(feature = "sasl-hash")]
    ScramEnd {
        username: String,
        authzid: Option<String>,
    },
    /// The exchange ended.
    Over,
}

/// The server side of one SASL exchange; see the [module docs](self).
#[derive(Clone, Debug)]
pub(crate) struct ServerSasl {
    mechanism: Mechanism,
    /// Boxed: a machine keeps the pump only during AUTH, but its slot.
    state: alloc::boxed::Box<State>,
    exchanges: usize,
    limit: usize,
}

impl ServerSasl {
    /// Starts `mechanism` (one the server offers) with the command's initial
    /// response, still base64 (`=` for an empty one), if it had one.
    pub(crate) fn start(
        mechanism: Mechanism,
        initial: Option<&[u8]>,
        limit: usize,
    ) -> (Self, ServerOutcome) {
        // initial-response = base64 / "="  (RFC 4954 §4, RFC 5034 §4, RFC 4959 §3)
        let initial = match initial.map(decode_client_line) {
            None => None,
            Some(Ok(ClientLine::Response(r))) => Some(r),
            Some(_) => {
                let pump = Self::start_decoded(mechanism, None, limit).0;
                return (
                    pump,
                    ServerOutcome::Failed(Failure::BadBase64 { initial: true }),
                );
            }
        };
        Self::start_decoded(mechanism, initial.as_deref(), limit)
    }

    /// [`start`](Self::start) with an initial response already decoded.
    pub(crate) fn start_decoded(
        mechanism: Mechanism,
        initial: Option<&[u8]>,
        limit: usize,
    ) -> (Self, ServerOutcome) {
        let mut pump = ServerSasl {
            mechanism,
            state: alloc::boxed::Box::new(State::Over),
            exchanges: 0,
            limit,
        };
        let outcome = pump.begin(initial);
        let outcome = pump.settle(outcome);
        (pump, outcome)
    }

    fn begin(&mut self, initial: Option<&[u8]>) -> ServerOutcome {
        match self.mechanism {
            #[cfg(feature = "sasl-hash")]
            Mechanism::CramMd5 => match initial {
                Some(_) => ServerOutcome::Failed(Failure::Malformed),
                None => {
                    *self.state = State::CramChallenge;
                    ServerOutcome::Lookup(SaslLookup::CramMd5Challenge)
                }
            },
            #[cfg(feature = "sasl-hash")]
            Mechanism::ScramSha1
            | Mechanism::ScramSha1Plus
            | Mechanism::ScramSha256
            | Mechanism::ScramSha256Plus => match initial {
                None => {
                    *self.state = State::ScramFirst;
                    ServerOutcome::Challenge(Vec::new())
                }
                Some(first) => self.scram_first(first),
            },
            m => {
                let mut sasl = SaslServer::new(m);
                let step = sasl.start(initial);
                *self.state = State::Basic(sasl);
                basic(step)
            }
        }
    }

    /// Whether the pump waits for the application's [`answer`](Self::answer).
    pub(crate) fn awaits_answer(&self) -> bool {
        match *self.state {
            #[cfg(feature = "sasl-hash")]
            State::CramChallenge | State::CramSecret(_) | State::ScramSecret(_) => true,
            _ => false,
        }
    }

    /// A client line (without CRLF) in answer to the last challenge.
    pub(crate) fn line(&mut self, line: &[u8]) -> ServerOutcome {
        let outcome = match decode_client_line(line) {
            Ok(ClientLine::Cancel) => ServerOutcome::Failed(Failure::Cancelled),
            Err(_) => ServerOutcome::Failed(Failure::BadBase64 { initial: false }),
            Ok(ClientLine::Response(r)) => self.response(&r),
        };
        self.settle(outcome)
    }

    fn response(&mut self, r: &[u8]) -> ServerOutcome {
        match core::mem::replace(&mut *self.state, State::Over) {
            State::Basic(mut sasl) => {
                let step = sasl.step(r);
                *self.state = State::Basic(sasl);
                basic(step)
            }
            #[cfg(feature = "sasl-hash")]
            State::Cram(mut sasl) => match sasl.step(r) {
                Ok(ServerStep::Done(Authentication::CramMd5(resp))) => {
                    let lookup = SaslLookup::Secret {
                        mechanism: self.mechanism,
                        username: String::from(resp.username()),
                        authzid: None,
                    };
                    *self.state = State::CramSecret(resp);
                    ServerOutcome::Lookup(lookup)
                }
                _ => ServerOutcome::Failed(Failure::Malformed),
            },
            #[cfg(feature = "sasl-hash")]
            State::ScramFirst => self.scram_first(r),
            #[cfg(feature = "sasl-hash")]
            State::Scram(mut server) => match server.step(r) {
                Ok(ScramServerStep::Done {
                    username,
                    authzid,
                    server_final,
                }) => {
                    // RFC 5802 §5 over SMTP, POP3 and IMAP: the
                    // server-final-message goes out as a last challenge,
                    // which the client answers with an empty response.
                    *self.state = State::ScramEnd { username, authzid };
                    ServerOutcome::Challenge(server_final)
                }
                _ => ServerOutcome::Failed(Failure::Rejected),
            },
            #[cfg(feature = "sasl-hash")]
            State::ScramEnd { username, authzid } => {
                if r.is_empty() {
                    ServerOutcome::Done(Authentication::Verified {
                        mechanism: self.mechanism,
                        authcid: Cow::Owned(username),
                        authzid: authzid.map(Cow::Owned),
                    })
                } else {
                    ServerOutcome::Failed(Failure::Malformed)
                }
            }
            // A line while the application is asked, or after the end: the
            // machines read no line then; fail safe.
            _ => ServerOutcome::Failed(Failure::Malformed),
        }
    }

    #[cfg(feature = "sasl-hash")]
    fn scram_first(&mut self, first: &[u8]) -> ServerOutcome {
        // Parsed now with a stand-in nonce, to learn the user; parsed again
        // with the application's nonce once it answers.
        let parsed = ScramServer::new(self.mechanism, "x").map(|s| {
            let plus = matches!(
                self.mechanism,
                Mechanism::ScramSha1Plus | Mechanism::ScramSha256Plus
            );
            // gs2-cbind-flag = "p=" cb-name: a stand-in binding of that type
            let kind = first
                .strip_prefix(b"p=")
                .and_then(|r| r.split(|&b| b == b',').next())
                .and_then(ChannelBindingType::from_name);
            let mut s = match kind {
                Some(kind) if plus => s.with_channel_binding(ChannelBinding::new(kind, Vec::new())),
                _ => s,
            };
            s.start(Some(first))
        });
        match parsed {
            Ok(Ok(ScramServerStep::Lookup { username, authzid })) => {
                *self.state = State::ScramSecret(first.to_vec());
                ServerOutcome::Lookup(SaslLookup::Secret {
                    mechanism: self.mechanism,
                    username,
                    authzid,
                })
            }
            _ => ServerOutcome::Failed(Failure::Malformed),
        }
    }

    /// The application's answer to the last [`ServerOutcome::Lookup`].
    /// `Error::Misuse` when no lookup is pending or the answer does not fit
    /// it (the exchange waits on); a bad key or nonce is misuse too.
    pub(crate) fn answer(&mut self, answer: SaslAnswer) -> Result<ServerOutcome, Error> {
        if !self.awaits_answer() {
            return Err(Error::Misuse(crate::error::ApiMisuse::NoLookup));
        }
        let outcome = match (&*self.state, answer) {
            (_, SaslAnswer::NoSuchUser) => {
                *self.state = State::Over;
                ServerOutcome::Failed(Failure::Rejected)
            }
            #[cfg(feature = "sasl-hash")]
            (State::CramChallenge, SaslAnswer::Challenge(c)) => {
                let mut sasl = SaslServer::new(Mechanism::CramMd5);
                sasl.set_cram_md5_challenge(c);
                let step = sasl.start(None);
                *self.state = State::Cram(sasl);
                basic(step)
            }
            #[cfg(feature = "sasl-hash")]
            (State::CramSecret(resp), SaslAnswer::Password(p)) => {
                let ok = resp.verify(p.expose());
                let authcid = Cow::Owned(String::from(resp.username()));
                *self.state = State::Over;
                if ok {
                    ServerOutcome::Done(Authentication::Verified {
                        mechanism: self.mechanism,
                        authcid,
                        authzid: None,
                    })
                } else {
                    ServerOutcome::Failed(Failure::Rejected)
                }
            }
            #[cfg(feature = "sasl-hash")]
            (
                State::ScramSecret(first),
                SaslAnswer::Scram {
                    key,
                    server_nonce,
                    channel_binding,
                },
            ) => {
                let mut server = ScramServer::new(self.mechanism, &server_nonce)?;
                if let Some(cb) = channel_binding {
                    server = server.with_channel_binding(cb);
                }
                let step = match server.start(Some(first)) {
                    Ok(ScramServerStep::Lookup { .. }) => server.stored_key(&key),
                    Ok(_) => Err(Error::Misuse(crate::error::ApiMisuse::WrongLookupAnswer)),
                    Err(e) => Err(e),
                };
                match step {
                    Ok(ScramServerStep::Challenge(c)) => {
                        *self.state = State::Scram(server);
                        ServerOutcome::Challenge(c)
                    }
                    Err(e @ Error::Misuse(_)) => return Err(e),
                    _ => {
                        *self.state = State::Over;
                        ServerOutcome::Failed(Failure::Rejected)
                    }
                }
            }
            _ => return Err(Error::Misuse(crate::error::ApiMisuse::WrongLookupAnswer)),
        };
        Ok(self.settle(outcome))
    }

    /// Counts a challenge against the limit; ends the exchange on an outcome
    /// that is not a challenge or a lookup.
    fn settle(&mut self, outcome: ServerOutcome) -> ServerOutcome {
        match outcome {
            ServerOutcome::Challenge(c) => {
                self.exchanges += 1;
                if self.exchanges > self.limit {
                    *self.state = State::Over;
                    return ServerOutcome::Failed(Failure::TooMany);
                }
                ServerOutcome::Challenge(c)
            }
            ServerOutcome::Lookup(l) => ServerOutcome::Lookup(l),
            other => {
                *self.state = State::Over;
                other
            }
        }
    }
}

/// The application's answer through the machine's pump, when the machine
/// is `waiting` for one; `Error::Misuse` otherwise.
pub(crate) fn answer_lookup(
    pump: Option<&mut ServerSasl>,
    waiting: bool,
    answer: SaslAnswer,
) -> Result<ServerOutcome, Error> {
    match pump {
        Some(p) if waiting => p.answer(answer),
        _ => Err(Error::Misuse(crate::error::ApiMisuse::NoLookup)),
    }
}

/// A step of the crate's [`SaslServer`] as an outcome; its errors are
/// malformed client messages.
fn basic(step: Result<ServerStep, Error>) -> ServerOutcome {
    match step {
        Ok(ServerStep::Challenge(c)) => ServerOutcome::Challenge(c),
        Ok(ServerStep::Done(a)) => ServerOutcome::Done(a),
        Err(_) => ServerOutcome::Failed(Failure::Malformed),
    }
}
