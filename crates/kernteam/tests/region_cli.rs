//! region.md's *Command line*, run as the real binary on SQLite and PostgreSQL: every
//! command by its name, their effect on the reports, clear refusals with a non-zero exit
//! (and nothing changed), and the audit records in the operator's name.

use std::path::Path;
use std::process::Command;

use kernteam_store::testing;
use serde_json::Value;

const EXE: &str = env!("CARGO_BIN_EXE_kernteam");

struct Run {
    ok: bool,
    stdout: String,
    text: String,
}

fn kernteam(url: &str, dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(EXE)
        .args(["--database-url", url])
        .arg("--key-file")
        .arg(dir.join("test.key"))
        .args(args)
        .env("KERNTEAM_OPERATOR", "beheer-regio")
        .current_dir(dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    Run {
        ok: out.status.success(),
        text: format!("{stdout}{}", String::from_utf8_lossy(&out.stderr)),
        stdout,
    }
}

fn example() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/spec/example/extract-09000001-2027-07-04")
        .display()
        .to_string()
}

fn ok(r: Run) -> Run {
    assert!(r.ok, "{}", r.text);
    r
}

fn refused(r: Run, needle: &str) {
    assert!(!r.ok, "should be refused: {}", r.text);
    assert!(r.text.contains(needle), "'{needle}' not in: {}", r.text);
}

fn json(r: Run) -> Value {
    serde_json::from_str(&ok(r).stdout).unwrap()
}

#[tokio::test]
async fn the_command_line_of_region_md() {
    for t in testing::all().await {
        let dir = tempfile::tempdir().unwrap();
        let run = |args: &[&str]| kernteam(&t.url, dir.path(), args);
        ok(run(&["import", &example()]));
        let q2 = || json(run(&["report", "quarterly", "--period", "2027-Q2"]));
        assert_eq!(q2()["practices"][0]["contract_option"], 2);

        ok(run(&[
            "contract",
            "set",
            "--practice",
            "09000001",
            "--year",
            "2027",
            "--option",
            "1",
        ]));
        ok(run(&[
            "region",
            "set",
            "--hours-per-included",
            "10",
            "--working-weeks",
            "40",
            "--capacity-band",
            "0.5,2",
            "--funding-categories",
            "2027:laag=0,midden=20,hoog=30",
        ]));
        ok(run(&[
            "formation",
            "set",
            "--practice",
            "09000001",
            "--hours-per-week",
            "1.5",
            "--from",
            "2027-01-01",
        ]));
        std::fs::write(
            dir.path().join("besluiten.csv"),
            "agb_code,patient_id,date,decision,reason,decided_by\n\
             09000001,P01-00002,2027-01-10,inclusie,,dr. Jansen\n\
             09000001,P01-00005,2027-01-10,inclusie,,dr. Jansen\n\
             09000001,P01-00005,2027-01-10,exclusie,verhuisd,dr. Jansen\n",
        )
        .unwrap();
        let r = ok(run(&["inclusion", "import", "besluiten.csv"]));
        assert!(r.stdout.contains("2 inclusies en 1 exclusie"), "{}", r.text);
        ok(run(&[
            "patient",
            "set",
            "--practice",
            "09000001",
            "--patient",
            "P01-00002",
            "--hoofdbehandelaar",
            "specialist_ouderengeneeskunde",
            "--wlz-setting",
            "vpt",
            "--from",
            "2027-01-01",
        ]));

        let p = q2()["practices"][0].clone();
        assert_eq!(p["contract_option"], 1, "{:?}", t.backend());
        assert_eq!(p["included"], 1, "P01-00005 excluded after its inclusion the same day");
        assert_eq!(p["poh_o_hours_per_year_needed"], 10.0);
        assert_eq!(p["poh_o_hours_per_year_available"], 60.0);
        assert_eq!(p["capacity_ratio"], 6.0);
        assert_eq!(p["capacity"], "te_hoog");
        let funding = json(run(&["report", "funding", "--period", "2027"]));
        assert_eq!(funding["practices"][0]["funding_category"], "hoog", "32.5 % ≥ 30");

        let dec = json(run(&["report", "declarations", "--period", "2027-Q2"]));
        assert_eq!(dec["practices"][0]["module"], 1);
        assert!(dec["practices"][0].get("patients").is_none());
        let dec = json(run(&["report", "declarations", "--period", "2027-Q2", "--patients"]));
        assert_eq!(dec["practices"][0]["patients"][0]["patient_id"], "P01-00002");
        assert_eq!(dec["practices"][0]["patients"][0]["prestatie"], "module");
        let csv = ok(run(&[
            "report",
            "declarations",
            "--period",
            "2027-Q2",
            "--patients",
            "--format",
            "csv",
        ]))
        .stdout;
        assert!(
            csv.starts_with("agb_code,name,patient_id,bsn,birth_date,prestatie"),
            "{csv}"
        );
        assert!(csv.contains("P01-00002,271134860,1952-07-01,module"), "{csv}");
        let csv = ok(run(&[
            "report",
            "declarations",
            "--period",
            "2027-Q2",
            "--format",
            "csv",
        ]))
        .stdout;
        assert!(csv.lines().nth(2).unwrap().starts_with("TOTAL"), "{csv}");
        ok(run(&[
            "report",
            "declarations",
            "--period",
            "2027-Q2",
            "--patients",
            "--format",
            "xlsx",
            "--output",
            "d.xlsx",
        ]));
        assert_eq!(&std::fs::read(dir.path().join("d.xlsx")).unwrap()[..2], b"PK");

        // Refusals: non-zero, a clear message, nothing changed.
        refused(run(&["report", "declarations", "--period", "2027-H1"]), "2027-Q1");
        refused(
            run(&["report", "quarterly", "--period", "2027-Q2", "--patients"]),
            "--patients",
        );
        refused(
            run(&[
                "contract",
                "set",
                "--practice",
                "09999999",
                "--year",
                "2027",
                "--option",
                "1",
            ]),
            "09999999",
        );
        refused(
            run(&[
                "contract",
                "set",
                "--practice",
                "09000001",
                "--year",
                "2027",
                "--option",
                "3",
            ]),
            "kies 1 of 2",
        );
        refused(run(&["region", "set", "--capacity-band", "1.3,1.2"]), "ondergrens");
        refused(
            run(&["region", "set", "--funding-categories", "2027:hoog=30,laag=0"]),
            "oplopen",
        );
        refused(run(&["region", "set"]), "minstens één");
        refused(
            run(&[
                "formation",
                "set",
                "--practice",
                "09000001",
                "--hours-per-week",
                "x",
                "--from",
                "2027-01-01",
            ]),
            "geen getal",
        );
        refused(
            run(&[
                "patient",
                "set",
                "--practice",
                "09000001",
                "--patient",
                "P01-00002",
                "--wlz-setting",
                "thuis",
                "--from",
                "2027-01-01",
            ]),
            "bestaat niet",
        );
        refused(
            run(&[
                "patient",
                "set",
                "--practice",
                "09000001",
                "--patient",
                "NIEMAND",
                "--wlz-setting",
                "vpt",
                "--from",
                "2027-01-01",
            ]),
            "NIEMAND",
        );
        std::fs::write(
            dir.path().join("fout.csv"),
            "agb_code,patient_id,date,decision,reason,decided_by\n\
             09000001,P01-00003,2027-01-10,inclusie,,dr. Jansen\n\
             09000001,ONBEKEND,2027-01-10,inclusie,,dr. Jansen\n\
             09000001,P01-00004,2027-01-10,exclusie,,\n",
        )
        .unwrap();
        let r = run(&["inclusion", "import", "fout.csv"]);
        refused(r, "fout.csv:4: reason:");
        let r = run(&["inclusion", "import", "fout.csv"]);
        assert!(!r.text.contains("fout.csv:2:"), "line 2 is fine: {}", r.text);
        let p = q2()["practices"][0].clone();
        assert_eq!(p["included"], 1, "a refused file changes nothing");
        assert_eq!(p["capacity"], "te_hoog");

        // Audited with the operator as actor.
        let trail =
            t.db.audit_records(&kernteam_store::audit::AuditFilter::default())
                .await
                .unwrap();
        for action in [
            "contractoptie ingesteld",
            "regio-instellingen gewijzigd",
            "financieringscategorieën ingesteld",
            "formatie POH-O ingesteld",
            "besluit uit eerder systeem ingelezen",
            "hoofdbehandelaar of Wlz-zorgsetting ingesteld",
            "declaratieregels per patiënt gedownload",
        ] {
            assert!(
                trail
                    .iter()
                    .any(|r| r.action == action && r.username == "beheer-regio" && r.role == "opdrachtregel"),
                "{action} not audited as the operator"
            );
        }
        t.finish().await;
    }
}
