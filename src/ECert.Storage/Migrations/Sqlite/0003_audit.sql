-- The tamper-evident audit trail: each entry hash-chained to the one before (see docs/audit.md),
-- and checkpoints signed by the audit key. Append-only: updates and deletes are refused here, and
-- anything done around these triggers is caught by `ecert audit verify`.

CREATE TABLE audit_entries (
    seq         INTEGER PRIMARY KEY,
    at_ms       INTEGER NOT NULL,       -- Unix milliseconds (part of the hash)
    actor_role  TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    action      TEXT NOT NULL,
    subject     TEXT,
    outlet      TEXT,
    purpose     TEXT,
    outcome     TEXT NOT NULL,
    detail      TEXT,
    prev_hash   BLOB NOT NULL,
    hash        BLOB NOT NULL
);

CREATE TRIGGER audit_entries_append_only_update BEFORE UPDATE ON audit_entries
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;

CREATE TRIGGER audit_entries_append_only_delete BEFORE DELETE ON audit_entries
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;

CREATE TABLE audit_checkpoints (
    seq        INTEGER PRIMARY KEY,
    hash       BLOB NOT NULL,
    at_ms      INTEGER NOT NULL,
    key_id     TEXT NOT NULL,
    signature  BLOB NOT NULL
);
