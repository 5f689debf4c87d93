//! `GET /api/v1/session`: who is signed in, and the CSRF token for state-changing requests.

use axum::Json;
use serde::Serialize;

use crate::auth::CurrentUser;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Session {
    pub id: i64,
    pub username: String,
    pub name: String,
    /// Role code, e.g. `poh_o`, `wijkverpleegkundige`.
    pub role: &'static str,
    pub practice_id: Option<i64>,
    pub organisation_id: Option<i64>,
    /// Send this as `X-CSRF-Token` with every POST, PUT and DELETE of this session.
    pub csrf: String,
}

/// The signed-in user and the session's CSRF token.
#[utoipa::path(get, path = "/api/v1/session", tag = "session", operation_id = "getSession",
    responses((status = 200, description = "The session.", body = Session),
        (status = 401, description = "Not signed in.", body = super::doc::ApiErrorBody)))]
pub async fn show(cu: CurrentUser) -> Json<Session> {
    Json(Session {
        id: cu.user.id,
        username: cu.user.username,
        name: cu.user.display_name,
        role: cu.user.role.code(),
        practice_id: cu.user.practice_id,
        organisation_id: cu.user.organisation_id,
        csrf: cu.csrf,
    })
}
