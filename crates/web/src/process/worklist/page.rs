//! `GET /werklijst`: the worklist page, one block per patient, a page of patients at a time:
//! the practice's (`weergave=praktijk`), the user's own patients (`mijn-patienten`; the older
//! `mijn=1` too) or the actions assigned to the user (`mijn-taken`, what network
//! professionals always see); one kind of work (`soort`); ordered by due date or by name
//! (`sorteer`); `pagina`.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use kernteam_app::worklist::{Query as ListQuery, Sort, View};
use kernteam_domain::text::count;
use serde::Deserialize;

use super::{blocks, group_code, PatientBlock, GROUPS};
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::pages::{fmt_date, me, render, Me};
use crate::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    /// `praktijk`, `mijn-patienten` or `mijn-taken`.
    weergave: Option<String>,
    /// `1`: only the patients whose care team the user is on (older links).
    mijn: Option<String>,
    /// A group code of [`GROUPS`]; anything else shows every group.
    soort: Option<String>,
    /// `datum` (default) or `naam`.
    sorteer: Option<String>,
    pagina: Option<String>,
    /// What was just done (`afgevinkt`, `uitgesteld`).
    melding: Option<String>,
}

impl PageQuery {
    fn view(&self) -> View {
        match self.weergave.as_deref() {
            Some("mijn-patienten") => View::MyPatients,
            Some("mijn-taken") => View::MyTasks,
            Some("praktijk") => View::Practice,
            _ if self.mijn.as_deref().is_some_and(|v| !v.is_empty() && v != "0") => View::MyPatients,
            _ => View::Practice,
        }
    }
}

pub fn view_code(v: View) -> &'static str {
    match v {
        View::Practice => "praktijk",
        View::MyPatients => "mijn-patienten",
        View::MyTasks => "mijn-taken",
    }
}

#[derive(Template)]
#[template(path = "worklist.html")]
struct WorklistPage {
    me: Option<Me>,
    flash: Option<String>,
    csrf: String,
    practice_staff: bool,
    view: &'static str,
    soort: String,
    sort: &'static str,
    kinds: Vec<(&'static str, &'static str)>,
    summary: String,
    blocks: Vec<PatientBlock>,
    page: usize,
    pages: usize,
    /// The query of this page (without the page number), for links and the forms' return.
    base_query: String,
    today: String,
    snooze_default: String,
    snooze_max: String,
}

pub async fn page(State(state): State<AppState>, cu: CurrentUser, Query(q): Query<PageQuery>) -> AppResult<Response> {
    let viewer = state.app.worklist_viewer(&cu.actor()).await?;
    let practice_staff = viewer.is_practice_staff();
    let soort = group_code(q.soort.as_deref());
    let sort = if q.sorteer.as_deref() == Some("naam") {
        Sort::Name
    } else {
        Sort::Due
    };
    let page_no = q.pagina.as_deref().and_then(|p| p.parse().ok()).unwrap_or(1);
    let list = state
        .app
        .worklist(
            &viewer,
            &ListQuery {
                view: q.view(),
                group: soort,
                sort,
                page: page_no,
            },
        )
        .await?;
    let sort_code = if sort == Sort::Name { "naam" } else { "datum" };
    let base_query = serde_urlencoded::to_string([
        ("weergave", view_code(list.view)),
        ("soort", soort.unwrap_or("")),
        ("sorteer", sort_code),
    ])
    .unwrap_or_default();
    let summary = format!(
        "{}, {}, waarvan {} dringend.",
        count(list.total_patients, "patiënt", "patiënten"),
        count(list.total_items, "punt", "punten"),
        list.urgent
    );
    let day = kernteam_app::today();
    render(&WorklistPage {
        me: Some(me(&state, &cu).await?),
        flash: match q.melding.as_deref() {
            Some("afgevinkt") => Some("Het punt is afgevinkt.".into()),
            Some("actie-afgerond") => Some("De actie is afgerond; het zorgplan heeft een nieuwe versie.".into()),
            Some("uitgesteld") => Some("Het punt is uitgesteld.".into()),
            _ => None,
        },
        csrf: cu.csrf.clone(),
        practice_staff,
        view: view_code(list.view),
        soort: soort.unwrap_or("").to_string(),
        sort: sort_code,
        kinds: GROUPS.to_vec(),
        summary,
        blocks: blocks(&list.patients),
        page: list.page,
        pages: list.pages,
        base_query,
        today: fmt_date(day),
        snooze_default: (day + chrono::Duration::days(7)).to_string(),
        snooze_max: (day + chrono::Duration::days(kernteam_domain::worklist::MAX_SNOOZE_DAYS)).to_string(),
    })
}
