//! The strict DATA decoder as it was when issue #19 was filed (`wire::dot` at
//! `33908b0`, before the one-pass block scan of `384ea14`), kept only so that
//! `paths.rs` can measure it beside today's decoder and smtp-proto in the same
//! run: the "DATA ≥ 1.2×" figure was measured with this algorithm.
//! Strict policy only; an error is `Err(())`.
//!
//! The algorithm: memchr's `memmem` finds the next `LF .` (the next line that
//! starts with a dot), then one vectorised pass over the run checks adjacent
//! byte pairs for a bare CR or LF; only a run that has one goes to the exact
//! CR/LF scan.

/// Where the decoder stands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    LineStart,
    Mid,
    Done,
}

/// One step: unstuffed bytes, input used, terminator seen.
pub(crate) struct Step<'a> {
    pub(crate) data: &'a [u8],
    pub(crate) consumed: usize,
    pub(crate) end: bool,
}

/// The decoder of `33908b0` (strict).
pub(crate) struct FilingDecoder {
    state: State,
    finder: memchr::memmem::Finder<'static>,
}

impl FilingDecoder {
    pub(crate) fn new() -> Self {
        FilingDecoder {
            state: State::LineStart,
            finder: memchr::memmem::Finder::new(b"\n."),
        }
    }

    pub(crate) fn decode<'a>(&mut self, input: &'a [u8]) -> Result<Step<'a>, ()> {
        let mut start = 0;
        match self.state {
            State::Done => return Ok(step(&[], 0, true)),
            State::LineStart => match input.first() {
                None => return Ok(step(&[], 0, false)),
                Some(b'.') => match (input.get(1), input.get(2)) {
                    (None, _) | (Some(b'\r'), None) => return Ok(step(&[], 0, false)),
                    (Some(b'\r'), Some(b'\n')) => {
                        self.state = State::Done;
                        return Ok(step(&[], 3, true));
                    }
                    _ => start = 1,
                },
                Some(_) => {}
            },
            State::Mid => {}
        }
        self.state = State::Mid;
        if input.get(start) == Some(&b'\n') {
            return self.exact(input, start, start);
        }
        let len = input.len();
        let (stop, line_start) = match self.finder.find(&input[start..]) {
            Some(k) => (start + k + 1, true),
            None if input[start..].last() == Some(&b'\r') => (len - 1, false),
            None => (len, len >= start + 2 && input[len - 2..] == *b"\r\n"),
        };
        if bare_pair(&input[start..(stop + 1).min(len)]) {
            return self.exact(input, start, start);
        }
        if line_start {
            self.state = State::LineStart;
        }
        Ok(step(&input[start..stop], stop, false))
    }

    /// Every CR and LF from `pos` on.
    fn exact<'a>(&mut self, input: &'a [u8], start: usize, mut pos: usize) -> Result<Step<'a>, ()> {
        loop {
            let Some(i) = memchr::memchr2(b'\r', b'\n', &input[pos..]).map(|i| i + pos) else {
                return Ok(step(&input[start..], input.len(), false));
            };
            if input[i] == b'\r' {
                match input.get(i + 1) {
                    None => return Ok(step(&input[start..i], i, false)),
                    Some(b'\n') => pos = i + 1,
                    Some(_) => return Err(()),
                }
                continue;
            }
            if i == 0 || input[i - 1] != b'\r' {
                return Err(());
            }
            let next = i + 1;
            if input.get(next).is_none_or(|&b| b == b'.') {
                self.state = State::LineStart;
                return Ok(step(&input[start..next], next, false));
            }
            pos = next;
        }
    }
}

/// An LF not after a CR or a CR not before an LF (a final CR is allowed).
fn bare_pair(run: &[u8]) -> bool {
    let Some(&first) = run.first() else {
        return false;
    };
    let mut bare = u8::from(first == b'\n');
    for (&p, &c) in run.iter().zip(&run[1..]) {
        bare |= u8::from(c == b'\n') ^ u8::from(p == b'\r');
    }
    bare != 0
}

fn step(data: &[u8], consumed: usize, end: bool) -> Step<'_> {
    Step {
        data,
        consumed,
        end,
    }
}
