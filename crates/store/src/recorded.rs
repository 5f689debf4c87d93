//! What the reports count of the care team's own records (reports.md, "Figures recorded
//! in Kernteam"), read in one go for the whole region or one practice: a report of
//! several periods counts them per period in memory instead of asking the database
//! again for every practice and period (`kernteam_report`).

use chrono::NaiveDate;
use kernteam_domain::care::Decision;

use crate::collaboration::CollaborationEntry;
use crate::convert::{all, date};
use crate::{Db, StoreResult};

/// The rows behind the recorded figures; each carries its practice. Withdrawn
/// consultations and events are left out, as the figures leave them out.
#[derive(Debug, Clone, Default)]
pub struct RecordedRows {
    /// (practice, patient, decision), by decision id.
    pub decisions: Vec<(i64, i64, Decision)>,
    /// (practice, valid from, hours per week), latest `valid_from` first, then latest entry.
    pub poh_o_hours: Vec<(i64, NaiveDate, f64)>,
    /// (practice, date) of every meeting that was held.
    pub held_meetings: Vec<(i64, NaiveDate)>,
    /// (practice, date, funding code) of every SO consultation.
    pub consultations: Vec<(i64, NaiveDate, String)>,
    /// (practice, stored UTC instant, kind code) of every event.
    pub events: Vec<(i64, String, String)>,
    /// Every collaboration entry, by practice, quarter (latest first) and partner.
    pub collaboration: Vec<CollaborationEntry>,
}

#[derive(sqlx::FromRow)]
struct DecisionRow {
    practice_id: i64,
    patient_id: i64,
    id: i64,
    kind: String,
    decided_on: String,
}

impl TryFrom<DecisionRow> for (i64, i64, Decision) {
    type Error = crate::StoreError;
    fn try_from(r: DecisionRow) -> StoreResult<(i64, i64, Decision)> {
        Ok((
            r.practice_id,
            r.patient_id,
            Decision {
                kind: crate::convert::code(
                    "program_decisions.kind",
                    &r.kind,
                    kernteam_domain::care::DecisionKind::from_code,
                )?,
                decided_on: date("program_decisions.decided_on", &r.decided_on)?,
                seq: r.id,
            },
        ))
    }
}

#[derive(sqlx::FromRow)]
struct DatedRow {
    practice_id: i64,
    day: String,
}

#[derive(sqlx::FromRow)]
struct DatedItemRow {
    practice_id: i64,
    day: String,
    item: String,
}

#[derive(sqlx::FromRow)]
struct HoursRow {
    practice_id: i64,
    valid_from: String,
    hours: f64,
}

impl Db {
    /// The recorded rows of one practice (`Some`) or of every practice (`None`).
    pub async fn recorded_rows(&self, practice: Option<i64>) -> StoreResult<RecordedRows> {
        let decisions = sqlx::query_as::<_, DecisionRow>(
            "SELECT p.practice_id, d.patient_id, d.id, d.kind, d.decided_on FROM program_decisions d \
             JOIN patients p ON p.id = d.patient_id WHERE ($1 IS NULL OR p.practice_id = $1) ORDER BY d.id",
        )
        .bind(practice)
        .fetch_all(self.pool())
        .await?;
        let hours = sqlx::query_as::<_, HoursRow>(
            "SELECT practice_id, valid_from, poh_o_hours_per_week AS hours FROM practice_settings \
             WHERE ($1 IS NULL OR practice_id = $1) ORDER BY practice_id, valid_from DESC, id DESC",
        )
        .bind(practice)
        .fetch_all(self.pool())
        .await?;
        let meetings = sqlx::query_as::<_, DatedRow>(
            "SELECT practice_id, meeting_date AS day FROM mdo_meetings \
             WHERE held = 1 AND ($1 IS NULL OR practice_id = $1)",
        )
        .bind(practice)
        .fetch_all(self.pool())
        .await?;
        let consultations = sqlx::query_as::<_, DatedItemRow>(
            "SELECT p.practice_id, c.consulted_on AS day, c.funding AS item FROM so_consultations c \
             JOIN patients p ON p.id = c.patient_id WHERE c.withdrawn_at IS NULL AND ($1 IS NULL OR p.practice_id = $1)",
        )
        .bind(practice)
        .fetch_all(self.pool())
        .await?;
        let events = sqlx::query_as::<_, DatedItemRow>(
            "SELECT p.practice_id, e.occurred_at AS day, e.kind AS item FROM care_events e \
             JOIN patients p ON p.id = e.patient_id WHERE e.withdrawn_at IS NULL AND ($1 IS NULL OR p.practice_id = $1)",
        )
        .bind(practice)
        .fetch_all(self.pool())
        .await?;
        let collaboration = match practice {
            Some(id) => self.practice_collaboration(id).await?,
            None => self.all_collaboration().await?,
        };
        Ok(RecordedRows {
            decisions: all(decisions)?,
            poh_o_hours: hours
                .into_iter()
                .map(|r| {
                    Ok((
                        r.practice_id,
                        date("practice_settings.valid_from", &r.valid_from)?,
                        r.hours,
                    ))
                })
                .collect::<StoreResult<_>>()?,
            held_meetings: meetings
                .into_iter()
                .map(|r| Ok((r.practice_id, date("mdo_meetings.meeting_date", &r.day)?)))
                .collect::<StoreResult<_>>()?,
            consultations: consultations
                .into_iter()
                .map(|r| Ok((r.practice_id, date("so_consultations.consulted_on", &r.day)?, r.item)))
                .collect::<StoreResult<_>>()?,
            events: events.into_iter().map(|r| (r.practice_id, r.day, r.item)).collect(),
            collaboration,
        })
    }
}
