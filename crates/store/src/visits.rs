//! Practice visits by the region's staff: planned (practice, date), recorded against the
//! module's topics with feedback, and shared with the practice.

use chrono::NaiveDate;

use crate::change::Change;
use crate::convert::{all, date, fmt_date, opt_date, opt_timestamp};
use crate::{now_timestamp, Db, StoreError, StoreResult};

/// A visit, planned and perhaps recorded and shared.
#[derive(Debug, Clone, PartialEq)]
pub struct Visit {
    pub id: i64,
    pub practice_id: i64,
    pub practice_name: String,
    pub planned_on: NaiveDate,
    pub planned_by_name: Option<String>,
    /// The date the visit took place, once recorded.
    pub visited_on: Option<NaiveDate>,
    /// The text per topic, in the order of `kernteam_domain::visits::TOPICS`.
    pub topics: [Option<String>; 4],
    pub feedback: Option<String>,
    pub recorded_by_name: Option<String>,
    pub recorded_at: Option<String>,
    pub shared_by_name: Option<String>,
    pub shared_at: Option<String>,
}

impl Visit {
    pub fn is_recorded(&self) -> bool {
        self.visited_on.is_some()
    }

    pub fn is_shared(&self) -> bool {
        self.shared_at.is_some()
    }
}

/// A visit's report as written (see `kernteam_domain::visits::VisitReport`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitRecord {
    pub visited_on: NaiveDate,
    pub topics: [Option<String>; 4],
    pub feedback: Option<String>,
}

#[derive(sqlx::FromRow)]
struct VisitRow {
    id: i64,
    practice_id: i64,
    practice_name: String,
    planned_on: String,
    planned_by_name: Option<String>,
    visited_on: Option<String>,
    progress: Option<String>,
    support_needed: Option<String>,
    mdo: Option<String>,
    collaboration: Option<String>,
    feedback: Option<String>,
    recorded_by_name: Option<String>,
    recorded_at: Option<String>,
    shared_by_name: Option<String>,
    shared_at: Option<String>,
}

impl TryFrom<VisitRow> for Visit {
    type Error = StoreError;
    fn try_from(r: VisitRow) -> StoreResult<Visit> {
        Ok(Visit {
            id: r.id,
            practice_id: r.practice_id,
            practice_name: r.practice_name,
            planned_on: date("practice_visits.planned_on", &r.planned_on)?,
            planned_by_name: r.planned_by_name,
            visited_on: opt_date("practice_visits.visited_on", r.visited_on)?,
            topics: [r.progress, r.support_needed, r.mdo, r.collaboration],
            feedback: r.feedback,
            recorded_by_name: r.recorded_by_name,
            recorded_at: opt_timestamp("practice_visits.recorded_at", r.recorded_at)?,
            shared_by_name: r.shared_by_name,
            shared_at: opt_timestamp("practice_visits.shared_at", r.shared_at)?,
        })
    }
}

const SELECT: &str = "SELECT v.id, v.practice_id, p.name AS practice_name, v.planned_on, \
     pu.display_name AS planned_by_name, v.visited_on, v.progress, v.support_needed, v.mdo, \
     v.collaboration, v.feedback, ru.display_name AS recorded_by_name, v.recorded_at, \
     su.display_name AS shared_by_name, v.shared_at \
     FROM practice_visits v JOIN practices p ON p.id = v.practice_id \
     LEFT JOIN users pu ON pu.id = v.planned_by LEFT JOIN users ru ON ru.id = v.recorded_by \
     LEFT JOIN users su ON su.id = v.shared_by";

/// Newest first: by the date it took place or is planned, then the latest entered.
const ORDER: &str = " ORDER BY COALESCE(v.visited_on, v.planned_on) DESC, v.id DESC";

impl Db {
    /// Every visit of every practice, newest first.
    pub async fn visits(&self) -> StoreResult<Vec<Visit>> {
        let rows = sqlx::query_as::<_, VisitRow>(&format!("{SELECT}{ORDER}"))
            .fetch_all(self.pool())
            .await?;
        all(rows)
    }

    /// The visits of one practice, newest first.
    pub async fn practice_visits(&self, practice_id: i64) -> StoreResult<Vec<Visit>> {
        let rows = sqlx::query_as::<_, VisitRow>(&format!("{SELECT} WHERE v.practice_id = $1{ORDER}"))
            .bind(practice_id)
            .fetch_all(self.pool())
            .await?;
        all(rows)
    }

    /// One visit; `NotFound` when there is none with this id.
    pub async fn visit(&self, id: i64) -> StoreResult<Visit> {
        let row = sqlx::query_as::<_, VisitRow>(&format!("{SELECT} WHERE v.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        row.try_into()
    }
}

impl Change {
    /// Plans a visit; returns its id.
    pub async fn plan_visit(&mut self, practice_id: i64, planned_on: NaiveDate, by: i64) -> StoreResult<i64> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO practice_visits (practice_id, planned_on, planned_by, planned_at) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(practice_id)
        .bind(fmt_date(planned_on))
        .bind(by)
        .bind(now_timestamp())
        .fetch_one(self.conn())
        .await?;
        Ok(id)
    }

    /// Records (or corrects) a visit's report. Sharing is kept: the practice reads the
    /// report as last recorded.
    pub async fn record_visit(&mut self, id: i64, r: &VisitRecord, by: i64) -> StoreResult<()> {
        let [progress, support, mdo, collaboration] = &r.topics;
        let done = sqlx::query(
            "UPDATE practice_visits SET visited_on = $1, progress = $2, support_needed = $3, mdo = $4, \
             collaboration = $5, feedback = $6, recorded_by = $7, recorded_at = $8 WHERE id = $9",
        )
        .bind(fmt_date(r.visited_on))
        .bind(progress)
        .bind(support)
        .bind(mdo)
        .bind(collaboration)
        .bind(&r.feedback)
        .bind(by)
        .bind(now_timestamp())
        .bind(id)
        .execute(self.conn())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Shares a recorded visit with its practice (once: sharing again keeps the first).
    pub async fn share_visit(&mut self, id: i64, by: i64) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE practice_visits SET shared_by = COALESCE(shared_by, $1), shared_at = COALESCE(shared_at, $2) \
             WHERE id = $3 AND visited_on IS NOT NULL",
        )
        .bind(by)
        .bind(now_timestamp())
        .bind(id)
        .execute(self.conn())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
