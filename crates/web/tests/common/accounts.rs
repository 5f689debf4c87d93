//! The example practice alone and accounts added one by one, for the tests of the
//! administrator's pages (`/beheer`) and the region figures (`/regio`).

use axum::http::{header, StatusCode};
use axum::Router;
use kernteam_domain::access::Role;
use kernteam_import::import_extract;
use kernteam_store::people::NewUser;
use kernteam_store::Db;
use kernteam_web::{AppState, WebConfig};

use super::{csrf_of_page, example, opts, post_sign_in, Client, PASSWORD};

/// The router over `db`, as the demo configuration serves it.
pub fn router_for(db: &Db) -> Router {
    kernteam_web::router(AppState::new(db.clone(), WebConfig::demo()))
}

/// Imports the example extract (practice 09000001) and returns the practice's id.
pub async fn import_example(db: &Db) -> i64 {
    let outcome = import_extract(db, &example(), &opts()).await.unwrap();
    outcome.summary.practice_id
}

/// An account with [`PASSWORD`]; returns its id.
pub async fn add_user(db: &Db, username: &str, name: &str, role: Role, practice_id: Option<i64>) -> i64 {
    let password_hash = kernteam_web::hash_password(PASSWORD.into()).await.unwrap();
    kernteam_store::audited!(db, kernteam_store::testing::entry(), |ch| ch.create_user(&NewUser {
        username: username.into(),
        display_name: name.into(),
        role,
        practice_id,
        organisation_id: None,
        password_hash,
        is_admin: false,
    }))
    .unwrap()
}

/// Signs in through the form with `password` and keeps the session cookie (no CSRF
/// token: take it from a page with [`page_csrf`]).
pub async fn sign_in_with(app: &Router, username: &str, password: &str) -> Client {
    let r = post_sign_in(app, username, password).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "sign-in of {username}: {}", r.text());
    let set_cookie = r
        .headers
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let pair = set_cookie.split(';').next().unwrap();
    assert!(pair.starts_with("kernteam_session="), "{set_cookie}");
    Client {
        app: app.clone(),
        cookie: pair.to_string(),
        csrf: String::new(),
    }
}

/// The session's CSRF token, from the hidden `csrf` input of the page at `path`.
pub async fn page_csrf(client: &Client, path: &str) -> String {
    let page = client.get(path).await;
    assert_eq!(page.status, StatusCode::OK, "{path}");
    csrf_of_page(&page.text())
}

/// A user's audit records, oldest first: action and detail.
pub async fn audit_of(db: &Db, user_id: i64) -> Vec<(String, String)> {
    kernteam_store::sqlx::query_as::<_, (String, Option<String>)>(
        "SELECT action, detail FROM audit_log WHERE user_id = $1 ORDER BY id",
    )
    .bind(user_id)
    .fetch_all(db.pool())
    .await
    .unwrap()
    .into_iter()
    .map(|(a, d)| (a, d.unwrap_or_default()))
    .collect()
}
