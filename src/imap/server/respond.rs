//! The application's actions: literal decisions, completions, untagged
//! responses, streamed FETCH responses (RFC 9051 §7), STARTTLS completion and
//! the autologout timer (RFC 9051 §5.4).

use super::*;

impl Server {
    /// Accepts the literal of [`ServerEvent::LiteralRequested`] or
    /// [`ServerEvent::AppendStart`]: a synchronizing one gets `+`.
    pub fn accept_literal(&mut self) -> Result<(), Error> {
        self.check()?;
        let Read::Decision {
            append,
            sync,
            size,
            data_start,
        } = self.read
        else {
            return Err(Error::Misuse(crate::error::ApiMisuse::NoLiteral));
        };
        if sync {
            self.continuation();
        }
        if append {
            if !self.outstanding.iter().any(|p| p.kind == Kind::Append) {
                self.outstanding.push(Pending {
                    tag: self.cur_tag.clone(),
                    kind: Kind::Append,
                });
            }
            self.input.consume(data_start);
            self.scan = Scan::default();
            self.read = Read::AppendData { remaining: size };
        } else {
            self.take_literal(size, data_start);
        }
        Ok(())
    }

    /// Refuses the literal of [`ServerEvent::LiteralRequested`] or
    /// [`ServerEvent::AppendStart`] with a tagged `NO` (`code` such as
    /// `[TOOBIG]`, `[TRYCREATE]`, `[OVERQUOTA]`): the command is over. The
    /// client does not send a refused synchronizing literal; the bytes of a
    /// non-synchronizing one are skipped as they arrive.
    ///
    /// RFC 9051 §6.3.12: "If the destination mailbox does not exist, a server
    /// MUST return an error and MUST NOT automatically create the mailbox.
    /// Unless it is certain that the destination mailbox cannot be created,
    /// the server MUST send the response code `[TRYCREATE]`":
    ///
    /// ```
    /// use mailwire::imap::{Code, Server, ServerConfig, ServerEvent};
    /// use mailwire::imap::server::Greeting;
    ///
    /// let mut server = Server::new(ServerConfig::default().greeting(Greeting::PreAuth));
    /// server.poll_transmit(); // the greeting
    /// server.handle_input(b"A003 APPEND saved-messages (\\Seen) {310}\r\n");
    /// let Some(ServerEvent::AppendStart { mailbox, .. }) = server.poll_event().unwrap() else { panic!() };
    /// assert_eq!(mailbox.as_bytes(), b"saved-messages");
    /// server.reject_literal(Some(Code::TryCreate), "no such mailbox").unwrap();
    /// // no "+": the client never sends the 310 bytes
    /// assert_eq!(&server.poll_transmit().unwrap()[..], b"A003 NO [TRYCREATE] no such mailbox\r\n");
    /// server.handle_input(b"A004 CREATE saved-messages\r\n");
    /// let Some(ServerEvent::Command(command)) = server.poll_event().unwrap() else { panic!() };
    /// assert_eq!(command.tag.as_str(), "A004");
    /// ```
    pub fn reject_literal(&mut self, code: Option<Code<'_>>, text: &str) -> Result<(), Error> {
        self.check()?;
        let Read::Decision {
            append,
            sync,
            size,
            data_start,
        } = self.read
        else {
            return Err(Error::Misuse(crate::error::ApiMisuse::NoLiteral));
        };
        let tag = if append {
            self.cur_tag.clone()
        } else {
            split_tag(self.input.unread())
                .0
                .map(StoredTag::new)
                .unwrap_or_default()
        };
        let tag = tag.tag();
        self.write_status(tag.as_ref(), StatusKind::No, code.as_ref(), text)?;
        if append {
            self.outstanding.retain(|p| p.kind != Kind::Append);
            self.replacing = false;
        }
        self.input.consume(data_start);
        self.scan = Scan::default();
        self.read = if sync {
            Read::Frame
        } else {
            Read::Discard { remaining: size }
        };
        Ok(())
    }

    /// Completes the command tagged `tag` with `OK`, `NO` or `BAD`.
    ///
    /// The state follows: `OK` to LOGIN/AUTHENTICATE logs in (a `[CAPABILITY
    /// ...]` code is added when `code` is `None`), `OK` to SELECT or EXAMINE
    /// selects (read-only for EXAMINE or `[READ-ONLY]`), `NO` to SELECT or
    /// EXAMINE deselects, `OK` to CLOSE or UNSELECT deselects.
    ///
    /// Pipelined commands may be completed in any order (RFC 9051 §5.5); a
    /// tag that is not pending is [`Error::Misuse`] and sends nothing:
    ///
    /// ```
    /// use mailwire::imap::{Server, ServerConfig, ServerEvent, StatusKind};
    /// use mailwire::imap::server::Greeting;
    /// use mailwire::{ApiMisuse, Error};
    ///
    /// let mut server = Server::new(ServerConfig::default().greeting(Greeting::PreAuth));
    /// server.poll_transmit(); // the greeting
    /// server.handle_input(b"a1 STATUS INBOX (MESSAGES)\r\na2 NOOP\r\n");
    /// assert!(matches!(server.poll_event().unwrap(), Some(ServerEvent::Command(_))));
    /// assert!(matches!(server.poll_event().unwrap(), Some(ServerEvent::Command(_))));
    /// assert_eq!(server.pending_tags().collect::<Vec<_>>(), ["a1", "a2"]);
    /// server.complete("a2", StatusKind::Ok, None, "NOOP completed").unwrap();
    /// server.complete("a1", StatusKind::No, None, "try later").unwrap();
    /// let refused = server.complete("a1", StatusKind::Ok, None, "again");
    /// assert!(matches!(refused, Err(Error::Misuse(ApiMisuse::NothingToAnswer))));
    /// let mut out = Vec::new();
    /// while let Some(b) = server.poll_transmit() { out.extend_from_slice(&b); }
    /// assert_eq!(out, b"a2 OK NOOP completed\r\na1 NO try later\r\n");
    /// ```
    pub fn complete(
        &mut self,
        tag: &str,
        kind: StatusKind,
        code: Option<Code<'_>>,
        text: &str,
    ) -> Result<(), Error> {
        self.check()?;
        if self.fetch.is_some() {
            return Err(Error::Misuse(crate::error::ApiMisuse::FetchOpen));
        }
        if !matches!(kind, StatusKind::Ok | StatusKind::No | StatusKind::Bad) {
            return Err(Error::Misuse(crate::error::ApiMisuse::InvalidStatus));
        }
        // RFC 9585 §4: INPROGRESS "MUST NOT appear in a tagged response"
        if matches!(code, Some(Code::InProgress(_))) {
            return Err(Error::Emit(crate::error::Unemittable::Grammar {
                rule: "INPROGRESS (untagged only)",
            }));
        }
        self.check_uid_only_code(code.as_ref())?;
        let idx = self
            .outstanding
            .iter()
            .position(|p| p.tag.as_str() == tag)
            .ok_or(Error::Misuse(crate::error::ApiMisuse::NothingToAnswer))?;
        let pk = self.outstanding[idx].kind;
        if pk == Kind::Append && self.read != Read::Frame {
            return Err(Error::Misuse(crate::error::ApiMisuse::AppendInProgress));
        }
        let read_only = matches!(code, Some(Code::ReadOnly));
        // the tag of a pending command was parsed: it is valid
        let tag = Tag::new(tag);
        if code.is_none() && pk == Kind::Login && kind == StatusKind::Ok {
            // the capabilities after login
            let saved = self.phase;
            self.phase = ServerState::Authenticated;
            let caps = self.capability_code();
            self.phase = saved;
            self.write_status(tag.as_ref(), kind, Some(&caps), text)?;
        } else {
            self.write_status(tag.as_ref(), kind, code.as_ref(), text)?;
        }
        self.outstanding.remove(idx);
        match (pk, kind) {
            (Kind::Login, StatusKind::Ok) => self.phase = ServerState::Authenticated,
            (Kind::Select | Kind::Examine, StatusKind::Ok) => {
                self.phase = ServerState::Selected {
                    read_only: read_only || pk == Kind::Examine,
                }
            }
            (Kind::Select | Kind::Examine, StatusKind::No) | (Kind::Close, StatusKind::Ok) => {
                self.phase = ServerState::Authenticated
            }
            _ => {}
        }
        // logged in: the input is no longer charged to the shared budget
        self.settle_charge();
        Ok(())
    }

    /// Sends untagged data (`* ...`): EXISTS, FLAGS, LIST, SEARCH, a FETCH
    /// with its values inline, ... Allowed at any time (while idling too),
    /// except inside an open streamed FETCH.
    ///
    /// Once the client enabled UIDONLY (RFC 9586) no message sequence
    /// number goes out: `EXPUNGE`, `n FETCH` and an ESEARCH without `UID`
    /// are [`ApiMisuse::UidRequired`](crate::error::ApiMisuse::UidRequired)
    /// and send nothing; report expunges as `VANISHED` (no `(EARLIER)`) and
    /// flag changes as `UIDFETCH` instead. `UIDFETCH` before UIDONLY is
    /// enabled, and `VANISHED` before UIDONLY or QRESYNC is, are
    /// [`ApiMisuse::WrongState`](crate::error::ApiMisuse::WrongState).
    ///
    /// ```
    /// use mailwire::imap::{Data, FetchItem, Flag, List, SequenceSet, Server, ServerConfig, StatusKind};
    /// use mailwire::imap::server::Greeting;
    /// use mailwire::{ApiMisuse, Error};
    ///
    /// let config = ServerConfig::default()
    ///     .greeting(Greeting::PreAuth)
    ///     .enableable(vec!["UIDONLY".into()])
    ///     .capabilities(vec!["UIDONLY".into()]);
    /// let mut server = Server::new(config);
    /// server.handle_input(b"a ENABLE UIDONLY\r\n");
    /// while server.poll_event().unwrap().is_some() {}
    /// // an expunge by sequence number is refused...
    /// let refused = server.send_untagged_data(&Data::Expunge(3));
    /// assert!(matches!(refused, Err(Error::Misuse(ApiMisuse::UidRequired))));
    /// // ...by UID it goes out (RFC 9586 §3: VANISHED instead of EXPUNGE)
    /// let uids = SequenceSet::new("405,407:410").unwrap();
    /// server.send_untagged_data(&Data::Vanished { earlier: false, uids }).unwrap();
    /// // a flag change: UIDFETCH instead of FETCH
    /// let flags = List::from_items(vec![Flag::Seen]);
    /// let items = List::from_items(vec![FetchItem::Flags(flags)]);
    /// server.send_untagged_data(&Data::UidFetch { uid: 25996, items }).unwrap();
    /// let mut out = Vec::new();
    /// while let Some(b) = server.poll_transmit() { out.extend_from_slice(&b); }
    /// assert!(out.ends_with(b"* VANISHED 405,407:410\r\n* 25996 UIDFETCH (FLAGS (\\Seen))\r\n"));
    /// ```
    pub fn send_untagged_data(&mut self, data: &Data<'_>) -> Result<(), Error> {
        self.check()?;
        if self.fetch.is_some() {
            return Err(Error::Misuse(crate::error::ApiMisuse::FetchOpen));
        }
        let uid_only = self.is_enabled(crate::imap::ext::uidonly::CAPABILITY);
        match data {
            // RFC 9586 (abstract): "Message numbers are not returned in
            // responses ... once this extension is enabled"
            Data::Expunge(_) | Data::Fetch { .. } if uid_only => {
                return Err(Error::Misuse(crate::error::ApiMisuse::UidRequired));
            }
            Data::ESearch(e) if uid_only && !e.uid => {
                return Err(Error::Misuse(crate::error::ApiMisuse::UidRequired));
            }
            // RFC 5161 §3.1: no response of an extension the client has not
            // enabled (VANISHED belongs to QRESYNC, RFC 7162 §3.2.10, and
            // is UIDONLY's expunge report)
            Data::UidFetch { .. } if !uid_only => {
                return Err(Error::Misuse(crate::error::ApiMisuse::WrongState));
            }
            Data::Vanished { .. } if !uid_only && !self.is_enabled("QRESYNC") => {
                return Err(Error::Misuse(crate::error::ApiMisuse::WrongState));
            }
            _ => {}
        }
        let opts = self.emit_opts();
        emit_data_into(data, &mut self.out, &opts)
    }

    /// Sends an untagged status response: `* OK [UIDVALIDITY 1] ...`, `* NO`,
    /// `* BAD`, or `* BYE` (after which the session is over).
    ///
    /// ```
    /// use mailwire::imap::{Code, Server, ServerConfig, StatusKind};
    /// use mailwire::imap::server::Greeting;
    ///
    /// let mut server = Server::new(ServerConfig::default().greeting(Greeting::PreAuth));
    /// server.poll_transmit(); // the greeting
    /// // RFC 3501 §7.1.1: S: * OK [ALERT] System shutdown in 10 minutes
    /// server.send_untagged(StatusKind::Ok, Some(Code::Alert), "System shutdown in 10 minutes").unwrap();
    /// // RFC 3501 §7.1.5: S: * BYE Autologout; idle for too long
    /// server.send_untagged(StatusKind::Bye, None, "Autologout; idle for too long").unwrap();
    /// let mut out = Vec::new();
    /// while let Some(b) = server.poll_transmit() { out.extend_from_slice(&b); }
    /// assert_eq!(out, b"* OK [ALERT] System shutdown in 10 minutes\r\n* BYE Autologout; idle for too long\r\n");
    /// assert!(server.is_closed());
    /// ```
    pub fn send_untagged(
        &mut self,
        kind: StatusKind,
        code: Option<Code<'_>>,
        text: &str,
    ) -> Result<(), Error> {
        self.check()?;
        if self.fetch.is_some() {
            return Err(Error::Misuse(crate::error::ApiMisuse::FetchOpen));
        }
        if !matches!(
            kind,
            StatusKind::Ok | StatusKind::No | StatusKind::Bad | StatusKind::Bye
        ) {
            return Err(Error::Misuse(crate::error::ApiMisuse::InvalidStatus));
        }
        self.check_uid_only_code(code.as_ref())?;
        self.write_status(None, kind, code.as_ref(), text)?;
        if kind == StatusKind::Bye {
            self.phase = ServerState::Logout;
            self.settle_charge();
        }
        Ok(())
    }

    /// Opens a FETCH response whose values are streamed: `* seq FETCH (`
    /// with `items` (values sent inline). Continue with
    /// [`fetch_items`](Self::fetch_items) and
    /// [`start_fetch_literal`](Self::start_fetch_literal), end with
    /// [`finish_fetch`](Self::finish_fetch). Nothing else may be sent meanwhile.
    ///
    /// Once the client enabled UIDONLY this is
    /// [`ApiMisuse::UidRequired`](crate::error::ApiMisuse::UidRequired): use
    /// [`start_uid_fetch`](Self::start_uid_fetch).
    pub fn start_fetch(&mut self, seq: u32, items: &[FetchItem<'_>]) -> Result<(), Error> {
        self.check()?;
        if self.fetch.is_some() {
            return Err(Error::Misuse(crate::error::ApiMisuse::FetchOpen));
        }
        if self.is_enabled(crate::imap::ext::uidonly::CAPABILITY) {
            return Err(Error::Misuse(crate::error::ApiMisuse::UidRequired));
        }
        if seq == 0 {
            return Err(Error::Emit(crate::error::Unemittable::Zero {
                field: "message sequence number",
            }));
        }
        self.open_fetch(seq, b" FETCH (", items)
    }

    /// Opens a UIDFETCH response whose values are streamed (RFC 9586 §3.3,
    /// `uidfetch-resp = uniqueid SP "UIDFETCH" SP msg-att`), once the client
    /// enabled UIDONLY: `* uid UIDFETCH (` with `items`; continue as after
    /// [`start_fetch`](Self::start_fetch). Before UIDONLY is enabled this is
    /// [`ApiMisuse::WrongState`](crate::error::ApiMisuse::WrongState).
    ///
    /// ```
    /// use mailwire::imap::{FetchItem, FetchLiteral, Section, Server, ServerConfig};
    /// use mailwire::imap::server::Greeting;
    ///
    /// let config = ServerConfig::default()
    ///     .greeting(Greeting::PreAuth)
    ///     .enableable(vec!["UIDONLY".into()])
    ///     .capabilities(vec!["UIDONLY".into()]);
    /// let mut server = Server::new(config);
    /// server.handle_input(b"a ENABLE UIDONLY\r\n");
    /// while server.poll_event().unwrap().is_some() {}
    /// server.start_uid_fetch(25996, &[FetchItem::Rfc822Size(5)]).unwrap();
    /// let body = FetchLiteral::BodySection { section: Section::default(), origin: None };
    /// server.start_fetch_literal(&body, 5).unwrap();
    /// server.send_body(b"hello").unwrap();
    /// server.finish_body().unwrap();
    /// server.finish_fetch().unwrap();
    /// let mut out = Vec::new();
    /// while let Some(b) = server.poll_transmit() { out.extend_from_slice(&b); }
    /// assert!(out.ends_with(b"* 25996 UIDFETCH (RFC822.SIZE 5 BODY[] {5}\r\nhello)\r\n"));
    /// ```
    pub fn start_uid_fetch(&mut self, uid: u32, items: &[FetchItem<'_>]) -> Result<(), Error> {
        self.check()?;
        if self.fetch.is_some() {
            return Err(Error::Misuse(crate::error::ApiMisuse::FetchOpen));
        }
        if !self.is_enabled(crate::imap::ext::uidonly::CAPABILITY) {
            return Err(Error::Misuse(crate::error::ApiMisuse::WrongState));
        }
        if uid == 0 {
            // uniqueid = nz-number
            return Err(Error::Emit(crate::error::Unemittable::Zero {
                field: "uniqueid",
            }));
        }
        self.open_fetch(uid, b" UIDFETCH (", items)
    }

    /// Writes `* n FETCH (` (or UIDFETCH) and the first items, and opens the
    /// streamed response.
    fn open_fetch(
        &mut self,
        n: u32,
        head: &'static [u8],
        items: &[FetchItem<'_>],
    ) -> Result<(), Error> {
        let opts = self.emit_opts();
        emit_fetch_items_into(&mut self.out, &opts, Some((n, head)), false, items)?;
        self.fetch = Some(FetchOut {
            any_item: !items.is_empty(),
            literal_left: None,
            binary: false,
        });
        Ok(())
    }

    /// More inline items of the open FETCH response.
    pub fn fetch_items(&mut self, items: &[FetchItem<'_>]) -> Result<(), Error> {
        self.check()?;
        let Some(f) = self.fetch else {
            return Err(Error::Misuse(crate::error::ApiMisuse::NoFetch));
        };
        if f.literal_left.is_some() {
            return Err(Error::Misuse(crate::error::ApiMisuse::FetchLiteralOpen));
        }
        if items.is_empty() {
            return Ok(());
        }
        let opts = self.emit_opts();
        emit_fetch_items_into(&mut self.out, &opts, None, f.any_item, items)?;
        self.fetch = Some(FetchOut {
            any_item: true,
            ..f
        });
        Ok(())
    }

    /// Starts a literal value of `size` bytes in the open FETCH response
    /// (`BODY[...] {size}`); send exactly `size` bytes with
    /// [`send_body`](Self::send_body).
    pub fn start_fetch_literal(&mut self, item: &FetchLiteral<'_>, size: u64) -> Result<(), Error> {
        self.check()?;
        let Some(f) = self.fetch else {
            return Err(Error::Misuse(crate::error::ApiMisuse::NoFetch));
        };
        if f.literal_left.is_some() {
            return Err(Error::Misuse(crate::error::ApiMisuse::FetchLiteralOpen));
        }
        let opts = self.emit_opts();
        let mut binary = false;
        emit_into(&mut self.out, opts, true, |w| {
            if f.any_item {
                w.sp();
            }
            let origin = match item {
                FetchLiteral::BodySection { section, origin } => {
                    w.raw(b"BODY");
                    crate::imap::base::fetch::emit::section(w, section)?;
                    *origin
                }
                FetchLiteral::Binary { part, origin } => {
                    w.raw(b"BINARY");
                    crate::imap::base::fetch::emit::part(w, part);
                    binary = true;
                    *origin
                }
                FetchLiteral::Rfc822 => {
                    w.raw(b"RFC822");
                    None
                }
                FetchLiteral::Rfc822Header => {
                    w.raw(b"RFC822.HEADER");
                    None
                }
                FetchLiteral::Rfc822Text => {
                    w.raw(b"RFC822.TEXT");
                    None
                }
            };
            if let Some(o) = origin {
                w.raw(b"<");
                w.num(u64::from(o));
                w.raw(b">");
            }
            w.raw(if binary { b" ~{" } else { b" {" });
            w.num(size);
            w.raw(b"}\r\n");
            Ok(())
        })?;
        self.fetch = Some(FetchOut {
            any_item: true,
            literal_left: (size > 0).then_some(size),
            binary,
        });
        Ok(())
    }

    /// `[UNSEEN n]` names a message by sequence number: not once UIDONLY is
    /// enabled (RFC 9586: "Message numbers are not returned in responses").
    fn check_uid_only_code(&self, code: Option<&Code<'_>>) -> Result<(), Error> {
        if matches!(code, Some(Code::Unseen(_)))
            && self.is_enabled(crate::imap::ext::uidonly::CAPABILITY)
        {
            return Err(Error::Misuse(crate::error::ApiMisuse::UidRequired));
        }
        Ok(())
    }

    /// The next bytes of the open FETCH literal. [`Error::Emit`] (nothing
    /// sent) for more bytes than announced, or NUL outside `BINARY`.
    pub fn send_body(&mut self, chunk: &[u8]) -> Result<(), Error> {
        self.check()?;
        let Some(FetchOut {
            literal_left: Some(left),
            binary,
            ..
        }) = self.fetch
        else {
            return Err(Error::Misuse(crate::error::ApiMisuse::NoFetchLiteral));
        };
        if chunk.len() as u64 > left {
            return Err(Error::Emit(crate::error::Unemittable::LiteralOverrun));
        }
        if !binary && memchr::memchr(0, chunk).is_some() {
            return Err(Error::Emit(crate::error::Unemittable::NulNeedsBinary));
        }
        self.out.extend_from_slice(chunk);
        if let Some(f) = &mut self.fetch {
            let left = left - chunk.len() as u64;
            f.literal_left = (left > 0).then_some(left);
        }
        Ok(())
    }

    /// Ends the body sent with [`send_body`](Self::send_body):
    /// the literal's announced size fixes its end, so nothing is sent; this
    /// checks that every announced byte went out ([`Error::Misuse`] if not, or
    /// if no FETCH response is open). The same verb pair as the other
    /// machines that stream a body (crate docs, "Vocabulary").
    pub fn finish_body(&mut self) -> Result<(), Error> {
        self.check()?;
        match self.fetch {
            None => Err(Error::Misuse(crate::error::ApiMisuse::NoFetch)),
            Some(f) if f.literal_left.is_some() => Err(Error::Misuse(
                crate::error::ApiMisuse::FetchLiteralIncomplete,
            )),
            Some(_) => Ok(()),
        }
    }

    /// Closes the open FETCH response (`)` CRLF); its literal must be complete.
    pub fn finish_fetch(&mut self) -> Result<(), Error> {
        self.check()?;
        let Some(f) = self.fetch else {
            return Err(Error::Misuse(crate::error::ApiMisuse::NoFetch));
        };
        if f.literal_left.is_some() {
            return Err(Error::Misuse(
                crate::error::ApiMisuse::FetchLiteralIncomplete,
            ));
        }
        self.out.extend_from_slice(b")\r\n");
        self.fetch = None;
        Ok(())
    }

    /// The TLS handshake after [`ServerEvent::StartTls`] succeeded. The client
    /// starts over (RFC 9051 §6.2.1): what it enabled is forgotten and the
    /// capabilities change (no STARTTLS; LOGIN allowed).
    pub fn tls_established(&mut self) -> Result<(), Error> {
        self.check()?;
        if self.read != Read::Tls {
            return Err(Error::Misuse(crate::error::ApiMisuse::NoTlsPending));
        }
        self.read = Read::Frame;
        self.tls_active = true;
        self.enabled.clear();
        self.input.discard();
        self.scan = Scan::default();
        self.finder.reset();
        Ok(())
    }

    /// DEFLATE is in place after [`ServerEvent::Compress`] (RFC 4978). Returns
    /// the bytes that came after the COMPRESS line: they are compressed (a
    /// client that waited for the OK, as RFC 4978 §3 requires, sent none);
    /// inflate them and feed the result to [`handle_input`](Self::handle_input).
    ///
    /// RFC 4978 §3's example, `b compress deflate` / `b OK DEFLATE active`:
    ///
    /// ```
    /// use mailwire::imap::{Server, ServerConfig, ServerEvent};
    /// use mailwire::imap::server::Greeting;
    ///
    /// let config = ServerConfig::default().greeting(Greeting::PreAuth).compress(true);
    /// let mut server = Server::new(config);
    /// while server.poll_transmit().is_some() {}
    /// server.handle_input(b"b compress deflate\r\n");
    /// assert_eq!(server.poll_event().unwrap(), Some(ServerEvent::Compress));
    /// // the OK is the last uncompressed byte
    /// assert_eq!(&server.poll_transmit().unwrap()[..], b"b OK DEFLATE active\r\n");
    /// // <both directions go through DEFLATE now>
    /// assert_eq!(server.compression_established().unwrap(), b"");
    /// assert!(server.is_compressed());
    /// ```
    pub fn compression_established(&mut self) -> Result<Vec<u8>, Error> {
        self.check()?;
        if self.read != Read::Compress {
            return Err(Error::Misuse(crate::error::ApiMisuse::NoCompressionPending));
        }
        self.read = Read::Frame;
        self.compressed = true;
        let rest = self.input.take_unread();
        self.scan = Scan::default();
        self.finder.reset();
        Ok(rest)
    }

    // ---- time ----

    /// When [`handle_timeout`](Self::handle_timeout) should next be called
    /// (the crate's time contract): the autologout deadline, or at once when
    /// the session started or input restarted the timer and the machine needs
    /// the time to count from. `None` when the timer is disabled or the
    /// session is over.
    pub fn poll_timeout(&self) -> Option<Duration> {
        self.idle.deadline(self.is_closed())
    }

    /// Reports the time (since any fixed point the caller chooses). The
    /// autologout timer counts from the first report after the session
    /// started or input arrived. When it expires, `* BYE` is sent and the
    /// session is over (RFC 9051 §5.4).
    ///
    /// ```
    /// use std::time::Duration;
    /// use mailwire::imap::{Server, ServerConfig, ServerState};
    ///
    /// let minutes = |m: u64| Duration::from_secs(60 * m);
    /// let mut server = Server::new(ServerConfig::default().autologout(Some(minutes(30))));
    /// server.poll_transmit(); // the greeting
    /// assert_eq!(server.poll_timeout(), Some(Duration::ZERO)); // "what time is it?"
    /// server.handle_timeout(minutes(5));
    /// assert_eq!(server.poll_timeout(), Some(minutes(35)));
    /// server.handle_timeout(minutes(35));
    /// // RFC 9051 §7.1.5: S: * BYE Autologout; idle for too long
    /// assert_eq!(&server.poll_transmit().unwrap()[..], b"* BYE autologout; idle for too long\r\n");
    /// assert_eq!(server.state(), ServerState::Logout);
    /// assert_eq!(server.poll_timeout(), None);
    /// ```
    pub fn handle_timeout(&mut self, now: Duration) {
        if self.idle.expired(now, self.is_closed()) {
            if self.fetch.is_none() {
                self.status(None, StatusKind::Bye, None, "autologout; idle for too long");
            }
            self.phase = ServerState::Logout;
            self.settle_charge();
        }
    }
}

impl Drop for Server {
    /// Gives back what the session holds of the shared budget.
    fn drop(&mut self) {
        self.charge_to(0);
    }
}

connection_by_inherent_methods!(Server);
