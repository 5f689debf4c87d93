//! Error policy of the application layer.
//!
//! Use cases return [`Result`]. The web layer maps [`Error`] to HTTP once
//! (`kernteam_web::error`), the CLI to a message and an exit code:
//! - `NotFound`: the thing does not exist, *or the actor may not see it* (whether a patient
//!   exists in another practice is itself patient information). The gate has already
//!   written the refusal to the audit log.
//! - `Forbidden`: the actor may see the thing but not do this with it (refusal audited).
//! - `Invalid`: the input breaks a domain rule; every problem, in Dutch.
//! - `Conflict`: someone else changed it first, or a name is taken.
//! - `Internal`: storage failed or stored data is unreadable; logged, never shown.

use kernteam_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("niet gevonden")]
    NotFound,
    #[error("u heeft geen toestemming voor deze handeling")]
    Forbidden,
    #[error("de invoer klopt niet")]
    Invalid(Vec<String>),
    #[error("{0}")]
    Conflict(String),
    #[error("interne fout: {0}")]
    Internal(#[from] anyhow::Error),
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::Invalid(vec![message.into()])
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Error::NotFound,
            StoreError::Conflict(m) => Error::Conflict(m),
            other => Error::Internal(other.into()),
        }
    }
}

/// `Invalid` with every collected problem, or `Ok` when there are none.
pub fn invalid_unless_empty(errors: Vec<String>) -> Result<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(errors))
    }
}
