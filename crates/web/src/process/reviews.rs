//! Medication reviews (medicatiebeoordeling, MBO; the STRIP method of the guideline
//! *Polyfarmacie bij ouderen*): the page at `/patienten/{id}/medicatiebeoordelingen` and
//! the API at `/api/v1/patients/{id}/medication-reviews`.
//!
//! The page shows whether a review is indicated according to the practice's latest
//! extract (75+ with five or more medicines, or frail), records a review — who took
//! part, which medicines were stopped, started or changed, when to follow up — with the
//! indication of that moment, and lists the earlier ones.

use askama::Template;
use axum::extract::{Path, Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use kernteam_domain::care::MAX_TEXT;
use kernteam_domain::codes::CodeSets;
use kernteam_domain::events::{discipline_label, review_indication, ReviewIndication};
use kernteam_store::program::{MedicationReview, NewMedicationReview};
use serde::{Deserialize, Serialize};

use super::{date_field, form_pairs, patient_name, text_limit};
use crate::api::{ApiResult, Body, Id};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::pages::{fmt_date, fmt_opt_date, me, render, FlashQuery, Me};
use crate::patients::{allowed, audit, today, Allowed};
use crate::records::require;
use crate::AppState;

/// Who can take part in a review, as discipline codes (labels from the domain).
pub const PARTICIPANTS: [&str; 3] = ["huisarts", "apotheker", "specialist_ouderengeneeskunde"];

pub fn routes() -> Router<AppState> {
    Router::new().route("/patienten/{id}/medicatiebeoordelingen", get(page).post(record_form))
}

/// The stored code of an indication.
pub fn indication_code(i: ReviewIndication) -> &'static str {
    match i {
        ReviewIndication::Polypharmacy => "polypharmacy",
        ReviewIndication::Frail => "frail",
        ReviewIndication::Both => "both",
    }
}

fn indication_from_code(code: &str) -> Option<ReviewIndication> {
    [
        ReviewIndication::Polypharmacy,
        ReviewIndication::Frail,
        ReviewIndication::Both,
    ]
    .into_iter()
    .find(|i| indication_code(*i) == code)
}

/// The indication for a review according to the practice's latest extract.
#[derive(Debug, Clone, Copy)]
pub struct ExtractIndication {
    pub extract_date: NaiveDate,
    /// `None`: no indication.
    pub indication: Option<ReviewIndication>,
}

/// The indication from the latest extract; `None` when the patient is not in it.
pub async fn indication(state: &AppState, a: &Allowed) -> AppResult<Option<ExtractIndication>> {
    let Some(snap) = state.db.latest_snapshot(a.patient.practice_id).await? else {
        return Ok(None);
    };
    let Some(facts) = state.db.patient_facts(snap.snapshot_id, &a.patient.his_id).await? else {
        return Ok(None);
    };
    Ok(Some(ExtractIndication {
        extract_date: snap.extract_date,
        indication: review_indication(&facts, snap.extract_date, &CodeSets::default()),
    }))
}

/// A review as entered, before validation (form and API alike).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReviewInput {
    /// `yyyy-mm-dd`, not in the future.
    pub date: String,
    /// Codes of [`PARTICIPANTS`].
    pub participants: Vec<String>,
    /// Medicines stopped, started, changed: free text.
    pub stopped: Option<String>,
    pub started: Option<String>,
    pub changed: Option<String>,
    /// `yyyy-mm-dd`, not before `date`.
    pub follow_up: Option<String>,
}

fn optional_text(s: Option<&str>, label: &str, errors: &mut Vec<String>) -> Option<String> {
    let s = s.map(str::trim).filter(|s| !s.is_empty())?;
    text_limit(s, label, MAX_TEXT, errors);
    Some(s.to_string())
}

/// The rules of a review; every problem at once, in Dutch.
pub fn validate(
    input: &ReviewInput,
    today: NaiveDate,
    indication: Option<ReviewIndication>,
) -> AppResult<NewMedicationReview> {
    let mut errors = Vec::new();
    let date = match date_field(&input.date, "Datum", &mut errors) {
        Some(d) if d > today => {
            errors.push("De datum van de medicatiebeoordeling ligt in de toekomst.".to_string());
            None
        }
        Some(d) => Some(d),
        None if input.date.trim().is_empty() => {
            errors.push("Vul de datum van de medicatiebeoordeling in.".to_string());
            None
        }
        None => None,
    };
    let mut participants = Vec::new();
    for p in &input.participants {
        let p = p.trim();
        if !PARTICIPANTS.contains(&p) {
            errors.push(format!(
                "Onbekende deelnemer '{p}': kies huisarts, apotheker of specialist ouderengeneeskunde."
            ));
        }
    }
    for code in PARTICIPANTS {
        if input.participants.iter().any(|p| p.trim() == code) {
            participants.push(code);
        }
    }
    if participants.is_empty() && input.participants.iter().all(|p| p.trim().is_empty()) {
        errors.push("Kies wie er aan de medicatiebeoordeling deelnamen.".to_string());
    }
    let stopped = optional_text(input.stopped.as_deref(), "Gestopte middelen", &mut errors);
    let started = optional_text(input.started.as_deref(), "Gestarte middelen", &mut errors);
    let changed = optional_text(input.changed.as_deref(), "Gewijzigde middelen", &mut errors);
    let follow_up = date_field(input.follow_up.as_deref().unwrap_or(""), "Vervolgdatum", &mut errors);
    if let (Some(f), Some(d)) = (follow_up, date) {
        if f < d {
            errors.push("De vervolgdatum ligt vóór de datum van de medicatiebeoordeling.".to_string());
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(NewMedicationReview {
        date: date.expect("no errors, so a date"),
        indication: indication.map(|i| indication_code(i).to_string()),
        participants: participants.join(","),
        stopped,
        started,
        changed,
        follow_up,
    })
}

/// Records a review (anyone who may contribute), with the indication of the latest
/// extract. Returns it as stored.
pub async fn record(
    state: &AppState,
    cu: &CurrentUser,
    a: &Allowed,
    input: &ReviewInput,
) -> AppResult<MedicationReview> {
    require(a.access.contribute)?;
    let now = indication(state, a).await?.and_then(|i| i.indication);
    let r = validate(input, today(), now)?;
    let id = state.db.add_medication_review(a.patient.id, &r, cu.user.id).await?;
    audit(
        state,
        cu,
        Some(&a.patient),
        "medicatiebeoordeling vastgelegd",
        Some(r.date.to_string()),
    )
    .await?;
    Ok(MedicationReview {
        id,
        patient_id: a.patient.id,
        date: r.date,
        indication: r.indication,
        participants: r.participants,
        stopped: r.stopped,
        started: r.started,
        changed: r.changed,
        follow_up: r.follow_up,
    })
}

fn participant_codes(stored: &str) -> Vec<String> {
    stored
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

// ---------------------------------------------------------------------------------------
// The page.

pub struct ReviewView {
    pub date: String,
    pub indication: String,
    pub participants: String,
    pub stopped: String,
    pub started: String,
    pub changed: String,
    pub follow_up: String,
}

#[derive(Template)]
#[template(path = "reviews.html")]
struct ReviewsPage {
    me: Option<Me>,
    flash: Option<String>,
    csrf: String,
    patient_id: i64,
    name: String,
    can_record: bool,
    errors: Vec<String>,
    today: String,
    /// The indication line, e.g. "Geïndiceerd: kwetsbare oudere (HIS-extract van …)".
    indication: String,
    indicated: bool,
    last: Option<String>,
    reviews: Vec<ReviewView>,
    form: ReviewInput,
    /// Code, label, checked.
    participants: Vec<(&'static str, String, bool)>,
}

fn indication_line(i: Option<ExtractIndication>) -> (String, bool) {
    match i {
        None => (
            "Deze patiënt staat niet in het laatste HIS-extract van de praktijk; de indicatie is niet te bepalen."
                .into(),
            false,
        ),
        Some(ExtractIndication {
            extract_date,
            indication: Some(ind),
        }) => (
            format!(
                "Medicatiebeoordeling geïndiceerd: {} (volgens het HIS-extract van {}).",
                ind.label().to_lowercase(),
                fmt_date(extract_date)
            ),
            true,
        ),
        Some(ExtractIndication {
            extract_date,
            indication: None,
        }) => (
            format!(
                "Geen indicatie voor een medicatiebeoordeling volgens het HIS-extract van {}: niet kwetsbaar en minder dan vijf geneesmiddelen.",
                fmt_date(extract_date)
            ),
            false,
        ),
    }
}

async fn reviews_page(
    state: &AppState,
    cu: &CurrentUser,
    a: &Allowed,
    form: ReviewInput,
    errors: Vec<String>,
    flash: Option<String>,
) -> AppResult<ReviewsPage> {
    let stored = state.db.medication_reviews(a.patient.id).await?;
    let (indication, indicated) = indication_line(indication(state, a).await?);
    let reviews = stored
        .iter()
        .map(|r| ReviewView {
            date: fmt_date(r.date),
            indication: r
                .indication
                .as_deref()
                .and_then(indication_from_code)
                .map_or_else(|| "—".to_string(), |i| i.label().to_string()),
            participants: participant_codes(&r.participants)
                .iter()
                .map(|c| discipline_label(c))
                .collect::<Vec<_>>()
                .join(", "),
            stopped: r.stopped.clone().unwrap_or_default(),
            started: r.started.clone().unwrap_or_default(),
            changed: r.changed.clone().unwrap_or_default(),
            follow_up: fmt_opt_date(r.follow_up),
        })
        .collect();
    Ok(ReviewsPage {
        me: Some(me(state, cu).await?),
        flash,
        csrf: cu.csrf.clone(),
        patient_id: a.patient.id,
        name: patient_name(state, a).await?,
        can_record: a.access.contribute,
        errors,
        today: today().to_string(),
        indication,
        indicated,
        last: stored.first().map(|r| fmt_date(r.date)),
        reviews,
        participants: PARTICIPANTS
            .iter()
            .map(|c| {
                (
                    *c,
                    discipline_label(c),
                    form.participants.iter().any(|p| p.trim() == *c),
                )
            })
            .collect(),
        form,
    })
}

/// `GET /patienten/{id}/medicatiebeoordelingen`.
async fn page(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<FlashQuery>,
) -> AppResult<Response> {
    let a = allowed(&state, &cu, id).await?;
    audit(&state, &cu, Some(&a.patient), "medicatiebeoordelingen ingezien", None).await?;
    let flash =
        (q.melding.as_deref() == Some("vastgelegd")).then(|| "De medicatiebeoordeling is vastgelegd.".to_string());
    let form = ReviewInput {
        date: today().to_string(),
        participants: vec!["huisarts".into(), "apotheker".into()],
        ..Default::default()
    };
    render(&reviews_page(&state, &cu, &a, form, Vec::new(), flash).await?)
}

/// `POST /patienten/{id}/medicatiebeoordelingen`: records one; shows the form again with
/// the problems (422).
async fn record_form(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let a = allowed(&state, &cu, id).await?;
    require(a.access.contribute)?;
    let pairs = form_pairs(&body)?;
    let one = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let input = ReviewInput {
        date: one("date").unwrap_or_default(),
        participants: pairs
            .iter()
            .filter(|(k, _)| k == "participants")
            .map(|(_, v)| v.clone())
            .collect(),
        stopped: one("stopped"),
        started: one("started"),
        changed: one("changed"),
        follow_up: one("follow_up"),
    };
    match record(&state, &cu, &a, &input).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/patienten/{id}/medicatiebeoordelingen?melding=vastgelegd")).into_response())
        }
        Err(AppError::Invalid(mut errors)) => {
            errors.push("De medicatiebeoordeling is niet vastgelegd; uw invoer staat nog in het formulier.".into());
            let page = reviews_page(&state, &cu, &a, input, errors, None).await?;
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
pub struct ApiIndication {
    extract_date: NaiveDate,
    /// `polypharmacy`, `frail`, `both`, or null: not indicated.
    indication: Option<&'static str>,
    /// Dutch, for people.
    label: String,
}

#[derive(Debug, Serialize)]
pub struct ApiReview {
    id: i64,
    date: NaiveDate,
    /// The indication when the review was recorded (`polypharmacy`, `frail`, `both`).
    indication: Option<String>,
    /// Codes: huisarts, apotheker, specialist_ouderengeneeskunde.
    participants: Vec<String>,
    stopped: Option<String>,
    started: Option<String>,
    changed: Option<String>,
    follow_up: Option<NaiveDate>,
}

impl From<MedicationReview> for ApiReview {
    fn from(r: MedicationReview) -> Self {
        ApiReview {
            id: r.id,
            date: r.date,
            indication: r.indication,
            participants: participant_codes(&r.participants),
            stopped: r.stopped,
            started: r.started,
            changed: r.changed,
            follow_up: r.follow_up,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ApiReviews {
    /// From the practice's latest extract; null when the patient is not in it.
    indication: Option<ApiIndication>,
    /// Whether the signed-in user may record one.
    can_record: bool,
    /// Newest first.
    reviews: Vec<ApiReview>,
}

/// `GET /api/v1/patients/{id}/medication-reviews`.
pub async fn api_list(State(state): State<AppState>, cu: CurrentUser, Id(id): Id<i64>) -> ApiResult<Json<ApiReviews>> {
    let a = allowed(&state, &cu, id).await?;
    audit(&state, &cu, Some(&a.patient), "medicatiebeoordelingen ingezien", None).await?;
    let now = indication(&state, &a).await?;
    Ok(Json(ApiReviews {
        indication: now.map(|i| ApiIndication {
            extract_date: i.extract_date,
            indication: i.indication.map(indication_code),
            label: indication_line(Some(i)).0,
        }),
        can_record: a.access.contribute,
        reviews: state
            .db
            .medication_reviews(id)
            .await?
            .into_iter()
            .map(ApiReview::from)
            .collect(),
    }))
}

/// `POST /api/v1/patients/{id}/medication-reviews`: 201 with the review.
pub async fn api_record(
    State(state): State<AppState>,
    cu: CurrentUser,
    Id(id): Id<i64>,
    input: Body<ReviewInput>,
) -> ApiResult<Response> {
    let a = allowed(&state, &cu, id).await?;
    require(a.access.contribute)?;
    let input = input.parse()?;
    let r = record(&state, &cu, &a, &input).await?;
    Ok((StatusCode::CREATED, Json(ApiReview::from(r))).into_response())
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
            &ReviewInput {
                date: "2027-02-30".into(),
                participants: vec!["tandarts".into()],
                stopped: Some("x".repeat(MAX_TEXT + 1)),
                follow_up: Some("morgen".into()),
                ..Default::default()
            },
            d("2027-08-01"),
            None,
        )
        .unwrap_err();
        let AppError::Invalid(list) = e else { panic!("{e:?}") };
        assert_eq!(
            list,
            [
                "Datum: '2027-02-30' is geen geldige datum.",
                "Onbekende deelnemer 'tandarts': kies huisarts, apotheker of specialist ouderengeneeskunde.",
                "Gestopte middelen mag hoogstens 4000 tekens lang zijn.",
                "Vervolgdatum: 'morgen' is geen geldige datum.",
            ]
        );
        let e = validate(
            &ReviewInput {
                date: "2027-07-01".into(),
                follow_up: Some("2027-06-01".into()),
                ..Default::default()
            },
            d("2027-08-01"),
            None,
        )
        .unwrap_err();
        let AppError::Invalid(list) = e else { panic!("{e:?}") };
        assert_eq!(
            list,
            [
                "Kies wie er aan de medicatiebeoordeling deelnamen.",
                "De vervolgdatum ligt vóór de datum van de medicatiebeoordeling.",
            ]
        );
    }

    #[test]
    fn participants_in_a_fixed_order() {
        let r = validate(
            &ReviewInput {
                date: "2027-07-01".into(),
                participants: vec!["apotheker".into(), "huisarts".into(), "apotheker".into()],
                changed: Some(" Metoprolol halveren ".into()),
                stopped: Some("".into()),
                ..Default::default()
            },
            d("2027-08-01"),
            Some(ReviewIndication::Both),
        )
        .unwrap();
        assert_eq!(r.participants, "huisarts,apotheker");
        assert_eq!(r.changed.as_deref(), Some("Metoprolol halveren"));
        assert_eq!(r.stopped, None);
        assert_eq!(r.indication.as_deref(), Some("both"));
    }
}
