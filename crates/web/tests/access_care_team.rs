//! The care-team rule over HTTP, on SQLite and PostgreSQL: a network professional sees
//! only the patients whose care team they are on, and does only what their membership allows.

mod common;

use axum::http::StatusCode;
use common::patient_routes::{api_changes, api_reads, assert_invisible, fields, page_posts, page_reads, valid_plan};
use common::{care_records, seed, Client};
use kernteam_store::testing;
use serde_json::json;

#[tokio::test]
async fn network_professionals_see_only_the_patients_whose_care_team_they_are_on() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let other = Client::sign_in(&w.app, "wvk-ander").await;
        let member = Client::sign_in(&w.app, "wvk-team").await;

        assert_invisible(&w, &other, w.a1, w.a1_wvk_member, "wijkverpleegkundige not on the team").await;
        let list = other.get("/api/v1/patients").await;
        assert_eq!(list.status, StatusCode::OK);
        assert_eq!(list.json()["total"], 0);
        let page = other.get("/patienten").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("Geen patiënten gevonden."));

        // On the team: reads the record and the care plan…
        for path in page_reads(w.a1).into_iter().filter(|p| !p.ends_with("/audit")) {
            assert_eq!(member.get(&path).await.status, StatusCode::OK, "{path}");
        }
        for path in api_reads(w.a1) {
            assert_eq!(member.get(&path).await.status, StatusCode::OK, "{path}");
        }
        // …but not who accessed it.
        assert_eq!(
            member.get(&format!("/patienten/{}/audit", w.a1)).await.status,
            StatusCode::FORBIDDEN
        );
        let record = member.get(&format!("/api/v1/patients/{}", w.a1)).await.json();
        assert_eq!(
            record["access"],
            json!({ "read": true, "contribute": true, "decide": false, "audit": false })
        );
        let list = member.get("/api/v1/patients").await.json();
        let ids: Vec<i64> = list["patients"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, [w.a1]);
        assert!(member
            .get("/patienten")
            .await
            .text()
            .contains(&format!("/patienten/{}", w.a1)));

        // Contributes to the care plan, on the page and in the API.
        let page = member.get(&format!("/patienten/{}/zorgplan", w.a1)).await.text();
        let form_csrf = common::csrf_of_page(&page);
        assert_eq!(
            form_csrf, member.csrf,
            "the page and /api/v1/session hand out the same token"
        );
        let r = member
            .post_form(
                &format!("/patienten/{}/zorgplan", w.a1),
                &[
                    ("based_on", "1"),
                    ("wishes", "Thuis blijven wonen"),
                    ("goal", "Veilig lopen"),
                    ("goal", "Weer naar de markt"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let r = member
            .api(
                "PUT",
                &format!("/api/v1/patients/{}/care-plan", w.a1),
                Some(json!({ "based_on": 2, "plan": valid_plan("Samen koken") })),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["version"], 3);
        let versions = w.db.care_plan_versions(w.a1).await.unwrap();
        assert_eq!(versions.len(), 3);
        assert_eq!(versions[0].created_by_name, "Wies Wijk");
        assert!(versions[1].summary.contains("Doel toegevoegd: Weer naar de markt"));

        // Does not include, exclude or change the team: 403, nothing changes.
        let before = care_records(&w.db).await;
        for (path, body) in page_posts(w.a1, w.a1_wvk_member)
            .into_iter()
            .filter(|(p, _)| !p.ends_with("/zorgplan"))
        {
            let r = member.post_form(&path, &fields(&body)).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "POST {path}: {}", r.text());
        }
        for (method, path, body) in api_changes(w.a1, w.a1_wvk_member)
            .into_iter()
            .filter(|(_, p, _)| !p.ends_with("/care-plan"))
        {
            let r = member.api(method, &path, body).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{method} {path}: {}", r.text());
            assert!(r.is_json());
        }
        assert_eq!(before, care_records(&w.db).await);

        // Another patient of the same practice stays invisible.
        assert_invisible(&w, &member, w.a2, w.a1_wvk_member, "wijkverpleegkundige, other patient").await;
        t.finish().await;
    }
}
