-- Staff and systems with API keys (only the SHA-256 of each key is kept) and their roles.
CREATE TABLE staff (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL,
    key_hash    TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1
);
