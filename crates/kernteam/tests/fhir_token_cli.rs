//! `kernteam fhir-token issue | list | revoke` on SQLite and PostgreSQL: the token is
//! printed once (and only it on stdout), stored hashed, listed without it, revocable.

use std::process::Command;

use kernteam_domain::access::{OrganisationKind, Role};
use kernteam_store::people::NewUser;
use kernteam_store::testing;

const EXE: &str = env!("CARGO_BIN_EXE_kernteam");

/// Runs `kernteam fhir-token ARGS`: (success, stdout, stderr).
fn fhir_token(url: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(EXE)
        .args(["--database-url", url, "fhir-token"])
        .args(args)
        .env("KERNTEAM_OPERATOR", "beheer-cli")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn tokens_are_issued_once_listed_and_revoked() {
    for t in testing::all().await {
        let org = kernteam_store::audited!(t.db, testing::entry(), |ch| ch
            .create_organisation(OrganisationKind::Wijkverpleging, "Thuiszorg Heuvelland"))
        .unwrap();
        kernteam_store::audited!(t.db, testing::entry(), |ch| ch.create_user(&NewUser {
            username: "wvk".into(),
            display_name: "Wies Wijk".into(),
            role: Role::Wijkverpleegkundige,
            practice_id: None,
            organisation_id: Some(org),
            password_hash: "x".into(),
            is_admin: false,
        }))
        .unwrap();

        let (ok, out, err) = fhir_token(&t.url, &["issue", "--user", "wvk", "--name", "ECD Heuvelland"]);
        assert!(ok, "{err}");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 1, "only the token on stdout: {out}");
        let token = lines[0];
        assert!(token.starts_with("kt_fhir_") && token.len() == 8 + 64, "{token}");
        assert!(err.contains("niet nog eens getoond"), "{err}");

        let (ok, out, _) = fhir_token(&t.url, &["list"]);
        assert!(ok);
        assert!(
            out.contains("wvk\tECD Heuvelland") && out.contains("beheer-cli") && out.contains("geldig"),
            "{out}"
        );
        assert!(!out.contains(token), "the list must not show the token");

        let (ok, out, err) = fhir_token(&t.url, &["revoke", "1"]);
        assert!(ok, "{err}");
        assert!(out.contains("ingetrokken"), "{out}");
        let (_, out, _) = fhir_token(&t.url, &["list"]);
        assert!(out.contains("ingetrokken 20"), "{out}");

        let (ok, _, err) = fhir_token(&t.url, &["revoke", "99"]);
        assert!(!ok && err.contains("geen FHIR-token 99"), "{err}");
        let (ok, _, err) = fhir_token(&t.url, &["issue", "--user", "niemand", "--name", "X"]);
        assert!(!ok && err.contains("Er is geen account 'niemand'"), "{err}");

        let audited: i64 = kernteam_store::sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE username = 'beheer-cli' AND action IN ('FHIR-token uitgegeven', 'FHIR-token ingetrokken')",
        )
        .fetch_one(t.db.pool())
        .await
        .unwrap();
        assert_eq!(audited, 2);
        t.finish().await;
    }
}
