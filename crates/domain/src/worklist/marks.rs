//! Marking worklist items: ticked off or put off, and a professional's own tasks.

use chrono::{Duration, NaiveDate};

use super::WorkItem;
use crate::care::CarePlan;

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
