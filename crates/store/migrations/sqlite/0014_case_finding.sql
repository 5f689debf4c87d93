-- Case finding: screening instruments administered (GFI, PRISMA-7, ISAR-PC, TFI), each
-- dated and kept, and the clinician's conclusion on frailty after screening, with the
-- reason. Inclusions may carry the reason for an exception to the rule (younger than 75,
-- no frail-elder episode).

CREATE TABLE screenings (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients (id),
    instrument TEXT NOT NULL,
    administered_on TEXT NOT NULL,
    items TEXT NOT NULL,
    score INTEGER NOT NULL,
    positive INTEGER NOT NULL,
    note TEXT,
    recorded_by INTEGER REFERENCES users (id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX screenings_patient ON screenings (patient_id, administered_on);

CREATE TABLE frailty_conclusions (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients (id),
    concluded_on TEXT NOT NULL,
    frail INTEGER NOT NULL,
    reason TEXT NOT NULL,
    recorded_by INTEGER REFERENCES users (id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX frailty_conclusions_patient ON frailty_conclusions (patient_id, concluded_on);

CREATE TABLE inclusion_exceptions (
    decision_id INTEGER PRIMARY KEY REFERENCES program_decisions (id),
    reason TEXT NOT NULL
);
