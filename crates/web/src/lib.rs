//! Kernteam's web application: server-rendered Dutch pages (askama templates compiled into
//! the binary, static assets embedded) and a JSON API beside them under `/api/v1`, both
//! under the same access rules (`kernteam_domain::access`) and with an audit record for
//! every read or change of patient data.

pub mod api;
pub mod auth;
pub mod charts;
pub mod client_addr;
pub mod error;
pub mod fhir;
pub mod pages;
pub mod patients;
pub mod portal;
pub mod process;
pub mod two_factor;
mod two_factor_email;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::http::{header, HeaderValue};
use axum::response::IntoResponse;
use axum::Router;
use kernteam_store::Db;

pub use auth::{hash_password, CurrentUser};
pub use error::{AppError, AppResult};

#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Cookies with `Secure` and HSTS: set when Kernteam is served over TLS (directly or
    /// behind a TLS-terminating proxy).
    pub secure_cookies: bool,
    pub idle_timeout: chrono::Duration,
    pub absolute_timeout: chrono::Duration,
    /// Roles that can see patient data, and administrators, must sign in with a second
    /// factor (TOTP). On by default; only the synthetic-data demo ([`WebConfig::demo`])
    /// leaves it to the user.
    pub require_two_factor: bool,
    /// Reverse proxies whose `X-Forwarded-For` names the client (`--trusted-proxy`).
    pub trusted_proxies: Vec<client_addr::TrustedNet>,
    /// The frailty deficits of case finding (`--code-list`); the embedded default list
    /// unless a region gives its own.
    pub frailty_codes: Arc<kernteam_domain::frailty::CodeList>,
    /// E-mail through an SMTP server (`--smtp-url`): content-free notifications and the
    /// portal's sign-in by e-mailed code. `None`: no e-mail at all.
    pub mailer: Option<kernteam_app::mail::Mailer>,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            idle_timeout: chrono::Duration::minutes(30),
            absolute_timeout: chrono::Duration::hours(12),
            require_two_factor: true,
            trusted_proxies: Vec::new(),
            frailty_codes: Arc::new(kernteam_domain::frailty::CodeList::default_list()),
            mailer: None,
        }
    }
}

impl WebConfig {
    /// The synthetic-data demo (and tests of other things than sign-in): the second factor
    /// is optional.
    pub fn demo() -> Self {
        WebConfig {
            require_two_factor: false,
            ..WebConfig::default()
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    /// The use cases and the access gate: every read and change of patient data.
    pub app: kernteam_app::App,
    pub db: Db,
    pub config: Arc<WebConfig>,
    pub throttle: Arc<auth::Throttle>,
    /// Signs the sign-in form's CSRF cookie; new at every start.
    pub login_csrf_key: Arc<[u8; 32]>,
}

impl AppState {
    pub fn new(db: Db, config: WebConfig) -> Self {
        AppState {
            app: kernteam_app::App::new(db.clone())
                .with_frailty_codes(config.frailty_codes.clone())
                .with_mailer(config.mailer.clone()),
            db,
            config: Arc::new(config),
            throttle: Arc::new(auth::Throttle::default()),
            login_csrf_key: Arc::new(auth::random_key()),
        }
    }
}

const STYLE: &str = include_str!("../static/style.css");
const SCRIPT: &str = include_str!("../static/app.js");

async fn style() -> impl IntoResponse {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
        ],
        STYLE,
    )
}

async fn script() -> impl IntoResponse {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
        ],
        SCRIPT,
    )
}

/// One page route: its path, its methods (upper case) and their handlers. [`router`] is
/// built from the list of these and [`page_routes`] reads the same list, so the route
/// table that tests check cannot differ from the routes served.
pub struct PageRoute {
    pub path: &'static str,
    pub methods: Vec<&'static str>,
    handler: axum::routing::MethodRouter<AppState>,
}

impl PageRoute {
    #[doc(hidden)]
    pub fn new(path: &'static str, methods: Vec<&'static str>, handler: axum::routing::MethodRouter<AppState>) -> Self {
        PageRoute { path, methods, handler }
    }
}

/// The HTTP method of an `axum::routing` function name (`get` → `GET`).
#[doc(hidden)]
pub fn method_name(function: &'static str) -> &'static str {
    match function {
        "get" => "GET",
        "post" => "POST",
        "put" => "PUT",
        "delete" => "DELETE",
        "patch" => "PATCH",
        "head" => "HEAD",
        "options" => "OPTIONS",
        other => panic!("page_table!: '{other}' is no HTTP method"),
    }
}

/// Page routes as `"/path" => get(handler).post(other)`: each becomes a [`PageRoute`]
/// with the methods named, so that registering a route also records it.
macro_rules! page_table {
    ($($path:literal => $method:ident($handler:expr) $(. $more:ident($more_handler:expr))*),* $(,)?) => {
        vec![$(
            $crate::PageRoute::new(
                $path,
                vec![$crate::method_name(stringify!($method)) $(, $crate::method_name(stringify!($more)))*],
                ::axum::routing::$method($handler) $(.$more($more_handler))*,
            )
        ),*]
    };
}
pub(crate) use page_table;

/// Every page route (not the API's: [`api::route_table`]).
fn page_entries() -> Vec<PageRoute> {
    let mut table = page_table![
        "/" => get(pages::home),
        "/inloggen" => get(pages::login_form).post(pages::login),
        "/uitloggen" => post(pages::logout),
        "/inloggen/code" => get(two_factor::code_form).post(two_factor::submit_code),
        "/account/tweestap" => get(two_factor::enrol_form).post(two_factor::enrol),
        "/account/tweestap/nieuw" => post(two_factor::start_enrol),
        "/inloggen/code/opnieuw" => post(two_factor_email::resend),
        "/account/tweestap/email" => post(two_factor_email::start),
        "/account/tweestap/email/bevestigen" => post(two_factor_email::confirm),
        "/account/wachtwoord" => get(pages::account::password_form).post(pages::account::change_password),
        "/account/email" => get(pages::account_email::form).post(pages::account_email::save),
        "/patienten" => get(pages::patient_list).post(pages::search_patients),
        "/patienten/{id}" => get(pages::patient_record),
        "/patienten/{id}/inclusie" => post(pages::include),
        "/patienten/{id}/exclusie" => post(pages::exclude),
        "/patienten/{id}/team" => post(pages::add_member),
        "/patienten/{id}/team/{member}/verwijderen" => post(pages::remove_member),
        "/patienten/{id}/aanspreekpunt" => get(pages::first_contact_page).post(pages::set_first_contact),
        "/patienten/{id}/aanspreekpunt/evaluatie" => post(pages::evaluate_first_contact),
        "/patienten/{id}/zorgplan/evalueren" => get(pages::care_plan_evaluation_form).post(pages::evaluate_care_plan),
        "/patienten/{id}/zorgplan" => get(pages::care_plan).post(pages::save_care_plan),
        "/patienten/{id}/zorgplan/wijzigen" => get(pages::care_plan_form),
        "/patienten/{id}/zorgplan/versies" => get(pages::care_plan_history),
        "/patienten/{id}/zorgplan/versies/{version}" => get(pages::care_plan_version),
        "/patienten/{id}/zorgplan/afdrukken" => get(pages::care_plan_print),
        "/patienten/{id}/audit" => get(pages::patient_audit),
        "/regio" => get(pages::region),
        "/regio/rapport.csv" => get(pages::region_csv),
        "/regio/rapport.xlsx" => get(pages::region_xlsx),
        "/regio/rapport-nl.csv" => get(pages::region_dutch_csv),
        "/regio/instellingen" => get(pages::settings).post(pages::save_settings),
        "/regio/instellingen/financiering" => post(pages::save_funding),
        "/regio/contracten" => post(pages::save_contract),
        "/regio/capaciteit" => get(pages::capacity),
        "/regio/capaciteit/{practice}/gesprek" => post(pages::record_conversation),
        "/regio/capaciteit/gesprek/{conversation}/afgerond" => post(pages::complete_follow_up),
        "/regio/declaraties" => get(pages::region_declarations),
        "/declaraties/regels" => get(pages::download_lines),
        "/praktijk/declaraties" => get(pages::practice_declarations),
        "/patienten/{id}/regeling" => get(pages::patient_settings).post(pages::save_patient_settings),
        "/dashboard" => get(pages::dashboard),
        "/dashboard/praktijken/{practice}" => get(pages::practice_dashboard),
        "/dashboard/regiorapport" => get(pages::regional_report),
        "/dashboard/regiorapport.xlsx" => get(pages::regional_report_xlsx),
        "/beheer" => get(pages::admin),
        "/beheer/organisaties" => post(pages::create_organisation),
        "/beheer/gebruikers" => post(pages::create_user),
        "/beheer/gebruikers/{id}/blokkeren" => post(pages::block_user),
        "/beheer/gebruikers/{id}/deblokkeren" => post(pages::unblock_user),
        "/beheer/gebruikers/{id}/wachtwoord" => post(pages::set_password),
        "/beheer/gebruikers/{id}/tweestap-herstellen" => post(pages::reset_two_factor),
        "/static/style.css" => get(style),
        "/static/app.js" => get(script),
    ];
    table.extend(process::routes());
    table.extend(pages::quality_routes());
    table.extend(portal::routes());
    table
}

/// Every page route as (METHOD, path), read from the list [`router`] is built from.
pub fn page_routes() -> Vec<(&'static str, &'static str)> {
    page_entries()
        .iter()
        .flat_map(|r| r.methods.iter().map(move |m| (*m, r.path)))
        .collect()
}

/// Every route of the application: the page routes of [`page_entries`] and the API.
pub fn router(state: AppState) -> Router {
    page_entries()
        .into_iter()
        .fold(Router::new(), |router, page| router.route(page.path, page.handler))
        .merge(api::router())
        .merge(fhir::router())
        .layer(axum::middleware::from_fn_with_state(state.clone(), error::with_menu))
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::session_layer))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::security_headers,
        ))
        .with_state(state)
}

/// Serves the application until Ctrl-C.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> anyhow::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// Escapes text for HTML outside templates.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
