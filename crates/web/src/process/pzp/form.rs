//! The PZP form: its fields as shown and as entered, and the PZP they describe.

use chrono::NaiveDate;
use kernteam_app::pzp::PzpPeople;
use kernteam_domain::pzp::{
    treatment_label, AdvanceCarePlan, Conversation, Directive, PzpPerson, TreatmentWish, WishDecision, MAX_ITEMS,
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
/// A mantelzorger on the care team, offered as a participant of the new conversation.
pub struct CarerOption {
    pub id: i64,
    pub label: String,
    pub checked: bool,
}

/// A GP account of the practice, offered as the GP responsible for the limits.
pub struct GpOption {
    pub id: i64,
    pub name: String,
    pub selected: bool,
}

pub struct PzpForm {
    pub conv_date: String,
    pub conv_patient: bool,
    /// The mantelzorgers on the care team; those ticked took part.
    pub carers: Vec<CarerOption>,
    /// The practice's GPs; the selected one agreed the wishes and limits.
    pub gps: Vec<GpOption>,
    /// Whether the form has a treatment section at all (only for those who may change
    /// limits); without one, the stored wishes, limits and responsible GP stay.
    pub with_wishes: bool,
    pub conv_representative: bool,
    pub conv_others: String,
    pub conv_summary: String,
    pub wishes: Vec<WishRow>,
    pub directives: Vec<DirectiveRow>,
    pub legal_representative: String,
    /// The mantelzorgers on the care team, the one selected being the legal
    /// representative who may act for the patient in the portal.
    pub representatives: Vec<CarerOption>,
    /// The chosen representative's care-team id as entered ("": none).
    pub representative_member: String,
    pub place_of_care: String,
    pub place_of_death: String,
    pub next_review: String,
}

pub const PARTICIPANT_PATIENT: &str = "Patiënt";
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

fn carer_options(people: &PzpPeople, checked: impl Fn(i64) -> bool) -> Vec<CarerOption> {
    people
        .carers
        .iter()
        .map(|m| CarerOption {
            id: m.id,
            label: PzpPeople::carer_label(m),
            checked: checked(m.id),
        })
        .collect()
}

/// The practice's GPs, with `chosen` selected; a GP no longer among them (left the
/// practice) stays offered so that saving keeps them.
fn gp_options(people: &PzpPeople, chosen: Option<&PzpPerson>) -> Vec<GpOption> {
    let mut out: Vec<GpOption> = people
        .gps
        .iter()
        .map(|g| GpOption {
            id: g.id,
            name: g.name.clone(),
            selected: chosen.is_some_and(|c| c.id == g.id),
        })
        .collect();
    if let Some(c) = chosen.filter(|c| !people.gps.iter().any(|g| g.id == c.id)) {
        out.push(GpOption {
            id: c.id,
            name: c.name.clone(),
            selected: true,
        });
    }
    out
}

impl PzpForm {
    /// The form for the stored PZP: date and recorder fields empty (the hint shows them).
    /// `with_wishes`: the editor may change the limits; `me_gp`: the signed-in huisarts,
    /// preselected as responsible when the PZP names none yet.
    pub fn from_pzp(p: &AdvanceCarePlan, people: &PzpPeople, with_wishes: bool, me_gp: Option<i64>) -> PzpForm {
        let fallback = me_gp.and_then(|id| people.gps.iter().find(|g| g.id == id));
        let mut wishes: Vec<WishRow> = p
            .wishes
            .iter()
            .map(|w| wish_row(p, &w.treatment, w.decision.code(), "", ""))
            .collect();
        wishes.extend(empty_other_rows(p));
        PzpForm {
            conv_date: String::new(),
            conv_patient: false,
            carers: carer_options(people, |_| false),
            gps: gp_options(people, p.responsible_gp.as_ref().or(fallback)),
            with_wishes,
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
            representatives: carer_options(people, |id| p.representative_member == Some(id)),
            representative_member: p.representative_member.map(|m| m.to_string()).unwrap_or_default(),
            place_of_care: p.preferred_place_of_care.clone(),
            place_of_death: p.preferred_place_of_death.clone(),
            next_review: p.next_review.map(|d| d.to_string()).unwrap_or_default(),
        }
    }

    /// The form as entered.
    pub fn from_pairs(pairs: &[(String, String)], stored: &AdvanceCarePlan, people: &PzpPeople) -> PzpForm {
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
        let gp = one("responsible_gp").trim().parse::<i64>().ok();
        let chosen = gp.map(|id| {
            people
                .gps
                .iter()
                .chain(stored.responsible_gp.iter())
                .find(|g| g.id == id)
                .cloned()
                .unwrap_or(PzpPerson {
                    id,
                    name: String::new(),
                })
        });
        PzpForm {
            conv_date: one("conv_date"),
            conv_patient: checked("conv_patient"),
            carers: carer_options(people, |id| checked(&format!("conv_carer_{id}"))),
            gps: gp_options(people, chosen.as_ref()),
            with_wishes: checked("with_wishes"),
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
            representatives: carer_options(people, |id| one("representative_member") == id.to_string()),
            representative_member: one("representative_member"),
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

        let carers: Vec<&CarerOption> = self.carers.iter().filter(|c| c.checked).collect();
        let mut participants: Vec<String> = Vec::new();
        if self.conv_patient {
            participants.push(PARTICIPANT_PATIENT.to_string());
        }
        participants.extend(carers.iter().map(|c| c.label.clone()));
        if self.conv_representative {
            participants.push(PARTICIPANT_REPRESENTATIVE.to_string());
        }
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
                    carers: carers
                        .iter()
                        .map(|c| PzpPerson {
                            id: c.id,
                            name: c.label.clone(),
                        })
                        .collect(),
                }),
                None if self.conv_date.trim().is_empty() => {
                    errors.push("Nieuw gesprek: vul de datum van het gesprek in.".to_string());
                }
                None => {}
            }
        }

        if !self.with_wishes {
            p.wishes = stored.wishes.clone();
            p.responsible_gp = stored.responsible_gp.clone();
        } else {
            p.responsible_gp = self.gps.iter().find(|g| g.selected).map(|g| PzpPerson {
                id: g.id,
                name: g.name.clone(),
            });
        }
        for row in self.wishes.iter().filter(|_| self.with_wishes) {
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
        p.representative_member = match self.representative_member.trim() {
            "" => None,
            m => match m.parse::<i64>() {
                Ok(id) => Some(id),
                Err(_) => {
                    errors.push("Kies de wettelijk vertegenwoordiger in het portaal uit de lijst.".into());
                    None
                }
            },
        };
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
                carers: Vec::new(),
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
            ("with_wishes", "1"),
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
        let form = PzpForm::from_pairs(&pairs, &stored, &PzpPeople::default());
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
    fn without_the_treatment_section_the_limits_stay_and_carers_come_from_the_team() {
        let mut stored = AdvanceCarePlan::blank();
        stored.wishes[0] = wish("reanimatie", WishDecision::Niet, Some("2027-02-01"), "Dr. Janssen");
        stored.responsible_gp = Some(PzpPerson {
            id: 3,
            name: "Dr. Janssen".into(),
        });
        let people = PzpPeople {
            gps: Vec::new(),
            carers: vec![kernteam_store::care::TeamMember {
                id: 11,
                kind: "mantelzorger".into(),
                user_id: None,
                name: "Anna Jansen".into(),
                role: None,
                organisation: None,
                relation: Some("dochter".into()),
                phone: None,
                email: None,
                added_at: String::new(),
            }],
        };
        let pairs: Vec<(String, String)> = [
            ("conv_date", "2027-03-01"),
            ("conv_carer_11", "1"),
            ("conv_summary", "Besproken"),
            ("w0_treatment", "reanimatie"),
            ("w0_decision", "wel"),
            ("responsible_gp", "4"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let form = PzpForm::from_pairs(&pairs, &stored, &people);
        assert!(!form.with_wishes);
        let (p, errors) = form.to_pzp(&stored, "Petra Poh", d("2027-03-05"));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(p.wishes, stored.wishes, "no treatment section: the limits stay");
        assert_eq!(p.responsible_gp, stored.responsible_gp);
        assert!(!p.limits_differ(&stored));
        let c = &p.conversations[0];
        assert_eq!(c.participants, "Anna Jansen (mantelzorger, dochter)");
        assert_eq!(c.carers.iter().map(|x| x.id).collect::<Vec<_>>(), [11]);
    }

    #[test]
    fn a_half_filled_conversation_needs_its_date() {
        let pairs = vec![("conv_summary".to_string(), "Besproken".to_string())];
        let stored = AdvanceCarePlan::blank();
        let (_, errors) =
            PzpForm::from_pairs(&pairs, &stored, &PzpPeople::default()).to_pzp(&stored, "X", d("2027-03-05"));
        assert_eq!(errors, ["Nieuw gesprek: vul de datum van het gesprek in."]);
    }
}
