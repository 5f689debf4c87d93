//! The region's figures per practice, for region staff: practice-level counts only, never
//! a patient record.

use kernteam_domain::codes::CodeSets;
use kernteam_domain::period::Period;
use kernteam_report::{Report, ReportError};

use crate::error::{Error, Result};
use crate::gate::RegionStaff;
use crate::App;

pub(crate) fn report_error(e: ReportError) -> Error {
    match e {
        ReportError::Store(e) => e.into(),
        other => Error::Internal(other.into()),
    }
}

impl App {
    /// The report of the period over every practice's snapshot. Built on a blocking thread:
    /// it counts over every practice, which should not hold up other requests (and its
    /// progress callback is not `Send`).
    pub async fn region_report(&self, _staff: &RegionStaff, period: &Period) -> Result<Report> {
        let db = self.db.clone();
        let period = period.clone();
        let runtime = tokio::runtime::Handle::current();
        tokio::task::spawn_blocking(move || {
            runtime.block_on(kernteam_report::build_report(
                &db,
                &period,
                &CodeSets::default(),
                &mut |_, _| {},
            ))
        })
        .await
        .map_err(|e| Error::Internal(e.into()))?
        .map_err(report_error)
    }

    /// The report as CSV.
    pub async fn region_csv(&self, staff: &RegionStaff, period: &Period) -> Result<Vec<u8>> {
        let report = self.region_report(staff, period).await?;
        kernteam_report::to_csv(&report).map_err(report_error)
    }

    /// The report as an Excel workbook.
    pub async fn region_xlsx(&self, staff: &RegionStaff, period: &Period) -> Result<Vec<u8>> {
        let report = self.region_report(staff, period).await?;
        kernteam_report::to_xlsx(&report).map_err(report_error)
    }
}
