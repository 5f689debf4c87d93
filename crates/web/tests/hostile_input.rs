//! Hostile input in every free-text field — script tags, quotes, very long text — is
//! stored as typed and shown escaped, or refused whole; on SQLite and PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::Client;
use kernteam_store::testing;
use serde_json::json;

const EVIL: &str = "<script>alert('x')</script>\"><img src=x onerror=alert(1)>'; DROP TABLE patients; --";
const RAW: [&str; 2] = ["<script>alert(", "<img src=x"];

/// The page shows the hostile text only escaped.
fn assert_escaped(page: &str, what: &str) {
    for raw in RAW {
        assert!(!page.contains(raw), "{what}: unescaped hostile text in the page");
    }
    assert!(
        page.contains("&lt;script&gt;") || page.contains("&#60;script&#62;"),
        "{what}: the text is not shown at all"
    );
}

#[tokio::test]
async fn hostile_text_is_stored_as_typed_and_shown_escaped() {
    for t in testing::all().await {
        let w = common::seed(&t.db).await;
        let poh = Client::sign_in(&w.app, "poh-a").await;
        let id = w.a1;
        let base = format!("/patienten/{id}");

        // Care plan: wishes, goal, problem, action (what and who).
        let r = poh
            .post_form(
                &format!("{base}/zorgplan"),
                &[
                    ("based_on", "1"),
                    ("wishes", EVIL),
                    ("goal", EVIL),
                    ("problem_domain", "psychisch"),
                    ("problem_text", EVIL),
                    ("action_what", EVIL),
                    ("action_who", EVIL),
                    ("action_due", ""),
                    ("action_status", "gepland"),
                    ("evaluation_date", ""),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        for page in ["/zorgplan", "/zorgplan/versies", "/zorgplan/afdrukken", ""] {
            assert_escaped(&poh.get(&format!("{base}{page}")).await.text(), page);
        }
        // The API returns the text exactly as typed.
        let plan = poh
            .api("GET", &format!("/api/v1/patients/{id}/care-plan"), None)
            .await
            .json();
        assert_eq!(plan["plan"]["wishes"], EVIL);

        // Inclusion: deciding GP and considerations; care team: a mantelzorger.
        let r = poh
            .post_form(
                &format!("{base}/inclusie"),
                &[
                    ("decided_on", &common::yesterday()),
                    ("deciding_gp", EVIL),
                    ("considerations", EVIL),
                    ("exception_reason", EVIL),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let r = poh
            .post_form(
                &format!("{base}/team"),
                &[
                    ("kind", "mantelzorger"),
                    ("name", EVIL),
                    ("relation", EVIL),
                    ("phone", EVIL),
                ],
            )
            .await;
        assert!(
            r.status == StatusCode::SEE_OTHER || r.status == StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            r.text()
        );
        assert_escaped(&poh.get(&base).await.text(), "record");

        // SO consultation, medication review and event, through the API; shown on their pages.
        let r = poh
            .api(
                "POST",
                &format!("/api/v1/patients/{id}/consultations"),
                Some(json!({ "date": common::yesterday(), "question": EVIL, "advice": EVIL, "kind": "consultatie", "funding": "zvw", "so_name": EVIL })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_escaped(&poh.get(&format!("{base}/consultaties")).await.text(), "consultations");
        let r = poh
            .api(
                "POST",
                &format!("/api/v1/patients/{id}/medication-reviews"),
                Some(json!({ "date": common::yesterday(), "participants": ["huisarts", "apotheker"], "stopped": EVIL, "started": EVIL, "changed": EVIL })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_escaped(
            &poh.get(&format!("{base}/medicatiebeoordelingen")).await.text(),
            "reviews",
        );
        let r = poh
            .api(
                "POST",
                &format!("/api/v1/patients/{id}/events"),
                Some(json!({ "kind": "val", "occurred_at": "2026-06-01T10:00:00+02:00", "notes": EVIL })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_escaped(&poh.get(&format!("{base}/gebeurtenissen")).await.text(), "events");

        // PZP: representative, preferred places, a conversation.
        let r = poh
            .api(
                "PUT",
                &format!("/api/v1/patients/{id}/pzp"),
                Some(json!({ "based_on": 0, "pzp": {
                    "conversations": [{ "date": common::yesterday(), "participants": EVIL, "summary": EVIL }],
                    "legal_representative": EVIL, "preferred_place_of_care": EVIL, "preferred_place_of_death": EVIL
                } })),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_escaped(&poh.get(&format!("{base}/pzp")).await.text(), "pzp");

        // Very long text is refused whole; nothing of it is stored.
        let before = common::care_records(&t.db).await;
        let novel = "lang ".repeat(20_000);
        let r = poh
            .post_form(
                &format!("{base}/zorgplan"),
                &[("based_on", "2"), ("wishes", &novel), ("goal", "ok")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = poh
            .api(
                "POST",
                &format!("/api/v1/patients/{id}/consultations"),
                Some(
                    json!({ "date": common::yesterday(), "question": novel, "kind": "consultatie", "funding": "zvw" }),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = poh
            .post_form(
                &format!("{base}/team"),
                &[("kind", "mantelzorger"), ("name", &novel), ("relation", "zoon")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            before,
            common::care_records(&t.db).await,
            "a refused request changed care records"
        );

        // Search and filters echo the query escaped.
        let r = poh.post_form("/patienten", &[("q", EVIL)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert_escaped(&poh.get(r.location().unwrap()).await.text(), "search");
        t.finish().await;
    }
}
