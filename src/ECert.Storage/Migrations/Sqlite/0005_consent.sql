-- The consent register: notice versions and opt-in consents per subscriber and class of
-- value-added service. Withdrawn consents are kept (with the time and channel of withdrawal).

CREATE TABLE collection_notices (
    version          TEXT PRIMARY KEY,
    published_at     INTEGER NOT NULL,
    text_sha256      TEXT NOT NULL,
    service_classes  TEXT NOT NULL,   -- comma-separated
    data_kinds       TEXT NOT NULL    -- comma-separated
);

CREATE TABLE consents (
    id                 INTEGER PRIMARY KEY,
    srn                TEXT NOT NULL REFERENCES subscribers(srn),
    service_class      TEXT NOT NULL,
    data_kinds         TEXT NOT NULL,
    notice_version     TEXT NOT NULL REFERENCES collection_notices(version),
    channel            TEXT NOT NULL,
    given_at           INTEGER NOT NULL,
    withdrawn_at       INTEGER,
    withdrawn_channel  TEXT
);
CREATE UNIQUE INDEX consents_one_active ON consents (srn, service_class) WHERE withdrawn_at IS NULL;
CREATE INDEX consents_by_class ON consents (service_class, given_at);
