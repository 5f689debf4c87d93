-- People, access and the care records of the program. Care records hang off
-- patients (id), the lasting identity of a practice's patient, so they survive new extracts.

-- Network organisations (wijkverpleging, SO, casemanagement dementie, apotheek, sociaal
-- wijkteam, maatschappelijk werk) and the region itself.
CREATE TABLE organisations (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (kind, name)
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    practice_id INTEGER REFERENCES practices (id),
    organisation_id INTEGER REFERENCES organisations (id),
    password_hash TEXT NOT NULL,
    is_admin INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX users_practice ON users (practice_id);

-- Server-side sessions; the cookie carries a random token, only its SHA-256 is stored.
CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    ip TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

-- NEN 7513: every read or change of patient data (who, role, patient, action, when, from where).
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user_id INTEGER,
    username TEXT NOT NULL,
    role TEXT NOT NULL,
    practice_id INTEGER,
    patient_id INTEGER,
    action TEXT NOT NULL,
    detail TEXT,
    ip TEXT
);
CREATE INDEX audit_log_patient ON audit_log (patient_id, at);

-- Inclusion in and exclusion from the program; the latest decision is the status.
CREATE TABLE program_decisions (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients (id),
    kind TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    deciding_gp TEXT,
    reason TEXT,
    considerations TEXT,
    recorded_by INTEGER REFERENCES users (id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX program_decisions_patient ON program_decisions (patient_id, decided_on);

-- The care team: professionals (with an account or not) and mantelzorgers.
CREATE TABLE care_team_members (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients (id),
    kind TEXT NOT NULL,
    user_id INTEGER REFERENCES users (id),
    name TEXT NOT NULL,
    role TEXT,
    organisation TEXT,
    relation TEXT,
    phone TEXT,
    email TEXT,
    added_by INTEGER REFERENCES users (id),
    added_at TEXT NOT NULL,
    removed_at TEXT
);
CREATE INDEX care_team_patient ON care_team_members (patient_id);
CREATE INDEX care_team_user ON care_team_members (user_id, patient_id);

-- Eerste aanspreekpunt: one member of the care team.
CREATE TABLE first_contacts (
    patient_id INTEGER PRIMARY KEY REFERENCES patients (id),
    member_id INTEGER NOT NULL REFERENCES care_team_members (id),
    set_by INTEGER REFERENCES users (id),
    set_at TEXT NOT NULL
);

-- The individual care plan (IZP): every save is a new version with the whole plan as JSON.
CREATE TABLE care_plan_versions (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients (id),
    version INTEGER NOT NULL,
    content TEXT NOT NULL,
    summary TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id),
    created_by_name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (patient_id, version)
);
