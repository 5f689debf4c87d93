//! What patients and mantelzorgers contribute from the portal: proposals of wishes and
//! goals for the next care plan, and the mantelzorger's own load and support needs.

use kernteam_domain::portal::{CarerLoad, ProposalKind};

use crate::change::Change;
use crate::convert::{all, code, opt_timestamp, timestamp};
use crate::{now_timestamp, Db, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub id: i64,
    pub patient_id: i64,
    pub author_id: i64,
    pub author_name: String,
    pub author_role: String,
    pub kind: ProposalKind,
    pub text: String,
    pub created_at: String,
    /// When the POH-O took it into (or set it aside for) the care plan.
    pub taken_at: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ProposalRow {
    id: i64,
    patient_id: i64,
    author_id: i64,
    author_name: String,
    author_role: String,
    kind: String,
    text: String,
    created_at: String,
    taken_at: Option<String>,
}

impl TryFrom<ProposalRow> for Proposal {
    type Error = StoreError;
    fn try_from(r: ProposalRow) -> StoreResult<Proposal> {
        Ok(Proposal {
            id: r.id,
            patient_id: r.patient_id,
            author_id: r.author_id,
            author_name: r.author_name,
            author_role: r.author_role,
            kind: code("portal_proposals.kind", &r.kind, ProposalKind::from_code)?,
            text: r.text,
            created_at: timestamp("portal_proposals.created_at", r.created_at)?,
            taken_at: opt_timestamp("portal_proposals.taken_at", r.taken_at)?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarerReport {
    pub id: i64,
    pub member_id: Option<i64>,
    pub author_name: String,
    pub load: CarerLoad,
    pub support_need: String,
    pub created_at: String,
}

#[derive(sqlx::FromRow)]
struct CarerRow {
    id: i64,
    member_id: Option<i64>,
    author_name: String,
    load: String,
    support_need: String,
    created_at: String,
}

impl TryFrom<CarerRow> for CarerReport {
    type Error = StoreError;
    fn try_from(r: CarerRow) -> StoreResult<CarerReport> {
        Ok(CarerReport {
            id: r.id,
            member_id: r.member_id,
            author_name: r.author_name,
            load: code("carer_reports.load", &r.load, CarerLoad::from_code)?,
            support_need: r.support_need,
            created_at: timestamp("carer_reports.created_at", r.created_at)?,
        })
    }
}

impl Db {
    /// The patient's proposals, newest first; `open_only`: not yet taken.
    pub async fn proposals(&self, patient_id: i64, open_only: bool) -> StoreResult<Vec<Proposal>> {
        let rows = sqlx::query_as::<_, ProposalRow>(&format!(
            "SELECT p.id, p.patient_id, p.author_id, u.display_name AS author_name, u.role AS author_role, p.kind, \
             p.text, p.created_at, p.taken_at FROM portal_proposals p JOIN users u ON u.id = p.author_id \
             WHERE p.patient_id = $1{} ORDER BY p.id DESC",
            if open_only { " AND p.taken_at IS NULL" } else { "" }
        ))
        .bind(patient_id)
        .fetch_all(self.pool())
        .await?;
        all(rows)
    }

    /// What mantelzorgers of the patient said about their load, newest first.
    pub async fn carer_reports(&self, patient_id: i64) -> StoreResult<Vec<CarerReport>> {
        let rows = sqlx::query_as::<_, CarerRow>(
            "SELECT c.id, c.member_id, u.display_name AS author_name, c.load, c.support_need, c.created_at \
             FROM carer_reports c JOIN users u ON u.id = c.author_id WHERE c.patient_id = $1 ORDER BY c.id DESC",
        )
        .bind(patient_id)
        .fetch_all(self.pool())
        .await?;
        all(rows)
    }
}

impl Change {
    pub async fn add_proposal(&mut self, patient_id: i64, by: i64, kind: ProposalKind, text: &str) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO portal_proposals (patient_id, author_id, kind, text, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(patient_id)
        .bind(by)
        .bind(kind.code())
        .bind(text)
        .bind(now_timestamp())
        .fetch_one(self.conn())
        .await?)
    }

    /// Marks a proposal of this patient as taken into the care plan (or set aside).
    pub async fn take_proposal(&mut self, id: i64, patient_id: i64, by: i64) -> StoreResult<()> {
        let n = sqlx::query(
            "UPDATE portal_proposals SET taken_at = $1, taken_by = $2 WHERE id = $3 AND patient_id = $4 AND taken_at IS NULL",
        )
        .bind(now_timestamp())
        .bind(by)
        .bind(id)
        .bind(patient_id)
        .execute(self.conn())
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn add_carer_report(
        &mut self,
        patient_id: i64,
        member_id: Option<i64>,
        by: i64,
        load: CarerLoad,
        support_need: &str,
    ) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO carer_reports (patient_id, member_id, author_id, load, support_need, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(patient_id)
        .bind(member_id)
        .bind(by)
        .bind(load.code())
        .bind(support_need)
        .bind(now_timestamp())
        .fetch_one(self.conn())
        .await?)
    }
}
