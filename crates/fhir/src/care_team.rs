//! The care team as `CareTeam` (nl-core-CareTeam), the first point of contact marked.

use serde_json::{json, Value};

use crate::{clean, meta, PatientData};

/// The role text that marks the first point of contact.
pub const FIRST_CONTACT: &str = "Eerste aanspreekpunt";

pub(crate) fn care_team(data: &PatientData) -> Value {
    let participant: Vec<Value> = data
        .team
        .iter()
        .map(|m| {
            let mut role = vec![json!({
                "text": m.role.clone().unwrap_or_else(|| if m.kind == "mantelzorger" { "Mantelzorger".into() } else { "Zorgverlener".into() })
            })];
            if data.first_contact == Some(m.id) {
                role.push(json!({ "text": FIRST_CONTACT }));
            }
            let on_behalf = m
                .user_id
                .and_then(|u| data.professional(u))
                .and_then(|p| p.place.as_ref())
                .map(|p| json!({ "reference": p.reference(), "display": p.name() }));
            json!({
                "role": role,
                "member": data.member_reference(m),
                "onBehalfOf": on_behalf,
            })
        })
        .collect();
    let practice = format!("Organization/praktijk-{}", data.practice.id);
    clean(json!({
        "resourceType": "CareTeam",
        "id": data.patient.id.to_string(),
        "meta": meta("CareTeam"),
        "status": "active",
        "name": "Kernteam kwetsbare ouderen",
        "subject": { "reference": data.patient_ref() },
        "participant": participant,
        "managingOrganization": [{ "reference": practice, "display": data.practice.name }],
    }))
}
