//! Kernteam's domain rules, in plain Rust with no I/O.
//!
//! Everything that decides *what a figure means* lives here: ages and registration on a
//! reference date ([`dates`]), report periods and snapshot choice ([`period`]), the code
//! sets of the program ([`codes`]), the field rules of the HIS extract ([`extract`]) and
//! the report figures ([`figures`]). Storage, import, web and CLI are built around it.

pub mod access;
pub mod accounts;
pub mod capacity;
pub mod care;
pub mod care_evaluation;
pub mod codes;
pub mod collaboration;
pub mod consultations;
pub mod contract;
pub mod dates;
pub mod decisions;
pub mod declarations;
pub mod events;
pub mod extract;
pub mod figures;
pub mod first_contact;
pub mod formation;
pub mod frailty;
pub mod mdo;
pub mod medication_reviews;
pub mod pdca;
pub mod period;
pub mod portal;
pub mod pzp;
pub mod screening;
pub mod suppression;
pub mod text;
pub mod visits;
pub mod worklist;

pub use chrono::NaiveDate as Date;
