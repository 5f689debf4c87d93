//! The handover summary (*overdracht*) of an event: sent to a named organisation as a
//! FHIR document (`kernteam_fhir::handover_document`), stored as sent, with who sent it
//! and when; the first one sent meets the event's 24-hour clock. Sending takes a
//! [`Contributor`]; the sent documents are read with a [`Visible`] (the print view) or a
//! [`SentDocument`] (the FHIR read, also open to the recipient organisation's accounts).
//!
//! A record of the tick box of before (migration 0019) is a handover without document or
//! recipient: it still meets the clock it met, and shows as such.

use chrono::{DateTime, Utc};
use kernteam_domain::events::{validate_sent, HANDOVER_LIMIT};
use kernteam_fhir::{handover_document, Place};
use kernteam_store::people::Organisation;
use kernteam_store::program::HandoverRecord;
use serde_json::Value;

use crate::audit::Action;
use crate::error::{Error, Result};
use crate::events::{local_text, parse_stored_time, stored_time, Event};
use crate::gate::{Contributor, SentDocument, Visible};
use crate::App;

/// A handover as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct SentHandover {
    pub id: i64,
    pub event_id: i64,
    /// `None` only for a record of the old tick box.
    pub organisation_id: Option<i64>,
    pub organisation: Option<String>,
    pub sent_at: DateTime<Utc>,
    pub sent_by: Option<String>,
    /// Whether the document was kept (not for the old tick box).
    pub has_document: bool,
    /// Sent more than 24 hours after the event.
    pub late: bool,
    /// The document's id (`Bundle/{id}` in the FHIR API).
    pub document_id: String,
}

/// The id of a handover's document: the patient's id first, as for every resource of a
/// patient's record (`12-overdracht-5`).
pub fn document_id(patient_id: i64, handover_id: i64) -> String {
    format!("{patient_id}-overdracht-{handover_id}")
}

/// The (patient, handover) of a document id; `None` when it is not one.
pub fn parse_document_id(id: &str) -> Option<(i64, i64)> {
    let (patient, handover) = id.split_once("-overdracht-")?;
    let number = |s: &str| {
        (!s.is_empty() && s.len() <= 18 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    Some((number(patient)?, number(handover)?))
}

fn sent(h: &HandoverRecord, events: &[Event]) -> Result<SentHandover> {
    let sent_at = parse_stored_time(&h.sent_at)?;
    let late = events
        .iter()
        .find(|e| e.id == h.event_id)
        .is_some_and(|e| sent_at > e.occurred_at + HANDOVER_LIMIT);
    Ok(SentHandover {
        id: h.id,
        event_id: h.event_id,
        organisation_id: h.organisation_id,
        organisation: h.organisation_name.clone(),
        sent_at,
        sent_by: h.sent_by_name.clone(),
        has_document: h.has_document,
        late,
        document_id: document_id(h.patient_id, h.id),
    })
}

impl App {
    /// The organisations a handover can be sent to: the region's network organisations
    /// (district nursing, hospitals, ELV locations …), by kind and name.
    pub async fn handover_recipients(&self, _v: &Visible) -> Result<Vec<Organisation>> {
        let mut list = self.db.organisations().await?;
        let order = |o: &Organisation| {
            kernteam_domain::access::OrganisationKind::ALL
                .iter()
                .position(|k| *k == o.kind)
                .unwrap_or(usize::MAX)
        };
        list.sort_by(|a, b| order(a).cmp(&order(b)).then_with(|| a.name.cmp(&b.name)));
        Ok(list)
    }

    /// The patient's handovers, oldest first.
    pub async fn handovers(&self, v: &Visible) -> Result<Vec<SentHandover>> {
        let events = self.events(v).await?;
        self.db
            .handovers(v.patient().id)
            .await?
            .iter()
            .map(|h| sent(h, &events))
            .collect()
    }

    /// Sends the handover of an event to an organisation at `at` (now, for a user; an
    /// earlier time only for the demo's history): builds the document from the record as
    /// it is, stores it as sent, with the sender, and audits the sending, all in one
    /// transaction. `base` is the FHIR base URL the document's `fullUrl`s name.
    /// `NotFound` when the event is not this patient's current one; `Invalid` when it needs
    /// no handover, no (known) organisation is chosen or the time lies before the event or
    /// in the future.
    pub async fn send_handover(
        &self,
        c: &Contributor,
        event_id: i64,
        organisation_id: Option<i64>,
        base: &str,
        at: DateTime<Utc>,
    ) -> Result<SentHandover> {
        let v = c.as_visible();
        let events = self.events(&v).await?;
        let event = events
            .iter()
            .find(|e| e.id == event_id && !e.withdrawn)
            .ok_or(Error::NotFound)?;
        let mut errors = Vec::new();
        let organisation = match organisation_id {
            Some(id) => match self.db.organisation(id).await {
                Ok(o) => Some(o),
                Err(kernteam_store::StoreError::NotFound) => {
                    errors.push("De gekozen organisatie bestaat niet (meer); kies een andere.".to_string());
                    None
                }
                Err(e) => return Err(e.into()),
            },
            None => {
                errors.push("Kies de organisatie die de overdracht ontvangt.".to_string());
                None
            }
        };
        let sent_at = match validate_sent(event.kind, event.occurred_at, Ok(at), Utc::now(), local_text) {
            Ok(t) => Some(t),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let (Some(organisation), Some(sent_at), true) = (organisation, sent_at, errors.is_empty()) else {
            return Err(Error::Invalid(errors));
        };
        let data = self.fhir_record(&v).await?;
        let author = c.actor().user().clone();
        let at_text = stored_time(sent_at);
        let mut ch = self.db.change().await?;
        let id = ch
            .add_handover(c.patient().id, event_id, organisation.id, &at_text, author.id)
            .await?;
        let doc_id = document_id(c.patient().id, id);
        let recipient = Place::Organisation(organisation.clone());
        let bundle = handover_document(base, &data, event_id, &recipient, &author, sent_at, &doc_id)
            .ok_or_else(|| Error::Internal(anyhow::anyhow!("event {event_id} missing from the FHIR record")))?;
        ch.set_handover_document(id, &bundle.to_string()).await?;
        ch.commit(&[c.actor().entry(
            Some(c.patient()),
            Action::SendHandover,
            Some(format!(
                "{} van {}: aan {} ({}), document Bundle/{doc_id}",
                event.kind.label(),
                stored_time(event.occurred_at),
                organisation.name,
                recipient.reference(),
            )),
        )])
        .await?;
        Ok(SentHandover {
            id,
            event_id,
            organisation_id: Some(organisation.id),
            organisation: Some(organisation.name),
            sent_at,
            sent_by: Some(author.display_name),
            has_document: true,
            late: sent_at > event.occurred_at + HANDOVER_LIMIT,
            document_id: doc_id,
        })
    }

    /// One sent handover with its document as sent (for the print view); `NotFound` when
    /// the patient has no such handover or it has no document (the old tick box).
    pub async fn handover_sent(&self, v: &Visible, handover_id: i64) -> Result<(SentHandover, Value)> {
        let h = self.db.handover(handover_id).await?;
        if h.patient_id != v.patient().id {
            return Err(Error::NotFound);
        }
        let events = self.events(v).await?;
        let doc = self.db.handover_document(handover_id).await?.ok_or(Error::NotFound)?;
        let doc: Value = serde_json::from_str(&doc)
            .map_err(|e| Error::Internal(anyhow::anyhow!("stored handover {handover_id} unreadable: {e}")))?;
        Ok((sent(&h, &events)?, doc))
    }

    /// The document of a sent handover, as sent; `NotFound` for a record of the old tick
    /// box (it has none).
    pub async fn sent_document_content(&self, d: &SentDocument) -> Result<Value> {
        let doc = self
            .db
            .handover_document(d.handover_id())
            .await?
            .ok_or(Error::NotFound)?;
        serde_json::from_str(&doc)
            .map_err(|e| Error::Internal(anyhow::anyhow!("stored handover {} unreadable: {e}", d.handover_id())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_ids_name_the_patient_and_the_handover() {
        assert_eq!(document_id(12, 5), "12-overdracht-5");
        assert_eq!(parse_document_id("12-overdracht-5"), Some((12, 5)));
        for bad in [
            "12-overdracht-",
            "-overdracht-5",
            "12-5",
            "x-overdracht-5",
            "12-overdracht-5a",
        ] {
            assert_eq!(parse_document_id(bad), None, "{bad}");
        }
    }
}
