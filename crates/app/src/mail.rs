//! E-mail where an SMTP server is configured (`--smtp-url`, `--smtp-from`): content-free
//! notifications ("Er is een nieuw bericht in Kernteam", never a patient's data) and the
//! codes of sign-in by e-mail. Sending never holds up or fails the request that caused
//! it: messages go to a queue that one task empties; a failure is logged (without the
//! address) and dropped. Without SMTP settings there is no [`Mailer`] and nothing is sent.

use std::time::Duration;

use anyhow::Context;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::sync::mpsc;

/// The subject of every notification e-mail.
pub const NOTICE_SUBJECT: &str = "Er is een nieuw bericht in Kernteam";
/// The body of every notification e-mail: no patient, no name, no link to a record.
pub const NOTICE_BODY: &str = "Goedendag,\n\nEr is een nieuw bericht voor u in Kernteam. Log in om het te lezen.\n\n\
In deze e-mail staan geen gegevens over patiënten. Deze e-mail is automatisch verstuurd; u kunt er niet op antwoorden.\n";

/// How many e-mails may wait; beyond that new ones are dropped (and logged).
const QUEUE: usize = 1000;

struct Outgoing {
    to: Mailbox,
    subject: String,
    body: String,
    /// What it is, for the log ("melding", "inlogcode").
    what: &'static str,
}

/// The queue to the SMTP server.
#[derive(Clone)]
pub struct Mailer {
    tx: mpsc::Sender<Outgoing>,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Mailer")
    }
}

/// Whether `email` is an address we can send to (checked before it is stored).
pub fn valid_address(email: &str) -> bool {
    email.len() <= 254 && email.parse::<Address>().is_ok()
}

/// An address shown to its owner without giving it away to a bystander: `j***@example.nl`.
pub fn masked(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".into(),
    }
}

impl Mailer {
    /// Checks the settings and starts the sending task (on the current tokio runtime).
    /// `url`: `smtp://host:port` (no TLS: only for a relay on the same host or network),
    /// `smtp://host:587?tls=required` (STARTTLS), `smtps://user:pass@host` (TLS); `from`:
    /// the sender, `Kernteam <kernteam@praktijk.nl>` or a plain address.
    pub fn start(url: &str, from: &str) -> anyhow::Result<Mailer> {
        let from: Mailbox = from
            .parse()
            .context("--smtp-from is not an e-mail address (e.g. \"Kernteam <kernteam@praktijk.nl>\")")?;
        // The URL may hold a password: never in an error message.
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|_| anyhow::anyhow!("--smtp-url is not an SMTP URL (smtp://host:port or smtps://user:pass@host)"))?
            .timeout(Some(Duration::from_secs(30)))
            .build();
        let (tx, mut rx) = mpsc::channel::<Outgoing>(QUEUE);
        tokio::spawn(async move {
            while let Some(o) = rx.recv().await {
                // Quoted-printable: readable text in any mail client, 7-bit safe everywhere.
                let body = match Body::new_with_encoding(o.body, ContentTransferEncoding::QuotedPrintable) {
                    Ok(b) => b,
                    Err(_) => {
                        tracing::warn!(what = o.what, "e-mail not built: body not encodable");
                        continue;
                    }
                };
                let message = Message::builder()
                    .from(from.clone())
                    .to(o.to)
                    .subject(o.subject)
                    .header(ContentType::TEXT_PLAIN)
                    .body(body);
                let message = match message {
                    Ok(m) => m,
                    Err(e) => {
                        tracing::warn!(what = o.what, "e-mail not built: {e}");
                        continue;
                    }
                };
                match transport.send(message).await {
                    Ok(_) => tracing::debug!(what = o.what, "e-mail sent"),
                    Err(e) => tracing::warn!(what = o.what, "e-mail not sent: {e}"),
                }
            }
        });
        Ok(Mailer { tx })
    }

    /// Puts an e-mail in the queue; never waits. A bad address or a full queue is logged.
    pub(crate) fn queue(&self, to: &str, subject: &str, body: String, what: &'static str) {
        let Ok(to) = to.parse::<Mailbox>() else {
            tracing::warn!(what, "e-mail not sent: the stored address is not valid");
            return;
        };
        let out = Outgoing {
            to,
            subject: subject.to_string(),
            body,
            what,
        };
        if self.tx.try_send(out).is_err() {
            tracing::warn!(what, "e-mail not sent: the queue is full");
        }
    }
}
