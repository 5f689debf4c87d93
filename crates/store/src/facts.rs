//! Reading a snapshot back as the domain's [`PatientFacts`], for the reports.

use std::collections::HashMap;

use futures_util::TryStreamExt;
use kernteam_domain::codes::ChainProgram;
use kernteam_domain::figures::{Determinant, Enrolment, Episode, Medication, PatientFacts};

use crate::convert::{code, date, opt_date};
use crate::{Db, StoreError, StoreResult};

#[derive(sqlx::FromRow)]
struct PatientDatesRow {
    his_id: String,
    birth_date: String,
    registration_start: String,
    registration_end: Option<String>,
}

/// A dated line of a snapshot: an episode (icpc), medication (atc) or enrolment (program).
#[derive(sqlx::FromRow)]
struct LineRow {
    his_id: String,
    code: String,
    start_date: String,
    end_date: Option<String>,
}

#[derive(sqlx::FromRow)]
struct DeterminantRow {
    his_id: String,
    labcode: i64,
    date: String,
    value: String,
}

impl Db {
    /// Every patient of a snapshot with their episodes, medication, determinants and
    /// chain-care enrolments. Memory grows with one practice's snapshot, not the region.
    pub async fn snapshot_facts(&self, snapshot_id: i64) -> StoreResult<Vec<PatientFacts>> {
        Ok(self
            .snapshot_facts_keyed(snapshot_id)
            .await?
            .into_iter()
            .map(|(_, f)| f)
            .collect())
    }

    /// [`Db::snapshot_facts`] with each patient's HIS id, in the order of the extract.
    /// Read from the value the import put together ([`crate::facts_blob`]); a snapshot
    /// imported before there was one is read from its rows.
    pub async fn snapshot_facts_keyed(&self, snapshot_id: i64) -> StoreResult<Vec<(String, PatientFacts)>> {
        let stored: Option<(i64, Vec<u8>)> =
            sqlx::query_as("SELECT format, data FROM snapshot_facts WHERE snapshot_id = $1")
                .bind(snapshot_id)
                .fetch_optional(self.pool())
                .await?;
        match stored {
            Some((crate::facts_blob::FORMAT, data)) => crate::facts_blob::decode(&data),
            Some((format, _)) => Err(StoreError::Corrupt(format!("snapshot_facts.format: {format}"))),
            None => self.facts_from_rows(snapshot_id).await,
        }
    }

    /// The facts of a snapshot read from its rows (what the stored value must equal).
    pub async fn facts_from_rows(&self, snapshot_id: i64) -> StoreResult<Vec<(String, PatientFacts)>> {
        self.facts_of(snapshot_id, None).await
    }

    /// One patient's facts as a snapshot describes them; `None` when not in it.
    pub async fn patient_facts(&self, snapshot_id: i64, his_id: &str) -> StoreResult<Option<PatientFacts>> {
        Ok(self
            .facts_of(snapshot_id, Some(his_id))
            .await?
            .into_iter()
            .next()
            .map(|(_, f)| f))
    }

    /// The facts of a snapshot, of everyone or of one patient.
    async fn facts_of(&self, snapshot_id: i64, only: Option<&str>) -> StoreResult<Vec<(String, PatientFacts)>> {
        let pool = self.pool();
        let filter = if only.is_some() { " AND his_id = $2" } else { "" };
        let sql = |select: &str| format!("{select} WHERE snapshot_id = $1{filter}");
        fn bound<'q, R>(
            sql: &'q str,
            snapshot_id: i64,
            only: Option<&str>,
        ) -> sqlx::query::QueryAs<'q, sqlx::Any, R, sqlx::any::AnyArguments<'q>>
        where
            R: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
        {
            let q = sqlx::query_as::<_, R>(sql).bind(snapshot_id);
            match only {
                Some(his_id) => q.bind(his_id.to_string()),
                None => q,
            }
        }
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut facts = Vec::new();
        let mut ids = Vec::new();
        let patients = sql("SELECT his_id, birth_date, registration_start, registration_end FROM snapshot_patients");
        let mut rows = bound::<PatientDatesRow>(&patients, snapshot_id, only).fetch(pool);
        while let Some(r) = rows.try_next().await? {
            index.insert(r.his_id.clone(), facts.len());
            facts.push(PatientFacts::new(
                date("snapshot_patients.birth_date", &r.birth_date)?,
                date("snapshot_patients.registration_start", &r.registration_start)?,
                opt_date("snapshot_patients.registration_end", r.registration_end)?,
            ));
            ids.push(r.his_id);
        }
        drop(rows);

        let find = |his_id: &str| -> StoreResult<usize> {
            index
                .get(his_id)
                .copied()
                .ok_or_else(|| StoreError::Corrupt(format!("patiënt '{his_id}' ontbreekt")))
        };

        let episodes = sql("SELECT his_id, icpc AS code, start_date, end_date FROM snapshot_episodes");
        let mut rows = bound::<LineRow>(&episodes, snapshot_id, only).fetch(pool);
        while let Some(r) = rows.try_next().await? {
            let i = find(&r.his_id)?;
            facts[i].episodes.push(Episode {
                icpc: r.code,
                start: date("snapshot_episodes.start_date", &r.start_date)?,
                end: opt_date("snapshot_episodes.end_date", r.end_date)?,
            });
        }
        drop(rows);

        let medications = sql("SELECT his_id, atc AS code, start_date, end_date FROM snapshot_medications");
        let mut rows = bound::<LineRow>(&medications, snapshot_id, only).fetch(pool);
        while let Some(r) = rows.try_next().await? {
            let i = find(&r.his_id)?;
            facts[i].medications.push(Medication {
                atc: r.code,
                start: date("snapshot_medications.start_date", &r.start_date)?,
                end: opt_date("snapshot_medications.end_date", r.end_date)?,
            });
        }
        drop(rows);

        let determinants = sql("SELECT his_id, labcode, date, value FROM snapshot_determinants");
        let mut rows = bound::<DeterminantRow>(&determinants, snapshot_id, only).fetch(pool);
        while let Some(r) = rows.try_next().await? {
            let i = find(&r.his_id)?;
            facts[i].determinants.push(Determinant {
                labcode: r.labcode,
                date: date("snapshot_determinants.date", &r.date)?,
                value: r.value,
            });
        }
        drop(rows);

        let programs = sql("SELECT his_id, program AS code, start_date, end_date FROM snapshot_programs");
        let mut rows = bound::<LineRow>(&programs, snapshot_id, only).fetch(pool);
        while let Some(r) = rows.try_next().await? {
            let i = find(&r.his_id)?;
            facts[i].programs.push(Enrolment {
                program: code("snapshot_programs.program", &r.code, ChainProgram::from_code)?,
                start: date("snapshot_programs.start_date", &r.start_date)?,
                end: opt_date("snapshot_programs.end_date", r.end_date)?,
            });
        }
        Ok(ids.into_iter().zip(facts).collect())
    }
}

/// When a patient of a snapshot is registered, by their lasting id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub patient_id: i64,
    pub registration_start: chrono::NaiveDate,
    pub registration_end: Option<chrono::NaiveDate>,
}

#[derive(sqlx::FromRow)]
struct RegistrationRow {
    patient_id: i64,
    registration_start: String,
    registration_end: Option<String>,
}

impl Db {
    /// Every patient of a snapshot with their registration: what the recorded figures
    /// need of the snapshot (who counts as included), without the rest of the person.
    pub async fn snapshot_registrations(&self, snapshot_id: i64) -> StoreResult<Vec<Registration>> {
        let rows = sqlx::query_as::<_, RegistrationRow>(
            "SELECT p.id AS patient_id, sp.registration_start, sp.registration_end FROM snapshot_patients sp \
             JOIN snapshots s ON s.id = sp.snapshot_id \
             JOIN patients p ON p.practice_id = s.practice_id AND p.his_id = sp.his_id \
             WHERE sp.snapshot_id = $1",
        )
        .bind(snapshot_id)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(Registration {
                    patient_id: r.patient_id,
                    registration_start: date("snapshot_patients.registration_start", &r.registration_start)?,
                    registration_end: opt_date("snapshot_patients.registration_end", r.registration_end)?,
                })
            })
            .collect()
    }
}
