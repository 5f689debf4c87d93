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
        fn bound<'q>(
            sql: &'q str,
            snapshot_id: i64,
            only: Option<&str>,
        ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
            let q = sqlx::query(sql).bind(snapshot_id);
            match only {
                Some(his_id) => q.bind(his_id.to_string()),
                None => q,
            }
        }
        let query = |sql| bound(sql, snapshot_id, only);
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut facts = Vec::new();
        let mut ids = Vec::new();
        let patients = sql("SELECT his_id, birth_date, registration_start, registration_end FROM snapshot_patients");
        let mut rows = query(&patients).fetch(pool);
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

        let episodes = sql("SELECT his_id, icpc, start_date, end_date FROM snapshot_episodes");
        let mut rows = query(&episodes).fetch(pool);
        while let Some(r) = rows.try_next().await? {
            let i = find(&r.try_get::<String, _>(0)?)?;
            facts[i].episodes.push(Episode {
                icpc: r.try_get(1)?,
                start: parse_stored_date(&r.try_get::<String, _>(2)?)?,
                end: parse_stored_opt_date(r.try_get(3)?)?,
            });
        }
        drop(rows);

        let medications = sql("SELECT his_id, atc, start_date, end_date FROM snapshot_medications");
        let mut rows = query(&medications).fetch(pool);
        while let Some(r) = rows.try_next().await? {
            let i = find(&r.try_get::<String, _>(0)?)?;
            facts[i].medications.push(Medication {
                atc: r.try_get(1)?,
                start: parse_stored_date(&r.try_get::<String, _>(2)?)?,
                end: parse_stored_opt_date(r.try_get(3)?)?,
            });
        }
        drop(rows);

        let determinants = sql("SELECT his_id, labcode, date, value FROM snapshot_determinants");
        let mut rows = query(&determinants).fetch(pool);
        while let Some(r) = rows.try_next().await? {
            let i = find(&r.try_get::<String, _>(0)?)?;
            facts[i].determinants.push(Determinant {
                labcode: r.try_get(1)?,
                date: parse_stored_date(&r.try_get::<String, _>(2)?)?,
                value: r.try_get(3)?,
            });
        }
        drop(rows);

        let programs = sql("SELECT his_id, program, start_date, end_date FROM snapshot_programs");
        let mut rows = query(&programs).fetch(pool);
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
