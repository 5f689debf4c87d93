//! A PZP as the pages show it.

use kernteam_domain::pzp::{treatment_label, AdvanceCarePlan, Directive, TreatmentWish};

use crate::pages::{fmt_date, fmt_opt_date};

/// The three advance directives: form key, label, value.
pub fn directives(p: &AdvanceCarePlan) -> [(&'static str, &'static str, &Directive); 3] {
    [
        ("wilsverklaring", "Wilsverklaring", &p.wilsverklaring),
        ("niet_reanimeren", "Niet-reanimeren-verklaring", &p.niet_reanimeren),
        ("euthanasieverzoek", "Euthanasieverzoek", &p.euthanasieverzoek),
    ]
}

pub struct LimitView {
    pub label: String,
    pub recorded: String,
}

pub struct ConversationView {
    pub date: String,
    pub participants: String,
    pub summary: String,
}

pub struct WishView {
    pub label: String,
    pub decision: &'static str,
    pub code: &'static str,
    pub date: String,
    pub by: String,
}

pub struct DirectiveView {
    pub label: &'static str,
    pub present: bool,
    pub location: String,
}

/// A PZP as the pages show it.
pub struct PzpView {
    pub limits: Vec<LimitView>,
    pub conversations: Vec<ConversationView>,
    pub wishes: Vec<WishView>,
    pub directives: Vec<DirectiveView>,
    pub legal_representative: String,
    /// The mantelzorger who acts for the patient in the portal (filled in by the page,
    /// from the care team); empty when none is designated.
    pub representative_name: String,
    pub place_of_care: String,
    pub place_of_death: String,
    pub next_review: String,
    /// The huisarts who agreed the wishes and limits; empty when none is named.
    pub responsible_gp: String,
}

pub fn recorded(w: &TreatmentWish) -> String {
    match (w.recorded_on, w.recorded_by.is_empty()) {
        (Some(d), false) => format!("vastgelegd op {} door {}", fmt_date(d), w.recorded_by),
        (Some(d), true) => format!("vastgelegd op {}", fmt_date(d)),
        (None, false) => format!("vastgelegd door {}", w.recorded_by),
        (None, true) => String::new(),
    }
}

pub fn view(p: &AdvanceCarePlan) -> PzpView {
    PzpView {
        limits: p
            .limits()
            .map(|w| LimitView {
                label: kernteam_domain::pzp::limit_label(&w.treatment),
                recorded: recorded(w),
            })
            .collect(),
        conversations: p
            .conversations
            .iter()
            .rev()
            .map(|c| ConversationView {
                date: fmt_date(c.date),
                participants: c.participants.clone(),
                summary: c.summary.clone(),
            })
            .collect(),
        wishes: p
            .wishes
            .iter()
            .map(|w| WishView {
                label: treatment_label(&w.treatment),
                decision: w.decision.label(),
                code: w.decision.code(),
                date: fmt_opt_date(w.recorded_on),
                by: w.recorded_by.clone(),
            })
            .collect(),
        directives: directives(p)
            .into_iter()
            .map(|(_, label, d)| DirectiveView {
                label,
                present: d.present,
                location: d.location.clone(),
            })
            .collect(),
        legal_representative: p.legal_representative.clone(),
        representative_name: String::new(),
        place_of_care: p.preferred_place_of_care.clone(),
        place_of_death: p.preferred_place_of_death.clone(),
        next_review: fmt_opt_date(p.next_review),
        responsible_gp: p.responsible_gp.as_ref().map(|g| g.name.clone()).unwrap_or_default(),
    }
}
