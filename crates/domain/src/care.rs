//! The care records of the program: inclusion and exclusion, and the individual care plan
//! (IZP) with its versions.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A program decision about one patient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    Inclusion,
    Exclusion,
}

impl DecisionKind {
    pub fn code(self) -> &'static str {
        match self {
            DecisionKind::Inclusion => "inclusion",
            DecisionKind::Exclusion => "exclusion",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "inclusion" => Some(DecisionKind::Inclusion),
            "exclusion" => Some(DecisionKind::Exclusion),
            _ => None,
        }
    }
}

/// Why a patient leaves the program (the ZIO module's reasons).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExclusionReason {
    Overleden,
    Verhuisd,
    OpgenomenMetBehandeling,
    NietMeerKwetsbaar,
    WilNietMeer,
    Anders,
}

impl ExclusionReason {
    pub const ALL: [ExclusionReason; 6] = [
        ExclusionReason::Overleden,
        ExclusionReason::Verhuisd,
        ExclusionReason::OpgenomenMetBehandeling,
        ExclusionReason::NietMeerKwetsbaar,
        ExclusionReason::WilNietMeer,
        ExclusionReason::Anders,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ExclusionReason::Overleden => "overleden",
            ExclusionReason::Verhuisd => "verhuisd",
            ExclusionReason::OpgenomenMetBehandeling => "opgenomen_met_behandeling",
            ExclusionReason::NietMeerKwetsbaar => "niet_meer_kwetsbaar",
            ExclusionReason::WilNietMeer => "wil_niet_meer",
            ExclusionReason::Anders => "anders",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ExclusionReason::Overleden => "Overleden",
            ExclusionReason::Verhuisd => "Verhuisd",
            ExclusionReason::OpgenomenMetBehandeling => "Opgenomen in een instelling met behandeling",
            ExclusionReason::NietMeerKwetsbaar => "Niet meer kwetsbaar",
            ExclusionReason::WilNietMeer => "Wil niet meer deelnemen",
            ExclusionReason::Anders => "Anders",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub kind: DecisionKind,
    pub decided_on: NaiveDate,
    /// Order of recording, to break ties between decisions on the same day.
    pub seq: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgramStatus {
    NotAssessed,
    Included,
    Excluded,
}

impl ProgramStatus {
    pub fn code(self) -> &'static str {
        match self {
            ProgramStatus::NotAssessed => "not_assessed",
            ProgramStatus::Included => "included",
            ProgramStatus::Excluded => "excluded",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ProgramStatus::NotAssessed => "Niet beoordeeld",
            ProgramStatus::Included => "Geïncludeerd",
            ProgramStatus::Excluded => "Geëxcludeerd",
        }
    }
}

/// The status on `d`: the latest decision on or before `d` (by date, then by recording
/// order). A patient included again after an exclusion is included.
pub fn status_on(decisions: &[Decision], d: NaiveDate) -> ProgramStatus {
    decisions
        .iter()
        .filter(|x| x.decided_on <= d)
        .max_by_key(|x| (x.decided_on, x.seq))
        .map_or(ProgramStatus::NotAssessed, |x| match x.kind {
            DecisionKind::Inclusion => ProgramStatus::Included,
            DecisionKind::Exclusion => ProgramStatus::Excluded,
        })
}

/// The SFMPC domains in which Dutch elderly care describes problems.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CareDomain {
    Somatisch,
    Functioneel,
    Maatschappelijk,
    Psychisch,
    Communicatie,
}

impl CareDomain {
    pub const ALL: [CareDomain; 5] = [
        CareDomain::Somatisch,
        CareDomain::Functioneel,
        CareDomain::Maatschappelijk,
        CareDomain::Psychisch,
        CareDomain::Communicatie,
    ];

    pub fn code(self) -> &'static str {
        match self {
            CareDomain::Somatisch => "somatisch",
            CareDomain::Functioneel => "functioneel",
            CareDomain::Maatschappelijk => "maatschappelijk",
            CareDomain::Psychisch => "psychisch",
            CareDomain::Communicatie => "communicatie",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.code() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            CareDomain::Somatisch => "Somatisch",
            CareDomain::Functioneel => "Functioneel",
            CareDomain::Maatschappelijk => "Maatschappelijk",
            CareDomain::Psychisch => "Psychisch",
            CareDomain::Communicatie => "Communicatie",
        }
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    #[default]
    Gepland,
    Lopend,
    Afgerond,
    Vervallen,
}

impl ActionStatus {
    pub const ALL: [ActionStatus; 4] = [
        ActionStatus::Gepland,
        ActionStatus::Lopend,
        ActionStatus::Afgerond,
        ActionStatus::Vervallen,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ActionStatus::Gepland => "gepland",
            ActionStatus::Lopend => "lopend",
            ActionStatus::Afgerond => "afgerond",
            ActionStatus::Vervallen => "vervallen",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ActionStatus::Gepland => "Gepland",
            ActionStatus::Lopend => "Loopt",
            ActionStatus::Afgerond => "Afgerond",
            ActionStatus::Vervallen => "Vervallen",
        }
    }

    pub fn is_open(self) -> bool {
        matches!(self, ActionStatus::Gepland | ActionStatus::Lopend)
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub domain: CareDomain,
    pub description: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CareAction {
    pub what: String,
    /// Who does it, as shown: the care-team member's name (or, in plans written before
    /// actions were assigned to a person, free text).
    pub who: String,
    pub due: Option<NaiveDate>,
    pub status: ActionStatus,
    /// The care-team member (`care_team_members.id`) the action is assigned to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<i64>,
    /// The SFMPC domain whose goals the action serves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<CareDomain>,
    /// The MDO (`mdo_meetings.id`) whose decision the action is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_mdo: Option<i64>,
}

/// One of the patient's goals, in their own words, under the SFMPC domain it belongs to
/// (none: a goal for the plan as a whole). Plans written before goals had a domain hold
/// plain strings, which read as goals without one.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(from = "GoalRepr")]
pub struct Goal {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<CareDomain>,
    pub text: String,
}

impl Goal {
    pub fn new(domain: Option<CareDomain>, text: impl Into<String>) -> Self {
        Goal {
            domain,
            text: text.into(),
        }
    }
}

impl From<&str> for Goal {
    fn from(text: &str) -> Self {
        Goal::new(None, text)
    }
}

impl std::fmt::Display for Goal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// A goal as stored: a plain string (older plans) or `{domain, text}`.
#[derive(Deserialize)]
#[serde(untagged)]
enum GoalRepr {
    Text(String),
    Full {
        #[serde(default)]
        domain: Option<CareDomain>,
        text: String,
    },
}

impl From<GoalRepr> for Goal {
    fn from(r: GoalRepr) -> Self {
        match r {
            GoalRepr::Text(text) => Goal { domain: None, text },
            GoalRepr::Full { domain, text } => Goal { domain, text },
        }
    }
}

/// The individual care plan (IZP): problems per SFMPC domain, the patient's own wishes and
/// goals in their words, actions (what, who, when, status) and the evaluation date.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CarePlan {
    #[serde(default)]
    pub problems: Vec<Problem>,
    /// What matters to the patient, in their own words.
    #[serde(default)]
    pub wishes: String,
    #[serde(default)]
    pub goals: Vec<Goal>,
    #[serde(default)]
    pub actions: Vec<CareAction>,
    #[serde(default)]
    pub evaluation_date: Option<NaiveDate>,
    /// The mantelzorger's own load (draaglast) and support need, in the plan because the
    /// ZIO module names it among what the IZP depends on.
    #[serde(default)]
    pub caregiver_support: String,
    /// The evaluations recorded so far, oldest first.
    #[serde(default)]
    pub evaluations: Vec<crate::care_evaluation::PlanEvaluation>,
}

/// Limits on a care plan's free text, so a page never has to show a novel.
pub const MAX_TEXT: usize = 4000;
pub const MAX_ITEMS: usize = 100;

impl CarePlan {
    /// Drops empty entries and checks lengths. Messages are Dutch, for the form.
    pub fn normalised(mut self) -> Result<CarePlan, Vec<String>> {
        self.problems.retain(|p| !p.description.trim().is_empty());
        self.goals.retain(|g| !g.text.trim().is_empty());
        self.actions.retain(|a| !a.what.trim().is_empty());
        for p in &mut self.problems {
            p.description = p.description.trim().to_string();
        }
        for g in &mut self.goals {
            g.text = g.text.trim().to_string();
        }
        for a in &mut self.actions {
            a.what = a.what.trim().to_string();
            a.who = a.who.trim().to_string();
        }
        self.wishes = self.wishes.trim().to_string();
        self.caregiver_support = self.caregiver_support.trim().to_string();
        let mut errors = Vec::new();
        let too_long = |s: &str| s.chars().count() > MAX_TEXT;
        if too_long(&self.wishes) {
            errors.push(format!("De wensen zijn langer dan {MAX_TEXT} tekens."));
        }
        if too_long(&self.caregiver_support) {
            errors.push(format!(
                "De ondersteuningsbehoefte van de mantelzorger is langer dan {MAX_TEXT} tekens."
            ));
        }
        if self.problems.iter().any(|p| too_long(&p.description))
            || self.goals.iter().any(|g| too_long(&g.text))
            || self.actions.iter().any(|a| too_long(&a.what) || too_long(&a.who))
        {
            errors.push(format!("Een tekstveld is langer dan {MAX_TEXT} tekens."));
        }
        if self.problems.len() > MAX_ITEMS || self.goals.len() > MAX_ITEMS || self.actions.len() > MAX_ITEMS {
            errors.push(format!(
                "Een zorgplan heeft hoogstens {MAX_ITEMS} problemen, doelen en acties elk."
            ));
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(errors)
        }
    }

    pub fn open_actions(&self) -> impl Iterator<Item = &CareAction> {
        self.actions.iter().filter(|a| a.status.is_open())
    }
}

/// What changed from one version of a care plan to the next, in Dutch, for the history.
pub fn care_plan_changes(old: &CarePlan, new: &CarePlan) -> Vec<String> {
    let mut out = Vec::new();
    for p in &new.problems {
        if !old.problems.contains(p) {
            out.push(format!("Probleem ({}) toegevoegd: {}", p.domain.label(), p.description));
        }
    }
    for p in &old.problems {
        if !new.problems.contains(p) {
            out.push(format!("Probleem ({}) verwijderd: {}", p.domain.label(), p.description));
        }
    }
    if old.wishes != new.wishes {
        out.push("Wensen van de patiënt gewijzigd".to_string());
    }
    for g in &new.goals {
        if !old.goals.contains(g) {
            out.push(format!("Doel{} toegevoegd: {g}", domain_note(g.domain)));
        }
    }
    for g in &old.goals {
        if !new.goals.contains(g) {
            out.push(format!("Doel{} verwijderd: {g}", domain_note(g.domain)));
        }
    }
    for a in &new.actions {
        match old.actions.iter().find(|o| o.what == a.what) {
            None => out.push(format!("Actie toegevoegd: {}", a.what)),
            Some(o) if o != a => {
                let mut parts = Vec::new();
                if o.status != a.status {
                    parts.push(format!("status {} → {}", o.status.label(), a.status.label()));
                }
                if o.who != a.who {
                    parts.push(format!("wie {} → {}", dash(&o.who), dash(&a.who)));
                }
                if o.due != a.due {
                    parts.push(format!("datum {} → {}", opt_date(o.due), opt_date(a.due)));
                }
                if o.domain != a.domain {
                    parts.push(format!(
                        "domein {} → {}",
                        o.domain.map_or("—", CareDomain::label),
                        a.domain.map_or("—", CareDomain::label)
                    ));
                }
                if parts.is_empty() {
                    out.push(format!("Actie gewijzigd: {}", a.what));
                } else {
                    out.push(format!("Actie gewijzigd: {} ({})", a.what, parts.join(", ")));
                }
            }
            Some(_) => {}
        }
    }
    for o in &old.actions {
        if !new.actions.iter().any(|a| a.what == o.what) {
            out.push(format!("Actie verwijderd: {}", o.what));
        }
    }
    if old.caregiver_support != new.caregiver_support {
        out.push("Draaglast en ondersteuningsbehoefte van de mantelzorger gewijzigd".to_string());
    }
    for e in &new.evaluations {
        if !old.evaluations.contains(e) {
            out.push(format!("Evaluatie van {} vastgelegd", e.date.format("%d-%m-%Y")));
        }
    }
    if old.evaluation_date != new.evaluation_date {
        out.push(format!(
            "Evaluatiedatum {} → {}",
            opt_date(old.evaluation_date),
            opt_date(new.evaluation_date)
        ));
    }
    out
}

fn domain_note(d: Option<CareDomain>) -> String {
    d.map(|d| format!(" ({})", d.label())).unwrap_or_default()
}

fn dash(s: &str) -> &str {
    if s.is_empty() {
        "—"
    } else {
        s
    }
}

fn opt_date(d: Option<NaiveDate>) -> String {
    d.map_or_else(|| "—".to_string(), |d| d.format("%d-%m-%Y").to_string())
}

#[cfg(test)]
#[path = "care_tests.rs"]
mod tests;
