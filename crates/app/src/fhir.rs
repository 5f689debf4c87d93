//! What the FHIR API reads: one patient's record gathered for `kernteam_fhir` behind a
//! [`Visible`] (so the read is already audited), and the accounts and organisations of
//! care behind a [`CareDirectory`].

use kernteam_domain::access::Scope;
use kernteam_fhir::{EventLine, Needs, PatientData, Place, Professional, Versioned};
use kernteam_store::people::User;

use crate::error::{Error, Result};
use crate::gate::{CareDirectory, NetworkMember, Visible};
use crate::patients::parse_plan;
use crate::pzp::parse_pzp;
use crate::{Actor, App};

impl App {
    /// The patient's whole record as the FHIR resources show it.
    pub async fn fhir_record(&self, v: &Visible) -> Result<PatientData> {
        self.fhir_record_for(v, Needs::ALL).await
    }

    /// The parts of the patient's record that an answer needs (see
    /// [`kernteam_fhir::needs`]); the others are left empty. Who the patient is and their
    /// practice are always read. A read of one `Patient` is two queries instead of a
    /// dozen, which is most of a FHIR request's cost.
    pub async fn fhir_record_for(&self, v: &Visible, needs: Needs) -> Result<PatientData> {
        let p = v.patient().clone();
        let (snapshot, person) = self.db.current_person(&p).await?;
        let (practice, practice_contact) = self.db.practice_with_contact(p.practice_id).await?;
        let his = match (needs.his, &snapshot, &person) {
            (true, Some(s), Some(_)) => self.db.his_record(s.snapshot_id, &p.his_id).await?,
            _ => Default::default(),
        };
        let decisions = if needs.decisions {
            self.db.decisions(p.id).await?
        } else {
            Vec::new()
        };
        let team = if needs.team {
            self.db.team(p.id).await?
        } else {
            Vec::new()
        };
        let summary = if needs.care {
            Some(self.db.record_summary(p.id).await?)
        } else {
            None
        };
        let care_plan = match summary.as_ref().and_then(|s| s.care_plan.as_ref()) {
            Some(stored) => Some(Versioned {
                version: stored.version,
                created_at: stored.created_at.clone(),
                created_by: stored.created_by_name.clone(),
                content: parse_plan(&stored.content)?,
            }),
            None => None,
        };
        let pzp = match summary.as_ref().and_then(|s| s.pzp.as_ref()) {
            Some(stored) => Some(Versioned {
                version: stored.version,
                created_at: stored.created_at.clone(),
                created_by: stored.created_by_name.clone(),
                content: parse_pzp(&stored.content)?,
            }),
            None => None,
        };
        let events = if needs.events {
            self.events(v)
                .await?
                .into_iter()
                .map(|e| EventLine {
                    id: e.id,
                    kind: e.kind,
                    occurred_at: e.occurred_at,
                    notes: e.notes,
                    withdrawn: e.withdrawn,
                })
                .collect()
        } else {
            Vec::new()
        };
        let mut professionals = Vec::new();
        for u in team.iter().filter_map(|m| m.user_id) {
            if professionals.iter().any(|x: &Professional| x.user.id == u) {
                continue;
            }
            let user = self.db.user(u).await?;
            let place = self.place_of(&user).await?;
            professionals.push(Professional { user, place });
        }
        Ok(PatientData {
            patient: p,
            practice,
            practice_contact,
            extract_date: snapshot.map(|s| s.extract_date),
            person,
            his,
            decisions,
            first_contact: summary.and_then(|s| s.first_contact_member),
            team,
            professionals,
            care_plan,
            pzp,
            events,
        })
    }

    async fn place_of(&self, user: &User) -> Result<Option<Place>> {
        if let Some(id) = user.practice_id {
            let (p, c) = self.db.practice_with_contact(id).await?;
            return Ok(Some(Place::Practice(p, c)));
        }
        match user.organisation_id {
            Some(id) => Ok(Some(Place::Organisation(self.db.organisation(id).await?))),
            None => Ok(None),
        }
    }

    /// An account of care (practice or network) with where it works; other accounts
    /// (region staff) are not care providers and are not found.
    pub async fn fhir_professional(&self, _d: &CareDirectory, user_id: i64) -> Result<Professional> {
        let user = self.db.user(user_id).await?;
        if !user.role.sees_patient_data() {
            return Err(Error::NotFound);
        }
        let place = self.place_of(&user).await?;
        Ok(Professional { user, place })
    }

    /// A practice (`praktijk-{id}`) or network organisation (`organisatie-{id}`).
    pub async fn fhir_place(&self, _d: &CareDirectory, id: &str) -> Result<Place> {
        let number = |s: &str| s.parse::<i64>().map_err(|_| Error::NotFound);
        if let Some(n) = id.strip_prefix("praktijk-") {
            let n = number(n)?;
            let (p, c) = self.db.practice_with_contact(n).await?;
            return Ok(Place::Practice(p, c));
        }
        match id.strip_prefix("organisatie-") {
            Some(n) => Ok(Place::Organisation(self.db.organisation(number(n)?).await?)),
            None => Err(Error::NotFound),
        }
    }

    /// The ids of the patients whose care team the network professional is on (a FHIR
    /// `Patient` search without parameters); each is then read through the gate.
    pub async fn fhir_shared_patients(&self, member: &NetworkMember) -> Result<Vec<i64>> {
        debug_assert_eq!(member.actor().user().role.scope(), Scope::Network);
        Ok(self
            .shared_patients(member)
            .await?
            .into_iter()
            .map(|s| s.patient.id)
            .collect())
    }

    /// The patients the caller may see whose BSN is `bsn` (a FHIR `Patient?identifier=`
    /// search): practice staff among their practice's list, a network professional among
    /// the patients they share; region staff are refused (and that is audited). Each is
    /// then read through the gate.
    pub async fn fhir_patients_with_bsn(&self, actor: &Actor, bsn: &str) -> Result<Vec<i64>> {
        if actor.user().role.scope() == Scope::Practice {
            let staff = self.practice_staff(actor).await?;
            return Ok(self.db.practice_patients_with_bsn(staff.practice_id(), bsn).await?);
        }
        let member = self.network_member(actor).await?;
        let mut found = Vec::new();
        for shared in self.shared_patients(&member).await? {
            let Some(latest) = self.db.latest_snapshot(shared.patient.practice_id).await? else {
                continue;
            };
            let person = self.db.person(latest.snapshot_id, &shared.patient).await?;
            if person.and_then(|p| p.bsn).as_deref() == Some(bsn) {
                found.push(shared.patient.id);
            }
        }
        Ok(found)
    }
}
