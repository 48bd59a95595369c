-- When the retention schedule reached a bulk job's cardholders (their names and card numbers gone
-- from its certificate rows and interrupted batches). An unfinished job so marked is never resumed:
-- without the card numbers it could no longer tell which cards it had issued.
ALTER TABLE bulk_jobs ADD COLUMN anonymised_at INTEGER;
