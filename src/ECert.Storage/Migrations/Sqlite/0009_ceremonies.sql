-- Dual control of CA keys: operations requested, approved by distinct CA officers, executed.
CREATE TABLE ceremonies (
    id            TEXT PRIMARY KEY,
    operation     TEXT NOT NULL,
    target        TEXT NOT NULL,
    requested_by  TEXT NOT NULL,
    requested_at  INTEGER NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('pending', 'executed', 'cancelled')),
    executed_at   INTEGER
);

CREATE TABLE ceremony_approvals (
    ceremony_id  TEXT NOT NULL REFERENCES ceremonies(id),
    officer_id   TEXT NOT NULL,
    at           INTEGER NOT NULL,
    PRIMARY KEY (ceremony_id, officer_id)
);
