//! Reading a snapshot back as the domain's [`PatientFacts`], for the reports.

use std::collections::HashMap;

use futures_util::TryStreamExt;
use kernteam_domain::codes::ChainProgram;
use kernteam_domain::figures::{Determinant, Enrolment, Episode, Medication, PatientFacts};
use sqlx::Row;

use crate::{parse_stored_date, parse_stored_opt_date, Db, StoreError, StoreResult};

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

    /// [`Db::snapshot_facts`] with each patient's HIS id.
    pub async fn snapshot_facts_keyed(&self, snapshot_id: i64) -> StoreResult<Vec<(String, PatientFacts)>> {
        let pool = self.pool();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut facts = Vec::new();
        let mut ids = Vec::new();
        let mut rows = sqlx::query(
            "SELECT his_id, birth_date, registration_start, registration_end FROM snapshot_patients WHERE snapshot_id = $1",
        )
        .bind(snapshot_id)
        .fetch(pool);
        while let Some(r) = rows.try_next().await? {
            let his_id: String = r.try_get(0)?;
            index.insert(his_id.clone(), facts.len());
            ids.push(his_id);
            facts.push(PatientFacts::new(
                parse_stored_date(&r.try_get::<String, _>(1)?)?,
                parse_stored_date(&r.try_get::<String, _>(2)?)?,
                parse_stored_opt_date(r.try_get(3)?)?,
            ));
        }
        drop(rows);

        let find = |his_id: &str| -> StoreResult<usize> {
            index
                .get(his_id)
                .copied()
                .ok_or_else(|| StoreError::Corrupt(format!("patiënt '{his_id}' ontbreekt")))
        };

        let mut rows =
            sqlx::query("SELECT his_id, icpc, start_date, end_date FROM snapshot_episodes WHERE snapshot_id = $1")
                .bind(snapshot_id)
                .fetch(pool);
        while let Some(r) = rows.try_next().await? {
            let i = find(&r.try_get::<String, _>(0)?)?;
            facts[i].episodes.push(Episode {
                icpc: r.try_get(1)?,
                start: parse_stored_date(&r.try_get::<String, _>(2)?)?,
                end: parse_stored_opt_date(r.try_get(3)?)?,
            });
        }
        drop(rows);

        let mut rows =
            sqlx::query("SELECT his_id, atc, start_date, end_date FROM snapshot_medications WHERE snapshot_id = $1")
                .bind(snapshot_id)
                .fetch(pool);
        while let Some(r) = rows.try_next().await? {
            let i = find(&r.try_get::<String, _>(0)?)?;
            facts[i].medications.push(Medication {
                atc: r.try_get(1)?,
                start: parse_stored_date(&r.try_get::<String, _>(2)?)?,
                end: parse_stored_opt_date(r.try_get(3)?)?,
            });
        }
        drop(rows);

        let mut rows =
            sqlx::query("SELECT his_id, labcode, date, value FROM snapshot_determinants WHERE snapshot_id = $1")
                .bind(snapshot_id)
                .fetch(pool);
        while let Some(r) = rows.try_next().await? {
            let i = find(&r.try_get::<String, _>(0)?)?;
            facts[i].determinants.push(Determinant {
                labcode: r.try_get(1)?,
                date: parse_stored_date(&r.try_get::<String, _>(2)?)?,
                value: r.try_get(3)?,
            });
        }
        drop(rows);

        let mut rows =
            sqlx::query("SELECT his_id, program, start_date, end_date FROM snapshot_programs WHERE snapshot_id = $1")
                .bind(snapshot_id)
                .fetch(pool);
        while let Some(r) = rows.try_next().await? {
            let i = find(&r.try_get::<String, _>(0)?)?;
            let code: String = r.try_get(1)?;
            let program =
                ChainProgram::from_code(&code).ok_or_else(|| StoreError::Corrupt(format!("programma '{code}'")))?;
            facts[i].programs.push(Enrolment {
                program,
                start: parse_stored_date(&r.try_get::<String, _>(2)?)?,
                end: parse_stored_opt_date(r.try_get(3)?)?,
            });
        }
        Ok(ids.into_iter().zip(facts).collect())
    }
}
