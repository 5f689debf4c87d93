-- The rows of a snapshot without a foreign key to their snapshot. They are written only in
-- the import's transaction that creates the snapshot, and deleted only with it, child
-- tables first (crates/store/src/extracts.rs, sql::DELETE_EARLIER); the key's check on
-- every row was the largest part of an import's cost (on PostgreSQL two thirds of a
-- COPY's time, measured in docs/benchmarks.md). Each table is rebuilt with the same
-- columns and indexes (SQLite cannot drop a constraint in place).

CREATE TABLE snapshot_patients_0020 (
    snapshot_id BIGINT NOT NULL,
    his_id TEXT NOT NULL,
    bsn TEXT,
    family_name TEXT,
    given_name TEXT,
    birth_date TEXT NOT NULL,
    sex TEXT,
    registration_start TEXT NOT NULL,
    registration_end TEXT,
    postal_code TEXT,
    address TEXT,
    city TEXT,
    phone TEXT,
    PRIMARY KEY (snapshot_id, his_id)
);
INSERT INTO snapshot_patients_0020 (snapshot_id, his_id, bsn, family_name, given_name, birth_date, sex, registration_start, registration_end, postal_code, address, city, phone)
    SELECT snapshot_id, his_id, bsn, family_name, given_name, birth_date, sex, registration_start, registration_end, postal_code, address, city, phone FROM snapshot_patients;
DROP TABLE snapshot_patients;
ALTER TABLE snapshot_patients_0020 RENAME TO snapshot_patients;
CREATE INDEX snapshot_patients_birth ON snapshot_patients (snapshot_id, birth_date);

CREATE TABLE snapshot_episodes_0020 (
    snapshot_id BIGINT NOT NULL,
    his_id TEXT NOT NULL,
    icpc TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT,
    title TEXT
);
INSERT INTO snapshot_episodes_0020 (snapshot_id, his_id, icpc, start_date, end_date, title)
    SELECT snapshot_id, his_id, icpc, start_date, end_date, title FROM snapshot_episodes;
DROP TABLE snapshot_episodes;
ALTER TABLE snapshot_episodes_0020 RENAME TO snapshot_episodes;
CREATE INDEX snapshot_episodes_patient ON snapshot_episodes (snapshot_id, his_id);

CREATE TABLE snapshot_medications_0020 (
    snapshot_id BIGINT NOT NULL,
    his_id TEXT NOT NULL,
    atc TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT,
    name TEXT,
    dosage TEXT
);
INSERT INTO snapshot_medications_0020 (snapshot_id, his_id, atc, start_date, end_date, name, dosage)
    SELECT snapshot_id, his_id, atc, start_date, end_date, name, dosage FROM snapshot_medications;
DROP TABLE snapshot_medications;
ALTER TABLE snapshot_medications_0020 RENAME TO snapshot_medications;
CREATE INDEX snapshot_medications_patient ON snapshot_medications (snapshot_id, his_id);

CREATE TABLE snapshot_determinants_0020 (
    snapshot_id BIGINT NOT NULL,
    his_id TEXT NOT NULL,
    labcode BIGINT NOT NULL,
    date TEXT NOT NULL,
    value TEXT NOT NULL
);
INSERT INTO snapshot_determinants_0020 (snapshot_id, his_id, labcode, date, value)
    SELECT snapshot_id, his_id, labcode, date, value FROM snapshot_determinants;
DROP TABLE snapshot_determinants;
ALTER TABLE snapshot_determinants_0020 RENAME TO snapshot_determinants;
CREATE INDEX snapshot_determinants_patient ON snapshot_determinants (snapshot_id, his_id);

CREATE TABLE snapshot_programs_0020 (
    snapshot_id BIGINT NOT NULL,
    his_id TEXT NOT NULL,
    program TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT
);
INSERT INTO snapshot_programs_0020 (snapshot_id, his_id, program, start_date, end_date)
    SELECT snapshot_id, his_id, program, start_date, end_date FROM snapshot_programs;
DROP TABLE snapshot_programs;
ALTER TABLE snapshot_programs_0020 RENAME TO snapshot_programs;
CREATE INDEX snapshot_programs_patient ON snapshot_programs (snapshot_id, his_id);
