//! The practice-wide queries behind the MDO overview, the worklist and the formation page,
//! on SQLite and PostgreSQL: one query per practice, never another practice's rows.

use chrono::NaiveDate;
use kernteam_domain::access::Role;
use kernteam_store::extracts::{PatientRow, SnapshotHeader};
use kernteam_store::people::NewUser;
use kernteam_store::program::{AgendaEntry, Document};
use kernteam_store::{testing, Db};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// Writes a snapshot of a practice with the given HIS ids; returns (practice id, patient ids).
async fn practice(db: &Db, agb: &str, ids: &[&str]) -> (i64, Vec<i64>) {
    let mut w = db
        .begin_snapshot(&SnapshotHeader {
            agb_code: agb.into(),
            practice_name: format!("Praktijk {agb}"),
            extract_date: d("2027-01-05"),
            source: "test".into(),
        })
        .await
        .unwrap();
    for id in ids {
        w.patient(PatientRow {
            his_id: id.to_string(),
            bsn: None,
            family_name: Some("Jansen".into()),
            given_name: Some(id.to_string()),
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
    }
    let snapshot = w.finish().await.unwrap().snapshot_id;
    let people = db.snapshot_people(snapshot).await.unwrap();
    let practice_id = db.practice_by_agb(agb).await.unwrap().unwrap().id;
    let patients = ids
        .iter()
        .map(|id| people.iter().find(|p| p.his_id == *id).unwrap().patient_id)
        .collect();
    (practice_id, patients)
}

async fn user(db: &Db, name: &str, practice_id: i64) -> i64 {
    kernteam_store::audited!(db, testing::entry(), |ch| ch.create_user(&NewUser {
        username: name.into(),
        display_name: format!("{name} (naam)"),
        role: Role::PohO,
        practice_id: Some(practice_id),
        organisation_id: None,
        password_hash: "x".into(),
        is_admin: false,
    }))
    .unwrap()
}

#[tokio::test]
async fn practice_agenda_lists_every_item_of_the_practice_only() {
    for t in testing::all().await {
        let db = &t.db;
        let (p1, ids) = practice(db, "01234567", &["A", "B", "C"]).await;
        let (p2, other) = practice(db, "07654321", &["D"]).await;
        let poh = user(db, "poh", p1).await;
        let poh2 = user(db, "poh2", p2).await;
        let held = kernteam_store::audited!(db, testing::entry(), |ch| ch.create_meeting(
            p1,
            d("2027-02-10"),
            "praktijk",
            &["huisarts".into()],
            poh
        ))
        .unwrap();
        let planned = kernteam_store::audited!(db, testing::entry(), |ch| ch.create_meeting(
            p1,
            d("2027-04-10"),
            "netwerk",
            &["huisarts".into()],
            poh
        ))
        .unwrap();
        let elsewhere = kernteam_store::audited!(db, testing::entry(), |ch| ch.create_meeting(
            p2,
            d("2027-02-10"),
            "praktijk",
            &["huisarts".into()],
            poh2
        ))
        .unwrap();
        kernteam_store::audited!(db, testing::entry(), |ch| ch.add_to_agenda(held, ids[0], Some("val"))).unwrap();
        kernteam_store::audited!(db, testing::entry(), |ch| ch.add_to_agenda(held, ids[1], None)).unwrap();
        kernteam_store::audited!(db, testing::entry(), |ch| ch.add_to_agenda(
            planned,
            ids[2],
            Some("ontslag")
        ))
        .unwrap();
        kernteam_store::audited!(db, testing::entry(), |ch| ch.add_to_agenda(elsewhere, other[0], None)).unwrap();
        kernteam_store::audited!(db, testing::entry(), |ch| ch.record_minutes(held, ids[0], "Besproken.")).unwrap();

        let agenda = db.practice_agenda(p1).await.unwrap();
        assert_eq!(
            agenda,
            [
                AgendaEntry {
                    meeting_id: held,
                    meeting_date: d("2027-02-10"),
                    held: true,
                    patient_id: ids[0],
                    discussed: true,
                },
                AgendaEntry {
                    meeting_id: held,
                    meeting_date: d("2027-02-10"),
                    held: true,
                    patient_id: ids[1],
                    discussed: false,
                },
                AgendaEntry {
                    meeting_id: planned,
                    meeting_date: d("2027-04-10"),
                    held: false,
                    patient_id: ids[2],
                    discussed: false,
                },
            ]
        );
        assert_eq!(db.practice_agenda(p2).await.unwrap().len(), 1);
        t.finish().await;
    }
}

#[tokio::test]
async fn current_versions_are_the_latest_per_patient_of_the_practice() {
    for t in testing::all().await {
        let db = &t.db;
        let (p1, ids) = practice(db, "01234567", &["A", "B", "C"]).await;
        let (p2, other) = practice(db, "07654321", &["D"]).await;
        let poh = user(db, "poh", p1).await;
        kernteam_store::audited!(db, testing::entry(), |ch| ch.save_care_plan(
            ids[0],
            0,
            "{\"wishes\":\"een\"}",
            "v1",
            poh,
            "poh"
        ))
        .unwrap();
        kernteam_store::audited!(db, testing::entry(), |ch| ch.save_care_plan(
            ids[0],
            1,
            "{\"wishes\":\"twee\"}",
            "v2",
            poh,
            "poh"
        ))
        .unwrap();
        kernteam_store::audited!(db, testing::entry(), |ch| ch
            .save_care_plan(ids[1], 0, "{}", "v1", poh, "poh"))
        .unwrap();
        kernteam_store::audited!(db, testing::entry(), |ch| ch
            .save_care_plan(other[0], 0, "{}", "v1", poh, "poh"))
        .unwrap();
        kernteam_store::audited!(db, testing::entry(), |ch| ch.save_version(
            Document::Pzp,
            ids[2],
            0,
            "{}",
            "pzp",
            poh,
            "poh"
        ))
        .unwrap();

        let current = db.practice_current_versions(Document::CarePlan, p1).await.unwrap();
        let seen: Vec<(i64, i64, &str)> = current
            .iter()
            .map(|(p, v)| (*p, v.version, v.content.as_str()))
            .collect();
        let mut expected = vec![(ids[0], 2, "{\"wishes\":\"twee\"}"), (ids[1], 1, "{}")];
        expected.sort();
        assert_eq!(seen, expected);
        assert_eq!(current.iter().find(|(p, _)| *p == ids[0]).unwrap().1.summary, "v2");
        let pzp = db.practice_current_versions(Document::Pzp, p1).await.unwrap();
        assert_eq!(pzp.iter().map(|(p, _)| *p).collect::<Vec<_>>(), [ids[2]]);
        assert_eq!(db.practice_current_versions(Document::Pzp, p2).await.unwrap(), []);
        t.finish().await;
    }
}

#[tokio::test]
async fn worklist_events_are_recent_ones_and_old_unsent_handovers() {
    for t in testing::all().await {
        let db = &t.db;
        let (p1, ids) = practice(db, "01234567", &["A", "B"]).await;
        let (_, other) = practice(db, "07654321", &["D"]).await;
        let poh = user(db, "poh", p1).await;
        let (a, b) = (ids[0], ids[1]);
        let old_fall = kernteam_store::audited!(db, testing::entry(), |ch| ch.add_event(
            a,
            "val",
            "2026-06-01T10:00:00Z",
            None,
            poh
        ))
        .unwrap();
        let old_unsent = kernteam_store::audited!(db, testing::entry(), |ch| ch.add_event(
            a,
            "ontslag_ziekenhuis",
            "2026-06-02T10:00:00Z",
            Some("thuis"),
            poh
        ))
        .unwrap();
        let old_sent = kernteam_store::audited!(db, testing::entry(), |ch| ch.add_event(
            a,
            "ziekenhuisopname",
            "2026-06-03T10:00:00Z",
            None,
            poh
        ))
        .unwrap();
        let org = kernteam_store::audited!(db, testing::entry(), |ch| ch
            .create_organisation(kernteam_domain::access::OrganisationKind::Wijkverpleging, "Thuiszorg"))
        .unwrap();
        kernteam_store::audited!(db, testing::entry(), |ch| ch.add_handover(
            a,
            old_sent,
            org,
            "2026-06-03T18:00:00Z",
            poh
        ))
        .unwrap();
        let recent = kernteam_store::audited!(db, testing::entry(), |ch| ch.add_event(
            b,
            "val",
            "2027-03-01T08:30:00Z",
            None,
            poh
        ))
        .unwrap();
        kernteam_store::audited!(db, testing::entry(), |ch| ch.add_event(
            other[0],
            "ontslag_ziekenhuis",
            "2027-03-01T08:30:00Z",
            None,
            poh
        ))
        .unwrap();

        let handover = ["ontslag_ziekenhuis", "ziekenhuisopname"];
        let events = db
            .practice_worklist_events(p1, "2027-01-01T00:00:00Z", &handover)
            .await
            .unwrap();
        assert_eq!(events.iter().map(|e| e.id).collect::<Vec<_>>(), [recent, old_unsent]);
        assert_eq!(events[1].notes.as_deref(), Some("thuis"));
        assert_eq!(events[1].handover_sent_at, None);
        let recent_only = db
            .practice_worklist_events(p1, "2027-01-01T00:00:00Z", &[])
            .await
            .unwrap();
        assert_eq!(recent_only.iter().map(|e| e.id).collect::<Vec<_>>(), [recent]);
        let everything = db.practice_worklist_events(p1, "", &handover).await.unwrap();
        assert_eq!(
            everything.iter().map(|e| e.id).collect::<Vec<_>>(),
            [recent, old_sent, old_unsent, old_fall]
        );
        t.finish().await;
    }
}

#[tokio::test]
async fn the_formation_history_names_who_set_it() {
    for t in testing::all().await {
        let db = &t.db;
        let (p1, _) = practice(db, "01234567", &["A"]).await;
        let poh = user(db, "poh", p1).await;
        kernteam_store::audited!(db, testing::entry(), |ch| ch.set_poh_o_hours(
            p1,
            d("2027-01-01"),
            6.5,
            poh
        ))
        .unwrap();
        kernteam_store::audited!(db, testing::entry(), |ch| ch.set_poh_o_hours(
            p1,
            d("2027-04-01"),
            8.0,
            poh
        ))
        .unwrap();
        let history = db.poh_o_hours_history(p1).await.unwrap();
        assert_eq!(
            history
                .iter()
                .map(|h| (h.valid_from, h.hours, h.set_by_name.as_deref()))
                .collect::<Vec<_>>(),
            [
                (d("2027-04-01"), 8.0, Some("poh (naam)")),
                (d("2027-01-01"), 6.5, Some("poh (naam)"))
            ]
        );
        assert_eq!(db.poh_o_hours_on(p1, d("2027-03-31")).await.unwrap(), Some(6.5));
        assert_eq!(db.poh_o_hours_on(p1, d("2026-12-31")).await.unwrap(), None);
        t.finish().await;
    }
}

#[tokio::test]
async fn worklist_marks_are_kept_per_practice_and_the_newest_counts() {
    use kernteam_domain::worklist::MarkKind;
    use kernteam_store::care::NewTeamMember;
    for t in testing::all().await {
        let db = &t.db;
        let (p1, ids) = practice(db, "01234567", &["A", "B"]).await;
        let (p2, other) = practice(db, "07654321", &["D"]).await;
        let poh = user(db, "poh", p1).await;
        let poh2 = user(db, "poh2", p2).await;
        for (patient, practice, key, kind) in [
            (ids[0], p1, "pzp", MarkKind::Snoozed(d("2027-03-01"))),
            (ids[0], p1, "pzp", MarkKind::Done),
            (ids[1], p1, "mdo", MarkKind::Snoozed(d("2027-04-01"))),
            (other[0], p2, "pzp", MarkKind::Done),
        ] {
            let by = if practice == p1 { poh } else { poh2 };
            kernteam_store::audited!(db, testing::entry(), |ch| ch.mark_work_item(
                patient,
                practice,
                key,
                kind,
                "Besproken met de huisarts",
                by
            ))
            .unwrap();
        }
        let marks = db.practice_worklist_marks(p1).await.unwrap();
        assert_eq!(marks.len(), 3, "{}", t.backend().name());
        assert!(marks.iter().all(|m| m.patient_id != other[0]));
        assert_eq!(marks[2].by_name, "poh (naam)");
        let per = kernteam_store::worklist::by_patient(&marks);
        assert_eq!(per[&ids[0]], [("pzp".to_string(), MarkKind::Done)]);
        assert_eq!(per[&ids[1]], [("mdo".to_string(), MarkKind::Snoozed(d("2027-04-01")))]);

        let member = kernteam_store::audited!(db, testing::entry(), |ch| ch.add_team_member(
            ids[1],
            &NewTeamMember {
                kind: "professional".into(),
                user_id: Some(poh),
                name: "poh (naam)".into(),
                ..Default::default()
            },
            poh
        ))
        .unwrap();
        assert_eq!(db.practice_memberships_of(p1, poh).await.unwrap(), [(ids[1], member)]);
        assert!(db.practice_memberships_of(p2, poh).await.unwrap().is_empty());
    }
}
