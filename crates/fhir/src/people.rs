//! Accounts as `Practitioner` and `PractitionerRole`, practices and network organisations
//! as `Organization`, mantelzorgers as `RelatedPerson` (nl-core-ContactPerson).

use kernteam_store::people::{Organisation, Practice, PracticeContact, User};
use serde_json::{json, Value};

use crate::systems::AGB_Z;
use crate::{clean, meta, PatientData, Place};

pub fn practitioner(user: &User) -> Value {
    clean(json!({
        "resourceType": "Practitioner",
        "id": user.id.to_string(),
        "meta": meta("Practitioner"),
        "active": user.active,
        "name": [{ "use": "official", "text": user.display_name }],
    }))
}

/// The account's role at its practice or organisation.
pub fn practitioner_role(user: &User, place: Option<&Place>) -> Value {
    clean(json!({
        "resourceType": "PractitionerRole",
        "id": user.id.to_string(),
        "meta": meta("PractitionerRole"),
        "active": user.active,
        "practitioner": { "reference": format!("Practitioner/{}", user.id), "display": user.display_name },
        "organization": place.map(|p| json!({ "reference": p.reference(), "display": p.name() })),
        "code": [{ "text": user.role.label() }],
    }))
}

/// A practice, with its AGB code and how patients reach it.
pub fn practice_resource(p: &Practice, contact: &PracticeContact) -> Value {
    let address = (contact.address.is_some() || contact.city.is_some()).then(|| {
        vec![json!({
            "use": "work",
            "line": contact.address.as_ref().map(|a| vec![a.clone()]),
            "city": contact.city,
            "country": "NL",
        })]
    });
    clean(json!({
        "resourceType": "Organization",
        "id": format!("praktijk-{}", p.id),
        "meta": meta("Organization"),
        "identifier": [{ "use": "official", "system": AGB_Z, "value": p.agb_code }],
        "active": true,
        "type": [{ "text": "Huisartsenpraktijk" }],
        "name": p.name,
        "telecom": contact.phone.as_ref().map(|t| vec![json!({ "system": "phone", "value": t, "use": "work" })]),
        "address": address,
    }))
}

/// A network organisation (wijkverpleging, apotheek …).
pub fn organisation_resource(o: &Organisation) -> Value {
    clean(json!({
        "resourceType": "Organization",
        "id": format!("organisatie-{}", o.id),
        "meta": meta("Organization"),
        "active": true,
        "type": [{ "text": o.kind.label() }],
        "name": o.name,
    }))
}

/// The mantelzorgers of the care team.
pub(crate) fn related_persons(data: &PatientData) -> Vec<Value> {
    data.team
        .iter()
        .filter(|m| m.kind == "mantelzorger")
        .map(|m| {
            let mut telecom = Vec::new();
            if let Some(p) = &m.phone {
                telecom.push(json!({ "system": "phone", "value": p }));
            }
            if let Some(e) = &m.email {
                telecom.push(json!({ "system": "email", "value": e }));
            }
            clean(json!({
                "resourceType": "RelatedPerson",
                "id": format!("{}-{}", data.patient.id, m.id),
                "meta": meta("RelatedPerson"),
                "active": true,
                "patient": { "reference": data.patient_ref() },
                "relationship": [{ "text": m.relation.clone().unwrap_or_else(|| "Mantelzorger".into()) }],
                "name": [{ "text": m.name }],
                "telecom": telecom,
            }))
        })
        .collect()
}
