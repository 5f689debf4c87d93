//! The tamper-evident audit log (NEN 7513). Append-only: every record carries a sequence
//! number and `hash = HMAC-SHA256(key, prev_hash | seq | at | user_id | username | role |
//! practice_id | patient_id | action | detail | ip | outcome | on_behalf_of)` with the key
//! of the key file ([`crate::keys`]), which the database does not hold: changing, removing
//! or re-chaining records breaks the chain for anyone without the key. After every committed
//! append the chain head (seq, hash, time) is appended to the anchor file, outside the
//! database, so that removing the newest records and rolling back `audit_head` shows too.
//! [`Db::verify_audit`] (in `audit_verify.rs`) names the first broken record.

use std::io::Write;

use hmac::Mac;
use sqlx::Row;

use crate::care::{AuditEntry, AuditRecord};
use crate::keys::{HmacSha256, Keys};
use crate::{now_timestamp, Db, StoreError, StoreResult};

/// NEN 7513: whether the logged action was allowed or refused.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Outcome {
    #[default]
    Allowed,
    Refused,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::Refused => "refused",
        }
    }

    /// The Dutch label, as shown and exported.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Allowed => "toegestaan",
            Outcome::Refused => "geweigerd",
        }
    }

    pub fn from_code(code: &str) -> StoreResult<Outcome> {
        match code {
            "allowed" => Ok(Outcome::Allowed),
            "refused" => Ok(Outcome::Refused),
            other => Err(StoreError::Corrupt(format!("uitkomst '{other}'"))),
        }
    }
}

/// The fields of one record that the chain covers.
pub(crate) struct Fields<'a> {
    pub seq: i64,
    pub at: &'a str,
    pub user_id: Option<i64>,
    pub username: &'a str,
    pub role: &'a str,
    pub practice_id: Option<i64>,
    pub patient_id: Option<i64>,
    pub action: &'a str,
    pub detail: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub outcome: &'a str,
    pub on_behalf_of: Option<&'a str>,
}

fn field(h: &mut impl hmac::digest::Update, v: Option<&str>) {
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

fn common_fields(h: &mut impl hmac::digest::Update, prev: &str, f: &Fields<'_>) {
    field(h, Some(prev));
    field(h, Some(&f.seq.to_string()));
    field(h, Some(f.at));
    field(h, f.user_id.map(|v| v.to_string()).as_deref());
    field(h, Some(f.username));
    field(h, Some(f.role));
    field(h, f.practice_id.map(|v| v.to_string()).as_deref());
    field(h, f.patient_id.map(|v| v.to_string()).as_deref());
    field(h, Some(f.action));
    field(h, f.detail);
    field(h, f.ip);
}

/// The keyed hash of a record.
pub(crate) fn record_mac(keys: &Keys, prev: &str, f: &Fields<'_>) -> String {
    let mut h: HmacSha256 = keys.audit_mac();
    common_fields(&mut h, prev, f);
    field(&mut h, Some(f.outcome));
    field(&mut h, f.on_behalf_of);
    hex::encode(h.finalize().into_bytes())
}

/// The unkeyed SHA-256 of the chain before migration 0007 (checked once, then sealed).
pub(crate) fn legacy_hash(prev: &str, f: &Fields<'_>) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    common_fields(&mut h, prev, f);
    hex::encode(h.finalize())
}

/// The head of the chain after an append: what is anchored outside the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditHead {
    pub seq: i64,
    pub hash: String,
    pub at: String,
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
    /// Appends a record to the chain; returns when it is committed and anchored.
    pub async fn audit(&self, e: &AuditEntry) -> StoreResult<()> {
        self.keys()?;
        let writer = self.audit_writer.get_or_init(|| Writer::start(self.clone()));
        let (reply, answer) = tokio::sync::oneshot::channel();
        let closed = || StoreError::Corrupt("de auditlog-schrijver is gestopt".into());
        writer.tx.send((e.clone(), reply)).await.map_err(|_| closed())?;
        answer
            .await
            .map_err(|_| closed())?
            .map_err(|m| StoreError::Corrupt(format!("auditlog: {m}")))
    }

    /// Appends records to the chain in one transaction, commits and anchors.
    async fn append(&self, entries: &[&AuditEntry]) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let head = self.append_in(&mut tx, entries).await?;
        self.commit_audited(tx, head).await
    }

    /// A transaction for a change and its audit records (see [`Db::audit_in`]).
    pub async fn begin(&self) -> StoreResult<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(self.pool().begin().await?)
    }

    /// Appends audit records inside the caller's transaction, so that a change and its
    /// record commit together or not at all. Finish with [`Db::commit_audited`].
    pub async fn audit_in(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        entries: &[AuditEntry],
    ) -> StoreResult<AuditHead> {
        let refs: Vec<&AuditEntry> = entries.iter().collect();
        self.append_in(tx, &refs).await
    }

    /// Commits a transaction with audit records, then anchors the chain head.
    pub async fn commit_audited(&self, tx: sqlx::Transaction<'static, sqlx::Any>, head: AuditHead) -> StoreResult<()> {
        tx.commit().await?;
        self.anchor(&head)
    }

    /// Appends the head to the anchor file (one line `seq hash at`, append-only).
    pub(crate) fn anchor(&self, head: &AuditHead) -> StoreResult<()> {
        let Some(path) = self.anchor_path() else {
            return Ok(());
        };
        let line = format!("{} {} {}\n", head.seq, head.hash, head.at);
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut f| f.write_all(line.as_bytes()))
            .map_err(|e| StoreError::Key(format!("ankerbestand {} niet te schrijven: {e}", path.display())))
    }

    async fn append_in(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        entries: &[&AuditEntry],
    ) -> StoreResult<AuditHead> {
        let keys = self.keys()?;
        // The UPDATE takes the write lock (SQLite) or the row lock (PostgreSQL) first, so
        // appenders of other processes queue here and the chain stays linear.
        let head = sqlx::query("UPDATE audit_head SET seq = seq + $1, keyed = 1 WHERE id = 1 RETURNING seq, hash")
            .bind(entries.len() as i64)
            .fetch_one(&mut **tx)
            .await?;
        let last: i64 = head.try_get(0)?;
        let mut prev: String = head.try_get(1)?;
        let at = now_timestamp();
        if entries.is_empty() {
            return Ok(AuditHead {
                seq: last,
                hash: prev,
                at,
            });
        }
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
            "outcome",
            "on_behalf_of",
            "prev_hash",
            "hash",
        ];
        let sql = crate::multi_row_insert(self.backend(), "audit_log", &columns, entries.len());
        let mut insert = sqlx::query(&sql);
        for (i, e) in entries.iter().enumerate() {
            let seq = last - entries.len() as i64 + 1 + i as i64;
            let hash = record_mac(
                keys,
                &prev,
                &Fields {
                    seq,
                    at: &at,
                    user_id: e.user_id,
                    username: &e.username,
                    role: &e.role,
                    practice_id: e.practice_id,
                    patient_id: e.patient_id,
                    action: &e.action,
                    detail: e.detail.as_deref(),
                    ip: e.ip.as_deref(),
                    outcome: e.outcome.code(),
                    on_behalf_of: e.on_behalf_of.as_deref(),
                },
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
                .bind(e.outcome.code())
                .bind(e.on_behalf_of.clone())
                .bind(prev)
                .bind(hash.clone());
            prev = hash;
        }
        insert.execute(&mut **tx).await?;
        sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
            .bind(&prev)
            .execute(&mut **tx)
            .await?;
        Ok(AuditHead {
            seq: last,
            hash: prev,
            at,
        })
    }

    /// Audit records by filter, oldest first.
    pub async fn audit_records(&self, f: &AuditFilter) -> StoreResult<Vec<AuditRecord>> {
        let mut sql =
            String::from(
            "SELECT seq, at, username, role, patient_id, action, detail, ip, outcome, on_behalf_of FROM audit_log WHERE 1 = 1",
        );
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
                    outcome: Outcome::from_code(&r.try_get::<String, _>(8)?)?,
                    on_behalf_of: r.try_get(9)?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f<'a>(username: &'a str, role: &'a str, detail: Option<&'a str>) -> Fields<'a> {
        Fields {
            seq: 1,
            at: "t",
            user_id: None,
            username,
            role,
            practice_id: None,
            patient_id: None,
            action: "x",
            detail,
            ip: None,
            outcome: "allowed",
            on_behalf_of: None,
        }
    }

    #[test]
    fn fields_are_delimited_unambiguously_and_keyed() {
        let k = Keys::random();
        let a = record_mac(&k, "p", &f("ab", "c", None));
        assert_ne!(a, record_mac(&k, "p", &f("a", "bc", None)));
        assert_ne!(a, record_mac(&k, "p", &f("ab", "c", Some(""))));
        assert_ne!(a, record_mac(&Keys::random(), "p", &f("ab", "c", None)));
        assert_ne!(a, legacy_hash("p", &f("ab", "c", None)));
        let refused = Fields {
            outcome: "refused",
            ..f("ab", "c", None)
        };
        assert_ne!(a, record_mac(&k, "p", &refused), "the outcome is covered");
    }
}
