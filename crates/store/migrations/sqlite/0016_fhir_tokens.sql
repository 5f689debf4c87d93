-- Bearer tokens for the FHIR API (`/fhir`), each issued to a named account (a partner's
-- system acting as that account) under a label. Only the SHA-256 of the token is kept;
-- a revoked token stays, with when it was revoked, so its later use is recognised.
CREATE TABLE fhir_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    label TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    revoked_at TEXT,
    last_used_at TEXT
);
CREATE INDEX fhir_tokens_user ON fhir_tokens (user_id);
