-- The facts per patient of a snapshot in one compact value, written by the import beside
-- the snapshot's rows and read by the reports instead of the rows (crates/store/src/facts_blob.rs).
-- A snapshot imported before this table has no row here and is read from its rows.
CREATE TABLE snapshot_facts (
    snapshot_id BIGINT PRIMARY KEY REFERENCES snapshots (id) ON DELETE CASCADE,
    format BIGINT NOT NULL,
    data BYTEA NOT NULL
);
