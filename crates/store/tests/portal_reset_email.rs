//! The portal's account care and e-mail on SQLite and PostgreSQL: a reset closes the
//! account until its letter re-opens the same account (new name and password, second
//! factor gone), earlier letters stop working, an account without a second factor cannot
//! simply be unblocked; e-mail addresses come with the invitation; e-mailed codes are
//! used once, only the newest, and not after they expire.

use chrono::NaiveDate;
use kernteam_domain::access::Role;
use kernteam_domain::portal::PortalKind;
use kernteam_store::extracts::{PatientRow, SnapshotHeader};
use kernteam_store::people::NewUser;
use kernteam_store::portal::NewInvitation;
use kernteam_store::{testing, Db, StoreError};

async fn patients(db: &Db) -> (i64, i64, i64) {
    let mut w = db
        .begin_snapshot(&SnapshotHeader {
            agb_code: "01234567".into(),
            practice_name: "Praktijk De Linde".into(),
            extract_date: "2027-01-05".parse::<NaiveDate>().unwrap(),
            source: "test".into(),
        })
        .await
        .unwrap();
    for id in ["A", "B"] {
        w.patient(PatientRow {
            his_id: id.into(),
            bsn: None,
            family_name: Some("Jansen".into()),
            given_name: Some("Anna".into()),
            birth_date: "1940-05-05".parse().unwrap(),
            sex: Some("V".into()),
            registration_start: "1990-01-01".parse().unwrap(),
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
    let id = |h: &str| people.iter().find(|p| p.his_id == h).unwrap().patient_id;
    let practice = db.practice_by_agb("01234567").await.unwrap().unwrap().id;
    let poh = kernteam_store::audited!(db, testing::entry(), |ch| ch.create_user(&user(
        "poh",
        Role::PohO,
        Some(practice)
    )))
    .unwrap();
    (id("A"), id("B"), poh)
}

fn user(name: &str, role: Role, practice_id: Option<i64>) -> NewUser {
    NewUser {
        username: name.into(),
        display_name: name.into(),
        role,
        practice_id,
        organisation_id: None,
        password_hash: "old-hash".into(),
        is_admin: false,
    }
}

fn invitation(patient_id: i64, hash: &str, by: i64, email: Option<&str>, resets: Option<i64>) -> NewInvitation {
    NewInvitation {
        patient_id,
        kind: PortalKind::Patient,
        member_id: None,
        code_hash: hash.into(),
        created_by: by,
        expires_at: "2099-01-01T00:00:00Z".into(),
        email: email.map(str::to_string),
        resets_user_id: resets,
    }
}

#[tokio::test]
async fn a_reset_closes_the_account_until_its_letter_reopens_it() {
    for t in testing::all().await {
        let db = &t.db;
        let (a, b, poh) = patients(db).await;
        kernteam_store::audited!(db, testing::entry(), |ch| ch.add_invitation(&invitation(
            a,
            "first",
            poh,
            Some("anna@example.nl"),
            None
        )))
        .unwrap();
        let first = db.invitation_by_hash("first").await.unwrap().unwrap();
        assert_eq!(first.email.as_deref(), Some("anna@example.nl"));
        let anna = kernteam_store::audited!(db, testing::entry(), |ch| ch
            .activate_invitation(&first, &user("anna", Role::Patient, None)))
        .unwrap();
        assert_eq!(
            db.user_email(anna).await.unwrap().as_deref(),
            Some("anna@example.nl"),
            "copied at activation"
        );
        kernteam_store::audited!(db, testing::entry(), |ch| ch.set_email_sign_in(anna, true)).unwrap();
        db.create_session("s-anna", anna, "c", None, true).await.unwrap();

        // Blocking: the sessions end, the account cannot sign in; unblocking opens it again.
        kernteam_store::audited!(db, testing::entry(), |ch| ch.set_portal_account_blocked(anna, a, true)).unwrap();
        assert!(db.session("s-anna").await.unwrap().is_none());
        assert!(!db.portal_account(anna).await.unwrap().unwrap().active);
        kernteam_store::audited!(db, testing::entry(), |ch| ch.set_portal_account_blocked(anna, a, false)).unwrap();
        assert!(db.portal_account(anna).await.unwrap().unwrap().active);
        // Another patient's account is not found through this patient.
        let other = kernteam_store::audited!(db, testing::entry(), |ch| ch.set_portal_account_blocked(anna, b, true));
        assert!(matches!(other, Err(StoreError::NotFound)));

        // A reset: second factor gone, account closed, one open letter for it.
        db.create_session("s-anna2", anna, "c", None, true).await.unwrap();
        for hash in ["reset-1", "reset-2"] {
            kernteam_store::audited!(db, testing::entry(), |ch| ch
                .reset_portal_account(&invitation(a, hash, poh, Some("anna@example.nl"), Some(anna)), anna))
            .unwrap();
        }
        assert!(db.session("s-anna2").await.unwrap().is_none());
        assert!(!db.email_sign_in(anna).await.unwrap());
        assert!(!db.totp_state(anna).await.unwrap().enabled);
        assert!(!db.portal_account(anna).await.unwrap().unwrap().active);
        let old = db.invitation_by_hash("reset-1").await.unwrap().unwrap();
        assert!(old.withdrawn_at.is_some(), "a newer letter replaces the older one");
        // Without a second factor, unblocking is refused: only the letter opens it.
        let unblock =
            kernteam_store::audited!(db, testing::entry(), |ch| ch.set_portal_account_blocked(anna, a, false));
        assert!(matches!(unblock, Err(StoreError::Conflict(_))), "{unblock:?}");
        // A letter that names another account than the one reset is refused.
        let wrong = kernteam_store::audited!(db, testing::entry(), |ch| ch
            .reset_portal_account(&invitation(a, "reset-x", poh, None, Some(poh)), anna));
        assert!(matches!(wrong, Err(StoreError::Conflict(_))));

        // The withdrawn letter no longer reopens; the newest does, the same account.
        let refused = kernteam_store::audited!(db, testing::entry(), |ch| ch
            .reopen_portal_account(&old, "anna-new", "h"));
        assert!(matches!(refused, Err(StoreError::Conflict(_))));
        let letter = db.invitation_by_hash("reset-2").await.unwrap().unwrap();
        let reopened = kernteam_store::audited!(db, testing::entry(), |ch| ch
            .reopen_portal_account(&letter, "anna-new", "new-hash"))
        .unwrap();
        assert_eq!(reopened, anna);
        let creds = db.credentials("anna-new").await.unwrap().unwrap();
        assert_eq!((creds.user.id, creds.password_hash.as_str()), (anna, "new-hash"));
        assert!(creds.user.active);
        assert!(db.credentials("anna").await.unwrap().is_none(), "the old name is gone");
        assert_eq!(db.portal_accounts(a).await.unwrap().len(), 1, "no second account");
        let twice = kernteam_store::audited!(db, testing::entry(), |ch| ch
            .reopen_portal_account(&letter, "anna-3", "h"));
        assert!(matches!(twice, Err(StoreError::Conflict(_))), "a letter works once");

        // An ended account cannot be reset, blocked or reopened.
        kernteam_store::audited!(db, testing::entry(), |ch| ch
            .end_portal_account(anna, a, poh, "praktijk"))
        .unwrap();
        let reset = kernteam_store::audited!(db, testing::entry(), |ch| ch
            .reset_portal_account(&invitation(a, "reset-3", poh, None, Some(anna)), anna));
        assert!(matches!(reset, Err(StoreError::NotFound)));
        let block = kernteam_store::audited!(db, testing::entry(), |ch| ch.set_portal_account_blocked(anna, a, true));
        assert!(matches!(block, Err(StoreError::NotFound)));
    }
}

#[tokio::test]
async fn emailed_codes_work_once_only_the_newest_and_not_after_they_expire() {
    for t in testing::all().await {
        let db = &t.db;
        let (_, _, poh) = patients(db).await;
        assert_eq!(db.user_email(poh).await.unwrap(), None);
        kernteam_store::audited!(db, testing::entry(), |ch| ch
            .set_user_email(poh, Some("poh@example.nl")))
        .unwrap();
        assert_eq!(db.user_email(poh).await.unwrap().as_deref(), Some("poh@example.nl"));
        kernteam_store::audited!(db, testing::entry(), |ch| ch.set_user_email(poh, Some(""))).unwrap();
        assert_eq!(db.user_email(poh).await.unwrap(), None, "empty removes");

        let later = "2099-01-01T00:00:00Z";
        kernteam_store::audited!(db, testing::entry(), |ch| ch.add_email_code(poh, "c1", later)).unwrap();
        kernteam_store::audited!(db, testing::entry(), |ch| ch.add_email_code(poh, "c2", later)).unwrap();
        assert!(
            !db.use_email_code(poh, "c1").await.unwrap(),
            "superseded by the newer code"
        );
        assert!(!db.use_email_code(poh, "nope").await.unwrap());
        assert!(db.use_email_code(poh, "c2").await.unwrap());
        assert!(!db.use_email_code(poh, "c2").await.unwrap(), "once");
        kernteam_store::audited!(db, testing::entry(), |ch| ch.add_email_code(
            poh,
            "c3",
            "2020-01-01T00:00:00Z"
        ))
        .unwrap();
        assert!(!db.use_email_code(poh, "c3").await.unwrap(), "expired");
        let (n, last) = db.email_codes_since(poh, "2000-01-01T00:00:00Z").await.unwrap();
        assert_eq!(n, 3);
        assert!(last.is_some());
        assert_eq!(db.email_codes_since(poh, "2099-01-01T00:00:00Z").await.unwrap().0, 0);
    }
}
