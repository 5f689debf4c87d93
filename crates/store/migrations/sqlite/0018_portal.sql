-- The patient's own view (the portal): accounts of patients and mantelzorgers, the
-- invitations that make them (only the SHA-256 of the one-time code is kept), the
-- patient's consent per mantelzorger (every choice kept: the latest counts), messages
-- with the care team and who read them, notifications inside Kernteam, and what patients
-- and mantelzorgers contribute (proposals for the care plan, the mantelzorger's load).

CREATE TABLE portal_invitations (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients (id),
    kind TEXT NOT NULL,
    member_id INTEGER REFERENCES care_team_members (id),
    code_hash TEXT NOT NULL UNIQUE,
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    withdrawn_at TEXT,
    withdrawn_by INTEGER REFERENCES users (id),
    used_at TEXT,
    user_id INTEGER REFERENCES users (id)
);
CREATE INDEX portal_invitations_patient ON portal_invitations (patient_id);

CREATE TABLE portal_accounts (
    user_id INTEGER PRIMARY KEY REFERENCES users (id),
    patient_id INTEGER NOT NULL REFERENCES patients (id),
    kind TEXT NOT NULL,
    member_id INTEGER REFERENCES care_team_members (id),
    invitation_id INTEGER NOT NULL REFERENCES portal_invitations (id),
    created_at TEXT NOT NULL,
    ended_at TEXT,
    ended_by INTEGER REFERENCES users (id),
    end_reason TEXT
);
CREATE INDEX portal_accounts_patient ON portal_accounts (patient_id);

CREATE TABLE portal_consents (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients (id),
    member_id INTEGER NOT NULL REFERENCES care_team_members (id),
    level TEXT NOT NULL,
    set_by INTEGER NOT NULL REFERENCES users (id),
    set_at TEXT NOT NULL
);
CREATE INDEX portal_consents_member ON portal_consents (member_id, id);

CREATE TABLE message_threads (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients (id),
    subject TEXT NOT NULL,
    team_only INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX message_threads_patient ON message_threads (patient_id);

CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    thread_id INTEGER NOT NULL REFERENCES message_threads (id),
    author_id INTEGER NOT NULL REFERENCES users (id),
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX messages_thread ON messages (thread_id, id);

CREATE TABLE message_reads (
    message_id INTEGER NOT NULL REFERENCES messages (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    read_at TEXT NOT NULL,
    PRIMARY KEY (message_id, user_id)
);

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    patient_id INTEGER REFERENCES patients (id),
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    link TEXT NOT NULL,
    created_at TEXT NOT NULL,
    read_at TEXT
);
CREATE INDEX notifications_user ON notifications (user_id, id);

CREATE TABLE portal_proposals (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients (id),
    author_id INTEGER NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at TEXT NOT NULL,
    taken_at TEXT,
    taken_by INTEGER REFERENCES users (id)
);
CREATE INDEX portal_proposals_patient ON portal_proposals (patient_id);

CREATE TABLE carer_reports (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients (id),
    member_id INTEGER REFERENCES care_team_members (id),
    author_id INTEGER NOT NULL REFERENCES users (id),
    load TEXT NOT NULL,
    support_need TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX carer_reports_patient ON carer_reports (patient_id, id);
