//! The person behind a request or a command, and the audit records written in their name.

use kernteam_store::audit::Outcome;
use kernteam_store::care::{AuditEntry, PatientRef};
use kernteam_store::people::User;

use crate::audit::Action;

/// A signed-in user (password and, where required, second factor done), with the client
/// address the request came from. The web's session layer makes one per request; the CLI
/// makes one for the operator's account.
#[derive(Debug, Clone)]
pub struct Actor {
    user: User,
    ip: Option<String>,
    /// The FHIR token the request came with ("token 3 'ECD Wijkzorg'"), named in every
    /// audit record the request writes.
    via: Option<String>,
}

impl Actor {
    pub fn signed_in(user: User, ip: Option<String>) -> Actor {
        Actor { user, ip, via: None }
    }

    /// The account a FHIR bearer token was issued to, calling with that token.
    pub(crate) fn by_token(user: User, ip: Option<String>, token: String) -> Actor {
        Actor {
            user,
            ip,
            via: Some(token),
        }
    }

    pub fn user(&self) -> &User {
        &self.user
    }

    pub fn ip(&self) -> Option<&str> {
        self.ip.as_deref()
    }

    /// The audit record of an allowed action by this actor.
    pub(crate) fn entry(&self, patient: Option<&PatientRef>, action: Action, detail: Option<String>) -> AuditEntry {
        let detail = match (&self.via, detail) {
            (Some(via), Some(d)) => Some(format!("{d} ({via})")),
            (Some(via), None) => Some(via.clone()),
            (None, d) => d,
        };
        AuditEntry {
            user_id: Some(self.user.id),
            username: self.user.username.clone(),
            role: self.user.role.code().to_string(),
            practice_id: patient.map(|p| p.practice_id).or(self.user.practice_id),
            patient_id: patient.map(|p| p.id),
            action: action.label().to_string(),
            detail,
            ip: self.ip.clone(),
            outcome: Outcome::Allowed,
            on_behalf_of: None,
        }
    }

    /// The audit record of a refused attempt by this actor.
    pub(crate) fn refusal(&self, patient: Option<&PatientRef>, action: Action, detail: Option<String>) -> AuditEntry {
        AuditEntry {
            outcome: Outcome::Refused,
            ..self.entry(patient, action, detail)
        }
    }
}
