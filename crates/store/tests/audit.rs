//! The audit chain detects changes and deletions, on SQLite and PostgreSQL; backups restore.

use kernteam_store::audit::{AuditCheck, AuditFilter};
use kernteam_store::care::AuditEntry;
use kernteam_store::{testing, Backend, Db};

fn entry(i: i64) -> AuditEntry {
    AuditEntry {
        user_id: Some(1),
        username: "poh".into(),
        role: "poh_o".into(),
        practice_id: Some(7),
        patient_id: Some(100 + i % 2),
        action: "dossier ingezien".into(),
        detail: (i % 3 == 0).then(|| format!("detail {i}")),
        ip: Some("127.0.0.1".into()),
    }
}

async fn fill(db: &Db, n: i64) {
    for i in 0..n {
        db.audit(&entry(i)).await.unwrap();
    }
}

#[tokio::test]
async fn the_chain_names_the_first_changed_or_missing_record() {
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
        assert_eq!(for_patient.len(), 5);

        sqlx_exec(db, "UPDATE audit_log SET username = 'iemand anders' WHERE seq = 4").await;
        assert!(
            matches!(db.verify_audit().await.unwrap(), AuditCheck::Broken { seq: 4, .. }),
            "{:?}",
            t.backend()
        );
        sqlx_exec(db, "UPDATE audit_log SET username = 'poh' WHERE seq = 4").await;
        assert_eq!(db.verify_audit().await.unwrap(), AuditCheck::Intact { records: 10 });

        sqlx_exec(db, "DELETE FROM audit_log WHERE seq = 6").await;
        assert!(matches!(
            db.verify_audit().await.unwrap(),
            AuditCheck::Broken { seq: 6, .. }
        ));
        t.finish().await;
    }
}

#[tokio::test]
async fn removing_the_newest_records_is_detected_and_concurrent_appends_stay_linear() {
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
        sqlx_exec(db, "DELETE FROM audit_log WHERE seq >= 19").await;
        assert!(matches!(
            db.verify_audit().await.unwrap(),
            AuditCheck::Broken { seq: 19, .. }
        ));
        t.finish().await;
    }
}

async fn sqlx_exec(db: &Db, sql: &str) {
    kernteam_store::sqlx::query(sql).execute(db.pool()).await.unwrap();
}

#[tokio::test]
async fn an_sqlite_backup_restores_with_its_records_intact() {
    let t = testing::sqlite().await;
    fill(&t.db, 5).await;
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("backup.db");
    t.db.backup_sqlite(&copy).await.unwrap();
    fill(&t.db, 1).await; // after the backup: not in it
    let restored = Db::connect(&format!("sqlite://{}", copy.display())).await.unwrap();
    assert_eq!(restored.backend(), Backend::Sqlite);
    assert_eq!(
        restored.verify_audit().await.unwrap(),
        AuditCheck::Intact { records: 5 }
    );
    restored.close().await;
    t.finish().await;
}
