//! The SQLite writer of a snapshot: a thread with a connection of its own to the database
//! file (rusqlite, on the SQLite library sqlx links), one write transaction, and one
//! prepared statement per table that every row reuses. The generic driver costs several
//! times SQLite's own work per row (arguments converted twice, statements handed to a
//! worker thread), and an import is millions of rows.

use std::path::PathBuf;
use std::str::FromStr;

use rusqlite::{params, Connection, OptionalExtension, Statement};

use super::{push_date, sql, Begun, Command, RowCounts, SnapshotHeader, SnapshotRow, Table, WorkerEnds};
use crate::facts_blob::{FactsBuilder, FORMAT};
use crate::{now_timestamp, Db, StoreError, StoreResult};

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Database(sqlx::Error::Protocol(format!("SQLite: {e}")))
    }
}

/// The database file behind an SQLite URL; an in-memory database has none (each of the
/// pool's connections would see another one anyway).
pub(crate) fn database_file(url: &str) -> StoreResult<PathBuf> {
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(url)?;
    let file = options.get_filename();
    if file.to_string_lossy().starts_with("file:sqlx-in-memory") {
        return Err(StoreError::UnsupportedUrl(format!(
            "{url}: een import heeft een databasebestand nodig"
        )));
    }
    Ok(file.to_path_buf())
}

pub(super) fn start(db: &Db, header: SnapshotHeader, ends: WorkerEnds) -> StoreResult<()> {
    let file = database_file(db.url())?;
    std::thread::Builder::new()
        .name("kernteam-import-sqlite".into())
        .spawn(move || run(&file, &header, ends))
        .map_err(|e| StoreError::Corrupt(format!("schrijfthread niet te starten: {e}")))?;
    Ok(())
}

/// `$n` placeholders as SQLite's numbered `?n`.
fn numbered(statement: &str) -> String {
    statement.replace('$', "?")
}

fn open(file: &PathBuf) -> StoreResult<Connection> {
    let conn = Connection::open_with_flags(
        file,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    // As the pool's connections (crate::Db::connect), with a larger cache for the load.
    conn.execute_batch(
        "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -131072; \
         PRAGMA temp_store = MEMORY;",
    )?;
    Ok(conn)
}

fn begin(conn: &Connection, header: &SnapshotHeader) -> StoreResult<Begun> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let now = now_timestamp();
    let practice_id: i64 = conn.query_row(
        &numbered(sql::UPSERT_PRACTICE),
        params![header.agb_code, header.practice_name, now],
        |r| r.get(0),
    )?;
    let day = header.extract_date.format("%Y-%m-%d").to_string();
    let earlier: Option<i64> = conn
        .query_row(&numbered(sql::EARLIER), params![practice_id, day], |r| r.get(0))
        .optional()?;
    if let Some(id) = earlier {
        for statement in sql::DELETE_EARLIER {
            conn.execute(&numbered(statement), params![id])?;
        }
    }
    let snapshot_id: i64 = conn.query_row(
        &numbered(sql::INSERT_SNAPSHOT),
        params![practice_id, day, now, header.source],
        |r| r.get(0),
    )?;
    Ok((practice_id, snapshot_id, earlier.is_some()))
}

fn run(file: &PathBuf, header: &SnapshotHeader, ends: WorkerEnds) {
    let WorkerEnds {
        begun,
        mut commands,
        done,
    } = ends;
    let conn = match open(file) {
        Ok(c) => c,
        Err(e) => {
            let _ = begun.send(Err(e));
            return;
        }
    };
    let ids = match begin(&conn, header) {
        Ok(ids) => ids,
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            let _ = begun.send(Err(e));
            return;
        }
    };
    if begun.send(Ok(ids)).is_err() {
        let _ = conn.execute_batch("ROLLBACK");
        return;
    }
    let outcome = match work(&conn, ids, &mut commands) {
        Ok(Some(counts)) => conn.execute_batch("COMMIT").map(|_| counts).map_err(Into::into),
        Ok(None) => conn
            .execute_batch("ROLLBACK")
            .map(|_| RowCounts::default())
            .map_err(Into::into),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    };
    let _ = done.send(outcome);
}

/// Rows per multi-row INSERT: one statement execution opens the table's cursors once for
/// all of them (single-row executions spent most of their time opening and closing them).
const BATCH: usize = 64;

/// `INSERT INTO t (snapshot_id, …) VALUES (…), …` for `rows` rows, numbered `?n`.
fn insert_sql(t: Table, rows: usize) -> String {
    let n = t.columns().len() + 1;
    let values: Vec<String> = (0..rows)
        .map(|r| {
            let marks: Vec<String> = (1..=n).map(|i| format!("?{}", r * n + i)).collect();
            format!("({})", marks.join(", "))
        })
        .collect();
    format!(
        "INSERT INTO {} (snapshot_id, {}) VALUES {}",
        t.name(),
        t.columns().join(", "),
        values.join(", ")
    )
}

fn opt_date_text(d: Option<chrono::NaiveDate>) -> Option<String> {
    d.map(date_text)
}

fn date_text(d: chrono::NaiveDate) -> String {
    let mut b = Vec::with_capacity(10);
    push_date(&mut b, d);
    String::from_utf8(b).unwrap_or_default()
}

/// Binds one row's values from parameter `at` on; the next free parameter.
fn bind(s: &mut Statement<'_>, at: usize, snapshot_id: i64, row: &SnapshotRow) -> rusqlite::Result<usize> {
    let mut i = at;
    let mut put = |s: &mut Statement<'_>, v: &dyn rusqlite::ToSql| -> rusqlite::Result<()> {
        s.raw_bind_parameter(i, v)?;
        i += 1;
        Ok(())
    };
    put(s, &snapshot_id)?;
    match row {
        SnapshotRow::Patient(r) => {
            put(s, &r.his_id)?;
            put(s, &r.bsn)?;
            put(s, &r.family_name)?;
            put(s, &r.given_name)?;
            put(s, &date_text(r.birth_date))?;
            put(s, &r.sex)?;
            put(s, &date_text(r.registration_start))?;
            put(s, &opt_date_text(r.registration_end))?;
            put(s, &r.postal_code)?;
            put(s, &r.address)?;
            put(s, &r.city)?;
            put(s, &r.phone)?;
        }
        SnapshotRow::Episode(r) => {
            put(s, &r.his_id)?;
            put(s, &r.icpc)?;
            put(s, &date_text(r.start))?;
            put(s, &opt_date_text(r.end))?;
            put(s, &r.title)?;
        }
        SnapshotRow::Medication(r) => {
            put(s, &r.his_id)?;
            put(s, &r.atc)?;
            put(s, &date_text(r.start))?;
            put(s, &opt_date_text(r.end))?;
            put(s, &r.name)?;
            put(s, &r.dosage)?;
        }
        SnapshotRow::Determinant(r) => {
            put(s, &r.his_id)?;
            put(s, &r.labcode)?;
            put(s, &date_text(r.date))?;
            put(s, &r.value)?;
        }
        SnapshotRow::Program(r) => {
            put(s, &r.his_id)?;
            put(s, &r.program.code())?;
            put(s, &date_text(r.start))?;
            put(s, &opt_date_text(r.end))?;
        }
    }
    Ok(i)
}

/// Rows waiting for a full multi-row INSERT, all of one table.
struct Pending<'c> {
    conn: &'c Connection,
    snapshot_id: i64,
    rows: Vec<SnapshotRow>,
    /// The prepared statement of a full batch, per table.
    full: Vec<Option<Statement<'c>>>,
}

impl Pending<'_> {
    fn push(&mut self, row: SnapshotRow) -> StoreResult<()> {
        if self.rows.first().is_some_and(|r| r.table() != row.table()) {
            self.flush()?;
        }
        self.rows.push(row);
        if self.rows.len() == BATCH {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> StoreResult<()> {
        let Some(table) = self.rows.first().map(SnapshotRow::table) else {
            return Ok(());
        };
        let mut partial;
        let s = if self.rows.len() == BATCH {
            let slot = &mut self.full[table as usize];
            if slot.is_none() {
                *slot = Some(self.conn.prepare(&insert_sql(table, BATCH))?);
            }
            slot.as_mut().expect("prepared above")
        } else {
            partial = self.conn.prepare(&insert_sql(table, self.rows.len()))?;
            &mut partial
        };
        let mut at = 1;
        for row in &self.rows {
            at = bind(s, at, self.snapshot_id, row)?;
        }
        s.raw_execute()?;
        self.rows.clear();
        Ok(())
    }
}

/// Runs the commands; the counts when told to finish, `None` when abandoned.
fn work(
    conn: &Connection,
    (practice_id, snapshot_id, _): Begun,
    commands: &mut tokio::sync::mpsc::Receiver<Command>,
) -> StoreResult<Option<RowCounts>> {
    let mut facts = FactsBuilder::default();
    let mut counts = RowCounts::default();
    let mut pending = Pending {
        conn,
        snapshot_id,
        rows: Vec::with_capacity(BATCH),
        full: Table::ALL.iter().map(|_| None).collect(),
    };
    loop {
        match commands.blocking_recv() {
            None => return Ok(None),
            Some(Command::Contact(c)) => {
                conn.execute(
                    &numbered(sql::CONTACT),
                    params![c.address, c.city, c.phone, practice_id],
                )?;
            }
            Some(Command::Rows(rows)) => {
                for row in rows {
                    row.note(&mut facts, &mut counts);
                    pending.push(row)?;
                }
            }
            Some(Command::Finish) => break,
        }
    }
    pending.flush()?;
    drop(pending);
    conn.execute(
        &numbered(sql::PATIENTS),
        params![practice_id, now_timestamp(), snapshot_id],
    )?;
    let c = &counts;
    conn.execute(
        &numbered(sql::COUNTS),
        params![
            c.patients as i64,
            c.episodes as i64,
            c.medications as i64,
            c.determinants as i64,
            c.programs as i64,
            snapshot_id
        ],
    )?;
    conn.execute(&numbered(sql::FACTS), params![snapshot_id, FORMAT, facts.encode()])?;
    Ok(Some(counts))
}
