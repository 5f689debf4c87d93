//! Proactive care planning (PZP): reading its versions and saving a new one.
//!
//! Everyone who may see the patient reads the PZP (a [`Visible`]); the practice's
//! clinicians save a version (a [`PzpEditor`]); only a huisarts of the practice changes the
//! treatment wishes and limits and the GP responsible for them
//! (`kernteam_domain::access::may_change_limits`): a save by anyone else that changes them
//! is refused (403, audited) and writes nothing. Like the care plan, a save names the
//! version it started from and is refused when someone else saved since.

use kernteam_domain::access::Role;
use kernteam_domain::pzp::{normalise, pzp_changes, AdvanceCarePlan, PzpPerson, WishDecision};
use kernteam_store::care::{CarePlanVersion, TeamMember};
use kernteam_store::program::Document;

use crate::audit::Action;
use crate::error::{invalid_unless_empty, Error, Result};
use crate::gate::{HoldsPatient, PzpEditor, Visible};
use crate::{today, App};

/// Whom a PZP may name: the practice's GP accounts (who agreed the limits) and the
/// mantelzorgers on the patient's care team (who took part in a conversation).
#[derive(Debug, Clone, Default)]
pub struct PzpPeople {
    /// Active huisarts accounts of the patient's practice: (account id, name).
    pub gps: Vec<PzpPerson>,
    /// Active care-team members of kind mantelzorger.
    pub carers: Vec<TeamMember>,
}

impl PzpPeople {
    /// The name a mantelzorger has in a conversation's participants: "Anna Jansen
    /// (mantelzorger, dochter)".
    pub fn carer_label(m: &TeamMember) -> String {
        match m.relation.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            Some(r) => format!("{} (mantelzorger, {r})", m.name),
            None => format!("{} (mantelzorger)", m.name),
        }
    }
}

/// Reads a stored PZP.
pub fn parse_pzp(content: &str) -> Result<AdvanceCarePlan> {
    serde_json::from_str(content).map_err(|e| Error::Internal(anyhow::anyhow!("stored PZP unreadable: {e}")))
}

/// The current version (0: none yet, and a blank PZP) from the versions, newest first.
pub fn current_of(versions: &[CarePlanVersion]) -> Result<(i64, AdvanceCarePlan)> {
    Ok(match versions.first() {
        Some(v) => (v.version, parse_pzp(&v.content)?),
        None => (0, AdvanceCarePlan::blank()),
    })
}

/// A patient's PZP: every version, newest first, and the current one read.
#[derive(Debug, Clone)]
pub struct PzpRecord {
    pub versions: Vec<CarePlanVersion>,
    /// The current version; 0 when there is none (`current` is then blank).
    pub version: i64,
    pub current: AdvanceCarePlan,
}

/// What saving a PZP did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PzpSaved {
    /// Equal to the current version: nothing written.
    Unchanged { version: i64 },
    /// A new version, with what changed (Dutch, as the history shows it).
    Saved { version: i64, changes: Vec<String> },
}

impl App {
    /// The patient's PZP with its versions.
    pub async fn pzp(&self, v: &Visible) -> Result<PzpRecord> {
        let versions = self.db.versions(Document::Pzp, v.patient().id).await?;
        let (version, current) = current_of(&versions)?;
        Ok(PzpRecord {
            versions,
            version,
            current,
        })
    }

    /// The GPs and mantelzorgers a PZP of this patient may name.
    pub async fn pzp_people(&self, holder: &impl HoldsPatient) -> Result<PzpPeople> {
        let practice = holder.held_patient().practice_id;
        let gps = self
            .db
            .users()
            .await?
            .into_iter()
            .filter(|u| u.active && u.role == Role::Huisarts && u.practice_id == Some(practice))
            .map(|u| PzpPerson {
                id: u.id,
                name: u.display_name,
            })
            .collect();
        let carers = self
            .db
            .team(holder.held_patient().id)
            .await?
            .into_iter()
            .filter(|m| m.kind == "mantelzorger")
            .collect();
        Ok(PzpPeople { gps, carers })
    }

    /// Saves `pzp` as a new version. `based_on` is the version the editor started from
    /// (0: none): when someone else saved in between, the result is `Conflict` and nothing
    /// is written. The PZP is normalised (see `kernteam_domain::pzp::normalise`).
    pub async fn save_pzp(&self, c: &PzpEditor, based_on: i64, pzp: AdvanceCarePlan) -> Result<PzpSaved> {
        self.edit_pzp(c, based_on, |_| (pzp, Vec::new())).await
    }

    /// Checks and completes the people a PZP names: the responsible GP must be a GP
    /// account of the practice (a huisarts who changes the limits without naming one is
    /// it himself); every mantelzorger of a new conversation must be on the care team
    /// (their names are taken from it). Returns the problems, in Dutch.
    fn check_people(
        &self,
        c: &PzpEditor,
        people: &PzpPeople,
        previous: &AdvanceCarePlan,
        pzp: &mut AdvanceCarePlan,
    ) -> Vec<String> {
        let mut errors = Vec::new();
        let decided = pzp.wishes.iter().any(|w| w.decision != WishDecision::NogNietBesproken);
        if pzp.responsible_gp.is_none() && decided && pzp.limits_differ(previous) {
            let u = c.actor().user();
            if u.role == Role::Huisarts {
                pzp.responsible_gp = Some(PzpPerson {
                    id: u.id,
                    name: u.display_name.clone(),
                });
            }
        }
        if let Some(gp) = &mut pzp.responsible_gp {
            let unchanged = previous.responsible_gp.as_ref().is_some_and(|p| p.id == gp.id);
            match people.gps.iter().find(|g| g.id == gp.id) {
                Some(found) => gp.name = found.name.clone(),
                // A GP who has since left stays named on the limits they agreed.
                None if unchanged => *gp = previous.responsible_gp.clone().expect("unchanged"),
                None => errors.push("Kies als verantwoordelijk huisarts een huisarts van de praktijk.".into()),
            }
        } else if decided && pzp.limits_differ(previous) {
            errors.push("Kies de huisarts die de wensen en grenzen met de patiënt afsprak.".into());
        }
        for conv in &mut pzp.conversations {
            if previous.conversations.contains(conv) {
                continue;
            }
            for carer in &mut conv.carers {
                match people.carers.iter().find(|m| m.id == carer.id) {
                    Some(m) => carer.name = m.name.clone(),
                    None => errors.push("Kies de mantelzorgers die deelnamen uit het zorgteam van de patiënt.".into()),
                }
            }
        }
        // The legal representative who acts in the portal: a mantelzorger on the team.
        if let Some(rep) = pzp.representative_member {
            if previous.representative_member != Some(rep) && !people.carers.iter().any(|m| m.id == rep) {
                errors.push(
                    "Kies als wettelijk vertegenwoordiger in het portaal een mantelzorger uit het zorgteam.".into(),
                );
            }
        }
        errors.dedup();
        errors
    }

    /// Saves a new version made by `edit` from the stored PZP (a form changes it rather
    /// than replacing it: earlier conversations stay, unchanged choices keep who recorded
    /// them). `edit` returns the PZP and the problems found reading the input; with
    /// problems, nothing is written and `Invalid` lists them with the PZP's own.
    pub async fn edit_pzp(
        &self,
        c: &PzpEditor,
        based_on: i64,
        edit: impl FnOnce(&AdvanceCarePlan) -> (AdvanceCarePlan, Vec<String>),
    ) -> Result<PzpSaved> {
        let versions = self.db.latest_version(Document::Pzp, c.patient().id).await?;
        let (current, previous) = current_of(versions.as_slice())?;
        let (pzp, mut errors) = edit(&previous);
        if !errors.is_empty() {
            errors.extend(normalise(pzp, today()).err().unwrap_or_default());
            return Err(Error::Invalid(errors));
        }
        if based_on < 0 {
            errors.push("Het versienummer waarop de wijziging is gebaseerd ontbreekt of klopt niet.".to_string());
        }
        let pzp = match normalise(pzp, today()) {
            Ok(p) => Some(p),
            Err(more) => {
                errors.extend(more);
                None
            }
        };
        if pzp.as_ref().is_some_and(|p| p.limits_differ(&previous)) && !c.access().change_limits {
            self.refuse_holder(c, "behandelgrenzen wijzigen").await?;
            return Err(Error::Forbidden);
        }
        invalid_unless_empty(errors)?;
        let mut pzp = pzp.expect("no errors, so a PZP");
        let people = self.pzp_people(c).await?;
        invalid_unless_empty(self.check_people(c, &people, &previous, &mut pzp))?;
        if pzp == previous {
            return Ok(PzpSaved::Unchanged { version: current });
        }
        let mut changes = pzp_changes(&previous, &pzp);
        if changes.is_empty() {
            changes.push("Details bijgewerkt (data, namen of gesprekken)".to_string());
        }
        let content = serde_json::to_string(&pzp).map_err(|e| Error::Internal(e.into()))?;
        let user = c.actor().user();
        let mut ch = self.db.change().await?;
        let version = ch
            .save_version(
                Document::Pzp,
                c.patient().id,
                based_on,
                &content,
                &changes.join("\n"),
                user.id,
                &user.display_name,
            )
            .await?;
        ch.commit(&[c
            .actor()
            .entry(Some(c.patient()), Action::SavePzp, Some(format!("versie {version}")))])
            .await?;
        Ok(PzpSaved::Saved { version, changes })
    }
}
