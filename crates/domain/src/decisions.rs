//! The input rules of a program decision (inclusion or exclusion).

use chrono::NaiveDate;

use crate::care::{DecisionKind, ExclusionReason};
use crate::text;

/// An inclusion or exclusion as entered, before validation (form and API alike).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct DecisionInput {
    pub decided_on: String,
    pub deciding_gp: Option<String>,
    pub reason: Option<String>,
    pub considerations: Option<String>,
    /// Why an inclusion is an exception to the rule (younger than 75, no frail-elder
    /// episode); required then, ignored otherwise.
    pub exception_reason: Option<String>,
}

/// A decision that keeps the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidDecision {
    pub kind: DecisionKind,
    pub decided_on: NaiveDate,
    pub deciding_gp: Option<String>,
    pub reason: Option<ExclusionReason>,
    pub considerations: Option<String>,
    pub exception_reason: Option<String>,
}

/// The rules of a program decision: a real date not in the future; inclusion names the
/// deciding GP; exclusion has one of the module's reasons; bounded free text. Every
/// problem at once, in Dutch.
pub fn validate(kind: DecisionKind, input: DecisionInput, today: NaiveDate) -> Result<ValidDecision, Vec<String>> {
    let mut errors = Vec::new();
    let decided_on = match NaiveDate::parse_from_str(input.decided_on.trim(), "%Y-%m-%d") {
        Ok(d) if d > today => {
            errors.push("De datum van het besluit ligt in de toekomst.".to_string());
            None
        }
        Ok(d) => Some(d),
        Err(_) => {
            errors.push("Datum besluit: vul een geldige datum in.".to_string());
            None
        }
    };
    let deciding_gp = text::optional(input.deciding_gp, "De naam van de huisarts", 200, &mut errors);
    let reason = match kind {
        DecisionKind::Inclusion => {
            if deciding_gp.is_none() && !errors.iter().any(|e| e.starts_with("De naam van de huisarts")) {
                errors.push("Vul de besluitvormend huisarts in.".to_string());
            }
            None
        }
        DecisionKind::Exclusion => {
            let reason = input
                .reason
                .as_deref()
                .map(str::trim)
                .and_then(ExclusionReason::from_code);
            if reason.is_none() {
                errors.push("Kies een reden voor de exclusie.".to_string());
            }
            reason
        }
    };
    let considerations = text::optional(input.considerations, "De toelichting", 4000, &mut errors);
    let exception_reason = match kind {
        DecisionKind::Inclusion => text::optional(
            input.exception_reason,
            "De reden voor de uitzondering",
            2000,
            &mut errors,
        ),
        DecisionKind::Exclusion => None,
    };
    match decided_on {
        Some(decided_on) if errors.is_empty() => Ok(ValidDecision {
            kind,
            decided_on,
            deciding_gp,
            reason,
            considerations,
            exception_reason,
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
    fn a_decision_lists_every_problem() {
        let list = validate(
            DecisionKind::Exclusion,
            DecisionInput {
                decided_on: "2027-13-01".into(),
                reason: Some("verveeld".into()),
                considerations: Some("x".repeat(4001)),
                ..Default::default()
            },
            d("2027-08-01"),
        )
        .unwrap_err();
        assert_eq!(
            list,
            [
                "Datum besluit: vul een geldige datum in.",
                "Kies een reden voor de exclusie.",
                "De toelichting mag hoogstens 4000 tekens lang zijn.",
            ]
        );
        let list = validate(
            DecisionKind::Inclusion,
            DecisionInput {
                decided_on: "2027-08-02".into(),
                deciding_gp: Some("  ".into()),
                ..Default::default()
            },
            d("2027-08-01"),
        )
        .unwrap_err();
        assert_eq!(
            list,
            [
                "De datum van het besluit ligt in de toekomst.",
                "Vul de besluitvormend huisarts in.",
            ]
        );
    }

    #[test]
    fn a_valid_decision_is_trimmed() {
        let ok = validate(
            DecisionKind::Exclusion,
            DecisionInput {
                decided_on: " 2027-08-01 ".into(),
                deciding_gp: Some(" ".into()),
                reason: Some("verhuisd".into()),
                considerations: Some(" Naar Zeeland ".into()),
                exception_reason: Some("genegeerd bij exclusie".into()),
            },
            d("2027-08-01"),
        )
        .unwrap();
        assert_eq!(ok.decided_on, d("2027-08-01"));
        assert_eq!(ok.deciding_gp, None);
        assert_eq!(ok.reason, Some(ExclusionReason::Verhuisd));
        assert_eq!(ok.considerations.as_deref(), Some("Naar Zeeland"));
        assert_eq!(ok.exception_reason, None, "only an inclusion has an exception");
    }
}
