//! The progress of the collaboration in the geriatric network at `/regio/samenwerking`, for
//! the region's staff who run the quality cycle: per quarter every practice's status per
//! partner (agreements in place, in progress, none) with a note, and a form for one
//! practice. The practice reads its own on `/praktijk/bezoeken`; the quarterly report
//! carries it as `network_collaboration` (`kernteam_report::collaboration`).

use askama::Template;
use axum::extract::{Query, RawForm, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use kernteam_app::visits::{PracticeCollaboration, RegionQuality};
use kernteam_app::Error;
use kernteam_domain::collaboration::{self, CollaborationInput, CollaborationStatus, Partner};
use kernteam_domain::period::Period;
use serde::Deserialize;

use super::visits::quarter_of;
use super::{me, render, Me};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::AppState;

/// The page routes of this module.
pub fn routes() -> Vec<crate::PageRoute> {
    crate::page_table!["/regio/samenwerking" => get(page).post(save)]
}

#[derive(Debug, Default, Deserialize)]
pub struct CollaborationQuery {
    periode: Option<String>,
    praktijk: Option<String>,
    melding: Option<String>,
}

/// The quarter asked for, by default today's.
fn chosen_quarter(raw: Option<&str>) -> AppResult<Period> {
    let raw = raw
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map_or_else(|| quarter_of(kernteam_app::today()), str::to_string);
    collaboration::quarter(&raw).map_err(AppError::invalid)
}

/// The last eight quarters up to today's, and the chosen one wherever it lies.
fn quarter_options(chosen: &Period) -> Vec<String> {
    let today = kernteam_app::today();
    let current = today.year() * 4 + (today.month0() / 3) as i32;
    let mut out: Vec<String> = (0..8)
        .map(|i| {
            let n = current - i;
            format!("{}-Q{}", n.div_euclid(4), n.rem_euclid(4) + 1)
        })
        .collect();
    if !out.contains(&chosen.label) {
        out.insert(0, chosen.label.clone());
    }
    out
}

pub struct PracticeRow {
    pub id: i64,
    pub name: String,
    /// Per partner: the status label (empty: not recorded) and the note.
    pub cells: Vec<(String, String)>,
}

/// One partner's line of the form.
pub struct FormLine {
    pub code: &'static str,
    pub label: &'static str,
    pub status: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "collaboration.html")]
struct CollaborationPage {
    me: Option<Me>,
    flash: Option<String>,
    csrf: String,
    errors: Vec<String>,
    quarter: String,
    quarters: Vec<String>,
    partners: Vec<&'static str>,
    statuses: Vec<(&'static str, &'static str)>,
    rows: Vec<PracticeRow>,
    /// The practice whose form is shown: (id, name).
    editing: Option<(i64, String)>,
    lines: Vec<FormLine>,
    /// The earlier quarter the form was filled in from, when this one has nothing yet.
    copied_from: Option<String>,
}

fn rows_of(list: &[PracticeCollaboration]) -> Vec<PracticeRow> {
    list.iter()
        .map(|pc| PracticeRow {
            id: pc.practice.id,
            name: pc.practice.name.clone(),
            cells: Partner::ALL
                .iter()
                .map(|p| match pc.entries.iter().find(|e| e.partner == p.code()) {
                    Some(e) => (
                        CollaborationStatus::from_code(&e.status).map_or(e.status.clone(), |s| s.label().to_string()),
                        e.note.clone().unwrap_or_default(),
                    ),
                    None => Default::default(),
                })
                .collect(),
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn collaboration_page(
    state: &AppState,
    cu: &CurrentUser,
    q: &RegionQuality,
    quarter: &Period,
    practice: Option<i64>,
    typed: Option<Vec<CollaborationInput>>,
    errors: Vec<String>,
    flash: Option<String>,
) -> AppResult<CollaborationPage> {
    let list = state.app.region_collaboration(q, quarter).await?;
    let editing = practice.and_then(|id| list.iter().find(|pc| pc.practice.id == id));
    // Nothing recorded for this quarter yet: start from the latest earlier quarter's.
    let mut copied_from = None;
    let mut earlier = Vec::new();
    if let Some(pc) = editing.filter(|pc| pc.entries.is_empty() && typed.is_none()) {
        let all = state.app.region_practice_collaboration(q, pc.practice.id).await?;
        if let Some(latest) = all
            .iter()
            .map(|e| e.quarter.clone())
            .filter(|l| *l < quarter.label)
            .max()
        {
            earlier = all.into_iter().filter(|e| e.quarter == latest).collect();
            copied_from = Some(latest);
        }
    }
    let lines = match editing {
        None => Vec::new(),
        Some(pc) => Partner::ALL
            .iter()
            .map(|p| {
                let (status, note) = match &typed {
                    Some(t) => t
                        .iter()
                        .find(|l| l.partner == p.code())
                        .map(|l| (l.status.clone(), l.note.clone()))
                        .unwrap_or_default(),
                    None => pc
                        .entries
                        .iter()
                        .chain(earlier.iter())
                        .find(|e| e.partner == p.code())
                        .map(|e| (e.status.clone(), e.note.clone().unwrap_or_default()))
                        .unwrap_or_default(),
                };
                FormLine {
                    code: p.code(),
                    label: p.label(),
                    status,
                    note,
                }
            })
            .collect(),
    };
    Ok(CollaborationPage {
        me: Some(me(state, cu).await?),
        flash,
        csrf: cu.csrf.clone(),
        errors,
        quarter: quarter.label.clone(),
        quarters: quarter_options(quarter),
        partners: Partner::ALL.iter().map(|p| p.label()).collect(),
        statuses: CollaborationStatus::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        rows: rows_of(&list),
        editing: editing.map(|pc| (pc.practice.id, pc.practice.name.clone())),
        lines,
        copied_from,
    })
}

/// `GET /regio/samenwerking?periode=2027-Q3&praktijk=ID`.
pub async fn page(
    State(state): State<AppState>,
    cu: CurrentUser,
    Query(query): Query<CollaborationQuery>,
) -> AppResult<Response> {
    let q = state.app.region_quality(&cu.actor()).await?;
    let quarter = chosen_quarter(query.periode.as_deref())?;
    let practice = query.praktijk.as_deref().and_then(|s| s.trim().parse().ok());
    let flash = (query.melding.as_deref() == Some("samenwerking"))
        .then(|| "De stand van de samenwerking is vastgelegd.".to_string());
    let page = collaboration_page(&state, &cu, &q, &quarter, practice, None, Vec::new(), flash).await?;
    render(&page)
}

/// `POST /regio/samenwerking`: one practice's statuses for a quarter.
pub async fn save(State(state): State<AppState>, cu: CurrentUser, RawForm(body): RawForm) -> AppResult<Response> {
    let q = state.app.region_quality(&cu.actor()).await?;
    let pairs = crate::process::form_pairs(&body)?;
    let field = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let practice = field("practice_id").and_then(|s| s.trim().parse().ok());
    let raw_quarter = field("quarter").unwrap_or_default();
    let lines: Vec<CollaborationInput> = Partner::ALL
        .iter()
        .filter_map(|p| {
            let status = field(&format!("status-{}", p.code()))?;
            Some(CollaborationInput {
                partner: p.code().to_string(),
                status,
                note: field(&format!("note-{}", p.code())).unwrap_or_default(),
            })
        })
        .collect();
    match state.app.set_collaboration(&q, practice, &raw_quarter, &lines).await {
        Ok(()) => {
            let quarter = collaboration::quarter(&raw_quarter).map_err(AppError::invalid)?;
            Ok(Redirect::to(&format!(
                "/regio/samenwerking?periode={}&melding=samenwerking",
                quarter.label
            ))
            .into_response())
        }
        Err(Error::Invalid(mut errors)) => {
            errors.push("De stand van de samenwerking is niet vastgelegd.".into());
            let quarter = chosen_quarter(Some(&raw_quarter)).or_else(|_| chosen_quarter(None))?;
            let page = collaboration_page(&state, &cu, &q, &quarter, practice, Some(lines), errors, None).await?;
            let mut resp = render(&page)?;
            *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(e) => Err(e.into()),
    }
}
