//! The handover summary (*overdracht*) as a FHIR document: a `Bundle` of type `document`
//! whose first entry is a `Composition` (LOINC 18761-7, transfer summary) for one event,
//! addressed to a recipient organisation, with sections for the first point of contact and
//! the care team, the current care plan, the PZP's wishes and limits, the active episodes
//! and medication, and recent events; every resource they name is in the Bundle.

use chrono::{DateTime, Utc};
use kernteam_store::people::User;
use serde_json::{json, Value};

use crate::{care_plan, care_team, consent, his, patient, people, practice_resource, program, PatientData, Place};

/// How many of the newest events the summary names.
pub const RECENT_EVENTS: usize = 5;

/// The handover of one event (`event_id`, which must be in `data.events`) to `recipient`,
/// written by `author` at `at`, as the document `document_id` (the Bundle's and the
/// Composition's id; it must start with the patient's id and a dash, see
/// [`crate::patient_of`]); `None` when the record has no such event.
pub fn handover_document(
    base: &str,
    data: &PatientData,
    event_id: i64,
    recipient: &Place,
    author: &User,
    at: DateTime<Utc>,
    document_id: &str,
) -> Option<Value> {
    let event = data.events.iter().find(|e| e.id == event_id)?;
    let encounters = program::encounters(data);
    let this_encounter = format!("{}-{}", data.patient.id, event.id);
    let running = |r: &&Value| r["clinicalStatus"]["coding"][0]["code"] == "active" || r["status"] == "active";
    let team = care_team::care_team(data);
    let plans = care_plan::care_plans(data);
    let goals = care_plan::goals(data);
    let consents = consent::consents(data);
    let conditions: Vec<Value> = his::conditions(data).iter().filter(running).cloned().collect();
    let medication: Vec<Value> = his::medication_statements(data)
        .iter()
        .filter(running)
        .cloned()
        .collect();
    let recent: Vec<Value> = encounters
        .iter()
        .filter(|e| e["status"] != "entered-in-error")
        .take(RECENT_EVENTS)
        .cloned()
        .collect();
    let mut people_of_team: Vec<Value> = data
        .professionals
        .iter()
        .map(|p| people::practitioner(&p.user))
        .collect();
    people_of_team.extend(people::related_persons(data));
    let author_ref = format!("Practitioner/{}", author.id);

    let reference = |r: &Value| json!({ "reference": format!("{}/{}", r["resourceType"].as_str().unwrap_or(""), r["id"].as_str().unwrap_or("")) });
    let section = |title: &str, entries: &[Value]| {
        if entries.is_empty() {
            json!({
                "title": title,
                "emptyReason": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/list-empty-reason", "code": "nilknown", "display": "Nil Known" }] },
            })
        } else {
            json!({ "title": title, "entry": entries.iter().map(reference).collect::<Vec<_>>() })
        }
    };
    let mut plan_entries = plans.clone();
    plan_entries.extend(goals.iter().cloned());
    let composition = json!({
        "resourceType": "Composition",
        "id": document_id,
        "meta": crate::meta("Composition"),
        "status": "final",
        "type": { "coding": [{ "system": "http://loinc.org", "code": "18761-7", "display": "Transfer summary note" }], "text": "Overdracht" },
        "subject": { "reference": data.patient_ref() },
        "encounter": { "reference": format!("Encounter/{this_encounter}") },
        "date": at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "author": [{ "reference": author_ref, "display": author.display_name }],
        "title": format!("Overdracht bij {} aan {}", event.kind.label().to_lowercase(), recipient.name()),
        "custodian": { "reference": format!("Organization/praktijk-{}", data.practice.id), "display": data.practice.name },
        "section": [
            section("Ontvanger", &[recipient.resource()]),
            section("Eerste aanspreekpunt en zorgteam", std::slice::from_ref(&team)),
            section("Individueel zorgplan", &plan_entries),
            section("Wensen en grenzen (PZP)", &consents),
            section("Actieve episodes", &conditions),
            section("Actuele medicatie", &medication),
            section("Recente gebeurtenissen", &recent),
        ],
    });

    let mut resources = vec![
        composition,
        patient::patient(data),
        practice_resource(&data.practice, &data.practice_contact),
    ];
    resources.push(people::practitioner(author));
    resources.push(recipient.resource());
    resources.push(team);
    resources.extend(people_of_team);
    for p in &data.professionals {
        if let Some(place) = &p.place {
            resources.push(place.resource());
        }
    }
    resources.extend(plans);
    resources.extend(goals);
    resources.extend(consents);
    resources.extend(conditions);
    resources.extend(medication);
    resources.extend(
        encounters
            .into_iter()
            .filter(|e| e["id"] == this_encounter.as_str() || recent.contains(e)),
    );
    let mut seen = std::collections::HashSet::new();
    let entry: Vec<Value> = resources
        .into_iter()
        .filter(|r| seen.insert(format!("{}/{}", r["resourceType"].as_str().unwrap_or(""), r["id"].as_str().unwrap_or(""))))
        .map(|r| {
            json!({
                "fullUrl": format!("{base}/{}/{}", r["resourceType"].as_str().unwrap_or(""), r["id"].as_str().unwrap_or("")),
                "resource": r,
            })
        })
        .collect();
    Some(json!({
        "resourceType": "Bundle",
        "id": document_id,
        "meta": crate::meta("Bundle"),
        "identifier": { "system": format!("{base}/Bundle"), "value": document_id },
        "type": "document",
        "timestamp": at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "entry": entry,
    }))
}
