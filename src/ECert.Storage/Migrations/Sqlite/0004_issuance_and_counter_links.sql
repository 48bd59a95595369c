-- Which application a certificate was issued for, so an issuance interrupted between signing and
-- recording can be found and its orphan revoked when the application is issued again.
ALTER TABLE certificates ADD COLUMN application_id TEXT;
CREATE INDEX certificates_by_application ON certificates (application_id) WHERE application_id IS NOT NULL;

-- Counter requests record the officer and outlet that took them.
ALTER TABLE status_requests ADD COLUMN officer_id TEXT;
ALTER TABLE status_requests ADD COLUMN outlet_code TEXT;
