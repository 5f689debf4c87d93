//! Two-factor sign-in, on SQLite and PostgreSQL: enrolment, codes, replay, recovery codes,
//! lockout, and that nothing but the second-factor pages opens before it.

mod common;

use axum::http::{header, StatusCode};
use common::{csrf_of_page, Client, PASSWORD};
use kernteam_store::sqlx;
use kernteam_store::testing;
use kernteam_web::{AppState, WebConfig};
use totp_rs::{Algorithm, Secret, TOTP};

async fn password_step(app: &axum::Router, username: &str) -> (Client, String) {
    let resp = common::post_sign_in(app, username, PASSWORD).await;
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

/// Starts and confirms an enrolment from the enrolment page; returns the secret and the
/// recovery codes.
async fn enrol(c: &mut Client, username: &str) -> (String, Vec<String>) {
    let page = c.get("/account/tweestap").await;
    assert_eq!(page.status, StatusCode::OK);
    c.csrf = csrf_of_page(&page.text());
    let started = c.post_form("/account/tweestap/nieuw", &[]).await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.text());
    let html = started.text();
    assert!(html.contains("<svg"), "a QR code");
    let secret = between(&html, "<code class=\"secret\">", "<").to_string();
    let code = totp_for(&secret, username).generate_current().unwrap();
    let done = c.post_form("/account/tweestap", &[("code", &code)]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text());
    let recovery = done
        .text()
        .split("<li><code>")
        .skip(1)
        .map(|s| s[..s.find('<').unwrap()].to_string())
        .collect();
    (secret, recovery)
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
        // The default configuration is the safe one: a second factor is required.
        let config = WebConfig::default();
        assert!(config.require_two_factor);
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
        // A wrong confirmation code is refused; the right one switches TOTP on.
        let page = c.get("/account/tweestap").await;
        c.csrf = csrf_of_page(&page.text());
        let started = c.post_form("/account/tweestap/nieuw", &[]).await;
        let secret = between(&started.text(), "<code class=\"secret\">", "<").to_string();
        let wrong = c.post_form("/account/tweestap", &[("code", "000000")]).await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        let code = totp_for(&secret, "poh-a").generate_current().unwrap();
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
        // Wrong codes lock the account (the replayed code and the used recovery code counted).
        let mut last = String::new();
        for _ in 0..4 {
            let r = c3.post_form("/inloggen/code", &[("code", "123456")]).await;
            last = r.text();
            if last.contains("geblokkeerd") {
                break;
            }
        }
        assert!(last.contains("geblokkeerd"), "{last}");
        // The password step does not say so (that would tell strangers); the code step does.
        let (mut c4, next) = password_step(&app, "poh-a").await;
        assert_eq!(next, "/inloggen/code");
        c4.csrf = csrf_of_page(&c4.get("/inloggen/code").await.text());
        let now_code = totp_for(&secret, "poh-a").generate(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs()
                + 30,
        );
        let locked = c4.post_form("/inloggen/code", &[("code", &now_code)]).await;
        assert_eq!(locked.status, StatusCode::UNAUTHORIZED);
        assert!(locked.text().contains("geblokkeerd"));

        // The administrator (who must use a second factor too) resets the second factor (a
        // lost phone); the lock ends with it, the reset is audited, and the next sign-in
        // asks to enrol again.
        let hash = kernteam_web::hash_password(PASSWORD.to_string()).await.unwrap();
        kernteam_store::audited!(t.db, testing::entry(), |ch| ch.create_user(
            &kernteam_store::people::NewUser {
                username: "beheer".into(),
                display_name: "Beheer".into(),
                role: kernteam_domain::access::Role::Beheerder,
                practice_id: None,
                organisation_id: None,
                password_hash: hash,
                is_admin: true,
            }
        ))
        .unwrap();
        let (mut admin, next) = password_step(&app, "beheer").await;
        assert_eq!(next, "/account/tweestap", "a beheerder needs a second factor");
        assert_eq!(admin.get("/beheer").await.status, StatusCode::SEE_OTHER);
        enrol(&mut admin, "beheer").await;
        admin.csrf = csrf_of_page(&admin.get("/beheer").await.text());
        let reset = admin
            .post_form(&format!("/beheer/gebruikers/{}/tweestap-herstellen", world.poh_a), &[])
            .await;
        assert_eq!(reset.status, StatusCode::SEE_OTHER, "{}", reset.text());
        assert!(!t.db.totp_state(world.poh_a).await.unwrap().enabled);
        let audited: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE username = 'beheer' AND action = 'tweestapsverificatie hersteld'",
        )
        .fetch_one(t.db.pool())
        .await
        .unwrap();
        assert_eq!(audited, 1);
        let (_, next) = password_step(&app, "poh-a").await;
        assert_eq!(next, "/account/tweestap");
        drop(world);
        t.finish().await;
    }
}

/// Finding 2: opening the enrolment page changed the second factor; re-enrolment needs the
/// current code.
#[tokio::test]
async fn viewing_the_enrolment_page_changes_nothing_and_a_new_app_needs_the_current_code() {
    for t in testing::all().await {
        let world = common::seed(&t.db).await;
        let app = kernteam_web::router(AppState::new(t.db.clone(), WebConfig::default()));
        let (mut c, _) = password_step(&app, "poh-a").await;
        let (secret, _) = enrol(&mut c, "poh-a").await;
        let before = t.db.totp_state(world.poh_a).await.unwrap();
        let page = c.get("/account/tweestap").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.text().contains("class=\"secret\""), "no new secret on a GET");
        assert_eq!(
            t.db.totp_state(world.poh_a).await.unwrap(),
            before,
            "a GET changes nothing"
        );
        let (_, next) = password_step(&app, "poh-a").await;
        assert_eq!(next, "/inloggen/code", "the password alone still does not open");

        // Starting again without the right current code: refused, nothing pending.
        c.csrf = csrf_of_page(&page.text());
        let refused = c.post_form("/account/tweestap/nieuw", &[("code", "000000")]).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
        assert!(!refused.text().contains("class=\"secret\""));
        assert_eq!(t.db.totp_state(world.poh_a).await.unwrap().pending, None);
        let confirm = c.post_form("/account/tweestap", &[("code", "000000")]).await;
        assert_eq!(confirm.status, StatusCode::UNPROCESSABLE_ENTITY);
        // With the current code: a new secret, confirmed by a code from the new app. The old
        // secret stays in force until then.
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let current = totp_for(&secret, "poh-a").generate(secs + 30);
        let started = c.post_form("/account/tweestap/nieuw", &[("code", &current)]).await;
        assert_eq!(started.status, StatusCode::OK, "{}", started.text());
        let new_secret = between(&started.text(), "<code class=\"secret\">", "<").to_string();
        assert_ne!(new_secret, secret);
        let mid = t.db.totp_state(world.poh_a).await.unwrap();
        assert_eq!((mid.enabled, mid.secret.as_deref()), (true, Some(secret.as_str())));
        // The pending secret is not shown again on a GET or after a wrong code.
        assert!(!c.get("/account/tweestap").await.text().contains(&new_secret));
        let wrong = c.post_form("/account/tweestap", &[("code", "000000")]).await;
        assert!(!wrong.text().contains(&new_secret));
        let code = totp_for(&new_secret, "poh-a").generate_current().unwrap();
        let done = c.post_form("/account/tweestap", &[("code", &code)]).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.text());
        let after = t.db.totp_state(world.poh_a).await.unwrap();
        assert_eq!(
            (after.enabled, after.secret.as_deref()),
            (true, Some(new_secret.as_str()))
        );
        drop(world);
        t.finish().await;
    }
}

/// Finding 3: a correct password reset the wrong-code count, and the code step did not
/// check the lock.
#[tokio::test]
async fn the_code_limit_survives_a_correct_password_and_a_locked_account_cannot_finish() {
    for t in testing::all().await {
        let world = common::seed(&t.db).await;
        let app = kernteam_web::router(AppState::new(t.db.clone(), WebConfig::default()));
        let (mut c, _) = password_step(&app, "poh-a").await;
        let (secret, _) = enrol(&mut c, "poh-a").await;
        for _ in 0..4 {
            let (mut s, _) = password_step(&app, "poh-a").await;
            s.csrf = csrf_of_page(&s.get("/inloggen/code").await.text());
            let r = s.post_form("/inloggen/code", &[("code", "123456")]).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        }
        assert_eq!(t.db.totp_state(world.poh_a).await.unwrap().failed_codes, 4);
        // A correct password does not reset the count: the fifth wrong code locks.
        let (mut s, _) = password_step(&app, "poh-a").await;
        s.csrf = csrf_of_page(&s.get("/inloggen/code").await.text());
        let fifth = s.post_form("/inloggen/code", &[("code", "123456")]).await;
        assert!(fifth.text().contains("geblokkeerd"), "{}", fifth.text());
        assert!(t.db.totp_state(world.poh_a).await.unwrap().locked_until.is_some());

        // A half-signed-in session does not finish while the account is locked, even with
        // the right code.
        sqlx::query("UPDATE users SET locked_until = NULL, failed_codes = 0 WHERE id = $1")
            .bind(world.poh_a)
            .execute(t.db.pool())
            .await
            .unwrap();
        let (mut half, _) = password_step(&app, "poh-a").await;
        half.csrf = csrf_of_page(&half.get("/inloggen/code").await.text());
        sqlx::query("UPDATE users SET locked_until = '2999-01-01T00:00:00Z' WHERE id = $1")
            .bind(world.poh_a)
            .execute(t.db.pool())
            .await
            .unwrap();
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let right = totp_for(&secret, "poh-a").generate(secs + 30);
        let r = half.post_form("/inloggen/code", &[("code", &right)]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_ne!(half.get("/patienten").await.status, StatusCode::OK);
        drop(world);
        t.finish().await;
    }
}
