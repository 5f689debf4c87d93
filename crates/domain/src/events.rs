//! Events around a frail elder (SEH, ELV, admissions, falls) with the 24-hour handover
//! clock, SO consultations, medication reviews and MDO meetings: their kinds and rules.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::codes::CodeSets;
use crate::figures::{PatientFacts, TARGET_AGE};

/// The handover (care plan, PZP, medication) must be sent within this time of the event.
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
    /// Referrals (SEH: the PZP's limits matter most there), admissions and discharges
    /// need a handover within 24 hours; a fall does not.
    pub fn needs_handover(self) -> bool {
        !matches!(self, EventKind::Fall)
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

/// Longest notes of an event.
pub const MAX_NOTES: usize = 4000;
/// How far ahead of the server's clock a time may lie (clocks of devices drift).
pub const CLOCK_SLACK: Duration = Duration::minutes(5);

/// A new event, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub kind: EventKind,
    pub occurred_at: DateTime<Utc>,
    pub notes: Option<String>,
}

/// Times before this are typing errors.
fn earliest() -> DateTime<Utc> {
    DateTime::from_timestamp(946_684_800, 0).expect("2000-01-01 is a valid time")
}

/// The rules of an event: a known kind, a time that is not in the future nor before 2000,
/// notes of at most [`MAX_NOTES`] characters (blank notes are none). `occurred_at` is the
/// parsed time or the message why it could not be read. Every problem is listed, in Dutch.
pub fn validate_event(
    kind: &str,
    occurred_at: Result<DateTime<Utc>, String>,
    notes: Option<String>,
    now: DateTime<Utc>,
) -> Result<NewEvent, Vec<String>> {
    let mut errors = Vec::new();
    let kind = EventKind::from_code(kind.trim());
    if kind.is_none() {
        errors.push("Kies wat er gebeurde.".to_string());
    }
    let at = match occurred_at {
        Ok(t) if t > now + CLOCK_SLACK => {
            errors.push("Het tijdstip van de gebeurtenis ligt in de toekomst.".to_string());
            None
        }
        Ok(t) if t < earliest() => {
            errors.push("Het tijdstip van de gebeurtenis ligt vóór 2000; controleer het jaar.".to_string());
            None
        }
        Ok(t) => Some(t),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let notes = notes.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    if notes.as_ref().is_some_and(|n| n.chars().count() > MAX_NOTES) {
        errors.push(format!("De toelichting mag hoogstens {MAX_NOTES} tekens lang zijn."));
    }
    match (kind, at) {
        (Some(kind), Some(occurred_at)) if errors.is_empty() => Ok(NewEvent {
            kind,
            occurred_at,
            notes,
        }),
        _ => Err(errors),
    }
}

/// Why the handover of an event cannot be recorded as sent at `sent_at` (the parsed time
/// or why it could not be read): the event needs none, it was already sent, or the time
/// lies before the event or in the future. `local` writes a time as the user reads it.
pub fn validate_sent(
    kind: EventKind,
    occurred_at: DateTime<Utc>,
    sent_at: Result<DateTime<Utc>, String>,
    now: DateTime<Utc>,
    local: impl Fn(DateTime<Utc>) -> String,
) -> Result<DateTime<Utc>, String> {
    if !kind.needs_handover() {
        return Err(format!(
            "Bij een {} hoort geen overdracht.",
            kind.label().to_lowercase()
        ));
    }
    match sent_at {
        Ok(t) if t > now + CLOCK_SLACK => Err("Het tijdstip van versturen ligt in de toekomst.".to_string()),
        Ok(t) if t < occurred_at => Err(format!(
            "Het tijdstip van versturen ligt vóór de gebeurtenis ({}).",
            local(occurred_at)
        )),
        other => other,
    }
}

/// An RFC 3339 time (any offset), as UTC; `what` names the field in the message.
pub fn rfc3339_input(s: &str, what: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("{what}: geef een tijdstip in RFC 3339, bijvoorbeeld 2027-03-01T14:30:00+01:00."))
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
            Handover::Overdue {
                due: t("2027-03-02T10:00:00Z")
            }
        );
    }

    #[test]
    fn an_event_lists_every_problem() {
        let now = t("2027-03-01T12:00:00Z");
        let list = validate_event(
            "vakantie",
            Ok(t("2027-03-02T12:00:00Z")),
            Some("x".repeat(MAX_NOTES + 1)),
            now,
        )
        .unwrap_err();
        assert_eq!(
            list,
            [
                "Kies wat er gebeurde.",
                "Het tijdstip van de gebeurtenis ligt in de toekomst.",
                "De toelichting mag hoogstens 4000 tekens lang zijn.",
            ]
        );
        assert_eq!(
            validate_event("val", Ok(t("1999-12-31T23:00:00Z")), None, now).unwrap_err(),
            ["Het tijdstip van de gebeurtenis ligt vóór 2000; controleer het jaar."]
        );
        let ok = validate_event(
            " ontslag_ziekenhuis ",
            Ok(t("2027-03-01T06:00:00Z")),
            Some("  ".into()),
            now,
        )
        .unwrap();
        assert_eq!(ok.kind, EventKind::HospitalDischarge);
        assert_eq!(ok.notes, None);
        assert!(rfc3339_input("gisteren", "occurred_at")
            .unwrap_err()
            .starts_with("occurred_at:"));
        assert_eq!(
            rfc3339_input("2027-03-01T14:30:00+01:00", "x"),
            Ok(t("2027-03-01T13:30:00Z"))
        );
    }

    #[test]
    fn a_handover_is_sent_after_its_event_and_not_in_the_future() {
        let (at, now) = (t("2027-03-01T10:00:00Z"), t("2027-03-02T10:00:00Z"));
        let local = |x: DateTime<Utc>| x.to_rfc3339();
        let k = EventKind::HospitalDischarge;
        assert_eq!(validate_sent(k, at, Ok(now), now, local), Ok(now));
        assert!(validate_sent(k, at, Ok(t("2027-03-01T09:00:00Z")), now, local)
            .unwrap_err()
            .starts_with("Het tijdstip van versturen ligt vóór de gebeurtenis"));
        assert_eq!(
            validate_sent(k, at, Ok(t("2027-03-02T11:00:00Z")), now, local).unwrap_err(),
            "Het tijdstip van versturen ligt in de toekomst."
        );
        assert_eq!(
            validate_sent(EventKind::Fall, at, Ok(now), now, local).unwrap_err(),
            "Bij een val hoort geen overdracht."
        );
        assert_eq!(
            validate_sent(k, at, Err("onleesbaar".into()), now, local).unwrap_err(),
            "onleesbaar"
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
