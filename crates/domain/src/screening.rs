//! Screening instruments for frailty: GFI, PRISMA-7, ISAR-PC and TFI, scored by Kernteam
//! from the items that score a point, and the clinician's conclusion after screening.
//!
//! Each item is written as the answer that scores (for the GFI "kan niet zelfstandig
//! boodschappen doen"): the clinician ticks the items that apply, as on the paper form, and
//! Kernteam adds up and compares with the cut-off. A screening is a step towards the
//! clinician's judgement, never the judgement itself.

use chrono::NaiveDate;
use serde::Serialize;

/// An instrument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Instrument {
    Gfi,
    Prisma7,
    IsarPc,
    Tfi,
}

const GFI_ITEMS: [&str; 15] = [
    "Kan niet zelfstandig boodschappen doen",
    "Kan niet zelfstandig buitenshuis rondlopen",
    "Kan zich niet zelfstandig aan- en uitkleden",
    "Kan niet zelfstandig naar het toilet",
    "Geeft de eigen lichamelijke fitheid een 6 of lager",
    "Ervaart problemen in het dagelijks leven door slecht zien",
    "Ervaart problemen in het dagelijks leven door slecht horen",
    "Is de afgelopen 6 maanden ongewild veel afgevallen",
    "Gebruikt 4 of meer verschillende soorten medicijnen",
    "Heeft klachten over het geheugen",
    "Ervaart (soms) een leegte om zich heen",
    "Mist (soms) mensen om zich heen",
    "Voelt zich (soms) in de steek gelaten",
    "Voelde zich de laatste tijd (soms) neerslachtig of somber",
    "Voelde zich de laatste tijd (soms) nerveus of angstig",
];

const PRISMA7_ITEMS: [&str; 7] = [
    "Is ouder dan 85 jaar",
    "Is een man",
    "Heeft gezondheidsproblemen die de activiteiten beperken",
    "Heeft regelmatig hulp van iemand nodig",
    "Heeft gezondheidsproblemen waardoor thuisblijven nodig is",
    "Kan in geval van nood NIET rekenen op iemand dichtbij",
    "Gebruikt regelmatig een stok, rollator of rolstoel",
];

const ISAR_PC_ITEMS: [&str; 3] = [
    "Had vóór de huidige klachten al regelmatig hulp nodig bij dagelijkse activiteiten",
    "Gebruikt 5 of meer verschillende medicijnen",
    "Heeft problemen met het geheugen",
];

const TFI_ITEMS: [&str; 15] = [
    "Voelt zich lichamelijk niet gezond",
    "Is de laatste tijd ongewild veel afgevallen",
    "Ervaart problemen door moeite met lopen",
    "Ervaart problemen door moeite met het evenwicht",
    "Ervaart problemen door slecht horen",
    "Ervaart problemen door slecht zien",
    "Ervaart problemen door weinig kracht in de handen",
    "Ervaart problemen door lichamelijke moeheid",
    "Heeft problemen met het geheugen",
    "Voelde zich de afgelopen maand (soms) somber",
    "Voelde zich de afgelopen maand (soms) nerveus of angstig",
    "Kan problemen (soms) niet goed opvangen",
    "Woont alleen",
    "Mist (soms) mensen om zich heen",
    "Krijgt onvoldoende steun van andere mensen",
];

impl Instrument {
    pub const ALL: [Instrument; 4] = [
        Instrument::Gfi,
        Instrument::Prisma7,
        Instrument::IsarPc,
        Instrument::Tfi,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Instrument::Gfi => "gfi",
            Instrument::Prisma7 => "prisma7",
            Instrument::IsarPc => "isar_pc",
            Instrument::Tfi => "tfi",
        }
    }

    pub fn from_code(code: &str) -> Option<Instrument> {
        Instrument::ALL.into_iter().find(|i| i.code() == code.trim())
    }

    /// The instrument's name.
    pub fn label(self) -> &'static str {
        match self {
            Instrument::Gfi => "GFI (Groningen Frailty Indicator)",
            Instrument::Prisma7 => "PRISMA-7",
            Instrument::IsarPc => "ISAR-PC",
            Instrument::Tfi => "TFI (Tilburg Frailty Indicator, deel B)",
        }
    }

    pub fn short(self) -> &'static str {
        match self {
            Instrument::Gfi => "GFI",
            Instrument::Prisma7 => "PRISMA-7",
            Instrument::IsarPc => "ISAR-PC",
            Instrument::Tfi => "TFI",
        }
    }

    /// The items, each as the answer that scores a point.
    pub fn items(self) -> &'static [&'static str] {
        match self {
            Instrument::Gfi => &GFI_ITEMS,
            Instrument::Prisma7 => &PRISMA7_ITEMS,
            Instrument::IsarPc => &ISAR_PC_ITEMS,
            Instrument::Tfi => &TFI_ITEMS,
        }
    }

    /// From this score on the screening is positive (suggests frailty): GFI ≥ 4,
    /// PRISMA-7 ≥ 3, ISAR-PC ≥ 2, TFI ≥ 5.
    pub fn cut_off(self) -> u32 {
        match self {
            Instrument::Gfi => 4,
            Instrument::Prisma7 => 3,
            Instrument::IsarPc => 2,
            Instrument::Tfi => 5,
        }
    }

    pub fn max_score(self) -> u32 {
        self.items().len() as u32
    }
}

/// A scored administration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scored {
    pub instrument: Instrument,
    /// The items that score, 1-based, ascending, without repeats.
    pub items: Vec<u32>,
    pub score: u32,
    /// At or above the cut-off.
    pub positive: bool,
}

/// Scores the ticked items (1-based numbers of [`Instrument::items`]).
pub fn score(instrument: Instrument, ticked: &[u32]) -> Result<Scored, String> {
    let n = instrument.items().len() as u32;
    let mut items: Vec<u32> = ticked.to_vec();
    items.sort_unstable();
    items.dedup();
    if let Some(bad) = items.iter().find(|i| **i == 0 || **i > n) {
        return Err(format!(
            "{} heeft geen item {bad} (1 tot en met {n})",
            instrument.short()
        ));
    }
    let score = items.len() as u32;
    Ok(Scored {
        instrument,
        positive: score >= instrument.cut_off(),
        items,
        score,
    })
}

/// The items as stored: `1,4,9` (empty: none scored).
pub fn items_text(items: &[u32]) -> String {
    items.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
}

/// Parses [`items_text`].
pub fn parse_items(text: &str) -> Result<Vec<u32>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<u32>().map_err(|_| format!("'{s}' is geen itemnummer")))
        .collect()
}

/// How a score moved since the previous administration of the same instrument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    First,
    Higher,
    Same,
    Lower,
}

impl Trend {
    pub fn between(previous: Option<u32>, now: u32) -> Trend {
        match previous {
            None => Trend::First,
            Some(p) if now > p => Trend::Higher,
            Some(p) if now < p => Trend::Lower,
            Some(_) => Trend::Same,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Trend::First => "eerste afname",
            Trend::Higher => "hoger dan vorige keer",
            Trend::Same => "gelijk aan vorige keer",
            Trend::Lower => "lager dan vorige keer",
        }
    }
}

/// Checks the date of an administration or conclusion: not in the future, not before 2000.
pub fn check_date(date: NaiveDate, today: NaiveDate) -> Result<NaiveDate, String> {
    if date > today {
        return Err("De datum ligt in de toekomst.".into());
    }
    if date < NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date") {
        return Err("De datum ligt voor 2000.".into());
    }
    Ok(date)
}

/// The longest reason for a conclusion or an exception.
pub const MAX_REASON: usize = 2000;

/// Checks the reason the clinician gives: required, at most [`MAX_REASON`] characters.
pub fn check_reason(reason: &str) -> Result<String, String> {
    let r = reason.trim();
    if r.is_empty() {
        return Err("Geef een reden.".into());
    }
    if r.chars().count() > MAX_REASON {
        return Err(format!("De reden is langer dan {MAX_REASON} tekens."));
    }
    Ok(r.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(n: u32) -> Vec<u32> {
        (1..=n).collect()
    }

    #[test]
    fn each_instrument_has_its_items_and_cut_off() {
        assert_eq!(Instrument::Gfi.items().len(), 15);
        assert_eq!(Instrument::Prisma7.items().len(), 7);
        assert_eq!(Instrument::IsarPc.items().len(), 3);
        assert_eq!(Instrument::Tfi.items().len(), 15);
        for i in Instrument::ALL {
            assert_eq!(Instrument::from_code(i.code()), Some(i));
        }
    }

    #[test]
    fn gfi_is_positive_from_4() {
        assert!(!score(Instrument::Gfi, &first(3)).unwrap().positive);
        let s = score(Instrument::Gfi, &first(4)).unwrap();
        assert_eq!((s.score, s.positive), (4, true));
        assert_eq!(score(Instrument::Gfi, &first(15)).unwrap().score, 15);
        assert!(score(Instrument::Gfi, &[16]).is_err());
    }

    #[test]
    fn prisma7_is_positive_from_3() {
        assert!(!score(Instrument::Prisma7, &[1, 6]).unwrap().positive);
        assert!(score(Instrument::Prisma7, &[1, 6, 7]).unwrap().positive);
        assert!(score(Instrument::Prisma7, &[8]).is_err());
    }

    #[test]
    fn isar_pc_is_positive_from_2() {
        assert!(!score(Instrument::IsarPc, &[3]).unwrap().positive);
        assert!(score(Instrument::IsarPc, &[1, 3]).unwrap().positive);
        assert!(score(Instrument::IsarPc, &[0]).is_err());
    }

    #[test]
    fn tfi_is_positive_from_5() {
        assert!(!score(Instrument::Tfi, &first(4)).unwrap().positive);
        assert!(score(Instrument::Tfi, &first(5)).unwrap().positive);
    }

    #[test]
    fn repeated_items_count_once_and_items_round_trip() {
        let s = score(Instrument::Gfi, &[9, 2, 2, 4]).unwrap();
        assert_eq!(s.items, [2, 4, 9]);
        assert_eq!(s.score, 3);
        assert_eq!(items_text(&s.items), "2,4,9");
        assert_eq!(parse_items("2,4,9").unwrap(), [2, 4, 9]);
        assert_eq!(parse_items("").unwrap(), Vec::<u32>::new());
        assert!(parse_items("2,x").is_err());
    }

    #[test]
    fn trend_compares_with_the_previous_score() {
        assert_eq!(Trend::between(None, 3), Trend::First);
        assert_eq!(Trend::between(Some(3), 6), Trend::Higher);
        assert_eq!(Trend::between(Some(6), 6), Trend::Same);
        assert_eq!(Trend::between(Some(6), 2), Trend::Lower);
    }

    #[test]
    fn reasons_and_dates_are_checked() {
        assert!(check_reason("  ").is_err());
        assert_eq!(check_reason(" GFI 6, gesprek ").unwrap(), "GFI 6, gesprek");
        assert!(check_reason(&"x".repeat(MAX_REASON + 1)).is_err());
        let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        assert!(check_date(today.succ_opt().unwrap(), today).is_err());
        assert!(check_date(today, today).is_ok());
    }
}
