//! Sign-in with a code sent by e-mail, for a portal account that has an e-mail address,
//! where an SMTP server is configured: chosen instead of an authenticator app when the
//! second factor is set up. A code has six digits, is valid ten minutes and once, and a
//! new one makes the older ones useless; at most one a minute and five an hour per
//! account; wrong codes count towards the account's lockout like wrong TOTP codes (the
//! web's second-factor page counts them). Only the code's hash is kept; every code sent
//! is audited (never the code).

use chrono::Duration;
use kernteam_store::audit::Outcome;
use kernteam_store::care::AuditEntry;
use kernteam_store::people::User;
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::audit::Action;
use crate::error::{Error, Result};
use crate::{mail, Actor, App};

/// How long a code works.
pub const CODE_VALID: Duration = Duration::minutes(10);
/// How long before another code can be sent.
pub const RESEND_AFTER: Duration = Duration::seconds(60);
/// Codes per account per hour.
pub const MAX_PER_HOUR: i64 = 5;

/// What asking for a code did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeSent {
    /// Queued for this (masked) address.
    Sent(String),
    /// The last code is less than a minute old: no new one.
    TooSoon,
    /// Five codes in the last hour: no new one.
    TooMany,
    /// No SMTP server, no e-mail address, or not a portal account.
    Unavailable,
}

fn hash(user_id: i64, code: &str) -> String {
    let digits: String = code.chars().filter(|c| c.is_ascii_digit()).collect();
    hex::encode(Sha256::digest(
        format!("kernteam-email-code|{user_id}|{digits}").as_bytes(),
    ))
}

fn stamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The audit record of a step by a user who has given their password, not yet the code.
fn sign_in_entry(
    user: &User,
    ip: Option<String>,
    action: Action,
    detail: Option<String>,
    outcome: Outcome,
) -> AuditEntry {
    AuditEntry {
        user_id: Some(user.id),
        username: user.username.clone(),
        role: user.role.code().into(),
        action: action.label().into(),
        detail,
        ip,
        outcome,
        ..Default::default()
    }
}

impl App {
    /// The e-mail address (masked) that sign-in codes would go to, when sign-in by e-mail
    /// is possible for this user: SMTP configured, a portal account, an address.
    pub async fn email_sign_in_address(&self, user: &User) -> Result<Option<String>> {
        if !self.mail_enabled() || !user.role.is_portal() {
            return Ok(None);
        }
        Ok(self.db.user_email(user.id).await?.map(|e| mail::masked(&e)))
    }

    /// Whether the user signs in with an e-mailed code.
    pub async fn uses_email_sign_in(&self, user: &User) -> Result<bool> {
        Ok(self.db.email_sign_in(user.id).await?)
    }

    /// Sends a new code to the user's address (within the limits), audited.
    pub async fn send_sign_in_code(&self, user: &User, ip: Option<String>) -> Result<CodeSent> {
        let (Some(mailer), Some(to)) = (self.mailer.clone(), self.db.user_email(user.id).await?) else {
            return Ok(CodeSent::Unavailable);
        };
        if !user.role.is_portal() {
            return Ok(CodeSent::Unavailable);
        }
        let now = chrono::Utc::now();
        let (sent, last) = self
            .db
            .email_codes_since(user.id, &stamp(now - Duration::hours(1)))
            .await?;
        let recent = last
            .and_then(|l| chrono::DateTime::parse_from_rfc3339(&l).ok())
            .is_some_and(|l| now.signed_duration_since(l) < RESEND_AFTER);
        let refused = if recent {
            Some((CodeSent::TooSoon, "binnen een minuut"))
        } else if sent >= MAX_PER_HOUR {
            Some((CodeSent::TooMany, "te veel codes in een uur"))
        } else {
            None
        };
        if let Some((answer, why)) = refused {
            self.record(&sign_in_entry(
                user,
                ip,
                Action::SendSignInCode,
                Some(format!("geweigerd: {why}")),
                Outcome::Refused,
            ))
            .await?;
            return Ok(answer);
        }
        let code = format!("{:06}", rand::rng().random_range(0..1_000_000u32));
        let mut ch = self.db.change().await?;
        ch.add_email_code(user.id, &hash(user.id, &code), &stamp(now + CODE_VALID))
            .await?;
        ch.commit(&[sign_in_entry(user, ip, Action::SendSignInCode, None, Outcome::Allowed)])
            .await?;
        mailer.queue(
            &to,
            "Uw inlogcode voor Kernteam",
            format!(
                "Goedendag,\n\nUw inlogcode voor Kernteam is: {code}\n\nDe code werkt {} minuten en maar één keer.\n\n\
                 Probeerde u niet in te loggen? Dan weet iemand anders misschien uw wachtwoord. Bel de praktijk.\n",
                CODE_VALID.num_minutes()
            ),
            "inlogcode",
        );
        Ok(CodeSent::Sent(mail::masked(&to)))
    }

    /// Uses the code if it is the user's newest, unused and not expired; whether it was.
    /// (The caller counts a wrong code towards the lockout.)
    pub async fn check_sign_in_code(&self, user: &User, code: &str) -> Result<bool> {
        let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() != 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(false);
        }
        Ok(self.db.use_email_code(user.id, &hash(user.id, &digits)).await?)
    }

    /// Sets up sign-in by e-mailed code as the user's second factor, with the code just
    /// sent (which proves the address reaches them); whether the code was right. Only
    /// where no authenticator app is set up.
    pub async fn confirm_email_sign_in(&self, user: &User, code: &str, ip: Option<String>) -> Result<bool> {
        if self.email_sign_in_address(user).await?.is_none() || self.db.totp_state(user.id).await?.enabled {
            return Err(Error::NotFound);
        }
        if !self.check_sign_in_code(user, code).await? {
            return Ok(false);
        }
        let mut ch = self.db.change().await?;
        ch.set_email_sign_in(user.id, true).await?;
        ch.commit(&[sign_in_entry(
            user,
            ip,
            Action::EnableEmailSignIn,
            None,
            Outcome::Allowed,
        )])
        .await?;
        Ok(true)
    }

    /// The signed-in user sets (or, empty, removes) their own e-mail address, for the
    /// notifications by e-mail. A portal account's address is the practice's to set (it
    /// can carry the sign-in codes): refused for them.
    pub async fn set_own_email(&self, actor: &Actor, email: &str) -> Result<()> {
        let user = actor.user();
        if user.role.is_portal() {
            return Err(Error::NotFound);
        }
        let email = email.trim();
        if !email.is_empty() && !mail::valid_address(email) {
            return Err(Error::invalid(
                "Vul een geldig e-mailadres in, bijvoorbeeld naam@praktijk.nl.",
            ));
        }
        let mut ch = self.db.change().await?;
        ch.set_user_email(user.id, Some(email)).await?;
        ch.commit(&[actor.entry(None, Action::SetEmail, None)]).await?;
        Ok(())
    }

    /// The signed-in user's own e-mail address.
    pub async fn own_email(&self, actor: &Actor) -> Result<Option<String>> {
        Ok(self.db.user_email(actor.user().id).await?)
    }
}
