//! Owned copies: [`IntoOwned`] turns a value that borrows from a frame into
//! one that owns its data (`'static`), and [`into_owned!`] writes the
//! implementation from the shape of a type.
//!
//! Parsed values borrow from the buffer they were parsed from; a caller who
//! keeps one past the next call copies it first. The copy is the same walk
//! for every type (each field copied, the variant kept), so it is generated:
//! a type lists its fields (or its variants and their fields) once, and the
//! macro writes the match. A field the list forgets is a compile error (the
//! generated pattern names every field, with no `..`).
//!
//! The types that nest without bound (IMAP body structures, search keys and
//! threads) keep a hand-written copy that walks a stack on the heap instead of
//! recursing, so a deep value cannot overflow the stack
//! (`tests/nesting_stack.rs`); a recursive match, the only thing a
//! declarative macro can write, would.

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

/// Conversion of a borrowed value into one that owns its data (`'static`).
///
/// ```
/// # #[cfg(feature = "smtp")] {
/// use mailwire::smtp::{parse_reply, Reply};
/// use mailwire::IntoOwned;
///
/// /// Keeps any parsed value past its buffer.
/// fn keep<T: IntoOwned>(value: T) -> T::Owned {
///     value.into_owned()
/// }
/// let kept: Reply<'static> = {
///     let buf = b"250 2.0.0 queued as 4711\r\n".to_vec();
///     keep(parse_reply(&buf)?) // outlives the buffer
/// };
/// assert_eq!(kept.to_string(), "250 2.0.0 queued as 4711");
/// # }
/// # Ok::<(), mailwire::error::ParseError>(())
/// ```
pub trait IntoOwned {
    /// The owning type.
    type Owned: 'static;
    /// Copies whatever is borrowed.
    fn into_owned(self) -> Self::Owned;
}

/// `IntoOwned` for types that borrow nothing: the value itself.
macro_rules! owned_copy {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::owned::IntoOwned for $t {
            type Owned = $t;
            fn into_owned(self) -> $t { self }
        }
    )*};
}
pub(crate) use owned_copy;

owned_copy!(
    i8,
    i64,
    u8,
    u16,
    u32,
    u64,
    usize,
    bool,
    char,
    &'static str,
    String,
    core::net::Ipv4Addr,
    core::net::Ipv6Addr,
    [u8; 32],
    crate::error::Error,
    crate::error::ParseError
);

impl<T: IntoOwned> IntoOwned for Option<T> {
    type Owned = Option<T::Owned>;
    fn into_owned(self) -> Self::Owned {
        self.map(IntoOwned::into_owned)
    }
}

impl<A: IntoOwned, B: IntoOwned> IntoOwned for (A, B) {
    type Owned = (A::Owned, B::Owned);
    fn into_owned(self) -> Self::Owned {
        (self.0.into_owned(), self.1.into_owned())
    }
}

impl<T: IntoOwned> IntoOwned for Box<T> {
    type Owned = Box<T::Owned>;
    fn into_owned(self) -> Self::Owned {
        Box::new((*self).into_owned())
    }
}

impl<T: IntoOwned> IntoOwned for Vec<T> {
    type Owned = Vec<T::Owned>;
    fn into_owned(self) -> Self::Owned {
        self.into_iter().map(IntoOwned::into_owned).collect()
    }
}

impl IntoOwned for Cow<'_, str> {
    type Owned = Cow<'static, str>;
    fn into_owned(self) -> Cow<'static, str> {
        Cow::Owned(Cow::into_owned(self))
    }
}

impl<T: Clone + 'static> IntoOwned for Cow<'_, [T]> {
    type Owned = Cow<'static, [T]>;
    fn into_owned(self) -> Cow<'static, [T]> {
        Cow::Owned(Cow::into_owned(self))
    }
}

/// Writes `IntoOwned` for types with one lifetime (`T<'a>` becomes
/// `T<'static>`) from their shape: every field is copied with
/// [`IntoOwned::into_owned`].
///
/// ```text
/// into_owned! {
///     struct QResync { uid_validity, mod_seq, known_uids, seq_match_data }
///     struct Tag(name)                                   // a tuple struct
///     enum SelectParam { CondStore, QResync(q), Other { name, value } }
///     inherent enum Reply { .. }  // also an inherent `pub fn into_owned`
/// }
/// ```
///
/// Tuple fields are named by the caller (any identifier; they only bind).
/// `inherent` adds an inherent method of the same name, so callers need not
/// import the trait.
macro_rules! into_owned {
    () => {};
    (inherent $($rest:tt)*) => {
        $crate::owned::into_owned!(@inherent $($rest)*);
    };
    (@inherent struct $t:ident $body:tt $($rest:tt)*) => {
        $crate::owned::into_owned!(@method $t);
        $crate::owned::into_owned!(struct $t $body $($rest)*);
    };
    (@inherent enum $t:ident $body:tt $($rest:tt)*) => {
        $crate::owned::into_owned!(@method $t);
        $crate::owned::into_owned!(enum $t $body $($rest)*);
    };
    (@method $t:ident) => {
        impl $t<'_> {
            /// A copy that owns its data.
            pub fn into_owned(self) -> $t<'static> {
                $crate::owned::IntoOwned::into_owned(self)
            }
        }
    };
    (struct $t:ident { $($f:ident),* $(,)? } $($rest:tt)*) => {
        impl $crate::owned::IntoOwned for $t<'_> {
            type Owned = $t<'static>;
            fn into_owned(self) -> $t<'static> {
                let $t { $($f),* } = self;
                $t { $($f: $crate::owned::IntoOwned::into_owned($f)),* }
            }
        }
        $crate::owned::into_owned!($($rest)*);
    };
    (struct $t:ident ( $($f:ident),* $(,)? ) $($rest:tt)*) => {
        impl $crate::owned::IntoOwned for $t<'_> {
            type Owned = $t<'static>;
            fn into_owned(self) -> $t<'static> {
                let $t ( $($f),* ) = self;
                $t ( $($crate::owned::IntoOwned::into_owned($f)),* )
            }
        }
        $crate::owned::into_owned!($($rest)*);
    };
    (enum $t:ident {
        $($v:ident $(( $($tf:ident),* $(,)? ))? $({ $($nf:ident),* $(,)? })?),* $(,)?
    } $($rest:tt)*) => {
        impl $crate::owned::IntoOwned for $t<'_> {
            type Owned = $t<'static>;
            #[allow(unused_variables)]
            fn into_owned(self) -> $t<'static> {
                match self {
                    $(
                        $t::$v $(( $($tf),* ))? $({ $($nf),* })? =>
                            $t::$v
                                $(( $($crate::owned::IntoOwned::into_owned($tf)),* ))?
                                $({ $($nf: $crate::owned::IntoOwned::into_owned($nf)),* })?,
                    )*
                }
            }
        }
        $crate::owned::into_owned!($($rest)*);
    };
}
pub(crate) use into_owned;
