//! The keyed audit chain and its anchor detect rewritten, removed, re-chained and truncated
//! records, on SQLite and PostgreSQL; records commit with a caller's transaction; backups
//! restore.

use hmac::{Hmac, Mac};
use kernteam_store::audit::{AuditCheck, AuditFilter, Outcome};
use kernteam_store::care::AuditEntry;
use kernteam_store::keys::Keys;
use kernteam_store::sqlx::{self, Row};
use kernteam_store::{testing, Backend, Db};
use sha2::{Digest, Sha256};

fn entry(i: i64) -> AuditEntry {
    AuditEntry {
        user_id: Some(1 + i % 2),
        username: if i % 2 == 0 { "poh" } else { "huisarts" }.into(),
        role: "poh_o".into(),
        practice_id: Some(7),
        patient_id: Some(100 + i % 3),
        action: "dossier ingezien".into(),
        detail: (i % 3 == 0).then(|| format!("detail {i}")),
        ip: Some("127.0.0.1".into()),
        outcome: if i % 5 == 4 { Outcome::Refused } else { Outcome::Allowed },
        on_behalf_of: (i == 2).then(|| "huisarts".into()),
    }
}

async fn fill(db: &Db, n: i64) {
    for i in 0..n {
        db.audit(&entry(i)).await.unwrap();
    }
}

async fn exec(db: &Db, sql: &str) {
    sqlx::query(sql).execute(db.pool()).await.unwrap();
}

fn broken_at(check: AuditCheck) -> i64 {
    match check {
        AuditCheck::Broken { seq, .. } => seq,
        AuditCheck::Intact { records } => panic!("tampering not detected ({records} records intact)"),
    }
}

/// The fields the chain covered before the key, as text.
type OldFields = [Option<String>; 9];

/// The unkeyed SHA-256 exactly as the chain was computed before the key.
fn plain_sha256(prev: &str, seq: i64, f: &OldFields) -> String {
    let mut h = Sha256::new();
    let mut field = |v: Option<&str>| {
        match v {
            None => h.update(b"-"),
            Some(s) => {
                h.update(s.len().to_string().as_bytes());
                h.update(b":");
                h.update(s.as_bytes());
            }
        }
        h.update(b"|");
    };
    field(Some(prev));
    field(Some(&seq.to_string()));
    for v in f {
        field(v.as_deref());
    }
    hex::encode(h.finalize())
}

fn other_key_hmac(prev: &str, seq: i64, f: &OldFields) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(b"not the key of the key file").unwrap();
    mac.update(format!("{prev}|{seq}|{f:?}").as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// An attacker with write access to the database but not the key: re-chains everything
/// from `from_seq` with `hash` (plain SHA-256, or an HMAC with a key of their own),
/// renumbering and moving `audit_head` along.
async fn rechain(db: &Db, from_seq: i64, hash: &dyn Fn(&str, i64, &OldFields) -> String) {
    let rows = sqlx::query(
        "SELECT id, at, user_id, username, role, practice_id, patient_id, action, detail, ip \
         FROM audit_log WHERE seq >= $1 ORDER BY seq",
    )
    .bind(from_seq)
    .fetch_all(db.pool())
    .await
    .unwrap();
    let mut prev: String = sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = $1")
        .bind(from_seq - 1)
        .fetch_optional(db.pool())
        .await
        .unwrap()
        .unwrap_or_else(|| "0".repeat(64));
    exec(db, &format!("UPDATE audit_log SET seq = -seq WHERE seq >= {from_seq}")).await;
    let mut seq = from_seq;
    for r in &rows {
        let id: i64 = r.try_get(0).unwrap();
        let text = |i: usize| r.try_get::<Option<String>, _>(i).unwrap();
        let int = |i: usize| r.try_get::<Option<i64>, _>(i).unwrap().map(|v| v.to_string());
        let f: OldFields = [
            text(1),
            int(2),
            text(3),
            text(4),
            int(5),
            int(6),
            text(7),
            text(8),
            text(9),
        ];
        let h = hash(&prev, seq, &f);
        sqlx::query("UPDATE audit_log SET seq = $1, prev_hash = $2, hash = $3 WHERE id = $4")
            .bind(seq)
            .bind(&prev)
            .bind(&h)
            .bind(id)
            .execute(db.pool())
            .await
            .unwrap();
        prev = h;
        seq += 1;
    }
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(seq - 1)
        .bind(&prev)
        .execute(db.pool())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_rewritten_record_breaks_the_chain_at_that_record() {
    for t in testing::all().await {
        let db = &t.db;
        assert_eq!(db.verify_audit().await.unwrap(), AuditCheck::Intact { records: 0 });
        fill(db, 10).await;
        assert_eq!(db.verify_audit().await.unwrap(), AuditCheck::Intact { records: 10 });
        let for_patient = db
            .audit_records(&AuditFilter {
                patient_id: Some(100),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(for_patient.len(), 4);
        assert_eq!(for_patient[0].on_behalf_of, None);
        let all = db.audit_records(&AuditFilter::default()).await.unwrap();
        assert_eq!(all[4].outcome, Outcome::Refused);
        assert_eq!(all[2].on_behalf_of.as_deref(), Some("huisarts"));

        exec(db, "UPDATE audit_log SET username = 'iemand anders' WHERE seq = 4").await;
        assert_eq!(broken_at(db.verify_audit().await.unwrap()), 4, "{:?}", t.backend());
        exec(db, "UPDATE audit_log SET username = 'huisarts' WHERE seq = 4").await;
        assert_eq!(db.verify_audit().await.unwrap(), AuditCheck::Intact { records: 10 });
        // The NEN 7513 fields are covered too.
        exec(db, "UPDATE audit_log SET outcome = 'allowed' WHERE seq = 5").await;
        assert_eq!(broken_at(db.verify_audit().await.unwrap()), 5);
        exec(db, "UPDATE audit_log SET outcome = 'refused' WHERE seq = 5").await;
        exec(db, "UPDATE audit_log SET on_behalf_of = NULL WHERE seq = 3").await;
        assert_eq!(broken_at(db.verify_audit().await.unwrap()), 3);
        t.finish().await;
    }
}

#[tokio::test]
async fn removing_one_users_records_on_a_patient_and_rechaining_is_detected() {
    for rehash in [plain_sha256 as fn(&str, i64, &OldFields) -> String, other_key_hmac] {
        for t in testing::all().await {
            let db = &t.db;
            fill(db, 12).await;
            // The records of `huisarts` (odd i) on patient 101 (i % 3 == 1): i = 1, 7 → seq 2, 8.
            exec(
                db,
                "DELETE FROM audit_log WHERE username = 'huisarts' AND patient_id = 101",
            )
            .await;
            rechain(db, 2, &rehash).await;
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
                .fetch_one(db.pool())
                .await
                .unwrap();
            assert_eq!(n, 10);
            assert_eq!(broken_at(db.verify_audit().await.unwrap()), 2, "{:?}", t.backend());
            t.finish().await;
        }
    }
}

#[tokio::test]
async fn removing_the_newest_record_and_rolling_back_the_head_is_detected_by_the_anchor() {
    for t in testing::all().await {
        let db = &t.db;
        let mut tasks = Vec::new();
        for i in 0..20 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move { db.audit(&entry(i)).await.unwrap() }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(db.verify_audit().await.unwrap(), AuditCheck::Intact { records: 20 });
        exec(db, "DELETE FROM audit_log WHERE seq = 20").await;
        exec(
            db,
            "UPDATE audit_head SET seq = 19, hash = (SELECT hash FROM audit_log WHERE seq = 19) WHERE id = 1",
        )
        .await;
        assert_eq!(broken_at(db.verify_audit().await.unwrap()), 20, "{:?}", t.backend());
        t.finish().await;
    }
}

#[tokio::test]
async fn truncation_is_detected_by_the_anchor() {
    for t in testing::all().await {
        let db = &t.db;
        fill(db, 8).await;
        exec(db, "DELETE FROM audit_log WHERE seq > 5").await;
        exec(
            db,
            "UPDATE audit_head SET seq = 5, hash = (SELECT hash FROM audit_log WHERE seq = 5) WHERE id = 1",
        )
        .await;
        assert_eq!(broken_at(db.verify_audit().await.unwrap()), 6);
        exec(db, "DELETE FROM audit_log").await;
        exec(db, "UPDATE audit_head SET seq = 0, hash = '0000000000000000000000000000000000000000000000000000000000000000' WHERE id = 1").await;
        assert_eq!(broken_at(db.verify_audit().await.unwrap()), 1);
        // Without its anchor file (or with an emptied one) a non-empty chain is not intact.
        let t2 = testing::sqlite().await;
        fill(&t2.db, 2).await;
        std::fs::write(&t2.anchor, "").unwrap();
        assert_eq!(broken_at(t2.db.verify_audit().await.unwrap()), 1);
        t2.finish().await;
        t.finish().await;
    }
}

#[tokio::test]
async fn an_audit_record_commits_or_rolls_back_with_the_callers_change() {
    for t in testing::all().await {
        let db = &t.db;
        let count =
            |sql: &'static str| async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(db.pool()).await.unwrap() };
        let mut tx = db.begin().await.unwrap();
        sqlx::query(
            "INSERT INTO organisations (kind, name, created_at) VALUES ('wijkverpleging', 'Teruggedraaid', 'nu')",
        )
        .execute(&mut *tx)
        .await
        .unwrap();
        db.audit_in(&mut tx, &[entry(0)]).await.unwrap();
        tx.rollback().await.unwrap();
        assert_eq!(count("SELECT COUNT(*) FROM organisations").await, 0);
        assert_eq!(count("SELECT COUNT(*) FROM audit_log").await, 0);
        assert_eq!(db.verify_audit().await.unwrap(), AuditCheck::Intact { records: 0 });

        let mut tx = db.begin().await.unwrap();
        sqlx::query("INSERT INTO organisations (kind, name, created_at) VALUES ('wijkverpleging', 'Vastgelegd', 'nu')")
            .execute(&mut *tx)
            .await
            .unwrap();
        let head = db.audit_in(&mut tx, &[entry(0), entry(1)]).await.unwrap();
        assert_eq!(head.seq, 2);
        db.commit_audited(tx, head.clone()).await.unwrap();
        assert_eq!(count("SELECT COUNT(*) FROM organisations").await, 1);
        assert_eq!(db.verify_audit().await.unwrap(), AuditCheck::Intact { records: 2 });
        let anchor = std::fs::read_to_string(&t.anchor).unwrap();
        assert!(anchor.starts_with(&format!("2 {} ", head.hash)), "{anchor}");
        t.finish().await;
    }
}

#[tokio::test]
async fn without_the_key_nothing_is_appended() {
    let t = testing::sqlite().await;
    let bare = Db::connect(&t.url).await.unwrap();
    let err = bare.audit(&entry(0)).await.unwrap_err().to_string();
    assert!(err.contains("sleutel"), "{err}");
    assert!(bare.verify_audit().await.is_err());
    bare.close().await;
    t.finish().await;
}

#[tokio::test]
async fn an_unkeyed_chain_of_before_is_sealed_with_the_key_once_if_intact() {
    for t in testing::all().await {
        // A chain as written before the key: unkeyed SHA-256 over the old fields.
        let mut prev = "0".repeat(64);
        for seq in 1..=3i64 {
            let t_ = |v: &str| Some(v.to_string());
            let f: OldFields = [
                t_("2027-01-01T00:00:00Z"),
                None,
                t_("poh"),
                t_("poh_o"),
                None,
                None,
                t_("dossier ingezien"),
                None,
                None,
            ];
            let hash = plain_sha256(&prev, seq, &f);
            sqlx::query(
                "INSERT INTO audit_log (seq, at, username, role, action, prev_hash, hash) \
                 VALUES ($1, '2027-01-01T00:00:00Z', 'poh', 'poh_o', 'dossier ingezien', $2, $3)",
            )
            .bind(seq)
            .bind(&prev)
            .bind(&hash)
            .execute(t.db.pool())
            .await
            .unwrap();
            prev = hash;
        }
        sqlx::query("UPDATE audit_head SET seq = 3, hash = $1, keyed = 0 WHERE id = 1")
            .bind(&prev)
            .execute(t.db.pool())
            .await
            .unwrap();
        std::fs::remove_file(&t.anchor).ok();
        let db = Db::connect(&t.url)
            .await
            .unwrap()
            .with_keys(t.keys.clone(), Some(t.anchor.clone()))
            .await
            .unwrap();
        // Sealed, with a record saying so, and anchored.
        assert_eq!(db.verify_audit().await.unwrap(), AuditCheck::Intact { records: 4 });
        exec(&db, "UPDATE audit_log SET username = 'x' WHERE seq = 2").await;
        assert_eq!(broken_at(db.verify_audit().await.unwrap()), 2);
        db.close().await;
        t.finish().await;
    }
}

#[tokio::test]
async fn totp_secrets_are_stored_encrypted() {
    use kernteam_domain::access::Role;
    use kernteam_store::people::NewUser;
    for t in testing::all().await {
        let db = &t.db;
        let id = kernteam_store::audited!(db, testing::entry(), |ch| ch.create_user(&NewUser {
            username: "poh".into(),
            display_name: "Poh".into(),
            role: Role::Programmamanager,
            practice_id: None,
            organisation_id: None,
            password_hash: "x".into(),
            is_admin: false,
        }))
        .unwrap();
        let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
        db.set_pending_totp_secret(id, secret).await.unwrap();
        db.enable_totp(id, secret, 1, &[]).await.unwrap();
        db.set_pending_totp_secret(id, "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU")
            .await
            .unwrap();
        let raw = sqlx::query("SELECT totp_secret, totp_pending_secret FROM users WHERE id = $1")
            .bind(id)
            .fetch_one(db.pool())
            .await
            .unwrap();
        for v in [
            raw.try_get::<String, _>(0).unwrap(),
            raw.try_get::<String, _>(1).unwrap(),
        ] {
            assert!(Keys::is_sealed(&v), "{v}");
            assert!(!v.contains("JBSWY3DP") && !v.contains("KRSXG5CT"), "{v}");
        }
        let st = db.totp_state(id).await.unwrap();
        assert_eq!(st.secret.as_deref(), Some(secret));
        assert!(st.enabled, "a pending secret leaves the active one in force");
        assert_eq!(st.pending.as_deref(), Some("KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"));
        t.finish().await;
    }
}

#[tokio::test]
async fn an_sqlite_backup_restores_with_its_records_intact() {
    let t = testing::sqlite().await;
    fill(&t.db, 5).await;
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("backup.db");
    t.db.backup_sqlite(&copy).await.unwrap();
    fill(&t.db, 1).await; // after the backup: not in it
    let url = format!("sqlite://{}", copy.display());
    let restored = Db::connect(&url).await.unwrap();
    assert_eq!(restored.backend(), Backend::Sqlite);
    let restored = restored.with_keys(t.keys.clone(), None).await.unwrap();
    assert_eq!(
        restored.verify_audit().await.unwrap(),
        AuditCheck::Intact { records: 5 }
    );
    // Against the live anchor the restored copy lacks the record written after the backup.
    let against_anchor = Db::connect(&url)
        .await
        .unwrap()
        .with_keys(t.keys.clone(), Some(t.anchor.clone()))
        .await
        .unwrap();
    assert_eq!(broken_at(against_anchor.verify_audit().await.unwrap()), 6);
    restored.close().await;
    t.finish().await;
}
