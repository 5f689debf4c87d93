//! Corrections and withdrawals of recorded consultations, medication reviews and care
//! events. A record is never silently overwritten: a correction keeps the version before
//! it here (as the application wrote it, JSON) with who, when and why; a withdrawal marks
//! the record withdrawn (`withdrawn_at`) and is kept here likewise. Withdrawn records are
//! left out of every count, the worklist and the figures.

use crate::change::Change;
use crate::convert::{all, timestamp};
use crate::{now_timestamp, Db, StoreError, StoreResult};

/// The kinds of record that can be corrected or withdrawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    Consultation,
    MedicationReview,
    CareEvent,
}

impl RecordKind {
    pub fn code(self) -> &'static str {
        match self {
            RecordKind::Consultation => "consultation",
            RecordKind::MedicationReview => "medication_review",
            RecordKind::CareEvent => "care_event",
        }
    }

    fn table(self) -> &'static str {
        match self {
            RecordKind::Consultation => "so_consultations",
            RecordKind::MedicationReview => "medication_reviews",
            RecordKind::CareEvent => "care_events",
        }
    }
}

/// What was done to a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorrectionAction {
    /// Changed; `previous` is the version before.
    Corrected,
    /// Recorded in error; `previous` is the record as it stood.
    Withdrawn,
}

impl CorrectionAction {
    pub fn code(self) -> &'static str {
        match self {
            CorrectionAction::Corrected => "gecorrigeerd",
            CorrectionAction::Withdrawn => "ingetrokken",
        }
    }
}

/// One correction or withdrawal of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    pub id: i64,
    pub record_kind: String,
    pub record_id: i64,
    /// `gecorrigeerd` or `ingetrokken`.
    pub action: String,
    /// The record before this correction (JSON, as the application wrote it).
    pub previous: String,
    pub reason: String,
    pub by_name: String,
    /// RFC 3339, UTC.
    pub at: String,
}

#[derive(sqlx::FromRow)]
struct CorrectionRow {
    id: i64,
    record_kind: String,
    record_id: i64,
    action: String,
    previous: String,
    reason: String,
    corrected_by_name: String,
    corrected_at: String,
}

impl TryFrom<CorrectionRow> for Correction {
    type Error = StoreError;
    fn try_from(r: CorrectionRow) -> StoreResult<Correction> {
        Ok(Correction {
            id: r.id,
            record_kind: r.record_kind,
            record_id: r.record_id,
            action: r.action,
            previous: r.previous,
            reason: r.reason,
            by_name: r.corrected_by_name,
            at: timestamp("record_corrections.corrected_at", r.corrected_at)?,
        })
    }
}

impl Db {
    /// The corrections and withdrawals of a patient's records of `kind`, oldest first.
    pub async fn corrections(&self, patient_id: i64, kind: RecordKind) -> StoreResult<Vec<Correction>> {
        let rows = sqlx::query_as::<_, CorrectionRow>(
            "SELECT id, record_kind, record_id, action, previous, reason, corrected_by_name, corrected_at \
             FROM record_corrections WHERE patient_id = $1 AND record_kind = $2 ORDER BY id",
        )
        .bind(patient_id)
        .bind(kind.code())
        .fetch_all(self.pool())
        .await?;
        all(rows)
    }
}

/// Who corrects, and why.
#[derive(Debug, Clone)]
pub struct CorrectionBy<'a> {
    pub user_id: i64,
    pub user_name: &'a str,
    pub reason: &'a str,
}

impl Change {
    /// Keeps `previous` (the record before the change) with who, when and why. The caller
    /// changes the record in the same change.
    pub async fn keep_previous(
        &mut self,
        patient_id: i64,
        kind: RecordKind,
        record_id: i64,
        action: CorrectionAction,
        previous: &str,
        by: &CorrectionBy<'_>,
    ) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO record_corrections (patient_id, record_kind, record_id, action, previous, reason, corrected_by, corrected_by_name, corrected_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(patient_id)
        .bind(kind.code())
        .bind(record_id)
        .bind(action.code())
        .bind(previous)
        .bind(by.reason)
        .bind(by.user_id)
        .bind(by.user_name)
        .bind(now_timestamp())
        .fetch_one(self.conn())
        .await?)
    }

    /// Withdraws a record (recorded in error), keeping `previous` with who, when and why.
    /// `NotFound` when the patient has no such record or it was withdrawn already.
    pub async fn withdraw_record(
        &mut self,
        patient_id: i64,
        kind: RecordKind,
        record_id: i64,
        previous: &str,
        by: &CorrectionBy<'_>,
    ) -> StoreResult<()> {
        let done = sqlx::query(&format!(
            "UPDATE {} SET withdrawn_at = $1 WHERE id = $2 AND patient_id = $3 AND withdrawn_at IS NULL",
            kind.table()
        ))
        .bind(now_timestamp())
        .bind(record_id)
        .bind(patient_id)
        .execute(self.conn())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        self.keep_previous(patient_id, kind, record_id, CorrectionAction::Withdrawn, previous, by)
            .await?;
        Ok(())
    }
}
