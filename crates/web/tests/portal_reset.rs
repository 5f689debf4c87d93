//! A lost phone, through the real router on SQLite and PostgreSQL: from the patient's
//! Portaal tab the practice resets a portal account's second factor (the account closes at
//! once and a new letter re-opens the same account with a new password and a new app), and
//! blocks and unblocks it; only the practice's clinicians, only their own patients' accounts,
//! CSRF-protected, audited.

mod common;

use axum::http::StatusCode;
use common::portal::{activate, between, invitation, post_activation};
use common::{audit_rows, Client};
use kernteam_store::testing;

#[tokio::test(flavor = "multi_thread")]
async fn the_practice_resets_blocks_and_unblocks_a_portal_account() {
    for t in testing::all().await {
        let w = common::seed(&t.db).await;
        let poh = Client::sign_in(&w.app, "poh-b").await;
        let patient = activate(&w.app, &invitation(&t.db, w.b1, None, w.poh_b).await, "cornelia").await;
        let account = t.db.credentials("cornelia").await.unwrap().unwrap().user.id;
        let base = format!("/patienten/{}/portaal/accounts/{account}", w.b1);
        let tab = poh.get(&format!("/patienten/{}/portaal", w.b1)).await.text();
        assert!(
            tab.contains("Telefoon kwijt: nieuwe brief") && tab.contains("Blokkeren"),
            "{tab}"
        );

        // Without the session's CSRF token nothing happens.
        let forged = poh.post_form_raw(&format!("{base}/tweestap-herstellen"), &[]).await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        assert_eq!(patient.get("/portaal").await.status, StatusCode::OK);

        // Others may not: another practice's POH-O (404), a network professional (403/404),
        // and an account of another patient through this patient (404).
        let other = Client::sign_in(&w.app, "poh-a").await;
        assert_eq!(
            other
                .post_form(&format!("{base}/tweestap-herstellen"), &[])
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let wvk = Client::sign_in(&w.app, "wvk-team").await;
        let by_network = wvk.post_form(&format!("{base}/blokkeren"), &[]).await.status;
        assert!(
            matches!(by_network, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
            "{by_network}"
        );
        let a1_account = {
            activate(&w.app, &invitation(&t.db, w.a1, None, w.poh_a).await, "anna-a1").await;
            t.db.credentials("anna-a1").await.unwrap().unwrap().user.id
        };
        let crossed = poh
            .post_form(
                &format!("/patienten/{}/portaal/accounts/{a1_account}/blokkeren", w.b1),
                &[],
            )
            .await;
        assert_eq!(crossed.status, StatusCode::NOT_FOUND);
        assert!(t.db.user(a1_account).await.unwrap().active);

        // Block: signed out at once, cannot sign in; unblock: can again.
        let blocked = poh.post_form(&format!("{base}/blokkeren"), &[]).await;
        assert_eq!(
            blocked.location(),
            Some(&*format!("/patienten/{}/portaal?melding=geblokkeerd", w.b1))
        );
        assert_eq!(patient.get("/portaal").await.location(), Some("/inloggen"));
        let refused = common::post_sign_in(&w.app, "cornelia", common::PASSWORD).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
        assert!(poh
            .get(&format!("/patienten/{}/portaal", w.b1))
            .await
            .text()
            .contains("Geblokkeerd"));
        let unblocked = poh.post_form(&format!("{base}/deblokkeren"), &[]).await;
        assert_eq!(unblocked.status, StatusCode::SEE_OTHER, "{}", unblocked.text());
        let back = common::post_sign_in(&w.app, "cornelia", common::PASSWORD).await;
        assert_eq!(back.location(), Some("/inloggen/code"), "password, then the app's code");

        // Reset: the account closes, the old password and app open nothing, the letter does.
        let patient = activate_again(&w, "cornelia").await;
        let letter = poh.post_form(&format!("{base}/tweestap-herstellen"), &[]).await;
        assert_eq!(letter.status, StatusCode::OK, "{}", letter.text());
        assert!(letter.text().contains("Uw nieuwe code"));
        let code = between(&letter.text(), "<p class=\"code\">", "<").to_string();
        assert_eq!(
            patient.get("/portaal").await.location(),
            Some("/inloggen"),
            "signed out"
        );
        let old_password = common::post_sign_in(&w.app, "cornelia", common::PASSWORD).await;
        assert_eq!(
            old_password.status,
            StatusCode::UNAUTHORIZED,
            "no sign-in until the letter"
        );
        assert!(!t.db.totp_state(account).await.unwrap().enabled, "the old app is gone");
        let tab = poh.get(&format!("/patienten/{}/portaal", w.b1)).await.text();
        assert!(tab.contains("Op slot tot de nieuwe brief gebruikt is") && tab.contains("nieuwe brief na herstel"));
        let unblock = poh.post_form(&format!("{base}/deblokkeren"), &[]).await;
        assert_eq!(unblock.status, StatusCode::CONFLICT, "only the letter opens it");
        // A second reset replaces the first letter.
        let newer = poh.post_form(&format!("{base}/tweestap-herstellen"), &[]).await;
        let newer_code = between(&newer.text(), "<p class=\"code\">", "<").to_string();
        let stale = post_activation(&w.app, &code, "cornelia-nieuw").await;
        assert_eq!(
            stale.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "the older letter no longer works"
        );
        let renewed = activate(&w.app, &newer_code, "cornelia-nieuw").await;
        assert_eq!(renewed.get("/portaal").await.status, StatusCode::OK);
        assert_eq!(
            t.db.credentials("cornelia-nieuw").await.unwrap().unwrap().user.id,
            account,
            "the same account, re-opened"
        );
        assert_eq!(t.db.portal_accounts(w.b1).await.unwrap().len(), 1);
        assert!(t.db.totp_state(account).await.unwrap().enabled, "a new app");

        // Audited: by the POH-O on the patient's trail, and the re-opening by the account.
        let rows = audit_rows(&t.db, w.poh_b).await;
        for action in [
            "portaal: account geblokkeerd",
            "portaal: account gedeblokkeerd",
            "portaal: tweede stap hersteld, nieuwe brief gemaakt",
        ] {
            assert!(rows.iter().any(|(p, a)| *p == Some(w.b1) && a == action), "{action}");
        }
        assert!(audit_rows(&t.db, account)
            .await
            .iter()
            .any(|(p, a)| *p == Some(w.b1) && a == "portaal: account heropend met nieuwe brief"));
    }
}

/// Signs the account in again with password and app (after an unblock): a client.
async fn activate_again(w: &common::World, username: &str) -> Client {
    let resp = common::post_sign_in(&w.app, username, common::PASSWORD).await;
    let cookie = resp
        .headers
        .get(axum::http::header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let mut c = Client {
        app: w.app.clone(),
        cookie,
        csrf: String::new(),
    };
    let page = c.get("/inloggen/code").await;
    c.csrf = common::csrf_of_page(&page.text());
    // The account's secret, to make the current code (as the phone would).
    let id = w.db.credentials(username).await.unwrap().unwrap().user.id;
    let secret = w.db.totp_state(id).await.unwrap().secret.unwrap();
    // A code of the next step: the previous one was used at activation.
    let totp = common::portal::totp_for(&secret, username);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let done = c
        .post_form("/inloggen/code", &[("code", &totp.generate(now + 30))])
        .await;
    assert_eq!(done.location(), Some("/"), "{}", done.text());
    c
}
