-- A ceremony's parameters (the new settings of a profile change).
ALTER TABLE ceremonies ADD COLUMN parameters TEXT;
