//! The first point of contact: the current assignment with its evaluation date, and the
//! history of assignments, evaluations and ends (append-only).

use chrono::NaiveDate;
use kernteam_domain::first_contact::{HistoryKind, Outcome};

use crate::change::Change;
use crate::convert::{code, fmt_date, opt_date, timestamp};
use crate::{now_timestamp, Db, StoreError, StoreResult};

/// One line of a patient's first-contact history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstContactEvent {
    pub kind: HistoryKind,
    pub member_id: Option<i64>,
    pub member_name: String,
    pub member_role: Option<String>,
    /// For an evaluation.
    pub outcome: Option<Outcome>,
    pub note: Option<String>,
    /// The evaluation date set by this step (assigned, evaluated).
    pub evaluate_on: Option<NaiveDate>,
    pub recorded_by_name: String,
    pub recorded_at: String,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    kind: String,
    member_id: Option<i64>,
    member_name: String,
    member_role: Option<String>,
    outcome: Option<String>,
    note: Option<String>,
    evaluate_on: Option<String>,
    recorded_by_name: String,
    recorded_at: String,
}

impl TryFrom<EventRow> for FirstContactEvent {
    type Error = StoreError;
    fn try_from(r: EventRow) -> StoreResult<Self> {
        Ok(FirstContactEvent {
            kind: code("first_contact_history.kind", &r.kind, HistoryKind::from_code)?,
            member_id: r.member_id,
            member_name: r.member_name,
            member_role: r.member_role,
            outcome: r
                .outcome
                .as_deref()
                .map(|o| code("first_contact_history.outcome", o, Outcome::from_code))
                .transpose()?,
            note: r.note,
            evaluate_on: opt_date("first_contact_history.evaluate_on", r.evaluate_on)?,
            recorded_by_name: r.recorded_by_name,
            recorded_at: timestamp("first_contact_history.recorded_at", r.recorded_at)?,
        })
    }
}

/// The current assignment of a patient's first point of contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub member_id: i64,
    pub set_at: String,
    pub evaluate_on: Option<NaiveDate>,
}

#[derive(sqlx::FromRow)]
struct AssignmentRow {
    member_id: i64,
    set_at: String,
    evaluate_on: Option<String>,
}

#[derive(sqlx::FromRow)]
struct DueRow {
    patient_id: i64,
    evaluate_on: Option<String>,
}

impl Db {
    /// The current assignment, if the patient has a first point of contact.
    pub async fn first_contact_assignment(&self, patient_id: i64) -> StoreResult<Option<Assignment>> {
        let r = sqlx::query_as::<_, AssignmentRow>(
            "SELECT member_id, set_at, evaluate_on FROM first_contacts WHERE patient_id = $1",
        )
        .bind(patient_id)
        .fetch_optional(self.pool())
        .await?;
        r.map(|r| {
            Ok(Assignment {
                member_id: r.member_id,
                set_at: timestamp("first_contacts.set_at", r.set_at)?,
                evaluate_on: opt_date("first_contacts.evaluate_on", r.evaluate_on)?,
            })
        })
        .transpose()
    }

    /// The history of a patient's first point of contact, oldest first.
    pub async fn first_contact_history(&self, patient_id: i64) -> StoreResult<Vec<FirstContactEvent>> {
        let rows = sqlx::query_as::<_, EventRow>(
            "SELECT kind, member_id, member_name, member_role, outcome, note, evaluate_on, recorded_by_name, recorded_at \
             FROM first_contact_history WHERE patient_id = $1 ORDER BY id",
        )
        .bind(patient_id)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(FirstContactEvent::try_from).collect()
    }

    /// The practice's patients with a first point of contact, each with the evaluation date.
    pub async fn practice_first_contact_evaluations(
        &self,
        practice_id: i64,
    ) -> StoreResult<Vec<(i64, Option<NaiveDate>)>> {
        let rows = sqlx::query_as::<_, DueRow>(
            "SELECT f.patient_id, f.evaluate_on FROM first_contacts f JOIN patients p ON p.id = f.patient_id \
             WHERE p.practice_id = $1",
        )
        .bind(practice_id)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| Ok((r.patient_id, opt_date("first_contacts.evaluate_on", r.evaluate_on)?)))
            .collect()
    }
}

impl Change {
    /// Makes an active professional of the team the first point of contact, to be
    /// evaluated on `evaluate_on`; kept in the history.
    pub async fn set_first_contact(
        &mut self,
        patient_id: i64,
        member_id: i64,
        by: i64,
        evaluate_on: NaiveDate,
    ) -> StoreResult<()> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM care_team_members WHERE id = $1 AND patient_id = $2 AND removed_at IS NULL",
        )
        .bind(member_id)
        .bind(patient_id)
        .fetch_one(self.conn())
        .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        let now = now_timestamp();
        sqlx::query(
            "INSERT INTO first_contacts (patient_id, member_id, set_by, set_at, evaluate_on) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (patient_id) DO UPDATE SET member_id = excluded.member_id, set_by = excluded.set_by, \
             set_at = excluded.set_at, evaluate_on = excluded.evaluate_on",
        )
        .bind(patient_id)
        .bind(member_id)
        .bind(by)
        .bind(&now)
        .bind(fmt_date(evaluate_on))
        .execute(self.conn())
        .await?;
        self.first_contact_history(
            patient_id,
            member_id,
            HistoryKind::Assigned,
            None,
            None,
            Some(evaluate_on),
            by,
        )
        .await
    }

    /// Records an evaluation of the current assignment: kept, with the next evaluation
    /// date, or changed (the caller then assigns the new first point of contact).
    pub async fn evaluate_first_contact(
        &mut self,
        patient_id: i64,
        outcome: Outcome,
        note: Option<&str>,
        next: NaiveDate,
        by: i64,
    ) -> StoreResult<()> {
        let member_id: Option<i64> = sqlx::query_scalar("SELECT member_id FROM first_contacts WHERE patient_id = $1")
            .bind(patient_id)
            .fetch_optional(self.conn())
            .await?;
        let member_id = member_id.ok_or(StoreError::NotFound)?;
        sqlx::query("UPDATE first_contacts SET evaluate_on = $1 WHERE patient_id = $2")
            .bind(fmt_date(next))
            .bind(patient_id)
            .execute(self.conn())
            .await?;
        let evaluate_on = (outcome == Outcome::Kept).then_some(next);
        self.first_contact_history(
            patient_id,
            member_id,
            HistoryKind::Evaluated,
            Some(outcome),
            note,
            evaluate_on,
            by,
        )
        .await
    }

    /// Ends the assignment when it is `member_id`'s (who leaves the team); kept in the history.
    pub(crate) async fn end_first_contact_of(&mut self, patient_id: i64, member_id: i64, by: i64) -> StoreResult<()> {
        let gone = sqlx::query("DELETE FROM first_contacts WHERE patient_id = $1 AND member_id = $2")
            .bind(patient_id)
            .bind(member_id)
            .execute(self.conn())
            .await?;
        if gone.rows_affected() > 0 {
            self.first_contact_history(patient_id, member_id, HistoryKind::Ended, None, None, None, by)
                .await?;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn first_contact_history(
        &mut self,
        patient_id: i64,
        member_id: i64,
        kind: HistoryKind,
        outcome: Option<Outcome>,
        note: Option<&str>,
        evaluate_on: Option<NaiveDate>,
        by: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO first_contact_history \
             (patient_id, kind, member_id, member_name, member_role, outcome, note, evaluate_on, recorded_by, recorded_by_name, recorded_at) \
             SELECT $1, $2, m.id, m.name, m.role, $3, $4, $5, $6, COALESCE((SELECT display_name FROM users WHERE id = $6), ''), $7 \
             FROM care_team_members m WHERE m.id = $8 AND m.patient_id = $1",
        )
        .bind(patient_id)
        .bind(kind.code())
        .bind(outcome.map(Outcome::code))
        .bind(note.map(str::trim).filter(|n| !n.is_empty()))
        .bind(evaluate_on.map(fmt_date))
        .bind(by)
        .bind(now_timestamp())
        .bind(member_id)
        .execute(self.conn())
        .await?;
        Ok(())
    }
}
