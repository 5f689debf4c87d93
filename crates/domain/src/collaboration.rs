//! The progress of a practice's collaboration in the geriatric network, per quarter
//! (Menzis module, Bijlage 2, option 2: "Voortgang per praktijk op de samenwerking in het
//! geriatrisch netwerk"): per partner whether agreements are in place, in progress or
//! absent, with a note. Recorded by the region's staff (usually after a visit); shown to
//! the practice; reported per quarter (`network_collaboration` in the quarterly report).

use crate::period::{Period, ReportKind};
use crate::text::check_length;

/// A partner in the geriatric network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Partner {
    Wijkverpleging,
    SpecialistOuderengeneeskunde,
    CasemanagerDementie,
    Apotheek,
    SociaalDomein,
}

impl Partner {
    pub const ALL: [Partner; 5] = [
        Partner::Wijkverpleging,
        Partner::SpecialistOuderengeneeskunde,
        Partner::CasemanagerDementie,
        Partner::Apotheek,
        Partner::SociaalDomein,
    ];

    /// The stored code, which is also the report's key.
    pub fn code(self) -> &'static str {
        match self {
            Partner::Wijkverpleging => "wijkverpleging",
            Partner::SpecialistOuderengeneeskunde => "specialist_ouderengeneeskunde",
            Partner::CasemanagerDementie => "casemanager_dementie",
            Partner::Apotheek => "apotheek",
            Partner::SociaalDomein => "sociaal_domein",
        }
    }

    pub fn from_code(s: &str) -> Option<Partner> {
        Partner::ALL.into_iter().find(|p| p.code() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Partner::Wijkverpleging => "Wijkverpleging",
            Partner::SpecialistOuderengeneeskunde => "Specialist ouderengeneeskunde",
            Partner::CasemanagerDementie => "Casemanager dementie",
            Partner::Apotheek => "Apotheek",
            Partner::SociaalDomein => "Sociaal domein",
        }
    }
}

/// Where the agreements with a partner stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CollaborationStatus {
    /// Agreements are in place.
    Afspraken,
    /// Agreements are being made.
    InOntwikkeling,
    /// No agreements.
    Geen,
}

impl CollaborationStatus {
    pub const ALL: [CollaborationStatus; 3] = [
        CollaborationStatus::Afspraken,
        CollaborationStatus::InOntwikkeling,
        CollaborationStatus::Geen,
    ];

    /// The stored code, which is also the report's value.
    pub fn code(self) -> &'static str {
        match self {
            CollaborationStatus::Afspraken => "afspraken",
            CollaborationStatus::InOntwikkeling => "in_ontwikkeling",
            CollaborationStatus::Geen => "geen",
        }
    }

    pub fn from_code(s: &str) -> Option<CollaborationStatus> {
        CollaborationStatus::ALL.into_iter().find(|c| c.code() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            CollaborationStatus::Afspraken => "Afspraken gemaakt",
            CollaborationStatus::InOntwikkeling => "In ontwikkeling",
            CollaborationStatus::Geen => "Geen afspraken",
        }
    }
}

/// Longest note per partner.
pub const MAX_NOTE: usize = 1000;

/// One partner's line as entered: the status code (empty: not assessed this quarter) and
/// the note.
#[derive(Debug, Clone, Default)]
pub struct CollaborationInput {
    pub partner: String,
    pub status: String,
    pub note: String,
}

/// One partner's line, validated. `status` `None` clears the partner for the quarter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollaborationLine {
    pub partner: Partner,
    pub status: Option<CollaborationStatus>,
    pub note: Option<String>,
}

/// The quarter of a collaboration record (`2027-Q3`).
pub fn quarter(raw: &str) -> Result<Period, String> {
    Period::parse(ReportKind::Quarterly, raw)
        .map_err(|_| format!("Het kwartaal '{}' bestaat niet; kies bijvoorbeeld 2027-Q3.", raw.trim()))
}

/// The rules of a quarter's collaboration record: known partners, each once; known
/// statuses; notes of at most [`MAX_NOTE`] characters, and a note only with a status.
pub fn validate(lines: &[CollaborationInput]) -> Result<Vec<CollaborationLine>, Vec<String>> {
    let mut errors = Vec::new();
    let mut out: Vec<CollaborationLine> = Vec::new();
    for l in lines {
        let Some(partner) = Partner::from_code(l.partner.trim()) else {
            errors.push(format!("Onbekende netwerkpartner '{}'.", l.partner.trim()));
            continue;
        };
        if out.iter().any(|o| o.partner == partner) {
            errors.push(format!("{} staat twee keer in de lijst.", partner.label()));
            continue;
        }
        let status = match l.status.trim() {
            "" => None,
            code => match CollaborationStatus::from_code(code) {
                Some(s) => Some(s),
                None => {
                    errors.push(format!("{}: onbekende stand '{code}'.", partner.label()));
                    continue;
                }
            },
        };
        let note = Some(l.note.trim().to_string()).filter(|s| !s.is_empty());
        check_length(
            l.note.trim(),
            &format!("De toelichting bij {}", partner.label()),
            MAX_NOTE,
            &mut errors,
        );
        if status.is_none() && note.is_some() {
            errors.push(format!(
                "{}: kies de stand van de afspraken bij de toelichting.",
                partner.label()
            ));
        }
        out.push(CollaborationLine { partner, status, note });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(p: &str, s: &str, n: &str) -> CollaborationInput {
        CollaborationInput {
            partner: p.into(),
            status: s.into(),
            note: n.into(),
        }
    }

    #[test]
    fn codes_round_trip() {
        for p in Partner::ALL {
            assert_eq!(Partner::from_code(p.code()), Some(p));
        }
        for s in CollaborationStatus::ALL {
            assert_eq!(CollaborationStatus::from_code(s.code()), Some(s));
        }
    }

    #[test]
    fn lines_are_checked() {
        let ok = validate(&[
            line("wijkverpleging", "afspraken", " Vaste wijkverpleegkundige "),
            line("apotheek", "", ""),
        ])
        .unwrap();
        assert_eq!(ok[0].status, Some(CollaborationStatus::Afspraken));
        assert_eq!(ok[0].note.as_deref(), Some("Vaste wijkverpleegkundige"));
        assert_eq!(ok[1].status, None);
        let errors = validate(&[
            line("fysiotherapie", "geen", ""),
            line("apotheek", "misschien", ""),
            line("sociaal_domein", "", "zonder stand"),
            line("wijkverpleging", "geen", ""),
            line("wijkverpleging", "geen", ""),
        ])
        .unwrap_err();
        assert_eq!(errors.len(), 4, "{errors:?}");
    }

    #[test]
    fn quarters_are_parsed() {
        assert_eq!(quarter("2027-q3").unwrap().label, "2027-Q3");
        assert!(quarter("2027-H1").is_err());
    }
}
