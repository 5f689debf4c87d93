//! The care plan's pages under the gate: a refused save shows the stored plan again, and
//! that read is in the audit log (NEN 7513), on SQLite and PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::{audit_rows, Client};
use kernteam_store::testing;

fn reads(rows: &[(Option<i64>, String)], patient: i64, action: &str) -> usize {
    rows.iter().filter(|(p, a)| *p == Some(patient) && a == action).count()
}

#[tokio::test]
async fn a_refused_care_plan_shows_the_plan_again_and_logs_that_read() {
    for t in testing::all().await {
        let w = common::seed(&t.db).await;
        let poh = Client::sign_in(&w.app, "poh-a").await;
        let path = format!("/patienten/{}/zorgplan", w.a1);
        let before = reads(&audit_rows(&w.db, w.poh_a).await, w.a1, "zorgplan ingezien");
        let r = poh
            .post_form(
                &path,
                &[
                    ("based_on", "1"),
                    ("wishes", "Thuis blijven wonen"),
                    ("goal", "Elke dag een wandeling"),
                    ("action_what", "Rollator aanvragen"),
                    ("action_who", "Wijkverpleging"),
                    ("action_due", "31-02-2027"),
                    ("action_status", "gepland"),
                    ("evaluation_date", ""),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert!(r.text().contains("Rollator aanvragen"), "the form is shown again");
        let after = audit_rows(&w.db, w.poh_a).await;
        assert_eq!(
            reads(&after, w.a1, "zorgplan ingezien"),
            before + 1,
            "showing the form again is a logged read: {after:?}"
        );
        assert!(
            !after.iter().any(|(_, a)| a == "zorgplan gewijzigd"),
            "nothing was saved"
        );
        t.finish().await;
    }
}
