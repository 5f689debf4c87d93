//! Events with the 24-hour handover clock and the POH-O formation over HTTP (pages and
//! API), on SQLite and PostgreSQL: a late handover shows on the worklist, bad input stores
//! nothing and shows the stored record again with that read in the audit log, another
//! practice sees nothing, and the quarterly report counts what was recorded.

mod common;

use axum::http::StatusCode;
use chrono::{DateTime, Duration, Local, Utc};
use common::process::{add_user, local_ago, today};
use common::{audit_rows, count, seed, yesterday, Client, World};
use kernteam_domain::access::Role;
use kernteam_domain::care::DecisionKind;
use kernteam_domain::codes::CodeSets;
use kernteam_domain::period::{Period, ReportKind};
use kernteam_store::care::NewDecision;
use kernteam_store::testing;
use kernteam_web::api::OPENAPI_PATH;
use serde_json::json;

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

/// How often the user's audit records name `action` for `patient`.
async fn reads(w: &World, user: i64, patient: i64, action: &str) -> usize {
    audit_rows(&w.db, user)
        .await
        .iter()
        .filter(|(p, a)| *p == Some(patient) && a == action)
        .count()
}

/// Asserts that an answer has the shape the OpenAPI document gives it.
fn documented(doc: &serde_json::Value, method: &str, path: &str, r: &common::Resp) {
    let schema = common::response_schema(doc, method, path, r.status.as_u16()).expect("a documented body");
    let problems = common::check_schema(doc, schema, &r.json());
    assert!(problems.is_empty(), "{method} {path}: {problems:#?}\n{}", r.text());
}

/// The events of a patient from the API, by id: (kind, handover status).
async fn handovers(c: &Client, patient: i64) -> Vec<(i64, String, String)> {
    let r = c.get(&format!("/api/v1/patients/{patient}/events")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["id"].as_i64().unwrap(),
                e["kind"].as_str().unwrap().to_string(),
                e["handover"]["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The worklist items of a patient (text) from the API.
async fn worklist_texts(c: &Client, patient: i64, query: &str) -> Vec<String> {
    let r = c.get(&format!("/api/v1/worklist{query}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["patients"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["id"] == patient)
        .flat_map(|p| p["items"].as_array().unwrap().clone())
        .map(|i| i["text"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_late_handover_shows_on_the_worklist_and_one_sent_in_time_does_not() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        include(&w, w.a1).await;
        let doc = Client::anonymous(&w.app).get(OPENAPI_PATH).await.json();
        let poh = Client::sign_in(&w.app, "poh-a").await;
        let events_page = format!("/patienten/{}/gebeurtenissen", w.a1);

        // A discharge 30 hours ago, recorded with the form's local date and time.
        let (date, time) = local_ago(30);
        let r = poh
            .post_form(
                &events_page,
                &[
                    ("kind", "ontslag_ziekenhuis"),
                    ("date", &date),
                    ("time", &time),
                    ("notes", "Terug naar huis na heupoperatie"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let stored = w.db.events(w.a1).await.unwrap();
        let at = DateTime::parse_from_rfc3339(&stored[0].occurred_at).unwrap();
        assert_eq!(at.offset().local_minus_utc(), 0, "stored in UTC");
        assert!(stored[0].occurred_at.ends_with('Z'));
        let ago = Utc::now() - at.with_timezone(&Utc);
        assert!(
            ago > Duration::minutes(30 * 60 - 2) && ago < Duration::minutes(30 * 60 + 2),
            "{ago}"
        );
        let discharge = stored[0].id;

        let page = poh.get(&events_page).await.text();
        assert!(page.contains("Te laat: nog niet verstuurd"), "{page}");
        let list = poh.get("/werklijst").await;
        assert_eq!(list.status, StatusCode::OK);
        let text = list.text();
        assert!(
            text.contains("Overdracht bij ontslag uit het ziekenhuis: te laat, nog niet verstuurd"),
            "{text}"
        );
        assert!(text.contains(&format!("/patienten/{}/gebeurtenissen#gebeurtenis-{discharge}", w.a1)));
        let r = poh.get("/api/v1/worklist").await;
        let problems = common::check_schema(
            &doc,
            common::response_schema(&doc, "GET", "/api/v1/worklist", 200).unwrap(),
            &r.json(),
        );
        assert!(problems.is_empty(), "{problems:#?}");
        assert_eq!(r.json()["groups"][0]["kind"], "overdracht", "urgent groups first");

        // An admission two hours ago whose handover was sent an hour later: on time.
        let admitted = (Utc::now() - Duration::hours(2)).to_rfc3339();
        let r = poh
            .api(
                "POST",
                &format!("/api/v1/patients/{}/events", w.a1),
                Some(json!({ "kind": "elv_hoog_complex", "occurred_at": admitted })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(r.json()["handover"]["status"], "open");
        documented(&doc, "POST", "/api/v1/patients/{id}/events", &r);
        let admission = r.json()["id"].as_i64().unwrap();
        let org = organisation(&w).await;
        let r = poh
            .post_form(
                &format!("{events_page}/{admission}/overdracht"),
                &[("organisation", &org.to_string())],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert_eq!(
            handovers(&poh, w.a1).await,
            [
                (admission, "elv_hoog_complex".to_string(), "sent_in_time".to_string()),
                (discharge, "ontslag_ziekenhuis".to_string(), "overdue".to_string()),
            ]
        );
        let items = worklist_texts(&poh, w.a1, "").await;
        assert_eq!(
            items.iter().filter(|i| i.starts_with("Overdracht")).collect::<Vec<_>>(),
            ["Overdracht bij ontslag uit het ziekenhuis: te laat, nog niet verstuurd"]
        );
        assert!(items
            .iter()
            .any(|i| i.starts_with("Kandidaat voor het volgende MDO: recent")));

        // Sent again (to another organisation): allowed, the first still meets the clock.
        // Without an organisation, or with a time of its own: refused.
        let r = poh
            .api(
                "POST",
                &format!("/api/v1/patients/{}/events/{admission}/handover", w.a1),
                Some(json!({ "organisation_id": org })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(r.json()["handover"]["status"], "sent_in_time");
        assert_eq!(r.json()["handover"]["documents"].as_array().unwrap().len(), 2);
        let r = poh
            .api(
                "POST",
                &format!("/api/v1/patients/{}/events/{discharge}/handover", w.a1),
                Some(json!({})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            r.json()["details"],
            json!(["Kies de organisatie die de overdracht ontvangt."])
        );
        let r = poh
            .api(
                "POST",
                &format!("/api/v1/patients/{}/events/{discharge}/handover", w.a1),
                Some(json!({ "organisation_id": org, "sent_at": (Utc::now() - Duration::hours(40)).to_rfc3339() })),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.json()["details"][0]
            .as_str()
            .unwrap()
            .starts_with("sent_at wordt niet meer aangenomen"));
        let r = poh
            .api(
                "POST",
                &format!("/api/v1/patients/{}/events", w.a1),
                Some(json!({ "kind": "val", "occurred_at": Utc::now().to_rfc3339() })),
            )
            .await;
        let fall = r.json()["id"].as_i64().unwrap();
        let r = poh
            .api(
                "POST",
                &format!("/api/v1/patients/{}/events/{fall}/handover", w.a1),
                Some(json!({ "organisation_id": org })),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["details"], json!(["Bij een val hoort geen overdracht."]));

        // The late discharge sent now: late, and still on the worklist for a while.
        let r = poh
            .api(
                "POST",
                &format!("/api/v1/patients/{}/events/{discharge}/handover", w.a1),
                Some(json!({ "organisation_id": org })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(r.json()["handover"]["status"], "sent_late");
        assert_eq!(r.json()["handover"]["documents"][0]["late"], true);
        assert_eq!(
            r.json()["handover"]["documents"][0]["organisation"],
            "Thuiszorg Heuvelland"
        );
        documented(&doc, "POST", "/api/v1/patients/{id}/events/{event}/handover", &r);
        let listed = poh.get(&format!("/api/v1/patients/{}/events", w.a1)).await;
        documented(&doc, "GET", "/api/v1/patients/{id}/events", &listed);
        let history = poh.get(&format!("/api/v1/patients/{}/mdo", w.a1)).await;
        documented(&doc, "GET", "/api/v1/patients/{id}/mdo", &history);
        assert_eq!(r.json()["handover"]["late"], true);
        let items = worklist_texts(&poh, w.a1, "").await;
        assert!(items.contains(&"Overdracht bij ontslag uit het ziekenhuis: te laat verstuurd".to_string()));

        // "Only my patients": the POH-O is not on a1's team, the district nurse is.
        assert!(worklist_texts(&poh, w.a1, "?mine=true").await.is_empty());
        let mine = poh.get("/werklijst?mijn=1").await.text();
        assert!(mine.contains("0 patiënten"), "{mine}");
        let nurse = Client::sign_in(&w.app, "wvk-team").await;
        // The district nurse's worklist holds her own tasks, not the practice's handovers.
        let nurse_items = worklist_texts(&nurse, w.a1, "").await;
        assert!(nurse_items.is_empty(), "{nurse_items:?}");
        let r = nurse.get("/api/v1/worklist").await.json();
        assert_eq!(
            (r["view"].as_str(), r["patients_count"].as_u64()),
            (Some("my_tasks"), Some(0))
        );
        assert!(nurse.get("/werklijst").await.text().contains("Werklijst"));
        let regional = Client::sign_in(&w.app, "regio").await;
        assert_eq!(regional.get("/werklijst").await.status, StatusCode::FORBIDDEN);
        t.finish().await;
    }
}

/// The seeded district-nursing organisation.
async fn organisation(w: &World) -> i64 {
    w.db.organisations().await.unwrap()[0].id
}

/// Records an admission of a1 three hours ago through the API; returns its id.
async fn admission(w: &World, poh: &Client) -> i64 {
    let at = (Utc::now() - Duration::hours(3)).to_rfc3339();
    let r = poh
        .api(
            "POST",
            &format!("/api/v1/patients/{}/events", w.a1),
            Some(json!({ "kind": "ziekenhuisopname", "occurred_at": at })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["id"].as_i64().unwrap()
}

/// The newest read of a1's events in a1's access trail: (user, detail).
async fn newest_events_read(w: &World) -> (String, Option<String>) {
    let trail = w.db.audit_for_patient(w.a1).await.unwrap();
    let newest = trail.iter().find(|r| r.action == "gebeurtenissen ingezien").unwrap();
    (newest.username.clone(), newest.detail.clone())
}

#[tokio::test]
async fn a_refused_event_shows_the_record_again_and_logs_that_read() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let poh = Client::sign_in(&w.app, "poh-a").await;
        admission(&w, &poh).await;
        let before = reads(&w, w.poh_a, w.a1, "gebeurtenissen ingezien").await;
        let r = poh
            .post_form(
                &format!("/patienten/{}/gebeurtenissen", w.a1),
                &[("kind", "vakantie"), ("date", &today()), ("time", "00:00")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("Ziekenhuisopname"), "the stored event is shown");
        assert_eq!(
            reads(&w, w.poh_a, w.a1, "gebeurtenissen ingezien").await,
            before + 1,
            "showing the record again is a read in the audit log"
        );
        assert_eq!(
            newest_events_read(&w).await,
            ("poh-a".to_string(), Some("na geweigerde invoer".to_string()))
        );
        assert_eq!(count(&w.db, "SELECT COUNT(*) FROM care_events").await, 1);
        t.finish().await;
    }
}

#[tokio::test]
async fn a_refused_handover_shows_the_record_again_and_logs_that_read() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let poh = Client::sign_in(&w.app, "poh-a").await;
        let event = admission(&w, &poh).await;
        let before = reads(&w, w.poh_a, w.a1, "gebeurtenissen ingezien").await;
        // No recipient chosen: refused, and the page shows the stored events again.
        let r = poh
            .post_form(
                &format!("/patienten/{}/gebeurtenissen/{event}/overdracht", w.a1),
                &[("organisation", "")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let text = r.text();
        assert!(
            text.contains("Kies de organisatie die de overdracht ontvangt."),
            "{text}"
        );
        assert!(text.contains("De overdracht is niet verstuurd."), "{text}");
        assert!(text.contains("Ziekenhuisopname"), "the stored event is shown");
        assert_eq!(reads(&w, w.poh_a, w.a1, "gebeurtenissen ingezien").await, before + 1);
        assert_eq!(
            newest_events_read(&w).await,
            ("poh-a".to_string(), Some("na geweigerde invoer".to_string()))
        );
        assert!(w.db.events(w.a1).await.unwrap()[0].handover_sent_at.is_none());
        assert!(w.db.handovers(w.a1).await.unwrap().is_empty());
        t.finish().await;
    }
}

#[tokio::test]
async fn bad_events_and_formations_are_refused_with_nothing_stored_and_other_practices_see_nothing() {
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
        // A POH-O sees the formation but may not set it; the refusal is logged.
        assert_eq!(poh.get("/praktijk/formatie").await.status, StatusCode::OK);
        let r = poh
            .post_form("/praktijk/formatie", &[("hours", "6"), ("valid_from", "2026-01-01")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(
            audit_rows(&w.db, w.poh_a).await.last().map(|(_, a)| a.as_str()),
            Some("toegang geweigerd")
        );
        // Network professionals have no practice formation.
        let nurse = Client::sign_in(&w.app, "wvk-team").await;
        assert_eq!(nurse.get("/praktijk/formatie").await.status, StatusCode::FORBIDDEN);
        assert_eq!(
            nurse.get("/api/v1/practice/poh-o-hours").await.status,
            StatusCode::FORBIDDEN
        );

        // Another practice's user: 404 for everything of practice A's patients.
        let other = Client::sign_in(&w.app, "poh-b").await;
        assert_eq!(other.get(&events).await.status, StatusCode::NOT_FOUND);
        let (date, time) = local_ago(1);
        let r = other
            .post_form(&events, &[("kind", "val"), ("date", &date), ("time", &time)])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(
            other.get(&format!("/api/v1/patients/{}/events", w.a1)).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            other.get(&format!("/api/v1/patients/{}/mdo", w.a1)).await.status,
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
        // A network professional outside the care team.
        let outsider = Client::sign_in(&w.app, "wvk-ander").await;
        assert_eq!(outsider.get(&events).await.status, StatusCode::NOT_FOUND);
        assert_eq!(count(&w.db, "SELECT COUNT(*) FROM care_events").await, 0);
        t.finish().await;
    }
}

#[tokio::test]
async fn the_quarterly_report_counts_the_events_and_the_formation() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let poh = Client::sign_in(&w.app, "poh-a").await;
        add_user(&w, "pm-a", "Mieke Manager", Role::Praktijkmanager, w.practice_a).await;
        let manager = Client::sign_in(&w.app, "pm-a").await;
        // In 2026-Q1 three events that count and one that does not; one in Q2.
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
        let doc = Client::anonymous(&w.app).get(OPENAPI_PATH).await.json();
        documented(&doc, "POST", "/api/v1/practice/poh-o-hours", &r);
        let shown = poh.get("/api/v1/practice/poh-o-hours").await;
        documented(&doc, "GET", "/api/v1/practice/poh-o-hours", &shown);
        let refused = poh
            .api(
                "POST",
                &format!("/api/v1/patients/{}/events", w.a1),
                Some(json!({ "kind": "val", "occurred_at": "gisteren" })),
            )
            .await;
        documented(&doc, "POST", "/api/v1/patients/{id}/events", &refused);
        assert_eq!(r.json()["can_set"], true);
        assert_eq!(r.json()["history"][1]["hours"], 6.5);
        let page = poh.get("/praktijk/formatie").await.text();
        assert!(page.contains("8,25 uur per week"), "{page}");
        assert!(page.contains("Mieke Manager"));
        assert!(!page.contains("name=\"hours\""), "a POH-O has no form");
        assert_eq!(poh.get("/api/v1/practice/poh-o-hours").await.json()["can_set"], false);

        let period = Period::parse(ReportKind::Quarterly, "2026-Q1").unwrap();
        let report = kernteam_report::build_report(&w.db, &period, &CodeSets::default(), &mut |_, _| {})
            .await
            .unwrap();
        let a = report.practices.iter().find(|p| p.agb_code == "09000001").unwrap();
        assert_eq!(a.recorded.seh_referrals, 1);
        assert_eq!(a.recorded.elv_referrals, 1);
        assert_eq!(a.recorded.wlz_crisis_admissions, 1);
        assert_eq!(a.recorded.poh_o_hours_per_week, Some(6.5));
        let b = report.practices.iter().find(|p| p.agb_code == "09000002").unwrap();
        assert_eq!(b.recorded.poh_o_hours_per_week, None);
        let q2 = Period::parse(ReportKind::Quarterly, "2026-Q2").unwrap();
        let report = kernteam_report::build_report(&w.db, &q2, &CodeSets::default(), &mut |_, _| {})
            .await
            .unwrap();
        let a = report.practices.iter().find(|p| p.agb_code == "09000001").unwrap();
        assert_eq!(a.recorded.elv_referrals, 1);
        assert_eq!(a.recorded.poh_o_hours_per_week, Some(8.25));
        t.finish().await;
    }
}
