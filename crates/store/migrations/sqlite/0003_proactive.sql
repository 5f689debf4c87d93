-- The rest of the daily care process: proactive care planning (versioned like the care
-- plan), MDO meetings, SO consultations, medication reviews, events with the handover
-- clock, and the practice's POH-O formation with its history.

CREATE TABLE pzp_versions (
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

CREATE TABLE mdo_meetings (
    id INTEGER PRIMARY KEY,
    practice_id INTEGER NOT NULL REFERENCES practices (id),
    meeting_date TEXT NOT NULL,
    level TEXT NOT NULL,
    invited TEXT NOT NULL,
    held INTEGER NOT NULL DEFAULT 0,
    notes TEXT,
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX mdo_meetings_practice ON mdo_meetings (practice_id, meeting_date);

CREATE TABLE mdo_agenda (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES mdo_meetings (id),
    patient_id INTEGER NOT NULL REFERENCES patients (id),
    reason TEXT,
    minutes TEXT,
    discussed INTEGER NOT NULL DEFAULT 0,
    UNIQUE (meeting_id, patient_id)
);
CREATE INDEX mdo_agenda_patient ON mdo_agenda (patient_id);

CREATE TABLE mdo_attendance (
    meeting_id INTEGER NOT NULL REFERENCES mdo_meetings (id),
    discipline TEXT NOT NULL,
    present INTEGER NOT NULL,
    name TEXT,
    PRIMARY KEY (meeting_id, discipline)
);

CREATE TABLE so_consultations (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients (id),
    consulted_on TEXT NOT NULL,
    question TEXT NOT NULL,
    advice TEXT,
    kind TEXT NOT NULL,
    funding TEXT NOT NULL,
    so_name TEXT NOT NULL,
    recorded_by INTEGER REFERENCES users (id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX so_consultations_patient ON so_consultations (patient_id, consulted_on);

CREATE TABLE medication_reviews (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients (id),
    reviewed_on TEXT NOT NULL,
    indication TEXT,
    participants TEXT NOT NULL,
    stopped TEXT,
    started TEXT,
    changed TEXT,
    follow_up TEXT,
    recorded_by INTEGER REFERENCES users (id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX medication_reviews_patient ON medication_reviews (patient_id, reviewed_on);

CREATE TABLE care_events (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients (id),
    kind TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    notes TEXT,
    handover_sent_at TEXT,
    recorded_by INTEGER REFERENCES users (id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX care_events_patient ON care_events (patient_id, occurred_at);

CREATE TABLE practice_settings (
    id INTEGER PRIMARY KEY,
    practice_id INTEGER NOT NULL REFERENCES practices (id),
    valid_from TEXT NOT NULL,
    poh_o_hours_per_week REAL NOT NULL,
    set_by INTEGER REFERENCES users (id),
    set_at TEXT NOT NULL
);
CREATE INDEX practice_settings_practice ON practice_settings (practice_id, valid_from);
