//! The POH-O capacity check of region.md (*Figures added to every quarterly and half-yearly
//! report*): the hours a practice needs for its included patients against the hours its
//! formation gives, and whether that ratio lies within the region's band.
//!
//! The settings are decimals as people type them (11.5 hours, 7.2 hours a week), so the
//! products and the ratio are computed exactly on those decimals and only then turned into
//! a binary number: 7.2 × 46 is 331.2, not 331.20000000000005, and a ratio exactly on a
//! bound is on it.

use serde::{Deserialize, Serialize};

use crate::contract::{CapacityBand, ContractOption, RegionSettings};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Capacity {
    TeLaag,
    Passend,
    TeHoog,
}

impl Capacity {
    pub fn code(self) -> &'static str {
        match self {
            Capacity::TeLaag => "te_laag",
            Capacity::Passend => "passend",
            Capacity::TeHoog => "te_hoog",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Capacity::TeLaag => "Te laag",
            Capacity::Passend => "Passend",
            Capacity::TeHoog => "Te hoog",
        }
    }
}

/// The capacity keys of one practice (or of the totals) in a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapacityFigures {
    /// `None` only in the totals.
    pub contract_option: Option<u8>,
    pub poh_o_hours_per_year_needed: f64,
    pub poh_o_hours_per_year_available: Option<f64>,
    pub capacity_ratio: Option<f64>,
    pub capacity: Option<Capacity>,
}

/// An exact decimal: `mantissa / 10^scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Decimal {
    mantissa: i128,
    scale: u32,
}

impl Decimal {
    /// The decimal that `x` is written as (its shortest round-trip form); `None` for a
    /// number with more than 12 decimals or too large for the arithmetic here.
    fn of(x: f64) -> Option<Decimal> {
        if !x.is_finite() || x.abs() > 1e12 {
            return None;
        }
        let text = format!("{x}");
        let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
        if frac.len() > 12 {
            return None;
        }
        let digits: String = format!("{int}{frac}");
        Some(Decimal {
            mantissa: digits.parse().ok()?,
            scale: frac.len() as u32,
        })
    }

    fn from_int(n: u64) -> Decimal {
        Decimal {
            mantissa: i128::from(n),
            scale: 0,
        }
    }

    fn times(self, other: Decimal) -> Decimal {
        Decimal {
            mantissa: self.mantissa * other.mantissa,
            scale: self.scale + other.scale,
        }
    }

    fn to_f64(self) -> f64 {
        // Both parts are exact in an f64 for the magnitudes allowed, so the division is
        // correctly rounded: the nearest binary number to the decimal.
        self.mantissa as f64 / 10f64.powi(self.scale as i32)
    }

    /// `self / other` in hundredths, rounded half away from zero. `other` must not be 0.
    fn hundredths_of(self, other: Decimal) -> i128 {
        // self / other = (a / 10^sa) / (b / 10^sb) = a * 10^sb / (b * 10^sa)
        let num = self.mantissa * 10i128.pow(other.scale) * 100;
        let den = other.mantissa * 10i128.pow(self.scale);
        let (num, den) = if den < 0 { (-num, -den) } else { (num, den) };
        if num >= 0 {
            (2 * num + den) / (2 * den)
        } else {
            -((-2 * num + den) / (2 * den))
        }
    }
}

/// `x` rounded half away from zero to two decimals, computed on its decimal form.
pub fn round2(x: f64) -> f64 {
    match Decimal::of(x) {
        Some(d) => d.hundredths_of(Decimal::from_int(1)) as f64 / 100.0,
        None => (x * 100.0).round() / 100.0,
    }
}

/// Where a ratio lies against the band (bounds inclusive).
pub fn classify(ratio: f64, band: &CapacityBand) -> Capacity {
    if ratio < band.lower {
        Capacity::TeLaag
    } else if ratio > band.upper {
        Capacity::TeHoog
    } else {
        Capacity::Passend
    }
}

/// The capacity figures of a practice: `needed = hours per included × included`,
/// `available = hours per week × working weeks` (`None` when the formation was never
/// set), their ratio rounded to two decimals (`None` when either is `None` or `needed` is
/// 0) and the band the ratio falls in.
pub fn capacity_figures(
    settings: &RegionSettings,
    option: ContractOption,
    included: u64,
    hours_per_week: Option<f64>,
) -> CapacityFigures {
    let per_included = Decimal::of(settings.hours_per_included);
    let weeks = Decimal::of(settings.working_weeks);
    let needed = per_included.map(|h| h.times(Decimal::from_int(included)));
    let available = match (hours_per_week.and_then(Decimal::of), weeks) {
        (Some(h), Some(w)) => Some(h.times(w)),
        _ => None,
    };
    let ratio = match (available, needed) {
        (Some(a), Some(n)) if n.mantissa != 0 => Some(a.hundredths_of(n) as f64 / 100.0),
        _ => None,
    };
    CapacityFigures {
        contract_option: Some(option.number()),
        poh_o_hours_per_year_needed: needed.map_or(settings.hours_per_included * included as f64, Decimal::to_f64),
        poh_o_hours_per_year_available: available
            .map(Decimal::to_f64)
            .or_else(|| hours_per_week.map(|h| h * settings.working_weeks)),
        capacity_ratio: ratio,
        capacity: ratio.map(|r| classify(r, &settings.capacity_band)),
    }
}

/// The totals: needed and available summed (available over the practices that set a
/// formation, `None` when none did), the ratio recomputed from the sums.
pub fn capacity_totals<'a>(all: impl IntoIterator<Item = &'a CapacityFigures>, band: &CapacityBand) -> CapacityFigures {
    let mut needed = 0.0;
    let mut available: Option<f64> = None;
    for f in all {
        needed += f.poh_o_hours_per_year_needed;
        if let Some(a) = f.poh_o_hours_per_year_available {
            available = Some(available.unwrap_or(0.0) + a);
        }
    }
    let (needed, available) = (round2(needed), available.map(round2));
    let ratio = match (available.and_then(Decimal::of), Decimal::of(needed)) {
        (Some(a), Some(n)) if n.mantissa != 0 => Some(a.hundredths_of(n) as f64 / 100.0),
        _ => None,
    };
    CapacityFigures {
        contract_option: None,
        poh_o_hours_per_year_needed: needed,
        poh_o_hours_per_year_available: available,
        capacity_ratio: ratio,
        capacity: ratio.map(|r| classify(r, band)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> RegionSettings {
        RegionSettings::default()
    }

    #[test]
    fn needed_available_and_ratio_on_the_decimals() {
        let f = capacity_figures(&settings(), ContractOption::PerIncluded, 40, Some(8.0));
        assert_eq!(f.contract_option, Some(1));
        assert_eq!(f.poh_o_hours_per_year_needed, 460.0);
        assert_eq!(f.poh_o_hours_per_year_available, Some(368.0));
        // 368 / 460 = 0.8 exactly: on the lower bound, so passend.
        assert_eq!(f.capacity_ratio, Some(0.8));
        assert_eq!(f.capacity, Some(Capacity::Passend));
        let f = capacity_figures(&settings(), ContractOption::Per75Plus, 3, Some(7.2));
        assert_eq!(f.poh_o_hours_per_year_available, Some(331.2));
        assert_eq!(f.poh_o_hours_per_year_needed, 34.5);
        assert_eq!(f.capacity_ratio, Some(9.6));
        assert_eq!(f.capacity, Some(Capacity::TeHoog));
    }

    #[test]
    fn upper_bound_inclusive_and_just_above_it() {
        // 460 needed; 575 available = 1.25 exactly.
        let f = capacity_figures(&settings(), ContractOption::PerIncluded, 40, Some(12.5));
        assert_eq!(f.capacity_ratio, Some(1.25));
        assert_eq!(f.capacity, Some(Capacity::Passend));
        // 1.255 → 1.26 (half away from zero), above the band.
        let s = RegionSettings {
            hours_per_included: 1.0,
            working_weeks: 1.0,
            ..settings()
        };
        let f = capacity_figures(&s, ContractOption::PerIncluded, 200, Some(251.0));
        assert_eq!(f.capacity_ratio, Some(1.26));
        assert_eq!(f.capacity, Some(Capacity::TeHoog));
        let f = capacity_figures(&s, ContractOption::PerIncluded, 200, Some(159.0));
        // 0.795 → 0.80: on the bound after rounding.
        assert_eq!(f.capacity_ratio, Some(0.8));
        assert_eq!(f.capacity, Some(Capacity::Passend));
        let f = capacity_figures(&s, ContractOption::PerIncluded, 1000, Some(794.0));
        assert_eq!(f.capacity_ratio, Some(0.79));
        assert_eq!(f.capacity, Some(Capacity::TeLaag));
    }

    #[test]
    fn nulls_where_the_spec_says() {
        let f = capacity_figures(&settings(), ContractOption::Per75Plus, 0, Some(8.0));
        assert_eq!(f.poh_o_hours_per_year_needed, 0.0);
        assert_eq!(f.capacity_ratio, None);
        assert_eq!(f.capacity, None);
        let f = capacity_figures(&settings(), ContractOption::Per75Plus, 10, None);
        assert_eq!(f.poh_o_hours_per_year_available, None);
        assert_eq!(f.capacity_ratio, None);
        assert_eq!(f.capacity, None);
    }

    #[test]
    fn rounding_is_half_away_from_zero_on_the_decimal() {
        assert_eq!(round2(1.005), 1.01);
        assert_eq!(round2(0.125), 0.13);
        assert_eq!(round2(2.675), 2.68);
        assert_eq!(round2(3.0), 3.0);
    }

    #[test]
    fn totals_recompute_the_ratio() {
        let a = capacity_figures(&settings(), ContractOption::PerIncluded, 40, Some(8.0));
        let b = capacity_figures(&settings(), ContractOption::Per75Plus, 40, None);
        let t = capacity_totals([&a, &b], &CapacityBand::default());
        assert_eq!(t.contract_option, None);
        assert_eq!(t.poh_o_hours_per_year_needed, 920.0);
        assert_eq!(t.poh_o_hours_per_year_available, Some(368.0));
        assert_eq!(t.capacity_ratio, Some(0.4));
        assert_eq!(t.capacity, Some(Capacity::TeLaag));
    }
}
