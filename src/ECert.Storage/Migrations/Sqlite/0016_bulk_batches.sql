-- A batch of a bulk issuance job, reserved before its certificates are signed: the CA's issue
-- count and the SRN counter have moved past it, and its serials are held here, one row for the
-- whole batch. Committing the batch stores its certificates (one row each, written once) and
-- deletes this row in the same transaction. A row left by a killed run becomes abandoned
-- certificate rows when the job resumes, so a serial that may have been signed is never reused.
CREATE TABLE bulk_batches (
    id            INTEGER PRIMARY KEY,
    job_id        INTEGER NOT NULL REFERENCES bulk_jobs(id),
    ca_slug       TEXT NOT NULL REFERENCES certificate_authorities(slug),
    profile       TEXT NOT NULL,
    not_before    INTEGER NOT NULL,
    not_after     INTEGER NOT NULL,
    reserved_at   INTEGER NOT NULL,
    -- JSON: [{"serial", "line", "card", "subject", "srn", "partition"}, ...] in the batch's order
    reservations  TEXT NOT NULL
);
CREATE INDEX bulk_batches_by_job ON bulk_batches (job_id);
