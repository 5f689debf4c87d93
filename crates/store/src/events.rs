//! Care events of a patient (a fall, a hospital admission or discharge, …); their handovers
//! are in [`crate::handovers`].

use crate::change::Change;
use crate::convert::{all, opt_timestamp, timestamp, CountRow};
use crate::{now_timestamp, Db, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq)]
pub struct CareEvent {
    pub id: i64,
    pub patient_id: i64,
    pub kind: String,
    /// RFC 3339, UTC.
    pub occurred_at: String,
    pub notes: Option<String>,
    pub handover_sent_at: Option<String>,
    /// When it was withdrawn (recorded in error); it then no longer counts.
    pub withdrawn_at: Option<String>,
    /// The account that recorded it.
    pub recorded_by: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    id: i64,
    patient_id: i64,
    kind: String,
    occurred_at: String,
    notes: Option<String>,
    handover_sent_at: Option<String>,
    withdrawn_at: Option<String>,
    recorded_by: Option<i64>,
}

impl TryFrom<EventRow> for CareEvent {
    type Error = StoreError;
    fn try_from(r: EventRow) -> StoreResult<CareEvent> {
        Ok(CareEvent {
            id: r.id,
            patient_id: r.patient_id,
            kind: r.kind,
            occurred_at: timestamp("care_events.occurred_at", r.occurred_at)?,
            notes: r.notes,
            handover_sent_at: opt_timestamp("care_events.handover_sent_at", r.handover_sent_at)?,
            withdrawn_at: opt_timestamp("care_events.withdrawn_at", r.withdrawn_at)?,
            recorded_by: r.recorded_by,
        })
    }
}

/// `handover_sent_at` is when the first handover was sent (`crate::handovers`): the record
/// of sending meets the clock (the old tick box's column is no longer read).
const EVENT_COLUMNS: &str = "e.id, e.patient_id, e.kind, e.occurred_at, e.notes, \
     (SELECT MIN(h.sent_at) FROM handovers h WHERE h.event_id = e.id) AS handover_sent_at, e.withdrawn_at, e.recorded_by";

impl Db {
    pub async fn events(&self, patient_id: i64) -> StoreResult<Vec<CareEvent>> {
        let rows = sqlx::query_as::<_, EventRow>(&format!(
            "SELECT {EVENT_COLUMNS} FROM care_events e WHERE e.patient_id = $1 ORDER BY e.occurred_at DESC, e.id DESC"
        ))
        .bind(patient_id)
        .fetch_all(self.pool())
        .await?;
        all(rows)
    }

    /// Current events of a practice's patients since `from` (RFC 3339 or a date); withdrawn
    /// ones are left out.
    pub async fn practice_events(&self, practice_id: i64, from: &str) -> StoreResult<Vec<CareEvent>> {
        let rows = sqlx::query_as::<_, EventRow>(&format!(
            "SELECT {EVENT_COLUMNS} FROM care_events e \
             JOIN patients p ON p.id = e.patient_id WHERE p.practice_id = $1 AND e.occurred_at >= $2 \
             AND e.withdrawn_at IS NULL ORDER BY e.occurred_at DESC, e.id DESC"
        ))
        .bind(practice_id)
        .bind(from)
        .fetch_all(self.pool())
        .await?;
        all(rows)
    }

    /// Events of a practice's patients per kind with `occurred_at` in `from..until`
    /// (RFC 3339 instants in UTC, as stored); withdrawn ones do not count.
    pub async fn event_counts(&self, practice_id: i64, from: &str, until: &str) -> StoreResult<Vec<(String, u64)>> {
        let rows = sqlx::query_as::<_, CountRow>(
            "SELECT e.kind AS item, COUNT(*) AS n FROM care_events e JOIN patients p ON p.id = e.patient_id \
             WHERE p.practice_id = $1 AND e.occurred_at >= $2 AND e.occurred_at < $3 AND e.withdrawn_at IS NULL \
             GROUP BY e.kind",
        )
        .bind(practice_id)
        .bind(from)
        .bind(until)
        .fetch_all(self.pool())
        .await?;
        CountRow::all(rows)
    }

    /// The events a practice's worklist needs: those at or after `since` (RFC 3339), and
    /// older ones of the `handover_kinds` whose handover was never sent. Newest first;
    /// withdrawn events are left out.
    pub async fn practice_worklist_events(
        &self,
        practice_id: i64,
        since: &str,
        handover_kinds: &[&str],
    ) -> StoreResult<Vec<CareEvent>> {
        let kinds = (0..handover_kinds.len())
            .map(|i| format!("${}", i + 3))
            .collect::<Vec<_>>()
            .join(", ");
        let unsent = if handover_kinds.is_empty() {
            String::new()
        } else {
            format!(" OR (NOT EXISTS (SELECT 1 FROM handovers h WHERE h.event_id = e.id) AND e.kind IN ({kinds}))")
        };
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM care_events e \
             JOIN patients p ON p.id = e.patient_id WHERE p.practice_id = $1 AND e.withdrawn_at IS NULL \
             AND (e.occurred_at >= $2{unsent}) \
             ORDER BY e.occurred_at DESC, e.id DESC"
        );
        let mut q = sqlx::query_as::<_, EventRow>(&sql).bind(practice_id).bind(since);
        for k in handover_kinds {
            q = q.bind(*k);
        }
        all(q.fetch_all(self.pool()).await?)
    }
}

impl Change {
    pub async fn add_event(
        &mut self,
        patient_id: i64,
        kind: &str,
        occurred_at: &str,
        notes: Option<&str>,
        by: i64,
    ) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO care_events (patient_id, kind, occurred_at, notes, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(patient_id)
        .bind(kind)
        .bind(occurred_at)
        .bind(notes)
        .bind(by)
        .bind(now_timestamp())
        .fetch_one(self.conn())
        .await?)
    }

    /// Replaces an event's kind, time and notes (the caller keeps the version before: see
    /// [`Change::keep_previous`]). `NotFound` when the patient has no such current event.
    pub async fn update_event(
        &mut self,
        patient_id: i64,
        event_id: i64,
        kind: &str,
        occurred_at: &str,
        notes: Option<&str>,
    ) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE care_events SET kind = $1, occurred_at = $2, notes = $3 \
             WHERE id = $4 AND patient_id = $5 AND withdrawn_at IS NULL",
        )
        .bind(kind)
        .bind(occurred_at)
        .bind(notes)
        .bind(event_id)
        .bind(patient_id)
        .execute(self.conn())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
