//! The fixed tables behind the synthetic data: names, postal areas, conditions and
//! medicines. Prevalences are rough, plausible figures for a Dutch GP population, not
//! statistics of any real practice.

/// Age bands used by the prevalence tables: <20, 20–39, 40–59, 60–74, 75–84, 85+.
pub(crate) fn age_band(age: i32) -> usize {
    match age {
        ..=19 => 0,
        20..=39 => 1,
        40..=59 => 2,
        60..=74 => 3,
        75..=84 => 4,
        _ => 5,
    }
}

/// The oldest age drawn.
pub(crate) const MAX_AGE: usize = 102;

/// Relative weight of each age 0..=MAX_AGE in a registered GP population: a Dutch
/// population pyramid with a slightly older flavour (Maastricht-Heuvelland), about 9 %
/// aged 75 or older before deaths and moves are taken out.
pub(crate) fn age_weights() -> [f64; MAX_AGE + 1] {
    // Per five-year band up to 74, per single year of age within the band.
    const BANDS: [f64; 15] = [
        165.0, 180.0, 190.0, 200.0, 215.0, 225.0, 215.0, 210.0, 200.0, 215.0, 240.0, 245.0, 240.0, 220.0, 200.0,
    ];
    let mut w = [0.0; MAX_AGE + 1];
    for (age, slot) in w.iter_mut().enumerate() {
        *slot = if age < 75 {
            BANDS[age / 5]
        } else {
            // Gompertz-like decline: about 0.39 of the 75-year-olds at 85, 0.05 at 95,
            // 0.013 at 100.
            let k = (age - 75) as f64;
            176.0 * (-0.041 * k - 0.0053 * k * k).exp()
        };
    }
    w
}

/// One medicine picked from a group of alternatives, with probability `p`.
pub(crate) struct MedRule {
    pub p: f64,
    pub atcs: &'static [&'static str],
}

const fn med(p: f64, atcs: &'static [&'static str]) -> MedRule {
    MedRule { p, atcs }
}

/// A chronic condition: an ICPC episode that usually stays open, with its medicines.
pub(crate) struct Chronic {
    pub icpc: &'static str,
    pub title: &'static str,
    /// Probability of having the episode, per [`age_band`].
    pub prevalence: [f64; 6],
    /// Multipliers for women and for men.
    pub female: f64,
    pub male: f64,
    /// Earliest age at which the episode starts.
    pub onset_age: i32,
    /// Share of episodes that were closed again (recovered, revised).
    pub closed: f64,
    pub meds: &'static [MedRule],
}

/// Index of type 2 diabetes in [`CHRONIC`]; diabetics get insulin and chain care.
pub(crate) const DIABETES: usize = 1;
/// Index of dementia in [`CHRONIC`].
pub(crate) const DEMENTIA: usize = 12;
/// Indices of established cardiovascular disease (CVRM chain care): K74, K92, K89, K90.
pub(crate) const CARDIOVASCULAR: [usize; 4] = [3, 6, 7, 8];
pub(crate) const HYPERTENSION: usize = 0;
pub(crate) const COPD: usize = 10;
pub(crate) const ASTHMA: usize = 11;

const STATINS: &[&str] = &["C10AA05", "C10AA01", "C10AA07"];
const ANTIPLATELET: &[&str] = &["B01AC06", "B01AC08", "B01AC04"];
const ACE_ARB: &[&str] = &["C09AA02", "C09AA05", "C09CA01", "C09CA03"];
const BETA_BLOCKERS: &[&str] = &["C07AB02", "C07AB07"];
const ANALGESICS: &[MedRule] = &[
    med(0.55, &["N02BE01"]),
    med(0.1, &["M01AE01", "M01AE02"]),
    med(0.1, &["N02AX02"]),
];
const ANTI_STROKE: &[MedRule] = &[med(0.8, ANTIPLATELET), med(0.85, STATINS), med(0.4, ACE_ARB)];

pub(crate) const CHRONIC: [Chronic; 24] = [
    Chronic {
        icpc: "K86",
        title: "Hypertensie zonder orgaanbeschadiging",
        prevalence: [0.0, 0.02, 0.13, 0.32, 0.46, 0.50],
        female: 1.0,
        male: 1.0,
        onset_age: 25,
        closed: 0.01,
        meds: &[
            med(0.7, ACE_ARB),
            med(0.45, &["C03AA03", "C03BA04"]),
            med(0.4, &["C08CA01", "C08CA05"]),
            med(0.3, BETA_BLOCKERS),
        ],
    },
    Chronic {
        icpc: "T90.02",
        title: "Diabetes mellitus type 2",
        prevalence: [0.001, 0.01, 0.05, 0.14, 0.20, 0.19],
        female: 0.95,
        male: 1.05,
        onset_age: 25,
        closed: 0.0,
        meds: &[
            med(0.85, &["A10BA02"]),
            med(0.3, &["A10BB09", "A10BB12"]),
            med(0.1, &["A10BK03", "A10BK01", "A10BH01"]),
            med(0.8, STATINS),
            med(0.5, ACE_ARB),
        ],
    },
    Chronic {
        icpc: "T93",
        title: "Vetstofwisselingsstoornis",
        prevalence: [0.0, 0.005, 0.05, 0.14, 0.16, 0.12],
        female: 1.0,
        male: 1.0,
        onset_age: 30,
        closed: 0.02,
        meds: &[med(0.8, &["C10AA01", "C10AA05", "C10AA07", "C10AA03"])],
    },
    Chronic {
        icpc: "K74",
        title: "Angina pectoris",
        prevalence: [0.0, 0.0, 0.01, 0.05, 0.09, 0.11],
        female: 0.8,
        male: 1.25,
        onset_age: 40,
        closed: 0.02,
        meds: &[
            med(0.85, ANTIPLATELET),
            med(0.85, STATINS),
            med(0.6, BETA_BLOCKERS),
            med(0.45, &["C01DA02"]),
            med(0.25, &["C01DA14"]),
        ],
    },
    Chronic {
        icpc: "K77",
        title: "Decompensatio cordis",
        prevalence: [0.0, 0.0, 0.002, 0.015, 0.07, 0.13],
        female: 1.0,
        male: 1.0,
        onset_age: 45,
        closed: 0.0,
        meds: &[
            med(0.85, &["C03CA01", "C03CA02"]),
            med(0.65, &["C09AA05", "C09AA02", "C09CA01"]),
            med(0.65, &["C07AB07", "C07AB02"]),
            med(0.35, &["C03DA01"]),
        ],
    },
    Chronic {
        icpc: "K78",
        title: "Atriumfibrilleren/-fladderen",
        prevalence: [0.0, 0.001, 0.01, 0.05, 0.12, 0.17],
        female: 0.85,
        male: 1.15,
        onset_age: 35,
        closed: 0.03,
        meds: &[
            med(0.88, &["B01AF02", "B01AF01", "B01AF03", "B01AA07", "B01AA04"]),
            med(0.65, BETA_BLOCKERS),
            med(0.1, &["C01AA05"]),
        ],
    },
    Chronic {
        icpc: "K92",
        title: "Atherosclerose/perifeer arterieel vaatlijden",
        prevalence: [0.0, 0.0, 0.005, 0.03, 0.05, 0.06],
        female: 0.8,
        male: 1.2,
        onset_age: 45,
        closed: 0.0,
        meds: &[med(0.8, &["B01AC04", "B01AC06"]), med(0.75, STATINS)],
    },
    Chronic {
        icpc: "K89",
        title: "Passagère cerebrale ischemie/TIA",
        prevalence: [0.0, 0.0, 0.005, 0.025, 0.045, 0.05],
        female: 1.0,
        male: 1.0,
        onset_age: 40,
        closed: 0.05,
        meds: ANTI_STROKE,
    },
    Chronic {
        icpc: "K90",
        title: "Cerebrovasculair accident",
        prevalence: [0.0, 0.0, 0.005, 0.025, 0.05, 0.07],
        female: 1.0,
        male: 1.0,
        onset_age: 40,
        closed: 0.0,
        meds: ANTI_STROKE,
    },
    Chronic {
        icpc: "T86",
        title: "Hypothyreoïdie/myxoedeem",
        prevalence: [0.002, 0.01, 0.03, 0.05, 0.06, 0.06],
        female: 1.7,
        male: 0.3,
        onset_age: 10,
        closed: 0.0,
        meds: &[med(0.95, &["H03AA01"])],
    },
    Chronic {
        icpc: "R95",
        title: "Emfyseem/COPD",
        prevalence: [0.0, 0.001, 0.02, 0.07, 0.10, 0.10],
        female: 0.9,
        male: 1.1,
        onset_age: 40,
        closed: 0.0,
        meds: &[
            med(0.6, &["R03BB04", "R03AL03"]),
            med(0.45, &["R03AK06", "R03AK07"]),
            med(0.75, &["R03AC02", "R03BB01"]),
        ],
    },
    Chronic {
        icpc: "R96",
        title: "Astma",
        prevalence: [0.05, 0.06, 0.05, 0.05, 0.04, 0.03],
        female: 1.0,
        male: 1.0,
        onset_age: 2,
        closed: 0.15,
        meds: &[med(0.65, &["R03AC02"]), med(0.5, &["R03BA02", "R03AK07", "R03AK06"])],
    },
    Chronic {
        icpc: "P70",
        title: "Dementie",
        prevalence: [0.0, 0.0, 0.001, 0.01, 0.06, 0.22],
        female: 1.1,
        male: 0.9,
        onset_age: 55,
        closed: 0.0,
        meds: &[med(0.2, &["N06DA02", "N06DA03"]), med(0.12, &["N05AX08", "N05AD01"])],
    },
    Chronic {
        icpc: "L89",
        title: "Artrose heup",
        prevalence: [0.0, 0.0, 0.02, 0.07, 0.12, 0.14],
        female: 1.2,
        male: 0.8,
        onset_age: 40,
        closed: 0.0,
        meds: ANALGESICS,
    },
    Chronic {
        icpc: "L90",
        title: "Artrose knie",
        prevalence: [0.0, 0.002, 0.04, 0.10, 0.15, 0.16],
        female: 1.2,
        male: 0.8,
        onset_age: 35,
        closed: 0.0,
        meds: ANALGESICS,
    },
    Chronic {
        icpc: "L95",
        title: "Osteoporose",
        prevalence: [0.0, 0.0, 0.01, 0.04, 0.10, 0.16],
        female: 1.6,
        male: 0.3,
        onset_age: 45,
        closed: 0.0,
        meds: &[med(0.6, &["M05BA04"]), med(0.65, &["A12AX"]), med(0.3, &["A11CC05"])],
    },
    Chronic {
        icpc: "P76",
        title: "Depressie",
        prevalence: [0.005, 0.04, 0.05, 0.045, 0.045, 0.045],
        female: 1.3,
        male: 0.7,
        onset_age: 14,
        closed: 0.45,
        meds: &[med(0.6, &["N06AB06", "N06AB04", "N06AB05", "N06AX11"])],
    },
    Chronic {
        icpc: "P74",
        title: "Angststoornis",
        prevalence: [0.01, 0.04, 0.04, 0.03, 0.03, 0.03],
        female: 1.3,
        male: 0.7,
        onset_age: 12,
        closed: 0.4,
        meds: &[med(0.3, &["N05BA04"]), med(0.2, &["N06AB06", "N06AB05"])],
    },
    Chronic {
        icpc: "N87",
        title: "Parkinsonisme",
        prevalence: [0.0, 0.0, 0.001, 0.005, 0.015, 0.02],
        female: 0.8,
        male: 1.2,
        onset_age: 45,
        closed: 0.0,
        meds: &[med(0.9, &["N04BA02"])],
    },
    Chronic {
        icpc: "H86",
        title: "Doofheid/slechthorendheid",
        prevalence: [0.002, 0.005, 0.02, 0.08, 0.20, 0.33],
        female: 0.9,
        male: 1.1,
        onset_age: 0,
        closed: 0.0,
        meds: &[],
    },
    Chronic {
        icpc: "F84",
        title: "Maculadegeneratie",
        prevalence: [0.0, 0.0, 0.001, 0.01, 0.04, 0.08],
        female: 1.1,
        male: 0.9,
        onset_age: 50,
        closed: 0.0,
        meds: &[],
    },
    Chronic {
        icpc: "F93",
        title: "Glaucoom",
        prevalence: [0.0, 0.001, 0.01, 0.03, 0.05, 0.06],
        female: 1.0,
        male: 1.0,
        onset_age: 35,
        closed: 0.0,
        meds: &[med(0.85, &["S01EE01", "S01ED01"])],
    },
    Chronic {
        icpc: "Y85",
        title: "Benigne prostaathypertrofie",
        prevalence: [0.0, 0.0, 0.03, 0.12, 0.20, 0.22],
        female: 0.0,
        male: 1.0,
        onset_age: 45,
        closed: 0.0,
        meds: &[med(0.6, &["G04CA02"]), med(0.2, &["G04CB01"])],
    },
    Chronic {
        icpc: "T92",
        title: "Jicht",
        prevalence: [0.0, 0.002, 0.01, 0.03, 0.04, 0.04],
        female: 0.5,
        male: 1.5,
        onset_age: 25,
        closed: 0.1,
        meds: &[med(0.6, &["M04AA01"])],
    },
];

/// A medicine used without a coded episode, per [`age_band`].
pub(crate) struct Background {
    pub prevalence: [f64; 6],
    pub min_age: i32,
    pub female_only: bool,
    pub atcs: &'static [&'static str],
}

pub(crate) const BACKGROUND: [Background; 12] = [
    Background {
        prevalence: [0.005, 0.03, 0.07, 0.15, 0.28, 0.33],
        min_age: 0,
        female_only: false,
        atcs: &["A02BC01", "A02BC02", "A02BC05"],
    },
    Background {
        prevalence: [0.02, 0.01, 0.02, 0.08, 0.36, 0.46],
        min_age: 0,
        female_only: false,
        atcs: &["A11CC05"],
    },
    Background {
        prevalence: [0.0, 0.005, 0.02, 0.05, 0.2, 0.3],
        min_age: 18,
        female_only: false,
        atcs: &["N02BE01"],
    },
    Background {
        prevalence: [0.01, 0.005, 0.01, 0.03, 0.09, 0.16],
        min_age: 0,
        female_only: false,
        atcs: &["A06AD65"],
    },
    Background {
        prevalence: [0.0, 0.01, 0.03, 0.05, 0.08, 0.09],
        min_age: 18,
        female_only: false,
        atcs: &["N05CF01", "N05CD07"],
    },
    Background {
        prevalence: [0.0, 0.005, 0.01, 0.03, 0.05, 0.07],
        min_age: 18,
        female_only: false,
        atcs: &["B03BA03"],
    },
    Background {
        prevalence: [0.12, 0.25, 0.03, 0.0, 0.0, 0.0],
        min_age: 15,
        female_only: true,
        atcs: &["G03AA07"],
    },
    Background {
        prevalence: [0.03, 0.04, 0.03, 0.02, 0.01, 0.01],
        min_age: 4,
        female_only: false,
        atcs: &["R06AE07", "R01AD09"],
    },
    Background {
        prevalence: [0.0, 0.0, 0.005, 0.02, 0.06, 0.12],
        min_age: 40,
        female_only: false,
        atcs: &["C03CA01"],
    },
    Background {
        prevalence: [0.0, 0.0, 0.005, 0.02, 0.05, 0.06],
        min_age: 40,
        female_only: false,
        atcs: &["B01AC06", "B01AC08"],
    },
    Background {
        prevalence: [0.02, 0.01, 0.01, 0.02, 0.06, 0.1],
        min_age: 0,
        female_only: false,
        atcs: &["D02AX"],
    },
    Background {
        prevalence: [0.0, 0.005, 0.01, 0.03, 0.08, 0.12],
        min_age: 18,
        female_only: false,
        atcs: &["S01XA20"],
    },
];

/// Proton pump inhibitors, added as stomach protection for older users of
/// antithrombotics or NSAIDs.
pub(crate) const PPI: &[&str] = &["A02BC01", "A02BC02"];

/// Insulins: long-acting, mixed or intermediate-acting; some users also take a
/// mealtime insulin.
pub(crate) const BASAL_INSULINS: &[&str] = &["A10AE04", "A10AE04", "A10AE04", "A10AE05", "A10AD05", "A10AC01"];
pub(crate) const MEALTIME_INSULIN: &str = "A10AB05";

/// A short illness: a closed episode, sometimes with a short course of medicine.
pub(crate) struct Acute {
    pub icpc: &'static str,
    pub title: &'static str,
    /// Relative frequency per [`age_band`].
    pub weight: [f64; 6],
    pub course: Option<MedRule>,
}

pub(crate) const ACUTE: [Acute; 14] = [
    Acute {
        icpc: "R74",
        title: "Acute infectie bovenste luchtwegen",
        weight: [4.0, 3.0, 2.5, 2.0, 2.0, 2.0],
        course: None,
    },
    Acute {
        icpc: "R78",
        title: "Acute bronchitis/bronchiolitis",
        weight: [1.0, 1.0, 1.0, 1.2, 1.5, 1.5],
        course: Some(med(0.3, &["J01AA02", "J01CA04"])),
    },
    Acute {
        icpc: "R81",
        title: "Pneumonie",
        weight: [0.3, 0.2, 0.3, 0.5, 1.2, 2.0],
        course: Some(med(0.9, &["J01CA04", "J01AA02", "J01CR02"])),
    },
    Acute {
        icpc: "U71",
        title: "Cystitis/urineweginfectie",
        weight: [0.5, 1.5, 1.5, 1.5, 2.5, 3.0],
        course: Some(med(0.8, &["J01XE01", "J01XE01", "J01CR02"])),
    },
    Acute {
        icpc: "H71",
        title: "Otitis media acuta",
        weight: [3.0, 0.3, 0.2, 0.1, 0.1, 0.1],
        course: Some(med(0.35, &["J01CA04"])),
    },
    Acute {
        icpc: "H81",
        title: "Overmatig oorsmeer",
        weight: [0.3, 0.8, 1.0, 1.2, 1.5, 1.5],
        course: None,
    },
    Acute {
        icpc: "L03",
        title: "Lage rugpijn zonder uitstraling",
        weight: [0.2, 2.0, 2.5, 1.5, 1.0, 0.7],
        course: Some(med(0.4, &["M01AE01", "N02BE01", "M01AE02"])),
    },
    Acute {
        icpc: "L77",
        title: "Verstuiking/distorsie enkel",
        weight: [1.0, 1.2, 0.6, 0.3, 0.2, 0.1],
        course: None,
    },
    Acute {
        icpc: "S18",
        title: "Laceratie/snijwond",
        weight: [1.5, 1.2, 0.8, 0.6, 0.8, 1.0],
        course: None,
    },
    Acute {
        icpc: "S88",
        title: "Contacteczeem/ander eczeem",
        weight: [1.0, 1.0, 0.8, 0.6, 0.5, 0.5],
        course: Some(med(0.5, &["D07AC01", "D07AB09"])),
    },
    Acute {
        icpc: "D73",
        title: "Gastro-enteritis vermoedelijk infectieus",
        weight: [2.0, 1.0, 0.6, 0.5, 0.6, 0.7],
        course: None,
    },
    Acute {
        icpc: "N01",
        title: "Hoofdpijn",
        weight: [0.8, 1.2, 1.0, 0.5, 0.3, 0.2],
        course: None,
    },
    Acute {
        icpc: "A03",
        title: "Koorts",
        weight: [2.0, 0.3, 0.2, 0.2, 0.3, 0.4],
        course: None,
    },
    Acute {
        icpc: "L75",
        title: "Fractuur femur",
        weight: [0.0, 0.0, 0.01, 0.05, 0.3, 0.7],
        course: Some(med(0.5, &["N02AA05", "N02BE01"])),
    },
];

/// Expected number of short illnesses over the last three years, per [`age_band`].
pub(crate) const ACUTE_PER_PATIENT: [f64; 6] = [0.9, 0.6, 0.6, 0.7, 1.0, 1.2];

/// Frail-elder episodes: (ICPC, title).
pub(crate) const FRAIL_CODES: [(&str, &str); 3] = [
    ("A49.01", "Kwetsbare oudere"),
    ("A05", "Algehele achteruitgang/kwetsbaarheid"),
    ("A05.01", "Kwetsbare oudere"),
];

/// Coded answers of determinant 2803 (Wlz care profile) with their relative frequency:
/// 351 is VV 4, 352..=356 VV 5 to VV 9.
pub(crate) const WLZ_VALUES: [(u16, f64); 6] = [
    (351, 0.33),
    (352, 0.22),
    (353, 0.17),
    (354, 0.13),
    (355, 0.10),
    (356, 0.05),
];

/// Prefixes and second parts of practice names.
pub(crate) const PRACTICE_PREFIXES: [&str; 6] = [
    "Huisartsenpraktijk",
    "Gezondheidscentrum",
    "Huisartsengroep",
    "Huisartsencentrum",
    "Medisch Centrum",
    "Huisartsenmaatschap",
];

pub(crate) const PRACTICE_SUFFIXES: [&str; 64] = [
    "De Linde",
    "De Eik",
    "De Kastanje",
    "De Beuk",
    "De Wilg",
    "De Esdoorn",
    "De Hazelaar",
    "De Vlier",
    "Heer",
    "Wyck",
    "Jekerdal",
    "Sint Pieter",
    "Mariaberg",
    "Heugem",
    "Amby",
    "Scharn",
    "Caberg",
    "Malberg",
    "Daalhof",
    "Brusselsepoort",
    "Oud-Vroenhoven",
    "Wolder",
    "Randwyck",
    "Limmel",
    "Borgharen",
    "Itteren",
    "Nazareth",
    "Wittevrouwenveld",
    "Gronsveld",
    "Eijsden",
    "Mesch",
    "Margraten",
    "Cadier en Keer",
    "Bemelen",
    "Berg en Terblijt",
    "Valkenburg",
    "Meerssen",
    "Bunde",
    "Ulestraten",
    "Geulle",
    "Gulpen",
    "Wittem",
    "Mechelen",
    "Epen",
    "Vaals",
    "Noorbeek",
    "Mheer",
    "Banholt",
    "Sint Geertruid",
    "Eckelrade",
    "Schin op Geul",
    "Wijlre",
    "Aan de Maas",
    "Aan de Jeker",
    "De Geul",
    "Het Heuvelland",
    "De Mergelhoeve",
    "De Sint-Servaasbrug",
    "Vrijthof",
    "Ceramique",
    "Sint Maartenspoort",
    "Boschpoort",
    "Pottenberg",
    "De Kommel",
];

/// Four-digit postal areas of Maastricht and the Heuvelland.
pub(crate) const PC4: [u16; 40] = [
    6211, 6212, 6213, 6214, 6215, 6216, 6217, 6218, 6219, 6221, 6222, 6223, 6224, 6225, 6226, 6227, 6228, 6229, 6231,
    6235, 6241, 6243, 6245, 6247, 6252, 6255, 6261, 6262, 6265, 6267, 6268, 6269, 6271, 6281, 6286, 6291, 6301, 6305,
    6321, 6325,
];

/// Letters used in the two-letter part of postal codes.
pub(crate) const PC_LETTERS: &[u8; 20] = b"ABCDEGHJKLMNPRSTVWXZ";

pub(crate) const FAMILY_NAMES: [&str; 100] = [
    "Janssen",
    "Smeets",
    "Peeters",
    "Hermans",
    "Claessens",
    "Lemmens",
    "Notermans",
    "Ramakers",
    "Vliegen",
    "Bemelmans",
    "Wetzels",
    "Kusters",
    "Houben",
    "Frissen",
    "Schreurs",
    "Meertens",
    "Dassen",
    "Pluijmen",
    "Curfs",
    "Vranken",
    "Coenen",
    "Habets",
    "Ploumen",
    "Lardinois",
    "Bessems",
    "Gulikers",
    "Souren",
    "Crombach",
    "Hanssen",
    "Keulen",
    "Pijpers",
    "Ummels",
    "Jeurissen",
    "Brouns",
    "Ruijters",
    "Moonen",
    "Driessen",
    "Wijnands",
    "Willems",
    "Jacobs",
    "Maas",
    "Mertens",
    "Beckers",
    "Dautzenberg",
    "Debets",
    "Geurts",
    "Heijnen",
    "Hendriks",
    "Kerckhoffs",
    "Lenssen",
    "Muijrers",
    "Nelissen",
    "Offermans",
    "Ortmans",
    "Pinckaers",
    "Quaedvlieg",
    "Rouwette",
    "Senden",
    "Theunissen",
    "Vaessen",
    "Vossen",
    "Wolfs",
    "Zeegers",
    "de Vries",
    "van den Berg",
    "van Dijk",
    "de Jong",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Dekker",
    "Brouwer",
    "de Wit",
    "van Leeuwen",
    "de Graaf",
    "van der Meer",
    "van der Linden",
    "de Haan",
    "Vermeulen",
    "van den Heuvel",
    "van den Broek",
    "de Bruijn",
    "van der Heijden",
    "van Wersch",
    "van Loo",
    "Op den Camp",
    "in 't Zandt",
    "van der Weijden",
    "de Bie",
    "van Mulken",
    "van de Ven",
    "ter Horst",
    "d'Hont",
    "Lemaire",
];

pub(crate) const GIVEN_NAMES_F: [&str; 32] = [
    "Maria",
    "Anna",
    "Johanna",
    "Elisabeth",
    "Catharina",
    "Wilhelmina",
    "Hubertina",
    "Gertruda",
    "Mia",
    "Annie",
    "Lies",
    "Truus",
    "Mientje",
    "Netty",
    "Fien",
    "Thea",
    "Riet",
    "Marianne",
    "Ria",
    "Josephine",
    "Hélène",
    "Mariëtte",
    "Agnes",
    "Leonie",
    "Francine",
    "Yvonne",
    "Marlies",
    "Joke",
    "Gerda",
    "Els",
    "Ine",
    "Bep",
];

pub(crate) const GIVEN_NAMES_M: [&str; 32] = [
    "Johannes",
    "Hubertus",
    "Jozef",
    "Petrus",
    "Wilhelmus",
    "Martinus",
    "Leonardus",
    "Hendrikus",
    "Jan",
    "Sjef",
    "Harrie",
    "Ger",
    "Wim",
    "Lei",
    "Jo",
    "Pierre",
    "Frans",
    "Huub",
    "Toon",
    "René",
    "Math",
    "Sjra",
    "Jules",
    "Guillaume",
    "Paul",
    "Jean",
    "Theo",
    "Karel",
    "Hein",
    "Joep",
    "Noël",
    "Piet",
];

/// Every ATC code the generator can write.
#[cfg(test)]
pub(crate) fn all_atcs() -> Vec<&'static str> {
    let rules = CHRONIC
        .iter()
        .flat_map(|c| c.meds.iter())
        .chain(ACUTE.iter().filter_map(|a| a.course.as_ref()));
    rules
        .flat_map(|r| r.atcs.iter())
        .chain(BACKGROUND.iter().flat_map(|b| b.atcs.iter()))
        .chain(PPI.iter())
        .chain(BASAL_INSULINS.iter())
        .chain([MEALTIME_INSULIN].iter())
        .copied()
        .collect()
}

#[cfg(test)]
mod tests {
    use kernteam_domain::extract::{parse_atc, parse_icpc};

    use super::*;

    #[test]
    fn named_indices_point_at_their_codes() {
        assert_eq!(CHRONIC[HYPERTENSION].icpc, "K86");
        assert_eq!(CHRONIC[DIABETES].icpc, "T90.02");
        assert_eq!(CHRONIC[DEMENTIA].icpc, "P70");
        assert_eq!(CHRONIC[COPD].icpc, "R95");
        assert_eq!(CHRONIC[ASTHMA].icpc, "R96");
        let cvd: Vec<&str> = CARDIOVASCULAR.iter().map(|i| CHRONIC[*i].icpc).collect();
        assert_eq!(cvd, ["K74", "K92", "K89", "K90"]);
    }

    #[test]
    fn all_codes_follow_the_spec() {
        let icpcs = CHRONIC.iter().map(|c| c.icpc).chain(ACUTE.iter().map(|a| a.icpc));
        for icpc in icpcs.chain(FRAIL_CODES.iter().map(|f| f.0)) {
            assert_eq!(parse_icpc(icpc).as_deref(), Ok(icpc));
        }
        let atcs = all_atcs();
        for atc in atcs {
            assert!(parse_atc(atc).is_ok(), "{atc}");
        }
        assert!(BASAL_INSULINS
            .iter()
            .chain([MEALTIME_INSULIN].iter())
            .all(|a| a.starts_with("A10A")));
    }
}
