//! Consultations of the elderly-care physician (SO) about a patient, and their funding.

use chrono::NaiveDate;

use crate::change::Change;
use crate::convert::{all, date, fmt_date, opt_timestamp, CountRow};
use crate::{now_timestamp, Db, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq)]
pub struct Consultation {
    pub id: i64,
    pub patient_id: i64,
    pub date: NaiveDate,
    pub question: String,
    pub advice: Option<String>,
    pub kind: String,
    pub funding: String,
    pub so_name: String,
    /// When it was withdrawn (recorded in error); it then no longer counts.
    pub withdrawn_at: Option<String>,
    /// The account that recorded it.
    pub recorded_by: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewConsultation {
    pub date: NaiveDate,
    pub question: String,
    pub advice: Option<String>,
    pub kind: String,
    pub funding: String,
    pub so_name: String,
}

#[derive(sqlx::FromRow)]
struct ConsultationRow {
    id: i64,
    patient_id: i64,
    consulted_on: String,
    question: String,
    advice: Option<String>,
    kind: String,
    funding: String,
    so_name: String,
    withdrawn_at: Option<String>,
    recorded_by: Option<i64>,
}

impl TryFrom<ConsultationRow> for Consultation {
    type Error = StoreError;
    fn try_from(r: ConsultationRow) -> StoreResult<Consultation> {
        Ok(Consultation {
            id: r.id,
            patient_id: r.patient_id,
            date: date("so_consultations.consulted_on", &r.consulted_on)?,
            question: r.question,
            advice: r.advice,
            kind: r.kind,
            funding: r.funding,
            so_name: r.so_name,
            withdrawn_at: opt_timestamp("so_consultations.withdrawn_at", r.withdrawn_at)?,
            recorded_by: r.recorded_by,
        })
    }
}

impl Db {
    pub async fn consultations(&self, patient_id: i64) -> StoreResult<Vec<Consultation>> {
        let rows = sqlx::query_as::<_, ConsultationRow>(
            "SELECT id, patient_id, consulted_on, question, advice, kind, funding, so_name, withdrawn_at, recorded_by FROM so_consultations \
             WHERE patient_id = $1 ORDER BY consulted_on DESC, id DESC",
        )
        .bind(patient_id)
        .fetch_all(self.pool())
        .await?;
        all(rows)
    }

    /// SO consultations of a practice's patients in `from..=to`, per funding code; withdrawn
    /// ones do not count.
    pub async fn consultation_counts(
        &self,
        practice_id: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<(String, u64)>> {
        let rows = sqlx::query_as::<_, CountRow>(
            "SELECT c.funding AS item, COUNT(*) AS n FROM so_consultations c JOIN patients p ON p.id = c.patient_id \
             WHERE p.practice_id = $1 AND c.consulted_on >= $2 AND c.consulted_on <= $3 AND c.withdrawn_at IS NULL \
             GROUP BY c.funding",
        )
        .bind(practice_id)
        .bind(fmt_date(from))
        .bind(fmt_date(to))
        .fetch_all(self.pool())
        .await?;
        CountRow::all(rows)
    }
}

impl Change {
    /// Replaces a consultation's content (the caller keeps the version before: see
    /// [`Change::keep_previous`]). `NotFound` when the patient has no such current record.
    pub async fn update_consultation(&mut self, patient_id: i64, id: i64, c: &NewConsultation) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE so_consultations SET consulted_on = $1, question = $2, advice = $3, kind = $4, funding = $5, so_name = $6 \
             WHERE id = $7 AND patient_id = $8 AND withdrawn_at IS NULL",
        )
        .bind(fmt_date(c.date))
        .bind(&c.question)
        .bind(&c.advice)
        .bind(&c.kind)
        .bind(&c.funding)
        .bind(&c.so_name)
        .bind(id)
        .bind(patient_id)
        .execute(self.conn())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn add_consultation(&mut self, patient_id: i64, c: &NewConsultation, by: i64) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO so_consultations (patient_id, consulted_on, question, advice, kind, funding, so_name, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(patient_id)
        .bind(fmt_date(c.date))
        .bind(&c.question)
        .bind(&c.advice)
        .bind(&c.kind)
        .bind(&c.funding)
        .bind(&c.so_name)
        .bind(by)
        .bind(now_timestamp())
        .fetch_one(self.conn())
        .await?)
    }
}
