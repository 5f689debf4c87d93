//! The progress of the collaboration in the geriatric network in the quarterly report
//! (Menzis option 2: "voortgang per praktijk op de samenwerking in het geriatrisch
//! netwerk"): per practice the key `network_collaboration`, per partner the status the
//! region recorded for the report's quarter (`afspraken`, `in_ontwikkeling`, `geen`) or
//! null when it recorded none; and in the Excel workbook a sheet *Samenwerking* with the
//! notes. Only in quarterly reports: the status is kept per quarter.

use kernteam_domain::collaboration::{CollaborationStatus, Partner};
use kernteam_domain::period::{Period, ReportKind};
use kernteam_store::collaboration::CollaborationEntry;
use kernteam_store::StoreError;
use serde::Serialize;

use crate::Report;

/// Per partner the status code of the quarter, or null.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct NetworkCollaboration {
    pub wijkverpleging: Option<String>,
    pub specialist_ouderengeneeskunde: Option<String>,
    pub casemanager_dementie: Option<String>,
    pub apotheek: Option<String>,
    pub sociaal_domein: Option<String>,
    /// The note per partner, for the workbook's sheet (not a report key).
    #[serde(skip)]
    pub notes: Vec<(Partner, String)>,
}

impl NetworkCollaboration {
    fn slot(&mut self, p: Partner) -> &mut Option<String> {
        match p {
            Partner::Wijkverpleging => &mut self.wijkverpleging,
            Partner::SpecialistOuderengeneeskunde => &mut self.specialist_ouderengeneeskunde,
            Partner::CasemanagerDementie => &mut self.casemanager_dementie,
            Partner::Apotheek => &mut self.apotheek,
            Partner::SociaalDomein => &mut self.sociaal_domein,
        }
    }

    /// The status of one partner.
    pub fn status(&self, p: Partner) -> Option<CollaborationStatus> {
        let code = match p {
            Partner::Wijkverpleging => &self.wijkverpleging,
            Partner::SpecialistOuderengeneeskunde => &self.specialist_ouderengeneeskunde,
            Partner::CasemanagerDementie => &self.casemanager_dementie,
            Partner::Apotheek => &self.apotheek,
            Partner::SociaalDomein => &self.sociaal_domein,
        };
        code.as_deref().and_then(CollaborationStatus::from_code)
    }
}

/// A practice's collaboration for the report's quarter from its entries (of any
/// quarter); `None` for other reports.
pub fn network_collaboration_of(
    entries: &[CollaborationEntry],
    period: &Period,
) -> Result<Option<NetworkCollaboration>, StoreError> {
    if period.kind != ReportKind::Quarterly {
        return Ok(None);
    }
    let mut out = NetworkCollaboration::default();
    for e in entries.iter().filter(|e| e.quarter == period.label) {
        let partner = Partner::from_code(&e.partner)
            .ok_or_else(|| StoreError::Corrupt(format!("netwerkpartner '{}'", e.partner)))?;
        CollaborationStatus::from_code(&e.status)
            .ok_or_else(|| StoreError::Corrupt(format!("stand samenwerking '{}'", e.status)))?;
        *out.slot(partner) = Some(e.status.clone());
        if let Some(note) = &e.note {
            out.notes.push((partner, note.clone()));
        }
    }
    Ok(Some(out))
}

/// The sheet *Samenwerking* of a quarterly report's workbook: one row per practice and
/// partner with the status and note. Nothing for other reports.
pub fn add_sheet(book: &mut rust_xlsxwriter::Workbook, report: &Report) -> Result<(), rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::Format;
    if !report.practices.iter().any(|p| p.network_collaboration.is_some()) {
        return Ok(());
    }
    let sheet = book.add_worksheet();
    sheet.set_name("Samenwerking")?;
    let bold = Format::new().set_bold();
    for (c, h) in ["agb_code", "name", "partner", "status", "stand", "toelichting"]
        .iter()
        .enumerate()
    {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    let mut r = 1;
    for p in &report.practices {
        let Some(nc) = &p.network_collaboration else {
            continue;
        };
        for partner in Partner::ALL {
            let status = nc.status(partner);
            let note = nc
                .notes
                .iter()
                .find(|(q, _)| *q == partner)
                .map_or("", |(_, n)| n.as_str());
            sheet.write_string(r, 0, &p.agb_code)?;
            sheet.write_string(r, 1, &p.name)?;
            sheet.write_string(r, 2, partner.code())?;
            sheet.write_string(r, 3, status.map_or("", |s| s.code()))?;
            sheet.write_string(r, 4, status.map_or("niet vastgelegd", |s| s.label()))?;
            sheet.write_string(r, 5, note)?;
            r += 1;
        }
    }
    sheet.set_freeze_panes(1, 2)?;
    sheet.autofit();
    Ok(())
}
