//! The region's work in the web application (region.md): settings and contracts set by the
//! programme manager, the declarations (counts for region staff, per-patient lines only for
//! the declarant and the practice, audited), the practice's own check with near misses,
//! the capacity conversation and its follow-up, and a patient's hoofdbehandelaar set on the
//! record; on SQLite and PostgreSQL, through the real router.

mod common;

use axum::http::StatusCode;
use common::accounts::{add_user, audit_of, import_example, router_for};
use common::Client;
use kernteam_domain::access::Role;
use kernteam_domain::care::DecisionKind;
use kernteam_store::decisions::NewDecision;
use kernteam_store::testing;

#[tokio::test]
async fn settings_declarations_capacity_and_the_record() {
    for t in testing::all().await {
        let db = &t.db;
        let app = router_for(db);
        let practice = import_example(db).await;
        add_user(db, "pm", "Mark Manager", Role::Programmamanager, None).await;
        add_user(db, "kader", "Karin Kader", Role::Kaderarts, None).await;
        let decl_id = add_user(db, "decl", "Dirk Declarant", Role::Declarant, None).await;
        add_user(db, "ha", "Hanna Huisarts", Role::Huisarts, Some(practice)).await;
        let pm_id = db.credentials("pm").await.unwrap().unwrap().user.id;
        // P01-00002 included (in 2027, as the example's extract).
        let p2 = db.patient_by_his_id(practice, "P01-00002").await.unwrap().unwrap();
        kernteam_store::audited!(db, testing::entry(), |ch| ch.add_decision_by(
            p2.id,
            &NewDecision {
                kind: DecisionKind::Inclusion,
                decided_on: "2027-01-10".parse().unwrap(),
                deciding_gp: Some("dr. Jansen".into()),
                reason: None,
                considerations: None,
            },
            None
        ))
        .unwrap();

        // The kaderarts reads the settings but may not change them.
        let kader = Client::sign_in(&app, "kader").await;
        assert_eq!(kader.get("/regio/instellingen").await.status, StatusCode::OK);
        let r = kader
            .post_form(
                "/regio/contracten",
                &[("practice", "09000001"), ("year", "2027"), ("option", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        let pm = Client::sign_in(&app, "pm").await;
        let r = pm
            .post_form(
                "/regio/contracten",
                &[("practice", "09000001"), ("year", "2027"), ("option", "3")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("kies 1 of 2"), "{}", r.text());
        let r = pm
            .post_form(
                "/regio/contracten",
                &[("practice", "09000001"), ("year", "2027"), ("option", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{:?}", t.backend());
        let r = pm
            .post_form(
                "/regio/instellingen",
                &[
                    ("hours_per_included", "10"),
                    ("band_lower", "0,9"),
                    ("band_upper", "1,1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let r = pm
            .post_form(
                "/regio/instellingen/financiering",
                &[("year", "2027"), ("categories", "laag=0,hoog=30")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let page = pm.get("/regio/instellingen").await.text();
        assert!(page.contains("id=\"uren-per-geincludeerde\">10<"), "{page}");
        assert!(page.contains("hoog vanaf 30%"), "{page}");
        assert!(page.contains("Mark Manager"), "who set it: {page}");

        // The figures carry the capacity columns; the Dutch table uses ; and a decimal comma.
        let figures = pm.get("/regio?periode=2027-Q2").await.text();
        assert!(
            figures.contains("POH-O-capaciteit") && figures.contains("Contractoptie"),
            "{figures}"
        );
        let nl = pm.get("/regio/rapport-nl.csv?periode=2027-Q2").await.text();
        assert!(nl.starts_with("\u{feff}Praktijk;AGB-code;"), "{nl}");
        assert!(nl.contains(";32,5;"), "pct_75_plus with a comma: {nl}");
        let funding = pm.get("/regio?periode=2027").await.text();
        assert!(
            funding.contains("Financieringscategorie") && funding.contains(">hoog<"),
            "{funding}"
        );

        // Declarations: counts for region staff, the lines only for the declarant.
        let d = pm.get("/regio/declaraties?periode=2027-Q2").await.text();
        assert!(d.contains("Voorbeeldpraktijk Jekerdal"), "{d}");
        assert_eq!(
            pm.get("/declaraties/regels?periode=2027-Q2").await.status,
            StatusCode::FORBIDDEN
        );
        assert!(audit_of(db, pm_id)
            .await
            .iter()
            .any(|(a, d)| a == "toegang geweigerd" && d == "declaratieregels"));
        let decl = Client::sign_in(&app, "decl").await;
        let lines = decl.get("/declaraties/regels?periode=2027-Q2").await;
        assert_eq!(lines.status, StatusCode::OK);
        assert!(
            lines.text().contains("P01-00002,271134860,1952-07-01,module"),
            "{}",
            lines.text()
        );
        assert!(audit_of(db, decl_id)
            .await
            .iter()
            .any(|(a, d)| a == "declaratieregels per patiënt gedownload" && d == "2027-Q2: 1 regels"));

        // The practice's own check: who is on the list, who is almost.
        let ha = Client::sign_in(&app, "ha").await;
        let own = ha.get("/praktijk/declaraties?periode=2027-Q2").await.text();
        assert!(own.contains("P01-00002"), "{own}");
        assert!(own.contains("Bijna op de lijst"), "{own}");
        assert!(own.contains("niet geïncludeerd"), "frail 75+ not included: {own}");
        assert_eq!(kader.get("/praktijk/declaraties").await.status, StatusCode::FORBIDDEN);

        // The hoofdbehandelaar on the record, by the GP.
        let path = format!("/patienten/{}/regeling", p2.id);
        let r = ha
            .post_form(
                &path,
                &[
                    ("hoofdbehandelaar", "specialist_ouderengeneeskunde"),
                    ("valid_from", "2099-01-01"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a future date");
        let r = ha
            .post_form(
                &path,
                &[
                    ("hoofdbehandelaar", "specialist_ouderengeneeskunde"),
                    ("valid_from", "2026-01-01"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let page = ha.get(&path).await.text();
        assert!(
            page.contains("id=\"hoofdbehandelaar\">Specialist ouderengeneeskunde<"),
            "{page}"
        );
        assert!(page.contains("Hanna Huisarts"), "{page}");

        // Capacity: the practice is outside the band; record the conversation, then its
        // follow-up is on the region's worklist until it is done.
        let cap = pm.get("/regio/capaciteit?periode=2027-Q2").await.text();
        assert!(cap.contains("Geen openstaande vervolgafspraken"), "{cap}");
        let yesterday = common::yesterday();
        let r = pm
            .post_form(
                &format!("/regio/capaciteit/{practice}/gesprek"),
                &[("held_on", "2099-01-01"), ("participants", ""), ("agreements", "")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = pm
            .post_form(
                &format!("/regio/capaciteit/{practice}/gesprek"),
                &[
                    ("held_on", yesterday.as_str()),
                    ("participants", "programmamanager en Hanna Huisarts"),
                    ("agreements", "Formatie POH-O vastleggen"),
                    ("follow_up_on", "2099-03-01"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let cap = pm.get("/regio/capaciteit?periode=2027-Q2").await.text();
        assert!(
            cap.contains("Formatie POH-O vastleggen") && cap.contains("01-03-2099"),
            "{cap}"
        );
        let id = db.capacity_conversations().await.unwrap()[0].id;
        let r = pm
            .post_form(&format!("/regio/capaciteit/gesprek/{id}/afgerond"), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(pm
            .get("/regio/capaciteit?periode=2027-Q2")
            .await
            .text()
            .contains("Geen openstaande vervolgafspraken"));
        let r = pm
            .post_form(&format!("/regio/capaciteit/gesprek/{id}/afgerond"), &[])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "done once");
        t.finish().await;
    }
}
