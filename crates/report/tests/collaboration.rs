//! The network collaboration in the quarterly report (`network_collaboration`, an extra
//! key per practice) and its CSV columns and workbook sheet, on SQLite and PostgreSQL.

use std::path::Path;

use chrono::NaiveDate;
use kernteam_domain::codes::CodeSets;
use kernteam_domain::period::{Period, ReportKind};
use kernteam_import::{import_extract, ImportOptions};
use kernteam_report::{build_report, to_csv, to_json, to_xlsx};
use kernteam_store::{audited, testing};
use serde_json::Value;

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
async fn the_quarter_s_collaboration_is_in_the_quarterly_report() {
    for t in testing::all().await {
        let db = &t.db;
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/spec/example/extract-09000001-2027-07-04");
        let opts = ImportOptions {
            today: NaiveDate::from_ymd_opt(2027, 8, 1).unwrap(),
            progress: false,
        };
        let practice = import_extract(db, &example, &opts).await.unwrap().summary.practice_id;
        let pm = audited!(db, testing::entry(), |ch| ch.create_user(
            &kernteam_store::people::NewUser {
                username: "pm".into(),
                display_name: "Mark Manager".into(),
                role: kernteam_domain::access::Role::Programmamanager,
                practice_id: None,
                organisation_id: None,
                password_hash: "x".into(),
                is_admin: false,
            }
        ))
        .unwrap();
        for (quarter, partner, status, note) in [
            (
                "2027-Q2",
                "wijkverpleging",
                "afspraken",
                Some("Vaste wijkverpleegkundige"),
            ),
            ("2027-Q2", "apotheek", "in_ontwikkeling", None),
            ("2027-Q1", "sociaal_domein", "geen", None),
        ] {
            audited!(db, testing::entry(), |ch| ch.set_collaboration(
                practice,
                quarter,
                partner,
                Some((status, note)),
                pm
            ))
            .unwrap_or_else(|e| panic!("{e}"));
        }

        let q2 = report(db, ReportKind::Quarterly, "2027-Q2").await;
        let json: Value = serde_json::from_str(&to_json(&q2).unwrap()).unwrap();
        assert_eq!(
            json["practices"][0]["network_collaboration"],
            serde_json::json!({
                "wijkverpleging": "afspraken",
                "specialist_ouderengeneeskunde": null,
                "casemanager_dementie": null,
                "apotheek": "in_ontwikkeling",
                "sociaal_domein": null,
            }),
            "{:?}",
            t.backend()
        );
        assert!(json["totals"].get("network_collaboration").is_none());
        let csv = String::from_utf8(to_csv(&q2).unwrap()).unwrap();
        let mut lines = csv.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let row: Vec<&str> = lines.next().unwrap().split(',').collect();
        let at = header
            .iter()
            .position(|h| *h == "network_collaboration.wijkverpleging")
            .expect("a CSV column per partner");
        assert_eq!((row[at], row[at + 3]), ("afspraken", "in_ontwikkeling"));
        assert!(!to_xlsx(&q2).unwrap().is_empty());

        // Another quarter has its own statuses; other reports have none.
        let q1 = report(db, ReportKind::Quarterly, "2027-Q1").await;
        let nc = q1.practices[0].network_collaboration.as_ref().unwrap();
        assert_eq!(
            (nc.wijkverpleging.as_deref(), nc.sociaal_domein.as_deref()),
            (None, Some("geen"))
        );
        let h1 = report(db, ReportKind::HalfYearly, "2027-H1").await;
        assert!(h1.practices[0].network_collaboration.is_none());
        let json: Value = serde_json::from_str(&to_json(&h1).unwrap()).unwrap();
        assert!(json["practices"][0].get("network_collaboration").is_none());
        t.finish().await;
    }
}
