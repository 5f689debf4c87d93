//! `kernteam user add` checks a role's affiliation with the same rule as the
//! administration page (`kernteam_domain::access::affiliation_problems`), on SQLite and
//! PostgreSQL.

use std::io::Write;
use std::process::{Command, Stdio};

use kernteam_domain::access::{AffiliationProblem, OrganisationKind};
use kernteam_store::testing;

const EXE: &str = env!("CARGO_BIN_EXE_kernteam");
const PASSWORD: &str = "een lange zin als wachtwoord";

/// Runs `kernteam user add` with the password on stdin: (success, stdout + stderr).
fn user_add(url: &str, args: &[&str]) -> (bool, String) {
    let mut child = Command::new(EXE)
        .args(["--database-url", url, "user", "add", "--password-stdin"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[tokio::test]
async fn user_add_names_every_affiliation_problem_as_the_administration_page_does() {
    for t in testing::all().await {
        let org = kernteam_store::audited!(t.db, testing::entry(), |ch| ch
            .create_organisation(OrganisationKind::Apotheek, "Apotheek Centrum"))
        .unwrap()
        .to_string();
        let base = ["--username", "apo", "--name", "Anna Apotheker", "--role", "apotheker"];

        // A network professional given a practice and no organisation: both problems.
        let (ok, text) = user_add(&t.url, &[&base[..], &["--practice", "09000001"]].concat());
        assert!(!ok, "{text}");
        for p in [
            AffiliationProblem::PracticeNotForRole,
            AffiliationProblem::OrganisationMissing,
        ] {
            assert!(text.contains(p.message()), "{:?} missing: {text}", p);
        }
        // Practice staff without a practice, with an organisation.
        let (ok, text) = user_add(
            &t.url,
            &[
                "--username",
                "poh",
                "--name",
                "P",
                "--role",
                "poh_o",
                "--organisation",
                &org,
            ],
        );
        assert!(!ok, "{text}");
        for p in [
            AffiliationProblem::PracticeMissing,
            AffiliationProblem::OrganisationNotForRole,
        ] {
            assert!(text.contains(p.message()), "{:?} missing: {text}", p);
        }
        assert!(t.db.users().await.unwrap().is_empty());

        let (ok, text) = user_add(&t.url, &[&base[..], &["--organisation", &org]].concat());
        assert!(ok, "{text}");
        assert_eq!(t.db.users().await.unwrap().len(), 1);
        t.finish().await;
    }
}
