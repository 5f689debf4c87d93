//! Proactive care planning (PZP): reading its versions and saving a new one.
//!
//! Everyone who may see the patient reads the PZP (a [`Visible`]); everyone who may
//! contribute to the care records saves a version (a [`Contributor`]). Like the care plan,
//! a save names the version it started from and is refused when someone else saved since.

use kernteam_domain::pzp::{normalise, pzp_changes, AdvanceCarePlan};
use kernteam_store::care::CarePlanVersion;
use kernteam_store::program::Document;

use crate::audit::Action;
use crate::error::{invalid_unless_empty, Error, Result};
use crate::gate::{Contributor, Visible};
use crate::{today, App};

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

    /// Saves `pzp` as a new version. `based_on` is the version the editor started from
    /// (0: none): when someone else saved in between, the result is `Conflict` and nothing
    /// is written. The PZP is normalised (see `kernteam_domain::pzp::normalise`).
    pub async fn save_pzp(&self, c: &Contributor, based_on: i64, pzp: AdvanceCarePlan) -> Result<PzpSaved> {
        self.edit_pzp(c, based_on, |_| (pzp, Vec::new())).await
    }

    /// Saves a new version made by `edit` from the stored PZP (a form changes it rather
    /// than replacing it: earlier conversations stay, unchanged choices keep who recorded
    /// them). `edit` returns the PZP and the problems found reading the input; with
    /// problems, nothing is written and `Invalid` lists them with the PZP's own.
    pub async fn edit_pzp(
        &self,
        c: &Contributor,
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
        invalid_unless_empty(errors)?;
        let pzp = pzp.expect("no errors, so a PZP");
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
