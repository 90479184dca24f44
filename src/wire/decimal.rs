//! Decimal printing without allocation or `core::fmt`, for the emitters and
//! machines of every protocol (literal sizes, message numbers, tags).

/// The decimal digits of a `u64`, kept inline.
#[derive(Clone, Copy)]
pub(crate) struct Decimal {
    buf: [u8; 20],
    start: u8,
}

impl Decimal {
    /// The digits of `n` (`u64::MAX` has 20).
    pub(crate) fn new(n: u64) -> Decimal {
        let mut buf = [0u8; 20];
        let mut i = buf.len();
        let mut v = n;
        loop {
            i -= 1;
            buf[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        Decimal {
            buf,
            start: i as u8,
        }
    }

    /// The digits, most significant first.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.buf[usize::from(self.start)..]
    }
}

#[cfg(test)]
mod tests {
    use super::Decimal;

    #[test]
    fn digits() {
        for n in [0, 7, 10, 4096, 1_000_000, u64::from(u32::MAX), u64::MAX] {
            assert_eq!(Decimal::new(n).as_bytes(), alloc::format!("{n}").as_bytes());
        }
    }
}
