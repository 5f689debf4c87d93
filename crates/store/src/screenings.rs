//! Case finding's records: screening instruments administered, the clinician's conclusion
//! on frailty, and the reason given for an inclusion that is an exception to the rule.

use chrono::NaiveDate;
use kernteam_domain::screening::{parse_items, Instrument};

use crate::change::Change;
use crate::convert::{all, code, date, flag, fmt_date, store_flag, timestamp};
use crate::direct_read::Arg;
use crate::{now_timestamp, Db, StoreError, StoreResult};

/// One administration of an instrument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screening {
    pub id: i64,
    pub patient_id: i64,
    pub instrument: Instrument,
    pub administered_on: NaiveDate,
    /// The items that scored, 1-based.
    pub items: Vec<u32>,
    pub score: u32,
    pub positive: bool,
    pub note: Option<String>,
    pub recorded_by_name: Option<String>,
    pub recorded_at: String,
}

#[derive(Debug, Clone)]
pub struct NewScreening {
    pub instrument: Instrument,
    pub administered_on: NaiveDate,
    pub items: String,
    pub score: u32,
    pub positive: bool,
    pub note: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ScreeningRow {
    id: i64,
    patient_id: i64,
    instrument: String,
    administered_on: String,
    items: String,
    score: i64,
    positive: i64,
    note: Option<String>,
    recorded_by_name: Option<String>,
    recorded_at: String,
}

impl TryFrom<ScreeningRow> for Screening {
    type Error = StoreError;
    fn try_from(r: ScreeningRow) -> StoreResult<Screening> {
        let bad = |what: &str| StoreError::Corrupt(format!("screenings.{what} of {}", r.id));
        Ok(Screening {
            id: r.id,
            patient_id: r.patient_id,
            instrument: code("screenings.instrument", &r.instrument, Instrument::from_code)?,
            administered_on: date("screenings.administered_on", &r.administered_on)?,
            items: parse_items(&r.items).map_err(|_| bad("items"))?,
            score: u32::try_from(r.score).map_err(|_| bad("score"))?,
            positive: flag("screenings.positive", r.positive)?,
            note: r.note,
            recorded_by_name: r.recorded_by_name,
            recorded_at: timestamp("screenings.recorded_at", r.recorded_at)?,
        })
    }
}

/// The clinician's conclusion on frailty after screening.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrailtyConclusion {
    pub id: i64,
    pub patient_id: i64,
    pub concluded_on: NaiveDate,
    pub frail: bool,
    pub reason: String,
    pub recorded_by_name: Option<String>,
    pub recorded_at: String,
}

#[derive(sqlx::FromRow)]
struct ConclusionRow {
    id: i64,
    patient_id: i64,
    concluded_on: String,
    frail: i64,
    reason: String,
    recorded_by_name: Option<String>,
    recorded_at: String,
}

impl TryFrom<ConclusionRow> for FrailtyConclusion {
    type Error = StoreError;
    fn try_from(r: ConclusionRow) -> StoreResult<FrailtyConclusion> {
        Ok(FrailtyConclusion {
            id: r.id,
            patient_id: r.patient_id,
            concluded_on: date("frailty_conclusions.concluded_on", &r.concluded_on)?,
            frail: flag("frailty_conclusions.frail", r.frail)?,
            reason: r.reason,
            recorded_by_name: r.recorded_by_name,
            recorded_at: timestamp("frailty_conclusions.recorded_at", r.recorded_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct ExceptionRow {
    decision_id: i64,
    reason: String,
}

impl TryFrom<ExceptionRow> for (i64, String) {
    type Error = StoreError;
    fn try_from(r: ExceptionRow) -> StoreResult<(i64, String)> {
        Ok((r.decision_id, r.reason))
    }
}

impl Db {
    /// The patient's screenings, oldest first.
    pub async fn screenings(&self, patient_id: i64) -> StoreResult<Vec<Screening>> {
        let rows = sqlx::query_as::<_, ScreeningRow>(
            "SELECT s.id, s.patient_id, s.instrument, s.administered_on, s.items, s.score, s.positive, s.note, \
             u.display_name AS recorded_by_name, s.recorded_at \
             FROM screenings s LEFT JOIN users u ON u.id = s.recorded_by WHERE s.patient_id = $1 \
             ORDER BY s.administered_on, s.id",
        )
        .bind(patient_id)
        .fetch_all(self.pool())
        .await?;
        all(rows)
    }

    /// The patient's frailty conclusions, oldest first (the last one holds).
    pub async fn frailty_conclusions(&self, patient_id: i64) -> StoreResult<Vec<FrailtyConclusion>> {
        let rows = sqlx::query_as::<_, ConclusionRow>(
            "SELECT c.id, c.patient_id, c.concluded_on, c.frail, c.reason, \
             u.display_name AS recorded_by_name, c.recorded_at \
             FROM frailty_conclusions c LEFT JOIN users u ON u.id = c.recorded_by WHERE c.patient_id = $1 \
             ORDER BY c.concluded_on, c.id",
        )
        .bind(patient_id)
        .fetch_all(self.pool())
        .await?;
        all(rows)
    }

    /// The patients of a practice with a frailty conclusion (either way).
    pub async fn practice_frailty_conclusions(&self, practice_id: i64) -> StoreResult<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT c.patient_id FROM frailty_conclusions c \
             JOIN patients p ON p.id = c.patient_id WHERE p.practice_id = $1",
        )
        .bind(practice_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// The reasons given for inclusions that were exceptions, per decision id.
    pub async fn inclusion_exceptions(&self, patient_id: i64) -> StoreResult<Vec<(i64, String)>> {
        self.read_rows(
            "SELECT x.decision_id, x.reason FROM inclusion_exceptions x \
             JOIN program_decisions d ON d.id = x.decision_id WHERE d.patient_id = $1 ORDER BY x.decision_id",
            &[Arg::Int(patient_id)],
            |c| Ok((c.int(0)?, c.text(1)?)),
        )
        .await
    }
}

impl Change {
    pub async fn add_screening(&mut self, patient_id: i64, s: &NewScreening, by: i64) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO screenings (patient_id, instrument, administered_on, items, score, positive, note, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(patient_id)
        .bind(s.instrument.code())
        .bind(fmt_date(s.administered_on))
        .bind(&s.items)
        .bind(i64::from(s.score))
        .bind(store_flag(s.positive))
        .bind(&s.note)
        .bind(by)
        .bind(now_timestamp())
        .fetch_one(self.conn())
        .await?)
    }

    pub async fn add_frailty_conclusion(
        &mut self,
        patient_id: i64,
        concluded_on: NaiveDate,
        frail: bool,
        reason: &str,
        by: i64,
    ) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO frailty_conclusions (patient_id, concluded_on, frail, reason, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(patient_id)
        .bind(fmt_date(concluded_on))
        .bind(store_flag(frail))
        .bind(reason)
        .bind(by)
        .bind(now_timestamp())
        .fetch_one(self.conn())
        .await?)
    }

    /// The reason for an inclusion that is an exception (younger than 75, no episode).
    pub async fn add_inclusion_exception(&mut self, decision_id: i64, reason: &str) -> StoreResult<()> {
        sqlx::query("INSERT INTO inclusion_exceptions (decision_id, reason) VALUES ($1, $2)")
            .bind(decision_id)
            .bind(reason)
            .execute(self.conn())
            .await?;
        Ok(())
    }
}
