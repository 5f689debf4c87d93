use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use kernteam_domain::access::Scope;
use kernteam_domain::dates::age_on;

use super::{fmt_date, me, render, Me};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::patients::{audit, care_overlay, practice_list, select_rows, shared_patients, today, LIST_FILTERS};
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
    heading: String,
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

#[derive(serde::Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub filter: String,
    pub pagina: Option<usize>,
}

fn link(q: &str, filter: &str, page: usize) -> String {
    let query =
        serde_urlencoded::to_string([("q", q), ("filter", filter), ("pagina", &page.to_string())]).unwrap_or_default();
    format!("/patienten?{query}")
}

pub async fn patient_list(
    State(state): State<AppState>,
    cu: CurrentUser,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    let now = today();
    let me = me(&state, &cu).await?;
    match cu.user.role.scope() {
        Scope::Region => Err(AppError::Forbidden),
        Scope::Network => {
            let rows: Vec<Row> = shared_patients(&state, cu.user.id)
                .await?
                .into_iter()
                .map(|s| Row {
                    id: s.patient.id,
                    name: s.person.full_name(),
                    birth: fmt_date(s.person.birth_date),
                    age: age_on(s.person.birth_date, now),
                    frail: false,
                    medicines: 0,
                    polypharmacy: false,
                    wlz: String::new(),
                    status: "",
                    status_code: "",
                    care_plan: true,
                    first_contact: s.first_contact.map(|m| m.name).unwrap_or_default(),
                })
                .collect();
            audit(
                &state,
                &cu,
                None,
                "patiëntenlijst bekeken",
                Some(format!("{} gedeelde patiënten", rows.len())),
            )
            .await?;
            let total = rows.len();
            render(&ListPage {
                me: Some(me),
                flash: None,
                heading: "Patiënten met wie u in het zorgteam zit".into(),
                extract_date: None,
                show_filters: false,
                q: String::new(),
                filter: String::new(),
                filters: Vec::new(),
                rows,
                total,
                page: 1,
                pages: 1,
                link_prev: String::new(),
                link_next: String::new(),
            })
        }
        Scope::Practice => {
            let practice_id = cu.user.practice_id.ok_or(AppError::Forbidden)?;
            let filter = if LIST_FILTERS.iter().any(|f| f.0 == query.filter) {
                query.filter.clone()
            } else {
                "alle".into()
            };
            let Some(list) = practice_list(&state, practice_id).await? else {
                return render(&ListPage {
                    me: Some(me),
                    flash: None,
                    heading: "Patiënten".into(),
                    extract_date: None,
                    show_filters: false,
                    q: String::new(),
                    filter,
                    filters: Vec::new(),
                    rows: Vec::new(),
                    total: 0,
                    page: 1,
                    pages: 1,
                    link_prev: String::new(),
                    link_next: String::new(),
                });
            };
            let overlay = care_overlay(&state, practice_id).await?;
            let selected = select_rows(&list, &overlay, &filter, &query.q);
            let total = selected.len();
            let pages = total.div_ceil(PAGE_SIZE).max(1);
            let page = query.pagina.unwrap_or(1).clamp(1, pages);
            let rows = selected
                .into_iter()
                .skip((page - 1) * PAGE_SIZE)
                .take(PAGE_SIZE)
                .map(|r| {
                    let status = overlay.status_of(r.patient_id);
                    Row {
                        id: r.patient_id,
                        name: r.name.clone(),
                        birth: fmt_date(r.birth_date),
                        age: age_on(r.birth_date, now),
                        frail: r.frail,
                        medicines: r.medicines,
                        polypharmacy: r.polypharmacy,
                        wlz: r.wlz_profile.clone().unwrap_or_else(|| "—".into()),
                        status: status.label(),
                        status_code: status.code(),
                        care_plan: overlay.with_care_plan.contains(&r.patient_id),
                        first_contact: overlay
                            .first_contact
                            .get(&r.patient_id)
                            .cloned()
                            .unwrap_or_else(|| "—".into()),
                    }
                })
                .collect::<Vec<_>>();
            audit(
                &state,
                &cu,
                None,
                "patiëntenlijst bekeken",
                Some(format!("filter {filter}, zoekterm '{}', pagina {page}", query.q)),
            )
            .await?;
            render(&ListPage {
                me: Some(me),
                flash: None,
                heading: "Patiënten 75+".into(),
                extract_date: Some(fmt_date(list.extract_date)),
                show_filters: true,
                link_prev: link(&query.q, &filter, page.saturating_sub(1)),
                link_next: link(&query.q, &filter, page + 1),
                q: query.q,
                filter,
                filters: LIST_FILTERS.to_vec(),
                rows,
                total,
                page,
                pages,
            })
        }
    }
}
