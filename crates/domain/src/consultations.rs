//! The input rules of a consultation of the elderly-care physician (specialist
//! ouderengeneeskunde, SO).

use chrono::NaiveDate;
use serde::Deserialize;

use crate::care::MAX_TEXT;
use crate::events::{ConsultationKind, Funding};
use crate::text::{check_length, optional_date};

/// Longest name of the SO consulted.
pub const MAX_SO_NAME: usize = 200;

/// A consultation as entered, before validation (form and API alike).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ConsultationInput {
    /// `yyyy-mm-dd`, not in the future.
    #[cfg_attr(feature = "openapi", schema(required = true, format = Date))]
    pub date: String,
    #[cfg_attr(feature = "openapi", schema(required = true, max_length = 4000))]
    pub question: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub advice: Option<String>,
    /// consultatie, medebehandeling or in_mdo.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub kind: String,
    /// zvw or wlz.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub funding: String,
    /// The SO consulted; when empty and the user is an SO, the user.
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub so_name: Option<String>,
}

/// A consultation that keeps the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidConsultation {
    pub date: NaiveDate,
    pub question: String,
    pub advice: Option<String>,
    pub kind: ConsultationKind,
    pub funding: Funding,
    pub so_name: String,
}

/// The rules of a consultation; every problem at once, in Dutch. `default_so` is the
/// name used when no SO is named (the signed-in SO).
pub fn validate(
    input: &ConsultationInput,
    today: NaiveDate,
    default_so: Option<&str>,
) -> Result<ValidConsultation, Vec<String>> {
    let mut errors = Vec::new();
    let date = match optional_date(&input.date, "Datum", &mut errors) {
        Some(d) if d > today => {
            errors.push("De datum van de consultatie ligt in de toekomst.".to_string());
            None
        }
        Some(d) => Some(d),
        None if input.date.trim().is_empty() => {
            errors.push("Vul de datum van de consultatie in.".to_string());
            None
        }
        None => None,
    };
    let question = input.question.trim().to_string();
    if question.is_empty() {
        errors.push("Vul de vraag aan de specialist ouderengeneeskunde in.".to_string());
    }
    check_length(&question, "De vraag", MAX_TEXT, &mut errors);
    let advice = input
        .advice
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    check_length(advice.as_deref().unwrap_or(""), "Het advies", MAX_TEXT, &mut errors);
    let kind = ConsultationKind::from_code(input.kind.trim());
    if kind.is_none() {
        errors.push("Kies de soort: consultatie, medebehandeling of in het MDO.".to_string());
    }
    let funding = Funding::from_code(input.funding.trim().to_lowercase().as_str());
    if funding.is_none() {
        errors.push("Kies de financiering: Zvw of Wlz.".to_string());
    }
    let so_name = input
        .so_name
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .or(default_so)
        .unwrap_or("")
        .to_string();
    if so_name.is_empty() {
        errors.push("Vul in welke specialist ouderengeneeskunde is geconsulteerd.".to_string());
    }
    check_length(
        &so_name,
        "De naam van de specialist ouderengeneeskunde",
        MAX_SO_NAME,
        &mut errors,
    );
    match (date, kind, funding) {
        (Some(date), Some(kind), Some(funding)) if errors.is_empty() => Ok(ValidConsultation {
            date,
            question,
            advice,
            kind,
            funding,
            so_name,
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
            &ConsultationInput {
                date: String::new(),
                question: "x".repeat(MAX_TEXT + 1),
                advice: Some("y".repeat(MAX_TEXT + 1)),
                kind: "telefonisch".into(),
                funding: "eigen".into(),
                so_name: None,
            },
            d("2027-08-01"),
            None,
        )
        .unwrap_err();
        assert_eq!(
            list,
            [
                "Vul de datum van de consultatie in.",
                "De vraag mag hoogstens 4000 tekens lang zijn.",
                "Het advies mag hoogstens 4000 tekens lang zijn.",
                "Kies de soort: consultatie, medebehandeling of in het MDO.",
                "Kies de financiering: Zvw of Wlz.",
                "Vul in welke specialist ouderengeneeskunde is geconsulteerd.",
            ]
        );
        let list = validate(
            &ConsultationInput {
                date: "2027-08-02".into(),
                question: "Vraag".into(),
                kind: "consultatie".into(),
                funding: "zvw".into(),
                so_name: Some("S".into()),
                ..Default::default()
            },
            d("2027-08-01"),
            None,
        )
        .unwrap_err();
        assert_eq!(list, ["De datum van de consultatie ligt in de toekomst."]);
    }

    #[test]
    fn the_signed_in_so_is_the_default() {
        let c = validate(
            &ConsultationInput {
                date: "2027-07-30".into(),
                question: " Onrust in de avond ".into(),
                advice: Some(" ".into()),
                kind: "medebehandeling".into(),
                funding: "Wlz".into(),
                so_name: Some("".into()),
            },
            d("2027-08-01"),
            Some("Sanne Oud"),
        )
        .unwrap();
        assert_eq!(c.question, "Onrust in de avond");
        assert_eq!(c.advice, None);
        assert_eq!(c.funding, Funding::Wlz);
        assert_eq!(c.kind, ConsultationKind::Medebehandeling);
        assert_eq!(c.so_name, "Sanne Oud");
    }
}
