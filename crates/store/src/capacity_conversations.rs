//! The conversations the region holds with a practice whose POH-O capacity lies outside
//! the band (the Menzis contract: "gaat het Samenwerkingsverband hierover in gesprek"),
//! with their agreements and follow-up date.

use chrono::NaiveDate;

use crate::change::Change;
use crate::convert::{date, fmt_date, opt_date, opt_timestamp, timestamp};
use crate::{now_timestamp, Db, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapacityConversation {
    pub id: i64,
    pub practice_id: i64,
    pub held_on: NaiveDate,
    pub participants: String,
    pub agreements: String,
    pub follow_up_on: Option<NaiveDate>,
    pub follow_up_done_at: Option<String>,
    pub recorded_by_name: Option<String>,
    pub recorded_at: String,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    practice_id: i64,
    held_on: String,
    participants: String,
    agreements: String,
    follow_up_on: Option<String>,
    follow_up_done_at: Option<String>,
    recorded_by_name: Option<String>,
    recorded_at: String,
}

impl TryFrom<Row> for CapacityConversation {
    type Error = StoreError;
    fn try_from(r: Row) -> StoreResult<CapacityConversation> {
        Ok(CapacityConversation {
            id: r.id,
            practice_id: r.practice_id,
            held_on: date("capacity_conversations.held_on", &r.held_on)?,
            participants: r.participants,
            agreements: r.agreements,
            follow_up_on: opt_date("capacity_conversations.follow_up_on", r.follow_up_on)?,
            follow_up_done_at: opt_timestamp("capacity_conversations.follow_up_done_at", r.follow_up_done_at)?,
            recorded_by_name: r.recorded_by_name,
            recorded_at: timestamp("capacity_conversations.recorded_at", r.recorded_at)?,
        })
    }
}

/// A conversation as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCapacityConversation {
    pub practice_id: i64,
    pub held_on: NaiveDate,
    pub participants: String,
    pub agreements: String,
    pub follow_up_on: Option<NaiveDate>,
}

impl Db {
    /// Every conversation, newest first.
    pub async fn capacity_conversations(&self) -> StoreResult<Vec<CapacityConversation>> {
        let rows = sqlx::query_as::<_, Row>(
            "SELECT c.id, c.practice_id, c.held_on, c.participants, c.agreements, c.follow_up_on, \
             c.follow_up_done_at, u.display_name AS recorded_by_name, c.recorded_at \
             FROM capacity_conversations c LEFT JOIN users u ON u.id = c.recorded_by \
             ORDER BY c.held_on DESC, c.id DESC",
        )
        .fetch_all(self.pool())
        .await?;
        crate::convert::all(rows)
    }
}

impl Change {
    pub async fn add_capacity_conversation(&mut self, c: &NewCapacityConversation, by: i64) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO capacity_conversations (practice_id, held_on, participants, agreements, follow_up_on, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(c.practice_id)
        .bind(fmt_date(c.held_on))
        .bind(c.participants.clone())
        .bind(c.agreements.clone())
        .bind(c.follow_up_on.map(fmt_date))
        .bind(by)
        .bind(now_timestamp())
        .fetch_one(self.conn())
        .await?)
    }

    /// Marks a conversation's follow-up done; `NotFound` when there is no such open one.
    pub async fn complete_capacity_follow_up(&mut self, id: i64) -> StoreResult<i64> {
        let practice: Option<i64> = sqlx::query_scalar(
            "UPDATE capacity_conversations SET follow_up_done_at = $1 \
             WHERE id = $2 AND follow_up_on IS NOT NULL AND follow_up_done_at IS NULL RETURNING practice_id",
        )
        .bind(now_timestamp())
        .bind(id)
        .fetch_optional(self.conn())
        .await?;
        practice.ok_or(StoreError::NotFound)
    }
}
