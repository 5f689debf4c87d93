//! The SQLite writer of a snapshot: a connection of its own to the database file
//! (rusqlite, on the SQLite library sqlx links) and one short write transaction with
//! multi-row inserts. The generic driver costs several times SQLite's own work per row
//! (arguments converted twice, statements handed to a worker thread), and a large
//! practice has tens of thousands of kept patients.

use std::path::PathBuf;
use std::str::FromStr;

use std::collections::HashSet;

use rusqlite::types::ToSqlOutput;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension};

use super::builder::SnapshotBuilder;
use super::{sql, SnapshotHeader, SnapshotSummary};
use crate::facts_blob::FORMAT;
use crate::{now_timestamp, StoreError, StoreResult};

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

/// `$n` placeholders as SQLite's numbered `?n`.
fn numbered(statement: &str) -> String {
    statement.replace('$', "?")
}

/// `new_file`: a new database built aside ([`crate::new_file`]), journal in memory, no syncs.
pub(super) fn open(file: &std::path::Path, new_file: bool) -> StoreResult<Connection> {
    let conn = Connection::open_with_flags(
        file,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    // Other imports may be writing theirs: each transaction is short, so wait for it.
    conn.busy_timeout(std::time::Duration::from_secs(120))?;
    // As the pool's connections (crate::Db::connect), with a larger cache for the load,
    // and without checkpoints of its own: a checkpoint every thousand pages, with its two
    // fsyncs, held the write lock for half of a 300-practice import. The WAL is
    // checkpointed once, when the import is done (`Db::checkpoint`), or by the pool's
    // connections as usual.
    conn.execute_batch(
        "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -131072; \
         PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 0;",
    )?;
    if new_file {
        conn.execute_batch(&format!(
            "{}; {};",
            crate::new_file::JOURNAL,
            crate::new_file::SYNCHRONOUS
        ))?;
    }
    // The snapshot's statements, and the multi-row inserts of every length up to BATCH
    // (records, and patients with either of the two conflict clauses).
    conn.set_prepared_statement_cache_capacity(3 * BATCH + 16);
    Ok(conn)
}

/// Rows per multi-row INSERT: one execution opens the table's cursors once for all.
const BATCH: usize = 64;

/// `INSERT INTO {table} ({columns}) VALUES (…), …` for `rows` rows, numbered `?n`.
fn values_sql(head: &str, columns: usize, rows: usize) -> String {
    let values: Vec<String> = (0..rows)
        .map(|r| {
            let marks: Vec<String> = (1..=columns).map(|i| format!("?{}", r * columns + i)).collect();
            format!("({})", marks.join(", "))
        })
        .collect();
    format!("{head} VALUES {}", values.join(", "))
}

/// Runs `head VALUES …tail` for every chunk of `rows`, each row given as its values.
/// The values are borrowed from the rows (a record blob is not copied on its way in); the
/// statements are the connection's cached ones, kept from one snapshot to the next.
fn insert_all<'a, T: 'a>(
    conn: &Connection,
    head: &str,
    tail: &str,
    columns: usize,
    rows: &'a [T],
    values: impl Fn(&'a T) -> Vec<ToSqlOutput<'a>>,
) -> StoreResult<()> {
    let mut full = None;
    for chunk in rows.chunks(BATCH) {
        let args = chunk.iter().flat_map(&values);
        if chunk.len() == BATCH {
            let s = match &mut full {
                Some(s) => s,
                None => full.insert(conn.prepare_cached(&(values_sql(head, columns, BATCH) + tail))?),
            };
            s.execute(params_from_iter(args))?;
        } else {
            conn.prepare_cached(&(values_sql(head, columns, chunk.len()) + tail))?
                .execute(params_from_iter(args))?;
        }
    }
    Ok(())
}

/// A text value, borrowed.
fn text(t: &str) -> ToSqlOutput<'_> {
    ToSqlOutput::Borrowed(rusqlite::types::ValueRef::Text(t.as_bytes()))
}

/// Runs one of the snapshot's statements, prepared once per connection.
fn run(conn: &Connection, statement: &str, args: impl rusqlite::Params) -> StoreResult<usize> {
    Ok(conn.prepare_cached(&numbered(statement))?.execute(args)?)
}

/// The one value of one of the snapshot's queries, prepared once per connection.
fn one<T: rusqlite::types::FromSql>(
    conn: &Connection,
    statement: &str,
    args: impl rusqlite::Params,
) -> StoreResult<Option<T>> {
    Ok(conn
        .prepare_cached(&numbered(statement))?
        .query_row(args, |r| r.get(0))
        .optional()?)
}

/// Copies the WAL into the database file and empties it.
pub(super) fn checkpoint(conn: &Connection) -> StoreResult<()> {
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    // The kept writer's page cache (up to 128 MiB) is not needed after a run of imports.
    conn.execute_batch("PRAGMA shrink_memory")?;
    Ok(())
}

/// Writes a snapshot in one transaction; see [`super::SnapshotWriter::finish`].
pub(super) fn write(conn: &Connection, header: &SnapshotHeader, b: SnapshotBuilder) -> StoreResult<SnapshotSummary> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    match write_in(conn, header, b) {
        Ok(summary) => {
            conn.execute_batch("COMMIT")?;
            Ok(summary)
        }
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

fn write_in(conn: &Connection, header: &SnapshotHeader, mut b: SnapshotBuilder) -> StoreResult<SnapshotSummary> {
    use rusqlite::types::ValueRef;
    let returned = |what| StoreError::Corrupt(format!("SQLite gaf geen {what} terug"));
    let now = now_timestamp();
    let practice_id: i64 = one(
        conn,
        sql::UPSERT_PRACTICE,
        params![header.agb_code, header.practice_name, now],
    )?
    .ok_or_else(|| returned("praktijk"))?;
    let day = header.extract_date.format("%Y-%m-%d").to_string();
    let earlier: Option<i64> = one(conn, sql::EARLIER, params![practice_id, day])?;
    if let Some(id) = earlier {
        for statement in sql::DELETE_EARLIER {
            run(conn, statement, params![id])?;
        }
    }
    let known: HashSet<String> = conn
        .prepare_cached(&numbered(sql::KNOWN))?
        .query_map(params![practice_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let (records, facts) = b.records_and_facts(header.extract_date, &known)?;
    let snapshot_id: i64 = one(
        conn,
        sql::INSERT_SNAPSHOT,
        params![practice_id, day, now, header.source, records.buckets],
    )?
    .ok_or_else(|| returned("momentopname"))?;
    insert_all(
        conn,
        "INSERT INTO snapshot_records (snapshot_id, bucket, data)",
        "",
        3,
        &records.rows,
        |(bucket, data)| {
            vec![
                ToSqlOutput::from(snapshot_id),
                ToSqlOutput::from(*bucket),
                ToSqlOutput::Borrowed(ValueRef::Blob(data)),
            ]
        },
    )?;
    let latest = Some(1) == one::<i64>(conn, sql::LATEST, params![practice_id, day])?;
    insert_all(
        conn,
        "INSERT INTO patients (practice_id, his_id, created_at, bsn)",
        if latest {
            sql::IDENTITY_CONFLICT
        } else {
            sql::IDENTITY_KEEP
        },
        4,
        &records.kept,
        |(his_id, bsn)| {
            vec![
                ToSqlOutput::from(practice_id),
                text(his_id),
                text(&now),
                bsn.as_deref().map_or(ToSqlOutput::Borrowed(ValueRef::Null), text),
            ]
        },
    )?;
    if let Some(c) = &b.contact {
        run(conn, sql::CONTACT, params![c.address, c.city, c.phone, practice_id])?;
    }
    let c = &b.counts;
    run(
        conn,
        sql::COUNTS,
        params![
            c.patients as i64,
            c.episodes as i64,
            c.medications as i64,
            c.determinants as i64,
            c.programs as i64,
            snapshot_id
        ],
    )?;
    run(conn, sql::FACTS, params![snapshot_id, FORMAT, facts])?;
    Ok(SnapshotSummary {
        snapshot_id,
        practice_id,
        replaced: earlier.is_some(),
        rows: b.counts,
    })
}
