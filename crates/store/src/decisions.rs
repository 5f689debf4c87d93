//! Program decisions: a patient's inclusion in and exclusion from the program; the latest
//! decision is their status.

use chrono::NaiveDate;
use kernteam_domain::care::{Decision, DecisionKind};

use crate::change::Change;
use crate::convert::{all, code, date, fmt_date, timestamp};
use crate::direct_read::Arg;
use crate::{now_timestamp, Db, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRecord {
    pub id: i64,
    pub kind: DecisionKind,
    pub decided_on: NaiveDate,
    pub deciding_gp: Option<String>,
    pub reason: Option<String>,
    pub considerations: Option<String>,
    pub recorded_by_name: Option<String>,
    pub recorded_at: String,
}

impl DecisionRecord {
    pub fn as_decision(&self) -> Decision {
        Decision {
            kind: self.kind,
            decided_on: self.decided_on,
            seq: self.id,
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewDecision {
    pub kind: DecisionKind,
    pub decided_on: NaiveDate,
    pub deciding_gp: Option<String>,
    pub reason: Option<String>,
    pub considerations: Option<String>,
}

struct DecisionRow {
    id: i64,
    kind: String,
    decided_on: String,
    deciding_gp: Option<String>,
    reason: Option<String>,
    considerations: Option<String>,
    recorded_by_name: Option<String>,
    recorded_at: String,
}

impl TryFrom<DecisionRow> for DecisionRecord {
    type Error = StoreError;
    fn try_from(r: DecisionRow) -> StoreResult<DecisionRecord> {
        Ok(DecisionRecord {
            id: r.id,
            kind: code("program_decisions.kind", &r.kind, DecisionKind::from_code)?,
            decided_on: date("program_decisions.decided_on", &r.decided_on)?,
            deciding_gp: r.deciding_gp,
            reason: r.reason,
            considerations: r.considerations,
            recorded_by_name: r.recorded_by_name,
            recorded_at: timestamp("program_decisions.recorded_at", r.recorded_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct PracticeDecisionRow {
    patient_id: i64,
    id: i64,
    kind: String,
    decided_on: String,
}

impl TryFrom<PracticeDecisionRow> for (i64, Decision) {
    type Error = StoreError;
    fn try_from(r: PracticeDecisionRow) -> StoreResult<(i64, Decision)> {
        Ok((
            r.patient_id,
            Decision {
                kind: code("program_decisions.kind", &r.kind, DecisionKind::from_code)?,
                decided_on: date("program_decisions.decided_on", &r.decided_on)?,
                seq: r.id,
            },
        ))
    }
}

impl Db {
    pub async fn decisions(&self, patient_id: i64) -> StoreResult<Vec<DecisionRecord>> {
        self.read_rows(
            "SELECT d.id, d.kind, d.decided_on, d.deciding_gp, d.reason, d.considerations, \
             u.display_name AS recorded_by_name, d.recorded_at \
             FROM program_decisions d LEFT JOIN users u ON u.id = d.recorded_by WHERE d.patient_id = $1 \
             ORDER BY d.decided_on, d.id",
            &[Arg::Int(patient_id)],
            |c| {
                DecisionRecord::try_from(DecisionRow {
                    id: c.int(0)?,
                    kind: c.text(1)?,
                    decided_on: c.text(2)?,
                    deciding_gp: c.opt_text(3)?,
                    reason: c.opt_text(4)?,
                    considerations: c.opt_text(5)?,
                    recorded_by_name: c.opt_text(6)?,
                    recorded_at: c.text(7)?,
                })
            },
        )
        .await
    }

    /// Every decision in a practice, as (patient id, decision), in recording order.
    pub async fn practice_decisions(&self, practice_id: i64) -> StoreResult<Vec<(i64, Decision)>> {
        let rows = sqlx::query_as::<_, PracticeDecisionRow>(
            "SELECT d.patient_id, d.id, d.kind, d.decided_on FROM program_decisions d \
             JOIN patients p ON p.id = d.patient_id WHERE p.practice_id = $1 ORDER BY d.id",
        )
        .bind(practice_id)
        .fetch_all(self.pool())
        .await?;
        all(rows)
    }
}

impl Change {
    pub async fn add_decision(&mut self, patient_id: i64, d: &NewDecision, user_id: i64) -> StoreResult<i64> {
        self.add_decision_by(patient_id, d, Some(user_id)).await
    }

    /// A decision recorded without an account (taken over from an earlier system by the
    /// command line's operator) when `user_id` is `None`.
    pub async fn add_decision_by(
        &mut self,
        patient_id: i64,
        d: &NewDecision,
        user_id: Option<i64>,
    ) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO program_decisions (patient_id, kind, decided_on, deciding_gp, reason, considerations, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(patient_id)
        .bind(d.kind.code())
        .bind(fmt_date(d.decided_on))
        .bind(&d.deciding_gp)
        .bind(&d.reason)
        .bind(&d.considerations)
        .bind(user_id)
        .bind(now_timestamp())
        .fetch_one(self.conn())
        .await?)
    }
}
