//! Sign-in, on SQLite and PostgreSQL: refused attempts are audited as refused (never with
//! the password); failures lock a name per client address with back-off and get the same
//! answer whether the name exists or is locked; the sign-in form has its own CSRF token;
//! the client address behind trusted proxies; the user's own change of password.

mod common;

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use common::{csrf_of_page, login_csrf, send, Client, Resp, PASSWORD};
use kernteam_store::sqlx::{self, Row};
use kernteam_store::testing;
use kernteam_web::{AppState, WebConfig};

/// Posts the sign-in form from `peer`, with an `X-Forwarded-For` header when given.
async fn sign_in_from(app: &axum::Router, username: &str, password: &str, peer: &str, xff: Option<&str>) -> Resp {
    let (csrf, cookie) = login_csrf(app).await;
    let body =
        serde_urlencoded::to_string([("username", username), ("password", password), ("csrf", csrf.as_str())]).unwrap();
    let mut req = Request::post("/inloggen")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie);
    if let Some(x) = xff {
        req = req.header("x-forwarded-for", x);
    }
    let mut req = req.body(Body::from(body)).unwrap();
    let peer: SocketAddr = format!("{peer}:40000").parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(peer));
    send(app, req).await
}

/// The page without what differs per response (the form token) or was typed.
fn normalised(r: &Resp, typed: &str) -> String {
    let text = r.text();
    text.replace(&csrf_of_page(&text), "TOKEN").replace(typed, "NAME")
}

/// The audit records after the test's set-up data (see `kernteam_store::testing::entry`).
async fn audit_rows(db: &kernteam_store::Db) -> Vec<(String, String, String, Option<String>)> {
    sqlx::query("SELECT username, action, outcome, ip FROM audit_log WHERE action <> 'testgegevens' ORDER BY seq")
        .fetch_all(db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect()
}

#[tokio::test]
async fn refused_sign_ins_are_audited_and_locks_are_per_name_and_address_and_look_alike() {
    for t in testing::all().await {
        let world = common::seed(&t.db).await;
        let app = world.app.clone();
        let wrong = "geheim-verkeerd-wachtwoord";
        for _ in 0..5 {
            let r = sign_in_from(&app, "poh-a", wrong, "192.0.2.1", None).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        }
        // Now locked for this name from this address: even the right password is refused,
        // with the answer an unknown name gets.
        let locked = sign_in_from(&app, "poh-a", PASSWORD, "192.0.2.1", None).await;
        let unknown = sign_in_from(&app, "niemand-bekend", PASSWORD, "192.0.2.1", None).await;
        assert_eq!(locked.status, StatusCode::UNAUTHORIZED);
        assert_eq!(unknown.status, locked.status);
        assert_eq!(normalised(&locked, "poh-a"), normalised(&unknown, "niemand-bekend"));
        assert!(!locked.text().contains("geblokkeerd"), "no word of a lock");
        // Someone elsewhere could not lock the account for its owner.
        let owner = sign_in_from(&app, "poh-a", PASSWORD, "198.51.100.20", None).await;
        assert_eq!(owner.status, StatusCode::SEE_OTHER, "{}", owner.text());

        let rows = audit_rows(&t.db).await;
        let refused: Vec<_> = rows.iter().filter(|r| r.2 == "refused").collect();
        assert!(refused.len() >= 7, "{rows:?}");
        assert!(
            refused.iter().any(|r| r.0 == "poh-a" && r.1.contains("wachttijd")),
            "{rows:?}"
        );
        assert!(refused.iter().any(|r| r.0 == "niemand-bekend"), "{rows:?}");
        assert!(refused.iter().all(|r| r.3.as_deref() == Some("192.0.2.1")), "{rows:?}");
        let all_text: String = sqlx::query("SELECT * FROM audit_log")
            .fetch_all(t.db.pool())
            .await
            .unwrap()
            .iter()
            .map(|r| {
                format!(
                    "{:?}",
                    (
                        r.get::<Option<String>, _>("action"),
                        r.get::<Option<String>, _>("detail")
                    )
                )
            })
            .collect();
        assert!(
            !all_text.contains(wrong) && !all_text.contains(PASSWORD),
            "no password in the audit log"
        );
        drop(world);
        t.finish().await;
    }
}

#[tokio::test]
async fn the_sign_in_form_needs_its_own_signed_token() {
    let t = testing::sqlite().await;
    let world = common::seed(&t.db).await;
    let body = serde_urlencoded::to_string([("username", "poh-a"), ("password", PASSWORD)]).unwrap();
    let post = |cookie: Option<String>, body: String| {
        let mut r = Request::post("/inloggen").header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(c) = cookie {
            r = r.header(header::COOKIE, c);
        }
        r.body(Body::from(body)).unwrap()
    };
    // A cross-site form post carries no token (and a SameSite=Strict cookie stays home).
    let r = send(&world.app, post(None, body.clone())).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r
        .headers
        .get(header::SET_COOKIE)
        .is_some_and(|v| !v.to_str().unwrap().starts_with("kernteam_session")));
    // A planted cookie that matches the field but was not signed by the server.
    let forged = "00112233445566778899aabbccddeeff.ffff";
    let with = format!("{body}&csrf={forged}");
    let r = send(&world.app, post(Some(format!("kernteam_login_csrf={forged}")), with)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The page sets a strict cookie; with it, sign-in works.
    let page = send(&world.app, Request::get("/inloggen").body(Body::empty()).unwrap()).await;
    let set = page.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(set.contains("SameSite=Strict") && set.contains("HttpOnly"), "{set}");
    let (csrf, cookie) = login_csrf(&world.app).await;
    let r = send(&world.app, post(Some(cookie), format!("{body}&csrf={csrf}"))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    drop(world);
    t.finish().await;
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_client_is_the_forwarded_address() {
    let t = testing::sqlite().await;
    let world = common::seed(&t.db).await;
    let trusting = kernteam_web::router(AppState::new(
        t.db.clone(),
        WebConfig {
            trusted_proxies: vec!["10.0.0.0/8".parse().unwrap()],
            ..WebConfig::demo()
        },
    ));
    // Trusted proxy: the client's address is audited, a forged hop left of it ignored.
    let r = sign_in_from(&trusting, "poh-a", PASSWORD, "10.0.0.1", Some("6.6.6.6, 203.0.113.5")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // Not trusted: the header is ignored, the peer is the client.
    let r = sign_in_from(&world.app, "poh-a", PASSWORD, "10.0.0.1", Some("203.0.113.5")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let ips: Vec<Option<String>> = audit_rows(&t.db).await.into_iter().map(|r| r.3).collect();
    assert_eq!(ips, [Some("203.0.113.5".to_string()), Some("10.0.0.1".to_string())]);
    // Many failures of one client behind the proxy do not refuse another client.
    for _ in 0..21 {
        sign_in_from(&trusting, "wvk-team", "fout", "10.0.0.1", Some("203.0.113.66")).await;
    }
    let other = sign_in_from(&trusting, "poh-b", PASSWORD, "10.0.0.1", Some("203.0.113.77")).await;
    assert_eq!(
        other.status,
        StatusCode::SEE_OTHER,
        "the throttle is per client, not site-wide"
    );
    drop(world);
    t.finish().await;
}

#[tokio::test]
async fn users_change_their_own_password_and_their_other_sessions_end() {
    for t in testing::all().await {
        let world = common::seed(&t.db).await;
        let mut c = Client::sign_in(&world.app, "poh-a").await;
        let other = Client::sign_in(&world.app, "poh-a").await;
        let page = c.get("/account/wachtwoord").await;
        assert_eq!(page.status, StatusCode::OK);
        c.csrf = csrf_of_page(&page.text());
        let new = "paard batterij nietje blauw";
        let mismatch = c
            .post_form(
                "/account/wachtwoord",
                &[("current", PASSWORD), ("new", new), ("repeat", "anders")],
            )
            .await;
        assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
        let weak = c
            .post_form(
                "/account/wachtwoord",
                &[("current", PASSWORD), ("new", "kort"), ("repeat", "kort")],
            )
            .await;
        assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
        let wrong = c
            .post_form(
                "/account/wachtwoord",
                &[("current", "niet mijn wachtwoord"), ("new", new), ("repeat", new)],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        let done = c
            .post_form(
                "/account/wachtwoord",
                &[("current", PASSWORD), ("new", new), ("repeat", new)],
            )
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.text());
        assert_eq!(c.get("/patienten").await.status, StatusCode::OK, "this session goes on");
        assert_eq!(
            other.get("/patienten").await.status,
            StatusCode::SEE_OTHER,
            "the other one ended"
        );
        assert_eq!(
            common::post_sign_in(&world.app, "poh-a", PASSWORD).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            common::post_sign_in(&world.app, "poh-a", new).await.status,
            StatusCode::SEE_OTHER
        );
        let rows = audit_rows(&t.db).await;
        assert!(rows
            .iter()
            .any(|r| r.1.starts_with("wachtwoord gewijzigd") && r.2 == "allowed"));
        assert!(rows
            .iter()
            .any(|r| r.1.starts_with("wachtwoord wijzigen geweigerd") && r.2 == "refused"));
        drop(world);
        t.finish().await;
    }
}
