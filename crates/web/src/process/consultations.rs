//! Consultations of the elderly-care physician (specialist ouderengeneeskunde, SO): the
//! page at `/patienten/{id}/consultaties` and the API at
//! `/api/v1/patients/{id}/consultations`. The region reports them per quarter, split by
//! funding (Zvw or Wlz).
//!
//! Everyone who may see the patient sees them; everyone who may contribute to the care
//! records records them (the practice's clinicians, the network professionals on the
//! care team — the SO among them).

use askama::Template;
use axum::extract::{Path, Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use kernteam_domain::access::Role;
use kernteam_domain::care::MAX_TEXT;
use kernteam_domain::events::{ConsultationKind, Funding};
use kernteam_store::program::{Consultation, NewConsultation};
use serde::{Deserialize, Serialize};

use super::{date_field, form_pairs, patient_name, text_limit, MAX_NAME};
use crate::api::{ApiResult, Body, Id};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::pages::{fmt_date, me, render, FlashQuery, Me};
use crate::patients::{allowed, audit, today, Allowed};
use crate::records::require;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/patienten/{id}/consultaties", get(page).post(record_form))
}

/// A consultation as entered, before validation (form and API alike).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ConsultationInput {
    /// `yyyy-mm-dd`, not in the future.
    pub date: String,
    pub question: String,
    pub advice: Option<String>,
    /// A [`ConsultationKind`] code.
    pub kind: String,
    /// A [`Funding`] code.
    pub funding: String,
    /// The SO consulted; when empty and the user is an SO, the user.
    pub so_name: Option<String>,
}

/// The rules of a consultation; every problem at once, in Dutch. `default_so` is the
/// name used when no SO is named (the signed-in SO).
pub fn validate(input: &ConsultationInput, today: NaiveDate, default_so: Option<&str>) -> AppResult<NewConsultation> {
    let mut errors = Vec::new();
    let date = match date_field(&input.date, "Datum", &mut errors) {
        Some(d) if d > today => {
            errors.push("De datum van de consultatie ligt in de toekomst.".to_string());
            None
        }
        Some(d) => Some(d),
        None if input.date.trim().is_empty() => {
            errors.push("Vul de datum van de consultatie in.".to_string());
            None
        }
        None => None,
    };
    let question = input.question.trim().to_string();
    if question.is_empty() {
        errors.push("Vul de vraag aan de specialist ouderengeneeskunde in.".to_string());
    }
    text_limit(&question, "De vraag", MAX_TEXT, &mut errors);
    let advice = input
        .advice
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    text_limit(advice.as_deref().unwrap_or(""), "Het advies", MAX_TEXT, &mut errors);
    let kind = ConsultationKind::from_code(input.kind.trim());
    if kind.is_none() {
        errors.push("Kies de soort: consultatie, medebehandeling of in het MDO.".to_string());
    }
    let funding = Funding::from_code(input.funding.trim().to_lowercase().as_str());
    if funding.is_none() {
        errors.push("Kies de financiering: Zvw of Wlz.".to_string());
    }
    let so_name = input
        .so_name
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .or(default_so)
        .unwrap_or("")
        .to_string();
    if so_name.is_empty() {
        errors.push("Vul in welke specialist ouderengeneeskunde is geconsulteerd.".to_string());
    }
    text_limit(
        &so_name,
        "De naam van de specialist ouderengeneeskunde",
        MAX_NAME,
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(NewConsultation {
        date: date.expect("no errors, so a date"),
        question,
        advice,
        kind: kind.expect("no errors, so a kind").code().to_string(),
        funding: funding.expect("no errors, so a funding").code().to_string(),
        so_name,
    })
}

/// Records a consultation (anyone who may contribute). Returns it as stored.
pub async fn record(
    state: &AppState,
    cu: &CurrentUser,
    a: &Allowed,
    input: &ConsultationInput,
) -> AppResult<Consultation> {
    require(a.access.contribute)?;
    let own = (cu.user.role == Role::SpecialistOuderengeneeskunde).then_some(cu.user.display_name.as_str());
    let c = validate(input, today(), own)?;
    let id = state.db.add_consultation(a.patient.id, &c, cu.user.id).await?;
    audit(
        state,
        cu,
        Some(&a.patient),
        "so-consultatie vastgelegd",
        Some(format!("{} {}", c.date, c.funding)),
    )
    .await?;
    Ok(Consultation {
        id,
        patient_id: a.patient.id,
        date: c.date,
        question: c.question,
        advice: c.advice,
        kind: c.kind,
        funding: c.funding,
        so_name: c.so_name,
    })
}

fn kind_label(code: &str) -> String {
    ConsultationKind::from_code(code).map_or_else(|| code.to_string(), |k| k.label().to_string())
}

fn funding_label(code: &str) -> String {
    Funding::from_code(code).map_or_else(|| code.to_string(), |f| f.label().to_string())
}

// ---------------------------------------------------------------------------------------
// The page.

pub struct ConsultationView {
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
    name: String,
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
    a: &Allowed,
    form: ConsultationInput,
    errors: Vec<String>,
    flash: Option<String>,
) -> AppResult<ConsultationsPage> {
    let consultations = state
        .db
        .consultations(a.patient.id)
        .await?
        .into_iter()
        .map(|c| ConsultationView {
            date: fmt_date(c.date),
            kind: kind_label(&c.kind),
            question: c.question,
            advice: c.advice.unwrap_or_default(),
            funding: funding_label(&c.funding),
            so_name: c.so_name,
        })
        .collect();
    let mut so_users: Vec<String> = state
        .db
        .users()
        .await?
        .into_iter()
        .filter(|u| u.active && u.role == Role::SpecialistOuderengeneeskunde)
        .map(|u| u.display_name)
        .collect();
    so_users.sort();
    so_users.dedup();
    let so_name = match form.so_name.clone() {
        Some(n) => n,
        None if cu.user.role == Role::SpecialistOuderengeneeskunde => cu.user.display_name.clone(),
        None => String::new(),
    };
    Ok(ConsultationsPage {
        me: Some(me(state, cu).await?),
        flash,
        csrf: cu.csrf.clone(),
        patient_id: a.patient.id,
        name: patient_name(state, a).await?,
        can_record: a.access.contribute,
        errors,
        today: today().to_string(),
        consultations,
        form,
        so_name,
        so_users,
        kinds: ConsultationKind::ALL.iter().map(|k| (k.code(), k.label())).collect(),
        fundings: Funding::ALL.iter().map(|f| (f.code(), f.label())).collect(),
    })
}

/// `GET /patienten/{id}/consultaties`.
async fn page(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<FlashQuery>,
) -> AppResult<Response> {
    let a = allowed(&state, &cu, id).await?;
    audit(&state, &cu, Some(&a.patient), "so-consultaties ingezien", None).await?;
    let flash = (q.melding.as_deref() == Some("vastgelegd")).then(|| "De consultatie is vastgelegd.".to_string());
    let form = ConsultationInput {
        date: today().to_string(),
        kind: ConsultationKind::Consultatie.code().to_string(),
        ..Default::default()
    };
    render(&consultations_page(&state, &cu, &a, form, Vec::new(), flash).await?)
}

/// `POST /patienten/{id}/consultaties`: records one; shows the form again with the
/// problems (422).
async fn record_form(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let a = allowed(&state, &cu, id).await?;
    require(a.access.contribute)?;
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
    match record(&state, &cu, &a, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/patienten/{id}/consultaties?melding=vastgelegd")).into_response()),
        Err(AppError::Invalid(mut errors)) => {
            errors.push("De consultatie is niet vastgelegd; uw invoer staat nog in het formulier.".into());
            let page = consultations_page(&state, &cu, &a, input, errors, None).await?;
            let mut resp = render(&page)?;
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------------------------------
// API.

#[derive(Debug, Serialize)]
pub struct ApiConsultation {
    id: i64,
    date: NaiveDate,
    question: String,
    advice: Option<String>,
    /// A code: consultatie, medebehandeling, in_mdo.
    kind: String,
    /// A code: zvw, wlz.
    funding: String,
    so_name: String,
}

impl From<Consultation> for ApiConsultation {
    fn from(c: Consultation) -> Self {
        ApiConsultation {
            id: c.id,
            date: c.date,
            question: c.question,
            advice: c.advice,
            kind: c.kind,
            funding: c.funding,
            so_name: c.so_name,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ApiConsultations {
    /// Whether the signed-in user may record one.
    can_record: bool,
    /// Newest first.
    consultations: Vec<ApiConsultation>,
}

/// `GET /api/v1/patients/{id}/consultations`.
pub async fn api_list(
    State(state): State<AppState>,
    cu: CurrentUser,
    Id(id): Id<i64>,
) -> ApiResult<Json<ApiConsultations>> {
    let a = allowed(&state, &cu, id).await?;
    audit(&state, &cu, Some(&a.patient), "so-consultaties ingezien", None).await?;
    Ok(Json(ApiConsultations {
        can_record: a.access.contribute,
        consultations: state
            .db
            .consultations(id)
            .await?
            .into_iter()
            .map(ApiConsultation::from)
            .collect(),
    }))
}

/// `POST /api/v1/patients/{id}/consultations`: 201 with the consultation.
pub async fn api_record(
    State(state): State<AppState>,
    cu: CurrentUser,
    Id(id): Id<i64>,
    input: Body<ConsultationInput>,
) -> ApiResult<Response> {
    let a = allowed(&state, &cu, id).await?;
    require(a.access.contribute)?;
    let input = input.parse()?;
    let c = record(&state, &cu, &a, &input).await?;
    Ok((StatusCode::CREATED, Json(ApiConsultation::from(c))).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn every_problem_at_once() {
        let e = validate(
            &ConsultationInput {
                date: String::new(),
                question: "x".repeat(MAX_TEXT + 1),
                advice: Some("y".repeat(MAX_TEXT + 1)),
                kind: "telefonisch".into(),
                funding: "eigen".into(),
                so_name: None,
            },
            d("2027-08-01"),
            None,
        )
        .unwrap_err();
        let AppError::Invalid(list) = e else { panic!("{e:?}") };
        assert_eq!(
            list,
            [
                "Vul de datum van de consultatie in.",
                "De vraag mag hoogstens 4000 tekens lang zijn.",
                "Het advies mag hoogstens 4000 tekens lang zijn.",
                "Kies de soort: consultatie, medebehandeling of in het MDO.",
                "Kies de financiering: Zvw of Wlz.",
                "Vul in welke specialist ouderengeneeskunde is geconsulteerd.",
            ]
        );
    }

    #[test]
    fn the_signed_in_so_is_the_default() {
        let c = validate(
            &ConsultationInput {
                date: "2027-07-30".into(),
                question: " Onrust in de avond ".into(),
                advice: Some(" ".into()),
                kind: "medebehandeling".into(),
                funding: "Wlz".into(),
                so_name: Some("".into()),
            },
            d("2027-08-01"),
            Some("Sanne Oud"),
        )
        .unwrap();
        assert_eq!(c.question, "Onrust in de avond");
        assert_eq!(c.advice, None);
        assert_eq!(c.funding, "wlz");
        assert_eq!(c.so_name, "Sanne Oud");
    }
}
