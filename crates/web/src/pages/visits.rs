//! Practice visits. For the region's staff who run the quality cycle (`kernteam_app::visits::
//! RegionQuality`): `/regio/bezoeken` (which practices are due, every visit, plan one) and
//! `/regio/bezoeken/{visit}` (record it against the module's topics, write the feedback,
//! share it). For a practice's staff: `/praktijk/bezoeken` (their own practice's shared
//! visits and the progress of its network collaboration) and `/praktijk/bezoeken/{visit}`;
//! another practice's visit, or one not shared, does not exist for them (404).

use askama::Template;
use axum::extract::{Path, Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate};
use kernteam_app::visits::{PlanInput, RegionQuality, VisitOverview};
use kernteam_app::Error;
use kernteam_domain::collaboration::{CollaborationStatus, Partner};
use kernteam_domain::visits::{VisitDue, VisitReportInput, TOPICS};
use kernteam_store::visits::Visit;
use serde::Deserialize;

use super::{fmt_date, fmt_opt_date, fmt_timestamp, me, render, FlashQuery, Me};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::AppState;

/// The page routes of this module.
pub fn routes() -> Vec<crate::PageRoute> {
    crate::page_table![
        "/regio/bezoeken" => get(region_visits).post(plan),
        "/regio/bezoeken/{visit}" => get(region_visit).post(record),
        "/regio/bezoeken/{visit}/delen" => post(share),
        "/praktijk/bezoeken" => get(practice_visits),
        "/praktijk/bezoeken/{visit}" => get(practice_visit),
    ]
}

/// `2027-Q3`, the quarter of a day.
pub fn quarter_of(day: NaiveDate) -> String {
    format!("{}-Q{}", day.year(), day.month0() / 3 + 1)
}

/// A visit's state for the lists.
fn visit_state(v: &Visit) -> &'static str {
    if v.is_shared() {
        "Gedeeld met de praktijk"
    } else if v.is_recorded() {
        "Vastgelegd, nog niet gedeeld"
    } else {
        "Gepland"
    }
}

pub struct DueRow {
    pub practice: String,
    pub agb_code: String,
    pub state: &'static str,
    pub due: bool,
    pub last: String,
    pub next: String,
}

pub struct VisitRow {
    pub id: i64,
    pub date: String,
    pub practice: String,
    pub state: &'static str,
}

#[derive(Template)]
#[template(path = "visits_region.html")]
struct RegionVisitsPage {
    me: Option<Me>,
    flash: Option<String>,
    csrf: String,
    errors: Vec<String>,
    due: Vec<DueRow>,
    due_count: usize,
    visits: Vec<VisitRow>,
    /// (id, name, chosen).
    practices: Vec<(i64, String, bool)>,
    date: String,
}

fn due_rows(o: &VisitOverview) -> Vec<DueRow> {
    let mut rows: Vec<DueRow> = o
        .practices
        .iter()
        .map(|p| {
            let (last, next) = match p.due {
                VisitDue::Visited { last, due_by } => (Some(last), format!("vóór {}", fmt_date(due_by))),
                VisitDue::Planned { last, next } => (last, format!("gepland op {}", fmt_date(next))),
                VisitDue::Due { last } => (last, "niet gepland".to_string()),
            };
            DueRow {
                practice: p.practice.name.clone(),
                agb_code: p.practice.agb_code.clone(),
                state: p.due.label(),
                due: p.due.is_due(),
                last: last.map_or_else(|| "nog nooit".to_string(), fmt_date),
                next,
            }
        })
        .collect();
    rows.sort_by_key(|r| (!r.due, r.state != "Gepland", r.practice.clone()));
    rows
}

async fn region_visits_page(
    state: &AppState,
    cu: &CurrentUser,
    q: &RegionQuality,
    input: PlanInput,
    errors: Vec<String>,
    flash: Option<String>,
) -> AppResult<RegionVisitsPage> {
    let o = state.app.visit_overview(q).await?;
    let due = due_rows(&o);
    Ok(RegionVisitsPage {
        me: Some(me(state, cu).await?),
        flash,
        csrf: cu.csrf.clone(),
        errors,
        due_count: due.iter().filter(|r| r.due).count(),
        due,
        visits: o
            .visits
            .iter()
            .map(|v| VisitRow {
                id: v.id,
                date: fmt_date(v.visited_on.unwrap_or(v.planned_on)),
                practice: v.practice_name.clone(),
                state: visit_state(v),
            })
            .collect(),
        practices: o
            .practices
            .iter()
            .map(|p| {
                (
                    p.practice.id,
                    format!("{} (AGB {})", p.practice.name, p.practice.agb_code),
                    input.practice_id == Some(p.practice.id),
                )
            })
            .collect(),
        date: input.date,
    })
}

fn flash_of(code: Option<&str>) -> Option<String> {
    Some(
        match code? {
            "gepland" => "Het bezoek is gepland.",
            "vastgelegd" => "Het bezoek is vastgelegd.",
            "gedeeld" => "De terugkoppeling is gedeeld met de praktijk.",
            _ => return None,
        }
        .to_string(),
    )
}

/// `GET /regio/bezoeken`.
pub async fn region_visits(
    State(state): State<AppState>,
    cu: CurrentUser,
    Query(f): Query<FlashQuery>,
) -> AppResult<Response> {
    let q = state.app.region_quality(&cu.actor()).await?;
    let page = region_visits_page(
        &state,
        &cu,
        &q,
        PlanInput::default(),
        Vec::new(),
        flash_of(f.melding.as_deref()),
    )
    .await?;
    render(&page)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PlanForm {
    practice_id: String,
    date: String,
}

fn unreadable() -> AppError {
    AppError::invalid("Het formulier is onleesbaar.")
}

/// Re-renders a page with the refused input, answering 422.
fn refused(page: &impl Template) -> AppResult<Response> {
    let mut resp = render(page)?;
    *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(resp)
}

/// `POST /regio/bezoeken`: plans a visit.
pub async fn plan(State(state): State<AppState>, cu: CurrentUser, RawForm(body): RawForm) -> AppResult<Response> {
    let q = state.app.region_quality(&cu.actor()).await?;
    let form: PlanForm = serde_urlencoded::from_bytes(&body).map_err(|_| unreadable())?;
    let input = PlanInput {
        practice_id: form.practice_id.trim().parse().ok(),
        date: form.date,
    };
    match state.app.plan_visit(&q, input.clone()).await {
        Ok(_) => Ok(Redirect::to("/regio/bezoeken?melding=gepland").into_response()),
        Err(Error::Invalid(errors)) => refused(&region_visits_page(&state, &cu, &q, input, errors, None).await?),
        Err(e) => Err(e.into()),
    }
}

/// A topic of a visit with its text, for the pages.
pub struct TopicView {
    pub code: &'static str,
    pub label: &'static str,
    pub question: &'static str,
    pub text: String,
}

fn topic_views(texts: [String; 4]) -> Vec<TopicView> {
    TOPICS
        .iter()
        .zip(texts)
        .map(|(t, text)| TopicView {
            code: t.code,
            label: t.label,
            question: t.question,
            text,
        })
        .collect()
}

/// What the pages show of a visit.
pub struct VisitView {
    pub id: i64,
    pub practice_id: i64,
    pub practice: String,
    pub planned_on: String,
    pub planned_by: String,
    pub visited_on: String,
    pub state: &'static str,
    pub recorded: bool,
    pub recorded_by: String,
    pub recorded_at: String,
    pub shared: bool,
    pub shared_by: String,
    pub shared_at: String,
    pub has_feedback: bool,
    pub quarter: String,
}

fn visit_view(v: &Visit) -> VisitView {
    VisitView {
        id: v.id,
        practice_id: v.practice_id,
        practice: v.practice_name.clone(),
        planned_on: fmt_date(v.planned_on),
        planned_by: v.planned_by_name.clone().unwrap_or_default(),
        visited_on: fmt_opt_date(v.visited_on),
        state: visit_state(v),
        recorded: v.is_recorded(),
        recorded_by: v.recorded_by_name.clone().unwrap_or_default(),
        recorded_at: v.recorded_at.as_deref().map(fmt_timestamp).unwrap_or_default(),
        shared: v.is_shared(),
        shared_by: v.shared_by_name.clone().unwrap_or_default(),
        shared_at: v.shared_at.as_deref().map(fmt_timestamp).unwrap_or_default(),
        has_feedback: v.feedback.is_some(),
        quarter: quarter_of(v.visited_on.unwrap_or(v.planned_on)),
    }
}

#[derive(Template)]
#[template(path = "visit_region.html")]
struct RegionVisitPage {
    me: Option<Me>,
    flash: Option<String>,
    csrf: String,
    errors: Vec<String>,
    visit: VisitView,
    visited_on: String,
    topics: Vec<TopicView>,
    feedback: String,
}

/// The stored report as the form's input.
fn stored_input(v: &Visit) -> VisitReportInput {
    let today = kernteam_app::today();
    VisitReportInput {
        visited_on: v
            .visited_on
            .unwrap_or(if v.planned_on <= today { v.planned_on } else { today })
            .to_string(),
        topics: v.topics.clone().map(Option::unwrap_or_default),
        feedback: v.feedback.clone().unwrap_or_default(),
    }
}

async fn region_visit_page(
    state: &AppState,
    cu: &CurrentUser,
    v: &Visit,
    input: VisitReportInput,
    errors: Vec<String>,
    flash: Option<String>,
) -> AppResult<RegionVisitPage> {
    Ok(RegionVisitPage {
        me: Some(me(state, cu).await?),
        flash,
        csrf: cu.csrf.clone(),
        errors,
        visit: visit_view(v),
        visited_on: input.visited_on,
        topics: topic_views(input.topics),
        feedback: input.feedback,
    })
}

/// `GET /regio/bezoeken/{visit}`.
pub async fn region_visit(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    Query(f): Query<FlashQuery>,
) -> AppResult<Response> {
    let q = state.app.region_quality(&cu.actor()).await?;
    let v = state.app.region_visit(&q, id).await?;
    let page = region_visit_page(
        &state,
        &cu,
        &v,
        stored_input(&v),
        Vec::new(),
        flash_of(f.melding.as_deref()),
    )
    .await?;
    render(&page)
}

/// `POST /regio/bezoeken/{visit}`: records the visit's report and feedback.
pub async fn record(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let q = state.app.region_quality(&cu.actor()).await?;
    let v = state.app.region_visit(&q, id).await?;
    let pairs = crate::process::form_pairs(&body)?;
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let input = VisitReportInput {
        visited_on: field("visited_on"),
        topics: TOPICS.map(|t| field(t.code)),
        feedback: field("feedback"),
    };
    match state.app.record_visit(&q, id, &input).await {
        Ok(()) => Ok(Redirect::to(&format!("/regio/bezoeken/{id}?melding=vastgelegd")).into_response()),
        Err(Error::Invalid(mut errors)) => {
            errors.push("Het bezoek is niet vastgelegd.".into());
            refused(&region_visit_page(&state, &cu, &v, input, errors, None).await?)
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /regio/bezoeken/{visit}/delen`: shares the feedback with the practice.
pub async fn share(State(state): State<AppState>, cu: CurrentUser, Path(id): Path<i64>) -> AppResult<Response> {
    let q = state.app.region_quality(&cu.actor()).await?;
    let v = state.app.region_visit(&q, id).await?;
    match state.app.share_visit(&q, id).await {
        Ok(()) => Ok(Redirect::to(&format!("/regio/bezoeken/{id}?melding=gedeeld")).into_response()),
        Err(Error::Invalid(errors)) => {
            refused(&region_visit_page(&state, &cu, &v, stored_input(&v), errors, None).await?)
        }
        Err(e) => Err(e.into()),
    }
}

/// One quarter of the practice's collaboration: per partner in [`Partner::ALL`] order
/// the status label (empty when not recorded) and the note.
pub struct QuarterRow {
    pub quarter: String,
    pub cells: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "visits_practice.html")]
struct PracticeVisitsPage {
    me: Option<Me>,
    flash: Option<String>,
    practice: String,
    visits: Vec<VisitRow>,
    partners: Vec<&'static str>,
    quarters: Vec<QuarterRow>,
}

/// `GET /praktijk/bezoeken`.
pub async fn practice_visits(State(state): State<AppState>, cu: CurrentUser) -> AppResult<Response> {
    let staff = state.app.practice_staff(&cu.actor()).await?;
    let visits = state.app.shared_visits(&staff).await?;
    let entries = state.app.practice_collaboration(&staff).await?;
    let mut quarters: Vec<QuarterRow> = Vec::new();
    for e in &entries {
        if quarters.last().is_none_or(|q| q.quarter != e.quarter) {
            quarters.push(QuarterRow {
                quarter: e.quarter.clone(),
                cells: vec![Default::default(); Partner::ALL.len()],
            });
        }
        let row = quarters.last_mut().expect("pushed above");
        if let Some(i) = Partner::ALL.iter().position(|p| p.code() == e.partner) {
            let label = CollaborationStatus::from_code(&e.status).map_or(e.status.as_str(), |s| s.label());
            row.cells[i] = (label.to_string(), e.note.clone().unwrap_or_default());
        }
    }
    render(&PracticeVisitsPage {
        me: Some(me(&state, &cu).await?),
        flash: None,
        practice: state.db.practice(staff.practice_id()).await?.name,
        visits: visits
            .iter()
            .map(|v| VisitRow {
                id: v.id,
                date: fmt_opt_date(v.visited_on),
                practice: v.practice_name.clone(),
                state: visit_state(v),
            })
            .collect(),
        partners: Partner::ALL.iter().map(|p| p.label()).collect(),
        quarters,
    })
}

#[derive(Template)]
#[template(path = "visit_practice.html")]
struct PracticeVisitPage {
    me: Option<Me>,
    flash: Option<String>,
    visit: VisitView,
    topics: Vec<TopicView>,
    feedback: String,
}

/// `GET /praktijk/bezoeken/{visit}`: a shared visit of the practice, to read.
pub async fn practice_visit(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let staff = state.app.practice_staff(&cu.actor()).await?;
    let v = state.app.shared_visit(&staff, id).await?;
    render(&PracticeVisitPage {
        me: Some(me(&state, &cu).await?),
        flash: None,
        visit: visit_view(&v),
        topics: topic_views(v.topics.clone().map(Option::unwrap_or_default)),
        feedback: v.feedback.clone().unwrap_or_default(),
    })
}
