-- HIS extracts: practices, their snapshots (one per extract_date) and the persistent
-- identity of each practice's patients, which care records hang off.
-- Storage conventions (the same on PostgreSQL): dates are TEXT 'YYYY-MM-DD', timestamps
-- TEXT RFC 3339 in UTC ('2027-01-31T09:15:00Z'), flags INTEGER 0/1, ids 64-bit integers.

CREATE TABLE practices (
    id INTEGER PRIMARY KEY,
    agb_code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE snapshots (
    id INTEGER PRIMARY KEY,
    practice_id INTEGER NOT NULL REFERENCES practices (id),
    extract_date TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    source TEXT NOT NULL,
    patient_rows INTEGER NOT NULL DEFAULT 0,
    episode_rows INTEGER NOT NULL DEFAULT 0,
    medication_rows INTEGER NOT NULL DEFAULT 0,
    determinant_rows INTEGER NOT NULL DEFAULT 0,
    program_rows INTEGER NOT NULL DEFAULT 0,
    UNIQUE (practice_id, extract_date)
);

-- A practice's patient as Kernteam knows them across extracts (HIS patient_id).
CREATE TABLE patients (
    id INTEGER PRIMARY KEY,
    practice_id INTEGER NOT NULL REFERENCES practices (id),
    his_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (practice_id, his_id)
);

CREATE TABLE snapshot_patients (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
    his_id TEXT NOT NULL,
    bsn TEXT,
    family_name TEXT,
    given_name TEXT,
    birth_date TEXT NOT NULL,
    sex TEXT,
    registration_start TEXT NOT NULL,
    registration_end TEXT,
    postal_code TEXT,
    PRIMARY KEY (snapshot_id, his_id)
);
CREATE INDEX snapshot_patients_birth ON snapshot_patients (snapshot_id, birth_date);

CREATE TABLE snapshot_episodes (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
    his_id TEXT NOT NULL,
    icpc TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT,
    title TEXT
);
CREATE INDEX snapshot_episodes_patient ON snapshot_episodes (snapshot_id, his_id);

CREATE TABLE snapshot_medications (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
    his_id TEXT NOT NULL,
    atc TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT
);
CREATE INDEX snapshot_medications_patient ON snapshot_medications (snapshot_id, his_id);

CREATE TABLE snapshot_determinants (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
    his_id TEXT NOT NULL,
    labcode INTEGER NOT NULL,
    date TEXT NOT NULL,
    value TEXT NOT NULL
);
CREATE INDEX snapshot_determinants_patient ON snapshot_determinants (snapshot_id, his_id);

CREATE TABLE snapshot_programs (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
    his_id TEXT NOT NULL,
    program TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT
);
CREATE INDEX snapshot_programs_patient ON snapshot_programs (snapshot_id, his_id);
