//! The input rules of a medication review (medicatiebeoordeling, MBO; the STRIP method of
//! the guideline *Polyfarmacie bij ouderen*) and the codes it is stored with.

use chrono::NaiveDate;
use serde::Deserialize;

use crate::care::MAX_TEXT;
use crate::events::ReviewIndication;
use crate::text::{check_length, optional_date};

/// Who can take part in a review, as discipline codes (labels from the domain's disciplines).
pub const PARTICIPANTS: [&str; 3] = ["huisarts", "apotheker", "specialist_ouderengeneeskunde"];

/// How a medicine line of the HIS changed between the last review and the extract
/// date `on`: started after the review, stopped after it (and by `on`), or neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SinceReview {
    Started,
    Stopped,
    Unchanged,
}

/// What became of a medicine (`start`, `end`) since the review of `reviewed`, seen on `on`.
/// A medicine started and stopped again since then counts as stopped.
pub fn since_review(start: NaiveDate, end: Option<NaiveDate>, reviewed: NaiveDate, on: NaiveDate) -> SinceReview {
    match end {
        Some(e) if e > reviewed && e <= on => SinceReview::Stopped,
        _ if start > reviewed && start <= on => SinceReview::Started,
        _ => SinceReview::Unchanged,
    }
}

/// The stored code of an indication.
pub fn indication_code(i: ReviewIndication) -> &'static str {
    match i {
        ReviewIndication::Polypharmacy => "polypharmacy",
        ReviewIndication::Frail => "frail",
        ReviewIndication::Both => "both",
    }
}

/// The indication of a stored code.
pub fn indication_from_code(code: &str) -> Option<ReviewIndication> {
    [
        ReviewIndication::Polypharmacy,
        ReviewIndication::Frail,
        ReviewIndication::Both,
    ]
    .into_iter()
    .find(|i| indication_code(*i) == code)
}

/// The participant codes of a stored, comma-separated list.
pub fn participant_codes(stored: &str) -> Vec<String> {
    stored
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// A review as entered, before validation (form and API alike).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = MedicationReviewInput))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReviewInput {
    /// `yyyy-mm-dd`, not in the future.
    #[cfg_attr(feature = "openapi", schema(required = true, format = Date))]
    pub date: String,
    /// Who took part: huisarts, apotheker, specialist_ouderengeneeskunde.
    #[cfg_attr(feature = "openapi", schema(required = true, min_items = 1))]
    pub participants: Vec<String>,
    /// Medicines stopped (free text).
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub stopped: Option<String>,
    /// Medicines started (free text).
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub started: Option<String>,
    /// Medicines changed (free text).
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub changed: Option<String>,
    /// `yyyy-mm-dd`, not before `date`.
    #[cfg_attr(feature = "openapi", schema(format = Date))]
    pub follow_up: Option<String>,
}

/// A review that keeps the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidReview {
    pub date: NaiveDate,
    /// Codes of [`PARTICIPANTS`], in that order, each once.
    pub participants: Vec<&'static str>,
    pub stopped: Option<String>,
    pub started: Option<String>,
    pub changed: Option<String>,
    pub follow_up: Option<NaiveDate>,
}

fn optional_text(s: Option<&str>, label: &str, errors: &mut Vec<String>) -> Option<String> {
    let s = s.map(str::trim).filter(|s| !s.is_empty())?;
    check_length(s, label, MAX_TEXT, errors);
    Some(s.to_string())
}

/// The rules of a review; every problem at once, in Dutch.
pub fn validate(input: &ReviewInput, today: NaiveDate) -> Result<ValidReview, Vec<String>> {
    let mut errors = Vec::new();
    let date = match optional_date(&input.date, "Datum", &mut errors) {
        Some(d) if d > today => {
            errors.push("De datum van de medicatiebeoordeling ligt in de toekomst.".to_string());
            None
        }
        Some(d) => Some(d),
        None if input.date.trim().is_empty() => {
            errors.push("Vul de datum van de medicatiebeoordeling in.".to_string());
            None
        }
        None => None,
    };
    for p in &input.participants {
        let p = p.trim();
        if !PARTICIPANTS.contains(&p) {
            errors.push(format!(
                "Onbekende deelnemer '{p}': kies huisarts, apotheker of specialist ouderengeneeskunde."
            ));
        }
    }
    let participants: Vec<&'static str> = PARTICIPANTS
        .into_iter()
        .filter(|code| input.participants.iter().any(|p| p.trim() == *code))
        .collect();
    if participants.is_empty() && input.participants.iter().all(|p| p.trim().is_empty()) {
        errors.push("Kies wie er aan de medicatiebeoordeling deelnamen.".to_string());
    }
    let stopped = optional_text(input.stopped.as_deref(), "Gestopte middelen", &mut errors);
    let started = optional_text(input.started.as_deref(), "Gestarte middelen", &mut errors);
    let changed = optional_text(input.changed.as_deref(), "Gewijzigde middelen", &mut errors);
    let follow_up = optional_date(input.follow_up.as_deref().unwrap_or(""), "Vervolgdatum", &mut errors);
    if let (Some(f), Some(d)) = (follow_up, date) {
        if f < d {
            errors.push("De vervolgdatum ligt vóór de datum van de medicatiebeoordeling.".to_string());
        }
    }
    match date {
        Some(date) if errors.is_empty() => Ok(ValidReview {
            date,
            participants,
            stopped,
            started,
            changed,
            follow_up,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn every_problem_at_once() {
        let list = validate(
            &ReviewInput {
                date: "2027-02-30".into(),
                participants: vec!["tandarts".into()],
                stopped: Some("x".repeat(MAX_TEXT + 1)),
                follow_up: Some("morgen".into()),
                ..Default::default()
            },
            d("2027-08-01"),
        )
        .unwrap_err();
        assert_eq!(
            list,
            [
                "Datum: '2027-02-30' is geen geldige datum.",
                "Onbekende deelnemer 'tandarts': kies huisarts, apotheker of specialist ouderengeneeskunde.",
                "Gestopte middelen mag hoogstens 4000 tekens lang zijn.",
                "Vervolgdatum: 'morgen' is geen geldige datum.",
            ]
        );
        let list = validate(
            &ReviewInput {
                date: "2027-07-01".into(),
                follow_up: Some("2027-06-01".into()),
                ..Default::default()
            },
            d("2027-08-01"),
        )
        .unwrap_err();
        assert_eq!(
            list,
            [
                "Kies wie er aan de medicatiebeoordeling deelnamen.",
                "De vervolgdatum ligt vóór de datum van de medicatiebeoordeling.",
            ]
        );
    }

    #[test]
    fn participants_in_a_fixed_order() {
        let r = validate(
            &ReviewInput {
                date: "2027-07-01".into(),
                participants: vec!["apotheker".into(), "huisarts".into(), "apotheker".into()],
                changed: Some(" Metoprolol halveren ".into()),
                stopped: Some("".into()),
                ..Default::default()
            },
            d("2027-08-01"),
        )
        .unwrap();
        assert_eq!(r.participants, ["huisarts", "apotheker"]);
        assert_eq!(r.changed.as_deref(), Some("Metoprolol halveren"));
        assert_eq!(r.stopped, None);
    }

    #[test]
    fn indication_codes_round_trip() {
        for i in [
            ReviewIndication::Polypharmacy,
            ReviewIndication::Frail,
            ReviewIndication::Both,
        ] {
            assert_eq!(indication_from_code(indication_code(i)), Some(i));
        }
        assert_eq!(indication_from_code("x"), None);
        assert_eq!(participant_codes(" huisarts, ,apotheker"), ["huisarts", "apotheker"]);
    }

    #[test]
    fn medicines_since_the_last_review() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let (reviewed, on) = (d("2026-01-10"), d("2026-06-30"));
        assert_eq!(
            since_review(d("2025-01-01"), None, reviewed, on),
            SinceReview::Unchanged
        );
        assert_eq!(since_review(d("2026-02-01"), None, reviewed, on), SinceReview::Started);
        assert_eq!(
            since_review(d("2025-01-01"), Some(d("2026-03-01")), reviewed, on),
            SinceReview::Stopped
        );
        assert_eq!(
            since_review(d("2026-02-01"), Some(d("2026-03-01")), reviewed, on),
            SinceReview::Stopped
        );
        assert_eq!(
            since_review(d("2025-01-01"), Some(d("2026-01-10")), reviewed, on),
            SinceReview::Unchanged
        );
        assert_eq!(
            since_review(d("2026-01-10"), None, reviewed, on),
            SinceReview::Unchanged
        );
    }
}
