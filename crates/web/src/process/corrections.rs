//! Correcting and withdrawing recorded consultations, medication reviews and events from
//! their pages: `POST …/{record}/intrekken` (with a reason) and `POST …/{record}/corrigeren`
//! (the corrected fields and a reason). The use cases and who
//! may are in `kernteam_app::corrections`; the lists show "gecorrigeerd" or "ingetrokken"
//! with who, when and why, and the version before.

use axum::extract::{Path, RawForm, State};
use axum::response::{IntoResponse, Redirect, Response};
use kernteam_app::corrections::previous_summary;
use kernteam_app::events::EventInput;
use kernteam_domain::consultations::ConsultationInput;
use kernteam_domain::medication_reviews::ReviewInput;
use kernteam_store::program::{Correction, RecordKind};

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::pages::fmt_timestamp;
use crate::process::form_pairs;
use crate::AppState;

pub fn routes() -> Vec<crate::PageRoute> {
    crate::page_table![
        "/patienten/{id}/consultaties/{record}/intrekken" => post(withdraw_consultation),
        "/patienten/{id}/consultaties/{record}/corrigeren" => post(correct_consultation),
        "/patienten/{id}/medicatiebeoordelingen/{record}/intrekken" => post(withdraw_review),
        "/patienten/{id}/medicatiebeoordelingen/{record}/corrigeren" => post(correct_review),
        "/patienten/{id}/gebeurtenissen/{record}/intrekken" => post(withdraw_event),
        "/patienten/{id}/gebeurtenissen/{record}/corrigeren" => post(correct_event),
    ]
}

/// A record's corrections as a list shows them.
#[derive(Debug, Clone, Default)]
pub struct RecordStatus {
    pub withdrawn: bool,
    /// "Ingetrokken op … door …: reden", "Gecorrigeerd op … door …: reden (was: …)".
    pub notes: Vec<String>,
    /// The signed-in user may correct or withdraw it.
    pub can_change: bool,
}

/// The status of record `id` from the patient's corrections of its kind.
pub fn status_of(corrections: &[Correction], id: i64, withdrawn: bool, can_change: bool) -> RecordStatus {
    RecordStatus {
        withdrawn,
        can_change: can_change && !withdrawn,
        notes: corrections
            .iter()
            .filter(|c| c.record_id == id)
            .map(|c| {
                let when = format!("op {} door {}: {}", fmt_timestamp(&c.at), c.by_name, c.reason);
                if c.action == "ingetrokken" {
                    format!("Ingetrokken {when}")
                } else {
                    format!("Gecorrigeerd {when} (was: {})", previous_summary(c))
                }
            })
            .collect(),
    }
}

fn field(pairs: &[(String, String)], key: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

async fn withdraw(
    state: &AppState,
    cu: &CurrentUser,
    id: i64,
    record: i64,
    kind: RecordKind,
    body: &[u8],
    page: &str,
) -> AppResult<Response> {
    let c = state.app.contributor(&cu.actor(), id).await?;
    let pairs = form_pairs(body)?;
    state
        .app
        .withdraw_record(&c, kind, record, &field(&pairs, "reason"))
        .await?;
    Ok(Redirect::to(&format!("/patienten/{id}/{page}?melding=ingetrokken")).into_response())
}

pub async fn withdraw_consultation(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path((id, record)): Path<(i64, i64)>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    withdraw(&state, &cu, id, record, RecordKind::Consultation, &body, "consultaties").await
}

pub async fn withdraw_review(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path((id, record)): Path<(i64, i64)>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    withdraw(
        &state,
        &cu,
        id,
        record,
        RecordKind::MedicationReview,
        &body,
        "medicatiebeoordelingen",
    )
    .await
}

pub async fn withdraw_event(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path((id, record)): Path<(i64, i64)>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    withdraw(&state, &cu, id, record, RecordKind::CareEvent, &body, "gebeurtenissen").await
}

pub async fn correct_consultation(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path((id, record)): Path<(i64, i64)>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let c = state.app.contributor(&cu.actor(), id).await?;
    let pairs = form_pairs(&body)?;
    let input = ConsultationInput {
        date: field(&pairs, "date"),
        question: field(&pairs, "question"),
        advice: Some(field(&pairs, "advice")),
        kind: field(&pairs, "kind"),
        funding: field(&pairs, "funding"),
        so_name: Some(field(&pairs, "so_name")),
    };
    state
        .app
        .correct_consultation(&c, record, &input, &field(&pairs, "reason"))
        .await?;
    Ok(Redirect::to(&format!("/patienten/{id}/consultaties?melding=gecorrigeerd")).into_response())
}

pub async fn correct_review(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path((id, record)): Path<(i64, i64)>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let c = state.app.contributor(&cu.actor(), id).await?;
    let pairs = form_pairs(&body)?;
    let opt = |key: &str| Some(field(&pairs, key)).filter(|v| !v.trim().is_empty());
    let input = ReviewInput {
        date: field(&pairs, "date"),
        participants: pairs
            .iter()
            .filter(|(k, _)| k == "participants")
            .map(|(_, v)| v.clone())
            .collect(),
        stopped: opt("stopped"),
        started: opt("started"),
        changed: opt("changed"),
        follow_up: opt("follow_up"),
    };
    state
        .app
        .correct_medication_review(&c, record, &input, &field(&pairs, "reason"))
        .await?;
    Ok(Redirect::to(&format!("/patienten/{id}/medicatiebeoordelingen?melding=gecorrigeerd")).into_response())
}

pub async fn correct_event(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path((id, record)): Path<(i64, i64)>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let c = state.app.contributor(&cu.actor(), id).await?;
    let pairs = form_pairs(&body)?;
    let input = EventInput {
        kind: field(&pairs, "kind"),
        occurred_at: crate::process::events::local_input(&field(&pairs, "date"), &field(&pairs, "time"), "Tijdstip"),
        notes: Some(field(&pairs, "notes")).filter(|n| !n.trim().is_empty()),
    };
    state
        .app
        .correct_event(&c, record, input, &field(&pairs, "reason"))
        .await?;
    Ok(Redirect::to(&format!("/patienten/{id}/gebeurtenissen?melding=gecorrigeerd")).into_response())
}
