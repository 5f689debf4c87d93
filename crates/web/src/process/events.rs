//! Events around a frail elder — SEH referral, ELV admission, hospital admission and
//! discharge, Wlz crisis admission, fall — at `/patienten/{id}/gebeurtenissen`, with the
//! 24-hour handover clock of admissions and discharges (`kernteam_domain::events::handover`)
//! and the patient's MDO history. The JSON API handlers live here too and share the
//! validation and the audit records with the page.
//!
//! Times are stored as RFC 3339 in UTC. The form takes a local date and time: the
//! machine's local time zone (`chrono::Local`, Europe/Amsterdam in production) decides
//! what they mean, with summer time.

use askama::Template;
use axum::extract::{Path, Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Duration, Local, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use kernteam_domain::access::Scope;
use kernteam_domain::events::{handover, EventKind, Handover, MdoLevel};
use kernteam_store::program::CareEvent;
use serde::{Deserialize, Serialize};

use crate::api::{ApiResult, Body, Id};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::pages::{fmt_date, me, render, FlashQuery, Me};
use crate::patients::{allowed, audit, Allowed};
use crate::records::require;
use crate::AppState;

/// The page routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/patienten/{id}/gebeurtenissen", get(page).post(record))
        .route("/patienten/{id}/gebeurtenissen/{event}/overdracht", post(handover_sent))
}

/// Longest notes of an event.
const MAX_NOTES: usize = 4000;
/// How far ahead of the server's clock a time may lie (clocks of devices drift).
const CLOCK_SLACK: Duration = Duration::minutes(5);

// ---------------------------------------------------------------------------------------
// Time: local form input, UTC storage.

/// A time as stored: RFC 3339 in UTC with seconds.
pub fn stored_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Reads a stored RFC 3339 time.
pub fn parse_stored_time(s: &str) -> AppResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| AppError::Internal(anyhow::anyhow!("stored time '{s}' unreadable: {e}")))
}

/// A UTC time as the page shows it: local `dd-mm-jjjj uu:mm`.
pub fn local_text(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local).format("%d-%m-%Y %H:%M").to_string()
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

/// An RFC 3339 time from the API (any offset), as UTC.
pub fn rfc3339_input(s: &str, what: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("{what}: geef een tijdstip in RFC 3339, bijvoorbeeld 2027-03-01T14:30:00+01:00."))
}

/// Times before this are typing errors.
fn earliest() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0)
        .single()
        .expect("a valid time")
}

// ---------------------------------------------------------------------------------------
// Shared logic of the page and the API.

/// A new event, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub kind: EventKind,
    pub occurred_at: DateTime<Utc>,
    pub notes: Option<String>,
}

/// The rules of an event: a known kind, a time that is not in the future, bounded notes.
/// `occurred_at` is the parsed time or the message why it could not be read. Every problem
/// is listed.
pub fn validate_event(
    kind: &str,
    occurred_at: Result<DateTime<Utc>, String>,
    notes: Option<String>,
    now: DateTime<Utc>,
) -> AppResult<NewEvent> {
    let mut errors = Vec::new();
    let kind = EventKind::from_code(kind.trim());
    if kind.is_none() {
        errors.push("Kies wat er gebeurde.".to_string());
    }
    let at = match occurred_at {
        Ok(t) if t > now + CLOCK_SLACK => {
            errors.push("Het tijdstip van de gebeurtenis ligt in de toekomst.".to_string());
            None
        }
        Ok(t) if t < earliest() => {
            errors.push("Het tijdstip van de gebeurtenis ligt vóór 2000; controleer het jaar.".to_string());
            None
        }
        Ok(t) => Some(t),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let notes = notes.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    if notes.as_ref().is_some_and(|n| n.chars().count() > MAX_NOTES) {
        errors.push(format!("De toelichting mag hoogstens {MAX_NOTES} tekens lang zijn."));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(NewEvent {
        kind: kind.expect("no errors, so a kind"),
        occurred_at: at.expect("no errors, so a time"),
        notes,
    })
}

/// An event with its handover clock, as the page and the API show it.
#[derive(Debug, Clone, Serialize)]
pub struct EventView {
    pub id: i64,
    /// The kind's code, e.g. `ontslag_ziekenhuis`.
    #[serde(serialize_with = "kind_code")]
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
#[derive(Debug, Clone, Serialize)]
pub struct HandoverView {
    /// `not_needed`, `open`, `overdue`, `sent_in_time` or `sent_late`.
    pub status: &'static str,
    /// Dutch label.
    pub label: &'static str,
    /// When it must be sent: 24 hours after the event (absent when not needed).
    pub due: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
    /// Sent after the 24 hours, or not sent and past them.
    pub late: bool,
}

impl HandoverView {
    fn of(kind: EventKind, at: DateTime<Utc>, sent: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Self {
        let h = handover(kind, at, sent, now);
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
            due: kind
                .needs_handover()
                .then(|| at + kernteam_domain::events::HANDOVER_LIMIT),
            sent_at: sent,
            late: h.is_late(),
        }
    }

    pub fn needed(&self) -> bool {
        self.status != "not_needed"
    }

    pub fn sent(&self) -> bool {
        self.sent_at.is_some()
    }
}

/// A stored event with its handover clock at `now`.
pub fn event_view(e: &CareEvent, now: DateTime<Utc>) -> AppResult<EventView> {
    let kind = EventKind::from_code(&e.kind)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("stored event kind '{}' unknown", e.kind)))?;
    let at = parse_stored_time(&e.occurred_at)?;
    let sent = e.handover_sent_at.as_deref().map(parse_stored_time).transpose()?;
    Ok(EventView {
        id: e.id,
        kind,
        label: kind.label(),
        occurred_at: at,
        notes: e.notes.clone(),
        handover: HandoverView::of(kind, at, sent, now),
    })
}

/// The patient's events, newest first.
pub async fn patient_events(state: &AppState, patient_id: i64, now: DateTime<Utc>) -> AppResult<Vec<EventView>> {
    state
        .db
        .events(patient_id)
        .await?
        .iter()
        .map(|e| event_view(e, now))
        .collect()
}

/// Records an event (anyone who may contribute to the record). Returns its id.
pub async fn record_event(state: &AppState, cu: &CurrentUser, a: &Allowed, ev: &NewEvent) -> AppResult<i64> {
    require(a.access.contribute)?;
    let id = state
        .db
        .add_event(
            a.patient.id,
            ev.kind.code(),
            &stored_time(ev.occurred_at),
            ev.notes.as_deref(),
            cu.user.id,
        )
        .await?;
    audit(
        state,
        cu,
        Some(&a.patient),
        "gebeurtenis vastgelegd",
        Some(format!("{} op {}", ev.kind.label(), stored_time(ev.occurred_at))),
    )
    .await?;
    Ok(id)
}

/// Records that the handover of an event (care plan, PZP, medication) was sent at
/// `sent_at` (the parsed time or why it could not be read; `None`: now). 404 when the
/// event is not this patient's; 422 when the event needs no handover or the time is
/// before the event or in the future; 409 when it was already recorded.
pub async fn mark_handover(
    state: &AppState,
    cu: &CurrentUser,
    a: &Allowed,
    event_id: i64,
    sent_at: Option<Result<DateTime<Utc>, String>>,
    now: DateTime<Utc>,
) -> AppResult<EventView> {
    require(a.access.contribute)?;
    let stored = state
        .db
        .events(a.patient.id)
        .await?
        .into_iter()
        .find(|e| e.id == event_id)
        .ok_or(AppError::NotFound)?;
    let event = event_view(&stored, now)?;
    if !event.handover.needed() {
        return Err(AppError::invalid(format!(
            "Bij een {} hoort geen overdracht.",
            event.kind.label().to_lowercase()
        )));
    }
    if let Some(sent) = event.handover.sent_at {
        return Err(AppError::Conflict(format!(
            "De overdracht is al als verstuurd vastgelegd ({}).",
            local_text(sent)
        )));
    }
    let sent = match sent_at.unwrap_or(Ok(now)) {
        Ok(t) if t > now + CLOCK_SLACK => Err("Het tijdstip van versturen ligt in de toekomst.".to_string()),
        Ok(t) if t < event.occurred_at => Err(format!(
            "Het tijdstip van versturen ligt vóór de gebeurtenis ({}).",
            local_text(event.occurred_at)
        )),
        other => other,
    }
    .map_err(AppError::invalid)?;
    state
        .db
        .mark_handover_sent(a.patient.id, event_id, &stored_time(sent))
        .await?;
    audit(
        state,
        cu,
        Some(&a.patient),
        "overdracht verstuurd vastgelegd",
        Some(format!(
            "{} van {}: verstuurd {}",
            event.kind.label(),
            stored_time(event.occurred_at),
            stored_time(sent)
        )),
    )
    .await?;
    let mut updated = stored;
    updated.handover_sent_at = Some(stored_time(sent));
    event_view(&updated, now)
}

/// One discussion of the patient in an MDO.
#[derive(Debug, Clone, Serialize)]
pub struct MdoDiscussion {
    pub meeting_id: i64,
    pub date: NaiveDate,
    /// `praktijk` or `netwerk`.
    pub level: String,
    pub reason: Option<String>,
    pub discussed: bool,
    pub minutes: Option<String>,
}

/// The MDOs whose agenda held the patient, newest first.
pub async fn mdo_history(state: &AppState, patient_id: i64) -> AppResult<Vec<MdoDiscussion>> {
    Ok(state
        .db
        .patient_meetings(patient_id)
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

// ---------------------------------------------------------------------------------------
// The page.

pub struct EventRow {
    pub id: i64,
    pub kind: &'static str,
    pub at: String,
    pub notes: String,
    pub needs_handover: bool,
    pub sent: bool,
    pub status: &'static str,
    pub status_code: &'static str,
    pub late: bool,
    pub due: String,
    pub sent_at: String,
}

pub struct MdoRow {
    pub meeting_id: i64,
    pub date: String,
    pub level: &'static str,
    pub reason: String,
    pub discussed: bool,
    pub minutes: String,
}

/// What was typed into the event form, to show again with the errors.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct EventForm {
    pub kind: String,
    pub date: String,
    pub time: String,
    pub notes: Option<String>,
}

#[derive(Template)]
#[template(path = "events.html")]
struct EventsPage {
    me: Option<Me>,
    flash: Option<String>,
    csrf: String,
    patient_id: i64,
    name: String,
    can_record: bool,
    practice_staff: bool,
    errors: Vec<String>,
    form: EventForm,
    kinds: Vec<(&'static str, &'static str)>,
    events: Vec<EventRow>,
    mdo: Vec<MdoRow>,
    now_date: String,
    now_time: String,
}

fn flash(code: Option<&str>) -> Option<String> {
    Some(
        match code? {
            "vastgelegd" => "De gebeurtenis is vastgelegd.",
            "overdracht" => "Het versturen van de overdracht is vastgelegd.",
            _ => return None,
        }
        .to_string(),
    )
}

async fn events_page(
    state: &AppState,
    cu: &CurrentUser,
    a: &Allowed,
    form: EventForm,
    errors: Vec<String>,
    flash: Option<String>,
) -> AppResult<EventsPage> {
    let now = Utc::now();
    let local = now.with_timezone(&Local);
    let events = patient_events(state, a.patient.id, now)
        .await?
        .into_iter()
        .map(|e| EventRow {
            id: e.id,
            kind: e.kind.label(),
            at: local_text(e.occurred_at),
            notes: e.notes.unwrap_or_default(),
            needs_handover: e.handover.needed(),
            sent: e.handover.sent(),
            status: e.handover.label,
            status_code: e.handover.status,
            late: e.handover.late,
            due: e.handover.due.map(local_text).unwrap_or_default(),
            sent_at: e.handover.sent_at.map(local_text).unwrap_or_default(),
        })
        .collect();
    let mdo = mdo_history(state, a.patient.id)
        .await?
        .into_iter()
        .map(|m| MdoRow {
            meeting_id: m.meeting_id,
            date: fmt_date(m.date),
            level: MdoLevel::from_code(&m.level).map_or("MDO", |l| l.label()),
            reason: m.reason.unwrap_or_default(),
            discussed: m.discussed,
            minutes: m.minutes.unwrap_or_default(),
        })
        .collect();
    Ok(EventsPage {
        me: Some(me(state, cu).await?),
        flash,
        csrf: cu.csrf.clone(),
        patient_id: a.patient.id,
        name: super::person_name(state, &a.patient).await?,
        can_record: a.access.contribute,
        practice_staff: cu.user.role.scope() == Scope::Practice,
        errors,
        form,
        kinds: EventKind::ALL.iter().map(|k| (k.code(), k.label())).collect(),
        events,
        mdo,
        now_date: local.format("%Y-%m-%d").to_string(),
        now_time: local.format("%H:%M").to_string(),
    })
}

/// `GET /patienten/{id}/gebeurtenissen`.
pub async fn page(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<FlashQuery>,
) -> AppResult<Response> {
    let a = allowed(&state, &cu, id).await?;
    audit(&state, &cu, Some(&a.patient), "gebeurtenissen ingezien", None).await?;
    let page = events_page(
        &state,
        &cu,
        &a,
        EventForm::default(),
        Vec::new(),
        flash(q.melding.as_deref()),
    )
    .await?;
    render(&page)
}

fn unprocessable(mut resp: Response) -> Response {
    *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    resp
}

/// `POST /patienten/{id}/gebeurtenissen`.
pub async fn record(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let a = allowed(&state, &cu, id).await?;
    require(a.access.contribute)?;
    let form: EventForm =
        serde_urlencoded::from_bytes(&body).map_err(|_| AppError::invalid("Het formulier is onleesbaar."))?;
    let at = local_input(&form.date, &form.time, "Tijdstip");
    let outcome = match validate_event(&form.kind, at, form.notes.clone(), Utc::now()) {
        Ok(ev) => record_event(&state, &cu, &a, &ev).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/patienten/{id}/gebeurtenissen?melding=vastgelegd")).into_response()),
        Err(AppError::Invalid(mut errors)) => {
            errors.push("De gebeurtenis is niet vastgelegd; controleer de invoer.".into());
            let page = events_page(&state, &cu, &a, form, errors, None).await?;
            Ok(unprocessable(render(&page)?))
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SentForm {
    date: String,
    time: String,
}

/// `POST /patienten/{id}/gebeurtenissen/{event}/overdracht`: "verstuurd", now or at the
/// given local date and time.
pub async fn handover_sent(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path((id, event)): Path<(i64, i64)>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let a = allowed(&state, &cu, id).await?;
    require(a.access.contribute)?;
    let form: SentForm =
        serde_urlencoded::from_bytes(&body).map_err(|_| AppError::invalid("Het formulier is onleesbaar."))?;
    let sent_at = if form.date.trim().is_empty() && form.time.trim().is_empty() {
        None
    } else {
        Some(local_input(&form.date, &form.time, "Verstuurd op"))
    };
    match mark_handover(&state, &cu, &a, event, sent_at, Utc::now()).await {
        Ok(_) => Ok(Redirect::to(&format!("/patienten/{id}/gebeurtenissen?melding=overdracht")).into_response()),
        Err(AppError::Invalid(mut errors)) => {
            errors.push("Het versturen van de overdracht is niet vastgelegd.".into());
            let page = events_page(&state, &cu, &a, EventForm::default(), errors, None).await?;
            Ok(unprocessable(render(&page)?))
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------------------------------
// The JSON API.

#[derive(Debug, Serialize)]
pub struct ApiEvents {
    /// Newest first.
    events: Vec<EventView>,
    /// Whether the signed-in user may record events and handovers.
    can_record: bool,
}

/// `GET /api/v1/patients/{id}/events`.
pub async fn api_list(State(state): State<AppState>, cu: CurrentUser, Id(id): Id<i64>) -> ApiResult<Json<ApiEvents>> {
    let a = allowed(&state, &cu, id).await?;
    audit(&state, &cu, Some(&a.patient), "gebeurtenissen ingezien", None).await?;
    Ok(Json(ApiEvents {
        events: patient_events(&state, id, Utc::now()).await?,
        can_record: a.access.contribute,
    }))
}

#[derive(Debug, Deserialize)]
pub struct ApiNewEvent {
    kind: String,
    /// RFC 3339 with an offset.
    occurred_at: String,
    #[serde(default)]
    notes: Option<String>,
}

/// `POST /api/v1/patients/{id}/events`: 201 with the event.
pub async fn api_record(
    State(state): State<AppState>,
    cu: CurrentUser,
    Id(id): Id<i64>,
    body: Body<ApiNewEvent>,
) -> ApiResult<Response> {
    let a = allowed(&state, &cu, id).await?;
    require(a.access.contribute)?;
    let body = body.parse()?;
    let now = Utc::now();
    let ev = validate_event(
        &body.kind,
        rfc3339_input(&body.occurred_at, "occurred_at"),
        body.notes,
        now,
    )?;
    let event_id = record_event(&state, &cu, &a, &ev).await?;
    let view = patient_events(&state, id, now)
        .await?
        .into_iter()
        .find(|e| e.id == event_id)
        .ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ApiSent {
    /// RFC 3339; absent or null: now.
    sent_at: Option<String>,
}

/// `POST /api/v1/patients/{id}/events/{event}/handover`: the event with its handover.
pub async fn api_handover(
    State(state): State<AppState>,
    cu: CurrentUser,
    Id((id, event)): Id<(i64, i64)>,
    body: axum::body::Bytes,
) -> ApiResult<Json<EventView>> {
    let a = allowed(&state, &cu, id).await?;
    let body: ApiSent = if body.iter().all(u8::is_ascii_whitespace) {
        ApiSent::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| AppError::invalid(format!("De JSON heeft niet de verwachte vorm: {e}")))?
    };
    let sent_at = body.sent_at.map(|s| rfc3339_input(&s, "sent_at"));
    Ok(Json(mark_handover(&state, &cu, &a, event, sent_at, Utc::now()).await?))
}

#[derive(Debug, Serialize)]
pub struct ApiMdoHistory {
    /// Newest first.
    meetings: Vec<MdoDiscussion>,
}

/// `GET /api/v1/patients/{id}/mdo`: the MDOs that discussed the patient (also for the
/// network professionals on the care team, who do not see the practice's MDO pages).
pub async fn api_mdo_history(
    State(state): State<AppState>,
    cu: CurrentUser,
    Id(id): Id<i64>,
) -> ApiResult<Json<ApiMdoHistory>> {
    let a = allowed(&state, &cu, id).await?;
    audit(&state, &cu, Some(&a.patient), "MDO-besprekingen ingezien", None).await?;
    Ok(Json(ApiMdoHistory {
        meetings: mdo_history(&state, id).await?,
    }))
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
    fn an_event_lists_every_problem() {
        let now = t("2027-03-01T12:00:00Z");
        let e = validate_event(
            "vakantie",
            Ok(t("2027-03-02T12:00:00Z")),
            Some("x".repeat(MAX_NOTES + 1)),
            now,
        )
        .unwrap_err();
        let AppError::Invalid(list) = e else { panic!("{e:?}") };
        assert_eq!(
            list,
            [
                "Kies wat er gebeurde.",
                "Het tijdstip van de gebeurtenis ligt in de toekomst.",
                "De toelichting mag hoogstens 4000 tekens lang zijn.",
            ]
        );
        let ok = validate_event(
            " ontslag_ziekenhuis ",
            Ok(t("2027-03-01T06:00:00Z")),
            Some("  ".into()),
            now,
        )
        .unwrap();
        assert_eq!(ok.kind, EventKind::HospitalDischarge);
        assert_eq!(ok.notes, None);
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
