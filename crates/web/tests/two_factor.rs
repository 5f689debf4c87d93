//! Two-factor sign-in, on SQLite and PostgreSQL: enrolment, codes, replay, recovery codes,
//! lockout, and that nothing but the second-factor pages opens before it.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{csrf_of_page, send, Client, PASSWORD};
use kernteam_store::testing;
use kernteam_web::{AppState, WebConfig};
use totp_rs::{Algorithm, Secret, TOTP};

async fn password_step(app: &axum::Router, username: &str) -> (Client, String) {
    let body = serde_urlencoded::to_string([("username", username), ("password", PASSWORD)]).unwrap();
    let resp = send(
        app,
        Request::post("/inloggen")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap(),
    )
    .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.text());
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
    let next = resp.location().unwrap().to_string();
    (
        Client {
            app: app.clone(),
            cookie,
            csrf: String::new(),
        },
        next,
    )
}

fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let s = html.find(start).unwrap_or_else(|| panic!("{start} not in page")) + start.len();
    &html[s..s + html[s..].find(end).unwrap()]
}

fn totp_for(secret: &str, username: &str) -> TOTP {
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

#[tokio::test]
async fn enrolment_codes_recovery_and_lockout() {
    for t in testing::all().await {
        let world = common::seed(&t.db).await;
        let config = WebConfig {
            require_two_factor: true,
            ..WebConfig::default()
        };
        let app = kernteam_web::router(AppState::new(t.db.clone(), config));

        // Password accepted: the POH-O must enrol first; nothing else opens.
        let (mut c, next) = password_step(&app, "poh-a").await;
        assert_eq!(next, "/account/tweestap");
        let blocked = c.get("/patienten").await;
        assert_eq!(
            (blocked.status, blocked.location()),
            (StatusCode::SEE_OTHER, Some("/inloggen/code"))
        );
        assert_eq!(c.get("/api/v1/patients").await.status, StatusCode::UNAUTHORIZED);
        let page = c.get("/account/tweestap").await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.text();
        assert!(html.contains("<svg"), "a QR code");
        let secret = between(&html, "<code class=\"secret\">", "<").to_string();
        c.csrf = csrf_of_page(&html);
        let totp = totp_for(&secret, "poh-a");
        let wrong = c.post_form("/account/tweestap", &[("code", "000000")]).await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        let code = totp.generate_current().unwrap();
        let done = c.post_form("/account/tweestap", &[("code", &code)]).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.text());
        let recovery: Vec<String> = done
            .text()
            .split("<li><code>")
            .skip(1)
            .map(|s| s[..s.find('<').unwrap()].to_string())
            .collect();
        assert_eq!(recovery.len(), 10);
        assert_eq!(c.get("/patienten").await.status, StatusCode::OK);

        // Next sign-in asks for the code; the code just used cannot be used again.
        let (mut c2, next) = password_step(&app, "poh-a").await;
        assert_eq!(next, "/inloggen/code");
        c2.csrf = csrf_of_page(&c2.get("/inloggen/code").await.text());
        let replay = c2.post_form("/inloggen/code", &[("code", &code)]).await;
        assert_eq!(replay.status, StatusCode::UNAUTHORIZED);
        let ok = c2
            .post_form("/inloggen/code", &[("recovery_code", &recovery[0].to_uppercase())])
            .await;
        assert_eq!((ok.status, ok.location()), (StatusCode::SEE_OTHER, Some("/")));
        assert_eq!(c2.get("/patienten").await.status, StatusCode::OK);

        // A recovery code works once.
        let (mut c3, _) = password_step(&app, "poh-a").await;
        c3.csrf = csrf_of_page(&c3.get("/inloggen/code").await.text());
        assert_eq!(
            c3.post_form("/inloggen/code", &[("recovery_code", &recovery[0])])
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
        // Wrong codes lock the account (the failed recovery code above counted too).
        let mut last = String::new();
        for _ in 0..4 {
            let r = c3.post_form("/inloggen/code", &[("code", "123456")]).await;
            last = r.text();
            if r.status != StatusCode::UNAUTHORIZED {
                break;
            }
        }
        assert!(last.contains("geblokkeerd"), "{last}");
        let body = serde_urlencoded::to_string([("username", "poh-a"), ("password", PASSWORD)]).unwrap();
        let locked = send(
            &app,
            Request::post("/inloggen")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
        assert_eq!(locked.status, StatusCode::UNAUTHORIZED);
        assert!(locked.text().contains("geblokkeerd"));

        // The administrator resets the second factor (a lost phone): the lock is lifted by
        // time, and the next sign-in asks to enrol again. Regional staff see no patient
        // data and sign in without a second factor.
        let hash = kernteam_web::hash_password(PASSWORD.to_string()).await.unwrap();
        t.db.create_user(&kernteam_store::people::NewUser {
            username: "beheer".into(),
            display_name: "Beheer".into(),
            role: kernteam_domain::access::Role::Beheerder,
            practice_id: None,
            organisation_id: None,
            password_hash: hash,
            is_admin: true,
        })
        .await
        .unwrap();
        let (mut admin, next) = password_step(&app, "beheer").await;
        assert_eq!(next, "/");
        admin.csrf = csrf_of_page(&admin.get("/beheer").await.text());
        let reset = admin
            .post_form(&format!("/beheer/gebruikers/{}/tweestap-herstellen", world.poh_a), &[])
            .await;
        assert_eq!(reset.status, StatusCode::SEE_OTHER, "{}", reset.text());
        assert!(!t.db.totp_state(world.poh_a).await.unwrap().enabled);
        t.db.reset_failed_logins(world.poh_a).await.unwrap();
        let (_, next) = password_step(&app, "poh-a").await;
        assert_eq!(next, "/account/tweestap");
        drop(world);
        t.finish().await;
    }
}
