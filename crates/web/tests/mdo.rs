//! MDO meetings over HTTP (pages and API), on SQLite and PostgreSQL: decisions of an MDO
//! land in the care plan, another practice sees nothing, and every patient the MDO pages
//! and the API show — the agenda, the worklist's suggestions, search results, the minutes,
//! also when a refused form is shown again — is in the audit log.

mod common;

use axum::http::StatusCode;
use chrono::{Duration, Local};
use common::process::{plan_meeting, today};
use common::{audit_rows, count, seed, yesterday, Client, World};
use kernteam_domain::care::{CarePlan, DecisionKind};
use kernteam_store::care::NewDecision;
use kernteam_store::testing;
use kernteam_web::api::OPENAPI_PATH;
use serde_json::{json, Value};

async fn include(w: &World, patient: i64) {
    kernteam_store::audited!(w.db, testing::entry(), |ch| ch.add_decision(
        patient,
        &NewDecision {
            kind: DecisionKind::Inclusion,
            decided_on: yesterday().parse().unwrap(),
            deciding_gp: Some("Dr. Jekerdal".into()),
            reason: None,
            considerations: None,
        },
        w.poh_a,
    ))
    .unwrap();
}

async fn current_plan(w: &World, patient: i64) -> (i64, CarePlan, String) {
    let versions = w.db.care_plan_versions(patient).await.unwrap();
    let v = versions.first().expect("a care plan");
    (v.version, serde_json::from_str(&v.content).unwrap(), v.summary.clone())
}

#[tokio::test]
async fn an_mdo_decision_lands_in_the_care_plan_in_one_step() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let poh = Client::sign_in(&w.app, "poh-a").await;

        let page = poh.get("/mdo").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("Er is nog geen MDO gepland."));
        assert!(page.text().contains("href=\"/werklijst\"") && page.text().contains("href=\"/praktijk/formatie\""));

        let meeting = plan_meeting(&poh, &today()).await;
        let page = poh.get(&format!("/mdo/{meeting}?melding=gepland")).await;
        assert_eq!(page.status, StatusCode::OK);
        let text = page.text();
        assert!(text.contains("Het MDO is gepland."), "{text}");
        assert!(text.contains("Huisarts, POH-ouderenzorg, Wijkverpleging"));

        // Find a2 by BSN in the practice list; put a1 on the agenda with a reason.
        let found = poh.get(&format!("/mdo/{meeting}?zoek=687454128")).await.text();
        assert!(found.contains("1 patiënt gevonden"), "{found}");
        assert!(found.contains(&format!("name=\"patient_id\" value=\"{}\"", w.a2)));
        let r = poh
            .post_form(
                &format!("/mdo/{meeting}/agenda"),
                &[
                    ("patient_id", &w.a1.to_string()),
                    ("reason", "Valt vaker sinds de zomer"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let r = poh
            .post_form(
                &format!("/mdo/{meeting}/agenda"),
                &[("patient_id", &w.a1.to_string()), ("reason", "Nog eens")],
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "already on the agenda");
        let r = poh
            .post_form(
                &format!("/mdo/{meeting}/agenda"),
                &[("patient_id", &w.a2.to_string()), ("reason", "  ")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("Vul de reden in waarom de patiënt besproken wordt."));
        assert_eq!(w.db.agenda(meeting).await.unwrap().len(), 1, "nothing stored");

        // Attendance per discipline.
        let r = poh
            .post_form(
                &format!("/mdo/{meeting}/aanwezigheid"),
                &[
                    ("aanwezig", "huisarts"),
                    ("naam_huisarts", "Dr. Jekerdal"),
                    ("aanwezig", "poh_o"),
                    ("naam_poh_o", "Petra Poh"),
                    ("naam_wijkverpleging", ""),
                    ("notes", "Kort overleg"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let attendance = w.db.attendance(meeting).await.unwrap();
        let seen: Vec<_> = attendance
            .iter()
            .map(|a| (a.discipline.as_str(), a.present, a.name.as_deref()))
            .collect();
        assert_eq!(
            seen,
            [
                ("huisarts", true, Some("Dr. Jekerdal")),
                ("poh_o", true, Some("Petra Poh")),
                ("wijkverpleging", false, None)
            ]
        );
        assert!(w.db.meeting(meeting).await.unwrap().held);

        // Minutes with a decision that has no "who": 422, nothing stored.
        let (before, plan_before, _) = current_plan(&w, w.a1).await;
        let minutes = format!("/mdo/{meeting}/patienten/{}", w.a1);
        let r = poh
            .post_form(
                &minutes,
                &[
                    ("minutes", "Besproken."),
                    ("decision", "Valpreventie"),
                    ("action_what", "Fysiotherapie aanvragen"),
                    ("action_who", ""),
                    ("action_due", "2027-13-01"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let text = r.text();
        assert!(
            text.contains("Fysiotherapie aanvragen") && text.contains(": vul in wie het doet."),
            "{text}"
        );
        assert!(text.contains("Het verslag is niet vastgelegd en het zorgplan is niet gewijzigd."));
        assert_eq!(current_plan(&w, w.a1).await.0, before);
        assert!(!w.db.agenda(meeting).await.unwrap()[0].discussed);

        // The minutes form: a decision → action, plus empty rows.
        let form = poh.get(&minutes).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(
            form.text().contains("Valrisico bespreken"),
            "the plan's open actions for context"
        );
        let due = (Local::now().date_naive() + Duration::days(14)).to_string();
        let r = poh
            .post_form(
                &minutes,
                &[
                    ("minutes", "Valt vaker; wil thuis blijven wonen."),
                    ("decision", "Valpreventie starten"),
                    ("action_what", "Fysiotherapie aanvragen"),
                    ("action_who", "Huisarts"),
                    ("action_due", &due),
                    ("decision", ""),
                    ("action_what", ""),
                    ("action_who", ""),
                    ("action_due", ""),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert_eq!(
            r.location(),
            Some(format!("/mdo/{meeting}?melding=verslag-zorgplan").as_str())
        );

        // A new care-plan version with the action added; the rest kept.
        let (version, plan, summary) = current_plan(&w, w.a1).await;
        assert_eq!(version, before + 1);
        assert_eq!(plan.goals, plan_before.goals);
        let actions: Vec<_> = plan
            .actions
            .iter()
            .map(|a| {
                (
                    a.what.as_str(),
                    a.who.as_str(),
                    a.due.map(|d| d.to_string()),
                    a.status.code(),
                )
            })
            .collect();
        assert_eq!(
            actions,
            [
                (
                    "Valrisico bespreken",
                    "POH-O",
                    Some("2027-09-01".to_string()),
                    "gepland"
                ),
                ("Fysiotherapie aanvragen", "Huisarts", Some(due.clone()), "gepland"),
            ]
        );
        let day = Local::now().date_naive().format("%d-%m-%Y").to_string();
        assert_eq!(
            summary.lines().collect::<Vec<_>>(),
            [
                format!("Besluiten uit het MDO van {day}").as_str(),
                "Actie toegevoegd: Fysiotherapie aanvragen"
            ]
        );
        let item = &w.db.agenda(meeting).await.unwrap()[0];
        assert!(item.discussed);
        assert!(item
            .minutes
            .as_deref()
            .unwrap()
            .starts_with("Valt vaker; wil thuis blijven wonen.\n\nBesluiten:\n- Valpreventie starten → Fysiotherapie aanvragen (Huisarts, vóór"));
        let log = audit_rows(&w.db, w.poh_a).await;
        assert!(log.contains(&(Some(w.a1), "zorgplan gewijzigd".to_string())));
        assert!(log.contains(&(Some(w.a1), "MDO-verslag vastgelegd".to_string())));
        assert!(log.contains(&(Some(w.a1), "op de MDO-agenda gezet".to_string())));

        // The care plan page and history show it; the list counts the quarter.
        let history = poh.get(&format!("/patienten/{}/zorgplan/versies", w.a1)).await.text();
        assert!(history.contains("Actie toegevoegd: Fysiotherapie aanvragen"));
        let list = poh.get("/api/v1/mdo").await.json();
        assert_eq!(list["quarters"][0]["meetings_held"], 1);
        assert_eq!(list["quarters"][0]["patients_discussed"], 1);
        assert_eq!(list["meetings"][0]["held"], true);

        // The care team's district nurse sees the discussion on the patient's events page,
        // not the practice's MDO pages.
        let nurse = Client::sign_in(&w.app, "wvk-team").await;
        assert_eq!(nurse.get("/mdo").await.status, StatusCode::FORBIDDEN);
        assert_eq!(
            nurse.get(&format!("/mdo/{meeting}")).await.status,
            StatusCode::NOT_FOUND
        );
        let events = nurse.get(&format!("/patienten/{}/gebeurtenissen", w.a1)).await;
        assert_eq!(events.status, StatusCode::OK);
        assert!(events.text().contains("Valt vaker sinds de zomer"));
        assert!(events.text().contains("Fysiotherapie aanvragen"));
        let history = nurse.get(&format!("/api/v1/patients/{}/mdo", w.a1)).await;
        assert_eq!(history.status, StatusCode::OK);
        assert_eq!(history.json()["meetings"][0]["meeting_id"], meeting);
        t.finish().await;
    }
}

#[tokio::test]
async fn the_mdo_api_plans_records_and_turns_decisions_into_actions() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let doc = Client::anonymous(&w.app).get(OPENAPI_PATH).await.json();
        let poh = Client::sign_in(&w.app, "poh-a").await;
        let check = |method: &str, path: &str, r: &common::Resp| {
            let schema = common::response_schema(&doc, method, path, r.status.as_u16()).expect("a documented body");
            let problems = common::check_schema(&doc, schema, &r.json());
            assert!(problems.is_empty(), "{method} {path}: {problems:#?}\n{}", r.text());
        };

        let r = poh
            .api(
                "POST",
                "/api/v1/mdo",
                Some(json!({ "date": "2026-13-01", "level": "wijk", "invited": [] })),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            r.json()["details"],
            json!([
                "Datum: vul een geldige datum in.",
                "Kies of het een praktijk-MDO of een netwerk-MDO is.",
                "Nodig minstens één persoon of discipline uit."
            ])
        );
        assert_eq!(count(&w.db, "SELECT COUNT(*) FROM mdo_meetings").await, 0);

        let r = poh
            .api(
                "POST",
                "/api/v1/mdo",
                Some(json!({ "date": today(), "level": "netwerk", "invited": ["apotheker", "huisarts"] })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        check("POST", "/api/v1/mdo", &r);
        let meeting = r.json()["id"].as_i64().unwrap();
        assert_eq!(r.json()["invited"], json!(["huisarts", "apotheker"]));

        let r = poh
            .api(
                "POST",
                &format!("/api/v1/mdo/{meeting}/agenda"),
                Some(json!({ "patient_id": w.a2, "reason": "Nooit besproken" })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        check("POST", "/api/v1/mdo/{meeting}/agenda", &r);
        // A patient of practice B does not exist for practice A.
        let r = poh
            .api(
                "POST",
                &format!("/api/v1/mdo/{meeting}/agenda"),
                Some(json!({ "patient_id": w.b1, "reason": "x" })),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        let r = poh
            .api(
                "PUT",
                &format!("/api/v1/mdo/{meeting}/attendance"),
                Some(json!({ "attendance": [
                    { "discipline": "huisarts", "present": true, "name": "Dr. Jekerdal" },
                    { "discipline": "apotheker", "present": false },
                ] })),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        check("PUT", "/api/v1/mdo/{meeting}/attendance", &r);

        // a2 has no care plan yet: the decisions make its first version.
        let r = poh
            .api(
                "POST",
                &format!("/api/v1/mdo/{meeting}/agenda/{}/minutes", w.a2),
                Some(json!({
                    "minutes": "Eerste bespreking.",
                    "decisions": [
                        { "decision": "Medicatie herzien", "what": "Medicatiebeoordeling plannen", "who": "Apotheker", "due": null },
                        { "decision": "", "what": "", "who": "" },
                    ],
                })),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        check("POST", "/api/v1/mdo/{meeting}/agenda/{id}/minutes", &r);
        assert_eq!(r.json()["care_plan_version"], 1);
        assert_eq!(
            r.json()["changes"],
            json!(["Actie toegevoegd: Medicatiebeoordeling plannen"])
        );
        let (_, plan, _) = current_plan(&w, w.a2).await;
        assert_eq!(plan.actions.len(), 1);
        assert_eq!(plan.actions[0].who, "Apotheker");

        // Minutes only: no new version.
        let r = poh
            .api(
                "POST",
                &format!("/api/v1/mdo/{meeting}/agenda/{}/minutes", w.a2),
                Some(json!({ "minutes": "Aangevuld." })),
            )
            .await;
        assert_eq!(r.json()["care_plan_version"], Value::Null);
        assert_eq!(current_plan(&w, w.a2).await.0, 1);

        let r = poh.get(&format!("/api/v1/mdo/{meeting}")).await;
        check("GET", "/api/v1/mdo/{meeting}", &r);
        assert_eq!(r.json()["agenda"][0]["minutes"], "Aangevuld.");
        assert_eq!(r.json()["meeting"]["held"], true);
        check("GET", "/api/v1/mdo", &poh.get("/api/v1/mdo").await);

        // Practice B's staff see none of it; network professionals get no MDO data.
        let other = Client::sign_in(&w.app, "poh-b").await;
        assert_eq!(
            other.get(&format!("/api/v1/mdo/{meeting}")).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(other.get("/api/v1/mdo").await.json()["meetings"], json!([]));
        let r = other
            .api(
                "POST",
                &format!("/api/v1/mdo/{meeting}/agenda/{}/minutes", w.a2),
                Some(json!({ "minutes": "x" })),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let nurse = Client::sign_in(&w.app, "wvk-team").await;
        assert_eq!(nurse.get("/api/v1/mdo").await.status, StatusCode::FORBIDDEN);
        assert_eq!(
            nurse.get(&format!("/api/v1/mdo/{meeting}")).await.status,
            StatusCode::NOT_FOUND
        );
        t.finish().await;
    }
}

/// The audit rows of `user` written since the first `since` of them.
async fn new_rows(w: &World, user: i64, since: usize) -> Vec<(Option<i64>, String)> {
    audit_rows(&w.db, user).await.split_off(since)
}

/// A meeting of practice A a week ahead with a1 on the agenda; a2 is included and never
/// discussed, so the worklist suggests them.
async fn coming_meeting(w: &World, poh: &Client) -> i64 {
    include(w, w.a2).await;
    let later = (Local::now().date_naive() + Duration::days(7)).to_string();
    let meeting = plan_meeting(poh, &later).await;
    let r = poh
        .post_form(
            &format!("/mdo/{meeting}/agenda"),
            &[("patient_id", &w.a1.to_string()), ("reason", "Opname")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    meeting
}

#[tokio::test]
async fn the_meeting_api_logs_every_patient_it_shows() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let poh = Client::sign_in(&w.app, "poh-a").await;
        let meeting = coming_meeting(&w, &poh).await;
        let before = audit_rows(&w.db, w.poh_a).await.len();
        let r = poh.get(&format!("/api/v1/mdo/{meeting}")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let body = r.json();
        assert_eq!(body["agenda"][0]["patient_id"], w.a1);
        let suggested: Vec<i64> = body["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["patient_id"].as_i64().unwrap())
            .collect();
        assert_eq!(suggested, [w.a2], "{body}");
        assert!(body["candidates"][0]["name"].as_str().is_some_and(|n| !n.is_empty()));
        let log = new_rows(&w, w.poh_a, before).await;
        assert!(log.contains(&(Some(w.a1), "MDO ingezien".to_string())), "{log:?}");
        assert!(
            log.contains(&(Some(w.a2), "MDO: voorstellen uit de werklijst bekeken".to_string())),
            "the suggested patient's name was shown: {log:?}"
        );
        t.finish().await;
    }
}

#[tokio::test]
async fn a_refused_agenda_or_attendance_form_logs_the_patients_it_shows_again() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let poh = Client::sign_in(&w.app, "poh-a").await;
        let meeting = coming_meeting(&w, &poh).await;

        let before = audit_rows(&w.db, w.poh_a).await.len();
        let r = poh
            .post_form(
                &format!("/mdo/{meeting}/agenda"),
                &[("patient_id", &w.a2.to_string()), ("reason", " ")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("De patiënt is niet op de agenda gezet."));
        let log = new_rows(&w, w.poh_a, before).await;
        assert!(log.contains(&(Some(w.a1), "MDO ingezien".to_string())), "{log:?}");
        assert!(
            log.contains(&(Some(w.a2), "MDO: voorstellen uit de werklijst bekeken".to_string())),
            "{log:?}"
        );

        let before = audit_rows(&w.db, w.poh_a).await.len();
        let r = poh
            .post_form(&format!("/mdo/{meeting}/aanwezigheid"), &[("aanwezig", "huisarts")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("De aanwezigheid is niet vastgelegd."));
        let log = new_rows(&w, w.poh_a, before).await;
        assert!(log.contains(&(Some(w.a1), "MDO ingezien".to_string())), "{log:?}");
        assert!(
            log.contains(&(Some(w.a2), "MDO: voorstellen uit de werklijst bekeken".to_string())),
            "{log:?}"
        );
        assert!(!log.iter().any(|(_, a)| a == "MDO-aanwezigheid vastgelegd"));
        t.finish().await;
    }
}

#[tokio::test]
async fn a_refused_minutes_form_logs_the_record_it_shows_again() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let poh = Client::sign_in(&w.app, "poh-a").await;
        let meeting = plan_meeting(&poh, &today()).await;
        let r = poh
            .post_form(
                &format!("/mdo/{meeting}/agenda"),
                &[("patient_id", &w.a1.to_string()), ("reason", "Valt vaker")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let before = audit_rows(&w.db, w.poh_a).await.len();
        let r = poh
            .post_form(
                &format!("/mdo/{meeting}/patienten/{}", w.a1),
                &[("minutes", ""), ("decision", "Valpreventie"), ("action_what", "Fysio")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let text = r.text();
        assert!(
            text.contains("Valrisico bespreken"),
            "the stored care plan is shown again: {text}"
        );
        let log = new_rows(&w, w.poh_a, before).await;
        assert_eq!(log, [(Some(w.a1), "MDO-verslag ingezien".to_string())]);
        t.finish().await;
    }
}

#[tokio::test]
async fn a_search_for_the_agenda_logs_the_patients_found_not_the_search_words() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let poh = Client::sign_in(&w.app, "poh-a").await;
        let meeting = plan_meeting(&poh, &today()).await;
        let before = audit_rows(&w.db, w.poh_a).await.len();
        let found = poh.get(&format!("/mdo/{meeting}?zoek=687454128")).await.text();
        assert!(found.contains("1 patiënt gevonden"), "{found}");
        let log = new_rows(&w, w.poh_a, before).await;
        assert!(
            log.contains(&(Some(w.a2), "MDO: patiënt gezocht".to_string())),
            "{log:?}"
        );
        let details: i64 = count(&w.db, "SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%687454128%'").await;
        assert_eq!(details, 0, "a BSN searched for is not written to the log");
        t.finish().await;
    }
}

#[tokio::test]
async fn a_meeting_of_another_practice_is_not_found_and_the_attempt_is_logged() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let poh = Client::sign_in(&w.app, "poh-a").await;
        let meeting = plan_meeting(&poh, &today()).await;
        let other = Client::sign_in(&w.app, "poh-b").await;
        let before = audit_rows(&w.db, w.poh_b).await.len();
        for path in [format!("/mdo/{meeting}"), format!("/api/v1/mdo/{meeting}")] {
            assert_eq!(other.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
        }
        let log = new_rows(&w, w.poh_b, before).await;
        assert_eq!(
            log,
            [
                (None, "toegang geweigerd".to_string()),
                (None, "toegang geweigerd".to_string())
            ]
        );
        t.finish().await;
    }
}
