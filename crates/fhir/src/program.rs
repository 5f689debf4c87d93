//! The program inclusion as `EpisodeOfCare`, the events as `Encounter` (nl-core-Encounter).

use kernteam_domain::care::DecisionKind;
use kernteam_domain::events::EventKind;
use serde_json::{json, Value};

use crate::systems::{ACT_CODE, EXT_COMMENT};
use crate::{clean, date, meta, PatientData};

/// The program's name, as the episode's type.
pub const PROGRAM: &str = "Integrale zorg voor kwetsbare ouderen";

/// One episode per inclusion, from the inclusion to the exclusion that ended it.
pub(crate) fn episodes_of_care(data: &PatientData) -> Vec<Value> {
    let mut decisions: Vec<_> = data.decisions.iter().collect();
    decisions.sort_by_key(|d| (d.decided_on, d.id));
    let first_contact = data
        .first_contact
        .and_then(|id| data.team.iter().find(|m| m.id == id))
        .and_then(|m| {
            m.user_id
                .map(|u| json!({ "reference": format!("Practitioner/{u}"), "display": m.name }))
        });
    let mut spans = Vec::new();
    let mut open = None;
    for d in decisions {
        match d.kind {
            DecisionKind::Inclusion if open.is_none() => open = Some(d),
            DecisionKind::Inclusion => {}
            DecisionKind::Exclusion => {
                if let Some(start) = open.take() {
                    spans.push((start, Some(d.decided_on)));
                }
            }
        }
    }
    spans.extend(open.map(|s| (s, None)));
    let mut out = Vec::new();
    for (d, ended) in spans {
        let (status, end) = match ended {
            Some(x) => ("finished", Some(date(x))),
            None => ("active", None),
        };
        out.push(clean(json!({
            "resourceType": "EpisodeOfCare",
            "id": format!("{}-{}", data.patient.id, d.id),
            "meta": meta("EpisodeOfCare"),
            "status": status,
            "type": [{ "text": PROGRAM }],
            "patient": { "reference": data.patient_ref() },
            "managingOrganization": {
                "reference": format!("Organization/praktijk-{}", data.practice.id),
                "display": data.practice.name,
            },
            "period": { "start": date(d.decided_on), "end": end },
            "careManager": if status == "active" { first_contact.clone() } else { None },
            "team": [{ "reference": format!("CareTeam/{}", data.patient.id) }],
        })));
    }
    out
}

/// The encounter class of an event (v3 ActCode): SEH emergency, admissions inpatient,
/// a fall at home (home health).
fn class_of(kind: EventKind) -> (&'static str, &'static str) {
    match kind {
        EventKind::SehReferral => ("EMER", "emergency"),
        EventKind::Fall => ("HH", "home health"),
        _ => ("IMP", "inpatient encounter"),
    }
}

pub(crate) fn encounters(data: &PatientData) -> Vec<Value> {
    data.events
        .iter()
        .map(|e| {
            let (code, display) = class_of(e.kind);
            let at = e.occurred_at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
            let period = if e.kind == EventKind::HospitalDischarge {
                json!({ "end": at })
            } else {
                json!({ "start": at })
            };
            let status = if e.withdrawn { "entered-in-error" } else { "finished" };
            clean(json!({
                "resourceType": "Encounter",
                "id": format!("{}-{}", data.patient.id, e.id),
                "meta": meta("Encounter"),
                "extension": e.notes.as_ref().map(|n| vec![json!({ "url": EXT_COMMENT, "valueString": n })]),
                "status": status,
                "class": { "system": ACT_CODE, "code": code, "display": display },
                "type": [{ "text": e.kind.label() }],
                "subject": { "reference": data.patient_ref() },
                "period": period,
            }))
        })
        .collect()
}
