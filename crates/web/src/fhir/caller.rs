//! Who is calling the FHIR API: the signed-in user of a session (password and second
//! factor done), or the account a bearer token was issued to. A token is checked (and
//! its use audited) by `kernteam_app::App::fhir_token_actor`.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use kernteam_app::Actor;

use super::respond::FhirError;
use crate::auth::{ClientIp, CurrentUser};
use crate::AppState;

/// The caller of a FHIR request.
pub struct FhirCaller(pub Actor);

impl FromRequestParts<AppState> for FhirCaller {
    type Rejection = FhirError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(|t| t.trim().to_string());
        if let Some(token) = bearer {
            if token.is_empty() || token.len() > 200 {
                return Err(FhirError::unauthenticated());
            }
            let ip = parts.extensions.get::<ClientIp>().and_then(|c| c.0.clone());
            return match state.app.fhir_token_actor(&token, ip).await? {
                Some(actor) => Ok(FhirCaller(actor)),
                None => Err(FhirError::unauthenticated()),
            };
        }
        match parts.extensions.get::<CurrentUser>() {
            Some(cu) if cu.second_factor_done => Ok(FhirCaller(cu.actor())),
            _ => Err(FhirError::unauthenticated()),
        }
    }
}
