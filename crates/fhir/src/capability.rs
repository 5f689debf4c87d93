//! The `CapabilityStatement` at `/fhir/metadata`: what is served, how it is searched.

use serde_json::{json, Value};

use crate::systems::{profile, FHIR_VERSION};
use crate::{includes_of, SERVED};

/// The search parameters each type takes (besides `_include` and `_format`).
pub fn search_params(resource_type: &str) -> &'static [(&'static str, &'static str)] {
    match resource_type {
        "Patient" => &[("_id", "token"), ("identifier", "token")],
        "Practitioner" | "PractitionerRole" | "Organization" => &[],
        _ => &[("patient", "reference")],
    }
}

pub fn capability_statement(base: &str, date: &str) -> Value {
    let resource: Vec<Value> = SERVED
        .iter()
        .map(|t| {
            let params: Vec<Value> = search_params(t)
                .iter()
                .map(|(n, ty)| json!({ "name": n, "type": ty }))
                .collect();
            let mut interaction = vec![json!({ "code": "read" })];
            if !params.is_empty() || *t == "Patient" {
                interaction.push(json!({ "code": "search-type" }));
            }
            let supported: Vec<String> = match *t {
                "Consent" => vec![profile("Consent:treatment"), profile("Consent:advance")],
                _ => vec![profile(t)],
            };
            let mut r = json!({
                "type": t,
                "supportedProfile": supported,
                "interaction": interaction,
            });
            let includes = includes_of(t);
            if !includes.is_empty() {
                r["searchInclude"] = json!(includes);
            }
            if !params.is_empty() {
                r["searchParam"] = json!(params);
            }
            r
        })
        .collect();
    let mut resource = resource;
    // The handover documents sent (read by id) and the discharge letters received
    // (`POST /fhir`, see `crate::discharge`).
    resource.push(json!({
        "type": "Bundle",
        "supportedProfile": [profile("Bundle")],
        "interaction": [{ "code": "read" }],
        "documentation": "Bundle/{id}: een verstuurde overdracht (document met Composition), zoals verstuurd; te lezen door wie de patiënt mag zien en door accounts van de ontvangende organisatie.",
    }));
    json!({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": date,
        "publisher": "Kernteam",
        "kind": "instance",
        "software": { "name": "Kernteam", "version": env!("CARGO_PKG_VERSION") },
        "implementation": { "description": "Kernteam: integrale zorg voor kwetsbare ouderen", "url": base },
        "fhirVersion": FHIR_VERSION,
        "format": ["application/fhir+json", "json"],
        "rest": [{
            "mode": "server",
            "security": {
                "cors": false,
                "description": "Aanmelden met de sessie van de webapplicatie, of met een Bearer-token dat de beheerder voor een systeemaccount uitgeeft (kernteam fhir-token issue).",
            },
            "resource": resource,
            "interaction": [{
                "code": "transaction",
                "documentation": "POST /fhir met een ontslagbericht van het ziekenhuis: een Bundle (document, collection of transaction) met de opname als Encounter (status finished, period.end het ontslag, serviceProvider het ziekenhuis) en de diagnoses als Condition; legt het ontslag vast en start de 24-uursklok van de overdracht. Een onjuiste Bundle wordt geweigerd met een OperationOutcome per probleem; dan wordt niets vastgelegd.",
            }],
        }],
    })
}
