-- People may authenticate with a client certificate issued by this CA, bound to their staff record.
ALTER TABLE staff ADD COLUMN certificate_serial TEXT;
CREATE UNIQUE INDEX staff_by_certificate ON staff (certificate_serial) WHERE certificate_serial IS NOT NULL;
