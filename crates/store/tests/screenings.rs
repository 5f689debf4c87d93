//! Case finding's records on SQLite and PostgreSQL: screenings and frailty conclusions are
//! kept with their dates (oldest first), the practice's assessed patients are found in one
//! query, and an inclusion's exception reason is kept with its decision.

use chrono::NaiveDate;
use kernteam_domain::access::Role;
use kernteam_domain::care::DecisionKind;
use kernteam_domain::screening::Instrument;
use kernteam_store::care::NewDecision;
use kernteam_store::extracts::{PatientRow, SnapshotHeader};
use kernteam_store::people::NewUser;
use kernteam_store::screenings::NewScreening;
use kernteam_store::{audited, testing, Db};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

async fn practice_with_patients(db: &Db) -> (i64, Vec<i64>) {
    let mut w = db
        .begin_snapshot(&SnapshotHeader {
            agb_code: "01234567".into(),
            practice_name: "Praktijk De Linde".into(),
            extract_date: d("2027-01-31"),
            source: "test".into(),
        })
        .await
        .unwrap();
    for his in ["P1", "P2"] {
        w.patient(PatientRow {
            his_id: his.into(),
            bsn: None,
            family_name: None,
            given_name: None,
            birth_date: d("1940-05-05"),
            sex: None,
            registration_start: d("1990-01-01"),
            registration_end: None,
            postal_code: None,
            address: None,
            city: None,
            phone: None,
        })
        .await
        .unwrap();
    }
    let s = w.finish().await.unwrap();
    let mut ids = Vec::new();
    for his in ["P1", "P2"] {
        ids.push(db.patient_by_his_id(s.practice_id, his).await.unwrap().unwrap().id);
    }
    (s.practice_id, ids)
}

fn gfi(on: &str, score: u32) -> NewScreening {
    NewScreening {
        instrument: Instrument::Gfi,
        administered_on: d(on),
        items: (1..=score).map(|i| i.to_string()).collect::<Vec<_>>().join(","),
        score,
        positive: score >= 4,
        note: Some("thuis afgenomen".into()),
    }
}

#[tokio::test]
async fn screenings_conclusions_and_exceptions_are_kept() {
    for t in testing::all().await {
        let db = &t.db;
        let (practice, ids) = practice_with_patients(db).await;
        let (p1, p2) = (ids[0], ids[1]);
        let u = audited!(db, testing::entry(), |ch| ch.create_user(&NewUser {
            username: "poh".into(),
            display_name: "Petra Poh".into(),
            role: Role::PohO,
            practice_id: Some(practice),
            organisation_id: None,
            password_hash: "x".into(),
            is_admin: false,
        }))
        .unwrap();
        audited!(db, testing::entry(), |ch| ch.add_screening(
            p1,
            &gfi("2026-11-01", 6),
            u
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        audited!(db, testing::entry(), |ch| ch.add_screening(
            p1,
            &gfi("2026-05-01", 3),
            u
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        let s = db.screenings(p1).await.unwrap();
        assert_eq!(s.iter().map(|x| x.score).collect::<Vec<_>>(), [3, 6], "oldest first");
        assert_eq!(s[1].items, [1, 2, 3, 4, 5, 6]);
        assert!(s[1].positive && !s[0].positive);
        assert_eq!(s[1].instrument, Instrument::Gfi);
        assert!(db.screenings(p2).await.unwrap().is_empty());

        assert!(db.practice_frailty_conclusions(practice).await.unwrap().is_empty());
        audited!(db, testing::entry(), |ch| ch.add_frailty_conclusion(
            p1,
            d("2026-11-02"),
            true,
            "GFI 6",
            u
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        let c = db.frailty_conclusions(p1).await.unwrap();
        assert_eq!((c.len(), c[0].frail, c[0].reason.as_str()), (1, true, "GFI 6"));
        assert_eq!(db.practice_frailty_conclusions(practice).await.unwrap(), [p1]);

        let decision = NewDecision {
            kind: DecisionKind::Inclusion,
            decided_on: d("2026-11-03"),
            deciding_gp: Some("Dr. Maas".into()),
            reason: None,
            considerations: None,
        };
        let mut ch = db.change().await.unwrap();
        let id = ch.add_decision(p1, &decision, u).await.unwrap();
        ch.add_inclusion_exception(id, "episode volgt").await.unwrap();
        ch.commit(&[testing::entry()]).await.unwrap();
        assert_eq!(
            db.inclusion_exceptions(p1).await.unwrap(),
            [(id, "episode volgt".to_string())]
        );
        assert!(db.inclusion_exceptions(p2).await.unwrap().is_empty());
        t.finish().await;
    }
}
