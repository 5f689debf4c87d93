//! Handovers as sent and documents received, on SQLite and PostgreSQL: the first sent
//! record meets the event's clock (also in the worklist's query), the document is kept as
//! sent and never replaced, and a tick of the old tick box becomes a record without
//! document or recipient (migration 0019's statement).

use chrono::NaiveDate;
use kernteam_domain::access::{OrganisationKind, Role};
use kernteam_store::extracts::{PatientRow, SnapshotHeader};
use kernteam_store::people::NewUser;
use kernteam_store::{testing, Db, StoreError};

async fn patient(db: &Db) -> (i64, i64) {
    let d = |s: &str| s.parse::<NaiveDate>().unwrap();
    let mut w = db
        .begin_snapshot(&SnapshotHeader {
            agb_code: "01234567".into(),
            practice_name: "Praktijk".into(),
            extract_date: d("2027-01-05"),
            source: "test".into(),
        })
        .await
        .unwrap();
    w.patient(PatientRow {
        his_id: "A".into(),
        bsn: None,
        family_name: Some("Jansen".into()),
        given_name: Some("A".into()),
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
    let snapshot = w.finish().await.unwrap().snapshot_id;
    let pid = db.snapshot_people(snapshot).await.unwrap()[0].patient_id;
    let practice = db.practice_by_agb("01234567").await.unwrap().unwrap().id;
    (practice, pid)
}

#[tokio::test]
async fn a_sent_handover_meets_the_clock_and_keeps_its_document() {
    for t in testing::all().await {
        let db = &t.db;
        let (practice, a) = patient(db).await;
        let poh = kernteam_store::audited!(db, testing::entry(), |ch| ch.create_user(&NewUser {
            username: "poh".into(),
            display_name: "Petra Poh".into(),
            role: Role::PohO,
            practice_id: Some(practice),
            organisation_id: None,
            password_hash: "x".into(),
            is_admin: false,
        }))
        .unwrap();
        let org = kernteam_store::audited!(db, testing::entry(), |ch| ch
            .create_organisation(OrganisationKind::Wijkverpleging, "Thuiszorg Heuvelland"))
        .unwrap();
        let event = kernteam_store::audited!(db, testing::entry(), |ch| ch.add_event(
            a,
            "ontslag_ziekenhuis",
            "2027-03-01T10:00:00Z",
            None,
            poh
        ))
        .unwrap();
        let unsent = db
            .practice_worklist_events(practice, "2099-01-01T00:00:00Z", &["ontslag_ziekenhuis"])
            .await
            .unwrap();
        assert_eq!(unsent.iter().map(|e| e.id).collect::<Vec<_>>(), [event]);
        assert_eq!(unsent[0].handover_sent_at, None);

        let mut ch = db.change().await.unwrap();
        let h = ch
            .add_handover(a, event, org, "2027-03-01T16:00:00Z", poh)
            .await
            .unwrap();
        ch.set_handover_document(h, r#"{"resourceType":"Bundle"}"#)
            .await
            .unwrap();
        ch.commit(&[testing::entry()]).await.unwrap();
        // A second one (to another organisation) does not move the clock.
        let mut ch = db.change().await.unwrap();
        let h2 = ch
            .add_handover(a, event, org, "2027-03-03T16:00:00Z", poh)
            .await
            .unwrap();
        ch.set_handover_document(h2, "{}").await.unwrap();
        // A document is stored once and never replaced.
        assert!(matches!(
            ch.set_handover_document(h2, "{\"x\":1}").await,
            Err(StoreError::NotFound)
        ));
        ch.commit(&[testing::entry()]).await.unwrap();

        let events = db.events(a).await.unwrap();
        assert_eq!(events[0].handover_sent_at.as_deref(), Some("2027-03-01T16:00:00Z"));
        assert!(db
            .practice_worklist_events(practice, "2099-01-01T00:00:00Z", &["ontslag_ziekenhuis"])
            .await
            .unwrap()
            .is_empty());
        let list = db.handovers(a).await.unwrap();
        assert_eq!(list.iter().map(|h| h.id).collect::<Vec<_>>(), [h, h2]);
        assert_eq!(list[0].organisation_name.as_deref(), Some("Thuiszorg Heuvelland"));
        assert_eq!(list[0].sent_by_name.as_deref(), Some("Petra Poh"));
        assert!(list[0].has_document);
        assert_eq!(db.handover(h).await.unwrap(), list[0]);
        assert_eq!(
            db.handover_document(h).await.unwrap().as_deref(),
            Some(r#"{"resourceType":"Bundle"}"#)
        );
        assert!(matches!(db.handover(9999).await, Err(StoreError::NotFound)));

        let mut ch = db.change().await.unwrap();
        ch.add_received_document(a, event, "Ziekenhuis Zuid", "{}", poh)
            .await
            .unwrap();
        ch.commit(&[testing::entry()]).await.unwrap();
        let received = db.received_documents(a).await.unwrap();
        assert_eq!((received.len(), received[0].source.as_str()), (1, "Ziekenhuis Zuid"));
        t.finish().await;
    }
}

#[tokio::test]
async fn a_tick_of_the_old_tick_box_becomes_a_record_without_document() {
    let migration = include_str!("../migrations/sqlite/0019_handovers.sql");
    let statement = migration
        .split(';')
        .find(|s| s.contains("INSERT INTO handovers"))
        .unwrap()
        .to_string();
    assert_eq!(
        statement,
        include_str!("../migrations/postgres/0019_handovers.sql")
            .split(';')
            .find(|s| s.contains("INSERT INTO handovers"))
            .unwrap()
    );
    for t in testing::all().await {
        let db = &t.db;
        let (_, a) = patient(db).await;
        sqlx::query(
            "INSERT INTO care_events (patient_id, kind, occurred_at, recorded_at) \
             VALUES ($1, 'ziekenhuisopname', '2027-03-01T10:00:00Z', '2027-03-01T10:00:00Z')",
        )
        .bind(a)
        .execute(db.pool())
        .await
        .unwrap();
        let event = db.events(a).await.unwrap()[0].id;
        sqlx::query("UPDATE care_events SET handover_sent_at = '2027-03-02T12:00:00Z' WHERE id = $1")
            .bind(event)
            .execute(db.pool())
            .await
            .unwrap();
        assert_eq!(
            db.events(a).await.unwrap()[0].handover_sent_at,
            None,
            "the column is no longer read"
        );
        sqlx::query(&statement).execute(db.pool()).await.unwrap();
        let list = db.handovers(a).await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(
            (list[0].organisation_id, list[0].has_document, list[0].sent_at.as_str()),
            (None, false, "2027-03-02T12:00:00Z")
        );
        assert_eq!(db.handover_document(list[0].id).await.unwrap(), None);
        assert_eq!(
            db.events(a).await.unwrap()[0].handover_sent_at.as_deref(),
            Some("2027-03-02T12:00:00Z")
        );
        t.finish().await;
    }
}
