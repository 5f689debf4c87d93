//! FHIR answers: resources as `application/fhir+json`, errors as `OperationOutcome`.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use kernteam_fhir::{operation_outcome, IssueCode};
use serde_json::Value;

use crate::AppState;

/// An error of the FHIR API, answered as an `OperationOutcome`.
#[derive(Debug)]
pub struct FhirError {
    status: StatusCode,
    code: IssueCode,
    messages: Vec<String>,
}

impl FhirError {
    pub fn new(status: StatusCode, code: IssueCode, message: impl Into<String>) -> Self {
        FhirError {
            status,
            code,
            messages: vec![message.into()],
        }
    }

    pub fn not_found(what: &str) -> Self {
        FhirError::new(
            StatusCode::NOT_FOUND,
            IssueCode::NotFound,
            format!("{what} bestaat niet, of u heeft er geen toegang toe."),
        )
    }

    pub fn bad_search(message: impl Into<String>) -> Self {
        FhirError::new(StatusCode::BAD_REQUEST, IssueCode::Invalid, message)
    }

    pub fn unauthenticated() -> Self {
        FhirError::new(
            StatusCode::UNAUTHORIZED,
            IssueCode::Login,
            "Meld u aan: met de sessie van Kernteam, of met de header Authorization: Bearer <token>.",
        )
    }
}

impl From<kernteam_app::Error> for FhirError {
    fn from(e: kernteam_app::Error) -> Self {
        use kernteam_app::Error::*;
        match e {
            NotFound => FhirError::not_found("Dit gegeven"),
            Forbidden => FhirError::new(
                StatusCode::FORBIDDEN,
                IssueCode::Forbidden,
                "U heeft geen toegang tot deze gegevens.",
            ),
            Invalid(messages) => FhirError {
                status: StatusCode::BAD_REQUEST,
                code: IssueCode::Invalid,
                messages,
            },
            Conflict(m) => FhirError::new(StatusCode::CONFLICT, IssueCode::Exception, m),
            Internal(e) => {
                tracing::error!("internal error: {e:#}");
                FhirError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    IssueCode::Exception,
                    "Er ging iets mis aan onze kant. Probeer het opnieuw.",
                )
            }
        }
    }
}

impl IntoResponse for FhirError {
    fn into_response(self) -> Response {
        let mut resp = fhir_json(self.status, &operation_outcome(self.code, &self.messages));
        if self.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"kernteam-fhir\""),
            );
        }
        resp
    }
}

pub type FhirResult = Result<Response, FhirError>;

/// A FHIR resource (or Bundle) as `application/fhir+json`.
pub fn fhir_json(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/fhir+json; charset=utf-8"),
        )],
        body.to_string(),
    )
        .into_response()
}

/// `https://host/fhir`, as the caller reached it (for `fullUrl`s and links).
pub fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b)))
        .unwrap_or("localhost");
    let scheme = if state.config.secure_cookies { "https" } else { "http" };
    format!("{scheme}://{host}{}", super::BASE_PATH)
}

pub async fn unknown_path() -> Response {
    FhirError::new(
        StatusCode::NOT_FOUND,
        IssueCode::NotFound,
        "Dit adres bestaat niet in de FHIR-API; zie /fhir/metadata.",
    )
    .into_response()
}

pub async fn method_not_allowed() -> Response {
    FhirError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        IssueCode::NotSupported,
        "De FHIR-API van Kernteam kan lezen en zoeken (GET) en een ontslagbericht aannemen (POST /fhir); zie /fhir/metadata.",
    )
    .into_response()
}
