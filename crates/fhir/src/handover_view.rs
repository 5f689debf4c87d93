//! A handover document (the Bundle [`crate::handover_document`] wrote, as it was sent)
//! read back for people: the one-page print view shows what was sent, not what the record
//! says today. Pure: the Bundle's JSON in, Dutch lines out.

use serde_json::Value;

/// The document as the print view shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentView {
    pub title: String,
    /// The Composition's date (RFC 3339).
    pub date: String,
    pub author: String,
    pub custodian: String,
    pub patient: PatientLine,
    /// Every section after *Ontvanger*, in order, with its lines (empty: nothing known).
    pub sections: Vec<SectionView>,
    pub recipient: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct PatientLine {
    pub name: String,
    pub birth_date: String,
    pub bsn: String,
    pub address: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SectionView {
    pub title: String,
    pub lines: Vec<String>,
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

/// A CodeableConcept as words: its text, else its first coding's display or code.
fn concept(v: &Value) -> String {
    if let Some(t) = v["text"].as_str() {
        return t.to_string();
    }
    let c = &v["coding"][0];
    c["display"]
        .as_str()
        .or(c["code"].as_str())
        .unwrap_or_default()
        .to_string()
}

fn activity_status(s: &str) -> &'static str {
    match s {
        "not-started" => "gepland",
        "in-progress" => "loopt",
        "completed" => "afgerond",
        "cancelled" => "vervallen",
        _ => "onbekend",
    }
}

/// The lines of one resource of a section; `time` writes an RFC 3339 time for people.
fn lines_of(r: &Value, time: &dyn Fn(&str) -> String) -> Vec<String> {
    match r["resourceType"].as_str().unwrap_or_default() {
        "CareTeam" => r["participant"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| {
                let roles: Vec<String> = p["role"].as_array().into_iter().flatten().map(concept).collect();
                let mut line = format!("{}: {}", text(&p["member"]["display"]), roles.join(", "));
                if let Some(org) = p["onBehalfOf"]["display"].as_str() {
                    line.push_str(&format!(" ({org})"));
                }
                line
            })
            .collect(),
        "CarePlan" => {
            let mut out = Vec::new();
            if let Some(w) = r["description"].as_str() {
                out.push(format!("Wensen van de patiënt: {w}"));
            }
            for n in r["note"].as_array().into_iter().flatten() {
                out.push(text(&n["text"]));
            }
            for a in r["activity"].as_array().into_iter().flatten() {
                let d = &a["detail"];
                let mut line = format!("Actie: {}", text(&d["description"]));
                if let Some(who) = d["performer"][0]["display"].as_str() {
                    line.push_str(&format!(" — {who}"));
                }
                if let Some(end) = d["scheduledPeriod"]["end"].as_str() {
                    line.push_str(&format!(", uiterlijk {}", time(end)));
                }
                line.push_str(&format!(
                    " ({})",
                    activity_status(d["status"].as_str().unwrap_or_default())
                ));
                out.push(line);
            }
            out
        }
        "Goal" => vec![format!("Doel: {}", text(&r["description"]["text"]))],
        "Consent" => {
            let what = r["provision"]["code"]
                .as_array()
                .map(|c| concept(&c[0]))
                .unwrap_or_default();
            if r["scope"]["coding"][0]["code"] == "treatment" {
                let decision = match r["provision"]["type"].as_str() {
                    Some("permit") => "wel",
                    Some("deny") => "niet",
                    _ => "onbekend",
                };
                vec![format!("{what}: {decision}")]
            } else {
                let kept = r["sourceAttachment"]["title"]
                    .as_str()
                    .map(|t| format!(" ({t})"))
                    .unwrap_or_default();
                vec![format!("{what} aanwezig{kept}")]
            }
        }
        "Condition" => {
            let code = r["code"]["coding"][0]["code"].as_str().unwrap_or_default();
            vec![format!("{} ({code})", concept(&r["code"]))]
        }
        "MedicationStatement" => {
            let mut line = concept(&r["medicationCodeableConcept"]);
            if let Some(d) = r["dosage"][0]["text"].as_str() {
                line.push_str(&format!(" — {d}"));
            }
            vec![line]
        }
        "Encounter" => {
            let at = r["period"]["start"]
                .as_str()
                .or(r["period"]["end"].as_str())
                .unwrap_or_default();
            let mut line = format!("{}: {}", time(at), concept(&r["type"][0]));
            if let Some(n) = r["extension"][0]["valueString"].as_str() {
                line.push_str(&format!(" — {n}"));
            }
            vec![line]
        }
        "Organization" => vec![format!("{} ({})", text(&r["name"]), concept(&r["type"][0]))],
        _ => Vec::new(),
    }
}

/// The document for people, or `None` when the Bundle is not a handover document (no
/// Composition first). `time` writes an RFC 3339 time or date as the reader reads it.
pub fn document_view(bundle: &Value, time: &dyn Fn(&str) -> String) -> Option<DocumentView> {
    let entries = bundle["entry"].as_array()?;
    let composition = &entries.first()?["resource"];
    if composition["resourceType"] != "Composition" {
        return None;
    }
    let find = |reference: &str| {
        entries.iter().map(|e| &e["resource"]).find(|r| {
            format!(
                "{}/{}",
                r["resourceType"].as_str().unwrap_or_default(),
                r["id"].as_str().unwrap_or_default()
            ) == reference
        })
    };
    let patient = find(composition["subject"]["reference"].as_str().unwrap_or_default())
        .map(|p| PatientLine {
            name: text(&p["name"][0]["text"]),
            birth_date: p["birthDate"].as_str().map(time).unwrap_or_default(),
            bsn: p["identifier"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|i| i["system"] == crate::systems::BSN)
                .map(|i| text(&i["value"]))
                .unwrap_or_default(),
            address: [
                text(&p["address"][0]["line"][0]),
                [text(&p["address"][0]["postalCode"]), text(&p["address"][0]["city"])]
                    .join(" ")
                    .trim()
                    .to_string(),
            ]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", "),
        })
        .unwrap_or_default();
    let mut recipient = String::new();
    let mut sections = Vec::new();
    for s in composition["section"].as_array().into_iter().flatten() {
        let resources: Vec<&Value> = s["entry"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| find(e["reference"].as_str().unwrap_or_default()))
            .collect();
        let title = text(&s["title"]);
        if title == "Ontvanger" {
            recipient = resources.first().map(|r| text(&r["name"])).unwrap_or_default();
            continue;
        }
        sections.push(SectionView {
            title,
            lines: resources.iter().flat_map(|r| lines_of(r, time)).collect(),
        });
    }
    Some(DocumentView {
        title: text(&composition["title"]),
        date: text(&composition["date"]),
        author: text(&composition["author"][0]["display"]),
        custodian: text(&composition["custodian"]["display"]),
        patient,
        sections,
        recipient,
    })
}
