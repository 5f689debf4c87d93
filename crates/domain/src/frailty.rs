//! The frailty index for case finding: an electronic frailty index in the manner of the
//! UK eFI (36 deficits, score = deficits present / deficits in the list), computed from
//! what a practice's extract holds — ICPC episodes, ATC medications, NHG Tabel 45
//! determinants.
//!
//! Which codes make a deficit is data, not code: a versioned code list
//! ([`CodeList::default_list`] embeds `data/frailty-deficits-v1.csv`; a region replaces it
//! with [`CodeList::parse`]). The default list is Kernteam's own mapping and not clinically
//! validated; an index is a signal for case finding, not a diagnosis (docs/case-finding.md).

use std::collections::HashSet;

use chrono::{Months, NaiveDate};
use serde::Serialize;

use crate::dates::active_on;
use crate::figures::PatientFacts;

/// The default code list, embedded.
pub const DEFAULT_CODE_LIST: &str = include_str!("../data/frailty-deficits-v1.csv");

/// The columns of a code list, in their order.
pub const COLUMNS: [&str; 8] = [
    "id",
    "deficit",
    "icpc",
    "atc",
    "atc_min",
    "determinant",
    "window_months",
    "source",
];

/// How a determinant's latest value is tested.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ValueTest {
    /// Any value.
    Any,
    Below(f64),
    AtMost(f64),
    Above(f64),
    AtLeast(f64),
    /// A coded answer, compared as trimmed text.
    Equals(String),
}

impl ValueTest {
    fn holds(&self, value: &str) -> bool {
        let number = || value.trim().replace(',', ".").parse::<f64>().ok();
        match self {
            ValueTest::Any => true,
            ValueTest::Below(t) => number().is_some_and(|v| v < *t),
            ValueTest::AtMost(t) => number().is_some_and(|v| v <= *t),
            ValueTest::Above(t) => number().is_some_and(|v| v > *t),
            ValueTest::AtLeast(t) => number().is_some_and(|v| v >= *t),
            ValueTest::Equals(s) => value.trim() == s,
        }
    }
}

/// A Tabel 45 determinant rule: `2803` (any value), `1234<24`, `1234<=24`, `1234>5`,
/// `1234>=5` or `1234=352`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeterminantRule {
    pub labcode: i64,
    pub test: ValueTest,
}

impl DeterminantRule {
    pub fn parse(s: &str) -> Result<DeterminantRule, String> {
        let s = s.trim();
        let at = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let (code, rest) = s.split_at(at);
        let labcode: i64 = code
            .parse()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("'{s}' begint niet met een Tabel 45-nummer"))?;
        let num = |t: &str| {
            t.trim()
                .replace(',', ".")
                .parse::<f64>()
                .map_err(|_| format!("'{s}': '{t}' is geen getal"))
        };
        let test = if rest.is_empty() {
            ValueTest::Any
        } else if let Some(t) = rest.strip_prefix("<=") {
            ValueTest::AtMost(num(t)?)
        } else if let Some(t) = rest.strip_prefix(">=") {
            ValueTest::AtLeast(num(t)?)
        } else if let Some(t) = rest.strip_prefix('<') {
            ValueTest::Below(num(t)?)
        } else if let Some(t) = rest.strip_prefix('>') {
            ValueTest::Above(num(t)?)
        } else if let Some(t) = rest.strip_prefix('=') {
            ValueTest::Equals(t.trim().to_string())
        } else {
            return Err(format!("'{s}': na het nummer volgt <, <=, >, >= of ="));
        };
        Ok(DeterminantRule { labcode, test })
    }
}

/// One deficit of the index and the codes that show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Deficit {
    /// Short stable id (`falls`).
    pub id: String,
    /// Dutch name for the worklist.
    pub name: String,
    /// ICPC codes; each matches itself and its subcodes (`T90` matches `T90.02`).
    pub icpc: Vec<String>,
    /// ATC prefixes of medicines in use on the date; `*` is any medicine.
    pub atc: Vec<String>,
    /// How many distinct matching ATC codes must be in use (1 unless given).
    pub atc_min: usize,
    pub determinants: Vec<DeterminantRule>,
    /// Episodes and determinants count only when this recent (episodes also while still
    /// open); `None`: ever recorded.
    pub window_months: Option<u32>,
    /// Where the deficit and its codes come from.
    pub source: String,
}

/// Whether an ICPC code is `pattern` or one of its subcodes.
pub fn icpc_matches(pattern: &str, icpc: &str) -> bool {
    icpc == pattern
        || (icpc.len() > pattern.len() + 1 && icpc.starts_with(pattern) && icpc.as_bytes()[pattern.len()] == b'.')
}

impl Deficit {
    /// Whether the patient's record shows the deficit on `on`.
    pub fn present(&self, f: &PatientFacts, on: NaiveDate) -> bool {
        let since = self.window_months.and_then(|m| on.checked_sub_months(Months::new(m)));
        let recent = |start: NaiveDate, end: Option<NaiveDate>| {
            start <= on && since.is_none_or(|s| start >= s || active_on(start, end, on))
        };
        if f.episodes
            .iter()
            .any(|e| self.icpc.iter().any(|p| icpc_matches(p, &e.icpc)) && recent(e.start, e.end))
        {
            return true;
        }
        if !self.atc.is_empty() {
            let matching: HashSet<&str> = f
                .medications
                .iter()
                .filter(|m| active_on(m.start, m.end, on))
                .filter(|m| self.atc.iter().any(|a| a == "*" || m.atc.starts_with(a.as_str())))
                .map(|m| m.atc.as_str())
                .collect();
            if matching.len() >= self.atc_min.max(1) {
                return true;
            }
        }
        self.determinants.iter().any(|rule| {
            f.determinants
                .iter()
                .filter(|d| d.labcode == rule.labcode && d.date <= on && since.is_none_or(|s| d.date >= s))
                .max_by_key(|d| d.date)
                .is_some_and(|d| rule.test.holds(&d.value))
        })
    }
}

/// The bands of the index (eFI): fit, mild, moderate, severe frailty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    Fit,
    Mild,
    Moderate,
    Severe,
}

impl Band {
    pub const ALL: [Band; 4] = [Band::Fit, Band::Mild, Band::Moderate, Band::Severe];

    /// The band of `present` deficits out of `of`: with 36 deficits fit ≤ 4, mild 5–8,
    /// moderate 9–12, severe ≥ 13; a list of another length by the same shares of 36.
    pub fn of(present: usize, of: usize) -> Band {
        let of = of.max(1);
        // present/of <= k/36  ⇔  present·36 <= k·of
        let at_most = |k: usize| present * 36 <= k * of;
        if at_most(4) {
            Band::Fit
        } else if at_most(8) {
            Band::Mild
        } else if at_most(12) {
            Band::Moderate
        } else {
            Band::Severe
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Band::Fit => "fit",
            Band::Mild => "licht",
            Band::Moderate => "matig",
            Band::Severe => "ernstig",
        }
    }

    pub fn from_code(code: &str) -> Option<Band> {
        Band::ALL.into_iter().find(|b| b.code() == code)
    }

    /// Dutch label.
    pub fn label(self) -> &'static str {
        match self {
            Band::Fit => "fit",
            Band::Mild => "licht kwetsbaar",
            Band::Moderate => "matig kwetsbaar",
            Band::Severe => "ernstig kwetsbaar",
        }
    }
}

/// The index of one patient: which deficits of the list are present.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrailtyIndex {
    /// Indexes into [`CodeList::deficits`], in list order.
    pub present: Vec<usize>,
    /// Deficits in the list.
    pub of: usize,
}

impl FrailtyIndex {
    pub fn count(&self) -> usize {
        self.present.len()
    }

    /// Deficits present / deficits in the list, 0 to 1.
    pub fn score(&self) -> f64 {
        self.present.len() as f64 / self.of.max(1) as f64
    }

    pub fn band(&self) -> Band {
        Band::of(self.present.len(), self.of)
    }
}

/// A versioned list of deficits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CodeList {
    /// From the `# version:` line.
    pub version: String,
    pub deficits: Vec<Deficit>,
}

impl CodeList {
    /// The embedded default list (`kernteam-efi-v1`).
    pub fn default_list() -> CodeList {
        CodeList::parse(DEFAULT_CODE_LIST).expect("the embedded frailty code list parses")
    }

    /// A code list: `#` lines are comments, one of them `# version: NAME`; then a header
    /// row of [`COLUMNS`] and one row per deficit, fields separated by `;` (the source,
    /// the last column, may itself hold `;`). Codes in a field are separated by spaces
    /// or commas. Errors name the line.
    pub fn parse(text: &str) -> Result<CodeList, String> {
        let mut version = None;
        let mut header = false;
        let mut deficits: Vec<Deficit> = Vec::new();
        let mut ids = HashSet::new();
        for (n, line) in text.trim_start_matches('\u{feff}').lines().enumerate() {
            let line_no = n + 1;
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            if let Some(comment) = line.strip_prefix('#') {
                if let Some(v) = comment.trim().strip_prefix("version:") {
                    version = Some(v.trim().to_string()).filter(|v| !v.is_empty());
                }
                continue;
            }
            let fields: Vec<&str> = line.splitn(COLUMNS.len(), ';').map(str::trim).collect();
            let err = |m: String| format!("regel {line_no}: {m}");
            if !header {
                let names: Vec<String> = fields.iter().map(|f| f.to_ascii_lowercase()).collect();
                if names != COLUMNS {
                    return Err(err(format!("de kopregel moet '{}' zijn", COLUMNS.join(";"))));
                }
                header = true;
                continue;
            }
            if fields.len() < COLUMNS.len() {
                return Err(err(format!("{} velden, verwacht {}", fields.len(), COLUMNS.len())));
            }
            let codes = |s: &str| -> Vec<String> {
                s.split([' ', ','])
                    .filter(|c| !c.is_empty())
                    .map(|c| c.to_ascii_uppercase())
                    .collect()
            };
            let id = fields[0].to_string();
            if id.is_empty()
                || !id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                return Err(err(format!("id '{id}': alleen kleine letters, cijfers en _")));
            }
            if !ids.insert(id.clone()) {
                return Err(err(format!("id '{id}' komt twee keer voor")));
            }
            let icpc = codes(fields[2]);
            for c in &icpc {
                crate::extract::parse_icpc(c).map_err(|_| err(format!("'{c}' is geen ICPC-code")))?;
            }
            let atc = codes(fields[3]);
            for a in &atc {
                let ok = a == "*"
                    || (a.len() <= 7
                        && a.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                        && a.chars().all(|c| c.is_ascii_alphanumeric()));
                if !ok {
                    return Err(err(format!("'{a}' is geen ATC-code of -begin")));
                }
            }
            let atc_min = match fields[4] {
                "" => 1,
                s => s
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n >= 1)
                    .ok_or_else(|| err(format!("atc_min '{s}' is geen positief getal")))?,
            };
            let determinants = fields[5]
                .split([' ', ','])
                .filter(|s| !s.is_empty())
                .map(|s| DeterminantRule::parse(s).map_err(err))
                .collect::<Result<Vec<_>, _>>()?;
            let window_months = match fields[6] {
                "" => None,
                s => Some(
                    s.parse::<u32>()
                        .ok()
                        .filter(|n| *n >= 1)
                        .ok_or_else(|| err(format!("window_months '{s}' is geen positief getal")))?,
                ),
            };
            if icpc.is_empty() && atc.is_empty() && determinants.is_empty() {
                return Err(err(format!("deficit '{id}' heeft geen enkele code")));
            }
            let name = fields[1].to_string();
            if name.is_empty() {
                return Err(err(format!("deficit '{id}' heeft geen naam")));
            }
            deficits.push(Deficit {
                id,
                name,
                icpc,
                atc,
                atc_min,
                determinants,
                window_months,
                source: fields[7].to_string(),
            });
        }
        let version = version.ok_or("de codelijst mist een regel '# version: NAAM'")?;
        if deficits.is_empty() {
            return Err("de codelijst heeft geen deficits".into());
        }
        Ok(CodeList { version, deficits })
    }

    /// The index of a patient on `on` (the extract date).
    pub fn index(&self, f: &PatientFacts, on: NaiveDate) -> FrailtyIndex {
        FrailtyIndex {
            present: self
                .deficits
                .iter()
                .enumerate()
                .filter(|(_, d)| d.present(f, on))
                .map(|(i, _)| i)
                .collect(),
            of: self.deficits.len(),
        }
    }

    /// The deficits present, by name.
    pub fn names<'a>(&'a self, index: &FrailtyIndex) -> Vec<&'a str> {
        index.present.iter().map(|&i| self.deficits[i].name.as_str()).collect()
    }
}

#[cfg(test)]
#[path = "frailty_tests.rs"]
mod tests;
