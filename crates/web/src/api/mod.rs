//! The JSON API under `/api/v1`, beside the pages and under the same rules: every handler
//! asks the gate of `kernteam_app` for the token its use case needs (404 for a patient the
//! user may not see, 403 for what they may see but not do), changes go through the same
//! use cases as the forms, and every read or change of patient data leaves the same audit
//! record as the page would.
//!
//! Clients sign in with the session cookie of the pages (`POST /inloggen`). Every
//! state-changing request carries the session's CSRF token in the `X-CSRF-Token` header
//! (checked by [`crate::auth::session_layer`]); `GET /api/v1/session` hands it out.
//! Errors are JSON, `{"error": "…", "details": ["…"]}`, through
//! [`AppError::into_api_response`]. The OpenAPI 3.1 description is served at
//! `GET /api/openapi.json`.
//!
//! Each handler carries `#[utoipa::path]` and is registered with `utoipa_axum::routes!`, so
//! the router and the OpenAPI document ([`doc`]) are built from the same registrations and
//! cannot drift apart; [`route_table`] lists them.

mod care_plan;
mod care_team;
pub mod doc;
mod patient_record;
mod patients;
mod session;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Router;
use kernteam_store::StoreError;
use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::AppState;

/// An error of an API handler: an [`AppError`] answered as JSON.
#[derive(Debug)]
pub struct ApiError(pub AppError);

pub type ApiResult<T = Response> = Result<T, ApiError>;

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl From<kernteam_app::Error> for ApiError {
    fn from(e: kernteam_app::Error) -> Self {
        ApiError(e.into())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.into_api_response()
    }
}

/// A JSON request body. Reading it never rejects the request by itself: the handler
/// decides access first and only then calls [`Body::parse`], so that someone who may not
/// see a patient gets 404 (or 403) whatever they send, never a 422 about their JSON.
/// Unreadable JSON or a wrong shape is then a 422 with the reason.
pub struct Body<T>(Result<T, AppError>);

impl<T> Body<T> {
    /// The body, after access has been decided.
    pub fn parse(self) -> crate::AppResult<T> {
        self.0
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Ok(Body(match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(v),
            Err(rejection) => Err(AppError::Invalid(vec![json_problem(&rejection)])),
        }))
    }
}

fn json_problem(rejection: &JsonRejection) -> String {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => {
            "Stuur de gegevens als JSON, met de header Content-Type: application/json.".into()
        }
        JsonRejection::JsonSyntaxError(e) => format!("De JSON is onleesbaar: {}", e.body_text()),
        JsonRejection::JsonDataError(e) => format!("De JSON heeft niet de verwachte vorm: {}", e.body_text()),
        other => format!("De aanvraag is onleesbaar: {}", other.body_text()),
    }
}

/// Path parameters; a malformed id names nothing, so it is a 404.
pub struct Id<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Id<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Id(v)),
            Err(PathRejection::FailedToDeserializePathParams(_)) => Err(ApiError(AppError::NotFound)),
            Err(other) => Err(ApiError(AppError::Internal(anyhow::anyhow!(
                "path: {}",
                other.body_text()
            )))),
        }
    }
}

/// Query parameters; a malformed query is a 422 with the reason.
pub struct Params<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Params(v)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => Err(ApiError(AppError::invalid(format!(
                "De zoekparameters kloppen niet: {}",
                e.body_text()
            )))),
            Err(other) => Err(ApiError(AppError::invalid(other.body_text()))),
        }
    }
}

/// Where the OpenAPI document is served.
pub const OPENAPI_PATH: &str = "/api/openapi.json";

/// The routes of the API (full paths, `/api/v1/…`), the OpenAPI document derived from
/// them at [`OPENAPI_PATH`], and JSON answers for unknown paths and methods under `/api`.
pub fn router() -> Router<AppState> {
    let (router, document) = build();
    let served = doc::Served::new(&document);
    router
        .route(
            OPENAPI_PATH,
            axum::routing::get(move || async move { served.response() }),
        )
        .method_not_allowed_fallback(method_not_allowed)
        .nest("/api", Router::new().fallback(not_found))
}

/// Every route of the API as (METHOD, path), read from the router's own table (the
/// document is derived from the same registrations, so this is also what it lists).
pub fn route_table() -> Vec<(String, String)> {
    let (_, document) = build();
    let mut out = Vec::new();
    for (path, item) in &document.paths.paths {
        for (method, op) in [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("DELETE", &item.delete),
            ("PATCH", &item.patch),
        ] {
            if op.is_some() {
                out.push((method.to_string(), path.clone()));
            }
        }
    }
    out
}

/// The API's routes and the document derived from them.
fn build() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    use utoipa::OpenApi;
    let api = utoipa_axum::router::OpenApiRouter::with_openapi(doc::ApiDoc::openapi())
        .routes(utoipa_axum::routes!(session::show))
        .merge(patients::api_routes())
        .merge(patient_record::api_routes())
        .merge(care_team::api_routes())
        .merge(care_plan::api_routes())
        .merge(crate::process::mdo::api::api_routes())
        .merge(crate::process::events::api_routes())
        .merge(crate::process::worklist::api_routes())
        .merge(crate::process::formation::api_routes())
        .merge(crate::process::pzp::api_routes())
        .merge(crate::process::consultations::api_routes())
        .merge(crate::process::reviews::api_routes());
    let (router, mut document) = api.split_for_parts();
    doc::require_csrf_on_changes(&mut document);
    (router, document)
}

/// The answer for a path that is no route of the API (unlike a 404 of a route: no such
/// patient, or not one for this user).
pub const UNKNOWN_PATH: &str = "Dit adres bestaat niet in de API; zie /api/openapi.json.";

async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        axum::Json(serde_json::json!({ "error": UNKNOWN_PATH, "details": [] })),
    )
        .into_response()
}

async fn method_not_allowed() -> Response {
    (
        StatusCode::METHOD_NOT_ALLOWED,
        axum::Json(serde_json::json!({
            "error": "Deze methode is hier niet toegestaan; zie /api/openapi.json.",
            "details": [],
        })),
    )
        .into_response()
}
