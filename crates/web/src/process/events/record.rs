//! `POST /patienten/{id}/gebeurtenissen`: records an event from the form (anyone who may
//! contribute to the record).

use axum::extract::{Path, RawForm, State};
use axum::response::{IntoResponse, Redirect, Response};
use kernteam_app::events::EventInput;
use kernteam_app::{Action, Error};

use super::local_input;
use super::page::{render_with_errors, EventForm};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::AppState;

pub async fn record(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let app = &state.app;
    let c = app.contributor(&cu.actor(), id).await?;
    let form: EventForm =
        serde_urlencoded::from_bytes(&body).map_err(|_| AppError::invalid("Het formulier is onleesbaar."))?;
    let input = EventInput {
        kind: form.kind.clone(),
        occurred_at: local_input(&form.date, &form.time, "Tijdstip"),
        notes: form.notes.clone(),
    };
    match app.record_event(&c, input).await {
        Ok(_) => Ok(Redirect::to(&format!("/patienten/{id}/gebeurtenissen?melding=vastgelegd")).into_response()),
        Err(Error::Invalid(mut errors)) => {
            errors.push("De gebeurtenis is niet vastgelegd; controleer de invoer.".into());
            let v = app
                .reread(&c, Action::ViewEvents, Some("na geweigerde invoer".into()))
                .await?;
            render_with_errors(&state, &cu, &v, form, errors).await
        }
        Err(e) => Err(e.into()),
    }
}
