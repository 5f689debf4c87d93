//! The dashboards (`/dashboard`) and the regional report through the real router, on
//! SQLite and PostgreSQL: a chart (an `<svg>` with a table) per figure, small numbers as
//! "< 5" for region staff and exact for the practice's own staff, network roles refused.

mod common;

use axum::http::StatusCode;
use common::accounts::{add_user, import_example, router_for};
use common::Client;
use kernteam_domain::access::Role;
use kernteam_domain::care::DecisionKind;
use kernteam_report::trends::{last_quarters, FIGURES};
use kernteam_store::care::NewDecision;
use kernteam_store::testing;

/// The page's text, with askama's `&#60;` written as `&lt;`.
fn page(r: &common::Resp) -> String {
    r.text().replace("&#60;", "&lt;")
}

/// The part of the page for one figure: from its `<figure>` to the next.
fn figure<'a>(html: &'a str, key: &str) -> &'a str {
    let id = format!("id=\"fig-{}\"", key.replace(['.', '_'], "-"));
    let start = html.find(&id).unwrap_or_else(|| panic!("no figure {key}"));
    let rest = &html[start..];
    &rest[..rest.find("</figure>").expect("figure ends")]
}

#[tokio::test]
async fn the_dashboard_draws_every_figure_and_suppresses_small_numbers_outside_the_practice() {
    for t in testing::all().await {
        let db = &t.db;
        let app = router_for(db);
        let practice_id = import_example(db).await;
        let poh = add_user(db, "poh", "Paula Poh", Role::PohO, Some(practice_id)).await;
        add_user(db, "pm", "Mark Manager", Role::Programmamanager, None).await;
        add_user(db, "wvk", "Wim Wijk", Role::Wijkverpleegkundige, None).await;

        // Two included patients throughout the eight quarters: below the threshold.
        let quarters = last_quarters(kernteam_app::today(), 8);
        let snapshot = db.latest_snapshot(practice_id).await.unwrap().unwrap();
        let registered: Vec<i64> = db
            .snapshot_people(snapshot.snapshot_id)
            .await
            .unwrap()
            .into_iter()
            .filter(|p| p.registration_start < quarters[0].start && p.registration_end.is_none())
            .map(|p| p.patient_id)
            .take(2)
            .collect();
        assert_eq!(registered.len(), 2, "the example has long-registered patients");
        for patient in &registered {
            kernteam_store::audited!(db, testing::entry(), |ch| ch.add_decision(
                *patient,
                &NewDecision {
                    kind: DecisionKind::Inclusion,
                    decided_on: quarters[0].start,
                    deciding_gp: Some("Dr. Jekerdal".into()),
                    reason: None,
                    considerations: None,
                },
                poh,
            ))
            .unwrap();
        }

        let pm = Client::sign_in(&app, "pm").await;
        let r = pm.get("/dashboard").await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", t.backend());
        let html = page(&r);
        assert_eq!(html.matches("<svg").count(), FIGURES.len(), "an svg per figure");
        assert_eq!(html.matches("role=\"img\"").count(), FIGURES.len());
        assert_eq!(html.matches("<table class=\"dash-table\">").count(), FIGURES.len());
        assert_eq!(html.matches("<caption>").count(), FIGURES.len());
        let included = figure(&html, "included");
        assert!(included.contains("<td class=\"num\">&lt; 5</td>"), "{included}");
        assert!(!included.contains("<td class=\"num\">2</td>"), "{included}");
        assert!(html.contains(&format!("href=\"/dashboard/praktijken/{practice_id}\"")));
        // The practice as the region sees it: suppressed too.
        let r = pm.get(&format!("/dashboard/praktijken/{practice_id}")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(figure(&page(&r), "included").contains("&lt; 5"));
        assert_eq!(
            pm.get("/dashboard/praktijken/999999").await.status,
            StatusCode::NOT_FOUND
        );

        // The practice's own staff: exact numbers, the median of the practices suppressed.
        let own = Client::sign_in(&app, "poh").await;
        let r = own.get("/dashboard").await;
        assert_eq!(r.status, StatusCode::OK);
        let html = page(&r);
        assert_eq!(html.matches("<svg").count(), FIGURES.len());
        let included = figure(&html, "included");
        assert!(
            included.contains("<td class=\"num\">2</td><td class=\"num\">&lt; 5</td>"),
            "{included}"
        );
        assert!(html.contains("href=\"/dashboard\""), "in the menu");
        for path in ["/dashboard/regiorapport", "/dashboard/praktijken/1"] {
            assert_eq!(own.get(path).await.status, StatusCode::FORBIDDEN, "{path}");
        }

        // The regional report: one printable document and a workbook.
        let r = pm.get("/dashboard/regiorapport").await;
        assert_eq!(r.status, StatusCode::OK);
        let html = page(&r);
        assert_eq!(html.matches("<svg").count(), FIGURES.len());
        assert!(html.contains("Voorbeeldpraktijk Jekerdal") && html.contains("&lt; 5"));
        assert!(html.contains("Praktijkbezoeken en PDCA-cyclus"));
        // The programme manager runs the quality cycle: visits and PDCA progress per practice.
        assert!(html.contains("Bezoek nodig") && html.contains("Plan 0/7"), "{html}");
        let r = pm.get("/dashboard/regiorapport.xlsx").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.starts_with(b"PK"), "an xlsx is a zip");

        // Network roles get no dashboard.
        let wvk = Client::sign_in(&app, "wvk").await;
        assert_eq!(wvk.get("/dashboard").await.status, StatusCode::FORBIDDEN);
        t.finish().await;
    }
}
