//! The audit trail over HTTP, on SQLite and PostgreSQL: every read and every change of a
//! patient's record writes an audit row.

mod common;

use axum::http::StatusCode;
use common::patient_routes::{valid_plan, Fields};
use common::{audit_rows, seed, yesterday, Client};
use kernteam_store::testing;
use serde_json::{json, Value};

#[tokio::test]
async fn every_read_and_every_change_writes_an_audit_row() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let poh_a = Client::sign_in(&w.app, "poh-a").await;
        let member = Client::sign_in(&w.app, "wvk-team").await;

        let reads: Vec<(&Client, i64, String, Option<i64>, &str)> = vec![
            (&poh_a, w.poh_a, "/patienten".into(), None, "patiëntenlijst bekeken"),
            (
                &poh_a,
                w.poh_a,
                "/api/v1/patients".into(),
                None,
                "patiëntenlijst bekeken",
            ),
            (&member, w.wvk_team, "/patienten".into(), None, "patiëntenlijst bekeken"),
            (
                &member,
                w.wvk_team,
                "/api/v1/patients".into(),
                None,
                "patiëntenlijst bekeken",
            ),
            (
                &poh_a,
                w.poh_a,
                format!("/patienten/{}", w.a1),
                Some(w.a1),
                "dossier ingezien",
            ),
            (
                &poh_a,
                w.poh_a,
                format!("/patienten/{}/zorgplan", w.a1),
                Some(w.a1),
                "zorgplan ingezien",
            ),
            (
                &poh_a,
                w.poh_a,
                format!("/patienten/{}/zorgplan/versies", w.a1),
                Some(w.a1),
                "zorgplan: versies ingezien",
            ),
            (
                &poh_a,
                w.poh_a,
                format!("/patienten/{}/zorgplan/versies/1", w.a1),
                Some(w.a1),
                "zorgplan: versie ingezien",
            ),
            (
                &poh_a,
                w.poh_a,
                format!("/patienten/{}/zorgplan/afdrukken", w.a1),
                Some(w.a1),
                "zorgplan afgedrukt",
            ),
            (
                &poh_a,
                w.poh_a,
                format!("/api/v1/patients/{}", w.a1),
                Some(w.a1),
                "dossier ingezien",
            ),
            (
                &poh_a,
                w.poh_a,
                format!("/api/v1/patients/{}/team", w.a1),
                Some(w.a1),
                "zorgteam ingezien",
            ),
            (
                &poh_a,
                w.poh_a,
                format!("/api/v1/patients/{}/care-plan", w.a1),
                Some(w.a1),
                "zorgplan ingezien",
            ),
            (
                &poh_a,
                w.poh_a,
                format!("/api/v1/patients/{}/care-plan/versions", w.a1),
                Some(w.a1),
                "zorgplan: versies ingezien",
            ),
            (
                &member,
                w.wvk_team,
                format!("/patienten/{}", w.a1),
                Some(w.a1),
                "dossier ingezien",
            ),
            (
                &member,
                w.wvk_team,
                format!("/api/v1/patients/{}", w.a1),
                Some(w.a1),
                "dossier ingezien",
            ),
            (
                &member,
                w.wvk_team,
                format!("/api/v1/patients/{}/care-plan", w.a1),
                Some(w.a1),
                "zorgplan ingezien",
            ),
        ];
        for (client, user, path, patient, action) in reads {
            let before = audit_rows(&w.db, user).await;
            let r = client.get(&path).await;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            let after = audit_rows(&w.db, user).await;
            assert_eq!(after.len(), before.len() + 1, "one audit row for GET {path}");
            assert_eq!(after.last().unwrap(), &(patient, action.to_string()), "GET {path}");
        }

        // The session itself is no patient data.
        let before = audit_rows(&w.db, w.poh_a).await.len();
        poh_a.get("/api/v1/session").await;
        assert_eq!(audit_rows(&w.db, w.poh_a).await.len(), before);

        // Changes, on both sides.
        let changes: Vec<(&'static str, String, Option<Value>, &str)> = vec![
            (
                "POST",
                format!("/api/v1/patients/{}/decisions", w.a2),
                Some(
                    json!({ "kind": "inclusion", "decided_on": yesterday(), "deciding_gp": "Dr. Huisarts", "exception_reason": "Besproken met de huisarts" }),
                ),
                "inclusie vastgelegd",
            ),
            (
                "POST",
                format!("/api/v1/patients/{}/team", w.a2),
                Some(json!({ "kind": "professional", "user_id": w.wvk_other })),
                "zorgteam: lid toegevoegd",
            ),
            (
                "PUT",
                format!("/api/v1/patients/{}/care-plan", w.a2),
                Some(json!({ "based_on": 0, "plan": valid_plan("Blijven fietsen") })),
                "zorgplan gewijzigd",
            ),
        ];
        for (method, path, body, action) in changes {
            let before = audit_rows(&w.db, w.poh_a).await.len();
            let r = poh_a.api(method, &path, body).await;
            assert!(r.status.is_success(), "{method} {path}: {}", r.text());
            let after = audit_rows(&w.db, w.poh_a).await;
            assert_eq!(after.len(), before + 1, "{method} {path}");
            assert_eq!(after.last().unwrap(), &(Some(w.a2), action.to_string()));
        }
        let member_id = w.db.team(w.a2).await.unwrap()[0].id;
        let page_changes: Vec<(String, Fields, &str)> = vec![
            (
                format!("/patienten/{}/aanspreekpunt", w.a2),
                vec![("member_id", member_id.to_string())],
                "eerste aanspreekpunt ingesteld",
            ),
            (
                format!("/patienten/{}/exclusie", w.a2),
                vec![
                    ("decided_on", yesterday()),
                    ("reason", "verhuisd".into()),
                    ("bevestigd", "ja".into()),
                ],
                "exclusie vastgelegd",
            ),
            (
                format!("/patienten/{}/team/{member_id}/verwijderen", w.a2),
                vec![("bevestigd", "ja".into())],
                "zorgteam: lid verwijderd",
            ),
        ];
        for (path, body, action) in page_changes {
            let before = audit_rows(&w.db, w.poh_a).await.len();
            let body: Vec<(&str, &str)> = body.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let r = poh_a.post_form(&path, &body).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "POST {path}: {}", r.text());
            let after = audit_rows(&w.db, w.poh_a).await;
            assert_eq!(after.len(), before + 1, "POST {path}");
            assert_eq!(after.last().unwrap(), &(Some(w.a2), action.to_string()));
        }
        // The one who was added, and so was on the team, has now left it again.
        let other = Client::sign_in(&w.app, "wvk-ander").await;
        assert_eq!(
            other.get(&format!("/api/v1/patients/{}", w.a2)).await.status,
            StatusCode::NOT_FOUND
        );
        t.finish().await;
    }
}
