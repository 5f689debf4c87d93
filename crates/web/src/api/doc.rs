//! The OpenAPI 3.1 document of the API, served at `GET /api/openapi.json`, derived from the
//! handlers: each carries `#[utoipa::path]` and is registered with `utoipa_axum::routes!`,
//! which adds the route *and* its operation, so the two cannot drift apart. The schemas
//! come from the request and response types (`#[derive(ToSchema)]`). What is written by
//! hand is only what no handler says: the title, the security schemes and that every
//! POST, PUT and DELETE carries the CSRF token.

use std::sync::Arc;

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityRequirement, SecurityScheme};
use utoipa::openapi::OpenApi as Document;
use utoipa::{Modify, OpenApi, ToSchema};

use crate::auth::SESSION_COOKIE;

/// The JSON body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Error)]
pub struct ApiErrorBody {
    /// What went wrong, in Dutch.
    pub error: String,
    /// Every problem with the input, in Dutch.
    pub details: Vec<String>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Kernteam API",
        version = "1",
        description = "JSON API beside Kernteam's pages, under the same access rules: practice staff see \
            their own practice's patients, network professionals the patients whose care team they are on, \
            regional staff no patient records. A patient the user may not see answers 404, something they \
            may see but not do 403. Every read or change of patient data is logged (NEN 7513). \
            Sign in with the form at POST /inloggen (fields username, password) and send the session cookie; \
            every POST, PUT and DELETE carries the session's CSRF token (GET /api/v1/session) in the \
            X-CSRF-Token header. Messages for people (error, details, changes) are in Dutch.",
        license(name = "EUPL-1.2", identifier = "EUPL-1.2")
    ),
    components(schemas(ApiErrorBody)),
    modifiers(&Security),
    security(("session" = []))
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        let mut session = ApiKeyValue::new(SESSION_COOKIE);
        session.description = Some("The session cookie set by POST /inloggen.".into());
        components.add_security_scheme("session", SecurityScheme::ApiKey(ApiKey::Cookie(session)));
        let mut csrf = ApiKeyValue::new("X-CSRF-Token");
        csrf.description =
            Some("The session's CSRF token, from GET /api/v1/session; required on POST, PUT and DELETE.".into());
        components.add_security_scheme("csrf", SecurityScheme::ApiKey(ApiKey::Header(csrf)));
    }
}

/// Every state-changing operation needs the session and its CSRF token.
pub fn require_csrf_on_changes(doc: &mut Document) {
    let both = SecurityRequirement::new("session", Vec::<String>::new()).add("csrf", Vec::<String>::new());
    for item in doc.paths.paths.values_mut() {
        for op in [&mut item.post, &mut item.put, &mut item.delete, &mut item.patch]
            .into_iter()
            .flatten()
        {
            op.security = Some(vec![both.clone()]);
        }
    }
}

/// The document as served: pretty JSON, built once when the router is built.
#[derive(Clone)]
pub struct Served(pub Arc<String>);

impl Served {
    pub fn new(doc: &Document) -> Served {
        Served(Arc::new(doc.to_pretty_json().expect("the OpenAPI document is JSON")))
    }

    pub fn response(&self) -> Response {
        (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static("application/json")),
                (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300")),
            ],
            self.0.as_str().to_string(),
        )
            .into_response()
    }
}
