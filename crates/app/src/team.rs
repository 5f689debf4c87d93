//! The practice's decisions for one patient (inclusion, exclusion, the care team, the first
//! point of contact) and the care plan: the use cases, each writing its audit record.

use kernteam_domain::access::Scope;
use kernteam_domain::care::{care_plan_changes, CarePlan, DecisionKind};
use kernteam_domain::decisions::{self, DecisionInput};
use kernteam_domain::text;
use kernteam_store::care::{NewDecision, NewTeamMember, TeamMember};

use crate::audit::Action;
use crate::error::{invalid_unless_empty, Error, Result};
use crate::gate::{Contributor, Decider};
use crate::{today, App};

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

/// What saving a care plan did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanSaved {
    /// The plan equals the current version: nothing written.
    Unchanged { version: i64 },
    /// A new version, with what changed (in Dutch, one line each, as the history shows it).
    Saved { version: i64, changes: Vec<String> },
}

impl App {
    /// Records an inclusion or exclusion. Returns the decision's id. An inclusion of a
    /// patient younger than 75 or without a frail-elder episode in the practice's latest
    /// extract is an exception to the rule ([`App::inclusion_exceptions`]): it needs an
    /// explicit reason, which is kept with the decision.
    pub async fn record_decision(&self, d: &Decider, kind: DecisionKind, input: DecisionInput) -> Result<i64> {
        let valid = decisions::validate(kind, input, today()).map_err(Error::Invalid)?;
        let exceptions = match kind {
            DecisionKind::Inclusion => self.inclusion_exceptions(d.patient()).await?,
            DecisionKind::Exclusion => Vec::new(),
        };
        if !exceptions.is_empty() && valid.exception_reason.is_none() {
            return Err(Error::Invalid(vec![format!(
                "De patiënt {}. Inclusie is dan een uitzondering: geef de reden.",
                exceptions.join(" en ")
            )]));
        }
        let decision = NewDecision {
            kind,
            decided_on: valid.decided_on,
            deciding_gp: valid.deciding_gp,
            reason: valid.reason.map(|r| r.code().to_string()),
            considerations: valid.considerations,
        };
        let action = match kind {
            DecisionKind::Inclusion => Action::Include,
            DecisionKind::Exclusion => Action::Exclude,
        };
        let mut ch = self.db.change().await?;
        let id = ch.add_decision(d.patient().id, &decision, d.actor().user().id).await?;
        let mut detail = decision.decided_on.to_string();
        if let (false, Some(reason)) = (exceptions.is_empty(), valid.exception_reason.as_deref()) {
            ch.add_inclusion_exception(id, reason).await?;
            detail.push_str(", uitzondering");
        }
        let mut entries = vec![d.actor().entry(Some(d.patient()), action, Some(detail))];
        // A patient who leaves the programme (also: deceased) keeps no portal accounts.
        if kind == DecisionKind::Exclusion {
            let why = format!("exclusie: {}", decision.reason.as_deref().unwrap_or("anders"));
            let ended = ch
                .end_portal_accounts_of(d.patient().id, d.actor().user().id, &why)
                .await?;
            if ended > 0 {
                entries.push(d.actor().entry(
                    Some(d.patient()),
                    Action::EndPortalAccount,
                    Some(format!("{ended} account(s), {why}")),
                ));
            }
        }
        ch.commit(&entries).await?;
        Ok(id)
    }

    /// Why including the patient would be an exception to the rule, according to the
    /// practice's latest extract (in Dutch, to follow "De patiënt"): younger than 75, no
    /// frail-elder episode (A05, A05.*, A49.01) on the extract date, or not in the extract.
    /// Empty: the rule is met.
    pub async fn inclusion_exceptions(&self, patient: &kernteam_store::care::PatientRef) -> Result<Vec<String>> {
        let Some(snap) = self.db.latest_snapshot(patient.practice_id).await? else {
            return Ok(exceptions_of(None, None));
        };
        let facts = self.db.patient_facts(snap.snapshot_id, &patient.his_id).await?;
        Ok(exceptions_of(Some(snap.extract_date), facts.as_ref()))
    }

    /// A decision just recorded, with the program status today after it (what the
    /// decider wrote, so no read of the record).
    pub async fn decided(
        &self,
        d: &Decider,
        decision_id: i64,
    ) -> Result<(
        kernteam_store::care::DecisionRecord,
        kernteam_domain::care::ProgramStatus,
    )> {
        let all = self.db.decisions(d.patient().id).await?;
        let status =
            kernteam_domain::care::status_on(&all.iter().map(|d| d.as_decision()).collect::<Vec<_>>(), today());
        let decision = all
            .into_iter()
            .find(|x| x.id == decision_id)
            .ok_or_else(|| Error::Internal(anyhow::anyhow!("decision {decision_id} not found after saving")))?;
        Ok((decision, status))
    }

    /// A member just added to the care team.
    pub async fn added_member(&self, d: &Decider, member_id: i64) -> Result<TeamMember> {
        self.db
            .team(d.patient().id)
            .await?
            .into_iter()
            .find(|m| m.id == member_id)
            .ok_or_else(|| Error::Internal(anyhow::anyhow!("member {member_id} not found after saving")))
    }

    /// Adds a member to the care team. Returns the member's id.
    pub async fn add_team_member(&self, d: &Decider, input: MemberInput) -> Result<i64> {
        let mut errors = Vec::new();
        let mut member = NewTeamMember {
            kind: input.kind.trim().to_string(),
            phone: text::optional(input.phone, "Telefoon", 50, &mut errors),
            email: text::optional(input.email, "E-mail", 200, &mut errors),
            ..Default::default()
        };
        let patient = d.patient();
        match (member.kind.as_str(), input.user_id) {
            ("professional", Some(uid)) => {
                let pick = || Error::invalid("Kies een professional uit de lijst.");
                let u = self.db.user(uid).await.map_err(|_| pick())?;
                let fits = u.active
                    && match u.role.scope() {
                        Scope::Practice => u.practice_id == Some(patient.practice_id),
                        Scope::Network => true,
                        Scope::Region | Scope::Portal => false,
                    };
                if !fits {
                    return Err(Error::invalid("Deze professional kan niet in dit zorgteam."));
                }
                if self.db.team(patient.id).await?.iter().any(|m| m.user_id == Some(uid)) {
                    return Err(Error::invalid("Deze professional staat al in het zorgteam."));
                }
                member.user_id = Some(uid);
                member.name = u.display_name.clone();
                member.role = Some(u.role.label().to_string());
                member.organisation = match (u.organisation_id, u.practice_id) {
                    (Some(o), _) => Some(self.db.organisation(o).await?.name),
                    (_, Some(p)) => Some(self.db.practice(p).await?.name),
                    _ => None,
                };
            }
            ("professional", None) => {
                match text::optional(input.name, "De naam", 200, &mut errors) {
                    Some(name) => member.name = name,
                    None if errors.iter().any(|e| e.starts_with("De naam")) => {}
                    None => errors.push("Kies een professional uit de lijst of vul een naam in.".into()),
                }
                member.role = text::optional(input.role, "De rol", 200, &mut errors);
                member.organisation = text::optional(input.organisation, "De organisatie", 200, &mut errors);
            }
            ("mantelzorger", _) => {
                match text::optional(input.name, "De naam", 200, &mut errors) {
                    Some(name) => member.name = name,
                    None if errors.iter().any(|e| e.starts_with("De naam")) => {}
                    None => errors.push("Vul de naam van de mantelzorger in.".into()),
                }
                match text::optional(input.relation, "De relatie", 200, &mut errors) {
                    Some(relation) => member.relation = Some(relation),
                    None if errors.iter().any(|e| e.starts_with("De relatie")) => {}
                    None => errors.push("Vul de relatie van de mantelzorger in (bijv. dochter).".into()),
                }
            }
            _ => errors.push("Onbekende soort teamlid: kies professional of mantelzorger.".into()),
        }
        invalid_unless_empty(errors)?;
        let mut ch = self.db.change().await?;
        let id = ch.add_team_member(patient.id, &member, d.actor().user().id).await?;
        let told = member.user_id.filter(|u| *u != d.actor().user().id);
        if let Some(uid) = told {
            ch.add_notification(&crate::messages::notification(
                uid,
                patient,
                "team",
                format!("{} heeft u toegevoegd aan een zorgteam.", d.actor().user().display_name),
                format!("/patienten/{}", patient.id),
            ))
            .await?;
        }
        ch.commit(&[d
            .actor()
            .entry(Some(patient), Action::AddTeamMember, Some(member.name.clone()))])
            .await?;
        self.mail_notified(told.into_iter().collect());
        Ok(id)
    }

    /// Ends a membership of the care team; `NotFound` when the member is not (or no
    /// longer) on this patient's team.
    pub async fn remove_team_member(&self, d: &Decider, member_id: i64) -> Result<()> {
        let mut ch = self.db.change().await?;
        ch.remove_team_member(d.patient().id, member_id, d.actor().user().id)
            .await?;
        ch.commit(&[d.actor().entry(
            Some(d.patient()),
            Action::RemoveTeamMember,
            Some(format!("teamlid {member_id}")),
        )])
        .await?;
        Ok(())
    }

    /// Saves a care plan as a new version. `based_on` is the version the editor started
    /// from (0: none): when someone else saved in between, the result is `Conflict`. The
    /// plan is normalised (empty rows dropped, lengths checked); `Invalid` lists every problem.
    pub async fn save_care_plan(&self, c: &Contributor, based_on: i64, plan: CarePlan) -> Result<PlanSaved> {
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
        let mut plan = plan.expect("no errors, so a plan");
        // An action's "who" is a member of the patient's care team: its name as shown
        // comes from the team, and someone not (or no longer) on it is refused.
        if plan.actions.iter().any(|a| a.member.is_some()) {
            let team = self.db.team(c.patient().id).await?;
            let mut errors = Vec::new();
            for a in &mut plan.actions {
                if let Some(m) = a.member {
                    match team.iter().find(|t| t.id == m) {
                        Some(t) => a.who = t.name.clone(),
                        None => errors.push(format!(
                            "Actie '{}': wie de actie doet, hoort niet (meer) bij het zorgteam.",
                            a.what
                        )),
                    }
                }
            }
            invalid_unless_empty(errors)?;
        }
        self.write_care_plan(c, based_on, plan, Action::SaveCarePlan, true)
            .await
    }

    /// Writes `plan` as a new version based on `based_on`, audited as `action`; with
    /// `keep_evaluations`, the evaluations are those of the current version (they are
    /// added only by an evaluation, never changed by an edit).
    pub(crate) async fn write_care_plan(
        &self,
        c: &Contributor,
        based_on: i64,
        mut plan: CarePlan,
        action: Action,
        keep_evaluations: bool,
    ) -> Result<PlanSaved> {
        let (current, previous) = self.care_plan_of(c.patient().id).await?;
        if keep_evaluations {
            plan.evaluations = previous.evaluations.clone();
        }
        let changes = care_plan_changes(&previous, &plan);
        if changes.is_empty() && based_on > 0 && current > 0 {
            return Ok(PlanSaved::Unchanged { version: current });
        }
        let summary = if based_on == 0 {
            "Zorgplan opgesteld".to_string()
        } else {
            changes.join("\n")
        };
        let content = serde_json::to_string(&plan).map_err(|e| Error::Internal(e.into()))?;
        let user = c.actor().user();
        let mut ch = self.db.change().await?;
        let version = ch
            .save_care_plan(
                c.patient().id,
                based_on,
                &content,
                &summary,
                user.id,
                &user.display_name,
            )
            .await?;
        // Whoever is given an action they did not have before is told (their account).
        let before: Vec<(Option<i64>, &str)> = previous.actions.iter().map(|a| (a.member, a.what.as_str())).collect();
        let given: Vec<&kernteam_domain::care::CareAction> = plan
            .actions
            .iter()
            .filter(|a| a.member.is_some() && !before.contains(&(a.member, a.what.as_str())))
            .collect();
        let mut told = Vec::new();
        if !given.is_empty() {
            let team = self.db.team(c.patient().id).await?;
            for a in given {
                let Some(uid) = team.iter().find(|m| Some(m.id) == a.member).and_then(|m| m.user_id) else {
                    continue;
                };
                if uid != user.id {
                    told.push(uid);
                    ch.add_notification(&crate::messages::notification(
                        uid,
                        c.patient(),
                        "action",
                        format!("U hebt een actie gekregen: {}", a.what),
                        format!("/patienten/{}/zorgplan", c.patient().id),
                    ))
                    .await?;
                }
            }
        }
        ch.commit(&[c
            .actor()
            .entry(Some(c.patient()), action, Some(format!("versie {version}")))])
            .await?;
        told.sort_unstable();
        told.dedup();
        self.mail_notified(told);
        Ok(PlanSaved::Saved {
            version,
            changes: summary.lines().map(str::to_string).collect(),
        })
    }
}

/// The inclusion rule's exceptions for a patient as the practice's latest extract (of
/// `extract_date`; `None`: none yet) describes them (`facts`; `None`: not in it).
pub(crate) fn exceptions_of(
    extract_date: Option<chrono::NaiveDate>,
    facts: Option<&kernteam_domain::figures::PatientFacts>,
) -> Vec<String> {
    let Some(on) = extract_date else {
        return vec!["staat niet in een HIS-extract".into()];
    };
    let Some(f) = facts else {
        return vec!["staat niet in het laatste HIS-extract".into()];
    };
    let mut out = Vec::new();
    let age = kernteam_domain::dates::age_on(f.birth_date, today().max(on));
    if age < kernteam_domain::figures::TARGET_AGE {
        out.push(format!("is {age} jaar, jonger dan 75"));
    }
    if !f.frail_on(on, &kernteam_domain::codes::CodeSets::default()) {
        out.push("heeft geen episode kwetsbare oudere (A05/A49.01) in het HIS-extract".into());
    }
    out
}
