//! The first point of contact (eerste aanspreekpunt): assigned, and also evaluated (the
//! Menzis module: "toekennen (en ook evalueren)"). An assignment carries the date of its
//! evaluation, by default a year on; the evaluation keeps or changes the assignment.

use chrono::{Months, NaiveDate};

/// By default an assignment is evaluated a year after it was made.
pub const EVALUATION_MONTHS: u32 = 12;
/// An evaluation date is at most this far ahead.
pub const MAX_EVALUATION_MONTHS: u32 = 24;
/// The longest note of an evaluation.
pub const MAX_NOTE: usize = 1000;

/// The default evaluation date of an assignment made on `day`.
pub fn default_evaluation(day: NaiveDate) -> NaiveDate {
    day.checked_add_months(Months::new(EVALUATION_MONTHS)).unwrap_or(day)
}

/// What an evaluation concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The same professional stays the first point of contact.
    Kept,
    /// Another professional of the team becomes the first point of contact.
    Changed,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Kept => "kept",
            Outcome::Changed => "changed",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "kept" => Some(Outcome::Kept),
            "changed" => Some(Outcome::Changed),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Outcome::Kept => "blijft",
            Outcome::Changed => "gewijzigd",
        }
    }
}

/// What happened to the first point of contact, as the history shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryKind {
    Assigned,
    Evaluated,
    /// The member left the care team, so the assignment ended.
    Ended,
}

impl HistoryKind {
    pub fn code(self) -> &'static str {
        match self {
            HistoryKind::Assigned => "assigned",
            HistoryKind::Evaluated => "evaluated",
            HistoryKind::Ended => "ended",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "assigned" => Some(HistoryKind::Assigned),
            "evaluated" => Some(HistoryKind::Evaluated),
            "ended" => Some(HistoryKind::Ended),
            _ => None,
        }
    }
}

/// Checks an evaluation date as entered: after today, at most two years ahead.
pub fn check_evaluation_date(date: NaiveDate, today: NaiveDate) -> Result<(), String> {
    if date <= today {
        return Err("Kies een evaluatiedatum na vandaag.".into());
    }
    match today.checked_add_months(Months::new(MAX_EVALUATION_MONTHS)) {
        Some(max) if date > max => Err(format!(
            "De evaluatie ligt hoogstens {MAX_EVALUATION_MONTHS} maanden vooruit."
        )),
        _ => Ok(()),
    }
}

/// An evaluation as entered.
#[derive(Debug, Clone)]
pub struct EvaluationInput {
    pub outcome: Option<Outcome>,
    /// The care-team member who becomes first point of contact (when changed).
    pub new_member: Option<i64>,
    pub note: String,
    pub next: Option<NaiveDate>,
}

/// Checks an evaluation of the assignment of `current` (a care-team member id); every
/// problem is named, in Dutch.
pub fn check_evaluation(input: &EvaluationInput, current: i64, today: NaiveDate) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    match input.outcome {
        None => errors.push("Kies of het eerste aanspreekpunt blijft of verandert.".to_string()),
        Some(Outcome::Changed) => match input.new_member {
            None => errors.push("Kies het nieuwe eerste aanspreekpunt.".to_string()),
            Some(m) if m == current => errors.push(
                "Het nieuwe eerste aanspreekpunt is dezelfde persoon: kies 'blijft' of een ander teamlid.".to_string(),
            ),
            Some(_) => {}
        },
        Some(Outcome::Kept) => {}
    }
    if input.note.trim().chars().count() > MAX_NOTE {
        errors.push(format!("De toelichting is langer dan {MAX_NOTE} tekens."));
    }
    match input.next {
        None => errors.push("Kies de datum van de volgende evaluatie.".to_string()),
        Some(next) => {
            if let Err(e) = check_evaluation_date(next, today) {
                errors.push(e);
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn input(outcome: Option<Outcome>, new_member: Option<i64>, next: Option<&str>) -> EvaluationInput {
        EvaluationInput {
            outcome,
            new_member,
            note: String::new(),
            next: next.map(d),
        }
    }

    #[test]
    fn an_assignment_is_evaluated_a_year_on_by_default() {
        assert_eq!(default_evaluation(d("2027-02-28")), d("2028-02-28"));
        assert_eq!(default_evaluation(d("2028-02-29")), d("2029-02-28"));
    }

    #[test]
    fn kept_needs_only_a_next_date() {
        let today = d("2027-03-01");
        assert!(check_evaluation(&input(Some(Outcome::Kept), None, Some("2028-03-01")), 4, today).is_ok());
        assert_eq!(
            check_evaluation(&input(Some(Outcome::Kept), None, Some("2027-03-01")), 4, today).unwrap_err(),
            ["Kies een evaluatiedatum na vandaag."]
        );
        assert_eq!(
            check_evaluation(&input(Some(Outcome::Kept), None, Some("2029-03-02")), 4, today).unwrap_err(),
            ["De evaluatie ligt hoogstens 24 maanden vooruit."]
        );
    }

    #[test]
    fn changed_needs_another_member() {
        let today = d("2027-03-01");
        assert!(check_evaluation(&input(Some(Outcome::Changed), Some(5), Some("2028-03-01")), 4, today).is_ok());
        assert_eq!(
            check_evaluation(&input(Some(Outcome::Changed), None, None), 4, today).unwrap_err(),
            [
                "Kies het nieuwe eerste aanspreekpunt.",
                "Kies de datum van de volgende evaluatie."
            ]
        );
        assert!(check_evaluation(&input(Some(Outcome::Changed), Some(4), Some("2028-03-01")), 4, today).is_err());
        assert!(check_evaluation(&input(None, None, Some("2028-03-01")), 4, today).is_err());
    }

    #[test]
    fn codes_round_trip() {
        for k in [HistoryKind::Assigned, HistoryKind::Evaluated, HistoryKind::Ended] {
            assert_eq!(HistoryKind::from_code(k.code()), Some(k));
        }
        for o in [Outcome::Kept, Outcome::Changed] {
            assert_eq!(Outcome::from_code(o.code()), Some(o));
        }
    }
}
