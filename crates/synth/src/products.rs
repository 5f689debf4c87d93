//! What the HIS writes beside the codes: the product name and dosage of a medicine, and a
//! patient's address and phone. All invented; picked by a hash of the patient and the
//! code, not from the practice's random stream, so that adding these columns left every
//! other generated value (and the reports over them) unchanged.

/// A medicine as Dutch HIS systems name it: product (substance, form, strength) and the
/// usual instructions, for each ATC code the generator writes.
struct Product {
    atc: &'static str,
    names: &'static [&'static str],
    dosages: &'static [&'static str],
}

const fn p(atc: &'static str, names: &'static [&'static str], dosages: &'static [&'static str]) -> Product {
    Product { atc, names, dosages }
}

const DAILY: &[&str] = &["1 x per dag 1 tablet"];
const MORNING: &[&str] = &["1 x per dag 1 tablet 's ochtends", "1 x per dag 1 tablet"];
const EVENING: &[&str] = &["1 x per dag 1 tablet 's avonds", "1 x per dag 1 tablet voor de nacht"];
const AS_NEEDED: &[&str] = &[
    "zo nodig 1 tablet, max. 3 x per dag",
    "zo nodig 1 tablet, max. 2 x per dag",
];

const PRODUCTS: &[Product] = &[
    p(
        "A02BC01",
        &["Omeprazol capsule msr 20 mg", "Omeprazol capsule msr 40 mg"],
        &["1 x per dag 1 capsule voor het ontbijt"],
    ),
    p(
        "A02BC02",
        &["Pantoprazol tablet msr 20 mg", "Pantoprazol tablet msr 40 mg"],
        &["1 x per dag 1 tablet voor het ontbijt"],
    ),
    p(
        "A02BC05",
        &["Esomeprazol tablet msr 20 mg"],
        &["1 x per dag 1 tablet voor het ontbijt"],
    ),
    p(
        "A06AD65",
        &["Macrogol/elektrolyten poeder voor drank (Movicolon)"],
        &[
            "1 x per dag 1 sachet in 125 ml water",
            "2 x per dag 1 sachet in 125 ml water",
        ],
    ),
    p(
        "A10AB05",
        &["NovoRapid FlexPen 100 E/ml"],
        &["3 x per dag volgens schema voor de maaltijd"],
    ),
    p(
        "A10AC01",
        &["Insulatard FlexPen 100 E/ml"],
        &["1 x per dag volgens schema voor de nacht"],
    ),
    p(
        "A10AD05",
        &["NovoMix 30 FlexPen 100 E/ml"],
        &["2 x per dag volgens schema bij de maaltijd"],
    ),
    p(
        "A10AE04",
        &[
            "Insuline glargine (Abasaglar) KwikPen 100 E/ml",
            "Lantus SoloStar 100 E/ml",
        ],
        &["1 x per dag volgens schema voor de nacht"],
    ),
    p(
        "A10AE05",
        &["Levemir FlexPen 100 E/ml"],
        &["1 x per dag volgens schema voor de nacht"],
    ),
    p(
        "A10BA02",
        &[
            "Metformine tablet 500 mg",
            "Metformine tablet 850 mg",
            "Metformine tablet 1000 mg",
        ],
        &[
            "2 x per dag 1 tablet bij de maaltijd",
            "3 x per dag 1 tablet bij de maaltijd",
        ],
    ),
    p(
        "A10BB09",
        &["Gliclazide tablet mga 30 mg", "Gliclazide tablet mga 80 mg"],
        &["1 x per dag 1 tablet bij het ontbijt"],
    ),
    p(
        "A10BB12",
        &["Glimepiride tablet 1 mg", "Glimepiride tablet 2 mg"],
        &["1 x per dag 1 tablet bij het ontbijt"],
    ),
    p("A10BH01", &["Sitagliptine tablet 100 mg"], DAILY),
    p("A10BK01", &["Dapagliflozine tablet 10 mg"], MORNING),
    p("A10BK03", &["Empagliflozine tablet 10 mg"], MORNING),
    p(
        "A11CC05",
        &["Colecalciferol capsule 800 IE", "Colecalciferol druppels 50.000 IE/ml"],
        &["1 x per dag 1 capsule", "1 x per maand 1 ml"],
    ),
    p(
        "A12AX",
        &["Calciumcarbonaat/colecalciferol kauwtablet 1,25 g/800 IE"],
        DAILY,
    ),
    p(
        "B01AA04",
        &["Fenprocoumon tablet 3 mg"],
        &["volgens schema trombosedienst"],
    ),
    p(
        "B01AA07",
        &["Acenocoumarol tablet 1 mg"],
        &["volgens schema trombosedienst"],
    ),
    p("B01AC04", &["Clopidogrel tablet 75 mg"], DAILY),
    p("B01AC06", &["Acetylsalicylzuur dispertablet 80 mg"], DAILY),
    p(
        "B01AC08",
        &["Carbasalaatcalcium bruistablet 100 mg (Ascal Cardio)"],
        DAILY,
    ),
    p(
        "B01AF01",
        &["Rivaroxaban tablet 20 mg", "Rivaroxaban tablet 15 mg"],
        &["1 x per dag 1 tablet bij het avondeten"],
    ),
    p(
        "B01AF02",
        &["Apixaban tablet 5 mg", "Apixaban tablet 2,5 mg"],
        &["2 x per dag 1 tablet"],
    ),
    p("B01AF03", &["Edoxaban tablet 60 mg", "Edoxaban tablet 30 mg"], DAILY),
    p(
        "B03BA03",
        &["Hydroxocobalamine injectievloeistof 500 µg/ml"],
        &["1 x per 2 maanden 1 ml"],
    ),
    p("C01AA05", &["Digoxine tablet 0,125 mg"], DAILY),
    p(
        "C01DA02",
        &["Nitroglycerine spray 0,4 mg/dosis"],
        &["zo nodig 1 verstuiving onder de tong"],
    ),
    p("C01DA14", &["Isosorbidemononitraat tablet mga 60 mg"], MORNING),
    p(
        "C03AA03",
        &["Hydrochloorthiazide tablet 12,5 mg", "Hydrochloorthiazide tablet 25 mg"],
        MORNING,
    ),
    p(
        "C03BA04",
        &["Chloortalidon tablet 12,5 mg", "Chloortalidon tablet 25 mg"],
        MORNING,
    ),
    p(
        "C03CA01",
        &["Furosemide tablet 40 mg", "Furosemide tablet 20 mg"],
        &[
            "1 x per dag 1 tablet 's ochtends",
            "2 x per dag 1 tablet ('s ochtends en 's middags)",
        ],
    ),
    p("C03CA02", &["Bumetanide tablet 1 mg"], MORNING),
    p("C03DA01", &["Spironolacton tablet 25 mg"], MORNING),
    p(
        "C07AB02",
        &["Metoprolol tablet mga 50 mg", "Metoprolol tablet mga 100 mg"],
        DAILY,
    ),
    p(
        "C07AB07",
        &["Bisoprolol tablet 2,5 mg", "Bisoprolol tablet 5 mg"],
        DAILY,
    ),
    p("C08CA01", &["Amlodipine tablet 5 mg", "Amlodipine tablet 10 mg"], DAILY),
    p(
        "C08CA05",
        &["Nifedipine tablet mga 30 mg", "Nifedipine tablet mga 60 mg"],
        DAILY,
    ),
    p("C09AA02", &["Enalapril tablet 10 mg", "Enalapril tablet 20 mg"], DAILY),
    p("C09AA05", &["Perindopril tablet 4 mg", "Ramipril capsule 5 mg"], DAILY),
    p("C09CA01", &["Losartan tablet 50 mg", "Losartan tablet 100 mg"], DAILY),
    p("C09CA03", &["Valsartan tablet 80 mg", "Valsartan tablet 160 mg"], DAILY),
    p("C10AA01", &["Simvastatine tablet 40 mg"], EVENING),
    p("C10AA03", &["Pravastatine tablet 40 mg"], EVENING),
    p(
        "C10AA05",
        &["Atorvastatine tablet 20 mg", "Atorvastatine tablet 40 mg"],
        EVENING,
    ),
    p(
        "C10AA07",
        &["Rosuvastatine tablet 10 mg", "Rosuvastatine tablet 20 mg"],
        EVENING,
    ),
    p(
        "D02AX",
        &["Cetomacrogolcrème FNA", "Vaselinecetomacrogolcrème FNA"],
        &["2 x per dag dun aanbrengen", "zo nodig aanbrengen"],
    ),
    p(
        "D07AB09",
        &["Triamcinolonacetonide crème 1 mg/g FNA"],
        &["1 x per dag dun aanbrengen"],
    ),
    p(
        "D07AC01",
        &["Betamethasondipropionaat crème 0,5 mg/g"],
        &["1 x per dag dun aanbrengen"],
    ),
    p("G03AA07", &["Levonorgestrel/ethinylestradiol tablet 150/30 µg"], DAILY),
    p("G04CA02", &["Tamsulosine capsule mga 0,4 mg"], DAILY),
    p("G04CB01", &["Finasteride tablet 5 mg"], DAILY),
    p(
        "H03AA01",
        &["Levothyroxine tablet 50 µg", "Levothyroxine tablet 100 µg"],
        &["1 x per dag 1 tablet voor het ontbijt"],
    ),
    p(
        "J01AA02",
        &["Doxycycline tablet 100 mg"],
        &["1 x per dag 1 tablet, eerste dag 2 tabletten"],
    ),
    p("J01CA04", &["Amoxicilline capsule 500 mg"], &["3 x per dag 1 capsule"]),
    p(
        "J01CR02",
        &["Amoxicilline/clavulaanzuur tablet 500/125 mg"],
        &["3 x per dag 1 tablet"],
    ),
    p(
        "J01XE01",
        &["Nitrofurantoïne capsule mga 100 mg"],
        &["2 x per dag 1 capsule"],
    ),
    p("M01AE01", &["Ibuprofen tablet 400 mg"], AS_NEEDED),
    p(
        "M01AE02",
        &["Naproxen tablet 250 mg"],
        &["zo nodig 1 tablet, max. 2 x per dag"],
    ),
    p(
        "M04AA01",
        &["Allopurinol tablet 100 mg", "Allopurinol tablet 300 mg"],
        DAILY,
    ),
    p(
        "M05BA04",
        &["Alendroninezuur tablet 70 mg"],
        &["1 x per week 1 tablet 's ochtends nuchter"],
    ),
    p(
        "N02AA05",
        &["Oxycodon capsule 5 mg", "Oxycodon tablet mga 10 mg"],
        &["zo nodig 1 capsule, max. 4 x per dag", "2 x per dag 1 tablet"],
    ),
    p(
        "N02AX02",
        &["Tramadol capsule 50 mg"],
        &["zo nodig 1 capsule, max. 3 x per dag"],
    ),
    p(
        "N02BE01",
        &["Paracetamol tablet 500 mg", "Paracetamol tablet 1000 mg"],
        &[
            "3 x per dag 2 tabletten",
            "zo nodig 1 tablet, max. 4 x per dag",
            "3 x per dag 1 tablet",
        ],
    ),
    p(
        "N04BA02",
        &["Levodopa/carbidopa tablet 100/25 mg"],
        &["3 x per dag 1 tablet"],
    ),
    p(
        "N05AD01",
        &["Haloperidol tablet 1 mg"],
        &["1 x per dag 1 tablet 's avonds"],
    ),
    p("N05AX08", &["Risperidon tablet 0,5 mg"], &["2 x per dag 1 tablet"]),
    p(
        "N05BA04",
        &["Oxazepam tablet 10 mg"],
        &["zo nodig 1 tablet voor de nacht"],
    ),
    p(
        "N05CD07",
        &["Temazepam capsule 10 mg"],
        &["zo nodig 1 capsule voor de nacht"],
    ),
    p(
        "N05CF01",
        &["Zopiclon tablet 7,5 mg", "Zopiclon tablet 3,75 mg"],
        &["zo nodig 1 tablet voor de nacht"],
    ),
    p("N06AB04", &["Citalopram tablet 20 mg"], DAILY),
    p("N06AB05", &["Paroxetine tablet 20 mg"], MORNING),
    p("N06AB06", &["Sertraline tablet 50 mg"], DAILY),
    p(
        "N06AX11",
        &["Mirtazapine tablet 15 mg", "Mirtazapine tablet 30 mg"],
        EVENING,
    ),
    p("N06DA02", &["Donepezil tablet 5 mg", "Donepezil tablet 10 mg"], EVENING),
    p(
        "N06DA03",
        &["Rivastigmine pleister 9,5 mg/24 uur"],
        &["1 x per dag 1 pleister"],
    ),
    p(
        "R01AD09",
        &["Mometason neusspray 50 µg/dosis"],
        &["1 x per dag 2 verstuivingen in elk neusgat"],
    ),
    p(
        "R03AC02",
        &["Salbutamol aerosol 100 µg/dosis"],
        &["zo nodig 1-2 inhalaties, max. 8 per dag"],
    ),
    p(
        "R03AK06",
        &["Salmeterol/fluticason Diskus 50/250 µg/dosis"],
        &["2 x per dag 1 inhalatie"],
    ),
    p(
        "R03AK07",
        &["Budesonide/formoterol Turbuhaler 200/6 µg/dosis"],
        &["2 x per dag 1 inhalatie"],
    ),
    p(
        "R03AL03",
        &["Umeclidinium/vilanterol Ellipta 55/22 µg/dosis"],
        &["1 x per dag 1 inhalatie"],
    ),
    p(
        "R03BA02",
        &["Budesonide Turbuhaler 200 µg/dosis"],
        &["2 x per dag 1 inhalatie"],
    ),
    p(
        "R03BB01",
        &["Ipratropium aerosol 20 µg/dosis"],
        &["3 x per dag 2 inhalaties"],
    ),
    p(
        "R03BB04",
        &["Tiotropium Respimat 2,5 µg/dosis"],
        &["1 x per dag 2 inhalaties"],
    ),
    p("R06AE07", &["Cetirizine tablet 10 mg"], DAILY),
    p(
        "S01ED01",
        &["Timolol oogdruppels 5 mg/ml"],
        &["2 x per dag 1 druppel in beide ogen"],
    ),
    p(
        "S01EE01",
        &["Latanoprost oogdruppels 50 µg/ml"],
        &["1 x per dag 1 druppel in beide ogen 's avonds"],
    ),
    p(
        "S01XA20",
        &["Carbomeer ooggel 2 mg/g (kunsttranen)"],
        &[
            "3 x per dag 1 druppel in beide ogen",
            "zo nodig 1 druppel in beide ogen",
        ],
    ),
];

/// FNV-1a over the parts: a stable hash for picking from the tables.
fn hash(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.iter().chain([&0xff]) {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

fn pick<'a>(items: &[&'a str], h: u64) -> &'a str {
    items[(h % items.len() as u64) as usize]
}

/// The product name and dosage the HIS would write for this patient's medicine; empty
/// for an ATC code the table does not know.
pub(crate) fn medicine(patient_id: &str, atc: &str) -> (&'static str, &'static str) {
    let Some(product) = PRODUCTS.iter().find(|p| p.atc == atc) else {
        return ("", "");
    };
    let h = hash(&[patient_id.as_bytes(), atc.as_bytes()]);
    (pick(product.names, h), pick(product.dosages, h >> 20))
}

const STREETS: &[&str] = &[
    "Kerkstraat",
    "Molenweg",
    "Dorpsstraat",
    "Lindelaan",
    "Beukenlaan",
    "Schoolstraat",
    "Kastanjelaan",
    "Julianastraat",
    "Wilhelminastraat",
    "Prins Bernhardlaan",
    "Oranjeplein",
    "Hoogstraat",
    "Bergweg",
    "Maasboulevard",
    "Kapelweg",
    "Veldstraat",
    "Eikenlaan",
    "Sint Pieterstraat",
    "Akerweg",
    "Burgemeester Damenstraat",
];

/// The place of a four-digit postal area of the generator's region (South Limburg).
fn city(pc4: u16) -> &'static str {
    match pc4 {
        6211..=6229 => "Maastricht",
        6231 => "Meerssen",
        6235 => "Ulestraten",
        6241 => "Bunde",
        6243 => "Geulle",
        6245 => "Eijsden",
        6247 => "Gronsveld",
        6252 => "Eckelrade",
        6255 => "Noorbeek",
        6261 => "Mheer",
        6262 => "Banholt",
        6265 => "Sint Geertruid",
        6267 => "Cadier en Keer",
        6268 => "Bemelen",
        6269 => "Margraten",
        6271 => "Gulpen",
        6281 => "Mechelen",
        6286 => "Wittem",
        6291 => "Vaals",
        6301 => "Valkenburg",
        6305 => "Schin op Geul",
        6321 => "Wijlre",
        _ => "Berg en Terblijt",
    }
}

/// Address, place and phone of a patient with this id and postal code (`1234AB`, or
/// empty: then no place either).
pub(crate) fn contact(patient_id: &str, postal: &[u8]) -> (String, String, String) {
    let h = hash(&[patient_id.as_bytes(), b"contact"]);
    let street = pick(STREETS, h);
    let number = 1 + (h >> 8) % 140;
    let address = if (h >> 16).is_multiple_of(9) {
        format!("{street} {number}a")
    } else {
        format!("{street} {number}")
    };
    let place = std::str::from_utf8(postal.get(..4).unwrap_or(b""))
        .ok()
        .and_then(|s| s.parse().ok())
        .map(city)
        .unwrap_or("")
        .to_string();
    let digits = (h >> 24) % 10_000_000;
    let phone = if (h >> 56).is_multiple_of(3) {
        format!("06-{:08}", (h >> 24) % 100_000_000)
    } else {
        format!("043-{digits:07}")
    };
    (address, place, phone)
}

/// Address, place and phone of the practice with this AGB code: in one of the region's
/// villages, with a landline.
pub(crate) fn practice_contact(agb_code: &str) -> (String, String, String) {
    let h = hash(&[agb_code.as_bytes(), b"practice"]);
    let street = pick(STREETS, h);
    let number = 1 + (h >> 8) % 60;
    let postal = [6211, 6221, 6226, 6301, 6321, 6271, 6291][((h >> 16) % 7) as usize];
    (
        format!("{street} {number}"),
        city(postal).to_string(),
        format!("043-{:07}", (h >> 24) % 10_000_000),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_generated_atc_has_a_product() {
        for atc in crate::tables::all_atcs() {
            let (name, dosage) = medicine("P0001-000001", atc);
            assert!(!name.is_empty() && !dosage.is_empty(), "{atc}");
        }
    }

    #[test]
    fn contact_is_stable_and_plausible() {
        let (a, c, t) = contact("P0001-000007", b"6301AB");
        assert_eq!((a.clone(), c.clone(), t.clone()), contact("P0001-000007", b"6301AB"));
        assert_eq!(c, "Valkenburg");
        assert!(a.chars().any(|ch| ch.is_ascii_digit()));
        assert!(t.starts_with("06-") || t.starts_with("043-"), "{t}");
        assert_eq!(contact("P1", b"").1, "");
    }
}
