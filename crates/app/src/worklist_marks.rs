//! Working through the worklist: ticking an item off or putting it off until a day, each
//! with a reason. Ticking off a care-plan action completes the action in the care plan (a
//! new version of the plan, saying it was done from the worklist and why); everything else
//! is kept as a mark (`kernteam_store::worklist`) that hides the item. Both are audited in
//! the same transaction as the change.

use std::collections::HashSet;

use chrono::Utc;
use kernteam_domain::care::ActionStatus;
use kernteam_domain::worklist::{check_mark, MarkKind, WorkItem};

use crate::audit::Action;
use crate::error::{invalid_unless_empty, Error, Result};
use crate::gate::Contributor;
use crate::worklist::items_of;
use crate::{today, App};

/// What a mark did, for the message after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marked {
    /// The item's text as it stood on the list.
    pub text: String,
    pub kind: MarkKind,
    /// The care plan's new version, when an action was completed.
    pub care_plan_version: Option<i64>,
}

impl App {
    /// Ticks off or puts off the patient's worklist item `key`
    /// (`kernteam_domain::worklist::WorkItem::key`). Who may add to the patient's care
    /// records (the [`Contributor`] token) may do this; the item must be on the patient's worklist now and be one that
    /// can be marked (not a handover, which is done by sending it).
    pub async fn mark_work_item(&self, c: &Contributor, key: &str, kind: MarkKind, reason: &str) -> Result<Marked> {
        let (day, now) = (today(), Utc::now());
        invalid_unless_empty(check_mark(kind, reason, day).err().unwrap_or_default())?;
        let reason = reason.trim();
        let patient = c.patient().clone();
        let only: HashSet<i64> = [patient.id].into();
        let built = self
            .practice_states(patient.practice_id, Some(&only), day, now)
            .await?
            .into_iter()
            .next();
        let item = built.as_ref().and_then(|b| {
            // An own task beyond the list's horizon can be marked too.
            let mut items = items_of(b, day, now);
            if let Some(plan) = &b.state.care_plan {
                let members: Vec<i64> = plan.actions.iter().filter_map(|a| a.member).collect();
                items.extend(kernteam_domain::worklist::assigned_actions(plan, &members, day));
            }
            items.into_iter().find(|i| i.key() == key)
        });
        let Some(item) = item.filter(WorkItem::can_mark) else {
            return Err(Error::Invalid(vec![
                "Dit punt staat niet (meer) op de werklijst; ververs de lijst.".into(),
            ]));
        };
        let text = item.text();
        let user = c.actor().user();
        let mut ch = self.db.change().await?;
        let mut care_plan_version = None;
        if let (WorkItem::ActionDue { what, due, .. }, MarkKind::Done) = (&item, kind) {
            let (current, mut plan) = self.care_plan_of(patient.id).await?;
            let action = plan
                .actions
                .iter_mut()
                .find(|a| a.status.is_open() && a.what == *what && a.due.unwrap_or(day) == *due)
                .ok_or_else(|| Error::Invalid(vec!["Deze actie staat niet meer open in het zorgplan.".into()]))?;
            action.status = ActionStatus::Afgerond;
            let content = serde_json::to_string(&plan).map_err(|e| Error::Internal(e.into()))?;
            let summary = format!("Actie afgerond vanuit de werklijst: {what} ({reason})");
            care_plan_version = Some(
                ch.save_care_plan(patient.id, current, &content, &summary, user.id, &user.display_name)
                    .await?,
            );
        }
        ch.mark_work_item(patient.id, patient.practice_id, key, kind, reason, user.id)
            .await?;
        let detail = match kind {
            MarkKind::Done => format!("afgevinkt: {text}"),
            MarkKind::Snoozed(until) => format!("uitgesteld tot {until}: {text}"),
        };
        let mut entries = vec![c.actor().entry(Some(&patient), Action::MarkWorkItem, Some(detail))];
        if let Some(v) = care_plan_version {
            entries.push(
                c.actor()
                    .entry(Some(&patient), Action::SaveCarePlan, Some(format!("versie {v}"))),
            );
        }
        ch.commit(&entries).await?;
        Ok(Marked {
            text,
            kind,
            care_plan_version,
        })
    }
}
