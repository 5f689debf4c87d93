//! Every kind of record is read back by column name on both backends, and a stored value
//! that does not convert is refused with the column named (never a panic, never a guess).

use chrono::NaiveDate;
use kernteam_domain::access::{OrganisationKind, Role};
use kernteam_domain::codes::ChainProgram;
use kernteam_store::care::NewTeamMember;
use kernteam_store::extracts::{DeterminantRow, EpisodeRow, MedicationRow, PatientRow, ProgramRow, SnapshotHeader};
use kernteam_store::people::{NewUser, PracticeContact};
use kernteam_store::program::{Attendance, Document, MeetingPlace, NewConsultation, NewInvitee, NewMedicationReview};
use kernteam_store::{testing, Db, StoreError};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// A practice with one patient `P1` with one line of every kind; returns (practice, patient, snapshot).
async fn practice_with_patient(db: &Db) -> (i64, i64, i64) {
    let mut w = db
        .begin_snapshot(&SnapshotHeader {
            agb_code: "01234567".into(),
            practice_name: "Praktijk De Linde".into(),
            extract_date: d("2027-01-31"),
            source: "test".into(),
        })
        .await
        .unwrap();
    w.practice_contact(&PracticeContact {
        address: Some("Lindelaan 1".into()),
        city: Some("Maastricht".into()),
        phone: Some("043 123 45 67".into()),
    })
    .await
    .unwrap();
    w.patient(PatientRow {
        his_id: "P1".into(),
        bsn: Some("123456782".into()),
        family_name: Some("Jansen".into()),
        given_name: Some("Anna".into()),
        birth_date: d("1940-05-05"),
        sex: Some("V".into()),
        registration_start: d("1990-01-01"),
        registration_end: None,
        postal_code: Some("1234AB".into()),
        address: Some("Lindelaan 4".into()),
        city: Some("Maastricht".into()),
        phone: None,
    })
    .await
    .unwrap();
    w.episode(EpisodeRow {
        his_id: "P1".into(),
        icpc: "T90".into(),
        start: d("2010-03-01"),
        end: None,
        title: Some("Diabetes".into()),
    })
    .await
    .unwrap();
    w.medication(MedicationRow {
        his_id: "P1".into(),
        atc: "A10BA02".into(),
        start: d("2011-01-01"),
        end: Some(d("2020-01-01")),
        name: Some("Metformine 500 mg".into()),
        dosage: Some("2 dd 1 tablet".into()),
    })
    .await
    .unwrap();
    w.determinant(DeterminantRow {
        his_id: "P1".into(),
        labcode: 2803,
        date: d("2026-12-01"),
        value: "54".into(),
    })
    .await
    .unwrap();
    w.program(ProgramRow {
        his_id: "P1".into(),
        program: ChainProgram::Dm2,
        start: d("2010-04-01"),
        end: None,
    })
    .await
    .unwrap();
    let s = w.finish().await.unwrap();
    let patient = db.patient_by_his_id(s.practice_id, "P1").await.unwrap().unwrap();
    (s.practice_id, patient.id, s.snapshot_id)
}

async fn poh(db: &Db, practice_id: i64) -> i64 {
    kernteam_store::audited!(db, testing::entry(), |ch| ch.create_user(&NewUser {
        username: "poh".into(),
        display_name: "Petra Poh".into(),
        role: Role::PohO,
        practice_id: Some(practice_id),
        organisation_id: None,
        password_hash: "hash".into(),
        is_admin: true,
    }))
    .unwrap()
}

#[tokio::test]
async fn every_kind_of_record_reads_back_by_column_name() {
    for t in testing::all().await {
        let db = &t.db;
        let (practice, patient, snapshot) = practice_with_patient(db).await;
        let user = poh(db, practice).await;

        let p = db.patient(patient).await.unwrap();
        let (snap, person) = db.current_person(&p).await.unwrap();
        assert_eq!(snap.unwrap().extract_date, d("2027-01-31"));
        let person = person.unwrap();
        assert_eq!(
            (person.full_name(), person.birth_date),
            ("Jansen, Anna".into(), d("1940-05-05"))
        );
        assert_eq!(db.person(snapshot, &p).await.unwrap(), Some(person));
        let his = db.his_record(snapshot, "P1").await.unwrap();
        assert_eq!(his.episodes[0].text.as_deref(), Some("Diabetes"));
        assert_eq!(his.medications[0].end, Some(d("2020-01-01")));
        assert_eq!(
            (his.determinants[0].labcode, his.determinants[0].value.as_str()),
            (2803, "54")
        );
        assert_eq!(his.programs[0].code, "DM2");
        let facts = db.patient_facts(snapshot, "P1").await.unwrap().unwrap();
        assert_eq!(
            (facts.episodes.len(), facts.programs[0].program),
            (1, ChainProgram::Dm2)
        );

        let creds = db.credentials("poh").await.unwrap().unwrap();
        assert_eq!(
            (creds.user.role, creds.user.is_admin, creds.user.active),
            (Role::PohO, true, true)
        );
        assert_eq!(db.user(user).await.unwrap().display_name, "Petra Poh");
        assert_eq!(db.practices().await.unwrap()[0].agb_code, "01234567");
        kernteam_store::audited!(db, testing::entry(), |ch| ch
            .create_organisation(OrganisationKind::Apotheek, "Apotheek Centrum"))
        .unwrap();
        assert_eq!(db.organisations().await.unwrap()[0].kind, OrganisationKind::Apotheek);

        let member = kernteam_store::audited!(db, testing::entry(), |ch| ch.add_team_member(
            patient,
            &NewTeamMember {
                kind: "professional".into(),
                name: "Wim Wijk".into(),
                role: Some("wijkverpleegkundige".into()),
                ..Default::default()
            },
            user,
        ))
        .unwrap();
        kernteam_store::audited!(db, testing::entry(), |ch| ch.set_first_contact(
            patient,
            member,
            user,
            d("2099-01-01")
        ))
        .unwrap();
        assert_eq!(db.team(patient).await.unwrap()[0].name, "Wim Wijk");
        let pros = db.practice_team_professionals(practice).await.unwrap();
        assert_eq!(
            pros.iter().map(|p| (p.member_id, p.name.as_str())).collect::<Vec<_>>(),
            [(member, "Wim Wijk")]
        );
        assert_eq!(
            db.practice_first_contacts(practice).await.unwrap(),
            vec![(patient, "Wim Wijk".to_string(), Some("wijkverpleegkundige".to_string()))]
        );

        kernteam_store::audited!(db, testing::entry(), |ch| ch.save_version(
            Document::Pzp,
            patient,
            0,
            "wensen",
            "eerste",
            user,
            "Petra Poh"
        ))
        .unwrap();
        let review = NewMedicationReview {
            date: d("2027-02-01"),
            indication: None,
            participants: "huisarts,apotheker".into(),
            stopped: Some("x".into()),
            started: None,
            changed: None,
            follow_up: Some(d("2027-05-01")),
        };
        kernteam_store::audited!(db, testing::entry(), |ch| ch
            .add_medication_review(patient, &review, user))
        .unwrap();
        // The dashboards' aggregate reads (crates/store/src/care_process.rs).
        let before = db.data_version().await.unwrap();
        assert_eq!(before.latest_snapshot, Some(snapshot));
        let pzps = db.practice_first_versions(Document::Pzp, practice).await.unwrap();
        assert_eq!(pzps.len(), 1);
        assert_eq!(pzps[0].0, patient);
        assert!(db
            .practice_first_versions(Document::CarePlan, practice)
            .await
            .unwrap()
            .is_empty());
        let contacts = db.practice_first_contact_times(practice).await.unwrap();
        assert_eq!(contacts.iter().map(|c| c.0).collect::<Vec<_>>(), [patient]);
        assert_eq!(
            db.practice_medication_review_dates(practice).await.unwrap(),
            [(patient, d("2027-02-01"))]
        );
        kernteam_store::audited!(db, testing::entry(), |ch| ch.add_medication_review(
            patient,
            &NewMedicationReview {
                date: d("2026-02-01"),
                ..review.clone()
            },
            user
        ))
        .unwrap();
        assert_eq!(
            db.practice_medication_review_dates(practice).await.unwrap(),
            [(patient, d("2026-02-01")), (patient, d("2027-02-01"))]
        );
        let after = db.data_version().await.unwrap();
        assert!(
            after.audit_seq > before.audit_seq,
            "every audited change moves the version"
        );
        let summary = db.record_summary(patient).await.unwrap();
        assert_eq!(summary.first_contact_member, Some(member));
        assert_eq!(summary.last_medication_review, Some(d("2027-02-01")));
        assert_eq!(summary.care_plan, None);
        assert_eq!(summary.pzp.as_ref().map(|v| v.content.as_str()), Some("wensen"));
        assert_eq!(db.latest_version(Document::Pzp, patient).await.unwrap(), summary.pzp);
        assert_eq!(
            db.medication_reviews(patient).await.unwrap()[0].follow_up,
            Some(d("2027-05-01"))
        );
        assert_eq!(
            db.last_medication_reviews(practice).await.unwrap(),
            vec![(patient, d("2027-02-01"))]
        );

        let c = NewConsultation {
            date: d("2027-02-02"),
            question: "valrisico?".into(),
            advice: Some("fysiotherapie".into()),
            kind: "telefonisch".into(),
            funding: "grondslag_so".into(),
            so_name: "Dr. So".into(),
        };
        kernteam_store::audited!(db, testing::entry(), |ch| ch.add_consultation(patient, &c, user)).unwrap();
        assert_eq!(db.consultations(patient).await.unwrap()[0].date, d("2027-02-02"));
        assert_eq!(
            db.consultation_counts(practice, d("2027-01-01"), d("2027-12-31"))
                .await
                .unwrap(),
            vec![("grondslag_so".to_string(), 1)]
        );

        kernteam_store::audited!(db, testing::entry(), |ch| ch.add_event(
            patient,
            "val",
            "2027-02-03T10:00:00Z",
            None,
            user
        ))
        .unwrap();
        assert_eq!(db.events(patient).await.unwrap()[0].occurred_at, "2027-02-03T10:00:00Z");
        assert_eq!(db.practice_events(practice, "2027-01-01").await.unwrap().len(), 1);
        assert_eq!(
            db.event_counts(practice, "2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z")
                .await
                .unwrap(),
            vec![("val".to_string(), 1)]
        );

        let meeting = kernteam_store::audited!(db, testing::entry(), |ch| ch.create_meeting(
            practice,
            d("2027-02-10"),
            "praktijk",
            &["huisarts".into(), "poh_o".into()],
            user,
        ))
        .unwrap();
        kernteam_store::audited!(db, testing::entry(), |ch| ch.add_to_agenda(
            meeting,
            patient,
            Some("val")
        ))
        .unwrap();
        let present = Attendance {
            discipline: "huisarts".into(),
            present: true,
            name: None,
        };
        kernteam_store::audited!(db, testing::entry(), |ch| ch.record_attendance(
            meeting,
            std::slice::from_ref(&present),
            Some("goed")
        ))
        .unwrap();
        assert_eq!(db.attendance(meeting).await.unwrap(), vec![present]);
        // When and where, and who is invited by name with their attendance.
        let place = MeetingPlace {
            time: Some("14:30".into()),
            place: Some("Praktijk, spreekkamer 2".into()),
            video_link: Some("https://meet.example.nl/mdo".into()),
        };
        kernteam_store::audited!(db, testing::entry(), |ch| ch.set_meeting_place(meeting, &place)).unwrap();
        let invite = |name: &str, discipline: Option<&str>, user_id| NewInvitee {
            name: name.into(),
            role: Some("Huisarts".into()),
            discipline: discipline.map(str::to_string),
            user_id,
        };
        kernteam_store::audited!(db, testing::entry(), |ch| ch.invite(
            meeting,
            &[
                invite("Dr. Jekerdal", Some("huisarts"), Some(user)),
                invite("Fysio Fit", None, None)
            ]
        ))
        .unwrap();
        let again = kernteam_store::audited!(db, testing::entry(), |ch| ch
            .invite(meeting, &[invite("Fysio Fit", None, None)]));
        assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
        let invitees = db.invitees(meeting).await.unwrap();
        assert_eq!(
            invitees
                .iter()
                .map(|i| (i.name.as_str(), i.discipline.as_deref(), i.user_id, i.present))
                .collect::<Vec<_>>(),
            [
                ("Dr. Jekerdal", Some("huisarts"), Some(user), None),
                ("Fysio Fit", None, None, None)
            ]
        );
        kernteam_store::audited!(db, testing::entry(), |ch| ch
            .record_invitee_attendance(meeting, &[invitees[1].id]))
        .unwrap();
        let present_now: Vec<_> = db.invitees(meeting).await.unwrap().iter().map(|i| i.present).collect();
        assert_eq!(present_now, [Some(false), Some(true)]);
        assert_eq!(
            db.practice_contact(practice).await.unwrap().phone.as_deref(),
            Some("043 123 45 67")
        );
        let stored = db.meeting(meeting).await.unwrap();
        assert_eq!(
            (stored.time, stored.place, stored.video_link),
            (place.time.clone(), place.place.clone(), place.video_link.clone())
        );
        corrupt(db, "UPDATE mdo_invitees SET present = 3 WHERE present = 1").await;
        assert_eq!(
            corrupt_message(db.invitees(meeting).await),
            "mdo_invitees.present: vlag '3'"
        );
        corrupt(db, "UPDATE mdo_invitees SET present = 1 WHERE present = 3").await;
        let m = &db.meetings(practice).await.unwrap()[0];
        assert_eq!((m.invited.len(), m.held, m.agenda_count), (2, true, 1));
        let (m, item) = &db.patient_meetings(patient).await.unwrap()[0];
        assert_eq!(
            (m.id, item.reason.as_deref(), item.discussed),
            (meeting, Some("val"), false)
        );
        assert_eq!(
            db.held_meetings_between(practice, d("2027-01-01"), d("2027-12-31"))
                .await
                .unwrap(),
            1
        );
        t.finish().await;
    }
}

/// Overwrites one stored value behind the store's back.
async fn corrupt(db: &Db, sql: &str) {
    sqlx::query(sql).execute(db.pool()).await.unwrap();
}

fn corrupt_message<T: std::fmt::Debug>(r: Result<T, StoreError>) -> String {
    match r {
        Err(StoreError::Corrupt(m)) => m,
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

#[tokio::test]
async fn values_that_do_not_convert_are_refused_with_their_column_named() {
    for t in testing::all().await {
        let db = &t.db;
        let (practice, patient, snapshot) = practice_with_patient(db).await;
        let user = poh(db, practice).await;
        let meeting = kernteam_store::audited!(db, testing::entry(), |ch| ch.create_meeting(
            practice,
            d("2027-02-10"),
            "praktijk",
            &[],
            user
        ))
        .unwrap();
        kernteam_store::audited!(db, testing::entry(), |ch| ch.add_event(
            patient,
            "val",
            "2027-02-03T10:00:00Z",
            None,
            user
        ))
        .unwrap();

        // A record value cut short is refused by name, never misread.
        corrupt(db, "UPDATE snapshot_records SET data = substr(data, 1, 12)").await;
        assert!(corrupt_message(db.snapshot_people(snapshot).await).starts_with("snapshot_records.data: "));
        assert!(corrupt_message(db.his_record(snapshot, "P1").await).starts_with("snapshot_records.data: "));
        corrupt(db, "UPDATE mdo_meetings SET held = 2").await;
        assert_eq!(
            corrupt_message(db.meeting(meeting).await),
            "mdo_meetings.held: vlag '2'"
        );
        corrupt(db, "UPDATE users SET role = 'tovenaar'").await;
        assert_eq!(corrupt_message(db.user(user).await), "users.role: code 'tovenaar'");
        corrupt(db, "UPDATE care_events SET occurred_at = 'gisteren'").await;
        assert_eq!(
            corrupt_message(db.events(patient).await),
            "care_events.occurred_at: tijdstip 'gisteren'"
        );
        t.finish().await;
    }
}
