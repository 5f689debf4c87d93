//! Screening and the frailty conclusion on one patient's record: the index from the latest
//! extract with the deficits that make it, the instruments administered (each dated and
//! kept, scored by `kernteam_domain::screening`) with their trend, and the clinician's
//! conclusion. A confirmed conclusion proposes what follows: registering the frail-elder
//! episode in the HIS (a task: Kernteam does not write into the HIS) and the inclusion.

use chrono::NaiveDate;
use kernteam_domain::care::{status_on, ProgramStatus};
use kernteam_domain::codes::CodeSets;
use kernteam_domain::frailty::FrailtyIndex;
use kernteam_domain::screening::{self, check_date, check_reason, items_text, Instrument, Trend};
use kernteam_store::screenings::{FrailtyConclusion, NewScreening, Screening};

use crate::audit::Action;
use crate::error::{Error, Result};
use crate::gate::{Contributor, Decider, Visible};
use crate::{today, App};

/// The index of the patient on the latest extract.
#[derive(Debug, Clone)]
pub struct IndexOnRecord {
    pub extract_date: NaiveDate,
    pub code_version: String,
    pub index: FrailtyIndex,
    pub deficits: Vec<String>,
    /// Has a frail-elder episode (A05, A05.*, A49.01) on the extract date.
    pub frail_episode: bool,
    pub age: i32,
}

/// A screening with its trend against the previous one of the same instrument.
#[derive(Debug, Clone)]
pub struct ScreeningWithTrend {
    pub screening: Screening,
    pub trend: Trend,
}

/// What the record shows for case finding.
#[derive(Debug, Clone)]
pub struct FrailtyRecord {
    /// `None`: the patient is not in the practice's latest extract.
    pub index: Option<IndexOnRecord>,
    /// Newest first.
    pub screenings: Vec<ScreeningWithTrend>,
    /// Newest first; the first holds.
    pub conclusions: Vec<FrailtyConclusion>,
    pub status: ProgramStatus,
}

impl FrailtyRecord {
    pub fn conclusion(&self) -> Option<&FrailtyConclusion> {
        self.conclusions.first()
    }

    /// Frailty confirmed, and the latest extract shows no frail-elder episode yet: the
    /// practice registers one in the HIS.
    pub fn episode_task(&self) -> bool {
        self.conclusion().is_some_and(|c| c.frail) && self.index.as_ref().is_some_and(|i| !i.frail_episode)
    }

    /// Frailty confirmed and the patient not included: propose the inclusion.
    pub fn inclusion_proposed(&self) -> bool {
        self.conclusion().is_some_and(|c| c.frail) && self.status != ProgramStatus::Included
    }
}

/// A screening as entered.
#[derive(Debug, Clone, Default)]
pub struct ScreeningInput {
    pub instrument: String,
    pub date: String,
    /// 1-based item numbers that scored.
    pub items: Vec<String>,
    pub note: Option<String>,
}

/// A conclusion as entered.
#[derive(Debug, Clone, Default)]
pub struct ConclusionInput {
    pub date: String,
    /// `ja` (frail) or `nee`.
    pub frail: String,
    pub reason: String,
}

fn parse_date(raw: &str, errors: &mut Vec<String>) -> Option<NaiveDate> {
    match NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d") {
        Ok(d) => match check_date(d, today()) {
            Ok(d) => Some(d),
            Err(e) => {
                errors.push(e);
                None
            }
        },
        Err(_) => {
            errors.push("Datum: vul een geldige datum in.".into());
            None
        }
    }
}

impl App {
    /// The patient's index, screenings and conclusions (no audit record of its own: the
    /// caller's [`Visible`] wrote the read).
    pub async fn frailty_record(&self, v: &Visible) -> Result<FrailtyRecord> {
        let p = v.patient();
        let mut index = None;
        if let Some(snap) = self.db.latest_snapshot(p.practice_id).await? {
            if let Some(f) = self.db.patient_facts(snap.snapshot_id, &p.his_id).await? {
                let list = &self.frailty_codes;
                let i = list.index(&f, snap.extract_date);
                index = Some(IndexOnRecord {
                    extract_date: snap.extract_date,
                    code_version: list.version.clone(),
                    deficits: list.names(&i).into_iter().map(str::to_string).collect(),
                    index: i,
                    frail_episode: f.frail_on(snap.extract_date, &CodeSets::default()),
                    age: kernteam_domain::dates::age_on(f.birth_date, today()),
                });
            }
        }
        let stored = self.db.screenings(p.id).await?;
        let mut screenings: Vec<ScreeningWithTrend> = Vec::with_capacity(stored.len());
        for s in stored {
            let previous = screenings
                .iter()
                .rev()
                .find(|x| x.screening.instrument == s.instrument)
                .map(|x| x.screening.score);
            screenings.push(ScreeningWithTrend {
                trend: Trend::between(previous, s.score),
                screening: s,
            });
        }
        screenings.reverse();
        let mut conclusions = self.db.frailty_conclusions(p.id).await?;
        conclusions.reverse();
        let decisions: Vec<_> = self.db.decisions(p.id).await?.iter().map(|d| d.as_decision()).collect();
        Ok(FrailtyRecord {
            index,
            screenings,
            conclusions,
            status: status_on(&decisions, today()),
        })
    }

    /// The reasons kept with inclusions that were exceptions: (decision id, reason).
    pub async fn inclusion_exception_reasons(&self, v: &Visible) -> Result<Vec<(i64, String)>> {
        Ok(self.db.inclusion_exceptions(v.patient().id).await?)
    }

    /// Records an administration, scored by Kernteam. Returns the stored screening's id.
    pub async fn record_screening(&self, c: &Contributor, input: &ScreeningInput) -> Result<i64> {
        let mut errors = Vec::new();
        let instrument = Instrument::from_code(&input.instrument);
        if instrument.is_none() {
            errors.push("Kies een screeningsinstrument.".to_string());
        }
        let date = parse_date(&input.date, &mut errors);
        let mut items = Vec::new();
        for raw in &input.items {
            match raw.trim().parse::<u32>() {
                Ok(n) => items.push(n),
                Err(_) => errors.push(format!("'{}' is geen itemnummer.", raw.trim())),
            }
        }
        let note = kernteam_domain::text::optional(input.note.clone(), "De toelichting", 2000, &mut errors);
        let scored = match instrument {
            Some(i) => match screening::score(i, &items) {
                Ok(s) => Some(s),
                Err(e) => {
                    errors.push(e);
                    None
                }
            },
            None => None,
        };
        let (Some(date), Some(scored), true) = (date, scored, errors.is_empty()) else {
            return Err(Error::Invalid(errors));
        };
        let new = NewScreening {
            instrument: scored.instrument,
            administered_on: date,
            items: items_text(&scored.items),
            score: scored.score,
            positive: scored.positive,
            note,
        };
        let mut ch = self.db.change().await?;
        let id = ch.add_screening(c.patient().id, &new, c.actor().user().id).await?;
        ch.commit(&[c.actor().entry(
            Some(c.patient()),
            Action::RecordScreening,
            Some(format!(
                "{} {}: score {}",
                new.instrument.short(),
                new.administered_on,
                new.score
            )),
        )])
        .await?;
        Ok(id)
    }

    /// Records the clinician's conclusion: frail or not, with the reason.
    pub async fn record_frailty_conclusion(&self, d: &Decider, input: &ConclusionInput) -> Result<i64> {
        let mut errors = Vec::new();
        let date = parse_date(&input.date, &mut errors);
        let frail = match input.frail.trim() {
            "ja" => Some(true),
            "nee" => Some(false),
            _ => {
                errors.push("Kies: kwetsbaar of niet kwetsbaar.".to_string());
                None
            }
        };
        let reason = check_reason(&input.reason).map_err(|e| errors.push(e)).ok();
        let (Some(date), Some(frail), Some(reason), true) = (date, frail, reason, errors.is_empty()) else {
            return Err(Error::Invalid(errors));
        };
        let mut ch = self.db.change().await?;
        let id = ch
            .add_frailty_conclusion(d.patient().id, date, frail, &reason, d.actor().user().id)
            .await?;
        ch.commit(&[d.actor().entry(
            Some(d.patient()),
            Action::RecordFrailtyConclusion,
            Some(format!(
                "{date}: {}",
                if frail { "kwetsbaar" } else { "niet kwetsbaar" }
            )),
        )])
        .await?;
        Ok(id)
    }
}
