//! The tags the IMAP machines keep: one store for the client's own tags and
//! the server's copies of its client's tags, inline so that keeping a tag
//! costs no allocation for the tags that occur.
//!
//! The public tag type is [`Tag`] (RFC 9051 §9: `tag = 1*<any ASTRING-CHAR
//! except "+">`); the machines convert to it when they hand a tag out.

use alloc::boxed::Box;

use super::types::core::Tag;

/// Longest tag kept inline.
pub(crate) const INLINE: usize = 22;

/// Longest tag the client generates: `A` and the ten digits of `u32::MAX`.
pub(crate) const OWN_MAX: usize = 11;

/// A tag of at most `N` bytes (at most 255), held inline.
#[derive(Clone, Copy, Debug)]
pub(crate) struct InlineTag<const N: usize = INLINE> {
    b: [u8; N],
    len: u8,
}

/// The client's own tags: inline in 12 bytes.
pub(crate) type OwnTag = InlineTag<OWN_MAX>;

impl<const N: usize> PartialEq for InlineTag<N> {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl<const N: usize> Default for InlineTag<N> {
    fn default() -> Self {
        InlineTag { b: [0; N], len: 0 }
    }
}

impl<const N: usize> InlineTag<N> {
    /// `t` inline, or `None` when it is longer than `N`.
    pub(crate) fn new(t: &str) -> Option<Self> {
        if t.len() > N || t.len() > usize::from(u8::MAX) {
            return None;
        }
        let mut b = [0; N];
        b[..t.len()].copy_from_slice(t.as_bytes());
        Some(InlineTag {
            b,
            len: t.len() as u8,
        })
    }

    /// The client's tag for its `n`th command: `A` and at least four digits
    /// (`N` is at least [`OWN_MAX`]).
    pub(crate) fn number(n: u32) -> Self {
        const { assert!(N >= OWN_MAX) };
        let digits = crate::wire::decimal::Decimal::new(u64::from(n));
        let d = digits.as_bytes();
        let width = d.len().max(4);
        let mut b = [b'0'; N];
        b[0] = b'A';
        b[1 + width - d.len()..1 + width].copy_from_slice(d);
        InlineTag {
            b,
            len: (1 + width) as u8,
        }
    }

    /// A server's tag, if it could be one the client generated (not empty,
    /// UTF-8, at most [`OWN_MAX`] bytes).
    pub(crate) fn from_peer(t: &[u8]) -> Option<Self> {
        if t.is_empty() || t.len() > OWN_MAX {
            return None;
        }
        InlineTag::new(core::str::from_utf8(t).ok()?)
    }

    /// The tag's text.
    pub(crate) fn as_str(&self) -> &str {
        core::str::from_utf8(self.b.get(..usize::from(self.len)).unwrap_or_default())
            .unwrap_or_default()
    }

    /// As the public type; `A` when the text is no valid tag (never for the
    /// client's own tags, which are `A` and digits).
    pub(crate) fn tag(&self) -> Tag<'_> {
        Tag::new(self.as_str()).unwrap_or_else(|| Tag::new("A").expect("valid tag"))
    }
}

/// A tag of any length: inline up to [`INLINE`] bytes, on the heap beyond.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum StoredTag {
    Inline(InlineTag),
    Heap(Box<str>),
}

impl Default for StoredTag {
    fn default() -> Self {
        StoredTag::Inline(InlineTag::default())
    }
}

impl StoredTag {
    /// A copy of `t`.
    pub(crate) fn new(t: &str) -> StoredTag {
        InlineTag::new(t).map_or_else(|| StoredTag::Heap(t.into()), StoredTag::Inline)
    }

    /// The tag's text.
    pub(crate) fn as_str(&self) -> &str {
        match self {
            StoredTag::Inline(t) => t.as_str(),
            StoredTag::Heap(s) => s,
        }
    }

    /// As the public type, `None` when the text is no valid tag (such as a
    /// non-ASCII word the server read where a tag stands).
    pub(crate) fn tag(&self) -> Option<Tag<'_>> {
        Tag::new(self.as_str())
    }

    /// Heap bytes held.
    pub(crate) fn heap(&self) -> usize {
        match self {
            StoredTag::Inline(_) => 0,
            StoredTag::Heap(s) => s.len(),
        }
    }
}

impl From<&Tag<'_>> for StoredTag {
    fn from(t: &Tag<'_>) -> Self {
        StoredTag::new(t.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;

    #[test]
    fn client_tags_are_a_and_at_least_four_digits_inline() {
        assert_eq!(OwnTag::number(1).as_str(), "A0001");
        assert_eq!(OwnTag::number(9999).as_str(), "A9999");
        assert_eq!(OwnTag::number(12345).as_str(), "A12345");
        assert_eq!(OwnTag::number(u32::MAX).as_str(), "A4294967295");
        assert_eq!(OwnTag::number(u32::MAX).as_str().len(), OWN_MAX);
        assert_eq!(OwnTag::number(7).tag().as_str(), "A0007");
        assert_eq!(OwnTag::from_peer(b"A0001"), Some(OwnTag::number(1)));
        // the client's tags cost 12 bytes, as before the one store
        assert_eq!(core::mem::size_of::<OwnTag>(), OWN_MAX + 1);
    }

    #[test]
    fn peer_tags_that_cannot_be_ours_are_refused() {
        assert_eq!(OwnTag::from_peer(b""), None);
        assert_eq!(OwnTag::from_peer(b"A00001234567"), None);
        assert_eq!(OwnTag::from_peer(&[b'A'; 1000]), None);
        assert_eq!(OwnTag::from_peer(b"A\xff01"), None);
        assert_eq!(OwnTag::new(&"A".repeat(1000)), None);
        // no valid tag: the public form falls back to `A`
        assert_eq!(OwnTag::new("\u{e9}").unwrap().tag().as_str(), "A");
    }

    #[test]
    fn stored_tags_stay_inline_up_to_22_bytes() {
        let t22 = "x".repeat(INLINE);
        let s = StoredTag::new(&t22);
        assert!(matches!(s, StoredTag::Inline(_)));
        assert_eq!((s.as_str(), s.heap()), (t22.as_str(), 0));
        let t23 = "x".repeat(INLINE + 1);
        let s = StoredTag::new(&t23);
        assert_eq!((s.as_str(), s.heap()), (t23.as_str(), INLINE + 1));
        assert_eq!(StoredTag::default().as_str(), "");
    }

    #[test]
    fn hostile_stored_tags() {
        // a 1000-byte tag is kept whole, on the heap, and round-trips
        let long: String = "a1".repeat(500);
        let s = StoredTag::from(&Tag::new(long.as_str()).unwrap());
        assert_eq!(s.heap(), 1000);
        assert_eq!(s.tag().unwrap().as_str(), long);
        // non-ASCII text (RFC 9051 §9: tag is ASTRING-CHARs, all ASCII)
        // is kept as read but is no tag
        let s = StoredTag::new("t\u{e9}g");
        assert_eq!(s.as_str(), "t\u{e9}g");
        assert_eq!(s.tag(), None);
        assert_eq!(Tag::new("t\u{e9}g"), None);
        // `+` is not a tag character
        assert_eq!(StoredTag::new("a+").tag(), None);
    }
}
