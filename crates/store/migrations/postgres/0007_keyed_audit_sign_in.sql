-- NEN 7513 fields of the audit log: the outcome (allowed / refused) and on whose behalf.
ALTER TABLE audit_log ADD COLUMN outcome TEXT NOT NULL DEFAULT 'allowed';
ALTER TABLE audit_log ADD COLUMN on_behalf_of TEXT;
-- 0: the chain is still the unkeyed SHA-256 of before; 1: HMAC-SHA256 with the key file's key.
-- An unkeyed chain is checked and sealed with the key on the first start that has one.
ALTER TABLE audit_head ADD COLUMN keyed BIGINT NOT NULL DEFAULT 0;

-- Wrong second-factor codes, counted apart from wrong passwords (a correct password does not reset them).
ALTER TABLE users ADD COLUMN failed_codes BIGINT NOT NULL DEFAULT 0;
-- A new authenticator being enrolled; the active secret stays until the new one is confirmed.
ALTER TABLE users ADD COLUMN totp_pending_secret TEXT;

-- Failed password sign-ins per account name (existing or not) and client address, with back-off.
CREATE TABLE sign_in_failures (
    username TEXT NOT NULL,
    address TEXT NOT NULL,
    failures BIGINT NOT NULL,
    locked_until TEXT,
    last_at TEXT NOT NULL,
    PRIMARY KEY (username, address)
);
