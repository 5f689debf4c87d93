//! The region figures (`/regio`) and who may see them and the administrator's pages,
//! driven through the real router in-process, on SQLite and PostgreSQL.

mod common;

use axum::http::{header, StatusCode};
use common::accounts::{add_user, audit_of, import_example, page_csrf, router_for};
use common::{Client, Resp};
use kernteam_domain::access::Role;
use kernteam_store::testing;

/// The value of a response header; empty when absent.
fn header_of(r: &Resp, name: header::HeaderName) -> &str {
    r.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
}

#[tokio::test]
async fn only_regional_staff_see_the_region_and_only_the_administrator_manages() {
    for t in testing::all().await {
        let db = &t.db;
        let app = router_for(db);
        let practice_id = import_example(db).await;
        add_user(db, "poh", "Paula Poh", Role::PohO, Some(practice_id)).await;
        add_user(db, "pm", "Mark Manager", Role::Programmamanager, None).await;
        add_user(db, "kader", "Karin Kader", Role::Kaderarts, None).await;

        let anonymous = Client::anonymous(&app);
        for path in ["/beheer", "/regio", "/regio/rapport.csv"] {
            let r = anonymous.get(path).await;
            assert_eq!(
                (r.status, r.location()),
                (StatusCode::SEE_OTHER, Some("/inloggen")),
                "{path}"
            );
        }

        let poh = Client::sign_in(&app, "poh").await;
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
        let csrf = page_csrf(&poh, "/patienten").await;
        let r = poh
            .post_form_raw(
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
            let regional = Client::sign_in(&app, username).await;
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
        let app = router_for(db);
        import_example(db).await;
        add_user(db, "pm", "Mark Manager", Role::Programmamanager, None).await;
        let pm = Client::sign_in(&app, "pm").await;

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
        assert!(header_of(&csv, header::CONTENT_TYPE).starts_with("text/csv"));
        assert_eq!(
            header_of(&csv, header::CONTENT_DISPOSITION),
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
            header_of(&xlsx, header::CONTENT_DISPOSITION),
            "attachment; filename=\"halfjaarcijfers-2027-H1.xlsx\""
        );
        assert!(header_of(&xlsx, header::CONTENT_TYPE).contains("spreadsheetml"));
        assert!(xlsx.body.starts_with(b"PK"), "an xlsx file is a zip");
        t.finish().await;
    }
}
