//! The URLs FHIR names things by: profiles, identifier systems and code systems.

/// The FHIR version served.
pub const FHIR_VERSION: &str = "4.0.1";

/// The MIME type of FHIR's JSON.
pub const FHIR_JSON: &str = "application/fhir+json";

/// Burgerservicenummer.
pub const BSN: &str = "http://fhir.nl/fhir/NamingSystem/bsn";
/// AGB-code of a care provider.
pub const AGB_Z: &str = "http://fhir.nl/fhir/NamingSystem/agb-z";
/// ICPC-1 (Dutch edition), the HIS's episode codes.
pub const ICPC_1_NL: &str = "http://hl7.org/fhir/sid/icpc-1-nl";
/// WHO ATC, the medication codes.
pub const ATC: &str = "http://www.whocc.no/atc";
/// NHG Tabel 45 (diagnostic determinants), by its OID.
pub const NHG_TABLE_45: &str = "urn:oid:2.16.840.1.113883.2.4.4.30.45";
pub const SNOMED: &str = "http://snomed.info/sct";
pub const CONSENT_SCOPE: &str = "http://terminology.hl7.org/CodeSystem/consentscope";
pub const CONSENT_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/consentcategorycodes";
pub const CONDITION_CLINICAL: &str = "http://terminology.hl7.org/CodeSystem/condition-clinical";
pub const ACT_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
pub const NULL_FLAVOR: &str = "http://terminology.hl7.org/CodeSystem/v3-NullFlavor";
/// The zib's code list of advance directive kinds (WilsverklaringTypeCodelijst).
pub const ADVANCE_DIRECTIVE_TYPE: &str = "urn:oid:2.16.840.1.113883.2.4.3.11.60.40.4.14.1";
/// Nictiz's extension for a free-text comment.
pub const EXT_COMMENT: &str = "http://nictiz.nl/fhir/StructureDefinition/ext-Comment";
/// The law the PZP's agreements rest on, as the IKNL PZP guide's examples name it.
pub const DUTCH_LAW: &str = "https://wetten.overheid.nl/";

const NICTIZ: &str = "http://nictiz.nl/fhir/StructureDefinition/";
const BASE: &str = "http://hl7.org/fhir/StructureDefinition/";

/// The profile each resource type is given in `meta.profile`: the nl-core (zib 2020)
/// profile where one exists, otherwise the base resource (see docs/fhir.md).
pub fn profile(resource_type: &str) -> String {
    let nl_core = match resource_type {
        "Patient" => Some("nl-core-Patient"),
        "Practitioner" => Some("nl-core-HealthProfessional-Practitioner"),
        "PractitionerRole" => Some("nl-core-HealthProfessional-PractitionerRole"),
        "Organization" => Some("nl-core-HealthcareProvider-Organization"),
        "RelatedPerson" => Some("nl-core-ContactPerson"),
        "CareTeam" => Some("nl-core-CareTeam"),
        "Condition" => Some("nl-core-Problem"),
        "MedicationStatement" => Some("nl-core-MedicationUse2"),
        "Encounter" => Some("nl-core-Encounter"),
        "Consent:treatment" => Some("nl-core-TreatmentDirective2"),
        "Consent:advance" => Some("nl-core-AdvanceDirective"),
        _ => None,
    };
    match nl_core {
        Some(p) => format!("{NICTIZ}{p}"),
        None => format!("{BASE}{}", resource_type.split(':').next().unwrap_or(resource_type)),
    }
}
