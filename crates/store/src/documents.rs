//! Versioned documents of a patient: the care plan and the PZP (proactive care planning).
//! Every save is a new version; a save based on an outdated version is refused.

use crate::change::Change;
use crate::convert::timestamp;
use crate::{now_timestamp, Db, StoreError, StoreResult};

/// One version of a versioned document (the care plan or the PZP).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarePlanVersion {
    pub version: i64,
    pub content: String,
    pub summary: String,
    pub created_by_name: String,
    pub created_at: String,
}

/// Which versioned document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    CarePlan,
    Pzp,
}

impl Document {
    pub(crate) fn table(self) -> &'static str {
        match self {
            Document::CarePlan => "care_plan_versions",
            Document::Pzp => "pzp_versions",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Document::CarePlan => "Het zorgplan",
            Document::Pzp => "De proactieve zorgplanning",
        }
    }
}

/// The columns `version, content, summary, created_by_name, created_at` of a version table.
#[derive(sqlx::FromRow)]
pub(crate) struct VersionRow {
    version: i64,
    content: String,
    summary: String,
    created_by_name: String,
    created_at: String,
}

impl VersionRow {
    pub(crate) fn into_version(self, doc: Document) -> StoreResult<CarePlanVersion> {
        Ok(CarePlanVersion {
            version: self.version,
            content: self.content,
            summary: self.summary,
            created_by_name: self.created_by_name,
            created_at: timestamp(&format!("{}.created_at", doc.table()), self.created_at)?,
        })
    }

    /// A version whose columns may all be NULL (none saved yet): `None` when `version` is.
    pub(crate) fn optional(
        doc: Document,
        version: Option<i64>,
        content: Option<String>,
        summary: Option<String>,
        created_by_name: Option<String>,
        created_at: Option<String>,
    ) -> StoreResult<Option<CarePlanVersion>> {
        let Some(version) = version else { return Ok(None) };
        let required = |column: &str, v: Option<String>| {
            v.ok_or_else(|| StoreError::Corrupt(format!("{}.{column}: leeg", doc.table())))
        };
        VersionRow {
            version,
            content: required("content", content)?,
            summary: required("summary", summary)?,
            created_by_name: required("created_by_name", created_by_name)?,
            created_at: required("created_at", created_at)?,
        }
        .into_version(doc)
        .map(Some)
    }
}

#[derive(sqlx::FromRow)]
struct PatientVersionRow {
    patient_id: i64,
    #[sqlx(flatten)]
    version: VersionRow,
}

/// A new version of a document, written inside a caller's transaction.
#[derive(Debug, Clone, Copy)]
pub struct NewVersion<'a> {
    pub doc: Document,
    /// The version the editor started from (0 for none).
    pub based_on: i64,
    pub content: &'a str,
    pub summary: &'a str,
    pub user_id: i64,
    pub user_name: &'a str,
}

impl NewVersion<'_> {
    /// Writes the version; `Conflict` when someone else saved since `based_on`.
    pub(crate) async fn insert(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        patient_id: i64,
    ) -> StoreResult<i64> {
        let table = self.doc.table();
        let current: i64 = sqlx::query_scalar(&format!(
            "SELECT COALESCE(MAX(version), 0) FROM {table} WHERE patient_id = $1"
        ))
        .bind(patient_id)
        .fetch_one(&mut **tx)
        .await?;
        let conflict = || {
            StoreError::Conflict(format!(
                "{} is intussen door iemand anders gewijzigd (versie {current}); bekijk de nieuwe versie en breng uw wijziging opnieuw aan.",
                self.doc.name()
            ))
        };
        if current != self.based_on {
            return Err(conflict());
        }
        let version = current + 1;
        sqlx::query(&format!(
            "INSERT INTO {table} (patient_id, version, content, summary, created_by, created_by_name, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)"
        ))
        .bind(patient_id)
        .bind(version)
        .bind(self.content)
        .bind(self.summary)
        .bind(self.user_id)
        .bind(self.user_name)
        .bind(now_timestamp())
        .execute(&mut **tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => conflict(),
            _ => e.into(),
        })?;
        Ok(version)
    }
}

const VERSION_COLUMNS: &str = "version, content, summary, created_by_name, created_at";

impl Db {
    /// All versions of a document, newest first.
    pub async fn versions(&self, doc: Document, patient_id: i64) -> StoreResult<Vec<CarePlanVersion>> {
        self.read_rows(
            &format!(
                "SELECT {VERSION_COLUMNS} FROM {} WHERE patient_id = $1 ORDER BY version DESC",
                doc.table()
            ),
            &[crate::direct_read::Arg::Int(patient_id)],
            |c| {
                VersionRow {
                    version: c.int(0)?,
                    content: c.text(1)?,
                    summary: c.text(2)?,
                    created_by_name: c.text(3)?,
                    created_at: c.text(4)?,
                }
                .into_version(doc)
            },
        )
        .await
    }

    /// The newest version of a document, if any (without loading the older ones).
    pub async fn latest_version(&self, doc: Document, patient_id: i64) -> StoreResult<Option<CarePlanVersion>> {
        let r = sqlx::query_as::<_, VersionRow>(&format!(
            "SELECT {VERSION_COLUMNS} FROM {} WHERE patient_id = $1 ORDER BY version DESC LIMIT 1",
            doc.table()
        ))
        .bind(patient_id)
        .fetch_optional(self.pool())
        .await?;
        r.map(|r| r.into_version(doc)).transpose()
    }

    /// Patients of a practice that have a version of the document.
    pub async fn practice_document_patients(&self, doc: Document, practice_id: i64) -> StoreResult<Vec<i64>> {
        Ok(sqlx::query_scalar(&format!(
            "SELECT DISTINCT c.patient_id FROM {} c JOIN patients p ON p.id = c.patient_id WHERE p.practice_id = $1",
            doc.table()
        ))
        .bind(practice_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// The current (latest) version of a document for every patient of a practice that
    /// has one: (patient id, version), in patient order. One query for the whole practice.
    pub async fn practice_current_versions(
        &self,
        doc: Document,
        practice_id: i64,
    ) -> StoreResult<Vec<(i64, CarePlanVersion)>> {
        let table = doc.table();
        let rows = sqlx::query_as::<_, PatientVersionRow>(&format!(
            "SELECT c.patient_id, c.version, c.content, c.summary, c.created_by_name, c.created_at FROM {table} c \
             JOIN patients p ON p.id = c.patient_id \
             WHERE p.practice_id = $1 AND c.version = (SELECT MAX(x.version) FROM {table} x WHERE x.patient_id = c.patient_id) \
             ORDER BY c.patient_id"
        ))
        .bind(practice_id)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| Ok((r.patient_id, r.version.into_version(doc)?)))
            .collect()
    }

    /// Patients of a practice that have a care plan.
    pub async fn practice_care_plan_patients(&self, practice_id: i64) -> StoreResult<Vec<i64>> {
        self.practice_document_patients(Document::CarePlan, practice_id).await
    }

    /// All versions of the care plan, newest first.
    pub async fn care_plan_versions(&self, patient_id: i64) -> StoreResult<Vec<CarePlanVersion>> {
        self.versions(Document::CarePlan, patient_id).await
    }
}

impl Change {
    /// Saves a new version of a document. `based_on` is the version the editor started from
    /// (0 for none); when someone else saved in between, nothing is written (`Conflict`).
    #[allow(clippy::too_many_arguments)]
    pub async fn save_version(
        &mut self,
        doc: Document,
        patient_id: i64,
        based_on: i64,
        content: &str,
        summary: &str,
        user_id: i64,
        user_name: &str,
    ) -> StoreResult<i64> {
        let version = NewVersion {
            doc,
            based_on,
            content,
            summary,
            user_id,
            user_name,
        }
        .insert(self.tx(), patient_id)
        .await?;
        Ok(version)
    }

    /// Saves a new version of the care plan (see [`Change::save_version`]).
    pub async fn save_care_plan(
        &mut self,
        patient_id: i64,
        based_on: i64,
        content: &str,
        summary: &str,
        user_id: i64,
        user_name: &str,
    ) -> StoreResult<i64> {
        self.save_version(
            Document::CarePlan,
            patient_id,
            based_on,
            content,
            summary,
            user_id,
            user_name,
        )
        .await
    }
}
