-- Renewal reminders look for valid certificates expiring in a window; with millions of smart ID
-- card certificates that must not be a scan of the whole table.
CREATE INDEX certificates_by_expiry ON certificates (not_after) WHERE state = 'valid';
