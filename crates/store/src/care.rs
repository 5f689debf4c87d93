//! Care records, by the paths callers know: a practice's patients ([`crate::patients`]),
//! program decisions ([`crate::decisions`]), the care team with its first point of contact
//! ([`crate::team`]), the versioned care plan ([`crate::documents`]), a patient's overview
//! ([`crate::summary`]) and the audit log's entries and records.

pub use crate::decisions::*;
pub use crate::documents::CarePlanVersion;
pub use crate::patients::*;
pub use crate::summary::*;
pub use crate::team::*;

use crate::{Db, StoreResult};

#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub user_id: Option<i64>,
    pub username: String,
    pub role: String,
    pub practice_id: Option<i64>,
    pub patient_id: Option<i64>,
    pub action: String,
    pub detail: Option<String>,
    pub ip: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub id: i64,
    pub at: String,
    pub username: String,
    pub role: String,
    pub patient_id: Option<i64>,
    pub action: String,
    pub detail: Option<String>,
    pub ip: Option<String>,
}

impl Db {
    /// A patient's audit trail, newest first.
    pub async fn audit_for_patient(&self, patient_id: i64) -> StoreResult<Vec<AuditRecord>> {
        let filter = crate::audit::AuditFilter {
            patient_id: Some(patient_id),
            ..Default::default()
        };
        let mut records = self.audit_records(&filter).await?;
        records.reverse();
        Ok(records)
    }
}
