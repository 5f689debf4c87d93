//! The code sets of the program (extract-format.md, "Terms used by the reports").

use serde::{Deserialize, Serialize};

/// NHG Tabel 45 determinant for the Wlz care profile (zorgprofiel).
pub const LABCODE_WLZ_PROFILE: i64 = 2803;

/// Coded answers of determinant 2803 that mean Wlz care profile VV 5 or higher.
pub const WLZ_VV5_PLUS_VALUES: [&str; 5] = ["352", "353", "354", "355", "356"];

/// Whether a (trimmed) value of determinant 2803 means VV 5 or higher.
pub fn is_wlz_vv5_plus(value: &str) -> bool {
    WLZ_VV5_PLUS_VALUES.contains(&value.trim())
}

/// One ICPC code, or a family of codes: `A05` matches only `A05`, `A05.*` matches every
/// code that starts with `A05.`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum IcpcPattern {
    Exact(String),
    SubcodesOf(String),
}

impl IcpcPattern {
    pub fn matches(&self, icpc: &str) -> bool {
        match self {
            IcpcPattern::Exact(c) => icpc == c,
            IcpcPattern::SubcodesOf(c) => {
                icpc.len() > c.len() + 1 && icpc.starts_with(c.as_str()) && icpc.as_bytes()[c.len()] == b'.'
            }
        }
    }
}

/// A configurable set of ICPC codes, written as a comma-separated list such as
/// `A05,A05.*,A49.01`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IcpcSet(pub Vec<IcpcPattern>);

impl IcpcSet {
    pub fn parse(list: &str) -> Result<IcpcSet, String> {
        let mut out = Vec::new();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let upper = item.to_ascii_uppercase();
            let (code, pattern) = match upper.strip_suffix(".*") {
                Some(base) => (base.to_string(), IcpcPattern::SubcodesOf(base.to_string())),
                None => (upper.clone(), IcpcPattern::Exact(upper.clone())),
            };
            if crate::extract::parse_icpc(&code).is_err() {
                return Err(format!("'{item}' is geen ICPC-code (zoals A05, A05.* of A49.01)"));
            }
            out.push(pattern);
        }
        if out.is_empty() {
            return Err("de codelijst is leeg".into());
        }
        Ok(IcpcSet(out))
    }

    pub fn matches(&self, icpc: &str) -> bool {
        self.0.iter().any(|p| p.matches(icpc))
    }
}

/// The code sets the reports use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeSets {
    /// Frail-elder episodes (*kwetsbare oudere*); default `A05`, `A05.*`, `A49.01`.
    pub frail: IcpcSet,
    /// Advance care planning episodes (*proactieve zorgplanning*): `A20`, `A20.*`.
    pub acp: IcpcSet,
}

impl Default for CodeSets {
    fn default() -> Self {
        CodeSets {
            frail: IcpcSet::parse(DEFAULT_FRAIL_CODES).expect("default frail codes parse"),
            acp: IcpcSet::parse("A20,A20.*").expect("default acp codes parse"),
        }
    }
}

pub const DEFAULT_FRAIL_CODES: &str = "A05,A05.*,A49.01";

/// Insulin: an ATC code that starts with `A10A`.
pub fn is_insulin(atc: &str) -> bool {
    atc.starts_with("A10A")
}

/// Chain-care programs (ketenzorg) of `programs.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ChainProgram {
    #[serde(rename = "DM2")]
    Dm2,
    #[serde(rename = "DM2_VRM")]
    Dm2Vrm,
    #[serde(rename = "CVRM")]
    Cvrm,
    #[serde(rename = "COPD")]
    Copd,
    #[serde(rename = "ASTMA")]
    Astma,
}

impl ChainProgram {
    pub const ALL: [ChainProgram; 5] = [
        ChainProgram::Dm2,
        ChainProgram::Dm2Vrm,
        ChainProgram::Cvrm,
        ChainProgram::Copd,
        ChainProgram::Astma,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ChainProgram::Dm2 => "DM2",
            ChainProgram::Dm2Vrm => "DM2_VRM",
            ChainProgram::Cvrm => "CVRM",
            ChainProgram::Copd => "COPD",
            ChainProgram::Astma => "ASTMA",
        }
    }

    pub fn from_code(code: &str) -> Option<ChainProgram> {
        ChainProgram::ALL.into_iter().find(|p| p.code() == code)
    }

    /// Dutch label for pages.
    pub fn label(self) -> &'static str {
        match self {
            ChainProgram::Dm2 => "Diabetes mellitus type 2",
            ChainProgram::Dm2Vrm => "Diabetes en vasculair risicomanagement",
            ChainProgram::Cvrm => "Cardiovasculair risicomanagement",
            ChainProgram::Copd => "COPD",
            ChainProgram::Astma => "Astma",
        }
    }

    pub fn is_diabetes(self) -> bool {
        matches!(self, ChainProgram::Dm2 | ChainProgram::Dm2Vrm)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_frail_codes() {
        let c = CodeSets::default();
        for yes in ["A05", "A05.01", "A05.1", "A49.01"] {
            assert!(c.frail.matches(yes), "{yes}");
        }
        for no in ["A050", "A05.", "A49", "A49.02", "A04", "A20"] {
            assert!(!c.frail.matches(no), "{no}");
        }
        assert!(c.acp.matches("A20") && c.acp.matches("A20.01") && !c.acp.matches("A21"));
    }

    #[test]
    fn code_lists_parse_and_refuse_nonsense() {
        assert_eq!(IcpcSet::parse("a05, A49.01").unwrap().0.len(), 2);
        assert!(IcpcSet::parse("A5").is_err());
        assert!(IcpcSet::parse("").is_err());
    }

    #[test]
    fn wlz_values_are_trimmed() {
        assert!(is_wlz_vv5_plus(" 352 "));
        assert!(is_wlz_vv5_plus("356"));
        assert!(!is_wlz_vv5_plus("351"));
        assert!(!is_wlz_vv5_plus("357"));
    }

    #[test]
    fn insulin_is_a10a() {
        assert!(is_insulin("A10AE04"));
        assert!(is_insulin("A10A"));
        assert!(!is_insulin("A10BA02"));
        assert!(!is_insulin("A10"));
    }
}
