//! `POST /patienten/{id}/pzp`: saves a new version; shows the form again with the
//! problems (422) or the conflict (409), and the stored PZP beside it (a read, audited).

use axum::extract::{Path, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kernteam_app::pzp::PzpSaved;
use kernteam_app::{today, Action, Error};

use super::form::PzpForm;
use super::page::pzp_page;
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::pages::render;
use crate::process::form_pairs;
use crate::AppState;

pub async fn save_form(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let app = &state.app;
    let c = app.pzp_editor(&cu.actor(), id).await?;
    let people = app.pzp_people(&c).await?;
    let pairs = form_pairs(&body)?;
    let based_on = pairs
        .iter()
        .find(|(k, _)| k == "based_on")
        .and_then(|(_, v)| v.trim().parse::<i64>().ok())
        .unwrap_or(-1);
    let user_name = cu.user.display_name.clone();
    let outcome = app
        .edit_pzp(&c, based_on, |stored| {
            PzpForm::from_pairs(&pairs, stored, &people).to_pzp(stored, &user_name, today())
        })
        .await;
    let (status, mut errors) = match outcome {
        Ok(PzpSaved::Unchanged { .. }) => {
            return Ok(Redirect::to(&format!("/patienten/{id}/pzp?melding=ongewijzigd")).into_response())
        }
        Ok(PzpSaved::Saved { .. }) => {
            return Ok(Redirect::to(&format!("/patienten/{id}/pzp?melding=opgeslagen")).into_response())
        }
        Err(Error::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
        Err(Error::Conflict(message)) => (StatusCode::CONFLICT, vec![message]),
        Err(e) => return Err(e.into()),
    };
    errors.push(
        "Uw wijzigingen staan nog niet in de proactieve zorgplanning; ze staan hieronder nog in het formulier.".into(),
    );
    // Show what is stored (a read of the record: audited); the form keeps what was entered.
    let v = app.reread(&c, Action::ViewPzp, None).await?;
    let record = app.pzp(&v).await?;
    let form = PzpForm::from_pairs(&pairs, &record.current, &people);
    let mut page = pzp_page(&state, &cu, &v, &record, &record.current, form, errors, None, true).await?;
    // The form keeps the version the editor started from: after a conflict, saving again
    // is refused until they have seen the other change.
    page.based_on = based_on.max(0);
    let mut resp = render(&page)?;
    *resp.status_mut() = status;
    Ok(resp)
}
