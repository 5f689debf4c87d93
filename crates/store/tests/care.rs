//! Care records on SQLite and PostgreSQL: they hang off the lasting patient identity and
//! survive new extracts; versions and memberships behave as the pages expect.

use chrono::NaiveDate;
use kernteam_domain::access::{OrganisationKind, Role};
use kernteam_domain::care::DecisionKind;
use kernteam_domain::first_contact::{HistoryKind, Outcome};
use kernteam_store::care::{AuditEntry, NewDecision, NewTeamMember};
use kernteam_store::extracts::{PatientRow, SnapshotHeader};
use kernteam_store::people::NewUser;
use kernteam_store::{testing, Db, StoreError};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// Writes a snapshot of one practice with the given patient ids.
async fn snapshot(db: &Db, date: &str, ids: &[&str]) -> i64 {
    let mut w = db
        .begin_snapshot(&SnapshotHeader {
            agb_code: "01234567".into(),
            practice_name: "Praktijk De Linde".into(),
            extract_date: d(date),
            source: "test".into(),
        })
        .await
        .unwrap();
    for id in ids {
        w.patient(PatientRow {
            his_id: id.to_string(),
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
    }
    w.finish().await.unwrap().snapshot_id
}

async fn user(db: &Db, name: &str, role: Role, practice_id: Option<i64>, organisation_id: Option<i64>) -> i64 {
    kernteam_store::audited!(db, testing::entry(), |ch| ch.create_user(&NewUser {
        username: name.into(),
        display_name: name.into(),
        role,
        practice_id,
        organisation_id,
        password_hash: "x".into(),
        is_admin: false,
    }))
    .unwrap()
}

#[tokio::test]
async fn care_records_survive_new_extracts_and_follow_the_patient() {
    for t in testing::all().await {
        let db = &t.db;
        let first = snapshot(db, "2027-01-05", &["A", "B"]).await;
        let practice = db.practice_by_agb("01234567").await.unwrap().unwrap();
        let people = db.snapshot_people(first).await.unwrap();
        let a = people.iter().find(|p| p.his_id == "A").unwrap().patient_id;
        let poh = user(db, "poh", Role::PohO, Some(practice.id), None).await;
        kernteam_store::audited!(db, testing::entry(), |ch| ch.add_decision(
            a,
            &NewDecision {
                kind: DecisionKind::Inclusion,
                decided_on: d("2027-01-10"),
                deciding_gp: Some("Dr. X".into()),
                reason: None,
                considerations: None,
            },
            poh,
        ))
        .unwrap();
        let member = kernteam_store::audited!(db, testing::entry(), |ch| ch.add_team_member(
            a,
            &NewTeamMember {
                kind: "professional".into(),
                user_id: Some(poh),
                name: "poh".into(),
                ..Default::default()
            },
            poh,
        ))
        .unwrap();
        kernteam_store::audited!(db, testing::entry(), |ch| ch.set_first_contact(
            a,
            member,
            poh,
            d("2099-01-01")
        ))
        .unwrap();
        kernteam_store::audited!(db, testing::entry(), |ch| ch.save_care_plan(
            a,
            0,
            "{}",
            "Zorgplan opgesteld",
            poh,
            "poh"
        ))
        .unwrap();
        // A new extract in which A is still present, and the same date again (replaced).
        let second = snapshot(db, "2027-04-02", &["A", "C"]).await;
        snapshot(db, "2027-04-02", &["A", "C"]).await;
        let again = db
            .snapshot_people(db.latest_snapshot(practice.id).await.unwrap().unwrap().snapshot_id)
            .await
            .unwrap();
        assert_ne!(second, 0);
        assert_eq!(
            again.iter().find(|p| p.his_id == "A").unwrap().patient_id,
            a,
            "same lasting id"
        );
        assert_eq!(db.decisions(a).await.unwrap().len(), 1);
        assert_eq!(db.first_contact(a).await.unwrap().unwrap().id, member);
        assert_eq!(db.care_plan_versions(a).await.unwrap().len(), 1);
        assert_eq!(db.practice_decisions(practice.id).await.unwrap().len(), 1);
        t.finish().await;
    }
}

#[tokio::test]
async fn care_plan_versions_refuse_a_stale_base_and_team_removal_clears_first_contact() {
    for t in testing::all().await {
        let db = &t.db;
        let s = snapshot(db, "2027-01-05", &["A"]).await;
        let a = db.snapshot_people(s).await.unwrap()[0].patient_id;
        let practice = db.practice_by_agb("01234567").await.unwrap().unwrap();
        let org = kernteam_store::audited!(db, testing::entry(), |ch| ch
            .create_organisation(OrganisationKind::Wijkverpleging, "Thuiszorg"))
        .unwrap();
        assert!(matches!(
            kernteam_store::audited!(db, testing::entry(), |ch| ch
                .create_organisation(OrganisationKind::Wijkverpleging, "Thuiszorg")),
            Err(StoreError::Conflict(_))
        ));
        let poh = user(db, "poh", Role::PohO, Some(practice.id), None).await;
        let wvk = user(db, "wvk", Role::Wijkverpleegkundige, None, Some(org)).await;
        assert!(matches!(
            kernteam_store::audited!(db, testing::entry(), |ch| ch.create_user(&NewUser {
                username: "poh".into(),
                display_name: "dup".into(),
                role: Role::PohO,
                practice_id: Some(practice.id),
                organisation_id: None,
                password_hash: "x".into(),
                is_admin: false
            })),
            Err(StoreError::Conflict(_))
        ));
        assert_eq!(
            kernteam_store::audited!(db, testing::entry(), |ch| ch.save_care_plan(
                a,
                0,
                "{\"goals\":[\"a\"]}",
                "v1",
                poh,
                "poh"
            ))
            .unwrap(),
            1
        );
        assert_eq!(
            kernteam_store::audited!(db, testing::entry(), |ch| ch.save_care_plan(
                a,
                1,
                "{\"goals\":[\"b\"]}",
                "v2",
                wvk,
                "wvk"
            ))
            .unwrap(),
            2
        );
        assert!(matches!(
            kernteam_store::audited!(db, testing::entry(), |ch| ch
                .save_care_plan(a, 1, "{}", "stale", poh, "poh")),
            Err(StoreError::Conflict(_))
        ));
        let versions = db.care_plan_versions(a).await.unwrap();
        assert_eq!(versions.iter().map(|v| v.version).collect::<Vec<_>>(), [2, 1]);
        assert_eq!(versions[0].created_by_name, "wvk");

        assert!(!db.on_care_team(a, wvk).await.unwrap());
        let m = kernteam_store::audited!(db, testing::entry(), |ch| ch.add_team_member(
            a,
            &NewTeamMember {
                kind: "professional".into(),
                user_id: Some(wvk),
                name: "wvk".into(),
                ..Default::default()
            },
            poh,
        ))
        .unwrap();
        assert!(db.on_care_team(a, wvk).await.unwrap());
        assert_eq!(db.patients_of_team_member(wvk).await.unwrap().len(), 1);
        kernteam_store::audited!(db, testing::entry(), |ch| ch.set_first_contact(
            a,
            m,
            poh,
            d("2099-01-01")
        ))
        .unwrap();
        assert_eq!(
            db.first_contact_assignment(a).await.unwrap().unwrap().evaluate_on,
            Some(d("2099-01-01"))
        );
        kernteam_store::audited!(db, testing::entry(), |ch| ch.evaluate_first_contact(
            a,
            Outcome::Kept,
            Some(" Past goed "),
            d("2099-06-01"),
            poh
        ))
        .unwrap();
        assert!(db
            .practice_first_contact_evaluations(practice.id)
            .await
            .unwrap()
            .contains(&(a, Some(d("2099-06-01")))));
        kernteam_store::audited!(db, testing::entry(), |ch| ch.remove_team_member(a, m, poh)).unwrap();
        assert!(!db.on_care_team(a, wvk).await.unwrap());
        assert!(db.first_contact(a).await.unwrap().is_none());
        assert!(db.first_contact_assignment(a).await.unwrap().is_none());
        let history = db.first_contact_history(a).await.unwrap();
        let kinds: Vec<_> = history.iter().map(|h| (h.kind, h.outcome)).collect();
        assert_eq!(
            kinds,
            [
                (HistoryKind::Assigned, None),
                (HistoryKind::Evaluated, Some(Outcome::Kept)),
                (HistoryKind::Ended, None)
            ]
        );
        assert_eq!(history[1].note.as_deref(), Some("Past goed"));
        assert_eq!(history[1].evaluate_on, Some(d("2099-06-01")));
        assert_eq!(history[0].member_name, "wvk");
        assert_eq!(history[0].recorded_by_name, "poh");
        // Evaluating without a first point of contact: nothing to evaluate.
        assert!(matches!(
            kernteam_store::audited!(db, testing::entry(), |ch| ch.evaluate_first_contact(
                a,
                Outcome::Kept,
                None,
                d("2099-06-01"),
                poh
            )),
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            kernteam_store::audited!(db, testing::entry(), |ch| ch.remove_team_member(a, m, poh)),
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            kernteam_store::audited!(db, testing::entry(), |ch| ch.set_first_contact(
                a,
                m,
                poh,
                d("2099-01-01")
            )),
            Err(StoreError::NotFound)
        ));

        db.audit(&AuditEntry {
            user_id: Some(poh),
            username: "poh".into(),
            role: "poh_o".into(),
            practice_id: Some(practice.id),
            patient_id: Some(a),
            action: "dossier ingezien".into(),
            detail: None,
            ip: Some("127.0.0.1".into()),
            ..Default::default()
        })
        .await
        .unwrap();
        let log = db.audit_for_patient(a).await.unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].action, "dossier ingezien");
        t.finish().await;
    }
}

#[tokio::test]
async fn sessions_end_with_the_account() {
    for t in testing::all().await {
        let db = &t.db;
        let admin = user(db, "beheer", Role::Beheerder, None, None).await;
        db.create_session("hash", admin, "csrf", Some("127.0.0.1"), true)
            .await
            .unwrap();
        let s = db.session("hash").await.unwrap().unwrap();
        assert_eq!(
            (s.user.id, s.csrf.as_str(), s.second_factor_done),
            (admin, "csrf", true)
        );
        kernteam_store::audited!(db, testing::entry(), |ch| ch.set_user_active(admin, false)).unwrap();
        assert!(db.session("hash").await.unwrap().is_none());
        t.finish().await;
    }
}

#[tokio::test]
async fn minutes_and_their_care_plan_version_land_together_or_not_at_all() {
    use kernteam_store::program::{Document, NewVersion};
    for t in testing::all().await {
        let db = &t.db;
        let s = snapshot(db, "2027-01-05", &["A"]).await;
        let a = db.snapshot_people(s).await.unwrap()[0].patient_id;
        let practice = db.practice_by_agb("01234567").await.unwrap().unwrap();
        let poh = user(db, "poh", Role::PohO, Some(practice.id), None).await;
        let m = kernteam_store::audited!(db, testing::entry(), |ch| ch.create_meeting(
            practice.id,
            d("2027-01-20"),
            "praktijk",
            &["huisarts".into()],
            poh
        ))
        .unwrap();
        kernteam_store::audited!(db, testing::entry(), |ch| ch.add_to_agenda(m, a, None)).unwrap();
        let plan = |based_on| NewVersion {
            doc: Document::CarePlan,
            based_on,
            content: "{}",
            summary: "Besluiten uit het MDO",
            user_id: poh,
            user_name: "poh",
        };
        // A stale care-plan version: neither the version nor the minutes are written.
        assert!(matches!(
            kernteam_store::audited!(db, testing::entry(), |ch| ch.record_minutes_with_plan(
                m,
                a,
                "besproken",
                Some(plan(3))
            )),
            Err(StoreError::Conflict(_))
        ));
        assert!(db.agenda(m).await.unwrap()[0].minutes.is_none());
        assert!(!db.meeting(m).await.unwrap().held);
        assert!(db.care_plan_versions(a).await.unwrap().is_empty());
        // The right base: both land.
        assert_eq!(
            kernteam_store::audited!(db, testing::entry(), |ch| ch.record_minutes_with_plan(
                m,
                a,
                "besproken",
                Some(plan(0))
            ))
            .unwrap(),
            Some(1)
        );
        assert_eq!(db.agenda(m).await.unwrap()[0].minutes.as_deref(), Some("besproken"));
        assert!(db.meeting(m).await.unwrap().held);
        t.finish().await;
    }
}
