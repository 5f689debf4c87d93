//! Writing a practice's extract as one snapshot, all or nothing, and listing snapshots.
//!
//! The rows of an import are the bulk of all writing Kernteam does, so each backend has a
//! writer of its own ([`pg_copy`], [`sqlite_bulk`]) around the same statements
//! ([`sql`]); the facts per patient for the reports are put together on the way
//! ([`crate::facts_blob`]).

mod pg_copy;
mod sqlite_bulk;

use chrono::{Datelike, NaiveDate};
use kernteam_domain::codes::ChainProgram;
use sqlx::Row;

use crate::facts_blob::FactsBuilder;
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

/// The snapshot tables, in the order an extract's files are read.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Table {
    Patients,
    Episodes,
    Medications,
    Determinants,
    Programs,
}

impl Table {
    pub(crate) const ALL: [Table; 5] = [
        Table::Patients,
        Table::Episodes,
        Table::Medications,
        Table::Determinants,
        Table::Programs,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Table::Patients => "snapshot_patients",
            Table::Episodes => "snapshot_episodes",
            Table::Medications => "snapshot_medications",
            Table::Determinants => "snapshot_determinants",
            Table::Programs => "snapshot_programs",
        }
    }

    /// The columns after `snapshot_id`, in the order the writers give them.
    pub(crate) fn columns(self) -> &'static [&'static str] {
        match self {
            Table::Patients => &[
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
            Table::Episodes => &["his_id", "icpc", "start_date", "end_date", "title"],
            Table::Medications => &["his_id", "atc", "start_date", "end_date", "name", "dosage"],
            Table::Determinants => &["his_id", "labcode", "date", "value"],
            Table::Programs => &["his_id", "program", "start_date", "end_date"],
        }
    }
}

impl SnapshotRow {
    pub(crate) fn table(&self) -> Table {
        match self {
            SnapshotRow::Patient(_) => Table::Patients,
            SnapshotRow::Episode(_) => Table::Episodes,
            SnapshotRow::Medication(_) => Table::Medications,
            SnapshotRow::Determinant(_) => Table::Determinants,
            SnapshotRow::Program(_) => Table::Programs,
        }
    }

    /// Adds the row to the facts of the snapshot and to the counts.
    pub(crate) fn note(&self, facts: &mut FactsBuilder, counts: &mut RowCounts) {
        match self {
            SnapshotRow::Patient(r) => {
                counts.patients += 1;
                facts.patient(&r.his_id, r.birth_date, r.registration_start, r.registration_end);
            }
            SnapshotRow::Episode(r) => {
                counts.episodes += 1;
                facts.episode(&r.his_id, &r.icpc, r.start, r.end);
            }
            SnapshotRow::Medication(r) => {
                counts.medications += 1;
                facts.medication(&r.his_id, &r.atc, r.start, r.end);
            }
            SnapshotRow::Determinant(r) => {
                counts.determinants += 1;
                facts.determinant(&r.his_id, r.labcode, r.date, &r.value);
            }
            SnapshotRow::Program(r) => {
                counts.programs += 1;
                facts.program(&r.his_id, r.program, r.start, r.end);
            }
        }
    }
}

/// `YYYY-MM-DD`, as dates are stored, without chrono's formatting machinery (it runs for
/// every date of every row of an import).
pub(crate) fn push_date(out: &mut Vec<u8>, d: NaiveDate) {
    let (y, m, day) = (d.year().clamp(0, 9999) as u32, d.month(), d.day());
    out.extend_from_slice(&[
        b'0' + (y / 1000) as u8,
        b'0' + (y / 100 % 10) as u8,
        b'0' + (y / 10 % 10) as u8,
        b'0' + (y % 10) as u8,
        b'-',
        b'0' + (m / 10) as u8,
        b'0' + (m % 10) as u8,
        b'-',
        b'0' + (day / 10) as u8,
        b'0' + (day % 10) as u8,
    ]);
}

/// The statements both writers run around the rows (`$n` placeholders; the SQLite writer
/// numbers them `?n`).
pub(crate) mod sql {
    pub const UPSERT_PRACTICE: &str = "INSERT INTO practices (agb_code, name, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (agb_code) DO UPDATE SET name = excluded.name RETURNING id";
    pub const EARLIER: &str = "SELECT id FROM snapshots WHERE practice_id = $1 AND extract_date = $2";
    /// Everything of an earlier snapshot, children first.
    pub const DELETE_EARLIER: [&str; 7] = [
        "DELETE FROM snapshot_facts WHERE snapshot_id = $1",
        "DELETE FROM snapshot_programs WHERE snapshot_id = $1",
        "DELETE FROM snapshot_determinants WHERE snapshot_id = $1",
        "DELETE FROM snapshot_medications WHERE snapshot_id = $1",
        "DELETE FROM snapshot_episodes WHERE snapshot_id = $1",
        "DELETE FROM snapshot_patients WHERE snapshot_id = $1",
        "DELETE FROM snapshots WHERE id = $1",
    ];
    pub const INSERT_SNAPSHOT: &str = "INSERT INTO snapshots (practice_id, extract_date, imported_at, source) \
         VALUES ($1, $2, $3, $4) RETURNING id";
    pub const CONTACT: &str = "UPDATE practices SET address = COALESCE($1, address), city = COALESCE($2, city), \
         phone = COALESCE($3, phone) WHERE id = $4";
    /// Every patient of the snapshot gets its lasting identity in `patients`.
    pub const PATIENTS: &str = "INSERT INTO patients (practice_id, his_id, created_at) \
         SELECT $1, his_id, $2 FROM snapshot_patients WHERE snapshot_id = $3 \
         ON CONFLICT (practice_id, his_id) DO NOTHING";
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

/// What the writer's worker is told.
pub(crate) enum Command {
    Contact(crate::people::PracticeContact),
    Rows(Vec<SnapshotRow>),
    /// Write the rest, the facts and the counts, and commit.
    Finish,
}

/// What a worker reports once it has begun: the practice, the snapshot, and whether an
/// earlier one was replaced.
pub(crate) type Begun = (i64, i64, bool);

/// One extract being written inside a single transaction, by a worker of the backend: on
/// PostgreSQL a task that streams the rows with `COPY … FROM STDIN`, on SQLite a thread
/// with its own connection and one prepared statement per table. Rows go to the worker in
/// batches; [`SnapshotWriter::finish`] commits. Dropping the writer without finishing
/// rolls everything back, including the replacement of an earlier snapshot.
pub struct SnapshotWriter {
    summary: SnapshotSummary,
    commands: tokio::sync::mpsc::Sender<Command>,
    /// The worker's outcome; taken once it is awaited.
    done: Option<tokio::sync::oneshot::Receiver<StoreResult<RowCounts>>>,
}

/// The worker's ends of the channels.
pub(crate) struct WorkerEnds {
    pub begun: tokio::sync::oneshot::Sender<StoreResult<Begun>>,
    pub commands: tokio::sync::mpsc::Receiver<Command>,
    pub done: tokio::sync::oneshot::Sender<StoreResult<RowCounts>>,
}

impl Db {
    /// Starts writing a snapshot: creates the practice if new and removes an earlier
    /// snapshot of the same practice and `extract_date` (inside the transaction).
    pub async fn begin_snapshot(&self, header: &SnapshotHeader) -> StoreResult<SnapshotWriter> {
        let (begun_tx, begun_rx) = tokio::sync::oneshot::channel();
        let (commands_tx, commands_rx) = tokio::sync::mpsc::channel(4);
        let (done_tx, done_rx) = tokio::sync::oneshot::channel();
        let ends = WorkerEnds {
            begun: begun_tx,
            commands: commands_rx,
            done: done_tx,
        };
        match self.backend() {
            Backend::Postgres => pg_copy::start(self, header.clone(), ends)?,
            Backend::Sqlite => sqlite_bulk::start(self, header.clone(), ends)?,
        }
        let (practice_id, snapshot_id, replaced) = match begun_rx.await {
            Ok(r) => r?,
            Err(_) => return Err(worker_gone()),
        };
        Ok(SnapshotWriter {
            summary: SnapshotSummary {
                snapshot_id,
                practice_id,
                replaced,
                rows: RowCounts::default(),
            },
            commands: commands_tx,
            done: Some(done_rx),
        })
    }
}

fn worker_gone() -> StoreError {
    StoreError::Corrupt("de schrijver van het extract is onverwacht gestopt".into())
}

impl SnapshotWriter {
    pub fn snapshot_id(&self) -> i64 {
        self.summary.snapshot_id
    }

    /// The worker's outcome: the row counts once committed, or why it stopped.
    async fn outcome(&mut self) -> StoreResult<RowCounts> {
        match self.done.take() {
            Some(rx) => rx.await.unwrap_or_else(|_| Err(worker_gone())),
            None => Err(worker_gone()),
        }
    }

    async fn send(&mut self, c: Command) -> StoreResult<()> {
        if self.commands.send(c).await.is_ok() {
            return Ok(());
        }
        // The worker stopped because it failed: say why.
        Err(match self.outcome().await {
            Err(e) => e,
            Ok(_) => worker_gone(),
        })
    }

    /// Records the practice's address and phone from its extract (optional columns of
    /// `practice.csv`): what is empty stays as it was.
    pub async fn practice_contact(&mut self, c: &crate::people::PracticeContact) -> StoreResult<()> {
        self.send(Command::Contact(c.clone())).await
    }

    /// Writes rows (buffered by the worker). Rows of a table come after all rows of the
    /// tables before it in [`Table::ALL`], as an extract's files are read; every line's
    /// patient comes first.
    pub async fn write(&mut self, rows: Vec<SnapshotRow>) -> StoreResult<()> {
        self.send(Command::Rows(rows)).await
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

    /// Writes what is buffered, gives every patient of the snapshot its lasting identity in
    /// `patients`, stores the facts and the row counts and commits.
    pub async fn finish(mut self) -> StoreResult<SnapshotSummary> {
        self.send(Command::Finish).await?;
        self.summary.rows = self.outcome().await?;
        Ok(self.summary)
    }

    /// Abandons the snapshot: nothing of it, nor of a replacement, is kept. Returns when
    /// the transaction has been rolled back.
    pub async fn rollback(mut self) -> StoreResult<()> {
        let (closed, _) = tokio::sync::mpsc::channel(1);
        drop(std::mem::replace(&mut self.commands, closed));
        self.outcome().await.map(|_| ())
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
