//! Import from the network: a hospital's discharge letter as a FHIR Bundle
//! (`kernteam_fhir::discharge`) records the discharge event, which starts the 24-hour
//! handover clock, and keeps the Bundle as received — in one transaction, or nothing at
//! all. The patient is the one the letter names (Kernteam's `Patient/{id}` or the BSN of
//! the practice's latest extract), or, from the patient's page, the one whose page it is
//! (the letter's BSN must then be theirs). Recording needs a [`Contributor`] (the gate
//! audits a refusal).

use chrono::{DateTime, Utc};
use kernteam_domain::events::{validate_event, EventKind, HANDOVER_LIMIT};
use kernteam_fhir::discharge::{read_discharge, Problem};

use crate::audit::Action;
use crate::error::{Error, Result};
use crate::events::{local_text, parse_stored_time, stored_time, Event};
use crate::{Actor, App};

/// A discharge recorded from a letter.
#[derive(Debug, Clone)]
pub struct ImportedDischarge {
    pub patient_id: i64,
    pub event: Event,
    pub hospital: String,
    /// When the handover is due: 24 hours after the discharge.
    pub due: DateTime<Utc>,
}

fn problem(expression: &str, message: impl Into<String>) -> Vec<Problem> {
    vec![Problem {
        expression: expression.into(),
        message: message.into(),
    }]
}

impl App {
    /// Reads the letter and records the discharge. `Ok(Err(problems))`: the Bundle is
    /// refused (every problem named) and nothing is stored. `on_patient`: the patient whose
    /// page the letter was uploaded on. Errors: `NotFound` for a patient the actor may not
    /// see (or that does not exist), `Forbidden` when they may not contribute, `Conflict`
    /// when this discharge was already recorded.
    pub async fn import_discharge(
        &self,
        actor: &Actor,
        bytes: &[u8],
        on_patient: Option<i64>,
    ) -> Result<std::result::Result<ImportedDischarge, Vec<Problem>>> {
        let now = Utc::now();
        let letter = match read_discharge(bytes, now) {
            Ok(l) => l,
            Err(problems) => return Ok(Err(problems)),
        };
        let patient_id = match (on_patient, letter.patient.id, &letter.patient.bsn) {
            (Some(p), Some(id), _) if id != p => {
                return Ok(Err(problem(
                    "Encounter.subject",
                    format!("Het ontslagbericht gaat over Patient/{id}, niet over deze patiënt."),
                )))
            }
            (Some(p), _, _) => p,
            (None, Some(id), _) => id,
            (None, None, Some(bsn)) => match self.db.patients_with_bsn(bsn).await?.as_slice() {
                [one] => *one,
                [] => return Err(Error::NotFound),
                _ => {
                    return Ok(Err(problem(
                        "Patient.identifier",
                        "Dit BSN hoort bij meer dan één patiënt in de regio; noem de patiënt als Patient/<id> van Kernteam.",
                    )))
                }
            },
            (None, None, None) => return Err(Error::NotFound),
        };
        let c = self.contributor(actor, patient_id).await?;
        if let (Some(bsn), Some(_)) = (&letter.patient.bsn, on_patient) {
            let own = match self.db.latest_snapshot(c.patient().practice_id).await? {
                Some(s) => self.db.person(s.snapshot_id, c.patient()).await?.and_then(|p| p.bsn),
                None => None,
            };
            if own.as_deref() != Some(bsn.as_str()) {
                return Ok(Err(problem(
                    "Patient.identifier",
                    format!("Het BSN in het ontslagbericht ({bsn}) is niet dat van deze patiënt."),
                )));
            }
        }
        let mut notes = letter.notes(local_text);
        if notes.chars().count() > kernteam_domain::events::MAX_NOTES {
            notes = notes
                .chars()
                .take(kernteam_domain::events::MAX_NOTES - 1)
                .collect::<String>()
                + "…";
        }
        let new = match validate_event(
            EventKind::HospitalDischarge.code(),
            Ok(letter.discharged),
            Some(notes),
            now,
        ) {
            Ok(n) => n,
            Err(errors) => {
                return Ok(Err(errors
                    .into_iter()
                    .map(|m| Problem {
                        expression: "Encounter".into(),
                        message: m,
                    })
                    .collect()))
            }
        };
        let at = stored_time(new.occurred_at);
        let existing = self.events(&c.as_visible()).await?;
        if existing
            .iter()
            .any(|e| !e.withdrawn && e.kind == EventKind::HospitalDischarge && stored_time(e.occurred_at) == at)
        {
            return Err(Error::Conflict(format!(
                "Dit ontslag ({}) is al vastgelegd.",
                local_text(new.occurred_at)
            )));
        }
        let by = c.actor().user().id;
        let raw = String::from_utf8_lossy(bytes).into_owned();
        let mut ch = self.db.change().await?;
        let id = ch
            .add_event(patient_id, new.kind.code(), &at, new.notes.as_deref(), by)
            .await?;
        ch.add_received_document(patient_id, id, &letter.hospital, &raw, by)
            .await?;
        ch.commit(&[
            c.actor().entry(
                Some(c.patient()),
                Action::ImportDischarge,
                Some(format!("ontslagbericht van {}", letter.hospital)),
            ),
            c.actor().entry(
                Some(c.patient()),
                Action::RecordEvent,
                Some(format!("{} op {at}", new.kind.label())),
            ),
        ])
        .await?;
        let occurred_at = parse_stored_time(&at)?;
        Ok(Ok(ImportedDischarge {
            patient_id,
            event: Event {
                id,
                kind: new.kind,
                occurred_at,
                notes: new.notes,
                handover_sent_at: None,
                withdrawn: false,
                recorded_by: Some(by),
            },
            hospital: letter.hospital,
            due: occurred_at + HANDOVER_LIMIT,
        }))
    }
}
