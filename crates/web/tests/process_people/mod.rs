//! The people and helpers of the PZP, consultation and medication review tests: an SO on
//! a1's care team, an SO on no team, the practice manager of practice A; forms and checks.
#![allow(dead_code)]

use axum::http::StatusCode;
use chrono::NaiveDate;
use kernteam_domain::access::{OrganisationKind, Role};
use kernteam_store::care::NewTeamMember;
use kernteam_store::people::NewUser;
use kernteam_store::Db;
use serde_json::Value;

use crate::common::{self, check_schema, csrf_of_page, response_schema, Client, World, PASSWORD};

pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

pub fn dmy(d: NaiveDate) -> String {
    d.format("%d-%m-%Y").to_string()
}

pub async fn add_user(db: &Db, username: &str, name: &str, role: Role, practice: Option<i64>, org: Option<i64>) -> i64 {
    kernteam_store::audited!(db, kernteam_store::testing::entry(), |ch| ch.create_user(&NewUser {
        username: username.into(),
        display_name: name.into(),
        role,
        practice_id: practice,
        organisation_id: org,
        password_hash: kernteam_web::hash_password(PASSWORD.into()).await.unwrap(),
        is_admin: false,
    }))
    .unwrap()
}

/// The extra people of these tests: an SO on a1's care team, an SO on no team, and the
/// practice manager of practice A (reads, does not write care records).
pub struct People {
    pub so_team: i64,
    /// A huisarts of practice A, `ha-a`: the only one who changes a1's treatment limits.
    pub gp_a: i64,
}

pub async fn more_people(w: &World) -> People {
    let org = kernteam_store::audited!(w.db, kernteam_store::testing::entry(), |ch| ch
        .create_organisation(OrganisationKind::SpecialistOuderengeneeskunde, "SO-team Heuvelland"))
    .unwrap();
    let so_team = add_user(
        &w.db,
        "so-team",
        "Sanne Oud",
        Role::SpecialistOuderengeneeskunde,
        None,
        Some(org),
    )
    .await;
    add_user(
        &w.db,
        "so-ander",
        "Otto Ouderen",
        Role::SpecialistOuderengeneeskunde,
        None,
        Some(org),
    )
    .await;
    add_user(
        &w.db,
        "pm-a",
        "Mia Manager",
        Role::Praktijkmanager,
        Some(w.practice_a),
        None,
    )
    .await;
    let gp_a = add_user(&w.db, "ha-a", "Hanna Arts", Role::Huisarts, Some(w.practice_a), None).await;
    kernteam_store::audited!(w.db, kernteam_store::testing::entry(), |ch| ch.add_team_member(
        w.a1,
        &NewTeamMember {
            kind: "professional".into(),
            user_id: Some(so_team),
            name: "Sanne Oud".into(),
            role: Some("Specialist ouderengeneeskunde".into()),
            organisation: Some("SO-team Heuvelland".into()),
            ..Default::default()
        },
        w.poh_a,
    ))
    .unwrap();
    People { so_team, gp_a }
}

/// Gets a page (200) and returns its text and the CSRF token of its forms.
pub async fn page_with_csrf(c: &Client, path: &str) -> (String, String) {
    let page = c.get(path).await;
    assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.text());
    let text = page.text();
    let csrf = csrf_of_page(&text);
    (text, csrf)
}

pub async fn post(c: &Client, path: &str, fields: &[(String, String)]) -> common::Resp {
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    c.post_form_raw(path, &refs).await
}

pub fn assert_documented(doc: &Value, method: &str, path: &str, status: u16, body: &Value) {
    let schema = response_schema(doc, method, path, status).expect("a documented body");
    let problems = check_schema(doc, schema, body);
    assert!(problems.is_empty(), "{method} {path}: {problems:?}\n{body:#}");
}
