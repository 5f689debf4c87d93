//! `/patienten`: the practice's registered 75+ for practice staff, the patients whose care
//! team they are on for network professionals.
//!
//! The search words never go into a URL: the search form posts them (`POST /patienten`),
//! the server holds them and redirects to `/patienten?zoekopdracht=<reference>`, which
//! only the same user can use. Filter and page are not patient data and stay in the URL.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use kernteam_app::practice_list::{list_filter, ListRequest, LIST_FILTERS};
use kernteam_domain::access::Scope;
use kernteam_domain::dates::age_on;

use super::{fmt_date, me, render, Me};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::patients::today;
use crate::AppState;

pub const PAGE_SIZE: usize = 50;

pub struct Row {
    pub id: i64,
    pub name: String,
    pub birth: String,
    pub age: i32,
    pub frail: bool,
    pub medicines: usize,
    pub polypharmacy: bool,
    pub wlz: String,
    pub status: &'static str,
    pub status_code: &'static str,
    pub care_plan: bool,
    pub first_contact: String,
}

#[derive(Template)]
#[template(path = "patients.html")]
struct ListPage {
    me: Option<Me>,
    flash: Option<String>,
    csrf: String,
    heading: String,
    /// A network professional's list: no practice columns (frailty, Wlz, status).
    network: bool,
    extract_date: Option<String>,
    show_filters: bool,
    q: String,
    filter: String,
    filters: Vec<(&'static str, &'static str)>,
    rows: Vec<Row>,
    total: usize,
    page: usize,
    pages: usize,
    link_prev: String,
    link_next: String,
}

impl ListPage {
    /// "1 patiënt", "12 patiënten".
    fn total_text(&self) -> String {
        kernteam_domain::text::count(self.total, "patiënt", "patiënten")
    }
}

/// The list's URL parameters: no search words, only the reference to a held search.
#[derive(serde::Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    pub filter: String,
    pub zoekopdracht: Option<String>,
    pub pagina: Option<usize>,
}

/// The search form as posted.
#[derive(serde::Deserialize, Default)]
pub struct SearchForm {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub filter: String,
}

fn link(filter: &str, search: Option<&str>, page: Option<usize>) -> String {
    let mut pairs = vec![("filter", filter.to_string())];
    if let Some(r) = search {
        pairs.push(("zoekopdracht", r.to_string()));
    }
    if let Some(p) = page {
        pairs.push(("pagina", p.to_string()));
    }
    format!("/patienten?{}", serde_urlencoded::to_string(pairs).unwrap_or_default())
}

/// POST /patienten: holds the search words and shows the list with them.
pub async fn search_patients(
    State(state): State<AppState>,
    cu: CurrentUser,
    Form(form): Form<SearchForm>,
) -> AppResult<Response> {
    let staff = state.app.practice_staff(&cu.actor()).await?;
    let filter = list_filter(&form.filter).unwrap_or("alle");
    let reference = state.app.hold_search(&staff, &form.q)?;
    Ok(Redirect::to(&link(filter, reference.as_deref(), None)).into_response())
}

/// GET /patienten
pub async fn patient_list(
    State(state): State<AppState>,
    cu: CurrentUser,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    let me = me(&state, &cu).await?;
    let empty = |heading: &str| ListPage {
        me: None,
        flash: None,
        csrf: cu.csrf.clone(),
        heading: heading.to_string(),
        network: false,
        extract_date: None,
        show_filters: false,
        q: String::new(),
        filter: String::new(),
        filters: Vec::new(),
        rows: Vec::new(),
        total: 0,
        page: 1,
        pages: 1,
        link_prev: String::new(),
        link_next: String::new(),
    };
    let actor = cu.actor();
    match cu.user.role.scope() {
        Scope::Region => Err(AppError::Forbidden),
        Scope::Portal => Err(AppError::NotFound),
        Scope::Network => {
            let member = state.app.network_member(&actor).await?;
            let now = today();
            let rows: Vec<Row> = state
                .app
                .view_shared_list(&member)
                .await?
                .into_iter()
                .map(|s| Row {
                    id: s.patient.id,
                    name: s.person.full_name(),
                    birth: fmt_date(s.person.birth_date),
                    age: age_on(s.person.birth_date, now),
                    frail: false,
                    medicines: s.medicines,
                    polypharmacy: s.medicines >= kernteam_domain::figures::POLYPHARMACY_MIN_MEDICINES,
                    wlz: String::new(),
                    status: "",
                    status_code: "",
                    care_plan: true,
                    first_contact: s.first_contact.map(|m| m.name).unwrap_or_default(),
                })
                .collect();
            render(&ListPage {
                me: Some(me),
                network: true,
                total: rows.len(),
                rows,
                ..empty("Patiënten met wie u in het zorgteam zit")
            })
        }
        Scope::Practice => {
            let staff = state.app.practice_staff(&actor).await?;
            let filter = list_filter(&query.filter).unwrap_or("alle");
            let reference = query.zoekopdracht.as_deref().filter(|r| !r.is_empty());
            let words = reference.and_then(|r| state.app.held_search(&staff, r));
            let flash = (reference.is_some() && words.is_none())
                .then(|| "Deze zoekopdracht is verlopen. Zoek opnieuw; hieronder staat de hele lijst.".to_string());
            let reference = reference.filter(|_| words.is_some());
            let view = state
                .app
                .view_practice_list(
                    &staff,
                    ListRequest {
                        filter,
                        search: words.as_deref(),
                        page: query.pagina.unwrap_or(1),
                        page_size: PAGE_SIZE,
                    },
                )
                .await?;
            let Some(extract_date) = view.extract_date else {
                return render(&ListPage {
                    me: Some(me),
                    filter: filter.to_string(),
                    ..empty("Patiënten")
                });
            };
            let rows = view
                .entries
                .into_iter()
                .map(|e| Row {
                    id: e.row.patient_id,
                    name: e.row.name,
                    birth: fmt_date(e.row.birth_date),
                    age: e.age,
                    frail: e.row.frail,
                    medicines: e.row.medicines,
                    polypharmacy: e.row.polypharmacy,
                    wlz: e.row.wlz_profile.unwrap_or_else(|| "—".into()),
                    status: e.status.label(),
                    status_code: e.status.code(),
                    care_plan: e.care_plan,
                    first_contact: e.first_contact.unwrap_or_else(|| "—".into()),
                })
                .collect();
            render(&ListPage {
                me: Some(me),
                flash,
                heading: "Patiënten 75+".into(),
                extract_date: Some(fmt_date(extract_date)),
                show_filters: true,
                link_prev: link(filter, reference, Some(view.page.saturating_sub(1))),
                link_next: link(filter, reference, Some(view.page + 1)),
                q: words.unwrap_or_default(),
                filter: filter.to_string(),
                filters: LIST_FILTERS.to_vec(),
                rows,
                total: view.total,
                page: view.page,
                pages: view.pages,
                ..empty("")
            })
        }
    }
}
