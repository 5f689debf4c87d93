//! The portal's storage on SQLite and PostgreSQL: invitations (hash only, used once,
//! withdrawable), accounts linked to the patient and the mantelzorger's record, ending
//! them, the consent history, messages with who read them, notifications and
//! contributions.

use chrono::NaiveDate;
use kernteam_domain::access::Role;
use kernteam_domain::portal::{CarerLoad, ConsentLevel, PortalKind, ProposalKind};
use kernteam_store::care::NewTeamMember;
use kernteam_store::extracts::{PatientRow, SnapshotHeader};
use kernteam_store::messages::NewNotification;
use kernteam_store::people::NewUser;
use kernteam_store::portal::NewInvitation;
use kernteam_store::{testing, Db, StoreError};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

async fn snapshot(db: &Db, ids: &[&str]) -> Vec<i64> {
    let mut w = db
        .begin_snapshot(&SnapshotHeader {
            agb_code: "01234567".into(),
            practice_name: "Praktijk De Linde".into(),
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
    let snap = w.finish().await.unwrap().snapshot_id;
    let people = db.snapshot_people(snap).await.unwrap();
    ids.iter()
        .map(|id| people.iter().find(|p| p.his_id == *id).unwrap().patient_id)
        .collect()
}

fn new_user(name: &str, role: Role, practice_id: Option<i64>) -> NewUser {
    NewUser {
        username: name.into(),
        display_name: name.into(),
        role,
        practice_id,
        organisation_id: None,
        password_hash: "x".into(),
        is_admin: false,
    }
}

#[tokio::test]
async fn invitations_accounts_and_consent() {
    for t in testing::all().await {
        let db = &t.db;
        let ids = snapshot(db, &["A", "B"]).await;
        let (a, b) = (ids[0], ids[1]);
        let practice = db.practice_by_agb("01234567").await.unwrap().unwrap();
        let poh = kernteam_store::audited!(db, testing::entry(), |ch| ch.create_user(&new_user(
            "poh",
            Role::PohO,
            Some(practice.id)
        )))
        .unwrap();
        let carer = kernteam_store::audited!(db, testing::entry(), |ch| ch.add_team_member(
            a,
            &NewTeamMember {
                kind: "mantelzorger".into(),
                name: "Karin".into(),
                relation: Some("dochter".into()),
                ..Default::default()
            },
            poh
        ))
        .unwrap();
        let invite = |kind, member_id, hash: &str| NewInvitation {
            patient_id: a,
            kind,
            member_id,
            code_hash: hash.into(),
            created_by: poh,
            expires_at: "2099-01-01T00:00:00Z".into(),
            email: None,
            resets_user_id: None,
        };
        let i1 = kernteam_store::audited!(db, testing::entry(), |ch| ch.add_invitation(&invite(
            PortalKind::Patient,
            None,
            "hash-1"
        )))
        .unwrap();
        let i2 = kernteam_store::audited!(db, testing::entry(), |ch| ch.add_invitation(&invite(
            PortalKind::Mantelzorger,
            Some(carer),
            "hash-2"
        )))
        .unwrap();
        let i3 = kernteam_store::audited!(db, testing::entry(), |ch| ch.add_invitation(&invite(
            PortalKind::Patient,
            None,
            "hash-3"
        )))
        .unwrap();
        assert!(db.invitation_by_hash("nope").await.unwrap().is_none());
        let inv = db.invitation_by_hash("hash-1").await.unwrap().unwrap();
        assert_eq!(
            (inv.id, inv.patient_id, inv.kind, inv.created_by_name.as_str()),
            (i1, a, PortalKind::Patient, "poh")
        );
        assert_eq!(db.invitations(a).await.unwrap().len(), 3);

        // Withdrawn: only the patient's own, once.
        let wrong = kernteam_store::audited!(db, testing::entry(), |ch| ch.withdraw_invitation(i3, b, poh));
        assert!(matches!(wrong, Err(StoreError::NotFound)));
        kernteam_store::audited!(db, testing::entry(), |ch| ch.withdraw_invitation(i3, a, poh)).unwrap();
        let again = kernteam_store::audited!(db, testing::entry(), |ch| ch.withdraw_invitation(i3, a, poh));
        assert!(matches!(again, Err(StoreError::NotFound)));
        let withdrawn = db.invitation_by_hash("hash-3").await.unwrap().unwrap();
        assert!(withdrawn.withdrawn_at.is_some());
        let use_withdrawn = kernteam_store::audited!(db, testing::entry(), |ch| ch
            .activate_invitation(&withdrawn, &new_user("nee", Role::Patient, None)));
        assert!(matches!(use_withdrawn, Err(StoreError::Conflict(_))));
        assert!(db.credentials("nee").await.unwrap().is_none(), "rolled back");

        // Activated: an account linked to the patient, the invitation used once.
        let patient_user = kernteam_store::audited!(db, testing::entry(), |ch| ch
            .activate_invitation(&inv, &new_user("anna", Role::Patient, None)))
        .unwrap();
        let twice = kernteam_store::audited!(db, testing::entry(), |ch| ch
            .activate_invitation(&inv, &new_user("anna2", Role::Patient, None)));
        assert!(matches!(twice, Err(StoreError::Conflict(_))));
        let acc = db.portal_account(patient_user).await.unwrap().unwrap();
        assert_eq!(
            (acc.patient_id, acc.kind, acc.member_id),
            (a, PortalKind::Patient, None)
        );
        assert_eq!(db.user(patient_user).await.unwrap().role, Role::Patient);
        let inv2 = db.invitation_by_hash("hash-2").await.unwrap().unwrap();
        assert_eq!(inv2.id, i2);
        let carer_user = kernteam_store::audited!(db, testing::entry(), |ch| ch
            .activate_invitation(&inv2, &new_user("karin", Role::Mantelzorger, None)))
        .unwrap();
        assert_eq!(
            db.portal_account(carer_user).await.unwrap().unwrap().member_id,
            Some(carer)
        );
        assert_eq!(db.portal_accounts(a).await.unwrap().len(), 2);
        assert!(db.portal_accounts(b).await.unwrap().is_empty());

        // Consent: nothing until chosen, the latest choice counts, every choice kept.
        assert_eq!(db.consent(carer).await.unwrap(), ConsentLevel::None);
        for level in [ConsentLevel::AlsoPzp, ConsentLevel::Agreements] {
            kernteam_store::audited!(db, testing::entry(), |ch| ch.set_consent(a, carer, level, patient_user)).unwrap();
        }
        assert_eq!(db.consent(carer).await.unwrap(), ConsentLevel::Agreements);
        let history = db.consent_history(a).await.unwrap();
        assert_eq!(
            history.iter().map(|c| c.level).collect::<Vec<_>>(),
            [ConsentLevel::Agreements, ConsentLevel::AlsoPzp]
        );
        assert_eq!(history[0].set_by_name, "anna");

        // A session of the account ends with it; ending twice is NotFound.
        db.create_session("s1", carer_user, "c", None, true).await.unwrap();
        assert!(db.session("s1").await.unwrap().is_some());
        kernteam_store::audited!(db, testing::entry(), |ch| ch
            .end_portal_account(carer_user, a, poh, "praktijk"))
        .unwrap();
        assert!(db.session("s1").await.unwrap().is_none());
        assert!(!db.user(carer_user).await.unwrap().active);
        let ended = db.portal_account(carer_user).await.unwrap().unwrap();
        assert_eq!(ended.end_reason.as_deref(), Some("praktijk"));
        let twice = kernteam_store::audited!(db, testing::entry(), |ch| ch
            .end_portal_account(carer_user, a, poh, "x"));
        assert!(matches!(twice, Err(StoreError::NotFound)));

        // The patient leaves the programme: every account ends, open invitations go.
        let i4 = kernteam_store::audited!(db, testing::entry(), |ch| ch.add_invitation(&invite(
            PortalKind::Patient,
            None,
            "hash-4"
        )))
        .unwrap();
        let n =
            kernteam_store::audited!(db, testing::entry(), |ch| ch.end_portal_accounts_of(a, poh, "exclusie")).unwrap();
        assert_eq!(n, 1);
        assert!(db
            .portal_account(patient_user)
            .await
            .unwrap()
            .unwrap()
            .ended_at
            .is_some());
        let i4 = db
            .invitations(a)
            .await
            .unwrap()
            .into_iter()
            .find(|i| i.id == i4)
            .unwrap();
        assert!(i4.withdrawn_at.is_some());
        t.finish().await;
    }
}

#[tokio::test]
async fn messages_reads_notifications_and_contributions() {
    for t in testing::all().await {
        let db = &t.db;
        let ids = snapshot(db, &["A", "B"]).await;
        let (a, b) = (ids[0], ids[1]);
        let practice = db.practice_by_agb("01234567").await.unwrap().unwrap();
        let poh = kernteam_store::audited!(db, testing::entry(), |ch| ch.create_user(&new_user(
            "poh",
            Role::PohO,
            Some(practice.id)
        )))
        .unwrap();
        let anna = kernteam_store::audited!(db, testing::entry(), |ch| ch.create_user(&new_user(
            "anna",
            Role::Patient,
            None
        )))
        .unwrap();
        let thread =
            kernteam_store::audited!(db, testing::entry(), |ch| ch.add_thread(a, "Vraag", false, anna)).unwrap();
        let team = kernteam_store::audited!(db, testing::entry(), |ch| ch.add_thread(a, "Overleg", true, poh)).unwrap();
        kernteam_store::audited!(db, testing::entry(), |ch| ch.add_message(
            thread,
            anna,
            "Hoe laat komt u?"
        ))
        .unwrap();
        kernteam_store::audited!(db, testing::entry(), |ch| ch.add_message(
            team,
            poh,
            "Alleen voor het team"
        ))
        .unwrap();
        assert_eq!(
            db.threads(a, anna, false).await.unwrap().len(),
            1,
            "the portal never sees team threads"
        );
        assert_eq!(db.threads(a, poh, true).await.unwrap().len(), 2);
        assert!(db.threads(b, poh, true).await.unwrap().is_empty());
        assert_eq!(db.unread_messages(a, poh, true).await.unwrap(), 1);
        assert_eq!(db.unread_messages(a, anna, false).await.unwrap(), 0);
        assert_eq!(db.thread(thread, poh).await.unwrap().unread, 1);
        let n = kernteam_store::audited!(db, testing::entry(), |ch| ch.mark_thread_read(thread, poh)).unwrap();
        assert_eq!(n, 1);
        let n = kernteam_store::audited!(db, testing::entry(), |ch| ch.mark_thread_read(thread, poh)).unwrap();
        assert_eq!(n, 0, "read once");
        assert_eq!(db.unread_messages(a, poh, true).await.unwrap(), 0);
        kernteam_store::audited!(db, testing::entry(), |ch| ch.add_message(thread, poh, "Om tien uur.")).unwrap();
        assert_eq!(db.unread_messages(a, anna, false).await.unwrap(), 1);
        let msgs = db.messages(thread).await.unwrap();
        assert_eq!(msgs.len(), 2);
        assert_eq!(msgs[0].read_by.len(), 1);
        assert_eq!(
            (msgs[0].read_by[0].0.as_str(), msgs[0].read_by[0].1.as_str()),
            ("poh", "poh_o")
        );
        assert_eq!(msgs[1].author_role, "poh_o");
        assert!(matches!(db.thread(9999, poh).await, Err(StoreError::NotFound)));

        kernteam_store::audited!(db, testing::entry(), |ch| ch.add_notification(&NewNotification {
            user_id: poh,
            patient_id: Some(a),
            kind: "message",
            text: "Nieuw bericht".into(),
            link: format!("/patienten/{a}/berichten/{thread}"),
        }))
        .unwrap();
        assert_eq!(db.unread_notifications(poh).await.unwrap(), 1);
        assert_eq!(db.notifications(poh).await.unwrap()[0].kind, "message");
        kernteam_store::audited!(db, testing::entry(), |ch| ch.mark_notifications_read(poh)).unwrap();
        assert_eq!(db.unread_notifications(poh).await.unwrap(), 0);

        let p = kernteam_store::audited!(db, testing::entry(), |ch| ch.add_proposal(
            a,
            anna,
            ProposalKind::Wish,
            "Thuis blijven"
        ))
        .unwrap();
        assert_eq!(db.proposals(a, true).await.unwrap().len(), 1);
        assert!(matches!(
            kernteam_store::audited!(db, testing::entry(), |ch| ch.take_proposal(p, b, poh)),
            Err(StoreError::NotFound)
        ));
        kernteam_store::audited!(db, testing::entry(), |ch| ch.take_proposal(p, a, poh)).unwrap();
        assert!(db.proposals(a, true).await.unwrap().is_empty());
        assert_eq!(db.proposals(a, false).await.unwrap()[0].author_name, "anna");
        kernteam_store::audited!(db, testing::entry(), |ch| ch.add_carer_report(
            a,
            None,
            anna,
            CarerLoad::Zwaar,
            "Hulp bij boodschappen"
        ))
        .unwrap();
        let reports = db.carer_reports(a).await.unwrap();
        assert_eq!(
            (reports[0].load, reports[0].support_need.as_str()),
            (CarerLoad::Zwaar, "Hulp bij boodschappen")
        );
        t.finish().await;
    }
}
