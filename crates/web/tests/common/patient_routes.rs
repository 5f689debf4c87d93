//! Every read and every change of a patient's record, over the pages and the API, and
//! the checks that a user sees no trace of a patient: shared by the access tests.

use axum::http::StatusCode;
use serde_json::{json, Value};

use super::{care_records, yesterday, Client, Resp, World};

/// The list page after searching it (the form posts, the list is shown under a reference).
pub async fn search(client: &Client, words: &str) -> Resp {
    let r = client.post_form("/patienten", &[("q", words)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    client.get(r.location().unwrap()).await
}

/// Form fields to post.
pub type Fields = Vec<(&'static str, String)>;

/// Every page that reads a patient's data.
pub fn page_reads(id: i64) -> Vec<String> {
    [
        "",
        "/zorgplan",
        "/zorgplan/versies",
        "/zorgplan/versies/1",
        "/zorgplan/afdrukken",
        "/audit",
    ]
    .iter()
    .map(|s| format!("/patienten/{id}{s}"))
    .collect()
}

/// Every API read of a patient's data.
pub fn api_reads(id: i64) -> Vec<String> {
    ["", "/team", "/care-plan", "/care-plan/versions"]
        .iter()
        .map(|s| format!("/api/v1/patients/{id}{s}"))
        .collect()
}

pub fn valid_plan(goal: &str) -> Value {
    json!({
        "problems": [{ "domain": "psychisch", "description": "Somber sinds verlies partner" }],
        "wishes": "Thuis blijven wonen",
        "goals": [goal],
        "actions": [{ "what": "Huisbezoek", "who": "Wijkverpleging", "due": null, "status": "lopend" }],
        "evaluation_date": "2027-12-01",
    })
}

/// Every form post on a patient, with valid content; `member` is a member of their team.
pub fn page_posts(id: i64, member: i64) -> Vec<(String, Fields)> {
    let day = yesterday();
    vec![
        (
            format!("/patienten/{id}/inclusie"),
            vec![
                ("decided_on", day.clone()),
                ("deciding_gp", "Dr. Huisarts".into()),
                ("exception_reason", "Besproken met de huisarts".into()),
            ],
        ),
        (
            format!("/patienten/{id}/exclusie"),
            vec![
                ("decided_on", day),
                ("reason", "verhuisd".into()),
                ("bevestigd", "ja".into()),
            ],
        ),
        (
            format!("/patienten/{id}/team"),
            vec![
                ("kind", "mantelzorger".into()),
                ("name", "Piet Buurman".into()),
                ("relation", "buurman".into()),
            ],
        ),
        (
            format!("/patienten/{id}/team/{member}/verwijderen"),
            vec![("bevestigd", "ja".into())],
        ),
        (
            format!("/patienten/{id}/aanspreekpunt"),
            vec![("member_id", member.to_string())],
        ),
        (
            format!("/patienten/{id}/zorgplan"),
            vec![
                ("based_on", "1".into()),
                ("wishes", "Thuis blijven wonen".into()),
                ("goal", "Een nieuw doel".into()),
            ],
        ),
    ]
}

/// Every API change on a patient, with valid content; `member` is a member of their team.
pub fn api_changes(id: i64, member: i64) -> Vec<(&'static str, String, Option<Value>)> {
    vec![
        (
            "POST",
            format!("/api/v1/patients/{id}/decisions"),
            Some(
                json!({ "kind": "inclusion", "decided_on": yesterday(), "deciding_gp": "Dr. Huisarts", "exception_reason": "Besproken met de huisarts" }),
            ),
        ),
        (
            "POST",
            format!("/api/v1/patients/{id}/decisions"),
            Some(json!({ "kind": "exclusion", "decided_on": yesterday(), "reason": "overleden" })),
        ),
        (
            "POST",
            format!("/api/v1/patients/{id}/team"),
            Some(json!({ "kind": "mantelzorger", "name": "Piet Buurman", "relation": "buurman" })),
        ),
        ("DELETE", format!("/api/v1/patients/{id}/team/{member}"), None),
        (
            "PUT",
            format!("/api/v1/patients/{id}/first-contact"),
            Some(json!({ "member_id": member })),
        ),
        (
            "PUT",
            format!("/api/v1/patients/{id}/care-plan"),
            Some(json!({ "based_on": 1, "plan": valid_plan("Een nieuw doel") })),
        ),
    ]
}

pub fn fields<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, x)| (*k, x.as_str())).collect()
}

/// A JSON 404 that gives nothing away.
pub fn assert_api_404(r: &Resp, what: &str) {
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{what}: {}", r.text());
    assert!(r.is_json(), "{what}: not JSON");
    assert_eq!(
        r.json()["error"],
        "Deze pagina of patiënt bestaat niet, of u heeft er geen toegang toe."
    );
}

/// The user may see no trace of the patient: every page and API call is a 404 and
/// nothing changes.
pub async fn assert_invisible(w: &World, c: &Client, patient: i64, member: i64, who: &str) {
    let before = care_records(&w.db).await;
    for path in page_reads(patient) {
        let r = c.get(&path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{who} GET {path}");
    }
    for (path, body) in page_posts(patient, member) {
        let r = c.post_form(&path, &fields(&body)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{who} POST {path}: {}", r.text());
    }
    for path in api_reads(patient) {
        assert_api_404(&c.get(&path).await, &format!("{who} GET {path}"));
    }
    for (method, path, body) in api_changes(patient, member) {
        assert_api_404(&c.api(method, &path, body).await, &format!("{who} {method} {path}"));
    }
    assert_eq!(before, care_records(&w.db).await, "{who} changed the care records");
}
