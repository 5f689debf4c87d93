//! The staff member's own e-mail address, for the content-free notifications by e-mail
//! (where an SMTP server is configured). A portal account's address is set by the
//! practice on the invitation (it can carry sign-in codes): this page is not theirs.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;

use super::{me, render, Me};
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::AppState;

#[derive(Template)]
#[template(path = "account_email.html")]
struct EmailPage {
    me: Option<Me>,
    flash: Option<String>,
    error: Option<String>,
    email: String,
    mail_enabled: bool,
}

async fn page(
    state: &AppState,
    cu: &CurrentUser,
    status: StatusCode,
    flash: Option<String>,
    error: Option<String>,
    email: Option<String>,
) -> AppResult<Response> {
    let email = match email {
        Some(e) => e,
        None => state.app.own_email(&cu.actor()).await?.unwrap_or_default(),
    };
    let mut resp = render(&EmailPage {
        me: Some(me(state, cu).await?),
        flash,
        error,
        email,
        mail_enabled: state.app.mail_enabled(),
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}

pub async fn form(State(state): State<AppState>, cu: CurrentUser) -> AppResult<Response> {
    page(&state, &cu, StatusCode::OK, None, None, None).await
}

#[derive(serde::Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
}

pub async fn save(State(state): State<AppState>, cu: CurrentUser, Form(f): Form<EmailForm>) -> AppResult<Response> {
    match state.app.set_own_email(&cu.actor(), &f.email).await {
        Ok(()) => {
            let flash = if f.email.trim().is_empty() {
                "Uw e-mailadres is verwijderd: u krijgt geen meldingen per e-mail meer."
            } else {
                "Uw e-mailadres is opgeslagen."
            };
            page(&state, &cu, StatusCode::OK, Some(flash.into()), None, None).await
        }
        Err(kernteam_app::Error::Invalid(list)) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            page(&state, &cu, status, None, Some(list.join(" ")), Some(f.email)).await
        }
        Err(e) => Err(e.into()),
    }
}
