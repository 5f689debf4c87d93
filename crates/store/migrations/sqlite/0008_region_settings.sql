-- The settings the region keeps (region.md, Settings). Every row is one change, kept with
-- who made it and when; the value in force is the latest row (per practice and year, per
-- patient on a date, per year).

-- Contract option per practice and calendar year, and the practice's transition year.
CREATE TABLE contract_options (
    id INTEGER PRIMARY KEY,
    practice_id INTEGER NOT NULL REFERENCES practices (id),
    year INTEGER NOT NULL,
    contract_option INTEGER NOT NULL,
    transition_year INTEGER,
    set_by INTEGER REFERENCES users (id),
    set_by_name TEXT NOT NULL,
    set_at TEXT NOT NULL
);
CREATE INDEX contract_options_practice ON contract_options (practice_id, year);

-- The region's yardsticks; a NULL column is left as it was by that change.
CREATE TABLE region_settings (
    id INTEGER PRIMARY KEY,
    hours_per_included REAL,
    working_weeks REAL,
    capacity_lower REAL,
    capacity_upper REAL,
    set_by INTEGER REFERENCES users (id),
    set_by_name TEXT NOT NULL,
    set_at TEXT NOT NULL
);

-- Funding categories per year, as NAME=PCT,NAME=PCT in ascending order; the latest set wins.
CREATE TABLE funding_categories (
    id INTEGER PRIMARY KEY,
    year INTEGER NOT NULL,
    categories TEXT NOT NULL,
    set_by INTEGER REFERENCES users (id),
    set_by_name TEXT NOT NULL,
    set_at TEXT NOT NULL
);

-- Per patient from a date: the hoofdbehandelaar and/or the Wlz care setting (NULL: not
-- changed by that row).
CREATE TABLE patient_settings (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients (id),
    valid_from TEXT NOT NULL,
    hoofdbehandelaar TEXT,
    wlz_setting TEXT,
    set_by INTEGER REFERENCES users (id),
    set_by_name TEXT NOT NULL,
    set_at TEXT NOT NULL
);
CREATE INDEX patient_settings_patient ON patient_settings (patient_id, valid_from);

-- Who set a formation on the command line (no account): the operator's name.
ALTER TABLE practice_settings ADD COLUMN set_by_name TEXT;

-- Conversations the region holds with a practice whose POH-O capacity is outside the band.
CREATE TABLE capacity_conversations (
    id INTEGER PRIMARY KEY,
    practice_id INTEGER NOT NULL REFERENCES practices (id),
    held_on TEXT NOT NULL,
    participants TEXT NOT NULL,
    agreements TEXT NOT NULL,
    follow_up_on TEXT,
    follow_up_done_at TEXT,
    recorded_by INTEGER REFERENCES users (id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX capacity_conversations_practice ON capacity_conversations (practice_id, held_on);
