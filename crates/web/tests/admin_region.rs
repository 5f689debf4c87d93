//! The region administrator's pages (`/beheer`) and the region figures (`/regio`), driven
//! through the real router in-process, on SQLite and PostgreSQL.

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use chrono::NaiveDate;
use http_body_util::BodyExt;
use kernteam_domain::access::{OrganisationKind, Role};
use kernteam_import::{import_extract, ImportOptions};
use kernteam_store::people::NewUser;
use kernteam_store::{testing, Db};
use kernteam_web::{AppState, WebConfig};
use tower::ServiceExt;

/// A user's audit records, oldest first: action and detail.
async fn audit_of(db: &Db, user_id: i64) -> Vec<(String, String)> {
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

const PASSWORD: &str = "een lange zin als wachtwoord";
const FORM: &str = "application/x-www-form-urlencoded";

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/spec/example/extract-09000001-2027-07-04")
}

/// Imports the example extract (practice 09000001) and returns the practice's id.
async fn import_example(db: &Db) -> i64 {
    let opts = ImportOptions {
        today: NaiveDate::from_ymd_opt(2027, 8, 1).unwrap(),
        progress: false,
    };
    let outcome = import_extract(db, &example(), &opts).await.unwrap();
    outcome.summary.practice_id
}

async fn add_user(db: &Db, username: &str, name: &str, role: Role, practice_id: Option<i64>) -> i64 {
    kernteam_store::audited!(db, testing::entry(), |ch| ch.create_user(&NewUser {
        username: username.into(),
        display_name: name.into(),
        role,
        practice_id,
        organisation_id: None,
        password_hash: kernteam_web::hash_password(PASSWORD.into()).await.unwrap(),
        is_admin: false,
    }))
    .unwrap()
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    fn header(&self, name: header::HeaderName) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }
}

async fn send(app: &Router, req: Request<Body>) -> Reply {
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp.into_body().collect().await.unwrap().to_bytes().to_vec();
    Reply { status, headers, body }
}

fn form(pairs: &[(&str, &str)]) -> Body {
    Body::from(serde_urlencoded::to_string(pairs).unwrap())
}

/// A browser: the router and, once signed in, the session cookie.
struct Browser {
    app: Router,
    cookie: String,
}

impl Browser {
    fn new(db: &Db) -> Self {
        let state = AppState::new(db.clone(), WebConfig::demo());
        Browser {
            app: kernteam_web::router(state),
            cookie: String::new(),
        }
    }

    /// Signs in through the form and keeps the session cookie.
    async fn sign_in(db: &Db, username: &str, password: &str) -> Self {
        let mut b = Browser::new(db);
        let r = b.try_sign_in(username, password).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "sign-in of {username}: {}", r.text());
        let set_cookie = r.header(header::SET_COOKIE);
        let pair = set_cookie.split(';').next().unwrap();
        assert!(pair.starts_with("kernteam_session="), "{set_cookie}");
        b.cookie = pair.to_string();
        b
    }

    async fn try_sign_in(&self, username: &str, password: &str) -> Reply {
        // The sign-in form's token and cookie first, as a browser gets them.
        let page = send(&self.app, Request::get("/inloggen").body(Body::empty()).unwrap()).await;
        let cookie = page.header(header::SET_COOKIE).split(';').next().unwrap().to_string();
        let text = page.text();
        let marker = "name=\"csrf\" value=\"";
        let start = text.find(marker).unwrap() + marker.len();
        let csrf = &text[start..start + text[start..].find('"').unwrap()];
        let req = Request::post("/inloggen")
            .header(header::CONTENT_TYPE, FORM)
            .header(header::COOKIE, cookie)
            .body(form(&[("username", username), ("password", password), ("csrf", csrf)]))
            .unwrap();
        send(&self.app, req).await
    }

    async fn get(&self, path: &str) -> Reply {
        let req = Request::get(path)
            .header(header::COOKIE, &self.cookie)
            .body(Body::empty())
            .unwrap();
        send(&self.app, req).await
    }

    async fn post(&self, path: &str, pairs: &[(&str, &str)]) -> Reply {
        let req = Request::post(path)
            .header(header::COOKIE, &self.cookie)
            .header(header::CONTENT_TYPE, FORM)
            .body(form(pairs))
            .unwrap();
        send(&self.app, req).await
    }

    /// The session's CSRF token, from the hidden `csrf` input of the page at `path`.
    async fn csrf(&self, path: &str) -> String {
        let page = self.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        let text = page.text();
        let marker = "name=\"csrf\" value=\"";
        let start = text.find(marker).expect("a form with the csrf field") + marker.len();
        let len = text[start..].find('"').unwrap();
        text[start..start + len].to_string()
    }
}

#[tokio::test]
async fn the_administrator_manages_organisations_and_accounts() {
    for t in testing::all().await {
        let db = &t.db;
        let practice_id = import_example(db).await;
        let admin_id = add_user(db, "beheer", "Bea Beheer", Role::Beheerder, None).await;
        let admin = Browser::sign_in(db, "beheer", PASSWORD).await;

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
        let csrf = admin.csrf("/beheer").await;

        // A network organisation; the same one again is a conflict, said in Dutch.
        let org = [
            ("csrf", csrf.as_str()),
            ("kind", "wijkverpleging"),
            ("name", "Thuiszorg Heuvelland"),
        ];
        let r = admin.post("/beheer/organisaties", &org).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert_eq!(r.location(), "/beheer?melding=organisatie");
        let again = admin.post("/beheer/organisaties", &org).await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert!(
            again.text().contains("Er bestaat al een organisatie"),
            "{}",
            again.text()
        );
        let r = admin
            .post(
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
                admin.post("/beheer/gebruikers", &pairs).await
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
        assert_eq!(r.location(), "/beheer?melding=gebruiker");
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
        let r = admin.post("/beheer/gebruikers", &pairs).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let poh = db.credentials("poh.peters").await.unwrap().unwrap().user;
        assert_eq!(
            (poh.role, poh.practice_id, poh.is_admin),
            (Role::PohO, Some(practice_id), true)
        );

        // The new account signs in; blocking ends its session and stops sign-in.
        let network = Browser::sign_in(db, "wvk.willems", PASSWORD).await;
        assert_eq!(network.get("/patienten").await.status, StatusCode::OK);
        let path = format!("/beheer/gebruikers/{}/blokkeren", wvk.id);
        let r = admin.post(&path, &[("csrf", csrf.as_str())]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location(), "/beheer?melding=geblokkeerd");
        assert!(!db.user(wvk.id).await.unwrap().active);
        let r = network.get("/patienten").await;
        assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/inloggen"));
        assert_eq!(
            network.try_sign_in("wvk.willems", PASSWORD).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert!(admin.get("/beheer").await.text().contains("Geblokkeerd"));
        let path = format!("/beheer/gebruikers/{}/deblokkeren", wvk.id);
        let r = admin.post(&path, &[("csrf", csrf.as_str())]).await;
        assert_eq!(r.location(), "/beheer?melding=gedeblokkeerd");
        assert!(db.user(wvk.id).await.unwrap().active);

        // A new password replaces the old one; a short one is refused.
        let path = format!("/beheer/gebruikers/{}/wachtwoord", wvk.id);
        let r = admin
            .post(&path, &[("csrf", csrf.as_str()), ("password", "kort")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("Nieuw wachtwoord voor Wim Willems"));
        let new_password = "een heel ander lang wachtwoord";
        let r = admin
            .post(&path, &[("csrf", csrf.as_str()), ("password", new_password)])
            .await;
        assert_eq!(r.location(), "/beheer?melding=wachtwoord");
        let fresh = Browser::new(db);
        assert_eq!(
            fresh.try_sign_in("wvk.willems", PASSWORD).await.status,
            StatusCode::UNAUTHORIZED
        );
        Browser::sign_in(db, "wvk.willems", new_password).await;

        // An administrator cannot block themselves; unknown accounts are 404.
        let path = format!("/beheer/gebruikers/{admin_id}/blokkeren");
        let r = admin.post(&path, &[("csrf", csrf.as_str())]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("U kunt uw eigen account niet blokkeren"));
        assert!(db.user(admin_id).await.unwrap().active);
        assert_eq!(admin.get("/beheer").await.status, StatusCode::OK);
        let r = admin
            .post("/beheer/gebruikers/999999/blokkeren", &[("csrf", csrf.as_str())])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let path = format!("/beheer/gebruikers/{}/tweestap-herstellen", wvk.id);
        let r = admin.post(&path, &[("csrf", csrf.as_str())]).await;
        assert_eq!(r.location(), "/beheer?melding=tweestap");

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
async fn only_regional_staff_see_the_region_and_only_the_administrator_manages() {
    for t in testing::all().await {
        let db = &t.db;
        let practice_id = import_example(db).await;
        add_user(db, "poh", "Paula Poh", Role::PohO, Some(practice_id)).await;
        add_user(db, "pm", "Mark Manager", Role::Programmamanager, None).await;
        add_user(db, "kader", "Karin Kader", Role::Kaderarts, None).await;

        let anonymous = Browser::new(db);
        for path in ["/beheer", "/regio", "/regio/rapport.csv"] {
            let r = anonymous.get(path).await;
            assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/inloggen"), "{path}");
        }

        let poh = Browser::sign_in(db, "poh", PASSWORD).await;
        for path in [
            "/beheer",
            "/regio",
            "/regio?periode=2027-Q2",
            "/regio/rapport.csv?periode=2027-Q2",
            "/regio/rapport.xlsx?periode=2027-Q2",
        ] {
            assert_eq!(
                poh.get(path).await.status,
                StatusCode::FORBIDDEN,
                "{path} ({:?})",
                t.backend()
            );
        }
        let csrf = poh.csrf("/patienten").await;
        let r = poh
            .post(
                "/beheer/organisaties",
                &[
                    ("csrf", csrf.as_str()),
                    ("kind", "apotheek"),
                    ("name", "Apotheek Jeker"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(db.organisations().await.unwrap().is_empty());
        // The gate writes every refusal.
        let poh_id = db.credentials("poh").await.unwrap().unwrap().user.id;
        let refusals: Vec<String> = audit_of(db, poh_id)
            .await
            .into_iter()
            .filter(|(action, _)| action == "toegang geweigerd")
            .map(|(_, detail)| detail)
            .collect();
        assert_eq!(
            refusals,
            ["beheer", "regio", "regio", "regio", "regio", "beheer"],
            "{:?}",
            t.backend()
        );
        let menu = poh.get("/patienten").await.text();
        assert!(!menu.contains("href=\"/regio\"") && !menu.contains("href=\"/beheer\""));

        for username in ["pm", "kader"] {
            let regional = Browser::sign_in(db, username, PASSWORD).await;
            assert_eq!(
                regional.get("/beheer").await.status,
                StatusCode::FORBIDDEN,
                "{username}"
            );
            let r = regional.get("/regio").await;
            assert_eq!(r.status, StatusCode::OK, "{username}");
            assert!(r.text().contains("href=\"/regio\""));
            assert!(!r.text().contains("href=\"/beheer\""));
        }
        t.finish().await;
    }
}

#[tokio::test]
async fn regional_staff_see_practice_figures_and_download_them() {
    for t in testing::all().await {
        let db = &t.db;
        import_example(db).await;
        add_user(db, "pm", "Mark Manager", Role::Programmamanager, None).await;
        let pm = Browser::sign_in(db, "pm", PASSWORD).await;

        let r = pm.get("/regio?periode=2027-Q2").await;
        assert_eq!(r.status, StatusCode::OK);
        let text = r.text();
        for expected in [
            "2e kwartaal 2027",
            "Voorbeeldpraktijk Jekerdal",
            "AGB 09000001",
            "04-07-2027",
            "Ingeschreven",
            "<td class=\"num\">123</td>",
            "Totaal",
            "/regio/rapport.csv?periode=2027-Q2",
            "/regio/rapport.xlsx?periode=2027-Q2",
            "<option value=\"2027-Q2\" selected>",
        ] {
            assert!(text.contains(expected), "{expected} missing ({:?})", t.backend());
        }
        // Practice-level figures only: no names, no BSN of patients.
        for private in ["Jansen", "de Vries", "271134860", "/patienten/"] {
            assert!(!text.contains(private), "{private} on /regio");
        }
        // The extract of 2027-07-04 is on or after R: not stale.
        assert!(!text.contains("verouderd extract"));

        // For 2027-Q3 (R = 2027-09-30) only an older extract exists.
        let text = pm.get("/regio?periode=2027-Q3").await.text();
        assert!(text.contains("Let op:"));
        assert!(text.contains("verouderd extract"));

        let r = pm.get("/regio?periode=2027-H1").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.text().contains("1e halfjaar 2027"));
        assert!(r.text().contains("<td class=\"num\">123</td>"));
        assert_eq!(
            pm.get("/regio?periode=2027-Q9").await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(pm.get("/regio").await.status, StatusCode::OK);

        let csv = pm.get("/regio/rapport.csv?periode=2027-Q2").await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.header(header::CONTENT_TYPE).starts_with("text/csv"));
        assert_eq!(
            csv.header(header::CONTENT_DISPOSITION),
            "attachment; filename=\"kwartaalcijfers-2027-Q2.csv\""
        );
        let text = csv.text();
        let mut lines = text.lines();
        let columns: Vec<&str> = lines.next().unwrap().split(',').collect();
        let registered = columns.iter().position(|c| *c == "registered").unwrap();
        let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
        assert_eq!(rows.len(), 2, "{text}");
        assert_eq!(rows[0][0], "09000001");
        assert_eq!(rows[1][0], "TOTAL");
        assert_eq!(rows[0][registered], "123");
        assert_eq!(rows[1][registered], "123");

        let xlsx = pm.get("/regio/rapport.xlsx?periode=2027-H1").await;
        assert_eq!(xlsx.status, StatusCode::OK);
        assert_eq!(
            xlsx.header(header::CONTENT_DISPOSITION),
            "attachment; filename=\"halfjaarcijfers-2027-H1.xlsx\""
        );
        assert!(xlsx.header(header::CONTENT_TYPE).contains("spreadsheetml"));
        assert!(xlsx.body.starts_with(b"PK"), "an xlsx file is a zip");
        t.finish().await;
    }
}

#[tokio::test]
async fn a_post_without_the_csrf_token_changes_nothing() {
    for t in testing::all().await {
        let db = &t.db;
        let practice_id = import_example(db).await;
        add_user(db, "beheer", "Bea Beheer", Role::Beheerder, None).await;
        let poh_id = add_user(db, "poh", "Paula Poh", Role::PohO, Some(practice_id)).await;
        let admin = Browser::sign_in(db, "beheer", PASSWORD).await;
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
                let r = admin.post(path, &pairs).await;
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{path} with {token:?}");
                assert!(r.text().contains("beveiligingscode"));
            }
        }
        assert!(db.organisations().await.unwrap().is_empty());
        assert_eq!(db.users().await.unwrap(), users_before);
        Browser::sign_in(db, "poh", PASSWORD).await;
        t.finish().await;
    }
}
