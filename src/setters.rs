//! Chainable setters for the configuration types, so that a configuration is
//! built in one expression although its struct is `#[non_exhaustive]`:
//! `ServerConfig::new("mx").chunking(false).binarymime(true)`.

/// `setters!(Type { field: FieldType, ... })` gives `Type` one method per
/// field, named after it, that sets it and returns the value. Each takes
/// `impl Into<FieldType>`, so `&str` sets a `String` and a `Duration` sets an
/// `Option<Duration>`.
macro_rules! setters {
    ($ty:ty { $($field:ident: $fty:ty),* $(,)? }) => {
        impl $ty {
            $(
                #[doc = concat!(
                    "Sets [`", stringify!($field), "`](Self::", stringify!($field),
                    ") and returns the configuration (for one-expression builds)."
                )]
                #[must_use]
                pub fn $field(mut self, value: impl Into<$fty>) -> Self {
                    self.$field = value.into();
                    self
                }
            )*
        }
    };
}

/// `const_setters!(Type { field: FieldType, ... })`: the same for a `Copy`
/// type whose values are built in `const` context ([`Limits`](crate::Limits)).
macro_rules! const_setters {
    ($ty:ty { $($field:ident: $fty:ty),* $(,)? }) => {
        impl $ty {
            $(
                #[doc = concat!(
                    "Sets [`", stringify!($field), "`](Self::", stringify!($field),
                    ") and returns the limits (usable in `const` context)."
                )]
                #[must_use]
                pub const fn $field(mut self, value: $fty) -> Self {
                    self.$field = value;
                    self
                }
            )*
        }
    };
}
