//! Field rules of the HIS extract (extract-format.md). Each parser takes the raw field
//! (already known to be non-empty where the column is required) and returns the value to
//! store, or a Dutch message for the person who has to fix the extract.

use std::borrow::Cow;

use chrono::NaiveDate;

use crate::codes::ChainProgram;

/// The files of an extract, in the order they are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExtractFile {
    Practice,
    Patients,
    Episodes,
    Medications,
    Determinants,
    Programs,
}

impl ExtractFile {
    pub const ALL: [ExtractFile; 6] = [
        ExtractFile::Practice,
        ExtractFile::Patients,
        ExtractFile::Episodes,
        ExtractFile::Medications,
        ExtractFile::Determinants,
        ExtractFile::Programs,
    ];

    pub fn file_name(self) -> &'static str {
        match self {
            ExtractFile::Practice => "practice.csv",
            ExtractFile::Patients => "patients.csv",
            ExtractFile::Episodes => "episodes.csv",
            ExtractFile::Medications => "medications.csv",
            ExtractFile::Determinants => "determinants.csv",
            ExtractFile::Programs => "programs.csv",
        }
    }

    pub fn required(self) -> bool {
        matches!(
            self,
            ExtractFile::Practice | ExtractFile::Patients | ExtractFile::Episodes
        )
    }

    /// The columns that extracts had before the optional `address`, `city`, `phone`
    /// (practice, patients) and `name`, `dosage` (medications) were added at the end of
    /// [`ExtractFile::columns`]; extracts in that older layout stay valid
    /// (tests write it).
    pub fn core_columns(self) -> &'static [(&'static str, bool)] {
        let all = self.columns();
        match self {
            ExtractFile::Practice => &all[..3],
            ExtractFile::Patients => &all[..9],
            ExtractFile::Medications => &all[..4],
            _ => all,
        }
    }

    /// The columns this spec names: (name, required).
    pub fn columns(self) -> &'static [(&'static str, bool)] {
        match self {
            ExtractFile::Practice => &[
                ("agb_code", true),
                ("name", true),
                ("extract_date", true),
                ("address", false),
                ("city", false),
                ("phone", false),
            ],
            ExtractFile::Patients => &[
                ("patient_id", true),
                ("bsn", false),
                ("family_name", false),
                ("given_name", false),
                ("birth_date", true),
                ("sex", false),
                ("registration_start", true),
                ("registration_end", false),
                ("postal_code", false),
                ("address", false),
                ("city", false),
                ("phone", false),
            ],
            ExtractFile::Episodes => &[
                ("patient_id", true),
                ("icpc", true),
                ("start_date", true),
                ("end_date", false),
                ("title", false),
            ],
            ExtractFile::Medications => &[
                ("patient_id", true),
                ("atc", true),
                ("start_date", true),
                ("end_date", false),
                ("name", false),
                ("dosage", false),
            ],
            ExtractFile::Determinants => &[("patient_id", true), ("labcode", true), ("date", true), ("value", true)],
            ExtractFile::Programs => &[
                ("patient_id", true),
                ("program", true),
                ("start_date", true),
                ("end_date", false),
            ],
        }
    }
}

pub type FieldResult<T> = Result<T, String>;

/// `YYYY-MM-DD`, and a real calendar day.
pub fn parse_date(s: &str) -> FieldResult<NaiveDate> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return Err(format!("'{}' is geen datum in de vorm JJJJ-MM-DD", shorten(s)));
    }
    // The digits themselves, not chrono's format machinery: an import parses millions.
    let n = |from: usize, to: usize| b[from..to].iter().fold(0u32, |v, c| v * 10 + u32::from(c - b'0'));
    crate::dates::date_of(n(0, 4), n(5, 7), n(8, 10)).ok_or_else(|| format!("'{s}' is geen bestaande datum"))
}

/// AGB code: exactly 8 digits.
pub fn parse_agb_code(s: &str) -> FieldResult<String> {
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_string())
    } else {
        Err(format!("'{}' is geen AGB-code van 8 cijfers", shorten(s)))
    }
}

/// Free text on one line of `min..=max` characters (not bytes): names, ids, addresses.
/// Control characters (NUL, line breaks, escape, U+007F–U+009F …) are refused; a tab
/// is allowed, as spreadsheets and HIS exports leave them in text.
pub fn parse_text(s: &str, min: usize, max: usize) -> FieldResult<String> {
    check_text(s, min, max).map(str::to_string)
}

/// [`parse_text`] without the copy: the text itself when it is valid.
pub fn check_text(s: &str, min: usize, max: usize) -> FieldResult<&str> {
    check_controls(s, false)?;
    check_length(s, min, max)
}

/// Free text that may span lines (an episode title, a determinant value): as
/// [`parse_text`], but line breaks (LF, CR) inside the quoted field are kept.
pub fn parse_multiline_text(s: &str, min: usize, max: usize) -> FieldResult<String> {
    check_multiline_text(s, min, max).map(str::to_string)
}

/// [`parse_multiline_text`] without the copy.
pub fn check_multiline_text(s: &str, min: usize, max: usize) -> FieldResult<&str> {
    check_controls(s, true)?;
    check_length(s, min, max)
}

/// Whether every byte is printable ASCII or a tab. A field of a record made only of such
/// bytes holds no control character, is valid UTF-8 and has as many characters as bytes,
/// so its text checks come down to its length ([`check_plain_text`]). One pass over the
/// whole record (it vectorises: no early exit) settles it for all its fields; nearly every
/// record of an extract is plain.
pub fn is_plain(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .fold(true, |plain, &b| plain & ((0x20..0x7f).contains(&b) | (b == b'\t')))
}

/// [`check_text`] and [`check_multiline_text`] of a field of a plain record ([`is_plain`]):
/// only the length is left to check.
pub fn check_plain_text(s: &str, min: usize, max: usize) -> FieldResult<&str> {
    debug_assert!(is_plain(s.as_bytes()));
    // One byte per character.
    check_count(s, s.len(), min, max)
}

/// Refuses control characters other than tab (and, where allowed, line breaks), naming
/// the first one and its position (1-based, in characters).
fn check_controls(s: &str, line_breaks: bool) -> FieldResult<()> {
    // Nearly every field is printable ASCII: one pass over the bytes settles it.
    if s.bytes().all(|b| (0x20..0x7f).contains(&b) || b == b'\t') {
        return Ok(());
    }
    let bad = s
        .chars()
        .enumerate()
        .find(|(_, c)| c.is_control() && *c != '\t' && !(line_breaks && (*c == '\n' || *c == '\r')));
    match bad {
        None => Ok(()),
        Some((i, c)) => Err(format!(
            "bevat een stuurteken (U+{:04X}) op positie {}; verwijder het uit het HIS-export",
            c as u32,
            i + 1
        )),
    }
}

fn check_length(s: &str, min: usize, max: usize) -> FieldResult<&str> {
    let n = if s.is_ascii() { s.len() } else { s.chars().count() };
    check_count(s, n, min, max)
}

/// `s`, of `n` characters, between `min` and `max` characters long.
fn check_count(s: &str, n: usize, min: usize, max: usize) -> FieldResult<&str> {
    if n < min {
        return Err("mag niet leeg zijn".into());
    }
    if n > max {
        return Err(format!("is {n} tekens lang; maximaal {max}"));
    }
    Ok(s)
}

/// The longest HIS patient id, in characters.
pub const PATIENT_ID_MAX: usize = 64;

/// The HIS's own patient id: 1–[`PATIENT_ID_MAX`] characters.
pub fn parse_patient_id(s: &str) -> FieldResult<String> {
    parse_text(s, 1, PATIENT_ID_MAX)
}

/// [`parse_patient_id`] without the copy.
pub fn check_patient_id(s: &str) -> FieldResult<&str> {
    check_text(s, 1, PATIENT_ID_MAX)
}

/// The 11-proef of a BSN: nine digits d1..d9 with 9·d1 + 8·d2 + … + 2·d8 − d9 divisible by 11.
pub fn bsn_passes_elfproef(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 9 || !b.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let digits: Vec<i64> = b.iter().map(|c| i64::from(c - b'0')).collect();
    if digits.iter().all(|d| *d == 0) {
        return false;
    }
    let sum: i64 = digits[..8].iter().zip((2..=9).rev()).map(|(d, w)| d * w).sum::<i64>() - digits[8];
    sum % 11 == 0
}

pub fn parse_bsn(s: &str) -> FieldResult<String> {
    check_bsn(s).map(str::to_string)
}

/// [`parse_bsn`] without the copy.
pub fn check_bsn(s: &str) -> FieldResult<&str> {
    if s.len() != 9 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("'{}' is geen BSN van 9 cijfers", shorten(s)));
    }
    if !bsn_passes_elfproef(s) {
        return Err(format!("'{s}' voldoet niet aan de elfproef"));
    }
    Ok(s)
}

/// `M`, `V` or `X`.
pub fn parse_sex(s: &str) -> FieldResult<String> {
    check_sex(s).map(str::to_string)
}

/// [`parse_sex`] without the copy.
pub fn check_sex(s: &str) -> FieldResult<&str> {
    match s {
        "M" | "V" | "X" => Ok(s),
        _ => Err(format!("'{}' is geen geslacht: gebruik M, V of X", shorten(s))),
    }
}

/// Dutch postal code `1234AB` or `1234 AB`, stored as `1234AB`.
pub fn parse_postal_code(s: &str) -> FieldResult<String> {
    normalise_postal_code(s).map(Cow::into_owned)
}

/// [`parse_postal_code`], borrowing the text when it is already `1234AB`.
pub fn normalise_postal_code(s: &str) -> FieldResult<Cow<'_, str>> {
    let compact: Cow<str> = if s.contains(' ') {
        Cow::Owned(s.chars().filter(|c| *c != ' ').collect())
    } else {
        Cow::Borrowed(s)
    };
    let b = compact.as_bytes();
    let ok = (s.len() == 6 || (s.len() == 7 && s.as_bytes()[4] == b' '))
        && b.len() == 6
        && (b'1'..=b'9').contains(&b[0])
        && b[1..4].iter().all(u8::is_ascii_digit)
        && b[4..].iter().all(u8::is_ascii_uppercase);
    if ok {
        Ok(compact)
    } else {
        Err(format!("'{}' is geen postcode zoals 1234AB of 1234 AB", shorten(s)))
    }
}

/// ICPC-1: a letter and two digits, optionally `.` and two digits; upper-cased.
pub fn parse_icpc(s: &str) -> FieldResult<String> {
    normalise_icpc(s).map(Cow::into_owned)
}

/// [`parse_icpc`], borrowing the text when it is already upper case.
pub fn normalise_icpc(s: &str) -> FieldResult<Cow<'_, str>> {
    let up: Cow<str> = if s.bytes().any(|b| b.is_ascii_lowercase()) {
        Cow::Owned(s.to_ascii_uppercase())
    } else {
        Cow::Borrowed(s)
    };
    let b = up.as_bytes();
    let ok = (b.len() == 3 || (b.len() == 6 && b[3] == b'.' && b[4..6].iter().all(u8::is_ascii_digit)))
        && b[0].is_ascii_uppercase()
        && b[1..3].iter().all(u8::is_ascii_digit);
    if ok {
        Ok(up)
    } else {
        Err(format!(
            "'{}' is geen ICPC-code (zoals A05, A49.01 of T90.02)",
            shorten(s)
        ))
    }
}

/// ATC: `[A-Z]([0-9]{2}([A-Z]([A-Z]([0-9]{2})?)?)?)?`, 1 to 7 characters.
pub fn parse_atc(s: &str) -> FieldResult<String> {
    check_atc(s).map(str::to_string)
}

/// [`parse_atc`] without the copy.
pub fn check_atc(s: &str) -> FieldResult<&str> {
    let b = s.as_bytes();
    let shape_ok = matches!(b.len(), 1 | 3 | 4 | 5 | 7);
    let ok = shape_ok
        && b[0].is_ascii_uppercase()
        && b.get(1..3).is_none_or(|d| d.iter().all(u8::is_ascii_digit))
        && b.get(3).is_none_or(u8::is_ascii_uppercase)
        && b.get(4).is_none_or(u8::is_ascii_uppercase)
        && b.get(5..7).is_none_or(|d| d.iter().all(u8::is_ascii_digit));
    if ok {
        Ok(s)
    } else {
        Err(format!("'{}' is geen ATC-code (zoals A10AE04)", shorten(s)))
    }
}

/// NHG Tabel 45 determinant number: a positive integer.
pub fn parse_labcode(s: &str) -> FieldResult<i64> {
    match s.parse::<i64>() {
        Ok(n) if n > 0 && s.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
        _ => Err(format!(
            "'{}' is geen determinantnummer (een positief geheel getal)",
            shorten(s)
        )),
    }
}

pub fn parse_program(s: &str) -> FieldResult<ChainProgram> {
    ChainProgram::from_code(s).ok_or_else(|| {
        format!(
            "'{}' is geen ketenzorgprogramma: gebruik DM2, DM2_VRM, CVRM, COPD of ASTMA",
            shorten(s)
        )
    })
}

/// An end date that may not lie before its start date.
pub fn check_end_not_before_start(start: NaiveDate, end: NaiveDate) -> FieldResult<()> {
    if end < start {
        Err(format!("{end} ligt vóór de begindatum {start}"))
    } else {
        Ok(())
    }
}

/// How far ahead of the local clock an `extract_date` may lie and still be accepted (with
/// a warning). The spec says "not in the future", but its own worked example is dated
/// 2027-07-04; a clock that runs behind the HIS's, or an extract for the contract year
/// prepared early, should not make an import fail. Further ahead is surely a typo.
pub const EXTRACT_DATE_TOLERANCE_DAYS: i64 = 366;

/// `Ok(None)` for an extract date up to today; `Ok(Some(warning))` for one in the future
/// within the tolerance; `Err` beyond it.
pub fn check_extract_date(extract_date: NaiveDate, today: NaiveDate) -> FieldResult<Option<String>> {
    let ahead = (extract_date - today).num_days();
    if ahead <= 0 {
        Ok(None)
    } else if ahead <= EXTRACT_DATE_TOLERANCE_DAYS {
        Ok(Some(format!(
            "{extract_date} ligt {ahead} dag(en) na vandaag ({today}); controleer de klok van het HIS"
        )))
    } else {
        Err(format!("{extract_date} ligt in de toekomst (vandaag is {today})"))
    }
}

/// Cuts very long input in error messages.
/// Control characters are written as `\u{1b}`, so that a message cannot steer the
/// terminal that shows it.
pub fn shorten(s: &str) -> String {
    const MAX: usize = 40;
    let mut out = String::new();
    for c in s.chars().take(MAX) {
        if c.is_control() {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    if s.chars().count() > MAX {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_field_passes_the_text_checks_on_its_length_alone() {
        for s in [
            "",
            "a",
            "Jansen-de Vries",
            "tab\there",
            "~!@#$%^&*()_+{}|:<>?",
            "1 dd 1 tablet",
        ] {
            assert!(is_plain(s.as_bytes()), "{s:?}");
            for (min, max) in [(0, 0), (1, 5), (1, 200)] {
                assert_eq!(check_plain_text(s, min, max), check_text(s, min, max), "{s:?}");
                assert_eq!(
                    check_plain_text(s, min, max),
                    check_multiline_text(s, min, max),
                    "{s:?}"
                );
            }
        }
        for s in ["é", "a\nb", "a\rb", "\u{7f}", "\u{0}", "\u{85}", "x\u{1b}y"] {
            assert!(!is_plain(s.as_bytes()), "{s:?}");
        }
        // The bytes of every length up to a vector's width and beyond, each place tried.
        for len in [1, 15, 16, 17, 31, 32, 33, 64, 65] {
            for at in 0..len {
                let mut b = vec![b'x'; len];
                assert!(is_plain(&b));
                b[at] = 0x1f;
                assert!(!is_plain(&b), "{len} {at}");
                b[at] = 0x80;
                assert!(!is_plain(&b), "{len} {at}");
            }
        }
    }

    #[test]
    fn dates_must_be_strict_iso() {
        assert!(parse_date("2027-02-28").is_ok());
        assert!(parse_date("2028-02-29").is_ok());
        assert!(parse_date("2027-02-29").is_err());
        assert!(parse_date("2027-2-28").is_err());
        assert!(parse_date("28-02-2027").is_err());
        assert!(parse_date("2027/02/28").is_err());
        assert_eq!(
            parse_date("0000-01-01").unwrap(),
            NaiveDate::from_ymd_opt(0, 1, 1).unwrap()
        );
        assert_eq!(
            parse_date("9999-12-31").unwrap(),
            NaiveDate::from_ymd_opt(9999, 12, 31).unwrap()
        );
        for bad in [
            "2027-13-01",
            "2027-00-10",
            "2027-04-31",
            "2027-04-00",
            "2027-0a-01",
            "２０２７-01-01",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn text_fast_paths_agree_with_the_rules() {
        assert!(parse_text("Jansen\tvan", 1, 20).is_ok());
        assert!(parse_text("a\u{7f}", 1, 20).is_err());
        assert!(parse_text("a\u{85}", 1, 20).is_err());
        assert!(parse_text("a\nb", 1, 20).is_err());
        assert!(parse_multiline_text("a\nb", 1, 20).is_ok());
        // Characters, not bytes: five two-byte letters fit in five.
        assert!(parse_text("ééééé", 1, 5).is_ok());
        assert_eq!(parse_text("abcdef", 1, 5).unwrap_err(), "is 6 tekens lang; maximaal 5");
    }

    #[test]
    fn elfproef() {
        assert!(bsn_passes_elfproef("271134860"));
        assert!(bsn_passes_elfproef("960896107"));
        assert!(bsn_passes_elfproef("111222333"));
        assert!(!bsn_passes_elfproef("123456789"));
        assert!(!bsn_passes_elfproef("000000000"));
        assert!(!bsn_passes_elfproef("27113486"));
        assert!(parse_bsn("12345678a").is_err());
    }

    #[test]
    fn icpc_is_upper_cased() {
        assert_eq!(parse_icpc("a05.01").unwrap(), "A05.01");
        assert_eq!(parse_icpc("T90").unwrap(), "T90");
        for bad in ["A5", "A05.1", "A05.", "105", "A05.001", "AA5"] {
            assert!(parse_icpc(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn atc_follows_the_pattern() {
        for good in ["A", "A10", "A10A", "A10AE", "A10AE04", "C07AB02"] {
            assert!(parse_atc(good).is_ok(), "{good}");
        }
        for bad in ["", "A1", "A10A0", "A10AE0", "A10AE045", "a10ae04", "110AE04", "A10aE04"] {
            assert!(parse_atc(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn postal_codes() {
        assert_eq!(parse_postal_code("6211AB").unwrap(), "6211AB");
        assert_eq!(parse_postal_code("6221 CD").unwrap(), "6221CD");
        for bad in ["0211AB", "6211ab", "6211  AB", "62 11AB", "6211A", "6211ABC"] {
            assert!(parse_postal_code(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn extract_dates_in_the_future() {
        let today: NaiveDate = "2026-11-26".parse().unwrap();
        assert_eq!(check_extract_date(today, today), Ok(None));
        assert!(check_extract_date("2027-07-04".parse().unwrap(), today)
            .unwrap()
            .is_some());
        assert!(check_extract_date("2027-11-28".parse().unwrap(), today).is_err());
    }

    #[test]
    fn other_fields() {
        assert!(parse_agb_code("09000001").is_ok());
        assert!(parse_agb_code("9000001").is_err());
        assert!(parse_labcode("2803").is_ok());
        assert!(parse_labcode("0").is_err());
        assert!(parse_labcode("-3").is_err());
        assert!(parse_labcode("+3").is_err());
        assert!(parse_sex("V").is_ok() && parse_sex("F").is_err());
        assert!(parse_program("DM2_VRM").is_ok() && parse_program("dm2").is_err());
        assert!(parse_text(&"é".repeat(200), 1, 200).is_ok());
        assert!(parse_text(&"é".repeat(201), 1, 200).is_err());
        assert!(parse_patient_id("").is_err());
    }

    #[test]
    fn core_columns_are_the_older_layout() {
        let names = |f: ExtractFile| f.core_columns().iter().map(|c| c.0).collect::<Vec<_>>();
        assert_eq!(names(ExtractFile::Patients).last(), Some(&"postal_code"));
        assert_eq!(
            names(ExtractFile::Medications),
            ["patient_id", "atc", "start_date", "end_date"]
        );
        assert_eq!(ExtractFile::Patients.columns().len(), 12);
        assert_eq!(ExtractFile::Episodes.core_columns(), ExtractFile::Episodes.columns());
    }

    #[test]
    fn text_refuses_control_characters_but_keeps_tabs() {
        assert!(parse_text("Anna\tMaria", 1, 200).is_ok());
        for bad in ["An\0na", "Anna\n", "Anna\r", "\u{1b}[31m", "x\u{7f}", "x\u{85}"] {
            let e = parse_text(bad, 0, 200).unwrap_err();
            assert!(e.contains("stuurteken"), "{bad:?}: {e}");
        }
        assert_eq!(
            parse_text("ab\0", 0, 10).unwrap_err(),
            "bevat een stuurteken (U+0000) op positie 3; verwijder het uit het HIS-export"
        );
        assert!(parse_multiline_text("regel 1\r\nregel 2", 0, 100).is_ok());
        assert!(parse_multiline_text("a\0b", 0, 100).is_err());
        assert!(parse_patient_id("P\0x").is_err());
        assert_eq!(shorten("a\u{1b}[2J"), "a\\u{1b}[2J");
    }
}
