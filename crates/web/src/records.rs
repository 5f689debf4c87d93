//! Changes to a patient's care records, shared by the pages and the JSON API: each one
//! checks what the user may do with the patient, validates the input (Dutch messages,
//! all problems at once), writes, and leaves the NEN 7513 audit record. The callers load
//! the patient with [`crate::patients::allowed`] first and only shape the response.

use chrono::NaiveDate;
use kernteam_domain::access::Scope;
use kernteam_domain::care::{care_plan_changes, CarePlan, DecisionKind, ExclusionReason};
use kernteam_store::care::{AuditEntry, NewDecision, NewTeamMember, PatientRef, TeamMember};

use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::patients::{today, Allowed};
use crate::AppState;

/// The audit record of a change, written in the change's transaction.
fn entry(cu: &CurrentUser, patient: &PatientRef, action: &str, detail: Option<String>) -> AuditEntry {
    AuditEntry {
        user_id: Some(cu.user.id),
        username: cu.user.username.clone(),
        role: cu.user.role.code().to_string(),
        practice_id: Some(patient.practice_id),
        patient_id: Some(patient.id),
        action: action.to_string(),
        detail,
        ip: cu.ip.clone(),
        ..Default::default()
    }
}

/// `Forbidden` unless `ok`: for users who may see the patient but not do this.
pub fn require(ok: bool) -> AppResult<()> {
    if ok {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Trims optional text; empty is absent; longer than `max` characters is an error.
fn opt_text(s: Option<String>, label: &str, max: usize, errors: &mut Vec<String>) -> Option<String> {
    let s = s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    if s.as_ref().is_some_and(|s| s.chars().count() > max) {
        errors.push(format!("{label} mag hoogstens {max} tekens lang zijn."));
        return None;
    }
    s
}

fn invalid_unless_empty(errors: Vec<String>) -> AppResult<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// An inclusion or exclusion as entered, before validation.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct DecisionInput {
    pub decided_on: String,
    pub deciding_gp: Option<String>,
    pub reason: Option<String>,
    pub considerations: Option<String>,
}

/// The rules of a program decision: a real date not in the future; inclusion names the
/// deciding GP; exclusion has one of the module's reasons; bounded free text.
pub fn validate_decision(kind: DecisionKind, input: DecisionInput, today: NaiveDate) -> AppResult<NewDecision> {
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
    let deciding_gp = opt_text(input.deciding_gp, "De naam van de huisarts", 200, &mut errors);
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
            reason.map(|r| r.code().to_string())
        }
    };
    let considerations = opt_text(input.considerations, "De toelichting", 4000, &mut errors);
    invalid_unless_empty(errors)?;
    Ok(NewDecision {
        kind,
        decided_on: decided_on.expect("no errors, so a date"),
        deciding_gp,
        reason,
        considerations,
    })
}

/// Records an inclusion or exclusion (practice clinicians only). Returns the decision's id.
pub async fn record_decision(
    state: &AppState,
    cu: &CurrentUser,
    a: &Allowed,
    kind: DecisionKind,
    input: DecisionInput,
) -> AppResult<i64> {
    require(a.access.decide)?;
    let decision = validate_decision(kind, input, today())?;
    let what = match kind {
        DecisionKind::Inclusion => "inclusie vastgelegd",
        DecisionKind::Exclusion => "exclusie vastgelegd",
    };
    let mut ch = state.db.change().await?;
    let id = ch.add_decision(a.patient.id, &decision, cu.user.id).await?;
    ch.commit(&[entry(cu, &a.patient, what, Some(decision.decided_on.to_string()))])
        .await?;
    Ok(id)
}

/// A new member of the care team as entered: a professional (with an account, by
/// `user_id`, or without, by name) or a mantelzorger.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct MemberInput {
    pub kind: String,
    pub user_id: Option<i64>,
    pub name: Option<String>,
    pub role: Option<String>,
    pub organisation: Option<String>,
    pub relation: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// Adds a member to the care team (practice clinicians only). Returns the member's id.
pub async fn add_team_member(state: &AppState, cu: &CurrentUser, a: &Allowed, input: MemberInput) -> AppResult<i64> {
    require(a.access.decide)?;
    let mut errors = Vec::new();
    let mut member = NewTeamMember {
        kind: input.kind.trim().to_string(),
        phone: opt_text(input.phone, "Telefoon", 50, &mut errors),
        email: opt_text(input.email, "E-mail", 200, &mut errors),
        ..Default::default()
    };
    match (member.kind.as_str(), input.user_id) {
        ("professional", Some(uid)) => {
            let pick = || AppError::invalid("Kies een professional uit de lijst.");
            let u = state.db.user(uid).await.map_err(|_| pick())?;
            let fits = u.active
                && match u.role.scope() {
                    Scope::Practice => u.practice_id == Some(a.patient.practice_id),
                    Scope::Network => true,
                    Scope::Region => false,
                };
            if !fits {
                return Err(AppError::invalid("Deze professional kan niet in dit zorgteam."));
            }
            if state
                .db
                .team(a.patient.id)
                .await?
                .iter()
                .any(|m| m.user_id == Some(uid))
            {
                return Err(AppError::invalid("Deze professional staat al in het zorgteam."));
            }
            member.user_id = Some(uid);
            member.name = u.display_name.clone();
            member.role = Some(u.role.label().to_string());
            member.organisation = match (u.organisation_id, u.practice_id) {
                (Some(o), _) => Some(state.db.organisation(o).await?.name),
                (_, Some(p)) => Some(state.db.practice(p).await?.name),
                _ => None,
            };
        }
        ("professional", None) => {
            match opt_text(input.name, "De naam", 200, &mut errors) {
                Some(name) => member.name = name,
                None if errors.iter().any(|e| e.starts_with("De naam")) => {}
                None => errors.push("Kies een professional uit de lijst of vul een naam in.".into()),
            }
            member.role = opt_text(input.role, "De rol", 200, &mut errors);
            member.organisation = opt_text(input.organisation, "De organisatie", 200, &mut errors);
        }
        ("mantelzorger", _) => {
            match opt_text(input.name, "De naam", 200, &mut errors) {
                Some(name) => member.name = name,
                None if errors.iter().any(|e| e.starts_with("De naam")) => {}
                None => errors.push("Vul de naam van de mantelzorger in.".into()),
            }
            match opt_text(input.relation, "De relatie", 200, &mut errors) {
                Some(relation) => member.relation = Some(relation),
                None if errors.iter().any(|e| e.starts_with("De relatie")) => {}
                None => errors.push("Vul de relatie van de mantelzorger in (bijv. dochter).".into()),
            }
        }
        _ => errors.push("Onbekende soort teamlid: kies professional of mantelzorger.".into()),
    }
    invalid_unless_empty(errors)?;
    let mut ch = state.db.change().await?;
    let id = ch.add_team_member(a.patient.id, &member, cu.user.id).await?;
    ch.commit(&[entry(
        cu,
        &a.patient,
        "zorgteam: lid toegevoegd",
        Some(member.name.clone()),
    )])
    .await?;
    Ok(id)
}

/// Ends a membership of the care team (practice clinicians only); 404 when the member
/// is not (or no longer) on this patient's team.
pub async fn remove_team_member(state: &AppState, cu: &CurrentUser, a: &Allowed, member_id: i64) -> AppResult<()> {
    require(a.access.decide)?;
    let mut ch = state.db.change().await?;
    ch.remove_team_member(a.patient.id, member_id).await?;
    ch.commit(&[entry(
        cu,
        &a.patient,
        "zorgteam: lid verwijderd",
        Some(format!("teamlid {member_id}")),
    )])
    .await?;
    Ok(())
}

/// Makes a professional of the care team the first point of contact (practice
/// clinicians only). Returns that member.
pub async fn set_first_contact(
    state: &AppState,
    cu: &CurrentUser,
    a: &Allowed,
    member_id: i64,
) -> AppResult<TeamMember> {
    require(a.access.decide)?;
    let m = state
        .db
        .team(a.patient.id)
        .await?
        .into_iter()
        .find(|m| m.id == member_id && m.kind == "professional")
        .ok_or_else(|| AppError::invalid("Kies een professional uit het zorgteam."))?;
    let mut ch = state.db.change().await?;
    ch.set_first_contact(a.patient.id, m.id, cu.user.id).await?;
    ch.commit(&[entry(
        cu,
        &a.patient,
        "eerste aanspreekpunt ingesteld",
        Some(m.name.clone()),
    )])
    .await?;
    Ok(m)
}

/// Reads a stored care plan.
pub fn parse_plan(content: &str) -> AppResult<CarePlan> {
    serde_json::from_str(content).map_err(|e| AppError::Internal(anyhow::anyhow!("stored care plan unreadable: {e}")))
}

/// The current care plan: its version (0: none yet) and content.
pub async fn current_care_plan(state: &AppState, patient_id: i64) -> AppResult<(i64, CarePlan)> {
    Ok(
        match state
            .db
            .latest_version(kernteam_store::program::Document::CarePlan, patient_id)
            .await?
        {
            Some(v) => (v.version, parse_plan(&v.content)?),
            None => (0, CarePlan::default()),
        },
    )
}

/// What saving a care plan did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanSaved {
    /// The plan equals the current version: nothing written.
    Unchanged { version: i64 },
    /// A new version, with what changed (in Dutch, one line each, as the history shows it).
    Saved { version: i64, changes: Vec<String> },
}

/// Saves a care plan as a new version (anyone who may contribute). `based_on` is the
/// version the editor started from (0: none): when someone else saved in between, the
/// result is `Conflict`. The plan is normalised (empty rows dropped, lengths checked);
/// `Invalid` lists every problem.
pub async fn save_care_plan(
    state: &AppState,
    cu: &CurrentUser,
    a: &Allowed,
    based_on: i64,
    plan: CarePlan,
) -> AppResult<PlanSaved> {
    require(a.access.contribute)?;
    let mut errors = Vec::new();
    if based_on < 0 {
        errors.push("Het versienummer waarop de wijziging is gebaseerd ontbreekt of klopt niet.".to_string());
    }
    let plan = match plan.normalised() {
        Ok(p) => Some(p),
        Err(more) => {
            errors.extend(more);
            None
        }
    };
    invalid_unless_empty(errors)?;
    let plan = plan.expect("no errors, so a plan");
    let (current, previous) = current_care_plan(state, a.patient.id).await?;
    let changes = care_plan_changes(&previous, &plan);
    if changes.is_empty() && based_on > 0 && current > 0 {
        return Ok(PlanSaved::Unchanged { version: current });
    }
    let summary = if based_on == 0 {
        "Zorgplan opgesteld".to_string()
    } else {
        changes.join("\n")
    };
    let content = serde_json::to_string(&plan).map_err(|e| AppError::Internal(e.into()))?;
    let mut ch = state.db.change().await?;
    let version = ch
        .save_care_plan(
            a.patient.id,
            based_on,
            &content,
            &summary,
            cu.user.id,
            &cu.user.display_name,
        )
        .await?;
    ch.commit(&[entry(
        cu,
        &a.patient,
        "zorgplan gewijzigd",
        Some(format!("versie {version}")),
    )])
    .await?;
    Ok(PlanSaved::Saved {
        version,
        changes: summary.lines().map(str::to_string).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_decision_lists_every_problem() {
        let e = validate_decision(
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
        let AppError::Invalid(list) = e else { panic!("{e:?}") };
        assert_eq!(
            list,
            [
                "Datum besluit: vul een geldige datum in.",
                "Kies een reden voor de exclusie.",
                "De toelichting mag hoogstens 4000 tekens lang zijn.",
            ]
        );
        let e = validate_decision(
            DecisionKind::Inclusion,
            DecisionInput {
                decided_on: "2027-08-02".into(),
                deciding_gp: Some("  ".into()),
                ..Default::default()
            },
            d("2027-08-01"),
        )
        .unwrap_err();
        let AppError::Invalid(list) = e else { panic!("{e:?}") };
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
        let ok = validate_decision(
            DecisionKind::Exclusion,
            DecisionInput {
                decided_on: " 2027-08-01 ".into(),
                deciding_gp: Some(" ".into()),
                reason: Some("verhuisd".into()),
                considerations: Some(" Naar Zeeland ".into()),
            },
            d("2027-08-01"),
        )
        .unwrap();
        assert_eq!(ok.decided_on, d("2027-08-01"));
        assert_eq!(ok.deciding_gp, None);
        assert_eq!(ok.reason.as_deref(), Some("verhuisd"));
        assert_eq!(ok.considerations.as_deref(), Some("Naar Zeeland"));
    }
}
