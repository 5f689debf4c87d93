//! Report periods (reports.md, "Periods") and the choice of snapshot per practice.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// The three periodic reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportKind {
    Quarterly,
    HalfYearly,
    Funding,
}

impl ReportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::Quarterly => "quarterly",
            ReportKind::HalfYearly => "half-yearly",
            ReportKind::Funding => "funding",
        }
    }

    /// What `--period` looks like for this report, for error messages.
    pub fn period_example(self) -> &'static str {
        match self {
            ReportKind::Quarterly => "2027-Q1 … 2027-Q4",
            ReportKind::HalfYearly => "2027-H1 of 2027-H2",
            ReportKind::Funding => "2027",
        }
    }
}

impl fmt::Display for ReportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ReportKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "quarterly" => Ok(ReportKind::Quarterly),
            "half-yearly" => Ok(ReportKind::HalfYearly),
            "funding" => Ok(ReportKind::Funding),
            other => Err(format!(
                "unknown report '{other}': use quarterly, half-yearly or funding"
            )),
        }
    }
}

/// A report period: its label, its first day S and its reference date R.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub kind: ReportKind,
    pub label: String,
    pub start: NaiveDate,
    pub reference_date: NaiveDate,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("periode '{given}' past niet bij het rapport {kind}: verwacht {expected}")]
pub struct PeriodError {
    pub kind: ReportKind,
    pub given: String,
    pub expected: &'static str,
}

impl Period {
    /// Parses `--period` for a report: `YYYY-Qn` (quarterly), `YYYY-Hn` (half-yearly) or
    /// `YYYY` (funding, whose reference date is 1 January, the *peildatum*).
    pub fn parse(kind: ReportKind, given: &str) -> Result<Period, PeriodError> {
        let err = || PeriodError {
            kind,
            given: given.to_string(),
            expected: kind.period_example(),
        };
        let given = given.trim();
        let year_of = |s: &str| -> Option<i32> {
            (s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse().ok())
                .flatten()
        };
        let ymd = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        let (start, reference_date) = match kind {
            ReportKind::Funding => {
                let y = year_of(given).ok_or_else(err)?;
                let day = ymd(y, 1, 1).ok_or_else(err)?;
                (day, day)
            }
            ReportKind::Quarterly | ReportKind::HalfYearly => {
                let (y, part) = given.split_once('-').ok_or_else(err)?;
                let y = year_of(y).ok_or_else(err)?;
                let (letter, count) = if kind == ReportKind::Quarterly {
                    ('Q', 4)
                } else {
                    ('H', 2)
                };
                let mut chars = part.chars();
                let (Some(l), Some(n), None) = (chars.next(), chars.next(), chars.next()) else {
                    return Err(err());
                };
                let n = n.to_digit(10).filter(|n| (1..=count).contains(n)).ok_or_else(err)?;
                if l.to_ascii_uppercase() != letter {
                    return Err(err());
                }
                let months = 12 / count;
                let first_month = (n - 1) * months + 1;
                let last_month = first_month + months - 1;
                let start = ymd(y, first_month, 1).ok_or_else(err)?;
                let end = last_day_of_month(y, last_month).ok_or_else(err)?;
                (start, end)
            }
        };
        let label = match kind {
            ReportKind::Funding => format!("{}", start.year()),
            ReportKind::Quarterly => format!("{}-Q{}", start.year(), (start.month() - 1) / 3 + 1),
            ReportKind::HalfYearly => format!("{}-H{}", start.year(), (start.month() - 1) / 6 + 1),
        };
        Ok(Period {
            kind,
            label,
            start,
            reference_date,
        })
    }

    /// Whether a recorded date falls in S..=R.
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.start <= d && d <= self.reference_date
    }
}

fn last_day_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    let (ny, nm) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    NaiveDate::from_ymd_opt(ny, nm, 1)?.pred_opt()
}

/// Which snapshot a report uses for one practice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotChoice {
    pub extract_date: NaiveDate,
    /// No snapshot on or after R existed, so the latest before R is used.
    pub stale: bool,
}

/// The snapshot with the earliest `extract_date` on or after `r`; where there is none, the
/// latest before `r`, marked stale. `None` when the practice has no snapshot at all.
pub fn choose_snapshot(extract_dates: &[NaiveDate], r: NaiveDate) -> Option<SnapshotChoice> {
    let fresh = extract_dates.iter().filter(|d| **d >= r).min();
    if let Some(d) = fresh {
        return Some(SnapshotChoice {
            extract_date: *d,
            stale: false,
        });
    }
    extract_dates.iter().max().map(|d| SnapshotChoice {
        extract_date: *d,
        stale: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn quarters_run_from_first_to_last_day() {
        let p = Period::parse(ReportKind::Quarterly, "2027-Q1").unwrap();
        assert_eq!((p.start, p.reference_date), (d("2027-01-01"), d("2027-03-31")));
        let p = Period::parse(ReportKind::Quarterly, "2027-Q2").unwrap();
        assert_eq!((p.start, p.reference_date), (d("2027-04-01"), d("2027-06-30")));
        let p = Period::parse(ReportKind::Quarterly, "2027-Q4").unwrap();
        assert_eq!((p.start, p.reference_date), (d("2027-10-01"), d("2027-12-31")));
        assert_eq!(p.label, "2027-Q4");
    }

    #[test]
    fn half_years_and_funding_year() {
        let p = Period::parse(ReportKind::HalfYearly, "2027-H2").unwrap();
        assert_eq!((p.start, p.reference_date), (d("2027-07-01"), d("2027-12-31")));
        let p = Period::parse(ReportKind::HalfYearly, "2028-H1").unwrap();
        assert_eq!((p.start, p.reference_date), (d("2028-01-01"), d("2028-06-30")));
        let p = Period::parse(ReportKind::Funding, "2027").unwrap();
        assert_eq!((p.start, p.reference_date), (d("2027-01-01"), d("2027-01-01")));
        assert_eq!(p.label, "2027");
    }

    #[test]
    fn periods_that_do_not_fit_their_report_are_refused() {
        for (k, s) in [
            (ReportKind::Quarterly, "2027-Q5"),
            (ReportKind::Quarterly, "2027-H1"),
            (ReportKind::Quarterly, "2027"),
            (ReportKind::Quarterly, "27-Q1"),
            (ReportKind::HalfYearly, "2027-H3"),
            (ReportKind::HalfYearly, "2027-Q1"),
            (ReportKind::Funding, "2027-Q1"),
            (ReportKind::Funding, ""),
        ] {
            assert!(Period::parse(k, s).is_err(), "{k} {s}");
        }
    }

    #[test]
    fn snapshot_choice_prefers_earliest_on_or_after_reference() {
        let dates = [d("2027-03-01"), d("2027-04-03"), d("2027-07-04"), d("2027-03-31")];
        let c = choose_snapshot(&dates, d("2027-03-31")).unwrap();
        assert_eq!(
            c,
            SnapshotChoice {
                extract_date: d("2027-03-31"),
                stale: false
            }
        );
        let c = choose_snapshot(&dates, d("2027-06-30")).unwrap();
        assert_eq!(
            c,
            SnapshotChoice {
                extract_date: d("2027-07-04"),
                stale: false
            }
        );
        let c = choose_snapshot(&dates, d("2027-09-30")).unwrap();
        assert_eq!(
            c,
            SnapshotChoice {
                extract_date: d("2027-07-04"),
                stale: true
            }
        );
        assert_eq!(choose_snapshot(&[], d("2027-09-30")), None);
    }
}
