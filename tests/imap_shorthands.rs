//! The IMAP client's typed shorthands put on the wire what the RFCs' own
//! examples show (RFC 9051 §6, RFC 3501 §6, RFC 2971, RFC 4315, RFC 6851).
//! Where the RFC quotes a string that is also an atom, the ABNF allows both
//! (`astring = 1*ASTRING-CHAR / string`, RFC 9051 §9), and the test says so.

use mailwire::imap::{
    Client, ClientConfig, Date, FetchAttribute, FetchQuery, Flag, SearchQuery, StatusAttribute,
    StoreKind, Tag,
};

fn ready(caps: &str) -> Client {
    let mut c = Client::new(ClientConfig::default());
    c.handle_input(format!("* OK [CAPABILITY IMAP4rev1 {caps}] hi\r\n").as_bytes());
    while c.poll_event().unwrap().is_some() {}
    let t = c.login("alice", "secret").unwrap();
    assert_eq!(sent(&mut c, &t), "LOGIN alice secret\r\n");
    complete(&mut c, &t);
    c
}

/// The line(s) the client sent for `tag`, without the tag.
fn sent(c: &mut Client, tag: &Tag<'_>) -> String {
    let bytes: Vec<u8> = std::iter::from_fn(|| c.poll_transmit()).flatten().collect();
    let text = String::from_utf8(bytes).unwrap();
    text.strip_prefix(tag.as_str())
        .and_then(|t| t.strip_prefix(' '))
        .unwrap_or_else(|| panic!("{text:?} does not start with {tag:?}"))
        .to_string()
}

fn complete(c: &mut Client, tag: &Tag<'_>) {
    c.handle_input(format!("{} OK done\r\n", tag.as_str()).as_bytes());
    while c.poll_event().unwrap().is_some() {}
}

#[test]
fn mailbox_commands_match_the_rfc_examples() {
    let mut c = ready("NAMESPACE ID");
    // RFC 9051 §6.3.9: `C: A101 LIST "" ""`
    let t = c.list("", "").unwrap();
    assert_eq!(sent(&mut c, &t), "LIST \"\" \"\"\r\n");
    complete(&mut c, &t);
    // RFC 9051 §6.3.9: `C: A202 LIST ~/Mail/ %`
    let t = c.list("~/Mail/", "%").unwrap();
    assert_eq!(sent(&mut c, &t), "LIST ~/Mail/ %\r\n");
    complete(&mut c, &t);
    // RFC 3501 §6.3.9: `C: A002 LSUB "#news." "comp.mail.*"`; `#news.` is an
    // atom too (ASTRING-CHAR), and `list-char` allows `*`
    let t = c.lsub("#news.", "comp.mail.*").unwrap();
    assert_eq!(sent(&mut c, &t), "LSUB #news. comp.mail.*\r\n");
    complete(&mut c, &t);
    // RFC 9051 §6.3.11: `C: A042 STATUS blurdybloop (UIDNEXT MESSAGES)`
    let t = c
        .status(
            "blurdybloop",
            &[StatusAttribute::UidNext, StatusAttribute::Messages],
        )
        .unwrap();
    assert_eq!(
        sent(&mut c, &t),
        "STATUS blurdybloop (UIDNEXT MESSAGES)\r\n"
    );
    complete(&mut c, &t);
    // RFC 9051 §6.3.4: `C: A003 CREATE owatagusiam/`
    let t = c.create("owatagusiam/").unwrap();
    assert_eq!(sent(&mut c, &t), "CREATE owatagusiam/\r\n");
    complete(&mut c, &t);
    // RFC 9051 §6.3.5: `C: A683 DELETE blurdybloop`
    let t = c.delete("blurdybloop").unwrap();
    assert_eq!(sent(&mut c, &t), "DELETE blurdybloop\r\n");
    complete(&mut c, &t);
    // RFC 9051 §6.3.6: `C: A683 RENAME blurdybloop sarasoop`
    let t = c.rename("blurdybloop", "sarasoop").unwrap();
    assert_eq!(sent(&mut c, &t), "RENAME blurdybloop sarasoop\r\n");
    complete(&mut c, &t);
    // RFC 9051 §6.3.7: `C: A002 SUBSCRIBE #news.comp.mail.mime`
    let t = c.subscribe("#news.comp.mail.mime").unwrap();
    assert_eq!(sent(&mut c, &t), "SUBSCRIBE #news.comp.mail.mime\r\n");
    complete(&mut c, &t);
    // RFC 9051 §6.3.8: `C: A002 UNSUBSCRIBE #news.comp.mail.mime`
    let t = c.unsubscribe("#news.comp.mail.mime").unwrap();
    assert_eq!(sent(&mut c, &t), "UNSUBSCRIBE #news.comp.mail.mime\r\n");
    complete(&mut c, &t);
    // RFC 9051 §6.3.10: `C: A001 NAMESPACE`
    let t = c.namespace().unwrap();
    assert_eq!(sent(&mut c, &t), "NAMESPACE\r\n");
    complete(&mut c, &t);
    // RFC 2971 §4: `C: a023 ID ("name" "sodr" "version" "19.34" "vendor"
    // "Pink Floyd Music Limited")`: `id-params-list` takes `string`, quoted
    let t = c
        .id(&[
            ("name", "sodr"),
            ("version", "19.34"),
            ("vendor", "Pink Floyd Music Limited"),
        ])
        .unwrap();
    assert_eq!(
        sent(&mut c, &t),
        "ID (\"name\" \"sodr\" \"version\" \"19.34\" \"vendor\" \"Pink Floyd Music Limited\")\r\n"
    );
    complete(&mut c, &t);
    // RFC 2971 §3.1: `id ::= "ID" SPACE id_params_list`, `"(" ... ")" / nil`
    let t = c.id(&[]).unwrap();
    assert_eq!(sent(&mut c, &t), "ID NIL\r\n");
}

#[test]
fn message_commands_match_the_rfc_examples() {
    let mut c = ready("MOVE UIDPLUS");
    let t = c.select("INBOX").unwrap();
    assert_eq!(sent(&mut c, &t), "SELECT INBOX\r\n");
    complete(&mut c, &t);
    // RFC 9051 §6.4.5: `C: A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])`
    // (the shorthand `header_fields` is BODY.PEEK; the RFC's BODY is built
    // from the typed attribute)
    let t = c
        .fetch(
            2..=4,
            &FetchQuery::new().flags().header_fields(&["DATE", "FROM"]),
        )
        .unwrap();
    assert_eq!(
        sent(&mut c, &t),
        "FETCH 2:4 (FLAGS BODY.PEEK[HEADER.FIELDS (DATE FROM)])\r\n"
    );
    complete(&mut c, &t);
    // an empty query is FAST (RFC 9051 §6.4.5: `FLAGS INTERNALDATE RFC822.SIZE`)
    let t = c.uid_fetch(7.., &FetchQuery::new()).unwrap();
    assert_eq!(sent(&mut c, &t), "UID FETCH 7:* FAST\r\n");
    complete(&mut c, &t);
    let t = c
        .fetch(
            "1,3:5",
            &FetchQuery::new()
                .message()
                .attribute(FetchAttribute::InternalDate)
                .size(),
        )
        .unwrap();
    assert_eq!(
        sent(&mut c, &t),
        "FETCH 1,3:5 (BODY.PEEK[] INTERNALDATE RFC822.SIZE)\r\n"
    );
    complete(&mut c, &t);
    // RFC 3501 §6.4.4: `C: A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"`
    // (`Smith` is an astring either way: quoted in the RFC, an atom here)
    let q = SearchQuery::new()
        .flagged()
        .since(Date::new(1994, 2, 1).unwrap())
        .not(SearchQuery::new().from("Smith"));
    let t = c.search(&q).unwrap();
    assert_eq!(
        sent(&mut c, &t),
        "SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM Smith\r\n"
    );
    complete(&mut c, &t);
    // RFC 9051 §6.4.4: `OR SEEN FLAGGED`; a query of several keys inside OR
    // or NOT is parenthesised (`search-key =/ "(" search-key *(SP search-key) ")"`)
    let q = SearchQuery::new().or(
        SearchQuery::new().seen(),
        SearchQuery::new().flagged().larger(1000),
    );
    let t = c.uid_search(&q).unwrap();
    assert_eq!(
        sent(&mut c, &t),
        "UID SEARCH OR SEEN (FLAGGED LARGER 1000)\r\n"
    );
    complete(&mut c, &t);
    // an empty query is ALL
    let t = c.search(&SearchQuery::new()).unwrap();
    assert_eq!(sent(&mut c, &t), "SEARCH ALL\r\n");
    complete(&mut c, &t);
    // non-ASCII text: `SEARCH CHARSET UTF-8 ...` (RFC 3501 §6.4.4; RFC 9051
    // §6.4.4: "US-ASCII and UTF-8 charsets MUST be supported"), sent as a
    // literal since a quoted string is 7-bit
    let t = c.search(&SearchQuery::new().subject("Grüße")).unwrap();
    let line = sent(&mut c, &t);
    assert!(
        line.starts_with("SEARCH CHARSET UTF-8 SUBJECT {7}\r\n"),
        "{line:?}"
    );
    c.handle_input(b"+ go\r\n");
    while c.poll_event().unwrap().is_some() {}
    let rest: Vec<u8> = std::iter::from_fn(|| c.poll_transmit()).flatten().collect();
    assert_eq!(rest, "Grüße\r\n".as_bytes());
    complete(&mut c, &t);
    // RFC 9051 §6.4.6: `C: A003 STORE 2:4 +FLAGS (\Deleted)`
    let t = c.store(2..=4, StoreKind::Add, &[Flag::Deleted]).unwrap();
    assert_eq!(sent(&mut c, &t), "STORE 2:4 +FLAGS (\\Deleted)\r\n");
    complete(&mut c, &t);
    let t = c
        .uid_store(&[9, 11][..], StoreKind::Remove, &[Flag::Seen])
        .unwrap();
    assert_eq!(sent(&mut c, &t), "UID STORE 9,11 -FLAGS (\\Seen)\r\n");
    complete(&mut c, &t);
    // RFC 9051 §6.4.7: `C: A003 COPY 2:4 MEETING`
    let t = c.copy(2..=4, "MEETING").unwrap();
    assert_eq!(sent(&mut c, &t), "COPY 2:4 MEETING\r\n");
    complete(&mut c, &t);
    // RFC 6851 §4.4: `C: a UID MOVE 42:69 foo`
    let t = c.uid_move_messages(42..=69, "foo").unwrap();
    assert_eq!(sent(&mut c, &t), "UID MOVE 42:69 foo\r\n");
    complete(&mut c, &t);
    // RFC 4315 §2.1: `C: A003 UID EXPUNGE 3000:3002`
    let t = c.uid_expunge(3000..=3002).unwrap();
    assert_eq!(sent(&mut c, &t), "UID EXPUNGE 3000:3002\r\n");
    complete(&mut c, &t);
    // RFC 9051 §6.4.3: `C: A202 EXPUNGE`
    let t = c.expunge().unwrap();
    assert_eq!(sent(&mut c, &t), "EXPUNGE\r\n");
}

#[test]
fn append_waits_for_the_continuation() {
    // RFC 9051 §6.3.12: `C: A003 APPEND saved-messages (\Seen) {326}`, then
    // the message after `+` (no LITERAL+ here)
    let mut c = ready("");
    let message = b"Subject: hi\r\n\r\nhello\r\n";
    let t = c.append("saved-messages", &[Flag::Seen], message).unwrap();
    assert_eq!(
        sent(&mut c, &t),
        format!("APPEND saved-messages (\\Seen) {{{}}}\r\n", message.len())
    );
    c.handle_input(b"+ Ready for literal data\r\n");
    while c.poll_event().unwrap().is_some() {}
    let rest: Vec<u8> = std::iter::from_fn(|| c.poll_transmit()).flatten().collect();
    assert_eq!(rest, [&message[..], b"\r\n"].concat());
}

#[test]
fn names_are_utf7_until_utf8_is_enabled() {
    // RFC 3501 §5.1.3: "~peter/mail/台北/日本語" is
    // "~peter/mail/&U,BTFw-/&ZeVnLIqe-"
    let mut c = ready("ENABLE UTF8=ACCEPT");
    let t = c.create("~peter/mail/台北/日本語").unwrap();
    assert_eq!(
        sent(&mut c, &t),
        "CREATE ~peter/mail/&U,BTFw-/&ZeVnLIqe-\r\n"
    );
    complete(&mut c, &t);
    // RFC 5161 §3.1: ENABLE is valid in the authenticated state only
    let t = c.enable(&["UTF8=ACCEPT"]).unwrap();
    sent(&mut c, &t);
    c.handle_input(format!("* ENABLED UTF8=ACCEPT\r\n{} OK\r\n", t.as_str()).as_bytes());
    while c.poll_event().unwrap().is_some() {}
    // RFC 6855 §3: after ENABLE UTF8=ACCEPT, mailbox names are UTF-8
    // (a quoted string may carry UTF-8 there: `quoted =/ DQUOTE *uQUOTED-CHAR DQUOTE`)
    let t = c.create("Entwürfe").unwrap();
    assert_eq!(sent(&mut c, &t), "CREATE \"Entwürfe\"\r\n");
    complete(&mut c, &t);
    // a UTF-8 name with CR LF cannot be quoted: it becomes a literal, so it
    // cannot smuggle a command
    let t = c.create("a\r\nA9 DELETE INBOX").unwrap();
    assert_eq!(sent(&mut c, &t), "CREATE {18}\r\n");
    assert!(c.poll_transmit().is_none());
}

#[test]
fn bad_arguments_are_refused_before_anything_is_sent() {
    let mut c = ready("");
    for r in [
        c.fetch(0, &FetchQuery::new()),
        c.fetch(0..=3, &FetchQuery::new()),
        c.fetch(&[][..], &FetchQuery::new()),
        c.fetch("1:x", &FetchQuery::new()),
        c.fetch("1\r\nA2 LOGOUT", &FetchQuery::new()),
        c.copy(0.., "x"),
    ] {
        assert!(matches!(r, Err(mailwire::Error::Emit(_))), "{r:?}");
    }
    // MOVE and UID EXPUNGE were not advertised (RFC 6851 §3, RFC 4315 §2)
    assert!(matches!(
        c.move_messages(1, "x"),
        Err(mailwire::Error::Misuse(_))
    ));
    assert!(matches!(c.uid_expunge(1), Err(mailwire::Error::Misuse(_))));
    // a mailbox name with CR LF cannot smuggle a command: modified UTF-7
    // encodes every character outside 0x20..0x7e (RFC 3501 §5.1.3)
    let t = c.create("a\r\nA9 DELETE INBOX").unwrap();
    assert_eq!(sent(&mut c, &t), "CREATE \"a&AA0ACg-A9 DELETE INBOX\"\r\n");
}
