//! Practice visits by the region (ZIO module, *Monitoring*: "Praktijkbezoeken vinden
//! minimaal één keer per jaar plaats"): who runs them, the topics a visit is recorded
//! against, the rules of planning, recording and sharing a visit, and when a practice is
//! due for one.

use chrono::{Months, NaiveDate};

use crate::access::Role;
use crate::text::{check_length, optional_date};

/// Region staff who run the quality cycle: plan and record practice visits, record the
/// progress of the network collaboration, and see every practice's PDCA checklist. The
/// programme manager and the kaderarts; not the administrator of accounts.
pub fn runs_quality_cycle(role: Role) -> bool {
    matches!(role, Role::Programmamanager | Role::Kaderarts)
}

/// One topic of a visit: its code (the stored column), its Dutch label and the question
/// the module asks about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Topic {
    pub code: &'static str,
    pub label: &'static str,
    pub question: &'static str,
}

/// The topics of a visit, in the order of the ZIO module (*Praktijkbezoek*).
pub const TOPICS: [Topic; 4] = [
    Topic {
        code: "progress",
        label: "Voortgang en stand van zaken",
        question: "Wat gaat goed? Waar liggen uitdagingen?",
    },
    Topic {
        code: "support_needed",
        label: "Ondersteuningsbehoefte",
        question: "Waarin kan de regio de praktijk ondersteunen?",
    },
    Topic {
        code: "mdo",
        label: "Organisatie van MDO's",
        question: "Hoe vaak worden ze georganiseerd? Is iedereen uit het kernteam ouderen aanwezig?",
    },
    Topic {
        code: "collaboration",
        label: "Samenwerking",
        question:
            "Hoe verloopt de samenwerking met de ketenpartners, het kernteam en de specialist ouderengeneeskunde?",
    },
];

/// Longest text of one topic, and of the feedback.
pub const MAX_TOPIC: usize = 4000;
pub const MAX_FEEDBACK: usize = 8000;

/// The earliest date a visit may have.
fn earliest() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).expect("a date")
}

/// A planned visit's date: required, from 2000 up to two years ahead.
pub fn validate_plan(raw_date: &str, today: NaiveDate) -> Result<NaiveDate, Vec<String>> {
    let mut errors = Vec::new();
    let date = optional_date(raw_date, "Datum van het bezoek", &mut errors);
    match date {
        None if errors.is_empty() => errors.push("Kies de datum van het bezoek.".into()),
        Some(d) if d < earliest() => errors.push("De datum van het bezoek ligt vóór 2000.".into()),
        Some(d) if d > today + Months::new(24) => errors.push("Een bezoek plant u hoogstens twee jaar vooruit.".into()),
        _ => {}
    }
    match (date, errors.is_empty()) {
        (Some(d), true) => Ok(d),
        _ => Err(errors),
    }
}

/// A visit's report as entered: the date it took place, the text per topic (in the order
/// of [`TOPICS`]) and the feedback for the practice.
#[derive(Debug, Clone, Default)]
pub struct VisitReportInput {
    pub visited_on: String,
    pub topics: [String; 4],
    pub feedback: String,
}

/// A visit's report, validated: texts trimmed, empty is absent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitReport {
    pub visited_on: NaiveDate,
    pub topics: [Option<String>; 4],
    pub feedback: Option<String>,
}

/// The rules of a visit's report: the date it took place (not in the future, not before
/// 2000), at most [`MAX_TOPIC`] characters per topic and [`MAX_FEEDBACK`] of feedback, and
/// something written (a topic or the feedback).
pub fn validate_report(input: &VisitReportInput, today: NaiveDate) -> Result<VisitReport, Vec<String>> {
    let mut errors = Vec::new();
    let visited_on = optional_date(&input.visited_on, "Datum van het bezoek", &mut errors);
    match visited_on {
        None if errors.is_empty() => errors.push("Vul in op welke datum het bezoek plaatsvond.".into()),
        Some(d) if d > today => errors.push("Een bezoek dat nog moet plaatsvinden legt u niet vast.".into()),
        Some(d) if d < earliest() => errors.push("De datum van het bezoek ligt vóór 2000.".into()),
        _ => {}
    }
    let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let mut topics: [Option<String>; 4] = Default::default();
    for (i, t) in TOPICS.iter().enumerate() {
        check_length(input.topics[i].trim(), t.label, MAX_TOPIC, &mut errors);
        topics[i] = text(&input.topics[i]);
    }
    check_length(input.feedback.trim(), "De terugkoppeling", MAX_FEEDBACK, &mut errors);
    let feedback = text(&input.feedback);
    if feedback.is_none() && topics.iter().all(Option::is_none) {
        errors.push("Schrijf iets bij minstens één onderwerp of in de terugkoppeling.".into());
    }
    match (visited_on, errors.is_empty()) {
        (Some(visited_on), true) => Ok(VisitReport {
            visited_on,
            topics,
            feedback,
        }),
        _ => Err(errors),
    }
}

/// Whether a visit may be shared with the practice: it took place (was recorded) and has
/// feedback. The Dutch reason when not.
pub fn share_problem(recorded: bool, has_feedback: bool) -> Option<&'static str> {
    if !recorded {
        Some("Leg het bezoek eerst vast; daarna deelt u de terugkoppeling met de praktijk.")
    } else if !has_feedback {
        Some("Schrijf eerst de terugkoppeling; die deelt u met de praktijk.")
    } else {
        None
    }
}

/// Whether a practice is due for a visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisitDue {
    /// Visited within the last twelve months; the next visit is due by `due_by`.
    Visited { last: NaiveDate, due_by: NaiveDate },
    /// Not visited in the last twelve months, but a visit is planned.
    Planned { last: Option<NaiveDate>, next: NaiveDate },
    /// Not visited in the last twelve months and none planned.
    Due { last: Option<NaiveDate> },
}

impl VisitDue {
    /// Needs a visit planned: not visited in the last twelve months and none planned.
    pub fn is_due(self) -> bool {
        matches!(self, VisitDue::Due { .. })
    }

    /// Dutch label of the state.
    pub fn label(self) -> &'static str {
        match self {
            VisitDue::Visited { .. } => "Bezocht",
            VisitDue::Planned { .. } => "Gepland",
            VisitDue::Due { .. } => "Bezoek nodig",
        }
    }
}

/// A practice's visit state on `today`: `last` the date of its last visit that took
/// place, `next` the earliest visit planned and not yet recorded. A visit on the day
/// twelve months ago still counts.
pub fn visit_due(last: Option<NaiveDate>, next: Option<NaiveDate>, today: NaiveDate) -> VisitDue {
    let year_ago = today - Months::new(12);
    match (last, next) {
        (Some(l), _) if l >= year_ago => VisitDue::Visited {
            last: l,
            due_by: l + Months::new(12),
        },
        (last, Some(next)) => VisitDue::Planned { last, next },
        (last, None) => VisitDue::Due { last },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn only_the_programme_manager_and_the_kaderarts_run_the_cycle() {
        let runs: Vec<Role> = Role::ALL.into_iter().filter(|r| runs_quality_cycle(*r)).collect();
        assert_eq!(runs, [Role::Programmamanager, Role::Kaderarts]);
    }

    #[test]
    fn a_plan_needs_a_date_within_reach() {
        let today = d("2027-08-01");
        assert_eq!(validate_plan("2027-09-15", today), Ok(d("2027-09-15")));
        assert_eq!(validate_plan("2027-07-01", today), Ok(d("2027-07-01")));
        assert_eq!(
            validate_plan(" ", today).unwrap_err(),
            ["Kies de datum van het bezoek."]
        );
        assert!(validate_plan("2030-01-01", today).is_err());
        assert!(validate_plan("1999-12-31", today).is_err());
        assert_eq!(
            validate_plan("15-09-2027", today).unwrap_err(),
            ["Datum van het bezoek: '15-09-2027' is geen geldige datum."]
        );
    }

    #[test]
    fn a_report_has_a_past_date_and_some_text() {
        let today = d("2027-08-01");
        let mut input = VisitReportInput {
            visited_on: "2027-08-01".into(),
            topics: ["  Loopt goed ".into(), String::new(), String::new(), String::new()],
            feedback: String::new(),
        };
        let r = validate_report(&input, today).unwrap();
        assert_eq!(r.topics[0].as_deref(), Some("Loopt goed"));
        assert_eq!(r.feedback, None);
        input.topics[0] = " ".into();
        assert_eq!(
            validate_report(&input, today).unwrap_err(),
            ["Schrijf iets bij minstens één onderwerp of in de terugkoppeling."]
        );
        input.feedback = "x".repeat(MAX_FEEDBACK + 1);
        input.visited_on = "2027-08-02".into();
        assert_eq!(validate_report(&input, today).unwrap_err().len(), 2);
    }

    #[test]
    fn sharing_needs_a_recorded_visit_with_feedback() {
        assert!(share_problem(false, true).is_some());
        assert!(share_problem(true, false).is_some());
        assert_eq!(share_problem(true, true), None);
    }

    #[test]
    fn a_visit_is_due_after_twelve_months_without_one_planned() {
        let today = d("2027-08-01");
        assert_eq!(
            visit_due(Some(d("2026-08-01")), None, today),
            VisitDue::Visited {
                last: d("2026-08-01"),
                due_by: d("2027-08-01")
            }
        );
        assert_eq!(
            visit_due(Some(d("2026-07-31")), None, today),
            VisitDue::Due {
                last: Some(d("2026-07-31"))
            }
        );
        assert!(visit_due(None, None, today).is_due());
        assert_eq!(
            visit_due(None, Some(d("2027-09-01")), today),
            VisitDue::Planned {
                last: None,
                next: d("2027-09-01")
            }
        );
        assert!(!visit_due(Some(d("2027-01-01")), None, today).is_due());
    }
}
