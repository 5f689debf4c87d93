//! The user's own account: changing one's password (the current one, then the new one
//! twice, under the password rules). Every other session of the user ends; audited.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use kernteam_store::audit::Outcome;

use super::{audit_sign_in, check_password_attempt, me, render, Me};
use crate::auth::{self, CurrentUser};
use crate::error::AppResult;
use crate::AppState;

#[derive(Template)]
#[template(path = "account_password.html")]
struct PasswordPage {
    me: Option<Me>,
    flash: Option<String>,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    cu: &CurrentUser,
    status: StatusCode,
    flash: Option<String>,
    error: Option<String>,
) -> AppResult<Response> {
    let mut resp = render(&PasswordPage {
        me: Some(me(state, cu).await?),
        flash,
        error,
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}

pub async fn password_form(State(state): State<AppState>, cu: CurrentUser) -> AppResult<Response> {
    page(&state, &cu, StatusCode::OK, None, None).await
}

#[derive(serde::Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    repeat: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    cu: CurrentUser,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    if form.new != form.repeat {
        let error = "De twee nieuwe wachtwoorden zijn niet gelijk.".to_string();
        return page(&state, &cu, unprocessable, None, Some(error)).await;
    }
    if let Err(error) = auth::check_password_for(&form.new, &cu.user.username) {
        return page(&state, &cu, unprocessable, None, Some(error)).await;
    }
    let attempt = check_password_attempt(
        &state,
        &cu.user.username,
        form.current,
        cu.ip.clone(),
        "wachtwoord wijzigen",
    );
    if attempt.await?.is_none() {
        let error =
            "Uw huidige wachtwoord klopt niet (of er is te vaak een verkeerd wachtwoord geprobeerd; wacht dan even).";
        return page(&state, &cu, StatusCode::UNAUTHORIZED, None, Some(error.into())).await;
    }
    let hash = auth::hash_password(form.new).await?;
    state
        .db
        .change_own_password(cu.user.id, &hash, &cu.session_hash)
        .await?;
    let action = "wachtwoord gewijzigd (andere sessies beëindigd)";
    audit_sign_in(&state, Some(&cu.user), "", action, Outcome::Allowed, cu.ip.clone()).await?;
    let flash = "Uw wachtwoord is gewijzigd. U bent op andere apparaten uitgelogd.".to_string();
    page(&state, &cu, StatusCode::OK, Some(flash), None).await
}
