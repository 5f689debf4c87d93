//! Worklists: what needs doing for a practice's frail elderly, derived from their records.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

use crate::care::CarePlan;
use crate::events::{handover, EventKind, Handover};

/// Evaluations due within this many days are listed.
pub const EVALUATION_HORIZON_DAYS: i64 = 14;
/// A medication review older than this is due again.
pub const REVIEW_INTERVAL_DAYS: i64 = 365;
/// Events in this window make a patient a candidate for the next MDO.
pub const MDO_EVENT_WINDOW_DAYS: i64 = 90;

/// One event of a patient for the worklist: (event id, kind, occurred at, handover sent at).
pub type EventRecord = (i64, EventKind, DateTime<Utc>, Option<DateTime<Utc>>);

/// What is known of one included patient, for the worklist.
#[derive(Debug, Clone, Default)]
pub struct PatientState {
    pub care_plan: Option<CarePlan>,
    pub has_pzp: bool,
    pub has_first_contact: bool,
    pub last_medication_review: Option<NaiveDate>,
    pub last_mdo: Option<NaiveDate>,
    pub events: Vec<EventRecord>,
    /// Left the practice according to its latest extract (deregistered, deceased, or no
    /// longer in it): to be excluded.
    pub left: Option<LeftPractice>,
}

/// An included patient whom the practice's latest extract no longer has as registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LeftPractice {
    /// The last day registered; `None`: the patient is missing from the extract.
    pub on: Option<NaiveDate>,
    pub extract_date: NaiveDate,
}

/// The groups of the worklist, in their order: code, Dutch heading.
pub const GROUPS: [(&str, &str); 9] = [
    ("exclusie", "Uitgeschreven: exclusie vastleggen"),
    ("overdracht", "Overdrachten bij opname en ontslag"),
    ("actie", "Acties uit het zorgplan"),
    ("evaluatie", "Evaluaties van het zorgplan"),
    ("zorgplan", "Geen zorgplan"),
    ("pzp", "Geen proactieve zorgplanning"),
    ("aanspreekpunt", "Geen eerste aanspreekpunt"),
    ("medicatiebeoordeling", "Medicatiebeoordeling nodig"),
    ("mdo", "Kandidaten voor het MDO"),
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WorkItem {
    ActionDue {
        what: String,
        who: String,
        /// The care-team member (`care_team_members.id`) the action is assigned to.
        #[serde(skip_serializing_if = "Option::is_none")]
        member: Option<i64>,
        due: NaiveDate,
        overdue: bool,
    },
    EvaluationDue {
        date: NaiveDate,
        overdue: bool,
    },
    NoCarePlan,
    NoPzp,
    NoFirstContact,
    MedicationReviewDue {
        last: Option<NaiveDate>,
    },
    Handover {
        event_id: i64,
        event: EventKind,
        status: HandoverState,
        /// The day by which the handover is due (24 hours after the event).
        due: NaiveDate,
    },
    MdoCandidate {
        reason: String,
    },
    /// Left the practice (registration ended or missing from the latest extract).
    LeftPractice {
        on: Option<NaiveDate>,
        extract_date: NaiveDate,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HandoverState {
    Open,
    Overdue,
    SentLate,
}

impl WorkItem {
    /// Dutch text for the list.
    pub fn text(&self) -> String {
        let d = |d: &NaiveDate| d.format("%d-%m-%Y").to_string();
        match self {
            WorkItem::ActionDue {
                what,
                who,
                due,
                overdue,
                ..
            } => format!(
                "Actie {}: {what}{} (vóór {})",
                if *overdue { "te laat" } else { "binnenkort" },
                if who.is_empty() {
                    String::new()
                } else {
                    format!(" — {who}")
                },
                d(due)
            ),
            WorkItem::EvaluationDue { date, overdue } => {
                format!(
                    "Evaluatie zorgplan {} ({})",
                    if *overdue { "te laat" } else { "binnenkort" },
                    d(date)
                )
            }
            WorkItem::NoCarePlan => "Geen zorgplan".into(),
            WorkItem::NoPzp => "Geen proactieve zorgplanning".into(),
            WorkItem::NoFirstContact => "Geen eerste aanspreekpunt".into(),
            WorkItem::MedicationReviewDue { last } => match last {
                Some(l) => format!("Medicatiebeoordeling nodig (laatste {})", d(l)),
                None => "Medicatiebeoordeling nodig (nog nooit)".into(),
            },
            WorkItem::Handover { event, status, .. } => format!(
                "Overdracht bij {}: {}",
                event.label().to_lowercase(),
                match status {
                    HandoverState::Open => "nog versturen (binnen 24 uur)",
                    HandoverState::Overdue => "te laat, nog niet verstuurd",
                    HandoverState::SentLate => "te laat verstuurd",
                }
            ),
            WorkItem::MdoCandidate { reason } => format!("Kandidaat voor het volgende MDO: {reason}"),
            WorkItem::LeftPractice { on, extract_date } => match on {
                Some(on) => format!(
                    "Uitgeschreven per {} (HIS-extract van {}): telt daarna niet meer als geïncludeerd; leg de exclusie vast (overleden, verhuisd)",
                    d(on),
                    d(extract_date)
                ),
                None => format!(
                    "Niet meer in het HIS-extract van {}: leg de exclusie vast (overleden, verhuisd)",
                    d(extract_date)
                ),
            },
        }
    }

    /// A short code for filtering.
    pub fn code(&self) -> &'static str {
        match self {
            WorkItem::ActionDue { .. } => "acties",
            WorkItem::EvaluationDue { .. } => "evaluaties",
            WorkItem::NoCarePlan
            | WorkItem::NoPzp
            | WorkItem::NoFirstContact
            | WorkItem::MedicationReviewDue { .. } => "ontbrekend",
            WorkItem::Handover { .. } => "overdrachten",
            WorkItem::MdoCandidate { .. } => "mdo",
            WorkItem::LeftPractice { .. } => "exclusie",
        }
    }

    /// The group of the worklist the item is shown in (a code of [`GROUPS`]).
    pub fn group(&self) -> &'static str {
        match self {
            WorkItem::Handover { .. } => "overdracht",
            WorkItem::ActionDue { .. } => "actie",
            WorkItem::EvaluationDue { .. } => "evaluatie",
            WorkItem::NoCarePlan => "zorgplan",
            WorkItem::NoPzp => "pzp",
            WorkItem::NoFirstContact => "aanspreekpunt",
            WorkItem::MedicationReviewDue { .. } => "medicatiebeoordeling",
            WorkItem::MdoCandidate { .. } => "mdo",
            WorkItem::LeftPractice { .. } => "exclusie",
        }
    }

    /// The item's identity on the worklist, stable while the item stays the same (a new
    /// due date, a new review or a new event makes a new item): what a tick-off or a
    /// snooze is recorded against.
    pub fn key(&self) -> String {
        match self {
            WorkItem::ActionDue { what, due, .. } => format!("actie:{due}:{what}"),
            WorkItem::EvaluationDue { date, .. } => format!("evaluatie:{date}"),
            WorkItem::NoCarePlan => "zorgplan".into(),
            WorkItem::NoPzp => "pzp".into(),
            WorkItem::NoFirstContact => "aanspreekpunt".into(),
            WorkItem::MedicationReviewDue { last } => {
                format!(
                    "medicatiebeoordeling:{}",
                    last.map(|d| d.to_string()).unwrap_or_default()
                )
            }
            WorkItem::Handover { event_id, .. } => format!("overdracht:{event_id}"),
            WorkItem::MdoCandidate { .. } => "mdo".into(),
            WorkItem::LeftPractice { on, .. } => {
                format!("exclusie:{}", on.map(|d| d.to_string()).unwrap_or_default())
            }
        }
    }

    /// When the item is due: the action's date, the evaluation date, a year after the
    /// last medication review, a day after the event for a handover; `None` for what has
    /// no date of its own (something missing, an MDO suggestion).
    pub fn due(&self) -> Option<NaiveDate> {
        match self {
            WorkItem::ActionDue { due, .. } | WorkItem::Handover { due, .. } => Some(*due),
            WorkItem::EvaluationDue { date, .. } => Some(*date),
            WorkItem::MedicationReviewDue { last } => last.map(|d| d + Duration::days(REVIEW_INTERVAL_DAYS)),
            WorkItem::LeftPractice { on, extract_date } => Some(on.unwrap_or(*extract_date)),
            WorkItem::NoCarePlan | WorkItem::NoPzp | WorkItem::NoFirstContact | WorkItem::MdoCandidate { .. } => None,
        }
    }

    /// Whether the item can be ticked off or snoozed from the list. A handover cannot: it
    /// is done by sending it, from the event.
    pub fn can_mark(&self) -> bool {
        !matches!(self, WorkItem::Handover { .. })
    }

    pub fn urgent(&self) -> bool {
        matches!(
            self,
            WorkItem::ActionDue { overdue: true, .. }
                | WorkItem::EvaluationDue { overdue: true, .. }
                | WorkItem::Handover {
                    status: HandoverState::Overdue,
                    ..
                }
        )
    }
}

/// What a user did with an item from the worklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkKind {
    /// Done (with a reason): the item no longer shows.
    Done,
    /// Put off until the day given: the item shows again on that day.
    Snoozed(NaiveDate),
}

impl MarkKind {
    pub fn code(self) -> &'static str {
        match self {
            MarkKind::Done => "afgevinkt",
            MarkKind::Snoozed(_) => "uitgesteld",
        }
    }
}

/// The most a worklist item can be put off.
pub const MAX_SNOOZE_DAYS: i64 = 366;

/// Checks a tick-off or snooze as entered; messages are Dutch, for the form.
pub fn check_mark(kind: MarkKind, reason: &str, today: NaiveDate) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    if reason.trim().is_empty() {
        errors.push("Geef een reden op.".to_string());
    } else if reason.chars().count() > 500 {
        errors.push("De reden is langer dan 500 tekens.".to_string());
    }
    if let MarkKind::Snoozed(until) = kind {
        if until <= today {
            errors.push("Kies een datum na vandaag om tot uit te stellen.".to_string());
        } else if until > today + Duration::days(MAX_SNOOZE_DAYS) {
            errors.push("Uitstellen kan hoogstens een jaar.".to_string());
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// The items without those ticked off, or snoozed until after `today`: `marks` are
/// (item key, kind) pairs of the patient.
pub fn without_marked(items: Vec<WorkItem>, marks: &[(String, MarkKind)], today: NaiveDate) -> Vec<WorkItem> {
    items
        .into_iter()
        .filter(|item| {
            let key = item.key();
            !marks.iter().any(|(k, m)| {
                *k == key
                    && item.can_mark()
                    && match m {
                        MarkKind::Done => true,
                        MarkKind::Snoozed(until) => *until > today,
                    }
            })
        })
        .collect()
}

/// The open actions of a plan assigned to one of `members` (care-team member ids), due or
/// not: a professional's own tasks. Undated ones carry `today` as their date.
pub fn assigned_actions(plan: &CarePlan, members: &[i64], today: NaiveDate) -> Vec<WorkItem> {
    plan.open_actions()
        .filter(|a| a.member.is_some_and(|m| members.contains(&m)))
        .map(|a| {
            let due = a.due.unwrap_or(today);
            WorkItem::ActionDue {
                what: a.what.clone(),
                who: a.who.clone(),
                member: a.member,
                due,
                overdue: due < today,
            }
        })
        .collect()
}

/// The work for one included patient on `today` (at `now`).
pub fn work_items(p: &PatientState, today: NaiveDate, now: DateTime<Utc>) -> Vec<WorkItem> {
    let mut out = Vec::new();
    if let Some(left) = p.left {
        out.push(WorkItem::LeftPractice {
            on: left.on,
            extract_date: left.extract_date,
        });
    }
    match &p.care_plan {
        None => out.push(WorkItem::NoCarePlan),
        Some(plan) => {
            for a in plan.open_actions() {
                if let Some(due) = a.due {
                    if due <= today + Duration::days(EVALUATION_HORIZON_DAYS) {
                        out.push(WorkItem::ActionDue {
                            what: a.what.clone(),
                            who: a.who.clone(),
                            member: a.member,
                            due,
                            overdue: due < today,
                        });
                    }
                }
            }
            if let Some(date) = plan.evaluation_date {
                if date <= today + Duration::days(EVALUATION_HORIZON_DAYS) {
                    out.push(WorkItem::EvaluationDue {
                        date,
                        overdue: date < today,
                    });
                }
            }
        }
    }
    if !p.has_pzp {
        out.push(WorkItem::NoPzp);
    }
    if !p.has_first_contact {
        out.push(WorkItem::NoFirstContact);
    }
    if p.last_medication_review
        .is_none_or(|d| d < today - Duration::days(REVIEW_INTERVAL_DAYS))
    {
        out.push(WorkItem::MedicationReviewDue {
            last: p.last_medication_review,
        });
    }
    let mut recent_events = Vec::new();
    for (id, kind, at, sent) in &p.events {
        let status = match handover(*kind, *at, *sent, now) {
            Handover::Open { .. } => Some(HandoverState::Open),
            Handover::Overdue { .. } => Some(HandoverState::Overdue),
            Handover::SentLate if *at >= now - Duration::days(30) => Some(HandoverState::SentLate),
            _ => None,
        };
        if let Some(status) = status {
            out.push(WorkItem::Handover {
                event_id: *id,
                event: *kind,
                status,
                due: (*at + Duration::hours(24)).date_naive(),
            });
        }
        if at.date_naive() >= today - Duration::days(MDO_EVENT_WINDOW_DAYS)
            && p.last_mdo.is_none_or(|m| m < at.date_naive())
        {
            recent_events.push(kind.label().to_lowercase());
        }
    }
    if !recent_events.is_empty() {
        recent_events.dedup();
        out.push(WorkItem::MdoCandidate {
            reason: format!("recent {}", recent_events.join(", ")),
        });
    } else if p.last_mdo.is_none() {
        out.push(WorkItem::MdoCandidate {
            reason: "nog niet in een MDO besproken".into(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::care::{ActionStatus, CareAction};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn an_empty_record_lists_what_is_missing() {
        let items = work_items(&PatientState::default(), d("2027-03-01"), t("2027-03-01T12:00:00Z"));
        let codes: Vec<_> = items.iter().map(|i| i.text()).collect();
        assert_eq!(
            codes,
            [
                "Geen zorgplan",
                "Geen proactieve zorgplanning",
                "Geen eerste aanspreekpunt",
                "Medicatiebeoordeling nodig (nog nooit)",
                "Kandidaat voor het volgende MDO: nog niet in een MDO besproken",
            ]
        );
    }

    #[test]
    fn a_patient_who_left_the_practice_is_flagged_for_exclusion_first() {
        let state = PatientState {
            left: Some(LeftPractice {
                on: Some(d("2027-05-31")),
                extract_date: d("2027-07-04"),
            }),
            ..Default::default()
        };
        let items = work_items(&state, d("2027-07-10"), t("2027-07-10T12:00:00Z"));
        assert_eq!(items[0].group(), "exclusie");
        assert_eq!(GROUPS[0].0, "exclusie");
        assert!(items[0]
            .text()
            .starts_with("Uitgeschreven per 31-05-2027 (HIS-extract van 04-07-2027)"));
        assert_eq!(items[0].due(), Some(d("2027-05-31")));
        let missing = WorkItem::LeftPractice {
            on: None,
            extract_date: d("2027-07-04"),
        };
        assert!(missing
            .text()
            .starts_with("Niet meer in het HIS-extract van 04-07-2027"));
        assert_ne!(missing.key(), items[0].key());
    }

    #[test]
    fn due_actions_evaluations_and_late_handovers() {
        let plan = CarePlan {
            actions: vec![
                CareAction {
                    what: "Huisbezoek".into(),
                    who: "POH-O".into(),
                    due: Some(d("2027-02-20")),
                    status: ActionStatus::Gepland,
                    ..Default::default()
                },
                CareAction {
                    what: "Later".into(),
                    who: String::new(),
                    due: Some(d("2027-06-01")),
                    status: ActionStatus::Gepland,
                    ..Default::default()
                },
                CareAction {
                    what: "Klaar".into(),
                    who: String::new(),
                    due: Some(d("2027-02-01")),
                    status: ActionStatus::Afgerond,
                    ..Default::default()
                },
            ],
            evaluation_date: Some(d("2027-03-10")),
            ..Default::default()
        };
        let state = PatientState {
            care_plan: Some(plan),
            has_pzp: true,
            has_first_contact: true,
            last_medication_review: Some(d("2026-06-01")),
            last_mdo: Some(d("2027-01-15")),
            events: vec![(7, EventKind::HospitalDischarge, t("2027-02-27T09:00:00Z"), None)],
            left: None,
        };
        let items = work_items(&state, d("2027-03-01"), t("2027-03-01T12:00:00Z"));
        assert!(items.contains(&WorkItem::ActionDue {
            what: "Huisbezoek".into(),
            who: "POH-O".into(),
            member: None,
            due: d("2027-02-20"),
            overdue: true
        }));
        assert!(items.contains(&WorkItem::EvaluationDue {
            date: d("2027-03-10"),
            overdue: false
        }));
        assert!(items.contains(&WorkItem::Handover {
            event_id: 7,
            event: EventKind::HospitalDischarge,
            status: HandoverState::Overdue,
            due: d("2027-02-28"),
        }));
        assert!(items.iter().any(|i| matches!(i, WorkItem::MdoCandidate { .. })));
        assert!(!items.iter().any(|i| matches!(i, WorkItem::MedicationReviewDue { .. })));
        assert_eq!(items.iter().filter(|i| i.urgent()).count(), 2);
    }

    #[test]
    fn ticked_off_items_go_and_snoozed_ones_come_back() {
        let today = d("2027-03-01");
        let items = work_items(&PatientState::default(), today, t("2027-03-01T12:00:00Z"));
        let marks = vec![
            ("pzp".to_string(), MarkKind::Done),
            ("aanspreekpunt".to_string(), MarkKind::Snoozed(d("2027-03-08"))),
        ];
        let left = without_marked(items.clone(), &marks, today);
        assert_eq!(left.len(), items.len() - 2);
        assert!(!left.contains(&WorkItem::NoPzp));
        let later = without_marked(items.clone(), &marks, d("2027-03-08"));
        assert!(
            later.contains(&WorkItem::NoFirstContact),
            "back on the day it was put off to"
        );
        assert!(!later.contains(&WorkItem::NoPzp));
    }

    #[test]
    fn a_new_review_or_due_date_is_a_new_item() {
        let a = WorkItem::MedicationReviewDue {
            last: Some(d("2026-01-01")),
        };
        let b = WorkItem::MedicationReviewDue {
            last: Some(d("2026-02-01")),
        };
        assert_ne!(a.key(), b.key());
        assert_eq!(a.due(), Some(d("2027-01-01")));
        assert_eq!(WorkItem::NoPzp.due(), None);
    }

    #[test]
    fn a_mark_needs_a_reason_and_a_later_date() {
        let today = d("2027-03-01");
        assert!(check_mark(MarkKind::Done, "Gesprek gepland", today).is_ok());
        assert_eq!(
            check_mark(MarkKind::Done, " ", today).unwrap_err(),
            ["Geef een reden op."]
        );
        assert!(check_mark(MarkKind::Snoozed(today), "later", today).is_err());
        assert!(check_mark(MarkKind::Snoozed(d("2028-06-01")), "later", today).is_err());
        assert!(check_mark(MarkKind::Snoozed(d("2027-03-15")), "later", today).is_ok());
    }

    #[test]
    fn own_tasks_are_the_open_actions_assigned_to_the_member() {
        let today = d("2027-03-01");
        let plan = CarePlan {
            actions: vec![
                CareAction {
                    what: "Huisbezoek".into(),
                    member: Some(4),
                    due: Some(d("2027-05-01")),
                    ..Default::default()
                },
                CareAction {
                    what: "Bellen".into(),
                    member: Some(5),
                    ..Default::default()
                },
                CareAction {
                    what: "Klaar".into(),
                    member: Some(4),
                    status: ActionStatus::Afgerond,
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let mine = assigned_actions(&plan, &[4], today);
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].due(), Some(d("2027-05-01")));
    }
}
