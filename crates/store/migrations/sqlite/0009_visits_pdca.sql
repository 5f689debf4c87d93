-- The region's quality cycle: practice visits with their report and feedback, the
-- progress of the collaboration in the geriatric network per practice and quarter, and
-- each practice's PDCA checklist.

CREATE TABLE practice_visits (
    id INTEGER PRIMARY KEY,
    practice_id INTEGER NOT NULL REFERENCES practices (id),
    planned_on TEXT NOT NULL,
    planned_by INTEGER REFERENCES users (id),
    planned_at TEXT NOT NULL,
    visited_on TEXT,
    progress TEXT,
    support_needed TEXT,
    mdo TEXT,
    collaboration TEXT,
    feedback TEXT,
    recorded_by INTEGER REFERENCES users (id),
    recorded_at TEXT,
    shared_by INTEGER REFERENCES users (id),
    shared_at TEXT
);
CREATE INDEX practice_visits_practice ON practice_visits (practice_id, planned_on);

CREATE TABLE network_collaboration (
    practice_id INTEGER NOT NULL REFERENCES practices (id),
    quarter TEXT NOT NULL,
    partner TEXT NOT NULL,
    status TEXT NOT NULL,
    note TEXT,
    set_by INTEGER REFERENCES users (id),
    set_at TEXT NOT NULL,
    PRIMARY KEY (practice_id, quarter, partner)
);

CREATE TABLE pdca_items (
    practice_id INTEGER NOT NULL REFERENCES practices (id),
    item TEXT NOT NULL,
    status TEXT NOT NULL,
    evidence TEXT,
    done_on TEXT,
    set_by INTEGER REFERENCES users (id),
    set_at TEXT NOT NULL,
    PRIMARY KEY (practice_id, item)
);
