//! Search results (`Bundle` of type `searchset`) and errors (`OperationOutcome`).

use serde_json::{json, Value};

/// The kind of problem of an error, from FHIR's issue-type value set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueCode {
    NotFound,
    Login,
    Forbidden,
    Invalid,
    NotSupported,
    TooCostly,
    Exception,
}

impl IssueCode {
    pub fn code(self) -> &'static str {
        match self {
            IssueCode::NotFound => "not-found",
            IssueCode::Login => "login",
            IssueCode::Forbidden => "forbidden",
            IssueCode::Invalid => "invalid",
            IssueCode::NotSupported => "not-supported",
            IssueCode::TooCostly => "too-costly",
            IssueCode::Exception => "exception",
        }
    }
}

/// An `OperationOutcome` with one error issue per message (Dutch, for people).
pub fn operation_outcome(code: IssueCode, messages: &[String]) -> Value {
    let issue: Vec<Value> = messages
        .iter()
        .map(|m| json!({ "severity": "error", "code": code.code(), "diagnostics": m }))
        .collect();
    json!({ "resourceType": "OperationOutcome", "issue": issue })
}

/// A search result: the matches, then what `_include` added (each once), with absolute
/// `fullUrl`s under `base` (`https://host/fhir`).
pub fn searchset(base: &str, self_url: &str, matches: Vec<Value>, includes: Vec<Value>) -> Value {
    let mut seen = std::collections::HashSet::new();
    let mut entry = Vec::new();
    let total = matches.len();
    for (mode, list) in [("match", matches), ("include", includes)] {
        for r in list {
            let key = format!(
                "{}/{}",
                r["resourceType"].as_str().unwrap_or_default(),
                r["id"].as_str().unwrap_or_default()
            );
            if !seen.insert(key.clone()) {
                continue;
            }
            entry.push(json!({
                "fullUrl": format!("{base}/{key}"),
                "resource": r,
                "search": { "mode": mode },
            }));
        }
    }
    let mut bundle = json!({
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": [{ "relation": "self", "url": self_url }],
    });
    if !entry.is_empty() {
        bundle["entry"] = Value::Array(entry);
    }
    bundle
}
