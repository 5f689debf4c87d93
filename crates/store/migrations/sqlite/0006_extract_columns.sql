-- Optional extract columns (extract-format.md): the patient's address, city and phone,
-- and the medication's name and dosage as the HIS writes them. Empty in older extracts.
ALTER TABLE snapshot_patients ADD COLUMN address TEXT;
ALTER TABLE snapshot_patients ADD COLUMN city TEXT;
ALTER TABLE snapshot_patients ADD COLUMN phone TEXT;
ALTER TABLE snapshot_medications ADD COLUMN name TEXT;
ALTER TABLE snapshot_medications ADD COLUMN dosage TEXT;
