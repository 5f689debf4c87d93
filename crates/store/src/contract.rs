//! The settings the region keeps (region.md, *Settings*): contract options per practice
//! and year with the transition year, the region's yardsticks, and the funding categories
//! per year. Every change is a row with who made it and when; the value in force is the
//! latest row.

use std::collections::BTreeMap;

use kernteam_domain::contract::{
    parse_funding_categories, CapacityBand, ContractOption, FundingCategory, RegionSettings,
};

use crate::change::Change;
use crate::convert::timestamp;
use crate::{now_timestamp, Db, StoreError, StoreResult};

/// Who made a change of a setting: an account, or the operator on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetBy {
    pub user_id: Option<i64>,
    pub name: String,
}

/// One contract setting as made.
#[derive(Debug, Clone, PartialEq)]
pub struct ContractSetting {
    pub practice_id: i64,
    pub year: i32,
    pub option: ContractOption,
    pub transition_year: Option<i32>,
    pub set_by_name: String,
    pub set_at: String,
}

#[derive(sqlx::FromRow)]
struct ContractRow {
    practice_id: i64,
    year: i64,
    contract_option: i64,
    transition_year: Option<i64>,
    set_by_name: String,
    set_at: String,
}

fn year(column: &str, y: i64) -> StoreResult<i32> {
    i32::try_from(y).map_err(|_| StoreError::Corrupt(format!("{column}: jaar '{y}'")))
}

impl TryFrom<ContractRow> for ContractSetting {
    type Error = StoreError;
    fn try_from(r: ContractRow) -> StoreResult<ContractSetting> {
        Ok(ContractSetting {
            practice_id: r.practice_id,
            year: year("contract_options.year", r.year)?,
            option: ContractOption::from_number(r.contract_option).ok_or_else(|| {
                StoreError::Corrupt(format!("contract_options.contract_option: '{}'", r.contract_option))
            })?,
            transition_year: r
                .transition_year
                .map(|y| year("contract_options.transition_year", y))
                .transpose()?,
            set_by_name: r.set_by_name,
            set_at: timestamp("contract_options.set_at", r.set_at)?,
        })
    }
}

/// Every practice's contract settings in force: the option per year and the transition year.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Contracts {
    /// The history, oldest first.
    pub history: Vec<ContractSetting>,
}

impl Contracts {
    /// The option for a practice in a year (option 2 when never set).
    pub fn option(&self, practice_id: i64, year: i32) -> ContractOption {
        self.history
            .iter()
            .rev()
            .find(|c| c.practice_id == practice_id && c.year == year)
            .map_or(ContractOption::DEFAULT, |c| c.option)
    }

    /// The practice's transition year: as last set explicitly, else the first year whose
    /// option in force is 1.
    pub fn transition_year(&self, practice_id: i64) -> Option<i32> {
        let mine = || self.history.iter().filter(|c| c.practice_id == practice_id);
        if let Some(y) = mine().rev().find_map(|c| c.transition_year) {
            return Some(y);
        }
        let mut years: Vec<i32> = mine().map(|c| c.year).collect();
        years.sort_unstable();
        years.dedup();
        years
            .into_iter()
            .find(|&y| self.option(practice_id, y) == ContractOption::PerIncluded)
    }

    /// One practice's settings, newest first.
    pub fn of(&self, practice_id: i64) -> Vec<&ContractSetting> {
        self.history
            .iter()
            .rev()
            .filter(|c| c.practice_id == practice_id)
            .collect()
    }
}

/// One change of the region's yardsticks (a `None` left the value as it was).
#[derive(Debug, Clone, PartialEq)]
pub struct RegionSettingsChange {
    pub hours_per_included: Option<f64>,
    pub working_weeks: Option<f64>,
    pub capacity_band: Option<CapacityBand>,
    pub set_by_name: String,
    pub set_at: String,
}

#[derive(sqlx::FromRow)]
struct RegionRow {
    hours_per_included: Option<f64>,
    working_weeks: Option<f64>,
    capacity_lower: Option<f64>,
    capacity_upper: Option<f64>,
    set_by_name: String,
    set_at: String,
}

#[derive(sqlx::FromRow)]
struct FundingRow {
    year: i64,
    categories: String,
}

impl Db {
    pub async fn contracts(&self) -> StoreResult<Contracts> {
        let rows = sqlx::query_as::<_, ContractRow>(
            "SELECT practice_id, year, contract_option, transition_year, set_by_name, set_at \
             FROM contract_options ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(Contracts {
            history: crate::convert::all(rows)?,
        })
    }

    /// The changes of the region's yardsticks, newest first.
    pub async fn region_settings_history(&self) -> StoreResult<Vec<RegionSettingsChange>> {
        let rows = sqlx::query_as::<_, RegionRow>(
            "SELECT hours_per_included, working_weeks, capacity_lower, capacity_upper, set_by_name, set_at \
             FROM region_settings ORDER BY id DESC",
        )
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| {
                let band = match (r.capacity_lower, r.capacity_upper) {
                    (Some(lower), Some(upper)) => Some(CapacityBand { lower, upper }),
                    (None, None) => None,
                    _ => {
                        return Err(StoreError::Corrupt(
                            "region_settings.capacity_lower/upper: half a band".into(),
                        ))
                    }
                };
                Ok(RegionSettingsChange {
                    hours_per_included: r.hours_per_included,
                    working_weeks: r.working_weeks,
                    capacity_band: band,
                    set_by_name: r.set_by_name,
                    set_at: timestamp("region_settings.set_at", r.set_at)?,
                })
            })
            .collect()
    }

    /// The region's settings in force: of each value the latest set, else its default.
    pub async fn region_settings(&self) -> StoreResult<RegionSettings> {
        let mut s = RegionSettings::default();
        let history = self.region_settings_history().await?;
        if let Some(h) = history.iter().find_map(|c| c.hours_per_included) {
            s.hours_per_included = h;
        }
        if let Some(w) = history.iter().find_map(|c| c.working_weeks) {
            s.working_weeks = w;
        }
        if let Some(b) = history.iter().find_map(|c| c.capacity_band) {
            s.capacity_band = b;
        }
        let rows = sqlx::query_as::<_, FundingRow>("SELECT year, categories FROM funding_categories ORDER BY id")
            .fetch_all(self.pool())
            .await?;
        let mut funding: BTreeMap<i32, Vec<FundingCategory>> = BTreeMap::new();
        for r in rows {
            let y = year("funding_categories.year", r.year)?;
            let (_, cats) = parse_funding_categories(&format!("{y}:{}", r.categories))
                .map_err(|e| StoreError::Corrupt(format!("funding_categories.categories: {e}")))?;
            funding.insert(y, cats);
        }
        s.funding_categories = funding;
        Ok(s)
    }
}

/// The stored form of a year's categories (`NAME=PCT,…`).
fn encode_categories(cats: &[FundingCategory]) -> String {
    cats.iter()
        .map(|c| format!("{}={}", c.name, c.lower_bound))
        .collect::<Vec<_>>()
        .join(",")
}

impl Change {
    pub async fn set_contract(
        &mut self,
        practice_id: i64,
        year: i32,
        option: ContractOption,
        transition_year: Option<i32>,
        by: &SetBy,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO contract_options (practice_id, year, contract_option, transition_year, set_by, set_by_name, set_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(practice_id)
        .bind(i64::from(year))
        .bind(i64::from(option.number()))
        .bind(transition_year.map(i64::from))
        .bind(by.user_id)
        .bind(by.name.clone())
        .bind(now_timestamp())
        .execute(self.conn())
        .await?;
        Ok(())
    }

    pub async fn set_region_settings(
        &mut self,
        hours_per_included: Option<f64>,
        working_weeks: Option<f64>,
        band: Option<CapacityBand>,
        by: &SetBy,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO region_settings (hours_per_included, working_weeks, capacity_lower, capacity_upper, set_by, set_by_name, set_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        // Not kept as a prepared statement: on PostgreSQL a statement first prepared with
        // absent (NULL) numbers refused the same numbers present later on that connection
        // ("incorrect binary data format in bind parameter 3").
        .persistent(false)
        .bind(hours_per_included)
        .bind(working_weeks)
        .bind(band.map(|b| b.lower))
        .bind(band.map(|b| b.upper))
        .bind(by.user_id)
        .bind(by.name.clone())
        .bind(now_timestamp())
        .execute(self.conn())
        .await?;
        Ok(())
    }

    pub async fn set_funding_categories(&mut self, year: i32, cats: &[FundingCategory], by: &SetBy) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO funding_categories (year, categories, set_by, set_by_name, set_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(i64::from(year))
        .bind(encode_categories(cats))
        .bind(by.user_id)
        .bind(by.name.clone())
        .bind(now_timestamp())
        .execute(self.conn())
        .await?;
        Ok(())
    }
}
