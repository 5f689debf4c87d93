//! The PostgreSQL writer of a snapshot: a task that owns the transaction (on a connection
//! of its own pool, [`Db::bulk_postgres`]) and streams each table's rows with
//! `COPY … FROM STDIN` in text form, a megabyte at a time, so that the server inserts
//! while the reader parses the next rows.

use sqlx::postgres::{PgConnection, PgPool};
use sqlx::{Postgres, Transaction};

use super::{push_date, sql, Begun, Command, RowCounts, SnapshotHeader, SnapshotRow, WorkerEnds};
use crate::facts_blob::{FactsBuilder, FORMAT};
use crate::{now_timestamp, Db, StoreResult};

/// Bytes of COPY data sent at once.
const CHUNK: usize = 1 << 20;

pub(super) fn start(db: &Db, header: SnapshotHeader, ends: WorkerEnds) -> StoreResult<()> {
    let pool = db.bulk_postgres()?.clone();
    tokio::spawn(run(pool, header, ends));
    Ok(())
}

async fn begin(pool: &PgPool, header: &SnapshotHeader) -> StoreResult<(Transaction<'static, Postgres>, Begun)> {
    let mut tx = pool.begin().await?;
    let now = now_timestamp();
    let practice_id: i64 = sqlx::query_scalar(sql::UPSERT_PRACTICE)
        .bind(&header.agb_code)
        .bind(&header.practice_name)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
    let day = header.extract_date.format("%Y-%m-%d").to_string();
    let earlier: Option<i64> = sqlx::query_scalar(sql::EARLIER)
        .bind(practice_id)
        .bind(&day)
        .fetch_optional(&mut *tx)
        .await?;
    if let Some(id) = earlier {
        for statement in sql::DELETE_EARLIER {
            sqlx::query(statement).bind(id).execute(&mut *tx).await?;
        }
    }
    let snapshot_id: i64 = sqlx::query_scalar(sql::INSERT_SNAPSHOT)
        .bind(practice_id)
        .bind(&day)
        .bind(&now)
        .bind(&header.source)
        .fetch_one(&mut *tx)
        .await?;
    Ok((tx, (practice_id, snapshot_id, earlier.is_some())))
}

async fn run(pool: PgPool, header: SnapshotHeader, ends: WorkerEnds) {
    let WorkerEnds {
        begun,
        mut commands,
        done,
    } = ends;
    let (mut tx, ids) = match begin(&pool, &header).await {
        Ok(b) => b,
        Err(e) => {
            let _ = begun.send(Err(e));
            return;
        }
    };
    if begun.send(Ok(ids)).is_err() {
        let _ = tx.rollback().await;
        return;
    }
    let outcome = match work(&mut tx, ids, &mut commands).await {
        Ok(Some(counts)) => tx.commit().await.map(|_| counts).map_err(Into::into),
        // Abandoned: the writer was dropped or rolled back.
        Ok(None) => tx.rollback().await.map(|_| RowCounts::default()).map_err(Into::into),
        Err(e) => {
            let _ = tx.rollback().await;
            Err(e)
        }
    };
    let _ = done.send(outcome);
}

/// Runs the commands; the counts when told to finish, `None` when abandoned.
async fn work(
    tx: &mut Transaction<'static, Postgres>,
    (practice_id, snapshot_id, _): Begun,
    commands: &mut tokio::sync::mpsc::Receiver<Command>,
) -> StoreResult<Option<RowCounts>> {
    let mut facts = FactsBuilder::default();
    let mut counts = RowCounts::default();
    let mut next = commands.recv().await;
    loop {
        match next {
            None => return Ok(None),
            Some(Command::Contact(c)) => {
                sqlx::query(sql::CONTACT)
                    .bind(&c.address)
                    .bind(&c.city)
                    .bind(&c.phone)
                    .bind(practice_id)
                    .execute(&mut **tx)
                    .await?;
                next = commands.recv().await;
            }
            Some(Command::Rows(rows)) => {
                let mut copy = Copy {
                    snapshot_id,
                    facts: &mut facts,
                    counts: &mut counts,
                    buf: Vec::with_capacity(CHUNK + (64 << 10)),
                };
                next = copy.table(tx, rows, commands).await?;
            }
            Some(Command::Finish) => break,
        }
    }
    sqlx::query(sql::PATIENTS)
        .bind(practice_id)
        .bind(now_timestamp())
        .bind(snapshot_id)
        .execute(&mut **tx)
        .await?;
    let c = &counts;
    sqlx::query(sql::COUNTS)
        .bind(c.patients as i64)
        .bind(c.episodes as i64)
        .bind(c.medications as i64)
        .bind(c.determinants as i64)
        .bind(c.programs as i64)
        .bind(snapshot_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(sql::FACTS)
        .bind(snapshot_id)
        .bind(FORMAT)
        .bind(facts.encode())
        .execute(&mut **tx)
        .await?;
    Ok(Some(counts))
}

struct Copy<'a> {
    snapshot_id: i64,
    facts: &'a mut FactsBuilder,
    counts: &'a mut RowCounts,
    buf: Vec<u8>,
}

impl Copy<'_> {
    /// Copies the rows of the first row's table, from this batch and the batches after it,
    /// in one `COPY`; returns the first command that is not a row of that table (the rest
    /// of a batch that goes on with the next table comes back as `Rows`).
    async fn table(
        &mut self,
        conn: &mut PgConnection,
        rows: Vec<SnapshotRow>,
        commands: &mut tokio::sync::mpsc::Receiver<Command>,
    ) -> StoreResult<Option<Command>> {
        let Some(table) = rows.first().map(SnapshotRow::table) else {
            return Ok(commands.recv().await);
        };
        let statement = format!(
            "COPY {} (snapshot_id, {}) FROM STDIN",
            table.name(),
            table.columns().join(", ")
        );
        let mut copy = conn.copy_in_raw(&statement).await?;
        let mut rows = rows;
        let next = loop {
            let mut rest = Vec::new();
            let mut it = rows.into_iter();
            for row in it.by_ref() {
                if row.table() != table {
                    rest.push(row);
                    break;
                }
                row.note(self.facts, self.counts);
                self.encode(&row);
                if self.buf.len() >= CHUNK {
                    if let Err(e) = copy.send(self.buf.as_slice()).await {
                        let _ = copy.abort("import afgebroken").await;
                        return Err(e.into());
                    }
                    self.buf.clear();
                }
            }
            rest.extend(it);
            if !rest.is_empty() {
                break Some(Command::Rows(rest));
            }
            match commands.recv().await {
                Some(Command::Rows(more)) => rows = more,
                other => break other,
            }
        };
        if !self.buf.is_empty() {
            if let Err(e) = copy.send(self.buf.as_slice()).await {
                let _ = copy.abort("import afgebroken").await;
                return Err(e.into());
            }
            self.buf.clear();
        }
        copy.finish().await?;
        Ok(next)
    }

    /// One line of COPY text: the snapshot id, then the row's columns.
    fn encode(&mut self, row: &SnapshotRow) {
        let b = &mut self.buf;
        b.extend_from_slice(self.snapshot_id.to_string().as_bytes());
        match row {
            SnapshotRow::Patient(r) => {
                text(b, &r.his_id);
                opt_text(b, r.bsn.as_deref());
                opt_text(b, r.family_name.as_deref());
                opt_text(b, r.given_name.as_deref());
                date(b, r.birth_date);
                opt_text(b, r.sex.as_deref());
                date(b, r.registration_start);
                opt_date(b, r.registration_end);
                opt_text(b, r.postal_code.as_deref());
                opt_text(b, r.address.as_deref());
                opt_text(b, r.city.as_deref());
                opt_text(b, r.phone.as_deref());
            }
            SnapshotRow::Episode(r) => {
                text(b, &r.his_id);
                text(b, &r.icpc);
                date(b, r.start);
                opt_date(b, r.end);
                opt_text(b, r.title.as_deref());
            }
            SnapshotRow::Medication(r) => {
                text(b, &r.his_id);
                text(b, &r.atc);
                date(b, r.start);
                opt_date(b, r.end);
                opt_text(b, r.name.as_deref());
                opt_text(b, r.dosage.as_deref());
            }
            SnapshotRow::Determinant(r) => {
                text(b, &r.his_id);
                b.push(b'\t');
                b.extend_from_slice(r.labcode.to_string().as_bytes());
                date(b, r.date);
                text(b, &r.value);
            }
            SnapshotRow::Program(r) => {
                text(b, &r.his_id);
                text(b, r.program.code());
                date(b, r.start);
                opt_date(b, r.end);
            }
        }
        b.push(b'\n');
    }
}

/// A tab, then the text escaped for COPY's text form (backslash, tab, newline, return).
fn text(b: &mut Vec<u8>, s: &str) {
    b.push(b'\t');
    if !s.bytes().any(|c| matches!(c, b'\\' | b'\t' | b'\n' | b'\r')) {
        b.extend_from_slice(s.as_bytes());
        return;
    }
    for c in s.bytes() {
        match c {
            b'\\' => b.extend_from_slice(b"\\\\"),
            b'\t' => b.extend_from_slice(b"\\t"),
            b'\n' => b.extend_from_slice(b"\\n"),
            b'\r' => b.extend_from_slice(b"\\r"),
            c => b.push(c),
        }
    }
}

fn opt_text(b: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => text(b, s),
        None => b.extend_from_slice(b"\t\\N"),
    }
}

fn date(b: &mut Vec<u8>, d: chrono::NaiveDate) {
    b.push(b'\t');
    push_date(b, d);
}

fn opt_date(b: &mut Vec<u8>, d: Option<chrono::NaiveDate>) {
    match d {
        Some(d) => date(b, d),
        None => b.extend_from_slice(b"\t\\N"),
    }
}

#[cfg(test)]
mod tests {
    use super::text;

    #[test]
    fn copy_text_escapes_what_would_end_a_field_or_a_line() {
        let mut b = Vec::new();
        text(&mut b, "a\\b\tc\nd\re");
        assert_eq!(b, b"\ta\\\\b\\tc\\nd\\re");
    }
}
