//! Consultations of the elderly-care physician (specialist ouderengeneeskunde, SO):
//! listed for whoever may see the patient, recorded by whoever may contribute to the care
//! records (the practice's clinicians, the network professionals on the care team — the SO
//! among them).

use kernteam_domain::access::Role;
use kernteam_domain::consultations::{validate, ConsultationInput};
use kernteam_store::program::{Consultation, NewConsultation};

use crate::audit::Action;
use crate::error::{Error, Result};
use crate::gate::{Contributor, Visible};
use crate::{today, App};

impl App {
    /// The patient's consultations, newest first.
    pub async fn consultations(&self, v: &Visible) -> Result<Vec<Consultation>> {
        Ok(self.db.consultations(v.patient().id).await?)
    }

    /// The names of the SOs with an active account, sorted, for suggesting in the form.
    pub async fn so_names(&self, _v: &Visible) -> Result<Vec<String>> {
        let mut names: Vec<String> = self
            .db
            .users()
            .await?
            .into_iter()
            .filter(|u| u.active && u.role == Role::SpecialistOuderengeneeskunde)
            .map(|u| u.display_name)
            .collect();
        names.sort();
        names.dedup();
        Ok(names)
    }

    /// Records a consultation; when no SO is named and the actor is one, the actor. Returns
    /// it as stored.
    pub async fn record_consultation(&self, c: &Contributor, input: &ConsultationInput) -> Result<Consultation> {
        let user = c.actor().user();
        let own = (user.role == Role::SpecialistOuderengeneeskunde).then_some(user.display_name.as_str());
        let valid = validate(input, today(), own).map_err(Error::Invalid)?;
        let new = NewConsultation {
            date: valid.date,
            question: valid.question,
            advice: valid.advice,
            kind: valid.kind.code().to_string(),
            funding: valid.funding.code().to_string(),
            so_name: valid.so_name,
        };
        let mut ch = self.db.change().await?;
        let id = ch.add_consultation(c.patient().id, &new, user.id).await?;
        ch.commit(&[c.actor().entry(
            Some(c.patient()),
            Action::RecordConsultation,
            Some(format!("{} {}", new.date, new.funding)),
        )])
        .await?;
        Ok(Consultation {
            id,
            patient_id: c.patient().id,
            date: new.date,
            question: new.question,
            advice: new.advice,
            kind: new.kind,
            funding: new.funding,
            so_name: new.so_name,
            withdrawn_at: None,
            recorded_by: Some(user.id),
        })
    }
}
