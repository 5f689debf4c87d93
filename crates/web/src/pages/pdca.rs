//! The PDCA cycle. `/praktijk/pdca`: the practice's own checklist of the ZIO Stappenplan,
//! kept by its staff (status, evidence, date per item), with the figures from Kernteam
//! that answer the Check questions for a chosen quarter. `/regio/pdca`: every practice's
//! progress, for the region's staff who run the quality cycle, and `/regio/pdca/{practice}`
//! one practice's checklist to read.

use askama::Template;
use axum::extract::{Path, Query, RawForm, State};
use axum::response::{IntoResponse, Redirect, Response};
use kernteam_app::pdca::Checklist;
use kernteam_app::Error;
use kernteam_domain::events::discipline_label;
use kernteam_domain::pdca::{CheckFigures, Evidence, ItemInput, ItemStatus, Phase, ITEMS};
use kernteam_domain::period::{Period, ReportKind};
use serde::Deserialize;

use super::visits::quarter_of;
use super::{fmt_opt_date, fmt_timestamp, me, render, Me};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::AppState;

/// The page routes of this module.
pub fn routes() -> Vec<crate::PageRoute> {
    crate::page_table![
        "/praktijk/pdca" => get(practice_page).post(save),
        "/regio/pdca" => get(region_overview),
        "/regio/pdca/{practice}" => get(region_practice),
    ]
}

#[derive(Debug, Default, Deserialize)]
pub struct PdcaQuery {
    periode: Option<String>,
    melding: Option<String>,
}

/// The quarter of the Check figures, by default the last complete one.
fn chosen_quarter(raw: Option<&str>) -> AppResult<Period> {
    let raw = match raw.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => s.to_string(),
        None => {
            let today = kernteam_app::today();
            let in_last = today - chrono::Months::new(3);
            quarter_of(in_last)
        }
    };
    Period::parse(ReportKind::Quarterly, &raw)
        .map_err(|_| AppError::invalid(format!("Het kwartaal '{raw}' bestaat niet; kies bijvoorbeeld 2027-Q2.")))
}

/// `0,25`.
fn decimal(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |v| format!("{v:.2}").replace('.', ","))
}

/// What Kernteam's figures say about a Check question, one sentence a line.
fn evidence_lines(e: Evidence, f: &CheckFigures, quarter: &str) -> Vec<String> {
    let attendance = |code: &str| match f.attendance_of(code) {
        Some(a) => format!(
            "{}: aanwezig bij {} van de {} MDO's waarvan de aanwezigheid is vastgelegd.",
            discipline_label(code),
            a.present,
            a.recorded
        ),
        None => format!(
            "{}: bij geen MDO in {quarter} is de aanwezigheid vastgelegd.",
            discipline_label(code)
        ),
    };
    match e {
        Evidence::MdoAttendance => {
            let mut out = vec![format!("{} MDO('s) gehouden in {quarter}.", f.mdo_held)];
            out.extend(f.attendance.iter().map(|a| attendance(&a.discipline)));
            out
        }
        Evidence::CasemanagerAttendance => vec![attendance("casemanager_dementie")],
        Evidence::SoConsultations => vec![
            format!(
                "{} in {quarter}: Zvw {}, Wlz {}.",
                kernteam_domain::text::count((f.so_zvw + f.so_wlz) as usize, "SO-consultatie", "SO-consultaties"),
                f.so_zvw,
                f.so_wlz
            ),
            attendance("specialist_ouderengeneeskunde"),
        ],
        Evidence::Crises => vec![
            format!(
                "{} geïncludeerd op de peildatum.",
                kernteam_domain::text::count(f.included as usize, "patiënt", "patiënten")
            ),
            format!(
                "ELV-opnames: {} ({} per geïncludeerde patiënt); SEH-verwijzingen: {} ({}); Wlz-crisisopnames: {} ({}).",
                f.elv,
                decimal(f.per_included(f.elv)),
                f.seh,
                decimal(f.per_included(f.seh)),
                f.wlz_crisis,
                decimal(f.per_included(f.wlz_crisis))
            ),
            "De tevredenheid van patiënten en mantelzorgers staat niet in Kernteam: beschrijf haar bij de onderbouwing."
                .to_string(),
        ],
    }
}

pub struct ItemView {
    pub code: &'static str,
    pub text: &'static str,
    pub status: String,
    pub status_label: &'static str,
    pub evidence: String,
    pub date: String,
    pub date_shown: String,
    pub set: String,
    pub figures: Vec<String>,
}

pub struct PhaseView {
    pub label: &'static str,
    pub done: usize,
    pub total: usize,
    pub items: Vec<ItemView>,
}

fn phases(c: &Checklist, f: &CheckFigures, quarter: &str, typed: Option<&[ItemInput]>) -> Vec<PhaseView> {
    let progress = c.progress();
    Phase::ALL
        .iter()
        .enumerate()
        .map(|(i, phase)| PhaseView {
            label: phase.label(),
            done: progress[i].0,
            total: progress[i].1,
            items: ITEMS
                .iter()
                .filter(|it| it.phase == *phase)
                .map(|it| {
                    let stored = c.entry(it.code);
                    let typed = typed.and_then(|t| t.iter().find(|x| x.item == it.code));
                    let status = c.status(it.code);
                    ItemView {
                        code: it.code,
                        text: it.text,
                        status: typed.map_or(status.code().to_string(), |t| t.status.clone()),
                        status_label: status.label(),
                        evidence: typed.map_or_else(
                            || stored.and_then(|e| e.evidence.clone()).unwrap_or_default(),
                            |t| t.evidence.clone(),
                        ),
                        date: typed.map_or_else(
                            || stored.and_then(|e| e.date).map(|d| d.to_string()).unwrap_or_default(),
                            |t| t.date.clone(),
                        ),
                        date_shown: fmt_opt_date(stored.and_then(|e| e.date)),
                        set: stored
                            .map(|e| {
                                format!(
                                    "{} {}",
                                    fmt_timestamp(&e.set_at),
                                    e.set_by_name.clone().unwrap_or_default()
                                )
                            })
                            .unwrap_or_default(),
                        figures: it.evidence.map(|e| evidence_lines(e, f, quarter)).unwrap_or_default(),
                    }
                })
                .collect(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "pdca.html")]
struct PdcaPage {
    me: Option<Me>,
    flash: Option<String>,
    csrf: String,
    errors: Vec<String>,
    practice: String,
    /// The practice's own staff edit; the region reads.
    editable: bool,
    /// Where the quarter form goes.
    path: String,
    quarter: String,
    quarters: Vec<String>,
    statuses: Vec<(&'static str, &'static str)>,
    phases: Vec<PhaseView>,
}

/// The last eight quarters up to today's and the chosen one.
fn quarter_options(chosen: &Period) -> Vec<String> {
    let mut day = kernteam_app::today();
    let mut out = Vec::new();
    for _ in 0..8 {
        out.push(quarter_of(day));
        day = day - chrono::Months::new(3);
    }
    if !out.contains(&chosen.label) {
        out.insert(0, chosen.label.clone());
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn pdca_page(
    me: Me,
    cu: &CurrentUser,
    c: &Checklist,
    f: &CheckFigures,
    quarter: &Period,
    editable: bool,
    path: String,
    typed: Option<&[ItemInput]>,
    errors: Vec<String>,
    flash: Option<String>,
) -> PdcaPage {
    PdcaPage {
        me: Some(me),
        flash,
        csrf: cu.csrf.clone(),
        errors,
        practice: c.practice.name.clone(),
        editable,
        path,
        quarter: quarter.label.clone(),
        quarters: quarter_options(quarter),
        statuses: ItemStatus::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        phases: phases(c, f, &quarter.label, typed),
    }
}

/// `GET /praktijk/pdca?periode=2027-Q2`.
pub async fn practice_page(
    State(state): State<AppState>,
    cu: CurrentUser,
    Query(q): Query<PdcaQuery>,
) -> AppResult<Response> {
    let staff = state.app.practice_staff(&cu.actor()).await?;
    let quarter = chosen_quarter(q.periode.as_deref())?;
    let c = state.app.pdca(&staff).await?;
    let f = state.app.practice_check_figures(&staff, &quarter).await?;
    let flash = (q.melding.as_deref() == Some("pdca")).then(|| "Het stappenplan is bijgewerkt.".to_string());
    let me = me(&state, &cu).await?;
    render(&pdca_page(
        me,
        &cu,
        &c,
        &f,
        &quarter,
        true,
        "/praktijk/pdca".into(),
        None,
        Vec::new(),
        flash,
    ))
}

/// `POST /praktijk/pdca`: saves the items that changed.
pub async fn save(State(state): State<AppState>, cu: CurrentUser, RawForm(body): RawForm) -> AppResult<Response> {
    let staff = state.app.practice_staff(&cu.actor()).await?;
    let pairs = crate::process::form_pairs(&body)?;
    let field = |name: String| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone());
    let input: Vec<ItemInput> = ITEMS
        .iter()
        .filter_map(|it| {
            Some(ItemInput {
                item: it.code.to_string(),
                status: field(format!("status-{}", it.code))?,
                evidence: field(format!("evidence-{}", it.code)).unwrap_or_default(),
                date: field(format!("date-{}", it.code)).unwrap_or_default(),
            })
        })
        .collect();
    let quarter = chosen_quarter(field("periode".into()).as_deref()).or_else(|_| chosen_quarter(None))?;
    match state.app.save_pdca(&staff, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/praktijk/pdca?periode={}&melding=pdca", quarter.label)).into_response()),
        Err(Error::Invalid(mut errors)) => {
            errors.push("Het stappenplan is niet bijgewerkt.".into());
            let c = state.app.pdca(&staff).await?;
            let f = state.app.practice_check_figures(&staff, &quarter).await?;
            let me = me(&state, &cu).await?;
            let page = pdca_page(
                me,
                &cu,
                &c,
                &f,
                &quarter,
                true,
                "/praktijk/pdca".into(),
                Some(&input),
                errors,
                None,
            );
            let mut resp = render(&page)?;
            *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(e) => Err(e.into()),
    }
}

pub struct OverviewRow {
    pub id: i64,
    pub name: String,
    /// Per phase: `done / total`.
    pub phases: Vec<(usize, usize)>,
    pub done: usize,
    pub total: usize,
    pub last_change: String,
}

#[derive(Template)]
#[template(path = "pdca_region.html")]
struct RegionPdcaPage {
    me: Option<Me>,
    flash: Option<String>,
    phases: Vec<&'static str>,
    rows: Vec<OverviewRow>,
}

/// `GET /regio/pdca`.
pub async fn region_overview(State(state): State<AppState>, cu: CurrentUser) -> AppResult<Response> {
    let q = state.app.region_quality(&cu.actor()).await?;
    let rows = state
        .app
        .region_pdca(&q)
        .await?
        .iter()
        .map(|c| {
            let p = c.progress();
            OverviewRow {
                id: c.practice.id,
                name: c.practice.name.clone(),
                phases: p.to_vec(),
                done: p.iter().map(|x| x.0).sum(),
                total: p.iter().map(|x| x.1).sum(),
                last_change: c.last_change().map(fmt_timestamp).unwrap_or_else(|| "nog nooit".into()),
            }
        })
        .collect();
    render(&RegionPdcaPage {
        me: Some(me(&state, &cu).await?),
        flash: None,
        phases: Phase::ALL.iter().map(|p| p.label()).collect(),
        rows,
    })
}

/// `GET /regio/pdca/{practice}?periode=2027-Q2`.
pub async fn region_practice(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(practice): Path<i64>,
    Query(query): Query<PdcaQuery>,
) -> AppResult<Response> {
    let q = state.app.region_quality(&cu.actor()).await?;
    let quarter = chosen_quarter(query.periode.as_deref())?;
    let c = state.app.region_pdca_practice(&q, practice).await?;
    let f = state.app.region_check_figures(&q, practice, &quarter).await?;
    let me = me(&state, &cu).await?;
    let path = format!("/regio/pdca/{practice}");
    render(&pdca_page(
        me,
        &cu,
        &c,
        &f,
        &quarter,
        false,
        path,
        None,
        Vec::new(),
        None,
    ))
}
