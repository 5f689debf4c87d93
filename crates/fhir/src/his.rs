//! The HIS summary of the latest extract: episodes as `Condition` (nl-core-Problem, ICPC),
//! medication as `MedicationStatement` (nl-core-MedicationUse2, ATC), determinants as
//! `Observation` (NHG Tabel 45).

use kernteam_domain::dates::active_on;
use kernteam_store::patients::HisLine;
use serde_json::{json, Value};

use crate::systems::{ATC, CONDITION_CLINICAL, ICPC_1_NL, NHG_TABLE_45};
use crate::{clean, compact_date, date, id_part, meta, PatientData};

/// Ids `{patient}-{code}-{start}`, with `-2`, `-3` … for a repeat of the same code and start.
fn line_ids<'a>(patient: i64, lines: impl Iterator<Item = (&'a str, chrono::NaiveDate)>) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    lines
        .map(|(code, start)| {
            let base = format!("{patient}-{}-{}", id_part(code), compact_date(start));
            let n = seen.iter().filter(|s| **s == base).count();
            seen.push(base.clone());
            if n == 0 {
                base
            } else {
                format!("{base}-{}", n + 1)
            }
        })
        .collect()
}

fn running(data: &PatientData, l: &HisLine) -> bool {
    data.extract_date.is_none_or(|on| active_on(l.start, l.end, on))
}

pub(crate) fn conditions(data: &PatientData) -> Vec<Value> {
    let lines = &data.his.episodes;
    let ids = line_ids(data.patient.id, lines.iter().map(|l| (l.code.as_str(), l.start)));
    lines
        .iter()
        .zip(ids)
        .map(|(l, id)| {
            let active = running(data, l);
            let status = if active { "active" } else { "resolved" };
            clean(json!({
                "resourceType": "Condition",
                "id": id,
                "meta": meta("Condition"),
                "clinicalStatus": { "coding": [{ "system": CONDITION_CLINICAL, "code": status }] },
                "code": {
                    "coding": [{ "system": ICPC_1_NL, "code": l.code, "display": l.text }],
                    "text": l.text.clone().unwrap_or_else(|| l.code.clone()),
                },
                "subject": { "reference": data.patient_ref() },
                "onsetDateTime": date(l.start),
                "abatementDateTime": if active { None } else { l.end.map(date) },
            }))
        })
        .collect()
}

pub(crate) fn medication_statements(data: &PatientData) -> Vec<Value> {
    let lines = &data.his.medications;
    let ids = line_ids(data.patient.id, lines.iter().map(|l| (l.code.as_str(), l.start)));
    lines
        .iter()
        .zip(ids)
        .map(|(l, id)| {
            let status = if running(data, l) { "active" } else { "completed" };
            clean(json!({
                "resourceType": "MedicationStatement",
                "id": id,
                "meta": meta("MedicationStatement"),
                "status": status,
                "medicationCodeableConcept": {
                    "coding": [{ "system": ATC, "code": l.code }],
                    "text": l.text.clone().unwrap_or_else(|| format!("ATC {}", l.code)),
                },
                "subject": { "reference": data.patient_ref() },
                "effectivePeriod": { "start": date(l.start), "end": l.end.map(date) },
                "dosage": l.dosage.as_ref().map(|d| vec![json!({ "text": d })]),
            }))
        })
        .collect()
}

/// The Dutch name of an NHG Tabel 45 determinant Kernteam uses.
pub fn determinant_label(labcode: i64) -> String {
    match labcode {
        2803 => "Wlz-zorgprofiel".into(),
        1251 => "Gewicht".into(),
        other => format!("Determinant {other}"),
    }
}

pub(crate) fn observations(data: &PatientData) -> Vec<Value> {
    let d = &data.his.determinants;
    let codes: Vec<String> = d.iter().map(|x| x.labcode.to_string()).collect();
    let ids = line_ids(
        data.patient.id,
        codes.iter().map(String::as_str).zip(d.iter().map(|x| x.date)),
    );
    d.iter()
        .zip(ids)
        .map(|(x, id)| {
            let label = determinant_label(x.labcode);
            let mut obs = json!({
                "resourceType": "Observation",
                "id": id,
                "meta": meta("Observation"),
                "status": "final",
                "code": {
                    "coding": [{ "system": NHG_TABLE_45, "code": x.labcode.to_string(), "display": label }],
                    "text": label,
                },
                "subject": { "reference": data.patient_ref() },
                "effectiveDateTime": date(x.date),
            });
            match (x.labcode, x.value.trim().replace(',', ".").parse::<f64>()) {
                (1251, Ok(kg)) => {
                    obs["valueQuantity"] =
                        json!({ "value": kg, "unit": "kg", "system": "http://unitsofmeasure.org", "code": "kg" })
                }
                _ => obs["valueString"] = json!(x.value),
            }
            clean(obs)
        })
        .collect()
}
