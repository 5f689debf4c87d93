//! The JSON API under `/api/v1`, beside the pages and under the same rules: patients are
//! loaded with [`crate::patients::allowed`] (404 for a patient the user may not see, 403
//! for what they may see but not do), changes go through [`crate::records`] (the same
//! validation as the forms), and every read or change of patient data leaves the same
//! audit record as the page would.
//!
//! Clients sign in with the session cookie of the pages (`POST /inloggen`). Every
//! state-changing request carries the session's CSRF token in the `X-CSRF-Token` header
//! (checked by [`crate::auth::session_layer`]); `GET /api/v1/session` hands it out.
//! Errors are JSON, `{"error": "…", "details": ["…"]}`, through
//! [`AppError::into_api_response`]. The OpenAPI 3.1 description is served at
//! `GET /api/openapi.json`.
//!
//! [`API_ROUTES`] is the one list of the API: the router is built from it and so is the
//! OpenAPI document, so the two cannot drift apart.

mod care_plan;
mod care_team;
pub mod doc;
pub mod openapi;
mod patient_record;
mod patients;
mod session;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{on, MethodFilter, MethodRouter};
use axum::Router;
use kernteam_store::StoreError;
use serde::de::DeserializeOwned;
use serde_json::Value;

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

/// One operation of the API.
pub struct ApiRoute {
    /// `GET`, `POST`, `PUT` or `DELETE`.
    pub method: &'static str,
    /// The full path as OpenAPI writes it (and axum too): `/api/v1/patients/{id}`.
    pub path: &'static str,
    /// The handler, registered for exactly `method`.
    handler: fn(MethodFilter) -> MethodRouter<AppState>,
    /// The OpenAPI operation object.
    pub operation: fn() -> Value,
}

/// Every operation of the API. The router and the OpenAPI document are built from this.
pub const API_ROUTES: &[ApiRoute] = &[
    ApiRoute {
        method: "GET",
        path: "/api/v1/patients/{id}/pzp",
        handler: |m| on(m, crate::process::pzp::api_show),
        operation: openapi::pzp,
    },
    ApiRoute {
        method: "PUT",
        path: "/api/v1/patients/{id}/pzp",
        handler: |m| on(m, crate::process::pzp::api_save),
        operation: openapi::save_pzp,
    },
    ApiRoute {
        method: "GET",
        path: "/api/v1/patients/{id}/consultations",
        handler: |m| on(m, crate::process::consultations::api_list),
        operation: openapi::consultations,
    },
    ApiRoute {
        method: "POST",
        path: "/api/v1/patients/{id}/consultations",
        handler: |m| on(m, crate::process::consultations::api_record),
        operation: openapi::record_consultation,
    },
    ApiRoute {
        method: "GET",
        path: "/api/v1/patients/{id}/medication-reviews",
        handler: |m| on(m, crate::process::reviews::api_list),
        operation: openapi::medication_reviews,
    },
    ApiRoute {
        method: "POST",
        path: "/api/v1/patients/{id}/medication-reviews",
        handler: |m| on(m, crate::process::reviews::api_record),
        operation: openapi::record_medication_review,
    },
    ApiRoute {
        method: "GET",
        path: "/api/v1/mdo",
        handler: |m| on(m, crate::process::mdo::api_list),
        operation: openapi::mdo_meetings,
    },
    ApiRoute {
        method: "POST",
        path: "/api/v1/mdo",
        handler: |m| on(m, crate::process::mdo::api_plan),
        operation: openapi::plan_mdo,
    },
    ApiRoute {
        method: "GET",
        path: "/api/v1/mdo/{meeting}",
        handler: |m| on(m, crate::process::mdo::api_meeting),
        operation: openapi::mdo_meeting,
    },
    ApiRoute {
        method: "POST",
        path: "/api/v1/mdo/{meeting}/agenda",
        handler: |m| on(m, crate::process::mdo::api_add),
        operation: openapi::add_to_mdo_agenda,
    },
    ApiRoute {
        method: "PUT",
        path: "/api/v1/mdo/{meeting}/attendance",
        handler: |m| on(m, crate::process::mdo::api_attendance),
        operation: openapi::record_mdo_attendance,
    },
    ApiRoute {
        method: "POST",
        path: "/api/v1/mdo/{meeting}/agenda/{id}/minutes",
        handler: |m| on(m, crate::process::mdo::api_minutes),
        operation: openapi::record_mdo_minutes,
    },
    ApiRoute {
        method: "GET",
        path: "/api/v1/patients/{id}/mdo",
        handler: |m| on(m, crate::process::events::api_mdo_history),
        operation: openapi::patient_mdo_history,
    },
    ApiRoute {
        method: "GET",
        path: "/api/v1/patients/{id}/events",
        handler: |m| on(m, crate::process::events::api_list),
        operation: openapi::events,
    },
    ApiRoute {
        method: "POST",
        path: "/api/v1/patients/{id}/events",
        handler: |m| on(m, crate::process::events::api_record),
        operation: openapi::record_event,
    },
    ApiRoute {
        method: "POST",
        path: "/api/v1/patients/{id}/events/{event}/handover",
        handler: |m| on(m, crate::process::events::api_handover),
        operation: openapi::record_handover,
    },
    ApiRoute {
        method: "GET",
        path: "/api/v1/worklist",
        handler: |m| on(m, crate::process::worklist::api_worklist),
        operation: openapi::worklist,
    },
    ApiRoute {
        method: "GET",
        path: "/api/v1/practice/poh-o-hours",
        handler: |m| on(m, crate::process::formation::api_show),
        operation: openapi::poh_o_hours,
    },
    ApiRoute {
        method: "POST",
        path: "/api/v1/practice/poh-o-hours",
        handler: |m| on(m, crate::process::formation::api_set),
        operation: openapi::set_poh_o_hours,
    },
];

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
    let mut api = utoipa_axum::router::OpenApiRouter::with_openapi(doc::ApiDoc::openapi())
        .routes(utoipa_axum::routes!(session::show))
        .merge(patients::api_routes())
        .merge(patient_record::api_routes())
        .merge(care_team::api_routes())
        .merge(care_plan::api_routes());
    // Routes not yet described by their handlers: documented by `openapi.rs` until then.
    for route in API_ROUTES {
        let method = Method::from_bytes(route.method.as_bytes()).expect("a valid method");
        let filter = MethodFilter::try_from(method).expect("a routable method");
        api = api.route(route.path, (route.handler)(filter));
    }
    let (router, mut document) = api.split_for_parts();
    doc::require_csrf_on_changes(&mut document);
    (router, merge_legacy(document))
}

/// The derived document with the operations of [`API_ROUTES`] (and their schemas) added.
fn merge_legacy(document: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let legacy = openapi::document();
    let mut doc = serde_json::to_value(&document).expect("JSON");
    for (path, item) in legacy["paths"].as_object().into_iter().flatten() {
        let target = &mut doc["paths"][path];
        for (method, op) in item.as_object().into_iter().flatten() {
            target[method] = op.clone();
        }
    }
    for section in ["schemas", "responses"] {
        for (name, schema) in legacy["components"][section].as_object().into_iter().flatten() {
            if doc["components"][section].get(name).is_none() {
                doc["components"][section][name] = schema.clone();
            }
        }
    }
    serde_json::from_value(doc).expect("a merged OpenAPI document")
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
