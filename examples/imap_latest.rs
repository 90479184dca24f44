//! Logs in, lists the mailboxes, then prints date, sender and subject of the last 10 messages in INBOX.
//!
//! `cargo run --example imap_latest -- HOST:PORT USER PASSWORD [CA.pem]`: with a CA file the session
//! requires STARTTLS and verifies the server against it; without, it stays plain (a loopback test server).
//! With `MAILWIRE_COMPRESS=1` in the environment it turns on COMPRESS=DEFLATE (RFC 4978) after login
//! when the server offers it. The I/O loop is `examples/driver/mod.rs`, a file to copy.

mod driver;

use driver::Driver;
use mailwire::imap::Tag;
use mailwire::imap::{Client, ClientConfig, ClientEvent, Data, FetchItems, FetchQuery, IntoOwned};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Sends a command and steps until it completes; returns the untagged data that came with it.
async fn run(
    d: &mut Driver<Client>,
    send: impl FnOnce(&mut Client) -> std::result::Result<Tag<'static>, mailwire::Error>,
) -> Result<Vec<Data<'static>>> {
    let (tag, mut data) = (send(&mut d.conn)?, Vec::new());
    while d.step().await? {
        while let Some(event) = d.conn.poll_event()? {
            if let Some(outcome) = event.outcome_of(&tag) {
                return Ok(outcome.map(|()| data)?);
            }
            if let ClientEvent::Data { data: item, .. } = event {
                data.push(item.into_owned());
            }
        }
    }
    Err("the server closed the connection".into())
}

#[tokio::main]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [addr, user, password, ca @ ..] = &args[..] else {
        return Err("usage: imap_latest HOST:PORT USER PASSWORD [CA.pem]".into());
    };
    let mut d = Driver::connect(addr, Client::new(ClientConfig::default())).await?;
    run(&mut d, |c| c.noop()).await?; // sent once the greeting is in
    if let [ca] = ca {
        run(&mut d, |c| c.starttls()).await?;
        let host = addr.rsplit_once(':').map_or(&addr[..], |(host, _)| host);
        d.start_tls_client(driver::trusting(ca.as_ref())?, host)
            .await?;
        d.conn.tls_established()?;
    }
    run(&mut d, |c| c.login(user, password)).await?;
    if std::env::var_os("MAILWIRE_COMPRESS").is_some_and(|v| v == "1") && d.compress_imap().await? {
        eprintln!("COMPRESS=DEFLATE on");
    }
    for data in run(&mut d, |c| c.list("", "*")).await? {
        if let Data::List(list) = data {
            println!("mailbox {}", list.mailbox.decode().unwrap_or_default());
        }
    }
    let mut exists = 0;
    for data in run(&mut d, |c| c.select("INBOX")).await? {
        if let Data::Exists(n) = data {
            exists = n;
        }
    }
    if exists > 0 {
        let last_10 = exists.saturating_sub(9).max(1)..=exists;
        for data in run(&mut d, |c| c.fetch(last_10, &FetchQuery::new().envelope())).await? {
            if let Data::Fetch { items, .. } = data {
                let envelope = items.envelope().unwrap_or_default();
                let from = envelope.from.first();
                let from = from.and_then(|a| a.display_name().or(a.email()));
                let text = [envelope.date_text(), from, envelope.subject_text()];
                let [date, from, subject] = text.map(Option::unwrap_or_default);
                println!("{date} | {from} | {subject}");
            }
        }
    }
    run(&mut d, |c| c.logout()).await?;
    while d.step().await? {}
    Ok(())
}
