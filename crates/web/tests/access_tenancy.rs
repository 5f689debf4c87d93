//! Tenancy over HTTP, for the pages and the API, on SQLite and PostgreSQL: practice staff
//! never see another practice's patients, and regional staff see no patient records.

mod common;

use axum::http::StatusCode;
use common::patient_routes::{api_reads, assert_invisible, page_reads, search};
use common::{audit_rows, seed, Client};
use kernteam_store::testing;

#[tokio::test]
async fn practice_staff_never_see_another_practices_patients() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let poh_a = Client::sign_in(&w.app, "poh-a").await;
        let poh_b = Client::sign_in(&w.app, "poh-b").await;

        // Their own practice's staff can see B's patient: the 404s below are tenancy.
        assert_eq!(poh_b.get(&format!("/patienten/{}", w.b1)).await.status, StatusCode::OK);
        for path in api_reads(w.b1) {
            assert_eq!(poh_b.get(&path).await.status, StatusCode::OK, "{path}");
        }
        for path in page_reads(w.b1).into_iter().filter(|p| !p.ends_with("/audit")) {
            assert_eq!(poh_b.get(&path).await.status, StatusCode::OK, "{path}");
        }

        assert_invisible(&w, &poh_a, w.b1, w.b1_member, "POH-O of A").await;
        assert_invisible(&w, &poh_a, w.b1, w.b1_professional, "POH-O of A").await;
        // The refused attempts stand in the audit trail of B's patient (NEN 7513).
        let refused = audit_rows(&w.db, w.poh_a).await;
        assert!(
            refused
                .iter()
                .any(|(p, a)| *p == Some(w.b1) && a == "toegang geweigerd"),
            "{refused:?}"
        );

        // B's patients are in no list of A, whatever the search.
        let mut ids = Vec::new();
        let mut page = 1;
        loop {
            let list = poh_a.get(&format!("/api/v1/patients?page={page}")).await.json();
            ids.extend(
                list["patients"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["id"].as_i64().unwrap()),
            );
            if page >= list["pages"].as_u64().unwrap() as usize {
                break;
            }
            page += 1;
        }
        assert!(!ids.is_empty());
        assert!(!ids.contains(&w.b1));
        assert_eq!(poh_a.get("/api/v1/patients?q=Bakker").await.json()["total"], 0);
        let page = search(&poh_a, "Bakker").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.text().contains("Bakker, Cornelia"));
        assert!(search(&poh_b, "Bakker").await.text().contains("Bakker, Cornelia"));
        t.finish().await;
    }
}

#[tokio::test]
async fn regional_staff_get_no_patient_list_and_no_patient_record() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let manager = Client::sign_in(&w.app, "regio").await;
        assert_eq!(manager.get("/patienten").await.status, StatusCode::FORBIDDEN);
        let r = manager.get("/api/v1/patients").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.is_json());
        assert_invisible(&w, &manager, w.a1, w.a1_wvk_member, "programmamanager").await;
        assert_invisible(&w, &manager, w.b1, w.b1_member, "programmamanager").await;
        let session = manager.get("/api/v1/session").await.json();
        assert_eq!(session["role"], "programmamanager");
        assert_eq!(session["id"], w.manager);
        t.finish().await;
    }
}
