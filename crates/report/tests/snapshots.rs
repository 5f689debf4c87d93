//! Snapshot tests: the quarterly, half-yearly and funding reports over the worked example
//! and over a small synthetic region with a fixed seed, as the JSON the CLI writes. Any
//! change of a figure shows as a diff of a `.snap` file under `tests/snapshots/`.
//! SQLite and PostgreSQL are compared to the same snapshot: both must give the same bytes.
//!
//! After an intended change: `INSTA_UPDATE=always cargo test -p kernteam-report --test
//! snapshots`, then review and commit the `.snap` files.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use kernteam_domain::codes::CodeSets;
use kernteam_domain::period::{Period, ReportKind};
use kernteam_import::{import_extract, ImportOptions};
use kernteam_report::{build_report, to_json};
use kernteam_store::{testing, Db};

fn opts() -> ImportOptions {
    ImportOptions {
        today: NaiveDate::from_ymd_opt(2027, 8, 1).unwrap(),
        progress: false,
    }
}

const REPORTS: [(ReportKind, &str, &str); 3] = [
    (ReportKind::Quarterly, "2027-Q2", "quarterly_2027_q2"),
    (ReportKind::HalfYearly, "2027-H1", "half_yearly_2027_h1"),
    (ReportKind::Funding, "2027", "funding_2027"),
];

async fn assert_reports(db: &Db, prefix: &str) {
    for (kind, period, name) in REPORTS {
        let period = Period::parse(kind, period).unwrap();
        let report = build_report(db, &period, &CodeSets::default(), &mut |_, _| {})
            .await
            .unwrap();
        insta::assert_snapshot!(format!("{prefix}_{name}"), to_json(&report).unwrap());
    }
}

#[tokio::test]
async fn reports_over_the_worked_example() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/spec/example/extract-09000001-2027-07-04");
    for t in testing::all().await {
        import_extract(&t.db, &example, &opts()).await.unwrap();
        assert_reports(&t.db, "example").await;
        t.finish().await;
    }
}

/// Two practices of 400 patients, seed 20270704, extracts of 4 July 2027.
fn synthetic_region(out: &Path) -> Vec<PathBuf> {
    let region = kernteam_synth::RegionOptions {
        practices: 2,
        patients_per_practice: Some(400),
        seed: 20_270_704,
        extract_date: NaiveDate::from_ymd_opt(2027, 7, 4).unwrap(),
    };
    kernteam_synth::generate_region(&region, out, &mut |_, _| {})
        .unwrap()
        .into_iter()
        .map(|p| p.dir)
        .collect()
}

#[tokio::test]
async fn reports_over_a_synthetic_region() {
    let dir = tempfile::tempdir().unwrap();
    let extracts = synthetic_region(dir.path());
    for t in testing::all().await {
        for e in &extracts {
            import_extract(&t.db, e, &opts()).await.unwrap();
        }
        assert_reports(&t.db, "synthetic").await;
        t.finish().await;
    }
}
