//! The OpenAPI document as a snapshot (`tests/snapshots/openapi__openapi.snap`), so that
//! every change of the API shows as a diff in review; and the schema checker the API
//! tests rely on (`common::check_schema`) is shown to reject bodies that do not match.

mod common;

use axum::http::StatusCode;
use common::{check_schema, response_schema, Client};
use kernteam_store::testing;
use kernteam_web::api::OPENAPI_PATH;
use kernteam_web::{AppState, WebConfig};
use serde_json::{json, Value};

/// The document as served to anyone, not signed in.
async fn document(db: &kernteam_store::Db) -> Value {
    let app = kernteam_web::router(AppState::new(db.clone(), WebConfig::demo()));
    let r = Client::anonymous(&app).get(OPENAPI_PATH).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.is_json());
    r.json()
}

#[tokio::test]
async fn the_openapi_document_is_the_snapshot() {
    // The document does not depend on the backend; both must serve the same one.
    for t in testing::all().await {
        let doc = document(&t.db).await;
        insta::assert_snapshot!("openapi", serde_json::to_string_pretty(&doc).unwrap());
        t.finish().await;
    }
}

#[tokio::test]
async fn the_schema_checker_rejects_bodies_that_do_not_match() {
    let t = testing::sqlite().await;
    let doc = document(&t.db).await;
    let schema = response_schema(&doc, "GET", "/api/v1/session", 200)
        .expect("the session has a documented body")
        .clone();
    let good = json!({
        "id": 7,
        "username": "poh",
        "name": "Petra POH",
        "role": "poh_o",
        "practice_id": 1,
        "organisation_id": null,
        "csrf": "abc",
    });
    assert_eq!(check_schema(&doc, &schema, &good), Vec::<String>::new());

    let mut wrong_type = good.clone();
    wrong_type["id"] = json!("7");
    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("csrf");
    let mut null_name = good.clone();
    null_name["name"] = Value::Null;
    for (what, body) in [
        ("an id as text", wrong_type),
        ("no csrf", missing),
        ("a null name", null_name),
        ("an array", json!([good.clone()])),
        ("nothing", Value::Null),
    ] {
        let problems = check_schema(&doc, &schema, &body);
        assert!(!problems.is_empty(), "{what} passed the session schema");
    }
    // A problem names where in the body it is.
    let mut wrong_type = good.clone();
    wrong_type["practice_id"] = json!("één");
    let problems = check_schema(&doc, &schema, &wrong_type);
    assert!(problems.iter().any(|p| p.starts_with("/practice_id:")), "{problems:?}");
    t.finish().await;
}
