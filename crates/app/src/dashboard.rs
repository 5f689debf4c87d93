//! The dashboards and the regional report: eight quarters of figures per practice and for
//! the region, with small numbers suppressed for whoever looks from outside the practice
//! (`kernteam_domain::suppression`). Region staff see the region and every practice
//! (suppressed); a practice's staff see their own practice exactly, beside the region's
//! median (always suppressed: it is about other practices).
//!
//! The quarters are computed once per change of the data ([`DataVersion`]: a new import
//! or any audited change) and kept; every request after that reuses them.

use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use kernteam_domain::codes::CodeSets;
use kernteam_domain::period::Period;
use kernteam_domain::suppression::{median, Audience, Shown, Suppression};
use kernteam_report::trends::{build_quarters, last_quarters, Figure, Quarter, Raw, Row, Sheet, FIGURES};
use kernteam_store::care_process::DataVersion;

use crate::error::{Error, Result};
use crate::gate::{PracticeStaff, RegionStaff};
use crate::App;

/// How many quarters the dashboards show.
pub const QUARTERS: usize = 8;

/// The quarters last computed, with what they were computed from.
#[derive(Debug, Default)]
pub struct DashboardCache(Mutex<Option<Cached>>);

/// The quarters, the data version and the day they were computed for.
type Cached = (DataVersion, NaiveDate, Arc<Vec<Quarter>>);

/// One series of a chart: its name and a value per quarter.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub values: Vec<Shown>,
}

/// One figure over the quarters.
pub struct FigureView {
    pub figure: &'static Figure,
    pub series: Vec<Series>,
}

/// Whose dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Region,
    Practice { id: i64, agb_code: String, name: String },
}

pub struct Dashboard {
    pub subject: Subject,
    /// How the subject's own figures are shown.
    pub audience: Audience,
    pub threshold: u64,
    pub quarters: Vec<Period>,
    pub figures: Vec<FigureView>,
    /// The practices of the region (id, AGB code, name), for region staff; empty for a
    /// practice's staff.
    pub practices: Vec<(i64, String, String)>,
}

/// A raw value as the audience may see it.
fn shown(s: Suppression, raw: Raw, audience: Audience) -> Shown {
    match raw {
        Raw::Count(n) => s.count(n, audience),
        Raw::Share { numerator, denominator } => s.share(numerator, denominator, audience),
        Raw::Plain(v) => s.plain(v),
    }
}

/// The median over the practices of one quarter, as anyone outside may see it: a count
/// median below the threshold is suppressed; a share median needs at least three
/// practices with a share (else it is, or nearly is, one practice's share).
fn median_shown(s: Suppression, raws: &[Raw]) -> Shown {
    let Some(first) = raws.first() else {
        return Shown::Missing;
    };
    match first {
        Raw::Count(_) => {
            let m = median(raws.iter().filter_map(|r| match r {
                Raw::Count(n) => Some(*n as f64),
                _ => None,
            }));
            match m {
                Some(m) if m > 0.0 && m < s.threshold as f64 => Shown::Suppressed(s.threshold),
                Some(m) => Shown::Value(m),
                None => Shown::Missing,
            }
        }
        Raw::Share { .. } => {
            let shares: Vec<f64> = raws
                .iter()
                .filter_map(|r| match r {
                    Raw::Share { numerator, denominator } if *denominator > 0 => {
                        Some(100.0 * *numerator as f64 / *denominator as f64)
                    }
                    _ => None,
                })
                .collect();
            match shares.len() {
                0 => Shown::Missing,
                1 | 2 => Shown::Suppressed(s.threshold),
                _ => median(shares).map_or(Shown::Missing, |m| Shown::Value((m * 10.0).round() / 10.0)),
            }
        }
        Raw::Plain(_) => s.plain(median(raws.iter().filter_map(|r| match r {
            Raw::Plain(v) => *v,
            _ => None,
        }))),
    }
}

/// The figures over the quarters: the subject's series, then the region's median.
fn figure_views(quarters: &[Quarter], subject: &Subject, audience: Audience, s: Suppression) -> Vec<FigureView> {
    FIGURES
        .iter()
        .map(|figure| {
            let own = |row: Option<Row>| row.map_or(Shown::Missing, |r| shown(s, (figure.of)(&r), audience));
            let (name, values) = match subject {
                Subject::Region => (
                    "Regio (totaal)".to_string(),
                    quarters.iter().map(|q| own(Some(q.totals()))).collect(),
                ),
                Subject::Practice { agb_code, name, .. } => (
                    name.clone(),
                    quarters.iter().map(|q| own(q.practice(agb_code))).collect(),
                ),
            };
            let medians = quarters
                .iter()
                .map(|q| {
                    let raws: Vec<Raw> = q.rows().iter().map(|r| (figure.of)(r)).collect();
                    median_shown(s, &raws)
                })
                .collect();
            FigureView {
                figure,
                series: vec![
                    Series { name, values },
                    Series {
                        name: "Mediaan van de praktijken".to_string(),
                        values: medians,
                    },
                ],
            }
        })
        .collect()
}

impl App {
    /// The last [`QUARTERS`] quarters before today, computed once per data version.
    pub(crate) async fn dashboard_quarters(&self, today: NaiveDate) -> Result<Arc<Vec<Quarter>>> {
        let version = self.db.data_version().await?;
        if let Some((v, d, q)) = self.dashboards.0.lock().expect("cache lock").as_ref() {
            if *v == version && *d == today {
                return Ok(q.clone());
            }
        }
        let db = self.db.clone();
        let periods = last_quarters(today, QUARTERS);
        let runtime = tokio::runtime::Handle::current();
        let quarters =
            tokio::task::spawn_blocking(move || runtime.block_on(build_quarters(&db, &periods, &CodeSets::default())))
                .await
                .map_err(|e| Error::Internal(e.into()))?
                .map_err(crate::region::report_error)?;
        let quarters = Arc::new(quarters);
        *self.dashboards.0.lock().expect("cache lock") = Some((version, today, quarters.clone()));
        Ok(quarters)
    }

    async fn region_practices(&self) -> Result<Vec<(i64, String, String)>> {
        Ok(self
            .db
            .practices()
            .await?
            .into_iter()
            .map(|p| (p.id, p.agb_code, p.name))
            .collect())
    }

    fn dashboard(
        quarters: &[Quarter],
        subject: Subject,
        audience: Audience,
        practices: Vec<(i64, String, String)>,
    ) -> Dashboard {
        let s = Suppression::default();
        Dashboard {
            figures: figure_views(quarters, &subject, audience, s),
            subject,
            audience,
            threshold: s.threshold,
            quarters: quarters.iter().map(|q| q.period.clone()).collect(),
            practices,
        }
    }

    /// The region's dashboard, for region staff: totals and medians, small numbers
    /// suppressed.
    pub async fn region_dashboard(&self, _staff: &RegionStaff, today: NaiveDate) -> Result<Dashboard> {
        let quarters = self.dashboard_quarters(today).await?;
        let practices = self.region_practices().await?;
        Ok(App::dashboard(&quarters, Subject::Region, Audience::Outside, practices))
    }

    /// A practice's dashboard as region staff see it: small numbers suppressed.
    pub async fn practice_dashboard_for_region(
        &self,
        _staff: &RegionStaff,
        practice_id: i64,
        today: NaiveDate,
    ) -> Result<Dashboard> {
        let p = self.db.practice(practice_id).await?;
        let quarters = self.dashboard_quarters(today).await?;
        let practices = self.region_practices().await?;
        let subject = Subject::Practice {
            id: p.id,
            agb_code: p.agb_code,
            name: p.name,
        };
        Ok(App::dashboard(&quarters, subject, Audience::Outside, practices))
    }

    /// The practice's own dashboard, for its staff: their exact numbers beside the
    /// region's median.
    pub async fn own_practice_dashboard(&self, staff: &PracticeStaff, today: NaiveDate) -> Result<Dashboard> {
        let p = self.db.practice(staff.practice_id()).await?;
        let quarters = self.dashboard_quarters(today).await?;
        let subject = Subject::Practice {
            id: p.id,
            agb_code: p.agb_code,
            name: p.name,
        };
        Ok(App::dashboard(&quarters, subject, Audience::OwnPractice, Vec::new()))
    }

    /// The regional report for the insurer's half-yearly talk: the region's dashboard and,
    /// for the last quarter, every practice's figures and capacity, small numbers
    /// suppressed (the report leaves the region).
    pub async fn regional_report(&self, staff: &RegionStaff, today: NaiveDate) -> Result<RegionalReport> {
        let dashboard = self.region_dashboard(staff, today).await?;
        let quarters = self.dashboard_quarters(today).await?;
        let s = Suppression::default();
        let last = quarters.last();
        let practices = last
            .map(|q| {
                q.report
                    .practices
                    .iter()
                    .filter_map(|p| {
                        let row = q.practice(&p.agb_code)?;
                        Some(PracticeLine {
                            agb_code: p.agb_code.clone(),
                            name: p.name.clone(),
                            stale_extract: p.stale_extract,
                            values: FIGURES
                                .iter()
                                .map(|f| shown(s, (f.of)(&row), Audience::Outside))
                                .collect(),
                            capacity: p.capacity.as_ref().and_then(|c| c.capacity).map(|c| c.label()),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(RegionalReport {
            last_quarter: last.map(|q| q.period.clone()),
            dashboard,
            practices,
        })
    }

    /// The regional report as an Excel workbook: the region's trends, the medians, and the
    /// practices of the last quarter (suppressed values as the text "< 5").
    pub async fn regional_report_xlsx(&self, staff: &RegionStaff, today: NaiveDate) -> Result<Vec<u8>> {
        let r = self.regional_report(staff, today).await?;
        let cell = |v: &Shown, decimals: usize| match v {
            Shown::Value(x) => serde_json::json!(x),
            Shown::Suppressed(_) => serde_json::Value::String(v.label(decimals)),
            Shown::Missing => serde_json::Value::Null,
        };
        let quarter_header = |first: &str| {
            std::iter::once(first.to_string())
                .chain(std::iter::once("eenheid".to_string()))
                .chain(r.dashboard.quarters.iter().map(|p| p.label.clone()))
                .collect::<Vec<_>>()
        };
        let trend_sheet = |name: &str, k: usize| Sheet {
            name: name.to_string(),
            header: quarter_header("cijfer"),
            rows: r
                .dashboard
                .figures
                .iter()
                .map(|f| {
                    let mut row = vec![
                        serde_json::Value::String(f.figure.key.to_string()),
                        serde_json::Value::String(f.figure.unit.to_string()),
                    ];
                    row.extend(f.series[k].values.iter().map(|v| cell(v, f.figure.decimals)));
                    row
                })
                .collect(),
        };
        let mut practice_header = vec!["agb_code".to_string(), "name".to_string(), "stale_extract".to_string()];
        practice_header.extend(FIGURES.iter().map(|f| f.key.to_string()));
        practice_header.push("capacity".to_string());
        let practice_rows = r
            .practices
            .iter()
            .map(|p| {
                let mut row = vec![
                    serde_json::Value::String(p.agb_code.clone()),
                    serde_json::Value::String(p.name.clone()),
                    serde_json::Value::Bool(p.stale_extract),
                ];
                row.extend(p.values.iter().zip(FIGURES).map(|(v, f)| cell(v, f.decimals)));
                row.push(p.capacity.map_or(serde_json::Value::Null, |c| c.into()));
                row
            })
            .collect();
        let last = r.last_quarter.as_ref().map_or("-".to_string(), |p| p.label.clone());
        let sheets = [
            trend_sheet("Regio per kwartaal", 0),
            trend_sheet("Mediaan praktijken", 1),
            Sheet {
                name: format!("Praktijken {last}"),
                header: practice_header,
                rows: practice_rows,
            },
        ];
        kernteam_report::trends::workbook(&sheets).map_err(crate::region::report_error)
    }
}

/// One practice's line in the regional report (the last quarter).
pub struct PracticeLine {
    pub agb_code: String,
    pub name: String,
    pub stale_extract: bool,
    /// In the order of [`FIGURES`], suppressed.
    pub values: Vec<Shown>,
    /// The capacity band's Dutch label, when the ratio is known.
    pub capacity: Option<&'static str>,
}

pub struct RegionalReport {
    pub dashboard: Dashboard,
    pub last_quarter: Option<Period>,
    pub practices: Vec<PracticeLine>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Suppression = Suppression { threshold: 5 };

    #[test]
    fn medians_of_small_counts_and_of_few_shares_are_suppressed() {
        let counts = |v: &[u64]| v.iter().map(|n| Raw::Count(*n)).collect::<Vec<_>>();
        assert_eq!(median_shown(S, &counts(&[1, 3, 40])), Shown::Suppressed(5));
        assert_eq!(median_shown(S, &counts(&[0, 0, 40])), Shown::Value(0.0));
        assert_eq!(median_shown(S, &counts(&[6, 8, 40, 50])), Shown::Value(24.0));
        assert_eq!(median_shown(S, &[]), Shown::Missing);
        let share = |n, d| Raw::Share {
            numerator: n,
            denominator: d,
        };
        assert_eq!(median_shown(S, &[share(1, 10), share(2, 10)]), Shown::Suppressed(5));
        assert_eq!(
            median_shown(S, &[share(1, 10), share(2, 10), share(5, 10), share(0, 0)]),
            Shown::Value(20.0)
        );
        assert_eq!(
            median_shown(S, &[Raw::Plain(Some(1.0)), Raw::Plain(None)]),
            Shown::Value(1.0)
        );
    }
}
