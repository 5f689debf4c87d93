//! The individual care plan (IZP) as `CarePlan`: the patient's wishes as its description,
//! the problems per SFMPC domain as notes, the goals as `Goal` resources (the patient's own
//! words as their text), the actions as activities (what, who, when, status).

use kernteam_domain::care::{ActionStatus, CareAction, CarePlan};
use serde_json::{json, Value};

use crate::{clean, date, meta, PatientData, Versioned};

/// An action's status as a CarePlan activity's.
pub fn activity_status(s: ActionStatus) -> &'static str {
    match s {
        ActionStatus::Gepland => "not-started",
        ActionStatus::Lopend => "in-progress",
        ActionStatus::Afgerond => "completed",
        ActionStatus::Vervallen => "cancelled",
    }
}

fn goal_id(data: &PatientData, n: usize) -> String {
    format!("{}-{}", data.patient.id, n + 1)
}

pub(crate) fn goals(data: &PatientData) -> Vec<Value> {
    let Some(plan) = &data.care_plan else {
        return Vec::new();
    };
    plan.content
        .goals
        .iter()
        .enumerate()
        .map(|(n, g)| {
            clean(json!({
                "resourceType": "Goal",
                "id": goal_id(data, n),
                "meta": meta("Goal"),
                "lifecycleStatus": "active",
                "category": g.domain.map(|d| vec![json!({ "text": d.label() })]),
                "description": { "text": g.text },
                "subject": { "reference": data.patient_ref() },
            }))
        })
        .collect()
}

fn performer(data: &PatientData, a: &CareAction) -> Option<Value> {
    let member = a.member.and_then(|id| data.team.iter().find(|m| m.id == id));
    match member {
        Some(m) => Some(data.member_reference(m)),
        None if !a.who.trim().is_empty() => Some(json!({ "display": a.who })),
        None => None,
    }
}

fn activity(data: &PatientData, plan: &CarePlan, a: &CareAction) -> Value {
    // The goals of the action's domain are what it serves.
    let goal: Vec<Value> = match a.domain {
        Some(d) => plan
            .goals
            .iter()
            .enumerate()
            .filter(|(_, g)| g.domain == Some(d))
            .map(|(n, _)| json!({ "reference": format!("Goal/{}", goal_id(data, n)) }))
            .collect(),
        None => Vec::new(),
    };
    json!({
        "detail": {
            "reasonCode": a.domain.map(|d| vec![json!({ "text": d.label() })]),
            "goal": goal,
            "status": activity_status(a.status),
            "scheduledPeriod": a.due.map(|d| json!({ "end": date(d) })),
            "performer": performer(data, a).map(|p| vec![p]),
            "description": a.what,
        }
    })
}

fn care_plan(data: &PatientData, v: &Versioned<CarePlan>) -> Value {
    let plan = &v.content;
    let mut note: Vec<Value> = plan
        .problems
        .iter()
        .map(|p| json!({ "text": format!("Probleem ({}): {}", p.domain.label(), p.description) }))
        .collect();
    if let Some(d) = plan.evaluation_date {
        note.push(json!({ "text": format!("Evaluatie op {}", d.format("%d-%m-%Y")) }));
    }
    let created = v.created_at.get(..10).unwrap_or(&v.created_at).to_string();
    clean(json!({
        "resourceType": "CarePlan",
        "id": data.patient.id.to_string(),
        "meta": { "versionId": v.version.to_string(), "profile": meta("CarePlan")["profile"] },
        "status": "active",
        "intent": "plan",
        "category": [{ "text": "Individueel zorgplan (IZP)" }],
        "title": "Individueel zorgplan",
        "description": plan.wishes,
        "subject": { "reference": data.patient_ref() },
        "created": created,
        "author": { "display": v.created_by },
        "careTeam": [{ "reference": format!("CareTeam/{}", data.patient.id) }],
        "goal": (0..plan.goals.len()).map(|n| json!({ "reference": format!("Goal/{}", goal_id(data, n)) })).collect::<Vec<_>>(),
        "activity": plan.actions.iter().map(|a| activity(data, plan, a)).collect::<Vec<_>>(),
        "note": note,
    }))
}

pub(crate) fn care_plans(data: &PatientData) -> Vec<Value> {
    data.care_plan.iter().map(|v| care_plan(data, v)).collect()
}
