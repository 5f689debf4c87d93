//! The tamper-evident audit log (NEN 7513). Append-only: every record carries a sequence
//! number and `hash = SHA-256(prev_hash | seq | at | user_id | username | role |
//! practice_id | patient_id | action | detail | ip)`, so changing or deleting a record
//! breaks the chain at that record, and removing the newest records breaks it against
//! `audit_head`. [`Db::verify_audit`] names the first broken record.

use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::care::{AuditEntry, AuditRecord};
use crate::{now_timestamp, Db, StoreError, StoreResult};

fn field(h: &mut Sha256, v: Option<&str>) {
    // Length-prefixed, so that no two field lists hash alike; None differs from "".
    match v {
        None => h.update(b"-"),
        Some(s) => {
            h.update(s.len().to_string().as_bytes());
            h.update(b":");
            h.update(s.as_bytes());
        }
    }
    h.update(b"|");
}

#[allow(clippy::too_many_arguments)]
fn record_hash(
    prev: &str,
    seq: i64,
    at: &str,
    user_id: Option<i64>,
    username: &str,
    role: &str,
    practice_id: Option<i64>,
    patient_id: Option<i64>,
    action: &str,
    detail: Option<&str>,
    ip: Option<&str>,
) -> String {
    let mut h = Sha256::new();
    field(&mut h, Some(prev));
    field(&mut h, Some(&seq.to_string()));
    field(&mut h, Some(at));
    field(&mut h, user_id.map(|v| v.to_string()).as_deref());
    field(&mut h, Some(username));
    field(&mut h, Some(role));
    field(&mut h, practice_id.map(|v| v.to_string()).as_deref());
    field(&mut h, patient_id.map(|v| v.to_string()).as_deref());
    field(&mut h, Some(action));
    field(&mut h, detail);
    field(&mut h, ip);
    hex::encode(h.finalize())
}

/// The outcome of a chain check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditCheck {
    Intact {
        records: u64,
    },
    /// The first record (by sequence number) where the chain breaks, and why.
    Broken {
        seq: i64,
        reason: String,
    },
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub patient_id: Option<i64>,
    pub practice_id: Option<i64>,
    /// Inclusive bounds on `at` (RFC 3339 or a date `YYYY-MM-DD`).
    pub from: Option<String>,
    pub to: Option<String>,
}

/// One request to append, with where to send the outcome.
type Job = (AuditEntry, tokio::sync::oneshot::Sender<Result<(), String>>);

/// The single appender of a process. Requests queue in a channel; the writer appends
/// whatever has queued in one transaction, so concurrent requests neither contend for the
/// database's write lock nor wait in SQLite's busy handler. Each caller still waits until
/// its own record is committed.
#[derive(Debug, Clone)]
pub(crate) struct Writer {
    tx: tokio::sync::mpsc::Sender<Job>,
}

/// Records appended in one transaction at most.
const MAX_BATCH: usize = 256;

impl Writer {
    fn start(db: Db) -> Writer {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Job>(4 * MAX_BATCH);
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(MAX_BATCH);
            while let Some(first) = rx.recv().await {
                batch.push(first);
                while batch.len() < MAX_BATCH {
                    match rx.try_recv() {
                        Ok(job) => batch.push(job),
                        Err(_) => break,
                    }
                }
                let entries: Vec<&AuditEntry> = batch.iter().map(|(e, _)| e).collect();
                let outcome = db.append(&entries).await.map_err(|e| e.to_string());
                for (_, reply) in batch.drain(..) {
                    let _ = reply.send(outcome.clone());
                }
            }
        });
        Writer { tx }
    }
}

impl Db {
    /// Appends a record to the chain; returns when it is committed.
    pub async fn audit(&self, e: &AuditEntry) -> StoreResult<()> {
        let writer = self.audit_writer.get_or_init(|| Writer::start(self.clone()));
        let (reply, answer) = tokio::sync::oneshot::channel();
        let closed = || StoreError::Corrupt("de auditlog-schrijver is gestopt".into());
        writer.tx.send((e.clone(), reply)).await.map_err(|_| closed())?;
        answer
            .await
            .map_err(|_| closed())?
            .map_err(|m| StoreError::Corrupt(format!("auditlog: {m}")))
    }

    /// Appends records to the chain in one transaction.
    async fn append(&self, entries: &[&AuditEntry]) -> StoreResult<()> {
        let mut tx = self.pool().begin().await?;
        // The UPDATE takes the write lock (SQLite) or the row lock (PostgreSQL) first, so
        // appenders of other processes queue here and the chain stays linear.
        let head = sqlx::query("UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash")
            .bind(entries.len() as i64)
            .fetch_one(&mut *tx)
            .await?;
        let last: i64 = head.try_get(0)?;
        let mut prev: String = head.try_get(1)?;
        let at = now_timestamp();
        let columns = [
            "seq",
            "at",
            "user_id",
            "username",
            "role",
            "practice_id",
            "patient_id",
            "action",
            "detail",
            "ip",
            "prev_hash",
            "hash",
        ];
        let sql = crate::multi_row_insert(self.backend(), "audit_log", &columns, entries.len());
        let mut insert = sqlx::query(&sql);
        for (i, e) in entries.iter().enumerate() {
            let seq = last - entries.len() as i64 + 1 + i as i64;
            let hash = record_hash(
                &prev,
                seq,
                &at,
                e.user_id,
                &e.username,
                &e.role,
                e.practice_id,
                e.patient_id,
                &e.action,
                e.detail.as_deref(),
                e.ip.as_deref(),
            );
            insert = insert
                .bind(seq)
                .bind(at.clone())
                .bind(e.user_id)
                .bind(e.username.clone())
                .bind(e.role.clone())
                .bind(e.practice_id)
                .bind(e.patient_id)
                .bind(e.action.clone())
                .bind(e.detail.clone())
                .bind(e.ip.clone())
                .bind(prev)
                .bind(hash.clone());
            prev = hash;
        }
        insert.execute(&mut *tx).await?;
        sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
            .bind(&prev)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Recomputes the whole chain.
    pub async fn verify_audit(&self) -> StoreResult<AuditCheck> {
        use futures_util::TryStreamExt;
        let mut rows = sqlx::query(
            "SELECT seq, at, user_id, username, role, practice_id, patient_id, action, detail, ip, prev_hash, hash \
             FROM audit_log ORDER BY seq",
        )
        .fetch(self.pool());
        let mut prev = "0".repeat(64);
        let mut expected_seq = 1i64;
        let mut count = 0u64;
        while let Some(r) = rows.try_next().await? {
            let seq: Option<i64> = r.try_get(0)?;
            let Some(seq) = seq else {
                return Ok(AuditCheck::Broken {
                    seq: 0,
                    reason: "record zonder volgnummer".into(),
                });
            };
            if seq != expected_seq {
                return Ok(AuditCheck::Broken {
                    seq: expected_seq,
                    reason: format!("record {expected_seq} ontbreekt (volgende gevonden: {seq})"),
                });
            }
            let stored_prev: Option<String> = r.try_get(10)?;
            let stored: Option<String> = r.try_get(11)?;
            let detail: Option<String> = r.try_get(8)?;
            let ip: Option<String> = r.try_get(9)?;
            let computed = record_hash(
                &prev,
                seq,
                &r.try_get::<String, _>(1)?,
                r.try_get(2)?,
                &r.try_get::<String, _>(3)?,
                &r.try_get::<String, _>(4)?,
                r.try_get(5)?,
                r.try_get(6)?,
                &r.try_get::<String, _>(7)?,
                detail.as_deref(),
                ip.as_deref(),
            );
            if stored_prev.as_deref() != Some(prev.as_str()) {
                return Ok(AuditCheck::Broken {
                    seq,
                    reason: "verwijst niet naar het vorige record".into(),
                });
            }
            if stored.as_deref() != Some(computed.as_str()) {
                return Ok(AuditCheck::Broken {
                    seq,
                    reason: "inhoud gewijzigd (hash klopt niet)".into(),
                });
            }
            prev = computed;
            expected_seq += 1;
            count += 1;
        }
        drop(rows);
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(self.pool())
            .await?;
        let (head_seq, head_hash): (i64, String) = (head.try_get(0)?, head.try_get(1)?);
        if head_seq != expected_seq - 1 || head_hash != prev {
            return Ok(AuditCheck::Broken {
                seq: expected_seq,
                reason: format!("de laatste records ontbreken (laatste volgnummer hoort {head_seq} te zijn)"),
            });
        }
        Ok(AuditCheck::Intact { records: count })
    }

    /// Audit records by filter, oldest first.
    pub async fn audit_records(&self, f: &AuditFilter) -> StoreResult<Vec<AuditRecord>> {
        let mut sql =
            String::from("SELECT seq, at, username, role, patient_id, action, detail, ip FROM audit_log WHERE 1 = 1");
        let mut n = 0;
        let mut next = || {
            n += 1;
            format!("${n}")
        };
        if f.patient_id.is_some() {
            sql.push_str(&format!(" AND patient_id = {}", next()));
        }
        if f.practice_id.is_some() {
            sql.push_str(&format!(" AND practice_id = {}", next()));
        }
        if f.from.is_some() {
            sql.push_str(&format!(" AND at >= {}", next()));
        }
        if f.to.is_some() {
            sql.push_str(&format!(" AND at <= {}", next()));
        }
        sql.push_str(" ORDER BY seq");
        let mut q = sqlx::query(&sql);
        if let Some(p) = f.patient_id {
            q = q.bind(p);
        }
        if let Some(p) = f.practice_id {
            q = q.bind(p);
        }
        if let Some(from) = &f.from {
            q = q.bind(from.clone());
        }
        if let Some(to) = &f.to {
            // A bare date includes that whole day.
            q = q.bind(if to.len() == 10 { format!("{to}T99") } else { to.clone() });
        }
        let rows = q.fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok(AuditRecord {
                    id: r.try_get(0)?,
                    at: r.try_get(1)?,
                    username: r.try_get(2)?,
                    role: r.try_get(3)?,
                    patient_id: r.try_get(4)?,
                    action: r.try_get(5)?,
                    detail: r.try_get(6)?,
                    ip: r.try_get(7)?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::record_hash;

    #[test]
    fn fields_are_delimited_unambiguously() {
        let a = record_hash("p", 1, "t", None, "ab", "c", None, None, "x", None, None);
        let b = record_hash("p", 1, "t", None, "a", "bc", None, None, "x", None, None);
        let c = record_hash("p", 1, "t", None, "ab", "c", None, None, "x", Some(""), None);
        assert_ne!(a, b);
        assert_ne!(a, c);
    }
}
