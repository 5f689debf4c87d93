//! The region's quality cycle on SQLite and PostgreSQL: practice visits (plan, record,
//! share), the network collaboration per quarter and partner, the PDCA checklist, and the
//! MDO attendance per discipline that answers a Check question.

use chrono::NaiveDate;
use kernteam_domain::access::Role;
use kernteam_store::extracts::SnapshotHeader;
use kernteam_store::mdo::Attendance;
use kernteam_store::people::NewUser;
use kernteam_store::visits::VisitRecord;
use kernteam_store::{audited, testing, Db, StoreError};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

async fn practice(db: &Db, agb: &str) -> i64 {
    let w = db
        .begin_snapshot(&SnapshotHeader {
            agb_code: agb.into(),
            practice_name: format!("Praktijk {agb}"),
            extract_date: d("2027-07-01"),
            source: "test".into(),
        })
        .await
        .unwrap();
    w.finish().await.unwrap().practice_id
}

async fn user(db: &Db, name: &str, role: Role) -> i64 {
    audited!(db, testing::entry(), |ch| ch.create_user(&NewUser {
        username: name.into(),
        display_name: name.into(),
        role,
        practice_id: None,
        organisation_id: None,
        password_hash: "x".into(),
        is_admin: false,
    }))
    .unwrap()
}

#[tokio::test]
async fn visits_are_planned_recorded_and_shared() {
    for t in testing::all().await {
        let db = &t.db;
        let (a, b) = (practice(db, "01000001").await, practice(db, "01000002").await);
        let pm = user(db, "Mark Manager", Role::Programmamanager).await;
        let v1 = audited!(db, testing::entry(), |ch| ch.plan_visit(a, d("2027-03-01"), pm)).unwrap();
        let v2 = audited!(db, testing::entry(), |ch| ch.plan_visit(a, d("2027-09-01"), pm)).unwrap();
        let v3 = audited!(db, testing::entry(), |ch| ch.plan_visit(b, d("2027-05-01"), pm)).unwrap();

        // Sharing before recording is refused.
        assert!(matches!(
            audited!(db, testing::entry(), |ch| ch.share_visit(v1, pm)),
            Err(StoreError::NotFound)
        ));
        let record = VisitRecord {
            visited_on: d("2027-03-02"),
            topics: [Some("Loopt goed".into()), None, Some("Elke maand".into()), None],
            feedback: Some("Ga zo door.".into()),
        };
        audited!(db, testing::entry(), |ch| ch.record_visit(v1, &record, pm)).unwrap();
        audited!(db, testing::entry(), |ch| ch.share_visit(v1, pm)).unwrap();
        let first = db.visit(v1).await.unwrap();
        assert!(first.is_recorded() && first.is_shared());
        assert_eq!(first.topics, record.topics);
        assert_eq!(first.feedback.as_deref(), Some("Ga zo door."));
        assert_eq!(first.planned_by_name.as_deref(), Some("Mark Manager"));
        assert_eq!(first.shared_by_name.as_deref(), Some("Mark Manager"));
        assert_eq!(first.practice_name, "Praktijk 01000001");
        // Sharing again keeps the first sharing.
        audited!(db, testing::entry(), |ch| ch.share_visit(v1, pm)).unwrap();
        assert_eq!(db.visit(v1).await.unwrap().shared_at, first.shared_at);

        let of_a: Vec<i64> = db.practice_visits(a).await.unwrap().iter().map(|v| v.id).collect();
        assert_eq!(of_a, [v2, v1], "newest first");
        let every: Vec<i64> = db.visits().await.unwrap().iter().map(|v| v.id).collect();
        assert_eq!(every, [v2, v3, v1]);
        assert!(matches!(db.visit(v3 + 100).await, Err(StoreError::NotFound)));
        assert!(matches!(
            audited!(db, testing::entry(), |ch| ch.record_visit(v3 + 100, &record, pm)),
            Err(StoreError::NotFound)
        ));
        t.finish().await;
    }
}

#[tokio::test]
async fn collaboration_is_kept_per_practice_quarter_and_partner() {
    for t in testing::all().await {
        let db = &t.db;
        let (a, b) = (practice(db, "01000001").await, practice(db, "01000002").await);
        let pm = user(db, "Mark Manager", Role::Programmamanager).await;
        let set = |p: i64, q: &'static str, partner: &'static str, s: Option<(&'static str, Option<&'static str>)>| {
            let db = db.clone();
            async move {
                audited!(db, testing::entry(), |ch| ch.set_collaboration(p, q, partner, s, pm)).unwrap();
            }
        };
        set(a, "2027-Q3", "wijkverpleging", Some(("in_ontwikkeling", None))).await;
        set(
            a,
            "2027-Q3",
            "wijkverpleging",
            Some(("afspraken", Some("Vaste wijkverpleegkundige"))),
        )
        .await;
        set(a, "2027-Q3", "apotheek", Some(("geen", None))).await;
        set(a, "2027-Q2", "apotheek", Some(("in_ontwikkeling", None))).await;
        set(b, "2027-Q3", "sociaal_domein", Some(("afspraken", None))).await;
        set(a, "2027-Q3", "apotheek", None).await;

        let q3 = db.collaboration_of_quarter("2027-Q3").await.unwrap();
        let seen: Vec<(i64, &str, &str)> = q3
            .iter()
            .map(|e| (e.practice_id, e.partner.as_str(), e.status.as_str()))
            .collect();
        assert_eq!(
            seen,
            [(a, "wijkverpleging", "afspraken"), (b, "sociaal_domein", "afspraken")]
        );
        assert_eq!(q3[0].note.as_deref(), Some("Vaste wijkverpleegkundige"));
        assert_eq!(q3[0].set_by_name.as_deref(), Some("Mark Manager"));
        let quarters: Vec<String> = db
            .practice_collaboration(a)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.quarter)
            .collect();
        assert_eq!(quarters, ["2027-Q3", "2027-Q2"]);
        t.finish().await;
    }
}

#[tokio::test]
async fn pdca_items_and_mdo_attendance() {
    for t in testing::all().await {
        let db = &t.db;
        let (a, b) = (practice(db, "01000001").await, practice(db, "01000002").await);
        let poh = user(db, "Petra Poh", Role::PohO).await;
        audited!(db, testing::entry(), |ch| ch.set_pdca_item(
            a,
            "plan.kernteam",
            "bezig",
            None,
            None,
            poh
        ))
        .unwrap();
        audited!(db, testing::entry(), |ch| ch.set_pdca_item(
            a,
            "plan.kernteam",
            "gereed",
            Some("Kernteam op papier"),
            Some(d("2027-07-01")),
            poh
        ))
        .unwrap();
        audited!(db, testing::entry(), |ch| ch
            .set_pdca_item(b, "do.mdo", "bezig", None, None, poh))
        .unwrap();
        let items = db.pdca_items(a).await.unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(
            (items[0].status.as_str(), items[0].evidence.as_deref(), items[0].date),
            ("gereed", Some("Kernteam op papier"), Some(d("2027-07-01")))
        );
        assert_eq!(db.all_pdca_items().await.unwrap().len(), 2);

        // Attendance at held meetings in the period only.
        let present = |discipline: &str, present: bool| Attendance {
            discipline: discipline.into(),
            present,
            name: None,
        };
        for (date, list) in [
            (
                "2027-07-10",
                vec![present("huisarts", true), present("casemanager_dementie", false)],
            ),
            (
                "2027-08-10",
                vec![present("huisarts", true), present("casemanager_dementie", true)],
            ),
            ("2027-10-01", vec![present("huisarts", true)]),
        ] {
            let m = audited!(db, testing::entry(), |ch| ch.create_meeting(
                a,
                d(date),
                "praktijk",
                &["huisarts".into()],
                poh
            ))
            .unwrap();
            audited!(db, testing::entry(), |ch| ch.record_attendance(m, &list, None)).unwrap();
        }
        audited!(db, testing::entry(), |ch| ch.create_meeting(
            a,
            d("2027-08-20"),
            "praktijk",
            &["huisarts".into()],
            poh
        ))
        .unwrap();
        let counts: Vec<(String, u64, u64)> = db
            .mdo_attendance_between(a, d("2027-07-01"), d("2027-09-30"))
            .await
            .unwrap()
            .into_iter()
            .map(|c| (c.discipline, c.present, c.recorded))
            .collect();
        assert_eq!(
            counts,
            [("casemanager_dementie".into(), 1, 2), ("huisarts".into(), 2, 2)]
        );
        assert!(db
            .mdo_attendance_between(b, d("2027-07-01"), d("2027-09-30"))
            .await
            .unwrap()
            .is_empty());
        t.finish().await;
    }
}
