-- A snapshot's kept records (who a patient is and their HIS lines) as compact values, a
-- few patients to a row, spread over the snapshot's buckets by a hash of the HIS id
-- (crates/store/src/records_blob.rs). An import writes some thousands of rows where it
-- wrote millions. Snapshots stored before this migration have record_buckets NULL and
-- their rows in the snapshot_patients … snapshot_programs tables; on start Kernteam moves
-- them into records (crates/store/src/legacy_snapshots.rs), leaving those tables empty.
CREATE TABLE snapshot_records (
    snapshot_id BIGINT NOT NULL REFERENCES snapshots (id),
    bucket BIGINT NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (snapshot_id, bucket)
);
ALTER TABLE snapshots ADD COLUMN record_buckets BIGINT;

-- The BSN of each kept patient in the practice's latest snapshot, for the searches by BSN
-- (FHIR, received documents); the record itself confirms it.
ALTER TABLE patients ADD COLUMN bsn TEXT;
CREATE INDEX patients_bsn ON patients (bsn);
