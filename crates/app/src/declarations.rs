//! The declarations of contract option 1 (region.md, *Declarations*) for the region and
//! the practice: counts for region staff; the per-patient lines only for the region's
//! declarant and the practice's own staff, every download audited; and the practice's own
//! check before the region sends them (who is on the list and why, who is almost on it).

use kernteam_domain::codes::CodeSets;
use kernteam_domain::period::Period;
use kernteam_report::declarations::{build_declarations, Declarations, Scope};
use kernteam_report::ReportError;

use crate::audit::Action;
use crate::error::{Error, Result};
use crate::gate::{DeclarationReader, Operator, PracticeStaff, RegionStaff};
use crate::App;

fn report_error(e: ReportError) -> Error {
    match e {
        ReportError::Store(e) => e.into(),
        ReportError::Period(m) => Error::Invalid(vec![m]),
        other => Error::Internal(other.into()),
    }
}

fn line_count(d: &Declarations) -> usize {
    d.practices
        .iter()
        .map(|p| p.patients.as_ref().map_or(0, Vec::len))
        .sum()
}

impl App {
    async fn declarations(&self, period: &Period, codes: CodeSets, scope: Scope) -> Result<Declarations> {
        let db = self.db.clone();
        let period = period.clone();
        let runtime = tokio::runtime::Handle::current();
        tokio::task::spawn_blocking(move || {
            runtime.block_on(build_declarations(&db, &period, &codes, scope, &mut |_, _| {}))
        })
        .await
        .map_err(|e| Error::Internal(e.into()))?
        .map_err(report_error)
    }

    /// Counts per practice, no patient lines: what every region staff member may see.
    pub async fn region_declarations(&self, _staff: &RegionStaff, period: &Period) -> Result<Declarations> {
        self.declarations(period, CodeSets::default(), Scope::default()).await
    }

    /// With the per-patient lines: every practice for the declarant, the own practice for
    /// its staff. The download is audited (one record, with the number of lines).
    pub async fn declaration_lines(&self, reader: &DeclarationReader, period: &Period) -> Result<Declarations> {
        let d = self
            .declarations(
                period,
                CodeSets::default(),
                Scope {
                    patients: true,
                    near_misses: false,
                    practice_id: reader.practice_id(),
                },
            )
            .await?;
        self.record(&kernteam_store::care::AuditEntry {
            practice_id: reader.practice_id(),
            ..reader.actor().entry(
                None,
                Action::DownloadDeclarationLines,
                Some(format!("{}: {} regels", period.label, line_count(&d))),
            )
        })
        .await?;
        Ok(d)
    }

    /// The practice's own check: its lines and its near misses (audited as a read).
    pub async fn declaration_check(&self, staff: &PracticeStaff, period: &Period) -> Result<Declarations> {
        let d = self
            .declarations(
                period,
                CodeSets::default(),
                Scope {
                    patients: true,
                    near_misses: true,
                    practice_id: Some(staff.practice_id()),
                },
            )
            .await?;
        self.record(
            &staff
                .actor()
                .entry(None, Action::ViewDeclarationCheck, Some(period.label.clone())),
        )
        .await?;
        Ok(d)
    }

    /// The command line: counts, or with `patients` the lines (audited in the operator's
    /// name). `codes` as given to `kernteam report`.
    pub async fn declarations_by_operator(
        &self,
        op: &Operator,
        period: &Period,
        codes: &CodeSets,
        patients: bool,
    ) -> Result<Declarations> {
        let d = self
            .declarations(
                period,
                codes.clone(),
                Scope {
                    patients,
                    ..Scope::default()
                },
            )
            .await?;
        if patients {
            self.record(&op.entry(
                None,
                None,
                Action::DownloadDeclarationLines,
                Some(format!("{}: {} regels", period.label, line_count(&d))),
            ))
            .await?;
        }
        Ok(d)
    }
}
