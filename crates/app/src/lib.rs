//! Kernteam's application layer: one function per use case (include a patient, save the
//! care plan, record MDO minutes …), free of HTTP, used by the web pages, the JSON API and
//! the command line alike.
//!
//! Every use case takes the token of [`gate`] that proves the actor may do it; a use case
//! that changes data writes its audit record in the same transaction as the change.
//! Input rules live in the domain crate and come back as [`Error::Invalid`].

pub mod accounts;
pub mod actor;
pub mod audit;
pub mod error;
pub mod gate;
pub mod list_search;
pub mod patients;
pub mod practice_list;
pub mod region;
pub mod team;

use kernteam_store::care::AuditEntry;
use kernteam_store::Db;

pub use actor::Actor;
pub use audit::Action;
pub use error::{Error, Result};

/// The application: storage behind the gate.
#[derive(Clone, Debug)]
pub struct App {
    db: Db,
    /// The practice lists per snapshot and the held list searches.
    lists: std::sync::Arc<practice_list::ListCache>,
}

impl App {
    pub fn new(db: Db) -> App {
        App {
            db,
            lists: Default::default(),
        }
    }

    /// The storage, for what is not patient data and has no use case yet (sessions,
    /// credentials). Never for patient records: those go through the gate.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Appends one record to the audit log (committed when this returns).
    pub(crate) async fn record(&self, entry: &AuditEntry) -> Result<()> {
        self.db.audit(entry).await?;
        Ok(())
    }
}

/// Today, in the practice's time zone (the server's).
pub fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}
