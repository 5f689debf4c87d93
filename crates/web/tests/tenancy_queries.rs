//! Every SQL statement that a practice user's work on one patient runs (the patient record
//! and its tabs, the care plan, the PZP, events, consultations, reviews, case finding,
//! messages, the portal overview, the API beside the pages; the reads and the changes)
//! pins one practice: each tenant table it touches is filtered by a key that names one
//! practice, one patient or one snapshot, or is joined by a key to a table that is. That is
//! what keeps these queries on one shard once the tenant tables are distributed by the
//! practice (docs/scale.md, "The plan beyond one machine"). On SQLite and PostgreSQL.
//!
//! The statements are captured from sqlx's statement log (target `sqlx::query`) with a
//! `tracing` subscriber of this test; the tables' classes come from the schema
//! (`kernteam_store::testing::tenancy`, shared with the store's schema test). A statement
//! that does not pin one practice fails the test unless it is one of [`KNOWN_EXCEPTIONS`],
//! each with its reason; an exception that no statement matches any more fails it too.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use axum::http::StatusCode;
use common::{seed, Client, Resp};
use kernteam_domain::access::Role;
use kernteam_store::testing::tenancy::Tenancy;
use kernteam_store::testing::{self, tenancy};
use serde_json::json;

/// Statements that do not pin one practice by their own filter, each with why it is
/// acceptable today and what the Citus migration does about it: (a fragment of the
/// statement, whitespace collapsed, and the reason).
const KNOWN_EXCEPTIONS: &[(&str, &str)] = &[
    (
        "FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN practices p ON p.id = u.practice_id",
        "the session lookup of every request names the user's place: the home practice, one row \
         of practices reached through the reference table users. On Citus a reference table \
         cannot be joined to a distributed one by a non-constant key on one shard: the practice's \
         name is read apart by u.practice_id (a router query), or kept in a reference table of \
         practice names",
    ),
    (
        "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
        "the unread count in every page's header: a user's inbox, which for a network user spans \
         the practices they work for. notifications reaches the practice only through a nullable \
         patient_id; on Citus it is distributed by user_id (not co-located) or stays on the \
         coordinator, a decision for the migration",
    ),
    (
        "FROM handovers WHERE id = $1",
        "Db::handover_document(id): by the handover's own id; the caller has checked the handover \
         is the patient's (Db::handover first). Fix with the Citus migration: pass the patient \
         (AND patient_id = $2), in the store, app::handovers and the gate",
    ),
    (
        "LEFT JOIN users u ON u.id = h.sent_by WHERE h.id = $1",
        "Db::handover(id): by the handover's own id; the callers (app::handovers, the gate's \
         sent_document) compare its patient_id with the patient's afterwards. Fix as \
         handover_document",
    ),
    (
        "UPDATE handovers SET document = $1 WHERE id = $2 AND document IS NULL",
        "Change::set_handover_document(id): the handover inserted by the same transaction a \
         statement before (for the patient). Fix as handover_document",
    ),
    (
        "SELECT level FROM portal_consents WHERE member_id = $1",
        "Db::consent(member): the latest consent of a care team member (a NOT NULL foreign key to \
         care_team_members, so one patient); the store has only the member. Fix with the Citus \
         migration: pass the patient (portal_consents has patient_id)",
    ),
    (
        "INSERT INTO messages (thread_id, author_id, body, created_at)",
        "messages have no patient_id, only their thread (a NOT NULL foreign key to message_threads, \
         one patient): on Citus messages get practice_id, and the store the patient with the thread",
    ),
    (
        "FROM messages m JOIN users u ON u.id = m.author_id WHERE m.thread_id = $1",
        "the messages of a thread, by thread_id (see INSERT INTO messages)",
    ),
    (
        "JOIN messages m ON m.id = r.message_id WHERE m.thread_id = $1",
        "who read the messages of a thread, by thread_id (see INSERT INTO messages); message_reads \
         reaches the practice through messages and message_threads",
    ),
    (
        "INSERT INTO message_reads (message_id, user_id, read_at) SELECT m.id, $2, $3 FROM messages m WHERE m.thread_id = $1",
        "marks a thread read, by thread_id (see INSERT INTO messages)",
    ),
    (
        "FROM message_threads t WHERE t.id = $2",
        "Db::thread(id): one thread by its own id; app::messages compares its patient_id with the \
         patient's. Fix with the Citus migration: pass the patient (AND t.patient_id)",
    ),
    (
        "FROM mdo_meetings m WHERE m.id = $1",
        "Db::meeting(id), called by Db::patient_meetings for each meeting the patient's agenda \
         items name (found by patient_id a statement before). mdo_meetings has practice_id: fix \
         with the Citus migration by reading the patient's meetings in one statement joined from \
         mdo_agenda by patient_id (which also ends a statement per meeting)",
    ),
    (
        "SELECT id, patient_id, reason, minutes, discussed FROM mdo_agenda WHERE meeting_id = $1",
        "Db::agenda(meeting), called by Db::patient_meetings per meeting (see Db::meeting); \
         mdo_agenda has patient_id, so the same single statement by patient_id fixes it",
    ),
];

// ---------------------------------------------------------------------------------------
// Capturing the statement log.

static CAPTURED: Mutex<Option<Vec<String>>> = Mutex::new(None);

/// A subscriber that keeps the statements sqlx logs while capturing is on.
struct StatementLog;

#[derive(Default)]
struct StatementFields {
    summary: String,
    statement: String,
}

impl tracing::field::Visit for StatementFields {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        match field.name() {
            "summary" => self.summary = value.to_string(),
            "db.statement" => self.statement = value.to_string(),
            _ => {}
        }
    }

    fn record_debug(&mut self, _field: &tracing::field::Field, _value: &dyn std::fmt::Debug) {}
}

impl tracing::Subscriber for StatementLog {
    fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
        metadata.target() == "sqlx::query"
    }

    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }

    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}

    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}

    fn event(&self, event: &tracing::Event<'_>) {
        let mut fields = StatementFields::default();
        event.record(&mut fields);
        // sqlx logs the whole statement in `db.statement` unless it is its own summary
        // (its first four words).
        let sql = if fields.statement.trim().is_empty() {
            fields.summary
        } else {
            fields.statement.trim().to_string()
        };
        if let Some(log) = CAPTURED.lock().unwrap().as_mut() {
            log.push(sql);
        }
    }

    fn enter(&self, _: &tracing::span::Id) {}

    fn exit(&self, _: &tracing::span::Id) {}
}

fn start_capturing() {
    *CAPTURED.lock().unwrap() = Some(Vec::new());
}

fn stop_capturing() -> Vec<String> {
    CAPTURED.lock().unwrap().take().unwrap_or_default()
}

// ---------------------------------------------------------------------------------------
// Reading a statement: its tables, their aliases, and its comparisons.

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    /// A `$n` or `?` placeholder, a number or a string literal: a value fixed by the caller.
    Value,
    Sym(char),
}

fn tokens(sql: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let chars: Vec<char> = sql.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '-' && chars.get(i + 1) == Some(&'-') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '\'' {
            i += 1;
            while i < chars.len() {
                if chars[i] == '\'' {
                    if chars.get(i + 1) == Some(&'\'') {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i += 1;
            }
            i += 1;
            out.push(Token::Value);
        } else if c == '"' {
            let start = i + 1;
            i = start;
            while i < chars.len() && chars[i] != '"' {
                i += 1;
            }
            out.push(Token::Word(chars[start..i].iter().collect::<String>().to_lowercase()));
            i += 1;
        } else if c == '$' || c == '?' || c.is_ascii_digit() {
            i += 1;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            out.push(Token::Value);
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Token::Word(chars[start..i].iter().collect::<String>().to_lowercase()));
        } else {
            out.push(Token::Sym(c));
            i += 1;
        }
    }
    out
}

/// Words that end a table reference instead of naming its alias.
const KEYWORDS: &[&str] = &[
    "where",
    "join",
    "left",
    "right",
    "inner",
    "outer",
    "cross",
    "on",
    "using",
    "group",
    "order",
    "limit",
    "offset",
    "union",
    "set",
    "values",
    "select",
    "returning",
    "as",
    "natural",
    "having",
    "window",
    "except",
    "intersect",
    "default",
    "on",
    "for",
    "full",
];

/// A table as a statement uses it.
#[derive(Debug, Clone)]
struct Use {
    table: String,
    alias: String,
    /// The columns an `INSERT` gives.
    inserted: Vec<String>,
}

/// A column as a statement names it: (qualifier, column).
type ColumnRef = (Option<String>, String);

#[derive(Debug, Default)]
struct Statement {
    uses: Vec<Use>,
    /// Columns compared with a value (`c = $1`, `c IN ($1, $2)`, `c = 'x'`).
    fixed: Vec<ColumnRef>,
    /// Columns compared with each other (`a.x = b.y`).
    equal: Vec<(ColumnRef, ColumnRef)>,
}

fn column_ref(t: &[Token], i: usize) -> Option<(ColumnRef, usize)> {
    match (t.get(i), t.get(i + 1), t.get(i + 2)) {
        (Some(Token::Word(q)), Some(Token::Sym('.')), Some(Token::Word(c))) => Some(((Some(q.clone()), c.clone()), 3)),
        (Some(Token::Word(c)), _, _) if !KEYWORDS.contains(&c.as_str()) => Some(((None, c.clone()), 1)),
        _ => None,
    }
}

fn read_statement(sql: &str, tenancy: &Tenancy) -> Statement {
    let t = tokens(sql);
    let mut s = Statement::default();
    let mut i = 0;
    while i < t.len() {
        if let Token::Word(w) = &t[i] {
            if matches!(w.as_str(), "from" | "join" | "into" | "update") {
                let mut j = i + 1;
                // `FROM a, b` and `FROM a x, b y`.
                while let Some(Token::Word(table)) = t.get(j) {
                    if !tenancy.schema.tables.contains_key(table) {
                        break;
                    }
                    let mut alias = table.clone();
                    j += 1;
                    if t.get(j) == Some(&Token::Word("as".into())) {
                        j += 1;
                    }
                    if let Some(Token::Word(a)) = t.get(j) {
                        if !KEYWORDS.contains(&a.as_str()) {
                            alias = a.clone();
                            j += 1;
                        }
                    }
                    let mut inserted = Vec::new();
                    if w == "into" && t.get(j) == Some(&Token::Sym('(')) {
                        j += 1;
                        while let Some(tok) = t.get(j) {
                            match tok {
                                Token::Word(c) => inserted.push(c.clone()),
                                Token::Sym(')') => break,
                                _ => {}
                            }
                            j += 1;
                        }
                    }
                    s.uses.push(Use {
                        table: table.clone(),
                        alias,
                        inserted,
                    });
                    if t.get(j) == Some(&Token::Sym(',')) && w == "from" {
                        j += 1;
                        continue;
                    }
                    break;
                }
            }
        }
        // Comparisons: `c = value`, `value = c`, `c IN (value, …)`, `a.x = b.y`.
        let qualified_part = i > 0 && t[i - 1] == Token::Sym('.');
        if let Some((left, n)) = column_ref(&t, i).filter(|_| !qualified_part) {
            let after = i + n;
            match (t.get(after), t.get(after + 1)) {
                (Some(Token::Sym('=')), Some(Token::Value)) => s.fixed.push(left.clone()),
                (Some(Token::Sym('=')), Some(Token::Word(_))) => {
                    if let Some((right, _)) = column_ref(&t, after + 1) {
                        s.equal.push((left.clone(), right));
                    }
                }
                (Some(Token::Word(k)), Some(Token::Sym('(')))
                    if k == "in" && t.get(after + 2) == Some(&Token::Value) =>
                {
                    s.fixed.push(left.clone())
                }
                _ => {}
            }
        }
        if t[i] == Token::Value && t.get(i + 1) == Some(&Token::Sym('=')) {
            if let Some((right, _)) = column_ref(&t, i + 2) {
                s.fixed.push(right);
            }
        }
        i += 1;
    }
    s
}

/// The columns of `table` that name one practice, one patient or one snapshot.
fn pinning_columns(table: &str, tenancy: &Tenancy) -> Vec<&'static str> {
    let columns = &tenancy.schema.tables[table];
    let mut out = Vec::new();
    for (key_table, key, column) in tenancy::PINNING_KEYS {
        if table == *key_table {
            out.push(*key);
        }
        if columns.has_column(column) {
            out.push(*column);
        }
    }
    out
}

/// Whether a column reference means this use of a table: qualified by its alias (or name),
/// or unqualified and a column of the table.
fn refers_to(r: &ColumnRef, u: &Use, tenancy: &Tenancy) -> bool {
    match &r.0 {
        Some(q) => *q == u.alias || *q == u.table,
        None => tenancy.schema.tables[&u.table].has_column(&r.1),
    }
}

/// Whether `a.x = b.y` relates rows of one practice: a foreign key (declared or one of the
/// undeclared parents) and the key it names, or two columns naming the same pinning key.
fn related(a: (&Use, &str), b: (&Use, &str), tenancy: &Tenancy) -> bool {
    let names_key = |table: &str, column: &str| -> Option<String> {
        if let Some((key_table, _, _)) = tenancy::PINNING_KEYS
            .iter()
            .find(|(t, key, c)| (*t == table && *key == column) || *c == column)
        {
            return Some(key_table.to_string());
        }
        None
    };
    let fk = |child: (&Use, &str), parent: (&Use, &str)| {
        parent.1 == "id"
            && tenancy.schema.tables[&child.0.table]
                .foreign_keys
                .iter()
                .any(|f| f.column == child.1 && f.parent == parent.0.table)
    };
    fk(a, b)
        || fk(b, a)
        || matches!((names_key(&a.0.table, a.1), names_key(&b.0.table, b.1)), (Some(x), Some(y)) if x == y)
}

/// The tenant tables of a statement that are not pinned to one practice, by a filter of
/// their own or through a key to a table that is.
fn unpinned(sql: &str, tenancy: &Tenancy) -> Vec<String> {
    let s = read_statement(sql, tenancy);
    let tenant: Vec<&Use> = s.uses.iter().filter(|u| tenancy.is_tenant(&u.table)).collect();
    let mut pinned: BTreeSet<usize> = BTreeSet::new();
    for (n, u) in tenant.iter().enumerate() {
        let keys = pinning_columns(&u.table, tenancy);
        let filtered = s
            .fixed
            .iter()
            .any(|r| keys.contains(&r.1.as_str()) && refers_to(r, u, tenancy));
        let inserted = u.inserted.iter().any(|c| keys.contains(&c.as_str()));
        if filtered || inserted {
            pinned.insert(n);
        }
    }
    loop {
        let before = pinned.len();
        for (n, u) in tenant.iter().enumerate() {
            if pinned.contains(&n) {
                continue;
            }
            let joined = s.equal.iter().any(|(l, r)| {
                [(l, r), (r, l)].iter().any(|(mine, theirs)| {
                    refers_to(mine, u, tenancy)
                        && tenant.iter().enumerate().any(|(m, other)| {
                            m != n
                                && pinned.contains(&m)
                                && refers_to(theirs, other, tenancy)
                                && related((u, &mine.1), (other, &theirs.1), tenancy)
                        })
                })
            });
            if joined {
                pinned.insert(n);
            }
        }
        if pinned.len() == before {
            break;
        }
    }
    tenant
        .iter()
        .enumerate()
        .filter(|(n, _)| !pinned.contains(n))
        .map(|(_, u)| u.table.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

fn collapse(sql: &str) -> String {
    sql.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---------------------------------------------------------------------------------------
// The patient's pages.

/// What one request ran.
struct Ran {
    request: String,
    status: StatusCode,
    statements: Vec<String>,
}

async fn captured<F: std::future::Future<Output = Resp>>(log: &mut Vec<Ran>, request: String, call: F) -> Resp {
    start_capturing();
    let r = call.await;
    // The audit writer appends the request's reads in the background; let it.
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    log.push(Ran {
        request,
        status: r.status,
        statements: stop_capturing(),
    });
    r
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_statements_of_a_patients_pages_pin_one_practice() {
    tracing::subscriber::set_global_default(StatementLog).expect("the only subscriber of this test binary");
    let mut matched_exceptions = BTreeSet::new();
    let mut failures = Vec::new();
    for t in testing::all_logging_statements().await {
        let backend = t.backend().name();
        let tenancy = tenancy::tenancy(&t.db).await.unwrap();
        let w = seed(&t.db).await;
        let poh = Client::sign_in(&w.app, "poh-a").await;
        let a1 = w.a1;
        let org: i64 = kernteam_store::sqlx::query_scalar("SELECT id FROM organisations ORDER BY id LIMIT 1")
            .fetch_one(w.db.pool())
            .await
            .unwrap();
        let day = common::yesterday();
        // A meeting with the patient on its agenda, for the MDO history.
        let meeting = kernteam_store::audited!(w.db, testing::entry(), |ch| ch.create_meeting(
            w.practice_a,
            chrono::Local::now().date_naive(),
            "praktijk",
            &["huisarts".to_string(), "poh_o".to_string()],
            w.poh_a,
        ))
        .unwrap();
        kernteam_store::audited!(w.db, testing::entry(), |ch| ch.add_to_agenda(
            meeting,
            a1,
            Some("Valrisico")
        ))
        .unwrap();
        let mut log = Vec::new();

        // The changes, through the API and the forms.
        let api = format!("/api/v1/patients/{a1}");
        let page = format!("/patienten/{a1}");
        let occurred = (chrono::Utc::now() - chrono::Duration::hours(2)).to_rfc3339();
        let mut changes: Vec<(&str, String, serde_json::Value)> = vec![
            (
                "POST",
                format!("{api}/events"),
                json!({ "kind": "elv_hoog_complex", "occurred_at": occurred }),
            ),
            (
                "POST",
                format!("{api}/consultations"),
                json!({ "date": day, "question": "Slaapproblemen", "kind": "consultatie", "funding": "zvw", "so_name": "Otto Ouderen" }),
            ),
            (
                "POST",
                format!("{api}/medication-reviews"),
                json!({ "date": day, "participants": ["huisarts", "apotheker"], "stopped": "Omeprazol" }),
            ),
            (
                "PUT",
                format!("{api}/pzp"),
                json!({ "based_on": 0, "pzp": { "preferred_place_of_care": "Thuis", "legal_representative": "Dochter" } }),
            ),
            (
                "POST",
                format!("{api}/decisions"),
                json!({ "kind": "inclusion", "decided_on": day, "deciding_gp": "Dr. Huisarts", "exception_reason": "Besproken met de huisarts" }),
            ),
            (
                "POST",
                format!("{api}/team"),
                json!({ "kind": "mantelzorger", "name": "Piet Buurman", "relation": "buurman" }),
            ),
            (
                "PUT",
                format!("{api}/first-contact"),
                json!({ "member_id": w.a1_wvk_member }),
            ),
            (
                "PUT",
                format!("{api}/care-plan"),
                json!({ "based_on": 1, "plan": common::patient_routes::valid_plan("Een nieuw doel") }),
            ),
        ];
        let mut event = None;
        for (method, path, body) in changes.drain(..) {
            let r = captured(&mut log, format!("{method} {path}"), poh.api(method, &path, Some(body))).await;
            assert!(
                r.status.is_success(),
                "{backend} {method} {path}: {} {}",
                r.status,
                r.text()
            );
            if path.ends_with("/events") {
                event = r.json()["id"].as_i64();
            }
        }
        let event = event.unwrap();
        let handover = format!("{api}/events/{event}/handover");
        let r = captured(
            &mut log,
            format!("POST {handover}"),
            poh.api("POST", &handover, Some(json!({ "organisation_id": org }))),
        )
        .await;
        assert!(r.status.is_success(), "{backend} POST {handover}: {}", r.text());
        let handover_id = r.json()["id"].as_i64();
        let gfi: Vec<(&str, &str)> = [("instrument", "gfi"), ("date", day.as_str())]
            .into_iter()
            .chain(["1", "2", "5", "8", "10", "12"].map(|i| ("item", i)))
            .collect();
        let form_posts: Vec<(String, Vec<(&str, &str)>)> = vec![
            (format!("{page}/kwetsbaarheid/screening"), gfi),
            (
                format!("{page}/kwetsbaarheid/conclusie"),
                vec![("frail", "ja"), ("date", &day), ("reason", "GFI 6, gesprek thuis")],
            ),
            (
                format!("{page}/berichten"),
                vec![("subject", "Valincident"), ("body", "Mevrouw viel gisteren.")],
            ),
            (
                format!("{page}/regeling"),
                vec![("wlz_setting", "vpt"), ("valid_from", &day)],
            ),
        ];
        let mut thread = None;
        for (path, fields) in form_posts {
            let r = captured(&mut log, format!("POST {path}"), poh.post_form(&path, &fields)).await;
            assert!(
                r.status == StatusCode::SEE_OTHER || r.status.is_success(),
                "{backend} POST {path}: {} {}",
                r.status,
                r.text()
            );
            if path.ends_with("/berichten") {
                thread = r.location().map(|l| l.split(['/', '?']).nth(4).unwrap().to_string());
            }
        }
        let thread = thread.expect("the new thread's page");

        // The reads: every tab of the patient, and the API beside the pages.
        let mut reads: Vec<String> = [
            "",
            "/zorgplan",
            "/zorgplan/versies",
            "/zorgplan/versies/1",
            "/zorgplan/afdrukken",
            "/zorgplan/wijzigen",
            "/zorgplan/evalueren",
            "/aanspreekpunt",
            "/regeling",
            "/kwetsbaarheid",
            "/consultaties",
            "/medicatiebeoordelingen",
            "/gebeurtenissen",
            "/pzp",
            "/pzp/versies",
            "/pzp/versies/1",
            "/berichten",
            "/portaal",
        ]
        .iter()
        .map(|s| format!("{page}{s}"))
        .collect();
        reads.push(format!("{page}/berichten/{thread}"));
        if let Some(h) = handover_id {
            reads.push(format!("{page}/overdrachten/{h}"));
        }
        for s in [
            "",
            "/team",
            "/care-plan",
            "/care-plan/versions",
            "/pzp",
            "/events",
            "/mdo",
            "/consultations",
            "/medication-reviews",
        ] {
            reads.push(format!("{api}{s}"));
        }
        for path in reads {
            let r = captured(&mut log, format!("GET {path}"), poh.get(&path)).await;
            assert_eq!(r.status, StatusCode::OK, "{backend} GET {path}: {}", r.text());
        }
        // The patient's audit trail is the practice manager's.
        common::process::add_user(&w, "pm-a", "Paula Manager", Role::Praktijkmanager, w.practice_a).await;
        let manager = Client::sign_in(&w.app, "pm-a").await;
        let path = format!("{page}/audit");
        let r = captured(&mut log, format!("GET {path}"), manager.get(&path)).await;
        assert_eq!(r.status, StatusCode::OK, "{backend} GET {path}: {}", r.text());

        // Every statement, checked once with the requests that ran it.
        let mut by_statement: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for ran in &log {
            assert!(
                !ran.statements.is_empty(),
                "{backend} {}: no statements captured (is the statement log on?)",
                ran.request
            );
            for sql in &ran.statements {
                by_statement
                    .entry(collapse(sql))
                    .or_default()
                    .push(format!("{} ({})", ran.request, ran.status));
            }
        }
        let mut tenant_statements = 0;
        for (sql, requests) in &by_statement {
            let uses_tenant = read_statement(sql, &tenancy)
                .uses
                .iter()
                .any(|u| tenancy.is_tenant(&u.table));
            tenant_statements += usize::from(uses_tenant);
            let loose = unpinned(sql, &tenancy);
            if loose.is_empty() {
                continue;
            }
            if let Some((fragment, _)) = KNOWN_EXCEPTIONS.iter().find(|(f, _)| sql.contains(f)) {
                matched_exceptions.insert(*fragment);
                continue;
            }
            failures.push(format!(
                "{backend}: not pinned to one practice: {}\n  statement: {sql}\n  run by: {}",
                loose.join(", "),
                requests.join("; ")
            ));
        }
        println!(
            "{backend}: {} requests, {} distinct statements, {tenant_statements} on tenant tables",
            log.len(),
            by_statement.len()
        );
        drop(w);
        t.finish().await;
    }
    for (fragment, _) in KNOWN_EXCEPTIONS {
        if !matched_exceptions.contains(fragment) {
            failures.push(format!(
                "KNOWN_EXCEPTIONS lists a statement no page runs any more (remove it): {fragment}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} statements of the patient's pages do not pin one practice: filter each tenant table \
         by practice_id, patient_id or snapshot_id (or join it by a key to one that is), or add \
         the statement to KNOWN_EXCEPTIONS with the reason.\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// The reading of statements can fail: unfiltered, filtered by a column that names no
/// practice, joined without a key; and passes the filtered ones.
#[tokio::test]
async fn an_unfiltered_statement_fails_the_check() {
    let t = testing::sqlite().await;
    let tenancy = tenancy::tenancy(&t.db).await.unwrap();
    let cases: &[(&str, &[&str])] = &[
        ("SELECT id, kind FROM care_events", &["care_events"]),
        ("SELECT id FROM care_events WHERE id = $1", &["care_events"]),
        ("SELECT id FROM care_events WHERE kind = 'val'", &["care_events"]),
        ("SELECT * FROM care_events WHERE patient_id = $1", &[]),
        ("SELECT * FROM care_events e WHERE e.patient_id IN ($1, $2)", &[]),
        ("SELECT * FROM care_events e WHERE $1 = e.patient_id", &[]),
        (
            "SELECT m.name FROM first_contacts f JOIN care_team_members m ON m.id = f.member_id WHERE f.patient_id = $1",
            &[],
        ),
        (
            "SELECT m.name FROM first_contacts f, care_team_members m WHERE f.patient_id = $1",
            &["care_team_members"],
        ),
        (
            "SELECT * FROM mdo_agenda a JOIN mdo_meetings m ON m.id = a.meeting_id WHERE m.practice_id = $1",
            &[],
        ),
        (
            "SELECT * FROM care_events e JOIN users u ON u.id = e.recorded_by WHERE u.id = $1",
            &["care_events"],
        ),
        ("SELECT * FROM users WHERE username = $1", &[]),
        ("INSERT INTO care_events (patient_id, kind) VALUES ($1, $2)", &[]),
        ("INSERT INTO mdo_attendance (discipline, present) VALUES ($1, $2)", &["mdo_attendance"]),
        ("UPDATE patients SET bsn = $1 WHERE id = $2", &[]),
        ("DELETE FROM snapshot_records WHERE snapshot_id = $1", &[]),
        ("DELETE FROM snapshot_records", &["snapshot_records"]),
    ];
    for (sql, expected) in cases {
        assert_eq!(unpinned(sql, &tenancy), *expected, "{sql}");
    }
    t.finish().await;
}
