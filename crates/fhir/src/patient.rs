//! `Patient` on nl-core-Patient: the BSN, name, sex, birth date, address and phone of the
//! practice's latest extract, the practice as general practitioner.

use serde_json::{json, Value};

use crate::systems::BSN;
use crate::{clean, date, meta, PatientData};

/// The HIS's sex code as FHIR's administrative gender (M, V, X/O; anything else unknown).
pub(crate) fn gender(sex: Option<&str>) -> &'static str {
    match sex.map(|s| s.trim().to_ascii_uppercase()).as_deref() {
        Some("M") => "male",
        Some("V") | Some("F") => "female",
        Some("X") | Some("O") => "other",
        _ => "unknown",
    }
}

pub(crate) fn patient(data: &PatientData) -> Value {
    let practice = format!("Organization/praktijk-{}", data.practice.id);
    let Some(p) = &data.person else {
        // Not in the latest extract: who the patient was is no longer current.
        return clean(json!({
            "resourceType": "Patient",
            "id": data.patient.id.to_string(),
            "meta": meta("Patient"),
            "active": false,
            "managingOrganization": { "reference": practice, "display": data.practice.name },
        }));
    };
    let name = json!({
        "use": "official",
        "text": p.name(),
        "family": p.family_name,
        "given": p.given_name.as_ref().map(|g| vec![g.clone()]),
    });
    let identifier = p
        .bsn
        .as_ref()
        .map(|b| vec![json!({ "use": "official", "system": BSN, "value": b })]);
    let address = json!({
        "use": "home",
        "line": p.address.as_ref().map(|a| vec![a.clone()]),
        "city": p.city,
        "postalCode": p.postal_code,
        "country": "NL",
    });
    let telecom = p
        .phone
        .as_ref()
        .map(|t| vec![json!({ "system": "phone", "value": t, "use": "home" })]);
    let active = p
        .registration_end
        .is_none_or(|end| data.extract_date.is_none_or(|d| end > d));
    clean(json!({
        "resourceType": "Patient",
        "id": data.patient.id.to_string(),
        "meta": meta("Patient"),
        "identifier": identifier,
        "active": active,
        "name": [name],
        "telecom": telecom,
        "gender": gender(p.sex.as_deref()),
        "birthDate": date(p.birth_date),
        "address": [address],
        "generalPractitioner": [{ "reference": practice, "display": data.practice.name }],
        "managingOrganization": { "reference": practice, "display": data.practice.name },
    }))
}
