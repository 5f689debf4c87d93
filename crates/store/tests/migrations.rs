//! The SQLite and PostgreSQL migrations describe the same schema: the same files, and in
//! each file the same statements, differing only in how each dialect spells a column type.
//!
//! Both sets are read, comments dropped, split into statements and tokens (unquoted words
//! upper-cased, as SQL does), and each dialect's type spellings are normalised to one:
//!
//! - `INTEGER`: SQLite `INTEGER` (an `INTEGER PRIMARY KEY` assigns ids; `AUTOINCREMENT` is
//!   dropped); PostgreSQL `BIGINT`, `BIGINT GENERATED … AS IDENTITY`, `BIGSERIAL`, `SERIAL`,
//!   `INT8`, `INT`;
//! - `REAL`: SQLite `REAL`; PostgreSQL `DOUBLE PRECISION`, `FLOAT8`;
//! - `BLOB`: SQLite `BLOB`; PostgreSQL `BYTEA`;
//! - `TEXT` is spelled the same in both.
//!
//! Anything else that differs (a column, an index, a constraint, a default) is reported with
//! the file, the statement's number and both versions.

use std::collections::BTreeMap;
use std::path::Path;

/// A token of SQL: a quoted literal or identifier kept as written, anything else upper-cased.
fn tokens(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '-' if chars.peek() == Some(&'-') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '\'' | '"' => {
                let mut t = String::from(c);
                while let Some(n) = chars.next() {
                    t.push(n);
                    if n == c {
                        if chars.peek() == Some(&c) {
                            t.push(chars.next().unwrap());
                        } else {
                            break;
                        }
                    }
                }
                out.push(t);
            }
            c if c.is_alphanumeric() || c == '_' => {
                let mut t = String::from(c);
                while let Some(&n) = chars.peek() {
                    if n.is_alphanumeric() || n == '_' {
                        t.push(n);
                        chars.next();
                    } else {
                        break;
                    }
                }
                out.push(t.to_uppercase());
            }
            c if c.is_whitespace() => {}
            c => out.push(c.to_string()),
        }
    }
    out
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    fn name(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
        }
    }

    /// Token sequences this dialect uses for a type, longest first, with their normal form.
    fn spellings(self) -> &'static [(&'static [&'static str], &'static [&'static str])] {
        match self {
            Dialect::Sqlite => &[(&["AUTOINCREMENT"], &[])],
            Dialect::Postgres => &[
                (
                    &["BIGINT", "GENERATED", "BY", "DEFAULT", "AS", "IDENTITY"],
                    &["INTEGER"],
                ),
                (&["BIGINT", "GENERATED", "ALWAYS", "AS", "IDENTITY"], &["INTEGER"]),
                (&["DOUBLE", "PRECISION"], &["REAL"]),
                (&["BIGSERIAL"], &["INTEGER"]),
                (&["SERIAL"], &["INTEGER"]),
                (&["BIGINT"], &["INTEGER"]),
                (&["INT8"], &["INTEGER"]),
                (&["INT"], &["INTEGER"]),
                (&["FLOAT8"], &["REAL"]),
                (&["BYTEA"], &["BLOB"]),
            ],
        }
    }

    /// The statements of a migration file, each as normalised tokens.
    fn statements(self, sql: &str) -> Vec<Vec<String>> {
        let mut statements = Vec::new();
        let mut current: Vec<String> = Vec::new();
        let toks = tokens(sql);
        let mut i = 0;
        'next: while i < toks.len() {
            if toks[i] == ";" {
                if !current.is_empty() {
                    statements.push(std::mem::take(&mut current));
                }
                i += 1;
                continue;
            }
            for (from, to) in self.spellings() {
                if toks[i..].starts_with(&from.iter().map(|s| s.to_string()).collect::<Vec<_>>()) {
                    current.extend(to.iter().map(|s| s.to_string()));
                    i += from.len();
                    continue 'next;
                }
            }
            current.push(toks[i].clone());
            i += 1;
        }
        if !current.is_empty() {
            statements.push(current);
        }
        statements
    }
}

/// A statement for the report: `CREATE TABLE t ( id INTEGER , … )`.
fn show(statement: &[String]) -> String {
    statement.join(" ")
}

/// Every difference between two migration sets (file name → SQL), in words.
fn differences(sqlite: &BTreeMap<String, String>, postgres: &BTreeMap<String, String>) -> Vec<String> {
    let mut out = Vec::new();
    for (name, (only, other)) in sqlite
        .keys()
        .map(|n| (n, (Dialect::Sqlite, postgres)))
        .chain(postgres.keys().map(|n| (n, (Dialect::Postgres, sqlite))))
    {
        if !other.contains_key(name) {
            out.push(format!("{name}: only in migrations/{}", only.name()));
        }
    }
    for (name, lite_sql) in sqlite {
        let Some(pg_sql) = postgres.get(name) else { continue };
        let lite = Dialect::Sqlite.statements(lite_sql);
        let pg = Dialect::Postgres.statements(pg_sql);
        if lite.len() != pg.len() {
            out.push(format!(
                "{name}: {} statements on sqlite, {} on postgres",
                lite.len(),
                pg.len()
            ));
        }
        for (n, (l, p)) in lite.iter().zip(&pg).enumerate() {
            if l != p {
                let at = l.iter().zip(p).take_while(|(a, b)| a == b).count();
                out.push(format!(
                    "{name}, statement {}: differs from token {} ('{}' on sqlite, '{}' on postgres)\n  sqlite:   {}\n  postgres: {}",
                    n + 1,
                    at + 1,
                    l.get(at).map_or("end of statement", String::as_str),
                    p.get(at).map_or("end of statement", String::as_str),
                    show(l),
                    show(p)
                ));
            }
        }
        for (n, extra) in lite.iter().enumerate().skip(pg.len()) {
            out.push(format!("{name}, statement {}: only on sqlite: {}", n + 1, show(extra)));
        }
        for (n, extra) in pg.iter().enumerate().skip(lite.len()) {
            out.push(format!(
                "{name}, statement {}: only on postgres: {}",
                n + 1,
                show(extra)
            ));
        }
    }
    out
}

fn read_set(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let sql = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (name, sql)
        })
        .collect()
}

#[test]
fn sqlite_and_postgres_migrations_have_the_same_files_and_statements() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let sqlite = read_set(&root.join("sqlite"));
    let postgres = read_set(&root.join("postgres"));
    assert!(!sqlite.is_empty(), "no migrations found in {}", root.display());
    let diffs = differences(&sqlite, &postgres);
    assert!(
        diffs.is_empty(),
        "the SQLite and PostgreSQL migrations differ in more than column types:\n\n{}\n",
        diffs.join("\n\n")
    );
}

fn set(files: &[(&str, &str)]) -> BTreeMap<String, String> {
    files.iter().map(|(n, s)| (n.to_string(), s.to_string())).collect()
}

#[test]
fn type_spellings_and_comments_are_not_differences() {
    let lite = set(&[(
        "0001_x.sql",
        "-- sqlite\nCREATE TABLE t (\n    id INTEGER PRIMARY KEY AUTOINCREMENT,\n    n integer NOT NULL DEFAULT 0,\n    \
         h REAL, b BLOB, s TEXT -- note; with a semicolon\n);\nINSERT INTO t (s) VALUES ('a;b');",
    )]);
    let pg = set(&[(
        "0001_x.sql",
        "CREATE TABLE t (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, n BIGINT NOT NULL DEFAULT 0, \
         h DOUBLE PRECISION, b BYTEA, s TEXT);\n\nINSERT INTO t (s) VALUES ('a;b');\n",
    )]);
    assert_eq!(differences(&lite, &pg), Vec::<String>::new());
}

#[test]
fn a_column_in_one_dialect_only_is_reported_with_file_and_statement() {
    let lite = set(&[
        (
            "0001_x.sql",
            "CREATE INDEX i ON t (a);\nCREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);",
        ),
        ("0002_y.sql", "CREATE TABLE u (id INTEGER);"),
    ]);
    let pg = set(&[
        (
            "0001_x.sql",
            "CREATE INDEX i ON t (a);\nCREATE TABLE t (id BIGINT PRIMARY KEY, a TEXT, b TEXT);",
        ),
        ("0003_z.sql", "CREATE TABLE v (id BIGINT);"),
    ]);
    let diffs = differences(&lite, &pg);
    assert_eq!(diffs.len(), 3, "{diffs:#?}");
    assert_eq!(diffs[0], "0002_y.sql: only in migrations/sqlite");
    assert_eq!(diffs[1], "0003_z.sql: only in migrations/postgres");
    assert!(
        diffs[2].starts_with("0001_x.sql, statement 2: differs from token 12 (')' on sqlite, ',' on postgres)"),
        "{}",
        diffs[2]
    );
    assert!(diffs[2].contains("postgres: CREATE TABLE T ( ID INTEGER PRIMARY KEY , A TEXT , B TEXT )"));
}

#[test]
fn a_statement_in_one_dialect_only_is_reported() {
    let lite = set(&[("0001_x.sql", "CREATE TABLE t (id INTEGER);")]);
    let pg = set(&[(
        "0001_x.sql",
        "CREATE TABLE t (id BIGINT);\nCREATE INDEX t_id ON t (id);",
    )]);
    assert_eq!(
        differences(&lite, &pg),
        vec![
            "0001_x.sql: 1 statements on sqlite, 2 on postgres".to_string(),
            "0001_x.sql, statement 2: only on postgres: CREATE INDEX T_ID ON T ( ID )".to_string(),
        ]
    );
}
