//! A change and its audit records commit in one transaction or not at all, on SQLite and
//! PostgreSQL: dropped, unaudited or with a failing audit append, nothing is left behind.

use kernteam_domain::access::OrganisationKind;
use kernteam_store::audit::AuditCheck;
use kernteam_store::care::AuditEntry;
use kernteam_store::{testing, Db, StoreError};

fn entry(detail: &str) -> AuditEntry {
    AuditEntry {
        username: "beheer".into(),
        role: "poh_o".into(),
        action: "organisatie toegevoegd".into(),
        detail: Some(detail.into()),
        ..Default::default()
    }
}

async fn count(db: &Db, table: &str) -> i64 {
    kernteam_store::sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_committed_change_writes_the_row_and_its_audit_record() {
    for t in testing::all().await {
        let db = &t.db;
        let mut ch = db.change().await.unwrap();
        ch.create_organisation(OrganisationKind::Apotheek, "Apotheek Centrum")
            .await
            .unwrap();
        ch.commit(&[entry("Apotheek Centrum")]).await.unwrap();
        assert_eq!(count(db, "organisations").await, 1);
        let records = db.audit_records(&Default::default()).await.unwrap();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].detail.as_deref(), Some("Apotheek Centrum"));
        assert_eq!(db.verify_audit().await.unwrap(), AuditCheck::Intact { records: 1 });
        t.finish().await;
    }
}

#[tokio::test]
async fn a_change_dropped_without_commit_leaves_neither_row_nor_audit_record() {
    for t in testing::all().await {
        let db = &t.db;
        let mut ch = db.change().await.unwrap();
        ch.create_organisation(OrganisationKind::Apotheek, "Apotheek Centrum")
            .await
            .unwrap();
        drop(ch);
        assert_eq!(count(db, "organisations").await, 0);
        assert_eq!(count(db, "audit_log").await, 0);
        // The database is free for the next change.
        let mut ch = db.change().await.unwrap();
        ch.create_organisation(OrganisationKind::Apotheek, "Apotheek Centrum")
            .await
            .unwrap();
        ch.commit(&[entry("daarna")]).await.unwrap();
        assert_eq!(count(db, "organisations").await, 1);
        t.finish().await;
    }
}

#[tokio::test]
async fn a_change_without_an_audit_record_is_refused_and_writes_nothing() {
    for t in testing::all().await {
        let db = &t.db;
        let mut ch = db.change().await.unwrap();
        ch.create_organisation(OrganisationKind::Apotheek, "Apotheek Centrum")
            .await
            .unwrap();
        let refused = ch.commit(&[]).await;
        assert!(
            matches!(refused, Err(StoreError::Corrupt(ref m)) if m.contains("auditregel")),
            "{refused:?}"
        );
        assert_eq!(count(db, "organisations").await, 0);
        assert_eq!(count(db, "audit_log").await, 0);
        t.finish().await;
    }
}

#[tokio::test]
async fn a_change_whose_audit_append_fails_leaves_no_change_behind() {
    for t in testing::all().await {
        // The same database without the key file: the audit append fails.
        let keyless = Db::connect(&t.url).await.unwrap();
        let mut ch = keyless.change().await.unwrap();
        ch.create_organisation(OrganisationKind::Apotheek, "Apotheek Centrum")
            .await
            .unwrap();
        let failed = ch.commit(&[entry("zonder sleutel")]).await;
        assert!(matches!(failed, Err(StoreError::Key(_))), "{failed:?}");
        keyless.close().await;
        assert_eq!(count(&t.db, "organisations").await, 0);
        assert_eq!(count(&t.db, "audit_log").await, 0);
        // A write that fails inside the change: nothing of the change stays either.
        let mut ch = t.db.change().await.unwrap();
        ch.create_organisation(OrganisationKind::Apotheek, "Apotheek Centrum")
            .await
            .unwrap();
        let twice = ch
            .create_organisation(OrganisationKind::Apotheek, "Apotheek Centrum")
            .await;
        assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");
        drop(ch);
        assert_eq!(count(&t.db, "organisations").await, 0);
        t.finish().await;
    }
}

#[tokio::test]
async fn concurrent_changes_both_commit_and_the_chain_stays_linear() {
    for t in testing::all().await {
        let db = t.db.clone();
        let mut first = db.change().await.unwrap();
        first
            .create_organisation(OrganisationKind::Apotheek, "Eerste")
            .await
            .unwrap();
        // On SQLite the second waits for the first's write lock at its start (BEGIN
        // IMMEDIATE); on PostgreSQL it waits for the chain head's row lock at commit.
        let second = tokio::spawn({
            let db = db.clone();
            async move {
                let mut ch = db.change().await?;
                ch.create_organisation(OrganisationKind::Apotheek, "Tweede").await?;
                ch.commit(&[entry("Tweede")]).await
            }
        });
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        first.commit(&[entry("Eerste")]).await.unwrap();
        second.await.unwrap().unwrap();
        assert_eq!(count(&db, "organisations").await, 2);
        assert_eq!(db.verify_audit().await.unwrap(), AuditCheck::Intact { records: 2 });
        t.finish().await;
    }
}
