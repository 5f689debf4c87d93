//! MDO meetings, events with the handover clock, worklists and the POH-O formation over
//! HTTP (pages and API), on SQLite and PostgreSQL: decisions of an MDO land in the care
//! plan, a late handover shows on the worklist, the quarterly report counts what was
//! recorded, another practice sees nothing, and bad input stores nothing.

mod common;

use axum::http::StatusCode;
use chrono::{Duration, Local, Utc};
use common::{audit_rows, count, seed, Client, World, PASSWORD};
use kernteam_domain::access::Role;
use kernteam_domain::care::CarePlan;
use kernteam_domain::codes::CodeSets;
use kernteam_domain::period::{Period, ReportKind};
use kernteam_store::people::NewUser;
use kernteam_store::testing;
use kernteam_web::api::OPENAPI_PATH;
use serde_json::{json, Value};

fn today() -> String {
    Local::now().date_naive().to_string()
}

/// Local date and time (form fields) of a moment `hours` ago.
fn local_ago(hours: i64) -> (String, String) {
    let t = Local::now() - Duration::hours(hours);
    (t.format("%Y-%m-%d").to_string(), t.format("%H:%M").to_string())
}

/// The id at the end of a redirect such as `/mdo/12?melding=gepland`.
fn id_in(location: Option<&str>, prefix: &str) -> i64 {
    let loc = location.expect("a redirect");
    loc.strip_prefix(prefix)
        .and_then(|rest| rest.split(['?', '/']).next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no id in {loc}"))
}

async fn add_user(w: &World, username: &str, name: &str, role: Role, practice: i64) -> i64 {
    w.db.create_user(&NewUser {
        username: username.into(),
        display_name: name.into(),
        role,
        practice_id: Some(practice),
        organisation_id: None,
        password_hash: kernteam_web::hash_password(PASSWORD.into()).await.unwrap(),
        is_admin: false,
    })
    .await
    .unwrap()
}

async fn current_plan(w: &World, patient: i64) -> (i64, CarePlan, String) {
    let versions = w.db.care_plan_versions(patient).await.unwrap();
    let v = versions.first().expect("a care plan");
    (v.version, serde_json::from_str(&v.content).unwrap(), v.summary.clone())
}

/// Plans a meeting of practice A through the form; returns its id.
async fn plan_meeting(c: &Client, date: &str) -> i64 {
    let r = c
        .post_form(
            "/mdo",
            &[
                ("date", date),
                ("level", "praktijk"),
                ("invited", "huisarts"),
                ("invited", "poh_o"),
                ("invited", "wijkverpleging"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    id_in(r.location(), "/mdo/")
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
        assert!(found.contains("1 patiënt(en) gevonden"), "{found}");
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
                "Kies minstens één discipline om uit te nodigen."
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

#[tokio::test]
async fn bad_input_is_refused_with_nothing_stored_and_other_practices_see_nothing() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let poh = Client::sign_in(&w.app, "poh-a").await;
        let events = format!("/patienten/{}/gebeurtenissen", w.a1);

        // An event in the future, of no known kind, at a time that does not exist.
        let future = Local::now() + Duration::days(2);
        let r = poh
            .post_form(
                &events,
                &[
                    ("kind", "vakantie"),
                    ("date", &future.format("%Y-%m-%d").to_string()),
                    ("time", "10:00"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let text = r.text();
        assert!(text.contains("Kies wat er gebeurde."), "{text}");
        assert!(text.contains("Het tijdstip van de gebeurtenis ligt in de toekomst."));
        let r = poh
            .post_form(&events, &[("kind", "val"), ("date", &today()), ("time", "25:61")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = poh
            .api(
                "POST",
                &format!("/api/v1/patients/{}/events", w.a1),
                Some(json!({ "kind": "val", "occurred_at": "gisteren" })),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.json()["details"][0].as_str().unwrap().starts_with("occurred_at:"));
        assert_eq!(count(&w.db, "SELECT COUNT(*) FROM care_events").await, 0);

        // A meeting with a bad date and no disciplines.
        let r = poh
            .post_form("/mdo", &[("date", "morgen"), ("level", "praktijk")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("Kies minstens één discipline om uit te nodigen."));
        assert_eq!(count(&w.db, "SELECT COUNT(*) FROM mdo_meetings").await, 0);

        // Attendance and minutes before the meeting's day.
        let later = (Local::now().date_naive() + Duration::days(7)).to_string();
        let meeting = plan_meeting(&poh, &later).await;
        let r = poh
            .post_form(
                &format!("/mdo/{meeting}/agenda"),
                &[("patient_id", &w.a1.to_string()), ("reason", "Opname")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = poh
            .post_form(&format!("/mdo/{meeting}/aanwezigheid"), &[("aanwezig", "huisarts")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("Dit MDO is nog niet geweest"));
        let r = poh
            .post_form(
                &format!("/mdo/{meeting}/patienten/{}", w.a1),
                &[("minutes", "Vooruit geschreven")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(!w.db.meeting(meeting).await.unwrap().held);
        assert_eq!(count(&w.db, "SELECT COUNT(*) FROM mdo_attendance").await, 0);

        // The formation: hours that are not a number or out of range.
        let huisarts = add_user(&w, "ha-a", "Dr. Jekerdal", Role::Huisarts, w.practice_a).await;
        let ha = Client::sign_in(&w.app, "ha-a").await;
        for (hours, valid_from) in [("zes", "2026-01-01"), ("250", "2026-01-01"), ("6", "01-01-2026")] {
            let r = ha
                .post_form("/praktijk/formatie", &[("hours", hours), ("valid_from", valid_from)])
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{hours} {valid_from}");
        }
        let r = ha
            .api(
                "POST",
                "/api/v1/practice/poh-o-hours",
                Some(json!({ "hours": -1, "valid_from": "2026-01-01" })),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(count(&w.db, "SELECT COUNT(*) FROM practice_settings").await, 0);
        assert!(audit_rows(&w.db, huisarts)
            .await
            .iter()
            .all(|(_, a)| a != "formatie POH-O ingesteld"));
        // A POH-O sees the formation but may not set it.
        assert_eq!(poh.get("/praktijk/formatie").await.status, StatusCode::OK);
        let r = poh
            .post_form("/praktijk/formatie", &[("hours", "6"), ("valid_from", "2026-01-01")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // Another practice's user: 404 for everything of practice A's patients and meetings.
        let other = Client::sign_in(&w.app, "poh-b").await;
        assert_eq!(other.get(&events).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            other.get(&format!("/mdo/{meeting}")).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            other.get(&format!("/mdo/{meeting}/patienten/{}", w.a1)).await.status,
            StatusCode::NOT_FOUND
        );
        let (date, time) = local_ago(1);
        let r = other
            .post_form(&events, &[("kind", "val"), ("date", &date), ("time", &time)])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = other
            .post_form(
                &format!("/mdo/{meeting}/agenda"),
                &[("patient_id", &w.a2.to_string()), ("reason", "x")],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(
            other.get(&format!("/api/v1/patients/{}/events", w.a1)).await.status,
            StatusCode::NOT_FOUND
        );
        let r = other
            .api(
                "POST",
                &format!("/api/v1/patients/{}/events", w.a1),
                Some(json!({ "kind": "val", "occurred_at": Utc::now().to_rfc3339() })),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // Practice B's own meeting cannot take practice A's patient either.
        let theirs = plan_meeting(&other, &today()).await;
        let r = other
            .post_form(
                &format!("/mdo/{theirs}/agenda"),
                &[("patient_id", &w.a1.to_string()), ("reason", "x")],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // A network professional outside the care team.
        let outsider = Client::sign_in(&w.app, "wvk-ander").await;
        assert_eq!(outsider.get(&events).await.status, StatusCode::NOT_FOUND);
        assert_eq!(count(&w.db, "SELECT COUNT(*) FROM care_events").await, 0);
        assert_eq!(count(&w.db, "SELECT COUNT(*) FROM mdo_agenda").await, 1);
        t.finish().await;
    }
}

#[tokio::test]
async fn the_quarterly_report_counts_the_meeting_the_events_and_the_formation() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let poh = Client::sign_in(&w.app, "poh-a").await;
        add_user(&w, "pm-a", "Mieke Manager", Role::Praktijkmanager, w.practice_a).await;
        let manager = Client::sign_in(&w.app, "pm-a").await;

        // In 2026-Q1: a meeting held with one patient, three events that count, one that does not.
        let meeting = plan_meeting(&poh, "2026-02-12").await;
        let r = poh
            .post_form(
                &format!("/mdo/{meeting}/agenda"),
                &[("patient_id", &w.a1.to_string()), ("reason", "SEH-bezoek")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = poh
            .post_form(
                &format!("/mdo/{meeting}/patienten/{}", w.a1),
                &[("minutes", "Besproken")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        plan_meeting(&poh, "2026-03-30").await; // planned, never held
        for (kind, at) in [
            ("seh_verwijzing", "2026-01-15T09:00:00+01:00"),
            ("elv_laag_complex", "2026-02-01T14:00:00+01:00"),
            ("wlz_crisisopname", "2026-03-31T23:30:00+02:00"),
            ("val", "2026-03-01T08:00:00+01:00"),
            ("elv_palliatief", "2026-04-02T12:00:00+02:00"),
        ] {
            let r = poh
                .api(
                    "POST",
                    &format!("/api/v1/patients/{}/events", w.a2),
                    Some(json!({ "kind": kind, "occurred_at": at })),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{kind}: {}", r.text());
        }

        // The formation, set by the practice manager through the form and the API.
        let r = manager
            .post_form("/praktijk/formatie", &[("hours", "6,5"), ("valid_from", "2025-10-01")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let r = manager
            .api(
                "POST",
                "/api/v1/practice/poh-o-hours",
                Some(json!({ "hours": 8.25, "valid_from": "2026-04-01" })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(r.json()["current"], 8.25);
        let page = poh.get("/praktijk/formatie").await.text();
        assert!(page.contains("8,25 uur per week"), "{page}");
        assert!(page.contains("Mieke Manager"));
        assert!(!page.contains("name=\"hours\""), "a POH-O has no form");

        let period = Period::parse(ReportKind::Quarterly, "2026-Q1").unwrap();
        let report = kernteam_report::build_report(&w.db, &period, &CodeSets::default(), &mut |_, _| {})
            .await
            .unwrap();
        let a = report.practices.iter().find(|p| p.agb_code == "09000001").unwrap();
        assert_eq!(a.recorded.mdo_count, 1);
        assert_eq!(a.recorded.seh_referrals, 1);
        assert_eq!(a.recorded.elv_referrals, 1);
        assert_eq!(a.recorded.wlz_crisis_admissions, 1);
        assert_eq!(a.recorded.poh_o_hours_per_week, Some(6.5));
        let b = report.practices.iter().find(|p| p.agb_code == "09000002").unwrap();
        assert_eq!((b.recorded.mdo_count, b.recorded.poh_o_hours_per_week), (0, None));
        let q2 = Period::parse(ReportKind::Quarterly, "2026-Q2").unwrap();
        let report = kernteam_report::build_report(&w.db, &q2, &CodeSets::default(), &mut |_, _| {})
            .await
            .unwrap();
        let a = report.practices.iter().find(|p| p.agb_code == "09000001").unwrap();
        assert_eq!((a.recorded.mdo_count, a.recorded.elv_referrals), (0, 1));
        assert_eq!(a.recorded.poh_o_hours_per_week, Some(8.25));

        // The MDO page counts the same quarter.
        let list = poh.get("/api/v1/mdo").await.json();
        let q1 = list["quarters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["quarter"] == "2026-Q1")
            .unwrap()
            .clone();
        assert_eq!(
            q1,
            json!({ "quarter": "2026-Q1", "meetings_held": 1, "meetings_planned": 1, "patients_discussed": 1 })
        );
        t.finish().await;
    }
}
