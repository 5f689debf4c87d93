//! The medication reviews page: `GET /patienten/{id}/medicatiebeoordelingen` shows the
//! indication, the reviews and the form; `POST` records one, or shows the form again with
//! the problems (422) beside the stored reviews (a read, audited).

use std::collections::HashSet;

use askama::Template;
use axum::extract::{Path, Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use kernteam_app::gate::Visible;
use kernteam_app::{today, Action, Error};
use kernteam_domain::dates::active_on;
use kernteam_domain::events::discipline_label;
use kernteam_domain::figures::POLYPHARMACY_MIN_MEDICINES;
use kernteam_domain::medication_reviews::{
    indication_from_code, participant_codes, since_review, ReviewInput, SinceReview, PARTICIPANTS,
};
use kernteam_domain::text;
use kernteam_store::care::HisLine;

use super::indication_line;
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::pages::{fmt_date, fmt_opt_date, me, render, FlashQuery, Me};
use crate::process::form_pairs;
use crate::AppState;

pub struct ReviewView {
    pub id: i64,
    pub status: crate::process::corrections::RecordStatus,
    pub date: String,
    pub indication: String,
    pub participants: String,
    pub stopped: String,
    pub started: String,
    pub changed: String,
    pub follow_up: String,
    /// For the correction form: the date and follow-up as `yyyy-mm-dd`, the participants
    /// as (code, label, taken part).
    pub date_iso: String,
    pub follow_up_iso: String,
    pub participant_choices: Vec<(&'static str, String, bool)>,
}

/// A medicine line as the review page shows it.
pub struct MedicineView {
    pub name: String,
    pub dosage: String,
    pub atc: String,
    pub start: String,
    pub end: String,
}

impl MedicineView {
    fn of(l: &kernteam_store::care::HisLine) -> MedicineView {
        MedicineView {
            name: l.text.clone().unwrap_or_default(),
            dosage: l.dosage.clone().unwrap_or_default(),
            atc: l.code.clone(),
            start: fmt_date(l.start),
            end: fmt_opt_date(l.end),
        }
    }
}

/// The medicines under review: current ones, and what changed since the last review.
pub struct MedicinesView {
    /// "Uit het HIS-extract van 1 juli 2026"; empty when the patient is not in the extract.
    pub source: String,
    pub current: Vec<MedicineView>,
    /// "8 middelen, polyfarmacie (5 of meer)".
    pub count: String,
    /// The last review's date, when there was one.
    pub since: Option<String>,
    pub started: Vec<MedicineView>,
    pub stopped: Vec<MedicineView>,
}

fn medicines_view(lines: Option<(NaiveDate, Vec<HisLine>)>, last_review: Option<NaiveDate>) -> MedicinesView {
    let Some((on, lines)) = lines else {
        return MedicinesView {
            source: String::new(),
            current: Vec::new(),
            count: String::new(),
            since: None,
            started: Vec::new(),
            stopped: Vec::new(),
        };
    };
    let current: Vec<&HisLine> = lines.iter().filter(|l| active_on(l.start, l.end, on)).collect();
    let distinct: HashSet<&str> = current.iter().map(|l| l.code.as_str()).collect();
    let mut count = text::count(current.len(), "middel", "middelen");
    if distinct.len() >= POLYPHARMACY_MIN_MEDICINES {
        count.push_str(&format!(", polyfarmacie ({POLYPHARMACY_MIN_MEDICINES} of meer)"));
    }
    let changed = |want: SinceReview| -> Vec<MedicineView> {
        last_review.map_or_else(Vec::new, |r| {
            lines
                .iter()
                .filter(|l| since_review(l.start, l.end, r, on) == want)
                .map(MedicineView::of)
                .collect()
        })
    };
    MedicinesView {
        source: format!("Uit het HIS-extract van {}", fmt_date(on)),
        current: current.into_iter().map(MedicineView::of).collect(),
        count,
        since: last_review.map(fmt_date),
        started: changed(SinceReview::Started),
        stopped: changed(SinceReview::Stopped),
    }
}

#[derive(Template)]
#[template(path = "reviews.html")]
struct ReviewsPage {
    me: Option<Me>,
    flash: Option<String>,
    csrf: String,
    patient_id: i64,
    banner: crate::pages::banner::Banner,
    can_record: bool,
    errors: Vec<String>,
    today: String,
    /// The indication line, e.g. "Geïndiceerd: kwetsbare oudere (HIS-extract van …)".
    indication: String,
    indicated: bool,
    last: Option<String>,
    reviews: Vec<ReviewView>,
    medicines: MedicinesView,
    form: ReviewInput,
    /// Code, label, checked.
    participants: Vec<(&'static str, String, bool)>,
}

async fn reviews_page(
    state: &AppState,
    cu: &CurrentUser,
    v: &Visible,
    form: ReviewInput,
    errors: Vec<String>,
    flash: Option<String>,
) -> AppResult<ReviewsPage> {
    let app = &state.app;
    let stored = app.medication_reviews(v).await?;
    // Withdrawn reviews are shown as such but are no review: not the last one, not "since".
    let current: Vec<_> = stored.iter().filter(|r| r.withdrawn_at.is_none()).collect();
    let (indication, indicated) = indication_line(app.review_indication(v).await?);
    let corrections = app
        .corrections(v, kernteam_store::program::RecordKind::MedicationReview)
        .await?;
    let reviews = stored
        .iter()
        .map(|r| ReviewView {
            id: r.id,
            status: crate::process::corrections::status_of(
                &corrections,
                r.id,
                r.withdrawn_at.is_some(),
                kernteam_app::App::may_correct(v, r.recorded_by),
            ),
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
            date_iso: r.date.to_string(),
            follow_up_iso: r.follow_up.map(|d| d.to_string()).unwrap_or_default(),
            participant_choices: {
                let taken = participant_codes(&r.participants);
                PARTICIPANTS
                    .iter()
                    .map(|c| (*c, discipline_label(c), taken.iter().any(|t| t == c)))
                    .collect()
            },
        })
        .collect();
    Ok(ReviewsPage {
        me: Some(me(state, cu).await?),
        flash,
        csrf: cu.csrf.clone(),
        patient_id: v.patient().id,
        banner: crate::pages::banner::Banner::load(state, v).await?,
        can_record: v.access().contribute,
        errors,
        today: today().to_string(),
        indication,
        indicated,
        last: current.first().map(|r| fmt_date(r.date)),
        medicines: medicines_view(app.medication_lines(v).await?, current.first().map(|r| r.date)),
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
pub async fn page(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<FlashQuery>,
) -> AppResult<Response> {
    let v = state
        .app
        .visible(&cu.actor(), id, Action::ViewMedicationReviews, None)
        .await?;
    let flash = match q.melding.as_deref() {
        Some("vastgelegd") => Some("De medicatiebeoordeling is vastgelegd.".to_string()),
        Some("ingetrokken") => Some("De medicatiebeoordeling is ingetrokken; ze telt niet meer mee.".to_string()),
        Some("gecorrigeerd") => {
            Some("De medicatiebeoordeling is gecorrigeerd; de vorige versie is bewaard.".to_string())
        }
        _ => None,
    };
    let form = ReviewInput {
        date: today().to_string(),
        participants: vec!["huisarts".into(), "apotheker".into()],
        ..Default::default()
    };
    render(&reviews_page(&state, &cu, &v, form, Vec::new(), flash).await?)
}

/// `POST /patienten/{id}/medicatiebeoordelingen`.
pub async fn record_form(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let app = &state.app;
    let c = app.contributor(&cu.actor(), id).await?;
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
    match app.record_medication_review(&c, &input).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/patienten/{id}/medicatiebeoordelingen?melding=vastgelegd")).into_response())
        }
        Err(Error::Invalid(mut errors)) => {
            errors.push("De medicatiebeoordeling is niet vastgelegd; uw invoer staat nog in het formulier.".into());
            let v = app.reread(&c, Action::ViewMedicationReviews, None).await?;
            let page = reviews_page(&state, &cu, &v, input, errors, None).await?;
            let mut resp = render(&page)?;
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(e) => Err(e.into()),
    }
}
