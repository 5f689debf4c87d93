//! A hospital's discharge letter as a FHIR `Bundle` (type `document`, `collection` or
//! `transaction`) with the stay's `Encounter` and the diagnoses as `Condition`s, read into
//! what Kernteam records: the discharge event (its time starts the 24-hour handover
//! clock), who sent it, and the diagnoses as the event's notes. Every problem is listed
//! with where it is (a FHIRPath expression) and a Dutch message; pure, no I/O.

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

use crate::systems::BSN;

/// Largest Bundle accepted.
pub const MAX_BYTES: usize = 2 * 1024 * 1024;

/// Who the letter is about, as it says.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PatientClaim {
    /// `Patient/{id}`: Kernteam's id, as its own FHIR API serves it.
    pub id: Option<i64>,
    /// The BSN of the Patient resource in the Bundle.
    pub bsn: Option<String>,
}

/// The discharge as read from the Bundle.
#[derive(Debug, Clone, PartialEq)]
pub struct DischargeLetter {
    pub patient: PatientClaim,
    /// The hospital (the Encounter's `serviceProvider`).
    pub hospital: String,
    pub admitted: Option<DateTime<Utc>>,
    pub discharged: DateTime<Utc>,
    /// The diagnoses, as `text (code)`.
    pub conditions: Vec<String>,
    /// Where the patient went (`hospitalization.dischargeDisposition`), if said.
    pub disposition: Option<String>,
}

impl DischargeLetter {
    /// The event's notes: the hospital, the stay and the diagnoses, in Dutch.
    pub fn notes(&self, time: impl Fn(DateTime<Utc>) -> String) -> String {
        let mut s = format!("Ontslagbericht van {}", self.hospital);
        if let Some(a) = self.admitted {
            s.push_str(&format!(" (opgenomen {})", time(a)));
        }
        s.push('.');
        if !self.conditions.is_empty() {
            s.push_str(&format!(" Diagnoses: {}.", self.conditions.join("; ")));
        }
        if let Some(d) = &self.disposition {
            s.push_str(&format!(" Ontslagen naar: {d}."));
        }
        s
    }
}

/// One problem of a refused Bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where, as FHIRPath (`Bundle.entry[1].resource.period.end`).
    pub expression: String,
    pub message: String,
}

/// An `OperationOutcome` naming each problem (severity error, code `invalid`).
pub fn problems_outcome(problems: &[Problem]) -> Value {
    let issue: Vec<Value> = problems
        .iter()
        .map(|p| {
            serde_json::json!({
                "severity": "error",
                "code": "invalid",
                "diagnostics": p.message,
                "expression": [p.expression],
            })
        })
        .collect();
    serde_json::json!({ "resourceType": "OperationOutcome", "issue": issue })
}

struct Problems(Vec<Problem>);

impl Problems {
    fn add(&mut self, expression: impl Into<String>, message: impl Into<String>) {
        self.0.push(Problem {
            expression: expression.into(),
            message: message.into(),
        });
    }
}

/// A FHIR `dateTime` with a time and an offset (a date alone cannot start a clock).
fn instant(v: &Value) -> Result<DateTime<Utc>, &'static str> {
    let s = v.as_str().ok_or("ontbreekt")?;
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| "is geen tijdstip met tijd en tijdzone (bijvoorbeeld 2027-03-01T14:30:00+01:00)")
}

/// The Encounter classes a hospital stay has (v3 ActCode).
const STAY_CLASSES: [&str; 5] = ["IMP", "ACUTE", "NONAC", "SS", "EMER"];

/// Reads a discharge Bundle; `now` decides what lies in the future. Every problem is listed.
pub fn read_discharge(bytes: &[u8], now: DateTime<Utc>) -> Result<DischargeLetter, Vec<Problem>> {
    let mut p = Problems(Vec::new());
    if bytes.len() > MAX_BYTES {
        p.add(
            "Bundle",
            format!("Het bestand is groter dan {} MB.", MAX_BYTES / 1024 / 1024),
        );
        return Err(p.0);
    }
    let bundle: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => {
            p.add("Bundle", format!("Het bestand is geen leesbare JSON ({e})."));
            return Err(p.0);
        }
    };
    if bundle["resourceType"] != "Bundle" {
        p.add(
            "resourceType",
            "Het bestand is geen FHIR-Bundle (resourceType moet 'Bundle' zijn).",
        );
        return Err(p.0);
    }
    match bundle["type"].as_str() {
        Some("document" | "collection" | "transaction") => {}
        Some(other) => p.add(
            "Bundle.type",
            format!("Bundle-type '{other}' wordt niet aangenomen; wel: document, collection of transaction."),
        ),
        None => p.add("Bundle.type", "Het Bundle-type ontbreekt."),
    }
    let Some(entries) = bundle["entry"].as_array().filter(|e| !e.is_empty()) else {
        p.add("Bundle.entry", "De Bundle bevat geen resources.");
        return Err(p.0);
    };
    for (i, e) in entries.iter().enumerate() {
        if !e["resource"]["resourceType"].is_string() {
            p.add(
                format!("Bundle.entry[{i}].resource"),
                format!("Entry {i} bevat geen resource met resourceType."),
            );
        }
    }
    // A reference inside the Bundle: by fullUrl, or Type/id of an entry.
    let resolve = |reference: &str| {
        entries
            .iter()
            .map(|e| (e["fullUrl"].as_str(), &e["resource"]))
            .find_map(|(full, r)| {
                let local = format!(
                    "{}/{}",
                    r["resourceType"].as_str().unwrap_or_default(),
                    r["id"].as_str().unwrap_or_default()
                );
                (full == Some(reference) || local == reference || reference.ends_with(&format!("/{local}")))
                    .then_some(r)
            })
    };
    let of_type = |t: &str| -> Vec<(usize, &Value)> {
        entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e["resource"]["resourceType"] == t)
            .map(|(i, e)| (i, &e["resource"]))
            .collect()
    };

    let encounters = of_type("Encounter");
    let (ei, enc) = match encounters.as_slice() {
        [one] => *one,
        [] => {
            p.add(
                "Bundle.entry",
                "De Bundle bevat geen Encounter (de opname waarvan de patiënt ontslagen is).",
            );
            return Err(p.0);
        }
        more => {
            p.add(
                format!("Bundle.entry[{}]", more[1].0),
                format!(
                    "De Bundle bevat {} Encounters; een ontslagbericht gaat over één opname.",
                    more.len()
                ),
            );
            return Err(p.0);
        }
    };
    let at = |path: &str| format!("Bundle.entry[{ei}].resource.{path}");
    if enc["status"] != "finished" {
        p.add(
            at("status"),
            format!(
                "De opname heeft status '{}'; bij ontslag is die 'finished'.",
                enc["status"].as_str().unwrap_or("(geen)")
            ),
        );
    }
    match enc["class"]["code"].as_str() {
        Some(c) if STAY_CLASSES.contains(&c) => {}
        Some(c) => p.add(
            at("class"),
            format!(
                "Encounter-klasse '{c}' is geen ziekenhuisopname (wel: {}).",
                STAY_CLASSES.join(", ")
            ),
        ),
        None => p.add(at("class"), "De klasse van de opname (class) ontbreekt."),
    }
    let discharged = match instant(&enc["period"]["end"]) {
        Ok(t) if t > now + Duration::minutes(5) => {
            p.add(at("period.end"), "Het tijdstip van ontslag ligt in de toekomst.");
            None
        }
        Ok(t) if t < DateTime::from_timestamp(946_684_800, 0).unwrap_or(t) => {
            p.add(at("period.end"), "Het tijdstip van ontslag ligt vóór 2000.");
            None
        }
        Ok(t) => Some(t),
        Err(why) => {
            p.add(
                at("period.end"),
                format!("Het tijdstip van ontslag (period.end) {why}."),
            );
            None
        }
    };
    let admitted = match &enc["period"]["start"] {
        Value::Null => None,
        v => match instant(v) {
            Ok(t) => Some(t),
            Err(why) => {
                p.add(
                    at("period.start"),
                    format!("Het tijdstip van opname (period.start) {why}."),
                );
                None
            }
        },
    };
    if let (Some(a), Some(d)) = (admitted, discharged) {
        if a > d {
            p.add(at("period"), "De opname begint na het ontslag.");
        }
    }
    let hospital = {
        let sp = &enc["serviceProvider"];
        let named = sp["reference"]
            .as_str()
            .and_then(resolve)
            .and_then(|o| o["name"].as_str());
        match named
            .or(sp["display"].as_str())
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(n) if n.chars().count() <= 200 => Some(n.to_string()),
            Some(_) => {
                p.add(
                    at("serviceProvider"),
                    "De naam van het ziekenhuis is langer dan 200 tekens.",
                );
                None
            }
            None => {
                p.add(
                    at("serviceProvider"),
                    "Het ziekenhuis (serviceProvider, met naam) ontbreekt.",
                );
                None
            }
        }
    };
    let subject = enc["subject"]["reference"].as_str().unwrap_or_default().to_string();
    let mut claim = PatientClaim::default();
    if subject.is_empty() {
        p.add(at("subject"), "Over wie gaat het? De patiënt (subject) ontbreekt.");
    } else {
        match resolve(&subject) {
            Some(pat) if pat["resourceType"] == "Patient" => {
                let bsn = pat["identifier"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|i| i["system"] == BSN)
                    .and_then(|i| i["value"].as_str());
                // Kernteam's own id (`Patient/{id}`) names the patient without a BSN.
                let own_id = pat["id"]
                    .as_str()
                    .and_then(|i| i.parse::<i64>().ok())
                    .filter(|id| subject == format!("Patient/{id}"));
                match (bsn, own_id) {
                    (Some(b), _) if kernteam_domain::extract::bsn_passes_elfproef(b) => claim.bsn = Some(b.to_string()),
                    (Some(b), _) => p.add(
                        "Patient.identifier",
                        format!("BSN '{b}' van de patiënt voldoet niet aan de elfproef."),
                    ),
                    (None, Some(id)) => claim.id = Some(id),
                    (None, None) => p.add("Patient.identifier", format!("De patiënt heeft geen BSN ({BSN}).")),
                }
            }
            Some(_) => p.add(at("subject"), "De patiënt (subject) verwijst niet naar een Patient."),
            None => match subject.strip_prefix("Patient/").and_then(|i| i.parse::<i64>().ok()) {
                Some(id) => claim.id = Some(id),
                None => p.add(
                    at("subject"),
                    format!("De patiënt '{subject}' staat niet in de Bundle en is geen Patient/<id> van Kernteam."),
                ),
            },
        }
    }
    let disposition = match &enc["hospitalization"]["dischargeDisposition"] {
        Value::Null => None,
        v => {
            let c = crate_concept(v);
            (!c.is_empty()).then_some(c)
        }
    };
    let mut conditions = Vec::new();
    for (i, c) in of_type("Condition") {
        let where_ = |path: &str| format!("Bundle.entry[{i}].resource.{path}");
        let words = crate_concept(&c["code"]);
        if words.is_empty() {
            p.add(
                where_("code"),
                format!(
                    "Diagnose {} (entry {i}) heeft geen code of tekst.",
                    conditions.len() + 1
                ),
            );
        } else if words.chars().count() > 300 {
            p.add(
                where_("code"),
                format!("De tekst van diagnose (entry {i}) is langer dan 300 tekens."),
            );
        } else {
            let code = c["code"]["coding"][0]["code"].as_str();
            conditions.push(match code {
                Some(code) if !words.contains(code) => format!("{words} ({code})"),
                _ => words,
            });
        }
        if c["subject"]["reference"].as_str() != Some(subject.as_str()) {
            p.add(
                where_("subject"),
                format!("Diagnose (entry {i}) gaat over een andere patiënt dan de opname."),
            );
        }
    }
    match (p.0.is_empty(), discharged, hospital) {
        (true, Some(discharged), Some(hospital)) => Ok(DischargeLetter {
            patient: claim,
            hospital,
            admitted,
            discharged,
            conditions,
            disposition,
        }),
        _ => Err(p.0),
    }
}

/// A CodeableConcept as words: its text, else its first coding's display or code.
fn crate_concept(v: &Value) -> String {
    let t = v["text"].as_str().map(str::trim).filter(|s| !s.is_empty());
    let c = &v["coding"][0];
    t.or(c["display"].as_str())
        .or(c["code"].as_str())
        .unwrap_or_default()
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2027-03-05T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    pub(crate) fn letter() -> Value {
        json!({
            "resourceType": "Bundle", "type": "collection",
            "entry": [
                { "fullUrl": "urn:uuid:p1", "resource": { "resourceType": "Patient", "identifier": [{ "system": BSN, "value": "271134860" }] } },
                { "fullUrl": "urn:uuid:o1", "resource": { "resourceType": "Organization", "name": "Ziekenhuis Zuid" } },
                { "resource": { "resourceType": "Encounter", "status": "finished",
                    "class": { "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "IMP" },
                    "subject": { "reference": "urn:uuid:p1" }, "serviceProvider": { "reference": "urn:uuid:o1" },
                    "period": { "start": "2027-03-01T09:00:00+01:00", "end": "2027-03-04T15:30:00+01:00" } } },
                { "resource": { "resourceType": "Condition", "subject": { "reference": "urn:uuid:p1" },
                    "code": { "coding": [{ "system": "http://hl7.org/fhir/sid/icpc-1-nl", "code": "L75", "display": "Heupfractuur" }] } } }
            ]
        })
    }

    #[test]
    fn a_good_letter_is_read() {
        let l = read_discharge(letter().to_string().as_bytes(), now()).unwrap();
        assert_eq!(l.patient.bsn.as_deref(), Some("271134860"));
        assert_eq!(l.hospital, "Ziekenhuis Zuid");
        assert_eq!(l.discharged.to_rfc3339(), "2027-03-04T14:30:00+00:00");
        assert_eq!(l.conditions, ["Heupfractuur (L75)"]);
        assert!(l.notes(|t| t.to_rfc3339()).contains("Diagnoses: Heupfractuur (L75)."));
    }

    #[test]
    fn every_problem_is_named() {
        let mut b = letter();
        b["entry"][0]["resource"]["identifier"][0]["value"] = json!("123456789");
        b["entry"][2]["resource"]["status"] = json!("in-progress");
        b["entry"][2]["resource"]["period"]["end"] = json!("2027-03-04");
        b["entry"][2]["resource"]["serviceProvider"] = json!({});
        b["entry"][3]["resource"]["code"] = json!({});
        let problems = read_discharge(b.to_string().as_bytes(), now()).unwrap_err();
        let at: Vec<&str> = problems.iter().map(|p| p.expression.as_str()).collect();
        assert_eq!(
            at,
            [
                "Bundle.entry[2].resource.status",
                "Bundle.entry[2].resource.period.end",
                "Bundle.entry[2].resource.serviceProvider",
                "Patient.identifier",
                "Bundle.entry[3].resource.code",
            ],
            "{problems:#?}"
        );
        assert!(read_discharge(b"nee", now()).unwrap_err()[0]
            .message
            .contains("geen leesbare JSON"));
        let none = json!({ "resourceType": "Bundle", "type": "searchset", "entry": [{ "resource": { "resourceType": "Patient" } }] });
        let p = read_discharge(none.to_string().as_bytes(), now()).unwrap_err();
        assert_eq!(p.len(), 2, "{p:#?}");
    }
}
