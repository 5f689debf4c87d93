//! Writing a practice's extract as one snapshot, all or nothing, and listing snapshots.
//!
//! An import is the bulk of all writing Kernteam does. Its rows are put together in memory
//! as they stream by ([`buffer`]): the facts per patient for the reports
//! ([`crate::facts_blob`]) and the kept records, a few patients to a stored value
//! ([`crate::records_blob`]); then each backend's writer ([`pg_write`], [`sqlite_bulk`])
//! stores them around the same statements ([`sql`]) in one short transaction.

mod buffer;
mod builder;
pub mod lines;
mod log_checkpoints;
mod pg_write;
pub(crate) mod sqlite_bulk;

pub(crate) use builder::ByHisId;
pub use builder::SnapshotBuilder;
pub use log_checkpoints::LogCheckpoints;

use chrono::NaiveDate;
use kernteam_domain::codes::ChainProgram;
use sqlx::Row;

use crate::{parse_stored_date, Backend, Db, StoreError, StoreResult};

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

/// One row of an extract, for [`SnapshotWriter::write`].
pub enum SnapshotRow {
    Patient(PatientRow),
    Episode(EpisodeRow),
    Medication(MedicationRow),
    Determinant(DeterminantRow),
    Program(ProgramRow),
}

impl PatientRow {
    /// The row as the line [`SnapshotBuilder::patient`] takes.
    pub fn line(&self) -> lines::Patient<'_> {
        lines::Patient {
            his_id: &self.his_id,
            bsn: self.bsn.as_deref(),
            family_name: self.family_name.as_deref(),
            given_name: self.given_name.as_deref(),
            birth_date: self.birth_date,
            sex: self.sex.as_deref(),
            registration_start: self.registration_start,
            registration_end: self.registration_end,
            postal_code: self.postal_code.as_deref(),
            address: self.address.as_deref(),
            city: self.city.as_deref(),
            phone: self.phone.as_deref(),
        }
    }
}

/// The statements both writers run around the rows (`$n` placeholders; the SQLite writer
/// numbers them `?n`).
pub(crate) mod sql {
    pub const UPSERT_PRACTICE: &str = "INSERT INTO practices (agb_code, name, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (agb_code) DO UPDATE SET name = excluded.name RETURNING id";
    pub const EARLIER: &str = "SELECT id FROM snapshots WHERE practice_id = $1 AND extract_date = $2";
    /// Everything of an earlier snapshot, children first (the row tables of snapshots
    /// stored before `snapshot_records`, emptied on start by [`crate::legacy_snapshots`],
    /// included).
    pub const DELETE_EARLIER: [&str; 8] = [
        "DELETE FROM snapshot_facts WHERE snapshot_id = $1",
        "DELETE FROM snapshot_records WHERE snapshot_id = $1",
        "DELETE FROM snapshot_programs WHERE snapshot_id = $1",
        "DELETE FROM snapshot_determinants WHERE snapshot_id = $1",
        "DELETE FROM snapshot_medications WHERE snapshot_id = $1",
        "DELETE FROM snapshot_episodes WHERE snapshot_id = $1",
        "DELETE FROM snapshot_patients WHERE snapshot_id = $1",
        "DELETE FROM snapshots WHERE id = $1",
    ];
    pub const INSERT_SNAPSHOT: &str =
        "INSERT INTO snapshots (practice_id, extract_date, imported_at, source, record_buckets) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id";
    pub const CONTACT: &str = "UPDATE practices SET address = COALESCE($1, address), city = COALESCE($2, city), \
         phone = COALESCE($3, phone) WHERE id = $4";
    /// The HIS ids the practice already has a lasting identity for (their records are kept).
    pub const KNOWN: &str = "SELECT his_id FROM patients WHERE practice_id = $1";
    /// 1 when the snapshot is the practice's latest (its BSNs are the current ones), else 0.
    pub const LATEST: &str = "SELECT CAST(CASE WHEN EXISTS (SELECT 1 FROM snapshots WHERE practice_id = $1 \
         AND extract_date > $2) THEN 0 ELSE 1 END AS BIGINT)";
    /// What follows `VALUES (…), …` or `SELECT … FROM UNNEST(…)` in the insert of the
    /// lasting identities: a snapshot that is the practice's latest sets their BSN
    /// (`IDENTITY_CONFLICT`), an older one leaves it (`IDENTITY_KEEP`).
    pub const IDENTITY_CONFLICT: &str = " ON CONFLICT (practice_id, his_id) DO UPDATE SET bsn = excluded.bsn \
         WHERE patients.bsn IS DISTINCT FROM excluded.bsn";
    pub const IDENTITY_KEEP: &str = " ON CONFLICT (practice_id, his_id) DO NOTHING";
    pub const COUNTS: &str = "UPDATE snapshots SET patient_rows = $1, episode_rows = $2, medication_rows = $3, \
         determinant_rows = $4, program_rows = $5 WHERE id = $6";
    pub const FACTS: &str = "INSERT INTO snapshot_facts (snapshot_id, format, data) VALUES ($1, $2, $3)";
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

/// One extract being written: its rows go in batches to a thread that puts the kept
/// records and the facts together while the reader parses the next rows
/// ([`buffer`]); [`SnapshotWriter::finish`] then writes the snapshot in one short
/// transaction ([`sqlite_bulk`] on SQLite, [`pg_write`] on PostgreSQL). Nothing touches the
/// database before that, so dropping the writer leaves it exactly as it was, and several
/// extracts can be read at once.
pub struct SnapshotWriter {
    db: Db,
    header: SnapshotHeader,
    buffer: buffer::BufferEnds,
}

impl Db {
    /// Starts writing a snapshot of a practice's extract (the practice is created if new,
    /// and an earlier snapshot of the same practice and `extract_date` replaced, when it
    /// is finished).
    pub async fn begin_snapshot(&self, header: &SnapshotHeader) -> StoreResult<SnapshotWriter> {
        if self.backend() == Backend::Sqlite {
            sqlite_bulk::database_file(self.url())?;
        }
        Ok(SnapshotWriter {
            db: self.clone(),
            header: header.clone(),
            buffer: buffer::start()?,
        })
    }
}

impl Db {
    /// The HIS ids the practice with `agb_code` has a lasting identity for (none when the
    /// practice is new), for [`SnapshotBuilder::plan`].
    pub async fn known_his_ids(&self, agb_code: &str) -> StoreResult<std::collections::HashSet<String>> {
        // A new file being built holds only what this process wrote (a stale answer, should
        // a write of the practice begin meanwhile, is caught at the write: `Changed`).
        if self.is_new_file() && !self.new_file_has_practice(agb_code, false) {
            return Ok(Default::default());
        }
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT p.his_id FROM patients p JOIN practices pr ON pr.id = p.practice_id WHERE pr.agb_code = $1",
        )
        .bind(agb_code)
        .fetch_all(self.pool())
        .await?;
        Ok(ids.into_iter().collect())
    }
}

impl SnapshotWriter {
    /// Records the practice's address and phone from its extract (optional columns of
    /// `practice.csv`): what is empty stays as it was.
    pub async fn practice_contact(&mut self, c: &crate::people::PracticeContact) -> StoreResult<()> {
        self.buffer.send(buffer::Command::Contact(c.clone())).await
    }

    /// Writes rows (buffered). A patient comes before their lines, as an extract's files
    /// are read (patients.csv first); a line of a patient not seen is dropped.
    pub async fn write(&mut self, rows: Vec<SnapshotRow>) -> StoreResult<()> {
        self.buffer.send(buffer::Command::Rows(rows)).await
    }

    /// Writes one patient (a batch of one; the import sends batches with [`Self::write`]).
    pub async fn patient(&mut self, r: PatientRow) -> StoreResult<()> {
        self.write(vec![SnapshotRow::Patient(r)]).await
    }

    pub async fn episode(&mut self, r: EpisodeRow) -> StoreResult<()> {
        self.write(vec![SnapshotRow::Episode(r)]).await
    }

    pub async fn medication(&mut self, r: MedicationRow) -> StoreResult<()> {
        self.write(vec![SnapshotRow::Medication(r)]).await
    }

    pub async fn determinant(&mut self, r: DeterminantRow) -> StoreResult<()> {
        self.write(vec![SnapshotRow::Determinant(r)]).await
    }

    pub async fn program(&mut self, r: ProgramRow) -> StoreResult<()> {
        self.write(vec![SnapshotRow::Program(r)]).await
    }

    /// Writes the snapshot in one transaction: the practice, the replacement of an
    /// earlier snapshot of the same date, the kept records, a lasting identity for every
    /// kept patient, the facts and the row counts.
    pub async fn finish(self) -> StoreResult<SnapshotSummary> {
        let built = self.buffer.finish().await?;
        self.db.store_snapshot(self.header, built).await
    }
}

impl Db {
    /// The database file on SQLite (`None` on PostgreSQL or in memory).
    pub fn sqlite_file(&self) -> Option<std::path::PathBuf> {
        match self.backend() {
            Backend::Sqlite => sqlite_bulk::database_file(self.url()).ok(),
            Backend::Postgres => None,
        }
    }

    /// Writes a snapshot put together in memory in one transaction: the practice, the
    /// replacement of an earlier snapshot of the same date, the kept records, a lasting
    /// identity for every kept patient, the facts and the row counts.
    pub async fn store_snapshot(&self, header: SnapshotHeader, built: SnapshotBuilder) -> StoreResult<SnapshotSummary> {
        match self.backend() {
            Backend::Sqlite => {
                let db = self.clone();
                tokio::task::spawn_blocking(move || db.store_snapshot_blocking(header, built))
                    .await
                    .map_err(|e| StoreError::Corrupt(format!("de schrijver van het extract is gestopt: {e}")))?
            }
            Backend::Postgres => pg_write::write(self.bulk_postgres()?, &header, built).await,
        }
    }

    /// [`Db::store_snapshot`] from a blocking thread of the runtime: on SQLite the write
    /// runs on this thread (an import's lanes each read and write on their own thread).
    pub fn store_snapshot_blocking(
        &self,
        header: SnapshotHeader,
        built: SnapshotBuilder,
    ) -> StoreResult<SnapshotSummary> {
        match self.backend() {
            Backend::Sqlite => {
                let file = sqlite_bulk::database_file(self.url())?;
                if self.is_new_file() {
                    self.new_file_has_practice(&header.agb_code, true);
                }
                let mut writer = self.sqlite_writes().blocking_lock();
                writer.run_here(&file, self.is_new_file(), |conn| {
                    sqlite_bulk::write(conn, &header, built)
                })
            }
            Backend::Postgres => tokio::runtime::Handle::current().block_on(self.store_snapshot(header, built)),
        }
    }

    /// After a run of imports: on SQLite, the write-ahead log the imports filled is copied
    /// into the database file once, and emptied (their writer makes no checkpoints of its
    /// own). Nothing to do on PostgreSQL.
    pub async fn checkpoint(&self) -> StoreResult<()> {
        // A new file built aside has no log: it is synced when finished ([`crate::new_file`]).
        if self.backend() != Backend::Sqlite || self.is_new_file() {
            return Ok(());
        }
        let file = sqlite_bulk::database_file(self.url())?;
        let mut writer = self.sqlite_writes().lock().await;
        writer
            .run(
                file,
                false,
                "de controlepost van de database is gestopt",
                sqlite_bulk::checkpoint,
            )
            .await
    }
}

/// The connection the snapshots of an SQLite file are written on, opened on first use and
/// kept while it works; one that failed is dropped and the next write opens a fresh one.
#[derive(Debug, Default)]
pub struct SqliteWriter(Option<rusqlite::Connection>);

impl SqliteWriter {
    /// Runs `work` on the writer connection of `file` on a blocking thread.
    async fn run<T: Send + 'static>(
        &mut self,
        file: std::path::PathBuf,
        new_file: bool,
        stopped: &str,
        work: impl FnOnce(&rusqlite::Connection) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let mut kept = std::mem::take(self);
        let (kept, result) = tokio::task::spawn_blocking(move || {
            let result = kept.run_here(&file, new_file, work);
            (kept, result)
        })
        .await
        .map_err(|e| StoreError::Corrupt(format!("{stopped}: {e}")))?;
        *self = kept;
        result
    }

    /// Runs `work` on the writer connection of `file` on this thread; a connection whose
    /// work failed is not kept.
    fn run_here<T>(
        &mut self,
        file: &std::path::Path,
        new_file: bool,
        work: impl FnOnce(&rusqlite::Connection) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let conn = match self.0.take() {
            Some(conn) => conn,
            None => sqlite_bulk::open(file, new_file)?,
        };
        let result = work(&conn);
        if result.is_ok() {
            self.0 = Some(conn);
        }
        result
    }

    pub(crate) fn close(&mut self) {
        self.0 = None;
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
