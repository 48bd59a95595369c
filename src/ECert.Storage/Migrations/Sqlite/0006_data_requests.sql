-- Data access and correction requests (40-day clock) and the record of corrections made.
CREATE TABLE data_requests (
    id            TEXT PRIMARY KEY,
    srn           TEXT NOT NULL REFERENCES subscribers(srn),
    kind          TEXT NOT NULL CHECK (kind IN ('access', 'correction')),
    received_at   INTEGER NOT NULL,
    due_at        INTEGER NOT NULL,
    completed_at  INTEGER,
    note          TEXT
);
CREATE INDEX data_requests_open ON data_requests (due_at) WHERE completed_at IS NULL;

CREATE TABLE corrections (
    id      INTEGER PRIMARY KEY,
    srn     TEXT NOT NULL REFERENCES subscribers(srn),
    field   TEXT NOT NULL,
    at      INTEGER NOT NULL
);
