//! `Connection::memory_usage` for the six machines: it counts the machine
//! itself and grows with what the peer made it buffer (a long partial line
//! is held until its end arrives), and an empty machine holds little.

use mailwire::Connection;

/// Feeds 3 000 bytes of an unfinished line; the report must cover them.
fn check(name: &str, mut machine: impl Connection) {
    let fresh = machine.memory_usage();
    assert!(
        fresh >= size_of_val(&machine),
        "{name}: {fresh} < the machine's own size"
    );
    assert!(fresh < 4096, "{name}: a new machine holds {fresh} bytes");
    let line = vec![b'x'; 3000];
    machine.handle_input(&line);
    let buffering = machine.memory_usage();
    assert!(
        buffering >= fresh + line.len(),
        "{name}: {buffering} after buffering {} bytes (fresh {fresh})",
        line.len()
    );
}

#[test]
fn every_machine_reports_its_memory() {
    check(
        "smtp client",
        mailwire::smtp::Client::new(mailwire::smtp::ClientConfig::new("client.example")),
    );
    check(
        "smtp server",
        mailwire::smtp::Server::new(mailwire::smtp::ServerConfig::new("mx.example")),
    );
    check(
        "pop3 client",
        mailwire::pop3::Client::new(mailwire::pop3::ClientConfig::default()),
    );
    check(
        "pop3 server",
        mailwire::pop3::Server::new(mailwire::pop3::ServerConfig::default()),
    );
    check(
        "imap client",
        mailwire::imap::Client::new(mailwire::imap::ClientConfig::default()),
    );
    check(
        "imap server",
        mailwire::imap::Server::new(mailwire::imap::ServerConfig::default()),
    );
}
