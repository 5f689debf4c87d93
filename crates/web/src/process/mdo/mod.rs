//! Multidisciplinary meetings (MDO) of a practice, for its staff: the meetings with counts
//! per quarter (`/mdo`, [`list`]), planning one (date and time, practice or network level,
//! a place or a video link, who is invited by name — the accounts of the practice's
//! clinicians and the network's professionals, the professionals on care teams — and
//! disciplines without a name), the meeting page (`/mdo/{meeting}`, [`meeting`]) with the
//! agenda of patients and their treatment limits (found by name in the practice list, or
//! suggested from the worklist: the page's script, `/static/mdo.js`, puts a suggestion on
//! the agenda in place, the plain form works without it), more invitees
//! (`/mdo/{meeting}/genodigden`, also from the care teams of the patients on the agenda)
//! and the attendance ticked from the invitees, and the minutes per patient
//! (`/mdo/{meeting}/patienten/{id}`, [`minutes`]), whose decisions become actions in the
//! patient's care plan in the same step, each given to a member of the patient's care
//! team and marked as coming from this MDO. The patient's MDO history on their record is
//! [`history`]. The JSON API is in [`api`].
//!
//! Access and audit are `kernteam_app`'s (`App::mdo_meeting`, `App::mdo_organiser`):
//! MDO pages are the practice's, a meeting of another practice answers 404, and every
//! patient shown is a logged read. Network professionals see the MDOs that discussed a
//! patient of theirs on the patient's events page and in `/api/v1/patients/{id}/mdo`.

pub mod api;
mod history;
mod list;
mod meeting;
mod minutes;

pub use history::{history, MdoHistory, MdoHistoryRow};

use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use kernteam_app::mdo::Limits;
use kernteam_domain::events::{discipline_label, MdoLevel};
use kernteam_store::program::Meeting;

use crate::pages::fmt_date;

/// The page routes of this module.
pub fn routes() -> Vec<crate::PageRoute> {
    crate::page_table![
        "/mdo" => get(list::list_page).post(list::plan),
        "/mdo/{meeting}" => get(meeting::meeting_page),
        "/mdo/{meeting}/agenda" => post(meeting::add_patient),
        "/mdo/{meeting}/aanwezigheid" => post(meeting::attendance),
        "/mdo/{meeting}/genodigden" => post(meeting::invite),
        "/mdo/{meeting}/patienten/{id}" => get(minutes::minutes_page).post(minutes::save_minutes),
        "/static/mdo.js" => get(script),
    ]
}

const SCRIPT: &str = include_str!("../../../static/mdo.js");

/// `GET /static/mdo.js`: the meeting page's script (progressive enhancement).
async fn script() -> impl axum::response::IntoResponse {
    (
        [
            (axum::http::header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (axum::http::header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        SCRIPT,
    )
}

fn flash(code: Option<&str>) -> Option<String> {
    Some(
        match code? {
            "gepland" => "Het MDO is gepland.",
            "agenda" => "De patiënt staat op de agenda.",
            "aanwezigheid" => "De aanwezigheid is vastgelegd.",
            "uitgenodigd" => "De uitnodiging is vastgelegd.",
            "verslag" => "Het verslag is vastgelegd.",
            "verslag-zorgplan" => "Het verslag is vastgelegd en de acties staan in het zorgplan.",
            _ => return None,
        }
        .to_string(),
    )
}

fn unprocessable(mut resp: Response) -> Response {
    *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    resp
}

/// The treatment limits as the minutes show them, and whether there are any.
fn limits_text(l: &Limits) -> (String, bool) {
    match l {
        Limits::NoPzp => ("Nog geen PZP vastgelegd".to_string(), false),
        Limits::Agreed(list) if list.is_empty() => ("Geen behandelgrenzen afgesproken".to_string(), false),
        Limits::Agreed(list) => (list.join(" · "), true),
    }
}

fn level_label(code: &str) -> &'static str {
    MdoLevel::from_code(code).map_or("MDO", |l| l.label())
}

pub struct MeetingRow {
    pub id: i64,
    pub date: String,
    /// `hh:mm`, or empty.
    pub time: String,
    pub place: String,
    pub video_link: String,
    pub level: &'static str,
    pub invited: String,
    pub held: bool,
    pub upcoming: bool,
    pub agenda_count: i64,
}

fn meeting_row(m: &Meeting, today: NaiveDate) -> MeetingRow {
    MeetingRow {
        id: m.id,
        date: fmt_date(m.date),
        time: m.time.clone().unwrap_or_default(),
        place: m.place.clone().unwrap_or_default(),
        video_link: m.video_link.clone().unwrap_or_default(),
        level: level_label(&m.level),
        invited: m
            .invited
            .iter()
            .map(|c| discipline_label(c))
            .collect::<Vec<_>>()
            .join(", "),
        held: m.held,
        upcoming: m.date >= today,
        agenda_count: m.agenda_count,
    }
}

/// The repeated fields of a form, in order.
fn all<'a>(pairs: &'a [(String, String)], key: &str) -> Vec<&'a str> {
    pairs
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .collect()
}

fn first(pairs: &[(String, String)], key: &str) -> String {
    all(pairs, key).first().copied().unwrap_or("").to_string()
}
