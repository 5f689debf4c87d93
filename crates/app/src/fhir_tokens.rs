//! Bearer tokens of the FHIR API, for a partner's system acting as a named account:
//! issued and revoked on the command line (audited under the operator), every use
//! audited under the account. Only the SHA-256 of a token is stored; the token is shown
//! once, when it is issued.

use kernteam_store::fhir_tokens::FhirToken;
use kernteam_store::people::User;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::audit::Action;
use crate::error::{Error, Result};
use crate::gate::Operator;
use crate::{Actor, App};

/// What a token starts with, so that one found in a log or a config file is recognised.
pub const TOKEN_PREFIX: &str = "kt_fhir_";

/// A token just issued: the only time the token itself is known.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub id: i64,
    pub token: String,
    pub user: User,
    pub label: String,
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{TOKEN_PREFIX}{}", hex::encode(bytes))
}

impl App {
    /// Issues a token for the account `username` (active, of a role that sees patient
    /// data) under `label` (e.g. the partner system's name).
    pub async fn issue_fhir_token(&self, op: &Operator, username: &str, label: &str) -> Result<IssuedToken> {
        let label = label.trim();
        if label.is_empty() || label.chars().count() > 200 {
            return Err(Error::invalid("Geef het token een naam van 1 tot 200 tekens (--name)."));
        }
        let user = self
            .db
            .users()
            .await?
            .into_iter()
            .find(|u| u.username == username)
            .ok_or_else(|| Error::invalid(format!("Er is geen account '{username}'.")))?;
        if !user.active {
            return Err(Error::invalid(format!("Het account '{username}' is geblokkeerd.")));
        }
        if !user.role.sees_patient_data() {
            return Err(Error::invalid(format!(
                "Het account '{username}' ({}) ziet geen patiëntgegevens; een FHIR-token is voor zorgverleners en netwerkpartners.",
                user.role.label()
            )));
        }
        let token = new_token();
        let mut ch = self.db.change().await?;
        let id = ch
            .add_fhir_token(user.id, label, &token_hash(&token), op.name())
            .await?;
        let detail = format!("token {id} '{label}' voor {}", user.username);
        ch.commit(&[op.entry(user.practice_id, None, Action::IssueFhirToken, Some(detail))])
            .await?;
        Ok(IssuedToken {
            id,
            token,
            user,
            label: label.to_string(),
        })
    }

    /// Revokes a token; its later use is refused (and audited as refused).
    pub async fn revoke_fhir_token(&self, op: &Operator, id: i64) -> Result<FhirToken> {
        let before = self.db.fhir_token(id).await?;
        let mut ch = self.db.change().await?;
        ch.revoke_fhir_token(id).await?;
        let detail = format!("token {id} '{}' van {}", before.label, before.username);
        ch.commit(&[op.entry(None, None, Action::RevokeFhirToken, Some(detail))])
            .await?;
        Ok(self.db.fhir_token(id).await?)
    }

    /// Every token (never the tokens themselves), newest first.
    pub async fn fhir_tokens(&self, _op: &Operator) -> Result<Vec<FhirToken>> {
        Ok(self.db.fhir_tokens().await?)
    }

    /// The account a bearer token acts as; `None` for a token that is unknown, revoked or
    /// whose account is blocked (a revoked or blocked one is audited as refused; an
    /// unknown one names nobody and is not). Every audit record of an allowed request
    /// names the token, and its use is recorded once a minute with its last-use time.
    pub async fn fhir_token_actor(&self, token: &str, ip: Option<String>) -> Result<Option<Actor>> {
        let Some(t) = self.db.fhir_token_by_hash(&token_hash(token)).await? else {
            return Ok(None);
        };
        let user = self.db.user(t.user_id).await?;
        let detail = format!("token {} '{}'", t.id, t.label);
        if t.revoked_at.is_some() || !user.active {
            let why = if t.revoked_at.is_some() {
                "ingetrokken"
            } else {
                "account geblokkeerd"
            };
            let actor = Actor::signed_in(user, ip);
            self.record(&actor.refusal(None, Action::UseFhirToken, Some(format!("{detail} ({why})"))))
                .await?;
            return Ok(None);
        }
        // Every record the request writes names the token; the use itself is recorded
        // (with the token's last use) once a minute, not once per request.
        let actor = Actor::by_token(user, ip, detail);
        let stale = t.last_used_at.as_deref().is_none_or(|at| {
            chrono::DateTime::parse_from_rfc3339(at).map_or(true, |at| {
                chrono::Utc::now().signed_duration_since(at) > chrono::Duration::seconds(60)
            })
        });
        if stale {
            self.record(&actor.entry(None, Action::UseFhirToken, None)).await?;
            self.db.touch_fhir_token(t.id).await?;
        }
        Ok(Some(actor))
    }
}
