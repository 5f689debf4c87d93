//! The POH-O capacity check for the region (region.md's `capacity` keys): the practices
//! outside the band in a period, the conversations the region holds with them, and the
//! follow-ups due, which are the region's worklist.

use chrono::NaiveDate;
use kernteam_domain::capacity::Capacity;
use kernteam_domain::period::Period;
use kernteam_domain::text;
use kernteam_store::capacity_conversations::{CapacityConversation, NewCapacityConversation};

use crate::audit::Action;
use crate::error::{Error, Result};
use crate::gate::RegionStaff;
use crate::{today, App};

/// One practice in the capacity overview.
#[derive(Debug, Clone)]
pub struct PracticeCapacity {
    pub practice_id: i64,
    pub agb_code: String,
    pub name: String,
    pub included: u64,
    pub hours_per_week: Option<f64>,
    pub needed: f64,
    pub available: Option<f64>,
    pub ratio: Option<f64>,
    pub capacity: Option<Capacity>,
    /// Newest first.
    pub conversations: Vec<CapacityConversation>,
}

/// The overview of a period.
#[derive(Debug, Clone)]
pub struct CapacityOverview {
    pub practices: Vec<PracticeCapacity>,
    /// Open follow-ups, earliest first, with the practice's name.
    pub follow_ups: Vec<(CapacityConversation, String)>,
    /// The band in force, within which a practice's ratio is *passend*.
    pub band: kernteam_domain::contract::CapacityBand,
}

/// A conversation as entered.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ConversationInput {
    #[serde(default)]
    pub held_on: String,
    #[serde(default)]
    pub participants: String,
    #[serde(default)]
    pub agreements: String,
    #[serde(default)]
    pub follow_up_on: String,
}

fn validate(
    practice_id: i64,
    input: ConversationInput,
    today: NaiveDate,
) -> std::result::Result<NewCapacityConversation, Vec<String>> {
    let mut errors = Vec::new();
    let held_on = match NaiveDate::parse_from_str(input.held_on.trim(), "%Y-%m-%d") {
        Ok(d) if d > today => {
            errors.push("Het gesprek ligt in de toekomst: leg het vast als het gehouden is.".to_string());
            None
        }
        Ok(d) => Some(d),
        Err(_) => {
            errors.push("Datum gesprek: vul een geldige datum in.".to_string());
            None
        }
    };
    let participants = text::optional(Some(input.participants), "Wie spraken er", 300, &mut errors);
    if participants.is_none() && !errors.iter().any(|e| e.starts_with("Wie spraken")) {
        errors.push("Vul in wie er spraken.".to_string());
    }
    let agreements = text::optional(Some(input.agreements), "De afspraken", 4000, &mut errors);
    if agreements.is_none() && !errors.iter().any(|e| e.starts_with("De afspraken")) {
        errors.push("Vul de gemaakte afspraken in.".to_string());
    }
    let follow_up_on = text::optional_date(&input.follow_up_on, "Datum vervolg", &mut errors);
    if let (Some(f), Some(h)) = (follow_up_on, held_on) {
        if f < h {
            errors.push("De datum van het vervolg ligt vóór het gesprek.".to_string());
        }
    }
    match (held_on, participants, agreements) {
        (Some(held_on), Some(participants), Some(agreements)) if errors.is_empty() => Ok(NewCapacityConversation {
            practice_id,
            held_on,
            participants,
            agreements,
            follow_up_on,
        }),
        _ => Err(errors),
    }
}

impl App {
    /// Every practice's capacity in the period, those outside the band first.
    pub async fn capacity_overview(&self, staff: &RegionStaff, period: &Period) -> Result<CapacityOverview> {
        let report = self.region_report(staff, period).await?;
        let conversations = self.db.capacity_conversations().await?;
        let all_practices = self.db.practices().await?;
        let practices_by_agb: std::collections::HashMap<&str, i64> =
            all_practices.iter().map(|p| (p.agb_code.as_str(), p.id)).collect();
        let mut practices: Vec<PracticeCapacity> = report
            .practices
            .iter()
            .filter_map(|p| {
                let c = p.capacity.as_ref()?;
                let id = *practices_by_agb.get(p.agb_code.as_str())?;
                Some(PracticeCapacity {
                    practice_id: id,
                    agb_code: p.agb_code.clone(),
                    name: p.name.clone(),
                    included: p.recorded.included,
                    hours_per_week: p.recorded.poh_o_hours_per_week,
                    needed: c.poh_o_hours_per_year_needed,
                    available: c.poh_o_hours_per_year_available,
                    ratio: c.capacity_ratio,
                    capacity: c.capacity,
                    conversations: conversations.iter().filter(|x| x.practice_id == id).cloned().collect(),
                })
            })
            .collect();
        let rank = |c: Option<Capacity>| match c {
            Some(Capacity::TeLaag) | Some(Capacity::TeHoog) => 0,
            None => 1,
            Some(Capacity::Passend) => 2,
        };
        practices.sort_by(|a, b| {
            rank(a.capacity)
                .cmp(&rank(b.capacity))
                .then(a.agb_code.cmp(&b.agb_code))
        });
        let names: std::collections::HashMap<i64, &str> =
            all_practices.iter().map(|p| (p.id, p.name.as_str())).collect();
        let mut follow_ups: Vec<(CapacityConversation, String)> = conversations
            .into_iter()
            .filter(|c| c.follow_up_on.is_some() && c.follow_up_done_at.is_none())
            .map(|c| {
                let name = names.get(&c.practice_id).map(|n| n.to_string()).unwrap_or_default();
                (c, name)
            })
            .collect();
        follow_ups.sort_by_key(|(c, _)| c.follow_up_on);
        Ok(CapacityOverview {
            practices,
            follow_ups,
            band: self.db.region_settings().await?.capacity_band,
        })
    }

    /// Records a conversation with a practice (audited).
    pub async fn record_capacity_conversation(
        &self,
        staff: &RegionStaff,
        practice_id: i64,
        input: ConversationInput,
    ) -> Result<i64> {
        let practice = self.db.practice(practice_id).await?;
        let c = validate(practice.id, input, today()).map_err(Error::Invalid)?;
        let mut ch = self.db.change().await?;
        let id = ch.add_capacity_conversation(&c, staff.actor().user().id).await?;
        let entry = kernteam_store::care::AuditEntry {
            practice_id: Some(practice.id),
            ..staff.actor().entry(
                None,
                Action::RecordCapacityConversation,
                Some(format!(
                    "{} ({}), gesprek van {}{}",
                    practice.name,
                    practice.agb_code,
                    c.held_on,
                    c.follow_up_on.map_or(String::new(), |f| format!(", vervolg {f}"))
                )),
            )
        };
        ch.commit(&[entry]).await?;
        Ok(id)
    }

    /// Marks a follow-up done (audited); `NotFound` when there is no open one.
    pub async fn complete_capacity_follow_up(&self, staff: &RegionStaff, id: i64) -> Result<()> {
        let mut ch = self.db.change().await?;
        let practice_id = ch.complete_capacity_follow_up(id).await?;
        let entry = kernteam_store::care::AuditEntry {
            practice_id: Some(practice_id),
            ..staff
                .actor()
                .entry(None, Action::CompleteCapacityFollowUp, Some(format!("gesprek {id}")))
        };
        ch.commit(&[entry]).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(held: &str, who: &str, what: &str, follow: &str) -> ConversationInput {
        ConversationInput {
            held_on: held.into(),
            participants: who.into(),
            agreements: what.into(),
            follow_up_on: follow.into(),
        }
    }

    #[test]
    fn a_conversation_needs_a_past_date_participants_and_agreements() {
        let today = "2027-05-01".parse().unwrap();
        assert!(validate(
            1,
            input("2027-04-20", "PM en huisarts", "Formatie naar 12 uur", "2027-09-01"),
            today
        )
        .is_ok());
        let errors = validate(1, input("2027-06-01", "", "", "2027-01-01"), today).unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:?}");
        let errors = validate(1, input("2027-04-20", "PM", "Afspraak", "2027-04-01"), today).unwrap_err();
        assert_eq!(errors, ["De datum van het vervolg ligt vóór het gesprek."]);
    }
}
