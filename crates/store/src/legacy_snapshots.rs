//! Snapshots stored before `snapshot_records` (migration 0022) kept a row per extract row
//! in `snapshot_patients` … `snapshot_programs`. On start, [`Db::move_legacy_snapshots`]
//! moves each into records, one transaction per snapshot, and empties those tables: every
//! reader reads records only. Such a database gave every patient a lasting identity, so
//! all its patients stay known and kept.

use std::collections::HashSet;

use kernteam_domain::codes::ChainProgram;

use crate::convert::{code, date, opt_date};
use crate::extracts::{sql, ByHisId, DeterminantRow, EpisodeRow, MedicationRow, PatientRow, ProgramRow, SnapshotRow};
use crate::facts_blob::FORMAT;
use crate::{now_timestamp, Db, StoreResult};

type PatientColumns = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

impl Db {
    /// Moves every snapshot still stored as rows into records; how many were moved.
    pub async fn move_legacy_snapshots(&self) -> StoreResult<usize> {
        let legacy: Vec<(i64, i64, String)> = sqlx::query_as(
            "SELECT id, practice_id, extract_date FROM snapshots WHERE record_buckets IS NULL ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        for (snapshot_id, practice_id, extract_date) in &legacy {
            self.move_legacy_snapshot(*snapshot_id, *practice_id, extract_date)
                .await?;
            tracing::info!(snapshot_id, "snapshot omgezet naar de opslag per patiëntgroep");
        }
        Ok(legacy.len())
    }

    async fn move_legacy_snapshot(&self, snapshot_id: i64, practice_id: i64, extract_date: &str) -> StoreResult<()> {
        let mut tx = self.pool().begin().await?;
        let mut built = ByHisId::default();
        let mut note = |row: SnapshotRow| built.note(&row);

        let patients: Vec<PatientColumns> = sqlx::query_as(
            "SELECT his_id, bsn, family_name, given_name, birth_date, sex, registration_start, registration_end, \
             postal_code, address, city, phone FROM snapshot_patients WHERE snapshot_id = $1",
        )
        .bind(snapshot_id)
        .fetch_all(&mut *tx)
        .await?;
        for p in patients {
            note(SnapshotRow::Patient(PatientRow {
                his_id: p.0,
                bsn: p.1,
                family_name: p.2,
                given_name: p.3,
                birth_date: date("snapshot_patients.birth_date", &p.4)?,
                sex: p.5,
                registration_start: date("snapshot_patients.registration_start", &p.6)?,
                registration_end: opt_date("snapshot_patients.registration_end", p.7)?,
                postal_code: p.8,
                address: p.9,
                city: p.10,
                phone: p.11,
            }));
        }
        type Line = (String, String, String, Option<String>, Option<String>, Option<String>);
        let episodes: Vec<Line> = sqlx::query_as(
            "SELECT his_id, icpc, start_date, end_date, title, CAST(NULL AS TEXT) FROM snapshot_episodes WHERE snapshot_id = $1",
        )
        .bind(snapshot_id)
        .fetch_all(&mut *tx)
        .await?;
        for e in episodes {
            note(SnapshotRow::Episode(EpisodeRow {
                his_id: e.0,
                icpc: e.1,
                start: date("snapshot_episodes.start_date", &e.2)?,
                end: opt_date("snapshot_episodes.end_date", e.3)?,
                title: e.4,
            }));
        }
        let medications: Vec<Line> = sqlx::query_as(
            "SELECT his_id, atc, start_date, end_date, name, dosage FROM snapshot_medications WHERE snapshot_id = $1",
        )
        .bind(snapshot_id)
        .fetch_all(&mut *tx)
        .await?;
        for m in medications {
            note(SnapshotRow::Medication(MedicationRow {
                his_id: m.0,
                atc: m.1,
                start: date("snapshot_medications.start_date", &m.2)?,
                end: opt_date("snapshot_medications.end_date", m.3)?,
                name: m.4,
                dosage: m.5,
            }));
        }
        let determinants: Vec<(String, i64, String, String)> =
            sqlx::query_as("SELECT his_id, labcode, date, value FROM snapshot_determinants WHERE snapshot_id = $1")
                .bind(snapshot_id)
                .fetch_all(&mut *tx)
                .await?;
        for d in determinants {
            note(SnapshotRow::Determinant(DeterminantRow {
                his_id: d.0,
                labcode: d.1,
                date: date("snapshot_determinants.date", &d.2)?,
                value: d.3,
            }));
        }
        let programs: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT his_id, program, start_date, end_date FROM snapshot_programs WHERE snapshot_id = $1",
        )
        .bind(snapshot_id)
        .fetch_all(&mut *tx)
        .await?;
        for p in programs {
            note(SnapshotRow::Program(ProgramRow {
                his_id: p.0,
                program: code("snapshot_programs.program", &p.1, ChainProgram::from_code)?,
                start: date("snapshot_programs.start_date", &p.2)?,
                end: opt_date("snapshot_programs.end_date", p.3)?,
            }));
        }

        let known: HashSet<String> = sqlx::query_scalar::<_, String>(sql::KNOWN)
            .bind(practice_id)
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .collect();
        let built = built.builder;
        let facts = built.facts.encode();
        let stored = built
            .records
            .finish(date("snapshots.extract_date", extract_date)?, &known)?;
        for (bucket, data) in &stored.rows {
            sqlx::query("INSERT INTO snapshot_records (snapshot_id, bucket, data) VALUES ($1, $2, $3)")
                .bind(snapshot_id)
                .bind(bucket)
                .bind(data.as_slice())
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("UPDATE snapshots SET record_buckets = $1 WHERE id = $2")
            .bind(stored.buckets)
            .bind(snapshot_id)
            .execute(&mut *tx)
            .await?;
        let latest = 1
            == sqlx::query_scalar::<_, i64>(sql::LATEST)
                .bind(practice_id)
                .bind(extract_date)
                .fetch_one(&mut *tx)
                .await?;
        let now = now_timestamp();
        let identity = format!(
            "INSERT INTO patients (practice_id, his_id, created_at, bsn) VALUES ($1, $2, $3, $4){}",
            if latest {
                sql::IDENTITY_CONFLICT
            } else {
                sql::IDENTITY_KEEP
            }
        );
        for (his_id, bsn) in &stored.kept {
            sqlx::query(&identity)
                .bind(practice_id)
                .bind(his_id)
                .bind(&now)
                .bind(bsn)
                .execute(&mut *tx)
                .await?;
        }
        let facts_rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM snapshot_facts WHERE snapshot_id = $1")
            .bind(snapshot_id)
            .fetch_one(&mut *tx)
            .await?;
        if facts_rows == 0 {
            sqlx::query(sql::FACTS)
                .bind(snapshot_id)
                .bind(FORMAT)
                .bind(facts)
                .execute(&mut *tx)
                .await?;
        }
        for table in [
            "snapshot_programs",
            "snapshot_determinants",
            "snapshot_medications",
            "snapshot_episodes",
            "snapshot_patients",
        ] {
            sqlx::query(&format!("DELETE FROM {table} WHERE snapshot_id = $1"))
                .bind(snapshot_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
