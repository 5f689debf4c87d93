//! The region's "late handovers" figure follows the handovers sent (migration 0019), on
//! SQLite and PostgreSQL: a handover document sent within 24 hours meets the clock, one
//! sent later is late, a tick of the old tick box (a record without document) counts at its
//! time, and the old tick box's column alone no longer counts for anything.

use std::path::Path;

use chrono::NaiveDate;
use kernteam_domain::access::{OrganisationKind, Role};
use kernteam_domain::codes::CodeSets;
use kernteam_domain::period::{Period, ReportKind};
use kernteam_import::{import_extract, ImportOptions};
use kernteam_store::people::NewUser;
use kernteam_store::testing;

#[tokio::test]
async fn late_handovers_count_the_sent_records() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/spec/example/extract-09000001-2027-07-04");
    let opts = ImportOptions {
        today: NaiveDate::from_ymd_opt(2027, 8, 1).unwrap(),
        progress: false,
    };
    for t in testing::all().await {
        let db = &t.db;
        import_extract(db, &example, &opts).await.unwrap();
        let practice = db.practice_by_agb("09000001").await.unwrap().unwrap();
        let snap = db.latest_snapshot(practice.id).await.unwrap().unwrap();
        let patient = db.snapshot_people(snap.snapshot_id).await.unwrap()[0].patient_id;
        let poh = kernteam_store::audited!(db, testing::entry(), |ch| ch.create_user(&NewUser {
            username: "poh".into(),
            display_name: "Petra Poh".into(),
            role: Role::PohO,
            practice_id: Some(practice.id),
            organisation_id: None,
            password_hash: "x".into(),
            is_admin: false,
        }))
        .unwrap();
        let org = kernteam_store::audited!(db, testing::entry(), |ch| ch
            .create_organisation(OrganisationKind::Wijkverpleging, "Thuiszorg"))
        .unwrap();
        let event = |at: &'static str| async move {
            kernteam_store::audited!(db, testing::entry(), |ch| ch.add_event(
                patient,
                "ontslag_ziekenhuis",
                at,
                None,
                poh
            ))
            .unwrap()
        };
        let in_time = event("2027-05-01T10:00:00Z").await;
        let late = event("2027-05-02T10:00:00Z").await;
        let ticked = event("2027-05-03T10:00:00Z").await;
        let column_only = event("2027-05-04T10:00:00Z").await;
        let mut ch = db.change().await.unwrap();
        for (e, sent) in [(in_time, "2027-05-01T20:00:00Z"), (late, "2027-05-04T10:00:00Z")] {
            let h = ch.add_handover(patient, e, org, sent, poh).await.unwrap();
            ch.set_handover_document(h, "{}").await.unwrap();
        }
        ch.commit(&[testing::entry()]).await.unwrap();
        kernteam_store::sqlx::query(
            "INSERT INTO handovers (patient_id, event_id, sent_at, recorded_at) VALUES ($1, $2, '2027-05-03T12:00:00Z', '2027-05-03T12:00:00Z')",
        )
        .bind(patient)
        .bind(ticked)
        .execute(db.pool())
        .await
        .unwrap();
        kernteam_store::sqlx::query("UPDATE care_events SET handover_sent_at = '2027-05-07T10:00:00Z' WHERE id = $1")
            .bind(column_only)
            .execute(db.pool())
            .await
            .unwrap();

        let period = Period::parse(ReportKind::Quarterly, "2027-Q2").unwrap();
        let quarters = kernteam_report::trends::build_quarters(db, &[period], &CodeSets::default())
            .await
            .unwrap();
        let care = quarters[0].care["09000001"];
        // The column-only event counts as not sent: late only once its 24 hours are past
        // (had the column counted, it would be late already).
        let due = chrono::DateTime::parse_from_rfc3339("2027-05-05T10:00:00Z").unwrap();
        let overdue = u64::from(chrono::Utc::now() > due);
        assert_eq!((care.handover_events, care.late_handovers), (4, 1 + overdue));
        t.finish().await;
    }
}
