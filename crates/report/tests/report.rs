//! Reports from imported extracts, on SQLite and PostgreSQL.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use kernteam_domain::codes::CodeSets;
use kernteam_domain::period::{Period, ReportKind};
use kernteam_import::{import_extract, ImportOptions};
use kernteam_report::{build_report, to_csv, to_json, to_xlsx};
use kernteam_store::testing;
use serde_json::Value;

fn spec_example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/spec/example")
}

fn opts() -> ImportOptions {
    ImportOptions {
        today: NaiveDate::from_ymd_opt(2027, 8, 1).unwrap(),
        progress: false,
    }
}

async fn report(db: &kernteam_store::Db, kind: ReportKind, period: &str) -> kernteam_report::Report {
    build_report(
        db,
        &Period::parse(kind, period).unwrap(),
        &CodeSets::default(),
        &mut |_, _| {},
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn the_worked_example_gives_the_expected_quarterly_figures() {
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(spec_example().join("expected-quarterly-2027-Q2.json")).unwrap())
            .unwrap();
    for t in testing::all().await {
        import_extract(&t.db, &spec_example().join("extract-09000001-2027-07-04"), &opts())
            .await
            .unwrap();
        let r = report(&t.db, ReportKind::Quarterly, "2027-Q2").await;
        let actual: Value = serde_json::from_str(&to_json(&r).unwrap()).unwrap();
        for key in ["report", "period", "start", "reference_date"] {
            assert_eq!(actual[key], expected[key], "{key}");
        }
        let (a, e) = (&actual["practices"][0], &expected["practices"][0]);
        for (key, value) in e.as_object().unwrap() {
            assert_eq!(&a[key], value, "{key} on {:?}", t.backend());
        }
        // Care-record figures are 0 / null while nothing is recorded.
        assert_eq!(a["included"], 0);
        assert_eq!(a["poh_o_hours_per_week"], Value::Null);
        assert_eq!(a["so_consultations"]["wlz"], 0);
        // One practice: totals equal its figures.
        assert_eq!(actual["totals"]["registered"], a["registered"]);
        assert_eq!(actual["totals"]["pct_75_plus"], a["pct_75_plus"]);
        t.finish().await;
    }
}

#[tokio::test]
async fn snapshot_choice_marks_stale_extracts_and_skips_practices_without_one() {
    for t in testing::all().await {
        import_extract(&t.db, &spec_example().join("extract-09000001-2027-07-04"), &opts())
            .await
            .unwrap();
        let q3 = report(&t.db, ReportKind::Quarterly, "2027-Q3").await;
        assert_eq!(q3.practices.len(), 1);
        assert!(q3.practices[0].stale_extract);
        let h1 = report(&t.db, ReportKind::HalfYearly, "2027-H1").await;
        assert!(!h1.practices[0].stale_extract);
        assert_eq!(h1.reference_date.to_string(), "2027-06-30");
        let funding = report(&t.db, ReportKind::Funding, "2027").await;
        assert_eq!(funding.reference_date.to_string(), "2027-01-01");
        assert_eq!(funding.start, funding.reference_date);
        t.finish().await;
    }
    let t = testing::sqlite().await;
    let empty = report(&t.db, ReportKind::Quarterly, "2027-Q1").await;
    assert!(empty.practices.is_empty());
    assert_eq!(empty.totals.extract.pct_75_plus, None);
    t.finish().await;
}

#[tokio::test]
async fn csv_and_xlsx_carry_the_same_figures_with_a_total_row() {
    let t = testing::sqlite().await;
    import_extract(&t.db, &spec_example().join("extract-09000001-2027-07-04"), &opts())
        .await
        .unwrap();
    let r = report(&t.db, ReportKind::Quarterly, "2027-Q2").await;
    let csv = String::from_utf8(to_csv(&r).unwrap()).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(&header[..4], ["agb_code", "name", "extract_date", "stale_extract"]);
    assert!(header.contains(&"frail_in_chain_care.copd_astma"));
    assert!(header.contains(&"so_consultations.zvw"));
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    assert_eq!(row[col("pct_75_plus")], "32.5");
    assert_eq!(row[col("frail_in_chain_care.dm")], "7");
    assert_eq!(row[col("poh_o_hours_per_week")], "");
    let total: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(total[0], "TOTAL");
    assert_eq!(total[col("registered")], "123");
    assert!(lines.next().is_none());
    let xlsx = to_xlsx(&r).unwrap();
    assert_eq!(&xlsx[..2], b"PK", "an xlsx workbook is a zip");
    t.finish().await;
}

#[tokio::test]
async fn included_counts_patients_whose_latest_decision_by_r_is_an_inclusion() {
    use kernteam_domain::care::DecisionKind;
    use kernteam_store::care::NewDecision;
    use kernteam_store::people::NewUser;
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    for t in testing::all().await {
        import_extract(&t.db, &spec_example().join("extract-09000001-2027-07-04"), &opts())
            .await
            .unwrap();
        let practice = t.db.practice_by_agb("09000001").await.unwrap().unwrap();
        let user = kernteam_store::audited!(t.db, testing::entry(), |ch| ch.create_user(&NewUser {
            username: "poh".into(),
            display_name: "POH".into(),
            role: kernteam_domain::access::Role::PohO,
            practice_id: Some(practice.id),
            organisation_id: None,
            password_hash: "x".into(),
            is_admin: false,
        }))
        .unwrap();
        let snap = t.db.latest_snapshot(practice.id).await.unwrap().unwrap();
        let people = t.db.snapshot_people(snap.snapshot_id).await.unwrap();
        let decide = |kind, on: &str| NewDecision {
            kind,
            decided_on: d(on),
            deciding_gp: Some("Dr. X".into()),
            reason: None,
            considerations: None,
        };
        // Included in Q2, excluded after R: counts. Included then excluded in Q2: does not.
        // Included only after R: does not. Excluded, then included again by R: counts.
        let plan: [&[(DecisionKind, &str)]; 4] = [
            &[
                (DecisionKind::Inclusion, "2027-04-10"),
                (DecisionKind::Exclusion, "2027-07-01"),
            ],
            &[
                (DecisionKind::Inclusion, "2027-04-10"),
                (DecisionKind::Exclusion, "2027-06-30"),
            ],
            &[(DecisionKind::Inclusion, "2027-07-01")],
            &[
                (DecisionKind::Inclusion, "2027-01-10"),
                (DecisionKind::Exclusion, "2027-02-01"),
                (DecisionKind::Inclusion, "2027-05-01"),
            ],
        ];
        // All four are registered on R (2027-06-30).
        let id = |his: &str| people.iter().find(|p| p.his_id == his).unwrap().patient_id;
        for (his, decisions) in ["P01-00001", "P01-00002", "P01-00007", "P01-00008"]
            .into_iter()
            .zip(plan)
        {
            for (kind, on) in decisions {
                kernteam_store::audited!(t.db, testing::entry(), |ch| ch.add_decision(
                    id(his),
                    &decide(*kind, on),
                    user
                ))
                .unwrap();
            }
        }
        let r = report(&t.db, ReportKind::Quarterly, "2027-Q2").await;
        assert_eq!(r.practices[0].recorded.included, 2, "{:?}", t.backend());
        assert_eq!(r.totals.recorded.included, 2);
        let q1 = report(&t.db, ReportKind::Quarterly, "2027-Q1").await;
        assert_eq!(q1.practices[0].recorded.included, 0);
        // Included, but not registered on R in the chosen snapshot: P01-00004 left on
        // 2027-06-29, P01-00006 registers from 2027-07-01. P01-00003, whose last day is R
        // itself, still counts.
        for his in ["P01-00004", "P01-00006", "P01-00003"] {
            kernteam_store::audited!(t.db, testing::entry(), |ch| ch.add_decision(
                id(his),
                &decide(DecisionKind::Inclusion, "2027-04-01"),
                user
            ))
            .unwrap();
        }
        let r = report(&t.db, ReportKind::Quarterly, "2027-Q2").await;
        assert_eq!(r.practices[0].recorded.included, 3, "{:?}", t.backend());
        // In Q3 (same, now stale, snapshot) P01-00006 is registered, P01-00003 has left,
        // and the first plan's patient was excluded on 2027-07-01.
        let q3 = report(&t.db, ReportKind::Quarterly, "2027-Q3").await;
        assert_eq!(q3.practices[0].recorded.included, 3, "{:?}", t.backend());
        t.finish().await;
    }
}

#[tokio::test]
async fn recorded_care_feeds_the_period_figures() {
    use kernteam_store::people::NewUser;
    use kernteam_store::program::NewConsultation;
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    for t in testing::all().await {
        let db = &t.db;
        import_extract(db, &spec_example().join("extract-09000001-2027-07-04"), &opts())
            .await
            .unwrap();
        let practice = db.practice_by_agb("09000001").await.unwrap().unwrap();
        let user = kernteam_store::audited!(db, testing::entry(), |ch| ch.create_user(&NewUser {
            username: "poh".into(),
            display_name: "POH".into(),
            role: kernteam_domain::access::Role::PohO,
            practice_id: Some(practice.id),
            organisation_id: None,
            password_hash: "x".into(),
            is_admin: false,
        }))
        .unwrap();
        let snap = db.latest_snapshot(practice.id).await.unwrap().unwrap();
        let p = db.snapshot_people(snap.snapshot_id).await.unwrap()[0].patient_id;
        // Two meetings held in Q2 (one on R), one held in Q3, one planned in Q2 but not held.
        for (date, held) in [
            ("2027-04-01", true),
            ("2027-06-30", true),
            ("2027-07-01", true),
            ("2027-05-15", false),
        ] {
            let m = kernteam_store::audited!(db, testing::entry(), |ch| ch.create_meeting(
                practice.id,
                d(date),
                "praktijk",
                &["huisarts".into()],
                user
            ))
            .unwrap();
            kernteam_store::audited!(db, testing::entry(), |ch| ch.add_to_agenda(m, p, None)).unwrap();
            if held {
                kernteam_store::audited!(db, testing::entry(), |ch| ch.record_minutes(m, p, "besproken")).unwrap();
            }
        }
        for (date, funding) in [
            ("2027-04-02", "zvw"),
            ("2027-05-02", "wlz"),
            ("2027-06-30", "zvw"),
            ("2027-03-31", "zvw"),
        ] {
            let c = NewConsultation {
                date: d(date),
                question: "?".into(),
                advice: None,
                kind: "consultatie".into(),
                funding: funding.into(),
                so_name: "SO".into(),
            };
            kernteam_store::audited!(db, testing::entry(), |ch| ch.add_consultation(p, &c, user)).unwrap();
        }
        for (kind, at) in [
            ("elv_laag_complex", "2027-04-03T10:00:00Z"),
            ("elv_palliatief", "2027-06-30T12:00:00Z"),
            ("seh_verwijzing", "2027-05-01T08:00:00Z"),
            ("wlz_crisisopname", "2027-06-01T08:00:00Z"),
            ("val", "2027-06-01T08:00:00Z"),
            ("seh_verwijzing", "2027-07-01T12:00:00Z"),
        ] {
            kernteam_store::audited!(db, testing::entry(), |ch| ch.add_event(p, kind, at, None, user)).unwrap();
        }
        kernteam_store::audited!(db, testing::entry(), |ch| ch.set_poh_o_hours(
            practice.id,
            d("2027-01-01"),
            12.0,
            user
        ))
        .unwrap();
        kernteam_store::audited!(db, testing::entry(), |ch| ch.set_poh_o_hours(
            practice.id,
            d("2027-07-01"),
            16.0,
            user
        ))
        .unwrap();
        let r = report(db, ReportKind::Quarterly, "2027-Q2").await;
        let f = &r.practices[0].recorded;
        assert_eq!(f.mdo_count, 2, "{:?}", t.backend());
        assert_eq!((f.so_consultations.zvw, f.so_consultations.wlz), (2, 1));
        assert_eq!((f.elv_referrals, f.seh_referrals, f.wlz_crisis_admissions), (2, 1, 1));
        assert_eq!(f.poh_o_hours_per_week, Some(12.0));
        assert_eq!(r.totals.recorded.poh_o_hours_per_week, Some(12.0));
        let q3 = report(db, ReportKind::Quarterly, "2027-Q3").await;
        assert_eq!(q3.practices[0].recorded.poh_o_hours_per_week, Some(16.0));
        assert_eq!(q3.practices[0].recorded.mdo_count, 1);
        assert_eq!(q3.practices[0].recorded.seh_referrals, 1);
        // One run over both quarters reads the records once and counts them per quarter.
        let both = kernteam_report::build_reports(
            db,
            &[
                Period::parse(ReportKind::Quarterly, "2027-Q2").unwrap(),
                Period::parse(ReportKind::Quarterly, "2027-Q3").unwrap(),
            ],
            &CodeSets::default(),
            &mut |_, _| {},
        )
        .await
        .unwrap();
        assert_eq!(both, vec![r, q3]);
        t.finish().await;
    }
}

#[tokio::test]
async fn csv_text_cells_that_look_like_formulas_are_neutralised() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x");
    std::fs::create_dir(&path).unwrap();
    for (name, content) in [
        (
            "practice.csv",
            "agb_code,name,extract_date\n01234567,\"=HYPERLINK(\"\"http://x\"\")\",2027-07-01\n",
        ),
        (
            "patients.csv",
            "patient_id,birth_date,registration_start\nP1,1940-01-01,1990-01-01\n",
        ),
        ("episodes.csv", "patient_id,icpc,start_date\nP1,A05,2020-01-01\n"),
    ] {
        std::fs::write(path.join(name), content).unwrap();
    }
    let t = testing::sqlite().await;
    import_extract(&t.db, &path, &opts()).await.unwrap();
    let r = report(&t.db, ReportKind::Quarterly, "2027-Q2").await;
    let csv = String::from_utf8(to_csv(&r).unwrap()).unwrap();
    let row = csv.lines().nth(1).unwrap();
    assert!(
        row.starts_with("01234567,\"'=HYPERLINK(\"\"http://x\"\")\",2027-07-01,false,1,1,100.0,"),
        "{row}"
    );
    // The JSON keeps the name as it is.
    assert_eq!(r.practices[0].name, "=HYPERLINK(\"http://x\")");
    t.finish().await;
}
