//! The care cycle's follow-ups, on SQLite and PostgreSQL: the first point of contact is
//! evaluated (kept or changed) with its history; the care plan is evaluated per goal; the
//! mantelzorger's own support need is part of the plan; and what comes due — the first
//! contact's evaluation, the PZP's review, the medication review's follow-up, the plan's
//! evaluation, a missing support need — is on the worklist.

mod common;

use axum::http::StatusCode;
use chrono::Duration;
use common::{count, seed, yesterday, Client, World};
use kernteam_domain::care::DecisionKind;
use kernteam_domain::pzp::AdvanceCarePlan;
use kernteam_store::care::{NewDecision, NewTeamMember};
use kernteam_store::medication_reviews::NewMedicationReview;
use kernteam_store::program::Document;
use kernteam_store::testing;
use serde_json::Value;

fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

async fn include(w: &World, patient: i64, by: i64) {
    kernteam_store::audited!(w.db, testing::entry(), |ch| ch.add_decision(
        patient,
        &NewDecision {
            kind: DecisionKind::Inclusion,
            decided_on: yesterday().parse().unwrap(),
            deciding_gp: Some("Dr. Bergzicht".into()),
            reason: None,
            considerations: None,
        },
        by,
    ))
    .unwrap();
}

fn items_of(list: &Value, patient: i64) -> Vec<(String, String)> {
    list["patients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == patient)
        .map(|p| {
            p["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| {
                    (
                        i["kind"].as_str().unwrap().to_string(),
                        i["text"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn has(items: &[(String, String)], kind: &str) -> bool {
    items.iter().any(|(k, _)| k == kind)
}

#[tokio::test]
async fn the_first_point_of_contact_is_evaluated_and_keeps_its_history() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        include(&w, w.b1, w.poh_b).await;
        let poh = Client::sign_in(&w.app, "poh-b").await;
        let path = format!("/patienten/{}/aanspreekpunt", w.b1);
        let other = kernteam_store::audited!(w.db, testing::entry(), |ch| ch.add_team_member(
            w.b1,
            &NewTeamMember {
                kind: "professional".into(),
                name: "Wieke Wijk".into(),
                role: Some("wijkverpleegkundige".into()),
                ..Default::default()
            },
            w.poh_b,
        ))
        .unwrap();

        // Assigned with an evaluation in a week: due on the worklist.
        let soon = (today() + Duration::days(7)).to_string();
        let r = poh
            .post_form(
                &path,
                &[
                    ("member_id", &w.b1_professional.to_string()),
                    ("evaluatie", &soon),
                    ("terug", "aanspreekpunt"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert_eq!(r.location(), Some(format!("{path}?melding=aanspreekpunt").as_str()));
        let items = items_of(&poh.get("/api/v1/worklist").await.json(), w.b1);
        assert!(has(&items, "first_contact_evaluation_due"), "{items:?}");
        let page = poh.get(&path).await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.text();
        assert!(html.contains("Evaluatie vastleggen"), "{html}");
        assert!(html.contains("binnenkort"), "{html}");

        // An evaluation date in the past is refused, nothing stored.
        let before = count(&w.db, "SELECT COUNT(*) FROM first_contact_history").await;
        let r = poh
            .post_form(
                &format!("{path}/evaluatie"),
                &[("uitkomst", "kept"), ("volgende", &yesterday())],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("Kies een evaluatiedatum na vandaag."), "{}", r.text());
        assert_eq!(count(&w.db, "SELECT COUNT(*) FROM first_contact_history").await, before);
        // Changed without saying to whom: refused.
        let next = (today() + Duration::days(365)).to_string();
        let r = poh
            .post_form(
                &format!("{path}/evaluatie"),
                &[("uitkomst", "changed"), ("volgende", &next)],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("Kies het nieuwe eerste aanspreekpunt."));

        // Kept: the next evaluation is a year on, so the item leaves the worklist.
        let r = poh
            .post_form(
                &format!("{path}/evaluatie"),
                &[
                    ("uitkomst", "kept"),
                    ("toelichting", "Mevrouw is tevreden"),
                    ("volgende", &next),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let items = items_of(&poh.get("/api/v1/worklist").await.json(), w.b1);
        assert!(!has(&items, "first_contact_evaluation_due"), "{items:?}");

        // Changed to the district nurse: the new one is the first point of contact.
        let r = poh
            .post_form(
                &format!("{path}/evaluatie"),
                &[
                    ("uitkomst", "changed"),
                    ("lid", &other.to_string()),
                    ("toelichting", "Wijkverpleging komt dagelijks"),
                    ("volgende", &next),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let html = poh.get(&path).await.text();
        assert!(
            html.contains(r#"<dd id="aanspreekpunt-nu">Wieke Wijk (wijkverpleegkundige)</dd>"#),
            "{html}"
        );
        for line in [
            "Toegekend aan Wieke Wijk (wijkverpleegkundige)",
            "wordt vervangen",
            "Wijkverpleging komt dagelijks",
            "Mevrouw is tevreden",
        ] {
            assert!(html.contains(line), "{line}: {html}");
        }
        // Kept, changed and the assignments: all in the history, and audited.
        let kinds: Vec<&str> =
            w.db.first_contact_history(w.b1)
                .await
                .unwrap()
                .iter()
                .map(|h| h.kind.code())
                .collect();
        assert_eq!(
            kinds[kinds.len() - 4..],
            ["assigned", "evaluated", "evaluated", "assigned"]
        );
        assert_eq!(
            count(
                &w.db,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'eerste aanspreekpunt geëvalueerd'"
            )
            .await,
            2
        );

        // Someone who may see but not decide (a district nurse on the team elsewhere) cannot
        // evaluate: the practice of another patient is not theirs at all.
        let other_practice = Client::sign_in(&w.app, "poh-a").await;
        let r = other_practice.get(&path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        t.finish().await;
    }
}

#[tokio::test]
async fn the_care_plan_is_evaluated_per_goal_and_names_the_mantelzorgers_need() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        include(&w, w.b1, w.poh_b).await;
        let poh = Client::sign_in(&w.app, "poh-b").await;
        // b1 has a mantelzorger and a plan without their support need: on the worklist.
        let items = items_of(&poh.get("/api/v1/worklist").await.json(), w.b1);
        assert!(has(&items, "no_caregiver_support"), "{items:?}");

        // The support need is written in the plan's form and shown with the plan.
        let edit = poh.get(&format!("/patienten/{}/zorgplan/wijzigen", w.b1)).await.text();
        assert!(edit.contains(r#"id="caregiver_support""#), "{edit}");
        let r = poh
            .post_form(
                &format!("/patienten/{}/zorgplan", w.b1),
                &[
                    ("based_on", "1"),
                    ("goal_domain", "algemeen"),
                    ("goal", "Thuis blijven wonen"),
                    ("goal_domain", "functioneel"),
                    ("goal", "Zelf boodschappen doen"),
                    ("evaluation_date", &yesterday()),
                    (
                        "caregiver_support",
                        "Dochter is overbelast; respijtzorg één dag per week",
                    ),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let items = items_of(&poh.get("/api/v1/worklist").await.json(), w.b1);
        assert!(!has(&items, "no_caregiver_support"), "{items:?}");
        assert!(has(&items, "evaluation_due"), "{items:?}");
        let plan_page = poh.get(&format!("/patienten/{}/zorgplan", w.b1)).await.text();
        assert!(plan_page.contains("respijtzorg één dag per week"), "{plan_page}");

        // The evaluation: every goal needs an outcome; not reached asks what changes.
        let path = format!("/patienten/{}/zorgplan/evalueren", w.b1);
        let form = poh.get(&path).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(
            form.text().contains("Doel 2 (functioneel): Zelf boodschappen doen"),
            "{}",
            form.text()
        );
        let next = (today() + Duration::days(180)).to_string();
        let day = today().to_string();
        let r = poh
            .post_form(
                &path,
                &[
                    ("based_on", "2"),
                    ("datum", &day),
                    ("uitkomst_1", "behaald"),
                    ("uitkomst_2", "niet"),
                    ("volgende", &next),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r
            .text()
            .contains("Beschrijf wat er verandert nu niet elk doel behaald is."));
        assert!(
            r.text().contains(r#"value="niet" id="uitkomst-2-niet" checked"#),
            "kept: {}",
            r.text()
        );
        let versions = || count(&w.db, "SELECT COUNT(*) FROM care_plan_versions");
        let before = versions().await;
        let r = poh
            .post_form(
                &path,
                &[
                    ("based_on", "2"),
                    ("datum", &day),
                    ("uitkomst_1", "behaald"),
                    ("uitkomst_2", "niet"),
                    (
                        "verandert",
                        "Boodschappen laten bezorgen; ergotherapeut voor de rollator",
                    ),
                    ("volgende", &next),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert_eq!(versions().await, before + 1);
        let plan = poh.get(&format!("/patienten/{}/zorgplan", w.b1)).await.text();
        for line in [
            "Zelf boodschappen doen: <strong>Niet behaald</strong>",
            "Thuis blijven wonen: <strong>Behaald</strong>",
            "ergotherapeut voor de rollator",
        ] {
            assert!(plan.contains(line), "{line}: {plan}");
        }
        // The evaluation date moved on: off the worklist.
        let items = items_of(&poh.get("/api/v1/worklist").await.json(), w.b1);
        assert!(!has(&items, "evaluation_due"), "{items:?}");
        let history = poh.get(&format!("/patienten/{}/zorgplan/versies", w.b1)).await.text();
        assert!(history.contains("Evaluatie van"), "{history}");

        // A later edit keeps the evaluation.
        let r = poh
            .post_form(
                &format!("/patienten/{}/zorgplan", w.b1),
                &[
                    ("based_on", "3"),
                    ("goal", "Thuis blijven wonen"),
                    ("evaluation_date", &next),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let plan = poh.get(&format!("/patienten/{}/zorgplan", w.b1)).await.text();
        assert!(plan.contains("ergotherapeut voor de rollator"), "{plan}");

        // A stale evaluation (made from an older version) is a conflict, nothing written.
        let before = versions().await;
        let r = poh
            .post_form(
                &path,
                &[
                    ("based_on", "2"),
                    ("datum", &day),
                    ("uitkomst_1", "behaald"),
                    ("volgende", &next),
                ],
            )
            .await;
        assert_ne!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert_eq!(versions().await, before);
        t.finish().await;
    }
}

#[tokio::test]
async fn the_pzp_review_and_the_medication_follow_up_come_due() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        include(&w, w.b1, w.poh_b).await;
        let poh = Client::sign_in(&w.app, "poh-b").await;
        let soon = today() + Duration::days(3);
        let pzp = AdvanceCarePlan {
            next_review: Some(soon),
            ..AdvanceCarePlan::blank()
        };
        let content = serde_json::to_string(&pzp).unwrap();
        kernteam_store::audited!(w.db, testing::entry(), |ch| ch.save_version(
            Document::Pzp,
            w.b1,
            0,
            &content,
            "PZP",
            w.poh_b,
            "poh-b"
        ))
        .unwrap();
        let review = |date, follow_up| NewMedicationReview {
            date,
            indication: None,
            participants: "huisarts, apotheker".into(),
            stopped: None,
            started: None,
            changed: None,
            follow_up,
        };
        kernteam_store::audited!(w.db, testing::entry(), |ch| ch.add_medication_review(
            w.b1,
            &review(today() - Duration::days(60), Some(today() - Duration::days(2))),
            w.poh_b
        ))
        .unwrap();
        let items = items_of(&poh.get("/api/v1/worklist").await.json(), w.b1);
        assert!(has(&items, "pzp_review_due"), "{items:?}");
        assert!(has(&items, "medication_follow_up_due"), "{items:?}");
        assert!(!has(&items, "medication_review_due"), "a recent review: {items:?}");
        assert!(!has(&items, "no_pzp"));
        let page = poh.get("/werklijst?soort=medicatiebeoordeling").await.text();
        assert!(page.contains("Vervolg van de medicatiebeoordeling te laat"), "{page}");

        // A newer review without a follow-up: the old follow-up is no longer asked for.
        kernteam_store::audited!(w.db, testing::entry(), |ch| ch.add_medication_review(
            w.b1,
            &review(today() - Duration::days(1), None),
            w.poh_b
        ))
        .unwrap();
        let items = items_of(&poh.get("/api/v1/worklist").await.json(), w.b1);
        assert!(!has(&items, "medication_follow_up_due"), "{items:?}");
        t.finish().await;
    }
}
