//! A practice's POH-O formation: the hours per week of its practice nurse for the elderly,
//! as a history of settings valid from a date.

use chrono::NaiveDate;

use crate::change::Change;
use crate::convert::{date, fmt_date, timestamp};
use crate::{now_timestamp, Db, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq)]
pub struct PohHours {
    pub valid_from: NaiveDate,
    pub hours: f64,
    pub set_at: String,
    /// Who set it (their display name), when the account is known.
    pub set_by_name: Option<String>,
}

#[derive(sqlx::FromRow)]
struct PohHoursRow {
    valid_from: String,
    poh_o_hours_per_week: f64,
    set_at: String,
    set_by_name: Option<String>,
}

impl TryFrom<PohHoursRow> for PohHours {
    type Error = StoreError;
    fn try_from(r: PohHoursRow) -> StoreResult<PohHours> {
        Ok(PohHours {
            valid_from: date("practice_settings.valid_from", &r.valid_from)?,
            hours: r.poh_o_hours_per_week,
            set_at: timestamp("practice_settings.set_at", r.set_at)?,
            set_by_name: r.set_by_name,
        })
    }
}

impl Db {
    /// The formation history, newest first.
    pub async fn poh_o_hours_history(&self, practice_id: i64) -> StoreResult<Vec<PohHours>> {
        let rows = sqlx::query_as::<_, PohHoursRow>(
            "SELECT s.valid_from, s.poh_o_hours_per_week, s.set_at, COALESCE(u.display_name, s.set_by_name) AS set_by_name \
             FROM practice_settings s LEFT JOIN users u ON u.id = s.set_by WHERE s.practice_id = $1 \
             ORDER BY s.valid_from DESC, s.id DESC",
        )
        .bind(practice_id)
        .fetch_all(self.pool())
        .await?;
        crate::convert::all(rows)
    }

    /// The formation as last set on or before `on` (latest `valid_from`, then latest entry).
    pub async fn poh_o_hours_on(&self, practice_id: i64, on: NaiveDate) -> StoreResult<Option<f64>> {
        Ok(self
            .poh_o_hours_history(practice_id)
            .await?
            .into_iter()
            .find(|h| h.valid_from <= on)
            .map(|h| h.hours))
    }
}

impl Change {
    /// Sets the formation as a signed-in user.
    pub async fn set_poh_o_hours(
        &mut self,
        practice_id: i64,
        valid_from: NaiveDate,
        hours: f64,
        by: i64,
    ) -> StoreResult<()> {
        self.insert_poh_o_hours(practice_id, valid_from, hours, Some(by), None)
            .await
    }

    /// Sets the formation as whoever `by` names (an account or the command line's operator).
    pub async fn set_poh_o_hours_by(
        &mut self,
        practice_id: i64,
        valid_from: NaiveDate,
        hours: f64,
        by: &crate::contract::SetBy,
    ) -> StoreResult<()> {
        self.insert_poh_o_hours(practice_id, valid_from, hours, by.user_id, Some(by.name.clone()))
            .await
    }

    async fn insert_poh_o_hours(
        &mut self,
        practice_id: i64,
        valid_from: NaiveDate,
        hours: f64,
        user_id: Option<i64>,
        name: Option<String>,
    ) -> StoreResult<()> {
        sqlx::query("INSERT INTO practice_settings (practice_id, valid_from, poh_o_hours_per_week, set_by, set_by_name, set_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(practice_id)
            .bind(fmt_date(valid_from))
            .bind(hours)
            .bind(user_id)
            .bind(name)
            .bind(now_timestamp())
            .execute(self.conn())
            .await?;
        Ok(())
    }
}
