//! Checking the audit chain against the key and the anchor file, and sealing a chain of
//! before the key (unkeyed SHA-256) once with the key.

use std::collections::BTreeMap;

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::audit::{legacy_hash, record_mac, AuditCheck, AuditHead, Fields};
use crate::care::AuditEntry;
use crate::{Db, StoreError, StoreResult};

const COLUMNS: &str =
    "seq, at, user_id, username, role, practice_id, patient_id, action, detail, ip, outcome, on_behalf_of, prev_hash, hash";

/// One stored record, as read for checking.
struct Stored {
    seq: Option<i64>,
    at: String,
    user_id: Option<i64>,
    username: String,
    role: String,
    practice_id: Option<i64>,
    patient_id: Option<i64>,
    action: String,
    detail: Option<String>,
    ip: Option<String>,
    outcome: String,
    on_behalf_of: Option<String>,
    prev_hash: Option<String>,
    hash: Option<String>,
}

impl Stored {
    fn of(r: &AnyRow) -> StoreResult<Stored> {
        Ok(Stored {
            seq: r.try_get(0)?,
            at: r.try_get(1)?,
            user_id: r.try_get(2)?,
            username: r.try_get(3)?,
            role: r.try_get(4)?,
            practice_id: r.try_get(5)?,
            patient_id: r.try_get(6)?,
            action: r.try_get(7)?,
            detail: r.try_get(8)?,
            ip: r.try_get(9)?,
            outcome: r.try_get(10)?,
            on_behalf_of: r.try_get(11)?,
            prev_hash: r.try_get(12)?,
            hash: r.try_get(13)?,
        })
    }

    fn fields(&self, seq: i64) -> Fields<'_> {
        Fields {
            seq,
            at: &self.at,
            user_id: self.user_id,
            username: &self.username,
            role: &self.role,
            practice_id: self.practice_id,
            patient_id: self.patient_id,
            action: &self.action,
            detail: self.detail.as_deref(),
            ip: self.ip.as_deref(),
            outcome: &self.outcome,
            on_behalf_of: self.on_behalf_of.as_deref(),
        }
    }
}

fn broken(seq: i64, reason: impl Into<String>) -> AuditCheck {
    AuditCheck::Broken {
        seq,
        reason: reason.into(),
    }
}

/// Walks a chain of records in sequence order with a hash function; `Err` names the
/// first broken record.
struct Walk {
    prev: String,
    expected_seq: i64,
}

impl Walk {
    fn new() -> Walk {
        Walk {
            prev: "0".repeat(64),
            expected_seq: 1,
        }
    }

    fn step(&mut self, r: &Stored, hash: impl Fn(&str, &Fields<'_>) -> String) -> Result<String, AuditCheck> {
        let Some(seq) = r.seq else {
            return Err(broken(self.expected_seq, "record zonder volgnummer"));
        };
        if seq != self.expected_seq {
            return Err(broken(
                self.expected_seq,
                format!("record {} ontbreekt (volgende gevonden: {seq})", self.expected_seq),
            ));
        }
        if r.prev_hash.as_deref() != Some(self.prev.as_str()) {
            return Err(broken(seq, "verwijst niet naar het vorige record"));
        }
        let computed = hash(&self.prev, &r.fields(seq));
        if r.hash.as_deref() != Some(computed.as_str()) {
            return Err(broken(seq, "inhoud gewijzigd of herberekend (HMAC klopt niet)"));
        }
        self.prev = computed.clone();
        self.expected_seq += 1;
        Ok(computed)
    }
}

/// The anchor file's lines: seq → hash. A seq anchored twice with different hashes is
/// itself a sign of tampering.
fn read_anchor(path: &std::path::Path) -> StoreResult<Result<BTreeMap<i64, String>, AuditCheck>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => {
            return Err(StoreError::Key(format!(
                "ankerbestand {} niet te lezen: {e}",
                path.display()
            )))
        }
    };
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let mut parts = line.split_whitespace();
        let (Some(seq), Some(hash)) = (parts.next().and_then(|s| s.parse::<i64>().ok()), parts.next()) else {
            return Err(StoreError::Key(format!(
                "ankerbestand {} regel {}: onleesbaar",
                path.display(),
                n + 1
            )));
        };
        if let Some(other) = out.insert(seq, hash.to_string()) {
            if other != hash {
                return Ok(Err(broken(seq, "het ankerbestand noemt twee verschillende hashes")));
            }
        }
    }
    Ok(Ok(out))
}

impl Db {
    /// Recomputes the whole chain with the key and checks it against `audit_head` and the
    /// anchor file: names the first record that was changed, removed or re-chained.
    pub async fn verify_audit(&self) -> StoreResult<AuditCheck> {
        use futures_util::TryStreamExt;
        let keys = self.keys()?.clone();
        let anchored = match self.anchor_path() {
            Some(p) => match read_anchor(p)? {
                Ok(a) => Some(a),
                Err(b) => return Ok(b),
            },
            None => None,
        };
        let sql = format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq");
        let mut rows = sqlx::query(&sql).fetch(self.pool());
        let mut walk = Walk::new();
        let mut count = 0u64;
        while let Some(r) = rows.try_next().await? {
            let r = Stored::of(&r)?;
            let hash = match walk.step(&r, |prev, f| record_mac(&keys, prev, f)) {
                Ok(h) => h,
                Err(b) => return Ok(b),
            };
            let seq = walk.expected_seq - 1;
            if let Some(a) = anchored.as_ref().and_then(|a| a.get(&seq)) {
                if *a != hash {
                    return Ok(broken(seq, "wijkt af van het ankerbestand"));
                }
            }
            count += 1;
        }
        drop(rows);
        let last = walk.expected_seq - 1;
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(self.pool())
            .await?;
        let (head_seq, head_hash): (i64, String) = (head.try_get(0)?, head.try_get(1)?);
        if head_seq != last || head_hash != walk.prev {
            return Ok(broken(
                last + 1,
                format!("de laatste records ontbreken (laatste volgnummer hoort {head_seq} te zijn)"),
            ));
        }
        if let Some(anchored) = &anchored {
            match anchored.last_key_value() {
                Some((seq, _)) if *seq > last => {
                    return Ok(broken(
                        last + 1,
                        format!(
                            "de records vanaf {} ontbreken: het ankerbestand kent record {seq}",
                            last + 1
                        ),
                    ));
                }
                None if count > 0 => {
                    return Ok(broken(
                        1,
                        format!("het ankerbestand is leeg of ontbreekt, terwijl er {count} records zijn"),
                    ));
                }
                _ => {}
            }
        }
        Ok(AuditCheck::Intact { records: count })
    }

    /// A chain of before the key (migration 0007) is checked with its unkeyed SHA-256 and,
    /// when intact, sealed with the key in one transaction. A broken one is left as it is,
    /// so that `kernteam audit verify` reports it.
    pub(crate) async fn seal_unkeyed_audit_chain(&self) -> StoreResult<()> {
        let keyed: i64 = sqlx::query_scalar("SELECT keyed FROM audit_head WHERE id = 1")
            .fetch_one(self.pool())
            .await?;
        if keyed != 0 {
            return Ok(());
        }
        let keys = self.keys()?.clone();
        let mut tx = self.begin().await?;
        let Some(head) = sqlx::query("UPDATE audit_head SET keyed = 1 WHERE id = 1 AND keyed = 0 RETURNING seq, hash")
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Ok(());
        };
        let (head_seq, head_hash): (i64, String) = (head.try_get(0)?, head.try_get(1)?);
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq"))
            .fetch_all(&mut *tx)
            .await?;
        if rows.is_empty() {
            tx.commit().await?;
            return Ok(());
        }
        let stored: Vec<Stored> = rows.iter().map(Stored::of).collect::<StoreResult<_>>()?;
        let mut walk = Walk::new();
        for r in &stored {
            if let Err(AuditCheck::Broken { seq, reason }) = walk.step(r, legacy_hash) {
                tracing::error!(
                    "auditketen van vóór de sleutel is gebroken bij record {seq}: {reason}; niet verzegeld"
                );
                return Ok(());
            }
        }
        if head_seq != walk.expected_seq - 1 || head_hash != walk.prev {
            tracing::error!("auditketen van vóór de sleutel: de laatste records ontbreken; niet verzegeld");
            return Ok(());
        }
        let mut prev = "0".repeat(64);
        for r in &stored {
            let seq = r.seq.unwrap_or_default();
            let hash = record_mac(&keys, &prev, &r.fields(seq));
            sqlx::query("UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE seq = $3")
                .bind(&prev)
                .bind(&hash)
                .bind(seq)
                .execute(&mut *tx)
                .await?;
            prev = hash;
        }
        sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
            .bind(&prev)
            .execute(&mut *tx)
            .await?;
        let sealed = AuditEntry {
            username: "kernteam".into(),
            role: "systeem".into(),
            action: "auditketen verzegeld met sleutel".into(),
            detail: Some(format!("{} eerdere records", stored.len())),
            ..Default::default()
        };
        let head: AuditHead = self.audit_in(&mut tx, &[sealed]).await?;
        self.commit_audited(tx, head).await?;
        tracing::warn!("auditketen ({} records) verzegeld met de sleutel", stored.len());
        Ok(())
    }
}
