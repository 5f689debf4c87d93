//! The handover summary and the discharge letter over HTTP, on SQLite and PostgreSQL:
//! a handover sent to a named organisation is stored as a document that meets the clock
//! (late ones flagged), prints on its own page and is read back through the gate at
//! `/fhir/Bundle/{id}` (the recipient organisation's accounts included, with the read in
//! the audit log); a tick of the old tick box stays readable; a hospital's discharge
//! letter, by `POST /fhir` or uploaded on the patient's page, records the discharge and
//! starts the clock, and a bad one is refused with every problem named and nothing stored.

mod common;
mod fhir_support;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::{Duration, Utc};
use common::{count, seed, send, Client, World};
use fhir_support::bearer_get;
use kernteam_fhir::systems;
use kernteam_store::testing;
use serde_json::{json, Value};

/// Includes the patient in the program (the worklist holds included patients).
async fn include(w: &World, patient: i64) {
    kernteam_store::audited!(w.db, testing::entry(), |ch| ch.add_decision(
        patient,
        &kernteam_store::care::NewDecision {
            kind: kernteam_domain::care::DecisionKind::Inclusion,
            decided_on: common::yesterday().parse().unwrap(),
            deciding_gp: Some("Dr. Jekerdal".into()),
            reason: None,
            considerations: None,
        },
        w.poh_a,
    ))
    .unwrap();
}

async fn organisation(w: &World) -> i64 {
    w.db.organisations().await.unwrap()[0].id
}

/// Records an event of a1 `hours_ago`; returns its id.
async fn event(poh: &Client, w: &World, kind: &str, hours_ago: i64) -> i64 {
    let at = (Utc::now() - Duration::hours(hours_ago)).to_rfc3339();
    let r = poh
        .api(
            "POST",
            &format!("/api/v1/patients/{}/events", w.a1),
            Some(json!({ "kind": kind, "occurred_at": at })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["id"].as_i64().unwrap()
}

/// The newest audit record of a patient: (user, action, detail).
async fn newest(w: &World, patient: i64) -> (String, String, Option<String>) {
    let trail = w.db.audit_for_patient(patient).await.unwrap();
    let r = &trail[0];
    (r.username.clone(), r.action.clone(), r.detail.clone())
}

#[tokio::test]
async fn a_handover_is_sent_to_an_organisation_stored_printed_and_read_by_the_recipient() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        include(&w, w.a1).await;
        let poh = Client::sign_in(&w.app, "poh-a").await;
        let org = organisation(&w).await;
        let page = format!("/patienten/{}/gebeurtenissen", w.a1);
        // An SEH referral needs a handover too.
        let seh = event(&poh, &w, "seh_verwijzing", 2).await;
        let text = poh.get(&page).await.text();
        assert!(text.contains("Nog te versturen"), "{text}");
        assert!(
            text.contains("Thuiszorg Heuvelland (wijkverpleging)"),
            "the recipients are listed"
        );
        let list = poh.get("/werklijst").await.text();
        assert!(list.contains("Overdracht bij verwijzing naar de seh"), "{list}");

        let r = poh
            .post_form(
                &format!("{page}/{seh}/overdracht"),
                &[("organisation", &org.to_string())],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let sent = w.db.handovers(w.a1).await.unwrap();
        assert_eq!(sent.len(), 1);
        let h = &sent[0];
        assert_eq!(
            (h.organisation_id, h.sent_by, h.has_document),
            (Some(org), Some(w.poh_a), true)
        );
        let (user, action, detail) = newest(&w, w.a1).await;
        assert_eq!((user.as_str(), action.as_str()), ("poh-a", "overdracht verstuurd"));
        let detail = detail.unwrap();
        assert!(detail.contains("aan Thuiszorg Heuvelland"), "{detail}");
        let doc: Value = serde_json::from_str(&w.db.handover_document(h.id).await.unwrap().unwrap()).unwrap();
        let id = format!("{}-overdracht-{}", w.a1, h.id);
        assert_eq!(
            (doc["type"].as_str(), doc["id"].as_str()),
            (Some("document"), Some(id.as_str()))
        );
        assert!(doc["entry"][0]["resource"]["title"]
            .as_str()
            .unwrap()
            .ends_with("aan Thuiszorg Heuvelland"));
        let text = poh.get(&page).await.text();
        assert!(text.contains("Op tijd verstuurd"), "{text}");
        assert!(text.contains(&format!("/patienten/{}/overdrachten/{}", w.a1, h.id)));
        assert!(!poh
            .get("/werklijst")
            .await
            .text()
            .contains("Overdracht bij verwijzing naar de seh"));

        // The print view: the document as sent, in Dutch, audited.
        let print = poh.get(&format!("/patienten/{}/overdrachten/{}", w.a1, h.id)).await;
        assert_eq!(print.status, StatusCode::OK);
        let text = print.text();
        for s in [
            "Overdracht bij verwijzing naar de seh aan Thuiszorg Heuvelland",
            "Eerste aanspreekpunt en zorgteam",
            "Individueel zorgplan",
            "Doel: Veilig lopen",
            "Wensen en grenzen (PZP)",
            "Actieve episodes",
            "Actuele medicatie",
            "Recente gebeurtenissen",
            "door Petra Poh",
        ] {
            assert!(text.contains(s), "{s}: {text}");
        }
        assert_eq!(newest(&w, w.a1).await.1, "overdracht afgedrukt");
        let other = Client::sign_in(&w.app, "poh-b").await;
        assert_eq!(
            other
                .get(&format!("/patienten/{}/overdrachten/{}", w.a1, h.id))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            poh.get(&format!("/patienten/{}/overdrachten/{}", w.a2, h.id))
                .await
                .status,
            StatusCode::NOT_FOUND,
            "another patient's handover is not found under this one"
        );

        // The FHIR read: the recipient organisation's account not on the care team reads
        // it with its token (audited as recipient); other practices and region staff do not.
        let op = kernteam_app::App::new(w.db.clone());
        let token = op
            .issue_fhir_token(&op.operator(), "wvk-ander", "ECD Thuiszorg")
            .await
            .unwrap()
            .token;
        let r = bearer_get(&w, &format!("/fhir/Bundle/{id}"), &token).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json(), doc, "the document as sent");
        let (user, action, detail) = newest(&w, w.a1).await;
        assert_eq!((user.as_str(), action.as_str()), ("wvk-ander", "FHIR: gelezen"));
        let detail = detail.unwrap();
        assert!(detail.starts_with(&format!("Bundle/{id} (ontvanger)")), "{detail}");
        assert_eq!(
            bearer_get(&w, &format!("/fhir/Patient/{}", w.a1), &token).await.status,
            StatusCode::NOT_FOUND,
            "the document, not the record"
        );
        assert_eq!(poh.get(&format!("/fhir/Bundle/{id}")).await.status, StatusCode::OK);
        let r = other.get(&format!("/fhir/Bundle/{id}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.json()["resourceType"], "OperationOutcome");
        assert_eq!(newest(&w, w.a1).await.1, "toegang geweigerd");
        let region = Client::sign_in(&w.app, "regio").await;
        assert_eq!(
            region.get(&format!("/fhir/Bundle/{id}")).await.status,
            StatusCode::NOT_FOUND
        );
        for missing in [
            format!("{}-overdracht-999", w.a1),
            "abc".into(),
            format!("{}-overdracht-{}", w.a2, h.id),
        ] {
            assert_eq!(
                poh.get(&format!("/fhir/Bundle/{missing}")).await.status,
                StatusCode::NOT_FOUND,
                "{missing}"
            );
        }
        assert_eq!(poh.get("/fhir/Bundle?patient=1").await.status, StatusCode::BAD_REQUEST);
        let meta = poh.get("/fhir/metadata").await.json();
        assert!(meta.to_string().contains("\"transaction\""));
        t.finish().await;
    }
}

#[tokio::test]
async fn a_late_handover_is_flagged_and_an_old_tick_stays_readable() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let poh = Client::sign_in(&w.app, "poh-a").await;
        let org = organisation(&w).await;
        let discharge = event(&poh, &w, "ontslag_ziekenhuis", 30).await;
        let r = poh
            .api(
                "POST",
                &format!("/api/v1/patients/{}/events/{discharge}/handover", w.a1),
                Some(json!({ "organisation_id": org })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(r.json()["handover"]["status"], "sent_late");
        let page = poh.get(&format!("/patienten/{}/gebeurtenissen", w.a1)).await.text();
        assert!(
            page.contains("Te laat verstuurd") && page.contains("te laat</strong>"),
            "{page}"
        );
        let h = w.db.handovers(w.a1).await.unwrap()[0].id;
        let print = poh.get(&format!("/patienten/{}/overdrachten/{h}", w.a1)).await.text();
        assert!(print.contains("te laat: na 24 uur"), "{print}");

        // A tick of the old tick box (what migration 0019 made of one): sent, no document.
        let admission = event(&poh, &w, "ziekenhuisopname", 10).await;
        let ticked = (Utc::now() - Duration::hours(9))
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string();
        kernteam_store::sqlx::query(
            "INSERT INTO handovers (patient_id, event_id, sent_at, recorded_at) VALUES ($1, $2, $3, $3)",
        )
        .bind(w.a1)
        .bind(admission)
        .bind(&ticked)
        .execute(w.db.pool())
        .await
        .unwrap();
        let listed = poh.get(&format!("/api/v1/patients/{}/events", w.a1)).await.json();
        let e = listed["events"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == admission)
            .unwrap()
            .clone();
        assert_eq!(e["handover"]["status"], "sent_in_time");
        assert_eq!(e["handover"]["documents"][0]["organisation"], Value::Null);
        assert_eq!(e["handover"]["documents"][0]["document"], Value::Null);
        let page = poh.get(&format!("/patienten/{}/gebeurtenissen", w.a1)).await.text();
        assert!(
            page.contains("oude registratie, zonder document en ontvanger"),
            "{page}"
        );
        let legacy =
            w.db.handovers(w.a1)
                .await
                .unwrap()
                .iter()
                .find(|h| !h.has_document)
                .unwrap()
                .id;
        assert_eq!(
            poh.get(&format!("/fhir/Bundle/{}-overdracht-{legacy}", w.a1))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            poh.get(&format!("/patienten/{}/overdrachten/{legacy}", w.a1))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        // A fall needs none; a network professional on the team may send one.
        let fall = event(&poh, &w, "val", 1).await;
        let r = poh
            .post_form(
                &format!("/patienten/{}/gebeurtenissen/{fall}/overdracht", w.a1),
                &[("organisation", &org.to_string())],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("Bij een val hoort geen overdracht."));
        let nurse = Client::sign_in(&w.app, "wvk-team").await;
        let r = nurse
            .api(
                "POST",
                &format!("/api/v1/patients/{}/events/{admission}/handover", w.a1),
                Some(json!({ "organisation_id": org })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        t.finish().await;
    }
}

/// A discharge letter for a1 (by Kernteam's id, or by BSN when given).
fn letter(w: &World, bsn: Option<&str>, end: &str) -> Value {
    let subject = if bsn.is_some() {
        "urn:uuid:p1".to_string()
    } else {
        format!("Patient/{}", w.a1)
    };
    let mut entry = vec![
        json!({ "fullUrl": "urn:uuid:o1", "resource": { "resourceType": "Organization", "name": "Ziekenhuis Zuid" } }),
        json!({ "resource": { "resourceType": "Encounter", "status": "finished",
            "class": { "system": systems::ACT_CODE, "code": "IMP" },
            "subject": { "reference": subject }, "serviceProvider": { "reference": "urn:uuid:o1" },
            "hospitalization": { "dischargeDisposition": { "text": "naar huis" } },
            "period": { "end": end } } }),
        json!({ "resource": { "resourceType": "Condition", "subject": { "reference": subject },
            "code": { "coding": [{ "system": systems::ICPC_1_NL, "code": "L75", "display": "Heupfractuur" }] } } }),
    ];
    if let Some(b) = bsn {
        entry.push(
            json!({ "fullUrl": "urn:uuid:p1", "resource": { "resourceType": "Patient",
            "identifier": [{ "system": systems::BSN, "value": b }] } }),
        );
    }
    json!({ "resourceType": "Bundle", "type": "collection", "entry": entry })
}

async fn post_bearer(w: &World, token: Option<&str>, body: &Value) -> common::Resp {
    let mut b = Request::post("/fhir").header(header::CONTENT_TYPE, "application/fhir+json");
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    send(&w.app, b.body(Body::from(body.to_string())).unwrap()).await
}

async fn stored(w: &World) -> (i64, i64) {
    (
        count(&w.db, "SELECT COUNT(*) FROM care_events").await,
        count(&w.db, "SELECT COUNT(*) FROM received_documents").await,
    )
}

#[tokio::test]
async fn a_discharge_letter_posted_to_fhir_records_the_discharge_or_names_each_problem() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let op = kernteam_app::App::new(w.db.clone());
        let nurse = op
            .issue_fhir_token(&op.operator(), "wvk-team", "ECD")
            .await
            .unwrap()
            .token;
        let outsider = op
            .issue_fhir_token(&op.operator(), "wvk-ander", "ECD 2")
            .await
            .unwrap()
            .token;
        let end = (Utc::now() - Duration::hours(2)).to_rfc3339();

        // Bad: every problem named with where it is; nothing stored.
        let mut bad = letter(&w, None, "gisteren");
        bad["entry"][1]["resource"]["status"] = json!("in-progress");
        bad["entry"][2]["resource"]["code"] = json!({});
        let r = post_bearer(&w, Some(&nurse), &bad).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
        let outcome = r.json();
        assert_eq!(outcome["resourceType"], "OperationOutcome");
        let at: Vec<&str> = outcome["issue"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["expression"][0].as_str().unwrap())
            .collect();
        assert_eq!(
            at,
            [
                "Bundle.entry[1].resource.status",
                "Bundle.entry[1].resource.period.end",
                "Bundle.entry[2].resource.code"
            ]
        );
        assert_eq!(stored(&w).await, (0, 0));
        let r = post_bearer(&w, Some(&nurse), &json!({ "resourceType": "Patient" })).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        // Not on the care team: not found, nothing stored; no caller: 401.
        let r = post_bearer(&w, Some(&outsider), &letter(&w, None, &end)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text());
        assert_eq!(
            post_bearer(&w, None, &letter(&w, None, &end)).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(stored(&w).await, (0, 0));

        // Good: the discharge recorded, the clock running, the letter kept; twice: 409.
        let r = post_bearer(&w, Some(&nurse), &letter(&w, None, &end)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(r.json()["resourceType"], "Encounter");
        assert!(r.location().unwrap().contains("/fhir/Encounter/"));
        assert_eq!(stored(&w).await, (1, 1));
        let events = w.db.events(w.a1).await.unwrap();
        assert_eq!(events[0].kind, "ontslag_ziekenhuis");
        let notes = events[0].notes.clone().unwrap();
        assert!(
            notes.starts_with("Ontslagbericht van Ziekenhuis Zuid") && notes.contains("Heupfractuur (L75)"),
            "{notes}"
        );
        let trail = w.db.audit_for_patient(w.a1).await.unwrap();
        assert!(trail
            .iter()
            .any(|r| r.action == "ontslagbericht ingelezen" && r.username == "wvk-team"));
        let poh = Client::sign_in(&w.app, "poh-a").await;
        let listed = poh.get(&format!("/api/v1/patients/{}/events", w.a1)).await.json();
        assert_eq!(listed["events"][0]["handover"]["status"], "open");
        assert_eq!(
            post_bearer(&w, Some(&nurse), &letter(&w, None, &end)).await.status,
            StatusCode::CONFLICT
        );
        assert_eq!(stored(&w).await, (1, 1));

        // By BSN (the Patient in the Bundle): the patient whose latest extract has it; an
        // unknown BSN is not found.
        let snap = w.db.latest_snapshot(w.practice_a).await.unwrap().unwrap();
        let a1 = w.db.patient(w.a1).await.unwrap();
        let bsn = w.db.person(snap.snapshot_id, &a1).await.unwrap().unwrap().bsn.unwrap();
        let end3 = (Utc::now() - Duration::hours(3)).to_rfc3339();
        let r = post_bearer(&w, Some(&nurse), &letter(&w, Some(&bsn), &end3)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(r.json()["subject"]["reference"], format!("Patient/{}", w.a1));
        let r = post_bearer(&w, Some(&nurse), &letter(&w, Some("111222333"), &end3)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text());
        assert_eq!(stored(&w).await, (2, 2));

        // With a session: the CSRF token is needed.
        let end2 = (Utc::now() - Duration::hours(1)).to_rfc3339();
        let r = poh
            .api_with_token("POST", "/fhir", Some(letter(&w, None, &end2)), None)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(r.json()["resourceType"], "OperationOutcome");
        assert_eq!(stored(&w).await, (2, 2));
        // Another Authorization scheme (a browser's cached Basic credentials) is no bearer
        // token: the session still needs its CSRF token.
        let r = send(
            &w.app,
            Request::post("/fhir")
                .header(header::COOKIE, &poh.cookie)
                .header(header::AUTHORIZATION, "Basic cG9oOng=")
                .header(header::CONTENT_TYPE, "application/fhir+json")
                .body(Body::from(letter(&w, None, &end2).to_string()))
                .unwrap(),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(stored(&w).await, (2, 2));
        let r = poh.api("POST", "/fhir", Some(letter(&w, None, &end2))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        t.finish().await;
    }
}

#[tokio::test]
async fn a_discharge_letter_uploaded_on_the_page_records_the_discharge_or_lists_the_problems() {
    for t in testing::all().await {
        let w = seed(&t.db).await;
        let poh = Client::sign_in(&w.app, "poh-a").await;
        let upload = format!("/patienten/{}/gebeurtenissen/ontslagbericht", w.a1);
        let snap = w.db.latest_snapshot(w.practice_a).await.unwrap().unwrap();
        let a1 = w.db.patient(w.a1).await.unwrap();
        let bsn = w.db.person(snap.snapshot_id, &a1).await.unwrap().unwrap().bsn.unwrap();
        let end = (Utc::now() - Duration::hours(3)).to_rfc3339();
        assert!(poh
            .get(&format!("/patienten/{}/gebeurtenissen", w.a1))
            .await
            .text()
            .contains("enctype=\"multipart/form-data\""));

        // Without the CSRF token: refused.
        let r = poh
            .post_file(
                &upload,
                "bestand",
                letter(&w, Some(&bsn), &end).to_string().as_bytes(),
                false,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // Bad: a Dutch list of the problems, nothing stored.
        let mut bad = letter(&w, Some(&bsn), &end);
        bad["entry"][1]["resource"]["serviceProvider"] = json!({});
        bad["entry"][1]["resource"]["class"]["code"] = json!("AMB");
        let r = poh
            .post_file(&upload, "bestand", bad.to_string().as_bytes(), true)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let text = r.text();
        assert!(
            text.contains("Het ontslagbericht is niet ingelezen; er is niets vastgelegd."),
            "{text}"
        );
        assert!(
            text.contains("Encounter-klasse &#x27;AMB&#x27; is geen ziekenhuisopname")
                || text.contains("Encounter-klasse &#39;AMB&#39;")
                || text.contains("Encounter-klasse 'AMB'"),
            "{text}"
        );
        assert!(
            text.contains("Het ziekenhuis (serviceProvider, met naam) ontbreekt."),
            "{text}"
        );
        let r = poh.post_file(&upload, "bestand", b"geen json", true).await;
        assert!(r.text().contains("geen leesbare JSON"));
        // Another patient's BSN: refused.
        let r = poh
            .post_file(
                &upload,
                "bestand",
                letter(&w, Some("111222333"), &end).to_string().as_bytes(),
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("is niet dat van deze patiënt"));
        assert_eq!(stored(&w).await, (0, 0));

        // Good.
        let r = poh
            .post_file(
                &upload,
                "bestand",
                letter(&w, Some(&bsn), &end).to_string().as_bytes(),
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert_eq!(stored(&w).await, (1, 1));
        let page = poh.get(r.location().unwrap()).await.text();
        assert!(page.contains("Het ontslagbericht is ingelezen"), "{page}");
        assert!(page.contains("Ontslagbericht van Ziekenhuis Zuid"), "{page}");
        assert!(page.contains("Nog te versturen"), "{page}");
        // Someone who may not contribute cannot upload.
        let other = Client::sign_in(&w.app, "poh-b").await;
        let r = other
            .post_file(
                &upload,
                "bestand",
                letter(&w, Some(&bsn), &end).to_string().as_bytes(),
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(stored(&w).await, (1, 1));
        t.finish().await;
    }
}
