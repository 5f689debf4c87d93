-- The practice's address and phone as its extract gives them (practice.csv, optional
-- columns): printed on the care plan the patient takes home.
ALTER TABLE practices ADD COLUMN address TEXT;
ALTER TABLE practices ADD COLUMN city TEXT;
ALTER TABLE practices ADD COLUMN phone TEXT;
