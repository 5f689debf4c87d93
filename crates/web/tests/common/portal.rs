//! Portal accounts for the web tests: an invitation made through the store, activated
//! through the activation form as a browser would, the second factor set up.

use axum::http::{header, Request, StatusCode};
use axum::Router;
use kernteam_domain::portal::PortalKind;
use kernteam_store::portal::NewInvitation;
use kernteam_store::Db;
use totp_rs::{Algorithm, Secret, TOTP};

use super::{csrf_of_page, send, Client, PASSWORD};

pub fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let s = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} not in page: {html}"))
        + start.len();
    &html[s..s + html[s..].find(end).unwrap()]
}

pub fn totp_for(secret: &str, username: &str) -> TOTP {
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        30,
        Secret::Encoded(secret.into()).to_bytes().unwrap(),
        Some("Kernteam".into()),
        username.into(),
    )
    .unwrap()
}

/// A new invitation's code, made directly in the store (the letter is tested elsewhere).
pub async fn invitation(db: &Db, patient_id: i64, member_id: Option<i64>, by: i64) -> String {
    let code = format!("TEST-{patient_id}-{}-{}", member_id.unwrap_or(0), rand_suffix());
    kernteam_store::audited!(db, kernteam_store::testing::entry(), |ch| ch.add_invitation(
        &NewInvitation {
            patient_id,
            kind: if member_id.is_some() {
                PortalKind::Mantelzorger
            } else {
                PortalKind::Patient
            },
            member_id,
            code_hash: kernteam_app::portal::code_hash(&code),
            created_by: by,
            expires_at: "2099-01-01T00:00:00Z".into(),
            email: None,
            resets_user_id: None,
        }
    ))
    .unwrap();
    code
}

fn rand_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!("{}{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

/// Posts the activation form; the raw response.
pub async fn post_activation(app: &Router, code: &str, username: &str) -> super::Resp {
    let page = send(
        app,
        Request::get("/inloggen/activeren")
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    let cookie = page
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("kernteam_login_csrf="))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let csrf = csrf_of_page(&page.text());
    let body = serde_urlencoded::to_string([
        ("csrf", csrf.as_str()),
        ("code", code),
        ("username", username),
        ("password", PASSWORD),
        ("password2", PASSWORD),
    ])
    .unwrap();
    send(
        app,
        Request::post("/inloggen/activeren")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, cookie)
            .body(axum::body::Body::from(body))
            .unwrap(),
    )
    .await
}

/// Activates the code as `username` and sets up the second factor: a signed-in client.
pub async fn activate(app: &Router, code: &str, username: &str) -> Client {
    let resp = post_activation(app, code, username).await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.text());
    assert_eq!(resp.location(), Some("/account/tweestap"));
    let cookie = resp
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let mut c = Client {
        app: app.clone(),
        cookie,
        csrf: String::new(),
    };
    // Before the second factor, the portal is closed.
    let early = c.get("/portaal").await;
    assert_eq!(early.location(), Some("/inloggen/code"), "{}", early.status);
    let page = c.get("/account/tweestap").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    c.csrf = csrf_of_page(&page.text());
    let started = c.post_form("/account/tweestap/nieuw", &[]).await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.text());
    let secret = between(&started.text(), "<code class=\"secret\">", "<").to_string();
    let code = totp_for(&secret, username).generate_current().unwrap();
    let done = c.post_form("/account/tweestap", &[("code", &code)]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text());
    let session = c.get("/api/v1/session").await;
    assert_eq!(session.status, StatusCode::OK, "{}", session.text());
    c.csrf = session.json()["csrf"].as_str().unwrap().to_string();
    c
}
