//! Proactive care planning (PZP, advance care planning): conversations, treatment wishes
//! and limits, advance directives, representative, preferred places, next review. Versioned
//! like the care plan.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

mod rules;

pub use rules::{normalise, MAX_ITEMS, MAX_NAME, MAX_SHORT};

/// The treatments that a PZP conversation covers; others can be added by name.
pub const STANDARD_TREATMENTS: [(&str, &str); 6] = [
    ("reanimatie", "Reanimatie"),
    ("beademing", "Beademing"),
    ("ic_opname", "IC-opname"),
    ("ziekenhuisopname", "Ziekenhuisopname"),
    ("antibiotica", "Antibiotica"),
    ("sondevoeding", "Sondevoeding"),
];

/// The label of a treatment code: a standard one, or the name itself for others.
pub fn treatment_label(code: &str) -> String {
    STANDARD_TREATMENTS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or_else(|| code.to_string(), |(_, l)| l.to_string())
}

/// A treatment limit as a sentence that cannot be misread: "Niet reanimeren",
/// "Geen ziekenhuisopname"; "Niet: …" for a treatment added by name.
pub fn limit_label(code: &str) -> String {
    match code {
        "reanimatie" => "Niet reanimeren".into(),
        "beademing" => "Niet beademen".into(),
        "ic_opname" => "Geen IC-opname".into(),
        "ziekenhuisopname" => "Geen ziekenhuisopname".into(),
        "antibiotica" => "Geen antibiotica".into(),
        "sondevoeding" => "Geen sondevoeding".into(),
        other => format!("Niet: {other}"),
    }
}

/// wel: wanted; niet: a treatment limit.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WishDecision {
    /// Wel: the patient wants this treatment.
    Wel,
    /// Niet: the patient does not want it (a treatment limit).
    Niet,
    #[default]
    NogNietBesproken,
}

impl WishDecision {
    pub const ALL: [WishDecision; 3] = [WishDecision::Wel, WishDecision::Niet, WishDecision::NogNietBesproken];

    pub fn code(self) -> &'static str {
        match self {
            WishDecision::Wel => "wel",
            WishDecision::Niet => "niet",
            WishDecision::NogNietBesproken => "nog_niet_besproken",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.code() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            WishDecision::Wel => "Wel",
            WishDecision::Niet => "Niet",
            WishDecision::NogNietBesproken => "Nog niet besproken",
        }
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreatmentWish {
    /// A standard treatment (reanimatie, beademing, ic_opname, ziekenhuisopname,
    /// antibiotica, sondevoeding) or the name of another.
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub treatment: String,
    pub decision: WishDecision,
    /// Required when the decision is wel or niet.
    pub recorded_on: Option<NaiveDate>,
    /// Who recorded it; required when the decision is wel or niet.
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub recorded_by: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = PzpConversation))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversation {
    /// Not in the future.
    pub date: NaiveDate,
    /// Who took part: the patient, a mantelzorger, a legal representative, professionals.
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub participants: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub summary: String,
    /// The mantelzorgers who took part, as members of the patient's care team (kind
    /// mantelzorger) when the conversation was recorded; their names are in `participants`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub carers: Vec<PzpPerson>,
}

/// A person a PZP names by their record in Kernteam: a care-team member or an account.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PzpPerson {
    /// The care-team member's id (a mantelzorger) or the account's id (a GP).
    pub id: i64,
    /// The name when it was recorded.
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub name: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Directive {
    pub present: bool,
    /// Where the document is kept.
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub location: String,
}

/// Proactive care planning (advance care planning) of one patient: conversations,
/// treatment wishes and limits, advance directives, legal representative, preferred places
/// of care and death, next review.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = Pzp))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AdvanceCarePlan {
    #[serde(default)]
    pub conversations: Vec<Conversation>,
    #[serde(default)]
    pub wishes: Vec<TreatmentWish>,
    #[serde(default)]
    pub wilsverklaring: Directive,
    #[serde(default)]
    pub niet_reanimeren: Directive,
    #[serde(default)]
    pub euthanasieverzoek: Directive,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub legal_representative: String,
    /// The mantelzorger on the care team (their `care_team_members` id) who is the legal
    /// representative: their portal account may act for the patient (see
    /// `crate::portal::portal_access`). Ending this designation ends that at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub representative_member: Option<i64>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub preferred_place_of_care: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub preferred_place_of_death: String,
    #[serde(default)]
    pub next_review: Option<NaiveDate>,
    /// The huisarts (a GP account of the practice) who agreed the treatment wishes and
    /// limits with the patient. Set whenever they change; older versions may lack it.
    #[serde(default)]
    pub responsible_gp: Option<PzpPerson>,
}

impl AdvanceCarePlan {
    /// A new PZP lists every standard treatment as not yet discussed.
    pub fn blank() -> Self {
        AdvanceCarePlan {
            wishes: STANDARD_TREATMENTS
                .iter()
                .map(|(c, _)| TreatmentWish {
                    treatment: c.to_string(),
                    decision: WishDecision::NogNietBesproken,
                    recorded_on: None,
                    recorded_by: String::new(),
                })
                .collect(),
            ..Default::default()
        }
    }

    /// Treatment limits: the treatments the patient does not want.
    pub fn limits(&self) -> impl Iterator<Item = &TreatmentWish> {
        self.wishes.iter().filter(|w| w.decision == WishDecision::Niet)
    }

    /// Whether the treatment wishes and limits, or the GP responsible for them, differ
    /// from `old`: only those who may change limits may save such a version.
    pub fn limits_differ(&self, old: &AdvanceCarePlan) -> bool {
        let decisions = |p: &AdvanceCarePlan| {
            let mut d: Vec<(String, WishDecision)> = p
                .wishes
                .iter()
                .filter(|w| w.decision != WishDecision::NogNietBesproken)
                .map(|w| (w.treatment.to_lowercase(), w.decision))
                .collect();
            d.sort_by(|a, b| a.0.cmp(&b.0));
            d
        };
        decisions(self) != decisions(old)
            || self.responsible_gp.as_ref().map(|g| g.id) != old.responsible_gp.as_ref().map(|g| g.id)
    }

    /// Checks texts and relations; Dutch messages.
    pub fn validate(&self) -> Result<(), Vec<String>> {
        let mut errors = Vec::new();
        let long = |s: &str| s.chars().count() > crate::care::MAX_TEXT;
        if self
            .conversations
            .iter()
            .any(|c| long(&c.summary) || long(&c.participants))
            || [
                &self.legal_representative,
                &self.preferred_place_of_care,
                &self.preferred_place_of_death,
            ]
            .iter()
            .any(|s| long(s))
        {
            errors.push(format!("Een tekstveld is langer dan {} tekens.", crate::care::MAX_TEXT));
        }
        if self.conversations.iter().any(|c| c.participants.trim().is_empty()) {
            errors.push("Vul bij elk gesprek in wie er aan deelnamen.".into());
        }
        for w in &self.wishes {
            if w.decision != WishDecision::NogNietBesproken
                && (w.recorded_on.is_none() || w.recorded_by.trim().is_empty())
            {
                errors.push(format!(
                    "{}: vul de datum en wie het vastlegde in bij een besproken wens of grens.",
                    treatment_label(&w.treatment)
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// What changed between two PZP versions, in Dutch.
pub fn pzp_changes(old: &AdvanceCarePlan, new: &AdvanceCarePlan) -> Vec<String> {
    let mut out = Vec::new();
    let day = |d: NaiveDate| d.format("%d-%m-%Y").to_string();
    for c in &new.conversations {
        if !old.conversations.contains(c) {
            out.push(format!("Gesprek van {} vastgelegd", day(c.date)));
        }
    }
    for c in &old.conversations {
        if !new.conversations.contains(c) {
            out.push(format!("Gesprek van {} verwijderd", day(c.date)));
        }
    }
    for w in &new.wishes {
        let before = old.wishes.iter().find(|o| o.treatment == w.treatment);
        match before {
            Some(b) if b.decision == w.decision => {
                if b.recorded_on != w.recorded_on || b.recorded_by != w.recorded_by {
                    out.push(format!(
                        "{}: datum of vastlegger bijgewerkt",
                        treatment_label(&w.treatment)
                    ));
                }
            }
            _ => out.push(format!(
                "{}: {} → {}",
                treatment_label(&w.treatment),
                before.map_or("—", |b| b.decision.label()),
                w.decision.label()
            )),
        }
    }
    for o in &old.wishes {
        if !new.wishes.iter().any(|w| w.treatment == o.treatment) {
            out.push(format!("{}: verwijderd", treatment_label(&o.treatment)));
        }
    }
    for (label, a, b) in [
        ("Wilsverklaring", &old.wilsverklaring, &new.wilsverklaring),
        ("Niet-reanimeren-verklaring", &old.niet_reanimeren, &new.niet_reanimeren),
        ("Euthanasieverzoek", &old.euthanasieverzoek, &new.euthanasieverzoek),
    ] {
        if a.present != b.present {
            out.push(format!(
                "{label}: {}",
                if b.present { "aanwezig" } else { "niet aanwezig" }
            ));
        } else if a.location != b.location {
            out.push(format!("{label}: bewaarplaats gewijzigd"));
        }
    }
    for (label, a, b) in [
        (
            "Wettelijk vertegenwoordiger",
            &old.legal_representative,
            &new.legal_representative,
        ),
        (
            "Voorkeursplek van zorg",
            &old.preferred_place_of_care,
            &new.preferred_place_of_care,
        ),
        (
            "Voorkeursplek van overlijden",
            &old.preferred_place_of_death,
            &new.preferred_place_of_death,
        ),
    ] {
        if a != b {
            out.push(format!("{label} gewijzigd"));
        }
    }
    if old.representative_member != new.representative_member {
        out.push(match new.representative_member {
            Some(_) => "Wettelijk vertegenwoordiger in het portaal aangewezen".to_string(),
            None => "Wettelijk vertegenwoordiger in het portaal: aanwijzing beëindigd".to_string(),
        });
    }
    if old.responsible_gp.as_ref().map(|g| g.id) != new.responsible_gp.as_ref().map(|g| g.id) {
        out.push(format!(
            "Verantwoordelijk huisarts: {}",
            new.responsible_gp.as_ref().map_or("—", |g| g.name.as_str())
        ));
    }
    if old.next_review != new.next_review {
        out.push(format!(
            "Volgende bespreking: {}",
            new.next_review.map_or_else(|| "—".to_string(), day)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blank_pzp_has_every_standard_treatment_undiscussed() {
        let p = AdvanceCarePlan::blank();
        assert_eq!(p.wishes.len(), 6);
        assert!(p.wishes.iter().all(|w| w.decision == WishDecision::NogNietBesproken));
        assert_eq!(p.limits().count(), 0);
        assert!(p.validate().is_ok());
    }

    #[test]
    fn a_discussed_limit_needs_date_and_recorder() {
        let mut p = AdvanceCarePlan::blank();
        p.wishes[0].decision = WishDecision::Niet;
        assert!(p.validate().is_err());
        p.wishes[0].recorded_on = Some("2027-03-01".parse().unwrap());
        p.wishes[0].recorded_by = "Dr. Janssen".into();
        assert!(p.validate().is_ok());
        assert_eq!(
            p.limits().map(|w| w.treatment.as_str()).collect::<Vec<_>>(),
            ["reanimatie"]
        );
        let changes = pzp_changes(&AdvanceCarePlan::blank(), &p);
        assert_eq!(changes, ["Reanimatie: Nog niet besproken → Niet"]);
        assert!(p.limits_differ(&AdvanceCarePlan::blank()));
        let mut q = p.clone();
        q.wishes[0].recorded_by = "Dr. de Vries".into();
        q.legal_representative = "Anna".into();
        assert!(!q.limits_differ(&p), "recorders and other fields are not the limits");
        q.responsible_gp = Some(PzpPerson {
            id: 7,
            name: "Dr. Janssen".into(),
        });
        assert!(q.limits_differ(&p), "the responsible GP is part of the limits");
        assert_eq!(
            pzp_changes(&p, &q).last().map(String::as_str),
            Some("Verantwoordelijk huisarts: Dr. Janssen")
        );
    }

    #[test]
    fn changes_name_removals_recorders_and_where_a_directive_is_kept() {
        let mut old = AdvanceCarePlan::blank();
        old.conversations.push(Conversation {
            date: "2027-03-01".parse().unwrap(),
            participants: "patiënt, dochter".into(),
            summary: "Wil thuis sterven".into(),
            carers: Vec::new(),
        });
        old.wishes[0] = TreatmentWish {
            treatment: "reanimatie".into(),
            decision: WishDecision::Niet,
            recorded_on: Some("2027-03-01".parse().unwrap()),
            recorded_by: "Dr. Janssen".into(),
        };
        old.wishes.push(TreatmentWish {
            treatment: "dialyse".into(),
            decision: WishDecision::Niet,
            recorded_on: Some("2027-03-01".parse().unwrap()),
            recorded_by: "Dr. Janssen".into(),
        });
        old.wilsverklaring = Directive {
            present: true,
            location: "thuis".into(),
        };
        let mut new = old.clone();
        new.conversations.clear();
        new.wishes[0].recorded_by = "Dr. de Vries".into();
        new.wishes.pop();
        new.wilsverklaring.location = "bij de notaris".into();
        assert_eq!(
            pzp_changes(&old, &new),
            [
                "Gesprek van 01-03-2027 verwijderd",
                "Reanimatie: datum of vastlegger bijgewerkt",
                "dialyse: verwijderd",
                "Wilsverklaring: bewaarplaats gewijzigd",
            ]
        );
    }
}
