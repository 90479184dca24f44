//! SORT and THREAD (RFC 5256; RFC 5957 DISPLAY sort keys): the sort
//! criteria a client sends ([`SortCriterion`], [`SortKey`]) and the thread
//! trees a server answers ([`Thread`]), with their rules and emitters. The
//! commands and the SORT/THREAD responses are variants of the central enums
//! ([`CommandBody::Sort`], [`Data::Thread`]); their search program is the
//! SEARCH room's ([`crate::imap::base::search`]).
//!
//! ```text
//! sort-criterion = ["REVERSE" SP] sort-key
//! thread-list    = "(" (thread-members / thread-nested) ")"
//! ```
//! The old paths (`types::command::SortKey`, ...) re-export the types.
//!
//! ```
//! use mailwire::imap::{parse_response, ParseOptions, Response, Data};
//!
//! let frame = b"* THREAD (2)(3 6 (4 23)(44 7 96))\r\n";
//! let Response::Data(Data::Thread(threads)) =
//!     parse_response(frame, &ParseOptions::default()).unwrap() else { panic!() };
//! let second = threads.iter().nth(1).unwrap();
//! assert_eq!(second.members.iter().collect::<Vec<_>>(), [3, 6]);
//! assert_eq!(second.children.len(), 2);
//! ```
//!
//! [`CommandBody::Sort`]: crate::imap::CommandBody::Sort
//! [`Data::Thread`]: crate::imap::Data::Thread

use crate::imap::syntax::core::*;

/// `sort-criterion = ["REVERSE" SP] sort-key` (RFC 5256 §4).
#[derive(Clone, Debug, PartialEq)]
pub struct SortCriterion<'a> {
    /// `REVERSE`: descending order.
    pub reverse: bool,
    /// What to sort by.
    pub key: SortKey<'a>,
}

/// `sort-key` (RFC 5256 §4, RFC 5957 §4).
///
/// ```text
/// sort-key = "ARRIVAL" / "CC" / "DATE" / "FROM" / "SIZE" / "SUBJECT" / "TO"
/// sort-key =/ "DISPLAYFROM" / "DISPLAYTO"    ; RFC 5957
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum SortKey<'a> {
    /// `ARRIVAL`: internal date and time.
    Arrival,
    /// `CC`: first Cc address mailbox.
    Cc,
    /// `DATE`: the Date header.
    Date,
    /// `FROM`: first From address mailbox.
    From,
    /// `SIZE`: RFC822.SIZE.
    Size,
    /// `SUBJECT`: base subject.
    Subject,
    /// `TO`: first To address mailbox.
    To,
    /// `DISPLAYFROM` (RFC 5957): display name of the first From address.
    DisplayFrom,
    /// `DISPLAYTO` (RFC 5957): display name of the first To address.
    DisplayTo,
    /// Another key from an extension (an atom that is none of the above and
    /// not `REVERSE`).
    Other(Atom<'a>),
}

impl SortKey<'_> {
    /// The key as on the wire (`DATE`, `DISPLAYFROM`, or the extension's atom).
    pub fn as_str(&self) -> &str {
        match self {
            SortKey::Arrival => "ARRIVAL",
            SortKey::Cc => "CC",
            SortKey::Date => "DATE",
            SortKey::From => "FROM",
            SortKey::Size => "SIZE",
            SortKey::Subject => "SUBJECT",
            SortKey::To => "TO",
            SortKey::DisplayFrom => "DISPLAYFROM",
            SortKey::DisplayTo => "DISPLAYTO",
            SortKey::Other(a) => a.as_str(),
        }
    }
}

/// `thread-list = "(" (thread-members / thread-nested) ")"` (RFC 5256)
#[derive(Clone, Debug, PartialEq)]
pub struct Thread<'a> {
    /// The messages in a chain, parent first.
    pub members: List<'a, u32>,
    /// Sub-threads branching after the last member.
    pub children: List<'a, Thread<'a>>,
}

/// A loop over a stack on the heap, not a recursion: the stack it uses does
/// not grow with the depth of the thread.
impl IntoOwned for Thread<'_> {
    type Owned = Thread<'static>;
    fn into_owned(self) -> Self::Owned {
        /// What is left to do: convert a thread, or give a converted one
        /// its converted sub-threads.
        enum Step<'a> {
            Thread(Thread<'a>),
            Children(Thread<'static>, usize),
        }
        let mut todo = alloc::vec![Step::Thread(self)];
        let mut done: alloc::vec::Vec<Thread<'static>> = alloc::vec::Vec::new();
        while let Some(step) = todo.pop() {
            match step {
                Step::Thread(t) => {
                    let children = t.children.into_vec();
                    let shell = Thread {
                        members: t.members.into_owned(),
                        children: List::empty(),
                    };
                    todo.push(Step::Children(shell, children.len()));
                    todo.extend(children.into_iter().rev().map(Step::Thread));
                }
                Step::Children(mut t, n) => {
                    t.children = List::from_items(done.split_off(done.len().saturating_sub(n)));
                    done.push(t);
                }
            }
        }
        done.pop().unwrap_or(Thread {
            members: List::empty(),
            children: List::empty(),
        })
    }
}

crate::owned::into_owned! {
    inherent enum SortKey {
        Arrival,
        Cc,
        Date,
        From,
        Size,
        Subject,
        To,
        DisplayFrom,
        DisplayTo,
        Other(a),
    }
    inherent struct SortCriterion { reverse, key }
}

/// The grammar of SORT and THREAD.
pub(crate) mod parse {
    use super::*;
    use crate::imap::syntax::input::*;
    use crate::imap::syntax::rules::*;

    /// ```text
    /// sort-criteria  = "(" sort-criterion *(SP sort-criterion) ")"
    /// ```
    pub(crate) fn sort_criteria(i: In<'_>) -> R<'_, List<'_, SortCriterion<'_>>> {
        let (i, ()) = byte(b'(', "sort-criteria")(i)?;
        paren_list_tail(i, sort_criterion, false)
    }

    /// `sort-criterion = ["REVERSE" SP] sort-key`
    pub(crate) fn sort_criterion(i: In<'_>) -> R<'_, SortCriterion<'_>> {
        let reverse = at_word(&i, b"REVERSE");
        let i = if reverse { sp(i.skip(7))?.0 } else { i };
        let (i, key) = sort_key(i)?;
        Ok((i, SortCriterion { reverse, key }))
    }

    /// ```text
    /// sort-key = "ARRIVAL" / "CC" / "DATE" / "FROM" / "SIZE" / "SUBJECT" / "TO"   ; RFC 5256
    /// sort-key =/ "DISPLAYFROM" / "DISPLAYTO"                                     ; RFC 5957
    /// ```
    pub(crate) fn sort_key(i: In<'_>) -> R<'_, SortKey<'_>> {
        let (rest, a) = atom(i)?;
        match sort_key_named(a.as_str()) {
            Some(k) => Ok((rest, k)),
            None if a.eq_ignore_case("REVERSE") => i.err("sort-key"),
            None => Ok((rest, SortKey::Other(a))),
        }
    }

    /// The sort key called `name` (case-insensitive), if this crate knows it.
    pub(crate) fn sort_key_named(name: &str) -> Option<SortKey<'static>> {
        const KEYS: [(&str, SortKey<'static>); 9] = [
            ("ARRIVAL", SortKey::Arrival),
            ("CC", SortKey::Cc),
            ("DATE", SortKey::Date),
            ("FROM", SortKey::From),
            ("SIZE", SortKey::Size),
            ("SUBJECT", SortKey::Subject),
            ("TO", SortKey::To),
            ("DISPLAYFROM", SortKey::DisplayFrom),
            ("DISPLAYTO", SortKey::DisplayTo),
        ];
        KEYS.iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, k)| k.clone())
    }

    /// `thread-list = "(" (thread-members / thread-nested) ")"`, one nesting
    /// level deeper. This frame and the one of [`thread_list`] stay on the
    /// stack per level; they keep a few words and no combinator, closure or `?`
    /// temporary (debug builds give each its own frame or slot).
    #[allow(clippy::question_mark)] // `?` would add its temporaries to this recursive frame in debug builds
    pub(crate) fn thread<'a>(i: In<'a>) -> R<'a, Thread<'a>> {
        let depth = i.st.depth;
        let i = match descend(i) {
            Ok(i) => i,
            Err(e) => return Err(e),
        };
        match thread_list(i) {
            Ok((mut rest, t)) => {
                rest.st.depth = depth;
                Ok((rest, t))
            }
            Err(e) => Err(e),
        }
    }

    /// [`thread`] within its nesting level.
    #[allow(clippy::question_mark)] // `?` would add its temporaries to this recursive frame in debug builds
    pub(crate) fn thread_list<'a>(i: In<'a>) -> R<'a, Thread<'a>> {
        let members = match thread_members(i) {
            Ok(m) => m,
            Err(e) => return Err(e),
        };
        // thread-nested = 2*thread-list
        let mut i = members.1;
        while i.peek() == Some(b'(') {
            match thread(i) {
                Ok((rest, _)) => i = rest,
                Err(e) => return Err(e),
            }
        }
        thread_end(members, i)
    }

    /// `"(" thread-members [SP]` (the members may be absent): the input where
    /// they start, where the nested threads start, and where they end.
    #[inline(never)]
    pub(crate) fn thread_members<'a>(
        i: In<'a>,
    ) -> Result<(In<'a>, In<'a>, In<'a>), nom::Err<PError>> {
        let (mut i, ()) = byte(b'(', "'(' of thread-list")(i)?;
        // thread-members = nz-number *(SP nz-number) [SP thread-nested]
        let ms = i;
        let mut me = i;
        if i.peek() != Some(b'(') {
            (i, _) = nz_number(i)?;
            me = i;
            while i.peek() == Some(b' ') && i.peek_at(1) != Some(b'(') {
                (i, _) = nz_number(i.skip(1))?;
                me = i;
            }
            if i.peek() == Some(b' ') {
                i = i.skip(1);
            }
        }
        Ok((ms, i, me))
    }

    /// The `)` of a thread-list whose members and nested threads were read.
    #[inline(never)]
    pub(crate) fn thread_end<'a>(
        (ms, cs, me): (In<'a>, In<'a>, In<'a>),
        i: In<'a>,
    ) -> R<'a, Thread<'a>> {
        let ctx = ms.ctx();
        let children = List::wire(cs.upto(&i), thread, Sep::None, ctx);
        let (i, ()) = byte(b')', "')' of thread-list")(i)?;
        Ok((
            i,
            Thread {
                members: List::wire(ms.upto(&me), nz_number, Sep::Space, ctx),
                children,
            },
        ))
    }
}

/// Emitting SORT and THREAD.
pub(crate) mod emit {
    use super::parse::*;
    use super::*;
    use crate::Error;
    use crate::imap::syntax::write::*;

    /// `sort-criterion = ["REVERSE" SP] sort-key` (RFC 5256, RFC 5957).
    pub(crate) fn sort_criterion(w: &mut W<'_>, c: &SortCriterion<'_>) -> Result<(), Error> {
        if c.reverse {
            w.raw(b"REVERSE ");
        }
        if let SortKey::Other(a) = &c.key {
            if sort_key_named(a.as_str()).is_some() || a.eq_ignore_case("REVERSE") {
                return Err(Error::Emit(crate::error::Unemittable::NonCanonical));
            }
            w.atom(a)?;
        } else {
            w.raw(c.key.as_str().as_bytes());
        }
        Ok(())
    }

    pub(crate) fn thread(w: &mut W<'_>, t: &Thread<'_>) -> Result<(), Error> {
        thread_at(w, t, 1)
    }

    /// A thread-list at nesting level `depth` (its sub-threads by reference when
    /// the application built them, else parsed again one at a time).
    #[allow(clippy::question_mark)] // `?` would add its temporaries to this recursive frame in debug builds
    pub(crate) fn thread_at(w: &mut W<'_>, t: &Thread<'_>, depth: usize) -> Result<(), Error> {
        let r = crate::imap::syntax::write::check_depth(depth);
        if r.is_err() {
            return r;
        }
        let first = thread_members(w, t);
        if t.children.is_empty() {
            if first {
                return Err(Error::Emit(crate::error::Unemittable::Missing {
                    what: "thread member",
                }));
            }
        } else {
            if !first {
                w.sp();
            }
            match t.children.items() {
                Some(kids) => {
                    for k in kids {
                        let r = thread_at(w, k, depth + 1);
                        if r.is_err() {
                            return r;
                        }
                    }
                }
                None => {
                    let r = thread_children_wire(w, t, depth + 1);
                    if r.is_err() {
                        return r;
                    }
                }
            }
        }
        w.raw(b")");
        Ok(())
    }

    /// `"(" thread-members`: whether there were none.
    #[inline(never)]
    pub(crate) fn thread_members(w: &mut W<'_>, t: &Thread<'_>) -> bool {
        w.raw(b"(");
        let mut first = true;
        for m in t.members.iter() {
            if !first {
                w.sp();
            }
            first = false;
            w.num(u64::from(m));
        }
        first
    }

    /// The sub-threads of a parsed thread: one at a time in this frame.
    #[allow(clippy::question_mark)] // `?` would add its temporaries to this recursive frame in debug builds
    #[inline(never)]
    pub(crate) fn thread_children_wire(
        w: &mut W<'_>,
        t: &Thread<'_>,
        depth: usize,
    ) -> Result<(), Error> {
        let mut it = t.children.iter();
        loop {
            let k = it.next();
            let Some(k) = &k else {
                return Ok(());
            };
            let r = thread_at(w, k, depth);
            if r.is_err() {
                return r;
            }
        }
    }
}
