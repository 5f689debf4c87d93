//! The lines of an extract as the import's reader hands them over: borrowed from the CSV
//! record it has just checked, so that no line is copied into owned strings on its way
//! into the snapshot ([`super::SnapshotBuilder`]). A line names its patient by the number
//! [`super::SnapshotBuilder::patient`] gave them.

use chrono::NaiveDate;
use kernteam_domain::codes::ChainProgram;

/// A line of patients.csv.
#[derive(Debug, Clone, Copy)]
pub struct Patient<'a> {
    pub his_id: &'a str,
    pub bsn: Option<&'a str>,
    pub family_name: Option<&'a str>,
    pub given_name: Option<&'a str>,
    pub birth_date: NaiveDate,
    pub sex: Option<&'a str>,
    pub registration_start: NaiveDate,
    pub registration_end: Option<NaiveDate>,
    pub postal_code: Option<&'a str>,
    pub address: Option<&'a str>,
    pub city: Option<&'a str>,
    pub phone: Option<&'a str>,
}

/// A line of episodes.csv (the ICPC code upper-cased).
#[derive(Debug, Clone, Copy)]
pub struct Episode<'a> {
    pub icpc: &'a str,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub title: Option<&'a str>,
}

/// A line of medications.csv.
#[derive(Debug, Clone, Copy)]
pub struct Medication<'a> {
    pub atc: &'a str,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub name: Option<&'a str>,
    pub dosage: Option<&'a str>,
}

/// A line of determinants.csv.
#[derive(Debug, Clone, Copy)]
pub struct Determinant<'a> {
    pub labcode: i64,
    pub date: NaiveDate,
    pub value: &'a str,
}

/// A line of programs.csv.
#[derive(Debug, Clone, Copy)]
pub struct Program {
    pub program: ChainProgram,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
}
