-- Bulk jobs: a bureau file being issued, or a list of serials being revoked. Each batch commits
-- its certificates together with the job's checkpoint, so a killed job resumes exactly where its
-- last batch ended: input offset, output and reject file lengths, counts.
CREATE TABLE bulk_jobs (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('issue', 'revoke')),
    job_key         TEXT NOT NULL UNIQUE,
    profile         TEXT,
    reason          INTEGER,
    input_path      TEXT NOT NULL,
    input_size      INTEGER NOT NULL,
    input_modified  INTEGER NOT NULL,      -- Unix milliseconds: a resumed job refuses a changed file
    output_path     TEXT,
    reject_path     TEXT NOT NULL,
    input_offset    INTEGER NOT NULL DEFAULT 0,
    next_line       INTEGER NOT NULL DEFAULT 1,
    output_offset   INTEGER NOT NULL DEFAULT 0,
    reject_offset   INTEGER NOT NULL DEFAULT 0,
    done_count      INTEGER NOT NULL DEFAULT 0,
    rejected_count  INTEGER NOT NULL DEFAULT 0,
    runs            INTEGER NOT NULL DEFAULT 1,
    started_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    completed_at    INTEGER
);

-- The smart ID card a certificate was issued onto, and the bulk job and input line it came from.
ALTER TABLE certificates ADD COLUMN card_number TEXT;
ALTER TABLE certificates ADD COLUMN bulk_job INTEGER REFERENCES bulk_jobs(id);
ALTER TABLE certificates ADD COLUMN bulk_line INTEGER;
-- No index on bulk_job: only a resumed job looks its rows up (a scan of a second or so for a
-- million certificates), while every bulk-issued row would pay for the index twice.
