//! `POST /patienten/{id}/gebeurtenissen/{event}/overdracht`: the handover of an admission
//! or discharge is "verstuurd", now or at the given local date and time.

use axum::extract::{Path, RawForm, State};
use axum::response::{IntoResponse, Redirect, Response};
use kernteam_app::{Action, Error};
use serde::Deserialize;

use super::local_input;
use super::page::{render_with_errors, EventForm};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SentForm {
    date: String,
    time: String,
}

pub async fn handover_sent(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path((id, event)): Path<(i64, i64)>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let app = &state.app;
    let c = app.contributor(&cu.actor(), id).await?;
    let form: SentForm =
        serde_urlencoded::from_bytes(&body).map_err(|_| AppError::invalid("Het formulier is onleesbaar."))?;
    let sent_at = if form.date.trim().is_empty() && form.time.trim().is_empty() {
        None
    } else {
        Some(local_input(&form.date, &form.time, "Verstuurd op"))
    };
    match app.mark_handover(&c, event, sent_at).await {
        Ok(_) => Ok(Redirect::to(&format!("/patienten/{id}/gebeurtenissen?melding=overdracht")).into_response()),
        Err(Error::Invalid(mut errors)) => {
            errors.push("Het versturen van de overdracht is niet vastgelegd.".into());
            let v = app
                .reread(&c, Action::ViewEvents, Some("na geweigerde invoer".into()))
                .await?;
            render_with_errors(&state, &cu, &v, EventForm::default(), errors).await
        }
        Err(e) => Err(e.into()),
    }
}
