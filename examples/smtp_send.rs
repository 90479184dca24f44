//! Sends one message through a submission server with STARTTLS and AUTH, and prints the final reply.
//!
//! `cargo run --example smtp_send -- HOST:PORT USER PASSWORD CA.pem FROM TO`: STARTTLS is required and
//! the server is verified against the CA file. The I/O loop is `examples/driver/mod.rs`, a file to copy.

mod driver;

use driver::Driver;
use mailwire::smtp::{Submission, SubmissionConfig, SubmissionEvent};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [addr, user, password, ca, from, to] = &args[..] else {
        return Err("usage: smtp_send HOST:PORT USER PASSWORD CA.pem FROM TO".into());
    };
    let config = SubmissionConfig::new("localhost").credentials(user, password);
    let mut d = Driver::connect(addr, Submission::new(config)).await?;
    let message =
        format!("From: <{from}>\r\nTo: <{to}>\r\nSubject: Hello\r\n\r\nHello from mailwire.\r\n");
    d.conn.submit(from, &[to], message)?;
    d.conn.quit_when_done();
    while d.step().await? {
        while let Some(event) = d.conn.poll_event()? {
            match event {
                SubmissionEvent::StartTls => {
                    let host = addr.rsplit_once(':').map_or(&addr[..], |(host, _)| host);
                    d.start_tls_client(driver::trusting(ca.as_ref())?, host)
                        .await?;
                    d.conn.tls_established()?;
                }
                SubmissionEvent::Sent { reply, .. } => println!("{reply}"),
                SubmissionEvent::Failed { reply, reason, .. } => {
                    return Err(format!("{reason}: {reply:?}").into());
                }
                _ => {}
            }
        }
    }
    Ok(())
}
