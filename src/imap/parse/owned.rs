//! Owned responses that share their frame's bytes instead of copying every
//! value ([`OwnedResponse`]).

use bytes::Bytes;

use crate::Error;
use crate::imap::parse::ParseOptions;
use crate::imap::parse::response::response;
use crate::imap::syntax::input::{In, run};
use crate::imap::types::response::Response;

/// A response that owns its frame: `'static`, [`Send`], cloned by sharing
/// the frame's [`Bytes`] (no copy), and read as a [`Response`] that borrows
/// from it.
///
/// Building one validates the frame once (without allocating) and keeps it;
/// [`get`](Self::get) parses it again in trusted mode, with the items of a
/// FETCH response left as wire bytes, read lazily. Compared with
/// [`IntoOwned::into_owned`](crate::IntoOwned::into_owned), which copies every
/// value into a tree of its own (one allocation per string, list and literal),
/// this holds one buffer: the frame, a BODY[] literal included, is stored
/// once. Reach for `into_owned` when you need to change the values; for
/// keeping responses past the read buffer (a cache, a channel, another task),
/// this is the cheaper owned form.
///
/// ```
/// use mailwire::imap::{Data, FetchItem, OwnedResponse, ParseOptions, Response};
///
/// // RFC 9051 §7.5.2: S: * 23 FETCH (FLAGS (\Seen) RFC822.SIZE 44827)
/// let read_buffer = b"* 23 FETCH (FLAGS (\\Seen) RFC822.SIZE 44827)\r\n".to_vec();
/// let owned = OwnedResponse::copy_from(&read_buffer, &ParseOptions::default()).unwrap();
/// drop(read_buffer); // the owned response does not borrow it
///
/// let shared = owned.clone(); // shares the bytes
/// std::thread::spawn(move || {
///     let Response::Data(Data::Fetch { seq, items }) = shared.get() else { panic!() };
///     assert_eq!(seq, 23);
///     assert!(items.iter().any(|item| item == FetchItem::Rfc822Size(44827)));
/// })
/// .join()
/// .unwrap();
///
/// // a frame that does not parse is refused when it is built
/// assert!(OwnedResponse::copy_from(b"* 23 FETCH (FLAGS\r\n", &ParseOptions::default()).is_err());
/// ```
#[derive(Clone)]
pub struct OwnedResponse {
    frame: Bytes,
    opts: ParseOptions,
}

impl OwnedResponse {
    /// Validates `frame` (one complete response, as a
    /// [`Framer`](crate::imap::Framer) finds it) with `opts` and keeps it
    /// without copying.
    pub fn new(frame: Bytes, opts: &ParseOptions) -> Result<OwnedResponse, Error> {
        validate(&frame, opts)?;
        Ok(OwnedResponse { frame, opts: *opts })
    }

    /// Validates `frame` with `opts`, then copies it into a buffer of its own
    /// (one allocation; a frame that does not parse is not copied).
    pub fn copy_from(frame: &[u8], opts: &ParseOptions) -> Result<OwnedResponse, Error> {
        validate(frame, opts)?;
        Ok(OwnedResponse {
            frame: Bytes::copy_from_slice(frame),
            opts: *opts,
        })
    }

    /// The response, borrowing from the frame.
    ///
    /// # Panics
    /// Never: the frame was validated with the same options when this was
    /// built (see [`try_get`](Self::try_get)).
    pub fn get(&self) -> Response<'_> {
        self.try_get().expect("validated when built")
    }

    /// The response, borrowing from the frame; an error only if the frame
    /// no longer parses with the options it was validated with (impossible
    /// for values built by [`new`](Self::new) or [`copy_from`](Self::copy_from)).
    pub fn try_get(&self) -> Result<Response<'_>, Error> {
        let mut i = In::with(&self.frame, &self.opts);
        i.st.trusted = true;
        i.st.lazy = true;
        match run(&self.frame, i, response) {
            Ok(r) => Ok(r),
            // should the trusted parse ever disagree, the full one decides
            Err(_) => crate::imap::parse::response::parse_response(&self.frame, &self.opts),
        }
    }

    /// The frame's bytes (shared, not copied).
    pub fn frame(&self) -> &Bytes {
        &self.frame
    }

    /// The frame's bytes, given back.
    pub fn into_frame(self) -> Bytes {
        self.frame
    }
}

impl core::fmt::Debug for OwnedResponse {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("OwnedResponse")
            .field(&self.try_get().ok())
            .finish()
    }
}

impl PartialEq for OwnedResponse {
    /// Equal when the responses are (not the bytes: `{3}\r\nabc` and `"abc"`
    /// are the same string).
    fn eq(&self, other: &Self) -> bool {
        self.try_get().ok() == other.try_get().ok()
    }
}

/// The full parse of `frame` with `opts`, its values dropped as they are
/// built (escaped strings are not unescaped, FETCH items not kept): no
/// allocation.
fn validate(frame: &[u8], opts: &ParseOptions) -> Result<(), Error> {
    let mut i = In::with(frame, opts);
    i.st.discard = true;
    run(frame, i, response).map(drop)
}
