//! Medication reviews of a patient (who took part, what was stopped, started or changed).

use chrono::NaiveDate;

use crate::change::Change;
use crate::convert::{all, date, fmt_date, opt_date, opt_timestamp};
use crate::{now_timestamp, Db, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq)]
pub struct MedicationReview {
    pub id: i64,
    pub patient_id: i64,
    pub date: NaiveDate,
    pub indication: Option<String>,
    /// Comma-separated disciplines: huisarts, apotheker, specialist_ouderengeneeskunde.
    pub participants: String,
    pub stopped: Option<String>,
    pub started: Option<String>,
    pub changed: Option<String>,
    pub follow_up: Option<NaiveDate>,
    /// When it was withdrawn (recorded in error); it then no longer counts.
    pub withdrawn_at: Option<String>,
    /// The account that recorded it.
    pub recorded_by: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewMedicationReview {
    pub date: NaiveDate,
    pub indication: Option<String>,
    pub participants: String,
    pub stopped: Option<String>,
    pub started: Option<String>,
    pub changed: Option<String>,
    pub follow_up: Option<NaiveDate>,
}

#[derive(sqlx::FromRow)]
struct ReviewRow {
    id: i64,
    patient_id: i64,
    reviewed_on: String,
    indication: Option<String>,
    participants: String,
    stopped: Option<String>,
    started: Option<String>,
    changed: Option<String>,
    follow_up: Option<String>,
    withdrawn_at: Option<String>,
    recorded_by: Option<i64>,
}

impl TryFrom<ReviewRow> for MedicationReview {
    type Error = StoreError;
    fn try_from(r: ReviewRow) -> StoreResult<MedicationReview> {
        Ok(MedicationReview {
            id: r.id,
            patient_id: r.patient_id,
            date: date("medication_reviews.reviewed_on", &r.reviewed_on)?,
            indication: r.indication,
            participants: r.participants,
            stopped: r.stopped,
            started: r.started,
            changed: r.changed,
            follow_up: opt_date("medication_reviews.follow_up", r.follow_up)?,
            withdrawn_at: opt_timestamp("medication_reviews.withdrawn_at", r.withdrawn_at)?,
            recorded_by: r.recorded_by,
        })
    }
}

#[derive(sqlx::FromRow)]
struct LastReviewRow {
    patient_id: i64,
    reviewed_on: String,
}

impl TryFrom<LastReviewRow> for (i64, NaiveDate) {
    type Error = StoreError;
    fn try_from(r: LastReviewRow) -> StoreResult<(i64, NaiveDate)> {
        Ok((r.patient_id, date("medication_reviews.reviewed_on", &r.reviewed_on)?))
    }
}

impl Db {
    pub async fn medication_reviews(&self, patient_id: i64) -> StoreResult<Vec<MedicationReview>> {
        let rows = sqlx::query_as::<_, ReviewRow>(
            "SELECT id, patient_id, reviewed_on, indication, participants, stopped, started, changed, follow_up, withdrawn_at, recorded_by \
             FROM medication_reviews WHERE patient_id = $1 ORDER BY reviewed_on DESC, id DESC",
        )
        .bind(patient_id)
        .fetch_all(self.pool())
        .await?;
        all(rows)
    }

    /// The last medication review per patient of a practice: (patient id, date); withdrawn
    /// reviews do not count.
    pub async fn last_medication_reviews(&self, practice_id: i64) -> StoreResult<Vec<(i64, NaiveDate)>> {
        let rows = sqlx::query_as::<_, LastReviewRow>(
            "SELECT m.patient_id, MAX(m.reviewed_on) AS reviewed_on FROM medication_reviews m \
             JOIN patients p ON p.id = m.patient_id WHERE p.practice_id = $1 AND m.withdrawn_at IS NULL GROUP BY m.patient_id",
        )
        .bind(practice_id)
        .fetch_all(self.pool())
        .await?;
        all(rows)
    }

    /// The follow-up date of each practice patient's latest review (withdrawn ones left
    /// out), where that review has one.
    pub async fn practice_medication_follow_ups(&self, practice_id: i64) -> StoreResult<Vec<(i64, NaiveDate)>> {
        let rows = sqlx::query_as::<_, (i64, i64, String, Option<String>)>(
            "SELECT m.patient_id, m.id, m.reviewed_on, m.follow_up FROM medication_reviews m \
             JOIN patients p ON p.id = m.patient_id WHERE p.practice_id = $1 AND m.withdrawn_at IS NULL",
        )
        .bind(practice_id)
        .fetch_all(self.pool())
        .await?;
        let mut latest: std::collections::HashMap<i64, (String, i64, Option<String>)> = Default::default();
        for (pid, id, on, follow_up) in rows {
            let e = latest.entry(pid).or_insert((on.clone(), id, follow_up.clone()));
            if (on.as_str(), id) > (e.0.as_str(), e.1) {
                *e = (on, id, follow_up);
            }
        }
        let mut out = Vec::new();
        for (pid, (_, _, follow_up)) in latest {
            if let Some(d) = opt_date("medication_reviews.follow_up", follow_up)? {
                out.push((pid, d));
            }
        }
        out.sort_unstable();
        Ok(out)
    }
}

impl Change {
    /// Replaces a review's content (the caller keeps the version before: see
    /// [`Change::keep_previous`]). `NotFound` when the patient has no such current record.
    pub async fn update_medication_review(
        &mut self,
        patient_id: i64,
        id: i64,
        m: &NewMedicationReview,
    ) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE medication_reviews SET reviewed_on = $1, indication = $2, participants = $3, stopped = $4, started = $5, \
             changed = $6, follow_up = $7 WHERE id = $8 AND patient_id = $9 AND withdrawn_at IS NULL",
        )
        .bind(fmt_date(m.date))
        .bind(&m.indication)
        .bind(&m.participants)
        .bind(&m.stopped)
        .bind(&m.started)
        .bind(&m.changed)
        .bind(m.follow_up.map(fmt_date))
        .bind(id)
        .bind(patient_id)
        .execute(self.conn())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn add_medication_review(
        &mut self,
        patient_id: i64,
        m: &NewMedicationReview,
        by: i64,
    ) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO medication_reviews (patient_id, reviewed_on, indication, participants, stopped, started, changed, follow_up, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(patient_id)
        .bind(fmt_date(m.date))
        .bind(&m.indication)
        .bind(&m.participants)
        .bind(&m.stopped)
        .bind(&m.started)
        .bind(&m.changed)
        .bind(m.follow_up.map(fmt_date))
        .bind(by)
        .bind(now_timestamp())
        .fetch_one(self.conn())
        .await?)
    }
}
