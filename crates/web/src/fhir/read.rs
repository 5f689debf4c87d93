//! `GET /fhir/metadata` and `GET /fhir/{type}/{id}`.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use kernteam_app::Action;
use kernteam_fhir::{capability_statement, patient_of, practitioner, practitioner_role, resources, SERVED};

use super::caller::FhirCaller;
use super::respond::{base_url, fhir_json, FhirError, FhirResult};
use crate::AppState;

/// The CapabilityStatement: public, like any FHIR server's.
pub async fn metadata(State(state): State<AppState>, headers: HeaderMap) -> FhirResult {
    let date = chrono::Utc::now().format("%Y-%m-%d").to_string();
    Ok(fhir_json(
        StatusCode::OK,
        &capability_statement(&base_url(&state, &headers), &date),
    ))
}

/// A type this API serves, or a 404 naming the ones it does.
pub(super) fn served(resource_type: &str) -> Result<(), FhirError> {
    if SERVED.contains(&resource_type) {
        Ok(())
    } else {
        Err(FhirError::new(
            StatusCode::NOT_FOUND,
            kernteam_fhir::IssueCode::NotSupported,
            format!(
                "Resourcetype '{resource_type}' wordt niet aangeboden; wel: {}.",
                SERVED.join(", ")
            ),
        ))
    }
}

pub async fn read(
    State(state): State<AppState>,
    FhirCaller(actor): FhirCaller,
    Path((resource_type, id)): Path<(String, String)>,
) -> FhirResult {
    if resource_type == "Bundle" {
        return sent_document(&state, &actor, &id).await;
    }
    served(&resource_type)?;
    let missing = || FhirError::not_found(&format!("{resource_type}/{id}"));
    let resource = match resource_type.as_str() {
        "Practitioner" | "PractitionerRole" => {
            let directory = state.app.care_directory(&actor).await?;
            let user_id: i64 = id.parse().map_err(|_| missing())?;
            let p = state
                .app
                .fhir_professional(&directory, user_id)
                .await
                .map_err(|e| not_found_as(e, missing()))?;
            if resource_type == "Practitioner" {
                practitioner(&p.user)
            } else {
                practitioner_role(&p.user, p.place.as_ref())
            }
        }
        "Organization" => {
            let directory = state.app.care_directory(&actor).await?;
            let place = state
                .app
                .fhir_place(&directory, &id)
                .await
                .map_err(|e| not_found_as(e, missing()))?;
            place.resource()
        }
        _ => {
            let patient = patient_of(&resource_type, &id).ok_or_else(missing)?;
            let v = state
                .app
                .visible(&actor, patient, Action::ReadFhir, Some(format!("{resource_type}/{id}")))
                .await
                .map_err(|e| not_found_as(e, missing()))?;
            let data = state
                .app
                .fhir_record_for(&v, kernteam_fhir::needs(&resource_type, &[]))
                .await?;
            resources(&data, &resource_type)
                .into_iter()
                .find(|r| r["id"].as_str() == Some(id.as_str()))
                .ok_or_else(missing)?
        }
    };
    Ok(fhir_json(StatusCode::OK, &resource))
}

/// A "not found" of the app as the given 404 (naming what was asked); other errors as is.
pub(super) fn not_found_as(e: kernteam_app::Error, missing: FhirError) -> FhirError {
    match e {
        kernteam_app::Error::NotFound => missing,
        other => other.into(),
    }
}

/// `GET /fhir/Bundle/{id}`: a handover document as it was sent, for whoever may see the
/// patient and for the accounts of the organisation it was sent to (the gate's
/// `SentDocument`; the read is audited). Any other Bundle id is not found.
async fn sent_document(state: &AppState, actor: &kernteam_app::Actor, id: &str) -> FhirResult {
    let missing = || FhirError::not_found(&format!("Bundle/{id}"));
    let (patient, handover) = kernteam_app::handovers::parse_document_id(id).ok_or_else(missing)?;
    let d = state
        .app
        .sent_document(actor, patient, handover, Action::ReadFhir, format!("Bundle/{id}"))
        .await
        .map_err(|e| not_found_as(e, missing()))?;
    let doc = state
        .app
        .sent_document_content(&d)
        .await
        .map_err(|e| not_found_as(e, missing()))?;
    Ok(fhir_json(StatusCode::OK, &doc))
}
