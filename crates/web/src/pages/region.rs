//! The region's figures per practice at `/regio`, for regional staff: the quarterly or
//! half-yearly report of `kernteam_report` as a table, and the same report as CSV and
//! Excel downloads. Practice-level figures only; nothing here reads a patient record.
//! Every handler asks the gate for the `RegionStaff` token (refusals audited, 403).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use kernteam_domain::figures::{ExtractFigures, RecordedFigures};
use kernteam_domain::period::{Period, ReportKind};

use super::admin::fmt_count;
use super::{fmt_date, me, render, Me};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::patients::today;
use crate::AppState;

/// One figure column of the table: its Dutch header and what it counts.
pub struct Column {
    pub header: &'static str,
    pub explanation: &'static str,
}

const fn col(header: &'static str, explanation: &'static str) -> Column {
    Column { header, explanation }
}

/// The figure columns, in the order of [`cells`] (reports.md, "Figures per practice").
pub const COLUMNS: [Column; 20] = [
    col("Ingeschreven", "patiënten ingeschreven op de peildatum"),
    col("75+", "ingeschreven en 75 jaar of ouder op de peildatum"),
    col("% 75+", "aandeel 75-plussers van de ingeschrevenen"),
    col(
        "Kwetsbaar",
        "ingeschreven met een actieve episode kwetsbare oudere op de peildatum (elke leeftijd)",
    ),
    col("Kwetsbaar 75+", "kwetsbaren van 75 jaar of ouder"),
    col(
        "Kwetsbaar met PZP",
        "kwetsbaren met een episode proactieve zorgplanning (A20) die op of vóór de peildatum begon",
    ),
    col(
        "Kwetsbaar in ketenzorg DM",
        "kwetsbaren in de ketenzorg diabetes (DM2 of DM2 met VRM) op de peildatum",
    ),
    col(
        "Kwetsbaar in ketenzorg CVRM",
        "kwetsbaren in de ketenzorg cardiovasculair risicomanagement op de peildatum",
    ),
    col(
        "Kwetsbaar in ketenzorg COPD/astma",
        "kwetsbaren in de ketenzorg COPD of astma op de peildatum",
    ),
    col(
        "Polyfarmacie 75+",
        "75-plussers met vijf of meer verschillende actieve geneesmiddelen (ATC) op de peildatum",
    ),
    col(
        "Wlz VV5+",
        "kwetsbaren met een Wlz-zorgprofiel VV 5 of hoger (determinant 2803)",
    ),
    col(
        "Overgang naar insuline",
        "kwetsbaren in de ketenzorg diabetes in het vorige kalenderjaar die op de peildatum insuline gebruiken",
    ),
    col(
        "Geïncludeerd",
        "patiënten van de praktijk die op de peildatum in het programma zijn geïncludeerd",
    ),
    col(
        "POH-O uur per week",
        "formatie POH-O zoals laatst vastgelegd op of vóór de peildatum",
    ),
    col("MDO's", "multidisciplinaire overleggen in de periode"),
    col(
        "SO-consulten Zvw",
        "consulten specialist ouderengeneeskunde in de periode, uit de Zvw betaald",
    ),
    col(
        "SO-consulten Wlz",
        "consulten specialist ouderengeneeskunde in de periode, uit de Wlz betaald",
    ),
    col(
        "ELV-verwijzingen",
        "verwijzingen naar eerstelijnsverblijf in de periode",
    ),
    col(
        "SEH-verwijzingen",
        "verwijzingen naar de spoedeisende hulp in de periode",
    ),
    col("Wlz-crisisopnames", "Wlz-crisisopnames in de periode"),
];

/// How figures are written: for people on screen (thousands separated, a dash for
/// nothing) or for Dutch Excel (plain digits, empty for nothing); both with a decimal comma.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Screen,
    Sheet,
}

/// `9.3` as `9,3`; `None` as a dash on screen, empty in a sheet.
fn fmt_decimal_in(v: Option<f64>, decimals: usize, style: Style) -> String {
    match (v, style) {
        (Some(v), _) => format!("{v:.decimals$}").replace('.', ","),
        (None, Style::Screen) => "—".to_string(),
        (None, Style::Sheet) => String::new(),
    }
}

/// The figures of one practice (or the totals), in the order of [`COLUMNS`].
fn cells(e: &ExtractFigures, r: &RecordedFigures) -> Vec<String> {
    cells_in(e, r, Style::Screen)
}

fn cells_in(e: &ExtractFigures, r: &RecordedFigures, style: Style) -> Vec<String> {
    let n = |x: u64| {
        if style == Style::Screen {
            fmt_count(x)
        } else {
            x.to_string()
        }
    };
    let dec = |x: Option<f64>| fmt_decimal_in(x, 1, style);
    vec![
        n(e.registered),
        n(e.aged_75_plus),
        dec(e.pct_75_plus),
        n(e.frail_registered),
        n(e.frail_aged_75_plus),
        n(e.frail_with_acp),
        n(e.frail_in_chain_care.dm),
        n(e.frail_in_chain_care.cvrm),
        n(e.frail_in_chain_care.copd_astma),
        n(e.polypharmacy_75_plus),
        n(e.wlz_vv5_plus),
        n(e.insulin_transition),
        n(r.included),
        dec(r.poh_o_hours_per_week),
        n(r.mdo_count),
        n(r.so_consultations.zvw),
        n(r.so_consultations.wlz),
        n(r.elv_referrals),
        n(r.seh_referrals),
        n(r.wlz_crisis_admissions),
    ]
}

/// region.md's capacity columns (quarterly and half-yearly reports).
pub const CAPACITY_COLUMNS: [Column; 5] = [
    col(
        "Contractoptie",
        "de contractoptie van de praktijk voor het jaar van de peildatum (1 of 2)",
    ),
    col(
        "POH-O uur per jaar nodig",
        "uren POH-O per geïncludeerde patiënt × geïncludeerden",
    ),
    col(
        "POH-O uur per jaar beschikbaar",
        "formatie per week × werkweken per jaar",
    ),
    col("Verhouding", "beschikbaar gedeeld door nodig, op twee decimalen"),
    col(
        "Capaciteit",
        "te laag of te hoog buiten de capaciteitsband, anders passend",
    ),
];

/// region.md's funding column (funding report).
pub const FUNDING_COLUMN: Column = col(
    "Financieringscategorie",
    "de hoogste categorie waarvan de ondergrens van % 75+ op 1 januari bereikt is",
);

fn extra_cells(
    capacity: Option<&kernteam_domain::capacity::CapacityFigures>,
    funding: Option<&kernteam_report::FundingFigures>,
    style: Style,
) -> Vec<String> {
    let dash = || {
        if style == Style::Screen {
            "—".to_string()
        } else {
            String::new()
        }
    };
    let mut out = Vec::new();
    if let Some(c) = capacity {
        out.push(c.contract_option.map_or_else(dash, |o| o.to_string()));
        out.push(fmt_decimal_in(Some(c.poh_o_hours_per_year_needed), 1, style));
        out.push(fmt_decimal_in(c.poh_o_hours_per_year_available, 1, style));
        out.push(fmt_decimal_in(c.capacity_ratio, 2, style));
        out.push(c.capacity.map_or_else(dash, |c| c.label().to_string()));
    }
    if let Some(f) = funding {
        out.push(f.funding_category.clone().unwrap_or_else(dash));
    }
    out
}

#[derive(serde::Deserialize, Default)]
pub struct PeriodQuery {
    pub periode: Option<String>,
    pub melding: Option<String>,
}

/// The last quarter completed before `day`, as `2027-Q2`: the default period, since the
/// figures of a quarter still running are not final (and every practice's extract would
/// look stale against a reference date in the future).
pub(crate) fn last_completed_quarter(day: NaiveDate) -> String {
    let n = day.year() * 4 + (day.month0() / 3) as i32 - 1;
    format!("{}-Q{}", n.div_euclid(4), n.rem_euclid(4) + 1)
}

/// A quarter asked for (`2027-Q2`), by default the last completed one.
pub(crate) fn chosen_quarter(q: &PeriodQuery, today: NaiveDate) -> AppResult<Period> {
    let given = q
        .periode
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map_or_else(|| last_completed_quarter(today), str::to_string);
    Period::parse(ReportKind::Quarterly, &given).map_err(|_| {
        AppError::invalid(format!(
            "Het kwartaal '{given}' bestaat niet. Kies een kwartaal, zoals 2027-Q2."
        ))
    })
}

/// The period asked for (`2027-Q2`, `2027-H1` or, for the funding report, `2027`), by
/// default the last completed quarter.
fn chosen_period(q: &PeriodQuery, today: NaiveDate) -> AppResult<Period> {
    let given = q
        .periode
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map_or_else(|| last_completed_quarter(today), str::to_string);
    let half_year = given
        .split_once('-')
        .is_some_and(|(_, part)| part.starts_with(['H', 'h']));
    let kind = if half_year {
        ReportKind::HalfYearly
    } else if !given.contains('-') {
        ReportKind::Funding
    } else {
        ReportKind::Quarterly
    };
    Period::parse(kind, &given).map_err(|_| {
        AppError::invalid(format!(
            "De periode '{given}' bestaat niet. Kies een kwartaal, zoals 2027-Q2, een halfjaar, zoals 2027-H1, of een jaar voor de financiering, zoals 2027."
        ))
    })
}

/// `2e kwartaal 2027`, `1e halfjaar 2027`.
pub(crate) fn period_title(p: &Period) -> String {
    match p.kind {
        ReportKind::Quarterly => format!("{}e kwartaal {}", p.start.month0() / 3 + 1, p.start.year()),
        ReportKind::HalfYearly => format!("{}e halfjaar {}", p.start.month0() / 6 + 1, p.start.year()),
        ReportKind::Funding => format!(
            "financiering {} (peildatum {})",
            p.start.year(),
            fmt_date(p.reference_date)
        ),
    }
}

/// The periods offered in the select: the last eight quarters and four half-years up to
/// today's, and the chosen one wherever it lies.
fn period_options(today: NaiveDate, chosen: &Period) -> Vec<(&'static str, Vec<(String, String)>)> {
    let mut quarters = Vec::new();
    let current = today.year() * 4 + (today.month0() / 3) as i32;
    for i in 1..=8 {
        let n = current - i;
        quarters.push(format!("{}-Q{}", n.div_euclid(4), n.rem_euclid(4) + 1));
    }
    let mut halves = Vec::new();
    let current = today.year() * 2 + (today.month0() / 6) as i32;
    for i in 0..4 {
        let n = current - i;
        halves.push(format!("{}-H{}", n.div_euclid(2), n.rem_euclid(2) + 1));
    }
    let mut years: Vec<String> = (0..4).map(|i| (today.year() + 1 - i).to_string()).collect();
    let list = match chosen.kind {
        ReportKind::HalfYearly => &mut halves,
        ReportKind::Funding => &mut years,
        ReportKind::Quarterly => &mut quarters,
    };
    if !list.contains(&chosen.label) {
        list.insert(0, chosen.label.clone());
    }
    let labelled = |labels: Vec<String>, kind: ReportKind| -> Vec<(String, String)> {
        labels
            .into_iter()
            .filter_map(|l| Period::parse(kind, &l).ok())
            .map(|p| (p.label.clone(), period_title(&p)))
            .collect()
    };
    vec![
        ("Kwartaal", labelled(quarters, ReportKind::Quarterly)),
        ("Halfjaar", labelled(halves, ReportKind::HalfYearly)),
        (
            "Financiering (peildatum 1 januari)",
            labelled(years, ReportKind::Funding),
        ),
    ]
}

/// The columns of a report kind with their groups.
fn columns_for(kind: ReportKind) -> (Vec<&'static Column>, Vec<(&'static str, usize)>) {
    let mut columns: Vec<&'static Column> = COLUMNS.iter().collect();
    let mut groups = vec![
        ("Uit het HIS-extract, op de peildatum", 12),
        ("Vastgelegd in Kernteam", 8),
    ];
    if kind == ReportKind::Funding {
        columns.push(&FUNDING_COLUMN);
        groups.push(("Financiering", 1));
    } else {
        columns.extend(CAPACITY_COLUMNS.iter());
        groups.push(("POH-O-capaciteit", CAPACITY_COLUMNS.len()));
    }
    (columns, groups)
}

pub struct PracticeRow {
    pub agb_code: String,
    pub name: String,
    pub extract_date: String,
    pub stale: bool,
    pub cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "region.html")]
struct RegionPage {
    me: Option<Me>,
    flash: Option<String>,
    period: String,
    title: String,
    start: String,
    reference_date: String,
    period_groups: Vec<(&'static str, Vec<(String, String)>)>,
    columns: Vec<&'static Column>,
    /// Column groups over the figures: (title, number of columns).
    groups: Vec<(&'static str, usize)>,
    rows: Vec<PracticeRow>,
    totals: Vec<String>,
    total_practices: u64,
    stale_count: usize,
}

/// GET /regio
pub async fn region(
    State(state): State<AppState>,
    cu: CurrentUser,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Response> {
    let staff = state.app.region_staff(&cu.actor()).await?;
    let today = today();
    let period = chosen_period(&q, today)?;
    let report = state.app.region_report(&staff, &period).await?;
    let rows: Vec<PracticeRow> = report
        .practices
        .iter()
        .map(|p| PracticeRow {
            agb_code: p.agb_code.clone(),
            name: p.name.clone(),
            extract_date: fmt_date(p.extract_date),
            stale: p.stale_extract,
            cells: [
                cells(&p.extract, &p.recorded),
                extra_cells(p.capacity.as_ref(), p.funding.as_ref(), Style::Screen),
            ]
            .concat(),
        })
        .collect();
    let (columns, groups) = columns_for(period.kind);
    render(&RegionPage {
        me: Some(me(&state, &cu).await?),
        flash: None,
        period: period.label.clone(),
        title: period_title(&period),
        start: fmt_date(period.start),
        reference_date: fmt_date(period.reference_date),
        period_groups: period_options(today, &period),
        columns,
        groups,
        stale_count: rows.iter().filter(|r| r.stale).count(),
        rows,
        totals: [
            cells(&report.totals.extract, &report.totals.recorded),
            extra_cells(
                report.totals.capacity.as_ref(),
                report.totals.funding.as_ref(),
                Style::Screen,
            ),
        ]
        .concat(),
        total_practices: report.totals.practices,
    })
}

/// The report as a file to save.
pub(crate) fn download(bytes: Vec<u8>, content_type: &'static str, filename: String) -> AppResult<Response> {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

fn file_stem(period: &Period) -> String {
    let what = match period.kind {
        ReportKind::HalfYearly => "halfjaarcijfers",
        ReportKind::Funding => "financiering",
        ReportKind::Quarterly => "kwartaalcijfers",
    };
    format!("{what}-{}", period.label)
}

/// GET /regio/rapport.csv
pub async fn region_csv(
    State(state): State<AppState>,
    cu: CurrentUser,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Response> {
    let staff = state.app.region_staff(&cu.actor()).await?;
    let period = chosen_period(&q, today())?;
    let bytes = state.app.region_csv(&staff, &period).await?;
    download(bytes, "text/csv; charset=utf-8", format!("{}.csv", file_stem(&period)))
}

/// GET /regio/rapport-nl.csv: the report as a Dutch table for people: Dutch headings,
/// `;` between fields and a decimal comma, as Dutch Excel opens it (with a BOM so that it
/// reads UTF-8). The machine format of reports.md is `/regio/rapport.csv`.
pub async fn region_dutch_csv(
    State(state): State<AppState>,
    cu: CurrentUser,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Response> {
    let staff = state.app.region_staff(&cu.actor()).await?;
    let period = chosen_period(&q, today())?;
    let report = state.app.region_report(&staff, &period).await?;
    let (columns, _) = columns_for(period.kind);
    let internal = |e: csv::Error| AppError::Internal(e.into());
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    let mut header = vec!["Praktijk", "AGB-code", "Extract van", "Verouderd extract"];
    header.extend(columns.iter().map(|c| c.header));
    w.write_record(&header).map_err(internal)?;
    for p in &report.practices {
        let mut row = vec![
            kernteam_report::csv_safe(&p.name).into_owned(),
            p.agb_code.clone(),
            fmt_date(p.extract_date),
            if p.stale_extract { "ja" } else { "nee" }.to_string(),
        ];
        row.extend(cells_in(&p.extract, &p.recorded, Style::Sheet));
        row.extend(extra_cells(p.capacity.as_ref(), p.funding.as_ref(), Style::Sheet));
        w.write_record(&row).map_err(internal)?;
    }
    let t = &report.totals;
    let mut row = vec!["Totaal".to_string(), String::new(), String::new(), String::new()];
    row.extend(cells_in(&t.extract, &t.recorded, Style::Sheet));
    row.extend(extra_cells(t.capacity.as_ref(), t.funding.as_ref(), Style::Sheet));
    w.write_record(&row).map_err(internal)?;
    let bytes = w.into_inner().map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    download(
        bytes,
        "text/csv; charset=utf-8",
        format!("{}-tabel.csv", file_stem(&period)),
    )
}

/// GET /regio/rapport.xlsx
pub async fn region_xlsx(
    State(state): State<AppState>,
    cu: CurrentUser,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Response> {
    let staff = state.app.region_staff(&cu.actor()).await?;
    let period = chosen_period(&q, today())?;
    let bytes = state.app.region_xlsx(&staff, &period).await?;
    download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        format!("{}.xlsx", file_stem(&period)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn q(s: &str) -> PeriodQuery {
        PeriodQuery {
            periode: Some(s.to_string()),
            melding: None,
        }
    }

    #[test]
    fn every_column_has_a_cell() {
        assert_eq!(
            cells(&ExtractFigures::default(), &RecordedFigures::default()).len(),
            COLUMNS.len()
        );
    }

    #[test]
    fn periods_are_parsed_with_the_last_completed_quarter_as_default() {
        let today = d("2027-08-01");
        assert_eq!(chosen_period(&PeriodQuery::default(), today).unwrap().label, "2027-Q2");
        assert_eq!(chosen_period(&q(""), today).unwrap().label, "2027-Q2");
        assert_eq!(last_completed_quarter(d("2027-01-01")), "2026-Q4");
        assert_eq!(last_completed_quarter(d("2027-12-31")), "2027-Q3");
        let f = chosen_period(&q("2027"), today).unwrap();
        assert_eq!((f.kind, f.reference_date), (ReportKind::Funding, d("2027-01-01")));
        let p = chosen_period(&q("2027-q2"), today).unwrap();
        assert_eq!((p.kind, p.label.as_str()), (ReportKind::Quarterly, "2027-Q2"));
        assert_eq!(p.reference_date, d("2027-06-30"));
        let h = chosen_period(&q("2026-H2"), today).unwrap();
        assert_eq!((h.kind, h.reference_date), (ReportKind::HalfYearly, d("2026-12-31")));
        assert_eq!(period_title(&h), "2e halfjaar 2026");
        for bad in ["20x7", "2027-Q5", "2027-H3", "Q2-2027", "2027-X1"] {
            assert!(
                matches!(chosen_period(&q(bad), today), Err(AppError::Invalid(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_select_offers_recent_periods_and_the_chosen_one() {
        let today = d("2027-02-10");
        let chosen = chosen_period(&q("2020-Q4"), today).unwrap();
        let groups = period_options(today, &chosen);
        let quarters: Vec<&str> = groups[0].1.iter().map(|(v, _)| v.as_str()).collect();
        assert_eq!(quarters[0], "2020-Q4");
        assert_eq!(quarters[1], "2026-Q4");
        assert_eq!(quarters[2], "2026-Q3");
        assert_eq!(quarters.len(), 9);
        let halves: Vec<&str> = groups[1].1.iter().map(|(v, _)| v.as_str()).collect();
        assert_eq!(halves, ["2027-H1", "2026-H2", "2026-H1", "2025-H2"]);
        assert_eq!(groups[1].1[0].1, "1e halfjaar 2027");
        let years: Vec<&str> = groups[2].1.iter().map(|(v, _)| v.as_str()).collect();
        assert_eq!(years, ["2028", "2027", "2026", "2025"]);
    }

    #[test]
    fn decimals_use_a_comma() {
        assert_eq!(fmt_decimal_in(Some(9.3), 1, Style::Screen), "9,3");
        assert_eq!(fmt_decimal_in(None, 1, Style::Screen), "—");
        assert_eq!(fmt_decimal_in(None, 1, Style::Sheet), "");
    }
}
