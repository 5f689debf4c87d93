//! What the worklist keeps beyond the records it is derived from: items ticked off or put
//! off (*marks*), and which care-team members are users (for "my tasks").

use kernteam_domain::worklist::MarkKind;

use crate::change::Change;
use crate::convert::{date, fmt_date, timestamp};
use crate::{now_timestamp, Db, StoreError, StoreResult};

/// A tick-off or snooze as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub patient_id: i64,
    pub item_key: String,
    pub kind: MarkKind,
    pub reason: String,
    pub by_name: String,
    pub at: String,
}

#[derive(sqlx::FromRow)]
struct MarkRow {
    patient_id: i64,
    item_key: String,
    kind: String,
    until_date: Option<String>,
    reason: String,
    by_name: String,
    created_at: String,
}

impl TryFrom<MarkRow> for Mark {
    type Error = StoreError;
    fn try_from(r: MarkRow) -> StoreResult<Mark> {
        let kind = match (r.kind.as_str(), r.until_date) {
            ("afgevinkt", _) => MarkKind::Done,
            ("uitgesteld", Some(until)) => MarkKind::Snoozed(date("worklist_marks.until_date", &until)?),
            (other, _) => {
                return Err(StoreError::Corrupt(format!(
                    "worklist_marks.kind: '{other}' without its date or unknown"
                )))
            }
        };
        Ok(Mark {
            patient_id: r.patient_id,
            item_key: r.item_key,
            kind,
            reason: r.reason,
            by_name: r.by_name,
            at: timestamp("worklist_marks.created_at", r.created_at)?,
        })
    }
}

impl Db {
    /// The marks of a practice's patients, oldest first (so that a later mark of the same
    /// item replaces an earlier one when collected in order).
    pub async fn practice_worklist_marks(&self, practice_id: i64) -> StoreResult<Vec<Mark>> {
        let rows = sqlx::query_as::<_, MarkRow>(
            "SELECT m.patient_id, m.item_key, m.kind, m.until_date, m.reason, u.display_name AS by_name, m.created_at \
             FROM worklist_marks m JOIN users u ON u.id = m.created_by \
             WHERE m.practice_id = $1 ORDER BY m.id",
        )
        .bind(practice_id)
        .fetch_all(self.pool())
        .await?;
        crate::convert::all(rows)
    }

    /// (patient id, care-team member id) of the care-team memberships of a user in one
    /// practice's patients' teams.
    pub async fn practice_memberships_of(&self, practice_id: i64, user_id: i64) -> StoreResult<Vec<(i64, i64)>> {
        Ok(sqlx::query_as::<_, (i64, i64)>(
            "SELECT m.patient_id, m.id FROM care_team_members m JOIN patients p ON p.id = m.patient_id \
             WHERE p.practice_id = $1 AND m.user_id = $2 AND m.removed_at IS NULL ORDER BY m.id",
        )
        .bind(practice_id)
        .bind(user_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// The practice's patients with a mantelzorger on their care team.
    pub async fn practice_mantelzorger_patients(&self, practice_id: i64) -> StoreResult<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT m.patient_id FROM care_team_members m JOIN patients p ON p.id = m.patient_id \
             WHERE p.practice_id = $1 AND m.kind = 'mantelzorger' AND m.removed_at IS NULL ORDER BY m.patient_id",
        )
        .bind(practice_id)
        .fetch_all(self.pool())
        .await?)
    }
}

impl Change {
    /// Records a tick-off or snooze of a patient's worklist item.
    pub async fn mark_work_item(
        &mut self,
        patient_id: i64,
        practice_id: i64,
        item_key: &str,
        kind: MarkKind,
        reason: &str,
        by: i64,
    ) -> StoreResult<i64> {
        let until = match kind {
            MarkKind::Done => None,
            MarkKind::Snoozed(d) => Some(fmt_date(d)),
        };
        Ok(sqlx::query_scalar(
            "INSERT INTO worklist_marks (patient_id, practice_id, item_key, kind, until_date, reason, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(patient_id)
        .bind(practice_id)
        .bind(item_key.to_string())
        .bind(kind.code())
        .bind(until)
        .bind(reason.to_string())
        .bind(by)
        .bind(now_timestamp())
        .fetch_one(self.conn())
        .await?)
    }
}

/// Marks as (key, kind) per patient, for `kernteam_domain::worklist::without_marked`.
pub fn by_patient(marks: &[Mark]) -> std::collections::HashMap<i64, Vec<(String, MarkKind)>> {
    let mut out: std::collections::HashMap<i64, Vec<(String, MarkKind)>> = std::collections::HashMap::new();
    for m in marks {
        let list = out.entry(m.patient_id).or_default();
        list.retain(|(k, _)| *k != m.item_key);
        list.push((m.item_key.clone(), m.kind));
    }
    out
}
