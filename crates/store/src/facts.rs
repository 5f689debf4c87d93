//! Reading a snapshot back as the domain's [`PatientFacts`], for the reports.

use crate::direct_read::Arg;
use crate::{Db, StoreError, StoreResult};
use kernteam_domain::figures::{FiguresOn, PatientFacts};

impl Db {
    /// Every patient of a snapshot with their episodes, medication, determinants and
    /// chain-care enrolments. Memory grows with one practice's snapshot, not the region.
    pub async fn snapshot_facts(&self, snapshot_id: i64) -> StoreResult<Vec<PatientFacts>> {
        let data = self.stored_facts(snapshot_id).await?;
        Ok(crate::facts_blob::decode(&data, false)?
            .into_iter()
            .map(|(_, f)| f)
            .collect())
    }

    /// The extract figures of a snapshot counted as its patients are read: each patient
    /// goes to `on` ([`FiguresOn::add`]) with only the lists it wants
    /// ([`FiguresOn::wants`]), without a vector of them.
    pub async fn count_snapshot_facts(&self, snapshot_id: i64, on: &mut FiguresOn<'_>) -> StoreResult<()> {
        crate::facts_blob::decode_each(&self.stored_facts(snapshot_id).await?, false, on)
    }

    /// [`Db::snapshot_facts`] with each patient's HIS id, in the order of the extract:
    /// the value the import put together ([`crate::facts_blob`]).
    pub async fn snapshot_facts_keyed(&self, snapshot_id: i64) -> StoreResult<Vec<(String, PatientFacts)>> {
        crate::facts_blob::decode(&self.stored_facts(snapshot_id).await?, true)
    }

    /// The stored facts value of a snapshot, read as a page's reads are (on SQLite in
    /// place, from the mapped file: a report reads every practice's; on PostgreSQL on a
    /// native connection).
    async fn stored_facts(&self, snapshot_id: i64) -> StoreResult<Vec<u8>> {
        const SQL: &str = "SELECT format, data FROM snapshot_facts WHERE snapshot_id = $1";
        let stored = match self.bulk_postgres() {
            // PostgreSQL: on a native connection, the value decoded once (through the
            // `Any` driver it is copied into its row and out again).
            Ok(pg) => {
                sqlx::query_as::<_, (i64, Option<Vec<u8>>)>(SQL)
                    .bind(snapshot_id)
                    .fetch_optional(pg)
                    .await?
            }
            Err(_) => {
                self.read_row(SQL, &[Arg::Int(snapshot_id)], |c| Ok((c.int(0)?, c.opt_blob(1)?)))
                    .await?
            }
        };
        match stored {
            Some((crate::facts_blob::FORMAT, Some(data))) => Ok(data),
            Some((crate::facts_blob::FORMAT, None)) => Err(StoreError::Corrupt("snapshot_facts.data: leeg".into())),
            Some((format, _)) => Err(StoreError::Corrupt(format!("snapshot_facts.format: {format}"))),
            None => Err(StoreError::Corrupt(format!(
                "snapshot_facts: snapshot {snapshot_id} heeft geen feiten"
            ))),
        }
    }

    /// The facts of the kept patients of a snapshot read from their records (what the
    /// stored facts must say of them), in no particular order.
    pub async fn facts_from_records(&self, snapshot_id: i64) -> StoreResult<Vec<(String, PatientFacts)>> {
        let values: Vec<Vec<u8>> = sqlx::query_scalar("SELECT data FROM snapshot_records WHERE snapshot_id = $1")
            .bind(snapshot_id)
            .fetch_all(self.pool())
            .await?;
        let mut out = Vec::new();
        for value in &values {
            for s in crate::records_blob::decode(value, true)? {
                out.push((s.person.his_id.clone(), s.facts()));
            }
        }
        Ok(out)
    }

    /// One kept patient's facts as a snapshot describes them; `None` when not in it.
    pub async fn patient_facts(&self, snapshot_id: i64, his_id: &str) -> StoreResult<Option<PatientFacts>> {
        Ok(self.stored_record(snapshot_id, his_id).await?.map(|s| s.facts()))
    }
}

/// When a patient of a snapshot is registered, by their lasting id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub patient_id: i64,
    pub registration_start: chrono::NaiveDate,
    pub registration_end: Option<chrono::NaiveDate>,
}

impl Db {
    /// Every kept patient of a snapshot with their registration: what the recorded
    /// figures need of the snapshot (who counts as included), without the rest.
    pub async fn snapshot_registrations(&self, snapshot_id: i64) -> StoreResult<Vec<Registration>> {
        Ok(self
            .snapshot_people(snapshot_id)
            .await?
            .into_iter()
            .map(|p| Registration {
                patient_id: p.patient_id,
                registration_start: p.registration_start,
                registration_end: p.registration_end,
            })
            .collect())
    }
}
