//! CSRF over HTTP, on SQLite and PostgreSQL: no form post or API change goes through
//! without the session's token.

mod common;

use axum::http::StatusCode;
use common::patient_routes::{api_changes, api_reads, fields, page_posts};
use common::{care_records, seed, yesterday, Client};
use kernteam_store::testing;
use serde_json::json;

#[tokio::test]
async fn changes_without_the_csrf_token_change_nothing() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let poh_a = Client::sign_in(&w.app, "poh-a").await;
        let poh_b = Client::sign_in(&w.app, "poh-b").await;
        let before = care_records(&w.db).await;

        for (path, body) in page_posts(w.a1, w.a1_wvk_member) {
            let body = fields(&body);
            let r = poh_a.post_form_raw(&path, &body).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "no token: POST {path}");
            let mut wrong = vec![("csrf", "0000")];
            wrong.extend(body.iter().copied());
            assert_eq!(
                poh_a.post_form_raw(&path, &wrong).await.status,
                StatusCode::FORBIDDEN,
                "wrong token: POST {path}"
            );
            let mut theirs = vec![("csrf", poh_b.csrf.as_str())];
            theirs.extend(body.iter().copied());
            assert_eq!(
                poh_a.post_form_raw(&path, &theirs).await.status,
                StatusCode::FORBIDDEN,
                "another session's token: POST {path}"
            );
        }
        for (method, path, body) in api_changes(w.a1, w.a1_wvk_member) {
            for token in [None, Some("0000"), Some(poh_b.csrf.as_str()), Some("")] {
                let r = poh_a.api_with_token(method, &path, body.clone(), token).await;
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{token:?}: {method} {path}");
                assert!(r.is_json(), "{method} {path}");
            }
        }
        // Signing out needs the token too.
        assert_eq!(
            poh_a.post_form_raw("/uitloggen", &[]).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(poh_a.get("/api/v1/session").await.status, StatusCode::OK);

        // Without a session: 401 for the API, the sign-in page for pages.
        let anonymous = Client::anonymous(&w.app);
        for (method, path, body) in api_changes(w.a1, w.a1_wvk_member) {
            let r = anonymous.api_with_token(method, &path, body, None).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{method} {path}");
            assert!(r.is_json());
        }
        for path in api_reads(w.a1).into_iter().chain(["/api/v1/patients".to_string()]) {
            let r = anonymous.get(&path).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path}");
            assert!(r.is_json());
        }
        let r = anonymous.get(&format!("/patienten/{}", w.a1)).await;
        assert_eq!(r.location(), Some("/inloggen"));

        assert_eq!(
            before,
            care_records(&w.db).await,
            "a change got through without its token"
        );

        // With the token they work: from the page's hidden field and from /api/v1/session.
        let page = poh_a.get(&format!("/patienten/{}", w.a2)).await.text();
        let token = common::csrf_of_page(&page);
        let r = poh_a
            .post_form_raw(
                &format!("/patienten/{}/inclusie", w.a2),
                &[
                    ("csrf", token.as_str()),
                    ("decided_on", &yesterday()),
                    ("deciding_gp", "Dr. Huisarts"),
                    ("exception_reason", "Besproken met de huisarts"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let r = poh_a
            .api(
                "POST",
                &format!("/api/v1/patients/{}/decisions", w.a2),
                Some(json!({ "kind": "exclusion", "decided_on": yesterday(), "reason": "verhuisd" })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(w.db.decisions(w.a2).await.unwrap().len(), 2);
        t.finish().await;
    }
}
