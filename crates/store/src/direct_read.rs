//! The reads of the pages everyone opens all day (a patient's record, the care plan, the
//! signed-in user), written once and run on both backends without the generic driver's
//! worker thread on SQLite.
//!
//! sqlx runs every SQLite statement on a thread of its own per connection and hands the
//! statement and each row across threads: under load `perf` showed 60 % of the server's
//! cycles in the kernel switching between those threads and the async runtime, and 1 %
//! in SQLite. A read from SQLite's page cache takes microseconds, so on SQLite these
//! statements run in place on a connection of a small pool of plain SQLite connections
//! (rusqlite, on the library sqlx links; WAL readers never wait for the writer). On
//! PostgreSQL they go through sqlx as every other statement. The SQL and the mapping of a
//! row ([`Cols`]) are the same code for both.

use std::path::PathBuf;
use std::sync::Mutex;

use rusqlite::types::ValueRef;
use sqlx::Row;

use crate::{Db, StoreError, StoreResult};

/// A statement argument.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Arg<'a> {
    Int(i64),
    Text(&'a str),
}

/// The columns of one result row, by position.
pub(crate) trait Cols {
    fn int(&self, i: usize) -> StoreResult<i64>;
    fn opt_int(&self, i: usize) -> StoreResult<Option<i64>>;
    fn text(&self, i: usize) -> StoreResult<String>;
    fn opt_text(&self, i: usize) -> StoreResult<Option<String>>;
    fn opt_blob(&self, i: usize) -> StoreResult<Option<Vec<u8>>>;
}

/// Plain SQLite connections to the database file, opened when needed and kept for reuse.
pub(crate) struct SqliteReaders {
    file: PathBuf,
    idle: Mutex<Vec<rusqlite::Connection>>,
    /// Log every statement as sqlx does (`KERNTEAM_LOG_SQL`; the tests that capture a
    /// page's statements).
    log_statements: bool,
}

impl std::fmt::Debug for SqliteReaders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteReaders")
            .field("file", &self.file)
            .finish_non_exhaustive()
    }
}

/// Idle connections kept: as many as the sqlx pool's default.
const KEEP: usize = 8;

impl SqliteReaders {
    pub(crate) fn new(file: PathBuf, log_statements: bool) -> SqliteReaders {
        SqliteReaders {
            file,
            idle: Mutex::new(Vec::new()),
            log_statements,
        }
    }

    fn open(&self) -> rusqlite::Result<rusqlite::Connection> {
        let conn = rusqlite::Connection::open_with_flags(
            &self.file,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // Reads only: a mistake in this module cannot write past the audited changes.
        // Every commit elsewhere (an audited read is a commit) empties a WAL reader's page
        // cache; with the file mapped, pages come back without a system call each.
        conn.execute_batch(
            "PRAGMA query_only = ON; PRAGMA cache_size = -16384; PRAGMA temp_store = MEMORY; \
             PRAGMA mmap_size = 1073741824;",
        )?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(conn)
    }

    fn rows<T>(&self, sql: &str, args: &[Arg<'_>], map: &dyn Fn(&dyn Cols) -> StoreResult<T>) -> StoreResult<Vec<T>> {
        if self.log_statements {
            tracing::debug!(target: "sqlx::query", summary = sql, db.statement = sql, "direct SQLite read");
        }
        let popped = self.idle.lock().map_err(|_| poisoned())?.pop();
        let conn = match popped {
            Some(c) => c,
            None => self.open()?,
        };
        let out = run(&conn, sql, args, map);
        let mut idle = self.idle.lock().map_err(|_| poisoned())?;
        if idle.len() < KEEP {
            idle.push(conn);
        }
        out
    }
}

fn poisoned() -> StoreError {
    StoreError::Corrupt("de SQLite-leesverbindingen zijn onbruikbaar geworden".into())
}

fn run<T>(
    conn: &rusqlite::Connection,
    sql: &str,
    args: &[Arg<'_>],
    map: &dyn Fn(&dyn Cols) -> StoreResult<T>,
) -> StoreResult<Vec<T>> {
    let mut stmt = conn.prepare_cached(&sql.replace('$', "?"))?;
    for (i, a) in args.iter().enumerate() {
        match *a {
            Arg::Int(v) => stmt.raw_bind_parameter(i + 1, v)?,
            Arg::Text(v) => stmt.raw_bind_parameter(i + 1, v)?,
        }
    }
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(map(&SqliteCols(row))?);
    }
    Ok(out)
}

struct SqliteCols<'a>(&'a rusqlite::Row<'a>);

fn wrong(i: usize, want: &str) -> StoreError {
    StoreError::Corrupt(format!("kolom {i}: geen {want}"))
}

impl Cols for SqliteCols<'_> {
    fn int(&self, i: usize) -> StoreResult<i64> {
        self.opt_int(i)?.ok_or_else(|| wrong(i, "getal"))
    }

    fn opt_int(&self, i: usize) -> StoreResult<Option<i64>> {
        match self.0.get_ref(i)? {
            ValueRef::Null => Ok(None),
            ValueRef::Integer(v) => Ok(Some(v)),
            _ => Err(wrong(i, "getal")),
        }
    }

    fn text(&self, i: usize) -> StoreResult<String> {
        self.opt_text(i)?.ok_or_else(|| wrong(i, "tekst"))
    }

    fn opt_text(&self, i: usize) -> StoreResult<Option<String>> {
        match self.0.get_ref(i)? {
            ValueRef::Null => Ok(None),
            ValueRef::Text(t) => std::str::from_utf8(t)
                .map(|s| Some(s.to_string()))
                .map_err(|_| wrong(i, "UTF-8-tekst")),
            _ => Err(wrong(i, "tekst")),
        }
    }

    fn opt_blob(&self, i: usize) -> StoreResult<Option<Vec<u8>>> {
        match self.0.get_ref(i)? {
            ValueRef::Null => Ok(None),
            ValueRef::Blob(b) => Ok(Some(b.to_vec())),
            _ => Err(wrong(i, "bytes")),
        }
    }
}

struct AnyCols<'a>(&'a sqlx::any::AnyRow);

impl Cols for AnyCols<'_> {
    fn int(&self, i: usize) -> StoreResult<i64> {
        Ok(self.0.try_get::<i64, _>(i)?)
    }

    fn opt_int(&self, i: usize) -> StoreResult<Option<i64>> {
        Ok(self.0.try_get::<Option<i64>, _>(i)?)
    }

    fn text(&self, i: usize) -> StoreResult<String> {
        Ok(self.0.try_get::<String, _>(i)?)
    }

    fn opt_text(&self, i: usize) -> StoreResult<Option<String>> {
        Ok(self.0.try_get::<Option<String>, _>(i)?)
    }

    fn opt_blob(&self, i: usize) -> StoreResult<Option<Vec<u8>>> {
        Ok(self.0.try_get::<Option<Vec<u8>>, _>(i)?)
    }
}

impl Db {
    /// Every row of a read, mapped by `map`.
    pub(crate) async fn read_rows<T>(
        &self,
        sql: &str,
        args: &[Arg<'_>],
        map: impl Fn(&dyn Cols) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>> {
        if let Some(readers) = self.sqlite_readers() {
            return readers.rows(sql, args, &map);
        }
        let mut q = sqlx::query(sql);
        for a in args {
            q = match *a {
                Arg::Int(v) => q.bind(v),
                Arg::Text(v) => q.bind(v.to_string()),
            };
        }
        q.fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| map(&AnyCols(r)))
            .collect()
    }

    /// The first row of a read, if any.
    pub(crate) async fn read_row<T>(
        &self,
        sql: &str,
        args: &[Arg<'_>],
        map: impl Fn(&dyn Cols) -> StoreResult<T>,
    ) -> StoreResult<Option<T>> {
        Ok(self.read_rows(sql, args, map).await?.into_iter().next())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_read_gives_the_same_on_both_backends() {
        for t in crate::testing::all().await {
            let db = &t.db;
            let rows = db
                .read_rows(
                    "SELECT $2 || 'x', $1 + 1, NULL, CAST(NULL AS BIGINT) WHERE $1 > 0",
                    &[Arg::Int(41), Arg::Text("a")],
                    |c| Ok((c.text(0)?, c.int(1)?, c.opt_text(2)?, c.opt_int(3)?)),
                )
                .await
                .unwrap();
            assert_eq!(rows, vec![("ax".to_string(), 42, None, None)], "{:?}", t.backend());
            let none = db
                .read_row("SELECT 1 WHERE $1 < 0", &[Arg::Int(1)], |c| c.int(0))
                .await
                .unwrap();
            assert_eq!(none, None);
            t.finish().await;
        }
    }
}
