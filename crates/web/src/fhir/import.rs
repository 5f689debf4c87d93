//! `POST /fhir`: a hospital's discharge letter (a Bundle with the stay's Encounter and the
//! diagnoses as Conditions) records the discharge event of the patient it names and starts
//! the 24-hour handover clock (`kernteam_app::discharge_import`). The caller signs in as for
//! reads (bearer token or session; a session also sends its CSRF token as `X-CSRF-Token`)
//! and must be allowed to contribute to the patient's record. A bad Bundle is refused (400)
//! with an OperationOutcome naming each problem (with its FHIRPath); nothing is stored.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use kernteam_fhir::discharge::problems_outcome;
use kernteam_fhir::IssueCode;

use super::caller::FhirCaller;
use super::respond::{base_url, fhir_json, FhirError, FhirResult};
use crate::AppState;

pub async fn import(
    State(state): State<AppState>,
    FhirCaller(actor): FhirCaller,
    headers: HeaderMap,
    body: Bytes,
) -> FhirResult {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/fhir+json") || v.starts_with("application/json"));
    if !json {
        return Err(FhirError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            IssueCode::NotSupported,
            "Stuur de Bundle als application/fhir+json.",
        ));
    }
    let imported = match state.app.import_discharge(&actor, &body, None).await {
        Ok(Ok(i)) => i,
        Ok(Err(problems)) => return Ok(fhir_json(StatusCode::BAD_REQUEST, &problems_outcome(&problems))),
        Err(kernteam_app::Error::NotFound) => {
            return Err(FhirError::new(
                StatusCode::NOT_FOUND,
                IssueCode::NotFound,
                "De patiënt van het ontslagbericht bestaat niet, of u mag diens dossier niet aanvullen.",
            ))
        }
        Err(e) => return Err(e.into()),
    };
    let v = state
        .app
        .visible(
            &actor,
            imported.patient_id,
            kernteam_app::Action::ReadFhir,
            Some(format!(
                "Encounter/{}-{} (na ontslagbericht)",
                imported.patient_id, imported.event.id
            )),
        )
        .await?;
    let data = state
        .app
        .fhir_record_for(&v, kernteam_fhir::needs("Encounter", &[]))
        .await?;
    let id = format!("{}-{}", imported.patient_id, imported.event.id);
    let encounter = kernteam_fhir::resources(&data, "Encounter")
        .into_iter()
        .find(|r| r["id"].as_str() == Some(id.as_str()))
        .ok_or_else(|| FhirError::not_found(&format!("Encounter/{id}")))?;
    let mut resp = fhir_json(StatusCode::CREATED, &encounter);
    let location = format!("{}/Encounter/{id}", base_url(&state, &headers));
    if let Ok(v) = HeaderValue::from_str(&location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    Ok(resp.into_response())
}
