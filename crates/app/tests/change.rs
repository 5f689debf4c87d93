//! A use case writes its change and the change's audit record in one transaction, on
//! SQLite and PostgreSQL: recording a decision leaves both, and when the audit record
//! cannot be appended, no decision either.

use chrono::NaiveDate;
use kernteam_app::{Actor, App, Error};
use kernteam_domain::access::Role;
use kernteam_domain::care::DecisionKind;
use kernteam_domain::decisions::DecisionInput;
use kernteam_store::audit::AuditFilter;
use kernteam_store::extracts::{EpisodeRow, PatientRow, SnapshotHeader};
use kernteam_store::people::NewUser;
use kernteam_store::{testing, Db};

/// A practice with one patient and its GP: (patient id, the GP as an actor).
async fn practice_with_gp(db: &Db) -> (i64, Actor) {
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let mut w = db
        .begin_snapshot(&SnapshotHeader {
            agb_code: "01234567".into(),
            practice_name: "Praktijk De Linde".into(),
            extract_date: d("2027-01-31"),
            source: "test".into(),
        })
        .await
        .unwrap();
    w.patient(PatientRow {
        his_id: "P1".into(),
        bsn: None,
        family_name: Some("Jansen".into()),
        given_name: Some("Anna".into()),
        birth_date: d("1940-05-05"),
        sex: Some("V".into()),
        registration_start: d("1990-01-01"),
        registration_end: None,
        postal_code: None,
        address: None,
        city: None,
        phone: None,
    })
    .await
    .unwrap();
    // A frail-elder episode: the inclusion keeps the rule (no exception reason needed).
    w.episode(EpisodeRow {
        his_id: "P1".into(),
        icpc: "A05".into(),
        start: d("2025-01-01"),
        end: None,
        title: None,
    })
    .await
    .unwrap();
    let s = w.finish().await.unwrap();
    let patient = db.patient_by_his_id(s.practice_id, "P1").await.unwrap().unwrap();
    let gp = kernteam_store::audited!(db, testing::entry(), |ch| ch.create_user(&NewUser {
        username: "huisarts".into(),
        display_name: "Hanna Huisarts".into(),
        role: Role::Huisarts,
        practice_id: Some(s.practice_id),
        organisation_id: None,
        password_hash: "x".into(),
        is_admin: false,
    }))
    .unwrap();
    let user = db.user(gp).await.unwrap();
    (patient.id, Actor::signed_in(user, Some("127.0.0.1".into())))
}

fn inclusion() -> DecisionInput {
    DecisionInput {
        decided_on: "2026-01-15".into(),
        deciding_gp: Some("Hanna Huisarts".into()),
        reason: None,
        considerations: None,
        exception_reason: None,
    }
}

async fn decisions(db: &Db) -> i64 {
    kernteam_store::sqlx::query_scalar("SELECT COUNT(*) FROM program_decisions")
        .fetch_one(db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_decision_and_its_audit_record_commit_together_or_not_at_all() {
    for t in testing::all().await {
        let (patient_id, gp) = practice_with_gp(&t.db).await;

        // Recorded: the decision and its audit record, one after the other in the chain.
        let app = App::new(t.db.clone());
        let d = app.decider(&gp, patient_id).await.unwrap();
        app.record_decision(&d, DecisionKind::Inclusion, inclusion())
            .await
            .unwrap();
        assert_eq!(decisions(&t.db).await, 1);
        let filter = AuditFilter {
            patient_id: Some(patient_id),
            ..Default::default()
        };
        let records = t.db.audit_records(&filter).await.unwrap();
        let recorded: Vec<_> = records.iter().filter(|r| r.action == "inclusie vastgelegd").collect();
        assert_eq!(recorded.len(), 1, "{records:?}");
        assert_eq!(recorded[0].detail.as_deref(), Some("2026-01-15"));
        assert_eq!(recorded[0].username, "huisarts");

        // The audit record cannot be appended (no key file): no decision either.
        let keyless = Db::connect(&t.url).await.unwrap();
        let app = App::new(keyless.clone());
        let d = app.decider(&gp, patient_id).await.unwrap();
        let failed = app.record_decision(&d, DecisionKind::Inclusion, inclusion()).await;
        assert!(matches!(failed, Err(Error::Internal(_))), "{failed:?}");
        keyless.close().await;
        assert_eq!(
            decisions(&t.db).await,
            1,
            "the decision without its audit record was rolled back"
        );
        assert_eq!(t.db.audit_records(&filter).await.unwrap().len(), records.len());
        t.finish().await;
    }
}
