//! The FHIR R4 API under `/fhir`: read and search of what Kernteam holds, as resources on
//! the nl-core profiles (`kernteam_fhir` maps them), `application/fhir+json`, an
//! `OperationOutcome` for every error. HTTP only: every patient read asks the gate of
//! `kernteam_app` for a `Visible` (the read is audited; a patient the caller may not see is
//! a 404), exactly as the pages and the JSON API do.
//!
//! Callers sign in with the session of the pages or with `Authorization: Bearer <token>`,
//! a token issued to a named account (`kernteam fhir-token issue`); see [`caller`].
//! One write: `POST /fhir` with a hospital's discharge letter ([`import`]). Reads need no
//! CSRF token; that write does when it comes with a session (`X-CSRF-Token`), not with a
//! bearer token.

mod caller;
mod import;
mod read;
mod respond;
mod search;

use axum::routing::get;
use axum::Router;

use crate::AppState;

pub use caller::FhirCaller;
pub use respond::{base_url, FhirError};

/// Where the API lives.
pub const BASE_PATH: &str = "/fhir";

/// The routes of the FHIR API as (METHOD, path), for the access matrix.
pub fn route_table() -> Vec<(&'static str, &'static str)> {
    vec![
        ("GET", "/fhir/metadata"),
        ("POST", "/fhir"),
        ("GET", "/fhir/{resource_type}"),
        ("GET", "/fhir/{resource_type}/{id}"),
    ]
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/fhir/metadata",
            get(read::metadata).fallback(respond::method_not_allowed),
        )
        .route(
            "/fhir/{resource_type}",
            get(search::search).fallback(respond::method_not_allowed),
        )
        .route(
            "/fhir/{resource_type}/{id}",
            get(read::read).fallback(respond::method_not_allowed),
        )
        .route(
            "/fhir",
            get(respond::unknown_path)
                .post(import::import)
                .fallback(respond::method_not_allowed),
        )
        .nest("/fhir/", Router::new().fallback(respond::unknown_path))
}
