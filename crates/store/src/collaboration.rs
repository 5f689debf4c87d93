//! The progress of the collaboration in the geriatric network, per practice, quarter
//! (`2027-Q3`) and partner: a status code with a note (`kernteam_domain::collaboration`).

use crate::change::Change;
use crate::convert::{all, timestamp};
use crate::{now_timestamp, Db, StoreError, StoreResult};

/// One partner's status for one practice and quarter.
#[derive(Debug, Clone, PartialEq)]
pub struct CollaborationEntry {
    pub practice_id: i64,
    pub quarter: String,
    /// `kernteam_domain::collaboration::Partner` code.
    pub partner: String,
    /// `kernteam_domain::collaboration::CollaborationStatus` code.
    pub status: String,
    pub note: Option<String>,
    pub set_at: String,
    pub set_by_name: Option<String>,
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    practice_id: i64,
    quarter: String,
    partner: String,
    status: String,
    note: Option<String>,
    set_at: String,
    set_by_name: Option<String>,
}

impl TryFrom<EntryRow> for CollaborationEntry {
    type Error = StoreError;
    fn try_from(r: EntryRow) -> StoreResult<CollaborationEntry> {
        Ok(CollaborationEntry {
            practice_id: r.practice_id,
            quarter: r.quarter,
            partner: r.partner,
            status: r.status,
            note: r.note,
            set_at: timestamp("network_collaboration.set_at", r.set_at)?,
            set_by_name: r.set_by_name,
        })
    }
}

const SELECT: &str = "SELECT c.practice_id, c.quarter, c.partner, c.status, c.note, c.set_at, \
     u.display_name AS set_by_name FROM network_collaboration c LEFT JOIN users u ON u.id = c.set_by";

impl Db {
    /// Every practice's entries of a quarter, by practice.
    pub async fn collaboration_of_quarter(&self, quarter: &str) -> StoreResult<Vec<CollaborationEntry>> {
        let rows = sqlx::query_as::<_, EntryRow>(&format!(
            "{SELECT} WHERE c.quarter = $1 ORDER BY c.practice_id, c.partner"
        ))
        .bind(quarter)
        .fetch_all(self.pool())
        .await?;
        all(rows)
    }

    /// One practice's entries, newest quarter first.
    /// Every practice's entries, by practice, quarter (latest first) and partner.
    pub async fn all_collaboration(&self) -> StoreResult<Vec<CollaborationEntry>> {
        let rows =
            sqlx::query_as::<_, EntryRow>(&format!("{SELECT} ORDER BY c.practice_id, c.quarter DESC, c.partner"))
                .fetch_all(self.pool())
                .await?;
        all(rows)
    }

    pub async fn practice_collaboration(&self, practice_id: i64) -> StoreResult<Vec<CollaborationEntry>> {
        let rows = sqlx::query_as::<_, EntryRow>(&format!(
            "{SELECT} WHERE c.practice_id = $1 ORDER BY c.quarter DESC, c.partner"
        ))
        .bind(practice_id)
        .fetch_all(self.pool())
        .await?;
        all(rows)
    }
}

impl Change {
    /// Sets a partner's status for a practice and quarter (`Some((status, note))`), or
    /// clears it (`None`).
    pub async fn set_collaboration(
        &mut self,
        practice_id: i64,
        quarter: &str,
        partner: &str,
        status: Option<(&str, Option<&str>)>,
        by: i64,
    ) -> StoreResult<()> {
        match status {
            Some((status, note)) => {
                sqlx::query(
                    "INSERT INTO network_collaboration (practice_id, quarter, partner, status, note, set_by, set_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (practice_id, quarter, partner) \
                     DO UPDATE SET status = excluded.status, note = excluded.note, set_by = excluded.set_by, \
                     set_at = excluded.set_at",
                )
                .bind(practice_id)
                .bind(quarter)
                .bind(partner)
                .bind(status)
                .bind(note)
                .bind(by)
                .bind(now_timestamp())
                .execute(self.conn())
                .await?;
            }
            None => {
                sqlx::query(
                    "DELETE FROM network_collaboration WHERE practice_id = $1 AND quarter = $2 AND partner = $3",
                )
                .bind(practice_id)
                .bind(quarter)
                .bind(partner)
                .execute(self.conn())
                .await?;
            }
        }
        Ok(())
    }
}
