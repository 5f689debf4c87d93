//! E-mail through a real SMTP listener (an in-process sink), on SQLite and PostgreSQL:
//! content-free notifications to professionals with an e-mail address (a message, being
//! added to a care team), nothing to those without; the portal's sign-in by a code sent by
//! e-mail, end to end (chosen at activation, then every sign-in), single use, rate-limited,
//! counted towards the lockout, audited without the code; without SMTP nothing changes.

mod common;

use axum::http::{header, StatusCode};
use common::portal::{between, post_activation};
use common::smtp::{Mail, Sink};
use common::{csrf_of_page, Client};
use kernteam_store::testing;
use kernteam_web::WebConfig;

fn with_mail(sink: &Sink) -> WebConfig {
    WebConfig {
        mailer: Some(sink.mailer()),
        ..WebConfig::demo()
    }
}

/// The six digits in an e-mail with a code.
fn code_in(mail: &Mail) -> String {
    let after = between(&mail.data, "Uw inlogcode voor Kernteam is: ", "\r\n");
    assert!(after.len() == 6 && after.bytes().all(|b| b.is_ascii_digit()), "{after}");
    after.to_string()
}

/// As if the codes so far were sent more than a minute ago (the resend limit).
async fn a_minute_later(db: &kernteam_store::Db) {
    kernteam_store::sqlx::query("UPDATE email_codes SET created_at = '2000-01-01T00:00:00Z'")
        .execute(db.pool())
        .await
        .unwrap();
}

/// Password given, second step to go: the client and where it was sent.
async fn half_signed_in(app: &axum::Router, username: &str) -> (Client, String) {
    let resp = common::post_sign_in(app, username, common::PASSWORD).await;
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
    let mut c = Client {
        app: app.clone(),
        cookie,
        csrf: String::new(),
    };
    let page = c.get("/inloggen/code").await;
    if page.status == StatusCode::OK {
        c.csrf = csrf_of_page(&page.text());
    }
    (c, resp.location().unwrap_or_default().to_string())
}

#[tokio::test(flavor = "multi_thread")]
async fn notifications_by_email_say_only_that_there_is_something_new() {
    for t in testing::all().await {
        let sink = Sink::start().await;
        let w = common::seed_with(&t.db, with_mail(&sink)).await;
        let poh = Client::sign_in(&w.app, "poh-a").await;
        let wvk = Client::sign_in(&w.app, "wvk-team").await;

        // The professional gives an address on their own account page.
        let bad = wvk.post_form("/account/email", &[("email", "geen adres")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let saved = wvk.post_form("/account/email", &[("email", "wies@example.nl")]).await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
        assert!(wvk.get("/account/email").await.text().contains("wies@example.nl"));

        // A message about a1: the care team's wijkverpleegkundige is told, content-free.
        let sent = poh
            .post_form(
                &format!("/patienten/{}/berichten", w.a1),
                &[
                    ("subject", "Valincident"),
                    ("body", "Mevrouw viel gisteren in de badkamer."),
                ],
            )
            .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text());
        let mails = sink.wait_for(1).await;
        assert_eq!(mails[0].to, ["wies@example.nl"]);
        let data = &mails[0].data;
        assert!(data.contains("Subject: Er is een nieuw bericht in Kernteam"), "{data}");
        assert!(
            data.contains("In deze e-mail staan geen gegevens over patiënten."),
            "{data}"
        );
        let (_, person) = t.db.current_person(&t.db.patient(w.a1).await.unwrap()).await.unwrap();
        let person = person.expect("a1 has a name");
        for secret in [
            "Valincident".to_string(),
            "badkamer".into(),
            person.name(),
            person.family_name.clone().unwrap_or_default(),
            "Petra Poh".into(),
            "/patienten/".into(),
            w.a1.to_string() + "/",
        ] {
            assert!(!secret.is_empty() && !data.contains(&secret), "{secret} in {data}");
        }

        // Added to a care team: told too, once they have an address; nobody else is mailed.
        kernteam_store::audited!(t.db, testing::entry(), |ch| ch
            .set_user_email(w.wvk_other, Some("wout@example.nl")))
        .unwrap();
        let added = poh
            .post_form(
                &format!("/patienten/{}/team", w.a1),
                &[("kind", "professional"), ("user_id", &w.wvk_other.to_string())],
            )
            .await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.text());
        let mails = sink.wait_for(2).await;
        assert_eq!(mails[1].to, ["wout@example.nl"]);
        assert!(mails[1].data.contains("Er is een nieuw bericht in Kernteam"));
        // A message to a team whose other members have no address: no e-mail to them.
        let second = poh
            .post_form(
                &format!("/patienten/{}/berichten", w.a2),
                &[("subject", "X"), ("body", "Y")],
            )
            .await;
        assert_eq!(second.status, StatusCode::SEE_OTHER);
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        assert_eq!(sink.mails().len(), 2, "{:?}", sink.mails());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_smtp_server_does_not_fail_the_request() {
    for t in testing::all().await {
        // Nothing listens there: the send fails in the background, the request does not.
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let mailer = kernteam_app::mail::Mailer::start(&format!("smtp://{closed}"), "kernteam@example.nl").unwrap();
        let w = common::seed_with(
            &t.db,
            WebConfig {
                mailer: Some(mailer),
                ..WebConfig::demo()
            },
        )
        .await;
        kernteam_store::audited!(t.db, testing::entry(), |ch| ch
            .set_user_email(w.wvk_team, Some("wies@example.nl")))
        .unwrap();
        let poh = Client::sign_in(&w.app, "poh-a").await;
        let sent = poh
            .post_form(
                &format!("/patienten/{}/berichten", w.a1),
                &[("subject", "A"), ("body", "B")],
            )
            .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text());
        let wvk = Client::sign_in(&w.app, "wvk-team").await;
        assert!(wvk.get("/meldingen").await.text().contains("Nieuw bericht van"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_portal_signs_in_with_a_code_sent_by_email() {
    for t in testing::all().await {
        let sink = Sink::start().await;
        let w = common::seed_with(&t.db, with_mail(&sink)).await;
        let poh = Client::sign_in(&w.app, "poh-b").await;
        let invite = format!("/patienten/{}/portaal/uitnodigen", w.b1);
        let bad = poh.post_form(&invite, &[("member", ""), ("email", "niet-goed")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text());
        let letter = poh
            .post_form(&invite, &[("member", ""), ("email", "cornelia@example.nl")])
            .await;
        assert_eq!(letter.status, StatusCode::OK, "{}", letter.text());
        assert!(letter.text().contains("Of kies voor een code per e-mail"));
        let code = between(&letter.text(), "<p class=\"code\">", "<").to_string();

        // Activation: password, then the choice of an e-mailed code instead of an app.
        let resp = post_activation(&w.app, &code, "cornelia").await;
        assert_eq!(resp.location(), Some("/account/tweestap"));
        let cookie = resp.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
        let mut c = Client {
            app: w.app.clone(),
            cookie: cookie.split(';').next().unwrap().to_string(),
            csrf: String::new(),
        };
        let page = c.get("/account/tweestap").await;
        assert!(page.text().contains("Code per e-mail gebruiken") && page.text().contains("c***@example.nl"));
        c.csrf = csrf_of_page(&page.text());
        let started = c.post_form("/account/tweestap/email", &[]).await;
        assert_eq!(started.status, StatusCode::OK, "{}", started.text());
        let first = code_in(&sink.wait_for(1).await[0]);
        assert_eq!(sink.mails()[0].to, ["cornelia@example.nl"]);
        let wrong = c
            .post_form("/account/tweestap/email/bevestigen", &[("code", "000000")])
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert!(
            wrong.text().contains("Vraag zo nodig een nieuwe code"),
            "{}",
            wrong.text()
        );
        assert_eq!(
            c.get("/portaal").await.location(),
            Some("/inloggen/code"),
            "still closed"
        );
        let done = c
            .post_form("/account/tweestap/email/bevestigen", &[("code", &first)])
            .await;
        assert_eq!(done.location(), Some("/"), "{}", done.text());
        assert_eq!(c.get("/portaal").await.status, StatusCode::OK);
        // An app cannot now be set up over it with the session alone.
        let over = c.post_form("/account/tweestap/nieuw", &[]).await;
        assert_eq!(over.location(), Some("/account/tweestap"));

        // Signing in again: the password, then a new code by e-mail.
        a_minute_later(&t.db).await;
        let (c2, next) = half_signed_in(&w.app, "cornelia").await;
        assert_eq!(next, "/inloggen/code");
        let mails = sink.wait_for(2).await;
        let second = code_in(&mails[1]);
        let page = c2.get("/inloggen/code").await;
        assert!(page.text().contains("Code uit de e-mail") && page.text().contains("c***@example.nl"));
        assert!(!page.text().contains("herstelcode"), "no app's recovery codes here");
        // Another code within the minute: refused, and the code of the letter is no code.
        let soon = c2.post_form("/inloggen/code/opnieuw", &[]).await;
        assert_eq!(soon.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(soon.text().contains("één keer per minuut"));
        assert_eq!(
            c2.post_form("/inloggen/code", &[("code", &first)]).await.status,
            StatusCode::UNAUTHORIZED,
            "an older code no longer works"
        );
        let ok = c2.post_form("/inloggen/code", &[("code", &second)]).await;
        assert_eq!(ok.location(), Some("/"), "{}", ok.text());
        assert_eq!(c2.get("/portaal").await.status, StatusCode::OK);

        // The code worked once; wrong codes lock the account after five.
        a_minute_later(&t.db).await;
        let (c3, _) = half_signed_in(&w.app, "cornelia").await;
        assert_eq!(
            c3.post_form("/inloggen/code", &[("code", &second)]).await.status,
            StatusCode::UNAUTHORIZED,
            "once"
        );
        let mut last = String::new();
        for _ in 0..4 {
            last = c3.post_form("/inloggen/code", &[("code", "123456")]).await.text();
        }
        assert!(last.contains("tijdelijk geblokkeerd"), "{last}");
        assert_eq!(
            c3.get("/portaal").await.location(),
            Some("/inloggen"),
            "the session ended"
        );

        // No patient data in any e-mail; the audit trail has the codes sent, never a code.
        let user: i64 = t.db.credentials("cornelia").await.unwrap().unwrap().user.id;
        let (_, person) = t.db.current_person(&t.db.patient(w.b1).await.unwrap()).await.unwrap();
        let name = person.unwrap().name();
        for m in sink.mails() {
            assert!(
                !m.data.contains(&name) && !m.data.contains("Blijven zingen"),
                "{}",
                m.data
            );
        }
        let details: Vec<(String, Option<String>)> =
            kernteam_store::sqlx::query_as("SELECT action, detail FROM audit_log WHERE user_id = $1 ORDER BY id")
                .bind(user)
                .fetch_all(t.db.pool())
                .await
                .unwrap();
        assert!(
            details
                .iter()
                .filter(|(a, _)| a == "inloggen: code per e-mail verstuurd")
                .count()
                >= 3
        );
        assert!(details
            .iter()
            .any(|(a, _)| a == "tweede stap: inloggen met code per e-mail ingesteld"));
        for (a, d) in &details {
            let text = format!("{a} {}", d.clone().unwrap_or_default());
            assert!(!text.contains(&first) && !text.contains(&second), "{text}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn without_smtp_the_portal_offers_no_email_code() {
    for t in testing::all().await {
        let w = common::seed(&t.db).await;
        let poh = Client::sign_in(&w.app, "poh-b").await;
        let letter = poh
            .post_form(
                &format!("/patienten/{}/portaal/uitnodigen", w.b1),
                &[("member", ""), ("email", "cornelia@example.nl")],
            )
            .await;
        assert!(!letter.text().contains("code per e-mail"));
        let code = between(&letter.text(), "<p class=\"code\">", "<").to_string();
        let resp = post_activation(&w.app, &code, "cornelia").await;
        let cookie = resp.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
        let mut c = Client {
            app: w.app.clone(),
            cookie: cookie.split(';').next().unwrap().to_string(),
            csrf: String::new(),
        };
        let page = c.get("/account/tweestap").await;
        assert!(!page.text().contains("Code per e-mail gebruiken"));
        c.csrf = csrf_of_page(&page.text());
        let tried = c.post_form("/account/tweestap/email", &[]).await;
        assert_eq!(tried.location(), Some("/account/tweestap"));
        assert!(!t
            .db
            .email_sign_in(t.db.credentials("cornelia").await.unwrap().unwrap().user.id)
            .await
            .unwrap());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn at_most_five_codes_an_hour() {
    for t in testing::all().await {
        let sink = Sink::start().await;
        let w = common::seed_with(&t.db, with_mail(&sink)).await;
        let poh = Client::sign_in(&w.app, "poh-b").await;
        let letter = poh
            .post_form(
                &format!("/patienten/{}/portaal/uitnodigen", w.b1),
                &[("member", ""), ("email", "cornelia@example.nl")],
            )
            .await;
        let code = between(&letter.text(), "<p class=\"code\">", "<").to_string();
        let resp = post_activation(&w.app, &code, "cornelia").await;
        let cookie = resp.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
        let mut c = Client {
            app: w.app.clone(),
            cookie: cookie.split(';').next().unwrap().to_string(),
            csrf: String::new(),
        };
        c.csrf = csrf_of_page(&c.get("/account/tweestap").await.text());
        // Five codes in the last hour (each more than a minute ago): the sixth is refused.
        for n in 1..=5 {
            let sent = c.post_form("/account/tweestap/email", &[]).await;
            assert_eq!(sent.status, StatusCode::OK, "code {n}: {}", sent.text());
            a_few_minutes_ago(&t.db).await;
        }
        sink.wait_for(5).await;
        let sixth = c.post_form("/account/tweestap/email", &[]).await;
        assert_eq!(sixth.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(sixth.text().contains("vijf codes"), "{}", sixth.text());
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert_eq!(sink.mails().len(), 5, "no sixth e-mail");
    }
}

/// As if the codes so far were sent five minutes ago (within the hour, past the minute).
async fn a_few_minutes_ago(db: &kernteam_store::Db) {
    let then = (chrono::Utc::now() - chrono::Duration::minutes(5))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    kernteam_store::sqlx::query("UPDATE email_codes SET created_at = $1")
        .bind(then)
        .execute(db.pool())
        .await
        .unwrap();
}
