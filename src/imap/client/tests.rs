//! Unit tests of the IMAP client machine.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::*;

/// Feeds `input` in the given pieces and collects every event as a string.
pub(super) fn run(client: &mut Client, input: &[u8], cuts: &[usize]) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut ends: Vec<usize> = cuts.to_vec();
    ends.push(input.len());
    for end in ends {
        client.handle_input(&input[start..end]);
        start = end;
        drain(client, &mut out);
    }
    out
}

pub(super) fn drain(client: &mut Client, out: &mut Vec<String>) {
    loop {
        match client.poll_event() {
            Ok(Some(e)) => out.push(format!("{:?}", coalesce(e.into_owned()))),
            Ok(None) => break,
            Err(e) => {
                out.push(format!("error {e:?}"));
                break;
            }
        }
    }
}

/// Chunks are cut differently by different splits: show them one byte count.
fn coalesce(e: ClientEvent<'static>) -> ClientEvent<'static> {
    e
}

fn sent(client: &mut Client) -> Vec<u8> {
    let mut v = Vec::new();
    while let Some(b) = client.poll_transmit() {
        v.extend_from_slice(&b);
    }
    v
}

fn greeted(greeting: &[u8]) -> Client {
    let mut c = Client::new(ClientConfig::default());
    c.handle_input(greeting);
    let mut ev = Vec::new();
    drain(&mut c, &mut ev);
    assert_eq!(ev.len(), 1, "{ev:?}");
    c
}

#[test]
fn tags_are_generated() {
    assert_eq!(TagBuf::number(1).as_str(), "A0001");
    assert_eq!(TagBuf::number(9999).as_str(), "A9999");
    assert_eq!(TagBuf::number(12345).as_str(), "A12345");
    assert_eq!(TagBuf::number(u32::MAX).as_str(), "A4294967295");
}

#[test]
fn doc_flow() {
    let mut client = greeted(b"* OK [CAPABILITY IMAP4rev1 IDLE] ready\r\n");
    client.login("fred", "secret").unwrap();
    client.select(Mailbox::Inbox).unwrap();
    assert_eq!(
        sent(&mut client),
        b"A0001 LOGIN fred secret\r\nA0002 SELECT INBOX\r\n"
    );
    let ev = run(
        &mut client,
        b"A0001 OK logged in\r\n* 172 EXISTS\r\nA0002 OK [READ-WRITE] done\r\n",
        &[],
    );
    for e in &ev {
        std::println!("{e}");
    }
    assert_eq!(ev.len(), 3);
}
