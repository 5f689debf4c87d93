//! Correcting and withdrawing recorded consultations, medication reviews and events.
//!
//! Never silently: a correction keeps the version before it, a withdrawal (recorded in
//! error) keeps the record, both with who, when and why, in the same transaction as the
//! audit record. Withdrawn records no longer count in the worklist or the figures (the
//! store's counting queries leave them out). Who may: `kernteam_domain::access::
//! may_correct_record` — the practice's clinicians, and a network professional on the care
//! team for what they recorded themselves; anyone else who may see the patient is refused
//! (403, audited).

use chrono::Utc;
use kernteam_domain::access::{may_correct_record, Relationship, Role, Scope};
use kernteam_domain::consultations::{validate as validate_consultation, ConsultationInput};
use kernteam_domain::events::validate_event;
use kernteam_domain::medication_reviews::{validate as validate_review, ReviewInput};
use kernteam_store::program::{
    CareEvent, Consultation, Correction, CorrectionAction, CorrectionBy, MedicationReview, NewConsultation,
    NewMedicationReview, RecordKind,
};
use serde_json::json;

use crate::audit::Action;
use crate::error::{invalid_unless_empty, Error, Result};
use crate::events::{stored_time, EventInput};
use crate::gate::{Contributor, Visible};
use crate::{today, App};

/// Longest reason for a correction or withdrawal.
pub const MAX_REASON: usize = 500;

/// The reason, trimmed; required.
pub fn check_reason(reason: &str) -> Result<String> {
    let r = reason.trim();
    if r.is_empty() {
        return Err(Error::invalid("Vul de reden in van de correctie of het intrekken."));
    }
    if r.chars().count() > MAX_REASON {
        return Err(Error::invalid(format!(
            "De reden mag hoogstens {MAX_REASON} tekens lang zijn."
        )));
    }
    Ok(r.to_string())
}

/// The record's kind in Dutch, for the audit detail.
fn noun(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Consultation => "so-consultatie",
        RecordKind::MedicationReview => "medicatiebeoordeling",
        RecordKind::CareEvent => "gebeurtenis",
    }
}

fn consultation_json(c: &Consultation) -> String {
    json!({ "date": c.date, "question": c.question, "advice": c.advice, "kind": c.kind,
            "funding": c.funding, "so_name": c.so_name })
    .to_string()
}

fn review_json(m: &MedicationReview) -> String {
    json!({ "date": m.date, "participants": m.participants, "stopped": m.stopped, "started": m.started,
            "changed": m.changed, "follow_up": m.follow_up })
    .to_string()
}

fn event_json(e: &CareEvent) -> String {
    json!({ "kind": e.kind, "occurred_at": e.occurred_at, "notes": e.notes }).to_string()
}

/// The version before a correction in one line, as the pages show it.
pub fn previous_summary(c: &Correction) -> String {
    let v: serde_json::Value = serde_json::from_str(&c.previous).unwrap_or_default();
    let field = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
    let date = |k: &str| {
        let s = field(k);
        chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_or(s, |d| d.format("%d-%m-%Y").to_string())
    };
    let parts: Vec<String> = match c.record_kind.as_str() {
        "consultation" => vec![date("date"), field("question"), field("so_name")],
        "medication_review" => vec![date("date"), field("stopped"), field("started"), field("changed")],
        _ => vec![
            kernteam_domain::events::EventKind::from_code(&field("kind"))
                .map_or_else(|| field("kind"), |k| k.label().to_string()),
            chrono::DateTime::parse_from_rfc3339(&field("occurred_at"))
                .map(|t| crate::events::local_text(t.with_timezone(&Utc)))
                .unwrap_or_default(),
            field("notes"),
        ],
    };
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}

impl App {
    /// The corrections and withdrawals of the patient's records of `kind`, oldest first.
    pub async fn corrections(&self, v: &Visible, kind: RecordKind) -> Result<Vec<Correction>> {
        Ok(self.db.corrections(v.patient().id, kind).await?)
    }

    /// Whether the contributor may correct a record recorded by `recorded_by`; refuses
    /// (audited) when not.
    async fn correction_allowed(&self, c: &Contributor, recorded_by: Option<i64>) -> Result<()> {
        let u = c.actor().user();
        let rel = Relationship {
            same_practice: u.practice_id == Some(c.patient().practice_id),
            on_care_team: u.role.scope() == Scope::Network && c.access().contribute,
        };
        if may_correct_record(u.role, rel, recorded_by == Some(u.id)) {
            Ok(())
        } else {
            self.refuse_holder(c, "registratie corrigeren").await?;
            Err(Error::Forbidden)
        }
    }

    /// May the actor correct or withdraw a record recorded by `recorded_by` (for showing
    /// the buttons)? No audit record.
    pub fn may_correct(v: &Visible, recorded_by: Option<i64>) -> bool {
        let u = v.actor().user();
        let rel = Relationship {
            same_practice: u.practice_id == Some(v.patient().practice_id),
            on_care_team: u.role.scope() == Scope::Network && v.access().contribute,
        };
        v.access().contribute && may_correct_record(u.role, rel, recorded_by == Some(u.id))
    }

    async fn current_record(&self, c: &Contributor, kind: RecordKind, id: i64) -> Result<(String, Option<i64>)> {
        let p = c.patient().id;
        let found = match kind {
            RecordKind::Consultation => self
                .db
                .consultations(p)
                .await?
                .into_iter()
                .find(|x| x.id == id && x.withdrawn_at.is_none())
                .map(|x| (consultation_json(&x), x.recorded_by)),
            RecordKind::MedicationReview => self
                .db
                .medication_reviews(p)
                .await?
                .into_iter()
                .find(|x| x.id == id && x.withdrawn_at.is_none())
                .map(|x| (review_json(&x), x.recorded_by)),
            RecordKind::CareEvent => self
                .db
                .events(p)
                .await?
                .into_iter()
                .find(|x| x.id == id && x.withdrawn_at.is_none())
                .map(|x| (event_json(&x), x.recorded_by)),
        };
        found.ok_or(Error::NotFound)
    }

    /// Withdraws a record (recorded in error) with the reason. `NotFound` when the patient
    /// has no such current record.
    pub async fn withdraw_record(&self, c: &Contributor, kind: RecordKind, id: i64, reason: &str) -> Result<()> {
        let (previous, recorded_by) = self.current_record(c, kind, id).await?;
        self.correction_allowed(c, recorded_by).await?;
        let reason = check_reason(reason)?;
        let user = c.actor().user();
        let by = CorrectionBy {
            user_id: user.id,
            user_name: &user.display_name,
            reason: &reason,
        };
        let mut ch = self.db.change().await?;
        ch.withdraw_record(c.patient().id, kind, id, &previous, &by).await?;
        ch.commit(&[c.actor().entry(
            Some(c.patient()),
            Action::WithdrawRecord,
            Some(format!("{} {id}: {reason}", noun(kind))),
        )])
        .await?;
        Ok(())
    }

    async fn write_correction(
        &self,
        c: &Contributor,
        kind: RecordKind,
        id: i64,
        previous: &str,
        reason: &str,
        update: Update,
    ) -> Result<()> {
        let user = c.actor().user();
        let by = CorrectionBy {
            user_id: user.id,
            user_name: &user.display_name,
            reason,
        };
        let mut ch = self.db.change().await?;
        let patient = c.patient().id;
        match &update {
            Update::Consultation(new) => ch.update_consultation(patient, id, new).await?,
            Update::Review(new) => ch.update_medication_review(patient, id, new).await?,
            Update::Event { kind, at, notes } => ch.update_event(patient, id, kind, at, notes.as_deref()).await?,
        }
        ch.keep_previous(c.patient().id, kind, id, CorrectionAction::Corrected, previous, &by)
            .await?;
        ch.commit(&[c.actor().entry(
            Some(c.patient()),
            Action::CorrectRecord,
            Some(format!("{} {id}: {reason}", noun(kind))),
        )])
        .await?;
        Ok(())
    }

    /// Corrects a consultation: the new content replaces it, the version before is kept.
    pub async fn correct_consultation(
        &self,
        c: &Contributor,
        id: i64,
        input: &ConsultationInput,
        reason: &str,
    ) -> Result<()> {
        let (previous, recorded_by) = self.current_record(c, RecordKind::Consultation, id).await?;
        self.correction_allowed(c, recorded_by).await?;
        let user = c.actor().user();
        let own = (user.role == Role::SpecialistOuderengeneeskunde).then_some(user.display_name.as_str());
        let mut errors = Vec::new();
        let valid = validate_consultation(input, today(), own)
            .map_err(|e| errors.extend(e))
            .ok();
        let reason = check_reason(reason)
            .map_err(|e| errors.extend(invalid_messages(e)))
            .ok();
        invalid_unless_empty(errors)?;
        let (valid, reason) = (valid.expect("valid"), reason.expect("reason"));
        let new = NewConsultation {
            date: valid.date,
            question: valid.question,
            advice: valid.advice,
            kind: valid.kind.code().to_string(),
            funding: valid.funding.code().to_string(),
            so_name: valid.so_name,
        };
        self.write_correction(
            c,
            RecordKind::Consultation,
            id,
            &previous,
            &reason,
            Update::Consultation(new),
        )
        .await
    }

    /// Corrects a medication review; its indication stays as recorded.
    pub async fn correct_medication_review(
        &self,
        c: &Contributor,
        id: i64,
        input: &ReviewInput,
        reason: &str,
    ) -> Result<()> {
        let (previous, recorded_by) = self.current_record(c, RecordKind::MedicationReview, id).await?;
        self.correction_allowed(c, recorded_by).await?;
        let mut errors = Vec::new();
        let valid = validate_review(input, today()).map_err(|e| errors.extend(e)).ok();
        let reason = check_reason(reason)
            .map_err(|e| errors.extend(invalid_messages(e)))
            .ok();
        invalid_unless_empty(errors)?;
        let (valid, reason) = (valid.expect("valid"), reason.expect("reason"));
        let stored = self
            .db
            .medication_reviews(c.patient().id)
            .await?
            .into_iter()
            .find(|m| m.id == id)
            .ok_or(Error::NotFound)?;
        let new = NewMedicationReview {
            date: valid.date,
            indication: stored.indication,
            participants: valid.participants.join(","),
            stopped: valid.stopped,
            started: valid.started,
            changed: valid.changed,
            follow_up: valid.follow_up,
        };
        self.write_correction(
            c,
            RecordKind::MedicationReview,
            id,
            &previous,
            &reason,
            Update::Review(new),
        )
        .await
    }

    /// Corrects an event's kind, time and notes; a sent handover stays recorded.
    pub async fn correct_event(&self, c: &Contributor, id: i64, input: EventInput, reason: &str) -> Result<()> {
        let (previous, recorded_by) = self.current_record(c, RecordKind::CareEvent, id).await?;
        self.correction_allowed(c, recorded_by).await?;
        let mut errors = Vec::new();
        let valid = validate_event(&input.kind, input.occurred_at, input.notes, Utc::now())
            .map_err(|e| errors.extend(e))
            .ok();
        let reason = check_reason(reason)
            .map_err(|e| errors.extend(invalid_messages(e)))
            .ok();
        invalid_unless_empty(errors)?;
        let (valid, reason) = (valid.expect("valid"), reason.expect("reason"));
        let at = stored_time(valid.occurred_at);
        let update = Update::Event {
            kind: valid.kind.code(),
            at,
            notes: valid.notes,
        };
        self.write_correction(c, RecordKind::CareEvent, id, &previous, &reason, update)
            .await
    }
}

/// The new content of a corrected record.
enum Update {
    Consultation(NewConsultation),
    Review(NewMedicationReview),
    Event {
        kind: &'static str,
        at: String,
        notes: Option<String>,
    },
}

fn invalid_messages(e: Error) -> Vec<String> {
    match e {
        Error::Invalid(m) => m,
        other => vec![other.to_string()],
    }
}
