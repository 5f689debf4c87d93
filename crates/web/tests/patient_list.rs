//! The patient list (`/patienten`, `GET /api/v1/patients`), on SQLite and PostgreSQL: the
//! search words stay out of URLs and the audit log, and every view's audit record names
//! the patients shown.

mod common;

use axum::http::StatusCode;
use common::{seed, Client};
use kernteam_store::sqlx;
use kernteam_store::testing;
use kernteam_store::Db;

/// The detail of the user's newest audit record with this action.
async fn last_detail(db: &Db, user_id: i64, action: &str) -> String {
    sqlx::query_scalar::<_, Option<String>>(
        "SELECT detail FROM audit_log WHERE user_id = $1 AND action = $2 ORDER BY id DESC LIMIT 1",
    )
    .bind(user_id)
    .bind(action)
    .fetch_one(db.pool())
    .await
    .unwrap()
    .unwrap_or_default()
}

/// The patient ids an audit detail names ("… patiënten 3, 7, 12").
fn ids_in(detail: &str) -> Vec<i64> {
    detail
        .split_once("patiënten ")
        .map(|(_, ids)| ids.split(", ").filter_map(|id| id.trim().parse().ok()).collect())
        .unwrap_or_default()
}

/// The patient ids a list page links to, in order.
fn ids_on_page(html: &str) -> Vec<i64> {
    html.split("<a href=\"/patienten/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next()?.parse().ok())
        .collect()
}

const VIEWED: &str = "patiëntenlijst bekeken";

#[tokio::test]
async fn the_search_words_stay_out_of_urls_and_the_audit_log() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let poh = Client::sign_in(&w.app, "poh-a").await;
        let everyone = poh.get("/api/v1/patients").await.json();
        let total = everyone["total"].as_u64().unwrap();
        let first = &everyone["patients"][0];
        let (id, name) = (first["id"].as_i64().unwrap(), first["name"].as_str().unwrap());
        let word = name.split([',', ' ']).next().unwrap().to_lowercase();

        // The form posts the words; the list's URL carries only a reference.
        let r = poh.post_form("/patienten", &[("q", &word), ("filter", "alle")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let location = r.location().unwrap().to_string();
        assert!(
            location.starts_with("/patienten?filter=alle&zoekopdracht="),
            "{location}"
        );
        assert!(!location.to_lowercase().contains(&word), "{location}");
        let page = poh.get(&location).await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.text();
        let shown = ids_on_page(&html);
        assert!(shown.contains(&id), "{name} not found by {word}");
        assert!((shown.len() as u64) < total, "the search did not narrow the list");
        assert!(
            html.contains(&format!("value=\"{word}\"")),
            "the words are shown in the form"
        );
        for href in html.split("href=\"").skip(1).filter_map(|s| s.split('"').next()) {
            assert!(!href.to_lowercase().contains(&word), "{href}");
        }
        let detail = last_detail(&t.db, w.poh_a, VIEWED).await;
        assert!(!detail.to_lowercase().contains(&word), "{detail}");
        assert!(detail.contains("zoekopdracht"), "{detail}");
        assert_eq!(ids_in(&detail), shown, "{detail}");

        // The API's search is not written to the audit log either.
        let api = poh.get(&format!("/api/v1/patients?q={word}")).await.json();
        assert!(api["total"].as_u64().unwrap() < total);
        let detail = last_detail(&t.db, w.poh_a, VIEWED).await;
        assert!(!detail.to_lowercase().contains(&word), "{detail}");

        // Words in the URL are not a search (no page sends them there).
        let html = poh.get(&format!("/patienten?q={word}")).await.text();
        assert!(html.contains(&format!("{total} patiënt")), "a URL search still filters");

        // Another user cannot use the reference: they get their own whole list.
        let other = Client::sign_in(&w.app, "poh-b").await;
        let html = other.get(&location).await.text();
        assert!(html.contains("Deze zoekopdracht is verlopen"), "{html}");
        assert!(!html.contains(&format!("value=\"{word}\"")));

        // Only practice staff search the practice list, and only with the CSRF token.
        let member = Client::sign_in(&w.app, "wvk-team").await;
        let r = member.post_form("/patienten", &[("q", "x")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(last_detail(&t.db, w.wvk_team, "toegang geweigerd").await, "praktijk");
        let r = poh.post_form_raw("/patienten", &[("q", "x")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        t.finish().await;
    }
}

#[tokio::test]
async fn every_list_view_names_the_patients_shown() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let poh = Client::sign_in(&w.app, "poh-a").await;

        for path in [
            "/patienten",
            "/patienten?filter=alle&pagina=2",
            "/patienten?filter=geincludeerd",
        ] {
            let html = poh.get(path).await.text();
            let shown = ids_on_page(&html);
            let detail = last_detail(&t.db, w.poh_a, VIEWED).await;
            assert_eq!(ids_in(&detail), shown, "{path}: {detail}");
            assert!(detail.starts_with("filter "), "{detail}");
        }
        let list = poh.get("/api/v1/patients?filter=kwetsbaar").await.json();
        let shown: Vec<i64> = list["patients"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_i64().unwrap())
            .collect();
        assert!(!shown.is_empty());
        let detail = last_detail(&t.db, w.poh_a, VIEWED).await;
        assert_eq!(ids_in(&detail), shown, "{detail}");
        assert!(detail.starts_with("filter kwetsbaar, pagina 1 van 1: "), "{detail}");

        // A network professional's list: the patients whose care team they are on.
        let member = Client::sign_in(&w.app, "wvk-team").await;
        let html = member.get("/patienten").await.text();
        assert_eq!(ids_on_page(&html), [w.a1]);
        let detail = last_detail(&t.db, w.wvk_team, VIEWED).await;
        assert_eq!(ids_in(&detail), [w.a1], "{detail}");
        member.get("/api/v1/patients").await;
        assert_eq!(ids_in(&last_detail(&t.db, w.wvk_team, VIEWED).await), [w.a1]);
        t.finish().await;
    }
}
