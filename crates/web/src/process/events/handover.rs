//! `POST /patienten/{id}/gebeurtenissen/{event}/overdracht`: sends the handover summary of
//! a referral, admission or discharge to the chosen organisation, now.

use axum::extract::{Path, RawForm, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use kernteam_app::{Action, Error};
use serde::Deserialize;

use super::page::{render_with_errors, EventForm};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SendForm {
    organisation: String,
}

pub async fn send(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path((id, event)): Path<(i64, i64)>,
    headers: HeaderMap,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let app = &state.app;
    let c = app.contributor(&cu.actor(), id).await?;
    let form: SendForm =
        serde_urlencoded::from_bytes(&body).map_err(|_| AppError::invalid("Het formulier is onleesbaar."))?;
    let organisation = match form.organisation.trim() {
        "" => None,
        s => Some(
            s.parse::<i64>()
                .map_err(|_| AppError::invalid("Kies een organisatie uit de lijst."))?,
        ),
    };
    let base = crate::fhir::base_url(&state, &headers);
    match app.send_handover(&c, event, organisation, &base, Utc::now()).await {
        Ok(h) => Ok(Redirect::to(&format!(
            "/patienten/{id}/gebeurtenissen?melding=overdracht#overdracht-{}",
            h.id
        ))
        .into_response()),
        Err(Error::Invalid(mut errors)) => {
            errors.push("De overdracht is niet verstuurd.".into());
            let v = app
                .reread(&c, Action::ViewEvents, Some("na geweigerde invoer".into()))
                .await?;
            render_with_errors(&state, &cu, &v, EventForm::default(), errors).await
        }
        Err(e) => Err(e.into()),
    }
}
