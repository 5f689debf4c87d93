-- What users did with items of the worklist: ticked off (with a reason) or put off until a
-- day. An item is known by its key (kernteam_domain::worklist::WorkItem::key), which
-- changes when the item does (a new due date, review or event), so that a new item shows.
-- Marks are kept, never updated: the newest per patient and key counts.

CREATE TABLE worklist_marks (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients (id),
    practice_id INTEGER NOT NULL REFERENCES practices (id),
    item_key TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('afgevinkt', 'uitgesteld')),
    until_date TEXT,
    reason TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX worklist_marks_practice ON worklist_marks (practice_id, patient_id);
