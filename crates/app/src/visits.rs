//! The region's practice visits and the progress of the collaboration in the geriatric
//! network: planned, recorded and shared by the region's staff who run the quality cycle
//! ([`RegionQuality`]: the programme manager and the kaderarts); read by the practice's own
//! staff ([`PracticeStaff`]), who see only their own practice's shared visits. Practice
//! data, not patient data: reads write no audit record, every change and every refusal does.

use kernteam_domain::collaboration::{self, CollaborationInput};
use kernteam_domain::period::Period;
use kernteam_domain::visits::{self, share_problem, visit_due, VisitDue, VisitReportInput};
use kernteam_store::care::AuditEntry;
use kernteam_store::collaboration::CollaborationEntry;
use kernteam_store::people::Practice;
use kernteam_store::visits::{Visit, VisitRecord};

use crate::audit::Action;
use crate::error::{Error, Result};
use crate::gate::PracticeStaff;
use crate::{today, Actor, App};

/// Region staff who run the quality cycle (`kernteam_domain::visits::runs_quality_cycle`).
/// Made only by [`App::region_quality`], like the gate's tokens.
#[derive(Debug, Clone)]
pub struct RegionQuality(Actor);

impl RegionQuality {
    pub fn actor(&self) -> &Actor {
        &self.0
    }

    /// The audit record of a change for one practice.
    pub(crate) fn entry(&self, practice_id: i64, action: Action, detail: String) -> AuditEntry {
        AuditEntry {
            practice_id: Some(practice_id),
            ..self.0.entry(None, action, Some(detail))
        }
    }
}

/// A practice with its visit state.
#[derive(Debug, Clone)]
pub struct PracticeVisits {
    pub practice: Practice,
    pub due: VisitDue,
}

/// Every practice's visit state and every visit.
#[derive(Debug, Clone)]
pub struct VisitOverview {
    pub practices: Vec<PracticeVisits>,
    /// Newest first.
    pub visits: Vec<Visit>,
}

/// A visit to plan as entered.
#[derive(Debug, Clone, Default)]
pub struct PlanInput {
    pub practice_id: Option<i64>,
    pub date: String,
}

/// One practice's collaboration in a quarter: its entries, by partner code.
#[derive(Debug, Clone)]
pub struct PracticeCollaboration {
    pub practice: Practice,
    pub entries: Vec<CollaborationEntry>,
}

impl App {
    /// The actor as one who runs the region's quality cycle; refused (and the refusal
    /// audited) for everyone else.
    pub async fn region_quality(&self, actor: &Actor) -> Result<RegionQuality> {
        if visits::runs_quality_cycle(actor.user().role) {
            Ok(RegionQuality(actor.clone()))
        } else {
            self.record(&actor.refusal(None, Action::AccessRefused, Some("kwaliteitscyclus".into())))
                .await?;
            Err(Error::Forbidden)
        }
    }

    /// Every practice with its visit state today, and every visit.
    pub async fn visit_overview(&self, _q: &RegionQuality) -> Result<VisitOverview> {
        let visits = self.db.visits().await?;
        let today = today();
        let practices = self
            .db
            .practices()
            .await?
            .into_iter()
            .map(|practice| {
                let of = || visits.iter().filter(|v| v.practice_id == practice.id);
                let last = of().filter_map(|v| v.visited_on).max();
                let next = of().filter(|v| !v.is_recorded()).map(|v| v.planned_on).min();
                PracticeVisits {
                    due: visit_due(last, next, today),
                    practice,
                }
            })
            .collect();
        Ok(VisitOverview { practices, visits })
    }

    /// Plans a visit; returns its id.
    pub async fn plan_visit(&self, q: &RegionQuality, input: PlanInput) -> Result<i64> {
        let mut errors = Vec::new();
        let practice = match input.practice_id {
            Some(id) => match self.db.practice(id).await {
                Ok(p) => Some(p),
                Err(kernteam_store::StoreError::NotFound) => None,
                Err(e) => return Err(e.into()),
            },
            None => None,
        };
        if practice.is_none() {
            errors.push("Kies de praktijk die u bezoekt.".to_string());
        }
        let date = visits::validate_plan(&input.date, today()).map_err(|e| errors.extend(e));
        let (Some(practice), Ok(date), true) = (practice, date, errors.is_empty()) else {
            return Err(Error::Invalid(errors));
        };
        let mut ch = self.db.change().await?;
        let id = ch.plan_visit(practice.id, date, q.actor().user().id).await?;
        ch.commit(&[q.entry(practice.id, Action::PlanVisit, format!("{} op {date}", practice.name))])
            .await?;
        Ok(id)
    }

    /// One visit, for the region.
    pub async fn region_visit(&self, _q: &RegionQuality, id: i64) -> Result<Visit> {
        Ok(self.db.visit(id).await?)
    }

    /// Records (or corrects) a visit's report and feedback.
    pub async fn record_visit(&self, q: &RegionQuality, id: i64, input: &VisitReportInput) -> Result<()> {
        let visit = self.db.visit(id).await?;
        let r = visits::validate_report(input, today()).map_err(Error::Invalid)?;
        let mut ch = self.db.change().await?;
        ch.record_visit(
            id,
            &VisitRecord {
                visited_on: r.visited_on,
                topics: r.topics,
                feedback: r.feedback,
            },
            q.actor().user().id,
        )
        .await?;
        ch.commit(&[q.entry(
            visit.practice_id,
            Action::RecordVisit,
            format!("bezoek {id} aan {} op {}", visit.practice_name, r.visited_on),
        )])
        .await?;
        Ok(())
    }

    /// Shares a recorded visit's feedback with its practice.
    pub async fn share_visit(&self, q: &RegionQuality, id: i64) -> Result<()> {
        let visit = self.db.visit(id).await?;
        if let Some(problem) = share_problem(visit.is_recorded(), visit.feedback.is_some()) {
            return Err(Error::invalid(problem));
        }
        let mut ch = self.db.change().await?;
        ch.share_visit(id, q.actor().user().id).await?;
        ch.commit(&[q.entry(
            visit.practice_id,
            Action::ShareVisit,
            format!("bezoek {id} aan {}", visit.practice_name),
        )])
        .await?;
        Ok(())
    }

    /// The staff member's practice's shared visits, newest first.
    pub async fn shared_visits(&self, s: &PracticeStaff) -> Result<Vec<Visit>> {
        Ok(self
            .db
            .practice_visits(s.practice_id())
            .await?
            .into_iter()
            .filter(Visit::is_shared)
            .collect())
    }

    /// One shared visit of the staff member's own practice; any other visit does not
    /// exist for them (the refusal is audited).
    pub async fn shared_visit(&self, s: &PracticeStaff, id: i64) -> Result<Visit> {
        match self.db.visit(id).await {
            Ok(v) if v.practice_id == s.practice_id() && v.is_shared() => Ok(v),
            Ok(_) | Err(kernteam_store::StoreError::NotFound) => {
                self.record(
                    &s.actor()
                        .refusal(None, Action::AccessRefused, Some(format!("praktijkbezoek {id}"))),
                )
                .await?;
                Err(Error::NotFound)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Every practice's collaboration in a quarter.
    pub async fn region_collaboration(
        &self,
        _q: &RegionQuality,
        quarter: &Period,
    ) -> Result<Vec<PracticeCollaboration>> {
        let entries = self.db.collaboration_of_quarter(&quarter.label).await?;
        Ok(self
            .db
            .practices()
            .await?
            .into_iter()
            .map(|practice| PracticeCollaboration {
                entries: entries
                    .iter()
                    .filter(|e| e.practice_id == practice.id)
                    .cloned()
                    .collect(),
                practice,
            })
            .collect())
    }

    /// Records a practice's collaboration for a quarter: every partner given is set (or
    /// cleared when its status is empty). One audit record names the quarter and statuses.
    pub async fn set_collaboration(
        &self,
        q: &RegionQuality,
        practice_id: Option<i64>,
        quarter: &str,
        lines: &[CollaborationInput],
    ) -> Result<()> {
        let mut errors = Vec::new();
        let practice = match practice_id {
            Some(id) => match self.db.practice(id).await {
                Ok(p) => Some(p),
                Err(kernteam_store::StoreError::NotFound) => None,
                Err(e) => return Err(e.into()),
            },
            None => None,
        };
        if practice.is_none() {
            errors.push("Kies de praktijk.".to_string());
        }
        let period = collaboration::quarter(quarter).map_err(|e| errors.push(e));
        let lines = collaboration::validate(lines).map_err(|e| errors.extend(e));
        let (Some(practice), Ok(period), Ok(lines), true) = (practice, period, lines, errors.is_empty()) else {
            return Err(Error::Invalid(errors));
        };
        if lines.is_empty() {
            return Err(Error::invalid("Er is niets ingevuld."));
        }
        let mut ch = self.db.change().await?;
        for l in &lines {
            let status = l.status.map(|s| (s.code(), l.note.as_deref()));
            ch.set_collaboration(
                practice.id,
                &period.label,
                l.partner.code(),
                status,
                q.actor().user().id,
            )
            .await?;
        }
        let summary: Vec<String> = lines
            .iter()
            .map(|l| format!("{}: {}", l.partner.code(), l.status.map_or("—", |s| s.code())))
            .collect();
        ch.commit(&[q.entry(
            practice.id,
            Action::SetCollaboration,
            format!("{} {}: {}", practice.name, period.label, summary.join(", ")),
        )])
        .await?;
        Ok(())
    }

    /// One practice's collaboration in every quarter, newest first, for the region.
    pub async fn region_practice_collaboration(
        &self,
        _q: &RegionQuality,
        practice_id: i64,
    ) -> Result<Vec<CollaborationEntry>> {
        Ok(self.db.practice_collaboration(practice_id).await?)
    }

    /// The staff member's practice's collaboration, newest quarter first.
    pub async fn practice_collaboration(&self, s: &PracticeStaff) -> Result<Vec<CollaborationEntry>> {
        Ok(self.db.practice_collaboration(s.practice_id()).await?)
    }
}
