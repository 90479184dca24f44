//! The PROXY protocol gate of the server machines: with
//! [`ProxyProtocol`] other than `Off`, the greeting is held back until the
//! header (HAProxy PROXY protocol v1 or v2, parsed by
//! [`wire::proxy`](crate::wire::proxy)) has arrived at the start of the
//! input; then the header is reported once and the greeting released. The
//! machine reads nothing of its own protocol before.

use alloc::boxed::Box;
use alloc::vec::Vec;

use crate::Status;
use crate::error::{Error, PeerMisbehaved};
use crate::wire::proxy::{ProxyError, ProxyInfo, ProxyProtocol, parse};

use super::{Input, Output};

/// What the gate says to the machine's `poll_event`.
#[derive(Debug)]
pub(crate) enum Gate {
    /// No header expected, or it came already: go on.
    Pass,
    /// The header is not complete yet: `Ok(None)`.
    Wait,
    /// The header came: report it (the greeting is queued now).
    Header(ProxyInfo),
}

/// The state of the gate: one pointer when no header is expected (the
/// machines stay small when the option is off).
#[derive(Debug, Default)]
pub(crate) struct ProxyGate(Option<Box<GateState>>);

#[derive(Debug)]
struct GateState {
    /// `None` once the header came.
    mode: Option<ProxyProtocol>,
    /// The greeting, queued once the header is in.
    held: Vec<u8>,
    /// The header received, for the machine's `proxied()`.
    info: Option<ProxyInfo>,
}

impl ProxyGate {
    /// A gate for `mode`; unless it is `Off`, takes the greeting queued in
    /// `out` to release it later.
    pub(crate) fn new(mode: ProxyProtocol, out: &mut Output) -> ProxyGate {
        if mode == ProxyProtocol::Off {
            return ProxyGate::default();
        }
        ProxyGate(Some(Box::new(GateState {
            mode: Some(mode),
            held: out.split().to_vec(),
            info: None,
        })))
    }

    /// The header received, if any.
    pub(crate) fn info(&self) -> Option<&ProxyInfo> {
        self.0.as_ref()?.info.as_ref()
    }

    /// Memory held on the heap (the greeting while it waits, the header
    /// after).
    pub(crate) fn memory_usage(&self) -> usize {
        self.0.as_ref().map_or(0, |g| {
            size_of::<GateState>()
                + g.held.capacity()
                + g.info.as_ref().map_or(0, |i| i.as_bytes().len())
        })
    }

    /// Looks for the header at the start of `input`: consumes it and queues
    /// the greeting into `out` when it is complete. A bad header, one of a
    /// version not accepted, or EOF before the header is a fatal
    /// [`PeerMisbehaved::ProxyHeader`].
    pub(crate) fn poll(&mut self, input: &mut Input, out: &mut Output) -> Result<Gate, Error> {
        let Some(gate) = self.0.as_deref_mut() else {
            return Ok(Gate::Pass);
        };
        let Some(mode) = gate.mode else {
            return Ok(Gate::Pass);
        };
        let bad = |reason| Error::Protocol(PeerMisbehaved::ProxyHeader { reason });
        let (info, consumed) = match parse(input.unread()).map_err(bad)? {
            Status::Incomplete(_) if input.is_eof() => return Err(bad(ProxyError::EndOfInput)),
            Status::Incomplete(_) => return Ok(Gate::Wait),
            Status::Complete(header, n) => {
                if !mode.accepts(header.version) {
                    return Err(bad(ProxyError::VersionNotAccepted));
                }
                (ProxyInfo::new(&header, &input.unread()[..n]), n)
            }
        };
        input.consume(consumed);
        out.extend_from_slice(&gate.held);
        gate.held = Vec::new();
        gate.mode = None;
        gate.info = Some(info.clone());
        Ok(Gate::Header(info))
    }
}
