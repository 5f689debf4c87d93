//! Sign-in by a code sent by e-mail (portal accounts with an e-mail address, where an SMTP
//! server is configured; `kernteam_app::email_sign_in`): chosen on the enrolment page
//! instead of an app, confirmed with a first code; at sign-in a code is sent after the
//! password, and can be sent again (at most one a minute, five an hour). Wrong codes count
//! towards the lockout like wrong app codes.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use kernteam_app::email_sign_in::CodeSent;

use crate::auth::{self, CurrentUser};
use crate::error::AppResult;
use crate::pages::render;
use crate::two_factor::{enrol_page_with, fail_code, finish_sign_in, CodeForm, CodePage, LOCKED};
use crate::AppState;

/// A wrong e-mailed code: counted like a wrong app code; the message to show.
pub(crate) async fn wrong_code(state: &AppState, cu: &CurrentUser, action: &str) -> AppResult<String> {
    let message = fail_code(state, cu, action).await?;
    Ok(if message == LOCKED {
        message
    } else {
        "Deze code klopt niet, is verlopen of is al gebruikt. Vraag zo nodig een nieuwe code.".into()
    })
}

/// What to tell the user after asking for a code.
fn told(sent: &CodeSent) -> Option<String> {
    Some(match sent {
        CodeSent::Sent(to) => format!("We hebben een code gestuurd naar {to}. De code werkt 10 minuten."),
        CodeSent::TooSoon => {
            "U krijgt niet vaker dan één keer per minuut een nieuwe code. Wacht even en probeer het dan opnieuw.".into()
        }
        CodeSent::TooMany => {
            "U hebt al vijf codes gekregen in het afgelopen uur. Probeer het later opnieuw, of bel de praktijk.".into()
        }
        CodeSent::Unavailable => return None,
    })
}

/// The page asking for the e-mailed code.
pub(crate) async fn code_page(
    state: &AppState,
    cu: &CurrentUser,
    error: Option<String>,
    flash: Option<String>,
    status: StatusCode,
) -> AppResult<Response> {
    let email = state.app.email_sign_in_address(&cu.user).await?.unwrap_or_default();
    let mut resp = render(&CodePage {
        me: None,
        flash,
        csrf: cu.csrf.clone(),
        error,
        email: Some(email),
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}

/// Sends another code (a half-signed-in session that signs in by e-mail).
pub async fn resend(State(state): State<AppState>, cu: CurrentUser) -> AppResult<Response> {
    if cu.second_factor_done {
        return Ok(Redirect::to("/").into_response());
    }
    if !state.app.uses_email_sign_in(&cu.user).await? {
        return Ok(Redirect::to("/inloggen/code").into_response());
    }
    if auth::still_locked(state.db.totp_state(cu.user.id).await?.locked_until.as_deref()) {
        return code_page(&state, &cu, Some(LOCKED.into()), None, StatusCode::UNAUTHORIZED).await;
    }
    let sent = state.app.send_sign_in_code(&cu.user, cu.ip.clone()).await?;
    let status = match sent {
        CodeSent::Sent(_) => StatusCode::OK,
        _ => StatusCode::TOO_MANY_REQUESTS,
    };
    code_page(&state, &cu, None, told(&sent), status).await
}

/// Chooses sign-in by e-mail instead of an app: sends the first code.
pub async fn start(State(state): State<AppState>, cu: CurrentUser) -> AppResult<Response> {
    if state.app.email_sign_in_address(&cu.user).await?.is_none()
        || state.db.totp_state(cu.user.id).await?.enabled
        || state.app.uses_email_sign_in(&cu.user).await?
    {
        return Ok(Redirect::to("/account/tweestap").into_response());
    }
    let sent = state.app.send_sign_in_code(&cu.user, cu.ip.clone()).await?;
    if matches!(sent, CodeSent::Sent(_)) {
        enrol_page_with(&state, &cu, None, None, StatusCode::OK, true, told(&sent)).await
    } else {
        enrol_page_with(
            &state,
            &cu,
            None,
            told(&sent),
            StatusCode::TOO_MANY_REQUESTS,
            true,
            None,
        )
        .await
    }
}

/// Confirms sign-in by e-mail with the code just sent: it is the second factor from now.
pub async fn confirm(
    State(state): State<AppState>,
    cu: CurrentUser,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    if state.app.email_sign_in_address(&cu.user).await?.is_none()
        || state.db.totp_state(cu.user.id).await?.enabled
        || state.app.uses_email_sign_in(&cu.user).await?
    {
        return Ok(Redirect::to("/account/tweestap").into_response());
    }
    if auth::still_locked(state.db.totp_state(cu.user.id).await?.locked_until.as_deref()) {
        state.db.delete_session(&cu.session_hash).await?;
        let status = StatusCode::UNAUTHORIZED;
        return enrol_page_with(&state, &cu, None, Some(LOCKED.into()), status, true, None).await;
    }
    if !state
        .app
        .confirm_email_sign_in(&cu.user, &form.code, cu.ip.clone())
        .await?
    {
        let error = wrong_code(&state, &cu, "code per e-mail instellen").await?;
        return enrol_page_with(&state, &cu, None, Some(error), StatusCode::UNAUTHORIZED, true, None).await;
    }
    finish_sign_in(&state, &cu, "tweede stap: code per e-mail juist").await
}
