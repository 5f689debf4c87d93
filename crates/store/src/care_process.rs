//! Aggregate reads for the dashboards' care-process indicators: when each patient of a
//! practice first had a care plan, a PZP, a first point of contact, and every medication
//! review; and a marker that changes with every import and every audited change (for
//! caching computed figures). One query per practice each, the same SQL on both backends.

use chrono::NaiveDate;

use crate::convert::{all, date, timestamp};
use crate::documents::Document;
use crate::{Db, StoreError, StoreResult};

#[derive(sqlx::FromRow)]
struct PatientTimeRow {
    patient_id: i64,
    at: String,
}

#[derive(sqlx::FromRow)]
struct PatientDateRow {
    patient_id: i64,
    on_date: String,
}

impl TryFrom<PatientDateRow> for (i64, NaiveDate) {
    type Error = StoreError;
    fn try_from(r: PatientDateRow) -> StoreResult<(i64, NaiveDate)> {
        Ok((r.patient_id, date("medication_reviews.reviewed_on", &r.on_date)?))
    }
}

/// What changes when the figures may change: the newest snapshot and the audit chain's
/// sequence number (every change is audited).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DataVersion {
    pub latest_snapshot: Option<i64>,
    pub audit_seq: i64,
}

impl Db {
    /// For every patient of the practice with a version of the document: the time of the
    /// first version (RFC 3339, UTC).
    pub async fn practice_first_versions(&self, doc: Document, practice_id: i64) -> StoreResult<Vec<(i64, String)>> {
        let rows = sqlx::query_as::<_, PatientTimeRow>(&format!(
            "SELECT c.patient_id, MIN(c.created_at) AS at FROM {} c JOIN patients p ON p.id = c.patient_id \
             WHERE p.practice_id = $1 GROUP BY c.patient_id ORDER BY c.patient_id",
            doc.table()
        ))
        .bind(practice_id)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| Ok((r.patient_id, timestamp("created_at", r.at)?)))
            .collect()
    }

    /// For every patient of the practice with a first point of contact: when it was set
    /// (only the current one is kept).
    pub async fn practice_first_contact_times(&self, practice_id: i64) -> StoreResult<Vec<(i64, String)>> {
        let rows = sqlx::query_as::<_, PatientTimeRow>(
            "SELECT f.patient_id, f.set_at AS at FROM first_contacts f JOIN patients p ON p.id = f.patient_id \
             WHERE p.practice_id = $1 ORDER BY f.patient_id",
        )
        .bind(practice_id)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| Ok((r.patient_id, timestamp("first_contacts.set_at", r.at)?)))
            .collect()
    }

    /// Every current medication review of the practice's patients: (patient id, date);
    /// withdrawn ones are left out.
    pub async fn practice_medication_review_dates(&self, practice_id: i64) -> StoreResult<Vec<(i64, NaiveDate)>> {
        let rows = sqlx::query_as::<_, PatientDateRow>(
            "SELECT m.patient_id, m.reviewed_on AS on_date FROM medication_reviews m \
             JOIN patients p ON p.id = m.patient_id WHERE p.practice_id = $1 AND m.withdrawn_at IS NULL ORDER BY m.patient_id, m.reviewed_on",
        )
        .bind(practice_id)
        .fetch_all(self.pool())
        .await?;
        all(rows)
    }

    /// The marker of [`DataVersion`], in one round trip.
    pub async fn data_version(&self) -> StoreResult<DataVersion> {
        let (latest_snapshot, audit_seq): (Option<i64>, Option<i64>) =
            sqlx::query_as("SELECT (SELECT MAX(id) FROM snapshots), (SELECT MAX(seq) FROM audit_head)")
                .fetch_one(self.pool())
                .await?;
        Ok(DataVersion {
            latest_snapshot,
            audit_seq: audit_seq.unwrap_or(0),
        })
    }
}
