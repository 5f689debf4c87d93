//! `GET /opsporing`: the case-finding list, with filters (`band`, `polyfarmacie`,
//! `gebeurtenis`, `wlz`) and pages (`pagina`).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use kernteam_app::case_finding::{CaseFindingFilter, EVENT_WINDOW_DAYS};
use kernteam_domain::frailty::Band;
use kernteam_domain::text;
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::pages::{fmt_date, me, render, Me};
use crate::AppState;

/// Candidates per page.
pub const PAGE_SIZE: usize = 50;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    /// A band code (`licht`, `matig`, `ernstig`): only from that band up.
    band: Option<String>,
    polyfarmacie: Option<String>,
    gebeurtenis: Option<String>,
    wlz: Option<String>,
    pagina: Option<usize>,
}

fn on(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|v| !v.is_empty() && v != "0")
}

pub struct Row {
    pub patient_id: i64,
    pub name: String,
    pub age: i32,
    /// "9 van 36".
    pub score: String,
    /// "0,25".
    pub index: String,
    pub band: &'static str,
    pub band_code: &'static str,
    pub deficits: Vec<String>,
    pub medicines: String,
    pub polypharmacy: bool,
    pub events: Vec<String>,
    pub wlz: String,
}

#[derive(Template)]
#[template(path = "case_finding.html")]
struct CaseFindingPage {
    me: Option<Me>,
    flash: Option<String>,
    extract_date: Option<String>,
    code_version: String,
    deficits_in_list: usize,
    /// "12 kandidaten" after filters.
    total_text: String,
    not_assessed_text: String,
    rows: Vec<Row>,
    band: String,
    bands: Vec<(&'static str, &'static str)>,
    polypharmacy: bool,
    events: bool,
    wlz: bool,
    page: usize,
    pages: usize,
    /// The query string of the filters, for the page links.
    filter_query: String,
    event_months: i64,
}

pub async fn page(State(state): State<AppState>, cu: CurrentUser, Query(q): Query<ListQuery>) -> AppResult<Response> {
    let staff = state.app.practice_staff(&cu.actor()).await?;
    let min_band = q.band.as_deref().and_then(Band::from_code).filter(|b| *b != Band::Fit);
    let filter = CaseFindingFilter {
        min_band,
        polypharmacy: on(&q.polyfarmacie),
        events: on(&q.gebeurtenis),
        wlz: on(&q.wlz),
        page: q.pagina.unwrap_or(1),
        page_size: PAGE_SIZE,
    };
    let view = state.app.view_case_finding(&staff, &filter).await?;
    let rows = view
        .entries
        .iter()
        .map(|e| {
            let c = &e.candidate;
            Row {
                patient_id: c.patient_id,
                name: c.name.clone(),
                age: e.age,
                score: format!("{} van {}", c.index.count(), c.index.of),
                index: format!("{:.2}", c.index.score()).replace('.', ","),
                band: c.index.band().label(),
                band_code: c.index.band().code(),
                deficits: c.deficits.clone(),
                medicines: text::count(c.medicines, "middel", "middelen"),
                polypharmacy: c.polypharmacy,
                events: e
                    .events
                    .iter()
                    .map(|ev| format!("{} ({})", ev.kind.label(), fmt_date(ev.at.date_naive())))
                    .collect(),
                wlz: c.wlz_profile.clone().unwrap_or_default(),
            }
        })
        .collect();
    let mut parts = Vec::new();
    if let Some(b) = min_band {
        parts.push(format!("band={}", b.code()));
    }
    for (flag, name) in [
        (filter.polypharmacy, "polyfarmacie"),
        (filter.events, "gebeurtenis"),
        (filter.wlz, "wlz"),
    ] {
        if flag {
            parts.push(format!("{name}=1"));
        }
    }
    render(&CaseFindingPage {
        me: Some(me(&state, &cu).await?),
        flash: None,
        extract_date: view.extract_date.map(fmt_date),
        code_version: view.code_version,
        deficits_in_list: view.deficits_in_list,
        total_text: text::count(view.total, "kandidaat", "kandidaten"),
        not_assessed_text: text::count(view.not_assessed, "75-plusser", "75-plussers"),
        rows,
        band: min_band.map_or("", |b| b.code()).to_string(),
        bands: [Band::Mild, Band::Moderate, Band::Severe]
            .into_iter()
            .map(|b| (b.code(), b.label()))
            .collect(),
        polypharmacy: filter.polypharmacy,
        events: filter.events,
        wlz: filter.wlz,
        page: view.page,
        pages: view.pages,
        filter_query: parts.join("&"),
        event_months: EVENT_WINDOW_DAYS / 30,
    })
}
