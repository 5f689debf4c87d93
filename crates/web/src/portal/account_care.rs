//! The practice's care of a patient's portal accounts (on the patient's Portaal tab): a
//! lost phone's reset of the second factor (the account closes; a new letter, shown once,
//! re-opens it), blocking and unblocking. Only the practice's clinicians (the gate's
//! `Decider`), CSRF-protected like every form, audited by the use cases.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::AppState;

/// Resets the account's second factor and shows the new letter.
pub async fn reset_second_factor(
    State(state): State<AppState>,
    cu: CurrentUser,
    headers: HeaderMap,
    Path((id, account)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let d = state.app.decider(&cu.actor(), id).await?;
    let new = state.app.reset_portal_second_factor(&d, account).await?;
    let email = state.app.mail_enabled() && state.db.user_email(account).await?.is_some();
    super::staff::letter(&state, &cu, &headers, d.patient(), new, true, email).await
}

pub async fn block(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path((id, account)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let d = state.app.decider(&cu.actor(), id).await?;
    state.app.block_portal_account(&d, account, true).await?;
    Ok(Redirect::to(&format!("/patienten/{id}/portaal?melding=geblokkeerd")).into_response())
}

pub async fn unblock(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path((id, account)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let d = state.app.decider(&cu.actor(), id).await?;
    state.app.block_portal_account(&d, account, false).await?;
    Ok(Redirect::to(&format!("/patienten/{id}/portaal?melding=gedeblokkeerd")).into_response())
}
