//! Medication reviews (medicatiebeoordeling, MBO): whether one is indicated according to
//! the practice's latest extract, the reviews recorded, and recording one with the
//! indication of that moment.

use chrono::NaiveDate;
use kernteam_domain::codes::CodeSets;
use kernteam_domain::events::{review_indication, ReviewIndication};
use kernteam_domain::medication_reviews::{indication_code, validate, ReviewInput};
use kernteam_store::care::{HisLine, PatientRef};
use kernteam_store::program::{MedicationReview, NewMedicationReview};

use crate::audit::Action;
use crate::error::{Error, Result};
use crate::gate::{Contributor, Visible};
use crate::{today, App};

/// The indication for a review according to the practice's latest extract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtractIndication {
    pub extract_date: NaiveDate,
    /// `None`: no indication.
    pub indication: Option<ReviewIndication>,
}

impl App {
    /// The patient's medicines in the practice's latest extract (every line, current and
    /// stopped) and that extract's date; `None` when the patient is not in it.
    pub async fn medication_lines(&self, v: &Visible) -> Result<Option<(NaiveDate, Vec<HisLine>)>> {
        let p = v.patient();
        let (Some(snap), Some(_)) = self.db.current_person(p).await? else {
            return Ok(None);
        };
        let his = self.db.his_record(snap.snapshot_id, &p.his_id).await?;
        Ok(Some((snap.extract_date, his.medications)))
    }

    /// The indication from the latest extract; `None` when the patient is not in it.
    pub async fn review_indication(&self, v: &Visible) -> Result<Option<ExtractIndication>> {
        self.indication_of(v.patient()).await
    }

    async fn indication_of(&self, patient: &PatientRef) -> Result<Option<ExtractIndication>> {
        let Some(snap) = self.db.latest_snapshot(patient.practice_id).await? else {
            return Ok(None);
        };
        let Some(facts) = self.db.patient_facts(snap.snapshot_id, &patient.his_id).await? else {
            return Ok(None);
        };
        Ok(Some(ExtractIndication {
            extract_date: snap.extract_date,
            indication: review_indication(&facts, snap.extract_date, &CodeSets::default()),
        }))
    }

    /// The patient's medication reviews, newest first.
    pub async fn medication_reviews(&self, v: &Visible) -> Result<Vec<MedicationReview>> {
        Ok(self.db.medication_reviews(v.patient().id).await?)
    }

    /// Records a review with the indication of the latest extract. Returns it as stored.
    pub async fn record_medication_review(&self, c: &Contributor, input: &ReviewInput) -> Result<MedicationReview> {
        let valid = validate(input, today()).map_err(Error::Invalid)?;
        let indication = self.indication_of(c.patient()).await?.and_then(|i| i.indication);
        let new = NewMedicationReview {
            date: valid.date,
            indication: indication.map(|i| indication_code(i).to_string()),
            participants: valid.participants.join(","),
            stopped: valid.stopped,
            started: valid.started,
            changed: valid.changed,
            follow_up: valid.follow_up,
        };
        let user = c.actor().user();
        let mut ch = self.db.change().await?;
        let id = ch.add_medication_review(c.patient().id, &new, user.id).await?;
        ch.commit(&[c.actor().entry(
            Some(c.patient()),
            Action::RecordMedicationReview,
            Some(new.date.to_string()),
        )])
        .await?;
        Ok(MedicationReview {
            id,
            patient_id: c.patient().id,
            date: new.date,
            indication: new.indication,
            participants: new.participants,
            stopped: new.stopped,
            started: new.started,
            changed: new.changed,
            follow_up: new.follow_up,
            withdrawn_at: None,
            recorded_by: Some(user.id),
        })
    }
}
