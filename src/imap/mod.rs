//! IMAP4rev1 (RFC 3501) and IMAP4rev2 (RFC 9051) with the extensions real
//! servers use: the codec (`Command`, `Response`, their parsers and emitters)
//! and the framing stage below it.
//!
//! Framing comes before grammar: [`Framer`] finds where one message (a line
//! plus its announced literals) ends in a growing buffer, in one pass; then
//! [`parse_response`] / [`parse_greeting`] runs the grammar on that one
//! frame. Parsed values borrow from the frame: a FETCH response with ENVELOPE
//! and BODYSTRUCTURE is parsed without heap allocation, its lists (flags,
//! addresses, body parts, data items) being validated once and iterated
//! lazily ([`List`]). A caller who reads every address and body part of many
//! FETCH responses (a sync tool) can instead have them handed over by the
//! validating pass itself: [`parse_response_with`] and a [`FetchVisitor`]
//! (one pass, nothing stored, everything borrowed).
//!
//! ```
//! use mailwire::imap::{Framer, Frame, parse_response, ParseOptions, Response, Data, FetchItem};
//! use mailwire::{Limits, wire::line::LinePolicy};
//!
//! let stream = b"* 12 FETCH (UID 7 FLAGS (\\Seen) BODY[] {5}\r\nhello)\r\nA1 OK done\r\n";
//! let mut framer = Framer::for_responses(&Limits::default(), LinePolicy::STRICT);
//! let Frame::Complete(n) = framer.find(stream).unwrap() else { panic!("incomplete") };
//! let Response::Data(Data::Fetch { seq, items }) =
//!     parse_response(&stream[..n], &ParseOptions::default()).unwrap() else { panic!() };
//! assert_eq!(seq, 12);
//! for item in items.iter() {
//!     match item {
//!         FetchItem::Uid(uid) => assert_eq!(uid, 7),
//!         FetchItem::BodySection { data, .. } => assert_eq!(data.unwrap().as_bytes(), b"hello"),
//!         _ => {}
//!     }
//! }
//! let Frame::Complete(m) = framer.find(&stream[n..]).unwrap() else { panic!() };
//! assert_eq!(m, 12);
//! ```
//!
//! Real servers deviate from the grammar; the known deviations are accepted
//! by default and listed on [`Quirks`]. Use [`ParseOptions::STRICT`] to
//! reject them.
//!
//! # Room plan (where the codec code lives)
//!
//! The codec is cut by concept, not by direction: a concept's value type,
//! its grammar and its emitter sit together, so an ABNF rule is written once.
//!
//! - **Ground floor**: the nom input type and character classes
//!   (`parse::input`), the core values (`types::core`: atom, astring, string,
//!   literal, number, sequence set, date-time, flags, mailbox, lazy lists) and
//!   their rules (`parse::core`). Everything else builds on these.
//! - **Base protocol rooms** ([`base`]): one module per concept of the base
//!   protocol, holding its types, a `parse` and an `emit` submodule, whatever
//!   the direction the concept travels in:
//!   - [`base::fetch`]: `fetch-att` ([`FetchAttribute`], [`FetchAttributes`]),
//!     `msg-att` ([`FetchItem`]), `section` and `section-part` ([`Section`],
//!     [`SectionText`], [`Part`]), with their rules and emitters.
//!   - [`base::search`]: `search-key` ([`SearchKey`], with the MODSEQ key's
//!     [`ModSeqEntry`] and [`EntryTypeReq`]) and the program's `charset`,
//!     read and written for SEARCH, SORT and THREAD.
//!   - [`base::status`]: `status-att-val` ([`StatusItem`]), read and written
//!     for the STATUS response (and LIST-STATUS).
//! - **Not yet in a room** (still cut by direction): the command and response
//!   frames with the central enums [`CommandBody`], [`Data`] and [`Code`]
//!   (`types::command`, `parse::command`, `emit::command`; `types::response`,
//!   `parse::response`, `emit::response`), and in them LIST, STORE, SELECT parameters, ENABLE, SORT/THREAD, QUOTA,
//!   NAMESPACE and APPEND; body structures and envelopes (`types::body`,
//!   `parse::body`), streamed literals (`parse::stream`) and the FETCH visit
//!   (`parse::sink` below the grammar, `parse::visit` above it).
//! - **Extension rooms** ([`ext`]): one module per extension, holding its
//!   types, a `parse` and an `emit` submodule. Its header lists the central
//!   enum variants it adds. Besides the rooms listed in [`ext`], `ext::esearch`
//!   holds ESEARCH (RFC 4731, RFC 7377: [`ESearch`], [`SearchReturnData`]).
//!
//! Adding an extension: write `ext/<name>.rs` (types, `parse`, `emit`,
//! [`IntoOwned`] through `into_owned!`), then register it: its variants in
//! the central enums, one line per dispatch it joins in `ext/mod.rs`
//! (commands, untagged responses, response codes, emitters) or, for FETCH
//! items and SEARCH keys, one branch in the rule of [`base::fetch`] or
//! [`base::search`] that reads the item name; and its capability name in the client's list if the client gates on
//! it. The old paths (`types::ext`, `types::command::…`) re-export what moved.

pub mod base;
mod entry;
pub mod ext;
pub mod frame;
pub mod parse;
pub mod server;
pub mod syntax;
mod tag;
pub mod types;
pub mod utf7;

pub use base::body::{
    Address, AddressIter, AddressList, BodyExtension, BodyStructure, Disposition, Envelope,
    MultiPart, Params, SinglePart, Specific,
};
pub use base::fetch::{FetchAttribute, FetchAttributes, FetchItem, Part, Section, SectionText};
pub use base::search::{EntryTypeReq, ModSeqEntry, SearchKey};
pub use base::status::StatusItem;
pub use entry::{parse_command_stream, parse_response_stream};
pub use frame::{Frame, Framer, LiteralAnnouncement, LiteralMode};
pub use parse::command::{
    AuthenticateData, parse_authenticate_data, parse_command, parse_idle_done,
};
pub use parse::response::{parse_greeting, parse_response, response_tag};
pub use parse::stream::{
    AppendHead, FetchHead, StreamedItem, parse_append_head, parse_append_tail, parse_fetch_head,
    parse_fetch_tail,
};
pub use parse::visit::{AddressField, FetchVisitor, ParamsOf, parse_response_with};
pub use parse::{ParseOptions, Quirks};
pub use server::{FetchLiteral, LiteralSupport, Server, ServerConfig, ServerEvent, ServerState};
pub use syntax::core::{
    AString, Atom, Date, DateTime, Flag, IString, IntoOwned, Lazy, List, ListIter, Mailbox,
    NString, SeqNum, SeqRange, SequenceSet, Tag,
};
pub use types::command::{AppendMessage, Command, CommandBody, StoreKind};
pub use types::command::{
    CreateParam, GetMetadataOption, ListReturnOption, MetadataDepth, QResync, SelectParam,
    SeqMatchData, SortCriterion, SortKey,
};
pub use types::ext::{
    AppendItem, CatenatePart, EventGroup, MailboxFilter, ModRights, Notify, NotifyEvent, Rights,
    RightsMode, UrlMechanism,
};
pub use types::response::{
    Code, Continue, Data, ESearch, ESearchMailbox, IdParams, ListExtendedItem, MailboxAttribute,
    MailboxList, MetadataEntries, Namespace, QuotaResource, Response, SearchReturnData, StatusKind,
    StatusResponse, Thread,
};
pub mod emit;
pub use emit::{EmitOptions, Emitted, LiteralStyle, emit_command, emit_greeting, emit_response};
pub mod client;
pub use client::{Capabilities, Client, ClientConfig, ClientEvent, ClientState, CommandKind};
pub use client::{
    CommandFailed, FetchItems, FetchQuery, IntoSequenceSet, MailboxName, SearchQuery,
    StatusAttribute,
};
