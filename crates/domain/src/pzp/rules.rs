//! The input rules of a PZP: what a saved version must keep, for the form and the API alike.

use std::collections::HashSet;

use chrono::NaiveDate;

use super::{treatment_label, AdvanceCarePlan, TreatmentWish, WishDecision, STANDARD_TREATMENTS};
use crate::care::MAX_TEXT;
use crate::text::check_length;

/// At most this many conversations and treatments in one PZP.
pub const MAX_ITEMS: usize = 100;
/// Longest list of participants of a conversation, and longest short text (a place, where
/// a document is kept, a representative).
pub const MAX_SHORT: usize = 500;
/// Longest name of a treatment or of who recorded a choice.
pub const MAX_NAME: usize = 200;

fn day(d: NaiveDate) -> String {
    d.format("%d-%m-%Y").to_string()
}

/// The standard code of a treatment named like a standard one ("IC-opname", "ic opname").
fn standard_code(name: &str) -> Option<&'static str> {
    let simple = |s: &str| {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect::<String>()
    };
    let wanted = simple(name);
    STANDARD_TREATMENTS
        .iter()
        .find(|(code, label)| simple(code) == wanted || simple(label) == wanted)
        .map(|(code, _)| *code)
}

/// Trims the PZP, drops empty rows of other treatments, adds the standard treatments
/// that are missing (as not yet discussed), orders conversations by date and treatments
/// standard first, and checks everything. Messages are Dutch and list every problem.
pub fn normalise(mut p: AdvanceCarePlan, today: NaiveDate) -> Result<AdvanceCarePlan, Vec<String>> {
    let mut errors = Vec::new();

    if p.conversations.len() > MAX_ITEMS {
        errors.push(format!("Een PZP heeft hoogstens {MAX_ITEMS} gesprekken."));
    }
    for c in &mut p.conversations {
        c.participants = c.participants.trim().to_string();
        c.summary = c.summary.trim().to_string();
        let what = format!("Gesprek van {}", day(c.date));
        if c.date > today {
            errors.push(format!("{what}: de datum ligt in de toekomst."));
        }
        if c.participants.is_empty() {
            errors.push(format!("{what}: vul in wie er aan deelnamen."));
        }
        if c.summary.is_empty() {
            errors.push(format!("{what}: vul een samenvatting van het gesprek in."));
        }
        check_length(
            &c.participants,
            &format!("{what}: de deelnemers"),
            MAX_SHORT,
            &mut errors,
        );
        check_length(&c.summary, &format!("{what}: de samenvatting"), MAX_TEXT, &mut errors);
    }
    p.conversations.sort_by_key(|c| c.date);
    if let Some(gp) = &mut p.responsible_gp {
        gp.name = gp.name.trim().to_string();
        check_length(
            &gp.name,
            "De naam van de verantwoordelijk huisarts",
            MAX_NAME,
            &mut errors,
        );
    }

    let mut wishes: Vec<TreatmentWish> = Vec::new();
    let mut seen = HashSet::new();
    for mut w in std::mem::take(&mut p.wishes) {
        w.treatment = w.treatment.trim().to_string();
        w.recorded_by = w.recorded_by.trim().to_string();
        if w.treatment.is_empty() {
            if w.decision != WishDecision::NogNietBesproken {
                errors.push("Vul de naam in van elke andere behandeling waarbij u wel of niet kiest.".into());
            }
            continue;
        }
        if let Some(code) = standard_code(&w.treatment) {
            w.treatment = code.to_string();
        }
        let label = treatment_label(&w.treatment);
        if !seen.insert(w.treatment.to_lowercase()) {
            errors.push(format!("{label} staat meer dan eens in de lijst van behandelingen."));
            continue;
        }
        check_length(&w.treatment, "De naam van een behandeling", MAX_NAME, &mut errors);
        check_length(
            &w.recorded_by,
            &format!("{label}: vastgelegd door"),
            MAX_NAME,
            &mut errors,
        );
        if w.recorded_on.is_some_and(|d| d > today) {
            errors.push(format!("{label}: de datum ligt in de toekomst."));
        }
        if w.decision != WishDecision::NogNietBesproken && (w.recorded_on.is_none() || w.recorded_by.is_empty()) {
            errors.push(format!(
                "{label}: vul de datum en wie het vastlegde in bij een besproken wens of grens."
            ));
        }
        wishes.push(w);
    }
    for (code, _) in STANDARD_TREATMENTS {
        if !wishes.iter().any(|w| w.treatment == code) {
            wishes.push(TreatmentWish {
                treatment: code.to_string(),
                decision: WishDecision::NogNietBesproken,
                recorded_on: None,
                recorded_by: String::new(),
            });
        }
    }
    let rank = |w: &TreatmentWish| {
        STANDARD_TREATMENTS
            .iter()
            .position(|(c, _)| *c == w.treatment)
            .unwrap_or(STANDARD_TREATMENTS.len())
    };
    wishes.sort_by_key(rank);
    if wishes.len() > MAX_ITEMS {
        errors.push(format!("Een PZP heeft hoogstens {MAX_ITEMS} behandelingen."));
    }
    p.wishes = wishes;

    for (label, d) in [
        ("Wilsverklaring", &mut p.wilsverklaring),
        ("Niet-reanimeren-verklaring", &mut p.niet_reanimeren),
        ("Euthanasieverzoek", &mut p.euthanasieverzoek),
    ] {
        d.location = d.location.trim().to_string();
        check_length(&d.location, &format!("{label}: waar bewaard"), MAX_SHORT, &mut errors);
    }
    for (label, s) in [
        ("De wettelijk vertegenwoordiger", &mut p.legal_representative),
        ("De voorkeursplek van zorg", &mut p.preferred_place_of_care),
        ("De voorkeursplek van overlijden", &mut p.preferred_place_of_death),
    ] {
        *s = s.trim().to_string();
        check_length(s, label, MAX_SHORT, &mut errors);
    }
    if errors.is_empty() {
        // The domain's own rules; stricter ones above, so this only guards against drift.
        if let Err(more) = p.validate() {
            errors.extend(more);
        }
    }
    if errors.is_empty() {
        Ok(p)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::super::Conversation;
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn wish(treatment: &str, decision: WishDecision, on: Option<&str>, by: &str) -> TreatmentWish {
        TreatmentWish {
            treatment: treatment.into(),
            decision,
            recorded_on: on.map(d),
            recorded_by: by.into(),
        }
    }

    #[test]
    fn normalising_orders_fills_in_and_maps_names() {
        let p = AdvanceCarePlan {
            wishes: vec![
                wish(" Dialyse ", WishDecision::Niet, Some("2027-03-01"), " Dr. Janssen "),
                wish("", WishDecision::NogNietBesproken, None, ""),
                wish("IC opname", WishDecision::Wel, Some("2027-03-01"), "Dr. Janssen"),
            ],
            ..Default::default()
        };
        let p = normalise(p, d("2027-08-01")).unwrap();
        let codes: Vec<_> = p.wishes.iter().map(|w| w.treatment.as_str()).collect();
        assert_eq!(
            codes,
            [
                "reanimatie",
                "beademing",
                "ic_opname",
                "ziekenhuisopname",
                "antibiotica",
                "sondevoeding",
                "Dialyse"
            ]
        );
        assert_eq!(p.wishes[6].recorded_by, "Dr. Janssen");
        assert_eq!(p.limits().count(), 1);
    }

    #[test]
    fn normalising_lists_every_problem() {
        let p = AdvanceCarePlan {
            conversations: vec![Conversation {
                date: d("2027-09-01"),
                participants: " ".into(),
                summary: "x".repeat(MAX_TEXT + 1),
                carers: Vec::new(),
            }],
            wishes: vec![
                wish("reanimatie", WishDecision::Niet, None, ""),
                wish("Reanimatie", WishDecision::Wel, Some("2027-03-01"), "X"),
                wish("", WishDecision::Wel, Some("2027-03-01"), "X"),
                wish("antibiotica", WishDecision::Wel, Some("2027-09-01"), "X"),
            ],
            legal_representative: "y".repeat(MAX_SHORT + 1),
            ..Default::default()
        };
        let errors = normalise(p, d("2027-08-01")).unwrap_err();
        assert_eq!(
            errors,
            [
                "Gesprek van 01-09-2027: de datum ligt in de toekomst.",
                "Gesprek van 01-09-2027: vul in wie er aan deelnamen.",
                "Gesprek van 01-09-2027: de samenvatting mag hoogstens 4000 tekens lang zijn.",
                "Reanimatie: vul de datum en wie het vastlegde in bij een besproken wens of grens.",
                "Reanimatie staat meer dan eens in de lijst van behandelingen.",
                "Vul de naam in van elke andere behandeling waarbij u wel of niet kiest.",
                "Antibiotica: de datum ligt in de toekomst.",
                "De wettelijk vertegenwoordiger mag hoogstens 500 tekens lang zijn.",
            ]
        );
    }
}
