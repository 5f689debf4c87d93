//! The catalogue of trend figures: which figures the dashboards and the regional report
//! show, how each is read from a practice's row or the totals ([`Row`]), its chart and
//! its group.

use crate::trends::{CareProcess, Row};

/// A figure's raw value, before suppression.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Raw {
    /// A count of patients or of their events: subject to suppression.
    Count(u64),
    /// A percentage `100 * numerator / denominator` (subject to suppression).
    Share { numerator: u64, denominator: u64 },
    /// Not about patients (hours, ratios, meetings): never suppressed.
    Plain(Option<f64>),
}

/// How a figure is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chart {
    /// A state on the reference date.
    Line,
    /// Something counted over the quarter.
    Bar,
}

/// One figure of the dashboards.
pub struct Figure {
    /// The key in reports.md / region.md (or of the care-process indicators).
    pub key: &'static str,
    /// Dutch title.
    pub label: &'static str,
    /// Dutch unit for the axis and the table ("patiënten", "%", "uur").
    pub unit: &'static str,
    pub decimals: usize,
    pub chart: Chart,
    /// The group it belongs to (a heading on the dashboard).
    pub group: Group,
    pub of: fn(&Row) -> Raw,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Extract,
    Recorded,
    Capacity,
    CareProcess,
}

impl Group {
    pub const ALL: [Group; 4] = [Group::Extract, Group::Recorded, Group::Capacity, Group::CareProcess];

    pub fn label(self) -> &'static str {
        match self {
            Group::Extract => "Uit het HIS-extract (op de peildatum)",
            Group::Recorded => "Vastgelegd in Kernteam",
            Group::Capacity => "Capaciteit POH-O",
            Group::CareProcess => "Zorgproces (geïncludeerde patiënten)",
        }
    }
}

const fn fig(
    key: &'static str,
    label: &'static str,
    unit: &'static str,
    decimals: usize,
    chart: Chart,
    group: Group,
    of: fn(&Row) -> Raw,
) -> Figure {
    Figure {
        key,
        label,
        unit,
        decimals,
        chart,
        group,
        of,
    }
}

fn care_share(r: &Row, part: fn(&CareProcess) -> u64) -> Raw {
    let c = r.care.copied().unwrap_or_default();
    Raw::Share {
        numerator: part(&c),
        denominator: c.included,
    }
}

use Chart::{Bar, Line};
use Group::{Capacity as Cap, CareProcess as Care, Extract as Ext, Recorded as Rec};

/// Every figure of the dashboards, in their order.
pub const FIGURES: &[Figure] = &[
    fig(
        "registered",
        "Ingeschreven patiënten",
        "patiënten",
        0,
        Line,
        Ext,
        |r| Raw::Count(r.extract.registered),
    ),
    fig(
        "aged_75_plus",
        "Ingeschreven 75-plussers",
        "patiënten",
        0,
        Line,
        Ext,
        |r| Raw::Count(r.extract.aged_75_plus),
    ),
    fig("pct_75_plus", "Aandeel 75-plussers", "%", 1, Line, Ext, |r| {
        Raw::Share {
            numerator: r.extract.aged_75_plus,
            denominator: r.extract.registered,
        }
    }),
    fig(
        "frail_registered",
        "Kwetsbare ouderen",
        "patiënten",
        0,
        Line,
        Ext,
        |r| Raw::Count(r.extract.frail_registered),
    ),
    fig(
        "frail_aged_75_plus",
        "Kwetsbare 75-plussers",
        "patiënten",
        0,
        Line,
        Ext,
        |r| Raw::Count(r.extract.frail_aged_75_plus),
    ),
    fig(
        "frail_with_acp",
        "Kwetsbaar met proactieve zorgplanning (A20)",
        "patiënten",
        0,
        Line,
        Ext,
        |r| Raw::Count(r.extract.frail_with_acp),
    ),
    fig(
        "frail_in_chain_care.dm",
        "Kwetsbaar in ketenzorg diabetes",
        "patiënten",
        0,
        Line,
        Ext,
        |r| Raw::Count(r.extract.frail_in_chain_care.dm),
    ),
    fig(
        "frail_in_chain_care.cvrm",
        "Kwetsbaar in ketenzorg CVRM",
        "patiënten",
        0,
        Line,
        Ext,
        |r| Raw::Count(r.extract.frail_in_chain_care.cvrm),
    ),
    fig(
        "frail_in_chain_care.copd_astma",
        "Kwetsbaar in ketenzorg COPD/astma",
        "patiënten",
        0,
        Line,
        Ext,
        |r| Raw::Count(r.extract.frail_in_chain_care.copd_astma),
    ),
    fig(
        "polypharmacy_75_plus",
        "Polyfarmacie 75+",
        "patiënten",
        0,
        Line,
        Ext,
        |r| Raw::Count(r.extract.polypharmacy_75_plus),
    ),
    fig(
        "wlz_vv5_plus",
        "Kwetsbaar met Wlz VV5+",
        "patiënten",
        0,
        Line,
        Ext,
        |r| Raw::Count(r.extract.wlz_vv5_plus),
    ),
    fig(
        "insulin_transition",
        "Overgang naar insuline",
        "patiënten",
        0,
        Line,
        Ext,
        |r| Raw::Count(r.extract.insulin_transition),
    ),
    fig(
        "included",
        "Geïncludeerd in het programma",
        "patiënten",
        0,
        Line,
        Rec,
        |r| Raw::Count(r.recorded.included),
    ),
    fig("mdo_count", "MDO's", "overleggen", 0, Bar, Rec, |r| {
        Raw::Plain(Some(r.recorded.mdo_count as f64))
    }),
    fig(
        "so_consultations.zvw",
        "SO-consulten (Zvw)",
        "consulten",
        0,
        Bar,
        Rec,
        |r| Raw::Count(r.recorded.so_consultations.zvw),
    ),
    fig(
        "so_consultations.wlz",
        "SO-consulten (Wlz)",
        "consulten",
        0,
        Bar,
        Rec,
        |r| Raw::Count(r.recorded.so_consultations.wlz),
    ),
    fig("elv_referrals", "ELV-verwijzingen", "verwijzingen", 0, Bar, Rec, |r| {
        Raw::Count(r.recorded.elv_referrals)
    }),
    fig("seh_referrals", "SEH-verwijzingen", "verwijzingen", 0, Bar, Rec, |r| {
        Raw::Count(r.recorded.seh_referrals)
    }),
    fig(
        "wlz_crisis_admissions",
        "Wlz-crisisopnames",
        "opnames",
        0,
        Bar,
        Rec,
        |r| Raw::Count(r.recorded.wlz_crisis_admissions),
    ),
    fig(
        "poh_o_hours_per_week",
        "Formatie POH-O",
        "uur per week",
        1,
        Line,
        Cap,
        |r| Raw::Plain(r.recorded.poh_o_hours_per_week),
    ),
    fig(
        "poh_o_hours_per_year_needed",
        "POH-O-uren per jaar nodig",
        "uur per jaar",
        0,
        Line,
        Cap,
        |r| Raw::Plain(r.capacity.map(|c| c.poh_o_hours_per_year_needed)),
    ),
    fig(
        "poh_o_hours_per_year_available",
        "POH-O-uren per jaar beschikbaar",
        "uur per jaar",
        0,
        Line,
        Cap,
        |r| Raw::Plain(r.capacity.and_then(|c| c.poh_o_hours_per_year_available)),
    ),
    fig(
        "capacity_ratio",
        "Capaciteit: beschikbaar / nodig",
        "verhouding",
        2,
        Line,
        Cap,
        |r| Raw::Plain(r.capacity.and_then(|c| c.capacity_ratio)),
    ),
    fig("with_care_plan", "Met een zorgplan (IZP)", "%", 1, Line, Care, |r| {
        care_share(r, |c| c.with_care_plan)
    }),
    fig(
        "with_pzp",
        "Met proactieve zorgplanning (PZP)",
        "%",
        1,
        Line,
        Care,
        |r| care_share(r, |c| c.with_pzp),
    ),
    fig(
        "with_first_contact",
        "Met een eerste aanspreekpunt",
        "%",
        1,
        Line,
        Care,
        |r| care_share(r, |c| c.with_first_contact),
    ),
    fig(
        "with_medication_review",
        "Medicatiebeoordeling in de laatste 12 maanden",
        "%",
        1,
        Line,
        Care,
        |r| care_share(r, |c| c.with_medication_review),
    ),
    fig(
        "late_handovers",
        "Overdrachten te laat of niet verstuurd",
        "gebeurtenissen",
        0,
        Bar,
        Care,
        |r| Raw::Count(r.care.map_or(0, |c| c.late_handovers)),
    ),
];
