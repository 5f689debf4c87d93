//! The periodic reports of `docs/spec/reports.md`: figures per practice from the
//! chosen snapshot (computed by the domain crate) and from what the care team recorded,
//! written as JSON, CSV or an Excel workbook.

pub mod collaboration;

use chrono::NaiveDate;
use kernteam_domain::capacity::{capacity_figures, capacity_totals, CapacityFigures};
use kernteam_domain::codes::CodeSets;
use kernteam_domain::contract::{funding_category, RegionSettings};
use kernteam_domain::figures::{ExtractFigures, FiguresOn, RecordedFigures};
use kernteam_domain::period::{choose_snapshot, Period, ReportKind, SnapshotChoice};
use kernteam_store::extracts::SnapshotRef;
use kernteam_store::{Db, StoreError};
use serde::Serialize;
use serde_json::{Map, Value};

pub mod declarations;
mod recorded;
pub mod trend_figures;
pub mod trends;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("CSV schrijven mislukt: {0}")]
    Csv(#[from] csv::Error),
    #[error("Excel-bestand maken mislukt: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("JSON schrijven mislukt: {0}")]
    Json(#[from] serde_json::Error),
    #[error("{0}")]
    Period(String),
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PracticeFigures {
    pub agb_code: String,
    pub name: String,
    pub extract_date: NaiveDate,
    pub stale_extract: bool,
    #[serde(flatten)]
    pub extract: ExtractFigures,
    #[serde(flatten)]
    pub recorded: RecordedFigures,
    /// region.md: the capacity keys, in quarterly and half-yearly reports.
    #[serde(flatten)]
    pub capacity: Option<CapacityFigures>,
    /// region.md: the funding category, in the funding report.
    #[serde(flatten)]
    pub funding: Option<FundingFigures>,
    /// Quarterly reports: the collaboration in the geriatric network ([`collaboration`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_collaboration: Option<collaboration::NetworkCollaboration>,
}

/// The funding report's extra key (region.md, *Funding report*).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FundingFigures {
    pub funding_category: Option<String>,
}

impl FundingFigures {
    fn of(settings: &RegionSettings, period: &Period, pct_75_plus: Option<f64>) -> FundingFigures {
        let year = chrono::Datelike::year(&period.reference_date);
        let cats = settings.funding_categories.get(&year).map(Vec::as_slice).unwrap_or(&[]);
        FundingFigures {
            funding_category: funding_category(cats, pct_75_plus).map(str::to_string),
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Totals {
    /// Practices in the report (an extra key).
    pub practices: u64,
    #[serde(flatten)]
    pub extract: ExtractFigures,
    #[serde(flatten)]
    pub recorded: RecordedFigures,
    #[serde(flatten)]
    pub capacity: Option<CapacityFigures>,
    #[serde(flatten)]
    pub funding: Option<FundingFigures>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Report {
    pub report: &'static str,
    pub period: String,
    pub start: NaiveDate,
    pub reference_date: NaiveDate,
    pub practices: Vec<PracticeFigures>,
    pub totals: Totals,
}

/// Figures recorded in Kernteam for a practice in the period S..=R; 0 / null where nothing
/// is recorded.
/// - `included`: patients whose latest program decision on or before R is an inclusion
///   (see `kernteam_domain::care::status_on`) and who are registered on R in the chosen
///   snapshot `snapshot_id` (someone who left the practice or died no longer counts, even
///   before anyone records the exclusion);
/// - `poh_o_hours_per_week`: the formation as last set on or before R;
/// - `mdo_count`: the practice's meetings held in the period;
/// - `so_consultations`: SO consultations of the practice's patients, by funding;
/// - `elv_referrals`, `seh_referrals`, `wlz_crisis_admissions`: events in the period.
pub async fn recorded_figures(
    db: &Db,
    practice_id: i64,
    snapshot_id: i64,
    period: &Period,
) -> Result<RecordedFigures, StoreError> {
    recorded::PracticeRecords::read(db, practice_id)
        .await?
        .recorded(db, snapshot_id, period)
        .await
}

/// The start of a local calendar day as a stored UTC instant. Events are stored in UTC
/// but belong to the day on which they happened in the practice's time zone (the
/// machine's local zone, Europe/Amsterdam in production): an SEH referral at 00:30 on
/// 1 July counts in Q3.
pub fn local_midnight_utc(day: NaiveDate) -> String {
    use chrono::{Local, TimeZone};
    let midnight = day.and_hms_opt(0, 0, 0).expect("midnight exists");
    let instant = Local
        .from_local_datetime(&midnight)
        .earliest()
        .map_or_else(|| midnight.and_utc(), |t| t.to_utc());
    instant.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Computes a report: per practice the snapshot chosen for R, sorted by AGB code.
/// `progress(done, total)` is called after each practice.
pub async fn build_report(
    db: &Db,
    period: &Period,
    codes: &CodeSets,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Report, ReportError> {
    let mut reports = build_reports(db, std::slice::from_ref(period), codes, progress).await?;
    Ok(reports.remove(0))
}

/// Computes the reports of several periods in one pass over the practices: a practice's
/// snapshot facts are read once for all the periods that choose that snapshot, and its
/// decisions once for all periods; only the figures on each R are computed per period.
/// `progress(done, total)` is called after each practice.
pub async fn build_reports(
    db: &Db,
    periods: &[Period],
    codes: &CodeSets,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<Report>, ReportError> {
    let snapshots = db.snapshots().await?;
    let settings = db.region_settings().await?;
    let contracts = db.contracts().await?;
    let mut recorded_rows = recorded::by_practice(db.recorded_rows(None).await?);
    let mut by_practice: Vec<(i64, Vec<&kernteam_store::extracts::SnapshotRef>)> = Vec::new();
    for s in &snapshots {
        match by_practice.last_mut() {
            Some((id, list)) if *id == s.practice_id => list.push(s),
            _ => by_practice.push((s.practice_id, vec![s])),
        }
    }
    let total = by_practice.len();
    let mut per_period: Vec<Vec<PracticeFigures>> = periods.iter().map(|_| Vec::with_capacity(total)).collect();
    // Decoding a practice's facts and counting them is a report's CPU work: practices are
    // counted on tasks of their own, while this loop reads the recorded figures of the
    // practice before. Two per core: on PostgreSQL half of them wait for their value to
    // arrive (with one per core and one ahead, the report's two cores were half idle).
    let window = 2 * std::thread::available_parallelism().map_or(1, |n| n.get()) + 1;
    let shared = std::sync::Arc::new((periods.to_vec(), codes.clone()));
    let mut counting = std::collections::VecDeque::with_capacity(window);
    let mut next = 0;
    for (done, (practice_id, list)) in by_practice.iter().enumerate() {
        while counting.len() < window && next < total {
            let (db, shared) = (db.clone(), shared.clone());
            let list: Vec<SnapshotRef> = by_practice[next].1.iter().map(|s| (*s).clone()).collect();
            counting.push_back(tokio::spawn(async move {
                count_practice(&db, &list, &shared.0, &shared.1).await
            }));
            next += 1;
        }
        let counted = counting
            .pop_front()
            .expect("one task per practice")
            .await
            .map_err(|e| StoreError::Corrupt(format!("het tellen van een praktijk is afgebroken: {e}")))??;
        let mut records = recorded_rows.remove(practice_id).unwrap_or_default();
        for ((period, practices), counted) in periods.iter().zip(per_period.iter_mut()).zip(counted) {
            let Some((choice, k, extract)) = counted else {
                continue;
            };
            let snapshot = list[k];
            let recorded = records.recorded(db, snapshot.id, period).await?;
            let year = chrono::Datelike::year(&period.reference_date);
            let with_capacity = period.kind != ReportKind::Funding;
            let capacity = with_capacity.then(|| {
                capacity_figures(
                    &settings,
                    contracts.option(*practice_id, year),
                    recorded.included,
                    recorded.poh_o_hours_per_week,
                )
            });
            let funding = (!with_capacity).then(|| FundingFigures::of(&settings, period, extract.pct_75_plus));
            practices.push(PracticeFigures {
                agb_code: snapshot.agb_code.clone(),
                name: snapshot.practice_name.clone(),
                extract_date: choice.extract_date,
                stale_extract: choice.stale,
                extract,
                recorded,
                capacity,
                funding,
                network_collaboration: records.collaboration(period)?,
            });
        }
        progress(done + 1, total);
    }
    Ok(periods
        .iter()
        .zip(per_period)
        .map(|(period, practices)| assemble(period, &settings, practices))
        .collect())
}

/// The extract figures of one practice for each period: the snapshot the period chooses
/// (its choice and place in `list`) and the figures on its R; `None` where the practice
/// has no snapshot for the period. A snapshot chosen by several periods is decoded once
/// and its patients are counted on all their reference dates in one pass.
async fn count_practice(
    db: &Db,
    list: &[SnapshotRef],
    periods: &[Period],
    codes: &CodeSets,
) -> Result<Vec<Option<(SnapshotChoice, usize, ExtractFigures)>>, ReportError> {
    let dates: Vec<NaiveDate> = list.iter().map(|s| s.extract_date).collect();
    let chosen: Vec<Option<(SnapshotChoice, usize)>> = periods
        .iter()
        .map(|period| {
            choose_snapshot(&dates, period.reference_date).map(|choice| {
                let k = dates
                    .iter()
                    .position(|d| *d == choice.extract_date)
                    .expect("chosen from this list");
                (choice, k)
            })
        })
        .collect();
    let mut out = vec![None; periods.len()];
    for (k, snapshot) in list.iter().enumerate() {
        let of_k: Vec<usize> = (0..periods.len())
            .filter(|&i| chosen[i].is_some_and(|(_, c)| c == k))
            .collect();
        if of_k.is_empty() {
            continue;
        }
        let on: Vec<NaiveDate> = of_k.iter().map(|&i| periods[i].reference_date).collect();
        let mut counting = FiguresOn::new(&on, codes);
        db.count_snapshot_facts(snapshot.id, &mut counting).await?;
        for (&i, figures) in of_k.iter().zip(counting.finish()) {
            let (choice, _) = chosen[i].expect("filtered above");
            out[i] = Some((choice, k, figures));
        }
    }
    Ok(out)
}

/// A report from its practices' figures: sorted by AGB code, with the totals.
fn assemble(period: &Period, settings: &RegionSettings, mut practices: Vec<PracticeFigures>) -> Report {
    let with_capacity = period.kind != ReportKind::Funding;
    practices.sort_by(|a, b| a.agb_code.cmp(&b.agb_code));
    let extract = ExtractFigures::sum(practices.iter().map(|p| &p.extract));
    let totals = Totals {
        practices: practices.len() as u64,
        capacity: with_capacity.then(|| {
            capacity_totals(
                practices.iter().filter_map(|p| p.capacity.as_ref()),
                &settings.capacity_band,
            )
        }),
        funding: (!with_capacity).then(|| FundingFigures::of(settings, period, extract.pct_75_plus)),
        extract,
        recorded: RecordedFigures::sum(practices.iter().map(|p| &p.recorded)),
    };
    Report {
        report: period.kind.as_str(),
        period: period.label.clone(),
        start: period.start,
        reference_date: period.reference_date,
        practices,
        totals,
    }
}

pub fn to_json(report: &Report) -> Result<String, ReportError> {
    let mut s = serde_json::to_string_pretty(report)?;
    s.push('\n');
    Ok(s)
}

/// Nested keys joined with `.`, in the order of the JSON document.
pub(crate) fn flatten(prefix: &str, value: Value, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() { k } else { format!("{prefix}.{k}") };
                flatten(&key, v, out);
            }
        }
        other => out.push((prefix.to_string(), other)),
    }
}

/// The table of a report: a header and one row per practice, then `TOTAL`.
pub fn table(report: &Report) -> Result<(Vec<String>, Vec<Vec<Value>>), ReportError> {
    let mut header: Vec<String> = Vec::new();
    let mut rows = Vec::new();
    for p in &report.practices {
        let mut cells = Vec::new();
        flatten("", serde_json::to_value(p)?, &mut cells);
        if header.is_empty() {
            header = cells.iter().map(|(k, _)| k.clone()).collect();
        }
        rows.push(cells.into_iter().map(|(_, v)| v).collect());
    }
    let mut total = Map::new();
    total.insert("agb_code".into(), Value::String("TOTAL".into()));
    let mut cells = Vec::new();
    flatten("", serde_json::to_value(&report.totals)?, &mut cells);
    for (k, v) in cells {
        total.insert(k, v);
    }
    if header.is_empty() {
        let mut cells = Vec::new();
        let empty = PracticeFigures {
            agb_code: String::new(),
            name: String::new(),
            extract_date: report.reference_date,
            stale_extract: false,
            extract: ExtractFigures::default(),
            recorded: RecordedFigures::default(),
            capacity: (report.report != ReportKind::Funding.as_str()).then(|| {
                capacity_figures(
                    &RegionSettings::default(),
                    kernteam_domain::contract::ContractOption::DEFAULT,
                    0,
                    None,
                )
            }),
            funding: (report.report == ReportKind::Funding.as_str())
                .then_some(FundingFigures { funding_category: None }),
            network_collaboration: None,
        };
        flatten("", serde_json::to_value(&empty)?, &mut cells);
        header = cells.into_iter().map(|(k, _)| k).collect();
    }
    rows.push(
        header
            .iter()
            .map(|k| total.get(k).cloned().unwrap_or(Value::Null))
            .collect(),
    );
    Ok((header, rows))
}

/// A text cell made safe for spreadsheets: a cell that starts with `=`, `+`, `-`, `@`,
/// a tab or a carriage return is read by Excel and LibreOffice as a formula (CSV
/// injection), so it gets a leading `'`, which they show as text. For text cells only:
/// numbers, negative ones included, are written as they are.
pub fn csv_safe(text: &str) -> std::borrow::Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}").into(),
        _ => text.into(),
    }
}

fn cell_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub fn to_csv(report: &Report) -> Result<Vec<u8>, ReportError> {
    let (header, rows) = table(report)?;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&header)?;
    for row in rows {
        w.write_record(row.iter().map(|v| match v {
            Value::String(s) => csv_safe(s).into_owned(),
            other => cell_text(other),
        }))?;
    }
    w.flush().map_err(csv::Error::from)?;
    w.into_inner()
        .map_err(|e| ReportError::Csv(csv::Error::from(e.into_error())))
}

pub fn to_xlsx(report: &Report) -> Result<Vec<u8>, ReportError> {
    let (header, rows) = table(report)?;
    let mut book = rust_xlsxwriter::Workbook::new();
    write_sheet(
        &mut book,
        &format!("{} {}", report.report, report.period),
        &header,
        &rows,
    )?;
    collaboration::add_sheet(&mut book, report)?;
    Ok(book.save_to_buffer()?)
}

/// Adds a sheet with a bold header row, frozen with the first two columns.
pub(crate) fn write_sheet(
    book: &mut rust_xlsxwriter::Workbook,
    name: &str,
    header: &[impl AsRef<str>],
    rows: &[Vec<Value>],
) -> Result<(), ReportError> {
    use rust_xlsxwriter::Format;
    let sheet = book.add_worksheet();
    sheet.set_name(name)?;
    let bold = Format::new().set_bold();
    for (c, h) in header.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, h.as_ref(), &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, v) in row.iter().enumerate() {
            let c = c as u16;
            match v {
                Value::Number(n) => {
                    sheet.write_number(r, c, n.as_f64().unwrap_or_default())?;
                }
                Value::Bool(b) => {
                    sheet.write_boolean(r, c, *b)?;
                }
                Value::Null => {}
                other => {
                    sheet.write_string(r, c, cell_text(other))?;
                }
            }
        }
    }
    sheet.set_freeze_panes(1, 2)?;
    sheet.autofit();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{csv_safe, local_midnight_utc};

    #[test]
    fn formula_like_text_is_neutralised() {
        for (raw, safe) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+31 43", "'+31 43"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("Praktijk = goed", "Praktijk = goed"),
            ("", ""),
            ("'al veilig", "'al veilig"),
        ] {
            assert_eq!(csv_safe(raw), safe, "{raw:?}");
        }
    }
    use chrono::{DateTime, Local, NaiveDate, Timelike};

    #[test]
    fn local_midnight_is_the_start_of_the_local_day() {
        for d in ["2027-01-01", "2027-03-28", "2027-07-01", "2027-10-31"] {
            let day: NaiveDate = d.parse().unwrap();
            let t = DateTime::parse_from_rfc3339(&local_midnight_utc(day))
                .unwrap()
                .with_timezone(&Local);
            assert_eq!((t.date_naive(), t.hour(), t.minute()), (day, 0, 0), "{d}");
        }
    }
}
