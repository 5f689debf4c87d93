//! The PZP form: its fields as shown and as entered, and the PZP they describe.

use chrono::NaiveDate;
use kernteam_domain::pzp::{
    treatment_label, AdvanceCarePlan, Conversation, Directive, TreatmentWish, WishDecision, MAX_ITEMS,
    STANDARD_TREATMENTS,
};
use kernteam_domain::text::optional_date as date_field;

use super::view::{directives, recorded};

/// Empty rows for other treatments offered below the filled ones.
const EMPTY_OTHER_ROWS: usize = 2;

/// One treatment row of the form, as shown (and as entered, after an error).
pub struct WishRow {
    pub treatment: String,
    pub label: String,
    pub standard: bool,
    /// Code of the chosen decision.
    pub decision: String,
    /// As entered; empty means: unchanged, or today for a new choice.
    pub date: String,
    pub by: String,
    /// The stored decision, date and recorder, for the hint beside the fields.
    pub current: String,
}

pub struct DirectiveRow {
    pub key: &'static str,
    pub label: &'static str,
    pub present: bool,
    pub location: String,
}

/// The PZP form's values, as text.
pub struct PzpForm {
    pub conv_date: String,
    pub conv_patient: bool,
    pub conv_carer: bool,
    pub conv_representative: bool,
    pub conv_others: String,
    pub conv_summary: String,
    pub wishes: Vec<WishRow>,
    pub directives: Vec<DirectiveRow>,
    pub legal_representative: String,
    pub place_of_care: String,
    pub place_of_death: String,
    pub next_review: String,
}

pub const PARTICIPANT_PATIENT: &str = "Patiënt";
pub const PARTICIPANT_CARER: &str = "Mantelzorger";
pub const PARTICIPANT_REPRESENTATIVE: &str = "Wettelijk vertegenwoordiger";

fn current_hint(stored: &AdvanceCarePlan, treatment: &str) -> String {
    stored
        .wishes
        .iter()
        .find(|w| w.treatment == treatment)
        .filter(|w| w.decision != WishDecision::NogNietBesproken || w.recorded_on.is_some())
        .map(|w| {
            let r = recorded(w);
            if r.is_empty() {
                format!("Nu: {}.", w.decision.label())
            } else {
                format!("Nu: {}, {r}.", w.decision.label())
            }
        })
        .unwrap_or_default()
}

fn wish_row(stored: &AdvanceCarePlan, treatment: &str, decision: &str, date: &str, by: &str) -> WishRow {
    let standard = STANDARD_TREATMENTS.iter().any(|(c, _)| *c == treatment);
    WishRow {
        treatment: treatment.to_string(),
        label: if standard {
            treatment_label(treatment)
        } else {
            "Andere behandeling".to_string()
        },
        standard,
        decision: decision.to_string(),
        date: date.to_string(),
        by: by.to_string(),
        current: current_hint(stored, treatment),
    }
}

fn empty_other_rows(stored: &AdvanceCarePlan) -> impl Iterator<Item = WishRow> + '_ {
    (0..EMPTY_OTHER_ROWS).map(|_| wish_row(stored, "", WishDecision::NogNietBesproken.code(), "", ""))
}

impl PzpForm {
    /// The form for the stored PZP: date and recorder fields empty (the hint shows them).
    pub fn from_pzp(p: &AdvanceCarePlan) -> PzpForm {
        let mut wishes: Vec<WishRow> = p
            .wishes
            .iter()
            .map(|w| wish_row(p, &w.treatment, w.decision.code(), "", ""))
            .collect();
        wishes.extend(empty_other_rows(p));
        PzpForm {
            conv_date: String::new(),
            conv_patient: false,
            conv_carer: false,
            conv_representative: false,
            conv_others: String::new(),
            conv_summary: String::new(),
            wishes,
            directives: directives(p)
                .into_iter()
                .map(|(key, label, d)| DirectiveRow {
                    key,
                    label,
                    present: d.present,
                    location: d.location.clone(),
                })
                .collect(),
            legal_representative: p.legal_representative.clone(),
            place_of_care: p.preferred_place_of_care.clone(),
            place_of_death: p.preferred_place_of_death.clone(),
            next_review: p.next_review.map(|d| d.to_string()).unwrap_or_default(),
        }
    }

    /// The form as entered.
    pub fn from_pairs(pairs: &[(String, String)], stored: &AdvanceCarePlan) -> PzpForm {
        let one = |key: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let checked = |key: &str| pairs.iter().any(|(k, _)| k == key);
        let mut wishes = Vec::new();
        for i in 0.. {
            let key = format!("w{i}_treatment");
            if !checked(&key) {
                break;
            }
            let decision = one(&format!("w{i}_decision"));
            let decision = if decision.is_empty() {
                WishDecision::NogNietBesproken.code().to_string()
            } else {
                decision
            };
            wishes.push(wish_row(
                stored,
                one(&key).trim(),
                &decision,
                &one(&format!("w{i}_date")),
                &one(&format!("w{i}_by")),
            ));
            if i >= MAX_ITEMS + EMPTY_OTHER_ROWS {
                break;
            }
        }
        PzpForm {
            conv_date: one("conv_date"),
            conv_patient: checked("conv_patient"),
            conv_carer: checked("conv_carer"),
            conv_representative: checked("conv_representative"),
            conv_others: one("conv_others"),
            conv_summary: one("conv_summary"),
            wishes,
            directives: directives(stored)
                .into_iter()
                .map(|(key, label, _)| DirectiveRow {
                    key,
                    label,
                    present: checked(&format!("{key}_present")),
                    location: one(&format!("{key}_location")),
                })
                .collect(),
            legal_representative: one("legal_representative"),
            place_of_care: one("place_of_care"),
            place_of_death: one("place_of_death"),
            next_review: one("next_review"),
        }
    }

    /// The PZP the form describes, on top of the stored one: its conversations stay and
    /// the new one is added; a treatment whose choice changed and whose date or recorder
    /// was left empty gets today and the signed-in user; one whose choice did not change
    /// keeps them. Returns the problems found reading the form (dates, choices, a
    /// half-filled conversation); the content rules are [`normalise`]'s.
    pub fn to_pzp(
        &self,
        stored: &AdvanceCarePlan,
        user_name: &str,
        today: NaiveDate,
    ) -> (AdvanceCarePlan, Vec<String>) {
        let mut errors = Vec::new();
        let mut p = AdvanceCarePlan {
            conversations: stored.conversations.clone(),
            ..Default::default()
        };

        let mut participants: Vec<String> = [
            (self.conv_patient, PARTICIPANT_PATIENT),
            (self.conv_carer, PARTICIPANT_CARER),
            (self.conv_representative, PARTICIPANT_REPRESENTATIVE),
        ]
        .into_iter()
        .filter(|(on, _)| *on)
        .map(|(_, l)| l.to_string())
        .collect();
        if !self.conv_others.trim().is_empty() {
            participants.push(self.conv_others.trim().to_string());
        }
        let entered =
            !participants.is_empty() || !self.conv_date.trim().is_empty() || !self.conv_summary.trim().is_empty();
        if entered {
            match date_field(&self.conv_date, "Nieuw gesprek: de datum", &mut errors) {
                Some(date) => p.conversations.push(Conversation {
                    date,
                    participants: participants.join(", "),
                    summary: self.conv_summary.clone(),
                }),
                None if self.conv_date.trim().is_empty() => {
                    errors.push("Nieuw gesprek: vul de datum van het gesprek in.".to_string());
                }
                None => {}
            }
        }

        for row in &self.wishes {
            let label = if row.treatment.is_empty() {
                "Andere behandeling".to_string()
            } else {
                treatment_label(&row.treatment)
            };
            let Some(decision) = WishDecision::from_code(row.decision.trim()) else {
                errors.push(format!("{label}: kies wel, niet of nog niet besproken."));
                continue;
            };
            let date = date_field(&row.date, &format!("{label}: de datum"), &mut errors);
            let by = row.by.trim().to_string();
            let before = stored.wishes.iter().find(|w| w.treatment == row.treatment);
            let unchanged = before.is_some_and(|b| b.decision == decision);
            let (recorded_on, recorded_by) = if unchanged {
                let b = before.expect("unchanged, so stored");
                (
                    date.or(b.recorded_on),
                    if by.is_empty() { b.recorded_by.clone() } else { by },
                )
            } else if decision == WishDecision::NogNietBesproken {
                (date, by)
            } else {
                (
                    date.or(if row.date.trim().is_empty() { Some(today) } else { None }),
                    if by.is_empty() { user_name.to_string() } else { by },
                )
            };
            p.wishes.push(TreatmentWish {
                treatment: row.treatment.clone(),
                decision,
                recorded_on,
                recorded_by,
            });
        }

        for row in &self.directives {
            let d = Directive {
                present: row.present,
                location: row.location.clone(),
            };
            match row.key {
                "wilsverklaring" => p.wilsverklaring = d,
                "niet_reanimeren" => p.niet_reanimeren = d,
                _ => p.euthanasieverzoek = d,
            }
        }
        p.legal_representative = self.legal_representative.clone();
        p.preferred_place_of_care = self.place_of_care.clone();
        p.preferred_place_of_death = self.place_of_death.clone();
        p.next_review = date_field(&self.next_review, "Volgende bespreking", &mut errors);
        (p, errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kernteam_domain::pzp::{normalise, pzp_changes};

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
    fn the_form_keeps_recordings_and_dates_new_choices() {
        let stored = AdvanceCarePlan {
            conversations: vec![Conversation {
                date: d("2027-02-01"),
                participants: "Patiënt".into(),
                summary: "Eerste gesprek".into(),
            }],
            wishes: vec![
                wish("reanimatie", WishDecision::Niet, Some("2027-02-01"), "Dr. Janssen"),
                wish("beademing", WishDecision::Wel, Some("2027-02-01"), "Dr. Janssen"),
            ],
            ..AdvanceCarePlan::blank()
        };
        let stored = normalise(stored, d("2027-03-05")).unwrap();
        let pairs: Vec<(String, String)> = [
            ("based_on", "1"),
            ("conv_date", "2027-03-01"),
            ("conv_patient", "1"),
            ("conv_others", "dochter Anna"),
            ("conv_summary", "Wil niet meer naar het ziekenhuis."),
            ("w0_treatment", "reanimatie"),
            ("w0_decision", "niet"),
            ("w0_date", ""),
            ("w0_by", ""),
            ("w1_treatment", "beademing"),
            ("w1_decision", "niet"),
            ("w1_date", ""),
            ("w1_by", ""),
            ("w2_treatment", "ziekenhuisopname"),
            ("w2_decision", "niet"),
            ("w2_date", "2027-03-01"),
            ("w2_by", "POH Marieke"),
            ("w3_treatment", ""),
            ("w3_decision", "nog_niet_besproken"),
            ("niet_reanimeren_present", "ja"),
            ("niet_reanimeren_location", "In de la van het nachtkastje"),
            ("next_review", "2028-03-01"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let form = PzpForm::from_pairs(&pairs, &stored);
        let (p, errors) = form.to_pzp(&stored, "Marieke Op de Beeck", d("2027-03-05"));
        assert!(errors.is_empty(), "{errors:?}");
        let p = normalise(p, d("2027-03-05")).unwrap();
        assert_eq!(p.conversations.len(), 2);
        assert_eq!(p.conversations[1].participants, "Patiënt, dochter Anna");
        let find = |t: &str| p.wishes.iter().find(|w| w.treatment == t).unwrap();
        assert_eq!(
            find("reanimatie").recorded_on,
            Some(d("2027-02-01")),
            "unchanged keeps its date"
        );
        assert_eq!(find("reanimatie").recorded_by, "Dr. Janssen");
        assert_eq!(
            find("beademing").recorded_on,
            Some(d("2027-03-05")),
            "a changed choice is dated today"
        );
        assert_eq!(find("beademing").recorded_by, "Marieke Op de Beeck");
        assert_eq!(find("ziekenhuisopname").recorded_by, "POH Marieke");
        assert!(p.niet_reanimeren.present);
        assert_eq!(p.next_review, Some(d("2028-03-01")));
        assert_eq!(
            pzp_changes(&stored, &p),
            [
                "Gesprek van 01-03-2027 vastgelegd",
                "Beademing: Wel → Niet",
                "Ziekenhuisopname: Nog niet besproken → Niet",
                "Niet-reanimeren-verklaring: aanwezig",
                "Volgende bespreking: 01-03-2028",
            ]
        );
    }

    #[test]
    fn a_half_filled_conversation_needs_its_date() {
        let pairs = vec![("conv_summary".to_string(), "Besproken".to_string())];
        let stored = AdvanceCarePlan::blank();
        let (_, errors) = PzpForm::from_pairs(&pairs, &stored).to_pzp(&stored, "X", d("2027-03-05"));
        assert_eq!(errors, ["Nieuw gesprek: vul de datum van het gesprek in."]);
    }
}
