//! An SMTP server that accepts mail for one domain, refuses other recipients at RCPT and keeps the
//! messages in memory (printing a line for each).
//!
//! `cargo run --example smtp_inbox -- 127.0.0.1:2525 example.org`. The I/O loop is
//! `examples/driver/mod.rs`, a file to copy.

mod driver;

use mailwire::smtp::{Receiver, ReceiverEvent, ServerConfig};
use std::sync::{Arc, Mutex};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let listener = tokio::net::TcpListener::bind(&args[1]).await?;
    let inbox = Arc::new(Mutex::new(Vec::new()));
    loop {
        let (tcp, _) = listener.accept().await?;
        let (inbox, domain) = (inbox.clone(), args[2].clone());
        tokio::spawn(async move {
            let mut d =
                driver::Driver::new(Receiver::new(ServerConfig::new("localhost"), [domain]), tcp);
            while d.step().await? {
                while let Some(ReceiverEvent::Message(m)) = d.conn.poll_event()? {
                    println!("message from {} to {} recipient(s)", m.from, m.to.len());
                    inbox.lock().unwrap().push(m);
                }
            }
            Ok::<_, std::io::Error>(())
        });
    }
}
