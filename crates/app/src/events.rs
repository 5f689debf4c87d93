//! Events around a frail elder (SEH referral, ELV admission, hospital admission and
//! discharge, Wlz crisis admission, fall) with the 24-hour handover clock, and the MDOs
//! that discussed the patient. Reads take a [`Visible`], changes a [`Contributor`]; each
//! change writes its audit record.
//!
//! Times are stored as RFC 3339 in UTC ([`stored_time`]); [`local_text`] writes them in
//! the server's time zone (Europe/Amsterdam in production) as the user reads them.

use chrono::{DateTime, Local, NaiveDate, Utc};
use kernteam_domain::events::{handover, validate_event, EventKind, Handover, NewEvent};
use kernteam_store::program::CareEvent;

use crate::audit::Action;
use crate::error::{Error, Result};
use crate::gate::{Contributor, Visible};
use crate::App;

/// A time as stored: RFC 3339 in UTC with seconds.
pub fn stored_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Reads a stored RFC 3339 time.
pub fn parse_stored_time(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| Error::Internal(anyhow::anyhow!("stored time '{s}' unreadable: {e}")))
}

/// A UTC time as the user reads it: local `dd-mm-jjjj uu:mm`.
pub fn local_text(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local).format("%d-%m-%Y %H:%M").to_string()
}

/// A stored event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: i64,
    pub kind: EventKind,
    pub occurred_at: DateTime<Utc>,
    pub notes: Option<String>,
    /// When the first handover was sent (`crate::handovers`).
    pub handover_sent_at: Option<DateTime<Utc>>,
    /// Withdrawn (recorded in error): shown as such, counted nowhere.
    pub withdrawn: bool,
    /// The account that recorded it.
    pub recorded_by: Option<i64>,
}

impl Event {
    /// The handover clock at `now`.
    pub fn handover(&self, now: DateTime<Utc>) -> Handover {
        handover(self.kind, self.occurred_at, self.handover_sent_at, now)
    }

    fn from_stored(e: &CareEvent) -> Result<Event> {
        let kind = EventKind::from_code(&e.kind)
            .ok_or_else(|| Error::Internal(anyhow::anyhow!("stored event kind '{}' unknown", e.kind)))?;
        Ok(Event {
            id: e.id,
            kind,
            occurred_at: parse_stored_time(&e.occurred_at)?,
            notes: e.notes.clone(),
            handover_sent_at: e.handover_sent_at.as_deref().map(parse_stored_time).transpose()?,
            withdrawn: e.withdrawn_at.is_some(),
            recorded_by: e.recorded_by,
        })
    }
}

/// An event as entered: the kind's code, the time (or why it could not be read), notes.
#[derive(Debug, Clone)]
pub struct EventInput {
    pub kind: String,
    pub occurred_at: std::result::Result<DateTime<Utc>, String>,
    pub notes: Option<String>,
}

/// One discussion of the patient in an MDO.
#[derive(Debug, Clone, PartialEq)]
pub struct MdoDiscussion {
    pub meeting_id: i64,
    pub date: NaiveDate,
    /// `praktijk` or `netwerk`.
    pub level: String,
    pub reason: Option<String>,
    pub discussed: bool,
    pub minutes: Option<String>,
}

impl App {
    /// The patient's events, newest first.
    pub async fn events(&self, v: &Visible) -> Result<Vec<Event>> {
        self.events_of(v.patient().id).await
    }

    async fn events_of(&self, patient_id: i64) -> Result<Vec<Event>> {
        self.db
            .events(patient_id)
            .await?
            .iter()
            .map(Event::from_stored)
            .collect()
    }

    /// The MDOs whose agenda held the patient, newest first.
    pub async fn mdo_history(&self, v: &Visible) -> Result<Vec<MdoDiscussion>> {
        Ok(self
            .db
            .patient_meetings(v.patient().id)
            .await?
            .into_iter()
            .map(|(m, item)| MdoDiscussion {
                meeting_id: m.id,
                date: m.date,
                level: m.level,
                reason: item.reason,
                discussed: item.discussed,
                minutes: item.minutes,
            })
            .collect())
    }

    /// Records an event; `Invalid` lists every problem of the input. Returns the event.
    pub async fn record_event(&self, c: &Contributor, input: EventInput) -> Result<Event> {
        let NewEvent {
            kind,
            occurred_at,
            notes,
        } = validate_event(&input.kind, input.occurred_at, input.notes, Utc::now()).map_err(Error::Invalid)?;
        let at = stored_time(occurred_at);
        let mut ch = self.db.change().await?;
        let id = ch
            .add_event(c.patient().id, kind.code(), &at, notes.as_deref(), c.actor().user().id)
            .await?;
        ch.commit(&[c.actor().entry(
            Some(c.patient()),
            Action::RecordEvent,
            Some(format!("{} op {at}", kind.label())),
        )])
        .await?;
        Ok(Event {
            id,
            kind,
            occurred_at: parse_stored_time(&at)?,
            notes,
            handover_sent_at: None,
            withdrawn: false,
            recorded_by: Some(c.actor().user().id),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_stored_in_utc_and_read_back() {
        let t = DateTime::parse_from_rfc3339("2027-03-01T14:30:00+01:00")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(stored_time(t), "2027-03-01T13:30:00Z");
        assert_eq!(parse_stored_time("2027-03-01T13:30:00Z").unwrap(), t);
        assert!(parse_stored_time("gisteren").is_err());
    }
}
