//! The record's case-finding page: `GET /patienten/{id}/kwetsbaarheid` shows the index
//! with its deficits, the screenings with their trend, the conclusion and what it
//! proposes; `POST …/screening` records an administration and `POST …/conclusie` the
//! clinician's conclusion. A form with problems is shown again (422) with the input kept.

use askama::Template;
use axum::extract::{Path, Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kernteam_app::gate::Visible;
use kernteam_app::screenings::{ConclusionInput, FrailtyRecord, ScreeningInput};
use kernteam_app::{today, Action, Error};
use kernteam_domain::access::Role;
use kernteam_domain::screening::Instrument;

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::pages::{fmt_date, me, render, FlashQuery, Me};
use crate::process::form_pairs;
use crate::AppState;

pub struct IndexView {
    pub extract_date: String,
    pub code_version: String,
    pub score: String,
    pub index: String,
    pub band: &'static str,
    pub band_code: &'static str,
    pub deficits: Vec<String>,
    pub frail_episode: bool,
    pub age: i32,
}

pub struct ScreeningRow {
    pub date: String,
    pub instrument: &'static str,
    pub score: String,
    pub positive: bool,
    pub trend: &'static str,
    pub items: String,
    pub note: String,
    pub by: String,
}

pub struct InstrumentForm {
    pub code: &'static str,
    pub label: &'static str,
    pub cut_off: u32,
    /// (number, text, checked)
    pub items: Vec<(u32, &'static str, bool)>,
    pub open: bool,
}

pub struct ConclusionView {
    pub date: String,
    pub frail: bool,
    pub reason: String,
    pub by: String,
}

#[derive(Template)]
#[template(path = "frailty.html")]
struct FrailtyPage {
    me: Option<Me>,
    flash: Option<String>,
    csrf: String,
    patient_id: i64,
    banner: crate::pages::banner::Banner,
    errors: Vec<String>,
    today: String,
    index: Option<IndexView>,
    screenings: Vec<ScreeningRow>,
    instruments: Vec<InstrumentForm>,
    conclusion: Option<ConclusionView>,
    earlier_conclusions: Vec<ConclusionView>,
    can_record: bool,
    can_decide: bool,
    episode_task: bool,
    inclusion_proposed: bool,
    /// Prefilled reason for the inclusion when it is an exception (no episode yet).
    exception_reason: String,
    exception_needed: bool,
    default_gp: String,
    gps: Vec<String>,
    conclusion_form: ConclusionInput,
    note: String,
    screening_date: String,
}

fn conclusion_view(c: &kernteam_store::screenings::FrailtyConclusion) -> ConclusionView {
    ConclusionView {
        date: fmt_date(c.concluded_on),
        frail: c.frail,
        reason: c.reason.clone(),
        by: c.recorded_by_name.clone().unwrap_or_default(),
    }
}

/// What the forms held when they come back with problems.
#[derive(Default)]
struct Entered {
    screening: Option<ScreeningInput>,
    conclusion: Option<ConclusionInput>,
}

async fn frailty_page(
    state: &AppState,
    cu: &CurrentUser,
    v: &Visible,
    entered: Entered,
    errors: Vec<String>,
    flash: Option<String>,
) -> AppResult<FrailtyPage> {
    let app = &state.app;
    let record: FrailtyRecord = app.frailty_record(v).await?;
    let index = record.index.as_ref().map(|i| IndexView {
        extract_date: fmt_date(i.extract_date),
        code_version: i.code_version.clone(),
        score: format!("{} van {}", i.index.count(), i.index.of),
        index: format!("{:.2}", i.index.score()).replace('.', ","),
        band: i.index.band().label(),
        band_code: i.index.band().code(),
        deficits: i.deficits.clone(),
        frail_episode: i.frail_episode,
        age: i.age,
    });
    let screenings = record
        .screenings
        .iter()
        .map(|s| {
            let x = &s.screening;
            ScreeningRow {
                date: fmt_date(x.administered_on),
                instrument: x.instrument.short(),
                score: format!(
                    "{} van {} (afkap {})",
                    x.score,
                    x.instrument.max_score(),
                    x.instrument.cut_off()
                ),
                positive: x.positive,
                trend: s.trend.label(),
                items: x.items.iter().map(u32::to_string).collect::<Vec<_>>().join(", "),
                note: x.note.clone().unwrap_or_default(),
                by: x.recorded_by_name.clone().unwrap_or_default(),
            }
        })
        .collect();
    let chosen = entered.screening.as_ref();
    let instruments = Instrument::ALL
        .into_iter()
        .map(|i| {
            let this = chosen.filter(|s| s.instrument == i.code());
            InstrumentForm {
                code: i.code(),
                label: i.label(),
                cut_off: i.cut_off(),
                items: i
                    .items()
                    .iter()
                    .enumerate()
                    .map(|(n, text)| {
                        let n = n as u32 + 1;
                        (
                            n,
                            *text,
                            this.is_some_and(|s| s.items.iter().any(|x| x.trim() == n.to_string())),
                        )
                    })
                    .collect(),
                open: this.is_some(),
            }
        })
        .collect();
    let conclusion = record.conclusion().map(conclusion_view);
    let earlier_conclusions = record.conclusions.iter().skip(1).map(conclusion_view).collect();
    let exception_needed = record.index.as_ref().is_none_or(|i| !i.frail_episode || i.age < 75);
    let exception_reason = match (record.conclusion(), record.screenings.first()) {
        (Some(c), Some(s)) if c.frail => format!(
            "Kwetsbaarheid bevestigd op {} na {} (score {}); de episode kwetsbare oudere wordt in het HIS vastgelegd.",
            fmt_date(c.concluded_on),
            s.screening.instrument.short(),
            s.screening.score
        ),
        (Some(c), None) if c.frail => format!(
            "Kwetsbaarheid bevestigd op {}; de episode kwetsbare oudere wordt in het HIS vastgelegd.",
            fmt_date(c.concluded_on)
        ),
        _ => String::new(),
    };
    let can_decide = v.access().decide;
    let gps = if can_decide && record.inclusion_proposed() {
        app.decision_choices(v, &[]).await?.gps
    } else {
        Vec::new()
    };
    let default_gp = if cu.user.role == Role::Huisarts {
        cu.user.display_name.clone()
    } else {
        gps.first().cloned().unwrap_or_default()
    };
    Ok(FrailtyPage {
        me: Some(me(state, cu).await?),
        flash,
        csrf: cu.csrf.clone(),
        patient_id: v.patient().id,
        banner: crate::pages::banner::Banner::load(state, v).await?,
        errors,
        today: today().to_string(),
        index,
        screenings,
        instruments,
        conclusion,
        earlier_conclusions,
        can_record: v.access().contribute,
        can_decide,
        episode_task: record.episode_task(),
        inclusion_proposed: record.inclusion_proposed(),
        exception_reason,
        exception_needed,
        default_gp,
        gps,
        note: chosen.and_then(|s| s.note.clone()).unwrap_or_default(),
        screening_date: chosen.map_or_else(|| today().to_string(), |s| s.date.clone()),
        conclusion_form: entered.conclusion.unwrap_or_else(|| ConclusionInput {
            date: today().to_string(),
            ..Default::default()
        }),
    })
}

fn flash(code: Option<&str>) -> Option<String> {
    match code? {
        "screening" => Some("De screening is vastgelegd.".into()),
        "kwetsbaar" => {
            Some("Kwetsbaarheid bevestigd. Leg de episode vast in het HIS en neem het besluit over de inclusie.".into())
        }
        "niet-kwetsbaar" => {
            Some("Vastgelegd: niet kwetsbaar. De patiënt staat niet meer op de opsporingslijst.".into())
        }
        _ => None,
    }
}

/// `GET /patienten/{id}/kwetsbaarheid`.
pub async fn page(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<FlashQuery>,
) -> AppResult<Response> {
    let v = state.app.visible(&cu.actor(), id, Action::ViewFrailty, None).await?;
    render(
        &frailty_page(
            &state,
            &cu,
            &v,
            Entered::default(),
            Vec::new(),
            flash(q.melding.as_deref()),
        )
        .await?,
    )
}

fn unprocessable(page: &FrailtyPage) -> AppResult<Response> {
    let mut resp = render(page)?;
    *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(resp)
}

/// `POST /patienten/{id}/kwetsbaarheid/screening`.
pub async fn record_screening(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let app = &state.app;
    let c = app.contributor(&cu.actor(), id).await?;
    let pairs = form_pairs(&body)?;
    let one = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let input = ScreeningInput {
        instrument: one("instrument").unwrap_or_default(),
        date: one("date").unwrap_or_default(),
        items: pairs
            .iter()
            .filter(|(k, _)| k == "item")
            .map(|(_, v)| v.clone())
            .collect(),
        note: one("note"),
    };
    match app.record_screening(&c, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/patienten/{id}/kwetsbaarheid?melding=screening")).into_response()),
        Err(Error::Invalid(mut errors)) => {
            errors.push("De screening is niet vastgelegd; uw invoer staat nog in het formulier.".into());
            let v = app.reread(&c, Action::ViewFrailty, None).await?;
            let entered = Entered {
                screening: Some(input),
                conclusion: None,
            };
            unprocessable(&frailty_page(&state, &cu, &v, entered, errors, None).await?)
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /patienten/{id}/kwetsbaarheid/conclusie`.
pub async fn record_conclusion(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let app = &state.app;
    let d = app.decider(&cu.actor(), id).await?;
    let pairs = form_pairs(&body)?;
    let one = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let input = ConclusionInput {
        date: one("date"),
        frail: one("frail"),
        reason: one("reason"),
    };
    match app.record_frailty_conclusion(&d, &input).await {
        Ok(_) => {
            let code = if input.frail.trim() == "ja" {
                "kwetsbaar"
            } else {
                "niet-kwetsbaar"
            };
            Ok(Redirect::to(&format!("/patienten/{id}/kwetsbaarheid?melding={code}")).into_response())
        }
        Err(Error::Invalid(mut errors)) => {
            errors.push("De conclusie is niet vastgelegd; uw invoer staat nog in het formulier.".into());
            let v = app.reread(&d, Action::ViewFrailty, None).await?;
            let entered = Entered {
                screening: None,
                conclusion: Some(input),
            };
            unprocessable(&frailty_page(&state, &cu, &v, entered, errors, None).await?)
        }
        Err(e) => Err(e.into()),
    }
}
