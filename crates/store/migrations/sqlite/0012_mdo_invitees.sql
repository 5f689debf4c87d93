-- A lighter MDO: when and where (a time, a place or a video link), and who is invited by
-- name (from the patients' care teams and the accounts), each with their attendance
-- (present NULL: not yet recorded).
ALTER TABLE mdo_meetings ADD COLUMN start_time TEXT;
ALTER TABLE mdo_meetings ADD COLUMN place TEXT;
ALTER TABLE mdo_meetings ADD COLUMN video_link TEXT;

CREATE TABLE mdo_invitees (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES mdo_meetings (id),
    name TEXT NOT NULL,
    role TEXT,
    discipline TEXT,
    user_id INTEGER REFERENCES users (id),
    present INTEGER,
    UNIQUE (meeting_id, name)
);
CREATE INDEX mdo_invitees_meeting ON mdo_invitees (meeting_id);
