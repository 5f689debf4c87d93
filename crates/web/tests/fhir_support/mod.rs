#![allow(dead_code)]

//! A rich synthetic patient for the FHIR tests (every resource type Kernteam emits), and
//! requests with a bearer token.

use axum::body::Body;
use axum::http::{header, Request};
use chrono::NaiveDate;
use kernteam_domain::access::Role;
use kernteam_domain::care::DecisionKind;
use kernteam_store::care::NewTeamMember;
use kernteam_store::decisions::NewDecision;
use kernteam_store::people::NewUser;
use kernteam_store::program::Document;
use kernteam_store::testing;

use super::common::{send, Resp, World, PASSWORD};

/// What [`enrich`] added to patient a1 of the seeded world.
pub struct Rich {
    pub huisarts: i64,
    pub carer: i64,
    /// The care plan's goals in the patient's words, and its actions (what, status, due).
    pub goals: Vec<&'static str>,
    pub actions: Vec<(&'static str, &'static str, &'static str)>,
}

/// Gives patient a1 what every resource type needs: an inclusion, a mantelzorger, a first
/// point of contact, a care plan with goals and assigned actions, a PZP with wishes,
/// limits and directives, and events (one withdrawn).
pub async fn enrich(w: &World) -> Rich {
    let db = &w.db;
    let hash = kernteam_web::hash_password(PASSWORD.to_string()).await.unwrap();
    let huisarts = kernteam_store::audited!(db, testing::entry(), |ch| ch.create_user(&NewUser {
        username: "huisarts-a".into(),
        display_name: "Dr. Hanna Huisman".into(),
        role: Role::Huisarts,
        practice_id: Some(w.practice_a),
        organisation_id: None,
        password_hash: hash,
        is_admin: false,
    }))
    .unwrap();
    kernteam_store::audited!(db, testing::entry(), |ch| ch.add_decision(
        w.a1,
        &NewDecision {
            kind: DecisionKind::Inclusion,
            decided_on: NaiveDate::from_ymd_opt(2027, 2, 1).unwrap(),
            deciding_gp: Some("Dr. Hanna Huisman".into()),
            reason: None,
            considerations: None,
        },
        w.poh_a,
    ))
    .unwrap();
    let carer = kernteam_store::audited!(db, testing::entry(), |ch| ch.add_team_member(
        w.a1,
        &NewTeamMember {
            kind: "mantelzorger".into(),
            name: "Els Jansen".into(),
            relation: Some("dochter".into()),
            phone: Some("06-12345678".into()),
            email: Some("els@example.org".into()),
            ..Default::default()
        },
        w.poh_a,
    ))
    .unwrap();
    kernteam_store::audited!(db, testing::entry(), |ch| ch.set_first_contact(
        w.a1,
        w.a1_wvk_member,
        w.poh_a,
        chrono::NaiveDate::from_ymd_opt(2099, 1, 1).unwrap()
    ))
    .unwrap();
    let goals = vec![
        "Ik wil zelf naar de markt kunnen lopen",
        "Mijn dochter moet minder hoeven doen",
    ];
    let actions = vec![
        ("Valrisico bespreken", "lopend", "2027-09-01"),
        ("Huisbezoek medicatie-uitzetting", "gepland", "2027-08-20"),
        ("Dagbesteding regelen", "afgerond", "2027-07-15"),
    ];
    let plan = serde_json::json!({
        "problems": [
            { "domain": "functioneel", "description": "Valt regelmatig" },
            { "domain": "maatschappelijk", "description": "Dochter overbelast" },
        ],
        "wishes": "Thuis blijven wonen, met mijn kat",
        "goals": [
            { "domain": "functioneel", "text": goals[0] },
            { "domain": "maatschappelijk", "text": goals[1] },
        ],
        "actions": [
            { "what": actions[0].0, "who": "Wies Wijk", "member": w.a1_wvk_member, "due": actions[0].2,
              "status": actions[0].1, "domain": "functioneel" },
            { "what": actions[1].0, "who": "Els Jansen", "member": carer, "due": actions[1].2,
              "status": actions[1].1 },
            { "what": actions[2].0, "who": "Sociaal wijkteam", "due": actions[2].2, "status": actions[2].1,
              "domain": "maatschappelijk" },
        ],
        "evaluation_date": "2027-12-01",
    });
    kernteam_store::audited!(db, testing::entry(), |ch| ch.save_care_plan(
        w.a1,
        1,
        &plan.to_string(),
        "Zorgplan bijgewerkt",
        w.poh_a,
        "Petra Poh",
    ))
    .unwrap();
    let pzp = serde_json::json!({
        "conversations": [{ "date": "2027-03-01", "participants": "patiënt, dochter, huisarts", "summary": "Besproken" }],
        "wishes": [
            { "treatment": "reanimatie", "decision": "niet", "recorded_on": "2027-03-01", "recorded_by": "Dr. Hanna Huisman" },
            { "treatment": "ziekenhuisopname", "decision": "wel", "recorded_on": "2027-03-01", "recorded_by": "Dr. Hanna Huisman" },
            { "treatment": "beademing", "decision": "nog_niet_besproken", "recorded_on": null, "recorded_by": "" },
            { "treatment": "Dialyse in het ziekenhuis", "decision": "niet", "recorded_on": "2027-03-01", "recorded_by": "Dr. Hanna Huisman" },
        ],
        "wilsverklaring": { "present": true, "location": "bij de dochter thuis" },
        "niet_reanimeren": { "present": true, "location": "" },
        "euthanasieverzoek": { "present": false, "location": "" },
        "legal_representative": "Els Jansen (dochter)",
        "responsible_gp": { "id": huisarts, "name": "Dr. Hanna Huisman" },
    });
    kernteam_store::audited!(db, testing::entry(), |ch| ch.save_version(
        Document::Pzp,
        w.a1,
        0,
        &pzp.to_string(),
        "PZP",
        w.poh_a,
        "Petra Poh",
    ))
    .unwrap();
    for (kind, at, notes) in [
        (
            "seh_verwijzing",
            "2027-06-01T21:15:00Z",
            Some("Gevallen, pols gecontroleerd"),
        ),
        ("ziekenhuisopname", "2027-06-02T09:00:00Z", None),
        ("ontslag_ziekenhuis", "2027-06-10T14:00:00Z", None),
        ("val", "2027-07-01T08:00:00Z", None),
    ] {
        kernteam_store::audited!(db, testing::entry(), |ch| ch.add_event(w.a1, kind, at, notes, w.poh_a)).unwrap();
    }
    Rich {
        huisarts,
        carer,
        goals,
        actions,
    }
}

/// `GET path` with `Authorization: Bearer token` (and no session).
pub async fn bearer_get(w: &World, path: &str, token: &str) -> Resp {
    send(
        &w.app,
        Request::get(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

/// The resources of a searchset Bundle.
pub fn entries(bundle: &serde_json::Value) -> Vec<serde_json::Value> {
    bundle["entry"]
        .as_array()
        .map(|e| e.iter().map(|x| x["resource"].clone()).collect())
        .unwrap_or_default()
}
