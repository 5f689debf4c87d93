//! A patient's care team (professionals and informal carers) and its first point of contact.

use crate::change::Change;
use crate::convert::timestamp;
use crate::direct_read::{Arg, Cols};
use crate::patients::{PatientRef, PatientRow};
use crate::{now_timestamp, Db, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamMember {
    pub id: i64,
    /// `professional` or `mantelzorger`.
    pub kind: String,
    pub user_id: Option<i64>,
    pub name: String,
    pub role: Option<String>,
    pub organisation: Option<String>,
    pub relation: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub added_at: String,
}

#[derive(Debug, Clone, Default)]
pub struct NewTeamMember {
    pub kind: String,
    pub user_id: Option<i64>,
    pub name: String,
    pub role: Option<String>,
    pub organisation: Option<String>,
    pub relation: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    id: i64,
    kind: String,
    user_id: Option<i64>,
    name: String,
    role: Option<String>,
    organisation: Option<String>,
    relation: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    added_at: String,
}

impl MemberRow {
    /// The [`MEMBER_COLUMNS`], in their order.
    fn from_cols(c: &dyn Cols) -> StoreResult<TeamMember> {
        TeamMember::try_from(MemberRow {
            id: c.int(0)?,
            kind: c.text(1)?,
            user_id: c.opt_int(2)?,
            name: c.text(3)?,
            role: c.opt_text(4)?,
            organisation: c.opt_text(5)?,
            relation: c.opt_text(6)?,
            phone: c.opt_text(7)?,
            email: c.opt_text(8)?,
            added_at: c.text(9)?,
        })
    }
}

impl TryFrom<MemberRow> for TeamMember {
    type Error = StoreError;
    fn try_from(r: MemberRow) -> StoreResult<TeamMember> {
        Ok(TeamMember {
            id: r.id,
            kind: r.kind,
            user_id: r.user_id,
            name: r.name,
            role: r.role,
            organisation: r.organisation,
            relation: r.relation,
            phone: r.phone,
            email: r.email,
            added_at: timestamp("care_team_members.added_at", r.added_at)?,
        })
    }
}

const MEMBER_COLUMNS: &str =
    "m.id, m.kind, m.user_id, m.name, m.role, m.organisation, m.relation, m.phone, m.email, m.added_at";

#[derive(sqlx::FromRow)]
struct FirstContactRow {
    patient_id: i64,
    name: String,
    role: Option<String>,
}

impl Db {
    /// Whether the user is an active member of the patient's care team.
    pub async fn on_care_team(&self, patient_id: i64, user_id: i64) -> StoreResult<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM care_team_members WHERE patient_id = $1 AND user_id = $2 AND removed_at IS NULL",
        )
        .bind(patient_id)
        .bind(user_id)
        .fetch_one(self.pool())
        .await?;
        Ok(n > 0)
    }

    /// The patients on whose care team the user is.
    pub async fn patients_of_team_member(&self, user_id: i64) -> StoreResult<Vec<PatientRef>> {
        let rows = sqlx::query_as::<_, PatientRow>(
            "SELECT DISTINCT p.id, p.practice_id, p.his_id FROM care_team_members m JOIN patients p ON p.id = m.patient_id \
             WHERE m.user_id = $1 AND m.removed_at IS NULL ORDER BY p.id",
        )
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(PatientRef::from).collect())
    }

    pub async fn team(&self, patient_id: i64) -> StoreResult<Vec<TeamMember>> {
        static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            format!(
                "SELECT {MEMBER_COLUMNS} FROM care_team_members m \
                 WHERE m.patient_id = $1 AND m.removed_at IS NULL ORDER BY m.kind DESC, m.name"
            )
        });
        self.read_rows(&SQL, &[Arg::Int(patient_id)], MemberRow::from_cols)
            .await
    }

    pub async fn first_contact(&self, patient_id: i64) -> StoreResult<Option<TeamMember>> {
        let r = sqlx::query_as::<_, MemberRow>(&format!(
            "SELECT {MEMBER_COLUMNS} FROM first_contacts f JOIN care_team_members m ON m.id = f.member_id \
             WHERE f.patient_id = $1"
        ))
        .bind(patient_id)
        .fetch_optional(self.pool())
        .await?;
        r.map(TeamMember::try_from).transpose()
    }

    /// First points of contact of a practice's patients: (patient id, name, role).
    pub async fn practice_first_contacts(&self, practice_id: i64) -> StoreResult<Vec<(i64, String, Option<String>)>> {
        let rows = sqlx::query_as::<_, FirstContactRow>(
            "SELECT f.patient_id, m.name, m.role FROM first_contacts f JOIN care_team_members m ON m.id = f.member_id \
             JOIN patients p ON p.id = f.patient_id WHERE p.practice_id = $1",
        )
        .bind(practice_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(|r| (r.patient_id, r.name, r.role)).collect())
    }
}

impl Change {
    pub async fn add_team_member(&mut self, patient_id: i64, m: &NewTeamMember, by: i64) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO care_team_members (patient_id, kind, user_id, name, role, organisation, relation, phone, email, added_by, added_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(patient_id)
        .bind(&m.kind)
        .bind(m.user_id)
        .bind(&m.name)
        .bind(&m.role)
        .bind(&m.organisation)
        .bind(&m.relation)
        .bind(&m.phone)
        .bind(&m.email)
        .bind(by)
        .bind(now_timestamp())
        .fetch_one(self.conn())
        .await?)
    }

    /// Ends a membership (kept for the record). Clears the first point of contact if it was them.
    pub async fn remove_team_member(&mut self, patient_id: i64, member_id: i64, by: i64) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE care_team_members SET removed_at = $1 WHERE id = $2 AND patient_id = $3 AND removed_at IS NULL",
        )
        .bind(now_timestamp())
        .bind(member_id)
        .bind(patient_id)
        .execute(self.conn())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        self.end_first_contact_of(patient_id, member_id, by).await
    }
}
