//! Every table of the migrated schema is either a reference table of the region (listed,
//! with the reason, in `kernteam_store::testing::tenancy::REFERENCE_TABLES`) or a tenant
//! table that carries `practice_id` or reaches `practices` through foreign keys; on SQLite
//! and PostgreSQL, with the same classification on both. The plan to distribute the tenant
//! tables by the practice (docs/scale.md, "The plan beyond one machine") depends on it.
//!
//! The report (every table's class, and the tenant tables that reach the practice only
//! through a parent, which need a `practice_id` column of their own on Citus) is printed:
//! `cargo test -p kernteam-store --test tenancy_schema -- --nocapture`.

use kernteam_store::testing::tenancy::{Class, Tenancy};
use kernteam_store::testing::{self, tenancy};

#[tokio::test]
async fn every_table_is_a_reference_table_or_reaches_the_practice() {
    let mut seen: Vec<(String, Tenancy)> = Vec::new();
    for t in testing::all().await {
        let backend = t.backend().name();
        let tenancy = tenancy::tenancy(&t.db).await.unwrap();
        println!("== {backend}: every table\n{}", tenancy.report());
        println!("== {backend}: tenant tables without a practice_id column of their own");
        for (table, path) in tenancy.tenant_tables_through_a_parent() {
            println!("{table}: {}", tenancy::describe_path(&path));
        }
        println!("== {backend}: reference tables with a foreign key to a tenant table (not allowed on Citus)");
        for fk in tenancy.reference_tables_referring_to_tenants() {
            println!("{fk}");
        }

        let mut problems = tenancy.unclassified();
        problems.extend(tenancy.stale_entries());
        assert!(problems.is_empty(), "{backend}:\n{}", problems.join("\n"));
        // `practices` is the root every tenant table reaches.
        assert_eq!(tenancy.class("practices"), Some(&Class::Tenant { path: Vec::new() }));
        seen.push((backend.to_string(), tenancy));
        t.finish().await;
    }
    // Both backends' migrations make the same classes and paths (the migrations test checks
    // the statements; this checks what they add up to).
    if let [(a, first), (b, second)] = &seen[..] {
        assert_eq!(
            first.report(),
            second.report(),
            "{a} and {b} classify the tables differently"
        );
    }
}

/// The check fails on a table in neither class, and says what to do; a table that reaches
/// the practice only through a reference table is in neither class.
#[tokio::test]
async fn a_table_without_a_path_to_the_practice_fails_the_check() {
    let t = testing::sqlite().await;
    for sql in [
        "CREATE TABLE stray_notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)",
        "CREATE TABLE user_notes (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id))",
        "CREATE TABLE team_notes (id INTEGER PRIMARY KEY, member_id INTEGER NOT NULL REFERENCES care_team_members (id))",
    ] {
        sqlx_exec(&t, sql).await;
    }
    let tenancy = tenancy::tenancy(&t.db).await.unwrap();
    let problems = tenancy.unclassified();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].contains("table `stray_notes`"), "{problems:?}");
    assert!(problems[0].contains("add it to REFERENCE_TABLES"), "{problems:?}");
    assert!(problems[0].contains("give it a `practice_id` column"), "{problems:?}");
    assert!(problems[1].contains("table `user_notes`"), "{problems:?}");
    assert!(
        problems[1].contains("user_notes.user_id → users (a reference table)"),
        "{problems:?}"
    );
    // A note on a care team member reaches the practice through the member's patient.
    assert_eq!(
        tenancy::describe_path(
            &tenancy
                .tenant_tables_through_a_parent()
                .into_iter()
                .find(|(t, _)| t == "team_notes")
                .unwrap()
                .1
        ),
        "team_notes.member_id → care_team_members, care_team_members.patient_id → patients"
    );
    t.finish().await;
}

/// A reference-list entry for a table that is gone fails the check.
#[tokio::test]
async fn a_reference_entry_without_its_table_fails_the_check() {
    let t = testing::sqlite().await;
    sqlx_exec(&t, "DROP TABLE funding_categories").await;
    let tenancy = tenancy::tenancy(&t.db).await.unwrap();
    assert_eq!(
        tenancy.stale_entries(),
        ["REFERENCE_TABLES lists `funding_categories`, which no longer exists: remove the entry"]
    );
    t.finish().await;
}

async fn sqlx_exec(t: &testing::TestDb, sql: &str) {
    kernteam_store::sqlx::query(sql).execute(t.db.pool()).await.unwrap();
}
