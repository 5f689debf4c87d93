-- The handover summary (overdracht) as sent: who sent which document (the FHIR Bundle of
-- type document, stored as sent) to which organisation, and when. The 24-hour clock of an
-- event is met by its first record here. The tick box of before (care_events.
-- handover_sent_at) becomes a record without document or recipient, so old records stay
-- readable ("afgevinkt, zonder document"); the column is no longer read or written.
CREATE TABLE handovers (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients (id),
    event_id INTEGER NOT NULL REFERENCES care_events (id),
    organisation_id INTEGER REFERENCES organisations (id),
    sent_at TEXT NOT NULL,
    sent_by INTEGER REFERENCES users (id),
    document TEXT,
    recorded_at TEXT NOT NULL
);
CREATE INDEX handovers_event ON handovers (event_id);
CREATE INDEX handovers_patient ON handovers (patient_id);

INSERT INTO handovers (patient_id, event_id, sent_at, recorded_at)
SELECT patient_id, id, handover_sent_at, handover_sent_at FROM care_events WHERE handover_sent_at IS NOT NULL;

-- Documents received from the network (a hospital's discharge Bundle), kept as received
-- beside the event they recorded.
CREATE TABLE received_documents (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients (id),
    event_id INTEGER NOT NULL REFERENCES care_events (id),
    source TEXT NOT NULL,
    received_at TEXT NOT NULL,
    received_by INTEGER NOT NULL REFERENCES users (id),
    document TEXT NOT NULL
);
CREATE INDEX received_documents_patient ON received_documents (patient_id);
