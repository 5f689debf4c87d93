//! The declarations of contract option 1 (region.md, *Declarations*) in the web
//! application. `/regio/declaraties`: the counts per practice for every region staff
//! member, and for the declarant the download of the per-patient lines.
//! `/praktijk/declaraties`: the practice's own list before the region sends it, with the
//! reason each patient is on it and the patients who are almost on it, and the download
//! of its own lines. Every download of lines is audited (`App::declaration_lines`).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use kernteam_domain::access::Role;
use kernteam_report::declarations::{self as dec, Declarations};

use super::region::{chosen_quarter, download, period_title, PeriodQuery};
use super::{fmt_date, me, render, Me};
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::patients::today;
use crate::AppState;

pub struct PracticeRow {
    pub agb_code: String,
    pub name: String,
    pub option: u8,
    /// module, wlz plus, insulin, dm, cvrm, copd/astma (empty for option 2).
    pub counts: Vec<u64>,
    pub stale: bool,
}

fn rows(d: &Declarations) -> Vec<PracticeRow> {
    d.practices
        .iter()
        .map(|p| PracticeRow {
            agb_code: p.agb_code.clone(),
            name: p.name.clone(),
            option: p.contract_option,
            counts: p.counts.as_ref().map_or_else(Vec::new, |c| {
                vec![
                    c.module,
                    c.wlz_plus,
                    c.insulin_transition,
                    c.chain_care_conflicts.dm,
                    c.chain_care_conflicts.cvrm,
                    c.chain_care_conflicts.copd_astma,
                ]
            }),
            stale: p.stale_extract,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "region_declarations.html")]
struct RegionDeclarations {
    me: Option<Me>,
    flash: Option<String>,
    period: String,
    title: String,
    rows: Vec<PracticeRow>,
    totals: Vec<u64>,
    may_download: bool,
}

/// `GET /regio/declaraties`
pub async fn region_declarations(
    State(state): State<AppState>,
    cu: CurrentUser,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Response> {
    let staff = state.app.region_staff(&cu.actor()).await?;
    let period = chosen_quarter(&q, today())?;
    let d = state.app.region_declarations(&staff, &period).await?;
    let t = &d.totals.counts;
    render(&RegionDeclarations {
        me: Some(me(&state, &cu).await?),
        flash: None,
        period: period.label.clone(),
        title: period_title(&period),
        rows: rows(&d),
        totals: vec![
            t.module,
            t.wlz_plus,
            t.insulin_transition,
            t.chain_care_conflicts.dm,
            t.chain_care_conflicts.cvrm,
            t.chain_care_conflicts.copd_astma,
        ],
        may_download: cu.user.role == Role::Declarant,
    })
}

#[derive(serde::Deserialize, Default)]
pub struct DownloadQuery {
    pub periode: Option<String>,
    /// `csv` (default) or `xlsx`.
    pub formaat: Option<String>,
}

/// `GET /declaraties/regels`: the per-patient lines as CSV or Excel, for the declarant
/// (every practice) and a practice's staff (their own); audited.
pub async fn download_lines(
    State(state): State<AppState>,
    cu: CurrentUser,
    Query(q): Query<DownloadQuery>,
) -> AppResult<Response> {
    let reader = state.app.declaration_reader(&cu.actor()).await?;
    let period = chosen_quarter(
        &PeriodQuery {
            periode: q.periode,
            melding: None,
        },
        today(),
    )?;
    let d = state.app.declaration_lines(&reader, &period).await?;
    let stem = format!("declaratieregels-{}", period.label);
    match q.formaat.as_deref() {
        Some("xlsx") => download(
            dec::to_xlsx(&d, true).map_err(|e| crate::error::AppError::Internal(e.into()))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            format!("{stem}.xlsx"),
        ),
        _ => download(
            dec::to_csv(&d, true).map_err(|e| crate::error::AppError::Internal(e.into()))?,
            "text/csv; charset=utf-8",
            format!("{stem}.csv"),
        ),
    }
}

pub struct LineRow {
    pub kernteam_id: i64,
    pub patient_id: String,
    pub birth_date: String,
    pub prestaties: Vec<&'static str>,
}

pub struct NearRow {
    pub kernteam_id: i64,
    pub patient_id: String,
    pub birth_date: String,
    pub reasons: Vec<String>,
}

#[derive(Template)]
#[template(path = "practice_declarations.html")]
struct PracticeDeclarations {
    me: Option<Me>,
    flash: Option<String>,
    period: String,
    title: String,
    option: u8,
    lines: Vec<LineRow>,
    near: Vec<NearRow>,
    counts: Vec<u64>,
}

/// `GET /praktijk/declaraties`: the practice's own check (audited as a read).
pub async fn practice_declarations(
    State(state): State<AppState>,
    cu: CurrentUser,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Response> {
    let staff = state.app.practice_staff(&cu.actor()).await?;
    let period = chosen_quarter(&q, today())?;
    let d = state.app.declaration_check(&staff, &period).await?;
    let p = d.practices.first();
    let mut lines: Vec<LineRow> = Vec::new();
    for l in p.and_then(|p| p.patients.as_ref()).into_iter().flatten() {
        match lines.last_mut() {
            Some(last) if last.kernteam_id == l.kernteam_id => last.prestaties.push(l.prestatie.label()),
            _ => lines.push(LineRow {
                kernteam_id: l.kernteam_id,
                patient_id: l.patient_id.clone(),
                birth_date: fmt_date(l.birth_date),
                prestaties: vec![l.prestatie.label()],
            }),
        }
    }
    let near = p
        .map(|p| {
            p.near_misses
                .iter()
                .map(|n| NearRow {
                    kernteam_id: n.kernteam_id,
                    patient_id: n.patient_id.clone(),
                    birth_date: fmt_date(n.birth_date),
                    reasons: n.reasons.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    render(&PracticeDeclarations {
        me: Some(me(&state, &cu).await?),
        flash: None,
        period: period.label.clone(),
        title: period_title(&period),
        option: p.map_or(2, |p| p.contract_option),
        counts: rows(&d).first().map(|r| r.counts.clone()).unwrap_or_default(),
        lines,
        near,
    })
}
