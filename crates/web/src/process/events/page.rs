//! `GET /patienten/{id}/gebeurtenissen`: the events with their handover clock, the form
//! for a new event and the MDOs that discussed the patient. The form posts re-render it
//! with their errors ([`render_with_errors`]), from a fresh, audited read.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Local, Utc};
use kernteam_app::gate::Visible;
use kernteam_app::Action;
use kernteam_domain::access::practice_permissions;
use kernteam_domain::events::{EventKind, MdoLevel};
use serde::Deserialize;

use super::{event_view, local_text};
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::pages::{fmt_date, me, render, FlashQuery, Me};
use crate::AppState;

pub struct EventRow {
    pub id: i64,
    pub record: crate::process::corrections::RecordStatus,
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
    /// For the correction form: the kind's code, the local date and time.
    pub kind_code: &'static str,
    pub date_iso: String,
    pub time: String,
    /// The handovers sent for it, oldest first.
    pub documents: Vec<SentRow>,
}

/// A handover as sent, on the page.
pub struct SentRow {
    pub id: i64,
    /// Empty for a tick of the old tick box.
    pub organisation: String,
    pub at: String,
    pub by: String,
    pub late: bool,
    /// A tick of the old tick box: no document, no recipient.
    pub legacy: bool,
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
    banner: crate::pages::banner::Banner,
    can_record: bool,
    practice_staff: bool,
    errors: Vec<String>,
    form: EventForm,
    kinds: Vec<(&'static str, &'static str)>,
    events: Vec<EventRow>,
    /// The organisations a handover can be sent to: (id, "name (kind)").
    recipients: Vec<(i64, String)>,
    /// Why an uploaded discharge letter was refused, each problem on its own.
    import_errors: Vec<String>,
    mdo: Vec<MdoRow>,
    now_date: String,
    now_time: String,
}

fn flash(code: Option<&str>) -> Option<String> {
    Some(
        match code? {
            "vastgelegd" => "De gebeurtenis is vastgelegd.",
            "overdracht" => "De overdracht is verstuurd en bewaard.",
            "ontslagbericht" => {
                "Het ontslagbericht is ingelezen: het ontslag is vastgelegd en de 24-uursklok van de overdracht loopt."
            }
            "ingetrokken" => "De gebeurtenis is ingetrokken; ze telt niet meer mee.",
            "gecorrigeerd" => "De gebeurtenis is gecorrigeerd; de vorige versie is bewaard.",
            _ => return None,
        }
        .to_string(),
    )
}

async fn events_page(
    state: &AppState,
    cu: &CurrentUser,
    v: &Visible,
    form: EventForm,
    errors: Vec<String>,
    import_errors: Vec<String>,
    flash: Option<String>,
) -> AppResult<EventsPage> {
    let app = &state.app;
    let now = Utc::now();
    let local = now.with_timezone(&Local);
    let corrections = app
        .corrections(v, kernteam_store::program::RecordKind::CareEvent)
        .await?;
    let sent = app.handovers(v).await?;
    let events = app
        .events(v)
        .await?
        .iter()
        .map(|stored| {
            let e = event_view(stored, &sent, now);
            EventRow {
                id: e.id,
                record: crate::process::corrections::status_of(
                    &corrections,
                    e.id,
                    stored.withdrawn,
                    kernteam_app::App::may_correct(v, stored.recorded_by),
                ),
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
                kind_code: e.kind.code(),
                date_iso: e
                    .occurred_at
                    .with_timezone(&chrono::Local)
                    .format("%Y-%m-%d")
                    .to_string(),
                time: e.occurred_at.with_timezone(&chrono::Local).format("%H:%M").to_string(),
                documents: sent
                    .iter()
                    .filter(|h| h.event_id == e.id)
                    .map(|h| SentRow {
                        id: h.id,
                        organisation: h.organisation.clone().unwrap_or_default(),
                        at: local_text(h.sent_at),
                        by: h.sent_by.clone().unwrap_or_default(),
                        late: h.late,
                        legacy: !h.has_document,
                    })
                    .collect(),
            }
        })
        .collect();
    let mdo = app
        .mdo_history(v)
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
    let user = v.actor().user();
    Ok(EventsPage {
        me: Some(me(state, cu).await?),
        flash,
        csrf: cu.csrf.clone(),
        patient_id: v.patient().id,
        banner: crate::pages::banner::Banner::load(state, v).await?,
        can_record: v.access().contribute,
        practice_staff: practice_permissions(user.role, user.is_admin).staff,
        errors,
        form,
        kinds: EventKind::ALL.iter().map(|k| (k.code(), k.label())).collect(),
        events,
        recipients: app
            .handover_recipients(v)
            .await?
            .into_iter()
            .map(|o| (o.id, format!("{} ({})", o.name, o.kind.label().to_lowercase())))
            .collect(),
        import_errors,
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
    let v = state.app.visible(&cu.actor(), id, Action::ViewEvents, None).await?;
    let page = events_page(
        &state,
        &cu,
        &v,
        EventForm::default(),
        Vec::new(),
        Vec::new(),
        flash(q.melding.as_deref()),
    )
    .await?;
    render(&page)
}

/// The page again after refused input (422), with what was typed and the errors. `v` is
/// a fresh read of the record (`App::reread`), so showing it again is in the audit log.
pub async fn render_with_errors(
    state: &AppState,
    cu: &CurrentUser,
    v: &Visible,
    form: EventForm,
    errors: Vec<String>,
) -> AppResult<Response> {
    let page = events_page(state, cu, v, form, errors, Vec::new(), None).await?;
    let mut resp = render(&page)?;
    *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(resp)
}

/// The page again after a refused discharge letter (422), with each problem listed beside
/// the upload form. `v` is a fresh read of the record.
pub async fn render_with_import_errors(
    state: &AppState,
    cu: &CurrentUser,
    v: &Visible,
    errors: Vec<String>,
) -> AppResult<Response> {
    let page = events_page(state, cu, v, EventForm::default(), Vec::new(), errors, None).await?;
    let mut resp = render(&page)?;
    *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(resp)
}
