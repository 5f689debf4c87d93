//! `GET /fhir/{type}?…`: search by patient (`patient=`, for Patient `_id=` or
//! `identifier=` with the BSN), with `_include` where natural; a `Bundle` of type `searchset`. Unknown or malformed
//! parameters are refused (400) rather than ignored, so a client never takes an
//! unfiltered answer for a filtered one.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use kernteam_app::{Action, Actor};
use kernteam_domain::access::Scope;
use kernteam_fhir::{included, includes_of, resources, searchset, DIRECTORY};

use super::caller::FhirCaller;
use super::read::{not_found_as, served};
use super::respond::{base_url, fhir_json, FhirError, FhirResult};
use crate::AppState;

/// A search as asked.
#[derive(Debug, Default)]
struct Search {
    patients: Vec<i64>,
    /// BSNs of `Patient?identifier=`, resolved among the patients the caller may see.
    bsns: Vec<String>,
    includes: Vec<String>,
}

/// `http://fhir.nl/fhir/NamingSystem/bsn|123456782` or `123456782`: a BSN (nine digits).
fn bsn(value: &str) -> Result<String, String> {
    let code = match value.split_once('|') {
        Some((system, code)) if system == kernteam_fhir::systems::BSN || system.is_empty() => code,
        Some((system, _)) => {
            return Err(format!(
                "identifier: systeem '{system}' wordt niet ondersteund; alleen {}.",
                kernteam_fhir::systems::BSN
            ))
        }
        None => value,
    };
    if code.len() == 9 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code.to_string())
    } else {
        Err(format!("identifier: '{code}' is geen BSN (negen cijfers)."))
    }
}

/// `123`, `Patient/123` or `https://host/fhir/Patient/123`.
fn patient_id(value: &str) -> Option<i64> {
    let id = value.rsplit_once("Patient/").map_or(value, |(_, id)| id);
    if id.is_empty() || id.len() > 18 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    id.parse().ok()
}

fn parse(resource_type: &str, query: &str) -> Result<Search, FhirError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query).map_err(|_| FhirError::bad_search("De zoekparameters zijn onleesbaar."))?;
    let mut s = Search::default();
    let mut problems = Vec::new();
    let allowed_includes = includes_of(resource_type);
    let by_patient = if resource_type == "Patient" { "_id" } else { "patient" };
    for (name, value) in pairs {
        match name.as_str() {
            "_format" => {
                if !matches!(value.as_str(), "json" | "application/json" | "application/fhir+json") {
                    problems.push(format!("_format '{value}' wordt niet ondersteund; alleen json."));
                }
            }
            "_include" => {
                if allowed_includes.contains(&value) {
                    s.includes.push(value);
                } else if allowed_includes.is_empty() {
                    problems.push(format!("_include wordt bij {resource_type} niet ondersteund."));
                } else {
                    problems.push(format!(
                        "_include '{value}' wordt niet ondersteund; wel: {}.",
                        allowed_includes.join(", ")
                    ));
                }
            }
            n if n == by_patient || (resource_type != "Patient" && n == "subject") => {
                for v in value.split(',') {
                    match patient_id(v) {
                        Some(id) => s.patients.push(id),
                        None => problems.push(format!("{n}: '{v}' is geen patiënt-id.")),
                    }
                }
            }
            "identifier" if resource_type == "Patient" => {
                for v in value.split(',') {
                    match bsn(v) {
                        Ok(b) => s.bsns.push(b),
                        Err(problem) => problems.push(problem),
                    }
                }
            }
            other => {
                let by = if resource_type == "Patient" {
                    "_id, identifier"
                } else {
                    by_patient
                };
                problems.push(format!(
                    "Zoekparameter '{other}' wordt bij {resource_type} niet ondersteund; wel: {by}, _include, _format."
                ))
            }
        }
    }
    if s.patients.len() + s.bsns.len() > 50 {
        problems.push("Zoek op hoogstens 50 patiënten tegelijk.".into());
    }
    if problems.is_empty() {
        Ok(s)
    } else {
        Err(FhirError::bad_search(problems.join(" ")))
    }
}

pub async fn search(
    State(state): State<AppState>,
    FhirCaller(actor): FhirCaller,
    Path(resource_type): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> FhirResult {
    if resource_type == "Bundle" {
        return Err(FhirError::bad_search(
            "Zoeken in Bundle kan niet; lees een verstuurde overdracht op id (Bundle/{id}).",
        ));
    }
    served(&resource_type)?;
    let query = query.unwrap_or_default();
    if DIRECTORY.contains(&resource_type.as_str()) {
        return Err(FhirError::bad_search(format!(
            "Zoeken in {resource_type} kan niet; lees een {resource_type} op id, of neem hem mee met _include."
        )));
    }
    let mut search = parse(&resource_type, &query)?;
    let by_identifier = !search.bsns.is_empty();
    for bsn in &search.bsns {
        for id in state.app.fhir_patients_with_bsn(&actor, bsn).await? {
            if !search.patients.contains(&id) {
                search.patients.push(id);
            }
        }
    }
    // Nobody found by BSN, or a network partner without shared patients, is an empty
    // searchset (the loop below reads no one).
    if search.patients.is_empty() && !by_identifier {
        if resource_type != "Patient" {
            return Err(FhirError::bad_search(format!(
                "Zoek {resource_type} per patiënt: {resource_type}?patient=<id>."
            )));
        }
        // Without parameters: a network professional's shared patients. A practice's list
        // is too long for one answer; region staff are refused (and that is audited).
        if actor.user().role.scope() == Scope::Practice {
            return Err(FhirError::bad_search(
                "Zoek patiënten op _id; alleen netwerkpartners kunnen hun gedeelde patiënten zonder parameters opvragen.",
            ));
        }
        let member = state.app.network_member(&actor).await?;
        search.patients = state.app.fhir_shared_patients(&member).await?;
    }
    let detail = if query.is_empty() {
        resource_type.clone()
    } else {
        format!("{resource_type}?{query}")
    };
    let (mut matches, mut includes) = (Vec::new(), Vec::new());
    for patient in &search.patients {
        let (m, i) = of_patient(&state, &actor, *patient, &resource_type, &search.includes, &detail).await?;
        matches.extend(m);
        includes.extend(i);
    }
    let base = base_url(&state, &headers);
    let self_url = format!("{base}/{detail}");
    Ok(fhir_json(
        StatusCode::OK,
        &searchset(&base, &self_url, matches, includes),
    ))
}

/// One patient's resources of the type and what the includes add; the read is audited,
/// a patient the caller may not see is a 404 (as for a read).
async fn of_patient(
    state: &AppState,
    actor: &Actor,
    patient: i64,
    resource_type: &str,
    includes: &[String],
    detail: &str,
) -> Result<(Vec<serde_json::Value>, Vec<serde_json::Value>), FhirError> {
    let missing = || FhirError::not_found(&format!("Patient/{patient}"));
    let v = state
        .app
        .visible(actor, patient, Action::ReadFhir, Some(detail.to_string()))
        .await
        .map_err(|e| not_found_as(e, missing()))?;
    let data = state
        .app
        .fhir_record_for(&v, kernteam_fhir::needs(resource_type, includes))
        .await?;
    let matches = resources(&data, resource_type);
    let mut extra = Vec::new();
    for inc in includes {
        extra.extend(included(&data, inc).unwrap_or_default());
    }
    Ok((matches, extra))
}
