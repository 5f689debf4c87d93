//! Helpers of the care-process tests (events, MDO, worklist): dates as the forms take
//! them, accounts and meetings.

use axum::http::StatusCode;
use chrono::{Duration, Local};
use kernteam_domain::access::Role;

use kernteam_store::people::NewUser;
use kernteam_store::testing;

use super::{Client, World, PASSWORD};

pub fn today() -> String {
    Local::now().date_naive().to_string()
}

/// Local date and time (form fields) of a moment `hours` ago.
pub fn local_ago(hours: i64) -> (String, String) {
    let t = Local::now() - Duration::hours(hours);
    (t.format("%Y-%m-%d").to_string(), t.format("%H:%M").to_string())
}

/// The id at the end of a redirect such as `/mdo/12?melding=gepland`.
pub fn id_in(location: Option<&str>, prefix: &str) -> i64 {
    let loc = location.expect("a redirect");
    loc.strip_prefix(prefix)
        .and_then(|rest| rest.split(['?', '/']).next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no id in {loc}"))
}

pub async fn add_user(w: &World, username: &str, name: &str, role: Role, practice: i64) -> i64 {
    kernteam_store::audited!(w.db, testing::entry(), |ch| ch.create_user(&NewUser {
        username: username.into(),
        display_name: name.into(),
        role,
        practice_id: Some(practice),
        organisation_id: None,
        password_hash: kernteam_web::hash_password(PASSWORD.into()).await.unwrap(),
        is_admin: false,
    }))
    .unwrap()
}

/// Plans a meeting of practice A through the form; returns its id.
pub async fn plan_meeting(c: &Client, date: &str) -> i64 {
    let r = c
        .post_form(
            "/mdo",
            &[
                ("date", date),
                ("level", "praktijk"),
                ("invited", "huisarts"),
                ("invited", "poh_o"),
                ("invited", "wijkverpleging"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    id_in(r.location(), "/mdo/")
}
