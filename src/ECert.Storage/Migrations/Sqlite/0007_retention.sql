-- When a subscriber's personal data was anonymised under the retention schedule.
ALTER TABLE subscribers ADD COLUMN anonymised_at INTEGER;
