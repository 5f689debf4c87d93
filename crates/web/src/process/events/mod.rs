//! Events around a frail elder — SEH referral, ELV admission, hospital admission and
//! discharge, Wlz crisis admission, fall — at `/patienten/{id}/gebeurtenissen`, with the
//! 24-hour handover clock of referrals, admissions and discharges and the patient's MDO
//! history: the page ([`page`]), recording an event ([`record`]), sending its handover
//! summary to an organisation ([`handover`]) with its one-page print view ([`print`]),
//! reading a hospital's discharge letter ([`upload`]), and the JSON API ([`api`]). The use
//! cases are `kernteam_app::events`, `::handovers` and `::discharge_import`.
//!
//! The form takes a local date and time: the machine's local time zone (`chrono::Local`,
//! Europe/Amsterdam in production) decides what they mean, with summer time.

use chrono::{DateTime, Local, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use kernteam_app::events::Event;
use kernteam_app::handovers::SentHandover;
use kernteam_domain::events::{EventKind, Handover, HANDOVER_LIMIT};
use serde::Serialize;

pub mod api;
pub mod handover;
pub mod multipart;
pub mod page;
pub mod print;
pub mod record;
pub mod upload;

pub use api::{api_handover, api_list, api_mdo_history, api_record, api_routes};
pub use kernteam_app::events::{local_text, parse_stored_time, stored_time};
pub use kernteam_domain::events::rfc3339_input;

/// The page routes of the events.
pub fn routes() -> Vec<crate::PageRoute> {
    crate::page_table![
        "/patienten/{id}/gebeurtenissen" => get(page::page).post(record::record),
        "/patienten/{id}/gebeurtenissen/{event}/overdracht" => post(handover::send),
        "/patienten/{id}/gebeurtenissen/ontslagbericht" => post(upload::upload),
        "/patienten/{id}/overdrachten/{handover}" => get(print::print),
    ]
}

/// A local date (`jjjj-mm-dd`) and time (`uu:mm`) from a form, as UTC. In the hour that
/// occurs twice when summer time ends, the first is meant; the hour skipped when it starts
/// does not exist. `what` names the field in messages.
pub fn local_input(date: &str, time: &str, what: &str) -> Result<DateTime<Utc>, String> {
    let (date, time) = (date.trim(), time.trim());
    if date.is_empty() {
        return Err(format!("{what}: vul een datum in."));
    }
    let day =
        NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| format!("{what}: '{date}' is geen geldige datum."))?;
    if time.is_empty() {
        return Err(format!("{what}: vul een tijd in."));
    }
    let clock = NaiveTime::parse_from_str(time, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(time, "%H:%M:%S"))
        .map_err(|_| format!("{what}: '{time}' is geen geldige tijd (uu:mm)."))?;
    match Local.from_local_datetime(&NaiveDateTime::new(day, clock)) {
        LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(first, _) => Ok(first.with_timezone(&Utc)),
        LocalResult::None => Err(format!(
            "{what}: {date} {time} bestaat niet (de klok gaat dan een uur vooruit voor de zomertijd)."
        )),
    }
}

/// An event with its handover clock, as the page and the API show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Event)]
pub struct EventView {
    pub id: i64,
    /// The kind's code, e.g. `ontslag_ziekenhuis`.
    #[serde(serialize_with = "kind_code")]
    #[schema(value_type = api::EventKindCode, inline)]
    pub kind: EventKind,
    /// The kind in Dutch.
    pub label: &'static str,
    pub occurred_at: DateTime<Utc>,
    pub notes: Option<String>,
    pub handover: HandoverView,
}

fn kind_code<S: serde::Serializer>(kind: &EventKind, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(kind.code())
}

/// The handover of an event at the moment of asking.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Handover)]
pub struct HandoverView {
    /// `not_needed`, `open`, `overdue`, `sent_in_time` or `sent_late`.
    #[schema(value_type = api::HandoverStatusCode, inline)]
    pub status: &'static str,
    /// Dutch label.
    pub label: &'static str,
    /// When it must be sent: 24 hours after the event (absent when not needed).
    pub due: Option<DateTime<Utc>>,
    /// When the first handover was sent: this meets the clock.
    pub sent_at: Option<DateTime<Utc>>,
    /// Sent after the 24 hours, or not sent and past them.
    pub late: bool,
    /// Every handover sent for the event, oldest first.
    pub documents: Vec<SentView>,
}

/// A handover as sent: to whom, when, by whom, and the document.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = SentHandover)]
pub struct SentView {
    pub id: i64,
    /// The recipient organisation; absent only for a tick of the old tick box (before
    /// documents were sent), which has no document either.
    pub organisation_id: Option<i64>,
    pub organisation: Option<String>,
    pub sent_at: DateTime<Utc>,
    /// Who sent it (absent for the old tick box).
    pub sent_by: Option<String>,
    /// Sent more than 24 hours after the event.
    pub late: bool,
    /// The document as sent, in the FHIR API (`/fhir/Bundle/{id}`); absent for the old
    /// tick box.
    pub document: Option<String>,
}

impl SentView {
    pub fn of(h: &SentHandover) -> SentView {
        SentView {
            id: h.id,
            organisation_id: h.organisation_id,
            organisation: h.organisation.clone(),
            sent_at: h.sent_at,
            sent_by: h.sent_by.clone(),
            late: h.late,
            document: h.has_document.then(|| format!("/fhir/Bundle/{}", h.document_id)),
        }
    }
}

impl HandoverView {
    fn of(kind: EventKind, at: DateTime<Utc>, sent: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Self {
        let h = kernteam_domain::events::handover(kind, at, sent, now);
        let status = match h {
            Handover::NotNeeded => "not_needed",
            Handover::Open { .. } => "open",
            Handover::Overdue { .. } => "overdue",
            Handover::SentInTime => "sent_in_time",
            Handover::SentLate => "sent_late",
        };
        HandoverView {
            status,
            label: h.label(),
            due: kind.needs_handover().then(|| at + HANDOVER_LIMIT),
            sent_at: sent,
            late: h.is_late(),
            documents: Vec::new(),
        }
    }

    pub fn needed(&self) -> bool {
        self.status != "not_needed"
    }

    pub fn sent(&self) -> bool {
        self.sent_at.is_some()
    }
}

/// An event with its handover clock at `now` and the handovers sent (any of the
/// patient's: those of this event are picked).
pub fn event_view(e: &Event, handovers: &[SentHandover], now: DateTime<Utc>) -> EventView {
    let mut handover = HandoverView::of(e.kind, e.occurred_at, e.handover_sent_at, now);
    handover.documents = handovers
        .iter()
        .filter(|h| h.event_id == e.id)
        .map(SentView::of)
        .collect();
    EventView {
        id: e.id,
        kind: e.kind,
        label: e.kind.label(),
        occurred_at: e.occurred_at,
        notes: e.notes.clone(),
        handover,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn local_input_round_trips_through_utc() {
        let at = local_input("2027-03-01", "14:30", "Tijdstip").unwrap();
        assert_eq!(
            at.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string(),
            "2027-03-01 14:30"
        );
        assert_eq!(local_text(at), "01-03-2027 14:30");
        assert_eq!(
            local_input("2027-02-30", "14:30", "Tijdstip").unwrap_err(),
            "Tijdstip: '2027-02-30' is geen geldige datum."
        );
        assert_eq!(
            local_input("2027-03-01", "25:00", "Tijdstip").unwrap_err(),
            "Tijdstip: '25:00' is geen geldige tijd (uu:mm)."
        );
        assert_eq!(
            local_input("", "", "Tijdstip").unwrap_err(),
            "Tijdstip: vul een datum in."
        );
        assert_eq!(stored_time(t("2027-03-01T14:30:00+01:00")), "2027-03-01T13:30:00Z");
    }

    #[test]
    fn the_handover_view_follows_the_clock() {
        let at = t("2027-03-01T10:00:00Z");
        let open = HandoverView::of(EventKind::ElvHoogComplex, at, None, t("2027-03-01T20:00:00Z"));
        assert_eq!((open.status, open.late), ("open", false));
        assert_eq!(open.due, Some(t("2027-03-02T10:00:00Z")));
        let late = HandoverView::of(EventKind::ElvHoogComplex, at, None, t("2027-03-02T16:00:00Z"));
        assert_eq!((late.status, late.late), ("overdue", true));
        let fall = HandoverView::of(EventKind::Fall, at, None, t("2027-03-02T16:00:00Z"));
        assert_eq!((fall.status, fall.due, fall.needed()), ("not_needed", None, false));
    }
}
