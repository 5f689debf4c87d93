-- The BSN index leads with the practice. An import adds each practice's kept patients
-- together, so (practice_id, bsn) grows at its end; an index on the BSN alone took every
-- import's few hundred BSNs at random places, rewriting most of its pages per practice
-- (on SQLite 0.8 s of a 1,000,000-patient region's 4 s import, measured). The region-wide
-- search by BSN walks the practices (crates/store/src/handovers.rs); a practice's own
-- search uses the index directly. In a distributed deployment the index is per practice
-- anyway (docs/scale.md).
DROP INDEX patients_bsn;
CREATE INDEX patients_practice_bsn ON patients (practice_id, bsn);
