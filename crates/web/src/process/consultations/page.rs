//! The consultations page: `GET /patienten/{id}/consultaties` lists them with the form;
//! `POST` records one, or shows the form again with the problems (422) beside the stored
//! consultations (a read, audited).

use askama::Template;
use axum::extract::{Path, Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kernteam_app::gate::Visible;
use kernteam_app::{today, Action, Error};
use kernteam_domain::access::Role;
use kernteam_domain::consultations::ConsultationInput;
use kernteam_domain::events::{ConsultationKind, Funding};

use super::{funding_label, kind_label};
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::pages::{fmt_date, me, render, FlashQuery, Me};
use crate::process::form_pairs;
use crate::AppState;

pub struct ConsultationView {
    pub id: i64,
    /// The stored values, for the correction form.
    pub date_iso: String,
    pub kind_code: String,
    pub funding_code: String,
    pub status: crate::process::corrections::RecordStatus,
    pub date: String,
    pub kind: String,
    pub question: String,
    pub advice: String,
    pub funding: String,
    pub so_name: String,
}

#[derive(Template)]
#[template(path = "consultations.html")]
struct ConsultationsPage {
    me: Option<Me>,
    flash: Option<String>,
    csrf: String,
    patient_id: i64,
    banner: crate::pages::banner::Banner,
    can_record: bool,
    errors: Vec<String>,
    today: String,
    consultations: Vec<ConsultationView>,
    form: ConsultationInput,
    so_name: String,
    so_users: Vec<String>,
    kinds: Vec<(&'static str, &'static str)>,
    fundings: Vec<(&'static str, &'static str)>,
}

async fn consultations_page(
    state: &AppState,
    cu: &CurrentUser,
    v: &Visible,
    form: ConsultationInput,
    errors: Vec<String>,
    flash: Option<String>,
) -> AppResult<ConsultationsPage> {
    let app = &state.app;
    let corrections = app
        .corrections(v, kernteam_store::program::RecordKind::Consultation)
        .await?;
    let consultations = app
        .consultations(v)
        .await?
        .into_iter()
        .map(|c| ConsultationView {
            id: c.id,
            date_iso: c.date.to_string(),
            kind_code: c.kind.clone(),
            funding_code: c.funding.clone(),
            status: crate::process::corrections::status_of(
                &corrections,
                c.id,
                c.withdrawn_at.is_some(),
                kernteam_app::App::may_correct(v, c.recorded_by),
            ),
            date: fmt_date(c.date),
            kind: kind_label(&c.kind),
            question: c.question,
            advice: c.advice.unwrap_or_default(),
            funding: funding_label(&c.funding),
            so_name: c.so_name,
        })
        .collect();
    let so_name = match form.so_name.clone() {
        Some(n) => n,
        None if cu.user.role == Role::SpecialistOuderengeneeskunde => cu.user.display_name.clone(),
        None => String::new(),
    };
    Ok(ConsultationsPage {
        me: Some(me(state, cu).await?),
        flash,
        csrf: cu.csrf.clone(),
        patient_id: v.patient().id,
        banner: crate::pages::banner::Banner::load(state, v).await?,
        can_record: v.access().contribute,
        errors,
        today: today().to_string(),
        consultations,
        form,
        so_name,
        so_users: app.so_names(v).await?,
        kinds: ConsultationKind::ALL.iter().map(|k| (k.code(), k.label())).collect(),
        fundings: Funding::ALL.iter().map(|f| (f.code(), f.label())).collect(),
    })
}

/// `GET /patienten/{id}/consultaties`.
pub async fn page(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<FlashQuery>,
) -> AppResult<Response> {
    let v = state
        .app
        .visible(&cu.actor(), id, Action::ViewConsultations, None)
        .await?;
    let flash = match q.melding.as_deref() {
        Some("vastgelegd") => Some("De consultatie is vastgelegd.".to_string()),
        Some("gecorrigeerd") => Some("De consultatie is gecorrigeerd; de vorige versie is bewaard.".to_string()),
        Some("ingetrokken") => Some("De consultatie is ingetrokken; ze telt niet meer mee.".to_string()),
        _ => None,
    };
    let form = ConsultationInput {
        date: today().to_string(),
        kind: ConsultationKind::Consultatie.code().to_string(),
        ..Default::default()
    };
    render(&consultations_page(&state, &cu, &v, form, Vec::new(), flash).await?)
}

/// `POST /patienten/{id}/consultaties`.
pub async fn record_form(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let app = &state.app;
    let c = app.contributor(&cu.actor(), id).await?;
    let pairs = form_pairs(&body)?;
    let one = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let input = ConsultationInput {
        date: one("date"),
        question: one("question"),
        advice: Some(one("advice")),
        kind: one("kind"),
        funding: one("funding"),
        so_name: Some(one("so_name")),
    };
    match app.record_consultation(&c, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/patienten/{id}/consultaties?melding=vastgelegd")).into_response()),
        Err(Error::Invalid(mut errors)) => {
            errors.push("De consultatie is niet vastgelegd; uw invoer staat nog in het formulier.".into());
            let v = app.reread(&c, Action::ViewConsultations, None).await?;
            let page = consultations_page(&state, &cu, &v, input, errors, None).await?;
            let mut resp = render(&page)?;
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(e) => Err(e.into()),
    }
}
