-- The first point of contact is assigned and also evaluated (Menzis: "toekennen (en ook
-- evalueren)"): the assignment carries the date of its evaluation (by default a year on),
-- and every assignment, evaluation (kept or changed) and end is kept in
-- first_contact_history, append-only, with who recorded it and when.

ALTER TABLE first_contacts ADD COLUMN evaluate_on TEXT;
-- A year after the assignment (the same text on both backends; 29 February becomes 28).
UPDATE first_contacts SET evaluate_on = CAST(CAST(SUBSTR(set_at, 1, 4) AS INTEGER) + 1 AS TEXT)
    || CASE WHEN SUBSTR(set_at, 5, 6) = '-02-29' THEN '-02-28' ELSE SUBSTR(set_at, 5, 6) END;

CREATE TABLE first_contact_history (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients (id),
    -- assigned, evaluated, ended
    kind TEXT NOT NULL,
    member_id INTEGER REFERENCES care_team_members (id),
    member_name TEXT NOT NULL,
    member_role TEXT,
    -- for an evaluation: kept or changed
    outcome TEXT,
    note TEXT,
    evaluate_on TEXT,
    recorded_by INTEGER REFERENCES users (id),
    recorded_by_name TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX first_contact_history_patient ON first_contact_history (patient_id, id);

INSERT INTO first_contact_history
    (patient_id, kind, member_id, member_name, member_role, evaluate_on, recorded_by, recorded_by_name, recorded_at)
SELECT f.patient_id, 'assigned', f.member_id, m.name, m.role, f.evaluate_on, f.set_by,
       COALESCE(u.display_name, ''), f.set_at
FROM first_contacts f
JOIN care_team_members m ON m.id = f.member_id
LEFT JOIN users u ON u.id = f.set_by;
