//! Which tables belong to one practice (tenant tables) and which the whole region shares
//! (reference tables), read from a migrated database's schema: the classification behind
//! the plan to distribute every tenant table by the practice (docs/scale.md, "The plan
//! beyond one machine"). The schema test (`crates/store/tests/tenancy_schema.rs`) asserts
//! that every table is in one class; the query test (`crates/web/tests/tenancy_queries.rs`)
//! asserts that the statements of the patient pages pin one practice.
//!
//! A *reference table* is listed in [`REFERENCE_TABLES`] with the reason. A *tenant table*
//! is `practices` itself, a table with a `practice_id` column of its own, or one that
//! reaches a tenant table through a foreign key (or through a parent named in
//! [`UNDECLARED_PARENTS`], for the snapshot rows that have no foreign key by design).
//! Foreign keys through reference tables do not count: `sessions` reaches `practices`
//! through `users.practice_id`, but a session belongs to a user of the region.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use sqlx::Row;

use crate::{Backend, Db, StoreResult};

/// The tables the whole region shares, each with the reason. On Citus they are reference
/// tables (replicated to every node) or stay on the coordinator. A new table that belongs
/// to no practice goes here, with its reason; a table that belongs to one practice gets a
/// `practice_id` column or a foreign key to a tenant table instead.
pub const REFERENCE_TABLES: &[(&str, &str)] = &[
    (
        "_sqlx_migrations",
        "the migrations applied (sqlx's bookkeeping), one list for the database",
    ),
    (
        "organisations",
        "the network's organisations and partners, shared by every practice of the region",
    ),
    (
        "users",
        "accounts of the region: network and region users see several practices or none; \
         practice_id is a practice user's home practice, not a tenant key",
    ),
    (
        "sessions",
        "signed-in sessions, keyed by the token's hash, per user (docs/scale.md, Sessions)",
    ),
    ("recovery_codes", "a user's two-factor recovery codes"),
    (
        "email_codes",
        "a user's sign-in codes sent by e-mail (short-lived, single use)",
    ),
    (
        "sign_in_failures",
        "failed sign-ins per account name and address, before anyone (or any practice) is known",
    ),
    (
        "fhir_tokens",
        "bearer tokens of the FHIR API, issued to an account (a partner's system)",
    ),
    (
        "audit_head",
        "the head of the one audit chain (a single row); the plan makes it one head per \
         practice plus one of the region (docs/scale.md, The audit chain per shard)",
    ),
    ("region_settings", "the region's yardsticks"),
    ("funding_categories", "the region's funding categories per year"),
    (
        "contract_options",
        "the contract option per practice and year: small, read by the region's reports for \
         every practice (docs/scale.md, Reference tables for the region)",
    ),
];

/// Parents that a tenant table names by a column without a foreign key, each with the
/// reason: (table, column, parent table, reason). The parent must be a tenant table.
pub const UNDECLARED_PARENTS: &[(&str, &str, &str, &str)] = &[
    (
        "snapshot_patients",
        "snapshot_id",
        "snapshots",
        "snapshot rows have no foreign key since migration 0020 (the key's check was most of \
         an import's cost); written and deleted only with their snapshot; empty once legacy \
         snapshots are moved into snapshot_records",
    ),
    (
        "snapshot_episodes",
        "snapshot_id",
        "snapshots",
        "as snapshot_patients (migration 0020)",
    ),
    (
        "snapshot_medications",
        "snapshot_id",
        "snapshots",
        "as snapshot_patients (migration 0020)",
    ),
    (
        "snapshot_determinants",
        "snapshot_id",
        "snapshots",
        "as snapshot_patients (migration 0020)",
    ),
    (
        "snapshot_programs",
        "snapshot_id",
        "snapshots",
        "as snapshot_patients (migration 0020)",
    ),
];

/// The column Citus distributes every tenant table by.
pub const DISTRIBUTION_COLUMN: &str = "practice_id";

/// The tables whose own key names one practice, a patient of one practice or a snapshot of
/// one practice, with the columns that hold that key in other tables: a statement that
/// filters a tenant table by one of these pins one practice (the store knows the practice
/// of a patient and of a snapshot: the access gate looks it up, and both carry a NOT NULL
/// `practice_id`). (key table, its key column, the column naming it elsewhere.)
pub const PINNING_KEYS: &[(&str, &str, &str)] = &[
    ("practices", "id", "practice_id"),
    ("patients", "id", "patient_id"),
    ("snapshots", "id", "snapshot_id"),
];

/// A foreign key (or an undeclared parent): `column` of the table names a row of `parent`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignKey {
    pub column: String,
    pub parent: String,
    /// Declared in the schema (false: one of [`UNDECLARED_PARENTS`]).
    pub declared: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Column names, with whether the column is NOT NULL.
    pub columns: BTreeMap<String, bool>,
    pub foreign_keys: Vec<ForeignKey>,
}

impl Table {
    pub fn has_column(&self, column: &str) -> bool {
        self.columns.contains_key(column)
    }

    pub fn not_null(&self, column: &str) -> bool {
        self.columns.get(column).copied().unwrap_or(false)
    }
}

/// The tables of a migrated database, by name.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    pub tables: BTreeMap<String, Table>,
}

/// One step of a tenant table's path to the practice: `table.column` names a row of `parent`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub table: String,
    pub column: String,
    pub parent: String,
    pub declared: bool,
    pub not_null: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Class {
    /// A region-wide table, with the reason from [`REFERENCE_TABLES`].
    Reference(&'static str),
    /// A tenant table. `path` is empty when the table carries the practice itself
    /// (`practices`, or a `practice_id` column); otherwise the shortest chain of parents to
    /// a table that does.
    Tenant { path: Vec<Step> },
    /// Neither: the schema test fails on it.
    Unclassified,
}

/// Every table's class, and what the schema test reports.
#[derive(Debug, Clone, Default)]
pub struct Tenancy {
    pub schema: Schema,
    pub classes: BTreeMap<String, Class>,
}

/// Reads the tables, their columns and their foreign keys (SQLite: `sqlite_master` and
/// `PRAGMA table_info` / `foreign_key_list`; PostgreSQL: `information_schema.columns` and
/// `pg_constraint`, in the current schema).
pub async fn read_schema(db: &Db) -> StoreResult<Schema> {
    let pool = db.pool();
    let mut schema = Schema::default();
    match db.backend() {
        Backend::Sqlite => {
            let names: Vec<String> = sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
            )
            .fetch_all(pool)
            .await?;
            for name in names {
                let mut table = Table::default();
                for row in sqlx::query("SELECT name, \"notnull\", pk FROM pragma_table_info($1)")
                    .bind(&name)
                    .fetch_all(pool)
                    .await?
                {
                    let column: String = row.try_get(0)?;
                    let not_null: i64 = row.try_get(1)?;
                    // An INTEGER PRIMARY KEY (the rowid) is never NULL.
                    let pk: i64 = row.try_get(2)?;
                    table.columns.insert(column, not_null != 0 || pk != 0);
                }
                for row in sqlx::query("SELECT \"from\", \"table\" FROM pragma_foreign_key_list($1)")
                    .bind(&name)
                    .fetch_all(pool)
                    .await?
                {
                    table.foreign_keys.push(ForeignKey {
                        column: row.try_get(0)?,
                        parent: row.try_get(1)?,
                        declared: true,
                    });
                }
                schema.tables.insert(name, table);
            }
        }
        Backend::Postgres => {
            let names: Vec<String> = sqlx::query_scalar(
                "SELECT CAST(table_name AS TEXT) FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
            )
            .fetch_all(pool)
            .await?;
            for name in names {
                schema.tables.insert(name, Table::default());
            }
            for row in sqlx::query(
                "SELECT CAST(table_name AS TEXT), CAST(column_name AS TEXT), CAST(is_nullable AS TEXT) \
                 FROM information_schema.columns WHERE table_schema = current_schema()",
            )
            .fetch_all(pool)
            .await?
            {
                let (table, column, nullable): (String, String, String) =
                    (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
                if let Some(t) = schema.tables.get_mut(&table) {
                    t.columns.insert(column, nullable == "NO");
                }
            }
            for row in sqlx::query(
                "SELECT CAST(child.relname AS TEXT), CAST(a.attname AS TEXT), CAST(parent.relname AS TEXT) \
                 FROM pg_constraint c \
                 JOIN pg_class child ON child.oid = c.conrelid \
                 JOIN pg_namespace n ON n.oid = child.relnamespace \
                 JOIN pg_class parent ON parent.oid = c.confrelid \
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) \
                 WHERE c.contype = 'f' AND n.nspname = current_schema() \
                 ORDER BY 1, 2",
            )
            .fetch_all(pool)
            .await?
            {
                let (table, column, parent): (String, String, String) =
                    (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
                if let Some(t) = schema.tables.get_mut(&table) {
                    t.foreign_keys.push(ForeignKey {
                        column,
                        parent,
                        declared: true,
                    });
                }
            }
        }
    }
    Ok(schema)
}

/// Reads the schema and classifies every table.
pub async fn tenancy(db: &Db) -> StoreResult<Tenancy> {
    Ok(classify(read_schema(db).await?))
}

pub fn reference_reason(table: &str) -> Option<&'static str> {
    REFERENCE_TABLES.iter().find(|(t, _)| *t == table).map(|(_, r)| *r)
}

/// Classifies the tables: reference by [`REFERENCE_TABLES`]; tenant when the table carries
/// the practice or reaches a tenant table through a parent (not through a reference
/// table); the rest unclassified. The [`UNDECLARED_PARENTS`] whose table and column exist
/// are added to the schema's foreign keys, marked undeclared.
pub fn classify(mut schema: Schema) -> Tenancy {
    for (table, column, parent, _) in UNDECLARED_PARENTS {
        if let Some(t) = schema.tables.get_mut(*table) {
            if t.has_column(column) && !t.foreign_keys.iter().any(|f| f.column == *column) {
                t.foreign_keys.push(ForeignKey {
                    column: column.to_string(),
                    parent: parent.to_string(),
                    declared: false,
                });
            }
        }
    }
    let mut classes = BTreeMap::new();
    // Breadth first from the tables that carry the practice, along foreign keys backwards:
    // every table gets its shortest path.
    let mut queue = VecDeque::new();
    for (name, table) in &schema.tables {
        if let Some(reason) = reference_reason(name) {
            classes.insert(name.clone(), Class::Reference(reason));
        } else if name == "practices" || table.has_column(DISTRIBUTION_COLUMN) {
            classes.insert(name.clone(), Class::Tenant { path: Vec::new() });
            queue.push_back(name.clone());
        }
    }
    while let Some(parent) = queue.pop_front() {
        let parent_path = match &classes[&parent] {
            Class::Tenant { path } => path.clone(),
            _ => unreachable!("only tenant tables are queued"),
        };
        for (name, table) in &schema.tables {
            if classes.contains_key(name) {
                continue;
            }
            if let Some(fk) = table.foreign_keys.iter().find(|f| f.parent == parent) {
                let mut path = vec![Step {
                    table: name.clone(),
                    column: fk.column.clone(),
                    parent: parent.clone(),
                    declared: fk.declared,
                    not_null: table.not_null(&fk.column),
                }];
                path.extend(parent_path.iter().cloned());
                classes.insert(name.clone(), Class::Tenant { path });
                queue.push_back(name.clone());
            }
        }
    }
    for name in schema.tables.keys() {
        classes.entry(name.clone()).or_insert(Class::Unclassified);
    }
    Tenancy { schema, classes }
}

impl Tenancy {
    pub fn class(&self, table: &str) -> Option<&Class> {
        self.classes.get(table)
    }

    pub fn is_tenant(&self, table: &str) -> bool {
        matches!(self.classes.get(table), Some(Class::Tenant { .. }))
    }

    pub fn is_reference(&self, table: &str) -> bool {
        matches!(self.classes.get(table), Some(Class::Reference(_)))
    }

    /// The tables that are in neither class, with what to do about each.
    pub fn unclassified(&self) -> Vec<String> {
        self.classes
            .iter()
            .filter(|(_, c)| **c == Class::Unclassified)
            .map(|(t, _)| {
                let table = &self.schema.tables[t];
                let through_reference: Vec<String> = table
                    .foreign_keys
                    .iter()
                    .filter(|f| self.is_reference(&f.parent))
                    .map(|f| format!("{t}.{} → {} (a reference table)", f.column, f.parent))
                    .collect();
                format!(
                    "table `{t}` is neither a reference table nor a tenant table: if the whole region \
                     shares it, add it to REFERENCE_TABLES in crates/store/src/testing/tenancy.rs with \
                     the reason; if it belongs to one practice, give it a `practice_id` column or a \
                     foreign key to a tenant table (patients, snapshots, …){}",
                    if through_reference.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "; its foreign keys reach only reference tables: {}",
                            through_reference.join(", ")
                        )
                    }
                )
            })
            .collect()
    }

    /// Entries of [`REFERENCE_TABLES`] and [`UNDECLARED_PARENTS`] that no longer match the
    /// schema: a table that does not exist, a parent column that is missing or is a
    /// declared foreign key by now, a parent that is no tenant table.
    pub fn stale_entries(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut seen = BTreeSet::new();
        for (table, _) in REFERENCE_TABLES {
            if !seen.insert(*table) {
                out.push(format!("REFERENCE_TABLES lists `{table}` twice"));
            }
            if !self.schema.tables.contains_key(*table) {
                out.push(format!(
                    "REFERENCE_TABLES lists `{table}`, which no longer exists: remove the entry"
                ));
            }
        }
        for (table, column, parent, _) in UNDECLARED_PARENTS {
            let Some(t) = self.schema.tables.get(*table) else {
                out.push(format!(
                    "UNDECLARED_PARENTS lists `{table}`, which no longer exists: remove the entry"
                ));
                continue;
            };
            if !t.has_column(column) {
                out.push(format!(
                    "UNDECLARED_PARENTS lists `{table}.{column}`, which no longer exists: remove the entry"
                ));
            } else if t.foreign_keys.iter().any(|f| f.column == *column && f.declared) {
                out.push(format!(
                    "UNDECLARED_PARENTS lists `{table}.{column}`, which is a declared foreign key now: remove the entry"
                ));
            }
            if !self.is_tenant(parent) {
                out.push(format!(
                    "UNDECLARED_PARENTS names `{parent}` as the parent of `{table}`, which is no tenant table"
                ));
            }
            if self.is_reference(table) {
                out.push(format!(
                    "`{table}` is in REFERENCE_TABLES and in UNDECLARED_PARENTS: it is one or the other"
                ));
            }
        }
        out
    }

    /// The tenant tables without a `practice_id` column of their own, with their path to
    /// one that has it: on Citus each gets the column (and it joins their keys).
    pub fn tenant_tables_through_a_parent(&self) -> Vec<(String, Vec<Step>)> {
        self.classes
            .iter()
            .filter_map(|(t, c)| match c {
                Class::Tenant { path } if !path.is_empty() => Some((t.clone(), path.clone())),
                _ => None,
            })
            .collect()
    }

    /// Reference tables with a foreign key to a tenant table, which Citus does not allow
    /// (a reference table's rows are on every node, a distributed table's on one): the key
    /// is dropped or the column moves to a distributed table when the tables are distributed.
    pub fn reference_tables_referring_to_tenants(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (t, c) in &self.classes {
            if let Class::Reference(_) = c {
                for f in &self.schema.tables[t].foreign_keys {
                    if self.is_tenant(&f.parent) {
                        out.push(format!("{t}.{} → {}", f.column, f.parent));
                    }
                }
            }
        }
        out
    }

    /// The report for docs/scale.md: every table's class and path.
    pub fn report(&self) -> String {
        let mut out = String::new();
        for (t, c) in &self.classes {
            let line = match c {
                Class::Reference(_) => format!("reference  {t}"),
                Class::Tenant { path } if path.is_empty() => {
                    let own = if t == "practices" {
                        "practices.id".to_string()
                    } else {
                        let table = &self.schema.tables[t];
                        let mut s = format!("{t}.{DISTRIBUTION_COLUMN}");
                        if !table.not_null(DISTRIBUTION_COLUMN) {
                            s.push_str(" (nullable)");
                        }
                        if !table
                            .foreign_keys
                            .iter()
                            .any(|f| f.column == DISTRIBUTION_COLUMN && f.parent == "practices")
                        {
                            s.push_str(" (no foreign key)");
                        }
                        s
                    };
                    format!("tenant     {t}: own {own}")
                }
                Class::Tenant { path } => format!("tenant     {t}: through {}", describe_path(path)),
                Class::Unclassified => format!("NEITHER    {t}"),
            };
            out.push_str(&line);
            out.push('\n');
        }
        out
    }
}

/// `a.x → b, b.y → c` with the undeclared and nullable steps marked.
pub fn describe_path(path: &[Step]) -> String {
    path.iter()
        .map(|s| {
            let mut text = format!("{}.{} → {}", s.table, s.column, s.parent);
            if !s.declared {
                text.push_str(" (no foreign key)");
            }
            if !s.not_null {
                text.push_str(" (nullable)");
            }
            text
        })
        .collect::<Vec<_>>()
        .join(", ")
}
