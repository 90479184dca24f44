//! Message files for the clients: reading a message from stdin or a file, and line endings.
//!
//! On the wire a message's lines end in CRLF (RFC 5322 §2.1, RFC 5321 §2.3.8); `.eml` files written on
//! Unix often end them in LF alone, so the clients normalise before sending.

use std::borrow::Cow;
use std::io::{self, Read};
use std::path::Path;

/// Every bare LF (and bare CR) becomes CRLF; already-CRLF input is returned borrowed, unchanged.
pub(crate) fn to_crlf(bytes: &[u8]) -> Cow<'_, [u8]> {
    let clean = bytes.iter().enumerate().all(|(i, &b)| match b {
        b'\n' => i > 0 && bytes[i - 1] == b'\r',
        b'\r' => bytes.get(i + 1) == Some(&b'\n'),
        _ => true,
    });
    if clean {
        return Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 32);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                out.extend_from_slice(b"\r\n");
                i += 2;
            }
            b'\r' | b'\n' => {
                out.extend_from_slice(b"\r\n");
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    Cow::Owned(out)
}

/// The whole of stdin (`< message.eml`), with CRLF line endings.
pub(crate) fn read_stdin_message() -> io::Result<Vec<u8>> {
    let mut raw = Vec::new();
    io::stdin().lock().read_to_end(&mut raw)?;
    Ok(to_crlf(&raw).into_owned())
}

/// A message file, with CRLF line endings.
pub(crate) fn read_message_file(path: &Path) -> io::Result<Vec<u8>> {
    let raw = std::fs::read(path)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    Ok(to_crlf(&raw).into_owned())
}
