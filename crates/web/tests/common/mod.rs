//! A seeded region and an in-process HTTP client for the web tests: the real router,
//! driven with `tower::ServiceExt::oneshot`, signed in through the sign-in form.
#![allow(dead_code)]

pub mod accounts;
pub mod patient_routes;
pub mod portal;
pub mod process;
pub mod smtp;

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use chrono::NaiveDate;
use http_body_util::BodyExt;
use kernteam_domain::access::{OrganisationKind, Role};
use kernteam_import::{import_extract, ImportOptions};
use kernteam_store::care::NewTeamMember;
use kernteam_store::people::NewUser;
use kernteam_store::sqlx::{self, Row};
use kernteam_store::Db;
use kernteam_web::{AppState, WebConfig};
use serde_json::Value;
use tower::ServiceExt;

pub const PASSWORD: &str = "een lange zin als wachtwoord";

pub fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/spec/example/extract-09000001-2027-07-04")
}

fn opts() -> ImportOptions {
    ImportOptions {
        today: NaiveDate::from_ymd_opt(2027, 8, 1).unwrap(),
        progress: false,
    }
}

/// Practice B: a second, tiny extract.
fn write_practice_b(dir: &Path) -> PathBuf {
    let path = dir.join("extract-09000002-2027-07-01");
    std::fs::create_dir_all(&path).unwrap();
    for (file, content) in [
        (
            "practice.csv",
            "agb_code,name,extract_date\n09000002,Huisartsenpraktijk Bergzicht,2027-07-01\n",
        ),
        (
            "patients.csv",
            "patient_id,bsn,family_name,given_name,birth_date,sex,registration_start,registration_end,postal_code\n\
             B-1,,Bakker,Cornelia,1939-04-04,V,1995-01-01,,6229XY\n\
             B-2,,Smit,Hendrik,1944-10-10,M,1995-01-01,,6229XY\n",
        ),
        (
            "episodes.csv",
            "patient_id,icpc,start_date,end_date,title\nB-1,A05,2026-01-10,,Kwetsbare oudere\n",
        ),
    ] {
        std::fs::write(path.join(file), content).unwrap();
    }
    path
}

/// The seeded region.
pub struct World {
    pub app: Router,
    pub db: Db,
    pub practice_a: i64,
    pub practice_b: i64,
    /// Patient of A with a care plan (version 1); `wvk_team` is on their care team.
    pub a1: i64,
    /// Patient of A without care records.
    pub a2: i64,
    /// Patient of B with a care plan (version 1), a mantelzorger and a first contact.
    pub b1: i64,
    /// `wvk_team`'s membership of a1's care team.
    pub a1_wvk_member: i64,
    /// The mantelzorger on b1's team.
    pub b1_member: i64,
    /// A professional without account on b1's team, the first contact.
    pub b1_professional: i64,
    pub poh_a: i64,
    pub poh_b: i64,
    pub wvk_team: i64,
    pub wvk_other: i64,
    pub manager: i64,
    _dir: tempfile::TempDir,
}

async fn patient_id(db: &Db, practice_id: i64, his_id: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM patients WHERE practice_id = $1 AND his_id = $2")
        .bind(practice_id)
        .bind(his_id)
        .fetch_one(db.pool())
        .await
        .unwrap()
}

fn plan_json(goal: &str) -> String {
    serde_json::json!({
        "problems": [{ "domain": "functioneel", "description": "Valt regelmatig" }],
        "wishes": "Thuis blijven wonen",
        "goals": [goal],
        "actions": [{ "what": "Valrisico bespreken", "who": "POH-O", "due": "2027-09-01", "status": "gepland" }],
        "evaluation_date": "2027-12-01",
    })
    .to_string()
}

pub async fn seed(db: &Db) -> World {
    seed_with(db, WebConfig::demo()).await
}

/// [`seed`], the router made with `config` (e.g. with a mailer).
pub async fn seed_with(db: &Db, config: WebConfig) -> World {
    let dir = tempfile::tempdir().unwrap();
    import_extract(db, &example(), &opts()).await.unwrap();
    import_extract(db, &write_practice_b(dir.path()), &opts())
        .await
        .unwrap();
    let practice_a = db.practice_by_agb("09000001").await.unwrap().unwrap().id;
    let practice_b = db.practice_by_agb("09000002").await.unwrap().unwrap().id;
    let org = kernteam_store::audited!(db, kernteam_store::testing::entry(), |ch| ch
        .create_organisation(OrganisationKind::Wijkverpleging, "Thuiszorg Heuvelland"))
    .unwrap();
    let hash = kernteam_web::hash_password(PASSWORD.to_string()).await.unwrap();
    let user =
        |username: &str, name: &str, role: Role, practice_id: Option<i64>, organisation_id: Option<i64>| NewUser {
            username: username.into(),
            display_name: name.into(),
            role,
            practice_id,
            organisation_id,
            password_hash: hash.clone(),
            is_admin: false,
        };
    let poh_a = kernteam_store::audited!(db, kernteam_store::testing::entry(), |ch| ch.create_user(&user(
        "poh-a",
        "Petra Poh",
        Role::PohO,
        Some(practice_a),
        None
    )))
    .unwrap();
    let poh_b = kernteam_store::audited!(db, kernteam_store::testing::entry(), |ch| ch.create_user(&user(
        "poh-b",
        "Bram Poh",
        Role::PohO,
        Some(practice_b),
        None
    )))
    .unwrap();
    let wvk_team = kernteam_store::audited!(db, kernteam_store::testing::entry(), |ch| ch.create_user(&user(
        "wvk-team",
        "Wies Wijk",
        Role::Wijkverpleegkundige,
        None,
        Some(org),
    )))
    .unwrap();
    let wvk_other = kernteam_store::audited!(db, kernteam_store::testing::entry(), |ch| ch.create_user(&user(
        "wvk-ander",
        "Wout Wijk",
        Role::Wijkverpleegkundige,
        None,
        Some(org),
    )))
    .unwrap();
    let manager = kernteam_store::audited!(db, kernteam_store::testing::entry(), |ch| ch.create_user(&user(
        "regio",
        "Rita Regio",
        Role::Programmamanager,
        None,
        None
    )))
    .unwrap();

    let a1 = patient_id(db, practice_a, "P01-00007").await;
    let a2 = patient_id(db, practice_a, "P01-00010").await;
    let b1 = patient_id(db, practice_b, "B-1").await;

    let a1_wvk_member = kernteam_store::audited!(db, kernteam_store::testing::entry(), |ch| ch.add_team_member(
        a1,
        &NewTeamMember {
            kind: "professional".into(),
            user_id: Some(wvk_team),
            name: "Wies Wijk".into(),
            role: Some("Wijkverpleegkundige".into()),
            organisation: Some("Thuiszorg Heuvelland".into()),
            ..Default::default()
        },
        poh_a,
    ))
    .unwrap();
    kernteam_store::audited!(db, kernteam_store::testing::entry(), |ch| ch.save_care_plan(
        a1,
        0,
        &plan_json("Veilig lopen"),
        "Zorgplan opgesteld",
        poh_a,
        "Petra Poh",
    ))
    .unwrap();
    let b1_member = kernteam_store::audited!(db, kernteam_store::testing::entry(), |ch| ch.add_team_member(
        b1,
        &NewTeamMember {
            kind: "mantelzorger".into(),
            name: "Karin Bakker".into(),
            relation: Some("dochter".into()),
            ..Default::default()
        },
        poh_b,
    ))
    .unwrap();
    let b1_professional = kernteam_store::audited!(db, kernteam_store::testing::entry(), |ch| ch.add_team_member(
        b1,
        &NewTeamMember {
            kind: "professional".into(),
            name: "Fenna Fysio".into(),
            role: Some("fysiotherapeut".into()),
            ..Default::default()
        },
        poh_b,
    ))
    .unwrap();
    kernteam_store::audited!(db, kernteam_store::testing::entry(), |ch| ch.set_first_contact(
        b1,
        b1_professional,
        poh_b,
        chrono::NaiveDate::from_ymd_opt(2099, 1, 1).unwrap()
    ))
    .unwrap();
    kernteam_store::audited!(db, kernteam_store::testing::entry(), |ch| ch.save_care_plan(
        b1,
        0,
        &plan_json("Blijven zingen"),
        "Zorgplan opgesteld",
        poh_b,
        "Bram Poh",
    ))
    .unwrap();

    let app = kernteam_web::router(AppState::new(db.clone(), config));
    World {
        app,
        db: db.clone(),
        practice_a,
        practice_b,
        a1,
        a2,
        b1,
        a1_wvk_member,
        b1_member,
        b1_professional,
        poh_a,
        poh_b,
        wvk_team,
        wvk_other,
        manager,
        _dir: dir,
    }
}

/// A response, read whole.
pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}), status {}: {}", self.status, self.text()))
    }

    pub fn location(&self) -> Option<&str> {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok())
    }

    pub fn is_json(&self) -> bool {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"))
    }
}

pub async fn send(app: &Router, req: Request<Body>) -> Resp {
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp.into_body().collect().await.unwrap().to_bytes().to_vec();
    Resp { status, headers, body }
}

/// The value of the first hidden `csrf` input of a page.
pub fn csrf_of_page(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a form with a csrf field") + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_string()
}

/// The sign-in form's token and its cookie (`kernteam_login_csrf=…`), as a browser gets
/// them from `GET /inloggen`.
pub async fn login_csrf(app: &Router) -> (String, String) {
    let page = send(app, Request::get("/inloggen").body(Body::empty()).unwrap()).await;
    let cookie = page
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("kernteam_login_csrf="))
        .expect("a sign-in form cookie")
        .split(';')
        .next()
        .unwrap()
        .to_string();
    (csrf_of_page(&page.text()), cookie)
}

/// Posts the sign-in form as a browser does (with its form token).
pub async fn post_sign_in(app: &Router, username: &str, password: &str) -> Resp {
    let (csrf, cookie) = login_csrf(app).await;
    let body =
        serde_urlencoded::to_string([("username", username), ("password", password), ("csrf", csrf.as_str())]).unwrap();
    send(
        app,
        Request::post("/inloggen")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, cookie)
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

/// A signed-in browser or API client.
#[derive(Clone)]
pub struct Client {
    pub app: Router,
    /// `kernteam_session=…`, or empty when not signed in.
    pub cookie: String,
    /// The session's CSRF token (from `GET /api/v1/session`).
    pub csrf: String,
}

impl Client {
    pub fn anonymous(app: &Router) -> Client {
        Client {
            app: app.clone(),
            cookie: String::new(),
            csrf: String::new(),
        }
    }

    /// Signs in with the sign-in form.
    pub async fn sign_in(app: &Router, username: &str) -> Client {
        let resp = post_sign_in(app, username, PASSWORD).await;
        assert_eq!(
            resp.status,
            StatusCode::SEE_OTHER,
            "sign-in of {username}: {}",
            resp.text()
        );
        let set_cookie = resp
            .headers
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .expect("a session cookie");
        let cookie = set_cookie.split(';').next().unwrap().to_string();
        assert!(cookie.starts_with("kernteam_session="), "{cookie}");
        let mut client = Client {
            app: app.clone(),
            cookie,
            csrf: String::new(),
        };
        let session = client.get("/api/v1/session").await;
        assert_eq!(session.status, StatusCode::OK, "{}", session.text());
        client.csrf = session.json()["csrf"].as_str().unwrap().to_string();
        client
    }

    fn request(&self, method: Method, path: &str) -> axum::http::request::Builder {
        let mut b = Request::builder().method(method).uri(path);
        if !self.cookie.is_empty() {
            b = b.header(header::COOKIE, &self.cookie);
        }
        b
    }

    pub async fn get(&self, path: &str) -> Resp {
        send(&self.app, self.request(Method::GET, path).body(Body::empty()).unwrap()).await
    }

    /// Posts a form with the session's CSRF token in the `csrf` field.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_form_raw(path, &all).await
    }

    /// Posts exactly these fields (no CSRF token added).
    pub async fn post_form_raw(&self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let body = serde_urlencoded::to_string(fields).unwrap();
        send(
            &self.app,
            self.request(Method::POST, path)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    /// Posts a form with one file (`multipart/form-data`), the session's CSRF token in the
    /// `csrf` field (when `csrf`).
    pub async fn post_file(&self, path: &str, field: &str, file: &[u8], csrf: bool) -> Resp {
        let boundary = "----kernteam-test-boundary";
        let mut body = Vec::new();
        if csrf {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n",
                    self.csrf
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"ontslag.json\"\r\nContent-Type: application/json\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(file);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        send(
            &self.app,
            self.request(Method::POST, path)
                .header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    /// An API call with the session's CSRF token in the `X-CSRF-Token` header.
    pub async fn api(&self, method: &str, path: &str, body: Option<Value>) -> Resp {
        let csrf = self.csrf.clone();
        self.api_with_token(method, path, body, Some(&csrf)).await
    }

    pub async fn api_with_token(&self, method: &str, path: &str, body: Option<Value>, token: Option<&str>) -> Resp {
        let mut b = self.request(Method::from_bytes(method.as_bytes()).unwrap(), path);
        if let Some(t) = token {
            b = b.header("X-CSRF-Token", t);
        }
        let req = match body {
            Some(v) => b
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(v.to_string()))
                .unwrap(),
            None => b.body(Body::empty()).unwrap(),
        };
        send(&self.app, req).await
    }
}

pub async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(db.pool()).await.unwrap()
}

/// Audit rows of a user.
pub async fn audit_rows(db: &Db, user_id: i64) -> Vec<(Option<i64>, String)> {
    sqlx::query("SELECT patient_id, action FROM audit_log WHERE user_id = $1 ORDER BY id")
        .bind(user_id)
        .fetch_all(db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.try_get(0).unwrap(), r.try_get(1).unwrap()))
        .collect()
}

/// Every care record, as text, to compare before and after.
pub async fn care_records(db: &Db) -> String {
    let mut out = String::new();
    for (table, columns) in [
        (
            "program_decisions",
            "id, patient_id, kind, decided_on, deciding_gp, reason, considerations",
        ),
        (
            "care_team_members",
            "id, patient_id, kind, user_id, name, role, relation, removed_at",
        ),
        ("first_contacts", "patient_id, member_id, set_at"),
        ("care_plan_versions", "patient_id, version, content, summary"),
    ] {
        let rows = sqlx::query(&format!("SELECT {columns} FROM {table} ORDER BY 1, 2"))
            .fetch_all(db.pool())
            .await
            .unwrap();
        out.push_str(&format!("{table}: {}\n", rows.len()));
        for r in rows {
            let cols: Vec<String> = (0..r.len())
                .map(|i| {
                    r.try_get::<Option<String>, _>(i)
                        .map(|v| v.unwrap_or_else(|| "∅".into()))
                        .or_else(|_| {
                            r.try_get::<Option<i64>, _>(i)
                                .map(|v| v.map_or("∅".into(), |v| v.to_string()))
                        })
                        .unwrap()
                })
                .collect();
            out.push_str(&cols.join("|"));
            out.push('\n');
        }
    }
    out
}

/// A date in the past, for decisions (they may not lie in the future).
pub fn yesterday() -> String {
    (chrono::Local::now().date_naive() - chrono::Duration::days(1)).to_string()
}

/// Checks a JSON value against a schema of the OpenAPI document (JSON Schema 2020-12, as
/// OpenAPI 3.1 writes it), with the `jsonschema` crate; `$ref`s resolve against the
/// document. Returns the problems.
pub fn check_schema(doc: &Value, schema: &Value, value: &Value) -> Vec<String> {
    let mut root = serde_json::Map::new();
    root.insert(
        "$schema".into(),
        Value::String("https://json-schema.org/draft/2020-12/schema".into()),
    );
    root.insert("components".into(), doc["components"].clone());
    root.insert("allOf".into(), Value::Array(vec![schema.clone()]));
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&Value::Object(root))
        .unwrap_or_else(|e| panic!("the document's schema does not compile: {e}"));
    validator
        .iter_errors(value)
        .map(|e| format!("{}: {e}", e.instance_path))
        .collect()
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => resolve(
            doc,
            doc.pointer(r.strip_prefix('#').unwrap())
                .unwrap_or_else(|| panic!("unresolved {r}")),
        ),
        None => schema,
    }
}

pub fn response_schema<'a>(doc: &'a Value, method: &str, path: &str, status: u16) -> Option<&'a Value> {
    let op = &doc["paths"][path][method.to_lowercase()];
    assert!(op.is_object(), "{method} {path} is not documented");
    let response = op["responses"]
        .get(status.to_string())
        .unwrap_or_else(|| panic!("{method} {path}: status {status} is not documented"));
    let response = resolve(doc, response);
    response.pointer("/content/application~1json/schema")
}
