//! Writing a practice's extract as one snapshot, all or nothing, and listing snapshots.

use chrono::NaiveDate;
use kernteam_domain::codes::ChainProgram;
use sqlx::{Any, Row, Transaction};

use crate::{now_timestamp, parse_stored_date, Backend, Db, StoreResult};

/// Rows per multi-row INSERT. With at most 13 parameters a row this stays far below
/// SQLite's 32,766 and PostgreSQL's 65,535 bind parameters.
const BATCH_ROWS: usize = 500;

pub struct PatientRow {
    pub his_id: String,
    pub bsn: Option<String>,
    pub family_name: Option<String>,
    pub given_name: Option<String>,
    pub birth_date: NaiveDate,
    pub sex: Option<String>,
    pub registration_start: NaiveDate,
    pub registration_end: Option<NaiveDate>,
    pub postal_code: Option<String>,
    /// Street and house number (optional column; may be empty under 70).
    pub address: Option<String>,
    pub city: Option<String>,
    pub phone: Option<String>,
}

pub struct EpisodeRow {
    pub his_id: String,
    pub icpc: String,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub title: Option<String>,
}

pub struct MedicationRow {
    pub his_id: String,
    pub atc: String,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    /// The product or substance as the HIS writes it (optional column).
    pub name: Option<String>,
    /// The instructions as text, `1 dd 1 tablet` (optional column).
    pub dosage: Option<String>,
}

pub struct DeterminantRow {
    pub his_id: String,
    pub labcode: i64,
    pub date: NaiveDate,
    pub value: String,
}

pub struct ProgramRow {
    pub his_id: String,
    pub program: ChainProgram,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
}

enum Arg {
    Text(Option<String>),
    Int(i64),
}

fn date(d: NaiveDate) -> Arg {
    Arg::Text(Some(d.format("%Y-%m-%d").to_string()))
}

fn opt_date(d: Option<NaiveDate>) -> Arg {
    Arg::Text(d.map(|d| d.format("%Y-%m-%d").to_string()))
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Table {
    Patients = 0,
    Episodes = 1,
    Medications = 2,
    Determinants = 3,
    Programs = 4,
}

const TABLES: [(Table, &str, &[&str]); 5] = [
    (
        Table::Patients,
        "snapshot_patients",
        &[
            "his_id",
            "bsn",
            "family_name",
            "given_name",
            "birth_date",
            "sex",
            "registration_start",
            "registration_end",
            "postal_code",
            "address",
            "city",
            "phone",
        ],
    ),
    (
        Table::Episodes,
        "snapshot_episodes",
        &["his_id", "icpc", "start_date", "end_date", "title"],
    ),
    (
        Table::Medications,
        "snapshot_medications",
        &["his_id", "atc", "start_date", "end_date", "name", "dosage"],
    ),
    (
        Table::Determinants,
        "snapshot_determinants",
        &["his_id", "labcode", "date", "value"],
    ),
    (
        Table::Programs,
        "snapshot_programs",
        &["his_id", "program", "start_date", "end_date"],
    ),
];

/// `INSERT INTO t (snapshot_id, c1, …) VALUES (…), (…)` for `rows` rows.
fn insert_sql(backend: Backend, table: &str, columns: &[&str], rows: usize) -> String {
    let mut all = vec!["snapshot_id"];
    all.extend_from_slice(columns);
    crate::multi_row_insert(backend, table, &all, rows)
}

/// What identifies one extract.
#[derive(Debug, Clone)]
pub struct SnapshotHeader {
    pub agb_code: String,
    pub practice_name: String,
    pub extract_date: NaiveDate,
    /// Where it came from (a path), for the record.
    pub source: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowCounts {
    pub patients: u64,
    pub episodes: u64,
    pub medications: u64,
    pub determinants: u64,
    pub programs: u64,
}

impl RowCounts {
    pub fn total(&self) -> u64 {
        self.patients + self.episodes + self.medications + self.determinants + self.programs
    }
}

#[derive(Debug, Clone)]
pub struct SnapshotSummary {
    pub snapshot_id: i64,
    pub practice_id: i64,
    /// An earlier import of the same practice and date was replaced.
    pub replaced: bool,
    pub rows: RowCounts,
}

/// One extract being written inside a single transaction. Rows are buffered and written in
/// multi-row INSERTs; [`SnapshotWriter::finish`] commits. Dropping the writer without
/// finishing rolls everything back, including the replacement of an earlier snapshot.
pub struct SnapshotWriter {
    tx: Transaction<'static, Any>,
    practice_id: i64,
    snapshot_id: i64,
    replaced: bool,
    backend: Backend,
    buffers: [Vec<Arg>; 5],
    full_batch_sql: [String; 5],
    rows: RowCounts,
}

impl Db {
    /// Starts writing a snapshot: creates the practice if new and removes an earlier
    /// snapshot of the same practice and `extract_date` (inside the transaction).
    pub async fn begin_snapshot(&self, header: &SnapshotHeader) -> StoreResult<SnapshotWriter> {
        let mut tx = self.pool().begin().await?;
        let now = now_timestamp();
        let practice_id: i64 = sqlx::query_scalar(
            "INSERT INTO practices (agb_code, name, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (agb_code) DO UPDATE SET name = excluded.name RETURNING id",
        )
        .bind(&header.agb_code)
        .bind(&header.practice_name)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        let day = header.extract_date.format("%Y-%m-%d").to_string();
        let earlier: Option<i64> =
            sqlx::query_scalar("SELECT id FROM snapshots WHERE practice_id = $1 AND extract_date = $2")
                .bind(practice_id)
                .bind(&day)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some(id) = earlier {
            for (_, table, _) in TABLES.iter().rev() {
                sqlx::query(&format!("DELETE FROM {table} WHERE snapshot_id = $1"))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query("DELETE FROM snapshots WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        let snapshot_id: i64 = sqlx::query_scalar(
            "INSERT INTO snapshots (practice_id, extract_date, imported_at, source) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(practice_id)
        .bind(&day)
        .bind(&now)
        .bind(&header.source)
        .fetch_one(&mut *tx)
        .await?;
        Ok(SnapshotWriter {
            tx,
            practice_id,
            snapshot_id,
            replaced: earlier.is_some(),
            buffers: Default::default(),
            backend: self.backend(),
            full_batch_sql: TABLES.map(|(_, t, c)| insert_sql(self.backend(), t, c, BATCH_ROWS)),
            rows: RowCounts::default(),
        })
    }
}

impl SnapshotWriter {
    pub fn snapshot_id(&self) -> i64 {
        self.snapshot_id
    }

    /// Records the practice's address and phone from its extract (optional columns of
    /// `practice.csv`): what is empty stays as it was.
    pub async fn practice_contact(&mut self, c: &crate::people::PracticeContact) -> StoreResult<()> {
        sqlx::query(
            "UPDATE practices SET address = COALESCE($1, address), city = COALESCE($2, city), \
             phone = COALESCE($3, phone) WHERE id = $4",
        )
        .bind(&c.address)
        .bind(&c.city)
        .bind(&c.phone)
        .bind(self.practice_id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    async fn push(&mut self, table: Table, args: impl IntoIterator<Item = Arg>) -> StoreResult<()> {
        let buf = &mut self.buffers[table as usize];
        buf.extend(args);
        if buf.len() >= BATCH_ROWS * TABLES[table as usize].2.len() {
            self.flush(table).await?;
        }
        Ok(())
    }

    async fn flush(&mut self, table: Table) -> StoreResult<()> {
        let (_, name, columns) = TABLES[table as usize];
        let args = std::mem::take(&mut self.buffers[table as usize]);
        if args.is_empty() {
            return Ok(());
        }
        let rows = args.len() / columns.len();
        let partial_sql;
        let sql = if rows == BATCH_ROWS {
            &self.full_batch_sql[table as usize]
        } else {
            partial_sql = insert_sql(self.backend, name, columns, rows);
            &partial_sql
        };
        let mut query = sqlx::query(sql);
        for (i, arg) in args.into_iter().enumerate() {
            if i % columns.len() == 0 {
                query = query.bind(self.snapshot_id);
            }
            query = match arg {
                Arg::Text(t) => query.bind(t),
                Arg::Int(i) => query.bind(i),
            };
        }
        query.execute(&mut *self.tx).await?;
        Ok(())
    }

    pub async fn patient(&mut self, r: PatientRow) -> StoreResult<()> {
        self.rows.patients += 1;
        let args = [
            Arg::Text(Some(r.his_id)),
            Arg::Text(r.bsn),
            Arg::Text(r.family_name),
            Arg::Text(r.given_name),
            date(r.birth_date),
            Arg::Text(r.sex),
            date(r.registration_start),
            opt_date(r.registration_end),
            Arg::Text(r.postal_code),
            Arg::Text(r.address),
            Arg::Text(r.city),
            Arg::Text(r.phone),
        ];
        self.push(Table::Patients, args).await
    }

    pub async fn episode(&mut self, r: EpisodeRow) -> StoreResult<()> {
        self.rows.episodes += 1;
        let args = [
            Arg::Text(Some(r.his_id)),
            Arg::Text(Some(r.icpc)),
            date(r.start),
            opt_date(r.end),
            Arg::Text(r.title),
        ];
        self.push(Table::Episodes, args).await
    }

    pub async fn medication(&mut self, r: MedicationRow) -> StoreResult<()> {
        self.rows.medications += 1;
        let args = [
            Arg::Text(Some(r.his_id)),
            Arg::Text(Some(r.atc)),
            date(r.start),
            opt_date(r.end),
            Arg::Text(r.name),
            Arg::Text(r.dosage),
        ];
        self.push(Table::Medications, args).await
    }

    pub async fn determinant(&mut self, r: DeterminantRow) -> StoreResult<()> {
        self.rows.determinants += 1;
        let args = [
            Arg::Text(Some(r.his_id)),
            Arg::Int(r.labcode),
            date(r.date),
            Arg::Text(Some(r.value)),
        ];
        self.push(Table::Determinants, args).await
    }

    pub async fn program(&mut self, r: ProgramRow) -> StoreResult<()> {
        self.rows.programs += 1;
        let args = [
            Arg::Text(Some(r.his_id)),
            Arg::Text(Some(r.program.code().to_string())),
            date(r.start),
            opt_date(r.end),
        ];
        self.push(Table::Programs, args).await
    }

    /// Writes what is buffered, gives every patient of the snapshot its lasting identity in
    /// `patients`, records the row counts and commits.
    pub async fn finish(mut self) -> StoreResult<SnapshotSummary> {
        for (table, _, _) in TABLES {
            self.flush(table).await?;
        }
        sqlx::query(
            "INSERT INTO patients (practice_id, his_id, created_at) \
             SELECT $1, his_id, $2 FROM snapshot_patients WHERE snapshot_id = $3 \
             ON CONFLICT (practice_id, his_id) DO NOTHING",
        )
        .bind(self.practice_id)
        .bind(now_timestamp())
        .bind(self.snapshot_id)
        .execute(&mut *self.tx)
        .await?;
        let r = &self.rows;
        sqlx::query(
            "UPDATE snapshots SET patient_rows = $1, episode_rows = $2, medication_rows = $3, \
             determinant_rows = $4, program_rows = $5 WHERE id = $6",
        )
        .bind(r.patients as i64)
        .bind(r.episodes as i64)
        .bind(r.medications as i64)
        .bind(r.determinants as i64)
        .bind(r.programs as i64)
        .bind(self.snapshot_id)
        .execute(&mut *self.tx)
        .await?;
        self.tx.commit().await?;
        Ok(SnapshotSummary {
            snapshot_id: self.snapshot_id,
            practice_id: self.practice_id,
            replaced: self.replaced,
            rows: self.rows,
        })
    }

    /// Abandons the snapshot: nothing of it, nor of a replacement, is kept.
    pub async fn rollback(self) -> StoreResult<()> {
        self.tx.rollback().await?;
        Ok(())
    }
}

/// A stored snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotRef {
    pub id: i64,
    pub practice_id: i64,
    pub agb_code: String,
    pub practice_name: String,
    pub extract_date: NaiveDate,
    pub rows: RowCounts,
}

impl Db {
    /// Every snapshot, by practice AGB code and date.
    pub async fn snapshots(&self) -> StoreResult<Vec<SnapshotRef>> {
        let rows = sqlx::query(
            "SELECT s.id, s.practice_id, p.agb_code, p.name, s.extract_date, s.patient_rows, s.episode_rows, \
             s.medication_rows, s.determinant_rows, s.program_rows \
             FROM snapshots s JOIN practices p ON p.id = s.practice_id ORDER BY p.agb_code, s.extract_date",
        )
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(SnapshotRef {
                    id: r.try_get(0)?,
                    practice_id: r.try_get(1)?,
                    agb_code: r.try_get(2)?,
                    practice_name: r.try_get(3)?,
                    extract_date: parse_stored_date(&r.try_get::<String, _>(4)?)?,
                    rows: RowCounts {
                        patients: r.try_get::<i64, _>(5)? as u64,
                        episodes: r.try_get::<i64, _>(6)? as u64,
                        medications: r.try_get::<i64, _>(7)? as u64,
                        determinants: r.try_get::<i64, _>(8)? as u64,
                        programs: r.try_get::<i64, _>(9)? as u64,
                    },
                })
            })
            .collect()
    }
}
