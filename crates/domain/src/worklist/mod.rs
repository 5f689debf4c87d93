//! Worklists: what needs doing for a practice's frail elderly, derived from their records.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

use crate::care::CarePlan;
use crate::events::{handover, EventKind, Handover};

mod marks;
pub use marks::{assigned_actions, check_mark, without_marked, MarkKind, MAX_SNOOZE_DAYS};

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
    /// When the first point of contact's assignment is to be evaluated.
    pub first_contact_evaluation: Option<NaiveDate>,
    /// The current PZP's next review date.
    pub pzp_review: Option<NaiveDate>,
    /// The follow-up date of the latest medication review.
    pub medication_follow_up: Option<NaiveDate>,
    /// Whether a mantelzorger is on the care team (then the care plan records their own
    /// load and support need).
    pub has_mantelzorger: bool,
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
pub const GROUPS: [(&str, &str); 10] = [
    ("exclusie", "Uitgeschreven: exclusie vastleggen"),
    ("overdracht", "Overdrachten bij opname en ontslag"),
    ("actie", "Acties uit het zorgplan"),
    ("evaluatie", "Evaluaties van het zorgplan"),
    ("zorgplan", "Geen zorgplan"),
    ("mantelzorg", "Ondersteuning van de mantelzorger"),
    ("pzp", "Proactieve zorgplanning: ontbreekt of herzien"),
    ("aanspreekpunt", "Eerste aanspreekpunt: ontbreekt of evalueren"),
    ("medicatiebeoordeling", "Medicatiebeoordeling en vervolg"),
    ("mdo", "Kandidaten voor het MDO"),
];

/// The `kind` of every item as it is serialised, for the API's document.
pub const KINDS: [&str; 13] = [
    "action_due",
    "evaluation_due",
    "no_care_plan",
    "no_pzp",
    "no_first_contact",
    "medication_review_due",
    "first_contact_evaluation_due",
    "pzp_review_due",
    "medication_follow_up_due",
    "no_caregiver_support",
    "handover",
    "mdo_candidate",
    "left_practice",
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
    /// The first point of contact's assignment is to be evaluated (kept or changed).
    FirstContactEvaluationDue {
        date: NaiveDate,
        overdue: bool,
    },
    /// The PZP's next review date has come.
    PzpReviewDue {
        date: NaiveDate,
        overdue: bool,
    },
    /// The follow-up agreed at the latest medication review.
    MedicationFollowUpDue {
        date: NaiveDate,
        overdue: bool,
    },
    /// A mantelzorger is on the team, but the care plan has nothing of their own load and
    /// support need.
    NoCaregiverSupport,
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
            WorkItem::FirstContactEvaluationDue { date, overdue } => format!(
                "Eerste aanspreekpunt evalueren {} ({})",
                soon(*overdue),
                d(date)
            ),
            WorkItem::PzpReviewDue { date, overdue } => format!(
                "Proactieve zorgplanning herzien {} ({})",
                soon(*overdue),
                d(date)
            ),
            WorkItem::MedicationFollowUpDue { date, overdue } => format!(
                "Vervolg van de medicatiebeoordeling {} ({})",
                soon(*overdue),
                d(date)
            ),
            WorkItem::NoCaregiverSupport => {
                "Draaglast en ondersteuningsbehoefte van de mantelzorger niet in het zorgplan".into()
            }
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
            | WorkItem::NoCaregiverSupport
            | WorkItem::MedicationReviewDue { .. } => "ontbrekend",
            WorkItem::FirstContactEvaluationDue { .. }
            | WorkItem::PzpReviewDue { .. }
            | WorkItem::MedicationFollowUpDue { .. } => "evaluaties",
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
            WorkItem::NoFirstContact | WorkItem::FirstContactEvaluationDue { .. } => "aanspreekpunt",
            WorkItem::PzpReviewDue { .. } => "pzp",
            WorkItem::MedicationReviewDue { .. } | WorkItem::MedicationFollowUpDue { .. } => "medicatiebeoordeling",
            WorkItem::NoCaregiverSupport => "mantelzorg",
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
            WorkItem::FirstContactEvaluationDue { date, .. } => format!("aanspreekpunt-evaluatie:{date}"),
            WorkItem::PzpReviewDue { date, .. } => format!("pzp-herziening:{date}"),
            WorkItem::MedicationFollowUpDue { date, .. } => format!("medicatie-vervolg:{date}"),
            WorkItem::NoCaregiverSupport => "mantelzorg".into(),
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
            WorkItem::EvaluationDue { date, .. }
            | WorkItem::FirstContactEvaluationDue { date, .. }
            | WorkItem::PzpReviewDue { date, .. }
            | WorkItem::MedicationFollowUpDue { date, .. } => Some(*date),
            WorkItem::MedicationReviewDue { last } => last.map(|d| d + Duration::days(REVIEW_INTERVAL_DAYS)),
            WorkItem::LeftPractice { on, extract_date } => Some(on.unwrap_or(*extract_date)),
            WorkItem::NoCarePlan
            | WorkItem::NoPzp
            | WorkItem::NoFirstContact
            | WorkItem::NoCaregiverSupport
            | WorkItem::MdoCandidate { .. } => None,
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
                | WorkItem::FirstContactEvaluationDue { overdue: true, .. }
                | WorkItem::PzpReviewDue { overdue: true, .. }
                | WorkItem::MedicationFollowUpDue { overdue: true, .. }
                | WorkItem::Handover {
                    status: HandoverState::Overdue,
                    ..
                }
        )
    }
}

/// "te laat" or "binnenkort", for a dated item.
fn soon(overdue: bool) -> &'static str {
    if overdue {
        "te laat"
    } else {
        "binnenkort"
    }
}

/// The date when it falls within the horizon of the worklist (or before).
fn due_soon(date: Option<NaiveDate>, today: NaiveDate) -> Option<NaiveDate> {
    date.filter(|d| *d <= today + Duration::days(EVALUATION_HORIZON_DAYS))
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
            if let Some(date) = due_soon(plan.evaluation_date, today) {
                out.push(WorkItem::EvaluationDue {
                    date,
                    overdue: date < today,
                });
            }
            if p.has_mantelzorger && plan.caregiver_support.trim().is_empty() {
                out.push(WorkItem::NoCaregiverSupport);
            }
        }
    }
    if !p.has_pzp {
        out.push(WorkItem::NoPzp);
    } else if let Some(date) = due_soon(p.pzp_review, today) {
        out.push(WorkItem::PzpReviewDue {
            date,
            overdue: date < today,
        });
    }
    if !p.has_first_contact {
        out.push(WorkItem::NoFirstContact);
    } else if let Some(date) = due_soon(p.first_contact_evaluation, today) {
        out.push(WorkItem::FirstContactEvaluationDue {
            date,
            overdue: date < today,
        });
    }
    if p.last_medication_review
        .is_none_or(|d| d < today - Duration::days(REVIEW_INTERVAL_DAYS))
    {
        out.push(WorkItem::MedicationReviewDue {
            last: p.last_medication_review,
        });
    } else if let Some(date) = due_soon(p.medication_follow_up, today) {
        out.push(WorkItem::MedicationFollowUpDue {
            date,
            overdue: date < today,
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
mod tests;
