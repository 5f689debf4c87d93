//! `GET /patienten/{id}/overdrachten/{handover}`: the handover summary as sent, on one A4
//! page for the receiving professional: who the patient is, to whom it was sent, when and
//! by whom, then the document's sections (first point of contact and care team, care plan,
//! PZP wishes and limits, active episodes, medication, recent events). Read from the
//! stored document, so the paper says what was sent; the print is audited.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use kernteam_app::Action;
use kernteam_fhir::handover_view::SectionView;

use super::local_text;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::pages::render;
use crate::AppState;

#[derive(Template)]
#[template(path = "handover_print.html")]
struct PrintPage {
    patient_id: i64,
    title: String,
    name: String,
    birth: String,
    bsn: String,
    address: String,
    recipient: String,
    sent_at: String,
    author: String,
    custodian: String,
    late: bool,
    document_id: String,
    sections: Vec<SectionView>,
}

/// An RFC 3339 time or a date as read: `dd-mm-jjjj uu:mm` local, or `dd-mm-jjjj`.
fn when(s: &str) -> String {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return local_text(t.with_timezone(&chrono::Utc));
    }
    match chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) => d.format("%d-%m-%Y").to_string(),
        Err(_) => s.to_string(),
    }
}

pub async fn print(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path((id, handover)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let app = &state.app;
    let v = app
        .visible(
            &cu.actor(),
            id,
            Action::PrintHandover,
            Some(format!("overdracht {handover}")),
        )
        .await?;
    let (sent, doc) = app.handover_sent(&v, handover).await?;
    let view = kernteam_fhir::document_view(&doc, &when)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("handover {handover} is no document")))?;
    render(&PrintPage {
        patient_id: id,
        title: view.title,
        name: view.patient.name,
        birth: view.patient.birth_date,
        bsn: view.patient.bsn,
        address: view.patient.address,
        recipient: view.recipient,
        sent_at: local_text(sent.sent_at),
        author: view.author,
        custodian: view.custodian,
        late: sent.late,
        document_id: sent.document_id,
        sections: view.sections,
    })
}
