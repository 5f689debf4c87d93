//! `POST /patienten/{id}/gebeurtenissen/ontslagbericht`: a hospital's discharge letter (a
//! FHIR Bundle file) uploaded on the patient's page records the discharge and starts the
//! handover clock; a refused letter shows the page again with each problem in Dutch, and
//! nothing is stored.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use kernteam_app::{Action, Error};

use super::multipart::{boundary, parts};
use super::page::render_with_import_errors;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::AppState;

pub async fn upload(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Response> {
    let app = &state.app;
    let c = app.contributor(&cu.actor(), id).await?;
    let file = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(boundary)
        .and_then(|b| parts(&body, &b))
        .and_then(|p| p.into_iter().find(|(n, _)| n == "bestand").map(|(_, f)| f))
        .ok_or_else(|| AppError::invalid("Het formulier is onleesbaar; kies het bestand opnieuw."))?;
    let refused = |errors: Vec<String>| async {
        let v = app
            .reread(&c, Action::ViewEvents, Some("na geweigerd ontslagbericht".into()))
            .await?;
        render_with_import_errors(&state, &cu, &v, errors).await
    };
    if file.iter().all(u8::is_ascii_whitespace) {
        return refused(vec!["Kies een bestand: het gekozen bestand is leeg.".into()]).await;
    }
    match app.import_discharge(c.actor(), &file, Some(id)).await {
        Ok(Ok(_)) => {
            Ok(Redirect::to(&format!("/patienten/{id}/gebeurtenissen?melding=ontslagbericht")).into_response())
        }
        Ok(Err(problems)) => refused(problems.into_iter().map(|p| p.message).collect()).await,
        Err(Error::Conflict(m)) => refused(vec![m]).await,
        Err(e) => Err(e.into()),
    }
}
