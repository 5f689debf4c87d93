//! The PDCA cycle of a practice: the ZIO module's *Stappenplan volgens PDCA* (Plan, Do,
//! Check, Act, each with its checklist items, as data here) as the practice's own
//! checklist with a status (open / bezig / gereed), evidence and a date per item. The
//! Check step's questions are answered with figures where Kernteam has them
//! ([`CheckFigures`], computed by the application from the MDO attendance, the SO
//! consultations and the events of a period) and with the evidence text where not.

use chrono::NaiveDate;

use crate::text::{check_length, optional_date};

/// A phase of the cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    Plan,
    Do,
    Check,
    Act,
}

impl Phase {
    pub const ALL: [Phase; 4] = [Phase::Plan, Phase::Do, Phase::Check, Phase::Act];

    pub fn code(self) -> &'static str {
        match self {
            Phase::Plan => "plan",
            Phase::Do => "do",
            Phase::Check => "check",
            Phase::Act => "act",
        }
    }

    /// The phase's name with its key activity, as the module names them.
    pub fn label(self) -> &'static str {
        match self {
            Phase::Plan => "Plan — voorbereiding",
            Phase::Do => "Do — uitvoering",
            Phase::Check => "Check — evaluatie en monitoring",
            Phase::Act => "Act — bijsturen en verbeteren",
        }
    }
}

/// The figures from Kernteam that answer a Check question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    /// MDOs held and the attendance per discipline.
    MdoAttendance,
    /// The casemanager dementie's attendance at the MDOs.
    CasemanagerAttendance,
    /// SO consultations (Zvw, Wlz) and the SO's attendance at the MDOs.
    SoConsultations,
    /// ELV, SEH and Wlz crisis events per included patient.
    Crises,
}

/// One item of the checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item {
    /// Stable code, stored with the practice's status.
    pub code: &'static str,
    pub phase: Phase,
    pub text: &'static str,
    /// The figures that answer it, for Check questions Kernteam has figures for.
    pub evidence: Option<Evidence>,
}

const fn item(code: &'static str, phase: Phase, text: &'static str) -> Item {
    Item {
        code,
        phase,
        text,
        evidence: None,
    }
}

const fn check(code: &'static str, text: &'static str, evidence: Evidence) -> Item {
    Item {
        code,
        phase: Phase::Check,
        text,
        evidence: Some(evidence),
    }
}

/// The checklist of the ZIO module's *Stappenplan*, in its order.
pub const ITEMS: [Item; 18] = [
    item("plan.kernteam", Phase::Plan, "Stel een multidisciplinair kernteam samen (huisarts, POH, wijkverpleegkundige, casemanager dementie, specialist ouderengeneeskunde, verpleegkundig specialist, eventueel maatschappelijk werker)."),
    item("plan.mdo_planning", Phase::Plan, "Plan structurele MDO's samen en leg ieders rol en verantwoordelijkheden vast."),
    item("plan.afspraken", Phase::Plan, "Maak afspraken met de wijkverpleegkundige, casemanager dementie en specialist ouderengeneeskunde over de samenwerking."),
    item("plan.team_betrokken", Phase::Plan, "Betrek het hele team bij de afspraken en het proces binnen de zorg voor kwetsbare ouderen."),
    item("plan.zelfredzaamheid", Phase::Plan, "Er is aandacht voor de bevordering van zelfredzaamheid van de kwetsbare oudere en er wordt een individueel zorgplan opgesteld."),
    item("plan.levensgebieden", Phase::Plan, "De beperkingen en problemen op verschillende levensgebieden zijn in beeld (via MDO, huisbezoek); samen met de patiënt bekijkt de POH/WVK wat het afgelopen jaar veranderd of verslechterd is."),
    item("plan.voorzieningen", Phase::Plan, "Er is goede kennis van de voorzieningen in de wijk, zoals fysiotherapie, ergotherapie, welzijnswerk of dagopvang."),
    item("do.mdo", Phase::Do, "MDO's worden uitgevoerd volgens een vaste planning en alle relevante disciplines worden betrokken."),
    item("do.casemanager", Phase::Do, "Er wordt samengewerkt met de casemanager dementie bij ouderen met cognitieve achteruitgang of verdenking op dementie."),
    item("do.so", Phase::Do, "Consulteer en win advies in bij de specialist ouderengeneeskunde bij complexe casussen."),
    item("do.izp", Phase::Do, "Met de ketenpartners wordt een individueel zorgplan (IZP) opgesteld: doelen, beslissingen, begeleiding, controle en bijstelling, en wie verantwoordelijk is voor het behandelbeleid."),
    check("check.mdo", "Evalueer de samenwerking binnen het team en met de ketenpartners: zijn de MDO's effectief, worden ze goed bezocht en is iedereen betrokken?", Evidence::MdoAttendance),
    check("check.casemanager", "Hoe verloopt de samenwerking met de casemanager dementie? Is er een vaste casemanager? Zijn de lijnen kort?", Evidence::CasemanagerAttendance),
    item("check.izp_bijstellen", Phase::Check, "De casemanager monitort het ziekteverloop en de functionele mogelijkheden; het IZP wordt zo nodig bijgesteld en bij escalaties wordt afgestemd met de benodigde disciplines."),
    check("check.so", "Hoe verloopt de samenwerking met de specialist ouderengeneeskunde? Wordt deze geconsulteerd bij complexe casussen?", Evidence::SoConsultations),
    check("check.crises", "Zijn er crisissituaties voorkomen? Zijn patiënten en hun mantelzorgers tevreden?", Evidence::Crises),
    item("check.feedback", Phase::Check, "Verzamel feedback van teamleden en ketenpartners."),
    item("act.bijsturen", Phase::Act, "Pas zo nodig het zorgproces aan: de frequentie van de MDO's, de samenstelling van de samenwerking, de afspraken met casemanager, SO en wijkverpleging."),
];

/// The item with this code.
pub fn item_of(code: &str) -> Option<&'static Item> {
    ITEMS.iter().find(|i| i.code == code)
}

/// Where an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ItemStatus {
    #[default]
    Open,
    Bezig,
    Gereed,
}

impl ItemStatus {
    pub const ALL: [ItemStatus; 3] = [ItemStatus::Open, ItemStatus::Bezig, ItemStatus::Gereed];

    pub fn code(self) -> &'static str {
        match self {
            ItemStatus::Open => "open",
            ItemStatus::Bezig => "bezig",
            ItemStatus::Gereed => "gereed",
        }
    }

    pub fn from_code(s: &str) -> Option<ItemStatus> {
        ItemStatus::ALL.into_iter().find(|c| c.code() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ItemStatus::Open => "Open",
            ItemStatus::Bezig => "Bezig",
            ItemStatus::Gereed => "Gereed",
        }
    }
}

/// Longest evidence text.
pub const MAX_EVIDENCE: usize = 4000;

/// An item's state as entered.
#[derive(Debug, Clone, Default)]
pub struct ItemInput {
    pub item: String,
    pub status: String,
    pub evidence: String,
    pub date: String,
}

/// An item's state, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemState {
    pub item: &'static Item,
    pub status: ItemStatus,
    pub evidence: Option<String>,
    pub date: Option<NaiveDate>,
}

/// The rules of an item's state: a known item and status, evidence of at most
/// [`MAX_EVIDENCE`] characters, a date not in the future; an item set to *gereed* without
/// a date is done today.
pub fn validate_item(input: &ItemInput, today: NaiveDate) -> Result<ItemState, Vec<String>> {
    let mut errors = Vec::new();
    let item = item_of(input.item.trim());
    if item.is_none() {
        errors.push(format!(
            "Onbekend onderdeel van het stappenplan '{}'.",
            input.item.trim()
        ));
    }
    let status = ItemStatus::from_code(input.status.trim());
    if status.is_none() {
        errors.push(format!(
            "Onbekende status '{}': kies open, bezig of gereed.",
            input.status.trim()
        ));
    }
    check_length(input.evidence.trim(), "De onderbouwing", MAX_EVIDENCE, &mut errors);
    let date = optional_date(&input.date, "Datum", &mut errors);
    if date.is_some_and(|d| d > today) {
        errors.push("De datum ligt in de toekomst.".into());
    }
    match (item, status, errors.is_empty()) {
        (Some(item), Some(status), true) => Ok(ItemState {
            item,
            status,
            evidence: Some(input.evidence.trim().to_string()).filter(|s| !s.is_empty()),
            date: date.or((status == ItemStatus::Gereed).then_some(today)),
        }),
        _ => Err(errors),
    }
}

/// Items done of all, per phase in the order of [`Phase::ALL`]: `(done, total)`.
pub fn progress(status_of: impl Fn(&str) -> ItemStatus) -> [(usize, usize); 4] {
    let mut out = [(0, 0); 4];
    for (i, phase) in Phase::ALL.iter().enumerate() {
        for item in ITEMS.iter().filter(|it| it.phase == *phase) {
            out[i].1 += 1;
            if status_of(item.code) == ItemStatus::Gereed {
                out[i].0 += 1;
            }
        }
    }
    out
}

/// Attendance of one discipline at the MDOs of a period: meetings where it was present,
/// of meetings where its attendance was recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisciplineAttendance {
    pub discipline: String,
    pub present: u64,
    pub recorded: u64,
}

/// The figures that answer the Check questions, for one practice and period.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CheckFigures {
    /// Patients included on the period's reference date.
    pub included: u64,
    pub mdo_held: u64,
    pub attendance: Vec<DisciplineAttendance>,
    pub so_zvw: u64,
    pub so_wlz: u64,
    pub elv: u64,
    pub seh: u64,
    pub wlz_crisis: u64,
}

impl CheckFigures {
    /// A count per included patient, `None` without included patients.
    pub fn per_included(&self, n: u64) -> Option<f64> {
        (self.included > 0).then(|| n as f64 / self.included as f64)
    }

    /// The attendance of one discipline code.
    pub fn attendance_of(&self, discipline: &str) -> Option<&DisciplineAttendance> {
        self.attendance.iter().find(|a| a.discipline == discipline)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_checklist_has_every_phase_and_unique_codes() {
        for p in Phase::ALL {
            assert!(ITEMS.iter().any(|i| i.phase == p), "{p:?}");
        }
        for (n, i) in ITEMS.iter().enumerate() {
            assert!(i.code.starts_with(i.phase.code()), "{}", i.code);
            assert!(ITEMS[..n].iter().all(|j| j.code != i.code), "{}", i.code);
            assert!(i.evidence.is_none() || i.phase == Phase::Check);
        }
        for s in ItemStatus::ALL {
            assert_eq!(ItemStatus::from_code(s.code()), Some(s));
        }
    }

    #[test]
    fn item_states_are_checked() {
        let today = d("2027-08-01");
        let input = |item: &str, status: &str, date: &str| ItemInput {
            item: item.into(),
            status: status.into(),
            evidence: " Kernteam staat ".into(),
            date: date.into(),
        };
        let s = validate_item(&input("plan.kernteam", "gereed", ""), today).unwrap();
        assert_eq!((s.status, s.date), (ItemStatus::Gereed, Some(today)));
        assert_eq!(s.evidence.as_deref(), Some("Kernteam staat"));
        let s = validate_item(&input("do.mdo", "bezig", ""), today).unwrap();
        assert_eq!(s.date, None);
        assert_eq!(
            validate_item(&input("plan.x", "klaar", "2027-08-02"), today)
                .unwrap_err()
                .len(),
            3
        );
    }

    #[test]
    fn progress_counts_the_items_done_per_phase() {
        let p = progress(|code| {
            if code == "plan.kernteam" || code == "act.bijsturen" {
                ItemStatus::Gereed
            } else {
                ItemStatus::Bezig
            }
        });
        assert_eq!(p, [(1, 7), (0, 4), (0, 6), (1, 1)]);
        let f = CheckFigures {
            included: 4,
            elv: 2,
            ..Default::default()
        };
        assert_eq!(f.per_included(f.elv), Some(0.5));
        assert_eq!(CheckFigures::default().per_included(3), None);
    }
}
