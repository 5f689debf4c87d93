//! Reading one patient's record: everything here takes a [`Visible`] (or a stronger token),
//! so the read is already in the audit log.

use kernteam_domain::access::Scope;
use kernteam_domain::care::{status_on, CarePlan, ProgramStatus};
use kernteam_store::care::{
    AuditRecord, CarePlanVersion, DecisionRecord, HisRecord, Person, RecordSummary, SnapshotDate, TeamMember,
};
use kernteam_store::people::User;

use crate::error::{Error, Result};
use crate::gate::{AuditReader, Visible};
use crate::{today, App};

/// A patient's record as the overview shows it.
#[derive(Debug, Clone)]
pub struct PatientRecord {
    pub snapshot: Option<SnapshotDate>,
    pub person: Option<Person>,
    pub his: HisRecord,
    pub decisions: Vec<DecisionRecord>,
    pub status: ProgramStatus,
    pub team: Vec<TeamMember>,
    pub summary: RecordSummary,
    /// The newest care plan version and its content.
    pub care_plan: Option<(i64, CarePlan)>,
}

impl PatientRecord {
    /// What [`App::inclusion_exceptions`] says, from a record already read (the record
    /// page, which would otherwise read the snapshot's rows of the patient once more).
    pub fn inclusion_exceptions(&self) -> Vec<String> {
        let facts = self.person.as_ref().map(|p| {
            let mut f =
                kernteam_domain::figures::PatientFacts::new(p.birth_date, p.registration_start, p.registration_end);
            f.episodes = self
                .his
                .episodes
                .iter()
                .map(|e| kernteam_domain::figures::Episode {
                    icpc: e.code.clone(),
                    start: e.start,
                    end: e.end,
                })
                .collect();
            f
        });
        crate::team::exceptions_of(self.snapshot.map(|s| s.extract_date), facts.as_ref())
    }

    pub fn first_contact(&self) -> Option<&TeamMember> {
        let id = self.summary.first_contact_member?;
        self.team.iter().find(|m| m.id == id)
    }
}

/// What the patient banner shows on every page of the record: who the patient is, the
/// program status, the first point of contact and the newest PZP (treatment limits).
#[derive(Debug, Clone)]
pub struct PatientHeader {
    pub person: Option<Person>,
    pub status: ProgramStatus,
    pub first_contact: Option<TeamMember>,
    pub pzp: Option<CarePlanVersion>,
}

impl PatientRecord {
    /// The banner's facts, from a record already read.
    pub fn header(&self) -> PatientHeader {
        PatientHeader {
            person: self.person.clone(),
            status: self.status,
            first_contact: self.first_contact().cloned(),
            pzp: self.summary.pzp.clone(),
        }
    }
}

/// A professional who could join the care team, with where they work.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub user: User,
    pub place: String,
}

/// What the decision forms of a record offer.
#[derive(Debug, Clone, Default)]
pub struct DecisionChoices {
    pub gps: Vec<String>,
    pub candidates: Vec<Candidate>,
}

/// Reads a stored care plan.
pub fn parse_plan(content: &str) -> Result<CarePlan> {
    serde_json::from_str(content).map_err(|e| Error::Internal(anyhow::anyhow!("stored care plan unreadable: {e}")))
}

impl App {
    /// The patient's record: who they are in the latest extract, the HIS summary, program
    /// status, care team and the newest care plan.
    pub async fn patient_record(&self, v: &Visible) -> Result<PatientRecord> {
        let p = v.patient();
        let (snapshot, person) = self.db.current_person(p).await?;
        let his = match (snapshot, &person) {
            (Some(s), Some(_)) => self.db.his_record(s.snapshot_id, &p.his_id).await?,
            _ => Default::default(),
        };
        let decisions = self.db.decisions(p.id).await?;
        let status = status_on(&decisions.iter().map(|d| d.as_decision()).collect::<Vec<_>>(), today());
        let team = self.db.team(p.id).await?;
        let summary = self.db.record_summary(p.id).await?;
        let care_plan = summary
            .care_plan
            .as_ref()
            .map(|v| parse_plan(&v.content).map(|plan| (v.version, plan)))
            .transpose()?;
        Ok(PatientRecord {
            snapshot,
            person,
            his,
            decisions,
            status,
            team,
            summary,
            care_plan,
        })
    }

    /// The banner's facts: who the patient is, status, first point of contact, newest PZP.
    pub async fn patient_header(&self, v: &Visible) -> Result<PatientHeader> {
        let p = v.patient();
        let (_, person) = self.db.current_person(p).await?;
        let decisions = self.db.decisions(p.id).await?;
        let status = status_on(&decisions.iter().map(|d| d.as_decision()).collect::<Vec<_>>(), today());
        let summary = self.db.record_summary(p.id).await?;
        let first_contact = match summary.first_contact_member {
            Some(_) => self.db.first_contact(p.id).await?,
            None => None,
        };
        Ok(PatientHeader {
            person,
            status,
            first_contact,
            pzp: summary.pzp,
        })
    }

    /// The patient's name as the latest extract has it, as running text ("Ger Maas"; the
    /// HIS id when it has none).
    pub async fn patient_name(&self, v: &Visible) -> Result<String> {
        Ok(self
            .db
            .current_person(v.patient())
            .await?
            .1
            .map_or_else(|| v.patient().his_id.clone(), |p| p.name()))
    }

    /// Who the patient is in their practice's latest extract.
    pub async fn person(&self, v: &Visible) -> Result<(Option<SnapshotDate>, Option<Person>)> {
        Ok(self.db.current_person(v.patient()).await?)
    }

    pub async fn decisions(&self, v: &Visible) -> Result<Vec<DecisionRecord>> {
        Ok(self.db.decisions(v.patient().id).await?)
    }

    pub async fn team(&self, v: &Visible) -> Result<Vec<TeamMember>> {
        Ok(self.db.team(v.patient().id).await?)
    }

    pub async fn first_contact(&self, v: &Visible) -> Result<Option<TeamMember>> {
        Ok(self.db.first_contact(v.patient().id).await?)
    }

    /// The name of the patient's practice.
    pub async fn practice_name(&self, v: &Visible) -> Result<String> {
        Ok(self.db.practice(v.patient().practice_id).await?.name)
    }

    /// What the decision forms offer (only to those who decide; empty otherwise): the GPs
    /// of the patient's practice for the inclusion form, by display name, and the
    /// professionals with an account who could join the care team (the practice's own
    /// staff and every network professional not on `team`). One read of the accounts.
    pub async fn decision_choices(&self, v: &Visible, team: &[TeamMember]) -> Result<DecisionChoices> {
        if !v.access().decide {
            return Ok(DecisionChoices::default());
        }
        let practice = v.patient().practice_id;
        let users = self.db.users().await?;
        let gps = users
            .iter()
            .filter(|u| {
                u.active && u.role == kernteam_domain::access::Role::Huisarts && u.practice_id == Some(practice)
            })
            .map(|u| u.display_name.clone())
            .collect();
        let orgs = self.db.organisations().await?;
        let mut candidates = Vec::new();
        for u in users {
            if !u.active || team.iter().any(|m| m.user_id == Some(u.id)) {
                continue;
            }
            let place = match u.role.scope() {
                Scope::Practice if u.practice_id == Some(practice) => "deze praktijk".to_string(),
                Scope::Network => u
                    .organisation_id
                    .and_then(|o| orgs.iter().find(|x| x.id == o))
                    .map(|o| o.name.clone())
                    .unwrap_or_default(),
                _ => continue,
            };
            candidates.push(Candidate { user: u, place });
        }
        Ok(DecisionChoices { gps, candidates })
    }

    /// The care plan's versions, newest first.
    pub async fn care_plan_versions(&self, v: &Visible) -> Result<Vec<CarePlanVersion>> {
        Ok(self.db.care_plan_versions(v.patient().id).await?)
    }

    /// The current care plan: its version (0: none yet) and content.
    pub async fn current_care_plan(&self, v: &Visible) -> Result<(i64, CarePlan)> {
        self.care_plan_of(v.patient().id).await
    }

    pub(crate) async fn care_plan_of(&self, patient_id: i64) -> Result<(i64, CarePlan)> {
        Ok(
            match self
                .db
                .latest_version(kernteam_store::program::Document::CarePlan, patient_id)
                .await?
            {
                Some(v) => (v.version, parse_plan(&v.content)?),
                None => (0, CarePlan::default()),
            },
        )
    }

    /// Who accessed the patient's record, newest first.
    pub async fn audit_trail(&self, r: &AuditReader) -> Result<Vec<AuditRecord>> {
        Ok(self.db.audit_for_patient(r.patient().id).await?)
    }
}
