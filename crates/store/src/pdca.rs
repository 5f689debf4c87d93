//! Each practice's PDCA checklist (`kernteam_domain::pdca::ITEMS`): per item a status,
//! evidence and a date. An item without a row is open. Also the MDO attendance per
//! discipline over a period, which answers one of the Check questions.

use chrono::NaiveDate;

use crate::change::Change;
use crate::convert::{all, count, fmt_date, opt_date, timestamp};
use crate::{now_timestamp, Db, StoreError, StoreResult};

/// A practice's state of one checklist item.
#[derive(Debug, Clone, PartialEq)]
pub struct PdcaEntry {
    pub practice_id: i64,
    /// `kernteam_domain::pdca::Item` code.
    pub item: String,
    /// `kernteam_domain::pdca::ItemStatus` code.
    pub status: String,
    pub evidence: Option<String>,
    pub date: Option<NaiveDate>,
    pub set_at: String,
    pub set_by_name: Option<String>,
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    practice_id: i64,
    item: String,
    status: String,
    evidence: Option<String>,
    done_on: Option<String>,
    set_at: String,
    set_by_name: Option<String>,
}

impl TryFrom<EntryRow> for PdcaEntry {
    type Error = StoreError;
    fn try_from(r: EntryRow) -> StoreResult<PdcaEntry> {
        Ok(PdcaEntry {
            practice_id: r.practice_id,
            item: r.item,
            status: r.status,
            evidence: r.evidence,
            date: opt_date("pdca_items.done_on", r.done_on)?,
            set_at: timestamp("pdca_items.set_at", r.set_at)?,
            set_by_name: r.set_by_name,
        })
    }
}

/// Attendance of one discipline at a practice's held MDOs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendanceCount {
    pub discipline: String,
    /// Meetings at which the discipline was present.
    pub present: u64,
    /// Meetings at which its attendance was recorded.
    pub recorded: u64,
}

#[derive(sqlx::FromRow)]
struct AttendanceCountRow {
    discipline: String,
    present: i64,
    recorded: i64,
}

impl TryFrom<AttendanceCountRow> for AttendanceCount {
    type Error = StoreError;
    fn try_from(r: AttendanceCountRow) -> StoreResult<AttendanceCount> {
        Ok(AttendanceCount {
            discipline: r.discipline,
            present: count("present", r.present)?,
            recorded: count("recorded", r.recorded)?,
        })
    }
}

const SELECT: &str = "SELECT i.practice_id, i.item, i.status, i.evidence, i.done_on, i.set_at, \
     u.display_name AS set_by_name FROM pdca_items i LEFT JOIN users u ON u.id = i.set_by";

impl Db {
    /// A practice's checklist entries (items never set are absent: open).
    pub async fn pdca_items(&self, practice_id: i64) -> StoreResult<Vec<PdcaEntry>> {
        let rows = sqlx::query_as::<_, EntryRow>(&format!("{SELECT} WHERE i.practice_id = $1 ORDER BY i.item"))
            .bind(practice_id)
            .fetch_all(self.pool())
            .await?;
        all(rows)
    }

    /// Every practice's checklist entries, by practice.
    pub async fn all_pdca_items(&self) -> StoreResult<Vec<PdcaEntry>> {
        let rows = sqlx::query_as::<_, EntryRow>(&format!("{SELECT} ORDER BY i.practice_id, i.item"))
            .fetch_all(self.pool())
            .await?;
        all(rows)
    }

    /// Attendance per discipline at the practice's held meetings dated `from..=to`.
    pub async fn mdo_attendance_between(
        &self,
        practice_id: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<AttendanceCount>> {
        let rows = sqlx::query_as::<_, AttendanceCountRow>(
            "SELECT a.discipline, CAST(SUM(a.present) AS BIGINT) AS present, COUNT(*) AS recorded FROM mdo_attendance a \
             JOIN mdo_meetings m ON m.id = a.meeting_id WHERE m.practice_id = $1 AND m.held = 1 \
             AND m.meeting_date >= $2 AND m.meeting_date <= $3 GROUP BY a.discipline ORDER BY a.discipline",
        )
        .bind(practice_id)
        .bind(fmt_date(from))
        .bind(fmt_date(to))
        .fetch_all(self.pool())
        .await?;
        all(rows)
    }
}

impl Change {
    /// Sets a practice's state of one checklist item.
    pub async fn set_pdca_item(
        &mut self,
        practice_id: i64,
        item: &str,
        status: &str,
        evidence: Option<&str>,
        date: Option<NaiveDate>,
        by: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO pdca_items (practice_id, item, status, evidence, done_on, set_by, set_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (practice_id, item) \
             DO UPDATE SET status = excluded.status, evidence = excluded.evidence, done_on = excluded.done_on, \
             set_by = excluded.set_by, set_at = excluded.set_at",
        )
        .bind(practice_id)
        .bind(item)
        .bind(status)
        .bind(evidence)
        .bind(date.map(fmt_date))
        .bind(by)
        .bind(now_timestamp())
        .execute(self.conn())
        .await?;
        Ok(())
    }
}
