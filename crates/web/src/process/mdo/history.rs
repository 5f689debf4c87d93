//! A patient's MDO history as their record shows it: every meeting whose agenda held
//! them, newest first, with the reason and the minutes (`partials/mdo_history.html`).

use kernteam_app::gate::Visible;
use kernteam_domain::access::practice_permissions;

use super::level_label;
use crate::error::AppResult;
use crate::pages::fmt_date;
use crate::AppState;

pub struct MdoHistoryRow {
    pub meeting_id: i64,
    pub date: String,
    pub level: &'static str,
    pub reason: String,
    pub discussed: bool,
    pub minutes: String,
}

/// The patient's MDO history and whether the meetings may be opened (practice staff).
pub struct MdoHistory {
    pub rows: Vec<MdoHistoryRow>,
    pub links: bool,
}

/// The MDOs whose agenda held the patient (the record's read covers them).
pub async fn history(state: &AppState, v: &Visible) -> AppResult<MdoHistory> {
    let user = v.actor().user();
    let rows = state
        .app
        .mdo_history(v)
        .await?
        .into_iter()
        .map(|m| MdoHistoryRow {
            meeting_id: m.meeting_id,
            date: fmt_date(m.date),
            level: level_label(&m.level),
            reason: m.reason.unwrap_or_default(),
            discussed: m.discussed,
            minutes: m.minutes.unwrap_or_default(),
        })
        .collect();
    Ok(MdoHistory {
        rows,
        links: practice_permissions(user.role, user.is_admin).staff,
    })
}
