-- The portal's leftovers: a practice-side reset of a portal account (a new letter that
-- re-opens the same account), e-mail addresses of users, sign-in by a code sent by
-- e-mail (only the SHA-256 of a code is kept; short-lived, single use).

ALTER TABLE users ADD COLUMN email TEXT;
ALTER TABLE users ADD COLUMN email_sign_in INTEGER NOT NULL DEFAULT 0;
ALTER TABLE portal_invitations ADD COLUMN email TEXT;
ALTER TABLE portal_invitations ADD COLUMN resets_user_id INTEGER REFERENCES users (id);

CREATE TABLE email_codes (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    code_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX email_codes_user ON email_codes (user_id, id);
