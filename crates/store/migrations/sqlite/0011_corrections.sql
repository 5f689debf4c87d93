-- Corrections and withdrawals of recorded consultations, medication reviews and care
-- events: a record is never silently overwritten. A correction keeps the version before
-- it in record_corrections (as JSON) and changes the record; a withdrawal ("recorded in
-- error") marks the record withdrawn and keeps it. Withdrawn records no longer count in
-- the worklist or the figures.

ALTER TABLE so_consultations ADD COLUMN withdrawn_at TEXT;
ALTER TABLE medication_reviews ADD COLUMN withdrawn_at TEXT;
ALTER TABLE care_events ADD COLUMN withdrawn_at TEXT;

CREATE TABLE record_corrections (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients (id),
    record_kind TEXT NOT NULL,
    record_id INTEGER NOT NULL,
    action TEXT NOT NULL,
    previous TEXT NOT NULL,
    reason TEXT NOT NULL,
    corrected_by INTEGER NOT NULL REFERENCES users (id),
    corrected_by_name TEXT NOT NULL,
    corrected_at TEXT NOT NULL
);
CREATE INDEX record_corrections_record ON record_corrections (patient_id, record_kind, record_id);
