//! The region administrator's pages (`/beheer`): organisations and accounts, and CSRF on
//! every change, driven through the real router in-process, on SQLite and PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::accounts::{add_user, audit_of, import_example, page_csrf, router_for, sign_in_with};
use common::{post_sign_in, Client, PASSWORD};
use kernteam_domain::access::{OrganisationKind, Role};
use kernteam_store::testing;

#[tokio::test]
async fn the_administrator_manages_organisations_and_accounts() {
    for t in testing::all().await {
        let db = &t.db;
        let app = router_for(db);
        let practice_id = import_example(db).await;
        let admin_id = add_user(db, "beheer", "Bea Beheer", Role::Beheerder, None).await;
        let admin = Client::sign_in(&app, "beheer").await;

        let page = admin.get("/beheer").await;
        assert_eq!(page.status, StatusCode::OK);
        let text = page.text();
        for expected in [
            "href=\"/beheer\"",
            "href=\"/regio\"",
            "09000001",
            "Voorbeeldpraktijk Jekerdal",
            "04-07-2027",
            "131",
            "Bea Beheer",
            "Beheerder",
            "Actief",
        ] {
            assert!(
                text.contains(expected),
                "{expected} missing on /beheer ({:?})",
                t.backend()
            );
        }
        let csrf = page_csrf(&admin, "/beheer").await;

        // A network organisation; the same one again is a conflict, said in Dutch.
        let org = [
            ("csrf", csrf.as_str()),
            ("kind", "wijkverpleging"),
            ("name", "Thuiszorg Heuvelland"),
        ];
        let r = admin.post_form_raw("/beheer/organisaties", &org).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert_eq!(r.location(), Some("/beheer?melding=organisatie"));
        let again = admin.post_form_raw("/beheer/organisaties", &org).await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert!(
            again.text().contains("Er bestaat al een organisatie"),
            "{}",
            again.text()
        );
        let r = admin
            .post_form_raw(
                "/beheer/organisaties",
                &[("csrf", csrf.as_str()), ("kind", "bakkerij"), ("name", " ")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("Kies de soort organisatie."));
        assert!(r.text().contains("Vul de naam van de organisatie in."));
        let orgs = db.organisations().await.unwrap();
        assert_eq!(orgs.len(), 1);
        assert_eq!(orgs[0].kind, OrganisationKind::Wijkverpleging);
        let org_id = orgs[0].id.to_string();
        let text = admin.get("/beheer?melding=organisatie").await.text();
        assert!(text.contains("De organisatie is toegevoegd."));
        assert!(text.contains("Thuiszorg Heuvelland"));

        // A network professional with an organisation.
        let users_before = db.users().await.unwrap().len();
        let user = |role: &'static str, practice: &str, organisation: &str, password: &'static str| {
            vec![
                ("csrf", csrf.clone()),
                ("username", "wvk.willems".to_string()),
                ("display_name", "Wim Willems".to_string()),
                ("role", role.to_string()),
                ("practice", practice.to_string()),
                ("organisation", organisation.to_string()),
                ("password", password.to_string()),
            ]
        };
        let post_user = |pairs: Vec<(&'static str, String)>| {
            let admin = &admin;
            async move {
                let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
                admin.post_form_raw("/beheer/gebruikers", &pairs).await
            }
        };
        // The role, practice and organisation must fit together.
        for (pairs, message) in [
            (
                user("wijkverpleegkundige", "", "", PASSWORD),
                "Netwerkprofessionals horen bij een organisatie",
            ),
            (
                user("huisarts", "", &org_id, PASSWORD),
                "Praktijkmedewerkers horen bij een praktijk",
            ),
            (
                user("huisarts", "", &org_id, PASSWORD),
                "Een organisatie kiest u alleen bij netwerkprofessionals",
            ),
            (
                user("programmamanager", &practice_id.to_string(), "", PASSWORD),
                "Een praktijk kiest u alleen bij praktijkmedewerkers",
            ),
            (
                user("wijkverpleegkundige", "", "999999", PASSWORD),
                "Kies een organisatie uit de lijst.",
            ),
            (
                user("wijkverpleegkundige", "", &org_id, "te kort"),
                "minstens 12 tekens",
            ),
            (user("", "", &org_id, PASSWORD), "Kies een rol."),
        ] {
            let r = post_user(pairs).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
            let text = r.text();
            assert!(text.contains(message), "{message}: {text}");
            // What was typed comes back, the password never does.
            assert!(text.contains("value=\"wvk.willems\""), "{message}");
            assert!(!text.contains(PASSWORD), "{message}");
        }
        assert_eq!(db.users().await.unwrap().len(), users_before);
        let r = post_user(user("wijkverpleegkundige", "", &org_id, PASSWORD)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert_eq!(r.location(), Some("/beheer?melding=gebruiker"));
        let again = post_user(user("wijkverpleegkundige", "", &org_id, PASSWORD)).await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert!(again.text().contains("al in gebruik"));
        let users = db.users().await.unwrap();
        assert_eq!(users.len(), users_before + 1);
        let wvk = users.iter().find(|u| u.username == "wvk.willems").unwrap().clone();
        assert_eq!(wvk.role, Role::Wijkverpleegkundige);
        assert_eq!(wvk.organisation_id, Some(orgs[0].id));
        assert_eq!(wvk.practice_id, None);
        assert!(wvk.active && !wvk.is_admin);
        let text = admin.get("/beheer?melding=gebruiker").await.text();
        assert!(text.contains("Het account is aangemaakt."));
        assert!(text.contains("Wim Willems"));
        assert!(text.contains("wvk.willems"));
        assert!(text.contains("Wijkverpleegkundige"));

        // Practice staff with a practice and administrator rights.
        let pairs = [
            ("csrf", csrf.as_str()),
            ("username", "poh.peters"),
            ("display_name", "Petra Peters"),
            ("role", "poh_o"),
            ("practice", &practice_id.to_string()),
            ("organisation", ""),
            ("is_admin", "1"),
            ("password", PASSWORD),
        ];
        let r = admin.post_form_raw("/beheer/gebruikers", &pairs).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let poh = db.credentials("poh.peters").await.unwrap().unwrap().user;
        assert_eq!(
            (poh.role, poh.practice_id, poh.is_admin),
            (Role::PohO, Some(practice_id), true)
        );

        // The new account signs in; blocking ends its session and stops sign-in.
        let network = Client::sign_in(&app, "wvk.willems").await;
        assert_eq!(network.get("/patienten").await.status, StatusCode::OK);
        let path = format!("/beheer/gebruikers/{}/blokkeren", wvk.id);
        let r = admin.post_form_raw(&path, &[("csrf", csrf.as_str())]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location(), Some("/beheer?melding=geblokkeerd"));
        assert!(!db.user(wvk.id).await.unwrap().active);
        let r = network.get("/patienten").await;
        assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, Some("/inloggen")));
        assert_eq!(
            post_sign_in(&network.app, "wvk.willems", PASSWORD).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert!(admin.get("/beheer").await.text().contains("Geblokkeerd"));
        let path = format!("/beheer/gebruikers/{}/deblokkeren", wvk.id);
        let r = admin.post_form_raw(&path, &[("csrf", csrf.as_str())]).await;
        assert_eq!(r.location(), Some("/beheer?melding=gedeblokkeerd"));
        assert!(db.user(wvk.id).await.unwrap().active);

        // A new password replaces the old one; a short one is refused.
        let path = format!("/beheer/gebruikers/{}/wachtwoord", wvk.id);
        let r = admin
            .post_form_raw(&path, &[("csrf", csrf.as_str()), ("password", "kort")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("Nieuw wachtwoord voor Wim Willems"));
        let new_password = "een heel ander lang wachtwoord";
        let r = admin
            .post_form_raw(&path, &[("csrf", csrf.as_str()), ("password", new_password)])
            .await;
        assert_eq!(r.location(), Some("/beheer?melding=wachtwoord"));
        let fresh = Client::anonymous(&app);
        assert_eq!(
            post_sign_in(&fresh.app, "wvk.willems", PASSWORD).await.status,
            StatusCode::UNAUTHORIZED
        );
        sign_in_with(&app, "wvk.willems", new_password).await;

        // An administrator cannot block themselves; unknown accounts are 404.
        let path = format!("/beheer/gebruikers/{admin_id}/blokkeren");
        let r = admin.post_form_raw(&path, &[("csrf", csrf.as_str())]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("U kunt uw eigen account niet blokkeren"));
        assert!(db.user(admin_id).await.unwrap().active);
        assert_eq!(admin.get("/beheer").await.status, StatusCode::OK);
        let r = admin
            .post_form_raw("/beheer/gebruikers/999999/blokkeren", &[("csrf", csrf.as_str())])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let path = format!("/beheer/gebruikers/{}/tweestap-herstellen", wvk.id);
        let r = admin.post_form_raw(&path, &[("csrf", csrf.as_str())]).await;
        assert_eq!(r.location(), Some("/beheer?melding=tweestap"));

        // Every change is in the audit log, in the administrator's name.
        let expected = [
            ("organisatie toegevoegd", "Thuiszorg Heuvelland (Wijkverpleging)"),
            ("account aangemaakt", "wvk.willems (Wijkverpleegkundige)"),
            ("account aangemaakt", "poh.peters (POH-ouderenzorg)"),
            ("account geblokkeerd", "wvk.willems"),
            ("account gedeblokkeerd", "wvk.willems"),
            ("wachtwoord opnieuw ingesteld", "wvk.willems"),
            ("tweestapsverificatie hersteld", "wvk.willems"),
        ];
        let expected: Vec<(String, String)> = expected.iter().map(|(a, d)| (a.to_string(), d.to_string())).collect();
        // Sign-in and page views are audited too; these are the changes.
        let changes: Vec<(String, String)> = audit_of(db, admin_id)
            .await
            .into_iter()
            .filter(|(action, _)| expected.iter().any(|(a, _)| a == action))
            .collect();
        assert_eq!(changes, expected);
        t.finish().await;
    }
}

#[tokio::test]
async fn a_post_without_the_csrf_token_changes_nothing() {
    for t in testing::all().await {
        let db = &t.db;
        let app = router_for(db);
        let practice_id = import_example(db).await;
        add_user(db, "beheer", "Bea Beheer", Role::Beheerder, None).await;
        let poh_id = add_user(db, "poh", "Paula Poh", Role::PohO, Some(practice_id)).await;
        let admin = Client::sign_in(&app, "beheer").await;
        let users_before = db.users().await.unwrap();
        let blocked = format!("/beheer/gebruikers/{poh_id}/blokkeren");
        let password = format!("/beheer/gebruikers/{poh_id}/wachtwoord");
        for token in [None, Some("0000")] {
            let with = |pairs: &[(&'static str, &'static str)]| {
                let mut v: Vec<(&str, &str)> = pairs.to_vec();
                if let Some(t) = token {
                    v.push(("csrf", t));
                }
                v
            };
            let attempts = [
                (
                    "/beheer/organisaties",
                    with(&[("kind", "apotheek"), ("name", "Apotheek Jeker")]),
                ),
                (
                    "/beheer/gebruikers",
                    with(&[
                        ("username", "sneaky"),
                        ("display_name", "Sneaky"),
                        ("role", "beheerder"),
                        ("password", "een lang maar kwaadaardig wachtwoord"),
                    ]),
                ),
                (blocked.as_str(), with(&[])),
                (
                    password.as_str(),
                    with(&[("password", "een lang maar kwaadaardig wachtwoord")]),
                ),
            ];
            for (path, pairs) in attempts {
                let r = admin.post_form_raw(path, &pairs).await;
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{path} with {token:?}");
                assert!(r.text().contains("beveiligingscode"));
            }
        }
        assert!(db.organisations().await.unwrap().is_empty());
        assert_eq!(db.users().await.unwrap(), users_before);
        Client::sign_in(&app, "poh").await;
        t.finish().await;
    }
}
