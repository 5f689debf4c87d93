//! Activating an invitation: the code from the letter, a user name and a password; then a
//! session that still needs its second factor, so the new user sets up TOTP at once (the
//! staff's enrolment, `crate::two_factor`). The form is protected like the sign-in form
//! (its signed double-submit token), attempts count against the address like sign-ins,
//! and every refused code gets the same answer (and an audit record without the code).

use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use kernteam_app::portal::Activation;
use kernteam_store::audit::Outcome;

use crate::auth::{self, ClientIp, CurrentUser};
use crate::error::{AppError, AppResult};
use crate::pages::{render, Me};
use crate::AppState;

#[derive(Template)]
#[template(path = "portal/activate.html")]
struct ActivatePage {
    me: Option<Me>,
    flash: Option<String>,
    error: Option<String>,
    csrf: String,
    code: String,
    username: String,
}

fn page(
    state: &AppState,
    status: StatusCode,
    error: Option<String>,
    code: String,
    username: String,
) -> AppResult<Response> {
    let csrf = auth::new_login_csrf(&state.login_csrf_key);
    let mut resp = render(&ActivatePage {
        me: None,
        flash: None,
        error,
        csrf: csrf.clone(),
        code,
        username,
    })?;
    *resp.status_mut() = status;
    resp.headers_mut().append(
        header::SET_COOKIE,
        auth::login_csrf_cookie(&csrf, state.config.secure_cookies),
    );
    Ok(resp)
}

pub async fn form(State(state): State<AppState>) -> AppResult<Response> {
    page(&state, StatusCode::OK, None, String::new(), String::new())
}

#[derive(serde::Deserialize)]
pub struct ActivateForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password2: String,
    #[serde(default)]
    csrf: String,
}

/// A user name: letters, digits and `.-_@`, 3 to 100 characters.
fn check_username(u: &str) -> Result<(), String> {
    let n = u.chars().count();
    if !(3..=100).contains(&n) || !u.chars().all(|c| c.is_alphanumeric() || ".-_@".contains(c)) {
        return Err("Kies een gebruikersnaam van minstens 3 tekens, met alleen letters, cijfers en . - _ of @.".into());
    }
    Ok(())
}

pub async fn activate(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    previous: Option<CurrentUser>,
    Form(f): Form<ActivateForm>,
) -> AppResult<Response> {
    let username = f.username.trim().to_string();
    let code = f.code.trim().to_string();
    if !auth::login_csrf_ok(&state.login_csrf_key, &headers, &f.csrf) {
        let msg = "Het formulier was verlopen of kwam niet van deze site. Probeer het opnieuw.";
        return page(&state, StatusCode::FORBIDDEN, Some(msg.into()), code, username);
    }
    if !state.throttle.allow(ip.as_deref()) {
        crate::pages::audit_sign_in(
            &state,
            None,
            &username,
            "portaal: activeren geweigerd: te veel pogingen vanaf dit adres",
            Outcome::Refused,
            ip.clone(),
        )
        .await?;
        let msg = "Er is te vaak geprobeerd. Wacht een paar minuten en probeer het dan opnieuw.";
        return page(&state, StatusCode::TOO_MANY_REQUESTS, Some(msg.into()), code, username);
    }
    let problem = check_username(&username)
        .err()
        .or_else(|| auth::check_password_for(&f.password, &username).err())
        .or_else(|| (f.password != f.password2).then(|| "De twee wachtwoorden zijn niet gelijk.".to_string()));
    if let Some(msg) = problem {
        return page(&state, StatusCode::UNPROCESSABLE_ENTITY, Some(msg), code, username);
    }
    let hash = auth::hash_password(f.password).await.map_err(AppError::Internal)?;
    let activation = Activation {
        code: code.clone(),
        username: username.clone(),
        password_hash: hash,
    };
    let user = match state.app.activate_portal(&activation, ip.clone()).await {
        Ok(u) => u,
        Err(kernteam_app::Error::Invalid(list)) => {
            let msg = list.join(" ");
            return page(&state, StatusCode::UNPROCESSABLE_ENTITY, Some(msg), code, username);
        }
        Err(kernteam_app::Error::Conflict(msg)) => {
            return page(&state, StatusCode::CONFLICT, Some(msg), code, username);
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(old) = previous {
        state.db.delete_session(&old.session_hash).await?;
    }
    // Signed in, but the second factor is set up first.
    let token = auth::random_token();
    state
        .db
        .create_session(
            &auth::token_hash(&token),
            user.id,
            &auth::random_token(),
            ip.as_deref(),
            false,
        )
        .await?;
    let mut resp = Redirect::to("/account/tweestap").into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        auth::session_cookie(&token, state.config.secure_cookies),
    );
    Ok(resp)
}
