//! The dashboards at `/dashboard`: eight quarters of figures as SVG charts, each with its
//! numbers in a table beside it. Region staff see the region (`/dashboard`) and every
//! practice (`/dashboard/praktijken/{id}`), small numbers suppressed; a practice's staff
//! see their own practice at `/dashboard`, exactly, against the region's median. The
//! regional report (`/dashboard/regiorapport`, printable on A4, and `.xlsx`) is for
//! region staff. Network roles get 403 (the gate audits the refusal).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use kernteam_app::dashboard::{Dashboard, PracticeLine, Subject};
use kernteam_domain::access::Scope;
use kernteam_domain::period::Period;
use kernteam_domain::suppression::Audience;
use kernteam_report::trends::{Chart, Group, FIGURES};

use super::{fmt_date, me, render, Me};
use crate::auth::CurrentUser;
use crate::charts::{svg, Kind};
use crate::error::{AppError, AppResult};
use crate::patients::today;
use crate::AppState;

/// `2026 K3`.
fn quarter_label(p: &Period) -> String {
    format!("{} K{}", p.start.year(), p.start.month0() / 3 + 1)
}

/// One chart with its table.
pub struct ChartBox {
    pub id: String,
    pub title: String,
    pub unit: String,
    pub svg: String,
    pub series: Vec<String>,
    /// Per quarter: its label and a cell per series.
    pub rows: Vec<(String, Vec<String>)>,
}

pub struct GroupBox {
    pub title: &'static str,
    pub charts: Vec<ChartBox>,
}

fn groups(d: &Dashboard) -> Vec<GroupBox> {
    let labels: Vec<String> = d.quarters.iter().map(quarter_label).collect();
    Group::ALL
        .iter()
        .map(|g| GroupBox {
            title: g.label(),
            charts: d
                .figures
                .iter()
                .filter(|f| f.figure.group == *g)
                .map(|f| {
                    let fig = f.figure;
                    let id = format!("fig-{}", fig.key.replace(['.', '_'], "-"));
                    let kind = match fig.chart {
                        Chart::Line => Kind::Line,
                        Chart::Bar => Kind::Bar,
                    };
                    let series: Vec<(&str, &[_])> = f
                        .series
                        .iter()
                        .map(|s| (s.name.as_str(), s.values.as_slice()))
                        .collect();
                    ChartBox {
                        svg: svg(&id, fig.label, fig.unit, kind, &labels, &series),
                        id,
                        title: fig.label.to_string(),
                        unit: fig.unit.to_string(),
                        series: f.series.iter().map(|s| s.name.clone()).collect(),
                        rows: labels
                            .iter()
                            .enumerate()
                            .map(|(i, l)| {
                                (
                                    l.clone(),
                                    f.series.iter().map(|s| s.values[i].label(fig.decimals)).collect(),
                                )
                            })
                            .collect(),
                    }
                })
                .collect(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    me: Option<Me>,
    flash: Option<String>,
    heading: String,
    period_text: String,
    exact: bool,
    threshold: u64,
    /// (id, AGB code, name) for region staff's navigation; empty for a practice.
    practices: Vec<(i64, String, String)>,
    current: Option<i64>,
    region_staff: bool,
    groups: Vec<GroupBox>,
}

fn period_text(d: &Dashboard) -> String {
    match (d.quarters.first(), d.quarters.last()) {
        (Some(a), Some(b)) => format!(
            "{} t/m {} (peildata {} t/m {})",
            quarter_label(a),
            quarter_label(b),
            fmt_date(a.reference_date),
            fmt_date(b.reference_date)
        ),
        _ => String::new(),
    }
}

async fn page(state: &AppState, cu: &CurrentUser, d: Dashboard, region_staff: bool) -> AppResult<Response> {
    let (heading, current) = match &d.subject {
        Subject::Region => ("Dashboard regio".to_string(), None),
        Subject::Practice { id, name, .. } => (format!("Dashboard {name}"), Some(*id)),
    };
    render(&DashboardPage {
        me: Some(me(state, cu).await?),
        flash: None,
        heading,
        period_text: period_text(&d),
        exact: d.audience == Audience::OwnPractice,
        threshold: d.threshold,
        groups: groups(&d),
        practices: d.practices,
        current,
        region_staff,
    })
}

/// GET /dashboard: the region for region staff, the own practice for practice staff.
pub async fn dashboard(State(state): State<AppState>, cu: CurrentUser) -> AppResult<Response> {
    let actor = cu.actor();
    if cu.user.role.scope() == Scope::Region {
        let staff = state.app.region_staff(&actor).await?;
        let d = state.app.region_dashboard(&staff, today()).await?;
        page(&state, &cu, d, true).await
    } else {
        let staff = state.app.practice_staff(&actor).await?;
        let d = state.app.own_practice_dashboard(&staff, today()).await?;
        page(&state, &cu, d, false).await
    }
}

/// GET /dashboard/praktijken/{id}: a practice as region staff see it.
pub async fn practice_dashboard(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let staff = state.app.region_staff(&cu.actor()).await?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let d = state.app.practice_dashboard_for_region(&staff, id, today()).await?;
    page(&state, &cu, d, true).await
}

#[derive(Template)]
#[template(path = "dashboard_report.html")]
struct ReportPage {
    title: String,
    made_on: String,
    period_text: String,
    last_quarter: String,
    threshold: u64,
    groups: Vec<GroupBox>,
    /// The figure titles, for the practices table's header.
    columns: Vec<(&'static str, &'static str)>,
    practices: Vec<PracticeLine>,
    decimals: Vec<usize>,
    /// Visits and PDCA progress per practice, for those who run the quality cycle.
    quality: Option<Vec<QualityLine>>,
}

/// One practice's visit state and PDCA progress, for the regional report.
pub struct QualityLine {
    pub name: String,
    pub visit: &'static str,
    pub last_visit: String,
    pub pdca: String,
}

/// The quality cycle's state per practice (`None` for region staff who do not run it).
async fn quality_lines(state: &AppState, cu: &CurrentUser) -> AppResult<Option<Vec<QualityLine>>> {
    if !kernteam_domain::visits::runs_quality_cycle(cu.user.role) {
        return Ok(None);
    }
    let q = state.app.region_quality(&cu.actor()).await?;
    let visits = state.app.visit_overview(&q).await?;
    let pdca = state.app.region_pdca(&q).await?;
    let names = ["Plan", "Do", "Check", "Act"];
    Ok(Some(
        visits
            .practices
            .iter()
            .map(|pv| {
                let last = match pv.due {
                    kernteam_domain::visits::VisitDue::Visited { last, .. } => Some(last),
                    kernteam_domain::visits::VisitDue::Planned { last, .. }
                    | kernteam_domain::visits::VisitDue::Due { last } => last,
                };
                let progress = pdca
                    .iter()
                    .find(|c| c.practice.id == pv.practice.id)
                    .map(|c| c.progress())
                    .unwrap_or_default();
                QualityLine {
                    name: pv.practice.name.clone(),
                    visit: pv.due.label(),
                    last_visit: last.map(fmt_date).unwrap_or_else(|| "nooit".into()),
                    pdca: progress
                        .iter()
                        .zip(names)
                        .map(|((done, all), n)| format!("{n} {done}/{all}"))
                        .collect::<Vec<_>>()
                        .join(" · "),
                }
            })
            .collect(),
    ))
}

impl ReportPage {
    fn cell(&self, p: &PracticeLine, i: usize) -> String {
        p.values[i].label(self.decimals[i])
    }
}

/// GET /dashboard/regiorapport: the regional report as a printable document.
pub async fn regional_report(State(state): State<AppState>, cu: CurrentUser) -> AppResult<Response> {
    let staff = state.app.region_staff(&cu.actor()).await?;
    let r = state.app.regional_report(&staff, today()).await?;
    render(&ReportPage {
        title: "Regiorapportage integrale ouderenzorg".to_string(),
        made_on: fmt_date(today()),
        period_text: period_text(&r.dashboard),
        last_quarter: r.last_quarter.as_ref().map(quarter_label).unwrap_or_default(),
        threshold: r.dashboard.threshold,
        groups: groups(&r.dashboard),
        columns: FIGURES.iter().map(|f| (f.label, f.unit)).collect(),
        decimals: FIGURES.iter().map(|f| f.decimals).collect(),
        practices: r.practices,
        quality: quality_lines(&state, &cu).await?,
    })
}

/// GET /dashboard/regiorapport.xlsx
pub async fn regional_report_xlsx(State(state): State<AppState>, cu: CurrentUser) -> AppResult<Response> {
    let staff = state.app.region_staff(&cu.actor()).await?;
    let bytes = state.app.regional_report_xlsx(&staff, today()).await?;
    let name = format!("attachment; filename=\"regiorapport-{}.xlsx\"", today());
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&name).map_err(|e| AppError::Internal(e.into()))?,
            ),
        ],
        bytes,
    )
        .into_response())
}
