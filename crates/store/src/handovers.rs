//! Handover summaries as sent (who sent which document to which organisation, and when;
//! the first one meets the event's 24-hour clock) and documents received from the network
//! (a hospital's discharge Bundle) beside the event they recorded.

use crate::change::Change;
use crate::convert::{all, timestamp};
use crate::{now_timestamp, Db, StoreError, StoreResult};

/// A handover as recorded. `organisation_id` and `document` are absent only for a record
/// of the old tick box (before migration 0019): sent, but without document or recipient.
#[derive(Debug, Clone, PartialEq)]
pub struct HandoverRecord {
    pub id: i64,
    pub patient_id: i64,
    pub event_id: i64,
    pub organisation_id: Option<i64>,
    pub organisation_name: Option<String>,
    /// RFC 3339, UTC.
    pub sent_at: String,
    pub sent_by: Option<i64>,
    pub sent_by_name: Option<String>,
    /// Whether the record holds its document (read it with [`Db::handover_document`]).
    pub has_document: bool,
}

#[derive(sqlx::FromRow)]
struct HandoverRow {
    id: i64,
    patient_id: i64,
    event_id: i64,
    organisation_id: Option<i64>,
    organisation_name: Option<String>,
    sent_at: String,
    sent_by: Option<i64>,
    sent_by_name: Option<String>,
    has_document: i64,
}

impl TryFrom<HandoverRow> for HandoverRecord {
    type Error = StoreError;
    fn try_from(r: HandoverRow) -> StoreResult<HandoverRecord> {
        Ok(HandoverRecord {
            id: r.id,
            patient_id: r.patient_id,
            event_id: r.event_id,
            organisation_id: r.organisation_id,
            organisation_name: r.organisation_name,
            sent_at: timestamp("handovers.sent_at", r.sent_at)?,
            sent_by: r.sent_by,
            sent_by_name: r.sent_by_name,
            has_document: r.has_document != 0,
        })
    }
}

const HANDOVER_SELECT: &str = "SELECT h.id, h.patient_id, h.event_id, h.organisation_id, o.name AS organisation_name, \
     h.sent_at, h.sent_by, u.display_name AS sent_by_name, \
     CASE WHEN h.document IS NULL THEN 0 ELSE 1 END AS has_document \
     FROM handovers h LEFT JOIN organisations o ON o.id = h.organisation_id LEFT JOIN users u ON u.id = h.sent_by";

/// A document received from the network, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedDocument {
    pub id: i64,
    pub patient_id: i64,
    pub event_id: i64,
    pub source: String,
    pub received_at: String,
    pub received_by: i64,
}

#[derive(sqlx::FromRow)]
struct ReceivedRow {
    id: i64,
    patient_id: i64,
    event_id: i64,
    source: String,
    received_at: String,
    received_by: i64,
}

impl Db {
    /// The patient's handovers, oldest first.
    pub async fn handovers(&self, patient_id: i64) -> StoreResult<Vec<HandoverRecord>> {
        let rows = sqlx::query_as::<_, HandoverRow>(&format!(
            "{HANDOVER_SELECT} WHERE h.patient_id = $1 ORDER BY h.sent_at, h.id"
        ))
        .bind(patient_id)
        .fetch_all(self.pool())
        .await?;
        all(rows)
    }

    /// One handover; `NotFound` when there is none with this id.
    pub async fn handover(&self, id: i64) -> StoreResult<HandoverRecord> {
        let row = sqlx::query_as::<_, HandoverRow>(&format!("{HANDOVER_SELECT} WHERE h.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        row.try_into()
    }

    /// The document of a handover as sent (a FHIR Bundle as JSON); `None` for a record of
    /// the old tick box.
    pub async fn handover_document(&self, id: i64) -> StoreResult<Option<String>> {
        let doc: Option<Option<String>> = sqlx::query_scalar("SELECT document FROM handovers WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        doc.ok_or(StoreError::NotFound)
    }

    /// The documents received for a patient, oldest first.
    pub async fn received_documents(&self, patient_id: i64) -> StoreResult<Vec<ReceivedDocument>> {
        let rows = sqlx::query_as::<_, ReceivedRow>(
            "SELECT id, patient_id, event_id, source, received_at, received_by FROM received_documents \
             WHERE patient_id = $1 ORDER BY received_at, id",
        )
        .bind(patient_id)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(ReceivedDocument {
                    id: r.id,
                    patient_id: r.patient_id,
                    event_id: r.event_id,
                    source: r.source,
                    received_at: timestamp("received_documents.received_at", r.received_at)?,
                    received_by: r.received_by,
                })
            })
            .collect()
    }
}

impl Change {
    /// Records a handover sent to an organisation at `sent_at` (RFC 3339) by `by`, without
    /// its document yet (its id names the document: see [`Change::set_handover_document`]).
    pub async fn add_handover(
        &mut self,
        patient_id: i64,
        event_id: i64,
        organisation_id: i64,
        sent_at: &str,
        by: i64,
    ) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO handovers (patient_id, event_id, organisation_id, sent_at, sent_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(patient_id)
        .bind(event_id)
        .bind(organisation_id)
        .bind(sent_at)
        .bind(by)
        .bind(now_timestamp())
        .fetch_one(self.conn())
        .await?)
    }

    /// Stores the document of a handover (once: a sent document is never changed).
    pub async fn set_handover_document(&mut self, id: i64, document: &str) -> StoreResult<()> {
        let done = sqlx::query("UPDATE handovers SET document = $1 WHERE id = $2 AND document IS NULL")
            .bind(document)
            .bind(id)
            .execute(self.conn())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Keeps a document received from the network beside the event it recorded.
    pub async fn add_received_document(
        &mut self,
        patient_id: i64,
        event_id: i64,
        source: &str,
        document: &str,
        by: i64,
    ) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO received_documents (patient_id, event_id, source, received_at, received_by, document) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(patient_id)
        .bind(event_id)
        .bind(source)
        .bind(now_timestamp())
        .bind(by)
        .bind(document)
        .fetch_one(self.conn())
        .await?)
    }
}

impl Db {
    /// The patients whose practice's latest extract gives them this BSN (to match a
    /// document received from the network; the gate then decides who may record it).
    pub async fn patients_with_bsn(&self, bsn: &str) -> StoreResult<Vec<i64>> {
        let candidates = sqlx::query_as::<_, crate::patients::PatientRow>(
            // Practice by practice: the BSN index leads with the practice (migration 0023).
            "SELECT id, practice_id, his_id FROM patients \
             WHERE practice_id IN (SELECT id FROM practices) AND bsn = $1 ORDER BY id",
        )
        .bind(bsn)
        .fetch_all(self.pool())
        .await?;
        self.confirmed_bsn(candidates, bsn).await
    }
}
