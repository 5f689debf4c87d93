//! The settings the region keeps (region.md, *Settings*): a practice's contract option per
//! year and its transition year, a patient's hoofdbehandelaar and Wlz care setting, and the
//! region's yardsticks (POH-O hours per included patient, working weeks, capacity band,
//! funding categories). Parsing and validation of what a user or a command line gives.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Years a contract, a transition or a funding category may be set for.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// The contract option of Menzis' module: `1` pays per included patient, `2` per 75+.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ContractOption {
    PerIncluded,
    Per75Plus,
}

impl ContractOption {
    /// Without a setting a practice works under option 2.
    pub const DEFAULT: ContractOption = ContractOption::Per75Plus;

    pub fn number(self) -> u8 {
        match self {
            ContractOption::PerIncluded => 1,
            ContractOption::Per75Plus => 2,
        }
    }

    pub fn from_number(n: i64) -> Option<Self> {
        match n {
            1 => Some(ContractOption::PerIncluded),
            2 => Some(ContractOption::Per75Plus),
            _ => None,
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        match s.trim() {
            "1" => Ok(ContractOption::PerIncluded),
            "2" => Ok(ContractOption::Per75Plus),
            other => Err(format!("contractoptie '{other}' bestaat niet: kies 1 of 2")),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ContractOption::PerIncluded => "Optie 1: per geïncludeerde patiënt",
            ContractOption::Per75Plus => "Optie 2: per 75-plusser",
        }
    }
}

/// Who is the patient's main practitioner (hoofdbehandelaar).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Hoofdbehandelaar {
    Huisarts,
    SpecialistOuderengeneeskunde,
}

impl Hoofdbehandelaar {
    pub const ALL: [Hoofdbehandelaar; 2] = [
        Hoofdbehandelaar::Huisarts,
        Hoofdbehandelaar::SpecialistOuderengeneeskunde,
    ];
    /// Without a setting the GP is the hoofdbehandelaar.
    pub const DEFAULT: Hoofdbehandelaar = Hoofdbehandelaar::Huisarts;

    pub fn code(self) -> &'static str {
        match self {
            Hoofdbehandelaar::Huisarts => "huisarts",
            Hoofdbehandelaar::SpecialistOuderengeneeskunde => "specialist_ouderengeneeskunde",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|h| h.code() == s)
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        Self::from_code(s.trim()).ok_or_else(|| {
            format!(
                "hoofdbehandelaar '{}' bestaat niet: kies huisarts of specialist_ouderengeneeskunde",
                s.trim()
            )
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            Hoofdbehandelaar::Huisarts => "Huisarts",
            Hoofdbehandelaar::SpecialistOuderengeneeskunde => "Specialist ouderengeneeskunde",
        }
    }
}

/// The setting in which a patient with a Wlz indication receives care at home.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WlzSetting {
    VerblijfZonderBehandeling,
    Vpt,
    Mpt,
    Pgb,
    Anders,
}

impl WlzSetting {
    pub const ALL: [WlzSetting; 5] = [
        WlzSetting::VerblijfZonderBehandeling,
        WlzSetting::Vpt,
        WlzSetting::Mpt,
        WlzSetting::Pgb,
        WlzSetting::Anders,
    ];

    pub fn code(self) -> &'static str {
        match self {
            WlzSetting::VerblijfZonderBehandeling => "verblijf_zonder_behandeling",
            WlzSetting::Vpt => "vpt",
            WlzSetting::Mpt => "mpt",
            WlzSetting::Pgb => "pgb",
            WlzSetting::Anders => "anders",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|w| w.code() == s)
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        Self::from_code(s.trim()).ok_or_else(|| {
            format!(
                "Wlz-zorgsetting '{}' bestaat niet: kies verblijf_zonder_behandeling, vpt, mpt, pgb of anders",
                s.trim()
            )
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            WlzSetting::VerblijfZonderBehandeling => "Verblijf zonder behandeling",
            WlzSetting::Vpt => "Volledig pakket thuis (VPT)",
            WlzSetting::Mpt => "Modulair pakket thuis (MPT)",
            WlzSetting::Pgb => "Persoonsgebonden budget (pgb)",
            WlzSetting::Anders => "Anders",
        }
    }

    /// Whether the setting allows the Wlz plus prestatie (every setting but `anders`).
    pub fn counts_for_wlz_plus(self) -> bool {
        self != WlzSetting::Anders
    }
}

/// The band within which a practice's POH-O capacity ratio is *passend* (bounds inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CapacityBand {
    pub lower: f64,
    pub upper: f64,
}

impl Default for CapacityBand {
    fn default() -> Self {
        CapacityBand {
            lower: 0.8,
            upper: 1.25,
        }
    }
}

impl CapacityBand {
    /// `LO,HI`, e.g. `0.8,1.25` (a decimal comma is not allowed here: the comma separates).
    pub fn parse(s: &str) -> Result<CapacityBand, String> {
        let Some((lo, hi)) = s.split_once(',') else {
            return Err(format!(
                "capaciteitsband '{s}': geef ondergrens,bovengrens, bijv. 0.8,1.25"
            ));
        };
        let lower = parse_number(lo, "ondergrens van de capaciteitsband")?;
        let upper = parse_number(hi, "bovengrens van de capaciteitsband")?;
        CapacityBand::new(lower, upper)
    }

    pub fn new(lower: f64, upper: f64) -> Result<CapacityBand, String> {
        if !(lower > 0.0 && upper <= 100.0) {
            return Err("de capaciteitsband moet tussen 0 en 100 liggen".into());
        }
        if lower > upper {
            return Err(format!(
                "de ondergrens van de capaciteitsband ({lower}) is groter dan de bovengrens ({upper})"
            ));
        }
        Ok(CapacityBand { lower, upper })
    }
}

/// One funding category: the name given to practices whose `pct_75_plus` is at least
/// `lower_bound` (and below the next category's bound).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FundingCategory {
    pub name: String,
    pub lower_bound: f64,
}

/// Parses `Y:NAME=PCT,NAME=PCT,…` (`kernteam region set --funding-categories`): the year
/// and its categories in ascending order of their lower bounds.
pub fn parse_funding_categories(s: &str) -> Result<(i32, Vec<FundingCategory>), String> {
    let Some((year, list)) = s.split_once(':') else {
        return Err(format!(
            "financieringscategorieën '{s}': geef JAAR:NAAM=PERCENTAGE,…, bijv. 2027:laag=0,midden=8,hoog=12"
        ));
    };
    let year = parse_year(year)?;
    let mut categories = Vec::new();
    for part in list.split(',') {
        let Some((name, pct)) = part.split_once('=') else {
            return Err(format!(
                "financieringscategorie '{}': geef NAAM=PERCENTAGE",
                part.trim()
            ));
        };
        categories.push(FundingCategory {
            name: name.trim().to_string(),
            lower_bound: parse_number(pct, &format!("ondergrens van categorie '{}'", name.trim()))?,
        });
    }
    validate_funding_categories(&categories)?;
    Ok((year, categories))
}

/// Names non-empty and distinct, bounds from 0 to 100 in strictly ascending order.
pub fn validate_funding_categories(categories: &[FundingCategory]) -> Result<(), String> {
    if categories.is_empty() {
        return Err("geef minstens één financieringscategorie".into());
    }
    for (i, c) in categories.iter().enumerate() {
        if c.name.is_empty() || c.name.chars().count() > 60 {
            return Err("een financieringscategorie heeft een naam van 1 tot 60 tekens".into());
        }
        if c.name.contains(['=', ',', ':']) {
            return Err(format!("de naam '{}' mag geen '=', ',' of ':' bevatten", c.name));
        }
        if !(0.0..=100.0).contains(&c.lower_bound) {
            return Err(format!(
                "de ondergrens van '{}' ({}) ligt niet tussen 0 en 100",
                c.name, c.lower_bound
            ));
        }
        if categories[..i].iter().any(|o| o.name == c.name) {
            return Err(format!("de categorie '{}' staat er twee keer in", c.name));
        }
        if i > 0 && categories[i - 1].lower_bound >= c.lower_bound {
            return Err(format!(
                "de ondergrenzen moeten oplopen: '{}' ({}) komt na '{}' ({})",
                c.name,
                c.lower_bound,
                categories[i - 1].name,
                categories[i - 1].lower_bound
            ));
        }
    }
    Ok(())
}

/// The name of the highest category whose lower bound is at most `pct_75_plus`; `None`
/// when there are no categories or no percentage (region.md, *Funding report*).
pub fn funding_category(categories: &[FundingCategory], pct_75_plus: Option<f64>) -> Option<&str> {
    let pct = pct_75_plus?;
    categories
        .iter()
        .filter(|c| c.lower_bound <= pct)
        .max_by(|a, b| a.lower_bound.total_cmp(&b.lower_bound))
        .map(|c| c.name.as_str())
}

/// The region's settings as in force (the latest set of each).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionSettings {
    pub hours_per_included: f64,
    pub working_weeks: f64,
    pub capacity_band: CapacityBand,
    /// Per calendar year, in ascending order of lower bound.
    pub funding_categories: BTreeMap<i32, Vec<FundingCategory>>,
}

impl Default for RegionSettings {
    fn default() -> Self {
        RegionSettings {
            hours_per_included: 11.5,
            working_weeks: 46.0,
            capacity_band: CapacityBand::default(),
            funding_categories: BTreeMap::new(),
        }
    }
}

pub fn validate_hours_per_included(h: f64) -> Result<f64, String> {
    if h > 0.0 && h <= 200.0 {
        Ok(h)
    } else {
        Err(format!(
            "uren POH-O per geïncludeerde patiënt ({h}) moet groter dan 0 en ten hoogste 200 zijn"
        ))
    }
}

pub fn validate_working_weeks(w: f64) -> Result<f64, String> {
    if (1.0..=53.0).contains(&w) {
        Ok(w)
    } else {
        Err(format!("werkweken per jaar ({w}) moet tussen 1 en 53 liggen"))
    }
}

pub fn parse_year(s: &str) -> Result<i32, String> {
    match s.trim().parse::<i32>() {
        Ok(y) if YEARS.contains(&y) => Ok(y),
        _ => Err(format!("jaar '{}' is geen jaartal tussen 2000 en 2100", s.trim())),
    }
}

/// A decimal number with a point (a comma is accepted as decimal sign when alone).
pub fn parse_number(s: &str, what: &str) -> Result<f64, String> {
    let t = s.trim();
    let normalised = if t.contains('.') {
        t.to_string()
    } else {
        t.replace(',', ".")
    };
    match normalised.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err(format!("{what}: '{t}' is geen getal")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn funding_categories_parse_in_ascending_order() {
        let (year, cats) = parse_funding_categories("2027:laag=0,midden=8.5,hoog=12").unwrap();
        assert_eq!(year, 2027);
        assert_eq!(cats.len(), 3);
        assert_eq!(cats[1].lower_bound, 8.5);
        assert!(parse_funding_categories("2027:hoog=12,laag=0").is_err());
        assert!(parse_funding_categories("2027:a=1,a=2").is_err());
        assert!(parse_funding_categories("laag=0").is_err());
        assert!(parse_funding_categories("2027:laag").is_err());
        assert!(parse_funding_categories("2027:laag=x").is_err());
        assert!(parse_funding_categories("2027:laag=101").is_err());
    }

    #[test]
    fn the_category_is_the_highest_bound_reached_bounds_inclusive() {
        let (_, cats) = parse_funding_categories("2027:laag=0,midden=8.5,hoog=12").unwrap();
        assert_eq!(funding_category(&cats, Some(8.4)), Some("laag"));
        assert_eq!(funding_category(&cats, Some(8.5)), Some("midden"));
        assert_eq!(funding_category(&cats, Some(12.0)), Some("hoog"));
        assert_eq!(funding_category(&cats, None), None);
        assert_eq!(funding_category(&[], Some(10.0)), None);
        let (_, from_five) = parse_funding_categories("2027:midden=5").unwrap();
        assert_eq!(funding_category(&from_five, Some(4.9)), None);
    }

    #[test]
    fn band_parses_and_refuses_reversed_bounds() {
        assert_eq!(CapacityBand::parse("0.8,1.25").unwrap(), CapacityBand::default());
        assert!(CapacityBand::parse("1.3,1.2").is_err());
        assert!(CapacityBand::parse("0.8").is_err());
        assert!(CapacityBand::parse("0,1").is_err());
    }

    #[test]
    fn codes_round_trip() {
        for h in Hoofdbehandelaar::ALL {
            assert_eq!(Hoofdbehandelaar::parse(h.code()), Ok(h));
        }
        for w in WlzSetting::ALL {
            assert_eq!(WlzSetting::parse(w.code()), Ok(w));
        }
        assert!(WlzSetting::parse("verpleeghuis").is_err());
        assert_eq!(ContractOption::parse("1"), Ok(ContractOption::PerIncluded));
        assert!(ContractOption::parse("3").is_err());
    }
}
