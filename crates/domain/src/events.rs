//! Events around a frail elder (SEH, ELV, admissions, falls) with the 24-hour handover
//! clock, SO consultations, medication reviews and MDO meetings: their kinds and rules.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::codes::CodeSets;
use crate::figures::{PatientFacts, TARGET_AGE};

/// The handover (care plan, PZP, medication) must be sent within this time.
pub const HANDOVER_LIMIT: Duration = Duration::hours(24);

macro_rules! coded_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $code:literal, $label:literal;)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }

            pub fn from_code(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.code() == s)
            }

            /// Dutch label.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),* }
            }
        }
    };
}

coded_enum!(
    /// What happened.
    EventKind {
        SehReferral = "seh_verwijzing", "Verwijzing naar de SEH";
        ElvLaagComplex = "elv_laag_complex", "ELV-opname laag complex";
        ElvHoogComplex = "elv_hoog_complex", "ELV-opname hoog complex";
        ElvPalliatief = "elv_palliatief", "ELV-opname palliatief";
        HospitalAdmission = "ziekenhuisopname", "Ziekenhuisopname";
        HospitalDischarge = "ontslag_ziekenhuis", "Ontslag uit het ziekenhuis";
        WlzCrisisAdmission = "wlz_crisisopname", "Wlz-crisisopname";
        Fall = "val", "Val";
    }
);

impl EventKind {
    /// Admissions and discharges need a handover within 24 hours.
    pub fn needs_handover(self) -> bool {
        !matches!(self, EventKind::SehReferral | EventKind::Fall)
    }

    pub fn is_elv(self) -> bool {
        matches!(
            self,
            EventKind::ElvLaagComplex | EventKind::ElvHoogComplex | EventKind::ElvPalliatief
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Handover {
    NotNeeded,
    /// Not sent yet and still within the 24 hours; due at the given time.
    Open {
        due: DateTime<Utc>,
    },
    /// Not sent and past the 24 hours.
    Overdue {
        due: DateTime<Utc>,
    },
    SentInTime,
    SentLate,
}

impl Handover {
    pub fn label(self) -> &'static str {
        match self {
            Handover::NotNeeded => "Niet nodig",
            Handover::Open { .. } => "Nog te versturen",
            Handover::Overdue { .. } => "Te laat: nog niet verstuurd",
            Handover::SentInTime => "Op tijd verstuurd",
            Handover::SentLate => "Te laat verstuurd",
        }
    }

    pub fn is_late(self) -> bool {
        matches!(self, Handover::Overdue { .. } | Handover::SentLate)
    }

    pub fn needs_attention(self) -> bool {
        matches!(self, Handover::Open { .. } | Handover::Overdue { .. })
    }
}

/// The handover clock of an event at `now`.
pub fn handover(
    kind: EventKind,
    occurred_at: DateTime<Utc>,
    sent_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Handover {
    if !kind.needs_handover() {
        return Handover::NotNeeded;
    }
    let due = occurred_at + HANDOVER_LIMIT;
    match sent_at {
        Some(s) if s <= due => Handover::SentInTime,
        Some(_) => Handover::SentLate,
        None if now <= due => Handover::Open { due },
        None => Handover::Overdue { due },
    }
}

coded_enum!(
    /// How the elderly-care physician was involved.
    ConsultationKind {
        Consultatie = "consultatie", "Consultatie";
        Medebehandeling = "medebehandeling", "Medebehandeling";
        InMdo = "in_mdo", "In het MDO";
    }
);

coded_enum!(
    /// Who pays for an SO consultation.
    Funding {
        Zvw = "zvw", "Zvw";
        Wlz = "wlz", "Wlz";
    }
);

coded_enum!(
    /// Level of a multidisciplinary meeting.
    MdoLevel {
        Practice = "praktijk", "Praktijk-MDO";
        Network = "netwerk", "Netwerk-MDO";
    }
);

/// Disciplines that can be invited to an MDO and whose attendance is recorded.
pub const DISCIPLINES: [(&str, &str); 9] = [
    ("huisarts", "Huisarts"),
    ("poh_o", "POH-ouderenzorg"),
    ("specialist_ouderengeneeskunde", "Specialist ouderengeneeskunde"),
    ("verpleegkundig_specialist", "Verpleegkundig specialist"),
    ("wijkverpleging", "Wijkverpleging"),
    ("casemanager_dementie", "Casemanager dementie"),
    ("apotheker", "Apotheker"),
    ("sociaal_domein", "Sociaal wijkteam / maatschappelijk werk"),
    ("fysiotherapie", "Fysiotherapie"),
];

pub fn discipline_label(code: &str) -> String {
    DISCIPLINES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or_else(|| code.to_string(), |(_, l)| l.to_string())
}

/// Why a medication review (MBO) is indicated, if it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewIndication {
    /// 75+ with five or more active medicines.
    Polypharmacy,
    Frail,
    Both,
}

impl ReviewIndication {
    pub fn label(self) -> &'static str {
        match self {
            ReviewIndication::Polypharmacy => "75+ met vijf of meer geneesmiddelen",
            ReviewIndication::Frail => "Kwetsbare oudere",
            ReviewIndication::Both => "Kwetsbare oudere, 75+ met vijf of meer geneesmiddelen",
        }
    }
}

/// The indication for a medication review on `on`, from the extract.
pub fn review_indication(p: &PatientFacts, on: NaiveDate, codes: &CodeSets) -> Option<ReviewIndication> {
    let poly = p.age_on(on) >= TARGET_AGE && p.polypharmacy_on(on);
    match (poly, p.frail_on(on, codes)) {
        (true, true) => Some(ReviewIndication::Both),
        (true, false) => Some(ReviewIndication::Polypharmacy),
        (false, true) => Some(ReviewIndication::Frail),
        (false, false) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_handover_clock_runs_24_hours() {
        let at = t("2027-03-01T10:00:00Z");
        let k = EventKind::HospitalDischarge;
        assert_eq!(
            handover(k, at, None, t("2027-03-02T09:59:00Z")),
            Handover::Open {
                due: t("2027-03-02T10:00:00Z")
            }
        );
        assert_eq!(
            handover(k, at, None, t("2027-03-02T10:00:00Z")),
            Handover::Open {
                due: t("2027-03-02T10:00:00Z")
            }
        );
        assert!(handover(k, at, None, t("2027-03-02T10:00:01Z")).is_late());
        assert_eq!(
            handover(k, at, Some(t("2027-03-02T10:00:00Z")), t("2027-04-01T00:00:00Z")),
            Handover::SentInTime
        );
        assert_eq!(
            handover(k, at, Some(t("2027-03-02T10:00:01Z")), t("2027-04-01T00:00:00Z")),
            Handover::SentLate
        );
        assert_eq!(
            handover(EventKind::Fall, at, None, t("2027-04-01T00:00:00Z")),
            Handover::NotNeeded
        );
        assert_eq!(
            handover(EventKind::SehReferral, at, None, t("2027-04-01T00:00:00Z")),
            Handover::NotNeeded
        );
    }

    #[test]
    fn codes_round_trip() {
        for k in EventKind::ALL {
            assert_eq!(EventKind::from_code(k.code()), Some(*k));
        }
        assert!(EventKind::ElvPalliatief.is_elv() && !EventKind::Fall.is_elv());
        assert_eq!(Funding::from_code("wlz"), Some(Funding::Wlz));
    }

    #[test]
    fn review_indication_from_the_extract() {
        use crate::figures::{Episode, Medication};
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let on = d("2027-06-30");
        let mut p = PatientFacts::new(d("1945-01-01"), d("1990-01-01"), None);
        assert_eq!(review_indication(&p, on, &CodeSets::default()), None);
        for atc in ["A02BC01", "B01AC06", "C07AB02", "C09AA02", "C10AA05"] {
            p.medications.push(Medication {
                atc: atc.into(),
                start: d("2020-01-01"),
                end: None,
            });
        }
        assert_eq!(
            review_indication(&p, on, &CodeSets::default()),
            Some(ReviewIndication::Polypharmacy)
        );
        p.episodes.push(Episode {
            icpc: "A05".into(),
            start: d("2020-01-01"),
            end: None,
        });
        assert_eq!(
            review_indication(&p, on, &CodeSets::default()),
            Some(ReviewIndication::Both)
        );
    }
}
