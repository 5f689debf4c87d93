//! The declarations of contract option 1 (region.md, *Declarations*): which prestaties a
//! practice declares for a patient on the reference date R, and — for the practice's own
//! check before the region sends them — why a patient is *almost* on the list.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::codes::{ChainProgram, CodeSets};
use crate::contract::{Hoofdbehandelaar, WlzSetting};
use crate::figures::{ChainCareCounts, PatientFacts};

/// A declarable prestatie, in the order of region.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Prestatie {
    Module,
    WlzPlus,
    InsulinTransition,
    ChainCareConflict,
}

impl Prestatie {
    pub fn code(self) -> &'static str {
        match self {
            Prestatie::Module => "module",
            Prestatie::WlzPlus => "wlz_plus",
            Prestatie::InsulinTransition => "insulin_transition",
            Prestatie::ChainCareConflict => "chain_care_conflict",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Prestatie::Module => "Module kwetsbare ouderen",
            Prestatie::WlzPlus => "Wlz plus",
            Prestatie::InsulinTransition => "Overgang naar insuline",
            Prestatie::ChainCareConflict => "Ketenzorg niet declareren",
        }
    }
}

/// The chains of `frail_in_chain_care`, for the chain-care conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Chain {
    Dm,
    Cvrm,
    CopdAstma,
}

impl Chain {
    pub const ALL: [Chain; 3] = [Chain::Dm, Chain::Cvrm, Chain::CopdAstma];

    pub fn code(self) -> &'static str {
        match self {
            Chain::Dm => "dm",
            Chain::Cvrm => "cvrm",
            Chain::CopdAstma => "copd_astma",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Chain::Dm => "diabetes",
            Chain::Cvrm => "CVRM",
            Chain::CopdAstma => "COPD/astma",
        }
    }

    fn includes(self, p: ChainProgram) -> bool {
        match self {
            Chain::Dm => p.is_diabetes(),
            Chain::Cvrm => p == ChainProgram::Cvrm,
            Chain::CopdAstma => matches!(p, ChainProgram::Copd | ChainProgram::Astma),
        }
    }
}

/// What Kernteam knows of one patient on R beside the extract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PatientSettingsOn {
    /// Included on R as `included` in reports.md (the latest decision an inclusion, and
    /// registered on R in the chosen snapshot).
    pub included: bool,
    pub hoofdbehandelaar: Hoofdbehandelaar,
    pub wlz_setting: Option<WlzSetting>,
}

/// The prestaties of one included patient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientDeclaration {
    pub wlz_plus: bool,
    pub insulin_transition: bool,
    /// The chains the patient is enrolled in on R: chain care must not be declared.
    pub chain_conflicts: Vec<Chain>,
}

impl PatientDeclaration {
    /// The prestatie lines, in region.md's order (module first).
    pub fn prestaties(&self) -> Vec<Prestatie> {
        let mut out = vec![Prestatie::Module];
        if self.wlz_plus {
            out.push(Prestatie::WlzPlus);
        }
        if self.insulin_transition {
            out.push(Prestatie::InsulinTransition);
        }
        if !self.chain_conflicts.is_empty() {
            out.push(Prestatie::ChainCareConflict);
        }
        out
    }
}

/// Whether R's year is the practice's transition year (the insulin-transition prestatie is
/// declared only then).
pub fn is_transition_year(transition_year: Option<i32>, r: NaiveDate) -> bool {
    transition_year == Some(r.year())
}

fn wlz_plus(facts: &PatientFacts, s: &PatientSettingsOn, r: NaiveDate, codes: &CodeSets) -> bool {
    facts.frail_on(r, codes)
        && facts.wlz_vv5_plus_on(r)
        && s.hoofdbehandelaar == Hoofdbehandelaar::Huisarts
        && s.wlz_setting.is_some_and(WlzSetting::counts_for_wlz_plus)
}

/// The declaration of a patient on R; `None` when the patient is not in the module.
pub fn declare(
    facts: &PatientFacts,
    s: &PatientSettingsOn,
    transition_year: bool,
    r: NaiveDate,
    codes: &CodeSets,
) -> Option<PatientDeclaration> {
    if !s.included {
        return None;
    }
    Some(PatientDeclaration {
        wlz_plus: wlz_plus(facts, s, r, codes),
        insulin_transition: transition_year && facts.insulin_transition_on(r),
        chain_conflicts: Chain::ALL
            .into_iter()
            .filter(|c| facts.enrolled_on(r, |p| c.includes(p)))
            .collect(),
    })
}

/// Why a patient is almost on the declaration list, in Dutch, so that the practice can
/// correct the record before the region sends it. Empty when nothing is nearly there.
pub fn near_misses(
    facts: &PatientFacts,
    s: &PatientSettingsOn,
    transition_year: bool,
    r: NaiveDate,
    codes: &CodeSets,
) -> Vec<String> {
    let mut out = Vec::new();
    let frail = facts.frail_on(r, codes);
    if !s.included {
        if frail && facts.registered_on(r) && facts.age_on(r) >= crate::figures::TARGET_AGE {
            out.push("kwetsbare 75-plusser (episode in het HIS), maar niet geïncludeerd".to_string());
        }
        return out;
    }
    if facts.wlz_vv5_plus_on(r) && !wlz_plus(facts, s, r, codes) {
        if !frail {
            out.push("Wlz VV5+, maar geen actieve episode kwetsbare oudere in het HIS".to_string());
        }
        if s.hoofdbehandelaar != Hoofdbehandelaar::Huisarts {
            out.push("Wlz VV5+, maar de specialist ouderengeneeskunde is hoofdbehandelaar".to_string());
        }
        match s.wlz_setting {
            None => out.push("Wlz VV5+, maar geen Wlz-zorgsetting vastgelegd".to_string()),
            Some(WlzSetting::Anders) => out.push("Wlz VV5+, maar de Wlz-zorgsetting is 'anders'".to_string()),
            Some(_) => {}
        }
    }
    if facts.insulin_on(r) && !(transition_year && facts.insulin_transition_on(r)) {
        if !transition_year {
            out.push(format!(
                "gebruikt insuline, maar {} is niet het transitiejaar van de praktijk",
                r.year()
            ));
        } else {
            out.push(format!(
                "gebruikt insuline, maar was in {} niet in de ketenzorg diabetes ingeschreven",
                r.year() - 1
            ));
        }
    }
    out
}

/// The declaration counts of a practice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclarationCounts {
    pub module: u64,
    pub wlz_plus: u64,
    pub insulin_transition: u64,
    pub chain_care_conflicts: ChainCareCounts,
}

impl DeclarationCounts {
    pub fn add(&mut self, d: &PatientDeclaration) {
        self.module += 1;
        self.wlz_plus += u64::from(d.wlz_plus);
        self.insulin_transition += u64::from(d.insulin_transition);
        for c in &d.chain_conflicts {
            match c {
                Chain::Dm => self.chain_care_conflicts.dm += 1,
                Chain::Cvrm => self.chain_care_conflicts.cvrm += 1,
                Chain::CopdAstma => self.chain_care_conflicts.copd_astma += 1,
            }
        }
    }

    pub fn sum<'a>(all: impl IntoIterator<Item = &'a DeclarationCounts>) -> DeclarationCounts {
        let mut t = DeclarationCounts::default();
        for c in all {
            t.module += c.module;
            t.wlz_plus += c.wlz_plus;
            t.insulin_transition += c.insulin_transition;
            t.chain_care_conflicts.dm += c.chain_care_conflicts.dm;
            t.chain_care_conflicts.cvrm += c.chain_care_conflicts.cvrm;
            t.chain_care_conflicts.copd_astma += c.chain_care_conflicts.copd_astma;
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::LABCODE_WLZ_PROFILE;
    use crate::figures::{Determinant, Enrolment, Episode, Medication};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn frail_vv5() -> PatientFacts {
        let mut p = PatientFacts::new(d("1940-01-01"), d("1990-01-01"), None);
        p.episodes.push(Episode {
            icpc: "A05".into(),
            start: d("2026-01-01"),
            end: None,
        });
        p.determinants.push(Determinant {
            labcode: LABCODE_WLZ_PROFILE,
            date: d("2027-01-10"),
            value: "353".into(),
        });
        p
    }

    fn included(h: Hoofdbehandelaar, w: Option<WlzSetting>) -> PatientSettingsOn {
        PatientSettingsOn {
            included: true,
            hoofdbehandelaar: h,
            wlz_setting: w,
        }
    }

    const R: &str = "2027-06-30";

    #[test]
    fn not_included_is_not_declared() {
        let s = PatientSettingsOn {
            included: false,
            ..included(Hoofdbehandelaar::Huisarts, Some(WlzSetting::Vpt))
        };
        assert_eq!(declare(&frail_vv5(), &s, false, d(R), &CodeSets::default()), None);
        assert_eq!(
            near_misses(&frail_vv5(), &s, false, d(R), &CodeSets::default()).len(),
            1
        );
    }

    #[test]
    fn wlz_plus_needs_vv5_gp_and_a_setting_other_than_anders() {
        let c = CodeSets::default();
        let yes = declare(
            &frail_vv5(),
            &included(Hoofdbehandelaar::Huisarts, Some(WlzSetting::Mpt)),
            false,
            d(R),
            &c,
        );
        assert_eq!(yes.unwrap().prestaties(), vec![Prestatie::Module, Prestatie::WlzPlus]);
        for (h, w) in [
            (Hoofdbehandelaar::SpecialistOuderengeneeskunde, Some(WlzSetting::Mpt)),
            (Hoofdbehandelaar::Huisarts, Some(WlzSetting::Anders)),
            (Hoofdbehandelaar::Huisarts, None),
        ] {
            let s = included(h, w);
            let dec = declare(&frail_vv5(), &s, false, d(R), &c).unwrap();
            assert!(!dec.wlz_plus, "{h:?} {w:?}");
            assert_eq!(near_misses(&frail_vv5(), &s, false, d(R), &c).len(), 1, "{h:?} {w:?}");
        }
        let mut not_frail = frail_vv5();
        not_frail.episodes.clear();
        let s = included(Hoofdbehandelaar::Huisarts, Some(WlzSetting::Vpt));
        assert!(!declare(&not_frail, &s, false, d(R), &c).unwrap().wlz_plus);
    }

    #[test]
    fn insulin_transition_only_in_the_transition_year() {
        let c = CodeSets::default();
        let mut p = frail_vv5();
        p.programs.push(Enrolment {
            program: ChainProgram::Dm2,
            start: d("2026-03-01"),
            end: Some(d("2026-12-31")),
        });
        p.medications.push(Medication {
            atc: "A10AE04".into(),
            start: d("2027-01-05"),
            end: None,
        });
        let s = included(Hoofdbehandelaar::Huisarts, None);
        assert!(
            declare(&p, &s, is_transition_year(Some(2027), d(R)), d(R), &c)
                .unwrap()
                .insulin_transition
        );
        assert!(
            !declare(&p, &s, is_transition_year(Some(2028), d(R)), d(R), &c)
                .unwrap()
                .insulin_transition
        );
        assert!(
            !declare(&p, &s, is_transition_year(None, d(R)), d(R), &c)
                .unwrap()
                .insulin_transition
        );
        // Enrolled on R too: a chain-care conflict as well.
        let mut on_r = p.clone();
        on_r.programs[0].end = None;
        let dec = declare(&on_r, &s, true, d(R), &c).unwrap();
        assert_eq!(dec.chain_conflicts, vec![Chain::Dm]);
        assert_eq!(dec.prestaties().last(), Some(&Prestatie::ChainCareConflict));
    }

    #[test]
    fn counts_add_up() {
        let dec = PatientDeclaration {
            wlz_plus: true,
            insulin_transition: false,
            chain_conflicts: vec![Chain::Dm, Chain::CopdAstma],
        };
        let mut c = DeclarationCounts::default();
        c.add(&dec);
        c.add(&dec);
        assert_eq!(c.module, 2);
        assert_eq!(c.wlz_plus, 2);
        assert_eq!(c.chain_care_conflicts.dm, 2);
        assert_eq!(c.chain_care_conflicts.cvrm, 0);
        assert_eq!(DeclarationCounts::sum([&c, &c]).module, 4);
    }
}
