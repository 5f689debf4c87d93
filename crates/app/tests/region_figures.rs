//! region.md's figures at their edges, on SQLite and PostgreSQL, through the same use
//! cases the command line and the web application call: contract option, capacity,
//! declarations (module, Wlz plus, insulin transition, chain-care conflicts) and the
//! funding category.

use std::path::Path;

use chrono::NaiveDate;
use kernteam_app::contract::{PatientSettingsBy, RegionSettingsInput, SettingsBy};
use kernteam_app::App;
use kernteam_domain::codes::CodeSets;
use kernteam_domain::contract::{parse_funding_categories, CapacityBand, ContractOption, Hoofdbehandelaar, WlzSetting};
use kernteam_domain::period::{Period, ReportKind};
use kernteam_import::{import_extract, ImportOptions};
use kernteam_report::build_report;
use kernteam_store::testing;
use serde_json::Value;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// A practice (AGB 01234567) whose patients each test one rule on R = 2027-06-30:
/// - P1 frail, VV7, on insulin, in DM2 during 2026 (not on R): wlz plus and insulin;
/// - P2 frail, VV5, hoofdbehandelaar changed within the quarter;
/// - P3 included and excluded on R itself (order of recording);
/// - P4 in CVRM and COPD on R: chain-care conflicts;
/// - P5 included, then deregistered before R;
/// - P6–P9 not included, 75+ (for pct_75_plus);
/// - P10 young.
fn write_extract(dir: &Path) {
    let files = [
        ("practice.csv", "agb_code,name,extract_date\n01234567,Praktijk De Linde,2027-07-03\n"),
        (
            "patients.csv",
            "patient_id,bsn,family_name,given_name,birth_date,sex,registration_start,registration_end,postal_code\n\
             P1,111222333,Maas,Ger,1938-01-01,M,1990-01-01,,\n\
             P2,,Bie,An,1939-01-01,V,1990-01-01,,\n\
             P3,,Smit,Jo,1940-01-01,V,1990-01-01,,\n\
             P4,,Kok,Bo,1941-01-01,M,1990-01-01,,\n\
             P5,,Vos,Lien,1942-01-01,V,1990-01-01,2027-05-31,\n\
             P6,,Dekker,Ria,1943-01-01,V,1990-01-01,,\n\
             P7,,Bos,Wim,1944-01-01,M,1990-01-01,,\n\
             P8,,Mol,Kees,1945-01-01,M,1990-01-01,,\n\
             P9,,Wit,Els,1946-01-01,V,1990-01-01,,\n\
             P10,,Jong,Sam,1990-01-01,M,1990-01-01,,\n",
        ),
        (
            "episodes.csv",
            "patient_id,icpc,start_date,end_date,title\n\
             P1,A05,2025-01-01,,\nP2,A05,2025-01-01,,\nP3,A05,2025-01-01,,\nP4,A49.01,2025-01-01,,\nP5,A05,2025-01-01,,\n",
        ),
        ("medications.csv", "patient_id,atc,start_date,end_date\nP1,A10AE04,2026-06-01,\n"),
        (
            "determinants.csv",
            "labcode,patient_id,value,date,source\n2803,P1,357,2027-01-15,hist\n2803,P2,352,2027-01-15,hist\n",
        ),
        (
            "programs.csv",
            "patient_id,program,start_date,end_date\nP1,DM2,2020-01-01,2026-12-31\nP4,CVRM,2020-01-01,\nP4,COPD,2020-01-01,\n",
        ),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

async fn setup(app: &App, db: &kernteam_store::Db) -> i64 {
    let dir = tempfile::tempdir().unwrap();
    write_extract(dir.path());
    import_extract(
        db,
        dir.path(),
        &ImportOptions {
            today: d("2027-07-04"),
            progress: false,
        },
    )
    .await
    .unwrap();
    let practice = app.practice_by_agb("01234567").await.unwrap();
    let csv = "agb_code,patient_id,date,decision,reason,decided_by\n\
               01234567,P1,2027-01-10,inclusie,,dr. Maas\n\
               01234567,P2,2027-01-10,inclusie,,dr. Maas\n\
               01234567,P3,2027-01-10,inclusie,,dr. Maas\n\
               01234567,P3,2027-06-30,inclusie,,dr. Maas\n\
               01234567,P3,2027-06-30,exclusie,wil_niet_meer,dr. Maas\n\
               01234567,P4,2027-01-10,inclusie,,dr. Maas\n\
               01234567,P5,2027-01-10,inclusie,,dr. Maas\n";
    let read = kernteam_import::inclusions::read_decisions("besluiten.csv", csv.as_bytes(), d("2027-07-04")).unwrap();
    let op = app.operator();
    let done = app.import_decisions(&op, "besluiten.csv", &read.lines).await.unwrap();
    assert_eq!((done.inclusions, done.exclusions), (6, 1));
    practice.id
}

async fn set_patient(app: &App, his: &str, h: Option<Hoofdbehandelaar>, w: Option<WlzSetting>, from: &str) {
    let practice = app.practice_by_agb("01234567").await.unwrap();
    let p = app.patient_by_his_id(&practice, his).await.unwrap();
    let op = app.operator();
    app.set_patient_settings(PatientSettingsBy::Operator(&op, p), h, w, d(from))
        .await
        .unwrap();
}

async fn declarations(app: &App, patients: bool) -> Value {
    let op = app.operator();
    let period = Period::parse(ReportKind::Quarterly, "2027-Q2").unwrap();
    let dec = app
        .declarations_by_operator(&op, &period, &CodeSets::default(), patients)
        .await
        .unwrap();
    serde_json::from_str(&kernteam_report::declarations::to_json(&dec).unwrap()).unwrap()
}

#[tokio::test]
async fn declarations_at_their_edges() {
    for t in testing::all().await {
        let app = App::new(t.db.clone());
        let practice = setup(&app, &t.db).await;
        let op = app.operator();
        // Option 2 (the default): listed without counts.
        let j = declarations(&app, false).await;
        let p = &j["practices"][0];
        assert_eq!(p["contract_option"], 2);
        assert!(p.get("module").is_none(), "{p}");
        app.set_contract(
            SettingsBy::Operator(&op),
            practice,
            2027,
            ContractOption::PerIncluded,
            None,
        )
        .await
        .unwrap();
        // P1: VV7 but no Wlz setting yet; P2: VV5, SO from May, back to the GP on R.
        set_patient(&app, "P2", None, Some(WlzSetting::Vpt), "2027-01-01").await;
        set_patient(
            &app,
            "P2",
            Some(Hoofdbehandelaar::SpecialistOuderengeneeskunde),
            None,
            "2027-05-01",
        )
        .await;
        let p = declarations(&app, false).await["practices"][0].clone();
        // P1, P2, P4 (P3 excluded on R after its inclusion that day, P5 left the practice).
        assert_eq!(p["module"], 3, "{p} {:?}", t.backend());
        assert_eq!(p["wlz_plus"], 0, "P1 has no setting, P2 has the SO: {p}");
        // 2027 is the transition year by default (the first year with option 1).
        assert_eq!(p["insulin_transition"], 1, "{p}");
        assert_eq!(p["chain_care_conflicts"]["cvrm"], 1);
        assert_eq!(p["chain_care_conflicts"]["copd_astma"], 1);
        assert_eq!(p["chain_care_conflicts"]["dm"], 0, "P1's DM2 ended in 2026");
        set_patient(&app, "P1", None, Some(WlzSetting::Anders), "2027-01-01").await;
        set_patient(&app, "P2", Some(Hoofdbehandelaar::Huisarts), None, "2027-06-30").await;
        let p = declarations(&app, false).await["practices"][0].clone();
        assert_eq!(
            p["wlz_plus"], 1,
            "P2 with the GP again on R; P1 'anders' does not count: {p}"
        );
        set_patient(&app, "P1", None, Some(WlzSetting::Mpt), "2027-07-01").await;
        let p = declarations(&app, false).await["practices"][0].clone();
        assert_eq!(p["wlz_plus"], 1, "a setting from after R is not in force on R");
        // The transition year over: no insulin transition in 2027.
        app.set_contract(
            SettingsBy::Operator(&op),
            practice,
            2027,
            ContractOption::PerIncluded,
            Some(2026),
        )
        .await
        .unwrap();
        let j = declarations(&app, true).await;
        let p = &j["practices"][0];
        assert_eq!(p["insulin_transition"], 0, "{p}");
        let lines: Vec<(String, String)> = p["patients"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["patient_id"].as_str().unwrap().into(),
                    l["prestatie"].as_str().unwrap().into(),
                )
            })
            .collect();
        let expect = [
            ("P1", "module"),
            ("P2", "module"),
            ("P2", "wlz_plus"),
            ("P4", "module"),
            ("P4", "chain_care_conflict"),
        ];
        assert_eq!(
            lines,
            expect.map(|(a, b)| (a.to_string(), b.to_string())).to_vec(),
            "{:?}",
            t.backend()
        );
        assert_eq!(p["patients"][0]["bsn"], "111222333");
        assert_eq!(p["patients"][1]["bsn"], "", "no BSN in the extract: empty");
        assert_eq!(p["patients"][4]["chains"], "cvrm,copd_astma");
        assert_eq!(j["totals"]["module"], 3);
        // The download of lines is audited in the operator's name.
        let trail =
            t.db.audit_records(&kernteam_store::audit::AuditFilter::default())
                .await
                .unwrap();
        assert!(trail
            .iter()
            .any(|r| r.action == "declaratieregels per patiënt gedownload" && r.role == "opdrachtregel"));
        t.finish().await;
    }
}

async fn report_json(db: &kernteam_store::Db, kind: ReportKind, period: &str) -> Value {
    let r = build_report(
        db,
        &Period::parse(kind, period).unwrap(),
        &CodeSets::default(),
        &mut |_, _| {},
    )
    .await
    .unwrap();
    serde_json::from_str(&kernteam_report::to_json(&r).unwrap()).unwrap()
}

async fn quarterly(db: &kernteam_store::Db) -> Value {
    report_json(db, ReportKind::Quarterly, "2027-Q2").await
}

async fn set_funding(app: &App, categories: &str) {
    let op = app.operator();
    let (year, cats) = parse_funding_categories(categories).unwrap();
    app.set_region_settings(
        SettingsBy::Operator(&op),
        RegionSettingsInput {
            funding_categories: Some((year, cats)),
            ..Default::default()
        },
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn capacity_on_the_bounds_and_funding_category() {
    for t in testing::all().await {
        let app = App::new(t.db.clone());
        let practice = setup(&app, &t.db).await;
        let op = app.operator();
        let p = quarterly(&t.db).await["practices"][0].clone();
        assert_eq!(p["included"], 3);
        assert_eq!(p["contract_option"], 2);
        assert_eq!(p["poh_o_hours_per_year_needed"], 34.5);
        assert_eq!(p["poh_o_hours_per_year_available"], Value::Null);
        assert_eq!(p["capacity_ratio"], Value::Null);
        assert_eq!(p["capacity"], Value::Null);
        // 3 included × 10 h = 30 h needed; 0.6 h × 40 weeks = 24 h: 0.8, on the bound.
        app.set_region_settings(
            SettingsBy::Operator(&op),
            RegionSettingsInput {
                hours_per_included: Some(10.0),
                working_weeks: Some(40.0),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        app.set_formation_by_operator(&op, practice, 0.6, d("2027-01-01"))
            .await
            .unwrap();
        let p = quarterly(&t.db).await["practices"][0].clone();
        assert_eq!(p["poh_o_hours_per_year_needed"], 30.0);
        assert_eq!(p["poh_o_hours_per_year_available"], 24.0);
        assert_eq!(p["capacity_ratio"], 0.8, "{:?}", t.backend());
        assert_eq!(p["capacity"], "passend");
        app.set_region_settings(
            SettingsBy::Operator(&op),
            RegionSettingsInput {
                capacity_band: Some(CapacityBand::new(0.81, 1.25).unwrap()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(quarterly(&t.db).await["practices"][0]["capacity"], "te_laag");
        // Funding: 9 of 10 registered on 1 January are 75+: 90.0 %, exactly a bound.
        set_funding(&app, "2027:laag=0,hoog=90").await;
        let j = report_json(&t.db, ReportKind::Funding, "2027").await;
        assert_eq!(j["practices"][0]["pct_75_plus"], 90.0);
        assert_eq!(j["practices"][0]["funding_category"], "hoog");
        assert!(
            j["practices"][0].get("capacity").is_none(),
            "capacity is for quarters and half-years"
        );
        set_funding(&app, "2027:laag=0,hoog=90.1").await;
        let j = report_json(&t.db, ReportKind::Funding, "2027").await;
        assert_eq!(j["practices"][0]["funding_category"], "laag");
        // Bad input is refused whole: nothing changes.
        let before = t.db.region_settings().await.unwrap();
        let bad = app
            .set_region_settings(
                SettingsBy::Operator(&op),
                RegionSettingsInput {
                    hours_per_included: Some(12.0),
                    working_weeks: Some(60.0),
                    ..Default::default()
                },
            )
            .await;
        assert!(matches!(bad, Err(kernteam_app::Error::Invalid(_))));
        assert_eq!(t.db.region_settings().await.unwrap(), before);
        t.finish().await;
    }
}
