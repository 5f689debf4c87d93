//! What the import's test files share: the spec's worked example and the options.
// Each test file is its own crate and uses only some of these.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use kernteam_import::ImportOptions;

/// The worked example of `docs/spec/example/`.
pub fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/spec/example/extract-09000001-2027-07-04")
}

/// The day the tests import on.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 8, 1).unwrap()
}

/// Import options for tests: that day, no progress bar.
pub fn opts() -> ImportOptions {
    ImportOptions {
        today: today(),
        progress: false,
    }
}
