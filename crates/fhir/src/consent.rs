//! The PZP as `Consent`: each treatment wish or limit agreed (wel/niet) as a treatment
//! directive (nl-core-TreatmentDirective2), each advance directive the patient has as an
//! advance directive (nl-core-AdvanceDirective), after the IKNL PZP guide's structure.

use kernteam_domain::pzp::{treatment_label, Directive, WishDecision};
use serde_json::{json, Value};

use crate::systems::{ADVANCE_DIRECTIVE_TYPE, CONSENT_CATEGORY, CONSENT_SCOPE, DUTCH_LAW, NULL_FLAVOR, SNOMED};
use crate::{clean, date, id_part, meta, PatientData};

/// The SNOMED CT code of a standard PZP treatment (the codes of the PZP guide's examples).
pub fn treatment_code(treatment: &str) -> Option<(&'static str, &'static str)> {
    Some(match treatment {
        "reanimatie" => ("89666000", "cardiopulmonale resuscitatie"),
        "beademing" => ("40617009", "kunstmatige beademing"),
        "ic_opname" => ("305351004", "opname op intensive care"),
        "ziekenhuisopname" => ("32485007", "opname in ziekenhuis"),
        "antibiotica" => ("281789004", "antibiotische therapie"),
        "sondevoeding" => ("229912004", "enterale voeding"),
        _ => return None,
    })
}

fn treatment_concept(treatment: &str) -> Value {
    match treatment_code(treatment) {
        Some((code, display)) => json!({
            "coding": [{ "system": SNOMED, "code": code, "display": display }],
            "text": treatment_label(treatment),
        }),
        None => json!({
            "coding": [{ "system": NULL_FLAVOR, "code": "OTH", "display": "other" }],
            "text": treatment,
        }),
    }
}

/// A code and its display.
type Coded = (&'static str, &'static str);

pub(crate) fn consents(data: &PatientData) -> Vec<Value> {
    let Some(v) = &data.pzp else {
        return Vec::new();
    };
    let pzp = &v.content;
    let patient = json!({ "reference": data.patient_ref() });
    let gp = pzp
        .responsible_gp
        .as_ref()
        .map(|g| json!({ "reference": format!("Practitioner/{}", g.id), "display": g.name }));
    let mut out = Vec::new();
    for w in &pzp.wishes {
        let kind = match w.decision {
            WishDecision::Wel => "permit",
            WishDecision::Niet => "deny",
            WishDecision::NogNietBesproken => continue,
        };
        let mut actors = vec![json!({ "role": { "text": "Patiënt" }, "reference": patient })];
        if let Some(gp) = &gp {
            actors.push(json!({ "role": { "text": "Huisarts" }, "reference": gp }));
        }
        out.push(clean(json!({
            "resourceType": "Consent",
            "id": format!("{}-bw-{}", data.patient.id, id_part(&w.treatment)),
            "meta": meta("Consent:treatment"),
            "status": "active",
            "scope": { "coding": [{ "system": CONSENT_SCOPE, "code": "treatment", "display": "Treatment" }] },
            "category": [{ "coding": [{ "system": SNOMED, "code": "11291000146105", "display": "Treatment instructions" }] }],
            "patient": patient,
            "dateTime": w.recorded_on.map(date),
            "performer": [patient],
            "policy": [{ "uri": DUTCH_LAW }],
            "provision": {
                "type": kind,
                "actor": actors,
                "code": [treatment_concept(&w.treatment)],
            },
        })));
    }
    let directives: [(&str, &Directive, Option<Coded>); 3] = [
        ("wilsverklaring", &pzp.wilsverklaring, None),
        ("nr", &pzp.niet_reanimeren, Some(("NR", "Niet reanimeren verklaring"))),
        ("eu", &pzp.euthanasieverzoek, Some(("EU", "Euthanasieverzoek"))),
    ];
    for (key, d, code) in directives {
        if !d.present {
            continue;
        }
        let concept = match code {
            Some((c, display)) => json!({
                "coding": [{ "system": ADVANCE_DIRECTIVE_TYPE, "code": c, "display": display }],
                "text": display,
            }),
            None => json!({
                "coding": [{ "system": NULL_FLAVOR, "code": "OTH", "display": "other" }],
                "text": "Wilsverklaring",
            }),
        };
        out.push(clean(json!({
            "resourceType": "Consent",
            "id": format!("{}-wv-{key}", data.patient.id),
            "meta": meta("Consent:advance"),
            "status": "active",
            "scope": { "coding": [{ "system": CONSENT_SCOPE, "code": "adr", "display": "Advanced Care Directive" }] },
            "category": [
                { "coding": [{ "system": SNOMED, "code": "11341000146107", "display": "Living will and advance directive record" }] },
                { "coding": [{ "system": CONSENT_CATEGORY, "code": "acd", "display": "Advance Directive" }] },
            ],
            "patient": patient,
            "policy": [{ "uri": DUTCH_LAW }],
            "sourceAttachment": if d.location.trim().is_empty() {
                None
            } else {
                Some(json!({ "title": format!("Bewaard: {}", d.location) }))
            },
            "provision": { "code": [concept] },
        })));
    }
    out
}
